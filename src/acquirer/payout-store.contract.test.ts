/**
 * One suite for `PayoutStore`, run on every engine of `STORE_TEST_ENGINES`
 * (SQLite, SQLite group-committed, PostgreSQL). The merchant entries come
 * from the acquirer store's own moves (payments, refunds, cancellations at
 * chosen instants). Runs: created once per day, each due entry paid exactly
 * once, shortfalls carried forward, later entries left for a later run, a
 * plan the schema refuses leaving nothing behind; attempts: the bank's word
 * taken once and only on the current attempt of a sent payout, returned
 * payouts sent again by the next run, held ones not; pages and filters; and
 * concurrent runs of one day, of many days, and concurrent decisions.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { BusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import { planPayout, type PayoutAmounts } from './payout-plan.ts';
import { payoutIdOf, type NewPayoutRun, type PayoutStore } from './payout-store.ts';
import type { AcquirerStore } from './store.ts';
import { STORE_TEST_ENGINES, type OpenStores } from './test-helpers.ts';
import type { BusinessDay } from './business-day.ts';
import type { MerchantId, Payout, PaymentId, RefundId } from './types.ts';

/** Callers racing in each concurrency case. */
const RACERS = 16;
const SETTLEMENT = { bankCode: '004', accountNumber: '12345678901234', holderName: 'Myeongdong Cosmetics' };

let sequence = 0;
const nextId = (prefix: string): string => `${prefix}${String(++sequence).padStart(8, '0')}`;
const hash = () => randomBytes(32).toString('hex');

/** Business days, each test its own: a run pays every merchant's due entries, so tests must not share a day. */
let dayIndex = 0;
interface Day {
  readonly run: NewPayoutRun;
  /** An instant inside the day (ISO, UTC). */
  at(minute: number): string;
}
function nextDay(): Day {
  const start = Date.UTC(2026, 0, 1) + dayIndex++ * 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const businessDay = iso(start).slice(0, 10) as BusinessDay;
  // The Korean day ends at 15:00 UTC; the run is made the next morning.
  const endsAtMs = start + 15 * 3_600_000;
  return {
    run: { businessDay, valueDate: iso(start + 86_400_000).slice(0, 10) as BusinessDay, endsAt: iso(endsAtMs), at: iso(endsAtMs + 3_600_000) },
    at: (minute) => iso(start + minute * 60_000),
  };
}

