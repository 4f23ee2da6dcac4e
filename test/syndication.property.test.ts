/**
 * Issue 7's test of the feed under faults: a property test against a model.
 *
 * Random histories interleave sellers' writes at the mall (new products,
 * material changes, deltas, suspensions and reinstatements) with sync and
 * report passes of the marketplace that go wrong: a request lost before the
 * mall, an answer lost after it, a page delivered twice, an old page
 * delivered again in place of the one asked for, the marketplace restarted
 * between reading a page and writing it, the mall restarted mid-pass. After a
 * last pass without faults, the marketplace must hold exactly what the model
 * says (each of the mall's products at its latest version, reviewed, listed
 * unless the review rejected it or its seller is suspended), the same
 * listings as a clean marketplace that read the feed once, and the mall must
 * show every product's status and reasons as the marketplace decided them.
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PAIR_MALL_ID, PAIR_MALL_OPERATOR_KEY, PAIR_MALL_URL, startMarketPair, type MarketPair } from '../src/all-in-one/market-pair.ts';
import { createMarketplace, createSyndication, incomingOf, listingReasons, reviewProduct, type Listing, type ReviewSettings } from '../src/marketplace/index.ts';
import { currency, invertRate, parseRate } from '../src/money/index.ts';
import type { InstitutionEngine } from '../src/platform/db/institution.ts';
import { err, type Result } from '../src/platform/result.ts';
import { createTestDatabase } from '../src/platform/testing/postgres.ts';
import { createCatalogueFeedClient, createListingReportsClient, type CatalogueFeedError, type CatalogueFeedPage, type FeedProduct, type FetchFunction } from '../src/protocol/index.ts';

const rate = parseRate('190.25', { base: currency('CNY'), quote: currency('KRW') });
assert.ok(rate.ok);
const SETTINGS: ReviewSettings = { krwToCny: invertRate(rate.value), orderLimitCny: 500_000n };
const BRNS = ['220-81-62517', '120-81-47521'] as const;
const SKUS = ['A', 'B', 'C', 'D'] as const;
/** Changes per feed page: small, so that a pass reads several pages and faults land between them. */
const PAGE_ITEMS = 2;

// ------------------------------------------------------------ the history

interface Content {
  readonly zh: boolean;
  readonly hsCode: string;
  readonly price: string;
  readonly stock: number;
  readonly image: boolean;
  readonly description: boolean;
}
type PageFault = 'none' | 'lose-request' | 'lose-answer' | 'duplicate' | 'stale' | 'restart-marketplace' | 'restart-mall';
type Step =
  | { readonly kind: 'put'; readonly seller: number; readonly sku: (typeof SKUS)[number]; readonly content: Content }
  | { readonly kind: 'standing'; readonly seller: number; readonly suspended: boolean }
  | { readonly kind: 'sync'; readonly fault: PageFault; readonly atCall: number }
  | { readonly kind: 'report'; readonly fault: 'none' | 'lose-request' | 'lose-answer'; readonly atCall: number };

const content: fc.Arbitrary<Content> = fc.record({
  zh: fc.boolean(),
  hsCode: fc.constantFrom('620213', '620213', '930200', '6202'),
  price: fc.constantFrom('189000', '199000', '2000000'),
  stock: fc.integer({ min: 0, max: 2 }),
  image: fc.boolean(),
  description: fc.boolean(),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), seller: fc.integer({ min: 0, max: 1 }), sku: fc.constantFrom(...SKUS), content }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('standing' as const), seller: fc.integer({ min: 0, max: 1 }), suspended: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      fault: fc.constantFrom<PageFault>('none', 'lose-request', 'lose-answer', 'duplicate', 'stale', 'restart-marketplace', 'restart-mall'),
      atCall: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('report' as const), fault: fc.constantFrom('none' as const, 'lose-request' as const, 'lose-answer' as const), atCall: fc.integer({ min: 0, max: 2 }) }) },
);

function productBody(sku: string, c: Content) {
  return {
    title: { ko: `상품 ${sku}`, ...(c.zh ? { zh: `商品 ${sku}` } : {}) },
    category: 'fashion/outerwear',
    hsCode: c.hsCode,
    price: { currency: 'KRW', value: c.price },
    stock: c.stock,
    images: c.image ? [`https://mall.example/${sku}.jpg`] : [],
  };
}

// ------------------------------------------------------------ faults

/** What the next HTTP calls of the marketplace to the mall suffer: armed per pass, at its n-th call. */
interface HttpFaults {
  fault: 'none' | 'lose-request' | 'lose-answer';
  atCall: number;
  calls: number;
}

function faultyHttp(faults: HttpFaults, toMall: () => FetchFunction): FetchFunction {
  return async (url, init) => {
    const call = faults.calls++;
    if (call === faults.atCall && faults.fault === 'lose-request') throw new TypeError('fetch failed: the request was lost');
    const answer = await toMall()(url, init);
    if (call === faults.atCall && faults.fault === 'lose-answer') {
      await answer.body?.cancel();
      throw new TypeError('fetch failed: the answer was lost');
    }
    return answer;
  };
}

