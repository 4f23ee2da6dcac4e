/**
 * Refunds of successful payments: PROCESSING → SUCCESS | FAIL. The network
 * computes what the payer gets back in the wallet's currency at the
 * payment's locked rate (telescoping, fx.ts), records the refund, then asks
 * the wallet. A refund is never cancelled: an unknown outcome is inquired,
 * and `resolveOpen` re-sends it under the same refundId until the wallet
 * answers (the wallet is idempotent on refundId).
 */
import { amount, parseAmountJson } from '../money/index.ts';
import {
  result,
  type AcquirerRefundRef,
  type AcquirerRefundRequest,
  type InquiryRefundResponse,
  type ProtocolResult,
  type RefundResponse,
  type ResultCode,
} from '../protocol/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { refundAnswer, refundInquiryAnswer } from './answers.ts';
import { newRefundId, paymentLockKey, postTransfers, requestHash, type NetworkContext } from './context.ts';
import { refundPayAmountFor } from './fx.ts';
import { lockedRate } from './payments.ts';
import { refundTransfers } from './postings.ts';
import type { AcquirerParticipant, NetworkRefund, NetworkRefundId } from './types.ts';

type RefundOutcome =
  | { readonly kind: 'success'; readonly refundTime: Date }
  | { readonly kind: 'fail'; readonly code: ResultCode }
  | { readonly kind: 'unknown'; readonly walletKnowsIt: boolean };

export interface RefundFlows {
  refund(acquirer: AcquirerParticipant, request: AcquirerRefundRequest): Promise<RefundResponse>;
  inquire(acquirer: AcquirerParticipant, request: AcquirerRefundRef): Promise<InquiryRefundResponse>;
  /** One recovery step for a PROCESSING refund no call is driving: inquire, and re-send it if the wallet never got it. */
  resolve(refund: NetworkRefund): Promise<void>;
}

