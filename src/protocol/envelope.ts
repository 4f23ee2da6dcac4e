/**
 * Signed batch envelopes: many protocol messages under one signature, the
 * way the ledger puts many transfers under one commit (ADR 9).
 *
 * Signing and verifying cost more CPU than anything else a payment does
 * between institutions (Ed25519 ~53 µs to sign, ~158 µs to verify, on each
 * request and each answer of each hop). A batching client keeps the
 * single-message semantics: each message keeps its own endpoint, request id,
 * idempotency and result. It sends a message at once when nothing is in
 * flight to that peer (no timer when idle) and, while an envelope is in
 * flight, gathers what arrives into the next one, so envelopes grow only
 * under load. The receiver verifies the envelope once, refuses a replayed
 * envelope whole, archives the envelope as received (body and signature
 * headers: the evidence for non-repudiation), then answers each message with
 * the same handler as its single-message endpoint, in one signed answer.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import type { Batching } from '../platform/batching.ts';
import { migratePostgres, type PostgresPool } from '../platform/db/postgres.ts';
import type { SqliteDatabase } from '../platform/db/sqlite.ts';
import { verifyMessage } from '../platform/signing/index.ts';
import { PROTOCOL_ENDPOINTS, requestIdSchema, type ProtocolEndpointName, type ProtocolResponse } from './messages.ts';
import { result } from './results.ts';
import { handlersOf } from './handlers.ts';
import type { PeerCallOutcome, PeerClient, PeerClientOptions, ProtocolServerOptions } from './signed-http.ts';
import { createPeerClient, createSignedPoster, refusal, requestTimes, signedAnswer } from './signed-http.ts';

/** Messages in one envelope; more wait for the next. */
export const ENVELOPE_MESSAGES_MAX = 64;
/** Bytes of one envelope's body, under the servers' REQUEST_BODY_BYTES_MAX (64 KiB) with room to spare. */
export const ENVELOPE_BODY_BYTES_MAX = 56 * 1024;

/** Where each institution receives envelopes: beside its single-message endpoints. */
export const ENVELOPE_PATHS = {
  network: '/network/v1/envelopes',
  wallet: '/wallet/network/v1/envelopes',
  acquirer: '/acquirer/network/v1/envelopes',
} as const;

export type EnvelopeReceiver = keyof typeof ENVELOPE_PATHS;

/** Which receiver serves an endpoint, read off its path. */
export function receiverOf(name: ProtocolEndpointName): EnvelopeReceiver {
  const path = PROTOCOL_ENDPOINTS[name].path;
  if (path.startsWith('/network/')) return 'network';
  if (path.startsWith('/wallet/')) return 'wallet';
  return 'acquirer';
}

const endpointNames = Object.keys(PROTOCOL_ENDPOINTS) as [ProtocolEndpointName, ...ProtocolEndpointName[]];

export const envelopeSchema = z.object({
  envelopeId: requestIdSchema,
  messages: z
    .array(z.object({ endpoint: z.enum(endpointNames), request: z.unknown() }))
    .min(1)
    .max(ENVELOPE_MESSAGES_MAX),
});
export const envelopeAnswerSchema = z.object({
  envelopeId: requestIdSchema,
  result: z.unknown(),
  answers: z.array(z.object({ endpoint: z.enum(endpointNames), response: z.unknown() })),
});

/** Keeps every envelope as received, for non-repudiation. */
export interface EnvelopeArchive {
  record(envelope: { readonly clientId: string; readonly envelopeId: string; readonly body: string; readonly headers: Readonly<Record<string, string>>; readonly receivedAt: Date }): Promise<void>;
}

export const ENVELOPE_ARCHIVE_SQLITE_SQL = `
CREATE TABLE IF NOT EXISTS signed_envelopes (
  client_id TEXT NOT NULL,
  envelope_id TEXT NOT NULL,
  body TEXT NOT NULL,
  request_time TEXT NOT NULL,
  signature TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  PRIMARY KEY (client_id, envelope_id, signature)
) WITHOUT ROWID;
`;

/** The archive in an institution's own SQLite database (apply ENVELOPE_ARCHIVE_SQLITE_SQL as a migration, or let this do it). */
export function createSqliteEnvelopeArchive(db: SqliteDatabase): EnvelopeArchive {
  db.exec(ENVELOPE_ARCHIVE_SQLITE_SQL);
  const insert = db.prepare(
    'INSERT OR IGNORE INTO signed_envelopes (client_id, envelope_id, body, request_time, signature, received_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return {
    async record(envelope) {
      insert.run(envelope.clientId, envelope.envelopeId, envelope.body, envelope.headers['request-time'] ?? '', envelope.headers.signature ?? '', BigInt(envelope.receivedAt.getTime()));
    },
  };
}

