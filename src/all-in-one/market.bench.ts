/**
 * `npm run bench -- market` (issue 7): products from many sellers syndicated
 * and reviewed end to end (mall → signed feed → marketplace review → listed),
 * then price and stock deltas synced without a review. The mall and the
 * marketplace each on their own SQLite database (the default deployment,
 * group-committed), the feed over signed HTTP in-process (`app.request`: the
 * signing, the JSON and the schema checks, no socket).
 *
 * Timed: the marketplace's sync passes only. Seeding the mall (sellers and a
 * CSV upload per seller) and making the deltas there come before each timed
 * part. Prints products/s for review, deltas/s for sync, the reports' rate
 * back to the mall, and a checksum of the final listings.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Seller } from '../mall/index.ts';
import { CROSS_BORDER_ORDER_LIMIT_CNY, type Listing, type ReviewSettings } from '../marketplace/index.ts';
import { currency, invertRate, parseRate } from '../money/index.ts';
import { businessRegistrationCheckDigit } from '../platform/business-registration-number.ts';
import { startMarketPair, type MarketPair } from './market-pair.ts';

export interface MarketBenchOptions {
  readonly products: number;
  readonly sellers: number;
  readonly deltas: number;
  readonly log: (line: string) => void;
}

export interface MarketBenchResult {
  readonly products: number;
  readonly listed: number;
  readonly rejected: number;
  readonly reviewSeconds: number;
  readonly reviewedPerSecond: number;
  readonly deltas: number;
  readonly deltaSeconds: number;
  readonly deltasPerSecond: number;
  readonly reportsPerSecond: number;
  /** SHA-256 (16 hex digits) of every listing's seller, SKU, version, status and reasons: the same for the same options. */
  readonly checksum: string;
}

/** Sellers signed up at once while seeding. */
const SEED_SELLERS_IN_FLIGHT = 64;
/** Deltas made at the mall at once while seeding them. */
const SEED_DELTAS_IN_FLIGHT = 256;
const CSV_HEADER = 'sku,title_ko,title_zh,title_en,category,hs_code,price_krw,stock,weight_grams,origin_country,images,certifications';

/** A valid business registration number per seller index (its check digit computed). */
function brnOf(index: number): string {
  const nine = `1${String(index).padStart(8, '0')}`;
  return `${nine}${businessRegistrationCheckDigit(nine)}`;
}

/** Product `i` of a seller: about one in five fails the review, for one reason or several. */
function csvRow(seller: number, i: number): string {
  const n = seller * 7_919 + i;
  const zh = n % 11 === 0 ? '' : `商品 ${seller}-${i}`;
  const hs = n % 17 === 0 ? '930200' : n % 23 === 0 ? '6202' : '620213';
  const price = n % 29 === 0 ? 2_000_000 : 10_000 + (n % 500) * 1_000;
  const images = n % 13 === 0 ? '' : `https://mall.example/${seller}/${i}.jpg`;
  return `S${i},상품 ${seller}-${i},${zh},Product ${seller}-${i},fashion/outerwear,${hs},${price},${n % 50},${500 + (n % 10)},KR,${images},KC-${n % 7}`;
}

async function inBatches<T>(items: readonly T[], inFlight: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let from = 0; from < items.length; from += inFlight) await Promise.all(items.slice(from, from + inFlight).map(work));
}

async function seed(pair: MarketPair, options: MarketBenchOptions): Promise<readonly Seller[]> {
  const mall = pair.mall().service;
  const sellers: Seller[] = [];
  await inBatches(
    Array.from({ length: options.sellers }, (_, i) => i),
    SEED_SELLERS_IN_FLIGHT,
    async (i) => {
      const created = await mall.registerSeller({ legalName: `판매자 ${i}`, businessRegistrationNumber: brnOf(i), contactEmail: `seller${i}@example.kr` });
      if (!created.ok) throw new Error(`assertion failed: seller ${i} signs up: ${created.error.kind}`);
      sellers[i] = created.value.seller;
    },
  );
  const perSeller = Math.ceil(options.products / options.sellers);
  let made = 0;
  for (const [s, seller] of sellers.entries()) {
    const count = Math.min(perSeller, options.products - made);
    if (count <= 0) break;
    const csv = [CSV_HEADER, ...Array.from({ length: count }, (_, i) => csvRow(s, i))].join('\n');
    const uploaded = await mall.uploadCatalogue(seller, csv);
    if (!uploaded.ok || uploaded.value.created !== count) throw new Error(`assertion failed: seller ${s}'s catalogue is created whole`);
    made += count;
  }
  return sellers;
}

/** Sync passes until the marketplace has read the whole feed; seconds taken. */
async function syncAll(pair: MarketPair): Promise<number> {
  const started = performance.now();
  for (;;) {
    const synced = await pair.marketplace().syndication.syncOnce();
    if (!synced.ok) throw new Error(`assertion failed: the feed answers: ${synced.error.detail}`);
    if (synced.value.caughtUp) return (performance.now() - started) / 1000;
  }
}

