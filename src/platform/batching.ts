/**
 * How an institution commits and talks to its peers (ADR 10). `batched` is
 * dari's path and the default: signed envelopes between institutions, group
 * commit for the ledger and for the institution's own tables. `naive` is the
 * baseline the payments benchmark compares against, the way most teams build
 * it: one signed request per message, one database transaction per call.
 * Both give the same answers; only the cost differs.
 */
export const BATCHINGS = ['batched', 'naive'] as const;
export type Batching = (typeof BATCHINGS)[number];
export const BATCHING_DEFAULT: Batching = 'batched';
