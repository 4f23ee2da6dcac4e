/**
 * The online checkout's tables in `acquirer.db` (ADR 13): checkout sessions
 * (each the dynamic order a wallet pays, `orders` in store.ts), each shop's
 * webhook secret, and the webhook deliveries, the outbox a restart resumes
 * from. This is the SQLite store; `checkout-store-postgres.ts` is the same
 * interface on PostgreSQL (`checkout-store.contract.test.ts` runs one suite
 * on both). The tables are a module of their own (`acquirer-checkout`), so
 * their migrations count apart from the acquirer's core tables, whose
 * migrations must have run first (the foreign keys).
 */
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';
import { toPayment, type PaymentRow } from './store.ts';
import type { MerchantId, OrderId, Payment, PaymentId, TerminalId } from './types.ts';

declare const sessionIdBrand: unique symbol;
/** `CS` + 24 hex digits: a checkout session at this acquirer. */
export type CheckoutSessionId = string & { readonly [sessionIdBrand]: true };

/** What a shop is told about its session by webhook. */
export type WebhookEvent = 'checkout.paid' | 'checkout.payment_failed' | 'checkout.expired';
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['checkout.paid', 'checkout.payment_failed', 'checkout.expired'];
/** A delivery is pending (to be tried at `nextAttemptAtMs`), delivered (the shop answered 2xx), or failed (every attempt was refused: the operator's to look at). */
export type WebhookState = 'pending' | 'delivered' | 'failed';
export const WEBHOOK_STATES: readonly WebhookState[] = ['pending', 'delivered', 'failed'];

export interface CheckoutSession {
  readonly sessionId: CheckoutSessionId;
  readonly orderId: OrderId;
  readonly merchantId: MerchantId;
  /** The shop's credential at the acquirer: a terminal of the merchant (ADR 13). */
  readonly terminalId: TerminalId;
  /** The shop's own order id; one session per (terminal, merchantOrderId). */
  readonly merchantOrderId: string;
  readonly amountKrw: bigint;
  readonly returnUrl: string;
  readonly notifyUrl: string;
  readonly expiresAt: string;
  readonly expiresAtMs: number;
  /** SHA-256 of the request that created it, for idempotent retries. */
  readonly requestHash: string;
  /** Set once the outcome that ends the session (paid, expired) has been queued for the shop. */
  readonly closedBy: WebhookEvent | null;
  readonly createdAt: string;
}

export interface WebhookDelivery {
  /** Stable per (session, event, payment): the shop deduplicates on it (`Dari-Webhook-Id`). */
  readonly deliveryId: string;
  readonly sessionId: CheckoutSessionId;
  readonly event: WebhookEvent;
  readonly paymentId: PaymentId | null;
  /** The exact bytes every attempt sends. */
  readonly body: string;
  readonly state: WebhookState;
  readonly attempts: number;
  readonly nextAttemptAtMs: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deliveredAt: string | null;
}

/** A delivery claimed for an attempt, with where it goes and the key it is signed with. */
export interface ClaimedDelivery {
  readonly delivery: WebhookDelivery;
  readonly notifyUrl: string;
  readonly secret: Buffer;
}

export type AttemptOutcome =
  | { readonly kind: 'delivered'; readonly at: string }
  /** `nextAttemptAtMs` null: that was the last attempt, the delivery is failed. */
  | { readonly kind: 'refused'; readonly error: string; readonly at: string; readonly nextAttemptAtMs: number | null };

