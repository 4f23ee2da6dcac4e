/**
 * The acquirer's data model: merchants and their onboarding, stores,
 * terminals, orders (dynamic QRs), payments and refunds. Amounts are KRW
 * minor units (`bigint`); the lifecycles are state machines declared as data
 * in `state-machines.ts`.
 */
import type { FxQuoteWire } from '../protocol/index.ts';
import type { BusinessRegistrationNumber } from './business-registration-number.ts';

declare const merchantIdBrand: unique symbol;
declare const storeIdBrand: unique symbol;
declare const terminalIdBrand: unique symbol;
declare const orderIdBrand: unique symbol;
declare const paymentIdBrand: unique symbol;
declare const refundIdBrand: unique symbol;

/** `<prefix>M000001`: the merchant's id at this acquirer, printed in its QR. */
export type MerchantId = string & { readonly [merchantIdBrand]: true };
/** `<prefix>S000001`. */
export type StoreId = string & { readonly [storeIdBrand]: true };
/** `<prefix>T000001`. */
export type TerminalId = string & { readonly [terminalIdBrand]: true };
/** `O` + 16 hex digits: the order reference of a dynamic QR (at most 25 characters, qr's DARI_ID_CHARS_MAX). */
export type OrderId = string & { readonly [orderIdBrand]: true };
/** `AP` + 24 hex digits: the acquirer's payment id, sent to the network as `paymentRequestId`. */
export type PaymentId = string & { readonly [paymentIdBrand]: true };
/** `AR` + 24 hex digits: the acquirer's refund id, sent to the network as `refundRequestId`. */
export type RefundId = string & { readonly [refundIdBrand]: true };

export type OnboardingStatus = 'pending' | 'approved' | 'rejected';
export type PaymentStatus = 'PROCESSING' | 'SUCCESS' | 'FAIL' | 'CANCELLED';
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'FAIL';
/** Where a payment started: the POS scanned the tourist's code, or the tourist's wallet scanned the merchant's QR. */
export type PaymentOrigin = 'pos' | 'mpm';

export interface SettlementAccount {
  readonly bankCode: string;
  readonly accountNumber: string;
  readonly holderName: string;
}

export interface Merchant {
  readonly merchantId: MerchantId;
  readonly legalName: string;
  readonly businessRegistrationNumber: BusinessRegistrationNumber;
  /** ISO 18245 merchant category code, four digits. */
  readonly mcc: string;
  readonly address: string;
  readonly city: string;
  readonly settlementAccount: SettlementAccount;
  readonly status: OnboardingStatus;
  readonly rejectReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Store {
  readonly storeId: StoreId;
  readonly merchantId: MerchantId;
  readonly name: string;
  readonly address: string | null;
  readonly createdAt: string;
}

export interface Terminal {
  readonly terminalId: TerminalId;
  readonly merchantId: MerchantId;
  readonly storeId: StoreId | null;
  readonly label: string;
  readonly createdAt: string;
}

export interface Order {
  readonly orderId: OrderId;
  readonly merchantId: MerchantId;
  readonly storeId: StoreId | null;
  readonly terminalId: TerminalId;
  readonly paymentRequestId: string;
  readonly amountKrw: bigint;
  readonly qrPayload: string;
  readonly expiresAt: string;
  readonly createdAt: string;
  /** SHA-256 of the request that created it, for idempotent retries. */
  readonly requestHash: string;
}

/** What the network told about the payer's side once the payment succeeded. */
export interface PayerSide {
  readonly networkPaymentId: string | null;
  readonly payAmount: { readonly currency: string; readonly value: string } | null;
  readonly fxQuote: FxQuoteWire | null;
  readonly payerId: string | null;
  readonly paidAt: string | null;
}

export interface Payment extends PayerSide {
  readonly paymentId: PaymentId;
  readonly origin: PaymentOrigin;
  readonly merchantId: MerchantId;
  readonly storeId: StoreId | null;
  readonly terminalId: TerminalId | null;
  readonly orderId: OrderId | null;
  /** The client's id for the request: the POS's paymentRequestId, or the wallet's userRequestId. */
  readonly requestId: string;
  readonly amountKrw: bigint;
  readonly status: PaymentStatus;
  /** The network's result code of a refused payment, or why it was cancelled. */
  readonly resultCode: string | null;
  /** After this instant (epoch ms) a PROCESSING payment is cancelled, not inquired further. */
  readonly deadlineAtMs: number;
  /** Set when a cancel of a successful payment was sent but not yet answered S; refunds wait. */
  readonly cancelRequested: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Refund {
  readonly refundId: RefundId;
  readonly paymentId: PaymentId;
  readonly refundRequestId: string;
  readonly amountKrw: bigint;
  readonly status: RefundStatus;
  readonly resultCode: string | null;
  readonly networkRefundId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The caller of a public route: the acquirer's operator, or one POS terminal (its merchant's tenant). */
export type Principal = { readonly kind: 'operator' } | { readonly kind: 'terminal'; readonly terminal: Terminal };
