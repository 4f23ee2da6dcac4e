import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ACQUIRER_TEST_ENGINES, CODE, DEFAULT_SCRIPT, krw, OPERATOR_KEY, startHarness, type Harness } from './test-helpers.ts';

type Shop = Awaited<ReturnType<Harness['onboard']>>;
const code = (r: { body: Record<string, unknown> }) => (r.body.error as { code: string } | undefined)?.code;
let sequence = 0;

for (const engine of ACQUIRER_TEST_ENGINES) {
  describe(`refunds, on ${engine}`, () => {
    let h: Harness;
    let shop: Shop;
    before(async () => {
      h = await startHarness({ engine, paymentDeadlineMs: 600, peerTimeoutMs: 250 });
      shop = await h.onboard();
    });
    afterEach(() => {
      h.network.script = { ...DEFAULT_SCRIPT };
    });
    after(() => h.close());

    const paid = async (amount: number): Promise<string> => {
      const r = await h.api('POST', '/acquirer/v1/payments', { token: shop.terminalKey, body: { paymentRequestId: `p-${++sequence}`, amount: krw(amount), paymentCode: CODE } });
      assert.equal(r.status, 201);
      return r.body.paymentId as string;
    };
    const refund = (paymentId: string, amount: number, refundRequestId = `r-${++sequence}`, token = shop.terminalKey) =>
      h.api('POST', `/acquirer/v1/payments/${paymentId}/refunds`, { token, body: { refundRequestId, amount: krw(amount) } });

    it('refunds in part, then the rest, never more than the payment; the ledger follows', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const id = await paid(10_000);
      const first = await refund(id, 3_000);
      assert.equal(first.status, 201);
      assert.equal(first.body.status, 'SUCCESS');
      assert.match(first.body.refundId as string, /^AR[0-9a-f]{24}$/);
      assert.equal(await h.owedTo(shop.merchantId), owed + 7_000n);
      const over = await refund(id, 7_001);
      assert.equal(over.status, 422);
      assert.equal(code(over), 'REFUND_EXCEEDS_PAYMENT');
      assert.match((over.body.error as { message: string }).message, /7000 KRW/);
      const rest = await refund(id, 7_000, undefined, OPERATOR_KEY);
      assert.equal(rest.status, 201);
      assert.equal(await h.owedTo(shop.merchantId), owed);
      const more = await refund(id, 1);
      assert.equal(code(more), 'REFUND_EXCEEDS_PAYMENT');
      const read = await h.api('GET', `/acquirer/v1/payments/${id}`, { token: shop.terminalKey });
      assert.deepEqual((read.body.refunds as { amount: unknown; status: string }[]).map((r) => [r.amount, r.status]), [
        [krw(3_000), 'SUCCESS'],
        [krw(7_000), 'SUCCESS'],
      ]);
      const cancel = await h.api('POST', `/acquirer/v1/payments/${id}/cancel`, { token: shop.terminalKey });
      assert.equal(code(cancel), 'PAYMENT_HAS_REFUNDS');
    });

    it('refuses a refund in another currency, of zero, and of a payment that did not succeed', async () => {
      const id = await paid(5_000);
      const refundsSent = h.network.calls.refund.length;
      assert.equal(code(await h.api('POST', `/acquirer/v1/payments/${id}/refunds`, { token: shop.terminalKey, body: { refundRequestId: 'x1', amount: { currency: 'CNY', value: '100' } } })), 'CURRENCY_NOT_SUPPORTED');
      assert.equal(code(await refund(id, 0)), 'INVALID_AMOUNT');
      h.network.script = { ...DEFAULT_SCRIPT, payOutcome: { fail: 'USER_BALANCE_NOT_ENOUGH' } };
      const failed = await h.api('POST', '/acquirer/v1/payments', { token: shop.terminalKey, body: { paymentRequestId: `p-${++sequence}`, amount: krw(5_000), paymentCode: CODE } });
      assert.equal(failed.status, 402);
      const r = await refund(failed.body.paymentId as string, 1);
      assert.equal(r.status, 409);
      assert.equal(code(r), 'PAYMENT_NOT_REFUNDABLE');
      assert.equal(code(await refund('AP000000000000000000000000', 1)), 'NOT_FOUND');
      assert.equal(h.network.calls.refund.length, refundsSent, 'the network was never asked');
    });

    it('is idempotent on (payment, refundRequestId)', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const id = await paid(4_000);
      const first = await refund(id, 1_000, 'same');
      const again = await refund(id, 1_000, 'same');
      assert.deepEqual(again, first);
      assert.equal(h.network.calls.refund.filter((x) => x === first.body.refundId).length, 1);
      const other = await refund(id, 1_500, 'same');
      assert.equal(other.status, 409);
      assert.equal(code(other), 'IDEMPOTENCY_KEY_REUSED');
      assert.equal(await h.owedTo(shop.merchantId), owed + 3_000n);
    });

    it('two concurrent refunds that together exceed the payment: exactly one is refused', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const id = await paid(10_000);
      for (let round = 0; round < 3; round++) {
        const pid = round === 0 ? id : await paid(10_000);
        const answers = await Promise.all([refund(pid, 6_000), refund(pid, 6_000), refund(pid, 6_000)]);
        const statuses = answers.map((a) => a.status).sort();
        assert.deepEqual(statuses, [201, 422, 422]);
        assert.ok(answers.filter((a) => a.status === 422).every((a) => code(a) === 'REFUND_EXCEEDS_PAYMENT'));
      }
      assert.equal(await h.owedTo(shop.merchantId), owed + 3n * 4_000n);
    });

    it('a refused refund releases its reservation', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const id = await paid(2_000);
      h.network.script = { ...DEFAULT_SCRIPT, refundOutcome: { fail: 'PAYMENT_NOT_REFUNDABLE' } };
      const refused = await refund(id, 2_000);
      assert.equal(refused.status, 422);
      assert.equal(code(refused), 'REFUND_REFUSED');
      assert.equal(refused.body.status, 'FAIL');
      assert.equal(await h.owedTo(shop.merchantId), owed + 2_000n);
      h.network.script = { ...DEFAULT_SCRIPT };
      const retried = await refund(id, 2_000);
      assert.equal(retried.status, 201);
      assert.equal(await h.owedTo(shop.merchantId), owed);
    });

    it('an unanswered refund stays PROCESSING (202), keeps its reservation, and the resolver retries it under the same id', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const id = await paid(3_000);
      h.network.script = { ...DEFAULT_SCRIPT, refund: 'hang', inquiryRefund: 'hang' };
      const pending = await refund(id, 3_000);
      assert.equal(pending.status, 202);
      assert.equal(pending.body.status, 'PROCESSING');
      assert.equal(code(await refund(id, 1)), 'REFUND_EXCEEDS_PAYMENT', 'the amount stays reserved');
      h.network.script = { ...DEFAULT_SCRIPT };
      await h.acquirer.resolveOpen();
      const read = await h.api('GET', `/acquirer/v1/payments/${id}`, { token: shop.terminalKey });
      assert.deepEqual((read.body.refunds as { status: string }[]).map((r) => r.status), ['SUCCESS']);
      const refundId = pending.body.refundId as string;
      assert.ok(h.network.calls.inquiryRefund.includes(refundId), 'the resolver inquired');
      assert.equal(h.network.refunds.get(refundId)?.status, 'SUCCESS');
      assert.equal(await h.owedTo(shop.merchantId), owed);
    });

    it('a refund whose request was lost is sent again by the resolver', async () => {
      const owed = await h.owedTo(shop.merchantId);
      const id = await paid(3_500);
      // The network answers U and records nothing: as if the refund never arrived.
      h.network.script = { ...DEFAULT_SCRIPT, refund: 'U', inquiryRefund: 'U' };
      const pending = await refund(id, 1_500);
      assert.equal(pending.status, 202);
      const refundId = pending.body.refundId as string;
      h.network.refunds.delete(refundId);
      h.network.script = { ...DEFAULT_SCRIPT };
      const sent = h.network.calls.refund.filter((x) => x === refundId).length;
      await h.acquirer.resolveOpen();
      assert.equal(h.network.calls.refund.filter((x) => x === refundId).length, sent + 1, 'sent again under the same id');
      assert.equal(h.network.refunds.get(refundId)?.status, 'SUCCESS');
      assert.equal(await h.owedTo(shop.merchantId), owed + 2_000n);
    });
  });
}
