/**
 * Checks and conversions of single values, shared by the encoder and the
 * decoder so that dari accepts exactly what it writes: text formats and
 * lengths, amounts (ID 54, ID 56) and the convenience fee percentage (ID 57).
 */
import {
  currencyExponent,
  formatDecimal,
  parseDecimal,
  type Amount,
  type Currency,
  type MoneyError,
} from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { badAmount, badValue, quote, valueTooLong, type QrError } from './errors.ts';
import { AMOUNT_CHARS_MAX, DATA_OBJECT_HEADER_CHARS, type QrField, type TextRule } from './spec.ts';
import { charLength } from './tlv.ts';

/** Where a value sits: its ID path and, when decoding, the position of its data object. */
export interface ValueLocation {
  readonly field: QrField;
  readonly tag: string;
  readonly position?: number;
}

/** Basis points in one percent: "3.5" percent is 350 bps. */
const BPS_PER_PERCENT = 100;

/** Convenience fee percentage range of ID 57: "00.01" to "99.99". */
const FEE_BPS_MIN = 1;
const FEE_BPS_MAX = 9_999;

/** Digits with at most one '.' as the decimal mark, which "may be present even if there are no decimals" ("98."). */
const EMV_DECIMAL_PATTERN = /^([0-9]+)(?:\.([0-9]*))?$/;

/**
 * Unicode characters refused even in "S" values, which a payer reads: bidi
 * marks and overrides (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069)
 * can make "Shop A" display as another name. Control characters and broken
 * surrogates are refused everywhere, by `firstBadCharacter`.
 */
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** Printable ASCII, 0x20–0x7E: the EMV Common Character Set of format "ans". */
const ANS_PATTERN = /^[\x20-\x7E]*$/;

/**
 * Index (in characters) and code point of the first control character
 * (C0, DEL, C1) or lone surrogate in `text`, or undefined. None belongs in a QR.
 */
export function firstBadCharacter(text: string): { index: number; codePoint: number } | undefined {
  let index = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    const control = codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);
    const loneSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    if (control || loneSurrogate) return { index, codePoint };
    index += 1;
  }
  return undefined;
}

/** Position in the payload of character `index` of a data object's value. */
function valuePosition(location: ValueLocation, index: number): number | undefined {
  return location.position === undefined ? undefined : location.position + DATA_OBJECT_HEADER_CHARS + index;
}

/** Checks a value's length and character format against its rule; undefined when it passes. */
export function checkText(rule: TextRule, value: string, position?: number): QrError | undefined {
  const location: ValueLocation = position === undefined ? rule : { ...rule, position };
  const { field, tag } = rule;
  const length = charLength(value);
  if (rule.lengthCharsMin === rule.lengthCharsMax && length !== rule.lengthCharsMin) {
    return badValue(field, tag, position, `must be exactly ${rule.lengthCharsMin} characters, got ${length}`);
  }
  if (length < rule.lengthCharsMin) return badValue(field, tag, position, 'must not be empty');
  if (length > rule.lengthCharsMax) {
    return valueTooLong(field, tag, position, { chars: length, charsMax: rule.lengthCharsMax });
  }
  return checkFormat(rule, value, location);
}

function checkFormat(rule: TextRule, value: string, location: ValueLocation): QrError | undefined {
  const { field, tag, position } = location;
  const bad = firstBadCharacter(value);
  if (bad !== undefined) {
    const at = valuePosition(location, bad.index);
    return badValue(field, tag, position, `contains a control character${at === undefined ? '' : ` at position ${at}`}`);
  }
  if (rule.format === 'N' && !/^[0-9]+$/.test(value)) return badValue(field, tag, position, `must be digits, got ${quote(value)}`);
  if (rule.format === 'ans' && !ANS_PATTERN.test(value)) {
    const index = Array.from(value).findIndex((char) => !ANS_PATTERN.test(char));
    const at = valuePosition(location, index);
    const why = `contains ${quote(Array.from(value)[index] ?? '')}${at === undefined ? '' : ` at position ${at}`}`;
    return badValue(field, tag, position, `${why}: only printable ASCII (the EMV common character set) is allowed`);
  }
  if (rule.format === 'S' && BIDI_CONTROL.test(value)) {
    return badValue(field, tag, position, 'contains a bidirectional control character, which can disguise a name');
  }
  return undefined;
}