type ReadFeed = (page: { readonly after: string; readonly limit: number }) => Promise<Result<CatalogueFeedPage, CatalogueFeedError>>;

/** A feed reader whose `atCall`-th read in a pass suffers `fault`; `delivered` keeps every page delivered so far. */
function faultyReader(read: ReadFeed, fault: PageFault, atCall: number, delivered: CatalogueFeedPage[], restart: { marketplace(): Promise<void>; mall(): Promise<void> }): ReadFeed {
  let calls = 0;
  let again: CatalogueFeedPage | null = null;
  return async (page) => {
    const call = calls++;
    if (again !== null) {
      const duplicate = again;
      again = null;
      return { ok: true, value: duplicate };
    }
    if (call === atCall) {
      switch (fault) {
        case 'stale': {
          const old = delivered[(call * 7919) % Math.max(delivered.length, 1)];
          if (old !== undefined) return { ok: true, value: old };
          break;
        }
        case 'restart-marketplace':
          // The marketplace goes down between reading a page and writing it: the pass dies with its store.
          await restart.marketplace();
          return err({ kind: 'no-answer', detail: 'the marketplace restarted' });
        case 'restart-mall':
          await restart.mall();
          break;
        default:
          break;
      }
    }
    const answer = await read(page);
    if (answer.ok) {
      delivered.push(answer.value);
      if (call === atCall && fault === 'duplicate') again = answer.value;
    }
    return answer;
  };
}

// ------------------------------------------------------------ running a history

async function databases(engine: 'sqlite' | 'postgres', count: number): Promise<{ engines: InstitutionEngine[]; drop(): Promise<void> }> {
  if (engine === 'sqlite') return { engines: Array.from({ length: count }, () => ({ engine: 'sqlite' as const })), drop: async () => {} };
  const created = await Promise.all(Array.from({ length: count }, () => createTestDatabase()));
  return { engines: created.map((d) => ({ engine: 'postgres' as const, url: d.url })), drop: async () => void (await Promise.all(created.map((d) => d.drop()))) };
}

