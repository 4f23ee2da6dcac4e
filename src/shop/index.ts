/**
 * A small web shop, the demo's online merchants (issue 6): a buyer picks an
 * item, the shop creates a checkout session at the acquirer with its
 * terminal key and sends the buyer to the wallet's cashier; the buyer comes
 * back to `<path>/return`, where the shop asks the acquirer what happened
 * (the return URL's `status` is a hint, never trusted), and the acquirer's
 * signed webhook at `<path>/webhooks` marks the order paid even if the buyer
 * never comes back. A merchant's app beside dari: it talks to the acquirer
 * over its public HTTP API only. One module serves any number of shops, each
 * from its profile (path, name, catalogue) and its own database. See README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { requestLocale } from '../platform/http/locale.ts';
import type { Locale, Localised } from '../platform/locale.ts';
import { verifyWebhook, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, type FetchFunction } from '../protocol/index.ts';
import { CATALOGUE_ITEMS_MAX, cataloguePage, errorPage, orderPage, shopMessages, type PageContext, type ShopProfile } from './pages.ts';
import { openShopStore, type ShopCredentials, type ShopOrder, type ShopStore } from './store.ts';

export { CATALOGUE_ITEMS_MAX, type CatalogueItem, type ShopProfile } from './pages.ts';
export type { ShopCredentials, ShopOrder } from './store.ts';

/** Orders listed on the shop's front page. */
export const RECENT_ORDERS_SHOWN_MAX = 10;
/** Largest webhook body the shop reads, in bytes. */
export const WEBHOOK_BODY_BYTES_MAX = 16 * 1024;
/** How long the shop waits for the acquirer, in ms. */
export const ACQUIRER_TIMEOUT_MS = 10_000;
const CSS = readFileSync(new URL('./shop.css', import.meta.url), 'utf8');
const PATH = /^\/[a-z][a-z0-9-]{0,31}$/;
const ITEM_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const ORDER_ID_PREFIX = /^[A-Z]{2,4}$/;
const ACCENT = /^#[0-9a-f]{6}$/;

export interface ShopOptions {
  /** Which shop: where it is served, its name, its catalogue. */
  readonly profile: ShopProfile;
  /** Holds `shop.db`; one folder per shop. */
  readonly dataDir: string;
  /** The acquirer's base URL (its public API). */
  readonly acquirerUrl: string | (() => string);
  /** The server's base URL as a browser reaches it, e.g. `http://127.0.0.1:3000`: the shop's return and notify URLs are built on it and its path. */
  readonly publicUrl: string | (() => string);
  readonly now?: () => Date;
  readonly fetch?: FetchFunction;
}

export interface ShopInstance {
  /** Routes under the profile's path; mount with `root.route('/', shop.app)`. */
  readonly app: Hono;
  /** Where the shop is served, e.g. `/shop` (its front page is `/shop/`). */
  readonly path: string;
  readonly name: Localised;
  /** Gives the shop its terminal key and webhook secret (the demo seed does). */
  configure(credentials: ShopCredentials): void;
  readonly configured: boolean;
  getOrder(orderId: string): ShopOrder | null;
  close(): Promise<void>;
}

interface SessionView {
  readonly sessionId: string;
  readonly orderId: string;
  readonly status: 'OPEN' | 'PAYING' | 'PAID' | 'EXPIRED';
  readonly cashierUrl: string;
  readonly payment?: { readonly paymentId: string; readonly status: string; readonly paidAt?: string };
}

const resolve = (value: string | (() => string)): string => (typeof value === 'string' ? value : value());

