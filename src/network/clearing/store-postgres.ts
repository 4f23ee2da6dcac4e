/**
 * The clearing tables on PostgreSQL, the production engine (ADR 3): the same
 * `ClearingStore`, with the same answers, as the SQLite store in `store.ts`
 * (`store.contract.test.ts` runs one suite on both), and the same row mappers.
 *
 * A closed cycle is written whole in one transaction, as in SQLite: the
 * cycle's row is inserted `ON CONFLICT DO NOTHING`, so of two closes racing
 * for one cycle the second waits for the first to commit and answers
 * `exists`, writing nothing. Chunks are written as their UTF-8 bytes (BYTEA),
 * several to a statement, all of one call in one transaction.
 */
import { inPostgresTransaction, migratePostgres, POSTGRES_INTEGER_TYPES, type PostgresClient, type PostgresPool } from '../../platform/db/postgres.ts';
import type { Migration } from '../../platform/db/sqlite.ts';
import {
  CLEARING_FILE_SEGMENT_CHUNKS_MAX,
  checkedChunks,
  checkedLayout,
  checkedSegmentChunks,
  chunkKeyOf,
  clearingFileFromRow,
  fileLayout,
  cycleFromRow,
  instructionFromRow,
  positionsToJson,
  type ClearingFileChunk,
  type ClearingStore,
  type Row,
} from './store.ts';

/**
 * Chunks in one INSERT: each is up to about 200 KiB (`CLEARING_FILE_CHUNK_LINES`
 * lines), so a statement carries at most a few MiB.
 */
export const CHUNKS_PER_STATEMENT_MAX = 16;

/**
 * The SQLite schema as its migrations leave it (`network-clearing` versions 1
 * to 3: the files' text in chunks, a file's record with its line count and
 * its segments' line counts) in PostgreSQL's types, every CHECK, UNIQUE and
 * foreign key repeated. A new engine has no history, so it is one migration.
 * Ids and ISO instants are `COLLATE "C"`: ORDER BY and the CHECKs between
 * instants compare them byte by byte, as SQLite does.
 */
export const CLEARING_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    module: 'network-clearing',
    version: 1,
    name: 'closed cycles, clearing files in chunks, settlement instructions',
    sql: `
CREATE TABLE clearing_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch TEXT COLLATE "C" NOT NULL
);
CREATE TABLE clearing_cycles (
  cycle_id TEXT COLLATE "C" PRIMARY KEY CHECK (char_length(cycle_id) = 15),
  opens_at TEXT COLLATE "C" NOT NULL,
  closes_at TEXT COLLATE "C" NOT NULL CHECK (closes_at > opens_at),
  closed_at TEXT COLLATE "C" NOT NULL CHECK (closed_at >= closes_at),
  entry_count BIGINT NOT NULL CHECK (entry_count >= 0),
  positions TEXT NOT NULL
);
CREATE TABLE clearing_files (
  cycle_id TEXT COLLATE "C" NOT NULL REFERENCES clearing_cycles (cycle_id),
  participant_id TEXT COLLATE "C" NOT NULL,
  checksum TEXT NOT NULL CHECK (char_length(checksum) = 64),
  detail_count BIGINT NOT NULL CHECK (detail_count >= 0),
  line_count BIGINT NOT NULL CHECK (line_count >= 0),
  segment_lines TEXT,
  PRIMARY KEY (cycle_id, participant_id)
);
CREATE TABLE clearing_file_chunks (
  cycle_id TEXT COLLATE "C" NOT NULL,
  participant_id TEXT COLLATE "C" NOT NULL,
  chunk INTEGER NOT NULL CHECK (chunk >= 0),
  lines BYTEA NOT NULL CHECK (octet_length(lines) > 0),
  PRIMARY KEY (cycle_id, participant_id, chunk)
);
CREATE TABLE settlement_instructions (
  instruction_id TEXT COLLATE "C" PRIMARY KEY,
  cycle_id TEXT COLLATE "C" NOT NULL REFERENCES clearing_cycles (cycle_id),
  participant_id TEXT COLLATE "C" NOT NULL,
  role TEXT COLLATE "C" NOT NULL CHECK (role IN ('wallet', 'acquirer')),
  account_id TEXT NOT NULL,
  currency TEXT COLLATE "C" NOT NULL CHECK (char_length(currency) = 3),
  direction TEXT NOT NULL CHECK (direction IN ('participant-pays', 'participant-receives')),
  amount_value BIGINT NOT NULL CHECK (amount_value > 0),
  status TEXT NOT NULL CHECK (status IN ('pending', 'settled')),
  settled_at TEXT COLLATE "C",
  reference TEXT,
  UNIQUE (cycle_id, participant_id, currency),
  CHECK ((status = 'settled') = (settled_at IS NOT NULL AND reference IS NOT NULL))
);
CREATE INDEX settlement_instructions_pending ON settlement_instructions (status) WHERE status = 'pending';
`,
  },
];

