/**
 * The clearing tables in network.db: closed cycles with their positions,
 * the clearing file of each participant and cycle (kept as written, so that a
 * download is the same bytes every time), and the settlement instructions
 * with their state. Nothing in a closed cycle changes afterwards but an
 * instruction's state.
 *
 * A file's text is kept in chunks of `CLEARING_FILE_CHUNK_LINES` lines, not
 * as one value: a large acquirer's file has up to a million lines (hundreds
 * of MiB), which is written as it is produced and read a page at a time,
 * never held whole. The chunks are written while the cycle is being closed,
 * before it is; the cycle, its files' records and its instructions are then
 * written in one transaction. A file is read only through its record, which
 * exists only once its cycle is closed, so a closed cycle is still seen whole
 * or not at all; chunks an interrupted close left behind belong to no record
 * and are discarded when the cycle is closed again
 * (`discardUnclosedFileChunks`).
 */
import { amount, parseCurrency, type Amount } from '../../money/index.ts';
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../../platform/db/sqlite.ts';
import type { ParticipantRole } from '../types.ts';
import type { CycleId } from './cycles.ts';
import type { CyclePositions, SettlementDirection } from './positions.ts';

/**
 * Lines in one stored chunk of a clearing file (the last chunk has fewer): a
 * protocol page (`CLEARING_FILE_PAGE_LINES_MAX`) reads at most two chunks, and
 * a million-line file is about a thousand rows of about 200 KiB.
 */
export const CLEARING_FILE_CHUNK_LINES = 1_024;
/** The chunk size migration 2 split the files written before it into; what the migration did never changes. */
const CLEARING_FILE_CHUNK_LINES_V2 = 1_024;

export const CLEARING_MIGRATIONS: readonly Migration[] = [
  {
    module: 'network-clearing',
    version: 1,
    name: 'closed cycles, clearing files, settlement instructions',
    sql: `
CREATE TABLE clearing_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch TEXT NOT NULL
);
CREATE TABLE clearing_cycles (
  cycle_id TEXT PRIMARY KEY CHECK (length(cycle_id) = 15),
  opens_at TEXT NOT NULL,
  closes_at TEXT NOT NULL CHECK (closes_at > opens_at),
  closed_at TEXT NOT NULL CHECK (closed_at >= closes_at),
  entry_count INTEGER NOT NULL CHECK (entry_count >= 0),
  positions TEXT NOT NULL
);
CREATE TABLE clearing_files (
  cycle_id TEXT NOT NULL REFERENCES clearing_cycles (cycle_id),
  participant_id TEXT NOT NULL,
  content TEXT NOT NULL,
  checksum TEXT NOT NULL CHECK (length(checksum) = 64),
  detail_count INTEGER NOT NULL CHECK (detail_count >= 0),
  PRIMARY KEY (cycle_id, participant_id)
);
CREATE TABLE settlement_instructions (
  instruction_id TEXT PRIMARY KEY,
  cycle_id TEXT NOT NULL REFERENCES clearing_cycles (cycle_id),
  participant_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('wallet', 'acquirer')),
  account_id TEXT NOT NULL,
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  direction TEXT NOT NULL CHECK (direction IN ('participant-pays', 'participant-receives')),
  amount_value INTEGER NOT NULL CHECK (amount_value > 0),
  status TEXT NOT NULL CHECK (status IN ('pending', 'settled')),
  settled_at TEXT,
  reference TEXT,
  UNIQUE (cycle_id, participant_id, currency),
  CHECK ((status = 'settled') = (settled_at IS NOT NULL AND reference IS NOT NULL))
);
CREATE INDEX settlement_instructions_pending ON settlement_instructions (status) WHERE status = 'pending';
`,
  },
  {
    module: 'network-clearing',
    version: 2,
    name: 'clearing files kept in chunks of lines, not as one text',
    // The files written before are split into chunks here: each line ends with
    // CRLF and no field holds a line break (the format), so the lines of a
    // text are what lies between its LFs. A chunk is kept as its UTF-8 bytes.
    sql: `
CREATE TABLE clearing_file_chunks (
  cycle_id TEXT NOT NULL,
  participant_id TEXT NOT NULL,
  chunk INTEGER NOT NULL CHECK (chunk >= 0),
  lines BLOB NOT NULL CHECK (length(lines) > 0),
  PRIMARY KEY (cycle_id, participant_id, chunk)
);
WITH RECURSIVE split (cycle_id, participant_id, line_number, line, rest) AS (
  SELECT cycle_id, participant_id, -1, '', content FROM clearing_files
  UNION ALL
  SELECT cycle_id, participant_id, line_number + 1, substr(rest, 1, instr(rest, char(10))), substr(rest, instr(rest, char(10)) + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO clearing_file_chunks (cycle_id, participant_id, chunk, lines)
SELECT cycle_id, participant_id, line_number / ${CLEARING_FILE_CHUNK_LINES_V2}, CAST(string_agg(line, '' ORDER BY line_number) AS BLOB)
  FROM split WHERE line_number >= 0
 GROUP BY cycle_id, participant_id, line_number / ${CLEARING_FILE_CHUNK_LINES_V2};
ALTER TABLE clearing_files ADD COLUMN line_count INTEGER NOT NULL DEFAULT 0 CHECK (line_count >= 0);
UPDATE clearing_files SET line_count = length(content) - length(replace(content, char(10), ''));
ALTER TABLE clearing_files DROP COLUMN content;
`,
  },
];

