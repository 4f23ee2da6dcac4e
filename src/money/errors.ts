/**
 * Expected failures of the money module, as values (STYLE 9), and the one
 * exception class for bugs. Error values carry no bigint, so that they
 * serialise with `JSON.stringify` in logs and responses.
 */
import type { Currency } from './types.ts';

export type MoneyError =
  | { readonly kind: 'unknown-currency'; readonly code: string; readonly message: string }
  | { readonly kind: 'invalid-format'; readonly message: string }
  | {
      readonly kind: 'too-many-decimals';
      readonly currency: Currency;
      readonly decimalsMax: number;
      readonly message: string;
    }
  | { readonly kind: 'out-of-range'; readonly currency: Currency; readonly message: string }
  | { readonly kind: 'negative-not-allowed'; readonly message: string }
  | { readonly kind: 'zero-not-allowed'; readonly message: string }
  | {
      readonly kind: 'currency-mismatch';
      readonly expected: Currency;
      readonly actual: Currency;
      readonly message: string;
    }
  | { readonly kind: 'same-currency'; readonly currency: Currency; readonly message: string };

export type MoneyErrorKind = MoneyError['kind'];

/**
 * A broken invariant in the caller's code: arithmetic on two currencies,
 * a value beyond the 64-bit range, a negative amount sent on the wire.
 * Thrown, never returned, and never caught (STYLE 11).
 */
export class MoneyInvariantError extends Error {
  override readonly name = 'MoneyInvariantError';
}

/** Input echoed in a message is cut short: a message must stay a line, whatever a client sends. */
const QUOTED_INPUT_CHARS_MAX = 32;

/** `input` as a JSON string literal, cut to `QUOTED_INPUT_CHARS_MAX` characters. */
export function quoteInput(input: string): string {
  if (input.length <= QUOTED_INPUT_CHARS_MAX) return JSON.stringify(input);
  return `${JSON.stringify(input.slice(0, QUOTED_INPUT_CHARS_MAX))}…`;
}

export function unknownCurrency(code: string): MoneyError {
  const shown = code.slice(0, QUOTED_INPUT_CHARS_MAX);
  return { kind: 'unknown-currency', code: shown, message: `unknown currency ${quoteInput(code)}` };
}

export function invalidFormat(message: string): MoneyError {
  return { kind: 'invalid-format', message };
}

export function tooManyDecimals(currency: Currency, decimalsMax: number): MoneyError {
  const message = `${currency} allows at most ${decimalsMax} decimal digit${decimalsMax === 1 ? '' : 's'}`;
  return { kind: 'too-many-decimals', currency, decimalsMax, message };
}

export function outOfRange(currency: Currency): MoneyError {
  const message = `${currency} amount is beyond ±(2^63 − 1) minor units`;
  return { kind: 'out-of-range', currency, message };
}

export function negativeNotAllowed(what: string): MoneyError {
  return { kind: 'negative-not-allowed', message: `${what} must not be negative` };
}

export function zeroNotAllowed(what: string): MoneyError {
  return { kind: 'zero-not-allowed', message: `${what} must not be zero` };
}

export function currencyMismatch(currencies: { expected: Currency; actual: Currency }): MoneyError {
  const { expected, actual } = currencies;
  return { kind: 'currency-mismatch', expected, actual, message: `expected ${expected}, got ${actual}` };
}

export function sameCurrency(currency: Currency): MoneyError {
  const message = `an exchange rate needs two different currencies, got ${currency} for both`;
  return { kind: 'same-currency', currency, message };
}
