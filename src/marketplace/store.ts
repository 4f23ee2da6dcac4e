/**
 * The marketplace's own tables in `marketplace.db`: its listings of the
 * mall's products and the cursor it has read the mall's feed to. This is the
 * SQLite store; `store-postgres.ts` is the same interface on PostgreSQL and
 * shares the row types and mappers below (`store.contract.test.ts` runs one
 * suite on both).
 *
 * The cursor and the listings a page of the feed produced are written in one
 * transaction (`applyFeedPage`), which first checks that the cursor is still
 * where the page was read from: after a crash the marketplace reads again
 * from the last cursor it committed, and a second reader (another process)
 * that moved the cursor meanwhile makes this page's write a no-op instead of
 * a step back (ADR 15).
 */
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';
import { localized, type Listing, type StoredListingStatus } from './listing.ts';
import type { ReviewOutcome, ReviewReasonCode } from './review-rules.ts';
import type { StorefrontFilter } from './storefront.ts';
import type { LocalizedText } from './types.ts';

export const MARKETPLACE_MIGRATIONS: readonly Migration[] = [
  {
    module: 'marketplace',
    version: 1,
    name: 'listings, the feed cursor',
    sql: `
CREATE TABLE listings (
  product_id TEXT PRIMARY KEY CHECK (length(product_id) BETWEEN 1 AND 40),
  seller_id TEXT NOT NULL CHECK (length(seller_id) BETWEEN 1 AND 40),
  sku TEXT NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
  version INTEGER NOT NULL CHECK (version >= 1),
  title_ko TEXT NOT NULL,
  title_zh TEXT,
  title_en TEXT,
  description TEXT,
  category TEXT NOT NULL,
  hs_code TEXT NOT NULL,
  price_krw INTEGER NOT NULL CHECK (price_krw > 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  weight_grams INTEGER NOT NULL CHECK (weight_grams > 0),
  origin_country TEXT NOT NULL CHECK (length(origin_country) = 2),
  images TEXT NOT NULL,
  certifications TEXT NOT NULL,
  seller_suspended INTEGER NOT NULL CHECK (seller_suspended IN (0, 1)),
  status TEXT NOT NULL CHECK (status IN ('listed', 'rejected', 'delisted')),
  review_outcome TEXT NOT NULL CHECK (review_outcome IN ('listed', 'rejected')),
  rules_version TEXT NOT NULL,
  reasons TEXT NOT NULL,
  reviewed_version INTEGER NOT NULL CHECK (reviewed_version BETWEEN 1 AND version),
  reviewed_at TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 1),
  revision_version INTEGER NOT NULL CHECK (revision_version BETWEEN 1 AND version),
  status_changed_at TEXT NOT NULL,
  reported_revision INTEGER NOT NULL DEFAULT 0 CHECK (reported_revision BETWEEN 0 AND revision),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- A decision lists reasons exactly when it rejects; a listing is shown only when its review passed.
  CHECK ((review_outcome = 'listed') = (reasons = '[]')),
  CHECK (status <> 'listed' OR review_outcome = 'listed'),
  CHECK ((status = 'delisted') = (seller_suspended = 1))
);
CREATE INDEX listings_by_status ON listings (status, product_id);
-- The outbox of reports to the mall (ADR 17): the listings whose latest revision the mall has not acknowledged.
CREATE INDEX listings_unreported ON listings (product_id) WHERE revision > reported_revision;
CREATE TABLE feed_cursors (
  mall_id TEXT PRIMARY KEY,
  cursor INTEGER NOT NULL CHECK (cursor >= 0),
  updated_at TEXT NOT NULL
);
`,
  },
];

/** Listings in one statement's IN list or one multi-row write: a feed page at most. */
export const LISTINGS_PER_STATEMENT_MAX = 500;

export type ApplyFeedPageOutcome =
  | { readonly kind: 'applied'; readonly written: number }
  /** The cursor is no longer where the page was read from (another reader moved it): nothing written. */
  | { readonly kind: 'cursor-moved'; readonly cursor: bigint };

