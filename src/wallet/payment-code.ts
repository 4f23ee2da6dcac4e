/**
 * One-time payment codes: 18 digits, the wallet's 4-digit prefix (by which
 * the network routes a `pay` here) then 14 uniformly random digits. Only
 * their SHA-256 is stored, so a copy of the database cannot be used to pay.
 */
import { createHash, randomInt } from 'node:crypto';
import { PAYMENT_CODE_PATTERN, PAYMENT_CODE_PREFIX_DIGITS } from '../protocol/index.ts';
import { PAYMENT_CODE_RANDOM_DIGITS } from './limits.ts';

const RANDOM_PART_MAX = 10 ** PAYMENT_CODE_RANDOM_DIGITS;

export class CodePrefixError extends Error {
  override name = 'CodePrefixError';
}

export function assertCodePrefix(prefix: string): void {
  if (!new RegExp(`^[0-9]{${PAYMENT_CODE_PREFIX_DIGITS}}$`).test(prefix)) {
    throw new CodePrefixError(`the payment code prefix must be ${PAYMENT_CODE_PREFIX_DIGITS} digits`);
  }
}

/** A fresh code: the prefix and 14 digits from a CSPRNG (randomInt is uniform, no modulo bias). */
export function mintPaymentCode(prefix: string): string {
  assertCodePrefix(prefix);
  return `${prefix}${randomInt(0, RANDOM_PART_MAX).toString().padStart(PAYMENT_CODE_RANDOM_DIGITS, '0')}`;
}

/** Whether `code` is a well-formed code of this wallet. */
export function isOwnPaymentCode(code: string, prefix: string): boolean {
  return PAYMENT_CODE_PATTERN.test(code) && code.startsWith(prefix);
}

export function paymentCodeHash(code: string): Buffer {
  return createHash('sha256').update(code, 'utf8').digest();
}
