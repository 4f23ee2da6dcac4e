/**
 * The acquirer's public API (operator and POS), as zod schemas: they parse
 * each request and document it in `/openapi.json`. Amounts are the wire form
 * `{"currency":"KRW","value":"15000"}`; the service checks the currency and
 * range, so that a wrong currency is 422 CURRENCY_NOT_SUPPORTED and not a
 * generic 400.
 */
import { z } from 'zod';
import { amountSchema, fxQuoteSchema, paymentCodeSchema, requestIdSchema } from '../protocol/index.ts';

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

export const settlementAccountSchema = z.object({
  bankCode: z.string().regex(/^[0-9]{3}$/, 'a Korean bank code, 3 digits'),
  accountNumber: z.string().regex(/^[0-9-]{6,20}$/, '6 to 20 digits or hyphens'),
  holderName: text(LEGAL_NAME_CHARS_MAX),
});

export const registerMerchantSchema = z.object({
  legalName: printable(LEGAL_NAME_CHARS_MAX),
  businessRegistrationNumber: z.string().max(20),
  mcc: z.string().regex(/^[0-9]{4}$/, 'an ISO 18245 merchant category code, 4 digits'),
  address: text(ADDRESS_CHARS_MAX),
  city: printable(CITY_CHARS_MAX),
  settlementAccount: settlementAccountSchema,
});
export type RegisterMerchantInput = z.infer<typeof registerMerchantSchema>;

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

// ------------------------------------------------------------ answers (documentation)

export const merchantViewSchema = z.object({
  merchantId: z.string(),
  legalName: z.string(),
  businessRegistrationNumber: z.string().meta({ description: 'written 123-45-67890' }),
  mcc: z.string(),
  address: z.string(),
  city: z.string(),
  settlementAccount: settlementAccountSchema,
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
