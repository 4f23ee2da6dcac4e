/**
 * The network operator's API, as zod schemas: they parse requests and
 * document the routes in OpenAPI (`routeDocs`).
 */
import { z } from 'zod';
import { CLIENT_ID_PATTERN, KEY_VERSION_MAX } from '../platform/signing/index.ts';
import { amountSchema, fxQuoteSchema, merchantSchema, paymentStatusSchema } from '../protocol/index.ts';

/**
 * Longest participant id, in characters: `acquirer:` plus the id must fit a
 * ledger account id (64 characters), so the network accepts fewer than the
 * signing limit (`CLIENT_ID_CHARS_MAX`).
 */
export const PARTICIPANT_ID_CHARS_MAX = 48;
export const PARTICIPANT_NAME_CHARS_MAX = 100;
export const BASE_URL_CHARS_MAX = 200;
/** A public key as PEM or one line of base64 DER; an Ed25519 SPKI PEM is about 113 characters. */
export const PUBLIC_KEY_CHARS_MAX = 1_000;
/** A wallet's code prefix: the first digits of its payment codes (protocol `PAYMENT_CODE_PREFIX_DIGITS`). */
export const CODE_PREFIX_PATTERN = /^[0-9]{4}$/;
/** An acquirer's merchant-id prefix: the start of its merchants' ids, in dari QR id characters (qr `DARI_ID_CHARS_MAX`). */
export const MERCHANT_ID_PREFIX_PATTERN = /^[A-Za-z0-9._-]{1,25}$/;
/** Payments listed by one page of `GET /network/v1/payments`. */
export const PAGE_ITEMS_MAX = 100;
export const PAGE_ITEMS_DEFAULT = 20;
/** FX rates listed by `GET /network/v1/fx-rates`. */
export const FX_RATES_LISTED_MAX = 500;

const participantIdSchema = z
  .string()
  .max(PARTICIPANT_ID_CHARS_MAX)
  .regex(CLIENT_ID_PATTERN, 'letters, digits, _ and -');

const baseUrlSchema = z
  .string()
  .max(BASE_URL_CHARS_MAX)
  .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'an http(s) URL without query or fragment, e.g. http://127.0.0.1:3000');

const commonFields = {
  participantId: participantIdSchema,
  name: z.string().trim().min(1).max(PARTICIPANT_NAME_CHARS_MAX),
  baseUrl: baseUrlSchema,
  publicKey: z.string().min(1).max(PUBLIC_KEY_CHARS_MAX).meta({ description: 'Ed25519 public key: SPKI PEM or one line of base64 DER' }),
  keyVersion: z.number().int().min(1).max(KEY_VERSION_MAX),
  currency: z.string().regex(/^[A-Z]{3}$/),
};

export const registerParticipantRequestSchema = z.discriminatedUnion('role', [
  z.object({ ...commonFields, role: z.literal('wallet'), codePrefix: z.string().regex(CODE_PREFIX_PATTERN, '4 digits') }).strict(),
  z
    .object({ ...commonFields, role: z.literal('acquirer'), merchantIdPrefix: z.string().regex(MERCHANT_ID_PREFIX_PATTERN, "1-25 letters, digits, '.', '_' or '-'") })
    .strict(),
]);
export type RegisterParticipantRequest = z.infer<typeof registerParticipantRequestSchema>;

export const addParticipantKeyRequestSchema = z.object({
  publicKey: commonFields.publicKey,
  keyVersion: commonFields.keyVersion,
});
export type AddParticipantKeyRequest = z.infer<typeof addParticipantKeyRequestSchema>;

export const participantSchema = z.object({
  participantId: z.string(),
  role: z.enum(['wallet', 'acquirer']),
  name: z.string(),
  baseUrl: z.string(),
  currency: z.string(),
  codePrefix: z.string().optional(),
  merchantIdPrefix: z.string().optional(),
  keys: z.array(z.object({ keyVersion: z.number(), publicKey: z.string(), addedAt: z.string() })),
  registeredAt: z.string(),
});
export const participantListSchema = z.object({ participants: z.array(participantSchema) });

export const putFxRateRequestSchema = z.object({
  rate: fxQuoteSchema.shape.rate.meta({ description: '1 base = rate quote, a decimal: "190.25"' }),
  /** When the rate takes effect; now if absent. */
  validFrom: z.iso.datetime({ offset: true }).optional(),
});
export type PutFxRateRequest = z.infer<typeof putFxRateRequestSchema>;

export const fxRateSchema = z.object({
  quoteId: z.string(),
  baseCurrency: z.string(),
  quoteCurrency: z.string(),
  rate: z.string(),
  validFrom: z.string(),
  recordedAt: z.string(),
});
export const fxRateListSchema = z.object({ fxRates: z.array(fxRateSchema) });

export const refundViewSchema = z.object({
  refundId: z.string(),
  refundRequestId: z.string(),
  status: z.enum(['PROCESSING', 'SUCCESS', 'FAIL']),
  refundAmount: amountSchema,
  refundPayAmount: amountSchema,
  resultCode: z.string().nullable(),
  refundTime: z.string().nullable(),
  createdAt: z.string(),
});

export const paymentViewSchema = z.object({
  paymentId: z.string(),
  acquirerId: z.string(),
  paymentRequestId: z.string(),
  walletId: z.string(),
  merchant: merchantSchema,
  paymentAmount: amountSchema,
  payAmount: amountSchema,
  fxQuote: fxQuoteSchema,
  status: paymentStatusSchema,
  stage: z.enum(['paying', 'cancelling']).nullable(),
  resultCode: z.string().nullable(),
  resultMessage: z.string().nullable(),
  payerId: z.string().nullable(),
  paymentTime: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  refunds: z.array(refundViewSchema),
});
export const paymentListSchema = z.object({ payments: z.array(paymentViewSchema.omit({ refunds: true })) });

export const paymentListQuerySchema = z.object({
  status: paymentStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_ITEMS_MAX).default(PAGE_ITEMS_DEFAULT),
});

export const positionSchema = z.object({
  participantId: z.string(),
  role: z.enum(['wallet', 'acquirer']),
  accountId: z.string(),
  /**
   * Minor units: a wallet's is what it owes the network, an acquirer's what the
   * network owes it. Never negative while refunds and cancellations only undo
   * payments; the value would carry a leading '-' if it ever were.
   */
  position: z.object({ currency: z.string(), value: z.string().regex(/^-?(0|[1-9][0-9]*)$/) }),
});
export const positionListSchema = z.object({ positions: z.array(positionSchema) });
