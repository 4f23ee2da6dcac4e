/**
 * The messages institutions send each other (DESIGN "Public API shape"), as
 * schemas: each parses an untrusted body into a typed value, and the same
 * schema documents the endpoint in OpenAPI. Field names follow Alipay+, so an
 * integrator recognises them.
 *
 * Two modes share one money path:
 * - user-presented (CPM): the POS scans the tourist's code and the acquirer
 *   sends `pay` to the network, which routes it by the code's prefix to the
 *   wallet;
 * - merchant-presented (MPM): the wallet scans the merchant's QR, mints a
 *   one-time payment code for its user and sends `userInitiatedPay` to the
 *   network, which routes it by the QR's merchant to the acquirer; the
 *   acquirer then starts the very same `pay` with that code.
 * So the wallet debits its user only when answering a `pay`, in both modes,
 * and every payment has one owner of its state machine on each side.
 */
import { z } from 'zod';
import { RESULT_CODE_NAMES } from './results.ts';

/** A caller's id for a request (paymentRequestId, refundRequestId, …): short enough to embed in a ledger id with a prefix. */
export const REQUEST_ID_CHARS_MAX = 48;
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** A payment code: 18 digits, the first PAYMENT_CODE_PREFIX_DIGITS of which name the wallet provider. */
export const PAYMENT_CODE_PATTERN = /^[0-9]{18}$/;
export const PAYMENT_CODE_PREFIX_DIGITS = 4;
export const QR_CODE_VALUE_CHARS_MAX = 512;
export const MERCHANT_NAME_CHARS_MAX = 100;

export const requestIdSchema = z
  .string()
  .min(1)
  .max(REQUEST_ID_CHARS_MAX)
  .regex(REQUEST_ID_PATTERN, `letters, digits, _ and -, starting with a letter or digit`);

/** An amount on the wire: ISO 4217 code and a string of digits counting minor units (Alipay+). */
export const amountSchema = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as KRW'),
    value: z.string().regex(/^(0|[1-9][0-9]{0,18})$/, 'a whole number of minor units, as a string of digits'),
  })
  .meta({ description: 'An amount in minor units: {"currency":"KRW","value":"15000"} is 15,000 won; {"currency":"CNY","value":"100000"} is 1,000.00 yuan.' });

export const paymentCodeSchema = z.string().regex(PAYMENT_CODE_PATTERN, '18 digits');

export const resultSchema = z.object({
  resultStatus: z.enum(['S', 'F', 'U']),
  resultCode: z.enum(RESULT_CODE_NAMES),
  resultMessage: z.string().max(256),
});

/** What the payer's wallet is told about the merchant: enough to show the tourist, nothing more. */
export const merchantSchema = z.object({
  merchantId: requestIdSchema,
  merchantName: z.string().min(1).max(MERCHANT_NAME_CHARS_MAX),
  merchantMcc: z.string().regex(/^[0-9]{4}$/),
  merchantCity: z.string().min(1).max(50),
  merchantCountry: z.string().regex(/^[A-Z]{2}$/),
});

/** 1 `baseCurrency` = `rate` `quoteCurrency`, exactly (a decimal, parsed by money's parseRate). */
export const fxQuoteSchema = z.object({
  quoteId: requestIdSchema,
  baseCurrency: z.string().regex(/^[A-Z]{3}$/),
  quoteCurrency: z.string().regex(/^[A-Z]{3}$/),
  rate: z.string().regex(/^[0-9]{1,18}(\.[0-9]{1,12})?$/),
});

export const paymentStatusSchema = z.enum(['PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED']);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

// ---------------------------------------------------------------- pay

/** Acquirer → network: charge the holder of `paymentCode` this amount for this merchant. */
export const acquirerPayRequestSchema = z.object({
  paymentRequestId: requestIdSchema,
  paymentAmount: amountSchema,
  paymentCode: paymentCodeSchema,
  merchant: merchantSchema,
});

