/**
 * Routing: which wallet a payment code belongs to (its first
 * `PAYMENT_CODE_PREFIX_DIGITS` digits), and which acquirer a dari QR's
 * merchant belongs to (the merchant id's prefix). Pure functions over the
 * participant table.
 */
import { PAYMENT_CODE_PREFIX_DIGITS } from '../protocol/index.ts';
import type { AcquirerParticipant, Participant, WalletParticipant } from './types.ts';

/** The wallet whose code prefix starts `paymentCode`, if any. */
export function walletForCode(participants: Iterable<Participant>, paymentCode: string): WalletParticipant | undefined {
  const prefix = paymentCode.slice(0, PAYMENT_CODE_PREFIX_DIGITS);
  for (const p of participants) if (p.role === 'wallet' && p.codePrefix === prefix) return p;
  return undefined;
}

/**
 * The acquirer whose merchant-id prefix starts `merchantId`. Registration
 * keeps acquirers' prefixes free of one another (no prefix of another), so
 * at most one matches.
 */
export function acquirerForMerchant(participants: Iterable<Participant>, merchantId: string): AcquirerParticipant | undefined {
  for (const p of participants) if (p.role === 'acquirer' && merchantId.startsWith(p.merchantIdPrefix)) return p;
  return undefined;
}

/** The acquirer whose prefix overlaps `prefix` (one is a prefix of the other), if any. */
export function overlappingAcquirer(participants: Iterable<Participant>, prefix: string): AcquirerParticipant | undefined {
  for (const p of participants) {
    if (p.role === 'acquirer' && (p.merchantIdPrefix.startsWith(prefix) || prefix.startsWith(p.merchantIdPrefix))) return p;
  }
  return undefined;
}
