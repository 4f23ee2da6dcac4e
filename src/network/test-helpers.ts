/**
 * The network's test bench: a network on real SQLite in a temporary
 * directory, or on a PostgreSQL database of its own (`engine`), served over a
 * real socket, a tiny scripted wallet and a tiny scripted acquirer (real Hono
 * servers on port 0 speaking the signed protocol), and an acquirer client
 * signing with the acquirer's key; and the network's stores on every engine
 * for the contract suites.
 */
import assert from 'node:assert/strict';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { openSqlite } from '../platform/db/sqlite.ts';
import { createTestDatabase } from '../platform/testing/postgres.ts';
import { storeTestEngines } from '../platform/testing/store-engines.ts';
import { createKeyDirectory, createSqliteReplayGuard, exportPublicKeyBase64, generateSigningKeyPair, type KeyDirectory } from '../platform/signing/index.ts';
import {
  createPeerClient,
  createSqliteEnvelopeArchive,
  faultyFetch,
  mountEnvelopeRoute,
  mountProtocolRoute,
  result,
  type FaultPlanCall,
  type FetchFunction,
  type NetworkFault,
  type NotifyPaymentRequest,
  type PaymentStatus,
  type PeerClient,
  type ProtocolEndpointName,
  type ProtocolServerOptions,
  type SigningIdentity,
  type UserInitiatedPayRequest,
  type UserInitiatedPayResponse,
} from '../protocol/index.ts';
import { encodeMerchantQr } from '../qr/index.ts';
import { currency, amount } from '../money/index.ts';
import { createPostgresClearingStore } from './clearing/store-postgres.ts';
import { openClearingStore, type ClearingStore } from './clearing/store.ts';
import { createNetwork, type NetworkDatabase, type NetworkInstance } from './index.ts';
import { createPostgresNetworkStore } from './store-postgres.ts';
import { openNetworkStore, type NetworkStore } from './store.ts';

export const NETWORK_ID = 'DARI_NETWORK';
export const WALLET_ID = 'WALLET_CN_01';
export const WALLET_CODE_PREFIX = '2851';
export const ACQUIRER_ID = 'ACQ_KR_01';
export const ACQUIRER_MERCHANT_PREFIX = 'KR01';
export const OPERATOR_KEY = 'network-operator-test-key';
export const AUDITOR_KEY = 'network-auditor-test-key';
export const RATE_CNY_KRW = '190.25';

export const MERCHANT = { merchantId: 'KR01M0001', merchantName: 'Cafe Dari', merchantMcc: '5814', merchantCity: 'Seoul', merchantCountry: 'KR' } as const;

export function identity(clientId: string): SigningIdentity & { readonly publicKeyBase64: string } {
  const pair = generateSigningKeyPair();
  return { clientId, privateKey: pair.privateKey, keyVersion: 1, publicKeyBase64: exportPublicKeyBase64(pair.publicKey) };
}

export function directoryOf(...identities: readonly (SigningIdentity & { readonly publicKeyBase64: string })[]): KeyDirectory {
  return createKeyDirectory(
    identities.map((i) => ({
      clientId: i.clientId,
      keyVersion: i.keyVersion,
      publicKey: createPublicKeyFromBase64(i.publicKeyBase64),
    })),
  );
}

function createPublicKeyFromBase64(text: string): KeyObject {
  return createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
}

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

export function listen(app: Hono): Promise<Listening> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as Server).closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** An 18-digit payment code of the test wallet. */
export function walletCode(n: number, prefix = WALLET_CODE_PREFIX): string {
  return `${prefix}${String(n).padStart(14, '0')}`;
}

export function krw(value: string | bigint): { currency: string; value: string } {
  return { currency: 'KRW', value: String(value) };
}

// ---------------------------------------------------------------- fake wallet

export type WalletPayBehaviour =
  /** Charges and answers S. */
  | 'S'
  /** Refuses: F USER_BALANCE_NOT_ENOUGH. */
  | 'F'
  /** Charges but answers U: the outcome is known only by inquiry. */
  | 'U-success'
  /** Keeps the payment PROCESSING and answers U; only a cancel ends it. */
  | 'processing';

