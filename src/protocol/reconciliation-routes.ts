/**
 * The operator's reconciliation API, the same at every institution under its
 * own prefix (`/wallet/v1`, `/acquirer/v1`):
 * - `POST {prefix}/reconciliations {"cycleId"}` runs it now and answers the run;
 * - `GET {prefix}/reconciliations` lists runs, newest first;
 * - `GET {prefix}/reconciliations/{cycleId}` answers the cycle's latest run.
 * A run answers 200 whether or not it is clean: differences are its content,
 * not an error. Errors are about running it at all (the cycle is not closed,
 * the network did not answer, the file is bad).
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { amountToJson, type Amount } from '../money/index.ts';
import { apiError, parseJsonBody, parseValue, type ApiError, type RouteDoc } from '../platform/http/contract.ts';
import { assertNever } from '../platform/result.ts';
import type { CycleReconciliationError, ReconciliationService } from './reconcile-cycle.ts';
import type { ReconciliationFinding } from './reconcile.ts';
import { RECONCILIATION_RUNS_PAGE_MAX, type ReconciliationSummary, type StoredReconciliation } from './reconciliation-store.ts';

/** Findings and timing differences one answer lists at most; the counts cover all of them. */
export const RECONCILIATION_ITEMS_SHOWN_MAX = 1_000;

/** A clearing cycle's id in an operator's request. */
export const CYCLE_ID_SCHEMA = z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{4}$/, 'a cycle id, YYYY-MM-DDTHHMM');
const CYCLE_ID = CYCLE_ID_SCHEMA;
const runSchema = z.object({ cycleId: CYCLE_ID }).strict();

/** The errors of an institution's operator routes that read a clearing file, for the route docs. */
export const OPERATOR_AUTH_ERRORS = [
  { status: 401, code: 'UNAUTHENTICATED' },
  { status: 403, code: 'FORBIDDEN' },
] as const;
export const CLEARING_FILE_FETCH_ERRORS = [
  { status: 404, code: 'CYCLE_NOT_EXIST' },
  { status: 409, code: 'CYCLE_NOT_CLOSED' },
  { status: 502, code: 'NETWORK_UNAVAILABLE' },
  { status: 502, code: 'BAD_CLEARING_FILE' },
] as const;
const listSchema = z.object({ limit: z.coerce.number().int().min(1).max(RECONCILIATION_RUNS_PAGE_MAX).default(20) });

export function reconciliationErrorToApi(error: CycleReconciliationError): ApiError {
  switch (error.kind) {
    case 'cycle-not-closed':
      return { status: 409, code: 'CYCLE_NOT_CLOSED', message: error.message };
    case 'unknown-cycle':
      return { status: 404, code: 'CYCLE_NOT_EXIST', message: error.message };
    case 'network-unavailable':
      return { status: 502, code: 'NETWORK_UNAVAILABLE', message: error.message };
    case 'bad-file':
      return { status: 502, code: 'BAD_CLEARING_FILE', message: error.message };
    case 'too-many-entries':
      return { status: 422, code: 'TOO_MANY_ENTRIES', message: error.message };
    default:
      return assertNever(error, 'reconciliation error');
  }
}

/** Signed amounts: reconciliation's amounts carry a sign (negative: owed to the network), which `amountToJson` refuses on purpose. */
export function signedAmountJson(a: Amount): { currency: string; value: string } {
  return a.value < 0n ? { currency: a.currency, value: a.value.toString() } : amountToJson(a);
}

function findingJson(f: ReconciliationFinding) {
  const base = { kind: f.kind, transactionType: f.transactionType, transactionId: f.transactionId, reason: f.reason };
  switch (f.kind) {
    case 'missing-in-file':
      return { ...base, ledgerAmount: signedAmountJson(f.ledgerAmount) };
    case 'missing-in-ledger':
      return { ...base, fileAmount: signedAmountJson(f.fileAmount) };
    case 'currency-mismatch':
    case 'amount-mismatch':
      return { ...base, ledgerAmount: signedAmountJson(f.ledgerAmount), fileAmount: signedAmountJson(f.fileAmount) };
    case 'duplicate':
      return { ...base, side: f.side, occurrences: f.occurrences, amounts: f.amounts.map(signedAmountJson) };
    default:
      return assertNever(f, 'finding');
  }
}

