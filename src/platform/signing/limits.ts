/**
 * The limits of message signing (STYLE 18), each named with its unit.
 */

/** A request whose Request-Time is older than this, in seconds, is stale: refused, and no longer worth remembering for replay. */
export const SIGNATURE_AGE_SECONDS_MAX = 300;
/** How far, in seconds, a Request-Time may lie in the verifier's future (the two clocks disagree a little). */
export const CLOCK_SKEW_SECONDS_MAX = 60;
/** Longest Client-Id, in characters. */
export const CLIENT_ID_CHARS_MAX = 64;
/**
 * A Client-Id: letters, digits, `_` and `-`. No `.`, so that the first `.` of the
 * signed content ends the client id unambiguously.
 */
export const CLIENT_ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${CLIENT_ID_CHARS_MAX}}$`);
/** Longest Request-Time, in characters: `YYYY-MM-DDTHH:MM:SS.fffffffff+HH:MM` is 35. */
export const REQUEST_TIME_CHARS_MAX = 35;
/** Longest Signature header, in characters; a well-formed one is about 120. */
export const SIGNATURE_HEADER_CHARS_MAX = 256;
/** Highest keyVersion, so that it always fits a 32-bit signed integer column. */
export const KEY_VERSION_MAX = 2_147_483_647;
/** An Ed25519 signature, in bytes (RFC 8032). */
export const ED25519_SIGNATURE_BYTES = 64;
