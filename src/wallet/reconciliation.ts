/**
 * The wallet's side of reconciliation (issue 5): its account with the network
 * in its own ledger, read as the clearing file reads it. The wallet's transfer
 * ids carry the network's ids (`pay:<NP…>`, `cancel:<NP…>`, `refund:<NR…>`),
 * so each entry names its transaction without a lookup; the matching itself is
 * the protocol library's (reconcile-cycle.ts).
 */
import type { Ledger } from '../ledger/index.ts';
import { ownLedgerReader, type ClearingTransactionType, type OwnLedgerReader } from '../protocol/index.ts';
import { ACCOUNT, TRANSFER } from './accounts.ts';

const TRANSFER_ID = /^(pay|cancel|refund):(.+)$/;
const TYPE_OF_VERB: Readonly<Record<string, ClearingTransactionType>> = { pay: 'PAYMENT', cancel: 'CANCELLATION', refund: 'REFUND' };
const TRANSFER_OF_TYPE: Readonly<Record<ClearingTransactionType, (id: string) => string>> = { PAYMENT: TRANSFER.pay, CANCELLATION: TRANSFER.cancel, REFUND: TRANSFER.refund };

export function walletLedgerReader(ledger: Ledger): OwnLedgerReader {
  return ownLedgerReader({
    ledger,
    accountId: ACCOUNT.network,
    async explain(transfer) {
      const match = TRANSFER_ID.exec(transfer.id);
      if (!match) return { kind: 'unexplained', reason: `transfer ${transfer.id} moved the wallet's account with the network, and it is no payment, cancellation or refund` };
      return { kind: 'entry', transactionType: TYPE_OF_VERB[match[1]!]!, transactionId: match[2]! };
    },
    transferIdsOf: (record) => [TRANSFER_OF_TYPE[record.transactionType](record.transactionId)],
  });
}
