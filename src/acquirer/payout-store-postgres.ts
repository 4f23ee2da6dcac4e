/**
 * The payout tables on PostgreSQL: the same `PayoutStore`, with the same
 * answers, as the SQLite one in `payout-store.ts` (the tables are created by
 * `ACQUIRER_POSTGRES_MIGRATIONS` in `store-postgres.ts`, which both stores
 * apply).
 *
 * SQLite creates a run in one IMMEDIATE transaction, so nothing else writes
 * while it reads what is due and assigns it. Here the run's transaction first
 * takes a lock on `payout_runs` that only one run creation holds at a time
 * (a second call for the same day then finds the first's run; calls for
 * different days never resend one returned payout twice), and it assigns to
 * each payout exactly the entries it summed (their keys come back with the
 * sums), never "whatever is unpaid now": an entry that commits meanwhile
 * waits for the next run instead of entering a payout that did not count it.
 * A decision on an attempt locks its payout's row first, so that it and the
 * payout's moves happen one after the other, as in SQLite.
 */
import { inPostgresTransaction, migratePostgres, type PostgresClient, type PostgresPool } from '../platform/db/postgres.ts';
import type { MerchantNet, PayoutAmounts } from './payout-plan.ts';
import { payoutIdOf, toAttempt, toPayout, toRun, type AttemptRow, type NewPayoutRun, type PayoutRow, type PayoutRunRow, type PayoutStore } from './payout-store.ts';
import { ACQUIRER_POSTGRES_MIGRATIONS, changesOf, rowsOf, type Queryable } from './store-postgres.ts';
import type { MerchantId } from './types.ts';

interface DueRow {
  merchant_id: string;
  mdr_bps: bigint;
  captured: bigint;
  reversed: bigint;
  n: bigint;
  /** The keys of the entries summed, pairwise. */
  kinds: string[];
  source_ids: string[];
}

