/**
 * The ID–length–value layout of EMV QRCPS MPM ("Data Objects"): a two-digit
 * ID "00"–"99", a two-digit length "01"–"99", then that many characters of
 * value. A template's value is itself a sequence of data objects, read with
 * the same function. Lengths and positions count characters (Unicode code
 * points), not bytes or UTF-16 units, as the spec's "S" format requires.
 */
import { err, ok, type Result } from '../platform/result.ts';
import { QrInvariantError, badLength, badTag, duplicateTag, quote, truncated, type QrError } from './errors.ts';
import {
  DATA_OBJECT_HEADER_CHARS,
  DATA_OBJECT_VALUE_CHARS_MAX,
  DATA_OBJECT_VALUE_CHARS_MIN,
  isDataObjectId,
} from './spec.ts';
import type { DataObject, TemplateField } from './types.ts';

/** Where a sequence of data objects sits: its first character's offset in the payload, and the enclosing template's ID path. */
export interface DataObjectsLocation {
  readonly offset: number;
  /** ID path of the template the sequence is the value of ("62", "26"); absent at the root. */
  readonly parent?: string;
}

const ID_CHARS = 2;
const LENGTH_PATTERN = /^[0-9]{2}$/;

/** Number of characters (code points) in `text`: "北京" is 2, although it is 6 UTF-8 bytes. */
export function charLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** ID path of a data object: "59" at the root, "62.05" inside template 62. */
export function tagPath(parent: string | undefined, id: string): string {
  return parent === undefined ? id : `${parent}.${id}`;
}

/**
 * Splits `text` into data objects, in order, refusing anything that is not
 * exactly a sequence of them: an ID that is not two digits, a length that is
 * not two digits or is "00", a value running past the end, and an ID that
 * appears twice at the same level (which value would count?). Positions in
 * the result and in errors are offsets in the whole payload, from
 * `location.offset`.
 */
export function parseDataObjects(
  text: string,
  location: DataObjectsLocation = { offset: 0 },
): Result<DataObject[], QrError> {
  const chars = Array.from(text);
  const { offset, parent } = location;
  const objects: DataObject[] = [];
  const seen = new Set<string>();
  let index = 0;
  while (index < chars.length) {
    const position = offset + index;
    const id = chars.slice(index, index + ID_CHARS).join('');
    if (id.length < ID_CHARS) return err(truncated(position, 'a data object ID needs two digits', parent));
    if (!isDataObjectId(id)) return err(badTag(position, id, parent));
    const tag = tagPath(parent, id);
    const lengthText = chars.slice(index + ID_CHARS, index + DATA_OBJECT_HEADER_CHARS).join('');
    if (index + DATA_OBJECT_HEADER_CHARS > chars.length) {
      return err(truncated(position, 'the length field needs two digits', tag));
    }
    if (!LENGTH_PATTERN.test(lengthText)) {
      return err(badLength(tag, position, `the length ${quote(lengthText)} is not two digits`));
    }
    const length = Number.parseInt(lengthText, 10);
    if (length < DATA_OBJECT_VALUE_CHARS_MIN) {
      return err(badLength(tag, position, 'a length of "00" is not allowed: every data object has a value'));
    }
    const start = index + DATA_OBJECT_HEADER_CHARS;
    const left = chars.length - start;
    if (left < length) return err(truncated(position, `${length} characters announced, ${left} left`, tag));
    if (seen.has(id)) return err(duplicateTag(tag, position));
    seen.add(id);
    objects.push({ id, value: chars.slice(start, start + length).join(''), position });
    index = start + length;
  }
  return ok(objects);
}

/**
 * Writes one data object: ID, two-digit length in characters, value. Throws
 * `QrInvariantError` for an ID that is not two digits or a value outside
 * 1–99 characters: callers validate first, so that is a bug.
 */
export function buildDataObject(id: string, value: string): string {
  const length = charLength(value);
  if (!isDataObjectId(id)) throw new QrInvariantError(`data object ID must be two digits, got ${quote(id)}`);
  if (length < DATA_OBJECT_VALUE_CHARS_MIN || length > DATA_OBJECT_VALUE_CHARS_MAX) {
    throw new QrInvariantError(`data object ${id} value must be 1–99 characters, got ${length}`);
  }
  return `${id}${String(length).padStart(2, '0')}${value}`;
}

/** Writes data objects one after the other, in the order given (a template's value, or a payload's body). */
export function buildDataObjects(objects: readonly TemplateField[]): string {
  return objects.map(({ id, value }) => buildDataObject(id, value)).join('');
}
