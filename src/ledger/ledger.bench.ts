/**
 * The ledger benchmark: naive (one transfer per database transaction, 8
 * concurrent clients) against dari's batched engine (many concurrent
 * submitters, group commit), side by side in one run, on each engine.
 *
 * Workload: payer accounts (each limited by debitsMustNotExceedCredits and
 * funded beforehand), a set of hot merchant accounts that receive every
 * credit, random payers, random merchants, random amounts, from a seeded
 * generator. Both modes start from the same funded database and apply the
 * same kind of transfers, with the same rules and checks.
 */
import { seededRandom } from '../platform/random.ts';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAdminQuery } from '../platform/db/postgres.ts';
import { createNaiveLedger } from './naive.ts';
import { createLedger } from './service.ts';
import { openPostgresLedgerStore } from './store-postgres.ts';
import { openSqliteLedgerStore } from './store-sqlite.ts';
import type { LedgerStore } from './store.ts';
import type { NewTransfer } from './types.ts';

export interface LedgerBenchOptions {
  readonly payerAccounts: number;
  readonly merchantAccounts: number;
  readonly naiveTransfers: number;
  readonly batchedTransfers: number;
  readonly naiveClients: number;
  readonly batchedSubmitters: number;
  readonly seed: number;
  readonly engines: readonly ('sqlite' | 'postgres')[];
  /** A PostgreSQL server URL (its `postgres` database, as a superuser): the bench creates and drops its own databases. */
  readonly postgresUrl: string | null;
  readonly log: (line: string) => void;
}

export interface ModeResult {
  readonly transfers: number;
  readonly transfersPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly checksum: string;
  readonly verified: boolean;
}

export interface EngineResult {
  readonly naive: ModeResult;
  readonly batched: ModeResult;
  readonly ratio: number;
}

export type LedgerBenchResult = Partial<Record<'sqlite' | 'postgres', EngineResult>>;

const FUNDING_PER_PAYER = 1_000_000_000_000n;
const AMOUNT_MAX_MINOR = 100_000;
const SETUP_CHUNK = 8_000;

export async function runLedgerBench(options: LedgerBenchOptions): Promise<LedgerBenchResult> {
  const result: LedgerBenchResult = {};
  for (const engine of options.engines) {
    const databases = engine === 'sqlite' ? sqliteDatabases() : await postgresDatabases(requireUrl(options.postgresUrl));
    try {
      options.log(`${engine}: setting up ${options.payerAccounts} payers and ${options.merchantAccounts} merchants`);
      await setUp(await databases.open('setup'), options);
      await databases.cloneNaiveAsBatched();
      const naive = await runNaive(await databases.open('naive'), options);
      options.log(formatMode(engine, 'naive', naive));
      const batched = await runBatched(await databases.open('batched'), options);
      options.log(formatMode(engine, 'batched', batched));
      const ratio = batched.transfersPerSecond / naive.transfersPerSecond;
      options.log(`${engine}: batched/naive = ${ratio.toFixed(1)}x`);
      result[engine] = { naive, batched, ratio };
    } finally {
      await databases.dispose();
    }
  }
  return result;
}

function requireUrl(url: string | null): string {
  if (url === null) throw new Error('the PostgreSQL engine needs a server URL');
  return url;
}

