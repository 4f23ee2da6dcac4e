/**
 * The online checkout's API at the acquirer, as zod schemas: they parse each
 * request and document it in `/openapi.json` (ADR 7). Limits are named here.
 */
import { z } from 'zod';
import { amountSchema, requestIdSchema, shopUrlSchema } from '../protocol/index.ts';
import { WEBHOOK_EVENTS, WEBHOOK_STATES } from './checkout-store.ts';

/** How long a session stays payable when the shop does not say, in seconds (15 minutes). */
export const CHECKOUT_SESSION_TTL_SECONDS_DEFAULT = 900;
/** Shortest and longest a shop may ask for, in seconds. */
export const CHECKOUT_SESSION_TTL_SECONDS_MIN = 60;
export const CHECKOUT_SESSION_TTL_SECONDS_MAX = 3_600;
/** Deliveries in one page of `GET /acquirer/v1/webhooks`. */
export const WEBHOOKS_PAGE_MAX = 100;

export const createCheckoutSessionSchema = z.object({
  orderId: requestIdSchema.meta({ description: "the shop's own order id: a second request with the same id answers the same session (200), or 409 IDEMPOTENCY_KEY_REUSED if anything else differs" }),
  amount: amountSchema.meta({ description: 'in KRW' }),
  returnUrl: shopUrlSchema.meta({ description: "where the wallet's cashier sends the buyer afterwards, with ?checkoutSessionId=…&status=SUCCESS|PROCESSING|FAIL|EXPIRED; a hint only: the shop asks the acquirer (or waits for the webhook) before it ships" }),
  notifyUrl: shopUrlSchema.meta({ description: 'where the acquirer POSTs the signed webhooks of this session' }),
  expiresInSeconds: z
    .number()
    .int()
    .min(CHECKOUT_SESSION_TTL_SECONDS_MIN)
    .max(CHECKOUT_SESSION_TTL_SECONDS_MAX)
    .optional()
    .meta({ description: `how long the session stays payable; default ${CHECKOUT_SESSION_TTL_SECONDS_DEFAULT}` }),
});
export type CreateCheckoutSessionInput = z.infer<typeof createCheckoutSessionSchema>;

export const CHECKOUT_SESSION_STATUSES = ['OPEN', 'PAYING', 'PAID', 'EXPIRED'] as const;
export type CheckoutSessionStatus = (typeof CHECKOUT_SESSION_STATUSES)[number];

export const checkoutPaymentViewSchema = z.object({
  paymentId: z.string(),
  status: z.enum(['PROCESSING', 'SUCCESS', 'FAIL', 'CANCELLED']),
  amount: amountSchema,
  payAmount: amountSchema.optional().meta({ description: "what the buyer's wallet was charged, in its currency" }),
  paidAt: z.string().optional(),
  resultCode: z.string().optional(),
});

export const checkoutSessionViewSchema = z.object({
  sessionId: z.string(),
  orderId: z.string().meta({ description: "the shop's order id" }),
  merchantId: z.string(),
  amount: amountSchema,
  status: z.enum(CHECKOUT_SESSION_STATUSES).meta({ description: 'OPEN (payable), PAYING (a payment is under way), PAID, EXPIRED (never payable again)' }),
  cashierUrl: z.string().meta({ description: "the wallet provider's hosted cashier page: send the buyer there" }),
  returnUrl: z.string(),
  notifyUrl: z.string(),
  expiresAt: z.string(),
  createdAt: z.string(),
  payment: checkoutPaymentViewSchema.optional().meta({ description: 'the payment under way or made, else the latest attempt' }),
});

export const webhookSecretViewSchema = z.object({
  secret: z.string().meta({ description: 'base64url of the 32-byte HMAC-SHA256 key of this shop\'s webhooks; shown once, replacing any earlier one' }),
  createdAt: z.string(),
});

export const webhookDeliveryViewSchema = z.object({
  deliveryId: z.string(),
  sessionId: z.string(),
  event: z.enum(WEBHOOK_EVENTS),
  paymentId: z.string().nullable(),
  state: z.enum(WEBHOOK_STATES),
  attempts: z.number().int(),
  nextAttemptAt: z.string().optional(),
  lastError: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveredAt: z.string().optional(),
});

export const listWebhooksQuerySchema = z.object({
  state: z.enum(WEBHOOK_STATES).optional().meta({ description: 'failed by default: the undeliverable ones' }),
  after: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(WEBHOOKS_PAGE_MAX).optional(),
});

export const webhookListViewSchema = z.object({ webhooks: z.array(webhookDeliveryViewSchema), nextAfter: z.string().nullable() });
