/**
 * The acquirer's public API (operator and POS), as zod schemas: they parse
 * each request and document it in `/openapi.json`. Amounts are the wire form
 * `{"currency":"KRW","value":"15000"}`; the service checks the currency and
 * range, so that a wrong currency is 422 CURRENCY_NOT_SUPPORTED and not a
 * generic 400.
 */
import { z } from 'zod';
import { amountSchema, fxQuoteSchema, paymentCodeSchema, requestIdSchema } from '../protocol/index.ts';
import { MDR_BPS_MAX, MDR_BPS_MIN } from './payout-plan.ts';

/** Longest merchant legal name and city the acquirer keeps (the network's merchant schema allows these). */
export const LEGAL_NAME_CHARS_MAX = 100;
export const CITY_CHARS_MAX = 50;
export const ADDRESS_CHARS_MAX = 200;
export const LABEL_CHARS_MAX = 50;
export const REASON_CHARS_MAX = 200;
/** How long an order's QR stays payable when the POS does not say, in seconds. */
export const ORDER_TTL_SECONDS_DEFAULT = 300;
/** Longest an order's QR stays payable, in seconds. */
export const ORDER_TTL_SECONDS_MAX = 900;
/** Merchants in one page of `GET /acquirer/v1/merchants`. */
export const MERCHANTS_PAGE_MAX = 100;
/** Payouts in one page of `GET /acquirer/v1/payouts`. */
export const PAYOUTS_PAGE_MAX = 100;
/** Times one payout is sent to the bank at most; a payout returned on its last stays held (its money in the merchant's payable account). */
export const PAYOUT_ATTEMPTS_MAX = 10;
/** Longest reason the bank gives for a returned payout. */
export const PAYOUT_RETURN_REASON_CHARS_MAX = 200;

/**
 * Printable ASCII: the merchant's name and city are printed in its EMVCo QR
 * ("ans" fields) and shown by wallets abroad, so they are written romanised.
 */
const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x20-\x7e]+$/, 'printable ASCII (romanised), as printed in the QR')
    .refine((s) => s.trim() === s, 'no leading or trailing spaces');

