// Merchant payouts over the acquirer's HTTP API, against the fake network, with
// a clock the tests move through Korean business days.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { BANK_SETTLEMENT_ACCOUNT_ID, MDR_FEES_ACCOUNT_ID, PAYOUT_TRANSITIONS, PAYOUTS_IN_FLIGHT_ACCOUNT_ID } from './index.ts';
import { ACQUIRER_TEST_ENGINES, CODE, createTestClock, krw, merchantBody, OPERATOR_KEY, startHarness, type AcquirerTestEngine, type Harness, type TestClock } from './test-helpers.ts';
import type { PayoutId } from './types.ts';

type Shop = Awaited<ReturnType<Harness['onboard']>>;
type Body = Record<string, unknown>;
type PayoutBody = { payoutId: string; merchantId: string; state: string; attempt: number; net: unknown; fee: unknown; amount: unknown; captured: unknown; reversed: unknown; entryCount: number; mdrBps: number; attempts: Body[] };

const code = (r: { body: Body }) => (r.body.error as { code: string } | undefined)?.code;
/** An instant on the Korean wall clock: `kst('2026-11-25', '23:59:59.999')`. */
const kst = (day: string, time = '12:00:00.000') => new Date(`${day}T${time}+09:00`);

interface World {
  readonly h: Harness;
  readonly clock: TestClock;
  pay(shop: Shop, amountKrw: number): Promise<string>;
  refund(shop: Shop, paymentId: string, amountKrw: number): Promise<void>;
  run(day: string): Promise<{ status: number; body: Body }>;
  payoutOf(run: { body: Body }, merchantId: string): PayoutBody | undefined;
  balance(accountId: string): Promise<bigint>;
  payable(merchantId: string): Promise<bigint>;
  file(day: string): Promise<{ status: number; text: string; type: string | null }>;
}

let sequence = 0;

