/**
 * The payout tables of `acquirer.db` (migration 2 in store.ts): payout runs,
 * payouts, their attempts (one line each in a run's file for the bank), the
 * shortfalls carried forward, and the merchant entries a run assigns to its
 * payouts. Rows are mapped to the domain types of `types.ts`.
 *
 * A run is created in one transaction: the run, the next attempt of every
 * returned payout, one payout per merchant whose unpaid entries net above
 * zero (its entries assigned to it, so no entry is ever paid twice), and a
 * carry-forward row for each merchant whose entries net below zero (its
 * entries stay unpaid). Every state change names the state it moves from.
 */
import { migrateSqlite, prepareCached, type SqliteDatabase } from '../platform/db/sqlite.ts';
import type { BusinessDay } from './business-day.ts';
import type { MerchantNet, PayoutAmounts } from './payout-plan.ts';
import { ACQUIRER_MIGRATIONS, flag } from './store.ts';
import type { MerchantId, Payout, PayoutAttempt, PayoutAttemptOutcome, PayoutCarryForward, PayoutId, PayoutRun, PayoutState } from './types.ts';

export interface NewPayoutRun {
  readonly businessDay: BusinessDay;
  readonly valueDate: BusinessDay;
  /** The first instant after the business day (ISO, UTC): entries completed before it are due. */
  readonly endsAt: string;
  readonly at: string;
}

/** What the bank said about one attempt. */
export type AttemptDecision = { readonly outcome: 'confirmed' } | { readonly outcome: 'returned'; readonly reason: string; readonly hold: boolean };

export interface PayoutFilter {
  readonly businessDay?: string;
  readonly merchantId?: string;
  readonly state?: PayoutState;
  readonly afterId?: string;
  readonly limit: number;
}

export interface PayoutStore {
  /**
   * The day's run: created now (see the file's comment) with `plan` deciding
   * each merchant's payout, or the one that exists (`created: false`, and
   * nothing is written).
   */
  createRun(run: NewPayoutRun, plan: (net: MerchantNet, mdrBps: number) => PayoutAmounts | null): Promise<{ readonly created: boolean; readonly run: PayoutRun }>;
  getRun(businessDay: string): Promise<PayoutRun | null>;
  /** The payouts a run created, by merchant. */
  payoutsOfRun(businessDay: string): Promise<readonly Payout[]>;
  carryForwardsOfRun(businessDay: string): Promise<readonly PayoutCarryForward[]>;
  /** The attempts a run sends (its file's lines), by merchant, then payout. */
  attemptsOfRun(businessDay: string): Promise<readonly PayoutAttempt[]>;
  getPayout(id: string): Promise<Payout | null>;
  listPayouts(filter: PayoutFilter): Promise<readonly Payout[]>;
  attemptsOf(payoutId: PayoutId): Promise<readonly PayoutAttempt[]>;
  getAttempt(payoutId: PayoutId, attempt: number): Promise<PayoutAttempt | null>;
  /** Payouts with a step due: scheduled (to send), or sent with their current attempt decided (to book). */
  payoutsToAdvance(limit: number): Promise<readonly Payout[]>;
  /** Records the bank's word on a sent payout's current attempt; false when it is not sent at that attempt, or the attempt was decided. */
  decideAttempt(payoutId: PayoutId, attempt: number, decision: AttemptDecision, at: string): Promise<boolean>;
  /** Moves a payout from `from` to `to`; null when it was not in `from`. */
  movePayout(payoutId: PayoutId, move: { readonly from: PayoutState; readonly to: PayoutState; readonly at: string }): Promise<Payout | null>;
  /** What a merchant's unpaid entries net to now: captured minus reversed, may be negative. */
  unpaidNetKrw(merchantId: MerchantId): Promise<bigint>;
}

export interface PayoutRunRow {
  business_day: string;
  value_date: string;
  created_at: string;
}