/** A profile that would make a broken shop is a bug in its caller: it fails at start, never at a buyer. */
function assertProfile(profile: ShopProfile): void {
  const fail = (why: string): never => {
    throw new Error(`assertion failed: shop ${profile.path}: ${why}`);
  };
  if (!PATH.test(profile.path)) fail('the path is one lower-case segment, such as /shop');
  if (!ORDER_ID_PREFIX.test(profile.orderIdPrefix)) fail('the order id prefix is 2 to 4 capital letters');
  if (!ACCENT.test(profile.accent)) fail('the accent is #rrggbb in lower case');
  if (profile.catalogue.length === 0 || profile.catalogue.length > CATALOGUE_ITEMS_MAX) fail(`the catalogue holds 1 to ${CATALOGUE_ITEMS_MAX} items`);
  if (new Set(profile.catalogue.map((i) => i.itemId)).size !== profile.catalogue.length) fail('item ids are unique');
  for (const item of profile.catalogue) {
    if (!ITEM_ID.test(item.itemId)) fail(`item id ${item.itemId} is lower-case letters, digits and dashes`);
    if (item.priceKrw <= 0n) fail(`${item.itemId} has a price above zero`);
  }
}

export function createShop(options: ShopOptions): ShopInstance {
  const { profile } = options;
  assertProfile(profile);
  const base = profile.path;
  mkdirSync(options.dataDir, { recursive: true });
  const store: ShopStore = openShopStore(join(options.dataDir, 'shop.db'));
  const now = options.now ?? (() => new Date());
  const fetchFn: FetchFunction = options.fetch ?? ((url, init) => fetch(url, init));
  // The shop's colour first, then the sheet every shop shares.
  const css = `:root { --accent: ${profile.accent}; }\n${CSS}`;
  const app = new Hono();

  const acquirer = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const credentials = store.credentials();
    if (credentials === null) throw new Error('assertion failed: the shop is configured before it calls the acquirer');
    const response = await fetchFn(`${resolve(options.acquirerUrl)}${path}`, {
      method,
      headers: { Authorization: `Bearer ${credentials.terminalKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(ACQUIRER_TIMEOUT_MS),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  /** What the acquirer says about the order's session, applied to the order. */
  const refresh = async (order: ShopOrder): Promise<ShopOrder> => {
    if (order.sessionId === null || order.status !== 'AWAITING_PAYMENT') return order;
    const read = await acquirer('GET', `/acquirer/v1/checkout/sessions/${encodeURIComponent(order.sessionId)}`);
    if (read.status !== 200) return order;
    return apply(order.orderId, read.json as unknown as SessionView) ?? order;
  };
  const apply = (orderId: string, session: Pick<SessionView, 'status' | 'payment'>): ShopOrder | null => {
    if (session.status === 'PAID' && session.payment !== undefined) return store.settle(orderId, { kind: 'paid', paymentId: session.payment.paymentId, at: session.payment.paidAt ?? now().toISOString() });
    if (session.status === 'EXPIRED') return store.settle(orderId, { kind: 'expired' });
    return store.getOrder(orderId);
  };
  /** This page in another language: its own address with `lang` set, or the front page's for a page a form posted. */
  const pageContext = (c: Context, locale: Locale): PageContext => ({
    profile,
    locale,
    languageLink: (l) => {
      if (c.req.method !== 'GET') return `${base}/?lang=${l}`;
      const query = new URLSearchParams(new URL(c.req.url).search);
      query.set('lang', l);
      return `${c.req.path}?${query.toString()}`;
    },
  });
  const html = (c: Context, body: string, status: 200 | 400 | 404 | 502 | 503 = 200) => {
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'self'; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'");
    c.header('Cache-Control', 'no-store');
    c.header('Vary', 'Cookie, Accept-Language');
    return c.html(body, status);
  };

  app.get(base, (c) => c.redirect(`${base}/`, 301));
  app.get(`${base}/`, (c) => html(c, cataloguePage(pageContext(c, requestLocale(c)), { configured: store.credentials() !== null, recent: store.recentOrders(RECENT_ORDERS_SHOWN_MAX) })));
  app.get(`${base}/shop.css`, (c) => c.body(css, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }));

  app.post(`${base}/orders`, async (c) => {
    const form = await c.req.parseBody();
    const locale = requestLocale(c, { posted: typeof form.lang === 'string' ? form.lang : undefined });
    const page = pageContext(c, locale);
    const m = shopMessages(locale);
    if (store.credentials() === null) return html(c, errorPage(page, m.notSetUp), 503);
    const item = profile.catalogue.find((i) => i.itemId === form.item);
    if (item === undefined) return html(c, errorPage(page, m.noSuchItem), 400);
    const order = store.insertOrder({ orderId: `${profile.orderIdPrefix}-${randomBytes(6).toString('hex').toUpperCase()}`, itemId: item.itemId, amountKrw: item.priceKrw, createdAt: now().toISOString() });
    const shopUrl = `${resolve(options.publicUrl)}${base}`;
    const created = await acquirer('POST', '/acquirer/v1/checkout/sessions', {
      orderId: order.orderId,
      amount: { currency: 'KRW', value: item.priceKrw.toString() },
      returnUrl: `${shopUrl}/return?order=${order.orderId}&lang=${locale}`,
      notifyUrl: `${shopUrl}/webhooks`,
    });
    if (created.status !== 201 && created.status !== 200) return html(c, errorPage(page, m.notStarted(String((created.json.error as { code?: string } | undefined)?.code ?? created.status))), 502);
    const session = created.json as unknown as SessionView;
    store.setSession(order.orderId, session.sessionId);
    // The cashier speaks the buyer's language from the first page: the shop tells it which.
    const cashier = new URL(session.cashierUrl);
    cashier.searchParams.set('lang', locale);
    return c.redirect(cashier.toString(), 303);
  });

  app.get(`${base}/return`, async (c) => {
    const locale = requestLocale(c);
    const m = shopMessages(locale);
    const order = store.getOrder(c.req.query('order') ?? '');
    if (order === null) return html(c, errorPage(pageContext(c, locale), m.noSuchOrder), 404);
    const refreshed = await refresh(order);
    const hint = c.req.query('status');
    const note = refreshed.status === 'AWAITING_PAYMENT' ? (hint === 'CANCELLED' ? m.leftCashier : m.waiting) : null;
    return html(c, orderPage(pageContext(c, locale), refreshed, note));
  });

  app.get(`${base}/orders/:id`, async (c) => {
    const locale = requestLocale(c);
    const order = store.getOrder(c.req.param('id'));
    if (order === null) return html(c, errorPage(pageContext(c, locale), shopMessages(locale).noSuchOrder), 404);
    return html(c, orderPage(pageContext(c, locale), await refresh(order), null));
  });

  app.post(`${base}/webhooks`, async (c) => {
    const credentials = store.credentials();
    if (credentials === null) return c.body(null, 503);
    if (Number(c.req.header('content-length') ?? '0') > WEBHOOK_BODY_BYTES_MAX) return c.body(null, 413);
    const body = await c.req.text();
    const verified = verifyWebhook({ secret: Buffer.from(credentials.webhookSecret, 'base64url'), header: c.req.header(WEBHOOK_SIGNATURE_HEADER), body, nowSeconds: Math.floor(now().getTime() / 1000) });
    if (!verified.ok) return c.json({ error: verified.reason }, 401);
    const event = JSON.parse(body) as { id: string; type: string; data: { orderId: string; sessionId: string } & Pick<SessionView, 'status' | 'payment'> };
    const deliveryId = c.req.header(WEBHOOK_ID_HEADER) ?? event.id;
    // A delivery processed before is acknowledged again and not applied twice.
    if (!store.firstDelivery(deliveryId, now().toISOString())) return c.body(null, 204);
    const order = store.getOrder(event.data.orderId);
    if (order !== null && (order.sessionId === null || order.sessionId === event.data.sessionId)) {
      apply(order.orderId, event.data);
      store.noteWebhook(order.orderId, event.type, now().toISOString());
    }
    return c.body(null, 204);
  });

  return {
    app,
    path: base,
    name: profile.name,
    configure: (credentials) => store.setCredentials(credentials),
    get configured() {
      return store.credentials() !== null;
    },
    getOrder: (orderId) => store.getOrder(orderId),
    async close() {
      store.close();
    },
  };
}
