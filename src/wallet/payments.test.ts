/**
 * The network's side of the wallet, over signed requests in process, on real
 * SQLite and on PostgreSQL: pay (happy path, idempotency, every refusal), limits by
 * Asia/Shanghai day, cancel (before and after pay), refunds, inquiries,
 * refused signatures, privacy of every answer, and repair after a crash.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLedger } from '../ledger/index.ts';
import { amount } from '../money/index.ts';
import { PROTOCOL_ENDPOINTS, type PayResponse, type ProtocolEndpointName, type ProtocolRequest, type ProtocolResponse, type WalletPayRequest } from '../protocol/index.ts';
import { paymentCodeHash } from './payment-code.ts';
import {
  ACQUIRER_ID,
  acquirerKeys,
  api,
  assertLedgerBalanced,
  balanceOf,
  cnyFor,
  CNY,
  KRW,
  MERCHANT,
  newCode,
  payRequest,
  protocolCall,
  signedInit,
  signUp,
  startTestWallet,
  strangerKeys,
  topUp,
  WALLET_TEST_ENGINES,
  type TestWallet,
  type WalletTestEngine,
} from './test-helpers.ts';
import type { UserId } from './types.ts';

let sequence = 0;
const nextId = (prefix: string): string => `${prefix}${++sequence}`;

for (const engine of WALLET_TEST_ENGINES) {
  protocolSuite(engine);
  recoverySuite(engine);
}

function protocolSuite(engine: WalletTestEngine): void {
  describe(`wallet protocol routes (the network calls the wallet) on ${engine}`, () => {
    let t: TestWallet;
    /** Every protocol answer of this suite, for the privacy test. */
    const answers: string[] = [];
    const call = async <N extends ProtocolEndpointName>(name: N, request: ProtocolRequest<N>): Promise<ProtocolResponse<N>> => {
      const answer = await protocolCall(t, name, request);
      answers.push(JSON.stringify(answer));
      return answer;
    };
    const funded = async (cnyFen: string, extra: { idNumber?: string } = { idNumber: 'E12345678' }) => {
      const user = await signUp(t.wallet, extra);
      if (cnyFen !== '0') assert.equal((await topUp(t.wallet, user.token, cnyFen)).status, 201);
      return user;
    };

    before(async () => {
      t = await startTestWallet({ engine });
    });
    after(async () => {
      await t.close();
    });

    it('pays: debits the user at the locked rate, answers with the per-merchant pseudonym, and repeats that answer for a retry', async () => {
      const user = await funded('100000');
      const request = payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, user.token) });
      const answer = await call('walletPay', request);
      assert.deepEqual(answer.result, { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' });
      assert.equal(answer.paymentId, request.paymentId);
      assert.deepEqual(answer.paymentAmount, { currency: 'KRW', value: '15000' });
      assert.deepEqual(answer.payAmount, { currency: 'CNY', value: '7885' }); // 15,000 / 190.25 = 78.8436… rounded up
      assert.deepEqual(answer.fxQuote, request.fxQuote);
      assert.match(String(answer.payerId), /^pp_/);
      assert.equal(answer.paymentTime, t.clock.now().toISOString());
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });

      const retry = await call('walletPay', request);
      assert.deepEqual(retry, answer);
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });
      const changed = await call('walletPay', { ...request, paymentRequestId: 'other' });
      assert.equal(changed.result.resultCode, 'REPEAT_REQ_INCONSISTENT');

      // Same user, same merchant: same pseudonym; another merchant: another.
      const again = await call('walletPay', payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, user.token), krw: 1000n }));
      const elsewhere = await call('walletPay', payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, user.token), krw: 1000n, merchantId: 'KR01M000002' }));
      assert.equal(again.payerId, answer.payerId);
      assert.notEqual(elsewhere.payerId, answer.payerId);
      await assertLedgerBalanced(t.wallet);
    });

    it('refuses every bad pay with its result code, in the documented order, and moves no money', async () => {
      const user = await funded('1000000');
      const code = () => newCode(t.wallet, user.token);
      const spent = await code();
      assert.equal((await call('walletPay', payRequest({ paymentId: nextId('P'), code: spent, krw: 1000n }))).result.resultCode, 'SUCCESS');
      const balance = await balanceOf(t.wallet, user.token);
      const base = async (): Promise<WalletPayRequest> => payRequest({ paymentId: nextId('P'), code: await code() });
      const cases: Array<{ name: string; request: () => Promise<WalletPayRequest>; code: string }> = [
        { name: 'another wallet’s prefix', request: async () => ({ ...(await base()), paymentCode: '999912345678901234' }), code: 'INVALID_PAYMENT_CODE' },
        { name: 'unknown code', request: async () => ({ ...(await base()), paymentCode: '285100000000000000' }), code: 'INVALID_PAYMENT_CODE' },
        { name: 'used code', request: async () => ({ ...(await base()), paymentCode: spent }), code: 'INVALID_PAYMENT_CODE' },
        { name: 'price in USD', request: async () => ({ ...(await base()), paymentAmount: { currency: 'USD', value: '15000' } }), code: 'CURRENCY_NOT_SUPPORT' },
        { name: 'charge in KRW', request: async () => ({ ...(await base()), payAmount: { currency: 'KRW', value: '15000' } }), code: 'CURRENCY_NOT_SUPPORT' },
        { name: 'rate the wrong way round', request: async () => { const r = await base(); return { ...r, fxQuote: { ...r.fxQuote, baseCurrency: 'KRW', quoteCurrency: 'CNY' } }; }, code: 'CURRENCY_NOT_SUPPORT' },
        { name: 'charge one fen more', request: async () => ({ ...(await base()), payAmount: { currency: 'CNY', value: '7886' } }), code: 'PARAM_ILLEGAL' },
        { name: 'charge rounded down', request: async () => ({ ...(await base()), payAmount: { currency: 'CNY', value: '7884' } }), code: 'PARAM_ILLEGAL' },
        { name: 'zero price', request: async () => ({ ...(await base()), paymentAmount: { currency: 'KRW', value: '0' }, payAmount: { currency: 'CNY', value: '0' } }), code: 'PARAM_ILLEGAL' },
        { name: 'price beyond 2^63', request: async () => ({ ...(await base()), paymentAmount: { currency: 'KRW', value: '9999999999999999999' } }), code: 'PARAM_ILLEGAL' },
      ];
      for (const c of cases) {
        const request = await c.request();
        const answer = await call('walletPay', request);
        assert.deepEqual([answer.result.resultStatus, answer.result.resultCode], ['F', c.code], c.name);
        assert.deepEqual(await balanceOf(t.wallet, user.token), balance, c.name);
        // The refusal sticks to the payment id: a retry gets it again.
        assert.equal((await call('walletPay', request)).result.resultCode, c.code, `${c.name}, retried`);
      }
      // An unsigned, unknown or malformed body never reaches the handler.
      const malformed = await call('walletPay', { ...(await base()), paymentCode: '12' });
      assert.equal(malformed.result.resultCode, 'PARAM_ILLEGAL');
      await assertLedgerBalanced(t.wallet);
    });

    it('refuses an expired code (60 s) and accepts one just before', async () => {
      const user = await funded('100000');
      const early = await newCode(t.wallet, user.token);
      const late = await newCode(t.wallet, user.token);
      t.clock.advanceSeconds(59);
      assert.equal((await call('walletPay', payRequest({ paymentId: nextId('P'), code: early }))).result.resultCode, 'SUCCESS');
      t.clock.advanceSeconds(1);
      const expired = await call('walletPay', payRequest({ paymentId: nextId('P'), code: late }));
      assert.deepEqual([expired.result.resultStatus, expired.result.resultCode], ['F', 'EXPIRED_CODE']);
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });
    });

    it('refuses a payment the balance does not cover, and the code is spent all the same', async () => {
      const user = await funded('1000');
      const code = await newCode(t.wallet, user.token);
      const request = payRequest({ paymentId: nextId('P'), code });
      const answer = await call('walletPay', request);
      assert.deepEqual([answer.result.resultStatus, answer.result.resultCode], ['F', 'USER_BALANCE_NOT_ENOUGH']);
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '1000', card: '4999000' });
      assert.equal((await call('walletPay', request)).result.resultCode, 'USER_BALANCE_NOT_ENOUGH');
      assert.equal((await call('walletPay', payRequest({ paymentId: nextId('P'), code, krw: 100n }))).result.resultCode, 'INVALID_PAYMENT_CODE');
      const inquiry = await call('walletInquiryPayment', { paymentId: request.paymentId });
      assert.deepEqual([inquiry.result.resultCode, inquiry.paymentStatus, inquiry.paymentResult?.resultCode], ['SUCCESS', 'FAIL', 'USER_BALANCE_NOT_ENOUGH']);
      assert.equal((await call('walletCancelPayment', { paymentId: request.paymentId })).result.resultCode, 'SUCCESS');
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '1000', card: '4999000' });
      await assertLedgerBalanced(t.wallet);
    });

    it('applies the tier limits: per payment, and per Asia/Shanghai calendar day', async () => {
      const basic = await funded('5000000', {});
      const pay = async (krw: bigint) => (await call('walletPay', payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, basic.token), krw }))).result.resultCode;
      assert.equal(cnyFor(190_250n), '100000');
      assert.equal(cnyFor(190_251n), '100001');
      t.clock.ms = Date.parse('2026-03-03T15:00:00Z'); // 23:00 in Shanghai
      assert.equal(await pay(190_251n), 'USER_AMOUNT_EXCEED_LIMIT'); // 1,000.01 CNY > 1,000.00 per payment
      assert.equal(await pay(190_250n), 'SUCCESS');
      assert.equal(await pay(190_250n), 'SUCCESS'); // 2,000.00 today: the daily limit exactly
      assert.equal(await pay(100n), 'USER_AMOUNT_EXCEED_LIMIT');
      const me = await api(t.wallet, 'GET', '/wallet/v1/me', { token: basic.token });
      assert.deepEqual(me.body.limits?.usedToday, { currency: 'CNY', value: '200000' });
      t.clock.ms = Date.parse('2026-03-03T16:00:00Z'); // midnight in Shanghai: a new day
      assert.equal(await pay(100n), 'SUCCESS');
      assert.deepEqual(await balanceOf(t.wallet, basic.token), { balance: String(5_000_000 - 200_000 - Number(cnyFor(100n))), card: '0' });

      // The verified tier: 10,000.00 a payment, 50,000.00 a day; a refund does not lower the day's total, a cancel does.
      const verified = await funded('5000000');
      const payVerified = async (krw: bigint) => {
        const request = payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, verified.token), krw });
        return { request, code: (await call('walletPay', request)).result.resultCode };
      };
      assert.equal((await payVerified(1_902_501n)).code, 'USER_AMOUNT_EXCEED_LIMIT');
      const paid = [];
      for (let i = 0; i < 5; i++) {
        const p = await payVerified(1_902_500n); // 10,000.00 CNY each
        assert.equal(p.code, 'SUCCESS');
        paid.push(p.request);
      }
      assert.deepEqual(await balanceOf(t.wallet, verified.token), { balance: '0', card: '0' });
      const refunded = await call('walletRefund', { refundId: nextId('R'), paymentId: paid[0]!.paymentId, refundAmount: { currency: 'KRW', value: '1902500' }, refundPayAmount: { currency: 'CNY', value: '1000000' } });
      assert.equal(refunded.result.resultCode, 'SUCCESS');
      assert.equal((await payVerified(100n)).code, 'USER_AMOUNT_EXCEED_LIMIT');
      assert.equal((await call('walletCancelPayment', { paymentId: paid[1]!.paymentId })).result.resultCode, 'SUCCESS');
      assert.equal((await payVerified(1_902_500n)).code, 'SUCCESS');
      assert.deepEqual(await balanceOf(t.wallet, verified.token), { balance: '1000000', card: '0' });
      await assertLedgerBalanced(t.wallet);
    });

    it('cancels: a cancel before the pay leaves a tombstone that refuses the pay; a cancel after it gives the money back, once', async () => {
      const user = await funded('100000');
      const code = await newCode(t.wallet, user.token);
      const first = payRequest({ paymentId: nextId('P'), code });
      const tomb = await call('walletCancelPayment', { paymentId: first.paymentId });
      assert.deepEqual([tomb.result.resultCode, tomb.paymentId], ['SUCCESS', first.paymentId]);
      const late = await call('walletPay', first);
      assert.deepEqual([late.result.resultStatus, late.result.resultCode], ['F', 'ORDER_IS_CLOSED']);
      const tombInquiry = await call('walletInquiryPayment', { paymentId: first.paymentId });
      assert.equal(tombInquiry.paymentStatus, 'CANCELLED');
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '100000', card: '4900000' });

      // The code was not spent by the refused pay.
      const paid = payRequest({ paymentId: nextId('P'), code });
      assert.equal((await call('walletPay', paid)).result.resultCode, 'SUCCESS');
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });
      const cancelled = await call('walletCancelPayment', { paymentId: paid.paymentId });
      assert.equal(cancelled.result.resultCode, 'SUCCESS');
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '100000', card: '4900000' });
      const again = await call('walletCancelPayment', { paymentId: paid.paymentId });
      assert.deepEqual(again, cancelled);
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '100000', card: '4900000' });
      const inquiry = await call('walletInquiryPayment', { paymentId: paid.paymentId });
      assert.deepEqual([inquiry.paymentStatus, inquiry.paymentResult?.resultCode], ['CANCELLED', 'ORDER_IS_CLOSED']);
      assert.equal((await call('walletPay', paid)).result.resultCode, 'ORDER_IS_CLOSED');
      assert.equal((await call('walletRefund', { refundId: nextId('R'), paymentId: paid.paymentId, refundAmount: { currency: 'KRW', value: '100' }, refundPayAmount: { currency: 'CNY', value: '53' } })).result.resultCode, 'PAYMENT_NOT_REFUNDABLE');

      const items = (await api(t.wallet, 'GET', '/wallet/v1/transactions', { token: user.token })).body.items ?? {};
      assert.deepEqual(
        Object.values(items).map((item) => [item.type, item.status ?? null, item.amount?.value ?? item.payAmount?.value ?? null]),
        [['cancellation', null, '7885'], ['payment', 'CANCELLED', '7885'], ['topup', 'SUCCESS', '100000']],
      );
      assert.equal(items[1]?.rate, '190.25');
      assert.equal(items[1]?.merchantName, MERCHANT.merchantName);
      await assertLedgerBalanced(t.wallet);
    });

    it('refunds in parts up to the payment, idempotently, and then refuses a cancel', async () => {
      const user = await funded('100000');
      const paid = payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, user.token) });
      assert.equal((await call('walletPay', paid)).result.resultCode, 'SUCCESS');
      const refund = (refundId: string, krw: string, fen: string) => call('walletRefund', { refundId, paymentId: paid.paymentId, refundAmount: { currency: 'KRW', value: krw }, refundPayAmount: { currency: 'CNY', value: fen } });
      const r1 = nextId('R');
      const first = await refund(r1, '5000', '2628');
      assert.deepEqual([first.result.resultCode, first.refundId, first.refundAmount, first.refundPayAmount], ['SUCCESS', r1, { currency: 'KRW', value: '5000' }, { currency: 'CNY', value: '2628' }]);
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885 + 2628), card: '4900000' });
      assert.deepEqual(await refund(r1, '5000', '2628'), first);
      assert.equal((await refund(r1, '5000', '2629')).result.resultCode, 'REPEAT_REQ_INCONSISTENT');
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885 + 2628), card: '4900000' });

      const cases: Array<[string, string, string, string]> = [
        ['more CNY than is left', '10000', '5258', 'REFUND_AMOUNT_EXCEED'],
        ['more KRW than is left', '10001', '5257', 'REFUND_AMOUNT_EXCEED'],
        ['in the wrong currency', '10000', '5257', 'CURRENCY_NOT_SUPPORT'],
      ];
      for (const [name, krw, fen, code] of cases) {
        const answer =
          code === 'CURRENCY_NOT_SUPPORT'
            ? await call('walletRefund', { refundId: nextId('R'), paymentId: paid.paymentId, refundAmount: { currency: 'USD', value: krw }, refundPayAmount: { currency: 'CNY', value: fen } })
            : await refund(nextId('R'), krw, fen);
        assert.deepEqual([answer.result.resultStatus, answer.result.resultCode], ['F', code], name);
      }
      const r2 = nextId('R');
      assert.equal((await refund(r2, '10000', '5257')).result.resultCode, 'SUCCESS');
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '100000', card: '4900000' });
      assert.equal((await refund(nextId('R'), '1', '1')).result.resultCode, 'REFUND_AMOUNT_EXCEED');
      assert.equal((await call('walletCancelPayment', { paymentId: paid.paymentId })).result.resultCode, 'CANCEL_WINDOW_EXCEED');

      const inquiry = await call('walletInquiryRefund', { refundId: r2 });
      assert.deepEqual([inquiry.result.resultCode, inquiry.refundStatus, inquiry.refundResult?.resultCode, inquiry.refundPayAmount], ['SUCCESS', 'SUCCESS', 'SUCCESS', { currency: 'CNY', value: '5257' }]);
      assert.equal((await call('walletInquiryRefund', { refundId: 'nope' })).result.resultCode, 'ORDER_NOT_EXIST');
      assert.equal((await call('walletRefund', { refundId: nextId('R'), paymentId: 'no-such-payment', refundAmount: { currency: 'KRW', value: '1' }, refundPayAmount: { currency: 'CNY', value: '1' } })).result.resultCode, 'ORDER_NOT_EXIST');
      const items = Object.values((await api(t.wallet, 'GET', '/wallet/v1/transactions', { token: user.token })).body.items ?? {});
      assert.deepEqual(items.map((item) => [item.type, item.refundPayAmount?.value ?? null]).slice(0, 2), [['refund', '5257'], ['refund', '2628']]);
      await assertLedgerBalanced(t.wallet);
    });

    it('answers an inquiry: the payment as recorded, or ORDER_NOT_EXIST', async () => {
      const user = await funded('100000');
      const paid = payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, user.token) });
      const answer = await call('walletPay', paid);
      const inquiry = await call('walletInquiryPayment', { paymentId: paid.paymentId });
      assert.deepEqual(inquiry, {
        result: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' },
        paymentId: paid.paymentId,
        paymentStatus: 'SUCCESS',
        paymentResult: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' },
        paymentTime: answer.paymentTime,
        paymentAmount: answer.paymentAmount,
        payAmount: answer.payAmount,
        fxQuote: answer.fxQuote,
        payerId: answer.payerId,
      });
      const unknown = await call('walletInquiryPayment', { paymentId: 'never-seen' });
      assert.deepEqual([unknown.result.resultStatus, unknown.result.resultCode, unknown.paymentStatus], ['F', 'ORDER_NOT_EXIST', undefined]);
    });

    it('refuses an unsigned, forged, stale, replayed or foreign request, and moves no money', async () => {
      const user = await funded('100000');
      const request = payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, user.token) });
      const body = JSON.stringify(request);
      const path = PROTOCOL_ENDPOINTS.walletPay.path;
      const send = async (init: RequestInit) => (await (await t.wallet.app.request(path, init)).json()) as PayResponse;
      const now = t.clock.now();
      const cases: Array<{ name: string; init: RequestInit; status: string; code: string }> = [
        { name: 'unsigned', init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }, status: 'F', code: 'INVALID_SIGNATURE' },
        { name: 'signed by a stranger as the network', init: signedInit('walletPay', body, { privateKey: strangerKeys.privateKey, time: now }), status: 'F', code: 'INVALID_SIGNATURE' },
        { name: 'stale', init: signedInit('walletPay', body, { time: new Date(now.getTime() - 3_600_000) }), status: 'F', code: 'INVALID_SIGNATURE' },
        { name: 'tampered', init: { ...signedInit('walletPay', body, { time: now }), body: body.replace('15000', '1500') }, status: 'F', code: 'INVALID_SIGNATURE' },
        { name: 'an unknown client', init: signedInit('walletPay', body, { clientId: 'NOBODY', privateKey: strangerKeys.privateKey, time: now }), status: 'F', code: 'INVALID_CLIENT' },
        { name: 'the acquirer, not the network', init: signedInit('walletPay', body, { clientId: ACQUIRER_ID, privateKey: acquirerKeys.privateKey, time: now }), status: 'F', code: 'ACCESS_DENIED' },
      ];
      for (const c of cases) {
        const answer = await send(c.init);
        answers.push(JSON.stringify(answer));
        assert.deepEqual([answer.result.resultStatus, answer.result.resultCode], [c.status, c.code], c.name);
        assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '100000', card: '4900000' }, c.name);
      }
      const once = signedInit('walletPay', body, { time: now });
      assert.equal((await send(once)).result.resultCode, 'SUCCESS');
      const replayed = await send(once);
      assert.deepEqual([replayed.result.resultStatus, replayed.result.resultCode], ['U', 'REQUEST_REPLAYED']);
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });
      await assertLedgerBalanced(t.wallet);
    });

    it("never names the user in a protocol answer: no id, name, phone or id number", async () => {
      const name = 'Zhang Xiuying';
      const phone = '+8613912345678';
      const idNumber = '44030019850101777X';
      const user = await signUp(t.wallet, { name, phone, idNumber });
      await topUp(t.wallet, user.token, '100000');
      const paid = payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, user.token) });
      await call('walletPay', paid);
      await call('walletInquiryPayment', { paymentId: paid.paymentId });
      const refundId = nextId('R');
      await call('walletRefund', { refundId, paymentId: paid.paymentId, refundAmount: { currency: 'KRW', value: '100' }, refundPayAmount: { currency: 'CNY', value: '52' } });
      await call('walletInquiryRefund', { refundId });
      const poor = payRequest({ paymentId: nextId('P'), code: await newCode(t.wallet, user.token), krw: 10_000_000n });
      await call('walletPay', poor);
      await call('walletCancelPayment', { paymentId: poor.paymentId });
      assert.ok(answers.length > 40);
      const me = await api(t.wallet, 'GET', '/wallet/v1/me', { token: user.token });
      for (const answer of answers) {
        for (const secret of [user.userId, name, phone, idNumber, idNumber.slice(-4), String(me.body.userId)]) {
          assert.ok(!answer.includes(secret), `a protocol answer names the user: ${answer}`);
        }
      }
    });
  });
}

