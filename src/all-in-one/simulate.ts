/**
 * `dari simulate`: a tourist season driven through the real APIs (issue 5).
 * The three institutions run in this process on a fresh data directory with
 * one simulated clock; tourists top up and pay in both modes, merchants
 * refund, and a few messages between the acquirer and the network are lost,
 * delayed or duplicated on purpose. At each day's cut-off the network closes
 * the cycle, and the settlement instructions are confirmed; after midnight the
 * acquirer pays its merchants for the day (T+1) and the bank confirms. At the
 * end every ledger must verify and the money must add up on all three sides.
 *
 * Nothing here reaches into an institution: every step is an HTTP call a
 * tourist, a POS, or an operator would make.
 */
import { businessRegistrationCheckDigit } from '../acquirer/index.ts';
import { faultyFetch, type NetworkFault, type ReconciliationJson } from '../protocol/index.ts';
import { randomInt, seededRandom } from '../platform/random.ts';
import { startDari, type Dari } from './compose.ts';
import { apiClient, type ApiClient } from './http-client.ts';
import { seedDemo, type DemoCredentials } from './seed.ts';

/** The season starts on this day, 09:00 in Seoul. */
const SEASON_START_MS = Date.UTC(2026, 11, 1, 0, 0, 0);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Shops open 09:00–22:00 Seoul time (UTC+9): activity is spread over these hours. */
const OPENS_AT_MS = 0 * HOUR_MS;
const CLOSES_AT_MS = 13 * HOUR_MS;
/** Just after the default cut-off, 23:00 in Seoul. */
const AFTER_CUT_OFF_MS = 14 * HOUR_MS + 5_000;
/** Just after midnight in Seoul, when the business day is over and its payouts can run. */
const AFTER_MIDNIGHT_MS = 15 * HOUR_MS + 5_000;
/** Payments per tourist per day, on average. */
const PAYMENTS_PER_TOURIST_DAY = 3;
/** Share of payments refunded later the same day, in part or in full. */
const REFUND_SHARE = 0.1;
/** Share of payments whose `pay` to the network meets a fault. */
const FAULT_SHARE = 0.03;
/** A payment's price in KRW: 1,000 to 150,000, in hundreds. */
const PRICE_KRW_MIN = 1_000;
const PRICE_KRW_MAX = 150_000;
/** Each tourist's top-up when the wallet runs below the low mark, in fen. */
const TOPUP_CNY_MINOR = 300_000n;
const LOW_BALANCE_CNY_MINOR = 150_000n;
/** The simulation's own limits. */
export const SIMULATE_TOURISTS_MAX = 1_000;
export const SIMULATE_MERCHANTS_MAX = 200;
export const SIMULATE_DAYS_MAX = 60;

const FAULTS: readonly NetworkFault[] = [{ kind: 'lose-request' }, { kind: 'lose-response' }, { kind: 'duplicate' }, { kind: 'delay', delayMs: 600 }];

export interface SimulateOptions {
  readonly tourists: number;
  readonly merchants: number;
  readonly days: number;
  readonly seed: number;
  /** A fresh, empty directory for the three institutions' databases. */
  readonly dataDir: string;
  /** Called after each step, for a progress bar. */
  readonly progress?: (done: number, total: number, label: string) => void;
}

export interface DaySummary {
  readonly day: string;
  readonly cycleId: string;
  readonly payments: number;
  readonly refunds: number;
  /** Payments that ended CANCELLED or FAIL (faults, limits). */
  readonly notPaid: number;
  readonly faultsInjected: number;
  readonly volumeKrw: bigint;
  readonly volumeCny: bigint;
  /** The cycle's settlement: what the wallet provider pays (CNY) and the acquirer receives (KRW), net. */
  readonly walletPaysCny: bigint;
  readonly acquirerReceivesKrw: bigint;
  /** The network's FX accounts' net in the cycle, per currency. */
  readonly fxNetCny: bigint;
  readonly fxNetKrw: bigint;
  readonly entries: number;
  /** The acquirer's payout run for this business day (T+1): what merchants were paid and the MDR fees. */
  readonly payoutsKrw: bigint;
  readonly feesKrw: bigint;
  /** Each institution's reconciliation of the cycle against its own ledger. */
  readonly reconciliation: Readonly<Record<'wallet' | 'acquirer', DayReconciliation>>;
  /** Each institution's account with the network in its own ledger once it booked the cycle's settlement (0 when nothing moved after the cut-off). */
  readonly positionsAfterSettlement: Readonly<Record<'wallet' | 'acquirer', bigint>>;
}

