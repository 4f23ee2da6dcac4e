/**
 * The mall's domain: sellers (Korean small businesses) and their catalogue.
 * Ids are branded so that a seller id and a product id cannot be swapped.
 */
import type { BusinessRegistrationNumber } from '../platform/business-registration-number.ts';

declare const sellerIdBrand: unique symbol;
declare const productIdBrand: unique symbol;
/** `SL000001`: numbered in order of sign-up. */
export type SellerId = string & { readonly [sellerIdBrand]: true };
/** `P` and 16 hex digits, random: product ids reveal neither the seller nor the catalogue's size. */
export type ProductId = string & { readonly [productIdBrand]: true };

export interface Seller {
  readonly sellerId: SellerId;
  readonly legalName: string;
  readonly businessRegistrationNumber: BusinessRegistrationNumber;
  readonly contactEmail: string;
  readonly createdAt: string;
  /** When the mall's operator suspended the seller; null while it is in good standing. */
  readonly suspendedAt: string | null;
}

/** Text as the seller writes it: Korean always, Chinese and English optional. */
export interface LocalizedText {
  readonly ko: string;
  readonly zh?: string;
  readonly en?: string;
}

/** What a seller says about a product: everything but its ids, version and times. */
export interface ProductContent {
  /** The seller's own stock-keeping unit, unique within the seller's catalogue. */
  readonly sku: string;
  readonly title: LocalizedText;
  readonly description: LocalizedText | null;
  /** A lower-case path such as `fashion/outerwear`. */
  readonly category: string;
  /** As the seller writes it, digits only; the marketplace's review judges it. */
  readonly hsCode: string;
  readonly priceKrw: bigint;
  readonly stock: number;
  readonly weightGrams: number;
  /** ISO 3166-1 alpha-2. */
  readonly originCountry: string;
  readonly images: readonly string[];
  readonly certifications: readonly string[];
}

export interface Product extends ProductContent {
  readonly productId: ProductId;
  readonly sellerId: SellerId;
  /** 1 when created, one more on every change of its content; an unchanged write keeps it. */
  readonly version: number;
  /**
   * The position of its latest change in the mall's feed: unique across the
   * mall, and larger for every later change of any product (ADR 15).
   */
  readonly changeSeq: bigint;
  /**
   * Whether the product's seller is suspended. A suspension or reinstatement
   * is a new version of each of the seller's products (with the same
   * content), so that the feed carries it in order (ADR 15, ADR 17).
   */
  readonly sellerSuspended: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Who is calling: the mall's operator, or one seller by its API key. */
export type Principal = { readonly kind: 'operator' } | { readonly kind: 'seller'; readonly seller: Seller };

/** Where a product stands on the marketplace, as the marketplace last reported it (ADR 17). */
export interface ProductListing {
  readonly status: ListingStatus;
  readonly reasons: readonly ListingReason[];
  /** The marketplace's revision of the listing: only a higher one replaces this report. */
  readonly revision: number;
  /** The product's version the status was decided on. */
  readonly productVersion: number;
  readonly decidedAt: string;
}

/** A listing's status at the marketplace; `in-review` until the marketplace has reported one. */
export type ListingStatus = 'in-review' | 'listed' | 'rejected' | 'delisted';

/** Why a listing is where it is: a stable code and its message in Korean, Chinese and English. */
export interface ListingReason {
  readonly code: string;
  readonly message: { readonly ko: string; readonly zh: string; readonly en: string };
}
