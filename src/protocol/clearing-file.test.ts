import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { amount, currency, type Amount, type Currency } from '../money/index.ts';
import {
  CLEARING_FILE_DETAIL_COLUMNS,
  CLEARING_FILE_FIELD_CHARS_MAX,
  CLEARING_FILE_LINE_CHARS_MAX,
  CLEARING_TRANSACTION_TYPES,
  clearingFileChecksum,
  compareClearingRecords,
  createClearingFileWriter,
  parseClearingFile,
  writeClearingFile,
  type ClearingFile,
  type ClearingFileError,
  type ClearingFileHeader,
  type ClearingRecord,
} from './clearing-file.ts';

const CNY = currency('CNY');
const KRW = currency('KRW');
const krw = (value: bigint): Amount => amount(KRW, value);
const cny = (value: bigint): Amount => amount(CNY, value);
const CNY_KRW = { base: CNY, quote: KRW, rate: '190.25' };

const HEADER: ClearingFileHeader = {
  cycleId: '2026-11-25T2300',
  participantId: 'WALLET_CN_01',
  opensAt: new Date('2026-11-24T14:00:00.000Z'),
  closesAt: new Date('2026-11-25T14:00:00.000Z'),
};

const PAYMENT: ClearingRecord = {
  transactionType: 'PAYMENT',
  transactionId: 'NP000000000000000000000001',
  paymentId: 'NP000000000000000000000001',
  requestId: '',
  transactionTime: new Date('2026-11-25T03:00:00.000Z'),
  transactionAmount: krw(15_000n),
  settlementAmount: cny(7_885n),
  direction: 'DEBIT',
  fxRate: CNY_KRW,
};
const REFUND: ClearingRecord = {
  transactionType: 'REFUND',
  transactionId: 'NR000000000000000000000001',
  paymentId: 'NP000000000000000000000001',
  requestId: '',
  transactionTime: new Date('2026-11-25T04:30:00.000Z'),
  transactionAmount: krw(1_000n),
  settlementAmount: cny(526n),
  direction: 'CREDIT',
  fxRate: CNY_KRW,
};

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A file from its lines before the trailer: the trailer and its checksum computed here, independently of the writer. */
function sealed(lines: readonly string[], detailCount: number): string {
  const body = `${lines.map((l) => `${l}\r\n`).join('')}TRAILER,${detailCount},`;
  return `${body}${sha256(body)}\r\n`;
}

/** Recomputes the checksum of a changed file, so that a test reaches the check it is about. */
function reseal(text: string): string {
  const cut = text.lastIndexOf('TRAILER,');
  const body = text.slice(0, text.indexOf(',', cut + 'TRAILER,'.length) + 1);
  return `${body}${sha256(body)}\r\n`;
}

const GOLDEN_LINES = [
  'HEADER,DARI-CLEARING,1,2026-11-25T2300,WALLET_CN_01,2026-11-24T14:00:00.000Z,2026-11-25T14:00:00.000Z',
  'DETAIL,2026-11-25T2300,WALLET_CN_01,PAYMENT,NP000000000000000000000001,NP000000000000000000000001,,2026-11-25T03:00:00.000Z,KRW,15000,CNY,7885,DEBIT,CNY/KRW,190.25',
  'DETAIL,2026-11-25T2300,WALLET_CN_01,REFUND,NR000000000000000000000001,NP000000000000000000000001,,2026-11-25T04:30:00.000Z,KRW,1000,CNY,526,CREDIT,CNY/KRW,190.25',
  'TOTAL,CNY,7885,526',
];
const GOLDEN = sealed(GOLDEN_LINES, 2);

function parsed(text: string): ClearingFile {
  const result = parseClearingFile(text);
  if (!result.ok) throw new Error(`refused: ${result.error.message}`);
  return result.value;
}

function refusal(text: string): Pick<ClearingFileError, 'kind' | 'line' | 'field'> {
  const result = parseClearingFile(text);
  if (result.ok) return { kind: 'accepted' as ClearingFileError['kind'], line: null, field: null };
  assert.ok(result.error.message.length > 0);
  return { kind: result.error.kind, line: result.error.line, field: result.error.field };
}

