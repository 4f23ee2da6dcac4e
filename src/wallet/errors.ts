/**
 * The wallet's expected failures on its public API, as values (STYLE 9), and
 * their one mapping to HTTP status and stable code (STYLE 10): a new kind
 * fails compilation until it is mapped here.
 */
import type { ApiError } from '../platform/http/contract.ts';
import { assertNever } from '../platform/result.ts';

export type WalletError =
  | { readonly kind: 'unauthenticated'; readonly message: string }
  | { readonly kind: 'invalid-amount'; readonly message: string }
  | { readonly kind: 'currency-mismatch'; readonly message: string }
  | { readonly kind: 'card-declined'; readonly message: string }
  | { readonly kind: 'idempotency-key-reused'; readonly message: string }
  | { readonly kind: 'invalid-qr'; readonly message: string }
  | { readonly kind: 'qr-not-supported'; readonly message: string }
  | { readonly kind: 'amount-required'; readonly message: string }
  | { readonly kind: 'amount-mismatch'; readonly message: string }
  | { readonly kind: 'insufficient-balance'; readonly message: string }
  | { readonly kind: 'limit-exceeded'; readonly message: string }
  | { readonly kind: 'merchant-not-accepting'; readonly message: string }
  | { readonly kind: 'payment-refused'; readonly message: string };

export type WalletErrorKind = WalletError['kind'];

export function walletError<K extends WalletErrorKind>(kind: K, message: string): WalletError & { readonly kind: K } {
  return { kind, message } as WalletError & { readonly kind: K };
}

export function toApiError(error: WalletError): ApiError {
  const { message } = error;
  switch (error.kind) {
    case 'unauthenticated':
      return { status: 401, code: 'UNAUTHENTICATED', message };
    case 'invalid-amount':
      return { status: 400, code: 'INVALID_AMOUNT', message };
    case 'currency-mismatch':
      return { status: 400, code: 'CURRENCY_MISMATCH', message };
    case 'card-declined':
      return { status: 402, code: 'CARD_DECLINED', message };
    case 'idempotency-key-reused':
      return { status: 409, code: 'IDEMPOTENCY_KEY_REUSED', message };
    case 'invalid-qr':
      return { status: 400, code: 'INVALID_QR', message };
    case 'qr-not-supported':
      return { status: 422, code: 'QR_NOT_SUPPORTED', message };
    case 'amount-required':
      return { status: 400, code: 'AMOUNT_REQUIRED', message };
    case 'amount-mismatch':
      return { status: 400, code: 'AMOUNT_MISMATCH', message };
    case 'insufficient-balance':
      return { status: 402, code: 'INSUFFICIENT_BALANCE', message };
    case 'limit-exceeded':
      return { status: 422, code: 'LIMIT_EXCEEDED', message };
    case 'merchant-not-accepting':
      return { status: 422, code: 'MERCHANT_NOT_ACCEPTING', message };
    case 'payment-refused':
      return { status: 422, code: 'PAYMENT_REFUSED', message };
    default:
      return assertNever(error, 'wallet error');
  }
}

/** Every code the public API answers, with its status, for the OpenAPI document. */
export const WALLET_ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  INVALID_REQUEST: 400,
  INVALID_AMOUNT: 400,
  CURRENCY_MISMATCH: 400,
  CARD_DECLINED: 402,
  IDEMPOTENCY_KEY_REUSED: 409,
  INVALID_QR: 400,
  QR_NOT_SUPPORTED: 422,
  AMOUNT_REQUIRED: 400,
  AMOUNT_MISMATCH: 400,
  INSUFFICIENT_BALANCE: 402,
  LIMIT_EXCEEDED: 422,
  MERCHANT_NOT_ACCEPTING: 422,
  PAYMENT_REFUSED: 422,
} as const;
