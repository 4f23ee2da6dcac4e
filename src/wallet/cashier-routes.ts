/**
 * The hosted cashier's routes (HTML, for a buyer's browser) and the wallet
 * app's PIN route (JSON, bearer user token). Thin: read the form, call the
 * cashier, render a page or redirect.
 */
import { readFileSync } from 'node:fs';
import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { apiError, bearerToken, MISSING_BEARER, parseJsonBody, type RouteDoc } from '../platform/http/contract.ts';
import { PIN_PATTERN } from './cashier-pin.ts';
import { negotiateLocale } from '../platform/locale.ts';
import { checkoutPage, CASHIER_CSS_PATH, MESSAGES, messagePage, type CashierLocale, type CashierMessages } from './cashier-page.ts';
import { ATTEMPT_ID_PATTERN, type Cashier, type CashierOrder, type SignInProblem } from './cashier.ts';
import type { WalletError } from './errors.ts';
import type { AccountService } from './service.ts';

export const CASHIER_PATH = '/wallet/cashier';
export const CASHIER_PAY_PATH = '/wallet/cashier/pay';
const CSRF_COOKIE = 'dari_cashier';
/** How long the CSRF cookie lives, in seconds: longer than any session (an hour at most). */
const CSRF_COOKIE_SECONDS = 2 * 3_600;
/** Largest form the cashier reads, in bytes: a ticket, a phone, a PIN and three ids. */
export const CASHIER_FORM_BYTES_MAX = 8 * 1024;
const CSS = readFileSync(new URL('./cashier.css', import.meta.url), 'utf8');

export const pinRequestSchema = z.object({ pin: z.string().regex(PIN_PATTERN, 'six digits') });
export const pinResponseSchema = z.object({ pinSet: z.literal(true), phone: z.string().meta({ description: 'the phone number the PIN signs in with at the cashier' }) });

/** The return URL with the outcome; the shop must confirm it with the acquirer before it acts on it. */
function returnLink(returnUrl: string, sessionId: string, status: 'SUCCESS' | 'PROCESSING' | 'EXPIRED' | 'CANCELLED'): string {
  const url = new URL(returnUrl);
  url.searchParams.set('checkoutSessionId', sessionId);
  url.searchParams.set('status', status);
  return url.toString();
}

function securityHeaders(c: Context, returnUrl: string | null): void {
  // The form posts here and is answered with a redirect to the shop: form-action must allow both.
  const formAction = returnUrl === null ? "'self'" : `'self' ${new URL(returnUrl).origin}`;
  c.header('Content-Security-Policy', `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`);
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the form's POST, which the
  // origin check below must refuse; same-origin still sends the shop (another origin) no referrer, so no ticket.
  c.header('Referrer-Policy', 'same-origin');
  c.header('Cache-Control', 'no-store');
}

function refusalMessage(m: CashierMessages, error: WalletError): string {
  switch (error.kind) {
    case 'insufficient-balance':
      return m.insufficient;
    case 'limit-exceeded':
      return m.limit;
    case 'payment-refused':
      return /ORDER_IS_CLOSED|ORDER_NOT_EXIST/.test(error.message) ? m.closed : m.refused;
    default:
      return m.refused;
  }
}

function signInMessage(m: CashierMessages, problem: SignInProblem, nowMs: number): string {
  if (problem.kind === 'locked') return m.locked(Math.max(1, Math.ceil((problem.untilMs - nowMs) / 60_000)));
  return problem.attemptsLeft === null ? m.unknownPhone : m.wrongPin(problem.attemptsLeft);
}

