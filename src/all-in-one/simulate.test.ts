/**
 * `dari simulate` in small: a two-day season through the real APIs, closing
 * and settling each day's cycle, ends with every ledger verifying and every
 * position settled to zero; the command says how it is used.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simulateCommand } from './simulate-command.ts';
import { renderSummaryHtml, formatSummaryTable } from './simulate-report.ts';
import { simulate } from './simulate.ts';

describe('dari simulate', () => {
  it('runs a season whose money adds up, day by day, with faults injected', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dari-simulate-test-'));
    try {
      const progress: number[] = [];
      const summary = await simulate({ tourists: 6, merchants: 4, days: 2, seed: 11, dataDir, progress: (done) => progress.push(done) });
      assert.equal(summary.ok, true, formatSummaryTable(summary));
      assert.deepEqual(summary.days.map((d) => d.cycleId), ['2026-12-01T2300', '2026-12-02T2300']);
      assert.deepEqual(progress, Array.from({ length: 36 }, (_, i) => i + 1), 'one progress step per payment');
      for (const day of summary.days) {
        assert.ok(day.payments > 0);
        // What the acquirer receives is what merchants were paid, less what they refunded, in the cycle.
        assert.ok(day.acquirerReceivesKrw <= day.volumeKrw);
        assert.equal(day.acquirerReceivesKrw + day.fxNetKrw, 0n);
      }
      const html = renderSummaryHtml(summary, 'test season');
      assert.match(html, /<svg[^>]*role="img"/);
      assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'the page loads nothing from anywhere');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses bad usage with exit code 2 and the usage', async () => {
    for (const argv of [['--days', '0'], ['--tourists', 'many'], ['--merchants', '100000'], ['--unknown']]) {
      const lines: string[] = [];
      assert.equal(await simulateCommand(argv, (line) => lines.push(line)), 2, argv.join(' '));
      assert.match(lines.join('\n'), /usage:/);
    }
  });

  it('writes the chart and exits 0 when everything adds up', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dari-simulate-out-'));
    try {
      const lines: string[] = [];
      const code = await simulateCommand(['--tourists', '3', '--merchants', '2', '--days', '1', '--seed', '5', '--out', out], (line) => lines.push(line));
      assert.equal(code, 0, lines.join('\n'));
      assert.match(lines.join('\n'), /ok {4}the network's ledger verifies/);
      assert.match(readFileSync(join(out, 'simulation.html'), 'utf8'), /Every ledger verifies/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
