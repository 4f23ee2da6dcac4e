/**
 * The EMV QR Code Specification for Payment Systems, Merchant-Presented Mode
 * (EMV QRCPS MPM, v1.1), kept as data: data object ids, their limits and
 * formats. Encoder and decoder both read these tables, so that what dari
 * writes and what it accepts cannot drift apart.
 *
 * Lengths are counted in characters (Unicode code points), not bytes: the
 * spec's "String" format says "the length must be equal to the number of
 * characters in the value, not the number of bytes". The CRC is computed over
 * the UTF-8 bytes of the payload.
 */

/** Longest payload read or written, in characters (EMV QRCPS MPM: a QR Code payload holds at most 512 characters). */
export const QR_PAYLOAD_CHARS_MAX = 512;

/** Longest value of any data object, in characters: the length field has two digits ("01" to "99"). */
export const DATA_OBJECT_VALUE_CHARS_MAX = 99;

/** Shortest value of a data object, in characters: a length of "00" is not allowed. */
export const DATA_OBJECT_VALUE_CHARS_MIN = 1;

/** Characters of a data object's ID and length fields together ("59" + "13"). */
export const DATA_OBJECT_HEADER_CHARS = 4;

/** Merchant Name (ID 59), "ans", at most 25 characters. */
export const MERCHANT_NAME_CHARS_MAX = 25;

/** Merchant City (ID 60), "ans", at most 15 characters. */
export const MERCHANT_CITY_CHARS_MAX = 15;

/** Postal Code (ID 61), "ans", at most 10 characters. */
export const POSTAL_CODE_CHARS_MAX = 10;

/** Transaction Amount (ID 54) and Value of Convenience Fee Fixed (ID 56), "ans", at most 13 characters. */
export const AMOUNT_CHARS_MAX = 13;

/** Value of Convenience Fee Percentage (ID 57), at most 5 characters ("99.99"). */
export const FEE_PERCENTAGE_CHARS_MAX = 5;

/** Globally Unique Identifier (sub-ID 00 of templates 26–51), "ans", at most 32 characters. */
export const GUID_CHARS_MAX = 32;

/** Each of the Additional Data Field Template's sub-IDs 01–08, "ans", at most 25 characters. */
export const ADDITIONAL_DATA_VALUE_CHARS_MAX = 25;

/** Additional Consumer Data Request (ID 62, sub-ID 09): at most 3 characters, each of "A", "M", "E". */
export const CONSUMER_DATA_REQUEST_CHARS_MAX = 3;

/** Merchant Name—Alternate Language (ID 64, sub-ID 01), "S", at most 25 characters. */
export const ALTERNATE_MERCHANT_NAME_CHARS_MAX = 25;

/** Merchant City—Alternate Language (ID 64, sub-ID 02), "S", at most 15 characters. */
export const ALTERNATE_MERCHANT_CITY_CHARS_MAX = 15;

/** The CRC's value: exactly 4 upper-case hexadecimal characters. */
export const CRC_HEX_CHARS = 4;

/** The one Payload Format Indicator value this version of the spec defines; others are RFU. */
export const PAYLOAD_FORMAT_INDICATOR = '01';

/** Point of Initiation Method values: the same QR for many payments, or a new QR for each. */
export const POINT_OF_INITIATION = { static: '11', dynamic: '12' } as const;

/** Data object IDs under the root of the payload. */
export const TAG = {
  payloadFormatIndicator: '00',
  pointOfInitiationMethod: '01',
  merchantCategoryCode: '52',
  transactionCurrency: '53',
  transactionAmount: '54',
  tipOrConvenienceIndicator: '55',
  convenienceFeeFixed: '56',
  convenienceFeePercentage: '57',
  countryCode: '58',
  merchantName: '59',
  merchantCity: '60',
  postalCode: '61',
  additionalData: '62',
  crc: '63',
  languageTemplate: '64',
} as const;

