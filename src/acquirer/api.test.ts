import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeMerchantQr } from '../qr/index.ts';
import { ACQUIRER_TEST_ENGINES, CODE, krw, merchantBody, OPERATOR_KEY, startHarness, type Harness } from './test-helpers.ts';

type Shop = Awaited<ReturnType<Harness['onboard']>>;
const code = (r: { body: Record<string, unknown> }) => (r.body.error as { code: string } | undefined)?.code;

for (const engine of ACQUIRER_TEST_ENGINES) {
  describe(`public API: authentication, roles, tenants, the error table, on ${engine}`, () => {
    let h: Harness;
    let a: Shop;
    let b: Shop;
    let paymentOfA = '';
    let orderOfA = '';
    before(async () => {
      h = await startHarness({ engine });
      a = await h.onboard('Shop A');
      b = await h.onboard('Shop B');
      const paid = await h.api('POST', '/acquirer/v1/payments', { token: a.terminalKey, body: { paymentRequestId: 'a-1', amount: krw(10_000), paymentCode: CODE } });
      assert.equal(paid.status, 201);
      paymentOfA = paid.body.paymentId as string;
      const order = await h.api('POST', '/acquirer/v1/orders', { token: a.terminalKey, body: { paymentRequestId: 'a-order-1', amount: krw(9_000) } });
      assert.equal(order.status, 201);
      orderOfA = order.body.orderId as string;
    });
    after(() => h.close());

    const operatorRoutes = (): Array<[string, string, unknown]> => [
      ['POST', '/acquirer/v1/merchants', merchantBody()],
      ['GET', '/acquirer/v1/merchants', undefined],
      ['GET', `/acquirer/v1/merchants/${a.merchantId}`, undefined],
      ['POST', `/acquirer/v1/merchants/${a.merchantId}/approve`, {}],
      ['POST', `/acquirer/v1/merchants/${a.merchantId}/reject`, { reason: 'x' }],
      ['POST', `/acquirer/v1/merchants/${a.merchantId}/stores`, { name: 'x' }],
      ['POST', `/acquirer/v1/merchants/${a.merchantId}/terminals`, { label: 'x' }],
    ];

    it('answers 401 without a key or with a wrong one, on every route', async () => {
      const routes: Array<[string, string, unknown]> = [
        ...operatorRoutes(),
        ['GET', `/acquirer/v1/merchants/${a.merchantId}/qr`, undefined],
        ['POST', '/acquirer/v1/orders', { paymentRequestId: 'x', amount: krw(1) }],
        ['GET', `/acquirer/v1/orders/${orderOfA}`, undefined],
        ['POST', '/acquirer/v1/payments', { paymentRequestId: 'x', amount: krw(1), paymentCode: CODE }],
        ['GET', `/acquirer/v1/payments/${paymentOfA}`, undefined],
        ['GET', `/acquirer/v1/payments/${paymentOfA}/events`, undefined],
        ['POST', `/acquirer/v1/payments/${paymentOfA}/refunds`, { refundRequestId: 'x', amount: krw(1) }],
        ['POST', `/acquirer/v1/payments/${paymentOfA}/cancel`, {}],
      ];
      for (const [method, path, body] of routes) {
        for (const token of [undefined, 'wrong-key', `${OPERATOR_KEY}x`, a.terminalKey.slice(1)]) {
          const r = await h.api(method, path, { ...(token === undefined ? {} : { token }), body });
          assert.equal(r.status, 401, `${method} ${path} with ${String(token)}`);
          assert.equal(code(r), 'UNAUTHENTICATED');
        }
      }
      assert.equal((await h.api('GET', `/acquirer/v1/payments/${paymentOfA}`, { token: OPERATOR_KEY })).body.status, 'SUCCESS', 'nothing changed');
    });

    it("answers 403 to a terminal key on the operator's endpoints, and to the operator on a terminal's", async () => {
      for (const [method, path, body] of operatorRoutes()) {
        const r = await h.api(method, path, { token: a.terminalKey, body });
        assert.equal(r.status, 403, `${method} ${path}`);
        assert.equal(code(r), 'FORBIDDEN');
      }
      for (const [path, body] of [
        ['/acquirer/v1/orders', { paymentRequestId: 'x', amount: krw(1) }],
        ['/acquirer/v1/payments', { paymentRequestId: 'x', amount: krw(1), paymentCode: CODE }],
      ] as const) {
        const r = await h.api('POST', path, { token: OPERATOR_KEY, body });
        assert.equal(r.status, 403, path);
      }
      assert.equal((await h.api('GET', `/acquirer/v1/merchants/${a.merchantId}`, { token: OPERATOR_KEY })).body.status, 'approved', 'nothing changed');
    });

    it("keeps tenants apart: terminal B cannot read, refund or cancel A's payment (404), nor read A's order or QR", async () => {
      const owed = await h.owedTo(a.merchantId);
      const cases: Array<[string, string, unknown, number]> = [
        ['GET', `/acquirer/v1/payments/${paymentOfA}`, undefined, 404],
        ['GET', `/acquirer/v1/payments/${paymentOfA}/events`, undefined, 404],
        ['POST', `/acquirer/v1/payments/${paymentOfA}/refunds`, { refundRequestId: 'b-steals', amount: krw(10_000) }, 404],
        ['POST', `/acquirer/v1/payments/${paymentOfA}/cancel`, {}, 404],
        ['GET', `/acquirer/v1/orders/${orderOfA}`, undefined, 404],
        ['GET', `/acquirer/v1/merchants/${a.merchantId}/qr`, undefined, 403],
      ];
      for (const [method, path, body, status] of cases) {
        const r = await h.api(method, path, { token: b.terminalKey, body });
        assert.equal(r.status, status, `${method} ${path}`);
      }
      const read = await h.api('GET', `/acquirer/v1/payments/${paymentOfA}`, { token: a.terminalKey });
      assert.equal(read.body.status, 'SUCCESS');
      assert.deepEqual(read.body.refunds, []);
      assert.equal(await h.owedTo(a.merchantId), owed);
      assert.equal(h.network.calls.refund.length + h.network.calls.cancel.length, 0);
    });

    it('refuses bad payment requests with a status and a code, before any money moves', async () => {
      const paysBefore = h.network.calls.pay.length;
      const owed = await h.owedTo(a.merchantId);
      const body = (overrides: Record<string, unknown>) => ({ paymentRequestId: `bad-${Math.random().toString(36).slice(2)}`, amount: krw(1_000), paymentCode: CODE, ...overrides });
      const cases: Array<{ name: string; body?: unknown; raw?: string; status: number; code: string; field?: RegExp }> = [
        { name: 'USD', body: body({ amount: { currency: 'USD', value: '100' } }), status: 422, code: 'CURRENCY_NOT_SUPPORTED' },
        { name: 'CNY', body: body({ amount: { currency: 'CNY', value: '100' } }), status: 422, code: 'CURRENCY_NOT_SUPPORTED' },
        { name: 'zero', body: body({ amount: krw(0) }), status: 400, code: 'INVALID_AMOUNT' },
        { name: 'over the limit', body: body({ amount: krw(50_000_001) }), status: 422, code: 'AMOUNT_EXCEEDS_LIMIT' },
        { name: 'negative', body: body({ amount: { currency: 'KRW', value: '-5' } }), status: 400, code: 'INVALID_REQUEST', field: /^amount\.value/ },
        { name: 'decimal', body: body({ amount: { currency: 'KRW', value: '10.5' } }), status: 400, code: 'INVALID_REQUEST', field: /^amount\.value/ },
        { name: 'number amount', body: body({ amount: { currency: 'KRW', value: 1000 } }), status: 400, code: 'INVALID_REQUEST', field: /^amount\.value/ },
        { name: 'short code', body: body({ paymentCode: '12345' }), status: 400, code: 'INVALID_REQUEST', field: /^paymentCode/ },
        { name: 'no request id', body: body({ paymentRequestId: undefined }), status: 400, code: 'INVALID_REQUEST', field: /^paymentRequestId/ },
        { name: 'bad request id', body: body({ paymentRequestId: 'has space' }), status: 400, code: 'INVALID_REQUEST', field: /^paymentRequestId/ },
        { name: 'not JSON', raw: 'amount=1000', status: 400, code: 'INVALID_REQUEST' },
      ];
      for (const c of cases) {
        const r = await h.api('POST', '/acquirer/v1/payments', { token: a.terminalKey, ...(c.raw === undefined ? { body: c.body } : { raw: c.raw }) });
        assert.equal(r.status, c.status, c.name);
        assert.equal(code(r), c.code, c.name);
        if (c.field) assert.match((r.body.error as { message: string }).message, c.field, c.name);
      }
      assert.equal(h.network.calls.pay.length, paysBefore, 'the network was never called');
      assert.equal(await h.owedTo(a.merchantId), owed);
    });

    it('refuses payments and orders for a merchant that is no longer approved… (a pending one cannot have terminals at all)', async () => {
      const pending = await h.api('POST', '/acquirer/v1/merchants', { token: OPERATOR_KEY, body: merchantBody() });
      const r = await h.api('POST', `/acquirer/v1/merchants/${pending.body.merchantId as string}/terminals`, { token: OPERATOR_KEY, body: { label: 'x' } });
      assert.equal(code(r), 'MERCHANT_NOT_APPROVED');
    });

    it('creates orders with a dynamic QR carrying the amount and the order id, idempotently', async () => {
      const r = await h.api('POST', '/acquirer/v1/orders', { token: a.terminalKey, body: { paymentRequestId: 'o-1', amount: krw(12_300), expiresInSeconds: 60 } });
      assert.equal(r.status, 201);
      assert.match(r.body.orderId as string, /^O[0-9a-f]{16}$/);
      const decoded = decodeMerchantQr(r.body.qrPayload as string);
      assert.ok(decoded.ok);
      assert.equal(decoded.value.initiation, 'dynamic');
      assert.deepEqual(decoded.value.dari, { tag: '26', merchantId: a.merchantId, storeId: a.storeId, orderReference: r.body.orderId });
      assert.equal(decoded.value.amount?.value, 12_300n);
      assert.equal(decoded.value.currency, 'KRW');
      const expiresInMs = Date.parse(r.body.expiresAt as string) - Date.now();
      assert.ok(expiresInMs > 55_000 && expiresInMs <= 60_000, String(expiresInMs));
      assert.deepEqual(await h.api('POST', '/acquirer/v1/orders', { token: a.terminalKey, body: { paymentRequestId: 'o-1', amount: krw(12_300), expiresInSeconds: 60 } }), r);
      const reused = await h.api('POST', '/acquirer/v1/orders', { token: a.terminalKey, body: { paymentRequestId: 'o-1', amount: krw(12_301), expiresInSeconds: 60 } });
      assert.equal(code(reused), 'IDEMPOTENCY_KEY_REUSED');
      const read = await h.api('GET', `/acquirer/v1/orders/${r.body.orderId as string}`, { token: a.terminalKey });
      assert.equal(read.body.status, 'OPEN');
      assert.deepEqual(read.body.amount, krw(12_300));
      for (const [body, c] of [
        [{ paymentRequestId: 'o-2', amount: krw(1), expiresInSeconds: 901 }, 'INVALID_REQUEST'],
        [{ paymentRequestId: 'o-3', amount: krw(1), expiresInSeconds: 0 }, 'INVALID_REQUEST'],
        [{ paymentRequestId: 'o-4', amount: { currency: 'JPY', value: '100' } }, 'CURRENCY_NOT_SUPPORTED'],
        [{ paymentRequestId: 'o-5', amount: krw(0) }, 'INVALID_AMOUNT'],
      ] as const) {
        assert.equal(code(await h.api('POST', '/acquirer/v1/orders', { token: a.terminalKey, body })), c, JSON.stringify(body));
      }
    });

    it('describes every route for /openapi.json', () => {
      const paths = new Set(h.acquirer.routeDocs.map((d) => `${d.method} ${d.path}`));
      for (const expected of [
        'post /acquirer/v1/merchants',
        'post /acquirer/v1/merchants/{id}/terminals',
        'get /acquirer/v1/merchants/{id}/qr',
        'post /acquirer/v1/orders',
        'post /acquirer/v1/payments',
        'get /acquirer/v1/payments/{id}/events',
        'post /acquirer/v1/payments/{id}/refunds',
        'post /acquirer/v1/payments/{id}/cancel',
        'post /acquirer/network/v1/payments/notifyPayment',
        'post /acquirer/network/v1/payments/userInitiatedPay',
      ]) {
        assert.ok(paths.has(expected), expected);
      }
    });
  });
}
