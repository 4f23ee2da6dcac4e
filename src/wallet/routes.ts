/**
 * The wallet's HTTP surface: the wallet app's public API under
 * `/wallet/v1/…` (bearer user token) and the protocol routes the network
 * calls under `/wallet/network/v1/…` (signed; only the network may call them).
 * Routes are thin (STYLE 5): parse, call one service function, map.
 */
import type { Context, Hono } from 'hono';
import { apiError, bearerToken, MISSING_BEARER, parseJsonBody, parseValue, type ApiError, type RouteDoc } from '../platform/http/contract.ts';
import { err, ok, type Result } from '../platform/result.ts';
import {
  PROTOCOL_ENDPOINTS,
  mountProtocolRoute,
  reconciliationRouteDocs,
  result,
  settlementRouteDocs,
  type ProtocolEndpointName,
  type ProtocolRequest,
  type ProtocolResponse,
  type ProtocolServerOptions,
} from '../protocol/index.ts';
import {
  balanceResponseSchema,
  meResponseSchema,
  mpmRequestSchema,
  mpmResponseSchema,
  paymentCodeResponseSchema,
  scanRequestSchema,
  scanResponseSchema,
  signupRequestSchema,
  signupResponseSchema,
  topupRequestSchema,
  topupResponseSchema,
  transactionsQuerySchema,
  transactionsResponseSchema,
} from './contract.ts';
import { toApiError, WALLET_ERROR_STATUS } from './errors.ts';
import type { PaymentService } from './payments.ts';
import type { AccountService } from './service.ts';
import type { User } from './types.ts';

const WRONG_TOKEN: ApiError = { status: 401, code: 'UNAUTHENTICATED', message: 'the token is not valid' };

