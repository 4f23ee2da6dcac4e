/**
 * The ledger on PostgreSQL, the production engine. A batch costs a fixed
 * number of round trips however many transfers it carries: each load is one
 * `= ANY($1)` query and each write one set-based statement over `unnest` of
 * column arrays. Rows read for writing are locked (`FOR UPDATE`, in id order
 * so that concurrent writers cannot deadlock), which keeps the naive baseline,
 * with many writers, as correct as the single batched writer.
 */
import type { PoolClient } from 'pg';
import { createPostgresPool, migratePostgres, type PostgresPool } from '../platform/db/postgres.ts';
import type { BatchKeys, BatchWrites, LoadedState } from './plan.ts';
import { ACCOUNT_SELECT, POSTGRES_MIGRATIONS, TRANSFER_SELECT } from './schema.ts';
import {
  accountFromRow,
  accountKeys,
  BALANCE_AS_OF_SQL,
  balanceFromRow,
  CURRENT_BALANCE_SQL,
  DANGLING_REFERENCES_SQL,
  encodeAccountFlags,
  encodeTransferFlags,
  FLAG_VIOLATIONS_SQL,
  LAST_TIMESTAMP_SQL,
  LEDGER_TOTALS_SQL,
  PENDING_MISMATCH_SQL,
  RECOMPUTED_BALANCES_SQL,
  transferFromRow,
  type AccountRow,
  type AccountTransfersQuery,
  type LedgerStore,
  type PendingRow,
  type TransferRow,
  type TransfersInRangeQuery,
  type VerifyFacts,
  WriterMemory,
  LedgerCommitUnknownError,
  LedgerFencedError,
} from './store.ts';
import { KnownIds } from './known-ids.ts';
import { EXPIRIES_PER_BATCH_MAX } from './limits.ts';
import type { Account, AccountBalance, AccountId, CreateTransferResult, LedgerTimestamp, PendingStatus, Transfer } from './types.ts';
import { accountDifferences, flagViolations, type FlagViolationRow, type RecomputedRow } from './verify.ts';


type Raw = Record<string, unknown>;

/** `verify` reads every row; on a large ledger it may take minutes, not the usual statement limit. */
export const VERIFY_STATEMENT_TIMEOUT_MS = 30 * 60 * 1000;

export type PostgresWriters = 'single' | 'concurrent' | 'read-only';

export async function openPostgresLedgerStore(
  url: string,
  options: { readonly connectionsMax?: number; readonly writers?: PostgresWriters } = {},
): Promise<LedgerStore> {
  const writers = options.writers ?? 'single';
  const pool = createPostgresPool(url, options);
  try {
    if (writers !== 'read-only') await migratePostgres(pool, POSTGRES_MIGRATIONS);
    const epoch =
      writers === 'single'
        ? BigInt(
            (await pool.query<{ epoch: string }>('UPDATE ledger_writer SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch::text'))
              .rows[0]!.epoch,
          )
        : null;
    const memory = writers === 'single' ? new WriterMemory(await knownIdsOf(pool)) : null;
    return new PostgresLedgerStore(pool, writers, epoch, memory);
  } catch (error) {
    await pool.end();
    throw error;
  }
}

class PostgresLedgerStore implements LedgerStore {
  readonly engine = 'postgres';
  readonly #pool: PostgresPool;
  readonly #writers: PostgresWriters;
  readonly #epoch: bigint | null;
  /**
   * Only the single writer may remember between batches; with concurrent
   * writers every batch reads (and locks) all it needs.
   */
  readonly #memory: WriterMemory | null;

  constructor(pool: PostgresPool, writers: PostgresWriters, epoch: bigint | null, memory: WriterMemory | null) {
    this.#pool = pool;
    this.#writers = writers;
    this.#epoch = epoch;
    this.#memory = memory;
  }

