/**
 * The acquirer's ledger (KRW): what it is owed by the network and what it owes
 * each merchant. Every movement has a deterministic transfer id derived from
 * the domain id, so that a retry after a crash re-submits the same transfer
 * and the ledger answers `exists`.
 *
 * | account               | meaning                                    |
 * |-----------------------|--------------------------------------------|
 * | `network`             | receivable from the network (debit balance)|
 * | `merchant:<merchantId>` | payable to the merchant (credit balance) |
 *
 * | transfer              | debit                | credit               |
 * |-----------------------|----------------------|----------------------|
 * | `pay:<paymentId>`     | network              | merchant:<id>        |
 * | `refund:<refundId>`   | merchant:<id>        | network              |
 * | `cancel:<paymentId>`  | merchant:<id>        | network              |
 */
import type { Ledger, NewTransfer } from '../ledger/index.ts';
import type { MerchantId, Payment, Refund } from './types.ts';

export const LEDGER_CURRENCY = 'KRW';
export const NETWORK_ACCOUNT_ID = 'network';
export const ACCOUNT_CODE = { network: 1, merchant: 2 } as const;
export const TRANSFER_CODE = { pay: 10, refund: 20, cancel: 30 } as const;

export function merchantAccountId(merchantId: MerchantId): string {
  return `merchant:${merchantId}`;
}

export function payTransfer(payment: Payment): NewTransfer {
  return {
    id: `pay:${payment.paymentId}`,
    debitAccountId: NETWORK_ACCOUNT_ID,
    creditAccountId: merchantAccountId(payment.merchantId),
    amount: payment.amountKrw,
    ledger: LEDGER_CURRENCY,
    code: TRANSFER_CODE.pay,
  };
}

export function cancelTransfer(payment: Payment): NewTransfer {
  return {
    id: `cancel:${payment.paymentId}`,
    debitAccountId: merchantAccountId(payment.merchantId),
    creditAccountId: NETWORK_ACCOUNT_ID,
    amount: payment.amountKrw,
    ledger: LEDGER_CURRENCY,
    code: TRANSFER_CODE.cancel,
  };
}

export function refundTransfer(refund: Refund, merchantId: MerchantId): NewTransfer {
  return {
    id: `refund:${refund.refundId}`,
    debitAccountId: merchantAccountId(merchantId),
    creditAccountId: NETWORK_ACCOUNT_ID,
    amount: refund.amountKrw,
    ledger: LEDGER_CURRENCY,
    code: TRANSFER_CODE.refund,
  };
}

/** Creates the network account and, if given, a merchant's: idempotent. */
export async function ensureAccounts(ledger: Ledger, merchantIds: readonly MerchantId[]): Promise<void> {
  const outcomes = await ledger.createAccounts([
    { id: NETWORK_ACCOUNT_ID, ledger: LEDGER_CURRENCY, code: ACCOUNT_CODE.network },
    ...merchantIds.map((id) => ({ id: merchantAccountId(id), ledger: LEDGER_CURRENCY, code: ACCOUNT_CODE.merchant })),
  ]);
  for (const outcome of outcomes) {
    if (outcome.result !== 'ok' && outcome.result !== 'exists') throw new Error(`assertion failed: account ${outcome.id} created, got ${outcome.result}`);
  }
}

/** Records one transfer; `ok` and `exists` are both success. Anything else is a bug (the ids are ours, the accounts exist, no flags). */
export async function recordTransfer(ledger: Ledger, transfer: NewTransfer): Promise<void> {
  const [outcome] = await ledger.createTransfers([transfer]);
  if (outcome === undefined || (outcome.result !== 'ok' && outcome.result !== 'exists')) {
    throw new Error(`assertion failed: transfer ${transfer.id} recorded, got ${outcome?.result ?? 'no outcome'}`);
  }
}
