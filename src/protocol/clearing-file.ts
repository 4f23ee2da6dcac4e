/**
 * The clearing file: what the network tells one participant about one
 * clearing cycle, one line per transaction, so that the participant can
 * reconcile its own ledger against it (reconcile.ts). The network writes it,
 * every institution reads it; hence it lives in the protocol library.
 *
 * Format (CSV, RFC 4180): UTF-8 without a byte-order mark, every line ended by
 * CRLF (the last one too), fields separated by commas; a field containing a
 * comma or a double quote, or starting or ending with a space, is enclosed in
 * double quotes, with each double quote inside doubled. Fields never contain
 * a line break or any other control character, so a record is a line. Four
 * record types, each with its own columns, in this order:
 *
 * ```
 * HEADER,format,version,cycle_id,participant_id,opens_at,closes_at                    (exactly one, first)
 * DETAIL,cycle_id,participant_id,transaction_type,transaction_id,payment_id,request_id,
 *        transaction_time,transaction_currency,transaction_value,settlement_currency,
 *        settlement_value,direction,fx_pair,fx_rate                                  (one per transaction)
 * TOTAL,currency,debit_total,credit_total                                             (one per settlement currency)
 * TRAILER,detail_count,checksum                                                       (exactly one, last)
 * ```
 *
 * - `format` is `DARI-CLEARING`, `version` is `1`.
 * - `cycle_id`: the network's clearing cycle (e.g. `2026-11-25T2300`);
 *   `opens_at`, `closes_at`: its interval [opens_at, closes_at) as
 *   `YYYY-MM-DDTHH:mm:ss.sssZ`. Every DETAIL repeats the header's `cycle_id`
 *   and `participant_id`, so that a line read alone still says what it is.
 * - `transaction_type`: `PAYMENT` (a payment that succeeded), `REFUND` (a
 *   refund that succeeded), `CANCELLATION` (the cancellation of a payment
 *   that had succeeded: the payment's amounts, the other way). A payment
 *   cancelled before it succeeded moved no money at the network and has no
 *   line. A payment and its cancellation in one cycle are two lines that net
 *   to zero: the participant's ledger has both movements too.
 * - `transaction_id`: the network's id (`NP…` for a payment or a
 *   cancellation, `NR…` for a refund); `payment_id`: the payment's network id
 *   (the same for a payment or a cancellation); `request_id`: the
 *   participant's own id of the request (an acquirer's paymentRequestId or
 *   refundRequestId; empty when the participant had none, as a wallet for a
 *   payment the network asked it for).
 * - `transaction_time`: when the transaction completed at the network, within
 *   [opens_at, closes_at): what put it in this cycle.
 * - `transaction_currency`, `transaction_value`: the amount asked for, in the
 *   merchant's currency (KRW), positive.
 * - `settlement_currency`, `settlement_value`: what moved in the
 *   participant's own currency (CNY for a wallet, KRW for an acquirer), zero
 *   or more (a part refund can be 0 fen).
 * - `direction`, from the participant's point of view, as its account at the
 *   network moved: `DEBIT`, the participant owes the network more (a wallet's
 *   payment, an acquirer's refund or cancellation); `CREDIT`, the network owes
 *   the participant more. Values carry no sign.
 * - `fx_pair`, `fx_rate`: the rate locked for the payment, `CNY/KRW` and
 *   `190.25` meaning 1 CNY = 190.25 KRW; both empty when no conversion applied.
 * - `TOTAL`: per settlement currency (in code order), the sums of the
 *   settlement values of the DEBIT and of the CREDIT lines.
 * - `detail_count`: the number of DETAIL lines. `checksum`: SHA-256, in lower
 *   case hex, of the file's UTF-8 bytes from its first byte up to and
 *   including the comma before the checksum.
 *
 * Amounts are integers of minor units as strings of digits (money's wire
 * grammar: no sign, no leading zero, no decimal point), never floats. The
 * writer orders the DETAIL lines by transaction_time, then transaction_id,
 * then transaction_type, so a file is a function of its records: the same
 * cycle written twice gives the same bytes and the same checksum.
 */
import { createHash } from 'node:crypto';
import { amount, parseAmountJson, parseCurrency, parseRate, type Amount, type Currency } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';

export const CLEARING_FILE_FORMAT = 'DARI-CLEARING';
export const CLEARING_FILE_VERSION = '1';
/** For the HTTP answer that carries a file. */
export const CLEARING_FILE_MEDIA_TYPE = 'text/csv; charset=utf-8';

/** Lines in one file, all record types counted: a participant's day at a large acquirer is well under a million transactions. */
export const CLEARING_FILE_LINES_MAX = 1_000_000;
/** Bytes in one file: a million lines of about 200 bytes, with room to spare. */
export const CLEARING_FILE_BYTES_MAX = 256 * 1024 * 1024;
/** Characters in one text field (ids); the network's ids are at most 48. */
export const CLEARING_FILE_FIELD_CHARS_MAX = 128;
/** Characters in one line: 15 fields of 128 characters, each quote doubled, fit. */
export const CLEARING_FILE_LINE_CHARS_MAX = 4_096;

