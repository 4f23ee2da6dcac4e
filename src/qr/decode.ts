/**
 * Reads any merchant-presented QR, dari's or another scheme's, and says
 * exactly what is wrong with a bad one. The checks run from the outside in:
 * the text (empty, too long, not an EMV QR, control characters), then the CRC
 * (a damaged or altered QR is reported as such before anything inside it is
 * trusted), then the ID–length–value structure, then each data object.
 * Decoding never throws, whatever the string.
 */
import { parseNumericCurrency, type Amount, type Currency } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { CRC_HEADER, crcHex } from './crc.ts';
import { checkDariInitiation, isDariGuid, readDariTemplate } from './dari.ts';
import {
  badCharacter,
  badFormatIndicator,
  badLength,
  badMerchantAccount,
  badValue,
  crcMismatch,
  crcNotLast,
  emptyPayload,
  missingField,
  quote,
  tooLong,
  unexpectedField,
  unknownCurrency,
  type QrError,
} from './errors.ts';
import {
  checkConsumerDataRequest,
  checkText,
  firstBadCharacter,
  parseFeePercentage,
  parseQrAmount,
} from './fields.ts';
import {
  ADDITIONAL_DATA_RULES,
  ADDITIONAL_DATA_SUB_TAG,
  CRC_HEX_CHARS,
  DATA_OBJECT_HEADER_CHARS,
  GUID_SUB_TAG,
  LANGUAGE_RULES,
  LANGUAGE_SUB_TAG,
  MERCHANT_ACCOUNT_TAG_MAX,
  MERCHANT_ACCOUNT_TAG_MIN,
  PAYLOAD_FORMAT_INDICATOR,
  POINT_OF_INITIATION,
  QR_PAYLOAD_CHARS_MAX,
  ROOT_TEXT_RULES,
  TAG,
  TIP_INDICATOR,
  guidRule,
  isMerchantAccountTag,
  isMerchantAccountTemplateTag,
  type AdditionalDataField,
  type TextRule,
} from './spec.ts';
import { buildDataObject, charLength, parseDataObjects } from './tlv.ts';
import type {
  DariMerchantAccount,
  DataObject,
  DecodedAdditionalData,
  DecodedMerchantQr,
  Initiation,
  MerchantAccount,
  MerchantLanguage,
  TipOrConvenienceFee,
} from './types.ts';

/** Every payload this version reads begins with the Payload Format Indicator, "000201". */
const FORMAT_INDICATOR_OBJECT = buildDataObject(TAG.payloadFormatIndicator, PAYLOAD_FORMAT_INDICATOR);

const CRC_VALUE_PATTERN = /^[0-9A-F]{4}$/;
const COUNTRY_CODE_PATTERN = /^[A-Z]{2}$/;
const LANGUAGE_PATTERN = /^[A-Za-z]{2}$/;

type Objects = ReadonlyMap<string, DataObject>;

/**
 * Decodes a merchant-presented QR payload (EMV QRCPS MPM), checking the CRC,
 * the structure and every data object dari knows; data objects it does not
 * know are kept in `dataObjects`. A QR carrying dari's template (GUID
 * `DARI_GUID`) is also checked against dari's scheme and exposes `dari`.
 * Returns a `QrError` naming the problem and where it is; never throws.
 */
export function decodeMerchantQr(payload: string): Result<DecodedMerchantQr, QrError> {
  const textProblem = checkPayloadText(payload);
  if (textProblem !== undefined) return err(textProblem);
  const crcProblem = checkCrc(payload);
  if (crcProblem !== undefined) return err(crcProblem);
  const objects = parseDataObjects(payload);
  if (!objects.ok) return objects;
  const crc = checkLayout(objects.value);
  if (!crc.ok) return crc;
  return readPayload(objects.value, crc.value);
}

