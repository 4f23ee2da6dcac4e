/**
 * Exchange rates as exact fractions and conversion with a named rounding
 * (STYLE 13). The exact result of a conversion is a rational number of quote
 * minor units; it is rounded once, by the caller's choice, and nowhere else.
 */
import { err, ok, type Result } from '../platform/result.ts';
import { AMOUNT_VALUE_MAX, AMOUNT_VALUE_MIN, amount } from './amount.ts';
import { minorPerMajor } from './currency.ts';
import { parseDecimalParts } from './decimal.ts';
import {
  MoneyInvariantError,
  currencyMismatch,
  invalidFormat,
  negativeNotAllowed,
  outOfRange,
  sameCurrency,
  tooManyDecimals,
  zeroNotAllowed,
  type MoneyError,
} from './errors.ts';
import type { Amount, Currency, FxRate, Rounding } from './types.ts';

/** Decimals read by `parseRate`. Published rates carry at most 8 or so; 18 leaves room for inverted ones. */
export const RATE_DECIMALS_MAX = 18;

/** Integer digits read by `parseRate`: 1 KWD is about 85,000 VND (5 digits); 18 is far beyond any real rate. */
export const RATE_INTEGER_DIGITS_MAX = 18;

/** Largest numerator or denominator of a rate; what `parseRate` can produce within the limits above. */
export const RATE_TERM_MAX = 10n ** BigInt(RATE_INTEGER_DIGITS_MAX + RATE_DECIMALS_MAX);

