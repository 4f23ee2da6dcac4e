/**
 * The clearing files of a cycle being closed, written as its transactions
 * stream past (close.ts), a stretch of the cycle at a time: a segment of
 * every participant's file per stretch (store.ts), several stretches side by
 * side on several threads, then joined (`sealCycleFiles`). Each file's lines
 * are gathered into chunks of `CLEARING_FILE_CHUNK_LINES` and stored some
 * tens of MiB at a time, so that no file is ever whole in memory.
 *
 * A file's lines are ordered by time (to the millisecond), then transaction
 * id, then type; the transactions arrive in completion order (nanoseconds).
 * So the transactions of one millisecond are held back until the next one
 * begins, then sorted and written: the only transactions in memory are those
 * of one millisecond (a few ledger batches at most). Stretches begin and end
 * on a millisecond, so they follow one another in the file's order.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Amount } from '../../money/index.ts';
import {
  CLEARING_FILE_BYTES_MAX,
  CLEARING_FILE_LINES_MAX,
  clearingFileHeaderLine,
  clearingFileTail,
  clearingFileTrailer,
  compareClearingRecords,
  createClearingDetailWriter,
  type ClearingDetailTotals,
  type ClearingDetailWriter,
  type ClearingRecord,
} from '../../protocol/index.ts';
import type { Participant, ParticipantRole } from '../types.ts';
import type { Cycle } from './cycles.ts';
import { CLEARING_FILE_CHUNK_LINES, type ClearingFileChunk, type ClearingStore, type StoredClearingFile } from './store.ts';
import { NS_PER_MS, type CycleTransaction } from './transactions.ts';

/**
 * Bytes of chunks gathered before they are stored: one write and one commit
 * per 32 MiB of files (8 MiB made the commits and checkpoints of a 10-million
 * cycle about 5 s slower; docs/PERFORMANCE.md).
 */
export const FILE_WRITE_BYTES_MIN = 32 * 1024 * 1024;
/** Chunks read back at a time when a file's later segments are hashed: about 12 MiB. */
const SEGMENT_READ_CHUNKS = 64;
/** A chunk's buffer to begin with: a chunk of typical lines (about 180 bytes) fits; a larger one grows it. */
const CHUNK_BYTES_FIRST = 256 * 1024;
/** Chunk buffers kept for reuse: those of one store, about `FILE_WRITE_BYTES_MIN` / 180 KiB. */
const SPARE_CHUNK_BUFFERS_MAX = 256;

/** One participant's segment, written: what the file's record and its tail need of it. */
export interface WrittenSegment {
  readonly participantId: string;
  /** Lines of the segment (the HEADER included, in the first). */
  readonly lineCount: number;
  readonly byteCount: number;
  readonly detailCount: number;
  readonly totals: ClearingDetailTotals;
}

export interface SegmentFiles {
  /** Takes the next transaction, in completion order; its lines are written once its millisecond is over. */
  add(transaction: CycleTransaction): void;
  /** Stores the chunks gathered so far, once there are `FILE_WRITE_BYTES_MIN` of them. */
  store(): Promise<void>;
  /** Writes the last lines and stores the rest: each participant's segment, in participant order. */
  finish(): Promise<WrittenSegment[]>;
}

/**
 * A file's lines not stored yet (those of its current chunk), as UTF-8 bytes:
 * copied into a buffer as each is written, a line's text is garbage at once,
 * instead of living on in the heap for a whole chunk.
 */
interface FileText {
  readonly participantId: string;
  bytes: Buffer;
  used: number;
  lineCount: number;
  byteCount: number;
  chunk: number;
  /** The file's checksum so far, in the segment that begins the file; null in the others (`sealCycleFiles` reads them back). */
  readonly hash: Hash | null;
}

interface FileState {
  readonly participant: Participant;
  readonly writer: ClearingDetailWriter;
  readonly text: FileText;
}

interface Held {
  readonly acquirer: ClearingRecord;
  readonly wallet: ClearingRecord | null;
  readonly acquirerFile: FileState;
  readonly walletFile: FileState;
}

