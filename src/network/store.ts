/**
 * The network's own tables behind an async interface: this file is the
 * SQLite store (network.db) and the row mappers both engines share;
 * `store-postgres.ts` is the PostgreSQL one, with the same answers
 * (`store.contract.test.ts` runs one suite on both). SQL rows are snake_case
 * and never leave the stores: they return domain types. Invariants are
 * repeated in the schema (STYLE 11): UNIQUE idempotency keys, CHECKs on
 * statuses, amounts and role-specific prefixes.
 */
import { amount, parseCurrency, type Amount, type Currency } from '../money/index.ts';
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';
import type { MerchantWire, PaymentStatus, ResultCode } from '../protocol/index.ts';
import type {
  ClearingPayment,
  ClearingRefund,
  FxRateRecord,
  NetworkPayment,
  NetworkPaymentId,
  NetworkRefund,
  NetworkRefundId,
  Participant,
  ParticipantKey,
  PaymentStage,
  RefundStatus,
} from './types.ts';

const MIGRATIONS: readonly Migration[] = [
  {
    module: 'network',
    version: 1,
    name: 'participants, fx rates, payments, refunds',
    sql: `
CREATE TABLE participants (
  participant_id TEXT PRIMARY KEY CHECK (length(participant_id) BETWEEN 1 AND 48),
  role TEXT NOT NULL CHECK (role IN ('wallet', 'acquirer')),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  base_url TEXT NOT NULL,
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  code_prefix TEXT CHECK ((role = 'wallet') = (code_prefix IS NOT NULL)),
  merchant_id_prefix TEXT CHECK ((role = 'acquirer') = (merchant_id_prefix IS NOT NULL)),
  registered_at TEXT NOT NULL
);
CREATE UNIQUE INDEX participants_code_prefix ON participants (code_prefix) WHERE code_prefix IS NOT NULL;
CREATE UNIQUE INDEX participants_merchant_id_prefix ON participants (merchant_id_prefix) WHERE merchant_id_prefix IS NOT NULL;
CREATE TABLE participant_keys (
  participant_id TEXT NOT NULL REFERENCES participants (participant_id),
  key_version INTEGER NOT NULL CHECK (key_version BETWEEN 1 AND 2147483647),
  public_key_pem TEXT NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (participant_id, key_version)
);
CREATE TABLE fx_rates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  quote_id TEXT NOT NULL UNIQUE,
  base_currency TEXT NOT NULL CHECK (length(base_currency) = 3),
  quote_currency TEXT NOT NULL CHECK (length(quote_currency) = 3 AND quote_currency <> base_currency),
  rate TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX fx_rates_pair ON fx_rates (base_currency, quote_currency, valid_from);
CREATE TABLE payments (
  payment_id TEXT PRIMARY KEY,
  acquirer_id TEXT NOT NULL REFERENCES participants (participant_id),
  payment_request_id TEXT NOT NULL,
  wallet_id TEXT NOT NULL REFERENCES participants (participant_id),
  request_hash TEXT NOT NULL CHECK (length(request_hash) = 64),
  merchant TEXT NOT NULL,
  payment_currency TEXT NOT NULL,
  payment_value INTEGER NOT NULL CHECK (payment_value > 0),
  pay_currency TEXT NOT NULL,
  pay_value INTEGER NOT NULL CHECK (pay_value > 0),
  quote_id TEXT NOT NULL REFERENCES fx_rates (quote_id),
  fx_base TEXT NOT NULL,
  fx_quote TEXT NOT NULL,
  fx_rate TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED')),
  stage TEXT CHECK (stage IN ('paying', 'cancelling')),
  result_code TEXT,
  result_message TEXT,
  payer_id TEXT,
  payment_time TEXT,
  deadline_at TEXT NOT NULL,
  notify_pending INTEGER NOT NULL DEFAULT 0 CHECK (notify_pending IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (acquirer_id, payment_request_id),
  CHECK ((status = 'PROCESSING') = (stage IS NOT NULL) OR (status = 'SUCCESS' AND stage = 'cancelling')),
  CHECK (status <> 'SUCCESS' OR payment_time IS NOT NULL)
);
CREATE INDEX payments_status ON payments (status, created_at);
CREATE INDEX payments_open ON payments (stage) WHERE stage IS NOT NULL;
CREATE INDEX payments_notify ON payments (notify_pending) WHERE notify_pending = 1;
CREATE TABLE refunds (
  refund_id TEXT PRIMARY KEY,
  acquirer_id TEXT NOT NULL,
  refund_request_id TEXT NOT NULL,
  payment_id TEXT NOT NULL REFERENCES payments (payment_id),
  request_hash TEXT NOT NULL CHECK (length(request_hash) = 64),
  refund_currency TEXT NOT NULL,
  refund_value INTEGER NOT NULL CHECK (refund_value > 0),
  refund_pay_currency TEXT NOT NULL,
  refund_pay_value INTEGER NOT NULL CHECK (refund_pay_value >= 0),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL')),
  result_code TEXT,
  refund_time TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (acquirer_id, refund_request_id)
);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_open ON refunds (status) WHERE status = 'PROCESSING';
CREATE TABLE cancelled_requests (
  acquirer_id TEXT NOT NULL,
  payment_request_id TEXT NOT NULL,
  cancelled_at TEXT NOT NULL,
  PRIMARY KEY (acquirer_id, payment_request_id)
);
CREATE TABLE user_initiated_requests (
  wallet_id TEXT NOT NULL,
  user_request_id TEXT NOT NULL,
  request_hash TEXT NOT NULL CHECK (length(request_hash) = 64),
  acquirer_id TEXT NOT NULL,
  final_answer TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (wallet_id, user_request_id)
);
`,
  },
];

