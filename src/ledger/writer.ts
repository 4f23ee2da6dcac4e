/**
 * The single writer with group commit (ADR 5): callers submit concurrently;
 * the writer takes every call waiting, up to `batchEventsMax` events, and
 * commits them in one database transaction, answering each caller only once
 * its batch is durable. While a batch commits, new calls queue and form the
 * next batch, so batches grow with the load, and an idle writer commits a lone
 * call at once, with no timer. It also releases expired holds: at the start of
 * every batch, and by a timer armed for the earliest expiry.
 */
import { LedgerCallError } from './errors.ts';
import { BATCH_EVENTS_MAX, CALL_EVENTS_MAX } from './limits.ts';
import { batchKeys, LedgerInvariantError, planBatch, type BatchOutcome, type BatchPlan, type BatchRequest } from './plan.ts';
import { LedgerCommitUnknownError, LedgerFencedError, type LedgerStore } from './store.ts';
import type { LedgerTimestamp } from './types.ts';

export interface Writer {
  /** Queues a call; resolves with its outcomes once its batch is durable. */
  submit(request: BatchRequest): Promise<BatchOutcome>;
  status(): { readonly lastTimestamp: LedgerTimestamp; readonly callsQueued: number };
  /** Refuses new calls, finishes the batches under way and stops the expiry timer; the store stays open. */
  close(): Promise<void>;
}