export const CLEARING_FILE_HEADER_COLUMNS = ['record_type', 'format', 'version', 'cycle_id', 'participant_id', 'opens_at', 'closes_at'] as const;
export const CLEARING_FILE_DETAIL_COLUMNS = [
  'record_type',
  'cycle_id',
  'participant_id',
  'transaction_type',
  'transaction_id',
  'payment_id',
  'request_id',
  'transaction_time',
  'transaction_currency',
  'transaction_value',
  'settlement_currency',
  'settlement_value',
  'direction',
  'fx_pair',
  'fx_rate',
] as const;
export const CLEARING_FILE_TOTAL_COLUMNS = ['record_type', 'currency', 'debit_total', 'credit_total'] as const;
export const CLEARING_FILE_TRAILER_COLUMNS = ['record_type', 'detail_count', 'checksum'] as const;

export const CLEARING_TRANSACTION_TYPES = ['PAYMENT', 'REFUND', 'CANCELLATION'] as const;
export type ClearingTransactionType = (typeof CLEARING_TRANSACTION_TYPES)[number];
export const CLEARING_DIRECTIONS = ['DEBIT', 'CREDIT'] as const;
export type ClearingDirection = (typeof CLEARING_DIRECTIONS)[number];

type RecordType = 'HEADER' | 'DETAIL' | 'TOTAL' | 'TRAILER';
type HeaderColumn = (typeof CLEARING_FILE_HEADER_COLUMNS)[number];
type DetailColumn = (typeof CLEARING_FILE_DETAIL_COLUMNS)[number];
type TotalColumn = (typeof CLEARING_FILE_TOTAL_COLUMNS)[number];
type TrailerColumn = (typeof CLEARING_FILE_TRAILER_COLUMNS)[number];
type Column = HeaderColumn | DetailColumn | TotalColumn | TrailerColumn;

/** The rate locked for a payment: 1 `base` = `rate` `quote`, the decimal exactly as published. */
export interface ClearingFxRate {
  readonly base: Currency;
  readonly quote: Currency;
  readonly rate: string;
}

export interface ClearingFileHeader {
  readonly cycleId: string;
  readonly participantId: string;
  readonly opensAt: Date;
  readonly closesAt: Date;
}

/** One DETAIL line (see the file's comment for each field's meaning). */
export interface ClearingRecord {
  readonly transactionType: ClearingTransactionType;
  readonly transactionId: string;
  readonly paymentId: string;
  /** May be empty. */
  readonly requestId: string;
  readonly transactionTime: Date;
  /** Positive. */
  readonly transactionAmount: Amount;
  /** Zero or positive; `direction` says which way. */
  readonly settlementAmount: Amount;
  readonly direction: ClearingDirection;
  readonly fxRate: ClearingFxRate | null;
}

/** One TOTAL line. */
export interface ClearingFileTotal {
  readonly currency: Currency;
  readonly debitTotal: Amount;
  readonly creditTotal: Amount;
}

/** A clearing file, as read. */
export interface ClearingFile {
  readonly header: ClearingFileHeader;
  /** In the order of the file. */
  readonly records: readonly ClearingRecord[];
  /** In the order of the file. */
  readonly totals: readonly ClearingFileTotal[];
  readonly checksum: string;
}

export type ClearingFileErrorKind =
  | 'too-large'
  | 'too-many-lines'
  | 'malformed-csv'
  | 'bad-header'
  | 'unknown-record-type'
  | 'unexpected-record'
  | 'column-count'
  | 'bad-field'
  | 'bad-amount'
  | 'unknown-currency'
  | 'field-mismatch'
  | 'time-outside-cycle'
  | 'totals-mismatch'
  | 'count-mismatch'
  | 'checksum-mismatch'
  | 'missing-trailer'
  | 'lines-after-trailer';

/**
 * Why a file was refused: the first problem met, reading from the top. `line`
 * is 1-based (null for the file as a whole), `field` a column name.
 */
export interface ClearingFileError {
  readonly kind: ClearingFileErrorKind;
  readonly line: number | null;
  readonly field: Column | null;
  readonly message: string;
}

