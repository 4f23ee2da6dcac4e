/**
 * Payment PINs: six digits the buyer types at the hosted cashier with the
 * phone number they signed up with. Kept only as scrypt (RFC 7914) of the PIN
 * under a random salt per user, compared in constant time. Six digits are few
 * (10^6): what protects them is the attempt limit (`cashier-store.ts`), the
 * slow hash only protects a stolen table from a quick lookup.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const PIN_PATTERN = /^[0-9]{6}$/;
export const PIN_SALT_BYTES = 16;
export const PIN_HASH_BYTES = 32;
/** scrypt cost: N = 2^14, r = 8, p = 1 (16 MiB, tens of ms on this project's machine): OWASP's minimum for scrypt. */
export const PIN_SCRYPT_COST = 2 ** 14;
export const PIN_SCRYPT_BLOCK_SIZE = 8;
export const PIN_SCRYPT_PARALLELISM = 1;
const SCRYPT_MEMORY_BYTES_MAX = 64 * 1024 * 1024;
/** Wrong PINs in a row before the PIN is locked. */
export const PIN_ATTEMPTS_MAX = 5;
/** How long a locked PIN stays locked, in ms. */
export const PIN_LOCK_MS = 15 * 60 * 1000;

/** Why a PIN is refused when it is set: the ones a thief tries first. */
export type WeakPinReason = 'format' | 'repeated' | 'sequence';

/** `null` for an acceptable PIN: six digits, not one digit six times, not a run up or down (123456, 654321, 890123 wraps too). */
export function weakPin(pin: string): WeakPinReason | null {
  if (!PIN_PATTERN.test(pin)) return 'format';
  const digits = [...pin].map(Number);
  if (digits.every((d) => d === digits[0])) return 'repeated';
  const steps = new Set(digits.slice(1).map((d, i) => (d - digits[i]! + 10) % 10));
  if (steps.size === 1 && (steps.has(1) || steps.has(9))) return 'sequence';
  return null;
}

export function hashPin(pin: string, salt: Buffer): Promise<Buffer> {
  if (salt.length !== PIN_SALT_BYTES) throw new Error(`assertion failed: a PIN salt is ${PIN_SALT_BYTES} bytes`);
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, PIN_HASH_BYTES, { N: PIN_SCRYPT_COST, r: PIN_SCRYPT_BLOCK_SIZE, p: PIN_SCRYPT_PARALLELISM, maxmem: SCRYPT_MEMORY_BYTES_MAX }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function newPinHash(pin: string): Promise<{ readonly hash: Buffer; readonly salt: Buffer }> {
  const salt = randomBytes(PIN_SALT_BYTES);
  return { hash: await hashPin(pin, salt), salt };
}

export async function pinMatches(pin: string, stored: { readonly hash: Buffer; readonly salt: Buffer }): Promise<boolean> {
  return timingSafeEqual(await hashPin(pin, stored.salt), stored.hash);
}

/** A phone as typed, without the spaces, hyphens, dots and brackets people put in: `+86 138-0013-8000` is `+8613800138000`. */
export function normalisePhone(text: string): string {
  return text.replace(/[\s\-().]/g, '');
}
