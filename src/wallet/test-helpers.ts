/**
 * Fixtures of the wallet tests: a wallet on real SQLite in a temp directory,
 * or on a PostgreSQL database of its own (`engine`), a movable clock, the
 * network's signing key (to sign protocol requests as the network would),
 * and small HTTP helpers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { openPostgresLedgerStore, openSqliteLedgerStore, type LedgerStore } from '../ledger/index.ts';
import { amountToJson, convert, currency, invertRate, parseAmountJson, parseRate } from '../money/index.ts';
import { createKeyDirectory, formatRequestTime, generateSigningKeyPair, signMessage } from '../platform/signing/index.ts';
import {
  PROTOCOL_ENDPOINTS,
  type FetchFunction,
  type ProtocolEndpointName,
  type ProtocolRequest,
  type ProtocolResponse,
  type SigningIdentity,
  type WalletPayRequest,
} from '../protocol/index.ts';
import { appendCrc, buildDataObjects, encodeMerchantQr } from '../qr/index.ts';
import { createPostgresPool } from '../platform/db/postgres.ts';
import { openSqlite } from '../platform/db/sqlite.ts';
import { createTestDatabase } from '../platform/testing/postgres.ts';
import { createWallet, type WalletDatabase, type WalletInstance } from './index.ts';
import { createSqliteWalletStore, type WalletStore } from './store.ts';
import { createPostgresWalletStore } from './store-postgres.ts';

export const WALLET_ID = 'WALLET_CN_01';
export const NETWORK_ID = 'DARI_NETWORK';
export const ACQUIRER_ID = 'ACQ_KR_01';
export const CODE_PREFIX = '2851';
export const KRW = currency('KRW');
export const CNY = currency('CNY');

export const walletKeys = generateSigningKeyPair();
export const networkKeys = generateSigningKeyPair();
export const acquirerKeys = generateSigningKeyPair();
export const strangerKeys = generateSigningKeyPair();

export const keys = createKeyDirectory([
  { clientId: WALLET_ID, keyVersion: 1, publicKey: walletKeys.publicKey },
  { clientId: NETWORK_ID, keyVersion: 1, publicKey: networkKeys.publicKey },
  { clientId: ACQUIRER_ID, keyVersion: 1, publicKey: acquirerKeys.publicKey },
]);

export const walletIdentity: SigningIdentity = { clientId: WALLET_ID, privateKey: walletKeys.privateKey, keyVersion: 1 };
export const networkIdentity: SigningIdentity = { clientId: NETWORK_ID, privateKey: networkKeys.privateKey, keyVersion: 1 };

/** A clock the test moves; starts at a fixed instant (noon in Shanghai). */
export class TestClock {
  ms = Date.parse('2026-03-02T04:00:00Z');
  readonly now = (): Date => new Date(this.ms);
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** The engines the wallet's higher-level tests run on (STYLE 22). */
export type WalletTestEngine = 'sqlite' | 'postgres';
export const WALLET_TEST_ENGINES: readonly WalletTestEngine[] = ['sqlite', 'postgres'];

/** The wallet's storage while no wallet runs on it, as a crash left it: for tests that write what a crashed wallet had written. */
export interface StorageAtRest {
  /** The wallet's own tables, through a store of the engine's kind. */
  readonly store: WalletStore;
  /** The wallet's ledger store; whoever opens a ledger on it closes that ledger. */
  openLedgerStore(): Promise<LedgerStore>;
}

export interface TestWallet {
  readonly wallet: WalletInstance;
  readonly clock: TestClock;
  readonly engine: WalletTestEngine;
  /** The SQLite files' folder (on PostgreSQL an empty folder: `dataDir` is unused there). */
  readonly dir: string;
  /**
   * Closes the wallet and opens a new one over the same storage (a restart
   * after a crash); `whileDown` runs in between. The new wallet takes over
   * removing the storage on `close`.
   */
  restart(whileDown?: (storage: StorageAtRest) => Promise<void>): Promise<TestWallet>;
  /** Everything the wallet's own tables hold, as text: SQLite's file bytes, PostgreSQL's rows (binary as latin1). */
  storedText(): Promise<string>;
  close(): Promise<void>;
}

export interface TestWalletOptions {
  readonly engine?: WalletTestEngine;
  readonly networkBaseUrl?: string | (() => string);
  readonly fetch?: FetchFunction;
  readonly peerTimeoutMs?: number;
  readonly clock?: TestClock;
  /** SQLite files left by an earlier wallet; the caller removes them. */
  readonly dir?: string;
}

const pseudonymSecret = randomBytes(32);
const idNumberKey = randomBytes(32);

/** Where a test wallet keeps its data, and how to look at it from outside the wallet. */
interface TestStorage {
  readonly engine: WalletTestEngine;
  readonly dir: string;
  readonly database: WalletDatabase;
  openAtRest(): Promise<StorageAtRest & { close(): Promise<void> }>;
  storedText(): Promise<string>;
  /** Removes the storage (only the one who created it). */
  dispose(): Promise<void>;
}

async function createTestStorage(engine: WalletTestEngine, existingDir: string | undefined): Promise<TestStorage> {
  const dir = existingDir ?? mkdtempSync(join(tmpdir(), 'dari-wallet-'));
  const removeDir = async (): Promise<void> => {
    if (existingDir === undefined) rmSync(dir, { recursive: true, force: true });
  };
  if (engine === 'sqlite') {
    return {
      engine,
      dir,
      database: { engine },
      async openAtRest() {
        const db = openSqlite(join(dir, 'wallet.db'));
        return { store: createSqliteWalletStore(db), openLedgerStore: async () => openSqliteLedgerStore(join(dir, 'ledger.db')), close: async () => void db.close() };
      },
      async storedText() {
        const read = (name: string): string => {
          try {
            return readFileSync(join(dir, name)).toString('latin1');
          } catch {
            return '';
          }
        };
        return ['wallet.db', 'wallet.db-wal'].map(read).join('\n');
      },
      dispose: removeDir,
    };
  }
  const database = await createTestDatabase();
  return {
    engine,
    dir,
    database: { engine, url: database.url },
    async openAtRest() {
      const pool = createPostgresPool(database.url, { connectionsMax: 2 });
      return { store: await createPostgresWalletStore(pool), openLedgerStore: () => openPostgresLedgerStore(database.url), close: () => pool.end() };
    },
    async storedText() {
      const pool = createPostgresPool(database.url, { connectionsMax: 1 });
      try {
        const { rows: tables } = await pool.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'wallet\\_%' ORDER BY tablename`);
        const texts: string[] = [];
        for (const { name } of tables) {
          const { rows } = await pool.query<Record<string, unknown>>(`SELECT * FROM ${name}`);
          for (const row of rows) texts.push(Object.values(row).map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v))).join('|'));
        }
        return texts.join('\n');
      } finally {
        await pool.end();
      }
    },
    async dispose() {
      await database.drop();
      await removeDir();
    },
  };
}

/** The test wallet operator's bearer key. */
export const WALLET_OPERATOR_KEY = 'wallet-operator-test-key';

export async function startTestWallet(options: TestWalletOptions = {}): Promise<TestWallet> {
  const storage = await createTestStorage(options.engine ?? 'sqlite', options.dir);
  return startOn(storage, options, options.clock ?? new TestClock());
}

async function startOn(storage: TestStorage, options: TestWalletOptions, clock: TestClock): Promise<TestWallet> {
  const wallet = await createWallet({
    dataDir: storage.dir,
    database: storage.database,
    identity: walletIdentity,
    keys,
    network: { peerId: NETWORK_ID, baseUrl: options.networkBaseUrl ?? 'http://127.0.0.1:9' },
    codePrefix: CODE_PREFIX,
    operatorKey: WALLET_OPERATOR_KEY,
    pseudonymSecret,
    idNumberKey,
    now: clock.now,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.peerTimeoutMs === undefined ? {} : { peerTimeoutMs: options.peerTimeoutMs }),
  });
  let closed = false;
  /** Whether close() removes the storage: false once a restart handed it on. */
  let owner = true;
  const testWallet: TestWallet = {
    wallet,
    clock,
    engine: storage.engine,
    dir: storage.dir,
    async restart(whileDown) {
      if (!closed) await wallet.close();
      closed = true;
      owner = false;
      if (whileDown) {
        const atRest = await storage.openAtRest();
        try {
          await whileDown(atRest);
        } finally {
          await atRest.close();
        }
      }
      return startOn(storage, options, clock);
    },
    storedText: () => storage.storedText(),
    async close() {
      if (!closed) await wallet.close();
      closed = true;
      if (owner) await storage.dispose();
      owner = false;
    },
  };
  return testWallet;
}

/** A JSON answer read loosely (`body.error?.code`); tests assert exact values. */
export type Json = { readonly [key: string]: Json };

export interface ApiAnswer {
  readonly status: number;
  readonly body: Json;
}

/** A public API call in process. */
export async function api(wallet: WalletInstance, method: 'GET' | 'POST', path: string, options: { readonly token?: string; readonly body?: unknown; readonly rawBody?: string } = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  const body = method === 'GET' ? undefined : (options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)));
  const response = await wallet.app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: response.status, body: (await response.json()) as Json };
}

export async function signUp(wallet: WalletInstance, extra: { readonly idNumber?: string; readonly name?: string; readonly phone?: string } = {}): Promise<{ userId: string; token: string }> {
  const answer = await api(wallet, 'POST', '/wallet/v1/users', { body: { name: extra.name ?? 'Li Wei', phone: extra.phone ?? '+8613800138000', country: 'CN', ...(extra.idNumber === undefined ? {} : { idNumber: extra.idNumber }) } });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return { userId: String(answer.body.userId), token: String(answer.body.token) };
}

export async function topUp(wallet: WalletInstance, token: string, value: string, requestId = `tu-${randomBytes(6).toString('hex')}`): Promise<ApiAnswer> {
  return api(wallet, 'POST', '/wallet/v1/topups', { token, body: { requestId, amount: { currency: 'CNY', value } } });
}

export async function balanceOf(wallet: WalletInstance, token: string): Promise<{ balance: string; card: string }> {
  const answer = await api(wallet, 'GET', '/wallet/v1/balance', { token });
  assert.equal(answer.status, 200);
  return { balance: String(answer.body.balance?.value), card: String(answer.body.cardAvailable?.value) };
}

export async function newCode(wallet: WalletInstance, token: string): Promise<string> {
  const answer = await api(wallet, 'POST', '/wallet/v1/payment-codes', { token });
  assert.equal(answer.status, 201);
  return String(answer.body.code);
}

/** Signs a protocol request as `signer` at `time` (the network, now, by default). */
export function signedInit(name: ProtocolEndpointName, body: string, options: { readonly clientId?: string; readonly privateKey?: KeyObject; readonly time?: Date } = {}): RequestInit {
  const headers = signMessage({
    method: 'POST',
    path: PROTOCOL_ENDPOINTS[name].path,
    clientId: options.clientId ?? NETWORK_ID,
    requestTime: formatRequestTime(options.time ?? new Date()),
    body,
    privateKey: options.privateKey ?? networkKeys.privateKey,
    keyVersion: 1,
  });
  return { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body };
}

let signatures = 0;

/**
 * A protocol request signed by the network at the wallet's clock, in process.
 * Ed25519 is deterministic, so a retry of one body at one instant would be a
 * replay; like a real sender, each call signs at its own instant (a few
 * milliseconds before the clock, well inside the signature's age limit).
 */
export async function protocolCall<N extends ProtocolEndpointName>(t: TestWallet, name: N, request: ProtocolRequest<N>): Promise<ProtocolResponse<N>> {
  signatures = (signatures + 1) % 100_000;
  const body = JSON.stringify(request);
  const headers = signMessage({ method: 'POST', path: PROTOCOL_ENDPOINTS[name].path, clientId: NETWORK_ID, requestTime: new Date(t.clock.ms - signatures).toISOString(), body, privateKey: networkKeys.privateKey, keyVersion: 1 });
  const response = await t.wallet.app.request(PROTOCOL_ENDPOINTS[name].path, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body });
  assert.equal(response.status, 200);
  return (await response.json()) as ProtocolResponse<N>;
}

export const RATE = '190.25';

/** What the network computes: the KRW price at the inverted rate, rounded up. */
export function cnyFor(krw: bigint, rate = RATE): string {
  const parsed = parseRate(rate, { base: CNY, quote: KRW });
  const price = parseAmountJson({ currency: 'KRW', value: krw.toString() });
  assert.ok(parsed.ok && price.ok);
  const converted = convert(price.value, invertRate(parsed.value), 'ceil');
  assert.ok(converted.ok);
  return amountToJson(converted.value).value;
}

export const MERCHANT = { merchantId: 'KR01M000001', merchantName: 'Cafe Dari', merchantMcc: '5814', merchantCity: 'Seoul', merchantCountry: 'KR' } as const;

export function payRequest(options: { readonly paymentId: string; readonly code: string; readonly krw?: bigint; readonly merchantId?: string }): WalletPayRequest {
  const krw = options.krw ?? 15_000n;
  return {
    paymentId: options.paymentId,
    acquirerId: ACQUIRER_ID,
    paymentRequestId: `PR-${options.paymentId}`,
    paymentAmount: { currency: 'KRW', value: krw.toString() },
    payAmount: { currency: 'CNY', value: cnyFor(krw) },
    fxQuote: { quoteId: 'Q1', baseCurrency: 'CNY', quoteCurrency: 'KRW', rate: RATE },
    paymentCode: options.code,
    merchant: { ...MERCHANT, merchantId: options.merchantId ?? MERCHANT.merchantId },
  };
}

/** A dari merchant's QR: static (the tourist types the amount) or dynamic with its amount. */
export function dariQr(options: { readonly amountKrw?: bigint; readonly merchantId?: string } = {}): string {
  const common = { dari: { merchantId: options.merchantId ?? MERCHANT.merchantId }, merchantCategoryCode: '5814', currency: KRW, countryCode: 'KR', merchantName: 'Cafe Dari', merchantCity: 'Seoul' };
  const encoded =
    options.amountKrw === undefined
      ? encodeMerchantQr({ ...common, initiation: 'static' })
      : encodeMerchantQr({ ...common, initiation: 'dynamic', amount: { currency: KRW, value: options.amountKrw }, orderReference: 'ORD-0001' });
  assert.ok(encoded.ok);
  return encoded.value;
}

/** A valid EMV QR of another scheme only (a card scheme's primitive account in ID 02). */
export function foreignQr(): string {
  return appendCrc(
    buildDataObjects([
      { id: '00', value: '01' },
      { id: '01', value: '11' },
      { id: '02', value: '4111111111111111' },
      { id: '52', value: '5814' },
      { id: '53', value: '410' },
      { id: '58', value: 'KR' },
      { id: '59', value: 'Other Cafe' },
      { id: '60', value: 'Seoul' },
    ]),
  );
}

export async function assertLedgerBalanced(wallet: WalletInstance): Promise<void> {
  const report = await wallet.verifyLedger();
  assert.equal(report.ok, true, JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}
