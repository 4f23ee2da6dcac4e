import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signMessage, verifyMessage } from '../platform/signing/index.ts';
import { CATALOGUE_FEED_BYTES_MAX, createCatalogueFeedClient, type CatalogueFeedPage, type FetchFunction } from '../protocol/index.ts';
import { KEYS, MALL_ID, MALL_TEST_ENGINES, MARKETPLACE_ID, MARKETPLACE_KEYS, productBody, startMall, STRANGER_ID, STRANGER_KEYS, type MallHarness } from './test-helpers.ts';

const BASE_URL = 'http://mall.test';

for (const engine of MALL_TEST_ENGINES) {
  describe(`the catalogue feed on ${engine}: signed, incremental, ordered, resumable`, () => {
    let h: MallHarness;
    let seller: { sellerId: string; apiKey: string };
    const fetchIn: FetchFunction = (url, init) => Promise.resolve(h.mall.app.request(url, init));
    const clientOf = (clientId: string, privateKey = MARKETPLACE_KEYS.privateKey) =>
      createCatalogueFeedClient({ self: { clientId, privateKey, keyVersion: 1 }, mallId: MALL_ID, baseUrl: BASE_URL, keys: KEYS, fetch: fetchIn });
    const marketplace = () => clientOf(MARKETPLACE_ID);
    /** Every page from `after` to the end, `limit` at a time. */
    async function readAll(after: string, limit: number): Promise<{ pages: CatalogueFeedPage[]; cursor: string }> {
      const read = marketplace();
      const pages: CatalogueFeedPage[] = [];
      let cursor = after;
      for (;;) {
        const page = await read({ after: cursor, limit });
        assert.ok(page.ok, JSON.stringify(page));
        pages.push(page.value);
        cursor = page.value.nextCursor;
        if (!page.value.hasMore) return { pages, cursor };
      }
    }
    before(async () => {
      h = await startMall(engine);
      seller = await h.signUp(0);
    });
    after(() => h.close());

    it('gives every product once, at its latest version, in the order of its cursors, a page at a time', async () => {
      const ids: string[] = [];
      for (const sku of ['A-1', 'A-2', 'A-3', 'A-4', 'A-5']) ids.push((await h.api('POST', '/mall/v1/products', { token: seller.apiKey, body: productBody(sku) })).body.productId as string);
      await h.api('PATCH', `/mall/v1/products/${ids[1]}`, { token: seller.apiKey, body: { stock: 1 } });
      await h.api('PATCH', `/mall/v1/products/${ids[1]}`, { token: seller.apiKey, body: { stock: 2 } });
      const { pages, cursor } = await readAll('0', 2);
      assert.deepEqual(pages.map((p) => p.changes.length), [2, 2, 1]);
      const changes = pages.flatMap((p) => p.changes);
      assert.deepEqual(changes.map((c) => c.product.sku), ['A-1', 'A-3', 'A-4', 'A-5', 'A-2'], 'A-2 once, where its latest change is');
      assert.equal(changes.at(-1)!.product.version, 3);
      assert.equal(changes.at(-1)!.product.stock, 2);
      const cursors = changes.map((c) => BigInt(c.cursor));
      assert.deepEqual(cursors, [...cursors].sort((x, y) => (x < y ? -1 : 1)));
      assert.equal(cursor, changes.at(-1)!.cursor);
      const { createdAt: _created, listing: _listing, ...view } = (await h.api('GET', `/mall/v1/products/${ids[0]}`, { token: seller.apiKey })).body;
      const { sellerSuspended, ...carried } = changes[0]!.product;
      assert.deepEqual(carried, view, 'the feed carries the product as the seller sees it');
      assert.equal(sellerSuspended, false);
    });

    it('from a saved cursor, gives only what changed since; reading a page again gives the same page', async () => {
      const start = (await readAll('0', 500)).cursor;
      assert.deepEqual(await marketplace()({ after: start, limit: 10 }), { ok: true, value: { changes: [], nextCursor: start, hasMore: false } });
      const created = await h.api('POST', '/mall/v1/products', { token: seller.apiKey, body: productBody('B-1') });
      await h.api('PATCH', `/mall/v1/products/${created.body.productId as string}`, { token: seller.apiKey, body: { title: { ko: '새 이름', zh: '新名' } } });
      const first = await marketplace()({ after: start, limit: 10 });
      // A reader restarted from the same cursor (a new client, new signatures) reads the same page.
      const again = await clientOf(MARKETPLACE_ID)({ after: start, limit: 10 });
      assert.ok(first.ok && again.ok);
      assert.deepEqual(again.value, first.value);
      assert.deepEqual(first.value.changes.map((c) => [c.product.sku, c.product.version]), [['B-1', 2]]);
      assert.equal(first.value.hasMore, false);
    });

    it('keeps a page within its byte limit, and says more follow', async () => {
      const long = '가'.repeat(5_000);
      const header = 'sku,title_ko,description_ko,category,hs_code,price_krw,stock,weight_grams,origin_country';
      for (const batch of [0, 1]) {
        const rows = Array.from({ length: 60 }, (_, i) => `L-${batch}-${i},긴 설명,${long},fashion/outerwear,620213,10000,1,100,KR`);
        const uploaded = await h.api('POST', '/mall/v1/product-uploads', { token: seller.apiKey, csv: [header, ...rows].join('\n') });
        assert.equal(uploaded.body.created, 60, JSON.stringify(uploaded.body).slice(0, 300));
      }
      const page = await marketplace()({ after: '0', limit: 500 });
      assert.ok(page.ok);
      assert.ok(page.value.hasMore);
      assert.ok(page.value.changes.length < 126);
      assert.ok(Buffer.byteLength(JSON.stringify(page.value)) <= CATALOGUE_FEED_BYTES_MAX + 100);
      const { pages } = await readAll('0', 500);
      assert.equal(pages.flatMap((p) => p.changes).length, 126, 'all of it, over several pages');
    });

    it('answers only its readers, only signed requests, each once, and signs its refusals too', async () => {
      const stranger = await clientOf(STRANGER_ID, STRANGER_KEYS.privateKey)({ after: '0', limit: 1 });
      assert.deepEqual(stranger.ok ? null : { kind: stranger.error.kind, status: stranger.error.kind === 'refused' ? stranger.error.status : 0 }, { kind: 'refused', status: 403 });

      const target = '/mall/v1/feed?after=0&limit=2';
      const signed = signMessage({ method: 'GET', path: target, clientId: MARKETPLACE_ID, requestTime: new Date().toISOString(), body: '', privateKey: MARKETPLACE_KEYS.privateKey, keyVersion: 1 });
      const send = (path: string, headers: Record<string, string>) => h.mall.app.request(`${BASE_URL}${path}`, { method: 'GET', headers });
      const codeOf = async (response: Response, path: string) => {
        const text = await response.text();
        const verified = verifyMessage({ method: 'GET', path, headers: response.headers, body: text, keys: KEYS, now: new Date() });
        assert.ok(verified.ok && verified.value.clientId === MALL_ID, 'the answer is signed by the mall');
        return [response.status, (JSON.parse(text) as { error?: { code: string } }).error?.code];
      };
      assert.deepEqual(await codeOf(await send(target, {}), target), [401, 'MISSING_HEADER']);
      const tampered = '/mall/v1/feed?after=0&limit=3';
      assert.deepEqual(await codeOf(await send(tampered, signed), tampered), [401, 'INVALID_SIGNATURE'], 'the limit is signed');
      assert.equal((await send(target, signed)).status, 200);
      assert.deepEqual(await codeOf(await send(target, signed), target), [401, 'REPLAYED_REQUEST']);
      const bad = '/mall/v1/feed?after=-1&limit=2';
      const badSigned = signMessage({ method: 'GET', path: bad, clientId: MARKETPLACE_ID, requestTime: new Date().toISOString(), body: '', privateKey: MARKETPLACE_KEYS.privateKey, keyVersion: 1 });
      assert.deepEqual(await codeOf(await send(bad, badSigned), bad), [400, 'INVALID_REQUEST']);
    });
  });
}
