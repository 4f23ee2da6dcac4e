/**
 * The acquirer's own tables on PostgreSQL, the production engine (ADR 3): the
 * same `AcquirerStore`, with the same answers, as the SQLite store in
 * `store.ts` (`store.contract.test.ts` runs one suite on both).
 *
 * The SQLite store runs each method as one IMMEDIATE transaction on one
 * connection, so nothing runs between its read and its write. Here many
 * callers share a pool, so a method either decides in one conditional
 * statement (`UPDATE … WHERE status = $from RETURNING`, `INSERT … ON CONFLICT
 * DO NOTHING`), which PostgreSQL re-checks against the committed row after
 * waiting for a concurrent writer (READ COMMITTED), or first locks what its
 * decision rests on, inside one transaction (`inPostgresTransaction`): the
 * payment's row (`FOR UPDATE`) before a refund is reserved or a cancel
 * requested, so that the refunds of one payment never sum past it; the table
 * before numbering a merchant, store or terminal (`MAX(seq) + 1`, dense, as
 * in SQLite).
 *
 * The store does not go through the SQLite group commit (ADR 10): PostgreSQL
 * gives concurrency through the pool, and each call commits on its own.
 */
import {
  inPostgresTransaction,
  migratePostgres,
  POSTGRES_INTEGER_TYPES,
  type PostgresClient,
  type PostgresPool,
} from '../platform/db/postgres.ts';
import type { Migration } from '../platform/db/sqlite.ts';
import {
  sequenced,
  toMerchant,
  toOrder,
  toPayment,
  toRefund,
  toStore,
  toTerminal,
  type AcquirerStore,
  type InsertPaymentOutcome,
  type MerchantRow,
  type OrderRow,
  type PaymentRow,
  type RefundRow,
  type RequestCancelOutcome,
  type ReserveRefundOutcome,
  type StoreRow,
  type TerminalRow,
} from './store.ts';

/**
 * The SQLite schema (`ACQUIRER_MIGRATIONS`, both versions) in PostgreSQL's
 * types, with every CHECK, UNIQUE and foreign key repeated: BYTEA for the key
 * hash (`octet_length`), BIGINT for every amount and instant in ms, BOOLEAN
 * for the two flags. A new engine has no history, so it is one migration,
 * and the merchant's MDR has no default (insertMerchant always writes it).
 *
 * Ids and ISO instants are `COLLATE "C"`: pages (`merchant_id > $1`), the
 * payout run's cut-off (`completed_at < $1`) and every ORDER BY compare them
 * byte by byte, as SQLite does, whatever the database's default collation.
 */
