/**
 * One suite for `ReconciliationStore`, run on both engines (STYLE 22): a run
 * reads back exactly as it was recorded (signed amounts, amounts beyond 2^53,
 * dates to the millisecond, findings of every kind, timing differences and
 * unexplained movements), the latest run of a cycle is the newest, the list
 * is newest first and capped, and a reopened store keeps what it had.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { amount, AMOUNT_VALUE_MAX, currency, type Amount } from '../money/index.ts';
import { createPostgresPool, type PostgresPool } from '../platform/db/postgres.ts';
import { openSqlite, type SqliteDatabase } from '../platform/db/sqlite.ts';
import { createTestDatabase, type TestDatabase } from '../platform/testing/postgres.ts';
import type { CycleReconciliation } from './reconcile-cycle.ts';
import { reconcile, RECONCILIATION_FINDING_KINDS, type ReconciliationEntry } from './reconcile.ts';
import {
  createPostgresReconciliationStore,
  createSqliteReconciliationStore,
  RECONCILIATION_RUNS_PAGE_MAX,
  type ReconciliationStore,
} from './reconciliation-store.ts';

const CNY = currency('CNY');
const KRW = currency('KRW');
const cny = (value: bigint): Amount => amount(CNY, value);
const krw = (value: bigint): Amount => amount(KRW, value);
const C2 = '2026-11-25T2300';
const C3 = '2026-11-26T2300';
/** Beyond what a double holds exactly. */
const HUGE = 2n ** 62n + 1n;

const entry = (transactionType: ReconciliationEntry['transactionType'], transactionId: string, value: Amount): ReconciliationEntry => ({ transactionType, transactionId, amount: value });

