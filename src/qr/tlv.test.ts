import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QrInvariantError, buildDataObject, buildDataObjects, charLength, parseDataObjects, type QrErrorCode } from './index.ts';
import { assertErr, assertOk } from './test-helpers.ts';

describe('parseDataObjects', () => {
  it('splits a sequence into IDs and values, with positions', () => {
    assert.deepEqual(assertOk(parseDataObjects('000201010211')), [
      { id: '00', value: '01', position: 0 },
      { id: '01', value: '11', position: 6 },
    ]);
  });

  it('reads a template value at its offset in the payload, with ID paths in errors', () => {
    const fields = assertOk(parseDataObjects('0008com.dari0105M0001', { offset: 12, parent: '26' }));
    assert.deepEqual(fields, [
      { id: '00', value: 'com.dari', position: 12 },
      { id: '01', value: 'M0001', position: 24 },
    ]);
    const error = assertErr(parseDataObjects('0008com.dari0109M0001', { offset: 12, parent: '26' }), 'QR_TRUNCATED');
    assert.deepEqual({ ...error, message: '' }, { code: 'QR_TRUNCATED', tag: '26.01', position: 24, message: '' });
  });

  it('counts lengths and positions in characters, not bytes', () => {
    assert.deepEqual(assertOk(parseDataObjects('0102北京0002ZH')), [
      { id: '01', value: '北京', position: 0 },
      { id: '00', value: 'ZH', position: 6 },
    ]);
  });

  it('reads an empty sequence as no data objects', () => {
    assert.deepEqual(assertOk(parseDataObjects('')), []);
  });

  const refused: readonly [string, QrErrorCode, number][] = [
    ['0', 'QR_TRUNCATED', 0],
    ['000201 ', 'QR_TRUNCATED', 6],
    ['00020', 'QR_TRUNCATED', 0],
    ['0002', 'QR_TRUNCATED', 0],
    ['000', 'QR_TRUNCATED', 0],
    ['0004010', 'QR_TRUNCATED', 0],
    ['A00201', 'QR_BAD_TAG', 0],
    ['000201x10211', 'QR_BAD_TAG', 6],
    ['00 201', 'QR_BAD_LENGTH', 0],
    ['00A201', 'QR_BAD_LENGTH', 0],
    ['0000', 'QR_BAD_LENGTH', 0],
    ['000201000201', 'QR_DUPLICATE_TAG', 6],
  ];
  for (const [text, code, position] of refused) {
    it(`refuses ${JSON.stringify(text)} with ${code} at ${position}`, () => {
      const error = assertErr(parseDataObjects(text), code);
      assert.equal('position' in error ? error.position : undefined, position);
    });
  }
});

describe('buildDataObject', () => {
  it('writes ID, two-digit length in characters, value', () => {
    assert.equal(buildDataObject('59', 'Cafe'), '5904Cafe');
    assert.equal(buildDataObject('01', '北京'), '0102北京');
    assert.equal(buildDataObject('62', 'x'.repeat(99)), `6299${'x'.repeat(99)}`);
  });

  it('throws QrInvariantError for what validation should have refused', () => {
    assert.throws(() => buildDataObject('5', 'x'), QrInvariantError);
    assert.throws(() => buildDataObject('59', ''), QrInvariantError);
    assert.throws(() => buildDataObject('59', 'x'.repeat(100)), QrInvariantError);
  });

  it('is read back by parseDataObjects', () => {
    const text = buildDataObjects([
      { id: '00', value: 'ZH' },
      { id: '01', value: '明洞紫菜包饭' },
    ]);
    assert.deepEqual(
      assertOk(parseDataObjects(text)).map(({ id, value }) => ({ id, value })),
      [
        { id: '00', value: 'ZH' },
        { id: '01', value: '明洞紫菜包饭' },
      ],
    );
  });
});

describe('charLength', () => {
  it('counts code points', () => {
    assert.equal(charLength('Seoul'), 5);
    assert.equal(charLength('首尔'), 2);
    assert.equal(charLength('😀'), 1);
  });
});
