/**
 * Identity document numbers at rest (DESIGN "Privacy by construction"):
 * AES-256-GCM under the wallet's key with a random 12-byte nonce, the user id
 * as associated data so a ciphertext cannot be moved to another user's row.
 * Only the last four characters are kept in clear, for the user's own screen.
 * Nothing in the wallet's API decrypts: `openIdNumber` exists for the customs
 * declaration (a later issue) and for the tests that prove the round trip.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ID_NUMBER_KEY_BYTES, ID_NUMBER_NONCE_BYTES } from './limits.ts';
import type { SealedIdNumber } from './types.ts';

const ALGORITHM = 'aes-256-gcm';
/** Characters of the id number shown in clear. */
export const ID_NUMBER_CLEAR_CHARS = 4;

export class IdNumberKeyError extends Error {
  override name = 'IdNumberKeyError';
}

export function assertIdNumberKey(key: Buffer): void {
  if (key.length !== ID_NUMBER_KEY_BYTES) throw new IdNumberKeyError(`the id number key must have exactly ${ID_NUMBER_KEY_BYTES} bytes`);
}

export function sealIdNumber(options: { readonly key: Buffer; readonly userId: string; readonly idNumber: string }): SealedIdNumber {
  assertIdNumberKey(options.key);
  const nonce = randomBytes(ID_NUMBER_NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, options.key, nonce);
  cipher.setAAD(Buffer.from(options.userId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(options.idNumber, 'utf8'), cipher.final()]);
  return { ciphertext, nonce, tag: cipher.getAuthTag(), last4: options.idNumber.slice(-ID_NUMBER_CLEAR_CHARS) };
}

/** Decrypts; throws if the ciphertext, its tag, its user or the key do not match (tampering is a broken invariant). */
export function openIdNumber(options: { readonly key: Buffer; readonly userId: string; readonly sealed: SealedIdNumber }): string {
  assertIdNumberKey(options.key);
  const decipher = createDecipheriv(ALGORITHM, options.key, options.sealed.nonce);
  decipher.setAAD(Buffer.from(options.userId, 'utf8'));
  decipher.setAuthTag(options.sealed.tag);
  return Buffer.concat([decipher.update(options.sealed.ciphertext), decipher.final()]).toString('utf8');
}
