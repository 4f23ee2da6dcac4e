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
 * never held whole. The chunks form segments: a large cycle is written by
 * several threads side by side, each a stretch of time, and each stretch of a
 * file is a segment of its own (its last chunk may be short); the file's
 * record lists its segments' line counts (`fileLayout` maps a line to its
 * chunk). The chunks are written while the cycle is being closed,
 * before it is; the cycle, its files' records and its instructions are then
 * written in one transaction. A file is read only through its record, which
 * exists only once its cycle is closed, so a closed cycle is still seen whole
 * or not at all; chunks an interrupted close left behind belong to no record
 * and are discarded when the cycle is closed again
 * (`discardUnclosedFileChunks`).
 *
 * This file is the SQLite store (in network.db) and the row mappers both
 * engines share; `store-postgres.ts` is the PostgreSQL one, with the same
 * answers (`store.contract.test.ts` runs one suite on both).
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
/**
 * Chunks one segment of a file may have: a chunk's key is `segment ×
 * CLEARING_FILE_SEGMENT_CHUNKS_MAX + its index in the segment`, so every
 * segment can be written without knowing how long the ones before it are.
 */
export const CLEARING_FILE_SEGMENT_CHUNKS_MAX = 1 << 20;
/** Segments one file may have: the stretches of its cycle written apart, and its tail (TOTAL lines and TRAILER). */
export const CLEARING_FILE_SEGMENTS_MAX = 64;
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
  {
    module: 'network-clearing',
    version: 3,
    name: 'clearing files in segments written side by side',
    // NULL: a file written before, one segment of all its lines.
    sql: `ALTER TABLE clearing_files ADD COLUMN segment_lines TEXT;`,
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
  /** Every line, HEADER to TRAILER. */
  readonly lineCount: number;
  /** The lines of each segment, in order (they add up to `lineCount`); see `fileLayout`. */
  readonly segmentLines: readonly number[];
}

/**
 * Up to `CLEARING_FILE_CHUNK_LINES` lines of a file, each ended by its CRLF,
 * as UTF-8 bytes: the chunk `index` of segment `segment`, whose lines follow
 * those of the chunk before it in the segment.
 */
export interface ClearingFileChunk {
  readonly cycleId: CycleId;
  readonly participantId: string;
  readonly segment: number;
  readonly index: number;
  readonly lines: Buffer;
}

/** Where a file's lines are: its chunks numbered 0, 1, … across its segments, and the key each is stored under. */
export interface FileLayout {
  readonly chunkCount: number;
  /** The stored key of the `ordinal`-th chunk of the file. */
  chunkKey(ordinal: number): number;
  /** The chunk that holds line `line` (0 is the HEADER), and the line it begins with. */
  chunkOfLine(line: number): { readonly ordinal: number; readonly firstLine: number };
}

export function chunkKeyOf(segment: number, index: number): number {
  if (!(Number.isInteger(segment) && segment >= 0 && segment < CLEARING_FILE_SEGMENTS_MAX && Number.isInteger(index) && index >= 0 && index < CLEARING_FILE_SEGMENT_CHUNKS_MAX)) {
    throw new Error(`assertion failed: chunk ${index} of segment ${segment} is within the limits`);
  }
  return segment * CLEARING_FILE_SEGMENT_CHUNKS_MAX + index;
}

