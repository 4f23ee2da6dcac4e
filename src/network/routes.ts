/**
 * The network's HTTP routes: the operator's API (Bearer key) and the signed
 * protocol endpoints. Thin (STYLE 5): parse, call one service function, map.
 */
import type { Context, Hono } from 'hono';
import { amountToJson } from '../money/index.ts';
import { apiError, bearerToken, keyMatches, parseJsonBody, parseValue, type RouteDoc } from '../platform/http/contract.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { PROTOCOL_ENDPOINTS, mountProtocolRoute, type ProtocolServerOptions } from '../protocol/index.ts';
import { fxQuoteWire } from './answers.ts';
import {
  FX_RATES_LISTED_MAX,
  addParticipantKeyRequestSchema,
  fxRateListSchema,
  fxRateSchema,
  participantListSchema,
  participantSchema,
  paymentListQuerySchema,
  paymentListSchema,
  paymentViewSchema,
  positionListSchema,
  putFxRateRequestSchema,
  registerParticipantRequestSchema,
} from './contract.ts';
import { toApiError, type NetworkError } from './errors.ts';
import type { NetworkService } from './service.ts';
import type { FxRateRecord, NetworkPayment, NetworkRefund, Participant, ParticipantPosition } from './types.ts';

export interface OperatorKeys {
  /** May read and change the network. */
  readonly operatorKey: string;
  /** May only read (payments, positions, participants, rates); changing anything with it is 403. */
  readonly auditorKey?: string;
}

type Access = 'read' | 'write';

export function authorize(c: Context, keys: OperatorKeys, access: Access): Result<void, NetworkError> {
  const token = bearerToken(c);
  if (token === undefined) return err({ kind: 'unauthenticated' });
  if (keyMatches(token, keys.operatorKey)) return ok(undefined);
  if (keys.auditorKey !== undefined && keyMatches(token, keys.auditorKey)) return access === 'read' ? ok(undefined) : err({ kind: 'forbidden' });
  return err({ kind: 'unauthenticated' });
}

