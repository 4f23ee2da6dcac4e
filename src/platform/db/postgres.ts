/**
 * Connecting to PostgreSQL, the production engine. node-postgres returns
 * BIGINT and NUMERIC as strings by default; the stores parse them to bigint
 * themselves, so no number ever goes through a float.
 */
import pg from 'pg';
import { migrationKey, type Migration } from './sqlite.ts';

export type PostgresPool = pg.Pool;
export type PostgresClient = pg.PoolClient;

/** Connections per pool unless a caller asks for more. */
export const POSTGRES_POOL_CONNECTIONS_DEFAULT = 10;
/** A statement running longer than this is a bug or an overload; fail it rather than hang. */
export const POSTGRES_STATEMENT_TIMEOUT_MS = 30_000;

export function createPostgresPool(url: string, options: { readonly connectionsMax?: number } = {}): PostgresPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.connectionsMax ?? POSTGRES_POOL_CONNECTIONS_DEFAULT,
    statement_timeout: POSTGRES_STATEMENT_TIMEOUT_MS,
  });
  // An idle connection that the server closes (a restart, an administrator)
  // is dropped from the pool; without a listener it would crash the process.
  pool.on('error', (error) => {
    console.error(`PostgreSQL closed an idle connection (${new URL(url).pathname.slice(1)}): ${error.message}`);
  });
  return pool;
}

/**
 * Applies forward-only migrations under an advisory lock, so that two
 * processes starting at once do not both apply one.
 */
export async function migratePostgres(pool: PostgresPool, migrations: readonly Migration[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(7243001)');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (module, version))`);
    const { rows } = await client.query<{ module: string; version: number }>('SELECT module, version FROM schema_migrations');
    const applied = new Set(rows.map(migrationKey));
    for (const migration of migrations) {
      if (applied.has(migrationKey(migration))) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (module, version, name) VALUES ($1, $2, $3)', [
          migration.module,
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7243001)').catch(() => undefined);
    client.release();
  }
}

/** Runs one statement on its own short-lived connection: for CREATE and DROP DATABASE, which no pool should hold. */
export async function runAdminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
