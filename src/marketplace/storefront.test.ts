/**
 * The storefront's shaping, pure: the language a shopper asked for with its
 * fallbacks, the CNY price at the network's rate rounded up (the number the
 * review held against the order limit), `available`, and the query's limits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextListing } from './listing.ts';
import { listingPriceCny } from './review-rules.ts';
import { foldAsciiCase, inLanguage, storefrontLanguage, STOREFRONT_PRODUCTS_PER_PAGE_DEFAULT, STOREFRONT_PRODUCTS_PER_PAGE_MAX, STOREFRONT_QUERY_CHARS_MAX, storefrontFilter, storefrontProduct, storefrontQuerySchema } from './storefront.ts';
import { incoming, SETTINGS } from './test-helpers.ts';

const AT = '2026-11-25T03:00:00.000Z';
const listed = (overrides: Parameters<typeof incoming>[2] = {}) => nextListing(null, incoming('P1', 1, overrides), SETTINGS, AT)!;

describe('the storefront', () => {
  it('shows a product in Chinese by default, in Korean or English when asked, falling back to Chinese then Korean', () => {
    const coat = listed({ description: { ko: '겨울용 코트', zh: '冬季大衣' } });
    assert.deepEqual([storefrontProduct(coat, 'zh', SETTINGS.krwToCny).title, storefrontProduct(coat, 'zh', SETTINGS.krwToCny).titleLang], ['羊毛大衣', 'zh']);
    assert.equal(storefrontProduct(coat, 'ko', SETTINGS.krwToCny).title, '울 코트');
    assert.equal(storefrontProduct(coat, 'en', SETTINGS.krwToCny).title, 'Wool coat');
    const english = storefrontProduct(coat, 'en', SETTINGS.krwToCny);
    assert.deepEqual([english.description, english.descriptionLang], ['冬季大衣', 'zh'], 'no English description: the Chinese one');
    assert.deepEqual(inLanguage({ ko: '코트' }, 'en'), { text: '코트', lang: 'ko' }, 'Korean is always there');
    assert.deepEqual(inLanguage({ ko: '코트', en: ' ' }, 'en'), { text: '코트', lang: 'ko' }, 'a blank text is no text');
  });

  it('prices in CNY at the network rate, rounded up to the fen: 189,000 KRW at 190.25 is 993.4296… CNY, shown 993.43', () => {
    const shown = storefrontProduct(listed(), 'zh', SETTINGS.krwToCny);
    assert.deepEqual(shown.price, { currency: 'CNY', value: '99343' });
    assert.equal(shown.priceRounding, 'ceil');
    const table: readonly [bigint, string][] = [
      [19_025n, '10000'],
      [190_250n, '100000'],
      [1n, '1'],
      [951_250n, '500000'],
    ];
    for (const [krw, fen] of table) assert.equal(listingPriceCny(krw, SETTINGS.krwToCny).toString(), fen, `${krw} KRW`);
    assert.deepEqual(storefrontProduct(listed({ priceKrw: 951_250n }), 'zh', SETTINGS.krwToCny).price.value, '500000', 'the last price inside the order limit');
  });

  it('shows an out-of-stock product as unavailable', () => {
    assert.equal(storefrontProduct(listed({ stock: 0 }), 'zh', SETTINGS.krwToCny).available, false);
    assert.equal(storefrontProduct(listed({ stock: 1 }), 'zh', SETTINGS.krwToCny).available, true);
  });

  it('never shapes a listing that is not listed', () => {
    const rejected = nextListing(null, incoming('P2', 1, { images: [] }), SETTINGS, AT)!;
    assert.equal(rejected.status, 'rejected');
    assert.throws(() => storefrontProduct(rejected, 'zh', SETTINGS.krwToCny), /listed products only/);
  });

  it('reads the query within its limits', () => {
    const refused: readonly Record<string, string>[] = [
      { limit: '0' },
      { limit: String(STOREFRONT_PRODUCTS_PER_PAGE_MAX + 1) },
      { limit: 'ten' },
      { lang: 'fr' },
      { q: 'x'.repeat(STOREFRONT_QUERY_CHARS_MAX + 1) },
      { category: 'Fashion' },
      { category: 'fashion/' },
      { category: 'a%' },
      { sort: 'price' },
    ];
    for (const query of refused) assert.equal(storefrontQuerySchema.safeParse(query).success, false, JSON.stringify(query));
    const parsed = storefrontQuerySchema.parse({ q: '  Wool COAT ', category: '', lang: 'en' });
    assert.deepEqual(storefrontFilter(parsed), { limit: STOREFRONT_PRODUCTS_PER_PAGE_DEFAULT, text: 'wool coat' }, 'trimmed, ASCII case folded, an empty category filters nothing');
    assert.deepEqual(storefrontFilter(storefrontQuerySchema.parse({ q: '', after: 'P9', limit: '5', category: 'fashion' })), { limit: 5, category: 'fashion', afterId: 'P9' });
    assert.deepEqual(['', undefined, 'ko', 'en'].map((lang) => storefrontLanguage(storefrontQuerySchema.parse(lang === undefined ? {} : { lang }))), ['zh', 'zh', 'ko', 'en'], 'Chinese unless asked');
    assert.equal(foldAsciiCase('ÉCOLE Coat 大衣'), 'École coat 大衣', 'ASCII letters only, as SQLite folds them');
  });
});
