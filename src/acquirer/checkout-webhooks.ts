/**
 * Sending a shop its checkout webhooks (ADR 13): the outbox rows of
 * `checkout-store.ts` are claimed, POSTed with a fresh HMAC signature
 * (`protocol/webhook-signature.ts`), and either marked delivered (any 2xx) or
 * given their next attempt after an exponential backoff, until
 * `WEBHOOK_ATTEMPTS_MAX` attempts have been refused: then the delivery is
 * failed, listed to the operator, who may send it again.
 */
import { createHash } from 'node:crypto';
import { signWebhook, WEBHOOK_EVENT_HEADER, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, type FetchFunction } from '../protocol/index.ts';
import type { AttemptOutcome, CheckoutStore, ClaimedDelivery, CheckoutSessionId, WebhookEvent } from './checkout-store.ts';
import type { PaymentId } from './types.ts';

/** Attempts of one delivery before it is failed (the first included). */
export const WEBHOOK_ATTEMPTS_MAX = 8;
/** Wait after the first refused attempt, in ms; it doubles after each: 30 s, 1, 2, 4, 8, 16, 32 min (about an hour in all). */
export const WEBHOOK_RETRY_BASE_MS = 30_000;
/** Longest wait between two attempts, in ms. */
export const WEBHOOK_RETRY_DELAY_MS_MAX = 3_600_000;
/** How long the shop has to answer one attempt, in ms. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** How long a claim holds a delivery from other workers, in ms: longer than an attempt can take. */
export const WEBHOOK_CLAIM_LEASE_MS = 60_000;
/** Deliveries claimed in one pass. */
export const WEBHOOK_DELIVERIES_PER_PASS_MAX = 100;
/** Deliveries in flight at once, across shops. */
export const WEBHOOK_DELIVERIES_IN_FLIGHT_MAX = 8;

/** The wait before attempt `attempt + 1`, after attempt `attempt` (from 1) was refused. */
export function webhookRetryDelayMs(attempt: number): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new Error(`assertion failed: an attempt is counted from 1, got ${attempt}`);
  // 2^(attempt−1) stays exact well past the cap; the cap keeps it bounded.
  return Math.min(WEBHOOK_RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 30), WEBHOOK_RETRY_DELAY_MS_MAX);
}

/** One id per (session, event, payment): the same outcome is queued once, and every attempt carries the same id. */
export function webhookDeliveryId(sessionId: CheckoutSessionId, event: WebhookEvent, paymentId: PaymentId | null): string {
  return `WH${createHash('sha256').update(`${sessionId}|${event}|${paymentId ?? ''}`).digest('hex').slice(0, 32)}`;
}

export interface WebhookSender {
  /** Claims what is due and attempts each once; answers how many were delivered. Concurrent calls share one pass, and a call during a pass runs another after it. */
  deliverDue(): Promise<number>;
}

export function createWebhookSender(deps: { readonly checkout: CheckoutStore; readonly now: () => Date; readonly fetch: FetchFunction }): WebhookSender {
  const { checkout, now } = deps;
  let running: Promise<number> | null = null;
  let again = false;

  async function attempt(claimed: ClaimedDelivery): Promise<boolean> {
    const { delivery } = claimed;
    const sentAt = now();
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'dari-acquirer-webhooks/1',
      [WEBHOOK_SIGNATURE_HEADER]: signWebhook({ secret: claimed.secret, timestampSeconds: Math.floor(sentAt.getTime() / 1000), body: delivery.body }),
      [WEBHOOK_ID_HEADER]: delivery.deliveryId,
      [WEBHOOK_EVENT_HEADER]: delivery.event,
    };
    let error: string | null;
    try {
      const response = await deps.fetch(claimed.notifyUrl, { method: 'POST', headers, body: delivery.body, redirect: 'manual', signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      // Only the status counts; the body is not read beyond what the connection needs.
      await response.body?.cancel();
      error = response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
    } catch (failure) {
      error = failure instanceof Error && failure.name === 'TimeoutError' ? `no answer within ${WEBHOOK_TIMEOUT_MS} ms` : `unreachable: ${failure instanceof Error ? failure.message : String(failure)}`;
    }
    const at = now();
    const attempts = delivery.attempts + 1;
    const outcome: AttemptOutcome =
      error === null
        ? { kind: 'delivered', at: at.toISOString() }
        : { kind: 'refused', error, at: at.toISOString(), nextAttemptAtMs: attempts >= WEBHOOK_ATTEMPTS_MAX ? null : at.getTime() + webhookRetryDelayMs(attempts) };
    await checkout.recordAttempt(delivery.deliveryId, outcome);
    return error === null;
  }

  async function pass(): Promise<number> {
    const nowMs = now().getTime();
    const claimed = await checkout.claimDueWebhooks(nowMs, nowMs + WEBHOOK_CLAIM_LEASE_MS, WEBHOOK_DELIVERIES_PER_PASS_MAX);
    let delivered = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < claimed.length; i = next++) if (await attempt(claimed[i]!)) delivered++;
    };
    await Promise.all(Array.from({ length: Math.min(WEBHOOK_DELIVERIES_IN_FLIGHT_MAX, claimed.length) }, worker));
    return delivered;
  }

  return {
    deliverDue() {
      if (running !== null) {
        again = true;
        return running;
      }
      running = (async () => {
        let delivered = 0;
        do {
          again = false;
          delivered += await pass();
        } while (again);
        return delivered;
      })().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