/** Additional Consumer Data Request (ID 62, sub-ID 09): one to three of "A", "M", "E", each at most once. */
export function checkConsumerDataRequest(value: string, location: ValueLocation): QrError | undefined {
  const letters = Array.from(value);
  if (letters.every((letter) => 'AME'.includes(letter)) && new Set(letters).size === letters.length) return undefined;
  const why = `must be letters "A" (address), "M" (mobile) or "E" (email), each at most once, got ${quote(value)}`;
  return badValue(location.field, location.tag, location.position, why);
}

/** What an amount (ID 54, ID 56) of a QR means: a positive count of minor units of the transaction currency. */
export function parseQrAmount(text: string, currency: Currency, location: ValueLocation): Result<Amount, QrError> {
  const { field, tag, position } = location;
  const match = EMV_DECIMAL_PATTERN.exec(text);
  if (match === null) {
    const why = `${quote(text)} is not an amount: digits, with at most one '.' as the decimal mark`;
    return err(badAmount(field, tag, position, why));
  }
  const [, integerDigits = '', fractionDigits = ''] = match;
  // The spec allows "98." and does not forbid leading zeros; money's decimal
  // grammar refuses both, so they are normalised away here, and money's
  // exact conversion does the rest (too many decimals, zero, range).
  const integerPart = integerDigits.replace(/^0+(?=[0-9])/, '');
  const decimal = fractionDigits.length === 0 ? integerPart : `${integerPart}.${fractionDigits}`;
  const parsed = parseDecimal(decimal, currency);
  if (!parsed.ok) return err(badAmount(field, tag, position, amountProblem(parsed.error, text, currency)));
  return parsed;
}

function amountProblem(error: MoneyError, text: string, currency: Currency): string {
  switch (error.kind) {
    case 'too-many-decimals': {
      const exponent = currencyExponent(currency);
      return `${quote(text)} has more decimals than ${currency}'s ${exponent}`;
    }
    case 'zero-not-allowed':
      return 'an amount must not be zero; a QR where the payer enters the amount has no tag 54';
    default:
      return `${quote(text)}: ${error.message}`;
  }
}

/**
 * The text of an amount for ID 54 or ID 56: exactly the currency's decimals,
 * no grouping ("15000" KRW, "12.50" CNY). Refuses a zero or negative amount,
 * an amount in another currency than the QR's, and one longer than 13 characters.
 */
export function formatQrAmount(a: Amount, currency: Currency, location: ValueLocation): Result<string, QrError> {
  const { field, tag } = location;
  if (a.currency !== currency) {
    return err(badAmount(field, tag, undefined, `is in ${a.currency} but the QR's currency is ${currency}`));
  }
  if (a.value <= 0n) return err(badAmount(field, tag, undefined, 'must be more than zero'));
  const text = formatDecimal(a, { grouping: false });
  if (charLength(text) > AMOUNT_CHARS_MAX) {
    return err(badAmount(field, tag, undefined, `${text} ${currency} needs more than ${AMOUNT_CHARS_MAX} characters`));
  }
  return ok(text);
}

/** ID 57, "00.01" to "99.99" percent, as basis points (1–9999), exactly. */
export function parseFeePercentage(text: string, location: ValueLocation): Result<number, QrError> {
  const { field, tag, position } = location;
  const match = EMV_DECIMAL_PATTERN.exec(text);
  const fractionDigits = match?.[2] ?? '';
  if (match === null || fractionDigits.length > 2) {
    return err(badValue(field, tag, position, `${quote(text)} is not a percentage from "0.01" to "99.99"`));
  }
  const bps = Number.parseInt(match[1] ?? '', 10) * BPS_PER_PERCENT + Number.parseInt(fractionDigits.padEnd(2, '0'), 10);
  if (!(bps >= FEE_BPS_MIN && bps <= FEE_BPS_MAX)) {
    return err(badValue(field, tag, position, `${quote(text)} is not a percentage from "0.01" to "99.99"`));
  }
  return ok(bps);
}

/** Basis points as ID 57's text: 350 is "3.50", 300 is "3". Refuses values outside 1–9999 and fractions of a basis point. */
export function formatFeePercentage(feeBps: number, location: ValueLocation): Result<string, QrError> {
  if (!Number.isSafeInteger(feeBps) || feeBps < FEE_BPS_MIN || feeBps > FEE_BPS_MAX) {
    const why = `must be a whole number of basis points from ${FEE_BPS_MIN} to ${FEE_BPS_MAX}, got ${String(feeBps)}`;
    return err(badValue(location.field, location.tag, undefined, why));
  }
  const whole = Math.floor(feeBps / BPS_PER_PERCENT);
  const fraction = feeBps % BPS_PER_PERCENT;
  return ok(fraction === 0 ? `${whole}` : `${whole}.${String(fraction).padStart(2, '0')}`);
}
