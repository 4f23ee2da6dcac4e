/**
 * The stores every institution keeps for the protocol, on either engine: the
 * replay guard of signed requests, the archive of signed envelopes, and its
 * reconciliation runs.
 */
import type { InstitutionDatabase } from '../platform/db/institution.ts';
import type { PostgresPool } from '../platform/db/postgres.ts';
import { createPostgresReplayGuard, createSqliteReplayGuard, type ReplayGuard } from '../platform/signing/index.ts';
import { createPostgresEnvelopeArchive, createSqliteEnvelopeArchive, type EnvelopeArchive } from './envelope.ts';
import { createPostgresReconciliationStore, createSqliteReconciliationStore, type ReconciliationStore } from './reconciliation-store.ts';

export interface ProtocolStores {
  readonly replayGuard: ReplayGuard;
  readonly archive: EnvelopeArchive;
  readonly reconciliations: ReconciliationStore;
}

/** On the institution's SQLite database, group-committed with its own tables. */
export function sqliteProtocolStores(database: InstitutionDatabase): ProtocolStores {
  return {
    replayGuard: database.committed(createSqliteReplayGuard(database.db)),
    archive: database.committed(createSqliteEnvelopeArchive(database.db)),
    reconciliations: database.committed(createSqliteReconciliationStore(database.db)),
  };
}

export async function postgresProtocolStores(pool: PostgresPool): Promise<ProtocolStores> {
  return {
    replayGuard: await createPostgresReplayGuard(pool),
    archive: await createPostgresEnvelopeArchive(pool),
    reconciliations: await createPostgresReconciliationStore(pool),
  };
}
