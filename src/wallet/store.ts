/**
 * The wallet's own tables: the `WalletStore` interface, its SQLite
 * implementation (`wallet.db`) and the row mapping both engines share (the
 * PostgreSQL store is `store-postgres.ts`; `store.contract.test.ts` runs one
 * suite on both). Rows are mapped to domain types here and nowhere else
 * (STYLE 15). Invariants are repeated in the schema (STYLE 11): one user per
 * token hash, one top-up per (user, request id), one payment per payment
 * code, codes unique by hash.
 */
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';
import { amount, parseCurrency, type Amount } from '../money/index.ts';
import { RESULT_CODES, type PaymentStatus, type ResultCode } from '../protocol/index.ts';
import type {
  KycTier,
  MpmRequest,
  Payment,
  PaymentCodeKind,
  PaymentCodeRecord,
  PaymentDetail,
  Refund,
  RefundStatus,
  SealedIdNumber,
  Topup,
  TopupStatus,
  User,
  UserEvent,
  UserEventKind,
  UserId,
} from './types.ts';

export const WALLET_MIGRATIONS: readonly Migration[] = [
  {
    module: 'wallet',
    version: 1,
    name: 'users, top-ups, payment codes, payments, refunds, scan-to-pay, activity',
    sql: `
CREATE TABLE wallet_users (
  user_id TEXT PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  phone TEXT NOT NULL,
  country TEXT NOT NULL CHECK (length(country) = 2),
  id_number_ciphertext BLOB,
  id_number_nonce BLOB CHECK (id_number_nonce IS NULL OR length(id_number_nonce) = 12),
  id_number_tag BLOB CHECK (id_number_tag IS NULL OR length(id_number_tag) = 16),
  id_number_last4 TEXT,
  kyc_tier TEXT NOT NULL CHECK (kyc_tier IN ('basic', 'verified')),
  card_funded INTEGER NOT NULL DEFAULT 0 CHECK (card_funded IN (0, 1)),
  created_at_ms INTEGER NOT NULL,
  CHECK ((id_number_ciphertext IS NULL) = (id_number_last4 IS NULL)),
  CHECK ((kyc_tier = 'verified') = (id_number_ciphertext IS NOT NULL))
);
CREATE TABLE wallet_topups (
  topup_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES wallet_users (user_id),
  request_id TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'DECLINED')),
  balance_after_minor INTEGER,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (user_id, request_id),
  CHECK ((status = 'SUCCESS') = (balance_after_minor IS NOT NULL))
);
CREATE INDEX wallet_topups_open ON wallet_topups (status) WHERE status = 'PROCESSING';
CREATE TABLE wallet_payment_codes (
  code_id TEXT PRIMARY KEY,
  code_hash BLOB NOT NULL UNIQUE CHECK (length(code_hash) = 32),
  user_id TEXT NOT NULL REFERENCES wallet_users (user_id),
  kind TEXT NOT NULL CHECK (kind IN ('user', 'mpm')),
  expires_at_ms INTEGER NOT NULL,
  used_at_ms INTEGER,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE wallet_payments (
  payment_id TEXT PRIMARY KEY,
  request_hash BLOB,
  user_id TEXT REFERENCES wallet_users (user_id),
  code_id TEXT UNIQUE REFERENCES wallet_payment_codes (code_id),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED')),
  result_code TEXT NOT NULL,
  acquirer_id TEXT,
  payment_request_id TEXT,
  payment_currency TEXT,
  payment_amount_minor INTEGER,
  pay_currency TEXT,
  pay_amount_minor INTEGER,
  quote_id TEXT,
  quote_base TEXT,
  quote_quote TEXT,
  quote_rate TEXT,
  merchant_id TEXT,
  merchant_name TEXT,
  merchant_mcc TEXT,
  merchant_city TEXT,
  merchant_country TEXT,
  payer_id TEXT,
  payment_time_ms INTEGER,
  cancel_time_ms INTEGER,
  created_at_ms INTEGER NOT NULL,
  CHECK (status NOT IN ('PROCESSING', 'SUCCESS') OR (user_id IS NOT NULL AND code_id IS NOT NULL AND pay_amount_minor IS NOT NULL)),
  CHECK ((code_id IS NULL) = (pay_amount_minor IS NULL))
);
CREATE INDEX wallet_payments_user_day ON wallet_payments (user_id, created_at_ms);
CREATE INDEX wallet_payments_open ON wallet_payments (status) WHERE status = 'PROCESSING';
CREATE TABLE wallet_refunds (
  refund_id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  user_id TEXT REFERENCES wallet_users (user_id),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL')),
  result_code TEXT NOT NULL,
  refund_currency TEXT,
  refund_amount_minor INTEGER CHECK (refund_amount_minor IS NULL OR refund_amount_minor > 0),
  refund_pay_currency TEXT,
  refund_pay_amount_minor INTEGER CHECK (refund_pay_amount_minor IS NULL OR refund_pay_amount_minor > 0),
  refund_time_ms INTEGER,
  created_at_ms INTEGER NOT NULL,
  CHECK (status = 'FAIL' OR (user_id IS NOT NULL AND refund_pay_amount_minor IS NOT NULL AND refund_amount_minor IS NOT NULL))
);
CREATE INDEX wallet_refunds_payment ON wallet_refunds (payment_id);
CREATE INDEX wallet_refunds_open ON wallet_refunds (status) WHERE status = 'PROCESSING';
CREATE TABLE wallet_mpm_requests (
  mpm_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES wallet_users (user_id),
  request_id TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  code_id TEXT NOT NULL UNIQUE REFERENCES wallet_payment_codes (code_id),
  merchant_name TEXT NOT NULL,
  payment_currency TEXT NOT NULL,
  payment_amount_minor INTEGER NOT NULL CHECK (payment_amount_minor > 0),
  refusal_code TEXT,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (user_id, request_id)
);
CREATE TABLE wallet_user_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL REFERENCES wallet_users (user_id),
  kind TEXT NOT NULL CHECK (kind IN ('topup', 'payment', 'mpm', 'refund', 'cancellation')),
  ref_id TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  UNIQUE (kind, ref_id)
);
CREATE INDEX wallet_user_events_user ON wallet_user_events (user_id, seq);
`,
  },
];

