import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { currency, invertRate, parseRate } from '../money/index.ts';
import { classifyProductChange, listingEventOf, PRODUCT_FIELDS, type ProductChange } from './listing-changes.ts';
import { CROSS_BORDER_ORDER_LIMIT_CNY, reviewProduct, type ReviewSettings } from './review-rules.ts';
import type { ProductSnapshot } from './types.ts';

const rate = parseRate('190.25', { base: currency('CNY'), quote: currency('KRW') });
assert.ok(rate.ok);
const SETTINGS: ReviewSettings = { krwToCny: invertRate(rate.value), orderLimitCny: CROSS_BORDER_ORDER_LIMIT_CNY };
/** The last price inside the 5,000 CNY limit at 190.25. */
const LIMIT_KRW = 951_250n;

const COAT: ProductSnapshot = {
  title: { ko: '울 코트', zh: '羊毛大衣', en: 'Wool coat' },
  description: { ko: '겨울용 코트' },
  category: 'fashion/outerwear',
  hsCode: '620213',
  priceKrw: 189_000n,
  stock: 12,
  weightGrams: 1_800,
  originCountry: 'KR',
  images: ['https://mall.example/p/1.jpg'],
  certifications: ['KC-1234', 'CCC-2024'],
};
const change = (overrides: Partial<ProductSnapshot>): ProductChange => classifyProductChange(COAT, { ...COAT, ...overrides }, SETTINGS);

describe('what a new version changes for its listing', () => {
  const cases: ReadonlyArray<readonly [string, Partial<ProductSnapshot>, ProductChange]> = [
    ['nothing', {}, { material: [], deltas: [], other: [] }],
    ['the Chinese title', { title: { ko: '울 코트', zh: '羊绒大衣', en: 'Wool coat' } }, { material: ['title'], deltas: [], other: [] }],
    ['the Korean title only', { title: { ko: '울 롱코트', zh: '羊毛大衣', en: 'Wool coat' } }, { material: ['title'], deltas: [], other: [] }],
    ['the English title removed', { title: { ko: '울 코트', zh: '羊毛大衣' } }, { material: ['title'], deltas: [], other: [] }],
    ['the category', { category: 'fashion/coats' }, { material: ['category'], deltas: [], other: [] }],
    ['the HS code', { hsCode: '620211' }, { material: ['hsCode'], deltas: [], other: [] }],
    ['a certification added', { certifications: ['KC-1234', 'CCC-2024', 'FDA-9'] }, { material: ['certifications'], deltas: [], other: [] }],
    ['certifications in another order (the same set)', { certifications: ['CCC-2024', 'KC-1234'] }, { material: [], deltas: [], other: [] }],
    ['the price, inside the limit', { priceKrw: 199_000n }, { material: [], deltas: ['price'], other: [] }],
    ['the price, up to the limit exactly', { priceKrw: LIMIT_KRW }, { material: [], deltas: ['price'], other: [] }],
    ['the price, across the limit', { priceKrw: LIMIT_KRW + 1n }, { material: ['price'], deltas: [], other: [] }],
    ['the stock', { stock: 0 }, { material: [], deltas: ['stock'], other: [] }],
    ['price and stock together', { priceKrw: 179_000n, stock: 30 }, { material: [], deltas: ['price', 'stock'], other: [] }],
    ['the description', { description: { ko: '겨울용 울 코트', zh: '冬季羊毛大衣' } }, { material: [], deltas: [], other: ['description'] }],
    ['the description removed', { description: null }, { material: [], deltas: [], other: ['description'] }],
    ['weight and origin', { weightGrams: 1_900, originCountry: 'CN' }, { material: [], deltas: [], other: ['weightGrams', 'originCountry'] }],
    ['another image', { images: ['https://mall.example/p/2.jpg'] }, { material: [], deltas: [], other: ['images'] }],
    ['every image removed', { images: [] }, { material: ['images'], deltas: [], other: [] }],
    [
      'a title, a price across the limit, stock and weight at once',
      { title: { ko: '캐시미어 코트', zh: '羊绒大衣' }, priceKrw: 2_000_000n, stock: 1, weightGrams: 2_000 },
      { material: ['title', 'price'], deltas: ['stock'], other: ['weightGrams'] },
    ],
  ];
  for (const [name, overrides, expected] of cases) {
    it(name, () => assert.deepEqual(change(overrides), expected));
  }

  it('a material change goes back to review, a delta or another change does not, and no change is no event', () => {
    assert.equal(listingEventOf(change({ hsCode: '620211', stock: 3 })), 'material-change');
    assert.equal(listingEventOf(change({ stock: 3 })), 'delta-change');
    assert.equal(listingEventOf(change({ originCountry: 'JP' })), 'delta-change');
    assert.equal(listingEventOf(change({})), null);
  });

  it('whatever is not material cannot change the review\'s decision (random versions)', () => {
    const snapshot: fc.Arbitrary<ProductSnapshot> = fc.record({
      title: fc.constantFrom({ ko: '코트' }, { ko: '코트', zh: '大衣' }, { ko: '코트', zh: '大衣', en: 'Coat' }),
      description: fc.constantFrom(null, { ko: '설명' }, { ko: '설명', zh: '说明' }),
      category: fc.constantFrom('fashion/outerwear', 'tobacco', 'beauty'),
      hsCode: fc.constantFrom('620213', '930200', '6202', '770000'),
      priceKrw: fc.constantFrom(1n, 189_000n, LIMIT_KRW, LIMIT_KRW + 1n, 5_000_000n),
      stock: fc.integer({ min: 0, max: 5 }),
      weightGrams: fc.integer({ min: 1, max: 5_000 }),
      originCountry: fc.constantFrom('KR', 'CN'),
      images: fc.constantFrom([], ['https://a/1.jpg'], ['https://a/2.jpg', 'https://a/3.jpg']),
      certifications: fc.constantFrom([], ['KC-1'], ['KC-1', 'CCC-2']),
    });
    fc.assert(
      fc.property(snapshot, snapshot, (before, after) => {
        const classified = classifyProductChange(before, after, SETTINGS);
        const all = [...classified.material, ...classified.deltas, ...classified.other];
        assert.equal(new Set(all).size, all.length, 'each field is sorted once');
        assert.deepEqual([...all].sort(), PRODUCT_FIELDS.filter((f) => all.includes(f)).sort());
        if (classified.material.length === 0) {
          assert.deepEqual(reviewProduct(after, SETTINGS), reviewProduct(before, SETTINGS));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
