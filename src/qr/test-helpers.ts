/** Assertions and payload builders shared by the qr tests. */
import assert from 'node:assert/strict';
import { amount, currency } from '../money/index.ts';
import type { Result } from '../platform/result.ts';
import { appendCrc } from './crc.ts';
import type { QrError, QrErrorCode } from './errors.ts';
import { buildDataObjects } from './tlv.ts';
import type { DynamicMerchantQrInput } from './types.ts';

/** Asserts a failed result with `code` and returns its error for further checks. */
export function assertErr<T>(result: Result<T, QrError>, code: QrErrorCode): QrError {
  if (result.ok) assert.fail(`expected ${code}, got ok`);
  assert.equal(result.error.code, code, result.error.message);
  assert.ok(result.error.message.length > 0, 'every error has a message');
  assert.doesNotThrow(() => JSON.stringify(result.error), 'errors serialise as JSON');
  return result.error;
}

/** Asserts a successful result and returns its value. */
export function assertOk<T>(result: Result<T, QrError>): T {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A data object or template as [ID, value]; a template's value may be given as its own objects. */
export type ObjectSpec = readonly [id: string, value: string | readonly ObjectSpec[]];

function flatten(objects: readonly ObjectSpec[]): { id: string; value: string }[] {
  return objects.map(([id, value]) => ({ id, value: typeof value === 'string' ? value : buildBody(value) }));
}

/** The data objects written one after the other, without a CRC. */
export function buildBody(objects: readonly ObjectSpec[]): string {
  return buildDataObjects(flatten(objects));
}

/** A whole payload: the data objects, then a correct CRC. */
export function payloadOf(objects: readonly ObjectSpec[]): string {
  return appendCrc(buildBody(objects));
}

/**
 * The data objects of a valid static dari QR (a Korean café), in order, for
 * tables to change one thing in.
 */
export function cafeObjects(): ObjectSpec[] {
  return [
    ['00', '01'],
    ['01', '11'],
    ['26', [['00', 'com.dari'], ['01', 'M0001']]],
    ['52', '5814'],
    ['53', '410'],
    ['58', 'KR'],
    ['59', 'Cafe Dari'],
    ['60', 'Seoul'],
  ];
}

/** `objects` with data object `id` replaced (in place) or, with `undefined`, removed; added at the end when absent. */
export function withObject(
  objects: readonly ObjectSpec[],
  id: string,
  value: string | readonly ObjectSpec[] | undefined,
): ObjectSpec[] {
  const index = objects.findIndex(([existing]) => existing === id);
  if (value === undefined) return objects.filter(([existing]) => existing !== id);
  if (index === -1) return [...objects, [id, value]];
  return objects.map((object, i) => (i === index ? [id, value] : object));
}

export const KRW = currency('KRW');
export const CNY = currency('CNY');

/** A valid dynamic order QR input: a Korean restaurant, 15,000 won, with a Chinese name. */
export function orderInput(): DynamicMerchantQrInput {
  return {
    initiation: 'dynamic',
    amount: amount(KRW, 15_000n),
    orderReference: 'ORD-0001',
    dari: { merchantId: 'M123456', storeId: 'S01' },
    merchantCategoryCode: '5812',
    currency: KRW,
    countryCode: 'KR',
    merchantName: 'Myeongdong Kimbap',
    merchantCity: 'Seoul',
    languageTemplate: { languagePreference: 'ZH', merchantName: '明洞紫菜包饭', merchantCity: '首尔' },
  };
}
