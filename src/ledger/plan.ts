/**
 * The ledger's rules, as one pure function: given what a batch asks for and the
 * state it reads, compute every outcome and every row to write. No I/O here, so
 * the same rules serve the batched engine, the naive baseline and the tests,
 * and a database transaction only loads before and writes after (STYLE 19).
 */
import { AMOUNT_MAX, NANOSECONDS_PER_SECOND } from './limits.ts';
import type {
  Account,
  AccountId,
  AccountOutcome,
  CreateTransferResult,
  LedgerTimestamp,
  NewAccount,
  NewTransfer,
  PendingStatus,
  Transfer,
  TransferFlags,
  TransferId,
  TransferOutcome,
} from './types.ts';
import { isValidId, readAccountFlags, readTransferFlags, validateAccount, validateTransfer } from './validate.ts';

export type BatchRequest =
  | { readonly kind: 'accounts'; readonly accounts: readonly NewAccount[] }
  | { readonly kind: 'transfers'; readonly transfers: readonly NewTransfer[] };

export type BatchOutcome = readonly AccountOutcome[] | readonly TransferOutcome[];

/** What a batch must read before it can be planned. */
export interface BatchKeys {
  readonly accountIds: ReadonlySet<string>;
  /** Submitted transfer ids and the pending transfers they post or void. */
  readonly transferIds: ReadonlySet<string>;
  /** Load the pending transfers whose hold lapses at or before this time, to release them. */
  readonly expireAtOrBefore: LedgerTimestamp | null;
}

/** The state a batch reads; accounts include those of every loaded transfer. */
export interface LoadedState {
  readonly accounts: ReadonlyMap<string, Account>;
  readonly transfers: ReadonlyMap<string, Transfer>;
  readonly pendingStatuses: ReadonlyMap<string, PendingStatus>;
  readonly failures: ReadonlyMap<string, CreateTransferResult>;
  readonly dueExpiries: readonly Transfer[];
}

export interface PendingWrite extends PendingStatus {
  readonly id: TransferId;
}

export interface FailureWrite {
  readonly id: string;
  readonly result: CreateTransferResult;
  readonly timestamp: LedgerTimestamp;
}

/** Every row a batch writes, in final form. */
export interface BatchWrites {
  readonly accountsCreated: readonly Account[];
  readonly accountsUpdated: readonly Account[];
  readonly transfersCreated: readonly Transfer[];
  readonly pendingsCreated: readonly PendingWrite[];
  readonly pendingsUpdated: readonly PendingWrite[];
  readonly failuresCreated: readonly FailureWrite[];
}

export interface BatchPlan {
  readonly outcomes: readonly BatchOutcome[];
  readonly writes: BatchWrites;
  /** The last timestamp the batch assigned (the input one if it assigned none). */
  readonly lastTimestamp: LedgerTimestamp;
  /** The earliest expiry among holds this batch created, for the expiry timer. */
  readonly earliestNewExpiry: LedgerTimestamp | null;
  readonly expiredCount: number;
}

/** Lists what a batch must load: the ids it names and the pending transfers it resolves. */
export function batchKeys(requests: readonly BatchRequest[], expireAtOrBefore: LedgerTimestamp | null): BatchKeys {
  const accountIds = new Set<string>();
  const transferIds = new Set<string>();
  for (const request of requests) {
    if (request.kind === 'accounts') {
      for (const a of request.accounts) if (typeof a.id === 'string') accountIds.add(a.id);
      continue;
    }
    for (const t of request.transfers) {
      if (typeof t.id === 'string') transferIds.add(t.id);
      if (typeof t.pendingId === 'string') transferIds.add(t.pendingId);
      if (typeof t.debitAccountId === 'string') accountIds.add(t.debitAccountId);
      if (typeof t.creditAccountId === 'string') accountIds.add(t.creditAccountId);
    }
  }
  return { accountIds, transferIds, expireAtOrBefore };
}

type MutableAccount = { -readonly [K in keyof Account]: Account[K] };

/**
 * The working state of one batch. Reads fall through to what was loaded;
 * writes stay here until the plan is returned. A linked chain records how to
 * undo each change, so a failing chain leaves no trace.
 */
