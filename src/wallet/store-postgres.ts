/**
 * The wallet's own tables on PostgreSQL, the production engine (ADR 3): the
 * same `WalletStore`, with the same answers, as the SQLite store in
 * `store.ts` (`store.contract.test.ts` runs one suite on both).
 *
 * The SQLite store runs on one connection, one statement at a time; here many
 * callers share a pool, so no method may read a row and then decide a write
 * on what it read. Each decision is a single conditional statement instead
 * (`UPDATE … WHERE used_at_ms IS NULL`, `INSERT … ON CONFLICT DO NOTHING`,
 * `UPDATE … RETURNING`), which PostgreSQL re-checks against the committed row
 * after waiting for a concurrent writer (READ COMMITTED), so of many
 * concurrent calls exactly one wins. A method that writes several rows does
 * so in one transaction on one connection (`inPostgresTransaction`).
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
import type { PaymentCodeRecord, UserEventKind, UserId } from './types.ts';
import {
  bigintOf,
  mapOptional,
  text,
  toMpm,
  toPayment,
  toPaymentCode,
  toRefund,
  toTopup,
  toUser,
  toUserEvent,
  type Row,
  type WalletStore,
} from './store.ts';

/**
 * The SQLite schema (`WALLET_MIGRATIONS`) in PostgreSQL's types, with every
 * CHECK, UNIQUE and foreign key repeated: BYTEA for blobs (`octet_length`),
 * BIGINT for every amount and instant, BOOLEAN for the one flag, an identity
 * column for the activity's sequence. The partial index on users not yet
 * funded is PostgreSQL's only addition: the recovery pass looks them up, and
 * a production table of users is too large to scan.
 */
