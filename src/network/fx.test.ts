import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { amount, currency, parseRate, type Amount, type FxRate } from '../money/index.ts';
import { PAY_AMOUNT_ROUNDING, REFUND_CUMULATIVE_ROUNDING, payAmountFor, refundPayAmountFor } from './fx.ts';

const CNY = currency('CNY');
const KRW = currency('KRW');

function rate(text: string): FxRate {
  const parsed = parseRate(text, { base: CNY, quote: KRW });
  assert.ok(parsed.ok);
  return parsed.value;
}

function pay(krwValue: bigint, rateText: string): bigint {
  const converted = payAmountFor(amount(KRW, krwValue), rate(rateText));
  assert.ok(converted.ok);
  assert.equal(converted.value.currency, CNY);
  return converted.value.value;
}

/** Refunds `parts` in order (none failing), returning each refundPayAmount. */
function refundParts(parts: readonly bigint[], rateText: string, failed: ReadonlySet<number> = new Set()): bigint[] {
  let before = 0n;
  let payBefore = 0n;
  return parts.map((part, i) => {
    const refunded = refundPayAmountFor({
      payerRate: rate(rateText),
      refundedBefore: amount(KRW, before),
      refundedPayBefore: amount(CNY, payBefore),
      refundAmount: amount(KRW, part),
    });
    assert.ok(refunded.ok);
    if (!failed.has(i)) {
      before += part;
      payBefore += refunded.value.value;
    }
    return refunded.value.value;
  });
}

test('the roundings are named and are ceil: the payer covers the price in full', () => {
  assert.equal(PAY_AMOUNT_ROUNDING, 'ceil');
  assert.equal(REFUND_CUMULATIVE_ROUNDING, PAY_AMOUNT_ROUNDING);
});

test('payAmount: KRW price in CNY fen at 1 CNY = rate KRW, rounded up', () => {
  const cases: readonly { krw: bigint; rate: string; fen: bigint; why: string }[] = [
    { krw: 19025n, rate: '190.25', fen: 10000n, why: 'exact: 100.00 CNY' },
    { krw: 15000n, rate: '190.25', fen: 7885n, why: 'inexact: 78.8436… CNY rounds up to 78.85' },
    { krw: 1n, rate: '190.25', fen: 1n, why: 'one won is 0.53 fen: the payer pays one fen' },
    { krw: 19000n, rate: '190', fen: 10000n, why: 'integer rate, exact' },
    { krw: 100000n, rate: '190.25', fen: 52563n, why: '525.6242… CNY' },
    { krw: 1000n, rate: '0.5', fen: 200000n, why: 'a rate below 1' },
    { krw: 7n, rate: '3', fen: 234n, why: '2.3333… CNY rounds up to 2.34' },
  ];
  for (const c of cases) assert.equal(pay(c.krw, c.rate), c.fen, c.why);
});

test('payAmount refuses an amount in the wrong currency', () => {
  const wrong = payAmountFor(amount(CNY, 100n), rate('190.25'));
  assert.equal(wrong.ok, false);
});

test('refunds in three parts telescope to exactly payAmount', () => {
  const parts = [3000n, 7000n, 5000n];
  const refunded = refundParts(parts, '190.25');
  assert.deepEqual(refunded, [1577n, 3680n, 2628n]);
  assert.equal(refunded.reduce((a, b) => a + b, 0n), pay(15000n, '190.25'));
});

test('equal thirds: each part is the difference of two ceilings, not its own ceiling', () => {
  const refunded = refundParts([5000n, 5000n, 5000n], '190.25');
  // ceil(5000 KRW) alone is 2629 fen; three of those would give back 7887 > 7885 paid.
  assert.deepEqual(refunded, [2629n, 2628n, 2628n]);
  assert.equal(refunded.reduce((a, b) => a + b, 0n), 7885n);
});

test('a refund smaller than a fen can be 0 fen', () => {
  assert.deepEqual(refundParts([1n, 1n, 1n], '190.25'), [1n, 1n, 0n]);
});

test("a failed refund's share is caught up by the next, so a full refund still returns exactly payAmount", () => {
  const refunded = refundParts([5000n, 5000n, 10000n], '190.25', new Set([1]));
  assert.equal(refunded[0]! + refunded[2]!, 7885n);
});

test('property: cumulative refunds never exceed payAmount and a full refund returns it exactly', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: 10_000_000n }),
      fc.integer({ min: 1, max: 400_000 }),
      fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 6 }),
      (krwValue, rateHundredths, weights) => {
        const rateText = `${Math.floor(rateHundredths / 100)}.${String(rateHundredths % 100).padStart(2, '0')}`;
        if (rate(rateText).numerator === 0n) return;
        const total = weights.reduce((a, b) => a + b, 0);
        // Split krwValue into positive parts in proportion to the weights; the last takes the rest.
        const parts: bigint[] = [];
        let left = krwValue;
        for (const [i, w] of weights.entries()) {
          const part = i === weights.length - 1 ? left : (krwValue * BigInt(w)) / BigInt(total);
          if (part > 0n && part <= left) {
            parts.push(part);
            left -= part;
          }
        }
        if (left > 0n) parts.push(left);
        const paid = pay(krwValue, rateText);
        const refunded = refundParts(parts, rateText);
        let cumulative = 0n;
        for (const r of refunded) {
          assert.ok(r >= 0n);
          cumulative += r;
          assert.ok(cumulative <= paid);
        }
        assert.equal(cumulative, paid);
      },
    ),
    { numRuns: 300 },
  );
});

test('types: amounts out of the helpers are Amounts in the payer currency', () => {
  const a: Amount = amount(KRW, 1n);
  const r = refundPayAmountFor({ payerRate: rate('190.25'), refundedBefore: amount(KRW, 0n), refundedPayBefore: amount(CNY, 0n), refundAmount: a });
  assert.ok(r.ok);
  assert.equal(r.value.currency, CNY);
});
