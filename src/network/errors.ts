/**
 * The network operator API's expected failures, and their HTTP status and
 * stable code (STYLE 10). A new kind fails compilation until it is mapped.
 * Protocol answers carry result codes instead (protocol/results.ts).
 */
import type { ApiError } from '../platform/http/contract.ts';
import { assertNever } from '../platform/result.ts';

export type NetworkError =
  | { readonly kind: 'unauthenticated' }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'bad-public-key'; readonly message: string }
  | { readonly kind: 'reserved-participant-id'; readonly participantId: string }
  | { readonly kind: 'participant-exists'; readonly participantId: string }
  | { readonly kind: 'code-prefix-taken'; readonly codePrefix: string; readonly participantId: string }
  | { readonly kind: 'merchant-id-prefix-overlaps'; readonly merchantIdPrefix: string; readonly participantId: string }
  | { readonly kind: 'currency-not-supported'; readonly role: string; readonly currency: string; readonly supported: readonly string[] }
  | { readonly kind: 'participant-not-found'; readonly participantId: string }
  | { readonly kind: 'key-version-exists'; readonly participantId: string; readonly keyVersion: number }
  | { readonly kind: 'bad-rate'; readonly message: string }
  | { readonly kind: 'payment-not-found'; readonly paymentId: string };

export type NetworkErrorKind = NetworkError['kind'];

export function toApiError(error: NetworkError): ApiError {
  switch (error.kind) {
    case 'unauthenticated':
      return { status: 401, code: 'UNAUTHENTICATED', message: "send Authorization: Bearer <the network operator's key>" };
    case 'forbidden':
      return { status: 403, code: 'FORBIDDEN', message: 'this key may read, not change, the network' };
    case 'bad-public-key':
      return { status: 400, code: 'INVALID_REQUEST', message: `publicKey: ${error.message}` };
    case 'reserved-participant-id':
      return { status: 409, code: 'PARTICIPANT_EXISTS', message: `${error.participantId} is the network's own id` };
    case 'participant-exists':
      return { status: 409, code: 'PARTICIPANT_EXISTS', message: `${error.participantId} is registered with other details` };
    case 'code-prefix-taken':
      return { status: 409, code: 'CODE_PREFIX_TAKEN', message: `code prefix ${error.codePrefix} belongs to ${error.participantId}` };
    case 'merchant-id-prefix-overlaps':
      return {
        status: 409,
        code: 'MERCHANT_ID_PREFIX_OVERLAPS',
        message: `merchant id prefix ${error.merchantIdPrefix} overlaps ${error.participantId}'s: one may not be a prefix of another`,
      };
    case 'currency-not-supported':
      return {
        status: 400,
        code: 'CURRENCY_NOT_SUPPORTED',
        message: `a ${error.role} settles in ${error.supported.join(' or ')}, not ${error.currency}`,
      };
    case 'participant-not-found':
      return { status: 404, code: 'NOT_FOUND', message: `no participant ${error.participantId}` };
    case 'key-version-exists':
      return { status: 409, code: 'KEY_VERSION_EXISTS', message: `${error.participantId} already has key version ${error.keyVersion}` };
    case 'bad-rate':
      return { status: 400, code: 'INVALID_REQUEST', message: error.message };
    case 'payment-not-found':
      return { status: 404, code: 'NOT_FOUND', message: `no payment ${error.paymentId}` };
    default:
      return assertNever(error, 'network error');
  }
}
