import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { amount, currency, parseRate, type Amount, type FxRate } from '../../money/index.ts';
import { payAmountFor } from '../../protocol/index.ts';
import { refundPayAmountFor } from '../fx.ts';
import { cancellationTransfers, paymentTransfers, refundTransfers } from '../postings.ts';
import type { NetworkPayment, NetworkPaymentId, NetworkRefund, NetworkRefundId } from '../types.ts';
import type { CycleId } from './cycles.ts';
import {
  cancellationEntry,
  computePositions,
  createPositionsAccumulator,
  paymentEntry,
  refundEntry,
  type ClearingEntry,
  type CyclePositions,
} from './positions.ts';

const CNY = currency('CNY');
const KRW = currency('KRW');
const CYCLE = '2026-11-25T2300' as CycleId;
const cny = (value: bigint): Amount => amount(CNY, value);
const krw = (value: bigint): Amount => amount(KRW, value);

function rate(text: string): FxRate {
  const parsed = parseRate(text, { base: CNY, quote: KRW });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

const at = new Date('2026-11-25T03:00:00Z');

function payment(fields: { paymentId: string; walletId: string; acquirerId: string; paymentAmount: Amount; payAmount: Amount }): NetworkPayment {
  return {
    paymentId: fields.paymentId as NetworkPaymentId,
    acquirerId: fields.acquirerId,
    paymentRequestId: `req-${fields.paymentId}`,
    walletId: fields.walletId,
    requestHash: '0'.repeat(64),
    merchant: { merchantId: 'KR01M0001', merchantName: 'Cafe Dari', merchantMcc: '5814', merchantCity: 'Seoul', merchantCountry: 'KR' },
    paymentAmount: fields.paymentAmount,
    payAmount: fields.payAmount,
    fxQuote: { quoteId: 'Q1', base: CNY, quote: KRW, rate: '190.25' },
    status: 'SUCCESS',
    stage: null,
    resultCode: 'SUCCESS',
    resultMessage: null,
    payerId: 'payer-1',
    paymentTime: at,
    deadlineAt: at,
    notifyPending: false,
    createdAt: at,
    updatedAt: at,
  };
}

function refund(p: NetworkPayment, fields: { refundId: string; refundAmount: Amount; refundPayAmount: Amount }): NetworkRefund {
  return {
    refundId: fields.refundId as NetworkRefundId,
    acquirerId: p.acquirerId,
    refundRequestId: `req-${fields.refundId}`,
    paymentId: p.paymentId,
    requestHash: '0'.repeat(64),
    refundAmount: fields.refundAmount,
    refundPayAmount: fields.refundPayAmount,
    status: 'SUCCESS',
    resultCode: 'SUCCESS',
    refundTime: at,
    createdAt: at,
    updatedAt: at,
  };
}

/** A position row as plain values, for readable tables. */
function rows(result: CyclePositions): string[] {
  return [
    ...result.positions.map((p) => `${p.accountId} ${p.currency} D${p.grossDebit.value} C${p.grossCredit.value} net ${p.net.value}`),
    ...result.fxAccounts.map((f) => `${f.accountId} ${f.currency} D${f.grossDebit.value} C${f.grossCredit.value} net ${f.net.value}`),
  ];
}

function instructions(result: CyclePositions): string[] {
  return result.instructions.map((i) => `${i.instructionId} ${i.direction} ${i.amount.currency} ${i.amount.value}`);
}

const entry = (kind: ClearingEntry['kind'], walletValue: bigint, acquirerValue: bigint, ids: { walletId?: string; acquirerId?: string } = {}): ClearingEntry => ({
  kind,
  walletId: ids.walletId ?? 'WALLET_CN_01',
  acquirerId: ids.acquirerId ?? 'ACQ_KR_01',
  walletAmount: cny(walletValue),
  acquirerAmount: krw(acquirerValue),
});

describe('positions of a cycle', () => {
  it('one payment: the wallet owes CNY, the acquirer is owed KRW, the FX account holds both sides', () => {
    const result = computePositions({ cycleId: CYCLE, entries: [entry('payment', 7885n, 15_000n)] });
    assert.deepEqual(rows(result), [
      'wallet:WALLET_CN_01 CNY D7885 C0 net -7885',
      'acquirer:ACQ_KR_01 KRW D0 C15000 net 15000',
      'fx:CNY CNY D0 C7885 net 7885',
      'fx:KRW KRW D15000 C0 net -15000',
    ]);
    assert.deepEqual(instructions(result), [
      '2026-11-25T2300/wallet:WALLET_CN_01/CNY participant-pays CNY 7885',
      '2026-11-25T2300/acquirer:ACQ_KR_01/KRW participant-receives KRW 15000',
    ]);
    assert.equal(result.entryCount, 1);
    assert.equal(result.cycleId, CYCLE);
  });

  it('refunds net against payments: gross both ways, one net', () => {
    const result = computePositions({
      cycleId: CYCLE,
      entries: [entry('payment', 7885n, 15_000n), entry('payment', 2629n, 5_000n), entry('refund', 526n, 1_000n)],
    });
    assert.deepEqual(rows(result), [
      'wallet:WALLET_CN_01 CNY D10514 C526 net -9988',
      'acquirer:ACQ_KR_01 KRW D1000 C20000 net 19000',
      'fx:CNY CNY D526 C10514 net 9988',
      'fx:KRW KRW D20000 C1000 net -19000',
    ]);
    assert.deepEqual(instructions(result), [
      '2026-11-25T2300/wallet:WALLET_CN_01/CNY participant-pays CNY 9988',
      '2026-11-25T2300/acquirer:ACQ_KR_01/KRW participant-receives KRW 19000',
    ]);
  });

  it('a reversed net (only refunds of earlier payments) gets the opposite direction', () => {
    const result = computePositions({ cycleId: CYCLE, entries: [entry('refund', 526n, 1_000n), entry('cancellation', 7885n, 15_000n)] });
    assert.deepEqual(instructions(result), [
      '2026-11-25T2300/wallet:WALLET_CN_01/CNY participant-receives CNY 8411',
      '2026-11-25T2300/acquirer:ACQ_KR_01/KRW participant-pays KRW 16000',
    ]);
  });

  it('a payment cancelled in its own cycle: gross movements, net zero, no instruction', () => {
    const result = computePositions({ cycleId: CYCLE, entries: [entry('payment', 7885n, 15_000n), entry('cancellation', 7885n, 15_000n)] });
    assert.deepEqual(rows(result), [
      'wallet:WALLET_CN_01 CNY D7885 C7885 net 0',
      'acquirer:ACQ_KR_01 KRW D15000 C15000 net 0',
      'fx:CNY CNY D7885 C7885 net 0',
      'fx:KRW KRW D15000 C15000 net 0',
    ]);
    assert.deepEqual(result.instructions, []);
  });

  it('a refund of 0 fen moves only KRW', () => {
    const result = computePositions({ cycleId: CYCLE, entries: [entry('refund', 0n, 1n)] });
    assert.deepEqual(rows(result), [
      'wallet:WALLET_CN_01 CNY D0 C0 net 0',
      'acquirer:ACQ_KR_01 KRW D1 C0 net -1',
      'fx:CNY CNY D0 C0 net 0',
      'fx:KRW KRW D0 C1 net 1',
    ]);
    assert.deepEqual(instructions(result), ['2026-11-25T2300/acquirer:ACQ_KR_01/KRW participant-pays KRW 1']);
  });

  it('an empty cycle has no positions, no instructions, no FX movement', () => {
    const result = computePositions({ cycleId: CYCLE, entries: [] });
    assert.deepEqual({ ...result }, { cycleId: CYCLE, entryCount: 0, positions: [], instructions: [], fxAccounts: [] });
  });

  it('sorts wallets first, then by participant id, each participant separately', () => {
    const result = computePositions({
      cycleId: CYCLE,
      entries: [
        entry('payment', 100n, 19_025n, { walletId: 'W_B', acquirerId: 'A_B' }),
        entry('payment', 200n, 38_050n, { walletId: 'W_A', acquirerId: 'A_B' }),
        entry('payment', 300n, 57_075n, { walletId: 'W_B', acquirerId: 'A_A' }),
      ],
    });
    assert.deepEqual(
      result.positions.map((p) => `${p.accountId} ${p.net.value}`),
      ['wallet:W_A -200', 'wallet:W_B -400', 'acquirer:A_A 57075', 'acquirer:A_B 57075'],
    );
  });

  it('a participant id shared by a wallet and an acquirer gives two positions (accounts are per role)', () => {
    const result = computePositions({ cycleId: CYCLE, entries: [entry('payment', 100n, 19_025n, { walletId: 'SAME', acquirerId: 'SAME' })] });
    assert.deepEqual(result.positions.map((p) => p.accountId), ['wallet:SAME', 'acquirer:SAME']);
  });

  it('throws on an entry the network could not have recorded (a bug upstream)', () => {
    const bad: ClearingEntry[] = [
      entry('payment', 0n, 15_000n),
      entry('payment', 7885n, 0n),
      entry('cancellation', 0n, 15_000n),
      entry('refund', 10n, 0n),
      { ...entry('payment', 1n, 1n), walletAmount: { currency: CNY, value: -1n } },
    ];
    for (const e of bad) assert.throws(() => computePositions({ cycleId: CYCLE, entries: [e] }), /assertion failed/);
  });

  it('the accumulator gives the same answer as a whole list, and can be read before it is complete', () => {
    const entries = [entry('payment', 7885n, 15_000n), entry('refund', 526n, 1_000n)];
    const accumulator = createPositionsAccumulator(CYCLE);
    accumulator.add(entries[0]!);
    assert.deepEqual(accumulator.finish(), computePositions({ cycleId: CYCLE, entries: entries.slice(0, 1) }));
    accumulator.add(entries[1]!);
    assert.deepEqual(accumulator.finish(), computePositions({ cycleId: CYCLE, entries }));
  });
});

// ---- agreement with the ledger's postings, and the zero-sum invariant, as properties ----

const WALLETS = ['WALLET_CN_01', 'WALLET_CN_02', 'WALLET_HK_01'];
const ACQUIRERS = ['ACQ_KR_01', 'ACQ_KR_02'];
const RATES = ['190.25', '189.1234', '201', '0.5'];

interface Scenario {
  readonly payments: readonly NetworkPayment[];
  readonly refunds: readonly { payment: NetworkPayment; refund: NetworkRefund }[];
  readonly cancelled: readonly NetworkPayment[];
}

/** Random successful payments at random rates, some refunded in parts (telescoping, fx.ts), some cancelled. */
const scenario: fc.Arbitrary<Scenario> = fc
  .array(
    fc.record({
      walletId: fc.constantFrom(...WALLETS),
      acquirerId: fc.constantFrom(...ACQUIRERS),
      rate: fc.constantFrom(...RATES),
      paymentValue: fc.bigInt({ min: 1n, max: 10_000_000n }),
      // Each part is a share of what is left; a cancelled payment has no refunds.
      refundShares: fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 4 }),
      cancelled: fc.boolean(),
    }),
    { maxLength: 40 },
  )
  .map((drafts) => {
    const payments: NetworkPayment[] = [];
    const refunds: { payment: NetworkPayment; refund: NetworkRefund }[] = [];
    const cancelled: NetworkPayment[] = [];
    drafts.forEach((d, i) => {
      const payerRate = rate(d.rate);
      const paymentAmount = krw(d.paymentValue);
      const payAmount = payAmountFor(paymentAmount, payerRate);
      if (!payAmount.ok) throw new Error(payAmount.error);
      const p = payment({ paymentId: `NP${String(i).padStart(24, '0')}`, walletId: d.walletId, acquirerId: d.acquirerId, paymentAmount, payAmount: payAmount.value });
      payments.push(p);
      if (d.cancelled) {
        cancelled.push(p);
        return;
      }
      let refundedBefore = krw(0n);
      let refundedPayBefore = cny(0n);
      d.refundShares.forEach((share, j) => {
        const left = d.paymentValue - refundedBefore.value;
        const refundValue = (left * BigInt(share)) / 100n;
        if (refundValue === 0n) return;
        const refundAmount = krw(refundValue);
        const refundPayAmount = refundPayAmountFor({ payerRate, refundedBefore, refundedPayBefore, refundAmount });
        if (!refundPayAmount.ok) throw new Error(refundPayAmount.error);
        refunds.push({ payment: p, refund: refund(p, { refundId: `NR${i}-${j}`, refundAmount, refundPayAmount: refundPayAmount.value }) });
        refundedBefore = krw(refundedBefore.value + refundValue);
        refundedPayBefore = cny(refundedPayBefore.value + refundPayAmount.value.value);
      });
    });
    return { payments, refunds, cancelled };
  });