/** The golden file with line `index` (0-based) replaced. */
function withLine(index: number, line: string, detailCount = 2): string {
  return sealed(GOLDEN_LINES.map((l, i) => (i === index ? line : l)), detailCount);
}

/** The golden file with field `column` of DETAIL line 2 replaced by `value` (unquoted, as given). */
function withDetailField(column: (typeof CLEARING_FILE_DETAIL_COLUMNS)[number], value: string): string {
  const fields = GOLDEN_LINES[1]!.split(',');
  fields[CLEARING_FILE_DETAIL_COLUMNS.indexOf(column)] = value;
  return withLine(1, fields.join(','));
}

describe('writing a clearing file', () => {
  it('writes the documented format, byte for byte (CRLF, header, details, totals, trailer with checksum)', () => {
    assert.equal(writeClearingFile({ header: HEADER, records: [PAYMENT, REFUND] }), GOLDEN);
  });

  it('orders the details by time, then id: the same records in any order give the same bytes', () => {
    assert.equal(writeClearingFile({ header: HEADER, records: [REFUND, PAYMENT] }), GOLDEN);
  });

  it('writes an empty cycle as a header and a trailer with count 0 and no TOTAL line', () => {
    const text = writeClearingFile({ header: HEADER, records: [] });
    assert.equal(text, sealed([GOLDEN_LINES[0]!], 0));
    assert.deepEqual(parsed(text).records, []);
  });

  it('writes one TOTAL per settlement currency, in code order, zero totals included', () => {
    const acquirerSide: ClearingRecord[] = [
      { ...PAYMENT, settlementAmount: krw(15_000n), direction: 'CREDIT' },
      { ...REFUND, transactionId: 'NR2', settlementAmount: cny(0n), direction: 'CREDIT' },
    ];
    const text = writeClearingFile({ header: HEADER, records: acquirerSide });
    assert.match(text, /\r\nTOTAL,CNY,0,0\r\nTOTAL,KRW,0,15000\r\nTRAILER,2,/);
  });

  it('quotes a field with a comma, a double quote or an edge space (RFC 4180), and nothing else', () => {
    const text = writeClearingFile({ header: { ...HEADER, participantId: 'a,b' }, records: [{ ...PAYMENT, requestId: 'say "hi"', transactionId: ' x ' }] });
    const detail = text.split('\r\n')[1]!;
    assert.equal(detail.split(',').slice(0, 5).join(','), 'DETAIL,2026-11-25T2300,"a,b",PAYMENT');
    assert.ok(detail.includes(',"say ""hi""",'));
    assert.ok(detail.includes(',PAYMENT," x ",'));
    const back = parsed(text);
    assert.equal(back.header.participantId, 'a,b');
    assert.equal(back.records[0]?.requestId, 'say "hi"');
    assert.equal(back.records[0]?.transactionId, ' x ');
  });

  it('writes a record without a rate with both fx fields empty', () => {
    const text = writeClearingFile({ header: HEADER, records: [{ ...PAYMENT, settlementAmount: krw(15_000n), fxRate: null }] });
    assert.ok(text.includes(',KRW,15000,DEBIT,,\r\n'));
    assert.equal(parsed(text).records[0]?.fxRate, null);
  });

  const bad: { name: string; header?: Partial<ClearingFileHeader>; record?: Partial<ClearingRecord> }[] = [
    { name: 'an empty transaction id', record: { transactionId: '' } },
    { name: 'a line break in a request id', record: { requestId: 'a\r\nb' } },
    { name: 'a tab in a payment id', record: { paymentId: 'a\tb' } },
    { name: 'a lone surrogate', record: { requestId: 'a\ud800' } },
    { name: 'an overlong id', record: { transactionId: 'x'.repeat(CLEARING_FILE_FIELD_CHARS_MAX + 1) } },
    { name: 'a time at the cut-off (it belongs to the next cycle)', record: { transactionTime: HEADER.closesAt } },
    { name: 'a time before the cycle', record: { transactionTime: new Date(HEADER.opensAt.getTime() - 1) } },
    { name: 'an invalid time', record: { transactionTime: new Date(Number.NaN) } },
    { name: 'a zero transaction amount', record: { transactionAmount: krw(0n) } },
    { name: 'a negative settlement amount', record: { settlementAmount: cny(-1n) } },
    { name: 'an unknown transaction type', record: { transactionType: 'CHARGEBACK' as ClearingRecord['transactionType'] } },
    { name: 'an unknown direction', record: { direction: 'DR' as ClearingRecord['direction'] } },
    { name: 'a rate with a grouping comma', record: { fxRate: { ...CNY_KRW, rate: '1,190.25' } } },
    { name: 'a zero rate', record: { fxRate: { ...CNY_KRW, rate: '0' } } },
    { name: 'a cycle that closes when it opens', header: { closesAt: HEADER.opensAt } },
    { name: 'an empty cycle id', header: { cycleId: '' } },
  ];
  for (const { name, header, record } of bad) {
    it(`throws on ${name}: the network's own records are wrong, a bug`, () => {
      assert.throws(() => writeClearingFile({ header: { ...HEADER, ...header }, records: [{ ...PAYMENT, ...record }] }), /assertion failed: clearing file/);
    });
  }
});

