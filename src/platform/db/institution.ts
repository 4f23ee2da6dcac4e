/**
 * An institution's own SQLite database opened for its batching (ADR 10):
 * batched, its stores' calls share group commits; naive, each call is its
 * own transaction. Either way a caller hears its answer only once its writes
 * are durable.
 */
import type { Batching } from '../batching.ts';
import { createSqliteGroupCommit, groupCommitted, type GroupCommit } from './group-commit.ts';
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
