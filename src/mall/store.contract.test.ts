/**
 * One suite for `MallStore`, on every engine the mall runs on (STYLE 22):
 * SQLite as is, SQLite through the group commit, and PostgreSQL on a pool of
 * several connections. Answers read back exactly; a seller per business
 * registration number; a SKU per seller; versions that move only on a real
 * change; the feed's numbers unique and increasing; the schema refusing bad
 * rows; and concurrent writers racing for one product, one new SKU, and a
 * feed reader that must not miss a change committed while it reads.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { BusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import { contentHash } from './content.ts';
import type { HashedContent, MallStore, NewSeller } from './store.ts';
import { STORE_TEST_ENGINES, type OpenStore } from './test-helpers.ts';
import type { Product, ProductContent, ProductId, Seller, SellerId } from './types.ts';

/** Callers racing in each concurrency case. */
const RACERS = 12;
const T0 = '2026-11-25T03:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

let sequence = 0;
const nextProductId = (): ProductId => `P${String(++sequence).padStart(16, '0')}` as ProductId;

function newSeller(brn: string): NewSeller {
  return { legalName: '명동 코스메틱', businessRegistrationNumber: brn as BusinessRegistrationNumber, contactEmail: 'shop@example.kr', keyHash: randomBytes(32) };
}

const COAT: ProductContent = {
  sku: 'COAT-001',
  title: { ko: '울 코트', zh: '羊毛大衣' },
  description: null,
  category: 'fashion/outerwear',
  hsCode: '620213',
  priceKrw: 189_000n,
  stock: 12,
  weightGrams: 1_800,
  originCountry: 'KR',
  images: ['https://mall.example/p/1.jpg', 'https://mall.example/p/2.jpg'],
  certifications: [],
};
const content = (overrides: Partial<ProductContent> = {}): HashedContent => {
  const c = { ...COAT, ...overrides };
  return { content: c, contentHash: contentHash(c) };
};
const contentOf = (p: Product): ProductContent => ({
  sku: p.sku,
  title: p.title,
  description: p.description,
  category: p.category,
  hsCode: p.hsCode,
  priceKrw: p.priceKrw,
  stock: p.stock,
  weightGrams: p.weightGrams,
  originCountry: p.originCountry,
  images: p.images,
  certifications: p.certifications,
});

const VIOLATION_CODES = {
  check: ['SQLITE_CONSTRAINT_CHECK', '23514'],
  'foreign-key': ['SQLITE_CONSTRAINT_FOREIGNKEY', '23503'],
} as const;

async function refusedBy(kind: keyof typeof VIOLATION_CODES, work: () => Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    assert.ok((VIOLATION_CODES[kind] as readonly unknown[]).includes(code), `${message}: expected a ${kind} violation, got ${String(code)} (${String(error)})`);
    return true;
  }, message);
}