export interface FeedPageWrite {
  readonly mallId: string;
  /** The cursor the page was read after: the write happens only if it is still the stored one. */
  readonly after: bigint;
  /** Where the cursor moves with the page's listings. */
  readonly nextCursor: bigint;
  /** The products the page carries. */
  readonly productIds: readonly string[];
  /** Given the listings held of those products (in the transaction), the listings to write. Pure. */
  readonly plan: (existing: ReadonlyMap<string, Listing>) => readonly Listing[];
  readonly at: string;
}

export interface MarketplaceStore {
  /** The cursor the marketplace has read `mallId`'s feed to; 0 before the first page. */
  feedCursor(mallId: string): Promise<bigint>;
  /** Writes a page's listings and moves the cursor, in one transaction, if the cursor is still `after`. */
  applyFeedPage(page: FeedPageWrite): Promise<ApplyFeedPageOutcome>;
  getListing(productId: string): Promise<Listing | null>;
  /** A page of listings by product id, optionally of one status. */
  listListings(page: { readonly afterId?: string; readonly limit: number; readonly status?: StoredListingStatus }): Promise<readonly Listing[]>;
  /** Listings whose latest revision the mall has not acknowledged, by product id. */
  unreportedListings(limit: number): Promise<readonly Listing[]>;
  /** Records that the mall acknowledged these revisions; a lower one than already recorded changes nothing. */
  markReported(reported: readonly { readonly productId: string; readonly revision: number }[]): Promise<void>;
  /** How many listings are in each status. */
  statusCounts(): Promise<Readonly<Record<StoredListingStatus, number>>>;
  /** A page of `listed` listings for the storefront, by product id, filtered by title text and category (`storefront.ts`). */
  listedProducts(filter: StorefrontFilter): Promise<readonly Listing[]>;
}

/**
 * The storefront's filters as SQL over `listings`, with their values in
 * placeholder order; the same on both engines but for the placeholders and how
 * a title is searched (`contains`: ASCII case folded, no wildcards). A
 * category matches itself and what lies under it, compared as a prefix (never
 * LIKE, whose wildcards a category could carry).
 */
export function storefrontWhere(
  filter: StorefrontFilter,
  sql: { readonly placeholder: () => string; readonly contains: (column: string, needle: string) => string },
): { readonly where: string; readonly values: readonly (string | number)[] } {
  const clauses = [`status = 'listed'`, `product_id > ${sql.placeholder()}`];
  const values: (string | number)[] = [filter.afterId ?? ''];
  if (filter.category !== undefined) {
    clauses.push(`(category = ${sql.placeholder()} OR substr(category, 1, ${sql.placeholder()}) = ${sql.placeholder()})`);
    values.push(filter.category, filter.category.length + 1, `${filter.category}/`);
  }
  if (filter.text !== undefined) {
    const matches = ['title_ko', 'title_zh', 'title_en'].map((column) => sql.contains(`coalesce(${column}, '')`, sql.placeholder()));
    clauses.push(`(${matches.join(' OR ')})`);
    values.push(filter.text, filter.text, filter.text);
  }
  return { where: clauses.join(' AND '), values };
}

export interface ListingRow {
  product_id: string;
  seller_id: string;
  sku: string;
  version: bigint;
  title_ko: string;
  title_zh: string | null;
  title_en: string | null;
  description: string | null;
  category: string;
  hs_code: string;
  price_krw: bigint;
  stock: bigint;
  weight_grams: bigint;
  origin_country: string;
  images: string;
  certifications: string;
  seller_suspended: bigint | boolean;
  status: string;
  review_outcome: string;
  rules_version: string;
  reasons: string;
  reviewed_version: bigint;
  reviewed_at: string;
  revision: bigint;
  revision_version: bigint;
  status_changed_at: string;
  reported_revision: bigint;
  created_at: string;
  updated_at: string;
}

