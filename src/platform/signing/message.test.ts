import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SIGNATURE_ERROR_CODES } from './errors.ts';
import type { ReplayCheckedError, SignatureErrorCode } from './errors.ts';
import { CLOCK_SKEW_SECONDS_MAX, SIGNATURE_AGE_SECONDS_MAX } from './limits.ts';
import {
  contentToBeSigned,
  formatRequestTime,
  parseRequestTime,
  signMessage,
  verifyMessage,
} from './message.ts';
import type { HeaderSource, MessageBody } from './message.ts';
import { acquirer, keys, now, request, signed, wallet, walletNextKey } from './test-helpers.ts';

// Compile-time: the list of codes is exactly the union's codes.
const codesMatch: [SignatureErrorCode, ReplayCheckedError['code']] extends [ReplayCheckedError['code'], SignatureErrorCode] ? true : false = true;
assert.equal(codesMatch, true);
assert.equal(new Set(SIGNATURE_ERROR_CODES).size, SIGNATURE_ERROR_CODES.length);

interface Delivery {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: HeaderSource;
  readonly body?: MessageBody;
  readonly now?: Date;
}

function deliver(delivery: Delivery = {}) {
  return verifyMessage({
    method: delivery.method ?? request.method,
    path: delivery.path ?? request.path,
    headers: delivery.headers ?? signed(),
    body: delivery.body ?? request.body,
    keys,
    now: delivery.now ?? now,
  });
}

function withHeader(name: string, value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { ...signed() };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return headers;
}

function withSignatureField(field: string): Record<string, string> {
  return withHeader('Signature', signed().Signature.replace(/signature=.*/, field));
}

