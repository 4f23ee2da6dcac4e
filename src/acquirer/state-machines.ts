/**
 * The acquirer's lifecycles as data (STYLE 17): each maps a state to the
 * states it may move to. The store refuses any other move (every status
 * UPDATE names the state it moves from), and a test walks each table.
 */
import type { OnboardingStatus, PaymentStatus, RefundStatus } from './types.ts';

/** A merchant is reviewed once: approved or rejected, never back. */
export const ONBOARDING_TRANSITIONS: Readonly<Record<OnboardingStatus, readonly OnboardingStatus[]>> = {
  pending: ['approved', 'rejected'],
  approved: [],
  rejected: [],
};

/**
 * A payment is PROCESSING from its creation until the network's word:
 * SUCCESS, FAIL (refused), or CANCELLED (its outcome stayed unknown past the
 * deadline and the cancel was answered). A successful payment without
 * refunds may still be cancelled (the same day, at the till).
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  PROCESSING: ['SUCCESS', 'FAIL', 'CANCELLED'],
  SUCCESS: ['CANCELLED'],
  FAIL: [],
  CANCELLED: [],
};

/** A refund is retried until answered, never cancelled. */
export const REFUND_TRANSITIONS: Readonly<Record<RefundStatus, readonly RefundStatus[]>> = {
  PROCESSING: ['SUCCESS', 'FAIL'],
  SUCCESS: [],
  FAIL: [],
};

/** Statuses after which a POS's live view ends. */
export const PAYMENT_VIEW_FINAL: ReadonlySet<PaymentStatus> = new Set(['SUCCESS', 'FAIL', 'CANCELLED']);

export function canMove<S extends string>(table: Readonly<Record<S, readonly S[]>>, from: S, to: S): boolean {
  return table[from].includes(to);
}