export const WALLET_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    module: 'wallet',
    version: 1,
    name: 'users, top-ups, payment codes, payments, refunds, scan-to-pay, activity',
    sql: `
CREATE TABLE wallet_users (
  user_id TEXT PRIMARY KEY,
  token_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  phone TEXT NOT NULL,
  country TEXT NOT NULL CHECK (char_length(country) = 2),
  id_number_ciphertext BYTEA,
  id_number_nonce BYTEA CHECK (id_number_nonce IS NULL OR octet_length(id_number_nonce) = 12),
  id_number_tag BYTEA CHECK (id_number_tag IS NULL OR octet_length(id_number_tag) = 16),
  id_number_last4 TEXT,
  kyc_tier TEXT NOT NULL CHECK (kyc_tier IN ('basic', 'verified')),
  card_funded BOOLEAN NOT NULL DEFAULT false,
  created_at_ms BIGINT NOT NULL,
  CHECK ((id_number_ciphertext IS NULL) = (id_number_last4 IS NULL)),
  CHECK ((kyc_tier = 'verified') = (id_number_ciphertext IS NOT NULL))
);
CREATE INDEX wallet_users_not_funded ON wallet_users (created_at_ms) WHERE NOT card_funded;
CREATE TABLE wallet_topups (
  topup_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES wallet_users (user_id),
  request_id TEXT NOT NULL,
  request_hash BYTEA NOT NULL,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'DECLINED')),
  balance_after_minor BIGINT,
  created_at_ms BIGINT NOT NULL,
  UNIQUE (user_id, request_id),
  CHECK ((status = 'SUCCESS') = (balance_after_minor IS NOT NULL))
);
CREATE INDEX wallet_topups_open ON wallet_topups (created_at_ms) WHERE status = 'PROCESSING';
CREATE TABLE wallet_payment_codes (
  code_id TEXT PRIMARY KEY,
  code_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(code_hash) = 32),
  user_id TEXT NOT NULL REFERENCES wallet_users (user_id),
  kind TEXT NOT NULL CHECK (kind IN ('user', 'mpm')),
  expires_at_ms BIGINT NOT NULL,
  used_at_ms BIGINT,
  created_at_ms BIGINT NOT NULL
);
CREATE TABLE wallet_payments (
  payment_id TEXT PRIMARY KEY,
  request_hash BYTEA,
  user_id TEXT REFERENCES wallet_users (user_id),
  code_id TEXT UNIQUE REFERENCES wallet_payment_codes (code_id),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED')),
  result_code TEXT NOT NULL,
  acquirer_id TEXT,
  payment_request_id TEXT,
  payment_currency TEXT,
  payment_amount_minor BIGINT,
  pay_currency TEXT,
  pay_amount_minor BIGINT,
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
  payment_time_ms BIGINT,
  cancel_time_ms BIGINT,
  created_at_ms BIGINT NOT NULL,
  CHECK (status NOT IN ('PROCESSING', 'SUCCESS') OR (user_id IS NOT NULL AND code_id IS NOT NULL AND pay_amount_minor IS NOT NULL)),
  CHECK ((code_id IS NULL) = (pay_amount_minor IS NULL))
);
CREATE INDEX wallet_payments_user_day ON wallet_payments (user_id, created_at_ms);
CREATE INDEX wallet_payments_open ON wallet_payments (created_at_ms) WHERE status = 'PROCESSING';
CREATE TABLE wallet_refunds (
  refund_id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL,
  request_hash BYTEA NOT NULL,
  user_id TEXT REFERENCES wallet_users (user_id),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL')),
  result_code TEXT NOT NULL,
  refund_currency TEXT,
  refund_amount_minor BIGINT CHECK (refund_amount_minor IS NULL OR refund_amount_minor > 0),
  refund_pay_currency TEXT,
  refund_pay_amount_minor BIGINT CHECK (refund_pay_amount_minor IS NULL OR refund_pay_amount_minor > 0),
  refund_time_ms BIGINT,
  created_at_ms BIGINT NOT NULL,
  CHECK (status = 'FAIL' OR (user_id IS NOT NULL AND refund_pay_amount_minor IS NOT NULL AND refund_amount_minor IS NOT NULL))
);
CREATE INDEX wallet_refunds_payment ON wallet_refunds (payment_id);
CREATE INDEX wallet_refunds_open ON wallet_refunds (created_at_ms) WHERE status = 'PROCESSING';
CREATE TABLE wallet_mpm_requests (
  mpm_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES wallet_users (user_id),
  request_id TEXT NOT NULL,
  request_hash BYTEA NOT NULL,
  code_id TEXT NOT NULL UNIQUE REFERENCES wallet_payment_codes (code_id),
  merchant_name TEXT NOT NULL,
  payment_currency TEXT NOT NULL,
  payment_amount_minor BIGINT NOT NULL CHECK (payment_amount_minor > 0),
  refusal_code TEXT,
  created_at_ms BIGINT NOT NULL,
  UNIQUE (user_id, request_id)
);
CREATE TABLE wallet_user_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES wallet_users (user_id),
  kind TEXT NOT NULL CHECK (kind IN ('topup', 'payment', 'mpm', 'refund', 'cancellation')),
  ref_id TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  UNIQUE (kind, ref_id)
);
CREATE INDEX wallet_user_events_user ON wallet_user_events (user_id, seq);
`,
  },
];

/** Where a statement runs: the pool (its own transaction) or a transaction's connection. */
type Queryable = PostgresPool | PostgresClient;

