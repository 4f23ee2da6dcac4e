/**
 * One suite for `MarketplaceStore`, on every engine the marketplace runs on
 * (STYLE 22): SQLite as is, SQLite through the group commit, and PostgreSQL
 * on a pool of several connections. Listings read back exactly; a page's
 * listings and its cursor commit together, only from the cursor the page was
 * read after; nothing older overwrites anything newer; the outbox of reports;
 * the schema refusing what the rules forbid; racing writers of one cursor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextListing, type IncomingProduct, type Listing } from './listing.ts';
import type { FeedPageWrite, MarketplaceStore } from './store.ts';
import { incoming, SETTINGS, STORE_TEST_ENGINES, type OpenStore } from './test-helpers.ts';

const MALL = 'MALL_KR_01';
const T0 = '2026-11-25T03:00:00.000Z';
const RACERS = 8;

/** A page write of `products` after `after`, planned by the listing rule over what the store holds. */
function page(after: bigint, nextCursor: bigint, products: readonly IncomingProduct[], at = T0): FeedPageWrite {
  return {
    mallId: MALL,
    after,
    nextCursor,
    productIds: products.map((p) => p.productId),
    at,
    plan: (existing) => products.flatMap((p) => nextListing(existing.get(p.productId) ?? null, p, SETTINGS, at) ?? []),
  };
}

