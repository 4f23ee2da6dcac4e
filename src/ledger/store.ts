/**
 * What the ledger needs from a database, and the encodings both SQL engines
 * share. Each engine implements `LedgerStore` in its own file; the rules live
 * in `plan.ts` and never touch SQL.
 */
import type { KnownIds } from './known-ids.ts';
import type { BatchKeys, BatchWrites, LoadedState } from './plan.ts';
import type {
  Account,
  AccountBalance,
  AccountFlags,
  AccountId,
  LedgerTimestamp,
  PendingState,
  Transfer,
  TransferFlags,
  TransferId,
} from './types.ts';

export interface AccountTransfersQuery {
  readonly accountId: string;
  /** Only transfers strictly after this timestamp (ascending) or strictly before it (descending). */
  readonly cursorTimestamp: LedgerTimestamp | null;
  readonly limit: number;
  readonly descending: boolean;
}

/** One page of the transfers of a timestamp range: keyset paging on the timestamp, which every row is keyed by. */
export interface TransfersInRangeQuery {
  /** Only transfers strictly after this timestamp: the range's start − 1, then the last timestamp of the previous page. */
  readonly afterTimestamp: LedgerTimestamp;
  /** Only transfers at or before this timestamp. */
  readonly toTimestamp: LedgerTimestamp;
  /** Only transfers of these ledgers; null for every ledger. */
  readonly ledgers: readonly string[] | null;
  /** Only transfers that debit or credit this account; null for every account. */
  readonly accountId: string | null;
  readonly limit: number;
}

export interface LedgerStore {
  readonly engine: 'sqlite' | 'postgres';
  /**
   * Runs one write transaction: loads what `keys` names (and the holds due to
   * expire), hands it to `plan`, a pure function, and writes what it returns.
   * Resolves only once the transaction is durable; on any error nothing is written.
   */
  commitBatch<R>(keys: BatchKeys, plan: (loaded: LoadedState) => { writes: BatchWrites; result: R }): Promise<R>;
  /** The latest timestamp the ledger has assigned, or 0. */
  lastTimestamp(): Promise<LedgerTimestamp>;
  /** The earliest expiry among holds still pending, or null. */
  nextExpiry(): Promise<LedgerTimestamp | null>;
  lookupAccounts(ids: readonly string[]): Promise<Account[]>;
  lookupTransfers(ids: readonly string[]): Promise<Transfer[]>;
  accountTransfers(query: AccountTransfersQuery): Promise<Transfer[]>;
  /** The first `limit` transfers of the query's range, in timestamp order. */
  transfersInRange(query: TransfersInRangeQuery): Promise<Transfer[]>;
  balanceAsOf(accountId: string, asOf: LedgerTimestamp): Promise<AccountBalance | null>;
  /** The balances now, with the ledger's last timestamp read in the same snapshot. */
  currentBalance(accountId: string): Promise<AccountBalance | null>;
  verify(differencesMax: number): Promise<VerifyFacts>;
  close(): Promise<void>;
}

/**
 * Accounts the single writer keeps in memory, most recently loaded or
 * written. Only the writer holding the latest fencing epoch writes accounts,
 * so what it holds is the committed state; it takes new balances only once a
 * batch has committed.
 */
export const ACCOUNT_CACHE_ENTRIES_MAX = 262_144;

class AccountCache {
  readonly #accounts = new Map<string, Account>();

  get(id: string): Account | undefined {
    return this.#accounts.get(id);
  }

  remember(...lists: readonly (readonly Account[])[]): void {
    const accounts = this.#accounts;
    for (const list of lists) for (const account of list) accounts.set(account.id, account);
    // Evict the oldest entries first (a Map iterates in insertion order).
    for (const id of accounts.keys()) {
      if (accounts.size <= ACCOUNT_CACHE_ENTRIES_MAX) break;
      accounts.delete(id);
    }
  }
}

/**
 * The database may or may not have committed a batch (the connection failed
 * during COMMIT). What this writer holds in memory may now be wrong either
 * way, so it stops; a new writer reads the truth from the database.
 */
export class LedgerCommitUnknownError extends Error {
  override name = 'LedgerCommitUnknownError';
}

