/**
 * The online checkout's routes at the acquirer: the shop's (its terminal key)
 * and the operator's view of webhooks that could not be delivered. Thin
 * (STYLE 5): authenticate, parse, call one service function, map.
 */
import type { Context, Hono } from 'hono';
import { apiError, bearerToken, parseJsonBody, parseValue, type RouteDoc } from '../platform/http/contract.ts';
import type { Result } from '../platform/result.ts';
import {
  checkoutSessionViewSchema,
  createCheckoutSessionSchema,
  listWebhooksQuerySchema,
  webhookDeliveryViewSchema,
  webhookListViewSchema,
  webhookSecretViewSchema,
  WEBHOOKS_PAGE_MAX,
} from './checkout-contract.ts';
import { checkoutApiError, paymentSummary, type CheckoutError, type CheckoutService, type CheckoutSessionDetail } from './checkout-service.ts';
import type { WebhookDelivery } from './checkout-store.ts';
import type { AcquirerService } from './service.ts';
import type { Principal, Terminal } from './types.ts';

const krw = (value: bigint) => ({ currency: 'KRW', value: value.toString() });

export function checkoutSessionView({ session, status, payment, cashierUrl }: CheckoutSessionDetail) {
  return {
    sessionId: session.sessionId,
    orderId: session.merchantOrderId,
    merchantId: session.merchantId,
    amount: krw(session.amountKrw),
    status,
    cashierUrl,
    returnUrl: session.returnUrl,
    notifyUrl: session.notifyUrl,
    expiresAt: session.expiresAt,
    createdAt: session.createdAt,
    ...(payment === null ? {} : { payment: paymentSummary(payment) }),
  };
}

export function webhookDeliveryView(d: WebhookDelivery) {
  return {
    deliveryId: d.deliveryId,
    sessionId: d.sessionId,
    event: d.event,
    paymentId: d.paymentId,
    state: d.state,
    attempts: d.attempts,
    ...(d.state === 'pending' ? { nextAttemptAt: new Date(d.nextAttemptAtMs).toISOString() } : {}),
    ...(d.lastError === null ? {} : { lastError: d.lastError }),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    ...(d.deliveredAt === null ? {} : { deliveredAt: d.deliveredAt }),
  };
}

export function mountCheckoutRoutes(app: Hono, deps: { readonly service: AcquirerService; readonly checkout: CheckoutService }): void {
  const { checkout } = deps;
  const fail = (c: Context, error: CheckoutError): Response => apiError(c, checkoutApiError(error));
  const principal = async (c: Context): Promise<Result<Principal, CheckoutError>> => deps.service.authenticate(bearerToken(c));
  const terminal = async (c: Context): Promise<Result<Terminal, CheckoutError>> => {
    const who = await principal(c);
    if (!who.ok) return who;
    return who.value.kind === 'terminal' ? { ok: true, value: who.value.terminal } : { ok: false, error: { kind: 'forbidden', message: "a shop's terminal key is needed: the session belongs to its merchant" } };
  };
  const operator = async (c: Context): Promise<Response | null> => {
    const who = await principal(c);
    if (!who.ok) return fail(c, who.error);
    return who.value.kind === 'operator' ? null : fail(c, { kind: 'forbidden', message: "the operator's key is needed" });
  };

  app.post('/acquirer/v1/checkout/sessions', async (c) => {
    const shop = await terminal(c);
    if (!shop.ok) return fail(c, shop.error);
    const body = await parseJsonBody(c, createCheckoutSessionSchema);
    if (!body.ok) return apiError(c, body.error);
    const created = await checkout.createSession(shop.value, body.value);
    if (!created.ok) return fail(c, created.error);
    return c.json(checkoutSessionView(created.value.detail), created.value.created ? 201 : 200);
  });

  app.get('/acquirer/v1/checkout/sessions/:id', async (c) => {
    const who = await principal(c);
    if (!who.ok) return fail(c, who.error);
    const found = await checkout.getSession(who.value, c.req.param('id'));
    return found.ok ? c.json(checkoutSessionView(found.value)) : fail(c, found.error);
  });

  app.post('/acquirer/v1/checkout/webhook-secret', async (c) => {
    const shop = await terminal(c);
    if (!shop.ok) return fail(c, shop.error);
    return c.json(await checkout.rotateWebhookSecret(shop.value), 201);
  });

  app.get('/acquirer/v1/webhooks', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const query = parseValue(listWebhooksQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    const limit = query.value.limit ?? WEBHOOKS_PAGE_MAX;
    const listed = await checkout.listWebhooks({ state: query.value.state ?? 'failed', ...(query.value.after === undefined ? {} : { afterId: query.value.after }), limit });
    return c.json({ webhooks: listed.map(webhookDeliveryView), nextAfter: listed.length === limit ? (listed.at(-1)?.deliveryId ?? null) : null });
  });

  app.get('/acquirer/v1/webhooks/:id', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const found = await checkout.getWebhook(c.req.param('id'));
    return found.ok ? c.json(webhookDeliveryView(found.value)) : fail(c, found.error);
  });

  app.post('/acquirer/v1/webhooks/:id/resend', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const sent = await checkout.resendWebhook(c.req.param('id'));
    return sent.ok ? c.json(webhookDeliveryView(sent.value)) : fail(c, sent.error);
  });
}

