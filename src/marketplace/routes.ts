/**
 * The marketplace's HTTP surface so far: its operator sees every listing and
 * why it is where it is (issue 7: "an operator can see why every listing is
 * where it is"), and may run a syndication pass at once instead of waiting
 * for the timer. Thin (STYLE 5).
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { apiError, bearerToken, keyMatches, MISSING_BEARER, parseValue, type RouteDoc } from '../platform/http/contract.ts';
import { listingReasonMessages, listingReasons, type Listing } from './listing.ts';
import type { ReviewSettingsSource } from './review-rules.ts';
import type { MarketplaceStore } from './store.ts';
import { STOREFRONT_PRODUCTS_PER_PAGE_MAX, storefrontFilter, storefrontLanguage, storefrontPageSchema, storefrontProduct, storefrontQuerySchema } from './storefront.ts';
import type { Syndication } from './syndication.ts';

/** Listings in one page of `GET /marketplace/v1/listings`. */
export const LISTINGS_PAGE_MAX = 100;

const listingsQuerySchema = z.object({
  status: z.enum(['listed', 'rejected', 'delisted']).optional(),
  after: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(LISTINGS_PAGE_MAX).optional(),
});

/** A listing as the operator sees it: the product as held, the status, the review's decision and each reason in every language. */
export function listingView(l: Listing) {
  const s = l.snapshot;
  return {
    productId: l.productId,
    sellerId: l.sellerId,
    sku: l.sku,
    version: l.version,
    status: l.status,
    reasons: listingReasons(l).map((code) => ({ code, message: listingReasonMessages(code) })),
    review: { outcome: l.decision.outcome, rulesVersion: l.decision.rulesVersion, reasons: l.decision.reasons, reviewedVersion: l.reviewedVersion, reviewedAt: l.reviewedAt },
    product: {
      title: s.title,
      ...(s.description === null ? {} : { description: s.description }),
      category: s.category,
      hsCode: s.hsCode,
      price: { currency: 'KRW' as const, value: s.priceKrw.toString() },
      stock: s.stock,
      weightGrams: s.weightGrams,
      originCountry: s.originCountry,
      images: s.images,
      certifications: s.certifications,
    },
    sellerSuspended: l.sellerSuspended,
    revision: l.revision,
    reportedRevision: l.reportedRevision,
    statusChangedAt: l.statusChangedAt,
    updatedAt: l.updatedAt,
  };
}

export function mountMarketplaceRoutes(
  app: Hono,
  deps: { readonly store: MarketplaceStore; readonly syndication: Syndication; readonly operatorKey: string; readonly reviewSettings: ReviewSettingsSource },
): void {
  const refused = (c: Context): Response | null => {
    const token = bearerToken(c);
    if (token === undefined) return apiError(c, MISSING_BEARER);
    return keyMatches(token, deps.operatorKey) ? null : apiError(c, { status: 401, code: 'UNAUTHENTICATED', message: 'the key is not valid' });
  };

  // The storefront (storefront.ts): public, listed products only, priced in CNY at the network's rate of the moment.
  app.get('/marketplace/v1/products', async (c) => {
    const query = parseValue(storefrontQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    const settings = await deps.reviewSettings();
    if (settings === null) return apiError(c, { status: 503, code: 'RATE_UNAVAILABLE', message: 'the network has published no KRW/CNY rate yet: nothing can be priced' });
    const filter = storefrontFilter(query.value);
    const lang = storefrontLanguage(query.value);
    const listings = await deps.store.listedProducts(filter);
    return c.json({
      lang,
      products: listings.map((l) => storefrontProduct(l, lang, settings.krwToCny)),
      nextAfter: listings.length === filter.limit ? (listings.at(-1)?.productId ?? null) : null,
    });
  });

  app.get('/marketplace/v1/listings', async (c) => {
    const no = refused(c);
    if (no) return no;
    const query = parseValue(listingsQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    const limit = query.value.limit ?? LISTINGS_PAGE_MAX;
    const listings = await deps.store.listListings({
      limit,
      ...(query.value.after === undefined ? {} : { afterId: query.value.after }),
      ...(query.value.status === undefined ? {} : { status: query.value.status }),
    });
    return c.json({ listings: listings.map(listingView), nextAfter: listings.length === limit ? (listings.at(-1)?.productId ?? null) : null, counts: await deps.store.statusCounts() });
  });

  app.get('/marketplace/v1/listings/:productId', async (c) => {
    const no = refused(c);
    if (no) return no;
    const listing = await deps.store.getListing(c.req.param('productId'));
    return listing === null ? apiError(c, { status: 404, code: 'NOT_FOUND', message: 'no listing of this product' }) : c.json(listingView(listing));
  });

  app.post('/marketplace/v1/syndication-passes', async (c) => {
    const no = refused(c);
    if (no) return no;
    const synced = await deps.syndication.syncOnce();
    const reported = await deps.syndication.reportOnce();
    const view = <T extends object, E extends { readonly kind: string; readonly detail: string }>(r: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E }) =>
      r.ok ? { ok: true, ...r.value } : { ok: false, error: r.error.kind, detail: r.error.detail };
    return c.json({ sync: jsonSafe(view(synced)), report: view(reported) });
  });
}

/** The cursor is a bigint: as its digits. */
function jsonSafe(value: object): object {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
}

const E = (status: number, code: string) => ({ status, code });
const AUTH = [E(401, 'UNAUTHENTICATED')];
const TAG = 'marketplace';

export const MARKETPLACE_ROUTE_DOCS: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/marketplace/v1/products',
    summary: `The storefront, public: listed products (?q=<title text>&category=<path, itself and below>&lang=zh|ko|en, Chinese by default&after=<productId>&limit=<products, at most ${STOREFRONT_PRODUCTS_PER_PAGE_MAX}>), priced in CNY at the network rate rounded up, available false when out of stock`,
    tag: TAG,
    response: storefrontPageSchema,
    errors: [E(400, 'INVALID_REQUEST'), E(503, 'RATE_UNAVAILABLE')],
  },
  {
    method: 'get',
    path: '/marketplace/v1/listings',
    summary: "Every listing (?status=listed|rejected|delisted&after&limit), with the review's decision, rules version and reasons, and the counts per status",
    tag: TAG,
    security: 'marketplaceOperatorKey',
    errors: [...AUTH, E(400, 'INVALID_REQUEST')],
  },
  { method: 'get', path: '/marketplace/v1/listings/{productId}', summary: 'One listing and why it is where it is', tag: TAG, security: 'marketplaceOperatorKey', errors: [...AUTH, E(404, 'NOT_FOUND')] },
  {
    method: 'post',
    path: '/marketplace/v1/syndication-passes',
    summary: "Read the mall's feed and report to the mall now, instead of at the next tick: what each pass did, or why it stopped (ok: false)",
    tag: TAG,
    security: 'marketplaceOperatorKey',
    errors: AUTH,
  },
];
