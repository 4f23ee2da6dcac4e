/**
 * The mall's catalogue feed, as the marketplace reads it (issue 7, ADR 15):
 * a signed GET of the changes after a cursor, answered signed. Each change is
 * a product at its latest version with its own cursor; the cursor is opaque
 * to the reader (digits it hands back), increasing along the feed, and safe
 * to resume from after either side restarts. A product appears once per
 * page, at its latest version: versions in between are skipped, never
 * reordered, so a reader that keeps the highest version per product and
 * ignores the rest converges whatever it was sent twice or out of order.
 *
 * Both sides are here, as for the other messages between institutions: the
 * wire schema, the reader's client (`fetchCatalogueFeedPage`), and the
 * signing of the answer (`signedGetAnswer`).
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { err, ok, type Result } from '../platform/result.ts';
import { signMessage, verifyMessage, type KeyDirectory } from '../platform/signing/index.ts';
import { amountSchema } from './messages.ts';
import { PEER_CALL_TIMEOUT_MS_DEFAULT, requestTimes, type FetchFunction, type SigningIdentity } from './signed-http.ts';

export const CATALOGUE_FEED_PATH = '/mall/v1/feed';
/** Most changes in one page. */
export const CATALOGUE_FEED_ITEMS_MAX = 500;
/** Largest page body, in bytes: the mall stops adding changes before it (one change is always sent). */
export const CATALOGUE_FEED_BYTES_MAX = 1024 * 1024;
/** A cursor: the feed's sequence number as digits, "0" before the first change. */
export const CATALOGUE_FEED_CURSOR_PATTERN = /^(0|[1-9][0-9]{0,18})$/;

const localized = z.object({ ko: z.string(), zh: z.string().optional(), en: z.string().optional() });

export const feedProductSchema = z.object({
  productId: z.string().max(40),
  sellerId: z.string().max(40),
  sku: z.string().max(64),
  version: z.number().int().min(1),
  title: localized,
  description: localized.optional(),
  category: z.string().max(64),
  hsCode: z.string().max(12),
  price: amountSchema,
  stock: z.number().int().min(0),
  weightGrams: z.number().int().min(1),
  originCountry: z.string().length(2),
  images: z.array(z.string()),
  certifications: z.array(z.string()),
  /**
   * The mall has suspended the product's seller: the marketplace takes it off
   * sale. A suspension or reinstatement is a new version of each of the
   * seller's products (ADR 15's "tombstone version"), so it is ordered with
   * the product's other changes.
   */
  sellerSuspended: z.boolean(),
  updatedAt: z.string(),
});
export type FeedProduct = z.infer<typeof feedProductSchema>;

export const catalogueFeedPageSchema = z.object({
  changes: z.array(z.object({ cursor: z.string().regex(CATALOGUE_FEED_CURSOR_PATTERN), product: feedProductSchema })).max(CATALOGUE_FEED_ITEMS_MAX),
  /** Where the next page starts: the last change's cursor, or the request's `after` when there was none. */
  nextCursor: z.string().regex(CATALOGUE_FEED_CURSOR_PATTERN),
  /** True when the page stopped at a limit and more changes follow now. */
  hasMore: z.boolean(),
});
export type CatalogueFeedPage = z.infer<typeof catalogueFeedPageSchema>;

/** The request target of a page: what both sides sign. */
export function catalogueFeedTarget(page: { readonly after: string; readonly limit: number }): string {
  return `${CATALOGUE_FEED_PATH}?after=${page.after}&limit=${page.limit}`;
}

export type CatalogueFeedError = { readonly kind: 'no-answer'; readonly detail: string } | { readonly kind: 'refused'; readonly status: number; readonly detail: string };

export interface CatalogueFeedClientOptions {
  readonly self: SigningIdentity;
  /** The mall's participant id: its answers must be signed by it. */
  readonly mallId: string;
  readonly baseUrl: string | (() => string);
  readonly keys: KeyDirectory;
  readonly timeoutMs?: number;
  readonly fetch?: FetchFunction;
  readonly now?: () => Date;
}

/** A reader of one mall's feed: each call signs a GET and accepts only a signed, well-formed answer. */
export function createCatalogueFeedClient(options: CatalogueFeedClientOptions): (page: { readonly after: string; readonly limit: number }) => Promise<Result<CatalogueFeedPage, CatalogueFeedError>> {
  const send = options.fetch ?? ((url, init) => fetch(url, init));
  const now = options.now ?? (() => new Date());
  const requestTime = requestTimes(now);
  return async (page) => {
    if (!CATALOGUE_FEED_CURSOR_PATTERN.test(page.after)) throw new Error(`assertion failed: cursor ${page.after} is digits`);
    if (!(Number.isInteger(page.limit) && page.limit >= 1 && page.limit <= CATALOGUE_FEED_ITEMS_MAX)) throw new Error(`assertion failed: limit ${page.limit} in 1..${CATALOGUE_FEED_ITEMS_MAX}`);
    const target = catalogueFeedTarget(page);
    const headers = signMessage({ method: 'GET', path: target, clientId: options.self.clientId, requestTime: requestTime(), body: '', privateKey: options.self.privateKey, keyVersion: options.self.keyVersion });
    let response: Response;
    let text: string;
    try {
      const baseUrl = typeof options.baseUrl === 'string' ? options.baseUrl : options.baseUrl();
      response = await send(`${baseUrl}${target}`, { method: 'GET', headers, signal: AbortSignal.timeout(options.timeoutMs ?? PEER_CALL_TIMEOUT_MS_DEFAULT) });
      text = await response.text();
    } catch (error) {
      return err({ kind: 'no-answer', detail: error instanceof Error ? error.message : String(error) });
    }
    if (Buffer.byteLength(text) > CATALOGUE_FEED_BYTES_MAX + 4096) return err({ kind: 'no-answer', detail: `an answer above CATALOGUE_FEED_BYTES_MAX=${CATALOGUE_FEED_BYTES_MAX}` });
    const verified = verifyMessage({ method: 'GET', path: target, headers: response.headers, body: text, keys: options.keys, now: now() });
    if (!verified.ok) return err({ kind: 'no-answer', detail: `answer signature: ${verified.error.message}` });
    if (verified.value.clientId !== options.mallId) return err({ kind: 'no-answer', detail: `answer signed by ${verified.value.clientId}, not ${options.mallId}` });
    if (response.status !== 200) return err({ kind: 'refused', status: response.status, detail: text.slice(0, 200) });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return err({ kind: 'no-answer', detail: 'the answer is not JSON' });
    }
    const parsed = catalogueFeedPageSchema.safeParse(body);
    if (!parsed.success) return err({ kind: 'no-answer', detail: `the answer is not a feed page: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
    return ok(parsed.data);
  };
}

/**
 * Answers a signed GET with a JSON body signed by `self` over the same
 * method and request target, whatever its status: a reader can tell the
 * mall's refusal from a forgery or a lost answer.
 */
export function signedGetAnswer(c: Context, input: { readonly target: string; readonly self: SigningIdentity; readonly time: () => string; readonly status: 200 | 400 | 401 | 403; readonly body: unknown }): Response {
  const text = JSON.stringify(input.body);
  const headers = signMessage({ method: 'GET', path: input.target, clientId: input.self.clientId, requestTime: input.time(), body: text, privateKey: input.self.privateKey, keyVersion: input.self.keyVersion });
  return c.body(text, input.status, { ...headers, 'Content-Type': 'application/json' });
}
