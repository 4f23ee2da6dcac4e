/**
 * The mall's own tables on PostgreSQL, the production engine (ADR 3): the
 * same `MallStore`, with the same answers, as the SQLite store in `store.ts`
 * (`store.contract.test.ts` runs one suite on both).
 *
 * Every write of a product first locks the feed's one-row counter
 * (`SELECT … FOR UPDATE`) and holds it until commit. That serialises the
 * mall's product writes, which is what makes the feed's cursor safe (ADR 15):
 * a change numbered n commits before any change numbered above n can take its
 * number, so a reader never sees n + 1 and later finds n committed behind its
 * cursor. It also makes "read the product, decide, write" atomic without a
 * lock per product: two writers of one SKU or one product take turns.
 */
import { inPostgresTransaction, migratePostgres, POSTGRES_INTEGER_TYPES, type PostgresClient, type PostgresPool } from '../platform/db/postgres.ts';
import type { Migration } from '../platform/db/sqlite.ts';
import {
  CONTENT_COLUMNS,
  contentValues,
  sellerIdOf,
  toProduct,
  toSeller,
  type HashedContent,
  type InsertProductOutcome,
  type InsertSellerOutcome,
  type ListingReportRow,
  type ListingReportsOutcome,
  type MallStore,
  type SuspensionOutcome,
  toListing,
  type ProductRow,
  type SellerRow,
  type UpdateProductOutcome,
  type UpsertProductOutcome,
} from './store.ts';
import type { Product, ProductId, ProductListing, SellerId } from './types.ts';

/**
 * `MALL_MIGRATIONS` in PostgreSQL's types, every CHECK, UNIQUE and foreign
 * key repeated: BYTEA for the key hash, BIGINT for the price and the feed
 * numbers. Ids and instants are `COLLATE "C"`, so pages compare them byte by
 * byte as SQLite does.
 */
export const MALL_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    module: 'mall',
    version: 1,
    name: 'sellers, products, the feed sequence',
    sql: `
CREATE TABLE sellers (
  seq INTEGER PRIMARY KEY,
  seller_id TEXT COLLATE "C" NOT NULL UNIQUE,
  legal_name TEXT NOT NULL CHECK (char_length(legal_name) BETWEEN 1 AND 100),
  business_registration_number TEXT NOT NULL UNIQUE CHECK (char_length(business_registration_number) = 10),
  contact_email TEXT NOT NULL CHECK (char_length(contact_email) BETWEEN 3 AND 254),
  key_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE products (
  product_id TEXT COLLATE "C" PRIMARY KEY,
  seller_id TEXT COLLATE "C" NOT NULL REFERENCES sellers (seller_id),
  sku TEXT COLLATE "C" NOT NULL CHECK (char_length(sku) BETWEEN 1 AND 64),
  version INTEGER NOT NULL CHECK (version >= 1),
  change_seq BIGINT NOT NULL UNIQUE CHECK (change_seq >= 1),
  content_hash TEXT NOT NULL CHECK (char_length(content_hash) = 64),
  title_ko TEXT NOT NULL CHECK (char_length(title_ko) >= 1),
  title_zh TEXT,
  title_en TEXT,
  description TEXT,
  category TEXT NOT NULL CHECK (char_length(category) BETWEEN 1 AND 64),
  hs_code TEXT NOT NULL CHECK (char_length(hs_code) BETWEEN 1 AND 12),
  price_krw BIGINT NOT NULL CHECK (price_krw > 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  weight_grams INTEGER NOT NULL CHECK (weight_grams > 0),
  origin_country TEXT NOT NULL CHECK (char_length(origin_country) = 2),
  images TEXT NOT NULL,
  certifications TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  UNIQUE (seller_id, sku)
);
CREATE INDEX products_by_seller ON products (seller_id, product_id);
CREATE TABLE feed_sequence (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_seq BIGINT NOT NULL CHECK (last_seq >= 0)
);
INSERT INTO feed_sequence (singleton, last_seq) VALUES (1, 0);
`,
  },
  {
    module: 'mall',
    version: 2,
    name: 'seller suspension, listing reports from the marketplace',
    sql: `
ALTER TABLE sellers ADD COLUMN suspended_at TEXT COLLATE "C";
ALTER TABLE products ADD COLUMN seller_suspended BOOLEAN NOT NULL DEFAULT false;
CREATE TABLE listing_reports (
  product_id TEXT COLLATE "C" PRIMARY KEY REFERENCES products (product_id),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  product_version INTEGER NOT NULL CHECK (product_version >= 1),
  status TEXT NOT NULL CHECK (status IN ('in-review', 'listed', 'rejected', 'delisted')),
  reasons TEXT NOT NULL,
  decided_at TEXT COLLATE "C" NOT NULL,
  received_at TEXT COLLATE "C" NOT NULL
);
`,
  },
];

type Queryable = PostgresPool | PostgresClient;

async function rowsOf<R>(on: Queryable, sql: string, ...values: unknown[]): Promise<R[]> {
  return (await on.query<R & object>({ text: sql, values, types: POSTGRES_INTEGER_TYPES })).rows;
}

