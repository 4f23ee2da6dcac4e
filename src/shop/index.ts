/**
 * A tiny duty-free web shop, the demo's online merchant (issue 6): a buyer
 * picks an item, the shop creates a checkout session at the acquirer with its
 * terminal key and sends the buyer to the wallet's cashier; the buyer comes
 * back to `/shop/return`, where the shop asks the acquirer what happened (the
 * return URL's `status` is a hint, never trusted), and the acquirer's signed
 * webhook at `/shop/webhooks` marks the order paid even if the buyer never
 * comes back. A merchant's app beside dari: it talks to the acquirer over its
 * public HTTP API only. See README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { verifyWebhook, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, type FetchFunction } from '../protocol/index.ts';
import { CATALOG, catalogPage, errorPage, orderPage, SHOP_CSS_PATH } from './pages.ts';
import { openShopStore, type ShopCredentials, type ShopOrder, type ShopStore } from './store.ts';

export { CATALOG, type CatalogItem } from './pages.ts';
export type { ShopCredentials, ShopOrder } from './store.ts';

/** Orders listed on the shop's front page. */
export const RECENT_ORDERS_SHOWN_MAX = 10;
/** Largest webhook body the shop reads, in bytes. */
export const WEBHOOK_BODY_BYTES_MAX = 16 * 1024;
/** How long the shop waits for the acquirer, in ms. */
export const ACQUIRER_TIMEOUT_MS = 10_000;
const CSS = readFileSync(new URL('./shop.css', import.meta.url), 'utf8');

export interface ShopOptions {
  /** Holds `shop.db`. */
  readonly dataDir: string;
  /** The acquirer's base URL (its public API). */
  readonly acquirerUrl: string | (() => string);
  /** The shop's own base URL as a browser reaches it, e.g. `http://127.0.0.1:3000/shop`: return and notify URLs are built on it. */
  readonly publicUrl: string | (() => string);
  readonly now?: () => Date;
  readonly fetch?: FetchFunction;
}

export interface ShopInstance {
  /** Routes under `/shop/`; mount with `root.route('/', shop.app)`. */
  readonly app: Hono;
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

export function createShop(options: ShopOptions): ShopInstance {
  mkdirSync(options.dataDir, { recursive: true });
  const store: ShopStore = openShopStore(join(options.dataDir, 'shop.db'));
  const now = options.now ?? (() => new Date());
  const fetchFn: FetchFunction = options.fetch ?? ((url, init) => fetch(url, init));
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
  const html = (c: Context, body: string, status: 200 | 400 | 404 | 502 | 503 = 200) => {
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'self'; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'");
    c.header('Cache-Control', 'no-store');
    return c.html(body, status);
  };

  app.get('/shop', (c) => c.redirect('/shop/', 301));
  app.get('/shop/', (c) => html(c, catalogPage({ configured: store.credentials() !== null, recent: store.recentOrders(RECENT_ORDERS_SHOWN_MAX) })));
  app.get(SHOP_CSS_PATH, (c) => c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }));

  app.post('/shop/orders', async (c) => {
    if (store.credentials() === null) return html(c, errorPage('The shop is not set up yet.'), 503);
    const form = await c.req.parseBody();
    const item = CATALOG.find((i) => i.itemId === form.item);
    if (item === undefined) return html(c, errorPage('No such item.'), 400);
    const order = store.insertOrder({ orderId: `HB-${randomBytes(6).toString('hex').toUpperCase()}`, itemId: item.itemId, amountKrw: item.priceKrw, createdAt: now().toISOString() });
    const base = resolve(options.publicUrl);
    const created = await acquirer('POST', '/acquirer/v1/checkout/sessions', {
      orderId: order.orderId,
      amount: { currency: 'KRW', value: item.priceKrw.toString() },
      returnUrl: `${base}/return?order=${order.orderId}`,
      notifyUrl: `${base}/webhooks`,
    });
    if (created.status !== 201 && created.status !== 200) return html(c, errorPage(`The payment could not be started (${String((created.json.error as { code?: string } | undefined)?.code ?? created.status)}).`), 502);
    const session = created.json as unknown as SessionView;
    store.setSession(order.orderId, session.sessionId);
    return c.redirect(session.cashierUrl, 303);
  });

  app.get('/shop/return', async (c) => {
    const order = store.getOrder(c.req.query('order') ?? '');
    if (order === null) return html(c, errorPage('No such order.'), 404);
    const refreshed = await refresh(order);
    const hint = c.req.query('status');
    const note = refreshed.status === 'AWAITING_PAYMENT' ? (hint === 'CANCELLED' ? 'You left the cashier without paying.' : 'We are waiting for the payment to be confirmed; this page refreshes itself.') : null;
    return html(c, orderPage(refreshed, CATALOG.find((i) => i.itemId === refreshed.itemId), note));
  });

  app.get('/shop/orders/:id', async (c) => {
    const order = store.getOrder(c.req.param('id'));
    if (order === null) return html(c, errorPage('No such order.'), 404);
    const refreshed = await refresh(order);
    return html(c, orderPage(refreshed, CATALOG.find((i) => i.itemId === refreshed.itemId), null));
  });

  app.post('/shop/webhooks', async (c) => {
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