const tamperedSignature = (() => {
  const value = /signature=(.*)$/.exec(signed().Signature)?.[1] ?? '';
  const bytes = Buffer.from(value, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString('base64url');
})();

describe('signMessage and verifyMessage', () => {
  it('round-trips: the verifier learns who signed and when', () => {
    const headers = signed();
    assert.equal(headers['Client-Id'], 'WALLET_KR_01');
    assert.equal(headers['Request-Time'], '2026-11-24T22:41:00+09:00');
    assert.match(headers.Signature, /^algorithm=Ed25519, keyVersion=1, signature=[A-Za-z0-9_-]{86}$/);
    const result = deliver({ headers });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.clientId, 'WALLET_KR_01');
    assert.equal(result.value.requestTime.toISOString(), '2026-11-24T13:41:00.000Z');
    assert.equal(result.value.keyVersion, 1);
  });

  it('signs exactly "<method> <path>\\n<client id>.<request time>.<body>"', () => {
    const content = contentToBeSigned(request);
    assert.equal(
      content.toString('utf8'),
      'POST /network/v1/payments/pay\nWALLET_KR_01.2026-11-24T22:41:00+09:00.' + request.body,
    );
    assert.deepEqual(contentToBeSigned({ ...request, body: Buffer.from(request.body) }), content);
  });

  it('accepts a rotated key version, a Fetch Headers object, Node lower-case headers and a byte body', () => {
    const rotated = signed({ privateKey: walletNextKey.privateKey, keyVersion: 2 });
    assert.equal(deliver({ headers: rotated }).ok, true);
    assert.equal(deliver({ headers: new Headers({ ...signed() }) }).ok, true);
    const lower = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal(deliver({ headers: lower }).ok, true);
    assert.equal(deliver({ body: new TextEncoder().encode(request.body) }).ok, true);
    assert.equal(deliver({ headers: { ...signed(), Signature: [signed().Signature] } }).ok, true);
  });

  it('accepts the edges of the time window', () => {
    const at = (seconds: number) => new Date(Date.parse('2026-11-24T13:41:00Z') + seconds * 1000);
    assert.equal(deliver({ now: at(SIGNATURE_AGE_SECONDS_MAX) }).ok, true);
    assert.equal(deliver({ now: at(-CLOCK_SKEW_SECONDS_MAX) }).ok, true);
  });

  const signature = signed().Signature;
  const rejections: ReadonlyArray<readonly [string, Delivery, SignatureErrorCode, Record<string, unknown>?]> = [
    ['no Client-Id', { headers: withHeader('Client-Id', undefined) }, 'MISSING_HEADER', { header: 'Client-Id', valueCount: 0 }],
    ['no Request-Time', { headers: withHeader('Request-Time', undefined) }, 'MISSING_HEADER', { header: 'Request-Time' }],
    ['no Signature', { headers: withHeader('Signature', undefined) }, 'MISSING_HEADER', { header: 'Signature' }],
    ['an empty Signature', { headers: withHeader('Signature', '') }, 'MISSING_HEADER', { header: 'Signature', valueCount: 0 }],
    ['a repeated Signature', { headers: { ...signed(), signature: signature } }, 'MISSING_HEADER', { header: 'Signature', valueCount: 2 }],
    ['a Signature array of two', { headers: { ...signed(), Signature: [signature, signature] } }, 'MISSING_HEADER', { valueCount: 2 }],
    ['Signature not key=value', { headers: withHeader('Signature', 'Ed25519 abc') }, 'BAD_SIGNATURE_HEADER'],
    ['Signature with another algorithm', { headers: withHeader('Signature', signature.replace('Ed25519', 'RSA256')) }, 'BAD_SIGNATURE_HEADER'],
    ['Signature without keyVersion', { headers: withHeader('Signature', signature.replace('keyVersion=1, ', '')) }, 'BAD_SIGNATURE_HEADER'],
    ['Signature with keyVersion 0', { headers: withHeader('Signature', signature.replace('keyVersion=1', 'keyVersion=0')) }, 'BAD_SIGNATURE_HEADER'],
    ['Signature with keyVersion 01', { headers: withHeader('Signature', signature.replace('keyVersion=1', 'keyVersion=01')) }, 'BAD_SIGNATURE_HEADER'],
    ['Signature with a field twice', { headers: withHeader('Signature', `${signature}, algorithm=Ed25519`) }, 'BAD_SIGNATURE_HEADER'],
    ['Signature with an extra field', { headers: withHeader('Signature', `${signature}, extra=1`) }, 'BAD_SIGNATURE_HEADER'],
    ['a signature of 63 bytes', { headers: withSignatureField(`signature=${Buffer.alloc(63).toString('base64url')}`) }, 'BAD_SIGNATURE_HEADER'],
    ['a padded base64 signature', { headers: withSignatureField(`signature=${Buffer.alloc(64).toString('base64')}`) }, 'BAD_SIGNATURE_HEADER'],
    ['a non-canonical base64url signature', { headers: withSignatureField(`signature=${'A'.repeat(85)}B`) }, 'BAD_SIGNATURE_HEADER'],
    ['an overlong Signature', { headers: withHeader('Signature', `${signature}${' '.repeat(300)}`) }, 'BAD_SIGNATURE_HEADER'],
    ['Request-Time without offset', { headers: withHeader('Request-Time', '2026-11-24T22:41:00') }, 'BAD_REQUEST_TIME'],
    ['Request-Time on February 30', { headers: withHeader('Request-Time', '2026-02-30T22:41:00+09:00') }, 'BAD_REQUEST_TIME'],
    ['Request-Time as epoch seconds', { headers: withHeader('Request-Time', '1795614060') }, 'BAD_REQUEST_TIME'],
    ['a stale request', { now: new Date(Date.parse('2026-11-24T13:41:00Z') + (SIGNATURE_AGE_SECONDS_MAX + 1) * 1000) }, 'STALE_REQUEST', { ageSeconds: SIGNATURE_AGE_SECONDS_MAX + 1 }],
    ['a request from beyond the clock skew', { now: new Date(Date.parse('2026-11-24T13:41:00Z') - (CLOCK_SKEW_SECONDS_MAX + 1) * 1000) }, 'STALE_REQUEST', { ageSeconds: -(CLOCK_SKEW_SECONDS_MAX + 1) }],
    ['an unknown client', { headers: withHeader('Client-Id', 'WALLET_XX_99') }, 'UNKNOWN_CLIENT'],
    ['a malformed client id', { headers: withHeader('Client-Id', 'WALLET.KR') }, 'UNKNOWN_CLIENT'],
    ['an unknown key version', { headers: withHeader('Signature', signature.replace('keyVersion=1', 'keyVersion=7')) }, 'UNKNOWN_KEY_VERSION', { keyVersion: 7 }],
    ['a tampered method', { method: 'PUT' }, 'INVALID_SIGNATURE'],
    ['a tampered path', { path: '/network/v1/payments/refund' }, 'INVALID_SIGNATURE'],
    ['a tampered query string', { path: `${request.path}?x=1` }, 'INVALID_SIGNATURE'],
    ['a tampered body', { body: request.body.replace('1500', '9500') }, 'INVALID_SIGNATURE'],
    ['a body with a trailing newline', { body: `${request.body}\n` }, 'INVALID_SIGNATURE'],
    ['a tampered client id (another known client)', { headers: withHeader('Client-Id', 'ACQUIRER_JP_01') }, 'INVALID_SIGNATURE'],
    ['a tampered request time', { headers: withHeader('Request-Time', '2026-11-24T22:41:01+09:00') }, 'INVALID_SIGNATURE'],
    ['the same instant in another offset', { headers: withHeader('Request-Time', '2026-11-24T13:41:00Z') }, 'INVALID_SIGNATURE'],
    ['a tampered signature', { headers: withSignatureField(`signature=${tamperedSignature}`) }, 'INVALID_SIGNATURE'],
    ['a signature by the wrong key', { headers: signed({ privateKey: acquirer.privateKey }) }, 'INVALID_SIGNATURE'],
    ['a signature by the right client under the wrong version', { headers: signed({ privateKey: wallet.privateKey, keyVersion: 2 }) }, 'INVALID_SIGNATURE'],
  ];

  for (const [name, delivery, code, details] of rejections) {
    it(`refuses ${name}: ${code}`, () => {
      const result = deliver(delivery);
      assert.equal(result.ok, false, `${name} was accepted`);
      if (result.ok) return;
      assert.equal(result.error.code, code, result.error.message);
      assert.ok(result.error.message.length > 0);
      for (const [key, value] of Object.entries(details ?? {})) {
        assert.deepEqual((result.error as unknown as Record<string, unknown>)[key], value, key);
      }
    });
  }

  it('refuses a maxAgeSeconds beyond the replay window: a bug, so it throws', () => {
    assert.throws(() => verifyMessage({ ...request, headers: signed(), keys, now, maxAgeSeconds: SIGNATURE_AGE_SECONDS_MAX + 1 }), /assertion failed/);
    const tight = verifyMessage({ ...request, headers: signed(), keys, now, maxAgeSeconds: 10 });
    assert.equal(tight.ok ? 'ok' : tight.error.code, 'STALE_REQUEST');
  });

  it('asserts its own inputs when signing', () => {
    const base = { ...request, privateKey: wallet.privateKey, keyVersion: 1 };
    assert.throws(() => signMessage({ ...base, method: 'post' }), /assertion failed/);
    assert.throws(() => signMessage({ ...base, path: '/a b' }), /assertion failed/);
    assert.throws(() => signMessage({ ...base, clientId: 'A.B' }), /assertion failed/);
    assert.throws(() => signMessage({ ...base, requestTime: '2026-11-24 22:41:00' }), /assertion failed/);
    assert.throws(() => signMessage({ ...base, keyVersion: 0 }), /assertion failed/);
    assert.throws(() => signMessage({ ...base, privateKey: wallet.publicKey }), /assertion failed/);
  });
});

