/**
 * A payment through the network, from the acquirer's `pay` to one terminal
 * state: PROCESSING → SUCCESS | FAIL | CANCELLED (state machine in
 * README.md). The network records the payment with its locked rate before it
 * asks the wallet; an unknown answer is inquired until the deadline, then
 * cancelled; a cancellation the wallet does not confirm leaves the payment
 * PROCESSING for `resolveOpen`. The ledger is written before the status that
 * depends on it, with ids derived from the payment id, so a repeat is harmless.
 */
import { parseAmountJson, parseRate, type Amount } from '../money/index.ts';
import {
  result,
  type AcquirerPayRequest,
  type AcquirerPaymentRef,
  type CancelPaymentResponse,
  type InquiryPaymentResponse,
  type PayResponse,
  type ProtocolResult,
  type ResultCode,
} from '../protocol/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import {
  CLOSED_BY_ACQUIRER_MESSAGE,
  CLOSED_BY_DEADLINE_MESSAGE,
  cancelAnswer,
  fxQuoteWire,
  inquiryAnswer,
  notification,
  payAnswer,
} from './answers.ts';
import {
  CANCEL_ATTEMPTS_MAX,
  CANCEL_RETRY_INTERVAL_MS,
  INQUIRY_ATTEMPTS_MAX,
  INQUIRY_INTERVAL_MS_MAX,
  INQUIRY_INTERVAL_MS_MIN,
  newPaymentId,
  paymentLockKey,
  postTransfers,
  requestHash,
  requestLockKey,
  sleep,
  type NetworkContext,
} from './context.ts';
import { payAmountFor, recordRate } from './fx.ts';
import { cancellationTransfers, paymentTransfers } from './postings.ts';
import { walletForCode } from './routing.ts';
import type { AcquirerParticipant, NetworkPayment, NetworkPaymentId } from './types.ts';

/** What the network learnt about a payment at the wallet. */
export type WalletOutcome =
  | { readonly kind: 'success'; readonly payerId: string | null; readonly paymentTime: Date }
  | { readonly kind: 'fail'; readonly code: ResultCode; readonly message: string }
  | { readonly kind: 'cancelled'; readonly message: string }
  | { readonly kind: 'unknown' };

export interface PaymentFlows {
  pay(acquirer: AcquirerParticipant, request: AcquirerPayRequest): Promise<PayResponse>;
  inquire(acquirer: AcquirerParticipant, request: AcquirerPaymentRef): Promise<InquiryPaymentResponse>;
  cancel(acquirer: AcquirerParticipant, request: AcquirerPaymentRef): Promise<CancelPaymentResponse>;
  /** One recovery step for an open payment (PROCESSING, or SUCCESS being cancelled) no call is driving. */
  resolve(payment: NetworkPayment): Promise<void>;
  /** Sends `notifyPayment` for a payment whose outcome the acquirer has not been told. */
  notify(payment: NetworkPayment): Promise<void>;
}

