/**
 * Online checkout at the acquirer, on both engines, over its HTTP API with a
 * fake network: a session's lifecycle (created, idempotent on the shop's
 * order id, paid once, expired, a wrong amount refused), its ticket for the
 * wallet's cashier, the table of bad inputs, tenants, and the webhooks: signed,
 * retried with backoff against a shop that fails then recovers (the clock
 * moved, never slept on), failed after the last attempt, listed to the
 * operator and sent again.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { decodeMerchantQr, isDariMerchant } from '../qr/index.ts';
import { verifyCheckoutTicket, verifyWebhook, WEBHOOK_EVENT_HEADER, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, type PeerClient, type UserInitiatedPayRequest } from '../protocol/index.ts';
import { CHECKOUT_EXPIRY_GRACE_MS } from './checkout-service.ts';
import { WEBHOOK_ATTEMPTS_MAX, webhookRetryDelayMs } from './checkout-webhooks.ts';
import { ACQUIRER_ID, ACQUIRER_TEST_ENGINES, CODE, createTestClock, directory, krw, OPERATOR_KEY, startHarness, type Harness, type TestClock } from './test-helpers.ts';

const CASHIER_URL = 'https://wallet.example/wallet/cashier';
const T0 = '2026-11-25T03:00:00.000Z';

/** A shop's webhook endpoint on a real socket: answers each request with the next scripted status (200 once the script runs out), and keeps what it received. */
interface FakeShop {
  readonly url: string;
  statuses: number[];
  readonly received: { id: string; event: string; signature: string; body: string }[];
  close(): Promise<void>;
}