export function fileLayout(file: Pick<StoredClearingFile, 'segmentLines'>): FileLayout {
  // Per non-empty segment: its first line, its lines, its first chunk's ordinal, its chunks.
  const segments: { readonly segment: number; readonly firstLine: number; readonly lines: number; readonly firstOrdinal: number; readonly chunks: number }[] = [];
  let line = 0;
  let ordinal = 0;
  file.segmentLines.forEach((lines, segment) => {
    const chunks = Math.ceil(lines / CLEARING_FILE_CHUNK_LINES);
    if (lines > 0) segments.push({ segment, firstLine: line, lines, firstOrdinal: ordinal, chunks });
    line += lines;
    ordinal += chunks;
  });
  const lineCount = line;
  const chunkCount = ordinal;
  // A file has a few segments: a walk is as quick as a search.
  const segmentWhere = (found: (s: (typeof segments)[number]) => boolean, what: string): (typeof segments)[number] => {
    const s = segments.find(found);
    if (s === undefined) throw new Error(`assertion failed: ${what}`);
    return s;
  };
  return {
    chunkCount,
    chunkKey(n) {
      const s = segmentWhere((s) => n >= s.firstOrdinal && n < s.firstOrdinal + s.chunks, `chunk ${n} of ${chunkCount} is in the file`);
      return chunkKeyOf(s.segment, n - s.firstOrdinal);
    },
    chunkOfLine(n) {
      const s = segmentWhere((s) => n >= s.firstLine && n < s.firstLine + s.lines, `line ${n} of ${lineCount} is in the file`);
      const index = Math.floor((n - s.firstLine) / CLEARING_FILE_CHUNK_LINES);
      return { ordinal: s.firstOrdinal + index, firstLine: s.firstLine + index * CLEARING_FILE_CHUNK_LINES };
    },
  };
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
  /** Chunks `fromChunk` to `fromChunk + count − 1` of a file (`fileLayout`'s ordinals), in order (fewer at its end). */
  fileChunks(file: StoredClearingFile, fromChunk: number, count: number): Promise<string[]>;
  /** The bytes of chunks `fromIndex` onwards of one segment of a file being written, at most `count`, in order (fewer at its end). */
  segmentChunks(cycleId: string, participantId: string, segment: number, fromIndex: number, count: number): Promise<Buffer[]>;
  instructionsOf(cycleId: string): Promise<StoredInstruction[]>;
  instruction(instructionId: string): Promise<StoredInstruction | null>;
  /** pending → settled; false if it was not pending. */
  settleInstruction(instructionId: string, reference: string, at: Date): Promise<boolean>;
}

