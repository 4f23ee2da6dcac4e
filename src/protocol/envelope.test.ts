import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createPostgresPool } from '../platform/db/postgres.ts';
import { openSqlite } from '../platform/db/sqlite.ts';
import { createTestDatabase } from '../platform/testing/postgres.ts';
import { createKeyDirectory, createSqliteReplayGuard, generateSigningKeyPair } from '../platform/signing/index.ts';
import {
  createBatchingPeerClient,
  createPostgresEnvelopeArchive,
  createSqliteEnvelopeArchive,
  ENVELOPE_MESSAGES_MAX,
  ENVELOPES_IN_FLIGHT_MAX,
  mountEnvelopeRoute,
  type EnvelopeArchive,
} from './envelope.ts';
import { faultyFetch } from './faults.ts';
import type { AcquirerPayRequest } from './messages.ts';
import { result } from './results.ts';
import { mountProtocolRoute, type FetchFunction, type SigningIdentity } from './signed-http.ts';

const networkKeys = generateSigningKeyPair();
const acquirerKeys = generateSigningKeyPair();
const network: SigningIdentity = { clientId: 'DARI_NETWORK', privateKey: networkKeys.privateKey, keyVersion: 1 };
const acquirer: SigningIdentity = { clientId: 'ACQ_KR_01', privateKey: acquirerKeys.privateKey, keyVersion: 1 };
const keys = createKeyDirectory([
  { clientId: 'DARI_NETWORK', keyVersion: 1, publicKey: networkKeys.publicKey },
  { clientId: 'ACQ_KR_01', keyVersion: 1, publicKey: acquirerKeys.publicKey },
]);

const pay = (id: string, value = '15000'): AcquirerPayRequest => ({
  paymentRequestId: id,
  paymentAmount: { currency: 'KRW', value },
  paymentCode: '285112345678901234',
  merchant: { merchantId: 'KR01M000001', merchantName: 'Seoul Books', merchantMcc: '5942', merchantCity: 'Seoul', merchantCountry: 'KR' },
});

