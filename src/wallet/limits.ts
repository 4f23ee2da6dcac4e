/**
 * The wallet's limits (STYLE 18), each a named constant with its unit, and
 * the KYC tiers as data: what a user may spend depends on what the wallet
 * knows about them.
 */
import type { KycTier } from './types.ts';

/** What the simulated card issuer lends each new user's card: 50,000.00 CNY, in fen. */
export const SIMULATED_CARD_CREDIT_CNY_MINOR = 5_000_000n;
/** A payment code is valid for this long after it is shown (DESIGN: "rotates every minute"). */
export const PAYMENT_CODE_TTL_SECONDS = 60;
/** Digits after the wallet's 4-digit prefix in an 18-digit payment code. */
export const PAYMENT_CODE_RANDOM_DIGITS = 14;
/** Tries at minting a payment code whose hash is new; a collision among 10^14 codes is rare, three in a row is a bug. */
export const PAYMENT_CODE_MINT_ATTEMPTS_MAX = 5;
/** Items on one page of GET /wallet/v1/transactions, and the default. */
export const PAGE_ITEMS_MAX = 100;
export const PAGE_ITEMS_DEFAULT = 20;
/** Payments, refunds and top-ups re-driven by one recovery pass. */
export const RESOLVE_BATCH_MAX = 100;
/** A user's token: 32 random bytes (256 bits), sent as base64url. */
export const USER_TOKEN_BYTES = 32;
/** AES-256-GCM key for id numbers, in bytes, and its nonce. */
export const ID_NUMBER_KEY_BYTES = 32;
export const ID_NUMBER_NONCE_BYTES = 12;
/** Longest user name, in characters. */
export const USER_NAME_CHARS_MAX = 100;
/** A phone number: an optional '+' and 6 to 15 digits (E.164 allows 15). */
export const PHONE_PATTERN = /^\+?[0-9]{6,15}$/;
/** An identity document number: 6 to 32 letters and digits. */
export const ID_NUMBER_PATTERN = /^[A-Za-z0-9]{6,32}$/;
/** The wallet's limits count days in China's time zone, UTC+8 all year (no daylight saving). */
export const LIMIT_DAY_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface TierLimits {
  /** Largest single payment, in CNY fen. */
  readonly perPaymentCnyMinor: bigint;
  /** Largest total of successful payments in one Asia/Shanghai calendar day, in CNY fen. */
  readonly dailyCnyMinor: bigint;
}

/** The tiers: `basic` without an identity document, `verified` with one. */
export const KYC_TIERS = {
  basic: { perPaymentCnyMinor: 100_000n, dailyCnyMinor: 200_000n },
  verified: { perPaymentCnyMinor: 1_000_000n, dailyCnyMinor: 5_000_000n },
} as const satisfies Record<KycTier, TierLimits>;

/** The [start, end) of the Asia/Shanghai calendar day that contains `atMs`, in epoch milliseconds. */
export function limitDay(atMs: number): { readonly startMs: number; readonly endMs: number } {
  const local = atMs + LIMIT_DAY_UTC_OFFSET_MS;
  const startMs = local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - LIMIT_DAY_UTC_OFFSET_MS;
  return { startMs, endMs: startMs + DAY_MS };
}
