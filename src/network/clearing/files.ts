/**
 * The clearing files of a cycle being closed, written as its transactions
 * stream past (close.ts): one writer of the file format (protocol) per
 * participant, its lines gathered into chunks of `CLEARING_FILE_CHUNK_LINES`
 * and stored some tens of MiB at a time, so that no file is ever whole in memory.
 *
 * A file's lines are ordered by time (to the millisecond), then transaction
 * id, then type; the transactions arrive in completion order (nanoseconds).
 * So the transactions of one millisecond are held back until the next one
 * begins, then sorted and written: the only transactions in memory are those
 * of one millisecond (a few ledger batches at most).
 */
import type { Amount } from '../../money/index.ts';
import { compareClearingRecords, createClearingFileWriter, type ClearingFileWriter, type ClearingRecord } from '../../protocol/index.ts';
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
/** A chunk's buffer to begin with: a chunk of typical lines (about 180 bytes) fits; a larger one grows it. */
const CHUNK_BYTES_FIRST = 256 * 1024;
/** Chunk buffers kept for reuse: those of one store, about `FILE_WRITE_BYTES_MIN` / 180 KiB. */
const SPARE_CHUNK_BUFFERS_MAX = 256;

export interface CycleFiles {
  /** Takes the next transaction, in completion order; its lines are written once its millisecond is over. */
  add(transaction: CycleTransaction): void;
  /** Stores the chunks gathered so far, once there are `FILE_WRITE_BYTES_MIN` of them. */
  store(): Promise<void>;
  /** Writes the last lines, ends every file, stores the rest: each participant's file record, in participant order. */
  finish(): Promise<StoredClearingFile[]>;
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
  chunk: number;
}

interface FileState {
  readonly participant: Participant;
  readonly writer: ClearingFileWriter;
  readonly text: FileText;
}

interface Held {
  readonly acquirer: ClearingRecord;
  readonly wallet: ClearingRecord | null;
  readonly acquirerFile: FileState;
  readonly walletFile: FileState;
}

export function createCycleFiles(input: {
  readonly cycle: Cycle;
  readonly participants: readonly Participant[];
  readonly clearingStore: Pick<ClearingStore, 'insertFileChunks'>;
}): CycleFiles {
  const { cycle } = input;
  let ready: ClearingFileChunk[] = [];
  let readyBuffers: Buffer[] = [];
  let readyBytes = 0;
  // A chunk's buffer is used again once the chunk is stored: a few dozen buffers serve a whole cycle.
  const spare: Buffer[] = [];
  const files = new Map<string, FileState>();
  const seal = (text: FileText): void => {
    if (text.used === 0) return;
    ready.push({ cycleId: cycle.id, participantId: text.participantId, chunk: text.chunk, lines: text.bytes.subarray(0, text.used) });
    readyBuffers.push(text.bytes);
    readyBytes += text.used;
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
    const text: FileText = { participantId: participant.participantId, bytes: Buffer.allocUnsafe(CHUNK_BYTES_FIRST), used: 0, lineCount: 0, chunk: 0 };
    const header = { cycleId: cycle.id, participantId: participant.participantId, opensAt: cycle.opensAt, closesAt: cycle.closesAt };
    const writer = createClearingFileWriter(header, (line) => append(text, line));
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
      const records: StoredClearingFile[] = [];
      for (const state of files.values()) {
        const summary = state.writer.finish();
        seal(state.text);
        if (summary.lineCount !== state.text.lineCount) throw new Error('assertion failed: every line of a file is in its chunks');
        records.push({ cycleId: cycle.id, participantId: state.participant.participantId, checksum: summary.checksum, detailCount: summary.detailCount, lineCount: summary.lineCount });
        if (readyBytes >= FILE_WRITE_BYTES_MIN) await storeReady();
      }
      await storeReady();
      return records;
    },
  };
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
