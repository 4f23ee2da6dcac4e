/**
 * The stores every institution keeps for the protocol, on either engine: the
 * replay guard of signed requests, the archive of signed envelopes, and (a
 * participant's) its reconciliation runs.
 */
import type { InstitutionDatabase } from '../platform/db/institution.ts';
import type { PostgresPool } from '../platform/db/postgres.ts';
import { createPostgresReplayGuard, createSqliteReplayGuard, type ReplayGuard } from '../platform/signing/index.ts';
import { createPostgresEnvelopeArchive, createSqliteEnvelopeArchive, type EnvelopeArchive } from './envelope.ts';
import { createPostgresReconciliationStore, createSqliteReconciliationStore, type ReconciliationStore } from './reconciliation-store.ts';

/** What every institution keeps of the signed messages it receives. */
export interface MessageStores {
  readonly replayGuard: ReplayGuard;
  readonly archive: EnvelopeArchive;
}

/** A participant's: its messages, and its reconciliation runs against the network's files. */
export interface ProtocolStores extends MessageStores {
  readonly reconciliations: ReconciliationStore;
}

/** The message stores alone, for the network (it writes the clearing files, it does not reconcile them), on SQLite. */
export function sqliteMessageStores(database: InstitutionDatabase): MessageStores {
  return {
    replayGuard: database.committed(createSqliteReplayGuard(database.db)),
    archive: database.committed(createSqliteEnvelopeArchive(database.db)),
  };
}

export async function postgresMessageStores(pool: PostgresPool): Promise<MessageStores> {
  return {
    replayGuard: await createPostgresReplayGuard(pool),
    archive: await createPostgresEnvelopeArchive(pool),
  };
}

/** On the institution's SQLite database, group-committed with its own tables. */
export function sqliteProtocolStores(database: InstitutionDatabase): ProtocolStores {
  return {
    ...sqliteMessageStores(database),
    reconciliations: database.committed(createSqliteReconciliationStore(database.db)),
  };
}

export async function postgresProtocolStores(pool: PostgresPool): Promise<ProtocolStores> {
  return {
    ...(await postgresMessageStores(pool)),
    reconciliations: await createPostgresReconciliationStore(pool),
  };
}
