/**
 * What the marketplace's tests share: its store on every engine it runs on,
 * the demo's review settings, and products to list.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currency, invertRate, parseRate } from '../money/index.ts';
import { createSqliteGroupCommit, groupCommitted } from '../platform/db/group-commit.ts';
import { createPostgresPool } from '../platform/db/postgres.ts';
import { openSqlite } from '../platform/db/sqlite.ts';
import { createTestDatabase } from '../platform/testing/postgres.ts';
import type { IncomingProduct } from './listing.ts';
import { CROSS_BORDER_ORDER_LIMIT_CNY, type ReviewSettings } from './review-rules.ts';
import { createSqliteMarketplaceStore, type MarketplaceStore } from './store.ts';
import { createPostgresMarketplaceStore } from './store-postgres.ts';
import type { ProductSnapshot } from './types.ts';

/** The review at the demo's network rate, 1 CNY = 190.25 KRW. */
export function reviewSettingsAt(cnyKrw: string): ReviewSettings {
  const rate = parseRate(cnyKrw, { base: currency('CNY'), quote: currency('KRW') });
  assert.ok(rate.ok);
  return { krwToCny: invertRate(rate.value), orderLimitCny: CROSS_BORDER_ORDER_LIMIT_CNY };
}
export const SETTINGS = reviewSettingsAt('190.25');

export const COAT: ProductSnapshot = {
  title: { ko: '울 코트', zh: '羊毛大衣', en: 'Wool coat' },
  description: { ko: '겨울용 코트' },
  category: 'fashion/outerwear',
  hsCode: '620213',
  priceKrw: 189_000n,
  stock: 12,
  weightGrams: 1_800,
  originCountry: 'KR',
  images: ['https://mall.example/p/1.jpg'],
  certifications: ['KC-1234'],
};

export function incoming(productId: string, version: number, overrides: Partial<ProductSnapshot> = {}, sellerSuspended = false): IncomingProduct {
  return { productId, sellerId: 'SL000001', sku: `SKU-${productId}`, version, snapshot: { ...COAT, ...overrides }, sellerSuspended };
}

/** Connections of the PostgreSQL pool in store tests: several, so that concurrent callers really race. */
export const POSTGRES_STORE_TEST_CONNECTIONS = 8;

export interface OpenStore {
  readonly store: MarketplaceStore;
  close(): Promise<void>;
}

export const STORE_TEST_ENGINES: readonly { readonly name: string; open(): Promise<OpenStore> }[] = [
  {
    name: 'SQLite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'dari-marketplace-store-'));
      const db = openSqlite(join(dir, 'marketplace.db'));
      return {
        store: createSqliteMarketplaceStore(db),
        close: async () => {
          db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'SQLite, group-committed',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'dari-marketplace-store-'));
      const db = openSqlite(join(dir, 'marketplace.db'));
      const groupCommit = createSqliteGroupCommit(db);
      return {
        store: groupCommitted(createSqliteMarketplaceStore(db), groupCommit),
        close: async () => {
          await groupCommit.flush();
          db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const database = await createTestDatabase();
      const pool = createPostgresPool(database.url, { connectionsMax: POSTGRES_STORE_TEST_CONNECTIONS });
      try {
        return {
          store: await createPostgresMarketplaceStore(pool),
          close: async () => {
            await pool.end();
            await database.drop();
          },
        };
      } catch (error) {
        await pool.end();
        await database.drop();
        throw error;
      }
    },
  },
];
