/**
 * The schemas of the wallet's public API (the wallet app's): they parse
 * untrusted bodies in the routes and describe the same bodies in OpenAPI.
 * Amounts in requests are read loosely here and strictly by money's
 * `parseAmountJson` in the service, so that a bad amount is INVALID_AMOUNT
 * or CURRENCY_MISMATCH, not a generic INVALID_REQUEST.
 */
import { z } from 'zod';
import { amountSchema, merchantSchema, paymentStatusSchema, QR_CODE_VALUE_CHARS_MAX, requestIdSchema } from '../protocol/index.ts';
import { ID_NUMBER_PATTERN, PAGE_ITEMS_MAX, PHONE_PATTERN, USER_NAME_CHARS_MAX } from './limits.ts';

/** An amount as a client sends it; checked by money's parseAmountJson. */
export const amountInputSchema = z
  .object({ currency: z.string().max(8), value: z.unknown().optional() })
  .meta({ description: 'An amount in minor units, value as a string of digits: {"currency":"CNY","value":"100000"} is 1,000.00 yuan.' });

export const signupRequestSchema = z.object({
  name: z.string().trim().min(1).max(USER_NAME_CHARS_MAX),
  phone: z.string().regex(PHONE_PATTERN, "an optional '+' and 6 to 15 digits"),
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as CN'),
  idNumber: z.string().regex(ID_NUMBER_PATTERN, '6 to 32 letters and digits').optional(),
});
export type SignupRequest = z.infer<typeof signupRequestSchema>;

export const kycTierSchema = z.enum(['basic', 'verified']);

export const signupResponseSchema = z.object({
  userId: z.string(),
  token: z.string().meta({ description: 'The bearer token for every other call; shown once, stored only as a hash.' }),
  kycTier: kycTierSchema,
});

export const limitsSchema = z.object({ perPayment: amountSchema, daily: amountSchema, usedToday: amountSchema });

export const meResponseSchema = z.object({
  userId: z.string(),
  name: z.string(),
  phone: z.string(),
  country: z.string(),
  idNumberLast4: z.string().nullable(),
  kycTier: kycTierSchema,
  limits: limitsSchema,
});

export const topupRequestSchema = z.object({ requestId: requestIdSchema, amount: amountInputSchema });
export type TopupRequest = z.infer<typeof topupRequestSchema>;
export const topupResponseSchema = z.object({ topupId: z.string(), amount: amountSchema, balance: amountSchema });

export const balanceResponseSchema = z.object({ balance: amountSchema, cardAvailable: amountSchema });

export const paymentCodeResponseSchema = z.object({
  code: z.string().regex(/^[0-9]{18}$/),
  expiresAt: z.iso.datetime(),
});

/** A QR payload; an empty or malformed one is INVALID_QR, with the decoder's own message. */
export const qrPayloadSchema = z.string().max(QR_CODE_VALUE_CHARS_MAX);

export const scanRequestSchema = z.object({ qrPayload: qrPayloadSchema });
export const scanResponseSchema = z.object({
  merchant: z.object({ name: z.string(), city: z.string(), country: z.string(), mcc: z.string() }),
  amount: amountSchema.optional(),
  currency: z.string(),
  supported: z.boolean().meta({ description: 'Whether the wallet can pay this QR: a dari merchant QR in KRW.' }),
});

export const mpmRequestSchema = z.object({
  requestId: requestIdSchema,
  qrPayload: qrPayloadSchema,
  amount: amountInputSchema.optional().meta({ description: 'In KRW; required for a static QR without an amount, must match a dynamic QR.' }),
});
export type MpmPaymentRequest = z.infer<typeof mpmRequestSchema>;

export const mpmResponseSchema = z.object({
  status: z.enum(['SUCCESS', 'PROCESSING']),
  paymentId: z.string().optional(),
  paymentAmount: amountSchema.optional(),
  payAmount: amountSchema.optional(),
  merchant: merchantSchema.optional(),
});

export const transactionsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_ITEMS_MAX).optional(),
  before: z.string().regex(/^[1-9][0-9]{0,14}$/, 'a cursor from nextBefore').optional(),
});

const transactionItemSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('topup'), topupId: z.string(), amount: amountSchema, status: z.enum(['PROCESSING', 'SUCCESS', 'DECLINED']), time: z.iso.datetime() }),
  z.object({
    type: z.literal('payment'),
    paymentId: z.string().nullable(),
    merchantName: z.string(),
    paymentAmount: amountSchema,
    payAmount: amountSchema.nullable(),
    rate: z.string().nullable().meta({ description: '1 CNY = rate KRW, as locked by the network for this payment.' }),
    status: paymentStatusSchema,
    time: z.iso.datetime(),
  }),
  z.object({
    type: z.literal('refund'),
    refundId: z.string(),
    paymentId: z.string(),
    merchantName: z.string(),
    refundAmount: amountSchema,
    refundPayAmount: amountSchema,
    status: z.enum(['PROCESSING', 'SUCCESS', 'FAIL']),
    time: z.iso.datetime(),
  }),
  z.object({ type: z.literal('cancellation'), paymentId: z.string(), merchantName: z.string(), amount: amountSchema, time: z.iso.datetime() }),
]);
export type TransactionItem = z.infer<typeof transactionItemSchema>;

export const transactionsResponseSchema = z.object({
  items: z.array(transactionItemSchema),
  nextBefore: z.string().nullable().meta({ description: 'Pass as `before` for the next (older) page; null at the end.' }),
});
