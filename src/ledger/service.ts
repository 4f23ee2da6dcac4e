/**
 * The ledger's public API: writes go through the single writer with group
 * commit (`writer.ts`), reads straight to the store.
 */
import { LedgerCallError } from './errors.ts';
import { PAGE_TRANSFERS_MAX, STREAM_PAGE_TRANSFERS_MAX } from './limits.ts';
import type { LedgerStore, TransfersInRangeQuery } from './store.ts';
import { startWriter } from './writer.ts';
import type {
  Account,
  AccountBalance,
  AccountOutcome,
  LedgerTimestamp,
  NewAccount,
  NewTransfer,
  Transfer,
  TransferOutcome,
  TransferPage,
} from './types.ts';
import { VERIFY_DIFFERENCES_MAX, verifyReport, type VerifyReport } from './verify.ts';

export interface Ledger {
  /** Creates accounts; idempotent on each account's id. */
  createAccounts(accounts: readonly NewAccount[]): Promise<readonly AccountOutcome[]>;
  /** Records transfers in order; idempotent on each transfer's id. One outcome per transfer, in order. */
  createTransfers(transfers: readonly NewTransfer[]): Promise<readonly TransferOutcome[]>;
  lookupAccounts(ids: readonly string[]): Promise<readonly Account[]>;
  lookupTransfers(ids: readonly string[]): Promise<readonly Transfer[]>;
  /** An account's transfers in ledger order, a page at a time. */
  getAccountTransfers(query: {
    readonly accountId: string;
    readonly cursorTimestamp?: LedgerTimestamp;
    readonly limit?: number;
    readonly descending?: boolean;
  }): Promise<TransferPage>;
  /**
   * Every transfer stamped from `fromTimestamp` to `toTimestamp` (both
   * included), only of `ledgers` or only of `accountId` when given, in
   * timestamp order, a page of at most `pageTransfers` at a time. Each page is
   * read when the caller asks for it, so a range of any size streams through
   * constant memory. It is not a snapshot: read a range the ledger has passed
   * (behind a call that went through the writer once the clock was past
   * `toTimestamp`), which can no longer change, since a new transfer always
   * takes a later timestamp.
   */
  streamTransfers(query: {
    readonly fromTimestamp: LedgerTimestamp;
    readonly toTimestamp: LedgerTimestamp;
    readonly ledgers?: readonly string[];
    readonly accountId?: string;
    readonly pageTransfers?: number;
  }): AsyncIterable<readonly Transfer[]>;
  /** The account's balances now, or as they stood at `asOfTimestamp`; null for an unknown account. */
  getAccountBalance(accountId: string, options?: { readonly asOfTimestamp?: LedgerTimestamp }): Promise<AccountBalance | null>;
  /** Recomputes every balance from the transfers and checks that each ledger balances. */
  verify(): Promise<VerifyReport>;
  /** What an operator's health check shows: the engine, the last timestamp assigned, calls waiting. */
  status(): { readonly engine: 'sqlite' | 'postgres'; readonly lastTimestamp: LedgerTimestamp; readonly callsQueued: number };
  /** Releases every hold whose timeout has passed now, instead of at the next batch or timer. */
  releaseExpired(): Promise<void>;
  /** Finishes the batches under way, then closes the store. */
  close(): Promise<void>;
}

export interface LedgerOptions {
  readonly store: LedgerStore;
  /** Nanoseconds since the Unix epoch; tests pass a clock they move. */
  readonly clock?: () => LedgerTimestamp;
  readonly batchEventsMax?: number;
}


export function systemClock(): LedgerTimestamp {
  return BigInt(Date.now()) * 1_000_000n;
}

