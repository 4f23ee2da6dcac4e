/**
 * Expected failures of reading or writing a merchant QR, as values (STYLE 9):
 * a tagged union on a stable `code`, each with a human `message` that says
 * what is wrong and where (the data object's ID path, such as "62.05", and
 * its position in the payload, in characters from 0). Errors hold no bigint,
 * so they serialise as JSON.
 */
import type { QrField } from './spec.ts';

/** Every error code, so that a mapping (to HTTP, to a wallet screen) can be checked for completeness. */
export const QR_ERROR_CODES = [
  'QR_EMPTY',
  'QR_TOO_LONG',
  'QR_BAD_CHARACTER',
  'QR_BAD_FORMAT_INDICATOR',
  'QR_TRUNCATED',
  'QR_BAD_TAG',
  'QR_BAD_LENGTH',
  'QR_DUPLICATE_TAG',
  'QR_CRC_NOT_LAST',
  'QR_CRC_MISMATCH',
  'QR_MISSING_FIELD',
  'QR_UNEXPECTED_FIELD',
  'QR_VALUE_TOO_LONG',
  'QR_BAD_VALUE',
  'QR_BAD_AMOUNT',
  'QR_UNKNOWN_CURRENCY',
  'QR_BAD_MERCHANT_ACCOUNT',
] as const;

export type QrErrorCode = (typeof QR_ERROR_CODES)[number];

interface Located {
  /** Character offset in the payload, from 0; present when decoding. */
  readonly position?: number;
}

interface FieldLocated extends Located {
  readonly field: QrField;
  /** ID path of the data object: "59", or "62.05" for a sub-field of a template. */
  readonly tag: string;
}

export type QrError =
  | { readonly code: 'QR_EMPTY'; readonly message: string }
  | { readonly code: 'QR_TOO_LONG'; readonly lengthChars: number; readonly lengthCharsMax: number; readonly message: string }
  | { readonly code: 'QR_BAD_CHARACTER'; readonly position: number; readonly codePoint: string; readonly message: string }
  | { readonly code: 'QR_BAD_FORMAT_INDICATOR'; readonly message: string }
  | { readonly code: 'QR_TRUNCATED'; readonly tag?: string; readonly position: number; readonly message: string }
  | { readonly code: 'QR_BAD_TAG'; readonly position: number; readonly message: string }
  | { readonly code: 'QR_BAD_LENGTH'; readonly tag: string; readonly position: number; readonly message: string }
  | { readonly code: 'QR_DUPLICATE_TAG'; readonly tag: string; readonly position?: number; readonly message: string }
  | { readonly code: 'QR_CRC_NOT_LAST'; readonly position: number; readonly message: string }
  | { readonly code: 'QR_CRC_MISMATCH'; readonly expected: string; readonly found: string; readonly message: string }
  | ({ readonly code: 'QR_MISSING_FIELD'; readonly message: string } & FieldLocated)
  | ({ readonly code: 'QR_UNEXPECTED_FIELD'; readonly message: string } & FieldLocated)
  | ({
      readonly code: 'QR_VALUE_TOO_LONG';
      readonly lengthChars: number;
      readonly lengthCharsMax: number;
      readonly message: string;
    } & FieldLocated)
  | ({ readonly code: 'QR_BAD_VALUE'; readonly message: string } & FieldLocated)
  | ({ readonly code: 'QR_BAD_AMOUNT'; readonly message: string } & FieldLocated)
  | ({ readonly code: 'QR_UNKNOWN_CURRENCY'; readonly numericCode: string; readonly message: string } & FieldLocated)
  | ({ readonly code: 'QR_BAD_MERCHANT_ACCOUNT'; readonly tag: string; readonly message: string } & Located);

/**
 * A broken invariant in dari's own code, such as building a data object
 * longer than 99 characters after validation said it was fine. Thrown, never
 * returned, never caught (STYLE 11). Decoding never throws it, whatever the input.
 */
export class QrInvariantError extends Error {
  override readonly name = 'QrInvariantError';
}

/** Input echoed in a message is cut short, so that a message stays one line whatever a QR holds. */
const QUOTED_CHARS_MAX = 32;

/** `text` as a JSON string literal, cut to `QUOTED_CHARS_MAX` characters. */
export function quote(text: string): string {
  const chars = [...text];
  if (chars.length <= QUOTED_CHARS_MAX) return JSON.stringify(text);
  return `${JSON.stringify(chars.slice(0, QUOTED_CHARS_MAX).join(''))}…`;
}

/** "tag 59 (merchantName) at position 57", the "where" of every message. */
export function where(tag: string, position: number | undefined, field?: QrField): string {
  const named = field === undefined ? `tag ${tag}` : `tag ${tag} (${field})`;
  return position === undefined ? named : `${named} at position ${position}`;
}

