/**
 * Lost requests, lost answers, late and duplicate deliveries between the
 * network and the wallet (protocol `faultyFetch`): every payment ends in
 * exactly one terminal state, the network's ledger verifies, and the
 * positions equal the successful payments minus refunds and cancellations,
 * which is also what the wallet's users were charged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NetworkFault, PaymentStatus, ProtocolEndpointName } from '../protocol/index.ts';
import { ACQUIRER_ID, MERCHANT, NETWORK_TEST_ENGINES, WALLET_ID, krw, positions, startBench, walletCode, type Bench } from './test-helpers.ts';

const queued = new Map<ProtocolEndpointName, NetworkFault[]>();
function inject(faults: Partial<Record<ProtocolEndpointName, readonly NetworkFault[]>>): void {
  queued.clear();
  for (const [name, list] of Object.entries(faults) as [ProtocolEndpointName, readonly NetworkFault[]][]) queued.set(name, [...list]);
}

for (const engine of NETWORK_TEST_ENGINES) {
  describe(`faults between the network and the wallet, on ${engine}`, () => {
    let b: Bench;
    before(async () => {
      b = await startBench({
        engine,
        paymentDeadlineMs: 1_000,
        peerTimeoutMs: 200,
        faults: (call) => {
          // A fault queued for any message the request carries hits the request (a whole envelope, when batched).
          const name = call.endpoints.find((endpoint) => (queued.get(endpoint)?.length ?? 0) > 0);
          return name === undefined ? undefined : queued.get(name)?.shift();
        },
      });
    });
    after(async () => {
      await b.close();
    });

    const lose = { kind: 'lose-request' } as const;
    const loseAnswer = { kind: 'lose-response' } as const;
    const duplicate = { kind: 'duplicate' } as const;
    const late = (delayMs: number) => ({ kind: 'delay', delayMs }) as const;

    interface Row {
      readonly name: string;
      readonly faults: Partial<Record<ProtocolEndpointName, readonly NetworkFault[]>>;
      /** Refund this much right after a successful pay (KRW). */
      readonly refundKrw?: bigint;
      readonly terminal: PaymentStatus;
      /** What the acquirer's pay call is answered, before any recovery. */
      readonly answer: string;
    }

    const rows: readonly Row[] = [
      { name: 'no fault', faults: {}, terminal: 'SUCCESS', answer: 'SUCCESS' },
      { name: 'pay lost on the way: never reached the wallet, cancelled', faults: { walletPay: [lose] }, terminal: 'CANCELLED', answer: 'ORDER_IS_CLOSED' },
      { name: "pay's answer lost: inquiry finds the success", faults: { walletPay: [loseAnswer] }, terminal: 'SUCCESS', answer: 'SUCCESS' },
      { name: 'pay delivered past the timeout, before the deadline: inquiry finds it', faults: { walletPay: [late(300)] }, terminal: 'SUCCESS', answer: 'SUCCESS' },
      { name: 'pay delivered past the deadline: cancelled first, the late pay refused', faults: { walletPay: [late(1_800)] }, terminal: 'CANCELLED', answer: 'ORDER_IS_CLOSED' },
      { name: 'pay delivered twice: charged once', faults: { walletPay: [duplicate] }, terminal: 'SUCCESS', answer: 'SUCCESS' },
      {
        name: "pay's answer and the first inquiries lost",
        faults: { walletPay: [loseAnswer], walletInquiryPayment: [lose, loseAnswer] },
        terminal: 'SUCCESS',
        answer: 'SUCCESS',
      },
      {
        name: 'pay lost and the first cancel answer lost: the retry confirms',
        faults: { walletPay: [lose], walletInquiryPayment: Array(40).fill(lose), walletCancelPayment: [loseAnswer] },
        terminal: 'CANCELLED',
        answer: 'ORDER_IS_CLOSED',
      },
      {
        name: 'pay lost and every cancel lost: U now, resolveOpen cancels later',
        faults: { walletPay: [lose], walletInquiryPayment: Array(40).fill(lose), walletCancelPayment: [lose, lose, lose] },
        terminal: 'CANCELLED',
        answer: 'PAYMENT_IN_PROCESS',
      },
      {
        name: "pay's answer, every inquiry and every cancel lost: the wallet's success is cancelled later by resolveOpen",
        faults: { walletPay: [loseAnswer], walletCancelPayment: [loseAnswer, lose, lose], walletInquiryPayment: Array(40).fill(lose) },
        terminal: 'CANCELLED',
        answer: 'PAYMENT_IN_PROCESS',
      },
      { name: 'refund lost on the way: re-sent by resolveOpen under the same refundId', faults: { walletRefund: [lose] }, refundKrw: 5_000n, terminal: 'SUCCESS', answer: 'SUCCESS' },
      { name: "refund's answer lost: the inquiry finds it", faults: { walletRefund: [loseAnswer] }, refundKrw: 15_000n, terminal: 'SUCCESS', answer: 'SUCCESS' },
      { name: 'refund delivered twice: credited once', faults: { walletRefund: [duplicate] }, refundKrw: 7_000n, terminal: 'SUCCESS', answer: 'SUCCESS' },
      {
        name: 'refund lost, and its inquiry lost too',
        faults: { walletRefund: [lose], walletInquiryRefund: [lose] },
        refundKrw: 1n,
        terminal: 'SUCCESS',
        answer: 'SUCCESS',
      },
    ];

    async function resolveAll(): Promise<void> {
      for (let pass = 0; pass < 10; pass += 1) {
        await b.settled();
        await b.network.resolveOpen();
        const open = (await b.network.service.listPayments({ status: 'PROCESSING', limit: 100 })).length;
        const cancelling = (await b.network.service.listPayments({ limit: 100 })).filter((p) => p.stage !== null).length;
        if (open === 0 && cancelling === 0) return;
      }
    }

    test('every fault ends in exactly one terminal state, and the ledger agrees with the wallet', async () => {
      for (const [i, row] of rows.entries()) {
        inject(row.faults);
        const paymentRequestId = `FP-${i}`;
        const paid = await b.acquirerClient.call('networkPay', { paymentRequestId, paymentAmount: krw(15_000n), paymentCode: walletCode(i), merchant: MERCHANT });
        assert.equal(paid.kind, 'answered', row.name);
        if (paid.kind !== 'answered') continue;
        assert.equal(paid.response.result.resultCode, row.answer, row.name);
        if (row.refundKrw !== undefined) {
          const refunded = await b.acquirerClient.call('networkRefund', { refundRequestId: `FR-${i}`, paymentRequestId, refundAmount: krw(row.refundKrw) });
          assert.equal(refunded.kind, 'answered', row.name);
        }
        await resolveAll();
        queued.clear();
        const inquiry = await b.acquirerClient.call('networkInquiryPayment', { paymentRequestId });
        assert.ok(inquiry.kind === 'answered');
        assert.equal(inquiry.response.paymentStatus, row.terminal, row.name);
        if (row.refundKrw !== undefined) {
          const refundInquiry = await b.acquirerClient.call('networkInquiryRefund', { refundRequestId: `FR-${i}` });
          assert.ok(refundInquiry.kind === 'answered');
          assert.equal(refundInquiry.response.refundStatus, 'SUCCESS', row.name);
        }
      }
      await b.settled();

      // Each payment is in one terminal state, on both sides.
      const payments = await b.network.service.listPayments({ limit: 100 });
      assert.equal(payments.length, rows.length);
      let walletOwes = 0n;
      let acquirerOwed = 0n;
      for (const p of payments) {
        assert.ok(p.status === 'SUCCESS' || p.status === 'CANCELLED', `${p.paymentRequestId} is ${p.status}`);
        assert.equal(p.stage, null);
        const atWallet = b.wallet.payments.get(p.paymentId)?.status;
        if (p.status === 'SUCCESS') assert.equal(atWallet, 'SUCCESS', p.paymentRequestId);
        else assert.ok(atWallet === undefined || atWallet === 'CANCELLED', `${p.paymentRequestId}: the wallet has ${atWallet}`);
        if (p.status !== 'SUCCESS') continue;
        walletOwes += p.payAmount.value;
        acquirerOwed += p.paymentAmount.value;
        const view = await b.network.service.getPayment(p.paymentId);
        assert.ok(view.ok);
        for (const r of view.value.refunds) {
          assert.equal(r.status, 'SUCCESS');
          walletOwes -= r.refundPayAmount.value;
          acquirerOwed -= r.refundAmount.value;
        }
      }
      const report = await b.network.verifyLedger();
      assert.equal(report.ok, true);
      assert.deepEqual(await positions(b.network), { [WALLET_ID]: walletOwes, [ACQUIRER_ID]: acquirerOwed });
      assert.equal(b.wallet.netCharged(), walletOwes, "the network's position is what the wallet's users were charged");
      assert.ok(walletOwes > 0n);
    });

    test('a notification lost on the way is sent again by the next resolveOpen', async () => {
      inject({ walletPay: [lose], walletInquiryPayment: Array(40).fill(lose), walletCancelPayment: [lose, lose, lose] });
      const paid = await b.acquirerClient.call('networkPay', { paymentRequestId: 'FN-1', paymentAmount: krw(1_000n), paymentCode: walletCode(99), merchant: MERCHANT });
      assert.ok(paid.kind === 'answered');
      assert.equal(paid.response.result.resultCode, 'PAYMENT_IN_PROCESS');
      const before = b.acquirer.notifications.length;
      inject({ acquirerNotifyPayment: [lose] });
      await b.network.resolveOpen();
      assert.equal(b.acquirer.notifications.length, before, 'the notification was lost');
      await b.network.resolveOpen();
      assert.equal(b.acquirer.notifications.length, before + 1);
      assert.equal(b.acquirer.notifications.at(-1)?.paymentRequestId, 'FN-1');
      assert.equal(b.acquirer.notifications.at(-1)?.paymentStatus, 'CANCELLED');
      await b.network.resolveOpen();
      assert.equal(b.acquirer.notifications.length, before + 1, 'once delivered, never again');
    });
  });
}