export interface NewUser {
  readonly userId: UserId;
  readonly tokenHash: Buffer;
  readonly name: string;
  readonly phone: string;
  readonly country: string;
  readonly idNumber: SealedIdNumber | null;
  readonly kycTier: KycTier;
  readonly createdAtMs: number;
}

/** A payment about to take its user's money: recorded PROCESSING together with spending its code. */
export interface ProcessingPayment {
  readonly paymentId: string;
  readonly requestHash: Buffer;
  readonly userId: UserId;
  readonly codeId: string;
  readonly detail: PaymentDetail;
  readonly atMs: number;
  /** Whether the payment gets its own line in the user's activity (an MPM payment is shown by its scan's line). */
  readonly journal: boolean;
}

export interface RefusedPayment {
  readonly paymentId: string;
  readonly requestHash: Buffer;
  readonly userId: UserId | null;
  readonly resultCode: ResultCode;
  readonly atMs: number;
}

export interface NewRefund {
  readonly refundId: string;
  readonly paymentId: string;
  readonly requestHash: Buffer;
  readonly userId: UserId | null;
  readonly status: 'PROCESSING' | 'FAIL';
  readonly resultCode: ResultCode;
  readonly refundAmount: Amount | null;
  readonly refundPayAmount: Amount | null;
  readonly atMs: number;
}

/**
 * The wallet's storage, on SQLite (`createSqliteWalletStore`) or PostgreSQL
 * (`createPostgresWalletStore`), with the same answers on both. Each method is
 * atomic; one that writes several rows does so in one transaction.
 */
