/**
 * The baseline the benchmark compares against: one database transaction per
 * transfer, many clients at once, the way most teams write a ledger. It runs
 * the very same rules (`planBatch`) and store, so it does every check the
 * batched engine does (idempotency, flags, balances); only the commit
 * discipline differs. Not for production: its timestamps are unique but, with
 * concurrent clients, not guaranteed to follow commit order.
 */
import { batchKeys, planBatch } from './plan.ts';
import { systemClock } from './service.ts';
import type { LedgerStore } from './store.ts';
import type { LedgerTimestamp, NewTransfer, TransferOutcome } from './types.ts';

export interface NaiveLedger {
  createTransfer(transfer: NewTransfer): Promise<TransferOutcome>;
}

export async function createNaiveLedger(options: {
  readonly store: LedgerStore;
  readonly clock?: () => LedgerTimestamp;
}): Promise<NaiveLedger> {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  let lastTimestamp = await store.lastTimestamp();
  return {
    async createTransfer(transfer) {
      const requests = [{ kind: 'transfers', transfers: [transfer] }] as const;
      return store.commitBatch(batchKeys(requests, null), (loaded) => {
        const plan = planBatch({ requests, loaded, now: clock(), lastTimestamp });
        // Plans run one at a time (they are synchronous), so claiming the
        // timestamp here keeps concurrent transactions' timestamps unique.
        lastTimestamp = plan.lastTimestamp;
        return { writes: plan.writes, result: (plan.outcomes[0] as readonly TransferOutcome[])[0]! };
      });
    },
  };
}
