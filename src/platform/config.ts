/**
 * Settings read from the environment, each with its default. Read once at
 * start; nothing else in dari reads `process.env`.
 */
import { resolve } from 'node:path';

export interface DariConfig {
  /** Where the embedded databases live, one file per institution, and the keys (`secrets.json`) on either engine. */
  readonly dataDir: string;
  readonly port: number;
  /** SQLite under `dataDir` unless `DARI_DATABASE_URL` names a PostgreSQL server (ADR 14). */
  readonly database: DariDatabase;
}

/**
 * The engine of the whole deployment: SQLite, or the PostgreSQL server every
 * institution's database is on, with the base name of those databases as the
 * URL's database (`postgres://dari@db:5432/dari`: `dari_network`, … ; ADR 14).
 */
export type DariDatabase = { readonly engine: 'sqlite' } | { readonly engine: 'postgres'; readonly url: string };

export const PORT_DEFAULT = 3000;
/** The variable that moves every institution to PostgreSQL. */
export const DATABASE_URL_ENV = 'DARI_DATABASE_URL';
/** The base name when the URL names no database. */
export const DATABASE_BASE_NAME_DEFAULT = 'dari';
/** A base name leaves room for `_acquirer` within PostgreSQL's 63 bytes, and needs no quoting in SQL. */
export const DATABASE_BASE_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,53}$/;

export function readConfig(env: NodeJS.ProcessEnv = process.env): DariConfig {
  const port = env.PORT === undefined || env.PORT === '' ? PORT_DEFAULT : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(env.PORT)}`);
  }
  const url = env[DATABASE_URL_ENV];
  let database: DariDatabase = { engine: 'sqlite' };
  if (url !== undefined && url !== '') {
    const problem = postgresUrlProblem(url);
    // The URL may carry a password: the message never repeats it.
    if (problem !== null) throw new ConfigError(`${DATABASE_URL_ENV} must be postgres://user[:password]@host[:port][/base_name]; it ${problem}`);
    database = { engine: 'postgres', url };
  }
  return { dataDir: resolve(env.DARI_DATA_DIR || './data'), port, database };
}

/** Why a PostgreSQL URL cannot name the institutions' databases; null when it can. */
export function postgresUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') return `has the scheme ${parsed.protocol}, not postgres:`;
  if (parsed.hostname === '') return 'names no host';
  const base = databaseBaseName(parsed);
  if (!DATABASE_BASE_NAME_PATTERN.test(base)) return `names the database ${JSON.stringify(base)}: a base name is lower-case letters, digits and _, at most 54 characters`;
  return null;
}

/** The base name of the institutions' databases: the URL's database, or `DATABASE_BASE_NAME_DEFAULT`. */
export function databaseBaseName(url: URL): string {
  const name = decodeURIComponent(url.pathname.slice(1));
  return name === '' ? DATABASE_BASE_NAME_DEFAULT : name;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}
