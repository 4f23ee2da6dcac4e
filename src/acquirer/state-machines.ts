/**
 * The acquirer's lifecycles as data (STYLE 17): each maps a state to the
 * states it may move to. The store refuses any other move (every status
 * UPDATE names the state it moves from), and a test walks each table.
 */
import type { OnboardingStatus, PaymentStatus, PayoutState, RefundStatus } from './types.ts';

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

/**
 * A payout is scheduled by a payout run, then sent (handed to the bank with
 * the run's file), then confirmed or returned by the bank. A returned payout
 * is never lost: its money is back in the merchant's payable account, and the
 * next run sends it again as a new attempt (returned → scheduled), unless it
 * is held (the operator asked, or automatic retries ran out); the operator
 * releases a held payout back to returned. A payout with nothing to send
 * (the fee took its whole net) goes from scheduled to confirmed at once.
 */
export const PAYOUT_TRANSITIONS: Readonly<Record<PayoutState, readonly PayoutState[]>> = {
  scheduled: ['sent', 'confirmed'],
  sent: ['confirmed', 'returned', 'held'],
  returned: ['scheduled'],
  held: ['returned'],
  confirmed: [],
};

/** Statuses after which a POS's live view ends. */
export const PAYMENT_VIEW_FINAL: ReadonlySet<PaymentStatus> = new Set(['SUCCESS', 'FAIL', 'CANCELLED']);

export function canMove<S extends string>(table: Readonly<Record<S, readonly S[]>>, from: S, to: S): boolean {
  return table[from].includes(to);
}