const CRLF = '\r\n';
const TIME_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;
/** The protocol's rate grammar (messages.ts fxQuoteSchema), with money's decimal limit. */
const RATE_PATTERN = /^[0-9]{1,18}(?:\.[0-9]{1,18})?$/;
const FX_PAIR_PATTERN = /^([A-Z]{3})\/([A-Z]{3})$/;
const CHECKSUM_PATTERN = /^[0-9a-f]{64}$/;
const COUNT_PATTERN = /^(?:0|[1-9][0-9]{0,8})$/;
// Control characters would break lines or hide content; lone surrogates do not survive UTF-8.
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f]|\p{Cs}/u;
const NEEDS_QUOTES = /[",]|^ | $/;
/** Printable ASCII within the length limit: the common field, which passes every text check at once. */
const PLAIN_TEXT = new RegExp(`^[\\x20-\\x7e]{1,${CLEARING_FILE_FIELD_CHARS_MAX}}$`);
const QUOTED_INPUT_CHARS_MAX = 32;

function quoteInput(input: string): string {
  return input.length <= QUOTED_INPUT_CHARS_MAX ? JSON.stringify(input) : `${JSON.stringify(input.slice(0, QUOTED_INPUT_CHARS_MAX))}…`;
}

function problem(kind: ClearingFileErrorKind, line: number | null, field: Column | null, what: string): ClearingFileError {
  const where = [line === null ? '' : `line ${line}`, field === null ? '' : `field ${field}`].filter((s) => s !== '').join(', ');
  return { kind, line, field, message: where === '' ? what : `${where}: ${what}` };
}

// ---- fields, shared by the writer (which asserts) and the parser (which refuses) ----

/** What is wrong with a text field, or null. */
function textProblem(value: string, options: { allowEmpty: boolean }): string | null {
  if (typeof value !== 'string') return 'is not text';
  if (PLAIN_TEXT.test(value)) return null;
  if (value.length === 0) return options.allowEmpty ? null : 'is empty';
  if (value.length > CLEARING_FILE_FIELD_CHARS_MAX) return `is longer than ${CLEARING_FILE_FIELD_CHARS_MAX} characters`;
  if (FORBIDDEN_CHARS.test(value)) return 'contains a control character or a lone surrogate';
  return null;
}

function formatTime(time: Date): string {
  return time.toISOString();
}

function parseTime(text: string): Date | null {
  if (!TIME_PATTERN.test(text)) return null;
  const time = new Date(text);
  // "2026-02-30T…" parses to March: only a time that prints back as itself is a time.
  return Number.isNaN(time.getTime()) || time.toISOString() !== text ? null : time;
}

function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}${CRLF}`;
}

/** One line's fields (without its CRLF), RFC 4180; an error says what is malformed. */
function splitCsvLine(raw: string): Result<string[], string> {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (raw[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const quote = raw.indexOf('"', i);
        if (quote === -1) return err('a quoted field is not closed');
        value += raw.slice(i, quote);
        i = quote + 1;
        if (raw[i] !== '"') break;
        value += '"';
        i += 1;
      }
      fields.push(value);
      if (i === raw.length) return ok(fields);
      if (raw[i] !== ',') return err(`field ${fields.length} has text after its closing quote`);
      i += 1;
    } else {
      const comma = raw.indexOf(',', i);
      const value = raw.slice(i, comma === -1 ? raw.length : comma);
      if (value.includes('"')) return err(`field ${fields.length + 1} has a double quote but is not enclosed in double quotes`);
      fields.push(value);
      if (comma === -1) return ok(fields);
      i = comma + 1;
    }
  }
}

// ---- the writer ----

function assertWritable(condition: boolean, what: string): void {
  if (!condition) throw new Error(`assertion failed: clearing file ${what}`);
}

function assertText(value: string, what: string, options: { allowEmpty: boolean } = { allowEmpty: false }): void {
  const wrong = textProblem(value, options);
  if (wrong !== null) assertWritable(false, `${what} ${quoteInput(String(value))} ${wrong}`);
}

/** 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z, in milliseconds since the Unix epoch. */
const TIME_MS_MIN = -62_167_219_200_000;
const TIME_MS_END = 253_402_300_800_000;

/**
 * `toISOString` writes exactly `TIME_PATTERN`, and reads back as itself, for
 * the years 0000 to 9999 and for no other instant: so this range check is
 * `parseTime(formatTime(time)) !== null` without formatting each line's time twice.
 */
function assertTime(time: Date, what: string): void {
  const ms = time instanceof Date ? time.getTime() : Number.NaN;
  assertWritable(ms >= TIME_MS_MIN && ms < TIME_MS_END, `${what} is a valid time`);
}

function recordId(record: ClearingRecord): string {
  return quoteInput(String(record.transactionId));
}

/** Checks a record against the format; `ratesChecked` remembers the rates already found good (a cycle has few). */
function checkRecordForWriting(header: ClearingFileHeader, record: ClearingRecord, ratesChecked: Set<string>): void {
  // Messages are built only on failure: a cycle writes millions of good records.
  if (!CLEARING_TRANSACTION_TYPES.includes(record.transactionType)) assertWritable(false, `${recordId(record)} transaction_type ${String(record.transactionType)}`);
  assertText(record.transactionId, 'transaction_id');
  // A payment's or a cancellation's transaction id is its payment id: checked just above.
  if (record.paymentId !== record.transactionId) assertText(record.paymentId, 'payment_id');
  if (record.requestId !== '') assertText(record.requestId, 'request_id', { allowEmpty: true });
  const t = record.transactionTime instanceof Date ? record.transactionTime.getTime() : Number.NaN;
  if (!(t >= TIME_MS_MIN && t < TIME_MS_END)) assertWritable(false, `${recordId(record)} transaction_time is a valid time`);
  if (!(header.opensAt.getTime() <= t && t < header.closesAt.getTime())) assertWritable(false, `${recordId(record)} transaction_time within [opens_at, closes_at)`);
  if (!(record.transactionAmount.value > 0n)) assertWritable(false, `${recordId(record)} transaction_value is positive`);
  if (!(record.settlementAmount.value >= 0n)) assertWritable(false, `${recordId(record)} settlement_value is not negative`);
  if (!CLEARING_DIRECTIONS.includes(record.direction)) assertWritable(false, `${recordId(record)} direction ${String(record.direction)}`);
  if (record.fxRate !== null) {
    const key = `${record.fxRate.base}/${record.fxRate.quote}/${record.fxRate.rate}`;
    if (ratesChecked.has(key)) return;
    const rate = RATE_PATTERN.test(record.fxRate.rate) && parseRate(record.fxRate.rate, record.fxRate).ok;
    if (!rate) assertWritable(false, `${recordId(record)} fx_rate ${quoteInput(String(record.fxRate.rate))} is a rate`);
    if (ratesChecked.size < WRITER_RATES_REMEMBERED_MAX) ratesChecked.add(key);
  }
}

/** The order of the DETAIL lines: time, then transaction id, then type. */
export function compareClearingRecords(a: ClearingRecord, b: ClearingRecord): number {
  const time = a.transactionTime.getTime() - b.transactionTime.getTime();
  if (time !== 0) return time;
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  return CLEARING_TRANSACTION_TYPES.indexOf(a.transactionType) - CLEARING_TRANSACTION_TYPES.indexOf(b.transactionType);
}

/** The TOTAL lines some records add up to: per settlement currency, in code order (the parser's check). */
function totalsOf(records: readonly ClearingRecord[]): ClearingFileTotal[] {
  const sums = new Map<Currency, { debit: bigint; credit: bigint }>();
  for (const r of records) {
    const sum = sums.get(r.settlementAmount.currency) ?? { debit: 0n, credit: 0n };
    if (r.direction === 'DEBIT') sum.debit += r.settlementAmount.value;
    else sum.credit += r.settlementAmount.value;
    sums.set(r.settlementAmount.currency, sum);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, sum]) => ({ currency, debitTotal: amount(currency, sum.debit), creditTotal: amount(currency, sum.credit) }));
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Rates a writer remembers as checked; past this, each further rate is checked on every line. */
const WRITER_RATES_REMEMBERED_MAX = 1_024;
/** Characters a writer gathers before it hashes them: a few large digest updates, not one per line. */
const WRITER_HASH_CHARS = 16_384;

/** What a finished file is, for the record kept beside its bytes. */
export interface ClearingFileSummary {
  /** The trailer's checksum. */
  readonly checksum: string;
  readonly detailCount: number;
  /** Every line, HEADER to TRAILER. */
  readonly lineCount: number;
  readonly byteCount: number;
}

/**
 * Writes a clearing file a line at a time, for a cycle too large to hold its
 * records (or its text) in memory at once: the caller hands the records over
 * in the file's order (`compareClearingRecords`) and the writer gives each
 * line to `emit`, CRLF included, as soon as it is written, hashing as it goes.
 */
export interface ClearingFileWriter {
  /** Writes the next DETAIL line; a record that does not fit the format, or comes out of order, throws. */
  add(record: ClearingRecord): void;
  /** Writes the TOTAL lines and the TRAILER, which end the file; nothing can be added after. */
  finish(): ClearingFileSummary;
}

/** Debits and credits of the DETAIL lines written, per settlement currency: what the TOTAL lines say. */
export type ClearingDetailTotals = ReadonlyMap<Currency, { readonly debit: bigint; readonly credit: bigint }>;

/**
 * Writes a stretch of a file's DETAIL lines, and only those: a file of a
 * large cycle is written in stretches of time side by side (the network's
 * clearing), then joined by its HEADER, TOTAL lines and TRAILER
 * (`clearingFileHeaderLine`, `clearingFileTail`). Each record is checked and
 * ordered as `createClearingFileWriter` checks it; stretches that follow one
 * another in time keep the file's order.
 */
export interface ClearingDetailWriter {
  /** Writes the next DETAIL line; a record that does not fit the format, or comes out of order, throws. */
  add(record: ClearingRecord): void;
  /** DETAIL lines written so far. */
  readonly detailCount: number;
  /** What they add up to (a live view: it grows as lines are added). */
  readonly totals: ClearingDetailTotals;
}

/** The HEADER line of a participant's file for a cycle, CRLF included. */
export function clearingFileHeaderLine(header: ClearingFileHeader): string {
  assertText(header.cycleId, 'cycle_id');
  assertText(header.participantId, 'participant_id');
  assertTime(header.opensAt, 'opens_at');
  assertTime(header.closesAt, 'closes_at');
  assertWritable(header.opensAt.getTime() < header.closesAt.getTime(), 'opens_at is before closes_at');
  return csvLine(['HEADER', CLEARING_FILE_FORMAT, CLEARING_FILE_VERSION, header.cycleId, header.participantId, formatTime(header.opensAt), formatTime(header.closesAt)]);
}

/**
 * The end of a file of `detailCount` DETAIL lines adding up to `totals`: its
 * TOTAL lines, in currency order, and the trailer's text up to the checksum,
 * which the checksum covers (`clearingFileTrailer` ends the file).
 */
export function clearingFileTail(detailCount: number, totals: ClearingDetailTotals): { readonly totalLines: readonly string[]; readonly trailerPrefix: string } {
  const sorted = [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  assertWritable(2 + detailCount + sorted.length <= CLEARING_FILE_LINES_MAX, `has at most ${CLEARING_FILE_LINES_MAX} lines`);
  // amount() throws beyond 2^63 − 1: no real cycle comes near, so that is a bug upstream.
  const totalLines = sorted.map(([currency, sum]) => csvLine(['TOTAL', currency, amount(currency, sum.debit).value.toString(), amount(currency, sum.credit).value.toString()]));
  return { totalLines, trailerPrefix: `TRAILER,${detailCount},` };
}

/** The TRAILER line: the prefix `clearingFileTail` gave, the checksum of everything before it, CRLF. */
export function clearingFileTrailer(detailCount: number, checksum: string): string {
  assertWritable(CHECKSUM_PATTERN.test(checksum), 'ends with a SHA-256 in lower-case hex');
  return `TRAILER,${detailCount},${checksum}${CRLF}`;
}

export function createClearingDetailWriter(header: ClearingFileHeader, emit: (line: string) => void): ClearingDetailWriter {
  const totals = new Map<Currency, { debit: bigint; credit: bigint }>();
  const ratesChecked = new Set<string>();
  const cycleField = csvField(header.cycleId);
  const participantField = csvField(header.participantId);
  let detailCount = 0;
  let previous: ClearingRecord | null = null;
  // Records come in time order, so consecutive lines mostly share their time.
  let timeMs = Number.NaN;
  let timeText = '';
  return {
    get detailCount() {
      return detailCount;
    },
    totals,
    add(r) {
      checkRecordForWriting(header, r, ratesChecked);
      if (previous !== null && compareClearingRecords(previous, r) > 0) {
        assertWritable(false, `${quoteInput(String(r.transactionId))} comes in the file's order (time, id, type)`);
      }
      // Header, the details, at least one TOTAL (a file with a detail has one), trailer.
      assertWritable(detailCount + 4 <= CLEARING_FILE_LINES_MAX, `has at most ${CLEARING_FILE_LINES_MAX} lines`);
      previous = r;
      detailCount += 1;
      const time = r.transactionTime.getTime();
      if (time !== timeMs) {
        timeMs = time;
        timeText = formatTime(r.transactionTime);
      }
      const settlement = r.settlementAmount;
      let sum = totals.get(settlement.currency);
      if (sum === undefined) {
        sum = { debit: 0n, credit: 0n };
        totals.set(settlement.currency, sum);
      }
      if (r.direction === 'DEBIT') sum.debit += settlement.value;
      else sum.credit += settlement.value;
      // Only the free-text fields can need quotes: types, times, currencies, digits, directions and rates never do.
      const fx = r.fxRate;
      const pair = fx === null ? '' : csvField(`${fx.base}/${fx.quote}`);
      emit(
        `DETAIL,${cycleField},${participantField},${r.transactionType},${csvField(r.transactionId)},${csvField(r.paymentId)},${csvField(r.requestId)},${timeText},` +
          `${r.transactionAmount.currency},${r.transactionAmount.value},${settlement.currency},${settlement.value},${r.direction},${pair},${fx === null ? '' : fx.rate}${CRLF}`,
      );
    },
  };
}

