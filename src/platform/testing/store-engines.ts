/**
 * Every engine a store runs on (STYLE 22), for contract suites: SQLite as
 * is, SQLite through the group commit a batched institution puts around it
 * (ADR 10), and PostgreSQL on a pool of several connections, each opened on
 * storage of its own (a temporary file, a database created and dropped).
 * A module's suite says only how to open its stores on a connection and on a
 * pool; the engines, their set-up and their tear-down are these.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteGroupCommit, groupCommitted } from '../db/group-commit.ts';
import { createPostgresPool, type PostgresPool } from '../db/postgres.ts';
import { openSqlite, type SqliteDatabase } from '../db/sqlite.ts';
import { createTestDatabase } from './postgres.ts';

/** Connections of a contract suite's pool: enough for its races to meet in the database. */
export const STORE_TEST_POSTGRES_CONNECTIONS = 8;

export type StoreTestEngineName = 'SQLite' | 'SQLite, group-committed' | 'PostgreSQL';

export interface StoreTestEngine<T> {
  readonly name: StoreTestEngineName;
  /** Fresh, empty storage with the stores open on it; `close` removes it. */
  open(): Promise<T & { close(): Promise<void> }>;
}

export function storeTestEngines<T>(input: {
  /** Names the temporary files (`dari-<name>-…`). */
  readonly name: string;
  /** The stores on a SQLite connection, each passed through `committed` (the group commit, or nothing). */
  sqlite(db: SqliteDatabase, committed: <S extends object>(store: S) => S): T;
  postgres(pool: PostgresPool): Promise<T>;
}): readonly StoreTestEngine<T>[] {
  const sqlite = (grouped: boolean) => async (): Promise<T & { close(): Promise<void> }> => {
    const dir = mkdtempSync(join(tmpdir(), `dari-${input.name}-`));
    const db = openSqlite(join(dir, `${input.name}.db`));
    const group = grouped ? createSqliteGroupCommit(db) : null;
    const remove = async (): Promise<void> => {
      await group?.flush();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      return { ...input.sqlite(db, (store) => (group === null ? store : groupCommitted(store, group))), close: remove };
    } catch (error) {
      await remove();
      throw error;
    }
  };
  return [
    { name: 'SQLite', open: sqlite(false) },
    { name: 'SQLite, group-committed', open: sqlite(true) },
    {
      name: 'PostgreSQL',
      async open() {
        const database = await createTestDatabase();
        const pool = createPostgresPool(database.url, { connectionsMax: STORE_TEST_POSTGRES_CONNECTIONS });
        const remove = async (): Promise<void> => {
          await pool.end();
          await database.drop();
        };
        try {
          return { ...(await input.postgres(pool)), close: remove };
        } catch (error) {
          await remove();
          throw error;
        }
      },
    },
  ];
}

/** Each engine's code for one kind of constraint violation (better-sqlite3's `code`, PostgreSQL's SQLSTATE). */
export const VIOLATION_CODES = {
  check: ['SQLITE_CONSTRAINT_CHECK', '23514'],
  unique: ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505'],
  'foreign-key': ['SQLITE_CONSTRAINT_FOREIGNKEY', '23503'],
  'not-null': ['SQLITE_CONSTRAINT_NOTNULL', '23502'],
} as const;

/** Asserts that `work` is refused by the database with a violation of `kind`, whichever the engine. */
export async function refusedBy(kind: keyof typeof VIOLATION_CODES, work: () => Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(
    work,
    (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      assert.ok((VIOLATION_CODES[kind] as readonly unknown[]).includes(code), `${message}: expected a ${kind} violation, got ${String(code)} (${String(error)})`);
      return true;
    },
    message,
  );
}
