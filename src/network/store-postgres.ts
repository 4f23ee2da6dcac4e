/**
 * The network's own tables on PostgreSQL, the production engine (ADR 3): the
 * same `NetworkStore`, with the same answers, as the SQLite store in
 * `store.ts` (`store.contract.test.ts` runs one suite on both), and the same
 * row mappers.
 *
 * Every method is one statement but `insertParticipant`, which writes the
 * participant and its keys in one transaction. The network decides nothing
 * on a read followed by a write here: its use cases serialise on their keyed
 * locks (payments.ts), and the store's writes are conditional in themselves
 * (`INSERT … ON CONFLICT DO NOTHING` for the idempotency keys, `UPDATE …
 * WHERE status = $from` for the moves), which PostgreSQL re-checks against the
 * committed row after waiting for a concurrent writer (READ COMMITTED).
 *
 * The store does not go through the SQLite group commit (ADR 10): PostgreSQL
 * gives concurrency through the pool, and each call commits on its own.
 */
import { inPostgresTransaction, migratePostgres, POSTGRES_INTEGER_TYPES, type PostgresClient, type PostgresPool } from '../platform/db/postgres.ts';
import type { Migration } from '../platform/db/sqlite.ts';
import type { ClearingPayment, ClearingRefund, ParticipantKey } from './types.ts';
import {
  clearingPaymentFromValues,
  clearingRefundFromValues,
  fxRateFromRow,
  participantFromRow,
  paymentChangeColumns,
  paymentFromRow,
  refundChangeColumns,
  refundFromRow,
  userInitiatedFromRow,
  type ColumnChange,
  type NetworkStore,
  type Row,
} from './store.ts';

/**
 * The SQLite schema (`network` version 1) in PostgreSQL's types, with every
 * CHECK, UNIQUE and foreign key repeated: BIGINT for amounts, BOOLEAN for the
 * notification flag, an identity column for the order of FX rates.
 *
 * Ids and ISO instants are `COLLATE "C"`: every ORDER BY compares them byte
 * by byte, as SQLite does, whatever the database's default collation.
 */
