/**
 * The mall and the marketplace side by side in one process, each with its
 * own database, the marketplace reading the mall's feed and reporting back to
 * it over signed HTTP (in-process: `app.request`, no socket). For the
 * syndication tests and the market bench: either side can be restarted over
 * its data, and how the marketplace reaches the mall can be wrapped to lose
 * or delay messages.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMall, type MallInstance } from '../mall/index.ts';
import { createMarketplace, type MarketplaceInstance, type ReviewSettings } from '../marketplace/index.ts';
import type { Batching } from '../platform/batching.ts';
import type { InstitutionEngine } from '../platform/db/institution.ts';
import { createKeyDirectory, generateSigningKeyPair, type KeyDirectory } from '../platform/signing/index.ts';
import type { FetchFunction, SigningIdentity } from '../protocol/index.ts';

export const PAIR_MALL_ID = 'MALL_KR_01';
export const PAIR_MARKETPLACE_ID = 'MARKET_CN_01';
export const PAIR_MALL_OPERATOR_KEY = 'mall-operator-key-for-the-pair';
export const PAIR_MARKETPLACE_OPERATOR_KEY = 'marketplace-operator-key-for-the-pair';
/** Where the marketplace believes the mall is; requests to it go to the mall's app in-process. */
export const PAIR_MALL_URL = 'http://mall.pair';

export interface MarketPairOptions {
  readonly dataDir: string;
  readonly engines?: { readonly mall?: InstitutionEngine; readonly marketplace?: InstitutionEngine };
  readonly batching?: Batching;
  readonly reviewSettings: () => ReviewSettings;
  readonly now?: () => Date;
  /** The marketplace's loop interval, in ms; null (the default here): no loop, call `marketplace().syndication`. */
  readonly syncIntervalMs?: number | null;
  readonly pageItems?: number;
  /** Wraps how the marketplace reaches the mall (tests lose messages here). */
  readonly wrapFetch?: (toMall: FetchFunction) => FetchFunction;
}

export interface MarketPair {
  mall(): MallInstance;
  marketplace(): MarketplaceInstance;
  readonly keys: KeyDirectory;
  readonly marketplaceIdentity: SigningIdentity;
  /** A request to the mall's API, as a seller or its operator would send it. */
  mallApi(method: string, path: string, options?: { readonly token?: string; readonly body?: unknown; readonly csv?: string }): Promise<{ readonly status: number; readonly body: Record<string, unknown> }>;
  /** Closes the mall and opens it again over its data; the marketplace's requests fail while it is down. */
  restartMall(): Promise<void>;
  /** Closes the marketplace (its loop, its database) and opens it again over its data. */
  restartMarketplace(): Promise<void>;
  close(): Promise<void>;
}

export async function startMarketPair(options: MarketPairOptions): Promise<MarketPair> {
  const mallKeys = generateSigningKeyPair();
  const marketplaceKeys = generateSigningKeyPair();
  const keys = createKeyDirectory([
    { clientId: PAIR_MALL_ID, keyVersion: 1, publicKey: mallKeys.publicKey },
    { clientId: PAIR_MARKETPLACE_ID, keyVersion: 1, publicKey: marketplaceKeys.publicKey },
  ]);
  const mallIdentity: SigningIdentity = { clientId: PAIR_MALL_ID, privateKey: mallKeys.privateKey, keyVersion: 1 };
  const marketplaceIdentity: SigningIdentity = { clientId: PAIR_MARKETPLACE_ID, privateKey: marketplaceKeys.privateKey, keyVersion: 1 };
  const now = options.now ?? (() => new Date());
  const dirs = { mall: join(options.dataDir, 'mall'), marketplace: join(options.dataDir, 'marketplace') };
  mkdirSync(dirs.mall, { recursive: true });
  mkdirSync(dirs.marketplace, { recursive: true });

  const openMall = () =>
    createMall({
      dataDir: dirs.mall,
      operatorKey: PAIR_MALL_OPERATOR_KEY,
      identity: mallIdentity,
      keys,
      feedReaders: [PAIR_MARKETPLACE_ID],
      now,
      ...(options.engines?.mall === undefined ? {} : { database: options.engines.mall }),
      ...(options.batching === undefined ? {} : { batching: options.batching }),
    });
  let mall: MallInstance | null = await openMall();
  const toMall: FetchFunction = async (url, init) => {
    if (mall === null) throw new TypeError('fetch failed: the mall is down');
    return mall.app.request(url, init);
  };
  const fetch = options.wrapFetch ? options.wrapFetch(toMall) : toMall;
  const openMarketplace = () =>
    createMarketplace({
      dataDir: dirs.marketplace,
      identity: marketplaceIdentity,
      keys,
      mall: { peerId: PAIR_MALL_ID, baseUrl: PAIR_MALL_URL },
      operatorKey: PAIR_MARKETPLACE_OPERATOR_KEY,
      reviewSettings: options.reviewSettings,
      now,
      fetch,
      syncIntervalMs: options.syncIntervalMs ?? null,
      ...(options.pageItems === undefined ? {} : { pageItems: options.pageItems }),
      ...(options.engines?.marketplace === undefined ? {} : { database: options.engines.marketplace }),
      ...(options.batching === undefined ? {} : { batching: options.batching }),
    });
  let marketplace: MarketplaceInstance | null = await openMarketplace().catch(async (error: unknown) => {
    await mall?.close();
    throw error;
  });

  const up = <T>(instance: T | null, name: string): T => {
    if (instance === null) throw new Error(`assertion failed: the ${name} is up`);
    return instance;
  };
  return {
    mall: () => up(mall, 'mall'),
    marketplace: () => up(marketplace, 'marketplace'),
    keys,
    marketplaceIdentity,
    async mallApi(method, path, { token, body, csv } = {}) {
      const headers: Record<string, string> = {};
      if (token !== undefined) headers.Authorization = `Bearer ${token}`;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (csv !== undefined) headers['Content-Type'] = 'text/csv';
      const response = await up(mall, 'mall').app.request(path, { method, headers, ...(csv !== undefined ? { body: csv } : body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await response.text();
      return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    },
    async restartMall() {
      const closing = up(mall, 'mall');
      mall = null;
      await closing.close();
      mall = await openMall();
    },
    async restartMarketplace() {
      const closing = up(marketplace, 'marketplace');
      marketplace = null;
      await closing.close();
      marketplace = await openMarketplace();
    },
    async close() {
      await marketplace?.close();
      await mall?.close();
      marketplace = null;
      mall = null;
    },
  };
}