export function createPaymentFlows(ctx: NetworkContext): PaymentFlows {
  const { store } = ctx;

  const reload = async (paymentId: NetworkPaymentId): Promise<NetworkPayment> => {
    const payment = await store.paymentById(paymentId);
    if (!payment) throw new Error(`assertion failed: payment ${paymentId} exists`);
    return payment;
  };

  /** Records what the wallet said, if the payment is still waiting for it; idempotent. */
  const settle = (paymentId: NetworkPaymentId, outcome: WalletOutcome, options: { readonly notify: boolean }): Promise<void> =>
    ctx.locks.run(paymentLockKey(paymentId), async () => {
      const p = await reload(paymentId);
      const at = ctx.now();
      const expected = { status: p.status, stage: p.stage };
      if (outcome.kind === 'success' && p.status === 'PROCESSING' && p.stage === 'paying') {
        await postTransfers(ctx.ledger, paymentTransfers(p));
        await store.updatePayment(
          paymentId,
          expected,
          { status: 'SUCCESS', stage: null, resultCode: 'SUCCESS', resultMessage: null, payerId: outcome.payerId, paymentTime: outcome.paymentTime, notifyPending: options.notify },
          at,
        );
      } else if (outcome.kind === 'fail' && p.status === 'PROCESSING') {
        await store.updatePayment(paymentId, expected, { status: 'FAIL', stage: null, resultCode: outcome.code, resultMessage: outcome.message, notifyPending: options.notify }, at);
      } else if (outcome.kind === 'cancelled' && (p.status === 'PROCESSING' || (p.status === 'SUCCESS' && p.stage === 'cancelling'))) {
        // A cancelled success gives back what it took; a cancelled PROCESSING payment never moved money here.
        if (p.status === 'SUCCESS') await postTransfers(ctx.ledger, cancellationTransfers(p));
        await store.updatePayment(
          paymentId,
          expected,
          { status: 'CANCELLED', stage: null, resultCode: 'ORDER_IS_CLOSED', resultMessage: outcome.message, notifyPending: options.notify },
          at,
        );
      }
    });

  const inquire = async (payment: NetworkPayment, timeoutMs: number): Promise<WalletOutcome> => {
    const outcome = await ctx.peer(payment.walletId).call('walletInquiryPayment', { paymentId: payment.paymentId }, { timeoutMs });
    // ORDER_NOT_EXIST is not a failure: the pay may still be on its way to the wallet.
    if (outcome.kind !== 'answered' || outcome.response.result.resultStatus !== 'S') return { kind: 'unknown' };
    const answer = outcome.response;
    switch (answer.paymentStatus) {
      case 'SUCCESS':
        return { kind: 'success', payerId: answer.payerId ?? null, paymentTime: answer.paymentTime ? new Date(answer.paymentTime) : ctx.now() };
      case 'FAIL':
        return { kind: 'fail', ...failureOf(answer.paymentResult) };
      case 'CANCELLED':
        return { kind: 'cancelled', message: CLOSED_BY_DEADLINE_MESSAGE };
      default:
        return { kind: 'unknown' };
    }
  };

  /** Inquires with backoff until the deadline; resolves true once the payment left `paying`. */
  const inquireUntilDeadline = async (paymentId: NetworkPaymentId): Promise<boolean> => {
    let intervalMs = INQUIRY_INTERVAL_MS_MIN;
    for (let attempt = 1; attempt <= INQUIRY_ATTEMPTS_MAX; attempt += 1) {
      const payment = await reload(paymentId);
      if (payment.status !== 'PROCESSING' || payment.stage !== 'paying') return true;
      const remainingMs = payment.deadlineAt.getTime() - ctx.now().getTime();
      if (remainingMs <= 0) return false;
      await sleep(Math.min(intervalMs, remainingMs));
      const outcome = await inquire(payment, Math.max(1, Math.min(ctx.peerTimeoutMs, remainingMs)));
      // A success learnt after a cancellation began is left to it (the wallet reverses it); the loop head rereads.
      if (outcome.kind !== 'unknown') await settle(paymentId, outcome, { notify: false });
      intervalMs = Math.min(intervalMs * 2, INQUIRY_INTERVAL_MS_MAX);
    }
    return false;
  };

  /**
   * Moves the payment to `cancelling` (a success only when the acquirer asks)
   * and asks the wallet to cancel, a few times. A wallet that refuses to
   * cancel a success leaves it SUCCESS; one that does not answer leaves the
   * payment `cancelling` for `resolveOpen`.
   */
  const cancelAtWallet = async (
    paymentId: NetworkPaymentId,
    options: { readonly byAcquirer: boolean; readonly notify: boolean },
  ): Promise<ProtocolResult | undefined> => {
    const marked = await ctx.locks.run(paymentLockKey(paymentId), async () => {
      const p = await reload(paymentId);
      if (p.stage === 'cancelling') return p;
      const cancellable = p.status === 'PROCESSING' || (options.byAcquirer && p.status === 'SUCCESS');
      if (!cancellable) return p;
      if (p.status === 'SUCCESS') {
        const standing = (await store.refundsOfPayment(paymentId)).filter((r) => r.status !== 'FAIL');
        if (standing.length > 0) return result('CANCEL_WINDOW_EXCEED');
      }
      await store.updatePayment(paymentId, { status: p.status, stage: p.stage }, { stage: 'cancelling' }, ctx.now());
      return reload(paymentId);
    });
    if ('resultStatus' in marked) return marked;
    if (marked.stage !== 'cancelling') return undefined;
    const message = options.byAcquirer ? CLOSED_BY_ACQUIRER_MESSAGE : CLOSED_BY_DEADLINE_MESSAGE;
    for (let attempt = 1; attempt <= CANCEL_ATTEMPTS_MAX; attempt += 1) {
      if (attempt > 1) await sleep(CANCEL_RETRY_INTERVAL_MS);
      const outcome = await ctx.peer(marked.walletId).call('walletCancelPayment', { paymentId }, { timeoutMs: ctx.peerTimeoutMs });
      if (outcome.kind !== 'answered') continue;
      const answer = outcome.response.result;
      if (answer.resultStatus === 'S') {
        await settle(paymentId, { kind: 'cancelled', message }, options);
        return undefined;
      }
      if (answer.resultStatus === 'F' && marked.status === 'SUCCESS') {
        // The wallet keeps the payment (it may, e.g., be past its cancel window): it stays a success.
        await store.updatePayment(paymentId, { status: 'SUCCESS', stage: 'cancelling' }, { stage: null }, ctx.now());
        return result(answer.resultCode, answer.resultMessage);
      }
    }
    // Not confirmed: perhaps the payment never happened at the wallet (FAIL) or was cancelled already.
    const known = await inquire(marked, ctx.peerTimeoutMs);
    if (known.kind === 'fail' || known.kind === 'cancelled') await settle(paymentId, known, options);
    return undefined;
  };

  const drive = async (payment: NetworkPayment, code: string): Promise<PayResponse> => {
    ctx.busy.add(payment.paymentId);
    try {
      const timeoutMs = Math.max(1, Math.min(ctx.peerTimeoutMs, payment.deadlineAt.getTime() - ctx.now().getTime()));
      const outcome = await ctx.peer(payment.walletId).call(
        'walletPay',
        {
          paymentId: payment.paymentId,
          acquirerId: payment.acquirerId,
          paymentRequestId: payment.paymentRequestId,
          paymentAmount: { currency: payment.paymentAmount.currency, value: payment.paymentAmount.value.toString() },
          payAmount: { currency: payment.payAmount.currency, value: payment.payAmount.value.toString() },
          fxQuote: fxQuoteWire(payment),
          paymentCode: code,
          merchant: payment.merchant,
        },
        { timeoutMs },
      );
      const answer = outcome.kind === 'answered' ? outcome.response : undefined;
      if (answer?.result.resultStatus === 'S') {
        const paymentTime = answer.paymentTime ? new Date(answer.paymentTime) : ctx.now();
        await settle(payment.paymentId, { kind: 'success', payerId: answer.payerId ?? null, paymentTime }, { notify: false });
      } else if (answer?.result.resultStatus === 'F') {
        await settle(payment.paymentId, { kind: 'fail', code: answer.result.resultCode, message: answer.result.resultMessage }, { notify: false });
      } else if (!(await inquireUntilDeadline(payment.paymentId))) {
        await cancelAtWallet(payment.paymentId, { byAcquirer: false, notify: false });
      }
      return payAnswer(await reload(payment.paymentId));
    } finally {
      ctx.busy.delete(payment.paymentId);
    }
  };

  /** Checks a new pay request and records it PROCESSING with its locked rate; an F result if it cannot be routed. */
  const open = async (acquirer: AcquirerParticipant, request: AcquirerPayRequest, hash: string): Promise<Result<NetworkPayment, ProtocolResult>> => {
    const parsed = parseAmountJson(request.paymentAmount);
    if (!parsed.ok) {
      return err(parsed.error.kind === 'unknown-currency' ? result('CURRENCY_NOT_SUPPORT') : result('PARAM_ILLEGAL', `paymentAmount: ${parsed.error.message}`));
    }
    const paymentAmount: Amount = parsed.value;
    if (paymentAmount.currency !== acquirer.currency) return err(result('CURRENCY_NOT_SUPPORT', `the acquirer's payments are in ${acquirer.currency}`));
    // An acquirer pays only for its own merchants: the merchant's id carries the acquirer's prefix,
    // as a QR's does (routing by QR relies on it). Otherwise the wallet would show the tourist, and
    // pseudonymise the payer for, a merchant the sender does not acquire.
    if (!request.merchant.merchantId.startsWith(acquirer.merchantIdPrefix)) {
      return err(result('MERCHANT_NOT_REGISTERED', `merchant ${request.merchant.merchantId} is not one of ${acquirer.participantId}'s (prefix ${acquirer.merchantIdPrefix})`));
    }
    const wallet = walletForCode(ctx.participants.all(), request.paymentCode);
    if (!wallet) return err(result('PARTNER_NOT_EXIST', 'no wallet issues payment codes with this prefix'));
    const at = ctx.now();
    const rateRecord = await store.currentFxRate(wallet.currency, acquirer.currency, at);
    if (!rateRecord) return err(result('FX_RATE_NOT_AVAILABLE', `no ${wallet.currency}/${acquirer.currency} rate`));
    const payAmount = payAmountFor(paymentAmount, recordRate(rateRecord));
    if (!payAmount.ok) return err(result('PARAM_ILLEGAL', `paymentAmount: ${payAmount.error}`));
    const payment: NetworkPayment = {
      paymentId: newPaymentId(),
      acquirerId: acquirer.participantId,
      paymentRequestId: request.paymentRequestId,
      walletId: wallet.participantId,
      requestHash: hash,
      merchant: request.merchant,
      paymentAmount,
      payAmount: payAmount.value,
      fxQuote: { quoteId: rateRecord.quoteId, base: rateRecord.base, quote: rateRecord.quote, rate: rateRecord.rate },
      status: 'PROCESSING',
      stage: 'paying',
      resultCode: null,
      resultMessage: null,
      payerId: null,
      paymentTime: null,
      deadlineAt: new Date(at.getTime() + ctx.paymentDeadlineMs),
      notifyPending: false,
      createdAt: at,
      updatedAt: at,
    };
    if ((await store.insertPayment(payment)) === 'duplicate') throw new Error('assertion failed: a payment request is opened once (under its lock)');
    return ok(payment);
  };

  return {
    async pay(acquirer, request) {
      const hash = requestHash([request.paymentRequestId, request.paymentAmount.currency, request.paymentAmount.value, request.paymentCode, request.merchant]);
      const key = requestLockKey('pay', acquirer.participantId, request.paymentRequestId);
      const opened = await ctx.locks.run(key, async (): Promise<{ answer: PayResponse } | { payment: NetworkPayment }> => {
        if (await store.isCancelledRequest(acquirer.participantId, request.paymentRequestId)) {
          return { answer: { result: result('ORDER_IS_CLOSED', 'the acquirer cancelled this payment request') } };
        }
        const existing = await store.paymentByRequest(acquirer.participantId, request.paymentRequestId);
        if (existing) return { answer: existing.requestHash === hash ? payAnswer(existing) : { result: result('REPEAT_REQ_INCONSISTENT') } };
        const created = await open(acquirer, request, hash);
        return created.ok ? { payment: created.value } : { answer: { result: created.error } };
      });
      if ('answer' in opened) return opened.answer;
      return drive(opened.payment, request.paymentCode);
    },

    async inquire(acquirer, request) {
      const payment = await store.paymentByRequest(acquirer.participantId, request.paymentRequestId);
      if (payment) return inquiryAnswer(payment);
      if (await store.isCancelledRequest(acquirer.participantId, request.paymentRequestId)) {
        return { result: result('SUCCESS'), paymentStatus: 'CANCELLED', paymentResult: result('ORDER_IS_CLOSED', 'the acquirer cancelled this payment request') };
      }
      return { result: result('ORDER_NOT_EXIST') };
    },

    async cancel(acquirer, request) {
      const key = requestLockKey('pay', acquirer.participantId, request.paymentRequestId);
      const payment = await ctx.locks.run(key, async () => {
        const found = await store.paymentByRequest(acquirer.participantId, request.paymentRequestId);
        // A cancel that overtakes its pay leaves a tombstone, so the late pay is refused.
        if (!found) await store.insertCancelledRequest(acquirer.participantId, request.paymentRequestId, ctx.now());
        return found;
      });
      if (!payment) return { result: result('SUCCESS'), cancelTime: ctx.now().toISOString() };
      if (payment.status === 'CANCELLED' || payment.status === 'FAIL') return cancelAnswer(payment);
      ctx.busy.add(payment.paymentId);
      try {
        const refused = await cancelAtWallet(payment.paymentId, { byAcquirer: true, notify: false });
        if (refused) return { result: refused, paymentId: payment.paymentId };
        return cancelAnswer(await reload(payment.paymentId));
      } finally {
        ctx.busy.delete(payment.paymentId);
      }
    },

    async resolve(payment) {
      if (ctx.busy.has(payment.paymentId)) return;
      ctx.busy.add(payment.paymentId);
      try {
        if (payment.stage === 'paying') {
          const outcome = await inquire(payment, ctx.peerTimeoutMs);
          if (outcome.kind !== 'unknown') return await settle(payment.paymentId, outcome, { notify: true });
          if (ctx.now() < payment.deadlineAt) return;
        }
        await cancelAtWallet(payment.paymentId, { byAcquirer: payment.status === 'SUCCESS', notify: true });
      } finally {
        ctx.busy.delete(payment.paymentId);
      }
    },

    async notify(payment) {
      const outcome = await ctx.peer(payment.acquirerId).call('acquirerNotifyPayment', notification(payment), { timeoutMs: ctx.peerTimeoutMs });
      if (outcome.kind === 'answered' && outcome.response.result.resultStatus === 'S') {
        await store.updatePayment(payment.paymentId, { status: payment.status, stage: payment.stage }, { notifyPending: false }, ctx.now());
      }
    },
  };
}

/** The failure a wallet reported, as an F code the acquirer can be given. */
function failureOf(paymentResult: ProtocolResult | undefined): { code: ResultCode; message: string } {
  if (paymentResult && paymentResult.resultStatus === 'F') return { code: paymentResult.resultCode, message: paymentResult.resultMessage };
  return { code: 'ORDER_IS_CLOSED', message: 'the wallet reports the payment failed' };
}

/** The locked rate of a payment, read exactly (for refunds). */
export function lockedRate(payment: NetworkPayment): ReturnType<typeof recordRate> {
  const parsed = parseRate(payment.fxQuote.rate, { base: payment.fxQuote.base, quote: payment.fxQuote.quote });
  if (!parsed.ok) throw new Error(`assertion failed: payment ${payment.paymentId}'s locked rate parses`);
  return parsed.value;
}
