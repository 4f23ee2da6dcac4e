/**
 * Amounts: construction, same-currency arithmetic and comparison, and the wire
 * format. Arithmetic and comparison throw `MoneyInvariantError` on two
 * currencies: by the time code adds two amounts, the currencies were checked
 * at the boundary (with `checkCurrency`), so a mismatch is a bug, and a bug
 * must not travel on as a value that someone forgets to inspect.
 */
import { err, ok, type Result } from '../platform/result.ts';
import { isCurrency, parseCurrency } from './currency.ts';
import {
  MoneyInvariantError,
  currencyMismatch,
  invalidFormat,
  negativeNotAllowed,
  outOfRange,
  quoteInput,
  zeroNotAllowed,
  type MoneyError,
} from './errors.ts';
import type { Amount, AmountJson, AmountJsonOptions, Currency } from './types.ts';

/** Largest value of an amount, in minor units: the largest signed 64-bit integer, what databases store natively. */
export const AMOUNT_VALUE_MAX = 2n ** 63n - 1n;

/**
 * Smallest value of an amount. The range is symmetric (not −2^63) so that
 * negating an amount can never overflow.
 */
export const AMOUNT_VALUE_MIN = -AMOUNT_VALUE_MAX;

/** Digits in `AMOUNT_VALUE_MAX`: a longer string of digits is out of range before it is parsed. */
const AMOUNT_DIGITS_MAX = AMOUNT_VALUE_MAX.toString().length;

/** The wire value grammar: digits, no sign, no leading zero except "0" itself. */
const WIRE_VALUE_PATTERN = /^(?:0|[1-9][0-9]*)$/;

/** True when `value` is a bigint within [`AMOUNT_VALUE_MIN`, `AMOUNT_VALUE_MAX`]. */
export function isAmountValue(value: bigint): boolean {
  return typeof value === 'bigint' && value >= AMOUNT_VALUE_MIN && value <= AMOUNT_VALUE_MAX;
}

/**
 * Builds an amount of `value` minor units. For values computed in code or read
 * from our own database; input from outside goes through `parseAmountJson` or
 * `parseDecimal`. Throws `MoneyInvariantError` for a value out of range.
 */
export function amount(currency: Currency, value: bigint): Amount {
  if (!isCurrency(currency)) throw new MoneyInvariantError(`not a currency: ${String(currency)}`);
  if (!isAmountValue(value)) {
    throw new MoneyInvariantError(`${currency} amount value out of range or not a bigint: ${String(value)}`);
  }
  return { currency, value };
}

/** Zero in `currency`. */
export function zero(currency: Currency): Amount {
  return amount(currency, 0n);
}

function assertSameCurrency(a: Amount, b: Amount, operation: string): void {
  if (a.currency !== b.currency) {
    throw new MoneyInvariantError(`${operation} of ${a.currency} and ${b.currency}: check currencies at the boundary`);
  }
}

/**
 * Checks, at a boundary, that an amount is in the expected currency, e.g. that
 * a refund is in the payment's currency. Past this check, arithmetic may throw.
 */
export function checkCurrency(a: Amount, expected: Currency): Result<Amount, MoneyError> {
  return a.currency === expected ? ok(a) : err(currencyMismatch({ expected, actual: a.currency }));
}

/** a + b. Throws `MoneyInvariantError` on two currencies or a sum out of range (a limit upstream was not applied). */
export function add(a: Amount, b: Amount): Amount {
  assertSameCurrency(a, b, 'add');
  return amount(a.currency, a.value + b.value);
}

/** a − b. Throws `MoneyInvariantError` on two currencies or a difference out of range. */
export function subtract(a: Amount, b: Amount): Amount {
  assertSameCurrency(a, b, 'subtract');
  return amount(a.currency, a.value - b.value);
}

/** −a; never overflows, as the range is symmetric. */
export function negate(a: Amount): Amount {
  return amount(a.currency, -a.value);
}

export function isZero(a: Amount): boolean {
  return a.value === 0n;
}

export function isPositive(a: Amount): boolean {
  return a.value > 0n;
}

