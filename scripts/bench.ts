/**
 * `npm run bench -- <name> [--quick]`: runs a benchmark full size, or small
 * (`--quick`, under a minute), and ends with one JSON line of its numbers.
 *
 * PostgreSQL: the server named by DARI_BENCH_POSTGRES_URL (a superuser URL;
 * the bench creates and drops its own databases), else a throwaway server
 * started for the run, as the tests do.
 */
import { runLedgerBench, type LedgerBenchOptions } from '../src/ledger/ledger.bench.ts';
import { startThrowawayPostgres } from '../src/platform/testing/postgres.ts';

const BENCHES = ['ledger'] as const;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(BENCHES as readonly string[]).includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`);
  process.exit(2);
}
const selected = names.length === 0 ? BENCHES : names;

const envUrl = process.env.DARI_BENCH_POSTGRES_URL;
const throwaway = envUrl ? null : await startThrowawayPostgres();
const postgresUrl = envUrl ?? throwaway!.url;
console.log(`PostgreSQL: ${envUrl ? 'DARI_BENCH_POSTGRES_URL' : 'a throwaway server started for this run'}`);

try {
  for (const name of selected) {
    if (name === 'ledger') {
      const options: LedgerBenchOptions = {
        payerAccounts: 100_000,
        merchantAccounts: 1_000,
        naiveTransfers: quick ? 5_000 : 20_000,
        batchedTransfers: quick ? 100_000 : 500_000,
        naiveClients: 8,
        batchedSubmitters: 8_192,
        seed: 42,
        engines: ['sqlite', 'postgres'],
        postgresUrl,
        log: (line) => console.log(line),
      };
      const started = performance.now();
      const result = await runLedgerBench(options);
      console.log(`ledger bench took ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const summary = Object.fromEntries(
        Object.entries(result).map(([engine, r]) => [
          engine,
          { naive: Math.round(r.naive.transfersPerSecond), batched: Math.round(r.batched.transfersPerSecond) },
        ]),
      );
      console.log(JSON.stringify(summary));
    }
  }
} finally {
  await throwaway?.stop();
}
