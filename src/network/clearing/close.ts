/**
 * Closing a clearing cycle from the network's ledger.
 *
 * A transaction belongs to the cycle of its completion time, and its
 * completion time is the ledger timestamp of its first leg: the ledger assigns
 * timestamps at commit, strictly increasing, so each transaction has exactly
 * one, and the linked legs of one call carry consecutive timestamps (the
 * second leg is the first's + 1 ns). Reading the cycle from the ledger, not
 * from the payment rows, means a cycle holds exactly the money that moved in
 * it: its positions are the ledger's movements by construction.
 *
 * The barrier: a cycle [opensAt, closesAt) is read only once the clock is
 * past `closesAt` and one call has gone through the ledger's writer after
 * that. Batches commit in order and each takes its timestamps from the clock
 * when it is planned, so every transfer that can ever carry a timestamp
 * before `closesAt` is then committed, and every later one carries a later
 * timestamp: a late message completes in the next cycle, never between two.
 *
 * A cycle may hold millions of transactions, so closing it streams: the
 * ledger's merchant-currency transfers of the cycle are read a page at a
 * time, joined with the network's payments and refunds a page at a time
 * (transactions.ts), and each transaction goes into the positions (an
 * accumulator) and into its participants' clearing files, which are written
 * and stored in chunks as they go (files.ts). Memory stays the same whatever
 * the cycle's size: a page, one millisecond of transactions, a chunk per file.
 *
 * The second core: once the first pages show a large cycle, the rest of it is
 * cut in two at a millisecond; another thread (close-worker.ts) clears the
 * later stretch into a segment of every file of its own while this one
 * clears the earlier, and the files are joined at the end (files.ts
 * `sealCycleFiles`). The files are the same bytes whatever the cut.
 */
import { createHash } from 'node:crypto';
import { setImmediate, setTimeout as delay } from 'node:timers/promises';
import type { Ledger } from '../../ledger/index.ts';
import type { Currency } from '../../money/index.ts';
import type { NetworkStore } from '../store.ts';
import type { Participant } from '../types.ts';
import type { Cycle } from './cycles.ts';
import { createSegmentFiles, createSegmentHashing, sealCycleFiles, type SegmentFiles, type SegmentHashing, type WrittenSegment } from './files.ts';
import { cancellationEntry, createPositionsAccumulator, paymentEntry, refundEntry, type ClearingEntry, type CyclePositions, type PositionSums, type PositionsAccumulator } from './positions.ts';
import type { ClearingStore, StoredClearingFile, StoredInstruction } from './store.ts';
import { cycleTransactions, NS_PER_MS, stretchOf, type CycleStretch, type CycleTransaction } from './transactions.ts';

export interface ClosedCycle {
  readonly positions: CyclePositions;
  /** The files' records; their chunks are stored already. */
  readonly files: readonly StoredClearingFile[];
  readonly instructions: readonly StoredInstruction[];
}

/** The account the barrier call names: created by the first barrier, `exists` for every later one. */
export const BARRIER_ACCOUNT = { id: 'clearing:barrier', ledger: 'KRW', code: 9 } as const;

/**
 * Transactions a cycle must still hold, by the pace of the pages read so far,
 * for the rest of it to be cut in two: another thread takes about a second
 * to start, a few tens of thousands of transactions' work.
 */
export const CLEARING_SPLIT_REMAINING_MIN = 100_000;

/** What another thread is given to clear a stretch of a cycle (structured-cloneable). */
export interface StretchJob {
  readonly cycle: Cycle;
  readonly stretch: CycleStretch;
  /** The files' segment it writes. */
  readonly segment: number;
  readonly participants: readonly Participant[];
  readonly merchantCurrencies: readonly Currency[];
  /** Transfers read a page (`CLEARING_PAGE_TRANSFERS` by default). */
  readonly pageTransfers?: number;
}

/** What a stretch cleared: its segment of every file (chunks stored), its positions' sums. */
export interface StretchResult {
  readonly segments: readonly WrittenSegment[];
  readonly sums: PositionSums;
}

/** A stretch being cleared elsewhere: its result, or a way to stop it (a close that failed waits for nothing to be written after it). */
export interface RunningStretch {
  readonly result: Promise<StretchResult>;
  stop(): Promise<void>;
}

/** Starts clearing a stretch on another thread (close-worker.ts), or wherever the caller likes (tests). */
export type StretchRunner = (job: StretchJob) => RunningStretch;

