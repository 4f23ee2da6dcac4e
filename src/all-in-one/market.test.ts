/**
 * The mall and the marketplace mounted in the all-in-one deployment (issue 7):
 * nothing is reviewed or priced before the network publishes a rate; the demo
 * seed lists a bilingual catalogue that the storefront shows in Chinese (Korean
 * and English on request) at the network's rate, and the products the review
 * rejects show their reasons on the mall's product; a seller's change reaches
 * the storefront through the loop without anyone pressing a button; the CSV
 * upload has its own body limit above the shell's; the routes are in
 * /openapi.json; and everything is there again after a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CATALOGUE_UPLOAD_BYTES_MAX } from '../mall/index.ts';
import { STOREFRONT_PRODUCTS_PER_PAGE_MAX } from '../marketplace/index.ts';
import { REQUEST_BODY_BYTES_MAX } from '../platform/http/app.ts';
import { startDari, type Dari } from './compose.ts';
import { DEMO_MALL_SELLERS } from './demo-mall.ts';
import { apiClient } from './http-client.ts';
import { seedDemo, writeDemoCredentials, type DemoCredentials } from './seed.ts';

/** The loop's interval here, in ms: short, so that a change is seen after a few polls. */
const SYNC_INTERVAL_MS = 20;
/** Polls of the storefront for a change the loop carries, each after a pause; the loop needs one or two intervals. */
const POLLS_MAX = 250;
const POLL_PAUSE_MS = 20;

interface StorefrontPage {
  readonly lang: string;
  readonly products: readonly { productId: string; sellerId: string; title: string; titleLang: string; category: string; price: { currency: string; value: string }; available: boolean; stock: number }[];
  readonly nextAfter: string | null;
}
interface MallProduct {
  readonly sku: string;
  readonly listing: { readonly status: string; readonly reasons: readonly { code: string; message: string }[] };
}