export interface PaymentChanges {
  readonly status?: PaymentStatus;
  readonly stage?: PaymentStage | null;
  readonly resultCode?: ResultCode | null;
  readonly resultMessage?: string | null;
  readonly payerId?: string | null;
  readonly paymentTime?: Date | null;
  readonly notifyPending?: boolean;
}

export interface RefundChanges {
  readonly status?: RefundStatus;
  readonly resultCode?: ResultCode | null;
  readonly refundTime?: Date | null;
}

export interface UserInitiatedRecord {
  readonly requestHash: string;
  readonly acquirerId: string;
  /** The acquirer's final (S or F) answer as JSON, once it gave one. */
  readonly finalAnswer: string | null;
}

export interface NetworkStore {
  listParticipants(): Promise<Participant[]>;
  /** Inserts the participant and its keys in one transaction; `conflict` when a UNIQUE key (id or prefix) is taken. */
  insertParticipant(participant: Participant): Promise<'inserted' | 'conflict'>;
  insertParticipantKey(participantId: string, key: ParticipantKey): Promise<'inserted' | 'exists'>;

  insertFxRate(record: FxRateRecord): Promise<void>;
  /** Newest first. */
  listFxRates(limit: number): Promise<FxRateRecord[]>;
  /** The rate in force at `at`: the latest `validFrom` not after it. */
  currentFxRate(base: Currency, quote: Currency, at: Date): Promise<FxRateRecord | null>;

  insertPayment(payment: NetworkPayment): Promise<'inserted' | 'duplicate'>;
  paymentById(paymentId: string): Promise<NetworkPayment | null>;
  paymentByRequest(acquirerId: string, paymentRequestId: string): Promise<NetworkPayment | null>;
  /** Applies `changes` only if the payment is still in `expected`; resolves whether it was. */
  updatePayment(
    paymentId: NetworkPaymentId,
    expected: { readonly status: PaymentStatus; readonly stage: PaymentStage | null },
    changes: PaymentChanges,
    at: Date,
  ): Promise<boolean>;
  /** Newest first. */
  listPayments(query: { readonly status?: PaymentStatus; readonly limit: number }): Promise<NetworkPayment[]>;
  /** Payments with a stage (PROCESSING, or SUCCESS being cancelled), oldest first. */
  openPayments(limit: number): Promise<NetworkPayment[]>;
  paymentsToNotify(limit: number): Promise<NetworkPayment[]>;

  insertCancelledRequest(acquirerId: string, paymentRequestId: string, at: Date): Promise<void>;
  isCancelledRequest(acquirerId: string, paymentRequestId: string): Promise<boolean>;

  /**
   * What clearing needs of each of these payments that exists, by id: one
   * statement for the lot, reading only the columns clearing uses, so a cycle
   * of millions costs a statement per page of the ledger, not one per payment.
   */
  paymentsForClearing(paymentIds: readonly string[]): Promise<Map<string, ClearingPayment>>;