/**
 * Starts a participant's clearing file for a cycle: `emit` receives the HEADER
 * line at once, then every line the writer writes. `writeClearingFile` is this
 * writer over a sorted list, so both give the same bytes for the same records.
 */
export function createClearingFileWriter(header: ClearingFileHeader, emit: (line: string) => void): ClearingFileWriter {
  const hash = createHash('sha256');
  let unhashed = '';
  let byteCount = 0;
  let lineCount = 0;
  let finished = false;

  const hashGathered = (): void => {
    byteCount += Buffer.byteLength(unhashed, 'utf8');
    assertWritable(byteCount <= CLEARING_FILE_BYTES_MAX, `has at most ${CLEARING_FILE_BYTES_MAX} bytes`);
    hash.update(unhashed, 'utf8');
    unhashed = '';
  };
  const write = (line: string): void => {
    lineCount += 1;
    unhashed += line;
    if (unhashed.length >= WRITER_HASH_CHARS) hashGathered();
    emit(line);
  };

  write(clearingFileHeaderLine(header));
  const details = createClearingDetailWriter(header, write);
  return {
    add(r) {
      assertWritable(!finished, 'takes no record after its trailer');
      details.add(r);
    },
    finish() {
      assertWritable(!finished, 'is finished once');
      finished = true;
      const detailCount = details.detailCount;
      const tail = clearingFileTail(detailCount, details.totals);
      for (const line of tail.totalLines) write(line);
      // The checksum covers everything up to and including the comma before it.
      unhashed += tail.trailerPrefix;
      hashGathered();
      const checksum = hash.digest('hex');
      const trailer = clearingFileTrailer(detailCount, checksum);
      byteCount += checksum.length + CRLF.length;
      assertWritable(byteCount <= CLEARING_FILE_BYTES_MAX, `has at most ${CLEARING_FILE_BYTES_MAX} bytes`);
      lineCount += 1;
      emit(trailer);
      return { checksum, detailCount, lineCount, byteCount };
    },
  };
}