export interface FakeWalletScript {
  pay: WalletPayBehaviour;
  /** 'S' cancels (or tombstones an unknown id); 'U' answers U and does nothing. */
  cancel: 'S' | 'U';
  refund: 'S' | 'F' | 'U-success';
  /** Wait this long before handling a pay (a slow wallet). */
  payDelayMs: number;
}

interface WalletPaymentState {
  status: PaymentStatus;
  payAmount: bigint;
  payerId: string;
  paymentTime: string;
}

export interface FakeWallet {
  readonly script: FakeWalletScript;
  readonly payments: Map<string, WalletPaymentState>;
  readonly refunds: Map<string, { status: 'SUCCESS' | 'FAIL'; refundPayAmount: bigint; paymentId: string }>;
  readonly tombstones: Set<string>;
  /** How many times each endpoint was reached. */
  readonly calls: Map<ProtocolEndpointName, number>;
  /** What the wallet's users were charged net: Σ successful payAmount − Σ successful refundPayAmount (minor units). */
  netCharged(): bigint;
  readonly app: Hono;
}

export function createFakeWallet(options: ProtocolServerOptions): FakeWallet {
  const script: FakeWalletScript = { pay: 'S', cancel: 'S', refund: 'S', payDelayMs: 0 };
  const payments = new Map<string, WalletPaymentState>();
  const refunds = new Map<string, { status: 'SUCCESS' | 'FAIL'; refundPayAmount: bigint; paymentId: string }>();
  const tombstones = new Set<string>();
  const calls = new Map<ProtocolEndpointName, number>();
  const count = (name: ProtocolEndpointName): void => void calls.set(name, (calls.get(name) ?? 0) + 1);
  const app = new Hono();

  const payAnswerOf = (paymentId: string) => {
    const p = payments.get(paymentId);
    assert.ok(p);
    if (p.status === 'SUCCESS') return { result: result('SUCCESS'), paymentId, paymentTime: p.paymentTime, payerId: p.payerId };
    if (p.status === 'FAIL') return { result: result('USER_BALANCE_NOT_ENOUGH') };
    if (p.status === 'CANCELLED') return { result: result('ORDER_IS_CLOSED') };
    return { result: result('PAYMENT_IN_PROCESS') };
  };

  mountProtocolRoute(app, 'walletPay', options, async (request) => {
    count('walletPay');
    if (script.payDelayMs > 0) await new Promise((r) => setTimeout(r, script.payDelayMs));
    if (tombstones.has(request.paymentId)) return { result: result('ORDER_IS_CLOSED') };
    if (payments.has(request.paymentId)) return payAnswerOf(request.paymentId);
    const state: WalletPaymentState = {
      status: 'SUCCESS',
      payAmount: BigInt(request.payAmount.value),
      payerId: `PAYER-${request.merchant.merchantId}`,
      paymentTime: new Date().toISOString(),
    };
    switch (script.pay) {
      case 'S':
        payments.set(request.paymentId, state);
        return payAnswerOf(request.paymentId);
      case 'F':
        payments.set(request.paymentId, { ...state, status: 'FAIL' });
        return payAnswerOf(request.paymentId);
      case 'U-success':
        payments.set(request.paymentId, state);
        return { result: result('UNKNOWN_EXCEPTION') };
      case 'processing':
        payments.set(request.paymentId, { ...state, status: 'PROCESSING' });
        return { result: result('PAYMENT_IN_PROCESS') };
    }
  });
  mountProtocolRoute(app, 'walletInquiryPayment', options, async (request) => {
    count('walletInquiryPayment');
    const p = payments.get(request.paymentId);
    if (!p) return { result: result(tombstones.has(request.paymentId) ? 'ORDER_IS_CLOSED' : 'ORDER_NOT_EXIST') };
    const outcome = payAnswerOf(request.paymentId);
    return { result: result('SUCCESS'), paymentStatus: p.status, paymentResult: outcome.result, paymentId: request.paymentId, ...(p.status === 'SUCCESS' ? { payerId: p.payerId, paymentTime: p.paymentTime } : {}) };
  });
  mountProtocolRoute(app, 'walletCancelPayment', options, async (request) => {
    count('walletCancelPayment');
    if (script.cancel === 'U') return { result: result('UNKNOWN_EXCEPTION') };
    const p = payments.get(request.paymentId);
    if (!p) tombstones.add(request.paymentId);
    else if (p.status === 'SUCCESS' || p.status === 'PROCESSING') p.status = 'CANCELLED';
    return { result: result('SUCCESS'), paymentId: request.paymentId, cancelTime: new Date().toISOString() };
  });
  mountProtocolRoute(app, 'walletRefund', options, async (request) => {
    count('walletRefund');
    const known = refunds.get(request.refundId);
    if (known) return known.status === 'SUCCESS' ? { result: result('SUCCESS'), refundId: request.refundId } : { result: result('ORDER_STATUS_INVALID') };
    const payment = payments.get(request.paymentId);
    assert.equal(payment?.status, 'SUCCESS', 'a refund names a successful payment');
    const refundPayAmount = BigInt(request.refundPayAmount.value);
    if (script.refund === 'F') {
      refunds.set(request.refundId, { status: 'FAIL', refundPayAmount, paymentId: request.paymentId });
      return { result: result('ORDER_STATUS_INVALID') };
    }
    refunds.set(request.refundId, { status: 'SUCCESS', refundPayAmount, paymentId: request.paymentId });
    return script.refund === 'S' ? { result: result('SUCCESS'), refundId: request.refundId, refundTime: new Date().toISOString() } : { result: result('UNKNOWN_EXCEPTION') };
  });
  mountProtocolRoute(app, 'walletInquiryRefund', options, async (request) => {
    count('walletInquiryRefund');
    const r = refunds.get(request.refundId);
    if (!r) return { result: result('ORDER_NOT_EXIST') };
    return { result: result('SUCCESS'), refundStatus: r.status, refundId: request.refundId, refundResult: r.status === 'SUCCESS' ? result('SUCCESS') : result('ORDER_STATUS_INVALID') };
  });

  mountEnvelopeRoute(app, 'wallet', { ...options, archive: createSqliteEnvelopeArchive(openSqlite(':memory:')) });
  return {
    script,
    payments,
    refunds,
    tombstones,
    calls,
    app,
    netCharged() {
      let sum = 0n;
      for (const p of payments.values()) if (p.status === 'SUCCESS') sum += p.payAmount;
      for (const r of refunds.values()) if (r.status === 'SUCCESS') sum -= r.refundPayAmount;
      return sum;
    },
  };
}

