/**
 * Issue 5's clearing benchmark: close one clearing cycle of millions of
 * payments from the network's own databases, and net its settlement.
 *
 * Not timed, in this process: a fresh data directory is seeded the way the
 * network would have left it after a day of traffic. The network's
 * participants, FX rate, payments and refunds are written through its own
 * store (network.db); every payment, refund and cancellation is booked
 * through the ledger's API with the network's own postings (postings.ts), in
 * calls of up to `CALL_EVENTS_MAX` events whose clock moves through the
 * cycle, as group commit batches them (ledger.db). Around the cycle: one
 * payment whose second leg is stamped at its opening (it belongs to the cycle
 * before), one whose second leg is stamped at its cut-off (it belongs to this
 * one), and one after it.
 *
 * Timed, in a child process of its own (clearing-bench-child.ts), so that its
 * peak resident memory is the close's and nothing else's: the network opened
 * as `createNetwork` opens it, then `closeCycle` — the ledger barrier, the
 * streamed read of the cycle's ledger joined with the network's payments and
 * refunds, the positions and settlement instructions, every participant's
 * clearing file written and stored in chunks, and the closed cycle written.
 * After the clock stops, the child checks what it closed: the positions are
 * the ones the seed booked, and every stored file reads back to its checksum.
 *
 * The payments spread over enough participants that no file passes
 * `CLEARING_FILE_LINES_MAX` lines: each payment is a line of its wallet's
 * file and one of its acquirer's.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CALL_EVENTS_MAX, createLedger, openSqliteLedgerStore, type Ledger, type NewTransfer } from '../../ledger/index.ts';
import { amount, currency, parseRate, type FxRate } from '../../money/index.ts';
import { openSqlite, type SqliteDatabase } from '../../platform/db/sqlite.ts';
import { randomInt, seededRandom, type Random } from '../../platform/random.ts';
import { exportPublicKeyPem, generateSigningKeyPair } from '../../platform/signing/index.ts';
import { CLEARING_FILE_LINES_MAX, payAmountFor } from '../../protocol/index.ts';
import { refundPayAmountFor } from '../fx.ts';
import { accountsFor, cancellationTransfers, paymentTransfers, refundTransfers } from '../postings.ts';
import { openNetworkStore, type NetworkStore } from '../store.ts';
import type { FxRateRecord, NetworkPayment, NetworkPaymentId, NetworkRefund, NetworkRefundId, Participant } from '../types.ts';
import { createCycleSchedule, type Cycle } from './cycles.ts';
import { cancellationEntry, createPositionsAccumulator, paymentEntry, refundEntry, type CyclePositions, type PositionsAccumulator } from './positions.ts';
import { openClearingStore } from './store.ts';
import { NS_PER_MS } from './transactions.ts';

/** The cycle closed: the default schedule's cycle that closes at 2026-11-25 23:00 in Seoul. */
export const BENCH_CYCLE_ID = '2026-11-25T2300';
const CNY = currency('CNY');
const KRW = currency('KRW');
const RATE_TEXT = '190.25';
/** Of every this many payments, one is refunded in part a few calls later. */
const REFUND_EVERY_PAYMENTS = 20;
/** Of every this many payments, one is cancelled (after it succeeded) a few calls later; never one that is refunded. */
const CANCEL_EVERY_PAYMENTS = 100;
/** How many ledger calls after its payment a refund or a cancellation comes. */
const FOLLOW_UP_CALLS_LATER = 3;
/** The seeding connection's page cache, in KiB: the payments' id index of 10 million fits. */
const SEED_CACHE_KIB = 2 * 1024 * 1024;
/** Payments booked in one ledger call, at most, with room left for the refunds and cancellations that ride along. */
const PAYMENTS_PER_CALL = 3_800;
/** Ledger calls through the cycle, at least: a small run has its follow-ups too. */
const CALLS_MIN = 20;