/**
 * Writes a participant's clearing file for a cycle. The records come from
 * the network's own database, so a record that does not fit the format
 * (an empty id, a control character, a time outside the cycle, a negative
 * amount, more than `CLEARING_FILE_LINES_MAX` lines) is a bug and throws.
 */
export function writeClearingFile(input: { readonly header: ClearingFileHeader; readonly records: readonly ClearingRecord[] }): string {
  const lines: string[] = [];
  const writer = createClearingFileWriter(input.header, (line) => lines.push(line));
  for (const record of input.records) checkRecordForWriting(input.header, record, new Set());
  for (const record of [...input.records].sort(compareClearingRecords)) writer.add(record);
  writer.finish();
  return lines.join('');
}

// ---- the parser ----

interface Line {
  readonly number: number;
  /** Offset of the line's first character in the file. */
  readonly start: number;
  readonly raw: string;
  readonly fields: readonly string[];
}

/** Reads the fields of one line by column name; every failure names the line and the column. */
interface FieldReader<C extends Column> {
  raw(column: C): string;
  fail(kind: ClearingFileErrorKind, column: C, what: string): Result<never, ClearingFileError>;
  text(column: C, options?: { allowEmpty: boolean }): Result<string, ClearingFileError>;
  oneOf<T extends string>(column: C, values: readonly T[]): Result<T, ClearingFileError>;
  time(column: C, kind?: ClearingFileErrorKind): Result<Date, ClearingFileError>;
  currency(column: C): Result<Currency, ClearingFileError>;
  amount(column: C, currency: Currency, options: { allowZero: boolean }): Result<Amount, ClearingFileError>;
}

