/**
 * The online checkout's tables on PostgreSQL: the same `CheckoutStore`, with
 * the same answers, as the SQLite one in `checkout-store.ts`. Each decision is
 * one statement (`INSERT … ON CONFLICT DO NOTHING`, `UPDATE … WHERE state =
 * 'pending'`), and webhooks are claimed with `FOR UPDATE SKIP LOCKED` (STYLE
 * 16), so that several acquirer processes on one database never send one
 * delivery twice at once.
 */
import { inPostgresTransaction, migratePostgres, type PostgresPool } from '../platform/db/postgres.ts';
import type { Migration } from '../platform/db/sqlite.ts';
import {
  SWEEP_WHERE,
  toClaimed,
  toSession,
  toWebhook,
  WEBHOOK_ERROR_CHARS_MAX,
  type CheckoutStore,
  type ClaimRow,
  type SessionRow,
  type WebhookRow,
} from './checkout-store.ts';
import { ACQUIRER_POSTGRES_MIGRATIONS, changesOf, rowsOf, type Queryable } from './store-postgres.ts';
import { toPayment, type PaymentRow } from './store.ts';

/** The SQLite schema of `CHECKOUT_MIGRATIONS` in PostgreSQL's types, every CHECK, UNIQUE and foreign key repeated; ids and instants `COLLATE "C"`. */
export const CHECKOUT_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    module: 'acquirer-checkout',
    version: 1,
    name: 'checkout sessions, webhook secrets, webhook deliveries',
    sql: `
CREATE TABLE checkout_sessions (
  session_id TEXT COLLATE "C" PRIMARY KEY,
  order_id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES orders (order_id),
  merchant_id TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  terminal_id TEXT COLLATE "C" NOT NULL REFERENCES terminals (terminal_id),
  merchant_order_id TEXT NOT NULL CHECK (char_length(merchant_order_id) BETWEEN 1 AND 48),
  amount_krw BIGINT NOT NULL CHECK (amount_krw > 0),
  return_url TEXT NOT NULL,
  notify_url TEXT NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  request_hash TEXT NOT NULL,
  closed_by TEXT CHECK (closed_by IS NULL OR closed_by IN ('checkout.paid', 'checkout.expired')),
  created_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (terminal_id, merchant_order_id)
);
CREATE INDEX checkout_sessions_open ON checkout_sessions (expires_at_ms) WHERE closed_by IS NULL;
CREATE TABLE checkout_webhook_secrets (
  terminal_id TEXT COLLATE "C" PRIMARY KEY REFERENCES terminals (terminal_id),
  secret BYTEA NOT NULL CHECK (octet_length(secret) = 32),
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE checkout_webhooks (
  delivery_id TEXT COLLATE "C" PRIMARY KEY,
  session_id TEXT COLLATE "C" NOT NULL REFERENCES checkout_sessions (session_id),
  event TEXT NOT NULL CHECK (event IN ('checkout.paid', 'checkout.payment_failed', 'checkout.expired')),
  payment_id TEXT COLLATE "C" REFERENCES payments (payment_id),
  body TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  next_attempt_at_ms BIGINT NOT NULL,
  last_error TEXT,
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  delivered_at TEXT COLLATE "C",
  CHECK ((state = 'delivered') = (delivered_at IS NOT NULL)),
  CHECK ((event = 'checkout.expired') = (payment_id IS NULL))
);
CREATE INDEX checkout_webhooks_due ON checkout_webhooks (next_attempt_at_ms) WHERE state = 'pending';
CREATE INDEX checkout_webhooks_by_state ON checkout_webhooks (state, delivery_id);
CREATE INDEX checkout_webhooks_by_payment ON checkout_webhooks (payment_id) WHERE payment_id IS NOT NULL;
`,
  },
];