  insertRefund(refund: NetworkRefund): Promise<'inserted' | 'duplicate'>;
  refundById(refundId: string): Promise<NetworkRefund | null>;
  /** What clearing needs of each of these refunds that exists, by id (as `paymentsForClearing`). */
  refundsForClearing(refundIds: readonly string[]): Promise<Map<string, ClearingRefund>>;
  refundByRequest(acquirerId: string, refundRequestId: string): Promise<NetworkRefund | null>;
  refundsOfPayment(paymentId: NetworkPaymentId): Promise<NetworkRefund[]>;
  updateRefund(refundId: NetworkRefundId, expected: RefundStatus, changes: RefundChanges, at: Date): Promise<boolean>;
  openRefunds(limit: number): Promise<NetworkRefund[]>;

  userInitiated(walletId: string, userRequestId: string): Promise<UserInitiatedRecord | null>;
  insertUserInitiated(walletId: string, userRequestId: string, record: UserInitiatedRecord, at: Date): Promise<'inserted' | 'duplicate'>;
  setUserInitiatedAnswer(walletId: string, userRequestId: string, finalAnswer: string): Promise<void>;
}

/** A row as a driver returns it: integers as `bigint` (better-sqlite3's safe integers, `POSTGRES_INTEGER_TYPES`). */
export type Row = Record<string, unknown>;