export interface ClearingBenchOptions {
  /** Payments that complete in the cycle. */
  readonly payments: number;
  readonly wallets: number;
  readonly acquirers: number;
  readonly seed: number;
  readonly log: (line: string) => void;
  /** Files of at most this many lines are also parsed whole after the run (every file's checksum is checked either way). */
  readonly parseFilesLinesMax?: number;
  /** Where to write a CPU profile of the timed close (`DARI_BENCH_PROFILE_DIR`); none when absent. */
  readonly profileDir?: string;
  /**
   * Closes the cycle a second time on one thread, for the ratio side by side
   * (`oneThread`). The second close finds the first one's pages free in the
   * file, which favours it a little.
   */
  readonly compareOneThread?: boolean;
}

export interface ClearingBenchResult {
  /** Payments in the cycle (refunds and cancellations come on top: `transactions`). */
  readonly payments: number;
  readonly transactions: number;
  readonly seconds: number;
  readonly paymentsPerSecond: number;
  /** The timed process's peak resident memory (it opened the network, then closed the cycle). */
  readonly peakRssMiB: number;
  /** Resident memory once the network was open, before the close. */
  readonly openRssMiB: number;
  /** sha256 (16 hex digits) of the positions, the FX accounts and the settlement instructions. */
  readonly checksum: string;
  readonly fileLines: number;
  readonly fileBytes: number;
  readonly seedSeconds: number;
  /** The same close on one thread, run after it (`compareOneThread`). */
  readonly oneThread: { readonly seconds: number; readonly paymentsPerSecond: number; readonly peakRssMiB: number } | null;
}

/** What the child is told, as JSON in a file. */
export interface ClearingBenchChildInput {
  readonly dataDir: string;
  readonly cycleId: string;
  /** The network's clock during the close: after the cut-off. */
  readonly nowMs: number;
  readonly expectedPositions: unknown;
  readonly parseFilesLinesMax: number;
  readonly profileDir: string | null;
  readonly clearingThreads: 1 | 2;
  /** Deletes the closed cycle once checked, for another close of it. */
  readonly reopenCycle: boolean;
}

/** What the child answers, as its last line of output. */
export interface ClearingBenchChildOutput {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly openRssMiB: number;
  readonly checksum: string;
  readonly entryCount: number;
  readonly fileLines: number;
  readonly fileBytes: number;
  readonly profilePath: string | null;
}