function fieldReader<C extends Column>(line: Line, columns: readonly C[]): FieldReader<C> {
  const raw = (column: C): string => {
    const value = line.fields[columns.indexOf(column)];
    if (value === undefined) throw new Error(`assertion failed: column ${column} was counted`);
    return value;
  };
  const fail = (kind: ClearingFileErrorKind, column: C, what: string): Result<never, ClearingFileError> => err(problem(kind, line.number, column, what));
  return {
    raw,
    fail,
    text(column, options = { allowEmpty: false }) {
      const value = raw(column);
      const wrong = textProblem(value, options);
      return wrong === null ? ok(value) : fail('bad-field', column, `${quoteInput(value)} ${wrong}`);
    },
    oneOf<T extends string>(column: C, values: readonly T[]): Result<T, ClearingFileError> {
      const value = raw(column);
      const known = (values as readonly string[]).includes(value);
      return known ? ok(value as T) : fail('bad-field', column, `${quoteInput(value)} is not one of ${values.join(', ')}`);
    },
    time(column, kind = 'bad-field') {
      const value = raw(column);
      const time = parseTime(value);
      return time === null ? fail(kind, column, `${quoteInput(value)} is not a time YYYY-MM-DDTHH:mm:ss.sssZ`) : ok(time);
    },
    currency(column) {
      const value = raw(column);
      const parsed = parseCurrency(value);
      return parsed.ok ? parsed : fail('unknown-currency', column, `${quoteInput(value)} is not an ISO 4217 currency dari knows`);
    },
    amount(column, currency, options) {
      const value = raw(column);
      const parsed = parseAmountJson({ currency, value }, options);
      return parsed.ok ? parsed : fail('bad-amount', column, `${quoteInput(value)}: ${parsed.error.message}`);
    },
  };
}

/** A reader may lower the limits (never raise them): a small institution expects small files. */
/** The checksum a written file ends with (its trailer's last field), without parsing the rest. */
export function clearingFileChecksum(text: string): string {
  const end = text.endsWith('\r\n') ? text.length - 2 : text.length;
  const checksum = text.slice(text.lastIndexOf(',', end) + 1, end);
  if (!CHECKSUM_PATTERN.test(checksum)) throw new Error('assertion failed: a written clearing file ends with its checksum');
  return checksum;
}

export interface ClearingFileLimits {
  /** At most `CLEARING_FILE_LINES_MAX`. */
  readonly linesMax?: number;
  /** At most `CLEARING_FILE_BYTES_MAX`. */
  readonly bytesMax?: number;
}

interface ParseState {
  header: ClearingFileHeader | null;
  readonly records: ClearingRecord[];
  readonly totals: ClearingFileTotal[];
  /** The totals the DETAIL lines add up to, computed once the first TOTAL or the TRAILER is read. */
  expectedTotals: ClearingFileTotal[] | null;
  stage: 'header' | 'details' | 'totals' | 'done';
  checksum: string;
}

/**
 * Reads a clearing file, strictly: any deviation from the format (the file's
 * comment) is refused with the line and the field, and nothing is repaired.
 * The checksum, the detail count and the totals are all checked.
 */
export function parseClearingFile(text: string, limits: ClearingFileLimits = {}): Result<ClearingFile, ClearingFileError> {
  const linesMax = Math.min(limits.linesMax ?? CLEARING_FILE_LINES_MAX, CLEARING_FILE_LINES_MAX);
  const bytesMax = Math.min(limits.bytesMax ?? CLEARING_FILE_BYTES_MAX, CLEARING_FILE_BYTES_MAX);
  if (typeof text !== 'string') return err(problem('malformed-csv', null, null, 'a clearing file is text'));
  // Every character is at least one byte: the length check spares encoding a huge string.
  if (text.length > bytesMax || Buffer.byteLength(text, 'utf8') > bytesMax) {
    return err(problem('too-large', null, null, `a clearing file has at most ${bytesMax} bytes`));
  }
  if (text.length === 0) return err(problem('bad-header', 1, null, 'the file is empty'));
  const state: ParseState = { header: null, records: [], totals: [], expectedTotals: null, stage: 'header', checksum: '' };
  let start = 0;
  let number = 0;
  while (start < text.length) {
    number += 1;
    if (number > linesMax) return err(problem('too-many-lines', number, null, `a clearing file has at most ${linesMax} lines`));
    const end = text.indexOf(CRLF, start);
    if (end === -1) return err(problem('malformed-csv', number, null, 'the line does not end with CRLF'));
    const raw = text.slice(start, end);
    if (state.stage === 'done') return err(problem('lines-after-trailer', number, null, 'nothing may follow the TRAILER line'));
    const line = readLine(raw, number, start);
    if (!line.ok) return line;
    const read = readRecord(text, line.value, state);
    if (!read.ok) return read;
    start = end + CRLF.length;
  }
  if (state.stage !== 'done' || state.header === null) return err(problem('missing-trailer', null, null, 'the file ends without a TRAILER line'));
  return ok({ header: state.header, records: state.records, totals: state.totals, checksum: state.checksum });
}

function readLine(raw: string, number: number, start: number): Result<Line, ClearingFileError> {
  if (raw.length > CLEARING_FILE_LINE_CHARS_MAX) return err(problem('malformed-csv', number, null, `a line has at most ${CLEARING_FILE_LINE_CHARS_MAX} characters`));
  // A bare CR or LF is a control character like any other: fields never contain one.
  if (FORBIDDEN_CHARS.test(raw)) return err(problem('malformed-csv', number, null, 'the line contains a control character, a bare CR or LF, or a lone surrogate'));
  const fields = splitCsvLine(raw);
  return fields.ok ? ok({ number, start, raw, fields: fields.value }) : err(problem('malformed-csv', number, null, fields.error));
}

