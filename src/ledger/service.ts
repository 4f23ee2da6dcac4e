/**
 * The ledger's public API: writes go through the single writer with group
 * commit (`writer.ts`), reads straight to the store.
 */
import { LedgerCallError } from './errors.ts';
import { PAGE_TRANSFERS_MAX } from './limits.ts';
import type { LedgerStore } from './store.ts';
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