export interface DayReconciliation {
  readonly clean: boolean;
  readonly matched: number;
  /** Findings and unexplained movements: differences. */
  readonly differences: number;
  /** Entries the network put in the neighbouring cycle (not differences). */
  readonly timing: number;
  /** The first few differences' reasons, for the report. */
  readonly reasons: readonly string[];
}

export interface SimulationSummary {
  readonly days: readonly DaySummary[];
  readonly ledgersVerify: Readonly<Record<'wallet' | 'acquirer' | 'network', boolean>>;
  /** Each check of the money across the three sides, with whether it held. */
  readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
  readonly ok: boolean;
}

interface Shop {
  readonly merchantId: string;
  readonly terminalKey: string;
}

interface Tourist {
  readonly token: string;
  balance: bigint;
}

export function checkSimulateOptions(o: Omit<SimulateOptions, 'dataDir'>): string | null {
  const within = (name: string, value: number, min: number, max: number) => (Number.isInteger(value) && value >= min && value <= max ? null : `--${name} must be a whole number from ${min} to ${max}`);
  return within('tourists', o.tourists, 1, SIMULATE_TOURISTS_MAX) ?? within('merchants', o.merchants, 1, SIMULATE_MERCHANTS_MAX) ?? within('days', o.days, 1, SIMULATE_DAYS_MAX) ?? within('seed', o.seed, 0, 2 ** 31 - 1);
}

