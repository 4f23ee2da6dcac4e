/**
 * What the acquirer answers the network: `notifyPayment` (the network's final
 * word on a payment the acquirer left PROCESSING) and `userInitiatedPay` (a
 * tourist's wallet scanned one of our merchants' QRs). Only the network may
 * send them; both are idempotent.
 */
import { err, ok, type Result } from '../platform/result.ts';
import {
  result,
  RESULT_CODES,
  type NotifyPaymentRequest,
  type NotifyPaymentResponse,
  type ProtocolResult,
  type ResultCode,
  type UserInitiatedPayRequest,
  type UserInitiatedPayResponse,
  type VerifiedSender,
} from '../protocol/index.ts';
import { decodeMerchantQr, isDariMerchant } from '../qr/index.ts';
import { cancelledDecision, type PaymentDecision, type PaymentFlow } from './payment-flow.ts';
import { krwAmount, merchantWire, merchantWireOf, newPaymentId, requestHash } from './service.ts';
import type { AcquirerStore } from './store.ts';
import type { Merchant, Order, Payment, PaymentId, StoreId } from './types.ts';

export interface ProtocolHandlerDeps {
  readonly store: AcquirerStore;
  readonly flow: PaymentFlow;
  readonly networkId: string;
  readonly now: () => Date;
  readonly paymentDeadlineMs: number;
}

export interface ProtocolHandlers {
  notifyPayment(request: NotifyPaymentRequest, sender: VerifiedSender): Promise<NotifyPaymentResponse>;
  userInitiatedPay(request: UserInitiatedPayRequest, sender: VerifiedSender): Promise<UserInitiatedPayResponse>;
}

/** Where an MPM payment goes: the merchant, its store, the order of a dynamic QR, the amount. */
interface MpmTarget {
  readonly merchant: Merchant;
  readonly storeId: StoreId | null;
  readonly order: Order | null;
  readonly amountKrw: bigint;
}

function isFailureCode(code: string | null): code is ResultCode {
  return code !== null && code in RESULT_CODES && RESULT_CODES[code as ResultCode].status === 'F';
}

export function notifyDecision(request: NotifyPaymentRequest, at: Date): PaymentDecision {
  switch (request.paymentStatus) {
    case 'SUCCESS':
      return {
        kind: 'success',
        side: { networkPaymentId: request.paymentId, payAmount: request.payAmount ?? null, fxQuote: request.fxQuote ?? null, payerId: request.payerId ?? null, paidAt: request.paymentTime ?? at.toISOString() },
      };
    case 'FAIL':
      return { kind: 'fail', resultCode: request.paymentResult.resultCode };
    case 'CANCELLED':
      return cancelledDecision(request);
    case 'PROCESSING':
      return { kind: 'unknown' };
  }
}