function formatMode(engine: string, mode: string, r: ModeResult): string {
  return (
    `${engine} ${mode.padEnd(7)}: ${Math.round(r.transfersPerSecond).toLocaleString('en-US')} transfers/s ` +
    `(${r.transfers} transfers), p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
    `verify ${r.verified ? 'ok' : 'FAILED'}, checksum ${r.checksum}`
  );
}

interface BenchDatabases {
  /** `setup` and `batched` open the naive and batched databases for the single writer; `naive` for 8 concurrent ones. */
  open(mode: 'setup' | 'naive' | 'batched'): Promise<LedgerStore>;
  cloneNaiveAsBatched(): Promise<void>;
  dispose(): Promise<void>;
}

function sqliteDatabases(): BenchDatabases {
  const dir = mkdtempSync(join(tmpdir(), 'dari-ledger-bench-'));
  const path = (mode: string): string => join(dir, `${mode}.db`);
  return {
    open: (mode) => Promise.resolve(openSqliteLedgerStore(path(mode === 'setup' ? 'naive' : mode))),
    cloneNaiveAsBatched() {
      // The setup ledger was closed, so its WAL is checkpointed into the file.
      copyFileSync(path('naive'), path('batched'));
      return Promise.resolve();
    },
    dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

async function postgresDatabases(serverUrl: string): Promise<BenchDatabases> {
  const prefix = `dari_bench_${process.pid}`;
  const admin = (sql: string): Promise<void> => runAdminQuery(serverUrl, sql);
  const url = (mode: string): string => {
    const u = new URL(serverUrl);
    u.pathname = `/${prefix}_${mode}`;
    return u.href;
  };
  await admin(`DROP DATABASE IF EXISTS ${prefix}_naive WITH (FORCE)`);
  await admin(`CREATE DATABASE ${prefix}_naive`);
  return {
    open: (mode) =>
      openPostgresLedgerStore(url(mode === 'setup' ? 'naive' : mode), {
        connectionsMax: 8,
        writers: mode === 'naive' ? 'concurrent' : 'single',
      }),
    async cloneNaiveAsBatched() {
      await admin(`DROP DATABASE IF EXISTS ${prefix}_batched WITH (FORCE)`);
      await admin(`CREATE DATABASE ${prefix}_batched TEMPLATE ${prefix}_naive`);
    },
    async dispose() {
      await admin(`DROP DATABASE IF EXISTS ${prefix}_naive WITH (FORCE)`);
      await admin(`DROP DATABASE IF EXISTS ${prefix}_batched WITH (FORCE)`);
    },
  };
}

const payerId = (i: number): string => `payer-${i}`;
const merchantId = (i: number): string => `merchant-${i}`;

async function setUp(store: LedgerStore, o: LedgerBenchOptions): Promise<void> {
  const ledger = await createLedger({ store });
  const accounts = [
    { id: 'funding', ledger: 'KRW', code: 1 },
    ...Array.from({ length: o.merchantAccounts }, (_, i) => ({ id: merchantId(i), ledger: 'KRW', code: 3 })),
    ...Array.from({ length: o.payerAccounts }, (_, i) => ({
      id: payerId(i),
      ledger: 'KRW',
      code: 2,
      flags: { debitsMustNotExceedCredits: true },
    })),
  ];
  for (let start = 0; start < accounts.length; start += SETUP_CHUNK) {
    const outcomes = await ledger.createAccounts(accounts.slice(start, start + SETUP_CHUNK));
    if (outcomes.some((o) => o.result !== 'ok')) throw new Error('bench setup: account creation failed');
  }
  for (let start = 0; start < o.payerAccounts; start += SETUP_CHUNK) {
    const funding: NewTransfer[] = [];
    for (let i = start; i < Math.min(start + SETUP_CHUNK, o.payerAccounts); i += 1) {
      funding.push({ id: `fund-${i}`, debitAccountId: 'funding', creditAccountId: payerId(i), amount: FUNDING_PER_PAYER, ledger: 'KRW', code: 1 });
    }
    const outcomes = await ledger.createTransfers(funding);
    if (outcomes.some((t) => t.result !== 'ok')) throw new Error('bench setup: funding failed');
  }
  await ledger.close();
}

function workload(o: LedgerBenchOptions, count: number): NewTransfer[] {
  const next = seededRandom(o.seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `t-${i}`,
    debitAccountId: payerId(Math.floor(next() * o.payerAccounts)),
    creditAccountId: merchantId(Math.floor(next() * o.merchantAccounts)),
    amount: BigInt(1 + Math.floor(next() * AMOUNT_MAX_MINOR)),
    ledger: 'KRW',
    code: 10,
  }));
}

/** Runs `clients` loops that each submit the next transfer and wait for its answer. */
async function drive(
  transfers: readonly NewTransfer[],
  clients: number,
  submit: (t: NewTransfer) => Promise<string>,
): Promise<{ seconds: number; latenciesMs: Float64Array }> {
  const latenciesMs = new Float64Array(transfers.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < transfers.length) {
        const index = next;
        next += 1;
        const sent = performance.now();
        const result = await submit(transfers[index]!);
        latenciesMs[index] = performance.now() - sent;
        if (result !== 'ok') throw new Error(`bench transfer ${index} failed: ${result}`);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latenciesMs };
}

async function runNaive(store: LedgerStore, o: LedgerBenchOptions): Promise<ModeResult> {
  const naive = await createNaiveLedger({ store });
  const transfers = workload(o, o.naiveTransfers);
  const run = await drive(transfers, o.naiveClients, async (t) => (await naive.createTransfer(t)).result);
  // Reads only: the summary verifies and hashes through the same store.
  const ledger = await createLedger({ store });
  return summarise(ledger, transfers.length, run);
}

async function runBatched(store: LedgerStore, o: LedgerBenchOptions): Promise<ModeResult> {
  const ledger = await createLedger({ store });
  const transfers = workload(o, o.batchedTransfers);
  const run = await drive(transfers, o.batchedSubmitters, async (t) => (await ledger.createTransfers([t]))[0]!.result);
  return summarise(ledger, transfers.length, run);
}

async function summarise(
  ledger: Awaited<ReturnType<typeof createLedger>>,
  transfers: number,
  run: { seconds: number; latenciesMs: Float64Array },
): Promise<ModeResult> {
  const report = await ledger.verify();
  const checksum = await balancesChecksum(ledger, transfers);
  await ledger.close();
  const sorted = run.latenciesMs.slice().sort();
  const quantile = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    transfers,
    transfersPerSecond: transfers / run.seconds,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    checksum,
    verified: report.ok,
  };
}

/**
 * A hash of the merchants' final balances and the number of transfers: the
 * same seed and count must give the same checksum on every engine and mode.
 */
async function balancesChecksum(ledger: Awaited<ReturnType<typeof createLedger>>, transfers: number): Promise<string> {
  const hash = createHash('sha256').update(`transfers=${transfers}\n`);
  const page = 1_000;
  for (let start = 0; ; start += page) {
    const ids = Array.from({ length: page }, (_, i) => merchantId(start + i));
    const accounts = await ledger.lookupAccounts(ids);
    for (const a of accounts) hash.update(`${a.id}:${a.debitsPosted}:${a.creditsPosted}\n`);
    if (accounts.length < page) break;
  }
  return hash.digest('hex').slice(0, 16);
}
