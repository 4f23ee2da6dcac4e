/**
 * Syndication, the marketplace's side (issue 7, ADR 15, ADR 17): it reads the
 * mall's feed from its cursor, reviews and lists what changed, and tells the
 * mall where each listing stands.
 *
 * - A sync pass reads pages after the stored cursor until the feed says
 *   nothing more follows (at most `SYNC_PAGES_PER_PASS_MAX`). Each page's
 *   listings and the cursor after it are written in one transaction
 *   (`applyFeedPage`), the listings planned by `nextListing` over what the
 *   store holds: a version at or below the one held is ignored, so a page
 *   delivered twice, an old page read again, or a restart from the last
 *   committed cursor changes nothing twice. A page that fails to arrive ends
 *   the pass; the next one reads it again from the same cursor.
 * - A report pass sends the mall every listing whose latest revision it has
 *   not acknowledged (`protocol/listing-report.ts`), and marks what the mall
 *   answered for.
 * - `startSyndicationLoop` runs both on a timer: the next pass
 *   `intervalMs` after one that caught up, at once after one that stopped at
 *   its page limit, and after a failure with a delay that doubles up to
 *   `SYNC_RETRY_DELAY_MS_MAX`.
 */
import { CATALOGUE_FEED_ITEMS_MAX, listingReportsThatFit, type CatalogueFeedError, type CatalogueFeedPage, type ListingReportsAnswer, type ListingReportsError, type ListingReportsRequest } from '../protocol/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { incomingOf, listingReport, nextListing, type IncomingProduct, type Listing } from './listing.ts';
import type { ReviewSettings, ReviewSettingsSource } from './review-rules.ts';
import type { MarketplaceStore } from './store.ts';

/** Pages one sync pass reads at most before it lets the loop run the report pass. */
export const SYNC_PAGES_PER_PASS_MAX = 1_000;
/** Wait between two passes that found nothing more, in ms. */
export const SYNC_INTERVAL_MS_DEFAULT = 1_000;
/** Bounds of the interval a deployment may set, in ms. */
export const SYNC_INTERVAL_MS_MIN = 10;
export const SYNC_INTERVAL_MS_MAX = 600_000;
/** Wait after the first failed pass, in ms; it doubles after each further one. */
export const SYNC_RETRY_DELAY_MS_BASE = 1_000;
/** Longest wait after failures, in ms. */
export const SYNC_RETRY_DELAY_MS_MAX = 60_000;
/** Listings read for one report message; the message takes as many as fit (`listingReportsThatFit`). */
export const REPORT_CANDIDATES_PER_MESSAGE_MAX = 200;
/** Report messages one report pass sends at most. */
export const REPORT_MESSAGES_PER_PASS_MAX = 100;

export type ReadFeedPage = (page: { readonly after: string; readonly limit: number }) => Promise<Result<CatalogueFeedPage, CatalogueFeedError>>;
export type SendListingReports = (request: ListingReportsRequest) => Promise<Result<ListingReportsAnswer, ListingReportsError>>;

export interface SyncPass {
  readonly pages: number;
  /** Changes the pages carried. */
  readonly changes: number;
  /** Listings written (new, or a newer version). */
  readonly written: number;
  /** The cursor the pass ended at. */
  readonly cursor: bigint;
  /** True when the feed said nothing more follows; false when the pass stopped at its page limit. */
  readonly caughtUp: boolean;
}

export type SyncError =
  /** No rate to review with yet (the network has published none): the feed is not read. */
  | { readonly kind: 'rate-unavailable'; readonly detail: string; readonly progress: SyncPass }
  | { readonly kind: 'feed-unavailable'; readonly detail: string; readonly progress: SyncPass }
  | { readonly kind: 'feed-invalid'; readonly detail: string; readonly progress: SyncPass };

export interface ReportPass {
  readonly messages: number;
  readonly reports: number;
  /** True when nothing more is owed to the mall. */
  readonly caughtUp: boolean;
}

export type ReportError = { readonly kind: 'mall-unavailable'; readonly detail: string; readonly progress: ReportPass };

