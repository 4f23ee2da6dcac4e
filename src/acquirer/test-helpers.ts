// Fixtures for the acquirer's tests: a tiny fake network (a real Hono server
// on port 0 with the protocol routes the acquirer calls, whose behaviour each
// test scripts), an acquirer on real SQLite in a temp dir or on a PostgreSQL
// database of its own (`engine`), the stores on every engine for the contract
// suites, and HTTP helpers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createPostgresPool } from '../platform/db/postgres.ts';
import { openSqlite } from '../platform/db/sqlite.ts';
import { createTestDatabase } from '../platform/testing/postgres.ts';
import { storeTestEngines } from '../platform/testing/store-engines.ts';
import { createKeyDirectory, createSqliteReplayGuard, generateSigningKeyPair } from '../platform/signing/index.ts';
import {
  createPeerClient,
  faultyFetch,
  createSqliteEnvelopeArchive,
  mountEnvelopeRoute,
  mountProtocolRoute,
  result,
  type AcquirerPayRequest,
  type FaultPlanCall,
  type FetchFunction,
  type NetworkFault,
  type PeerClient,
  type ResultCode,
  type SigningIdentity,
} from '../protocol/index.ts';
import { createAcquirer, type AcquirerDatabase, type AcquirerInstance, type AcquirerOptions } from './index.ts';
import { createSqlitePayoutStore, type PayoutStore } from './payout-store.ts';
import { createPostgresPayoutStore } from './payout-store-postgres.ts';
import { createSqliteAcquirerStore, type AcquirerStore } from './store.ts';
import { createPostgresAcquirerStore } from './store-postgres.ts';

export const ACQUIRER_ID = 'ACQ_KR_01';
export const NETWORK_ID = 'DARI_NETWORK';
export const OPERATOR_KEY = 'operator-key-for-tests-0123456789';
export const CODE = '285100000000000001';

const networkKeys = generateSigningKeyPair();
const acquirerKeys = generateSigningKeyPair();
const strangerKeys = generateSigningKeyPair();
export const networkIdentity: SigningIdentity = { clientId: NETWORK_ID, privateKey: networkKeys.privateKey, keyVersion: 1 };
export const acquirerIdentity: SigningIdentity = { clientId: ACQUIRER_ID, privateKey: acquirerKeys.privateKey, keyVersion: 1 };
export const strangerIdentity: SigningIdentity = { clientId: 'WALLET_CN_01', privateKey: strangerKeys.privateKey, keyVersion: 1 };
/** Whom each side trusts: both parties, and a wallet that is a participant but not the acquirer's peer. */
export const directory = createKeyDirectory([
  { clientId: NETWORK_ID, keyVersion: 1, publicKey: networkKeys.publicKey },
  { clientId: ACQUIRER_ID, keyVersion: 1, publicKey: acquirerKeys.publicKey },
  { clientId: 'WALLET_CN_01', keyVersion: 1, publicKey: strangerKeys.publicKey },
]);

/** How the fake network answers one call: from its state, with U, or not at all (until the test ends). */
export type Reply = 'answer' | 'U' | 'hang';
export type NetworkPaymentState = {
  status: 'PROCESSING' | 'SUCCESS' | 'FAIL' | 'CANCELLED';
  resultCode: ResultCode;
  request?: AcquirerPayRequest;
  refunded: bigint;
  /** Set once the payment succeeded: a later cancellation reverses it, and says so. */
  paidAt?: string;
};

export interface FakeNetworkScript {
  /** What a new pay does to the network's state: succeed, fail with a code, or stay PROCESSING (the wallet did not answer). */
  payOutcome: 'success' | 'processing' | { fail: ResultCode };
  pay: Reply;
  inquiry: Reply;
  cancel: Reply;
  refundOutcome: 'success' | { fail: ResultCode };
  refund: Reply;
  inquiryRefund: Reply;
}

export interface FakeNetwork {
  readonly url: string;
  script: FakeNetworkScript;
  readonly payments: Map<string, NetworkPaymentState>;
  readonly refunds: Map<string, { status: 'SUCCESS' | 'FAIL'; resultCode: ResultCode; amount: bigint }>;
  readonly calls: Record<'pay' | 'inquiry' | 'cancel' | 'refund' | 'inquiryRefund', string[]>;
  /** The network's own client to the acquirer's protocol routes (in process). */
  client(acquirer: AcquirerInstance, identity?: SigningIdentity): PeerClient;
  close(): Promise<void>;
}