async function withWorld(engine: AcquirerTestEngine, start: Date, work: (w: World) => Promise<void>): Promise<void> {
  const clock = createTestClock(start);
  const h = await startHarness({ engine, now: clock.now });
  const w: World = {
    h,
    clock,
    async pay(shop, amountKrw) {
      const r = await h.api('POST', '/acquirer/v1/payments', { token: shop.terminalKey, body: { paymentRequestId: `p-${++sequence}`, amount: krw(amountKrw), paymentCode: CODE } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.paymentId as string;
    },
    async refund(shop, paymentId, amountKrw) {
      const r = await h.api('POST', `/acquirer/v1/payments/${paymentId}/refunds`, { token: shop.terminalKey, body: { refundRequestId: `r-${++sequence}`, amount: krw(amountKrw) } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    },
    run: (day) => h.api('POST', '/acquirer/v1/payout-runs', { token: OPERATOR_KEY, body: { businessDay: day } }),
    payoutOf: (run, merchantId) => (run.body.payouts as PayoutBody[]).find((p) => p.merchantId === merchantId),
    balance: (accountId) => h.acquirer.accountBalanceKrw(accountId),
    payable: (merchantId) => h.owedTo(merchantId), // verifies the ledger first
    async file(day) {
      const response = await h.acquirer.app.request(`/acquirer/v1/payout-runs/${day}/file`, { headers: { Authorization: `Bearer ${OPERATOR_KEY}` } });
      return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
    },
  };
  try {
    await work(w);
    const report = await h.acquirer.verifyLedger();
    assert.ok(report.ok, 'the ledger verifies');
  } finally {
    await h.close();
  }
}

const confirm = (w: World, payoutId: string, attempt: number) => w.h.api('POST', `/acquirer/v1/payouts/${payoutId}/confirm`, { token: OPERATOR_KEY, body: { attempt } });
const giveBack = (w: World, payoutId: string, body: Body) => w.h.api('POST', `/acquirer/v1/payouts/${payoutId}/return`, { token: OPERATOR_KEY, body });

for (const engine of ACQUIRER_TEST_ENGINES) {
  describe(`payouts, on ${engine}`, () => {
    it('declares the payout lifecycle as data', () => {
      assert.deepEqual(PAYOUT_TRANSITIONS, {
        scheduled: ['sent', 'confirmed'],
        sent: ['confirmed', 'returned', 'held'],
        returned: ['scheduled'],
        held: ['returned'],
        confirmed: [],
      });
    });

    it('pays T+1 what was captured on the Korean business day, less refunds, less the MDR rounded down, through the ledger', async () => {
      await withWorld(engine, kst('2026-11-25', '10:00:00.000'), async (w) => {
        const a = await w.h.onboard('Myeongdong Cosmetics');
        const b = await w.h.onboard('Insadong Tea House', { mdrBps: 333, settlementAccount: { bankCode: '088', accountNumber: '110-234-567890', holderName: '인사동 "Tea", House' } });
        const first = await w.pay(a, 10_000);
        await w.pay(a, 25_001);
        await w.refund(a, first, 5_000);
        await w.pay(b, 12_345);
        w.clock.set(kst('2026-11-25', '23:59:59.999'));
        await w.pay(a, 7_000); // the last instant of the day: counted
        const early = await w.run('2026-11-25');
        assert.equal(early.status, 409);
        assert.equal(code(early), 'BUSINESS_DAY_NOT_OVER');
        w.clock.set(kst('2026-11-26', '00:00:00.000'));
        await w.pay(a, 3_000); // the first instant of the next day: not counted

        w.clock.set(kst('2026-11-26', '09:00:00.000'));
        const run = await w.run('2026-11-25');
        assert.equal(run.status, 201, JSON.stringify(run.body));
        assert.equal(run.body.valueDate, '2026-11-26');
        assert.equal(run.body.created, true);
        const pa = w.payoutOf(run, a.merchantId)!;
        // 10 000 + 25 001 + 7 000 − 5 000 = 37 001; ⌊37 001 × 250 / 10 000⌋ = ⌊925.025⌋ = 925
        assert.deepEqual([pa.captured, pa.reversed, pa.net, pa.mdrBps, pa.fee, pa.amount, pa.entryCount], [krw(42_001), krw(5_000), krw(37_001), 250, krw(925), krw(36_076), 4]);
        assert.equal(pa.payoutId, `PO20261125${a.merchantId}`);
        assert.deepEqual([pa.state, pa.attempt], ['sent', 1]);
        const pb = w.payoutOf(run, b.merchantId)!;
        // ⌊12 345 × 333 / 10 000⌋ = ⌊411.0885⌋ = 411
        assert.deepEqual([pb.net, pb.fee, pb.amount], [krw(12_345), krw(411), krw(11_934)]);
        assert.deepEqual(run.body.file, { detailCount: 2, total: krw(36_076 + 11_934), checksum: (run.body.file as { checksum: string }).checksum });

        assert.equal(await w.payable(a.merchantId), 3_000n, "only the next day's payment is still owed");
        assert.equal(await w.payable(b.merchantId), 0n);
        assert.equal(await w.balance(PAYOUTS_IN_FLIGHT_ACCOUNT_ID), 36_076n + 11_934n);
        assert.equal(await w.balance(MDR_FEES_ACCOUNT_ID), 925n + 411n);

        // The file: documented columns, a trailer with the count, the total and the SHA-256 of what precedes it.
        const file = await w.file('2026-11-25');
        assert.equal(file.status, 200);
        assert.equal(file.type, 'text/csv; charset=utf-8');
        const sealed =
          `HEADER,DARI-PAYOUT,1,2026-11-25,2026-11-26,2026-11-26T00:00:00.000Z\r\n` +
          `DETAIL,${a.merchantId},004,12345678901234,Myeongdong Cosmetics,36076,KRW,PO20261125${a.merchantId},2026-11-26,1\r\n` +
          `DETAIL,${b.merchantId},088,110-234-567890,"인사동 ""Tea"", House",11934,KRW,PO20261125${b.merchantId},2026-11-26,1\r\n` +
          `TRAILER,2,48010,`;
        const checksum = createHash('sha256').update(sealed, 'utf8').digest('hex');
        assert.equal(file.text, `${sealed}${checksum}\r\n`);
        assert.equal((run.body.file as { checksum: string }).checksum, checksum);

        // Idempotent: the same day again creates nothing, moves nothing, writes the same bytes.
        const again = await w.run('2026-11-25');
        assert.equal(again.status, 200);
        assert.deepEqual({ ...again.body, created: true }, run.body);
        assert.equal((await w.file('2026-11-25')).text, file.text);
        assert.equal(await w.balance(PAYOUTS_IN_FLIGHT_ACCOUNT_ID), 36_076n + 11_934n);
        const listed = await w.h.api('GET', '/acquirer/v1/payouts?businessDay=2026-11-25', { token: OPERATOR_KEY });
        assert.equal((listed.body.payouts as unknown[]).length, 2);

        // The bank's word: confirmed, repeated, then a contradiction refused.
        const confirmed = await confirm(w, pa.payoutId, 1);
        assert.equal(confirmed.status, 200);
        assert.equal(confirmed.body.state, 'confirmed');
        assert.deepEqual(await confirm(w, pa.payoutId, 1), confirmed);
        const contradiction = await giveBack(w, pa.payoutId, { attempt: 1, reason: 'too late' });
        assert.equal(contradiction.status, 409);
        assert.equal(code(contradiction), 'INVALID_PAYOUT_STATE');
        assert.equal(await w.balance(BANK_SETTLEMENT_ACCOUNT_ID), 36_076n);
        assert.equal(await w.balance(PAYOUTS_IN_FLIGHT_ACCOUNT_ID), 11_934n);

        // The next day pays the payment made at its first instant.
        w.clock.set(kst('2026-11-27', '09:00:00.000'));
        const next = await w.run('2026-11-26');
        assert.deepEqual(w.payoutOf(next, a.merchantId)?.net, krw(3_000));
        assert.equal(w.payoutOf(next, b.merchantId), undefined);
      });
    });

    it('runs a day once even when asked twice at the same time', async () => {
      await withWorld(engine, kst('2026-11-25'), async (w) => {
        const a = await w.h.onboard();
        await w.pay(a, 40_000);
        w.clock.set(kst('2026-11-26', '08:00:00.000'));
        const [one, two] = await Promise.all([w.run('2026-11-25'), w.run('2026-11-25')]);
        assert.deepEqual([one.status, two.status].sort(), [200, 201]);
        assert.deepEqual((one.body.payouts as PayoutBody[]).map((p) => p.payoutId), (two.body.payouts as PayoutBody[]).map((p) => p.payoutId));
        assert.equal(await w.balance(PAYOUTS_IN_FLIGHT_ACCOUNT_ID), 39_000n);
        assert.equal(await w.balance(MDR_FEES_ACCOUNT_ID), 1_000n);
        assert.equal(await w.payable(a.merchantId), 0n);
      });
    });

    it('never pays a negative amount: a shortfall carries forward to the next payout', async () => {
      await withWorld(engine, kst('2026-11-25'), async (w) => {
        const c = await w.h.onboard();
        const sale = await w.pay(c, 50_000);
        w.clock.set(kst('2026-11-26', '01:00:00.000'));
        const day1 = await w.run('2026-11-25');
        const p1 = w.payoutOf(day1, c.merchantId)!;
        assert.deepEqual([p1.fee, p1.amount], [krw(1_250), krw(48_750)]);
        assert.equal((await confirm(w, p1.payoutId, 1)).status, 200);

        w.clock.set(kst('2026-11-26', '15:00:00.000'));
        await w.refund(c, sale, 30_000);
        w.clock.set(kst('2026-11-27', '01:00:00.000'));
        const day2 = await w.run('2026-11-26');
        assert.equal(day2.status, 201);
        assert.equal(w.payoutOf(day2, c.merchantId), undefined, 'no payout of −30 000');
        assert.deepEqual(day2.body.carriedForward, [{ merchantId: c.merchantId, shortfall: krw(30_000) }]);
        assert.deepEqual(day2.body.file, { detailCount: 0, total: krw(0), checksum: (day2.body.file as { checksum: string }).checksum });
        assert.equal(await w.payable(c.merchantId), -30_000n);
        const balance = await w.h.api('GET', `/acquirer/v1/merchants/${c.merchantId}/balance`, { token: OPERATOR_KEY });
        assert.deepEqual(balance.body, { merchantId: c.merchantId, payable: krw(0), shortfall: krw(30_000) });

        w.clock.set(kst('2026-11-27', '11:00:00.000'));
        await w.pay(c, 40_000);
        w.clock.set(kst('2026-11-28', '01:00:00.000'));
        const day3 = await w.run('2026-11-27');
        const p3 = w.payoutOf(day3, c.merchantId)!;
        // 40 000 − 30 000 carried = 10 000; fee ⌊10 000 × 2.5 %⌋ = 250
        assert.deepEqual([p3.captured, p3.reversed, p3.net, p3.fee, p3.amount, p3.entryCount], [krw(40_000), krw(30_000), krw(10_000), krw(250), krw(9_750), 2]);
        assert.deepEqual(day3.body.carriedForward, []);
        assert.equal((await confirm(w, p3.payoutId, 1)).status, 200);
        assert.equal(await w.payable(c.merchantId), 0n);
        // Paid 48 750 + 9 750, fees 1 250 + 250: captured 90 000 − refunded 30 000, to the won.
        assert.equal(await w.balance(BANK_SETTLEMENT_ACCOUNT_ID), 58_500n);
        assert.equal(await w.balance(MDR_FEES_ACCOUNT_ID), 1_500n);
        assert.equal(58_500n + 1_500n, 90_000n - 30_000n);
      });
    });

    it('deducts the cancellation of a payment already paid out from the next payout', async () => {
      await withWorld(engine, kst('2026-11-25'), async (w) => {
        const shop = await w.h.onboard('Cancel Shop', { mdrBps: 0 });
        const paid = await w.pay(shop, 30_000);
        w.clock.set(kst('2026-11-26', '02:00:00.000'));
        assert.deepEqual(w.payoutOf(await w.run('2026-11-25'), shop.merchantId)?.amount, krw(30_000));
        const cancelled = await w.h.api('POST', `/acquirer/v1/payments/${paid}/cancel`, { token: shop.terminalKey });
        assert.equal(cancelled.body.status, 'CANCELLED');
        await w.pay(shop, 50_000);
        w.clock.set(kst('2026-11-27', '02:00:00.000'));
        const p = w.payoutOf(await w.run('2026-11-26'), shop.merchantId)!;
        assert.deepEqual([p.captured, p.reversed, p.net, p.fee, p.amount], [krw(50_000), krw(30_000), krw(20_000), krw(0), krw(20_000)]);
        assert.equal(await w.payable(shop.merchantId), 0n);
      });
    });

    it('never loses a returned payout: the money goes back to the merchant, the next run sends it again, a held one waits for the operator', async () => {
      await withWorld(engine, kst('2026-11-25'), async (w) => {
        const shop = await w.h.onboard();
        assert.deepEqual((await w.h.api('PUT', `/acquirer/v1/merchants/${shop.merchantId}/mdr`, { token: OPERATOR_KEY, body: { mdrBps: 100 } })).body, { merchantId: shop.merchantId, mdrBps: 100 });
        await w.pay(shop, 20_000);
        w.clock.set(kst('2026-11-26', '02:00:00.000'));
        const { payoutId } = w.payoutOf(await w.run('2026-11-25'), shop.merchantId)!;
        const expectBalances = async (expected: { payable: bigint; inFlight: bigint; bank: bigint }) => {
          assert.deepEqual(
            { payable: await w.payable(shop.merchantId), inFlight: await w.balance(PAYOUTS_IN_FLIGHT_ACCOUNT_ID), bank: await w.balance(BANK_SETTLEMENT_ACCOUNT_ID), fees: await w.balance(MDR_FEES_ACCOUNT_ID) },
            { ...expected, fees: 200n },
          );
        };
        await expectBalances({ payable: 0n, inFlight: 19_800n, bank: 0n });

        // Attempt 1 comes back: the money is owed to the merchant again.
        const returned = await giveBack(w, payoutId, { attempt: 1, reason: 'account number not found' });
        assert.equal(returned.status, 200, JSON.stringify(returned.body));
        assert.equal(returned.body.state, 'returned');
        assert.deepEqual(await giveBack(w, payoutId, { attempt: 1, reason: 'account number not found' }), returned, 'a repeat changes nothing');
        assert.equal(code(await confirm(w, payoutId, 1)), 'INVALID_PAYOUT_STATE');
        await expectBalances({ payable: 19_800n, inFlight: 0n, bank: 0n });

        // The next run sends it again, as attempt 2, in its own file.
        w.clock.set(kst('2026-11-27', '02:00:00.000'));
        const day2 = await w.run('2026-11-26');
        assert.deepEqual(day2.body.payouts, [], 'no new payout: nothing new was captured');
        assert.deepEqual(day2.body.file, { detailCount: 1, total: krw(19_800), checksum: (day2.body.file as { checksum: string }).checksum });
        assert.match((await w.file('2026-11-26')).text, new RegExp(`\r\nDETAIL,${shop.merchantId},004,12345678901234,Myeongdong Cosmetics,19800,KRW,${payoutId},2026-11-27,2\r\n`));
        await expectBalances({ payable: 0n, inFlight: 19_800n, bank: 0n });

        // Returned again, held on the operator's word: the next run leaves it.
        const held = await giveBack(w, payoutId, { attempt: 2, reason: 'account closed', hold: true });
        assert.equal(held.body.state, 'held');
        w.clock.set(kst('2026-11-28', '02:00:00.000'));
        assert.equal(((await w.run('2026-11-27')).body.file as { detailCount: number }).detailCount, 0);
        await expectBalances({ payable: 19_800n, inFlight: 0n, bank: 0n });

        // Released, sent as attempt 3; returned again: held on its own (automatic retries ran out).
        assert.equal((await w.h.api('POST', `/acquirer/v1/payouts/${payoutId}/release`, { token: OPERATOR_KEY })).body.state, 'returned');
        w.clock.set(kst('2026-11-29', '02:00:00.000'));
        assert.equal(((await w.run('2026-11-28')).body.file as { detailCount: number }).detailCount, 1);
        assert.equal((await giveBack(w, payoutId, { attempt: 3, reason: 'bank offline' })).body.state, 'held');
        assert.equal((await w.h.api('POST', `/acquirer/v1/payouts/${payoutId}/release`, { token: OPERATOR_KEY })).body.state, 'returned');

        // Sent as attempt 4 and confirmed: paid once, to the won.
        w.clock.set(kst('2026-11-30', '02:00:00.000'));
        await w.run('2026-11-29');
        const done = await confirm(w, payoutId, 4);
        assert.equal(done.body.state, 'confirmed');
        assert.deepEqual(
          (done.body.attempts as Body[]).map((a) => [a.attempt, a.businessDay, a.outcome, a.reason ?? null, a.hold]),
          [
            [1, '2026-11-25', 'returned', 'account number not found', false],
            [2, '2026-11-26', 'returned', 'account closed', true],
            [3, '2026-11-28', 'returned', 'bank offline', true],
            [4, '2026-11-29', 'confirmed', null, false],
          ],
        );
        await expectBalances({ payable: 0n, inFlight: 0n, bank: 19_800n });
      });
    });

    it('takes the MDR the merchant had when the payout was made, from 0 to 10 000 bps', async () => {
      await withWorld(engine, kst('2026-11-25'), async (w) => {
        const shop = await w.h.onboard();
        assert.equal((await w.h.api('GET', `/acquirer/v1/merchants/${shop.merchantId}`, { token: OPERATOR_KEY })).body.mdrBps, 250);
        const setMdr = (mdrBps: number) => w.h.api('PUT', `/acquirer/v1/merchants/${shop.merchantId}/mdr`, { token: OPERATOR_KEY, body: { mdrBps } });
        assert.equal((await setMdr(0)).status, 200);
        await w.pay(shop, 9_999);
        w.clock.set(kst('2026-11-26', '02:00:00.000'));
        const free = w.payoutOf(await w.run('2026-11-25'), shop.merchantId)!;
        assert.deepEqual([free.mdrBps, free.fee, free.amount], [0, krw(0), krw(9_999)]);

        // All of it: nothing to send, so no line in the file; the payout is done at once.
        assert.equal((await setMdr(10_000)).status, 200);
        await w.pay(shop, 5_000);
        w.clock.set(kst('2026-11-27', '02:00:00.000'));
        const run = await w.run('2026-11-26');
        const all = w.payoutOf(run, shop.merchantId)!;
        assert.deepEqual([all.fee, all.amount, all.state, all.attempt, all.attempts], [krw(5_000), krw(0), 'confirmed', 0, []]);
        assert.equal((run.body.file as { detailCount: number }).detailCount, 0);
        assert.equal(await w.payable(shop.merchantId), 0n);
        assert.equal(await w.balance(MDR_FEES_ACCOUNT_ID), 5_000n);

        // A later change does not touch a payout already made.
        assert.equal((await setMdr(250)).status, 200);
        assert.equal((await w.h.api('GET', `/acquirer/v1/payouts/${all.payoutId}`, { token: OPERATOR_KEY })).body.mdrBps, 10_000);
      });
    });

    it('books on the next pass a decision recorded before a crash', async () => {
      await withWorld(engine, kst('2026-11-25'), async (w) => {
        const shop = await w.h.onboard('Crash Shop', { mdrBps: 0 });
        await w.pay(shop, 8_000);
        w.clock.set(kst('2026-11-26', '02:00:00.000'));
        const { payoutId } = w.payoutOf(await w.run('2026-11-25'), shop.merchantId)!;
        // The bank's word reached the acquirer's tables, then the process died before the ledger heard of it.
        await w.h.withStores(async ({ payouts }) => {
          assert.equal(await payouts.decideAttempt(payoutId as PayoutId, 1, { outcome: 'confirmed' }, w.clock.now().toISOString()), true);
        });
        assert.equal(await w.balance(BANK_SETTLEMENT_ACCOUNT_ID), 0n);
        await w.h.acquirer.resolveOpen();
        assert.equal((await w.h.api('GET', `/acquirer/v1/payouts/${payoutId}`, { token: OPERATOR_KEY })).body.state, 'confirmed');
        assert.equal(await w.balance(BANK_SETTLEMENT_ACCOUNT_ID), 8_000n);
        assert.equal(await w.balance(PAYOUTS_IN_FLIGHT_ACCOUNT_ID), 0n);
        // And the operator's late confirm of the same attempt is a repeat, not a second payment.
        assert.equal((await confirm(w, payoutId, 1)).status, 200);
        assert.equal(await w.balance(BANK_SETTLEMENT_ACCOUNT_ID), 8_000n);
      });
    });

    it('refuses bad input, each with its code', async () => {
      await withWorld(engine, kst('2026-11-25'), async (w) => {
        const shop = await w.h.onboard();
        await w.pay(shop, 1_000);
        w.clock.set(kst('2026-11-26', '02:00:00.000'));
        const { payoutId } = w.payoutOf(await w.run('2026-11-25'), shop.merchantId)!;
        const op = { token: OPERATOR_KEY };
        const cases: [string, string, string, { token?: string; body?: unknown; raw?: string }, number, string][] = [
          ['a day that does not exist', 'POST', '/acquirer/v1/payout-runs', { ...op, body: { businessDay: '2026-02-30' } }, 400, 'INVALID_BUSINESS_DAY'],
          ['a day written otherwise', 'POST', '/acquirer/v1/payout-runs', { ...op, body: { businessDay: '2026/11/25' } }, 400, 'INVALID_BUSINESS_DAY'],
          ['a day before 2000', 'POST', '/acquirer/v1/payout-runs', { ...op, body: { businessDay: '1999-12-31' } }, 400, 'INVALID_BUSINESS_DAY'],
          ['a day as a number', 'POST', '/acquirer/v1/payout-runs', { ...op, body: { businessDay: 20261125 } }, 400, 'INVALID_REQUEST'],
          ['no day', 'POST', '/acquirer/v1/payout-runs', { ...op, body: {} }, 400, 'INVALID_REQUEST'],
          ['not JSON', 'POST', '/acquirer/v1/payout-runs', { ...op, raw: '{' }, 400, 'INVALID_REQUEST'],
          ['today, not over', 'POST', '/acquirer/v1/payout-runs', { ...op, body: { businessDay: '2026-11-26' } }, 409, 'BUSINESS_DAY_NOT_OVER'],
          ['a future day', 'POST', '/acquirer/v1/payout-runs', { ...op, body: { businessDay: '2027-01-01' } }, 409, 'BUSINESS_DAY_NOT_OVER'],
          ['a terminal running payouts', 'POST', '/acquirer/v1/payout-runs', { token: shop.terminalKey, body: { businessDay: '2026-11-25' } }, 403, 'FORBIDDEN'],
          ['no key', 'POST', '/acquirer/v1/payout-runs', { body: { businessDay: '2026-11-25' } }, 401, 'UNAUTHENTICATED'],
          ['a run never made', 'GET', '/acquirer/v1/payout-runs/2026-11-20', op, 404, 'NOT_FOUND'],
          ['a run that is no day', 'GET', '/acquirer/v1/payout-runs/yesterday', op, 400, 'INVALID_BUSINESS_DAY'],
          ['the file of a run never made', 'GET', '/acquirer/v1/payout-runs/2026-11-20/file', op, 404, 'NOT_FOUND'],
          ["a terminal reading a run's file", 'GET', '/acquirer/v1/payout-runs/2026-11-25/file', { token: shop.terminalKey }, 403, 'FORBIDDEN'],
          ['an unknown payout', 'GET', '/acquirer/v1/payouts/PO20261125KR01M999999', op, 404, 'NOT_FOUND'],
          ['a terminal listing payouts', 'GET', '/acquirer/v1/payouts', { token: shop.terminalKey }, 403, 'FORBIDDEN'],
          ['payouts in a state that does not exist', 'GET', '/acquirer/v1/payouts?state=lost', op, 400, 'INVALID_REQUEST'],
          ['a page of none', 'GET', '/acquirer/v1/payouts?limit=0', op, 400, 'INVALID_REQUEST'],
          ['payouts of no day', 'GET', '/acquirer/v1/payouts?businessDay=2026-13-01', op, 400, 'INVALID_BUSINESS_DAY'],
          ['confirming an unknown payout', 'POST', '/acquirer/v1/payouts/PO20261125KR01M999999/confirm', { ...op, body: { attempt: 1 } }, 404, 'NOT_FOUND'],
          ['confirming attempt 0', 'POST', `/acquirer/v1/payouts/${payoutId}/confirm`, { ...op, body: { attempt: 0 } }, 400, 'INVALID_REQUEST'],
          ['confirming beyond the last attempt there can be', 'POST', `/acquirer/v1/payouts/${payoutId}/confirm`, { ...op, body: { attempt: 11 } }, 400, 'INVALID_REQUEST'],
          ['an attempt as text', 'POST', `/acquirer/v1/payouts/${payoutId}/confirm`, { ...op, body: { attempt: '1' } }, 400, 'INVALID_REQUEST'],
          ['an attempt not made yet', 'POST', `/acquirer/v1/payouts/${payoutId}/confirm`, { ...op, body: { attempt: 2 } }, 404, 'NOT_FOUND'],
          ['a return without a reason', 'POST', `/acquirer/v1/payouts/${payoutId}/return`, { ...op, body: { attempt: 1 } }, 400, 'INVALID_REQUEST'],
          ['a blank reason', 'POST', `/acquirer/v1/payouts/${payoutId}/return`, { ...op, body: { attempt: 1, reason: '   ' } }, 400, 'INVALID_REQUEST'],
          ['a reason with a line break', 'POST', `/acquirer/v1/payouts/${payoutId}/return`, { ...op, body: { attempt: 1, reason: 'closed\r\nDETAIL,x' } }, 400, 'INVALID_REQUEST'],
          ['a reason too long', 'POST', `/acquirer/v1/payouts/${payoutId}/return`, { ...op, body: { attempt: 1, reason: 'x'.repeat(201) } }, 400, 'INVALID_REQUEST'],
          ['hold that is not a boolean', 'POST', `/acquirer/v1/payouts/${payoutId}/return`, { ...op, body: { attempt: 1, reason: 'closed', hold: 'yes' } }, 400, 'INVALID_REQUEST'],
          ['a terminal confirming a payout', 'POST', `/acquirer/v1/payouts/${payoutId}/confirm`, { token: shop.terminalKey, body: { attempt: 1 } }, 403, 'FORBIDDEN'],
          ['releasing a payout that is not held', 'POST', `/acquirer/v1/payouts/${payoutId}/release`, op, 409, 'INVALID_PAYOUT_STATE'],
          ['a negative MDR', 'PUT', `/acquirer/v1/merchants/${shop.merchantId}/mdr`, { ...op, body: { mdrBps: -1 } }, 400, 'INVALID_REQUEST'],
          ['an MDR above 100 %', 'PUT', `/acquirer/v1/merchants/${shop.merchantId}/mdr`, { ...op, body: { mdrBps: 10_001 } }, 400, 'INVALID_REQUEST'],
          ['a fractional MDR', 'PUT', `/acquirer/v1/merchants/${shop.merchantId}/mdr`, { ...op, body: { mdrBps: 2.5 } }, 400, 'INVALID_REQUEST'],
          ['an MDR as text', 'PUT', `/acquirer/v1/merchants/${shop.merchantId}/mdr`, { ...op, body: { mdrBps: '250' } }, 400, 'INVALID_REQUEST'],
          ["an unknown merchant's MDR", 'PUT', '/acquirer/v1/merchants/KR01M999999/mdr', { ...op, body: { mdrBps: 250 } }, 404, 'NOT_FOUND'],
          ['a terminal setting its own MDR', 'PUT', `/acquirer/v1/merchants/${shop.merchantId}/mdr`, { token: shop.terminalKey, body: { mdrBps: 0 } }, 403, 'FORBIDDEN'],
          ['onboarding with an MDR above 100 %', 'POST', '/acquirer/v1/merchants', { ...op, body: { ...merchantBody(), mdrBps: 10_001 } }, 400, 'INVALID_REQUEST'],
          [
            'an account holder with a line break (it would break the bank file)',
            'POST',
            '/acquirer/v1/merchants',
            { ...op, body: merchantBody({ settlementAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: 'Kim\nDETAIL' } }) },
            400,
            'INVALID_REQUEST',
          ],
        ];
        const before = { inFlight: await w.balance(PAYOUTS_IN_FLIGHT_ACCOUNT_ID), payable: await w.payable(shop.merchantId) };
        for (const [name, method, path, options, status, expected] of cases) {
          const r = await w.h.api(method, path, options);
          assert.deepEqual([r.status, code(r)], [status, expected], `${name}: ${JSON.stringify(r.body)}`);
        }
        assert.deepEqual({ inFlight: await w.balance(PAYOUTS_IN_FLIGHT_ACCOUNT_ID), payable: await w.payable(shop.merchantId) }, before, 'no refusal moved money');
        assert.equal((await w.h.api('GET', `/acquirer/v1/payouts/${payoutId}`, op)).body.state, 'sent');
      });
    });

    it('documents the payout routes for /openapi.json', async () => {
      await withWorld(engine, kst('2026-11-25'), async (w) => {
        const paths = new Set(w.h.acquirer.routeDocs.map((d) => `${d.method} ${d.path}`));
        for (const expected of [
          'post /acquirer/v1/payout-runs',
          'get /acquirer/v1/payout-runs/{day}',
          'get /acquirer/v1/payout-runs/{day}/file',
          'get /acquirer/v1/payouts',
          'get /acquirer/v1/payouts/{id}',
          'post /acquirer/v1/payouts/{id}/confirm',
          'post /acquirer/v1/payouts/{id}/return',
          'post /acquirer/v1/payouts/{id}/release',
          'put /acquirer/v1/merchants/{id}/mdr',
        ]) {
          assert.ok(paths.has(expected), expected);
        }
      });
    });
  });
}
