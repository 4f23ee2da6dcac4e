/**
 * The network: the scheme between wallets and acquirers. It routes payments
 * by payment-code prefix and QR merchant prefix, locks an FX rate for each
 * payment, records every participant's position in its own ledger, and
 * carries every payment to one terminal state. See README.md.
 */
import { join } from 'node:path';
import { Hono } from 'hono';
import { ledgerHealth, openInstitutionLedger, type Ledger, type LedgerHealth, type VerifyReport } from '../ledger/index.ts';
import { BATCHING_DEFAULT, type Batching } from '../platform/batching.ts';
import { openSqlite } from '../platform/db/sqlite.ts';
import { openInstitutionStorage, type InstitutionEngine, type InstitutionStorage } from '../platform/db/institution.ts';
import type { RouteDoc } from '../platform/http/contract.ts';
import type { KeyDirectory, ReplayGuard } from '../platform/signing/index.ts';
import {
  PEER_CALL_TIMEOUT_MS_DEFAULT,
  mountEnvelopeRoute,
  peerClientFor,
  postgresMessageStores,
  sqliteMessageStores,
  type EnvelopeArchive,
  type FetchFunction,
  type PeerClient,
  type SigningIdentity,
} from '../protocol/index.ts';
import { PAYMENT_DEADLINE_MS_DEFAULT, type NetworkContext } from './context.ts';
import { createKeyedLock } from '../platform/keyed-lock.ts';
import { createParticipantRegistry } from './participants.ts';
import { NETWORK_ROUTE_DOCS, mountNetworkRoutes } from './routes.ts';
import { createNetworkService, type NetworkService } from './service.ts';
import { openNetworkStore, type NetworkStore } from './store.ts';
import { createPostgresNetworkStore } from './store-postgres.ts';
import { createCycleSchedule, type CycleSchedule, type CycleScheduleConfig } from './clearing/cycles.ts';
import { CLEARING_ROUTE_DOCS, mountClearingRoutes } from './clearing/routes.ts';
import { createClearingService, type ClearingService } from './clearing/service.ts';
import type { StretchRunner } from './clearing/close.ts';
import { sqliteStretchRunner } from './clearing/close-worker.ts';
import { openClearingStore, type ClearingStore } from './clearing/store.ts';
import { createPostgresClearingStore } from './clearing/store-postgres.ts';

export type { NetworkService } from './service.ts';
export type { NetworkError, NetworkErrorKind } from './errors.ts';
export type * from './types.ts';
export type { RegisterParticipantRequest, PutFxRateRequest, AddParticipantKeyRequest } from './contract.ts';
export { PAY_AMOUNT_ROUNDING, REFUND_CUMULATIVE_ROUNDING, payAmountFor, refundPayAmountFor } from './fx.ts';
export { SETTLEMENT_CURRENCIES } from './participants.ts';
export { PARTICIPANT_ID_CHARS_MAX, PAGE_ITEMS_MAX } from './contract.ts';
export {
  CANCEL_ATTEMPTS_MAX,
  INQUIRY_ATTEMPTS_MAX,
  INQUIRY_INTERVAL_MS_MAX,
  INQUIRY_INTERVAL_MS_MIN,
  PAYMENT_DEADLINE_MS_DEFAULT,
  RESOLVE_BATCH_MAX,
} from './context.ts';
export { NETWORK_ROUTE_DOCS } from './routes.ts';

/** The network's file names in `dataDir` (on SQLite). */
export const NETWORK_DB_FILE = 'network.db';
export const NETWORK_LEDGER_FILE = 'ledger.db';

/**
 * Where the network keeps its tables (participants, payments, clearing), its
 * replay guard, its envelope archive and its ledger: SQLite files in
 * `dataDir` (the default, no server needed), or one PostgreSQL database, the
 * production engine (ADR 3).
 */
export type NetworkDatabase = InstitutionEngine;

