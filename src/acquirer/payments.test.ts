import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { result, type NetworkFault } from '../protocol/index.ts';
import { ACQUIRER_TEST_ENGINES, CODE, DEFAULT_SCRIPT, krw, OPERATOR_KEY, startHarness, strangerIdentity, type Harness } from './test-helpers.ts';

type Shop = Awaited<ReturnType<Harness['onboard']>>;
let sequence = 0;
const requestId = () => `pos-${++sequence}`;
const pay = (h: Harness, shop: Shop, amount: number, id = requestId()) =>
  h.api('POST', '/acquirer/v1/payments', { token: shop.terminalKey, body: { paymentRequestId: id, amount: krw(amount), paymentCode: CODE } });

for (const engine of ACQUIRER_TEST_ENGINES) {
  describe(`POS payments against the network, on ${engine}`, () => {
    let h: Harness;
    let shop: Shop;
    before(async () => {
      h = await startHarness({ engine, paymentDeadlineMs: 700, peerTimeoutMs: 250 });
      shop = await h.onboard();
    });
    afterEach(() => {
      h.network.script = { ...DEFAULT_SCRIPT };
    });
    after(() => h.close());

    it('S: the payment succeeds, the merchant is owed the amount, and the answer carries the payer side', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const r = await pay(h, shop, 15_000);
      assert.equal(r.status, 201);
      assert.match(r.body.paymentId as string, /^AP[0-9a-f]{24}$/);
      assert.equal(r.body.status, 'SUCCESS');
      assert.deepEqual(r.body.amount, krw(15_000));
      assert.deepEqual(r.body.payAmount, { currency: 'CNY', value: '7895' });
      assert.deepEqual(r.body.fxRate, { quoteId: 'Q1', baseCurrency: 'CNY', quoteCurrency: 'KRW', rate: '190' });
      assert.equal(r.body.payerId, 'payer-7f3a');
      assert.ok(typeof r.body.paidAt === 'string');
      assert.equal(await h.owedTo(shop.merchantId), owed + 15_000n);
      const sent = h.network.payments.get(r.body.paymentId as string);
      assert.deepEqual(sent?.request?.merchant, { merchantId: shop.merchantId, merchantName: 'Shop 1', merchantMcc: '5977', merchantCity: 'Seoul', merchantCountry: 'KR' });
    });

    it('F: each refusal maps to a stable status and code, records FAIL and moves no money', async () => {
      const table = [
        { code: 'INVALID_PAYMENT_CODE', status: 422, ours: 'INVALID_PAYMENT_CODE' },
        { code: 'EXPIRED_CODE', status: 422, ours: 'PAYMENT_CODE_EXPIRED' },
        { code: 'USER_BALANCE_NOT_ENOUGH', status: 402, ours: 'INSUFFICIENT_BALANCE' },
        { code: 'USER_AMOUNT_EXCEED_LIMIT', status: 422, ours: 'LIMIT_EXCEEDED' },
        { code: 'PARTNER_NOT_EXIST', status: 422, ours: 'UNKNOWN_WALLET' },
        { code: 'MERCHANT_NOT_REGISTERED', status: 422, ours: 'PAYMENT_REFUSED' },
      ] as const;
      const owed = await h.owedTo(shop.merchantId);
      for (const row of table) {
        h.network.script = { ...DEFAULT_SCRIPT, payOutcome: { fail: row.code } };
        const r = await pay(h, shop, 1_000);
        assert.equal(r.status, row.status, row.code);
        assert.equal((r.body.error as { code: string }).code, row.ours);
        assert.equal(r.body.status, 'FAIL');
        assert.equal(r.body.resultCode, row.code);
        const read = await h.api('GET', `/acquirer/v1/payments/${r.body.paymentId as string}`, { token: shop.terminalKey });
        assert.equal(read.body.status, 'FAIL');
      }
      assert.equal(await h.owedTo(shop.merchantId), owed);
    });

    it('U then an inquiry that finds SUCCESS: the payment succeeds once', async () => {
      h.network.script = { ...DEFAULT_SCRIPT, pay: 'U' };
      const owed = await h.owedTo(shop.merchantId);
      const r = await pay(h, shop, 2_000);
      assert.equal(r.status, 201);
      assert.equal(r.body.status, 'SUCCESS');
      assert.ok(h.network.calls.inquiry.includes(r.body.paymentId as string));
      assert.equal(await h.owedTo(shop.merchantId), owed + 2_000n);
    });

    it('never answered, and the network never finishes the payment: inquired until the deadline, then cancelled (504)', async () => {
      h.network.script = { ...DEFAULT_SCRIPT, pay: 'hang', payOutcome: 'processing' };
      const owed = await h.owedTo(shop.merchantId);
      const r = await pay(h, shop, 3_000);
      assert.equal(r.status, 504);
      assert.equal((r.body.error as { code: string }).code, 'PAYMENT_TIMED_OUT');
      assert.equal(r.body.status, 'CANCELLED');
      const id = r.body.paymentId as string;
      assert.ok(h.network.calls.inquiry.filter((x) => x === id).length >= 2, 'inquired with backoff');
      assert.deepEqual(h.network.calls.cancel.filter((x) => x === id), [id]);
      assert.equal(h.network.payments.get(id)?.status, 'CANCELLED');
      assert.equal(await h.owedTo(shop.merchantId), owed);
    });

    it('the network succeeds, but no answer or inquiry gets through before the deadline: the cancel reverses it, and the acquirer books both moves as the network did', async () => {
      h.network.script = { ...DEFAULT_SCRIPT, pay: 'hang', inquiry: 'hang', payOutcome: 'success' };
      const owed = await h.owedTo(shop.merchantId);
      const r = await pay(h, shop, 6_000);
      assert.equal(r.status, 504);
      assert.equal(r.body.status, 'CANCELLED');
      const id = r.body.paymentId as string;
      assert.equal(h.network.payments.get(id)?.status, 'CANCELLED');
      assert.equal(await h.owedTo(shop.merchantId), owed, 'paid and taken back: the merchant is owed nothing for it');
      const moves = await h.ledgerTransfers([`pay:${id}`, `cancel:${id}`]);
      assert.deepEqual(moves.map((t) => [t.id, t.amount]), [[`pay:${id}`, 6_000n], [`cancel:${id}`, 6_000n]], "both of the network's movements are in the ledger, for reconciliation");
      const read = await h.api('GET', `/acquirer/v1/payments/${id}`, { token: OPERATOR_KEY });
      assert.equal(read.body.status, 'CANCELLED');
    });

    it('nothing answers, not even the cancel: 202 PROCESSING, and the resolver finishes it later', async () => {
      h.network.script = { ...DEFAULT_SCRIPT, pay: 'hang', inquiry: 'hang', cancel: 'hang', payOutcome: 'processing' };
      const owed = await h.owedTo(shop.merchantId);
      const r = await pay(h, shop, 4_000);
      assert.equal(r.status, 202);
      assert.deepEqual(r.body, { paymentId: r.body.paymentId, status: 'PROCESSING' });
      const id = r.body.paymentId as string;
      // A retry of the same request answers the same, without a second pay.
      const paysBefore = h.network.calls.pay.length;
      assert.equal(h.network.payments.get(id)?.status, 'PROCESSING');
      h.network.script = { ...DEFAULT_SCRIPT };
      await h.acquirer.resolveOpen();
      const read = await h.api('GET', `/acquirer/v1/payments/${id}`, { token: shop.terminalKey });
      assert.equal(read.body.status, 'CANCELLED');
      assert.equal(h.network.calls.pay.length, paysBefore);
      assert.equal(await h.owedTo(shop.merchantId), owed);
      await h.acquirer.resolveOpen(); // idempotent: nothing left to do
      assert.equal((await h.api('GET', `/acquirer/v1/payments/${id}`, { token: shop.terminalKey })).body.status, 'CANCELLED');
    });

    it('left PROCESSING, the network then notifies SUCCESS: applied once, duplicates acknowledged', async () => {
      h.network.script = { ...DEFAULT_SCRIPT, pay: 'hang', inquiry: 'hang', cancel: 'hang', payOutcome: 'processing' };
      const owed = await h.owedTo(shop.merchantId);
      const r = await pay(h, shop, 5_000);
      assert.equal(r.status, 202);
      const id = r.body.paymentId as string;
      const client = h.network.client(h.acquirer);
      const notice = {
        paymentRequestId: id,
        paymentId: `NP${id}`,
        paymentResult: result('SUCCESS'),
        paymentStatus: 'SUCCESS' as const,
        paymentAmount: krw(5_000),
        payAmount: { currency: 'CNY', value: '2632' },
        fxQuote: { quoteId: 'Q1', baseCurrency: 'CNY', quoteCurrency: 'KRW', rate: '190' },
        payerId: 'payer-7f3a',
        paymentTime: new Date().toISOString(),
      };
      for (let i = 0; i < 2; i++) {
        const answer = await client.call('acquirerNotifyPayment', notice);
        assert.ok(answer.kind === 'answered');
        assert.equal(answer.response.result.resultStatus, 'S');
      }
      const read = await h.api('GET', `/acquirer/v1/payments/${id}`, { token: shop.terminalKey });
      assert.equal(read.body.status, 'SUCCESS');
      assert.deepEqual(read.body.payAmount, { currency: 'CNY', value: '2632' });
      assert.equal(await h.owedTo(shop.merchantId), owed + 5_000n);
      // A later, contradicting word is refused, never applied.
      const contradiction = await client.call('acquirerNotifyPayment', { ...notice, paymentStatus: 'FAIL', paymentResult: result('USER_BALANCE_NOT_ENOUGH') });
      assert.ok(contradiction.kind === 'answered' && contradiction.response.result.resultCode === 'ORDER_STATUS_INVALID');
      // Only the network may notify.
      const stranger = await h.network.client(h.acquirer, strangerIdentity).call('acquirerNotifyPayment', notice);
      assert.ok(stranger.kind === 'answered' && stranger.response.result.resultCode === 'ACCESS_DENIED');
      const unknown = await client.call('acquirerNotifyPayment', { ...notice, paymentRequestId: 'AP000000000000000000000000' });
      assert.ok(unknown.kind === 'answered' && unknown.response.result.resultCode === 'ORDER_NOT_EXIST');
      assert.equal(await h.owedTo(shop.merchantId), owed + 5_000n);
    });

    it('is idempotent on (terminal, paymentRequestId): the same request answers the same, another body is refused', async () => {
      const id = requestId();
      const first = await pay(h, shop, 6_000, id);
      const paysAfterFirst = h.network.calls.pay.length;
      const again = await pay(h, shop, 6_000, id);
      assert.deepEqual(again, first);
      assert.equal(h.network.calls.pay.length, paysAfterFirst);
      const other = await pay(h, shop, 6_001, id);
      assert.equal(other.status, 409);
      assert.equal((other.body.error as { code: string }).code, 'IDEMPOTENCY_KEY_REUSED');
      // Another terminal may use the same id for its own payment.
      const second = await h.api('POST', `/acquirer/v1/merchants/${shop.merchantId}/terminals`, { token: OPERATOR_KEY, body: { label: 'Counter 2' } });
      const theirs = await h.api('POST', '/acquirer/v1/payments', { token: second.body.terminalKey as string, body: { paymentRequestId: id, amount: krw(6_000), paymentCode: CODE } });
      assert.equal(theirs.status, 201);
      assert.notEqual(theirs.body.paymentId, first.body.paymentId);
    });

    it('cancels a successful payment without refunds, reversing the ledger; a second cancel answers the same', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const paid = await pay(h, shop, 7_000);
      const id = paid.body.paymentId as string;
      assert.equal(await h.owedTo(shop.merchantId), owed + 7_000n);
      const cancelled = await h.api('POST', `/acquirer/v1/payments/${id}/cancel`, { token: shop.terminalKey });
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.status, 'CANCELLED');
      assert.equal(await h.owedTo(shop.merchantId), owed);
      const again = await h.api('POST', `/acquirer/v1/payments/${id}/cancel`, { token: OPERATOR_KEY });
      assert.equal(again.body.status, 'CANCELLED');
      assert.equal(await h.owedTo(shop.merchantId), owed);
      const refund = await h.api('POST', `/acquirer/v1/payments/${id}/refunds`, { token: shop.terminalKey, body: { refundRequestId: 'r1', amount: krw(1) } });
      assert.equal(refund.status, 409);
      assert.equal((refund.body.error as { code: string }).code, 'PAYMENT_NOT_REFUNDABLE');
    });

    it('a cancel that gets no answer stays pending, blocks refunds, and the resolver completes it', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const id = (await pay(h, shop, 8_000)).body.paymentId as string;
      h.network.script = { ...DEFAULT_SCRIPT, cancel: 'hang' };
      const cancelled = await h.api('POST', `/acquirer/v1/payments/${id}/cancel`, { token: shop.terminalKey });
      assert.equal(cancelled.status, 503);
      assert.equal((cancelled.body.error as { code: string }).code, 'CANCEL_PENDING');
      const refund = await h.api('POST', `/acquirer/v1/payments/${id}/refunds`, { token: shop.terminalKey, body: { refundRequestId: 'r1', amount: krw(1) } });
      assert.equal(refund.status, 409);
      h.network.script = { ...DEFAULT_SCRIPT };
      await h.acquirer.resolveOpen();
      assert.equal((await h.api('GET', `/acquirer/v1/payments/${id}`, { token: OPERATOR_KEY })).body.status, 'CANCELLED');
      assert.equal(await h.owedTo(shop.merchantId), owed);
    });
  });

  describe(`faults between the acquirer and the network: one terminal status each, and the ledger agrees, on ${engine}`, () => {
    const cases: Array<{ name: string; fault: NetworkFault; status: number; final: 'SUCCESS' | 'CANCELLED' }> = [
      { name: 'lost request', fault: { kind: 'lose-request' }, status: 504, final: 'CANCELLED' },
      { name: 'lost response', fault: { kind: 'lose-response' }, status: 201, final: 'SUCCESS' },
      { name: 'delayed past the deadline', fault: { kind: 'delay', delayMs: 1_200 }, status: 504, final: 'CANCELLED' },
      { name: 'duplicated', fault: { kind: 'duplicate' }, status: 201, final: 'SUCCESS' },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.final}`, async () => {
        let pays = 0;
        const h = await startHarness({
          engine,
          paymentDeadlineMs: 600,
          peerTimeoutMs: 250,
          // Only the first request carrying the pay misbehaves, be it a single message or an envelope.
          faults: ({ endpoints }) => (endpoints.includes('networkPay') && ++pays === 1 ? c.fault : undefined),
        });
        try {
          const shop = await h.onboard();
          const r = await pay(h, shop, 10_000);
          assert.equal(r.status, c.status, JSON.stringify(r.body));
          await h.settled();
          const id = r.body.paymentId as string;
          const read = await h.api('GET', `/acquirer/v1/payments/${id}`, { token: shop.terminalKey });
          assert.equal(read.body.status, c.final);
          // The network, after every late or duplicate copy arrived, agrees.
          assert.equal(h.network.payments.get(id)?.status, c.final);
          await h.acquirer.resolveOpen();
          assert.equal((await h.api('GET', `/acquirer/v1/payments/${id}`, { token: shop.terminalKey })).body.status, c.final);
          assert.equal(await h.owedTo(shop.merchantId), c.final === 'SUCCESS' ? 10_000n : 0n);
        } finally {
          await h.close();
        }
      });
    }
  });
}
