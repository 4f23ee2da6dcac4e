/**
 * The ledger on SQLite, the embedded default. better-sqlite3 is synchronous, so
 * a whole batch (load, plan, write) runs inside one `BEGIN IMMEDIATE`
 * transaction without yielding; reads use a second connection, which WAL lets
 * run beside the writer and which never sees an uncommitted batch.
 */
import { migrateSqlite, openSqlite, prepareCached, type SqliteDatabase } from '../platform/db/sqlite.ts';
import type { BatchKeys, BatchWrites, LoadedState } from './plan.ts';
import { ACCOUNT_SELECT, SQLITE_MIGRATIONS, TRANSFER_SELECT } from './schema.ts';
import {
  accountFromRow,
  accountKeys,
  BALANCE_AS_OF_SQL,
  balanceFromRow,
  CURRENT_BALANCE_SQL,
  DANGLING_REFERENCES_SQL,
  decodeTransferFlags,
  encodeAccountFlags,
  encodeTransferFlags,
  FLAG_VIOLATIONS_SQL,
  LAST_TIMESTAMP_SQL,
  PENDING_MISMATCH_SQL,
  RECOMPUTED_BALANCES_SQL,
  transferFromRow,
  type AccountDifference,
  type AccountRow,
  type AccountTransfersQuery,
  type LedgerStore,
  type PendingRow,
  type TransferRow,
  type TransfersInRangeQuery,
  type LedgerTotals,
  type VerifyFacts,
  WriterMemory,
  LedgerFencedError,
} from './store.ts';
import { KnownIds } from './known-ids.ts';
import { EXPIRIES_PER_BATCH_MAX } from './limits.ts';
import type { Account, AccountBalance, CreateTransferResult, LedgerTimestamp, PendingStatus, Transfer } from './types.ts';
import { accountDifferences, flagViolations, type RecomputedRow, type FlagViolationRow } from './verify.ts';

/** A transfer with its hold's state (null columns for a transfer that is not a hold). */
const TRANSFER_WITH_PENDING = (where: string): string =>
  `SELECT x.*, p.state, p.expires_at, p.resolved_timestamp FROM (${TRANSFER_SELECT} ${where}) x
     LEFT JOIN pending_transfers p ON p.id = x.id`;

type TransferWithPendingRow = TransferRow & Partial<PendingRow>;

/**
 * Opens the ledger in a SQLite file. A writing store takes the writer's fencing
 * epoch: from then on, any other store that opened the file for writing
 * earlier fails its next batch instead of writing from a stale cache. A
 * read-only store (`readOnly`) never writes and never takes the epoch, so an
 * operator's command can read beside a running server.
 */
export function openSqliteLedgerStore(path: string, options: { readonly readOnly?: boolean } = {}): LedgerStore {
  if (options.readOnly === true) {
    const reader = openSqlite(path, { readonly: true });
    return new SqliteLedgerStore(null, reader);
  }
  const writer = openSqlite(path);
  migrateSqlite(writer, SQLITE_MIGRATIONS);
  const reader = path === ':memory:' ? writer : openSqlite(path);
  return new SqliteLedgerStore(writer, reader);
}

class SqliteLedgerStore implements LedgerStore {
  readonly engine = 'sqlite';
  readonly #writer: SqliteDatabase | null;
  readonly #reader: SqliteDatabase;
  readonly #statements: ReturnType<typeof prepareWriterStatements> | null;
  readonly #memory: WriterMemory;
  readonly #epoch: bigint;

  constructor(writer: SqliteDatabase | null, reader: SqliteDatabase) {
    this.#writer = writer;
    this.#reader = reader;
    this.#statements = writer === null ? null : prepareWriterStatements(writer);
    this.#epoch =
      writer === null
        ? 0n
        : (writer.prepare('UPDATE ledger_writer SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch').get() as { epoch: bigint })
            .epoch;
    this.#memory = new WriterMemory(writer === null ? new KnownIds() : knownIdsOf(writer));
  }