describe('signed batch envelopes', () => {
  let server: ServerType;
  let baseUrl = '';
  const db = openSqlite(':memory:');
  const handled: string[] = [];
  let posts = 0;
  const counting: FetchFunction = (url, init) => {
    posts += 1;
    return fetch(url, init);
  };

  before(async () => {
    const app = new Hono();
    const options = { self: network, keys, replayGuard: createSqliteReplayGuard(db) };
    mountProtocolRoute(app, 'networkPay', options, async (request, sender) => {
      handled.push(request.paymentRequestId);
      await new Promise((resolve) => setTimeout(resolve, 5)); // a commit's worth of work
      if (request.paymentAmount.value === '0') return { result: result('PARAM_ILLEGAL', 'zero') };
      return { result: result('SUCCESS'), paymentId: `NP-${request.paymentRequestId}-${sender.clientId}` };
    });
    mountEnvelopeRoute(app, 'network', { ...options, archive: createSqliteEnvelopeArchive(db) });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (fetch: FetchFunction = counting, timeoutMs = 5_000) =>
    createBatchingPeerClient({ self: acquirer, peerId: 'DARI_NETWORK', baseUrl: () => baseUrl, keys, timeoutMs, fetch });

  it('answers each of many concurrent messages as its own endpoint would, in far fewer requests', async () => {
    const batching = client();
    const before = posts;
    const ids = Array.from({ length: 200 }, (_, i) => `AP-many-${i}`);
    const outcomes = await Promise.all(ids.map((id, i) => batching.call('networkPay', pay(id, i === 7 ? '0' : '15000'))));
    outcomes.forEach((outcome, i) => {
      assert.equal(outcome.kind, 'answered');
      if (outcome.kind !== 'answered') return;
      if (i === 7) assert.equal(outcome.response.result.resultCode, 'PARAM_ILLEGAL');
      else assert.equal(outcome.response.paymentId, `NP-${ids[i]}-ACQ_KR_01`);
    });
    const requests = posts - before;
    // The first messages go alone while slots are free (no timer); the rest gather behind them.
    const alone = ENVELOPES_IN_FLIGHT_MAX;
    assert.ok(requests >= alone + Math.ceil((ids.length - alone) / ENVELOPE_MESSAGES_MAX), `${requests} requests`);
    assert.ok(requests <= 10, `200 messages took ${requests} requests`);
  });

  it('sends a lone message at once, without waiting for company', async () => {
    const started = performance.now();
    const outcome = await client().call('networkPay', pay('AP-alone'));
    assert.equal(outcome.kind, 'answered');
    assert.ok(performance.now() - started < 2_000);
  });

  it('archives each envelope as received, with its signature', () => {
    const rows = db.prepare('SELECT client_id, body, signature FROM signed_envelopes').all() as { client_id: string; body: string; signature: string }[];
    assert.ok(rows.length >= 2);
    for (const row of rows) {
      assert.equal(row.client_id, 'ACQ_KR_01');
      assert.match(row.signature, /^algorithm=Ed25519, keyVersion=1, signature=/);
      assert.ok((JSON.parse(row.body) as { messages: unknown[] }).messages.length >= 1);
    }
  });

  it('refuses a malformed message on its own and answers the others', async () => {
    const batching = client();
    const outcomes = await Promise.all([
      batching.call('networkPay', pay('AP-good-1')),
      batching.call('networkPay', { ...pay('AP-bad'), paymentCode: 'not a code' }),
      batching.call('networkPay', pay('AP-good-2')),
    ]);
    assert.deepEqual(
      outcomes.map((o) => (o.kind === 'answered' ? o.response.result.resultCode : o.kind)),
      ['SUCCESS', 'PARAM_ILLEGAL', 'SUCCESS'],
    );
  });

  it('reports a lost envelope as no answer for every message in it, and a duplicated one is handled once', async () => {
    const lost = faultyFetch(counting, () => ({ kind: 'lose-response' }));
    const outcomes = await Promise.all(['AP-lost-1', 'AP-lost-2'].map((id) => client(lost.fetch, 300).call('networkPay', pay(id))));
    await lost.settled();
    assert.deepEqual(outcomes.map((o) => o.kind === 'no-answer' && o.reason), ['timeout', 'timeout']);

    const duplicated = faultyFetch(counting, () => ({ kind: 'duplicate' }));
    const outcome = await client(duplicated.fetch).call('networkPay', pay('AP-dup'));
    await duplicated.settled();
    assert.equal(outcome.kind, 'answered');
    assert.equal(handled.filter((id) => id === 'AP-dup').length, 1, 'the second copy is refused as a replay');
  });
});

/** An archive on one engine, and how to read back what it kept. */
interface ArchiveEngine {
  readonly name: string;
  open(): Promise<{ archive: EnvelopeArchive; reopen(): Promise<EnvelopeArchive>; rows(): Promise<Record<string, unknown>[]>; close(): Promise<void> }>;
}

const ARCHIVE_COLUMNS = 'client_id, envelope_id, body, request_time, signature, received_at_ms';
const ARCHIVE_ENGINES: readonly ArchiveEngine[] = [
  {
    name: 'SQLite',
    async open() {
      const db = openSqlite(':memory:');
      return {
        archive: createSqliteEnvelopeArchive(db),
        reopen: async () => createSqliteEnvelopeArchive(db),
        rows: async () => (db.prepare(`SELECT ${ARCHIVE_COLUMNS} FROM signed_envelopes ORDER BY envelope_id, signature`).all() as Record<string, unknown>[]).map((r) => ({ ...r, received_at_ms: BigInt(r.received_at_ms as bigint) })),
        close: async () => void db.close(),
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const database = await createTestDatabase();
      const pool = createPostgresPool(database.url, { connectionsMax: 2 });
      return {
        archive: await createPostgresEnvelopeArchive(pool),
        reopen: () => createPostgresEnvelopeArchive(pool),
        rows: async () => (await pool.query<Record<string, unknown>>(`SELECT ${ARCHIVE_COLUMNS} FROM signed_envelopes ORDER BY envelope_id, signature`)).rows.map((r) => ({ ...r, received_at_ms: BigInt(r.received_at_ms as string) })),
        close: async () => {
          await pool.end();
          await database.drop();
        },
      };
    },
  },
];

for (const engine of ARCHIVE_ENGINES) {
  describe(`the envelope archive on ${engine.name}`, () => {
    it('keeps each envelope as received, a re-delivered one once, and survives being opened again', async () => {
      const opened = await engine.open();
      try {
        const envelope = (envelopeId: string, signature: string) => ({
          clientId: 'ACQ_KR_01',
          envelopeId,
          body: `{"envelopeId":"${envelopeId}","messages":[]}`,
          headers: { 'request-time': '2026-03-02T04:00:00.000Z', signature },
          receivedAt: new Date(Date.UTC(2026, 2, 2, 4, 0, 0, 7)),
        });
        await opened.archive.record(envelope('E1', 'sig-a'));
        await opened.archive.record({ ...envelope('E1', 'sig-a'), receivedAt: new Date(Date.UTC(2027, 0, 1)) });
        await opened.archive.record(envelope('E1', 'sig-b')); // the same envelope signed again is other evidence
        await opened.archive.record({ ...envelope('E2', 'sig-c'), headers: {} });
        const again = await opened.reopen();
        await again.record(envelope('E1', 'sig-a'));
        const receivedAtMs = BigInt(Date.UTC(2026, 2, 2, 4, 0, 0, 7));
        assert.deepEqual(await opened.rows(), [
          { client_id: 'ACQ_KR_01', envelope_id: 'E1', body: '{"envelopeId":"E1","messages":[]}', request_time: '2026-03-02T04:00:00.000Z', signature: 'sig-a', received_at_ms: receivedAtMs },
          { client_id: 'ACQ_KR_01', envelope_id: 'E1', body: '{"envelopeId":"E1","messages":[]}', request_time: '2026-03-02T04:00:00.000Z', signature: 'sig-b', received_at_ms: receivedAtMs },
          { client_id: 'ACQ_KR_01', envelope_id: 'E2', body: '{"envelopeId":"E2","messages":[]}', request_time: '', signature: '', received_at_ms: receivedAtMs },
        ]);
      } finally {
        await opened.close();
      }
    });
  });
}
