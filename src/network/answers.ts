/**
 * What the network answers about a payment or refund, as a pure function of
 * its stored state: the first answer and every repeat of it (idempotency,
 * inquiry, notification) come from the same place.
 */
import { amountToJson } from '../money/index.ts';
import {
  result,
  type CancelPaymentResponse,
  type FxQuoteWire,
  type InquiryPaymentResponse,
  type InquiryRefundResponse,
  type NotifyPaymentRequest,
  type PayResponse,
  type ProtocolResult,
  type RefundResponse,
} from '../protocol/index.ts';
import type { NetworkPayment, NetworkRefund } from './types.ts';

export const CLOSED_BY_DEADLINE_MESSAGE = 'the wallet did not confirm the payment in time; it was cancelled and nothing was charged';
export const CLOSED_BY_ACQUIRER_MESSAGE = 'the payment was cancelled by the acquirer';

export function fxQuoteWire(payment: NetworkPayment): FxQuoteWire {
  const q = payment.fxQuote;
  return { quoteId: q.quoteId, baseCurrency: q.base, quoteCurrency: q.quote, rate: q.rate };
}

/** The payment's own outcome, as the acquirer is told it. */
export function paymentResult(payment: NetworkPayment): ProtocolResult {
  switch (payment.status) {
    case 'SUCCESS':
      return result('SUCCESS');
    case 'PROCESSING':
      return result('PAYMENT_IN_PROCESS');
    case 'FAIL':
      return result(payment.resultCode ?? 'ORDER_IS_CLOSED', payment.resultMessage ?? undefined);
    case 'CANCELLED':
      return result('ORDER_IS_CLOSED', payment.resultMessage ?? undefined);
  }
}

function successFields(payment: NetworkPayment): Omit<PayResponse, 'result'> {
  return {
    paymentId: payment.paymentId,
    ...(payment.paymentTime ? { paymentTime: payment.paymentTime.toISOString() } : {}),
    paymentAmount: amountToJson(payment.paymentAmount),
    payAmount: amountToJson(payment.payAmount),
    fxQuote: fxQuoteWire(payment),
    ...(payment.payerId ? { payerId: payment.payerId } : {}),
  };
}

export function payAnswer(payment: NetworkPayment): PayResponse {
  const outcome = paymentResult(payment);
  return payment.status === 'SUCCESS' ? { result: outcome, ...successFields(payment) } : { result: outcome, paymentId: payment.paymentId };
}

export function inquiryAnswer(payment: NetworkPayment): InquiryPaymentResponse {
  return {
    result: result('SUCCESS'),
    paymentResult: paymentResult(payment),
    paymentStatus: payment.status,
    ...successFields(payment),
  };
}

export function notification(payment: NetworkPayment): NotifyPaymentRequest {
  return {
    paymentRequestId: payment.paymentRequestId,
    paymentId: payment.paymentId,
    paymentResult: paymentResult(payment),
    paymentStatus: payment.status,
    paymentAmount: amountToJson(payment.paymentAmount),
    payAmount: amountToJson(payment.payAmount),
    fxQuote: fxQuoteWire(payment),
    ...(payment.payerId ? { payerId: payment.payerId } : {}),
    ...(payment.paymentTime ? { paymentTime: payment.paymentTime.toISOString() } : {}),
  };
}

/** A cancellation's answer from the payment's state after the attempt. */
export function cancelAnswer(payment: NetworkPayment): CancelPaymentResponse {
  if (payment.status === 'CANCELLED' || payment.status === 'FAIL') {
    return {
      result: result('SUCCESS'),
      paymentId: payment.paymentId,
      cancelTime: payment.updatedAt.toISOString(),
      ...(payment.status === 'CANCELLED' && payment.paymentTime ? { paymentTime: payment.paymentTime.toISOString() } : {}),
    };
  }
  return { result: result('UNKNOWN_EXCEPTION', 'the wallet has not confirmed the cancellation yet; ask again'), paymentId: payment.paymentId };
}

export function refundResult(refund: NetworkRefund): ProtocolResult {
  switch (refund.status) {
    case 'SUCCESS':
      return result('SUCCESS');
    case 'PROCESSING':
      return result('PAYMENT_IN_PROCESS', 'the refund is being processed; inquire');
    case 'FAIL':
      return result(refund.resultCode ?? 'ORDER_STATUS_INVALID');
  }
}

function refundFields(refund: NetworkRefund): Omit<RefundResponse, 'result'> {
  return {
    refundId: refund.refundId,
    ...(refund.refundTime ? { refundTime: refund.refundTime.toISOString() } : {}),
    refundAmount: amountToJson(refund.refundAmount),
    refundPayAmount: amountToJson(refund.refundPayAmount),
  };
}

export function refundAnswer(refund: NetworkRefund): RefundResponse {
  return { result: refundResult(refund), ...refundFields(refund) };
}

export function refundInquiryAnswer(refund: NetworkRefund): InquiryRefundResponse {
  const { refundTime: _time, ...fields } = refundFields(refund);
  return { result: result('SUCCESS'), refundResult: refundResult(refund), refundStatus: refund.status, ...fields };
}
