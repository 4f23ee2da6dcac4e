/**
 * Opening an embedded SQLite database the way every dari institution needs it:
 * write-ahead log, a full fsync at each commit (an acknowledged write survives
 * power loss), and 64-bit integers read as bigint so money never passes
 * through a float.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/** How long a connection waits for another process's write lock before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/** Page size of a new database file, in bytes. */
export const SQLITE_PAGE_BYTES = 16_384;
/** Page cache per connection, in KiB (SQLite's negative `cache_size` unit). */
export const SQLITE_CACHE_KIB = 65_536;

/**
 * Opens a database file. `synchronous: 'NORMAL'` is for a connection whose
 * commits need not each survive power loss on their own (WAL mode keeps the
 * file uncorrupted either way, and a later commit at FULL on any connection
 * makes everything before it in the log durable): the network's clearing
 * writes its files' chunks so, and commits their cycle at FULL.
 */
export function openSqlite(path: string, options: { readonly readonly?: boolean; readonly synchronous?: 'FULL' | 'NORMAL' } = {}): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false });
  db.defaultSafeIntegers(true);
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  // Larger pages make the random inserts into account indexes cheaper (measured
  // about a third faster than 4 KiB); it only takes effect on a new database.
  if (!options.readonly) db.pragma(`page_size = ${SQLITE_PAGE_BYTES}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  db.pragma('temp_store = MEMORY');
  return db;
}

const statementCaches = new WeakMap<SqliteDatabase, Map<string, Database.Statement>>();

/**
 * `db.prepare(sql)`, compiled once per connection and reused: compiling a
 * statement costs more than running a simple one, and stores run the same few
 * statements for every payment.
 */
export function prepareCached(db: SqliteDatabase, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) {
    cache = new Map();
    statementCaches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/**
 * Applies forward-only numbered migrations (STYLE 15), each in its own
 * transaction, recording what ran in `schema_migrations`.
 */
export function migrateSqlite(db: SqliteDatabase, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
    PRIMARY KEY (module, version))`);
  const applied = new Set(
    db
      .prepare('SELECT module, version FROM schema_migrations')
      .all()
      .map((row) => migrationKey(row as { module: string; version: bigint })),
  );
  for (const migration of migrations) {
    if (applied.has(migrationKey(migration))) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, ?, ?)').run(
        migration.module,
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    }).immediate();
  }
}

/**
 * One forward-only step of one module's schema. Several modules share an
 * institution's database (its ledger, its own tables), so versions count per
 * module.
 */
export interface Migration {
  readonly module: string;
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export function migrationKey(m: { readonly module: string; readonly version: bigint | number }): string {
  return `${m.module}:${m.version}`;
}
