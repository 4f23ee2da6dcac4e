/**
 * Reading a CSV file as RFC 4180 writes it (what spreadsheets export):
 * fields separated by commas, records by CRLF or LF, a field in double quotes
 * may hold commas, line breaks and doubled quotes. UTF-8; a leading byte
 * order mark (Excel writes one) is skipped. Blank lines are skipped.
 *
 * A malformed quote makes the rest of the file unreadable (where the next
 * record starts is unknown), so it fails the whole file, naming its line;
 * a record with the wrong number of fields is the caller's to report.
 */
import { err, ok, type Result } from '../platform/result.ts';

export interface CsvRecord {
  /** The line of the file the record starts on, from 1. */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvLimits {
  /** Most records, the header included. */
  readonly recordsMax: number;
  /** Longest field, in UTF-16 code units. */
  readonly fieldCharsMax: number;
}

export type CsvError = { readonly kind: 'invalid-csv'; readonly line: number; readonly message: string };

const QUOTE = '"';
const COMMA = ',';
const BYTE_ORDER_MARK = '\ufeff';

export function parseCsv(input: string, limits: CsvLimits): Result<readonly CsvRecord[], CsvError> {
  const text = input.startsWith(BYTE_ORDER_MARK) ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      // A blank line.
      i += text[i] === '\r' ? 2 : 1;
      line += 1;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    for (;;) {
      const field = readField(text, i, line, limits.fieldCharsMax);
      if (!field.ok) return field;
      fields.push(field.value.text);
      ({ next: i, line } = field.value);
      if (i >= text.length) break;
      if (text[i] === COMMA) {
        i += 1;
        continue;
      }
      // End of record: LF or CRLF (readField stops only at these, a comma, or the end).
      i += text[i] === '\r' ? 2 : 1;
      line += 1;
      break;
    }
    records.push({ line: start, fields });
    if (records.length > limits.recordsMax) return err({ kind: 'invalid-csv', line: start, message: `more than ${limits.recordsMax} records` });
  }
  return ok(records);
}

/** One field from `start`: its text, where the next comma or line break (or the end) is, and the line it is on. */
function readField(text: string, start: number, startLine: number, charsMax: number): Result<{ readonly text: string; readonly next: number; readonly line: number }, CsvError> {
  let line = startLine;
  const tooLong = (): Result<never, CsvError> => err({ kind: 'invalid-csv', line: startLine, message: `a field longer than ${charsMax} characters` });
  if (text[start] !== QUOTE) {
    let end = start;
    while (end < text.length && text[end] !== COMMA && text[end] !== '\n' && !(text[end] === '\r' && text[end + 1] === '\n')) {
      if (text[end] === QUOTE) return err({ kind: 'invalid-csv', line, message: 'a double quote inside a field that does not start with one: quote the whole field and double the quote' });
      end += 1;
    }
    if (end - start > charsMax) return tooLong();
    return ok({ text: text.slice(start, end), next: end, line });
  }
  const parts: string[] = [];
  let length = 0;
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf(QUOTE, from);
    if (quote < 0) return err({ kind: 'invalid-csv', line: startLine, message: 'a quoted field is never closed' });
    const part = text.slice(from, quote);
    line += countLineBreaks(part);
    length += part.length;
    if (length > charsMax) return tooLong();
    parts.push(part);
    if (text[quote + 1] === QUOTE) {
      parts.push(QUOTE);
      length += 1;
      from = quote + 2;
      continue;
    }
    const next = quote + 1;
    const after = text[next];
    if (next < text.length && after !== COMMA && after !== '\n' && !(after === '\r' && text[next + 1] === '\n')) {
      return err({ kind: 'invalid-csv', line, message: 'text after the closing quote of a field' });
    }
    return ok({ text: parts.join(''), next, line });
  }
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}
