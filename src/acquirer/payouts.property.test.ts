/**
 * The payout invariant of issue 5 as a property, over the acquirer's real
 * HTTP API: for random days of payments, refunds and cancellations at random
 * Korean times (the day's first and last instants included), random MDRs, and
 * a bank that confirms, returns or holds at random, after every run
 *
 * - each merchant's payout is exactly its entries due and not yet paid, less
 *   ⌊net × mdrBps / 10 000⌋; a negative net is carried forward, never paid;
 * - the ledger verifies, and each account holds what the model says: the
 *   merchant's payable = its unpaid entries + its returned or held payouts,
 *   in flight = the payouts sent, the bank = the payouts confirmed, the fee
 *   account = every fee;
 *
 * and at the end, with every payout confirmed: what each merchant was paid
 * plus its fees equals what it captured minus refunds and cancellations, to
 * the won (less a shortfall still carried forward).
 *
 * Reproduce a failure with the seed fast-check prints:
 * DARI_PROPERTY_SEED=<seed> node --import tsx --test src/acquirer/payouts.property.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { businessDayOf, businessDayStart, DAY_MS, nextBusinessDay, parseBusinessDay, type BusinessDay } from './business-day.ts';
import { BANK_SETTLEMENT_ACCOUNT_ID, MDR_FEES_ACCOUNT_ID, PAYOUTS_IN_FLIGHT_ACCOUNT_ID } from './index.ts';
import { CODE, createTestClock, krw, OPERATOR_KEY, startHarness, type Harness } from './test-helpers.ts';

const SEED = process.env.DARI_PROPERTY_SEED === undefined ? undefined : Number(process.env.DARI_PROPERTY_SEED);
const RUNS = 25;
const FIRST_DAY = '2026-11-23';

type Op =
  | { readonly kind: 'pay'; readonly merchant: number; readonly amountKrw: number; readonly atMs: number }
  | { readonly kind: 'refund'; readonly payment: number; readonly percent: number; readonly atMs: number }
  | { readonly kind: 'cancel'; readonly payment: number; readonly atMs: number };
type BankWord = 'confirm' | 'return' | 'hold' | 'wait';

interface Scenario {
  readonly mdrBps: readonly number[];
  readonly days: readonly (readonly Op[])[];
  /** When in the next day each day's run happens, ms after midnight. */
  readonly runAtMs: readonly number[];
  readonly bank: readonly BankWord[];
}

const atMs = fc.oneof(fc.constant(0), fc.constant(DAY_MS - 1), fc.integer({ min: 0, max: DAY_MS - 1 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pay' as const), merchant: fc.nat(), amountKrw: fc.oneof(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1_000, max: 3_000_000 })), atMs }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), payment: fc.nat(), percent: fc.integer({ min: 1, max: 100 }), atMs }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), payment: fc.nat(), atMs }) },
);
const scenario: fc.Arbitrary<Scenario> = fc.record({
  mdrBps: fc.array(fc.oneof(fc.constantFrom(0, 1, 250, 333, 9_999, 10_000), fc.integer({ min: 0, max: 10_000 })), { minLength: 1, maxLength: 3 }),
  days: fc.array(fc.array(op, { maxLength: 7 }), { minLength: 1, maxLength: 4 }),
  runAtMs: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: DAY_MS - 1 })), { minLength: 5, maxLength: 5 }),
  bank: fc.array(fc.constantFrom<BankWord>('confirm', 'return', 'hold', 'wait'), { minLength: 8, maxLength: 8 }),
});

// ------------------------------------------------------------ the model

interface ModelEntry {
  readonly merchant: number;
  /** Signed: a payment adds, a refund or cancellation takes away. */
  readonly krw: bigint;
  /** The instant it completed at the acquirer. */
  readonly atMs: number;
  paid: boolean;
}
interface ModelPayment {
  readonly id: string;
  readonly merchant: number;
  readonly amountKrw: bigint;
  refundedKrw: bigint;
  cancelled: boolean;
}
interface ModelPayout {
  readonly merchant: number;
  readonly feeKrw: bigint;
  readonly amountKrw: bigint;
  state: string;
  attempt: number;
}

type PayoutWire = { payoutId: string; merchantId: string; state: string; attempt: number; net: { value: string }; fee: { value: string }; amount: { value: string }; mdrBps: number };

