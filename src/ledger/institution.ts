/**
 * An institution's ledger, on the institution's engine: `ledger.db` in its
 * folder on SQLite, or its PostgreSQL database (the ledger's tables and
 * migrations are named apart from the institution's, and it has a pool of its
 * own: the writer holds its connection for a whole batch). Its timestamps
 * follow the institution's clock, so that a clearing cycle's hours mean the
 * same in every institution's books.
 */
import { join } from 'node:path';
import type { InstitutionEngine } from '../platform/db/institution.ts';
import { createLedger, type Ledger } from './service.ts';
import { openPostgresLedgerStore } from './store-postgres.ts';
import { openSqliteLedgerStore } from './store-sqlite.ts';

const NS_PER_MS = 1_000_000n;

/**
 * Opens the ledger and runs `setUp` on it (its accounts). If either fails, the
 * ledger is closed, then `onFailure` (the institution's own storage), and the
 * error is thrown on.
 */
export async function openInstitutionLedger(input: {
  readonly database: InstitutionEngine;
  readonly dataDir: string;
  readonly ledgerBatching: { readonly batchEventsMax?: number };
  readonly now: () => Date;
  readonly setUp: (ledger: Ledger) => Promise<void>;
  readonly onFailure: () => Promise<void>;
}): Promise<Ledger> {
  let ledger: Ledger | null = null;
  try {
    const store = input.database.engine === 'sqlite' ? openSqliteLedgerStore(join(input.dataDir, 'ledger.db')) : await openPostgresLedgerStore(input.database.url);
    ledger = await createLedger({ store, clock: () => BigInt(input.now().getTime()) * NS_PER_MS, ...input.ledgerBatching });
    await input.setUp(ledger);
    return ledger;
  } catch (error) {
    await ledger?.close();
    await input.onFailure();
    throw error;
  }
}