const COLUMNS_OF: Record<RecordType, readonly Column[]> = {
  HEADER: CLEARING_FILE_HEADER_COLUMNS,
  DETAIL: CLEARING_FILE_DETAIL_COLUMNS,
  TOTAL: CLEARING_FILE_TOTAL_COLUMNS,
  TRAILER: CLEARING_FILE_TRAILER_COLUMNS,
};

/** Which record types may come next, at each stage. */
const ALLOWED: Record<ParseState['stage'], readonly RecordType[]> = {
  header: ['HEADER'],
  details: ['DETAIL', 'TOTAL', 'TRAILER'],
  totals: ['TOTAL', 'TRAILER'],
  done: [],
};

function readRecord(text: string, line: Line, state: ParseState): Result<void, ClearingFileError> {
  const type = line.fields[0] ?? '';
  if (state.stage === 'header' && type !== 'HEADER') return err(problem('bad-header', line.number, 'record_type', `the first line is a HEADER, not ${quoteInput(type)}`));
  if (!Object.hasOwn(COLUMNS_OF, type)) return err(problem('unknown-record-type', line.number, 'record_type', `${quoteInput(type)} is not HEADER, DETAIL, TOTAL or TRAILER`));
  const recordType = type as RecordType;
  if (!ALLOWED[state.stage].includes(recordType)) {
    return err(problem('unexpected-record', line.number, 'record_type', `a ${recordType} line may not come after ${state.stage === 'totals' ? 'a TOTAL line' : 'the HEADER'}`));
  }
  const columns = COLUMNS_OF[recordType];
  if (line.fields.length !== columns.length) {
    const kind = recordType === 'HEADER' ? 'bad-header' : 'column-count';
    return err(problem(kind, line.number, null, `a ${recordType} line has ${columns.length} fields, this one ${line.fields.length}`));
  }
  switch (recordType) {
    case 'HEADER':
      return readHeader(line, state);
    case 'DETAIL':
      return readDetail(line, state);
    case 'TOTAL':
      return readTotal(line, state);
    case 'TRAILER':
      return readTrailer(text, line, state);
  }
}

function readHeader(line: Line, state: ParseState): Result<void, ClearingFileError> {
  const r = fieldReader<HeaderColumn>(line, CLEARING_FILE_HEADER_COLUMNS);
  if (r.raw('format') !== CLEARING_FILE_FORMAT) return r.fail('bad-header', 'format', `${quoteInput(r.raw('format'))} is not ${CLEARING_FILE_FORMAT}`);
  if (r.raw('version') !== CLEARING_FILE_VERSION) return r.fail('bad-header', 'version', `version ${quoteInput(r.raw('version'))} is not supported (this reader reads ${CLEARING_FILE_VERSION})`);
  const asHeader = <T>(result: Result<T, ClearingFileError>): Result<T, ClearingFileError> => (result.ok ? result : err({ ...result.error, kind: 'bad-header' }));
  const cycleId = asHeader(r.text('cycle_id'));
  if (!cycleId.ok) return cycleId;
  const participantId = asHeader(r.text('participant_id'));
  if (!participantId.ok) return participantId;
  const opensAt = r.time('opens_at', 'bad-header');
  if (!opensAt.ok) return opensAt;
  const closesAt = r.time('closes_at', 'bad-header');
  if (!closesAt.ok) return closesAt;
  if (!(opensAt.value.getTime() < closesAt.value.getTime())) return r.fail('bad-header', 'closes_at', 'closes_at is not after opens_at');
  state.header = { cycleId: cycleId.value, participantId: participantId.value, opensAt: opensAt.value, closesAt: closesAt.value };
  state.stage = 'details';
  return ok(undefined);
}

function readDetail(line: Line, state: ParseState): Result<void, ClearingFileError> {
  const header = state.header;
  if (header === null) throw new Error('assertion failed: a DETAIL line follows the HEADER');
  const r = fieldReader<DetailColumn>(line, CLEARING_FILE_DETAIL_COLUMNS);
  if (r.raw('cycle_id') !== header.cycleId) return r.fail('field-mismatch', 'cycle_id', `${quoteInput(r.raw('cycle_id'))} is not the header's ${quoteInput(header.cycleId)}`);
  if (r.raw('participant_id') !== header.participantId) {
    return r.fail('field-mismatch', 'participant_id', `${quoteInput(r.raw('participant_id'))} is not the header's ${quoteInput(header.participantId)}`);
  }
  const transactionType = r.oneOf('transaction_type', CLEARING_TRANSACTION_TYPES);
  if (!transactionType.ok) return transactionType;
  const transactionId = r.text('transaction_id');
  if (!transactionId.ok) return transactionId;
  const paymentId = r.text('payment_id');
  if (!paymentId.ok) return paymentId;
  const requestId = r.text('request_id', { allowEmpty: true });
  if (!requestId.ok) return requestId;
  const transactionTime = r.time('transaction_time');
  if (!transactionTime.ok) return transactionTime;
  const t = transactionTime.value.getTime();
  if (!(header.opensAt.getTime() <= t && t < header.closesAt.getTime())) {
    return r.fail('time-outside-cycle', 'transaction_time', `${r.raw('transaction_time')} is not within [opens_at, closes_at) of cycle ${header.cycleId}`);
  }
  const transactionCurrency = r.currency('transaction_currency');
  if (!transactionCurrency.ok) return transactionCurrency;
  const transactionAmount = r.amount('transaction_value', transactionCurrency.value, { allowZero: false });
  if (!transactionAmount.ok) return transactionAmount;
  const settlementCurrency = r.currency('settlement_currency');
  if (!settlementCurrency.ok) return settlementCurrency;
  const settlementAmount = r.amount('settlement_value', settlementCurrency.value, { allowZero: true });
  if (!settlementAmount.ok) return settlementAmount;
  const direction = r.oneOf('direction', CLEARING_DIRECTIONS);
  if (!direction.ok) return direction;
  const fxRate = readFxRate(r);
  if (!fxRate.ok) return fxRate;
  state.records.push({
    transactionType: transactionType.value,
    transactionId: transactionId.value,
    paymentId: paymentId.value,
    requestId: requestId.value,
    transactionTime: transactionTime.value,
    transactionAmount: transactionAmount.value,
    settlementAmount: settlementAmount.value,
    direction: direction.value,
    fxRate: fxRate.value,
  });
  return ok(undefined);
}

