/**
 * The ISO 4217 currencies dari handles, kept as data: alphabetic code,
 * minor-unit exponent, numeric code and English name. Adding a currency is
 * adding a row; every other function reads the table.
 */
import { err, ok, type Result } from '../platform/result.ts';
import { MoneyInvariantError, invalidFormat, unknownCurrency, type MoneyError } from './errors.ts';
import type { Currency, CurrencyInfo } from './types.ts';

interface CurrencyRow {
  readonly code: string;
  readonly exponent: number;
  readonly numericCode: string;
  readonly name: string;
}

/** Exponents and numeric codes from ISO 4217 (SIX, amendment 179). */
export const CURRENCY_TABLE = [
  { code: 'KRW', exponent: 0, numericCode: '410', name: 'South Korean won' },
  { code: 'JPY', exponent: 0, numericCode: '392', name: 'Japanese yen' },
  { code: 'CNY', exponent: 2, numericCode: '156', name: 'Chinese yuan renminbi' },
  { code: 'USD', exponent: 2, numericCode: '840', name: 'US dollar' },
  { code: 'EUR', exponent: 2, numericCode: '978', name: 'Euro' },
  { code: 'HKD', exponent: 2, numericCode: '344', name: 'Hong Kong dollar' },
  { code: 'SGD', exponent: 2, numericCode: '702', name: 'Singapore dollar' },
  { code: 'THB', exponent: 2, numericCode: '764', name: 'Thai baht' },
  { code: 'GBP', exponent: 2, numericCode: '826', name: 'Pound sterling' },
  { code: 'TWD', exponent: 2, numericCode: '901', name: 'New Taiwan dollar' },
  { code: 'MYR', exponent: 2, numericCode: '458', name: 'Malaysian ringgit' },
  { code: 'VND', exponent: 0, numericCode: '704', name: 'Vietnamese dong' },
  { code: 'IDR', exponent: 2, numericCode: '360', name: 'Indonesian rupiah' },
  { code: 'PHP', exponent: 2, numericCode: '608', name: 'Philippine peso' },
  { code: 'AUD', exponent: 2, numericCode: '036', name: 'Australian dollar' },
  { code: 'CAD', exponent: 2, numericCode: '124', name: 'Canadian dollar' },
  { code: 'CHF', exponent: 2, numericCode: '756', name: 'Swiss franc' },
  { code: 'BHD', exponent: 3, numericCode: '048', name: 'Bahraini dinar' },
  { code: 'KWD', exponent: 3, numericCode: '414', name: 'Kuwaiti dinar' },
] as const satisfies readonly CurrencyRow[];

/** The alphabetic codes in the table, as a literal union, so that `currency('KRW')` is checked at compile time. */
export type CurrencyCode = (typeof CURRENCY_TABLE)[number]['code'];

/** ISO 4217 exponents in use are 0 to 4 (CLF, UYW); more would be a typo in the table. */
const EXPONENT_MAX = 4;

function checkRow(row: CurrencyRow): void {
  const valid =
    /^[A-Z]{3}$/.test(row.code) &&
    /^[0-9]{3}$/.test(row.numericCode) &&
    Number.isSafeInteger(row.exponent) &&
    row.exponent >= 0 &&
    row.exponent <= EXPONENT_MAX &&
    row.name.length > 0;
  if (!valid) throw new MoneyInvariantError(`bad currency table row ${JSON.stringify(row)}`);
}

function buildIndex(rows: readonly CurrencyRow[]): ReadonlyMap<string, CurrencyInfo> {
  const index = new Map<string, CurrencyInfo>();
  const numericCodes = new Set<string>();
  for (const row of rows) {
    checkRow(row);
    if (index.has(row.code) || numericCodes.has(row.numericCode)) {
      throw new MoneyInvariantError(`duplicate currency table row ${row.code} ${row.numericCode}`);
    }
    numericCodes.add(row.numericCode);
    // The one place a string becomes a Currency: it is a row of the table.
    index.set(row.code, Object.freeze({ ...row, code: row.code as Currency }));
  }
  return index;
}

const currencyByCode = buildIndex(CURRENCY_TABLE);
const currencyByNumericCode = new Map([...currencyByCode.values()].map((info) => [info.numericCode, info]));
const minorPerMajorByCode = new Map(
  [...currencyByCode.values()].map((info) => [info.code as string, 10n ** BigInt(info.exponent)]),
);

/** Every known currency, in table order. */
export const CURRENCIES: readonly CurrencyInfo[] = Object.freeze([...currencyByCode.values()]);

/** True when `code` is exactly (case included) a code of the table. */
export function isCurrency(code: string): code is Currency {
  return typeof code === 'string' && currencyByCode.has(code);
}

/**
 * Checks a currency code from outside (a request, a file, a CLI argument).
 * Codes are matched exactly: "cny" is refused, as ISO 4217 codes are upper case.
 */
export function parseCurrency(code: string): Result<Currency, MoneyError> {
  if (typeof code !== 'string') return err(invalidFormat(`a currency code must be a string, got ${typeof code}`));
  const info = currencyByCode.get(code);
  return info === undefined ? err(unknownCurrency(code)) : ok(info.code);
}

/**
 * Finds a currency by its ISO 4217 numeric code, three digits as EMVCo QR tag
 * 53 carries it ("410" for KRW, "036" for AUD).
 */
export function parseNumericCurrency(numericCode: string): Result<Currency, MoneyError> {
  if (typeof numericCode !== 'string') {
    return err(invalidFormat(`a numeric currency code must be a string, got ${typeof numericCode}`));
  }
  const info = currencyByNumericCode.get(numericCode);
  return info === undefined ? err(unknownCurrency(numericCode)) : ok(info.code);
}

/** A currency from a literal in code, e.g. `currency('KRW')`; the literal is checked by the compiler. */
export function currency(code: CurrencyCode): Currency {
  return currencyInfo(code as Currency).code;
}

/** The table row of a currency. Throws only if a `Currency` was forged with a cast. */
export function currencyInfo(currency: Currency): CurrencyInfo {
  const info = currencyByCode.get(currency);
  if (info === undefined) throw new MoneyInvariantError(`not a currency of the table: ${String(currency)}`);
  return info;
}

/** Minor-unit digits of a currency (KRW 0, CNY 2, BHD 3). */
export function currencyExponent(currency: Currency): number {
  return currencyInfo(currency).exponent;
}

/** Minor units in one major unit: 10^exponent (KRW 1n, CNY 100n, BHD 1000n). */
export function minorPerMajor(currency: Currency): bigint {
  const scale = minorPerMajorByCode.get(currency);
  if (scale === undefined) throw new MoneyInvariantError(`not a currency of the table: ${String(currency)}`);
  return scale;
}
