/**
 * A listing: the marketplace's copy of one mall product, where it stands, and
 * why (issue 7). `nextListing` is the one rule that moves it when a new
 * version of the product arrives from the feed. Pure: the syndication reads
 * the listings a page touches, asks this what to write, and writes it in the
 * transaction that moves its cursor.
 *
 * What it keeps true, whatever order and however often versions arrive:
 * - an arrival at or below the version held is ignored (a duplicate, or an
 *   old page read again): an old version never overwrites a newer one;
 * - the decision is always the review of the current version's content: a
 *   product is reviewed on arrival and on every material change
 *   (`listing-changes.ts`), whatever its status, and a delta or another
 *   change keeps the decision, which it cannot change;
 * - the status is `delisted` while the seller is suspended, and the review's
 *   outcome otherwise, reached through the lifecycle's moves
 *   (`listing-lifecycle.ts`), each checked.
 * So the listing a product ends with depends only on its latest version and
 * its seller's standing, not on which versions in between were seen: the
 * feed's compaction, lost pages and restarts all converge (the property test
 * in `syndication.property.test.ts`). The review runs in the pass that applies
 * the change, so `in-review` is a listing's status only inside that pass.
 */
import type { FeedProduct, ListingReport } from '../protocol/index.ts';
import { classifyProductChange, listingEventOf } from './listing-changes.ts';
import { nextListingStatus, relistEvent, reviewEvent, type ListingEvent, type ListingStatus } from './listing-lifecycle.ts';
import { reasonMessage, reviewProduct, type ReviewDecision, type ReviewReasonCode, type ReviewSettings } from './review-rules.ts';
import { LANGUAGES, type Messages, type ProductSnapshot } from './types.ts';

/** One version of a mall product as the feed brings it, in the marketplace's words. */
export interface IncomingProduct {
  readonly productId: string;
  readonly sellerId: string;
  readonly sku: string;
  /** The mall's version: 1, then one more per change (of content or of the seller's standing). */
  readonly version: number;
  readonly snapshot: ProductSnapshot;
  readonly sellerSuspended: boolean;
}

/** The statuses a listing is stored in: `in-review` lasts only as long as the pass that reviews it. */
export type StoredListingStatus = Exclude<ListingStatus, 'in-review'>;

