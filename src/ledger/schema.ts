/**
 * The ledger's tables, one migration list per engine. Invariants the rules
 * enforce are repeated here as constraints (STYLE 11), so a bug in the rules
 * fails the transaction instead of corrupting a balance.
 *
 * Physical layout, chosen by measurement (docs/PERFORMANCE.md):
 * - Every row is keyed by its ledger timestamp, which the ledger assigns
 *   strictly increasing: inserts append to the end of each table's B-tree.
 *   An account's timestamp is also its internal key (`account_key`): transfers
 *   and the account indexes carry an 8-byte integer instead of the client's
 *   text id, which made a batch of transfers about 1.5× faster to write.
 * - Balances live in their own narrow table (`account_balances`), the only
 *   account rows a transfer updates, so a batch rewrites fewer pages.
 * - References between tables (a transfer's accounts, a post's pending
 *   transfer) are not foreign keys: the rules check them before anything is
 *   written, and `verify` proves them from the data (`DANGLING_REFERENCES_SQL`).
 *   On PostgreSQL the per-row referential triggers doubled the cost of
 *   inserting a batch of transfers (ADR 5).
 * - PostgreSQL keeps a fifth of each balances page free, so that an update
 *   fits beside the old row version (a HOT update) and no index changes.
 */
import type { Migration } from '../platform/db/sqlite.ts';

/**
 * One schema, two dialects. They differ only in the name of a 64-bit integer,
 * in storage options, and in the history indexes: a SQLite index entry ends
 * with the rowid, which is the timestamp, so it needs no second column.
 */
function ledgerSchema(engine: 'sqlite' | 'postgres'): string {
  const sqlite = engine === 'sqlite';
  const int64 = sqlite ? 'INTEGER' : 'BIGINT';
  const withoutRowid = sqlite ? ' WITHOUT ROWID' : '';
  const byTime = sqlite ? '' : ', timestamp';
  return `
CREATE TABLE accounts (
  account_key ${int64} PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  ledger TEXT NOT NULL CHECK (length(ledger) = 3),
  code INTEGER NOT NULL CHECK (code BETWEEN 1 AND 65535),
  user_data TEXT
);

CREATE TABLE account_balances (
  account_key ${int64} PRIMARY KEY,
  flags INTEGER NOT NULL CHECK (flags BETWEEN 0 AND 7 AND (flags & 3) <> 3),
  debits_pending ${int64} NOT NULL CHECK (debits_pending >= 0),
  debits_posted ${int64} NOT NULL CHECK (debits_posted >= 0),
  credits_pending ${int64} NOT NULL CHECK (credits_pending >= 0),
  credits_posted ${int64} NOT NULL CHECK (credits_posted >= 0)
)${sqlite ? '' : ' WITH (fillfactor = 80)'};

CREATE TABLE transfers (
  timestamp ${int64} PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  debit_account_key ${int64} NOT NULL,
  credit_account_key ${int64} NOT NULL,
  amount ${int64} NOT NULL CHECK (amount > 0),
  pending_id TEXT,
  ledger TEXT NOT NULL,
  code INTEGER NOT NULL CHECK (code BETWEEN 1 AND 65535),
  flags INTEGER NOT NULL CHECK (flags BETWEEN 0 AND 63),
  timeout_seconds INTEGER NOT NULL CHECK (timeout_seconds >= 0),
  user_data TEXT,
  CHECK (debit_account_key <> credit_account_key),
  CHECK ((pending_id IS NULL) = ((flags & 12) = 0))
);
CREATE INDEX transfers_by_debit_account ON transfers (debit_account_key${byTime});
CREATE INDEX transfers_by_credit_account ON transfers (credit_account_key${byTime});
CREATE UNIQUE INDEX transfers_one_resolution_per_pending ON transfers (pending_id) WHERE pending_id IS NOT NULL;

CREATE TABLE pending_transfers (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('pending', 'posted', 'voided', 'expired')),
  expires_at ${int64},
  resolved_timestamp ${int64},
  CHECK ((state = 'pending') = (resolved_timestamp IS NULL))
)${withoutRowid};
CREATE INDEX pending_transfers_by_expiry ON pending_transfers (expires_at)
  WHERE state = 'pending' AND expires_at IS NOT NULL;

CREATE TABLE transfer_failures (
  id TEXT PRIMARY KEY,
  result TEXT NOT NULL,
  timestamp ${int64} NOT NULL
)${withoutRowid};

-- The fencing token of the single writer: each writer that opens the ledger
-- takes the next epoch, and every batch checks that it still holds the latest.
CREATE TABLE ledger_writer (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch ${int64} NOT NULL
);
INSERT INTO ledger_writer (id, epoch) VALUES (1, 0);
`;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  { module: 'ledger', version: 1, name: 'accounts, balances, transfers, holds, failures, writer epoch', sql: ledgerSchema('sqlite') },
];
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  { module: 'ledger', version: 1, name: 'accounts, balances, transfers, holds, failures, writer epoch', sql: ledgerSchema('postgres') },
];

/** The columns of an account as both engines read it: the two tables joined. */
export const ACCOUNT_SELECT = `
  SELECT a.id, a.ledger, a.code, a.user_data, a.account_key AS timestamp,
         b.flags, b.debits_pending, b.debits_posted, b.credits_pending, b.credits_posted
    FROM accounts a JOIN account_balances b ON b.account_key = a.account_key`;

/** The columns of a transfer as both engines read it, with its accounts' client ids. */
export const TRANSFER_SELECT = `
  SELECT t.id, da.id AS debit_account_id, ca.id AS credit_account_id, t.amount, t.pending_id, t.ledger,
         t.code, t.flags, t.timeout_seconds, t.user_data, t.timestamp
    FROM transfers t
    JOIN accounts da ON da.account_key = t.debit_account_key
    JOIN accounts ca ON ca.account_key = t.credit_account_key`;