export interface NetworkOptions {
  /** On SQLite, holds `network.db` (own tables, clearing, replay guard, envelope archive) and `ledger.db`; unused on PostgreSQL. */
  readonly dataDir: string;
  /** SQLite in `dataDir` unless told otherwise. */
  readonly database?: NetworkDatabase;
  readonly identity: SigningIdentity;
  /** The network operator's bearer key (participants, FX rates, views). */
  readonly operatorKey: string;
  /** A read-only key for the operator's views (GET only; anything else is 403). */
  readonly auditorKey?: string;
  /** Tests pass a fetch that loses, delays or duplicates messages. */
  readonly fetch?: FetchFunction;
  readonly now?: () => Date;
  readonly peerTimeoutMs?: number;
  /** How long a payment may stay unknown at the wallet before the network cancels it (default `PAYMENT_DEADLINE_MS_DEFAULT`). */
  readonly paymentDeadlineMs?: number;
  /**
   * Envelopes and group commit (`batched`, the default) or the naive baseline
   * (ADR 10). On PostgreSQL the network's own tables commit each call on its
   * own (a pool gives the concurrency); the envelopes and the ledger batch.
   */
  readonly batching?: Batching;
  /** The clearing cut-offs (default daily at 23:00 Asia/Seoul). */
  readonly clearing?: CycleScheduleConfig;
  /**
   * Threads a large cycle's close runs on: 2 by default on SQLite (a worker
   * thread clears the later half, clearing/close.ts), 1 on PostgreSQL.
   */
  readonly clearingThreads?: 1 | 2;
}

export interface NetworkInstance {
  /** Routes with full paths (`/network/v1/...`); mount with `root.route('/', instance.app)`. */
  readonly app: Hono;
  readonly routeDocs: readonly RouteDoc[];
  readonly service: NetworkService;
  /** The participants' public keys, read from the participant table (for the composition root's own checks). */
  readonly keys: KeyDirectory;
  /** Clearing cycles, clearing files and settlement (issue 5). */
  readonly clearing: ClearingService;
  /** One pass of recovery for payments and refunds left unknown, and notifications not yet delivered; idempotent. */
  resolveOpen(): Promise<void>;
  verifyLedger(): Promise<VerifyReport>;
  /** A cheap read of the ledger, for health checks: a full verify is for operators and tests. */
  ledgerStatus(): Promise<LedgerHealth>;
  close(): Promise<void>;
}

export async function createNetwork(options: NetworkOptions): Promise<NetworkInstance> {
  const now = options.now ?? (() => new Date());
  const batching = options.batching ?? BATCHING_DEFAULT;
  const database = options.database ?? { engine: 'sqlite' };
  const schedule = createCycleSchedule(options.clearing ?? {});
  if (!schedule.ok) throw new Error(`network clearing schedule: ${schedule.error.message}`);
  const peerTimeoutMs = options.peerTimeoutMs ?? PEER_CALL_TIMEOUT_MS_DEFAULT;
  const paymentDeadlineMs = options.paymentDeadlineMs ?? PAYMENT_DEADLINE_MS_DEFAULT;
  if (!(paymentDeadlineMs > 0 && peerTimeoutMs > 0)) throw new Error('assertion failed: positive paymentDeadlineMs and peerTimeoutMs');

  const storage = await openInstitutionStorage<NetworkTables>({
    database,
    dataDir: options.dataDir,
    fileName: NETWORK_DB_FILE,
    batching,
    sqlite: (d) => {
      const store = openNetworkStore(d.db);
      // Clearing reads rows that were durable before their ledger transfers existed (a payment is
      // recorded, then paid), and reads them by the thousand: straight from the connection, not
      // one group commit per read.
      // A large cycle's later half is cleared by a worker thread over the same files (clearing/close.ts).
      const networkDbPath = join(options.dataDir, NETWORK_DB_FILE);
      const runStretch = sqliteStretchRunner({ networkDbPath, ledgerDbPath: join(options.dataDir, NETWORK_LEDGER_FILE) });
      // The files' chunks: written apart from the network's group commit, without an fsync each (ADR 16).
      const chunkDb = openSqlite(networkDbPath, { synchronous: 'NORMAL' });
      const tables: NetworkTables = {
        store: d.committed(store),
        clearingReads: store,
        clearingStore: d.committed(openClearingStore(d.db)),
        chunkStore: openClearingStore(chunkDb),
        runStretch,
        closeOwn: async () => {
          chunkDb.close();
        },
        ...sqliteMessageStores(d),
      };
      return tables;
    },
    postgres: async (pool) => {
      const store = await createPostgresNetworkStore(pool);
      return { store, clearingReads: store, clearingStore: await createPostgresClearingStore(pool), ...(await postgresMessageStores(pool)) };
    },
  });
  // The ledger's timestamps follow the network's clock: clearing cycles are read off them.
  const ledger = await openInstitutionLedger({ database, dataDir: options.dataDir, ledgerBatching: storage.ledgerBatching, now, setUp: async () => {}, onFailure: () => storage.close() });
  try {
    return await wireNetwork(options, { storage, ledger, schedule: schedule.value, now, batching, peerTimeoutMs, paymentDeadlineMs });
  } catch (error) {
    // A pool left open would keep the process alive.
    await ledger.close();
    await storage.tables.closeOwn?.();
    await storage.close();
    throw error;
  }
}