export const DEFAULT_SCRIPT: FakeNetworkScript = { payOutcome: 'success', pay: 'answer', inquiry: 'answer', cancel: 'answer', refundOutcome: 'success', refund: 'answer', inquiryRefund: 'answer' };

/** 1 CNY = 190 KRW in the fake network; the payer pays in fen, rounded up. */
const fen = (krw: bigint): bigint => (krw * 100n + 189n) / 190n;

export async function startFakeNetwork(clock: { readonly now?: () => Date } = {}): Promise<FakeNetwork> {
  const app = new Hono();
  const replayGuard = createSqliteReplayGuard(openSqlite(':memory:'));
  const options = { self: networkIdentity, keys: directory, replayGuard, ...(clock.now === undefined ? {} : { now: clock.now }) };
  const hanging = new Set<() => void>();
  const payments = new Map<string, NetworkPaymentState>();
  const refunds = new Map<string, { status: 'SUCCESS' | 'FAIL'; resultCode: ResultCode; amount: bigint }>();
  const calls: FakeNetwork['calls'] = { pay: [], inquiry: [], cancel: [], refund: [], inquiryRefund: [] };
  const net = { script: { ...DEFAULT_SCRIPT } };
  const hang = () => new Promise<never>((_, reject) => hanging.add(() => reject(new Error('released'))));
  let sequence = 0;

  const successFields = (id: string, state: NetworkPaymentState) => ({
    paymentId: `NP${id}`,
    paymentTime: (state.paidAt ??= new Date().toISOString()),
    paymentAmount: state.request!.paymentAmount,
    payAmount: { currency: 'CNY', value: fen(BigInt(state.request!.paymentAmount.value)).toString() },
    fxQuote: { quoteId: 'Q1', baseCurrency: 'CNY', quoteCurrency: 'KRW', rate: '190' },
    payerId: 'payer-7f3a',
  });

  mountProtocolRoute(app, 'networkPay', options, async (request) => {
    calls.pay.push(request.paymentRequestId);
    let state = payments.get(request.paymentRequestId);
    if (state === undefined) {
      const outcome = net.script.payOutcome;
      state =
        outcome === 'success'
          ? { status: 'SUCCESS', resultCode: 'SUCCESS', request, refunded: 0n }
          : outcome === 'processing'
            ? { status: 'PROCESSING', resultCode: 'PAYMENT_IN_PROCESS', request, refunded: 0n }
            : { status: 'FAIL', resultCode: outcome.fail, request, refunded: 0n };
      payments.set(request.paymentRequestId, state);
    } else if (state.status === 'CANCELLED') {
      // A late copy after a cancel: refused, the cancel is final.
      return { result: result('ORDER_IS_CLOSED') };
    }
    if (net.script.pay === 'hang') return hang();
    if (net.script.pay === 'U') return { result: result('UNKNOWN_EXCEPTION') };
    if (state.status === 'SUCCESS') return { result: result('SUCCESS'), ...successFields(request.paymentRequestId, state) };
    if (state.status === 'PROCESSING') return { result: result('PAYMENT_IN_PROCESS') };
    return { result: result(state.resultCode) };
  });

  mountProtocolRoute(app, 'networkInquiryPayment', options, async ({ paymentRequestId }) => {
    calls.inquiry.push(paymentRequestId);
    if (net.script.inquiry === 'hang') return hang();
    if (net.script.inquiry === 'U') return { result: result('UNKNOWN_EXCEPTION') };
    const state = payments.get(paymentRequestId);
    if (state === undefined) return { result: result('ORDER_NOT_EXIST') };
    const paymentResult = state.status === 'SUCCESS' ? result('SUCCESS') : state.status === 'PROCESSING' ? result('PAYMENT_IN_PROCESS') : result(state.resultCode);
    const succeeded = state.status === 'SUCCESS' || (state.status === 'CANCELLED' && state.paidAt !== undefined);
    return { result: result('SUCCESS'), paymentResult, paymentStatus: state.status, ...(succeeded ? successFields(paymentRequestId, state) : {}) };
  });

  mountProtocolRoute(app, 'networkCancelPayment', options, async ({ paymentRequestId }) => {
    calls.cancel.push(paymentRequestId);
    if (net.script.cancel === 'hang') return hang();
    if (net.script.cancel === 'U') return { result: result('UNKNOWN_EXCEPTION') };
    const state = payments.get(paymentRequestId);
    if (state === undefined) {
      // Remember the cancel, so that a late pay is refused.
      payments.set(paymentRequestId, { status: 'CANCELLED', resultCode: 'ORDER_IS_CLOSED', refunded: 0n });
      return { result: result('SUCCESS'), cancelTime: new Date().toISOString() };
    }
    if (state.refunded > 0n) return { result: result('CANCEL_WINDOW_EXCEED') };
    if (state.status === 'FAIL') return { result: result('ORDER_IS_CLOSED') };
    if (state.status === 'SUCCESS') state.paidAt ??= new Date().toISOString();
    state.status = 'CANCELLED';
    return { result: result('SUCCESS'), paymentId: `NP${paymentRequestId}`, cancelTime: new Date().toISOString(), ...(state.paidAt === undefined ? {} : { paymentTime: state.paidAt }) };
  });

  mountProtocolRoute(app, 'networkRefund', options, async (request) => {
    calls.refund.push(request.refundRequestId);
    let refund = refunds.get(request.refundRequestId);
    if (refund === undefined) {
      const payment = payments.get(request.paymentRequestId);
      const amount = BigInt(request.refundAmount.value);
      const outcome = net.script.refundOutcome;
      if (payment === undefined || payment.status !== 'SUCCESS') refund = { status: 'FAIL', resultCode: 'PAYMENT_NOT_REFUNDABLE', amount };
      else if (outcome !== 'success') refund = { status: 'FAIL', resultCode: outcome.fail, amount };
      else if (payment.refunded + amount > BigInt(payment.request!.paymentAmount.value)) refund = { status: 'FAIL', resultCode: 'REFUND_AMOUNT_EXCEED', amount };
      else {
        payment.refunded += amount;
        refund = { status: 'SUCCESS', resultCode: 'SUCCESS', amount };
      }
      refunds.set(request.refundRequestId, refund);
    }
    if (net.script.refund === 'hang') return hang();
    if (net.script.refund === 'U') return { result: result('UNKNOWN_EXCEPTION') };
    return refund.status === 'SUCCESS'
      ? { result: result('SUCCESS'), refundId: `NR${++sequence}`, refundAmount: request.refundAmount, refundTime: new Date().toISOString() }
      : { result: result(refund.resultCode) };
  });

  mountProtocolRoute(app, 'networkInquiryRefund', options, async ({ refundRequestId }) => {
    calls.inquiryRefund.push(refundRequestId);
    if (net.script.inquiryRefund === 'hang') return hang();
    if (net.script.inquiryRefund === 'U') return { result: result('UNKNOWN_EXCEPTION') };
    const refund = refunds.get(refundRequestId);
    if (refund === undefined) return { result: result('ORDER_NOT_EXIST') };
    return { result: result('SUCCESS'), refundStatus: refund.status, refundResult: result(refund.resultCode), refundId: `NR-${refundRequestId}` };
  });

  mountEnvelopeRoute(app, 'network', { ...options, archive: createSqliteEnvelopeArchive(openSqlite(':memory:')) });
  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get script() {
      return net.script;
    },
    set script(value) {
      net.script = value;
    },
    payments,
    refunds,
    calls,
    client(acquirer, identity = networkIdentity) {
      return createPeerClient({
        self: identity,
        peerId: ACQUIRER_ID,
        baseUrl: 'http://acquirer.test',
        keys: directory,
        fetch: async (target, init) => acquirer.app.request(target, init),
        ...(clock.now === undefined ? {} : { now: clock.now }),
      });
    },
    async close() {
      for (const release of hanging) release();
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The engines the acquirer's higher-level tests run on (STYLE 22). */
export type AcquirerTestEngine = 'sqlite' | 'postgres';
export const ACQUIRER_TEST_ENGINES: readonly AcquirerTestEngine[] = ['sqlite', 'postgres'];

/** The acquirer's own tables, opened beside the running acquirer as a second connection would see them. */
export interface StoresAtRest {
  readonly store: AcquirerStore;
  readonly payouts: PayoutStore;
}

export interface Harness {
  readonly acquirer: AcquirerInstance;
  readonly network: FakeNetwork;
  readonly engine: AcquirerTestEngine;
  /** The SQLite files' folder (on PostgreSQL an empty folder: `dataDir` is unused there). */
  readonly dir: string;
  /** Resolves when every message a fault held back was delivered. */
  settled(): Promise<void>;
  api(method: string, path: string, options?: { readonly token?: string; readonly body?: unknown; readonly raw?: string }): Promise<{ status: number; body: Record<string, unknown> }>;
  /** An approved merchant with a store and a terminal; `overrides` change the application (e.g. `mdrBps`). */
  onboard(name?: string, overrides?: Record<string, unknown>): Promise<{ merchantId: string; storeId: string; terminalId: string; terminalKey: string }>;
  /** The merchant's KRW balance owed (credits − debits, posted). */
  owedTo(merchantId: string): Promise<bigint>;
  /** The acquirer's ledger transfers with these ids, in ledger order, read from its database as an auditor would. */
  ledgerTransfers(ids: readonly string[]): Promise<{ id: string; amount: bigint }[]>;
  /**
   * Runs `work` on the acquirer's stores over a connection of its own: what
   * a process that crashed had written, without the running acquirer (its
   * ledger, its locks) hearing of it.
   */
  withStores<T>(work: (stores: StoresAtRest) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** SQLite unless told otherwise. */
  readonly engine?: AcquirerTestEngine;
  readonly paymentDeadlineMs?: number;
  readonly peerTimeoutMs?: number;
  readonly faults?: (call: FaultPlanCall) => NetworkFault | undefined;
  /** The acquirer's and the fake network's clock (signatures stay fresh between them); real time when absent. */
  readonly now?: () => Date;
  /** Online checkout's options (the wallet's cashier URL, how webhooks go out); off when absent. */
  readonly checkout?: AcquirerOptions['checkout'];
}

/** A clock that stands still until a test moves it, forward only (signed messages must not go back in time). */
export interface TestClock {
  readonly now: () => Date;
  set(at: Date | string): void;
  advance(ms: number): void;
}

export function createTestClock(start: Date | string): TestClock {
  let current = new Date(start).getTime();
  assert.ok(!Number.isNaN(current), 'a test clock starts at a valid instant');
  return {
    now: () => new Date(current),
    set(at) {
      const next = new Date(at).getTime();
      assert.ok(next >= current, `the test clock moves forward only: ${new Date(next).toISOString()} < ${new Date(current).toISOString()}`);
      current = next;
    },
    advance(ms) {
      assert.ok(ms >= 0, 'the test clock moves forward only');
      current += ms;
    },
  };
}

export function merchantBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    legalName: 'Myeongdong Cosmetics',
    businessRegistrationNumber: '220-81-62517',
    mcc: '5977',
    address: '12 Myeongdong-gil, Jung-gu',
    city: 'Seoul',
    settlementAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: 'Myeongdong Cosmetics' },
    ...overrides,
  };
}

