/**
 * Where an institution keeps its reconciliation runs, so that an operator can
 * read them later: every run of every cycle, as it came out, never changed.
 * The same table on SQLite and PostgreSQL; a run is one row, its report a
 * JSON document (amounts as strings of minor units).
 */
import { amount, type Amount, type Currency } from '../money/index.ts';
import { migratePostgres, type PostgresPool } from '../platform/db/postgres.ts';
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';
import type { CycleReconciliation } from './reconcile-cycle.ts';

/** Runs one list answers at most. */
export const RECONCILIATION_RUNS_PAGE_MAX = 100;

const TABLE_SQL = (idColumn: string) => `
CREATE TABLE reconciliation_runs (
  run_id ${idColumn},
  cycle_id TEXT NOT NULL,
  ran_at TEXT NOT NULL,
  clean BOOLEAN NOT NULL,
  report TEXT NOT NULL
);
CREATE INDEX reconciliation_runs_cycle ON reconciliation_runs (cycle_id, run_id);
`;
const SQLITE_MIGRATIONS: readonly Migration[] = [{ module: 'reconciliation', version: 1, name: 'reconciliation runs', sql: TABLE_SQL('INTEGER PRIMARY KEY AUTOINCREMENT') }];
const POSTGRES_MIGRATIONS: readonly Migration[] = [{ module: 'reconciliation', version: 1, name: 'reconciliation runs', sql: TABLE_SQL('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY') }];

export interface StoredReconciliation extends CycleReconciliation {
  readonly runId: number;
}

export interface ReconciliationSummary {
  readonly runId: number;
  readonly cycleId: string;
  readonly ranAt: Date;
  readonly clean: boolean;
}

export interface ReconciliationStore {
  /** Keeps a run; its id. */
  record(run: CycleReconciliation): Promise<number>;
  /** The latest run of a cycle. */
  latest(cycleId: string): Promise<StoredReconciliation | null>;
  /** Runs, newest first. */
  list(limit: number): Promise<ReconciliationSummary[]>;
}

export function createSqliteReconciliationStore(db: SqliteDatabase): ReconciliationStore {
  migrateSqlite(db, SQLITE_MIGRATIONS);
  return {
    async record(run) {
      const info = prepareCached(db, 'INSERT INTO reconciliation_runs (cycle_id, ran_at, clean, report) VALUES (?, ?, ?, ?)').run(run.cycleId, run.ranAt.toISOString(), run.clean ? 1 : 0, encode(run));
      return Number(info.lastInsertRowid);
    },
    async latest(cycleId) {
      const row = prepareCached(db, 'SELECT run_id, report FROM reconciliation_runs WHERE cycle_id = ? ORDER BY run_id DESC LIMIT 1').get(cycleId) as { run_id: number | bigint; report: string } | undefined;
      return row ? { ...decode(row.report), runId: Number(row.run_id) } : null;
    },
    async list(limit) {
      const rows = prepareCached(db, 'SELECT run_id, cycle_id, ran_at, clean FROM reconciliation_runs ORDER BY run_id DESC LIMIT ?').all(listLimit(limit)) as SummaryRow[];
      return rows.map(summary);
    },
  };
}

export async function createPostgresReconciliationStore(pool: PostgresPool): Promise<ReconciliationStore> {
  await migratePostgres(pool, POSTGRES_MIGRATIONS);
  return {
    async record(run) {
      const { rows } = await pool.query<{ run_id: string }>('INSERT INTO reconciliation_runs (cycle_id, ran_at, clean, report) VALUES ($1, $2, $3, $4) RETURNING run_id', [
        run.cycleId,
        run.ranAt.toISOString(),
        run.clean,
        encode(run),
      ]);
      return Number(rows[0]!.run_id);
    },
    async latest(cycleId) {
      const { rows } = await pool.query<{ run_id: string; report: string }>('SELECT run_id, report FROM reconciliation_runs WHERE cycle_id = $1 ORDER BY run_id DESC LIMIT 1', [cycleId]);
      return rows[0] ? { ...decode(rows[0].report), runId: Number(rows[0].run_id) } : null;
    },
    async list(limit) {
      const { rows } = await pool.query<SummaryRow>('SELECT run_id, cycle_id, ran_at, clean FROM reconciliation_runs ORDER BY run_id DESC LIMIT $1', [listLimit(limit)]);
      return rows.map(summary);
    },
  };
}

/**
 * The rows a list answers: at most a page. A limit that is no whole number is
 * a caller's bug, refused the same on both engines (SQLite would read a
 * negative LIMIT as none at all, past the cap).
 */
function listLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`assertion failed: a list limit is a whole number, got ${limit}`);
  return Math.min(limit, RECONCILIATION_RUNS_PAGE_MAX);
}

interface SummaryRow {
  /** A bigint from SQLite's safe integers, a string from PostgreSQL's BIGINT. */
  run_id: number | bigint | string;
  cycle_id: string;
  ran_at: string;
  /** 1 or 0 (maybe a bigint) on SQLite, a boolean on PostgreSQL. */
  clean: number | bigint | boolean;
}

function summary(row: SummaryRow): ReconciliationSummary {
  return { runId: Number(row.run_id), cycleId: row.cycle_id, ranAt: new Date(row.ran_at), clean: row.clean === true || Number(row.clean) === 1 };
}

const DATE_FIELDS = new Set(['opensAt', 'closesAt', 'ranAt', 'bookedAt']);

/** JSON with amounts as `{currency, value}` (value a string of minor units) and dates as ISO strings. */
function encode(run: CycleReconciliation): string {
  return JSON.stringify(run, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

function decode(text: string): CycleReconciliation {
  return JSON.parse(text, (key, value: unknown) => {
    if (DATE_FIELDS.has(key) && typeof value === 'string') return new Date(value);
    if (isAmountJson(value)) return amount(value.currency as Currency, BigInt(value.value));
    return value;
  }) as CycleReconciliation;
}

function isAmountJson(value: unknown): value is { currency: string; value: string } {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && typeof (value as Amount).currency === 'string' && typeof (value as { value: unknown }).value === 'string';
}
