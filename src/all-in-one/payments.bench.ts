/**
 * Issue 4's payments benchmark: user-presented payments through the whole
 * chain (POS → acquirer → network → wallet and back) over real HTTP on
 * loopback, every inter-institution message signed and verified, the three
 * institutions on SQLite in one process (the all-in-one deployment), the
 * terminals in a worker thread beside it.
 *
 * Side by side in one run, each on a fresh data directory: `naive` (one
 * signed request per message, one transaction per ledger and store call) and
 * `batched` (dari's path: envelopes, group commit), ADR 10. For each:
 * - throughput, closed loop: many terminals, each paying again as soon as it
 *   is answered;
 * - latency, open loop at a fixed offered rate (p50, p99, max);
 * - then every ledger verifies, and the money adds up: what the tourists
 *   paid is what the network says the wallet owes, and what the merchants
 *   are owed is what the network says the acquirer is owed.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Batching } from '../platform/batching.ts';
import { startCpuProfile } from '../platform/profiling.ts';
import { startDari, type Dari } from './compose.ts';
import { apiClient, type ApiClient } from './http-client.ts';
import type { LoadJob, LoadPlan, LoadReport } from './payments-load.ts';
import { seedDemo, type DemoCredentials } from './seed.ts';

/** What each payment costs: 15,000 KRW, 78.85 CNY at the demo's rate. */
const PRICE_KRW = 15_000n;
/** Each tourist's top-up, in fen: 40,000.00 CNY (the simulated card lends 50,000.00). */
const TOPUP_CNY_MINOR = 4_000_000n;
/** The open loop runs only if the closed loop completed at least this much more than the offered rate. */
const SATURATION_MARGIN = 1.1;
/** Payment codes issued at once while preparing a phase. */
const CODES_PER_ROUND = 500;

export interface PaymentsBenchOptions {
  readonly batchings: readonly Batching[];
  readonly tourists: number;
  /** Terminals per demo merchant (there are three merchants). */
  readonly terminalsPerMerchant: number;
  /** Payments in the closed-loop phase, per mode. */
  readonly throughputPayments: Readonly<Record<Batching, number>>;
  readonly concurrency: number;
  readonly latencyRatePerSecond: number;
  readonly latencyPayments: number;
  readonly log: (line: string) => void;
  /** Where to write a CPU profile of dari's thread during each closed loop (`DARI_BENCH_PROFILE_DIR`); none when absent. */
  readonly profileDir?: string;
}

export interface PaymentsBenchResult {
  readonly paymentsPerSecond: number;
  /** Open loop at `latencyRatePerSecond`; null when the closed loop showed it cannot keep up with that rate. */
  readonly latency: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number; readonly offeredPerSecond: number; readonly completed: number } | null;
  /** sha256 of every participant's final position and every merchant's payable, for comparing runs. */
  readonly checksum: string;
}

interface Prepared {
  readonly dari: Dari;
  readonly credentials: DemoCredentials;
  readonly terminals: readonly { readonly merchantId: string; readonly terminalKey: string }[];
  readonly tourists: readonly { readonly token: string }[];
}