/** The listed products in (seller, SKU) order: product ids are random, so the same run changes the same products. */
async function allListed(pair: MarketPair): Promise<Listing[]> {
  const listed: Listing[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await pair.marketplace().store.listListings({ limit: 1_000, status: 'listed', ...(after === undefined ? {} : { afterId: after }) });
    listed.push(...page);
    if (page.length < 1_000) break;
    after = page.at(-1)!.productId;
  }
  const key = (l: Listing) => `${l.sellerId} ${l.sku}`;
  return listed.sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

/** Every listing as (seller, SKU, version, status, reasons), sorted: product ids are random, so they are left out. */
async function checksumOf(pair: MarketPair): Promise<{ checksum: string; count: number }> {
  const lines: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await pair.marketplace().store.listListings({ limit: 1_000, ...(after === undefined ? {} : { afterId: after }) });
    for (const l of page) lines.push(`${l.sellerId} ${l.sku} ${l.version} ${l.status} ${l.decision.reasons.join('|')}`);
    if (page.length < 1_000) break;
    after = page.at(-1)!.productId;
  }
  lines.sort();
  return { checksum: createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16), count: lines.length };
}

export async function runMarketBench(options: MarketBenchOptions): Promise<MarketBenchResult> {
  const rate = parseRate('190.25', { base: currency('CNY'), quote: currency('KRW') });
  if (!rate.ok) throw new Error('assertion failed: the demo rate parses');
  const settings: ReviewSettings = { krwToCny: invertRate(rate.value), orderLimitCny: CROSS_BORDER_ORDER_LIMIT_CNY };
  const dir = mkdtempSync(join(tmpdir(), 'dari-market-bench-'));
  const pair = await startMarketPair({ dataDir: dir, reviewSettings: () => settings });
  try {
    const seedStarted = performance.now();
    const sellers = await seed(pair, options);
    options.log(`market bench: ${options.products} products from ${options.sellers} sellers in the mall (seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s)`);

    const reviewSeconds = await syncAll(pair);
    const counts = await pair.marketplace().store.statusCounts();
    if (counts.listed + counts.rejected !== options.products) throw new Error(`assertion failed: every product reviewed (${JSON.stringify(counts)})`);
    options.log(
      `market bench: ${options.products} products syndicated and reviewed in ${reviewSeconds.toFixed(2)} s: ${Math.round(options.products / reviewSeconds)} products/s ` +
        `(${counts.listed} listed, ${counts.rejected} rejected)`,
    );

    const reportStarted = performance.now();
    for (;;) {
      const reported = await pair.marketplace().syndication.reportOnce();
      if (!reported.ok) throw new Error(`assertion failed: the mall takes reports: ${reported.error.detail}`);
      if (reported.value.caughtUp) break;
    }
    const reportSeconds = (performance.now() - reportStarted) / 1000;
    options.log(`market bench: ${options.products} listing reports sent back to the mall in ${reportSeconds.toFixed(2)} s: ${Math.round(options.products / reportSeconds)} reports/s`);

    // Deltas: price or stock of distinct products, made at the mall, then synced.
    const mall = pair.mall().service;
    const listed = (await allListed(pair)).slice(0, options.deltas);
    if (listed.length < options.deltas) throw new Error(`assertion failed: ${options.deltas} listed products to change`);
    const sellerById = new Map(sellers.map((s) => [s.sellerId as string, s]));
    await inBatches(listed, SEED_DELTAS_IN_FLIGHT, async (l) => {
      const patch = l.snapshot.stock % 2 === 0 ? { stock: l.snapshot.stock + 1 } : { price: { currency: 'KRW' as const, value: (l.snapshot.priceKrw + 100n).toString() } };
      const changed = await mall.patchProduct(sellerById.get(l.sellerId)!, l.productId, patch);
      if (!changed.ok || !changed.value.changed) throw new Error(`assertion failed: delta on ${l.productId} applies`);
    });
    const deltaSeconds = await syncAll(pair);
    for (const before of listed) {
      const l = await pair.marketplace().store.getListing(before.productId);
      if (l === null || l.status !== 'listed' || l.version !== before.version + 1 || l.reviewedVersion !== before.reviewedVersion) {
        throw new Error(`assertion failed: ${before.productId} took its delta without a review`);
      }
    }
    options.log(`market bench: ${options.deltas} price and stock deltas synced in ${deltaSeconds.toFixed(2)} s: ${Math.round(options.deltas / deltaSeconds)} deltas/s, none reviewed`);

    const { checksum, count } = await checksumOf(pair);
    if (count !== options.products) throw new Error(`assertion failed: ${options.products} listings, found ${count}`);
    options.log(`market bench: checksum of the listings ${checksum}`);
    return {
      products: options.products,
      listed: counts.listed,
      rejected: counts.rejected,
      reviewSeconds,
      reviewedPerSecond: options.products / reviewSeconds,
      deltas: options.deltas,
      deltaSeconds,
      deltasPerSecond: options.deltas / deltaSeconds,
      reportsPerSecond: options.products / reportSeconds,
      checksum,
    };
  } finally {
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
