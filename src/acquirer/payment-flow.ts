/**
 * The acquirer's side of a payment with the network: send `pay`, and when the
 * outcome is unknown (no answer, or U) inquire with backoff until the
 * payment's deadline, then cancel. A refund is sent, inquired, and retried
 * under the same id, never cancelled. Each step that moves money writes the
 * ledger first with a deterministic transfer id, then the final status, under
 * the payment's lock: a crash between the two is repaired by running the same
 * step again (the ledger answers `exists`).
 *
 * The POS's request, the MPM request from the network, the network's notify
 * and the resolver all end in `applyPayment`, the one place a payment's status
 * changes.
 */
import type { Ledger } from '../ledger/index.ts';
import type { MerchantWire, PeerCallOutcome, PeerClient } from '../protocol/index.ts';
import type { PaymentEvents } from './events.ts';
import { createKeyedLock } from '../platform/keyed-lock.ts';
import { cancelTransfer, ensureAccounts, payTransfer, recordLinked, recordTransfer, refundTransfer } from './money-moves.ts';
import type { AcquirerStore } from './store.ts';
import type { PayerSide, Payment, PaymentId, Refund, RefundId } from './types.ts';

/** How long a POS payment may stay unknown before the acquirer cancels it. */
export const PAYMENT_DEADLINE_MS_DEFAULT = 15_000;
/** First wait between two inquiries; each next wait doubles, up to INQUIRY_BACKOFF_MS_MAX. */
export const INQUIRY_BACKOFF_MS_INITIAL = 100;
export const INQUIRY_BACKOFF_MS_MAX = 2_000;
/** Inquiries one request makes before its deadline at most (a guard against a clock that does not move). */
export const INQUIRIES_PER_REQUEST_MAX = 50;
/** Cancels one request sends before it leaves the payment to the resolver. */
export const CANCEL_ATTEMPTS_MAX = 3;
/** Inquiries of a refund within the request before it is left PROCESSING for the resolver. */
export const REFUND_INQUIRIES_MAX = 3;
/** Payments and refunds one resolver pass takes. */
export const RESOLVE_BATCH_MAX = 100;

export type PaymentDecision =
  | { readonly kind: 'success'; readonly side: PayerSide }
  | { readonly kind: 'fail'; readonly resultCode: string }
  /** `reversed`: the payment had succeeded at the network before it was cancelled, and this side is what the network said of it. */
  | { readonly kind: 'cancelled'; readonly resultCode: string; readonly reversed?: PayerSide }
  | { readonly kind: 'unknown' };

export type RefundDecision =
  | { readonly kind: 'success'; readonly networkRefundId: string | null }
  | { readonly kind: 'fail'; readonly resultCode: string }
  /** The network has no refund under this id: it never arrived, send it again. */
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown' };

export type CancelOutcome =
  | { readonly kind: 'cancelled'; readonly payment: Payment }
  | { readonly kind: 'refused'; readonly payment: Payment; readonly resultCode: string }
  | { readonly kind: 'unknown'; readonly payment: Payment };

// ------------------------------------------------------------ pure decisions

export function decidePayAnswer(outcome: PeerCallOutcome<'networkPay'>, at: Date): PaymentDecision {
  if (outcome.kind === 'no-answer') return { kind: 'unknown' };
  const { response } = outcome;
  switch (response.result.resultStatus) {
    case 'S':
      return {
        kind: 'success',
        side: {
          networkPaymentId: response.paymentId ?? null,
          payAmount: response.payAmount ?? null,
          fxQuote: response.fxQuote ?? null,
          payerId: response.payerId ?? null,
          paidAt: response.paymentTime ?? at.toISOString(),
        },
      };
    case 'F':
      return { kind: 'fail', resultCode: response.result.resultCode };
    case 'U':
      return { kind: 'unknown' };
  }
}

/**
 * A payment the network reports CANCELLED; with a payment time, it had
 * succeeded before the cancellation reversed it (an inquiry's or a
 * notification's answer carries what the network knew of it).
 */
export function cancelledDecision(r: {
  readonly paymentId?: string | undefined;
  readonly paymentTime?: string | undefined;
  readonly payAmount?: PayerSide['payAmount'] | undefined;
  readonly fxQuote?: PayerSide['fxQuote'] | undefined;
  readonly payerId?: string | undefined;
}): PaymentDecision {
  if (r.paymentTime === undefined) return { kind: 'cancelled', resultCode: 'CANCELLED' };
  return { kind: 'cancelled', resultCode: 'CANCELLED', reversed: { networkPaymentId: r.paymentId ?? null, payAmount: r.payAmount ?? null, fxQuote: r.fxQuote ?? null, payerId: r.payerId ?? null, paidAt: r.paymentTime } };
}

