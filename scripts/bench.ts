/**
 * `npm run bench -- <name> [--quick]`: runs a benchmark full size, or small
 * (`--quick`, under a minute), and ends with one JSON line of its numbers.
 *
 * PostgreSQL: the server named by DARI_BENCH_POSTGRES_URL (a superuser URL;
 * the bench creates and drops its own databases), else a throwaway server
 * started for the run, as the tests do.
 */
import { runMarketBench } from '../src/all-in-one/market.bench.ts';
import { runPaymentsBench } from '../src/all-in-one/payments.bench.ts';
import { runLedgerBench, type LedgerBenchOptions } from '../src/ledger/ledger.bench.ts';
import { runClearingBench } from '../src/network/clearing/clearing.bench.ts';
import { startThrowawayPostgres } from '../src/platform/testing/postgres.ts';

const BENCHES = ['ledger', 'payments', 'clearing', 'market'] as const;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(BENCHES as readonly string[]).includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`);
  process.exit(2);
}
const selected = names.length === 0 ? BENCHES : names;

// Only the ledger bench runs on PostgreSQL; the payments and clearing benches are the network's SQLite, as issues 4 and 5 ask.
const needsPostgres = selected.includes('ledger');
const envUrl = process.env.DARI_BENCH_POSTGRES_URL;
const throwaway = envUrl || !needsPostgres ? null : await startThrowawayPostgres();
const postgresUrl = envUrl ?? throwaway?.url ?? '';
if (needsPostgres) console.log(`PostgreSQL: ${envUrl ? 'DARI_BENCH_POSTGRES_URL' : 'a throwaway server started for this run'}`);

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
    if (name === 'payments') {
      const started = performance.now();
      const result = await runPaymentsBench({
        batchings: ['naive', 'batched'],
        tourists: quick ? 200 : 500,
        terminalsPerMerchant: 16,
        throughputPayments: quick ? { naive: 1_000, batched: 4_000 } : { naive: 4_000, batched: 20_000 },
        concurrency: 256,
      deployment: 'thread-per-institution',
      warmupPayments: quick ? 1_000 : 2_000,
        latencyRatePerSecond: 1_000,
        latencyPayments: quick ? 3_000 : 10_000,
        log: (line) => console.log(line),
        ...(process.env.DARI_BENCH_PROFILE_DIR ? { profileDir: process.env.DARI_BENCH_PROFILE_DIR } : {}),
      });
      console.log(`payments bench took ${((performance.now() - started) / 1000).toFixed(1)} s; checksums ${result.naive.checksum} ${result.batched.checksum}`);
      const summary = {
        payments: {
          naive: Math.round(result.naive.paymentsPerSecond),
          batched: Math.round(result.batched.paymentsPerSecond),
          p99Ms: result.batched.latency === null ? null : Math.round(result.batched.latency.p99Ms * 10) / 10,
        },
      };
      console.log(JSON.stringify(summary));
    }
    if (name === 'clearing') {
      // Issue 5: 10 million payments, 16 wallets and 16 acquirers (each file under the format's million lines).
      const result = await runClearingBench({
        payments: quick ? 500_000 : 10_000_000,
        wallets: 16,
        acquirers: 16,
        seed: 42,
        log: (line) => console.log(line),
        // The same close on one thread after it: the second core's gain, side by side.
        compareOneThread: true,
        ...(process.env.DARI_BENCH_PROFILE_DIR ? { profileDir: process.env.DARI_BENCH_PROFILE_DIR } : {}),
      });
      console.log(
        `clearing bench: ${result.payments} payments (${result.transactions} transactions, ${result.fileLines} file lines, ${(result.fileBytes / 1024 / 1024).toFixed(0)} MiB of files) ` +
          `cleared and netted in ${result.seconds.toFixed(1)} s: ${Math.round(result.paymentsPerSecond)} payments/s, peak RSS ${result.peakRssMiB} MiB ` +
          `(${result.openRssMiB} MiB once the network was open); checksum ${result.checksum}`,
      );
      if (result.oneThread !== null) {
        console.log(
          `clearing bench: the same close on one thread: ${result.oneThread.seconds.toFixed(1)} s, ${Math.round(result.oneThread.paymentsPerSecond)} payments/s, ` +
            `peak RSS ${result.oneThread.peakRssMiB} MiB: two threads are ${(result.oneThread.seconds / result.seconds).toFixed(2)}x as fast`,
        );
      }
      console.log(JSON.stringify({ clearing: { payments: result.payments, perSecond: Math.round(result.paymentsPerSecond), peakRssMiB: result.peakRssMiB } }));
    }
    if (name === 'market') {
      // Issue 7: 100,000 products from 1,000 sellers reviewed and listed, then 10,000 deltas.
      const started = performance.now();
      const result = await runMarketBench({
        products: quick ? 20_000 : 100_000,
        sellers: quick ? 200 : 1_000,
        deltas: quick ? 5_000 : 10_000,
        log: (line) => console.log(line),
      });
      console.log(`market bench took ${((performance.now() - started) / 1000).toFixed(1)} s; checksum ${result.checksum}`);
      console.log(JSON.stringify({ market: { products: result.products, reviewedPerSecond: Math.round(result.reviewedPerSecond), deltasPerSecond: Math.round(result.deltasPerSecond) } }));
    }
  }
} finally {
  await throwaway?.stop();
}
