/**
 * A product's content from what a seller sends: a request's fields, a change
 * applied over the current content, and the hash that tells two contents
 * apart. Pure.
 */
import { createHash } from 'node:crypto';
import type { CreateProductInput, PatchProductInput } from './contract.ts';
import type { HashedContent } from './store.ts';
import type { LocalizedText, ProductContent } from './types.ts';

/** Drops the languages not given, so that a text has exactly the keys it holds. */
export function localizedOf(text: { readonly ko: string; readonly zh?: string | undefined; readonly en?: string | undefined }): LocalizedText {
  return { ko: text.ko, ...(text.zh === undefined ? {} : { zh: text.zh }), ...(text.en === undefined ? {} : { en: text.en }) };
}

/** A product's content from a parsed request (or CSV row). */
export function contentOf(input: CreateProductInput): ProductContent {
  return {
    sku: input.sku,
    title: localizedOf(input.title),
    description: input.description === undefined ? null : localizedOf(input.description),
    category: input.category,
    hsCode: input.hsCode,
    priceKrw: BigInt(input.price.value),
    stock: input.stock,
    weightGrams: input.weightGrams,
    originCountry: input.originCountry,
    images: input.images,
    certifications: input.certifications ?? [],
  };
}

/** The product's content with a change applied: each field given replaces the product's. */
export function patchedContent(product: ProductContent, patch: PatchProductInput): ProductContent {
  return {
    sku: product.sku,
    title: patch.title === undefined ? product.title : localizedOf(patch.title),
    description: patch.description === undefined ? product.description : patch.description === null ? null : localizedOf(patch.description),
    category: patch.category ?? product.category,
    hsCode: patch.hsCode ?? product.hsCode,
    priceKrw: patch.price === undefined ? product.priceKrw : BigInt(patch.price.value),
    stock: patch.stock ?? product.stock,
    weightGrams: patch.weightGrams ?? product.weightGrams,
    originCountry: patch.originCountry ?? product.originCountry,
    images: patch.images ?? product.images,
    certifications: patch.certifications ?? product.certifications,
  };
}

/**
 * SHA-256 of the content in a fixed order: two writes of the same content
 * have the same hash, so a repeated write is recognised and makes no new
 * version. Certifications and images keep their order (the seller chose it).
 */
export function contentHash(content: ProductContent): string {
  const d = content.description;
  const fields = [
    content.sku,
    content.title.ko,
    content.title.zh ?? null,
    content.title.en ?? null,
    d === null ? null : [d.ko, d.zh ?? null, d.en ?? null],
    content.category,
    content.hsCode,
    content.priceKrw.toString(),
    content.stock,
    content.weightGrams,
    content.originCountry,
    content.images,
    content.certifications,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export const hashed = (content: ProductContent): HashedContent => ({ content, contentHash: contentHash(content) });
