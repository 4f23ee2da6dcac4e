/**
 * A reference model of the ledger, for the property test (STYLE 23): the
 * rules written a second time, as plainly as possible, from the documentation
 * in `types.ts` and TigerBeetle's semantics, without reading `plan.ts` or
 * `validate.ts`. Everything lives in maps in memory; a linked chain runs on a
 * copy of the state that is kept only if the whole chain succeeds.
 *
 * The model knows nothing of timestamps beyond "now": a hold with a timeout
 * expires once the clock reaches its creation time plus the timeout, and the
 * ledger releases every expired hold before anything else in a batch.
 */
import { CODE_MAX, CODE_MIN, ID_LENGTH_MAX, ID_PATTERN, LEDGER_PATTERN, NANOSECONDS_PER_SECOND } from './limits.ts';
import type {
  AccountFlags,
  CreateAccountResult,
  CreateTransferResult,
  NewAccount,
  NewTransfer,
  PendingState,
  TransferFlags,
} from './types.ts';

export interface ModelAccount {
  readonly id: string;
  readonly ledger: string;
  readonly code: number;
  flags: AccountFlags;
  readonly userData: string | null;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

export interface ModelTransfer {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amount: bigint;
  readonly pendingId: string | null;
  readonly ledger: string;
  readonly code: number;
  readonly flags: TransferFlags;
  readonly timeoutSeconds: number;
  readonly userData: string | null;
}

interface Hold {
  state: PendingState;
  /** Model time at which the hold lapses; null for a hold without a timeout. */
  readonly expiresAt: bigint | null;
}

interface State {
  readonly accounts: Map<string, ModelAccount>;
  readonly transfers: Map<string, ModelTransfer>;
  readonly holds: Map<string, Hold>;
  /** Ids refused for the ledger's state, with the first refusal: a retry gets the same answer. */
  readonly failures: Map<string, CreateTransferResult>;
}

const NO_FLAGS: TransferFlags = {
  linked: false,
  pending: false,
  postPendingTransfer: false,
  voidPendingTransfer: false,
  closingDebit: false,
  closingCredit: false,
};

export class LedgerModel {
  #state: State;

  constructor(state?: State) {
    this.#state = state ?? { accounts: new Map(), transfers: new Map(), holds: new Map(), failures: new Map() };
  }

  /** An independent copy, to try a call out before submitting it. */
  clone(): LedgerModel {
    return new LedgerModel(copyState(this.#state));
  }

  account(id: string): ModelAccount | undefined {
    return this.#state.accounts.get(id);
  }

  transfer(id: string): ModelTransfer | undefined {
    return this.#state.transfers.get(id);
  }

  holdState(id: string): PendingState | undefined {
    return this.#state.holds.get(id)?.state;
  }

  failure(id: string): CreateTransferResult | undefined {
    return this.#state.failures.get(id);
  }

  /** Releases every hold whose timeout has passed at `now`: what each batch does first. */
  releaseExpired(now: bigint): void {
    for (const [id, hold] of this.#state.holds) {
      if (hold.state !== 'pending' || hold.expiresAt === null || hold.expiresAt > now) continue;
      this.#release(this.#state, this.#state.transfers.get(id)!, 'expired');
    }
  }

  createAccounts(now: bigint, accounts: readonly NewAccount[]): CreateAccountResult[] {
    this.releaseExpired(now);
    return accounts.map((a) => this.#createAccount(a));
  }

  #createAccount(a: NewAccount): CreateAccountResult {
    const debitsLimited = a.flags?.debitsMustNotExceedCredits ?? false;
    const creditsLimited = a.flags?.creditsMustNotExceedDebits ?? false;
    if (!validId(a.id)) return 'id-invalid';
    if (!LEDGER_PATTERN.test(a.ledger)) return 'ledger-invalid';
    if (!validCode(a.code)) return 'code-invalid';
    if (debitsLimited && creditsLimited) return 'flags-are-mutually-exclusive';
    const existing = this.#state.accounts.get(a.id);
    if (existing !== undefined) {
      if (existing.ledger !== a.ledger) return 'exists-with-different-ledger';
      if (existing.code !== a.code) return 'exists-with-different-code';
      if (
        existing.flags.debitsMustNotExceedCredits !== debitsLimited ||
        existing.flags.creditsMustNotExceedDebits !== creditsLimited
      ) {
        return 'exists-with-different-flags';
      }
      if (existing.userData !== (a.userData ?? null)) return 'exists-with-different-user-data';
      return 'exists';
    }
    this.#state.accounts.set(a.id, {
      id: a.id,
      ledger: a.ledger,
      code: a.code,
      flags: { debitsMustNotExceedCredits: debitsLimited, creditsMustNotExceedDebits: creditsLimited, closed: false },
      userData: a.userData ?? null,
      debitsPending: 0n,
      debitsPosted: 0n,
      creditsPending: 0n,
      creditsPosted: 0n,
    });
    return 'ok';
  }

