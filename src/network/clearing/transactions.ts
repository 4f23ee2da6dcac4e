/**
 * The transactions of a clearing cycle, read off the network's ledger as a
 * stream and joined with the network's own rows a page at a time.
 *
 * Every move of the network (postings.ts) has exactly one leg in the
 * merchant's currency: a payment, a refund and a cancellation all move the
 * acquirer's side, whatever their wallet amount. So the merchant-currency
 * ledgers, read in timestamp order, hold each transaction exactly once; the
 * wallet's leg, when there is one, is linked to it in the same call, so it
 * exists exactly when its amount is positive and was stamped just before.
 * One pass over those ledgers gives every transaction of the cycle once, in
 * completion order, without remembering which were seen.
 *
 * A transaction's completion is the timestamp of its first leg (close.ts): the
 * merchant leg's own, or one less when a wallet leg came first. So the pass
 * reads from `opensAt` to `closesAt` itself, both included: a merchant leg
 * stamped `closesAt` completes a transaction at `closesAt − 1`, in the cycle,
 * and one stamped `opensAt` may complete one at `opensAt − 1`, before it.
 */
import type { Ledger, LedgerTimestamp, Transfer } from '../../ledger/index.ts';
import type { Currency } from '../../money/index.ts';
import { participantAccountId } from '../postings.ts';
import type { NetworkStore } from '../store.ts';
import type { ClearingPayment, ClearingRefund } from '../types.ts';
import type { Cycle } from './cycles.ts';
import type { ClearingEntryKind } from './positions.ts';

export const NS_PER_MS = 1_000_000n;
/** The transfer ids the network's money moves carry (postings.ts); settlements (`settle:`) are not clearing entries. */
const MOVE_ID = /^(pay|refund|cancel):([A-Za-z0-9_-]+):([A-Z]{3})$/;
const SETTLEMENT_ID_PREFIX = 'settle:';
/**
 * Transfers read, and transactions joined, at a time: few statements per
 * million, and a page's objects die young (a page that outlives several
 * collections of the young generation is copied, then promoted, for nothing).
 */
export const CLEARING_PAGE_TRANSFERS = 2_048;
const KIND_OF_VERB = { pay: 'payment', refund: 'refund', cancel: 'cancellation' } as const satisfies Record<string, ClearingEntryKind>;

/** One payment, refund or cancellation of a cycle, with the rows its lines and its entry need. */
export interface CycleTransaction {
  readonly kind: ClearingEntryKind;
  readonly payment: ClearingPayment;
  /** The refund, for a refund; null otherwise. */
  readonly refund: ClearingRefund | null;
  /** The ledger timestamp of the transaction's first leg: what puts it in its cycle. */
  readonly completedAt: LedgerTimestamp;
  /** Whether money moved on the wallet's side (a refund of 0 fen moves none): a line of the wallet's file too. */
  readonly walletLeg: boolean;
}

/** A page of the stream: its transactions, and the timestamp of the page's last transfer, from which the stream can go on. */
export interface TransactionPage {
  readonly transactions: readonly CycleTransaction[];
  readonly lastTransferAt: LedgerTimestamp;
}

/**
 * A stretch of a cycle: the transactions completed in [fromNs, toNs), both a
 * whole millisecond, so that the stretches of a cycle follow one another in
 * the clearing files' order. A cycle is its own single stretch.
 */
export interface CycleStretch {
  readonly fromNs: LedgerTimestamp;
  readonly toNs: LedgerTimestamp;
}

export function stretchOf(cycle: Pick<Cycle, 'opensAt' | 'closesAt'>): CycleStretch {
  return { fromNs: BigInt(cycle.opensAt.getTime()) * NS_PER_MS, toNs: BigInt(cycle.closesAt.getTime()) * NS_PER_MS };
}

interface Move {
  readonly transfer: Transfer;
  readonly verb: keyof typeof KIND_OF_VERB;
  readonly domainId: string;
}

/**
 * A stretch's transactions in completion order, a page of the ledger at a
 * time (each page one read of the ledger and at most two of the network's
 * tables), from the transfer after `afterTransferAt` when given (to go on
 * from a page already read). The stretch must be behind the ledger barrier
 * (close.ts).
 */
