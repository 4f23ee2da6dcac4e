/**
 * Online checkout at the acquirer (ADR 13). A shop, authenticated as a
 * terminal of its merchant, creates a checkout session; the session is a
 * dynamic order, a merchant-presented QR with the amount and an order
 * reference, which the buyer's wallet pays through the ordinary
 * user-initiated pay (ADR 8: the one money path; nothing here moves money).
 * The buyer reaches the wallet's cashier page with a ticket the acquirer
 * signs (`protocol/checkout-ticket.ts`). When a payment of the session ends,
 * or the session expires unpaid, the shop is told by a signed webhook, queued
 * in the acquirer's database and retried until delivered or failed
 * (`checkout-webhooks.ts`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { amount, currency } from '../money/index.ts';
import type { ApiError } from '../platform/http/contract.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { signCheckoutTicket, WEBHOOK_SECRET_BYTES, type FetchFunction, type SigningIdentity } from '../protocol/index.ts';
import { encodeMerchantQr } from '../qr/index.ts';
import { CHECKOUT_SESSION_TTL_SECONDS_DEFAULT, type CheckoutSessionStatus, type CreateCheckoutSessionInput } from './checkout-contract.ts';
import type { CheckoutSession, CheckoutSessionId, CheckoutStore, WebhookDelivery, WebhookEvent, WebhookState } from './checkout-store.ts';
import { createWebhookSender, webhookDeliveryId } from './checkout-webhooks.ts';
import { toApiError, type AcquirerError } from './errors.ts';
import { krwAmount, orderStatus, qrMerchantFields } from './service.ts';
import type { AcquirerStore } from './store.ts';
import type { OrderId, Payment, Principal, Terminal } from './types.ts';

/**
 * How long after its expiry a session is declared expired to the shop, in ms:
 * a payment the acquirer accepted just before the expiry (the order is
 * checked when the wallet's request arrives) is recorded by then, so the shop
 * is never told "expired" for a session that is being paid.
 */
export const CHECKOUT_EXPIRY_GRACE_MS = 60_000;
/** Sessions one sweep looks at. */
export const CHECKOUT_SWEEP_SESSIONS_MAX = 100;
/** Payments of one session the sweep reads (a buyer may fail and try again). */
export const CHECKOUT_PAYMENTS_PER_SESSION_MAX = 50;

export type CheckoutError =
  | AcquirerError
  | { readonly kind: 'checkout-not-configured' }
  | { readonly kind: 'webhook-secret-not-set' }
  | { readonly kind: 'webhook-not-resendable'; readonly state: WebhookState };

export function checkoutApiError(error: CheckoutError): ApiError {
  switch (error.kind) {
    case 'checkout-not-configured':
      return { status: 503, code: 'CHECKOUT_NOT_AVAILABLE', message: 'this acquirer has no wallet cashier configured for online checkout' };
    case 'webhook-secret-not-set':
      return { status: 409, code: 'WEBHOOK_SECRET_NOT_SET', message: 'create the webhook secret first: POST /acquirer/v1/checkout/webhook-secret' };
    case 'webhook-not-resendable':
      return { status: 409, code: 'WEBHOOK_NOT_RESENDABLE', message: `the delivery is ${error.state}; only a failed or delivered one is sent again` };
    default:
      return toApiError(error);
  }
}

export interface CheckoutSessionDetail {
  readonly session: CheckoutSession;
  readonly status: CheckoutSessionStatus;
  readonly payment: Payment | null;
  readonly cashierUrl: string;
}

export interface CheckoutServiceDeps {
  readonly store: AcquirerStore;
  readonly checkout: CheckoutStore;
  /** The acquirer's signing identity: it signs the tickets. */
  readonly identity: SigningIdentity;
  /** The wallet provider's cashier page; null when checkout is not offered. */
  readonly cashierUrl: (() => string) | null;
  readonly now: () => Date;
  /** How webhooks reach shops. */
  readonly fetch: FetchFunction;
}

export interface CheckoutService {
  /** Creates the shop's session, or answers the one it created under the same order id (`created` false). */
  createSession(terminal: Terminal, input: CreateCheckoutSessionInput): Promise<Result<{ readonly created: boolean; readonly detail: CheckoutSessionDetail }, CheckoutError>>;
  getSession(principal: Principal, sessionId: string): Promise<Result<CheckoutSessionDetail, CheckoutError>>;
  /** A new webhook secret for the shop's terminal, replacing any earlier one; shown once. */
  rotateWebhookSecret(terminal: Terminal): Promise<{ readonly secret: string; readonly createdAt: string }>;
  listWebhooks(query: { readonly state: WebhookState; readonly afterId?: string; readonly limit: number }): Promise<readonly WebhookDelivery[]>;
  getWebhook(deliveryId: string): Promise<Result<WebhookDelivery, CheckoutError>>;
  /** Puts a failed (or delivered) delivery back in the queue and attempts it once now. */
  resendWebhook(deliveryId: string): Promise<Result<WebhookDelivery, CheckoutError>>;
  /** A payment changed: queue its session's webhook (if it has a session) and send it, in the background. */
  onPayment(payment: Payment): void;
  /** One pass: queue what finished or expired without a webhook, then send what is due. Idempotent. */
  resolveOpen(): Promise<void>;
  deliverDue(): Promise<number>;
  /** Waits for background work to finish. */
  settled(): Promise<void>;
}