/**
 * What the single writer keeps in memory between batches: the accounts it has
 * touched and a filter of the transfer ids the ledger holds. Both engines'
 * stores use it the same way: read through it while loading a batch, and feed
 * it a batch's writes only once the batch has committed.
 */
export class WriterMemory {
  readonly #accounts = new AccountCache();
  readonly #knownIds: KnownIds;

  constructor(knownIds: KnownIds) {
    this.#knownIds = knownIds;
  }

  /** The ids worth looking up: those the ledger may hold. New ids, most of a batch, cost nothing. */
  idsToLookUp(ids: Iterable<string>): string[] {
    return [...ids].filter((id) => this.#knownIds.mightContain(id));
  }

  /** Puts the cached accounts of `ids` into `into`; returns the ids it does not hold. */
  takeAccounts(ids: Iterable<string>, into: Map<string, Account>): string[] {
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.#accounts.get(id);
      if (cached !== undefined) into.set(id, cached);
      else missing.push(id);
    }
    return missing;
  }

  /** Accounts just read from the database (committed state). */
  rememberLoaded(accounts: readonly Account[]): void {
    this.#accounts.remember(accounts);
  }

  /** After a commit, and only then: the new balances and the ids now taken. */
  rememberCommitted(writes: BatchWrites): void {
    this.#accounts.remember(writes.accountsCreated, writes.accountsUpdated);
    for (const t of writes.transfersCreated) this.#knownIds.add(t.id);
    for (const f of writes.failuresCreated) this.#knownIds.add(f.id);
  }
}

/** Another store opened this ledger for writing after this one (or this one is read-only): it must not write. */
export class LedgerFencedError extends Error {
  override name = 'LedgerFencedError';
}

/** What `verify` reads; `service.ts` turns it into the operator's report. */
export interface VerifyFacts {
  readonly accountCount: number;
  readonly transferCount: number;
  readonly ledgers: readonly LedgerTotals[];
  readonly accountDifferences: readonly AccountDifference[];
  readonly pendingDifferences: readonly PendingDifference[];
  /** Transfers naming an account or a pending transfer that does not exist. */
  readonly referenceDifferences: readonly PendingDifference[];
}

export interface LedgerTotals {
  readonly ledger: string;
  readonly debitsPosted: bigint;
  readonly creditsPosted: bigint;
  readonly debitsPending: bigint;
  readonly creditsPending: bigint;
}

export type BalanceColumnName = 'debitsPending' | 'debitsPosted' | 'creditsPending' | 'creditsPosted';

export interface AccountDifference {
  readonly accountId: string;
  readonly column: BalanceColumnName | 'flags';
  readonly stored: bigint;
  /** What the transfers say; for `flags`, the limit the balance breaks. */
  readonly recomputed: bigint;
}

export interface PendingDifference {
  readonly transferId: string;
  readonly problem: string;
}

// Flag bits, as stored. Never renumber: they are in every database.
const ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS = 1;
const ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS = 2;
const ACCOUNT_CLOSED = 4;
export const TRANSFER_LINKED = 1;
export const TRANSFER_PENDING = 2;
export const TRANSFER_POST_PENDING = 4;
export const TRANSFER_VOID_PENDING = 8;
const TRANSFER_CLOSING_DEBIT = 16;
const TRANSFER_CLOSING_CREDIT = 32;

export function encodeAccountFlags(flags: AccountFlags): number {
  return (
    (flags.debitsMustNotExceedCredits ? ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS : 0) |
    (flags.creditsMustNotExceedDebits ? ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS : 0) |
    (flags.closed ? ACCOUNT_CLOSED : 0)
  );
}

export function decodeAccountFlags(bits: number): AccountFlags {
  return {
    debitsMustNotExceedCredits: (bits & ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) !== 0,
    creditsMustNotExceedDebits: (bits & ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) !== 0,
    closed: (bits & ACCOUNT_CLOSED) !== 0,
  };
}

