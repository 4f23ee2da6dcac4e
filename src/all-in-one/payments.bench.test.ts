/**
 * The payments benchmark with tiny inputs, so that it cannot rot (STYLE 24):
 * both modes run the whole chain over HTTP, and the bench's own checks (no
 * failed payment, ledgers verify, money adds up on all three sides) hold.
 * The numbers themselves are for `npm run bench -- payments`, never asserted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { percentile, runPaymentsBench } from './payments.bench.ts';

describe('payments benchmark (tiny)', () => {
  it('runs naive and batched side by side, and the money adds up in both', async () => {
    const lines: string[] = [];
    const result = await runPaymentsBench({
      batchings: ['naive', 'batched'],
      tourists: 4,
      terminalsPerMerchant: 1,
      throughputPayments: { naive: 12, batched: 24 },
      concurrency: 6,
      deployment: 'thread-per-institution',
      warmupPayments: 6,
      latencyRatePerSecond: 5,
      latencyPayments: 6,
      log: (line) => lines.push(line),
    });
    for (const batching of ['naive', 'batched'] as const) {
      assert.ok(result[batching].paymentsPerSecond > 0);
      assert.match(result[batching].checksum, /^[0-9a-f]{16}$/);
      assert.ok(lines.some((line) => line.startsWith(`payments bench (${batching}): ledgers verify`)), lines.join('\n'));
      // 5 offered per second is below anything either mode completes, so the open loop ran.
      assert.equal(result[batching].latency?.completed, 6);
    }
  });

  it('runs the three institutions on one thread too (compose.ts), with the same checks', async () => {
    const lines: string[] = [];
    const profileDir = mkdtempSync(join(tmpdir(), 'dari-bench-profile-'));
    const result = await runPaymentsBench({
      batchings: ['batched'],
      tourists: 4,
      terminalsPerMerchant: 1,
      throughputPayments: { naive: 0, batched: 12 },
      concurrency: 6,
      deployment: 'one-thread',
      warmupPayments: 3,
      latencyRatePerSecond: 5,
      latencyPayments: 3,
      log: (line) => lines.push(line),
      profileDir,
    }).finally(() => rmSync(profileDir, { recursive: true, force: true }));
    assert.ok(result.batched.paymentsPerSecond > 0);
    assert.ok(lines.some((line) => line.startsWith('payments bench (batched): ledgers verify')), lines.join('\n'));
    // One thread, one CPU profile of it.
    assert.ok(lines.some((line) => /CPU profiles of the closed loop .* in [^,]+\.cpuprofile$/.test(line)), lines.join('\n'));
    assert.equal(result.batched.latency?.completed, 3);
  });

  it('reads percentiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 0.5), 50);
    assert.equal(percentile(sorted, 0.99), 99);
    assert.equal(percentile([7], 0.99), 7);
    assert.equal(percentile([], 0.99), 0);
  });
});