export function decideInquiry(outcome: PeerCallOutcome<'networkInquiryPayment'>, at: Date): PaymentDecision {
  if (outcome.kind === 'no-answer' || outcome.response.result.resultStatus !== 'S') return { kind: 'unknown' };
  const r = outcome.response;
  switch (r.paymentStatus) {
    case 'SUCCESS':
      return {
        kind: 'success',
        side: { networkPaymentId: r.paymentId ?? null, payAmount: r.payAmount ?? null, fxQuote: r.fxQuote ?? null, payerId: r.payerId ?? null, paidAt: r.paymentTime ?? at.toISOString() },
      };
    case 'FAIL':
      return { kind: 'fail', resultCode: r.paymentResult?.resultCode ?? 'UNKNOWN_EXCEPTION' };
    case 'CANCELLED':
      return cancelledDecision(r);
    case 'PROCESSING':
    case undefined:
      return { kind: 'unknown' };
  }
}

export function decideRefundAnswer(outcome: PeerCallOutcome<'networkRefund'>): RefundDecision {
  if (outcome.kind === 'no-answer') return { kind: 'unknown' };
  const { result, refundId } = outcome.response;
  if (result.resultStatus === 'S') return { kind: 'success', networkRefundId: refundId ?? null };
  if (result.resultStatus === 'F') return { kind: 'fail', resultCode: result.resultCode };
  return { kind: 'unknown' };
}

export function decideRefundInquiry(outcome: PeerCallOutcome<'networkInquiryRefund'>): RefundDecision {
  if (outcome.kind === 'no-answer') return { kind: 'unknown' };
  const r = outcome.response;
  if (r.result.resultStatus === 'F' && r.result.resultCode === 'ORDER_NOT_EXIST') return { kind: 'absent' };
  if (r.result.resultStatus !== 'S') return { kind: 'unknown' };
  if (r.refundStatus === 'SUCCESS') return { kind: 'success', networkRefundId: r.refundId ?? null };
  if (r.refundStatus === 'FAIL') return { kind: 'fail', resultCode: r.refundResult?.resultCode ?? 'UNKNOWN_EXCEPTION' };
  return { kind: 'unknown' };
}

