/**
 * The mall's HTTP surface: the operator signs up sellers; each seller
 * manages its own catalogue with its API key. Thin (STYLE 5): authenticate,
 * parse, call one service function, map the result.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorBody } from '../platform/http/app.ts';
import { apiError, bearerToken, parseJsonBody, parseValue, type RouteDoc } from '../platform/http/contract.ts';
import type { Result } from '../platform/result.ts';
import { signMessage, verifyAndRecordMessage } from '../platform/signing/index.ts';
import {
  CATALOGUE_FEED_PATH,
  catalogueFeedPageSchema,
  LISTING_REPORTS_BYTES_MAX,
  LISTING_REPORTS_PATH,
  listingReportsAnswerSchema,
  listingReportsRequestSchema,
  requestTimes,
  signedGetAnswer,
  type ProtocolServerOptions,
} from '../protocol/index.ts';
import { CATALOGUE_COLUMNS, CATALOGUE_UPLOAD_BYTES_MAX, CATALOGUE_UPLOAD_ROWS_MAX, LIST_SEPARATOR } from './catalogue-upload.ts';
import {
  createProductSchema,
  feedQuerySchema,
  listProductsQuerySchema,
  patchProductSchema,
  productDetailViewSchema,
  productLanguageQuerySchema,
  sellerStandingSchema,
  productViewSchema,
  PRODUCTS_PAGE_MAX,
  registerSellerSchema,
  sellerCreatedSchema,
  uploadReportSchema,
} from './contract.ts';
import { toApiError, type MallError } from './errors.ts';
import type { MallService, ProductDetail } from './service.ts';
import type { Product, ProductListing, Seller } from './types.ts';

/** The media type of a catalogue upload. */
export const CATALOGUE_MEDIA_TYPE = 'text/csv';