/** Network → wallet: the same, with the network's payment id and the rate locked for it. */
export const walletPayRequestSchema = z.object({
  paymentId: requestIdSchema,
  acquirerId: requestIdSchema,
  paymentRequestId: requestIdSchema,
  paymentAmount: amountSchema,
  payAmount: amountSchema,
  fxQuote: fxQuoteSchema,
  paymentCode: paymentCodeSchema,
  merchant: merchantSchema,
});

export const payResponseSchema = z.object({
  result: resultSchema,
  paymentId: requestIdSchema.optional(),
  paymentTime: z.iso.datetime({ offset: true }).optional(),
  paymentAmount: amountSchema.optional(),
  payAmount: amountSchema.optional(),
  fxQuote: fxQuoteSchema.optional(),
  /** The payer as this merchant sees them: stable per merchant, different across merchants. */
  payerId: z.string().max(64).optional(),
});

// ---------------------------------------------------------------- inquiry, cancel

export const acquirerPaymentRefSchema = z.object({ paymentRequestId: requestIdSchema });
export const walletPaymentRefSchema = z.object({ paymentId: requestIdSchema });

export const inquiryPaymentResponseSchema = z.object({
  /** Whether the inquiry itself was answered. */
  result: resultSchema,
  /** The payment's own outcome, when the inquiry succeeded. */
  paymentResult: resultSchema.optional(),
  paymentStatus: paymentStatusSchema.optional(),
  paymentId: requestIdSchema.optional(),
  paymentTime: z.iso.datetime({ offset: true }).optional(),
  paymentAmount: amountSchema.optional(),
  payAmount: amountSchema.optional(),
  fxQuote: fxQuoteSchema.optional(),
  payerId: z.string().max(64).optional(),
});

export const cancelPaymentResponseSchema = z.object({
  result: resultSchema,
  paymentId: requestIdSchema.optional(),
  cancelTime: z.iso.datetime({ offset: true }).optional(),
  /**
   * Set when the payment had succeeded at the network before this
   * cancellation reversed it: the network moved money twice (a payment and a
   * cancellation, both in the clearing files), so the acquirer books both too.
   */
  paymentTime: z.iso.datetime({ offset: true }).optional(),
});

// ---------------------------------------------------------------- refund

export const acquirerRefundRequestSchema = z.object({
  refundRequestId: requestIdSchema,
  paymentRequestId: requestIdSchema,
  refundAmount: amountSchema,
});

/** Network → wallet: what to credit back in the payer's currency, computed by the network at the payment's rate. */
export const walletRefundRequestSchema = z.object({
  refundId: requestIdSchema,
  paymentId: requestIdSchema,
  refundAmount: amountSchema,
  refundPayAmount: amountSchema,
});

export const refundResponseSchema = z.object({
  result: resultSchema,
  refundId: requestIdSchema.optional(),
  refundTime: z.iso.datetime({ offset: true }).optional(),
  refundAmount: amountSchema.optional(),
  refundPayAmount: amountSchema.optional(),
});

export const acquirerRefundRefSchema = z.object({ refundRequestId: requestIdSchema });
export const walletRefundRefSchema = z.object({ refundId: requestIdSchema });

export const inquiryRefundResponseSchema = z.object({
  result: resultSchema,
  refundResult: resultSchema.optional(),
  refundStatus: z.enum(['PROCESSING', 'SUCCESS', 'FAIL']).optional(),
  refundId: requestIdSchema.optional(),
  refundAmount: amountSchema.optional(),
  refundPayAmount: amountSchema.optional(),
});

// ---------------------------------------------------------------- notify, user-initiated

/** Network → acquirer: the final outcome of a payment the acquirer may not have heard (its call timed out). */
export const notifyPaymentRequestSchema = z.object({
  paymentRequestId: requestIdSchema,
  paymentId: requestIdSchema,
  paymentResult: resultSchema,
  paymentStatus: paymentStatusSchema,
  paymentAmount: amountSchema,
  payAmount: amountSchema.optional(),
  fxQuote: fxQuoteSchema.optional(),
  payerId: z.string().max(64).optional(),
  paymentTime: z.iso.datetime({ offset: true }).optional(),
});

export const notifyPaymentResponseSchema = z.object({ result: resultSchema });

