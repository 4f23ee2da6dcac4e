/**
 * EMV merchant-presented QR codes (EMV QRCPS MPM): encoding dari merchants'
 * static and dynamic order QRs, and decoding any scheme's QR with a precise
 * error for a bad one. See README.md.
 */
export type {
  AdditionalData,
  DariAccountInput,
  DariMerchantAccount,
  DariMerchantQr,
  DataObject,
  DecodedAdditionalData,
  DecodedMerchantQr,
  DynamicMerchantQrInput,
  Initiation,
  MerchantAccount,
  MerchantLanguage,
  MerchantQrInput,
  StaticMerchantQrInput,
  TemplateField,
  TipOrConvenienceFee,
} from './types.ts';
export { QR_ERROR_CODES, QrInvariantError, type QrError, type QrErrorCode } from './errors.ts';
export {
  ADDITIONAL_DATA_VALUE_CHARS_MAX,
  ALTERNATE_MERCHANT_CITY_CHARS_MAX,
  ALTERNATE_MERCHANT_NAME_CHARS_MAX,
  AMOUNT_CHARS_MAX,
  CONSUMER_DATA_REQUEST_CHARS_MAX,
  DATA_OBJECT_VALUE_CHARS_MAX,
  FEE_PERCENTAGE_CHARS_MAX,
  GUID_CHARS_MAX,
  MERCHANT_CITY_CHARS_MAX,
  MERCHANT_NAME_CHARS_MAX,
  POSTAL_CODE_CHARS_MAX,
  QR_PAYLOAD_CHARS_MAX,
  TAG,
  type QrField,
} from './spec.ts';
export { DARI_GUID, DARI_ID_CHARS_MAX, DARI_MERCHANT_ACCOUNT_TAG, DARI_SUB_TAG, isDariMerchant } from './dari.ts';
export { appendCrc, crc16CcittFalse, crcHex } from './crc.ts';
export { buildDataObject, buildDataObjects, charLength, parseDataObjects, type DataObjectsLocation } from './tlv.ts';
export { encodeMerchantQr } from './encode.ts';
export { decodeMerchantQr } from './decode.ts';