// ---------------------------------------------------------------- fake acquirer

export interface FakeAcquirer {
  /** 'forward': start a normal pay to the network with the wallet's code, then answer with its outcome; 'F': refuse. */
  readonly script: { userInitiated: 'forward' | 'F' };
  readonly notifications: NotifyPaymentRequest[];
  readonly userInitiatedRequests: UserInitiatedPayRequest[];
  readonly app: Hono;
}

export function createFakeAcquirer(options: ProtocolServerOptions, network: () => PeerClient): FakeAcquirer {
  const script: { userInitiated: 'forward' | 'F' } = { userInitiated: 'forward' };
  const notifications: NotifyPaymentRequest[] = [];
  const userInitiatedRequests: UserInitiatedPayRequest[] = [];
  const app = new Hono();
  mountProtocolRoute(app, 'acquirerNotifyPayment', options, async (request) => {
    notifications.push(request);
    return { result: result('SUCCESS') };
  });
  mountProtocolRoute(app, 'acquirerUserInitiatedPay', options, async (request): Promise<UserInitiatedPayResponse> => {
    userInitiatedRequests.push(request);
    if (script.userInitiated === 'F') return { result: result('MERCHANT_NOT_REGISTERED') };
    const paymentRequestId = `MPM-${request.userRequestId}`;
    const paymentAmount = request.paymentAmount ?? krw('15000');
    const paid = await network().call('networkPay', { paymentRequestId, paymentAmount, paymentCode: request.paymentCode, merchant: MERCHANT });
    if (paid.kind !== 'answered') return { result: result('REQUEST_TIMEOUT') };
    const answer = paid.response;
    return {
      result: answer.result,
      paymentRequestId,
      ...(answer.paymentId ? { paymentId: answer.paymentId } : {}),
      paymentAmount,
      ...(answer.payAmount ? { payAmount: answer.payAmount } : {}),
      merchant: MERCHANT,
    };
  });
  mountEnvelopeRoute(app, 'acquirer', { ...options, archive: createSqliteEnvelopeArchive(openSqlite(':memory:')) });
  return { script, notifications, userInitiatedRequests, app };
}