export type InstructionStatus = 'pending' | 'settled';

export interface StoredInstruction {
  readonly instructionId: string;
  readonly cycleId: CycleId;
  readonly participantId: string;
  readonly role: ParticipantRole;
  readonly accountId: string;
  readonly direction: SettlementDirection;
  readonly amount: Amount;
  readonly status: InstructionStatus;
  readonly settledAt: Date | null;
  /** The settlement bank's reference of the transfer that settled it. */
  readonly reference: string | null;
}

export interface StoredCycle {
  readonly cycleId: CycleId;
  readonly opensAt: Date;
  readonly closesAt: Date;
  readonly closedAt: Date;
  readonly entryCount: number;
  readonly positions: CyclePositions;
}

/** A clearing file's record: what it is, not its text, which is read in chunks (`fileChunks`). */
export interface StoredClearingFile {
  readonly cycleId: CycleId;
  readonly participantId: string;
  readonly checksum: string;
  readonly detailCount: number;
  /** Every line, HEADER to TRAILER: the file has `ceil(lineCount / CLEARING_FILE_CHUNK_LINES)` chunks. */
  readonly lineCount: number;
}

/** Lines `chunk × CLEARING_FILE_CHUNK_LINES` onwards of a file, each ended by its CRLF, as UTF-8 bytes. */
export interface ClearingFileChunk {
  readonly cycleId: CycleId;
  readonly participantId: string;
  readonly chunk: number;
  readonly lines: Buffer;
}

export interface ClearingStore {
  /** When the network started clearing: the first cycle is the one of this instant. Set once. */
  epoch(candidate: Date): Promise<Date>;
  /** Stores chunks of files of a cycle being closed; they are read only once their file's record is written with the cycle. */
  insertFileChunks(chunks: readonly ClearingFileChunk[]): Promise<void>;
  /** Deletes the chunks an interrupted close of a cycle left (none, if it is closed); the number deleted. */
  discardUnclosedFileChunks(cycleId: string): Promise<number>;
  /** Writes a closed cycle whole; `exists` if it was closed before (nothing written). Its files' chunks are stored already. */
  insertClosedCycle(input: {
    readonly cycle: StoredCycle;
    readonly files: readonly StoredClearingFile[];
    readonly instructions: readonly StoredInstruction[];
  }): Promise<'inserted' | 'exists'>;
  closedCycle(cycleId: string): Promise<StoredCycle | null>;
  /** Newest first. */
  listClosedCycles(limit: number): Promise<StoredCycle[]>;
  clearingFile(cycleId: string, participantId: string): Promise<StoredClearingFile | null>;
  /** Chunks `fromChunk` to `fromChunk + count − 1` of a file, in order (fewer at its end). */
  fileChunks(file: StoredClearingFile, fromChunk: number, count: number): Promise<string[]>;
  instructionsOf(cycleId: string): Promise<StoredInstruction[]>;
  instruction(instructionId: string): Promise<StoredInstruction | null>;
  /** pending → settled; false if it was not pending. */
  settleInstruction(instructionId: string, reference: string, at: Date): Promise<boolean>;
}

