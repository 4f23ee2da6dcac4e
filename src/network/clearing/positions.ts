/**
 * Net positions of one clearing cycle, as pure arithmetic: from the cycle's
 * completed payments, refunds and cancellations, each participant's gross
 * debits, gross credits and net position per currency, the settlement
 * instructions that clear them, and the network's FX accounts.
 *
 * The numbers are the network ledger's (postings.ts): a payment debits
 * `wallet:<id>` (CNY) and credits `fx:CNY` for its payAmount, and debits
 * `fx:KRW` and credits `acquirer:<id>` (KRW) for its paymentAmount; a refund
 * (its refund amounts) and a cancellation of a success (the payment's amounts)
 * are the same legs reversed; a zero leg is left out. So the positions here
 * are exactly the movements of those accounts over the cycle's transfers.
 *
 * Signs: `net` = credits − debits of the participant's account, what the
 * network owes the participant (negative: what the participant owes the
 * network). Every transfer debits one account and credits another of the same
 * currency, so per currency the participants' nets plus the FX account's net
 * are exactly zero; `finish` asserts it (issue 5's invariant).
 *
 * An accumulator, so that a cycle of millions of payments streams from the
 * database through constant memory per participant.
 */
import { amount, type Amount, type Currency } from '../../money/index.ts';
import { fxAccountId, participantAccountId } from '../postings.ts';
import type { ClearingPayment, ClearingRefund, ParticipantRole } from '../types.ts';
import type { CycleId } from './cycles.ts';

/** What moved money in a cycle, at the network. */
export type ClearingEntryKind = 'payment' | 'refund' | 'cancellation';

/**
 * One payment, refund or cancellation of a success, with both of its amounts
 * as the network booked them: `walletAmount` in the wallet's currency (CNY,
 * payAmount or refundPayAmount), `acquirerAmount` in the acquirer's (KRW,
 * paymentAmount or refundAmount). A refund's wallet amount may be 0.
 */
export interface ClearingEntry {
  readonly kind: ClearingEntryKind;
  readonly walletId: string;
  readonly acquirerId: string;
  readonly walletAmount: Amount;
  readonly acquirerAmount: Amount;
}

/** A participant's movements in one currency over a cycle. */
export interface CyclePosition {
  readonly participantId: string;
  readonly role: ParticipantRole;
  /** The network ledger's account: `wallet:<id>` or `acquirer:<id>`. */
  readonly accountId: string;
  readonly currency: Currency;
  readonly grossDebit: Amount;
  readonly grossCredit: Amount;
  /** grossCredit − grossDebit: positive, the network owes the participant; negative, the participant owes the network. */
  readonly net: Amount;
}

/** Who pays whom to clear a net position: a wallet normally pays, an acquirer normally receives. */
export type SettlementDirection = 'participant-pays' | 'participant-receives';

/** One settlement instruction: one participant, one currency, one positive amount, one direction. */
export interface SettlementInstruction {
  /** `<cycleId>/<accountId>/<currency>`: one instruction per participant, currency and cycle. */
  readonly instructionId: string;
  readonly cycleId: CycleId;
  readonly participantId: string;
  readonly role: ParticipantRole;
  readonly accountId: string;
  readonly direction: SettlementDirection;
  /** |net|, always positive: a zero net needs no instruction. */
  readonly amount: Amount;
}

/** The network's own FX account in one currency: the other side of every conversion. */
export interface FxAccountResult {
  readonly accountId: string;
  readonly currency: Currency;
  readonly grossDebit: Amount;
  readonly grossCredit: Amount;
  /** grossCredit − grossDebit; with the participants' nets, zero. Long CNY and short KRW after a day of payments. */
  readonly net: Amount;
}

export interface CyclePositions {
  readonly cycleId: CycleId;
  readonly entryCount: number;
  /** Sorted by role (wallets first), participant id, currency. */
  readonly positions: readonly CyclePosition[];
  /** One per position whose net is not zero, in the order of `positions`. */
  readonly instructions: readonly SettlementInstruction[];
  /** Sorted by currency. */
  readonly fxAccounts: readonly FxAccountResult[];
}

/** An accumulator's sums as plain data: what another thread's accumulator sends over to be added (`addSums`). */
export interface PositionSums {
  readonly entryCount: number;
  readonly participants: readonly { readonly participantId: string; readonly role: ParticipantRole; readonly currency: Currency; readonly debit: bigint; readonly credit: bigint }[];
  readonly fx: readonly { readonly currency: Currency; readonly debit: bigint; readonly credit: bigint }[];
}

