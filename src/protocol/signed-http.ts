/**
 * Signed HTTP between institutions: a client that signs each request and
 * verifies each answer, and a server-side route that verifies each request
 * (signature, age, replay) and signs each answer (DESIGN "Public API shape",
 * platform/signing/README.md for the bytes signed).
 *
 * Every protocol answer is HTTP 200 with a `result` in its body, as in
 * Alipay+; anything else the client gets (no answer, a timeout, an unsigned
 * or badly signed answer, another status) is `no-answer`, which the caller
 * must treat as an unknown outcome and inquire.
 */
import type { KeyObject } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import {
  signMessage,
  verifyAndRecordMessage,
  verifyMessage,
  type KeyDirectory,
  type ReplayCheckedError,
  type ReplayGuard,
} from '../platform/signing/index.ts';
import {
  PROTOCOL_ENDPOINTS,
  type ProtocolEndpointName,
  type ProtocolRequest,
  type ProtocolResponse,
} from './messages.ts';
import { registerHandler } from './handlers.ts';
import { result, type ProtocolResult, type ResultCode } from './results.ts';

/** How long a caller waits for the next hop before it treats the outcome as unknown. */
export const PEER_CALL_TIMEOUT_MS_DEFAULT = 5_000;
/** Largest answer body a client reads, in bytes; a larger one is no answer. */
export const PEER_RESPONSE_BYTES_MAX = 64 * 1024;

/** A participant's own signing identity. */
export interface SigningIdentity {
  readonly clientId: string;
  readonly privateKey: KeyObject;
  readonly keyVersion: number;
}

export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export type PeerCallOutcome<N extends ProtocolEndpointName> =
  | { readonly kind: 'answered'; readonly response: ProtocolResponse<N> }
  | { readonly kind: 'no-answer'; readonly reason: 'timeout' | 'unreachable' | 'bad-answer'; readonly detail: string };

export interface PeerClient {
  /** The peer's participant id: its answers must be signed by it. */
  readonly peerId: string;
  call<N extends ProtocolEndpointName>(
    name: N,
    request: ProtocolRequest<N>,
    options?: { readonly timeoutMs?: number },
  ): Promise<PeerCallOutcome<N>>;
}

export interface PeerClientOptions {
  readonly self: SigningIdentity;
  readonly peerId: string;
  /** The peer's base URL, without a trailing slash: `http://127.0.0.1:3000`; a function when it is known only once a server listens. */
  readonly baseUrl: string | (() => string);
  /** Where the peer's public keys are found, to verify its answers. */
  readonly keys: KeyDirectory;
  readonly timeoutMs?: number;
  /** Tests pass a fetch that loses, delays or duplicates messages. */
  readonly fetch?: FetchFunction;
  readonly now?: () => Date;
}

export type SignedPostOutcome =
  | { readonly kind: 'answered'; readonly body: unknown }
  | { readonly kind: 'no-answer'; readonly reason: 'timeout' | 'unreachable' | 'bad-answer'; readonly detail: string };

/**
 * Signs and POSTs one JSON body to the peer, and verifies that the answer is
 * HTTP 200, signed by the peer for the same method and path, and JSON. Both
 * the single-message client and the envelope client send through it.
 */
export function createSignedPoster(options: PeerClientOptions): (path: string, body: unknown, timeoutMs?: number) => Promise<SignedPostOutcome> {
  const send = options.fetch ?? ((url, init) => fetch(url, init));
  const now = options.now ?? (() => new Date());
  const requestTime = requestTimes(now);
  return async (path, value, timeoutMs = options.timeoutMs ?? PEER_CALL_TIMEOUT_MS_DEFAULT) => {
    const body = JSON.stringify(value);
    const headers = signMessage({
      method: 'POST',
      path,
      clientId: options.self.clientId,
      requestTime: requestTime(),
      body,
      privateKey: options.self.privateKey,
      keyVersion: options.self.keyVersion,
    });
    let answer: Response;
    let text: string;
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      const baseUrl = typeof options.baseUrl === 'string' ? options.baseUrl : options.baseUrl();
      answer = await send(`${baseUrl}${path}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body, signal });
      text = await readLimited(answer);
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return { kind: 'no-answer', reason: timedOut ? 'timeout' : 'unreachable', detail: describe(error) };
    }
    if (answer.status !== 200) return { kind: 'no-answer', reason: 'bad-answer', detail: `HTTP ${answer.status}: ${text.slice(0, 200)}` };
    const verified = verifyMessage({ method: 'POST', path, headers: answer.headers, body: text, keys: options.keys, now: now() });
    if (!verified.ok) return { kind: 'no-answer', reason: 'bad-answer', detail: `answer signature: ${verified.error.message}` };
    if (verified.value.clientId !== options.peerId) {
      return { kind: 'no-answer', reason: 'bad-answer', detail: `answer signed by ${verified.value.clientId}, not ${options.peerId}` };
    }
    const json = safeJson(text);
    if (json === undefined) return { kind: 'no-answer', reason: 'bad-answer', detail: 'answer body is not JSON' };
    return { kind: 'answered', body: json };
  };
}

/** A client for one peer, one signed request per message. */
export function createPeerClient(options: PeerClientOptions): PeerClient {
  const post = createSignedPoster(options);
  return {
    peerId: options.peerId,
    async call(name, request, callOptions = {}) {
      const endpoint = PROTOCOL_ENDPOINTS[name];
      const outcome = await post(endpoint.path, request, callOptions.timeoutMs);
      if (outcome.kind === 'no-answer') return outcome;
      const parsed = endpoint.response.safeParse(outcome.body);
      if (!parsed.success) return { kind: 'no-answer', reason: 'bad-answer', detail: `answer body: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
      return { kind: 'answered', response: parsed.data as ProtocolResponse<typeof name> };
    },
  };
}