export const ACQUIRER_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    module: 'acquirer',
    version: 1,
    name: 'merchants, stores, terminals, orders, payments, refunds, payouts, merchant entries',
    sql: `
CREATE TABLE merchants (
  seq INTEGER PRIMARY KEY,
  merchant_id TEXT COLLATE "C" NOT NULL UNIQUE,
  legal_name TEXT NOT NULL CHECK (char_length(legal_name) BETWEEN 1 AND 100),
  business_registration_number TEXT NOT NULL CHECK (char_length(business_registration_number) = 10),
  mcc TEXT NOT NULL CHECK (char_length(mcc) = 4),
  address TEXT NOT NULL,
  city TEXT NOT NULL,
  settlement_bank_code TEXT NOT NULL,
  settlement_account_number TEXT NOT NULL,
  settlement_holder_name TEXT NOT NULL,
  mdr_bps INTEGER NOT NULL CHECK (mdr_bps BETWEEN 0 AND 10000),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  reject_reason TEXT,
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  CHECK ((status = 'rejected') = (reject_reason IS NOT NULL))
);
CREATE TABLE stores (
  seq INTEGER PRIMARY KEY,
  store_id TEXT COLLATE "C" NOT NULL UNIQUE,
  merchant_id TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  name TEXT NOT NULL,
  address TEXT,
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE terminals (
  seq INTEGER PRIMARY KEY,
  terminal_id TEXT COLLATE "C" NOT NULL UNIQUE,
  merchant_id TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  store_id TEXT COLLATE "C" REFERENCES stores (store_id),
  label TEXT NOT NULL,
  key_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE orders (
  order_id TEXT COLLATE "C" PRIMARY KEY,
  merchant_id TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  store_id TEXT COLLATE "C" REFERENCES stores (store_id),
  terminal_id TEXT COLLATE "C" NOT NULL REFERENCES terminals (terminal_id),
  payment_request_id TEXT NOT NULL,
  amount_krw BIGINT NOT NULL CHECK (amount_krw > 0),
  qr_payload TEXT NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  request_hash TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (terminal_id, payment_request_id)
);
CREATE TABLE payments (
  payment_id TEXT COLLATE "C" PRIMARY KEY,
  origin TEXT NOT NULL CHECK (origin IN ('pos', 'mpm')),
  merchant_id TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  store_id TEXT COLLATE "C" REFERENCES stores (store_id),
  terminal_id TEXT COLLATE "C" REFERENCES terminals (terminal_id),
  order_id TEXT COLLATE "C" REFERENCES orders (order_id),
  idempotency_scope TEXT NOT NULL,
  request_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  amount_krw BIGINT NOT NULL CHECK (amount_krw > 0),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED')),
  result_code TEXT,
  network_payment_id TEXT,
  pay_amount_currency TEXT,
  pay_amount_value TEXT,
  fx_quote TEXT,
  payer_id TEXT,
  paid_at TEXT COLLATE "C",
  deadline_at_ms BIGINT NOT NULL,
  cancel_requested BOOLEAN NOT NULL DEFAULT false,
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (idempotency_scope, request_id),
  CHECK (status <> 'SUCCESS' OR paid_at IS NOT NULL),
  CHECK (NOT cancel_requested OR status = 'SUCCESS')
);
-- An order is paid at most once: one payment under way or succeeded per order.
CREATE UNIQUE INDEX payments_one_live_per_order ON payments (order_id)
  WHERE order_id IS NOT NULL AND status IN ('PROCESSING', 'SUCCESS');
CREATE INDEX payments_open ON payments (deadline_at_ms) WHERE status = 'PROCESSING' OR cancel_requested;
CREATE TABLE refunds (
  refund_id TEXT COLLATE "C" PRIMARY KEY,
  payment_id TEXT COLLATE "C" NOT NULL REFERENCES payments (payment_id),
  refund_request_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  amount_krw BIGINT NOT NULL CHECK (amount_krw > 0),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL')),
  result_code TEXT,
  network_refund_id TEXT,
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (payment_id, refund_request_id)
);
CREATE INDEX refunds_processing ON refunds (created_at) WHERE status = 'PROCESSING';
CREATE TABLE payout_runs (
  business_day TEXT COLLATE "C" PRIMARY KEY CHECK (char_length(business_day) = 10),
  value_date TEXT COLLATE "C" NOT NULL CHECK (char_length(value_date) = 10 AND value_date > business_day),
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE payouts (
  payout_id TEXT COLLATE "C" PRIMARY KEY,
  business_day TEXT COLLATE "C" NOT NULL REFERENCES payout_runs (business_day),
  merchant_id TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  captured_krw BIGINT NOT NULL CHECK (captured_krw >= 0),
  reversed_krw BIGINT NOT NULL CHECK (reversed_krw >= 0),
  net_krw BIGINT NOT NULL CHECK (net_krw > 0 AND net_krw = captured_krw - reversed_krw),
  mdr_bps INTEGER NOT NULL CHECK (mdr_bps BETWEEN 0 AND 10000),
  fee_krw BIGINT NOT NULL CHECK (fee_krw BETWEEN 0 AND net_krw),
  amount_krw BIGINT NOT NULL CHECK (amount_krw = net_krw - fee_krw),
  entry_count INTEGER NOT NULL CHECK (entry_count > 0),
  state TEXT NOT NULL CHECK (state IN ('scheduled', 'sent', 'confirmed', 'returned', 'held')),
  attempt INTEGER NOT NULL CHECK (attempt >= 0),
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (business_day, merchant_id),
  -- Nothing to send (the fee took the whole net): never sent, so never an attempt.
  CHECK ((amount_krw = 0) = (attempt = 0)),
  CHECK (amount_krw > 0 OR state IN ('scheduled', 'confirmed'))
);
CREATE INDEX payouts_by_merchant ON payouts (merchant_id, payout_id);
CREATE INDEX payouts_open ON payouts (state) WHERE state IN ('scheduled', 'sent', 'returned');
CREATE TABLE payout_attempts (
  payout_id TEXT COLLATE "C" NOT NULL REFERENCES payouts (payout_id),
  attempt INTEGER NOT NULL CHECK (attempt >= 1),
  business_day TEXT COLLATE "C" NOT NULL REFERENCES payout_runs (business_day),
  value_date TEXT COLLATE "C" NOT NULL,
  merchant_id TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  settlement_bank_code TEXT NOT NULL,
  settlement_account_number TEXT NOT NULL,
  settlement_holder_name TEXT NOT NULL,
  amount_krw BIGINT NOT NULL CHECK (amount_krw > 0),
  outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'confirmed', 'returned')),
  reason TEXT,
  hold BOOLEAN NOT NULL DEFAULT false,
  created_at TEXT COLLATE "C" NOT NULL,
  resolved_at TEXT COLLATE "C",
  PRIMARY KEY (payout_id, attempt),
  CHECK ((outcome = 'returned') = (reason IS NOT NULL)),
  CHECK ((outcome = 'pending') = (resolved_at IS NULL)),
  CHECK (NOT hold OR outcome = 'returned')
);
CREATE INDEX payout_attempts_by_run ON payout_attempts (business_day, merchant_id, payout_id);
CREATE TABLE payout_carry_forwards (
  business_day TEXT COLLATE "C" NOT NULL REFERENCES payout_runs (business_day),
  merchant_id TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  shortfall_krw BIGINT NOT NULL CHECK (shortfall_krw > 0),
  PRIMARY KEY (business_day, merchant_id)
);
-- One row per movement of what the acquirer owes a merchant, written with the
-- status change that caused it (see store.ts).
CREATE TABLE merchant_entries (
  kind TEXT NOT NULL CHECK (kind IN ('PAYMENT', 'REFUND', 'CANCELLATION')),
  source_id TEXT COLLATE "C" NOT NULL,
  merchant_id TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  amount_krw BIGINT NOT NULL CHECK (amount_krw > 0),
  completed_at TEXT COLLATE "C" NOT NULL,
  payout_id TEXT COLLATE "C" REFERENCES payouts (payout_id),
  PRIMARY KEY (kind, source_id)
);
CREATE INDEX merchant_entries_unpaid ON merchant_entries (completed_at, merchant_id) WHERE payout_id IS NULL;
CREATE INDEX merchant_entries_by_payout ON merchant_entries (payout_id) WHERE payout_id IS NOT NULL;
`,
  },
];