for (const engine of STORE_TEST_ENGINES) {
  describe(`MarketplaceStore on ${engine.name}`, () => {
    let opened: OpenStore;
    let store: MarketplaceStore;
    before(async () => {
      opened = await engine.open();
      store = opened.store;
    });
    after(() => opened.close());

    it("writes a page's listings and its cursor together, and reads every field back exactly", async () => {
      assert.equal(await store.feedCursor(MALL), 0n);
      const products = [incoming('P01', 1), incoming('P02', 1, { title: { ko: '코트' }, priceKrw: 2n ** 53n + 1n }), incoming('P03', 2, {}, true)];
      assert.deepEqual(await store.applyFeedPage(page(0n, 3n, products)), { kind: 'applied', written: 3 });
      assert.equal(await store.feedCursor(MALL), 3n);
      assert.equal(await store.feedCursor('ANOTHER_MALL'), 0n);
      for (const p of products) assert.deepEqual(await store.getListing(p.productId), nextListing(null, p, SETTINGS, T0));
      const rejected = (await store.getListing('P02'))!;
      assert.equal(rejected.snapshot.priceKrw, 2n ** 53n + 1n);
      assert.deepEqual(rejected.decision.reasons, ['MISSING_CHINESE_TITLE', 'PRICE_ABOVE_ORDER_LIMIT']);
      assert.deepEqual(Object.keys(rejected.snapshot.title), ['ko'], 'a language not given is absent, not undefined');
      assert.equal(await store.getListing('P-none'), null);
      assert.deepEqual(await store.statusCounts(), { listed: 1, rejected: 1, delisted: 1 });
    });

    it('writes nothing, not even the cursor, from a cursor that moved on', async () => {
      const cursor = await store.feedCursor(MALL);
      assert.deepEqual(await store.applyFeedPage(page(cursor - 1n, cursor + 5n, [incoming('P01', 9, { stock: 0 })])), { kind: 'cursor-moved', cursor });
      assert.equal((await store.getListing('P01'))!.version, 1);
      assert.equal(await store.feedCursor(MALL), cursor);
    });

    it('overwrites a listing with a newer version the plan read it for; an empty page only moves the cursor', async () => {
      const cursor = await store.feedCursor(MALL);
      let seen: ReadonlyMap<string, Listing> = new Map();
      const write = page(cursor, cursor + 2n, [incoming('P01', 2, { stock: 0 }), incoming('P04', 1)]);
      assert.deepEqual(await store.applyFeedPage({ ...write, plan: (existing) => ((seen = existing), write.plan(existing)) }), { kind: 'applied', written: 2 });
      assert.deepEqual([...seen.keys()], ['P01'], 'the plan is given the listings held of the page’s products');
      const p01 = (await store.getListing('P01'))!;
      assert.deepEqual([p01.version, p01.snapshot.stock, p01.status, p01.revision, p01.reviewedVersion], [2, 0, 'listed', 1, 1]);
      assert.deepEqual(await store.applyFeedPage(page(cursor + 2n, cursor + 9n, [])), { kind: 'applied', written: 0 });
      assert.equal(await store.feedCursor(MALL), cursor + 9n);
    });

    it('refuses, whole, a page that would put an older version over a newer one', async () => {
      const cursor = await store.feedCursor(MALL);
      const held = (await store.getListing('P01'))!;
      const older = nextListing(null, incoming('P01', 1, { stock: 5 }), SETTINGS, T0)!;
      const fresh = nextListing(null, incoming('P05', 1), SETTINGS, T0)!;
      await assert.rejects(store.applyFeedPage({ ...page(cursor, cursor + 2n, []), productIds: ['P05', 'P01'], plan: () => [fresh, older] }), /every planned listing is newer/);
      assert.deepEqual(await store.getListing('P01'), held);
      assert.equal(await store.getListing('P05'), null, 'nothing of the page was written');
      assert.equal(await store.feedCursor(MALL), cursor);
    });

    it('keeps the outbox of reports: listings whose revision the mall has not acknowledged', async () => {
      assert.deepEqual((await store.unreportedListings(10)).map((l) => [l.productId, l.revision]), [['P01', 1], ['P02', 1], ['P03', 1], ['P04', 1]]);
      assert.deepEqual((await store.unreportedListings(2)).map((l) => l.productId), ['P01', 'P02']);
      await store.markReported([{ productId: 'P01', revision: 1 }, { productId: 'P02', revision: 1 }, { productId: 'P03', revision: 7 }]);
      assert.deepEqual((await store.unreportedListings(10)).map((l) => l.productId), ['P03', 'P04'], 'a revision the listing does not have yet is not acknowledged');
      const cursor = await store.feedCursor(MALL);
      await store.applyFeedPage(page(cursor, cursor + 1n, [incoming('P01', 3, { images: [] })]));
      const p01 = (await store.getListing('P01'))!;
      assert.deepEqual([p01.status, p01.revision, p01.reportedRevision], ['rejected', 2, 1]);
      assert.deepEqual((await store.unreportedListings(10)).map((l) => l.productId), ['P01', 'P03', 'P04']);
      await store.markReported([{ productId: 'P01', revision: 2 }]);
      await store.markReported([{ productId: 'P01', revision: 1 }]);
      assert.equal((await store.getListing('P01'))!.reportedRevision, 2, 'an older acknowledgement changes nothing');
    });

    it('pages listings by product id, of one status or all', async () => {
      assert.deepEqual((await store.listListings({ limit: 2 })).map((l) => l.productId), ['P01', 'P02']);
      assert.deepEqual((await store.listListings({ afterId: 'P02', limit: 10 })).map((l) => l.productId), ['P03', 'P04']);
      assert.deepEqual((await store.listListings({ status: 'rejected', limit: 10 })).map((l) => l.productId), ['P01', 'P02']);
      assert.deepEqual((await store.listListings({ status: 'delisted', limit: 10 })).map((l) => l.productId), ['P03']);
    });

    it('refuses rows that break the rules: shown without passing review, delisted without a suspension', async () => {
      const cursor = await store.feedCursor(MALL);
      const good = nextListing(null, incoming('P06', 1), SETTINGS, T0)!;
      const bad: readonly [string, Listing][] = [
        ['listed with reasons', { ...good, decision: { ...good.decision, reasons: ['NO_IMAGE'] } }],
        ['listed though the review rejected it', { ...good, decision: { ...good.decision, outcome: 'rejected', reasons: ['NO_IMAGE'] } }],
        ['delisted while the seller is in good standing', { ...good, status: 'delisted' }],
      ];
      for (const [name, listing] of bad) {
        await assert.rejects(store.applyFeedPage({ ...page(cursor, cursor + 1n, []), productIds: ['P06'], plan: () => [listing] }), (error: unknown) => {
          assert.ok(['SQLITE_CONSTRAINT_CHECK', '23514'].includes(String((error as { code?: unknown }).code)), `${name}: ${String(error)}`);
          return true;
        });
      }
      assert.equal(await store.getListing('P06'), null);
    });

    it('two readers applying pages from one cursor at once: one writes, the others find it moved', async () => {
      const cursor = await store.feedCursor(MALL);
      const outcomes = await Promise.all(Array.from({ length: RACERS }, (_, i) => store.applyFeedPage(page(cursor, cursor + 1n, [incoming('P07', i + 1)]))));
      assert.equal(outcomes.filter((o) => o.kind === 'applied').length, 1);
      assert.deepEqual(outcomes.filter((o) => o.kind === 'cursor-moved'), Array.from({ length: RACERS - 1 }, () => ({ kind: 'cursor-moved', cursor: cursor + 1n })));
      assert.equal(await store.feedCursor(MALL), cursor + 1n);
    });
  });
}
