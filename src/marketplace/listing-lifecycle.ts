/**
 * A listing's lifecycle as data (issue 7, STYLE 17): which event moves a
 * listing from which status to which. Pure; the store will refuse any other
 * move by naming the status it moves from, as the acquirer's do.
 *
 *   in-review → listed | rejected      by the automated review
 *   listed    → in-review              on a material change (so is rejected: the seller fixed it)
 *   listed   ↔  delisted               by the seller, or while the seller is suspended
 *   rejected  → delisted               when the seller is suspended: all its products are off
 *   delisted  → in-review              relisted when its current version has not passed a review
 *                                      (it changed while delisted, or was delisted during its review)
 *
 * Price and stock changes that do not cross a limit are deltas: they change
 * the listing's data, never its status (`listing-changes.ts` tells them apart).
 */
import { err, ok, type Result } from '../platform/result.ts';

export const LISTING_STATUSES = ['in-review', 'listed', 'rejected', 'delisted'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

export const LISTING_EVENTS = [
  /** The automated review found no reason. */
  'review-passed',
  /** The automated review found at least one reason. */
  'review-failed',
  /** Something the review looked at changed (`classifyProductChange` → material). */
  'material-change',
  /** Only a delta changed (price or stock within limits): data, not status. */
  'delta-change',
  /** Taken off the storefront: by the seller, or because the seller is suspended. */
  'delisted',
  /** Put back by the seller (or on the seller's reinstatement); its current version passed the review. */
  'relisted',
  /** Put back, but its current version has not passed a review (changed while off, or taken off mid-review): reviewed first. */
  'relisted-unreviewed',
] as const;
export type ListingEvent = (typeof LISTING_EVENTS)[number];

export interface ListingTransition {
  readonly from: ListingStatus;
  readonly event: ListingEvent;
  readonly to: ListingStatus;
}

/**
 * Every move a listing can make; anything else is refused. A delta changes
 * no status, in any status. A material change while delisted stays delisted
 * (nothing is shown); the next relisting is then a review (`relistEvent`).
 */
export const LISTING_TRANSITIONS: readonly ListingTransition[] = [
  { from: 'in-review', event: 'review-passed', to: 'listed' },
  { from: 'in-review', event: 'review-failed', to: 'rejected' },
  // A newer version arrived before the review of the older one finished: review the newer one.
  { from: 'in-review', event: 'material-change', to: 'in-review' },
  { from: 'listed', event: 'material-change', to: 'in-review' },
  // The seller fixed what the review found.
  { from: 'rejected', event: 'material-change', to: 'in-review' },
  { from: 'delisted', event: 'material-change', to: 'delisted' },
  { from: 'listed', event: 'delisted', to: 'delisted' },
  { from: 'in-review', event: 'delisted', to: 'delisted' },
  // A suspended seller has all its products off, whatever the review said; reinstated, each is
  // relisted by its review, so where a listing ends does not depend on when the suspension came.
  { from: 'rejected', event: 'delisted', to: 'delisted' },
  { from: 'delisted', event: 'relisted', to: 'listed' },
  { from: 'delisted', event: 'relisted-unreviewed', to: 'in-review' },
  ...LISTING_STATUSES.map((status) => ({ from: status, event: 'delta-change' as const, to: status })),
];

const NEXT: ReadonlyMap<string, ListingStatus> = new Map(LISTING_TRANSITIONS.map((t) => [`${t.from} ${t.event}`, t.to]));

export type ListingTransitionError = { readonly kind: 'invalid-listing-transition'; readonly from: ListingStatus; readonly event: ListingEvent };

/** The status `event` moves a listing in `from` to, or why it cannot. */
export function nextListingStatus(from: ListingStatus, event: ListingEvent): Result<ListingStatus, ListingTransitionError> {
  const to = NEXT.get(`${from} ${event}`);
  return to === undefined ? err({ kind: 'invalid-listing-transition', from, event }) : ok(to);
}

/**
 * The event that puts a delisted listing back: straight to listed when the
 * version it holds passed the review, else through review. Deciding by the
 * review of the current version (not by what happened while delisted) covers
 * a listing taken off in the middle of its review too.
 */
export function relistEvent(currentVersionPassedReview: boolean): ListingEvent {
  return currentVersionPassedReview ? 'relisted' : 'relisted-unreviewed';
}

/** The event a finished review makes. */
export function reviewEvent(outcome: 'listed' | 'rejected'): ListingEvent {
  return outcome === 'listed' ? 'review-passed' : 'review-failed';
}

/** Whether shoppers see a listing in this status. */
export function isShown(status: ListingStatus): boolean {
  return status === 'listed';
}
