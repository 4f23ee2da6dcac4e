/** Signing and verifying inter-institution messages; see README.md. */
export {
  CLIENT_ID_CHARS_MAX,
  CLIENT_ID_PATTERN,
  CLOCK_SKEW_SECONDS_MAX,
  ED25519_SIGNATURE_BYTES,
  KEY_VERSION_MAX,
  REQUEST_TIME_CHARS_MAX,
  SIGNATURE_AGE_SECONDS_MAX,
  SIGNATURE_HEADER_CHARS_MAX,
} from './limits.ts';
export { SIGNATURE_ERROR_CODES } from './errors.ts';
export type { ReplayCheckedError, SignatureError, SignatureErrorCode, SignedHeaderName } from './errors.ts';
export {
  createKeyDirectory,
  exportPrivateKeyBase64,
  exportPrivateKeyPem,
  exportPublicKeyBase64,
  exportPublicKeyPem,
  generateSigningKeyPair,
  importPrivateKey,
  importPublicKey,
} from './keys.ts';
export type { KeyDirectory, KeyDirectoryEntry, KeyImportError, KeyLookup, SigningKeyPair } from './keys.ts';
export {
  SIGNATURE_ALGORITHM,
  contentToBeSigned,
  formatRequestTime,
  parseRequestTime,
  parseSignatureHeader,
  signMessage,
  signatureHash,
  verifyAndRecordMessage,
  verifyMessage,
} from './message.ts';
export type {
  HeaderSource,
  MessageBody,
  SignMessageInput,
  SignedHeaders,
  VerifiedMessage,
  VerifyMessageInput,
} from './message.ts';
export {
  REPLAY_GUARD_POSTGRES_SQL,
  REPLAY_GUARD_SQLITE_SQL,
  createPostgresReplayGuard,
  createSqliteReplayGuard,
} from './replay.ts';
export type { ReplayGuard } from './replay.ts';
