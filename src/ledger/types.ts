/**
 * The ledger's data model, after TigerBeetle's: accounts hold derived balances,
 * transfers are immutable, and a pending transfer is later posted, voided or
 * expires. Every amount is a non-negative bigint of minor units.
 */

declare const accountIdBrand: unique symbol;
declare const transferIdBrand: unique symbol;

/** A client-chosen account id (see `ID_LENGTH_MAX` and `ID_PATTERN`). */
export type AccountId = string & { readonly [accountIdBrand]: true };
/** A client-chosen transfer id: the idempotency key of the transfer. */
export type TransferId = string & { readonly [transferIdBrand]: true };

/**
 * A ledger timestamp: nanoseconds since the Unix epoch, assigned by the ledger,
 * strictly increasing across every event it records (accounts, transfers,
 * expiries).
 */
export type LedgerTimestamp = bigint;

export interface AccountFlags {
  /** The account may never be debited beyond its posted credits (an asset the holder owns, e.g. a wallet balance). */
  readonly debitsMustNotExceedCredits: boolean;
  /** The account may never be credited beyond its posted debits. */
  readonly creditsMustNotExceedDebits: boolean;
  /**
   * Closed by a pending closing transfer; voiding that transfer (or its
   * expiry) reopens it, posting it keeps it closed. A closed account moves no
   * money but by voiding (TigerBeetle): a new transfer, or a post of a hold
   * other than the one that closed it, is refused with
   * `debit-account-already-closed` or `credit-account-already-closed`.
   */
  readonly closed: boolean;
}

export interface Account {
  readonly id: AccountId;
  /** The currency of every amount in this account (an ISO 4217 code); transfers never cross ledgers. */
  readonly ledger: string;
  /** The account's type, chosen by the institution (e.g. 1 = user wallet, 2 = merchant payable). */
  readonly code: number;
  readonly flags: AccountFlags;
  readonly userData: string | null;
  readonly debitsPending: bigint;
  readonly debitsPosted: bigint;
  readonly creditsPending: bigint;
  readonly creditsPosted: bigint;
  readonly timestamp: LedgerTimestamp;
}

export interface NewAccount {
  readonly id: string;
  readonly ledger: string;
  readonly code: number;
  readonly flags?: Partial<Omit<AccountFlags, 'closed'>>;
  readonly userData?: string;
}

export interface TransferFlags {
  /** This transfer succeeds or fails together with the next one in the same call. */
  readonly linked: boolean;
  /** Reserve the amount (pending) instead of moving it. */
  readonly pending: boolean;
  readonly postPendingTransfer: boolean;
  readonly voidPendingTransfer: boolean;
  /** With `pending`: close the debit account while the transfer is pending or once posted; it can still be posted. */
  readonly closingDebit: boolean;
  /** With `pending`: close the credit account while the transfer is pending or once posted; it can still be posted. */
  readonly closingCredit: boolean;
}

export interface Transfer {
  readonly id: TransferId;
  readonly debitAccountId: AccountId;
  readonly creditAccountId: AccountId;
  readonly amount: bigint;
  /** For a post or void: the pending transfer it resolves. */
  readonly pendingId: TransferId | null;
  readonly ledger: string;
  readonly code: number;
  readonly flags: TransferFlags;
  /** For a pending transfer: seconds until it expires; 0 means never. */
  readonly timeoutSeconds: number;
  readonly userData: string | null;
  readonly timestamp: LedgerTimestamp;
}

/**
 * A transfer as a client submits it. For a post or void, the accounts, ledger,
 * code and amount may be left out: they are taken from the pending transfer
 * (a post without an amount posts the full pending amount). An amount above
 * the pending one is refused for both (`exceeds-pending-transfer-amount`); a
 * void that gives an amount must give the whole pending amount
 * (`pending-transfer-has-different-amount`).
 */
export interface NewTransfer {
  readonly id: string;
  readonly debitAccountId?: string;
  readonly creditAccountId?: string;
  readonly amount?: bigint;
  readonly pendingId?: string;
  readonly ledger?: string;
  readonly code?: number;
  readonly flags?: Partial<TransferFlags>;
  readonly timeoutSeconds?: number;
  readonly userData?: string;
}

export type PendingState = 'pending' | 'posted' | 'voided' | 'expired';

