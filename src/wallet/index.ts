/**
 * The wallet provider (MPP): the tourist's CNY wallet, KYC tiers and limits,
 * top-ups from a simulated card, payment codes, scan-to-pay, and the
 * network's side of every payment. See README.md.
 */
import { Hono, type Context } from 'hono';
import { ledgerHealth, openInstitutionLedger, type LedgerHealth, type VerifyReport } from '../ledger/index.ts';
import { BATCHING_DEFAULT, type Batching } from '../platform/batching.ts';
import { openInstitutionStorage, type InstitutionEngine } from '../platform/db/institution.ts';
import { apiError, bearerToken, keyMatches, MISSING_BEARER, type RouteDoc } from '../platform/http/contract.ts';
import { SIGNATURE_AGE_SECONDS_MAX, type KeyDirectory } from '../platform/signing/index.ts';
import {
  createReconciliationService,
  createSettlementService,
  mountEnvelopeRoute,
  mountReconciliationRoutes,
  mountSettlementRoutes,
  peerClientFor,
  postgresProtocolStores,
  sqliteProtocolStores,
  type FetchFunction,
  type ReconciliationService,
  type SigningIdentity,
} from '../protocol/index.ts';
import { ACCOUNT, openWalletAccounts, TRANSFER_CODE, WALLET_LEDGER } from './accounts.ts';
import { assertIdNumberKey } from './id-number.ts';
import { createKeyedLock } from '../platform/keyed-lock.ts';
import { payerPseudonyms } from './payer-pseudonym.ts';
import { assertCodePrefix } from './payment-code.ts';
import { createPaymentService, type PaymentService } from './payments.ts';
import { walletLedgerReader } from './reconciliation.ts';
import { mountProtocolRoutes, mountPublicRoutes, WALLET_ROUTE_DOCS } from './routes.ts';
import { createAccountService, type AccountService } from './service.ts';
import { createSqliteWalletStore } from './store.ts';
import { cashierCsrfKey, createCashier } from './cashier.ts';
import { CASHIER_ROUTE_DOCS, mountCashierRoutes } from './cashier-routes.ts';
import { createSqliteCashierStore } from './cashier-store.ts';
import { createPostgresCashierStore } from './cashier-store-postgres.ts';
import { createPostgresWalletStore } from './store-postgres.ts';

/**
 * Where the wallet keeps its tables, its replay guard, its envelope archive
 * and its ledger: SQLite files in `dataDir` (the default, no server needed),
 * or one PostgreSQL database, the production engine (ADR 3).
 */
export type WalletDatabase = InstitutionEngine;

export interface WalletOptions {
  /** On SQLite, holds `wallet.db` (the wallet's tables and the replay guard) and `ledger.db`; unused on PostgreSQL. */
  readonly dataDir: string;
  /** SQLite in `dataDir` unless told otherwise. */
  readonly database?: WalletDatabase;
  readonly identity: SigningIdentity;
  /** Public keys of the peers; must hold the network's. */
  readonly keys: KeyDirectory;
  readonly network: { readonly peerId: string; readonly baseUrl: string | (() => string) };
  /** The 4 digits every payment code of this wallet starts with (the network routes by them). */
  readonly codePrefix: string;
  /** The wallet operator's bearer key (reconciliation). */
  readonly operatorKey: string;
  /** At least 32 bytes: the key of the per-merchant payer pseudonyms. */
  readonly pseudonymSecret: Buffer;
  /** 32 bytes: the AES-256-GCM key of id numbers at rest. */
  readonly idNumberKey: Buffer;
  readonly fetch?: FetchFunction;
  readonly now?: () => Date;
  readonly peerTimeoutMs?: number;
  /**
   * Envelopes and group commit (`batched`, the default) or the naive baseline
   * (ADR 10). On PostgreSQL the wallet's own tables commit each call on its
   * own (a pool gives the concurrency); the envelopes and the ledger batch.
   */
  readonly batching?: Batching;
}

export type WalletService = AccountService & PaymentService;

export interface WalletInstance {
  /** The wallet's routes with full paths; mount with `root.route('/', wallet.app)`. */
  readonly app: Hono;
  readonly routeDocs: readonly RouteDoc[];
  readonly service: WalletService;
  /** The operator's reconciliation of clearing cycles against the wallet's ledger. */
  readonly reconciliation: ReconciliationService;
  /** One recovery pass: unfunded signups, top-ups, payments and refunds left PROCESSING; old replay entries. Idempotent. */
  resolveOpen(): Promise<void>;
  verifyLedger(): Promise<VerifyReport>;
  /** A cheap read of the ledger, for health checks: a full verify is for operators and tests. */
  ledgerStatus(): Promise<LedgerHealth>;
  close(): Promise<void>;
}

