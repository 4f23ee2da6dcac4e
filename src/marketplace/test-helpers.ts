/**
 * What the marketplace's tests share: its store on every engine it runs on,
 * the demo's review settings, and products to list.
 */
import assert from 'node:assert/strict';
import { currency, invertRate, parseRate } from '../money/index.ts';
import { storeTestEngines } from '../platform/testing/store-engines.ts';
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

export interface OpenStore {
  readonly store: MarketplaceStore;
  close(): Promise<void>;
}

/** Every engine the store runs on, for its contract suite (platform `storeTestEngines`). */
export const STORE_TEST_ENGINES = storeTestEngines<Omit<OpenStore, 'close'>>({
  name: 'marketplace-store',
  sqlite: (db, committed) => ({ store: committed(createSqliteMarketplaceStore(db)) }),
  postgres: async (pool) => ({ store: await createPostgresMarketplaceStore(pool) }),
});
