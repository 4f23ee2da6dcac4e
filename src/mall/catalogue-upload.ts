/**
 * A seller's whole catalogue as one CSV file (issue 7): each row is one
 * product, created when its SKU is new and replaced when it is not. Every row
 * is checked on its own and applied on its own, in one store call, so a row
 * is applied whole or not at all; the answer reports every row (created,
 * updated, unchanged, or rejected with each problem by column). Products the
 * file does not name are left as they are. Uploading the same file again
 * changes nothing (every row is unchanged).
 *
 * Columns, by name in the header (any order; the optional ones may be left out):
 * `sku, title_ko, title_zh, title_en, description_ko, description_zh,
 * description_en, category, hs_code, price_krw, stock, weight_grams,
 * origin_country, images, certifications`. `images` and `certifications`
 * hold several values separated by `|` (a `|` inside a URL is written `%7C`).
 * An empty cell is no value.
 */
import { err, ok, type Result } from '../platform/result.ts';
import { contentOf, hashed } from './content.ts';
import { createProductSchema, DESCRIPTION_CHARS_MAX } from './contract.ts';
import { parseCsv } from './csv.ts';
import type { MallError } from './errors.ts';
import type { MallStore } from './store.ts';
import type { ProductContent, ProductId, Seller } from './types.ts';

/** Largest upload, in bytes (about 2,000 products with long descriptions). */
export const CATALOGUE_UPLOAD_BYTES_MAX = 1024 * 1024;
/** Most products in one upload. */
export const CATALOGUE_UPLOAD_ROWS_MAX = 5_000;
/** Problems reported per row at most; a row with more is rejected all the same. */
export const UPLOAD_ROW_ERRORS_MAX = 10;
/** Rows applied at once (the store's calls share group commits on SQLite and connections on PostgreSQL). */
export const UPLOAD_ROWS_IN_FLIGHT_MAX = 256;
/** Separates several images or certifications in one cell. */
export const LIST_SEPARATOR = '|';

export const CATALOGUE_COLUMNS = [
  'sku',
  'title_ko',
  'title_zh',
  'title_en',
  'description_ko',
  'description_zh',
  'description_en',
  'category',
  'hs_code',
  'price_krw',
  'stock',
  'weight_grams',
  'origin_country',
  'images',
  'certifications',
] as const;
export type CatalogueColumn = (typeof CATALOGUE_COLUMNS)[number];
export const CATALOGUE_COLUMNS_REQUIRED: readonly CatalogueColumn[] = ['sku', 'title_ko', 'category', 'hs_code', 'price_krw', 'stock', 'weight_grams', 'origin_country'];

export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface RowResult {
  readonly line: number;
  readonly sku?: string;
  readonly outcome: RowOutcome;
  readonly productId?: ProductId;
  readonly version?: number;
  readonly errors?: readonly { readonly column: string; readonly message: string }[];
}

export interface UploadReport {
  readonly rows: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: number;
  /** One per row, in the file's order. */
  readonly results: readonly RowResult[];
}

/** Where a problem the product schema found lies, as a column of the file. */
const COLUMN_OF_FIELD: Readonly<Record<string, CatalogueColumn>> = {
  sku: 'sku',
  category: 'category',
  hsCode: 'hs_code',
  price: 'price_krw',
  stock: 'stock',
  weightGrams: 'weight_grams',
  originCountry: 'origin_country',
  images: 'images',
  certifications: 'certifications',
};

function columnOf(path: readonly PropertyKey[]): string {
  const [field, language] = path;
  if ((field === 'title' || field === 'description') && typeof language === 'string') return `${field}_${language}`;
  return (typeof field === 'string' ? COLUMN_OF_FIELD[field] : undefined) ?? (field === 'description' ? 'description_ko' : String(field ?? ''));
}

/** The header's column positions, or why the file cannot be read as a catalogue. */
function readHeader(header: readonly string[]): Result<ReadonlyMap<CatalogueColumn, number>, MallError> {
  const positions = new Map<CatalogueColumn, number>();
  for (const [i, raw] of header.entries()) {
    const name = raw.trim();
    if (!(CATALOGUE_COLUMNS as readonly string[]).includes(name)) {
      return err({ kind: 'invalid-csv', message: `unknown column ${JSON.stringify(name)} in the header; the columns are ${CATALOGUE_COLUMNS.join(', ')}` });
    }
    if (positions.has(name as CatalogueColumn)) return err({ kind: 'invalid-csv', message: `column ${name} appears twice in the header` });
    positions.set(name as CatalogueColumn, i);
  }
  const missing = CATALOGUE_COLUMNS_REQUIRED.filter((column) => !positions.has(column));
  if (missing.length > 0) return err({ kind: 'invalid-csv', message: `the header lacks ${missing.join(', ')}` });
  return ok(positions);
}