function checkPayloadText(payload: unknown): QrError | undefined {
  if (typeof payload !== 'string' || payload.length === 0) return emptyPayload();
  const lengthChars = charLength(payload);
  if (lengthChars > QR_PAYLOAD_CHARS_MAX) return tooLong(lengthChars, QR_PAYLOAD_CHARS_MAX);
  if (!payload.startsWith(FORMAT_INDICATOR_OBJECT)) return formatIndicatorProblem(payload);
  const bad = firstBadCharacter(payload);
  return bad === undefined ? undefined : badCharacter(bad.index, bad.codePoint);
}

function formatIndicatorProblem(payload: string): QrError {
  const start = Array.from(payload).slice(0, FORMAT_INDICATOR_OBJECT.length).join('');
  if (/^0002[0-9]{2}$/.test(start)) {
    const version = start.slice(DATA_OBJECT_HEADER_CHARS);
    return badFormatIndicator(`payload format indicator ${quote(version)} is not supported; dari reads "01"`);
  }
  const why = `it must begin with the payload format indicator ${quote(FORMAT_INDICATOR_OBJECT)}, not ${quote(start)}`;
  return badFormatIndicator(`not an EMV merchant-presented QR: ${why}`);
}

/**
 * When the payload ends as a CRC object does ("6304" and four characters),
 * checks the checksum before anything else, so that a damaged QR is reported
 * as damaged. A payload that does not end so is refused by `checkLayout`.
 */
function checkCrc(payload: string): QrError | undefined {
  const chars = Array.from(payload);
  const headerAt = chars.length - CRC_HEADER.length - CRC_HEX_CHARS;
  if (headerAt < 0 || chars.slice(headerAt, headerAt + CRC_HEADER.length).join('') !== CRC_HEADER) return undefined;
  const found = chars.slice(-CRC_HEX_CHARS).join('');
  if (!CRC_VALUE_PATTERN.test(found)) {
    return badValue('crc', TAG.crc, headerAt, `must be four upper-case hexadecimal characters, got ${quote(found)}`);
  }
  const expected = crcHex(chars.slice(0, -CRC_HEX_CHARS).join(''));
  return expected === found ? undefined : crcMismatch(expected, found);
}

/** The CRC is present, last, and four characters long; returns its value (already verified by `checkCrc`). */
function checkLayout(objects: readonly DataObject[]): Result<string, QrError> {
  const index = objects.findIndex((object) => object.id === TAG.crc);
  const crc = objects[index];
  if (crc === undefined) {
    const why = 'a merchant QR ends with its checksum, "6304" and four hexadecimal characters';
    return err(missingField('crc', TAG.crc, why));
  }
  if (index !== objects.length - 1) return err(crcNotLast(crc.position));
  const length = charLength(crc.value);
  if (length !== CRC_HEX_CHARS) {
    return err(badLength(TAG.crc, crc.position, `the CRC is ${CRC_HEX_CHARS} characters long, not ${length}`));
  }
  return ok(crc.value);
}

function readPayload(objects: readonly DataObject[], crc: string): Result<DecodedMerchantQr, QrError> {
  const root: Objects = new Map(objects.map((object) => [object.id, object]));
  const initiation = readInitiation(root.get(TAG.pointOfInitiationMethod));
  if (!initiation.ok) return initiation;
  const accounts = readMerchantAccounts(objects);
  if (!accounts.ok) return accounts;
  const value = readTransactionValue(root);
  if (!value.ok) return value;
  const merchant = readMerchantInformation(root);
  if (!merchant.ok) return merchant;
  const additionalData = readAdditionalData(root.get(TAG.additionalData));
  if (!additionalData.ok) return additionalData;
  const languageTemplate = readLanguage(root.get(TAG.languageTemplate));
  if (!languageTemplate.ok) return languageTemplate;
  const { dari } = accounts.value;
  if (dari !== undefined) {
    const hasAmount = value.value.amount !== undefined;
    const problem = checkDariInitiation(dari, { initiation: initiation.value, hasAmount });
    if (problem !== undefined) return err(problem);
  }
  return ok({
    initiation: initiation.value,
    merchantAccounts: accounts.value.accounts,
    ...(dari === undefined ? {} : { dari }),
    ...merchant.value,
    ...value.value,
    ...(additionalData.value === undefined ? {} : { additionalData: additionalData.value }),
    ...(languageTemplate.value === undefined ? {} : { languageTemplate: languageTemplate.value }),
    crc,
    dataObjects: objects,
  });
}

