/**
 * The money module's data model: an amount is a currency and a bigint count of
 * minor units; an FX rate is an exact fraction between two currencies.
 */
import type { CurrencyCode } from './currency.ts';

declare const currencyBrand: unique symbol;

/**
 * An ISO 4217 alphabetic code from dari's currency table. Branded so that a
 * string from a request cannot be used as a currency without `parseCurrency`
 * (or `currency('KRW')` for a literal in code).
 */
export type Currency = CurrencyCode & { readonly [currencyBrand]: true };

/** One row of the ISO 4217 table. */
export interface CurrencyInfo {
  readonly code: Currency;
  /** Minor-unit digits: 0 for KRW (no fractions of a won), 2 for CNY (fen), 3 for BHD (fils). */
  readonly exponent: number;
  /** ISO 4217 numeric code as three digits, zero-padded ("036" for AUD): EMVCo QR tag 53 carries this form. */
  readonly numericCode: string;
  /** English name, for people reading a console or a report. */
  readonly name: string;
}

/**
 * An amount of money: `value` counts minor units of `currency` (100000n CNY is
 * 1,000.00 yuan; 15000n KRW is 15,000 won). `value` stays within
 * ±`AMOUNT_VALUE_MAX`, so it always fits a signed 64-bit database column.
 */
export interface Amount {
  readonly currency: Currency;
  readonly value: bigint;
}

/**
 * An amount on the wire (Alipay+ shape): `value` is the count of minor units as
 * a string of digits, because JSON numbers are doubles and lose integers
 * beyond 2^53. Example: `{"currency":"CNY","value":"100000"}` is 1,000.00 CNY.
 */
export interface AmountJson {
  readonly currency: string;
  readonly value: string;
}

export interface AmountJsonOptions {
  /** Accept `"0"`. Default false: most amounts that arrive from outside are payments, where zero is meaningless. */
  readonly allowZero?: boolean;
}

export interface DecimalParseOptions {
  /** Accept a leading '-'. Default false. */
  readonly allowNegative?: boolean;
  /** Accept a zero amount ("0", "0.00"). Default false, as for `AmountJsonOptions`. */
  readonly allowZero?: boolean;
}

export interface DecimalFormatOptions {
  /** Separate thousands with ',' ("1,000.00"). Default true: the output is for people. */
  readonly grouping?: boolean;
}

/**
 * How an inexact quotient becomes an integer count of minor units.
 * - 'floor': toward −∞; for a positive amount, never more than the exact value.
 * - 'ceil': toward +∞; for a positive amount, never less than the exact value.
 * - 'half-even': to the nearest, ties to the even neighbour (banker's rounding); unbiased over many conversions.
 * - 'half-up': to the nearest, ties away from zero (commercial rounding, Java's HALF_UP, Python's ROUND_HALF_UP).
 */
export type Rounding = 'floor' | 'ceil' | 'half-even' | 'half-up';

/**
 * An exact exchange rate: one MAJOR unit of `base` is worth
 * `numerator / denominator` MAJOR units of `quote` (1 CNY = 190.25 KRW is
 * base CNY, quote KRW, 761/4). Both terms are positive and the fraction is in
 * lowest terms. Build one with `parseRate` or `fxRate`, which check this.
 */
export interface FxRate {
  readonly base: Currency;
  readonly quote: Currency;
  readonly numerator: bigint;
  readonly denominator: bigint;
}