type Row = Record<string, unknown>;

export function openClearingStore(db: SqliteDatabase): ClearingStore {
  migrateSqlite(db, CLEARING_MIGRATIONS);
  return {
    async epoch(candidate) {
      prepareCached(db, 'INSERT OR IGNORE INTO clearing_state (id, epoch) VALUES (1, ?)').run(candidate.toISOString());
      const row = prepareCached(db, 'SELECT epoch FROM clearing_state WHERE id = 1').get() as { epoch: string };
      return new Date(row.epoch);
    },
    async insertFileChunks(chunks) {
      const insert = prepareCached(db, 'INSERT INTO clearing_file_chunks (cycle_id, participant_id, chunk, lines) VALUES (?, ?, ?, ?)');
      db.transaction(() => {
        for (const c of chunks) insert.run(c.cycleId, c.participantId, c.chunk, c.lines);
      })();
    },
    async discardUnclosedFileChunks(cycleId) {
      const deleted = prepareCached(
        db,
        'DELETE FROM clearing_file_chunks WHERE cycle_id = ? AND NOT EXISTS (SELECT 1 FROM clearing_cycles WHERE cycle_id = ?)',
      ).run(cycleId, cycleId);
      return deleted.changes;
    },
    async insertClosedCycle({ cycle, files, instructions }) {
      return db
        .transaction((): 'inserted' | 'exists' => {
          const inserted = prepareCached(
            db,
            `INSERT OR IGNORE INTO clearing_cycles (cycle_id, opens_at, closes_at, closed_at, entry_count, positions) VALUES (?, ?, ?, ?, ?, ?)`,
          ).run(cycle.cycleId, cycle.opensAt.toISOString(), cycle.closesAt.toISOString(), cycle.closedAt.toISOString(), cycle.entryCount, JSON.stringify(positionsToJson(cycle.positions)));
          if (inserted.changes === 0) return 'exists';
          for (const file of files) {
            // The chunks were written before the cycle; a missing or extra one is a bug of the close, not data to keep.
            const { chunks } = prepareCached(db, 'SELECT COUNT(*) AS chunks FROM clearing_file_chunks WHERE cycle_id = ? AND participant_id = ?').get(file.cycleId, file.participantId) as {
              chunks: bigint;
            };
            if (Number(chunks) !== Math.ceil(file.lineCount / CLEARING_FILE_CHUNK_LINES)) {
              throw new Error(`assertion failed: the file of ${file.participantId} for ${file.cycleId} has its ${Math.ceil(file.lineCount / CLEARING_FILE_CHUNK_LINES)} chunks, found ${chunks}`);
            }
            prepareCached(db, 'INSERT INTO clearing_files (cycle_id, participant_id, checksum, detail_count, line_count) VALUES (?, ?, ?, ?, ?)').run(
              file.cycleId,
              file.participantId,
              file.checksum,
              file.detailCount,
              file.lineCount,
            );
          }
          for (const i of instructions) {
            prepareCached(
              db,
              `INSERT INTO settlement_instructions (instruction_id, cycle_id, participant_id, role, account_id, currency, direction, amount_value, status, settled_at, reference)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL)`,
            ).run(i.instructionId, i.cycleId, i.participantId, i.role, i.accountId, i.amount.currency, i.direction, i.amount.value);
          }
          return 'inserted';
        })
        .immediate();
    },
    async closedCycle(cycleId) {
      const row = prepareCached(db, 'SELECT * FROM clearing_cycles WHERE cycle_id = ?').get(cycleId) as Row | undefined;
      return row ? cycleFromRow(row) : null;
    },
    async listClosedCycles(limit) {
      return (prepareCached(db, 'SELECT * FROM clearing_cycles ORDER BY cycle_id DESC LIMIT ?').all(limit) as Row[]).map(cycleFromRow);
    },
    async clearingFile(cycleId, participantId) {
      const row = prepareCached(db, 'SELECT * FROM clearing_files WHERE cycle_id = ? AND participant_id = ?').get(cycleId, participantId) as Row | undefined;
      if (!row) return null;
      return {
        cycleId: row['cycle_id'] as CycleId,
        participantId: row['participant_id'] as string,
        checksum: row['checksum'] as string,
        detailCount: Number(row['detail_count']),
        lineCount: Number(row['line_count']),
      };
    },
    async fileChunks(file, fromChunk, count) {
      const rows = prepareCached(
        db,
        'SELECT chunk, lines FROM clearing_file_chunks WHERE cycle_id = ? AND participant_id = ? AND chunk >= ? ORDER BY chunk LIMIT ?',
      ).all(file.cycleId, file.participantId, fromChunk, count) as { chunk: bigint; lines: Buffer }[];
      rows.forEach((row, i) => {
        if (Number(row.chunk) !== fromChunk + i) throw new Error(`assertion failed: chunk ${fromChunk + i} of ${file.participantId}'s file for ${file.cycleId} is stored`);
      });
      return rows.map((row) => row.lines.toString('utf8'));
    },
    async instructionsOf(cycleId) {
      return (prepareCached(db, 'SELECT * FROM settlement_instructions WHERE cycle_id = ? ORDER BY role DESC, participant_id, currency').all(cycleId) as Row[]).map(
        instructionFromRow,
      );
    },
    async instruction(instructionId) {
      const row = prepareCached(db, 'SELECT * FROM settlement_instructions WHERE instruction_id = ?').get(instructionId) as Row | undefined;
      return row ? instructionFromRow(row) : null;
    },
    async settleInstruction(instructionId, reference, at) {
      const changed = prepareCached(
        db,
        "UPDATE settlement_instructions SET status = 'settled', settled_at = ?, reference = ? WHERE instruction_id = ? AND status = 'pending'",
      ).run(at.toISOString(), reference, instructionId);
      return changed.changes === 1;
    },
  };
}