/** Where a statement runs: the pool (its own transaction) or a transaction's connection. */
export type Queryable = PostgresPool | PostgresClient;

/** Rows of one statement, integers read as `bigint` (as better-sqlite3 reads them). */
export async function rowsOf<R>(on: Queryable, sql: string, ...values: unknown[]): Promise<R[]> {
  return (await on.query<R & object>({ text: sql, values, types: POSTGRES_INTEGER_TYPES })).rows;
}

/** Rows a statement changed (or, with RETURNING, returned). */
export async function changesOf(on: Queryable, sql: string, ...values: unknown[]): Promise<number> {
  return (await on.query({ text: sql, values })).rowCount ?? 0;
}

/** The name PostgreSQL gives the unique index or constraint a statement violated, if that is what it did. */
function uniqueViolationOf(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && typeof constraint === 'string' ? constraint : null;
}

/** Creates the acquirer's tables if needed, then the store; the caller owns (and ends) the pool. */
export async function createPostgresAcquirerStore(pool: PostgresPool): Promise<AcquirerStore> {
  await migratePostgres(pool, ACQUIRER_POSTGRES_MIGRATIONS);
  const first = async <R>(on: Queryable, sql: string, ...values: unknown[]): Promise<R | undefined> => (await rowsOf<R>(on, sql, ...values))[0];
  const readPayment = async (on: Queryable, id: string) => {
    const row = await first<PaymentRow>(on, 'SELECT * FROM payments WHERE payment_id = $1', id);
    return row ? toPayment(row) : null;
  };
  const readRefund = async (id: string) => {
    const row = await first<RefundRow>(pool, 'SELECT * FROM refunds WHERE refund_id = $1', id);
    return row ? toRefund(row) : null;
  };
  /**
   * The next number of a table, under a lock that only one numbering holds at
   * a time (SHARE ROW EXCLUSIVE conflicts with itself and with writes, not
   * with reads or the key-share locks of foreign-key checks), till commit.
   */
  const nextSeq = async (client: PostgresClient, table: 'merchants' | 'stores' | 'terminals'): Promise<number> => {
    await client.query(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
    const row = await first<{ next: bigint }>(client, `SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM ${table}`);
    return Number(row!.next);
  };

  return {
    async insertMerchant(m, { idPrefix, at }) {
      return inPostgresTransaction(pool, async (client) => {
        const seq = await nextSeq(client, 'merchants');
        const row = await first<MerchantRow>(
          client,
          `INSERT INTO merchants (seq, merchant_id, legal_name, business_registration_number, mcc, address, city,
             settlement_bank_code, settlement_account_number, settlement_holder_name, mdr_bps, status, reject_reason, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', NULL, $12, $13) RETURNING *`,
          seq, sequenced(idPrefix, 'M', seq), m.legalName, m.businessRegistrationNumber, m.mcc, m.address, m.city,
          m.settlementAccount.bankCode, m.settlementAccount.accountNumber, m.settlementAccount.holderName, m.mdrBps, at, at,
        );
        return toMerchant(row!);
      });
    },
    async getMerchant(id) {
      const row = await first<MerchantRow>(pool, 'SELECT * FROM merchants WHERE merchant_id = $1', id);
      return row ? toMerchant(row) : null;
    },
    async listMerchants({ afterId, limit }) {
      return (await rowsOf<MerchantRow>(pool, 'SELECT * FROM merchants WHERE merchant_id > $1 ORDER BY merchant_id LIMIT $2', afterId ?? '', limit)).map(toMerchant);
    },
    async moveMerchant(id, { from, to, reason, at }) {
      const row = await first<MerchantRow>(
        pool,
        'UPDATE merchants SET status = $1, reject_reason = $2, updated_at = $3 WHERE merchant_id = $4 AND status = $5 RETURNING *',
        to, reason, at, id, from,
      );
      return row ? toMerchant(row) : null;
    },
    async setMerchantMdr(id, mdrBps, at) {
      const row = await first<MerchantRow>(pool, 'UPDATE merchants SET mdr_bps = $1, updated_at = $2 WHERE merchant_id = $3 RETURNING *', mdrBps, at, id);
      return row ? toMerchant(row) : null;
    },
    async insertStore({ merchantId, name, address, idPrefix, at }) {
      return inPostgresTransaction(pool, async (client) => {
        const seq = await nextSeq(client, 'stores');
        const row = await first<StoreRow>(
          client,
          'INSERT INTO stores (seq, store_id, merchant_id, name, address, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
          seq, sequenced(idPrefix, 'S', seq), merchantId, name, address, at,
        );
        return toStore(row!);
      });
    },
    async getStore(id) {
      const row = await first<StoreRow>(pool, 'SELECT * FROM stores WHERE store_id = $1', id);
      return row ? toStore(row) : null;
    },
    async insertTerminal({ merchantId, storeId, label, keyHash, idPrefix, at }) {
      return inPostgresTransaction(pool, async (client) => {
        const seq = await nextSeq(client, 'terminals');
        const row = await first<TerminalRow>(
          client,
          'INSERT INTO terminals (seq, terminal_id, merchant_id, store_id, label, key_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *',
          seq, sequenced(idPrefix, 'T', seq), merchantId, storeId, label, keyHash, at,
        );
        return toTerminal(row!);
      });
    },
    async getTerminalByKeyHash(keyHash) {
      const row = await first<TerminalRow>(pool, 'SELECT * FROM terminals WHERE key_hash = $1', keyHash);
      return row ? toTerminal(row) : null;
    },
    async insertOrder(order) {
      // ON CONFLICT waits for a concurrent insert under the same (terminal, request id), then does nothing: one wins.
      const inserted = await first<OrderRow>(
        pool,
        `INSERT INTO orders (order_id, merchant_id, store_id, terminal_id, payment_request_id, amount_krw, qr_payload, expires_at, expires_at_ms, request_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (terminal_id, payment_request_id) DO NOTHING RETURNING *`,
        order.orderId, order.merchantId, order.storeId, order.terminalId, order.paymentRequestId, order.amountKrw, order.qrPayload,
        order.expiresAt, order.expiresAtMs, order.requestHash, order.createdAt,
      );
      if (inserted) return { created: true, order: toOrder(inserted) };
      const existing = await first<OrderRow>(pool, 'SELECT * FROM orders WHERE terminal_id = $1 AND payment_request_id = $2', order.terminalId, order.paymentRequestId);
      if (!existing) throw new Error(`assertion failed: the order that took (${order.terminalId}, ${order.paymentRequestId}) exists`);
      return { created: false, order: toOrder(existing) };
    },
    async getOrder(id) {
      const row = await first<OrderRow>(pool, 'SELECT * FROM orders WHERE order_id = $1', id);
      return row ? toOrder(row) : null;
    },
    async paymentOfOrder(orderId) {
      const row = await first<PaymentRow>(
        pool,
        `SELECT * FROM payments WHERE order_id = $1 ORDER BY status IN ('PROCESSING', 'SUCCESS') DESC, created_at DESC, payment_id DESC LIMIT 1`,
        orderId,
      );
      return row ? toPayment(row) : null;
    },
    async insertPayment(p, at) {
      const existing = async (): Promise<InsertPaymentOutcome | null> => {
        const row = await first<PaymentRow>(pool, 'SELECT * FROM payments WHERE idempotency_scope = $1 AND request_id = $2', p.idempotencyScope, p.requestId);
        return row ? { kind: 'existing', payment: toPayment(row), requestHash: row.request_hash } : null;
      };
      let inserted: PaymentRow | undefined;
      try {
        inserted = await first<PaymentRow>(
          pool,
          `INSERT INTO payments (payment_id, origin, merchant_id, store_id, terminal_id, order_id, idempotency_scope, request_id, request_hash,
             amount_krw, status, deadline_at_ms, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'PROCESSING', $11, $12, $13)
           ON CONFLICT (idempotency_scope, request_id) DO NOTHING RETURNING *`,
          p.paymentId, p.origin, p.merchantId, p.storeId, p.terminalId, p.orderId, p.idempotencyScope, p.requestId, p.requestHash,
          p.amountKrw, p.deadlineAtMs, at, at,
        );
      } catch (error) {
        // The order's live payment may be this very request, inserted by a concurrent retry that the
        // order's index saw first: as in SQLite, the request's own payment answers before the order's.
        if (p.orderId !== null && uniqueViolationOf(error) === 'payments_one_live_per_order') return (await existing()) ?? { kind: 'order-taken' };
        throw error;
      }
      if (inserted) return { kind: 'created', payment: toPayment(inserted) };
      const found = await existing();
      if (found === null) throw new Error(`assertion failed: the payment that took (${p.idempotencyScope}, ${p.requestId}) exists`);
      return found;
    },
    async getPayment(id) {
      return readPayment(pool, id);
    },
    async findPayment(scope, requestId) {
      const row = await first<PaymentRow>(pool, 'SELECT * FROM payments WHERE idempotency_scope = $1 AND request_id = $2', scope, requestId);
      return row ? { payment: toPayment(row), requestHash: row.request_hash } : null;
    },
    async movePayment(id, from, final, at) {
      return inPostgresTransaction(pool, async (client) => {
        const moved = await first<PaymentRow>(
          client,
          `UPDATE payments SET status = $1, result_code = COALESCE($2, result_code),
             network_payment_id = COALESCE($3, network_payment_id),
             pay_amount_currency = COALESCE($4, pay_amount_currency), pay_amount_value = COALESCE($5, pay_amount_value),
             fx_quote = COALESCE($6, fx_quote), payer_id = COALESCE($7, payer_id), paid_at = COALESCE($8, paid_at),
             cancel_requested = false, updated_at = $9
           WHERE payment_id = $10 AND status = $11 RETURNING *`,
          final.status, final.resultCode ?? null, final.networkPaymentId ?? null, final.payAmount?.currency ?? null, final.payAmount?.value ?? null,
          final.fxQuote ? JSON.stringify(final.fxQuote) : null, final.payerId ?? null, final.paidAt ?? null, at, id, from,
        );
        if (!moved) return null;
        const entryKind = final.status === 'SUCCESS' && from === 'PROCESSING' ? 'PAYMENT' : final.status === 'CANCELLED' && from === 'SUCCESS' ? 'CANCELLATION' : null;
        if (entryKind !== null) {
          await changesOf(
            client,
            'INSERT INTO merchant_entries (kind, source_id, merchant_id, amount_krw, completed_at) VALUES ($1, $2, $3, $4, $5)',
            entryKind, moved.payment_id, moved.merchant_id, moved.amount_krw, at,
          );
        }
        return toPayment(moved);
      });
    },
    async requestCancel(id, at) {
      return inPostgresTransaction(pool, async (client): Promise<RequestCancelOutcome> => {
        // The payment's row lock orders this against reserveRefund and movePayment of the same payment.
        const locked = await first<PaymentRow>(client, 'SELECT * FROM payments WHERE payment_id = $1 FOR UPDATE', id);
        if (!locked) return { kind: 'not-found' };
        const live = await first<{ n: bigint }>(client, `SELECT COUNT(*) AS n FROM refunds WHERE payment_id = $1 AND status IN ('PROCESSING', 'SUCCESS')`, id);
        if (live!.n > 0n) return { kind: 'has-refunds' };
        if (locked.status !== 'SUCCESS') return { kind: 'requested', payment: toPayment(locked) };
        const marked = await first<PaymentRow>(client, 'UPDATE payments SET cancel_requested = true, updated_at = $1 WHERE payment_id = $2 RETURNING *', at, id);
        return { kind: 'requested', payment: toPayment(marked!) };
      });
    },
    async clearCancelRequest(id, at) {
      await changesOf(pool, 'UPDATE payments SET cancel_requested = false, updated_at = $1 WHERE payment_id = $2', at, id);
    },
    async openPayments(nowMs, limit) {
      const rows = await rowsOf<PaymentRow>(
        pool,
        `SELECT * FROM payments WHERE (status = 'PROCESSING' AND deadline_at_ms <= $1) OR cancel_requested ORDER BY deadline_at_ms LIMIT $2`,
        nowMs, limit,
      );
      return rows.map(toPayment);
    },
    async reserveRefund(r, at) {
      return inPostgresTransaction(pool, async (client): Promise<ReserveRefundOutcome> => {
        // Concurrent reservations against one payment queue on its row: each sums the refunds the ones before it committed.
        const locked = await first<PaymentRow>(client, 'SELECT * FROM payments WHERE payment_id = $1 FOR UPDATE', r.paymentId);
        if (!locked) return { kind: 'payment-not-found' };
        const payment = toPayment(locked);
        const existing = await first<RefundRow>(client, 'SELECT * FROM refunds WHERE payment_id = $1 AND refund_request_id = $2', r.paymentId, r.refundRequestId);
        if (existing) return { kind: 'existing', refund: toRefund(existing), requestHash: existing.request_hash };
        if (payment.status !== 'SUCCESS' || payment.cancelRequested) return { kind: 'not-refundable', status: payment.status, cancelRequested: payment.cancelRequested };
        const reserved = await first<{ total: bigint }>(client, `SELECT COALESCE(SUM(amount_krw), 0) AS total FROM refunds WHERE payment_id = $1 AND status IN ('PROCESSING', 'SUCCESS')`, r.paymentId);
        const remainingKrw = payment.amountKrw - reserved!.total;
        if (r.amountKrw > remainingKrw) return { kind: 'exceeds', remainingKrw };
        const row = await first<RefundRow>(
          client,
          `INSERT INTO refunds (refund_id, payment_id, refund_request_id, request_hash, amount_krw, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, 'PROCESSING', $6, $7) RETURNING *`,
          r.refundId, r.paymentId, r.refundRequestId, r.requestHash, r.amountKrw, at, at,
        );
        return { kind: 'created', refund: toRefund(row!) };
      });
    },
    async getRefund(id) {
      return readRefund(id);
    },
    async refundsOf(paymentId) {
      return (await rowsOf<RefundRow>(pool, 'SELECT * FROM refunds WHERE payment_id = $1 ORDER BY created_at, refund_id', paymentId)).map(toRefund);
    },
    async moveRefund(id, from, final, at) {
      return inPostgresTransaction(pool, async (client) => {
        const moved = await first<RefundRow>(
          client,
          `UPDATE refunds SET status = $1, result_code = COALESCE($2, result_code), network_refund_id = COALESCE($3, network_refund_id), updated_at = $4
           WHERE refund_id = $5 AND status = $6 RETURNING *`,
          final.status, final.resultCode, final.networkRefundId, at, id, from,
        );
        if (!moved) return null;
        if (final.status === 'SUCCESS') {
          await changesOf(
            client,
            `INSERT INTO merchant_entries (kind, source_id, merchant_id, amount_krw, completed_at)
             SELECT 'REFUND', r.refund_id, p.merchant_id, r.amount_krw, $1::text FROM refunds r JOIN payments p ON p.payment_id = r.payment_id WHERE r.refund_id = $2`,
            at, id,
          );
        }
        return toRefund(moved);
      });
    },
    async processingRefunds(limit) {
      return (await rowsOf<RefundRow>(pool, `SELECT * FROM refunds WHERE status = 'PROCESSING' ORDER BY created_at LIMIT $1`, limit)).map(toRefund);
    },
  };
}
