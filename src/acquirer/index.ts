/**
 * The acquirer (ACQP): signs up Korean merchants, runs their POS payments and
 * refunds through the network, and owes them KRW in its ledger. See README.md.
 */
import { Hono } from 'hono';
import { ledgerHealth, openInstitutionLedger, type LedgerHealth, type VerifyReport } from '../ledger/index.ts';
import { BATCHING_DEFAULT, type Batching } from '../platform/batching.ts';
import { openInstitutionStorage, type InstitutionEngine } from '../platform/db/institution.ts';
import type { RouteDoc } from '../platform/http/contract.ts';
import type { KeyDirectory } from '../platform/signing/index.ts';
import {
  createReconciliationService,
  createSettlementService,
  mountEnvelopeRoute,
  peerClientFor,
  PEER_CALL_TIMEOUT_MS_DEFAULT,
  postgresProtocolStores,
  sqliteProtocolStores,
  type FetchFunction,
  type ReconciliationService,
  type SigningIdentity,
} from '../protocol/index.ts';
import { acquirerLedgerReader } from './reconciliation.ts';
import { createCheckoutService, type CheckoutService } from './checkout-service.ts';
import { CHECKOUT_ROUTE_DOCS, mountCheckoutRoutes } from './checkout-routes.ts';
import { createSqliteCheckoutStore } from './checkout-store.ts';
import { createPostgresCheckoutStore } from './checkout-store-postgres.ts';
import { createPaymentEvents, type PaymentEvents } from './events.ts';
import { BANK_SETTLEMENT_ACCOUNT_ID, ensureAccounts, LEDGER_CURRENCY, NETWORK_ACCOUNT_ID, TRANSFER_CODE } from './money-moves.ts';
import { createPaymentFlow, PAYMENT_DEADLINE_MS_DEFAULT } from './payment-flow.ts';
import { createPayoutService, type PayoutService } from './payout-service.ts';
import { createSqlitePayoutStore } from './payout-store.ts';
import { createPostgresPayoutStore } from './payout-store-postgres.ts';
import { createProtocolHandlers, type ProtocolHandlers } from './protocol-handlers.ts';
import { ACQUIRER_ROUTE_DOCS, mountAcquirerRoutes } from './routes.ts';
import { createAcquirerService, type AcquirerService } from './service.ts';
import { createSqliteAcquirerStore } from './store.ts';
import { createPostgresAcquirerStore } from './store-postgres.ts';
import { REPORT_ROUTE_DOCS, mountReportRoutes } from './reports-routes.ts';
import { createReportsService } from './reports-service.ts';
import { createSqliteReportsStore } from './reports-store.ts';
import { createPostgresReportsStore } from './reports-store-postgres.ts';

export { parseBusinessRegistrationNumber, formatBusinessRegistrationNumber, businessRegistrationCheckDigit, type BusinessRegistrationNumber } from '../platform/business-registration-number.ts';
export { PAYMENT_AMOUNT_MAX_KRW, type AcquirerService, type OrderStatus } from './service.ts';
export { ORDER_TTL_SECONDS_DEFAULT, ORDER_TTL_SECONDS_MAX } from './contract.ts';
export { PAYMENT_DEADLINE_MS_DEFAULT } from './payment-flow.ts';
export { PAYMENT_REFUSALS } from './errors.ts';
export { ONBOARDING_TRANSITIONS, PAYMENT_TRANSITIONS, PAYOUT_TRANSITIONS, REFUND_TRANSITIONS } from './state-machines.ts';
export { BANK_SETTLEMENT_ACCOUNT_ID, MDR_FEES_ACCOUNT_ID, NETWORK_ACCOUNT_ID, PAYOUTS_IN_FLIGHT_ACCOUNT_ID, merchantAccountId } from './money-moves.ts';
export { MDR_BPS_DEFAULT, MDR_BPS_MAX, MDR_BPS_MIN, MDR_ROUNDING, mdrFeeKrw, planPayout } from './payout-plan.ts';
export { PAYOUT_AUTO_ATTEMPTS_MAX, type PayoutService, type PayoutDetail, type PayoutRunDetail } from './payout-service.ts';
export { PAYOUT_ATTEMPTS_MAX, PAYOUTS_PAGE_MAX } from './contract.ts';
export { PAYOUT_FILE_DETAIL_COLUMNS, PAYOUT_FILE_FORMAT, PAYOUT_FILE_MEDIA_TYPE, PAYOUT_FILE_VERSION } from './payout-file.ts';
export { BUSINESS_DAY_TIME_ZONE, businessDayOf, businessDayEnd, businessDayStart, nextBusinessDay, parseBusinessDay, type BusinessDay } from './business-day.ts';
export type * from './types.ts';
export { CHECKOUT_SESSION_TTL_SECONDS_DEFAULT, CHECKOUT_SESSION_TTL_SECONDS_MAX, CHECKOUT_SESSION_TTL_SECONDS_MIN } from './checkout-contract.ts';
export { CHECKOUT_EXPIRY_GRACE_MS, type CheckoutService } from './checkout-service.ts';
export { WEBHOOK_ATTEMPTS_MAX, WEBHOOK_RETRY_BASE_MS, WEBHOOK_RETRY_DELAY_MS_MAX, WEBHOOK_TIMEOUT_MS, webhookRetryDelayMs } from './checkout-webhooks.ts';
export type { CheckoutSessionId, WebhookDelivery, WebhookEvent, WebhookState } from './checkout-store.ts';
export { DAY_PAYMENTS_PER_PAGE_MAX, TERMINALS_PER_PAGE_MAX } from './reports-contract.ts';