export interface PayoutRow {
  payout_id: string;
  business_day: string;
  merchant_id: string;
  captured_krw: bigint;
  reversed_krw: bigint;
  net_krw: bigint;
  mdr_bps: bigint;
  fee_krw: bigint;
  amount_krw: bigint;
  entry_count: bigint;
  state: PayoutState;
  attempt: bigint;
  created_at: string;
  updated_at: string;
}

export interface AttemptRow {
  payout_id: string;
  attempt: bigint;
  business_day: string;
  value_date: string;
  merchant_id: string;
  settlement_bank_code: string;
  settlement_account_number: string;
  settlement_holder_name: string;
  amount_krw: bigint;
  outcome: PayoutAttemptOutcome;
  reason: string | null;
  /** 0/1 in SQLite, BOOLEAN in PostgreSQL. */
  hold: bigint | boolean;
  created_at: string;
  resolved_at: string | null;
}

interface DueRow {
  merchant_id: string;
  mdr_bps: bigint;
  captured: bigint;
  reversed: bigint;
  n: bigint;
}

export const toRun = (row: PayoutRunRow): PayoutRun => ({ businessDay: row.business_day, valueDate: row.value_date, createdAt: row.created_at });

export function toPayout(row: PayoutRow): Payout {
  return {
    payoutId: row.payout_id as PayoutId,
    businessDay: row.business_day,
    merchantId: row.merchant_id as MerchantId,
    capturedKrw: row.captured_krw,
    reversedKrw: row.reversed_krw,
    netKrw: row.net_krw,
    mdrBps: Number(row.mdr_bps),
    feeKrw: row.fee_krw,
    amountKrw: row.amount_krw,
    entryCount: Number(row.entry_count),
    state: row.state,
    attempt: Number(row.attempt),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toAttempt(row: AttemptRow): PayoutAttempt {
  return {
    payoutId: row.payout_id as PayoutId,
    attempt: Number(row.attempt),
    businessDay: row.business_day,
    valueDate: row.value_date,
    merchantId: row.merchant_id as MerchantId,
    settlementAccount: { bankCode: row.settlement_bank_code, accountNumber: row.settlement_account_number, holderName: row.settlement_holder_name },
    amountKrw: row.amount_krw,
    outcome: row.outcome,
    reason: row.reason,
    hold: flag(row.hold),
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  };
}

/** `PO` + the business day's digits + the merchant id: one payout per merchant per run, and the same id on every retry of the run. */
export function payoutIdOf(businessDay: BusinessDay, merchantId: string): PayoutId {
  return `PO${businessDay.replaceAll('-', '')}${merchantId}` as PayoutId;
}

export function createSqlitePayoutStore(db: SqliteDatabase): PayoutStore {
  migrateSqlite(db, ACQUIRER_MIGRATIONS);
  const runByDay = prepareCached(db, 'SELECT * FROM payout_runs WHERE business_day = ?');
  const payoutById = prepareCached(db, 'SELECT * FROM payouts WHERE payout_id = ?');
  const readPayout = (id: string): Payout | null => {
    const row = payoutById.get(id) as PayoutRow | undefined;
    return row ? toPayout(row) : null;
  };

  /** Inserts attempt `attempt` of a payout, with the merchant's bank account as it is now, into the run's file. */
  const insertAttempt = (payout: { readonly payoutId: string; readonly merchantId: string; readonly amountKrw: bigint }, attempt: number, run: NewPayoutRun): void => {
    const changed = prepareCached(
      db,
      `INSERT INTO payout_attempts (payout_id, attempt, business_day, value_date, merchant_id, settlement_bank_code, settlement_account_number,
         settlement_holder_name, amount_krw, outcome, created_at)
       SELECT ?, ?, ?, ?, merchant_id, settlement_bank_code, settlement_account_number, settlement_holder_name, ?, 'pending', ? FROM merchants WHERE merchant_id = ?`,
    ).run(payout.payoutId, attempt, run.businessDay, run.valueDate, payout.amountKrw, run.at, payout.merchantId).changes;
    if (changed !== 1) throw new Error(`assertion failed: the merchant ${payout.merchantId} of payout ${payout.payoutId} exists`);
  };

  /** Every returned payout gets its next attempt in this run. */
  const resendReturned = (run: NewPayoutRun): void => {
    const returned = (prepareCached(db, `SELECT * FROM payouts WHERE state = 'returned' ORDER BY payout_id`).all() as PayoutRow[]).map(toPayout);
    for (const payout of returned) {
      insertAttempt(payout, payout.attempt + 1, run);
      const moved = prepareCached(db, `UPDATE payouts SET state = 'scheduled', attempt = attempt + 1, updated_at = ? WHERE payout_id = ? AND state = 'returned'`).run(run.at, payout.payoutId).changes;
      if (moved !== 1) throw new Error(`assertion failed: payout ${payout.payoutId} moves from returned inside the run's transaction`);
    }
  };

  /** One payout per merchant whose unpaid entries net above zero; a carry-forward row for one that nets below. */
  const payEntriesDue = (run: NewPayoutRun, plan: (net: MerchantNet, mdrBps: number) => PayoutAmounts | null): void => {
    const due = prepareCached(
      db,
      `SELECT e.merchant_id, m.mdr_bps,
         SUM(CASE WHEN e.kind = 'PAYMENT' THEN e.amount_krw ELSE 0 END) AS captured,
         SUM(CASE WHEN e.kind = 'PAYMENT' THEN 0 ELSE e.amount_krw END) AS reversed,
         COUNT(*) AS n
       FROM merchant_entries e JOIN merchants m ON m.merchant_id = e.merchant_id
       WHERE e.payout_id IS NULL AND e.completed_at < ?
       GROUP BY e.merchant_id ORDER BY e.merchant_id`,
    ).all(run.endsAt) as DueRow[];
    for (const row of due) {
      const amounts = plan({ capturedKrw: row.captured, reversedKrw: row.reversed }, Number(row.mdr_bps));
      if (amounts === null) {
        if (row.reversed > row.captured) {
          prepareCached(db, 'INSERT INTO payout_carry_forwards (business_day, merchant_id, shortfall_krw) VALUES (?, ?, ?)').run(run.businessDay, row.merchant_id, row.reversed - row.captured);
        }
        continue;
      }
      const payoutId = payoutIdOf(run.businessDay, row.merchant_id);
      const attempt = amounts.amountKrw > 0n ? 1 : 0;
      prepareCached(
        db,
        `INSERT INTO payouts (payout_id, business_day, merchant_id, captured_krw, reversed_krw, net_krw, mdr_bps, fee_krw, amount_krw, entry_count, state, attempt, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?)`,
      ).run(payoutId, run.businessDay, row.merchant_id, row.captured, row.reversed, amounts.netKrw, amounts.mdrBps, amounts.feeKrw, amounts.amountKrw, row.n, attempt, run.at, run.at);
      if (attempt === 1) insertAttempt({ payoutId, merchantId: row.merchant_id, amountKrw: amounts.amountKrw }, 1, run);
      const assigned = prepareCached(db, 'UPDATE merchant_entries SET payout_id = ? WHERE merchant_id = ? AND payout_id IS NULL AND completed_at < ?').run(payoutId, row.merchant_id, run.endsAt).changes;
      if (BigInt(assigned) !== row.n) throw new Error(`assertion failed: payout ${payoutId} takes the ${row.n} entries it was computed from, took ${assigned}`);
    }
  };

  return {
    async createRun(run, plan) {
      return db
        .transaction(() => {
          const existing = runByDay.get(run.businessDay) as PayoutRunRow | undefined;
          if (existing) return { created: false, run: toRun(existing) };
          prepareCached(db, 'INSERT INTO payout_runs (business_day, value_date, created_at) VALUES (?, ?, ?)').run(run.businessDay, run.valueDate, run.at);
          resendReturned(run);
          payEntriesDue(run, plan);
          return { created: true, run: toRun(runByDay.get(run.businessDay) as PayoutRunRow) };
        })
        .immediate();
    },
    async getRun(businessDay) {
      const row = runByDay.get(businessDay) as PayoutRunRow | undefined;
      return row ? toRun(row) : null;
    },
    async payoutsOfRun(businessDay) {
      return (prepareCached(db, 'SELECT * FROM payouts WHERE business_day = ? ORDER BY merchant_id').all(businessDay) as PayoutRow[]).map(toPayout);
    },
    async carryForwardsOfRun(businessDay) {
      const rows = prepareCached(db, 'SELECT * FROM payout_carry_forwards WHERE business_day = ? ORDER BY merchant_id').all(businessDay) as { business_day: string; merchant_id: string; shortfall_krw: bigint }[];
      return rows.map((r) => ({ businessDay: r.business_day, merchantId: r.merchant_id as MerchantId, shortfallKrw: r.shortfall_krw }));
    },
    async attemptsOfRun(businessDay) {
      return (prepareCached(db, 'SELECT * FROM payout_attempts WHERE business_day = ? ORDER BY merchant_id, payout_id, attempt').all(businessDay) as AttemptRow[]).map(toAttempt);
    },
    async getPayout(id) {
      return readPayout(id);
    },
    async listPayouts({ businessDay, merchantId, state, afterId, limit }) {
      const rows = prepareCached(
        db,
        `SELECT * FROM payouts
         WHERE payout_id > ? AND (? IS NULL OR business_day = ?) AND (? IS NULL OR merchant_id = ?) AND (? IS NULL OR state = ?)
         ORDER BY payout_id LIMIT ?`,
      ).all(afterId ?? '', businessDay ?? null, businessDay ?? null, merchantId ?? null, merchantId ?? null, state ?? null, state ?? null, limit) as PayoutRow[];
      return rows.map(toPayout);
    },
    async attemptsOf(payoutId) {
      return (prepareCached(db, 'SELECT * FROM payout_attempts WHERE payout_id = ? ORDER BY attempt').all(payoutId) as AttemptRow[]).map(toAttempt);
    },
    async getAttempt(payoutId, attempt) {
      const row = prepareCached(db, 'SELECT * FROM payout_attempts WHERE payout_id = ? AND attempt = ?').get(payoutId, attempt) as AttemptRow | undefined;
      return row ? toAttempt(row) : null;
    },
    async payoutsToAdvance(limit) {
      const rows = prepareCached(
        db,
        `SELECT p.* FROM payouts p WHERE p.state = 'scheduled'
         UNION ALL
         SELECT p.* FROM payouts p JOIN payout_attempts a ON a.payout_id = p.payout_id AND a.attempt = p.attempt
           WHERE p.state = 'sent' AND a.outcome <> 'pending'
         ORDER BY payout_id LIMIT ?`,
      ).all(limit) as PayoutRow[];
      return rows.map(toPayout);
    },
    async decideAttempt(payoutId, attempt, decision, at) {
      const reason = decision.outcome === 'returned' ? decision.reason : null;
      const hold = decision.outcome === 'returned' && decision.hold ? 1 : 0;
      const changed = prepareCached(
        db,
        `UPDATE payout_attempts SET outcome = ?, reason = ?, hold = ?, resolved_at = ?
         WHERE payout_id = ? AND attempt = ? AND outcome = 'pending'
           AND EXISTS (SELECT 1 FROM payouts p WHERE p.payout_id = ? AND p.state = 'sent' AND p.attempt = ?)`,
      ).run(decision.outcome, reason, hold, at, payoutId, attempt, payoutId, attempt).changes;
      return changed === 1;
    },
    async movePayout(payoutId, { from, to, at }) {
      const changed = prepareCached(db, 'UPDATE payouts SET state = ?, updated_at = ? WHERE payout_id = ? AND state = ?').run(to, at, payoutId, from).changes;
      return changed === 0 ? null : readPayout(payoutId);
    },
    async unpaidNetKrw(merchantId) {
      const row = prepareCached(
        db,
        `SELECT COALESCE(SUM(CASE WHEN kind = 'PAYMENT' THEN amount_krw ELSE -amount_krw END), 0) AS net FROM merchant_entries WHERE merchant_id = ? AND payout_id IS NULL`,
      ).get(merchantId) as { net: bigint };
      return row.net;
    },
  };
}