const text = (max: number) => z.string().trim().min(1).max(max);
/** Text printed into files for other systems (the payout file): no line breaks or other control characters. */
const fileText = (max: number) => text(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');

/** Merchant discount rate, basis points of each payout's net (payout-plan.ts). */
export const mdrBpsSchema = z.number().int().min(MDR_BPS_MIN).max(MDR_BPS_MAX).meta({ description: 'merchant discount rate in basis points (1/10 000) of each payout\'s net, 0 … 10 000' });

export const settlementAccountSchema = z.object({
  bankCode: z.string().regex(/^[0-9]{3}$/, 'a Korean bank code, 3 digits'),
  accountNumber: z.string().regex(/^[0-9-]{6,20}$/, '6 to 20 digits or hyphens'),
  holderName: fileText(LEGAL_NAME_CHARS_MAX),
});

export const registerMerchantSchema = z.object({
  legalName: printable(LEGAL_NAME_CHARS_MAX),
  businessRegistrationNumber: z.string().max(20),
  mcc: z.string().regex(/^[0-9]{4}$/, 'an ISO 18245 merchant category code, 4 digits'),
  address: text(ADDRESS_CHARS_MAX),
  city: printable(CITY_CHARS_MAX),
  settlementAccount: settlementAccountSchema,
  /** Defaults to MDR_BPS_DEFAULT. */
  mdrBps: mdrBpsSchema.optional(),
});
export type RegisterMerchantInput = z.infer<typeof registerMerchantSchema>;

export const setMdrSchema = z.object({ mdrBps: mdrBpsSchema });
export type SetMdrInput = z.infer<typeof setMdrSchema>;

export const rejectMerchantSchema = z.object({ reason: text(REASON_CHARS_MAX) });

export const addStoreSchema = z.object({ name: text(LEGAL_NAME_CHARS_MAX), address: text(ADDRESS_CHARS_MAX).optional() });
export type AddStoreInput = z.infer<typeof addStoreSchema>;

export const addTerminalSchema = z.object({ storeId: z.string().max(25).optional(), label: text(LABEL_CHARS_MAX) });
export type AddTerminalInput = z.infer<typeof addTerminalSchema>;

export const createOrderSchema = z.object({
  paymentRequestId: requestIdSchema,
  amount: amountSchema,
  expiresInSeconds: z.number().int().min(1).max(ORDER_TTL_SECONDS_MAX).optional(),
});
export type CreateOrderInput = z.infer<typeof createOrderSchema>;

export const posPaymentSchema = z.object({ paymentRequestId: requestIdSchema, amount: amountSchema, paymentCode: paymentCodeSchema });
export type PosPaymentInput = z.infer<typeof posPaymentSchema>;

export const refundRequestSchema = z.object({ refundRequestId: requestIdSchema, amount: amountSchema });
export type RefundInput = z.infer<typeof refundRequestSchema>;

export const listMerchantsQuerySchema = z.object({
  after: z.string().max(25).optional(),
  limit: z.coerce.number().int().min(1).max(MERCHANTS_PAGE_MAX).optional(),
});

const businessDaySchema = z.string().max(10).meta({ description: 'a calendar day in Korea (Asia/Seoul), YYYY-MM-DD' });
export const PAYOUT_STATES = ['scheduled', 'sent', 'confirmed', 'returned', 'held'] as const;

export const runPayoutsSchema = z.object({ businessDay: businessDaySchema });

const attemptSchema = z.number().int().min(1).max(PAYOUT_ATTEMPTS_MAX).meta({ description: "the attempt the bank reports on, as in the payout file's attempt column" });
export const confirmPayoutSchema = z.object({ attempt: attemptSchema });
export const returnPayoutSchema = z.object({
  attempt: attemptSchema,
  reason: fileText(PAYOUT_RETURN_REASON_CHARS_MAX),
  /** Keep it from the next run until the operator releases it (e.g. the account is closed). */
  hold: z.boolean().optional(),
});
export type ReturnPayoutInput = z.infer<typeof returnPayoutSchema>;

export const listPayoutsQuerySchema = z.object({
  businessDay: z.string().max(10).optional(),
  merchantId: z.string().max(25).optional(),
  state: z.enum(PAYOUT_STATES).optional(),
  after: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(PAYOUTS_PAGE_MAX).optional(),
});

// ------------------------------------------------------------ answers (documentation)

export const merchantViewSchema = z.object({
  merchantId: z.string(),
  legalName: z.string(),
  businessRegistrationNumber: z.string().meta({ description: 'written 123-45-67890' }),
  mcc: z.string(),
  address: z.string(),
  city: z.string(),
  settlementAccount: settlementAccountSchema,
  mdrBps: mdrBpsSchema,
  status: z.enum(['pending', 'approved', 'rejected']),
  reason: z.string().optional(),
  createdAt: z.string(),
});

export const terminalCreatedSchema = z.object({
  terminalId: z.string(),
  terminalKey: z.string().meta({ description: 'shown once: the acquirer keeps only its SHA-256' }),
  merchantId: z.string(),
  storeId: z.string().nullable(),
  label: z.string(),
});

export const terminalViewSchema = z.object({
  terminalId: z.string(),
  merchantId: z.string(),
  storeId: z.string().nullable(),
  label: z.string(),
  merchantName: z.string(),
});

export const refundViewSchema = z.object({
  refundId: z.string(),
  refundRequestId: z.string(),
  paymentId: z.string(),
  amount: amountSchema,
  status: z.enum(['PROCESSING', 'SUCCESS', 'FAIL']),
  resultCode: z.string().optional(),
  createdAt: z.string(),
});

export const paymentViewSchema = z.object({
  paymentId: z.string(),
  paymentRequestId: z.string(),
  origin: z.enum(['pos', 'mpm']),
  merchantId: z.string(),
  storeId: z.string().nullable(),
  terminalId: z.string().nullable(),
  orderId: z.string().nullable(),
  status: z.enum(['PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED']),
  amount: amountSchema,
  payAmount: amountSchema.optional(),
  fxRate: fxQuoteSchema.optional(),
  payerId: z.string().optional(),
  paidAt: z.string().optional(),
  resultCode: z.string().optional(),
  refunds: z.array(refundViewSchema).optional(),
  createdAt: z.string(),
});

export const orderViewSchema = z.object({
  orderId: z.string(),
  paymentRequestId: z.string(),
  merchantId: z.string(),
  storeId: z.string().nullable(),
  terminalId: z.string(),
  amount: amountSchema,
  qrPayload: z.string(),
  expiresAt: z.string(),
  status: z.enum(['OPEN', 'PAYING', 'PAID', 'EXPIRED']),
  payment: z.object({ paymentId: z.string(), status: z.enum(['PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED']) }).optional(),
});

export const payoutAttemptViewSchema = z.object({
  attempt: z.number().int(),
  businessDay: z.string().meta({ description: 'the run whose file carries this attempt' }),
  valueDate: z.string(),
  amount: amountSchema,
  settlementAccount: settlementAccountSchema,
  outcome: z.enum(['pending', 'confirmed', 'returned']),
  reason: z.string().optional(),
  hold: z.boolean(),
  createdAt: z.string(),
  resolvedAt: z.string().optional(),
});

export const payoutViewSchema = z.object({
  payoutId: z.string(),
  businessDay: z.string().meta({ description: 'the business day of the run that created it' }),
  merchantId: z.string(),
  state: z.enum(PAYOUT_STATES),
  attempt: z.number().int().meta({ description: 'the current attempt; 0 when there was nothing to send' }),
  captured: amountSchema.meta({ description: 'payments captured among its entries' }),
  reversed: amountSchema.meta({ description: 'refunds and cancellations among its entries' }),
  net: amountSchema,
  mdrBps: z.number().int(),
  fee: amountSchema.meta({ description: 'floor(net × mdrBps / 10 000)' }),
  amount: amountSchema.meta({ description: 'what the merchant is paid: net − fee' }),
  entryCount: z.number().int(),
  attempts: z.array(payoutAttemptViewSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const payoutRunViewSchema = z.object({
  businessDay: z.string(),
  valueDate: z.string(),
  createdAt: z.string(),
  created: z.boolean().meta({ description: 'false when the run existed: nothing was created again' }),
  payouts: z.array(payoutViewSchema).meta({ description: 'the payouts this run created' }),
  carriedForward: z.array(z.object({ merchantId: z.string(), shortfall: amountSchema })).meta({ description: 'merchants whose refunds exceeded their sales: not paid, the shortfall is deducted from their next payout' }),
  file: z.object({ detailCount: z.number().int(), total: amountSchema, checksum: z.string() }).meta({ description: "the run's payout file: its lines (new payouts and re-sent ones), their total and the trailer's SHA-256" }),
});
