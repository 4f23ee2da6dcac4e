/**
 * How the wallet names its user to anyone else (DESIGN.md, "Privacy by
 * construction"): a pseudonym that is stable for one user at one merchant and
 * different at every other merchant, so the network and the acquirer can
 * recognise a returning customer of a shop, refund them and reconcile, yet
 * nobody outside the wallet can join one person's purchases across shops.
 *
 * It is HMAC-SHA256 under the wallet's own secret, over the user id and the
 * merchant id, each length-prefixed so that no two pairs share an input.
 * Without the secret the pseudonyms of one user at two merchants are
 * unrelated strings; with it, only the wallet can recompute them.
 */
import { createHmac } from 'node:crypto';

declare const pseudonymBrand: unique symbol;
export type PayerPseudonym = string & { readonly [pseudonymBrand]: true };

/** A shorter secret could be guessed; 32 bytes matches the hash's strength. */
export const PSEUDONYM_SECRET_BYTES_MIN = 32;
/** 128 bits: collisions between a wallet's users are out of reach. */
const PSEUDONYM_BYTES = 16;
const PREFIX = 'pp_';

export class PseudonymSecretError extends Error {
  override name = 'PseudonymSecretError';
}

/** Binds the wallet's secret once; the returned function names a payer for a merchant. */
export function payerPseudonyms(secret: Buffer): (ids: { readonly userId: string; readonly merchantId: string }) => PayerPseudonym {
  if (secret.length < PSEUDONYM_SECRET_BYTES_MIN) {
    throw new PseudonymSecretError(`the pseudonym secret must have at least ${PSEUDONYM_SECRET_BYTES_MIN} bytes`);
  }
  const key = Buffer.from(secret);
  return ({ userId, merchantId }) => {
    const mac = createHmac('sha256', key);
    for (const part of [userId, merchantId]) {
      const bytes = Buffer.from(part, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      mac.update(length).update(bytes);
    }
    return `${PREFIX}${mac.digest().subarray(0, PSEUDONYM_BYTES).toString('base64url')}` as PayerPseudonym;
  };
}