/**
 * Returns once every transfer that could be stamped before now is committed
 * (see the file's comment): one call through the writer, queued behind the
 * batches under way, that writes nothing after the first time.
 */
export async function ledgerBarrier(ledger: Ledger): Promise<void> {
  const [outcome] = await ledger.createAccounts([BARRIER_ACCOUNT]);
  if (outcome?.result !== 'ok' && outcome?.result !== 'exists') throw new Error(`assertion failed: the barrier account is created or exists, got ${outcome?.result}`);
}

/**
 * Reads a closed cycle's transactions and computes their positions and
 * settlement instructions, writing every participant's clearing file into
 * `clearingStore` as it goes (chunks only: the caller writes the cycle, with
 * the files' records, once this returns). The cycle must be behind the
 * barrier, and its chunks left by an earlier, interrupted close discarded.
 * With `runStretch`, a large cycle's later half is cleared by it meanwhile.
 */
export async function clearCycle(input: {
  readonly ledger: Pick<Ledger, 'streamTransfers'>;
  readonly store: Pick<NetworkStore, 'paymentsForClearing' | 'refundsForClearing'>;
  readonly clearingStore: Pick<ClearingStore, 'insertFileChunks' | 'segmentChunks'>;
  readonly participants: readonly Participant[];
  readonly cycle: Cycle;
  readonly runStretch?: StretchRunner;
  /** When to cut (tests cut small cycles); `CLEARING_SPLIT_REMAINING_MIN` by default. */
  readonly splitRemainingMin?: number;
  /** Transfers read a page (`CLEARING_PAGE_TRANSFERS` by default; tests read small ones). */
  readonly pageTransfers?: number;
}): Promise<ClosedCycle> {
  const { cycle, participants } = input;
  const merchantCurrencies = merchantCurrenciesOf(participants);
  const accumulator = createPositionsAccumulator(cycle.id);
  const files = createSegmentFiles({ cycle, segment: 0, participants, clearingStore: input.clearingStore });
  const splitRemainingMin = input.splitRemainingMin ?? CLEARING_SPLIT_REMAINING_MIN;
  const paging = input.pageTransfers === undefined ? {} : { pageTransfers: input.pageTransfers };
  let stretch = stretchOf(cycle);
  let other: RunningStretch | null = null;
  let cleared = 0;
  let afterTransferAt: bigint | undefined;
  try {
    for (let streaming = true; streaming; ) {
      streaming = false;
      for await (const page of cycleTransactions({ ledger: input.ledger, store: input.store, stretch, merchantCurrencies, ...paging, ...(afterTransferAt === undefined ? {} : { afterTransferAt }) })) {
        await clearPage(page.transactions, accumulator, files);
        cleared += page.transactions.length;
        afterTransferAt = page.lastTransferAt;
        if (other !== null || input.runStretch === undefined || remainingOf(cleared, stretch, afterTransferAt) < splitRemainingMin) continue;
        const cut = cutOf(stretch.fromNs, afterTransferAt, stretch.toNs);
        if (cut === null) continue;
        other = input.runStretch({ cycle, stretch: { fromNs: cut, toNs: stretch.toNs }, segment: 1, participants, merchantCurrencies, ...paging });
        // This thread goes on to the cut only: a new stream from the page it stopped at.
        stretch = { fromNs: stretch.fromNs, toNs: cut };
        streaming = true;
        break;
      }
    }
    const segments: (readonly WrittenSegment[])[] = [await files.finish()];
    const hashing = new Map<number, SegmentHashing>();
    if (other !== null) {
      // This thread is usually done first: it hashes the other's segment as it is committed meanwhile.
      const later = createSegmentHashing({ cycleId: cycle.id, participants, segment: 1, hashes: files.hashes, clearingStore: input.clearingStore });
      hashing.set(1, later);
      const result = await whileWaiting(other.result, () => later.step());
      segments.push(result.segments);
      accumulator.addSums(result.sums);
    }
    const stored = await sealCycleFiles({ cycle, participants, segments, hashes: files.hashes, clearingStore: input.clearingStore, hashing });
    const positions = accumulator.finish();
    const instructions: StoredInstruction[] = positions.instructions.map((i) => ({
      instructionId: instructionIdOf(i.cycleId, i.participantId, i.amount.currency),
      cycleId: i.cycleId,
      participantId: i.participantId,
      role: i.role,
      accountId: i.accountId,
      direction: i.direction,
      amount: i.amount,
      status: 'pending',
      settledAt: null,
      reference: null,
    }));
    return { positions, files: stored, instructions };
  } catch (error) {
    // Nothing of this close may be written after it failed: the next close discards what it left.
    await other?.stop();
    throw error;
  }
}

