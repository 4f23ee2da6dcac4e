/**
 * Merchant payouts (T+1, KRW): the payout run for a business day, the file
 * for the bank, and the bank's word on each payout. See README.md, "Payouts".
 *
 * Every step that moves money follows the payments' discipline: the decision
 * is durable in `acquirer.db` first (the run's rows, an attempt's outcome),
 * then the ledger is written under ids derived from the payout id and its
 * attempt, then the payout's state moves, all under the payout's lock. A crash
 * anywhere is repaired by running the same step again (`advanceOpen`, which
 * every run and every confirm or return starts with): the ledger answers
 * `exists` for what it already has.
 */
import type { Ledger, NewTransfer } from '../ledger/index.ts';
import { createKeyedLock } from '../platform/keyed-lock.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { businessDayEnd, businessDayOf, nextBusinessDay, parseBusinessDay, type BusinessDay } from './business-day.ts';
import { PAYOUT_ATTEMPTS_MAX, type ReturnPayoutInput } from './contract.ts';
import type { AcquirerError } from './errors.ts';
import { payoutConfirmTransfer, payoutFeeTransfer, payoutReturnTransfer, payoutSendTransfer, recordLinked, recordTransfer } from './money-moves.ts';
import { writePayoutFile, type PayoutFile } from './payout-file.ts';
import { planPayout } from './payout-plan.ts';
import type { PayoutFilter, PayoutStore } from './payout-store.ts';
import { canMove, PAYOUT_TRANSITIONS } from './state-machines.ts';
import type { MerchantId, Payout, PayoutAttempt, PayoutCarryForward, PayoutId, PayoutRun, PayoutState } from './types.ts';

/** Attempts the runs send on their own; a payout returned on this attempt (or later) is held for the operator. */
export const PAYOUT_AUTO_ATTEMPTS_MAX = 3;
/** Payouts one pass of `advanceOpen` takes before it reads the next batch. */
export const PAYOUT_ADVANCE_BATCH_MAX = 500;
/** Batches one `advanceOpen` takes at most: a million payouts, far above one run's. */
export const PAYOUT_ADVANCE_BATCHES_MAX = 2_000;

export interface PayoutDetail {
  readonly payout: Payout;
  readonly attempts: readonly PayoutAttempt[];
}

export interface PayoutRunDetail {
  readonly run: PayoutRun;
  readonly payouts: readonly PayoutDetail[];
  readonly carriedForward: readonly PayoutCarryForward[];
  readonly file: PayoutFile;
}

export interface PayoutService {
  /** Creates the payouts for a business day that has ended, and sends them with the run's file; the same day again creates nothing and answers the run. */
  run(businessDay: string): Promise<Result<{ readonly created: boolean; readonly detail: PayoutRunDetail }, AcquirerError>>;
  getRun(businessDay: string): Promise<Result<PayoutRunDetail, AcquirerError>>;
  getPayout(payoutId: string): Promise<Result<PayoutDetail, AcquirerError>>;
  listPayouts(filter: PayoutFilter): Promise<Result<readonly PayoutDetail[], AcquirerError>>;
  /** The bank paid this attempt. Again for a confirmed attempt: the payout as it stands. */
  confirm(payoutId: string, attempt: number): Promise<Result<PayoutDetail, AcquirerError>>;
  /** The bank gave this attempt back: its money is owed to the merchant again; the next run re-sends it unless held. Again: the payout as it stands. */
  returnPayout(payoutId: string, input: ReturnPayoutInput): Promise<Result<PayoutDetail, AcquirerError>>;
  /** A held payout goes back to returned: the next run sends it again. */
  release(payoutId: string): Promise<Result<PayoutDetail, AcquirerError>>;
  /** Finishes every step the durable records ask for (send, book the bank's word); idempotent. */
  advanceOpen(): Promise<void>;
  /** What a merchant's entries not yet in a payout net to (negative: a shortfall carried forward). */
  unpaidNetKrw(merchantId: MerchantId): Promise<bigint>;
}

export interface PayoutServiceDeps {
  readonly store: PayoutStore;
  readonly ledger: Ledger;
  readonly now: () => Date;
}