/** What a server-side protocol route needs: its identity, whom it trusts, and where it records signatures seen. */
export interface ProtocolServerOptions {
  readonly self: SigningIdentity;
  readonly keys: KeyDirectory;
  readonly replayGuard: ReplayGuard;
  readonly now?: () => Date;
}

export interface VerifiedSender {
  readonly clientId: string;
}

/**
 * Mounts one protocol endpoint on `app`: verify the request (signature, age,
 * replay), parse it with the endpoint's schema, run `handle`, sign the answer.
 * A refusal before `handle` is a signed answer too, so a caller can tell a
 * refusal from a lost message.
 */
export function mountProtocolRoute<N extends ProtocolEndpointName>(
  app: Hono,
  name: N,
  options: ProtocolServerOptions,
  handle: (request: ProtocolRequest<N>, sender: VerifiedSender) => Promise<ProtocolResponse<N>>,
): void {
  const endpoint = PROTOCOL_ENDPOINTS[name];
  const now = options.now ?? (() => new Date());
  const answerTime = requestTimes(now);
  registerHandler(app, name, handle);
  app.post(endpoint.path, async (c) => {
    const text = await c.req.text();
    const verified = await verifyAndRecordMessage({
      method: 'POST',
      path: endpoint.path,
      headers: c.req.raw.headers,
      body: text,
      keys: options.keys,
      now: now(),
      replayGuard: options.replayGuard,
    });
    if (!verified.ok) return signedAnswer(c, endpoint.path, options, answerTime, { result: refusal(verified.error) });
    const parsed = (endpoint.request as z.ZodType).safeParse(safeJson(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return signedAnswer(c, endpoint.path, options, answerTime, { result: result('PARAM_ILLEGAL', `${where}${issue?.message ?? 'invalid request'}`) });
    }
    const answer = await handle(parsed.data as ProtocolRequest<N>, { clientId: verified.value.clientId });
    return signedAnswer(c, endpoint.path, options, answerTime, answer);
  });
}

/**
 * Request-Time to the millisecond and strictly increasing per sender: Ed25519
 * signatures are deterministic, so two sends of one request within one
 * second would otherwise be byte-identical and the second refused as a replay.
 */
export function requestTimes(now: () => Date): () => string {
  let lastMs = 0;
  return () => {
    lastMs = Math.max(now().getTime(), lastMs + 1);
    return new Date(lastMs).toISOString();
  };
}

/**
 * The answer to a request refused before any handler ran. A replay is
 * unknown (U), not failed: the first delivery may well have been acted on.
 */
export function refusal(error: ReplayCheckedError): ProtocolResult {
  const code: ResultCode = error.code === 'REPLAYED_REQUEST' ? 'REQUEST_REPLAYED' : error.code === 'UNKNOWN_CLIENT' ? 'INVALID_CLIENT' : 'INVALID_SIGNATURE';
  return result(code, error.message);
}

export function signedAnswer(c: Context, path: string, options: ProtocolServerOptions, time: () => string, answer: unknown): Response {
  const body = JSON.stringify(answer);
  const headers = signMessage({
    method: 'POST',
    path,
    clientId: options.self.clientId,
    requestTime: time(),
    body,
    privateKey: options.self.privateKey,
    keyVersion: options.self.keyVersion,
  });
  return c.body(body, 200, { ...headers, 'Content-Type': 'application/json' });
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > PEER_RESPONSE_BYTES_MAX) {
    await response.body?.cancel();
    throw new Error(`answer of ${declared} bytes exceeds PEER_RESPONSE_BYTES_MAX=${PEER_RESPONSE_BYTES_MAX}`);
  }
  const text = await response.text();
  if (Buffer.byteLength(text) > PEER_RESPONSE_BYTES_MAX) throw new Error(`answer exceeds PEER_RESPONSE_BYTES_MAX=${PEER_RESPONSE_BYTES_MAX}`);
  return text;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
  return String(error);
}
