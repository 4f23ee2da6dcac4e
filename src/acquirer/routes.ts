/**
 * The acquirer's HTTP surface: the operator's and the POS's public API, and
 * the signed protocol routes the network calls. Thin (STYLE 5): authenticate,
 * parse, call one service function, map the result.
 */
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorBody } from '../platform/http/app.ts';
import { apiError, bearerToken, parseJsonBody, parseValue, type RouteDoc } from '../platform/http/contract.ts';
import type { Result } from '../platform/result.ts';
import {
  mountProtocolRoute,
  notifyPaymentRequestSchema,
  notifyPaymentResponseSchema,
  userInitiatedPayRequestSchema,
  userInitiatedPayResponseSchema,
  mountReconciliationRoutes,
  mountSettlementRoutes,
  reconciliationRouteDocs,
  settlementRouteDocs,
  type ProtocolServerOptions,
  type ReconciliationService,
  type SettlementService,
} from '../protocol/index.ts';
import { formatBusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import {
  addStoreSchema,
  addTerminalSchema,
  createOrderSchema,
  confirmPayoutSchema,
  listMerchantsQuerySchema,
  listPayoutsQuerySchema,
  MERCHANTS_PAGE_MAX,
  merchantViewSchema,
  orderViewSchema,
  paymentViewSchema,
  PAYOUTS_PAGE_MAX,
  payoutRunViewSchema,
  payoutViewSchema,
  posPaymentSchema,
  refundRequestSchema,
  refundViewSchema,
  registerMerchantSchema,
  rejectMerchantSchema,
  returnPayoutSchema,
  runPayoutsSchema,
  setMdrSchema,
  terminalCreatedSchema,
  terminalViewSchema,
} from './contract.ts';
import { paymentRefusal, toApiError, type AcquirerError } from './errors.ts';
import type { PaymentEvents } from './events.ts';
import { PAYOUT_FILE_MEDIA_TYPE } from './payout-file.ts';
import type { PayoutDetail, PayoutRunDetail, PayoutService } from './payout-service.ts';
import type { ProtocolHandlers } from './protocol-handlers.ts';
import type { AcquirerService, OrderStatus } from './service.ts';
import { PAYMENT_VIEW_FINAL } from './state-machines.ts';
import type { Merchant, Order, Payment, Principal, Refund, Terminal } from './types.ts';

/** Longest a live view of one payment stays open, in seconds; the POS reconnects if it still cares. */
export const PAYMENT_EVENTS_SECONDS_MAX = 120;

type Role = 'operator' | 'terminal' | 'either';

// ------------------------------------------------------------ views

export function merchantView(m: Merchant) {
  return {
    merchantId: m.merchantId,
    legalName: m.legalName,
    businessRegistrationNumber: formatBusinessRegistrationNumber(m.businessRegistrationNumber),
    mcc: m.mcc,
    address: m.address,
    city: m.city,
    settlementAccount: m.settlementAccount,
    mdrBps: m.mdrBps,
    status: m.status,
    ...(m.rejectReason === null ? {} : { reason: m.rejectReason }),
    createdAt: m.createdAt,
  };
}

const krw = (value: bigint) => ({ currency: 'KRW', value: value.toString() });

export function refundView(r: Refund) {
  return {
    refundId: r.refundId,
    refundRequestId: r.refundRequestId,
    paymentId: r.paymentId,
    amount: krw(r.amountKrw),
    status: r.status,
    ...(r.resultCode === null ? {} : { resultCode: r.resultCode }),
    createdAt: r.createdAt,
  };
}

export function paymentView(p: Payment, refunds?: readonly Refund[]) {
  return {
    paymentId: p.paymentId,
    paymentRequestId: p.requestId,
    origin: p.origin,
    merchantId: p.merchantId,
    storeId: p.storeId,
    terminalId: p.terminalId,
    orderId: p.orderId,
    status: p.status,
    amount: krw(p.amountKrw),
    ...(p.payAmount === null ? {} : { payAmount: p.payAmount }),
    ...(p.fxQuote === null ? {} : { fxRate: p.fxQuote }),
    ...(p.payerId === null ? {} : { payerId: p.payerId }),
    ...(p.paidAt === null ? {} : { paidAt: p.paidAt }),
    ...(p.resultCode === null ? {} : { resultCode: p.resultCode }),
    ...(refunds === undefined ? {} : { refunds: refunds.map(refundView) }),
    createdAt: p.createdAt,
  };
}

function orderView(order: Order, status: OrderStatus, payment: Payment | null) {
  return {
    orderId: order.orderId,
    paymentRequestId: order.paymentRequestId,
    merchantId: order.merchantId,
    storeId: order.storeId,
    terminalId: order.terminalId,
    amount: krw(order.amountKrw),
    qrPayload: order.qrPayload,
    expiresAt: order.expiresAt,
    status,
    ...(payment === null ? {} : { payment: { paymentId: payment.paymentId, status: payment.status } }),
  };
}

export function payoutView({ payout: p, attempts }: PayoutDetail) {
  return {
    payoutId: p.payoutId,
    businessDay: p.businessDay,
    merchantId: p.merchantId,
    state: p.state,
    attempt: p.attempt,
    captured: krw(p.capturedKrw),
    reversed: krw(p.reversedKrw),
    net: krw(p.netKrw),
    mdrBps: p.mdrBps,
    fee: krw(p.feeKrw),
    amount: krw(p.amountKrw),
    entryCount: p.entryCount,
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      businessDay: a.businessDay,
      valueDate: a.valueDate,
      amount: krw(a.amountKrw),
      settlementAccount: a.settlementAccount,
      outcome: a.outcome,
      ...(a.reason === null ? {} : { reason: a.reason }),
      hold: a.hold,
      createdAt: a.createdAt,
      ...(a.resolvedAt === null ? {} : { resolvedAt: a.resolvedAt }),
    })),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function payoutRunView(detail: PayoutRunDetail, created: boolean) {
  return {
    businessDay: detail.run.businessDay,
    valueDate: detail.run.valueDate,
    createdAt: detail.run.createdAt,
    created,
    payouts: detail.payouts.map(payoutView),
    carriedForward: detail.carriedForward.map((c) => ({ merchantId: c.merchantId, shortfall: krw(c.shortfallKrw) })),
    file: { detailCount: detail.file.detailCount, total: krw(detail.file.totalKrw), checksum: detail.file.checksum },
  };
}