function entriesOf(s: Scenario): ClearingEntry[] {
  return [...s.payments.map(paymentEntry), ...s.refunds.map(({ payment: p, refund: r }) => refundEntry(p, r)), ...s.cancelled.map(cancellationEntry)];
}

/** The ledger's view: every transfer postings.ts would write for the scenario, applied to per-account debit and credit sums. */
function ledgerBalances(s: Scenario): Map<string, { debit: bigint; credit: bigint }> {
  const transfers = [
    ...s.payments.flatMap(paymentTransfers),
    ...s.refunds.flatMap(({ payment: p, refund: r }) => refundTransfers(p, r)),
    ...s.cancelled.flatMap(cancellationTransfers),
  ];
  const balances = new Map<string, { debit: bigint; credit: bigint }>();
  const balance = (id: string): { debit: bigint; credit: bigint } => {
    const b = balances.get(id) ?? { debit: 0n, credit: 0n };
    balances.set(id, b);
    return b;
  };
  for (const t of transfers) {
    const { debitAccountId, creditAccountId, amount: value } = t;
    assert.ok(debitAccountId !== undefined && creditAccountId !== undefined && value !== undefined && value > 0n, t.id);
    balance(debitAccountId).debit += value;
    balance(creditAccountId).credit += value;
  }
  return balances;
}