/** Where a test acquirer keeps its data, and how to look at it from outside the acquirer. */
interface HarnessStorage {
  readonly engine: AcquirerTestEngine;
  readonly dir: string;
  readonly database: AcquirerDatabase;
  ledgerTransfers(ids: readonly string[]): Promise<{ id: string; amount: bigint }[]>;
  openStores(): Promise<StoresAtRest & { close(): Promise<void> }>;
  /** Removes the storage. */
  dispose(): Promise<void>;
}

async function createHarnessStorage(engine: AcquirerTestEngine): Promise<HarnessStorage> {
  const dir = mkdtempSync(join(tmpdir(), 'dari-acquirer-'));
  const removeDir = async (): Promise<void> => rmSync(dir, { recursive: true, force: true });
  if (engine === 'sqlite') {
    return {
      engine,
      dir,
      database: { engine },
      async ledgerTransfers(ids) {
        const db = openSqlite(join(dir, 'ledger.db'), { readonly: true });
        try {
          const rows = db.prepare(`SELECT id, amount FROM transfers WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY timestamp`).all(...ids) as { id: string; amount: bigint | number }[];
          return rows.map((r) => ({ id: r.id, amount: BigInt(r.amount) }));
        } finally {
          db.close();
        }
      },
      async openStores() {
        const db = openSqlite(join(dir, 'acquirer.db'));
        return { store: createSqliteAcquirerStore(db), payouts: createSqlitePayoutStore(db), close: async () => void db.close() };
      },
      dispose: removeDir,
    };
  }
  const database = await createTestDatabase();
  return {
    engine,
    dir,
    database: { engine, url: database.url },
    async ledgerTransfers(ids) {
      const pool = createPostgresPool(database.url, { connectionsMax: 1 });
      try {
        const { rows } = await pool.query<{ id: string; amount: string }>('SELECT id, amount::text AS amount FROM transfers WHERE id = ANY($1::text[]) ORDER BY timestamp', [ids]);
        return rows.map((r) => ({ id: r.id, amount: BigInt(r.amount) }));
      } finally {
        await pool.end();
      }
    },
    async openStores() {
      const pool = createPostgresPool(database.url, { connectionsMax: 2 });
      return { store: await createPostgresAcquirerStore(pool), payouts: await createPostgresPayoutStore(pool), close: () => pool.end() };
    },
    async dispose() {
      await database.drop();
      await removeDir();
    },
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const storage = await createHarnessStorage(options.engine ?? 'sqlite');
  const network = await startFakeNetwork(options.now === undefined ? {} : { now: options.now });
  const faulty = options.faults ? faultyFetch((url, init) => fetch(url, init), options.faults) : undefined;
  let acquirer: AcquirerInstance;
  try {
    acquirer = await createAcquirer({
      dataDir: storage.dir,
      database: storage.database,
      identity: acquirerIdentity,
      keys: directory,
      network: { peerId: NETWORK_ID, baseUrl: network.url },
      merchantIdPrefix: 'KR01',
      operatorKey: OPERATOR_KEY,
      peerTimeoutMs: options.peerTimeoutMs ?? 300,
      paymentDeadlineMs: options.paymentDeadlineMs ?? 800,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(faulty ? { fetch: faulty.fetch as FetchFunction } : {}),
      ...(options.checkout === undefined ? {} : { checkout: options.checkout }),
    });
  } catch (error) {
    await network.close();
    await storage.dispose();
    throw error;
  }
  const api: Harness['api'] = async (method, path, { token, body, raw } = {}) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const payload = method === 'GET' ? undefined : (raw ?? (body === undefined ? undefined : JSON.stringify(body)));
    const response = await acquirer.app.request(path, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
  let merchants = 0;
  return {
    acquirer,
    network,
    engine: storage.engine,
    dir: storage.dir,
    settled: async () => faulty?.settled(),
    api,
    async onboard(name = `Shop ${++merchants}`, overrides = {}) {
      const created = await api('POST', '/acquirer/v1/merchants', { token: OPERATOR_KEY, body: merchantBody({ legalName: name, ...overrides }) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const merchantId = created.body.merchantId as string;
      assert.equal((await api('POST', `/acquirer/v1/merchants/${merchantId}/approve`, { token: OPERATOR_KEY, body: {} })).status, 200);
      const store = await api('POST', `/acquirer/v1/merchants/${merchantId}/stores`, { token: OPERATOR_KEY, body: { name: `${name} main` } });
      const terminal = await api('POST', `/acquirer/v1/merchants/${merchantId}/terminals`, { token: OPERATOR_KEY, body: { storeId: store.body.storeId, label: 'Counter 1' } });
      assert.equal(terminal.status, 201, JSON.stringify(terminal.body));
      return { merchantId, storeId: store.body.storeId as string, terminalId: terminal.body.terminalId as string, terminalKey: terminal.body.terminalKey as string };
    },
    ledgerTransfers: (ids) => storage.ledgerTransfers(ids),
    async withStores(work) {
      const stores = await storage.openStores();
      try {
        return await work(stores);
      } finally {
        await stores.close();
      }
    },
    async owedTo(merchantId) {
      const report = await acquirer.verifyLedger();
      assert.ok(report.ok, JSON.stringify(report, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
      return acquirer.service.merchantBalanceKrw(merchantId);
    },
    async close() {
      await faulty?.settled();
      await network.close();
      await acquirer.close();
      await storage.dispose();
    },
  };
}

/** The acquirer's two stores over one storage, opened by a contract suite; `close` removes the storage. */
export interface OpenStores {
  readonly store: AcquirerStore;
  readonly payouts: PayoutStore;
  close(): Promise<void>;
}

/** Every engine the acquirer's stores run on, for the contract suites (platform `storeTestEngines`). */
export const STORE_TEST_ENGINES = storeTestEngines<Omit<OpenStores, 'close'>>({
  name: 'acquirer-store',
  sqlite: (db, committed) => ({ store: committed(createSqliteAcquirerStore(db)), payouts: committed(createSqlitePayoutStore(db)) }),
  postgres: async (pool) => ({ store: await createPostgresAcquirerStore(pool), payouts: await createPostgresPayoutStore(pool) }),
});

export const krw = (value: bigint | number) => ({ currency: 'KRW', value: String(value) });

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const endAt = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > endAt) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
