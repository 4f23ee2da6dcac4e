/**
 * The demo seed's web shops: both demo shops (the duty-free store and the
 * boutique) become merchants of the acquirer with a terminal and a webhook
 * secret of their own, are named in demo-credentials.json and led to from
 * the root page, and keep their credentials across a restart over the same
 * data directory (the seed runs on the first start only).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startDari, type Dari } from './compose.ts';
import { DEMO_SHOPS } from './demo-shops.ts';
import { apiClient } from './http-client.ts';
import { seedDemo, writeDemoCredentials, type DemoCredentials } from './seed.ts';

describe('the demo seed’s web shops', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-seed-'));
  let dari: Dari | undefined;
  after(async () => {
    await dari?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('onboards each demo shop as a merchant with its own terminal, writes them down, and keeps them over a restart', async () => {
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null });
    assert.equal(dari.firstStart, true);
    assert.deepEqual(
      dari.shops.map((s) => [s.path, s.configured]),
      [
        ['/shop', false],
        ['/boutique', false],
      ],
    );
    const credentials = await seedDemo(dari);
    writeDemoCredentials(dataDir, credentials);
    assert.deepEqual(
      credentials.shops.map((s) => [s.name, s.url]),
      [
        ['Hanbit Duty Free', `${dari.url}/shop/`],
        ['Garosu Atelier', `${dari.url}/boutique/`],
      ],
    );
    assert.deepEqual(credentials.shop, credentials.shops[0]);
    assert.equal(new Set(credentials.shops.map((s) => s.merchantId)).size, 2, 'a merchant each');
    assert.equal(new Set(credentials.shops.map((s) => s.terminalId)).size, 2, 'a terminal each');
    assert.ok(dari.shops.every((s) => s.configured), 'each shop has its key and webhook secret');

    const api = apiClient(dari.url);
    for (const shop of credentials.shops) {
      const merchant = await api.call<{ status: string; legalName: string }>('GET', `/acquirer/v1/merchants/${shop.merchantId}`, { token: credentials.acquirerOperatorKey });
      assert.deepEqual([merchant.legalName, merchant.status], [shop.name, 'approved']);
      const terminals = await api.call<{ terminals: { terminalId: string; label: string }[] }>('GET', `/acquirer/v1/merchants/${shop.merchantId}/terminals`, { token: credentials.acquirerOperatorKey });
      assert.deepEqual(terminals.terminals.map((t) => [t.terminalId, t.label]), [[shop.terminalId, 'Online shop']]);
    }
    const written = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
    assert.deepEqual(written.shops, credentials.shops);

    const root = await (await fetch(`${dari.url}/`)).text();
    for (const demo of DEMO_SHOPS) assert.ok(root.includes(`<a href="${demo.profile.path}/">Shop at ${demo.profile.name.en} →</a>`), `the root page leads to ${demo.profile.path}/`);
    for (const demo of DEMO_SHOPS) {
      const front = await (await fetch(`${dari.url}${demo.profile.path}/?lang=zh`)).text();
      assert.ok(front.includes(demo.profile.name.zh), `${demo.profile.path}/ is ${demo.profile.name.zh}`);
      assert.doesNotMatch(front, /disabled/, 'its buttons work');
    }

    await dari.close();
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null });
    assert.equal(dari.firstStart, false);
    assert.ok(dari.shops.every((s) => s.configured), 'the credentials stayed in each shop’s own database');
  });
});
