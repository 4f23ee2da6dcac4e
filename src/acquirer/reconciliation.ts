/**
 * The acquirer's side of reconciliation (issue 5): its account with the
 * network (`network`, what the network owes it) in its own ledger, read as the
 * clearing file reads it. The acquirer's transfer ids carry its own ids
 * (`pay:<paymentId>`), which are the network's request ids (the file's
 * `request_id`); each entry is named by the network's id the acquirer
 * recorded for it, so that the two sides meet on the same key. The matching
 * itself is the protocol library's (reconcile-cycle.ts).
 */
import type { Ledger } from '../ledger/index.ts';
import { ownLedgerReader, type ExplainedTransfer, type OwnLedgerReader } from '../protocol/index.ts';
import { NETWORK_ACCOUNT_ID, TRANSFER_ID } from './money-moves.ts';
import type { AcquirerStore } from './store.ts';

const TRANSFER = /^(pay|cancel|refund):(.+)$/;

export function acquirerLedgerReader(ledger: Ledger, store: Pick<AcquirerStore, 'getPayment' | 'getRefund'>): OwnLedgerReader {
  return ownLedgerReader({
    ledger,
    accountId: NETWORK_ACCOUNT_ID,
    async explain(transfer): Promise<ExplainedTransfer> {
      const match = TRANSFER.exec(transfer.id);
      if (!match) return { kind: 'unexplained', reason: `transfer ${transfer.id} moved the acquirer's account with the network, and it is no payment, cancellation or refund` };
      const [, verb, ownId] = match as unknown as [string, 'pay' | 'cancel' | 'refund', string];
      if (verb === 'refund') {
        const refund = await store.getRefund(ownId);
        if (refund?.networkRefundId == null) return { kind: 'unexplained', reason: `refund ${ownId} of transfer ${transfer.id} has no network refund id recorded` };
        return { kind: 'entry', transactionType: 'REFUND', transactionId: refund.networkRefundId };
      }
      const payment = await store.getPayment(ownId);
      if (payment?.networkPaymentId == null) return { kind: 'unexplained', reason: `payment ${ownId} of transfer ${transfer.id} has no network payment id recorded` };
      return { kind: 'entry', transactionType: verb === 'pay' ? 'PAYMENT' : 'CANCELLATION', transactionId: payment.networkPaymentId };
    },
    transferIdsOf(record) {
      if (record.requestId === '') return [];
      if (record.transactionType === 'REFUND') return [TRANSFER_ID.refund(record.requestId)];
      return [record.transactionType === 'PAYMENT' ? TRANSFER_ID.pay(record.requestId) : TRANSFER_ID.cancel(record.requestId)];
    },
  });
}
