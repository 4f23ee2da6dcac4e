/**
 * The all-in-one deployment: the network, the wallet provider and the
 * acquirer in one process, each with its own databases under
 * `dataDir/<institution>/`, talking to one another only over signed HTTP on
 * the one port (DESIGN "The institutions are the architecture").
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createAcquirer, type AcquirerInstance } from '../acquirer/index.ts';
import { CATALOGUE_UPLOAD_BYTES_MAX, createMall, type MallInstance } from '../mall/index.ts';
import { createMarketplace, startSyndicationLoop, type MarketplaceInstance } from '../marketplace/index.ts';
import { createNetwork, type NetworkInstance } from '../network/index.ts';
import type { Batching } from '../platform/batching.ts';
import type { DariDatabase } from '../platform/config.ts';
import { createApp } from '../platform/http/app.ts';
import { openApiDocument, type RouteDoc } from '../platform/http/contract.ts';
import { createKeyDirectory } from '../platform/signing/index.ts';
import type { FetchFunction } from '../protocol/index.ts';
import { createWallet, type WalletInstance } from '../wallet/index.ts';
import { createShop, type ShopInstance } from '../shop/index.ts';
import { mountWebConsole, WEB_ROUTE_DOCS } from '../web/index.ts';
import { openInstitutionDatabases } from './databases.ts';
import { DEMO_SHOPS } from './demo-shops.ts';
import { MARKET_RATES_READ_MAX, marketReviewSettings } from './market-rate.ts';
import { loadOrCreateSecrets, PARTICIPANTS, type DariSecrets } from './secrets.ts';

import { ACQUIRER_MERCHANT_ID_PREFIX, WALLET_CODE_PREFIX } from './prefixes.ts';

export { ACQUIRER_MERCHANT_ID_PREFIX, WALLET_CODE_PREFIX };
/** How often the recovery pass looks for payments left in process. */
export const RESOLVE_INTERVAL_MS = 5_000;
/** The mall's CSV upload: its own body limit (the mall's), above the shell's 64 KiB. */
export const MALL_UPLOAD_PATH = '/mall/v1/product-uploads';

export interface DariOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly hostname?: string;
  readonly version: string;
  /** Per hop: how each institution reaches the next (tests inject faults here). */
  readonly fetch?: { readonly wallet?: FetchFunction; readonly acquirer?: FetchFunction; readonly network?: FetchFunction };
  readonly peerTimeoutMs?: number;
  readonly paymentDeadlineMs?: number;
  /** Runs the recovery pass on a timer; tests call `resolveOpen()` themselves. */
  readonly resolveIntervalMs?: number | null;
  /** The marketplace's syndication loop interval, in ms (its default, 1 s, unless told); null: no loop (tests run passes themselves). */
  readonly marketSyncIntervalMs?: number | null;
  /** Envelopes and group commit in every institution (`batched`, the default), or the naive baseline (ADR 10). */
  readonly batching?: Batching;
  /** One clock for the three institutions (the simulator and tests move it); the system clock by default. */
  readonly now?: () => Date;
  /**
   * SQLite files under `dataDir/<institution>/` (the default), or PostgreSQL:
   * one database per institution, `<base>_network`, `<base>_wallet` and
   * `<base>_acquirer`, the base being the URL's database, created if missing
   * (databases.ts, ADR 14). The keys stay in `dataDir` either way.
   */
  readonly database?: DariDatabase;
}

export interface Dari {
  readonly url: string;
  readonly secrets: DariSecrets;
  /** True on the first start over this data directory (the demo seed runs then). */
  readonly firstStart: boolean;
  readonly wallet: WalletInstance;
  readonly acquirer: AcquirerInstance;
  readonly network: NetworkInstance;
  /** The demo's online duty-free shop at `/shop/` (issue 6), a merchant of the acquirer: `shops[0]`. */
  readonly shop: ShopInstance;
  /** Every web shop of the demo (demo-shops.ts), each at its own path with its own database, each a merchant of the acquirer. */
  readonly shops: readonly ShopInstance[];
  /** The Korean SME mall (issue 7) at `/mall/v1/`, its database under `dataDir/mall/`. */
  readonly mall: MallInstance;
  /** The cross-border marketplace (issue 7) at `/marketplace/v1/`, its database under `dataDir/marketplace/`, reading the mall's feed. */
  readonly marketplace: MarketplaceInstance;
  readonly openApi: Record<string, unknown>;
  /** One recovery pass in every institution. */
  resolveOpen(): Promise<void>;
  close(): Promise<void>;
}

