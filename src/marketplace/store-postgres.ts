/**
 * The marketplace's own tables on PostgreSQL, the production engine (ADR 3):
 * the same `MarketplaceStore`, with the same answers, as the SQLite store in
 * `store.ts` (`store.contract.test.ts` runs one suite on both).
 *
 * A feed page's write locks the mall's cursor row first (`SELECT … FOR
 * UPDATE`): two readers of one feed take turns, and the second finds the
 * cursor moved and writes nothing. The listings a page touches are then read
 * `FOR UPDATE` too, so the plan reads what it overwrites.
 */
import { inPostgresTransaction, migratePostgres, POSTGRES_INTEGER_TYPES, type PostgresClient, type PostgresPool } from '../platform/db/postgres.ts';
import type { Migration } from '../platform/db/sqlite.ts';
import type { Listing } from './listing.ts';
import {
  assertPlan,
  LISTINGS_PER_STATEMENT_MAX,
  listingValues,
  statusCountsOf,
  storefrontWhere,
  toListing,
  upsertListingsSql,
  type ApplyFeedPageOutcome,
  type ListingRow,
  type MarketplaceStore,
} from './store.ts';

/** `MARKETPLACE_MIGRATIONS` in PostgreSQL's types, every CHECK repeated; ids `COLLATE "C"` so pages order as on SQLite. */
export const MARKETPLACE_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    module: 'marketplace',
    version: 1,
    name: 'listings, the feed cursor',
    sql: `
CREATE TABLE listings (
  product_id TEXT COLLATE "C" PRIMARY KEY CHECK (char_length(product_id) BETWEEN 1 AND 40),
  seller_id TEXT COLLATE "C" NOT NULL CHECK (char_length(seller_id) BETWEEN 1 AND 40),
  sku TEXT COLLATE "C" NOT NULL CHECK (char_length(sku) BETWEEN 1 AND 64),
  version INTEGER NOT NULL CHECK (version >= 1),
  title_ko TEXT NOT NULL,
  title_zh TEXT,
  title_en TEXT,
  description TEXT,
  category TEXT NOT NULL,
  hs_code TEXT NOT NULL,
  price_krw BIGINT NOT NULL CHECK (price_krw > 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  weight_grams INTEGER NOT NULL CHECK (weight_grams > 0),
  origin_country TEXT NOT NULL CHECK (char_length(origin_country) = 2),
  images TEXT NOT NULL,
  certifications TEXT NOT NULL,
  seller_suspended BOOLEAN NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('listed', 'rejected', 'delisted')),
  review_outcome TEXT NOT NULL CHECK (review_outcome IN ('listed', 'rejected')),
  rules_version TEXT NOT NULL,
  reasons TEXT NOT NULL,
  reviewed_version INTEGER NOT NULL CHECK (reviewed_version BETWEEN 1 AND version),
  reviewed_at TEXT COLLATE "C" NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 1),
  revision_version INTEGER NOT NULL CHECK (revision_version BETWEEN 1 AND version),
  status_changed_at TEXT COLLATE "C" NOT NULL,
  reported_revision INTEGER NOT NULL DEFAULT 0 CHECK (reported_revision BETWEEN 0 AND revision),
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  CHECK ((review_outcome = 'listed') = (reasons = '[]')),
  CHECK (status <> 'listed' OR review_outcome = 'listed'),
  CHECK ((status = 'delisted') = seller_suspended)
);
CREATE INDEX listings_by_status ON listings (status, product_id);
CREATE INDEX listings_unreported ON listings (product_id) WHERE revision > reported_revision;
CREATE TABLE feed_cursors (
  mall_id TEXT COLLATE "C" PRIMARY KEY,
  cursor BIGINT NOT NULL CHECK (cursor >= 0),
  updated_at TEXT COLLATE "C" NOT NULL
);
`,
  },
];

type Queryable = PostgresPool | PostgresClient;

const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ASCII_LOWER = 'abcdefghijklmnopqrstuvwxyz';

async function rowsOf<R>(on: Queryable, sql: string, ...values: unknown[]): Promise<R[]> {
  return (await on.query<R & object>({ text: sql, values, types: POSTGRES_INTEGER_TYPES })).rows;
}

