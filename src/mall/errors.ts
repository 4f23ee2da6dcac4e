/**
 * The mall's expected failures as values, and their one mapping to HTTP
 * status + stable code (STYLE 10): a new kind fails compilation until mapped.
 */
import type { ApiError } from '../platform/http/contract.ts';
import { assertNever } from '../platform/result.ts';

export type MallError =
  | { readonly kind: 'unauthenticated'; readonly message: string }
  | { readonly kind: 'forbidden'; readonly message: string }
  | { readonly kind: 'not-found'; readonly what: string }
  | { readonly kind: 'invalid-business-registration-number'; readonly message: string }
  | { readonly kind: 'seller-already-registered'; readonly sellerId: string }
  /** The seller already has a product with this SKU, with other content: change it with PATCH. */
  | { readonly kind: 'sku-taken'; readonly sku: string; readonly productId: string }
  | { readonly kind: 'version-conflict'; readonly productId: string; readonly expectedVersion: number; readonly currentVersion: number }
  /** Other writers kept changing the product while this change was being merged. */
  | { readonly kind: 'contended'; readonly productId: string }
  | { readonly kind: 'invalid-csv'; readonly message: string };

export function toApiError(error: MallError): ApiError {
  switch (error.kind) {
    case 'unauthenticated':
      return { status: 401, code: 'UNAUTHENTICATED', message: error.message };
    case 'forbidden':
      return { status: 403, code: 'FORBIDDEN', message: error.message };
    case 'not-found':
      return { status: 404, code: 'NOT_FOUND', message: `no ${error.what} with this id` };
    case 'invalid-business-registration-number':
      return { status: 400, code: 'INVALID_BUSINESS_REGISTRATION_NUMBER', message: error.message };
    case 'seller-already-registered':
      return { status: 409, code: 'SELLER_ALREADY_REGISTERED', message: `this business registration number is seller ${error.sellerId}'s` };
    case 'sku-taken':
      return { status: 409, code: 'SKU_TAKEN', message: `SKU ${error.sku} is product ${error.productId}, with other content: change it with PATCH /mall/v1/products/${error.productId}` };
    case 'version-conflict':
      return { status: 409, code: 'VERSION_CONFLICT', message: `product ${error.productId} is at version ${error.currentVersion}, not ${error.expectedVersion}: read it again and re-apply the change` };
    case 'contended':
      return { status: 503, code: 'PRODUCT_CONTENDED', message: `product ${error.productId} kept changing while this change was applied; send it again` };
    case 'invalid-csv':
      return { status: 400, code: 'INVALID_CSV', message: error.message };
    default:
      return assertNever(error, 'mall error');
  }
}