class Working {
  readonly accounts = new Map<string, MutableAccount>();
  readonly createdAccountIds = new Set<string>();
  /** Accounts whose balances or flags a change touched (a change undone by a failed chain may stay listed: rewriting equal values is harmless). */
  readonly changedAccountIds = new Set<string>();
  readonly transfers = new Map<string, Transfer>();
  readonly pendings = new Map<string, PendingStatus>();
  readonly createdPendingIds = new Set<string>();
  readonly failures = new Map<string, FailureWrite>();
  undoLog: (() => void)[] | null = null;
  earliestNewExpiry: LedgerTimestamp | null = null;
  readonly loaded: LoadedState;
  readonly now: LedgerTimestamp;
  timestamp: LedgerTimestamp;

  constructor(loaded: LoadedState, now: LedgerTimestamp, lastTimestamp: LedgerTimestamp) {
    this.loaded = loaded;
    this.now = now;
    this.timestamp = lastTimestamp;
  }

  /** The next ledger timestamp: the clock, or one past the last, whichever is later. */
  nextTimestamp(): LedgerTimestamp {
    this.timestamp = this.peekTimestamp();
    return this.timestamp;
  }

  /** What `nextTimestamp` would return, without taking it. */
  peekTimestamp(): LedgerTimestamp {
    return this.now > this.timestamp ? this.now : this.timestamp + 1n;
  }

  account(id: string): MutableAccount | undefined {
    let account = this.accounts.get(id);
    if (account !== undefined) return account;
    const loaded = this.loaded.accounts.get(id);
    if (loaded === undefined) return undefined;
    // Spelled out rather than spread: this runs for every account a batch
    // touches, and a literal of a fixed shape is several times faster.
    account = {
      id: loaded.id,
      ledger: loaded.ledger,
      code: loaded.code,
      flags: loaded.flags,
      userData: loaded.userData,
      debitsPending: loaded.debitsPending,
      debitsPosted: loaded.debitsPosted,
      creditsPending: loaded.creditsPending,
      creditsPosted: loaded.creditsPosted,
      timestamp: loaded.timestamp,
    };
    this.accounts.set(id, account);
    return account;
  }

  transfer(id: string): Transfer | undefined {
    return this.transfers.get(id) ?? this.loaded.transfers.get(id);
  }

  pending(id: string): PendingStatus | undefined {
    return this.pendings.get(id) ?? this.loaded.pendingStatuses.get(id);
  }

  failure(id: string): CreateTransferResult | undefined {
    return this.failures.get(id)?.result ?? this.loaded.failures.get(id);
  }

  /** Changes a balance column; inside a linked chain, remembers how to change it back. */
  addToBalance(account: MutableAccount, column: BalanceColumn, delta: bigint): void {
    const before = account[column];
    account[column] = before + delta;
    this.changedAccountIds.add(account.id);
    this.undoLog?.push(() => {
      account[column] = before;
    });
  }

  setClosed(account: MutableAccount, closed: boolean): void {
    const before = account.flags;
    account.flags = { ...before, closed };
    this.changedAccountIds.add(account.id);
    this.undoLog?.push(() => {
      account.flags = before;
    });
  }

  recordTransfer(transfer: Transfer): void {
    this.transfers.set(transfer.id, transfer);
    this.undoLog?.push(() => this.transfers.delete(transfer.id));
  }

  setPending(id: string, status: PendingStatus, created: boolean): void {
    const before = this.pendings.get(id);
    this.pendings.set(id, status);
    if (created) this.createdPendingIds.add(id);
    this.undoLog?.push(() => {
      if (before === undefined) this.pendings.delete(id);
      else this.pendings.set(id, before);
      if (created) this.createdPendingIds.delete(id);
    });
  }
}

type BalanceColumn = 'debitsPending' | 'debitsPosted' | 'creditsPending' | 'creditsPosted';

/**
 * Plans one batch: releases due holds first, then applies each request in
 * order, each event seeing the effects of the events before it.
 */
export function planBatch(input: {
  readonly requests: readonly BatchRequest[];
  readonly loaded: LoadedState;
  readonly now: LedgerTimestamp;
  readonly lastTimestamp: LedgerTimestamp;
}): BatchPlan {
  const work = new Working(input.loaded, input.now, input.lastTimestamp);
  let expiredCount = 0;
  for (const pending of input.loaded.dueExpiries) {
    if (expirePending(work, pending)) expiredCount += 1;
  }
  const outcomes = input.requests.map((request) =>
    request.kind === 'accounts' ? planAccounts(work, request.accounts) : planTransfers(work, request.transfers),
  );
  return {
    outcomes,
    writes: collectWrites(work),
    lastTimestamp: work.timestamp,
    earliestNewExpiry: work.earliestNewExpiry,
    expiredCount,
  };
}

