import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createApp } from '../platform/http/app.ts';
import { ASSETS_BYTES_MAX, consoleAssets } from './assets.ts';
import { CONTENT_SECURITY_POLICY, isLoopbackRequest, mountWebConsole } from './routes.ts';

const dir = mkdtempSync(join(tmpdir(), 'dari-web-routes-'));
const credentialsPath = join(dir, 'demo-credentials.json');
writeFileSync(credentialsPath, JSON.stringify({ networkOperatorKey: 'net', acquirerOperatorKey: 'acq', walletOperatorKey: 'wal', tourist: { userId: 'u', token: 'tok', name: 'Li Wei' }, merchant: { merchantId: 'M', name: 'Shop', terminalId: 'T', terminalKey: 'key' } }));
const app = createApp({ version: 'test', healthChecks: [] });
mountWebConsole(app, {
  demoCredentialsPath: credentialsPath,
  shops: [
    { href: '/shop/', name: { en: 'Hanbit Duty Free', ko: '한빛 면세점', zh: '韩光免税店' } },
    { href: '/boutique/', name: { en: 'Garosu Atelier', ko: '가로수 아틀리에', zh: '林荫道工坊' } },
  ],
});
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });

/** Absolute URLs in a text, less the SVG namespace (a name, never fetched). */
const absoluteUrls = (text: string) => [...text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)<]*/gi)].map((m) => m[0]).filter((url) => url !== 'http://www.w3.org/2000/svg');

describe('the console pages and assets', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the root page in the language asked, with a link to each console and the switch on it', async () => {
    const table = [
      ['', 'en', 'Pick a console', 'Shop at Hanbit Duty Free', 'Shop at Garosu Atelier'],
      ['?lang=ko', 'ko', '콘솔 선택', '한빛 면세점에서 쇼핑하기', '가로수 아틀리에에서 쇼핑하기'],
      ['?lang=zh', 'zh-Hans', '选择控制台', '去韩光免税店购物', '去林荫道工坊购物'],
    ] as const;
    for (const [query, lang, heading, dutyFree, boutique] of table) {
      const page = await get(`/${query}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, new RegExp(`<html lang="${lang}"`));
      assert.ok(html.includes(heading), `${lang}: ${heading}`);
      for (const path of ['/wallet', '/pos', '/acquirer', '/network']) assert.ok(html.includes(`href="${path}"`), `${lang}: links ${path}`);
      assert.ok(html.includes(`<a href="/shop/">${dutyFree} →</a>`), `${lang}: links the duty-free web shop by its name (online checkout)`);
      assert.ok(html.includes(`<a href="/boutique/">${boutique} →</a>`), `${lang}: links the boutique by its name`);
      for (const name of ['한국어', '中文', 'English']) assert.ok(html.includes(`>${name}</a>`), `${lang}: the switch names ${name}`);
      assert.match(html, /aria-current="true"/);
      assert.deepEqual(absoluteUrls(html), [], 'nothing from another host');
    }
  });

  it('remembers a language chosen with ?lang= and reads Accept-Language otherwise', async () => {
    const chosen = await get('/wallet?lang=zh');
    assert.match(chosen.headers.get('set-cookie') ?? '', /^dari-lang=zh; Max-Age=31536000; Path=\/; SameSite=Lax/);
    assert.match(await (await get('/pos', { cookie: 'dari-lang=ko' })).text(), /<html lang="ko"/);
    assert.match(await (await get('/network', { 'accept-language': 'zh-CN,zh;q=0.9' })).text(), /<html lang="zh-Hans"/);
    assert.equal((await get('/network')).headers.get('set-cookie'), null, 'no cookie without a choice');
  });

  it('serves each console shell with its script, a strict policy and no demo offer to an unknown peer', async () => {
    for (const entry of ['wallet', 'pos', 'acquirer', 'network']) {
      const page = await get(`/${entry}`);
      assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      const html = await page.text();
      assert.ok(html.includes(`<script type="module" src="/assets/web/${entry}.js"></script>`));
      assert.ok(html.includes('data-demo="false"'), 'an in-process request has no peer to trust');
    }
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /https?:|\*/);
  });

  it('gives the demo keys to no request it cannot place on this machine', async () => {
    const refused = await get('/console/demo-credentials/wallet', { host: 'localhost' });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
    assert.equal((await get('/console/demo-credentials/bank')).status, 404);
  });

  it('tells a loopback request from others by peer address and Host', () => {
    const table: [string | undefined, string | undefined, boolean][] = [
      ['127.0.0.1', '127.0.0.1:3000', true],
      ['::1', 'localhost:3000', true],
      ['::ffff:127.0.0.1', 'localhost', true],
      ['127.8.9.10', '[::1]:3000', true],
      ['192.168.1.20', 'localhost:3000', false],
      ['127.0.0.1', 'dari.example.com', false],
      ['127.0.0.1', 'localhost.example.com:3000', false],
      ['::ffff:10.0.0.1', '127.0.0.1', false],
      [undefined, 'localhost', false],
      ['127.0.0.1', undefined, false],
    ];
    for (const [address, host, expected] of table) assert.equal(isLoopbackRequest(address, host), expected, `${address} ${host}`);
  });

  it('serves the bundles from memory, with validators, and nothing that points elsewhere', async () => {
    const script = await get('/assets/web/wallet.js');
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const etag = script.headers.get('etag');
    assert.ok(etag);
    assert.equal((await get('/assets/web/wallet.js', { 'if-none-match': etag })).status, 304);
    assert.equal((await get('/assets/web/console.css')).headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await get('/assets/web/nothing.js')).status, 404);
    const assets = await consoleAssets();
    let bytes = 0;
    for (const [name, asset] of assets) {
      bytes += asset.body.byteLength;
      assert.deepEqual(absoluteUrls(new TextDecoder().decode(asset.body)), [], `${name} names no other host`);
    }
    assert.ok(bytes < ASSETS_BYTES_MAX, `${bytes} bytes`);
    for (const name of ['wallet.js', 'pos.js', 'acquirer.js', 'network.js', 'console.css', 'icon.svg']) assert.ok(assets.has(name), name);
  });
});