export interface FxRateTerms {
  readonly base: Currency;
  readonly quote: Currency;
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * Builds a rate from its integer terms (as stored in a database): one major
 * unit of `base` is `numerator / denominator` major units of `quote`. Both
 * terms must be positive and at most `RATE_TERM_MAX`; the result is reduced
 * to lowest terms so that equal rates have equal terms.
 */
export function fxRate(terms: FxRateTerms): Result<FxRate, MoneyError> {
  const { base, quote, numerator, denominator } = terms;
  if (base === quote) return err(sameCurrency(base));
  for (const term of [numerator, denominator]) {
    if (typeof term !== 'bigint') return err(invalidFormat(`a rate term must be a bigint, got ${typeof term}`));
    if (term === 0n) return err(zeroNotAllowed('a rate'));
    if (term < 0n) return err(negativeNotAllowed('a rate'));
    if (term > RATE_TERM_MAX) return err(invalidFormat(`a rate term is at most ${RATE_TERM_MAX}`));
  }
  const divisor = greatestCommonDivisor(numerator, denominator);
  return ok({ base, quote, numerator: numerator / divisor, denominator: denominator / divisor });
}

/**
 * Parses a rate written as a decimal in major units, exactly:
 * `parseRate("190.25", { base: CNY, quote: KRW })` means 1 CNY = 190.25 KRW.
 * Same grammar as `parseDecimal` (grouping commas optional). Refuses zero,
 * negative, malformed input, more than `RATE_DECIMALS_MAX` decimals, and the
 * same currency on both sides. Base and quote are named, not positional
 * (STYLE 8): a swapped pair is a valid, different rate, off by the square of
 * the rate, that no later check can catch.
 */
export function parseRate(input: string, currencies: { base: Currency; quote: Currency }): Result<FxRate, MoneyError> {
  const parts = parseDecimalParts(input);
  if (!parts.ok) return parts;
  const { negative, integerDigits, fractionDigits } = parts.value;
  if (negative) return err(negativeNotAllowed('a rate'));
  if (fractionDigits.length > RATE_DECIMALS_MAX) return err(tooManyDecimals(currencies.quote, RATE_DECIMALS_MAX));
  if (integerDigits.length > RATE_INTEGER_DIGITS_MAX) {
    return err(invalidFormat(`a rate has at most ${RATE_INTEGER_DIGITS_MAX} integer digits`));
  }
  const numerator = BigInt(integerDigits + fractionDigits);
  const denominator = 10n ** BigInt(fractionDigits.length);
  return fxRate({ ...currencies, numerator, denominator });
}

/** The same rate seen from the other side: 1 CNY = 190.25 KRW becomes 1 KRW = 4/761 CNY. Exact. */
export function invertRate(rate: FxRate): FxRate {
  return { base: rate.quote, quote: rate.base, numerator: rate.denominator, denominator: rate.numerator };
}

/**
 * Converts an amount in `rate.base` to `rate.quote`, computing the exact
 * rational number of quote minor units and rounding it once with `rounding`:
 * 10000n CNY (100.00) at 1 CNY = 190.25 KRW is 19025n KRW.
 *
 * `rounding` has no default because someone gains the fraction; choose by who
 * must not lose it, and say so at the call site:
 * - 'ceil' when charging a payer the equivalent of a price (the debit covers
 *   the price in full; the payer pays at most one minor unit more than exact);
 * - 'floor' when paying out or crediting the equivalent of a sum received (we
 *   never give more than exact, so an FX account cannot drift negative);
 * - 'half-even' for indicative prices and reports (no bias over many values);
 * - 'half-up' only where a partner's rules prescribe commercial rounding.
 *
 * Errors: 'currency-mismatch' when the amount is not in `rate.base`;
 * 'out-of-range' when the result exceeds ±`AMOUNT_VALUE_MAX`.
 */
export function convert(from: Amount, rate: FxRate, rounding: Rounding): Result<Amount, MoneyError> {
  if (from.currency !== rate.base) return err(currencyMismatch({ expected: rate.base, actual: from.currency }));
  assertRate(rate);
  // value × (n / d) major-to-major, rescaled from base minor units to quote minor units.
  const numerator = from.value * rate.numerator * minorPerMajor(rate.quote);
  const denominator = rate.denominator * minorPerMajor(rate.base);
  const value = divideRounded(numerator, denominator, rounding);
  if (value > AMOUNT_VALUE_MAX || value < AMOUNT_VALUE_MIN) return err(outOfRange(rate.quote));
  return ok(amount(rate.quote, value));
}

/** A rate built as an object literal instead of by `fxRate` may break the invariants convert relies on. */
function assertRate(rate: FxRate): void {
  if (!(rate.numerator > 0n && rate.denominator > 0n)) {
    throw new MoneyInvariantError(`rate terms must be positive: ${rate.numerator}/${rate.denominator}`);
  }
}

/**
 * `numerator / denominator` rounded to an integer as `rounding` says; the one
 * place dari rounds money. Also the building block for fees in basis points
 * (`divideRounded(value * feeBps, 10_000n, 'ceil')`). `denominator` must be
 * positive.
 */
export function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator <= 0n) throw new MoneyInvariantError(`denominator must be positive, got ${denominator}`);
  const remainder = ((numerator % denominator) + denominator) % denominator;
  const floor = (numerator - remainder) / denominator;
  // Every case is reached even for an exact quotient, so that a bad rounding from untyped code fails on every input.
  switch (rounding) {
    case 'floor':
      return floor;
    case 'ceil':
      return remainder === 0n ? floor : floor + 1n;
    case 'half-even':
      return roundToNearest({ floor, remainder, denominator, tieGoesUp: floor % 2n !== 0n });
    case 'half-up':
      // Away from zero: up for a positive quotient, down (to floor) for a negative one.
      return roundToNearest({ floor, remainder, denominator, tieGoesUp: numerator > 0n });
    default:
      throw new MoneyInvariantError(`unknown rounding ${JSON.stringify(rounding satisfies never)}`);
  }
}

/** floor or floor + 1, whichever is nearer to floor + remainder / denominator; a tie as `tieGoesUp` says. */
function roundToNearest(parts: { floor: bigint; remainder: bigint; denominator: bigint; tieGoesUp: boolean }): bigint {
  const { floor, remainder, denominator, tieGoesUp } = parts;
  const twiceRemainder = 2n * remainder;
  if (twiceRemainder === denominator) return tieGoesUp ? floor + 1n : floor;
  return twiceRemainder < denominator ? floor : floor + 1n;
}

function greatestCommonDivisor(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}
