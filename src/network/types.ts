/**
 * The network's data model: participants (wallets and acquirers), FX rates
 * kept with their validity start, payments and refunds with the rate each
 * locked, and the acquirers' cancelled request ids.
 */
import type { Amount, Currency } from '../money/index.ts';
import type { MerchantWire, PaymentStatus, ResultCode } from '../protocol/index.ts';

declare const paymentIdBrand: unique symbol;
declare const refundIdBrand: unique symbol;

/** The network's id of a payment: `NP` and 24 hex digits. */
export type NetworkPaymentId = string & { readonly [paymentIdBrand]: true };
/** The network's id of a refund: `NR` and 24 hex digits. */
export type NetworkRefundId = string & { readonly [refundIdBrand]: true };

export type ParticipantRole = 'wallet' | 'acquirer';

export interface ParticipantKey {
  readonly keyVersion: number;
  /** SPKI PEM, as the network re-exports whatever form it was given. */
  readonly publicKeyPem: string;
  readonly addedAt: Date;
}

interface ParticipantCommon {
  readonly participantId: string;
  readonly name: string;
  /** Without a trailing slash; the protocol paths are fixed, so this is all the network needs to reach it. */
  readonly baseUrl: string;
  readonly currency: Currency;
  readonly keys: readonly ParticipantKey[];
  readonly registeredAt: Date;
}

/** A wallet provider: payment codes starting with `codePrefix` are its users'. */
export interface WalletParticipant extends ParticipantCommon {
  readonly role: 'wallet';
  readonly codePrefix: string;
}

/** An acquirer: dari QRs whose merchant id starts with `merchantIdPrefix` are its merchants'. */
export interface AcquirerParticipant extends ParticipantCommon {
  readonly role: 'acquirer';
  readonly merchantIdPrefix: string;
}

export type Participant = WalletParticipant | AcquirerParticipant;

/** One published rate: 1 `base` = `rate` `quote` from `validFrom` until a later row for the pair. */
export interface FxRateRecord {
  readonly quoteId: string;
  readonly base: Currency;
  readonly quote: Currency;
  /** The decimal exactly as published; money's `parseRate` reads it. */
  readonly rate: string;
  readonly validFrom: Date;
  readonly recordedAt: Date;
}

/**
 * Where a PROCESSING payment stands at the network: `paying` while the
 * wallet's answer (or an inquiry) is awaited, `cancelling` once the network
 * or the acquirer decided to cancel it. A SUCCESS payment being cancelled by
 * its acquirer is `cancelling` too. Terminal payments have no stage.
 */
export type PaymentStage = 'paying' | 'cancelling';

export interface LockedQuote {
  readonly quoteId: string;
  readonly base: Currency;
  readonly quote: Currency;
  readonly rate: string;
}

export interface NetworkPayment {
  readonly paymentId: NetworkPaymentId;
  readonly acquirerId: string;
  readonly paymentRequestId: string;
  readonly walletId: string;
  /** SHA-256 of the acquirer's request, for idempotency; the one-time payment code itself is not kept. */
  readonly requestHash: string;
  readonly merchant: MerchantWire;
  /** In the acquirer's currency (KRW). */
  readonly paymentAmount: Amount;
  /** In the wallet's currency (CNY), at the locked rate, rounded up (`PAY_AMOUNT_ROUNDING`). */
  readonly payAmount: Amount;
  readonly fxQuote: LockedQuote;
  readonly status: PaymentStatus;
  readonly stage: PaymentStage | null;
  /** The code the acquirer is told once the payment is final (SUCCESS, the wallet's F code, ORDER_IS_CLOSED). */
  readonly resultCode: ResultCode | null;
  readonly resultMessage: string | null;
  /** The wallet's pseudonym of the payer for this merchant; never a name, phone or id number. */
  readonly payerId: string | null;
  readonly paymentTime: Date | null;
  /** After this, a payment still unknown at the wallet is cancelled. */
  readonly deadlineAt: Date;
  /** The outcome was reached after the acquirer's call was answered: send it `notifyPayment`. */
  readonly notifyPending: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'FAIL';

export interface NetworkRefund {
  readonly refundId: NetworkRefundId;
  readonly acquirerId: string;
  readonly refundRequestId: string;
  readonly paymentId: NetworkPaymentId;
  readonly requestHash: string;
  /** In the acquirer's currency. */
  readonly refundAmount: Amount;
  /** In the wallet's currency: telescoping, see fx.ts `refundPayAmount`. */
  readonly refundPayAmount: Amount;
  readonly status: RefundStatus;
  readonly resultCode: ResultCode | null;
  readonly refundTime: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What clearing reads of a payment: its parties, its two amounts and its locked rate (clearing/close.ts). */
export type ClearingPayment = Pick<NetworkPayment, 'paymentId' | 'acquirerId' | 'paymentRequestId' | 'walletId' | 'paymentAmount' | 'payAmount' | 'fxQuote'>;

/** What clearing reads of a refund. */
export type ClearingRefund = Pick<NetworkRefund, 'refundId' | 'paymentId' | 'refundRequestId' | 'refundAmount' | 'refundPayAmount'>;

/** A position: what one participant owes the network or is owed by it, from the ledger. */
export interface ParticipantPosition {
  readonly participantId: string;
  readonly role: ParticipantRole;
  readonly accountId: string;
  /**
   * Signed minor units: for a wallet, what it owes the network (payments minus
   * refunds and cancellations); for an acquirer, what the network owes it.
   */
  readonly position: Amount;
}