  commitBatch<R>(keys: BatchKeys, plan: (loaded: LoadedState) => { writes: BatchWrites; result: R }): Promise<R> {
    const writer = this.#writer;
    if (writer === null) return Promise.reject(new LedgerFencedError('this ledger store was opened read-only'));
    const run = writer.transaction(() => {
      const { epoch } = this.#statements!.epoch.get() as { epoch: bigint };
      if (epoch !== this.#epoch) {
        throw new LedgerFencedError(`another writer opened this ledger (epoch ${epoch}, ours ${this.#epoch})`);
      }
      const loaded = this.#load(keys);
      const planned = plan(loaded);
      this.#write(planned.writes, loaded.accounts);
      return planned;
    });
    try {
      const { writes, result } = run.immediate();
      this.#memory.rememberCommitted(writes);
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Reads what a batch names: holds due to expire, transfers and failures by id, then every account involved. */
  #load(keys: BatchKeys): LoadedState {
    const s = this.#statements!;
    const transfers = new Map<string, Transfer>();
    const pendingStatuses = new Map<string, PendingStatus>();
    const failures = new Map<string, CreateTransferResult>();
    const accountIds = new Set(keys.accountIds);
    const remember = (row: TransferWithPendingRow): Transfer => {
      const transfer = transferFromRow(row);
      transfers.set(transfer.id, transfer);
      if (row.state !== undefined && row.state !== null) pendingStatuses.set(transfer.id, pendingFromRow(row as PendingRow));
      accountIds.add(transfer.debitAccountId);
      accountIds.add(transfer.creditAccountId);
      return transfer;
    };
    const dueExpiries =
      keys.expireAtOrBefore === null
        ? []
        : (s.dueExpiries.all({ due: keys.expireAtOrBefore, limit: EXPIRIES_PER_BATCH_MAX }) as TransferWithPendingRow[]).map(
            remember,
          );
    // Only ids the ledger may hold are looked up: new ids, most of a batch, cost nothing.
    const candidates = this.#memory.idsToLookUp(keys.transferIds);
    if (candidates.length > 0) {
      // One statement per table for the whole batch: a set lookup costs far
      // less than one round into SQLite per id.
      const ids = JSON.stringify(candidates);
      for (const row of s.transfersIn.all(ids) as TransferWithPendingRow[]) remember(row);
      for (const row of s.failuresIn.all(ids) as { id: string; result: CreateTransferResult }[]) {
        failures.set(row.id, row.result);
      }
    }
    const accounts = new Map<string, Account>();
    const uncached = this.#memory.takeAccounts(accountIds, accounts);
    if (uncached.length > 0) {
      const found = (s.accountsIn.all(JSON.stringify(uncached)) as AccountRow[]).map(accountFromRow);
      for (const account of found) accounts.set(account.id, account);
      this.#memory.rememberLoaded(found);
    }
    return { accounts, transfers, pendingStatuses, failures, dueExpiries };
  }

  #write(writes: BatchWrites, loadedAccounts: ReadonlyMap<string, Account>): void {
    const s = this.#statements!;
    for (const a of writes.accountsCreated) {
      s.insertAccount.run(a.timestamp, a.id, a.ledger, a.code, a.userData);
      s.insertBalances.run(
        a.timestamp, encodeAccountFlags(a.flags), a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted,
      );
    }
    const keys = accountKeys(loadedAccounts, writes.accountsCreated);
    for (const t of writes.transfersCreated) {
      s.insertTransfer.run(
        t.timestamp, t.id, keys.get(t.debitAccountId), keys.get(t.creditAccountId), t.amount, t.pendingId,
        t.ledger, t.code, encodeTransferFlags(t.flags), t.timeoutSeconds, t.userData,
      );
    }
    for (const a of writes.accountsUpdated) {
      s.updateBalances.run(
        a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, encodeAccountFlags(a.flags), a.timestamp,
      );
    }
    for (const p of writes.pendingsCreated) s.insertPending.run(p.id, p.state, p.expiresAt, p.resolvedTimestamp);
    for (const p of writes.pendingsUpdated) s.updatePending.run(p.state, p.resolvedTimestamp, p.id);
    for (const f of writes.failuresCreated) s.insertFailure.run(f.id, f.result, f.timestamp);
  }

