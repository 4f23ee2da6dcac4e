/**
 * The mall's own tables (sellers, products, the feed's sequence) in
 * `mall.db`. This is the SQLite store; `store-postgres.ts` is the same
 * interface on PostgreSQL and shares the row types and mappers below
 * (`store.contract.test.ts` runs one suite on both).
 *
 * Every change of a product's content takes the next number of the mall's
 * feed sequence (`changeSeq`) in the transaction that writes it, from a
 * one-row counter that the transaction holds until it commits. So changes
 * commit in the order of their numbers, and a reader that has seen number n
 * has seen every change numbered below n (ADR 15): the feed can be read
 * with a cursor and nothing committed late is skipped.
 */
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';
import type { BusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import type { ListingReason, ListingStatus, LocalizedText, Product, ProductContent, ProductId, ProductListing, Seller, SellerId } from './types.ts';

/** Digits of the sequence number in a seller id: `SL000001`. */
export const SELLER_ID_DIGITS = 6;
export const SELLER_ID_PREFIX = 'SL';
/** Most sellers one mall numbers: what `SELLER_ID_DIGITS` can write. */
export const SELLERS_MAX = 10 ** SELLER_ID_DIGITS - 1;

export const MALL_MIGRATIONS: readonly Migration[] = [
  {
    module: 'mall',
    version: 1,
    name: 'sellers, products, the feed sequence',
    sql: `
CREATE TABLE sellers (
  seq INTEGER PRIMARY KEY,
  seller_id TEXT NOT NULL UNIQUE,
  legal_name TEXT NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 100),
  business_registration_number TEXT NOT NULL UNIQUE CHECK (length(business_registration_number) = 10),
  contact_email TEXT NOT NULL CHECK (length(contact_email) BETWEEN 3 AND 254),
  key_hash BLOB NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  created_at TEXT NOT NULL
);
CREATE TABLE products (
  product_id TEXT PRIMARY KEY,
  seller_id TEXT NOT NULL REFERENCES sellers (seller_id),
  sku TEXT NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
  version INTEGER NOT NULL CHECK (version >= 1),
  change_seq INTEGER NOT NULL UNIQUE CHECK (change_seq >= 1),
  content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
  title_ko TEXT NOT NULL CHECK (length(title_ko) >= 1),
  title_zh TEXT,
  title_en TEXT,
  description TEXT,
  category TEXT NOT NULL CHECK (length(category) BETWEEN 1 AND 64),
  hs_code TEXT NOT NULL CHECK (length(hs_code) BETWEEN 1 AND 12),
  price_krw INTEGER NOT NULL CHECK (price_krw > 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  weight_grams INTEGER NOT NULL CHECK (weight_grams > 0),
  origin_country TEXT NOT NULL CHECK (length(origin_country) = 2),
  images TEXT NOT NULL,
  certifications TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (seller_id, sku)
);
CREATE INDEX products_by_seller ON products (seller_id, product_id);
-- The last number of the feed's sequence; one row, which every change of a product updates.
CREATE TABLE feed_sequence (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
);
INSERT INTO feed_sequence (singleton, last_seq) VALUES (1, 0);
`,
  },
  {
    module: 'mall',
    version: 2,
    name: 'seller suspension, listing reports from the marketplace',
    sql: `
ALTER TABLE sellers ADD COLUMN suspended_at TEXT;
-- Copied from the seller by the write that suspends or reinstates it, with a new version and feed number.
ALTER TABLE products ADD COLUMN seller_suspended INTEGER NOT NULL DEFAULT 0 CHECK (seller_suspended IN (0, 1));
-- The marketplace's latest report per product (ADR 17): only a higher revision replaces it.
CREATE TABLE listing_reports (
  product_id TEXT PRIMARY KEY REFERENCES products (product_id),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  product_version INTEGER NOT NULL CHECK (product_version >= 1),
  status TEXT NOT NULL CHECK (status IN ('in-review', 'listed', 'rejected', 'delisted')),
  reasons TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  received_at TEXT NOT NULL
);
`,
  },
];

export interface NewSeller {
  readonly legalName: string;
  readonly businessRegistrationNumber: BusinessRegistrationNumber;
  readonly contactEmail: string;
  /** SHA-256 of the seller's API key. */
  readonly keyHash: Buffer;
}

/** A product's content with the hash that tells two contents apart (`contentHash` in service.ts). */
export interface HashedContent {
  readonly content: ProductContent;
  readonly contentHash: string;
}

export type InsertSellerOutcome = { readonly kind: 'created'; readonly seller: Seller } | { readonly kind: 'exists'; readonly sellerId: SellerId };

export type InsertProductOutcome =
  | { readonly kind: 'created'; readonly product: Product }
  /** The seller has a product with this SKU already: it, and whether its content is the same. */
  | { readonly kind: 'sku-taken'; readonly product: Product; readonly sameContent: boolean };

export type UpdateProductOutcome =
  | { readonly kind: 'updated'; readonly product: Product }
  /** The content is the product's already: no new version. */
  | { readonly kind: 'unchanged'; readonly product: Product }
  | { readonly kind: 'version-conflict'; readonly product: Product }
  | { readonly kind: 'not-found' };

export type UpsertProductOutcome = { readonly kind: 'created' | 'updated' | 'unchanged'; readonly product: Product };

export type SuspensionOutcome =
  | { readonly kind: 'changed'; readonly seller: Seller; readonly productsChanged: number }
  /** The seller was already in that standing: nothing written. */
  | { readonly kind: 'unchanged'; readonly seller: Seller }
  | { readonly kind: 'not-found' };

/** One report as the mall stores it (`protocol` `ListingReport`, in the mall's words). */
export interface ListingReportInput extends ProductListing {
  readonly productId: string;
}

export interface ListingReportsOutcome {
  readonly applied: number;
  readonly stale: number;
  readonly unknown: number;
}

export interface MallStore {
  /** Numbers and inserts a seller, unless its business registration number has one: then names it. */
  insertSeller(seller: NewSeller, at: string): Promise<InsertSellerOutcome>;
  getSeller(id: string): Promise<Seller | null>;
  getSellerByKeyHash(keyHash: Buffer): Promise<Seller | null>;
  /** Inserts a product at version 1, unless the seller has one with its SKU: then answers that one. */
  insertProduct(product: HashedContent & { readonly productId: ProductId; readonly sellerId: SellerId }, at: string): Promise<InsertProductOutcome>;
  getProduct(id: string): Promise<Product | null>;
  /** A page of the seller's products, by product id. */
  listProducts(sellerId: SellerId, page: { readonly afterId?: string; readonly limit: number }): Promise<readonly Product[]>;
  /**
   * Writes new content over a product that is still at `expectedVersion`,
   * as version + 1 with the next feed number. The same content as now is
   * `unchanged` at whatever version (a retry changes nothing twice).
   */
  updateProduct(id: ProductId, change: HashedContent & { readonly expectedVersion: number }, at: string): Promise<UpdateProductOutcome>;
  /** Creates the seller's product with this SKU (as `productId`), or writes the content over it; atomic per call. */
  upsertProductBySku(product: HashedContent & { readonly productId: ProductId; readonly sellerId: SellerId }, at: string): Promise<UpsertProductOutcome>;
  /** The feed: products whose latest change is numbered above `afterSeq`, in that order. */
  changesAfter(afterSeq: bigint, limit: number): Promise<readonly Product[]>;
  /**
   * Suspends the seller (or reinstates it), and writes each of its products
   * again as a new version with the next feed number, carrying the seller's
   * standing: all in one transaction.
   */
  setSellerSuspended(sellerId: string, suspended: boolean, at: string): Promise<SuspensionOutcome>;
  /** Stores each report whose revision is above the one held for its product; atomic per call. */
  applyListingReports(reports: readonly ListingReportInput[], at: string): Promise<ListingReportsOutcome>;
  /** The latest report of each product that has one. */
  listingsOf(productIds: readonly string[]): Promise<ReadonlyMap<string, ProductListing>>;
}

export interface SellerRow {
  seller_id: string;
  legal_name: string;
  business_registration_number: string;
  contact_email: string;
  created_at: string;
  suspended_at: string | null;
}

export interface ProductRow {
  product_id: string;
  seller_id: string;
  sku: string;
  version: bigint;
  change_seq: bigint;
  content_hash: string;
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
  created_at: string;
  updated_at: string;
}

export interface ListingReportRow {
  product_id: string;
  revision: bigint;
  product_version: bigint;
  status: string;
  reasons: string;
  decided_at: string;
}

/** Reports in one statement's IN list (SQLite's default limit of variables is far above it). */
export const LISTINGS_LOOKUP_MAX = 500;

export function toListing(row: ListingReportRow): ProductListing {
  return {
    status: row.status as ListingStatus,
    reasons: JSON.parse(row.reasons) as ListingReason[],
    revision: Number(row.revision),
    productVersion: Number(row.product_version),
    decidedAt: row.decided_at,
  };
}

export function toSeller(row: SellerRow): Seller {
  return {
    sellerId: row.seller_id as SellerId,
    legalName: row.legal_name,
    businessRegistrationNumber: row.business_registration_number as BusinessRegistrationNumber,
    contactEmail: row.contact_email,
    createdAt: row.created_at,
    suspendedAt: row.suspended_at,
  };
}

export function toProduct(row: ProductRow): Product {
  return {
    productId: row.product_id as ProductId,
    sellerId: row.seller_id as SellerId,
    sku: row.sku,
    version: Number(row.version),
    changeSeq: row.change_seq,
    title: { ko: row.title_ko, ...(row.title_zh === null ? {} : { zh: row.title_zh }), ...(row.title_en === null ? {} : { en: row.title_en }) },
    description: row.description === null ? null : (JSON.parse(row.description) as LocalizedText),
    category: row.category,
    hsCode: row.hs_code,
    priceKrw: row.price_krw,
    stock: Number(row.stock),
    weightGrams: Number(row.weight_grams),
    originCountry: row.origin_country,
    images: JSON.parse(row.images) as string[],
    certifications: JSON.parse(row.certifications) as string[],
    // SQLite answers 0 or 1, PostgreSQL a boolean.
    sellerSuspended: row.seller_suspended === true || row.seller_suspended === 1n,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The content columns of a product row, in `CONTENT_COLUMNS` order. */
export function contentValues(content: ProductContent): readonly (string | bigint | number | null)[] {
  return [
    content.title.ko,
    content.title.zh ?? null,
    content.title.en ?? null,
    content.description === null ? null : JSON.stringify(content.description),
    content.category,
    content.hsCode,
    content.priceKrw,
    content.stock,
    content.weightGrams,
    content.originCountry,
    JSON.stringify(content.images),
    JSON.stringify(content.certifications),
  ];
}
export const CONTENT_COLUMNS = ['title_ko', 'title_zh', 'title_en', 'description', 'category', 'hs_code', 'price_krw', 'stock', 'weight_grams', 'origin_country', 'images', 'certifications'] as const;

export function sellerIdOf(seq: number): SellerId {
  if (seq > SELLERS_MAX) throw new Error(`assertion failed: seller ids are numbered up to SELLERS_MAX=${SELLERS_MAX}`);
  return `${SELLER_ID_PREFIX}${String(seq).padStart(SELLER_ID_DIGITS, '0')}` as SellerId;
}

export function createSqliteMallStore(db: SqliteDatabase): MallStore {
  migrateSqlite(db, MALL_MIGRATIONS);
  const productById = (id: string): Product | null => {
    const row = prepareCached(db, 'SELECT * FROM products WHERE product_id = ?').get(id) as ProductRow | undefined;
    return row ? toProduct(row) : null;
  };
  const productRowBySku = (sellerId: string, sku: string): ProductRow | undefined =>
    prepareCached(db, 'SELECT * FROM products WHERE seller_id = ? AND sku = ?').get(sellerId, sku) as ProductRow | undefined;
  const nextChangeSeq = (): bigint => (prepareCached(db, 'UPDATE feed_sequence SET last_seq = last_seq + 1 WHERE singleton = 1 RETURNING last_seq').get() as { last_seq: bigint }).last_seq;
  const contentSet = CONTENT_COLUMNS.map((column) => `${column} = ?`).join(', ');

  const insert = (p: HashedContent & { readonly productId: ProductId; readonly sellerId: SellerId }, at: string): Product => {
    prepareCached(
      db,
      `INSERT INTO products (product_id, seller_id, sku, version, change_seq, content_hash, ${CONTENT_COLUMNS.join(', ')}, seller_suspended, created_at, updated_at)
       VALUES (?, ?, ?, 1, ?, ?, ${CONTENT_COLUMNS.map(() => '?').join(', ')}, COALESCE((SELECT suspended_at IS NOT NULL FROM sellers WHERE seller_id = ?), 0), ?, ?)`,
    ).run(p.productId, p.sellerId, p.content.sku, nextChangeSeq(), p.contentHash, ...contentValues(p.content), p.sellerId, at, at);
    return productById(p.productId)!;
  };
  const overwrite = (row: ProductRow, change: HashedContent, at: string): Product => {
    const changed = prepareCached(db, `UPDATE products SET ${contentSet}, content_hash = ?, version = version + 1, change_seq = ?, updated_at = ? WHERE product_id = ? AND version = ?`).run(
      ...contentValues(change.content),
      change.contentHash,
      nextChangeSeq(),
      at,
      row.product_id,
      row.version,
    ).changes;
    if (changed !== 1) throw new Error(`assertion failed: product ${row.product_id} at version ${row.version} is updated inside its transaction`);
    return productById(row.product_id)!;
  };

  return {
    async insertSeller(s, at) {
      return db
        .transaction((): InsertSellerOutcome => {
          const existing = prepareCached(db, 'SELECT seller_id FROM sellers WHERE business_registration_number = ?').get(s.businessRegistrationNumber) as { seller_id: string } | undefined;
          if (existing) return { kind: 'exists', sellerId: existing.seller_id as SellerId };
          const seq = Number((prepareCached(db, 'SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM sellers').get() as { next: bigint }).next);
          const sellerId = sellerIdOf(seq);
          prepareCached(db, 'INSERT INTO sellers (seq, seller_id, legal_name, business_registration_number, contact_email, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
            seq,
            sellerId,
            s.legalName,
            s.businessRegistrationNumber,
            s.contactEmail,
            s.keyHash,
            at,
          );
          return { kind: 'created', seller: toSeller(prepareCached(db, 'SELECT * FROM sellers WHERE seller_id = ?').get(sellerId) as SellerRow) };
        })
        .immediate();
    },
    async getSeller(id) {
      const row = prepareCached(db, 'SELECT * FROM sellers WHERE seller_id = ?').get(id) as SellerRow | undefined;
      return row ? toSeller(row) : null;
    },
    async getSellerByKeyHash(keyHash) {
      const row = prepareCached(db, 'SELECT * FROM sellers WHERE key_hash = ?').get(keyHash) as SellerRow | undefined;
      return row ? toSeller(row) : null;
    },
    async insertProduct(p, at) {
      return db
        .transaction((): InsertProductOutcome => {
          const existing = productRowBySku(p.sellerId, p.content.sku);
          if (existing) return { kind: 'sku-taken', product: toProduct(existing), sameContent: existing.content_hash === p.contentHash };
          return { kind: 'created', product: insert(p, at) };
        })
        .immediate();
    },
    async getProduct(id) {
      return productById(id);
    },
    async listProducts(sellerId, { afterId, limit }) {
      const rows = prepareCached(db, 'SELECT * FROM products WHERE seller_id = ? AND product_id > ? ORDER BY product_id LIMIT ?').all(sellerId, afterId ?? '', limit) as ProductRow[];
      return rows.map(toProduct);
    },
    async updateProduct(id, change, at) {
      return db
        .transaction((): UpdateProductOutcome => {
          const row = prepareCached(db, 'SELECT * FROM products WHERE product_id = ?').get(id) as ProductRow | undefined;
          if (!row) return { kind: 'not-found' };
          if (row.content_hash === change.contentHash) return { kind: 'unchanged', product: toProduct(row) };
          if (Number(row.version) !== change.expectedVersion) return { kind: 'version-conflict', product: toProduct(row) };
          return { kind: 'updated', product: overwrite(row, change, at) };
        })
        .immediate();
    },
    async upsertProductBySku(p, at) {
      return db
        .transaction((): UpsertProductOutcome => {
          const row = productRowBySku(p.sellerId, p.content.sku);
          if (!row) return { kind: 'created', product: insert(p, at) };
          if (row.content_hash === p.contentHash) return { kind: 'unchanged', product: toProduct(row) };
          return { kind: 'updated', product: overwrite(row, p, at) };
        })
        .immediate();
    },
    async changesAfter(afterSeq, limit) {
      const rows = prepareCached(db, 'SELECT * FROM products WHERE change_seq > ? ORDER BY change_seq LIMIT ?').all(afterSeq, limit) as ProductRow[];
      return rows.map(toProduct);
    },
    async setSellerSuspended(sellerId, suspended, at) {
      return db
        .transaction((): SuspensionOutcome => {
          const row = prepareCached(db, 'SELECT * FROM sellers WHERE seller_id = ?').get(sellerId) as SellerRow | undefined;
          if (!row) return { kind: 'not-found' };
          if ((row.suspended_at !== null) === suspended) return { kind: 'unchanged', seller: toSeller(row) };
          prepareCached(db, 'UPDATE sellers SET suspended_at = ? WHERE seller_id = ?').run(suspended ? at : null, sellerId);
          const ids = prepareCached(db, 'SELECT product_id FROM products WHERE seller_id = ? ORDER BY product_id').all(sellerId) as { product_id: string }[];
          const bump = prepareCached(db, 'UPDATE products SET seller_suspended = ?, version = version + 1, change_seq = ?, updated_at = ? WHERE product_id = ?');
          for (const { product_id } of ids) bump.run(suspended ? 1 : 0, nextChangeSeq(), at, product_id);
          const seller = prepareCached(db, 'SELECT * FROM sellers WHERE seller_id = ?').get(sellerId) as SellerRow;
          return { kind: 'changed', seller: toSeller(seller), productsChanged: ids.length };
        })
        .immediate();
    },
    async applyListingReports(reports, at) {
      return db
        .transaction((): ListingReportsOutcome => {
          const outcome = { applied: 0, stale: 0, unknown: 0 };
          const exists = prepareCached(db, 'SELECT 1 FROM products WHERE product_id = ?');
          const upsert = prepareCached(
            db,
            `INSERT INTO listing_reports (product_id, revision, product_version, status, reasons, decided_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (product_id) DO UPDATE SET revision = excluded.revision, product_version = excluded.product_version, status = excluded.status,
               reasons = excluded.reasons, decided_at = excluded.decided_at, received_at = excluded.received_at
             WHERE excluded.revision > listing_reports.revision`,
          );
          for (const r of reports) {
            if (exists.get(r.productId) === undefined) outcome.unknown += 1;
            else if (upsert.run(r.productId, r.revision, r.productVersion, r.status, JSON.stringify(r.reasons), r.decidedAt, at).changes === 1) outcome.applied += 1;
            else outcome.stale += 1;
          }
          return outcome;
        })
        .immediate();
    },
    async listingsOf(productIds) {
      const found = new Map<string, ProductListing>();
      for (let from = 0; from < productIds.length; from += LISTINGS_LOOKUP_MAX) {
        const ids = productIds.slice(from, from + LISTINGS_LOOKUP_MAX);
        const rows = db.prepare(`SELECT * FROM listing_reports WHERE product_id IN (${ids.map(() => '?').join(', ')})`).all(...ids) as ListingReportRow[];
        for (const row of rows) found.set(row.product_id, toListing(row));
      }
      return found;
    },
  };
}
