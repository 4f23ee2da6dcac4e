/**
 * Where the all-in-one deployment's institutions keep their data (ADR 14):
 * SQLite files under `dataDir/<institution>/` (the default, nothing to
 * install), or PostgreSQL, one database per institution on one server. The
 * URL names the server, the credentials and a base name; each institution's
 * database is `<base>_<institution>` (`postgres://dari@db:5432/dari` gives
 * `dari_network`, `dari_wallet` and `dari_acquirer`), created on the first
 * start if missing. They stay three databases, never one with three schemas,
 * so that no institution can read another's tables (DESIGN: each institution
 * owns its database) and each can later move to a server of its own.
 */
import { databaseBaseName, postgresUrlProblem, type DariDatabase } from '../platform/config.ts';
import type { InstitutionEngine } from '../platform/db/institution.ts';
import { ensurePostgresDatabase, POSTGRES_DATABASE_NAME_PATTERN } from '../platform/db/postgres.ts';

/** The institutions that keep a database, in the order they are started; the mall and the marketplace since issue 7 (`<base>_mall`, `<base>_marketplace`). */
export const INSTITUTIONS = ['network', 'wallet', 'acquirer', 'mall', 'marketplace'] as const;
export type Institution = (typeof INSTITUTIONS)[number];

/** The URL of one institution's database: the server's URL with the database `<base>_<institution>`. */
export function institutionDatabaseUrl(url: string, institution: Institution): string {
  const problem = postgresUrlProblem(url);
  if (problem !== null) throw new Error(`assertion failed: the PostgreSQL URL is checked before use; it ${problem}`);
  const parsed = new URL(url);
  const name = `${databaseBaseName(parsed)}_${institution}`;
  if (!POSTGRES_DATABASE_NAME_PATTERN.test(name)) throw new Error(`assertion failed: ${name} is a database name`);
  parsed.pathname = `/${name}`;
  return parsed.href;
}

/**
 * Each institution's engine: on PostgreSQL, its own database, created if
 * missing (one after the other: CREATE DATABASE copies a template database,
 * which fails while another session is copying it).
 */
export async function openInstitutionDatabases(database: DariDatabase): Promise<Record<Institution, InstitutionEngine>> {
  if (database.engine === 'sqlite') return { network: database, wallet: database, acquirer: database, mall: database, marketplace: database };
  const engines: Partial<Record<Institution, InstitutionEngine>> = {};
  for (const institution of INSTITUTIONS) {
    const url = institutionDatabaseUrl(database.url, institution);
    await ensurePostgresDatabase(url);
    engines[institution] = { engine: 'postgres', url };
  }
  return engines as Record<Institution, InstitutionEngine>;
}