describe('parseRequestTime', () => {
  const cases: ReadonlyArray<readonly [string, string | undefined]> = [
    ['2026-11-24T22:41:00+09:00', '2026-11-24T13:41:00.000Z'],
    ['2026-11-24T13:41:00Z', '2026-11-24T13:41:00.000Z'],
    ['2026-11-24T08:41:00-05:00', '2026-11-24T13:41:00.000Z'],
    ['2026-11-24T13:41:00.250Z', '2026-11-24T13:41:00.250Z'],
    ['2026-11-24T13:41:00.123456789+00:00', '2026-11-24T13:41:00.123Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2026-02-29T00:00:00Z', undefined],
    ['2026-13-01T00:00:00Z', undefined],
    ['2026-11-24T24:00:00Z', undefined],
    ['2026-11-24T13:41:60Z', undefined],
    ['2026-11-24T13:41:00+24:00', undefined],
    ['2026-11-24t13:41:00z', undefined],
    ['2026-11-24 13:41:00Z', undefined],
    ['2026-11-24T13:41Z', undefined],
    ['2026-11-24T13:41:00.Z', undefined],
    ['2026-11-24T13:41:00.1234567890Z', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected ?? 'refused'}`, () => {
      assert.equal(parseRequestTime(text)?.toISOString(), expected);
    });
  }

  it('formatRequestTime writes what parseRequestTime reads', () => {
    const text = formatRequestTime(new Date('2026-11-24T13:41:00.999Z'));
    assert.equal(text, '2026-11-24T13:41:00Z');
    assert.equal(parseRequestTime(text)?.toISOString(), '2026-11-24T13:41:00.000Z');
  });
});