describe('reading a clearing file', () => {
  it('reads the golden file back: header, records, totals, checksum', () => {
    const file = parsed(GOLDEN);
    assert.deepEqual(file.header, HEADER);
    assert.deepEqual(file.records, [PAYMENT, REFUND]);
    assert.deepEqual(file.totals, [{ currency: CNY, debitTotal: cny(7_885n), creditTotal: cny(526n) }]);
    assert.equal(file.checksum, GOLDEN.slice(-66, -2));
  });

  it('accepts quotes around a field that needs none (RFC 4180 allows it), and an empty quoted field', () => {
    const text = withLine(1, GOLDEN_LINES[1]!.replace(',PAYMENT,', ',"PAYMENT",').replace(',,2026', ',"",2026'));
    assert.deepEqual(parsed(text).records[0], PAYMENT);
  });

  const cases: { name: string; text: () => string; kind: ClearingFileError['kind']; line: number | null; field: string | null }[] = [
    // the file and its lines
    { name: 'an empty file', text: () => '', kind: 'bad-header', line: 1, field: null },
    { name: 'no CRLF after the last line', text: () => GOLDEN.slice(0, -2), kind: 'malformed-csv', line: 5, field: null },
    { name: 'LF line endings', text: () => GOLDEN.replaceAll('\r\n', '\n'), kind: 'malformed-csv', line: 1, field: null },
    { name: 'a bare CR inside a line', text: () => withLine(1, GOLDEN_LINES[1]!.replace(',DEBIT,', ',DE\rBIT,')), kind: 'malformed-csv', line: 2, field: null },
    { name: 'a tab inside a field', text: () => withDetailField('request_id', 'a\tb'), kind: 'malformed-csv', line: 2, field: null },
    { name: 'a quoted field never closed', text: () => withDetailField('request_id', '"abc'), kind: 'malformed-csv', line: 2, field: null },
    { name: 'text after a closing quote', text: () => withDetailField('request_id', '"abc"d'), kind: 'malformed-csv', line: 2, field: null },
    { name: 'a double quote in an unquoted field', text: () => withDetailField('request_id', 'ab"c'), kind: 'malformed-csv', line: 2, field: null },
    { name: 'an overlong line', text: () => withDetailField('request_id', 'x'.repeat(CLEARING_FILE_LINE_CHARS_MAX)), kind: 'malformed-csv', line: 2, field: null },
    // the header
    { name: 'a byte-order mark', text: () => `\uFEFF${GOLDEN}`, kind: 'bad-header', line: 1, field: 'record_type' },
    { name: 'a DETAIL first', text: () => sealed(GOLDEN_LINES.slice(1), 2), kind: 'bad-header', line: 1, field: 'record_type' },
    { name: 'another format', text: () => withLine(0, GOLDEN_LINES[0]!.replace('DARI-CLEARING', 'ACME-CLEARING')), kind: 'bad-header', line: 1, field: 'format' },
    { name: 'version 2', text: () => withLine(0, GOLDEN_LINES[0]!.replace(',1,', ',2,')), kind: 'bad-header', line: 1, field: 'version' },
    { name: 'a header with a missing field', text: () => withLine(0, GOLDEN_LINES[0]!.replace(',WALLET_CN_01', '')), kind: 'bad-header', line: 1, field: null },
    { name: 'a header with an empty participant', text: () => withLine(0, GOLDEN_LINES[0]!.replace('WALLET_CN_01', '')), kind: 'bad-header', line: 1, field: 'participant_id' },
    { name: 'a header time without milliseconds', text: () => withLine(0, GOLDEN_LINES[0]!.replace('14:00:00.000Z,2026', '14:00:00Z,2026')), kind: 'bad-header', line: 1, field: 'opens_at' },
    { name: 'a header whose cycle closes before it opens', text: () => withLine(0, GOLDEN_LINES[0]!.replace('2026-11-25T14:00:00.000Z', '2026-11-23T14:00:00.000Z')), kind: 'bad-header', line: 1, field: 'closes_at' },
    // record types and their order
    { name: 'an unknown record type', text: () => withLine(3, 'FOOTER,CNY,7885,526'), kind: 'unknown-record-type', line: 4, field: 'record_type' },
    { name: 'a lower-case record type', text: () => withLine(3, 'total,CNY,7885,526'), kind: 'unknown-record-type', line: 4, field: 'record_type' },
    { name: 'a second HEADER', text: () => withLine(1, GOLDEN_LINES[0]!, 1), kind: 'unexpected-record', line: 2, field: 'record_type' },
    { name: 'a DETAIL after a TOTAL', text: () => sealed([GOLDEN_LINES[0]!, GOLDEN_LINES[1]!, 'TOTAL,CNY,7885,0', GOLDEN_LINES[2]!], 2), kind: 'unexpected-record', line: 4, field: 'record_type' },
    { name: 'a DETAIL with a field missing', text: () => withLine(1, GOLDEN_LINES[1]!.replace(',190.25', '')), kind: 'column-count', line: 2, field: null },
    { name: 'a DETAIL with a field too many', text: () => withLine(1, `${GOLDEN_LINES[1]!},x`), kind: 'column-count', line: 2, field: null },
    { name: 'a TOTAL with a field too many', text: () => withLine(3, 'TOTAL,CNY,7885,526,0'), kind: 'column-count', line: 4, field: null },
    { name: 'an empty line', text: () => withLine(1, ''), kind: 'unknown-record-type', line: 2, field: 'record_type' },
    // DETAIL fields
    { name: 'another cycle', text: () => withDetailField('cycle_id', '2026-11-26T2300'), kind: 'field-mismatch', line: 2, field: 'cycle_id' },
    { name: 'another participant', text: () => withDetailField('participant_id', 'WALLET_CN_02'), kind: 'field-mismatch', line: 2, field: 'participant_id' },
    { name: 'an unknown transaction type', text: () => withDetailField('transaction_type', 'CHARGEBACK'), kind: 'bad-field', line: 2, field: 'transaction_type' },
    { name: 'an empty transaction id', text: () => withDetailField('transaction_id', ''), kind: 'bad-field', line: 2, field: 'transaction_id' },
    { name: 'an overlong payment id', text: () => withDetailField('payment_id', 'x'.repeat(CLEARING_FILE_FIELD_CHARS_MAX + 1)), kind: 'bad-field', line: 2, field: 'payment_id' },
    { name: 'a time without milliseconds', text: () => withDetailField('transaction_time', '2026-11-25T03:00:00Z'), kind: 'bad-field', line: 2, field: 'transaction_time' },
    { name: 'a time with an offset', text: () => withDetailField('transaction_time', '2026-11-25T12:00:00.000+09:00'), kind: 'bad-field', line: 2, field: 'transaction_time' },
    { name: 'a day that does not exist', text: () => withDetailField('transaction_time', '2026-02-30T03:00:00.000Z'), kind: 'bad-field', line: 2, field: 'transaction_time' },
    { name: 'a time at the cut-off', text: () => withDetailField('transaction_time', '2026-11-25T14:00:00.000Z'), kind: 'time-outside-cycle', line: 2, field: 'transaction_time' },
    { name: 'a time before the cycle opens', text: () => withDetailField('transaction_time', '2026-11-24T13:59:59.999Z'), kind: 'time-outside-cycle', line: 2, field: 'transaction_time' },
    { name: 'an unknown currency', text: () => withDetailField('transaction_currency', 'ZZZ'), kind: 'unknown-currency', line: 2, field: 'transaction_currency' },
    { name: 'a lower-case currency', text: () => withDetailField('settlement_currency', 'cny'), kind: 'unknown-currency', line: 2, field: 'settlement_currency' },
    { name: 'a decimal amount', text: () => withDetailField('transaction_value', '15000.00'), kind: 'bad-amount', line: 2, field: 'transaction_value' },
    { name: 'an amount in exponent notation', text: () => withDetailField('transaction_value', '1.5e4'), kind: 'bad-amount', line: 2, field: 'transaction_value' },
    { name: 'a negative amount', text: () => withDetailField('settlement_value', '-526'), kind: 'bad-amount', line: 2, field: 'settlement_value' },
    { name: 'an amount with a leading zero', text: () => withDetailField('settlement_value', '0526'), kind: 'bad-amount', line: 2, field: 'settlement_value' },
    { name: 'an empty amount', text: () => withDetailField('settlement_value', ''), kind: 'bad-amount', line: 2, field: 'settlement_value' },
    { name: 'an amount beyond 2^63 − 1', text: () => withDetailField('transaction_value', '9223372036854775808'), kind: 'bad-amount', line: 2, field: 'transaction_value' },
    { name: 'a zero transaction amount', text: () => withDetailField('transaction_value', '0'), kind: 'bad-amount', line: 2, field: 'transaction_value' },
    { name: 'an unknown direction', text: () => withDetailField('direction', 'DR'), kind: 'bad-field', line: 2, field: 'direction' },
    { name: 'a pair without a slash', text: () => withDetailField('fx_pair', 'CNYKRW'), kind: 'bad-field', line: 2, field: 'fx_pair' },
    { name: 'a rate without a pair', text: () => withDetailField('fx_pair', ''), kind: 'bad-field', line: 2, field: 'fx_pair' },
    { name: 'a pair with an unknown currency', text: () => withDetailField('fx_pair', 'CNY/ZZZ'), kind: 'unknown-currency', line: 2, field: 'fx_pair' },
    { name: 'a pair of one currency', text: () => withDetailField('fx_pair', 'KRW/KRW'), kind: 'bad-field', line: 2, field: 'fx_rate' },
    { name: 'a zero rate', text: () => withDetailField('fx_rate', '0'), kind: 'bad-field', line: 2, field: 'fx_rate' },
    { name: 'a negative rate', text: () => withDetailField('fx_rate', '-190.25'), kind: 'bad-field', line: 2, field: 'fx_rate' },
    { name: 'a pair without a rate', text: () => withDetailField('fx_rate', ''), kind: 'bad-field', line: 2, field: 'fx_rate' },
    // totals, count, checksum, the end
    { name: 'a debit total off by one', text: () => withLine(3, 'TOTAL,CNY,7886,526'), kind: 'totals-mismatch', line: 4, field: 'debit_total' },
    { name: 'a credit total off by one', text: () => withLine(3, 'TOTAL,CNY,7885,525'), kind: 'totals-mismatch', line: 4, field: 'credit_total' },
    { name: 'a total in a currency no detail settles in', text: () => withLine(3, 'TOTAL,KRW,7885,526'), kind: 'totals-mismatch', line: 4, field: 'currency' },
    { name: 'a second total for one currency', text: () => sealed([...GOLDEN_LINES, GOLDEN_LINES[3]!], 2), kind: 'totals-mismatch', line: 5, field: 'currency' },
    { name: 'no total line', text: () => sealed(GOLDEN_LINES.slice(0, 3), 2), kind: 'totals-mismatch', line: 4, field: null },
    { name: 'a total with a bad amount', text: () => withLine(3, 'TOTAL,CNY,7885.00,526'), kind: 'bad-amount', line: 4, field: 'debit_total' },
    { name: 'a total in an unknown currency', text: () => withLine(3, 'TOTAL,ZZZ,7885,526'), kind: 'unknown-currency', line: 4, field: 'currency' },
    { name: 'a count one too high', text: () => sealed(GOLDEN_LINES, 3), kind: 'count-mismatch', line: 5, field: 'detail_count' },
    { name: 'a count that is no number', text: () => reseal(GOLDEN.replace('TRAILER,2,', 'TRAILER,two,')), kind: 'bad-field', line: 5, field: 'detail_count' },
    { name: 'a checksum in upper case', text: () => GOLDEN.replace(/[0-9a-f]{64}/, (hex) => hex.toUpperCase()), kind: 'bad-field', line: 5, field: 'checksum' },
    { name: 'a checksum one digit off', text: () => GOLDEN.replace(/([0-9a-f])(\r\n)$/, (_, d: string, end: string) => `${d === '0' ? '1' : '0'}${end}`), kind: 'checksum-mismatch', line: 5, field: 'checksum' },
    { name: 'an amount changed with its total (caught by the checksum alone)', text: () => GOLDEN.replace(',7885,DEBIT,', ',7886,DEBIT,').replace('TOTAL,CNY,7885,', 'TOTAL,CNY,7886,'), kind: 'checksum-mismatch', line: 5, field: 'checksum' },
    { name: 'a request id changed', text: () => GOLDEN.replace(',,2026-11-25T03', ',x,2026-11-25T03'), kind: 'checksum-mismatch', line: 5, field: 'checksum' },
    { name: 'a file cut after a line', text: () => GOLDEN_LINES.slice(0, 2).map((l) => `${l}\r\n`).join(''), kind: 'missing-trailer', line: null, field: null },
    { name: 'a line after the trailer', text: () => `${GOLDEN}TOTAL,CNY,0,0\r\n`, kind: 'lines-after-trailer', line: 6, field: null },
    { name: 'an empty line after the trailer', text: () => `${GOLDEN}\r\n`, kind: 'lines-after-trailer', line: 6, field: null },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}: ${c.kind} at line ${c.line ?? '-'}${c.field === null ? '' : `, ${c.field}`}`, () => {
      assert.deepEqual(refusal(c.text()), { kind: c.kind, line: c.line, field: c.field });
    });
  }

  it('names the line and the field in the message', () => {
    const result = parseClearingFile(withDetailField('settlement_value', '52.6'));
    assert.equal(result.ok ? '' : result.error.message.slice(0, 31), 'line 2, field settlement_value:');
  });

  it('refuses a file beyond the byte limit counting bytes, not characters, and beyond the line limit', () => {
    const hangul = writeClearingFile({ header: HEADER, records: [{ ...PAYMENT, requestId: '가'.repeat(100) }] });
    const bytes = Buffer.byteLength(hangul, 'utf8');
    assert.ok(bytes > hangul.length + 150);
    assert.equal(parseClearingFile(hangul, { bytesMax: bytes }).ok, true);
    assert.deepEqual(refusal2(parseClearingFile(hangul, { bytesMax: bytes - 1 })), { kind: 'too-large', line: null, field: null });
    assert.equal(parseClearingFile(GOLDEN, { linesMax: 5 }).ok, true);
    assert.deepEqual(refusal2(parseClearingFile(GOLDEN, { linesMax: 4 })), { kind: 'too-many-lines', line: 5, field: null });
  });
});

function refusal2(result: ReturnType<typeof parseClearingFile>): Pick<ClearingFileError, 'kind' | 'line' | 'field'> | 'accepted' {
  return result.ok ? 'accepted' : { kind: result.error.kind, line: result.error.line, field: result.error.field };
}

// ---- properties ----

/** Text as participants might send it: commas, quotes, spaces at the edges, Hangul, CJK and astral characters. */
const fieldText = (minLength: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      fc.constantFrom(...Array.from('abcXYZ019_-.,"\' ;:/\\=+')),
      fc.integer({ min: 0xac00, max: 0xd7a3 }).map((code) => String.fromCodePoint(code)),
      fc.integer({ min: 0x4e00, max: 0x9fff }).map((code) => String.fromCodePoint(code)),
      fc.integer({ min: 0x1f600, max: 0x1f64f }).map((code) => String.fromCodePoint(code)),
    ),
    minLength,
    maxLength: 40,
  });

const OPENS_MS = HEADER.opensAt.getTime();
const CYCLE_MS = HEADER.closesAt.getTime() - OPENS_MS;
const CURRENCIES: readonly Currency[] = [CNY, KRW, currency('USD'), currency('BHD')];

const record: fc.Arbitrary<ClearingRecord> = fc.record({
  transactionType: fc.constantFrom(...CLEARING_TRANSACTION_TYPES),
  transactionId: fieldText(1),
  paymentId: fieldText(1),
  requestId: fieldText(0),
  transactionTime: fc.integer({ min: 0, max: CYCLE_MS - 1 }).map((ms) => new Date(OPENS_MS + ms)),
  transactionAmount: fc.tuple(fc.constantFrom(...CURRENCIES), fc.bigInt({ min: 1n, max: 10n ** 15n })).map(([c, v]) => amount(c, v)),
  settlementAmount: fc.tuple(fc.constantFrom(...CURRENCIES), fc.bigInt({ min: 0n, max: 10n ** 15n })).map(([c, v]) => amount(c, v)),
  direction: fc.constantFrom('DEBIT' as const, 'CREDIT' as const),
  fxRate: fc.option(fc.constantFrom(CNY_KRW, { base: KRW, quote: CNY, rate: '0.005256241787122207' }, { base: currency('USD'), quote: KRW, rate: '1400' }), { nil: null }),
});
const header: fc.Arbitrary<ClearingFileHeader> = fc.record({ cycleId: fieldText(1), participantId: fieldText(1) }).map((ids) => ({ ...HEADER, ...ids }));
const file = fc.record({ header, records: fc.array(record, { maxLength: 30 }) });

describe('properties (seeded)', () => {
  it('writer → parser round-trips any records, with any text in the id fields', () => {
    fc.assert(
      fc.property(file, ({ header: h, records }) => {
        const text = writeClearingFile({ header: h, records });
        const back = parsed(text);
        assert.deepEqual(back.header, h);
        // The same multiset of records, in the writer's order; writing them again gives the same bytes.
        assert.equal(back.records.length, records.length);
        const key = (r: ClearingRecord): string => JSON.stringify(r, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
        assert.deepEqual(back.records.map(key).sort(), records.map(key).sort());
        assert.equal(writeClearingFile({ header: back.header, records: back.records }), text);
        for (const t of back.totals) {
          const inCurrency = records.filter((r) => r.settlementAmount.currency === t.currency);
          const sum = (direction: string): bigint => inCurrency.filter((r) => r.direction === direction).reduce((s, r) => s + r.settlementAmount.value, 0n);
          assert.equal(t.debitTotal.value, sum('DEBIT'));
          assert.equal(t.creditTotal.value, sum('CREDIT'));
        }
      }),
      { numRuns: 300, seed: 20_261_201 },
    );
  });

  it('any one character changed, inserted or removed anywhere is refused', () => {
    const tampering = fc.record({
      at: fc.nat(),
      how: fc.constantFrom('change', 'insert', 'remove'),
      char: fc.constantFrom(...Array.from('0123456789abcdefXYZ,"- \r\n가')),
    });
    fc.assert(
      fc.property(file, tampering, ({ header: h, records }, { at, how, char }) => {
        const text = writeClearingFile({ header: h, records });
        const i = at % text.length;
        if (how === 'change' && text[i] === char) return;
        const changed = text.slice(0, i) + (how === 'remove' ? '' : char) + text.slice(how === 'insert' ? i : i + 1);
        // An inserted CRLF pair is still a change; only the identical text would pass.
        if (changed === text) return;
        assert.equal(parseClearingFile(changed).ok, false, JSON.stringify({ how, i, char }));
      }),
      { numRuns: 1_000, seed: 20_261_202 },
    );
  });

  it('removing, repeating or swapping whole lines is refused', () => {
    fc.assert(
      fc.property(file, fc.nat(), fc.nat(), fc.constantFrom('remove', 'repeat', 'swap'), ({ header: h, records }, a, b, how) => {
        const lines = writeClearingFile({ header: h, records }).split('\r\n').slice(0, -1);
        const i = a % lines.length;
        const j = b % lines.length;
        if (how === 'remove') lines.splice(i, 1);
        if (how === 'repeat') lines.splice(i, 0, lines[i]!);
        if (how === 'swap') {
          if (lines[i] === lines[j]) return;
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        }
        assert.equal(parseClearingFile(lines.map((l) => `${l}\r\n`).join('')).ok, false);
      }),
      { numRuns: 300, seed: 20_261_203 },
    );
  });
});

describe('writing a clearing file a line at a time', () => {
  const stream = (h: ClearingFileHeader, records: readonly ClearingRecord[]) => {
    const lines: string[] = [];
    const writer = createClearingFileWriter(h, (line) => lines.push(line));
    for (const r of [...records].sort(compareClearingRecords)) writer.add(r);
    return { lines, summary: writer.finish() };
  };

  it('gives, line by line, the bytes writeClearingFile gives, with the checksum and counts of the file', () => {
    fc.assert(
      fc.property(file, ({ header: h, records }) => {
        const { lines, summary } = stream(h, records);
        const text = writeClearingFile({ header: h, records });
        assert.equal(lines.join(''), text);
        assert.ok(lines.every((line) => line.endsWith('\r\n') && line.indexOf('\n') === line.length - 1), 'one line each time');
        assert.deepEqual(summary, {
          checksum: clearingFileChecksum(text),
          detailCount: records.length,
          lineCount: text.split('\r\n').length - 1,
          byteCount: Buffer.byteLength(text, 'utf8'),
        });
      }),
      { numRuns: 200, seed: 20_261_202 },
    );
  });

  it('gives the golden file from its records in order', () => {
    assert.equal(stream(HEADER, [PAYMENT, REFUND]).lines.join(''), GOLDEN);
  });

  it('refuses a record out of the file order, a bad record, and anything once finished', () => {
    const writer = createClearingFileWriter(HEADER, () => {});
    writer.add(PAYMENT);
    assert.throws(() => writer.add({ ...PAYMENT, transactionTime: new Date(PAYMENT.transactionTime.getTime() - 1) }), /assertion failed: clearing file .* comes in the file's order/);
    assert.throws(() => writer.add({ ...PAYMENT, transactionId: `${PAYMENT.transactionId.slice(0, -1)}/` }), /assertion failed: clearing file .* order/);
    writer.add(PAYMENT);
    assert.throws(() => writer.add({ ...REFUND, requestId: 'a\r\nb' }), /assertion failed: clearing file request_id/);
    writer.add(REFUND);
    writer.finish();
    assert.throws(() => writer.add(REFUND), /assertion failed: clearing file takes no record after its trailer/);
    assert.throws(() => writer.finish(), /assertion failed: clearing file is finished once/);
  });
});

describe('clearingFileChecksum', () => {
  it("reads the trailer's checksum of a written file, the one the parser checks", () => {
    const text = writeClearingFile({ header: { cycleId: '2026-11-25T2300', participantId: 'ACQ', opensAt: new Date('2026-11-24T14:00:00Z'), closesAt: new Date('2026-11-25T14:00:00Z') }, records: [] });
    const parsed = parseClearingFile(text);
    assert.ok(parsed.ok);
    assert.equal(clearingFileChecksum(text), parsed.value.checksum);
    assert.throws(() => clearingFileChecksum('not a file'));
  });
});