/** Merchant Account Information IDs: 02–25 are primitives reserved for card schemes, 26–51 are templates with a GUID. */
export const MERCHANT_ACCOUNT_TAG_MIN = 2;
export const MERCHANT_ACCOUNT_TEMPLATE_TAG_MIN = 26;
export const MERCHANT_ACCOUNT_TAG_MAX = 51;

/** Sub-ID of the Globally Unique Identifier in every Merchant Account Information template (26–51). */
export const GUID_SUB_TAG = '00';

/** Sub-IDs of the Additional Data Field Template (ID 62); 10–49 are RFU for EMVCo, 50–99 payment system specific. */
export const ADDITIONAL_DATA_SUB_TAG = {
  billNumber: '01',
  mobileNumber: '02',
  storeLabel: '03',
  loyaltyNumber: '04',
  referenceLabel: '05',
  customerLabel: '06',
  terminalLabel: '07',
  purposeOfTransaction: '08',
  additionalConsumerDataRequest: '09',
} as const;

/** Sub-IDs of the Merchant Information—Language Template (ID 64); 03–99 are RFU for EMVCo. */
export const LANGUAGE_SUB_TAG = { languagePreference: '00', merchantName: '01', merchantCity: '02' } as const;

/** Tip or Convenience Indicator (ID 55) values. */
export const TIP_INDICATOR = { prompt: '01', fixedFee: '02', percentageFee: '03' } as const;

/** The name of every field an error can point at; one word per field, as the types call it. */
export type QrField =
  | 'payload'
  | 'payloadFormatIndicator'
  | 'pointOfInitiationMethod'
  | 'merchantAccountInformation'
  | 'globallyUniqueIdentifier'
  | 'merchantCategoryCode'
  | 'transactionCurrency'
  | 'transactionAmount'
  | 'tipOrConvenienceIndicator'
  | 'convenienceFeeFixed'
  | 'convenienceFeePercentage'
  | 'countryCode'
  | 'merchantName'
  | 'merchantCity'
  | 'postalCode'
  | 'additionalData'
  | AdditionalDataField
  | 'crc'
  | 'languageTemplate'
  | 'languagePreference'
  | 'alternateMerchantName'
  | 'alternateMerchantCity'
  | 'merchantId'
  | 'storeId'
  | 'orderReference';

/**
 * Character formats of the spec: "N" digits; "ans" the EMV Common Character
 * Set (printable ASCII, 0x20–0x7E); "S" any Unicode character. dari refuses
 * control and bidirectional-override characters even in "S": a merchant name
 * that reorders itself on screen is a way to mislead a payer.
 */
export type CharacterFormat = 'N' | 'ans' | 'S';

/** How one primitive value is checked: its field name, its ID (path), format and length range. */
export interface TextRule {
  readonly field: QrField;
  readonly tag: string;
  readonly format: CharacterFormat;
  readonly lengthCharsMin: number;
  readonly lengthCharsMax: number;
}

function rule(field: QrField, tag: string, format: CharacterFormat, lengthChars: [min: number, max: number]): TextRule {
  return { field, tag, format, lengthCharsMin: lengthChars[0], lengthCharsMax: lengthChars[1] };
}

/** The primitive data objects under the root whose rules are only format and length. */
export const ROOT_TEXT_RULES = {
  merchantCategoryCode: rule('merchantCategoryCode', TAG.merchantCategoryCode, 'N', [4, 4]),
  transactionCurrency: rule('transactionCurrency', TAG.transactionCurrency, 'N', [3, 3]),
  transactionAmount: rule('transactionAmount', TAG.transactionAmount, 'ans', [1, AMOUNT_CHARS_MAX]),
  tipOrConvenienceIndicator: rule('tipOrConvenienceIndicator', TAG.tipOrConvenienceIndicator, 'N', [2, 2]),
  convenienceFeeFixed: rule('convenienceFeeFixed', TAG.convenienceFeeFixed, 'ans', [1, AMOUNT_CHARS_MAX]),
  convenienceFeePercentage: rule('convenienceFeePercentage', TAG.convenienceFeePercentage, 'ans', [1, FEE_PERCENTAGE_CHARS_MAX]),
  countryCode: rule('countryCode', TAG.countryCode, 'ans', [2, 2]),
  merchantName: rule('merchantName', TAG.merchantName, 'ans', [1, MERCHANT_NAME_CHARS_MAX]),
  merchantCity: rule('merchantCity', TAG.merchantCity, 'ans', [1, MERCHANT_CITY_CHARS_MAX]),
  postalCode: rule('postalCode', TAG.postalCode, 'ans', [1, POSTAL_CODE_CHARS_MAX]),
} as const satisfies Record<string, TextRule>;

