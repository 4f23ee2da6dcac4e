/**
 * The clearing benchmark with a tiny input, so that it cannot rot (STYLE 24):
 * it seeds, closes the cycle in a process of its own, and its own checks hold
 * (the positions are the seeded ones, every file reads back to its checksum
 * and parses). The numbers are for `npm run bench -- clearing`, never asserted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runClearingBench } from './clearing.bench.ts';

describe('clearing benchmark (tiny)', () => {
  it('closes a seeded cycle, and the same seed gives the same checksum', async () => {
    const lines: string[] = [];
    const run = () => runClearingBench({ payments: 1_500, wallets: 2, acquirers: 3, seed: 7, parseFilesLinesMax: 10_000, log: (line) => lines.push(line) });
    const first = await run();
    assert.equal(first.payments, 1_500);
    assert.ok(first.transactions > first.payments, 'refunds and cancellations ride along');
    assert.ok(first.seconds > 0 && first.paymentsPerSecond > 0 && first.peakRssMiB > 0);
    assert.match(first.checksum, /^[0-9a-f]{16}$/);
    // Every transaction is a line of its acquirer's file and, but for a refund of 0 fen, of its wallet's; 2 more lines a file at least.
    assert.ok(first.fileLines >= first.transactions + 2 * 5, `${first.fileLines} lines`);
    assert.ok(lines.some((line) => line.startsWith('clearing bench: seeded 1500 payments')), lines.join('\n'));
    assert.equal((await run()).checksum, first.checksum);
  });

  it('refuses a run whose files would pass the line limit of a clearing file', async () => {
    await assert.rejects(runClearingBench({ payments: 3_000_000, wallets: 2, acquirers: 3, seed: 7, log: () => {} }), /add participants/);
  });
});
