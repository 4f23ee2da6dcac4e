/**
 * Reconciliation: every institution matches its own records of a cycle
 * against the network's clearing file for it, and reports each difference
 * with a reason. Nothing is fixed, adjusted or dropped here: a difference is
 * a finding for an operator (DESIGN "Clearing and settlement").
 *
 * Records are matched on (transaction type, transaction id): a payment and
 * its cancellation share the payment's id but are two records. Amounts are
 * signed from the participant's point of view, as its account at the network
 * moved: positive when the network owes it more (CREDIT), negative when it
 * owes the network more (DEBIT), so that a reversed direction is an amount
 * mismatch like any other.
 *
 * Findings, one per key and kind:
 * - `missing-in-file`: in the institution's ledger, not in the file;
 * - `missing-in-ledger`: in the file only;
 * - `currency-mismatch`: on both sides, in two currencies;
 * - `amount-mismatch`: on both sides, same currency, two values;
 * - `duplicate`: a key more than once on one side (one finding per side),
 *   whatever the copies say; the first copy on each side is what is matched.
 * A key on both sides with equal first copies is `matched`. The report's
 * order is fixed (by transaction id, type, then kind and side), so two runs
 * can be compared line by line; the input's order matters only in which copy
 * of a repeated key is "first" (a clearing file's order, a ledger's history).
 */
import { amount, type Amount } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { CLEARING_FILE_LINES_MAX, type ClearingRecord, type ClearingTransactionType } from './clearing-file.ts';

/** Records on one side: a clearing file holds fewer, and a ledger's cycle for one participant is one file's worth. */
export const RECONCILIATION_ENTRIES_MAX = CLEARING_FILE_LINES_MAX;

/** One transaction as one side saw it. */
export interface ReconciliationEntry {
  readonly transactionType: ClearingTransactionType;
  readonly transactionId: string;
  /** Signed: positive, the network owes the participant more (CREDIT); negative, the participant owes more (DEBIT). */
  readonly amount: Amount;
}

export type ReconciliationSide = 'ledger' | 'file';

interface Key {
  readonly transactionType: ClearingTransactionType;
  readonly transactionId: string;
}

export type ReconciliationFinding =
  | (Key & { readonly kind: 'missing-in-file'; readonly ledgerAmount: Amount; readonly reason: string })
  | (Key & { readonly kind: 'missing-in-ledger'; readonly fileAmount: Amount; readonly reason: string })
  | (Key & { readonly kind: 'currency-mismatch'; readonly ledgerAmount: Amount; readonly fileAmount: Amount; readonly reason: string })
  | (Key & { readonly kind: 'amount-mismatch'; readonly ledgerAmount: Amount; readonly fileAmount: Amount; readonly reason: string })
  | (Key & {
      readonly kind: 'duplicate';
      readonly side: ReconciliationSide;
      /** How many times the key appears on that side (2 or more). */
      readonly occurrences: number;
      /** Each copy's amount, in the input's order. */
      readonly amounts: readonly Amount[];
      readonly reason: string;
    });

export type ReconciliationFindingKind = ReconciliationFinding['kind'];

/** The order of kinds within one key in a report. */
export const RECONCILIATION_FINDING_KINDS: readonly ReconciliationFindingKind[] = [
  'missing-in-file',
  'missing-in-ledger',
  'currency-mismatch',
  'amount-mismatch',
  'duplicate',
];

export interface ReconciliationMatch extends Key {
  readonly amount: Amount;
}

export interface ReconciliationReport {
  readonly matched: readonly ReconciliationMatch[];
  readonly findings: readonly ReconciliationFinding[];
  /** Findings per kind, every kind present (0 when none). */
  readonly counts: Readonly<Record<ReconciliationFindingKind, number>>;
  /** No finding at all. */
  readonly clean: boolean;
}

export type ReconciliationError = {
  readonly kind: 'too-many-entries';
  readonly side: ReconciliationSide;
  readonly countMax: number;
  readonly message: string;
};

/**
 * The entries of a clearing file's records: the settlement amount, signed by
 * the direction (DEBIT negative, CREDIT positive).
 */
export function clearingFileEntries(records: readonly ClearingRecord[]): ReconciliationEntry[] {
  return records.map((r) => ({
    transactionType: r.transactionType,
    transactionId: r.transactionId,
    amount: amount(r.settlementAmount.currency, r.direction === 'DEBIT' ? -r.settlementAmount.value : r.settlementAmount.value),
  }));
}

