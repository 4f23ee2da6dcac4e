/**
 * The outcome every inter-institution answer carries, in the Alipay+ shape:
 * `resultStatus` says what the caller may conclude, `resultCode` says why.
 *
 * - `S`: done; the answer's other fields are final.
 * - `F`: refused; nothing was done and nothing will be, under this request id.
 * - `U`: unknown; the caller must ask again (inquire) and may not assume
 *   either outcome. A timeout or a lost answer is a `U` too.
 */
export type ResultStatus = 'S' | 'F' | 'U';

/** Every result code, with the status it always comes with and what it means. */
export const RESULT_CODES = {
  SUCCESS: { status: 'S', message: 'success' },
  ACCEPTED: { status: 'U', message: 'accepted; the outcome is not known yet, inquire' },
  PAYMENT_IN_PROCESS: { status: 'U', message: 'the payment is being processed; inquire' },
  UNKNOWN_EXCEPTION: { status: 'U', message: 'the outcome is unknown; inquire with the same request id' },
  REQUEST_TIMEOUT: { status: 'U', message: 'the next hop did not answer in time; inquire' },
  PARAM_ILLEGAL: { status: 'F', message: 'a field of the request is missing or malformed' },
  INVALID_SIGNATURE: { status: 'F', message: 'the request is unsigned, tampered or stale' },
  /**
   * Unknown, not failed: a network that delivers one message twice must not
   * make its sender believe a payment failed. Nothing was done for this copy;
   * the sender inquires, or resends the request signed anew.
   */
  REQUEST_REPLAYED: { status: 'U', message: 'this exact signed message was received before; inquire, or resend it signed anew' },
  INVALID_CLIENT: { status: 'F', message: 'the sender is not a participant' },
  ACCESS_DENIED: { status: 'F', message: 'the sender may not act on this payment' },
  REPEAT_REQ_INCONSISTENT: { status: 'F', message: 'the request id was used before with different content' },
  PARTNER_NOT_EXIST: { status: 'F', message: 'no participant serves this payment code or merchant' },
  ORDER_NOT_EXIST: { status: 'F', message: 'no payment has this id' },
  ORDER_IS_CLOSED: { status: 'F', message: 'the payment is closed (cancelled or failed)' },
  ORDER_STATUS_INVALID: { status: 'F', message: 'the payment is not in a state that allows this' },
  INVALID_PAYMENT_CODE: { status: 'F', message: 'the payment code is unknown, already used or not for this wallet' },
  EXPIRED_CODE: { status: 'F', message: 'the payment code has expired' },
  USER_NOT_EXIST: { status: 'F', message: 'the user does not exist' },
  USER_BALANCE_NOT_ENOUGH: { status: 'F', message: "the user's balance does not cover the payment" },
  USER_AMOUNT_EXCEED_LIMIT: { status: 'F', message: "the payment exceeds the user's per-payment or daily limit" },
  CURRENCY_NOT_SUPPORT: { status: 'F', message: 'the currency is not supported for this payment' },
  FX_RATE_NOT_AVAILABLE: { status: 'F', message: 'the network has no rate for this currency pair' },
  MERCHANT_NOT_REGISTERED: { status: 'F', message: 'the merchant is unknown or not approved' },
  REFUND_AMOUNT_EXCEED: { status: 'F', message: 'the refund exceeds what remains of the payment' },
  PAYMENT_NOT_REFUNDABLE: { status: 'F', message: 'only a successful payment can be refunded' },
  CANCEL_WINDOW_EXCEED: { status: 'F', message: 'a refunded payment cannot be cancelled' },
  /** Unknown, not failed: the file exists once the cycle closes; ask again after its cut-off. */
  CYCLE_NOT_CLOSED: { status: 'U', message: 'the clearing cycle is not closed yet; ask again after its cut-off' },
  CYCLE_NOT_EXIST: { status: 'F', message: 'no clearing cycle has this id' },
} as const satisfies Record<string, { readonly status: ResultStatus; readonly message: string }>;

export type ResultCode = keyof typeof RESULT_CODES;

export interface ProtocolResult {
  readonly resultStatus: ResultStatus;
  readonly resultCode: ResultCode;
  readonly resultMessage: string;
}

/** The result for a code, with its fixed status and a message (the code's own unless given). */
export function result(code: ResultCode, message?: string): ProtocolResult {
  const entry = RESULT_CODES[code];
  return { resultStatus: entry.status, resultCode: code, resultMessage: message ?? entry.message };
}

export const RESULT_CODE_NAMES = Object.keys(RESULT_CODES) as [ResultCode, ...ResultCode[]];
