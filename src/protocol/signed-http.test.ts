import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { openSqlite } from '../platform/db/sqlite.ts';
import { Hono } from 'hono';
import { createKeyDirectory, createSqliteReplayGuard, formatRequestTime, generateSigningKeyPair, signMessage } from '../platform/signing/index.ts';
import { faultyFetch, type NetworkFault } from './faults.ts';
import type { AcquirerPayRequest } from './messages.ts';
import { result } from './results.ts';
import { createPeerClient, mountProtocolRoute, type FetchFunction, type SigningIdentity } from './signed-http.ts';

const networkKeys = generateSigningKeyPair();
const acquirerKeys = generateSigningKeyPair();
const strangerKeys = generateSigningKeyPair();
const network: SigningIdentity = { clientId: 'DARI_NETWORK', privateKey: networkKeys.privateKey, keyVersion: 1 };
const acquirer: SigningIdentity = { clientId: 'ACQ_KR_01', privateKey: acquirerKeys.privateKey, keyVersion: 1 };
const directory = createKeyDirectory([
  { clientId: 'DARI_NETWORK', keyVersion: 1, publicKey: networkKeys.publicKey },
  { clientId: 'ACQ_KR_01', keyVersion: 1, publicKey: acquirerKeys.publicKey },
]);

const payRequest: AcquirerPayRequest = {
  paymentRequestId: 'AP0001',
  paymentAmount: { currency: 'KRW', value: '15000' },
  paymentCode: '285112345678901234',
  merchant: { merchantId: 'KR01M000001', merchantName: 'Seoul Books', merchantMcc: '5942', merchantCity: 'Seoul', merchantCountry: 'KR' },
};

