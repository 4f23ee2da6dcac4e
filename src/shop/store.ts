/**
 * The demo shop's own small database (`shop.db`): its credentials at the
 * acquirer, its orders, and the webhook deliveries it has processed (so a
 * delivery sent twice is applied once). SQLite only: the shop is a merchant's
 * web app beside dari, not one of its institutions.
 */
import { migrateSqlite, openSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';

export type ShopOrderStatus = 'AWAITING_PAYMENT' | 'PAID' | 'EXPIRED';

export interface ShopOrder {
  readonly orderId: string;
  readonly itemId: string;
  readonly amountKrw: bigint;
  readonly status: ShopOrderStatus;
  readonly sessionId: string | null;
  readonly paymentId: string | null;
  readonly createdAt: string;
  readonly paidAt: string | null;
  /** The latest signed webhook about the order that verified, and when it arrived: proof the acquirer told the shop itself. */
  readonly notifiedEvent: string | null;
  readonly notifiedAt: string | null;
}

export interface ShopCredentials {
  /** The shop's terminal key at the acquirer. */
  readonly terminalKey: string;
  /** base64url of the 32-byte webhook key the acquirer gave it. */
  readonly webhookSecret: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    module: 'shop',
    version: 1,
    name: 'credentials, orders, processed webhooks',
    sql: `
CREATE TABLE shop_credentials (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  terminal_key TEXT NOT NULL,
  webhook_secret TEXT NOT NULL
);
CREATE TABLE shop_orders (
  order_id TEXT PRIMARY KEY,
  item_id TEXT NOT NULL,
  amount_krw INTEGER NOT NULL CHECK (amount_krw > 0),
  status TEXT NOT NULL CHECK (status IN ('AWAITING_PAYMENT', 'PAID', 'EXPIRED')),
  session_id TEXT UNIQUE,
  payment_id TEXT,
  created_at TEXT NOT NULL,
  paid_at TEXT,
  CHECK ((status = 'PAID') = (paid_at IS NOT NULL))
);
CREATE TABLE shop_webhooks (
  delivery_id TEXT PRIMARY KEY,
  received_at TEXT NOT NULL
);
`,
  },
  {
    module: 'shop',
    version: 2,
    name: 'the latest verified webhook of each order',
    sql: `
ALTER TABLE shop_orders ADD COLUMN notified_event TEXT;
ALTER TABLE shop_orders ADD COLUMN notified_at TEXT;
`,
  },
];

interface OrderRow {
  order_id: string;
  item_id: string;
  amount_krw: bigint;
  status: ShopOrderStatus;
  session_id: string | null;
  payment_id: string | null;
  created_at: string;
  paid_at: string | null;
  notified_event: string | null;
  notified_at: string | null;
}

const toOrder = (r: OrderRow): ShopOrder => ({
  orderId: r.order_id,
  itemId: r.item_id,
  amountKrw: r.amount_krw,
  status: r.status,
  sessionId: r.session_id,
  paymentId: r.payment_id,
  createdAt: r.created_at,
  paidAt: r.paid_at,
  notifiedEvent: r.notified_event,
  notifiedAt: r.notified_at,
});

export function openShopStore(path: string) {
  const db: SqliteDatabase = openSqlite(path);
  migrateSqlite(db, MIGRATIONS);
  const read = (orderId: string): ShopOrder | null => {
    const row = prepareCached(db, 'SELECT * FROM shop_orders WHERE order_id = ?').get(orderId) as OrderRow | undefined;
    return row ? toOrder(row) : null;
  };
  return {
    credentials(): ShopCredentials | null {
      const row = prepareCached(db, 'SELECT terminal_key, webhook_secret FROM shop_credentials').get() as { terminal_key: string; webhook_secret: string } | undefined;
      return row ? { terminalKey: row.terminal_key, webhookSecret: row.webhook_secret } : null;
    },
    setCredentials(c: ShopCredentials): void {
      prepareCached(db, 'INSERT INTO shop_credentials (one, terminal_key, webhook_secret) VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET terminal_key = excluded.terminal_key, webhook_secret = excluded.webhook_secret').run(c.terminalKey, c.webhookSecret);
    },
    insertOrder(order: { readonly orderId: string; readonly itemId: string; readonly amountKrw: bigint; readonly createdAt: string }): ShopOrder {
      prepareCached(db, `INSERT INTO shop_orders (order_id, item_id, amount_krw, status, created_at) VALUES (?, ?, ?, 'AWAITING_PAYMENT', ?)`).run(order.orderId, order.itemId, order.amountKrw, order.createdAt);
      return read(order.orderId)!;
    },
    getOrder: read,
    setSession(orderId: string, sessionId: string): void {
      prepareCached(db, 'UPDATE shop_orders SET session_id = ? WHERE order_id = ? AND session_id IS NULL').run(sessionId, orderId);
    },
    /** Marks the order paid (once; a later word changes nothing) or expired (only while awaiting payment). */
    settle(orderId: string, outcome: { readonly kind: 'paid'; readonly paymentId: string; readonly at: string } | { readonly kind: 'expired' }): ShopOrder | null {
      if (outcome.kind === 'paid') {
        prepareCached(db, `UPDATE shop_orders SET status = 'PAID', payment_id = ?, paid_at = ? WHERE order_id = ? AND status <> 'PAID'`).run(outcome.paymentId, outcome.at, orderId);
      } else {
        prepareCached(db, `UPDATE shop_orders SET status = 'EXPIRED' WHERE order_id = ? AND status = 'AWAITING_PAYMENT'`).run(orderId);
      }
      return read(orderId);
    },
    /** Notes the verified webhook that just told the shop about the order. */
    noteWebhook(orderId: string, event: string, at: string): void {
      prepareCached(db, 'UPDATE shop_orders SET notified_event = ?, notified_at = ? WHERE order_id = ?').run(event, at, orderId);
    },
    /** Records a webhook delivery; false when it was processed before. */
    firstDelivery(deliveryId: string, at: string): boolean {
      return prepareCached(db, 'INSERT INTO shop_webhooks (delivery_id, received_at) VALUES (?, ?) ON CONFLICT (delivery_id) DO NOTHING').run(deliveryId, at).changes === 1;
    },
    recentOrders(limit: number): readonly ShopOrder[] {
      return (prepareCached(db, 'SELECT * FROM shop_orders ORDER BY created_at DESC, order_id DESC LIMIT ?').all(limit) as OrderRow[]).map(toOrder);
    },
    close(): void {
      db.close();
    },
  };
}

export type ShopStore = ReturnType<typeof openShopStore>;