/** Rules of the Additional Data Field Template's sub-IDs 01–09, by field. */
export const ADDITIONAL_DATA_RULES = Object.fromEntries(
  Object.entries(ADDITIONAL_DATA_SUB_TAG).map(([field, subTag]) => {
    const lengthCharsMax =
      subTag === ADDITIONAL_DATA_SUB_TAG.additionalConsumerDataRequest
        ? CONSUMER_DATA_REQUEST_CHARS_MAX
        : ADDITIONAL_DATA_VALUE_CHARS_MAX;
    return [field, rule(field as AdditionalDataField, `${TAG.additionalData}.${subTag}`, 'ans', [1, lengthCharsMax])];
  }),
) as Readonly<Record<AdditionalDataField, TextRule>>;

/** The named fields of the Additional Data Field Template. */
export type AdditionalDataField = keyof typeof ADDITIONAL_DATA_SUB_TAG;

const LANGUAGE_TAG = (subTag: string): string => `${TAG.languageTemplate}.${subTag}`;

/** Rules of the Merchant Information—Language Template's sub-IDs 00–02. */
export const LANGUAGE_RULES = {
  languagePreference: rule('languagePreference', LANGUAGE_TAG(LANGUAGE_SUB_TAG.languagePreference), 'ans', [2, 2]),
  merchantName: rule('alternateMerchantName', LANGUAGE_TAG(LANGUAGE_SUB_TAG.merchantName), 'S', [
    1,
    ALTERNATE_MERCHANT_NAME_CHARS_MAX,
  ]),
  merchantCity: rule('alternateMerchantCity', LANGUAGE_TAG(LANGUAGE_SUB_TAG.merchantCity), 'S', [
    1,
    ALTERNATE_MERCHANT_CITY_CHARS_MAX,
  ]),
} as const satisfies Record<string, TextRule>;

/** The GUID (sub-ID 00) of the Merchant Account Information template `tag`: "ans", 1–32 characters. */
export function guidRule(tag: string): TextRule {
  return rule('globallyUniqueIdentifier', `${tag}.${GUID_SUB_TAG}`, 'ans', [1, GUID_CHARS_MAX]);
}

/** A scheme's own value in Merchant Account Information (a primitive, or a template's sub-field): "S", 1–99 characters. */
export function merchantAccountRule(tag: string): TextRule {
  return rule('merchantAccountInformation', tag, 'S', [DATA_OBJECT_VALUE_CHARS_MIN, DATA_OBJECT_VALUE_CHARS_MAX]);
}

/** True for an ID of Merchant Account Information (02–51). */
export function isMerchantAccountTag(id: string): boolean {
  const n = Number.parseInt(id, 10);
  return /^[0-9]{2}$/.test(id) && n >= MERCHANT_ACCOUNT_TAG_MIN && n <= MERCHANT_ACCOUNT_TAG_MAX;
}

/** True for an ID of a Merchant Account Information template with a GUID (26–51). */
export function isMerchantAccountTemplateTag(id: string): boolean {
  return isMerchantAccountTag(id) && Number.parseInt(id, 10) >= MERCHANT_ACCOUNT_TEMPLATE_TAG_MIN;
}

/** Two decimal digits, "00" to "99": the shape of every data object ID. */
export function isDataObjectId(id: string): boolean {
  return /^[0-9]{2}$/.test(id);
}