/** Creates the acquirer's tables if needed, then the store; the caller owns (and ends) the pool. */
export async function createPostgresPayoutStore(pool: PostgresPool): Promise<PayoutStore> {
  await migratePostgres(pool, ACQUIRER_POSTGRES_MIGRATIONS);
  const first = async <R>(on: Queryable, sql: string, ...values: unknown[]): Promise<R | undefined> => (await rowsOf<R>(on, sql, ...values))[0];
  const readRun = async (on: Queryable, businessDay: string) => {
    const row = await first<PayoutRunRow>(on, 'SELECT * FROM payout_runs WHERE business_day = $1', businessDay);
    return row ? toRun(row) : null;
  };

  /** Inserts attempt `attempt` of a payout, with the merchant's bank account as it is now, into the run's file. */
  const insertAttempt = async (client: PostgresClient, payout: { readonly payoutId: string; readonly merchantId: string; readonly amountKrw: bigint }, attempt: number, run: NewPayoutRun): Promise<void> => {
    const changed = await changesOf(
      client,
      `INSERT INTO payout_attempts (payout_id, attempt, business_day, value_date, merchant_id, settlement_bank_code, settlement_account_number,
         settlement_holder_name, amount_krw, outcome, created_at)
       SELECT $1::text, $2::integer, $3::text, $4::text, merchant_id, settlement_bank_code, settlement_account_number, settlement_holder_name,
         $5::bigint, 'pending', $6::text FROM merchants WHERE merchant_id = $7`,
      payout.payoutId, attempt, run.businessDay, run.valueDate, payout.amountKrw, run.at, payout.merchantId,
    );
    if (changed !== 1) throw new Error(`assertion failed: the merchant ${payout.merchantId} of payout ${payout.payoutId} exists`);
  };

  /** Every returned payout gets its next attempt in this run. */
  const resendReturned = async (client: PostgresClient, run: NewPayoutRun): Promise<void> => {
    const returned = (await rowsOf<PayoutRow>(client, `SELECT * FROM payouts WHERE state = 'returned' ORDER BY payout_id FOR UPDATE`)).map(toPayout);
    for (const payout of returned) {
      await insertAttempt(client, payout, payout.attempt + 1, run);
      const moved = await changesOf(client, `UPDATE payouts SET state = 'scheduled', attempt = attempt + 1, updated_at = $1 WHERE payout_id = $2 AND state = 'returned'`, run.at, payout.payoutId);
      if (moved !== 1) throw new Error(`assertion failed: payout ${payout.payoutId} moves from returned inside the run's transaction`);
    }
  };

  /** One payout per merchant whose unpaid entries net above zero; a carry-forward row for one that nets below. */
  const payEntriesDue = async (client: PostgresClient, run: NewPayoutRun, plan: (net: MerchantNet, mdrBps: number) => PayoutAmounts | null): Promise<void> => {
    const due = await rowsOf<DueRow>(
      client,
      `SELECT e.merchant_id, m.mdr_bps,
         SUM(CASE WHEN e.kind = 'PAYMENT' THEN e.amount_krw ELSE 0 END) AS captured,
         SUM(CASE WHEN e.kind = 'PAYMENT' THEN 0 ELSE e.amount_krw END) AS reversed,
         COUNT(*) AS n, array_agg(e.kind) AS kinds, array_agg(e.source_id) AS source_ids
       FROM merchant_entries e JOIN merchants m ON m.merchant_id = e.merchant_id
       WHERE e.payout_id IS NULL AND e.completed_at < $1
       GROUP BY e.merchant_id, m.mdr_bps ORDER BY e.merchant_id`,
      run.endsAt,
    );
    for (const row of due) {
      const amounts = plan({ capturedKrw: row.captured, reversedKrw: row.reversed }, Number(row.mdr_bps));
      if (amounts === null) {
        if (row.reversed > row.captured) {
          await changesOf(client, 'INSERT INTO payout_carry_forwards (business_day, merchant_id, shortfall_krw) VALUES ($1, $2, $3)', run.businessDay, row.merchant_id, row.reversed - row.captured);
        }
        continue;
      }
      const payoutId = payoutIdOf(run.businessDay, row.merchant_id);
      const attempt = amounts.amountKrw > 0n ? 1 : 0;
      await changesOf(
        client,
        `INSERT INTO payouts (payout_id, business_day, merchant_id, captured_krw, reversed_krw, net_krw, mdr_bps, fee_krw, amount_krw, entry_count, state, attempt, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled', $11, $12, $13)`,
        payoutId, run.businessDay, row.merchant_id, row.captured, row.reversed, amounts.netKrw, amounts.mdrBps, amounts.feeKrw, amounts.amountKrw, row.n, attempt, run.at, run.at,
      );
      if (attempt === 1) await insertAttempt(client, { payoutId, merchantId: row.merchant_id, amountKrw: amounts.amountKrw }, 1, run);
      const assigned = await changesOf(
        client,
        `UPDATE merchant_entries SET payout_id = $1
         WHERE payout_id IS NULL AND (kind, source_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        payoutId, row.kinds, row.source_ids,
      );
      if (BigInt(assigned) !== row.n) throw new Error(`assertion failed: payout ${payoutId} takes the ${row.n} entries it was computed from, took ${assigned}`);
    }
  };

  return {
    async createRun(run, plan) {
      return inPostgresTransaction(pool, async (client) => {
        // Self-conflicting, till commit: one run creation at a time; reads of payout_runs go on.
        await client.query('LOCK TABLE payout_runs IN SHARE ROW EXCLUSIVE MODE');
        const existing = await readRun(client, run.businessDay);
        if (existing) return { created: false, run: existing };
        const inserted = await first<PayoutRunRow>(client, 'INSERT INTO payout_runs (business_day, value_date, created_at) VALUES ($1, $2, $3) RETURNING *', run.businessDay, run.valueDate, run.at);
        await resendReturned(client, run);
        await payEntriesDue(client, run, plan);
        return { created: true, run: toRun(inserted!) };
      });
    },
    async getRun(businessDay) {
      return readRun(pool, businessDay);
    },
    async payoutsOfRun(businessDay) {
      return (await rowsOf<PayoutRow>(pool, 'SELECT * FROM payouts WHERE business_day = $1 ORDER BY merchant_id', businessDay)).map(toPayout);
    },
    async carryForwardsOfRun(businessDay) {
      const rows = await rowsOf<{ business_day: string; merchant_id: string; shortfall_krw: bigint }>(pool, 'SELECT * FROM payout_carry_forwards WHERE business_day = $1 ORDER BY merchant_id', businessDay);
      return rows.map((r) => ({ businessDay: r.business_day, merchantId: r.merchant_id as MerchantId, shortfallKrw: r.shortfall_krw }));
    },
    async attemptsOfRun(businessDay) {
      return (await rowsOf<AttemptRow>(pool, 'SELECT * FROM payout_attempts WHERE business_day = $1 ORDER BY merchant_id, payout_id, attempt', businessDay)).map(toAttempt);
    },
    async getPayout(id) {
      const row = await first<PayoutRow>(pool, 'SELECT * FROM payouts WHERE payout_id = $1', id);
      return row ? toPayout(row) : null;
    },
    async listPayouts({ businessDay, merchantId, state, afterId, limit }) {
      const rows = await rowsOf<PayoutRow>(
        pool,
        `SELECT * FROM payouts
         WHERE payout_id > $1 AND ($2::text IS NULL OR business_day = $2) AND ($3::text IS NULL OR merchant_id = $3) AND ($4::text IS NULL OR state = $4)
         ORDER BY payout_id LIMIT $5`,
        afterId ?? '', businessDay ?? null, merchantId ?? null, state ?? null, limit,
      );
      return rows.map(toPayout);
    },
    async attemptsOf(payoutId) {
      return (await rowsOf<AttemptRow>(pool, 'SELECT * FROM payout_attempts WHERE payout_id = $1 ORDER BY attempt', payoutId)).map(toAttempt);
    },
    async getAttempt(payoutId, attempt) {
      const row = await first<AttemptRow>(pool, 'SELECT * FROM payout_attempts WHERE payout_id = $1 AND attempt = $2', payoutId, attempt);
      return row ? toAttempt(row) : null;
    },
    async payoutsToAdvance(limit) {
      const rows = await rowsOf<PayoutRow>(
        pool,
        `SELECT p.* FROM payouts p WHERE p.state = 'scheduled'
         UNION ALL
         SELECT p.* FROM payouts p JOIN payout_attempts a ON a.payout_id = p.payout_id AND a.attempt = p.attempt
           WHERE p.state = 'sent' AND a.outcome <> 'pending'
         ORDER BY payout_id LIMIT $1`,
        limit,
      );
      return rows.map(toPayout);
    },
    async decideAttempt(payoutId, attempt, decision, at) {
      return inPostgresTransaction(pool, async (client) => {
        const sent = await rowsOf(client, `SELECT 1 FROM payouts WHERE payout_id = $1 AND state = 'sent' AND attempt = $2 FOR UPDATE`, payoutId, attempt);
        if (sent.length === 0) return false;
        const reason = decision.outcome === 'returned' ? decision.reason : null;
        const hold = decision.outcome === 'returned' && decision.hold;
        const changed = await changesOf(
          client,
          `UPDATE payout_attempts SET outcome = $1, reason = $2, hold = $3, resolved_at = $4 WHERE payout_id = $5 AND attempt = $6 AND outcome = 'pending'`,
          decision.outcome, reason, hold, at, payoutId, attempt,
        );
        return changed === 1;
      });
    },
    async movePayout(payoutId, { from, to, at }) {
      const row = await first<PayoutRow>(pool, 'UPDATE payouts SET state = $1, updated_at = $2 WHERE payout_id = $3 AND state = $4 RETURNING *', to, at, payoutId, from);
      return row ? toPayout(row) : null;
    },
    async unpaidNetKrw(merchantId) {
      const row = await first<{ net: bigint }>(
        pool,
        `SELECT COALESCE(SUM(CASE WHEN kind = 'PAYMENT' THEN amount_krw ELSE -amount_krw END), 0) AS net FROM merchant_entries WHERE merchant_id = $1 AND payout_id IS NULL`,
        merchantId,
      );
      return row!.net;
    },
  };
}
