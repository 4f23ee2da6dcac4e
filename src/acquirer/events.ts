/**
 * Payment status changes inside this acquirer, for the POS's live view
 * (`GET /acquirer/v1/payments/{id}/events`). In process only: a view that
 * misses an event re-reads the payment, which is the source of truth.
 */
import { EventEmitter } from 'node:events';
import type { Payment } from './types.ts';

/** Live views one payment may have at once (a POS, a console, a test). */
export const PAYMENT_LISTENERS_MAX = 16;

export interface PaymentEvents {
  publish(payment: Payment): void;
  /** Calls `listener` on each change of the payment; returns the unsubscribe function, or null when the payment has PAYMENT_LISTENERS_MAX views already. */
  subscribe(paymentId: string, listener: (payment: Payment) => void): (() => void) | null;
}

export function createPaymentEvents(): PaymentEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish(payment) {
      emitter.emit(payment.paymentId, payment);
    },
    subscribe(paymentId, listener) {
      if (emitter.listenerCount(paymentId) >= PAYMENT_LISTENERS_MAX) return null;
      emitter.on(paymentId, listener);
      return () => emitter.off(paymentId, listener);
    },
  };
}