export interface WalletStore {
  insertUser(user: NewUser): Promise<void>;
  userById(userId: string): Promise<User | undefined>;
  userByTokenHash(tokenHash: Buffer): Promise<User | undefined>;
  markCardFunded(userId: UserId): Promise<void>;
  usersNotFunded(limit: number): Promise<readonly UserId[]>;

  /** Records a top-up PROCESSING with its activity line; 'exists' when (user, request id) is taken. */
  insertTopup(topup: Omit<Topup, 'status' | 'balanceAfter'>): Promise<'inserted' | 'exists'>;
  topupByRequest(userId: UserId, requestId: string): Promise<Topup | undefined>;
  topupById(topupId: string): Promise<Topup | undefined>;
  finishTopup(topupId: string, outcome: { readonly status: 'SUCCESS'; readonly balanceAfter: Amount } | { readonly status: 'DECLINED' }): Promise<void>;
  openTopups(limit: number): Promise<readonly Topup[]>;

  /** False when the code's hash is already taken (the caller mints another). */
  insertPaymentCode(code: PaymentCodeRecord & { readonly codeHash: Buffer }): Promise<boolean>;
  paymentCodeByHash(codeHash: Buffer): Promise<PaymentCodeRecord | undefined>;
  paymentCodeById(codeId: string): Promise<PaymentCodeRecord | undefined>;
  /** Marks an unused code used without a payment, so that no later `pay` can spend it. */
  voidPaymentCode(codeId: string, atMs: number): Promise<void>;

  paymentById(paymentId: string): Promise<Payment | undefined>;
  paymentByCodeId(codeId: string): Promise<Payment | undefined>;
  /** Spends the code and records the payment PROCESSING in one transaction, and answers it as recorded; 'code-used' if the code was spent meanwhile. */
  recordProcessingPayment(payment: ProcessingPayment): Promise<Payment | 'code-used'>;
  insertRefusedPayment(payment: RefusedPayment): Promise<void>;
  /** A cancel for a payment never seen: a late `pay` under this id is refused. */
  insertTombstone(paymentId: string, atMs: number): Promise<void>;
  /** Moves a PROCESSING payment to its outcome and answers it as it now is; undefined if it was not PROCESSING (nothing changed). */
  finishPayment(paymentId: string, outcome: { readonly status: 'SUCCESS' | 'FAIL'; readonly resultCode: ResultCode }): Promise<Payment | undefined>;
  /** Sets CANCELLED (once), with an activity line when money went back. */
  markCancelled(paymentId: string, options: { readonly atMs: number; readonly journal: boolean }): Promise<void>;
  /** Σ payAmount of the user's PROCESSING and SUCCESS payments created in [fromMs, toMs), in CNY fen. */
  paidBetween(userId: UserId, range: { readonly fromMs: number; readonly toMs: number }): Promise<bigint>;
  openPayments(limit: number): Promise<readonly Payment[]>;

  refundById(refundId: string): Promise<Refund | undefined>;
  refundsOfPayment(paymentId: string): Promise<readonly Refund[]>;
  /** Records a refund (PROCESSING with its activity line, or refused); 'exists' if the id is taken. */
  insertRefund(refund: NewRefund): Promise<'inserted' | 'exists'>;
  finishRefund(refundId: string, atMs: number): Promise<void>;
  openRefunds(limit: number): Promise<readonly Refund[]>;

  /** Records a scan-to-pay with its one-time code and activity line; 'exists' when (user, request id) is taken. */
  insertMpm(request: Omit<MpmRequest, 'refusalCode'>, code: PaymentCodeRecord & { readonly codeHash: Buffer }): Promise<'inserted' | 'exists' | 'code-collision'>;
  mpmByRequest(userId: UserId, requestId: string): Promise<MpmRequest | undefined>;
  mpmById(mpmId: string): Promise<MpmRequest | undefined>;
  /** The network refused: remember why and void the code. */
  refuseMpm(mpmId: string, resultCode: ResultCode, atMs: number): Promise<void>;

