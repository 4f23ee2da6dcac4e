import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MDR_BPS_MAX, MDR_ROUNDING, mdrFeeKrw, planPayout } from './payout-plan.ts';

describe('payout arithmetic', () => {
  it('rounds the fee down (floor), named MDR_ROUNDING', () => {
    assert.equal(MDR_ROUNDING, 'floor');
    for (const [net, bps, fee] of [
      [10_000n, 250, 250n],
      [10_039n, 250, 250n], // 250.975 → 250
      [10_040n, 250, 251n], // 251.000
      [1n, 9_999, 0n], // 0.9999 → 0
      [3n, 3_333, 0n], // 0.9999 → 0
      [3n, 3_334, 1n], // 1.0002 → 1
      [12_345n, 0, 0n],
      [12_345n, 10_000, 12_345n],
      [9_223_372_036_854_775_807n, 250, 230_584_300_921_369_395n], // exact far beyond 2^53
    ] as const) {
      assert.equal(mdrFeeKrw(net, bps), fee, `${net} × ${bps} bps`);
    }
  });

  it('pays net − fee for a positive net, and nothing (carried forward) for a net of zero or less', () => {
    assert.deepEqual(planPayout({ capturedKrw: 100_000n, reversedKrw: 20_000n }, 250), { netKrw: 80_000n, mdrBps: 250, feeKrw: 2_000n, amountKrw: 78_000n });
    assert.equal(planPayout({ capturedKrw: 5_000n, reversedKrw: 5_000n }, 250), null);
    assert.equal(planPayout({ capturedKrw: 0n, reversedKrw: 7_000n }, 250), null);
    assert.deepEqual(planPayout({ capturedKrw: 1n, reversedKrw: 0n }, MDR_BPS_MAX), { netKrw: 1n, mdrBps: MDR_BPS_MAX, feeKrw: 1n, amountKrw: 0n });
  });

  it('treats a rate outside 0 … 10 000 bps as a bug', () => {
    for (const bps of [-1, 10_001, 2.5, Number.NaN]) assert.throws(() => mdrFeeKrw(1_000n, bps), /assertion failed/);
  });

  it('holds fee + amount = net and fee = ⌊net × bps / 10 000⌋ for any net and rate', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 2n ** 62n }), fc.bigInt({ min: 0n, max: 2n ** 62n }), fc.integer({ min: 0, max: MDR_BPS_MAX }), (captured, reversed, bps) => {
        const plan = planPayout({ capturedKrw: captured, reversedKrw: reversed }, bps);
        if (captured <= reversed) return assert.equal(plan, null);
        assert.ok(plan);
        assert.equal(plan.feeKrw + plan.amountKrw, captured - reversed);
        // floor: fee × 10 000 ≤ net × bps < (fee + 1) × 10 000
        assert.ok(plan.feeKrw * 10_000n <= plan.netKrw * BigInt(bps));
        assert.ok(plan.netKrw * BigInt(bps) < (plan.feeKrw + 1n) * 10_000n);
      }),
      { numRuns: 1_000 },
    );
  });
});