export interface PositionsAccumulator {
  add(entry: ClearingEntry): void;
  /** Its sums so far. */
  sums(): PositionSums;
  /** Adds another accumulator's sums: the entries of a stretch of the cycle counted elsewhere. */
  addSums(sums: PositionSums): void;
  /** The positions of everything added; the accumulator can be read again, or added to. */
  finish(): CyclePositions;
}

interface Sums {
  debit: bigint;
  credit: bigint;
}

interface ParticipantSums extends Sums {
  readonly participantId: string;
  readonly role: ParticipantRole;
  readonly accountId: string;
  readonly currency: Currency;
}

/** Accumulates a cycle's entries, one at a time (see the file's comment). */
export function createPositionsAccumulator(cycleId: CycleId): PositionsAccumulator {
  const participants: ParticipantSums[] = [];
  // role → participant id → currency: found without building a key for each of millions of entries.
  const index: Record<ParticipantRole, Map<string, Map<Currency, ParticipantSums>>> = { wallet: new Map(), acquirer: new Map() };
  const fx = new Map<Currency, Sums>();
  let entryCount = 0;

  const participant = (role: ParticipantRole, participantId: string, currency: Currency): ParticipantSums => {
    let byCurrency = index[role].get(participantId);
    if (byCurrency === undefined) {
      byCurrency = new Map();
      index[role].set(participantId, byCurrency);
    }
    let sums = byCurrency.get(currency);
    if (sums === undefined) {
      sums = { participantId, role, accountId: participantAccountId({ role, participantId }), currency, debit: 0n, credit: 0n };
      byCurrency.set(currency, sums);
      participants.push(sums);
    }
    return sums;
  };
  const fxSums = (currency: Currency): Sums => {
    let sums = fx.get(currency);
    if (sums === undefined) {
      sums = { debit: 0n, credit: 0n };
      fx.set(currency, sums);
    }
    return sums;
  };

  return {
    add(entry) {
      checkEntry(entry);
      entryCount += 1;
      const forward = entry.kind === 'payment';
      const wallet = participant('wallet', entry.walletId, entry.walletAmount.currency);
      const walletFx = fxSums(entry.walletAmount.currency);
      const acquirer = participant('acquirer', entry.acquirerId, entry.acquirerAmount.currency);
      const acquirerFx = fxSums(entry.acquirerAmount.currency);
      // The two legs of postings.ts: wallet → fx in the wallet's currency, fx → acquirer in the acquirer's; reversed for a refund or cancellation.
      const walletValue = entry.walletAmount.value;
      const acquirerValue = entry.acquirerAmount.value;
      if (forward) {
        wallet.debit += walletValue;
        walletFx.credit += walletValue;
        acquirerFx.debit += acquirerValue;
        acquirer.credit += acquirerValue;
      } else {
        walletFx.debit += walletValue;
        wallet.credit += walletValue;
        acquirer.debit += acquirerValue;
        acquirerFx.credit += acquirerValue;
      }
    },
    sums: () => ({
      entryCount,
      participants: participants.map(({ participantId, role, currency, debit, credit }) => ({ participantId, role, currency, debit, credit })),
      fx: [...fx.entries()].map(([currency, { debit, credit }]) => ({ currency, debit, credit })),
    }),
    addSums(other) {
      if (!(Number.isInteger(other.entryCount) && other.entryCount >= 0)) throw new Error('assertion failed: sums count their entries');
      entryCount += other.entryCount;
      for (const p of other.participants) {
        const sums = participant(p.role, p.participantId, p.currency);
        sums.debit += p.debit;
        sums.credit += p.credit;
      }
      for (const f of other.fx) {
        const sums = fxSums(f.currency);
        sums.debit += f.debit;
        sums.credit += f.credit;
      }
    },
    finish: () => positionsOf(cycleId, entryCount, participants, fx),
  };
}

/** The positions of a whole list of entries at once. */
export function computePositions(input: { readonly cycleId: CycleId; readonly entries: Iterable<ClearingEntry> }): CyclePositions {
  const accumulator = createPositionsAccumulator(input.cycleId);
  for (const entry of input.entries) accumulator.add(entry);
  return accumulator.finish();
}