  /**
   * One call: events in order, a run of `linked` events and the event after it
   * forming a chain that succeeds or fails whole.
   */
  createTransfers(now: bigint, transfers: readonly NewTransfer[]): CreateTransferResult[] {
    this.releaseExpired(now);
    const results: CreateTransferResult[] = [];
    let start = 0;
    while (start < transfers.length) {
      let end = start;
      while (end < transfers.length - 1 && isLinked(transfers[end]!)) end += 1;
      const chain = transfers.slice(start, end + 1);
      results.push(...(chain.length === 1 && !isLinked(chain[0]!) ? [this.#single(now, chain[0]!)] : this.#chain(now, chain)));
      start = end + 1;
    }
    return results;
  }

  #single(now: bigint, t: NewTransfer): CreateTransferResult {
    const result = this.#apply(this.#state, now, t);
    this.#rememberFailure(t, result);
    return result;
  }

  /** A chain whose last event is still linked never closes: that event fails, and with it the chain. */
  #chain(now: bigint, chain: readonly NewTransfer[]): CreateTransferResult[] {
    const trial = copyState(this.#state);
    const results: CreateTransferResult[] = [];
    let failedAt: number | null = null;
    for (let i = 0; i < chain.length; i += 1) {
      const t = chain[i]!;
      const result = i === chain.length - 1 && isLinked(t) ? 'linked-event-chain-open' : this.#apply(trial, now, t);
      results.push(result);
      if (result !== 'ok' && result !== 'exists') {
        failedAt = i;
        break;
      }
    }
    if (failedAt === null) {
      this.#state = trial;
      return results;
    }
    const outcome = chain.map((_, i) => (i === failedAt ? results[i]! : 'linked-event-failed'));
    chain.forEach((t, i) => this.#rememberFailure(t, outcome[i]!));
    return outcome;
  }

  /**
   * An id refused for the ledger's state stays refused (TigerBeetle). An event
   * refused on its own, or for its chain, leaves nothing behind: corrected, it
   * may be sent again under the same id. An id that names a transfer keeps it.
   *
   * An `exists-with-different-*` answer compares the event with a transfer of
   * its id, so it is never remembered either: usually that transfer is
   * recorded, but in a chain it may be one an earlier event of the same chain
   * created, which the chain's failure then undid, leaving the id unused.
   */
  #rememberFailure(t: NewTransfer, result: CreateTransferResult): void {
    if (result === 'ok' || result === 'exists' || result === 'linked-event-failed' || result === 'linked-event-chain-open') return;
    if (result.startsWith('exists-with-different-')) return;
    if (validate(t, flagsOf(t)) !== 'ok') return;
    if (this.#state.transfers.has(t.id) || this.#state.failures.has(t.id)) return;
    this.#state.failures.set(t.id, result);
  }

  #apply(state: State, now: bigint, t: NewTransfer): CreateTransferResult {
    const flags = flagsOf(t);
    const invalid = validate(t, flags);
    if (invalid !== 'ok') return invalid;
    const existing = state.transfers.get(t.id);
    if (existing !== undefined) return compare(state, t, flags, existing);
    const failed = state.failures.get(t.id);
    if (failed !== undefined) return failed;
    return flags.postPendingTransfer || flags.voidPendingTransfer
      ? this.#resolve(state, t, flags)
      : this.#move(state, now, t, flags);
  }

  #move(state: State, now: bigint, t: NewTransfer, flags: TransferFlags): CreateTransferResult {
    const amount = t.amount!;
    const debit = state.accounts.get(t.debitAccountId!);
    if (debit === undefined) return 'debit-account-not-found';
    const credit = state.accounts.get(t.creditAccountId!);
    if (credit === undefined) return 'credit-account-not-found';
    if (debit.ledger !== t.ledger || credit.ledger !== t.ledger) return 'ledger-mismatch';
    if (debit.flags.closed) return 'debit-account-already-closed';
    if (credit.flags.closed) return 'credit-account-already-closed';
    // Amounts stay small in the property test, so the 64-bit overflow checks never apply here.
    if (debit.flags.debitsMustNotExceedCredits && debit.debitsPending + debit.debitsPosted + amount > debit.creditsPosted) {
      return 'exceeds-credits';
    }
    if (credit.flags.creditsMustNotExceedDebits && credit.creditsPending + credit.creditsPosted + amount > credit.debitsPosted) {
      return 'exceeds-debits';
    }
    const timeoutSeconds = flags.pending ? (t.timeoutSeconds ?? 0) : 0;
    state.transfers.set(t.id, {
      id: t.id,
      debitAccountId: debit.id,
      creditAccountId: credit.id,
      amount,
      pendingId: null,
      ledger: t.ledger!,
      code: t.code!,
      flags,
      timeoutSeconds,
      userData: t.userData ?? null,
    });
    if (!flags.pending) {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
      return 'ok';
    }
    debit.debitsPending += amount;
    credit.creditsPending += amount;
    if (flags.closingDebit) debit.flags = { ...debit.flags, closed: true };
    if (flags.closingCredit) credit.flags = { ...credit.flags, closed: true };
    const expiresAt = timeoutSeconds === 0 ? null : now + BigInt(timeoutSeconds) * NANOSECONDS_PER_SECOND;
    state.holds.set(t.id, { state: 'pending', expiresAt });
    return 'ok';
  }

  /** A post or void: the fields it gives must match the hold, the hold must still be pending. */
  #resolve(state: State, t: NewTransfer, flags: TransferFlags): CreateTransferResult {
    const p = state.transfers.get(t.pendingId!);
    if (p === undefined) return 'pending-transfer-not-found';
    if (!p.flags.pending) return 'pending-transfer-not-pending';
    if (t.debitAccountId !== undefined && t.debitAccountId !== p.debitAccountId) {
      return 'pending-transfer-has-different-debit-account-id';
    }
    if (t.creditAccountId !== undefined && t.creditAccountId !== p.creditAccountId) {
      return 'pending-transfer-has-different-credit-account-id';
    }
    if (t.ledger !== undefined && t.ledger !== p.ledger) return 'pending-transfer-has-different-ledger';
    if (t.code !== undefined && t.code !== p.code) return 'pending-transfer-has-different-code';
    // Too much is too much for a post and a void alike; a void takes the whole hold or names its amount.
    const amount = t.amount ?? p.amount;
    if (amount > p.amount) return 'exceeds-pending-transfer-amount';
    if (flags.voidPendingTransfer && amount !== p.amount) return 'pending-transfer-has-different-amount';
    const hold = state.holds.get(p.id)!;
    if (hold.state === 'posted') return 'pending-transfer-already-posted';
    if (hold.state === 'voided') return 'pending-transfer-already-voided';
    if (hold.state === 'expired') return 'pending-transfer-expired';
    // Voiding is the only movement a closed account allows; a post may go
    // through only where the account was closed by the hold being posted.
    if (flags.postPendingTransfer) {
      if (state.accounts.get(p.debitAccountId)!.flags.closed && !p.flags.closingDebit) return 'debit-account-already-closed';
      if (state.accounts.get(p.creditAccountId)!.flags.closed && !p.flags.closingCredit) return 'credit-account-already-closed';
    }
    state.transfers.set(t.id, {
      id: t.id,
      debitAccountId: p.debitAccountId,
      creditAccountId: p.creditAccountId,
      amount,
      pendingId: p.id,
      ledger: p.ledger,
      code: p.code,
      flags,
      timeoutSeconds: 0,
      userData: t.userData ?? null,
    });
    this.#release(state, p, flags.postPendingTransfer ? 'posted' : 'voided');
    if (flags.postPendingTransfer) {
      state.accounts.get(p.debitAccountId)!.debitsPosted += amount;
      state.accounts.get(p.creditAccountId)!.creditsPosted += amount;
    }
    return 'ok';
  }

