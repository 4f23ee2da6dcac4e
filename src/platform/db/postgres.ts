/**
 * Connecting to PostgreSQL, the production engine. node-postgres returns
 * BIGINT and NUMERIC as strings by default; the stores parse them to bigint
 * themselves (the ledger with `::text` casts, the institutions' stores with
 * `POSTGRES_INTEGER_TYPES` per query), so no number ever goes through a float.
 */
import pg from 'pg';
import type { CustomTypesConfig } from 'pg';
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

/** Type ids (`pg_type.oid`) of the integer types, and of NUMERIC, which `SUM(bigint)` returns. */
const INT2_OID = 21;
const INT4_OID = 23;
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const INTEGER_OIDS: ReadonlySet<number> = new Set([INT2_OID, INT4_OID, INT8_OID, NUMERIC_OID]);

function parseInteger(text: string): bigint {
  // NUMERIC may carry a fraction; a store that reads one as an integer has a bug.
  if (!/^-?[0-9]+$/.test(text)) throw new Error(`assertion failed: an integer column, got ${text}`);
  return BigInt(text);
}

/**
 * Pass as a query's `types`: every integer column (and an integral NUMERIC)
 * reads as `bigint`, as better-sqlite3 reads them with `defaultSafeIntegers`,
 * so one row mapper serves both engines. Per query, not per pool: other
 * code on a pool (the ledger, the replay guard) keeps node-postgres's defaults.
 */
export const POSTGRES_INTEGER_TYPES: CustomTypesConfig = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    INTEGER_OIDS.has(oid) && format !== 'binary' ? parseInteger : pg.types.getTypeParser(oid, format ?? 'text'),
};

/**
 * Runs `work` inside BEGIN … COMMIT on one connection of `pool`, and ROLLBACK
 * when it throws. A connection whose ROLLBACK fails may still be inside a
 * transaction: it is destroyed, never returned to the pool.
 */
export async function inPostgresTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(rolledBack ? undefined : true);
    throw error;
  }
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

/** A database name that needs no quoting in SQL: lower-case letters, digits and `_`, at most PostgreSQL's 63 bytes. */
export const POSTGRES_DATABASE_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
/** The database every PostgreSQL server has, through which another is created. */
const MAINTENANCE_DATABASE = 'postgres';
/** SQLSTATEs: the database named does not exist; it exists already (a concurrent create won). */
const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';

/**
 * Creates the database `url` names unless it exists. A database that exists
 * is only connected to (its role needs no more than CONNECT); a missing one
 * is created through the server's `postgres` database, with the same
 * credentials, whose role must then have CREATEDB.
 */
export async function ensurePostgresDatabase(url: string): Promise<'created' | 'exists'> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!POSTGRES_DATABASE_NAME_PATTERN.test(name)) throw new Error(`assertion failed: the database name ${JSON.stringify(name)} matches ${POSTGRES_DATABASE_NAME_PATTERN}`);
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return 'exists';
  } catch (error) {
    if ((error as { code?: unknown }).code !== INVALID_CATALOG_NAME) throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  target.pathname = `/${MAINTENANCE_DATABASE}`;
  try {
    await runAdminQuery(target.href, `CREATE DATABASE ${name}`);
    return 'created';
  } catch (error) {
    if ((error as { code?: unknown }).code === DUPLICATE_DATABASE) return 'exists';
    throw error;
  }
}