for (const engine of STORE_TEST_ENGINES) {
  describe(`PayoutStore on ${engine.name}`, () => {
    let opened: OpenStores;
    let store: AcquirerStore;
    let payouts: PayoutStore;
    before(async () => {
      opened = await engine.open();
      store = opened.store;
      payouts = opened.payouts;
    });
    after(async () => {
      await opened.close();
    });

    const merchantIn = async (mdrBps: number): Promise<MerchantId> => {
      const m = await store.insertMerchant(
        { legalName: 'Shop', businessRegistrationNumber: '2208162517' as BusinessRegistrationNumber, mcc: '5977', address: 'Seoul', city: 'Seoul', settlementAccount: SETTLEMENT, mdrBps },
        { idPrefix: 'KR01', at: '2026-01-01T00:00:00.000Z' },
      );
      await store.moveMerchant(m.merchantId, { from: 'pending', to: 'approved', reason: null, at: '2026-01-01T00:00:00.000Z' });
      return m.merchantId;
    };
    /** A payment that succeeded at `at`: a PAYMENT entry completed then. */
    const paid = async (merchantId: MerchantId, amountKrw: bigint, at: string): Promise<PaymentId> => {
      const paymentId = nextId('AP') as PaymentId;
      await store.insertPayment({ paymentId, origin: 'pos', merchantId, storeId: null, terminalId: null, orderId: null, idempotencyScope: 'pos', requestId: paymentId, requestHash: hash(), amountKrw, deadlineAtMs: 0 }, at);
      const moved = await store.movePayment(paymentId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS', paidAt: at }, at);
      assert.equal(moved?.status, 'SUCCESS');
      return paymentId;
    };
    /** A refund that succeeded at `at`: a REFUND entry completed then. */
    const refunded = async (paymentId: PaymentId, amountKrw: bigint, at: string): Promise<void> => {
      const refundId = nextId('AR') as RefundId;
      assert.equal((await store.reserveRefund({ refundId, paymentId, refundRequestId: refundId, requestHash: hash(), amountKrw }, at)).kind, 'created');
      assert.equal((await store.moveRefund(refundId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS', networkRefundId: null }, at))?.status, 'SUCCESS');
    };
    const mine = (list: readonly Payout[], ...merchants: MerchantId[]) => list.filter((p) => merchants.includes(p.merchantId));
    /** A run's payout for one merchant, sent to the bank. */
    const sentPayout = async (merchantId: MerchantId, day: Day): Promise<Payout> => {
      await payouts.createRun(day.run, planPayout);
      const payoutId = payoutIdOf(day.run.businessDay, merchantId);
      const sent = await payouts.movePayout(payoutId, { from: 'scheduled', to: 'sent', at: day.run.at });
      assert.equal(sent?.state, 'sent');
      return sent;
    };

    it('runs: a payout per merchant netting above zero with its entries, a carry-forward for one below, later entries left; a second call writes nothing', async () => {
      const [a, b, c] = [await merchantIn(250), await merchantIn(10_000), await merchantIn(0)];
      const first = nextDay();
      const cPayment = await paid(c, 10_000n, first.at(60));
      await payouts.createRun(first.run, planPayout);
      assert.equal(await payouts.unpaidNetKrw(c), 0n);

      const day = nextDay();
      const aPayment = await paid(a, 2n ** 53n + 1n, day.at(1));
      await paid(a, 5_000n, day.at(2));
      await refunded(aPayment, 1_000n, day.at(3));
      await paid(b, 4_001n, day.at(4));
      await refunded(cPayment, 4_000n, day.at(5));
      await paid(a, 700n, day.run.endsAt); // the first instant of the next day: not due
      assert.equal(await payouts.unpaidNetKrw(c), -4_000n);
      assert.equal(await payouts.getRun(day.run.businessDay), null);

      const made = await payouts.createRun(day.run, planPayout);
      assert.deepEqual(made, { created: true, run: { businessDay: day.run.businessDay, valueDate: day.run.valueDate, createdAt: day.run.at } });
      assert.deepEqual(await payouts.getRun(day.run.businessDay), made.run);
      const net = 2n ** 53n + 1n + 5_000n - 1_000n;
      const fee = (net * 250n) / 10_000n;
      const common = { businessDay: day.run.businessDay, state: 'scheduled', createdAt: day.run.at, updatedAt: day.run.at } as const;
      const expected: Payout[] = [
        { ...common, payoutId: payoutIdOf(day.run.businessDay, a), merchantId: a, capturedKrw: net + 1_000n, reversedKrw: 1_000n, netKrw: net, mdrBps: 250, feeKrw: fee, amountKrw: net - fee, entryCount: 3, attempt: 1 },
        { ...common, payoutId: payoutIdOf(day.run.businessDay, b), merchantId: b, capturedKrw: 4_001n, reversedKrw: 0n, netKrw: 4_001n, mdrBps: 10_000, feeKrw: 4_001n, amountKrw: 0n, entryCount: 1, attempt: 0 },
      ];
      assert.deepEqual(mine(await payouts.payoutsOfRun(day.run.businessDay), a, b, c), expected);
      assert.deepEqual((await payouts.carryForwardsOfRun(day.run.businessDay)).filter((f) => f.merchantId === c), [{ businessDay: day.run.businessDay, merchantId: c, shortfallKrw: 4_000n }]);
      const lines = (await payouts.attemptsOfRun(day.run.businessDay)).filter((l) => [a, b, c].includes(l.merchantId));
      assert.deepEqual(lines, [
        { payoutId: expected[0]!.payoutId, attempt: 1, businessDay: day.run.businessDay, valueDate: day.run.valueDate, merchantId: a, settlementAccount: SETTLEMENT, amountKrw: net - fee, outcome: 'pending', reason: null, hold: false, createdAt: day.run.at, resolvedAt: null },
      ]);
      assert.deepEqual([await payouts.unpaidNetKrw(a), await payouts.unpaidNetKrw(b), await payouts.unpaidNetKrw(c)], [700n, 0n, -4_000n]);
      assert.deepEqual(await payouts.getPayout(expected[0]!.payoutId), expected[0]);
      assert.equal(await payouts.getPayout('PO-none'), null);

      // Again: the run as it was, nothing written, though a new entry is now due.
      await paid(a, 300n, day.at(10));
      assert.deepEqual(await payouts.createRun({ ...day.run, at: day.at(2_000) }, planPayout), { created: false, run: made.run });
      assert.deepEqual(mine(await payouts.payoutsOfRun(day.run.businessDay), a, b, c), expected);
      assert.equal(await payouts.unpaidNetKrw(a), 1_000n);
    });

    it('runs: a plan the schema refuses (a fee above the net) writes nothing, not even the run', async () => {
      const m = await merchantIn(100);
      const day = nextDay();
      await paid(m, 9_000n, day.at(1));
      const unpaidBefore = await payouts.unpaidNetKrw(m);
      const greedy = (net: { capturedKrw: bigint; reversedKrw: bigint }, mdrBps: number): PayoutAmounts => {
        const netKrw = net.capturedKrw - net.reversedKrw;
        return { netKrw, mdrBps, feeKrw: netKrw + 1n, amountKrw: -1n };
      };
      await assert.rejects(() => payouts.createRun(day.run, greedy), (error: unknown) => ['SQLITE_CONSTRAINT_CHECK', '23514'].includes(String((error as { code?: unknown }).code)));
      assert.equal(await payouts.getRun(day.run.businessDay), null);
      assert.equal(await payouts.unpaidNetKrw(m), unpaidBefore);
      assert.equal((await payouts.createRun(day.run, planPayout)).created, true, 'and the day can still be run');
      assert.equal(await payouts.unpaidNetKrw(m), 0n);
    });

    it("attempts: the bank's word only on a sent payout's current attempt, once; moves only from the named state", async () => {
      const m = await merchantIn(0);
      const day = nextDay();
      await paid(m, 8_000n, day.at(1));
      await payouts.createRun(day.run, planPayout);
      const payoutId = payoutIdOf(day.run.businessDay, m);
      assert.equal(await payouts.decideAttempt(payoutId, 1, { outcome: 'confirmed' }, day.run.at), false, 'scheduled: not yet with the bank');
      assert.equal(await payouts.movePayout(payoutId, { from: 'sent', to: 'confirmed', at: day.run.at }), null);
      assert.ok((await payouts.payoutsToAdvance(10_000)).some((p) => p.payoutId === payoutId), 'scheduled: to send');
      const sent = await payouts.movePayout(payoutId, { from: 'scheduled', to: 'sent', at: day.at(2_000) });
      assert.deepEqual([sent?.state, sent?.updatedAt], ['sent', day.at(2_000)]);
      assert.ok(!(await payouts.payoutsToAdvance(10_000)).some((p) => p.payoutId === payoutId), 'sent, undecided: nothing to do');
      assert.equal(await payouts.decideAttempt(payoutId, 2, { outcome: 'confirmed' }, day.at(2_001)), false, 'not its current attempt');
      assert.equal(await payouts.decideAttempt(payoutId, 1, { outcome: 'confirmed' }, day.at(2_002)), true);
      assert.equal(await payouts.decideAttempt(payoutId, 1, { outcome: 'returned', reason: 'closed', hold: false }, day.at(2_003)), false, 'decided already');
      assert.deepEqual(await payouts.getAttempt(payoutId, 1), { ...(await payouts.attemptsOf(payoutId))[0]!, outcome: 'confirmed', reason: null, hold: false, resolvedAt: day.at(2_002) });
      assert.equal(await payouts.getAttempt(payoutId, 2), null);
      assert.ok((await payouts.payoutsToAdvance(10_000)).some((p) => p.payoutId === payoutId), 'sent, decided: to book');
      assert.equal((await payouts.movePayout(payoutId, { from: 'sent', to: 'confirmed', at: day.at(2_004) }))?.state, 'confirmed');
      assert.ok(!(await payouts.payoutsToAdvance(10_000)).some((p) => p.payoutId === payoutId));
      assert.equal(await payouts.decideAttempt('PO-none' as Payout['payoutId'], 1, { outcome: 'confirmed' }, day.at(2_005)), false);
    });

    it('attempts: a returned payout is sent again by the next run, to the same account; a held one is not', async () => {
      const [returned, held] = [await merchantIn(0), await merchantIn(0)];
      const day = nextDay();
      await paid(returned, 1_000n, day.at(1));
      await paid(held, 2_000n, day.at(1));
      const r = await sentPayout(returned, day);
      const h = payoutIdOf(day.run.businessDay, held);
      await payouts.movePayout(h, { from: 'scheduled', to: 'sent', at: day.run.at });
      assert.equal(await payouts.decideAttempt(r.payoutId, 1, { outcome: 'returned', reason: 'account closed', hold: false }, day.run.at), true);
      assert.equal(await payouts.decideAttempt(h, 1, { outcome: 'returned', reason: 'name mismatch', hold: true }, day.run.at), true);
      await payouts.movePayout(r.payoutId, { from: 'sent', to: 'returned', at: day.run.at });
      await payouts.movePayout(h, { from: 'sent', to: 'held', at: day.run.at });

      const next = nextDay();
      await payouts.createRun(next.run, planPayout);
      assert.deepEqual(
        (await payouts.attemptsOf(r.payoutId)).map((a) => [a.attempt, a.businessDay, a.outcome, a.reason, a.amountKrw]),
        [[1, day.run.businessDay, 'returned', 'account closed', 1_000n], [2, next.run.businessDay, 'pending', null, 1_000n]],
      );
      const resent = await payouts.getPayout(r.payoutId);
      assert.deepEqual([resent?.state, resent?.attempt, resent?.businessDay, resent?.updatedAt], ['scheduled', 2, day.run.businessDay, next.run.at]);
      assert.deepEqual((await payouts.attemptsOfRun(next.run.businessDay)).filter((a) => a.merchantId === returned).map((a) => [a.payoutId, a.attempt, a.settlementAccount]), [[r.payoutId, 2, SETTLEMENT]]);
      assert.deepEqual((await payouts.attemptsOf(h)).map((a) => [a.attempt, a.outcome, a.hold]), [[1, 'returned', true]]);
      assert.equal((await payouts.getPayout(h))?.state, 'held');
    });

    it('payouts: listed by id, filtered by day, merchant and state, in pages', async () => {
      const merchants = [await merchantIn(0), await merchantIn(0), await merchantIn(0)];
      const days = [nextDay(), nextDay()];
      for (const day of days) {
        for (const m of merchants) await paid(m, 1_000n, day.at(1));
        await payouts.createRun(day.run, planPayout);
      }
      await payouts.movePayout(payoutIdOf(days[0]!.run.businessDay, merchants[1]!), { from: 'scheduled', to: 'sent', at: days[0]!.run.at });
      const ids = async (filter: Parameters<PayoutStore['listPayouts']>[0]) => (await payouts.listPayouts(filter)).map((p) => p.payoutId);
      const all = await ids({ limit: 10_000 });
      assert.deepEqual(all, [...all].sort());
      const ours = days.flatMap((d) => merchants.map((m) => payoutIdOf(d.run.businessDay, m))).sort();
      assert.deepEqual(all.filter((id) => ours.includes(id)), ours);
      assert.deepEqual(await ids({ businessDay: days[1]!.run.businessDay, limit: 10_000 }), merchants.map((m) => payoutIdOf(days[1]!.run.businessDay, m)));
      assert.deepEqual(await ids({ merchantId: merchants[2]!, limit: 10_000 }), days.map((d) => payoutIdOf(d.run.businessDay, merchants[2]!)));
      assert.deepEqual(await ids({ merchantId: merchants[1]!, state: 'sent', limit: 10_000 }), [payoutIdOf(days[0]!.run.businessDay, merchants[1]!)]);
      assert.deepEqual(await ids({ businessDay: days[0]!.run.businessDay, merchantId: merchants[0]!, state: 'sent', limit: 10_000 }), []);
      const paged: string[] = [];
      for (let afterId: string | undefined; ; ) {
        const page = await ids({ businessDay: days[0]!.run.businessDay, limit: 2, ...(afterId === undefined ? {} : { afterId }) });
        paged.push(...page);
        if (page.length < 2) break;
        afterId = page.at(-1);
      }
      assert.deepEqual(paged, merchants.map((m) => payoutIdOf(days[0]!.run.businessDay, m)));
    });

    // ------------------------------------------------------------ concurrency

    it(`concurrency: ${RACERS} runs of one day: one is made, each entry paid once`, async () => {
      const merchants = [await merchantIn(250), await merchantIn(250)];
      const day = nextDay();
      for (const m of merchants) for (let i = 1; i <= 5; i++) await paid(m, 1_000n * BigInt(i), day.at(i));
      const runs = await Promise.all(Array.from({ length: RACERS }, (_, i) => payouts.createRun({ ...day.run, at: day.at(2_000 + i) }, planPayout)));
      assert.equal(runs.filter((r) => r.created).length, 1);
      const made = runs.find((r) => r.created)!.run;
      assert.ok(runs.every((r) => JSON.stringify(r.run) === JSON.stringify(made)));
      const made2 = mine(await payouts.payoutsOfRun(day.run.businessDay), ...merchants);
      assert.deepEqual(made2.map((p) => [p.netKrw, p.entryCount]), [[15_000n, 5], [15_000n, 5]]);
      for (const m of merchants) assert.equal(await payouts.unpaidNetKrw(m), 0n);
    });

    it(`concurrency: ${RACERS} runs of different days at once send a returned payout again once`, async () => {
      const m = await merchantIn(0);
      const day = nextDay();
      await paid(m, 3_000n, day.at(1));
      const payout = await sentPayout(m, day);
      await payouts.decideAttempt(payout.payoutId, 1, { outcome: 'returned', reason: 'closed', hold: false }, day.run.at);
      await payouts.movePayout(payout.payoutId, { from: 'sent', to: 'returned', at: day.run.at });
      const days = Array.from({ length: RACERS }, () => nextDay());
      const runs = await Promise.all(days.map((d) => payouts.createRun(d.run, planPayout)));
      assert.ok(runs.every((r) => r.created));
      assert.deepEqual((await payouts.attemptsOf(payout.payoutId)).map((a) => a.attempt), [1, 2]);
      assert.equal((await payouts.getPayout(payout.payoutId))?.attempt, 2);
    });

    it(`concurrency: ${RACERS} decisions on one attempt: one is taken`, async () => {
      const m = await merchantIn(0);
      const day = nextDay();
      await paid(m, 3_000n, day.at(1));
      const payout = await sentPayout(m, day);
      const decisions = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => payouts.decideAttempt(payout.payoutId, 1, i % 2 === 0 ? { outcome: 'confirmed' } : { outcome: 'returned', reason: `r${i}`, hold: i % 4 === 1 }, day.at(2_000 + i))),
      );
      assert.equal(decisions.filter(Boolean).length, 1);
      const winner = decisions.indexOf(true);
      const attempt = await payouts.getAttempt(payout.payoutId, 1);
      assert.deepEqual([attempt?.outcome, attempt?.resolvedAt], [winner % 2 === 0 ? 'confirmed' : 'returned', day.at(2_000 + winner)]);
    });
  });
}