function readFxRate(r: FieldReader<DetailColumn>): Result<ClearingFxRate | null, ClearingFileError> {
  const pair = r.raw('fx_pair');
  const rate = r.raw('fx_rate');
  if (pair === '' && rate === '') return ok(null);
  const match = FX_PAIR_PATTERN.exec(pair);
  if (match === null) return r.fail('bad-field', 'fx_pair', `${quoteInput(pair)} is not BASE/QUOTE (e.g. CNY/KRW), or empty with fx_rate`);
  const base = parseCurrency(match[1]!);
  const quote = parseCurrency(match[2]!);
  if (!base.ok || !quote.ok) return r.fail('unknown-currency', 'fx_pair', `${quoteInput(pair)} names a currency dari does not know`);
  const parsed = RATE_PATTERN.test(rate) ? parseRate(rate, { base: base.value, quote: quote.value }) : undefined;
  if (parsed === undefined || !parsed.ok) return r.fail('bad-field', 'fx_rate', `${quoteInput(rate)} is not a positive decimal rate`);
  return ok({ base: base.value, quote: quote.value, rate });
}

function readTotal(line: Line, state: ParseState): Result<void, ClearingFileError> {
  const r = fieldReader<TotalColumn>(line, CLEARING_FILE_TOTAL_COLUMNS);
  const currency = r.currency('currency');
  if (!currency.ok) return currency;
  const debitTotal = r.amount('debit_total', currency.value, { allowZero: true });
  if (!debitTotal.ok) return debitTotal;
  const creditTotal = r.amount('credit_total', currency.value, { allowZero: true });
  if (!creditTotal.ok) return creditTotal;
  state.stage = 'totals';
  state.expectedTotals ??= totalsOf(state.records);
  if (state.totals.some((t) => t.currency === currency.value)) return r.fail('totals-mismatch', 'currency', `a second TOTAL line for ${currency.value}`);
  const expected = state.expectedTotals.find((t) => t.currency === currency.value);
  if (expected === undefined) return r.fail('totals-mismatch', 'currency', `no DETAIL line settles in ${currency.value}`);
  if (expected.debitTotal.value !== debitTotal.value.value) {
    return r.fail('totals-mismatch', 'debit_total', `${debitTotal.value.value} is not the DEBIT lines' sum ${expected.debitTotal.value}`);
  }
  if (expected.creditTotal.value !== creditTotal.value.value) {
    return r.fail('totals-mismatch', 'credit_total', `${creditTotal.value.value} is not the CREDIT lines' sum ${expected.creditTotal.value}`);
  }
  state.totals.push({ currency: currency.value, debitTotal: debitTotal.value, creditTotal: creditTotal.value });
  return ok(undefined);
}

function readTrailer(text: string, line: Line, state: ParseState): Result<void, ClearingFileError> {
  const r = fieldReader<TrailerColumn>(line, CLEARING_FILE_TRAILER_COLUMNS);
  const expectedTotals = state.expectedTotals ?? totalsOf(state.records);
  const missing = expectedTotals.find((e) => !state.totals.some((t) => t.currency === e.currency));
  if (missing !== undefined) return err(problem('totals-mismatch', line.number, null, `no TOTAL line for ${missing.currency}, in which DETAIL lines settle`));
  const count = r.raw('detail_count');
  if (!COUNT_PATTERN.test(count)) return r.fail('bad-field', 'detail_count', `${quoteInput(count)} is not a count`);
  if (Number(count) !== state.records.length) return r.fail('count-mismatch', 'detail_count', `${count}, but the file has ${state.records.length} DETAIL lines`);
  const checksum = r.raw('checksum');
  if (!CHECKSUM_PATTERN.test(checksum)) return r.fail('bad-field', 'checksum', `${quoteInput(checksum)} is not 64 lower-case hex digits`);
  // The checksum field is the last and holds no comma: the sealed text ends at the line's last comma.
  const sealed = text.slice(0, line.start + line.raw.lastIndexOf(',') + 1);
  if (sha256Hex(sealed) !== checksum) return r.fail('checksum-mismatch', 'checksum', 'the SHA-256 of the file before the checksum differs: the file was changed or cut');
  state.checksum = checksum;
  state.stage = 'done';
  return ok(undefined);
}
