/**
 * The consoles' read routes at the acquirer: a merchant's terminals (operator
 * key) and a business day of a terminal or its merchant (the terminal's key).
 * Thin (STYLE 5): authenticate, parse, call one service function, map.
 */
import type { Context, Hono } from 'hono';
import { apiError, bearerToken, parseValue, type RouteDoc } from '../platform/http/contract.ts';
import { toApiError, type AcquirerError } from './errors.ts';
import { DAY_PAYMENTS_PER_PAGE_MAX, dayActivityQuerySchema, dayActivityViewSchema, listTerminalsQuerySchema, terminalListViewSchema, TERMINALS_PER_PAGE_MAX } from './reports-contract.ts';
import type { DayActivity, ReportsService } from './reports-service.ts';
import { paymentView } from './routes.ts';
import type { AcquirerService } from './service.ts';

const krw = (value: bigint) => ({ currency: 'KRW', value: value.toString() });

export function dayActivityView(day: DayActivity, limit: number) {
  const { payments, refunds, cancellations } = day.totals;
  const net = payments.amountKrw - refunds.amountKrw - cancellations.amountKrw;
  const tally = (t: { count: number; amountKrw: bigint }) => ({ count: t.count, amount: krw(t.amountKrw) });
  return {
    businessDay: day.businessDay,
    scope: day.scope,
    merchantId: day.terminal.merchantId,
    terminalId: day.terminal.terminalId,
    // Amounts carry no sign on the wire: a day below zero is net 0 and a shortfall, as a merchant's balance is.
    summary: { payments: tally(payments), refunds: tally(refunds), cancellations: tally(cancellations), net: krw(net > 0n ? net : 0n), ...(net < 0n ? { shortfall: krw(-net) } : {}) },
    payments: day.payments.map(({ payment, refunds: r }) => paymentView(payment, r)),
    nextAfter: day.payments.length === limit ? (day.payments.at(-1)?.payment.paymentId ?? null) : null,
  };
}

export function mountReportRoutes(app: Hono, deps: { readonly service: AcquirerService; readonly reports: ReportsService }): void {
  const fail = (c: Context, error: AcquirerError): Response => apiError(c, toApiError(error));

  app.get('/acquirer/v1/merchants/:id/terminals', async (c) => {
    const who = await deps.service.authenticate(bearerToken(c));
    if (!who.ok) return fail(c, who.error);
    if (who.value.kind !== 'operator') return fail(c, { kind: 'forbidden', message: "this is the operator's endpoint" });
    const query = parseValue(listTerminalsQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    const limit = query.value.limit ?? TERMINALS_PER_PAGE_MAX;
    const listed = await deps.reports.terminalsOf(c.req.param('id'), { ...(query.value.after === undefined ? {} : { afterId: query.value.after }), limit });
    if (!listed.ok) return fail(c, listed.error);
    return c.json({
      merchantId: c.req.param('id'),
      terminals: listed.value.map((t) => ({ terminalId: t.terminalId, storeId: t.storeId, label: t.label, createdAt: t.createdAt })),
      nextAfter: listed.value.length === limit ? (listed.value.at(-1)?.terminalId ?? null) : null,
    });
  });

  app.get('/acquirer/v1/terminal/activity', async (c) => {
    const who = await deps.service.authenticate(bearerToken(c));
    if (!who.ok) return fail(c, who.error);
    if (who.value.kind !== 'terminal') return fail(c, { kind: 'forbidden', message: 'this is a terminal endpoint: use a terminal key' });
    const query = parseValue(dayActivityQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    const { businessDay, after } = query.value;
    const limit = query.value.limit ?? DAY_PAYMENTS_PER_PAGE_MAX;
    const day = await deps.reports.dayActivity(who.value.terminal, {
      ...(businessDay === undefined ? {} : { businessDay }),
      scope: query.value.scope ?? 'terminal',
      ...(after === undefined ? {} : { afterPaymentId: after }),
      limit,
    });
    return day.ok ? c.json(dayActivityView(day.value, limit)) : fail(c, day.error);
  });
}

const E = (status: number, code: string) => ({ status, code });
const AUTH = [E(401, 'UNAUTHENTICATED'), E(403, 'FORBIDDEN')];
const TAG = 'acquirer';

export const REPORT_ROUTE_DOCS: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/acquirer/v1/merchants/{id}/terminals',
    summary: "A merchant's terminals, by id, a page at a time (?after&limit); their keys are never shown again",
    tag: TAG,
    security: 'operatorKey',
    response: terminalListViewSchema,
    errors: [...AUTH, E(400, 'INVALID_REQUEST'), E(404, 'NOT_FOUND')],
  },
  {
    method: 'get',
    path: '/acquirer/v1/terminal/activity',
    summary:
      "A business day of this terminal, or of its merchant (?businessDay&scope=terminal|merchant&after&limit): the day's totals from what the T+1 payout counts, and the payments created or refunded in it, newest first, with their refunds",
    tag: TAG,
    security: 'terminalKey',
    response: dayActivityViewSchema,
    errors: [...AUTH, E(400, 'INVALID_REQUEST'), E(400, 'INVALID_BUSINESS_DAY')],
  },
];