/**
 * Segment `segment` of every participant's file: the first (0) begins with
 * the HEADER and keeps each file's checksum as it goes (`hashes`), the others
 * hold DETAIL lines only.
 */
export function createSegmentFiles(input: {
  readonly cycle: Cycle;
  readonly segment: number;
  readonly participants: readonly Participant[];
  readonly clearingStore: Pick<ClearingStore, 'insertFileChunks'>;
}): SegmentFiles & { readonly hashes: ReadonlyMap<string, Hash> } {
  const { cycle, segment } = input;
  const first = segment === 0;
  let ready: ClearingFileChunk[] = [];
  let readyBuffers: Buffer[] = [];
  let readyBytes = 0;
  // A chunk's buffer is used again once the chunk is stored: a few dozen buffers serve a whole cycle.
  const spare: Buffer[] = [];
  const files = new Map<string, FileState>();
  const hashes = new Map<string, Hash>();
  const seal = (text: FileText): void => {
    if (text.used === 0) return;
    const lines = text.bytes.subarray(0, text.used);
    text.hash?.update(lines);
    ready.push({ cycleId: cycle.id, participantId: text.participantId, segment, index: text.chunk, lines });
    readyBuffers.push(text.bytes);
    readyBytes += text.used;
    text.byteCount += text.used;
    text.chunk += 1;
    text.bytes = spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES_FIRST);
    text.used = 0;
  };
  const append = (text: FileText, line: string): void => {
    // A character is at most 3 bytes in UTF-8 (a surrogate pair, 4 for 2).
    if (text.used + line.length * 3 > text.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(text.bytes.length * 2, text.used + line.length * 3));
      text.bytes.copy(grown, 0, 0, text.used);
      text.bytes = grown;
    }
    text.used += text.bytes.write(line, text.used, 'utf8');
    text.lineCount += 1;
    if (text.lineCount % CLEARING_FILE_CHUNK_LINES === 0) seal(text);
  };
  for (const participant of input.participants) {
    const hash = first ? createHash('sha256') : null;
    if (hash !== null) hashes.set(participant.participantId, hash);
    const text: FileText = { participantId: participant.participantId, bytes: Buffer.allocUnsafe(CHUNK_BYTES_FIRST), used: 0, lineCount: 0, byteCount: 0, chunk: 0, hash };
    const header = { cycleId: cycle.id, participantId: participant.participantId, opensAt: cycle.opensAt, closesAt: cycle.closesAt };
    if (first) append(text, clearingFileHeaderLine(header));
    const writer = createClearingDetailWriter(header, (line) => append(text, line));
    files.set(participant.participantId, { participant, writer, text });
  }
  const fileOf = (role: ParticipantRole, participantId: string): FileState => {
    const state = files.get(participantId);
    if (state === undefined || state.participant.role !== role) throw new Error(`assertion failed: ${role} ${participantId} of a cleared transaction is a participant`);
    return state;
  };
  const storeReady = async (): Promise<void> => {
    const [chunks, buffers] = [ready, readyBuffers];
    ready = [];
    readyBuffers = [];
    readyBytes = 0;
    if (chunks.length > 0) await input.clearingStore.insertFileChunks(chunks);
    // Stored (the statement copied each chunk): the buffers are free, but for a few, in case a file grew one.
    for (const buffer of buffers) if (spare.length < SPARE_CHUNK_BUFFERS_MAX) spare.push(buffer);
  };

  let held: Held[] = [];
  let heldMs = -1n;
  const writeHeld = (): void => {
    held.sort((a, b) => compareClearingRecords(a.acquirer, b.acquirer));
    for (const h of held) {
      h.acquirerFile.writer.add(h.acquirer);
      if (h.wallet !== null) h.walletFile.writer.add(h.wallet);
    }
    held = [];
  };

  return {
    hashes,
    add(transaction) {
      const ms = transaction.completedAt / NS_PER_MS;
      if (ms !== heldMs) {
        writeHeld();
        heldMs = ms;
      }
      const time = new Date(Number(ms));
      const { payment } = transaction;
      held.push({
        acquirer: recordOf('acquirer', transaction, time),
        wallet: transaction.walletLeg ? recordOf('wallet', transaction, time) : null,
        acquirerFile: fileOf('acquirer', payment.acquirerId),
        walletFile: fileOf('wallet', payment.walletId),
      });
    },
    async store() {
      if (readyBytes >= FILE_WRITE_BYTES_MIN) await storeReady();
    },
    async finish() {
      writeHeld();
      const written: WrittenSegment[] = [];
      for (const { text, writer } of files.values()) {
        seal(text);
        written.push({ participantId: text.participantId, lineCount: text.lineCount, byteCount: text.byteCount, detailCount: writer.detailCount, totals: writer.totals });
        if (readyBytes >= FILE_WRITE_BYTES_MIN) await storeReady();
      }
      await storeReady();
      return written;
    },
  };
}