export function encodeTransferFlags(flags: TransferFlags): number {
  return (
    (flags.linked ? TRANSFER_LINKED : 0) |
    (flags.pending ? TRANSFER_PENDING : 0) |
    (flags.postPendingTransfer ? TRANSFER_POST_PENDING : 0) |
    (flags.voidPendingTransfer ? TRANSFER_VOID_PENDING : 0) |
    (flags.closingDebit ? TRANSFER_CLOSING_DEBIT : 0) |
    (flags.closingCredit ? TRANSFER_CLOSING_CREDIT : 0)
  );
}

/**
 * The flags of each of the 64 bit patterns, decoded once: a transfer's flags
 * are read-only, so every transfer with the same bits shares one frozen
 * object, and reading millions of transfers builds none.
 */
const TRANSFER_FLAGS_BY_BITS: readonly TransferFlags[] = Array.from({ length: 64 }, (_, bits) => Object.freeze(decodeTransferFlagsOnce(bits)));

export function decodeTransferFlags(bits: number): TransferFlags {
  return TRANSFER_FLAGS_BY_BITS[bits] ?? decodeTransferFlagsOnce(bits);
}

function decodeTransferFlagsOnce(bits: number): TransferFlags {
  return {
    linked: (bits & TRANSFER_LINKED) !== 0,
    pending: (bits & TRANSFER_PENDING) !== 0,
    postPendingTransfer: (bits & TRANSFER_POST_PENDING) !== 0,
    voidPendingTransfer: (bits & TRANSFER_VOID_PENDING) !== 0,
    closingDebit: (bits & TRANSFER_CLOSING_DEBIT) !== 0,
    closingCredit: (bits & TRANSFER_CLOSING_CREDIT) !== 0,
  };
}

/** A row as both engines return it once integers are bigint (SQLite) or parsed (PostgreSQL). */
export interface AccountRow {
  id: string;
  ledger: string;
  code: bigint | number;
  flags: bigint | number;
  user_data: string | null;
  debits_pending: bigint;
  debits_posted: bigint;
  credits_pending: bigint;
  credits_posted: bigint;
  timestamp: bigint;
}

export interface TransferRow {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount: bigint;
  pending_id: string | null;
  ledger: string;
  code: bigint | number;
  flags: bigint | number;
  timeout_seconds: bigint | number;
  user_data: string | null;
  timestamp: bigint;
}

export interface PendingRow {
  state: PendingState;
  expires_at: bigint | null;
  resolved_timestamp: bigint | null;
}

export function accountFromRow(row: AccountRow): Account {
  return {
    id: row.id as AccountId,
    ledger: row.ledger,
    code: Number(row.code),
    flags: decodeAccountFlags(Number(row.flags)),
    userData: row.user_data,
    debitsPending: row.debits_pending,
    debitsPosted: row.debits_posted,
    creditsPending: row.credits_pending,
    creditsPosted: row.credits_posted,
    timestamp: row.timestamp,
  };
}

export function transferFromRow(row: TransferRow): Transfer {
  return {
    id: row.id as TransferId,
    debitAccountId: row.debit_account_id as AccountId,
    creditAccountId: row.credit_account_id as AccountId,
    amount: row.amount,
    pendingId: row.pending_id as TransferId | null,
    ledger: row.ledger,
    code: Number(row.code),
    flags: decodeTransferFlags(Number(row.flags)),
    timeoutSeconds: Number(row.timeout_seconds),
    userData: row.user_data,
    timestamp: row.timestamp,
  };
}

/**
 * The recomputation `verify` runs on either engine: each account's four
 * balances from the transfers alone. A posted amount comes from single-phase
 * transfers and posts; a pending amount from holds still pending.
 */