export const NETWORK_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    module: 'network',
    version: 1,
    name: 'participants, fx rates, payments, refunds',
    sql: `
CREATE TABLE participants (
  participant_id TEXT COLLATE "C" PRIMARY KEY CHECK (char_length(participant_id) BETWEEN 1 AND 48),
  role TEXT NOT NULL CHECK (role IN ('wallet', 'acquirer')),
  name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  base_url TEXT NOT NULL,
  currency TEXT NOT NULL CHECK (char_length(currency) = 3),
  code_prefix TEXT COLLATE "C" CHECK ((role = 'wallet') = (code_prefix IS NOT NULL)),
  merchant_id_prefix TEXT COLLATE "C" CHECK ((role = 'acquirer') = (merchant_id_prefix IS NOT NULL)),
  registered_at TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX participants_code_prefix ON participants (code_prefix) WHERE code_prefix IS NOT NULL;
CREATE UNIQUE INDEX participants_merchant_id_prefix ON participants (merchant_id_prefix) WHERE merchant_id_prefix IS NOT NULL;
CREATE TABLE participant_keys (
  participant_id TEXT COLLATE "C" NOT NULL REFERENCES participants (participant_id),
  key_version INTEGER NOT NULL CHECK (key_version BETWEEN 1 AND 2147483647),
  public_key_pem TEXT NOT NULL,
  added_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (participant_id, key_version)
);
CREATE TABLE fx_rates (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  quote_id TEXT COLLATE "C" NOT NULL UNIQUE,
  base_currency TEXT NOT NULL CHECK (char_length(base_currency) = 3),
  quote_currency TEXT NOT NULL CHECK (char_length(quote_currency) = 3 AND quote_currency <> base_currency),
  rate TEXT NOT NULL,
  valid_from TEXT COLLATE "C" NOT NULL,
  recorded_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX fx_rates_pair ON fx_rates (base_currency, quote_currency, valid_from);
CREATE TABLE payments (
  payment_id TEXT COLLATE "C" PRIMARY KEY,
  acquirer_id TEXT COLLATE "C" NOT NULL REFERENCES participants (participant_id),
  payment_request_id TEXT NOT NULL,
  wallet_id TEXT COLLATE "C" NOT NULL REFERENCES participants (participant_id),
  request_hash TEXT NOT NULL CHECK (char_length(request_hash) = 64),
  merchant TEXT NOT NULL,
  payment_currency TEXT NOT NULL,
  payment_value BIGINT NOT NULL CHECK (payment_value > 0),
  pay_currency TEXT NOT NULL,
  pay_value BIGINT NOT NULL CHECK (pay_value > 0),
  quote_id TEXT COLLATE "C" NOT NULL REFERENCES fx_rates (quote_id),
  fx_base TEXT NOT NULL,
  fx_quote TEXT NOT NULL,
  fx_rate TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED')),
  stage TEXT CHECK (stage IN ('paying', 'cancelling')),
  result_code TEXT,
  result_message TEXT,
  payer_id TEXT,
  payment_time TEXT COLLATE "C",
  deadline_at TEXT COLLATE "C" NOT NULL,
  notify_pending BOOLEAN NOT NULL DEFAULT false,
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (acquirer_id, payment_request_id),
  CHECK ((status = 'PROCESSING') = (stage IS NOT NULL) OR (status = 'SUCCESS' AND stage = 'cancelling')),
  CHECK (status <> 'SUCCESS' OR payment_time IS NOT NULL)
);
CREATE INDEX payments_status ON payments (status, created_at);
CREATE INDEX payments_open ON payments (stage) WHERE stage IS NOT NULL;
CREATE INDEX payments_notify ON payments (notify_pending) WHERE notify_pending;
CREATE TABLE refunds (
  refund_id TEXT COLLATE "C" PRIMARY KEY,
  acquirer_id TEXT COLLATE "C" NOT NULL,
  refund_request_id TEXT NOT NULL,
  payment_id TEXT COLLATE "C" NOT NULL REFERENCES payments (payment_id),
  request_hash TEXT NOT NULL CHECK (char_length(request_hash) = 64),
  refund_currency TEXT NOT NULL,
  refund_value BIGINT NOT NULL CHECK (refund_value > 0),
  refund_pay_currency TEXT NOT NULL,
  refund_pay_value BIGINT NOT NULL CHECK (refund_pay_value >= 0),
  status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAIL')),
  result_code TEXT,
  refund_time TEXT COLLATE "C",
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (acquirer_id, refund_request_id)
);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_open ON refunds (status) WHERE status = 'PROCESSING';
CREATE TABLE cancelled_requests (
  acquirer_id TEXT COLLATE "C" NOT NULL,
  payment_request_id TEXT NOT NULL,
  cancelled_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (acquirer_id, payment_request_id)
);
CREATE TABLE user_initiated_requests (
  wallet_id TEXT COLLATE "C" NOT NULL,
  user_request_id TEXT NOT NULL,
  request_hash TEXT NOT NULL CHECK (char_length(request_hash) = 64),
  acquirer_id TEXT COLLATE "C" NOT NULL,
  final_answer TEXT,
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (wallet_id, user_request_id)
);
`,
  },
];

type Queryable = PostgresPool | PostgresClient;

/** Rows of one statement, integers read as `bigint` (as better-sqlite3 reads them). */
async function rowsOf(on: Queryable, sql: string, ...values: unknown[]): Promise<Row[]> {
  return (await on.query<Row>({ text: sql, values, types: POSTGRES_INTEGER_TYPES })).rows;
}

/** Rows of one statement as arrays of their columns, in order: no object per row (the clearing reads). */
async function valuesOf(on: Queryable, sql: string, ...values: unknown[]): Promise<unknown[][]> {
  return (await on.query<unknown[]>({ text: sql, values, types: POSTGRES_INTEGER_TYPES, rowMode: 'array' })).rows;
}

/** Rows a statement changed. */
async function changesOf(on: Queryable, sql: string, ...values: unknown[]): Promise<number> {
  return (await on.query({ text: sql, values })).rowCount ?? 0;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '23505';
}

/** `SET a = $1, b = $2, …, updated_at = $n` and its values, numbered from $1. */
function setsOf(columns: readonly ColumnChange[], updatedAt: Date): { readonly sql: string; readonly values: unknown[] } {
  const sets = [...columns.map((c, i) => `${c.column} = $${i + 1}`), `updated_at = $${columns.length + 1}`];
  return { sql: sets.join(', '), values: [...columns.map((c) => c.value), updatedAt.toISOString()] };
}