export async function simulate(options: SimulateOptions): Promise<SimulationSummary> {
  const problem = checkSimulateOptions(options);
  if (problem) throw new RangeError(problem);
  const random = seededRandom(options.seed);
  const clock = createSimClock(SEASON_START_MS);
  let fault: NetworkFault | null = null;
  let faultsInjected = 0;
  const faulty = faultyFetch(
    (url, init) => fetch(url, init),
    ({ endpoints }) => {
      if (fault === null || !endpoints.includes('networkPay')) return undefined;
      const chosen = fault;
      fault = null;
      return chosen;
    },
  );
  const dari = await startDari({
    dataDir: options.dataDir,
    port: 0,
    version: 'simulate',
    resolveIntervalMs: null,
    peerTimeoutMs: 300,
    paymentDeadlineMs: 1_500,
    now: clock.now,
    fetch: { acquirer: faulty.fetch },
  });
  try {
    const credentials = await seedDemo(dari);
    const api = apiClient(dari.url);
    const shops = await onboardShops(api, credentials, options.merchants);
    const tourists = await signUpTourists(api, options.tourists);
    const perDay = options.tourists * PAYMENTS_PER_TOURIST_DAY;
    const total = options.days * perDay;
    const days: DaySummary[] = [];
    for (let d = 0; d < options.days; d++) {
      const dayStart = SEASON_START_MS + d * DAY_MS;
      clock.jumpTo(dayStart + OPENS_AT_MS);
      const day = { payments: 0, refunds: 0, notPaid: 0, faults: 0, volumeKrw: 0n, volumeCny: 0n };
      const paidToday: { paymentId: string; shop: Shop; krw: bigint; refunded: bigint }[] = [];
      for (let i = 0; i < perDay; i++) {
        clock.jumpTo(dayStart + OPENS_AT_MS + Math.floor(((i + 1) * (CLOSES_AT_MS - OPENS_AT_MS)) / (perDay + 1)));
        const tourist = tourists[randomInt(random, 0, tourists.length - 1)]!;
        const shop = shops[randomInt(random, 0, shops.length - 1)]!;
        await topUpIfLow(api, tourist, `d${d}-i${i}`);
        if (random() < FAULT_SHARE) {
          fault = FAULTS[randomInt(random, 0, FAULTS.length - 1)]!;
          day.faults += 1;
          faultsInjected += 1;
        }
        const krw = BigInt(randomInt(random, PRICE_KRW_MIN / 100, PRICE_KRW_MAX / 100) * 100);
        const paid = random() < 0.6 ? await payUserPresented(api, tourist, shop, krw, `d${d}-p${i}`) : await payMerchantPresented(api, tourist, shop, krw, `d${d}-p${i}`);
        fault = null;
        if (paid.status === 'SUCCESS') {
          day.payments += 1;
          day.volumeKrw += krw;
          day.volumeCny += paid.payCny;
          tourist.balance -= paid.payCny;
          paidToday.push({ paymentId: paid.paymentId, shop, krw, refunded: 0n });
        } else {
          day.notPaid += 1;
        }
        if (paidToday.length > 0 && random() < REFUND_SHARE) {
          const target = paidToday[randomInt(random, 0, paidToday.length - 1)]!;
          const left = target.krw - target.refunded;
          if (left > 0n) {
            const refund = random() < 0.5 ? left : (left / 200n) * 100n || left;
            const answer = await api.request<{ status?: string }>('POST', `/acquirer/v1/payments/${target.paymentId}/refunds`, {
              token: target.shop.terminalKey,
              body: { refundRequestId: `d${d}-r${i}`, amount: { currency: 'KRW', value: refund.toString() } },
            });
            if (answer.body.status === 'SUCCESS') {
              target.refunded += refund;
              day.refunds += 1;
            }
          }
        }
        options.progress?.(d * perDay + i + 1, total, `day ${d + 1}/${options.days}`);
      }
      await faulty.settled();
      clock.jumpTo(dayStart + AFTER_CUT_OFF_MS);
      const closed = await closeDay(dari, api, credentials, dayStart, day);
      const reconciliation = { wallet: await reconcileCycle(api, 'wallet', credentials.walletOperatorKey, closed.cycleId), acquirer: await reconcileCycle(api, 'acquirer', credentials.acquirerOperatorKey, closed.cycleId) };
      // The settlement bank moved the nets: each institution books its side with the bank's reference.
      const settled = {
        wallet: await bookSettlement(api, 'wallet', credentials.walletOperatorKey, closed.cycleId),
        acquirer: await bookSettlement(api, 'acquirer', credentials.acquirerOperatorKey, closed.cycleId),
      };
      // T+1: the business day is over at midnight in Seoul; the acquirer pays its merchants for it.
      clock.jumpTo(dayStart + AFTER_MIDNIGHT_MS);
      days.push({ ...closed, ...(await payOut(api, credentials, closed.day)), reconciliation, positionsAfterSettlement: settled });
    }
    return await finish(dari, api, credentials, days, faultsInjected);
  } finally {
    await faulty.settled();
    await dari.close();
  }
}

/** A clock that runs with real time from `startMs`, and that the simulation moves forward (never back). */
function createSimClock(startMs: number): { now: () => Date; jumpTo(ms: number): void } {
  const realStart = Date.now();
  let offsetMs = startMs - realStart;
  const now = () => new Date(Date.now() + offsetMs);
  return {
    now,
    jumpTo(ms) {
      const current = now().getTime();
      if (ms > current) offsetMs += ms - current;
    },
  };
}