  /** Ends a hold: its amount leaves the pending columns; unless posted, what it closed reopens. */
  #release(state: State, p: ModelTransfer, to: 'posted' | 'voided' | 'expired'): void {
    const debit = state.accounts.get(p.debitAccountId)!;
    const credit = state.accounts.get(p.creditAccountId)!;
    debit.debitsPending -= p.amount;
    credit.creditsPending -= p.amount;
    if (to !== 'posted' && p.flags.closingDebit) debit.flags = { ...debit.flags, closed: false };
    if (to !== 'posted' && p.flags.closingCredit) credit.flags = { ...credit.flags, closed: false };
    state.holds.get(p.id)!.state = to;
  }
}

function copyState(state: State): State {
  const accounts = new Map<string, ModelAccount>();
  for (const [id, a] of state.accounts) accounts.set(id, { ...a });
  const holds = new Map<string, Hold>();
  for (const [id, h] of state.holds) holds.set(id, { ...h });
  return { accounts, transfers: new Map(state.transfers), holds, failures: new Map(state.failures) };
}

function isLinked(t: NewTransfer): boolean {
  return t.flags?.linked === true;
}

function flagsOf(t: NewTransfer): TransferFlags {
  const given = Object.entries(t.flags ?? {}).filter(([, value]) => value !== undefined);
  return { ...NO_FLAGS, ...Object.fromEntries(given) };
}

