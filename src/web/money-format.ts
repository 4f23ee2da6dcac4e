/**
 * Amounts in the console: wire amounts read exactly and written per language
 * by money's `formatForPeople` ("₩15,000", "15,000원", "CN¥1,000.00",
 * "1,000.00위안"), typed amounts read by money's `parseDecimal`. Never a
 * float, and never `Intl.NumberFormat`, which takes numbers.
 */
import { amount, formatDecimal, formatForPeople, parseCurrency, parseDecimal, type Amount, type MoneyError } from '../money/index.ts';
import type { Result } from '../platform/result.ts';
import type { Locale } from '../platform/locale.ts';

/** An amount as the APIs send it; clearing and reconciliation values may carry a '-'. */
export interface WireAmount {
  readonly currency: string;
  readonly value: string;
}

const SIGNED_DIGITS = /^-?(?:0|[1-9][0-9]{0,18})$/;

/** Reads a wire amount, sign allowed; an unknown currency or a malformed value is null. */
export function readWireAmount(wire: WireAmount): Amount | null {
  const currency = parseCurrency(wire.currency);
  if (!currency.ok || !SIGNED_DIGITS.test(wire.value)) return null;
  try {
    return amount(currency.value, BigInt(wire.value));
  } catch {
    // Out of range: shown raw by the caller.
    return null;
  }
}

/** "₩15,000" in English, "15,000원" in Korean, "15,000韩元" in Chinese (money's `formatForPeople`); a wire amount it cannot read is shown as it came. */
export function formatMoney(value: Amount | WireAmount, locale: Locale): string {
  const parsed = typeof value.value === 'bigint' ? (value as Amount) : readWireAmount(value as WireAmount);
  return parsed === null ? `${String(value.value)} ${value.currency}` : formatForPeople(parsed, locale);
}

/** What a person typed ("15000", "15,000", "1,000.50") as a wire amount, or the money error to explain. */
export function parseMoneyInput(input: string, currency: string): Result<WireAmount, MoneyError> {
  const parsed = parseDecimal(input.trim(), currency);
  return parsed.ok ? { ok: true, value: { currency: parsed.value.currency, value: parsed.value.value.toString() } } : parsed;
}

/** A wire amount as a person would type it back into a form ("15000", "26.29"): no grouping, the currency's decimals. */
export function moneyInputValue(wire: WireAmount): string {
  const parsed = readWireAmount(wire);
  return parsed === null ? wire.value : formatDecimal(parsed, { grouping: false });
}

/** The sum of wire amounts of one currency, exactly; null when a value is unreadable or the currencies differ. */
export function sumWire(amounts: readonly WireAmount[], currency: string): WireAmount | null {
  let total = 0n;
  for (const a of amounts) {
    const parsed = readWireAmount(a);
    if (parsed === null || parsed.currency !== currency) return null;
    total += parsed.value;
  }
  return { currency, value: total.toString() };
}