async function runHistory(engine: 'sqlite' | 'postgres', history: readonly Step[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dari-syndication-property-'));
  const dbs = await databases(engine, 3);
  const httpFaults: HttpFaults = { fault: 'none', atCall: 0, calls: 0 };
  let toMall: FetchFunction | null = null;
  let pair: MarketPair | null = null;
  try {
    pair = await startMarketPair({
      dataDir: dir,
      reviewSettings: () => SETTINGS,
      pageItems: PAGE_ITEMS,
      engines: { mall: dbs.engines[0]!, marketplace: dbs.engines[1]! },
      wrapFetch: (inner) => ((toMall = inner), faultyHttp(httpFaults, () => inner)),
    });
    const p = pair;
    const http = faultyHttp(httpFaults, () => toMall!);
    const peer = { self: p.marketplaceIdentity, mallId: PAIR_MALL_ID, baseUrl: PAIR_MALL_URL, keys: p.keys, fetch: http };
    const readFeed = createCatalogueFeedClient(peer);
    const sendReports = createListingReportsClient(peer);
    const delivered: CatalogueFeedPage[] = [];
    const sellers: { sellerId: string; apiKey: string }[] = [];
    for (const [i, brn] of BRNS.entries()) {
      const created = await p.mallApi('POST', '/mall/v1/sellers', { token: PAIR_MALL_OPERATOR_KEY, body: { legalName: `판매자 ${i}`, businessRegistrationNumber: brn, contactEmail: `s${i}@example.kr` } });
      assert.equal(created.status, 201);
      sellers.push(created.body as { sellerId: string; apiKey: string });
    }
    const productIds = new Map<string, string>();

    for (const s of history) {
      switch (s.kind) {
        case 'put': {
          const seller = sellers[s.seller]!;
          const key = `${s.seller}/${s.sku}`;
          const id = productIds.get(key);
          const body = productBody(s.sku, s.content);
          const answer =
            id === undefined
              ? await p.mallApi('POST', '/mall/v1/products', { token: seller.apiKey, body: { sku: s.sku, ...body, weightGrams: 500, originCountry: 'KR', ...(s.content.description ? { description: { ko: '설명' } } : {}) } })
              : await p.mallApi('PATCH', `/mall/v1/products/${id}`, { token: seller.apiKey, body: { ...body, description: s.content.description ? { ko: '설명' } : null } });
          assert.ok(answer.status === 200 || answer.status === 201, JSON.stringify(answer.body));
          productIds.set(key, answer.body.productId as string);
          break;
        }
        case 'standing': {
          const answer = await p.mallApi('POST', `/mall/v1/sellers/${sellers[s.seller]!.sellerId}/${s.suspended ? 'suspend' : 'reinstate'}`, { token: PAIR_MALL_OPERATOR_KEY });
          assert.equal(answer.status, 200);
          break;
        }
        case 'sync': {
          Object.assign(httpFaults, { calls: 0, atCall: s.atCall, fault: s.fault === 'lose-request' || s.fault === 'lose-answer' ? s.fault : 'none' });
          const syndication = createSyndication({
            store: p.marketplace().store,
            mallId: PAIR_MALL_ID,
            readFeed: faultyReader(readFeed, s.fault, s.atCall, delivered, { marketplace: () => p.restartMarketplace(), mall: () => p.restartMall() }),
            sendReports,
            reviewSettings: () => SETTINGS,
            now: () => new Date(),
            pageItems: PAGE_ITEMS,
          });
          // A pass whose store closed under it (the marketplace restarted) dies with an exception, as a crash would.
          await syndication.syncOnce().catch((error: unknown) => assert.match(String(error), /not open|ended|closed|Cannot use a pool/i));
          break;
        }
        case 'report': {
          Object.assign(httpFaults, { calls: 0, atCall: s.atCall, fault: s.fault });
          await p.marketplace().syndication.reportOnce();
          break;
        }
      }
    }

    // A last pass without faults, then the checks.
    Object.assign(httpFaults, { fault: 'none', calls: 0 });
    for (let pass = 0; ; pass++) {
      const synced = await p.marketplace().syndication.syncOnce();
      assert.ok(synced.ok, synced.ok ? '' : synced.error.detail);
      if (synced.value.caughtUp) break;
      assert.ok(pass < 10);
    }
    const reported = await p.marketplace().syndication.reportOnce();
    assert.ok(reported.ok && reported.value.caughtUp);

    const products = (await p.mall().service.feed({ after: 0n, limit: 500 })).changes.map((c) => c.product);
    assert.equal(products.length, productIds.size);
    const held = await p.marketplace().store.listListings({ limit: 500 });
    checkAgainstModel(products, held);

    // A clean marketplace, reading the feed once from the start, ends with the same listings.
    const clean = await createMarketplace({
      dataDir: join(dir, 'clean'),
      database: dbs.engines[2]!,
      identity: p.marketplaceIdentity,
      keys: p.keys,
      mall: { peerId: PAIR_MALL_ID, baseUrl: PAIR_MALL_URL },
      operatorKey: 'clean',
      reviewSettings: () => SETTINGS,
      fetch: async (url, init) => p.mall().app.request(url, init),
      syncIntervalMs: null,
    });
    try {
      assert.ok((await clean.syndication.syncOnce()).ok);
      assert.deepEqual((await clean.store.listListings({ limit: 500 })).map(comparable), held.map(comparable), 'the same listings as a clean run');
    } finally {
      await clean.close();
    }

    // The mall shows each product's listing as the marketplace decided it.
    for (const seller of sellers) {
      const page = await p.mallApi('GET', '/mall/v1/products?limit=100', { token: seller.apiKey });
      for (const shown of page.body.products as { productId: string; listing: { status: string; reasons: { code: string }[] } }[]) {
        const decided = held.find((l) => l.productId === shown.productId)!;
        assert.deepEqual([shown.listing.status, shown.listing.reasons.map((r) => r.code)], [decided.status, listingReasons(decided)], `the mall shows ${shown.productId} as decided`);
      }
    }
  } finally {
    await pair?.close();
    await dbs.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A listing without what depends on the path it took (revisions, times, which version was reviewed). */
function comparable(l: Listing) {
  return { productId: l.productId, version: l.version, snapshot: l.snapshot, sellerSuspended: l.sellerSuspended, status: l.status, decision: l.decision };
}

/** The model: each product at its latest version, reviewed; delisted while its seller is suspended, else where the review put it. */
function checkAgainstModel(products: readonly FeedProduct[], held: readonly Listing[]): void {
  assert.deepEqual(held.map((l) => l.productId), products.map((p) => p.productId).sort(), 'a listing per product of the mall, no other');
  for (const product of products) {
    const listing = held.find((l) => l.productId === product.productId)!;
    const { snapshot } = incomingOf(product);
    const decision = reviewProduct(snapshot, SETTINGS);
    assert.deepEqual(comparable(listing), {
      productId: product.productId,
      version: product.version,
      snapshot,
      sellerSuspended: product.sellerSuspended,
      status: product.sellerSuspended ? 'delisted' : decision.outcome,
      decision,
    });
  }
}

for (const [engine, numRuns] of [['sqlite', 25], ['postgres', 6]] as const) {
  describe(`the feed under faults, on ${engine}`, () => {
    it('duplicated, reordered and lost deliveries and restarts of either side converge to the same listings as a clean run (random histories)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), (history) => runHistory(engine, history)),
        { numRuns },
      );
    });
  });
}
