import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { appendCrc, buildDataObjects } from '../qr/index.ts';
import type { PeerCallOutcome, ProtocolEndpointName, ProtocolResponse } from '../protocol/index.ts';
import {
  ACQUIRER_ID,
  MERCHANT,
  OPERATOR_KEY,
  WALLET_ID,
  krw,
  merchantQr,
  NETWORK_TEST_ENGINES,
  orderQr,
  positions,
  startBench,
  walletCode,
  type Bench,
  type BenchOptions,
} from './test-helpers.ts';

function answered<N extends ProtocolEndpointName>(outcome: PeerCallOutcome<N>): ProtocolResponse<N> {
  if (outcome.kind !== 'answered') assert.fail(`no answer: ${outcome.reason} ${outcome.detail}`);
  return outcome.response;
}

function payRequest(paymentRequestId: string, value: bigint | string = 15000n, code = walletCode(1)) {
  return { paymentRequestId, paymentAmount: krw(value), paymentCode: code, merchant: MERCHANT };
}

async function pay(b: Bench, paymentRequestId: string, value: bigint | string = 15000n, code = walletCode(1)) {
  return answered(await b.acquirerClient.call('networkPay', payRequest(paymentRequestId, value, code)));
}

async function refund(b: Bench, refundRequestId: string, paymentRequestId: string, value: bigint | string) {
  return answered(await b.acquirerClient.call('networkRefund', { refundRequestId, paymentRequestId, refundAmount: krw(value) }));
}

