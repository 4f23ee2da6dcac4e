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
  ENVELOPE_ARCHIVE_SQLITE_SQL,
  createBatchingPeerClient,
  createSqliteEnvelopeArchive,
  mountEnvelopeRoute,
  peerClientFor,
  receiverOf,
  type EnvelopeArchive,
  type EnvelopeReceiver,
} from './envelope.ts';
export { createSignedPoster, type SignedPostOutcome } from './signed-http.ts';
export { PAY_AMOUNT_ROUNDING, payAmountFor } from './fx.ts';
