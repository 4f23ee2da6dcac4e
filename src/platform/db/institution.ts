/**
 * An institution's own SQLite database opened for its batching (ADR 10):
 * batched, its stores' calls share group commits; naive, each call is its
 * own transaction. Either way a caller hears its answer only once its writes
 * are durable.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Batching } from '../batching.ts';
import { createSqliteGroupCommit, groupCommitted, type GroupCommit } from './group-commit.ts';
import { createPostgresPool, type PostgresPool } from './postgres.ts';
import { openSqlite, type SqliteDatabase } from './sqlite.ts';

export interface InstitutionDatabase {
  readonly db: SqliteDatabase;
  readonly batching: Batching;
  /** `target` with its methods group-committed when batched; as it is when naive. */
  committed<T extends object>(target: T): T;
  /** What the ledger's writer takes: one call per transaction when naive. */
  readonly ledgerBatching: { readonly batchEventsMax?: number };
  stats(): { readonly groups: number; readonly calls: number } | null;
  /** Commits the open group, then closes the file. */
  close(): Promise<void>;
}

export function openInstitutionDatabase(path: string, batching: Batching): InstitutionDatabase {
  const db = openSqlite(path);
  const groupCommit: GroupCommit | null = batching === 'batched' ? createSqliteGroupCommit(db) : null;
  return {
    db,
    batching,
    committed: (target) => (groupCommit ? groupCommitted(target, groupCommit) : target),
    ledgerBatching: batching === 'naive' ? { batchEventsMax: 1 } : {},
    stats: () => groupCommit?.stats() ?? null,
    async close() {
      await groupCommit?.flush();
      db.close();
    },
  };
}

/** Where an institution keeps its own data: SQLite files in its folder (the default, nothing to install) or one PostgreSQL database (ADR 3). */
export type InstitutionEngine = { readonly engine: 'sqlite' } | { readonly engine: 'postgres'; readonly url: string };

export interface InstitutionStorage<T> {
  /** The institution's stores, on its engine. */
  readonly tables: T;
  /** What the ledger's writer takes: one call per transaction when naive. */
  readonly ledgerBatching: { readonly batchEventsMax?: number };
  close(): Promise<void>;
}

/**
 * Opens an institution's own tables on its engine: on SQLite, `dataDir/fileName`
 * with its batching (the stores group-committed through `committed`); on
 * PostgreSQL, one pool (each call commits on its own; the pool gives the
 * concurrency). A failure while opening closes what was opened: a pool left
 * open would keep the process alive.
 */
export async function openInstitutionStorage<T>(input: {
  readonly database: InstitutionEngine;
  readonly dataDir: string;
  readonly fileName: string;
  readonly batching: Batching;
  readonly sqlite: (database: InstitutionDatabase) => T;
  readonly postgres: (pool: PostgresPool) => Promise<T>;
}): Promise<InstitutionStorage<T>> {
  if (input.database.engine === 'sqlite') {
    mkdirSync(input.dataDir, { recursive: true });
    const sqlite = openInstitutionDatabase(join(input.dataDir, input.fileName), input.batching);
    try {
      return { tables: input.sqlite(sqlite), ledgerBatching: sqlite.ledgerBatching, close: () => sqlite.close() };
    } catch (error) {
      await sqlite.close();
      throw error;
    }
  }
  const pool = createPostgresPool(input.database.url);
  try {
    return { tables: await input.postgres(pool), ledgerBatching: input.batching === 'naive' ? { batchEventsMax: 1 } : {}, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