export function isNegative(a: Amount): boolean {
  return a.value < 0n;
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. Throws `MoneyInvariantError` on two currencies. */
export function compare(a: Amount, b: Amount): -1 | 0 | 1 {
  assertSameCurrency(a, b, 'compare');
  if (a.value === b.value) return 0;
  return a.value < b.value ? -1 : 1;
}

/**
 * Same currency and same value. Unlike the orderings, two currencies are a
 * meaningful answer here (false), not a bug: 100 KRW is not 100 CNY.
 */
export function equals(a: Amount, b: Amount): boolean {
  return a.currency === b.currency && a.value === b.value;
}

export function lessThan(a: Amount, b: Amount): boolean {
  return compare(a, b) < 0;
}

export function lessThanOrEqual(a: Amount, b: Amount): boolean {
  return compare(a, b) <= 0;
}

export function greaterThan(a: Amount, b: Amount): boolean {
  return compare(a, b) > 0;
}

export function greaterThanOrEqual(a: Amount, b: Amount): boolean {
  return compare(a, b) >= 0;
}

/**
 * The wire form, `{"currency":"CNY","value":"100000"}`. Throws
 * `MoneyInvariantError` for a negative amount: the direction of money is
 * carried by the message (payment or refund), never by a sign on the wire.
 */
export function amountToJson(a: Amount): AmountJson {
  if (a.value < 0n) throw new MoneyInvariantError(`a negative amount never goes on the wire: ${a.currency} ${a.value}`);
  return { currency: a.currency, value: a.value.toString() };
}

/**
 * Reads a wire amount from parsed JSON. Refuses anything but an object of
 * exactly `currency` and `value`, a known currency, and a value that is a
 * string of digits without sign, leading zeros, whitespace, decimal point or
 * exponent, within `AMOUNT_VALUE_MAX`; zero only with `allowZero`.
 */
export function parseAmountJson(input: unknown, options: AmountJsonOptions = {}): Result<Amount, MoneyError> {
  const fields = readAmountFields(input);
  if (!fields.ok) return fields;
  const currency = parseCurrency(fields.value.currency);
  if (!currency.ok) return currency;
  return parseWireValue(fields.value.value, currency.value, options);
}

function readAmountFields(input: unknown): Result<AmountJson, MoneyError> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return err(invalidFormat('an amount must be an object {"currency": "...", "value": "..."}'));
  }
  const record = input as Readonly<Record<string, unknown>>;
  // Extra fields are refused rather than ignored: an "exponent" or "decimal"
  // field would mean the sender thinks the value is scaled differently.
  const extra = Object.keys(record).find((key) => key !== 'currency' && key !== 'value');
  if (extra !== undefined) return err(invalidFormat(`unexpected amount field ${quoteInput(extra)}`));
  if (!Object.hasOwn(record, 'currency')) return err(invalidFormat('amount.currency is missing'));
  if (!Object.hasOwn(record, 'value')) return err(invalidFormat('amount.value is missing'));
  const { currency, value } = record;
  if (typeof currency !== 'string') {
    return err(invalidFormat(`amount.currency must be a string, got ${typeof currency}`));
  }
  if (typeof value !== 'string') {
    const why = 'JSON numbers lose integers beyond 2^53';
    return err(invalidFormat(`amount.value must be a string of digits, got ${typeof value}: ${why}`));
  }
  return ok({ currency, value });
}

function parseWireValue(value: string, currency: Currency, options: AmountJsonOptions): Result<Amount, MoneyError> {
  if (/^-(?:0|[1-9][0-9]*)$/.test(value)) return err(negativeNotAllowed('amount.value'));
  if (!WIRE_VALUE_PATTERN.test(value)) {
    return err(invalidFormat(`amount.value ${quoteInput(value)} ${wireValueProblem(value)}`));
  }
  if (value.length > AMOUNT_DIGITS_MAX) return err(outOfRange(currency));
  const minor = BigInt(value);
  if (minor > AMOUNT_VALUE_MAX) return err(outOfRange(currency));
  if (minor === 0n && options.allowZero !== true) return err(zeroNotAllowed('amount.value'));
  return ok(amount(currency, minor));
}

/** Says what is wrong with a wire value that failed the grammar, so that an integrator can fix it. */
function wireValueProblem(value: string): string {
  if (value.length === 0) return 'is empty';
  if (/\s/.test(value)) return 'contains whitespace';
  if (value.includes('.')) return 'has a decimal point: value counts minor units ("100000" CNY is 1,000.00)';
  if (/[eE]/.test(value)) return 'uses exponent notation';
  if (/^[+-]/.test(value)) return 'has a sign';
  if (/^0[0-9]/.test(value)) return 'has leading zeros';
  return 'is not a string of digits';
}