describe('the mall and the marketplace in the all-in-one deployment', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-market-'));
  let dari: Dari | undefined;
  let credentials: DemoCredentials;
  const api = () => apiClient(dari!.url);
  const storefront = (query: string) => api().call<StorefrontPage>('GET', `/marketplace/v1/products${query}`);
  const idOf = (sku: string): string => {
    for (const [s, seller] of DEMO_MALL_SELLERS.entries()) {
      const at = seller.products.findIndex((p) => p.sku === sku);
      if (at >= 0) return credentials.mall.sellers[s]!.productIds[at]!;
    }
    throw new Error(`no demo product ${sku}`);
  };
  const keyOf = (sku: string): string => credentials.mall.sellers[DEMO_MALL_SELLERS.findIndex((s) => s.products.some((p) => p.sku === sku))]!.sellerKey;

  before(async () => {
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null, marketSyncIntervalMs: SYNC_INTERVAL_MS });
  });
  after(async () => {
    await dari?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prices and reviews nothing before the network publishes a rate', async () => {
    const answer = await api().request<{ error: { code: string } }>('GET', '/marketplace/v1/products');
    assert.deepEqual([answer.status, answer.body.error.code], [503, 'RATE_UNAVAILABLE']);
    const pass = await api().call<{ sync: { ok: boolean; error?: string } }>('POST', '/marketplace/v1/syndication-passes', { token: dari!.secrets.marketplaceOperatorKey });
    assert.deepEqual([pass.sync.ok, pass.sync.error], [false, 'rate-unavailable']);
  });

  it('seeds a mall whose keys are written down, and lists its catalogue by the end of the seed', async () => {
    credentials = await seedDemo(dari!);
    writeDemoCredentials(dataDir, credentials);
    const written = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
    assert.equal(written.mall.operatorKey, dari!.secrets.mallOperatorKey);
    assert.equal(written.mall.sellerKey, credentials.mall.sellers[0]!.sellerKey);
    assert.equal(written.marketplace.operatorKey, dari!.secrets.marketplaceOperatorKey);
    assert.equal(credentials.mall.sellers.length, DEMO_MALL_SELLERS.length);
    const counts = await api().call<{ counts: Record<string, number> }>('GET', '/marketplace/v1/listings?limit=1', { token: credentials.marketplace.operatorKey });
    assert.deepEqual(counts.counts, { listed: 5, rejected: 3, delisted: 0 });
  });

  it('shows a listed product in Chinese at the network rate, Korean and English on request', async () => {
    const page = await storefront('?q=&category=&lang=');
    assert.equal(page.lang, 'zh');
    assert.deepEqual(page.products.map((p) => p.title).sort(), ['气垫粉底', '济州绿茶精华液', '羊毛长款大衣（韩剧同款）', '羊绒针织衫', '蓝牙音箱'].sort());
    const coat = page.products.find((p) => p.productId === idOf('COAT-DRAMA-01'))!;
    // 289,000 KRW at 1 CNY = 190.25 KRW is 1,519.0538… CNY, rounded up to the fen.
    assert.deepEqual(coat.price, { currency: 'CNY', value: '151906' });
    assert.equal(coat.available, true);
    assert.equal((await storefront(`?q=${encodeURIComponent('大衣')}&lang=ko`)).products[0]?.title, '울 롱코트 (드라마 스타일)');
    assert.deepEqual(
      (await storefront('?q=coat&lang=en')).products.map((p) => p.title),
      ['Wool long coat (K-drama style)'],
    );
  });

  it('filters by category, shows an out-of-stock product as unavailable, and pages', async () => {
    const fashion = await storefront('?category=fashion');
    assert.deepEqual(fashion.products.map((p) => [p.productId, p.available]).sort(), [
      [idOf('COAT-DRAMA-01'), true],
      [idOf('KNIT-CASHMERE-02'), false],
    ].sort());
    const all = (await storefront('')).products.map((p) => p.productId);
    const first = await storefront('?limit=2');
    assert.deepEqual(first.products.map((p) => p.productId), all.slice(0, 2));
    assert.equal(first.nextAfter, all[1]);
    const rest = await storefront(`?limit=${STOREFRONT_PRODUCTS_PER_PAGE_MAX}&after=${first.nextAfter}`);
    assert.deepEqual(rest.products.map((p) => p.productId), all.slice(2));
    assert.equal(rest.nextAfter, null);
    for (const bad of ['?limit=0', `?limit=${STOREFRONT_PRODUCTS_PER_PAGE_MAX + 1}`, '?lang=fr', '?category=Fashion']) {
      assert.equal((await api().request('GET', `/marketplace/v1/products${bad}`)).status, 400, bad);
    }
  });

  it('shows each rejected product with every reason on the mall, in the language asked, and keeps it off the storefront', async () => {
    const shown = new Set((await storefront('')).products.map((p) => p.productId));
    const rejected: readonly [string, readonly string[]][] = [
      ['SCARF-03', ['MISSING_CHINESE_TITLE']],
      ['VITAMIN-03', ['PROHIBITED_ITEM', 'NO_IMAGE']],
      ['AMP-TUBE-02', ['INVALID_HS_CODE', 'PRICE_ABOVE_ORDER_LIMIT']],
    ];
    for (const [sku, codes] of rejected) {
      const product = await api().call<MallProduct>('GET', `/mall/v1/products/${idOf(sku)}`, { token: keyOf(sku) });
      assert.equal(product.listing.status, 'rejected', sku);
      assert.deepEqual(product.listing.reasons.map((r) => r.code), codes, sku);
      assert.ok(!shown.has(idOf(sku)), `${sku} is not on the storefront`);
    }
    const vitamins = await api().call<MallProduct>('GET', `/mall/v1/products/${idOf('VITAMIN-03')}?lang=zh`, { token: keyOf('VITAMIN-03') });
    assert.match(vitamins.listing.reasons[1]!.message, /图片/);
    const coat = await api().call<MallProduct>('GET', `/mall/v1/products/${idOf('COAT-DRAMA-01')}`, { token: keyOf('COAT-DRAMA-01') });
    assert.deepEqual([coat.listing.status, coat.listing.reasons], ['listed', []]);
  });

  it("carries a seller's change to the storefront through the loop, without anyone pressing a button", async () => {
    await api().call('PATCH', `/mall/v1/products/${idOf('KNIT-CASHMERE-02')}`, { token: keyOf('KNIT-CASHMERE-02'), body: { stock: 7 } });
    let knit: StorefrontPage['products'][number] | undefined;
    for (let poll = 0; poll < POLLS_MAX && knit?.available !== true; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, POLL_PAUSE_MS));
      knit = (await storefront('?category=fashion/tops')).products[0];
    }
    assert.deepEqual([knit?.available, knit?.stock], [true, 7]);
  });

  it('takes a CSV upload above the shell’s 64 KiB up to the mall’s own limit, and nothing larger anywhere else', async () => {
    const header = 'sku,title_ko,title_zh,description_ko,category,hs_code,price_krw,stock,weight_grams,origin_country,images';
    const row = (i: number) => `BULK-${i},벌크 상품 ${i},批量商品 ${i},${'설명 '.repeat(40)},home/kitchen,732393,15000,10,300,KR,https://images.mall.dari.example/bulk-${i}.jpg`;
    const rows = Array.from({ length: 600 }, (_, i) => row(i));
    const csv = `${header}\n${rows.join('\n')}\n`;
    const bytes = Buffer.byteLength(csv);
    assert.ok(bytes > REQUEST_BODY_BYTES_MAX && bytes < CATALOGUE_UPLOAD_BYTES_MAX, `${bytes} bytes`);
    const upload = (body: string) =>
      fetch(`${dari!.url}/mall/v1/product-uploads`, { method: 'POST', headers: { Authorization: `Bearer ${credentials.mall.sellerKey}`, 'Content-Type': 'text/csv' }, body });
    const answer = await upload(csv);
    const report = (await answer.json()) as { rows: number; created: number; rejected: number };
    assert.equal(answer.status, 200);
    assert.deepEqual([report.rows, report.created, report.rejected], [600, 600, 0]);
    const tooLarge = await upload(`${header}\n${'x'.repeat(CATALOGUE_UPLOAD_BYTES_MAX)}`);
    assert.deepEqual([tooLarge.status, ((await tooLarge.json()) as { error: { code: string } }).error.code], [413, 'BODY_TOO_LARGE']);
    const json = await fetch(`${dari!.url}/mall/v1/products`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${credentials.mall.sellerKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ sku: 'BIG', padding: 'x'.repeat(REQUEST_BODY_BYTES_MAX) }),
    });
    assert.equal(json.status, 413, 'another route keeps the shell’s limit');
  });

  it('documents the new routes in /openapi.json', async () => {
    const doc = await api().call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    for (const [path, method] of [
      ['/marketplace/v1/products', 'get'],
      ['/marketplace/v1/listings', 'get'],
      ['/mall/v1/sellers', 'post'],
      ['/mall/v1/products', 'post'],
      ['/mall/v1/products/{id}', 'get'],
      ['/mall/v1/product-uploads', 'post'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    }
  });

  it('keeps the mall, the listings and the keys over a restart', async () => {
    // Passes now, so that the loop has nothing left to list when it stops (a call joins a pass under way: twice).
    for (let pass = 0; pass < 2; pass += 1) await api().call('POST', '/marketplace/v1/syndication-passes', { token: credentials.marketplace.operatorKey });
    const before = await storefront('?limit=50');
    const secrets = dari!.secrets;
    await dari!.close();
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null, marketSyncIntervalMs: null });
    assert.equal(dari.firstStart, false);
    assert.equal(dari.secrets.mallOperatorKey, secrets.mallOperatorKey);
    assert.deepEqual((await storefront('?limit=50')).products, before.products);
    const coat = await api().call<MallProduct>('GET', `/mall/v1/products/${idOf('COAT-DRAMA-01')}`, { token: credentials.mall.sellerKey });
    assert.equal(coat.listing.status, 'listed');
  });
});
