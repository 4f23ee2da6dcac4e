/**
 * The marketplace's own words for what it receives and keeps. It never
 * imports the mall: a product arrives as the syndication feed describes it
 * (DESIGN "The institutions are the architecture"), and this is the
 * marketplace's copy of it.
 */

/** The languages a listing is shown in: Chinese for the storefront, Korean as the seller wrote it, English. */
export const LANGUAGES = ['ko', 'zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Text as the seller wrote it: Korean always, Chinese and English when given. */
export interface LocalizedText {
  readonly ko: string;
  readonly zh?: string;
  readonly en?: string;
}

/** One message in every language the marketplace speaks. */
export type Messages = Readonly<Record<Language, string>>;

/** The marketplace's copy of one version of a mall product. */
export interface ProductSnapshot {
  readonly title: LocalizedText;
  readonly description: LocalizedText | null;
  /** The seller's category, a lower-case path such as `fashion/outerwear`. */
  readonly category: string;
  /** The Harmonized System code as the seller wrote it (the review checks it). */
  readonly hsCode: string;
  readonly priceKrw: bigint;
  readonly stock: number;
  readonly weightGrams: number;
  /** ISO 3166-1 alpha-2. */
  readonly originCountry: string;
  readonly images: readonly string[];
  readonly certifications: readonly string[];
}

/** What the automated review looks at, and nothing else. */
export type ReviewInput = Pick<ProductSnapshot, 'title' | 'category' | 'hsCode' | 'priceKrw' | 'images'>;
