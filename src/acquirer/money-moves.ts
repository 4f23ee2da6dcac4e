/**
 * The acquirer's ledger (KRW): what it is owed by the network and what it owes
 * each merchant. Every movement has a deterministic transfer id derived from
 * the domain id, so that a retry after a crash re-submits the same transfer
 * and the ledger answers `exists`.
 *
 * | account               | meaning                                    |
 * |-----------------------|--------------------------------------------|
 * | `network`             | receivable from the network (debit balance): paid down by each cycle's settlement |
 * | `merchant:<merchantId>` | payable to the merchant (credit balance) |
 * | `payouts-in-flight`   | payouts sent to the bank, not yet confirmed or returned (credit balance) |
 * | `bank:settlement`     | the acquirer's settlement account at its bank: what the network's settlements brought in, less what confirmed payouts took out |
 * | `mdr-fees`            | the acquirer's revenue from merchant discount rates (credit balance) |
 *
 * | transfer                        | debit             | credit            |
 * |---------------------------------|-------------------|-------------------|
 * | `pay:<paymentId>`               | network           | merchant:<id>     |
 * | `refund:<refundId>`             | merchant:<id>     | network           |
 * | `cancel:<paymentId>`            | merchant:<id>     | network           |
 * | `payout:<payoutId>:fee`         | merchant:<id>     | mdr-fees          |
 * | `payout:<payoutId>:send:<n>`    | merchant:<id>     | payouts-in-flight |
 * | `payout:<payoutId>:confirm:<n>` | payouts-in-flight | bank:settlement   |
 * | `payout:<payoutId>:return:<n>`  | payouts-in-flight | merchant:<id>     |
 * | `settle:<cycleId>`              | bank:settlement   | network           |
 *
 * `<n>` is the payout's attempt: a returned payout sent again moves money
 * under new ids, and every retry of one step re-submits the same id.
 */
import type { Ledger, NewTransfer } from '../ledger/index.ts';
import type { MerchantId, Payment, Payout, Refund } from './types.ts';

export const LEDGER_CURRENCY = 'KRW';
export const NETWORK_ACCOUNT_ID = 'network';
export const PAYOUTS_IN_FLIGHT_ACCOUNT_ID = 'payouts-in-flight';
export const BANK_SETTLEMENT_ACCOUNT_ID = 'bank:settlement';
export const MDR_FEES_ACCOUNT_ID = 'mdr-fees';
export const ACCOUNT_CODE = { network: 1, merchant: 2, payoutsInFlight: 3, bankSettlement: 4, mdrFees: 5 } as const;
export const TRANSFER_CODE = { pay: 10, refund: 20, cancel: 30, payoutFee: 40, payoutSend: 50, payoutConfirm: 60, payoutReturn: 70, settlement: 80 } as const;

/** The ids of the transfers that follow a payment at the network (reconciliation looks them up by them). */
export const TRANSFER_ID = {
  pay: (paymentId: string) => `pay:${paymentId}`,
  cancel: (paymentId: string) => `cancel:${paymentId}`,
  refund: (refundId: string) => `refund:${refundId}`,
} as const;

export function merchantAccountId(merchantId: MerchantId): string {
  return `merchant:${merchantId}`;
}

export function payTransfer(payment: Payment): NewTransfer {
  return {
    id: TRANSFER_ID.pay(payment.paymentId),
    debitAccountId: NETWORK_ACCOUNT_ID,
    creditAccountId: merchantAccountId(payment.merchantId),
    amount: payment.amountKrw,
    ledger: LEDGER_CURRENCY,
    code: TRANSFER_CODE.pay,
  };
}

export function cancelTransfer(payment: Payment): NewTransfer {
  return {
    id: TRANSFER_ID.cancel(payment.paymentId),
    debitAccountId: merchantAccountId(payment.merchantId),
    creditAccountId: NETWORK_ACCOUNT_ID,
    amount: payment.amountKrw,
    ledger: LEDGER_CURRENCY,
    code: TRANSFER_CODE.cancel,
  };
}

export function refundTransfer(refund: Refund, merchantId: MerchantId): NewTransfer {
  return {
    id: TRANSFER_ID.refund(refund.refundId),
    debitAccountId: merchantAccountId(merchantId),
    creditAccountId: NETWORK_ACCOUNT_ID,
    amount: refund.amountKrw,
    ledger: LEDGER_CURRENCY,
    code: TRANSFER_CODE.refund,
  };
}

function payoutTransfer(payout: Payout, step: string, accounts: { readonly debit: string; readonly credit: string }, amount: bigint, code: number): NewTransfer {
  return { id: `payout:${payout.payoutId}:${step}`, debitAccountId: accounts.debit, creditAccountId: accounts.credit, amount, ledger: LEDGER_CURRENCY, code };
}

