/**
 * The checkout ticket (ADR 13): how a buyer's browser carries an online
 * checkout session from the acquirer to the wallet provider's cashier page.
 *
 * The acquirer makes the session a dynamic order (a merchant-presented QR with
 * the amount and the order reference, ADR 6) and signs a ticket over it with
 * its Ed25519 key, the one that signs its protocol messages. The shop sends the
 * buyer to `<cashier URL>?ticket=<ticket>`; the wallet checks the signature
 * against its key directory before it shows anything, then pays the QR through
 * the ordinary user-initiated pay (ADR 8: one money path). Signed, the ticket
 * cannot be altered by whoever holds the link: not the amount or merchant the
 * page shows (they come from the QR inside), nor the return URL the wallet
 * sends the buyer to afterwards (no open redirect).
 *
 * Form: `<payload>.<signature>`, both unpadded base64url; the payload is the
 * ticket's JSON, the signature is Ed25519 over `dari-checkout-ticket/1\n<payload>`
 * (the prefix keeps a ticket signature from ever being a protocol signature).
 */
import { sign, verify } from 'node:crypto';
import { z } from 'zod';
import { err, ok, type Result } from '../platform/result.ts';
import { CLIENT_ID_PATTERN, type KeyDirectory } from '../platform/signing/index.ts';
import { QR_CODE_VALUE_CHARS_MAX, requestIdSchema } from './messages.ts';
import type { SigningIdentity } from './signed-http.ts';

/** Longest ticket a wallet reads, in characters: a QR, a return URL and a few ids, base64url, with room to spare. */
export const CHECKOUT_TICKET_CHARS_MAX = 4096;
/** Longest return URL a shop may give, in characters; the wallet redirects the buyer there. */
export const CHECKOUT_RETURN_URL_CHARS_MAX = 1024;
export const CHECKOUT_TICKET_VERSION = 1;
const SIGNED_PREFIX = 'dari-checkout-ticket/1\n';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** An absolute http(s) URL without credentials or fragment, as a shop's return or notify URL must be. */
export const shopUrlSchema = z
  .string()
  .max(CHECKOUT_RETURN_URL_CHARS_MAX)
  .refine((text) => {
    const url = URL.canParse(text) ? new URL(text) : null;
    return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.hash === '';
  }, 'an absolute http(s) URL, without user, password or fragment');

export const checkoutTicketSchema = z.object({
  v: z.literal(CHECKOUT_TICKET_VERSION),
  /** The acquirer that signed it: its participant id and key version. */
  issuer: z.string().regex(CLIENT_ID_PATTERN),
  keyVersion: z.number().int().min(1),
  sessionId: requestIdSchema,
  /** The session's dynamic QR: merchant, amount in KRW and order reference. */
  qrPayload: z.string().min(1).max(QR_CODE_VALUE_CHARS_MAX),
  returnUrl: shopUrlSchema,
  expiresAt: z.iso.datetime(),
});
export type CheckoutTicket = z.infer<typeof checkoutTicketSchema>;

export type CheckoutTicketError = { readonly kind: 'malformed'; readonly message: string } | { readonly kind: 'bad-signature'; readonly message: string };

/** Signs a ticket with the acquirer's identity (which names the issuer and key version). */
export function signCheckoutTicket(fields: Omit<CheckoutTicket, 'v' | 'issuer' | 'keyVersion'>, identity: SigningIdentity): string {
  const ticket: CheckoutTicket = { v: CHECKOUT_TICKET_VERSION, issuer: identity.clientId, keyVersion: identity.keyVersion, ...fields };
  const payload = Buffer.from(JSON.stringify(checkoutTicketSchema.parse(ticket)), 'utf8').toString('base64url');
  const signature = sign(null, Buffer.from(SIGNED_PREFIX + payload, 'utf8'), identity.privateKey).toString('base64url');
  const text = `${payload}.${signature}`;
  if (text.length > CHECKOUT_TICKET_CHARS_MAX) throw new Error(`assertion failed: a checkout ticket fits CHECKOUT_TICKET_CHARS_MAX (${text.length})`);
  return text;
}

/**
 * Reads a ticket and checks its signature against the issuer's key in
 * `keys`. Says nothing about expiry: the caller compares `expiresAt` with its
 * own clock, so that an expired ticket can still send the buyer back.
 */
export function verifyCheckoutTicket(text: string, keys: KeyDirectory): Result<CheckoutTicket, CheckoutTicketError> {
  if (text.length > CHECKOUT_TICKET_CHARS_MAX) return err({ kind: 'malformed', message: 'the ticket is too long' });
  const [payload, signature, extra] = text.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined || !BASE64URL.test(payload) || !BASE64URL.test(signature)) {
    return err({ kind: 'malformed', message: 'a ticket is <payload>.<signature>, both base64url' });
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return err({ kind: 'malformed', message: 'the payload is not JSON' });
  }
  const parsed = checkoutTicketSchema.safeParse(json);
  if (!parsed.success) return err({ kind: 'malformed', message: `the payload is not a ticket: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
  const key = keys.lookup(parsed.data.issuer, parsed.data.keyVersion);
  if (key.found !== 'key') return err({ kind: 'bad-signature', message: `no key for ${parsed.data.issuer} version ${parsed.data.keyVersion}` });
  const bytes = Buffer.from(signature, 'base64url');
  // Canonical spelling only, as for protocol signatures: one ticket, one string.
  if (bytes.toString('base64url') !== signature || !verify(null, Buffer.from(SIGNED_PREFIX + payload, 'utf8'), key.publicKey, bytes)) {
    return err({ kind: 'bad-signature', message: 'the signature does not verify' });
  }
  return ok(parsed.data);
}
