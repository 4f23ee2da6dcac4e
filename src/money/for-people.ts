/**
 * Amounts as people read them in each of dari's page languages: "₩15,000",
 * "15,000원", "15,000韩元"; "CN¥1,000.00", "1,000.00위안", "¥1,000.00". The
 * digits are `formatDecimal`'s (bigint minor units, exact); only the
 * currency's sign or word and its place change with the language. Never a
 * float, and never `Intl.NumberFormat`, which takes numbers. Shared by every
 * page (the console, the wallet's cashier, the demo shops) so that one amount
 * reads the same on each.
 */
import type { Locale } from '../platform/locale.ts';
import { formatDecimal } from './decimal.ts';
import type { Amount } from './types.ts';

/** Prefix or suffix of the digits, per language and currency; other currencies read "USD 12.00". */
const AFFIXES: Readonly<Record<Locale, Readonly<Record<string, { readonly before?: string; readonly after?: string }>>>> = {
  en: { KRW: { before: '₩' }, CNY: { before: 'CN¥' } },
  ko: { KRW: { after: '원' }, CNY: { after: '위안' } },
  zh: { KRW: { after: '韩元' }, CNY: { before: '¥' } },
};

/** "₩15,000" in English, "15,000원" in Korean, "15,000韩元" in Chinese; a negative amount starts with '-'. */
export function formatForPeople(a: Amount, locale: Locale): string {
  const digits = formatDecimal({ currency: a.currency, value: a.value < 0n ? -a.value : a.value });
  const sign = a.value < 0n ? '-' : '';
  const affix = AFFIXES[locale][a.currency];
  if (affix === undefined) return `${sign}${a.currency} ${digits}`;
  return `${sign}${affix.before ?? ''}${digits}${affix.after ?? ''}`;
}