function expirePending(work: Working, pending: Transfer): boolean {
  const status = work.pending(pending.id);
  if (status === undefined || status.state !== 'pending') return false;
  if (status.expiresAt === null || status.expiresAt > work.now) return false;
  const timestamp = work.nextTimestamp();
  releaseHold(work, pending, 'expired', timestamp);
  return true;
}

/** Takes a pending transfer's amount off both accounts' pending columns and reopens what it closed, unless posted. */
function releaseHold(work: Working, pending: Transfer, state: 'posted' | 'voided' | 'expired', at: LedgerTimestamp): void {
  const debit = work.account(pending.debitAccountId);
  const credit = work.account(pending.creditAccountId);
  assert(debit !== undefined && credit !== undefined, `accounts of pending transfer ${pending.id} must be loaded`);
  work.addToBalance(debit, 'debitsPending', -pending.amount);
  work.addToBalance(credit, 'creditsPending', -pending.amount);
  assert(debit.debitsPending >= 0n && credit.creditsPending >= 0n, 'pending balances must not go negative');
  if (state !== 'posted') {
    if (pending.flags.closingDebit) work.setClosed(debit, false);
    if (pending.flags.closingCredit) work.setClosed(credit, false);
  }
  const before = work.pending(pending.id);
  assert(before !== undefined, `pending status of ${pending.id} must be loaded`);
  work.setPending(pending.id, { state, expiresAt: before.expiresAt, resolvedTimestamp: at }, false);
}

function planAccounts(work: Working, accounts: readonly NewAccount[]): AccountOutcome[] {
  return accounts.map((a) => {
    const flags = readAccountFlags(a.flags);
    const invalid = validateAccount(a, flags);
    if (invalid !== 'ok' || flags === null) return { id: String(a.id), result: invalid, timestamp: null };
    const existing = work.account(a.id);
    if (existing !== undefined) {
      const result =
        existing.ledger !== a.ledger
          ? 'exists-with-different-ledger'
          : existing.code !== a.code
            ? 'exists-with-different-code'
            : existing.flags.debitsMustNotExceedCredits !== flags.debitsMustNotExceedCredits ||
                existing.flags.creditsMustNotExceedDebits !== flags.creditsMustNotExceedDebits
              ? 'exists-with-different-flags'
              : existing.userData !== (a.userData ?? null)
                ? 'exists-with-different-user-data'
                : 'exists';
      return { id: a.id, result, timestamp: result === 'exists' ? existing.timestamp : null };
    }
    const timestamp = work.nextTimestamp();
    work.accounts.set(a.id, {
      id: a.id as AccountId,
      ledger: a.ledger,
      code: a.code,
      flags: { ...flags, closed: false },
      userData: a.userData ?? null,
      debitsPending: 0n,
      debitsPosted: 0n,
      creditsPending: 0n,
      creditsPosted: 0n,
      timestamp,
    });
    work.createdAccountIds.add(a.id);
    return { id: a.id, result: 'ok', timestamp };
  });
}

/**
 * Applies one call's transfers. A linked chain runs with an undo log; when any
 * event of it fails, every change of the chain is undone and each other event
 * reports `linked-event-failed`.
 */
function planTransfers(work: Working, transfers: readonly NewTransfer[]): TransferOutcome[] {
  const outcomes: TransferOutcome[] = [];
  let chainStart: number | null = null;
  let chainFailed = false;
  for (let index = 0; index < transfers.length; index += 1) {
    const t = transfers[index]!;
    const flags = readTransferFlags(t.flags);
    const linked = flags?.linked === true;
    if (chainStart === null && linked) {
      chainStart = index;
      chainFailed = false;
      work.undoLog = [];
    }
    // An event takes its timestamp only if it records a transfer. A refused
    // event stores nothing, so after a restart the ledger would hand its
    // timestamp out again, changing a balance already reported as of it.
    const timestamp = work.peekTimestamp();
    let result: CreateTransferResult;
    if (chainStart !== null && chainFailed) result = 'linked-event-failed';
    else if (linked && index === transfers.length - 1) result = 'linked-event-chain-open';
    else result = applyTransfer(work, t, flags, timestamp);
    if (result === 'ok') {
      // A chain undone gives its timestamps back, as it stores nothing under them.
      const before = work.timestamp;
      work.timestamp = timestamp;
      work.undoLog?.push(() => {
        work.timestamp = before;
      });
    }
    outcomes.push({ id: String(t.id), result, timestamp: resultTimestamp(work, t, result) });
    if (chainStart !== null && !chainFailed && result !== 'ok' && result !== 'exists') {
      chainFailed = true;
      undoChain(work);
      for (let earlier = chainStart; earlier < index; earlier += 1) {
        outcomes[earlier] = { id: outcomes[earlier]!.id, result: 'linked-event-failed', timestamp: null };
        recordFailure(work, transfers[earlier]!, 'linked-event-failed');
      }
    }
    // After the undo, so that a failure that sticks takes a timestamp after the chain's restored one.
    recordFailure(work, t, result);
    if (!linked && chainStart !== null) {
      chainStart = null;
      work.undoLog = null;
    }
  }
  return outcomes;
}

