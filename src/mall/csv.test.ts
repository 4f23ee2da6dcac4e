import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCsv } from './csv.ts';

const LIMITS = { recordsMax: 100, fieldCharsMax: 50 };
const fields = (text: string) => {
  const parsed = parseCsv(text, LIMITS);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  return parsed.value.map((r) => [r.line, ...r.fields]);
};
const refusal = (text: string, limits = LIMITS) => {
  const parsed = parseCsv(text, limits);
  assert.ok(!parsed.ok, `refused: ${JSON.stringify(text)}`);
  return parsed.error;
};

describe('reading CSV (RFC 4180)', () => {
  it('reads records and fields with LF or CRLF, with or without a last line break', () => {
    assert.deepEqual(fields('a,b\n1,2\n'), [[1, 'a', 'b'], [2, '1', '2']]);
    assert.deepEqual(fields('a,b\r\n1,2'), [[1, 'a', 'b'], [2, '1', '2']]);
  });

  it('keeps empty fields, at the start, the middle and the end of a record', () => {
    assert.deepEqual(fields(',x,,\n'), [[1, '', 'x', '', '']]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, naming the line each record starts on', () => {
    assert.deepEqual(fields('"a,1","say ""hi""","two\nlines"\nnext,"",x\n'), [
      [1, 'a,1', 'say "hi"', 'two\nlines'],
      [3, 'next', '', 'x'],
    ]);
  });

  it('skips blank lines and a byte order mark, and counts the lines it skips', () => {
    assert.deepEqual(fields('\ufeffsku,title\n\n\r\nA-1,코트\n'), [[1, 'sku', 'title'], [4, 'A-1', '코트']]);
  });

  it('refuses a quote left open, text after a closing quote, a stray quote, too many records, too long a field', () => {
    assert.deepEqual(refusal('a,b\n"open,c\n'), { kind: 'invalid-csv', line: 2, message: 'a quoted field is never closed' });
    assert.equal(refusal('"a"b,c\n').line, 1);
    assert.equal(refusal('x\nab"c\n').line, 2);
    assert.match(refusal('a\nb\nc\n', { recordsMax: 2, fieldCharsMax: 10 }).message, /more than 2 records/);
    assert.match(refusal('abcdef\n', { recordsMax: 2, fieldCharsMax: 5 }).message, /longer than 5/);
    assert.match(refusal('"abc""def"\n', { recordsMax: 2, fieldCharsMax: 6 }).message, /longer than 6/);
  });

  it('reads back what an RFC 4180 writer writes, whatever the fields hold', () => {
    const write = (records: string[][]) => records.map((r) => r.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\r\n');
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ maxLength: 20, unit: fc.constantFrom('a', '한', ',', '"', '\n', '\r', ' ', '|') }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (records) => {
        const parsed = parseCsv(write(records), { recordsMax: 10, fieldCharsMax: 40 });
        assert.ok(parsed.ok);
        assert.deepEqual(parsed.value.map((r) => r.fields), records);
      }),
    );
  });
});