/**
 * Carries each file's checksum (`hashes`, the segments before this one
 * hashed) through one later segment, reading its chunks back as they are
 * committed: while another thread is still writing it, each `step` hashes
 * what has been stored since the last (a file's chunks are stored in order),
 * so that little is left once it is done.
 */
export interface SegmentHashing {
  /** Hashes the chunks stored since the last step; the bytes hashed (0: nothing new). */
  step(): Promise<number>;
  /** Bytes of the participant's segment hashed so far. */
  hashedBytes(participantId: string): number;
}

export function createSegmentHashing(input: {
  readonly cycleId: string;
  readonly participants: readonly Participant[];
  readonly segment: number;
  readonly hashes: ReadonlyMap<string, Hash>;
  readonly clearingStore: Pick<ClearingStore, 'segmentChunks'>;
}): SegmentHashing {
  const progress = new Map(input.participants.map((p) => [p.participantId, { index: 0, bytes: 0 }]));
  return {
    async step() {
      let hashed = 0;
      for (const [participantId, done] of progress) {
        const hash = input.hashes.get(participantId);
        if (hash === undefined) throw new Error(`assertion failed: the first segment hashed ${participantId}'s file`);
        for (;;) {
          const chunks = await input.clearingStore.segmentChunks(input.cycleId, participantId, input.segment, done.index, SEGMENT_READ_CHUNKS);
          for (const chunk of chunks) {
            hash.update(chunk);
            done.bytes += chunk.length;
            hashed += chunk.length;
          }
          done.index += chunks.length;
          if (chunks.length < SEGMENT_READ_CHUNKS) break;
        }
      }
      return hashed;
    },
    hashedBytes: (participantId) => progress.get(participantId)?.bytes ?? 0,
  };
}

/**
 * Ends every participant's file once all its segments are written: hashes
 * the segments after the first (reading them back, from where `hashing`
 * got to while they were written), writes the TOTAL lines and the TRAILER
 * as a last segment of their own, and gives each file's record, in
 * participant order. `segments[s]` are segment s's written segments, in
 * participant order; `hashes` the first segment's checksums.
 */