/** A row as a driver returns it: integers as `bigint` (better-sqlite3's safe integers, `POSTGRES_INTEGER_TYPES`). */
export type Row = Record<string, unknown>;

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
        for (const c of chunks) insert.run(c.cycleId, c.participantId, chunkKeyOf(c.segment, c.index), c.lines);
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
            // ON CONFLICT, not OR IGNORE: OR IGNORE would skip a row that breaks a CHECK too, and answer `exists`.
            `INSERT INTO clearing_cycles (cycle_id, opens_at, closes_at, closed_at, entry_count, positions) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cycle_id) DO NOTHING`,
          ).run(cycle.cycleId, cycle.opensAt.toISOString(), cycle.closesAt.toISOString(), cycle.closedAt.toISOString(), cycle.entryCount, JSON.stringify(positionsToJson(cycle.positions)));
          if (inserted.changes === 0) return 'exists';
          for (const file of files) {
            // The chunks were written before the cycle; a missing or extra one is a bug of the close, not data to keep.
            const { chunks } = prepareCached(db, 'SELECT COUNT(*) AS chunks FROM clearing_file_chunks WHERE cycle_id = ? AND participant_id = ?').get(file.cycleId, file.participantId) as {
              chunks: bigint;
            };
            const expected = checkedLayout(file).chunkCount;
            if (Number(chunks) !== expected) {
              throw new Error(`assertion failed: the file of ${file.participantId} for ${file.cycleId} has its ${expected} chunks, found ${chunks}`);
            }
            prepareCached(db, 'INSERT INTO clearing_files (cycle_id, participant_id, checksum, detail_count, line_count, segment_lines) VALUES (?, ?, ?, ?, ?, ?)').run(
              file.cycleId,
              file.participantId,
              file.checksum,
              file.detailCount,
              file.lineCount,
              JSON.stringify(file.segmentLines),
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
      return row ? clearingFileFromRow(row) : null;
    },
    async fileChunks(file, fromChunk, count) {
      const layout = fileLayout(file);
      const last = Math.min(fromChunk + count, layout.chunkCount) - 1;
      if (last < fromChunk) return [];
      const rows = prepareCached(
        db,
        'SELECT chunk, lines FROM clearing_file_chunks WHERE cycle_id = ? AND participant_id = ? AND chunk BETWEEN ? AND ? ORDER BY chunk',
      ).all(file.cycleId, file.participantId, layout.chunkKey(fromChunk), layout.chunkKey(last)) as { chunk: bigint; lines: Buffer }[];
      return checkedChunks(file, layout, fromChunk, last, rows);
    },
    async segmentChunks(cycleId, participantId, segment, fromIndex, count) {
      const rows = prepareCached(
        db,
        'SELECT chunk, lines FROM clearing_file_chunks WHERE cycle_id = ? AND participant_id = ? AND chunk >= ? AND chunk < ? ORDER BY chunk LIMIT ?',
      ).all(cycleId, participantId, chunkKeyOf(segment, fromIndex), (segment + 1) * CLEARING_FILE_SEGMENT_CHUNKS_MAX, count) as { chunk: bigint; lines: Buffer }[];
      return checkedSegmentChunks(cycleId, participantId, segment, fromIndex, rows);
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

export function clearingFileFromRow(row: Row): StoredClearingFile {
  return {
    cycleId: row['cycle_id'] as CycleId,
    participantId: row['participant_id'] as string,
    checksum: row['checksum'] as string,
    detailCount: Number(row['detail_count']),
    lineCount: Number(row['line_count']),
    segmentLines: segmentLinesFromColumn(row['segment_lines'], Number(row['line_count'])),
  };
}

/** The segments a stored file's row lists; a file written before segments is one segment of all its lines. */
export function segmentLinesFromColumn(value: unknown, lineCount: number): number[] {
  if (value === null || value === undefined) return [lineCount];
  const parsed = JSON.parse(String(value)) as unknown;
  if (!(Array.isArray(parsed) && parsed.every((n) => Number.isInteger(n) && n >= 0) && parsed.reduce((a: number, n: number) => a + n, 0) === lineCount)) {
    throw new Error(`assertion failed: a stored file's segments add up to its ${lineCount} lines, got ${String(value)}`);
  }
  return parsed as number[];
}

/** A file's layout, once its record is checked to be one a reader can follow. */
export function checkedLayout(file: StoredClearingFile): FileLayout {
  const lines = file.segmentLines.reduce((a, n) => a + n, 0);
  if (!(file.segmentLines.length >= 1 && file.segmentLines.length <= CLEARING_FILE_SEGMENTS_MAX && lines === file.lineCount)) {
    throw new Error(`assertion failed: the ${file.segmentLines.length} segments of ${file.participantId}'s file for ${file.cycleId} add up to its ${file.lineCount} lines`);
  }
  return fileLayout(file);
}

/** Chunks `from` to `last` of a file as text, once each row is found where the layout says. */
export function checkedChunks(file: StoredClearingFile, layout: FileLayout, from: number, last: number, rows: readonly { readonly chunk: bigint | number; readonly lines: Buffer }[]): string[] {
  if (rows.length !== last - from + 1) throw new Error(`assertion failed: chunks ${from} to ${last} of ${file.participantId}'s file for ${file.cycleId} are stored, found ${rows.length}`);
  return rows.map((row, i) => {
    if (Number(row.chunk) !== layout.chunkKey(from + i)) throw new Error(`assertion failed: chunk ${from + i} of ${file.participantId}'s file for ${file.cycleId} is stored`);
    return row.lines.toString('utf8');
  });
}

/** Chunks `fromIndex` onwards of a segment, once each row is found in its place. */
export function checkedSegmentChunks(cycleId: string, participantId: string, segment: number, fromIndex: number, rows: readonly { readonly chunk: bigint | number; readonly lines: Buffer }[]): Buffer[] {
  return rows.map((row, i) => {
    if (Number(row.chunk) !== chunkKeyOf(segment, fromIndex + i)) throw new Error(`assertion failed: chunk ${fromIndex + i} of segment ${segment} of ${participantId}'s file for ${cycleId} is stored`);
    return row.lines;
  });
}

export function instructionFromRow(row: Row): StoredInstruction {
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

export function cycleFromRow(row: Row): StoredCycle {
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

export function positionsToJson(positions: CyclePositions): unknown {
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