function undoChain(work: Working): void {
  const log = work.undoLog;
  assert(log !== null, 'a chain must have an undo log');
  for (let i = log.length - 1; i >= 0; i -= 1) log[i]!();
  work.undoLog = [];
}

function resultTimestamp(work: Working, t: NewTransfer, result: CreateTransferResult): LedgerTimestamp | null {
  if (result !== 'ok' && result !== 'exists') return null;
  return work.transfer(t.id)?.timestamp ?? null;
}

/**
 * The failures that do not stick to an id, as TigerBeetle records only the
 * failures that depend on the ledger's state: those of the event on its own
 * (everything `validateTransfer` refuses) and the outcomes a chain gives its
 * other events. The client corrects the event, or the chain, and sends it
 * again under the same ids.
 *
 * Every failure not listed here sticks, so a result code added later sticks
 * until it is listed. That is the safe default: a stateless failure that
 * sticks only costs the client a new id, while a state-dependent one that did
 * not could succeed on a retry once the state changed (refused for want of
 * funds, then funded), the surprise STYLE 14 forbids.
 */
export const FAILURES_NOT_STICKY: ReadonlySet<CreateTransferResult> = new Set<CreateTransferResult>([
  'linked-event-failed',
  'linked-event-chain-open',
  'id-invalid',
  'flags-invalid',
  'flags-are-mutually-exclusive',
  'debit-account-id-invalid',
  'credit-account-id-invalid',
  'accounts-must-be-different',
  'pending-id-must-be-empty',
  'pending-id-invalid',
  'pending-id-must-be-different',
  'timeout-reserved-for-pending-transfer',
  'timeout-invalid',
  'closing-transfer-must-be-pending',
  'ledger-invalid',
  'code-invalid',
  'amount-invalid',
  'amount-must-not-be-zero',
  'user-data-invalid',
]);

/**
 * An id refused for the ledger's state stays refused: its first result is
 * stored and a retry returns it (STYLE 14), so a transfer refused for want of
 * funds cannot silently succeed later. Failures in `FAILURES_NOT_STICKY` are
 * not stored; an id already recorded keeps its record.
 */
function recordFailure(work: Working, t: NewTransfer, result: CreateTransferResult): void {
  if (result === 'ok' || result === 'exists' || FAILURES_NOT_STICKY.has(result)) return;
  if (result.startsWith('exists-with-different-')) return;
  // A sticky failure comes from the checks against the state, which run only on a valid event.
  assert(isValidId(t.id), `a failure that sticks (${result}) must have a valid id`);
  if (work.failure(t.id) !== undefined || work.transfer(t.id) !== undefined) return;
  work.failures.set(t.id, { id: t.id, result, timestamp: work.nextTimestamp() });
}

function applyTransfer(
  work: Working,
  t: NewTransfer,
  flags: TransferFlags | null,
  timestamp: LedgerTimestamp,
): CreateTransferResult {
  const invalid = validateTransfer(t, flags);
  if (invalid !== 'ok' || flags === null) return invalid;
  const existing = work.transfer(t.id);
  if (existing !== undefined) {
    const held = existing.pendingId === null ? undefined : work.transfer(existing.pendingId);
    return compareWithExisting(t, flags, existing, held?.amount ?? null);
  }
  const failed = work.failure(t.id);
  if (failed !== undefined) return failed;
  return flags.postPendingTransfer || flags.voidPendingTransfer
    ? resolvePending(work, t, flags, timestamp)
    : moveOrHold(work, t, flags, timestamp);
}

