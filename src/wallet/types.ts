/**
 * The wallet's data model: users, top-ups, payment codes, payments as the
 * wallet sees them (answering the network's `pay`), refunds, merchant-
 * presented (MPM) requests, and each user's activity journal.
 */
import type { Amount } from '../money/index.ts';
import type { FxQuoteWire, MerchantWire, PaymentStatus, ResultCode } from '../protocol/index.ts';

declare const userIdBrand: unique symbol;
/** A wallet user's id; never leaves the wallet (the network sees a per-merchant pseudonym). */
export type UserId = string & { readonly [userIdBrand]: true };

export type KycTier = 'basic' | 'verified';

export interface User {
  readonly userId: UserId;
  readonly name: string;
  readonly phone: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  /** The last four characters of the id number, the only part kept in clear; null without one. */
  readonly idNumberLast4: string | null;
  readonly kycTier: KycTier;
  /** Whether the simulated card has received its credit (signup's last step; the recovery pass finishes it). */
  readonly cardFunded: boolean;
  readonly createdAtMs: number;
}

/** An id number encrypted with AES-256-GCM under the wallet's key, bound to its user. */
export interface SealedIdNumber {
  readonly ciphertext: Buffer;
  readonly nonce: Buffer;
  readonly tag: Buffer;
  readonly last4: string;
}

export type TopupStatus = 'PROCESSING' | 'SUCCESS' | 'DECLINED';

export interface Topup {
  readonly topupId: string;
  readonly userId: UserId;
  readonly requestId: string;
  readonly requestHash: Buffer;
  readonly amount: Amount;
  readonly status: TopupStatus;
  /** The wallet balance right after the top-up, so that a retry answers exactly as the first time. */
  readonly balanceAfter: Amount | null;
  readonly createdAtMs: number;
}

/** `user`: shown to the tourist for a POS to scan (CPM); `mpm`: minted by the wallet for one scan-to-pay. */
export type PaymentCodeKind = 'user' | 'mpm';

export interface PaymentCodeRecord {
  readonly codeId: string;
  readonly userId: UserId;
  readonly kind: PaymentCodeKind;
  readonly expiresAtMs: number;
  /** When a `pay` spent it, or the wallet voided it; a code is used once. */
  readonly usedAtMs: number | null;
  readonly createdAtMs: number;
}

/** What a `pay` carried, kept once the payment got as far as a user. */
export interface PaymentDetail {
  readonly acquirerId: string;
  readonly paymentRequestId: string;
  readonly paymentAmount: Amount;
  readonly payAmount: Amount;
  readonly fxQuote: FxQuoteWire;
  readonly merchant: MerchantWire;
  /** The user's pseudonym at this merchant. */
  readonly payerId: string;
}

/**
 * A payment as the wallet knows it. Three shapes share the table:
 * - a real payment (user, code and detail set), PROCESSING → SUCCESS | FAIL, then maybe CANCELLED;
 * - a refused `pay` (FAIL, maybe no user, no detail), kept so a retry gets the same answer;
 * - a tombstone (CANCELLED, no user): a cancel arrived before any `pay`, which is now refused.
 */
export interface Payment {
  readonly paymentId: string;
  readonly status: PaymentStatus;
  readonly resultCode: ResultCode;
  /** SHA-256 of the `pay` request's content; null for a tombstone. */
  readonly requestHash: Buffer | null;
  readonly userId: UserId | null;
  readonly codeId: string | null;
  readonly detail: PaymentDetail | null;
  readonly paymentTimeMs: number | null;
  readonly cancelTimeMs: number | null;
  readonly createdAtMs: number;
}

export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'FAIL';

export interface Refund {
  readonly refundId: string;
  readonly paymentId: string;
  readonly requestHash: Buffer;
  readonly userId: UserId | null;
  readonly status: RefundStatus;
  readonly resultCode: ResultCode;
  /** In the payment's currency (KRW) and the payer's (CNY); null for a refused refund. */
  readonly refundAmount: Amount | null;
  readonly refundPayAmount: Amount | null;
  readonly refundTimeMs: number | null;
  readonly createdAtMs: number;
}

/** A scan-to-pay request of the wallet's own user (merchant-presented mode). */
export interface MpmRequest {
  readonly mpmId: string;
  readonly userId: UserId;
  readonly requestId: string;
  readonly requestHash: Buffer;
  readonly codeId: string;
  readonly merchantName: string;
  readonly paymentAmount: Amount;
  /** The network's refusal, when it answered F. */
  readonly refusalCode: ResultCode | null;
  readonly createdAtMs: number;
}

export type UserEventKind = 'topup' | 'payment' | 'mpm' | 'refund' | 'cancellation';

/** One line of a user's activity, pointing at the row it shows (which carries the current status). */
export interface UserEvent {
  readonly seq: number;
  readonly userId: UserId;
  readonly kind: UserEventKind;
  readonly refId: string;
  readonly createdAtMs: number;
}
