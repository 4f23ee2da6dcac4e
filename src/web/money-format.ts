/**
 * Amounts as people read them in each console language: "₩15,000",
 * "15,000원", "CN¥1,000.00", "1,000.00위안". The digits come from money's
 * `formatDecimal` (bigint minor units, exact); only the currency's sign or
 * word and its place change with the language. Never a float, and never
 * `Intl.NumberFormat`, which takes numbers.
 */
import { amount, formatDecimal, parseCurrency, parseDecimal, type Amount, type MoneyError } from '../money/index.ts';
import type { Result } from '../platform/result.ts';
import type { Locale } from './i18n.ts';

/** An amount as the APIs send it; clearing and reconciliation values may carry a '-'. */
export interface WireAmount {
  readonly currency: string;
  readonly value: string;
}

/** Prefix or suffix of the digits, per language and currency; others read "USD 12.00". */
const AFFIXES: Readonly<Record<Locale, Readonly<Record<string, { readonly before?: string; readonly after?: string }>>>> = {
  en: { KRW: { before: '₩' }, CNY: { before: 'CN¥' } },
  ko: { KRW: { after: '원' }, CNY: { after: '위안' } },
  zh: { KRW: { after: '韩元' }, CNY: { before: '¥' } },
};

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

/** "₩15,000" in English, "15,000원" in Korean, "15,000韩元" in Chinese; a negative amount starts with '-'. */
export function formatMoney(value: Amount | WireAmount, locale: Locale): string {
  const parsed = typeof value.value === 'bigint' ? (value as Amount) : readWireAmount(value as WireAmount);
  if (parsed === null) return `${String(value.value)} ${value.currency}`;
  const digits = formatDecimal({ currency: parsed.currency, value: parsed.value < 0n ? -parsed.value : parsed.value });
  const sign = parsed.value < 0n ? '-' : '';
  const affix = AFFIXES[locale][parsed.currency];
  if (affix === undefined) return `${sign}${parsed.currency} ${digits}`;
  return `${sign}${affix.before ?? ''}${digits}${affix.after ?? ''}`;
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