export function backoffMs(attempt: number): number {
  return Math.min(INQUIRY_BACKOFF_MS_INITIAL * 2 ** attempt, INQUIRY_BACKOFF_MS_MAX);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

// ------------------------------------------------------------ the flow

export interface PaymentFlowDeps {
  readonly store: AcquirerStore;
  readonly ledger: Ledger;
  readonly network: PeerClient;
  readonly events: PaymentEvents;
  readonly now: () => Date;
  readonly peerTimeoutMs: number;
}

export interface PaymentFlow {
  /**
   * Sends `pay` for a payment just recorded PROCESSING and drives it to its
   * outcome (or leaves it PROCESSING for the resolver). `merchant` is what the
   * network is told of the payment's merchant, which the caller has just read.
   */
  drivePayment(payment: Payment, pay: { readonly paymentCode: string; readonly merchant: MerchantWire }): Promise<Payment>;
  /** Applies what the network says about a payment; idempotent. */
  applyPayment(paymentId: PaymentId, decision: PaymentDecision): Promise<Payment>;
  /** Sends `cancelPayment` and applies the answer. */
  cancel(payment: Payment): Promise<CancelOutcome>;
  /** Sends `refund` for a refund just reserved and drives it (or leaves it PROCESSING). */
  driveRefund(refund: Refund): Promise<Refund>;
  /** One pass of recovery over payments and refunds left open; see README. */
  resolveOpen(): Promise<void>;
  /** Payment and refund ids a request or the resolver is driving now. */
  readonly inFlight: ReadonlySet<string>;
}

export function createPaymentFlow(deps: PaymentFlowDeps): PaymentFlow {
  const { store, ledger, network, events, now } = deps;
  const lock = createKeyedLock();
  const inFlight = new Set<string>();
  const call = { timeoutMs: deps.peerTimeoutMs };

  async function moved(paymentId: PaymentId, payment: Payment | null): Promise<Payment> {
    if (payment !== null) {
      events.publish(payment);
      return payment;
    }
    return (await store.getPayment(paymentId))!;
  }

  async function applyPaymentLocked(paymentId: PaymentId, decision: PaymentDecision): Promise<Payment> {
    const current = await store.getPayment(paymentId);
    if (current === null) throw new Error(`assertion failed: payment ${paymentId} exists`);
    const at = now().toISOString();
    switch (decision.kind) {
      case 'unknown':
        return current;
      case 'success':
        if (current.status !== 'PROCESSING') return current;
        await ensureAccounts(ledger, [current.merchantId]);
        await recordTransfer(ledger, payTransfer(current));
        return moved(paymentId, await store.movePayment(paymentId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS', ...decision.side }, at));
      case 'fail':
        if (current.status !== 'PROCESSING') return current;
        return moved(paymentId, await store.movePayment(paymentId, 'PROCESSING', { status: 'FAIL', resultCode: decision.resultCode }, at));
      case 'cancelled':
        if (current.status === 'SUCCESS') {
          await recordTransfer(ledger, cancelTransfer(current));
          return moved(paymentId, await store.movePayment(paymentId, 'SUCCESS', { status: 'CANCELLED', resultCode: decision.resultCode }, at));
        }
        if (current.status !== 'PROCESSING') return current;
        if (decision.reversed) {
          // The network paid the merchant's side and took it back before the acquirer heard of the
          // payment: book both movements, as the network did, so the ledger matches its clearing file.
          await ensureAccounts(ledger, [current.merchantId]);
          await recordLinked(ledger, [payTransfer(current), cancelTransfer(current)]);
          return moved(paymentId, await store.movePayment(paymentId, 'PROCESSING', { status: 'CANCELLED', resultCode: decision.resultCode, ...decision.reversed }, at));
        }
        return moved(paymentId, await store.movePayment(paymentId, 'PROCESSING', { status: 'CANCELLED', resultCode: decision.resultCode }, at));
    }
  }

  const applyPayment = (paymentId: PaymentId, decision: PaymentDecision): Promise<Payment> =>
    lock.run(paymentId, () => applyPaymentLocked(paymentId, decision));

  async function inquire(paymentId: PaymentId): Promise<Payment> {
    const answer = await network.call('networkInquiryPayment', { paymentRequestId: paymentId }, call);
    return applyPayment(paymentId, decideInquiry(answer, now()));
  }

  async function cancel(payment: Payment): Promise<CancelOutcome> {
    const id = payment.paymentId;
    const answer = await network.call('networkCancelPayment', { paymentRequestId: id }, call);
    if (answer.kind === 'no-answer' || answer.response.result.resultStatus === 'U') return { kind: 'unknown', payment: (await store.getPayment(id))! };
    const { result } = answer.response;
    if (result.resultStatus === 'S') {
      const { paymentId: networkPaymentId, paymentTime } = answer.response;
      const reversed = paymentTime === undefined ? {} : { reversed: { networkPaymentId: networkPaymentId ?? null, payAmount: null, fxQuote: null, payerId: null, paidAt: paymentTime } };
      const after = await applyPayment(id, { kind: 'cancelled', resultCode: 'CANCELLED', ...reversed });
      return { kind: 'cancelled', payment: after };
    }
    // Refused. The network never had it (the pay was lost, and the network
    // records the cancel so a late copy is refused): cancelled. Otherwise it
    // already has an outcome: learn it.
    const current = (await store.getPayment(id))!;
    if (result.resultCode === 'ORDER_NOT_EXIST' && current.status === 'PROCESSING') {
      return { kind: 'cancelled', payment: await applyPayment(id, { kind: 'cancelled', resultCode: 'CANCELLED' }) };
    }
    const after = await inquire(id);
    if (after.status === 'CANCELLED' || after.status === 'FAIL') return { kind: 'cancelled', payment: after };
    if (after.cancelRequested) await store.clearCancelRequest(id, now().toISOString());
    return { kind: 'refused', payment: (await store.getPayment(id))!, resultCode: result.resultCode };
  }

  async function untilDeadlineThenCancel(start: Payment): Promise<Payment> {
    let current = start;
    for (let attempt = 0; current.status === 'PROCESSING' && attempt < INQUIRIES_PER_REQUEST_MAX; attempt++) {
      const remainingMs = current.deadlineAtMs - now().getTime();
      if (remainingMs <= 0) break;
      await sleep(Math.min(backoffMs(attempt), remainingMs));
      current = await inquire(current.paymentId);
    }
    for (let attempt = 0; current.status === 'PROCESSING' && attempt < CANCEL_ATTEMPTS_MAX; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt));
      const outcome = await cancel(current);
      current = outcome.payment;
      if (outcome.kind === 'refused') break;
    }
    return current;
  }

  async function tracked<T>(id: string, work: () => Promise<T>): Promise<T> {
    inFlight.add(id);
    try {
      return await work();
    } finally {
      inFlight.delete(id);
    }
  }

  async function drivePayment(payment: Payment, pay: { readonly paymentCode: string; readonly merchant: MerchantWire }): Promise<Payment> {
    if (pay.merchant.merchantId !== payment.merchantId) throw new Error(`assertion failed: payment ${payment.paymentId} is sent with its own merchant`);
    return tracked(payment.paymentId, async () => {
      const answer = await network.call(
        'networkPay',
        {
          paymentRequestId: payment.paymentId,
          paymentAmount: { currency: 'KRW', value: payment.amountKrw.toString() },
          paymentCode: pay.paymentCode,
          merchant: pay.merchant,
        },
        call,
      );
      const current = await applyPayment(payment.paymentId, decidePayAnswer(answer, now()));
      return untilDeadlineThenCancel(current);
    });
  }

  async function applyRefund(refundId: RefundId, decision: RefundDecision): Promise<Refund> {
    return lock.run(`refund:${refundId}`, async () => {
      const current = await store.getRefund(refundId);
      if (current === null) throw new Error(`assertion failed: refund ${refundId} exists`);
      if (current.status !== 'PROCESSING') return current;
      const at = now().toISOString();
      if (decision.kind === 'success') {
        const payment = (await store.getPayment(current.paymentId))!;
        await recordTransfer(ledger, refundTransfer(current, payment.merchantId));
        return (await store.moveRefund(refundId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS', networkRefundId: decision.networkRefundId }, at)) ?? (await store.getRefund(refundId))!;
      }
      if (decision.kind === 'fail') {
        return (await store.moveRefund(refundId, 'PROCESSING', { status: 'FAIL', resultCode: decision.resultCode, networkRefundId: null }, at)) ?? (await store.getRefund(refundId))!;
      }
      return current;
    });
  }

  async function sendRefund(refund: Refund): Promise<Refund> {
    const answer = await network.call(
      'networkRefund',
      { refundRequestId: refund.refundId, paymentRequestId: refund.paymentId, refundAmount: { currency: 'KRW', value: refund.amountKrw.toString() } },
      call,
    );
    return applyRefund(refund.refundId, decideRefundAnswer(answer));
  }

  async function inquireRefund(refundId: RefundId): Promise<RefundDecision> {
    return decideRefundInquiry(await network.call('networkInquiryRefund', { refundRequestId: refundId }, call));
  }

  async function driveRefund(refund: Refund): Promise<Refund> {
    return tracked(refund.refundId, async () => {
      let current = await sendRefund(refund);
      for (let attempt = 0; current.status === 'PROCESSING' && attempt < REFUND_INQUIRIES_MAX; attempt++) {
        await sleep(backoffMs(attempt));
        current = await applyRefund(refund.refundId, await inquireRefund(refund.refundId));
      }
      return current;
    });
  }

  async function resolvePayment(payment: Payment): Promise<void> {
    if (payment.status === 'PROCESSING') {
      const current = await inquire(payment.paymentId);
      if (current.status === 'PROCESSING') await cancel(current);
    } else if (payment.cancelRequested) {
      await cancel(payment);
    }
  }

  async function resolveRefund(refund: Refund): Promise<void> {
    const decision = await inquireRefund(refund.refundId);
    if (decision.kind === 'success' || decision.kind === 'fail') await applyRefund(refund.refundId, decision);
    else await sendRefund(refund);
  }

  return {
    drivePayment,
    applyPayment,
    cancel,
    driveRefund,
    inFlight,
    async resolveOpen() {
      for (const payment of await store.openPayments(now().getTime(), RESOLVE_BATCH_MAX)) {
        if (inFlight.has(payment.paymentId)) continue;
        await tracked(payment.paymentId, () => resolvePayment(payment));
      }
      for (const refund of await store.processingRefunds(RESOLVE_BATCH_MAX)) {
        if (inFlight.has(refund.refundId)) continue;
        await tracked(refund.refundId, () => resolveRefund(refund));
      }
    },
  };
}