/** The data object `id` of `objects`, checked against `rule`; missing is an error. */
function readRequired(objects: Objects, id: string, rule: TextRule): Result<DataObject, QrError> {
  const object = objects.get(id);
  if (object === undefined) return err(missingField(rule.field, rule.tag));
  const problem = checkText(rule, object.value, object.position);
  return problem === undefined ? ok(object) : err(problem);
}

/** The data object `id` of `objects`, checked against `rule`, or undefined. */
function readOptional(objects: Objects, id: string, rule: TextRule): Result<DataObject | undefined, QrError> {
  return objects.has(id) ? readRequired(objects, id, rule) : ok(undefined);
}

/** The sub-fields of a template, with their positions in the payload. */
function readTemplate(template: DataObject, parent: string): Result<DataObject[], QrError> {
  return parseDataObjects(template.value, { offset: template.position + DATA_OBJECT_HEADER_CHARS, parent });
}

function readInitiation(object: DataObject | undefined): Result<Initiation, QrError> {
  // ID 01 is optional; without it nothing says the QR is single-use, so it is read as static.
  if (object === undefined || object.value === POINT_OF_INITIATION.static) return ok('static');
  if (object.value === POINT_OF_INITIATION.dynamic) return ok('dynamic');
  const why = `must be "11" (static) or "12" (dynamic), got ${quote(object.value)}`;
  return err(badValue('pointOfInitiationMethod', TAG.pointOfInitiationMethod, object.position, why));
}

interface MerchantAccounts {
  readonly accounts: readonly MerchantAccount[];
  readonly dari?: DariMerchantAccount;
}

function readMerchantAccounts(objects: readonly DataObject[]): Result<MerchantAccounts, QrError> {
  const accounts: MerchantAccount[] = [];
  let dari: DariMerchantAccount | undefined;
  for (const object of objects) {
    const { id: tag, position } = object;
    if (!isMerchantAccountTag(tag)) continue;
    if (!isMerchantAccountTemplateTag(tag)) {
      accounts.push({ kind: 'primitive', tag, value: object.value });
      continue;
    }
    const fields = readTemplate(object, tag);
    if (!fields.ok) return fields;
    const guid = fields.value.find((field) => field.id === GUID_SUB_TAG);
    if (guid === undefined) {
      const why = 'a template names its scheme in sub-ID 00 (globally unique identifier); this one has none';
      return err(badMerchantAccount(tag, position, why));
    }
    const guidProblem = checkText(guidRule(tag), guid.value, guid.position);
    if (guidProblem !== undefined) return err(guidProblem);
    const others = fields.value.filter((field) => field.id !== GUID_SUB_TAG);
    accounts.push({ kind: 'template', tag, guid: guid.value, fields: others.map(({ id, value }) => ({ id, value })) });
    if (!isDariGuid(guid.value)) continue;
    if (dari !== undefined) {
      return err(badMerchantAccount(tag, position, `a second dari template; the first is in tag ${dari.tag}`));
    }
    const read = readDariTemplate(tag, others, position);
    if (!read.ok) return read;
    dari = read.value;
  }
  if (accounts.length === 0) {
    const range = `${String(MERCHANT_ACCOUNT_TAG_MIN).padStart(2, '0')}–${MERCHANT_ACCOUNT_TAG_MAX}`;
    return err(missingField('merchantAccountInformation', range, 'a QR names at least one account the merchant is paid to'));
  }
  return ok(dari === undefined ? { accounts } : { accounts, dari });
}

interface TransactionValue {
  readonly currency: Currency;
  readonly amount?: Amount;
  readonly tip?: TipOrConvenienceFee;
}