export async function sealCycleFiles(input: {
  readonly cycle: Cycle;
  readonly participants: readonly Participant[];
  readonly segments: readonly (readonly WrittenSegment[])[];
  readonly hashes: ReadonlyMap<string, Hash>;
  readonly clearingStore: Pick<ClearingStore, 'insertFileChunks' | 'segmentChunks'>;
  /** Segment s's hashing begun while it was written (`hashing[s]`), if any. */
  readonly hashing?: ReadonlyMap<number, SegmentHashing>;
}): Promise<StoredClearingFile[]> {
  for (let s = 1; s < input.segments.length; s += 1) {
    const hashing = input.hashing?.get(s) ?? createSegmentHashing({ cycleId: input.cycle.id, participants: input.participants, segment: s, hashes: input.hashes, clearingStore: input.clearingStore });
    while ((await hashing.step()) > 0);
    for (const part of input.segments[s]!) {
      const hashed = hashing.hashedBytes(part.participantId);
      if (hashed !== part.byteCount) throw new Error(`assertion failed: segment ${s} of ${part.participantId}'s file is stored whole (${part.byteCount} bytes), read ${hashed}`);
    }
  }
  const { cycle } = input;
  const tailSegment = input.segments.length;
  const records: StoredClearingFile[] = [];
  const tails: ClearingFileChunk[] = [];
  for (const [p, participant] of input.participants.entries()) {
    const { participantId } = participant;
    const parts = input.segments.map((segment) => {
      const part = segment[p];
      if (part?.participantId !== participantId) throw new Error(`assertion failed: every segment has ${participantId}'s file in participant order`);
      return part;
    });
    const hash = input.hashes.get(participantId);
    if (hash === undefined) throw new Error(`assertion failed: the first segment hashed ${participantId}'s file`);
    const detailCount = parts.reduce((n, part) => n + part.detailCount, 0);
    const totals = new Map<ClearingRecord['settlementAmount']['currency'], { debit: bigint; credit: bigint }>();
    for (const part of parts) {
      for (const [currency, sum] of part.totals) {
        const total = totals.get(currency) ?? { debit: 0n, credit: 0n };
        totals.set(currency, { debit: total.debit + sum.debit, credit: total.credit + sum.credit });
      }
    }
    const tail = clearingFileTail(detailCount, totals);
    const beforeChecksum = tail.totalLines.join('') + tail.trailerPrefix;
    hash.update(beforeChecksum, 'utf8');
    const checksum = hash.digest('hex');
    const tailText = tail.totalLines.join('') + clearingFileTrailer(detailCount, checksum);
    const tailLines = tail.totalLines.length + 1;
    const segmentLines = [...parts.map((part) => part.lineCount), tailLines];
    const lineCount = segmentLines.reduce((n, lines) => n + lines, 0);
    const byteCount = parts.reduce((n, part) => n + part.byteCount, 0) + Buffer.byteLength(tailText, 'utf8');
    if (lineCount > CLEARING_FILE_LINES_MAX || byteCount > CLEARING_FILE_BYTES_MAX) {
      throw new Error(`assertion failed: ${participantId}'s clearing file for ${cycle.id} has at most ${CLEARING_FILE_LINES_MAX} lines and ${CLEARING_FILE_BYTES_MAX} bytes, got ${lineCount} and ${byteCount}`);
    }
    tails.push({ cycleId: cycle.id, participantId, segment: tailSegment, index: 0, lines: Buffer.from(tailText, 'utf8') });
    records.push({ cycleId: cycle.id, participantId, checksum, detailCount, lineCount, segmentLines });
  }
  if (tails.length > 0) await input.clearingStore.insertFileChunks(tails);
  return records;
}

/** One line of a participant's clearing file: its side of the transaction. */
function recordOf(role: ParticipantRole, transaction: CycleTransaction, time: Date): ClearingRecord {
  const { payment, refund } = transaction;
  const isWallet = role === 'wallet';
  const transactionAmount: Amount = refund ? refund.refundAmount : payment.paymentAmount;
  const walletAmount = refund ? refund.refundPayAmount : payment.payAmount;
  const settlementAmount = isWallet ? walletAmount : transactionAmount;
  // From the participant's side: a wallet owes more for a payment, an acquirer is owed more.
  const forward = transaction.kind === 'payment';
  return {
    transactionType: transaction.kind === 'payment' ? 'PAYMENT' : transaction.kind === 'refund' ? 'REFUND' : 'CANCELLATION',
    transactionId: refund ? refund.refundId : payment.paymentId,
    paymentId: payment.paymentId,
    requestId: isWallet ? '' : refund ? refund.refundRequestId : payment.paymentRequestId,
    transactionTime: time,
    transactionAmount,
    settlementAmount,
    direction: forward === isWallet ? 'DEBIT' : 'CREDIT',
    // The locked quote is the rate (its id rides along unread): no object of its own per line.
    fxRate: payment.fxQuote,
  };
}
