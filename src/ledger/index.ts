/**
 * The ledger: double-entry accounts and immutable transfers after TigerBeetle,
 * with group commit, on SQLite or PostgreSQL. See README.md.
 */
export { createLedger, ledgerHealth, streamStoreTransfers, systemClock, type Ledger, type LedgerHealth, type LedgerOptions } from './service.ts';
export { LedgerCallError } from './errors.ts';
export { openSqliteLedgerStore } from './store-sqlite.ts';
export { openPostgresLedgerStore } from './store-postgres.ts';
export { openInstitutionLedger } from './institution.ts';
export { LedgerCommitUnknownError, LedgerFencedError, type LedgerStore } from './store.ts';
export { formatVerifyReport, type VerifyReport } from './verify.ts';
export { LedgerInvariantError } from './plan.ts';
export * from './limits.ts';
export type * from './types.ts';
export { ledgerCommand, LEDGER_USAGE } from './cli.ts';