  async commitBatch<R>(keys: BatchKeys, plan: (loaded: LoadedState) => { writes: BatchWrites; result: R }): Promise<R> {
    if (this.#writers === 'read-only') throw new LedgerFencedError('this ledger store was opened read-only');
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      if (this.#memory !== null) await checkEpoch(client, this.#epoch!);
      const loaded = await load(client, keys, this.#memory);
      const { writes, result } = plan(loaded);
      await write(client, writes, loaded.accounts);
      await commit(client);
      this.#memory?.rememberCommitted(writes);
      client.release();
      return result;
    } catch (error) {
      // A connection whose ROLLBACK fails may still be inside a transaction: destroy it, never pool it.
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      client.release(rolledBack ? undefined : true);
      throw error;
    }
  }

  async lastTimestamp(): Promise<LedgerTimestamp> {
    const { rows } = await this.#pool.query<{ last: string }>(
      `SELECT last::text FROM (${LAST_TIMESTAMP_SQL}) m`,
    );
    return BigInt(rows[0]!.last);
  }

  async nextExpiry(): Promise<LedgerTimestamp | null> {
    const { rows } = await this.#pool.query<{ next: string | null }>(
      `SELECT MIN(expires_at)::text AS next FROM pending_transfers WHERE state = 'pending' AND expires_at IS NOT NULL`,
    );
    return rows[0]!.next === null ? null : BigInt(rows[0]!.next);
  }