interface QueuedCall {
  readonly request: BatchRequest;
  readonly events: number;
  readonly resolve: (outcome: BatchOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** After a failed batch, how long the writer waits before releasing expired holds again. */
const EXPIRY_RETRY_DELAY_NS = 1_000_000_000n;

/** Largest delay `setTimeout` accepts, in milliseconds. */
const TIMER_DELAY_MS_MAX = 2 ** 31 - 1;

export async function startWriter(options: {
  readonly store: LedgerStore;
  readonly clock: () => LedgerTimestamp;
  readonly batchEventsMax?: number;
}): Promise<Writer> {
  const { store, clock } = options;
  const batchEventsMax = options.batchEventsMax ?? BATCH_EVENTS_MAX;
  if (!Number.isInteger(batchEventsMax) || batchEventsMax < 1 || batchEventsMax > BATCH_EVENTS_MAX) {
    throw new RangeError(`batchEventsMax must be an integer from 1 to ${BATCH_EVENTS_MAX}`);
  }
  let lastTimestamp = await store.lastTimestamp();
  let nextExpiry = await store.nextExpiry();
  const queue: QueuedCall[] = [];
  let draining: Promise<void> | null = null;
  let expiryTimer: NodeJS.Timeout | null = null;
  let closed = false;
  /** Set when this writer must never write again; every later call fails with it. */
  let stopped: Error | null = null;
  /** After a failed batch, holds are released no sooner than this. */
  let expiryRetryAfter = 0n;

  function submit(request: BatchRequest): Promise<BatchOutcome> {
    if (closed) return Promise.reject(new LedgerCallError('the ledger is closed'));
    if (stopped !== null) return Promise.reject(stopped);
    const events: unknown = request.kind === 'accounts' ? request.accounts : request.transfers;
    if (!Array.isArray(events)) return Promise.reject(new LedgerCallError('a call carries an array of events'));
    return enqueue(request, events);
  }

  function enqueue(request: BatchRequest, items: readonly unknown[]): Promise<BatchOutcome> {
    const events = items.length;
    if (events > CALL_EVENTS_MAX) {
      return Promise.reject(new LedgerCallError(`a call carries at most ${CALL_EVENTS_MAX} events, got ${events}`));
    }
    // Every field is checked by the rules, but an event that is not an object
    // would throw inside the batch and fail every call batched with this one.
    if (!items.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
      return Promise.reject(new LedgerCallError('every event of a call must be an object'));
    }
    return new Promise((resolve, reject) => {
      queue.push({ request, events, resolve, reject });
      startDraining();
    });
  }

  function startDraining(): void {
    if (draining !== null) return;
    // Yield once so that every call made in this turn of the event loop joins the batch.
    draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(drain)
      .finally(() => {
        draining = null;
        if (queue.length > 0) startDraining();
        else armExpiryTimer();
      });
  }

  async function drain(): Promise<void> {
    while ((queue.length > 0 || expiryDue()) && stopped === null) {
      // A failed batch has answered its callers; stop, so a broken database is
      // not retried in a tight loop. Queued calls start a new drain.
      if (!(await commit(takeBatch()))) break;
    }
    if (stopped !== null) for (const call of queue.splice(0)) call.reject(stopped);
  }

  /** Takes whole calls from the head of the queue, up to the batch's event limit. */
  function takeBatch(): QueuedCall[] {
    let events = 0;
    let end = 0;
    while (end < queue.length && (end === 0 || events + queue[end]!.events <= batchEventsMax)) {
      events += queue[end]!.events;
      end += 1;
    }
    return queue.splice(0, end);
  }

  function expiryDue(): boolean {
    const now = clock();
    return nextExpiry !== null && nextExpiry <= now && expiryRetryAfter <= now;
  }

  /** Commits one batch and answers its callers; false if the batch failed. */
  async function commit(batch: readonly QueuedCall[]): Promise<boolean> {
    const requests = batch.map((call) => call.request);
    const now = clock();
    const expireAtOrBefore = nextExpiry !== null && nextExpiry <= now ? now : null;
    let plan: BatchPlan;
    try {
      plan = await store.commitBatch(batchKeys(requests, expireAtOrBefore), (loaded) => {
        const planned = planBatch({ requests, loaded, now, lastTimestamp });
        return { writes: planned.writes, result: planned };
      });
    } catch (error) {
      for (const call of batch) call.reject(error);
      // A broken invariant is a bug, a fenced writer has lost the ledger,
      // and a commit of unknown outcome leaves its memory (account cache, known
      // ids) possibly wrong: in each case this writer must not write again.
      if (
        error instanceof LedgerInvariantError ||
        error instanceof LedgerFencedError ||
        error instanceof LedgerCommitUnknownError
      ) {
        stopped = error;
      }
      expiryRetryAfter = clock() + EXPIRY_RETRY_DELAY_NS;
      return false;
    }
    lastTimestamp = plan.lastTimestamp;
    batch.forEach((call, index) => call.resolve(plan.outcomes[index]!));
    if (plan.earliestNewExpiry !== null && (nextExpiry === null || plan.earliestNewExpiry < nextExpiry)) {
      nextExpiry = plan.earliestNewExpiry;
    }
    if (expireAtOrBefore !== null) {
      try {
        nextExpiry = await store.nextExpiry();
      } catch {
        expiryRetryAfter = clock() + EXPIRY_RETRY_DELAY_NS;
        return false;
      }
    }
    return true;
  }

  function armExpiryTimer(): void {
    if (expiryTimer !== null) clearTimeout(expiryTimer);
    expiryTimer = null;
    if (closed || stopped !== null || nextExpiry === null) return;
    const due = nextExpiry > expiryRetryAfter ? nextExpiry : expiryRetryAfter;
    const delayMs = Number((due - clock()) / 1_000_000n) + 1;
    expiryTimer = setTimeout(startDraining, Math.min(Math.max(delayMs, 0), TIMER_DELAY_MS_MAX));
    expiryTimer.unref();
  }

  // Holds may have lapsed, or lapse, while no call arrives: the timer must run from the start.
  armExpiryTimer();

  return {
    submit,
    status: () => ({ lastTimestamp, callsQueued: queue.length }),
    async close() {
      closed = true;
      if (expiryTimer !== null) clearTimeout(expiryTimer);
      while (draining !== null) await draining;
    },
  };
}