/** Creates the network's tables if needed, then the store; the caller owns (and ends) the pool. */
export async function createPostgresNetworkStore(pool: PostgresPool): Promise<NetworkStore> {
  await migratePostgres(pool, NETWORK_POSTGRES_MIGRATIONS);
  const first = async (sql: string, ...values: unknown[]): Promise<Row | undefined> => (await rowsOf(pool, sql, ...values))[0];
  const insertKey = (on: Queryable, participantId: string, key: ParticipantKey): Promise<number> =>
    changesOf(
      on,
      'INSERT INTO participant_keys (participant_id, key_version, public_key_pem, added_at) VALUES ($1, $2, $3, $4)',
      participantId,
      key.keyVersion,
      key.publicKeyPem,
      key.addedAt.toISOString(),
    );

  return {
    async listParticipants() {
      const rows = await rowsOf(pool, 'SELECT * FROM participants ORDER BY registered_at, participant_id');
      const keyRows = await rowsOf(pool, 'SELECT * FROM participant_keys ORDER BY participant_id, key_version');
      return rows.map((row) => participantFromRow(row, keyRows.filter((k) => k['participant_id'] === row['participant_id'])));
    },
    async insertParticipant(p) {
      try {
        await inPostgresTransaction(pool, async (client) => {
          await changesOf(
            client,
            `INSERT INTO participants (participant_id, role, name, base_url, currency, code_prefix, merchant_id_prefix, registered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            p.participantId,
            p.role,
            p.name,
            p.baseUrl,
            p.currency,
            p.role === 'wallet' ? p.codePrefix : null,
            p.role === 'acquirer' ? p.merchantIdPrefix : null,
            p.registeredAt.toISOString(),
          );
          for (const key of p.keys) await insertKey(client, p.participantId, key);
        });
        return 'inserted';
      } catch (error) {
        if (isUniqueViolation(error)) return 'conflict';
        throw error;
      }
    },
    async insertParticipantKey(participantId, key) {
      try {
        await insertKey(pool, participantId, key);
        return 'inserted';
      } catch (error) {
        if (isUniqueViolation(error)) return 'exists';
        throw error;
      }
    },

    async insertFxRate(r) {
      await changesOf(
        pool,
        'INSERT INTO fx_rates (quote_id, base_currency, quote_currency, rate, valid_from, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)',
        r.quoteId,
        r.base,
        r.quote,
        r.rate,
        r.validFrom.toISOString(),
        r.recordedAt.toISOString(),
      );
    },
    async listFxRates(limit) {
      return (await rowsOf(pool, 'SELECT * FROM fx_rates ORDER BY seq DESC LIMIT $1', limit)).map(fxRateFromRow);
    },
    async currentFxRate(base, quote, at) {
      const row = await first(
        `SELECT * FROM fx_rates WHERE base_currency = $1 AND quote_currency = $2 AND valid_from <= $3
         ORDER BY valid_from DESC, seq DESC LIMIT 1`,
        base,
        quote,
        at.toISOString(),
      );
      return row === undefined ? null : fxRateFromRow(row);
    },

    async insertPayment(p) {
      // Without a conflict target, DO NOTHING covers both keys: the payment id and (acquirer, request id).
      const inserted = await changesOf(
        pool,
        `INSERT INTO payments (payment_id, acquirer_id, payment_request_id, wallet_id, request_hash, merchant,
           payment_currency, payment_value, pay_currency, pay_value, quote_id, fx_base, fx_quote, fx_rate,
           status, stage, result_code, result_message, payer_id, payment_time, deadline_at, notify_pending, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
         ON CONFLICT DO NOTHING`,
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
        p.notifyPending,
        p.createdAt.toISOString(),
        p.updatedAt.toISOString(),
      );
      return inserted === 1 ? 'inserted' : 'duplicate';
    },
    async paymentById(paymentId) {
      const row = await first('SELECT * FROM payments WHERE payment_id = $1', paymentId);
      return row === undefined ? null : paymentFromRow(row);
    },
    async paymentByRequest(acquirerId, paymentRequestId) {
      const row = await first('SELECT * FROM payments WHERE acquirer_id = $1 AND payment_request_id = $2', acquirerId, paymentRequestId);
      return row === undefined ? null : paymentFromRow(row);
    },
    async updatePayment(paymentId, expected, changes, at) {
      const sets = setsOf(paymentChangeColumns(changes), at);
      const n = sets.values.length;
      const sql = `UPDATE payments SET ${sets.sql} WHERE payment_id = $${n + 1} AND status = $${n + 2} AND stage IS NOT DISTINCT FROM $${n + 3}`;
      return (await changesOf(pool, sql, ...sets.values, paymentId, expected.status, expected.stage)) === 1;
    },
    async listPayments(query) {
      const rows =
        query.status === undefined
          ? await rowsOf(pool, 'SELECT * FROM payments ORDER BY created_at DESC, payment_id DESC LIMIT $1', query.limit)
          : await rowsOf(pool, 'SELECT * FROM payments WHERE status = $1 ORDER BY created_at DESC, payment_id DESC LIMIT $2', query.status, query.limit);
      return rows.map(paymentFromRow);
    },
    async openPayments(limit) {
      return (await rowsOf(pool, 'SELECT * FROM payments WHERE stage IS NOT NULL ORDER BY created_at LIMIT $1', limit)).map(paymentFromRow);
    },
    async paymentsToNotify(limit) {
      return (await rowsOf(pool, 'SELECT * FROM payments WHERE notify_pending ORDER BY updated_at LIMIT $1', limit)).map(paymentFromRow);
    },

    async insertCancelledRequest(acquirerId, paymentRequestId, at) {
      await changesOf(
        pool,
        'INSERT INTO cancelled_requests (acquirer_id, payment_request_id, cancelled_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        acquirerId,
        paymentRequestId,
        at.toISOString(),
      );
    },
    async isCancelledRequest(acquirerId, paymentRequestId) {
      return (await first('SELECT 1 FROM cancelled_requests WHERE acquirer_id = $1 AND payment_request_id = $2', acquirerId, paymentRequestId)) !== undefined;
    },

    async paymentsForClearing(paymentIds) {
      const found = new Map<string, ClearingPayment>();
      const rows = await valuesOf(
        pool,
        `SELECT payment_id, acquirer_id, payment_request_id, wallet_id, payment_currency, payment_value, pay_currency, pay_value, quote_id, fx_base, fx_quote, fx_rate
           FROM payments WHERE payment_id = ANY($1::text[])`,
        paymentIds,
      );
      for (const values of rows) {
        const payment = clearingPaymentFromValues(values);
        found.set(payment.paymentId, payment);
      }
      return found;
    },

    async insertRefund(r) {
      const inserted = await changesOf(
        pool,
        `INSERT INTO refunds (refund_id, acquirer_id, refund_request_id, payment_id, request_hash, refund_currency, refund_value,
           refund_pay_currency, refund_pay_value, status, result_code, refund_time, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT DO NOTHING`,
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
      return inserted === 1 ? 'inserted' : 'duplicate';
    },
    async refundById(refundId) {
      const row = await first('SELECT * FROM refunds WHERE refund_id = $1', refundId);
      return row === undefined ? null : refundFromRow(row);
    },
    async refundsForClearing(refundIds) {
      const found = new Map<string, ClearingRefund>();
      const rows = await valuesOf(
        pool,
        `SELECT refund_id, payment_id, refund_request_id, refund_currency, refund_value, refund_pay_currency, refund_pay_value
           FROM refunds WHERE refund_id = ANY($1::text[])`,
        refundIds,
      );
      for (const values of rows) {
        const refund = clearingRefundFromValues(values);
        found.set(refund.refundId, refund);
      }
      return found;
    },
    async refundByRequest(acquirerId, refundRequestId) {
      const row = await first('SELECT * FROM refunds WHERE acquirer_id = $1 AND refund_request_id = $2', acquirerId, refundRequestId);
      return row === undefined ? null : refundFromRow(row);
    },
    async refundsOfPayment(paymentId) {
      return (await rowsOf(pool, 'SELECT * FROM refunds WHERE payment_id = $1 ORDER BY created_at, refund_id', paymentId)).map(refundFromRow);
    },
    async updateRefund(refundId, expected, changes, at) {
      const sets = setsOf(refundChangeColumns(changes), at);
      const n = sets.values.length;
      return (await changesOf(pool, `UPDATE refunds SET ${sets.sql} WHERE refund_id = $${n + 1} AND status = $${n + 2}`, ...sets.values, refundId, expected)) === 1;
    },
    async openRefunds(limit) {
      return (await rowsOf(pool, "SELECT * FROM refunds WHERE status = 'PROCESSING' ORDER BY created_at LIMIT $1", limit)).map(refundFromRow);
    },

    async userInitiated(walletId, userRequestId) {
      const row = await first('SELECT * FROM user_initiated_requests WHERE wallet_id = $1 AND user_request_id = $2', walletId, userRequestId);
      return row === undefined ? null : userInitiatedFromRow(row);
    },
    async insertUserInitiated(walletId, userRequestId, record, at) {
      const inserted = await changesOf(
        pool,
        `INSERT INTO user_initiated_requests (wallet_id, user_request_id, request_hash, acquirer_id, final_answer, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        walletId,
        userRequestId,
        record.requestHash,
        record.acquirerId,
        record.finalAnswer,
        at.toISOString(),
      );
      return inserted === 1 ? 'inserted' : 'duplicate';
    },
    async setUserInitiatedAnswer(walletId, userRequestId, finalAnswer) {
      await changesOf(pool, 'UPDATE user_initiated_requests SET final_answer = $1 WHERE wallet_id = $2 AND user_request_id = $3', finalAnswer, walletId, userRequestId);
    },
  };
}