function instructionFromRow(row: Row): StoredInstruction {
  const currency = parseCurrency(row['currency'] as string);
  if (!currency.ok) throw new Error(`assertion failed: a stored currency is known, got ${String(row['currency'])}`);
  return {
    instructionId: row['instruction_id'] as string,
    cycleId: row['cycle_id'] as CycleId,
    participantId: row['participant_id'] as string,
    role: row['role'] as ParticipantRole,
    accountId: row['account_id'] as string,
    direction: row['direction'] as SettlementDirection,
    amount: amount(currency.value, row['amount_value'] as bigint),
    status: row['status'] as InstructionStatus,
    settledAt: row['settled_at'] === null ? null : new Date(row['settled_at'] as string),
    reference: (row['reference'] as string | null) ?? null,
  };
}

function cycleFromRow(row: Row): StoredCycle {
  return {
    cycleId: row['cycle_id'] as CycleId,
    opensAt: new Date(row['opens_at'] as string),
    closesAt: new Date(row['closes_at'] as string),
    closedAt: new Date(row['closed_at'] as string),
    entryCount: Number(row['entry_count']),
    positions: positionsFromJson(JSON.parse(row['positions'] as string) as unknown),
  };
}

// Positions are stored as JSON with amounts as strings of minor units (money's wire form).

function positionsToJson(positions: CyclePositions): unknown {
  return JSON.parse(JSON.stringify(positions, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
}

function positionsFromJson(json: unknown): CyclePositions {
  const revive = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(revive);
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      const isAmount = entries.length === 2 && 'currency' in value && 'value' in value;
      if (isAmount) {
        const currency = parseCurrency((value as { currency: string }).currency);
        if (!currency.ok) throw new Error('assertion failed: a stored currency is known');
        return amount(currency.value, BigInt((value as { value: string }).value));
      }
      return Object.fromEntries(entries.map(([k, v]) => [k, revive(v)]));
    }
    return value;
  };
  return revive(json) as CyclePositions;
}