export interface CheckoutStore {
  /** Inserts the session unless (terminal, merchantOrderId) has one: then answers that one. */
  insertSession(session: CheckoutSession): Promise<{ readonly created: boolean; readonly session: CheckoutSession }>;
  getSession(id: string): Promise<CheckoutSession | null>;
  sessionOfOrder(orderId: OrderId): Promise<CheckoutSession | null>;
  /**
   * Sessions with work for the sweep: not closed, and either expired before
   * `expiredBeforeMs` or with a finished payment (SUCCESS, FAIL, CANCELLED)
   * that has no webhook yet.
   */
  sessionsToSweep(expiredBeforeMs: number, limit: number): Promise<readonly CheckoutSession[]>;
  /** The order's payments, oldest first, at most `limit`. */
  paymentsOfOrder(orderId: OrderId, limit: number): Promise<readonly Payment[]>;
  /**
   * Queues a delivery unless one with its id exists (then nothing changes),
   * and in the same transaction closes the session by `closes` if it is
   * still open. Answers whether the delivery was new.
   */
  enqueueWebhook(delivery: Omit<WebhookDelivery, 'state' | 'attempts' | 'lastError' | 'updatedAt' | 'deliveredAt'>, closes: WebhookEvent | null): Promise<boolean>;
  /** Replaces the terminal's webhook secret. */
  setWebhookSecret(terminalId: TerminalId, secret: Buffer, at: string): Promise<void>;
  webhookSecretOf(terminalId: TerminalId): Promise<{ readonly secret: Buffer; readonly createdAt: string } | null>;
  /**
   * Claims up to `limit` pending deliveries due at `nowMs` (oldest due first)
   * by moving their next attempt to `leaseUntilMs`: a worker that dies with a
   * claim leaves it to be claimed again after the lease, never lost.
   */
  claimDueWebhooks(nowMs: number, leaseUntilMs: number, limit: number): Promise<readonly ClaimedDelivery[]>;
  /** Records one attempt of a pending delivery; null when it is not pending (nothing changes). */
  recordAttempt(deliveryId: string, outcome: AttemptOutcome): Promise<WebhookDelivery | null>;
  getWebhook(deliveryId: string): Promise<WebhookDelivery | null>;
  /** Deliveries in one state, by id, after `afterId`. */
  listWebhooks(query: { readonly state: WebhookState; readonly afterId?: string; readonly limit: number }): Promise<readonly WebhookDelivery[]>;
  /** A failed or delivered delivery back to pending with a fresh count of attempts, due at `nowMs`; null when it does not exist or is pending already. */
  resendWebhook(deliveryId: string, nowMs: number, at: string): Promise<WebhookDelivery | null>;
}

export const CHECKOUT_MIGRATIONS: readonly Migration[] = [
  {
    module: 'acquirer-checkout',
    version: 1,
    name: 'checkout sessions, webhook secrets, webhook deliveries',
    sql: `
CREATE TABLE checkout_sessions (
  session_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE REFERENCES orders (order_id),
  merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
  terminal_id TEXT NOT NULL REFERENCES terminals (terminal_id),
  merchant_order_id TEXT NOT NULL CHECK (length(merchant_order_id) BETWEEN 1 AND 48),
  amount_krw INTEGER NOT NULL CHECK (amount_krw > 0),
  return_url TEXT NOT NULL,
  notify_url TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  request_hash TEXT NOT NULL,
  closed_by TEXT CHECK (closed_by IS NULL OR closed_by IN ('checkout.paid', 'checkout.expired')),
  created_at TEXT NOT NULL,
  UNIQUE (terminal_id, merchant_order_id)
);
CREATE INDEX checkout_sessions_open ON checkout_sessions (expires_at_ms) WHERE closed_by IS NULL;
CREATE TABLE checkout_webhook_secrets (
  terminal_id TEXT PRIMARY KEY REFERENCES terminals (terminal_id),
  secret BLOB NOT NULL CHECK (length(secret) = 32),
  created_at TEXT NOT NULL
);
CREATE TABLE checkout_webhooks (
  delivery_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES checkout_sessions (session_id),
  event TEXT NOT NULL CHECK (event IN ('checkout.paid', 'checkout.payment_failed', 'checkout.expired')),
  payment_id TEXT REFERENCES payments (payment_id),
  body TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  delivered_at TEXT,
  CHECK ((state = 'delivered') = (delivered_at IS NOT NULL)),
  CHECK ((event = 'checkout.expired') = (payment_id IS NULL))
);
CREATE INDEX checkout_webhooks_due ON checkout_webhooks (next_attempt_at_ms) WHERE state = 'pending';
CREATE INDEX checkout_webhooks_by_state ON checkout_webhooks (state, delivery_id);
CREATE INDEX checkout_webhooks_by_payment ON checkout_webhooks (payment_id) WHERE payment_id IS NOT NULL;
`,
  },
];

export interface SessionRow {
  session_id: string;
  order_id: string;
  merchant_id: string;
  terminal_id: string;
  merchant_order_id: string;
  amount_krw: bigint;
  return_url: string;
  notify_url: string;
  expires_at: string;
  expires_at_ms: bigint;
  request_hash: string;
  closed_by: WebhookEvent | null;
  created_at: string;
}

