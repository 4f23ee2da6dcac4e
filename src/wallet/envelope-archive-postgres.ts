/**
 * The envelope archive (ADR 9) on PostgreSQL: the same table and the same
 * semantics as `createSqliteEnvelopeArchive` in `protocol/envelope.ts` (a
 * re-delivered envelope is kept once). It lives here only until the protocol
 * module, which owns the archive, grows its PostgreSQL twin; the migration is
 * numbered under the `envelopes` module and creates the table only if it is
 * missing, so that the move changes no database.
 */
import { migratePostgres, type PostgresPool } from '../platform/db/postgres.ts';
import type { EnvelopeArchive } from '../protocol/index.ts';

export const ENVELOPE_ARCHIVE_POSTGRES_SQL = `
CREATE TABLE IF NOT EXISTS signed_envelopes (
  client_id TEXT NOT NULL,
  envelope_id TEXT NOT NULL,
  body TEXT NOT NULL,
  request_time TEXT NOT NULL,
  signature TEXT NOT NULL,
  received_at_ms BIGINT NOT NULL,
  PRIMARY KEY (client_id, envelope_id, signature)
);
`;

/** Creates the archive's table if needed; the caller owns (and ends) the pool. */
export async function createPostgresEnvelopeArchive(pool: PostgresPool): Promise<EnvelopeArchive> {
  await migratePostgres(pool, [{ module: 'envelopes', version: 1, name: 'signed envelopes as received', sql: ENVELOPE_ARCHIVE_POSTGRES_SQL }]);
  return {
    async record(envelope) {
      await pool.query(
        `INSERT INTO signed_envelopes (client_id, envelope_id, body, request_time, signature, received_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_id, envelope_id, signature) DO NOTHING`,
        [envelope.clientId, envelope.envelopeId, envelope.body, envelope.headers['request-time'] ?? '', envelope.headers.signature ?? '', envelope.receivedAt.getTime()],
      );
    },
  };
}