export function openNetworkStore(db: SqliteDatabase): NetworkStore {
  migrateSqlite(db, MIGRATIONS);
  const keysOf = prepareCached(db, 'SELECT * FROM participant_keys WHERE participant_id = ? ORDER BY key_version');
  const readPayment = (row: unknown): NetworkPayment | null => (row === undefined ? null : paymentFromRow(row as Row));
  const readRefund = (row: unknown): NetworkRefund | null => (row === undefined ? null : refundFromRow(row as Row));
  const isUniqueViolation = (error: unknown): boolean =>
    error instanceof Error && 'code' in error && (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');

  return {
    async listParticipants() {
      const rows = prepareCached(db, 'SELECT * FROM participants ORDER BY registered_at, participant_id').all() as Row[];
      return rows.map((row) => participantFromRow(row, keysOf.all(row['participant_id']) as Row[]));
    },
    async insertParticipant(p) {
      try {
        db.transaction(() => {
          prepareCached(db, 
            `INSERT INTO participants (participant_id, role, name, base_url, currency, code_prefix, merchant_id_prefix, registered_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            p.participantId,
            p.role,
            p.name,
            p.baseUrl,
            p.currency,
            p.role === 'wallet' ? p.codePrefix : null,
            p.role === 'acquirer' ? p.merchantIdPrefix : null,
            p.registeredAt.toISOString(),
          );
          for (const key of p.keys) insertKey(db, p.participantId, key);
        }).immediate();
        return 'inserted';
      } catch (error) {
        if (isUniqueViolation(error)) return 'conflict';
        throw error;
      }
    },
    async insertParticipantKey(participantId, key) {
      try {
        insertKey(db, participantId, key);
        return 'inserted';
      } catch (error) {
        if (isUniqueViolation(error)) return 'exists';
        throw error;
      }
    },

    async insertFxRate(r) {
      prepareCached(db, 
        'INSERT INTO fx_rates (quote_id, base_currency, quote_currency, rate, valid_from, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(r.quoteId, r.base, r.quote, r.rate, r.validFrom.toISOString(), r.recordedAt.toISOString());
    },
    async listFxRates(limit) {
      const rows = prepareCached(db, 'SELECT * FROM fx_rates ORDER BY seq DESC LIMIT ?').all(limit) as Row[];
      return rows.map(fxRateFromRow);
    },
    async currentFxRate(base, quote, at) {
      const row = prepareCached(
        db,
        `SELECT * FROM fx_rates WHERE base_currency = ? AND quote_currency = ? AND valid_from <= ?
         ORDER BY valid_from DESC, seq DESC LIMIT 1`,
      ).get(base, quote, at.toISOString());
      return row === undefined ? null : fxRateFromRow(row as Row);
    },

    async insertPayment(p) {
      try {
        prepareCached(db, 
          `INSERT INTO payments (payment_id, acquirer_id, payment_request_id, wallet_id, request_hash, merchant,
             payment_currency, payment_value, pay_currency, pay_value, quote_id, fx_base, fx_quote, fx_rate,
             status, stage, result_code, result_message, payer_id, payment_time, deadline_at, notify_pending, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          p.paymentId,
          p.acquirerId,
          p.paymentRequestId,
          p.walletId,
          p.requestHash,
          JSON.stringify(p.merchant),
          p.paymentAmount.currency,
          p.paymentAmount.value,
          p.payAmount.currency,
          p.payAmount.value,
          p.fxQuote.quoteId,
          p.fxQuote.base,
          p.fxQuote.quote,
          p.fxQuote.rate,
          p.status,
          p.stage,
          p.resultCode,
          p.resultMessage,
          p.payerId,
          p.paymentTime?.toISOString() ?? null,
          p.deadlineAt.toISOString(),
          p.notifyPending ? 1 : 0,
          p.createdAt.toISOString(),
          p.updatedAt.toISOString(),
        );
        return 'inserted';
      } catch (error) {
        if (isUniqueViolation(error)) return 'duplicate';
        throw error;
      }
    },
    async paymentById(paymentId) {
      return readPayment(prepareCached(db, 'SELECT * FROM payments WHERE payment_id = ?').get(paymentId));
    },
    async paymentsForClearing(paymentIds) {
      const statement = prepareCached(
        db,
        `SELECT payment_id, acquirer_id, payment_request_id, wallet_id, payment_currency, payment_value, pay_currency, pay_value, quote_id, fx_base, fx_quote, fx_rate
           FROM payments WHERE payment_id IN (SELECT value FROM json_each(?))`,
      ).raw(true);
      const found = new Map<string, ClearingPayment>();
      for (const values of statement.all(JSON.stringify(paymentIds)) as unknown[][]) {
        const payment = clearingPaymentFromValues(values);
        found.set(payment.paymentId, payment);
      }
      return found;
    },
    async paymentByRequest(acquirerId, paymentRequestId) {
      return readPayment(prepareCached(db, 'SELECT * FROM payments WHERE acquirer_id = ? AND payment_request_id = ?').get(acquirerId, paymentRequestId));
    },
    async updatePayment(paymentId, expected, changes, at) {
      const columns = paymentChangeColumns(changes);
      const sql = `UPDATE payments SET ${[...columns.map((c) => `${c.column} = ?`), 'updated_at = ?'].join(', ')} WHERE payment_id = ? AND status = ? AND stage IS ?`;
      const values = columns.map((c) => (typeof c.value === 'boolean' ? (c.value ? 1 : 0) : c.value));
      return prepareCached(db, sql).run(...values, at.toISOString(), paymentId, expected.status, expected.stage).changes === 1;
    },
    async listPayments(query) {
      const rows = (
        query.status === undefined
          ? prepareCached(db, 'SELECT * FROM payments ORDER BY created_at DESC, payment_id DESC LIMIT ?').all(query.limit)
          : prepareCached(db, 'SELECT * FROM payments WHERE status = ? ORDER BY created_at DESC, payment_id DESC LIMIT ?').all(query.status, query.limit)
      ) as Row[];
      return rows.map(paymentFromRow);
    },
    async openPayments(limit) {
      const rows = prepareCached(db, 'SELECT * FROM payments WHERE stage IS NOT NULL ORDER BY created_at LIMIT ?').all(limit) as Row[];
      return rows.map(paymentFromRow);
    },
    async paymentsToNotify(limit) {
      const rows = prepareCached(db, 'SELECT * FROM payments WHERE notify_pending = 1 ORDER BY updated_at LIMIT ?').all(limit) as Row[];
      return rows.map(paymentFromRow);
    },

    async insertCancelledRequest(acquirerId, paymentRequestId, at) {
      prepareCached(db, 'INSERT OR IGNORE INTO cancelled_requests (acquirer_id, payment_request_id, cancelled_at) VALUES (?, ?, ?)').run(
        acquirerId,
        paymentRequestId,
        at.toISOString(),
      );
    },
    async isCancelledRequest(acquirerId, paymentRequestId) {
      return prepareCached(db, 'SELECT 1 FROM cancelled_requests WHERE acquirer_id = ? AND payment_request_id = ?').get(acquirerId, paymentRequestId) !== undefined;
    },

    async insertRefund(r) {
      try {
        prepareCached(db, 
          `INSERT INTO refunds (refund_id, acquirer_id, refund_request_id, payment_id, request_hash, refund_currency, refund_value,
             refund_pay_currency, refund_pay_value, status, result_code, refund_time, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          r.refundId,
          r.acquirerId,
          r.refundRequestId,
          r.paymentId,
          r.requestHash,
          r.refundAmount.currency,
          r.refundAmount.value,
          r.refundPayAmount.currency,
          r.refundPayAmount.value,
          r.status,
          r.resultCode,
          r.refundTime?.toISOString() ?? null,
          r.createdAt.toISOString(),
          r.updatedAt.toISOString(),
        );
        return 'inserted';
      } catch (error) {
        if (isUniqueViolation(error)) return 'duplicate';
        throw error;
      }
    },
    async refundById(refundId) {
      return readRefund(prepareCached(db, 'SELECT * FROM refunds WHERE refund_id = ?').get(refundId));
    },
    async refundsForClearing(refundIds) {
      const statement = prepareCached(
        db,
        `SELECT refund_id, payment_id, refund_request_id, refund_currency, refund_value, refund_pay_currency, refund_pay_value
           FROM refunds WHERE refund_id IN (SELECT value FROM json_each(?))`,
      ).raw(true);
      const found = new Map<string, ClearingRefund>();
      for (const values of statement.all(JSON.stringify(refundIds)) as unknown[][]) {
        const refund = clearingRefundFromValues(values);
        found.set(refund.refundId, refund);
      }
      return found;
    },
    async refundByRequest(acquirerId, refundRequestId) {
      return readRefund(prepareCached(db, 'SELECT * FROM refunds WHERE acquirer_id = ? AND refund_request_id = ?').get(acquirerId, refundRequestId));
    },
    async refundsOfPayment(paymentId) {
      const rows = prepareCached(db, 'SELECT * FROM refunds WHERE payment_id = ? ORDER BY created_at, refund_id').all(paymentId) as Row[];
      return rows.map(refundFromRow);
    },
    async updateRefund(refundId, expected, changes, at) {
      const columns = refundChangeColumns(changes);
      const sql = `UPDATE refunds SET ${[...columns.map((c) => `${c.column} = ?`), 'updated_at = ?'].join(', ')} WHERE refund_id = ? AND status = ?`;
      return prepareCached(db, sql).run(...columns.map((c) => c.value), at.toISOString(), refundId, expected).changes === 1;
    },
    async openRefunds(limit) {
      const rows = prepareCached(db, "SELECT * FROM refunds WHERE status = 'PROCESSING' ORDER BY created_at LIMIT ?").all(limit) as Row[];
      return rows.map(refundFromRow);
    },

    async userInitiated(walletId, userRequestId) {
      const row = prepareCached(db, 'SELECT * FROM user_initiated_requests WHERE wallet_id = ? AND user_request_id = ?').get(walletId, userRequestId) as
        | Row
        | undefined;
      return row === undefined ? null : userInitiatedFromRow(row);
    },
    async insertUserInitiated(walletId, userRequestId, record, at) {
      try {
        prepareCached(db, 
          'INSERT INTO user_initiated_requests (wallet_id, user_request_id, request_hash, acquirer_id, final_answer, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(walletId, userRequestId, record.requestHash, record.acquirerId, record.finalAnswer, at.toISOString());
        return 'inserted';
      } catch (error) {
        if (isUniqueViolation(error)) return 'duplicate';
        throw error;
      }
    },
    async setUserInitiatedAnswer(walletId, userRequestId, finalAnswer) {
      prepareCached(db, 'UPDATE user_initiated_requests SET final_answer = ? WHERE wallet_id = ? AND user_request_id = ?').run(finalAnswer, walletId, userRequestId);
    },
  };
}

function insertKey(db: SqliteDatabase, participantId: string, key: ParticipantKey): void {
  prepareCached(db, 'INSERT INTO participant_keys (participant_id, key_version, public_key_pem, added_at) VALUES (?, ?, ?, ?)').run(
    participantId,
    key.keyVersion,
    key.publicKeyPem,
    key.addedAt.toISOString(),
  );
}

/** A column an update sets, with its value; a flag stays a boolean here, each engine stores it its way. */
export interface ColumnChange {
  readonly column: string;
  readonly value: string | boolean | null;
}

/** The columns `changes` sets, in a fixed order (so that each shape of update is one cached statement). */
export function paymentChangeColumns(changes: PaymentChanges): ColumnChange[] {
  const columns: ColumnChange[] = [];
  const set = (column: string, value: string | boolean | null): void => void columns.push({ column, value });
  if (changes.status !== undefined) set('status', changes.status);
  if (changes.stage !== undefined) set('stage', changes.stage);
  if (changes.resultCode !== undefined) set('result_code', changes.resultCode);
  if (changes.resultMessage !== undefined) set('result_message', changes.resultMessage);
  if (changes.payerId !== undefined) set('payer_id', changes.payerId);
  if (changes.paymentTime !== undefined) set('payment_time', changes.paymentTime?.toISOString() ?? null);
  if (changes.notifyPending !== undefined) set('notify_pending', changes.notifyPending);
  return columns;
}

export function refundChangeColumns(changes: RefundChanges): ColumnChange[] {
  const columns: ColumnChange[] = [];
  if (changes.status !== undefined) columns.push({ column: 'status', value: changes.status });
  if (changes.resultCode !== undefined) columns.push({ column: 'result_code', value: changes.resultCode });
  if (changes.refundTime !== undefined) columns.push({ column: 'refund_time', value: changes.refundTime?.toISOString() ?? null });
  return columns;
}

// ---------------------------------------------------------------- rows → domain

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`assertion failed: ${column} is text`);
  return value;
}

function nullableText(row: Row, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : text(row, column);
}

function integer(row: Row, column: string): bigint {
  const value = row[column];
  if (typeof value !== 'bigint') throw new Error(`assertion failed: ${column} is an integer`);
  return value;
}

/** A flag column: 0/1 in SQLite (no boolean type), BOOLEAN in PostgreSQL. */
function flag(row: Row, column: string): boolean {
  const value = row[column];
  if (typeof value === 'boolean') return value;
  if (value === 0n || value === 1n) return value === 1n;
  throw new Error(`assertion failed: ${column} is a flag`);
}

function date(row: Row, column: string): Date {
  return new Date(text(row, column));
}

function nullableDate(row: Row, column: string): Date | null {
  const value = nullableText(row, column);
  return value === null ? null : new Date(value);
}

function currencyOf(row: Row, column: string): Currency {
  const parsed = parseCurrency(text(row, column));
  if (!parsed.ok) throw new Error(`assertion failed: ${column} is a currency: ${parsed.error.message}`);
  return parsed.value;
}

function amountOf(row: Row, currencyColumn: string, valueColumn: string): Amount {
  return amount(currencyOf(row, currencyColumn), integer(row, valueColumn));
}

export function participantFromRow(row: Row, keyRows: readonly Row[]): Participant {
  const keys: ParticipantKey[] = keyRows.map((k) => ({
    keyVersion: Number(integer(k, 'key_version')),
    publicKeyPem: text(k, 'public_key_pem'),
    addedAt: date(k, 'added_at'),
  }));
  const common = {
    participantId: text(row, 'participant_id'),
    name: text(row, 'name'),
    baseUrl: text(row, 'base_url'),
    currency: currencyOf(row, 'currency'),
    keys,
    registeredAt: date(row, 'registered_at'),
  };
  return text(row, 'role') === 'wallet'
    ? { ...common, role: 'wallet', codePrefix: text(row, 'code_prefix') }
    : { ...common, role: 'acquirer', merchantIdPrefix: text(row, 'merchant_id_prefix') };
}

export function fxRateFromRow(row: Row): FxRateRecord {
  return {
    quoteId: text(row, 'quote_id'),
    base: currencyOf(row, 'base_currency'),
    quote: currencyOf(row, 'quote_currency'),
    rate: text(row, 'rate'),
    validFrom: date(row, 'valid_from'),
    recordedAt: date(row, 'recorded_at'),
  };
}

export function paymentFromRow(row: Row): NetworkPayment {
  return {
    paymentId: text(row, 'payment_id') as NetworkPaymentId,
    acquirerId: text(row, 'acquirer_id'),
    paymentRequestId: text(row, 'payment_request_id'),
    walletId: text(row, 'wallet_id'),
    requestHash: text(row, 'request_hash'),
    merchant: JSON.parse(text(row, 'merchant')) as MerchantWire,
    paymentAmount: amountOf(row, 'payment_currency', 'payment_value'),
    payAmount: amountOf(row, 'pay_currency', 'pay_value'),
    fxQuote: { quoteId: text(row, 'quote_id'), base: currencyOf(row, 'fx_base'), quote: currencyOf(row, 'fx_quote'), rate: text(row, 'fx_rate') },
    status: text(row, 'status') as PaymentStatus,
    stage: nullableText(row, 'stage') as PaymentStage | null,
    resultCode: nullableText(row, 'result_code') as ResultCode | null,
    resultMessage: nullableText(row, 'result_message'),
    payerId: nullableText(row, 'payer_id'),
    paymentTime: nullableDate(row, 'payment_time'),
    deadlineAt: date(row, 'deadline_at'),
    notifyPending: flag(row, 'notify_pending'),
    createdAt: date(row, 'created_at'),
    updatedAt: date(row, 'updated_at'),
  };
}

/** The columns of `paymentsForClearing`, in order, read raw: no row object per payment. */
export function clearingPaymentFromValues(v: unknown[]): ClearingPayment {
  return {
    paymentId: rawText(v[0], 'payment_id') as NetworkPaymentId,
    acquirerId: rawText(v[1], 'acquirer_id'),
    paymentRequestId: rawText(v[2], 'payment_request_id'),
    walletId: rawText(v[3], 'wallet_id'),
    paymentAmount: rawAmount(v[4], v[5], 'payment'),
    payAmount: rawAmount(v[6], v[7], 'pay'),
    fxQuote: { quoteId: rawText(v[8], 'quote_id'), base: rawCurrency(v[9], 'fx_base'), quote: rawCurrency(v[10], 'fx_quote'), rate: rawText(v[11], 'fx_rate') },
  };
}

/** The columns of `refundsForClearing`, in order. */
export function clearingRefundFromValues(v: unknown[]): ClearingRefund {
  return {
    refundId: rawText(v[0], 'refund_id') as NetworkRefundId,
    paymentId: rawText(v[1], 'payment_id') as NetworkPaymentId,
    refundRequestId: rawText(v[2], 'refund_request_id'),
    refundAmount: rawAmount(v[3], v[4], 'refund'),
    refundPayAmount: rawAmount(v[5], v[6], 'refund_pay'),
  };
}

function rawText(value: unknown, column: string): string {
  if (typeof value !== 'string') throw new Error(`assertion failed: ${column} is text`);
  return value;
}

function rawCurrency(value: unknown, column: string): Currency {
  const parsed = parseCurrency(rawText(value, column));
  if (!parsed.ok) throw new Error(`assertion failed: ${column} is a currency: ${parsed.error.message}`);
  return parsed.value;
}

function rawAmount(currencyValue: unknown, value: unknown, column: string): Amount {
  if (typeof value !== 'bigint') throw new Error(`assertion failed: ${column}_value is an integer`);
  return amount(rawCurrency(currencyValue, `${column}_currency`), value);
}

export function userInitiatedFromRow(row: Row): UserInitiatedRecord {
  return { requestHash: text(row, 'request_hash'), acquirerId: text(row, 'acquirer_id'), finalAnswer: nullableText(row, 'final_answer') };
}

export function refundFromRow(row: Row): NetworkRefund {
  return {
    refundId: text(row, 'refund_id') as NetworkRefundId,
    acquirerId: text(row, 'acquirer_id'),
    refundRequestId: text(row, 'refund_request_id'),
    paymentId: text(row, 'payment_id') as NetworkPaymentId,
    requestHash: text(row, 'request_hash'),
    refundAmount: amountOf(row, 'refund_currency', 'refund_value'),
    refundPayAmount: amountOf(row, 'refund_pay_currency', 'refund_pay_value'),
    status: text(row, 'status') as RefundStatus,
    resultCode: nullableText(row, 'result_code') as ResultCode | null,
    refundTime: nullableDate(row, 'refund_time'),
    createdAt: date(row, 'created_at'),
    updatedAt: date(row, 'updated_at'),
  };
}