/** A dari static QR of a merchant (no amount: the payer types it). */
export function merchantQr(merchantId: string): string {
  const encoded = encodeMerchantQr({
    initiation: 'static',
    dari: { merchantId },
    merchantCategoryCode: '5814',
    currency: currency('KRW'),
    countryCode: 'KR',
    merchantName: 'Cafe Dari',
    merchantCity: 'Seoul',
  });
  assert.ok(encoded.ok);
  return encoded.value;
}

/** A dynamic dari QR for one order. */
export function orderQr(merchantId: string, value: bigint): string {
  const encoded = encodeMerchantQr({
    initiation: 'dynamic',
    orderReference: 'ORDER1',
    amount: amount(currency('KRW'), value),
    dari: { merchantId },
    merchantCategoryCode: '5814',
    currency: currency('KRW'),
    countryCode: 'KR',
    merchantName: 'Cafe Dari',
    merchantCity: 'Seoul',
  });
  assert.ok(encoded.ok);
  return encoded.value;
}

// ---------------------------------------------------------------- engines

/** The engines the network's higher-level tests run on (STYLE 22). */
export type NetworkTestEngine = 'sqlite' | 'postgres';
export const NETWORK_TEST_ENGINES: readonly NetworkTestEngine[] = ['sqlite', 'postgres'];

/** Where a test network keeps its data: a temporary folder, and on PostgreSQL a database of its own. */
export interface TestStorage {
  readonly engine: NetworkTestEngine;
  /** The SQLite files' folder (on PostgreSQL an empty folder: `dataDir` is unused there). */
  readonly dir: string;
  readonly database: NetworkDatabase;
  /** Removes the folder and drops the database. */
  dispose(): Promise<void>;
}

export async function createTestStorage(engine: NetworkTestEngine, name = 'network'): Promise<TestStorage> {
  const dir = mkdtempSync(join(tmpdir(), `dari-${name}-`));
  const removeDir = async (): Promise<void> => rmSync(dir, { recursive: true, force: true });
  if (engine === 'sqlite') return { engine, dir, database: { engine }, dispose: removeDir };
  const database = await createTestDatabase();
  return {
    engine,
    dir,
    database: { engine, url: database.url },
    async dispose() {
      await database.drop();
      await removeDir();
    },
  };
}

/** The network's two stores over one storage, opened by a contract suite; `close` removes the storage. */
export interface OpenStores {
  readonly store: NetworkStore;
  readonly clearingStore: ClearingStore;
  close(): Promise<void>;
}

/** Every engine the network's stores run on, for the contract suites (platform `storeTestEngines`). */
export const STORE_TEST_ENGINES = storeTestEngines<Omit<OpenStores, 'close'>>({
  name: 'network-store',
  sqlite: (db, committed) => ({ store: committed(openNetworkStore(db)), clearingStore: committed(openClearingStore(db)) }),
  postgres: async (pool) => ({ store: await createPostgresNetworkStore(pool), clearingStore: await createPostgresClearingStore(pool) }),
});

// ---------------------------------------------------------------- the bench

export interface Bench {
  readonly engine: NetworkTestEngine;
  readonly dir: string;
  readonly network: NetworkInstance;
  readonly networkUrl: string;
  readonly wallet: FakeWallet;
  readonly acquirer: FakeAcquirer;
  /** Signs as the acquirer, towards the network. */
  readonly acquirerClient: PeerClient;
  /** Signs as the wallet, towards the network. */
  readonly walletClient: PeerClient;
  /** Resolves once every message a fault held back was delivered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface BenchOptions {
  /** SQLite unless told otherwise. */
  readonly engine?: NetworkTestEngine;
  readonly paymentDeadlineMs?: number;
  readonly peerTimeoutMs?: number;
  /** Faults between the network and the fake wallet (and acquirer), per call. */
  readonly faults?: (call: FaultPlanCall) => NetworkFault | undefined;
  /** One clock for the network, the fake wallet and acquirer and their clients (signatures stay fresh between them); real time when absent. */
  readonly now?: () => Date;
}