function readTransactionValue(root: Objects): Result<TransactionValue, QrError> {
  const currencyObject = readRequired(root, TAG.transactionCurrency, ROOT_TEXT_RULES.transactionCurrency);
  if (!currencyObject.ok) return currencyObject;
  const { value: numericCode, position } = currencyObject.value;
  const currency = parseNumericCurrency(numericCode);
  if (!currency.ok) return err(unknownCurrency(numericCode, TAG.transactionCurrency, position));
  const amountObject = readOptional(root, TAG.transactionAmount, ROOT_TEXT_RULES.transactionAmount);
  if (!amountObject.ok) return amountObject;
  let amount: Amount | undefined;
  if (amountObject.value !== undefined) {
    const { value, position: amountPosition } = amountObject.value;
    const location = { ...ROOT_TEXT_RULES.transactionAmount, position: amountPosition };
    const parsed = parseQrAmount(value, currency.value, location);
    if (!parsed.ok) return parsed;
    amount = parsed.value;
  }
  const tip = readTip(root, currency.value);
  if (!tip.ok) return tip;
  return ok({
    currency: currency.value,
    ...(amount === undefined ? {} : { amount }),
    ...(tip.value === undefined ? {} : { tip: tip.value }),
  });
}

/**
 * ID 55 and its value: "01" prompts for a tip; "02" requires ID 56 (a fixed
 * fee) and "03" requires ID 57 (a percentage); IDs 56 and 57 are absent otherwise.
 */
function readTip(root: Objects, currency: Currency): Result<TipOrConvenienceFee | undefined, QrError> {
  const indicator = readOptional(root, TAG.tipOrConvenienceIndicator, ROOT_TEXT_RULES.tipOrConvenienceIndicator);
  if (!indicator.ok) return indicator;
  const kind = indicator.value?.value;
  const fixed = root.get(TAG.convenienceFeeFixed);
  const percentage = root.get(TAG.convenienceFeePercentage);
  if (fixed !== undefined && kind !== TIP_INDICATOR.fixedFee) {
    const why = 'a fixed fee comes only with indicator "02" in tag 55';
    return err(unexpectedField('convenienceFeeFixed', TAG.convenienceFeeFixed, fixed.position, why));
  }
  if (percentage !== undefined && kind !== TIP_INDICATOR.percentageFee) {
    const why = 'a percentage fee comes only with indicator "03" in tag 55';
    return err(unexpectedField('convenienceFeePercentage', TAG.convenienceFeePercentage, percentage.position, why));
  }
  switch (kind) {
    case undefined:
      return ok(undefined);
    case TIP_INDICATOR.prompt:
      return ok({ kind: 'prompt' });
    case TIP_INDICATOR.fixedFee: {
      const object = readRequired(root, TAG.convenienceFeeFixed, ROOT_TEXT_RULES.convenienceFeeFixed);
      if (!object.ok) return object;
      const location = { ...ROOT_TEXT_RULES.convenienceFeeFixed, position: object.value.position };
      const fee = parseQrAmount(object.value.value, currency, location);
      return fee.ok ? ok({ kind: 'fixed-fee', fee: fee.value }) : fee;
    }
    case TIP_INDICATOR.percentageFee: {
      const object = readRequired(root, TAG.convenienceFeePercentage, ROOT_TEXT_RULES.convenienceFeePercentage);
      if (!object.ok) return object;
      const location = { ...ROOT_TEXT_RULES.convenienceFeePercentage, position: object.value.position };
      const feeBps = parseFeePercentage(object.value.value, location);
      return feeBps.ok ? ok({ kind: 'percentage-fee', feeBps: feeBps.value }) : feeBps;
    }
    default: {
      const why = `must be "01" (prompt for a tip), "02" (fixed fee) or "03" (percentage fee), got ${quote(kind)}`;
      return err(badValue('tipOrConvenienceIndicator', TAG.tipOrConvenienceIndicator, indicator.value?.position, why));
    }
  }
}