export async function createWallet(options: WalletOptions): Promise<WalletInstance> {
  assertCodePrefix(options.codePrefix);
  assertIdNumberKey(options.idNumberKey);
  const pseudonym = payerPseudonyms(options.pseudonymSecret);
  const now = options.now ?? (() => new Date());
  const batching = options.batching ?? BATCHING_DEFAULT;
  const database = options.database ?? { engine: 'sqlite' };
  const storage = await openInstitutionStorage({
    database,
    dataDir: options.dataDir,
    fileName: 'wallet.db',
    batching,
    sqlite: (d) => ({ store: d.committed(createSqliteWalletStore(d.db)), cashier: d.committed(createSqliteCashierStore(d.db)), ...sqliteProtocolStores(d) }),
    postgres: async (pool) => ({ store: await createPostgresWalletStore(pool), cashier: await createPostgresCashierStore(pool), ...(await postgresProtocolStores(pool)) }),
  });
  const { store, replayGuard } = storage.tables;
  const ledger = await openInstitutionLedger({ database, dataDir: options.dataDir, ledgerBatching: storage.ledgerBatching, now, setUp: openWalletAccounts, onFailure: () => storage.close() });

  const network = peerClientFor(batching, {
    self: options.identity,
    peerId: options.network.peerId,
    baseUrl: options.network.baseUrl,
    keys: options.keys,
    now,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.peerTimeoutMs === undefined ? {} : { timeoutMs: options.peerTimeoutMs }),
  });
  const deps = { store, ledger, lock: createKeyedLock(), now, codePrefix: options.codePrefix, idNumberKey: Buffer.from(options.idNumberKey) };
  const accounts = createAccountService(deps);
  const payments = createPaymentService({ ...deps, pseudonym, network });

  const app = new Hono();
  mountPublicRoutes(app, { accounts, payments });
  // The hosted cashier of online checkout (ADR 13): pays an acquirer's signed ticket through scan-to-pay.
  const cashier = createCashier({ store, cashier: storage.tables.cashier, network, keys: options.keys, now, csrfKey: cashierCsrfKey(options.pseudonymSecret), payByScan: payments.payByScan });
  mountCashierRoutes(app, { cashier, accounts, now });
  const server = { self: options.identity, keys: options.keys, replayGuard, now };
  mountProtocolRoutes(app, { server, networkId: options.network.peerId, payments });
  mountEnvelopeRoute(app, 'wallet', { ...server, archive: storage.tables.archive });
  const reconciliation = createReconciliationService({ network, participantId: options.identity.clientId, reader: walletLedgerReader(ledger), store: storage.tables.reconciliations, now });
  const settlement = createSettlementService({
    network,
    participantId: options.identity.clientId,
    ledger,
    ledgerCode: WALLET_LEDGER,
    accounts: { network: ACCOUNT.network, bank: ACCOUNT.bankSettlement },
    transferCode: TRANSFER_CODE.settlement,
  });
  const operator = async (c: Context): Promise<Response | null> => {
    const token = bearerToken(c);
    if (token === undefined) return apiError(c, MISSING_BEARER);
    return keyMatches(token, options.operatorKey) ? null : apiError(c, { status: 401, code: 'UNAUTHENTICATED', message: "not the wallet operator's key" });
  };
  mountReconciliationRoutes(app, { prefix: '/wallet/v1', reconciliation, operator });
  mountSettlementRoutes(app, { prefix: '/wallet/v1', settlement, operator });

  return {
    app,
    routeDocs: [...WALLET_ROUTE_DOCS, ...CASHIER_ROUTE_DOCS],
    service: { ...accounts, ...payments },
    reconciliation,
    async resolveOpen() {
      await accounts.resolveOpenAccounts();
      await payments.resolveOpenPayments();
      // Signatures older than the age limit are refused as stale anyway; forget them.
      await replayGuard.prune(new Date(now().getTime() - SIGNATURE_AGE_SECONDS_MAX * 1000));
    },
    verifyLedger: () => ledger.verify(),
    ledgerStatus: () => ledgerHealth(ledger),
    async close() {
      await ledger.close();
      await storage.close();
    },
  };
}

export { SIMULATED_CARD_CREDIT_CNY_MINOR, PAYMENT_CODE_TTL_SECONDS, PAGE_ITEMS_MAX, KYC_TIERS } from './limits.ts';
export { WALLET_ROUTE_DOCS } from './routes.ts';
export type { KycTier, User, UserId } from './types.ts';
export type { WalletStore } from './store.ts';
export type { WalletError } from './errors.ts';
export type { SignupAnswer, TopupAnswer, ScanAnswer, AccountService } from './service.ts';
export type { MpmAnswer, PaymentService } from './payments.ts';