export interface SyndicationDeps {
  readonly store: MarketplaceStore;
  /** The mall's participant id: the cursor is kept per mall. */
  readonly mallId: string;
  readonly readFeed: ReadFeedPage;
  readonly sendReports: SendListingReports;
  /** The review's settings, read once at the start of each pass: the network's rate and the order limit. */
  readonly reviewSettings: ReviewSettingsSource;
  readonly now: () => Date;
  /** Changes asked for per page (at most `CATALOGUE_FEED_ITEMS_MAX`). */
  readonly pageItems?: number;
  /** Pages per sync pass (at most `SYNC_PAGES_PER_PASS_MAX`). */
  readonly pagesPerPassMax?: number;
}

export interface Syndication {
  /** One sync pass: read the feed from the stored cursor, review and write what changed. Calls while one runs share it. */
  syncOnce(): Promise<Result<SyncPass, SyncError>>;
  /** One report pass: tell the mall every listing revision it has not acknowledged. Calls while one runs share it. */
  reportOnce(): Promise<Result<ReportPass, ReportError>>;
}

export function createSyndication(deps: SyndicationDeps): Syndication {
  const pageItems = deps.pageItems ?? CATALOGUE_FEED_ITEMS_MAX;
  const pagesMax = deps.pagesPerPassMax ?? SYNC_PAGES_PER_PASS_MAX;
  if (!(Number.isInteger(pageItems) && pageItems >= 1 && pageItems <= CATALOGUE_FEED_ITEMS_MAX)) throw new RangeError(`pageItems in 1..${CATALOGUE_FEED_ITEMS_MAX}`);
  if (!(Number.isInteger(pagesMax) && pagesMax >= 1 && pagesMax <= SYNC_PAGES_PER_PASS_MAX)) throw new RangeError(`pagesPerPassMax in 1..${SYNC_PAGES_PER_PASS_MAX}`);

  async function sync(): Promise<Result<SyncPass, SyncError>> {
    let cursor = await deps.store.feedCursor(deps.mallId);
    let pages = 0;
    let changes = 0;
    let written = 0;
    const progress = (caughtUp: boolean): SyncPass => ({ pages, changes, written, cursor, caughtUp });
    const settings = await deps.reviewSettings();
    if (settings === null) return err({ kind: 'rate-unavailable', detail: 'the network has published no KRW/CNY rate yet: nothing is reviewed until it does', progress: progress(false) });
    while (pages < pagesMax) {
      const read = await deps.readFeed({ after: cursor.toString(), limit: pageItems });
      if (!read.ok) return err({ kind: 'feed-unavailable', detail: read.error.detail, progress: progress(false) });
      pages += 1;
      const page = read.value;
      const checked = checkPage(page);
      if (!checked.ok) return err({ kind: 'feed-invalid', detail: checked.error, progress: progress(false) });
      changes += page.changes.length;
      // A page read from an older cursor (delivered late or twice) may end below the stored cursor: never step back.
      const nextCursor = BigInt(page.nextCursor) > cursor ? BigInt(page.nextCursor) : cursor;
      const incoming = latestPerProduct(page.changes.map((change) => incomingOf(change.product)));
      const at = deps.now().toISOString();
      const applied = await deps.store.applyFeedPage({
        mallId: deps.mallId,
        after: cursor,
        nextCursor,
        productIds: [...incoming.keys()],
        at,
        plan: (existing) => planPage(existing, incoming, settings, at),
      });
      if (applied.kind === 'cursor-moved') {
        // Another reader wrote this far already: go on from where it is.
        cursor = applied.cursor;
        continue;
      }
      written += applied.written;
      cursor = nextCursor;
      if (!page.hasMore) return ok(progress(true));
    }
    return ok(progress(false));
  }

  async function report(): Promise<Result<ReportPass, ReportError>> {
    let messages = 0;
    let reports = 0;
    while (messages < REPORT_MESSAGES_PER_PASS_MAX) {
      const owed = await deps.store.unreportedListings(REPORT_CANDIDATES_PER_MESSAGE_MAX);
      if (owed.length === 0) return ok({ messages, reports, caughtUp: true });
      const batch = listingReportsThatFit(owed.map(listingReport));
      const sent = await deps.sendReports({ reports: [...batch] });
      if (!sent.ok) return err({ kind: 'mall-unavailable', detail: sent.error.detail, progress: { messages, reports, caughtUp: false } });
      await deps.store.markReported(batch.map((r) => ({ productId: r.productId, revision: r.revision })));
      messages += 1;
      reports += batch.length;
    }
    return ok({ messages, reports, caughtUp: false });
  }

  return { syncOnce: shared(sync), reportOnce: shared(report) };
}

