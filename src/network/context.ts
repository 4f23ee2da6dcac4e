/**
 * What the network's flows share: storage, ledger, participants, the peer
 * clients, the clock, the timing limits, and the bookkeeping of work under
 * way in this process.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Ledger, NewTransfer } from '../ledger/index.ts';
import type { PeerClient } from '../protocol/index.ts';
import type { KeyedLock } from '../platform/keyed-lock.ts';
import type { ParticipantRegistry } from './participants.ts';
import type { NetworkStore } from './store.ts';
import type { NetworkPaymentId, NetworkRefundId } from './types.ts';

/** How long a payment may stay unknown at the wallet before the network cancels it, by default. */
export const PAYMENT_DEADLINE_MS_DEFAULT = 10_000;
/** First pause between two inquiries of an unknown payment; it doubles up to `INQUIRY_INTERVAL_MS_MAX`. */
export const INQUIRY_INTERVAL_MS_MIN = 50;
export const INQUIRY_INTERVAL_MS_MAX = 1_000;
/** Inquiries of one payment within one pay call, whatever the clock says (a frozen test clock must not loop forever). */
export const INQUIRY_ATTEMPTS_MAX = 40;
/** Cancellations sent to the wallet in one go before the payment is left to `resolveOpen`. */
export const CANCEL_ATTEMPTS_MAX = 3;
/** Pause between two cancellation attempts. */
export const CANCEL_RETRY_INTERVAL_MS = 50;
/** Payments, refunds or notifications one `resolveOpen` pass takes up, each. */
export const RESOLVE_BATCH_MAX = 200;

export interface NetworkContext {
  readonly store: NetworkStore;
  readonly ledger: Ledger;
  readonly participants: ParticipantRegistry;
  /** The signed client towards a registered participant. */
  peer(participantId: string): PeerClient;
  readonly now: () => Date;
  readonly peerTimeoutMs: number;
  readonly paymentDeadlineMs: number;
  readonly locks: KeyedLock;
  /** Payment and refund ids a call in this process is driving right now; `resolveOpen` leaves them alone. */
  readonly busy: Set<string>;
}

export function newPaymentId(): NetworkPaymentId {
  return `NP${randomBytes(12).toString('hex')}` as NetworkPaymentId;
}

export function newRefundId(): NetworkRefundId {
  return `NR${randomBytes(12).toString('hex')}` as NetworkRefundId;
}

/** SHA-256 of a request's fields in a fixed order: two requests with one id are the same request exactly when their hashes are. */
export function requestHash(fields: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Records linked transfers; `ok` and `exists` are both success (a retry re-submits the same ids). */
export async function postTransfers(ledger: Ledger, transfers: readonly NewTransfer[]): Promise<void> {
  if (transfers.length === 0) return;
  const outcomes = await ledger.createTransfers(transfers);
  for (const o of outcomes) {
    // The accounts exist (created at registration) and no position account has a limit: any refusal is a bug.
    if (o.result !== 'ok' && o.result !== 'exists') throw new Error(`assertion failed: transfer ${o.id} recorded, got ${o.result}`);
  }
}

export function paymentLockKey(paymentId: string): string {
  return `payment:${paymentId}`;
}

export function requestLockKey(kind: 'pay' | 'refund' | 'user', senderId: string, requestId: string): string {
  return `${kind}:${senderId}:${requestId}`;
}
