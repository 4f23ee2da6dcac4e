import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BAR_SLOT_PX_MAX, bars, CHART_BUCKETS_MAX, HOUR_MS, volumeBuckets } from './chart.ts';

const at = (iso: string, value: string, currency = 'KRW') => ({ time: iso, amount: { currency, value } });

describe('volume over time', () => {
  it('sums payments per hour exactly, filling the empty hours between', () => {
    const buckets = volumeBuckets(
      [at('2026-11-25T01:10:00Z', '9007199254740993'), at('2026-11-25T01:50:00Z', '2'), at('2026-11-25T03:00:00Z', '38000'), at('2026-11-25T02:30:00Z', '100', 'CNY'), at('not a time', '5'), at('2026-11-25T02:00:00Z', 'x')],
      'KRW',
    );
    assert.deepEqual(
      buckets.map((b) => [new Date(b.startMs).toISOString(), b.total.value, b.count]),
      [
        ['2026-11-25T01:00:00.000Z', '9007199254740995', 2],
        ['2026-11-25T02:00:00.000Z', '0', 0],
        ['2026-11-25T03:00:00.000Z', '38000', 1],
      ],
    );
  });

  it('keeps the newest CHART_BUCKETS_MAX hours, and nothing for no payments', () => {
    const start = Date.UTC(2026, 10, 1);
    const payments = Array.from({ length: 100 }, (_, i) => at(new Date(start + i * HOUR_MS).toISOString(), String(i + 1)));
    const buckets = volumeBuckets(payments, 'KRW');
    assert.equal(buckets.length, CHART_BUCKETS_MAX);
    assert.equal(buckets.at(-1)!.total.value, '100');
    assert.equal(buckets[0]!.total.value, String(100 - CHART_BUCKETS_MAX + 1));
    assert.deepEqual(volumeBuckets([], 'KRW'), []);
  });

  it('draws the largest hour full height, others in proportion, an empty hour flat and a tiny one visible', () => {
    const bucket = (value: string) => ({ startMs: 0, total: { currency: 'KRW', value }, count: 1 });
    const drawn = bars([bucket('1000000000000000000'), bucket('500000000000000000'), bucket('0'), bucket('1')], { width: 400, height: 200 });
    assert.deepEqual(drawn.map((b) => b.height), [200, 100, 0, 1]);
    assert.deepEqual(drawn.map((b) => b.y), [0, 100, 200, 199]);
    assert.ok(drawn.every((b, i) => i === 0 || b.x > drawn[i - 1]!.x + drawn[i - 1]!.width - 1), 'bars do not overlap');
    assert.ok(drawn.every((b) => b.width <= BAR_SLOT_PX_MAX));
    assert.deepEqual(bars([], { width: 400, height: 200 }), []);
  });
});