export function toListing(row: ListingRow): Listing {
  return {
    productId: row.product_id,
    sellerId: row.seller_id,
    sku: row.sku,
    version: Number(row.version),
    snapshot: {
      title: localized({ ko: row.title_ko, zh: row.title_zh, en: row.title_en }),
      description: row.description === null ? null : (JSON.parse(row.description) as LocalizedText),
      category: row.category,
      hsCode: row.hs_code,
      priceKrw: row.price_krw,
      stock: Number(row.stock),
      weightGrams: Number(row.weight_grams),
      originCountry: row.origin_country,
      images: JSON.parse(row.images) as string[],
      certifications: JSON.parse(row.certifications) as string[],
    },
    // SQLite answers 0 or 1, PostgreSQL a boolean.
    sellerSuspended: row.seller_suspended === true || row.seller_suspended === 1n,
    status: row.status as StoredListingStatus,
    decision: { outcome: row.review_outcome as ReviewOutcome, rulesVersion: row.rules_version, reasons: JSON.parse(row.reasons) as ReviewReasonCode[] },
    reviewedVersion: Number(row.reviewed_version),
    reviewedAt: row.reviewed_at,
    revision: Number(row.revision),
    revisionVersion: Number(row.revision_version),
    statusChangedAt: row.status_changed_at,
    reportedRevision: Number(row.reported_revision),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The columns a feed page writes, in `listingValues` order (not `reported_revision`, which only the mall's acknowledgement moves). */
export const LISTING_COLUMNS = [
  'product_id',
  'seller_id',
  'sku',
  'version',
  'title_ko',
  'title_zh',
  'title_en',
  'description',
  'category',
  'hs_code',
  'price_krw',
  'stock',
  'weight_grams',
  'origin_country',
  'images',
  'certifications',
  'seller_suspended',
  'status',
  'review_outcome',
  'rules_version',
  'reasons',
  'reviewed_version',
  'reviewed_at',
  'revision',
  'revision_version',
  'status_changed_at',
  'created_at',
  'updated_at',
] as const;

export function listingValues(l: Listing, suspended: (flag: boolean) => number | boolean): readonly (string | number | bigint | boolean | null)[] {
  const s = l.snapshot;
  return [
    l.productId,
    l.sellerId,
    l.sku,
    l.version,
    s.title.ko,
    s.title.zh ?? null,
    s.title.en ?? null,
    s.description === null ? null : JSON.stringify(s.description),
    s.category,
    s.hsCode,
    s.priceKrw,
    s.stock,
    s.weightGrams,
    s.originCountry,
    JSON.stringify(s.images),
    JSON.stringify(s.certifications),
    suspended(l.sellerSuspended),
    l.status,
    l.decision.outcome,
    l.decision.rulesVersion,
    JSON.stringify(l.decision.reasons),
    l.reviewedVersion,
    l.reviewedAt,
    l.revision,
    l.revisionVersion,
    l.statusChangedAt,
    l.createdAt,
    l.updatedAt,
  ];
}

/**
 * `INSERT … ON CONFLICT DO UPDATE` of every column a feed page writes, only
 * over an older version: the plan never writes an older one, and the schema
 * says so too (a write that changes no row is a bug, asserted by the caller).
 */
export function upsertListingsSql(rows: number, placeholder: (index: number) => string): string {
  const width = LISTING_COLUMNS.length;
  const values = Array.from({ length: rows }, (_, r) => `(${LISTING_COLUMNS.map((_, c) => placeholder(r * width + c + 1)).join(', ')})`).join(', ');
  const updates = LISTING_COLUMNS.filter((c) => c !== 'product_id' && c !== 'created_at')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  return `INSERT INTO listings (${LISTING_COLUMNS.join(', ')}) VALUES ${values}
    ON CONFLICT (product_id) DO UPDATE SET ${updates} WHERE excluded.version > listings.version`;
}

const STORED_STATUSES: readonly StoredListingStatus[] = ['listed', 'rejected', 'delisted'];

export function statusCountsOf(rows: readonly { status: string; count: bigint }[]): Readonly<Record<StoredListingStatus, number>> {
  const counts: Record<StoredListingStatus, number> = { listed: 0, rejected: 0, delisted: 0 };
  for (const row of rows) {
    if (!(STORED_STATUSES as readonly string[]).includes(row.status)) throw new Error(`assertion failed: a stored status, got ${row.status}`);
    counts[row.status as StoredListingStatus] = Number(row.count);
  }
  return counts;
}

export function assertPlan(page: FeedPageWrite, planned: readonly Listing[]): void {
  const carried = new Set(page.productIds);
  const seen = new Set<string>();
  for (const listing of planned) {
    if (!carried.has(listing.productId) || seen.has(listing.productId)) throw new Error(`assertion failed: a plan writes each product of its page once (${listing.productId})`);
    seen.add(listing.productId);
  }
  if (page.nextCursor < page.after) throw new Error(`assertion failed: the cursor moves forward (${page.after} → ${page.nextCursor})`);
}

export function createSqliteMarketplaceStore(db: SqliteDatabase): MarketplaceStore {
  migrateSqlite(db, MARKETPLACE_MIGRATIONS);
  const sqliteFlag = (flag: boolean): number => (flag ? 1 : 0);
  const cursorOf = (mallId: string): bigint =>
    (prepareCached(db, 'SELECT cursor FROM feed_cursors WHERE mall_id = ?').get(mallId) as { cursor: bigint } | undefined)?.cursor ?? 0n;
  const listingsOf = (ids: readonly string[]): Map<string, Listing> => {
    const found = new Map<string, Listing>();
    for (let from = 0; from < ids.length; from += LISTINGS_PER_STATEMENT_MAX) {
      const chunk = ids.slice(from, from + LISTINGS_PER_STATEMENT_MAX);
      const rows = prepareCached(db, `SELECT * FROM listings WHERE product_id IN (${chunk.map(() => '?').join(', ')})`).all(...chunk) as ListingRow[];
      for (const row of rows) found.set(row.product_id, toListing(row));
    }
    return found;
  };

  return {
    async feedCursor(mallId) {
      return cursorOf(mallId);
    },
    async applyFeedPage(page) {
      return db
        .transaction((): ApplyFeedPageOutcome => {
          const cursor = cursorOf(page.mallId);
          if (cursor !== page.after) return { kind: 'cursor-moved', cursor };
          const planned = page.plan(listingsOf(page.productIds));
          assertPlan(page, planned);
          // One prepared statement per row: binding a few dozen values a run is cheaper in better-sqlite3 than thousands in one.
          const upsert = prepareCached(db, upsertListingsSql(1, () => '?'));
          let written = 0;
          for (const listing of planned) written += upsert.run(...listingValues(listing, sqliteFlag)).changes;
          if (written !== planned.length) throw new Error(`assertion failed: every planned listing is newer than the one held (${written} of ${planned.length} written)`);
          prepareCached(db, 'INSERT INTO feed_cursors (mall_id, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (mall_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at').run(
            page.mallId,
            page.nextCursor,
            page.at,
          );
          return { kind: 'applied', written: planned.length };
        })
        .immediate();
    },
    async getListing(productId) {
      const row = prepareCached(db, 'SELECT * FROM listings WHERE product_id = ?').get(productId) as ListingRow | undefined;
      return row ? toListing(row) : null;
    },
    async listListings({ afterId, limit, status }) {
      const rows = (
        status === undefined
          ? prepareCached(db, 'SELECT * FROM listings WHERE product_id > ? ORDER BY product_id LIMIT ?').all(afterId ?? '', limit)
          : prepareCached(db, 'SELECT * FROM listings WHERE status = ? AND product_id > ? ORDER BY product_id LIMIT ?').all(status, afterId ?? '', limit)
      ) as ListingRow[];
      return rows.map(toListing);
    },
    async unreportedListings(limit) {
      const rows = prepareCached(db, 'SELECT * FROM listings WHERE revision > reported_revision ORDER BY product_id LIMIT ?').all(limit) as ListingRow[];
      return rows.map(toListing);
    },
    async markReported(reported) {
      const mark = prepareCached(db, 'UPDATE listings SET reported_revision = ? WHERE product_id = ? AND reported_revision < ? AND revision >= ?');
      db.transaction(() => {
        for (const { productId, revision } of reported) mark.run(revision, productId, revision, revision);
      }).immediate();
    },
    async statusCounts() {
      return statusCountsOf(prepareCached(db, 'SELECT status, count(*) AS count FROM listings GROUP BY status').all() as { status: string; count: bigint }[]);
    },
    async listedProducts(filter) {
      // SQLite's lower() folds ASCII letters only, as foldAsciiCase does to the search.
      const { where, values } = storefrontWhere(filter, { placeholder: () => '?', contains: (column, needle) => `instr(lower(${column}), ${needle}) > 0` });
      const rows = prepareCached(db, `SELECT * FROM listings WHERE ${where} ORDER BY product_id LIMIT ?`).all(...values, filter.limit) as ListingRow[];
      return rows.map(toListing);
    },
  };
}