  async lookupAccounts(ids: readonly string[]): Promise<Account[]> {
    const { rows } = await this.#pool.query<Raw>(`${ACCOUNT_SELECT} WHERE a.id = ANY($1::text[])`, [ids]);
    const byId = new Map(rows.map((row) => [row.id as string, accountFromRow(accountRow(row))]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async lookupTransfers(ids: readonly string[]): Promise<Transfer[]> {
    const { rows } = await this.#pool.query<Raw>(
      `${TRANSFER_SELECT} WHERE t.id = ANY($1::text[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id as string, transferFromRow(transferRow(row))]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async accountTransfers(q: AccountTransfersQuery): Promise<Transfer[]> {
    const cursor = q.cursorTimestamp ?? (q.descending ? 2n ** 63n - 1n : -1n);
    const [op, order] = q.descending ? ['<', 'DESC'] : ['>', 'ASC'];
    // Each side reads its own index in time order; the merge keeps the first `limit`.
    const { rows } = await this.#pool.query<Raw>(
      `WITH account AS (SELECT account_key FROM accounts WHERE id = $1)
       ${TRANSFER_SELECT} WHERE t.timestamp IN (
         (SELECT timestamp FROM transfers WHERE debit_account_key = (SELECT account_key FROM account)
            AND timestamp ${op} $2 ORDER BY timestamp ${order} LIMIT $3)
         UNION ALL
         (SELECT timestamp FROM transfers WHERE credit_account_key = (SELECT account_key FROM account)
            AND timestamp ${op} $2 ORDER BY timestamp ${order} LIMIT $3))
       ORDER BY t.timestamp ${order} LIMIT $3`,
      [q.accountId, cursor.toString(), q.limit],
    );
    return rows.map((row) => transferFromRow(transferRow(row)));
  }

  async transfersInRange(q: TransfersInRangeQuery): Promise<Transfer[]> {
    // Keyset pages on the timestamp, each its own statement: no cursor (and no
    // connection) is held between the caller's pages.
    const range = (t: string): string => `${t}timestamp > $1 AND ${t}timestamp <= $2${q.ledgers === null ? '' : ` AND ${t}ledger = ANY($4::text[])`}`;
    const where =
      q.accountId === null
        ? `WHERE ${range('t.')}`
        : `WHERE t.timestamp IN (
             (SELECT timestamp FROM transfers WHERE debit_account_key = (SELECT account_key FROM account) AND ${range('')} ORDER BY timestamp LIMIT $3)
             UNION ALL
             (SELECT timestamp FROM transfers WHERE credit_account_key = (SELECT account_key FROM account) AND ${range('')} ORDER BY timestamp LIMIT $3))`;
    const account = q.accountId === null ? '' : `WITH account AS (SELECT account_key FROM accounts WHERE id = $${q.ledgers === null ? 4 : 5}) `;
    const values: unknown[] = [q.afterTimestamp.toString(), q.toTimestamp.toString(), q.limit];
    if (q.ledgers !== null) values.push(q.ledgers);
    if (q.accountId !== null) values.push(q.accountId);
    const { rows } = await this.#pool.query<Raw>(`${account}${TRANSFER_SELECT} ${where} ORDER BY t.timestamp LIMIT $3`, values);
    return rows.map((row) => transferFromRow(transferRow(row)));
  }

  async currentBalance(accountId: string): Promise<AccountBalance | null> {
    const { rows } = await this.#pool.query<Raw>(CURRENT_BALANCE_SQL('$1'), [accountId]);
    const row = rows[0];
    return row === undefined ? null : balanceFromRow(bigintFields({ ...row, as_of: BigInt(row.as_of as string) }) as Record<string, bigint | string>);
  }

  async balanceAsOf(accountId: string, asOf: LedgerTimestamp): Promise<AccountBalance | null> {
    const account = await this.#pool.query<{ id: string; ledger: string; account_key: string }>(
      'SELECT id, ledger, account_key::text FROM accounts WHERE id = $1',
      [accountId],
    );
    const found = account.rows[0];
    if (found === undefined) return null;
    const { rows } = await this.#pool.query<Record<string, string>>(
      `SELECT debits_posted::text, credits_posted::text, debits_pending::text, credits_pending::text FROM (${BALANCE_AS_OF_SQL((n) => `$${n}`)}) b`,
      [found.account_key, asOf.toString()],
    );
    const row = rows[0]!;
    return {
      accountId: found.id as AccountId,
      ledger: found.ledger,
      debitsPending: BigInt(row.debits_pending!),
      debitsPosted: BigInt(row.debits_posted!),
      creditsPending: BigInt(row.credits_pending!),
      creditsPosted: BigInt(row.credits_posted!),
      asOfTimestamp: asOf,
    };
  }

  async verify(differencesMax: number): Promise<VerifyFacts> {
    const client = await this.#pool.connect();
    try {
      // One snapshot for every query, so a concurrent batch cannot make a false difference.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // Whole-table aggregates: hash joins always. Right after a bulk load the
      // planner has no statistics yet and may pick a nested loop over an
      // aggregate, which is quadratic in the number of accounts.
      await client.query('SET LOCAL enable_nestloop = off');
      await client.query(`SET LOCAL statement_timeout = ${VERIFY_STATEMENT_TIMEOUT_MS}`);
      const count = async (table: string): Promise<number> =>
        Number((await client.query<{ n: string }>(`SELECT COUNT(*)::text AS n FROM ${table}`)).rows[0]!.n);
      const recomputed = await client.query<Raw>(`${RECOMPUTED_BALANCES_SQL} LIMIT $1`, [differencesMax]);
      const violations = await client.query<Raw>(`${FLAG_VIOLATIONS_SQL} LIMIT $1`, [differencesMax]);
      const pending = await client.query<{ id: string; state: string }>(`${PENDING_MISMATCH_SQL} LIMIT $1`, [differencesMax]);
      const dangling = await client.query<{ id: string; problem: string }>(`${DANGLING_REFERENCES_SQL} LIMIT $1`, [
        differencesMax,
      ]);
      const ledgers = await client.query<Raw>(LEDGER_TOTALS_SQL);
      const facts: VerifyFacts = {
        accountCount: await count('accounts'),
        transferCount: await count('transfers'),
        ledgers: ledgers.rows.map((l) => ({
          ledger: l.ledger as string,
          debitsPosted: BigInt(l.debits_posted as string),
          creditsPosted: BigInt(l.credits_posted as string),
          debitsPending: BigInt(l.debits_pending as string),
          creditsPending: BigInt(l.credits_pending as string),
        })),
        accountDifferences: [
          ...accountDifferences(recomputed.rows.map((row) => bigintFields(row) as unknown as RecomputedRow)),
          ...flagViolations(violations.rows.map((row) => bigintFields(row) as unknown as FlagViolationRow)),
        ].slice(0, differencesMax),
        pendingDifferences: pending.rows.map((p) => ({
          transferId: p.id,
          problem: `recorded as ${p.state}, which its resolving transfers contradict`,
        })),
        referenceDifferences: dangling.rows.map((d) => ({ transferId: d.id, problem: d.problem })),
      };
      await client.query('COMMIT');
      return facts;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** A failed COMMIT leaves the outcome unknown: the caller must not trust its memory of the ledger. */
async function commit(client: PoolClient): Promise<void> {
  try {
    await client.query('COMMIT');
  } catch (error) {
    throw new LedgerCommitUnknownError('the database did not confirm the commit; the batch may or may not be recorded', {
      cause: error,
    });
  }
}

/**
 * Holds the epoch row for the batch: a writer that opens the ledger meanwhile
 * waits for this batch to commit, and this store's next batch then fails.
 */
async function checkEpoch(client: PoolClient, epoch: bigint): Promise<void> {
  const { rows } = await client.query<{ epoch: string }>({
    name: 'ledger-epoch',
    text: 'SELECT epoch::text FROM ledger_writer WHERE id = 1 FOR SHARE',
  });
  const current = BigInt(rows[0]!.epoch);
  if (current !== epoch) throw new LedgerFencedError(`another writer opened this ledger (epoch ${current}, ours ${epoch})`);
}

/** With memory, this store is the single writer: it reads only what it does not hold, and locks nothing. */
async function load(
  client: PoolClient,
  keys: BatchKeys,
  memory: WriterMemory | null,
): Promise<LoadedState> {
  const locked = memory === null;
  const lock = locked ? ' ORDER BY id FOR UPDATE' : '';
  const transfers = new Map<string, Transfer>();
  const pendingStatuses = new Map<string, PendingStatus>();
  const failures = new Map<string, CreateTransferResult>();
  const accountIds = new Set(keys.accountIds);
  const remember = (transfer: Transfer): Transfer => {
    transfers.set(transfer.id, transfer);
    accountIds.add(transfer.debitAccountId);
    accountIds.add(transfer.creditAccountId);
    return transfer;
  };
  let dueExpiries: Transfer[] = [];
  if (keys.expireAtOrBefore !== null) {
    const due = await client.query<Raw>({
      name: `ledger-due-expiries${locked ? '-locked' : ''}`,
      text: `SELECT x.*, p.state, p.expires_at, p.resolved_timestamp
               FROM pending_transfers p JOIN (${TRANSFER_SELECT}) x ON x.id = p.id
              WHERE p.state = 'pending' AND p.expires_at IS NOT NULL AND p.expires_at <= $1
              ORDER BY p.expires_at LIMIT $2${locked ? ' FOR UPDATE OF p' : ''}`,
      values: [keys.expireAtOrBefore.toString(), EXPIRIES_PER_BATCH_MAX],
    });
    dueExpiries = due.rows.map((row) => {
      pendingStatuses.set(row.id as string, pendingFromRow(row));
      return remember(transferFromRow(transferRow(row)));
    });
  }
  // Only ids the ledger may hold are looked up: new ids, most of a batch, cost nothing.
  const ids = memory === null ? [...keys.transferIds] : memory.idsToLookUp(keys.transferIds);
  if (ids.length > 0) {
    const found = await client.query<Raw>({
      name: 'ledger-load-transfers',
      text: `${TRANSFER_SELECT} WHERE t.id = ANY($1::text[])`,
      values: [ids],
    });
    for (const row of found.rows) remember(transferFromRow(transferRow(row)));
    const held = [...transfers.values()].filter((t) => t.flags.pending && !pendingStatuses.has(t.id)).map((t) => t.id);
    if (held.length > 0) {
      const statuses = await client.query<Raw>({
        name: `ledger-load-pendings${locked ? '-locked' : ''}`,
        text: `SELECT id, state, expires_at, resolved_timestamp FROM pending_transfers WHERE id = ANY($1::text[])${lock}`,
        values: [held],
      });
      for (const row of statuses.rows) pendingStatuses.set(row.id as string, pendingFromRow(row));
    }
    const failed = await client.query<{ id: string; result: CreateTransferResult }>({
      name: 'ledger-load-failures',
      text: 'SELECT id, result FROM transfer_failures WHERE id = ANY($1::text[])',
      values: [ids],
    });
    for (const row of failed.rows) failures.set(row.id, row.result);
  }
  const accounts = new Map<string, Account>();
  const uncached = memory === null ? [...accountIds] : memory.takeAccounts(accountIds, accounts);
  if (uncached.length > 0) {
    const found = await client.query<Raw>({
      name: `ledger-load-accounts${locked ? '-locked' : ''}`,
      text: `${ACCOUNT_SELECT} WHERE a.id = ANY($1::text[])${locked ? ' ORDER BY a.id FOR UPDATE OF b' : ''}`,
      values: [uncached],
    });
    const loaded = found.rows.map((row) => accountFromRow(accountRow(row)));
    for (const account of loaded) accounts.set(account.id, account);
    memory?.rememberLoaded(loaded);
  }
  return { accounts, transfers, pendingStatuses, failures, dueExpiries };
}

async function write(client: PoolClient, writes: BatchWrites, loadedAccounts: ReadonlyMap<string, Account>): Promise<void> {
  const w = writes;
  if (w.accountsCreated.length > 0) {
    await client.query({
      name: 'ledger-insert-accounts',
      text: `INSERT INTO accounts (account_key, id, ledger, code, user_data)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[])`,
      values: columns(w.accountsCreated, [(a) => a.timestamp, (a) => a.id, (a) => a.ledger, (a) => a.code, (a) => a.userData]),
    });
    await client.query({
      name: 'ledger-insert-balances',
      text: `INSERT INTO account_balances (account_key, flags, debits_pending, debits_posted, credits_pending, credits_posted)
             SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])`,
      values: columns(w.accountsCreated, [
        (a) => a.timestamp, (a) => encodeAccountFlags(a.flags),
        (a) => a.debitsPending, (a) => a.debitsPosted, (a) => a.creditsPending, (a) => a.creditsPosted,
      ]),
    });
  }
  if (w.transfersCreated.length > 0) {
    const keys = accountKeys(loadedAccounts, w.accountsCreated);
    await client.query({
      name: 'ledger-insert-transfers',
      text: `INSERT INTO transfers (timestamp, id, debit_account_key, credit_account_key, amount, pending_id, ledger, code, flags, timeout_seconds, user_data)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::int[], $9::int[], $10::int[], $11::text[])`,
      values: columns(w.transfersCreated, [
        (t) => t.timestamp, (t) => t.id, (t) => keys.get(t.debitAccountId)!, (t) => keys.get(t.creditAccountId)!, (t) => t.amount,
        (t) => t.pendingId, (t) => t.ledger, (t) => t.code, (t) => encodeTransferFlags(t.flags), (t) => t.timeoutSeconds, (t) => t.userData,
      ]),
    });
  }
  if (w.accountsUpdated.length > 0) {
    await client.query({
      name: 'ledger-update-balances',
      text: `UPDATE account_balances b SET debits_pending = u.debits_pending, debits_posted = u.debits_posted,
                    credits_pending = u.credits_pending, credits_posted = u.credits_posted, flags = u.flags
               FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::int[])
                 AS u(account_key, debits_pending, debits_posted, credits_pending, credits_posted, flags)
              WHERE b.account_key = u.account_key`,
      values: columns(w.accountsUpdated, [
        (a) => a.timestamp, (a) => a.debitsPending, (a) => a.debitsPosted, (a) => a.creditsPending, (a) => a.creditsPosted,
        (a) => encodeAccountFlags(a.flags),
      ]),
    });
  }
  if (w.pendingsCreated.length > 0) {
    await client.query({
      name: 'ledger-insert-pendings',
      text: `INSERT INTO pending_transfers (id, state, expires_at, resolved_timestamp)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])`,
      values: columns(w.pendingsCreated, [(p) => p.id, (p) => p.state, (p) => p.expiresAt, (p) => p.resolvedTimestamp]),
    });
  }
  if (w.pendingsUpdated.length > 0) {
    await client.query({
      name: 'ledger-update-pendings',
      text: `UPDATE pending_transfers p SET state = u.state, resolved_timestamp = u.resolved_timestamp
               FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(id, state, resolved_timestamp)
              WHERE p.id = u.id`,
      values: columns(w.pendingsUpdated, [(p) => p.id, (p) => p.state, (p) => p.resolvedTimestamp]),
    });
  }
  if (w.failuresCreated.length > 0) {
    await client.query({
      name: 'ledger-insert-failures',
      text: `INSERT INTO transfer_failures (id, result, timestamp) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`,
      values: columns(w.failuresCreated, [(f) => f.id, (f) => f.result, (f) => f.timestamp]),
    });
  }
}

type Cell = string | number | bigint | null;

/** Turns rows into one array per column, bigints as decimal strings, for `unnest`. */
function columns<T>(rows: readonly T[], pick: readonly ((row: T) => Cell)[]): (string | number | null)[][] {
  return pick.map((get) =>
    rows.map((row) => {
      const value = get(row);
      return typeof value === 'bigint' ? value.toString() : value;
    }),
  );
}

const BIGINT_FIELDS = new Set([
  'amount', 'timestamp', 'debits_pending', 'debits_posted', 'credits_pending', 'credits_posted',
  'stored_debits_posted', 'stored_credits_posted', 'stored_debits_pending', 'stored_credits_pending',
  'expires_at', 'resolved_timestamp',
]);

/** node-postgres returns BIGINT and NUMERIC as strings; the ledger's columns become bigint here. */
function bigintFields(row: Raw): Raw {
  const out: Raw = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = BIGINT_FIELDS.has(key) && typeof value === 'string' ? BigInt(value) : value;
  }
  return out;
}

function accountRow(row: Raw): AccountRow {
  return bigintFields(row) as unknown as AccountRow;
}

function transferRow(row: Raw): TransferRow {
  return bigintFields(row) as unknown as TransferRow;
}

/** Ids read per query while filling the known-ids filter, so a large ledger never sits in memory whole. */
const KNOWN_IDS_PAGE_ROWS = 50_000;

/** Every id the ledger holds, recorded or failed, read page by page when the writer opens. */
async function knownIdsOf(pool: PostgresPool): Promise<KnownIds> {
  const known = new KnownIds();
  for (const table of ['transfers', 'transfer_failures']) {
    let after = '';
    for (;;) {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM ${table} WHERE id > $1 ORDER BY id LIMIT ${KNOWN_IDS_PAGE_ROWS}`,
        [after],
      );
      for (const row of rows) known.add(row.id);
      if (rows.length < KNOWN_IDS_PAGE_ROWS) break;
      after = rows.at(-1)!.id;
    }
  }
  return known;
}

function pendingFromRow(row: Raw): PendingStatus {
  const p = bigintFields(row) as unknown as PendingRow;
  return { state: p.state, expiresAt: p.expires_at, resolvedTimestamp: p.resolved_timestamp };
}
