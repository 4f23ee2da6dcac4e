import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signMessage, verifyMessage } from '../platform/signing/index.ts';
import { createListingReportsClient, LISTING_REPORTS_BYTES_MAX, LISTING_REPORTS_PATH, listingReportsThatFit, type FetchFunction, type ListingReport } from '../protocol/index.ts';
import { KEYS, MALL_ID, MALL_TEST_ENGINES, MARKETPLACE_ID, MARKETPLACE_KEYS, OPERATOR_KEY, productBody, startMall, STRANGER_ID, STRANGER_KEYS, type MallHarness } from './test-helpers.ts';

const BASE_URL = 'http://mall.test';
const REASON = { code: 'NO_IMAGE', message: { ko: '상품 이미지가 없습니다.', zh: '没有商品图片。', en: 'The product has no image.' } };

for (const engine of MALL_TEST_ENGINES) {
  describe(`listing reports from the marketplace on ${engine}: signed, idempotent, newest revision wins`, () => {
    let h: MallHarness;
    let seller: { sellerId: string; apiKey: string };
    let productId: string;
    const fetchIn: FetchFunction = (url, init) => Promise.resolve(h.mall.app.request(url, init));
    const clientOf = (clientId: string, privateKey = MARKETPLACE_KEYS.privateKey) =>
      createListingReportsClient({ self: { clientId, privateKey, keyVersion: 1 }, mallId: MALL_ID, baseUrl: BASE_URL, keys: KEYS, fetch: fetchIn });
    const report = (revision: number, status: ListingReport['status'], reasons: ListingReport['reasons'] = []): ListingReport => ({
      productId,
      revision,
      productVersion: 1,
      status,
      reasons,
      decidedAt: `2026-11-25T03:00:0${revision}.000Z`,
    });
    const listing = async () => (await h.api('GET', `/mall/v1/products/${productId}`, { token: seller.apiKey })).body.listing;

    before(async () => {
      h = await startMall(engine);
      seller = await h.signUp(0);
      productId = (await h.api('POST', '/mall/v1/products', { token: seller.apiKey, body: productBody('COAT-1') })).body.productId as string;
    });
    after(() => h.close());

    it('shows the latest report on the product, and ignores a retried or overtaken one', async () => {
      const send = clientOf(MARKETPLACE_ID);
      assert.deepEqual(await send({ reports: [report(2, 'rejected', [REASON]), { ...report(1, 'listed'), productId: 'Pnothing' }] }), { ok: true, value: { applied: 1, stale: 0, unknown: 1 } });
      assert.deepEqual(await listing(), { status: 'rejected', reasons: [{ code: 'NO_IMAGE', message: REASON.message.ko }], decidedAt: '2026-11-25T03:00:02.000Z' });
      assert.deepEqual((await h.api('GET', `/mall/v1/products/${productId}?lang=zh`, { token: seller.apiKey })).body.listing, { status: 'rejected', reasons: [{ code: 'NO_IMAGE', message: REASON.message.zh }], decidedAt: '2026-11-25T03:00:02.000Z' });
      assert.deepEqual(await send({ reports: [report(2, 'rejected', [REASON])] }), { ok: true, value: { applied: 0, stale: 1, unknown: 0 } }, 'the same report again');
      assert.deepEqual(await send({ reports: [report(1, 'listed')] }), { ok: true, value: { applied: 0, stale: 1, unknown: 0 } }, 'an older one, late');
      assert.equal(((await listing()) as { status: string }).status, 'rejected');
      await send({ reports: [report(3, 'listed')] });
      assert.deepEqual(await listing(), { status: 'listed', reasons: [], decidedAt: '2026-11-25T03:00:03.000Z' });
      const list = await h.api('GET', '/mall/v1/products', { token: seller.apiKey });
      assert.deepEqual((list.body.products as { listing: unknown }[])[0]!.listing, await listing(), 'the list shows it too');
    });

    it('answers only the marketplace, only signed and fresh requests, and signs its refusals', async () => {
      const stranger = await clientOf(STRANGER_ID, STRANGER_KEYS.privateKey)({ reports: [report(9, 'listed')] });
      assert.ok(!stranger.ok && /HTTP 403/.test(stranger.error.detail), JSON.stringify(stranger));
      const body = JSON.stringify({ reports: [report(9, 'delisted')] });
      const signed = signMessage({ method: 'POST', path: LISTING_REPORTS_PATH, clientId: MARKETPLACE_ID, requestTime: new Date().toISOString(), body, privateKey: MARKETPLACE_KEYS.privateKey, keyVersion: 1 });
      const post = (headers: Record<string, string>, text = body) => h.mall.app.request(`${BASE_URL}${LISTING_REPORTS_PATH}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: text });
      const codeOf = async (response: Response) => {
        const text = await response.text();
        const verified = verifyMessage({ method: 'POST', path: LISTING_REPORTS_PATH, headers: response.headers, body: text, keys: KEYS, now: new Date() });
        assert.ok(verified.ok && verified.value.clientId === MALL_ID, 'the answer is signed by the mall');
        return [response.status, (JSON.parse(text) as { error?: { code: string } }).error?.code];
      };
      assert.deepEqual(await codeOf(await post({})), [401, 'MISSING_HEADER']);
      assert.deepEqual(await codeOf(await post(signed, body.replace('delisted', 'listed'))), [401, 'INVALID_SIGNATURE'], 'the body is signed');
      assert.equal((await post(signed)).status, 200);
      assert.deepEqual(await codeOf(await post(signed)), [401, 'REPLAYED_REQUEST']);
      const bad = JSON.stringify({ reports: [{ ...report(10, 'listed'), status: 'sold' }] });
      const badSigned = signMessage({ method: 'POST', path: LISTING_REPORTS_PATH, clientId: MARKETPLACE_ID, requestTime: new Date().toISOString(), body: bad, privateKey: MARKETPLACE_KEYS.privateKey, keyVersion: 1 });
      assert.deepEqual(await codeOf(await post(badSigned, bad)), [400, 'INVALID_REQUEST']);
      assert.equal(((await listing()) as { status: string }).status, 'delisted', 'only the one good request applied');
    });

    it('keeps a message within its byte limit: the sender splits, the mall refuses above it', async () => {
      const many = Array.from({ length: 200 }, (_, i) => ({ ...report(20 + i, 'rejected', Array.from({ length: 16 }, () => REASON)) }));
      const fit = listingReportsThatFit(many);
      assert.ok(fit.length > 1 && fit.length < many.length);
      assert.ok(Buffer.byteLength(JSON.stringify({ reports: fit })) <= LISTING_REPORTS_BYTES_MAX);
      const tooLarge = await clientOf(MARKETPLACE_ID)({ reports: many });
      assert.ok(!tooLarge.ok && /HTTP 413/.test(tooLarge.error.detail), JSON.stringify(tooLarge).slice(0, 200));
    });

    it('suspends and reinstates a seller by the operator only', async () => {
      assert.equal((await h.api('POST', `/mall/v1/sellers/${seller.sellerId}/suspend`, { token: seller.apiKey })).status, 403);
      assert.equal((await h.api('POST', '/mall/v1/sellers/SL999999/suspend', { token: OPERATOR_KEY })).status, 404);
      const suspended = await h.api('POST', `/mall/v1/sellers/${seller.sellerId}/suspend`, { token: OPERATOR_KEY });
      assert.deepEqual({ ...suspended.body, suspendedAt: typeof suspended.body.suspendedAt }, { sellerId: seller.sellerId, suspended: true, suspendedAt: 'string', productsChanged: 1 });
      assert.equal((await h.api('GET', `/mall/v1/products/${productId}`, { token: seller.apiKey })).body.version, 2, 'a new version carries the standing');
      const reinstated = await h.api('POST', `/mall/v1/sellers/${seller.sellerId}/reinstate`, { token: OPERATOR_KEY });
      assert.deepEqual(reinstated.body, { sellerId: seller.sellerId, suspended: false, suspendedAt: null, productsChanged: 1 });
    });
  });
}
