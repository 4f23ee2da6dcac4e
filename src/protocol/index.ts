/**
 * The protocol between institutions: the messages (Alipay+ shape), their
 * result codes, and signed HTTP to carry them. A library: institutions share
 * it instead of importing one another. See README.md.
 */
export * from './messages.ts';
export { RESULT_CODES, RESULT_CODE_NAMES, result, type ProtocolResult, type ResultCode, type ResultStatus } from './results.ts';
export {
  PEER_CALL_TIMEOUT_MS_DEFAULT,
  PEER_RESPONSE_BYTES_MAX,
  createPeerClient,
  mountProtocolRoute,
  type FetchFunction,
  type PeerCallOutcome,
  type PeerClient,
  type PeerClientOptions,
  type ProtocolServerOptions,
  type SigningIdentity,
  type VerifiedSender,
} from './signed-http.ts';
export { endpointsOfRequest, faultyFetch, type FaultPlanCall, type FaultyFetch, type NetworkFault } from './faults.ts';
export {
  ENVELOPE_BODY_BYTES_MAX,
  ENVELOPE_MESSAGES_MAX,
  ENVELOPES_IN_FLIGHT_MAX,
  ENVELOPE_PATHS,
  ENVELOPE_ARCHIVE_POSTGRES_SQL,
  ENVELOPE_ARCHIVE_SQLITE_SQL,
  createBatchingPeerClient,
  createPostgresEnvelopeArchive,
  createSqliteEnvelopeArchive,
  mountEnvelopeRoute,
  peerClientFor,
  receiverOf,
  type EnvelopeArchive,
  type EnvelopeReceiver,
} from './envelope.ts';
export { createSignedPoster, type SignedPostOutcome } from './signed-http.ts';
export { PAY_AMOUNT_ROUNDING, payAmountFor } from './fx.ts';
export {
  CLEARING_DIRECTIONS,
  CLEARING_FILE_BYTES_MAX,
  CLEARING_FILE_DETAIL_COLUMNS,
  CLEARING_FILE_FIELD_CHARS_MAX,
  CLEARING_FILE_FORMAT,
  CLEARING_FILE_HEADER_COLUMNS,
  CLEARING_FILE_LINE_CHARS_MAX,
  CLEARING_FILE_LINES_MAX,
  CLEARING_FILE_MEDIA_TYPE,
  CLEARING_FILE_TOTAL_COLUMNS,
  CLEARING_FILE_TRAILER_COLUMNS,
  CLEARING_FILE_VERSION,
  CLEARING_TRANSACTION_TYPES,
  clearingFileChecksum,
  compareClearingRecords,
  createClearingFileWriter,
  parseClearingFile,
  writeClearingFile,
  type ClearingDirection,
  type ClearingFile,
  type ClearingFileError,
  type ClearingFileErrorKind,
  type ClearingFileHeader,
  type ClearingFileLimits,
  type ClearingFileSummary,
  type ClearingFileTotal,
  type ClearingFxRate,
  type ClearingRecord,
  type ClearingTransactionType,
  type ClearingFileWriter,
} from './clearing-file.ts';
export {
  RECONCILIATION_ENTRIES_MAX,
  RECONCILIATION_FINDING_KINDS,
  clearingFileEntries,
  reconcile,
  type ReconciliationEntry,
  type ReconciliationError,
  type ReconciliationFinding,
  type ReconciliationFindingKind,
  type ReconciliationMatch,
  type ReconciliationReport,
  type ReconciliationSide,
} from './reconcile.ts';
export {
  CLEARING_FILE_PAGES_MAX,
  OWN_LEDGER_PAGE_TRANSFERS,
  SETTLEMENT_TRANSFER_PREFIX,
  createReconciliationService,
  fetchClearingFile,
  ownLedgerReader,
  reconcileCycle,
  type CycleReconciliation,
  type CycleReconciliationError,
  type ExplainedTransfer,
  type FetchedClearingFile,
  type LedgerTransferView,
  type OwnEntries,
  type OwnLedgerEntry,
  type OwnLedgerReader,
  type ReadableLedger,
  type ReconciliationService,
  type TimingDifference,
  type UnexplainedEntry,
} from './reconcile-cycle.ts';
export {
  RECONCILIATION_RUNS_PAGE_MAX,
  createPostgresReconciliationStore,
  createSqliteReconciliationStore,
  type ReconciliationStore,
  type ReconciliationSummary,
  type StoredReconciliation,
} from './reconciliation-store.ts';
export {
  RECONCILIATION_ITEMS_SHOWN_MAX,
  mountReconciliationRoutes,
  reconciliationErrorToApi,
  reconciliationJson,
  reconciliationRouteDocs,
  type ReconciliationJson,
} from './reconciliation-routes.ts';
export {
  SETTLEMENT_BANK_REFERENCE_PATTERN,
  clearingFileNet,
  createSettlementService,
  mountSettlementRoutes,
  settlementJson,
  settlementRouteDocs,
  type BookingLedger,
  type CycleSettlement,
  type SettlementError,
  type SettlementService,
} from './cycle-settlement.ts';
export { postgresProtocolStores, sqliteProtocolStores, type ProtocolStores } from './institution-stores.ts';
export {
  CATALOGUE_FEED_BYTES_MAX,
  CATALOGUE_FEED_CURSOR_PATTERN,
  CATALOGUE_FEED_ITEMS_MAX,
  CATALOGUE_FEED_PATH,
  catalogueFeedPageSchema,
  catalogueFeedTarget,
  createCatalogueFeedClient,
  feedProductSchema,
  signedGetAnswer,
  type CatalogueFeedClientOptions,
  type CatalogueFeedError,
  type CatalogueFeedPage,
  type FeedProduct,
} from './catalogue-feed.ts';
export { requestTimes } from './signed-http.ts';
