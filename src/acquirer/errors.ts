/**
 * The acquirer's expected failures as values, and their one mapping to HTTP
 * status + stable code (STYLE 10): a new kind fails compilation until mapped
 * here. The network's refusal of a payment (its `resultCode`) is mapped by
 * one table too, so a POS can branch on our codes and never on the network's.
 */
import type { ApiError } from '../platform/http/contract.ts';
import { assertNever } from '../platform/result.ts';
import type { OnboardingStatus, PaymentStatus, PayoutAttemptOutcome, PayoutState } from './types.ts';

export type AcquirerError =
  | { readonly kind: 'unauthenticated'; readonly message: string }
  | { readonly kind: 'forbidden'; readonly message: string }
  | { readonly kind: 'not-found'; readonly what: string }
  | { readonly kind: 'invalid-business-registration-number'; readonly message: string }
  | { readonly kind: 'invalid-state'; readonly current: OnboardingStatus; readonly wanted: OnboardingStatus }
  | { readonly kind: 'merchant-not-approved'; readonly status: OnboardingStatus }
  | { readonly kind: 'store-not-found'; readonly storeId: string }
  | { readonly kind: 'currency-not-supported'; readonly currency: string }
  | { readonly kind: 'invalid-amount'; readonly message: string }
  | { readonly kind: 'amount-exceeds-limit'; readonly limitKrw: bigint }
  | { readonly kind: 'idempotency-key-reused'; readonly key: string }
  | { readonly kind: 'payment-not-refundable'; readonly status: PaymentStatus; readonly cancelRequested: boolean }
  | { readonly kind: 'refund-exceeds-payment'; readonly remainingKrw: bigint }
  | { readonly kind: 'payment-not-cancellable'; readonly status: PaymentStatus }
  | { readonly kind: 'payment-has-refunds' }
  | { readonly kind: 'cancel-refused'; readonly resultCode: string }
  | { readonly kind: 'cancel-unknown' }
  | { readonly kind: 'invalid-business-day'; readonly message: string }
  | { readonly kind: 'business-day-not-over'; readonly businessDay: string; readonly endsAt: string }
  /** The payout (or the named attempt of it) is not where the request needs it. */
  | { readonly kind: 'payout-invalid-state'; readonly payoutId: string; readonly state: PayoutState; readonly attempt: number; readonly outcome: PayoutAttemptOutcome | null; readonly wanted: string }
  | { readonly kind: 'payout-attempts-exhausted'; readonly payoutId: string; readonly attemptsMax: number };

