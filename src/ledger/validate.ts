/**
 * Stateless checks of what a client submits: everything that can be decided
 * without reading the database. Inputs may come straight from JSON, so every
 * field is checked for its runtime type as well as its range.
 */
import {
  AMOUNT_MAX,
  CODE_MAX,
  CODE_MIN,
  ID_LENGTH_MAX,
  ID_PATTERN,
  LEDGER_PATTERN,
  PENDING_TIMEOUT_SECONDS_MAX,
  USER_DATA_LENGTH_MAX,
} from './limits.ts';
import type {
  AccountFlags,
  CreateAccountResult,
  CreateTransferResult,
  NewAccount,
  NewTransfer,
  TransferFlags,
} from './types.ts';

const TRANSFER_FLAG_NAMES: readonly (keyof TransferFlags)[] = [
  'linked',
  'pending',
  'postPendingTransfer',
  'voidPendingTransfer',
  'closingDebit',
  'closingCredit',
];
const ACCOUNT_FLAG_NAMES: readonly (keyof AccountFlags)[] = [
  'debitsMustNotExceedCredits',
  'creditsMustNotExceedDebits',
];

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= ID_LENGTH_MAX && ID_PATTERN.test(id);
}

export function isValidLedger(ledger: unknown): ledger is string {
  return typeof ledger === 'string' && LEDGER_PATTERN.test(ledger);
}

export function isValidCode(code: unknown): code is number {
  return typeof code === 'number' && Number.isInteger(code) && code >= CODE_MIN && code <= CODE_MAX;
}

function isValidUserData(userData: unknown): boolean {
  return userData === undefined || (typeof userData === 'string' && userData.length <= USER_DATA_LENGTH_MAX);
}

function isValidAmount(amount: unknown): amount is bigint {
  return typeof amount === 'bigint' && amount >= 0n && amount <= AMOUNT_MAX;
}

/** Reads a flags object, refusing unknown names and non-boolean values; null when malformed. */
function readFlags<K extends string>(raw: unknown, names: readonly K[]): Record<K, boolean> | null {
  const flags = Object.fromEntries(names.map((name) => [name, false])) as Record<K, boolean>;
  if (raw === undefined) return flags;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  for (const [name, value] of Object.entries(raw)) {
    if (!(names as readonly string[]).includes(name)) return null;
    if (value === undefined) continue;
    if (typeof value !== 'boolean') return null;
    flags[name as K] = value;
  }
  return flags;
}

// Most events carry no flags: they share one frozen record instead of each
// allocating its own (this is on the path of every transfer).
const NO_TRANSFER_FLAGS: TransferFlags = Object.freeze(readFlags(undefined, TRANSFER_FLAG_NAMES)!);
const NO_ACCOUNT_FLAGS: Omit<AccountFlags, 'closed'> = Object.freeze(readFlags(undefined, ACCOUNT_FLAG_NAMES)!);

export function readTransferFlags(raw: unknown): TransferFlags | null {
  return raw === undefined ? NO_TRANSFER_FLAGS : readFlags(raw, TRANSFER_FLAG_NAMES);
}

export function readAccountFlags(raw: unknown): Omit<AccountFlags, 'closed'> | null {
  return raw === undefined ? NO_ACCOUNT_FLAGS : readFlags(raw, ACCOUNT_FLAG_NAMES);
}

/** Checks a transfer on its own; `ok` means it may now be checked against the ledger's state. */
export function validateTransfer(t: NewTransfer, flags: TransferFlags | null): CreateTransferResult {
  if (!isValidId(t.id)) return 'id-invalid';
  if (flags === null) return 'flags-invalid';
  const kinds = Number(flags.pending) + Number(flags.postPendingTransfer) + Number(flags.voidPendingTransfer);
  if (kinds > 1) return 'flags-are-mutually-exclusive';
  if ((flags.closingDebit || flags.closingCredit) && !flags.pending) return 'closing-transfer-must-be-pending';
  if (!isValidUserData(t.userData)) return 'user-data-invalid';
  return flags.postPendingTransfer || flags.voidPendingTransfer
    ? validateResolvingTransfer(t)
    : validateNewMovement(t, flags);
}

function validateNewMovement(t: NewTransfer, flags: TransferFlags): CreateTransferResult {
  if (t.pendingId !== undefined) return 'pending-id-must-be-empty';
  if (!isValidId(t.debitAccountId)) return 'debit-account-id-invalid';
  if (!isValidId(t.creditAccountId)) return 'credit-account-id-invalid';
  if (t.debitAccountId === t.creditAccountId) return 'accounts-must-be-different';
  if (t.timeoutSeconds !== undefined) {
    if (!flags.pending && t.timeoutSeconds !== 0) return 'timeout-reserved-for-pending-transfer';
    if (!isValidTimeout(t.timeoutSeconds)) return 'timeout-invalid';
  }
  if (!isValidLedger(t.ledger)) return 'ledger-invalid';
  if (!isValidCode(t.code)) return 'code-invalid';
  if (!isValidAmount(t.amount)) return 'amount-invalid';
  if (t.amount === 0n) return 'amount-must-not-be-zero';
  return 'ok';
}

/** A post or void names its pending transfer; every other field is optional and, if given, must match it. */
function validateResolvingTransfer(t: NewTransfer): CreateTransferResult {
  if (!isValidId(t.pendingId)) return 'pending-id-invalid';
  if (t.pendingId === t.id) return 'pending-id-must-be-different';
  if (t.timeoutSeconds !== undefined && t.timeoutSeconds !== 0) return 'timeout-reserved-for-pending-transfer';
  if (t.debitAccountId !== undefined && !isValidId(t.debitAccountId)) return 'debit-account-id-invalid';
  if (t.creditAccountId !== undefined && !isValidId(t.creditAccountId)) return 'credit-account-id-invalid';
  if (t.debitAccountId !== undefined && t.debitAccountId === t.creditAccountId) return 'accounts-must-be-different';
  if (t.ledger !== undefined && !isValidLedger(t.ledger)) return 'ledger-invalid';
  if (t.code !== undefined && !isValidCode(t.code)) return 'code-invalid';
  if (t.amount !== undefined) {
    if (!isValidAmount(t.amount)) return 'amount-invalid';
    if (t.amount === 0n) return 'amount-must-not-be-zero';
  }
  return 'ok';
}

function isValidTimeout(timeoutSeconds: unknown): boolean {
  return (
    typeof timeoutSeconds === 'number' &&
    Number.isInteger(timeoutSeconds) &&
    timeoutSeconds >= 0 &&
    timeoutSeconds <= PENDING_TIMEOUT_SECONDS_MAX
  );
}

export function validateAccount(a: NewAccount, flags: Omit<AccountFlags, 'closed'> | null): CreateAccountResult {
  if (!isValidId(a.id)) return 'id-invalid';
  if (!isValidLedger(a.ledger)) return 'ledger-invalid';
  if (!isValidCode(a.code)) return 'code-invalid';
  if (flags === null) return 'flags-invalid';
  if (flags.debitsMustNotExceedCredits && flags.creditsMustNotExceedDebits) return 'flags-are-mutually-exclusive';
  if (!isValidUserData(a.userData)) return 'user-data-invalid';
  return 'ok';
}