const E = (status: number, code: string) => ({ status, code });
const AUTH = [E(401, 'UNAUTHENTICATED'), E(403, 'FORBIDDEN')];
const TAG = 'acquirer (online checkout)';

export const CHECKOUT_ROUTE_DOCS: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/acquirer/v1/checkout/sessions',
    summary: "A shop creates a checkout session (201; 200 with the same session when its orderId was seen): send the buyer to cashierUrl, the wallet's hosted cashier",
    tag: TAG,
    security: 'terminalKey',
    request: createCheckoutSessionSchema,
    response: checkoutSessionViewSchema,
    errors: [
      ...AUTH,
      E(400, 'INVALID_REQUEST'),
      E(400, 'INVALID_AMOUNT'),
      E(409, 'IDEMPOTENCY_KEY_REUSED'),
      E(409, 'MERCHANT_NOT_APPROVED'),
      E(409, 'WEBHOOK_SECRET_NOT_SET'),
      E(422, 'CURRENCY_NOT_SUPPORTED'),
      E(422, 'AMOUNT_EXCEEDS_LIMIT'),
      E(503, 'CHECKOUT_NOT_AVAILABLE'),
    ],
  },
  { method: 'get', path: '/acquirer/v1/checkout/sessions/{id}', summary: 'A checkout session with its status and payment: what a shop trusts, not the return URL', tag: TAG, security: 'operatorOrTerminalKey', response: checkoutSessionViewSchema, errors: [...AUTH, E(404, 'NOT_FOUND')] },
  {
    method: 'post',
    path: '/acquirer/v1/checkout/webhook-secret',
    summary: "A new HMAC-SHA256 key for the shop's webhooks (Dari-Signature: t=<unix seconds>,v1=<hex of HMAC over \"<t>.<body>\">), replacing any earlier one; shown once",
    tag: TAG,
    security: 'terminalKey',
    response: webhookSecretViewSchema,
    errors: AUTH,
  },
  { method: 'get', path: '/acquirer/v1/webhooks', summary: 'Webhook deliveries in one state, failed (undeliverable) by default (?state&after&limit)', tag: TAG, security: 'operatorKey', response: webhookListViewSchema, errors: [...AUTH, E(400, 'INVALID_REQUEST')] },
  { method: 'get', path: '/acquirer/v1/webhooks/{id}', summary: 'One webhook delivery with its attempts so far', tag: TAG, security: 'operatorKey', response: webhookDeliveryViewSchema, errors: [...AUTH, E(404, 'NOT_FOUND')] },
  {
    method: 'post',
    path: '/acquirer/v1/webhooks/{id}/resend',
    summary: 'Send a failed (or delivered) webhook again: back in the queue with a fresh count of attempts, the first made now',
    tag: TAG,
    security: 'operatorKey',
    response: webhookDeliveryViewSchema,
    errors: [...AUTH, E(404, 'NOT_FOUND'), E(409, 'WEBHOOK_NOT_RESENDABLE')],
  },
];
