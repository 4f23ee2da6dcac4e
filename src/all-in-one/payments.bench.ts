/**
 * Issue 4's payments benchmark: user-presented payments through the whole
 * chain (POS → acquirer → network → wallet and back) over real HTTP on
 * loopback, every inter-institution message signed and verified, the three
 * institutions on SQLite in one process, each in a worker thread of its own
 * with its own event loop and port (threads.ts, ADR 18), the terminals in
 * another worker thread beside them.
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
import { exportPublicKeyPem } from '../platform/signing/index.ts';
import { ACQUIRER_MERCHANT_ID_PREFIX, WALLET_CODE_PREFIX } from './prefixes.ts';
import type { ApiClient } from './http-client.ts';
import { INSTITUTIONS } from './institution-thread.ts';
import type { LoadJob, LoadPlan, LoadReport } from './payments-load.ts';
import { PARTICIPANTS } from './secrets.ts';
import { institutionsApi, startInstitutionThreads, type InstitutionThreads } from './threads.ts';

/** What each payment costs: 15,000 KRW, 78.85 CNY at the bench's rate. */
const PRICE_KRW = 15_000n;
/** 1 CNY = 190.25 KRW, the demo's rate (seed.ts, which the bench does not load: it brings the shop and the web console). */
const BENCH_CNY_KRW_RATE = '190.25';
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
  /**
   * Payments run closed-loop before the measured one and not timed: each
   * institution's thread compiles its hot code and sizes its heap first, so
   * that a short run measures the steady state rather than the warm-up.
   */
  readonly warmupPayments: number;
  readonly concurrency: number;
  readonly deployment: PaymentsDeployment;
  readonly latencyRatePerSecond: number;
  readonly latencyPayments: number;
  readonly log: (line: string) => void;
  /** Where to write a CPU profile of each institution's thread during each closed loop (`DARI_BENCH_PROFILE_DIR`); none when absent. */
  readonly profileDir?: string;
}

export interface PaymentsBenchResult {
  readonly paymentsPerSecond: number;
  /**
   * CPU time dari spent per payment in the closed loop, in ms: the process's
   * CPU time less the terminals' thread, over the payments completed. On a
   * machine shared with other work this moves far less than throughput does,
   * so it is the number to compare two versions by. Null off Linux.
   */
  readonly cpuMsPerPayment: number | null;
  /** Open loop at `latencyRatePerSecond`; null when the closed loop showed it cannot keep up with that rate. */
  readonly latency: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number; readonly offeredPerSecond: number; readonly completed: number } | null;
  /** sha256 of every participant's final position and every merchant's payable, for comparing runs. */
  readonly checksum: string;
}

/** The bench's merchants, each with valid business registration numbers (as the demo's). */
const BENCH_MERCHANTS = [
  { legalName: 'Myeongdong Cosmetics', businessRegistrationNumber: '220-81-62517', mcc: '5977', address: '12 Myeongdong-gil, Jung-gu', city: 'Seoul' },
  { legalName: 'Haeundae Fish Cafe', businessRegistrationNumber: '120-81-47521', mcc: '5814', address: '30 Haeundae-ro', city: 'Busan' },
  { legalName: 'Jeju Tangerine Shop', businessRegistrationNumber: '104-86-12345', mcc: '5499', address: '5 Tapdong-ro', city: 'Jeju' },
] as const;

/**
 * Where the institutions run: a worker thread each (threads.ts, ADR 18, what
 * `npm run bench` measures), or the three on one thread as `npm start` runs
 * them (compose.ts), for comparison.
 */
export type PaymentsDeployment = 'thread-per-institution' | 'one-thread';

/** What the bench needs of a deployment, whichever it is. */
type Deployment = Pick<InstitutionThreads, 'urls' | 'secrets' | 'verifyLedger' | 'startCpuProfiles' | 'stopCpuProfiles' | 'close'>;

interface Prepared {
  readonly dari: Deployment;
  readonly api: ApiClient;
  readonly merchantIds: readonly string[];
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
  const settings = { dataDir, version: 'bench', resolveIntervalMs: null, batching, peerTimeoutMs: 30_000, paymentDeadlineMs: 60_000 };
  const dari = options.deployment === 'one-thread' ? await startOneThread(settings) : await startInstitutionThreads(settings);
  try {
    return await seed(dari, batching, options);
  } catch (error) {
    await dari.close();
    throw error;
  }
}