for (const engine of STORE_TEST_ENGINES) {
  describe(`MallStore on ${engine.name}`, () => {
    let opened: OpenStore;
    let store: MallStore;
    let seller: Seller;
    let other: Seller;
    before(async () => {
      opened = await engine.open();
      store = opened.store;
      const first = await store.insertSeller(newSeller('2208162517'), T0);
      const second = await store.insertSeller(newSeller('1208147521'), T0);
      assert.ok(first.kind === 'created' && second.kind === 'created');
      [seller, other] = [first.seller, second.seller];
    });
    after(() => opened.close());

    it('numbers sellers, reads them back by id and by key, one per business registration number', async () => {
      assert.equal(seller.sellerId, 'SL000001');
      assert.equal(other.sellerId, 'SL000002');
      assert.deepEqual(seller, { sellerId: 'SL000001', legalName: '명동 코스메틱', businessRegistrationNumber: '2208162517', contactEmail: 'shop@example.kr', createdAt: T0, suspendedAt: null });
      assert.deepEqual(await store.getSeller('SL000001'), seller);
      assert.equal(await store.getSeller('SL999999'), null);
      const withKey = newSeller('1018600006');
      const created = await store.insertSeller(withKey, at(1));
      assert.equal(created.kind, 'created');
      assert.deepEqual(await store.getSellerByKeyHash(withKey.keyHash), created.kind === 'created' ? created.seller : null);
      assert.equal(await store.getSellerByKeyHash(createHash('sha256').update('nobody').digest()), null);
      assert.deepEqual(await store.insertSeller(newSeller('2208162517'), at(2)), { kind: 'exists', sellerId: 'SL000001' });
    });

    it('inserts a product at version 1 and reads every field back exactly, beyond 2^53 too', async () => {
      const big = content({ sku: 'BIG-1', priceKrw: 2n ** 53n + 1n, description: { ko: '설명', en: 'About' }, certifications: ['KC-1', 'CCC-2'], images: [] });
      const inserted = await store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...big }, at(10));
      assert.equal(inserted.kind, 'created');
      const product = inserted.kind === 'created' ? inserted.product : assert.fail();
      assert.equal(product.version, 1);
      assert.equal(product.sellerId, seller.sellerId);
      assert.ok(product.changeSeq >= 1n);
      assert.equal(product.createdAt, at(10));
      assert.equal(product.updatedAt, at(10));
      assert.deepEqual(contentOf(product), big.content);
      assert.equal(product.priceKrw, 2n ** 53n + 1n);
      assert.deepEqual(await store.getProduct(product.productId), product);
      assert.equal(await store.getProduct('P-none'), null);
      assert.deepEqual(Object.keys(product.title), ['ko', 'zh'], 'a language not given is absent, not undefined');
    });

    it('answers the existing product for a SKU the seller has, saying whether its content is the same; another seller may use the SKU', async () => {
      const first = await store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'DUP-1' }) }, at(20));
      assert.equal(first.kind, 'created');
      const same = await store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'DUP-1' }) }, at(21));
      assert.deepEqual(same, { kind: 'sku-taken', product: first.kind === 'created' ? first.product : null, sameContent: true });
      const different = await store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'DUP-1', stock: 3 }) }, at(22));
      assert.ok(different.kind === 'sku-taken' && !different.sameContent && different.product.stock === 12);
      const elsewhere = await store.insertProduct({ productId: nextProductId(), sellerId: other.sellerId, ...content({ sku: 'DUP-1' }) }, at(23));
      assert.equal(elsewhere.kind, 'created');
    });

    it('updates to a new version with a later feed number; the same content is unchanged at any version; a stale version conflicts', async () => {
      const inserted = await store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'UPD-1' }) }, at(30));
      const v1 = inserted.kind === 'created' ? inserted.product : assert.fail();
      const updated = await store.updateProduct(v1.productId, { ...content({ sku: 'UPD-1', stock: 5 }), expectedVersion: 1 }, at(31));
      assert.equal(updated.kind, 'updated');
      const v2 = updated.kind === 'updated' ? updated.product : assert.fail();
      assert.equal(v2.version, 2);
      assert.ok(v2.changeSeq > v1.changeSeq);
      assert.equal(v2.stock, 5);
      assert.equal(v2.createdAt, at(30));
      assert.equal(v2.updatedAt, at(31));
      assert.deepEqual(await store.updateProduct(v1.productId, { ...content({ sku: 'UPD-1', stock: 5 }), expectedVersion: 1 }, at(32)), { kind: 'unchanged', product: v2 }, 'a retry of the change');
      assert.deepEqual(await store.updateProduct(v1.productId, { ...content({ sku: 'UPD-1', stock: 6 }), expectedVersion: 1 }, at(33)), { kind: 'version-conflict', product: v2 });
      assert.deepEqual(await store.updateProduct('P-none' as ProductId, { ...content(), expectedVersion: 1 }, at(34)), { kind: 'not-found' });
      assert.deepEqual(await store.getProduct(v1.productId), v2);
    });

    it('upserts by SKU: created, then unchanged, then updated', async () => {
      const created = await store.upsertProductBySku({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'UPS-1' }) }, at(40));
      assert.equal(created.kind, 'created');
      assert.equal(created.product.version, 1);
      const again = await store.upsertProductBySku({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'UPS-1' }) }, at(41));
      assert.deepEqual(again, { kind: 'unchanged', product: created.product });
      const changed = await store.upsertProductBySku({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'UPS-1', title: { ko: '새 코트' } }) }, at(42));
      assert.equal(changed.kind, 'updated');
      assert.equal(changed.product.productId, created.product.productId, 'the product keeps its id');
      assert.equal(changed.product.version, 2);
      assert.deepEqual(changed.product.title, { ko: '새 코트' });
    });

    it("lists a seller's products by id, a page at a time, and none of another seller's", async () => {
      const all: Product[] = [];
      for (let page = await store.listProducts(seller.sellerId, { limit: 2 }); page.length > 0; page = await store.listProducts(seller.sellerId, { afterId: page.at(-1)!.productId, limit: 2 })) all.push(...page);
      assert.ok(all.length >= 4);
      assert.ok(all.every((p) => p.sellerId === seller.sellerId));
      assert.deepEqual(all.map((p) => p.productId), [...all.map((p) => p.productId)].sort());
      assert.equal(new Set(all.map((p) => p.productId)).size, all.length);
    });

    it('the feed lists each product once, at its latest change, in the order of the numbers, a page at a time', async () => {
      const seen = new Map<string, Product>();
      let cursor = 0n;
      for (let page = await store.changesAfter(cursor, 3); page.length > 0; page = await store.changesAfter(cursor, 3)) {
        for (const product of page) {
          assert.ok(product.changeSeq > cursor, 'numbers increase along the feed');
          cursor = product.changeSeq;
          assert.ok(!seen.has(product.productId), `${product.productId} once`);
          seen.set(product.productId, product);
        }
      }
      for (const product of seen.values()) assert.deepEqual(await store.getProduct(product.productId), product, 'at its latest version');
      assert.deepEqual(await store.changesAfter(cursor, 3), []);
    });

    it('refuses rows the schema forbids and leaves nothing half written', async () => {
      await refusedBy('foreign-key', () => store.insertProduct({ productId: nextProductId(), sellerId: 'SL999999' as SellerId, ...content({ sku: 'FK-1' }) }, at(50)), 'a product of no seller');
      await refusedBy('check', () => store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'NEG-1', priceKrw: 0n }) }, at(51)), 'a price of zero');
      await refusedBy('check', () => store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'NEG-2', stock: -1 }) }, at(52)), 'negative stock');
      const before = await store.changesAfter(0n, 1_000);
      const lastSeq = before.at(-1)!.changeSeq;
      const next = await store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'AFTER-REFUSALS' }) }, at(53));
      assert.ok(next.kind === 'created');
      assert.equal(next.product.changeSeq, lastSeq + 1n, 'a refused write took no feed number');
    });

    it('concurrent changes of one product from one version: exactly one wins, the others conflict', async () => {
      const inserted = await store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'RACE-1' }) }, at(60));
      const id = inserted.kind === 'created' ? inserted.product.productId : assert.fail();
      const outcomes = await Promise.all(Array.from({ length: RACERS }, (_, i) => store.updateProduct(id, { ...content({ sku: 'RACE-1', stock: 100 + i }), expectedVersion: 1 }, at(61))));
      assert.equal(outcomes.filter((o) => o.kind === 'updated').length, 1);
      assert.equal(outcomes.filter((o) => o.kind === 'version-conflict').length, RACERS - 1);
      const final = await store.getProduct(id);
      assert.equal(final?.version, 2);
    });

    it('concurrent uploads of one new SKU: one creates it, the same content is unchanged, one product in the end', async () => {
      const outcomes = await Promise.all(Array.from({ length: RACERS }, () => store.upsertProductBySku({ productId: nextProductId(), sellerId: other.sellerId, ...content({ sku: 'RACE-NEW' }) }, at(70))));
      assert.equal(outcomes.filter((o) => o.kind === 'created').length, 1);
      assert.equal(outcomes.filter((o) => o.kind === 'unchanged').length, RACERS - 1);
      assert.equal(new Set(outcomes.map((o) => o.product.productId)).size, 1);
    });

    it('a reader following the feed while writers change products misses no change committed behind its cursor', async () => {
      const products: ProductId[] = [];
      for (let i = 0; i < 6; i++) {
        const inserted = await store.insertProduct({ productId: nextProductId(), sellerId: other.sellerId, ...content({ sku: `FEED-${i}` }) }, at(80));
        products.push(inserted.kind === 'created' ? inserted.product.productId : assert.fail());
      }
      let cursor = (await store.changesAfter(0n, 10_000)).at(-1)!.changeSeq;
      const latest = new Map<string, number>();
      let writing = true;
      const reader = (async () => {
        while (writing) {
          for (const product of await store.changesAfter(cursor, 50)) {
            assert.ok(product.changeSeq > cursor);
            cursor = product.changeSeq;
            latest.set(product.productId, product.version);
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await Promise.all(
        Array.from({ length: RACERS }, async (_, writer) => {
          for (let round = 0; round < 10; round++) {
            const id = products[(writer + round) % products.length]!;
            const now = (await store.getProduct(id))!;
            await store.updateProduct(id, { ...content({ sku: now.sku, stock: writer * 100 + round }), expectedVersion: now.version }, at(81));
          }
        }),
      );
      writing = false;
      await reader;
      for (const product of await store.changesAfter(cursor, 10_000)) latest.set(product.productId, product.version);
      for (const id of products) assert.equal(latest.get(id), (await store.getProduct(id))!.version, `the reader reached ${id}'s last version`);
    });

    it("suspends a seller as a new version of each of its products, in the feed; again changes nothing; reinstating is new versions too", async () => {
      const created = await store.insertSeller(newSeller('1148100007'), at(90));
      const third = created.kind === 'created' ? created.seller : assert.fail();
      const ids: ProductId[] = [];
      for (const sku of ['SUS-1', 'SUS-2', 'SUS-3']) {
        const inserted = await store.insertProduct({ productId: nextProductId(), sellerId: third.sellerId, ...content({ sku }) }, at(91));
        ids.push(inserted.kind === 'created' ? inserted.product.productId : assert.fail());
      }
      const cursor = (await store.changesAfter(0n, 10_000)).at(-1)!.changeSeq;
      const suspended = await store.setSellerSuspended(third.sellerId, true, at(92));
      assert.deepEqual(suspended, { kind: 'changed', seller: { ...third, suspendedAt: at(92) }, productsChanged: 3 });
      const fed = await store.changesAfter(cursor, 100);
      assert.deepEqual(fed.map((p) => [p.productId, p.version, p.sellerSuspended]).sort(), ids.map((id) => [id, 2, true]).sort());
      assert.deepEqual(fed.map((p) => p.changeSeq), [1n, 2n, 3n].map((n) => cursor + n), 'consecutive feed numbers after the cursor');
      assert.deepEqual(await store.setSellerSuspended(third.sellerId, true, at(93)), { kind: 'unchanged', seller: { ...third, suspendedAt: at(92) } });
      assert.deepEqual(await store.changesAfter(fed.at(-1)!.changeSeq, 100), [], 'a second suspension wrote nothing');
      const added = await store.insertProduct({ productId: nextProductId(), sellerId: third.sellerId, ...content({ sku: 'SUS-4' }) }, at(94));
      assert.ok(added.kind === 'created' && added.product.sellerSuspended, "a suspended seller's new product carries its standing");
      const reinstated = await store.setSellerSuspended(third.sellerId, false, at(95));
      assert.ok(reinstated.kind === 'changed' && reinstated.productsChanged === 4 && reinstated.seller.suspendedAt === null);
      assert.deepEqual((await store.getProduct(ids[0]!))?.sellerSuspended, false);
      assert.equal((await store.getProduct(ids[0]!))?.version, 3);
      assert.deepEqual(await store.setSellerSuspended('SL999999', true, at(96)), { kind: 'not-found' });
    });

    it('keeps the highest revision of each listing report, ignores older ones and reports of no product', async () => {
      const inserted = await store.insertProduct({ productId: nextProductId(), sellerId: seller.sellerId, ...content({ sku: 'REP-1' }) }, at(100));
      const id = inserted.kind === 'created' ? inserted.product.productId : assert.fail();
      const reason = { code: 'NO_IMAGE', message: { ko: '이미지가 없습니다', zh: '没有图片', en: 'No image' } };
      const report = (revision: number, status: 'listed' | 'rejected') => ({ productId: id, revision, productVersion: 1, status, reasons: status === 'rejected' ? [reason] : [], decidedAt: at(revision) });
      assert.deepEqual(await store.listingsOf([id]), new Map());
      assert.deepEqual(await store.applyListingReports([report(2, 'rejected'), { ...report(1, 'listed'), productId: 'P-none' }], at(101)), { applied: 1, stale: 0, unknown: 1 });
      assert.deepEqual(await store.applyListingReports([report(1, 'listed'), report(2, 'listed')], at(102)), { applied: 0, stale: 2, unknown: 0 }, 'older and equal revisions');
      const { productId: _id, ...held } = report(2, 'rejected');
      assert.deepEqual(await store.listingsOf([id, 'P-none']), new Map([[id, held]]));
      assert.deepEqual(await store.applyListingReports([report(3, 'listed')], at(103)), { applied: 1, stale: 0, unknown: 0 });
      assert.equal((await store.listingsOf([id])).get(id)?.status, 'listed');
      // Racing deliveries of every revision: the highest stays, whatever the order they commit in.
      await Promise.all([7, 4, 9, 5, 8, 6].map((revision) => store.applyListingReports([report(revision, revision % 2 === 0 ? 'listed' : 'rejected')], at(104))));
      assert.equal((await store.listingsOf([id])).get(id)?.revision, 9);
    });
  });
}
