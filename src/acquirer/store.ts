/**
 * The acquirer's own tables (merchants, stores, terminals, orders, payments,
 * refunds, and the merchant entries a payout run counts) in `acquirer.db`.
 * SQL lives here and, for the payout tables, in `payout-store.ts`; rows are
 * mapped to the domain types of `types.ts`. This is the SQLite store; the
 * same interface on PostgreSQL is `store-postgres.ts`, which shares the row
 * types and mappers below (`store.contract.test.ts` runs one suite on both).
 *
 * Every status change names the state it moves from (`WHERE status = ?`), so
 * two writers racing on one payment cannot both move it; the service checks
 * the move against the state machines first.
 */
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';
import type { BusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import type {
  Merchant,
  MerchantId,
  OnboardingStatus,
  Order,
  OrderId,
  PayerSide,
  Payment,
  PaymentId,
  PaymentOrigin,
  PaymentStatus,
  Refund,
  RefundId,
  RefundStatus,
  SettlementAccount,
  Store,
  StoreId,
  Terminal,
  TerminalId,
} from './types.ts';

/** Digits of the sequence number in merchant, store and terminal ids: `KR01M000001`. */
export const ID_SEQUENCE_DIGITS = 6;
/** Most merchants (and stores, and terminals) one acquirer numbers: what `ID_SEQUENCE_DIGITS` can write. */
export const ID_SEQUENCE_MAX = 10 ** ID_SEQUENCE_DIGITS - 1;

export const ACQUIRER_MIGRATIONS: readonly Migration[] = [
  {
    module: 'acquirer',
    version: 1,
    name: 'merchants, stores, terminals, orders, payments, refunds',
    sql: `
CREATE TABLE merchants (
  seq INTEGER PRIMARY KEY,
  merchant_id TEXT NOT NULL UNIQUE,
  legal_name TEXT NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 100),
  business_registration_number TEXT NOT NULL CHECK (length(business_registration_number) = 10),
  mcc TEXT NOT NULL CHECK (length(mcc) = 4),
  address TEXT NOT NULL,
  city TEXT NOT NULL,
  settlement_bank_code TEXT NOT NULL,
  settlement_account_number TEXT NOT NULL,
  settlement_holder_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  reject_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((status = 'rejected') = (reject_reason IS NOT NULL))
);
CREATE TABLE stores (
  seq INTEGER PRIMARY KEY,
  store_id TEXT NOT NULL UNIQUE,
  merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
  name TEXT NOT NULL,
  address TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE terminals (
  seq INTEGER PRIMARY KEY,
  terminal_id TEXT NOT NULL UNIQUE,
  merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
  store_id TEXT REFERENCES stores (store_id),
  label TEXT NOT NULL,
  key_hash BLOB NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  created_at TEXT NOT NULL
);
CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
  store_id TEXT REFERENCES stores (store_id),
  terminal_id TEXT NOT NULL REFERENCES terminals (terminal_id),
  payment_request_id TEXT NOT NULL,
  amount_krw INTEGER NOT NULL CHECK (amount_krw > 0),
  qr_payload TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  request_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (terminal_id, payment_request_id)
);
CREATE TABLE payments (
  payment_id TEXT PRIMARY KEY,
  origin TEXT NOT NULL CHECK (origin IN ('pos', 'mpm')),
  merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
  store_id TEXT REFERENCES stores (store_id),
  terminal_id TEXT REFERENCES terminals (terminal_id),
  order_id TEXT REFERENCES orders (order_id),
  idempotency_scope TEXT NOT NULL,
  request_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  amount_krw INTEGER NOT NULL CHECK (amount_krw > 0),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED')),
  result_code TEXT,
  network_payment_id TEXT,
  pay_amount_currency TEXT,
  pay_amount_value TEXT,
  fx_quote TEXT,
  payer_id TEXT,
  paid_at TEXT,
  deadline_at_ms INTEGER NOT NULL,
  cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (idempotency_scope, request_id),
  CHECK (status <> 'SUCCESS' OR paid_at IS NOT NULL),
  CHECK (cancel_requested = 0 OR status = 'SUCCESS')
);
-- An order is paid at most once: one payment under way or succeeded per order.
CREATE UNIQUE INDEX payments_one_live_per_order ON payments (order_id)
  WHERE order_id IS NOT NULL AND status IN ('PROCESSING', 'SUCCESS');
CREATE INDEX payments_open ON payments (deadline_at_ms) WHERE status = 'PROCESSING' OR cancel_requested = 1;
CREATE TABLE refunds (
  refund_id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL REFERENCES payments (payment_id),
  refund_request_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  amount_krw INTEGER NOT NULL CHECK (amount_krw > 0),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL')),
  result_code TEXT,
  network_refund_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (payment_id, refund_request_id)
);
CREATE INDEX refunds_processing ON refunds (status) WHERE status = 'PROCESSING';
`,
  },
  {
    module: 'acquirer',
    version: 2,
    name: 'payouts: merchant discount rate, merchant entries, payout runs, payouts, attempts',
    // The default below only fills the rows that exist now; a new merchant's
    // rate is always written by insertMerchant (MDR_BPS_DEFAULT in payout-plan.ts).
    sql: `
ALTER TABLE merchants ADD COLUMN mdr_bps INTEGER NOT NULL DEFAULT 250 CHECK (mdr_bps BETWEEN 0 AND 10000);
CREATE TABLE payout_runs (
  business_day TEXT PRIMARY KEY CHECK (length(business_day) = 10),
  value_date TEXT NOT NULL CHECK (length(value_date) = 10 AND value_date > business_day),
  created_at TEXT NOT NULL
);
CREATE TABLE payouts (
  payout_id TEXT PRIMARY KEY,
  business_day TEXT NOT NULL REFERENCES payout_runs (business_day),
  merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
  captured_krw INTEGER NOT NULL CHECK (captured_krw >= 0),
  reversed_krw INTEGER NOT NULL CHECK (reversed_krw >= 0),
  net_krw INTEGER NOT NULL CHECK (net_krw > 0 AND net_krw = captured_krw - reversed_krw),
  mdr_bps INTEGER NOT NULL CHECK (mdr_bps BETWEEN 0 AND 10000),
  fee_krw INTEGER NOT NULL CHECK (fee_krw BETWEEN 0 AND net_krw),
  amount_krw INTEGER NOT NULL CHECK (amount_krw = net_krw - fee_krw),
  entry_count INTEGER NOT NULL CHECK (entry_count > 0),
  state TEXT NOT NULL CHECK (state IN ('scheduled', 'sent', 'confirmed', 'returned', 'held')),
  attempt INTEGER NOT NULL CHECK (attempt >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (business_day, merchant_id),
  -- Nothing to send (the fee took the whole net): never sent, so never an attempt.
  CHECK ((amount_krw = 0) = (attempt = 0)),
  CHECK (amount_krw > 0 OR state IN ('scheduled', 'confirmed'))
);
CREATE INDEX payouts_by_merchant ON payouts (merchant_id, payout_id);
CREATE INDEX payouts_open ON payouts (state) WHERE state IN ('scheduled', 'sent', 'returned');
CREATE TABLE payout_attempts (
  payout_id TEXT NOT NULL REFERENCES payouts (payout_id),
  attempt INTEGER NOT NULL CHECK (attempt >= 1),
  business_day TEXT NOT NULL REFERENCES payout_runs (business_day),
  value_date TEXT NOT NULL,
  merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
  settlement_bank_code TEXT NOT NULL,
  settlement_account_number TEXT NOT NULL,
  settlement_holder_name TEXT NOT NULL,
  amount_krw INTEGER NOT NULL CHECK (amount_krw > 0),
  outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'confirmed', 'returned')),
  reason TEXT,
  hold INTEGER NOT NULL DEFAULT 0 CHECK (hold IN (0, 1)),
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  PRIMARY KEY (payout_id, attempt),
  CHECK ((outcome = 'returned') = (reason IS NOT NULL)),
  CHECK ((outcome = 'pending') = (resolved_at IS NULL)),
  CHECK (hold = 0 OR outcome = 'returned')
);
CREATE INDEX payout_attempts_by_run ON payout_attempts (business_day, merchant_id, payout_id);
CREATE TABLE payout_carry_forwards (
  business_day TEXT NOT NULL REFERENCES payout_runs (business_day),
  merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
  shortfall_krw INTEGER NOT NULL CHECK (shortfall_krw > 0),
  PRIMARY KEY (business_day, merchant_id)
);
-- One row per movement of what the acquirer owes a merchant, written with the
-- status change that caused it, at the acquirer's time of that change; a
-- payout run takes the rows completed before the end of its day and not yet paid.
CREATE TABLE merchant_entries (
  kind TEXT NOT NULL CHECK (kind IN ('PAYMENT', 'REFUND', 'CANCELLATION')),
  source_id TEXT NOT NULL,
  merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
  amount_krw INTEGER NOT NULL CHECK (amount_krw > 0),
  completed_at TEXT NOT NULL,
  payout_id TEXT REFERENCES payouts (payout_id),
  PRIMARY KEY (kind, source_id)
);
CREATE INDEX merchant_entries_unpaid ON merchant_entries (completed_at, merchant_id) WHERE payout_id IS NULL;
CREATE INDEX merchant_entries_by_payout ON merchant_entries (payout_id) WHERE payout_id IS NOT NULL;
-- What happened before this migration: a payment that succeeded has paid_at
-- set (and keeps it when cancelled later). Their times are approximate, and
-- all of it is due in the first run.
INSERT INTO merchant_entries (kind, source_id, merchant_id, amount_krw, completed_at)
  SELECT 'PAYMENT', payment_id, merchant_id, amount_krw, created_at FROM payments WHERE paid_at IS NOT NULL AND status IN ('SUCCESS', 'CANCELLED');
INSERT INTO merchant_entries (kind, source_id, merchant_id, amount_krw, completed_at)
  SELECT 'CANCELLATION', payment_id, merchant_id, amount_krw, updated_at FROM payments WHERE paid_at IS NOT NULL AND status = 'CANCELLED';
INSERT INTO merchant_entries (kind, source_id, merchant_id, amount_krw, completed_at)
  SELECT 'REFUND', r.refund_id, p.merchant_id, r.amount_krw, r.updated_at FROM refunds r JOIN payments p ON p.payment_id = r.payment_id WHERE r.status = 'SUCCESS';
`,
  },
];

export interface NewMerchant {
  readonly legalName: string;
  readonly businessRegistrationNumber: BusinessRegistrationNumber;
  readonly mcc: string;
  readonly address: string;
  readonly city: string;
  readonly settlementAccount: SettlementAccount;
  readonly mdrBps: number;
}

export interface NewPayment {
  readonly paymentId: PaymentId;
  readonly origin: PaymentOrigin;
  readonly merchantId: MerchantId;
  readonly storeId: StoreId | null;
  readonly terminalId: TerminalId | null;
  readonly orderId: OrderId | null;
  readonly idempotencyScope: string;
  readonly requestId: string;
  readonly requestHash: string;
  readonly amountKrw: bigint;
  readonly deadlineAtMs: number;
}

export type InsertPaymentOutcome =
  | { readonly kind: 'created'; readonly payment: Payment }
  | { readonly kind: 'existing'; readonly payment: Payment; readonly requestHash: string }
  /** The order already has a payment under way or succeeded. */
  | { readonly kind: 'order-taken' };

export type ReserveRefundOutcome =
  | { readonly kind: 'created'; readonly refund: Refund }
  | { readonly kind: 'existing'; readonly refund: Refund; readonly requestHash: string }
  | { readonly kind: 'payment-not-found' }
  | { readonly kind: 'not-refundable'; readonly status: PaymentStatus; readonly cancelRequested: boolean }
  | { readonly kind: 'exceeds'; readonly remainingKrw: bigint };

export type RequestCancelOutcome =
  | { readonly kind: 'requested'; readonly payment: Payment }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'has-refunds' };

