import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { currency, invertRate, parseRate } from '../money/index.ts';
import { incomingOf, listingReport, nextListing, type IncomingProduct, type Listing } from './listing.ts';
import { CROSS_BORDER_ORDER_LIMIT_CNY, reviewProduct, type ReviewSettings } from './review-rules.ts';
import type { ProductSnapshot } from './types.ts';

const rate = parseRate('190.25', { base: currency('CNY'), quote: currency('KRW') });
assert.ok(rate.ok);
const SETTINGS: ReviewSettings = { krwToCny: invertRate(rate.value), orderLimitCny: CROSS_BORDER_ORDER_LIMIT_CNY };
const AT = '2026-11-25T03:00:00.000Z';

const COAT: ProductSnapshot = {
  title: { ko: '울 코트', zh: '羊毛大衣', en: 'Wool coat' },
  description: null,
  category: 'fashion/outerwear',
  hsCode: '620213',
  priceKrw: 189_000n,
  stock: 12,
  weightGrams: 1_800,
  originCountry: 'KR',
  images: ['https://mall.example/p/1.jpg'],
  certifications: [],
};
const NO_CHINESE: ProductSnapshot = { ...COAT, title: { ko: '울 코트' } };

const version = (v: number, snapshot: ProductSnapshot = COAT, sellerSuspended = false): IncomingProduct => ({ productId: 'P1', sellerId: 'SL000001', sku: 'COAT-1', version: v, snapshot, sellerSuspended });

/** Applies each arrival in turn, as the feed would deliver them. */
function applyAll(arrivals: readonly IncomingProduct[]): Listing | null {
  let listing: Listing | null = null;
  for (const [i, arrival] of arrivals.entries()) listing = nextListing(listing, arrival, SETTINGS, `2026-11-25T03:00:${String(i).padStart(2, '0')}.000Z`) ?? listing;
  return listing;
}

describe('a listing as versions of its product arrive', () => {
  it('lists a first version the review passes, rejects one it does not, with every reason', () => {
    const listed = nextListing(null, version(1), SETTINGS, AT)!;
    assert.equal(listed.status, 'listed');
    assert.deepEqual(listed.decision, reviewProduct(COAT, SETTINGS));
    assert.deepEqual([listed.revision, listed.revisionVersion, listed.reportedRevision, listed.reviewedVersion], [1, 1, 0, 1]);
    const rejected = nextListing(null, version(1, { ...NO_CHINESE, images: [] }), SETTINGS, AT)!;
    assert.equal(rejected.status, 'rejected');
    assert.deepEqual(rejected.decision.reasons, ['MISSING_CHINESE_TITLE', 'NO_IMAGE']);
  });

  it('ignores a version at or below the one it holds', () => {
    const held = nextListing(null, version(3), SETTINGS, AT)!;
    assert.equal(nextListing(held, version(3, NO_CHINESE), SETTINGS, AT), null);
    assert.equal(nextListing(held, version(2, NO_CHINESE), SETTINGS, AT), null);
  });

  const cases: ReadonlyArray<readonly [string, readonly IncomingProduct[], Partial<Listing>]> = [
    ['a stock delta keeps it listed, unreviewed, and tells the mall nothing new', [version(1), version(2, { ...COAT, stock: 0 })], { status: 'listed', reviewedVersion: 1, revision: 1, version: 2 }],
    ['a price delta inside the limit too', [version(1), version(2, { ...COAT, priceKrw: 199_000n })], { status: 'listed', reviewedVersion: 1, revision: 1 }],
    ['a price across the limit is reviewed and rejected', [version(1), version(2, { ...COAT, priceKrw: 2_000_000n })], { status: 'rejected', reviewedVersion: 2, revision: 2, revisionVersion: 2 }],
    ['the seller fixes what the review found', [version(1, NO_CHINESE), version(2)], { status: 'listed', reviewedVersion: 2, revision: 2 }],
    ['a material change that still fails keeps the status but changes the reasons', [version(1, NO_CHINESE), version(2, { ...NO_CHINESE, images: [] })], { status: 'rejected', revision: 2 }],
    ['a material change that still passes is reviewed, and the mall hears nothing new', [version(1), version(2, { ...COAT, hsCode: '620211' })], { status: 'listed', reviewedVersion: 2, revision: 1, revisionVersion: 1 }],
    ["the seller's suspension delists a listed product", [version(1), version(2, COAT, true)], { status: 'delisted', revision: 2 }],
    ["the seller's suspension delists a rejected one too", [version(1, NO_CHINESE), version(2, NO_CHINESE, true)], { status: 'delisted', revision: 2 }],
    ['reinstated, a product that passed is listed again', [version(1), version(2, COAT, true), version(3)], { status: 'listed', revision: 3 }],
    ['reinstated, a product that failed is rejected again', [version(1, NO_CHINESE), version(2, NO_CHINESE, true), version(3, NO_CHINESE)], { status: 'rejected', revision: 3 }],
    ['a material change while delisted is reviewed at once, and decides the relisting', [version(1), version(2, COAT, true), version(3, NO_CHINESE, true), version(4, NO_CHINESE)], { status: 'rejected', reviewedVersion: 4 }],
    ["a suspended seller's new product is reviewed, and delisted", [version(1, COAT, true)], { status: 'delisted', reviewedVersion: 1 }],
  ];
  for (const [name, arrivals, expected] of cases) {
    it(name, () => {
      const listing = applyAll(arrivals)!;
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(listing[key as keyof Listing], value, key);
      assert.deepEqual(listing.decision, reviewProduct(arrivals.at(-1)!.snapshot, SETTINGS), 'the decision is the review of the current content');
    });
  }

  it('reports the status with its reasons in every language', () => {
    const rejected = nextListing(null, version(1, NO_CHINESE), SETTINGS, AT)!;
    const report = listingReport(rejected);
    assert.deepEqual({ ...report, reasons: report.reasons.map((r) => r.code) }, { productId: 'P1', revision: 1, productVersion: 1, status: 'rejected', reasons: ['MISSING_CHINESE_TITLE'], decidedAt: AT });
    assert.match(report.reasons[0]!.message.zh, /中文/);
    const delisted = listingReport(nextListing(rejected, version(2, NO_CHINESE, true), SETTINGS, AT)!);
    assert.deepEqual(delisted.reasons.map((r) => r.code), ['SELLER_SUSPENDED']);
    assert.match(delisted.reasons[0]!.message.ko, /정지/);
    assert.deepEqual(listingReport(nextListing(null, version(1), SETTINGS, AT)!).reasons, []);
  });

  it('reads a feed product in its own words', () => {
    const incoming = incomingOf({
      productId: 'P1',
      sellerId: 'SL000001',
      sku: 'COAT-1',
      version: 2,
      title: { ko: '울 코트', zh: '羊毛大衣', en: 'Wool coat' },
      category: 'fashion/outerwear',
      hsCode: '620213',
      price: { currency: 'KRW', value: '189000' },
      stock: 12,
      weightGrams: 1800,
      originCountry: 'KR',
      images: ['https://mall.example/p/1.jpg'],
      certifications: [],
      sellerSuspended: false,
      updatedAt: AT,
    });
    assert.deepEqual(incoming, version(2));
  });
});

