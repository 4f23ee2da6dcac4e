/**
 * The wallet provider's hosted cashier (ADR 13): where a shop sends a buyer
 * with the acquirer's signed checkout ticket. The page shows the merchant and
 * the price in KRW and, at the network's current rate, in CNY; the buyer
 * signs in with the phone they signed up with and their payment PIN, which is
 * the confirmation; the wallet then pays the ticket's order QR exactly as a
 * scan-to-pay (`payByScan`, ADR 8: one money path) and sends the buyer back to
 * the shop's return URL with the outcome. Plain HTML forms, no JavaScript;
 * the form posts carry a CSRF token bound to a cookie.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { currency, parseRate, type Amount } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { KeyDirectory } from '../platform/signing/index.ts';
import { payAmountFor, verifyCheckoutTicket, type CheckoutTicket, type PeerClient } from '../protocol/index.ts';
import { decodeMerchantQr, isDariMerchant } from '../qr/index.ts';
import { newPinHash, normalisePhone, PIN_ATTEMPTS_MAX, PIN_LOCK_MS, PIN_PATTERN, pinMatches, weakPin, type WeakPinReason } from './cashier-pin.ts';
import type { CashierStore } from './cashier-store.ts';
import type { WalletError } from './errors.ts';
import type { MpmAnswer } from './payments.ts';
import type { WalletStore } from './store.ts';
import type { User } from './types.ts';

/** How long the page waits for the network's rate before showing the price without it, in ms. */
export const CASHIER_RATE_TIMEOUT_MS = 2_000;
/** Bytes of the random value in the CSRF cookie. */
export const CSRF_NONCE_BYTES = 16;
/** Bytes of the random id of one rendering of the form: the scan-to-pay request id, so that a double submit pays once. */
export const ATTEMPT_ID_BYTES = 16;
export const ATTEMPT_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

const KRW = currency('KRW');
const CNY = currency('CNY');

/** A ticket the page can show: checked, and its QR decoded to merchant and price. */
export interface CashierOrder {
  readonly ticket: CheckoutTicket;
  readonly merchantName: string;
  readonly merchantCity: string;
  readonly price: Amount;
  readonly expiresAtMs: number;
}

export type TicketProblem = { readonly kind: 'invalid' } | { readonly kind: 'expired'; readonly ticket: CheckoutTicket };

export type SignInProblem = { readonly kind: 'wrong'; readonly attemptsLeft: number | null } | { readonly kind: 'locked'; readonly untilMs: number };

export type SetPinProblem = { readonly kind: 'weak-pin'; readonly reason: WeakPinReason } | { readonly kind: 'phone-in-use' };

export interface CashierDeps {
  readonly store: WalletStore;
  readonly cashier: CashierStore;
  readonly network: PeerClient;
  readonly keys: KeyDirectory;
  readonly now: () => Date;
  /** Keys the CSRF tokens; derived from a wallet secret, so tokens survive a restart. */
  readonly csrfKey: Buffer;
  readonly payByScan: (user: User, request: { readonly requestId: string; readonly qrPayload: string }) => Promise<Result<MpmAnswer, WalletError>>;
}

/** The CSRF key from a wallet secret, with HKDF and a label of its own (the secret's other use never sees these bytes). */
export function cashierCsrfKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'dari wallet cashier csrf v1', 32));
}