export async function createLedger(options: LedgerOptions): Promise<Ledger> {
  const { store } = options;
  const writer = await startWriter({
    store,
    clock: options.clock ?? systemClock,
    ...(options.batchEventsMax === undefined ? {} : { batchEventsMax: options.batchEventsMax }),
  });
  return {
    // Not async: the caller's promise is the queued call's own, one hop fewer per call.
    createAccounts: (accounts) =>
      writer.submit({ kind: 'accounts', accounts }) as Promise<readonly AccountOutcome[]>,
    createTransfers: (transfers) =>
      writer.submit({ kind: 'transfers', transfers }) as Promise<readonly TransferOutcome[]>,
    lookupAccounts: (ids) => store.lookupAccounts(ids),
    lookupTransfers: (ids) => store.lookupTransfers(ids),
    async getAccountTransfers(query) {
      const limit = query.limit ?? PAGE_TRANSFERS_MAX;
      if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_TRANSFERS_MAX) {
        throw new LedgerCallError(`limit must be an integer from 1 to ${PAGE_TRANSFERS_MAX}`);
      }
      const descending = query.descending ?? false;
      const transfers = await store.accountTransfers({
        accountId: query.accountId,
        cursorTimestamp: query.cursorTimestamp ?? null,
        limit,
        descending,
      });
      const last = transfers.at(-1);
      return { transfers, nextTimestamp: transfers.length === limit && last !== undefined ? last.timestamp : null };
    },
    streamTransfers: (query) => streamStoreTransfers(store, query),
    async getAccountBalance(accountId, balanceOptions = {}) {
      if (balanceOptions.asOfTimestamp !== undefined) return store.balanceAsOf(accountId, balanceOptions.asOfTimestamp);
      // The store reads balances and the last timestamp in one snapshot: a
      // batch committing meanwhile cannot make them disagree.
      return store.currentBalance(accountId);
    },
    async verify() {
      return verifyReport(await store.verify(VERIFY_DIFFERENCES_MAX));
    },
    status: () => ({ engine: store.engine, ...writer.status() }),
    async releaseExpired() {
      await writer.submit({ kind: 'transfers', transfers: [] });
    },
    async close() {
      await writer.close();
      await store.close();
    },
  };
}

/**
 * `Ledger.streamTransfers` straight from a store, for a reader that writes
 * nothing (another thread reading a range the ledger has passed: the
 * network's clearing): the same checks and the same pages.
 */
export function streamStoreTransfers(store: Pick<LedgerStore, 'transfersInRange'>, query: Parameters<Ledger['streamTransfers']>[0]): AsyncIterable<readonly Transfer[]> {
  const limit = query.pageTransfers ?? STREAM_PAGE_TRANSFERS_MAX;
  if (!Number.isInteger(limit) || limit < 1 || limit > STREAM_PAGE_TRANSFERS_MAX) {
    throw new LedgerCallError(`pageTransfers must be an integer from 1 to ${STREAM_PAGE_TRANSFERS_MAX}`);
  }
  if (typeof query.fromTimestamp !== 'bigint' || typeof query.toTimestamp !== 'bigint') {
    throw new LedgerCallError('fromTimestamp and toTimestamp are bigint nanoseconds');
  }
  if (query.ledgers !== undefined && !(Array.isArray(query.ledgers) && query.ledgers.every((l) => typeof l === 'string'))) {
    throw new LedgerCallError('ledgers is a list of ledger names');
  }
  return pagesOfRange(store, {
    afterTimestamp: query.fromTimestamp - 1n,
    toTimestamp: query.toTimestamp,
    ledgers: query.ledgers ?? null,
    accountId: query.accountId ?? null,
    limit,
  });
}

/** Keyset pages of a range until one comes back short; an empty range gives no page at all. */
async function* pagesOfRange(store: Pick<LedgerStore, 'transfersInRange'>, first: TransfersInRangeQuery): AsyncGenerator<readonly Transfer[]> {
  let query = first;
  for (;;) {
    const page = await store.transfersInRange(query);
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (page.length < query.limit || last === undefined) return;
    query = { ...query, afterTimestamp: last.timestamp };
  }
}

/** What a health check reports of a ledger. */
export interface LedgerHealth {
  readonly engine: string;
  readonly lastTimestamp: string;
  readonly callsQueued: number;
}

/** A cheap check for `/health`: one real read (so a broken database file fails it) and the writer's state; a full verify is for operators and tests. */
export async function ledgerHealth(ledger: Ledger): Promise<LedgerHealth> {
  await ledger.lookupAccounts(['health-check']);
  const { engine, lastTimestamp, callsQueued } = ledger.status();
  return { engine, lastTimestamp: lastTimestamp.toString(), callsQueued };
}