  lastTimestamp(): Promise<LedgerTimestamp> {
    const row = prepareCached(this.#reader, LAST_TIMESTAMP_SQL)
      .get() as { last: bigint };
    return Promise.resolve(row.last);
  }

  nextExpiry(): Promise<LedgerTimestamp | null> {
    const row = prepareCached(this.#reader, `SELECT MIN(expires_at) AS next FROM pending_transfers WHERE state = 'pending' AND expires_at IS NOT NULL`)
      .get() as { next: bigint | null };
    return Promise.resolve(row.next);
  }

  lookupAccounts(ids: readonly string[]): Promise<Account[]> {
    const get = prepareCached(this.#reader, `${ACCOUNT_SELECT} WHERE a.id = ?`);
    const accounts = ids.flatMap((id) => {
      const row = get.get(id) as AccountRow | undefined;
      return row === undefined ? [] : [accountFromRow(row)];
    });
    return Promise.resolve(accounts);
  }

  lookupTransfers(ids: readonly string[]): Promise<Transfer[]> {
    const get = prepareCached(this.#reader, `${TRANSFER_SELECT} WHERE t.id = ?`);
    const transfers = ids.flatMap((id) => {
      const row = get.get(id) as TransferRow | undefined;
      return row === undefined ? [] : [transferFromRow(row)];
    });
    return Promise.resolve(transfers);
  }

  accountTransfers(q: AccountTransfersQuery): Promise<Transfer[]> {
    const key = this.#accountKey(q.accountId);
    if (key === undefined) return Promise.resolve([]);
    const cursor = q.cursorTimestamp ?? (q.descending ? 2n ** 63n - 1n : -1n);
    const [op, order] = q.descending ? ['<', 'DESC'] : ['>', 'ASC'];
    // Each side reads its own index in time order; the merge keeps the first `limit`.
    const rows = this.#reader
      .prepare(
        `${TRANSFER_SELECT} WHERE t.timestamp IN (
           SELECT timestamp FROM (SELECT timestamp FROM transfers WHERE debit_account_key = @key AND timestamp ${op} @cursor
                                   ORDER BY timestamp ${order} LIMIT @limit)
           UNION ALL
           SELECT timestamp FROM (SELECT timestamp FROM transfers WHERE credit_account_key = @key AND timestamp ${op} @cursor
                                   ORDER BY timestamp ${order} LIMIT @limit))
         ORDER BY t.timestamp ${order} LIMIT @limit`,
      )
      .all({ key, cursor, limit: q.limit }) as TransferRow[];
    return Promise.resolve(rows.map(transferFromRow));
  }

  transfersInRange(q: TransfersInRangeQuery): Promise<Transfer[]> {
    // One page per call, each its own statement: an iterator left open across
    // the caller's awaits would keep this connection, which every other read
    // of the ledger shares, busy for as long as the caller takes.
    let key: bigint | null = null;
    if (q.accountId !== null) {
      const found = this.#accountKey(q.accountId);
      if (found === undefined) return Promise.resolve([]);
      key = found;
    }
    const ledgers = q.ledgers === null ? null : JSON.stringify(q.ledgers);
    const statement = prepareCached(this.#reader, transfersInRangeSql({ byAccount: key !== null, byLedger: ledgers !== null })).raw(true);
    const rows = statement.all({
      after: q.afterTimestamp,
      to: q.toTimestamp,
      limit: q.limit,
      ...(key === null ? {} : { key }),
      ...(ledgers === null ? {} : { ledgers }),
    }) as unknown[][];
    return Promise.resolve(rows.map(transferFromValues));
  }

  #accountKey(accountId: string): bigint | undefined {
    const row = prepareCached(this.#reader, 'SELECT account_key FROM accounts WHERE id = ?').get(accountId) as
      | { account_key: bigint }
      | undefined;
    return row?.account_key;
  }

  currentBalance(accountId: string): Promise<AccountBalance | null> {
    const row = prepareCached(this.#reader, CURRENT_BALANCE_SQL('?')).get(accountId) as Record<string, bigint | string> | undefined;
    return Promise.resolve(row === undefined ? null : balanceFromRow(row));
  }

  balanceAsOf(accountId: string, asOf: LedgerTimestamp): Promise<AccountBalance | null> {
    const account = prepareCached(this.#reader, 'SELECT id, ledger, account_key FROM accounts WHERE id = ?').get(accountId) as
      | { id: string; ledger: string; account_key: bigint }
      | undefined;
    if (account === undefined) return Promise.resolve(null);
    const row = this.#reader
      .prepare(BALANCE_AS_OF_SQL((n) => `@p${n}`))
      .get({ p1: account.account_key, p2: asOf }) as Record<string, bigint>;
    return Promise.resolve({
      accountId: account.id as Account['id'],
      ledger: account.ledger,
      debitsPending: row.debits_pending!,
      debitsPosted: row.debits_posted!,
      creditsPending: row.credits_pending!,
      creditsPosted: row.credits_posted!,
      asOfTimestamp: asOf,
    });
  }

  verify(differencesMax: number): Promise<VerifyFacts> {
    // One read transaction, so every query sees the same snapshot.
    const read = this.#reader.transaction((): VerifyFacts => {
      const count = (sql: string): number => Number((this.#reader.prepare(sql).get() as { n: bigint }).n);
      const recomputed = this.#reader.prepare(`${RECOMPUTED_BALANCES_SQL} LIMIT ?`).all(differencesMax) as RecomputedRow[];
      const violations = this.#reader.prepare(`${FLAG_VIOLATIONS_SQL} LIMIT ?`).all(differencesMax) as FlagViolationRow[];
      const pending = this.#reader.prepare(`${PENDING_MISMATCH_SQL} LIMIT ?`).all(differencesMax) as {
        id: string;
        state: string;
      }[];
      const dangling = this.#reader.prepare(`${DANGLING_REFERENCES_SQL} LIMIT ?`).all(differencesMax) as {
        id: string;
        problem: string;
      }[];
      const ledgers = ledgerTotals(this.#reader);
      const differences: AccountDifference[] = [...accountDifferences(recomputed), ...flagViolations(violations)];
      return {
        accountCount: count('SELECT COUNT(*) AS n FROM accounts'),
        transferCount: count('SELECT COUNT(*) AS n FROM transfers'),
        ledgers,
        accountDifferences: differences.slice(0, differencesMax),
        pendingDifferences: pending.map((p) => ({
          transferId: p.id,
          problem: `recorded as ${p.state}, which its resolving transfers contradict`,
        })),
        referenceDifferences: dangling.map((d) => ({ transferId: d.id, problem: d.problem })),
      };
    });
    try {
      return Promise.resolve(read.deferred());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    if (this.#reader !== this.#writer) this.#reader.close();
    this.#writer?.close();
    return Promise.resolve();
  }
}

/**
 * Each ledger's totals. A total may pass 2^63 − 1 even though no balance can,
 * and SQLite's SUM of integers then fails; so each column is summed in two
 * 32-bit halves, which cannot overflow below 2^31 accounts, and joined here.
 */
function ledgerTotals(db: SqliteDatabase): LedgerTotals[] {
  const columns = ['debits_posted', 'credits_posted', 'debits_pending', 'credits_pending'];
  const halves = columns.map((c) => `SUM(b.${c} >> 32) AS ${c}_high, SUM(b.${c} & 4294967295) AS ${c}_low`).join(', ');
  const rows = db
    .prepare(
      `SELECT a.ledger, ${halves} FROM accounts a JOIN account_balances b ON b.account_key = a.account_key
        GROUP BY a.ledger ORDER BY a.ledger`,
    )
    .all() as Record<
    string,
    bigint | string
  >[];
  const total = (row: Record<string, bigint | string>, column: string): bigint =>
    ((row[`${column}_high`] as bigint) << 32n) + (row[`${column}_low`] as bigint);
  return rows.map((row) => ({
    ledger: row.ledger as string,
    debitsPosted: total(row, 'debits_posted'),
    creditsPosted: total(row, 'credits_posted'),
    debitsPending: total(row, 'debits_pending'),
    creditsPending: total(row, 'credits_pending'),
  }));
}

/** Every id the ledger holds, recorded or failed, read once when the writer opens. */
function knownIdsOf(db: SqliteDatabase): KnownIds {
  const known = new KnownIds();
  for (const row of db.prepare('SELECT id FROM transfers UNION ALL SELECT id FROM transfer_failures').iterate()) {
    known.add((row as { id: string }).id);
  }
  return known;
}

/**
 * A page of a timestamp range. Without an account, the range is read off the
 * table itself (rows are keyed by timestamp); with one, off its two history
 * indexes, each already in time order, merged.
 */
function transfersInRangeSql(by: { readonly byAccount: boolean; readonly byLedger: boolean }): string {
  const range = (t: string): string =>
    `${t}timestamp > @after AND ${t}timestamp <= @to${by.byLedger ? ` AND ${t}ledger IN (SELECT value FROM json_each(@ledgers))` : ''}`;
  const where = by.byAccount
    ? `WHERE t.timestamp IN (
         SELECT timestamp FROM (SELECT timestamp FROM transfers WHERE debit_account_key = @key AND ${range('')} ORDER BY timestamp LIMIT @limit)
         UNION ALL
         SELECT timestamp FROM (SELECT timestamp FROM transfers WHERE credit_account_key = @key AND ${range('')} ORDER BY timestamp LIMIT @limit))`
    : `WHERE ${range('t.')}`;
  return `${TRANSFER_SELECT} ${where} ORDER BY t.timestamp LIMIT @limit`;
}

/** A `TRANSFER_SELECT` row read raw (its columns in order): no object per row to build and throw away. */
function transferFromValues(values: unknown[]): Transfer {
  const [id, debitAccountId, creditAccountId, amount, pendingId, ledger, code, flags, timeoutSeconds, userData, timestamp] = values as [
    Transfer['id'],
    Transfer['debitAccountId'],
    Transfer['creditAccountId'],
    bigint,
    Transfer['pendingId'],
    string,
    bigint,
    bigint,
    bigint,
    string | null,
    bigint,
  ];
  return {
    id,
    debitAccountId,
    creditAccountId,
    amount,
    pendingId,
    ledger,
    code: Number(code),
    flags: decodeTransferFlags(Number(flags)),
    timeoutSeconds: Number(timeoutSeconds),
    userData,
    timestamp,
  };
}

function pendingFromRow(row: PendingRow): PendingStatus {
  return { state: row.state, expiresAt: row.expires_at, resolvedTimestamp: row.resolved_timestamp };
}

function prepareWriterStatements(db: SqliteDatabase) {
  return {
    epoch: db.prepare('SELECT epoch FROM ledger_writer WHERE id = 1'),
    accountsIn: db.prepare(`${ACCOUNT_SELECT} WHERE a.id IN (SELECT value FROM json_each(?))`),
    transfersIn: db.prepare(TRANSFER_WITH_PENDING('WHERE t.id IN (SELECT value FROM json_each(?))')),
    failuresIn: db.prepare('SELECT id, result FROM transfer_failures WHERE id IN (SELECT value FROM json_each(?))'),
    dueExpiries: db.prepare(
      `${TRANSFER_WITH_PENDING(`WHERE t.id IN (SELECT id FROM pending_transfers
                                  WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= @due
                                  ORDER BY expires_at LIMIT @limit)`)}
       ORDER BY p.expires_at`,
    ),
    insertAccount: db.prepare('INSERT INTO accounts (account_key, id, ledger, code, user_data) VALUES (?, ?, ?, ?, ?)'),
    insertBalances: db.prepare(
      `INSERT INTO account_balances (account_key, flags, debits_pending, debits_posted, credits_pending, credits_posted)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    updateBalances: db.prepare(
      `UPDATE account_balances SET debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ?, flags = ?
        WHERE account_key = ?`,
    ),
    insertTransfer: db.prepare(
      `INSERT INTO transfers (timestamp, id, debit_account_key, credit_account_key, amount, pending_id, ledger, code, flags, timeout_seconds, user_data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertPending: db.prepare('INSERT INTO pending_transfers (id, state, expires_at, resolved_timestamp) VALUES (?, ?, ?, ?)'),
    updatePending: db.prepare('UPDATE pending_transfers SET state = ?, resolved_timestamp = ? WHERE id = ?'),
    insertFailure: db.prepare('INSERT INTO transfer_failures (id, result, timestamp) VALUES (?, ?, ?)'),
  };
}

/** Whether a file is a SQLite database holding ledger tables (read without changing it). */
export function isSqliteLedger(path: string): boolean {
  try {
    const db = openSqlite(path, { readonly: true });
    try {
      return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'transfers'`).get() !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}