/** The three institutions on one thread, one port (compose.ts), seen as a Deployment. */
async function startOneThread(settings: { readonly dataDir: string; readonly version: string; readonly resolveIntervalMs: null; readonly batching: Batching; readonly peerTimeoutMs: number; readonly paymentDeadlineMs: number }): Promise<Deployment> {
  // Loaded only when asked for: the composition brings the shops and the web console along.
  const { startDari } = await import('./compose.ts');
  const dari = await startDari({ ...settings, port: 0 });
  let profile: { stop(): Promise<string | null> } | null = null;
  return {
    urls: { network: dari.url, wallet: dari.url, acquirer: dari.url },
    secrets: dari.secrets,
    verifyLedger: (institution) => dari[institution].verifyLedger(),
    async startCpuProfiles(dir, name) {
      profile = await startCpuProfile(dir, name);
    },
    async stopCpuProfiles() {
      const path = (await profile?.stop()) ?? null;
      profile = null;
      return path === null ? [] : [path];
    },
    close: () => dari.close(),
  };
}

/** What the demo seed sets up (seed.ts), through the same public API: the participants, the rate, approved merchants; then the bench's terminals and tourists. */
async function seed(dari: Deployment, batching: Batching, options: PaymentsBenchOptions): Promise<Prepared> {
  const api = institutionsApi(dari.urls);
  const { secrets } = dari;
  const participant = (name: 'wallet' | 'acquirer') => ({
    participantId: PARTICIPANTS[name],
    role: name,
    name: `Bench ${name}`,
    baseUrl: dari.urls[name],
    publicKey: exportPublicKeyPem(secrets.keys[name].publicKey),
    keyVersion: 1,
    ...(name === 'wallet' ? { codePrefix: WALLET_CODE_PREFIX, currency: 'CNY' } : { merchantIdPrefix: ACQUIRER_MERCHANT_ID_PREFIX, currency: 'KRW' }),
  });
  await api.call('POST', '/network/v1/participants', { token: secrets.networkOperatorKey, body: participant('wallet') });
  await api.call('POST', '/network/v1/participants', { token: secrets.networkOperatorKey, body: participant('acquirer') });
  await api.call('PUT', '/network/v1/fx-rates/CNY/KRW', { token: secrets.networkOperatorKey, body: { rate: BENCH_CNY_KRW_RATE } });
  const token = secrets.acquirerOperatorKey;
  const merchantIds: string[] = [];
  const terminals: { merchantId: string; terminalKey: string }[] = [];
  for (const merchant of BENCH_MERCHANTS) {
    const { merchantId } = await api.call<{ merchantId: string }>('POST', '/acquirer/v1/merchants', {
      token,
      body: { ...merchant, settlementAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: merchant.legalName } },
    });
    await api.call('POST', `/acquirer/v1/merchants/${merchantId}/approve`, { token, body: {} });
    merchantIds.push(merchantId);
    const store = await api.call<{ storeId: string }>('POST', `/acquirer/v1/merchants/${merchantId}/stores`, { token, body: { name: `${merchant.legalName} bench counters`, address: 'Loopback 1' } });
    for (let i = 0; i < options.terminalsPerMerchant; i++) {
      const terminal = await api.call<{ terminalKey: string }>('POST', `/acquirer/v1/merchants/${merchantId}/terminals`, { token, body: { storeId: store.storeId, label: `Counter ${i + 1}` } });
      terminals.push({ merchantId, terminalKey: terminal.terminalKey });
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
  return { dari, api, merchantIds, terminals, tourists };
}

async function measure(prepared: Prepared, batching: Batching, options: PaymentsBenchOptions, load: (plan: LoadPlan) => Promise<LoadReport>): Promise<PaymentsBenchResult> {
  const { dari } = prepared;
  const acquirerUrl = dari.urls.acquirer;
  const before = await totals(prepared);

  const warmupJobs = await jobs(prepared, options.warmupPayments, `${batching}-w`);
  const warmup = await load({ kind: 'closed', url: acquirerUrl, jobs: warmupJobs, concurrency: options.concurrency });
  assertNoFailures(warmup, `${batching} warm-up`);
  const throughputJobs = await jobs(prepared, options.throughputPayments[batching], `${batching}-t`);
  if (options.profileDir !== undefined) await dari.startCpuProfiles(options.profileDir, `payments-${batching}-closed-loop`);
  const cpuBefore = process.cpuUsage();
  const closed = await load({ kind: 'closed', url: acquirerUrl, jobs: throughputJobs, concurrency: options.concurrency });
  const cpu = process.cpuUsage(cpuBefore);
  if (options.profileDir !== undefined) {
    const paths = await dari.stopCpuProfiles();
    options.log(`payments bench (${batching}): CPU profiles of the closed loop (each institution's thread) in ${paths.join(', ')}`);
  }
  assertNoFailures(closed, `${batching} throughput`);
  const paymentsPerSecond = closed.completed / (closed.elapsedMs / 1000);
  const cpuMsPerPayment = closed.loadCpuMs === null ? null : ((cpu.user + cpu.system) / 1000 - closed.loadCpuMs) / closed.completed;
  const cpuNote = cpuMsPerPayment === null || closed.loadCpuMs === null ? '' : `; CPU per payment: dari ${cpuMsPerPayment.toFixed(3)} ms, the terminals ${(closed.loadCpuMs / closed.completed).toFixed(3)} ms`;
  options.log(`payments bench (${batching}): ${closed.completed} payments, ${options.concurrency} terminals at once: ${Math.round(paymentsPerSecond)} payments/s (closed loop; p50 ${percentile(closed.latenciesMs, 0.5).toFixed(1)} ms, p99 ${percentile(closed.latenciesMs, 0.99).toFixed(1)} ms${cpuNote})`);

  // Offered more than it can complete, a server's queue grows without bound for as long as the
  // run lasts: its latency then measures the run's length, not the server.
  let latency: PaymentsBenchResult['latency'] = null;
  let openCompleted = 0;
  if (paymentsPerSecond < options.latencyRatePerSecond * SATURATION_MARGIN) {
    options.log(`payments bench (${batching}): open loop at ${options.latencyRatePerSecond}/s not run: it completes only ${Math.round(paymentsPerSecond)}/s`);
  } else {
    const latencyJobs = await jobs(prepared, options.latencyPayments, `${batching}-l`);
    const open = await load({ kind: 'open', url: acquirerUrl, jobs: latencyJobs, ratePerSecond: options.latencyRatePerSecond });
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

  for (const name of INSTITUTIONS) {
    const report = await dari.verifyLedger(name);
    if (!report.ok) throw new Error(`payments bench (${batching}): the ${name}'s ledger does not verify`);
  }
  const after = await totals(prepared);
  const payments = BigInt(warmup.completed + closed.completed + openCompleted);
  const paidKrw = after.payableKrw - before.payableKrw;
  const owedCny = after.walletOwesCny - before.walletOwesCny;
  if (paidKrw !== payments * PRICE_KRW) throw new Error(`payments bench (${batching}): merchants are owed ${paidKrw} KRW more, expected ${payments * PRICE_KRW}`);
  if (after.acquirerOwedKrw - before.acquirerOwedKrw !== paidKrw) throw new Error(`payments bench (${batching}): the network's KRW position does not match the merchants'`);
  if (before.touristsCny - after.touristsCny !== owedCny) throw new Error(`payments bench (${batching}): the tourists paid ${before.touristsCny - after.touristsCny} fen, the network says ${owedCny}`);
  options.log(`payments bench (${batching}): ledgers verify; merchants +${paidKrw} KRW = network's acquirer position; tourists −${owedCny} fen = network's wallet position`);

  return {
    paymentsPerSecond,
    cpuMsPerPayment,
    latency,
    checksum: after.checksum,
  };
}

/** One job per payment, each with a fresh code of a tourist taken in turn, over the terminals in turn. */
async function jobs(prepared: Prepared, count: number, tag: string): Promise<LoadJob[]> {
  const { api } = prepared;
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

async function totals(prepared: Prepared): Promise<Totals> {
  const { api, dari } = prepared;
  const balances = await inRounds(prepared.tourists.length, 50, async (i) =>
    BigInt((await api.call<{ balance: { value: string } }>('GET', '/wallet/v1/balance', { token: prepared.tourists[i]!.token })).balance.value),
  );
  const payables = await Promise.all(
    prepared.merchantIds.map(async (merchantId) => BigInt((await api.call<{ payable: { value: string } }>('GET', `/acquirer/v1/merchants/${merchantId}/balance`, { token: dari.secrets.acquirerOperatorKey })).payable.value)),
  );
  const positions = await api.call<{ positions: { participantId: string; role: string; position: { currency: string; value: string } }[] }>('GET', '/network/v1/positions', {
    token: dari.secrets.networkOperatorKey,
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