/** One row as the JSON the product schema parses: cells as they are, numbers as numbers when they are digits. */
function rowAsRequest(cell: (column: CatalogueColumn) => string): Record<string, unknown> {
  const text = (column: CatalogueColumn): string | undefined => {
    const value = cell(column).trim();
    return value === '' ? undefined : value;
  };
  const integer = (column: CatalogueColumn): unknown => {
    const value = text(column);
    return value !== undefined && /^[0-9]{1,9}$/.test(value) ? Number(value) : value;
  };
  const list = (column: CatalogueColumn): string[] =>
    cell(column)
      .split(LIST_SEPARATOR)
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const localized = (prefix: 'title' | 'description') => {
    const [ko, zh, en] = [text(`${prefix}_ko`), text(`${prefix}_zh`), text(`${prefix}_en`)];
    return { ...(ko === undefined ? {} : { ko }), ...(zh === undefined ? {} : { zh }), ...(en === undefined ? {} : { en }) };
  };
  const description = localized('description');
  return {
    sku: text('sku'),
    title: localized('title'),
    ...(Object.keys(description).length === 0 ? {} : { description }),
    category: text('category'),
    hsCode: text('hs_code'),
    price: { currency: 'KRW', value: text('price_krw') },
    stock: integer('stock'),
    weightGrams: integer('weight_grams'),
    originCountry: text('origin_country'),
    images: list('images'),
    certifications: list('certifications'),
  };
}

export async function uploadCatalogue(input: {
  readonly store: MallStore;
  readonly seller: Seller;
  readonly csv: string;
  readonly at: string;
  readonly newProductId: () => ProductId;
}): Promise<Result<UploadReport, MallError>> {
  const records = parseCsv(input.csv, { recordsMax: CATALOGUE_UPLOAD_ROWS_MAX + 1, fieldCharsMax: DESCRIPTION_CHARS_MAX + 1 });
  if (!records.ok) return err({ kind: 'invalid-csv', message: `line ${records.error.line}: ${records.error.message}` });
  const [header, ...rows] = records.value;
  if (header === undefined) return err({ kind: 'invalid-csv', message: 'the file is empty; it starts with a header naming its columns' });
  const positions = readHeader(header.fields);
  if (!positions.ok) return positions;

  const results: RowResult[] = [];
  const valid: { readonly index: number; readonly request: ProductContent }[] = [];
  const linesOfSku = new Map<string, number[]>();
  for (const row of rows) {
    const sku = row.fields[positions.value.get('sku')!]?.trim() || undefined;
    if (sku !== undefined) linesOfSku.set(sku, [...(linesOfSku.get(sku) ?? []), row.line]);
    const base = { line: row.line, ...(sku === undefined ? {} : { sku }) };
    if (row.fields.length !== header.fields.length) {
      results.push({ ...base, outcome: 'rejected', errors: [{ column: '', message: `${row.fields.length} cells, the header has ${header.fields.length}` }] });
      continue;
    }
    const parsed = createProductSchema.safeParse(rowAsRequest((column) => row.fields[positions.value.get(column) ?? -1] ?? ''));
    if (!parsed.success) {
      const errors = parsed.error.issues.slice(0, UPLOAD_ROW_ERRORS_MAX).map((issue) => ({ column: columnOf(issue.path), message: issue.message }));
      results.push({ ...base, outcome: 'rejected', errors });
      continue;
    }
    valid.push({ index: results.length, request: contentOf(parsed.data) });
    results.push({ ...base, outcome: 'unchanged' });
  }

  // A SKU on several rows: which one the seller meant is unknown, so none of them is applied.
  const toApply = valid.filter(({ index, request }) => {
    const lines = linesOfSku.get(request.sku) ?? [];
    if (lines.length <= 1) return true;
    const line = results[index]!.line;
    results[index] = { line, sku: request.sku, outcome: 'rejected', errors: [{ column: 'sku', message: `SKU ${request.sku} is also on line ${lines.filter((l) => l !== line).join(', ')}; a file lists each SKU once` }] };
    return false;
  });
  for (let from = 0; from < toApply.length; from += UPLOAD_ROWS_IN_FLIGHT_MAX) {
    await Promise.all(
      toApply.slice(from, from + UPLOAD_ROWS_IN_FLIGHT_MAX).map(async ({ index, request }) => {
        const applied = await input.store.upsertProductBySku({ productId: input.newProductId(), sellerId: input.seller.sellerId, ...hashed(request) }, input.at);
        results[index] = { line: results[index]!.line, sku: request.sku, outcome: applied.kind, productId: applied.product.productId, version: applied.product.version };
      }),
    );
  }
  const count = (outcome: RowOutcome) => results.filter((r) => r.outcome === outcome).length;
  return ok({ rows: results.length, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), rejected: count('rejected'), results });
}
