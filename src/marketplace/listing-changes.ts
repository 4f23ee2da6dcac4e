/**
 * What a new version of a product changes for its listing (issue 7): a change
 * to anything the review looked at is *material* and sends the listing back
 * to review; price and stock are *deltas*, applied at once without one; the
 * rest (description, weight, origin, which images) is shown but not reviewed.
 *
 * Material: the title (in any language: the review reads the Chinese one and
 * an operator reads them all), the category, the HS code, the certifications
 * (as a set), a price change that crosses the single-order limit, and images
 * going from none to some or back (the NO_IMAGE rule). Pure.
 */
import type { ListingEvent } from './listing-lifecycle.ts';
import { priceAboveOrderLimit, type ReviewSettings } from './review-rules.ts';
import type { LocalizedText, ProductSnapshot } from './types.ts';

export const PRODUCT_FIELDS = ['title', 'description', 'category', 'hsCode', 'price', 'stock', 'weightGrams', 'originCountry', 'images', 'certifications'] as const;
export type ProductField = (typeof PRODUCT_FIELDS)[number];
export type DeltaField = Extract<ProductField, 'price' | 'stock'>;

export interface ProductChange {
  /** Changed fields that send the listing back to review, in `PRODUCT_FIELDS` order. */
  readonly material: readonly ProductField[];
  /** Price and stock changes applied without review (a price that crosses the limit is material instead). */
  readonly deltas: readonly DeltaField[];
  /** Other changed fields: shown, not reviewed. */
  readonly other: readonly ProductField[];
}

/** Sorts each changed field of `after` against `before` into material, delta or other. */
export function classifyProductChange(before: ProductSnapshot, after: ProductSnapshot, settings: ReviewSettings): ProductChange {
  const material: ProductField[] = [];
  const deltas: DeltaField[] = [];
  const other: ProductField[] = [];
  for (const field of PRODUCT_FIELDS) {
    switch (field) {
      case 'title':
        if (!sameText(before.title, after.title)) material.push(field);
        break;
      case 'description':
        if (!sameText(before.description, after.description)) other.push(field);
        break;
      case 'category':
      case 'hsCode':
        if (before[field] !== after[field]) material.push(field);
        break;
      case 'price':
        if (before.priceKrw === after.priceKrw) break;
        if (priceAboveOrderLimit(before.priceKrw, settings) !== priceAboveOrderLimit(after.priceKrw, settings)) material.push(field);
        else deltas.push(field);
        break;
      case 'stock':
        if (before.stock !== after.stock) deltas.push(field);
        break;
      case 'weightGrams':
      case 'originCountry':
        if (before[field] !== after[field]) other.push(field);
        break;
      case 'images':
        if ((before.images.length === 0) !== (after.images.length === 0)) material.push(field);
        else if (!sameList(before.images, after.images)) other.push(field);
        break;
      case 'certifications':
        if (!sameSet(before.certifications, after.certifications)) material.push(field);
        break;
    }
  }
  return { material, deltas, other };
}

/** The lifecycle event a change makes: null when nothing changed. */
export function listingEventOf(change: ProductChange): ListingEvent | null {
  if (change.material.length > 0) return 'material-change';
  if (change.deltas.length > 0 || change.other.length > 0) return 'delta-change';
  return null;
}

function sameText(a: LocalizedText | null, b: LocalizedText | null): boolean {
  if (a === null || b === null) return a === b;
  return a.ko === b.ko && a.zh === b.zh && a.en === b.en;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}
