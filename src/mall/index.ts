/**
 * The Korean SME mall: small businesses sign up as sellers and keep their
 * catalogue here, once; the marketplace takes it from the mall's feed
 * (issue 7, ADR 15). An institution like the others: its own database, its
 * own API, no other institution's code. See README.md.
 */
import { Hono } from 'hono';
import { BATCHING_DEFAULT, type Batching } from '../platform/batching.ts';
import { openInstitutionStorage, type InstitutionEngine } from '../platform/db/institution.ts';
import type { RouteDoc } from '../platform/http/contract.ts';
import { createPostgresReplayGuard, createSqliteReplayGuard, type KeyDirectory } from '../platform/signing/index.ts';
import type { SigningIdentity } from '../protocol/index.ts';
import { MALL_ROUTE_DOCS, mountMallRoutes } from './routes.ts';
import { createMallService, type MallService } from './service.ts';
import { createSqliteMallStore } from './store.ts';
import { createPostgresMallStore } from './store-postgres.ts';

export { CATALOGUE_COLUMNS, CATALOGUE_COLUMNS_REQUIRED, CATALOGUE_UPLOAD_BYTES_MAX, CATALOGUE_UPLOAD_ROWS_MAX, type UploadReport } from './catalogue-upload.ts';
export { PRODUCT_PRICE_KRW_MAX, PRODUCTS_PAGE_MAX } from './contract.ts';
export { CATALOGUE_MEDIA_TYPE, productView } from './routes.ts';
export { feedProduct } from './feed.ts';
export type { MallService } from './service.ts';
export type * from './types.ts';

export interface MallOptions {
  /** On SQLite, holds `mall.db`; unused on PostgreSQL. */
  readonly dataDir: string;
  /** SQLite in `dataDir` unless told otherwise (ADR 3). */
  readonly database?: InstitutionEngine;
  /** The mall operator's bearer key: it signs up sellers. */
  readonly operatorKey: string;
  /** The mall's own signing identity: it signs the feed's answers. */
  readonly identity: SigningIdentity;
  /** Public keys of the peers; must hold each feed reader's. */
  readonly keys: KeyDirectory;
  /** Participant ids that may read the feed (the marketplace). */
  readonly feedReaders: readonly string[];
  readonly now?: () => Date;
  /** Group-committed store calls (`batched`, the default) or one transaction per call (ADR 10). */
  readonly batching?: Batching;
}

export interface MallInstance {
  /** Routes with full paths (`/mall/v1/…`); mount with `root.route('/', app)`. */
  readonly app: Hono;
  readonly routeDocs: readonly RouteDoc[];
  readonly service: MallService;
  close(): Promise<void>;
}

export async function createMall(options: MallOptions): Promise<MallInstance> {
  const now = options.now ?? (() => new Date());
  const storage = await openInstitutionStorage({
    database: options.database ?? { engine: 'sqlite' },
    dataDir: options.dataDir,
    fileName: 'mall.db',
    batching: options.batching ?? BATCHING_DEFAULT,
    sqlite: (d) => ({ store: d.committed(createSqliteMallStore(d.db)), replayGuard: d.committed(createSqliteReplayGuard(d.db)) }),
    postgres: async (pool) => ({ store: await createPostgresMallStore(pool), replayGuard: await createPostgresReplayGuard(pool) }),
  });
  const service = createMallService({ store: storage.tables.store, operatorKey: options.operatorKey, now });
  const app = new Hono();
  mountMallRoutes(app, { service, feed: { readers: options.feedReaders, self: options.identity, keys: options.keys, replayGuard: storage.tables.replayGuard, now } });
  return { app, routeDocs: MALL_ROUTE_DOCS, service, close: () => storage.close() };
}