function recoverySuite(engine: WalletTestEngine): void {
  describe(`wallet recovery after a crash between recording a payment and the ledger call, on ${engine}`, () => {
    const scenario = async (options: { readonly debitBeforeCrash: boolean; readonly repair: 'resolveOpen' | 'network inquiry' | 'network cancel' }) => {
      let t = await startTestWallet({ engine });
      try {
        const user = await signUp(t.wallet);
        await topUp(t.wallet, user.token, '100000');
        const code = await newCode(t.wallet, user.token);
        const request = payRequest({ paymentId: 'CRASH1', code });

        t = await t.restart(async ({ store, openLedgerStore }) => {
          // What the wallet had written when it crashed: the code spent and the payment PROCESSING.
          const record = await store.paymentCodeByHash(paymentCodeHash(code));
          assert.ok(record);
          const detail = { acquirerId: ACQUIRER_ID, paymentRequestId: request.paymentRequestId, paymentAmount: amount(KRW, 15_000n), payAmount: amount(CNY, 7_885n), fxQuote: request.fxQuote, merchant: request.merchant, payerId: 'pp_before_the_crash' };
          const recorded = await store.recordProcessingPayment({ paymentId: 'CRASH1', requestHash: Buffer.alloc(32), userId: user.userId as UserId, codeId: record.codeId, detail, atMs: t.clock.ms, journal: true });
          assert.equal(recorded === 'code-used' ? recorded : recorded.status, 'PROCESSING');
          if (options.debitBeforeCrash) {
            const ledger = await createLedger({ store: await openLedgerStore() });
            const [outcome] = await ledger.createTransfers([{ id: 'pay:CRASH1', debitAccountId: `user:${user.userId}`, creditAccountId: 'network', amount: 7_885n, ledger: 'CNY', code: 3 }]);
            assert.equal(outcome?.result, 'ok');
            await ledger.close();
          }
        });

        if (options.repair === 'resolveOpen') {
          await t.wallet.resolveOpen();
          await t.wallet.resolveOpen(); // idempotent
        }
        if (options.repair === 'network cancel') {
          // The network gave up on the payment: whatever the crash left, the money goes back (or never leaves).
          assert.equal((await protocolCall(t, 'walletCancelPayment', { paymentId: 'CRASH1' })).result.resultCode, 'SUCCESS');
          await t.wallet.resolveOpen();
          const inquiry = await protocolCall(t, 'walletInquiryPayment', { paymentId: 'CRASH1' });
          assert.equal(inquiry.paymentStatus, 'CANCELLED');
          assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '100000', card: '4900000' });
        } else {
          const inquiry = await protocolCall(t, 'walletInquiryPayment', { paymentId: 'CRASH1' });
          assert.deepEqual([inquiry.paymentStatus, inquiry.payAmount, inquiry.payerId], ['SUCCESS', { currency: 'CNY', value: '7885' }, 'pp_before_the_crash']);
          await t.wallet.resolveOpen();
          assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });
        }
        await assertLedgerBalanced(t.wallet);
      } finally {
        await t.close();
      }
    };

    it('re-submits the debit when the crash came before it (recovery pass)', () => scenario({ debitBeforeCrash: false, repair: 'resolveOpen' }));
    it('finds the debit when the crash came after it (recovery pass)', () => scenario({ debitBeforeCrash: true, repair: 'resolveOpen' }));
    it('finishes the payment when the network inquires, without a recovery pass', () => scenario({ debitBeforeCrash: false, repair: 'network inquiry' }));
    it('closes the payment without a debit when the network cancels it', () => scenario({ debitBeforeCrash: false, repair: 'network cancel' }));
    it('reverses the debit when the network cancels it', () => scenario({ debitBeforeCrash: true, repair: 'network cancel' }));
  });
}
