/**
 * Writes a dari merchant's QR payload: a static QR for the till, or a dynamic
 * order QR with the amount. Every value is checked against the same rules the
 * decoder applies, so that `decodeMerchantQr(encodeMerchantQr(x))` gives `x`
 * back. Data objects are written in ascending ID order, with the Payload
 * Format Indicator first and the CRC last, as EMV QRCPS MPM requires
 * (ID 64, after the CRC's ID, comes before it).
 */
import { currencyInfo, type Currency } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { appendCrc } from './crc.ts';
import { DARI_MERCHANT_ACCOUNT_TAG, buildDariTemplate, isDariGuid } from './dari.ts';
import { badMerchantAccount, badValue, duplicateTag, tooLong, valueTooLong, type QrError } from './errors.ts';
import {
  checkConsumerDataRequest,
  checkText,
  formatFeePercentage,
  formatQrAmount,
} from './fields.ts';
import {
  ADDITIONAL_DATA_RULES,
  ADDITIONAL_DATA_SUB_TAG,
  DATA_OBJECT_VALUE_CHARS_MAX,
  GUID_SUB_TAG,
  LANGUAGE_RULES,
  LANGUAGE_SUB_TAG,
  PAYLOAD_FORMAT_INDICATOR,
  POINT_OF_INITIATION,
  QR_PAYLOAD_CHARS_MAX,
  ROOT_TEXT_RULES,
  TAG,
  TIP_INDICATOR,
  guidRule,
  isDataObjectId,
  isMerchantAccountTag,
  isMerchantAccountTemplateTag,
  merchantAccountRule,
  type QrField,
  type TextRule,
} from './spec.ts';
import { buildDataObjects, charLength, tagPath } from './tlv.ts';
import type {
  AdditionalData,
  MerchantAccount,
  MerchantLanguage,
  MerchantQrInput,
  TemplateField,
  TipOrConvenienceFee,
} from './types.ts';

/** ISO 3166-1 alpha-2, in capitals as ISO writes it. */
const COUNTRY_CODE_PATTERN = /^[A-Z]{2}$/;

/** ISO 639-1, two letters; the spec's own examples write "ZH", so either case is read. */
const LANGUAGE_PATTERN = /^[A-Za-z]{2}$/;

/**
 * Encodes a dari merchant's QR. A static QR ("11") may carry an amount, for a
 * fixed price; a dynamic QR ("12") carries the order's amount and the
 * acquirer's order reference (in dari's template, ID 26). Returns the payload
 * with its CRC, or the first problem found in the input: a value too long
 * (`QR_VALUE_TOO_LONG`), malformed (`QR_BAD_VALUE`: MCC, country, characters
 * outside printable ASCII in an "ans" field), an amount that is zero, in
 * another currency or longer than 13 characters (`QR_BAD_AMOUNT`), a clash of
 * merchant account IDs (`QR_DUPLICATE_TAG`, `QR_BAD_MERCHANT_ACCOUNT`), or a
 * payload past 512 characters (`QR_TOO_LONG`).
 */
export function encodeMerchantQr(input: MerchantQrInput): Result<string, QrError> {
  const body = encodeBody(input);
  if (!body.ok) return body;
  const payload = appendCrc(buildDataObjects(body.value));
  const lengthChars = charLength(payload);
  if (lengthChars > QR_PAYLOAD_CHARS_MAX) return err(tooLong(lengthChars, QR_PAYLOAD_CHARS_MAX));
  return ok(payload);
}

function encodeBody(input: MerchantQrInput): Result<TemplateField[], QrError> {
  const accounts = encodeMerchantAccounts(input);
  if (!accounts.ok) return accounts;
  const value = encodeTransactionValue(input);
  if (!value.ok) return value;
  const merchant = encodeMerchantInformation(input);
  if (!merchant.ok) return merchant;
  const additional = encodeAdditionalData(input.additionalData);
  if (!additional.ok) return additional;
  const language = encodeLanguage(input.languageTemplate);
  if (!language.ok) return language;
  return ok([
    { id: TAG.payloadFormatIndicator, value: PAYLOAD_FORMAT_INDICATOR },
    { id: TAG.pointOfInitiationMethod, value: POINT_OF_INITIATION[input.initiation] },
    ...accounts.value,
    ...value.value,
    ...merchant.value,
    ...additional.value,
    ...language.value,
  ]);
}