/** How the outcome of a payment is answered to the POS: by its status. */
function paymentAnswer(c: Context, payment: Payment): Response {
  switch (payment.status) {
    case 'SUCCESS':
      return c.json(paymentView(payment), 201);
    case 'PROCESSING':
      return c.json({ paymentId: payment.paymentId, status: 'PROCESSING' }, 202);
    case 'FAIL': {
      const refusal = paymentRefusal(payment.resultCode);
      const body = errorBody(refusal.code, `the payment was refused: ${payment.resultCode ?? 'no reason given'}`);
      return c.json({ ...body, paymentId: payment.paymentId, status: 'FAIL', resultCode: payment.resultCode }, refusal.status);
    }
    case 'CANCELLED': {
      const body = errorBody('PAYMENT_TIMED_OUT', 'the outcome stayed unknown past the deadline, so the payment was cancelled; nothing was charged');
      return c.json({ ...body, paymentId: payment.paymentId, status: 'CANCELLED' }, 504);
    }
  }
}

// ------------------------------------------------------------ mounting

export interface RouteDeps {
  readonly service: AcquirerService;
  readonly payouts: PayoutService;
  readonly handlers: ProtocolHandlers;
  readonly events: PaymentEvents;
  readonly protocol: ProtocolServerOptions;
  readonly reconciliation: ReconciliationService;
  readonly settlement: SettlementService;
}