/**
 * Wallet → network → acquirer, merchant-presented mode: the tourist scanned
 * `codeValue` (the merchant's QR) and will pay with `paymentCode`, a one-time
 * code the wallet minted for this payment. `paymentAmount` is what the
 * tourist typed, for a static QR; a dynamic QR carries its own.
 */
export const userInitiatedPayRequestSchema = z.object({
  userRequestId: requestIdSchema,
  codeValue: z.string().min(1).max(QR_CODE_VALUE_CHARS_MAX),
  paymentCode: paymentCodeSchema,
  paymentAmount: amountSchema.optional(),
  /** Set by the network when it forwards to the acquirer: which wallet the payer comes from. */
  walletId: requestIdSchema.optional(),
});

export const userInitiatedPayResponseSchema = z.object({
  result: resultSchema,
  paymentRequestId: requestIdSchema.optional(),
  paymentId: requestIdSchema.optional(),
  paymentAmount: amountSchema.optional(),
  payAmount: amountSchema.optional(),
  merchant: merchantSchema.optional(),
});

/**
 * Any participant → network: the rate the network would lock for a payment
 * from `baseCurrency` (the payer's) to `quoteCurrency` (the merchant's) now,
 * so that a wallet can show its user what a price costs before the user
 * confirms (the online cashier). An estimate: the rate is locked only by `pay`.
 */
export const inquiryExchangeRateRequestSchema = z.object({
  baseCurrency: z.string().regex(/^[A-Z]{3}$/),
  quoteCurrency: z.string().regex(/^[A-Z]{3}$/),
});
export const inquiryExchangeRateResponseSchema = z.object({
  result: resultSchema,
  fxQuote: fxQuoteSchema.optional(),
  validFrom: z.iso.datetime({ offset: true }).optional(),
});

/** Lines of a clearing file in one answer: a page stays well under `PEER_RESPONSE_BYTES_MAX` (lines are at most 4 KiB, typically 250 bytes). */
export const CLEARING_FILE_PAGE_LINES_MAX = 128;
/** A participant asks for its own clearing file of a closed cycle, a page of lines at a time, from `fromLine` (0 first). */
export const clearingFileRequestSchema = z.object({
  cycleId: z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{4}$/, 'a cycle id, YYYY-MM-DDTHHMM'),
  fromLine: z.number().int().min(0).max(10_000_000).default(0),
});
export const clearingFileResponseSchema = z.object({
  result: resultSchema,
  cycleId: z.string().optional(),
  /** The whole file's lines and its checksum (the trailer's), so the reader knows when it has all of it. */
  lineCount: z.number().int().min(0).optional(),
  checksum: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** Lines `fromLine` to `fromLine + lines.length − 1`, without their CRLF. */
  lines: z.array(z.string()).max(CLEARING_FILE_PAGE_LINES_MAX).optional(),
  /** The cycles just before and after this one in the network's schedule, for a reader that looks next door (reconcile-cycle.ts). */
  previousCycleId: z.string().optional(),
  nextCycleId: z.string().optional(),
});

export type AmountWire = z.infer<typeof amountSchema>;
export type MerchantWire = z.infer<typeof merchantSchema>;
export type FxQuoteWire = z.infer<typeof fxQuoteSchema>;
export type ResultWire = z.infer<typeof resultSchema>;
export type AcquirerPayRequest = z.infer<typeof acquirerPayRequestSchema>;
export type WalletPayRequest = z.infer<typeof walletPayRequestSchema>;
export type PayResponse = z.infer<typeof payResponseSchema>;
export type AcquirerPaymentRef = z.infer<typeof acquirerPaymentRefSchema>;
export type WalletPaymentRef = z.infer<typeof walletPaymentRefSchema>;
export type InquiryPaymentResponse = z.infer<typeof inquiryPaymentResponseSchema>;
export type CancelPaymentResponse = z.infer<typeof cancelPaymentResponseSchema>;
export type AcquirerRefundRequest = z.infer<typeof acquirerRefundRequestSchema>;
export type WalletRefundRequest = z.infer<typeof walletRefundRequestSchema>;
export type RefundResponse = z.infer<typeof refundResponseSchema>;
export type AcquirerRefundRef = z.infer<typeof acquirerRefundRefSchema>;
export type WalletRefundRef = z.infer<typeof walletRefundRefSchema>;
export type InquiryRefundResponse = z.infer<typeof inquiryRefundResponseSchema>;
export type NotifyPaymentRequest = z.infer<typeof notifyPaymentRequestSchema>;
export type NotifyPaymentResponse = z.infer<typeof notifyPaymentResponseSchema>;
export type UserInitiatedPayRequest = z.infer<typeof userInitiatedPayRequestSchema>;
export type UserInitiatedPayResponse = z.infer<typeof userInitiatedPayResponseSchema>;
export type ClearingFileRequest = z.infer<typeof clearingFileRequestSchema>;
export type ClearingFileResponse = z.infer<typeof clearingFileResponseSchema>;
export type InquiryExchangeRateRequest = z.infer<typeof inquiryExchangeRateRequestSchema>;
export type InquiryExchangeRateResponse = z.infer<typeof inquiryExchangeRateResponseSchema>;