export interface WebhookRow {
  delivery_id: string;
  session_id: string;
  event: WebhookEvent;
  payment_id: string | null;
  body: string;
  state: WebhookState;
  attempts: bigint;
  next_attempt_at_ms: bigint;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export type ClaimRow = WebhookRow & { notify_url: string; secret: Buffer | Uint8Array };

export function toSession(row: SessionRow): CheckoutSession {
  return {
    sessionId: row.session_id as CheckoutSessionId,
    orderId: row.order_id as OrderId,
    merchantId: row.merchant_id as MerchantId,
    terminalId: row.terminal_id as TerminalId,
    merchantOrderId: row.merchant_order_id,
    amountKrw: row.amount_krw,
    returnUrl: row.return_url,
    notifyUrl: row.notify_url,
    expiresAt: row.expires_at,
    expiresAtMs: Number(row.expires_at_ms),
    requestHash: row.request_hash,
    closedBy: row.closed_by,
    createdAt: row.created_at,
  };
}

export function toWebhook(row: WebhookRow): WebhookDelivery {
  return {
    deliveryId: row.delivery_id,
    sessionId: row.session_id as CheckoutSessionId,
    event: row.event,
    paymentId: row.payment_id as PaymentId | null,
    body: row.body,
    state: row.state,
    attempts: Number(row.attempts),
    nextAttemptAtMs: Number(row.next_attempt_at_ms),
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}

export function toClaimed(row: ClaimRow): ClaimedDelivery {
  return { delivery: toWebhook(row), notifyUrl: row.notify_url, secret: Buffer.from(row.secret) };
}

/** Longest error text kept per attempt: enough to tell a timeout from a 500 with its first words. */
export const WEBHOOK_ERROR_CHARS_MAX = 200;

/** The SQL both engines share for the sweep, with `?` or `$n` placeholders filled by the caller. */
export const SWEEP_WHERE = `s.closed_by IS NULL AND (s.expires_at_ms <= :expired OR EXISTS (
  SELECT 1 FROM payments p WHERE p.order_id = s.order_id AND p.status IN ('SUCCESS', 'FAIL', 'CANCELLED')
    AND NOT EXISTS (SELECT 1 FROM checkout_webhooks w WHERE w.payment_id = p.payment_id)))`;

export function createSqliteCheckoutStore(db: SqliteDatabase): CheckoutStore {
  migrateSqlite(db, CHECKOUT_MIGRATIONS);
  const sessionById = prepareCached(db, 'SELECT * FROM checkout_sessions WHERE session_id = ?');
  const webhookById = prepareCached(db, 'SELECT * FROM checkout_webhooks WHERE delivery_id = ?');
  const readWebhook = (id: string): WebhookDelivery | null => {
    const row = webhookById.get(id) as WebhookRow | undefined;
    return row ? toWebhook(row) : null;
  };

  return {
    async insertSession(s) {
      return db
        .transaction(() => {
          const existing = prepareCached(db, 'SELECT * FROM checkout_sessions WHERE terminal_id = ? AND merchant_order_id = ?').get(s.terminalId, s.merchantOrderId) as SessionRow | undefined;
          if (existing) return { created: false, session: toSession(existing) };
          prepareCached(
            db,
            `INSERT INTO checkout_sessions (session_id, order_id, merchant_id, terminal_id, merchant_order_id, amount_krw, return_url, notify_url,
               expires_at, expires_at_ms, request_hash, closed_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(s.sessionId, s.orderId, s.merchantId, s.terminalId, s.merchantOrderId, s.amountKrw, s.returnUrl, s.notifyUrl, s.expiresAt, s.expiresAtMs, s.requestHash, s.closedBy, s.createdAt);
          return { created: true, session: toSession(sessionById.get(s.sessionId) as SessionRow) };
        })
        .immediate();
    },
    async getSession(id) {
      const row = sessionById.get(id) as SessionRow | undefined;
      return row ? toSession(row) : null;
    },
    async sessionOfOrder(orderId) {
      const row = prepareCached(db, 'SELECT * FROM checkout_sessions WHERE order_id = ?').get(orderId) as SessionRow | undefined;
      return row ? toSession(row) : null;
    },
    async sessionsToSweep(expiredBeforeMs, limit) {
      const rows = prepareCached(db, `SELECT s.* FROM checkout_sessions s WHERE ${SWEEP_WHERE.replace(':expired', '?')} ORDER BY s.expires_at_ms, s.session_id LIMIT ?`).all(expiredBeforeMs, limit) as SessionRow[];
      return rows.map(toSession);
    },
    async paymentsOfOrder(orderId, limit) {
      const rows = prepareCached(db, 'SELECT * FROM payments WHERE order_id = ? ORDER BY created_at, payment_id LIMIT ?').all(orderId, limit) as PaymentRow[];
      return rows.map(toPayment);
    },
    async enqueueWebhook(d, closes) {
      return db
        .transaction((): boolean => {
          const inserted = prepareCached(
            db,
            `INSERT INTO checkout_webhooks (delivery_id, session_id, event, payment_id, body, state, attempts, next_attempt_at_ms, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING`,
          ).run(d.deliveryId, d.sessionId, d.event, d.paymentId, d.body, d.nextAttemptAtMs, d.createdAt, d.createdAt).changes;
          if (closes !== null) prepareCached(db, 'UPDATE checkout_sessions SET closed_by = ? WHERE session_id = ? AND closed_by IS NULL').run(closes, d.sessionId);
          return inserted === 1;
        })
        .immediate();
    },
    async setWebhookSecret(terminalId, secret, at) {
      prepareCached(db, 'INSERT INTO checkout_webhook_secrets (terminal_id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (terminal_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at').run(terminalId, secret, at);
    },
    async webhookSecretOf(terminalId) {
      const row = prepareCached(db, 'SELECT secret, created_at FROM checkout_webhook_secrets WHERE terminal_id = ?').get(terminalId) as { secret: Buffer; created_at: string } | undefined;
      return row ? { secret: Buffer.from(row.secret), createdAt: row.created_at } : null;
    },
    async claimDueWebhooks(nowMs, leaseUntilMs, limit) {
      return db
        .transaction(() => {
          const rows = prepareCached(
            db,
            `SELECT w.*, s.notify_url, k.secret FROM checkout_webhooks w
               JOIN checkout_sessions s ON s.session_id = w.session_id
               JOIN checkout_webhook_secrets k ON k.terminal_id = s.terminal_id
             WHERE w.state = 'pending' AND w.next_attempt_at_ms <= ? ORDER BY w.next_attempt_at_ms, w.delivery_id LIMIT ?`,
          ).all(nowMs, limit) as ClaimRow[];
          const lease = prepareCached(db, 'UPDATE checkout_webhooks SET next_attempt_at_ms = ? WHERE delivery_id = ?');
          for (const row of rows) lease.run(leaseUntilMs, row.delivery_id);
          return rows.map((row) => toClaimed({ ...row, next_attempt_at_ms: BigInt(leaseUntilMs) }));
        })
        .immediate();
    },
    async recordAttempt(deliveryId, outcome) {
      const changed =
        outcome.kind === 'delivered'
          ? prepareCached(db, `UPDATE checkout_webhooks SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, updated_at = ?, last_error = NULL WHERE delivery_id = ? AND state = 'pending'`).run(outcome.at, outcome.at, deliveryId).changes
          : prepareCached(
              db,
              `UPDATE checkout_webhooks SET state = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END, attempts = attempts + 1,
                 next_attempt_at_ms = COALESCE(?, next_attempt_at_ms), last_error = ?, updated_at = ? WHERE delivery_id = ? AND state = 'pending'`,
            ).run(outcome.nextAttemptAtMs, outcome.nextAttemptAtMs, outcome.error.slice(0, WEBHOOK_ERROR_CHARS_MAX), outcome.at, deliveryId).changes;
      return changed === 0 ? null : readWebhook(deliveryId);
    },
    async getWebhook(deliveryId) {
      return readWebhook(deliveryId);
    },
    async listWebhooks({ state, afterId, limit }) {
      const rows = prepareCached(db, 'SELECT * FROM checkout_webhooks WHERE state = ? AND delivery_id > ? ORDER BY delivery_id LIMIT ?').all(state, afterId ?? '', limit) as WebhookRow[];
      return rows.map(toWebhook);
    },
    async resendWebhook(deliveryId, nowMs, at) {
      const changed = prepareCached(
        db,
        `UPDATE checkout_webhooks SET state = 'pending', attempts = 0, next_attempt_at_ms = ?, delivered_at = NULL, updated_at = ? WHERE delivery_id = ? AND state IN ('failed', 'delivered')`,
      ).run(nowMs, at, deliveryId).changes;
      return changed === 0 ? null : readWebhook(deliveryId);
    },
  };
}
