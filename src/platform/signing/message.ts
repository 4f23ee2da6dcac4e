/**
 * Signing and verifying the messages dari's institutions send each other, in
 * the Alipay+ shape: headers `Client-Id`, `Request-Time` and `Signature`, the
 * signature an Ed25519 signature over
 *
 *     <HTTP method> <path>\n<Client-Id>.<Request-Time>.<body>
 *
 * (see README.md for the exact bytes). `verifyMessage` never throws on any
 * header or body; it throws only on a programmer's mistake in its other inputs.
 */
import { createHash, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { err, ok } from '../result.ts';
import type { Result } from '../result.ts';
import type { ReplayCheckedError, SignatureError, SignedHeaderName } from './errors.ts';
import { assertEd25519 } from './keys.ts';
import type { KeyDirectory } from './keys.ts';
import {
  CLIENT_ID_PATTERN,
  CLOCK_SKEW_SECONDS_MAX,
  ED25519_SIGNATURE_BYTES,
  KEY_VERSION_MAX,
  REQUEST_TIME_CHARS_MAX,
  SIGNATURE_AGE_SECONDS_MAX,
  SIGNATURE_HEADER_CHARS_MAX,
} from './limits.ts';
import type { ReplayGuard } from './replay.ts';

/** The one algorithm name dari writes and accepts in the Signature header. */
export const SIGNATURE_ALGORITHM = 'Ed25519';

/**
 * The headers a signed message carries. A type alias, not an interface, so
 * that it is usable wherever a `HeaderSource` record is expected.
 */
export type SignedHeaders = {
  readonly 'Client-Id': string;
  readonly 'Request-Time': string;
  readonly Signature: string;
};

/**
 * Headers as a server framework gives them: a Fetch `Headers` (Hono), or a
 * record such as Node's `IncomingHttpHeaders`, looked up case-insensitively.
 */
export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** A body as bytes (what was on the wire) or text (signed as its UTF-8). */
export type MessageBody = string | Uint8Array;

export interface SignMessageInput {
  /** Upper-case HTTP method, e.g. `POST`. */
  readonly method: string;
  /** The request target as sent: path plus any query string, e.g. `/network/v1/payments/pay`. */
  readonly path: string;
  readonly clientId: string;
  /** RFC 3339 with an offset; `formatRequestTime` writes one. */
  readonly requestTime: string;
  readonly body: MessageBody;
  readonly privateKey: KeyObject;
  readonly keyVersion: number;
}

/** Signs a message; throws only if an input breaks the contract (a bug in the caller). */
export function signMessage(input: SignMessageInput): SignedHeaders {
  assert(/^[A-Z]{1,16}$/.test(input.method), `method ${JSON.stringify(input.method)} is upper-case letters`);
  assert(/^\/[\x21-\x7e]*$/.test(input.path), `path ${JSON.stringify(input.path)} starts with / and holds no space or control character`);
  assert(CLIENT_ID_PATTERN.test(input.clientId), `client id ${JSON.stringify(input.clientId)} matches ${CLIENT_ID_PATTERN}`);
  assert(parseRequestTime(input.requestTime) !== undefined, `request time ${JSON.stringify(input.requestTime)} is RFC 3339 with an offset`);
  assert(isKeyVersion(input.keyVersion), `keyVersion ${input.keyVersion} in 1..${KEY_VERSION_MAX}`);
  assertEd25519(input.privateKey, 'private');
  const content = contentToBeSigned(input);
  const signature = sign(null, content, input.privateKey).toString('base64url');
  return {
    'Client-Id': input.clientId,
    'Request-Time': input.requestTime,
    Signature: `algorithm=${SIGNATURE_ALGORITHM}, keyVersion=${input.keyVersion}, signature=${signature}`,
  };
}

/**
 * The bytes that are signed: `<method> <path>\n<clientId>.<requestTime>.` in
 * UTF-8, then the body's bytes exactly as sent.
 */
export function contentToBeSigned(parts: {
  readonly method: string;
  readonly path: string;
  readonly clientId: string;
  readonly requestTime: string;
  readonly body: MessageBody;
}): Buffer {
  const head = Buffer.from(`${parts.method} ${parts.path}\n${parts.clientId}.${parts.requestTime}.`, 'utf8');
  const body = typeof parts.body === 'string' ? Buffer.from(parts.body, 'utf8') : parts.body;
  return Buffer.concat([head, body]);
}

/** `date` as RFC 3339 in UTC to the second, e.g. `2026-11-24T13:41:00Z`. */
export function formatRequestTime(date: Date): string {
  assert(Number.isFinite(date.getTime()), 'a valid date');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface VerifyMessageInput {
  readonly method: string;
  readonly path: string;
  readonly headers: HeaderSource;
  readonly body: MessageBody;
  readonly keys: KeyDirectory;
  readonly now: Date;
  /** Defaults to, and may not exceed, `SIGNATURE_AGE_SECONDS_MAX` (the replay guard forgets after that). */
  readonly maxAgeSeconds?: number;
}

export interface VerifiedMessage {
  readonly clientId: string;
  readonly requestTime: Date;
  readonly keyVersion: number;
  /** The signature as sent (canonical base64url): what the replay guard records. */
  readonly signature: string;
}

/**
 * Verifies a message's signature and freshness. Checks run cheapest first and
 * the signature last; the error says which check failed. Never throws on any
 * header or body.
 */
export function verifyMessage(input: VerifyMessageInput): Result<VerifiedMessage, SignatureError> {
  const maxAgeSeconds = input.maxAgeSeconds ?? SIGNATURE_AGE_SECONDS_MAX;
  assert(Number.isFinite(maxAgeSeconds) && maxAgeSeconds > 0 && maxAgeSeconds <= SIGNATURE_AGE_SECONDS_MAX, `maxAgeSeconds in (0, ${SIGNATURE_AGE_SECONDS_MAX}]`);
  assert(Number.isFinite(input.now.getTime()), 'now is a valid date');

  const clientId = singleHeader(input.headers, 'Client-Id');
  if (!clientId.ok) return clientId;
  const requestTimeText = singleHeader(input.headers, 'Request-Time');
  if (!requestTimeText.ok) return requestTimeText;
  const signatureText = singleHeader(input.headers, 'Signature');
  if (!signatureText.ok) return signatureText;

  const parsed = parseSignatureHeader(signatureText.value);
  if (!parsed.ok) return parsed;
  const requestTime = parseRequestTime(requestTimeText.value);
  if (requestTime === undefined) {
    return err({ code: 'BAD_REQUEST_TIME', message: 'Request-Time must be RFC 3339 with an offset, e.g. 2026-11-24T22:41:00+09:00' });
  }
  const ageSeconds = (input.now.getTime() - requestTime.getTime()) / 1000;
  if (ageSeconds > maxAgeSeconds || -ageSeconds > CLOCK_SKEW_SECONDS_MAX) {
    return err({
      code: 'STALE_REQUEST',
      ageSeconds,
      message: `Request-Time is ${Math.round(ageSeconds)} s old; accepted is ${-CLOCK_SKEW_SECONDS_MAX} to ${maxAgeSeconds} s`,
    });
  }
  // A malformed Client-Id cannot be in the directory; it is not echoed back.
  if (!CLIENT_ID_PATTERN.test(clientId.value)) return err({ code: 'UNKNOWN_CLIENT', message: 'Client-Id is not a known participant' });
  const key = input.keys.lookup(clientId.value, parsed.value.keyVersion);
  if (key.found === 'no-client') return err({ code: 'UNKNOWN_CLIENT', message: 'Client-Id is not a known participant' });
  if (key.found === 'no-key-version') {
    const { keyVersion } = parsed.value;
    return err({ code: 'UNKNOWN_KEY_VERSION', keyVersion, message: `no key version ${keyVersion} for this Client-Id` });
  }
  const content = contentToBeSigned({
    method: input.method,
    path: input.path,
    clientId: clientId.value,
    requestTime: requestTimeText.value,
    body: input.body,
  });
  // crypto.verify recomputes and checks the signature equation; there is no
  // byte comparison of an expected signature to leak timing through.
  if (!verify(null, content, key.publicKey, parsed.value.signatureBytes)) {
    return err({ code: 'INVALID_SIGNATURE', message: 'the signature does not match the method, path, Client-Id, Request-Time and body' });
  }
  return ok({ clientId: clientId.value, requestTime, keyVersion: parsed.value.keyVersion, signature: parsed.value.signature });
}

/**
 * `verifyMessage`, then the replay rule: a verified signature is recorded, and
 * refused if it was already recorded. Recording only after verification means
 * a forger cannot fill the guard, and a genuine signature is refused only if
 * it really was presented before.
 */
export async function verifyAndRecordMessage(
  input: VerifyMessageInput & { readonly replayGuard: ReplayGuard },
): Promise<Result<VerifiedMessage, ReplayCheckedError>> {
  const verified = verifyMessage(input);
  if (!verified.ok) return verified;
  const { clientId, signature, requestTime } = verified.value;
  if (await input.replayGuard.seen(clientId, signature, requestTime)) {
    return err({ code: 'REPLAYED_REQUEST', message: 'this signed message was already received' });
  }
  return verified;
}

/** SHA-256 of a signature as sent: what a replay guard stores instead of the signature. */
export function signatureHash(signature: string): Buffer {
  return createHash('sha256').update(signature, 'utf8').digest();
}

interface ParsedSignature {
  readonly keyVersion: number;
  readonly signature: string;
  readonly signatureBytes: Buffer;
}

/**
 * `algorithm=Ed25519, keyVersion=<n>, signature=<base64url>`: exactly these
 * three fields, each once, in any order, spaces around the commas optional.
 */
export function parseSignatureHeader(text: string): Result<ParsedSignature, SignatureError> {
  const bad = (message: string): Result<ParsedSignature, SignatureError> => err({ code: 'BAD_SIGNATURE_HEADER', message });
  if (text.length > SIGNATURE_HEADER_CHARS_MAX) return bad(`Signature is longer than ${SIGNATURE_HEADER_CHARS_MAX} characters`);
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z]+)=(\S+?)\s*$/.exec(part);
    const name = match?.[1];
    const value = match?.[2];
    if (name === undefined || value === undefined) return bad('Signature is `algorithm=Ed25519, keyVersion=<n>, signature=<base64url>`');
    if (fields.has(name)) return bad(`Signature names ${name} twice`);
    fields.set(name, value);
  }
  const algorithm = fields.get('algorithm');
  const keyVersionText = fields.get('keyVersion');
  const signature = fields.get('signature');
  if (fields.size !== 3 || algorithm === undefined || keyVersionText === undefined || signature === undefined) {
    return bad('Signature has exactly the fields algorithm, keyVersion and signature');
  }
  if (algorithm !== SIGNATURE_ALGORITHM) return bad(`Signature algorithm must be ${SIGNATURE_ALGORITHM}`);
  const keyVersion = /^[1-9][0-9]{0,9}$/.test(keyVersionText) ? Number(keyVersionText) : Number.NaN;
  if (!isKeyVersion(keyVersion)) return bad(`keyVersion must be an integer from 1 to ${KEY_VERSION_MAX}`);
  // Only the canonical unpadded base64url of 64 bytes: one signature has one
  // spelling, so that the replay guard cannot be sidestepped by re-spelling it.
  const signatureBytes = /^[A-Za-z0-9_-]+$/.test(signature) ? Buffer.from(signature, 'base64url') : Buffer.alloc(0);
  if (signatureBytes.length !== ED25519_SIGNATURE_BYTES || signatureBytes.toString('base64url') !== signature) {
    return bad(`signature must be the unpadded base64url of ${ED25519_SIGNATURE_BYTES} bytes`);
  }
  return ok({ keyVersion, signature, signatureBytes });
}

const requestTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * RFC 3339 `date-time` (an offset, `Z` or `±HH:MM`, is required; leap seconds
 * are refused). Returns undefined for anything else, including impossible
 * dates such as February 30.
 */
export function parseRequestTime(text: string): Date | undefined {
  if (text.length > REQUEST_TIME_CHARS_MAX) return undefined;
  const m = requestTimePattern.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const fractionMs = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const offsetHours = Number(m[9]);
    const offsetMins = Number(m[10]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second, fractionMs) - offsetMinutes * 60_000;
  const date = new Date(utcMs);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

function isKeyVersion(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1 && value <= KEY_VERSION_MAX;
}

// Exactly one non-empty value. A repeated header is refused rather than
// guessed at: the signer and a proxy could each have meant a different one.
function singleHeader(headers: HeaderSource, name: SignedHeaderName): Result<string, SignatureError> {
  const values = headerValues(headers, name);
  const only = values.length === 1 ? values[0] : undefined;
  if (only === undefined || only === '') {
    const valueCount = only === '' ? 0 : values.length;
    const message = valueCount === 0 ? `header ${name} is missing` : `header ${name} appears ${valueCount} times; exactly one is required`;
    return err({ code: 'MISSING_HEADER', header: name, valueCount, message });
  }
  return ok(only);
}

function headerValues(headers: HeaderSource, name: string): readonly string[] {
  if (typeof headers.get === 'function') {
    const value = (headers as { get(name: string): unknown }).get(name);
    return typeof value === 'string' ? [value] : [];
  }
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...value.filter((v): v is string => typeof v === 'string'));
  }
  return values;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
