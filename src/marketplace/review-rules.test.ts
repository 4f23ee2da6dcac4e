import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { currency, invertRate, parseRate } from '../money/index.ts';
import {
  CROSS_BORDER_ORDER_LIMIT_CNY,
  LISTING_PRICE_ROUNDING,
  REVIEW_REASON_CODES,
  REVIEW_RULES,
  REVIEW_RULES_VERSION,
  listingPriceCny,
  reasonMessage,
  reviewProduct,
  type ReviewReasonCode,
  type ReviewSettings,
} from './review-rules.ts';
import { LANGUAGES, type ReviewInput } from './types.ts';

/** The demo's network rate, 1 CNY = 190.25 KRW, seen from KRW. */
function settingsAt(cnyKrw: string): ReviewSettings {
  const rate = parseRate(cnyKrw, { base: currency('CNY'), quote: currency('KRW') });
  assert.ok(rate.ok);
  return { krwToCny: invertRate(rate.value), orderLimitCny: CROSS_BORDER_ORDER_LIMIT_CNY };
}
const SETTINGS = settingsAt('190.25');
/** 5,000.00 CNY × 190.25 = 951,250 KRW exactly: the last price inside the limit. */
const LIMIT_KRW = 951_250n;

const COAT: ReviewInput = {
  title: { ko: '울 코트', zh: '羊毛大衣', en: 'Wool coat' },
  category: 'fashion/outerwear',
  hsCode: '620213',
  priceKrw: 189_000n,
  images: ['https://mall.example/p/1.jpg'],
};
const product = (overrides: Partial<ReviewInput>): ReviewInput => ({ ...COAT, ...overrides });