/** The MDR, taken once per payout (with its first sending, or alone when nothing is left to send). */
export function payoutFeeTransfer(payout: Payout): NewTransfer {
  return payoutTransfer(payout, 'fee', { debit: merchantAccountId(payout.merchantId), credit: MDR_FEES_ACCOUNT_ID }, payout.feeKrw, TRANSFER_CODE.payoutFee);
}

/** The payout's current attempt, handed to the bank. */
export function payoutSendTransfer(payout: Payout): NewTransfer {
  return payoutTransfer(payout, `send:${payout.attempt}`, { debit: merchantAccountId(payout.merchantId), credit: PAYOUTS_IN_FLIGHT_ACCOUNT_ID }, payout.amountKrw, TRANSFER_CODE.payoutSend);
}

/** The bank paid the merchant: the money has left the acquirer's settlement account. */
export function payoutConfirmTransfer(payout: Payout): NewTransfer {
  return payoutTransfer(payout, `confirm:${payout.attempt}`, { debit: PAYOUTS_IN_FLIGHT_ACCOUNT_ID, credit: BANK_SETTLEMENT_ACCOUNT_ID }, payout.amountKrw, TRANSFER_CODE.payoutConfirm);
}

/** The bank gave the attempt back: owed to the merchant again, until it is sent again. */
export function payoutReturnTransfer(payout: Payout): NewTransfer {
  return payoutTransfer(payout, `return:${payout.attempt}`, { debit: PAYOUTS_IN_FLIGHT_ACCOUNT_ID, credit: merchantAccountId(payout.merchantId) }, payout.amountKrw, TRANSFER_CODE.payoutReturn);
}

/**
 * Account ids each ledger has confirmed (`ok` or `exists`, with these very
 * fields): a ledger never deletes or alters an account, so they need not be
 * asked for again. Without it, every successful payment would wait on one
 * more ledger batch for accounts that exist since the merchant's approval.
 */
const ensuredAccountIds = new WeakMap<Ledger, Set<string>>();

/** Creates the acquirer's own accounts (network, payouts, fees) and, if given, merchants': idempotent. */
export async function ensureAccounts(ledger: Ledger, merchantIds: readonly MerchantId[]): Promise<void> {
  const ensured = ensuredAccountIds.get(ledger) ?? new Set<string>();
  ensuredAccountIds.set(ledger, ensured);
  const missing = [
    { id: NETWORK_ACCOUNT_ID, ledger: LEDGER_CURRENCY, code: ACCOUNT_CODE.network },
    { id: PAYOUTS_IN_FLIGHT_ACCOUNT_ID, ledger: LEDGER_CURRENCY, code: ACCOUNT_CODE.payoutsInFlight },
    { id: BANK_SETTLEMENT_ACCOUNT_ID, ledger: LEDGER_CURRENCY, code: ACCOUNT_CODE.bankSettlement },
    { id: MDR_FEES_ACCOUNT_ID, ledger: LEDGER_CURRENCY, code: ACCOUNT_CODE.mdrFees },
    ...merchantIds.map((id) => ({ id: merchantAccountId(id), ledger: LEDGER_CURRENCY, code: ACCOUNT_CODE.merchant })),
  ].filter((account) => !ensured.has(account.id));
  if (missing.length === 0) return;
  const outcomes = await ledger.createAccounts(missing);
  for (const outcome of outcomes) {
    if (outcome.result !== 'ok' && outcome.result !== 'exists') throw new Error(`assertion failed: account ${outcome.id} created, got ${outcome.result}`);
  }
  for (const account of missing) ensured.add(account.id);
}

/** Records one transfer; `ok` and `exists` are both success. Anything else is a bug (the ids are ours, the accounts exist, no flags). */
export async function recordTransfer(ledger: Ledger, transfer: NewTransfer): Promise<void> {
  await recordLinked(ledger, [transfer]);
}

/** Records transfers as one linked chain (all or none); `ok` and `exists` are both success, anything else a bug. */
export async function recordLinked(ledger: Ledger, transfers: readonly NewTransfer[]): Promise<void> {
  if (transfers.length === 0) return;
  const chain = transfers.map((t, i) => (i < transfers.length - 1 ? { ...t, flags: { ...t.flags, linked: true } } : t));
  const outcomes = await ledger.createTransfers(chain);
  for (const [i, transfer] of transfers.entries()) {
    const outcome = outcomes[i];
    if (outcome === undefined || (outcome.result !== 'ok' && outcome.result !== 'exists')) {
      throw new Error(`assertion failed: transfer ${transfer.id} recorded, got ${outcome?.result ?? 'no outcome'}`);
    }
  }
}