export function createRefundFlows(ctx: NetworkContext): RefundFlows {
  const { store } = ctx;

  const reload = async (refundId: NetworkRefundId): Promise<NetworkRefund> => {
    const refund = await store.refundById(refundId);
    if (!refund) throw new Error(`assertion failed: refund ${refundId} exists`);
    return refund;
  };

  const settle = (refund: NetworkRefund, outcome: RefundOutcome): Promise<void> =>
    ctx.locks.run(paymentLockKey(refund.paymentId), async () => {
      const current = await reload(refund.refundId);
      if (current.status !== 'PROCESSING' || outcome.kind === 'unknown') return;
      const at = ctx.now();
      if (outcome.kind === 'success') {
        const payment = await store.paymentById(current.paymentId);
        if (!payment) throw new Error(`assertion failed: refund ${current.refundId}'s payment exists`);
        await postTransfers(ctx.ledger, refundTransfers(payment, current));
        await store.updateRefund(current.refundId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS', refundTime: outcome.refundTime }, at);
      } else {
        await store.updateRefund(current.refundId, 'PROCESSING', { status: 'FAIL', resultCode: outcome.code }, at);
      }
    });

  const inquire = async (refund: NetworkRefund, walletId: string): Promise<RefundOutcome> => {
    const outcome = await ctx.peer(walletId).call('walletInquiryRefund', { refundId: refund.refundId }, { timeoutMs: ctx.peerTimeoutMs });
    if (outcome.kind !== 'answered') return { kind: 'unknown', walletKnowsIt: true };
    const answer = outcome.response;
    if (answer.result.resultCode === 'ORDER_NOT_EXIST') return { kind: 'unknown', walletKnowsIt: false };
    if (answer.result.resultStatus !== 'S') return { kind: 'unknown', walletKnowsIt: true };
    if (answer.refundStatus === 'SUCCESS') return { kind: 'success', refundTime: ctx.now() };
    if (answer.refundStatus === 'FAIL') {
      const failed = answer.refundResult?.resultStatus === 'F' ? answer.refundResult.resultCode : 'ORDER_STATUS_INVALID';
      return { kind: 'fail', code: failed };
    }
    return { kind: 'unknown', walletKnowsIt: true };
  };

  const walletOf = async (refund: NetworkRefund): Promise<string> => {
    const payment = await store.paymentById(refund.paymentId);
    if (!payment) throw new Error(`assertion failed: refund ${refund.refundId}'s payment exists`);
    return payment.walletId;
  };

  const send = async (refund: NetworkRefund, walletId: string): Promise<RefundOutcome> => {
    const outcome = await ctx.peer(walletId).call(
      'walletRefund',
      {
        refundId: refund.refundId,
        paymentId: refund.paymentId,
        refundAmount: { currency: refund.refundAmount.currency, value: refund.refundAmount.value.toString() },
        refundPayAmount: { currency: refund.refundPayAmount.currency, value: refund.refundPayAmount.value.toString() },
      },
      { timeoutMs: ctx.peerTimeoutMs },
    );
    if (outcome.kind !== 'answered') return { kind: 'unknown', walletKnowsIt: true };
    const answer = outcome.response;
    if (answer.result.resultStatus === 'S') return { kind: 'success', refundTime: answer.refundTime ? new Date(answer.refundTime) : ctx.now() };
    if (answer.result.resultStatus === 'F') return { kind: 'fail', code: answer.result.resultCode };
    return { kind: 'unknown', walletKnowsIt: true };
  };

  /** Checks a new refund and records it PROCESSING, under the payment's lock (the refunded total is read and extended atomically). */
  const open = async (acquirer: AcquirerParticipant, request: AcquirerRefundRequest, hash: string): Promise<Result<NetworkRefund, ProtocolResult>> => {
    const payment = await store.paymentByRequest(acquirer.participantId, request.paymentRequestId);
    if (!payment) return err(result('ORDER_NOT_EXIST'));
    const parsed = parseAmountJson(request.refundAmount);
    if (!parsed.ok) {
      return err(parsed.error.kind === 'unknown-currency' ? result('CURRENCY_NOT_SUPPORT') : result('PARAM_ILLEGAL', `refundAmount: ${parsed.error.message}`));
    }
    const refundAmount = parsed.value;
    if (refundAmount.currency !== payment.paymentAmount.currency) return err(result('CURRENCY_NOT_SUPPORT', `the payment is in ${payment.paymentAmount.currency}`));
    return ctx.locks.run(paymentLockKey(payment.paymentId), async () => {
      const again = await store.refundByRequest(acquirer.participantId, request.refundRequestId);
      if (again) return err(again.requestHash === hash ? refundAnswer(again).result : result('REPEAT_REQ_INCONSISTENT'));
      const current = await store.paymentById(payment.paymentId);
      if (!current || current.status !== 'SUCCESS') return err(result('PAYMENT_NOT_REFUNDABLE'));
      if (current.stage === 'cancelling') return err(result('ORDER_STATUS_INVALID', 'the payment is being cancelled'));
      const standing = (await store.refundsOfPayment(current.paymentId)).filter((r) => r.status !== 'FAIL');
      const refundedBefore = amount(refundAmount.currency, standing.reduce((sum, r) => sum + r.refundAmount.value, 0n));
      const refundedPayBefore = amount(current.payAmount.currency, standing.reduce((sum, r) => sum + r.refundPayAmount.value, 0n));
      if (refundedBefore.value + refundAmount.value > current.paymentAmount.value) {
        return err(result('REFUND_AMOUNT_EXCEED', `${current.paymentAmount.value - refundedBefore.value} ${refundAmount.currency} remain refundable`));
      }
      const refundPayAmount = refundPayAmountFor({ payerRate: lockedRate(current), refundedBefore, refundedPayBefore, refundAmount });
      if (!refundPayAmount.ok) return err(result('PARAM_ILLEGAL', `refundAmount: ${refundPayAmount.error}`));
      const at = ctx.now();
      const refund: NetworkRefund = {
        refundId: newRefundId(),
        acquirerId: acquirer.participantId,
        refundRequestId: request.refundRequestId,
        paymentId: current.paymentId,
        requestHash: hash,
        refundAmount,
        refundPayAmount: refundPayAmount.value,
        status: 'PROCESSING',
        resultCode: null,
        refundTime: null,
        createdAt: at,
        updatedAt: at,
      };
      if ((await store.insertRefund(refund)) === 'duplicate') return err(result('REPEAT_REQ_INCONSISTENT', 'the refund request id was used for another payment'));
      return ok(refund);
    });
  };

  const drive = async (refund: NetworkRefund, first: boolean): Promise<void> => {
    const walletId = await walletOf(refund);
    let outcome = first ? await send(refund, walletId) : await inquire(refund, walletId);
    if (outcome.kind === 'unknown' && first) outcome = await inquire(refund, walletId);
    // The wallet never saw it (lost on the way): send it again under the same refundId.
    if (outcome.kind === 'unknown' && !outcome.walletKnowsIt && !first) outcome = await send(refund, walletId);
    await settle(refund, outcome);
  };

  return {
    async refund(acquirer, request) {
      const hash = requestHash([request.refundRequestId, request.paymentRequestId, request.refundAmount.currency, request.refundAmount.value]);
      const existing = await store.refundByRequest(acquirer.participantId, request.refundRequestId);
      if (existing) return existing.requestHash === hash ? refundAnswer(existing) : { result: result('REPEAT_REQ_INCONSISTENT') };
      const opened = await open(acquirer, request, hash);
      if (!opened.ok) {
        // A concurrent copy of this request opened it first: answer as it stands.
        const raced = await store.refundByRequest(acquirer.participantId, request.refundRequestId);
        return raced && raced.requestHash === hash ? refundAnswer(raced) : { result: opened.error };
      }
      ctx.busy.add(opened.value.refundId);
      try {
        await drive(opened.value, true);
        return refundAnswer(await reload(opened.value.refundId));
      } finally {
        ctx.busy.delete(opened.value.refundId);
      }
    },

    async inquire(acquirer, request) {
      const refund = await store.refundByRequest(acquirer.participantId, request.refundRequestId);
      return refund ? refundInquiryAnswer(refund) : { result: result('ORDER_NOT_EXIST') };
    },

    async resolve(refund) {
      if (ctx.busy.has(refund.refundId)) return;
      ctx.busy.add(refund.refundId);
      try {
        await drive(refund, false);
      } finally {
        ctx.busy.delete(refund.refundId);
      }
    },
  };
}