describe('the automated review, rule by rule', () => {
  const cases: ReadonlyArray<readonly [string, ReviewInput, readonly ReviewReasonCode[]]> = [
    ['a complete product', COAT, []],
    ['no Chinese title', product({ title: { ko: '울 코트', en: 'Wool coat' } }), ['MISSING_CHINESE_TITLE']],
    ['a blank Chinese title', product({ title: { ko: '울 코트', zh: '  ' } }), ['MISSING_CHINESE_TITLE']],
    ['an empty Chinese title', product({ title: { ko: '울 코트', zh: '' } }), ['MISSING_CHINESE_TITLE']],
    ['an HS code of 4 digits', product({ hsCode: '6202' }), ['INVALID_HS_CODE']],
    ['an HS code of 11 digits', product({ hsCode: '62021300001' }), ['INVALID_HS_CODE']],
    ['an HS code with a dot', product({ hsCode: '6202.13' }), ['INVALID_HS_CODE']],
    ['an empty HS code', product({ hsCode: '' }), ['INVALID_HS_CODE']],
    ['HS chapter 00', product({ hsCode: '000000' }), ['INVALID_HS_CODE']],
    ['HS chapter 77 (unused)', product({ hsCode: '770000' }), ['INVALID_HS_CODE']],
    ['HS chapter 98 (beyond 97)', product({ hsCode: '980000' }), ['INVALID_HS_CODE']],
    ['HS chapter 01, 10 digits', product({ hsCode: '0101210000' }), []],
    ['HS chapter 97, 6 digits', product({ hsCode: '970110' }), []],
    ['HS chapter 93 (arms)', product({ hsCode: '930200' }), ['PROHIBITED_ITEM']],
    ['HS chapter 24 (tobacco)', product({ hsCode: '240220' }), ['PROHIBITED_ITEM']],
    ['HS chapter 30 (pharmaceuticals)', product({ hsCode: '3004900000' }), ['PROHIBITED_ITEM']],
    ['a prohibited category', product({ category: 'tobacco' }), ['PROHIBITED_ITEM']],
    ['under a prohibited category', product({ category: 'weapons/knives' }), ['PROHIBITED_ITEM']],
    ['a category that only starts like one', product({ category: 'weaponsmith-tools' }), []],
    ['a prohibited category and chapter: one reason', product({ category: 'weapons', hsCode: '930200' }), ['PROHIBITED_ITEM']],
    ['the price at the limit exactly', product({ priceKrw: LIMIT_KRW }), []],
    ['one won above the limit (rounded up to 5,000.01)', product({ priceKrw: LIMIT_KRW + 1n }), ['PRICE_ABOVE_ORDER_LIMIT']],
    ['no image', product({ images: [] }), ['NO_IMAGE']],
    ['a 4-digit chapter-93 code: invalid and prohibited', product({ hsCode: '9301' }), ['INVALID_HS_CODE', 'PROHIBITED_ITEM']],
    ['no Chinese title and no image', product({ title: { ko: '코트' }, images: [] }), ['MISSING_CHINESE_TITLE', 'NO_IMAGE']],
    [
      'everything wrong at once',
      { title: { ko: '사냥총' }, category: 'weapons/rifles', hsCode: '93', priceKrw: 20_000_000n, images: [] },
      ['MISSING_CHINESE_TITLE', 'INVALID_HS_CODE', 'PROHIBITED_ITEM', 'PRICE_ABOVE_ORDER_LIMIT', 'NO_IMAGE'],
    ],
  ];
  for (const [name, input, reasons] of cases) {
    it(`${name}: ${reasons.length === 0 ? 'listed' : reasons.join(', ')}`, () => {
      const decision = reviewProduct(input, SETTINGS);
      assert.deepEqual(decision.reasons, reasons);
      assert.equal(decision.outcome, reasons.length === 0 ? 'listed' : 'rejected');
      assert.equal(decision.rulesVersion, REVIEW_RULES_VERSION);
    });
  }

  it('checks the limit at the network rate of the day', () => {
    // At 1 CNY = 200 KRW the same 951,251 won is 4,756.26 CNY: inside the limit.
    assert.deepEqual(reviewProduct(product({ priceKrw: LIMIT_KRW + 1n }), settingsAt('200')).reasons, []);
    assert.deepEqual(reviewProduct(product({ priceKrw: 1_000_001n }), settingsAt('200')).reasons, ['PRICE_ABOVE_ORDER_LIMIT']);
    assert.deepEqual(reviewProduct(product({ priceKrw: 1_000_000n }), settingsAt('200')).reasons, []);
  });

  it('converts the price as the storefront will show it: rounded up, to the fen', () => {
    assert.equal(LISTING_PRICE_ROUNDING, 'ceil');
    assert.equal(listingPriceCny(19_025n, SETTINGS.krwToCny), 10_000n, '19,025 KRW is 100.00 CNY exactly');
    assert.equal(listingPriceCny(19_026n, SETTINGS.krwToCny), 10_001n, '19,026 KRW is 100.005… CNY, shown as 100.01');
    assert.equal(listingPriceCny(1n, SETTINGS.krwToCny), 1n, 'one won is 0.0052… CNY, shown as 0.01');
  });

  it('every reason code has one rule and a message in Korean, Chinese and English', () => {
    assert.deepEqual(REVIEW_RULES.map((rule) => rule.code), [...REVIEW_REASON_CODES]);
    for (const code of REVIEW_REASON_CODES) {
      for (const language of LANGUAGES) assert.ok(reasonMessage(code, language).length > 10, `${code} in ${language}`);
      assert.match(reasonMessage(code, 'ko'), /[\uac00-\ud7a3]/, `${code} in Korean is Hangul`);
      assert.match(reasonMessage(code, 'zh'), /[\u4e00-\u9fff]/, `${code} in Chinese is Han`);
      assert.doesNotMatch(reasonMessage(code, 'en'), /[^\x20-\x7e]/, `${code} in English is ASCII`);
    }
  });
});

// ------------------------------------------------------------ properties