const newSessionId = (): CheckoutSessionId => `CS${randomBytes(12).toString('hex')}` as CheckoutSessionId;
const newOrderId = (): OrderId => `O${randomBytes(8).toString('hex')}` as OrderId;
const krw = (value: bigint) => ({ currency: 'KRW', value: value.toString() });

/** The event a payment of a session makes, if any: a cancellation after success was the merchant's own doing, not news. */
function eventOf(payment: Payment): WebhookEvent | null {
  if (payment.status === 'SUCCESS') return 'checkout.paid';
  if (payment.status === 'FAIL' || (payment.status === 'CANCELLED' && payment.paidAt === null)) return 'checkout.payment_failed';
  return null;
}

export function paymentSummary(p: Payment) {
  return {
    paymentId: p.paymentId,
    status: p.status,
    amount: krw(p.amountKrw),
    ...(p.payAmount === null ? {} : { payAmount: p.payAmount }),
    ...(p.paidAt === null ? {} : { paidAt: p.paidAt }),
    ...(p.resultCode === null || p.status === 'SUCCESS' ? {} : { resultCode: p.resultCode }),
  };
}

export function createCheckoutService(deps: CheckoutServiceDeps): CheckoutService {
  const { store, checkout, now } = deps;
  const sender = createWebhookSender({ checkout, now, fetch: deps.fetch });
  const background = new Set<Promise<void>>();

  function cashierLink(session: CheckoutSession, qrPayload: string): string {
    if (deps.cashierUrl === null) throw new Error('assertion failed: a session exists only where checkout is configured');
    const ticket = signCheckoutTicket({ sessionId: session.sessionId, qrPayload, returnUrl: session.returnUrl, expiresAt: session.expiresAt }, deps.identity);
    const url = new URL(deps.cashierUrl());
    url.searchParams.set('ticket', ticket);
    return url.toString();
  }

  async function detailOf(session: CheckoutSession): Promise<CheckoutSessionDetail> {
    const order = await store.getOrder(session.orderId);
    if (order === null) throw new Error(`assertion failed: the order of session ${session.sessionId} exists`);
    const payment = await store.paymentOfOrder(order.orderId);
    return { session, payment, status: orderStatus(order, payment, now().getTime()), cashierUrl: cashierLink(session, order.qrPayload) };
  }

  function webhookBody(session: CheckoutSession, event: WebhookEvent, payment: Payment | null, deliveryId: string, at: string): string {
    const status: CheckoutSessionStatus = event === 'checkout.paid' ? 'PAID' : event === 'checkout.expired' ? 'EXPIRED' : 'OPEN';
    return JSON.stringify({
      id: deliveryId,
      type: event,
      createdAt: at,
      data: {
        sessionId: session.sessionId,
        orderId: session.merchantOrderId,
        merchantId: session.merchantId,
        amount: krw(session.amountKrw),
        status,
        payment: payment === null ? null : paymentSummary(payment),
      },
    });
  }

  async function enqueue(session: CheckoutSession, event: WebhookEvent, payment: Payment | null): Promise<boolean> {
    const at = now();
    const deliveryId = webhookDeliveryId(session.sessionId, event, payment?.paymentId ?? null);
    const closes = event === 'checkout.payment_failed' ? null : event;
    return checkout.enqueueWebhook(
      { deliveryId, sessionId: session.sessionId, event, paymentId: payment?.paymentId ?? null, body: webhookBody(session, event, payment, deliveryId, at.toISOString()), nextAttemptAtMs: at.getTime(), createdAt: at.toISOString() },
      closes,
    );
  }

  function inBackground(work: Promise<unknown>): void {
    const task = work.then(
      () => undefined,
      (error: unknown) => console.error('acquirer: checkout webhook work failed:', error),
    );
    background.add(task);
    void task.finally(() => background.delete(task));
  }

  async function sweep(): Promise<void> {
    const nowMs = now().getTime();
    for (const session of await checkout.sessionsToSweep(nowMs - CHECKOUT_EXPIRY_GRACE_MS, CHECKOUT_SWEEP_SESSIONS_MAX)) {
      const payments = await checkout.paymentsOfOrder(session.orderId, CHECKOUT_PAYMENTS_PER_SESSION_MAX);
      for (const payment of payments) {
        const event = eventOf(payment);
        if (event !== null) await enqueue(session, event, payment);
      }
      const live = payments.some((p) => p.status === 'PROCESSING' || p.status === 'SUCCESS');
      if (!live && session.expiresAtMs + CHECKOUT_EXPIRY_GRACE_MS <= nowMs) await enqueue(session, 'checkout.expired', null);
    }
  }

  return {
    async createSession(terminal, input) {
      if (deps.cashierUrl === null) return err({ kind: 'checkout-not-configured' });
      const merchant = await store.getMerchant(terminal.merchantId);
      if (merchant === null) throw new Error(`assertion failed: the merchant of terminal ${terminal.terminalId} exists`);
      if (merchant.status !== 'approved') return err({ kind: 'merchant-not-approved', status: merchant.status });
      const value = krwAmount(input.amount);
      if (!value.ok) return value;
      if ((await checkout.webhookSecretOf(terminal.terminalId)) === null) return err({ kind: 'webhook-secret-not-set' });
      const ttlSeconds = input.expiresInSeconds ?? CHECKOUT_SESSION_TTL_SECONDS_DEFAULT;
      const hash = createHash('sha256').update(JSON.stringify([input.amount.currency, input.amount.value, input.returnUrl, input.notifyUrl, ttlSeconds])).digest('hex');
      const reused = (): Result<never, CheckoutError> => err({ kind: 'idempotency-key-reused', key: `orderId ${input.orderId}` });
      const createdAt = now();
      const expiresAtMs = createdAt.getTime() + ttlSeconds * 1000;
      const orderId = newOrderId();
      const encoded = encodeMerchantQr({
        initiation: 'dynamic',
        dari: { merchantId: terminal.merchantId, ...(terminal.storeId === null ? {} : { storeId: terminal.storeId }) },
        amount: amount(currency('KRW'), value.value),
        orderReference: orderId,
        ...qrMerchantFields(merchant),
      });
      // The contract admits only what a QR can carry; a refusal here is a bug.
      if (!encoded.ok) throw new Error(`assertion failed: a checkout QR encodes: ${encoded.error.message}`);
      // The order is idempotent on (terminal, `checkout:<orderId>`), a request id no POS can send (':' is not allowed in one), and so is the session: concurrent requests meet on one of each.
      const { order } = await store.insertOrder({
        orderId,
        merchantId: terminal.merchantId,
        storeId: terminal.storeId,
        terminalId: terminal.terminalId,
        paymentRequestId: `checkout:${input.orderId}`,
        amountKrw: value.value,
        qrPayload: encoded.value,
        expiresAt: new Date(expiresAtMs).toISOString(),
        expiresAtMs,
        createdAt: createdAt.toISOString(),
        requestHash: hash,
      });
      if (order.requestHash !== hash) return reused();
      const { created, session } = await checkout.insertSession({
        sessionId: newSessionId(),
        orderId: order.orderId,
        merchantId: order.merchantId,
        terminalId: terminal.terminalId,
        merchantOrderId: input.orderId,
        amountKrw: order.amountKrw,
        returnUrl: input.returnUrl,
        notifyUrl: input.notifyUrl,
        expiresAt: order.expiresAt,
        expiresAtMs: Date.parse(order.expiresAt),
        requestHash: hash,
        closedBy: null,
        createdAt: order.createdAt,
      });
      if (session.requestHash !== hash || session.orderId !== order.orderId) return reused();
      return ok({ created, detail: await detailOf(session) });
    },

    async getSession(principal, sessionId) {
      const session = await checkout.getSession(sessionId);
      // Another merchant's session is not found: its existence is not the terminal's to know.
      if (session === null || (principal.kind === 'terminal' && principal.terminal.merchantId !== session.merchantId)) return err({ kind: 'not-found', what: 'checkout session' });
      return ok(await detailOf(session));
    },

    async rotateWebhookSecret(terminal) {
      const secret = randomBytes(WEBHOOK_SECRET_BYTES);
      const createdAt = now().toISOString();
      await checkout.setWebhookSecret(terminal.terminalId, secret, createdAt);
      return { secret: secret.toString('base64url'), createdAt };
    },

    listWebhooks: (query) => checkout.listWebhooks(query),
    async getWebhook(deliveryId) {
      const delivery = await checkout.getWebhook(deliveryId);
      return delivery === null ? err({ kind: 'not-found', what: 'webhook delivery' }) : ok(delivery);
    },
    async resendWebhook(deliveryId) {
      const current = await checkout.getWebhook(deliveryId);
      if (current === null) return err({ kind: 'not-found', what: 'webhook delivery' });
      const at = now();
      const queued = await checkout.resendWebhook(deliveryId, at.getTime(), at.toISOString());
      if (queued === null) return err({ kind: 'webhook-not-resendable', state: current.state });
      await sender.deliverDue();
      return ok((await checkout.getWebhook(deliveryId)) ?? queued);
    },

    onPayment(payment) {
      const event = eventOf(payment);
      if (payment.orderId === null || event === null) return;
      const orderId = payment.orderId;
      inBackground(
        (async () => {
          const session = await checkout.sessionOfOrder(orderId);
          if (session === null) return;
          if (await enqueue(session, event, payment)) await sender.deliverDue();
        })(),
      );
    },

    async resolveOpen() {
      await sweep();
      await sender.deliverDue();
    },
    deliverDue: () => sender.deliverDue(),
    async settled() {
      while (background.size > 0) await Promise.all([...background]);
    },
  };
}
