/**
 * The consoles' reads at the acquirer (issue 6): a merchant's terminals for
 * the back office, and a business day of a terminal or of its merchant for
 * the POS's "today". Read-only; tenants as everywhere: a terminal reads its
 * own merchant's day only.
 */
import { err, ok, type Result } from '../platform/result.ts';
import { businessDayEnd, businessDayOf, businessDayStart, parseBusinessDay, type BusinessDay } from './business-day.ts';
import type { AcquirerError } from './errors.ts';
import type { ReportScopeName } from './reports-contract.ts';
import type { PaymentWithRefunds, ReportsStore, WindowTotals } from './reports-store.ts';
import type { AcquirerStore } from './store.ts';
import type { PaymentId, Terminal } from './types.ts';

export interface DayActivity {
  readonly businessDay: BusinessDay;
  readonly scope: ReportScopeName;
  readonly terminal: Terminal;
  readonly totals: WindowTotals;
  readonly payments: readonly PaymentWithRefunds[];
}

export interface ReportsService {
  /** The merchant's terminals, a page at a time; not-found for an unknown merchant. */
  terminalsOf(merchantId: string, page: { readonly afterId?: string; readonly limit: number }): Promise<Result<readonly Terminal[], AcquirerError>>;
  /** A business day (today at the acquirer's clock when absent) of the terminal, or of its merchant: totals and a page of payments. */
  dayActivity(terminal: Terminal, query: { readonly businessDay?: string; readonly scope: ReportScopeName; readonly afterPaymentId?: string; readonly limit: number }): Promise<Result<DayActivity, AcquirerError>>;
}

export function createReportsService(deps: { readonly store: AcquirerStore; readonly reports: ReportsStore; readonly now: () => Date }): ReportsService {
  const { store, reports } = deps;
  return {
    async terminalsOf(merchantId, page) {
      const merchant = await store.getMerchant(merchantId);
      if (merchant === null) return err({ kind: 'not-found', what: 'merchant' });
      return ok(await reports.terminalsOf(merchant.merchantId, page));
    },
    async dayActivity(terminal, query) {
      const day = query.businessDay === undefined ? ok(businessDayOf(deps.now())) : parseBusinessDay(query.businessDay);
      if (!day.ok) return err({ kind: 'invalid-business-day', message: `businessDay: ${day.error}` });
      const scope = { merchantId: terminal.merchantId, terminalId: query.scope === 'terminal' ? terminal.terminalId : null };
      const window = { fromIso: businessDayStart(day.value).toISOString(), toIso: businessDayEnd(day.value).toISOString() };
      const [totals, payments] = await Promise.all([
        reports.windowTotals(scope, window),
        reports.windowPayments(scope, window, { ...(query.afterPaymentId === undefined ? {} : { afterPaymentId: query.afterPaymentId as PaymentId }), limit: query.limit }),
      ]);
      return ok({ businessDay: day.value, scope: query.scope, terminal, totals, payments });
    },
  };
}