async function first<R>(on: Queryable, sql: string, ...values: unknown[]): Promise<R | undefined> {
  return (await rowsOf<R>(on, sql, ...values))[0];
}

const placeholders = (from: number, count: number): string => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');

/** Creates the mall's tables if needed, then the store; the caller owns (and ends) the pool. */
export async function createPostgresMallStore(pool: PostgresPool): Promise<MallStore> {
  await migratePostgres(pool, MALL_POSTGRES_MIGRATIONS);
  const productById = async (on: Queryable, id: string): Promise<Product | null> => {
    const row = await first<ProductRow>(on, 'SELECT * FROM products WHERE product_id = $1', id);
    return row ? toProduct(row) : null;
  };
  /** Takes the feed's counter for the rest of the transaction (see the file's comment). */
  const lockFeed = async (client: PostgresClient): Promise<void> => {
    await client.query('SELECT last_seq FROM feed_sequence WHERE singleton = 1 FOR UPDATE');
  };
  const nextChangeSeq = async (client: PostgresClient): Promise<bigint> =>
    (await first<{ last_seq: bigint }>(client, 'UPDATE feed_sequence SET last_seq = last_seq + 1 WHERE singleton = 1 RETURNING last_seq'))!.last_seq;
  const insert = async (client: PostgresClient, p: HashedContent & { readonly productId: ProductId; readonly sellerId: SellerId }, at: string): Promise<Product> => {
    const values = contentValues(p.content);
    const row = await first<ProductRow>(
      client,
      `INSERT INTO products (product_id, seller_id, sku, version, change_seq, content_hash, ${CONTENT_COLUMNS.join(', ')}, seller_suspended, created_at, updated_at)
       VALUES ($1, $2, $3, 1, $4, $5, ${placeholders(6, values.length)}, COALESCE((SELECT suspended_at IS NOT NULL FROM sellers WHERE seller_id = $2), false), $${6 + values.length}, $${7 + values.length}) RETURNING *`,
      p.productId, p.sellerId, p.content.sku, await nextChangeSeq(client), p.contentHash, ...values, at, at,
    );
    return toProduct(row!);
  };
  const overwrite = async (client: PostgresClient, row: ProductRow, change: HashedContent, at: string): Promise<Product> => {
    const values = contentValues(change.content);
    const set = CONTENT_COLUMNS.map((column, i) => `${column} = $${i + 1}`).join(', ');
    const n = values.length;
    const updated = await first<ProductRow>(
      client,
      `UPDATE products SET ${set}, content_hash = $${n + 1}, version = version + 1, change_seq = $${n + 2}, updated_at = $${n + 3}
       WHERE product_id = $${n + 4} AND version = $${n + 5} RETURNING *`,
      ...values, change.contentHash, await nextChangeSeq(client), at, row.product_id, row.version,
    );
    if (!updated) throw new Error(`assertion failed: product ${row.product_id} at version ${row.version} is updated under the feed's lock`);
    return toProduct(updated);
  };

  return {
    async insertSeller(s, at) {
      return inPostgresTransaction(pool, async (client): Promise<InsertSellerOutcome> => {
        // Numbering takes turns (SHARE ROW EXCLUSIVE conflicts with itself, not with reads), and so does the check of the number's uniqueness.
        await client.query('LOCK TABLE sellers IN SHARE ROW EXCLUSIVE MODE');
        const existing = await first<{ seller_id: string }>(client, 'SELECT seller_id FROM sellers WHERE business_registration_number = $1', s.businessRegistrationNumber);
        if (existing) return { kind: 'exists', sellerId: existing.seller_id as SellerId };
        const seq = Number((await first<{ next: bigint }>(client, 'SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM sellers'))!.next);
        const row = await first<SellerRow>(
          client,
          'INSERT INTO sellers (seq, seller_id, legal_name, business_registration_number, contact_email, key_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *',
          seq, sellerIdOf(seq), s.legalName, s.businessRegistrationNumber, s.contactEmail, s.keyHash, at,
        );
        return { kind: 'created', seller: toSeller(row!) };
      });
    },
    async getSeller(id) {
      const row = await first<SellerRow>(pool, 'SELECT * FROM sellers WHERE seller_id = $1', id);
      return row ? toSeller(row) : null;
    },
    async getSellerByKeyHash(keyHash) {
      const row = await first<SellerRow>(pool, 'SELECT * FROM sellers WHERE key_hash = $1', keyHash);
      return row ? toSeller(row) : null;
    },
    async insertProduct(p, at) {
      return inPostgresTransaction(pool, async (client): Promise<InsertProductOutcome> => {
        await lockFeed(client);
        const existing = await first<ProductRow>(client, 'SELECT * FROM products WHERE seller_id = $1 AND sku = $2', p.sellerId, p.content.sku);
        if (existing) return { kind: 'sku-taken', product: toProduct(existing), sameContent: existing.content_hash === p.contentHash };
        return { kind: 'created', product: await insert(client, p, at) };
      });
    },
    async getProduct(id) {
      return productById(pool, id);
    },
    async listProducts(sellerId, { afterId, limit }) {
      const rows = await rowsOf<ProductRow>(pool, 'SELECT * FROM products WHERE seller_id = $1 AND product_id > $2 ORDER BY product_id LIMIT $3', sellerId, afterId ?? '', limit);
      return rows.map(toProduct);
    },
    async updateProduct(id, change, at) {
      return inPostgresTransaction(pool, async (client): Promise<UpdateProductOutcome> => {
        await lockFeed(client);
        const row = await first<ProductRow>(client, 'SELECT * FROM products WHERE product_id = $1', id);
        if (!row) return { kind: 'not-found' };
        if (row.content_hash === change.contentHash) return { kind: 'unchanged', product: toProduct(row) };
        if (Number(row.version) !== change.expectedVersion) return { kind: 'version-conflict', product: toProduct(row) };
        return { kind: 'updated', product: await overwrite(client, row, change, at) };
      });
    },
    async upsertProductBySku(p, at) {
      return inPostgresTransaction(pool, async (client): Promise<UpsertProductOutcome> => {
        await lockFeed(client);
        const row = await first<ProductRow>(client, 'SELECT * FROM products WHERE seller_id = $1 AND sku = $2', p.sellerId, p.content.sku);
        if (!row) return { kind: 'created', product: await insert(client, p, at) };
        if (row.content_hash === p.contentHash) return { kind: 'unchanged', product: toProduct(row) };
        return { kind: 'updated', product: await overwrite(client, row, p, at) };
      });
    },
    async changesAfter(afterSeq, limit) {
      const rows = await rowsOf<ProductRow>(pool, 'SELECT * FROM products WHERE change_seq > $1 ORDER BY change_seq LIMIT $2', afterSeq, limit);
      return rows.map(toProduct);
    },
    async setSellerSuspended(sellerId, suspended, at) {
      return inPostgresTransaction(pool, async (client): Promise<SuspensionOutcome> => {
        await lockFeed(client);
        const row = await first<SellerRow>(client, 'SELECT * FROM sellers WHERE seller_id = $1 FOR UPDATE', sellerId);
        if (!row) return { kind: 'not-found' };
        if ((row.suspended_at !== null) === suspended) return { kind: 'unchanged', seller: toSeller(row) };
        const seller = await first<SellerRow>(client, 'UPDATE sellers SET suspended_at = $1 WHERE seller_id = $2 RETURNING *', suspended ? at : null, sellerId);
        // One statement numbers them all, in product id order, above every number taken so far (the counter is held).
        const bumped = await first<{ count: bigint }>(
          client,
          `WITH base AS (SELECT last_seq FROM feed_sequence WHERE singleton = 1),
                numbered AS (SELECT product_id, row_number() OVER (ORDER BY product_id) AS n FROM products WHERE seller_id = $1),
                bumped AS (
                  UPDATE products p SET seller_suspended = $2, version = p.version + 1, change_seq = base.last_seq + numbered.n, updated_at = $3
                  FROM numbered, base WHERE p.product_id = numbered.product_id RETURNING 1)
           SELECT count(*) AS count FROM bumped`,
          sellerId, suspended, at,
        );
        const count = bumped!.count;
        await client.query('UPDATE feed_sequence SET last_seq = last_seq + $1 WHERE singleton = 1', [count.toString()]);
        return { kind: 'changed', seller: toSeller(seller!), productsChanged: Number(count) };
      });
    },
    async applyListingReports(reports, at) {
      return inPostgresTransaction(pool, async (client): Promise<ListingReportsOutcome> => {
        const outcome = { applied: 0, stale: 0, unknown: 0 };
        for (const r of reports) {
          const applied = await client.query(
            `INSERT INTO listing_reports (product_id, revision, product_version, status, reasons, decided_at, received_at)
             SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM products WHERE product_id = $1)
             ON CONFLICT (product_id) DO UPDATE SET revision = excluded.revision, product_version = excluded.product_version, status = excluded.status,
               reasons = excluded.reasons, decided_at = excluded.decided_at, received_at = excluded.received_at
             WHERE excluded.revision > listing_reports.revision
             RETURNING 1`,
            [r.productId, r.revision, r.productVersion, r.status, JSON.stringify(r.reasons), r.decidedAt, at],
          );
          if (applied.rowCount === 1) outcome.applied += 1;
          else if (await first(client, 'SELECT 1 FROM products WHERE product_id = $1', r.productId)) outcome.stale += 1;
          else outcome.unknown += 1;
        }
        return outcome;
      });
    },
    async listingsOf(productIds) {
      const rows = await rowsOf<ListingReportRow>(pool, 'SELECT * FROM listing_reports WHERE product_id = ANY($1::text[])', [...productIds]);
      return new Map<string, ProductListing>(rows.map((row) => [row.product_id, toListing(row)]));
    },
  };
}
