/**
 * Human decimal strings ("1,000.00" CNY, "15,000" KRW) for the console and the
 * CLI, parsed and formatted exactly, with string and bigint arithmetic only.
 * Anything that would need rounding is refused: a person typing "1.005" CNY
 * means something we cannot pay, and must be told so.
 *
 * Grammar: optional '-', an integer part ("0", or digits without a leading
 * zero, optionally grouped with ',' every three digits), then optionally '.'
 * and at least one digit. "1." and ".5" are refused: both are common typos for
 * something else, and neither is what `formatDecimal` writes.
 */
import { err, ok, type Result } from '../platform/result.ts';
import { AMOUNT_VALUE_MAX, amount } from './amount.ts';
import { currencyExponent, parseCurrency } from './currency.ts';
import {
  invalidFormat,
  negativeNotAllowed,
  outOfRange,
  quoteInput,
  tooManyDecimals,
  zeroNotAllowed,
  type MoneyError,
} from './errors.ts';
import type { Amount, Currency, DecimalFormatOptions, DecimalParseOptions } from './types.ts';

/**
 * Longest decimal string read. The largest amount written in full is 26
 * characters ("-92,233,720,368,547,758.07"); the margin is for extra decimals
 * of FX rates. The limit keeps a pasted novel away from the regex and BigInt.
 */
export const DECIMAL_INPUT_CHARS_MAX = 64;

const DECIMAL_PATTERN = /^(-?)(0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.([0-9]+))?$/;

/** A decimal string taken apart, before any currency is applied. */
export interface DecimalParts {
  readonly negative: boolean;
  /** The integer part without grouping commas; no leading zero unless it is "0". */
  readonly integerDigits: string;
  /** The digits after '.', possibly empty; trailing zeros kept. */
  readonly fractionDigits: string;
}

/**
 * Checks the grammar of a decimal string and splits it. Shared by amounts and
 * FX rates so that both read numbers the same way. The type of `input` is
 * checked at runtime too: a JS number from untyped code is refused, not converted.
 */
export function parseDecimalParts(input: string): Result<DecimalParts, MoneyError> {
  if (typeof input !== 'string') {
    const why = 'a float cannot hold every amount exactly';
    return err(invalidFormat(`expected a decimal string, got ${typeof input}: ${why}`));
  }
  if (input.length > DECIMAL_INPUT_CHARS_MAX) {
    return err(invalidFormat(`a decimal is at most ${DECIMAL_INPUT_CHARS_MAX} characters, got ${input.length}`));
  }
  const match = DECIMAL_PATTERN.exec(input);
  if (match === null) return err(invalidFormat(`${quoteInput(input)} ${decimalProblem(input)}`));
  const [, sign = '', integerPart = '', fractionDigits = ''] = match;
  return ok({ negative: sign === '-', integerDigits: integerPart.replaceAll(',', ''), fractionDigits });
}

/** Says what is wrong with a string that failed the grammar, so that the person typing can fix it. */
function decimalProblem(input: string): string {
  if (input.length === 0) return 'is empty';
  if (/\s/.test(input)) return 'contains whitespace';
  if (/[eE]/.test(input)) return 'uses exponent notation';
  if (input.startsWith('+')) return "has a '+' sign";
  if (/^-?\./.test(input) || input.endsWith('.')) return "needs digits on both sides of '.'";
  if (input.includes(',')) return "has a misplaced ',': group the integer part by exactly three digits";
  if (/^-?0[0-9]/.test(input)) return 'has leading zeros';
  return "is not a decimal number (digits, ',' every three digits, '.')";
}

/**
 * Parses a human decimal string in major units into an amount:
 * `parseDecimal("1,000.00", "CNY")` is 100000n CNY minor units,
 * `parseDecimal("15000", "KRW")` is 15000n. Grouping commas are optional.
 * Refused, as typed errors: an unknown currency, bad grammar (see the module
 * comment), more decimals than the currency has ("1.001" CNY, "1.5" KRW,
 * "1.0" KRW), a '-' without `allowNegative`, zero without `allowZero`,
 * "-0", and values beyond ±`AMOUNT_VALUE_MAX` minor units.
 */
export function parseDecimal(
  input: string,
  currencyCode: string,
  options: DecimalParseOptions = {},
): Result<Amount, MoneyError> {
  const currency = parseCurrency(currencyCode);
  if (!currency.ok) return currency;
  const parts = parseDecimalParts(input);
  if (!parts.ok) return parts;
  return decimalToAmount(parts.value, currency.value, options);
}

function decimalToAmount(
  parts: DecimalParts,
  currency: Currency,
  options: DecimalParseOptions,
): Result<Amount, MoneyError> {
  const { negative, integerDigits, fractionDigits } = parts;
  if (negative && options.allowNegative !== true) return err(negativeNotAllowed('the amount'));
  const exponent = currencyExponent(currency);
  if (fractionDigits.length > exponent) return err(tooManyDecimals(currency, exponent));
  // Shifting the decimal point is string concatenation: exact by construction.
  const magnitude = BigInt(integerDigits + fractionDigits.padEnd(exponent, '0'));
  if (magnitude > AMOUNT_VALUE_MAX) return err(outOfRange(currency));
  if (magnitude === 0n && negative) return err(invalidFormat('"-0" is not a number we write; use "0"'));
  if (magnitude === 0n && options.allowZero !== true) return err(zeroNotAllowed('the amount'));
  return ok(amount(currency, negative ? -magnitude : magnitude));
}

/**
 * Writes an amount in major units with exactly the currency's decimals:
 * 100000n CNY is "1,000.00", 15000n KRW is "15,000", -5n CNY is "-0.05".
 * `{ grouping: false }` drops the commas ("1000.00"). `parseDecimal` reads
 * every string this writes back to the same amount.
 */
export function formatDecimal(a: Amount, options: DecimalFormatOptions = {}): string {
  const exponent = currencyExponent(a.currency);
  const magnitude = a.value < 0n ? -a.value : a.value;
  const digits = magnitude.toString().padStart(exponent + 1, '0');
  const integerDigits = digits.slice(0, digits.length - exponent);
  const fractionDigits = digits.slice(digits.length - exponent);
  const integerPart = options.grouping === false ? integerDigits : groupThousands(integerDigits);
  const sign = a.value < 0n ? '-' : '';
  return fractionDigits.length === 0 ? `${sign}${integerPart}` : `${sign}${integerPart}.${fractionDigits}`;
}

/** "1234567" → "1,234,567". */
function groupThousands(digits: string): string {
  const headLength = digits.length % 3 === 0 ? 3 : digits.length % 3;
  const groups = [digits.slice(0, headLength)];
  for (let start = headLength; start < digits.length; start += 3) groups.push(digits.slice(start, start + 3));
  return groups.join(',');
}