async function assertLedger(b: Bench, expected: { wallet: bigint; acquirer: bigint }): Promise<void> {
  const report = await b.network.verifyLedger();
  assert.equal(report.ok, true, JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  for (const ledger of report.ledgers) assert.equal(ledger.balanced, true);
  assert.deepEqual(await positions(b.network), { [WALLET_ID]: expected.wallet, [ACQUIRER_ID]: expected.acquirer });
}

function foreignQr(): string {
  const template = buildDataObjects([
    { id: '00', value: 'com.other' },
    { id: '01', value: 'KR01M0001' },
  ]);
  return appendCrc(
    buildDataObjects([
      { id: '00', value: '01' },
      { id: '01', value: '11' },
      { id: '29', value: template },
      { id: '52', value: '5814' },
      { id: '53', value: '410' },
      { id: '58', value: 'KR' },
      { id: '59', value: 'Cafe' },
      { id: '60', value: 'Seoul' },
    ]),
  );
}

for (const engine of NETWORK_TEST_ENGINES) {
  describe(`payments, refunds and user-initiated payments through the network, on ${engine}`, () => {
    let bench: Bench | undefined;
    afterEach(async () => {
      await bench?.close();
      bench = undefined;
    });

    const open = async (options: BenchOptions = {}): Promise<Bench> => {
      bench = await startBench({ engine, ...options });
      return bench;
    };

    test('happy pay: S with the locked rate and both amounts, one linked pair in the ledger', async () => {
      const b = await open();
      const answer = await pay(b, 'P1');
      assert.deepEqual(answer.result, { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' });
      assert.match(answer.paymentId ?? '', /^NP[0-9a-f]{24}$/);
      assert.deepEqual(answer.paymentAmount, krw('15000'));
      assert.deepEqual(answer.payAmount, { currency: 'CNY', value: '7885' }, '78.8436… CNY rounded up');
      assert.equal(answer.fxQuote?.rate, '190.25');
      assert.equal(answer.fxQuote?.baseCurrency, 'CNY');
      assert.equal(answer.fxQuote?.quoteCurrency, 'KRW');
      assert.equal(answer.payerId, `PAYER-${MERCHANT.merchantId}`);
      assert.ok(answer.paymentTime);
      await assertLedger(b, { wallet: 7885n, acquirer: 15000n });
      const report = await b.network.verifyLedger();
      assert.equal(report.transferCount, 2);
      const view = await b.network.service.getPayment(answer.paymentId!);
      assert.ok(view.ok);
      assert.equal(view.value.payment.status, 'SUCCESS');
      assert.equal(view.value.payment.stage, null);
      const auth = { headers: { Authorization: `Bearer ${OPERATOR_KEY}` } };
      const viewed = (await (await b.network.app.request(`/network/v1/payments/${answer.paymentId}`, auth)).json()) as Record<string, unknown>;
      assert.equal(viewed['status'], 'SUCCESS');
      assert.deepEqual(viewed['payAmount'], { currency: 'CNY', value: '7885' });
      assert.deepEqual(viewed['refunds'], []);
      const listed = (await (await b.network.app.request('/network/v1/payments?status=SUCCESS', auth)).json()) as { payments: { paymentId: string }[] };
      assert.deepEqual(listed.payments.map((p) => p.paymentId), [answer.paymentId]);
      const none = (await (await b.network.app.request('/network/v1/payments?status=FAIL', auth)).json()) as { payments: unknown[] };
      assert.equal(none.payments.length, 0);
      const http = (await (await b.network.app.request('/network/v1/positions', auth)).json()) as { positions: { participantId: string; position: unknown }[] };
      assert.deepEqual(
        http.positions.map((p) => [p.participantId, p.position]).sort(),
        [
          [ACQUIRER_ID, { currency: 'KRW', value: '15000' }],
          [WALLET_ID, { currency: 'CNY', value: '7885' }],
        ],
      );
      const inquiry = answered(await b.acquirerClient.call('networkInquiryPayment', { paymentRequestId: 'P1' }));
      assert.equal(inquiry.result.resultCode, 'SUCCESS');
      assert.equal(inquiry.paymentStatus, 'SUCCESS');
      assert.equal(inquiry.paymentId, answer.paymentId);
      assert.deepEqual(inquiry.payAmount, answer.payAmount);
    });

    test('duplicate pay with the same id: the same answer, the wallet asked once, one ledger entry; other content refused', async () => {
      const b = await open();
      const first = await pay(b, 'P-dup');
      const second = await pay(b, 'P-dup');
      assert.deepEqual(second, first);
      assert.equal(b.wallet.calls.get('walletPay'), 1);
      assert.equal((await b.network.verifyLedger()).transferCount, 2);
      const different = await pay(b, 'P-dup', 16000n);
      assert.deepEqual([different.result.resultStatus, different.result.resultCode], ['F', 'REPEAT_REQ_INCONSISTENT']);
      const concurrent = await Promise.all([pay(b, 'P-conc'), pay(b, 'P-conc'), pay(b, 'P-conc')]);
      const codes = concurrent.map((a) => a.result.resultCode).sort();
      assert.ok(codes.includes('SUCCESS'));
      assert.ok(codes.every((c) => c === 'SUCCESS' || c === 'PAYMENT_IN_PROCESS'), codes.join());
      assert.equal(b.wallet.calls.get('walletPay'), 2, 'concurrent copies reach the wallet once');
      await assertLedger(b, { wallet: 2n * 7885n, acquirer: 30000n });
    });

    test('F from the wallet: FAIL with its code, nothing in the ledger, a repeat gets the same F', async () => {
      const b = await open();
      b.wallet.script.pay = 'F';
      const answer = await pay(b, 'P-f');
      assert.deepEqual([answer.result.resultStatus, answer.result.resultCode], ['F', 'USER_BALANCE_NOT_ENOUGH']);
      const again = await pay(b, 'P-f');
      assert.deepEqual(again.result, answer.result);
      const [payment] = await b.network.service.listPayments({ status: 'FAIL', limit: 5 });
      assert.equal(payment?.paymentRequestId, 'P-f');
      await assertLedger(b, { wallet: 0n, acquirer: 0n });
      const r = await refund(b, 'R-f', 'P-f', 1000n);
      assert.equal(r.result.resultCode, 'PAYMENT_NOT_REFUNDABLE');
    });

    test('the wallet answers U, then an inquiry says SUCCESS: the acquirer gets S', async () => {
      const b = await open();
      b.wallet.script.pay = 'U-success';
      const answer = await pay(b, 'P-u');
      assert.equal(answer.result.resultCode, 'SUCCESS');
      assert.ok((b.wallet.calls.get('walletInquiryPayment') ?? 0) >= 1);
      await assertLedger(b, { wallet: 7885n, acquirer: 15000n });
    });

    test('the wallet keeps it PROCESSING past the deadline: cancelled, F ORDER_IS_CLOSED, no position', async () => {
      const b = await open();
      b.wallet.script.pay = 'processing';
      const answer = await pay(b, 'P-proc');
      assert.deepEqual([answer.result.resultStatus, answer.result.resultCode], ['F', 'ORDER_IS_CLOSED']);
      assert.match(answer.result.resultMessage, /nothing was charged/);
      const [payment] = await b.network.service.listPayments({ limit: 1 });
      assert.equal(payment?.status, 'CANCELLED');
      assert.equal(b.wallet.payments.get(payment!.paymentId)?.status, 'CANCELLED');
      await assertLedger(b, { wallet: 0n, acquirer: 0n });
    });

    test('the wallet never answers: cancelled by the deadline, and the late pay is refused at the wallet', async () => {
      const b = await open({ paymentDeadlineMs: 600, peerTimeoutMs: 200 });
      b.wallet.script.payDelayMs = 1_200;
      const answer = await pay(b, 'P-slow');
      assert.equal(answer.result.resultCode, 'ORDER_IS_CLOSED');
      await new Promise((r) => setTimeout(r, 900));
      assert.equal(b.wallet.netCharged(), 0n, 'the late pay found a tombstone');
      assert.equal(b.wallet.payments.size, 0);
      await assertLedger(b, { wallet: 0n, acquirer: 0n });
    });

    test('a cancel the wallet does not confirm leaves the payment PROCESSING; resolveOpen finishes it and notifies the acquirer', async () => {
      const b = await open();
      b.wallet.script.pay = 'processing';
      b.wallet.script.cancel = 'U';
      const answer = await pay(b, 'P-stuck');
      assert.deepEqual([answer.result.resultStatus, answer.result.resultCode], ['U', 'PAYMENT_IN_PROCESS']);
      const [stuck] = await b.network.service.listPayments({ limit: 1 });
      assert.equal(stuck?.status, 'PROCESSING');
      assert.equal(stuck?.stage, 'cancelling');
      await b.network.resolveOpen();
      assert.equal((await b.network.service.listPayments({ limit: 1 }))[0]?.status, 'PROCESSING', 'still not confirmed');
      b.wallet.script.cancel = 'S';
      await b.network.resolveOpen();
      const [done] = await b.network.service.listPayments({ limit: 1 });
      assert.equal(done?.status, 'CANCELLED');
      assert.equal(b.acquirer.notifications.length, 1);
      assert.equal(b.acquirer.notifications[0]?.paymentStatus, 'CANCELLED');
      assert.equal(b.acquirer.notifications[0]?.paymentRequestId, 'P-stuck');
      await b.network.resolveOpen();
      assert.equal(b.acquirer.notifications.length, 1, 'notified once');
      const again = await pay(b, 'P-stuck');
      assert.equal(again.result.resultCode, 'ORDER_IS_CLOSED');
      await assertLedger(b, { wallet: 0n, acquirer: 0n });
    });

    test('the acquirer cancels a success: the wallet cancels, the positions are reversed', async () => {
      const b = await open();
      const paid = await pay(b, 'P-c');
      await assertLedger(b, { wallet: 7885n, acquirer: 15000n });
      const cancelled = answered(await b.acquirerClient.call('networkCancelPayment', { paymentRequestId: 'P-c' }));
      assert.equal(cancelled.result.resultCode, 'SUCCESS');
      assert.equal(cancelled.paymentId, paid.paymentId);
      assert.equal(b.wallet.payments.get(paid.paymentId!)?.status, 'CANCELLED');
      await assertLedger(b, { wallet: 0n, acquirer: 0n });
      assert.equal((await b.network.verifyLedger()).transferCount, 4);
      const again = answered(await b.acquirerClient.call('networkCancelPayment', { paymentRequestId: 'P-c' }));
      assert.equal(again.result.resultCode, 'SUCCESS', 'cancel is idempotent');
      assert.equal((await b.network.verifyLedger()).transferCount, 4);
      const inquiry = answered(await b.acquirerClient.call('networkInquiryPayment', { paymentRequestId: 'P-c' }));
      assert.equal(inquiry.paymentStatus, 'CANCELLED');
      const r = await refund(b, 'R-c', 'P-c', 100n);
      assert.equal(r.result.resultCode, 'PAYMENT_NOT_REFUNDABLE');
    });

    test('a cancel that overtakes its pay leaves a tombstone: the late pay is ORDER_IS_CLOSED', async () => {
      const b = await open();
      const cancelled = answered(await b.acquirerClient.call('networkCancelPayment', { paymentRequestId: 'P-early' }));
      assert.equal(cancelled.result.resultCode, 'SUCCESS');
      const late = await pay(b, 'P-early');
      assert.deepEqual([late.result.resultStatus, late.result.resultCode], ['F', 'ORDER_IS_CLOSED']);
      assert.equal(b.wallet.calls.get('walletPay') ?? 0, 0, 'the wallet was never asked');
      const inquiry = answered(await b.acquirerClient.call('networkInquiryPayment', { paymentRequestId: 'P-early' }));
      assert.equal(inquiry.paymentStatus, 'CANCELLED');
      const unknown = answered(await b.acquirerClient.call('networkInquiryPayment', { paymentRequestId: 'P-never' }));
      assert.deepEqual([unknown.result.resultStatus, unknown.result.resultCode], ['F', 'ORDER_NOT_EXIST']);
    });

    test('refunds in three parts telescope in CNY to exactly what was paid; over-refund and cancel after refund refused', async () => {
      const b = await open();
      await pay(b, 'P-r');
      const parts: readonly [string, bigint, string][] = [
        ['R1', 3000n, '1577'],
        ['R2', 7000n, '3680'],
      ];
      for (const [id, value, fen] of parts) {
        const answer = await refund(b, id, 'P-r', value);
        assert.equal(answer.result.resultCode, 'SUCCESS', id);
        assert.deepEqual(answer.refundPayAmount, { currency: 'CNY', value: fen }, id);
        assert.match(answer.refundId ?? '', /^NR[0-9a-f]{24}$/);
      }
      await assertLedger(b, { wallet: 7885n - 1577n - 3680n, acquirer: 5000n });
      const over = await refund(b, 'R-over', 'P-r', 5001n);
      assert.deepEqual([over.result.resultStatus, over.result.resultCode], ['F', 'REFUND_AMOUNT_EXCEED']);
      const cancel = answered(await b.acquirerClient.call('networkCancelPayment', { paymentRequestId: 'P-r' }));
      assert.deepEqual([cancel.result.resultStatus, cancel.result.resultCode], ['F', 'CANCEL_WINDOW_EXCEED']);
      const repeat = await refund(b, 'R1', 'P-r', 3000n);
      assert.deepEqual(repeat.refundPayAmount, { currency: 'CNY', value: '1577' }, 'a repeated refund gets its first answer');
      const inconsistent = await refund(b, 'R1', 'P-r', 3001n);
      assert.equal(inconsistent.result.resultCode, 'REPEAT_REQ_INCONSISTENT');
      const last = await refund(b, 'R3', 'P-r', 5000n);
      assert.deepEqual(last.refundPayAmount, { currency: 'CNY', value: '2628' });
      assert.equal(1577 + 3680 + 2628, 7885);
      await assertLedger(b, { wallet: 0n, acquirer: 0n });
      assert.equal(b.wallet.netCharged(), 0n, 'the wallet gave back exactly what it took');
      const more = await refund(b, 'R4', 'P-r', 1n);
      assert.equal(more.result.resultCode, 'REFUND_AMOUNT_EXCEED');
      const inquiry = answered(await b.acquirerClient.call('networkInquiryRefund', { refundRequestId: 'R3' }));
      assert.equal(inquiry.refundStatus, 'SUCCESS');
      assert.deepEqual(inquiry.refundPayAmount, { currency: 'CNY', value: '2628' });
      const missing = answered(await b.acquirerClient.call('networkInquiryRefund', { refundRequestId: 'R-none' }));
      assert.equal(missing.result.resultCode, 'ORDER_NOT_EXIST');
    });

    test('refund table: bad currency, zero, unknown payment; F from the wallet is FAIL and frees the amount', async () => {
      const b = await open();
      await pay(b, 'P-rt');
      const cases: readonly { body: { refundRequestId: string; paymentRequestId: string; refundAmount: { currency: string; value: string } }; code: string }[] = [
        { body: { refundRequestId: 'X1', paymentRequestId: 'P-rt', refundAmount: { currency: 'CNY', value: '100' } }, code: 'CURRENCY_NOT_SUPPORT' },
        { body: { refundRequestId: 'X2', paymentRequestId: 'P-rt', refundAmount: { currency: 'KRW', value: '0' } }, code: 'PARAM_ILLEGAL' },
        { body: { refundRequestId: 'X3', paymentRequestId: 'P-none', refundAmount: { currency: 'KRW', value: '100' } }, code: 'ORDER_NOT_EXIST' },
        { body: { refundRequestId: 'X4', paymentRequestId: 'P-rt', refundAmount: { currency: 'KRW', value: '15001' } }, code: 'REFUND_AMOUNT_EXCEED' },
      ];
      for (const c of cases) {
        const answer = answered(await b.acquirerClient.call('networkRefund', c.body));
        assert.deepEqual([answer.result.resultStatus, answer.result.resultCode], ['F', c.code], c.body.refundRequestId);
      }
      b.wallet.script.refund = 'F';
      const failed = await refund(b, 'R-fail', 'P-rt', 15000n);
      assert.deepEqual([failed.result.resultStatus, failed.result.resultCode], ['F', 'ORDER_STATUS_INVALID']);
      b.wallet.script.refund = 'U-success';
      const unknown = await refund(b, 'R-u', 'P-rt', 15000n);
      assert.equal(unknown.result.resultCode, 'SUCCESS', 'the failed refund freed its amount; an unknown answer is inquired');
      assert.deepEqual(unknown.refundPayAmount, { currency: 'CNY', value: '7885' });
      await assertLedger(b, { wallet: 0n, acquirer: 0n });
    });

    test('a refund uses the rate locked by its payment, not the current one', async () => {
      const b = await open();
      await pay(b, 'P-lock');
      const changed = await b.network.service.setFxRate({ base: 'CNY', quote: 'KRW' }, { rate: '200' });
      assert.ok(changed.ok);
      const full = await refund(b, 'R-lock', 'P-lock', 15000n);
      assert.deepEqual(full.refundPayAmount, { currency: 'CNY', value: '7885' });
      const newer = await pay(b, 'P-new');
      assert.deepEqual(newer.payAmount, { currency: 'CNY', value: '7500' }, 'a new payment locks the new rate');
      assert.notEqual(newer.fxQuote?.quoteId, full.refundId);
      await assertLedger(b, { wallet: 7500n, acquirer: 15000n });
    });

    test("userInitiatedPay: routed by the QR's merchant prefix to the acquirer, whose pay comes back to the wallet", async () => {
      const b = await open();
      const request = { userRequestId: 'U1', codeValue: orderQr('KR01M0001', 19025n), paymentCode: walletCode(7), paymentAmount: krw('19025') };
      const answer = answered(await b.walletClient.call('networkUserInitiatedPay', request));
      assert.equal(answer.result.resultCode, 'SUCCESS');
      assert.deepEqual(answer.payAmount, { currency: 'CNY', value: '10000' });
      assert.equal(b.acquirer.userInitiatedRequests.length, 1);
      assert.equal(b.acquirer.userInitiatedRequests[0]?.walletId, WALLET_ID, 'the network names the wallet');
      assert.equal(b.wallet.calls.get('walletPay'), 1);
      await assertLedger(b, { wallet: 10000n, acquirer: 19025n });
      const repeat = answered(await b.walletClient.call('networkUserInitiatedPay', request));
      assert.deepEqual(repeat, answer);
      assert.equal(b.acquirer.userInitiatedRequests.length, 1, 'a final answer is replayed, not re-forwarded');
      const other = answered(await b.walletClient.call('networkUserInitiatedPay', { ...request, paymentCode: walletCode(8) }));
      assert.equal(other.result.resultCode, 'REPEAT_REQ_INCONSISTENT');
    });

    test('userInitiatedPay refusals: undecodable, not dari, unknown merchant prefix, another wallet\'s code; the acquirer\'s F relayed', async () => {
      const b = await open();
      const cases: readonly { codeValue: string; paymentCode: string; code: string }[] = [
        { codeValue: 'not a qr', paymentCode: walletCode(1), code: 'PARAM_ILLEGAL' },
        { codeValue: `${merchantQr('KR01M0001').slice(0, -1)}0`, paymentCode: walletCode(1), code: 'PARAM_ILLEGAL' },
        { codeValue: foreignQr(), paymentCode: walletCode(1), code: 'PARTNER_NOT_EXIST' },
        { codeValue: merchantQr('JP01M0001'), paymentCode: walletCode(1), code: 'PARTNER_NOT_EXIST' },
        { codeValue: merchantQr('KR01M0001'), paymentCode: walletCode(1, '2852'), code: 'ACCESS_DENIED' },
      ];
      for (const [i, c] of cases.entries()) {
        const answer = answered(await b.walletClient.call('networkUserInitiatedPay', { userRequestId: `U-bad-${i}`, codeValue: c.codeValue, paymentCode: c.paymentCode }));
        assert.deepEqual([answer.result.resultStatus, answer.result.resultCode], ['F', c.code], `case ${i}`);
      }
      assert.equal(b.acquirer.userInitiatedRequests.length, 0);
      b.acquirer.script.userInitiated = 'F';
      const refused = answered(await b.walletClient.call('networkUserInitiatedPay', { userRequestId: 'U-f', codeValue: merchantQr('KR01M0001'), paymentCode: walletCode(1) }));
      assert.equal(refused.result.resultCode, 'MERCHANT_NOT_REGISTERED');
      await assertLedger(b, { wallet: 0n, acquirer: 0n });
    });

    test('privacy: the network stores the pseudonymous payerId and nothing else about the payer', async () => {
      const b = await open();
      const answer = await pay(b, 'P-priv');
      const view = await b.network.service.getPayment(answer.paymentId!);
      assert.ok(view.ok);
      const stored = JSON.stringify(view.value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      assert.ok(!stored.includes(walletCode(1)), 'the one-time payment code is not kept');
      assert.equal(view.value.payment.payerId, `PAYER-${MERCHANT.merchantId}`);
    });
  });
}
