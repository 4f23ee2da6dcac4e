/**
 * The wallet's ledger (CNY): its accounts and the ids of its transfers. Every
 * transfer id is derived from the domain id it serves (`pay:<paymentId>`), so
 * that a retry after a crash re-submits the same id and the ledger answers
 * `exists` instead of moving money twice.
 *
 * Money enters only from the simulated card issuer: bank:issuer → card → user.
 */
import type { Ledger, NewAccount } from '../ledger/index.ts';
import { currency } from '../money/index.ts';

export const WALLET_CURRENCY = currency('CNY');
export const WALLET_LEDGER = 'CNY';

/** Account types (the ledger's `code`). */
export const ACCOUNT_CODE = { bankIssuer: 1, card: 2, userWallet: 3, networkPayable: 4, bankSettlement: 5 } as const;
/** Transfer types (the ledger's `code`). */
export const TRANSFER_CODE = { cardFund: 1, topup: 2, pay: 3, cancel: 4, refund: 5, settlement: 6 } as const;

export const ACCOUNT = {
  /** The simulated card issuer: funds every card, so its debits grow without limit. */
  bankIssuer: 'bank:issuer',
  /** What the wallet owes the network for clearing: credited by payments, debited by cancels, refunds and each cycle's settlement. */
  network: 'network',
  /** The wallet provider's account at its settlement bank: credited by what it pays the network for each cycle (`settle:<cycleId>`). */
  bankSettlement: 'bank:settlement',
  /** A user's simulated bank card; it cannot be drawn beyond its credit. */
  card: (userId: string) => `card:${userId}`,
  /** A user's wallet balance; it cannot go below zero. */
  user: (userId: string) => `user:${userId}`,
} as const;

export const TRANSFER = {
  cardFund: (userId: string) => `cardfund:${userId}`,
  topup: (topupId: string) => `topup:${topupId}`,
  pay: (paymentId: string) => `pay:${paymentId}`,
  cancel: (paymentId: string) => `cancel:${paymentId}`,
  refund: (refundId: string) => `refund:${refundId}`,
} as const;

/** Creates the wallet's own accounts (idempotent: `exists` is fine). */
export async function openWalletAccounts(ledger: Ledger): Promise<void> {
  await createAccountsOrThrow(ledger, [
    { id: ACCOUNT.bankIssuer, ledger: WALLET_LEDGER, code: ACCOUNT_CODE.bankIssuer },
    { id: ACCOUNT.network, ledger: WALLET_LEDGER, code: ACCOUNT_CODE.networkPayable },
    { id: ACCOUNT.bankSettlement, ledger: WALLET_LEDGER, code: ACCOUNT_CODE.bankSettlement },
  ]);
}

/** A user's card and wallet accounts (idempotent). */
export async function openUserAccounts(ledger: Ledger, userId: string): Promise<void> {
  await createAccountsOrThrow(ledger, [
    { id: ACCOUNT.card(userId), ledger: WALLET_LEDGER, code: ACCOUNT_CODE.card, flags: { debitsMustNotExceedCredits: true } },
    { id: ACCOUNT.user(userId), ledger: WALLET_LEDGER, code: ACCOUNT_CODE.userWallet, flags: { debitsMustNotExceedCredits: true } },
  ]);
}

async function createAccountsOrThrow(ledger: Ledger, accounts: readonly NewAccount[]): Promise<void> {
  const outcomes = await ledger.createAccounts(accounts);
  for (const outcome of outcomes) {
    if (outcome.result !== 'ok' && outcome.result !== 'exists') {
      throw new Error(`assertion failed: ledger account ${outcome.id} created, got ${outcome.result}`);
    }
  }
}