  /** The user's activity, newest first, before `beforeSeq` when given. */
  userEvents(userId: UserId, page: { readonly beforeSeq: number | null; readonly limit: number }): Promise<readonly UserEvent[]>;
}

/** A row as either engine returns it, before mapping. */
export type Row = Record<string, unknown>;

export function createSqliteWalletStore(db: SqliteDatabase): WalletStore {
  migrateSqlite(db, WALLET_MIGRATIONS);
  const get = (sql: string, ...params: unknown[]): Row | undefined => prepareCached(db, sql).get(...params) as Row | undefined;
  const all = (sql: string, ...params: unknown[]): Row[] => prepareCached(db, sql).all(...params) as Row[];
  const run = (sql: string, ...params: unknown[]): number => prepareCached(db, sql).run(...params).changes;
  const event = (userId: string, kind: UserEventKind, refId: string, atMs: number): void => {
    run('INSERT OR IGNORE INTO wallet_user_events (user_id, kind, ref_id, created_at_ms) VALUES (?, ?, ?, ?)', userId, kind, refId, atMs);
  };
  const insertCode = (code: PaymentCodeRecord & { readonly codeHash: Buffer }): boolean => {
    const changes = run(
      `INSERT INTO wallet_payment_codes (code_id, code_hash, user_id, kind, expires_at_ms, used_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code_hash) DO NOTHING`,
      code.codeId, code.codeHash, code.userId, code.kind, code.expiresAtMs, code.usedAtMs, code.createdAtMs,
    );
    return changes === 1;
  };

  return {
    async insertUser(user) {
      run(
        `INSERT INTO wallet_users (user_id, token_hash, name, phone, country, id_number_ciphertext, id_number_nonce,
           id_number_tag, id_number_last4, kyc_tier, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        user.userId, user.tokenHash, user.name, user.phone, user.country, user.idNumber?.ciphertext ?? null,
        user.idNumber?.nonce ?? null, user.idNumber?.tag ?? null, user.idNumber?.last4 ?? null, user.kycTier, user.createdAtMs,
      );
    },
    async userById(userId) {
      return mapOptional(get('SELECT * FROM wallet_users WHERE user_id = ?', userId), toUser);
    },
    async userByTokenHash(tokenHash) {
      return mapOptional(get('SELECT * FROM wallet_users WHERE token_hash = ?', tokenHash), toUser);
    },
    async markCardFunded(userId) {
      run('UPDATE wallet_users SET card_funded = 1 WHERE user_id = ?', userId);
    },
    async usersNotFunded(limit) {
      return all('SELECT user_id FROM wallet_users WHERE card_funded = 0 LIMIT ?', limit).map((row) => text(row.user_id) as UserId);
    },

    async insertTopup(topup) {
      return db.transaction(() => {
        const changes = run(
          `INSERT INTO wallet_topups (topup_id, user_id, request_id, request_hash, currency, amount_minor, status, created_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, 'PROCESSING', ?) ON CONFLICT (user_id, request_id) DO NOTHING`,
          topup.topupId, topup.userId, topup.requestId, topup.requestHash, topup.amount.currency, topup.amount.value, topup.createdAtMs,
        );
        if (changes === 0) return 'exists' as const;
        event(topup.userId, 'topup', topup.topupId, topup.createdAtMs);
        return 'inserted' as const;
      }).immediate();
    },
    async topupByRequest(userId, requestId) {
      return mapOptional(get('SELECT * FROM wallet_topups WHERE user_id = ? AND request_id = ?', userId, requestId), toTopup);
    },
    async topupById(topupId) {
      return mapOptional(get('SELECT * FROM wallet_topups WHERE topup_id = ?', topupId), toTopup);
    },
    async finishTopup(topupId, outcome) {
      const balance = outcome.status === 'SUCCESS' ? outcome.balanceAfter.value : null;
      run(`UPDATE wallet_topups SET status = ?, balance_after_minor = ? WHERE topup_id = ? AND status = 'PROCESSING'`, outcome.status, balance, topupId);
    },
    async openTopups(limit) {
      return all(`SELECT * FROM wallet_topups WHERE status = 'PROCESSING' ORDER BY created_at_ms LIMIT ?`, limit).map(toTopup);
    },

    async insertPaymentCode(code) {
      return insertCode(code);
    },
    async paymentCodeByHash(codeHash) {
      return mapOptional(get('SELECT * FROM wallet_payment_codes WHERE code_hash = ?', codeHash), toPaymentCode);
    },
    async paymentCodeById(codeId) {
      return mapOptional(get('SELECT * FROM wallet_payment_codes WHERE code_id = ?', codeId), toPaymentCode);
    },
    async voidPaymentCode(codeId, atMs) {
      run('UPDATE wallet_payment_codes SET used_at_ms = ? WHERE code_id = ? AND used_at_ms IS NULL', atMs, codeId);
    },

    async paymentById(paymentId) {
      return mapOptional(get('SELECT * FROM wallet_payments WHERE payment_id = ?', paymentId), toPayment);
    },
    async paymentByCodeId(codeId) {
      return mapOptional(get('SELECT * FROM wallet_payments WHERE code_id = ?', codeId), toPayment);
    },
    async recordProcessingPayment(p) {
      return db.transaction(() => {
        const spent = run('UPDATE wallet_payment_codes SET used_at_ms = ? WHERE code_id = ? AND used_at_ms IS NULL', p.atMs, p.codeId);
        if (spent === 0) return 'code-used' as const;
        const d = p.detail;
        const recorded = get(
          `INSERT INTO wallet_payments (payment_id, request_hash, user_id, code_id, status, result_code, acquirer_id,
             payment_request_id, payment_currency, payment_amount_minor, pay_currency, pay_amount_minor, quote_id, quote_base,
             quote_quote, quote_rate, merchant_id, merchant_name, merchant_mcc, merchant_city, merchant_country, payer_id,
             payment_time_ms, created_at_ms)
           VALUES (?, ?, ?, ?, 'PROCESSING', 'PAYMENT_IN_PROCESS', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          p.paymentId, p.requestHash, p.userId, p.codeId, d.acquirerId, d.paymentRequestId, d.paymentAmount.currency,
          d.paymentAmount.value, d.payAmount.currency, d.payAmount.value, d.fxQuote.quoteId, d.fxQuote.baseCurrency,
          d.fxQuote.quoteCurrency, d.fxQuote.rate, d.merchant.merchantId, d.merchant.merchantName, d.merchant.merchantMcc,
          d.merchant.merchantCity, d.merchant.merchantCountry, d.payerId, p.atMs, p.atMs,
        );
        if (recorded === undefined) throw new Error(`assertion failed: INSERT … RETURNING answers payment ${p.paymentId}`);
        if (p.journal) event(p.userId, 'payment', p.paymentId, p.atMs);
        return toPayment(recorded);
      }).immediate();
    },
    async insertRefusedPayment(p) {
      run(
        `INSERT INTO wallet_payments (payment_id, request_hash, user_id, status, result_code, created_at_ms)
         VALUES (?, ?, ?, 'FAIL', ?, ?) ON CONFLICT (payment_id) DO NOTHING`,
        p.paymentId, p.requestHash, p.userId, p.resultCode, p.atMs,
      );
    },
    async insertTombstone(paymentId, atMs) {
      run(
        `INSERT INTO wallet_payments (payment_id, status, result_code, cancel_time_ms, created_at_ms)
         VALUES (?, 'CANCELLED', 'ORDER_IS_CLOSED', ?, ?) ON CONFLICT (payment_id) DO NOTHING`,
        paymentId, atMs, atMs,
      );
    },
    async finishPayment(paymentId, outcome) {
      return mapOptional(get(`UPDATE wallet_payments SET status = ?, result_code = ? WHERE payment_id = ? AND status = 'PROCESSING' RETURNING *`, outcome.status, outcome.resultCode, paymentId), toPayment);
    },
    async markCancelled(paymentId, options) {
      db.transaction(() => {
        const changed = run(
          `UPDATE wallet_payments SET status = 'CANCELLED', result_code = 'ORDER_IS_CLOSED', cancel_time_ms = ?
           WHERE payment_id = ? AND status <> 'CANCELLED'`,
          options.atMs, paymentId,
        );
        const row = get('SELECT user_id FROM wallet_payments WHERE payment_id = ?', paymentId);
        if (changed === 1 && options.journal && row && row.user_id !== null) event(text(row.user_id), 'cancellation', paymentId, options.atMs);
      }).immediate();
    },
    async paidBetween(userId, range) {
      const row = get(
        `SELECT COALESCE(SUM(pay_amount_minor), 0) AS total FROM wallet_payments
         WHERE user_id = ? AND status IN ('PROCESSING', 'SUCCESS') AND created_at_ms >= ? AND created_at_ms < ?`,
        userId, range.fromMs, range.toMs,
      );
      return bigintOf(row?.total ?? 0n);
    },
    async openPayments(limit) {
      return all(`SELECT * FROM wallet_payments WHERE status = 'PROCESSING' ORDER BY created_at_ms LIMIT ?`, limit).map(toPayment);
    },

    async refundById(refundId) {
      return mapOptional(get('SELECT * FROM wallet_refunds WHERE refund_id = ?', refundId), toRefund);
    },
    async refundsOfPayment(paymentId) {
      return all('SELECT * FROM wallet_refunds WHERE payment_id = ? ORDER BY created_at_ms', paymentId).map(toRefund);
    },
    async insertRefund(r) {
      return db.transaction(() => {
        const changes = run(
          `INSERT INTO wallet_refunds (refund_id, payment_id, request_hash, user_id, status, result_code, refund_currency,
             refund_amount_minor, refund_pay_currency, refund_pay_amount_minor, created_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (refund_id) DO NOTHING`,
          r.refundId, r.paymentId, r.requestHash, r.userId, r.status, r.resultCode, r.refundAmount?.currency ?? null,
          r.refundAmount?.value ?? null, r.refundPayAmount?.currency ?? null, r.refundPayAmount?.value ?? null, r.atMs,
        );
        if (changes === 0) return 'exists' as const;
        if (r.status === 'PROCESSING' && r.userId !== null) event(r.userId, 'refund', r.refundId, r.atMs);
        return 'inserted' as const;
      }).immediate();
    },
    async finishRefund(refundId, atMs) {
      run(`UPDATE wallet_refunds SET status = 'SUCCESS', result_code = 'SUCCESS', refund_time_ms = ? WHERE refund_id = ? AND status = 'PROCESSING'`, atMs, refundId);
    },
    async openRefunds(limit) {
      return all(`SELECT * FROM wallet_refunds WHERE status = 'PROCESSING' ORDER BY created_at_ms LIMIT ?`, limit).map(toRefund);
    },

    async insertMpm(request, code) {
      return db.transaction(() => {
        const taken = get('SELECT 1 AS taken FROM wallet_mpm_requests WHERE user_id = ? AND request_id = ?', request.userId, request.requestId);
        if (taken) return 'exists' as const;
        if (!insertCode(code)) return 'code-collision' as const;
        run(
          `INSERT INTO wallet_mpm_requests (mpm_id, user_id, request_id, request_hash, code_id, merchant_name, payment_currency,
             payment_amount_minor, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          request.mpmId, request.userId, request.requestId, request.requestHash, request.codeId, request.merchantName,
          request.paymentAmount.currency, request.paymentAmount.value, request.createdAtMs,
        );
        event(request.userId, 'mpm', request.mpmId, request.createdAtMs);
        return 'inserted' as const;
      }).immediate();
    },
    async mpmByRequest(userId, requestId) {
      return mapOptional(get('SELECT * FROM wallet_mpm_requests WHERE user_id = ? AND request_id = ?', userId, requestId), toMpm);
    },
    async mpmById(mpmId) {
      return mapOptional(get('SELECT * FROM wallet_mpm_requests WHERE mpm_id = ?', mpmId), toMpm);
    },
    async refuseMpm(mpmId, resultCode, atMs) {
      db.transaction(() => {
        run('UPDATE wallet_mpm_requests SET refusal_code = ? WHERE mpm_id = ? AND refusal_code IS NULL', resultCode, mpmId);
        run(
          `UPDATE wallet_payment_codes SET used_at_ms = ? WHERE used_at_ms IS NULL
           AND code_id = (SELECT code_id FROM wallet_mpm_requests WHERE mpm_id = ?)`,
          atMs, mpmId,
        );
      }).immediate();
    },

    async userEvents(userId, page) {
      const rows =
        page.beforeSeq === null
          ? all('SELECT * FROM wallet_user_events WHERE user_id = ? ORDER BY seq DESC LIMIT ?', userId, page.limit)
          : all('SELECT * FROM wallet_user_events WHERE user_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?', userId, page.beforeSeq, page.limit);
      return rows.map(toUserEvent);
    },
  };
}

// ---------------------------------------------------------------- row mapping
//
// Shared by both engines: each reads integers as bigint (better-sqlite3's
// safe integers, POSTGRES_INTEGER_TYPES), blobs as Buffer and text as string.

export function mapOptional<T>(row: Row | undefined, map: (row: Row) => T): T | undefined {
  return row === undefined ? undefined : map(row);
}

export function text(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`assertion failed: a text column, got ${typeof value}`);
  return value;
}

function textOrNull(value: unknown): string | null {
  return value === null ? null : text(value);
}

export function bigintOf(value: unknown): bigint {
  if (typeof value !== 'bigint') throw new Error(`assertion failed: an integer column read as bigint, got ${typeof value}`);
  return value;
}

function numberOf(value: unknown): number {
  const n = Number(bigintOf(value));
  if (!Number.isSafeInteger(n)) throw new Error(`assertion failed: ${String(value)} is a safe integer`);
  return n;
}

/** A flag column: 0/1 in SQLite (no boolean type), BOOLEAN in PostgreSQL. */
function flag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const n = numberOf(value);
  if (n !== 0 && n !== 1) throw new Error(`assertion failed: a flag is 0 or 1, got ${n}`);
  return n === 1;
}

function numberOrNull(value: unknown): number | null {
  return value === null ? null : numberOf(value);
}

function blob(value: unknown): Buffer {
  if (!Buffer.isBuffer(value)) throw new Error('assertion failed: a blob column');
  return value;
}

function storedAmount(currencyCode: unknown, minor: unknown): Amount {
  const parsed = parseCurrency(text(currencyCode));
  if (!parsed.ok) throw new Error(`assertion failed: a stored currency, got ${String(currencyCode)}`);
  return amount(parsed.value, bigintOf(minor));
}

function storedAmountOrNull(currencyCode: unknown, minor: unknown): Amount | null {
  return minor === null ? null : storedAmount(currencyCode, minor);
}

function resultCode(value: unknown): ResultCode {
  const code = text(value);
  if (!Object.hasOwn(RESULT_CODES, code)) throw new Error(`assertion failed: a result code, got ${code}`);
  return code as ResultCode;
}

export function toUser(row: Row): User {
  return {
    userId: text(row.user_id) as UserId,
    name: text(row.name),
    phone: text(row.phone),
    country: text(row.country),
    idNumberLast4: textOrNull(row.id_number_last4),
    kycTier: text(row.kyc_tier) as KycTier,
    cardFunded: flag(row.card_funded),
    createdAtMs: numberOf(row.created_at_ms),
  };
}

export function toTopup(row: Row): Topup {
  return {
    topupId: text(row.topup_id),
    userId: text(row.user_id) as UserId,
    requestId: text(row.request_id),
    requestHash: blob(row.request_hash),
    amount: storedAmount(row.currency, row.amount_minor),
    status: text(row.status) as TopupStatus,
    balanceAfter: storedAmountOrNull(row.currency, row.balance_after_minor),
    createdAtMs: numberOf(row.created_at_ms),
  };
}

export function toPaymentCode(row: Row): PaymentCodeRecord {
  return {
    codeId: text(row.code_id),
    userId: text(row.user_id) as UserId,
    kind: text(row.kind) as PaymentCodeKind,
    expiresAtMs: numberOf(row.expires_at_ms),
    usedAtMs: numberOrNull(row.used_at_ms),
    createdAtMs: numberOf(row.created_at_ms),
  };
}

export function toPayment(row: Row): Payment {
  const detail: PaymentDetail | null =
    row.pay_amount_minor === null
      ? null
      : {
          acquirerId: text(row.acquirer_id),
          paymentRequestId: text(row.payment_request_id),
          paymentAmount: storedAmount(row.payment_currency, row.payment_amount_minor),
          payAmount: storedAmount(row.pay_currency, row.pay_amount_minor),
          fxQuote: { quoteId: text(row.quote_id), baseCurrency: text(row.quote_base), quoteCurrency: text(row.quote_quote), rate: text(row.quote_rate) },
          merchant: {
            merchantId: text(row.merchant_id),
            merchantName: text(row.merchant_name),
            merchantMcc: text(row.merchant_mcc),
            merchantCity: text(row.merchant_city),
            merchantCountry: text(row.merchant_country),
          },
          payerId: text(row.payer_id),
        };
  return {
    paymentId: text(row.payment_id),
    status: text(row.status) as PaymentStatus,
    resultCode: resultCode(row.result_code),
    requestHash: row.request_hash === null ? null : blob(row.request_hash),
    userId: textOrNull(row.user_id) as UserId | null,
    codeId: textOrNull(row.code_id),
    detail,
    paymentTimeMs: numberOrNull(row.payment_time_ms),
    cancelTimeMs: numberOrNull(row.cancel_time_ms),
    createdAtMs: numberOf(row.created_at_ms),
  };
}

export function toRefund(row: Row): Refund {
  return {
    refundId: text(row.refund_id),
    paymentId: text(row.payment_id),
    requestHash: blob(row.request_hash),
    userId: textOrNull(row.user_id) as UserId | null,
    status: text(row.status) as RefundStatus,
    resultCode: resultCode(row.result_code),
    refundAmount: storedAmountOrNull(row.refund_currency, row.refund_amount_minor),
    refundPayAmount: storedAmountOrNull(row.refund_pay_currency, row.refund_pay_amount_minor),
    refundTimeMs: numberOrNull(row.refund_time_ms),
    createdAtMs: numberOf(row.created_at_ms),
  };
}

export function toUserEvent(row: Row): UserEvent {
  return {
    seq: numberOf(row.seq),
    userId: text(row.user_id) as UserId,
    kind: text(row.kind) as UserEventKind,
    refId: text(row.ref_id),
    createdAtMs: numberOf(row.created_at_ms),
  };
}

export function toMpm(row: Row): MpmRequest {
  return {
    mpmId: text(row.mpm_id),
    userId: text(row.user_id) as UserId,
    requestId: text(row.request_id),
    requestHash: blob(row.request_hash),
    codeId: text(row.code_id),
    merchantName: text(row.merchant_name),
    paymentAmount: storedAmount(row.payment_currency, row.payment_amount_minor),
    refusalCode: row.refusal_code === null ? null : resultCode(row.refusal_code),
    createdAtMs: numberOf(row.created_at_ms),
  };
}
