import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { currency, amount } from '../money/index.ts';
import type { PeerClient, UserInitiatedPayRequest } from '../protocol/index.ts';
import { encodeMerchantQr } from '../qr/index.ts';
import { ACQUIRER_TEST_ENGINES, CODE, DEFAULT_SCRIPT, krw, OPERATOR_KEY, startHarness, strangerIdentity, type Harness } from './test-helpers.ts';

type Shop = Awaited<ReturnType<Harness['onboard']>>;
let sequence = 0;

for (const engine of ACQUIRER_TEST_ENGINES) {
  describe(`merchant-presented payments (userInitiatedPay from the network), on ${engine}`, () => {
    let h: Harness;
    let shop: Shop;
    let network: PeerClient;
    let staticQr = '';
    before(async () => {
      h = await startHarness({ engine, paymentDeadlineMs: 600, peerTimeoutMs: 250 });
      shop = await h.onboard();
      network = h.network.client(h.acquirer);
      staticQr = (await h.api('GET', `/acquirer/v1/merchants/${shop.merchantId}/qr`, { token: shop.terminalKey })).body.qrPayload as string;
    });
    afterEach(() => {
      h.network.script = { ...DEFAULT_SCRIPT };
    });
    after(() => h.close());

    const send = async (request: Partial<UserInitiatedPayRequest>) => {
      const outcome = await network.call('acquirerUserInitiatedPay', { userRequestId: `u-${++sequence}`, codeValue: staticQr, paymentCode: CODE, ...request });
      assert.equal(outcome.kind, 'answered');
      return outcome.kind === 'answered' ? outcome.response : assert.fail();
    };
    const order = async (value: number, expiresInSeconds?: number) => {
      const r = await h.api('POST', '/acquirer/v1/orders', { token: shop.terminalKey, body: { paymentRequestId: `o-${++sequence}`, amount: krw(value), ...(expiresInSeconds ? { expiresInSeconds } : {}) } });
      assert.equal(r.status, 201);
      return { orderId: r.body.orderId as string, qr: r.body.qrPayload as string };
    };

    it('static QR with the amount the tourist typed: the same pay path as the POS, and the merchant is owed', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const answer = await send({ paymentAmount: krw(8_800) });
      assert.equal(answer.result.resultStatus, 'S');
      assert.match(answer.paymentRequestId ?? '', /^AP/);
      assert.equal(answer.paymentId, `NP${answer.paymentRequestId}`);
      assert.deepEqual(answer.paymentAmount, krw(8_800));
      assert.equal(answer.merchant?.merchantId, shop.merchantId);
      assert.equal(h.network.payments.get(answer.paymentRequestId!)?.request?.paymentCode, CODE);
      const read = await h.api('GET', `/acquirer/v1/payments/${answer.paymentRequestId!}`, { token: shop.terminalKey });
      assert.equal(read.body.origin, 'mpm');
      assert.equal(read.body.storeId, shop.storeId);
      assert.equal(read.body.status, 'SUCCESS');
      assert.equal(await h.owedTo(shop.merchantId), owed + 8_800n);
    });

    it('dynamic order QR: paid once, for the amount of the order; the order then reads PAID', async () => {
      const { orderId, qr } = await order(12_000);
      const answer = await send({ codeValue: qr });
      assert.equal(answer.result.resultStatus, 'S');
      assert.deepEqual(answer.paymentAmount, krw(12_000));
      const read = await h.api('GET', `/acquirer/v1/orders/${orderId}`, { token: shop.terminalKey });
      assert.equal(read.body.status, 'PAID');
      assert.deepEqual(read.body.payment, { paymentId: answer.paymentRequestId, status: 'SUCCESS' });
      const payment = await h.api('GET', `/acquirer/v1/payments/${answer.paymentRequestId!}`, { token: OPERATOR_KEY });
      assert.equal(payment.body.orderId, orderId);
      assert.equal(payment.body.terminalId, shop.terminalId);
      const twice = await send({ codeValue: qr });
      assert.equal(twice.result.resultCode, 'ORDER_IS_CLOSED');
    });

    it('is idempotent on the sender and userRequestId', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const request = { userRequestId: `u-${++sequence}`, paymentAmount: krw(1_100) };
      const first = await send(request);
      const paysAfterFirst = h.network.calls.pay.length;
      const again = await send(request);
      assert.deepEqual(again, first);
      assert.equal(h.network.calls.pay.length, paysAfterFirst);
      const other = await send({ ...request, paymentAmount: krw(1_200) });
      assert.equal(other.result.resultCode, 'REPEAT_REQ_INCONSISTENT');
      assert.equal(await h.owedTo(shop.merchantId), owed + 1_100n);
    });

    it('refuses what it cannot pay, with the protocol code, moving no money', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const paysBefore = h.network.calls.pay.length;
      const expiring = await order(5_000, 1);
      const foreignQr = encodeMerchantQr({
        initiation: 'static',
        dari: { merchantId: 'KR01M999999' },
        merchantCategoryCode: '5977',
        currency: currency('KRW'),
        countryCode: 'KR',
        merchantName: 'Nobody',
        merchantCity: 'Seoul',
      });
      const yenQr = encodeMerchantQr({
        initiation: 'static',
        dari: { merchantId: shop.merchantId },
        merchantCategoryCode: '5977',
        currency: currency('JPY'),
        countryCode: 'KR',
        merchantName: 'Shop 1',
        merchantCity: 'Seoul',
      });
      const unknownOrderQr = encodeMerchantQr({
        initiation: 'dynamic',
        dari: { merchantId: shop.merchantId },
        orderReference: 'O0000000000000000',
        amount: amount(currency('KRW'), 100n),
        merchantCategoryCode: '5977',
        currency: currency('KRW'),
        countryCode: 'KR',
        merchantName: 'Shop 1',
        merchantCity: 'Seoul',
      });
      assert.ok(foreignQr.ok && yenQr.ok && unknownOrderQr.ok);
      const { qr: orderQr } = await order(7_000);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const cases: Array<{ name: string; request: Partial<UserInitiatedPayRequest>; code: string }> = [
        { name: 'garbage', request: { codeValue: 'hello', paymentAmount: krw(1) }, code: 'PARAM_ILLEGAL' },
        { name: 'damaged QR', request: { codeValue: `${staticQr.slice(0, -1)}0`, paymentAmount: krw(1) }, code: 'PARAM_ILLEGAL' },
        { name: 'not our merchant', request: { codeValue: foreignQr.value, paymentAmount: krw(1) }, code: 'MERCHANT_NOT_REGISTERED' },
        { name: 'a QR in yen', request: { codeValue: yenQr.value, paymentAmount: krw(1) }, code: 'CURRENCY_NOT_SUPPORT' },
        { name: 'static without amount', request: {}, code: 'PARAM_ILLEGAL' },
        { name: 'static in CNY', request: { paymentAmount: { currency: 'CNY', value: '100' } }, code: 'CURRENCY_NOT_SUPPORT' },
        { name: 'static zero', request: { paymentAmount: krw(0) }, code: 'PARAM_ILLEGAL' },
        { name: 'static over the limit', request: { paymentAmount: krw(50_000_001) }, code: 'PARAM_ILLEGAL' },
        { name: 'no such order', request: { codeValue: unknownOrderQr.value }, code: 'ORDER_NOT_EXIST' },
        { name: 'expired order', request: { codeValue: expiring.qr }, code: 'ORDER_IS_CLOSED' },
        { name: 'order amount differs', request: { codeValue: orderQr, paymentAmount: krw(7_001) }, code: 'PARAM_ILLEGAL' },
      ];
      for (const c of cases) {
        const answer = await send(c.request);
        assert.equal(answer.result.resultCode, c.code, c.name);
        assert.equal(answer.result.resultStatus, 'F', c.name);
      }
      const stranger = await h.network.client(h.acquirer, strangerIdentity).call('acquirerUserInitiatedPay', { userRequestId: 'x', codeValue: staticQr, paymentCode: CODE, paymentAmount: krw(1) });
      assert.ok(stranger.kind === 'answered' && stranger.response.result.resultCode === 'ACCESS_DENIED');
      assert.equal(h.network.calls.pay.length, paysBefore);
      assert.equal(await h.owedTo(shop.merchantId), owed);
    });

    it("passes the wallet's refusal on, and a payment left unknown is answered U", async () => {
      h.network.script = { ...DEFAULT_SCRIPT, payOutcome: { fail: 'USER_BALANCE_NOT_ENOUGH' } };
      const refused = await send({ paymentAmount: krw(2_000) });
      assert.deepEqual([refused.result.resultStatus, refused.result.resultCode], ['F', 'USER_BALANCE_NOT_ENOUGH']);
      h.network.script = { ...DEFAULT_SCRIPT, pay: 'hang', inquiry: 'hang', cancel: 'hang', payOutcome: 'processing' };
      const unknown = await send({ paymentAmount: krw(2_000) });
      assert.deepEqual([unknown.result.resultStatus, unknown.result.resultCode], ['U', 'PAYMENT_IN_PROCESS']);
    });
  });
}