/**
 * Where the acquirer keeps its tables, its replay guard, its envelope
 * archive, its reconciliation runs and its ledger: SQLite files in `dataDir`
 * (the default, no server needed), or one PostgreSQL database, the production
 * engine (ADR 3).
 */
export type AcquirerDatabase = InstitutionEngine;

export interface AcquirerOptions {
  /** On SQLite, holds `acquirer.db` (own tables, replay guard, envelope archive, reconciliation runs) and `ledger.db`; unused on PostgreSQL. */
  readonly dataDir: string;
  /** SQLite in `dataDir` unless told otherwise. */
  readonly database?: AcquirerDatabase;
  readonly identity: SigningIdentity;
  /** Public keys of the peers; must hold the network's. */
  readonly keys: KeyDirectory;
  readonly network: { readonly peerId: string; readonly baseUrl: string | (() => string) };
  /** Prefix of merchant, store and terminal ids: `KR01` gives `KR01M000001`. */
  readonly merchantIdPrefix: string;
  /** The operator's bearer key. */
  readonly operatorKey: string;
  readonly fetch?: FetchFunction;
  readonly now?: () => Date;
  readonly peerTimeoutMs?: number;
  /** How long a payment may stay unknown before the acquirer cancels it; default PAYMENT_DEADLINE_MS_DEFAULT (15 s). */
  readonly paymentDeadlineMs?: number;
  /**
   * Envelopes and group commit (`batched`, the default) or the naive baseline
   * (ADR 10). On PostgreSQL the acquirer's own tables commit each call on its
   * own (a pool gives the concurrency); the envelopes and the ledger batch.
   */
  readonly batching?: Batching;
  /**
   * Online checkout (ADR 13): the wallet provider's hosted cashier page that
   * session links point to, and how webhooks reach shops (the global fetch by
   * default). Without it, creating a session is 503 CHECKOUT_NOT_AVAILABLE.
   */
  readonly checkout?: { readonly cashierUrl: string | (() => string); readonly webhookFetch?: FetchFunction };
}

export interface AcquirerInstance {
  /** Routes with full paths (`/acquirer/v1/…`, `/acquirer/network/v1/…`); mount with `root.route('/', app)`. */
  readonly app: Hono;
  readonly routeDocs: readonly RouteDoc[];
  readonly service: AcquirerService;
  /** Merchant payouts (T+1): runs, the bank's file, the bank's word. */
  readonly payouts: PayoutService;
  /** The operator's reconciliation of clearing cycles against the acquirer's ledger. */
  readonly reconciliation: ReconciliationService;
  readonly protocol: ProtocolHandlers;
  /** Online checkout: sessions, and the webhooks that tell shops their outcome. */
  readonly checkout: CheckoutService;
  /** One recovery pass over payments and refunds left open, and payout steps left undone; idempotent. */
  resolveOpen(): Promise<void>;
  verifyLedger(): Promise<VerifyReport>;
  /** An account's posted credits − posted debits in the KRW ledger (0 for an unknown account): what a payable or revenue account holds. */
  accountBalanceKrw(accountId: string): Promise<bigint>;
  /** A cheap read of the ledger, for health checks: a full verify is for operators and tests. */
  ledgerStatus(): Promise<LedgerHealth>;
  close(): Promise<void>;
}

/** Merchant-id prefixes: letters and digits, short enough that `<prefix>M000001` fits a QR id (25 characters). */
const PREFIX_PATTERN = /^[A-Z0-9]{1,12}$/;