export function mountAcquirerRoutes(app: Hono, deps: RouteDeps): void {
  const { service } = deps;
  const fail = (c: Context, error: AcquirerError): Response => apiError(c, toApiError(error));

  async function authorise(c: Context, role: Role): Promise<Result<Principal, AcquirerError>> {
    const principal = await service.authenticate(bearerToken(c));
    if (!principal.ok) return principal;
    if (role === 'operator' && principal.value.kind !== 'operator') return { ok: false, error: { kind: 'forbidden', message: "this is the operator's endpoint" } };
    if (role === 'terminal' && principal.value.kind !== 'terminal') return { ok: false, error: { kind: 'forbidden', message: 'this is a terminal endpoint: use a terminal key' } };
    return principal;
  }

  const operator = async (c: Context): Promise<Response | null> => {
    const who = await authorise(c, 'operator');
    return who.ok ? null : fail(c, who.error);
  };
  mountReconciliationRoutes(app, { prefix: '/acquirer/v1', reconciliation: deps.reconciliation, operator });
  mountSettlementRoutes(app, { prefix: '/acquirer/v1', settlement: deps.settlement, operator });

  async function terminalOf(c: Context): Promise<Result<Terminal, AcquirerError>> {
    const principal = await authorise(c, 'terminal');
    if (!principal.ok) return principal;
    if (principal.value.kind !== 'terminal') throw new Error('assertion failed: authorise(terminal) gives a terminal');
    return { ok: true, value: principal.value.terminal };
  }

  const json = <T>(c: Context, r: Result<T, AcquirerError>, view: (value: T) => unknown, status: ContentfulStatusCode = 200): Response =>
    r.ok ? c.json(view(r.value) as object, status) : fail(c, r.error);

  app.post('/acquirer/v1/merchants', async (c) => {
    const who = await authorise(c, 'operator');
    if (!who.ok) return fail(c, who.error);
    const body = await parseJsonBody(c, registerMerchantSchema);
    if (!body.ok) return apiError(c, body.error);
    return json(c, await service.registerMerchant(body.value), (m) => ({ merchantId: m.merchantId, status: m.status }), 201);
  });

  app.get('/acquirer/v1/merchants', async (c) => {
    const who = await authorise(c, 'operator');
    if (!who.ok) return fail(c, who.error);
    const query = parseValue(listMerchantsQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    const merchants = await service.listMerchants({ ...(query.value.after === undefined ? {} : { after: query.value.after }), limit: query.value.limit ?? MERCHANTS_PAGE_MAX });
    return c.json({ merchants: merchants.map(merchantView), nextAfter: merchants.length === (query.value.limit ?? MERCHANTS_PAGE_MAX) ? (merchants.at(-1)?.merchantId ?? null) : null });
  });

  app.get('/acquirer/v1/merchants/:id', async (c) => {
    const who = await authorise(c, 'operator');
    if (!who.ok) return fail(c, who.error);
    return json(c, await service.getMerchant(c.req.param('id')), merchantView);
  });

  // What the acquirer owes the merchant now (its ledger's payable account): paid, less refunded, less paid out.
  // Refunds after a payout can take it below zero (a shortfall carried forward); amounts carry no sign on the
  // wire, so that is `payable` 0 and a `shortfall`.
  app.get('/acquirer/v1/merchants/:id/balance', async (c) => {
    const who = await authorise(c, 'operator');
    if (!who.ok) return fail(c, who.error);
    const merchant = await service.getMerchant(c.req.param('id'));
    if (!merchant.ok) return fail(c, merchant.error);
    const balance = await service.merchantBalanceKrw(merchant.value.merchantId);
    return c.json({ merchantId: merchant.value.merchantId, payable: krw(balance > 0n ? balance : 0n), ...(balance < 0n ? { shortfall: krw(-balance) } : {}) });
  });

  app.put('/acquirer/v1/merchants/:id/mdr', async (c) => {
    const who = await authorise(c, 'operator');
    if (!who.ok) return fail(c, who.error);
    const body = await parseJsonBody(c, setMdrSchema);
    if (!body.ok) return apiError(c, body.error);
    return json(c, await service.setMerchantMdr(c.req.param('id'), body.value), (m) => ({ merchantId: m.merchantId, mdrBps: m.mdrBps }));
  });

  app.post('/acquirer/v1/merchants/:id/approve', async (c) => {
    const who = await authorise(c, 'operator');
    if (!who.ok) return fail(c, who.error);
    return json(c, await service.approveMerchant(c.req.param('id')), (m) => ({ merchantId: m.merchantId, status: m.status }));
  });

  app.post('/acquirer/v1/merchants/:id/reject', async (c) => {
    const who = await authorise(c, 'operator');
    if (!who.ok) return fail(c, who.error);
    const body = await parseJsonBody(c, rejectMerchantSchema);
    if (!body.ok) return apiError(c, body.error);
    return json(c, await service.rejectMerchant(c.req.param('id'), body.value.reason), (m) => ({ merchantId: m.merchantId, status: m.status, reason: m.rejectReason }));
  });

  app.post('/acquirer/v1/merchants/:id/stores', async (c) => {
    const who = await authorise(c, 'operator');
    if (!who.ok) return fail(c, who.error);
    const body = await parseJsonBody(c, addStoreSchema);
    if (!body.ok) return apiError(c, body.error);
    return json(c, await service.addStore(c.req.param('id'), body.value), (s) => ({ storeId: s.storeId, merchantId: s.merchantId, name: s.name, address: s.address }), 201);
  });

  app.post('/acquirer/v1/merchants/:id/terminals', async (c) => {
    const who = await authorise(c, 'operator');
    if (!who.ok) return fail(c, who.error);
    const body = await parseJsonBody(c, addTerminalSchema);
    if (!body.ok) return apiError(c, body.error);
    return json(
      c,
      await service.addTerminal(c.req.param('id'), body.value),
      ({ terminal, terminalKey }) => ({ terminalId: terminal.terminalId, terminalKey, merchantId: terminal.merchantId, storeId: terminal.storeId, label: terminal.label }),
      201,
    );
  });

  // The terminal a key belongs to, and its merchant's name: what a POS shows once it is signed in.
  app.get('/acquirer/v1/terminal', async (c) => {
    const terminal = await terminalOf(c);
    if (!terminal.ok) return fail(c, terminal.error);
    const merchant = await service.getMerchant(terminal.value.merchantId);
    if (!merchant.ok) return fail(c, merchant.error);
    const { terminalId, merchantId, storeId, label } = terminal.value;
    return c.json({ terminalId, merchantId, storeId, label, merchantName: merchant.value.legalName });
  });

  app.get('/acquirer/v1/merchants/:id/qr', async (c) => {
    const who = await authorise(c, 'either');
    if (!who.ok) return fail(c, who.error);
    return json(c, await service.merchantQr(who.value, c.req.param('id')), (qrPayload) => ({ qrPayload }));
  });

  app.post('/acquirer/v1/orders', async (c) => {
    const terminal = await terminalOf(c);
    if (!terminal.ok) return fail(c, terminal.error);
    const body = await parseJsonBody(c, createOrderSchema);
    if (!body.ok) return apiError(c, body.error);
    return json(c, await service.createOrder(terminal.value, body.value), (o) => ({ orderId: o.orderId, qrPayload: o.qrPayload, amount: krw(o.amountKrw), expiresAt: o.expiresAt }), 201);
  });

  app.get('/acquirer/v1/orders/:id', async (c) => {
    const who = await authorise(c, 'either');
    if (!who.ok) return fail(c, who.error);
    return json(c, await service.getOrder(who.value, c.req.param('id')), ({ order, status, payment }) => orderView(order, status, payment));
  });

  app.post('/acquirer/v1/payments', async (c) => {
    const terminal = await terminalOf(c);
    if (!terminal.ok) return fail(c, terminal.error);
    const body = await parseJsonBody(c, posPaymentSchema);
    if (!body.ok) return apiError(c, body.error);
    const paid = await service.payAtPos(terminal.value, body.value);
    return paid.ok ? paymentAnswer(c, paid.value) : fail(c, paid.error);
  });

  app.get('/acquirer/v1/payments/:id', async (c) => {
    const who = await authorise(c, 'either');
    if (!who.ok) return fail(c, who.error);
    return json(c, await service.getPayment(who.value, c.req.param('id')), ({ payment, refunds }) => paymentView(payment, refunds));
  });

  app.get('/acquirer/v1/payments/:id/events', async (c) => {
    const who = await authorise(c, 'either');
    if (!who.ok) return fail(c, who.error);
    const found = await service.getPayment(who.value, c.req.param('id'));
    if (!found.ok) return fail(c, found.error);
    return paymentEvents(c, deps, who.value, found.value.payment);
  });

  app.post('/acquirer/v1/payments/:id/refunds', async (c) => {
    const who = await authorise(c, 'either');
    if (!who.ok) return fail(c, who.error);
    const body = await parseJsonBody(c, refundRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    const refunded = await service.refund(who.value, c.req.param('id'), body.value);
    if (!refunded.ok) return fail(c, refunded.error);
    const refund = refunded.value;
    if (refund.status === 'FAIL') {
      return c.json({ ...errorBody('REFUND_REFUSED', `the network refused the refund: ${refund.resultCode ?? 'no reason given'}`), refundId: refund.refundId, status: 'FAIL', resultCode: refund.resultCode }, 422);
    }
    return c.json(refundView(refund), refund.status === 'SUCCESS' ? 201 : 202);
  });

  app.post('/acquirer/v1/payments/:id/cancel', async (c) => {
    const who = await authorise(c, 'either');
    if (!who.ok) return fail(c, who.error);
    return json(c, await service.cancelPayment(who.value, c.req.param('id')), (p) => paymentView(p));
  });

  mountPayoutRoutes(app, deps, authorise);

  mountProtocolRoute(app, 'acquirerNotifyPayment', deps.protocol, deps.handlers.notifyPayment);
  mountProtocolRoute(app, 'acquirerUserInitiatedPay', deps.protocol, deps.handlers.userInitiatedPay);
}

/** The operator's payout routes: run a business day, read runs and payouts, download a run's file, enter the bank's word. */
function mountPayoutRoutes(app: Hono, deps: RouteDeps, authorise: (c: Context, role: Role) => Promise<Result<Principal, AcquirerError>>): void {
  const { payouts } = deps;
  const fail = (c: Context, error: AcquirerError): Response => apiError(c, toApiError(error));
  const operator = async (c: Context): Promise<Response | null> => {
    const who = await authorise(c, 'operator');
    return who.ok ? null : fail(c, who.error);
  };
  const detail = (c: Context, r: Result<PayoutDetail, AcquirerError>): Response => (r.ok ? c.json(payoutView(r.value)) : fail(c, r.error));

  app.post('/acquirer/v1/payout-runs', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const body = await parseJsonBody(c, runPayoutsSchema);
    if (!body.ok) return apiError(c, body.error);
    const ran = await payouts.run(body.value.businessDay);
    if (!ran.ok) return fail(c, ran.error);
    return c.json(payoutRunView(ran.value.detail, ran.value.created), ran.value.created ? 201 : 200);
  });

  app.get('/acquirer/v1/payout-runs/:day', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const run = await payouts.getRun(c.req.param('day'));
    return run.ok ? c.json(payoutRunView(run.value, false)) : fail(c, run.error);
  });

  app.get('/acquirer/v1/payout-runs/:day/file', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const run = await payouts.getRun(c.req.param('day'));
    if (!run.ok) return fail(c, run.error);
    const { file } = run.value;
    return c.body(file.text, 200, {
      'Content-Type': PAYOUT_FILE_MEDIA_TYPE,
      'Content-Disposition': `attachment; filename="payouts-${run.value.run.businessDay}.csv"`,
      ETag: `"${file.checksum}"`,
    });
  });

  app.get('/acquirer/v1/payouts', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const query = parseValue(listPayoutsQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    const { businessDay, merchantId, state, after } = query.value;
    const limit = query.value.limit ?? PAYOUTS_PAGE_MAX;
    const listed = await payouts.listPayouts({
      ...(businessDay === undefined ? {} : { businessDay }),
      ...(merchantId === undefined ? {} : { merchantId }),
      ...(state === undefined ? {} : { state }),
      ...(after === undefined ? {} : { afterId: after }),
      limit,
    });
    if (!listed.ok) return fail(c, listed.error);
    return c.json({ payouts: listed.value.map(payoutView), nextAfter: listed.value.length === limit ? (listed.value.at(-1)?.payout.payoutId ?? null) : null });
  });

  app.get('/acquirer/v1/payouts/:id', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    return detail(c, await payouts.getPayout(c.req.param('id')));
  });

  app.post('/acquirer/v1/payouts/:id/confirm', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const body = await parseJsonBody(c, confirmPayoutSchema);
    if (!body.ok) return apiError(c, body.error);
    return detail(c, await payouts.confirm(c.req.param('id'), body.value.attempt));
  });

  app.post('/acquirer/v1/payouts/:id/return', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const body = await parseJsonBody(c, returnPayoutSchema);
    if (!body.ok) return apiError(c, body.error);
    return detail(c, await payouts.returnPayout(c.req.param('id'), body.value));
  });

  app.post('/acquirer/v1/payouts/:id/release', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    return detail(c, await payouts.release(c.req.param('id')));
  });
}

