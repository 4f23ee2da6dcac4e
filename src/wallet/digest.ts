/** Hashes the wallet stores instead of secrets and request bodies. */
import { createHash } from 'node:crypto';

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The fingerprint of a request's content, for idempotency: the same id with
 * the same content gets the first answer, with other content a refusal. The
 * caller builds `content` with a fixed key order, so equal requests hash alike.
 */
export function requestFingerprint(content: unknown): Buffer {
  return sha256(JSON.stringify(content, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
}