export const ENVELOPE_ARCHIVE_POSTGRES_SQL = `
CREATE TABLE IF NOT EXISTS signed_envelopes (
  client_id TEXT NOT NULL,
  envelope_id TEXT NOT NULL,
  body TEXT NOT NULL,
  request_time TEXT NOT NULL,
  signature TEXT NOT NULL,
  received_at_ms BIGINT NOT NULL,
  PRIMARY KEY (client_id, envelope_id, signature)
);
`;

/**
 * The archive in an institution's own PostgreSQL database: the same table and
 * the same semantics as `createSqliteEnvelopeArchive` (a re-delivered envelope
 * is kept once). Its migration is numbered under the `envelopes` module and
 * creates the table only if it is missing, as the wallet's own copy of this
 * archive did before it moved here, so that databases it made are unchanged.
 * The caller owns (and ends) the pool.
 */
export async function createPostgresEnvelopeArchive(pool: PostgresPool): Promise<EnvelopeArchive> {
  await migratePostgres(pool, [{ module: 'envelopes', version: 1, name: 'signed envelopes as received', sql: ENVELOPE_ARCHIVE_POSTGRES_SQL }]);
  return {
    async record(envelope) {
      await pool.query(
        `INSERT INTO signed_envelopes (client_id, envelope_id, body, request_time, signature, received_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_id, envelope_id, signature) DO NOTHING`,
        [envelope.clientId, envelope.envelopeId, envelope.body, envelope.headers['request-time'] ?? '', envelope.headers.signature ?? '', envelope.receivedAt.getTime()],
      );
    },
  };
}

/**
 * Mounts the receiver's envelope endpoint on `app`. Call it after the
 * single-message routes are mounted; a message for an endpoint not mounted on
 * `app` is answered PARAM_ILLEGAL on its own, the others proceed.
 */
export function mountEnvelopeRoute(app: Hono, receiver: EnvelopeReceiver, options: ProtocolServerOptions & { readonly archive: EnvelopeArchive }): void {
  const path = ENVELOPE_PATHS[receiver];
  const now = options.now ?? (() => new Date());
  const answerTime = requestTimes(now);
  app.post(path, async (c) => {
    const text = await c.req.text();
    const sign = (answer: unknown) => signedAnswer(c, path, options, answerTime, answer);
    const verified = verifyMessage({ method: 'POST', path, headers: c.req.raw.headers, body: text, keys: options.keys, now: now() });
    if (!verified.ok) return sign({ result: refusal(verified.error) });
    const { clientId, signature, requestTime } = verified.value;
    // The replay guard and the archive are written side by side, in one group commit (ADR 10)
    // rather than one after the other: a replayed envelope's archive row is the original's
    // (same client, envelope id and signature, kept once), and nothing is acted on before both
    // are durable.
    const replayed = options.replayGuard.seen(clientId, signature, requestTime);
    const refusedAsReplayed = async (): Promise<Response | null> =>
      (await replayed) ? sign({ result: refusal({ code: 'REPLAYED_REQUEST', message: 'this signed message was already received' }) }) : null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success) return (await refusedAsReplayed()) ?? sign({ result: result('PARAM_ILLEGAL', parsed.error.issues[0]?.message ?? 'invalid envelope') });
    const headers = Object.fromEntries(c.req.raw.headers.entries());
    const archived = options.archive.record({ clientId, envelopeId: parsed.data.envelopeId, body: text, headers, receivedAt: now() });
    const [replay] = await Promise.all([refusedAsReplayed(), archived]);
    if (replay !== null) return replay;
    const handlers = handlersOf(app);
    const sender = { clientId };
    const answers = await Promise.all(
      parsed.data.messages.map(async ({ endpoint, request }) => {
        const handler = receiverOf(endpoint) === receiver ? handlers?.get(endpoint) : undefined;
        if (!handler) return { endpoint, response: { result: result('PARAM_ILLEGAL', `${endpoint} is not served at ${path}`) } };
        const schema = PROTOCOL_ENDPOINTS[endpoint].request as z.ZodType;
        const message = schema.safeParse(request);
        if (!message.success) {
          const issue = message.error.issues[0];
          const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
          return { endpoint, response: { result: result('PARAM_ILLEGAL', `${where}${issue?.message ?? 'invalid request'}`) } };
        }
        return { endpoint, response: await handler(message.data as never, sender) };
      }),
    );
    return sign({ result: result('SUCCESS'), envelopeId: parsed.data.envelopeId, answers });
  });
}