export function toApiError(error: AcquirerError): ApiError {
  switch (error.kind) {
    case 'unauthenticated':
      return { status: 401, code: 'UNAUTHENTICATED', message: error.message };
    case 'forbidden':
      return { status: 403, code: 'FORBIDDEN', message: error.message };
    case 'not-found':
      return { status: 404, code: 'NOT_FOUND', message: `no ${error.what} with this id` };
    case 'invalid-business-registration-number':
      return { status: 400, code: 'INVALID_BUSINESS_REGISTRATION_NUMBER', message: error.message };
    case 'invalid-state':
      return { status: 409, code: 'INVALID_STATE', message: `the merchant is ${error.current}; only a pending merchant can be ${error.wanted}` };
    case 'merchant-not-approved':
      return { status: 409, code: 'MERCHANT_NOT_APPROVED', message: `the merchant is ${error.status}, not approved` };
    case 'store-not-found':
      return { status: 404, code: 'NOT_FOUND', message: `the merchant has no store ${error.storeId}` };
    case 'currency-not-supported':
      return { status: 422, code: 'CURRENCY_NOT_SUPPORTED', message: `this acquirer takes KRW only, not ${error.currency}` };
    case 'invalid-amount':
      return { status: 400, code: 'INVALID_AMOUNT', message: error.message };
    case 'amount-exceeds-limit':
      return { status: 422, code: 'AMOUNT_EXCEEDS_LIMIT', message: `an amount is at most ${error.limitKrw} KRW` };
    case 'idempotency-key-reused':
      return { status: 409, code: 'IDEMPOTENCY_KEY_REUSED', message: `${error.key} was used before with a different request` };
    case 'payment-not-refundable':
      return {
        status: 409,
        code: 'PAYMENT_NOT_REFUNDABLE',
        message: error.cancelRequested ? 'the payment is being cancelled' : `only a successful payment can be refunded; this one is ${error.status}`,
      };
    case 'refund-exceeds-payment':
      return { status: 422, code: 'REFUND_EXCEEDS_PAYMENT', message: `only ${error.remainingKrw} KRW of the payment remains to refund` };
    case 'payment-not-cancellable':
      return { status: 409, code: 'PAYMENT_NOT_CANCELLABLE', message: `a ${error.status} payment cannot be cancelled` };
    case 'payment-has-refunds':
      return { status: 409, code: 'PAYMENT_HAS_REFUNDS', message: 'a payment with refunds cannot be cancelled; refund the rest instead' };
    case 'cancel-refused':
      return { status: 409, code: 'CANCEL_REFUSED', message: `the network refused the cancel: ${error.resultCode}` };
    case 'cancel-unknown':
      return { status: 503, code: 'CANCEL_PENDING', message: 'the network did not answer the cancel; it is retried, ask for the payment later' };
    case 'invalid-business-day':
      return { status: 400, code: 'INVALID_BUSINESS_DAY', message: error.message };
    case 'business-day-not-over':
      return { status: 409, code: 'BUSINESS_DAY_NOT_OVER', message: `business day ${error.businessDay} ends at ${error.endsAt}; its payouts are made after that (T+1)` };
    case 'payout-invalid-state':
      return {
        status: 409,
        code: 'INVALID_PAYOUT_STATE',
        message:
          error.outcome === null
            ? `payout ${error.payoutId} is ${error.state} at attempt ${error.attempt}; it cannot be ${error.wanted}`
            : `attempt ${error.attempt} of payout ${error.payoutId} is ${error.outcome} (the payout is ${error.state}); it cannot be ${error.wanted}`,
      };
    case 'payout-attempts-exhausted':
      return { status: 409, code: 'PAYOUT_ATTEMPTS_EXHAUSTED', message: `payout ${error.payoutId} was sent ${error.attemptsMax} times, the most there are; it stays held (its money is in the merchant's payable account)` };
    default:
      return assertNever(error, 'acquirer error');
  }
}

/**
 * How a payment the network refused (F) is answered to the POS: HTTP status
 * and our stable code, by the network's `resultCode`. Codes not listed are
 * PAYMENT_REFUSED; the body carries the network's code as well.
 */
export const PAYMENT_REFUSALS: Readonly<Record<string, { readonly status: 402 | 422; readonly code: string }>> = {
  INVALID_PAYMENT_CODE: { status: 422, code: 'INVALID_PAYMENT_CODE' },
  EXPIRED_CODE: { status: 422, code: 'PAYMENT_CODE_EXPIRED' },
  USER_BALANCE_NOT_ENOUGH: { status: 402, code: 'INSUFFICIENT_BALANCE' },
  USER_AMOUNT_EXCEED_LIMIT: { status: 422, code: 'LIMIT_EXCEEDED' },
  PARTNER_NOT_EXIST: { status: 422, code: 'UNKNOWN_WALLET' },
  USER_NOT_EXIST: { status: 422, code: 'UNKNOWN_WALLET' },
  FX_RATE_NOT_AVAILABLE: { status: 422, code: 'FX_RATE_NOT_AVAILABLE' },
  CURRENCY_NOT_SUPPORT: { status: 422, code: 'CURRENCY_NOT_SUPPORTED' },
};

export const PAYMENT_REFUSED_DEFAULT = { status: 422, code: 'PAYMENT_REFUSED' } as const;

export function paymentRefusal(resultCode: string | null): { readonly status: 402 | 422; readonly code: string } {
  return (resultCode !== null ? PAYMENT_REFUSALS[resultCode] : undefined) ?? PAYMENT_REFUSED_DEFAULT;
}
