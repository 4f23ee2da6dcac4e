/**
 * The mall's side of the catalogue feed (ADR 15, `protocol/catalogue-feed.ts`):
 * the changes after a cursor, each product once at its latest version, in the
 * order of the feed's numbers, within the page's item and byte limits.
 * Reading it changes nothing, so a reader may ask for any page again.
 */
import { CATALOGUE_FEED_BYTES_MAX, type CatalogueFeedPage, type FeedProduct } from '../protocol/index.ts';
import type { MallStore } from './store.ts';
import type { Product } from './types.ts';

export function feedProduct(p: Product): FeedProduct {
  return {
    productId: p.productId,
    sellerId: p.sellerId,
    sku: p.sku,
    version: p.version,
    title: p.title,
    ...(p.description === null ? {} : { description: p.description }),
    category: p.category,
    hsCode: p.hsCode,
    price: { currency: 'KRW', value: p.priceKrw.toString() },
    stock: p.stock,
    weightGrams: p.weightGrams,
    originCountry: p.originCountry,
    images: [...p.images],
    certifications: [...p.certifications],
    sellerSuspended: p.sellerSuspended,
    updatedAt: p.updatedAt,
  };
}

/** One page of the feed after `after` (a feed number), at most `limit` changes and about `CATALOGUE_FEED_BYTES_MAX` bytes. */
export async function readFeedPage(store: MallStore, page: { readonly after: bigint; readonly limit: number }): Promise<CatalogueFeedPage> {
  // One more than asked for: whether more follow, without a second query.
  const products = await store.changesAfter(page.after, page.limit + 1);
  const changes: CatalogueFeedPage['changes'][number][] = [];
  let bytes = 0;
  for (const product of products.slice(0, page.limit)) {
    const change = { cursor: product.changeSeq.toString(), product: feedProduct(product) };
    bytes += Buffer.byteLength(JSON.stringify(change)) + 1;
    if (changes.length > 0 && bytes > CATALOGUE_FEED_BYTES_MAX) break;
    changes.push(change);
  }
  return { changes, nextCursor: changes.at(-1)?.cursor ?? page.after.toString(), hasMore: products.length > changes.length };
}
