/**
 * Expected failures of verifying a signed inter-institution message, as values
 * (STYLE 9): a tagged union on a stable `code`, each with a human `message`.
 * The message names what is wrong but never echoes a secret or the expected
 * signature; the header values it quotes are the sender's own.
 */

/** Every error code, so that a mapping (to HTTP, to logs) can be checked for completeness. */
export const SIGNATURE_ERROR_CODES = [
  'MISSING_HEADER',
  'BAD_SIGNATURE_HEADER',
  'UNKNOWN_CLIENT',
  'UNKNOWN_KEY_VERSION',
  'BAD_REQUEST_TIME',
  'STALE_REQUEST',
  'INVALID_SIGNATURE',
  'REPLAYED_REQUEST',
] as const;

export type SignatureErrorCode = (typeof SIGNATURE_ERROR_CODES)[number];

/** The three headers a signed message carries, spelled as on the wire. */
export type SignedHeaderName = 'Client-Id' | 'Request-Time' | 'Signature';

export type SignatureError =
  | {
      readonly code: 'MISSING_HEADER';
      readonly header: SignedHeaderName;
      /** How many values the header had: 0 (absent or empty) or more than 1 (repeated). */
      readonly valueCount: number;
      readonly message: string;
    }
  | { readonly code: 'BAD_SIGNATURE_HEADER'; readonly message: string }
  | { readonly code: 'UNKNOWN_CLIENT'; readonly message: string }
  | { readonly code: 'UNKNOWN_KEY_VERSION'; readonly keyVersion: number; readonly message: string }
  | { readonly code: 'BAD_REQUEST_TIME'; readonly message: string }
  | {
      readonly code: 'STALE_REQUEST';
      /** Seconds from Request-Time to `now`; negative when the request claims to come from the future. */
      readonly ageSeconds: number;
      readonly message: string;
    }
  | { readonly code: 'INVALID_SIGNATURE'; readonly message: string };

/** `verifyAndRecordMessage` adds the replay refusal to what `verifyMessage` can say. */
export type ReplayCheckedError =
  | SignatureError
  | { readonly code: 'REPLAYED_REQUEST'; readonly message: string };
