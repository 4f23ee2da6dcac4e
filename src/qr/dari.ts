/**
 * dari's own Merchant Account Information template. dari writes it in ID 26
 * and reads it in any of IDs 26–51, found by its globally unique identifier
 * (EMV QRCPS MPM: templates 26–51 carry a GUID in sub-ID 00, "a reverse
 * domain name" or an AID, so the ID itself says nothing about the scheme).
 *
 * | sub-ID | field          | presence                     |
 * |--------|----------------|------------------------------|
 * | 00     | GUID           | "com.dari"                   |
 * | 01     | merchantId     | always                       |
 * | 02     | storeId        | optional                     |
 * | 03     | orderReference | exactly when the QR is dynamic |
 *
 * The order reference lives in dari's template, not in the Additional Data
 * Field Template's bill number or reference label (ID 62), because it is the
 * acquirer's routing key for the payment, and ID 62 belongs to the merchant's
 * own labels. Other sub-IDs are kept and ignored, so that a later version of
 * the scheme can add fields that older wallets pass over.
 */
import { err, ok, type Result } from '../platform/result.ts';
import { badMerchantAccount, badValue, missingField, quote, unexpectedField, valueTooLong, type QrError } from './errors.ts';
import { TAG } from './spec.ts';
import { tagPath } from './tlv.ts';
import type {
  DariAccountInput,
  DariMerchantAccount,
  DariMerchantQr,
  DecodedMerchantQr,
  Initiation,
  MerchantAccount,
  TemplateField,
} from './types.ts';

/** The GUID of dari's template: a reverse domain name, as the spec suggests. Read case-insensitively, written in lower case. */
export const DARI_GUID = 'com.dari';

/** The Merchant Account Information ID dari writes its template in. */
export const DARI_MERCHANT_ACCOUNT_TAG = '26';

/** Sub-IDs of dari's template after the GUID. */
export const DARI_SUB_TAG = { merchantId: '01', storeId: '02', orderReference: '03' } as const;

/**
 * Longest merchant id, store id and order reference, in characters. With all
 * three at the maximum the template is exactly 99 characters, the most a data
 * object holds: 12 for the GUID, 3 × (4 + 25).
 */
export const DARI_ID_CHARS_MAX = 25;

/** Letters, digits, '.', '_' and '-': ids that survive any QR reader, URL and log line unchanged. */
const DARI_ID_PATTERN = /^[A-Za-z0-9._-]+$/;

/** True for dari's GUID, in any letter case. */
export function isDariGuid(guid: string): boolean {
  return guid.toLowerCase() === DARI_GUID;
}

/** A template field with, when decoding, the position of its data object. */
type LocatedField = TemplateField & { readonly position?: number };

type DariIdField = 'merchantId' | 'storeId' | 'orderReference';

function checkDariId(field: DariIdField, value: string, tag: string, position?: number): QrError | undefined {
  const length = Array.from(value).length;
  if (length > DARI_ID_CHARS_MAX) return valueTooLong(field, tag, position, { chars: length, charsMax: DARI_ID_CHARS_MAX });
  if (!DARI_ID_PATTERN.test(value)) {
    return badValue(field, tag, position, `${quote(value)} is not a dari id: letters, digits, '.', '_' or '-'`);
  }
  return undefined;
}

/** dari's template for a QR to encode, checked. */
export function buildDariTemplate(dari: DariAccountInput, orderReference?: string): Result<MerchantAccount, QrError> {
  const tag = DARI_MERCHANT_ACCOUNT_TAG;
  const entries: [DariIdField, string | undefined][] = [
    ['merchantId', dari.merchantId],
    ['storeId', dari.storeId],
    ['orderReference', orderReference],
  ];
  const fields: TemplateField[] = [];
  for (const [field, value] of entries) {
    if (value === undefined) continue;
    const problem = checkDariId(field, value, tagPath(tag, DARI_SUB_TAG[field]));
    if (problem !== undefined) return err(problem);
    fields.push({ id: DARI_SUB_TAG[field], value });
  }
  return ok({ kind: 'template', tag, guid: DARI_GUID, fields });
}

/** Reads dari's template from its sub-fields (the GUID already matched). */
export function readDariTemplate(
  tag: string,
  fields: readonly LocatedField[],
  position?: number,
): Result<DariMerchantAccount, QrError> {
  const found: Partial<Record<DariIdField, string>> = {};
  for (const field of ['merchantId', 'storeId', 'orderReference'] as const) {
    const subTag = DARI_SUB_TAG[field];
    const object = fields.find((f) => f.id === subTag);
    if (object === undefined) continue;
    const problem = checkDariId(field, object.value, tagPath(tag, subTag), object.position);
    if (problem !== undefined) return err(problem);
    found[field] = object.value;
  }
  const { merchantId, storeId, orderReference } = found;
  if (merchantId === undefined) {
    return err(badMerchantAccount(tag, position, `dari's template has no merchant id (sub-ID ${DARI_SUB_TAG.merchantId})`));
  }
  return ok({
    tag,
    merchantId,
    ...(storeId === undefined ? {} : { storeId }),
    ...(orderReference === undefined ? {} : { orderReference }),
  });
}

/**
 * The rules of dari's scheme across data objects: a dynamic dari QR is an
 * order, so it carries the order reference and the amount; a static one
 * carries no order reference (it would be paid many times).
 */
export function checkDariInitiation(
  dari: DariMerchantAccount,
  qr: { readonly initiation: Initiation; readonly hasAmount: boolean },
): QrError | undefined {
  const referenceTag = tagPath(dari.tag, DARI_SUB_TAG.orderReference);
  if (qr.initiation === 'dynamic' && dari.orderReference === undefined) {
    return missingField('orderReference', referenceTag, 'a dynamic dari QR names the order it was made for');
  }
  if (qr.initiation === 'static' && dari.orderReference !== undefined) {
    return unexpectedField('orderReference', referenceTag, undefined, 'a static QR is paid many times, never for one order');
  }
  if (qr.initiation === 'dynamic' && !qr.hasAmount) {
    return missingField('transactionAmount', TAG.transactionAmount, "a dynamic dari QR carries the order's amount");
  }
  return undefined;
}

/** True when a decoded QR carries dari's template, which `qr.dari` then holds. */
export function isDariMerchant(qr: DecodedMerchantQr): qr is DariMerchantQr {
  return qr.dari !== undefined;
}