export async function startBench(options: BenchOptions = {}): Promise<Bench> {
  const storage = await createTestStorage(options.engine ?? 'sqlite');
  const networkIdentity = identity(NETWORK_ID);
  const walletIdentity = identity(WALLET_ID);
  const acquirerIdentity = identity(ACQUIRER_ID);
  const trustNetwork = directoryOf(networkIdentity);
  const faulty = faultyFetch((url, init) => fetch(url, init), options.faults ?? (() => undefined));
  const clock = options.now === undefined ? {} : { now: options.now };
  let network: NetworkInstance;
  try {
    network = await createNetwork({
      dataDir: storage.dir,
      database: storage.database,
      identity: networkIdentity,
      operatorKey: OPERATOR_KEY,
      auditorKey: AUDITOR_KEY,
      fetch: faulty.fetch as FetchFunction,
      peerTimeoutMs: options.peerTimeoutMs ?? 300,
      paymentDeadlineMs: options.paymentDeadlineMs ?? 800,
      ...clock,
    });
  } catch (error) {
    await storage.dispose();
    throw error;
  }
  const networkServer = await listen(network.app);
  const peerDbs = [openSqlite(':memory:'), openSqlite(':memory:')] as const;
  const wallet = createFakeWallet({ self: walletIdentity, keys: trustNetwork, replayGuard: createSqliteReplayGuard(peerDbs[0]), ...clock });
  const acquirerClient = createPeerClient({ self: acquirerIdentity, peerId: NETWORK_ID, baseUrl: networkServer.url, keys: trustNetwork, timeoutMs: 15_000, ...clock });
  const walletClient = createPeerClient({ self: walletIdentity, peerId: NETWORK_ID, baseUrl: networkServer.url, keys: trustNetwork, timeoutMs: 15_000, ...clock });
  const acquirer = createFakeAcquirer({ self: acquirerIdentity, keys: trustNetwork, replayGuard: createSqliteReplayGuard(peerDbs[1]), ...clock }, () => acquirerClient);
  const walletServer = await listen(wallet.app);
  const acquirerServer = await listen(acquirer.app);
  const registered = await Promise.all([
    network.service.registerParticipant({
      participantId: WALLET_ID,
      role: 'wallet',
      name: 'China wallet',
      baseUrl: walletServer.url,
      publicKey: walletIdentity.publicKeyBase64,
      keyVersion: 1,
      codePrefix: WALLET_CODE_PREFIX,
      currency: 'CNY',
    }),
    network.service.registerParticipant({
      participantId: ACQUIRER_ID,
      role: 'acquirer',
      name: 'Korea acquirer',
      baseUrl: acquirerServer.url,
      publicKey: acquirerIdentity.publicKeyBase64,
      keyVersion: 1,
      merchantIdPrefix: ACQUIRER_MERCHANT_PREFIX,
      currency: 'KRW',
    }),
  ]);
  for (const r of registered) assert.ok(r.ok, JSON.stringify(r));
  const rate = await network.service.setFxRate({ base: 'CNY', quote: 'KRW' }, { rate: RATE_CNY_KRW });
  assert.ok(rate.ok);
  return {
    engine: storage.engine,
    dir: storage.dir,
    network,
    networkUrl: networkServer.url,
    wallet,
    acquirer,
    acquirerClient,
    walletClient,
    settled: () => faulty.settled(),
    async close() {
      await faulty.settled();
      await Promise.all([networkServer.close(), walletServer.close(), acquirerServer.close()]);
      await network.close();
      for (const db of peerDbs) db.close();
      await storage.dispose();
    },
  };
}

/** Balances the network's operator sees: position per participant, as bigint. */
export async function positions(network: NetworkInstance): Promise<Record<string, bigint>> {
  const list = await network.service.positions();
  return Object.fromEntries(list.map((p) => [p.participantId, p.position.value]));
}