async function onboardShops(api: ApiClient, credentials: DemoCredentials, count: number): Promise<Shop[]> {
  const shops: Shop[] = credentials.merchants.slice(0, count).map((m) => ({ merchantId: m.merchantId, terminalKey: m.terminalKey }));
  for (let n = shops.length; n < count; n++) {
    const nine = `3${String(10_000_000 + n).slice(-8)}`;
    const brn = `${nine}${businessRegistrationCheckDigit(nine)}`;
    const token = credentials.acquirerOperatorKey;
    const created = await api.call<{ merchantId: string }>('POST', '/acquirer/v1/merchants', {
      token,
      body: {
        legalName: `Season Shop ${n + 1}`,
        businessRegistrationNumber: `${brn.slice(0, 3)}-${brn.slice(3, 5)}-${brn.slice(5)}`,
        mcc: '5999',
        address: `${n + 1} Myeongdong-gil`,
        city: 'Seoul',
        settlementAccount: { bankCode: '004', accountNumber: String(10_000_000_000 + n), holderName: `Season Shop ${n + 1}` },
      },
    });
    await api.call('POST', `/acquirer/v1/merchants/${created.merchantId}/approve`, { token, body: {} });
    const store = await api.call<{ storeId: string }>('POST', `/acquirer/v1/merchants/${created.merchantId}/stores`, { token, body: { name: `Season Shop ${n + 1}`, address: `${n + 1} Myeongdong-gil` } });
    const terminal = await api.call<{ terminalKey: string }>('POST', `/acquirer/v1/merchants/${created.merchantId}/terminals`, { token, body: { storeId: store.storeId, label: 'Counter 1' } });
    shops.push({ merchantId: created.merchantId, terminalKey: terminal.terminalKey });
  }
  return shops;
}

async function signUpTourists(api: ApiClient, count: number): Promise<Tourist[]> {
  const tourists: Tourist[] = [];
  for (let n = 0; n < count; n++) {
    const user = await api.call<{ token: string }>('POST', '/wallet/v1/users', {
      body: { name: `Season Tourist ${n + 1}`, phone: `+86137${String(n).padStart(8, '0')}`, country: 'CN', idNumber: `SEASON${String(n).padStart(8, '0')}` },
    });
    tourists.push({ token: user.token, balance: 0n });
  }
  return tourists;
}

async function topUpIfLow(api: ApiClient, tourist: Tourist, requestId: string): Promise<void> {
  if (tourist.balance >= LOW_BALANCE_CNY_MINOR) return;
  const answer = await api.request<{ balance?: { value: string } }>('POST', '/wallet/v1/topups', {
    token: tourist.token,
    body: { requestId: `topup-${requestId}`, amount: { currency: 'CNY', value: TOPUP_CNY_MINOR.toString() } },
  });
  if (answer.body.balance) tourist.balance = BigInt(answer.body.balance.value);
}

interface Paid {
  readonly status: string;
  readonly paymentId: string;
  readonly payCny: bigint;
}

async function payUserPresented(api: ApiClient, tourist: Tourist, shop: Shop, krw: bigint, requestId: string): Promise<Paid> {
  const code = await api.call<{ code: string }>('POST', '/wallet/v1/payment-codes', { token: tourist.token });
  const answer = await api.request<{ paymentId?: string; status?: string; payAmount?: { value: string } }>('POST', '/acquirer/v1/payments', {
    token: shop.terminalKey,
    body: { paymentRequestId: requestId, amount: { currency: 'KRW', value: krw.toString() }, paymentCode: code.code },
  });
  return { status: answer.body.status ?? `HTTP ${answer.status}`, paymentId: answer.body.paymentId ?? '', payCny: BigInt(answer.body.payAmount?.value ?? '0') };
}

async function payMerchantPresented(api: ApiClient, tourist: Tourist, shop: Shop, krw: bigint, requestId: string): Promise<Paid> {
  const order = await api.call<{ orderId: string; qrPayload: string }>('POST', '/acquirer/v1/orders', {
    token: shop.terminalKey,
    body: { paymentRequestId: requestId, amount: { currency: 'KRW', value: krw.toString() } },
  });
  const answer = await api.request<{ status?: string; payAmount?: { value: string } }>('POST', '/wallet/v1/payments', {
    token: tourist.token,
    body: { requestId, qrPayload: order.qrPayload },
  });
  // The merchant's side of an MPM payment is the order's payment at the acquirer; refunds go there.
  const atAcquirer = await api.call<{ payment?: { paymentId: string; status: string } }>('GET', `/acquirer/v1/orders/${order.orderId}`, { token: shop.terminalKey });
  const status = answer.body.status === 'SUCCESS' && atAcquirer.payment?.status === 'SUCCESS' ? 'SUCCESS' : (answer.body.status ?? `HTTP ${answer.status}`);
  return { status, paymentId: atAcquirer.payment?.paymentId ?? '', payCny: BigInt(answer.body.payAmount?.value ?? '0') };
}

