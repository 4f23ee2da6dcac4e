/** The ledger's exceptions for callers' bugs; expected failures are result codes (types.ts). */

/** A call refused before it reaches the ledger: a caller's bug, not an expected failure. */
export class LedgerCallError extends Error {
  override name = 'LedgerCallError';
}
