/**
 * The network: the scheme between wallets and acquirers. It routes payments
 * by payment-code prefix and QR merchant prefix, locks an FX rate for each
 * payment, records every participant's position in its own ledger, and
 * carries every payment to one terminal state. See README.md.
 */
import { join } from 'node:path';
import { Hono } from 'hono';
import { createLedger, ledgerHealth, type LedgerHealth, openSqliteLedgerStore, type VerifyReport } from '../ledger/index.ts';
import { BATCHING_DEFAULT, type Batching } from '../platform/batching.ts';
import { openInstitutionDatabase } from '../platform/db/institution.ts';
import type { RouteDoc } from '../platform/http/contract.ts';
import { createSqliteReplayGuard, type KeyDirectory } from '../platform/signing/index.ts';
import { PEER_CALL_TIMEOUT_MS_DEFAULT, createSqliteEnvelopeArchive, mountEnvelopeRoute, peerClientFor, type FetchFunction, type PeerClient, type SigningIdentity } from '../protocol/index.ts';
import { PAYMENT_DEADLINE_MS_DEFAULT, type NetworkContext } from './context.ts';
import { createKeyedLock } from '../platform/keyed-lock.ts';
import { createParticipantRegistry } from './participants.ts';
import { NETWORK_ROUTE_DOCS, mountNetworkRoutes } from './routes.ts';
import { createNetworkService, type NetworkService } from './service.ts';
import { openNetworkStore } from './store.ts';
import { createCycleSchedule, type CycleScheduleConfig } from './clearing/cycles.ts';
import { CLEARING_ROUTE_DOCS, mountClearingRoutes } from './clearing/routes.ts';
import { createClearingService, type ClearingService } from './clearing/service.ts';
import { openClearingStore } from './clearing/store.ts';

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

/** The network's file names in `dataDir`. */
export const NETWORK_DB_FILE = 'network.db';
export const NETWORK_LEDGER_FILE = 'ledger.db';

export interface NetworkOptions {
  readonly dataDir: string;
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
  /** Envelopes and group commit (`batched`, the default) or the naive baseline (ADR 10). */
  readonly batching?: Batching;
  /** The clearing cut-offs (default daily at 23:00 Asia/Seoul). */
  readonly clearing?: CycleScheduleConfig;
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
  const database = openInstitutionDatabase(join(options.dataDir, NETWORK_DB_FILE), options.batching ?? BATCHING_DEFAULT);
  const rawStore = openNetworkStore(database.db);
  const store = database.committed(rawStore);
  const replayGuard = database.committed(createSqliteReplayGuard(database.db));
  // The ledger's timestamps follow the network's clock: clearing cycles are read off them.
  const ledger = await createLedger({
    store: openSqliteLedgerStore(join(options.dataDir, NETWORK_LEDGER_FILE)),
    clock: () => BigInt(now().getTime()) * 1_000_000n,
    ...database.ledgerBatching,
  });
  const schedule = createCycleSchedule(options.clearing ?? {});
  if (!schedule.ok) throw new Error(`network clearing schedule: ${schedule.error.message}`);
  const participants = await createParticipantRegistry({ store, ledger, selfId: options.identity.clientId, now });
  const peerTimeoutMs = options.peerTimeoutMs ?? PEER_CALL_TIMEOUT_MS_DEFAULT;
  const paymentDeadlineMs = options.paymentDeadlineMs ?? PAYMENT_DEADLINE_MS_DEFAULT;
  if (!(paymentDeadlineMs > 0 && peerTimeoutMs > 0)) throw new Error('assertion failed: positive paymentDeadlineMs and peerTimeoutMs');

  const clients = new Map<string, PeerClient>();
  const peer = (participantId: string): PeerClient => {
    let client = clients.get(participantId);
    if (!client) {
      client = peerClientFor(database.batching, {
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
    // Clearing reads rows that were durable before their ledger transfers existed (a payment is
    // recorded, then paid), and reads them by the thousand: straight from the connection, not
    // one group commit per read.
    store: rawStore,
    clearingStore: database.committed(openClearingStore(database.db)),
    participants,
    schedule: schedule.value,
    locks,
    now,
  });
  const service = createNetworkService({ ...ctx, replayGuard });
  const app = new Hono();
  const server = { self: options.identity, keys: participants.keys, replayGuard, now };
  mountNetworkRoutes(app, {
    service,
    keys: { operatorKey: options.operatorKey, ...(options.auditorKey === undefined ? {} : { auditorKey: options.auditorKey }) },
    protocol: server,
  });
  mountClearingRoutes(app, { clearing, keys: { operatorKey: options.operatorKey, ...(options.auditorKey === undefined ? {} : { auditorKey: options.auditorKey }) }, protocol: server });
  mountEnvelopeRoute(app, 'network', { ...server, archive: database.committed(createSqliteEnvelopeArchive(database.db)) });

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
      await database.close();
    },
  };
}
