/**
 * The arithmetic of a payout, pure (STYLE 19): what a merchant is paid for
 * the entries (payments, refunds, cancellations) not yet paid out, and the
 * acquirer's fee, the merchant discount rate (MDR).
 *
 * - The fee is computed once per payout, over its net (payments captured
 *   minus refunds and cancellations), not per transaction. Because the fee is
 *   linear in the net, a refund paid out later returns the fee its payment
 *   was charged (up to rounding), a merchant is never charged a fee on money
 *   it gave back, and the sum of a merchant's fees is the rate times the sum
 *   of its nets, less under one won of rounding per payout.
 * - Rounding: `MDR_ROUNDING` = floor, i.e. fee = ⌊net × mdrBps / 10 000⌋ in
 *   exact bigint arithmetic. Floor never charges more than the agreed rate
 *   (half-even could charge up to half a won above it), so the merchant's
 *   contract holds on every payout; the acquirer gives up less than one won
 *   per payout, a cost it knows in advance. KRW has no minor unit smaller
 *   than the won, so there is nothing finer to carry.
 * - A net of zero or less is not paid (never a negative payout): the entries
 *   stay unpaid and count again in the next payout run, so the shortfall
 *   carries forward until sales cover it.
 */

/** One basis point is 1/10 000. */
export const BPS_PER_UNIT = 10_000n;
/** The MDR a merchant gets when onboarding does not say: 2.5 %, changeable by the operator per merchant. */
export const MDR_BPS_DEFAULT = 250;
/** The MDR's range: from nothing to everything. */
export const MDR_BPS_MIN = 0;
export const MDR_BPS_MAX = 10_000;
/** How a fee that is not a whole won is rounded: down, so no payout is charged above its rate (see above). */
export const MDR_ROUNDING = 'floor' as const;

/** What a merchant's unpaid entries add up to: payments captured, and refunds plus cancellations, each a sum of positive amounts. */
export interface MerchantNet {
  readonly capturedKrw: bigint;
  readonly reversedKrw: bigint;
}

export interface PayoutAmounts {
  /** capturedKrw − reversedKrw, positive. */
  readonly netKrw: bigint;
  readonly mdrBps: number;
  /** ⌊net × mdrBps / 10 000⌋. */
  readonly feeKrw: bigint;
  /** What the merchant receives: net − fee, zero or more (zero only at 10 000 bps). */
  readonly amountKrw: bigint;
}

/** The MDR on a positive net, rounded by `MDR_ROUNDING`. */
export function mdrFeeKrw(netKrw: bigint, mdrBps: number): bigint {
  if (netKrw <= 0n) throw new Error('assertion failed: a fee is charged on a positive net');
  if (!Number.isInteger(mdrBps) || mdrBps < MDR_BPS_MIN || mdrBps > MDR_BPS_MAX) throw new Error(`assertion failed: mdrBps ${mdrBps} within ${MDR_BPS_MIN} … ${MDR_BPS_MAX}`);
  // Both factors are non-negative, so bigint division (which truncates) is floor.
  return (netKrw * BigInt(mdrBps)) / BPS_PER_UNIT;
}

/** The payout of a merchant's unpaid entries, or null when their net is zero or less (carried forward). */
export function planPayout(net: MerchantNet, mdrBps: number): PayoutAmounts | null {
  if (net.capturedKrw < 0n || net.reversedKrw < 0n) throw new Error('assertion failed: entry sums are not negative');
  const netKrw = net.capturedKrw - net.reversedKrw;
  if (netKrw <= 0n) return null;
  const feeKrw = mdrFeeKrw(netKrw, mdrBps);
  const amountKrw = netKrw - feeKrw;
  if (feeKrw < 0n || amountKrw < 0n) throw new Error('assertion failed: 0 ≤ fee ≤ net');
  return { netKrw, mdrBps, feeKrw, amountKrw };
}