/** A root data object of `rule`, checked; `undefined` values are left out. */
function rootText(rule: TextRule, value: string | undefined): Result<TemplateField[], QrError> {
  if (value === undefined) return ok([]);
  const problem = checkText(rule, value);
  return problem === undefined ? ok([{ id: rule.tag, value }]) : err(problem);
}

/** A template's value from its fields, refused past 99 characters. */
function templateValue(field: QrField, tag: string, fields: readonly TemplateField[]): Result<string, QrError> {
  const value = buildDataObjects(fields);
  const chars = charLength(value);
  if (chars > DATA_OBJECT_VALUE_CHARS_MAX) {
    return err(valueTooLong(field, tag, undefined, { chars, charsMax: DATA_OBJECT_VALUE_CHARS_MAX }));
  }
  return ok(value);
}

function encodeMerchantAccounts(input: MerchantQrInput): Result<TemplateField[], QrError> {
  const orderReference = input.initiation === 'dynamic' ? input.orderReference : undefined;
  const dari = buildDariTemplate(input.dari, orderReference);
  if (!dari.ok) return dari;
  const dariValue = encodeAccountValue(dari.value);
  if (!dariValue.ok) return dariValue;
  const objects: TemplateField[] = [{ id: dari.value.tag, value: dariValue.value }];
  for (const account of input.otherMerchantAccounts ?? []) {
    const value = checkOtherAccount(account);
    if (!value.ok) return value;
    if (objects.some((object) => object.id === account.tag)) return err(duplicateTag(account.tag, undefined));
    objects.push({ id: account.tag, value: value.value });
  }
  return ok(objects.sort((a, b) => (a.id < b.id ? -1 : 1)));
}

function encodeAccountValue(account: MerchantAccount): Result<string, QrError> {
  if (account.kind === 'primitive') return ok(account.value);
  const fields = [{ id: GUID_SUB_TAG, value: account.guid }, ...account.fields];
  return templateValue('merchantAccountInformation', account.tag, fields);
}

/** Checks a merchant's account in another scheme, and returns its value. */
function checkOtherAccount(account: MerchantAccount): Result<string, QrError> {
  const { tag } = account;
  if (!isMerchantAccountTag(tag)) return err(badMerchantAccount(tag, undefined, 'IDs 02–51 hold merchant accounts'));
  if (tag === DARI_MERCHANT_ACCOUNT_TAG) return err(badMerchantAccount(tag, undefined, "ID 26 holds dari's own template"));
  if (account.kind === 'primitive') {
    if (isMerchantAccountTemplateTag(tag)) {
      return err(badMerchantAccount(tag, undefined, 'IDs 26–51 are templates with a globally unique identifier'));
    }
    const problem = checkText(merchantAccountRule(tag), account.value);
    return problem === undefined ? ok(account.value) : err(problem);
  }
  if (!isMerchantAccountTemplateTag(tag)) return err(badMerchantAccount(tag, undefined, 'IDs 02–25 are not templates'));
  const guidProblem = checkText(guidRule(tag), account.guid);
  if (guidProblem !== undefined) return err(guidProblem);
  if (isDariGuid(account.guid)) return err(badMerchantAccount(tag, undefined, "dari's template is written in ID 26 only"));
  const ids = new Set<string>();
  for (const field of account.fields) {
    const fieldTag = tagPath(tag, field.id);
    if (!isDataObjectId(field.id) || field.id === GUID_SUB_TAG) {
      return err(badMerchantAccount(tag, undefined, `sub-ID ${JSON.stringify(field.id)} is not one of 01–99`));
    }
    if (ids.has(field.id)) return err(duplicateTag(fieldTag, undefined));
    ids.add(field.id);
    const problem = checkText(merchantAccountRule(fieldTag), field.value);
    if (problem !== undefined) return err(problem);
  }
  return encodeAccountValue(account);
}

function encodeTransactionValue(input: MerchantQrInput): Result<TemplateField[], QrError> {
  const mcc = rootText(ROOT_TEXT_RULES.merchantCategoryCode, input.merchantCategoryCode);
  if (!mcc.ok) return mcc;
  const currency = { id: TAG.transactionCurrency, value: currencyInfo(input.currency).numericCode };
  const objects = [...mcc.value, currency];
  if (input.amount !== undefined) {
    const amount = formatQrAmount(input.amount, input.currency, ROOT_TEXT_RULES.transactionAmount);
    if (!amount.ok) return amount;
    objects.push({ id: TAG.transactionAmount, value: amount.value });
  }
  const tip = encodeTip(input.tip, input.currency);
  if (!tip.ok) return tip;
  return ok([...objects, ...tip.value]);
}