/** Creates the acquirer's tables and the checkout's if needed, then the store; the caller owns (and ends) the pool. */
export async function createPostgresCheckoutStore(pool: PostgresPool): Promise<CheckoutStore> {
  await migratePostgres(pool, ACQUIRER_POSTGRES_MIGRATIONS);
  await migratePostgres(pool, CHECKOUT_POSTGRES_MIGRATIONS);
  const first = async <R>(on: Queryable, sql: string, ...values: unknown[]): Promise<R | undefined> => (await rowsOf<R>(on, sql, ...values))[0];
  const readWebhook = async (id: string) => {
    const row = await first<WebhookRow>(pool, 'SELECT * FROM checkout_webhooks WHERE delivery_id = $1', id);
    return row ? toWebhook(row) : null;
  };

  return {
    async insertSession(s) {
      // ON CONFLICT waits for a concurrent insert under the same (terminal, order id), then does nothing: one wins.
      const inserted = await first<SessionRow>(
        pool,
        `INSERT INTO checkout_sessions (session_id, order_id, merchant_id, terminal_id, merchant_order_id, amount_krw, return_url, notify_url,
           expires_at, expires_at_ms, request_hash, closed_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (terminal_id, merchant_order_id) DO NOTHING RETURNING *`,
        s.sessionId, s.orderId, s.merchantId, s.terminalId, s.merchantOrderId, s.amountKrw, s.returnUrl, s.notifyUrl, s.expiresAt, s.expiresAtMs, s.requestHash, s.closedBy, s.createdAt,
      );
      if (inserted) return { created: true, session: toSession(inserted) };
      const existing = await first<SessionRow>(pool, 'SELECT * FROM checkout_sessions WHERE terminal_id = $1 AND merchant_order_id = $2', s.terminalId, s.merchantOrderId);
      if (!existing) throw new Error(`assertion failed: the session that took (${s.terminalId}, ${s.merchantOrderId}) exists`);
      return { created: false, session: toSession(existing) };
    },
    async getSession(id) {
      const row = await first<SessionRow>(pool, 'SELECT * FROM checkout_sessions WHERE session_id = $1', id);
      return row ? toSession(row) : null;
    },
    async sessionOfOrder(orderId) {
      const row = await first<SessionRow>(pool, 'SELECT * FROM checkout_sessions WHERE order_id = $1', orderId);
      return row ? toSession(row) : null;
    },
    async sessionsToSweep(expiredBeforeMs, limit) {
      const rows = await rowsOf<SessionRow>(pool, `SELECT s.* FROM checkout_sessions s WHERE ${SWEEP_WHERE.replace(':expired', '$1')} ORDER BY s.expires_at_ms, s.session_id LIMIT $2`, expiredBeforeMs, limit);
      return rows.map(toSession);
    },
    async paymentsOfOrder(orderId, limit) {
      const rows = await rowsOf<PaymentRow>(pool, 'SELECT * FROM payments WHERE order_id = $1 ORDER BY created_at, payment_id LIMIT $2', orderId, limit);
      return rows.map(toPayment);
    },
    async enqueueWebhook(d, closes) {
      return inPostgresTransaction(pool, async (client) => {
        const inserted = await changesOf(
          client,
          `INSERT INTO checkout_webhooks (delivery_id, session_id, event, payment_id, body, state, attempts, next_attempt_at_ms, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $7) ON CONFLICT (delivery_id) DO NOTHING`,
          d.deliveryId, d.sessionId, d.event, d.paymentId, d.body, d.nextAttemptAtMs, d.createdAt,
        );
        if (closes !== null) await changesOf(client, 'UPDATE checkout_sessions SET closed_by = $1 WHERE session_id = $2 AND closed_by IS NULL', closes, d.sessionId);
        return inserted === 1;
      });
    },
    async setWebhookSecret(terminalId, secret, at) {
      await changesOf(
        pool,
        'INSERT INTO checkout_webhook_secrets (terminal_id, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (terminal_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at',
        terminalId, secret, at,
      );
    },
    async webhookSecretOf(terminalId) {
      const row = await first<{ secret: Buffer; created_at: string }>(pool, 'SELECT secret, created_at FROM checkout_webhook_secrets WHERE terminal_id = $1', terminalId);
      return row ? { secret: Buffer.from(row.secret), createdAt: row.created_at } : null;
    },
    async claimDueWebhooks(nowMs, leaseUntilMs, limit) {
      const rows = await rowsOf<WebhookRow>(
        pool,
        `UPDATE checkout_webhooks SET next_attempt_at_ms = $2 WHERE delivery_id IN (
           SELECT delivery_id FROM checkout_webhooks WHERE state = 'pending' AND next_attempt_at_ms <= $1
           ORDER BY next_attempt_at_ms, delivery_id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        nowMs, leaseUntilMs, limit,
      );
      if (rows.length === 0) return [];
      const targets = await rowsOf<{ session_id: string; notify_url: string; secret: Buffer }>(
        pool,
        `SELECT s.session_id, s.notify_url, k.secret FROM checkout_sessions s JOIN checkout_webhook_secrets k ON k.terminal_id = s.terminal_id WHERE s.session_id = ANY($1::text[])`,
        [...new Set(rows.map((r) => r.session_id))],
      );
      const bySession = new Map(targets.map((t) => [t.session_id, t]));
      return rows
        .sort((a, b) => (a.delivery_id < b.delivery_id ? -1 : 1))
        .flatMap((row): ClaimRow[] => {
          const target = bySession.get(row.session_id);
          return target === undefined ? [] : [{ ...row, notify_url: target.notify_url, secret: target.secret }];
        })
        .map(toClaimed);
    },
    async recordAttempt(deliveryId, outcome) {
      const changed =
        outcome.kind === 'delivered'
          ? await changesOf(pool, `UPDATE checkout_webhooks SET state = 'delivered', attempts = attempts + 1, delivered_at = $1, updated_at = $1, last_error = NULL WHERE delivery_id = $2 AND state = 'pending'`, outcome.at, deliveryId)
          : await changesOf(
              pool,
              `UPDATE checkout_webhooks SET state = CASE WHEN $1::bigint IS NULL THEN 'failed' ELSE 'pending' END, attempts = attempts + 1,
                 next_attempt_at_ms = COALESCE($1::bigint, next_attempt_at_ms), last_error = $2, updated_at = $3 WHERE delivery_id = $4 AND state = 'pending'`,
              outcome.nextAttemptAtMs, outcome.error.slice(0, WEBHOOK_ERROR_CHARS_MAX), outcome.at, deliveryId,
            );
      return changed === 0 ? null : readWebhook(deliveryId);
    },
    getWebhook: readWebhook,
    async listWebhooks({ state, afterId, limit }) {
      const rows = await rowsOf<WebhookRow>(pool, 'SELECT * FROM checkout_webhooks WHERE state = $1 AND delivery_id > $2 ORDER BY delivery_id LIMIT $3', state, afterId ?? '', limit);
      return rows.map(toWebhook);
    },
    async resendWebhook(deliveryId, nowMs, at) {
      const changed = await changesOf(
        pool,
        `UPDATE checkout_webhooks SET state = 'pending', attempts = 0, next_attempt_at_ms = $1, delivered_at = NULL, updated_at = $2 WHERE delivery_id = $3 AND state IN ('failed', 'delivered')`,
        nowMs, at, deliveryId,
      );
      return changed === 0 ? null : readWebhook(deliveryId);
    },
  };
}
