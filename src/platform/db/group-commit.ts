/**
 * Group commit for an institution's own SQLite tables (ADR 10), the same
 * discipline the ledger's writer uses for transfers (ADR 5): many calls share
 * one transaction and one fsync, and no caller hears its answer before the
 * transaction holding its writes is durable.
 *
 * A store method runs at once, inside the group's open transaction (the first
 * call opens it with BEGIN IMMEDIATE); the group commits when the event loop
 * has run everything that was ready (`setImmediate`), or sooner when it holds
 * `GROUP_COMMIT_CALLS_MAX` calls. Each caller's promise resolves only after
 * that COMMIT, so nobody acts on, or answers a peer about, a row that a crash
 * could still take back. Reads are held back the same way, because a read in
 * an open group can see another caller's write that is not yet durable.
 *
 * Why this is safe with better-sqlite3: every store method's statements run
 * synchronously, so a method's writes land in one group; a method that needs
 * several statements to be atomic already wraps them in `db.transaction()`,
 * which becomes a SAVEPOINT inside the group. A failed COMMIT leaves the
 * database unknown to this process: every waiting caller gets the error and
 * the group commit refuses all later work, as the ledger's writer stops
 * after a commit it cannot confirm.
 */
import type { SqliteDatabase } from './sqlite.ts';

/** Calls in one group before it commits without waiting for the event loop. */
export const GROUP_COMMIT_CALLS_MAX = 4_096;

export interface GroupCommit {
  /**
   * Runs `work` now, inside the open group (opening one if none is), and
   * resolves with its result once every statement it ran is durable.
   */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Commits the open group, if any; call before closing the database. */
  flush(): Promise<void>;
  /** Groups committed and calls they carried, for benchmarks and tests. */
  stats(): { readonly groups: number; readonly calls: number };
}

interface Group {
  calls: number;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommitFailedError extends Error {
  constructor(cause: unknown) {
    super('a group commit failed; this database connection is unusable until restart', { cause });
    this.name = 'GroupCommitFailedError';
  }
}

export function createSqliteGroupCommit(db: SqliteDatabase, options: { readonly callsMax?: number } = {}): GroupCommit {
  const callsMax = options.callsMax ?? GROUP_COMMIT_CALLS_MAX;
  if (!Number.isInteger(callsMax) || callsMax < 1) throw new RangeError('callsMax must be a positive integer');
  let open: Group | null = null;
  /** The most recently opened group: it commits after every earlier one. */
  let latest: Promise<void> = Promise.resolve();
  let failed: GroupCommitFailedError | null = null;
  let groups = 0;
  let calls = 0;

  const openGroup = (): Group => {
    if (db.inTransaction) throw new Error('assertion failed: no transaction open outside the group commit');
    db.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A group nobody waits on any more must not become an unhandled rejection.
    done.catch(() => {});
    const group: Group = { calls: 0, done, resolve, reject };
    latest = done;
    setImmediate(() => commit(group));
    return group;
  };

  const commit = (group: Group): void => {
    if (open !== group) return; // committed already, because it filled up
    open = null;
    try {
      db.exec('COMMIT');
      groups += 1;
      calls += group.calls;
      group.resolve();
    } catch (error) {
      failed = new GroupCommitFailedError(error);
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {
        // The connection is already unusable; the error above is what callers need.
      }
      group.reject(failed);
    }
  };

  return {
    run(work) {
      if (failed) return Promise.reject(failed);
      open ??= openGroup();
      const group = open;
      group.calls += 1;
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(work());
      } catch (error) {
        pending = Promise.reject(error);
      }
      if (group.calls >= callsMax) commit(group);
      // Wait for the newest group when the work settles: a method that awaited
      // midway may have written in a later group than the one it started in.
      const durable = (): Promise<void> => latest;
      return pending.then(
        async (value) => {
          await durable();
          return value as never;
        },
        async (error: unknown) => {
          await durable().catch(() => {});
          throw error;
        },
      );
    },
    async flush() {
      if (open) commit(open);
      await latest;
    },
    stats: () => ({ groups, calls }),
  };
}

/**
 * The same object with every method run through `groupCommit`: for a store,
 * a replay guard or an envelope archive whose methods are async wrappers
 * around synchronous better-sqlite3 statements.
 */
export function groupCommitted<T extends object>(target: T, groupCommit: GroupCommit): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    wrapped[name] =
      typeof value === 'function' ? (...args: unknown[]) => groupCommit.run(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) : value;
  }
  return wrapped as T;
}