export const RECOMPUTED_BALANCES_SQL = `
  WITH movements AS (
    SELECT debit_account_key AS account_key, amount AS debits_posted, 0 AS credits_posted, 0 AS debits_pending, 0 AS credits_pending
      FROM transfers WHERE (flags & ${TRANSFER_PENDING | TRANSFER_VOID_PENDING}) = 0
    UNION ALL
    SELECT credit_account_key, 0, amount, 0, 0
      FROM transfers WHERE (flags & ${TRANSFER_PENDING | TRANSFER_VOID_PENDING}) = 0
    UNION ALL
    SELECT t.debit_account_key, 0, 0, t.amount, 0
      FROM transfers t JOIN pending_transfers p ON p.id = t.id WHERE p.state = 'pending'
    UNION ALL
    SELECT t.credit_account_key, 0, 0, 0, t.amount
      FROM transfers t JOIN pending_transfers p ON p.id = t.id WHERE p.state = 'pending'
  ),
  recomputed AS (
    SELECT account_key, SUM(debits_posted) AS debits_posted, SUM(credits_posted) AS credits_posted,
           SUM(debits_pending) AS debits_pending, SUM(credits_pending) AS credits_pending
      FROM movements GROUP BY account_key
  )
  SELECT a.id,
         b.debits_posted AS stored_debits_posted, COALESCE(r.debits_posted, 0) AS debits_posted,
         b.credits_posted AS stored_credits_posted, COALESCE(r.credits_posted, 0) AS credits_posted,
         b.debits_pending AS stored_debits_pending, COALESCE(r.debits_pending, 0) AS debits_pending,
         b.credits_pending AS stored_credits_pending, COALESCE(r.credits_pending, 0) AS credits_pending
    FROM accounts a
    JOIN account_balances b ON b.account_key = a.account_key
    LEFT JOIN recomputed r ON r.account_key = a.account_key
   WHERE b.debits_posted <> COALESCE(r.debits_posted, 0)
      OR b.credits_posted <> COALESCE(r.credits_posted, 0)
      OR b.debits_pending <> COALESCE(r.debits_pending, 0)
      OR b.credits_pending <> COALESCE(r.credits_pending, 0)
   ORDER BY a.id
`;

/** Pending transfers whose recorded state disagrees with the transfers that resolve them. */
export const PENDING_MISMATCH_SQL = `
  SELECT p.id, p.state, r.flags AS resolving_flags
    FROM pending_transfers p
    JOIN transfers t ON t.id = p.id
    LEFT JOIN transfers r ON r.pending_id = p.id
   WHERE (t.flags & ${TRANSFER_PENDING}) = 0
      OR (p.state = 'posted' AND (r.flags IS NULL OR (r.flags & ${TRANSFER_POST_PENDING}) = 0))
      OR (p.state = 'voided' AND (r.flags IS NULL OR (r.flags & ${TRANSFER_VOID_PENDING}) = 0))
      OR (p.state IN ('pending', 'expired') AND r.flags IS NOT NULL)
   ORDER BY p.id
`;

/** Rows that name what does not exist: a transfer's account or pending transfer, a hold's transfer, an account's balances. */
export const DANGLING_REFERENCES_SQL = `
  SELECT t.id, 'its debit account (key ' || CAST(t.debit_account_key AS TEXT) || ') does not exist' AS problem
    FROM transfers t LEFT JOIN accounts a ON a.account_key = t.debit_account_key WHERE a.account_key IS NULL
  UNION ALL
  SELECT t.id, 'its credit account (key ' || CAST(t.credit_account_key AS TEXT) || ') does not exist'
    FROM transfers t LEFT JOIN accounts a ON a.account_key = t.credit_account_key WHERE a.account_key IS NULL
  UNION ALL
  SELECT t.id, 'its pending transfer ' || t.pending_id || ' does not exist'
    FROM transfers t LEFT JOIN transfers p ON p.id = t.pending_id WHERE t.pending_id IS NOT NULL AND p.id IS NULL
  UNION ALL
  SELECT p.id, 'it has a pending state but no transfer'
    FROM pending_transfers p LEFT JOIN transfers t ON t.id = p.id WHERE t.id IS NULL
  UNION ALL
  SELECT a.id, 'the account has no balances'
    FROM accounts a LEFT JOIN account_balances b ON b.account_key = a.account_key WHERE b.account_key IS NULL
  UNION ALL
  SELECT CAST(b.account_key AS TEXT), 'balances with no account'
    FROM account_balances b LEFT JOIN accounts a ON a.account_key = b.account_key WHERE a.account_key IS NULL
`;

/** Accounts whose balances break their own limit flags. */
export const FLAG_VIOLATIONS_SQL = `
  SELECT a.id, b.flags, b.debits_pending, b.debits_posted, b.credits_pending, b.credits_posted
    FROM accounts a JOIN account_balances b ON b.account_key = a.account_key
   WHERE ((b.flags & ${ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS}) <> 0 AND b.debits_pending + b.debits_posted > b.credits_posted)
      OR ((b.flags & ${ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS}) <> 0 AND b.credits_pending + b.credits_posted > b.debits_posted)
   ORDER BY a.id
`;

