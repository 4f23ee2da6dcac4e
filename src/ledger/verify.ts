/**
 * `verify`: the ledger proves itself from its own transfers. Every account's
 * balances are recomputed from the transfers alone and compared with the
 * stored ones, every limit flag is checked, every hold's state is checked
 * against the transfers that resolve it, and each ledger must balance:
 * Σ debits = Σ credits, posted and pending alike.
 */
import {
  decodeAccountFlags,
  type AccountDifference,
  type BalanceColumnName,
  type LedgerTotals,
  type PendingDifference,
  type VerifyFacts,
} from './store.ts';

export interface VerifyReport {
  readonly ok: boolean;
  readonly accountCount: number;
  readonly transferCount: number;
  readonly ledgers: readonly (LedgerTotals & { readonly balanced: boolean })[];
  readonly accountDifferences: readonly AccountDifference[];
  readonly pendingDifferences: readonly PendingDifference[];
  readonly referenceDifferences: readonly PendingDifference[];
}

/** Differences listed in one report; a ledger with more is broken enough. */
export const VERIFY_DIFFERENCES_MAX = 100;

export function verifyReport(facts: VerifyFacts): VerifyReport {
  const ledgers = facts.ledgers.map((l) => ({
    ...l,
    balanced: l.debitsPosted === l.creditsPosted && l.debitsPending === l.creditsPending,
  }));
  const ok =
    ledgers.every((l) => l.balanced) &&
    facts.accountDifferences.length === 0 &&
    facts.pendingDifferences.length === 0 &&
    facts.referenceDifferences.length === 0;
  return {
    ok,
    accountCount: facts.accountCount,
    transferCount: facts.transferCount,
    ledgers,
    accountDifferences: facts.accountDifferences,
    pendingDifferences: facts.pendingDifferences,
    referenceDifferences: facts.referenceDifferences,
  };
}

/** A row of `RECOMPUTED_BALANCES_SQL`, integers already bigint. */
export interface RecomputedRow {
  readonly id: string;
  readonly stored_debits_posted: bigint;
  readonly debits_posted: bigint;
  readonly stored_credits_posted: bigint;
  readonly credits_posted: bigint;
  readonly stored_debits_pending: bigint;
  readonly debits_pending: bigint;
  readonly stored_credits_pending: bigint;
  readonly credits_pending: bigint;
}

export interface FlagViolationRow {
  readonly id: string;
  readonly flags: bigint | number;
  readonly debits_pending: bigint;
  readonly debits_posted: bigint;
  readonly credits_pending: bigint;
  readonly credits_posted: bigint;
}

const COLUMNS: readonly [BalanceColumnName, keyof RecomputedRow, keyof RecomputedRow][] = [
  ['debitsPosted', 'stored_debits_posted', 'debits_posted'],
  ['creditsPosted', 'stored_credits_posted', 'credits_posted'],
  ['debitsPending', 'stored_debits_pending', 'debits_pending'],
  ['creditsPending', 'stored_credits_pending', 'credits_pending'],
];

export function accountDifferences(rows: readonly RecomputedRow[]): AccountDifference[] {
  return rows.flatMap((row) =>
    COLUMNS.flatMap(([column, storedKey, recomputedKey]) => {
      const stored = BigInt(row[storedKey]);
      const recomputed = BigInt(row[recomputedKey]);
      return stored === recomputed ? [] : [{ accountId: row.id, column, stored, recomputed }];
    }),
  );
}

/** An account over its own limit: `stored` is what it owes, `recomputed` the most it may. */
export function flagViolations(rows: readonly FlagViolationRow[]): AccountDifference[] {
  return rows.map((row) => {
    const debitsLimited = decodeAccountFlags(Number(row.flags)).debitsMustNotExceedCredits;
    return debitsLimited
      ? { accountId: row.id, column: 'flags', stored: row.debits_pending + row.debits_posted, recomputed: row.credits_posted }
      : { accountId: row.id, column: 'flags', stored: row.credits_pending + row.credits_posted, recomputed: row.debits_posted };
  });
}

/** The operator's view of a report: plain lines, a verdict last. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [`accounts: ${report.accountCount}`, `transfers: ${report.transferCount}`];
  for (const l of report.ledgers) {
    lines.push(
      `ledger ${l.ledger}: debits posted ${l.debitsPosted} / credits posted ${l.creditsPosted}; ` +
        `debits pending ${l.debitsPending} / credits pending ${l.creditsPending} — ${l.balanced ? 'balanced' : 'NOT BALANCED'}`,
    );
  }
  for (const d of report.accountDifferences) {
    lines.push(
      d.column === 'flags'
        ? `account ${d.accountId}: over its limit flag (${d.stored} against at most ${d.recomputed})`
        : `account ${d.accountId}: ${d.column} stored ${d.stored}, transfers say ${d.recomputed}`,
    );
  }
  for (const p of report.pendingDifferences) lines.push(`pending transfer ${p.transferId}: ${p.problem}`);
  for (const r of report.referenceDifferences) lines.push(`transfer ${r.transferId}: ${r.problem}`);
  lines.push(report.ok ? 'verify: OK' : 'verify: FAILED');
  return lines.join('\n');
}