const productArbitrary: fc.Arbitrary<ReviewInput> = fc.record({
  title: fc
    .record({ ko: fc.string({ minLength: 1, maxLength: 8 }), zh: fc.option(fc.string({ maxLength: 8 })), en: fc.option(fc.string({ maxLength: 8 })) })
    .map(({ ko, zh, en }) => ({ ko, ...(zh === null ? {} : { zh }), ...(en === null ? {} : { en }) })),
  category: fc.constantFrom('fashion/outerwear', 'beauty', 'food/snacks', 'tobacco', 'weapons/knives', 'pharmaceuticals/vitamins', 'toys'),
  hsCode: fc.oneof(fc.stringMatching(/^[0-9]{6,10}$/), fc.stringMatching(/^[0-9]{0,12}$/), fc.constantFrom('930200', '240220', '300490', '770000', '6202.13')),
  priceKrw: fc.bigInt({ min: 1n, max: 100_000_000n }),
  images: fc.array(fc.webUrl(), { maxLength: 3 }),
});

/** One change that brings each reason's cause into a product, touching nothing another rule reads. */
const CAUSES: Readonly<Record<ReviewReasonCode, (p: ReviewInput) => ReviewInput>> = {
  MISSING_CHINESE_TITLE: (p) => ({ ...p, title: { ko: p.title.ko, ...(p.title.en === undefined ? {} : { en: p.title.en }) } }),
  // Twelve characters can never be a valid code; the first two (the chapter the prohibited list reads) stay.
  INVALID_HS_CODE: (p) => ({ ...p, hsCode: p.hsCode.length >= 2 ? `${p.hsCode.slice(0, 2)}0000000000` : `${p.hsCode}xxxxxxxxxxxx` }),
  PROHIBITED_ITEM: (p) => ({ ...p, category: 'weapons/knives' }),
  PRICE_ABOVE_ORDER_LIMIT: (p) => ({ ...p, priceKrw: p.priceKrw > LIMIT_KRW ? p.priceKrw : LIMIT_KRW + 1n + p.priceKrw }),
  NO_IMAGE: (p) => ({ ...p, images: [] }),
};

describe('the automated review, as properties', () => {
  it('adding one reason\'s cause adds that reason and removes none of the others', () => {
    fc.assert(
      fc.property(productArbitrary, fc.constantFrom(...REVIEW_REASON_CODES), (input, code) => {
        const before = new Set(reviewProduct(input, SETTINGS).reasons);
        const after = new Set(reviewProduct(CAUSES[code](input), SETTINGS).reasons);
        assert.ok(after.has(code), `${code} applies after its cause is added`);
        for (const reason of before) assert.ok(after.has(reason), `${reason} stays after adding ${code}`);
      }),
      { numRuns: 500 },
    );
  });

  it('a product is listed exactly when no rule applies, and reasons keep the rules\' order without repeats', () => {
    fc.assert(
      fc.property(productArbitrary, (input) => {
        const decision = reviewProduct(input, SETTINGS);
        assert.equal(decision.outcome === 'listed', decision.reasons.length === 0);
        const order = decision.reasons.map((code) => REVIEW_REASON_CODES.indexOf(code));
        assert.deepEqual(order, [...order].sort((x, y) => x - y));
        assert.equal(new Set(order).size, order.length);
        assert.deepEqual(decision.reasons, REVIEW_RULES.filter((rule) => rule.applies(input, SETTINGS)).map((rule) => rule.code));
      }),
      { numRuns: 500 },
    );
  });

  it('a higher price never clears PRICE_ABOVE_ORDER_LIMIT (the conversion is monotone)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), (priceKrw, more) => {
        const low = reviewProduct(product({ priceKrw }), SETTINGS).reasons.includes('PRICE_ABOVE_ORDER_LIMIT');
        const high = reviewProduct(product({ priceKrw: priceKrw + more }), SETTINGS).reasons.includes('PRICE_ABOVE_ORDER_LIMIT');
        assert.ok(!low || high);
        assert.equal(low, priceKrw > LIMIT_KRW);
      }),
    );
  });
});