describe('signed HTTP between institutions', () => {
  let server: ServerType;
  let baseUrl = '';
  const received: Array<{ id: string; sender: string }> = [];
  let handlerDelayMs = 0;

  before(async () => {
    const app = new Hono();
    const replayGuard = createSqliteReplayGuard(openSqlite(':memory:'));
    mountProtocolRoute(app, 'networkPay', { self: network, keys: directory, replayGuard }, async (request, sender) => {
      received.push({ id: request.paymentRequestId, sender: sender.clientId });
      if (handlerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, handlerDelayMs));
      return { result: result('SUCCESS'), paymentId: `NP-${request.paymentRequestId}`, paymentAmount: request.paymentAmount };
    });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (fetch?: FetchFunction, timeoutMs = 2_000) =>
    createPeerClient({ self: acquirer, peerId: 'DARI_NETWORK', baseUrl: () => baseUrl, keys: directory, timeoutMs, ...(fetch ? { fetch } : {}) });

  it('signs the request, verifies the answer, and names the sender to the handler', async () => {
    const outcome = await client().call('networkPay', payRequest);
    assert.equal(outcome.kind, 'answered');
    assert.equal(outcome.kind === 'answered' && outcome.response.paymentId, 'NP-AP0001');
    assert.deepEqual(received.at(-1), { id: 'AP0001', sender: 'ACQ_KR_01' });
  });

  it('refuses, with a signed answer, what is unsigned, signed by a stranger, stale, replayed or malformed', async () => {
    const body = JSON.stringify(payRequest);
    const path = '/network/v1/payments/pay';
    const sign = (overrides: { privateKey?: typeof acquirerKeys.privateKey; time?: Date; body?: string } = {}) =>
      signMessage({ method: 'POST', path, clientId: 'ACQ_KR_01', requestTime: formatRequestTime(overrides.time ?? new Date()), body: overrides.body ?? body, privateKey: overrides.privateKey ?? acquirerKeys.privateKey, keyVersion: 1 });
    const replayed = sign();
    const cases: Array<{ name: string; headers: Record<string, string>; body?: string; code: string; status: string }> = [
      { name: 'unsigned', headers: {}, code: 'INVALID_SIGNATURE', status: 'F' },
      { name: 'signed by a stranger', headers: sign({ privateKey: strangerKeys.privateKey }), code: 'INVALID_SIGNATURE', status: 'F' },
      { name: 'stale', headers: sign({ time: new Date(Date.now() - 3_600_000) }), code: 'INVALID_SIGNATURE', status: 'F' },
      { name: 'tampered body', headers: sign(), body: body.replace('15000', '99999'), code: 'INVALID_SIGNATURE', status: 'F' },
      { name: 'first delivery', headers: replayed, code: 'SUCCESS', status: 'S' },
      { name: 'replayed', headers: replayed, code: 'REQUEST_REPLAYED', status: 'U' },
      { name: 'malformed', headers: sign({ body: '{"paymentRequestId":"x"}' }), body: '{"paymentRequestId":"x"}', code: 'PARAM_ILLEGAL', status: 'F' },
    ];
    for (const c of cases) {
      const before = received.length;
      const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...c.headers, 'Content-Type': 'application/json' }, body: c.body ?? body });
      assert.equal(response.status, 200, c.name);
      assert.equal(response.headers.get('client-id'), 'DARI_NETWORK', c.name);
      const answer = (await response.json()) as { result: { resultCode: string; resultStatus: string } };
      assert.deepEqual([answer.result.resultCode, answer.result.resultStatus], [c.code, c.status], c.name);
      assert.equal(received.length - before, c.code === 'SUCCESS' ? 1 : 0, `${c.name}: handler calls`);
    }
  });

  it('treats an answer not signed by the expected peer as no answer', async () => {
    const impostor = createPeerClient({ self: acquirer, peerId: 'OTHER_NETWORK', baseUrl, keys: directory });
    const outcome = await impostor.call('networkPay', { ...payRequest, paymentRequestId: 'AP0002' });
    assert.equal(outcome.kind, 'no-answer');
    assert.match(outcome.kind === 'no-answer' ? outcome.detail : '', /signed by DARI_NETWORK, not OTHER_NETWORK/);
  });

  it('reports an unreachable peer as unreachable', async () => {
    const dead = createPeerClient({ self: acquirer, peerId: 'DARI_NETWORK', baseUrl: 'http://127.0.0.1:1', keys: directory });
    const outcome = await dead.call('networkPay', payRequest);
    assert.deepEqual(outcome.kind === 'no-answer' && outcome.reason, 'unreachable');
  });

  describe('faults', () => {
    const cases: Array<{ fault: NetworkFault; handled: number; outcome: string }> = [
      { fault: { kind: 'lose-request' }, handled: 0, outcome: 'timeout' },
      { fault: { kind: 'lose-response' }, handled: 1, outcome: 'timeout' },
      { fault: { kind: 'delay', delayMs: 400 }, handled: 1, outcome: 'timeout' },
      { fault: { kind: 'duplicate' }, handled: 1, outcome: 'answered' },
    ];
    for (const c of cases) {
      it(`${c.fault.kind}: the caller sees ${c.outcome}; the peer acts ${c.handled} time(s)`, async () => {
        const faulty = faultyFetch((url, init) => fetch(url, init), () => c.fault);
        const id = `AP-${c.fault.kind}`;
        const before = received.filter((r) => r.id === id).length;
        const outcome = await client(faulty.fetch, 200).call('networkPay', { ...payRequest, paymentRequestId: id });
        await faulty.settled();
        assert.equal(outcome.kind === 'no-answer' ? outcome.reason : outcome.kind, c.outcome);
        // A duplicate reaches the handler once: the second copy is refused as a replay.
        assert.equal(received.filter((r) => r.id === id).length - before, c.handled);
      });
    }
  });

  it('times out on a slow peer', async () => {
    handlerDelayMs = 300;
    try {
      const outcome = await client(undefined, 100).call('networkPay', { ...payRequest, paymentRequestId: 'AP-slow' });
      assert.deepEqual(outcome.kind === 'no-answer' && outcome.reason, 'timeout');
    } finally {
      handlerDelayMs = 0;
    }
  });
});