export async function startDari(options: DariOptions): Promise<Dari> {
  const { secrets, created } = loadOrCreateSecrets(options.dataDir);
  let url = '';
  const baseUrl = (): string => url;
  const keys = createKeyDirectory(
    (Object.keys(PARTICIPANTS) as (keyof typeof PARTICIPANTS)[]).map((name) => ({
      clientId: PARTICIPANTS[name],
      keyVersion: 1,
      publicKey: secrets.keys[name].publicKey,
    })),
  );
  const identity = (name: keyof typeof PARTICIPANTS) => ({ clientId: PARTICIPANTS[name], privateKey: secrets.keys[name].privateKey, keyVersion: 1 });
  const common = {
    ...(options.peerTimeoutMs === undefined ? {} : { peerTimeoutMs: options.peerTimeoutMs }),
    ...(options.batching === undefined ? {} : { batching: options.batching }),
    ...(options.now === undefined ? {} : { now: options.now }),
  };
  const deadline = options.paymentDeadlineMs === undefined ? {} : { paymentDeadlineMs: options.paymentDeadlineMs };
  const databases = await openInstitutionDatabases(options.database ?? { engine: 'sqlite' });

  const network = await createNetwork({
    dataDir: join(options.dataDir, 'network'),
    database: databases.network,
    identity: identity('network'),
    operatorKey: secrets.networkOperatorKey,
    ...common,
    ...deadline,
    ...(options.fetch?.network ? { fetch: options.fetch.network } : {}),
  });
  if (created && options.database?.engine === 'postgres' && network.service.listParticipants().length > 0) {
    // New keys over databases that know the old ones: every signature between the institutions would fail.
    await network.close();
    throw new Error(`the PostgreSQL databases hold an earlier deployment, whose keys are not in ${options.dataDir}: start with that data directory, or drop the databases`);
  }
  const wallet = await createWallet({
    dataDir: join(options.dataDir, 'wallet'),
    database: databases.wallet,
    identity: identity('wallet'),
    keys,
    network: { peerId: PARTICIPANTS.network, baseUrl },
    codePrefix: WALLET_CODE_PREFIX,
    operatorKey: secrets.walletOperatorKey,
    pseudonymSecret: secrets.walletPseudonymSecret,
    idNumberKey: secrets.walletIdNumberKey,
    ...common,
    ...(options.fetch?.wallet ? { fetch: options.fetch.wallet } : {}),
  });
  const acquirer = await createAcquirer({
    dataDir: join(options.dataDir, 'acquirer'),
    database: databases.acquirer,
    identity: identity('acquirer'),
    keys,
    network: { peerId: PARTICIPANTS.network, baseUrl },
    merchantIdPrefix: ACQUIRER_MERCHANT_ID_PREFIX,
    operatorKey: secrets.acquirerOperatorKey,
    ...common,
    ...deadline,
    ...(options.fetch?.acquirer ? { fetch: options.fetch.acquirer } : {}),
    // Online checkout (ADR 13): sessions send buyers to the wallet's hosted cashier.
    checkout: { cashierUrl: () => `${url}/wallet/cashier` },
  });
  const shops = DEMO_SHOPS.map((demo) => createShop({ profile: demo.profile, dataDir: join(options.dataDir, demo.dataFolder), acquirerUrl: baseUrl, publicUrl: baseUrl, ...(options.now === undefined ? {} : { now: options.now }) }));
  const shop = shops[0]!;
  // Issue 7: the mall and the marketplace, over signed HTTP on the one port like the others (ADR 15, 17).
  const mall = await createMall({
    dataDir: join(options.dataDir, 'mall'),
    database: databases.mall,
    operatorKey: secrets.mallOperatorKey,
    identity: identity('mall'),
    keys,
    feedReaders: [PARTICIPANTS.marketplace],
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.batching === undefined ? {} : { batching: options.batching }),
  });
  const marketplace = await createMarketplace({
    dataDir: join(options.dataDir, 'marketplace'),
    database: databases.marketplace,
    identity: identity('marketplace'),
    keys,
    mall: { peerId: PARTICIPANTS.mall, baseUrl },
    operatorKey: secrets.marketplaceOperatorKey,
    reviewSettings: async () => marketReviewSettings(await network.service.listFxRates(MARKET_RATES_READ_MAX), (options.now ?? (() => new Date()))()),
    // Its loop starts below, once the port (the mall's URL) is known.
    syncIntervalMs: null,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.peerTimeoutMs === undefined ? {} : { peerTimeoutMs: options.peerTimeoutMs }),
    ...(options.batching === undefined ? {} : { batching: options.batching }),
  });

  const routes: RouteDoc[] = [
    { method: 'get', path: '/health', summary: 'Whether every institution and its databases answer', tag: 'operations' },
    { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'operations' },
    ...network.routeDocs,
    ...wallet.routeDocs,
    ...acquirer.routeDocs,
    ...mall.routeDocs,
    ...marketplace.routeDocs,
    ...WEB_ROUTE_DOCS,
  ];
  const openApi = openApiDocument({ title: 'dari', version: options.version, routes });
  const app = createApp({
    version: options.version,
    healthChecks: [
      { name: 'network', check: async () => ({ ledger: await network.ledgerStatus() }) },
      { name: 'wallet', check: async () => ({ ledger: await wallet.ledgerStatus() }) },
      { name: 'acquirer', check: async () => ({ ledger: await acquirer.ledgerStatus() }) },
    ],
    routeBodyLimits: [{ path: MALL_UPLOAD_PATH, bodyBytesMax: CATALOGUE_UPLOAD_BYTES_MAX }],
  });
  app.get('/openapi.json', (c) => c.json(openApi));
  app.route('/', network.app);
  app.route('/', wallet.app);
  app.route('/', acquirer.app);
  app.route('/', mall.app);
  app.route('/', marketplace.app);
  for (const s of shops) app.route('/', s.app);
  // The web console (ADR 12): pages and assets from memory; the demo's keys only to a browser on this machine.
  mountWebConsole(app, { demoCredentialsPath: join(options.dataDir, 'demo-credentials.json'), shops: shops.map((s) => ({ href: `${s.path}/`, name: s.name })) });

  const server: ServerType = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname ?? '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  url = `http://${options.hostname ?? '127.0.0.1'}:${address.port}`;
  const marketSyncIntervalMs = options.marketSyncIntervalMs;
  const marketLoop = marketSyncIntervalMs === null ? null : startSyndicationLoop(marketplace.syndication, marketSyncIntervalMs === undefined ? {} : { intervalMs: marketSyncIntervalMs });

  const resolveOpen = async (): Promise<void> => {
    await network.resolveOpen();
    await wallet.resolveOpen();
    await acquirer.resolveOpen();
  };
  let resolving: Promise<void> | undefined;
  const intervalMs = options.resolveIntervalMs === undefined ? RESOLVE_INTERVAL_MS : options.resolveIntervalMs;
  const timer =
    intervalMs === null
      ? undefined
      : setInterval(() => {
          resolving ??= resolveOpen()
            .catch((error: unknown) => console.error('recovery pass failed:', error))
            .finally(() => (resolving = undefined));
        }, intervalMs);
  timer?.unref();

  return {
    url,
    secrets,
    firstStart: created,
    wallet,
    acquirer,
    network,
    shop,
    shops,
    mall,
    marketplace,
    openApi,
    resolveOpen,
    async close() {
      if (timer) clearInterval(timer);
      await resolving;
      // Its pass under way still reaches the mall.
      await marketLoop?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections would hold close() open.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      await marketplace.close();
      await mall.close();
      await acquirer.close();
      for (const s of shops) await s.close();
      await wallet.close();
      await network.close();
    },
  };
}