/**
 * Every endpoint between institutions: who serves it, its path, and the
 * schemas of its request and answer. Paths are fixed so that the network's
 * participant table needs only each participant's base URL.
 */
export const PROTOCOL_ENDPOINTS = {
  networkPay: { path: '/network/v1/payments/pay', request: acquirerPayRequestSchema, response: payResponseSchema },
  networkInquiryPayment: { path: '/network/v1/payments/inquiryPayment', request: acquirerPaymentRefSchema, response: inquiryPaymentResponseSchema },
  networkCancelPayment: { path: '/network/v1/payments/cancelPayment', request: acquirerPaymentRefSchema, response: cancelPaymentResponseSchema },
  networkRefund: { path: '/network/v1/payments/refund', request: acquirerRefundRequestSchema, response: refundResponseSchema },
  networkInquiryRefund: { path: '/network/v1/payments/inquiryRefund', request: acquirerRefundRefSchema, response: inquiryRefundResponseSchema },
  networkUserInitiatedPay: { path: '/network/v1/payments/userInitiatedPay', request: userInitiatedPayRequestSchema, response: userInitiatedPayResponseSchema },
  networkClearingFile: { path: '/network/v1/clearing/file', request: clearingFileRequestSchema, response: clearingFileResponseSchema },
  networkInquiryExchangeRate: { path: '/network/v1/payments/inquiryExchangeRate', request: inquiryExchangeRateRequestSchema, response: inquiryExchangeRateResponseSchema },
  walletPay: { path: '/wallet/network/v1/payments/pay', request: walletPayRequestSchema, response: payResponseSchema },
  walletInquiryPayment: { path: '/wallet/network/v1/payments/inquiryPayment', request: walletPaymentRefSchema, response: inquiryPaymentResponseSchema },
  walletCancelPayment: { path: '/wallet/network/v1/payments/cancelPayment', request: walletPaymentRefSchema, response: cancelPaymentResponseSchema },
  walletRefund: { path: '/wallet/network/v1/payments/refund', request: walletRefundRequestSchema, response: refundResponseSchema },
  walletInquiryRefund: { path: '/wallet/network/v1/payments/inquiryRefund', request: walletRefundRefSchema, response: inquiryRefundResponseSchema },
  acquirerNotifyPayment: { path: '/acquirer/network/v1/payments/notifyPayment', request: notifyPaymentRequestSchema, response: notifyPaymentResponseSchema },
  acquirerUserInitiatedPay: { path: '/acquirer/network/v1/payments/userInitiatedPay', request: userInitiatedPayRequestSchema, response: userInitiatedPayResponseSchema },
} as const;

export type ProtocolEndpointName = keyof typeof PROTOCOL_ENDPOINTS;
export type ProtocolRequest<N extends ProtocolEndpointName> = z.infer<(typeof PROTOCOL_ENDPOINTS)[N]['request']>;
export type ProtocolResponse<N extends ProtocolEndpointName> = z.infer<(typeof PROTOCOL_ENDPOINTS)[N]['response']>;