/** Creates the marketplace's tables if needed, then the store; the caller owns (and ends) the pool. */
export async function createPostgresMarketplaceStore(pool: PostgresPool): Promise<MarketplaceStore> {
  await migratePostgres(pool, MARKETPLACE_POSTGRES_MIGRATIONS);
  const postgresFlag = (flag: boolean): boolean => flag;
  const cursorOf = async (on: Queryable, mallId: string, lock: boolean): Promise<bigint> =>
    (await rowsOf<{ cursor: bigint }>(on, `SELECT cursor FROM feed_cursors WHERE mall_id = $1${lock ? ' FOR UPDATE' : ''}`, mallId))[0]?.cursor ?? 0n;

  return {
    async feedCursor(mallId) {
      return cursorOf(pool, mallId, false);
    },
    async applyFeedPage(page) {
      return inPostgresTransaction(pool, async (client): Promise<ApplyFeedPageOutcome> => {
        // The row exists before anyone locks it, so that two first pages also take turns.
        await client.query('INSERT INTO feed_cursors (mall_id, cursor, updated_at) VALUES ($1, 0, $2) ON CONFLICT (mall_id) DO NOTHING', [page.mallId, page.at]);
        const cursor = await cursorOf(client, page.mallId, true);
        if (cursor !== page.after) return { kind: 'cursor-moved', cursor };
        const existing = new Map<string, Listing>();
        const rows = await rowsOf<ListingRow>(client, 'SELECT * FROM listings WHERE product_id = ANY($1::text[]) ORDER BY product_id FOR UPDATE', [...page.productIds]);
        for (const row of rows) existing.set(row.product_id, toListing(row));
        const planned = page.plan(existing);
        assertPlan(page, planned);
        for (let from = 0; from < planned.length; from += LISTINGS_PER_STATEMENT_MAX) {
          const chunk = planned.slice(from, from + LISTINGS_PER_STATEMENT_MAX);
          const values = chunk.flatMap((l) => listingValues(l, postgresFlag)).map((v) => (typeof v === 'bigint' ? v.toString() : v));
          const written = (await client.query(upsertListingsSql(chunk.length, (i) => `$${i}`), values)).rowCount;
          if (written !== chunk.length) throw new Error(`assertion failed: every planned listing is newer than the one held (${written} of ${chunk.length} written)`);
        }
        await client.query('UPDATE feed_cursors SET cursor = $1, updated_at = $2 WHERE mall_id = $3', [page.nextCursor.toString(), page.at, page.mallId]);
        return { kind: 'applied', written: planned.length };
      });
    },
    async getListing(productId) {
      const row = (await rowsOf<ListingRow>(pool, 'SELECT * FROM listings WHERE product_id = $1', productId))[0];
      return row ? toListing(row) : null;
    },
    async listListings({ afterId, limit, status }) {
      const rows =
        status === undefined
          ? await rowsOf<ListingRow>(pool, 'SELECT * FROM listings WHERE product_id > $1 ORDER BY product_id LIMIT $2', afterId ?? '', limit)
          : await rowsOf<ListingRow>(pool, 'SELECT * FROM listings WHERE status = $1 AND product_id > $2 ORDER BY product_id LIMIT $3', status, afterId ?? '', limit);
      return rows.map(toListing);
    },
    async unreportedListings(limit) {
      const rows = await rowsOf<ListingRow>(pool, 'SELECT * FROM listings WHERE revision > reported_revision ORDER BY product_id LIMIT $1', limit);
      return rows.map(toListing);
    },
    async markReported(reported) {
      if (reported.length === 0) return;
      await pool.query(
        `UPDATE listings l SET reported_revision = r.revision
         FROM unnest($1::text[], $2::int[]) AS r (product_id, revision)
         WHERE l.product_id = r.product_id AND l.reported_revision < r.revision AND l.revision >= r.revision`,
        [reported.map((r) => r.productId), reported.map((r) => r.revision)],
      );
    },
    async statusCounts() {
      return statusCountsOf(await rowsOf<{ status: string; count: bigint }>(pool, 'SELECT status, count(*) AS count FROM listings GROUP BY status'));
    },
    async listedProducts(filter) {
      let n = 0;
      // ASCII letters only, as SQLite's lower() and foldAsciiCase: PostgreSQL's lower() would fold É as well.
      const { where, values } = storefrontWhere(filter, { placeholder: () => `$${++n}`, contains: (column, needle) => `strpos(translate(${column}, '${ASCII_UPPER}', '${ASCII_LOWER}'), ${needle}) > 0` });
      return (await rowsOf<ListingRow>(pool, `SELECT * FROM listings WHERE ${where} ORDER BY product_id LIMIT $${++n}`, ...values, filter.limit)).map(toListing);
    },
  };
}
