/**
 * The conversion rule both ends of a `pay` apply: the network computes the
 * payer's amount with it and the wallet checks the network's arithmetic with
 * it, so the two can never disagree by using two copies of one rule.
 */
import { convert, invertRate, type Amount, type FxRate, type Rounding } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';

/**
 * A payment's amount in the payer's currency is rounded up: the payer covers
 * the merchant's price in full and pays at most one minor unit more than the
 * exact value (money's `convert`, "charging a payer the equivalent of a price").
 */
export const PAY_AMOUNT_ROUNDING: Rounding = 'ceil';

/**
 * What the payer's wallet is charged, in `payerRate.base`, for `paymentAmount`
 * in `payerRate.quote`: `convert(paymentAmount, invertRate(rate), 'ceil')`.
 * With 1 CNY = 190.25 KRW, 15,000 KRW is 78.85 CNY (exactly 78.8436…, rounded up).
 */
export function payAmountFor(paymentAmount: Amount, payerRate: FxRate): Result<Amount, string> {
  const converted = convert(paymentAmount, invertRate(payerRate), PAY_AMOUNT_ROUNDING);
  return converted.ok ? ok(converted.value) : err(converted.error.message);
}
