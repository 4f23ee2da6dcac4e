/**
 * Read-only queries for the consoles (issue 6) over the acquirer's own tables:
 * a merchant's terminals (never their keys), and a terminal's or its
 * merchant's business day: the payments made or refunded in it, and the day's
 * totals from the merchant entries (the same rows a payout run sums, so a
 * merchant's day adds up to what its payout counts). SQLite here; the same
 * interface on PostgreSQL is `reports-store-postgres.ts`
 * (`reports-store.contract.test.ts` runs one suite on both).
 *
 * Nothing here writes money; the migration only adds the indexes these reads
 * need, so that a day is read by index, not by scanning every payment.
 */
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';
import { toPayment, toRefund, toTerminal, type PaymentRow, type RefundRow, type TerminalRow } from './store.ts';
import type { MerchantId, Payment, PaymentId, Refund, Terminal, TerminalId } from './types.ts';

export const REPORTS_MIGRATIONS: readonly Migration[] = [
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

/** Whose day: a merchant's, or one terminal's of it. */
export interface ReportScope {
  readonly merchantId: MerchantId;
  /** null: every terminal of the merchant, and payments with none (a static QR). */
  readonly terminalId: TerminalId | null;
}

/** A half-open span of the acquirer's instants, [fromIso, toIso), ISO 8601 in UTC as the tables store them. */
export interface InstantWindow {
  readonly fromIso: string;
  readonly toIso: string;
}

export interface Tally {
  readonly count: number;
  readonly amountKrw: bigint;
}

/** What moved what the acquirer owes the merchant in the window, by kind of merchant entry. */
export interface WindowTotals {
  readonly payments: Tally;
  readonly refunds: Tally;
  readonly cancellations: Tally;
}

export interface PaymentWithRefunds {
  readonly payment: Payment;
  readonly refunds: readonly Refund[];
}

export interface ReportsStore {
  /** The merchant's terminals by id, after `afterId`. */
  terminalsOf(merchantId: MerchantId, page: { readonly afterId?: string; readonly limit: number }): Promise<readonly Terminal[]>;
  /** The entries completed in the window (PAYMENT on success, REFUND on a refund's success, CANCELLATION of a success), counted and summed per kind. */
  windowTotals(scope: ReportScope, window: InstantWindow): Promise<WindowTotals>;
  /**
   * The payments created in the window or with a refund created in it, newest
   * first (created_at, then id, descending), each with all its refunds; after
   * the payment `afterPaymentId` when given (the previous page's last).
   */
  windowPayments(scope: ReportScope, window: InstantWindow, page: { readonly afterPaymentId?: PaymentId; readonly limit: number }): Promise<readonly PaymentWithRefunds[]>;
}

export interface TotalsRow {
  kind: 'PAYMENT' | 'REFUND' | 'CANCELLATION';
  n: bigint;
  total: bigint;
}

/** The per-kind rows of a totals query as totals; a kind with no row is zero. */
export function toTotals(rows: readonly TotalsRow[]): WindowTotals {
  const tally = (kind: TotalsRow['kind']): Tally => {
    const row = rows.find((r) => r.kind === kind);
    return row === undefined ? { count: 0, amountKrw: 0n } : { count: Number(row.n), amountKrw: BigInt(row.total) };
  };
  return { payments: tally('PAYMENT'), refunds: tally('REFUND'), cancellations: tally('CANCELLATION') };
}

/** Each payment with its refunds, in the payments' order. */
export function withRefunds(payments: readonly PaymentRow[], refunds: readonly RefundRow[]): readonly PaymentWithRefunds[] {
  const byPayment = new Map<string, Refund[]>();
  for (const row of refunds) {
    const list = byPayment.get(row.payment_id) ?? [];
    list.push(toRefund(row));
    byPayment.set(row.payment_id, list);
  }
  return payments.map((row) => ({ payment: toPayment(row), refunds: byPayment.get(row.payment_id) ?? [] }));
}

// A refund's entry names the refund; its payment (and so its terminal) is found through the refunds table.
const TOTALS_SQL = `
SELECT e.kind AS kind, COUNT(*) AS n, COALESCE(SUM(e.amount_krw), 0) AS total
FROM merchant_entries e
LEFT JOIN refunds r ON e.kind = 'REFUND' AND r.refund_id = e.source_id
JOIN payments p ON p.payment_id = COALESCE(r.payment_id, e.source_id)
WHERE e.merchant_id = ? AND e.completed_at >= ? AND e.completed_at < ? AND (? IS NULL OR p.terminal_id = ?)
GROUP BY e.kind`;

const PAYMENTS_SQL = `
WITH in_window AS (
  SELECT payment_id FROM payments WHERE merchant_id = ? AND created_at >= ? AND created_at < ?
  UNION
  SELECT r.payment_id FROM refunds r JOIN payments q ON q.payment_id = r.payment_id
  WHERE r.created_at >= ? AND r.created_at < ? AND q.merchant_id = ?
)
SELECT p.* FROM payments p JOIN in_window w ON w.payment_id = p.payment_id
WHERE (? IS NULL OR p.terminal_id = ?)
  AND (? IS NULL OR p.created_at < ? OR (p.created_at = ? AND p.payment_id < ?))
ORDER BY p.created_at DESC, p.payment_id DESC
LIMIT ?`;

export function createSqliteReportsStore(db: SqliteDatabase): ReportsStore {
  migrateSqlite(db, REPORTS_MIGRATIONS);
  return {
    async terminalsOf(merchantId, { afterId, limit }) {
      const rows = prepareCached(db, 'SELECT * FROM terminals WHERE merchant_id = ? AND terminal_id > ? ORDER BY terminal_id LIMIT ?').all(merchantId, afterId ?? '', limit) as TerminalRow[];
      return rows.map(toTerminal);
    },
    async windowTotals({ merchantId, terminalId }, { fromIso, toIso }) {
      return toTotals(prepareCached(db, TOTALS_SQL).all(merchantId, fromIso, toIso, terminalId, terminalId) as TotalsRow[]);
    },
    async windowPayments({ merchantId, terminalId }, { fromIso, toIso }, { afterPaymentId, limit }) {
      const cursor = afterPaymentId === undefined ? undefined : (prepareCached(db, 'SELECT created_at FROM payments WHERE payment_id = ?').get(afterPaymentId) as { created_at: string } | undefined);
      // An unknown cursor is past the end: an empty page, never the first one again.
      if (afterPaymentId !== undefined && cursor === undefined) return [];
      const at = cursor?.created_at ?? null;
      const payments = prepareCached(db, PAYMENTS_SQL).all(merchantId, fromIso, toIso, fromIso, toIso, merchantId, terminalId, terminalId, at, at, at, afterPaymentId ?? null, limit) as PaymentRow[];
      if (payments.length === 0) return [];
      const refunds = prepareCached(db, 'SELECT * FROM refunds WHERE payment_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, refund_id').all(JSON.stringify(payments.map((p) => p.payment_id))) as RefundRow[];
      return withRefunds(payments, refunds);
    },
  };
}
