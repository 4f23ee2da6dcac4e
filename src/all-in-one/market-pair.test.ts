/**
 * Syndication end to end, the mall and the marketplace each on its own
 * database talking signed HTTP: a seller's products are reviewed and listed,
 * the seller sees each one's status and reasons at the mall, deltas pass
 * without review, a fix is reviewed again, a suspension delists and a
 * reinstatement relists; and the background loop does it all by itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { currency, invertRate, parseRate } from '../money/index.ts';
import { CROSS_BORDER_ORDER_LIMIT_CNY, type ReviewSettings } from '../marketplace/index.ts';
import type { InstitutionEngine } from '../platform/db/institution.ts';
import { createTestDatabase } from '../platform/testing/postgres.ts';
import { PAIR_MALL_OPERATOR_KEY, PAIR_MARKETPLACE_OPERATOR_KEY, startMarketPair, type MarketPair } from './market-pair.ts';

const rate = parseRate('190.25', { base: currency('CNY'), quote: currency('KRW') });
assert.ok(rate.ok);
const SETTINGS: ReviewSettings = { krwToCny: invertRate(rate.value), orderLimitCny: CROSS_BORDER_ORDER_LIMIT_CNY };

function product(sku: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sku,
    title: { ko: '울 코트', zh: '羊毛大衣', en: 'Wool coat' },
    category: 'fashion/outerwear',
    hsCode: '620213',
    price: { currency: 'KRW', value: '189000' },
    stock: 12,
    weightGrams: 1800,
    originCountry: 'KR',
    images: ['https://mall.example/p/coat.jpg'],
    ...overrides,
  };
}

async function engines(): Promise<{ mall: InstitutionEngine; marketplace: InstitutionEngine; drop(): Promise<void> } | null> {
  const [mall, marketplace] = [await createTestDatabase(), await createTestDatabase()];
  return { mall: { engine: 'postgres', url: mall.url }, marketplace: { engine: 'postgres', url: marketplace.url }, drop: async () => (await mall.drop(), await marketplace.drop()) };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`syndication end to end on ${engine}`, () => {
    let dir: string;
    let pair: MarketPair;
    let postgres: Awaited<ReturnType<typeof engines>> = null;
    let seller: { sellerId: string; apiKey: string };
    const ids: Record<string, string> = {};
    const pass = async () => {
      const synced = await pair.marketplace().syndication.syncOnce();
      assert.ok(synced.ok, synced.ok ? '' : synced.error.detail);
      const reported = await pair.marketplace().syndication.reportOnce();
      assert.ok(reported.ok, reported.ok ? '' : reported.error.detail);
      return { synced: synced.value, reported: reported.value };
    };
    const listingAtMall = async (sku: string, lang = 'ko') => {
      const answer = await pair.mallApi('GET', `/mall/v1/products/${ids[sku]!}?lang=${lang}`, { token: seller.apiKey });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.listing as { status: string; reasons: { code: string; message: string }[]; decidedAt: string | null };
    };
    const codes = async (sku: string) => {
      const listing = await listingAtMall(sku);
      return [listing.status, ...listing.reasons.map((r) => r.code)];
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'dari-market-pair-'));
      postgres = engine === 'postgres' ? await engines() : null;
      pair = await startMarketPair({ dataDir: dir, reviewSettings: () => SETTINGS, pageItems: 2, ...(postgres === null ? {} : { engines: { mall: postgres.mall, marketplace: postgres.marketplace } }) });
      const created = await pair.mallApi('POST', '/mall/v1/sellers', { token: PAIR_MALL_OPERATOR_KEY, body: { legalName: '한복 공방', businessRegistrationNumber: '220-81-62517', contactEmail: 'shop@example.kr' } });
      assert.equal(created.status, 201);
      seller = created.body as { sellerId: string; apiKey: string };
    });
    after(async () => {
      await pair.close();
      await postgres?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("reviews and lists a seller's products, and the mall shows each one's status and reasons", async () => {
      const bodies = { COAT: product('COAT'), NOZH: product('NOZH', { title: { ko: '목도리' } }), PIPE: product('PIPE', { hsCode: '240220', images: [] }) };
      for (const [sku, body] of Object.entries(bodies)) {
        const answer = await pair.mallApi('POST', '/mall/v1/products', { token: seller.apiKey, body });
        assert.equal(answer.status, 201);
        ids[sku] = answer.body.productId as string;
      }
      assert.deepEqual(await codes('COAT'), ['in-review'], 'in review until the marketplace reports');
      const { synced, reported } = await pass();
      assert.deepEqual([synced.pages, synced.changes, synced.written, synced.caughtUp], [2, 3, 3, true]);
      assert.deepEqual([reported.reports, reported.caughtUp], [3, true]);
      assert.deepEqual(await codes('COAT'), ['listed']);
      assert.deepEqual(await codes('NOZH'), ['rejected', 'MISSING_CHINESE_TITLE']);
      assert.deepEqual(await codes('PIPE'), ['rejected', 'PROHIBITED_ITEM', 'NO_IMAGE']);
      const english = await listingAtMall('PIPE', 'en');
      assert.match(english.reasons[0]!.message, /does not sell/);
      assert.match((await listingAtMall('PIPE')).reasons[0]!.message, /[\uac00-\ud7a3]/, 'Korean by default');
      const listed = await pair.marketplace().app.request('/marketplace/v1/listings?status=listed', { headers: { Authorization: `Bearer ${PAIR_MARKETPLACE_OPERATOR_KEY}` } });
      const body = (await listed.json()) as { listings: { sku: string; review: { rulesVersion: string } }[]; counts: Record<string, number> };
      assert.deepEqual(body.listings.map((l) => l.sku), ['COAT']);
      assert.deepEqual(body.counts, { listed: 1, rejected: 2, delisted: 0 });
    });

    it('applies a stock delta without a review; a fix is reviewed and listed', async () => {
      const before = await pair.marketplace().store.getListing(ids.COAT!);
      await pair.mallApi('PATCH', `/mall/v1/products/${ids.COAT!}`, { token: seller.apiKey, body: { stock: 0, price: { currency: 'KRW', value: '179000' } } });
      await pair.mallApi('PATCH', `/mall/v1/products/${ids.NOZH!}`, { token: seller.apiKey, body: { title: { ko: '목도리', zh: '围巾' } } });
      const { reported } = await pass();
      const coat = (await pair.marketplace().store.getListing(ids.COAT!))!;
      assert.deepEqual([coat.version, coat.snapshot.stock, coat.snapshot.priceKrw, coat.reviewedVersion, coat.revision], [2, 0, 179_000n, before!.reviewedVersion, before!.revision]);
      assert.equal(reported.reports, 1, 'only the fixed product has news for the mall');
      assert.deepEqual(await codes('NOZH'), ['listed']);
    });

    it("delists a suspended seller's products and relists them on reinstatement", async () => {
      const suspended = await pair.mallApi('POST', `/mall/v1/sellers/${seller.sellerId}/suspend`, { token: PAIR_MALL_OPERATOR_KEY });
      assert.deepEqual([suspended.status, suspended.body.suspended, suspended.body.productsChanged], [200, true, 3]);
      await pass();
      for (const sku of ['COAT', 'NOZH', 'PIPE']) assert.deepEqual(await codes(sku), ['delisted', 'SELLER_SUSPENDED'], sku);
      assert.equal((await pair.mallApi('POST', `/mall/v1/sellers/${seller.sellerId}/suspend`, { token: PAIR_MALL_OPERATOR_KEY })).body.productsChanged, 0);
      assert.equal((await pair.mallApi('POST', `/mall/v1/sellers/${seller.sellerId}/reinstate`, { token: seller.apiKey })).status, 403, "the operator's call");
      await pair.mallApi('POST', `/mall/v1/sellers/${seller.sellerId}/reinstate`, { token: PAIR_MALL_OPERATOR_KEY });
      await pass();
      assert.deepEqual(await codes('COAT'), ['listed']);
      assert.deepEqual(await codes('PIPE'), ['rejected', 'PROHIBITED_ITEM', 'NO_IMAGE']);
    });

    it('the background loop lists a new product and reports it, with nobody calling a pass', async () => {
      await pair.close();
      pair = await startMarketPair({
        dataDir: dir,
        reviewSettings: () => SETTINGS,
        syncIntervalMs: 20,
        ...(postgres === null ? {} : { engines: { mall: postgres.mall, marketplace: postgres.marketplace } }),
      });
      // The same data, opened again: the seller and its key are still there.
      const created = await pair.mallApi('POST', '/mall/v1/products', { token: seller.apiKey, body: product('HAT') });
      ids.HAT = created.body.productId as string;
      for (let attempt = 0; (await codes('HAT'))[0] !== 'listed'; attempt++) {
        assert.ok(attempt < 500, 'listed by the loop');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
  });
}