export function mountCashierRoutes(app: Hono, deps: { readonly cashier: Cashier; readonly accounts: AccountService; readonly now: () => Date }): void {
  const { cashier, now } = deps;

  /** The CSRF cookie's value, set now if the browser has none. */
  const nonceFor = (c: Context): string => {
    const existing = getCookie(c, CSRF_COOKIE);
    if (existing !== undefined && /^[A-Za-z0-9_-]{16,64}$/.test(existing)) return existing;
    const nonce = cashier.newNonce();
    setCookie(c, CSRF_COOKIE, nonce, { path: CASHIER_PATH, httpOnly: true, sameSite: 'Strict', maxAge: CSRF_COOKIE_SECONDS, secure: new URL(c.req.url).protocol === 'https:' });
    return nonce;
  };
  const languageLink = (ticket: string | null) => (locale: CashierLocale) => `${CASHIER_PATH}?${new URLSearchParams({ ...(ticket === null ? {} : { ticket }), lang: locale }).toString()}`;

  const renderCheckout = async (c: Context, input: { locale: CashierLocale; order: CashierOrder; ticketText: string; error: string | null; phone: string; status: 200 | 401 | 403 | 422 | 423 }): Promise<Response> => {
    const { order } = input;
    securityHeaders(c, order.ticket.returnUrl);
    const html = checkoutPage({
      locale: input.locale,
      languageLink: languageLink(input.ticketText),
      merchantName: order.merchantName,
      merchantCity: order.merchantCity,
      price: order.price,
      charge: await cashier.quote(order.price),
      minutesLeft: Math.max(1, Math.ceil((order.expiresAtMs - now().getTime()) / 60_000)),
      error: input.error,
      form: { action: CASHIER_PAY_PATH, ticket: input.ticketText, csrf: cashier.csrfToken(nonceFor(c)), attemptId: cashier.newAttemptId(), phone: input.phone },
      backLink: returnLink(order.ticket.returnUrl, order.ticket.sessionId, 'CANCELLED'),
    });
    return c.html(html, input.status);
  };

  /** The ticket opened, or the page that says why not (an expired one still leads back to the shop). */
  const open = (c: Context, locale: CashierLocale, ticketText: string): { order: CashierOrder } | { page: Response } => {
    const opened = cashier.openTicket(ticketText);
    if (opened.ok) return { order: opened.value };
    const m = MESSAGES[locale];
    if (opened.error.kind === 'expired') {
      const { ticket } = opened.error;
      securityHeaders(c, ticket.returnUrl);
      return { page: c.html(messagePage({ locale, languageLink: languageLink(ticketText), message: m.expired, backLink: returnLink(ticket.returnUrl, ticket.sessionId, 'EXPIRED') }), 410) };
    }
    securityHeaders(c, null);
    return { page: c.html(messagePage({ locale, languageLink: languageLink(null), message: m.badTicket, backLink: null }), 400) };
  };

  app.get(CASHIER_PATH, async (c) => {
    const locale = negotiateLocale({ query: c.req.query('lang'), acceptLanguage: c.req.header('accept-language') });
    const ticketText = c.req.query('ticket') ?? '';
    const opened = open(c, locale, ticketText);
    if ('page' in opened) return opened.page;
    return renderCheckout(c, { locale, order: opened.order, ticketText, error: null, phone: '', status: 200 });
  });

  app.post(CASHIER_PAY_PATH, async (c) => {
    const declared = Number(c.req.header('content-length') ?? 'NaN');
    const form = Number.isFinite(declared) && declared <= CASHIER_FORM_BYTES_MAX ? await c.req.parseBody() : {};
    const field = (name: string): string => (typeof form[name] === 'string' ? form[name] : '');
    const locale = negotiateLocale({ query: field('lang'), acceptLanguage: c.req.header('accept-language') });
    const m = MESSAGES[locale];
    const ticketText = field('ticket');
    const opened = open(c, locale, ticketText);
    if ('page' in opened) return opened.page;
    const { order } = opened;
    const phone = field('phone').slice(0, 24);
    const render = (error: string, status: 401 | 403 | 422 | 423) => renderCheckout(c, { locale, order, ticketText, error, phone, status });

    // A form from this page only: the cookie's nonce and its MAC in the form, and no other origin.
    const origin = c.req.header('origin');
    const sameOrigin = origin === undefined || (URL.canParse(origin) && new URL(origin).host === c.req.header('host'));
    if (!sameOrigin || !cashier.csrfValid(getCookie(c, CSRF_COOKIE), field('csrf')) || !ATTEMPT_ID_PATTERN.test(field('attempt'))) return render(m.formExpired, 403);

    const signedIn = await cashier.signIn(phone, field('pin'));
    if (!signedIn.ok) return render(signInMessage(m, signedIn.error, now().getTime()), signedIn.error.kind === 'locked' ? 423 : 401);
    const paid = await cashier.pay(signedIn.value, order, field('attempt'));
    if (!paid.ok) return render(refusalMessage(m, paid.error), 422);
    securityHeaders(c, order.ticket.returnUrl);
    return c.redirect(returnLink(order.ticket.returnUrl, order.ticket.sessionId, paid.value.status), 303);
  });

  app.get(CASHIER_CSS_PATH, (c) => c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff' }));

  app.put('/wallet/v1/pin', async (c) => {
    const token = bearerToken(c);
    if (token === undefined) return apiError(c, MISSING_BEARER);
    const user = await deps.accounts.authenticate(token);
    if (user === undefined) return apiError(c, { status: 401, code: 'UNAUTHENTICATED', message: 'the token is not valid' });
    const body = await parseJsonBody(c, pinRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    const set = await cashier.setPin(user, body.value.pin);
    if (set.ok) return c.json({ pinSet: true, phone: set.value.phone });
    return set.error.kind === 'weak-pin'
      ? apiError(c, { status: 422, code: 'WEAK_PIN', message: set.error.reason === 'repeated' ? 'a PIN of one digit six times is too easy to guess' : 'a run of digits up or down is too easy to guess' })
      : apiError(c, { status: 409, code: 'PHONE_IN_USE', message: "another account's PIN signs in with this phone number" });
  });
}

export const CASHIER_ROUTE_DOCS: readonly RouteDoc[] = [
  {
    method: 'put',
    path: '/wallet/v1/pin',
    summary: "Set the payment PIN (six digits; not one digit repeated, not a run) the user confirms online payments with at the hosted cashier, with their phone number; five wrong PINs lock it for 15 minutes",
    tag: 'wallet',
    security: 'userToken',
    request: pinRequestSchema,
    response: pinResponseSchema,
    errors: [
      { status: 401, code: 'UNAUTHENTICATED' },
      { status: 400, code: 'INVALID_REQUEST' },
      { status: 422, code: 'WEAK_PIN' },
      { status: 409, code: 'PHONE_IN_USE' },
    ],
  },
  { method: 'get', path: CASHIER_PATH, summary: "The hosted cashier page (text/html) for a checkout ticket signed by an acquirer (?ticket=…&lang=ko|zh|en): the merchant, the price in KRW and in CNY, phone and PIN to confirm", tag: 'wallet (cashier)' },
  {
    method: 'post',
    path: CASHIER_PAY_PATH,
    summary: "The cashier's form (application/x-www-form-urlencoded: ticket, csrf, attempt, lang, phone, pin): pays and answers 303 to the shop's return URL with checkoutSessionId and status, or the page again with the reason (401 wrong PIN, 403 stale form, 422 refused, 423 locked)",
    tag: 'wallet (cashier)',
  },
  { method: 'get', path: CASHIER_CSS_PATH, summary: "The cashier's stylesheet", tag: 'wallet (cashier)' },
];