interface CycleView {
  cycleId: string;
  entryCount: number;
  fxAccounts: { accountId: string; net: { currency: string; value: string } }[];
  instructions: { instructionId: string; participantId: string; role: string; direction: string; amount: { currency: string; value: string } }[];
}

async function closeDay(
  dari: Dari,
  api: ApiClient,
  credentials: DemoCredentials,
  dayStart: number,
  day: { payments: number; refunds: number; notPaid: number; faults: number; volumeKrw: bigint; volumeCny: bigint },
): Promise<Omit<DaySummary, 'payoutsKrw' | 'feesKrw' | 'reconciliation' | 'positionsAfterSettlement'>> {
  // The recovery pass finishes what faults left open, then closes the cycle whose cut-off passed.
  await dari.resolveOpen();
  const cycles = await api.call<{ cycles: { cycleId: string }[] }>('GET', '/network/v1/clearing/cycles?limit=1', { token: credentials.networkOperatorKey });
  const cycleId = cycles.cycles[0]?.cycleId;
  if (!cycleId) throw new Error('simulate: the day ended without a closed cycle');
  const cycle = await api.call<CycleView>('GET', `/network/v1/clearing/cycles/${cycleId}`, { token: credentials.networkOperatorKey });
  for (const instruction of cycle.instructions) {
    await api.call('POST', `/network/v1/settlement/instructions/${instruction.instructionId}/confirm`, {
      token: credentials.networkOperatorKey,
      body: { reference: `SIM-${cycleId}-${instruction.role}` },
    });
  }
  const net = (role: string, direction: string) =>
    cycle.instructions.filter((i) => i.role === role && i.direction === direction).reduce((sum, i) => sum + BigInt(i.amount.value), 0n);
  const fx = (currency: string) => BigInt(cycle.fxAccounts.find((f) => f.net.currency === currency)?.net.value ?? '0');
  return {
    day: new Date(dayStart + 9 * HOUR_MS).toISOString().slice(0, 10),
    cycleId,
    payments: day.payments,
    refunds: day.refunds,
    notPaid: day.notPaid,
    faultsInjected: day.faults,
    volumeKrw: day.volumeKrw,
    volumeCny: day.volumeCny,
    walletPaysCny: net('wallet', 'participant-pays') - net('wallet', 'participant-receives'),
    acquirerReceivesKrw: net('acquirer', 'participant-receives') - net('acquirer', 'participant-pays'),
    fxNetCny: fx('CNY'),
    fxNetKrw: fx('KRW'),
    entries: cycle.entryCount,
  };
}

/** Reconciliations kept per day for the report: the reasons of the first differences. */
const REASONS_SHOWN_MAX = 5;

/** Has one institution's operator reconcile a closed cycle, as `dari reconcile` would. */
async function reconcileCycle(api: ApiClient, institution: 'wallet' | 'acquirer', token: string, cycleId: string): Promise<DayReconciliation> {
  const run = await api.call<ReconciliationJson>('POST', `/${institution}/v1/reconciliations`, { token, body: { cycleId } });
  const reasons = [...run.findings.map((f) => f.reason), ...run.unexplained.map((u) => u.reason)];
  return { clean: run.clean, matched: run.matchedCount, differences: run.findings.length + run.counts.unexplained, timing: run.counts.timing, reasons: reasons.slice(0, REASONS_SHOWN_MAX) };
}

/** Has one institution's operator book a cycle's settlement; its account with the network afterwards. */
async function bookSettlement(api: ApiClient, institution: 'wallet' | 'acquirer', token: string, cycleId: string): Promise<bigint> {
  const booked = await api.call<{ positionAfter: { value: string } }>('POST', `/${institution}/v1/settlements`, { token, body: { cycleId, reference: `SIM-${cycleId}-${institution}` } });
  return BigInt(booked.positionAfter.value);
}

