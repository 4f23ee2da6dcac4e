/**
 * The consoles' read-only queries on PostgreSQL: the same `ReportsStore`, with
 * the same answers, as the SQLite one in `reports-store.ts`. Ids and instants
 * are `COLLATE "C"` in the acquirer's schema, so the pages and the windows
 * compare bytes, as SQLite does.
 */
import { migratePostgres, type PostgresPool } from '../platform/db/postgres.ts';
import type { Migration } from '../platform/db/sqlite.ts';
import { toTotals, withRefunds, type ReportsStore, type TotalsRow } from './reports-store.ts';
import { rowsOf } from './store-postgres.ts';
import { toTerminal, type PaymentRow, type RefundRow, type TerminalRow } from './store.ts';

/** The indexes of `REPORTS_MIGRATIONS`, on PostgreSQL. */
export const REPORTS_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    module: 'acquirer-reports',
    version: 1,
    name: 'indexes for a merchant’s terminals and a business day’s payments, refunds and entries',
    sql: `
CREATE INDEX terminals_by_merchant ON terminals (merchant_id, terminal_id);
CREATE INDEX payments_by_merchant_time ON payments (merchant_id, created_at);
CREATE INDEX refunds_by_time ON refunds (created_at);
CREATE INDEX merchant_entries_by_merchant_time ON merchant_entries (merchant_id, completed_at);
`,
  },
];

const TOTALS_SQL = `
SELECT e.kind AS kind, COUNT(*) AS n, COALESCE(SUM(e.amount_krw), 0)::bigint AS total
FROM merchant_entries e
LEFT JOIN refunds r ON e.kind = 'REFUND' AND r.refund_id = e.source_id
JOIN payments p ON p.payment_id = COALESCE(r.payment_id, e.source_id)
WHERE e.merchant_id = $1 AND e.completed_at >= $2 AND e.completed_at < $3 AND ($4::text IS NULL OR p.terminal_id = $4)
GROUP BY e.kind`;

const PAYMENTS_SQL = `
WITH in_window AS (
  SELECT payment_id FROM payments WHERE merchant_id = $1 AND created_at >= $2 AND created_at < $3
  UNION
  SELECT r.payment_id FROM refunds r JOIN payments q ON q.payment_id = r.payment_id
  WHERE r.created_at >= $2 AND r.created_at < $3 AND q.merchant_id = $1
)
SELECT p.* FROM payments p JOIN in_window w ON w.payment_id = p.payment_id
WHERE ($4::text IS NULL OR p.terminal_id = $4)
  AND ($5::text IS NULL OR p.created_at < $5 OR (p.created_at = $5 AND p.payment_id < $6))
ORDER BY p.created_at DESC, p.payment_id DESC
LIMIT $7`;

export async function createPostgresReportsStore(pool: PostgresPool): Promise<ReportsStore> {
  await migratePostgres(pool, REPORTS_POSTGRES_MIGRATIONS);
  return {
    async terminalsOf(merchantId, { afterId, limit }) {
      return (await rowsOf<TerminalRow>(pool, 'SELECT * FROM terminals WHERE merchant_id = $1 AND terminal_id > $2 ORDER BY terminal_id LIMIT $3', merchantId, afterId ?? '', limit)).map(toTerminal);
    },
    async windowTotals({ merchantId, terminalId }, { fromIso, toIso }) {
      return toTotals(await rowsOf<TotalsRow>(pool, TOTALS_SQL, merchantId, fromIso, toIso, terminalId));
    },
    async windowPayments({ merchantId, terminalId }, { fromIso, toIso }, { afterPaymentId, limit }) {
      let at: string | null = null;
      if (afterPaymentId !== undefined) {
        const cursor = (await rowsOf<{ created_at: string }>(pool, 'SELECT created_at FROM payments WHERE payment_id = $1', afterPaymentId))[0];
        // An unknown cursor is past the end: an empty page, never the first one again.
        if (cursor === undefined) return [];
        at = cursor.created_at;
      }
      const payments = await rowsOf<PaymentRow>(pool, PAYMENTS_SQL, merchantId, fromIso, toIso, terminalId, at, afterPaymentId ?? null, limit);
      if (payments.length === 0) return [];
      const refunds = await rowsOf<RefundRow>(pool, 'SELECT * FROM refunds WHERE payment_id = ANY($1::text[]) ORDER BY created_at, refund_id', payments.map((p) => p.payment_id));
      return withRefunds(payments, refunds);
    },
  };
}