export function createProtocolHandlers(deps: ProtocolHandlerDeps): ProtocolHandlers {
  const { store, flow, now } = deps;

  async function mpmTarget(request: UserInitiatedPayRequest): Promise<Result<MpmTarget, ProtocolResult>> {
    const decoded = decodeMerchantQr(request.codeValue);
    if (!decoded.ok) return err(result('PARAM_ILLEGAL', `codeValue: ${decoded.error.message}`));
    const qr = decoded.value;
    if (!isDariMerchant(qr)) return err(result('MERCHANT_NOT_REGISTERED', 'the QR is not a dari merchant QR'));
    const merchant = await store.getMerchant(qr.dari.merchantId);
    if (merchant === null || merchant.status !== 'approved') return err(result('MERCHANT_NOT_REGISTERED', `${qr.dari.merchantId} is not an approved merchant of this acquirer`));
    if (qr.currency !== 'KRW') return err(result('CURRENCY_NOT_SUPPORT', `this acquirer takes KRW only, not ${qr.currency}`));
    let storeId: StoreId | null = null;
    if (qr.dari.storeId !== undefined) {
      const found = await store.getStore(qr.dari.storeId);
      if (found === null || found.merchantId !== merchant.merchantId) return err(result('MERCHANT_NOT_REGISTERED', `the merchant has no store ${qr.dari.storeId}`));
      storeId = found.storeId;
    }
    if (qr.dari.orderReference !== undefined) return orderTarget(merchant, qr.dari.orderReference, request);
    if (request.paymentAmount === undefined) return err(result('PARAM_ILLEGAL', 'paymentAmount: required for a static QR'));
    const value = krwAmount(request.paymentAmount);
    if (!value.ok) {
      return err(value.error.kind === 'currency-not-supported' ? result('CURRENCY_NOT_SUPPORT', `this acquirer takes KRW only, not ${request.paymentAmount.currency}`) : result('PARAM_ILLEGAL', 'paymentAmount: out of range'));
    }
    return ok({ merchant, storeId, order: null, amountKrw: value.value });
  }

  async function orderTarget(merchant: Merchant, orderId: string, request: UserInitiatedPayRequest): Promise<Result<MpmTarget, ProtocolResult>> {
    const order = await store.getOrder(orderId);
    if (order === null || order.merchantId !== merchant.merchantId) return err(result('ORDER_NOT_EXIST', `no order ${orderId}`));
    if (Date.parse(order.expiresAt) <= now().getTime()) return err(result('ORDER_IS_CLOSED', `the order expired at ${order.expiresAt}`));
    const paid = await store.paymentOfOrder(order.orderId);
    if (paid !== null && (paid.status === 'PROCESSING' || paid.status === 'SUCCESS')) return err(result('ORDER_IS_CLOSED', 'the order is paid or being paid'));
    const given = request.paymentAmount;
    if (given !== undefined && (given.currency !== 'KRW' || BigInt(given.value) !== order.amountKrw)) {
      return err(result('PARAM_ILLEGAL', `paymentAmount: the order is for ${order.amountKrw} KRW`));
    }
    return ok({ merchant, storeId: order.storeId, order, amountKrw: order.amountKrw });
  }

  async function answer(payment: Payment): Promise<UserInitiatedPayResponse> {
    const common = {
      paymentRequestId: payment.paymentId,
      paymentAmount: { currency: 'KRW', value: payment.amountKrw.toString() },
      merchant: await merchantWireOf(store, payment.merchantId),
    };
    switch (payment.status) {
      case 'SUCCESS':
        return {
          result: result('SUCCESS'),
          ...common,
          ...(payment.networkPaymentId === null ? {} : { paymentId: payment.networkPaymentId }),
          ...(payment.payAmount === null ? {} : { payAmount: payment.payAmount }),
        };
      case 'FAIL':
        return { result: isFailureCode(payment.resultCode) ? result(payment.resultCode) : result('ORDER_IS_CLOSED', `the payment failed: ${payment.resultCode ?? 'unknown'}`), ...common };
      case 'CANCELLED':
        return { result: result('ORDER_IS_CLOSED', 'the payment was cancelled: its outcome stayed unknown past the deadline'), ...common };
      case 'PROCESSING':
        return { result: result('PAYMENT_IN_PROCESS'), ...common };
    }
  }

  return {
    async notifyPayment(request, sender) {
      if (sender.clientId !== deps.networkId) return { result: result('ACCESS_DENIED', 'only the network notifies payments') };
      const payment = await store.getPayment(request.paymentRequestId);
      if (payment === null) return { result: result('ORDER_NOT_EXIST') };
      if (request.paymentAmount.currency !== 'KRW' || BigInt(request.paymentAmount.value) !== payment.amountKrw) {
        return { result: result('PARAM_ILLEGAL', `paymentAmount: the payment is for ${payment.amountKrw} KRW`) };
      }
      const after = await flow.applyPayment(payment.paymentId as PaymentId, notifyDecision(request, now()));
      const closed = (s: string): boolean => s === 'FAIL' || s === 'CANCELLED';
      const agrees = request.paymentStatus === 'PROCESSING' || after.status === request.paymentStatus || (closed(after.status) && closed(request.paymentStatus));
      if (!agrees) {
        // Never silently fixed: the network and the acquirer disagree on a final outcome (DESIGN "Clearing").
        console.warn(`acquirer: payment ${payment.paymentId} is ${after.status} here, the network says ${request.paymentStatus}`);
        return { result: result('ORDER_STATUS_INVALID', `the acquirer has this payment as ${after.status}`) };
      }
      return { result: result('SUCCESS') };
    },

    async userInitiatedPay(request, sender) {
      if (sender.clientId !== deps.networkId) return { result: result('ACCESS_DENIED', 'only the network forwards user-initiated payments') };
      const scope = `network:${sender.clientId}`;
      const hash = requestHash([request.codeValue, request.paymentCode, request.paymentAmount?.currency, request.paymentAmount?.value]);
      const earlier = await store.findPayment(scope, request.userRequestId);
      if (earlier !== null) return earlier.requestHash === hash ? answer(earlier.payment) : { result: result('REPEAT_REQ_INCONSISTENT') };
      const target = await mpmTarget(request);
      if (!target.ok) return { result: target.error };
      const { merchant, storeId, order, amountKrw } = target.value;
      const inserted = await store.insertPayment(
        {
          paymentId: newPaymentId(),
          origin: 'mpm',
          merchantId: merchant.merchantId,
          storeId,
          terminalId: order?.terminalId ?? null,
          orderId: order?.orderId ?? null,
          idempotencyScope: scope,
          requestId: request.userRequestId,
          requestHash: hash,
          amountKrw,
          deadlineAtMs: now().getTime() + deps.paymentDeadlineMs,
        },
        now().toISOString(),
      );
      if (inserted.kind === 'order-taken') return { result: result('ORDER_IS_CLOSED', 'the order is paid or being paid') };
      if (inserted.kind === 'existing') return inserted.requestHash === hash ? answer(inserted.payment) : { result: result('REPEAT_REQ_INCONSISTENT') };
      return answer(await flow.drivePayment(inserted.payment, { paymentCode: request.paymentCode, merchant: merchantWire(merchant) }));
    },
  };
}