function validId(id: unknown): boolean {
  return typeof id === 'string' && id.length >= 1 && id.length <= ID_LENGTH_MAX && ID_PATTERN.test(id);
}

function validCode(code: unknown): boolean {
  return typeof code === 'number' && Number.isInteger(code) && code >= CODE_MIN && code <= CODE_MAX;
}

/**
 * What can be refused without looking at the ledger. The test generates at
 * most one fault per transfer, so the order of these checks is not under test.
 */
function validate(t: NewTransfer, flags: TransferFlags): CreateTransferResult {
  if (!validId(t.id)) return 'id-invalid';
  if (Number(flags.pending) + Number(flags.postPendingTransfer) + Number(flags.voidPendingTransfer) > 1) {
    return 'flags-are-mutually-exclusive';
  }
  if ((flags.closingDebit || flags.closingCredit) && !flags.pending) return 'closing-transfer-must-be-pending';
  const resolving = flags.postPendingTransfer || flags.voidPendingTransfer;
  if (resolving) {
    if (!validId(t.pendingId)) return 'pending-id-invalid';
    if (t.pendingId === t.id) return 'pending-id-must-be-different';
    if ((t.timeoutSeconds ?? 0) !== 0) return 'timeout-reserved-for-pending-transfer';
    if (t.amount === 0n) return 'amount-must-not-be-zero';
    return 'ok';
  }
  if (t.pendingId !== undefined) return 'pending-id-must-be-empty';
  if (!validId(t.debitAccountId)) return 'debit-account-id-invalid';
  if (!validId(t.creditAccountId)) return 'credit-account-id-invalid';
  if (t.debitAccountId === t.creditAccountId) return 'accounts-must-be-different';
  if (!flags.pending && (t.timeoutSeconds ?? 0) !== 0) return 'timeout-reserved-for-pending-transfer';
  if (t.ledger === undefined || !LEDGER_PATTERN.test(t.ledger)) return 'ledger-invalid';
  if (!validCode(t.code)) return 'code-invalid';
  if (t.amount === undefined || t.amount < 0n) return 'amount-invalid';
  if (t.amount === 0n) return 'amount-must-not-be-zero';
  return 'ok';
}

/**
 * A resubmitted id is `exists` only if it asks for what was recorded. A post
 * or void may leave out what it takes from its hold: the accounts, ledger and
 * code then match by construction, and a left-out amount asks for the hold's
 * whole amount (types.ts: "a post without an amount posts the full pending
 * amount"), so it matches only a post of the whole amount.
 */
function compare(state: State, t: NewTransfer, flags: TransferFlags, e: ModelTransfer): CreateTransferResult {
  const resolving = flags.postPendingTransfer || flags.voidPendingTransfer;
  const sameFlags = (Object.keys(NO_FLAGS) as (keyof TransferFlags)[]).every((name) => flags[name] === e.flags[name]);
  if (!sameFlags) return 'exists-with-different-flags';
  if ((t.pendingId ?? null) !== e.pendingId) return 'exists-with-different-pending-id';
  const hold = e.pendingId === null ? undefined : state.transfers.get(e.pendingId);
  const asked = <T>(given: T | undefined, fromHold: T): T | undefined => (resolving && given === undefined ? fromHold : given);
  if (asked(t.debitAccountId, e.debitAccountId) !== e.debitAccountId) return 'exists-with-different-debit-account-id';
  if (asked(t.creditAccountId, e.creditAccountId) !== e.creditAccountId) return 'exists-with-different-credit-account-id';
  if (asked(t.amount, hold?.amount) !== e.amount) return 'exists-with-different-amount';
  if (asked(t.ledger, e.ledger) !== e.ledger) return 'exists-with-different-ledger';
  if (asked(t.code, e.code) !== e.code) return 'exists-with-different-code';
  if ((t.timeoutSeconds ?? 0) !== e.timeoutSeconds) return 'exists-with-different-timeout';
  if ((t.userData ?? null) !== e.userData) return 'exists-with-different-user-data';
  return 'exists';
}