describe('a listing converges, whichever versions arrive and in what order', () => {
  const snapshot: fc.Arbitrary<ProductSnapshot> = fc.record({
    title: fc.constantFrom({ ko: '코트' }, { ko: '코트', zh: '大衣' }, { ko: '코트', zh: '大衣', en: 'Coat' }),
    description: fc.constantFrom(null, { ko: '설명' }),
    category: fc.constantFrom('fashion/outerwear', 'tobacco', 'beauty'),
    hsCode: fc.constantFrom('620213', '930200', '6202'),
    priceKrw: fc.constantFrom(1n, 189_000n, 951_250n, 951_251n),
    stock: fc.integer({ min: 0, max: 3 }),
    weightGrams: fc.constantFrom(100, 200),
    originCountry: fc.constantFrom('KR', 'CN'),
    images: fc.constantFrom([], ['https://a/1.jpg'], ['https://a/2.jpg']),
    certifications: fc.constantFrom([], ['KC-1']),
  });
  // A product's history: each version's content and its seller's standing.
  const history = fc.array(fc.record({ snapshot, suspended: fc.boolean() }), { minLength: 1, maxLength: 12 }).map((versions) => versions.map((v, i) => version(i + 1, v.snapshot, v.suspended)));

  it('ends as a clean first arrival of the latest version would: status, decision, content (random deliveries)', () => {
    fc.assert(
      fc.property(
        history.chain((versions) =>
          fc.tuple(
            fc.constant(versions),
            // Deliveries: any versions, any order, repeats allowed, the latest among them at some point.
            fc.array(fc.integer({ min: 0, max: versions.length - 1 }), { maxLength: 20 }).chain((seen) =>
              fc.integer({ min: 0, max: seen.length }).map((at) => [...seen.slice(0, at), versions.length - 1, ...seen.slice(at)].map((i) => versions[i]!)),
            ),
          ),
        ),
        ([versions, deliveries]) => {
          const converged = applyAll(deliveries)!;
          const clean = nextListing(null, versions.at(-1)!, SETTINGS, AT)!;
          const view = (l: Listing) => ({ version: l.version, snapshot: l.snapshot, sellerSuspended: l.sellerSuspended, status: l.status, decision: l.decision });
          assert.deepEqual(view(converged), view(clean));
          assert.equal(converged.status, clean.sellerSuspended ? 'delisted' : clean.decision.outcome);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