export interface PaymentFinal extends Partial<PayerSide> {
  readonly status: PaymentStatus;
  readonly resultCode?: string | null;
}

export interface AcquirerStore {
  insertMerchant(merchant: NewMerchant, options: { readonly idPrefix: string; readonly at: string }): Promise<Merchant>;
  getMerchant(id: string): Promise<Merchant | null>;
  listMerchants(options: { readonly afterId?: string; readonly limit: number }): Promise<readonly Merchant[]>;
  /** Moves a merchant from `from` to `to`; null when it was not in `from` (or does not exist). */
  moveMerchant(id: MerchantId, move: { readonly from: OnboardingStatus; readonly to: OnboardingStatus; readonly reason: string | null; readonly at: string }): Promise<Merchant | null>;
  /** Sets a merchant's MDR for the payouts created from now on; null when there is no such merchant. */
  setMerchantMdr(id: MerchantId, mdrBps: number, at: string): Promise<Merchant | null>;
  insertStore(store: { readonly merchantId: MerchantId; readonly name: string; readonly address: string | null; readonly idPrefix: string; readonly at: string }): Promise<Store>;
  getStore(id: string): Promise<Store | null>;
  insertTerminal(terminal: { readonly merchantId: MerchantId; readonly storeId: StoreId | null; readonly label: string; readonly keyHash: Buffer; readonly idPrefix: string; readonly at: string }): Promise<Terminal>;
  getTerminalByKeyHash(keyHash: Buffer): Promise<Terminal | null>;
  /** Inserts the order unless (terminal, paymentRequestId) has one: then answers that one. */
  insertOrder(order: Order & { readonly expiresAtMs: number }): Promise<{ readonly created: boolean; readonly order: Order }>;
  getOrder(id: string): Promise<Order | null>;
  /** The order's payment under way or succeeded, else its latest. */
  paymentOfOrder(orderId: OrderId): Promise<Payment | null>;
  insertPayment(payment: NewPayment, at: string): Promise<InsertPaymentOutcome>;
  getPayment(id: string): Promise<Payment | null>;
  /** The payment a client created under (scope, request id), with the hash of that request. */
  findPayment(idempotencyScope: string, requestId: string): Promise<{ readonly payment: Payment; readonly requestHash: string } | null>;
  /**
   * Moves a payment from `from` to `final.status` with what the network said; null when it was not in `from`.
   * In the same transaction it records the merchant entry the move makes (PAYMENT on SUCCESS, CANCELLATION on SUCCESS → CANCELLED), at `at`.
   */
  movePayment(id: PaymentId, from: PaymentStatus, final: PaymentFinal, at: string): Promise<Payment | null>;
  /** Marks a successful payment as being cancelled, unless it has refunds (under way or done). */
  requestCancel(id: PaymentId, at: string): Promise<RequestCancelOutcome>;
  /** Clears the mark when the network refused the cancel. */
  clearCancelRequest(id: PaymentId, at: string): Promise<void>;
  /** Payments left PROCESSING whose deadline passed, and successful ones whose cancel was not answered. */
  openPayments(nowMs: number, limit: number): Promise<readonly Payment[]>;
  /** In one transaction: refuses unless the payment is SUCCESS and the refunds so far plus this one fit; then records it PROCESSING. */
  reserveRefund(refund: { readonly refundId: RefundId; readonly paymentId: string; readonly refundRequestId: string; readonly requestHash: string; readonly amountKrw: bigint }, at: string): Promise<ReserveRefundOutcome>;
  getRefund(id: string): Promise<Refund | null>;
  refundsOf(paymentId: PaymentId): Promise<readonly Refund[]>;
  /** Moves a refund; on SUCCESS, in the same transaction, records its REFUND merchant entry at `at`. */
  moveRefund(id: RefundId, from: RefundStatus, final: { readonly status: RefundStatus; readonly resultCode: string | null; readonly networkRefundId: string | null }, at: string): Promise<Refund | null>;
  processingRefunds(limit: number): Promise<readonly Refund[]>;
}