/** Creates the wallet's tables if needed, then the store; the caller owns (and ends) the pool. */
export async function createPostgresWalletStore(pool: PostgresPool): Promise<WalletStore> {
  await migratePostgres(pool, WALLET_POSTGRES_MIGRATIONS);
  const rows = async (on: Queryable, sql: string, ...values: unknown[]): Promise<Row[]> =>
    (await on.query<Row>({ text: sql, values, types: POSTGRES_INTEGER_TYPES })).rows;
  const get = async (sql: string, ...values: unknown[]): Promise<Row | undefined> => (await rows(pool, sql, ...values))[0];
  const all = (sql: string, ...values: unknown[]): Promise<Row[]> => rows(pool, sql, ...values);
  /** Rows changed (or, with RETURNING, rows returned). */
  const run = async (on: Queryable, sql: string, ...values: unknown[]): Promise<number> => (await on.query({ text: sql, values })).rowCount ?? 0;
  const event = (on: Queryable, userId: string, kind: UserEventKind, refId: string, atMs: number): Promise<number> =>
    run(on, 'INSERT INTO wallet_user_events (user_id, kind, ref_id, created_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, ref_id) DO NOTHING', userId, kind, refId, atMs);
  const insertCode = async (on: Queryable, code: PaymentCodeRecord & { readonly codeHash: Buffer }): Promise<boolean> => {
    const inserted = await run(
      on,
      `INSERT INTO wallet_payment_codes (code_id, code_hash, user_id, kind, expires_at_ms, used_at_ms, created_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code_hash) DO NOTHING`,
      code.codeId, code.codeHash, code.userId, code.kind, code.expiresAtMs, code.usedAtMs, code.createdAtMs,
    );
    return inserted === 1;
  };

  return {
    async insertUser(user) {
      await run(
        pool,
        `INSERT INTO wallet_users (user_id, token_hash, name, phone, country, id_number_ciphertext, id_number_nonce,
           id_number_tag, id_number_last4, kyc_tier, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        user.userId, user.tokenHash, user.name, user.phone, user.country, user.idNumber?.ciphertext ?? null,
        user.idNumber?.nonce ?? null, user.idNumber?.tag ?? null, user.idNumber?.last4 ?? null, user.kycTier, user.createdAtMs,
      );
    },
    async userById(userId) {
      return mapOptional(await get('SELECT * FROM wallet_users WHERE user_id = $1', userId), toUser);
    },
    async userByTokenHash(tokenHash) {
      return mapOptional(await get('SELECT * FROM wallet_users WHERE token_hash = $1', tokenHash), toUser);
    },
    async markCardFunded(userId) {
      await run(pool, 'UPDATE wallet_users SET card_funded = true WHERE user_id = $1 AND NOT card_funded', userId);
    },
    async usersNotFunded(limit) {
      return (await all('SELECT user_id FROM wallet_users WHERE NOT card_funded ORDER BY created_at_ms LIMIT $1', limit)).map((row) => text(row.user_id) as UserId);
    },

    async insertTopup(topup) {
      return inPostgresTransaction(pool, async (client) => {
        // ON CONFLICT waits for a concurrent insert of the same (user, request id) and then does nothing: one wins.
        const inserted = await run(
          client,
          `INSERT INTO wallet_topups (topup_id, user_id, request_id, request_hash, currency, amount_minor, status, created_at_ms)
           VALUES ($1, $2, $3, $4, $5, $6, 'PROCESSING', $7) ON CONFLICT (user_id, request_id) DO NOTHING`,
          topup.topupId, topup.userId, topup.requestId, topup.requestHash, topup.amount.currency, topup.amount.value, topup.createdAtMs,
        );
        if (inserted === 0) return 'exists' as const;
        await event(client, topup.userId, 'topup', topup.topupId, topup.createdAtMs);
        return 'inserted' as const;
      });
    },
    async topupByRequest(userId, requestId) {
      return mapOptional(await get('SELECT * FROM wallet_topups WHERE user_id = $1 AND request_id = $2', userId, requestId), toTopup);
    },
    async topupById(topupId) {
      return mapOptional(await get('SELECT * FROM wallet_topups WHERE topup_id = $1', topupId), toTopup);
    },
    async finishTopup(topupId, outcome) {
      const balance = outcome.status === 'SUCCESS' ? outcome.balanceAfter.value : null;
      await run(pool, `UPDATE wallet_topups SET status = $1, balance_after_minor = $2 WHERE topup_id = $3 AND status = 'PROCESSING'`, outcome.status, balance, topupId);
    },
    async openTopups(limit) {
      return (await all(`SELECT * FROM wallet_topups WHERE status = 'PROCESSING' ORDER BY created_at_ms LIMIT $1`, limit)).map(toTopup);
    },

    async insertPaymentCode(code) {
      return insertCode(pool, code);
    },
    async paymentCodeByHash(codeHash) {
      return mapOptional(await get('SELECT * FROM wallet_payment_codes WHERE code_hash = $1', codeHash), toPaymentCode);
    },
    async paymentCodeById(codeId) {
      return mapOptional(await get('SELECT * FROM wallet_payment_codes WHERE code_id = $1', codeId), toPaymentCode);
    },
    async voidPaymentCode(codeId, atMs) {
      await run(pool, 'UPDATE wallet_payment_codes SET used_at_ms = $1 WHERE code_id = $2 AND used_at_ms IS NULL', atMs, codeId);
    },

    async paymentById(paymentId) {
      return mapOptional(await get('SELECT * FROM wallet_payments WHERE payment_id = $1', paymentId), toPayment);
    },
    async paymentByCodeId(codeId) {
      return mapOptional(await get('SELECT * FROM wallet_payments WHERE code_id = $1', codeId), toPayment);
    },
    async recordProcessingPayment(p) {
      return inPostgresTransaction(pool, async (client) => {
        // The decision and the spend are one statement: a concurrent spender waits on the row lock, then finds it used.
        const spent = await run(client, 'UPDATE wallet_payment_codes SET used_at_ms = $1 WHERE code_id = $2 AND used_at_ms IS NULL', p.atMs, p.codeId);
        if (spent === 0) return 'code-used' as const;
        const d = p.detail;
        const [recorded] = await rows(
          client,
          `INSERT INTO wallet_payments (payment_id, request_hash, user_id, code_id, status, result_code, acquirer_id,
             payment_request_id, payment_currency, payment_amount_minor, pay_currency, pay_amount_minor, quote_id, quote_base,
             quote_quote, quote_rate, merchant_id, merchant_name, merchant_mcc, merchant_city, merchant_country, payer_id,
             payment_time_ms, created_at_ms)
           VALUES ($1, $2, $3, $4, 'PROCESSING', 'PAYMENT_IN_PROCESS', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $19, $20, $21, $22) RETURNING *`,
          p.paymentId, p.requestHash, p.userId, p.codeId, d.acquirerId, d.paymentRequestId, d.paymentAmount.currency,
          d.paymentAmount.value, d.payAmount.currency, d.payAmount.value, d.fxQuote.quoteId, d.fxQuote.baseCurrency,
          d.fxQuote.quoteCurrency, d.fxQuote.rate, d.merchant.merchantId, d.merchant.merchantName, d.merchant.merchantMcc,
          d.merchant.merchantCity, d.merchant.merchantCountry, d.payerId, p.atMs, p.atMs,
        );
        if (recorded === undefined) throw new Error(`assertion failed: INSERT … RETURNING answers payment ${p.paymentId}`);
        if (p.journal) await event(client, p.userId, 'payment', p.paymentId, p.atMs);
        return toPayment(recorded);
      });
    },
    async insertRefusedPayment(p) {
      await run(
        pool,
        `INSERT INTO wallet_payments (payment_id, request_hash, user_id, status, result_code, created_at_ms)
         VALUES ($1, $2, $3, 'FAIL', $4, $5) ON CONFLICT (payment_id) DO NOTHING`,
        p.paymentId, p.requestHash, p.userId, p.resultCode, p.atMs,
      );
    },
    async insertTombstone(paymentId, atMs) {
      await run(
        pool,
        `INSERT INTO wallet_payments (payment_id, status, result_code, cancel_time_ms, created_at_ms)
         VALUES ($1, 'CANCELLED', 'ORDER_IS_CLOSED', $2, $3) ON CONFLICT (payment_id) DO NOTHING`,
        paymentId, atMs, atMs,
      );
    },
    async finishPayment(paymentId, outcome) {
      return mapOptional(await get(`UPDATE wallet_payments SET status = $1, result_code = $2 WHERE payment_id = $3 AND status = 'PROCESSING' RETURNING *`, outcome.status, outcome.resultCode, paymentId), toPayment);
    },
    async markCancelled(paymentId, options) {
      await inPostgresTransaction(pool, async (client) => {
        // RETURNING answers only the call that changed the row, so only it writes the activity line.
        const changed = await rows(
          client,
          `UPDATE wallet_payments SET status = 'CANCELLED', result_code = 'ORDER_IS_CLOSED', cancel_time_ms = $1
           WHERE payment_id = $2 AND status <> 'CANCELLED' RETURNING user_id`,
          options.atMs, paymentId,
        );
        const userId = changed[0]?.user_id ?? null;
        if (options.journal && userId !== null) await event(client, text(userId), 'cancellation', paymentId, options.atMs);
      });
    },
    async paidBetween(userId, range) {
      const row = await get(
        `SELECT COALESCE(SUM(pay_amount_minor), 0) AS total FROM wallet_payments
         WHERE user_id = $1 AND status IN ('PROCESSING', 'SUCCESS') AND created_at_ms >= $2 AND created_at_ms < $3`,
        userId, range.fromMs, range.toMs,
      );
      return bigintOf(row?.total ?? 0n);
    },
    async openPayments(limit) {
      return (await all(`SELECT * FROM wallet_payments WHERE status = 'PROCESSING' ORDER BY created_at_ms LIMIT $1`, limit)).map(toPayment);
    },

    async refundById(refundId) {
      return mapOptional(await get('SELECT * FROM wallet_refunds WHERE refund_id = $1', refundId), toRefund);
    },
    async refundsOfPayment(paymentId) {
      return (await all('SELECT * FROM wallet_refunds WHERE payment_id = $1 ORDER BY created_at_ms, refund_id', paymentId)).map(toRefund);
    },
    async insertRefund(r) {
      return inPostgresTransaction(pool, async (client) => {
        const inserted = await run(
          client,
          `INSERT INTO wallet_refunds (refund_id, payment_id, request_hash, user_id, status, result_code, refund_currency,
             refund_amount_minor, refund_pay_currency, refund_pay_amount_minor, created_at_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (refund_id) DO NOTHING`,
          r.refundId, r.paymentId, r.requestHash, r.userId, r.status, r.resultCode, r.refundAmount?.currency ?? null,
          r.refundAmount?.value ?? null, r.refundPayAmount?.currency ?? null, r.refundPayAmount?.value ?? null, r.atMs,
        );
        if (inserted === 0) return 'exists' as const;
        if (r.status === 'PROCESSING' && r.userId !== null) await event(client, r.userId, 'refund', r.refundId, r.atMs);
        return 'inserted' as const;
      });
    },
    async finishRefund(refundId, atMs) {
      await run(pool, `UPDATE wallet_refunds SET status = 'SUCCESS', result_code = 'SUCCESS', refund_time_ms = $1 WHERE refund_id = $2 AND status = 'PROCESSING'`, atMs, refundId);
    },
    async openRefunds(limit) {
      return (await all(`SELECT * FROM wallet_refunds WHERE status = 'PROCESSING' ORDER BY created_at_ms LIMIT $1`, limit)).map(toRefund);
    },

    async insertMpm(request, code) {
      return inPostgresTransaction(pool, async (client) => {
        // 'exists' before 'code-collision', as in SQLite: a retry is told it is one whatever code it minted.
        const taken = await rows(client, 'SELECT 1 FROM wallet_mpm_requests WHERE user_id = $1 AND request_id = $2', request.userId, request.requestId);
        if (taken.length > 0) return 'exists' as const;
        if (!(await insertCode(client, code))) return 'code-collision' as const;
        // A concurrent call for the same (user, request id) may have committed since the SELECT: ON CONFLICT waits
        // for it and does nothing, and this call's code must then go too, or it would be a code of no request.
        const inserted = await run(
          client,
          `INSERT INTO wallet_mpm_requests (mpm_id, user_id, request_id, request_hash, code_id, merchant_name, payment_currency,
             payment_amount_minor, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id, request_id) DO NOTHING`,
          request.mpmId, request.userId, request.requestId, request.requestHash, request.codeId, request.merchantName,
          request.paymentAmount.currency, request.paymentAmount.value, request.createdAtMs,
        );
        if (inserted === 0) {
          await run(client, 'DELETE FROM wallet_payment_codes WHERE code_id = $1', code.codeId);
          return 'exists' as const;
        }
        await event(client, request.userId, 'mpm', request.mpmId, request.createdAtMs);
        return 'inserted' as const;
      });
    },
    async mpmByRequest(userId, requestId) {
      return mapOptional(await get('SELECT * FROM wallet_mpm_requests WHERE user_id = $1 AND request_id = $2', userId, requestId), toMpm);
    },
    async mpmById(mpmId) {
      return mapOptional(await get('SELECT * FROM wallet_mpm_requests WHERE mpm_id = $1', mpmId), toMpm);
    },
    async refuseMpm(mpmId, resultCode, atMs) {
      await inPostgresTransaction(pool, async (client) => {
        await run(client, 'UPDATE wallet_mpm_requests SET refusal_code = $1 WHERE mpm_id = $2 AND refusal_code IS NULL', resultCode, mpmId);
        await run(
          client,
          `UPDATE wallet_payment_codes SET used_at_ms = $1 WHERE used_at_ms IS NULL
           AND code_id = (SELECT code_id FROM wallet_mpm_requests WHERE mpm_id = $2)`,
          atMs, mpmId,
        );
      });
    },

    async userEvents(userId, page) {
      const found =
        page.beforeSeq === null
          ? await all('SELECT * FROM wallet_user_events WHERE user_id = $1 ORDER BY seq DESC LIMIT $2', userId, page.limit)
          : await all('SELECT * FROM wallet_user_events WHERE user_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3', userId, page.beforeSeq, page.limit);
      return found.map(toUserEvent);
    },
  };
}