/**
 * The POS's live view of one payment (Server-Sent Events): its status now,
 * then each change, ending at a final status or after PAYMENT_EVENTS_SECONDS_MAX.
 */
function paymentEvents(c: Context, deps: RouteDeps, principal: Principal, initial: Payment): Response {
  return streamSSE(c, async (stream) => {
    const queue: Payment[] = [];
    let wake: (() => void) | null = null;
    let aborted = false;
    const unsubscribe = deps.events.subscribe(initial.paymentId, (payment) => {
      queue.push(payment);
      wake?.();
    });
    if (unsubscribe === null) {
      await stream.writeSSE({ event: 'error', data: JSON.stringify({ code: 'TOO_MANY_VIEWS', message: 'this payment has too many live views' }) });
      return;
    }
    stream.onAbort(() => {
      aborted = true;
      wake?.();
    });
    let sequence = 0;
    const send = (p: Payment) => stream.writeSSE({ event: 'status', id: String(++sequence), data: JSON.stringify({ paymentId: p.paymentId, status: p.status, ...(p.resultCode === null ? {} : { resultCode: p.resultCode }) }) });
    try {
      // Read again after subscribing, so that a change between the first read and the subscription is not missed.
      const now = await deps.service.getPayment(principal, initial.paymentId);
      let last = now.ok ? now.value.payment : initial;
      await send(last);
      const endAtMs = Date.now() + PAYMENT_EVENTS_SECONDS_MAX * 1000;
      while (!PAYMENT_VIEW_FINAL.has(last.status) && !aborted && Date.now() < endAtMs) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, endAtMs - Date.now());
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          if (next.status === last.status) continue;
          last = next;
          await send(last);
        }
      }
    } finally {
      unsubscribe();
    }
  });
}