async function startFakeShop(): Promise<FakeShop> {
  const app = new Hono();
  const shop = { statuses: [] as number[], received: [] as FakeShop['received'] };
  app.post('/notify', async (c) => {
    shop.received.push({ id: c.req.header(WEBHOOK_ID_HEADER) ?? '', event: c.req.header(WEBHOOK_EVENT_HEADER) ?? '', signature: c.req.header(WEBHOOK_SIGNATURE_HEADER) ?? '', body: await c.req.text() });
    return c.body(null, (shop.statuses.shift() ?? 200) as 200);
  });
  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    get statuses() {
      return shop.statuses;
    },
    set statuses(value) {
      shop.statuses = value;
    },
    received: shop.received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let sequence = 0;

for (const engine of ACQUIRER_TEST_ENGINES) {
  describe(`online checkout at the acquirer, on ${engine}`, () => {
    let clock: TestClock;
    let h: Harness;
    let fakeShop: FakeShop;
    let shop: Awaited<ReturnType<Harness['onboard']>>;
    let network: PeerClient;
    let secret: Buffer;

    before(async () => {
      clock = createTestClock(T0);
      fakeShop = await startFakeShop();
      h = await startHarness({ engine, now: clock.now, checkout: { cashierUrl: CASHIER_URL } });
      shop = await h.onboard('Lotte Duty Free Online');
      network = h.network.client(h.acquirer);
      const created = await h.api('POST', '/acquirer/v1/checkout/webhook-secret', { token: shop.terminalKey });
      assert.equal(created.status, 201);
      secret = Buffer.from(created.body.secret as string, 'base64url');
      assert.equal(secret.length, 32);
    });
    after(async () => {
      await h.close();
      await fakeShop.close();
    });

    const sessionBody = (overrides: Record<string, unknown> = {}) => ({ orderId: `order-${++sequence}`, amount: krw(39_000), returnUrl: 'https://shop.example/return?x=1', notifyUrl: fakeShop.url, ...overrides });
    const create = async (overrides: Record<string, unknown> = {}, token = shop.terminalKey) => h.api('POST', '/acquirer/v1/checkout/sessions', { token, body: sessionBody(overrides) });
    const ticketOf = (cashierUrl: string) => {
      const url = new URL(cashierUrl);
      assert.equal(`${url.origin}${url.pathname}`, CASHIER_URL);
      const ticket = verifyCheckoutTicket(url.searchParams.get('ticket') ?? '', directory);
      assert.ok(ticket.ok, JSON.stringify(ticket));
      return ticket.value;
    };
    const pay = async (qr: string, overrides: Partial<UserInitiatedPayRequest> = {}) => {
      const outcome = await network.call('acquirerUserInitiatedPay', { userRequestId: `u-${++sequence}`, codeValue: qr, paymentCode: CODE, ...overrides });
      assert.equal(outcome.kind, 'answered');
      return outcome.kind === 'answered' ? outcome.response : assert.fail();
    };
    const session = async (id: string) => (await h.api('GET', `/acquirer/v1/checkout/sessions/${id}`, { token: shop.terminalKey })).body;

    it('creates a session whose signed ticket carries the order QR, and answers the same session for the same order id', async () => {
      const body = sessionBody({ expiresInSeconds: 600 });
      const first = await h.api('POST', '/acquirer/v1/checkout/sessions', { token: shop.terminalKey, body });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.match(first.body.sessionId as string, /^CS[0-9a-f]{24}$/);
      assert.equal(first.body.status, 'OPEN');
      assert.deepEqual(first.body.amount, krw(39_000));
      assert.equal(first.body.orderId, body.orderId);
      assert.equal(first.body.expiresAt, new Date(Date.parse(T0) + 600_000).toISOString());
      const ticket = ticketOf(first.body.cashierUrl as string);
      assert.equal(ticket.issuer, ACQUIRER_ID);
      assert.equal(ticket.sessionId, first.body.sessionId);
      assert.equal(ticket.returnUrl, body.returnUrl);
      assert.equal(ticket.expiresAt, first.body.expiresAt);
      const qr = decodeMerchantQr(ticket.qrPayload);
      assert.ok(qr.ok && isDariMerchant(qr.value));
      assert.equal(qr.value.dari.merchantId, shop.merchantId);
      assert.equal(qr.value.amount?.value, 39_000n);
      assert.match(qr.value.dari.orderReference ?? '', /^O[0-9a-f]{16}$/);

      const again = await h.api('POST', '/acquirer/v1/checkout/sessions', { token: shop.terminalKey, body });
      assert.equal(again.status, 200);
      assert.equal(again.body.sessionId, first.body.sessionId);
      assert.equal(again.body.cashierUrl, first.body.cashierUrl, 'the ticket is deterministic (Ed25519)');
      const changed = await h.api('POST', '/acquirer/v1/checkout/sessions', { token: shop.terminalKey, body: { ...body, amount: krw(40_000) } });
      assert.equal(changed.status, 409);
      assert.equal((changed.body.error as { code: string }).code, 'IDEMPOTENCY_KEY_REUSED');
    });

    it('a tampered ticket does not verify', async () => {
      const created = await create();
      const url = new URL(created.body.cashierUrl as string);
      const [payload, signature] = (url.searchParams.get('ticket') ?? '').split('.');
      const json = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = `${Buffer.from(JSON.stringify({ ...json, returnUrl: 'https://evil.example/' })).toString('base64url')}.${signature}`;
      const verified = verifyCheckoutTicket(forged, directory);
      assert.equal(verified.ok, false);
      assert.equal(!verified.ok && verified.error.kind, 'bad-signature');
    });

    it('is paid once through the wallet-initiated pay, for its amount only; the shop is told, signed', async () => {
      const created = await create({ amount: krw(25_000) });
      const { qrPayload } = ticketOf(created.body.cashierUrl as string);
      const wrong = await pay(qrPayload, { paymentAmount: krw(24_000) });
      assert.equal(wrong.result.resultCode, 'PARAM_ILLEGAL', 'a different amount is refused');
      assert.equal((await session(created.body.sessionId as string)).status, 'OPEN');

      const owed = await h.owedTo(shop.merchantId);
      const paid = await pay(qrPayload);
      assert.equal(paid.result.resultStatus, 'S');
      const read = await session(created.body.sessionId as string);
      assert.equal(read.status, 'PAID');
      assert.deepEqual(read.payment, { paymentId: paid.paymentRequestId, status: 'SUCCESS', amount: krw(25_000), payAmount: paid.payAmount, paidAt: (read.payment as { paidAt: string }).paidAt });
      assert.equal(await h.owedTo(shop.merchantId), owed + 25_000n);

      const twice = await pay(qrPayload);
      assert.equal(twice.result.resultCode, 'ORDER_IS_CLOSED', 'an already-paid session cannot be paid again');

      await h.acquirer.checkout.settled();
      const hook = fakeShop.received.find((r) => r.event === 'checkout.paid' && (JSON.parse(r.body) as { data: { sessionId: string } }).data.sessionId === created.body.sessionId);
      assert.ok(hook, 'the shop heard of the payment');
      const verified = verifyWebhook({ secret, header: hook.signature, body: hook.body, nowSeconds: Math.floor(clock.now().getTime() / 1000) });
      assert.deepEqual(verified, { ok: true, timestampSeconds: Math.floor(clock.now().getTime() / 1000) });
      assert.equal(verifyWebhook({ secret, header: hook.signature, body: hook.body.replace('25000', '2500'), nowSeconds: Math.floor(clock.now().getTime() / 1000) }).ok, false, 'an altered body does not verify');
      assert.equal(verifyWebhook({ secret: Buffer.alloc(32), header: hook.signature, body: hook.body, nowSeconds: Math.floor(clock.now().getTime() / 1000) }).ok, false, 'another key does not verify');
      assert.deepEqual(verifyWebhook({ secret, header: hook.signature, body: hook.body, nowSeconds: Math.floor(clock.now().getTime() / 1000) + 301 }), { ok: false, reason: 'stale' });
      const body = JSON.parse(hook.body) as { id: string; type: string; data: Record<string, unknown> };
      assert.equal(body.id, hook.id);
      assert.equal(body.type, 'checkout.paid');
      assert.equal(body.data.status, 'PAID');
      assert.equal(body.data.orderId, created.body.orderId);
      assert.deepEqual(body.data.amount, krw(25_000));
    });

    it('expires: not payable after its time, reads EXPIRED, and the shop is told once the grace has passed', async () => {
      const created = await create({ expiresInSeconds: 60 });
      const { qrPayload } = ticketOf(created.body.cashierUrl as string);
      clock.advance(60_000);
      const late = await pay(qrPayload);
      assert.equal(late.result.resultCode, 'ORDER_IS_CLOSED');
      assert.equal((await session(created.body.sessionId as string)).status, 'EXPIRED');
      const heard = () => fakeShop.received.filter((r) => r.event === 'checkout.expired' && r.body.includes(created.body.sessionId as string)).length;
      await h.acquirer.resolveOpen();
      assert.equal(heard(), 0, 'not within the grace');
      clock.advance(CHECKOUT_EXPIRY_GRACE_MS);
      await h.acquirer.resolveOpen();
      assert.equal(heard(), 1);
      await h.acquirer.resolveOpen();
      assert.equal(heard(), 1, 'told once');
      const again = await create({ orderId: created.body.orderId, expiresInSeconds: 60 });
      assert.equal(again.status, 200, 'the same order id answers the expired session: a shop starts a new one under a new order id');
      assert.equal(again.body.status, 'EXPIRED');
    });

    it('retries a refused webhook with exponential backoff, then delivers it to the recovered shop', async () => {
      fakeShop.statuses = [500, 503, 404];
      const created = await create({ amount: krw(11_000) });
      const sent = () => fakeShop.received.filter((r) => r.body.includes(created.body.sessionId as string));
      await pay(ticketOf(created.body.cashierUrl as string).qrPayload);
      await h.acquirer.checkout.settled();
      assert.equal(sent().length, 1, 'the first attempt is made at once');
      const deliveryId = sent()[0]!.id;
      const read = async () => (await h.api('GET', `/acquirer/v1/webhooks/${deliveryId}`, { token: OPERATOR_KEY })).body;
      assert.deepEqual([(await read()).state, (await read()).attempts, (await read()).lastError], ['pending', 1, 'HTTP 500']);
      for (const attempt of [1, 2]) {
        clock.advance(webhookRetryDelayMs(attempt) - 1);
        assert.equal(await h.acquirer.checkout.deliverDue(), 0);
        assert.equal(sent().length, attempt, 'nothing before its time');
        clock.advance(1);
        assert.equal(await h.acquirer.checkout.deliverDue(), 0);
        assert.equal(sent().length, attempt + 1);
      }
      clock.advance(webhookRetryDelayMs(3));
      assert.equal(await h.acquirer.checkout.deliverDue(), 1);
      const delivered = await read();
      assert.equal(delivered.state, 'delivered');
      assert.equal(delivered.attempts, 4);
      assert.deepEqual(new Set(sent().map((r) => r.id)), new Set([deliveryId]), 'one delivery id on every attempt');
      assert.deepEqual(new Set(sent().map((r) => r.body)).size, 1, 'the same bytes on every attempt');
    });

    it('fails a webhook after the last attempt, lists it to the operator, and sends it again on request', async () => {
      const created = await create({ amount: krw(12_000) });
      fakeShop.statuses = Array.from({ length: WEBHOOK_ATTEMPTS_MAX }, () => 500);
      await pay(ticketOf(created.body.cashierUrl as string).qrPayload);
      await h.acquirer.checkout.settled();
      for (let attempt = 1; attempt < WEBHOOK_ATTEMPTS_MAX; attempt++) {
        clock.advance(webhookRetryDelayMs(attempt));
        await h.acquirer.checkout.deliverDue();
      }
      const sent = fakeShop.received.filter((r) => r.body.includes(created.body.sessionId as string));
      assert.equal(sent.length, WEBHOOK_ATTEMPTS_MAX);
      clock.advance(24 * 3_600_000);
      await h.acquirer.resolveOpen();
      assert.equal(fakeShop.received.filter((r) => r.body.includes(created.body.sessionId as string)).length, WEBHOOK_ATTEMPTS_MAX, 'no attempt after the last');

      const failed = await h.api('GET', '/acquirer/v1/webhooks', { token: OPERATOR_KEY });
      assert.equal(failed.status, 200);
      const listed = (failed.body.webhooks as { deliveryId: string; state: string; attempts: number; event: string; lastError: string }[]).find((w) => w.deliveryId === sent[0]!.id);
      assert.deepEqual(listed && { state: listed.state, attempts: listed.attempts, event: listed.event, lastError: listed.lastError }, { state: 'failed', attempts: WEBHOOK_ATTEMPTS_MAX, event: 'checkout.paid', lastError: 'HTTP 500' });
      assert.equal((await h.api('GET', '/acquirer/v1/webhooks', { token: shop.terminalKey })).status, 403, "a shop does not read the operator's list");

      const resent = await h.api('POST', `/acquirer/v1/webhooks/${sent[0]!.id}/resend`, { token: OPERATOR_KEY });
      assert.equal(resent.status, 200, JSON.stringify(resent.body));
      assert.deepEqual([resent.body.state, resent.body.attempts], ['delivered', 1]);
      const twice = await h.api('POST', `/acquirer/v1/webhooks/${sent[0]!.id}/resend`, { token: OPERATOR_KEY });
      assert.equal(twice.status, 200, 'a delivered one may be sent again too');
      assert.equal((await h.api('POST', '/acquirer/v1/webhooks/WHnone/resend', { token: OPERATOR_KEY })).status, 404);
      const stillFailed = await h.api('GET', '/acquirer/v1/webhooks?state=failed', { token: OPERATOR_KEY });
      assert.ok(!(stillFailed.body.webhooks as { deliveryId: string }[]).some((w) => w.deliveryId === sent[0]!.id));
    });

    it('refuses bad requests with typed errors', async () => {
      const code = (r: { body: Record<string, unknown> }) => (r.body.error as { code: string } | undefined)?.code;
      const cases: [string, Record<string, unknown>, number, string][] = [
        ['another currency', { amount: { currency: 'CNY', value: '1000' } }, 422, 'CURRENCY_NOT_SUPPORTED'],
        ['zero', { amount: krw(0) }, 400, 'INVALID_AMOUNT'],
        ['above the limit', { amount: krw(50_000_001) }, 422, 'AMOUNT_EXCEEDS_LIMIT'],
        ['an amount as a number', { amount: { currency: 'KRW', value: 1000 } }, 400, 'INVALID_REQUEST'],
        ['a script as return URL', { returnUrl: 'javascript:alert(1)' }, 400, 'INVALID_REQUEST'],
        ['a relative notify URL', { notifyUrl: '/notify' }, 400, 'INVALID_REQUEST'],
        ['credentials in a URL', { notifyUrl: 'https://user:pw@shop.example/n' }, 400, 'INVALID_REQUEST'],
        ['an expiry too short', { expiresInSeconds: 59 }, 400, 'INVALID_REQUEST'],
        ['an expiry too long', { expiresInSeconds: 3_601 }, 400, 'INVALID_REQUEST'],
        ['an order id with spaces', { orderId: 'order 1' }, 400, 'INVALID_REQUEST'],
      ];
      for (const [name, overrides, status, expected] of cases) {
        const r = await create(overrides);
        assert.deepEqual([r.status, code(r)], [status, expected], name);
      }
      assert.equal(code(await create({}, OPERATOR_KEY)), 'FORBIDDEN');
      assert.equal((await h.api('POST', '/acquirer/v1/checkout/sessions', { body: sessionBody() })).status, 401);
      const other = await h.onboard('Another Shop');
      assert.equal(code(await create({}, other.terminalKey)), 'WEBHOOK_SECRET_NOT_SET');
      const mine = await create();
      assert.equal((await h.api('GET', `/acquirer/v1/checkout/sessions/${mine.body.sessionId as string}`, { token: other.terminalKey })).status, 404, "another merchant's session is not found");
      assert.equal((await h.api('GET', `/acquirer/v1/checkout/sessions/${mine.body.sessionId as string}`, { token: OPERATOR_KEY })).status, 200);
    });
  });
}