export const LEDGER_TOTALS_SQL = `
  SELECT a.ledger, SUM(b.debits_posted) AS debits_posted, SUM(b.credits_posted) AS credits_posted,
         SUM(b.debits_pending) AS debits_pending, SUM(b.credits_pending) AS credits_pending
    FROM accounts a JOIN account_balances b ON b.account_key = a.account_key
   GROUP BY a.ledger ORDER BY a.ledger
`;

/** The as-of balance of one account (by its key), from its transfers and the holds open at that time. */
export const BALANCE_AS_OF_SQL = (p: (n: number) => string): string => `
  SELECT
    (SELECT COALESCE(SUM(amount), 0) FROM transfers
      WHERE debit_account_key = ${p(1)} AND timestamp <= ${p(2)} AND (flags & ${TRANSFER_PENDING | TRANSFER_VOID_PENDING}) = 0) AS debits_posted,
    (SELECT COALESCE(SUM(amount), 0) FROM transfers
      WHERE credit_account_key = ${p(1)} AND timestamp <= ${p(2)} AND (flags & ${TRANSFER_PENDING | TRANSFER_VOID_PENDING}) = 0) AS credits_posted,
    (SELECT COALESCE(SUM(t.amount), 0) FROM transfers t JOIN pending_transfers pt ON pt.id = t.id
      WHERE t.debit_account_key = ${p(1)} AND t.timestamp <= ${p(2)}
        AND (pt.resolved_timestamp IS NULL OR pt.resolved_timestamp > ${p(2)})) AS debits_pending,
    (SELECT COALESCE(SUM(t.amount), 0) FROM transfers t JOIN pending_transfers pt ON pt.id = t.id
      WHERE t.credit_account_key = ${p(1)} AND t.timestamp <= ${p(2)}
        AND (pt.resolved_timestamp IS NULL OR pt.resolved_timestamp > ${p(2)})) AS credits_pending
`;

/** The latest timestamp any table holds: where a restarted writer continues from. */
export const LAST_TIMESTAMP_SQL = `
  SELECT MAX(last) AS last FROM (
    SELECT COALESCE(MAX(timestamp), 0) AS last FROM transfers
    UNION ALL SELECT COALESCE(MAX(account_key), 0) FROM accounts
    UNION ALL SELECT COALESCE(MAX(resolved_timestamp), 0) FROM pending_transfers
    UNION ALL SELECT COALESCE(MAX(timestamp), 0) FROM transfer_failures
  ) l
`;

/** One account's balances and the ledger's last timestamp, in one statement (so one snapshot). */
export const CURRENT_BALANCE_SQL = (p: string): string => `
  SELECT a.id, a.ledger, b.debits_pending, b.debits_posted, b.credits_pending, b.credits_posted,
         (${LAST_TIMESTAMP_SQL}) AS as_of
    FROM accounts a JOIN account_balances b ON b.account_key = a.account_key
   WHERE a.id = ${p}
`;

/**
 * The internal key of each account a batch's rows name: accounts it loaded
 * and accounts it created. A transfer row stores keys, not client ids.
 */
export function accountKeys(loaded: ReadonlyMap<string, Account>, created: readonly Account[]): Map<string, bigint> {
  const keys = new Map<string, bigint>();
  for (const [id, account] of loaded) keys.set(id, account.timestamp);
  for (const account of created) keys.set(account.id, account.timestamp);
  return keys;
}

/** A `CURRENT_BALANCE_SQL` row, integers already bigint, as the API's balance. */
export function balanceFromRow(row: Record<string, bigint | string>): AccountBalance {
  return {
    accountId: row.id as AccountId,
    ledger: row.ledger as string,
    debitsPending: row.debits_pending as bigint,
    debitsPosted: row.debits_posted as bigint,
    creditsPending: row.credits_pending as bigint,
    creditsPosted: row.credits_posted as bigint,
    asOfTimestamp: row.as_of as bigint,
  };
}
