/**
 * What the network writes to its ledger, as pure functions: each participant
 * has a position account in its currency, and a payment moves money in two
 * same-currency legs through the FX accounts (`fx:CNY`, `fx:KRW`), so that
 * every ledger balances per currency (DESIGN "Money"). Transfer ids derive
 * from the domain id, so a retry re-submits the same id and the ledger
 * answers `exists`.
 */
import type { Currency } from '../money/index.ts';
import type { NewAccount, NewTransfer } from '../ledger/index.ts';
import type { NetworkPayment, NetworkRefund, Participant } from './types.ts';

/** Account codes (the account's type) in the network's ledger. */
export const ACCOUNT_CODE = { walletPosition: 1, acquirerPosition: 2, fx: 3 } as const;
/** Transfer codes (why money moved). */
export const TRANSFER_CODE = { payment: 1, refund: 2, cancellation: 3 } as const;

export function participantAccountId(participant: Pick<Participant, 'role' | 'participantId'>): string {
  return `${participant.role}:${participant.participantId}`;
}

export function fxAccountId(currency: Currency): string {
  return `fx:${currency}`;
}

/**
 * A participant's position account and the FX account of its currency. No
 * limit flags: a position may go either way between two settlements.
 */
export function accountsFor(participant: Participant): NewAccount[] {
  const code = participant.role === 'wallet' ? ACCOUNT_CODE.walletPosition : ACCOUNT_CODE.acquirerPosition;
  return [
    { id: participantAccountId(participant), ledger: participant.currency, code },
    { id: fxAccountId(participant.currency), ledger: participant.currency, code: ACCOUNT_CODE.fx },
  ];
}

interface Legs {
  /** Prefix of both transfer ids: `pay:<paymentId>`, `refund:<refundId>`, `cancel:<paymentId>`. */
  readonly idPrefix: string;
  readonly code: number;
  readonly payment: NetworkPayment;
  readonly payValue: bigint;
  readonly merchantValue: bigint;
  /** true: the wallet owes and the acquirer is owed more (a payment); false: the reverse. */
  readonly forward: boolean;
}

/** Two linked legs (one call, first flagged linked); a zero leg is left out (a refund can be 0 fen). */
function legs(input: Legs): NewTransfer[] {
  const { payment, idPrefix, code, forward } = input;
  const wallet = participantAccountId({ role: 'wallet', participantId: payment.walletId });
  const acquirer = participantAccountId({ role: 'acquirer', participantId: payment.acquirerId });
  const payCurrency = payment.payAmount.currency;
  const merchantCurrency = payment.paymentAmount.currency;
  const fxPay = fxAccountId(payCurrency);
  const fxMerchant = fxAccountId(merchantCurrency);
  const transfers: NewTransfer[] = [];
  if (input.payValue > 0n) {
    transfers.push({
      id: `${idPrefix}:${payCurrency}`,
      debitAccountId: forward ? wallet : fxPay,
      creditAccountId: forward ? fxPay : wallet,
      amount: input.payValue,
      ledger: payCurrency,
      code,
    });
  }
  if (input.merchantValue > 0n) {
    transfers.push({
      id: `${idPrefix}:${merchantCurrency}`,
      debitAccountId: forward ? fxMerchant : acquirer,
      creditAccountId: forward ? acquirer : fxMerchant,
      amount: input.merchantValue,
      ledger: merchantCurrency,
      code,
    });
  }
  return transfers.map((t, i) => (i < transfers.length - 1 ? { ...t, flags: { linked: true } } : t));
}

/** A successful payment: the wallet owes payAmount, the acquirer is owed paymentAmount. */
export function paymentTransfers(payment: NetworkPayment): NewTransfer[] {
  return legs({
    idPrefix: `pay:${payment.paymentId}`,
    code: TRANSFER_CODE.payment,
    payment,
    payValue: payment.payAmount.value,
    merchantValue: payment.paymentAmount.value,
    forward: true,
  });
}

/** The cancellation of a successful payment: the payment's legs reversed, in full. */
export function cancellationTransfers(payment: NetworkPayment): NewTransfer[] {
  return legs({
    idPrefix: `cancel:${payment.paymentId}`,
    code: TRANSFER_CODE.cancellation,
    payment,
    payValue: payment.payAmount.value,
    merchantValue: payment.paymentAmount.value,
    forward: false,
  });
}

/** A successful refund: the payment's legs reversed for the refunded amounts. */
export function refundTransfers(payment: NetworkPayment, refund: NetworkRefund): NewTransfer[] {
  return legs({
    idPrefix: `refund:${refund.refundId}`,
    code: TRANSFER_CODE.refund,
    payment,
    payValue: refund.refundPayAmount.value,
    merchantValue: refund.refundAmount.value,
    forward: false,
  });
}