export async function* cycleTransactions(input: {
  readonly ledger: Pick<Ledger, 'streamTransfers'>;
  readonly store: Pick<NetworkStore, 'paymentsForClearing' | 'refundsForClearing'>;
  readonly stretch: CycleStretch;
  readonly afterTransferAt?: LedgerTimestamp;
  /** The currencies the acquirers settle in: the ledgers that hold every transaction's merchant leg. */
  readonly merchantCurrencies: readonly Currency[];
  /** `CLEARING_PAGE_TRANSFERS` by default. */
  readonly pageTransfers?: number;
}): AsyncGenerator<TransactionPage> {
  const { fromNs, toNs } = input.stretch;
  if (!(fromNs % NS_PER_MS === 0n && toNs % NS_PER_MS === 0n && fromNs < toNs)) throw new Error('assertion failed: a stretch is whole milliseconds, not empty');
  const from = input.afterTransferAt === undefined ? fromNs : input.afterTransferAt + 1n;
  if (from > toNs) return;
  const pages = input.ledger.streamTransfers({ fromTimestamp: from, toTimestamp: toNs, ledgers: input.merchantCurrencies, pageTransfers: input.pageTransfers ?? CLEARING_PAGE_TRANSFERS });
  for await (const page of pages) {
    const moves = page.flatMap((transfer) => {
      const move = moveOf(transfer);
      return move === null ? [] : [move];
    });
    const transactions = (await joinRows(input.store, moves)).filter((t) => t.completedAt >= fromNs && t.completedAt < toNs);
    yield { transactions, lastTransferAt: page.at(-1)!.timestamp };
  }
}

function moveOf(transfer: Transfer): Move | null {
  if (transfer.id.startsWith(SETTLEMENT_ID_PREFIX)) return null;
  const match = MOVE_ID.exec(transfer.id);
  if (!match) throw new Error(`assertion failed: the network's ledger holds only its own moves, got ${transfer.id}`);
  const [, verb, domainId, legCurrency] = match as unknown as [string, Move['verb'], string, string];
  if (legCurrency !== transfer.ledger) throw new Error(`assertion failed: transfer ${transfer.id} is in its own currency's ledger, not ${transfer.ledger}`);
  return { transfer, verb, domainId };
}

/** The page's payments and refunds, read in one statement each, joined to its moves. */
async function joinRows(store: Pick<NetworkStore, 'paymentsForClearing' | 'refundsForClearing'>, moves: readonly Move[]): Promise<CycleTransaction[]> {
  const refundIds = moves.filter((m) => m.verb === 'refund').map((m) => m.domainId);
  const refunds = refundIds.length === 0 ? new Map<string, ClearingRefund>() : await store.refundsForClearing(refundIds);
  const paymentIds = new Set<string>();
  for (const move of moves) {
    if (move.verb !== 'refund') paymentIds.add(move.domainId);
    else {
      const refund = refunds.get(move.domainId);
      if (refund === undefined) throw new Error(`assertion failed: refund ${move.domainId} of transfer ${move.transfer.id} is recorded`);
      paymentIds.add(refund.paymentId);
    }
  }
  const payments = paymentIds.size === 0 ? new Map<string, ClearingPayment>() : await store.paymentsForClearing([...paymentIds]);
  return moves.map((move) => transactionOf(move, payments, refunds));
}

function transactionOf(move: Move, payments: ReadonlyMap<string, ClearingPayment>, refunds: ReadonlyMap<string, ClearingRefund>): CycleTransaction {
  const { transfer } = move;
  const refund = move.verb === 'refund' ? refunds.get(move.domainId)! : null;
  const payment = payments.get(refund === null ? move.domainId : refund.paymentId);
  if (payment === undefined) throw new Error(`assertion failed: the payment of transfer ${transfer.id} is recorded`);
  if (transfer.ledger !== payment.paymentAmount.currency) throw new Error(`assertion failed: transfer ${transfer.id} is the merchant's leg of its payment`);
  const acquirerAccount = participantAccountId({ role: 'acquirer', participantId: payment.acquirerId });
  if (transfer.debitAccountId !== acquirerAccount && transfer.creditAccountId !== acquirerAccount) {
    throw new Error(`assertion failed: transfer ${transfer.id} moves ${acquirerAccount}`);
  }
  // The merchant-currency leg comes second in its call whenever a wallet leg exists (postings.ts legs()).
  const walletLeg = refund === null || refund.refundPayAmount.value > 0n;
  return { kind: KIND_OF_VERB[move.verb], payment, refund, completedAt: walletLeg ? transfer.timestamp - 1n : transfer.timestamp, walletLeg };
}
