/**
 * The market benchmark with tiny inputs, so that it cannot rot (STYLE 24):
 * the whole path runs (seeding, syndication and review, reports, deltas), the
 * bench's own checks hold (every product reviewed, every delta synced without
 * a review), and the same options give the same checksum. The numbers are
 * for `npm run bench -- market`, never asserted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runMarketBench } from './market.bench.ts';

describe('market benchmark (tiny)', () => {
  it('syndicates, reviews and syncs deltas end to end, to the same listings twice', async () => {
    const lines: string[] = [];
    const options = { products: 600, sellers: 7, deltas: 120, log: (line: string) => lines.push(line) };
    const first = await runMarketBench(options);
    const second = await runMarketBench(options);
    assert.equal(first.products, 600);
    assert.equal(first.listed + first.rejected, 600);
    assert.ok(first.rejected > 0 && first.listed > first.rejected, 'some products fail the review, most pass');
    assert.ok(first.reviewedPerSecond > 0 && first.deltasPerSecond > 0);
    assert.match(first.checksum, /^[0-9a-f]{16}$/);
    assert.equal(second.checksum, first.checksum, lines.join('\n'));
    assert.ok(lines.some((line) => line.includes('120 price and stock deltas synced')), lines.join('\n'));
  });
});