export function mountPublicRoutes(app: Hono, services: { readonly accounts: AccountService; readonly payments: PaymentService }): void {
  const { accounts, payments } = services;
  const authenticate = async (c: Context): Promise<Result<User, ApiError>> => {
    const token = bearerToken(c);
    if (token === undefined) return err(MISSING_BEARER);
    const user = await accounts.authenticate(token);
    return user === undefined ? err(WRONG_TOKEN) : ok(user);
  };

  app.post('/wallet/v1/users', async (c) => {
    const body = await parseJsonBody(c, signupRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    return c.json(await accounts.signUp(body.value), 201);
  });

  app.get('/wallet/v1/me', async (c) => {
    const user = await authenticate(c);
    if (!user.ok) return apiError(c, user.error);
    return c.json(await accounts.me(user.value));
  });

  app.post('/wallet/v1/topups', async (c) => {
    const user = await authenticate(c);
    if (!user.ok) return apiError(c, user.error);
    const body = await parseJsonBody(c, topupRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    const answer = await accounts.topUp(user.value, body.value);
    return answer.ok ? c.json(answer.value, 201) : apiError(c, toApiError(answer.error));
  });

  app.get('/wallet/v1/balance', async (c) => {
    const user = await authenticate(c);
    if (!user.ok) return apiError(c, user.error);
    return c.json(await accounts.balance(user.value));
  });

  app.post('/wallet/v1/payment-codes', async (c) => {
    const user = await authenticate(c);
    if (!user.ok) return apiError(c, user.error);
    return c.json(await accounts.issuePaymentCode(user.value), 201);
  });

  app.post('/wallet/v1/scans', async (c) => {
    const user = await authenticate(c);
    if (!user.ok) return apiError(c, user.error);
    const body = await parseJsonBody(c, scanRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    const answer = accounts.scan(body.value.qrPayload);
    return answer.ok ? c.json(answer.value) : apiError(c, toApiError(answer.error));
  });

  app.post('/wallet/v1/payments', async (c) => {
    const user = await authenticate(c);
    if (!user.ok) return apiError(c, user.error);
    const body = await parseJsonBody(c, mpmRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    const answer = await payments.payByScan(user.value, body.value);
    if (!answer.ok) return apiError(c, toApiError(answer.error));
    return c.json(answer.value, answer.value.status === 'SUCCESS' ? 201 : 202);
  });

  app.get('/wallet/v1/transactions', async (c) => {
    const user = await authenticate(c);
    if (!user.ok) return apiError(c, user.error);
    const query = parseValue(transactionsQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    return c.json(await accounts.transactions(user.value, query.value));
  });
}

/** The protocol routes the network calls; any other signed sender is refused with ACCESS_DENIED. */
export function mountProtocolRoutes(app: Hono, options: { readonly server: ProtocolServerOptions; readonly networkId: string; readonly payments: PaymentService }): void {
  const { payments } = options;
  const fromNetwork = <N extends ProtocolEndpointName>(name: N, handle: (request: ProtocolRequest<N>) => Promise<ProtocolResponse<N>>): void => {
    mountProtocolRoute(app, name, options.server, async (request, sender) => {
      if (sender.clientId !== options.networkId) {
        return { result: result('ACCESS_DENIED', 'only the network may call the wallet') } as ProtocolResponse<N>;
      }
      return handle(request);
    });
  };
  fromNetwork('walletPay', payments.pay);
  fromNetwork('walletInquiryPayment', payments.inquiryPayment);
  fromNetwork('walletCancelPayment', payments.cancelPayment);
  fromNetwork('walletRefund', payments.refund);
  fromNetwork('walletInquiryRefund', payments.inquiryRefund);
}

const errors = (...codes: (keyof typeof WALLET_ERROR_STATUS)[]) => codes.map((code) => ({ status: WALLET_ERROR_STATUS[code], code }));
const AUTH = ['UNAUTHENTICATED'] as const;

const protocolDoc = (name: ProtocolEndpointName & `wallet${string}`, summary: string): RouteDoc => ({
  method: 'post',
  path: PROTOCOL_ENDPOINTS[name].path,
  summary,
  tag: 'wallet ← network',
  security: 'signed',
  request: PROTOCOL_ENDPOINTS[name].request,
  response: PROTOCOL_ENDPOINTS[name].response,
});

export const WALLET_ROUTE_DOCS: readonly RouteDoc[] = [
  ...reconciliationRouteDocs('/wallet/v1', 'wallet operations', 'walletOperatorKey'),
  ...settlementRouteDocs('/wallet/v1', 'wallet operations', 'walletOperatorKey'),
  { method: 'post', path: '/wallet/v1/users', summary: 'Sign up: a user, a simulated card with 50,000.00 CNY, and a token', tag: 'wallet', request: signupRequestSchema, response: signupResponseSchema, errors: errors('INVALID_REQUEST') },
  { method: 'get', path: '/wallet/v1/me', summary: "The user's profile, KYC tier and limits", tag: 'wallet', security: 'userToken', response: meResponseSchema, errors: errors(...AUTH) },
  { method: 'post', path: '/wallet/v1/topups', summary: 'Top up the wallet from the card (idempotent on requestId)', tag: 'wallet', security: 'userToken', request: topupRequestSchema, response: topupResponseSchema, errors: errors(...AUTH, 'INVALID_REQUEST', 'INVALID_AMOUNT', 'CURRENCY_MISMATCH', 'CARD_DECLINED', 'IDEMPOTENCY_KEY_REUSED') },
  { method: 'get', path: '/wallet/v1/balance', summary: 'The wallet balance and what the card can still fund', tag: 'wallet', security: 'userToken', response: balanceResponseSchema, errors: errors(...AUTH) },
  { method: 'post', path: '/wallet/v1/payment-codes', summary: 'A one-time 18-digit payment code for a POS to scan, valid 60 s', tag: 'wallet', security: 'userToken', response: paymentCodeResponseSchema, errors: errors(...AUTH) },
  { method: 'post', path: '/wallet/v1/scans', summary: "Decode a merchant's QR before paying", tag: 'wallet', security: 'userToken', request: scanRequestSchema, response: scanResponseSchema, errors: errors(...AUTH, 'INVALID_REQUEST', 'INVALID_QR') },
  { method: 'post', path: '/wallet/v1/payments', summary: "Pay a merchant's QR (201 SUCCESS, 202 PROCESSING; idempotent on requestId)", tag: 'wallet', security: 'userToken', request: mpmRequestSchema, response: mpmResponseSchema, errors: errors(...AUTH, 'INVALID_REQUEST', 'INVALID_QR', 'QR_NOT_SUPPORTED', 'AMOUNT_REQUIRED', 'AMOUNT_MISMATCH', 'INVALID_AMOUNT', 'CURRENCY_MISMATCH', 'INSUFFICIENT_BALANCE', 'LIMIT_EXCEEDED', 'MERCHANT_NOT_ACCEPTING', 'PAYMENT_REFUSED', 'IDEMPOTENCY_KEY_REUSED') },
  { method: 'get', path: '/wallet/v1/transactions', summary: 'Top-ups, payments, refunds and cancellations, newest first (?limit=&before=)', tag: 'wallet', security: 'userToken', response: transactionsResponseSchema, errors: errors(...AUTH, 'INVALID_REQUEST') },
  protocolDoc('walletPay', 'The network asks the wallet to charge the holder of a payment code'),
  protocolDoc('walletInquiryPayment', "The network asks for a payment's outcome"),
  protocolDoc('walletCancelPayment', 'The network cancels a payment (reversing any debit)'),
  protocolDoc('walletRefund', 'The network refunds a successful payment, in part or in full'),
  protocolDoc('walletInquiryRefund', "The network asks for a refund's outcome"),
];