/** The entry of a successful payment. */
export function paymentEntry(payment: ClearingPayment): ClearingEntry {
  return { kind: 'payment', walletId: payment.walletId, acquirerId: payment.acquirerId, walletAmount: payment.payAmount, acquirerAmount: payment.paymentAmount };
}

/** The entry of a successful refund of `payment`. */
export function refundEntry(payment: ClearingPayment, refund: ClearingRefund): ClearingEntry {
  if (refund.paymentId !== payment.paymentId) throw new Error(`assertion failed: refund ${refund.refundId} is of payment ${payment.paymentId}`);
  return { kind: 'refund', walletId: payment.walletId, acquirerId: payment.acquirerId, walletAmount: refund.refundPayAmount, acquirerAmount: refund.refundAmount };
}

/** The entry of the cancellation of a successful payment (a payment cancelled before it succeeded moved nothing and has none). */
export function cancellationEntry(payment: ClearingPayment): ClearingEntry {
  return { kind: 'cancellation', walletId: payment.walletId, acquirerId: payment.acquirerId, walletAmount: payment.payAmount, acquirerAmount: payment.paymentAmount };
}

/** Entries come from the network's own records: a bad one is a bug, not input to refuse. */
function checkEntry(entry: ClearingEntry): void {
  const { walletAmount, acquirerAmount } = entry;
  if (walletAmount.value < 0n || acquirerAmount.value < 0n) throw new Error(`assertion failed: ${entry.kind} amounts are not negative`);
  if (entry.kind !== 'refund' && (walletAmount.value === 0n || acquirerAmount.value === 0n)) {
    throw new Error(`assertion failed: a ${entry.kind} moves a positive amount on both sides`);
  }
  if (entry.kind === 'refund' && acquirerAmount.value === 0n) throw new Error('assertion failed: a refund gives back a positive amount');
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function positionsOf(cycleId: CycleId, entryCount: number, sums: readonly ParticipantSums[], fx: ReadonlyMap<Currency, Sums>): CyclePositions {
  const roleOrder: Record<ParticipantRole, number> = { wallet: 0, acquirer: 1 };
  const sorted = [...sums].sort(
    (a, b) => roleOrder[a.role] - roleOrder[b.role] || compareText(a.participantId, b.participantId) || compareText(a.currency, b.currency),
  );
  const positions = sorted.map((s): CyclePosition => ({
    participantId: s.participantId,
    role: s.role,
    accountId: s.accountId,
    currency: s.currency,
    grossDebit: amount(s.currency, s.debit),
    grossCredit: amount(s.currency, s.credit),
    net: amount(s.currency, s.credit - s.debit),
  }));
  const instructions = positions.filter((p) => p.net.value !== 0n).map((p): SettlementInstruction => ({
    instructionId: `${cycleId}/${p.accountId}/${p.currency}`,
    cycleId,
    participantId: p.participantId,
    role: p.role,
    accountId: p.accountId,
    direction: p.net.value < 0n ? 'participant-pays' : 'participant-receives',
    amount: amount(p.currency, p.net.value < 0n ? -p.net.value : p.net.value),
  }));
  const fxAccounts = [...fx.entries()].sort(([a], [b]) => compareText(a, b)).map(([currency, s]): FxAccountResult => ({
    accountId: fxAccountId(currency),
    currency,
    grossDebit: amount(currency, s.debit),
    grossCredit: amount(currency, s.credit),
    net: amount(currency, s.credit - s.debit),
  }));
  assertNetsToZero(positions, fxAccounts);
  return { cycleId, entryCount, positions, instructions, fxAccounts };
}

/** Per currency, Σ participants' nets + the FX account's net = 0, and Σ debits = Σ credits (issue 5's invariant, STYLE 11). */
function assertNetsToZero(positions: readonly CyclePosition[], fxAccounts: readonly FxAccountResult[]): void {
  const totals = new Map<Currency, { net: bigint; debit: bigint; credit: bigint }>();
  for (const row of [...positions, ...fxAccounts]) {
    const total = totals.get(row.currency) ?? { net: 0n, debit: 0n, credit: 0n };
    totals.set(row.currency, { net: total.net + row.net.value, debit: total.debit + row.grossDebit.value, credit: total.credit + row.grossCredit.value });
  }
  for (const [currency, total] of totals) {
    if (total.net !== 0n || total.debit !== total.credit) {
      throw new Error(`assertion failed: ${currency} positions net to zero with the FX account, got ${total.net}`);
    }
  }
}