export function reconciliationJson(run: StoredReconciliation) {
  return {
    runId: run.runId,
    cycleId: run.cycleId,
    participantId: run.participantId,
    opensAt: run.opensAt.toISOString(),
    closesAt: run.closesAt.toISOString(),
    ranAt: run.ranAt.toISOString(),
    clean: run.clean,
    file: run.file,
    ledgerEntryCount: run.ledgerEntryCount,
    matchedCount: run.matchedCount,
    counts: { ...run.counts, timing: run.timing.length, unexplained: run.unexplained.length },
    findings: run.findings.slice(0, RECONCILIATION_ITEMS_SHOWN_MAX).map(findingJson),
    timing: run.timing.slice(0, RECONCILIATION_ITEMS_SHOWN_MAX).map((t) => ({ ...t, amount: signedAmountJson(t.amount), bookedAt: t.bookedAt.toISOString() })),
    unexplained: run.unexplained.slice(0, RECONCILIATION_ITEMS_SHOWN_MAX).map((u) => ({ ...u, amount: signedAmountJson(u.amount), bookedAt: u.bookedAt.toISOString() })),
  };
}

export type ReconciliationJson = ReturnType<typeof reconciliationJson>;

function summaryJson(s: ReconciliationSummary) {
  return { runId: s.runId, cycleId: s.cycleId, ranAt: s.ranAt.toISOString(), clean: s.clean };
}

export function mountReconciliationRoutes(
  app: Hono,
  deps: {
    /** `/wallet/v1` or `/acquirer/v1`. */
    readonly prefix: string;
    readonly reconciliation: ReconciliationService;
    /** Null when the caller is the institution's operator; otherwise the refusal to answer. */
    readonly operator: (c: Context) => Promise<Response | null>;
  },
): void {
  const { prefix, reconciliation, operator } = deps;
  app.post(`${prefix}/reconciliations`, async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const body = await parseJsonBody(c, runSchema);
    if (!body.ok) return apiError(c, body.error);
    const ran = await reconciliation.run(body.value.cycleId);
    return ran.ok ? c.json(reconciliationJson(ran.value)) : apiError(c, reconciliationErrorToApi(ran.error));
  });
  app.get(`${prefix}/reconciliations`, async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const query = parseValue(listSchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    return c.json({ runs: (await reconciliation.list(query.value.limit)).map(summaryJson) });
  });
  app.get(`${prefix}/reconciliations/:cycleId`, async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const cycleId = parseValue(CYCLE_ID, c.req.param('cycleId'));
    if (!cycleId.ok) return apiError(c, cycleId.error);
    const run = await reconciliation.latest(cycleId.value);
    return run ? c.json(reconciliationJson(run)) : apiError(c, { status: 404, code: 'NOT_FOUND', message: `no reconciliation of cycle ${cycleId.value} has run yet` });
  });
}

/** The routes' documentation, under an institution's prefix and credential. */
export function reconciliationRouteDocs(prefix: string, tag: string, security: NonNullable<RouteDoc['security']>): RouteDoc[] {
  const AUTH = OPERATOR_AUTH_ERRORS;
  return [
    {
      method: 'post',
      path: `${prefix}/reconciliations`,
      summary: "Reconcile a closed clearing cycle now: the network's clearing file against this institution's ledger, every difference with a reason",
      tag,
      security,
      request: runSchema,
      errors: [...AUTH, { status: 400, code: 'INVALID_REQUEST' }, ...CLEARING_FILE_FETCH_ERRORS, { status: 422, code: 'TOO_MANY_ENTRIES' }],
    },
    { method: 'get', path: `${prefix}/reconciliations`, summary: 'Reconciliation runs, newest first (?limit)', tag, security, errors: [...AUTH, { status: 400, code: 'INVALID_REQUEST' }] },
    { method: 'get', path: `${prefix}/reconciliations/{cycleId}`, summary: "A cycle's latest reconciliation run, with its findings", tag, security, errors: [...AUTH, { status: 400, code: 'INVALID_REQUEST' }, { status: 404, code: 'NOT_FOUND' }] },
  ];
}