/** A run with a finding of every kind (a duplicate on each side), timing differences and unexplained movements. */
function messyRun(cycleId: string, ranAt: Date): CycleReconciliation {
  const report = reconcile({
    ledger: [
      entry('PAYMENT', 'NP1', cny(-7_885n)),
      entry('PAYMENT', 'NP2', cny(-100n)),
      entry('PAYMENT', 'NP3', cny(-HUGE)),
      entry('PAYMENT', 'NP5', cny(-1n)),
      entry('PAYMENT', 'NP5', cny(-2n)),
      entry('REFUND', 'NR9', cny(0n)),
      entry('CANCELLATION', 'NP6', cny(AMOUNT_VALUE_MAX)),
    ],
    file: [
      entry('REFUND', 'NR1', cny(526n)),
      entry('PAYMENT', 'NP2', krw(-19_000n)),
      entry('PAYMENT', 'NP3', cny(-HUGE - 1n)),
      entry('PAYMENT', 'NP4', cny(-3n)),
      entry('PAYMENT', 'NP4', cny(-3n)),
      entry('PAYMENT', 'NP5', cny(-1n)),
      entry('REFUND', 'NR9', cny(0n)),
      entry('CANCELLATION', 'NP6', cny(AMOUNT_VALUE_MAX)),
    ],
  });
  if (!report.ok) throw new Error(report.error.message);
  const { findings, counts, matched } = report.value;
  assert.deepEqual(
    RECONCILIATION_FINDING_KINDS.filter((kind) => !findings.some((f) => f.kind === kind)),
    [],
    'the fixture has a finding of every kind',
  );
  assert.deepEqual(findings.filter((f) => f.kind === 'duplicate').map((f) => f.kind === 'duplicate' && f.side).sort(), ['file', 'ledger']);
  return {
    cycleId,
    participantId: 'CNWALLET01',
    opensAt: new Date('2026-11-24T14:00:00.000Z'),
    closesAt: new Date('2026-11-25T14:00:00.000Z'),
    ranAt,
    file: { checksum: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', detailCount: 8 },
    ledgerEntryCount: 7,
    matchedCount: matched.length,
    findings,
    counts,
    timing: [
      {
        transactionType: 'PAYMENT',
        transactionId: 'NPLATE',
        amount: cny(-4_321n),
        bookedAt: new Date('2026-11-25T13:59:58.123Z'),
        cycleId: C3,
        reason: "booked here at 2026-11-25T13:59:58.123Z, within cycle 2026-11-25T2300's hours; the network completed it after the cut-off",
      },
      { transactionType: 'REFUND', transactionId: 'NR0', amount: cny(0n), bookedAt: new Date('2026-11-24T14:00:00.001Z'), cycleId: '2026-11-24T2300', reason: 'a part refund of 0 fen' },
    ],
    unexplained: [
      { ownRef: 'adjust:by-hand', amount: cny(-HUGE), bookedAt: new Date('2026-11-25T01:02:03.004Z'), reason: 'transfer adjust:by-hand is "no" payment, cancellation or refund — 정산' },
      { ownRef: 'adjust:other', amount: krw(38_000n), bookedAt: new Date('2026-11-25T01:02:03.005Z'), reason: 'another' },
    ],
    clean: false,
  };
}

/** A clean run: nothing found. */
function cleanRun(cycleId: string, ranAt: Date): CycleReconciliation {
  return {
    cycleId,
    participantId: 'KRACQUIRER01',
    opensAt: new Date('2026-11-25T14:00:00.000Z'),
    closesAt: new Date('2026-11-26T14:00:00.000Z'),
    ranAt,
    file: { checksum: 'a'.repeat(64), detailCount: 0 },
    ledgerEntryCount: 0,
    matchedCount: 0,
    findings: [],
    counts: { 'missing-in-file': 0, 'missing-in-ledger': 0, 'currency-mismatch': 0, 'amount-mismatch': 0, duplicate: 0 },
    timing: [],
    unexplained: [],
    clean: true,
  };
}

interface OpenStore {
  readonly store: ReconciliationStore;
  /** The same database opened again (a restart). */
  reopen(): Promise<ReconciliationStore>;
  close(): Promise<void>;
}

const ENGINES: readonly { readonly name: string; open(): Promise<OpenStore> }[] = [
  {
    name: 'SQLite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'dari-reconciliation-store-'));
      const path = join(dir, 'reconciliation.db');
      const dbs: SqliteDatabase[] = [openSqlite(path)];
      return {
        store: createSqliteReconciliationStore(dbs[0]!),
        async reopen() {
          const db = openSqlite(path);
          dbs.push(db);
          return createSqliteReconciliationStore(db);
        },
        async close() {
          for (const db of dbs) db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const database: TestDatabase = await createTestDatabase();
      const pools: PostgresPool[] = [createPostgresPool(database.url)];
      return {
        store: await createPostgresReconciliationStore(pools[0]!),
        async reopen() {
          const pool = createPostgresPool(database.url);
          pools.push(pool);
          return createPostgresReconciliationStore(pool);
        },
        async close() {
          for (const pool of pools) await pool.end();
          await database.drop();
        },
      };
    },
  },
];

for (const engine of ENGINES) {
  describe(`ReconciliationStore on ${engine.name}`, () => {
    let opened: OpenStore;
    let store: ReconciliationStore;
    before(async () => {
      opened = await engine.open();
      store = opened.store;
    });
    after(async () => {
      await opened?.close();
    });

    const first = messyRun(C2, new Date('2026-11-26T00:00:00.001Z'));
    const second = cleanRun(C3, new Date('2026-11-26T14:05:00.000Z'));
    const third = { ...messyRun(C2, new Date('2026-11-26T15:00:00.999Z')), findings: [], counts: cleanRun(C2, new Date()).counts };
    const ids: number[] = [];

    it('knows no run of a cycle it never recorded', async () => {
      assert.equal(await store.latest(C2), null);
      assert.deepEqual(await store.list(10), []);
    });

    it('reads a run back exactly as it was recorded', async () => {
      ids.push(await store.record(first));
      assert.ok(Number.isSafeInteger(ids[0]) && ids[0]! > 0);
      const read = await store.latest(C2);
      assert.deepEqual(read, { runId: ids[0], ...first });
      assert.equal(read!.unexplained[0]!.amount.value, -HUGE, 'exact beyond 2^53');
      assert.equal(typeof read!.findings[0]!.transactionId, 'string');
      assert.ok(read!.ranAt instanceof Date);
    });

    it('answers the newest run of a cycle, and only of that cycle', async () => {
      ids.push(await store.record(second));
      assert.deepEqual(await store.latest(C2), { runId: ids[0], ...first });
      assert.deepEqual(await store.latest(C3), { runId: ids[1], ...second });
      ids.push(await store.record(third));
      assert.ok(ids[0]! < ids[1]! && ids[1]! < ids[2]!, `run ids increase: ${ids.join(', ')}`);
      assert.deepEqual(await store.latest(C2), { runId: ids[2], ...third });
      assert.deepEqual(await store.latest(C3), { runId: ids[1], ...second });
      assert.equal(await store.latest('2026-11-27T2300'), null);
    });

    it('lists runs newest first, as summaries', async () => {
      assert.deepEqual(await store.list(10), [
        { runId: ids[2], cycleId: C2, ranAt: third.ranAt, clean: false },
        { runId: ids[1], cycleId: C3, ranAt: second.ranAt, clean: true },
        { runId: ids[0], cycleId: C2, ranAt: first.ranAt, clean: false },
      ]);
      assert.deepEqual((await store.list(2)).map((s) => s.runId), [ids[2], ids[1]]);
      assert.deepEqual(await store.list(0), []);
    });

    it('refuses a limit that is no whole number, as a bug, on both engines alike', async () => {
      for (const limit of [-1, 2.5, Number.NaN]) await assert.rejects(store.list(limit), /assertion failed: a list limit is a whole number/);
    });

    it('gives a stored run recorded again an id of its own', async () => {
      const stored = (await store.latest(C3))!;
      const again = await store.record(stored);
      assert.notEqual(again, stored.runId);
      assert.deepEqual(await store.latest(C3), { ...stored, runId: again });
      ids.push(again);
    });

    it('keeps its runs across a reopening', async () => {
      const again = await opened.reopen();
      assert.deepEqual(await again.latest(C2), { runId: ids[2], ...third });
      assert.deepEqual((await again.list(10)).map((s) => s.runId), [...ids].reverse());
    });

    it(`lists at most ${RECONCILIATION_RUNS_PAGE_MAX} runs, the newest`, async () => {
      const base = Date.parse('2026-11-27T00:00:00.000Z');
      for (let i = 0; i < RECONCILIATION_RUNS_PAGE_MAX + 5; i++) ids.push(await store.record(cleanRun(C3, new Date(base + i))));
      const newest = [...ids].reverse();
      for (const limit of [RECONCILIATION_RUNS_PAGE_MAX + 1, 10_000]) {
        const page = await store.list(limit);
        assert.equal(page.length, RECONCILIATION_RUNS_PAGE_MAX);
        assert.deepEqual(page.map((s) => s.runId), newest.slice(0, RECONCILIATION_RUNS_PAGE_MAX));
      }
      assert.deepEqual((await store.list(RECONCILIATION_RUNS_PAGE_MAX)).at(-1)!.runId, newest[RECONCILIATION_RUNS_PAGE_MAX - 1]);
      assert.deepEqual(await store.latest(C3), { runId: newest[0], ...cleanRun(C3, new Date(base + RECONCILIATION_RUNS_PAGE_MAX + 4)) });
      assert.deepEqual(await store.latest(C2), { runId: ids[2], ...third });
    });
  });
}
