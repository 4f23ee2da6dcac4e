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
 */
import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { Ledger } from '../../ledger/index.ts';
import type { Currency } from '../../money/index.ts';
import type { NetworkStore } from '../store.ts';
import type { Participant } from '../types.ts';
import type { Cycle } from './cycles.ts';
import { createCycleFiles } from './files.ts';
import { cancellationEntry, createPositionsAccumulator, paymentEntry, refundEntry, type ClearingEntry, type CyclePositions } from './positions.ts';
import type { ClearingStore, StoredClearingFile, StoredInstruction } from './store.ts';
import { cycleTransactions, type CycleTransaction } from './transactions.ts';

export interface ClosedCycle {
  readonly positions: CyclePositions;
  /** The files' records; their chunks are stored already. */
  readonly files: readonly StoredClearingFile[];
  readonly instructions: readonly StoredInstruction[];
}

/** The account the barrier call names: created by the first barrier, `exists` for every later one. */
export const BARRIER_ACCOUNT = { id: 'clearing:barrier', ledger: 'KRW', code: 9 } as const;

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
 */
export async function clearCycle(input: {
  readonly ledger: Ledger;
  readonly store: NetworkStore;
  readonly clearingStore: Pick<ClearingStore, 'insertFileChunks'>;
  readonly participants: readonly Participant[];
  readonly cycle: Cycle;
}): Promise<ClosedCycle> {
  const { cycle } = input;
  const accumulator = createPositionsAccumulator(cycle.id);
  const files = createCycleFiles({ cycle, participants: input.participants, clearingStore: input.clearingStore });
  const merchantCurrencies = [...new Set(input.participants.filter((p) => p.role === 'acquirer').map((p) => p.currency))].sort() as Currency[];
  for await (const page of cycleTransactions({ ledger: input.ledger, store: input.store, cycle, merchantCurrencies })) {
    for (const transaction of page) {
      accumulator.add(entryOf(transaction));
      files.add(transaction);
    }
    await files.store();
    // A page at a time, the network goes on answering while a cycle of millions closes (the reads above settle as microtasks).
    await setImmediate();
  }
  const stored = await files.finish();
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
