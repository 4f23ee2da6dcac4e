/**
 * The ledger's tests run on both engines (STYLE 22). `ENGINES` opens a fresh,
 * empty ledger store on each: a file in a new temporary folder for SQLite, a
 * new database on the test PostgreSQL server for PostgreSQL; `dispose`
 * removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openSqlite } from '../platform/db/sqlite.ts';
import { createTestDatabase } from '../platform/testing/postgres.ts';
import { createLedger, type Ledger } from './service.ts';
import type { LedgerStore } from './store.ts';
import { openSqliteLedgerStore } from './store-sqlite.ts';
import { openPostgresLedgerStore } from './store-postgres.ts';
import type { LedgerTimestamp } from './types.ts';

export interface TestStore {
  readonly store: LedgerStore;
  /** Opens the same database again, as a restarted process would. */
  reopen(): Promise<LedgerStore>;
  /**
   * Runs SQL on the same database over a connection of its own, bypassing the
   * ledger, as an operator's mistake or an attacker would: for tests that
   * tamper with the data and expect `verify` to notice.
   */
  runRawSql(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface TestEngine {
  readonly name: 'sqlite' | 'postgres';
  open(): Promise<TestStore>;
}

export const ENGINES: readonly TestEngine[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'dari-ledger-test-'));
      const path = join(dir, 'ledger.db');
      return {
        store: openSqliteLedgerStore(path),
        reopen: () => Promise.resolve(openSqliteLedgerStore(path)),
        runRawSql(sql) {
          const db = openSqlite(path);
          try {
            db.exec(sql);
          } finally {
            db.close();
          }
          return Promise.resolve();
        },
        dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const database = await createTestDatabase();
      return {
        store: await openPostgresLedgerStore(database.url),
        reopen: () => openPostgresLedgerStore(database.url),
        async runRawSql(sql) {
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          try {
            await client.query(sql);
          } finally {
            await client.end();
          }
        },
        dispose: () => database.drop(),
      };
    },
  },
];

export interface ManualClock {
  readonly now: () => LedgerTimestamp;
  /** Moves the clock; a negative number moves it back, as a wall clock stepped by NTP can. */
  advanceSeconds(seconds: number): void;
}

/** A clock the test moves by hand, in nanoseconds. */
export function manualClock(start: LedgerTimestamp = 1_700_000_000_000_000_000n): ManualClock {
  let now = start;
  return {
    now: () => now,
    advanceSeconds(seconds: number) {
      now += BigInt(seconds) * 1_000_000_000n;
    },
  };
}

/** Opens a ledger on a fresh store of `engine`; `close` closes the ledger and removes the store. */
export async function openTestLedger(
  engine: TestEngine,
  options: { readonly clock?: () => LedgerTimestamp; readonly batchEventsMax?: number } = {},
): Promise<{ ledger: Ledger; store: TestStore; close(): Promise<void> }> {
  const store = await engine.open();
  const ledger = await createLedger({ store: store.store, ...options });
  return {
    ledger,
    store,
    async close() {
      await ledger.close();
      await store.dispose();
    },
  };
}
