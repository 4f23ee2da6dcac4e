/**
 * The ledger benchmark, run small inside the suite so that it cannot rot
 * (STYLE 24): both modes on both engines apply the same seeded workload, so
 * every run must verify and all four must end with the same checksum.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestPostgres, type TestPostgres } from '../platform/testing/postgres.ts';
import { runLedgerBench } from './ledger.bench.ts';

let postgres: TestPostgres;
before(async () => {
  postgres = await startTestPostgres();
});
after(async () => {
  await postgres.stop();
});

test('the ledger benchmark runs small on both engines and every mode ends in the same verified state', async () => {
  const lines: string[] = [];
  const result = await runLedgerBench({
    payerAccounts: 300,
    merchantAccounts: 20,
    naiveTransfers: 400,
    batchedTransfers: 400,
    naiveClients: 8,
    batchedSubmitters: 64,
    seed: 7,
    engines: ['sqlite', 'postgres'],
    postgresUrl: postgres.url,
    log: (line) => lines.push(line),
  });
  const runs = [result.sqlite?.naive, result.sqlite?.batched, result.postgres?.naive, result.postgres?.batched];
  for (const run of runs) {
    assert.ok(run !== undefined, 'every engine and mode ran');
    assert.equal(run.verified, true);
    assert.equal(run.transfers, 400);
    assert.ok(run.transfersPerSecond > 0 && run.p99Ms >= run.p50Ms);
  }
  assert.equal(new Set(runs.map((run) => run!.checksum)).size, 1, `checksums differ:\n${lines.join('\n')}`);
});