/**
 * Clears one stretch of a cycle into segment `job.segment` of every file:
 * what another thread runs (close-worker.ts), with its own connections.
 */
export async function clearStretch(input: {
  readonly ledger: Pick<Ledger, 'streamTransfers'>;
  readonly store: Pick<NetworkStore, 'paymentsForClearing' | 'refundsForClearing'>;
  readonly clearingStore: Pick<ClearingStore, 'insertFileChunks'>;
  readonly job: StretchJob;
}): Promise<StretchResult> {
  const { job } = input;
  if (!(job.segment >= 1)) throw new Error('assertion failed: a stretch cleared apart writes a segment after the first');
  const accumulator = createPositionsAccumulator(job.cycle.id);
  const files = createSegmentFiles({ cycle: job.cycle, segment: job.segment, participants: job.participants, clearingStore: input.clearingStore });
  const paging = job.pageTransfers === undefined ? {} : { pageTransfers: job.pageTransfers };
  for await (const page of cycleTransactions({ ledger: input.ledger, store: input.store, stretch: job.stretch, merchantCurrencies: job.merchantCurrencies, ...paging })) {
    await clearPage(page.transactions, accumulator, files);
  }
  return { segments: await files.finish(), sums: accumulator.sums() };
}

async function clearPage(transactions: readonly CycleTransaction[], accumulator: PositionsAccumulator, files: SegmentFiles): Promise<void> {
  for (const transaction of transactions) {
    accumulator.add(entryOf(transaction));
    files.add(transaction);
  }
  await files.store();
  // A page at a time, the network goes on answering while a cycle of millions closes (the reads above settle as microtasks).
  await setImmediate();
}

/** The transactions a stretch still holds if they come at the pace of those read so far (`cleared`, up to `readTo`). */
function remainingOf(cleared: number, stretch: CycleStretch, readTo: bigint): number {
  const elapsed = readTo - stretch.fromNs + 1n;
  return Number((BigInt(cleared) * (stretch.toNs - readTo)) / elapsed);
}

/**
 * Where to cut a stretch [fromNs, toNs) read up to `readTo`: a whole
 * millisecond after everything read, at the stretch's middle, which halves
 * the work when transactions come evenly (the day of a busy network), or the
 * middle of what is left once the reading is past it; null when too little
 * is left. A cut that halves the time but not the work only makes the close
 * slower: the files are the same whatever the cut.
 */
function cutOf(fromNs: bigint, readTo: bigint, toNs: bigint): bigint | null {
  for (const [a, b] of [
    [fromNs, toNs],
    [readTo, toNs],
  ] as const) {
    const cut = ((a + b) / 2n / NS_PER_MS) * NS_PER_MS;
    if (cut > readTo && cut < toNs) return cut;
  }
  return null;
}

/** How long the waiting thread rests when the other has committed nothing new to hash. */
const CATCH_UP_IDLE_MS = 20;

/** `promise`'s outcome, running `step` meanwhile (resting `CATCH_UP_IDLE_MS` whenever a step found nothing to do). */
async function whileWaiting<T>(promise: Promise<T>, step: () => Promise<number>): Promise<T> {
  let settled = false;
  const over = promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  while (!settled) {
    if ((await step()) === 0) await Promise.race([over, delay(CATCH_UP_IDLE_MS)]);
  }
  return promise;
}

function merchantCurrenciesOf(participants: readonly Participant[]): Currency[] {
  return [...new Set(participants.filter((p) => p.role === 'acquirer').map((p) => p.currency))].sort() as Currency[];
}

/** An instruction's id: short, and safe in a URL and in a ledger transfer id. */
export function instructionIdOf(cycleId: string, participantId: string, currency: string): string {
  return `SI${createHash('sha256').update(`${cycleId}\n${participantId}\n${currency}`).digest('hex').slice(0, 30)}`;
}

function entryOf(transaction: CycleTransaction): ClearingEntry {
  const { payment, refund } = transaction;
  if (transaction.kind === 'refund') {
    if (refund === null) throw new Error('assertion failed: a refund transaction has its refund');
    return refundEntry(payment, refund);
  }
  return transaction.kind === 'payment' ? paymentEntry(payment) : cancellationEntry(payment);
}
