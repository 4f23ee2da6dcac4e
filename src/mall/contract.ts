/**
 * The mall's public API as zod schemas: they parse each request (JSON, and
 * each row of a CSV upload, which is turned into the same JSON first) and
 * document it in `/openapi.json`. A limit on every field (STYLE 18).
 */
import { z } from 'zod';
import { CATALOGUE_FEED_CURSOR_PATTERN, CATALOGUE_FEED_ITEMS_MAX } from '../protocol/index.ts';

export const LEGAL_NAME_CHARS_MAX = 100;
/** RFC 5321's limit on a forward path. */
export const CONTACT_EMAIL_CHARS_MAX = 254;
export const SKU_CHARS_MAX = 64;
export const TITLE_CHARS_MAX = 200;
export const DESCRIPTION_CHARS_MAX = 5_000;
export const CATEGORY_CHARS_MAX = 64;
/** Digits a seller may write as an HS code; whether they make a valid one is the marketplace review's call. */
export const HS_CODE_DIGITS_MAX = 12;
/** Highest price of one product, in KRW (100 million won). */
export const PRODUCT_PRICE_KRW_MAX = 100_000_000n;
export const STOCK_MAX = 1_000_000;
export const WEIGHT_GRAMS_MAX = 1_000_000;
export const IMAGES_MAX = 10;
export const IMAGE_URL_CHARS_MAX = 500;
export const CERTIFICATIONS_MAX = 10;
export const CERTIFICATION_CHARS_MAX = 64;
/** Products in one page of `GET /mall/v1/products`. */
export const PRODUCTS_PAGE_MAX = 100;

/** One line of text: no control characters, no leading or trailing spaces. */
const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');
/** Several lines: line breaks and tabs allowed, other control characters not. */
const paragraphs = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'no control characters but line breaks and tabs');

const localized = (text: z.ZodString) =>
  z.strictObject({ ko: text, zh: text.optional(), en: text.optional() }).meta({ description: 'Korean, with optional Chinese (zh) and English (en)' });

export const skuSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'letters, digits and . _ - / (starting with a letter or digit)')
  .max(SKU_CHARS_MAX)
  .meta({ description: "the seller's stock-keeping unit, unique in its catalogue" });

export const categorySchema = z
  .string()
  .max(CATEGORY_CHARS_MAX)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*(?:\/[a-z0-9]+(?:-[a-z0-9]+)*){0,3}$/, 'a lower-case path of up to 4 levels, such as fashion/outerwear')
  .meta({ description: 'a lower-case path such as fashion/outerwear' });

export const hsCodeSchema = z
  .string()
  .regex(new RegExp(`^[0-9]{1,${HS_CODE_DIGITS_MAX}}$`), `digits only (no dots), at most ${HS_CODE_DIGITS_MAX}`)
  .meta({ description: 'Harmonized System code, digits only; the marketplace lists only 6 to 10 digits of an existing chapter' });

export const priceSchema = z
  .strictObject({
    currency: z.literal('KRW', 'the mall prices in KRW'),
    value: z
      .string()
      .regex(/^[1-9][0-9]{0,18}$/, 'a whole number of won, at least 1, as a string of digits')
      .refine((value) => BigInt(value) <= PRODUCT_PRICE_KRW_MAX, `at most ${PRODUCT_PRICE_KRW_MAX} KRW`),
  })
  .meta({ description: 'KRW, in won: {"currency":"KRW","value":"189000"}' });

export const stockSchema = z.number().int().min(0).max(STOCK_MAX);
export const weightGramsSchema = z.number().int().min(1).max(WEIGHT_GRAMS_MAX);
export const originCountrySchema = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as KR');
export const imageUrlSchema = z
  .string()
  .max(IMAGE_URL_CHARS_MAX)
  .regex(/^https?:\/\/[\x21-\x7e]+$/, 'an http(s) URL without spaces')
  .refine((url) => URL.canParse(url), 'a URL');
export const imagesSchema = z.array(imageUrlSchema).max(IMAGES_MAX);
export const certificationsSchema = z.array(line(CERTIFICATION_CHARS_MAX)).max(CERTIFICATIONS_MAX);

export const titleSchema = localized(line(TITLE_CHARS_MAX));
export const descriptionSchema = localized(paragraphs(DESCRIPTION_CHARS_MAX));

export const registerSellerSchema = z.strictObject({
  legalName: line(LEGAL_NAME_CHARS_MAX),
  /** Checked with its check digit by the service, so that a typo is INVALID_BUSINESS_REGISTRATION_NUMBER, not INVALID_REQUEST. */
  businessRegistrationNumber: z.string().max(20),
  contactEmail: z.email().max(CONTACT_EMAIL_CHARS_MAX),
});
export type RegisterSellerInput = z.infer<typeof registerSellerSchema>;

