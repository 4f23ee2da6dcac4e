/**
 * The network's FX arithmetic: what the payer's wallet is charged for a price
 * in the merchant's currency, and what it is given back for each refund.
 * Pure functions; every rounding is a named constant (STYLE 13).
 */
import { amount, convert, invertRate, parseRate, type Amount, type FxRate, type Rounding } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { PAY_AMOUNT_ROUNDING } from '../protocol/index.ts';

export { PAY_AMOUNT_ROUNDING, payAmountFor } from '../protocol/index.ts';
import type { FxRateRecord } from './types.ts';

/**
 * A refund's amount in the payer's currency is a difference of two
 * conversions of cumulative refunded amounts, each rounded like the payment
 * (`PAY_AMOUNT_ROUNDING`), so that the refunds of a payment telescope: their
 * sum is the conversion of their total, never more than what was paid, and
 * exactly what was paid once the whole price is refunded.
 */
export const REFUND_CUMULATIVE_ROUNDING: Rounding = PAY_AMOUNT_ROUNDING;

/** The rate a record publishes, read exactly: 1 base = rate quote. */
export function recordRate(record: FxRateRecord): FxRate {
  const parsed = parseRate(record.rate, { base: record.base, quote: record.quote });
  // The record was checked with the same function before it was stored.
  if (!parsed.ok) throw new Error(`assertion failed: stored rate ${record.quoteId} parses: ${parsed.error.message}`);
  return parsed.value;
}

/**
 * The payer's-currency amount of one refund, telescoping: the conversion of
 * the cumulative refunded amount after this refund, minus what the payer
 * was already given back by the refunds still standing (successful or in
 * process). Without a failed refund in between, that is
 * `ceil(cumulative after) − ceil(cumulative before)`; a failed refund's
 * share is caught up by the next one, so a full refund always returns exactly
 * the payment's `payAmount`.
 */
export function refundPayAmountFor(input: {
  readonly payerRate: FxRate;
  /** Σ refundAmount of the payment's standing refunds, this one excluded, in the merchant's currency. */
  readonly refundedBefore: Amount;
  /** Σ refundPayAmount of the same refunds, in the payer's currency. */
  readonly refundedPayBefore: Amount;
  readonly refundAmount: Amount;
}): Result<Amount, string> {
  const after = amount(input.refundedBefore.currency, input.refundedBefore.value + input.refundAmount.value);
  const cumulative = convert(after, invertRate(input.payerRate), REFUND_CUMULATIVE_ROUNDING);
  if (!cumulative.ok) return err(cumulative.error.message);
  const value = cumulative.value.value - input.refundedPayBefore.value;
  // Σ standing refundPayAmount never exceeds the conversion of Σ standing refundAmount (the invariant this keeps).
  if (value < 0n) throw new Error(`assertion failed: refunded ${input.refundedPayBefore.value} ≤ ceil-converted ${cumulative.value.value}`);
  return ok(amount(cumulative.value.currency, value));
}