/** One run at a time: a call while one runs gets that run's answer. */
function shared<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  };
}

/** Cursors are increasing along the page and `nextCursor` is its last (a page the mall signed: anything else is a bug there). */
function checkPage(page: CatalogueFeedPage): Result<void, string> {
  let previous = -1n;
  for (const change of page.changes) {
    const cursor = BigInt(change.cursor);
    if (cursor <= previous) return err(`cursor ${change.cursor} after ${previous}: a page's cursors increase`);
    previous = cursor;
  }
  if (page.changes.length > 0 && page.nextCursor !== page.changes.at(-1)!.cursor) return err(`nextCursor ${page.nextCursor} is not the last change's cursor`);
  return ok(undefined);
}

/** The highest version of each product in a page (a page from the mall has each product once). */
function latestPerProduct(incoming: readonly IncomingProduct[]): ReadonlyMap<string, IncomingProduct> {
  const latest = new Map<string, IncomingProduct>();
  for (const product of incoming) {
    const held = latest.get(product.productId);
    if (held === undefined || product.version > held.version) latest.set(product.productId, product);
  }
  return latest;
}

/** The listings a page writes over those held: the newer versions only. Pure. */
export function planPage(existing: ReadonlyMap<string, Listing>, incoming: ReadonlyMap<string, IncomingProduct>, settings: ReviewSettings, at: string): readonly Listing[] {
  const planned: Listing[] = [];
  for (const product of incoming.values()) {
    const next = nextListing(existing.get(product.productId) ?? null, product, settings, at);
    if (next !== null) planned.push(next);
  }
  return planned;
}

export interface SyndicationLoop {
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
}

export interface SyndicationLoopOptions {
  readonly intervalMs?: number;
  /** Told about each failed pass (the loop goes on). */
  readonly onError?: (error: SyncError | ReportError) => void;
}

/** The wait after `failures` failed passes in a row (from 1), in ms. */
export function syncRetryDelayMs(failures: number): number {
  if (!Number.isSafeInteger(failures) || failures < 1) throw new Error(`assertion failed: failures are counted from 1, got ${failures}`);
  return Math.min(SYNC_RETRY_DELAY_MS_BASE * 2 ** Math.min(failures - 1, 30), SYNC_RETRY_DELAY_MS_MAX);
}

/** Runs a sync pass and then a report pass on a timer until stopped (see the file's comment). */
export function startSyndicationLoop(syndication: Syndication, options: SyndicationLoopOptions = {}): SyndicationLoop {
  const intervalMs = options.intervalMs ?? SYNC_INTERVAL_MS_DEFAULT;
  if (!(Number.isInteger(intervalMs) && intervalMs >= SYNC_INTERVAL_MS_MIN && intervalMs <= SYNC_INTERVAL_MS_MAX)) {
    throw new RangeError(`intervalMs in ${SYNC_INTERVAL_MS_MIN}..${SYNC_INTERVAL_MS_MAX}`);
  }
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;

  const tick = async (): Promise<number> => {
    const synced = await syndication.syncOnce();
    const reported = await syndication.reportOnce();
    const failed = (error: SyncError | ReportError): number => {
      failures += 1;
      options.onError?.(error);
      return syncRetryDelayMs(failures);
    };
    // No rate yet is no peer failing: look again at the usual interval, not after a growing delay.
    if (!synced.ok && synced.error.kind === 'rate-unavailable') return intervalMs;
    if (!synced.ok) return failed(synced.error);
    if (!reported.ok) return failed(reported.error);
    failures = 0;
    return synced.value.caughtUp && reported.value.caughtUp ? intervalMs : 0;
  };
  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) => {
          // Broken infrastructure (a database that fails): say so and back off like any failure.
          failures += 1;
          console.error('syndication pass failed:', error);
          return syncRetryDelayMs(failures);
        })
        .then((next) => {
          running = null;
          schedule(next);
        });
    }, delayMs);
    timer.unref();
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