function moveOrHold(work: Working, t: NewTransfer, flags: TransferFlags, timestamp: LedgerTimestamp): CreateTransferResult {
  const amount = t.amount!;
  const debit = work.account(t.debitAccountId!);
  if (debit === undefined) return 'debit-account-not-found';
  const credit = work.account(t.creditAccountId!);
  if (credit === undefined) return 'credit-account-not-found';
  if (debit.ledger !== credit.ledger || debit.ledger !== t.ledger) return 'ledger-mismatch';
  if (debit.flags.closed) return 'debit-account-already-closed';
  if (credit.flags.closed) return 'credit-account-already-closed';
  const debitsTotal = debit.debitsPending + debit.debitsPosted + amount;
  const creditsTotal = credit.creditsPending + credit.creditsPosted + amount;
  if (debitsTotal > AMOUNT_MAX) return 'overflows-debits';
  if (creditsTotal > AMOUNT_MAX) return 'overflows-credits';
  if (debit.flags.debitsMustNotExceedCredits && debitsTotal > debit.creditsPosted) return 'exceeds-credits';
  if (credit.flags.creditsMustNotExceedDebits && creditsTotal > credit.debitsPosted) return 'exceeds-debits';

  const timeoutSeconds = flags.pending ? (t.timeoutSeconds ?? 0) : 0;
  work.recordTransfer({
    id: t.id as TransferId,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amount,
    pendingId: null,
    ledger: debit.ledger,
    code: t.code!,
    flags,
    timeoutSeconds,
    userData: t.userData ?? null,
    timestamp,
  });
  if (!flags.pending) {
    work.addToBalance(debit, 'debitsPosted', amount);
    work.addToBalance(credit, 'creditsPosted', amount);
    return 'ok';
  }
  work.addToBalance(debit, 'debitsPending', amount);
  work.addToBalance(credit, 'creditsPending', amount);
  if (flags.closingDebit) work.setClosed(debit, true);
  if (flags.closingCredit) work.setClosed(credit, true);
  const expiresAt = timeoutSeconds > 0 ? timestamp + BigInt(timeoutSeconds) * NANOSECONDS_PER_SECOND : null;
  work.setPending(t.id, { state: 'pending', expiresAt, resolvedTimestamp: null }, true);
  if (expiresAt !== null && (work.earliestNewExpiry === null || expiresAt < work.earliestNewExpiry)) {
    work.earliestNewExpiry = expiresAt;
  }
  return 'ok';
}

function resolvePending(work: Working, t: NewTransfer, flags: TransferFlags, timestamp: LedgerTimestamp): CreateTransferResult {
  const pending = work.transfer(t.pendingId!);
  if (pending === undefined) return 'pending-transfer-not-found';
  if (!pending.flags.pending) return 'pending-transfer-not-pending';
  if (t.debitAccountId !== undefined && t.debitAccountId !== pending.debitAccountId) {
    return 'pending-transfer-has-different-debit-account-id';
  }
  if (t.creditAccountId !== undefined && t.creditAccountId !== pending.creditAccountId) {
    return 'pending-transfer-has-different-credit-account-id';
  }
  if (t.ledger !== undefined && t.ledger !== pending.ledger) return 'pending-transfer-has-different-ledger';
  if (t.code !== undefined && t.code !== pending.code) return 'pending-transfer-has-different-code';
  // TigerBeetle's order: an amount above the hold is too much for a post and a
  // void alike; a void that names an amount must name the whole hold.
  const amount = t.amount ?? pending.amount;
  if (amount > pending.amount) return 'exceeds-pending-transfer-amount';
  if (flags.voidPendingTransfer && amount < pending.amount) return 'pending-transfer-has-different-amount';
  const status = work.pending(pending.id);
  assert(status !== undefined, `pending transfer ${pending.id} must have a status`);
  if (status.state === 'posted') return 'pending-transfer-already-posted';
  if (status.state === 'voided') return 'pending-transfer-already-voided';
  if (status.state === 'expired') return 'pending-transfer-expired';
  if (status.expiresAt !== null && status.expiresAt <= timestamp) return 'pending-transfer-expired';

  const debit = work.account(pending.debitAccountId);
  const credit = work.account(pending.creditAccountId);
  assert(debit !== undefined && credit !== undefined, `accounts of pending transfer ${pending.id} must be loaded`);
  if (flags.postPendingTransfer) {
    // Voiding is the only movement allowed in a closed account (TigerBeetle);
    // a closing hold may still be posted, which leaves its account closed.
    if (debit.flags.closed && !pending.flags.closingDebit) return 'debit-account-already-closed';
    if (credit.flags.closed && !pending.flags.closingCredit) return 'credit-account-already-closed';
    if (debit.debitsPosted + amount > AMOUNT_MAX) return 'overflows-debits';
    if (credit.creditsPosted + amount > AMOUNT_MAX) return 'overflows-credits';
  }
  work.recordTransfer({
    id: t.id as TransferId,
    debitAccountId: pending.debitAccountId,
    creditAccountId: pending.creditAccountId,
    amount,
    pendingId: pending.id,
    ledger: pending.ledger,
    code: pending.code,
    flags,
    timeoutSeconds: 0,
    userData: t.userData ?? null,
    timestamp,
  });
  releaseHold(work, pending, flags.postPendingTransfer ? 'posted' : 'voided', timestamp);
  if (flags.postPendingTransfer) {
    work.addToBalance(debit, 'debitsPosted', amount);
    work.addToBalance(credit, 'creditsPosted', amount);
  }
  return 'ok';
}

