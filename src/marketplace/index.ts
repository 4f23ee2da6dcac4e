/**
 * The cross-border marketplace (Tmall Global-like): listings of the mall's
 * products after an automated review, the storefront, orders. So far its
 * rules as data: the review, the listing lifecycle, and what a new version of
 * a product changes for its listing. See README.md.
 */
export {
  CROSS_BORDER_ORDER_LIMIT_CNY,
  HS_CHAPTER_MAX,
  HS_CHAPTER_MIN,
  HS_CHAPTERS_UNUSED,
  HS_CODE_PATTERN,
  LISTING_PRICE_ROUNDING,
  PROHIBITED_CATEGORIES,
  PROHIBITED_HS_CHAPTERS,
  REVIEW_REASON_CODES,
  REVIEW_RULES,
  REVIEW_RULES_VERSION,
  hsChapterOf,
  isProhibitedCategory,
  isValidHsCode,
  listingPriceCny,
  priceAboveOrderLimit,
  reasonMessage,
  reviewProduct,
  type ReviewDecision,
  type ReviewOutcome,
  type ReviewReasonCode,
  type ReviewRule,
  type ReviewSettings,
} from './review-rules.ts';
export {
  LISTING_EVENTS,
  LISTING_STATUSES,
  LISTING_TRANSITIONS,
  isShown,
  nextListingStatus,
  relistEvent,
  reviewEvent,
  type ListingEvent,
  type ListingStatus,
  type ListingTransition,
  type ListingTransitionError,
} from './listing-lifecycle.ts';
export { PRODUCT_FIELDS, classifyProductChange, listingEventOf, type DeltaField, type ProductChange, type ProductField } from './listing-changes.ts';
export { LANGUAGES, type Language, type LocalizedText, type Messages, type ProductSnapshot, type ReviewInput } from './types.ts';