describe('properties (seeded)', () => {
  it('positions equal the movements of the network ledger accounts that postings.ts writes', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const result = computePositions({ cycleId: CYCLE, entries: entriesOf(s) });
        const ledger = ledgerBalances(s);
        const computed = new Map<string, { debit: bigint; credit: bigint }>();
        for (const row of [...result.positions, ...result.fxAccounts]) {
          // A zero row (e.g. a wallet whose refunds were all 0 fen) has no ledger transfers at all.
          if (row.grossDebit.value !== 0n || row.grossCredit.value !== 0n) computed.set(row.accountId, { debit: row.grossDebit.value, credit: row.grossCredit.value });
        }
        assert.deepEqual(computed, ledger);
      }),
      { numRuns: 300, seed: 20_261_130 },
    );
  });

  it('per currency, the participants and the FX account net to exactly zero, and instructions clear every net', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const result = computePositions({ cycleId: CYCLE, entries: entriesOf(s) });
        const sums = new Map<string, bigint>();
        for (const row of [...result.positions, ...result.fxAccounts]) sums.set(row.currency, (sums.get(row.currency) ?? 0n) + row.net.value);
        for (const [c, sum] of sums) assert.equal(sum, 0n, c);
        // Settling every instruction brings every position to zero: the FX account is all that is left.
        const settled = new Map(result.positions.map((p) => [`${p.accountId}/${p.currency}`, p.net.value]));
        for (const i of result.instructions) {
          assert.ok(i.amount.value > 0n);
          const key = `${i.accountId}/${i.amount.currency}`;
          settled.set(key, settled.get(key)! + (i.direction === 'participant-pays' ? i.amount.value : -i.amount.value));
        }
        assert.ok([...settled.values()].every((v) => v === 0n));
        assert.equal(new Set(result.instructions.map((i) => i.instructionId)).size, result.instructions.length);
        assert.equal(result.entryCount, entriesOf(s).length);
      }),
      { numRuns: 300, seed: 20_261_131 },
    );
  });

  it('the order of entries does not matter', () => {
    fc.assert(
      fc.property(scenario, fc.integer(), (s, seed) => {
        const entries = entriesOf(s);
        const shuffled = [...entries].sort((a, b) => hash(a, seed) - hash(b, seed));
        assert.deepEqual(computePositions({ cycleId: CYCLE, entries: shuffled }), computePositions({ cycleId: CYCLE, entries }));
      }),
      { numRuns: 100, seed: 20_261_132 },
    );
  });
});

function hash(e: ClearingEntry, seed: number): number {
  let h = seed | 0;
  for (const ch of `${e.kind}${e.walletId}${e.acquirerId}${e.walletAmount.value}${e.acquirerAmount.value}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1);
  return h;
}