export function mountNetworkRoutes(app: Hono, deps: { readonly service: NetworkService; readonly keys: OperatorKeys; readonly protocol: ProtocolServerOptions }): void {
  const { service, keys } = deps;
  const fail = (c: Context, error: NetworkError): Response => apiError(c, toApiError(error));
  const guard = (c: Context, access: Access): Response | undefined => {
    const allowed = authorize(c, keys, access);
    return allowed.ok ? undefined : fail(c, allowed.error);
  };

  app.post('/network/v1/participants', async (c) => {
    const denied = guard(c, 'write');
    if (denied) return denied;
    const body = await parseJsonBody(c, registerParticipantRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    const registered = await service.registerParticipant(body.value);
    if (!registered.ok) return fail(c, registered.error);
    return c.json(participantJson(registered.value.participant), registered.value.created ? 201 : 200);
  });
  app.get('/network/v1/participants', (c) => guard(c, 'read') ?? c.json({ participants: service.listParticipants().map(participantJson) }));
  app.post('/network/v1/participants/:participantId/keys', async (c) => {
    const denied = guard(c, 'write');
    if (denied) return denied;
    const body = await parseJsonBody(c, addParticipantKeyRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    const added = await service.addParticipantKey(c.req.param('participantId'), body.value);
    return added.ok ? c.json(participantJson(added.value), 201) : fail(c, added.error);
  });

  app.put('/network/v1/fx-rates/:base/:quote', async (c) => {
    const denied = guard(c, 'write');
    if (denied) return denied;
    const body = await parseJsonBody(c, putFxRateRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    const set = await service.setFxRate({ base: c.req.param('base'), quote: c.req.param('quote') }, body.value);
    return set.ok ? c.json(fxRateJson(set.value), 201) : fail(c, set.error);
  });
  app.get('/network/v1/fx-rates', async (c) => guard(c, 'read') ?? c.json({ fxRates: (await service.listFxRates(FX_RATES_LISTED_MAX)).map(fxRateJson) }));

  app.get('/network/v1/payments/:paymentId', async (c) => {
    const denied = guard(c, 'read');
    if (denied) return denied;
    const found = await service.getPayment(c.req.param('paymentId'));
    return found.ok ? c.json(paymentJson(found.value.payment, found.value.refunds)) : fail(c, found.error);
  });
  app.get('/network/v1/payments', async (c) => {
    const denied = guard(c, 'read');
    if (denied) return denied;
    const query = parseValue(paymentListQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    const listed = await service.listPayments(query.value.status === undefined ? { limit: query.value.limit } : { status: query.value.status, limit: query.value.limit });
    return c.json({ payments: listed.map((p) => paymentFields(p)) });
  });
  app.get('/network/v1/positions', async (c) => guard(c, 'read') ?? c.json({ positions: (await service.positions()).map(positionJson) }));

  const options = deps.protocol;
  mountProtocolRoute(app, 'networkPay', options, (request, from) => service.pay(from.clientId, request));
  mountProtocolRoute(app, 'networkInquiryPayment', options, (request, from) => service.inquiryPayment(from.clientId, request));
  mountProtocolRoute(app, 'networkCancelPayment', options, (request, from) => service.cancelPayment(from.clientId, request));
  mountProtocolRoute(app, 'networkRefund', options, (request, from) => service.refund(from.clientId, request));
  mountProtocolRoute(app, 'networkInquiryRefund', options, (request, from) => service.inquiryRefund(from.clientId, request));
  mountProtocolRoute(app, 'networkUserInitiatedPay', options, (request, from) => service.userInitiatedPay(from.clientId, request));
  mountProtocolRoute(app, 'networkInquiryExchangeRate', options, (request, from) => service.inquiryExchangeRate(from.clientId, request));
}

// ---------------------------------------------------------------- views

export function participantJson(p: Participant) {
  return {
    participantId: p.participantId,
    role: p.role,
    name: p.name,
    baseUrl: p.baseUrl,
    currency: p.currency,
    ...(p.role === 'wallet' ? { codePrefix: p.codePrefix } : { merchantIdPrefix: p.merchantIdPrefix }),
    keys: p.keys.map((k) => ({ keyVersion: k.keyVersion, publicKey: k.publicKeyPem, addedAt: k.addedAt.toISOString() })),
    registeredAt: p.registeredAt.toISOString(),
  };
}

export function fxRateJson(r: FxRateRecord) {
  return { quoteId: r.quoteId, baseCurrency: r.base, quoteCurrency: r.quote, rate: r.rate, validFrom: r.validFrom.toISOString(), recordedAt: r.recordedAt.toISOString() };
}

function paymentFields(p: NetworkPayment) {
  return {
    paymentId: p.paymentId,
    acquirerId: p.acquirerId,
    paymentRequestId: p.paymentRequestId,
    walletId: p.walletId,
    merchant: p.merchant,
    paymentAmount: amountToJson(p.paymentAmount),
    payAmount: amountToJson(p.payAmount),
    fxQuote: fxQuoteWire(p),
    status: p.status,
    stage: p.stage,
    resultCode: p.resultCode,
    resultMessage: p.resultMessage,
    payerId: p.payerId,
    paymentTime: p.paymentTime?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

function refundJson(r: NetworkRefund) {
  return {
    refundId: r.refundId,
    refundRequestId: r.refundRequestId,
    status: r.status,
    refundAmount: amountToJson(r.refundAmount),
    refundPayAmount: amountToJson(r.refundPayAmount),
    resultCode: r.resultCode,
    refundTime: r.refundTime?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

export function paymentJson(p: NetworkPayment, refunds: readonly NetworkRefund[]) {
  return { ...paymentFields(p), refunds: refunds.map(refundJson) };
}

export function positionJson(p: ParticipantPosition) {
  // Shaped like an amount; the value carries a sign only if a position ever turns (it cannot before settlement exists).
  return { participantId: p.participantId, role: p.role, accountId: p.accountId, position: { currency: p.position.currency, value: p.position.value.toString() } };
}

// ---------------------------------------------------------------- OpenAPI

const TAG = 'network';
const AUTH_ERRORS = [{ status: 401, code: 'UNAUTHENTICATED' }] as const;
const WRITE_ERRORS = [...AUTH_ERRORS, { status: 403, code: 'FORBIDDEN' }, { status: 400, code: 'INVALID_REQUEST' }] as const;

function protocolDoc(name: keyof typeof PROTOCOL_ENDPOINTS, summary: string): RouteDoc {
  const endpoint = PROTOCOL_ENDPOINTS[name];
  return { method: 'post', path: endpoint.path, summary, tag: 'network protocol', security: 'signed', request: endpoint.request, response: endpoint.response };
}

export const NETWORK_ROUTE_DOCS: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/network/v1/participants',
    summary: 'Register a wallet or an acquirer (201; the same registration again is 200)',
    tag: TAG,
    security: 'networkOperatorKey',
    request: registerParticipantRequestSchema,
    response: participantSchema,
    errors: [...WRITE_ERRORS, { status: 409, code: 'PARTICIPANT_EXISTS' }, { status: 409, code: 'CODE_PREFIX_TAKEN' }, { status: 409, code: 'MERCHANT_ID_PREFIX_OVERLAPS' }, { status: 400, code: 'CURRENCY_NOT_SUPPORTED' }],
  },
  { method: 'get', path: '/network/v1/participants', summary: 'List participants', tag: TAG, security: 'networkOperatorKey', response: participantListSchema, errors: AUTH_ERRORS },
  {
    method: 'post',
    path: '/network/v1/participants/{participantId}/keys',
    summary: "Add a version of a participant's public key (rotation)",
    tag: TAG,
    security: 'networkOperatorKey',
    request: addParticipantKeyRequestSchema,
    response: participantSchema,
    errors: [...WRITE_ERRORS, { status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'KEY_VERSION_EXISTS' }],
  },
  {
    method: 'put',
    path: '/network/v1/fx-rates/{base}/{quote}',
    summary: 'Publish a rate: 1 base = rate quote, from validFrom (earlier rates are kept)',
    tag: TAG,
    security: 'networkOperatorKey',
    request: putFxRateRequestSchema,
    response: fxRateSchema,
    errors: WRITE_ERRORS,
  },
  { method: 'get', path: '/network/v1/fx-rates', summary: 'Every published rate, newest first', tag: TAG, security: 'networkOperatorKey', response: fxRateListSchema, errors: AUTH_ERRORS },
  {
    method: 'get',
    path: '/network/v1/payments/{paymentId}',
    summary: 'A payment with its refunds',
    tag: TAG,
    security: 'networkOperatorKey',
    response: paymentViewSchema,
    errors: [...AUTH_ERRORS, { status: 404, code: 'NOT_FOUND' }],
  },
  {
    method: 'get',
    path: '/network/v1/payments',
    summary: 'Payments, newest first (?status=&limit=)',
    tag: TAG,
    security: 'networkOperatorKey',
    response: paymentListSchema,
    errors: [...AUTH_ERRORS, { status: 400, code: 'INVALID_REQUEST' }],
  },
  { method: 'get', path: '/network/v1/positions', summary: "Each participant's position, from the ledger", tag: TAG, security: 'networkOperatorKey', response: positionListSchema, errors: AUTH_ERRORS },
  protocolDoc('networkPay', 'Acquirer → network: charge the holder of a payment code'),
  protocolDoc('networkInquiryPayment', "Acquirer → network: a payment's status"),
  protocolDoc('networkCancelPayment', 'Acquirer → network: cancel a payment (also one not seen yet)'),
  protocolDoc('networkRefund', 'Acquirer → network: refund a successful payment, in full or in part'),
  protocolDoc('networkInquiryRefund', "Acquirer → network: a refund's status"),
  protocolDoc('networkUserInitiatedPay', "Wallet → network: the user scanned a merchant's QR"),
  protocolDoc('networkInquiryExchangeRate', 'Participant → network: the rate a payment would be locked at now (an estimate to show before paying)'),
];