/** The network's stores on its engine. */
interface NetworkTables {
  readonly store: NetworkStore;
  /** The same tables, read by clearing outside any group commit. */
  readonly clearingReads: NetworkStore;
  readonly clearingStore: ClearingStore;
  /** Clears the later half of a large cycle on another thread; none where clearing runs on one (PostgreSQL, for now). */
  readonly runStretch?: StretchRunner;
  /** Where a close writes its files' chunks, when not `clearingStore` (clearing/service.ts). */
  readonly chunkStore?: Pick<ClearingStore, 'insertFileChunks' | 'segmentChunks'>;
  /** Closes what these tables opened beside the institution's own connection or pool. */
  readonly closeOwn?: () => Promise<void>;
  readonly replayGuard: ReplayGuard;
  readonly archive: EnvelopeArchive;
}

/** Everything past the storage and the ledger: the participants, the services and the routes. */
async function wireNetwork(
  options: NetworkOptions,
  deps: {
    readonly storage: InstitutionStorage<NetworkTables>;
    readonly ledger: Ledger;
    readonly schedule: CycleSchedule;
    readonly now: () => Date;
    readonly batching: Batching;
    readonly peerTimeoutMs: number;
    readonly paymentDeadlineMs: number;
  },
): Promise<NetworkInstance> {
  const { storage, ledger, now, peerTimeoutMs, paymentDeadlineMs } = deps;
  const { store, replayGuard } = storage.tables;
  const participants = await createParticipantRegistry({ store, ledger, selfId: options.identity.clientId, now });

  const clients = new Map<string, PeerClient>();
  const peer = (participantId: string): PeerClient => {
    let client = clients.get(participantId);
    if (!client) {
      client = peerClientFor(deps.batching, {
        self: options.identity,
        peerId: participantId,
        // Read at each call, so a participant's new base URL takes effect at once.
        baseUrl: () => {
          const participant = participants.get(participantId);
          if (!participant) throw new Error(`assertion failed: participant ${participantId} registered`);
          return participant.baseUrl;
        },
        keys: participants.keys,
        timeoutMs: peerTimeoutMs,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        now,
      });
      clients.set(participantId, client);
    }
    return client;
  };

  const locks = createKeyedLock();
  const ctx: NetworkContext = { store, ledger, participants, peer, now, peerTimeoutMs, paymentDeadlineMs, locks, busy: new Set() };
  const clearing = await createClearingService({
    ledger,
    store: storage.tables.clearingReads,
    clearingStore: storage.tables.clearingStore,
    participants,
    schedule: deps.schedule,
    locks,
    now,
    ...(storage.tables.runStretch === undefined || options.clearingThreads === 1 ? {} : { runStretch: storage.tables.runStretch }),
    ...(storage.tables.chunkStore === undefined ? {} : { chunkStore: storage.tables.chunkStore }),
  });
  const service = createNetworkService({ ...ctx, replayGuard });
  const app = new Hono();
  const server = { self: options.identity, keys: participants.keys, replayGuard, now };
  const keys = { operatorKey: options.operatorKey, ...(options.auditorKey === undefined ? {} : { auditorKey: options.auditorKey }) };
  mountNetworkRoutes(app, { service, keys, protocol: server });
  mountClearingRoutes(app, { clearing, keys, protocol: server });
  mountEnvelopeRoute(app, 'network', { ...server, archive: storage.tables.archive });

  return {
    app,
    routeDocs: [...NETWORK_ROUTE_DOCS, ...CLEARING_ROUTE_DOCS],
    service,
    keys: participants.keys,
    clearing,
    async resolveOpen() {
      await service.resolveOpen();
      await clearing.closeDueCycles();
    },
    verifyLedger: () => ledger.verify(),
    ledgerStatus: () => ledgerHealth(ledger),
    async close() {
      await ledger.close();
      await storage.tables.closeOwn?.();
      await storage.close();
    },
  };
}