/**
 * A resubmitted id is `exists` only if it asks for exactly what was recorded;
 * otherwise the result names the first field that differs. The accounts,
 * ledger and code a post or void leaves out are its hold's, so they compare
 * equal when left out; a left-out amount asks for the hold's whole amount
 * (`heldAmount`), so it matches a post of the whole hold but not a partial one.
 */
function compareWithExisting(
  t: NewTransfer,
  flags: TransferFlags,
  e: Transfer,
  heldAmount: bigint | null,
): CreateTransferResult {
  const resolving = flags.postPendingTransfer || flags.voidPendingTransfer;
  if (!sameFlags(flags, e.flags)) return 'exists-with-different-flags';
  if ((t.pendingId ?? null) !== e.pendingId) return 'exists-with-different-pending-id';
  if (!(resolving && t.debitAccountId === undefined) && t.debitAccountId !== e.debitAccountId) {
    return 'exists-with-different-debit-account-id';
  }
  if (!(resolving && t.creditAccountId === undefined) && t.creditAccountId !== e.creditAccountId) {
    return 'exists-with-different-credit-account-id';
  }
  if (resolving && t.amount === undefined) {
    // Flags and pending id matched, so the hold is the one this call names, which the batch loaded.
    assert(heldAmount !== null, `the hold of ${e.id} must be loaded`);
    if (heldAmount !== e.amount) return 'exists-with-different-amount';
  } else if (t.amount !== e.amount) return 'exists-with-different-amount';
  if (!(resolving && t.ledger === undefined) && t.ledger !== e.ledger) return 'exists-with-different-ledger';
  if (!(resolving && t.code === undefined) && t.code !== e.code) return 'exists-with-different-code';
  if ((t.timeoutSeconds ?? 0) !== e.timeoutSeconds) return 'exists-with-different-timeout';
  if ((t.userData ?? null) !== e.userData) return 'exists-with-different-user-data';
  return 'exists';
}

function sameFlags(a: TransferFlags, b: TransferFlags): boolean {
  return (
    a.linked === b.linked &&
    a.pending === b.pending &&
    a.postPendingTransfer === b.postPendingTransfer &&
    a.voidPendingTransfer === b.voidPendingTransfer &&
    a.closingDebit === b.closingDebit &&
    a.closingCredit === b.closingCredit
  );
}

function collectWrites(work: Working): BatchWrites {
  const accountsCreated: Account[] = [];
  const accountsUpdated: Account[] = [];
  for (const id of work.createdAccountIds) accountsCreated.push(work.accounts.get(id)!);
  for (const id of work.changedAccountIds) {
    if (!work.createdAccountIds.has(id)) accountsUpdated.push(work.accounts.get(id)!);
  }
  const pendingsCreated: PendingWrite[] = [];
  const pendingsUpdated: PendingWrite[] = [];
  for (const [id, status] of work.pendings) {
    const write = { id: id as TransferId, ...status };
    if (work.createdPendingIds.has(id)) pendingsCreated.push(write);
    else pendingsUpdated.push(write);
  }
  return {
    accountsCreated,
    accountsUpdated,
    transfersCreated: [...work.transfers.values()],
    pendingsCreated,
    pendingsUpdated,
    failuresCreated: [...work.failures.values()],
  };
}

/** An invariant the ledger relies on; a failure is a bug, never caught (STYLE 11). */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LedgerInvariantError(message);
}

export class LedgerInvariantError extends Error {
  override name = 'LedgerInvariantError';
}
