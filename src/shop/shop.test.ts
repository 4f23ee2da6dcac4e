/**
 * The shop module in process: two shops from two profiles side by side, each
 * at its own path with its own name, catalogue and colour; every page in
 * Korean, Chinese and English with the switch naming each language in
 * itself; prices per language from bigint won; a profile that would make a
 * broken shop refused at start. Paying (the acquirer, the cashier, the
 * webhook) is test/online-checkout.e2e.test.ts, over real HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { createShop, type ShopInstance, type ShopProfile } from './index.ts';

const TEA: ShopProfile = {
  path: '/tea',
  name: { en: 'Boseong Tea House', ko: '보성 찻집', zh: '宝城茶馆' },
  headline: { en: 'Green tea from Boseong', ko: '보성 녹차', zh: '宝城绿茶' },
  lead: { en: 'Picked in May.', ko: '5월에 땄습니다.', zh: '五月采摘。' },
  accent: '#2f5d3a',
  orderIdPrefix: 'BT',
  catalogue: [
    { itemId: 'sejak', name: { en: 'Sejak green tea, 80 g', ko: '세작 녹차 80g', zh: '细雀绿茶 80 克' }, priceKrw: 45_000n },
    { itemId: 'big', name: { en: 'A tea chest', ko: '차 상자', zh: '茶箱' }, priceKrw: 12_345_678_901_234_567n },
  ],
};
const HATS: ShopProfile = {
  path: '/hats',
  name: { en: 'Hat <Shop> & Co', ko: '모자 가게', zh: '帽子店' },
  headline: { en: 'Hats', ko: '모자', zh: '帽子' },
  lead: { en: 'Warm ones.', ko: '따뜻한 모자.', zh: '暖和的帽子。' },
  accent: '#1f3a5f',
  orderIdPrefix: 'HT',
  catalogue: [{ itemId: 'beanie', name: { en: 'Beanie', ko: '비니', zh: '毛线帽' }, priceKrw: 32_000n }],
};

describe('the shop module, two shops in one server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dari-shop-'));
  const shops: ShopInstance[] = [TEA, HATS].map((profile) => createShop({ profile, dataDir: join(dir, profile.path.slice(1)), acquirerUrl: 'http://127.0.0.1:9', publicUrl: 'http://127.0.0.1:9' }));
  const app = new Hono();
  for (const shop of shops) app.route('/', shop.app);
  const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
  after(async () => {
    for (const shop of shops) await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves each shop at its own path with its own name, catalogue and colour', async () => {
    assert.deepEqual(
      shops.map((s) => [s.path, s.name.en, s.configured]),
      [
        ['/tea', 'Boseong Tea House', false],
        ['/hats', 'Hat <Shop> & Co', false],
      ],
    );
    const tea = await (await get('/tea/')).text();
    assert.match(tea, /Sejak green tea, 80 g/);
    assert.doesNotMatch(tea, /Beanie/, "one shop does not sell the other's items");
    assert.match(tea, /<link rel="stylesheet" href="\/tea\/shop.css">/);
    assert.match(tea, /action="\/tea\/orders"/);
    assert.match(tea, /not set up|no acquirer credentials/, 'says it has no credentials yet');
    const hats = await (await get('/hats/')).text();
    assert.match(hats, /Hat &lt;Shop&gt; &amp; Co/, 'escaped');
    assert.doesNotMatch(hats, /<Shop>/);
    assert.match(hats, /Beanie/);
    assert.match(await (await get('/tea/shop.css')).text(), /^:root \{ --accent: #2f5d3a; \}/);
    assert.match(await (await get('/hats/shop.css')).text(), /^:root \{ --accent: #1f3a5f; \}/);
    assert.equal((await get('/tea')).headers.get('location'), '/tea/');
  });

  it('speaks Korean, Chinese and English, named in themselves on every page, with prices per language from bigint won', async () => {
    const table = [
      ['ko', 'ko', '보성 녹차', '45,000원', '12,345,678,901,234,567원', 'dari 지갑으로 구매'],
      ['zh', 'zh-Hans', '宝城绿茶', '45,000韩元', '12,345,678,901,234,567韩元', '用 dari 钱包购买'],
      ['en', 'en', 'Green tea from Boseong', '₩45,000', '₩12,345,678,901,234,567', 'Buy with dari wallet'],
    ] as const;
    for (const [lang, tag, headline, price, bigPrice, buy] of table) {
      const page = await get(`/tea/?lang=${lang}`);
      assert.match(page.headers.get('set-cookie') ?? '', new RegExp(`^dari-lang=${lang}; Max-Age=31536000; Path=/; SameSite=Lax`), 'the choice is remembered, for the console too');
      const html = await page.text();
      assert.match(html, new RegExp(`<html lang="${tag}">`));
      for (const text of [headline, price, bigPrice, buy]) assert.ok(html.includes(text), `${lang}: ${text}`);
      assert.ok(html.includes(`<input type="hidden" name="lang" value="${lang}">`), `${lang}: the buy form carries the language`);
      assert.match(html, new RegExp(`href="/tea/\\?lang=${lang}" lang="${tag}" hreflang="${tag}" aria-current="true"`));
      for (const name of ['한국어', '中文', 'English']) assert.ok(html.includes(`>${name}</a>`), `${lang}: the switch names ${name} in itself`);
    }
    assert.match(await (await get('/tea/', { cookie: 'dari-lang=zh' })).text(), /<html lang="zh-Hans">/, 'the remembered choice');
    assert.match(await (await get('/tea/', { 'accept-language': 'ko-KR,ko;q=0.9' })).text(), /<html lang="ko">/, 'else the browser’s');
    assert.match(await (await get('/tea/')).text(), /<html lang="en">/, 'else English');
    assert.match(await (await get('/tea/?lang=en')).text(), /<span lang="ko" class="ko">세작 녹차 80g<\/span>/, 'the Korean name beside the translation');
  });

  it('keeps a page’s own address in its language links, and answers errors in the page’s language', async () => {
    const missing = await get('/tea/return?order=NOPE&status=SUCCESS&lang=zh');
    assert.equal(missing.status, 404);
    const html = await missing.text();
    assert.match(html, /没有这个订单。/);
    assert.ok(html.includes('href="/tea/return?order=NOPE&amp;status=SUCCESS&amp;lang=ko"'), 'the Korean link names the same order');
    assert.match(await (await get('/hats/orders/NOPE?lang=ko')).text(), /없는 주문입니다\./);

    const buy = await app.request('/tea/orders', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'item=sejak&lang=ko' });
    assert.equal(buy.status, 503, 'no credentials, no checkout');
    assert.equal(buy.headers.get('set-cookie'), null, 'a posted language is the page’s, not a new choice');
    const refused = await buy.text();
    assert.match(refused, /<html lang="ko">/);
    assert.match(refused, /상점이 아직 설정되지 않았습니다\./);
    assert.ok(refused.includes('href="/tea/?lang=zh"'), 'from a posted page, the switch leads to the front page');
  });

  it('refuses at start a profile that would make a broken shop', () => {
    const broken: [string, Partial<ShopProfile>][] = [
      ['path', { path: 'shop' }],
      ['path', { path: '/a/b' }],
      ['order id prefix', { orderIdPrefix: 'hb' }],
      ['accent', { accent: 'red' }],
      ['catalogue', { catalogue: [] }],
      ['unique', { catalogue: [TEA.catalogue[0]!, TEA.catalogue[0]!] }],
      ['above zero', { catalogue: [{ ...TEA.catalogue[0]!, priceKrw: 0n }] }],
      ['item id', { catalogue: [{ ...TEA.catalogue[0]!, itemId: 'Big Tea' }] }],
    ];
    for (const [why, change] of broken) {
      assert.throws(() => createShop({ profile: { ...TEA, ...change }, dataDir: join(dir, 'broken'), acquirerUrl: '', publicUrl: '' }), new RegExp(why), why);
    }
  });
});
