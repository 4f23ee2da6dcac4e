/**
 * `MarketplaceStore.listedProducts` on every engine (STYLE 22), with the same
 * answers: listed listings only, by product id, a title matched in any
 * language with ASCII case folded and nothing else, a category matched with
 * what lies under it and never by a mere prefix of its name, and pages that
 * follow on from `afterId`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextListing, type IncomingProduct } from './listing.ts';
import type { MarketplaceStore } from './store.ts';
import { foldAsciiCase, type StorefrontFilter } from './storefront.ts';
import { incoming, SETTINGS, STORE_TEST_ENGINES, type OpenStore } from './test-helpers.ts';

const MALL = 'MALL_KR_01';
const AT = '2026-11-25T03:00:00.000Z';

const PRODUCTS: readonly IncomingProduct[] = [
  incoming('P01', 1, { title: { ko: '울 코트', zh: '羊毛大衣', en: 'Wool Coat' }, category: 'fashion/outerwear' }),
  incoming('P02', 1, { title: { ko: '캐시미어 코트', zh: '羊绒大衣' }, category: 'fashion/outerwear/long', stock: 0 }),
  incoming('P03', 1, { title: { ko: '에센스', zh: '精华液', en: 'ESSENCE École' }, category: 'beauty', hsCode: '330499' }),
  incoming('P04', 1, { title: { ko: '패션 잡지', zh: '时尚杂志', en: 'Fashionable magazine' }, category: 'fashionable', hsCode: '490290' }),
  // Not listed: rejected (no image), and delisted (its seller suspended). The storefront never shows them.
  incoming('P05', 1, { title: { ko: '코트 샘플', zh: '大衣样品', en: 'Coat sample' }, images: [] }),
  incoming('P06', 1, { title: { ko: '코트', zh: '大衣', en: 'Coat' } }, true),
];

const ids = async (store: MarketplaceStore, filter: Omit<StorefrontFilter, 'limit'> & { readonly limit?: number }): Promise<string[]> =>
  (await store.listedProducts({ limit: 50, ...filter })).map((l) => l.productId);

for (const engine of STORE_TEST_ENGINES) {
  describe(`the storefront's reads on ${engine.name}`, () => {
    let opened: OpenStore;
    let store: MarketplaceStore;
    before(async () => {
      opened = await engine.open();
      store = opened.store;
      const applied = await store.applyFeedPage({
        mallId: MALL,
        after: 0n,
        nextCursor: 6n,
        productIds: PRODUCTS.map((p) => p.productId),
        at: AT,
        plan: (existing) => PRODUCTS.flatMap((p) => nextListing(existing.get(p.productId) ?? null, p, SETTINGS, AT) ?? []),
      });
      assert.deepEqual(applied, { kind: 'applied', written: PRODUCTS.length });
    });
    after(() => opened.close());

    it('shows listed products only, out of stock included, by product id', async () => {
      assert.deepEqual(await ids(store, {}), ['P01', 'P02', 'P03', 'P04']);
      assert.deepEqual((await store.listedProducts({ limit: 50 })).map((l) => l.status), ['listed', 'listed', 'listed', 'listed']);
    });

    it('finds a title in any language, ASCII case folded, and nothing by a wildcard', async () => {
      const table: readonly [string, readonly string[]][] = [
        ['大衣', ['P01', 'P02']],
        ['코트', ['P01', 'P02']],
        ['wool coat', ['P01']],
        ['essence', ['P03']],
        ['école', []],
        ['École', ['P03']],
        ['%', []],
        ['_', []],
        ['fashion', ['P04']],
        ['coat sample', []],
      ];
      for (const [text, expected] of table) assert.deepEqual(await ids(store, { text: foldAsciiCase(text) }), expected, text);
    });

    it('filters by a category and what lies under it, not by a prefix of its name', async () => {
      const table: readonly [string, readonly string[]][] = [
        ['fashion', ['P01', 'P02']],
        ['fashion/outerwear', ['P01', 'P02']],
        ['fashion/outerwear/long', ['P02']],
        ['fashion/out', []],
        ['fashionable', ['P04']],
        ['beauty', ['P03']],
        ['toys', []],
      ];
      for (const [category, expected] of table) assert.deepEqual(await ids(store, { category }), expected, category);
      assert.deepEqual(await ids(store, { category: 'fashion', text: foldAsciiCase('Wool') }), ['P01'], 'both filters at once');
    });

    it('pages from after a product id, a limit at a time', async () => {
      assert.deepEqual(await ids(store, { limit: 3 }), ['P01', 'P02', 'P03']);
      assert.deepEqual(await ids(store, { limit: 3, afterId: 'P03' }), ['P04']);
      assert.deepEqual(await ids(store, { limit: 3, afterId: 'P04' }), []);
      assert.deepEqual(await ids(store, { limit: 1, afterId: 'P01', category: 'fashion' }), ['P02']);
    });
  });
}