function encodeTip(tip: TipOrConvenienceFee | undefined, currency: Currency): Result<TemplateField[], QrError> {
  if (tip === undefined) return ok([]);
  const indicator = TAG.tipOrConvenienceIndicator;
  switch (tip.kind) {
    case 'prompt':
      return ok([{ id: indicator, value: TIP_INDICATOR.prompt }]);
    case 'fixed-fee': {
      const fee = formatQrAmount(tip.fee, currency, ROOT_TEXT_RULES.convenienceFeeFixed);
      if (!fee.ok) return fee;
      return ok([{ id: indicator, value: TIP_INDICATOR.fixedFee }, { id: TAG.convenienceFeeFixed, value: fee.value }]);
    }
    case 'percentage-fee': {
      const fee = formatFeePercentage(tip.feeBps, ROOT_TEXT_RULES.convenienceFeePercentage);
      if (!fee.ok) return fee;
      return ok([{ id: indicator, value: TIP_INDICATOR.percentageFee }, { id: TAG.convenienceFeePercentage, value: fee.value }]);
    }
  }
}

function encodeMerchantInformation(input: MerchantQrInput): Result<TemplateField[], QrError> {
  const country = rootText(ROOT_TEXT_RULES.countryCode, input.countryCode);
  if (!country.ok) return country;
  if (!COUNTRY_CODE_PATTERN.test(input.countryCode)) {
    const why = `must be an ISO 3166-1 alpha-2 code in capitals, got ${JSON.stringify(input.countryCode)}`;
    return err(badValue('countryCode', TAG.countryCode, undefined, why));
  }
  const objects: TemplateField[] = [...country.value];
  const texts: [TextRule, string | undefined][] = [
    [ROOT_TEXT_RULES.merchantName, input.merchantName],
    [ROOT_TEXT_RULES.merchantCity, input.merchantCity],
    [ROOT_TEXT_RULES.postalCode, input.postalCode],
  ];
  for (const [rule, value] of texts) {
    const object = rootText(rule, value);
    if (!object.ok) return object;
    objects.push(...object.value);
  }
  return ok(objects);
}

function encodeAdditionalData(data: AdditionalData | undefined): Result<TemplateField[], QrError> {
  if (data === undefined) return ok([]);
  const fields: TemplateField[] = [];
  for (const [field, subTag] of Object.entries(ADDITIONAL_DATA_SUB_TAG) as [keyof AdditionalData, string][]) {
    const value = data[field];
    if (value === undefined) continue;
    const rule = ADDITIONAL_DATA_RULES[field];
    const problem =
      checkText(rule, value) ??
      (field === 'additionalConsumerDataRequest' ? checkConsumerDataRequest(value, rule) : undefined);
    if (problem !== undefined) return err(problem);
    fields.push({ id: subTag, value });
  }
  // A template holds at least one data object: with nothing to say, ID 62 is left out.
  if (fields.length === 0) return ok([]);
  const value = templateValue('additionalData', TAG.additionalData, fields);
  return value.ok ? ok([{ id: TAG.additionalData, value: value.value }]) : value;
}

function encodeLanguage(language: MerchantLanguage | undefined): Result<TemplateField[], QrError> {
  if (language === undefined) return ok([]);
  const preference = checkText(LANGUAGE_RULES.languagePreference, language.languagePreference);
  if (preference !== undefined) return err(preference);
  if (!LANGUAGE_PATTERN.test(language.languagePreference)) {
    const why = `must be an ISO 639-1 code of two letters, got ${JSON.stringify(language.languagePreference)}`;
    return err(badValue('languagePreference', LANGUAGE_RULES.languagePreference.tag, undefined, why));
  }
  const fields: TemplateField[] = [{ id: LANGUAGE_SUB_TAG.languagePreference, value: language.languagePreference }];
  const texts: [TextRule, string, string | undefined][] = [
    [LANGUAGE_RULES.merchantName, LANGUAGE_SUB_TAG.merchantName, language.merchantName],
    [LANGUAGE_RULES.merchantCity, LANGUAGE_SUB_TAG.merchantCity, language.merchantCity],
  ];
  for (const [rule, id, value] of texts) {
    if (value === undefined) continue;
    const problem = checkText(rule, value);
    if (problem !== undefined) return err(problem);
    fields.push({ id, value });
  }
  const value = templateValue('languageTemplate', TAG.languageTemplate, fields);
  return value.ok ? ok([{ id: TAG.languageTemplate, value: value.value }]) : value;
}