// ------------------------------------------------------------ documentation

const E = (status: number, code: string) => ({ status, code });
const AUTH = [E(401, 'UNAUTHENTICATED'), E(403, 'FORBIDDEN')];
const BAD = E(400, 'INVALID_REQUEST');
const TAG = 'acquirer';
const PAYOUT_TAG = 'acquirer (payouts)';

export const ACQUIRER_ROUTE_DOCS: readonly RouteDoc[] = [
  ...reconciliationRouteDocs('/acquirer/v1', 'acquirer reconciliation', 'operatorKey'),
  ...settlementRouteDocs('/acquirer/v1', 'acquirer reconciliation', 'operatorKey'),
  { method: 'post', path: '/acquirer/v1/merchants', summary: 'Sign up a merchant (pending review)', tag: TAG, security: 'operatorKey', request: registerMerchantSchema, errors: [...AUTH, BAD, E(400, 'INVALID_BUSINESS_REGISTRATION_NUMBER')] },
  { method: 'get', path: '/acquirer/v1/merchants', summary: 'List merchants, a page at a time', tag: TAG, security: 'operatorKey', errors: [...AUTH, BAD] },
  { method: 'get', path: '/acquirer/v1/merchants/{id}', summary: 'A merchant', tag: TAG, security: 'operatorKey', response: merchantViewSchema, errors: [...AUTH, E(404, 'NOT_FOUND')] },
  { method: 'get', path: '/acquirer/v1/merchants/{id}/balance', summary: 'What the acquirer owes the merchant now (paid, less refunded, less paid out), from its ledger; a shortfall when refunds after a payout exceed new sales', tag: TAG, security: 'operatorKey', errors: [...AUTH, E(404, 'NOT_FOUND')] },
  { method: 'put', path: '/acquirer/v1/merchants/{id}/mdr', summary: "Set a merchant's discount rate (basis points of each payout's net) for payouts from now on", tag: TAG, security: 'operatorKey', request: setMdrSchema, errors: [...AUTH, BAD, E(404, 'NOT_FOUND')] },
  { method: 'post', path: '/acquirer/v1/merchants/{id}/approve', summary: 'Approve a pending merchant', tag: TAG, security: 'operatorKey', errors: [...AUTH, E(404, 'NOT_FOUND'), E(409, 'INVALID_STATE')] },
  { method: 'post', path: '/acquirer/v1/merchants/{id}/reject', summary: 'Reject a pending merchant', tag: TAG, security: 'operatorKey', request: rejectMerchantSchema, errors: [...AUTH, BAD, E(404, 'NOT_FOUND'), E(409, 'INVALID_STATE')] },
  { method: 'post', path: '/acquirer/v1/merchants/{id}/stores', summary: 'Add a store to a merchant', tag: TAG, security: 'operatorKey', request: addStoreSchema, errors: [...AUTH, BAD, E(404, 'NOT_FOUND')] },
  { method: 'post', path: '/acquirer/v1/merchants/{id}/terminals', summary: 'Register a POS terminal; its key is shown once', tag: TAG, security: 'operatorKey', request: addTerminalSchema, response: terminalCreatedSchema, errors: [...AUTH, BAD, E(404, 'NOT_FOUND'), E(409, 'MERCHANT_NOT_APPROVED')] },
  { method: 'get', path: '/acquirer/v1/terminal', summary: 'The terminal of this key, with its merchant’s name (the POS after signing in)', tag: TAG, security: 'terminalKey', response: terminalViewSchema, errors: [...AUTH] },
  { method: 'get', path: '/acquirer/v1/merchants/{id}/qr', summary: "The merchant's static EMVCo QR", tag: TAG, security: 'operatorOrTerminalKey', errors: [...AUTH, E(404, 'NOT_FOUND'), E(409, 'MERCHANT_NOT_APPROVED')] },
  { method: 'post', path: '/acquirer/v1/orders', summary: 'Create an order and its dynamic QR', tag: TAG, security: 'terminalKey', request: createOrderSchema, errors: [...AUTH, BAD, E(400, 'INVALID_AMOUNT'), E(409, 'IDEMPOTENCY_KEY_REUSED'), E(409, 'MERCHANT_NOT_APPROVED'), E(422, 'CURRENCY_NOT_SUPPORTED'), E(422, 'AMOUNT_EXCEEDS_LIMIT')] },
  { method: 'get', path: '/acquirer/v1/orders/{id}', summary: 'An order with its payment status', tag: TAG, security: 'operatorOrTerminalKey', response: orderViewSchema, errors: [...AUTH, E(404, 'NOT_FOUND')] },
  {
    method: 'post',
    path: '/acquirer/v1/payments',
    summary: "Charge the tourist's payment code (201 SUCCESS, 202 PROCESSING, 504 cancelled)",
    tag: TAG,
    security: 'terminalKey',
    request: posPaymentSchema,
    response: paymentViewSchema,
    errors: [
      ...AUTH,
      BAD,
      E(400, 'INVALID_AMOUNT'),
      E(402, 'INSUFFICIENT_BALANCE'),
      E(409, 'IDEMPOTENCY_KEY_REUSED'),
      E(409, 'MERCHANT_NOT_APPROVED'),
      E(422, 'CURRENCY_NOT_SUPPORTED'),
      E(422, 'AMOUNT_EXCEEDS_LIMIT'),
      E(422, 'INVALID_PAYMENT_CODE'),
      E(422, 'PAYMENT_CODE_EXPIRED'),
      E(422, 'LIMIT_EXCEEDED'),
      E(422, 'UNKNOWN_WALLET'),
      E(422, 'PAYMENT_REFUSED'),
      E(504, 'PAYMENT_TIMED_OUT'),
    ],
  },
  { method: 'get', path: '/acquirer/v1/payments/{id}', summary: 'A payment with its refunds', tag: TAG, security: 'operatorOrTerminalKey', response: paymentViewSchema, errors: [...AUTH, E(404, 'NOT_FOUND')] },
  { method: 'get', path: '/acquirer/v1/payments/{id}/events', summary: "A payment's status changes (text/event-stream)", tag: TAG, security: 'operatorOrTerminalKey', errors: [...AUTH, E(404, 'NOT_FOUND')] },
  {
    method: 'post',
    path: '/acquirer/v1/payments/{id}/refunds',
    summary: 'Refund a successful payment, in full or in part (201 SUCCESS, 202 PROCESSING)',
    tag: TAG,
    security: 'operatorOrTerminalKey',
    request: refundRequestSchema,
    response: refundViewSchema,
    errors: [...AUTH, BAD, E(400, 'INVALID_AMOUNT'), E(404, 'NOT_FOUND'), E(409, 'IDEMPOTENCY_KEY_REUSED'), E(409, 'PAYMENT_NOT_REFUNDABLE'), E(422, 'CURRENCY_NOT_SUPPORTED'), E(422, 'REFUND_EXCEEDS_PAYMENT'), E(422, 'REFUND_REFUSED')],
  },
  {
    method: 'post',
    path: '/acquirer/v1/payments/{id}/cancel',
    summary: 'Cancel a payment without refunds',
    tag: TAG,
    security: 'operatorOrTerminalKey',
    response: paymentViewSchema,
    errors: [...AUTH, E(404, 'NOT_FOUND'), E(409, 'PAYMENT_NOT_CANCELLABLE'), E(409, 'PAYMENT_HAS_REFUNDS'), E(409, 'CANCEL_REFUSED'), E(503, 'CANCEL_PENDING')],
  },
  {
    method: 'post',
    path: '/acquirer/v1/payout-runs',
    summary: 'Run the payouts of a business day that has ended (T+1): 201 created, 200 when it ran before (nothing is created twice)',
    tag: PAYOUT_TAG,
    security: 'operatorKey',
    request: runPayoutsSchema,
    response: payoutRunViewSchema,
    errors: [...AUTH, BAD, E(400, 'INVALID_BUSINESS_DAY'), E(409, 'BUSINESS_DAY_NOT_OVER')],
  },
  { method: 'get', path: '/acquirer/v1/payout-runs/{day}', summary: 'A payout run: its payouts, the shortfalls carried forward, its file summary', tag: PAYOUT_TAG, security: 'operatorKey', response: payoutRunViewSchema, errors: [...AUTH, E(400, 'INVALID_BUSINESS_DAY'), E(404, 'NOT_FOUND')] },
  { method: 'get', path: '/acquirer/v1/payout-runs/{day}/file', summary: "A payout run's file for the bank (text/csv; see payout-file.ts for the columns)", tag: PAYOUT_TAG, security: 'operatorKey', errors: [...AUTH, E(400, 'INVALID_BUSINESS_DAY'), E(404, 'NOT_FOUND')] },
  { method: 'get', path: '/acquirer/v1/payouts', summary: 'List payouts with their state (?businessDay&merchantId&state&after&limit)', tag: PAYOUT_TAG, security: 'operatorKey', errors: [...AUTH, BAD, E(400, 'INVALID_BUSINESS_DAY')] },
  { method: 'get', path: '/acquirer/v1/payouts/{id}', summary: 'A payout with its attempts', tag: PAYOUT_TAG, security: 'operatorKey', response: payoutViewSchema, errors: [...AUTH, E(404, 'NOT_FOUND')] },
  { method: 'post', path: '/acquirer/v1/payouts/{id}/confirm', summary: 'The bank paid this attempt', tag: PAYOUT_TAG, security: 'operatorKey', request: confirmPayoutSchema, response: payoutViewSchema, errors: [...AUTH, BAD, E(404, 'NOT_FOUND'), E(409, 'INVALID_PAYOUT_STATE')] },
  {
    method: 'post',
    path: '/acquirer/v1/payouts/{id}/return',
    summary: "The bank returned this attempt: the money is owed to the merchant again; the next run sends it again unless held",
    tag: PAYOUT_TAG,
    security: 'operatorKey',
    request: returnPayoutSchema,
    response: payoutViewSchema,
    errors: [...AUTH, BAD, E(404, 'NOT_FOUND'), E(409, 'INVALID_PAYOUT_STATE')],
  },
  { method: 'post', path: '/acquirer/v1/payouts/{id}/release', summary: 'Release a held payout: the next run sends it again', tag: PAYOUT_TAG, security: 'operatorKey', response: payoutViewSchema, errors: [...AUTH, E(404, 'NOT_FOUND'), E(409, 'INVALID_PAYOUT_STATE'), E(409, 'PAYOUT_ATTEMPTS_EXHAUSTED')] },
  { method: 'post', path: '/acquirer/network/v1/payments/notifyPayment', summary: "The network's final word on a payment", tag: 'acquirer (network)', security: 'signed', request: notifyPaymentRequestSchema, response: notifyPaymentResponseSchema },
  { method: 'post', path: '/acquirer/network/v1/payments/userInitiatedPay', summary: "A wallet scanned one of this acquirer's merchant QRs", tag: 'acquirer (network)', security: 'signed', request: userInitiatedPayRequestSchema, response: userInitiatedPayResponseSchema },
];