interface MerchantInformation {
  readonly merchantCategoryCode: string;
  readonly countryCode: string;
  readonly merchantName: string;
  readonly merchantCity: string;
  readonly postalCode?: string;
}

function readMerchantInformation(root: Objects): Result<MerchantInformation, QrError> {
  const mcc = readRequired(root, TAG.merchantCategoryCode, ROOT_TEXT_RULES.merchantCategoryCode);
  if (!mcc.ok) return mcc;
  const country = readRequired(root, TAG.countryCode, ROOT_TEXT_RULES.countryCode);
  if (!country.ok) return country;
  if (!COUNTRY_CODE_PATTERN.test(country.value.value)) {
    const why = `must be an ISO 3166-1 alpha-2 code in capitals, got ${quote(country.value.value)}`;
    return err(badValue('countryCode', TAG.countryCode, country.value.position, why));
  }
  const name = readRequired(root, TAG.merchantName, ROOT_TEXT_RULES.merchantName);
  if (!name.ok) return name;
  const city = readRequired(root, TAG.merchantCity, ROOT_TEXT_RULES.merchantCity);
  if (!city.ok) return city;
  const postal = readOptional(root, TAG.postalCode, ROOT_TEXT_RULES.postalCode);
  if (!postal.ok) return postal;
  return ok({
    merchantCategoryCode: mcc.value.value,
    countryCode: country.value.value,
    merchantName: name.value.value,
    merchantCity: city.value.value,
    ...(postal.value === undefined ? {} : { postalCode: postal.value.value }),
  });
}

function readAdditionalData(template: DataObject | undefined): Result<DecodedAdditionalData | undefined, QrError> {
  if (template === undefined) return ok(undefined);
  const fields = readTemplate(template, TAG.additionalData);
  if (!fields.ok) return fields;
  const byId: Objects = new Map(fields.value.map((field) => [field.id, field]));
  const named: Record<string, string> = {};
  for (const [field, subTag] of Object.entries(ADDITIONAL_DATA_SUB_TAG) as [AdditionalDataField, string][]) {
    const rule = ADDITIONAL_DATA_RULES[field];
    const object = readOptional(byId, subTag, rule);
    if (!object.ok) return object;
    if (object.value === undefined) continue;
    if (field === 'additionalConsumerDataRequest') {
      const problem = checkConsumerDataRequest(object.value.value, { ...rule, position: object.value.position });
      if (problem !== undefined) return err(problem);
    }
    named[field] = object.value.value;
  }
  return ok({ ...named, fields: fields.value.map(({ id, value }) => ({ id, value })) });
}

function readLanguage(template: DataObject | undefined): Result<MerchantLanguage | undefined, QrError> {
  if (template === undefined) return ok(undefined);
  const fields = readTemplate(template, TAG.languageTemplate);
  if (!fields.ok) return fields;
  const byId: Objects = new Map(fields.value.map((field) => [field.id, field]));
  const preference = readRequired(byId, LANGUAGE_SUB_TAG.languagePreference, LANGUAGE_RULES.languagePreference);
  if (!preference.ok) return preference;
  if (!LANGUAGE_PATTERN.test(preference.value.value)) {
    const why = `must be an ISO 639-1 code of two letters, got ${quote(preference.value.value)}`;
    return err(badValue('languagePreference', LANGUAGE_RULES.languagePreference.tag, preference.value.position, why));
  }
  const name = readRequired(byId, LANGUAGE_SUB_TAG.merchantName, LANGUAGE_RULES.merchantName);
  if (!name.ok) return name;
  const city = readOptional(byId, LANGUAGE_SUB_TAG.merchantCity, LANGUAGE_RULES.merchantCity);
  if (!city.ok) return city;
  return ok({
    languagePreference: preference.value.value,
    merchantName: name.value.value,
    ...(city.value === undefined ? {} : { merchantCity: city.value.value }),
  });
}