/** `{ position }` when known, `{}` otherwise: optional properties are absent, never undefined. */
function at(position: number | undefined): Located {
  return position === undefined ? {} : { position };
}

export function emptyPayload(): QrError {
  return { code: 'QR_EMPTY', message: 'the payload is empty: nothing was scanned' };
}

export function tooLong(lengthChars: number, lengthCharsMax: number): QrError {
  const message = `the payload is ${lengthChars} characters long; a merchant QR holds at most ${lengthCharsMax}`;
  return { code: 'QR_TOO_LONG', lengthChars, lengthCharsMax, message };
}

export function badCharacter(position: number, codePoint: number): QrError {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const why = codePoint >= 0xd800 && codePoint <= 0xdfff ? 'a broken surrogate pair' : 'a control character';
  const message = `character ${hex} at position ${position} is ${why}, which no merchant QR contains`;
  return { code: 'QR_BAD_CHARACTER', position, codePoint: hex, message };
}

export function badFormatIndicator(message: string): QrError {
  return { code: 'QR_BAD_FORMAT_INDICATOR', message };
}

export function truncated(position: number, detail: string, tag?: string): QrError {
  const place = tag === undefined ? `at position ${position}` : where(tag, position);
  const message = `the payload ends early ${place}: ${detail}`;
  return tag === undefined ? { code: 'QR_TRUNCATED', position, message } : { code: 'QR_TRUNCATED', tag, position, message };
}

export function badTag(position: number, found: string, parent: string | undefined): QrError {
  const inside = parent === undefined ? '' : ` inside tag ${parent}`;
  const message = `expected a two-digit data object ID at position ${position}${inside}, found ${quote(found)}`;
  return { code: 'QR_BAD_TAG', position, message };
}

export function badLength(tag: string, position: number, detail: string): QrError {
  return { code: 'QR_BAD_LENGTH', tag, position, message: `${where(tag, position)}: ${detail}` };
}

export function duplicateTag(tag: string, position: number | undefined): QrError {
  const message = `${where(tag, position)} appears twice; each ID may appear once`;
  return { code: 'QR_DUPLICATE_TAG', tag, ...at(position), message };
}

export function crcNotLast(position: number): QrError {
  const message = `the CRC (tag 63) at position ${position} is not the last data object; it must close the payload`;
  return { code: 'QR_CRC_NOT_LAST', position, message };
}

export function crcMismatch(expected: string, found: string): QrError {
  const what = `the CRC (tag 63) says ${found} but the payload's checksum is ${expected}`;
  const message = `${what}: the QR is damaged or was altered`;
  return { code: 'QR_CRC_MISMATCH', expected, found, message };
}

export function missingField(field: QrField, tag: string, why?: string): QrError {
  const message = `${where(tag, undefined, field)} is missing${why === undefined ? '' : `: ${why}`}`;
  return { code: 'QR_MISSING_FIELD', field, tag, message };
}

export function unexpectedField(field: QrField, tag: string, position: number | undefined, why: string): QrError {
  const message = `${where(tag, position, field)} must not be present: ${why}`;
  return { code: 'QR_UNEXPECTED_FIELD', field, tag, ...at(position), message };
}

export function valueTooLong(
  field: QrField,
  tag: string,
  position: number | undefined,
  length: { chars: number; charsMax: number },
): QrError {
  const message = `${where(tag, position, field)} is ${length.chars} characters long, at most ${length.charsMax} allowed`;
  return {
    code: 'QR_VALUE_TOO_LONG',
    field,
    tag,
    ...at(position),
    lengthChars: length.chars,
    lengthCharsMax: length.charsMax,
    message,
  };
}

export function badValue(field: QrField, tag: string, position: number | undefined, why: string): QrError {
  return { code: 'QR_BAD_VALUE', field, tag, ...at(position), message: `${where(tag, position, field)} ${why}` };
}

export function badAmount(field: QrField, tag: string, position: number | undefined, why: string): QrError {
  return { code: 'QR_BAD_AMOUNT', field, tag, ...at(position), message: `${where(tag, position, field)}: ${why}` };
}

export function unknownCurrency(numericCode: string, tag: string, position: number | undefined): QrError {
  const what = `ISO 4217 currency ${quote(numericCode)} is not one dari handles`;
  const message = `${where(tag, position, 'transactionCurrency')}: ${what}`;
  return { code: 'QR_UNKNOWN_CURRENCY', field: 'transactionCurrency', tag, ...at(position), numericCode, message };
}

export function badMerchantAccount(tag: string, position: number | undefined, why: string): QrError {
  const message = `merchant account information ${where(tag, position)}: ${why}`;
  return { code: 'QR_BAD_MERCHANT_ACCOUNT', tag, ...at(position), message };
}