interface Waiting {
  readonly endpoint: ProtocolEndpointName;
  readonly request: unknown;
  readonly bytes: number;
  readonly resolve: (outcome: PeerCallOutcome<ProtocolEndpointName>) => void;
}

/**
 * Envelopes in flight to one receiver at once. One would coalesce the most,
 * but every message behind a slow one (a pay the network is still forwarding
 * to the wallet) would wait for it: a few slots keep the line moving while
 * envelopes still grow under load, since a message waits only when every
 * slot is busy.
 */
export const ENVELOPES_IN_FLIGHT_MAX = 4;

/**
 * A PeerClient that coalesces concurrent calls to one peer into envelopes:
 * at most `ENVELOPES_IN_FLIGHT_MAX` envelopes in flight per receiver path;
 * what arrives while all are busy goes in the next one. A lost envelope is no
 * answer for each of its messages, which each caller handles as it would a
 * lost single message.
 */
export function createBatchingPeerClient(options: PeerClientOptions): PeerClient {
  const transport = createEnvelopeTransport(options);
  const queues = new Map<EnvelopeReceiver, { waiting: Waiting[]; inFlight: number }>();
  let envelopeSequence = 0;
  const idPrefix = `E${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  const takeBatch = (waiting: Waiting[]): Waiting[] => {
    const batch: Waiting[] = [];
    let bytes = 64;
    while (waiting.length > 0 && batch.length < ENVELOPE_MESSAGES_MAX) {
      const next = waiting[0]!;
      if (batch.length > 0 && bytes + next.bytes > ENVELOPE_BODY_BYTES_MAX) break;
      batch.push(waiting.shift()!);
      bytes += next.bytes;
    }
    return batch;
  };

  const pump = (receiver: EnvelopeReceiver): void => {
    const queue = queues.get(receiver)!;
    while (queue.inFlight < ENVELOPES_IN_FLIGHT_MAX && queue.waiting.length > 0) {
      const batch = takeBatch(queue.waiting);
      queue.inFlight += 1;
      envelopeSequence += 1;
      void transport
        .send(receiver, `${idPrefix}-${envelopeSequence}`, batch)
        .then((outcomes) => batch.forEach((waiting, i) => waiting.resolve(outcomes[i]!)))
        .finally(() => {
          queue.inFlight -= 1;
          pump(receiver);
        });
    }
  };

  return {
    peerId: options.peerId,
    call(name, request) {
      const receiver = receiverOf(name);
      const queue = queues.get(receiver) ?? { waiting: [], inFlight: 0 };
      queues.set(receiver, queue);
      return new Promise((resolve) => {
        queue.waiting.push({ endpoint: name, request, bytes: JSON.stringify(request).length + 40, resolve: resolve as Waiting['resolve'] });
        pump(receiver);
      });
    },
  };
}

/** The peer client an institution's batching calls for (ADR 10): envelopes when batched, one signed request per message when naive. */
export function peerClientFor(batching: Batching, options: PeerClientOptions): PeerClient {
  return batching === 'batched' ? createBatchingPeerClient(options) : createPeerClient(options);
}

function createEnvelopeTransport(options: PeerClientOptions): {
  send(receiver: EnvelopeReceiver, envelopeId: string, batch: readonly Waiting[]): Promise<PeerCallOutcome<ProtocolEndpointName>[]>;
} {
  const post = createSignedPoster(options);
  return {
    async send(receiver, envelopeId, batch) {
      const body = { envelopeId, messages: batch.map((w) => ({ endpoint: w.endpoint, request: w.request })) };
      const outcome = await post(ENVELOPE_PATHS[receiver], body);
      if (outcome.kind === 'no-answer') return batch.map(() => outcome);
      const answer = envelopeAnswerSchema.safeParse(outcome.body);
      if (!answer.success || answer.data.envelopeId !== envelopeId || answer.data.answers.length !== batch.length) {
        // A refusal of the whole envelope (e.g. REQUEST_REPLAYED) or a malformed answer: unknown for each message.
        const detail = `envelope ${envelopeId}: ${JSON.stringify(outcome.body).slice(0, 200)}`;
        return batch.map(() => ({ kind: 'no-answer' as const, reason: 'bad-answer' as const, detail }));
      }
      return batch.map((waiting, i) => {
        const entry = answer.data.answers[i]!;
        const parsed = PROTOCOL_ENDPOINTS[waiting.endpoint].response.safeParse(entry.response);
        if (entry.endpoint !== waiting.endpoint || !parsed.success) {
          return { kind: 'no-answer' as const, reason: 'bad-answer' as const, detail: `envelope ${envelopeId} answer ${i} is malformed` };
        }
        return { kind: 'answered' as const, response: parsed.data as ProtocolResponse<ProtocolEndpointName> };
      });
    },
  };
}
