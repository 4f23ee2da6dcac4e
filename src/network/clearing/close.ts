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
 */
import { createHash } from 'node:crypto';
import type { Ledger, LedgerTimestamp, Transfer } from '../../ledger/index.ts';
import { PAGE_TRANSFERS_MAX } from '../../ledger/index.ts';
import { amount, type Amount } from '../../money/index.ts';
import { clearingFileChecksum, writeClearingFile, type ClearingRecord } from '../../protocol/index.ts';
import { participantAccountId } from '../postings.ts';
import type { NetworkStore } from '../store.ts';
import type { NetworkPayment, NetworkRefund, Participant } from '../types.ts';
import type { Cycle } from './cycles.ts';
import { cancellationEntry, createPositionsAccumulator, paymentEntry, refundEntry, type CyclePositions } from './positions.ts';
import type { StoredClearingFile, StoredInstruction } from './store.ts';

const NS_PER_MS = 1_000_000n;
/** The transfer ids the network's money moves carry (postings.ts); settlements (`settle:`) are not clearing entries. */
const MOVE_ID = /^(pay|refund|cancel):([A-Za-z0-9_-]+):([A-Z]{3})$/;
const SETTLEMENT_ID_PREFIX = 'settle:';

export interface ClosedCycle {
  readonly positions: CyclePositions;
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

interface Move {
  readonly kind: 'payment' | 'refund' | 'cancellation';
  readonly payment: NetworkPayment;
  readonly refund: NetworkRefund | null;
  /** The ledger timestamp of the transaction's first leg. */
  readonly completedAt: LedgerTimestamp;
}

/**
 * Reads a closed cycle's transactions for every participant, and computes
 * their positions, clearing files and settlement instructions. Pure but for
 * the reads: the caller stores the result.
 */
export async function clearCycle(input: {
  readonly ledger: Ledger;
  readonly store: NetworkStore;
  readonly participants: readonly Participant[];
  readonly cycle: Cycle;
}): Promise<ClosedCycle> {
  const { cycle } = input;
  const accumulator = createPositionsAccumulator(cycle.id);
  const files: StoredClearingFile[] = [];
  const counted = new Set<string>();
  for (const participant of input.participants) {
    const moves = await movesOf(input, participant);
    const records = moves.map((move) => recordOf(participant, move));
    for (const move of moves) {
      // Each transaction is counted once in the positions, from whichever side reads it first.
      const key = `${move.kind}:${move.refund?.refundId ?? move.payment.paymentId}`;
      if (counted.has(key)) continue;
      counted.add(key);
      accumulator.add(move.kind === 'payment' ? paymentEntry(move.payment) : move.kind === 'refund' ? refundEntry(move.payment, move.refund!) : cancellationEntry(move.payment));
    }
    const content = writeClearingFile({
      header: { cycleId: cycle.id, participantId: participant.participantId, opensAt: cycle.opensAt, closesAt: cycle.closesAt },
      records,
    });
    files.push({ cycleId: cycle.id, participantId: participant.participantId, content, checksum: clearingFileChecksum(content), detailCount: records.length });
  }
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
  return { positions, files, instructions };
}

/** An instruction's id: short, and safe in a URL and in a ledger transfer id. */
export function instructionIdOf(cycleId: string, participantId: string, currency: string): string {
  return `SI${createHash('sha256').update(`${cycleId}\n${participantId}\n${currency}`).digest('hex').slice(0, 30)}`;
}

/** A participant's legs in the cycle, read from its position account, each attributed to its transaction's completion. */
async function movesOf(input: { readonly ledger: Ledger; readonly store: NetworkStore; readonly cycle: Cycle }, participant: Participant): Promise<Move[]> {
  const opensAt = BigInt(input.cycle.opensAt.getTime()) * NS_PER_MS;
  const closesAt = BigInt(input.cycle.closesAt.getTime()) * NS_PER_MS;
  const moves: Move[] = [];
  // Legs stamped `closesAt` itself may be the second leg of a transaction that completed at `closesAt − 1`.
  let cursor: LedgerTimestamp | null = opensAt - 1n;
  while (cursor !== null) {
    const page = await input.ledger.getAccountTransfers({ accountId: participantAccountId(participant), cursorTimestamp: cursor, limit: PAGE_TRANSFERS_MAX });
    cursor = page.nextTimestamp;
    for (const transfer of page.transfers) {
      if (transfer.timestamp > closesAt) return moves;
      const move = await moveOf(input.store, transfer);
      if (move && move.completedAt >= opensAt && move.completedAt < closesAt) moves.push(move);
    }
  }
  return moves;
}

async function moveOf(store: NetworkStore, transfer: Transfer): Promise<Move | null> {
  if (transfer.id.startsWith(SETTLEMENT_ID_PREFIX)) return null;
  const match = MOVE_ID.exec(transfer.id);
  if (!match) throw new Error(`assertion failed: the network's ledger holds only its own moves, got ${transfer.id}`);
  const [, verb, domainId, legCurrency] = match as unknown as [string, 'pay' | 'refund' | 'cancel', string, string];
  let payment: NetworkPayment | null;
  let refund: NetworkRefund | null = null;
  if (verb === 'refund') {
    refund = await store.refundById(domainId);
    if (!refund) throw new Error(`assertion failed: refund ${domainId} of transfer ${transfer.id} is recorded`);
    payment = await store.paymentById(refund.paymentId);
  } else {
    payment = await store.paymentById(domainId);
  }
  if (!payment) throw new Error(`assertion failed: the payment of transfer ${transfer.id} is recorded`);
  // The merchant-currency leg comes second in its call whenever a pay-currency leg exists (postings.ts legs()).
  const hasFirstLeg = refund === null || refund.refundPayAmount.value > 0n;
  const isSecondLeg = legCurrency === payment.paymentAmount.currency && hasFirstLeg;
  return {
    kind: verb === 'pay' ? 'payment' : verb === 'refund' ? 'refund' : 'cancellation',
    payment,
    refund,
    completedAt: isSecondLeg ? transfer.timestamp - 1n : transfer.timestamp,
  };
}

/** One line of a participant's clearing file: its side of the transaction. */
function recordOf(participant: Participant, move: Move): ClearingRecord {
  const { payment, refund } = move;
  const isWallet = participant.role === 'wallet';
  const transactionAmount: Amount = refund ? refund.refundAmount : payment.paymentAmount;
  const walletAmount = refund ? refund.refundPayAmount : payment.payAmount;
  const settlementAmount = isWallet ? walletAmount : transactionAmount;
  // From the participant's side: a wallet owes more for a payment, an acquirer is owed more.
  const forward = move.kind === 'payment';
  const direction = forward === isWallet ? 'DEBIT' : 'CREDIT';
  return {
    transactionType: move.kind === 'payment' ? 'PAYMENT' : move.kind === 'refund' ? 'REFUND' : 'CANCELLATION',
    transactionId: refund ? refund.refundId : payment.paymentId,
    paymentId: payment.paymentId,
    requestId: isWallet ? '' : refund ? refund.refundRequestId : payment.paymentRequestId,
    transactionTime: new Date(Number(move.completedAt / NS_PER_MS)),
    transactionAmount,
    settlementAmount: amount(settlementAmount.currency, settlementAmount.value),
    direction,
    fxRate: { base: payment.fxQuote.base, quote: payment.fxQuote.quote, rate: payment.fxQuote.rate },
  };
}
