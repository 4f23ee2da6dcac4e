/**
 * `dari simulate --tourists N --merchants N --days N --seed N [--out DIR]`:
 * runs a season on a fresh data directory, with a progress bar, prints the
 * summary table and writes the chart. Exit code 0 when every ledger verifies
 * and every check holds, 1 otherwise, 2 for bad usage.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkSimulateOptions, simulate } from './simulate.ts';
import { formatSummaryTable, renderSummaryHtml } from './simulate-report.ts';

export const SIMULATE_USAGE = `  dari simulate [--tourists N] [--merchants N] [--days N] [--seed N] [--out DIR] [--keep-data]
      drives a tourist season through the real APIs of the three institutions (defaults:
      20 tourists, 5 merchants, 3 days, seed 1), closing and settling each day's cycle; writes
      DIR/simulation.html (default ./simulation) and exits 1 if anything does not add up`;

const PROGRESS_BAR_CHARS = 30;

export async function simulateCommand(argv: readonly string[], out: (line: string) => void, progressStream: NodeJS.WriteStream = process.stderr): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        tourists: { type: 'string', default: '20' },
        merchants: { type: 'string', default: '5' },
        days: { type: 'string', default: '3' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string', default: 'simulation' },
        'keep-data': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    out(`dari simulate: ${(error as Error).message}\n\nusage:\n${SIMULATE_USAGE}`);
    return 2;
  }
  const numbers = { tourists: Number(values.tourists), merchants: Number(values.merchants), days: Number(values.days), seed: Number(values.seed) };
  const problem = checkSimulateOptions(numbers);
  if (problem) {
    out(`dari simulate: ${problem}\n\nusage:\n${SIMULATE_USAGE}`);
    return 2;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-simulate-'));
  const interactive = progressStream.isTTY === true;
  let lastLabel = '';
  const started = performance.now();
  try {
    const summary = await simulate({
      ...numbers,
      dataDir,
      progress: (done, total, label) => {
        if (interactive) {
          const filled = Math.round((done / total) * PROGRESS_BAR_CHARS);
          progressStream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(PROGRESS_BAR_CHARS - filled)}] ${String(Math.floor((done / total) * 100)).padStart(3)}%  ${label}, payment ${done}/${total}  `);
        } else if (label !== lastLabel) {
          out(`${label}…`);
        }
        lastLabel = label;
      },
    });
    if (interactive) progressStream.write('\n');
    out(formatSummaryTable(summary));
    const outDir = resolve(values.out);
    mkdirSync(outDir, { recursive: true });
    const chart = join(outDir, 'simulation.html');
    writeFileSync(chart, renderSummaryHtml(summary, `dari season: ${numbers.tourists} tourists, ${numbers.merchants} merchants, ${numbers.days} days, seed ${numbers.seed}`));
    out(`\nchart and table: ${chart}`);
    out(`took ${((performance.now() - started) / 1000).toFixed(1)} s${values['keep-data'] ? `; data kept in ${dataDir}` : ''}`);
    return summary.ok ? 0 : 1;
  } finally {
    if (!values['keep-data']) rmSync(dataDir, { recursive: true, force: true });
  }
}
