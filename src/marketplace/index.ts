/**
 * The cross-border marketplace (Tmall Global-like): listings of the mall's
 * products after an automated review, kept in sync with the mall's feed and
 * reported back to it (issue 7, ADR 15, ADR 17); the storefront and orders
 * come next. An institution like the others: its own database, its own API,
 * signed HTTP to the mall. See README.md.
 */
import { Hono } from 'hono';
import { BATCHING_DEFAULT, type Batching } from '../platform/batching.ts';
import { openInstitutionStorage, type InstitutionEngine } from '../platform/db/institution.ts';
import type { RouteDoc } from '../platform/http/contract.ts';
import type { KeyDirectory } from '../platform/signing/index.ts';
import { createCatalogueFeedClient, createListingReportsClient, type FetchFunction, type SigningIdentity } from '../protocol/index.ts';
import type { ReviewSettingsSource } from './review-rules.ts';
import { MARKETPLACE_ROUTE_DOCS, mountMarketplaceRoutes } from './routes.ts';
import { createSqliteMarketplaceStore, type MarketplaceStore } from './store.ts';
import { createPostgresMarketplaceStore } from './store-postgres.ts';
import { createSyndication, startSyndicationLoop, type SyncError, type ReportError, type Syndication, type SyndicationLoop } from './syndication.ts';

export interface MarketplaceOptions {
  /** On SQLite, holds `marketplace.db`; unused on PostgreSQL. */
  readonly dataDir: string;
  /** SQLite in `dataDir` unless told otherwise (ADR 3). */
  readonly database?: InstitutionEngine;
  /** Group-committed store calls (`batched`, the default) or one transaction per call (ADR 10). */
  readonly batching?: Batching;
  /** The marketplace's own signing identity: it signs its feed reads and its reports. */
  readonly identity: SigningIdentity;
  /** Public keys of the peers; must hold the mall's. */
  readonly keys: KeyDirectory;
  /** The mall whose catalogue it lists. */
  readonly mall: { readonly peerId: string; readonly baseUrl: string | (() => string) };
  /** The marketplace operator's bearer key. */
  readonly operatorKey: string;
  /** The review's settings at the time of a pass: the network's KRW → CNY rate and the order limit; null until a rate is published. The storefront prices with its rate too. */
  readonly reviewSettings: ReviewSettingsSource;
  readonly now?: () => Date;
  /** How it reaches the mall (tests inject faults here). */
  readonly fetch?: FetchFunction;
  readonly peerTimeoutMs?: number;
  /** The background loop's interval between passes that caught up, in ms; null: no loop (tests call `syndication`). */
  readonly syncIntervalMs?: number | null;
  /** Changes asked for per feed page. */
  readonly pageItems?: number;
  readonly onSyncError?: (error: SyncError | ReportError) => void;
}

export interface MarketplaceInstance {
  /** Routes with full paths (`/marketplace/v1/…`); mount with `root.route('/', app)`. */
  readonly app: Hono;
  readonly routeDocs: readonly RouteDoc[];
  readonly store: MarketplaceStore;
  /** One sync pass, one report pass: what the loop runs on its timer. */
  readonly syndication: Syndication;
  /** Stops the loop (after its pass under way), then closes the database. */
  close(): Promise<void>;
}

export async function createMarketplace(options: MarketplaceOptions): Promise<MarketplaceInstance> {
  const now = options.now ?? (() => new Date());
  const storage = await openInstitutionStorage({
    database: options.database ?? { engine: 'sqlite' },
    dataDir: options.dataDir,
    fileName: 'marketplace.db',
    batching: options.batching ?? BATCHING_DEFAULT,
    sqlite: (d) => ({ store: d.committed(createSqliteMarketplaceStore(d.db)) }),
    postgres: async (pool) => ({ store: await createPostgresMarketplaceStore(pool) }),
  });
  const { store } = storage.tables;
  const peer = {
    self: options.identity,
    mallId: options.mall.peerId,
    baseUrl: options.mall.baseUrl,
    keys: options.keys,
    now,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.peerTimeoutMs === undefined ? {} : { timeoutMs: options.peerTimeoutMs }),
  };
  const syndication = createSyndication({
    store,
    mallId: options.mall.peerId,
    readFeed: createCatalogueFeedClient(peer),
    sendReports: createListingReportsClient(peer),
    reviewSettings: options.reviewSettings,
    now,
    ...(options.pageItems === undefined ? {} : { pageItems: options.pageItems }),
  });
  const app = new Hono();
  mountMarketplaceRoutes(app, { store, syndication, operatorKey: options.operatorKey, reviewSettings: options.reviewSettings });
  const intervalMs = options.syncIntervalMs;
  const loop: SyndicationLoop | null =
    intervalMs === null ? null : startSyndicationLoop(syndication, { ...(intervalMs === undefined ? {} : { intervalMs }), ...(options.onSyncError ? { onError: options.onSyncError } : {}) });
  return {
    app,
    routeDocs: MARKETPLACE_ROUTE_DOCS,
    store,
    syndication,
    async close() {
      await loop?.stop();
      await storage.close();
    },
  };
}

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
  type ReviewSettingsSource,
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
export { listingReasonMessages, listingReasons, listingReport, nextListing, incomingOf, LISTING_REASON_CODES, type IncomingProduct, type Listing, type ListingReasonCode, type StoredListingStatus } from './listing.ts';
export { LISTINGS_PAGE_MAX, listingView } from './routes.ts';
export {
  STOREFRONT_CATEGORY_CHARS_MAX,
  STOREFRONT_LANGUAGE_DEFAULT,
  STOREFRONT_PRODUCTS_PER_PAGE_DEFAULT,
  STOREFRONT_PRODUCTS_PER_PAGE_MAX,
  STOREFRONT_QUERY_CHARS_MAX,
  foldAsciiCase,
  inLanguage,
  storefrontProduct,
  type StorefrontFilter,
  type StorefrontProduct,
} from './storefront.ts';
export type { MarketplaceStore } from './store.ts';
export {
  REPORT_MESSAGES_PER_PASS_MAX,
  SYNC_INTERVAL_MS_DEFAULT,
  SYNC_PAGES_PER_PASS_MAX,
  SYNC_RETRY_DELAY_MS_BASE,
  SYNC_RETRY_DELAY_MS_MAX,
  createSyndication,
  planPage,
  startSyndicationLoop,
  syncRetryDelayMs,
  type ReportError,
  type ReportPass,
  type SyncError,
  type SyncPass,
  type Syndication,
  type SyndicationLoop,
} from './syndication.ts';
