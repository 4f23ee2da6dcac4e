/**
 * The acquirer's data model: merchants and their onboarding, stores,
 * terminals, orders (dynamic QRs), payments and refunds. Amounts are KRW
 * minor units (`bigint`); the lifecycles are state machines declared as data
 * in `state-machines.ts`.
 */
import type { FxQuoteWire } from '../protocol/index.ts';
import type { BusinessRegistrationNumber } from '../platform/business-registration-number.ts';

declare const merchantIdBrand: unique symbol;
declare const storeIdBrand: unique symbol;
declare const terminalIdBrand: unique symbol;
declare const orderIdBrand: unique symbol;
declare const paymentIdBrand: unique symbol;
declare const refundIdBrand: unique symbol;
declare const payoutIdBrand: unique symbol;

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
/** `PO` + the business day's 8 digits + the merchant id (`PO20261125KR01M000001`): one payout per merchant per run. */
export type PayoutId = string & { readonly [payoutIdBrand]: true };

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
  /** Merchant discount rate, in basis points (1/10 000) of each payout's net; see payout-plan.ts. */
  readonly mdrBps: number;
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

/**
 * A payout's lifecycle (state-machines.ts): scheduled (computed, not yet
 * sent), sent (in the bank's hands), confirmed (the bank paid the merchant),
 * returned (the bank gave it back; the next run sends it again as a new
 * attempt), held (given back and not re-sent until the operator releases it).
 */
export type PayoutState = 'scheduled' | 'sent' | 'confirmed' | 'returned' | 'held';
/** What an attempt came to: pending while scheduled or sent. */
export type PayoutAttemptOutcome = 'pending' | 'confirmed' | 'returned';
/** What changes what the acquirer owes a merchant, as the payout run counts it (the clearing file's transaction types). */
export type MerchantEntryKind = 'PAYMENT' | 'REFUND' | 'CANCELLATION';

/** One payout run: the payouts for one business day, created on a later day, and the file for the bank. */
export interface PayoutRun {
  readonly businessDay: string;
  /** The day the bank is asked to credit the merchants: the day after the business day, or the run's own day if later. */
  readonly valueDate: string;
  readonly createdAt: string;
}

export interface Payout {
  readonly payoutId: PayoutId;
  /** The business day of the run that created it. */
  readonly businessDay: string;
  readonly merchantId: MerchantId;
  /** Payments captured, among its entries. */
  readonly capturedKrw: bigint;
  /** Refunds and cancellations, among its entries. */
  readonly reversedKrw: bigint;
  readonly netKrw: bigint;
  /** The merchant's MDR when the payout was created. */
  readonly mdrBps: number;
  readonly feeKrw: bigint;
  /** What the merchant is paid: net − fee. */
  readonly amountKrw: bigint;
  readonly entryCount: number;
  readonly state: PayoutState;
  /** The current attempt, from 1; 0 for a payout with nothing to send (the fee took the whole net). */
  readonly attempt: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One sending of a payout to the bank: a line in one run's file, with the merchant's bank account as it was then. */
export interface PayoutAttempt {
  readonly payoutId: PayoutId;
  readonly attempt: number;
  /** The run whose file carries this attempt. */
  readonly businessDay: string;
  readonly valueDate: string;
  readonly merchantId: MerchantId;
  readonly settlementAccount: SettlementAccount;
  readonly amountKrw: bigint;
  readonly outcome: PayoutAttemptOutcome;
  /** Why the bank returned it. */
  readonly reason: string | null;
  /** A returned attempt leaves the payout held (the operator asked, or automatic retries ran out). */
  readonly hold: boolean;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

/** A merchant whose entries netted below zero at a run: nothing was paid, the shortfall carries forward. */
export interface PayoutCarryForward {
  readonly businessDay: string;
  readonly merchantId: MerchantId;
  /** −net, positive: what later sales must cover before the merchant is paid again. */
  readonly shortfallKrw: bigint;
}

/** The caller of a public route: the acquirer's operator, or one POS terminal (its merchant's tenant). */
export type Principal = { readonly kind: 'operator' } | { readonly kind: 'terminal'; readonly terminal: Terminal };