/** Matches an institution's own entries (`ledger`) against the clearing file's (`file`). */
export function reconcile(input: {
  readonly ledger: readonly ReconciliationEntry[];
  readonly file: readonly ReconciliationEntry[];
}): Result<ReconciliationReport, ReconciliationError> {
  for (const side of ['ledger', 'file'] as const) {
    if (input[side].length > RECONCILIATION_ENTRIES_MAX) {
      const message = `at most ${RECONCILIATION_ENTRIES_MAX} entries on each side; the ${side} has ${input[side].length}`;
      return err({ kind: 'too-many-entries', side, countMax: RECONCILIATION_ENTRIES_MAX, message });
    }
  }
  const ledger = groupByKey(input.ledger);
  const file = groupByKey(input.file);
  const keys = [...new Set([...ledger.keys(), ...file.keys()])].map(parseKey).sort(compareKeys);
  const matched: ReconciliationMatch[] = [];
  const findings: ReconciliationFinding[] = [];
  for (const key of keys) {
    const mine = ledger.get(keyOf(key)) ?? [];
    const theirs = file.get(keyOf(key)) ?? [];
    const compared = compare(key, mine[0], theirs[0]);
    if (compared.kind === 'matched') matched.push(compared.match);
    else findings.push(compared.finding);
    if (mine.length > 1) findings.push(duplicate(key, 'ledger', mine));
    if (theirs.length > 1) findings.push(duplicate(key, 'file', theirs));
  }
  const counts = Object.fromEntries(RECONCILIATION_FINDING_KINDS.map((kind) => [kind, findings.filter((f) => f.kind === kind).length])) as Record<ReconciliationFindingKind, number>;
  return ok({ matched, findings, counts, clean: findings.length === 0 });
}

/** A key as one string; the type has no NUL, so the first NUL separates. */
function keyOf(key: Key): string {
  return `${key.transactionType}\u0000${key.transactionId}`;
}

function parseKey(text: string): Key {
  const at = text.indexOf('\u0000');
  return { transactionType: text.slice(0, at) as ClearingTransactionType, transactionId: text.slice(at + 1) };
}

function groupByKey(entries: readonly ReconciliationEntry[]): Map<string, ReconciliationEntry[]> {
  const groups = new Map<string, ReconciliationEntry[]>();
  for (const entry of entries) {
    const key = keyOf(entry);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [entry]);
    else group.push(entry);
  }
  return groups;
}

/** By id, then type: a payment, its refunds and its cancellation stay near one another (refunds have their own ids). */
function compareKeys(a: Key, b: Key): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.transactionType === b.transactionType) return 0;
  return a.transactionType < b.transactionType ? -1 : 1;
}

function show(a: Amount): string {
  return `${a.currency} ${a.value}`;
}

type Compared = { readonly kind: 'matched'; readonly match: ReconciliationMatch } | { readonly kind: 'finding'; readonly finding: ReconciliationFinding };

function compare(key: Key, mine: ReconciliationEntry | undefined, theirs: ReconciliationEntry | undefined): Compared {
  const { transactionType, transactionId } = key;
  const what = `${transactionType} ${transactionId}`;
  if (mine === undefined && theirs === undefined) throw new Error(`assertion failed: ${what} is on one side at least`);
  if (theirs === undefined) {
    const reason = `${what} (${show(mine!.amount)}) is in the ledger but not in the clearing file`;
    return { kind: 'finding', finding: { kind: 'missing-in-file', transactionType, transactionId, ledgerAmount: mine!.amount, reason } };
  }
  if (mine === undefined) {
    const reason = `${what} (${show(theirs.amount)}) is in the clearing file but not in the ledger`;
    return { kind: 'finding', finding: { kind: 'missing-in-ledger', transactionType, transactionId, fileAmount: theirs.amount, reason } };
  }
  const amounts = { ledgerAmount: mine.amount, fileAmount: theirs.amount };
  if (mine.amount.currency !== theirs.amount.currency) {
    const reason = `${what} is in ${mine.amount.currency} in the ledger (${show(mine.amount)}) and in ${theirs.amount.currency} in the clearing file (${show(theirs.amount)})`;
    return { kind: 'finding', finding: { kind: 'currency-mismatch', transactionType, transactionId, ...amounts, reason } };
  }
  if (mine.amount.value !== theirs.amount.value) {
    const reason = `${what} is ${show(mine.amount)} in the ledger and ${show(theirs.amount)} in the clearing file (minor units, signed: negative is owed to the network)`;
    return { kind: 'finding', finding: { kind: 'amount-mismatch', transactionType, transactionId, ...amounts, reason } };
  }
  return { kind: 'matched', match: { transactionType, transactionId, amount: mine.amount } };
}

function duplicate(key: Key, side: ReconciliationSide, copies: readonly ReconciliationEntry[]): ReconciliationFinding {
  const where = side === 'ledger' ? 'the ledger' : 'the clearing file';
  const amounts = copies.map((c) => c.amount);
  const reason = `${key.transactionType} ${key.transactionId} is ${copies.length} times in ${where} (${amounts.map(show).join('; ')}); the first is the one matched`;
  return { kind: 'duplicate', ...key, side, occurrences: copies.length, amounts, reason };
}
