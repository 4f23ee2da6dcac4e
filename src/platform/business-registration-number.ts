/**
 * The Korean business registration number (사업자등록번호): ten digits,
 * written 123-45-67890, the last a check digit. The acquirer (its merchants)
 * and the mall (its sellers) both refuse a number that fails the check, before
 * any human reviews it; it lives here, beside the other shared utilities,
 * because two institutions check it and neither may import the other.
 *
 * Check digit (National Tax Service): weights 1,3,7,1,3,7,1,3,5 on the first
 * nine digits, plus the tens digit of (ninth digit × 5); the tenth digit is
 * (10 − sum mod 10) mod 10.
 */
import { err, ok, type Result } from './result.ts';

declare const brnBrand: unique symbol;
/** Ten digits that passed the check, without separators. */
export type BusinessRegistrationNumber = string & { readonly [brnBrand]: true };

export type BusinessRegistrationNumberError =
  | { readonly kind: 'invalid-format'; readonly message: string }
  | { readonly kind: 'wrong-check-digit'; readonly message: string; readonly expectedCheckDigit: number };

const WEIGHTS = [1, 3, 7, 1, 3, 7, 1, 3, 5] as const;
/** Accepted spellings: 10 digits, or 3-2-5 digits separated by hyphens. */
const FORMAT = /^(\d{3})-?(\d{2})-?(\d{5})$/;

/** The check digit the first nine digits call for. */
export function businessRegistrationCheckDigit(firstNineDigits: string): number {
  let sum = 0;
  WEIGHTS.forEach((weight, i) => {
    sum += Number(firstNineDigits[i]) * weight;
  });
  sum += Math.floor((Number(firstNineDigits[8]) * 5) / 10);
  return (10 - (sum % 10)) % 10;
}

export function parseBusinessRegistrationNumber(
  input: unknown,
): Result<BusinessRegistrationNumber, BusinessRegistrationNumberError> {
  const match = typeof input === 'string' ? FORMAT.exec(input) : null;
  if (match === null) {
    return err({ kind: 'invalid-format', message: 'a business registration number is 10 digits, as 1234567890 or 123-45-67890' });
  }
  const digits = `${match[1]}${match[2]}${match[3]}`;
  const expected = businessRegistrationCheckDigit(digits.slice(0, 9));
  if (Number(digits[9]) !== expected) {
    return err({
      kind: 'wrong-check-digit',
      message: `the last digit of ${match[1]}-${match[2]}-${match[3]} should be ${expected}: check the number for a typo`,
      expectedCheckDigit: expected,
    });
  }
  return ok(digits as BusinessRegistrationNumber);
}

/** The usual written form, 123-45-67890. */
export function formatBusinessRegistrationNumber(brn: BusinessRegistrationNumber): string {
  return `${brn.slice(0, 3)}-${brn.slice(3, 5)}-${brn.slice(5)}`;
}