/** Runs the acquirer's payouts for `businessDay` and confirms each one as the bank would. */
async function payOut(api: ApiClient, credentials: DemoCredentials, businessDay: string): Promise<{ payoutsKrw: bigint; feesKrw: bigint }> {
  const token = credentials.acquirerOperatorKey;
  const run = await api.call<{ payouts: { payoutId: string; attempt: number; amount: { value: string }; fee: { value: string } }[] }>('POST', '/acquirer/v1/payout-runs', {
    token,
    body: { businessDay },
  });
  let payoutsKrw = 0n;
  let feesKrw = 0n;
  for (const payout of run.payouts) {
    await api.call('POST', `/acquirer/v1/payouts/${payout.payoutId}/confirm`, { token, body: { attempt: payout.attempt } });
    payoutsKrw += BigInt(payout.amount.value);
    feesKrw += BigInt(payout.fee.value);
  }
  return { payoutsKrw, feesKrw };
}

async function finish(dari: Dari, api: ApiClient, credentials: DemoCredentials, days: readonly DaySummary[], faultsInjected: number): Promise<SimulationSummary> {
  const ledgersVerify = {
    wallet: (await dari.wallet.verifyLedger()).ok,
    acquirer: (await dari.acquirer.verifyLedger()).ok,
    network: (await dari.network.verifyLedger()).ok,
  };
  const positions = await api.call<{ positions: { role: string; position: { value: string } }[] }>('GET', '/network/v1/positions', { token: credentials.networkOperatorKey });
  const open = await api.call<{ payments: unknown[] }>('GET', '/network/v1/payments?status=PROCESSING&limit=100', { token: credentials.networkOperatorKey });
  const checks = [
    ...positions.positions.map((p) => ({
      name: `the ${p.role}'s position is settled to zero`,
      ok: BigInt(p.position.value) === 0n,
      detail: `position ${p.position.value} after the last cycle's settlement`,
    })),
    {
      name: 'each cycle nets to zero with the FX accounts',
      ok: days.every((d) => d.acquirerReceivesKrw + d.fxNetKrw === 0n && -d.walletPaysCny + d.fxNetCny === 0n),
      detail: `${days.length} cycles`,
    },
    {
      name: "merchants were paid what they took, less refunds and fees, to the won",
      ok: days.reduce((s, d) => s + d.payoutsKrw + d.feesKrw, 0n) === days.reduce((s, d) => s + d.acquirerReceivesKrw, 0n),
      detail: `paid ${days.reduce((s, d) => s + d.payoutsKrw, 0n)} + fees ${days.reduce((s, d) => s + d.feesKrw, 0n)} KRW against ${days.reduce((s, d) => s + d.acquirerReceivesKrw, 0n)} KRW cleared`,
    },
    ...(['wallet', 'acquirer'] as const).map((institution) => {
      const unclean = days.filter((d) => !d.reconciliation[institution].clean);
      const matched = days.reduce((n, d) => n + d.reconciliation[institution].matched, 0);
      return {
        name: `the ${institution} reconciles every cycle with the network's clearing file`,
        ok: unclean.length === 0,
        detail:
          unclean.length === 0
            ? `${matched} transactions matched over ${days.length} cycles`
            : `${unclean.length} of ${days.length} cycles with differences, e.g. ${unclean[0]!.cycleId}: ${unclean[0]!.reconciliation[institution].reasons[0] ?? ''}`,
      };
    }),
    ...(['wallet', 'acquirer'] as const).map((institution) => {
      const off = days.map((d) => d.positionsAfterSettlement[institution]).filter((p) => p !== 0n);
      return {
        name: `the ${institution}'s account with the network is back to zero after each cycle's settlement`,
        ok: off.length === 0,
        detail: off.length === 0 ? `${days.length} settlements booked` : `left at ${off.join(', ')}`,
      };
    }),
    {
      name: 'every payment reached a terminal state at the network',
      ok: open.payments.length === 0,
      detail: `${faultsInjected} faults injected; ${open.payments.length} payments still PROCESSING`,
    },
  ];
  const ok = Object.values(ledgersVerify).every(Boolean) && checks.every((c) => c.ok);
  return { days, ledgersVerify, checks, ok };
}