export interface Listing extends IncomingProduct {
  readonly status: StoredListingStatus;
  /** The review of the current version's content (ADR 17: kept current whatever the status). */
  readonly decision: ReviewDecision;
  /** The version whose content the decision read; later versions changed nothing it reads. */
  readonly reviewedVersion: number;
  readonly reviewedAt: string;
  /** One more at every change of the status or its reasons: what the mall is told, in order (ADR 17). */
  readonly revision: number;
  /** The product's version when the revision last changed. */
  readonly revisionVersion: number;
  /** When the status or its reasons last changed. */
  readonly statusChangedAt: string;
  /** The highest revision the mall has acknowledged; below `revision`, a report is owed. */
  readonly reportedRevision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Why a listing is delisted rather than where its review put it. */
export const LISTING_REASON_CODES = ['SELLER_SUSPENDED'] as const;
export type ListingReasonCode = (typeof LISTING_REASON_CODES)[number];
/** Every reason a listing can be given: the review's, and the lifecycle's. */
export type ListingReasonCodeAny = ReviewReasonCode | ListingReasonCode;

const LISTING_REASON_MESSAGES: Readonly<Record<ListingReasonCode, Messages>> = {
  SELLER_SUSPENDED: {
    ko: '판매자 계정이 몰 운영자에 의해 정지되어 상품이 판매 중지되었습니다. 정지가 해제되면 다시 심사 후 게시됩니다.',
    zh: '卖家账户已被商城运营方暂停，商品已下架。恢复后将重新审核并上架。',
    en: "The seller's account is suspended by the mall's operator, so the product is off sale. It is reviewed and listed again once the seller is reinstated.",
  },
};

/** A reason's message in every language. */
export function listingReasonMessages(code: ListingReasonCodeAny): Messages {
  if (code === 'SELLER_SUSPENDED') return LISTING_REASON_MESSAGES[code];
  return Object.fromEntries(LANGUAGES.map((language) => [language, reasonMessage(code, language)])) as unknown as Messages;
}

/** Why a listing is where it is: none when listed, the review's reasons when rejected, the seller's suspension when delisted. */
export function listingReasons(listing: Pick<Listing, 'status' | 'decision'>): readonly ListingReasonCodeAny[] {
  switch (listing.status) {
    case 'listed':
      return [];
    case 'rejected':
      return listing.decision.reasons;
    case 'delisted':
      return ['SELLER_SUSPENDED'];
  }
}

/** The feed's product in the marketplace's words (price as bigint KRW). */
export function incomingOf(product: FeedProduct): IncomingProduct {
  if (product.price.currency !== 'KRW') throw new Error(`assertion failed: the mall prices in KRW, got ${product.price.currency}`);
  return {
    productId: product.productId,
    sellerId: product.sellerId,
    sku: product.sku,
    version: product.version,
    sellerSuspended: product.sellerSuspended,
    snapshot: {
      title: localized(product.title),
      description: product.description === undefined ? null : localized(product.description),
      category: product.category,
      hsCode: product.hsCode,
      priceKrw: BigInt(product.price.value),
      stock: product.stock,
      weightGrams: product.weightGrams,
      originCountry: product.originCountry,
      images: product.images,
      certifications: product.certifications,
    },
  };
}

/** The text with exactly the languages it holds (built up, not spread: this runs per product of every page). */
export function localized(text: { readonly ko: string; readonly zh?: string | null | undefined; readonly en?: string | null | undefined }): ProductSnapshot['title'] {
  const out: { ko: string; zh?: string; en?: string } = { ko: text.ko };
  if (text.zh !== undefined && text.zh !== null) out.zh = text.zh;
  if (text.en !== undefined && text.en !== null) out.en = text.en;
  return out;
}

function step(from: ListingStatus, event: ListingEvent): ListingStatus {
  const moved = nextListingStatus(from, event);
  if (!moved.ok) throw new Error(`assertion failed: a listing moves from ${from} on ${event}`);
  return moved.value;
}

function stored(status: ListingStatus): StoredListingStatus {
  if (status === 'in-review') throw new Error('assertion failed: a listing leaves review within the pass that reviews it');
  return status;
}

/**
 * The listing after `incoming` arrives over `existing` (null: its first
 * arrival), or null when it is not newer than what is held. `at` is when.
 */
export function nextListing(existing: Listing | null, incoming: IncomingProduct, settings: ReviewSettings, at: string): Listing | null {
  if (existing !== null && incoming.version <= existing.version) return null;
  // No closures in here: this runs once per product of every page, and a closure per call costs more than the review.
  let review: Review | null = null;
  let status: ListingStatus;
  if (existing === null) {
    review = reviewOf(incoming, settings, at);
    status = step('in-review', reviewEvent(review.decision.outcome));
  } else {
    status = existing.status;
    const event = listingEventOf(classifyProductChange(existing.snapshot, incoming.snapshot, settings));
    if (event === 'material-change') {
      status = step(status, event);
      // Reviewed even while delisted, so that the decision always reads the current content.
      review = reviewOf(incoming, settings, at);
      if (status === 'in-review') status = step(status, reviewEvent(review.decision.outcome));
    } else if (event !== null) {
      status = step(status, event);
    }
  }
  const decision = review?.decision ?? existing!.decision;
  if (incoming.sellerSuspended && status !== 'delisted') {
    status = step(status, 'delisted');
  } else if (!incoming.sellerSuspended && status === 'delisted') {
    status = step(status, relistEvent(decision.outcome === 'listed'));
    if (status === 'in-review') {
      review = reviewOf(incoming, settings, at);
      status = step(status, reviewEvent(review.decision.outcome));
    }
  }

  const next = { status: stored(status), decision: review?.decision ?? decision };
  const changed = existing === null || existing.status !== next.status || !sameCodes(listingReasons(existing), listingReasons(next));
  // Written out field by field: spreading an object and adding fields is a slow path of V8 in Node 20 (about 10 µs a listing).
  return {
    productId: incoming.productId,
    sellerId: incoming.sellerId,
    sku: incoming.sku,
    version: incoming.version,
    snapshot: incoming.snapshot,
    sellerSuspended: incoming.sellerSuspended,
    status: next.status,
    decision: next.decision,
    reviewedVersion: review?.version ?? existing!.reviewedVersion,
    reviewedAt: review?.at ?? existing!.reviewedAt,
    revision: existing === null ? 1 : existing.revision + (changed ? 1 : 0),
    revisionVersion: changed ? incoming.version : existing!.revisionVersion,
    statusChangedAt: changed ? at : existing!.statusChangedAt,
    reportedRevision: existing?.reportedRevision ?? 0,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
}

interface Review {
  readonly decision: ReviewDecision;
  readonly version: number;
  readonly at: string;
}

function reviewOf(incoming: IncomingProduct, settings: ReviewSettings, at: string): Review {
  return { decision: reviewProduct(incoming.snapshot, settings), version: incoming.version, at };
}

function sameCodes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((code, i) => code === b[i]);
}

/** What the mall is told about a listing (ADR 17). */
export function listingReport(listing: Listing): ListingReport {
  return {
    productId: listing.productId,
    revision: listing.revision,
    productVersion: listing.revisionVersion,
    status: listing.status,
    reasons: listingReasons(listing).map((code) => ({ code, message: listingReasonMessages(code) })),
    decidedAt: listing.statusChangedAt,
  };
}