export const createProductSchema = z.strictObject({
  sku: skuSchema,
  title: titleSchema,
  description: descriptionSchema.optional(),
  category: categorySchema,
  hsCode: hsCodeSchema,
  price: priceSchema,
  stock: stockSchema,
  weightGrams: weightGramsSchema,
  originCountry: originCountrySchema,
  images: imagesSchema,
  certifications: certificationsSchema.optional(),
});
export type CreateProductInput = z.infer<typeof createProductSchema>;

/**
 * A change: each field given replaces the product's (a title or description
 * as a whole); `description: null` removes it. The SKU is the seller's key
 * for the product and does not change. `expectedVersion` refuses the change
 * (409 VERSION_CONFLICT) unless the product is still at that version.
 */
export const patchProductSchema = z.strictObject({
  title: titleSchema.optional(),
  description: descriptionSchema.nullable().optional(),
  category: categorySchema.optional(),
  hsCode: hsCodeSchema.optional(),
  price: priceSchema.optional(),
  stock: stockSchema.optional(),
  weightGrams: weightGramsSchema.optional(),
  originCountry: originCountrySchema.optional(),
  images: imagesSchema.optional(),
  certifications: certificationsSchema.optional(),
  expectedVersion: z.number().int().min(1).optional(),
});
export type PatchProductInput = z.infer<typeof patchProductSchema>;

/** The language of a listing's reasons: Korean (the sellers') unless asked. */
export const reasonLanguageSchema = z.enum(['ko', 'zh', 'en']);

export const listProductsQuerySchema = z.object({
  after: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(PRODUCTS_PAGE_MAX).optional(),
  lang: reasonLanguageSchema.optional(),
});

export const productLanguageQuerySchema = z.object({ lang: reasonLanguageSchema.optional() });

/** The feed's query: `after` a cursor (digits, "0" from the start), `limit` changes at most. */
export const feedQuerySchema = z.object({
  after: z.string().regex(CATALOGUE_FEED_CURSOR_PATTERN, 'a cursor from an earlier page, or 0').default('0'),
  limit: z.coerce.number().int().min(1).max(CATALOGUE_FEED_ITEMS_MAX).default(CATALOGUE_FEED_ITEMS_MAX),
});

// ------------------------------------------------------------ answers (documentation)

const localizedView = z.object({ ko: z.string(), zh: z.string().optional(), en: z.string().optional() });

export const sellerCreatedSchema = z.object({
  sellerId: z.string(),
  apiKey: z.string().meta({ description: "the seller's API key, shown once (the mall keeps only its SHA-256)" }),
});

export const productViewSchema = z.object({
  productId: z.string(),
  sellerId: z.string(),
  sku: z.string(),
  version: z.number().int().meta({ description: '1 when created, one more on every change' }),
  title: localizedView,
  description: localizedView.optional(),
  category: z.string(),
  hsCode: z.string(),
  price: z.object({ currency: z.literal('KRW'), value: z.string() }),
  stock: z.number().int(),
  weightGrams: z.number().int(),
  originCountry: z.string(),
  images: z.array(z.string()),
  certifications: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const uploadReportSchema = z.object({
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  results: z.array(
    z.object({
      line: z.number().int().meta({ description: 'the line of the file the row starts on (the header is line 1)' }),
      sku: z.string().optional(),
      outcome: z.enum(['created', 'updated', 'unchanged', 'rejected']),
      productId: z.string().optional(),
      version: z.number().int().optional(),
      errors: z.array(z.object({ column: z.string(), message: z.string() })).optional(),
    }),
  ),
});

export const listingViewSchema = z.object({
  status: z.enum(['in-review', 'listed', 'rejected', 'delisted']).meta({ description: 'where the product stands on the marketplace; in-review until the marketplace has reported' }),
  reasons: z.array(z.object({ code: z.string(), message: z.string() })).meta({ description: 'why: each reason with a stable code (MISSING_CHINESE_TITLE, SELLER_SUSPENDED, …)' }),
  decidedAt: z.string().nullable(),
});

export const productDetailViewSchema = productViewSchema.extend({ listing: listingViewSchema });

export const sellerStandingSchema = z.object({
  sellerId: z.string(),
  suspended: z.boolean(),
  suspendedAt: z.string().nullable(),
  productsChanged: z.number().int().meta({ description: 'products written again as a new version carrying the standing (0 when it did not change)' }),
});