export function productView(p: Product) {
  return {
    productId: p.productId,
    sellerId: p.sellerId,
    sku: p.sku,
    version: p.version,
    title: p.title,
    ...(p.description === null ? {} : { description: p.description }),
    category: p.category,
    hsCode: p.hsCode,
    price: { currency: 'KRW' as const, value: p.priceKrw.toString() },
    stock: p.stock,
    weightGrams: p.weightGrams,
    originCountry: p.originCountry,
    images: p.images,
    certifications: p.certifications,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** The languages a listing's reasons are shown in; Korean, the sellers' language, unless asked. */
export type ReasonLanguage = 'ko' | 'zh' | 'en';

/** Where the product stands on the marketplace; `in-review` until the marketplace has reported on it. */
export function listingView(listing: ProductListing | null, language: ReasonLanguage) {
  if (listing === null) return { status: 'in-review' as const, reasons: [], decidedAt: null };
  return {
    status: listing.status,
    reasons: listing.reasons.map((r) => ({ code: r.code, message: r.message[language] })),
    decidedAt: listing.decidedAt,
  };
}

export function productDetailView(detail: ProductDetail, language: ReasonLanguage) {
  return { ...productView(detail.product), listing: listingView(detail.listing, language) };
}

export interface MallRouteDeps {
  readonly service: MallService;
  /** Who may read the feed (the marketplace), how the mall signs its answers, and its replay guard. */
  readonly feed: { readonly readers: readonly string[] } & ProtocolServerOptions;
}

export function mountMallRoutes(app: Hono, deps: MallRouteDeps): void {
  const { service } = deps;
  const fail = (c: Context, error: MallError): Response => apiError(c, toApiError(error));
  const json = <T>(c: Context, r: Result<T, MallError>, view: (value: T) => unknown, status: ContentfulStatusCode = 200): Response =>
    r.ok ? c.json(view(r.value) as object, status) : fail(c, r.error);

  const operator = async (c: Context): Promise<Response | null> => {
    const who = await service.authenticate(bearerToken(c));
    if (!who.ok) return fail(c, who.error);
    return who.value.kind === 'operator' ? null : fail(c, { kind: 'forbidden', message: "this is the mall operator's endpoint" });
  };
  const sellerOf = async (c: Context): Promise<Result<Seller, MallError>> => {
    const who = await service.authenticate(bearerToken(c));
    if (!who.ok) return who;
    if (who.value.kind !== 'seller') return { ok: false, error: { kind: 'forbidden', message: "this is a seller's endpoint: use the seller's API key" } };
    return { ok: true, value: who.value.seller };
  };

  app.post('/mall/v1/sellers', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const body = await parseJsonBody(c, registerSellerSchema);
    if (!body.ok) return apiError(c, body.error);
    return json(c, await service.registerSeller(body.value), ({ seller, apiKey }) => ({ sellerId: seller.sellerId, apiKey }), 201);
  });

  app.post('/mall/v1/products', async (c) => {
    const seller = await sellerOf(c);
    if (!seller.ok) return fail(c, seller.error);
    const body = await parseJsonBody(c, createProductSchema);
    if (!body.ok) return apiError(c, body.error);
    const created = await service.createProduct(seller.value, body.value);
    return created.ok ? c.json(productView(created.value.product), created.value.created ? 201 : 200) : fail(c, created.error);
  });

  app.get('/mall/v1/products', async (c) => {
    const seller = await sellerOf(c);
    if (!seller.ok) return fail(c, seller.error);
    const query = parseValue(listProductsQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    const limit = query.value.limit ?? PRODUCTS_PAGE_MAX;
    const products = await service.listProducts(seller.value, { ...(query.value.after === undefined ? {} : { after: query.value.after }), limit });
    const language = query.value.lang ?? 'ko';
    return c.json({ products: products.map((d) => productDetailView(d, language)), nextAfter: products.length === limit ? (products.at(-1)?.product.productId ?? null) : null });
  });

  app.get('/mall/v1/products/:id', async (c) => {
    const seller = await sellerOf(c);
    if (!seller.ok) return fail(c, seller.error);
    const query = parseValue(productLanguageQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    return json(c, await service.getProduct(seller.value, c.req.param('id')), (d) => productDetailView(d, query.value.lang ?? 'ko'));
  });

  for (const [action, suspended] of [['suspend', true], ['reinstate', false]] as const) {
    app.post(`/mall/v1/sellers/:id/${action}`, async (c) => {
      const refused = await operator(c);
      if (refused) return refused;
      return json(c, await service.setSellerSuspended(c.req.param('id'), suspended), ({ seller, productsChanged }) => ({
        sellerId: seller.sellerId,
        suspended: seller.suspendedAt !== null,
        suspendedAt: seller.suspendedAt,
        productsChanged,
      }));
    });
  }

  app.patch('/mall/v1/products/:id', async (c) => {
    const seller = await sellerOf(c);
    if (!seller.ok) return fail(c, seller.error);
    const body = await parseJsonBody(c, patchProductSchema);
    if (!body.ok) return apiError(c, body.error);
    return json(c, await service.patchProduct(seller.value, c.req.param('id'), body.value), ({ product }) => productView(product));
  });

  app.post(
    '/mall/v1/product-uploads',
    bodyLimit({ maxSize: CATALOGUE_UPLOAD_BYTES_MAX, onError: (c) => c.json(errorBody('BODY_TOO_LARGE', `a catalogue upload is at most ${CATALOGUE_UPLOAD_BYTES_MAX} bytes; split the file`), 413) }),
    async (c) => {
      const seller = await sellerOf(c);
      if (!seller.ok) return fail(c, seller.error);
      const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (mediaType !== CATALOGUE_MEDIA_TYPE) return c.json(errorBody('UNSUPPORTED_MEDIA_TYPE', `send the catalogue as ${CATALOGUE_MEDIA_TYPE} (UTF-8)`), 415);
      let csv: string;
      try {
        csv = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
      } catch {
        return fail(c, { kind: 'invalid-csv', message: 'the file is not UTF-8: save it as "CSV UTF-8"' });
      }
      return json(c, await service.uploadCatalogue(seller.value, csv), (report) => report);
    },
  );

  mountFeedRoute(app, deps);
  mountListingReportsRoute(app, deps);
}

/**
 * `POST /mall/v1/listing-reports`, signed by the marketplace (a feed reader),
 * answered signed, refusals included (ADR 17). Each report is kept when its
 * revision is above the one the mall holds for the product, so a retried or
 * overtaken message changes nothing twice.
 */
function mountListingReportsRoute(app: Hono, deps: MallRouteDeps): void {
  const { feed } = deps;
  const now = feed.now ?? (() => new Date());
  const time = requestTimes(now);
  app.post(
    LISTING_REPORTS_PATH,
    bodyLimit({ maxSize: LISTING_REPORTS_BYTES_MAX, onError: (c) => c.json(errorBody('BODY_TOO_LARGE', `a listing-reports message is at most ${LISTING_REPORTS_BYTES_MAX} bytes`), 413) }),
    async (c) => {
      const text = await c.req.text();
      const answer = (status: 200 | 400 | 401 | 403, body: unknown): Response => {
        const json = JSON.stringify(body);
        const headers = signMessage({ method: 'POST', path: LISTING_REPORTS_PATH, clientId: feed.self.clientId, requestTime: time(), body: json, privateKey: feed.self.privateKey, keyVersion: feed.self.keyVersion });
        return c.body(json, status, { ...headers, 'Content-Type': 'application/json' });
      };
      const verified = await verifyAndRecordMessage({ method: 'POST', path: LISTING_REPORTS_PATH, headers: c.req.raw.headers, body: text, keys: feed.keys, now: now(), replayGuard: feed.replayGuard });
      if (!verified.ok) return answer(401, errorBody(verified.error.code, verified.error.message));
      if (!feed.readers.includes(verified.value.clientId)) return answer(403, errorBody('FORBIDDEN', `${verified.value.clientId} does not list this mall's products`));
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return answer(400, errorBody('INVALID_REQUEST', 'the body is not JSON'));
      }
      const parsed = parseValue(listingReportsRequestSchema, json);
      if (!parsed.ok) return answer(400, errorBody(parsed.error.code, parsed.error.message));
      return answer(200, await deps.service.receiveListingReports(parsed.value.reports));
    },
  );
}

/**
 * `GET /mall/v1/feed?after=<cursor>&limit=<n>`, signed by a reader the mall
 * knows (the marketplace) and answered signed, refusals included. The
 * request target (path and query) is what both sides sign, so neither the
 * cursor nor the limit can be changed on the way.
 */
function mountFeedRoute(app: Hono, deps: MallRouteDeps): void {
  const { feed } = deps;
  const now = feed.now ?? (() => new Date());
  const time = requestTimes(now);
  app.get(CATALOGUE_FEED_PATH, async (c) => {
    const url = new URL(c.req.url);
    const target = `${url.pathname}${url.search}`;
    const answer = (status: 200 | 400 | 401 | 403, body: unknown) => signedGetAnswer(c, { target, self: feed.self, time, status, body });
    const verified = await verifyAndRecordMessage({ method: 'GET', path: target, headers: c.req.raw.headers, body: '', keys: feed.keys, now: now(), replayGuard: feed.replayGuard });
    if (!verified.ok) return answer(401, errorBody(verified.error.code, verified.error.message));
    if (!feed.readers.includes(verified.value.clientId)) return answer(403, errorBody('FORBIDDEN', `${verified.value.clientId} does not read this mall's feed`));
    const query = parseValue(feedQuerySchema, c.req.query());
    if (!query.ok) return answer(400, errorBody(query.error.code, query.error.message));
    return answer(200, await deps.service.feed({ after: BigInt(query.value.after), limit: query.value.limit }));
  });
}

// ------------------------------------------------------------ documentation

const E = (status: number, code: string) => ({ status, code });
const AUTH = [E(401, 'UNAUTHENTICATED'), E(403, 'FORBIDDEN')];
const BAD = E(400, 'INVALID_REQUEST');
const TAG = 'mall';

export const MALL_ROUTE_DOCS: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/mall/v1/sellers',
    summary: 'Sign up a seller; its API key is shown once',
    tag: TAG,
    security: 'mallOperatorKey',
    request: registerSellerSchema,
    response: sellerCreatedSchema,
    errors: [...AUTH, BAD, E(400, 'INVALID_BUSINESS_REGISTRATION_NUMBER'), E(409, 'SELLER_ALREADY_REGISTERED')],
  },
  {
    method: 'post',
    path: '/mall/v1/products',
    summary: 'Add a product to the catalogue (201); the same request again answers the product (200)',
    tag: TAG,
    security: 'sellerKey',
    request: createProductSchema,
    response: productViewSchema,
    errors: [...AUTH, BAD, E(409, 'SKU_TAKEN')],
  },
  { method: 'get', path: '/mall/v1/products', summary: "The seller's products, a page at a time (?after&limit)", tag: TAG, security: 'sellerKey', errors: [...AUTH, BAD] },
  {
    method: 'get',
    path: '/mall/v1/products/{id}',
    summary: 'A product of the seller, with its listing at the marketplace: status and reasons (?lang=ko|zh|en for the reasons, Korean by default)',
    tag: TAG,
    security: 'sellerKey',
    response: productDetailViewSchema,
    errors: [...AUTH, BAD, E(404, 'NOT_FOUND')],
  },
  {
    method: 'post',
    path: '/mall/v1/sellers/{id}/suspend',
    summary: "Suspend a seller: the marketplace delists its products through the feed; again changes nothing",
    tag: TAG,
    security: 'mallOperatorKey',
    response: sellerStandingSchema,
    errors: [...AUTH, E(404, 'NOT_FOUND')],
  },
  {
    method: 'post',
    path: '/mall/v1/sellers/{id}/reinstate',
    summary: 'Reinstate a suspended seller: the marketplace relists its products that pass the review',
    tag: TAG,
    security: 'mallOperatorKey',
    response: sellerStandingSchema,
    errors: [...AUTH, E(404, 'NOT_FOUND')],
  },
  {
    method: 'patch',
    path: '/mall/v1/products/{id}',
    summary: 'Change a product: each field given replaces its own (description null removes it); a change to the same content makes no new version',
    tag: TAG,
    security: 'sellerKey',
    request: patchProductSchema,
    response: productViewSchema,
    errors: [...AUTH, BAD, E(404, 'NOT_FOUND'), E(409, 'VERSION_CONFLICT'), E(503, 'PRODUCT_CONTENDED')],
  },
  {
    method: 'post',
    path: '/mall/v1/product-uploads',
    summary: 'Upload a whole catalogue as CSV: each row creates or replaces the product of its SKU, whole or not at all; the answer reports every row',
    tag: TAG,
    security: 'sellerKey',
    requestBody: {
      mediaType: CATALOGUE_MEDIA_TYPE,
      description: `UTF-8 CSV (RFC 4180), a header then at most ${CATALOGUE_UPLOAD_ROWS_MAX} rows, at most ${CATALOGUE_UPLOAD_BYTES_MAX} bytes. Columns: ${CATALOGUE_COLUMNS.join(', ')}; images and certifications separate values with "${LIST_SEPARATOR}"; price_krw in won.`,
    },
    response: uploadReportSchema,
    errors: [...AUTH, E(400, 'INVALID_CSV'), E(413, 'BODY_TOO_LARGE'), E(415, 'UNSUPPORTED_MEDIA_TYPE')],
  },
  {
    method: 'get',
    path: '/mall/v1/feed',
    summary: 'The catalogue feed for the marketplace (?after=<cursor>&limit=): products changed after the cursor, each once at its latest version, in order; signed request, signed answer',
    tag: 'mall (marketplace)',
    security: 'signed',
    response: catalogueFeedPageSchema,
    errors: [BAD, E(401, 'INVALID_SIGNATURE'), E(401, 'REPLAYED_REQUEST'), E(403, 'FORBIDDEN')],
  },
  {
    method: 'post',
    path: LISTING_REPORTS_PATH,
    summary: "The marketplace's reports of its listings (status, reasons, a revision per listing): each kept when newer than the one held; signed request, signed answer",
    tag: 'mall (marketplace)',
    security: 'signed',
    request: listingReportsRequestSchema,
    response: listingReportsAnswerSchema,
    errors: [BAD, E(401, 'INVALID_SIGNATURE'), E(401, 'REPLAYED_REQUEST'), E(403, 'FORBIDDEN'), E(413, 'BODY_TOO_LARGE')],
  },
];