/** The ledger transfers that send a scheduled payout: the fee with its first sending (or alone, when nothing is left to send), then the money. */
export function sendTransfers(payout: Payout): NewTransfer[] {
  const transfers: NewTransfer[] = [];
  if (payout.attempt <= 1 && payout.feeKrw > 0n) transfers.push(payoutFeeTransfer(payout));
  if (payout.amountKrw > 0n) transfers.push(payoutSendTransfer(payout));
  return transfers;
}

/** The value date of a run: the day after its business day, or the run's own day when it is made later (a bank pays no earlier than asked). */
export function valueDateOf(businessDay: BusinessDay, runAt: Date): BusinessDay {
  const next = nextBusinessDay(businessDay);
  const today = businessDayOf(runAt);
  return today > next ? today : next;
}

export function createPayoutService(deps: PayoutServiceDeps): PayoutService {
  const { store, ledger, now } = deps;
  const lock = createKeyedLock();
  const at = (): string => now().toISOString();

  async function move(payout: Payout, to: PayoutState): Promise<Payout> {
    if (!canMove(PAYOUT_TRANSITIONS, payout.state, to)) throw new Error(`assertion failed: payout ${payout.payoutId} may move ${payout.state} → ${to}`);
    const moved = await store.movePayout(payout.payoutId, { from: payout.state, to, at: at() });
    // Under the payout's lock only another process could have moved it; the UPDATE refused, so read what it is.
    return moved ?? (await store.getPayout(payout.payoutId))!;
  }

  /** The next step the durable records ask for, if any. Run under the payout's lock. */
  async function advanceLocked(payoutId: PayoutId): Promise<Payout> {
    const payout = await store.getPayout(payoutId);
    if (payout === null) throw new Error(`assertion failed: payout ${payoutId} exists`);
    if (payout.state === 'scheduled') {
      await recordLinked(ledger, sendTransfers(payout));
      return move(payout, payout.amountKrw > 0n ? 'sent' : 'confirmed');
    }
    if (payout.state !== 'sent') return payout;
    const attempt = await store.getAttempt(payout.payoutId, payout.attempt);
    if (attempt === null) throw new Error(`assertion failed: sent payout ${payoutId} has its attempt ${payout.attempt}`);
    switch (attempt.outcome) {
      case 'pending':
        return payout;
      case 'confirmed':
        await recordTransfer(ledger, payoutConfirmTransfer(payout));
        return move(payout, 'confirmed');
      case 'returned':
        await recordTransfer(ledger, payoutReturnTransfer(payout));
        return move(payout, attempt.hold ? 'held' : 'returned');
    }
  }

  async function detailOf(payout: Payout): Promise<PayoutDetail> {
    return { payout, attempts: await store.attemptsOf(payout.payoutId) };
  }

  async function runDetail(run: PayoutRun): Promise<PayoutRunDetail> {
    const payouts = await Promise.all((await store.payoutsOfRun(run.businessDay)).map(detailOf));
    return { run, payouts, carriedForward: await store.carryForwardsOfRun(run.businessDay), file: writePayoutFile(run, await store.attemptsOfRun(run.businessDay)) };
  }

  async function advanceOpen(): Promise<void> {
    for (let batch = 0; batch < PAYOUT_ADVANCE_BATCHES_MAX; batch++) {
      const due = await store.payoutsToAdvance(PAYOUT_ADVANCE_BATCH_MAX);
      for (const payout of due) await lock.run(payout.payoutId, () => advanceLocked(payout.payoutId));
      if (due.length < PAYOUT_ADVANCE_BATCH_MAX) return;
    }
  }

  /**
   * The bank's word on one attempt, under the payout's lock: finish any step
   * due first, answer a repeat with the payout as it stands, else record the
   * decision and book it.
   */
  async function decide(payoutId: string, attemptNumber: number, decision: { readonly outcome: 'confirmed' } | { readonly outcome: 'returned'; readonly reason: string; readonly hold: boolean | undefined }): Promise<Result<PayoutDetail, AcquirerError>> {
    const found = await store.getPayout(payoutId);
    if (found === null) return err({ kind: 'not-found', what: 'payout' });
    return lock.run(found.payoutId, async () => {
      const payout = await advanceLocked(found.payoutId);
      const attempt = await store.getAttempt(payout.payoutId, attemptNumber);
      if (attempt === null) return err({ kind: 'not-found', what: 'payout attempt' });
      const wanted = decision.outcome;
      if (attempt.outcome === wanted) return ok(await detailOf(payout));
      if (attempt.outcome !== 'pending' || payout.state !== 'sent' || payout.attempt !== attemptNumber) {
        return err({ kind: 'payout-invalid-state', payoutId: payout.payoutId, state: payout.state, attempt: attemptNumber, outcome: attempt.outcome === 'pending' ? null : attempt.outcome, wanted });
      }
      const hold = decision.outcome === 'returned' && (decision.hold === true || attemptNumber >= PAYOUT_AUTO_ATTEMPTS_MAX);
      const recorded = await store.decideAttempt(payout.payoutId, attemptNumber, decision.outcome === 'confirmed' ? decision : { outcome: 'returned', reason: decision.reason, hold }, at());
      if (!recorded) throw new Error(`assertion failed: attempt ${attemptNumber} of ${payout.payoutId} was pending under its lock`);
      return ok(await detailOf(await advanceLocked(payout.payoutId)));
    });
  }

  return {
    async run(text) {
      const day = parseBusinessDay(text);
      if (!day.ok) return err({ kind: 'invalid-business-day', message: `businessDay: ${day.error}` });
      const endsAt = businessDayEnd(day.value);
      const runAt = now();
      if (runAt.getTime() < endsAt.getTime()) return err({ kind: 'business-day-not-over', businessDay: day.value, endsAt: endsAt.toISOString() });
      const { created, run } = await store.createRun(
        { businessDay: day.value, valueDate: valueDateOf(day.value, runAt), endsAt: endsAt.toISOString(), at: runAt.toISOString() },
        planPayout,
      );
      await advanceOpen();
      return ok({ created, detail: await runDetail(run) });
    },

    async getRun(text) {
      const day = parseBusinessDay(text);
      if (!day.ok) return err({ kind: 'invalid-business-day', message: `businessDay: ${day.error}` });
      const run = await store.getRun(day.value);
      return run === null ? err({ kind: 'not-found', what: 'payout run' }) : ok(await runDetail(run));
    },

    async getPayout(payoutId) {
      const payout = await store.getPayout(payoutId);
      return payout === null ? err({ kind: 'not-found', what: 'payout' }) : ok(await detailOf(payout));
    },

    async listPayouts(filter) {
      if (filter.businessDay !== undefined) {
        const day = parseBusinessDay(filter.businessDay);
        if (!day.ok) return err({ kind: 'invalid-business-day', message: `businessDay: ${day.error}` });
      }
      return ok(await Promise.all((await store.listPayouts(filter)).map(detailOf)));
    },

    confirm: (payoutId, attempt) => decide(payoutId, attempt, { outcome: 'confirmed' }),
    returnPayout: (payoutId, input) => decide(payoutId, input.attempt, { outcome: 'returned', reason: input.reason, hold: input.hold }),

    async release(payoutId) {
      const found = await store.getPayout(payoutId);
      if (found === null) return err({ kind: 'not-found', what: 'payout' });
      return lock.run(found.payoutId, async () => {
        const payout = await advanceLocked(found.payoutId);
        if (payout.state === 'returned') return ok(await detailOf(payout));
        if (payout.state !== 'held') return err({ kind: 'payout-invalid-state', payoutId: payout.payoutId, state: payout.state, attempt: payout.attempt, outcome: null, wanted: 'released' });
        if (payout.attempt >= PAYOUT_ATTEMPTS_MAX) return err({ kind: 'payout-attempts-exhausted', payoutId: payout.payoutId, attemptsMax: PAYOUT_ATTEMPTS_MAX });
        return ok(await detailOf(await move(payout, 'returned')));
      });
    },

    advanceOpen,
    unpaidNetKrw: (merchantId) => store.unpaidNetKrw(merchantId),
  };
}