type Queryable = PostgresPool | PostgresClient;

/** Rows of one statement, integers read as `bigint` (as better-sqlite3 reads them). */
async function rowsOf(on: Queryable, sql: string, ...values: unknown[]): Promise<Row[]> {
  return (await on.query<Row>({ text: sql, values, types: POSTGRES_INTEGER_TYPES })).rows;
}

async function changesOf(on: Queryable, sql: string, ...values: unknown[]): Promise<number> {
  return (await on.query({ text: sql, values })).rowCount ?? 0;
}

/** One INSERT of up to `CHUNKS_PER_STATEMENT_MAX` chunks; a Buffer goes over the wire as bytes. */
async function insertChunks(client: PostgresClient, chunks: readonly ClearingFileChunk[]): Promise<void> {
  const rows = chunks.map((_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`);
  const values = chunks.flatMap((c) => [c.cycleId, c.participantId, chunkKeyOf(c.segment, c.index), c.lines]);
  await client.query({ text: `INSERT INTO clearing_file_chunks (cycle_id, participant_id, chunk, lines) VALUES ${rows.join(', ')}`, values });
}

/** Creates the clearing tables if needed, then the store; the caller owns (and ends) the pool. */
export async function createPostgresClearingStore(pool: PostgresPool): Promise<ClearingStore> {
  await migratePostgres(pool, CLEARING_POSTGRES_MIGRATIONS);
  return {
    async epoch(candidate) {
      await changesOf(pool, 'INSERT INTO clearing_state (id, epoch) VALUES (1, $1) ON CONFLICT DO NOTHING', candidate.toISOString());
      const [row] = await rowsOf(pool, 'SELECT epoch FROM clearing_state WHERE id = 1');
      return new Date(row!['epoch'] as string);
    },
    async insertFileChunks(chunks) {
      if (chunks.length === 0) return;
      await inPostgresTransaction(pool, async (client) => {
        for (let from = 0; from < chunks.length; from += CHUNKS_PER_STATEMENT_MAX) await insertChunks(client, chunks.slice(from, from + CHUNKS_PER_STATEMENT_MAX));
      });
    },
    async discardUnclosedFileChunks(cycleId) {
      return changesOf(pool, 'DELETE FROM clearing_file_chunks WHERE cycle_id = $1 AND NOT EXISTS (SELECT 1 FROM clearing_cycles WHERE cycle_id = $1)', cycleId);
    },
    async insertClosedCycle({ cycle, files, instructions }) {
      return inPostgresTransaction(pool, async (client): Promise<'inserted' | 'exists'> => {
        const inserted = await changesOf(
          client,
          `INSERT INTO clearing_cycles (cycle_id, opens_at, closes_at, closed_at, entry_count, positions) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
          cycle.cycleId,
          cycle.opensAt.toISOString(),
          cycle.closesAt.toISOString(),
          cycle.closedAt.toISOString(),
          cycle.entryCount,
          JSON.stringify(positionsToJson(cycle.positions)),
        );
        if (inserted === 0) return 'exists';
        for (const file of files) {
          // The chunks were written before the cycle; a missing or extra one is a bug of the close, not data to keep.
          const [counted] = await rowsOf(client, 'SELECT COUNT(*) AS chunks FROM clearing_file_chunks WHERE cycle_id = $1 AND participant_id = $2', file.cycleId, file.participantId);
          const chunks = counted!['chunks'] as bigint;
          const expected = checkedLayout(file).chunkCount;
          if (Number(chunks) !== expected) {
            throw new Error(`assertion failed: the file of ${file.participantId} for ${file.cycleId} has its ${expected} chunks, found ${chunks}`);
          }
          await changesOf(
            client,
            'INSERT INTO clearing_files (cycle_id, participant_id, checksum, detail_count, line_count, segment_lines) VALUES ($1, $2, $3, $4, $5, $6)',
            file.cycleId,
            file.participantId,
            file.checksum,
            file.detailCount,
            file.lineCount,
            JSON.stringify(file.segmentLines),
          );
        }
        for (const i of instructions) {
          await changesOf(
            client,
            `INSERT INTO settlement_instructions (instruction_id, cycle_id, participant_id, role, account_id, currency, direction, amount_value, status, settled_at, reference)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', NULL, NULL)`,
            i.instructionId,
            i.cycleId,
            i.participantId,
            i.role,
            i.accountId,
            i.amount.currency,
            i.direction,
            i.amount.value,
          );
        }
        return 'inserted';
      });
    },
    async closedCycle(cycleId) {
      const [row] = await rowsOf(pool, 'SELECT * FROM clearing_cycles WHERE cycle_id = $1', cycleId);
      return row ? cycleFromRow(row) : null;
    },
    async listClosedCycles(limit) {
      return (await rowsOf(pool, 'SELECT * FROM clearing_cycles ORDER BY cycle_id DESC LIMIT $1', limit)).map(cycleFromRow);
    },
    async clearingFile(cycleId, participantId) {
      const [row] = await rowsOf(pool, 'SELECT * FROM clearing_files WHERE cycle_id = $1 AND participant_id = $2', cycleId, participantId);
      return row ? clearingFileFromRow(row) : null;
    },
    async fileChunks(file, fromChunk, count) {
      const layout = fileLayout(file);
      const last = Math.min(fromChunk + count, layout.chunkCount) - 1;
      if (last < fromChunk) return [];
      const rows = await rowsOf(
        pool,
        'SELECT chunk, lines FROM clearing_file_chunks WHERE cycle_id = $1 AND participant_id = $2 AND chunk BETWEEN $3 AND $4 ORDER BY chunk',
        file.cycleId,
        file.participantId,
        layout.chunkKey(fromChunk),
        layout.chunkKey(last),
      );
      return checkedChunks(file, layout, fromChunk, last, rows.map((row) => ({ chunk: row['chunk'] as bigint | number, lines: row['lines'] as Buffer })));
    },
    async segmentChunks(cycleId, participantId, segment, fromIndex, count) {
      const rows = await rowsOf(
        pool,
        'SELECT chunk, lines FROM clearing_file_chunks WHERE cycle_id = $1 AND participant_id = $2 AND chunk >= $3 AND chunk < $4 ORDER BY chunk LIMIT $5',
        cycleId,
        participantId,
        chunkKeyOf(segment, fromIndex),
        (segment + 1) * CLEARING_FILE_SEGMENT_CHUNKS_MAX,
        count,
      );
      return checkedSegmentChunks(cycleId, participantId, segment, fromIndex, rows.map((row) => ({ chunk: row['chunk'] as bigint | number, lines: row['lines'] as Buffer })));
    },
    async instructionsOf(cycleId) {
      return (await rowsOf(pool, 'SELECT * FROM settlement_instructions WHERE cycle_id = $1 ORDER BY role DESC, participant_id, currency', cycleId)).map(instructionFromRow);
    },
    async instruction(instructionId) {
      const [row] = await rowsOf(pool, 'SELECT * FROM settlement_instructions WHERE instruction_id = $1', instructionId);
      return row ? instructionFromRow(row) : null;
    },
    async settleInstruction(instructionId, reference, at) {
      const changed = await changesOf(
        pool,
        "UPDATE settlement_instructions SET status = 'settled', settled_at = $1, reference = $2 WHERE instruction_id = $3 AND status = 'pending'",
        at.toISOString(),
        reference,
        instructionId,
      );
      return changed === 1;
    },
  };
}