export function createCashier(deps: CashierDeps) {
  const { cashier, now } = deps;
  // Spent on an unknown phone, so that a wrong phone takes as long as a wrong PIN.
  const decoy = newPinHash('000000');

  return {
    /** Checks the ticket's signature and reads its QR; an expired one is told apart, so the buyer can still go back. */
    openTicket(text: string): Result<CashierOrder, TicketProblem> {
      const verified = verifyCheckoutTicket(text, deps.keys);
      if (!verified.ok) return err({ kind: 'invalid' });
      const ticket = verified.value;
      const qr = decodeMerchantQr(ticket.qrPayload);
      // The acquirer signed a dynamic dari QR in KRW; anything else is not a ticket we pay.
      if (!qr.ok || !isDariMerchant(qr.value) || qr.value.currency !== KRW || qr.value.amount === undefined || qr.value.dari.orderReference === undefined) return err({ kind: 'invalid' });
      const expiresAtMs = Date.parse(ticket.expiresAt);
      if (expiresAtMs <= now().getTime()) return err({ kind: 'expired', ticket });
      return ok({ ticket, merchantName: qr.value.merchantName, merchantCity: qr.value.merchantCity, price: qr.value.amount, expiresAtMs });
    },

    /** What the price costs in CNY at the rate the network would lock now; null when the network has none or does not answer in time. */
    async quote(price: Amount): Promise<{ readonly amount: Amount; readonly rate: string } | null> {
      const outcome = await deps.network.call('networkInquiryExchangeRate', { baseCurrency: CNY, quoteCurrency: KRW }, { timeoutMs: CASHIER_RATE_TIMEOUT_MS });
      if (outcome.kind !== 'answered' || outcome.response.result.resultStatus !== 'S' || outcome.response.fxQuote === undefined) return null;
      const rate = parseRate(outcome.response.fxQuote.rate, { base: CNY, quote: KRW });
      if (!rate.ok) return null;
      const charge = payAmountFor(price, rate.value);
      return charge.ok ? { amount: charge.value, rate: outcome.response.fxQuote.rate } : null;
    },

    /** Sets the signed-in user's PIN; the phone it signs in with is the user's own. */
    async setPin(user: User, pin: string): Promise<Result<{ readonly phone: string }, SetPinProblem>> {
      const weak = weakPin(pin);
      if (weak !== null) return err({ kind: 'weak-pin', reason: weak });
      const phone = normalisePhone(user.phone);
      const { hash, salt } = await newPinHash(pin);
      const set = await cashier.setPin({ userId: user.userId, phone, hash, salt, atMs: now().getTime() });
      return set === 'set' ? ok({ phone }) : err({ kind: 'phone-in-use' });
    },

    /** Phone and PIN to the user, counting the attempt first (`cashier-store.ts`). */
    async signIn(phoneText: string, pin: string): Promise<Result<User, SignInProblem>> {
      const stored = await cashier.pinOfPhone(normalisePhone(phoneText));
      if (stored === null || !PIN_PATTERN.test(pin)) {
        await pinMatches(PIN_PATTERN.test(pin) ? pin : '000000', await decoy);
        return err({ kind: 'wrong', attemptsLeft: null });
      }
      const atMs = now().getTime();
      const reserved = await cashier.reservePinAttempt(stored.userId, { atMs, attemptsMax: PIN_ATTEMPTS_MAX, lockMs: PIN_LOCK_MS });
      if (reserved.kind === 'locked') return err({ kind: 'locked', untilMs: reserved.untilMs });
      if (!(await pinMatches(pin, stored))) {
        const left = PIN_ATTEMPTS_MAX - reserved.attempt;
        return left > 0 ? err({ kind: 'wrong', attemptsLeft: left }) : err({ kind: 'locked', untilMs: atMs + PIN_LOCK_MS });
      }
      await cashier.clearPinAttempts(stored.userId);
      const user = await deps.store.userById(stored.userId);
      if (user === undefined) throw new Error(`assertion failed: the user ${stored.userId} of a PIN exists`);
      return ok(user);
    },

    /** Pays the order: the very scan-to-pay of the wallet app, idempotent on the form's attempt id. */
    pay(user: User, order: CashierOrder, attemptId: string): Promise<Result<MpmAnswer, WalletError>> {
      return deps.payByScan(user, { requestId: `cashier-${attemptId}`, qrPayload: order.ticket.qrPayload });
    },

    newNonce: (): string => randomBytes(CSRF_NONCE_BYTES).toString('base64url'),
    newAttemptId: (): string => randomBytes(ATTEMPT_ID_BYTES).toString('base64url'),
    csrfToken: (nonce: string): string => createHmac('sha256', deps.csrfKey).update(nonce).digest('base64url'),
    csrfValid(nonce: string | undefined, token: string | undefined): boolean {
      if (nonce === undefined || token === undefined || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) return false;
      const expected = Buffer.from(createHmac('sha256', deps.csrfKey).update(nonce).digest('base64url'));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

export type Cashier = ReturnType<typeof createCashier>;
