/**
 * Replay protection: every verified signature is remembered for the signature
 * age window, and a signature seen twice is refused. Outside the window a
 * replay is refused as stale, so entries older than it can be pruned.
 *
 * The guard stores SHA-256 of the signature, never the signature: a leaked
 * table lets nobody re-present a message (the signature is needed for that),
 * though signatures are not secrets either.
 */
import { migrateSqlite, type SqliteDatabase } from '../db/sqlite.ts';
import { migratePostgres, type PostgresPool } from '../db/postgres.ts';
import { CLIENT_ID_PATTERN } from './limits.ts';
import { signatureHash } from './message.ts';

/**
 * Records signatures and tells whether each was already recorded. Both
 * engines run one shared test suite (replay.test.ts).
 */
export interface ReplayGuard {
  /**
   * Records (clientId, signature) and resolves true if it was already
   * recorded: one atomic step, so two concurrent deliveries of one message
   * cannot both see false.
   */
  seen(clientId: string, signature: string, requestTime: Date): Promise<boolean>;
  /**
   * Forgets entries whose Request-Time is before `olderThan`; resolves how many.
   * Pass no later than `now - SIGNATURE_AGE_SECONDS_MAX`: an entry still inside
   * the window must stay, or its message could be replayed.
   */
  prune(olderThan: Date): Promise<number>;
}

/**
 * The guard's table, the same in both engines except for types. The factories
 * apply it as the `signing` module's migration, so the guard can share any
 * institution's database (migrations are numbered per module). `request_time`
 * is epoch milliseconds (UTC) in SQLite and TIMESTAMPTZ in PostgreSQL.
 */
export const REPLAY_GUARD_SQLITE_SQL = `
CREATE TABLE IF NOT EXISTS signature_replays (
  client_id TEXT NOT NULL CHECK (length(client_id) BETWEEN 1 AND 64),
  signature_hash BLOB NOT NULL CHECK (length(signature_hash) = 32),
  request_time INTEGER NOT NULL,
  PRIMARY KEY (client_id, signature_hash)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS signature_replays_request_time ON signature_replays (request_time);
`;

export const REPLAY_GUARD_POSTGRES_SQL = `
CREATE TABLE IF NOT EXISTS signature_replays (
  client_id TEXT NOT NULL CHECK (length(client_id) BETWEEN 1 AND 64),
  signature_hash BYTEA NOT NULL CHECK (length(signature_hash) = 32),
  request_time TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (client_id, signature_hash)
);
CREATE INDEX IF NOT EXISTS signature_replays_request_time ON signature_replays (request_time);
`;

export function createSqliteReplayGuard(db: SqliteDatabase): ReplayGuard {
  migrateSqlite(db, [{ module: 'signing', version: 1, name: 'signature replays', sql: REPLAY_GUARD_SQLITE_SQL }]);
  const insert = db.prepare('INSERT OR IGNORE INTO signature_replays (client_id, signature_hash, request_time) VALUES (?, ?, ?)');
  const remove = db.prepare('DELETE FROM signature_replays WHERE request_time < ?');
  return {
    async seen(clientId, signature, requestTime) {
      assertEntry(clientId, signature, requestTime);
      // changes = 0: the primary key was already there, so this is a replay.
      return insert.run(clientId, signatureHash(signature), requestTime.getTime()).changes === 0;
    },
    async prune(olderThan) {
      assertDate(olderThan);
      return remove.run(olderThan.getTime()).changes;
    },
  };
}

export async function createPostgresReplayGuard(pool: PostgresPool): Promise<ReplayGuard> {
  await migratePostgres(pool, [{ module: 'signing', version: 1, name: 'signature replays', sql: REPLAY_GUARD_POSTGRES_SQL }]);
  return {
    async seen(clientId, signature, requestTime) {
      assertEntry(clientId, signature, requestTime);
      // RETURNING yields the row only when it was inserted; none means a replay.
      const result = await pool.query(
        `INSERT INTO signature_replays (client_id, signature_hash, request_time) VALUES ($1, $2, $3)
         ON CONFLICT (client_id, signature_hash) DO NOTHING RETURNING 1`,
        [clientId, signatureHash(signature), requestTime],
      );
      return result.rowCount === 0;
    },
    async prune(olderThan) {
      assertDate(olderThan);
      const result = await pool.query('DELETE FROM signature_replays WHERE request_time < $1', [olderThan]);
      return result.rowCount ?? 0;
    },
  };
}

function assertEntry(clientId: string, signature: string, requestTime: Date): void {
  if (!CLIENT_ID_PATTERN.test(clientId)) throw new Error(`assertion failed: client id matches ${CLIENT_ID_PATTERN}`);
  if (signature.length === 0) throw new Error('assertion failed: a non-empty signature');
  assertDate(requestTime);
}

function assertDate(date: Date): void {
  if (!Number.isFinite(date.getTime())) throw new Error('assertion failed: a valid date');
}