export async function createAcquirer(options: AcquirerOptions): Promise<AcquirerInstance> {
  if (!PREFIX_PATTERN.test(options.merchantIdPrefix)) throw new Error(`assertion failed: merchantIdPrefix matches ${PREFIX_PATTERN}`);
  const now = options.now ?? (() => new Date());
  const paymentDeadlineMs = options.paymentDeadlineMs ?? PAYMENT_DEADLINE_MS_DEFAULT;
  const batching = options.batching ?? BATCHING_DEFAULT;
  const database = options.database ?? { engine: 'sqlite' };
  const storage = await openInstitutionStorage({
    database,
    dataDir: options.dataDir,
    fileName: 'acquirer.db',
    batching,
    sqlite: (d) => ({ store: d.committed(createSqliteAcquirerStore(d.db)), payoutStore: d.committed(createSqlitePayoutStore(d.db)), checkout: d.committed(createSqliteCheckoutStore(d.db)), reports: d.committed(createSqliteReportsStore(d.db)), ...sqliteProtocolStores(d) }),
    postgres: async (pool) => ({ store: await createPostgresAcquirerStore(pool), payoutStore: await createPostgresPayoutStore(pool), checkout: await createPostgresCheckoutStore(pool), reports: await createPostgresReportsStore(pool), ...(await postgresProtocolStores(pool)) }),
  });
  const { store, replayGuard } = storage.tables;
  const ledger = await openInstitutionLedger({ database, dataDir: options.dataDir, ledgerBatching: storage.ledgerBatching, now, setUp: (l) => ensureAccounts(l, []), onFailure: () => storage.close() });
  const network = peerClientFor(batching, {
    self: options.identity,
    peerId: options.network.peerId,
    baseUrl: options.network.baseUrl,
    keys: options.keys,
    timeoutMs: options.peerTimeoutMs ?? PEER_CALL_TIMEOUT_MS_DEFAULT,
    now,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const cashierUrl = options.checkout?.cashierUrl;
  const checkout = createCheckoutService({
    store,
    checkout: storage.tables.checkout,
    identity: options.identity,
    cashierUrl: cashierUrl === undefined ? null : typeof cashierUrl === 'string' ? () => cashierUrl : cashierUrl,
    now,
    fetch: options.checkout?.webhookFetch ?? ((url, init) => fetch(url, init)),
  });
  const paymentEvents = createPaymentEvents();
  // Every status change also reaches the checkout, which tells the session's shop (the webhooks are queued in the database; a missed call is caught by the sweep).
  const events: PaymentEvents = {
    publish(payment) {
      paymentEvents.publish(payment);
      checkout.onPayment(payment);
    },
    subscribe: (paymentId, listener) => paymentEvents.subscribe(paymentId, listener),
  };
  const flow = createPaymentFlow({
    store,
    ledger,
    network,
    events,
    now,
    peerTimeoutMs: options.peerTimeoutMs ?? PEER_CALL_TIMEOUT_MS_DEFAULT,
  });
  const service = createAcquirerService({ store, ledger, flow, idPrefix: options.merchantIdPrefix, operatorKey: options.operatorKey, now, paymentDeadlineMs });
  const payouts = createPayoutService({ store: storage.tables.payoutStore, ledger, now });
  const handlers = createProtocolHandlers({ store, flow, networkId: options.network.peerId, now, paymentDeadlineMs });
  const reconciliation = createReconciliationService({
    network,
    participantId: options.identity.clientId,
    reader: acquirerLedgerReader(ledger, store),
    store: storage.tables.reconciliations,
    now,
  });
  const app = new Hono();
  const server = { self: options.identity, keys: options.keys, replayGuard, now };
  const settlement = createSettlementService({
    network,
    participantId: options.identity.clientId,
    ledger,
    ledgerCode: LEDGER_CURRENCY,
    accounts: { network: NETWORK_ACCOUNT_ID, bank: BANK_SETTLEMENT_ACCOUNT_ID },
    transferCode: TRANSFER_CODE.settlement,
  });
  mountAcquirerRoutes(app, { service, payouts, handlers, events, protocol: server, reconciliation, settlement });
  mountCheckoutRoutes(app, { service, checkout });
  mountReportRoutes(app, { service, reports: createReportsService({ store, reports: storage.tables.reports, now }) });
  mountEnvelopeRoute(app, 'acquirer', { ...server, archive: storage.tables.archive });
  return {
    app,
    routeDocs: [...ACQUIRER_ROUTE_DOCS, ...CHECKOUT_ROUTE_DOCS, ...REPORT_ROUTE_DOCS],
    service,
    payouts,
    reconciliation,
    protocol: handlers,
    checkout,
    async resolveOpen() {
      await flow.resolveOpen();
      await payouts.advanceOpen();
      await checkout.resolveOpen();
    },
    verifyLedger: () => ledger.verify(),
    async accountBalanceKrw(accountId) {
      const balance = await ledger.getAccountBalance(accountId);
      return balance === null ? 0n : balance.creditsPosted - balance.debitsPosted;
    },
    ledgerStatus: () => ledgerHealth(ledger),
    async close() {
      await checkout.settled();
      await ledger.close();
      await storage.close();
    },
  };
}

