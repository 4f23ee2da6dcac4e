import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiDocument } from '../platform/http/contract.ts';
import { MALL_ROUTE_DOCS } from './routes.ts';
import { MALL_TEST_ENGINES, OPERATOR_KEY, productBody, startMall, type ApiAnswer, type MallHarness } from './test-helpers.ts';

const code = (r: ApiAnswer) => (r.body.error as { code: string } | undefined)?.code;
const message = (r: ApiAnswer) => (r.body.error as { message: string } | undefined)?.message ?? '';

for (const engine of MALL_TEST_ENGINES) {
  describe(`mall API on ${engine}: sellers, products, changes, roles`, () => {
    let h: MallHarness;
    let a: { sellerId: string; apiKey: string };
    let b: { sellerId: string; apiKey: string };
    before(async () => {
      h = await startMall(engine, { now: () => new Date('2026-11-25T03:00:00.000Z') });
      a = await h.signUp(0, '서울 패션');
      b = await h.signUp(1, 'Busan Beauty');
    });
    after(() => h.close());

    it('signs up a seller with the operator key: an id and an API key, shown once', async () => {
      assert.equal(a.sellerId, 'SL000001');
      assert.equal(b.sellerId, 'SL000002');
      assert.match(a.apiKey, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(a.apiKey, b.apiKey);
    });

    it('refuses a business registration number whose check digit fails, naming the digit it expects', async () => {
      const r = await h.api('POST', '/mall/v1/sellers', { token: OPERATOR_KEY, body: { legalName: 'Typo Co', businessRegistrationNumber: '220-81-62518', contactEmail: 'a@b.kr' } });
      assert.equal(r.status, 400);
      assert.equal(code(r), 'INVALID_BUSINESS_REGISTRATION_NUMBER');
      assert.match(message(r), /should be 7/);
      const malformed = await h.api('POST', '/mall/v1/sellers', { token: OPERATOR_KEY, body: { legalName: 'Typo Co', businessRegistrationNumber: '12345', contactEmail: 'a@b.kr' } });
      assert.equal(code(malformed), 'INVALID_BUSINESS_REGISTRATION_NUMBER');
    });

    it('refuses a second seller with the same number, a bad e-mail, and anyone but the operator', async () => {
      const again = await h.api('POST', '/mall/v1/sellers', { token: OPERATOR_KEY, body: { legalName: 'Again', businessRegistrationNumber: '2208162517', contactEmail: 'x@y.kr' } });
      assert.equal(again.status, 409);
      assert.equal(code(again), 'SELLER_ALREADY_REGISTERED');
      assert.match(message(again), /SL000001/);
      const email = await h.api('POST', '/mall/v1/sellers', { token: OPERATOR_KEY, body: { legalName: 'Mail', businessRegistrationNumber: '101-86-00006', contactEmail: 'not-an-email' } });
      assert.equal(email.status, 400);
      assert.equal(code(email), 'INVALID_REQUEST');
      assert.match(message(email), /^contactEmail: /);
      const body = { legalName: 'X', businessRegistrationNumber: '101-86-00006', contactEmail: 'x@y.kr' };
      assert.equal((await h.api('POST', '/mall/v1/sellers', { token: a.apiKey, body })).status, 403);
      for (const token of [undefined, 'wrong', `${OPERATOR_KEY}x`]) {
        const r = await h.api('POST', '/mall/v1/sellers', { ...(token === undefined ? {} : { token }), body });
        assert.equal(r.status, 401, String(token));
        assert.equal(code(r), 'UNAUTHENTICATED');
      }
    });

    it('creates a product at version 1; the same request again answers it; other content under the SKU is SKU_TAKEN', async () => {
      const created = await h.api('POST', '/mall/v1/products', { token: a.apiKey, body: productBody('COAT-1') });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { productId, createdAt, updatedAt, ...rest } = created.body;
      assert.match(productId as string, /^P[0-9a-f]{16}$/);
      assert.equal(createdAt, '2026-11-25T03:00:00.000Z');
      assert.equal(updatedAt, createdAt);
      assert.deepEqual(rest, { sellerId: a.sellerId, version: 1, ...productBody('COAT-1') });
      const again = await h.api('POST', '/mall/v1/products', { token: a.apiKey, body: productBody('COAT-1') });
      assert.equal(again.status, 200);
      assert.equal(again.body.productId, productId);
      const taken = await h.api('POST', '/mall/v1/products', { token: a.apiKey, body: productBody('COAT-1', { stock: 1 }) });
      assert.equal(taken.status, 409);
      assert.equal(code(taken), 'SKU_TAKEN');
      assert.match(message(taken), new RegExp(`PATCH /mall/v1/products/${productId as string}`));
      const otherSeller = await h.api('POST', '/mall/v1/products', { token: b.apiKey, body: productBody('COAT-1') });
      assert.equal(otherSeller.status, 201, 'SKUs are unique per seller');
    });

    it('refuses an invalid product naming the field', async () => {
      const cases: ReadonlyArray<readonly [string, Record<string, unknown>, RegExp]> = [
        ['another currency', { price: { currency: 'USD', value: '100' } }, /^price\.currency: /],
        ['a price of zero', { price: { currency: 'KRW', value: '0' } }, /^price\.value: /],
        ['a price above the limit', { price: { currency: 'KRW', value: '100000001' } }, /^price\.value: at most 100000000 KRW/],
        ['a price as a number', { price: { currency: 'KRW', value: 100 } }, /^price\.value: /],
        ['an HS code with a dot', { hsCode: '6202.13' }, /^hsCode: /],
        ['negative stock', { stock: -1 }, /^stock: /],
        ['a fractional weight', { weightGrams: 1.5 }, /^weightGrams: /],
        ['a lower-case country', { originCountry: 'kr' }, /^originCountry: /],
        ['an image that is not a URL', { images: ['coat.jpg'] }, /^images\.0: /],
        ['eleven images', { images: Array.from({ length: 11 }, (_, i) => `https://x/${i}.jpg`) }, /^images: /],
        ['no Korean title', { title: { zh: '大衣' } }, /^title\.ko: /],
        ['a title in another language', { title: { ko: '코트', ja: 'コート' } }, /^title: /],
        ['an upper-case category', { category: 'Fashion' }, /^category: /],
        ['a SKU with a space', { sku: 'COAT 1' }, /^sku: /],
        ['an unknown field', { colour: 'red' }, /: /],
      ];
      for (const [name, overrides, pattern] of cases) {
        const r = await h.api('POST', '/mall/v1/products', { token: a.apiKey, body: productBody('BAD-1', overrides) });
        assert.equal(r.status, 400, name);
        assert.equal(code(r), 'INVALID_REQUEST', name);
        assert.match(message(r), pattern, name);
      }
      const list = await h.api('GET', '/mall/v1/products', { token: a.apiKey });
      assert.ok(!(list.body.products as { sku: string }[]).some((p) => p.sku === 'BAD-1'), 'nothing was created');
    });

    it("a seller sees its own products only: another seller's is not found", async () => {
      const created = await h.api('POST', '/mall/v1/products', { token: a.apiKey, body: productBody('SCARF-1') });
      const id = created.body.productId as string;
      assert.equal((await h.api('GET', `/mall/v1/products/${id}`, { token: a.apiKey })).body.sku, 'SCARF-1');
      const foreign = await h.api('GET', `/mall/v1/products/${id}`, { token: b.apiKey });
      assert.equal(foreign.status, 404);
      assert.equal(code(foreign), 'NOT_FOUND');
      assert.equal((await h.api('PATCH', `/mall/v1/products/${id}`, { token: b.apiKey, body: { stock: 0 } })).status, 404);
      assert.equal((await h.api('GET', '/mall/v1/products/Pnothing', { token: a.apiKey })).status, 404);
      assert.equal((await h.api('GET', `/mall/v1/products/${id}`, { token: OPERATOR_KEY })).status, 403, 'the operator has no catalogue');
      assert.equal((await h.api('GET', `/mall/v1/products/${id}`)).status, 401);
    });

    it('a change makes a new version; the same change again does not; null removes the description', async () => {
      const created = await h.api('POST', '/mall/v1/products', { token: a.apiKey, body: productBody('BAG-1') });
      const id = created.body.productId as string;
      const patched = await h.api('PATCH', `/mall/v1/products/${id}`, { token: a.apiKey, body: { stock: 3, price: { currency: 'KRW', value: '99000' } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.version, 2);
      assert.equal(patched.body.stock, 3);
      assert.deepEqual(patched.body.price, { currency: 'KRW', value: '99000' });
      assert.deepEqual(patched.body.title, productBody('BAG-1').title, 'fields not given stay');
      const again = await h.api('PATCH', `/mall/v1/products/${id}`, { token: a.apiKey, body: { stock: 3 } });
      assert.equal(again.body.version, 2, 'nothing changed');
      assert.equal((await h.api('PATCH', `/mall/v1/products/${id}`, { token: a.apiKey, body: {} })).body.version, 2);
      const removed = await h.api('PATCH', `/mall/v1/products/${id}`, { token: a.apiKey, body: { description: null, title: { ko: '가방', zh: '包' } } });
      assert.equal(removed.body.version, 3);
      assert.equal(removed.body.description, undefined);
      assert.deepEqual(removed.body.title, { ko: '가방', zh: '包' }, 'a title is replaced whole');
      const { listing, ...read } = (await h.api('GET', `/mall/v1/products/${id}`, { token: a.apiKey })).body;
      assert.deepEqual(read, removed.body);
      assert.deepEqual(listing, { status: 'in-review', reasons: [], decidedAt: null }, 'in review until the marketplace reports');
    });

    it('refuses a change made against an old version, and a change to the SKU', async () => {
      const created = await h.api('POST', '/mall/v1/products', { token: a.apiKey, body: productBody('HAT-1') });
      const id = created.body.productId as string;
      assert.equal((await h.api('PATCH', `/mall/v1/products/${id}`, { token: a.apiKey, body: { stock: 1, expectedVersion: 1 } })).body.version, 2);
      const stale = await h.api('PATCH', `/mall/v1/products/${id}`, { token: a.apiKey, body: { stock: 2, expectedVersion: 1 } });
      assert.equal(stale.status, 409);
      assert.equal(code(stale), 'VERSION_CONFLICT');
      assert.match(message(stale), /at version 2, not 1/);
      const sku = await h.api('PATCH', `/mall/v1/products/${id}`, { token: a.apiKey, body: { sku: 'HAT-2' } });
      assert.equal(sku.status, 400);
      assert.equal(code(sku), 'INVALID_REQUEST');
    });

    it('concurrent changes without an expected version all apply, one version each', async () => {
      const created = await h.api('POST', '/mall/v1/products', { token: a.apiKey, body: productBody('SOCKS-1') });
      const id = created.body.productId as string;
      const answers = await Promise.all([1, 2, 3].map((stock) => h.api('PATCH', `/mall/v1/products/${id}`, { token: a.apiKey, body: { stock } })));
      assert.ok(answers.every((r) => r.status === 200), JSON.stringify(answers.map((r) => r.body)));
      assert.deepEqual(answers.map((r) => r.body.version).sort(), [2, 3, 4]);
    });

    it("lists the seller's products a page at a time", async () => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const query: string = after === null ? '?limit=2' : `?limit=2&after=${after}`;
        const page = await h.api('GET', `/mall/v1/products${query}`, { token: a.apiKey });
        assert.equal(page.status, 200);
        const products = page.body.products as { productId: string; sellerId: string }[];
        assert.ok(products.every((p) => p.sellerId === a.sellerId));
        seen.push(...products.map((p) => p.productId));
        after = page.body.nextAfter as string | null;
      } while (after !== null);
      assert.equal(new Set(seen).size, seen.length);
      assert.ok(seen.length >= 5);
      assert.equal((await h.api('GET', '/mall/v1/products?limit=101', { token: a.apiKey })).status, 400);
    });
  });
}

describe('mall API documentation', () => {
  it('documents every route in /openapi.json, with the CSV upload as text/csv and the seller key as its credential', () => {
    const document = openApiDocument({ title: 'mall', version: 'test', routes: MALL_ROUTE_DOCS }) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    assert.deepEqual(Object.keys(document.paths).sort(), [
      '/mall/v1/feed',
      '/mall/v1/listing-reports',
      '/mall/v1/product-uploads',
      '/mall/v1/products',
      '/mall/v1/products/{id}',
      '/mall/v1/sellers',
      '/mall/v1/sellers/{id}/reinstate',
      '/mall/v1/sellers/{id}/suspend',
    ]);
    assert.deepEqual(Object.keys(document.paths['/mall/v1/products/{id}']!).sort(), ['get', 'patch']);
    const upload = document.paths['/mall/v1/product-uploads']!.post!;
    assert.deepEqual(Object.keys((upload.requestBody as { content: object }).content), ['text/csv']);
    assert.deepEqual(upload.security, [{ sellerKey: [] }]);
    const create = JSON.stringify(document.paths['/mall/v1/products']!.post!.requestBody);
    for (const field of ['sku', 'title', 'hsCode', 'price', 'weightGrams', 'originCountry', 'images', 'certifications']) assert.match(create, new RegExp(`"${field}"`));
    assert.doesNotThrow(() => JSON.stringify(document));
  });
});
