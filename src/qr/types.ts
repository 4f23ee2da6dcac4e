/**
 * The data model of an EMV merchant-presented QR: what `decodeMerchantQr`
 * returns and what `encodeMerchantQr` takes. Amounts are money `Amount`s
 * (bigint minor units), never the decimal text of the payload.
 */
import type { Amount, Currency } from '../money/index.ts';

/** One data object as read from a payload: its two-digit ID, its value, and where its ID starts. */
export interface DataObject {
  readonly id: string;
  readonly value: string;
  /** Offset of the ID's first character in the whole payload, counted in characters from 0. */
  readonly position: number;
}

/** A data object inside a template (ID and value), as the typed views and the encoder hold it. */
export interface TemplateField {
  readonly id: string;
  readonly value: string;
}

/**
 * Point of Initiation Method (ID 01): 'static' ("11") when the same QR serves
 * many payments (a sticker at the till), 'dynamic' ("12") when a new QR is
 * shown for each payment (an order on a POS screen).
 */
export type Initiation = 'static' | 'dynamic';

/**
 * One Merchant Account Information data object (IDs 02–51). IDs 02–25 are
 * primitives whose value belongs to a card scheme (Visa, Mastercard,
 * UnionPay…); IDs 26–51 are templates whose sub-ID 00 names the scheme with a
 * globally unique identifier (a reverse domain name or an AID), the other
 * sub-IDs being that scheme's own.
 */
export type MerchantAccount =
  | {
      readonly kind: 'template';
      readonly tag: string;
      readonly guid: string;
      /** Sub-IDs 01–99 in payload order; the GUID (sub-ID 00) is `guid`. */
      readonly fields: readonly TemplateField[];
    }
  | { readonly kind: 'primitive'; readonly tag: string; readonly value: string };

/** The Merchant Account Information template of dari's own scheme (GUID `DARI_GUID`). */
export interface DariMerchantAccount {
  /** The template's ID (26 in the QRs dari writes; any of 26–51 is read). */
  readonly tag: string;
  readonly merchantId: string;
  readonly storeId?: string;
  /** The acquirer's reference of the order a dynamic QR was made for; present exactly when the QR is dynamic. */
  readonly orderReference?: string;
}

/**
 * Tip or Convenience Indicator (ID 55) with its value: the app prompts the
 * payer for a tip ("01"), the merchant adds a fixed fee ("02", ID 56) or a
 * percentage fee ("03", ID 57, kept in basis points: "3.5" is 350).
 */
export type TipOrConvenienceFee =
  | { readonly kind: 'prompt' }
  | { readonly kind: 'fixed-fee'; readonly fee: Amount }
  | { readonly kind: 'percentage-fee'; readonly feeBps: number };

/**
 * The Additional Data Field Template (ID 62), sub-IDs 01–09. A value of "***"
 * is the spec's way to ask the app to prompt the payer for it.
 */
export interface AdditionalData {
  readonly billNumber?: string;
  readonly mobileNumber?: string;
  readonly storeLabel?: string;
  readonly loyaltyNumber?: string;
  readonly referenceLabel?: string;
  readonly customerLabel?: string;
  readonly terminalLabel?: string;
  readonly purposeOfTransaction?: string;
  /** Letters "A" (address), "M" (mobile number), "E" (email) the app is asked to collect from the payer. */
  readonly additionalConsumerDataRequest?: string;
}

/** The Additional Data Field Template as decoded: the named fields, and every sub-field, unknown ones included. */
export interface DecodedAdditionalData extends AdditionalData {
  readonly fields: readonly TemplateField[];
}

/**
 * Merchant Information—Language Template (ID 64): the merchant's name, and
 * optionally city, in another language and script, e.g. the Chinese name of
 * a Korean shop for a tourist from China.
 */
export interface MerchantLanguage {
  /** ISO 639-1 code, two letters ("ZH", "zh"). */
  readonly languagePreference: string;
  readonly merchantName: string;
  readonly merchantCity?: string;
}

/** A merchant-presented QR, decoded and checked. */
export interface DecodedMerchantQr {
  /** From ID 01; a QR without ID 01 is read as 'static' (it does not promise to be single-use). */
  readonly initiation: Initiation;
  /** Every Merchant Account Information data object (IDs 02–51), in payload order. */
  readonly merchantAccounts: readonly MerchantAccount[];
  /** dari's own template, when the QR has one; see `isDariMerchant`. */
  readonly dari?: DariMerchantAccount;
  /** ISO 18245 merchant category code, four digits (ID 52). */
  readonly merchantCategoryCode: string;
  /** From the ISO 4217 numeric code of ID 53. */
  readonly currency: Currency;
  /** ID 54 in minor units; absent when the payer is to enter the amount. */
  readonly amount?: Amount;
  readonly tip?: TipOrConvenienceFee;
  /** ISO 3166-1 alpha-2 (ID 58). */
  readonly countryCode: string;
  readonly merchantName: string;
  readonly merchantCity: string;
  readonly postalCode?: string;
  readonly additionalData?: DecodedAdditionalData;
  readonly languageTemplate?: MerchantLanguage;
  /** The payload's CRC, four upper-case hexadecimal characters. */
  readonly crc: string;
  /** Every data object under the root, in payload order, including IDs this version does not know (kept for forward compatibility). */
  readonly dataObjects: readonly DataObject[];
}

/** A decoded QR that carries dari's template. */
export type DariMerchantQr = DecodedMerchantQr & { readonly dari: DariMerchantAccount };

/** dari's template in a QR to encode; the order reference of a dynamic QR is `DynamicMerchantQrInput.orderReference`. */
export interface DariAccountInput {
  readonly merchantId: string;
  readonly storeId?: string;
}

interface MerchantQrInputCommon {
  readonly dari: DariAccountInput;
  /**
   * The merchant's accounts in other schemes, for a QR several schemes can
   * read (as SGQR does): primitives in IDs 02–25, templates in IDs 27–51
   * (ID 26 is dari's).
   */
  readonly otherMerchantAccounts?: readonly MerchantAccount[];
  readonly merchantCategoryCode: string;
  readonly currency: Currency;
  readonly tip?: TipOrConvenienceFee;
  readonly countryCode: string;
  readonly merchantName: string;
  readonly merchantCity: string;
  readonly postalCode?: string;
  readonly additionalData?: AdditionalData;
  readonly languageTemplate?: MerchantLanguage;
}

/** A merchant's static QR: printed once, paid many times; an amount only for a fixed price (a parking ticket). */
export interface StaticMerchantQrInput extends MerchantQrInputCommon {
  readonly initiation: 'static';
  readonly amount?: Amount;
}

/** A dynamic order QR: shown for one order, with its amount and the acquirer's order reference. */
export interface DynamicMerchantQrInput extends MerchantQrInputCommon {
  readonly initiation: 'dynamic';
  readonly amount: Amount;
  readonly orderReference: string;
}

export type MerchantQrInput = StaticMerchantQrInput | DynamicMerchantQrInput;
