// One suite, run against both engines (STYLE 22: real databases, no mocks).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPostgresPool } from '../db/postgres.ts';
import type { PostgresPool } from '../db/postgres.ts';
import { openSqlite } from '../db/sqlite.ts';
import { createTestDatabase } from '../testing/postgres.ts';
import type { TestDatabase } from '../testing/postgres.ts';
import { SIGNATURE_AGE_SECONDS_MAX } from './limits.ts';
import { signatureHash, verifyAndRecordMessage } from './message.ts';
import { createPostgresReplayGuard, createSqliteReplayGuard } from './replay.ts';
import type { ReplayGuard } from './replay.ts';
import { keys, now, request, signed } from './test-helpers.ts';

interface Engine {
  readonly name: string;
  open(): Promise<ReplayGuard>;
  /** The stored signature hashes, to prove the signature itself is not kept. */
  storedHashes(): Promise<Buffer[]>;
  close(): Promise<void>;
}

function sqliteEngine(): Engine {
  const db = openSqlite(':memory:');
  return {
    name: 'SQLite',
    open: async () => createSqliteReplayGuard(db),
    storedHashes: async () => db.prepare('SELECT signature_hash FROM signature_replays').all().map((row) => (row as { signature_hash: Buffer }).signature_hash),
    close: async () => void db.close(),
  };
}

function postgresEngine(): Engine {
  let database: TestDatabase | undefined;
  let pool: PostgresPool | undefined;
  return {
    name: 'PostgreSQL',
    async open() {
      database = await createTestDatabase();
      pool = createPostgresPool(database.url, { connectionsMax: 4 });
      return createPostgresReplayGuard(pool);
    },
    async storedHashes() {
      const { rows } = await pool!.query<{ signature_hash: Buffer }>('SELECT signature_hash FROM signature_replays');
      return rows.map((row) => row.signature_hash);
    },
    async close() {
      await pool?.end();
      await database?.drop();
    },
  };
}

const t0 = new Date('2026-11-24T13:41:00Z');
const secondsAfter = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

for (const engine of [sqliteEngine(), postgresEngine()]) {
  describe(`ReplayGuard on ${engine.name}`, () => {
    let guard: ReplayGuard;
    before(async () => {
      guard = await engine.open();
    });
    after(() => engine.close());

    it('answers false the first time and true every time after', async () => {
      assert.equal(await guard.seen('WALLET_KR_01', 'sig-a', t0), false);
      assert.equal(await guard.seen('WALLET_KR_01', 'sig-a', t0), true);
      assert.equal(await guard.seen('WALLET_KR_01', 'sig-a', secondsAfter(t0, 5)), true);
    });

    it('keeps clients apart: the same signature from another client is new', async () => {
      assert.equal(await guard.seen('WALLET_KR_01', 'sig-b', t0), false);
      assert.equal(await guard.seen('ACQUIRER_JP_01', 'sig-b', t0), false);
      assert.equal(await guard.seen('ACQUIRER_JP_01', 'sig-b', t0), true);
    });

    it('lets exactly one of many concurrent deliveries through', async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => guard.seen('WALLET_KR_01', 'sig-c', t0)));
      assert.equal(answers.filter((seen) => !seen).length, 1);
    });

    it('stores SHA-256 of the signature, never the signature', async () => {
      const hashes = await engine.storedHashes();
      assert.ok(hashes.some((hash) => Buffer.from(hash).equals(signatureHash('sig-a'))));
      assert.ok(hashes.every((hash) => hash.length === 32 && !Buffer.from(hash).toString('latin1').includes('sig-')));
    });

    it('prune forgets entries older than the window and keeps the rest', async () => {
      const old = secondsAfter(t0, -2 * SIGNATURE_AGE_SECONDS_MAX);
      assert.equal(await guard.seen('WALLET_KR_01', 'sig-old', old), false);
      assert.equal(await guard.seen('WALLET_KR_01', 'sig-edge', secondsAfter(t0, -SIGNATURE_AGE_SECONDS_MAX)), false);
      const removed = await guard.prune(secondsAfter(t0, -SIGNATURE_AGE_SECONDS_MAX));
      assert.equal(removed, 1);
      assert.equal(await guard.seen('WALLET_KR_01', 'sig-old', old), false, 'pruned, so new again');
      assert.equal(await guard.seen('WALLET_KR_01', 'sig-edge', t0), true, 'at the edge of the window: kept');
      assert.equal(await guard.seen('WALLET_KR_01', 'sig-a', t0), true, 'inside the window: kept');
    });

    it('verifyAndRecordMessage accepts a message once and refuses its replay', async () => {
      const headers = signed({ requestTime: '2026-11-24T22:41:05+09:00' });
      const delivery = { ...request, headers, keys, now, replayGuard: guard };
      const first = await verifyAndRecordMessage(delivery);
      assert.equal(first.ok, true);
      const replay = await verifyAndRecordMessage(delivery);
      assert.equal(replay.ok ? 'ok' : replay.error.code, 'REPLAYED_REQUEST');
      // A forgery is refused by its signature and never recorded.
      const forged = await verifyAndRecordMessage({ ...delivery, body: '{}' });
      assert.equal(forged.ok ? 'ok' : forged.error.code, 'INVALID_SIGNATURE');
    });

    it('asserts its inputs', async () => {
      await assert.rejects(guard.seen('A.B', 'sig', t0), /assertion failed/);
      await assert.rejects(guard.seen('A', '', t0), /assertion failed/);
      await assert.rejects(guard.seen('A', 'sig', new Date(Number.NaN)), /assertion failed/);
      await assert.rejects(guard.prune(new Date(Number.NaN)), /assertion failed/);
    });
  });
}