const day = (text: string): BusinessDay => {
  const parsed = parseBusinessDay(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
const floorFee = (net: bigint, bps: number) => (net * BigInt(bps)) / 10_000n;
const sum = (values: readonly bigint[]) => values.reduce((a, b) => a + b, 0n);

async function play(s: Scenario): Promise<void> {
  const start = businessDayStart(day(FIRST_DAY));
  const clock = createTestClock(start);
  const h = await startHarness({ now: clock.now });
  try {
    const shops: Awaited<ReturnType<Harness['onboard']>>[] = [];
    for (const [i, mdrBps] of s.mdrBps.entries()) shops.push(await h.onboard(`Shop ${i}`, { mdrBps }));
    const entries: ModelEntry[] = [];
    const payments: ModelPayment[] = [];
    const payouts = new Map<string, ModelPayout>();
    let words = 0;
    let requests = 0;
    const api = (method: string, path: string, body?: unknown, token = OPERATOR_KEY) => h.api(method, path, { token, ...(body === undefined ? {} : { body }) });

    async function apply(o: Op): Promise<void> {
      const at = clock.now().getTime();
      if (o.kind === 'pay') {
        const merchant = o.merchant % shops.length;
        const r = await api('POST', '/acquirer/v1/payments', { paymentRequestId: `p-${++requests}`, amount: krw(o.amountKrw), paymentCode: CODE }, shops[merchant]!.terminalKey);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        payments.push({ id: r.body.paymentId as string, merchant, amountKrw: BigInt(o.amountKrw), refundedKrw: 0n, cancelled: false });
        entries.push({ merchant, krw: BigInt(o.amountKrw), atMs: at, paid: false });
        return;
      }
      if (o.kind === 'refund') {
        const open = payments.filter((p) => !p.cancelled && p.refundedKrw < p.amountKrw);
        const p = open[o.payment % Math.max(open.length, 1)];
        if (p === undefined) return;
        const remaining = p.amountKrw - p.refundedKrw;
        const amount = remaining * BigInt(o.percent) / 100n > 0n ? (remaining * BigInt(o.percent)) / 100n : 1n;
        const r = await api('POST', `/acquirer/v1/payments/${p.id}/refunds`, { refundRequestId: `r-${++requests}`, amount: krw(amount) });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        p.refundedKrw += amount;
        entries.push({ merchant: p.merchant, krw: -amount, atMs: at, paid: false });
        return;
      }
      const cancellable = payments.filter((p) => !p.cancelled && p.refundedKrw === 0n);
      const p = cancellable[o.payment % Math.max(cancellable.length, 1)];
      if (p === undefined) return;
      const r = await api('POST', `/acquirer/v1/payments/${p.id}/cancel`);
      assert.equal(r.body.status, 'CANCELLED', JSON.stringify(r.body));
      p.cancelled = true;
      entries.push({ merchant: p.merchant, krw: -p.amountKrw, atMs: at, paid: false });
    }

    async function checkLedger(): Promise<void> {
      const all = [...payouts.values()];
      const inState = (...states: string[]) => all.filter((p) => states.includes(p.state));
      for (const [i, shop] of shops.entries()) {
        const unpaid = sum(entries.filter((e) => e.merchant === i && !e.paid).map((e) => e.krw));
        const givenBack = sum(inState('returned', 'held').filter((p) => p.merchant === i).map((p) => p.amountKrw));
        assert.equal(await h.owedTo(shop.merchantId), unpaid + givenBack, `payable of shop ${i}`);
      }
      assert.equal(await h.acquirer.accountBalanceKrw(PAYOUTS_IN_FLIGHT_ACCOUNT_ID), sum(inState('sent').map((p) => p.amountKrw)), 'in flight');
      assert.equal(await h.acquirer.accountBalanceKrw(BANK_SETTLEMENT_ACCOUNT_ID), sum(inState('confirmed').map((p) => p.amountKrw)), 'paid by the bank');
      assert.equal(await h.acquirer.accountBalanceKrw(MDR_FEES_ACCOUNT_ID), sum(all.map((p) => p.feeKrw)), 'fees');
    }

    async function runDay(businessDay: BusinessDay): Promise<void> {
      const endsAtMs = businessDayStart(businessDay).getTime() + DAY_MS;
      const resent = [...payouts.values()].filter((p) => p.state === 'returned');
      const r = await api('POST', '/acquirer/v1/payout-runs', { businessDay });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const created = r.body.payouts as PayoutWire[];
      const expectedCarry: unknown[] = [];
      const expectedPayouts: unknown[] = [];
      for (const [i, shop] of shops.entries()) {
        const due = entries.filter((e) => e.merchant === i && !e.paid && e.atMs < endsAtMs);
        const net = sum(due.map((e) => e.krw));
        if (net < 0n) expectedCarry.push({ merchantId: shop.merchantId, shortfall: krw(-net) });
        if (net <= 0n) continue;
        for (const e of due) e.paid = true;
        const fee = floorFee(net, s.mdrBps[i]!);
        expectedPayouts.push([shop.merchantId, net, fee, net - fee]);
        const payout: ModelPayout = { merchant: i, feeKrw: fee, amountKrw: net - fee, state: net - fee > 0n ? 'sent' : 'confirmed', attempt: net - fee > 0n ? 1 : 0 };
        payouts.set(`PO${businessDay.replaceAll('-', '')}${shop.merchantId}`, payout);
      }
      assert.deepEqual(
        created.map((p) => [p.merchantId, BigInt(p.net.value), BigInt(p.fee.value), BigInt(p.amount.value)]),
        expectedPayouts,
        `payouts of ${businessDay}`,
      );
      assert.deepEqual(r.body.carriedForward, expectedCarry, `carried forward on ${businessDay}`);
      for (const p of resent) {
        p.state = 'sent';
        p.attempt += 1;
      }
      const lines = [...resent, ...created.map((c) => payouts.get(c.payoutId)!).filter((p) => p.amountKrw > 0n)];
      assert.deepEqual(r.body.file, { detailCount: lines.length, total: krw(sum(lines.map((p) => p.amountKrw))), checksum: (r.body.file as { checksum: string }).checksum });
      // Idempotent: again, nothing new.
      const again = await api('POST', '/acquirer/v1/payout-runs', { businessDay });
      assert.deepEqual([again.status, again.body.file], [200, r.body.file]);
      await checkLedger();
    }

    /** The bank's word on each payout in its hands, and the operator's on each held one. */
    async function bankAnswers(word: (n: number) => BankWord): Promise<void> {
      for (const [payoutId, p] of [...payouts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const w = word(words++);
        if (p.state === 'held' && w === 'confirm') {
          const r = await api('POST', `/acquirer/v1/payouts/${payoutId}/release`);
          assert.equal(r.body.state, 'returned', JSON.stringify(r.body));
          p.state = 'returned';
        }
        if (p.state !== 'sent' || w === 'wait') continue;
        const r = w === 'confirm' ? await api('POST', `/acquirer/v1/payouts/${payoutId}/confirm`, { attempt: p.attempt }) : await api('POST', `/acquirer/v1/payouts/${payoutId}/return`, { attempt: p.attempt, reason: 'R01 account closed', hold: w === 'hold' });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        p.state = w === 'confirm' ? 'confirmed' : w === 'hold' || p.attempt >= 3 ? 'held' : 'returned';
        assert.equal(r.body.state, p.state);
      }
      await checkLedger();
    }

    // The timeline: each day's operations, and the previous day's run at its time of the next day.
    let current = day(FIRST_DAY);
    for (const [i, ops] of s.days.entries()) {
      const dayStartMs = businessDayStart(current).getTime();
      const runAt = i === 0 ? null : s.runAtMs[i]!;
      const timeline = [...ops.map((o) => ({ at: o.atMs, o })), ...(runAt === null ? [] : [{ at: runAt, o: null }])].sort((a, b) => a.at - b.at);
      for (const { at, o } of timeline) {
        clock.set(new Date(dayStartMs + at));
        if (o === null) {
          await runDay(businessDayOf(new Date(dayStartMs - 1)));
          await bankAnswers((n) => s.bank[n % s.bank.length]!);
        } else {
          await apply(o);
        }
      }
      current = nextBusinessDay(current);
    }
    // The last day's run, then runs until the bank has paid everything.
    let last = businessDayOf(new Date(businessDayStart(current).getTime() - 1));
    clock.set(businessDayStart(current));
    await runDay(last);
    for (let round = 0; [...payouts.values()].some((p) => p.state !== 'confirmed'); round++) {
      assert.ok(round < 3, 'every payout is paid within three more runs');
      await bankAnswers(() => 'confirm');
      last = current;
      current = nextBusinessDay(current);
      clock.set(businessDayStart(current));
      await runDay(last);
      await bankAnswers(() => 'confirm');
    }

    // What each merchant was paid, plus its fees, is what it captured less refunds and cancellations, to the won.
    for (const [i, shop] of shops.entries()) {
      const listed = await api('GET', `/acquirer/v1/payouts?merchantId=${shop.merchantId}`);
      const mine = listed.body.payouts as PayoutWire[];
      assert.ok(mine.every((p) => p.state === 'confirmed'));
      const paid = sum(mine.map((p) => BigInt(p.amount.value)));
      const fees = sum(mine.map((p) => BigInt(p.fee.value)));
      const captured = sum(payments.filter((p) => p.merchant === i).map((p) => p.amountKrw));
      const refunded = sum(payments.filter((p) => p.merchant === i).map((p) => p.refundedKrw));
      const cancelled = sum(payments.filter((p) => p.merchant === i && p.cancelled).map((p) => p.amountKrw));
      const carried = sum(entries.filter((e) => e.merchant === i && !e.paid).map((e) => e.krw));
      assert.ok(carried <= 0n, 'only a shortfall (or nothing) is left unpaid');
      assert.equal(paid + fees + carried, captured - refunded - cancelled, `shop ${i}: paid ${paid} + fees ${fees} + carried ${carried}`);
      assert.equal(await h.owedTo(shop.merchantId), carried);
    }
    const report = await h.acquirer.verifyLedger();
    assert.ok(report.ok);
  } finally {
    await h.close();
  }
}

describe('payouts, as a property', () => {
  it('pays each merchant exactly captured − refunds − cancellations − fees, to the won, over random days', async () => {
    await fc.assert(fc.asyncProperty(scenario, play), { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) });
  });
});