export async function runPaymentsBench(options: PaymentsBenchOptions): Promise<Record<Batching, PaymentsBenchResult>> {
  // A worker does not inherit the main thread's TypeScript loader: register it there first.
  const entry = new URL('./payments-load.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { role: 'payments-load' } });
  const load = (plan: LoadPlan): Promise<LoadReport> =>
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(plan);
    });
  const results: Partial<Record<Batching, PaymentsBenchResult>> = {};
  try {
    for (const batching of options.batchings) {
      const dataDir = mkdtempSync(join(tmpdir(), `dari-bench-payments-${batching}-`));
      const prepared = await prepare(dataDir, batching, options);
      try {
        results[batching] = await measure(prepared, batching, options, load);
      } finally {
        await prepared.dari.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await worker.terminate();
  }
  return results as Record<Batching, PaymentsBenchResult>;
}

async function prepare(dataDir: string, batching: Batching, options: PaymentsBenchOptions): Promise<Prepared> {
  // A generous timeout: under a saturating closed loop the chain queues, and a
  // payment that times out would be cancelled, which is not what is measured.
  const dari = await startDari({ dataDir, port: 0, version: 'bench', resolveIntervalMs: null, batching, peerTimeoutMs: 30_000, paymentDeadlineMs: 60_000 });
  const credentials = await seedDemo(dari);
  const api = apiClient(dari.url);
  const terminals: { merchantId: string; terminalKey: string }[] = [];
  for (const merchant of credentials.merchants) {
    const store = await api.call<{ storeId: string }>('POST', `/acquirer/v1/merchants/${merchant.merchantId}/stores`, {
      token: credentials.acquirerOperatorKey,
      body: { name: `${merchant.name} bench counters`, address: 'Loopback 1' },
    });
    for (let i = 0; i < options.terminalsPerMerchant; i++) {
      const terminal = await api.call<{ terminalKey: string }>('POST', `/acquirer/v1/merchants/${merchant.merchantId}/terminals`, {
        token: credentials.acquirerOperatorKey,
        body: { storeId: store.storeId, label: `Counter ${i + 1}` },
      });
      terminals.push({ merchantId: merchant.merchantId, terminalKey: terminal.terminalKey });
    }
  }
  const tourists = await inRounds(options.tourists, 50, async (i) => {
    const user = await api.call<{ token: string }>('POST', '/wallet/v1/users', {
      body: { name: `Bench Tourist ${i}`, phone: `+86139${String(i).padStart(8, '0')}`, country: 'CN', idNumber: `BENCH${String(i).padStart(8, '0')}` },
    });
    await api.call('POST', '/wallet/v1/topups', { token: user.token, body: { requestId: `bench-topup-${i}`, amount: { currency: 'CNY', value: TOPUP_CNY_MINOR.toString() } } });
    return { token: user.token };
  });
  options.log(`payments bench (${batching}): ${terminals.length} terminals, ${tourists.length} tourists ready`);
  return { dari, credentials, terminals, tourists };
}

async function measure(prepared: Prepared, batching: Batching, options: PaymentsBenchOptions, load: (plan: LoadPlan) => Promise<LoadReport>): Promise<PaymentsBenchResult> {
  const { dari } = prepared;
  const api = apiClient(dari.url);
  const before = await totals(api, prepared);

  const throughputJobs = await jobs(api, prepared, options.throughputPayments[batching], `${batching}-t`);
  const profile = await startCpuProfile(options.profileDir, `payments-${batching}-closed-loop`);
  const closed = await load({ kind: 'closed', url: dari.url, jobs: throughputJobs, concurrency: options.concurrency });
  const profilePath = await profile.stop();
  if (profilePath) options.log(`payments bench (${batching}): CPU profile of the closed loop (dari's thread) in ${profilePath}`);
  assertNoFailures(closed, `${batching} throughput`);
  const paymentsPerSecond = closed.completed / (closed.elapsedMs / 1000);
  options.log(`payments bench (${batching}): ${closed.completed} payments, ${options.concurrency} terminals at once: ${Math.round(paymentsPerSecond)} payments/s (closed loop; p50 ${percentile(closed.latenciesMs, 0.5).toFixed(1)} ms, p99 ${percentile(closed.latenciesMs, 0.99).toFixed(1)} ms)`);

  // Offered more than it can complete, a server's queue grows without bound for as long as the
  // run lasts: its latency then measures the run's length, not the server.
  let latency: PaymentsBenchResult['latency'] = null;
  let openCompleted = 0;
  if (paymentsPerSecond < options.latencyRatePerSecond * SATURATION_MARGIN) {
    options.log(`payments bench (${batching}): open loop at ${options.latencyRatePerSecond}/s not run: it completes only ${Math.round(paymentsPerSecond)}/s`);
  } else {
    const latencyJobs = await jobs(api, prepared, options.latencyPayments, `${batching}-l`);
    const open = await load({ kind: 'open', url: dari.url, jobs: latencyJobs, ratePerSecond: options.latencyRatePerSecond });
    assertNoFailures(open, `${batching} latency`);
    openCompleted = open.completed;
    latency = {
      p50Ms: percentile(open.latenciesMs, 0.5),
      p99Ms: percentile(open.latenciesMs, 0.99),
      maxMs: open.latenciesMs.at(-1) ?? 0,
      offeredPerSecond: options.latencyRatePerSecond,
      completed: open.completed,
    };
    options.log(`payments bench (${batching}): open loop at ${options.latencyRatePerSecond}/s, ${open.completed} payments: p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms, max ${latency.maxMs.toFixed(1)} ms`);
  }

  for (const [name, institution] of [['wallet', dari.wallet], ['acquirer', dari.acquirer], ['network', dari.network]] as const) {
    const report = await institution.verifyLedger();
    if (!report.ok) throw new Error(`payments bench (${batching}): the ${name}'s ledger does not verify`);
  }
  const after = await totals(api, prepared);
  const payments = BigInt(closed.completed + openCompleted);
  const paidKrw = after.payableKrw - before.payableKrw;
  const owedCny = after.walletOwesCny - before.walletOwesCny;
  if (paidKrw !== payments * PRICE_KRW) throw new Error(`payments bench (${batching}): merchants are owed ${paidKrw} KRW more, expected ${payments * PRICE_KRW}`);
  if (after.acquirerOwedKrw - before.acquirerOwedKrw !== paidKrw) throw new Error(`payments bench (${batching}): the network's KRW position does not match the merchants'`);
  if (before.touristsCny - after.touristsCny !== owedCny) throw new Error(`payments bench (${batching}): the tourists paid ${before.touristsCny - after.touristsCny} fen, the network says ${owedCny}`);
  options.log(`payments bench (${batching}): ledgers verify; merchants +${paidKrw} KRW = network's acquirer position; tourists −${owedCny} fen = network's wallet position`);

  return {
    paymentsPerSecond,
    latency,
    checksum: after.checksum,
  };
}

/** One job per payment, each with a fresh code of a tourist taken in turn, over the terminals in turn. */
async function jobs(api: ApiClient, prepared: Prepared, count: number, tag: string): Promise<LoadJob[]> {
  return inRounds(count, CODES_PER_ROUND, async (i) => {
    const tourist = prepared.tourists[i % prepared.tourists.length]!;
    const terminal = prepared.terminals[i % prepared.terminals.length]!;
    const code = await api.call<{ code: string }>('POST', '/wallet/v1/payment-codes', { token: tourist.token });
    return { terminalKey: terminal.terminalKey, paymentCode: code.code, paymentRequestId: `bench-${tag}-${i}`, amountKrw: PRICE_KRW.toString() };
  });
}

interface Totals {
  readonly touristsCny: bigint;
  readonly payableKrw: bigint;
  readonly walletOwesCny: bigint;
  readonly acquirerOwedKrw: bigint;
  readonly checksum: string;
}

async function totals(api: ApiClient, prepared: Prepared): Promise<Totals> {
  const { credentials } = prepared;
  const balances = await inRounds(prepared.tourists.length, 50, async (i) =>
    BigInt((await api.call<{ balance: { value: string } }>('GET', '/wallet/v1/balance', { token: prepared.tourists[i]!.token })).balance.value),
  );
  const payables = await Promise.all(
    credentials.merchants.map(async (m) => BigInt((await api.call<{ payable: { value: string } }>('GET', `/acquirer/v1/merchants/${m.merchantId}/balance`, { token: credentials.acquirerOperatorKey })).payable.value)),
  );
  const positions = await api.call<{ positions: { participantId: string; role: string; position: { currency: string; value: string } }[] }>('GET', '/network/v1/positions', {
    token: credentials.networkOperatorKey,
  });
  const position = (role: string) => BigInt(positions.positions.find((p) => p.role === role)?.position.value ?? '0');
  const hash = createHash('sha256');
  for (const p of positions.positions) hash.update(`${p.participantId}:${p.position.currency}:${p.position.value}\n`);
  payables.forEach((value, i) => hash.update(`${i}:${value}\n`));
  return {
    touristsCny: balances.reduce((sum, b) => sum + b, 0n),
    payableKrw: payables.reduce((sum, b) => sum + b, 0n),
    walletOwesCny: position('wallet'),
    acquirerOwedKrw: position('acquirer'),
    checksum: hash.digest('hex').slice(0, 16),
  };
}

function assertNoFailures(report: LoadReport, phase: string): void {
  const failed = Object.entries(report.failures);
  if (failed.length > 0) throw new Error(`payments bench, ${phase}: ${failed.map(([what, n]) => `${n}× ${what}`).join(', ')}`);
}

/** The value at quantile `q` of ascending `sorted` (nearest rank). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Runs `work(0..count-1)`, `width` at a time, keeping the order of results. */
async function inRounds<T>(count: number, width: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += width) {
    const end = Math.min(count, start + width);
    out.push(...(await Promise.all(Array.from({ length: end - start }, (_, k) => work(start + k)))));
  }
  return out;
}
