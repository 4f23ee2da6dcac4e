/**
 * How an acquirer signs the webhooks it sends a shop, and how the shop checks
 * them (ADR 13). HMAC-SHA256 under the shop's webhook secret (32 bytes, shown
 * to the shop once) over `<timestamp>.<body>`, where the timestamp is the
 * attempt's time in Unix seconds and the body the request's exact bytes:
 *
 *     Dari-Signature: t=1764028800,v1=<64 hex digits>
 *     Dari-Webhook-Id: WH…            (the same on every attempt: deduplicate on it)
 *     Dari-Webhook-Event: checkout.paid
 *
 * The shop recomputes the HMAC, compares in constant time, and refuses a
 * timestamp further than `WEBHOOK_SIGNATURE_TOLERANCE_SECONDS` from its clock,
 * so that a recorded request cannot be replayed later; a retry is signed
 * anew with its own time. A shared secret and not the acquirer's Ed25519 key:
 * shops are not participants with key directories, and an HMAC is what every
 * web framework can check in three lines.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SIGNATURE_HEADER = 'Dari-Signature';
export const WEBHOOK_ID_HEADER = 'Dari-Webhook-Id';
export const WEBHOOK_EVENT_HEADER = 'Dari-Webhook-Event';
/** Largest gap between a webhook's timestamp and the receiver's clock, in seconds. */
export const WEBHOOK_SIGNATURE_TOLERANCE_SECONDS = 300;
/** Bytes of a shop's webhook secret. */
export const WEBHOOK_SECRET_BYTES = 32;
const HEADER_PATTERN = /^t=([0-9]{1,12}),v1=([0-9a-f]{64})$/;

function mac(secret: Uint8Array, timestampSeconds: number, body: string): Buffer {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`, 'utf8').update(body, 'utf8').digest();
}

/** The `Dari-Signature` header value for `body` sent at `timestampSeconds`. */
export function signWebhook(input: { readonly secret: Uint8Array; readonly timestampSeconds: number; readonly body: string }): string {
  if (!Number.isSafeInteger(input.timestampSeconds) || input.timestampSeconds < 0) throw new Error('assertion failed: a webhook timestamp is whole seconds');
  return `t=${input.timestampSeconds},v1=${mac(input.secret, input.timestampSeconds, input.body).toString('hex')}`;
}

export type WebhookVerification = { readonly ok: true; readonly timestampSeconds: number } | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/** Checks a received webhook: the header's form, the timestamp within the tolerance of `nowSeconds`, and the HMAC, compared in constant time. */
export function verifyWebhook(input: {
  readonly secret: Uint8Array;
  readonly header: string | undefined | null;
  readonly body: string;
  readonly nowSeconds: number;
  readonly toleranceSeconds?: number;
}): WebhookVerification {
  if (input.header === undefined || input.header === null || input.header === '') return { ok: false, reason: 'missing' };
  const match = HEADER_PATTERN.exec(input.header);
  if (match === null) return { ok: false, reason: 'malformed' };
  const timestampSeconds = Number(match[1]);
  if (Math.abs(input.nowSeconds - timestampSeconds) > (input.toleranceSeconds ?? WEBHOOK_SIGNATURE_TOLERANCE_SECONDS)) return { ok: false, reason: 'stale' };
  const expected = mac(input.secret, timestampSeconds, input.body);
  const given = Buffer.from(match[2]!, 'hex');
  return timingSafeEqual(expected, given) ? { ok: true, timestampSeconds } : { ok: false, reason: 'mismatch' };
}