export interface MerchantRow {
  merchant_id: string;
  legal_name: string;
  business_registration_number: string;
  mcc: string;
  address: string;
  city: string;
  settlement_bank_code: string;
  settlement_account_number: string;
  settlement_holder_name: string;
  mdr_bps: bigint;
  status: OnboardingStatus;
  reject_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface StoreRow {
  store_id: string;
  merchant_id: string;
  name: string;
  address: string | null;
  created_at: string;
}

export interface TerminalRow {
  terminal_id: string;
  merchant_id: string;
  store_id: string | null;
  label: string;
  created_at: string;
}

export interface OrderRow {
  order_id: string;
  merchant_id: string;
  store_id: string | null;
  terminal_id: string;
  payment_request_id: string;
  amount_krw: bigint;
  qr_payload: string;
  expires_at: string;
  request_hash: string;
  created_at: string;
}

export interface PaymentRow {
  payment_id: string;
  origin: PaymentOrigin;
  merchant_id: string;
  store_id: string | null;
  terminal_id: string | null;
  order_id: string | null;
  request_id: string;
  request_hash: string;
  amount_krw: bigint;
  status: PaymentStatus;
  result_code: string | null;
  network_payment_id: string | null;
  pay_amount_currency: string | null;
  pay_amount_value: string | null;
  fx_quote: string | null;
  payer_id: string | null;
  paid_at: string | null;
  deadline_at_ms: bigint;
  /** 0/1 in SQLite, BOOLEAN in PostgreSQL. */
  cancel_requested: bigint | boolean;
  created_at: string;
  updated_at: string;
}

export interface RefundRow {
  refund_id: string;
  payment_id: string;
  refund_request_id: string;
  request_hash: string;
  amount_krw: bigint;
  status: RefundStatus;
  result_code: string | null;
  network_refund_id: string | null;
  created_at: string;
  updated_at: string;
}

export function toMerchant(row: MerchantRow): Merchant {
  return {
    merchantId: row.merchant_id as MerchantId,
    legalName: row.legal_name,
    businessRegistrationNumber: row.business_registration_number as BusinessRegistrationNumber,
    mcc: row.mcc,
    address: row.address,
    city: row.city,
    settlementAccount: { bankCode: row.settlement_bank_code, accountNumber: row.settlement_account_number, holderName: row.settlement_holder_name },
    mdrBps: Number(row.mdr_bps),
    status: row.status,
    rejectReason: row.reject_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toStore(row: StoreRow): Store {
  return { storeId: row.store_id as StoreId, merchantId: row.merchant_id as MerchantId, name: row.name, address: row.address, createdAt: row.created_at };
}

export function toTerminal(row: TerminalRow): Terminal {
  return {
    terminalId: row.terminal_id as TerminalId,
    merchantId: row.merchant_id as MerchantId,
    storeId: row.store_id as StoreId | null,
    label: row.label,
    createdAt: row.created_at,
  };
}

export function toOrder(row: OrderRow): Order {
  return {
    orderId: row.order_id as OrderId,
    merchantId: row.merchant_id as MerchantId,
    storeId: row.store_id as StoreId | null,
    terminalId: row.terminal_id as TerminalId,
    paymentRequestId: row.payment_request_id,
    amountKrw: row.amount_krw,
    qrPayload: row.qr_payload,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    requestHash: row.request_hash,
  };
}

export function toPayment(row: PaymentRow): Payment {
  return {
    paymentId: row.payment_id as PaymentId,
    origin: row.origin,
    merchantId: row.merchant_id as MerchantId,
    storeId: row.store_id as StoreId | null,
    terminalId: row.terminal_id as TerminalId | null,
    orderId: row.order_id as OrderId | null,
    requestId: row.request_id,
    amountKrw: row.amount_krw,
    status: row.status,
    resultCode: row.result_code,
    networkPaymentId: row.network_payment_id,
    payAmount: row.pay_amount_currency !== null && row.pay_amount_value !== null ? { currency: row.pay_amount_currency, value: row.pay_amount_value } : null,
    fxQuote: row.fx_quote === null ? null : (JSON.parse(row.fx_quote) as Payment['fxQuote']),
    payerId: row.payer_id,
    paidAt: row.paid_at,
    deadlineAtMs: Number(row.deadline_at_ms),
    cancelRequested: flag(row.cancel_requested),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toRefund(row: RefundRow): Refund {
  return {
    refundId: row.refund_id as RefundId,
    paymentId: row.payment_id as PaymentId,
    refundRequestId: row.refund_request_id,
    amountKrw: row.amount_krw,
    status: row.status,
    resultCode: row.result_code,
    networkRefundId: row.network_refund_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A flag column: 0/1 in SQLite (no boolean type), BOOLEAN in PostgreSQL. */
export function flag(value: bigint | boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (value !== 0n && value !== 1n) throw new Error(`assertion failed: a flag is 0 or 1, got ${value}`);
  return value === 1n;
}

export function sequenced(prefix: string, letter: string, seq: number): string {
  if (seq > ID_SEQUENCE_MAX) throw new Error(`assertion failed: ${prefix}${letter} ids are numbered up to ID_SEQUENCE_MAX=${ID_SEQUENCE_MAX}`);
  return `${prefix}${letter}${String(seq).padStart(ID_SEQUENCE_DIGITS, '0')}`;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function createSqliteAcquirerStore(db: SqliteDatabase): AcquirerStore {
  migrateSqlite(db, ACQUIRER_MIGRATIONS);
  const nextSeq = (table: 'merchants' | 'stores' | 'terminals'): number =>
    Number((prepareCached(db, `SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM ${table}`).get() as { next: bigint }).next);
  const merchantById = prepareCached(db, 'SELECT * FROM merchants WHERE merchant_id = ?');
  const paymentById = prepareCached(db, 'SELECT * FROM payments WHERE payment_id = ?');
  const refundById = prepareCached(db, 'SELECT * FROM refunds WHERE refund_id = ?');
  const readPayment = (id: string): Payment | null => {
    const row = paymentById.get(id) as PaymentRow | undefined;
    return row ? toPayment(row) : null;
  };
  const readRefund = (id: string): Refund | null => {
    const row = refundById.get(id) as RefundRow | undefined;
    return row ? toRefund(row) : null;
  };

  return {
    async insertMerchant(m, { idPrefix, at }) {
      const insert = db.transaction(() => {
        const seq = nextSeq('merchants');
        const merchantId = sequenced(idPrefix, 'M', seq);
        prepareCached(db, 
          `INSERT INTO merchants (seq, merchant_id, legal_name, business_registration_number, mcc, address, city,
             settlement_bank_code, settlement_account_number, settlement_holder_name, mdr_bps, status, reject_reason, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, ?, ?)`,
        ).run(seq, merchantId, m.legalName, m.businessRegistrationNumber, m.mcc, m.address, m.city, m.settlementAccount.bankCode, m.settlementAccount.accountNumber, m.settlementAccount.holderName, m.mdrBps, at, at);
        return toMerchant(merchantById.get(merchantId) as MerchantRow);
      });
      return insert.immediate();
    },
    async getMerchant(id) {
      const row = merchantById.get(id) as MerchantRow | undefined;
      return row ? toMerchant(row) : null;
    },
    async listMerchants({ afterId, limit }) {
      const rows = prepareCached(db, 'SELECT * FROM merchants WHERE merchant_id > ? ORDER BY merchant_id LIMIT ?').all(afterId ?? '', limit) as MerchantRow[];
      return rows.map(toMerchant);
    },
    async moveMerchant(id, { from, to, reason, at }) {
      const changed = db
        .prepare('UPDATE merchants SET status = ?, reject_reason = ?, updated_at = ? WHERE merchant_id = ? AND status = ?')
        .run(to, reason, at, id, from).changes;
      if (changed === 0) return null;
      return toMerchant(merchantById.get(id) as MerchantRow);
    },
    async setMerchantMdr(id, mdrBps, at) {
      const changed = prepareCached(db, 'UPDATE merchants SET mdr_bps = ?, updated_at = ? WHERE merchant_id = ?').run(mdrBps, at, id).changes;
      return changed === 0 ? null : toMerchant(merchantById.get(id) as MerchantRow);
    },
    async insertStore({ merchantId, name, address, idPrefix, at }) {
      return db
        .transaction(() => {
          const seq = nextSeq('stores');
          const storeId = sequenced(idPrefix, 'S', seq);
          prepareCached(db, 'INSERT INTO stores (seq, store_id, merchant_id, name, address, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(seq, storeId, merchantId, name, address, at);
          return toStore(prepareCached(db, 'SELECT * FROM stores WHERE store_id = ?').get(storeId) as StoreRow);
        })
        .immediate();
    },
    async getStore(id) {
      const row = prepareCached(db, 'SELECT * FROM stores WHERE store_id = ?').get(id) as StoreRow | undefined;
      return row ? toStore(row) : null;
    },
    async insertTerminal({ merchantId, storeId, label, keyHash, idPrefix, at }) {
      return db
        .transaction(() => {
          const seq = nextSeq('terminals');
          const terminalId = sequenced(idPrefix, 'T', seq);
          prepareCached(db, 'INSERT INTO terminals (seq, terminal_id, merchant_id, store_id, label, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(seq, terminalId, merchantId, storeId, label, keyHash, at);
          return toTerminal(prepareCached(db, 'SELECT * FROM terminals WHERE terminal_id = ?').get(terminalId) as TerminalRow);
        })
        .immediate();
    },
    async getTerminalByKeyHash(keyHash) {
      const row = prepareCached(db, 'SELECT * FROM terminals WHERE key_hash = ?').get(keyHash) as TerminalRow | undefined;
      return row ? toTerminal(row) : null;
    },
    async insertOrder(order) {
      return db
        .transaction(() => {
          const existing = prepareCached(db, 'SELECT * FROM orders WHERE terminal_id = ? AND payment_request_id = ?').get(order.terminalId, order.paymentRequestId) as OrderRow | undefined;
          if (existing) return { created: false, order: toOrder(existing) };
          prepareCached(db, 
            `INSERT INTO orders (order_id, merchant_id, store_id, terminal_id, payment_request_id, amount_krw, qr_payload, expires_at, expires_at_ms, request_hash, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(order.orderId, order.merchantId, order.storeId, order.terminalId, order.paymentRequestId, order.amountKrw, order.qrPayload, order.expiresAt, order.expiresAtMs, order.requestHash, order.createdAt);
          return { created: true, order: toOrder(prepareCached(db, 'SELECT * FROM orders WHERE order_id = ?').get(order.orderId) as OrderRow) };
        })
        .immediate();
    },
    async getOrder(id) {
      const row = prepareCached(db, 'SELECT * FROM orders WHERE order_id = ?').get(id) as OrderRow | undefined;
      return row ? toOrder(row) : null;
    },
    async paymentOfOrder(orderId) {
      const row = db
        .prepare(`SELECT * FROM payments WHERE order_id = ? ORDER BY status IN ('PROCESSING', 'SUCCESS') DESC, created_at DESC, payment_id DESC LIMIT 1`)
        .get(orderId) as PaymentRow | undefined;
      return row ? toPayment(row) : null;
    },
    async insertPayment(p, at) {
      return db
        .transaction((): InsertPaymentOutcome => {
          const existing = prepareCached(db, 'SELECT * FROM payments WHERE idempotency_scope = ? AND request_id = ?').get(p.idempotencyScope, p.requestId) as PaymentRow | undefined;
          if (existing) return { kind: 'existing', payment: toPayment(existing), requestHash: existing.request_hash };
          let row: PaymentRow;
          try {
            row = prepareCached(
              db,
              `INSERT INTO payments (payment_id, origin, merchant_id, store_id, terminal_id, order_id, idempotency_scope, request_id, request_hash,
                 amount_krw, status, deadline_at_ms, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PROCESSING', ?, ?, ?) RETURNING *`,
            ).get(p.paymentId, p.origin, p.merchantId, p.storeId, p.terminalId, p.orderId, p.idempotencyScope, p.requestId, p.requestHash, p.amountKrw, p.deadlineAtMs, at, at) as PaymentRow;
          } catch (error) {
            if (p.orderId !== null && isUniqueViolation(error)) return { kind: 'order-taken' };
            throw error;
          }
          return { kind: 'created', payment: toPayment(row) };
        })
        .immediate();
    },
    async getPayment(id) {
      return readPayment(id);
    },
    async findPayment(scope, requestId) {
      const row = prepareCached(db, 'SELECT * FROM payments WHERE idempotency_scope = ? AND request_id = ?').get(scope, requestId) as PaymentRow | undefined;
      return row ? { payment: toPayment(row), requestHash: row.request_hash } : null;
    },
    async movePayment(id, from, final, at) {
      const move = db.transaction((): PaymentRow | undefined => {
        const moved = prepareCached(
          db,
          `UPDATE payments SET status = ?, result_code = COALESCE(?, result_code),
             network_payment_id = COALESCE(?, network_payment_id),
             pay_amount_currency = COALESCE(?, pay_amount_currency), pay_amount_value = COALESCE(?, pay_amount_value),
             fx_quote = COALESCE(?, fx_quote), payer_id = COALESCE(?, payer_id), paid_at = COALESCE(?, paid_at),
             cancel_requested = 0, updated_at = ?
           WHERE payment_id = ? AND status = ? RETURNING *`,
        ).get(
          final.status,
          final.resultCode ?? null,
          final.networkPaymentId ?? null,
          final.payAmount?.currency ?? null,
          final.payAmount?.value ?? null,
          final.fxQuote ? JSON.stringify(final.fxQuote) : null,
          final.payerId ?? null,
          final.paidAt ?? null,
          at,
          id,
          from,
        ) as PaymentRow | undefined;
        if (moved === undefined) return undefined;
        const entryKind = final.status === 'SUCCESS' && from === 'PROCESSING' ? 'PAYMENT' : final.status === 'CANCELLED' && from === 'SUCCESS' ? 'CANCELLATION' : null;
        if (entryKind !== null) {
          prepareCached(db, 'INSERT INTO merchant_entries (kind, source_id, merchant_id, amount_krw, completed_at) VALUES (?, ?, ?, ?, ?)').run(entryKind, moved.payment_id, moved.merchant_id, moved.amount_krw, at);
        }
        return moved;
      });
      const moved = move.immediate();
      return moved === undefined ? null : toPayment(moved);
    },
    async requestCancel(id, at) {
      return db
        .transaction((): RequestCancelOutcome => {
          const payment = readPayment(id);
          if (payment === null) return { kind: 'not-found' };
          const live = prepareCached(db, `SELECT COUNT(*) AS n FROM refunds WHERE payment_id = ? AND status IN ('PROCESSING', 'SUCCESS')`).get(id) as { n: bigint };
          if (live.n > 0n) return { kind: 'has-refunds' };
          if (payment.status === 'SUCCESS') prepareCached(db, 'UPDATE payments SET cancel_requested = 1, updated_at = ? WHERE payment_id = ?').run(at, id);
          return { kind: 'requested', payment: readPayment(id)! };
        })
        .immediate();
    },
    async clearCancelRequest(id, at) {
      prepareCached(db, 'UPDATE payments SET cancel_requested = 0, updated_at = ? WHERE payment_id = ?').run(at, id);
    },
    async openPayments(nowMs, limit) {
      const rows = db
        .prepare(`SELECT * FROM payments WHERE (status = 'PROCESSING' AND deadline_at_ms <= ?) OR cancel_requested = 1 ORDER BY deadline_at_ms LIMIT ?`)
        .all(nowMs, limit) as PaymentRow[];
      return rows.map(toPayment);
    },
    async reserveRefund(r, at) {
      return db
        .transaction((): ReserveRefundOutcome => {
          const payment = readPayment(r.paymentId);
          if (payment === null) return { kind: 'payment-not-found' };
          const existing = prepareCached(db, 'SELECT * FROM refunds WHERE payment_id = ? AND refund_request_id = ?').get(r.paymentId, r.refundRequestId) as RefundRow | undefined;
          if (existing) return { kind: 'existing', refund: toRefund(existing), requestHash: existing.request_hash };
          if (payment.status !== 'SUCCESS' || payment.cancelRequested) return { kind: 'not-refundable', status: payment.status, cancelRequested: payment.cancelRequested };
          const reserved = (prepareCached(db, `SELECT COALESCE(SUM(amount_krw), 0) AS total FROM refunds WHERE payment_id = ? AND status IN ('PROCESSING', 'SUCCESS')`).get(r.paymentId) as { total: bigint }).total;
          const remainingKrw = payment.amountKrw - reserved;
          if (r.amountKrw > remainingKrw) return { kind: 'exceeds', remainingKrw };
          prepareCached(db, 
            `INSERT INTO refunds (refund_id, payment_id, refund_request_id, request_hash, amount_krw, status, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'PROCESSING', ?, ?)`,
          ).run(r.refundId, r.paymentId, r.refundRequestId, r.requestHash, r.amountKrw, at, at);
          return { kind: 'created', refund: readRefund(r.refundId)! };
        })
        .immediate();
    },
    async getRefund(id) {
      return readRefund(id);
    },
    async refundsOf(paymentId) {
      return (prepareCached(db, 'SELECT * FROM refunds WHERE payment_id = ? ORDER BY created_at, refund_id').all(paymentId) as RefundRow[]).map(toRefund);
    },
    async moveRefund(id, from, final, at) {
      const move = db.transaction((): number => {
        const changed = prepareCached(db, 'UPDATE refunds SET status = ?, result_code = COALESCE(?, result_code), network_refund_id = COALESCE(?, network_refund_id), updated_at = ? WHERE refund_id = ? AND status = ?')
          .run(final.status, final.resultCode, final.networkRefundId, at, id, from).changes;
        if (changed > 0 && final.status === 'SUCCESS') {
          prepareCached(db, 
            `INSERT INTO merchant_entries (kind, source_id, merchant_id, amount_krw, completed_at)
             SELECT 'REFUND', r.refund_id, p.merchant_id, r.amount_krw, ? FROM refunds r JOIN payments p ON p.payment_id = r.payment_id WHERE r.refund_id = ?`,
          ).run(at, id);
        }
        return changed;
      });
      return move.immediate() === 0 ? null : readRefund(id);
    },
    async processingRefunds(limit) {
      return (prepareCached(db, `SELECT * FROM refunds WHERE status = 'PROCESSING' ORDER BY created_at LIMIT ?`).all(limit) as RefundRow[]).map(toRefund);
    },
  };
}
