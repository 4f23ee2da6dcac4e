/**
 * The marketplace's listing decisions, reported back to the mall (issue 7,
 * ADR 17): the mall shows each seller where its products stand on the
 * marketplace (in review, listed, rejected, delisted) and why, in the
 * reasons' own words.
 *
 * `POST /mall/v1/listing-reports`, signed by the marketplace, answered signed
 * by the mall. A report is a listing's whole state at one `revision`, a
 * number the marketplace raises by one whenever the listing's status or
 * reasons change; the mall keeps, per product, the report with the highest
 * revision and ignores any other. So a message sent twice, a retry after a
 * lost answer, or two messages overtaking each other change nothing twice
 * and never put an older state over a newer one. The replay guard refuses a
 * byte-identical replay before that; the revision is what makes a re-signed
 * retry harmless.
 *
 * The marketplace marks a report delivered only once the mall has answered
 * 200, signed: until then it sends it again (the outbox is its listings'
 * `revision > reported_revision`).
 */
import { z } from 'zod';
import type { FetchFunction, SigningIdentity } from './signed-http.ts';
import { createSignedPoster } from './signed-http.ts';
import type { KeyDirectory } from '../platform/signing/index.ts';
import { err, ok, type Result } from '../platform/result.ts';

export const LISTING_REPORTS_PATH = '/mall/v1/listing-reports';
/** Most reports in one message. */
export const LISTING_REPORTS_MAX = 200;
/**
 * Largest message body, in bytes: the sender stops adding reports before it
 * (one report always fits). Under the one-process shell's 64 KiB body limit.
 */
export const LISTING_REPORTS_BYTES_MAX = 48 * 1024;
/** Most reasons in one report. */
export const LISTING_REASONS_MAX = 16;
export const LISTING_REPORT_STATUSES = ['in-review', 'listed', 'rejected', 'delisted'] as const;

const message = z.string().min(1).max(500);

export const listingReasonSchema = z.object({
  /** Stable: `MISSING_CHINESE_TITLE`, `SELLER_SUSPENDED`, … */
  code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
  message: z.object({ ko: message, zh: message, en: message }),
});
export type ListingReason = z.infer<typeof listingReasonSchema>;

export const listingReportSchema = z.object({
  productId: z.string().min(1).max(40),
  /** Raised by one at every change of the listing's status or reasons; the mall keeps the highest. */
  revision: z.number().int().min(1),
  /** The product's version the status was decided on. */
  productVersion: z.number().int().min(1),
  status: z.enum(LISTING_REPORT_STATUSES),
  reasons: z.array(listingReasonSchema).max(LISTING_REASONS_MAX),
  /** When the marketplace decided it (ISO 8601). */
  decidedAt: z.string().max(40),
});
export type ListingReport = z.infer<typeof listingReportSchema>;

export const listingReportsRequestSchema = z.object({ reports: z.array(listingReportSchema).min(1).max(LISTING_REPORTS_MAX) });
export type ListingReportsRequest = z.infer<typeof listingReportsRequestSchema>;

export const listingReportsAnswerSchema = z.object({
  /** Reports stored: newer than what the mall held. */
  applied: z.number().int().min(0),
  /** Reports at or below the revision the mall holds: already known, ignored. */
  stale: z.number().int().min(0),
  /** Reports about no product of this mall: ignored. */
  unknown: z.number().int().min(0),
});
export type ListingReportsAnswer = z.infer<typeof listingReportsAnswerSchema>;

/** The reports that fit one message, from the front of `reports` (at least one). */
export function listingReportsThatFit(reports: readonly ListingReport[]): readonly ListingReport[] {
  let bytes = '{"reports":[]}'.length;
  let count = 0;
  for (const report of reports) {
    if (count === LISTING_REPORTS_MAX) break;
    bytes += Buffer.byteLength(JSON.stringify(report)) + 1;
    if (count > 0 && bytes > LISTING_REPORTS_BYTES_MAX) break;
    count += 1;
  }
  return reports.slice(0, count);
}

export type ListingReportsError = { readonly kind: 'no-answer'; readonly detail: string };

export interface ListingReportsClientOptions {
  readonly self: SigningIdentity;
  /** The mall's participant id: its answers must be signed by it. */
  readonly mallId: string;
  readonly baseUrl: string | (() => string);
  readonly keys: KeyDirectory;
  readonly timeoutMs?: number;
  readonly fetch?: FetchFunction;
  readonly now?: () => Date;
}

/** The marketplace's sender: one signed POST per message; only a signed 200 shaped as an answer counts. */
export function createListingReportsClient(options: ListingReportsClientOptions): (request: ListingReportsRequest) => Promise<Result<ListingReportsAnswer, ListingReportsError>> {
  const post = createSignedPoster({ ...options, peerId: options.mallId });
  return async (request) => {
    const outcome = await post(LISTING_REPORTS_PATH, request);
    if (outcome.kind === 'no-answer') return err({ kind: 'no-answer', detail: `${outcome.reason}: ${outcome.detail}` });
    const parsed = listingReportsAnswerSchema.safeParse(outcome.body);
    if (!parsed.success) return err({ kind: 'no-answer', detail: `the answer is not a listing-reports answer: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
    return ok(parsed.data);
  };
}