export async function runClearingBench(options: ClearingBenchOptions): Promise<ClearingBenchResult> {
  if (!(Number.isInteger(options.payments) && options.payments >= 2)) throw new Error('assertion failed: at least two payments');
  const filesLinesMax = Math.ceil((options.payments * 1.1) / Math.min(options.wallets, options.acquirers)) + 3;
  if (filesLinesMax > CLEARING_FILE_LINES_MAX) {
    throw new Error(`${options.payments} payments over ${Math.min(options.wallets, options.acquirers)} participants a side would pass ${CLEARING_FILE_LINES_MAX} lines a file: add participants`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-bench-clearing-'));
  try {
    const seedStarted = performance.now();
    const seeded = await seedClearingBench(dataDir, options);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    options.log(`clearing bench: seeded ${options.payments} payments (${seeded.transactions} transactions in the cycle) in ${seedSeconds.toFixed(1)} s`);
    const compare = options.compareOneThread === true;
    const output = await closeInChild(seeded.inputPath, { clearingThreads: 2, reopenCycle: compare }, options.log);
    if (output.entryCount !== seeded.transactions) throw new Error(`assertion failed: the cycle holds the ${seeded.transactions} transactions seeded in it, got ${output.entryCount}`);
    const single = compare ? await closeInChild(seeded.inputPath, { clearingThreads: 1, reopenCycle: false }, options.log) : null;
    if (single !== null && single.checksum !== output.checksum) throw new Error(`assertion failed: one thread and two close the cycle alike, got ${single.checksum} and ${output.checksum}`);
    if (output.profilePath !== null) options.log(`clearing bench: CPU profile of the close in ${output.profilePath}`);
    return {
      payments: options.payments,
      transactions: output.entryCount,
      seconds: output.seconds,
      paymentsPerSecond: options.payments / output.seconds,
      peakRssMiB: output.peakRssMiB,
      openRssMiB: output.openRssMiB,
      checksum: output.checksum,
      fileLines: output.fileLines,
      fileBytes: output.fileBytes,
      seedSeconds,
      oneThread: single === null ? null : { seconds: single.seconds, paymentsPerSecond: options.payments / single.seconds, peakRssMiB: single.peakRssMiB },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Seeds a network's data directory for the bench (see the file's comment) and
 * writes beside it what the timed child needs: the path of that file, and how
 * many transactions complete in the cycle.
 */
export async function seedClearingBench(dataDir: string, options: Omit<ClearingBenchOptions, 'log'>): Promise<{ readonly inputPath: string; readonly transactions: number }> {
  const seeded = await seed(dataDir, options);
  const input: ClearingBenchChildInput = {
    dataDir,
    cycleId: seeded.cycle.id,
    nowMs: seeded.cycle.closesAt.getTime() + 60_000,
    expectedPositions: jsonOf(seeded.expected),
    parseFilesLinesMax: options.parseFilesLinesMax ?? 0,
    profileDir: options.profileDir ?? null,
    clearingThreads: 2,
    reopenCycle: false,
  };
  const inputPath = join(dataDir, 'bench-input.json');
  writeFileSync(inputPath, JSON.stringify(input));
  return { inputPath, transactions: seeded.transactions };
}

/** Positions as JSON: amounts' values as strings of digits. */
export function jsonOf(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** The checksum the bench prints: the same cycle closed anywhere gives the same one. */
export function positionsChecksum(positions: CyclePositions, instructionIds: readonly string[]): string {
  const canonical = JSON.stringify(jsonOf({ positions: positions.positions, fxAccounts: positions.fxAccounts, instructions: positions.instructions, instructionIds }));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Runs the timed close in a process of its own (clearing-bench-child.ts); its answer. */
export function closeInChild(
  inputPath: string,
  run: Pick<ClearingBenchChildInput, 'clearingThreads' | 'reopenCycle'>,
  log: (line: string) => void,
): Promise<ClearingBenchChildOutput> {
  writeFileSync(inputPath, JSON.stringify({ ...(JSON.parse(readFileSync(inputPath, 'utf8')) as ClearingBenchChildInput), ...run }));
  const child = fileURLToPath(new URL('./clearing-bench-child.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  return new Promise((resolve, reject) => {
    // DARI_BENCH_NODE_FLAGS: Node's own flags for the timed process, to study it (`--trace-gc`, a heap size).
    const flags = (process.env.DARI_BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
    const closing = spawn(process.execPath, [...flags, '--import', tsx, child, inputPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    closing.stdout.setEncoding('utf8');
    closing.stdout.on('data', (data: string) => {
      out += data;
    });
    closing.on('error', reject);
    closing.on('exit', (code) => {
      const lines = out.trim().split('\n');
      for (const line of lines.slice(0, -1)) log(line);
      const last = lines.at(-1) ?? '';
      if (code !== 0) return reject(new Error(`the clearing bench's close exited with ${code}: ${out.slice(-2_000)}`));
      try {
        resolve(JSON.parse(last) as ClearingBenchChildOutput);
      } catch (error) {
        reject(new Error(`the clearing bench's close did not end with its JSON line: ${last}`, { cause: error }));
      }
    });
  });
}

// ---------------------------------------------------------------- seeding

interface Seeded {
  readonly cycle: Cycle;
  /** Transactions that complete in the cycle: payments, refunds, cancellations. */
  readonly transactions: number;
  readonly expected: CyclePositions;
}

/** One transaction to book, with the rows the network keeps of it. */
type Booking =
  | { readonly kind: 'payment'; readonly payment: NetworkPayment }
  | { readonly kind: 'refund'; readonly payment: NetworkPayment; readonly refund: NetworkRefund }
  | { readonly kind: 'cancellation'; readonly payment: NetworkPayment };

interface SeedContext {
  readonly db: SqliteDatabase;
  readonly store: NetworkStore;
  readonly ledger: Ledger;
  readonly random: Random;
  readonly wallets: readonly Participant[];
  readonly acquirers: readonly Participant[];
  readonly rate: FxRate;
  readonly quote: FxRateRecord;
  /** The ledger's clock, in nanoseconds, set before each call. */
  readonly clock: { ns: bigint };
  paymentCount: number;
  refundCount: number;
}

async function seed(dataDir: string, options: Omit<ClearingBenchOptions, 'log'>): Promise<Seeded> {
  const schedule = createCycleSchedule();
  if (!schedule.ok) throw new Error('assertion failed: the default schedule');
  const cycle = schedule.value.cycleById(BENCH_CYCLE_ID);
  if (!cycle.ok) throw new Error('assertion failed: the bench cycle is a cycle');
  const db = openSqlite(join(dataDir, 'network.db'));
  // Seeding only: a crash loses a throwaway directory, and the timed run opens the files afresh.
  db.pragma('synchronous = OFF');
  // The payments' random ids land all over their index: keep it in memory while it is built.
  db.pragma(`cache_size = -${SEED_CACHE_KIB}`);
  const store = openNetworkStore(db);
  await openClearingStore(db).epoch(cycle.value.opensAt);
  const clock = { ns: 0n };
  const ctx: SeedContext = {
    db,
    store,
    ledger: await createLedger({ store: openSqliteLedgerStore(join(dataDir, 'ledger.db')), clock: () => clock.ns }),
    random: seededRandom(options.seed),
    wallets: [],
    acquirers: [],
    rate: rateOf(RATE_TEXT),
    quote: { quoteId: 'QBENCH', base: CNY, quote: KRW, rate: RATE_TEXT, validFrom: new Date(cycle.value.opensAt.getTime() - 86_400_000), recordedAt: new Date(cycle.value.opensAt.getTime() - 86_400_000) },
    clock,
    paymentCount: 0,
    refundCount: 0,
  };
  try {
    await store.insertFxRate(ctx.quote);
    await registerParticipants(ctx, options, cycle.value);
    const expected = createPositionsAccumulator(cycle.value.id);
    const opensAt = BigInt(cycle.value.opensAt.getTime()) * NS_PER_MS;
    const closesAt = BigInt(cycle.value.closesAt.getTime()) * NS_PER_MS;
    // Second leg at the cycle's opening: the payment completed in the cycle before.
    await book(ctx, opensAt - 1n, [{ kind: 'payment', payment: newPayment(ctx, opensAt - 1n) }], null);
    const mainPayments = options.payments - 1;
    const calls = Math.max(Math.ceil(mainPayments / PAYMENTS_PER_CALL), CALLS_MIN);
    const perCall = Math.ceil(mainPayments / calls);
    const stepNs = (closesAt - opensAt) / BigInt(calls + 2);
    const recent: NetworkPayment[][] = [];
    for (let call = 0; call < calls; call += 1) {
      const atNs = opensAt + BigInt(call + 1) * stepNs;
      const count = Math.max(0, Math.min(perCall, mainPayments - call * perCall));
      const payments = Array.from({ length: count }, () => newPayment(ctx, atNs));
      const bookings: Booking[] = payments.map((payment) => ({ kind: 'payment', payment }));
      if (recent.length === FOLLOW_UP_CALLS_LATER) bookings.push(...followUps(ctx, recent.shift()!, atNs));
      recent.push(payments);
      await book(ctx, atNs, bookings, expected);
    }
    // First leg one nanosecond before the cut-off, second leg at it: the payment completed in this cycle.
    await book(ctx, closesAt - 1n, [{ kind: 'payment', payment: newPayment(ctx, closesAt - 1n) }], expected);
    await book(ctx, closesAt + NS_PER_MS, [{ kind: 'payment', payment: newPayment(ctx, closesAt + NS_PER_MS) }], null);
    const positions = expected.finish();
    return { cycle: cycle.value, transactions: positions.entryCount, expected: positions };
  } finally {
    await ctx.ledger.close();
    db.close();
  }
}

function rateOf(text: string): FxRate {
  const parsed = parseRate(text, { base: CNY, quote: KRW });
  if (!parsed.ok) throw new Error('assertion failed: the bench rate parses');
  return parsed.value;
}

async function registerParticipants(ctx: SeedContext, options: Omit<ClearingBenchOptions, 'log'>, cycle: Cycle): Promise<void> {
  const publicKeyPem = exportPublicKeyPem(generateSigningKeyPair().publicKey);
  const registeredAt = new Date(cycle.opensAt.getTime() - 7 * 86_400_000);
  const common = { baseUrl: 'http://127.0.0.1:1', keys: [{ keyVersion: 1, publicKeyPem, addedAt: registeredAt }], registeredAt };
  const wallets = ctx.wallets as Participant[];
  const acquirers = ctx.acquirers as Participant[];
  for (let i = 0; i < options.wallets; i += 1) {
    wallets.push({ ...common, participantId: `BENCHWALLET${pad(i, 3)}`, name: `Bench wallet ${i}`, role: 'wallet', currency: CNY, codePrefix: `9${pad(i, 3)}` });
  }
  for (let i = 0; i < options.acquirers; i += 1) {
    acquirers.push({ ...common, participantId: `BENCHACQ${pad(i, 3)}`, name: `Bench acquirer ${i}`, role: 'acquirer', currency: KRW, merchantIdPrefix: `B${pad(i, 3)}` });
  }
  for (const participant of [...wallets, ...acquirers]) {
    if ((await ctx.store.insertParticipant(participant)) !== 'inserted') throw new Error(`assertion failed: ${participant.participantId} registers`);
    for (const outcome of await ctx.ledger.createAccounts(accountsFor(participant))) {
      if (outcome.result !== 'ok' && outcome.result !== 'exists') throw new Error(`assertion failed: account ${outcome.id}: ${outcome.result}`);
    }
  }
}

function pad(n: number, digits: number): string {
  return String(n).padStart(digits, '0');
}

/** `NP`/`NR` and 24 hex digits, as the network's ids, spread over the id space as its random ones are (an odd multiplier is a bijection). */
function idOf(prefix: 'NP' | 'NR', index: number): string {
  return `${prefix}${((BigInt(index + 1) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffffffffffn).toString(16).padStart(24, '0')}`;
}

function newPayment(ctx: SeedContext, atNs: bigint): NetworkPayment {
  const index = ctx.paymentCount;
  ctx.paymentCount += 1;
  const wallet = ctx.wallets[randomInt(ctx.random, 0, ctx.wallets.length - 1)]!;
  const acquirer = ctx.acquirers[randomInt(ctx.random, 0, ctx.acquirers.length - 1)]!;
  const paymentAmount = amount(KRW, BigInt(randomInt(ctx.random, 1, 500) * 1_000));
  const payAmount = payAmountFor(paymentAmount, ctx.rate);
  if (!payAmount.ok) throw new Error('assertion failed: the bench converts');
  const at = new Date(Number(atNs / NS_PER_MS));
  const paymentId = idOf('NP', index) as NetworkPaymentId;
  return {
    paymentId,
    acquirerId: acquirer.participantId,
    paymentRequestId: `PR${pad(index, 9)}`,
    walletId: wallet.participantId,
    requestHash: `${paymentId.slice(2)}${paymentId.slice(2)}${paymentId.slice(2, 18)}`,
    merchant: { merchantId: `${acquirer.role === 'acquirer' ? acquirer.merchantIdPrefix : ''}M${pad(index % 1_000, 4)}`, merchantName: 'Bench shop', merchantMcc: '5812', merchantCity: 'Seoul', merchantCountry: 'KR' },
    paymentAmount,
    payAmount: payAmount.value,
    fxQuote: { quoteId: ctx.quote.quoteId, base: CNY, quote: KRW, rate: RATE_TEXT },
    status: 'SUCCESS',
    stage: null,
    resultCode: 'SUCCESS',
    resultMessage: null,
    payerId: `PAYER${pad(index % 100_000, 6)}`,
    paymentTime: at,
    deadlineAt: new Date(at.getTime() + 60_000),
    notifyPending: false,
    createdAt: at,
    updatedAt: at,
  };
}

/** The refunds and cancellations of some of a past call's payments, now. */
function followUps(ctx: SeedContext, payments: readonly NetworkPayment[], atNs: bigint): Booking[] {
  const at = new Date(Number(atNs / NS_PER_MS));
  const bookings: Booking[] = [];
  for (const payment of payments) {
    const index = Number(payment.paymentRequestId.slice(2));
    if (index % REFUND_EVERY_PAYMENTS === 7) {
      const refundAmount = amount(KRW, payment.paymentAmount.value / 2n);
      const refundPayAmount = refundPayAmountFor({ payerRate: ctx.rate, refundedBefore: amount(KRW, 0n), refundedPayBefore: amount(CNY, 0n), refundAmount });
      if (!refundPayAmount.ok) throw new Error('assertion failed: the bench converts a refund');
      const refundIndex = ctx.refundCount;
      ctx.refundCount += 1;
      const refund: NetworkRefund = {
        refundId: idOf('NR', refundIndex) as NetworkRefundId,
        acquirerId: payment.acquirerId,
        refundRequestId: `RR${pad(refundIndex, 9)}`,
        paymentId: payment.paymentId,
        requestHash: `${payment.requestHash.slice(1)}r`,
        refundAmount,
        refundPayAmount: refundPayAmount.value,
        status: 'SUCCESS',
        resultCode: 'SUCCESS',
        refundTime: at,
        createdAt: at,
        updatedAt: at,
      };
      bookings.push({ kind: 'refund', payment, refund });
    } else if (index % CANCEL_EVERY_PAYMENTS === 13) {
      bookings.push({ kind: 'cancellation', payment });
    }
  }
  return bookings;
}

/**
 * Writes the rows of some transactions, then books them in one ledger call
 * stamped from `atNs`, as the network does (the row first, then the money).
 * `expected`, when given, takes their entries: they complete in the cycle.
 */
async function book(ctx: SeedContext, atNs: bigint, bookings: readonly Booking[], expected: PositionsAccumulator | null): Promise<void> {
  const writes: Promise<unknown>[] = [];
  const transfers: NewTransfer[] = [];
  const at = new Date(Number(atNs / NS_PER_MS));
  // The store's statements run as each method is called: one transaction holds them all.
  ctx.db.transaction(() => {
  for (const b of bookings) {
    if (b.kind === 'payment') {
      writes.push(ctx.store.insertPayment(b.payment).then((r) => r === 'inserted' || fail(`payment ${b.payment.paymentId} inserted`)));
      transfers.push(...paymentTransfers(b.payment));
      expected?.add(paymentEntry(b.payment));
    } else if (b.kind === 'refund') {
      writes.push(ctx.store.insertRefund(b.refund).then((r) => r === 'inserted' || fail(`refund ${b.refund.refundId} inserted`)));
      transfers.push(...refundTransfers(b.payment, b.refund));
      expected?.add(refundEntry(b.payment, b.refund));
    } else {
      const changes = { status: 'CANCELLED', stage: null, resultCode: 'ORDER_IS_CLOSED', resultMessage: 'the acquirer cancelled this payment', notifyPending: false } as const;
      writes.push(ctx.store.updatePayment(b.payment.paymentId, { status: 'SUCCESS', stage: null }, changes, at).then((r) => r || fail(`payment ${b.payment.paymentId} cancelled`)));
      transfers.push(...cancellationTransfers(b.payment));
      expected?.add(cancellationEntry(b.payment));
    }
  }
  })();
  await Promise.all(writes);
  if (transfers.length > CALL_EVENTS_MAX) throw new Error(`assertion failed: one call carries at most ${CALL_EVENTS_MAX} events, got ${transfers.length}`);
  ctx.clock.ns = atNs;
  const outcomes = await ctx.ledger.createTransfers(transfers);
  const refused = outcomes.find((o) => o.result !== 'ok');
  if (refused !== undefined) throw new Error(`assertion failed: the bench's transfers are booked, got ${refused.id}: ${refused.result}`);
}

function fail(what: string): never {
  throw new Error(`assertion failed: ${what}`);
}