/** Where a pending transfer stands; its `resolvedTimestamp` is set once it leaves `pending`. */
export interface PendingStatus {
  readonly state: PendingState;
  /** Ledger time at which the hold lapses; null if the transfer has no timeout. */
  readonly expiresAt: LedgerTimestamp | null;
  readonly resolvedTimestamp: LedgerTimestamp | null;
}

/**
 * Why a transfer was not recorded, or that it was (`ok`) or already had been (`exists`).
 *
 * A refusal that depends on the ledger's state (an account not found or
 * closed, `ledger-mismatch`, `pending-transfer-*`, `exceeds-*`, `overflows-*`)
 * sticks to the id: a retry under that id returns it again, even once the
 * cause is gone, so a client that wants to try again uses a new id. A refusal
 * of the event on its own (from `id-invalid` to `user-data-invalid` below)
 * and the outcomes of a chain (`linked-event-failed`, `linked-event-chain-open`)
 * are not kept, as in TigerBeetle: the corrected event, or chain, may be sent
 * again under the same ids.
 */
export type CreateTransferResult =
  | 'ok'
  | 'exists'
  | 'linked-event-failed'
  | 'linked-event-chain-open'
  | 'id-invalid'
  | 'flags-invalid'
  | 'flags-are-mutually-exclusive'
  | 'debit-account-id-invalid'
  | 'credit-account-id-invalid'
  | 'accounts-must-be-different'
  | 'pending-id-must-be-empty'
  | 'pending-id-invalid'
  | 'pending-id-must-be-different'
  | 'timeout-reserved-for-pending-transfer'
  | 'timeout-invalid'
  | 'closing-transfer-must-be-pending'
  | 'ledger-invalid'
  | 'code-invalid'
  | 'amount-invalid'
  | 'amount-must-not-be-zero'
  | 'user-data-invalid'
  | 'debit-account-not-found'
  | 'credit-account-not-found'
  | 'ledger-mismatch'
  | 'debit-account-already-closed'
  | 'credit-account-already-closed'
  | 'pending-transfer-not-found'
  | 'pending-transfer-not-pending'
  | 'pending-transfer-has-different-debit-account-id'
  | 'pending-transfer-has-different-credit-account-id'
  | 'pending-transfer-has-different-ledger'
  | 'pending-transfer-has-different-code'
  | 'pending-transfer-has-different-amount'
  | 'exceeds-pending-transfer-amount'
  | 'pending-transfer-already-posted'
  | 'pending-transfer-already-voided'
  | 'pending-transfer-expired'
  | 'exists-with-different-debit-account-id'
  | 'exists-with-different-credit-account-id'
  | 'exists-with-different-amount'
  | 'exists-with-different-pending-id'
  | 'exists-with-different-ledger'
  | 'exists-with-different-code'
  | 'exists-with-different-flags'
  | 'exists-with-different-timeout'
  | 'exists-with-different-user-data'
  | 'overflows-debits'
  | 'overflows-credits'
  | 'exceeds-credits'
  | 'exceeds-debits';

export type CreateAccountResult =
  | 'ok'
  | 'exists'
  | 'id-invalid'
  | 'ledger-invalid'
  | 'code-invalid'
  | 'flags-invalid'
  | 'flags-are-mutually-exclusive'
  | 'user-data-invalid'
  | 'exists-with-different-ledger'
  | 'exists-with-different-code'
  | 'exists-with-different-flags'
  | 'exists-with-different-user-data';

export interface TransferOutcome {
  readonly id: string;
  readonly result: CreateTransferResult;
  /** The ledger timestamp of the recorded transfer, for `ok` and `exists`. */
  readonly timestamp: LedgerTimestamp | null;
}

export interface AccountOutcome {
  readonly id: string;
  readonly result: CreateAccountResult;
  readonly timestamp: LedgerTimestamp | null;
}

export interface AccountBalance {
  readonly accountId: AccountId;
  readonly ledger: string;
  readonly debitsPending: bigint;
  readonly debitsPosted: bigint;
  readonly creditsPending: bigint;
  readonly creditsPosted: bigint;
  /** The balance as it stood after every event up to and including this ledger time. */
  readonly asOfTimestamp: LedgerTimestamp;
}

export interface TransferPage {
  readonly transfers: readonly Transfer[];
  /** Pass as `cursorTimestamp`, in the same direction, for the next page; null at the end. */
  readonly nextTimestamp: LedgerTimestamp | null;
}
