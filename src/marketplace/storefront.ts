/**
 * The storefront's read side (issue 7): what a shopper in China sees of the
 * listed products. Chinese by default, Korean or English on request; the
 * price in CNY converted from the seller's KRW price at the network's rate
 * with `LISTING_PRICE_ROUNDING`, the very number the review checked against
 * the order limit; out-of-stock products shown as unavailable. Only `listed`
 * listings are ever shown (the store's query says so, and `storefrontProduct`
 * asserts it). Pure: the route reads the listings and the rate, this shapes
 * them.
 */
import { z } from 'zod';
import type { FxRate } from '../money/index.ts';
import type { Listing } from './listing.ts';
import { LISTING_PRICE_ROUNDING, listingPriceCny } from './review-rules.ts';
import { LANGUAGES, type Language, type LocalizedText } from './types.ts';

/** Products in one page of `GET /marketplace/v1/products`, and the default page. */
export const STOREFRONT_PRODUCTS_PER_PAGE_MAX = 50;
export const STOREFRONT_PRODUCTS_PER_PAGE_DEFAULT = 20;
/** Characters of a search (`q`): a title is at most 200 (the mall's limit). */
export const STOREFRONT_QUERY_CHARS_MAX = 100;
/** Characters of a category filter: the mall's category limit. */
export const STOREFRONT_CATEGORY_CHARS_MAX = 64;
/** The storefront's language when the shopper names none: it is the Chinese marketplace. */
export const STOREFRONT_LANGUAGE_DEFAULT: Language = 'zh';

export const storefrontQuerySchema = z.strictObject({
  q: z.string().trim().max(STOREFRONT_QUERY_CHARS_MAX).optional(),
  category: z
    .string()
    .max(STOREFRONT_CATEGORY_CHARS_MAX)
    .regex(/^$|^[a-z0-9-]+(\/[a-z0-9-]+)*$/, 'a lower-case category path such as fashion/outerwear')
    .optional(),
  // An empty value is no value (`?q=&category=&lang=`, as a form sends it).
  lang: z.union([z.literal(''), z.enum(LANGUAGES)]).optional(),
  after: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(STOREFRONT_PRODUCTS_PER_PAGE_MAX).optional(),
});
export type StorefrontQuery = z.infer<typeof storefrontQuerySchema>;

/** What the store is asked for: listed products only, by product id. */
export interface StorefrontFilter {
  /** Matched, ASCII letters case-folded, anywhere in the title in any language. */
  readonly text?: string;
  /** The category itself or any category under it (`fashion` holds `fashion/outerwear`). */
  readonly category?: string;
  readonly afterId?: string;
  readonly limit: number;
}

/**
 * ASCII letters to lower case, nothing else: SQLite's `lower()` folds only
 * those, and PostgreSQL is asked to fold exactly the same (`store-postgres.ts`),
 * so that a search answers the same on both engines. Hangul and Han have no case.
 */
export function foldAsciiCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** The store's filter for a parsed query: empty strings filter nothing. */
export function storefrontFilter(query: StorefrontQuery): StorefrontFilter {
  const text = query.q === undefined || query.q === '' ? undefined : foldAsciiCase(query.q);
  const category = query.category === undefined || query.category === '' ? undefined : query.category;
  return {
    limit: query.limit ?? STOREFRONT_PRODUCTS_PER_PAGE_DEFAULT,
    ...(text === undefined ? {} : { text }),
    ...(category === undefined ? {} : { category }),
    ...(query.after === undefined ? {} : { afterId: query.after }),
  };
}

/** The language a query asks for, Chinese when it names none. */
export function storefrontLanguage(query: StorefrontQuery): Language {
  return query.lang === undefined || query.lang === '' ? STOREFRONT_LANGUAGE_DEFAULT : query.lang;
}

/** The text in `lang`, else in Chinese, else the Korean the seller always gives; with the language it is in. */
export function inLanguage(text: LocalizedText, lang: Language): { readonly text: string; readonly lang: Language } {
  const wanted = text[lang];
  if (wanted !== undefined && wanted.trim() !== '') return { text: wanted, lang };
  if (text.zh !== undefined && text.zh.trim() !== '') return { text: text.zh, lang: 'zh' };
  return { text: text.ko, lang: 'ko' };
}

/** One listed product as the storefront shows it. */
export function storefrontProduct(listing: Listing, lang: Language, krwToCny: FxRate) {
  if (listing.status !== 'listed') throw new Error(`assertion failed: the storefront shows listed products only, ${listing.productId} is ${listing.status}`);
  const s = listing.snapshot;
  const title = inLanguage(s.title, lang);
  const description = s.description === null ? null : inLanguage(s.description, lang);
  return {
    productId: listing.productId,
    sellerId: listing.sellerId,
    title: title.text,
    titleLang: title.lang,
    ...(description === null ? {} : { description: description.text, descriptionLang: description.lang }),
    category: s.category,
    price: { currency: 'CNY' as const, value: listingPriceCny(s.priceKrw, krwToCny).toString() },
    priceRounding: LISTING_PRICE_ROUNDING,
    available: s.stock > 0,
    stock: s.stock,
    images: s.images,
    originCountry: s.originCountry,
    weightGrams: s.weightGrams,
  };
}
export type StorefrontProduct = ReturnType<typeof storefrontProduct>;

const localizedTitleSchema = z.enum(LANGUAGES);
export const storefrontPageSchema = z.object({
  lang: z.enum(LANGUAGES),
  products: z.array(
    z.object({
      productId: z.string(),
      sellerId: z.string(),
      title: z.string(),
      titleLang: localizedTitleSchema,
      description: z.string().optional(),
      descriptionLang: localizedTitleSchema.optional(),
      category: z.string(),
      price: z.object({ currency: z.literal('CNY'), value: z.string().describe('CNY minor units (fen), converted from the KRW price at the network rate, rounded up') }),
      priceRounding: z.string().describe('how the CNY price was rounded from the exact conversion'),
      available: z.boolean().describe('false when out of stock: shown, not orderable'),
      stock: z.number().int(),
      images: z.array(z.string()),
      originCountry: z.string(),
      weightGrams: z.number().int(),
    }),
  ),
  nextAfter: z.string().nullable().describe('pass as `after` for the next page; null on the last'),
});
