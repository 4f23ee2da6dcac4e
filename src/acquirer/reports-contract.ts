/**
 * The consoles' read API at the acquirer, as zod schemas: a merchant's
 * terminals (operator) and a business day of a terminal or of its merchant
 * (the terminal's key). They parse each query and document it in
 * `/openapi.json` (ADR 7). Limits are named here.
 */
import { z } from 'zod';
import { amountSchema } from '../protocol/index.ts';
import { paymentViewSchema } from './contract.ts';

/** Terminals in one page of `GET /acquirer/v1/merchants/{id}/terminals`. */
export const TERMINALS_PER_PAGE_MAX = 100;
/** Payments in one page of `GET /acquirer/v1/terminal/activity` (each with its refunds). */
export const DAY_PAYMENTS_PER_PAGE_MAX = 100;
/** Who the day is read for: the terminal of the key, or every terminal of its merchant. */
export const REPORT_SCOPES = ['terminal', 'merchant'] as const;
export type ReportScopeName = (typeof REPORT_SCOPES)[number];

export const listTerminalsQuerySchema = z.object({
  after: z.string().max(25).optional().meta({ description: 'the last terminalId of the previous page' }),
  limit: z.coerce.number().int().min(1).max(TERMINALS_PER_PAGE_MAX).optional().meta({ description: `terminals per page, at most ${TERMINALS_PER_PAGE_MAX} (the default)` }),
});

export const terminalListItemSchema = z.object({
  terminalId: z.string(),
  storeId: z.string().nullable(),
  label: z.string(),
  createdAt: z.string(),
});

export const terminalListViewSchema = z.object({
  merchantId: z.string(),
  terminals: z.array(terminalListItemSchema).meta({ description: 'by terminalId; keys are never shown again after a terminal is created' }),
  nextAfter: z.string().nullable(),
});

export const dayActivityQuerySchema = z.object({
  businessDay: z.string().max(10).optional().meta({ description: "a calendar day in Korea (Asia/Seoul), YYYY-MM-DD; today at the acquirer's clock when absent" }),
  scope: z.enum(REPORT_SCOPES).optional().meta({ description: 'terminal (the default): this terminal only; merchant: every terminal of its merchant, and payments with none (a static QR)' }),
  after: z.string().max(40).optional().meta({ description: 'the last paymentId of the previous page' }),
  limit: z.coerce.number().int().min(1).max(DAY_PAYMENTS_PER_PAGE_MAX).optional().meta({ description: `payments per page, at most ${DAY_PAYMENTS_PER_PAGE_MAX} (the default)` }),
});

const tallySchema = z.object({ count: z.number().int(), amount: amountSchema });

export const dayActivityViewSchema = z.object({
  businessDay: z.string(),
  scope: z.enum(REPORT_SCOPES),
  merchantId: z.string(),
  terminalId: z.string().meta({ description: "the key's terminal" }),
  summary: z
    .object({
      payments: tallySchema.meta({ description: 'payments that succeeded in the day' }),
      refunds: tallySchema.meta({ description: 'refunds that succeeded in the day, whatever day their payment was' }),
      cancellations: tallySchema.meta({ description: 'successful payments cancelled in the day' }),
      net: amountSchema.meta({ description: 'payments − refunds − cancellations; 0 when that is below zero' }),
      shortfall: amountSchema.optional().meta({ description: 'how far below zero the day is, when it is' }),
    })
    .meta({ description: "the whole day's totals (not only this page's), from the entries the T+1 payout counts" }),
  payments: z.array(paymentViewSchema).meta({ description: 'payments created in the day or refunded in it, newest first, each with all its refunds' }),
  nextAfter: z.string().nullable(),
});
