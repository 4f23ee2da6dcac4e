/**
 * What the mall's tests share: its store on every engine it runs on, a mall
 * on either engine behind an in-process HTTP client, and sample requests.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyDirectory, generateSigningKeyPair } from '../platform/signing/index.ts';
import { createTestDatabase } from '../platform/testing/postgres.ts';
import { storeTestEngines } from '../platform/testing/store-engines.ts';
import { createMall, type MallInstance } from './index.ts';
import { createSqliteMallStore, type MallStore } from './store.ts';
import { createPostgresMallStore } from './store-postgres.ts';

export const OPERATOR_KEY = 'mall-operator-key-for-tests';
export const MALL_ID = 'MALL_KR_01';
export const MARKETPLACE_ID = 'MARKET_CN_01';
/** A participant the mall knows but that does not read its feed. */
export const STRANGER_ID = 'WALLET_CN_01';
export const MALL_KEYS = generateSigningKeyPair();
export const MARKETPLACE_KEYS = generateSigningKeyPair();
export const STRANGER_KEYS = generateSigningKeyPair();
export const KEYS = createKeyDirectory([
  { clientId: MALL_ID, keyVersion: 1, publicKey: MALL_KEYS.publicKey },
  { clientId: MARKETPLACE_ID, keyVersion: 1, publicKey: MARKETPLACE_KEYS.publicKey },
  { clientId: STRANGER_ID, keyVersion: 1, publicKey: STRANGER_KEYS.publicKey },
]);
/** Valid business registration numbers (their check digits hold). */
export const BRNS = ['220-81-62517', '120-81-47521', '101-86-00006', '114-81-00007', '211-87-00009'] as const;
export interface OpenStore {
  readonly store: MallStore;
  close(): Promise<void>;
}

/** Every engine the store runs on, for its contract suite (platform `storeTestEngines`). */
export const STORE_TEST_ENGINES = storeTestEngines<Omit<OpenStore, 'close'>>({
  name: 'mall-store',
  sqlite: (db, committed) => ({ store: committed(createSqliteMallStore(db)) }),
  postgres: async (pool) => ({ store: await createPostgresMallStore(pool) }),
});

export type MallTestEngine = 'sqlite' | 'postgres';
export const MALL_TEST_ENGINES: readonly MallTestEngine[] = ['sqlite', 'postgres'];

export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface MallHarness {
  readonly mall: MallInstance;
  api(method: string, path: string, options?: { readonly token?: string; readonly body?: unknown; readonly csv?: string; readonly contentType?: string }): Promise<ApiAnswer>;
  /** A new seller and its API key. */
  signUp(index: number, name?: string): Promise<{ readonly sellerId: string; readonly apiKey: string }>;
  close(): Promise<void>;
}

/** A mall on `engine`, on a temp folder or a PostgreSQL database of its own, removed on close. */
export async function startMall(engine: MallTestEngine, options: { readonly now?: () => Date } = {}): Promise<MallHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'dari-mall-'));
  const database = engine === 'postgres' ? await createTestDatabase() : null;
  const mall = await createMall({
    dataDir: dir,
    operatorKey: OPERATOR_KEY,
    identity: { clientId: MALL_ID, privateKey: MALL_KEYS.privateKey, keyVersion: 1 },
    keys: KEYS,
    feedReaders: [MARKETPLACE_ID],
    ...(database === null ? {} : { database: { engine: 'postgres', url: database.url } }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const api: MallHarness['api'] = async (method, path, { token, body, csv, contentType } = {}) => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined || csv !== undefined) headers['Content-Type'] = contentType ?? (csv === undefined ? 'application/json' : 'text/csv');
    const response = await mall.app.request(path, { method, headers, ...(csv !== undefined ? { body: csv } : body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
  return {
    mall,
    api,
    async signUp(index, name = `Seller ${index}`) {
      const brn = BRNS[index];
      assert.ok(brn !== undefined, `BRNS has a number at ${index}`);
      const created = await api('POST', '/mall/v1/sellers', { token: OPERATOR_KEY, body: { legalName: name, businessRegistrationNumber: brn, contactEmail: `seller${index}@example.kr` } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return { sellerId: created.body.sellerId as string, apiKey: created.body.apiKey as string };
    },
    async close() {
      await mall.close();
      rmSync(dir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}

/** A product request a seller would send; `overrides` replace fields. */
export function productBody(sku: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sku,
    title: { ko: '울 코트', zh: '羊毛大衣', en: 'Wool coat' },
    description: { ko: '겨울용 울 코트입니다.' },
    category: 'fashion/outerwear',
    hsCode: '620213',
    price: { currency: 'KRW', value: '189000' },
    stock: 12,
    weightGrams: 1800,
    originCountry: 'KR',
    images: ['https://mall.example/p/coat-1.jpg'],
    certifications: ['KC-R-1234'],
    ...overrides,
  };
}
