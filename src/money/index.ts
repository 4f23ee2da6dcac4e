/**
 * Money: ISO 4217 currencies, amounts as bigint minor units, their wire and
 * human decimal forms, and exact FX conversion. See README.md.
 */
export type {
  Amount,
  AmountJson,
  AmountJsonOptions,
  Currency,
  CurrencyInfo,
  DecimalFormatOptions,
  DecimalParseOptions,
  FxRate,
  Rounding,
} from './types.ts';
export { MoneyInvariantError, type MoneyError, type MoneyErrorKind } from './errors.ts';
export {
  CURRENCIES,
  CURRENCY_TABLE,
  currency,
  currencyExponent,
  currencyInfo,
  isCurrency,
  minorPerMajor,
  parseCurrency,
  parseNumericCurrency,
  type CurrencyCode,
} from './currency.ts';
export {
  AMOUNT_VALUE_MAX,
  AMOUNT_VALUE_MIN,
  add,
  amount,
  amountToJson,
  checkCurrency,
  compare,
  equals,
  greaterThan,
  greaterThanOrEqual,
  isAmountValue,
  isNegative,
  isPositive,
  isZero,
  lessThan,
  lessThanOrEqual,
  negate,
  parseAmountJson,
  subtract,
  zero,
} from './amount.ts';
export { DECIMAL_INPUT_CHARS_MAX, formatDecimal, parseDecimal } from './decimal.ts';
export { formatForPeople } from './for-people.ts';
export {
  RATE_DECIMALS_MAX,
  RATE_INTEGER_DIGITS_MAX,
  RATE_TERM_MAX,
  convert,
  divideRounded,
  fxRate,
  invertRate,
  parseRate,
  type FxRateTerms,
} from './fx.ts';
