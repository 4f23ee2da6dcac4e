/**
 * One suite for `CheckoutStore` on every engine: SQLite, SQLite through the
 * group commit, PostgreSQL on a pool. Sessions idempotent on (terminal, the
 * shop's order id) under racing callers, webhooks queued once per id and
 * closing their session in the same transaction, the sweep's choice, claims
 * that lease (no two workers get one delivery), attempts that move only a
 * pending delivery, failed ones listed and sent again, and the schema
 * refusing bad rows.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { storeTestEngines } from '../platform/testing/store-engines.ts';
import type { BusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import { createSqliteCheckoutStore, type CheckoutSession, type CheckoutSessionId, type CheckoutStore } from './checkout-store.ts';
import { createPostgresCheckoutStore } from './checkout-store-postgres.ts';
import { createSqliteAcquirerStore, type AcquirerStore } from './store.ts';
import { createPostgresAcquirerStore } from './store-postgres.ts';
import type { Order, OrderId, PaymentId, Terminal } from './types.ts';

const RACERS = 12;
const T0 = '2026-11-25T03:00:00.000Z';
const T0_MS = Date.parse(T0);

interface Opened {
  readonly store: AcquirerStore;
  readonly checkout: CheckoutStore;
  close(): Promise<void>;
}

const ENGINES = storeTestEngines<Omit<Opened, 'close'>>({
  name: 'checkout-store',
  sqlite: (db, committed) => ({ store: committed(createSqliteAcquirerStore(db)), checkout: committed(createSqliteCheckoutStore(db)) }),
  postgres: async (pool) => ({ store: await createPostgresAcquirerStore(pool), checkout: await createPostgresCheckoutStore(pool) }),
});

let sequence = 0;
const next = (prefix: string) => `${prefix}${String(++sequence).padStart(6, '0')}`;

for (const engine of ENGINES) {
  describe(`CheckoutStore on ${engine.name}`, () => {
    let opened: Opened;
    let checkout: CheckoutStore;
    let terminal: Terminal;
    before(async () => {
      opened = await engine.open();
      checkout = opened.checkout;
      const { store } = opened;
      const merchant = await store.insertMerchant(
        {
          legalName: 'Shop',
          businessRegistrationNumber: '2208162517' as BusinessRegistrationNumber,
          mcc: '5311',
          address: '1 Road',
          city: 'Seoul',
          settlementAccount: { bankCode: '004', accountNumber: '1234567890', holderName: 'Shop' },
          mdrBps: 250,
        },
        { idPrefix: 'KR01', at: T0 },
      );
      await store.moveMerchant(merchant.merchantId, { from: 'pending', to: 'approved', reason: null, at: T0 });
      terminal = await store.insertTerminal({ merchantId: merchant.merchantId, storeId: null, label: 'web', keyHash: randomBytes(32), idPrefix: 'KR01', at: T0 });
      await checkout.setWebhookSecret(terminal.terminalId, randomBytes(32), T0);
    });
    after(() => opened.close());

    const order = async (expiresAtMs = T0_MS + 900_000): Promise<Order> =>
      (
        await opened.store.insertOrder({
          orderId: next('O') as OrderId,
          merchantId: terminal.merchantId,
          storeId: null,
          terminalId: terminal.terminalId,
          paymentRequestId: next('checkout:'),
          amountKrw: 10_000n,
          qrPayload: 'qr',
          expiresAt: new Date(expiresAtMs).toISOString(),
          expiresAtMs,
          createdAt: T0,
          requestHash: 'h',
        })
      ).order;
    const sessionFor = (o: Order, overrides: Partial<CheckoutSession> = {}): CheckoutSession => ({
      sessionId: next('CS') as CheckoutSessionId,
      orderId: o.orderId,
      merchantId: o.merchantId,
      terminalId: terminal.terminalId,
      merchantOrderId: next('shop-order-'),
      amountKrw: o.amountKrw,
      returnUrl: 'https://shop.example/return',
      notifyUrl: 'https://shop.example/notify',
      expiresAt: o.expiresAt,
      expiresAtMs: Date.parse(o.expiresAt),
      requestHash: 'hash',
      closedBy: null,
      createdAt: T0,
      ...overrides,
    });
    const newSession = async (expiresAtMs?: number) => (await checkout.insertSession(sessionFor(await order(expiresAtMs)))).session;
    const queue = (session: CheckoutSession, id = next('WH'), overrides: Partial<Parameters<CheckoutStore['enqueueWebhook']>[0]> = {}) =>
      checkout.enqueueWebhook({ deliveryId: id, sessionId: session.sessionId, event: 'checkout.expired', paymentId: null, body: '{"x":1}', nextAttemptAtMs: T0_MS, createdAt: T0, ...overrides }, null);
    const pay = async (o: Order, status: 'SUCCESS' | 'FAIL') => {
      const inserted = await opened.store.insertPayment(
        { paymentId: next('AP') as PaymentId, origin: 'mpm', merchantId: o.merchantId, storeId: null, terminalId: o.terminalId, orderId: o.orderId, idempotencyScope: 'network:N', requestId: next('u'), requestHash: 'h', amountKrw: o.amountKrw, deadlineAtMs: T0_MS },
        T0,
      );
      assert.equal(inserted.kind, 'created');
      const payment = (inserted as { payment: { paymentId: PaymentId } }).payment;
      const final = status === 'SUCCESS' ? { status, resultCode: 'SUCCESS', paidAt: T0 } : { status, resultCode: 'USER_BALANCE_NOT_ENOUGH' };
      return (await opened.store.movePayment(payment.paymentId, 'PROCESSING', final, T0))!;
    };

    it('keeps one session per (terminal, shop order id), even for racing callers', async () => {
      const o = await order();
      const merchantOrderId = next('race-');
      const answers = await Promise.all(Array.from({ length: RACERS }, () => checkout.insertSession(sessionFor(o, { merchantOrderId }))));
      assert.equal(answers.filter((a) => a.created).length, 1);
      assert.equal(new Set(answers.map((a) => a.session.sessionId)).size, 1);
      const stored = answers[0]!.session;
      assert.deepEqual(await checkout.getSession(stored.sessionId), stored);
      assert.deepEqual(await checkout.sessionOfOrder(o.orderId), stored);
      assert.equal(await checkout.getSession('CSnone'), null);
      assert.equal(stored.amountKrw, 10_000n);
      assert.equal(stored.expiresAtMs, Date.parse(o.expiresAt));
    });

    it('queues a delivery once per id, and closes the session with it in one transaction', async () => {
      const session = await newSession();
      const id = next('WH');
      const results = await Promise.all(Array.from({ length: RACERS }, () => checkout.enqueueWebhook({ deliveryId: id, sessionId: session.sessionId, event: 'checkout.expired', paymentId: null, body: '{}', nextAttemptAtMs: T0_MS, createdAt: T0 }, 'checkout.expired')));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await checkout.getSession(session.sessionId))?.closedBy, 'checkout.expired');
      const delivery = await checkout.getWebhook(id);
      assert.deepEqual(delivery && { state: delivery.state, attempts: delivery.attempts, lastError: delivery.lastError, deliveredAt: delivery.deliveredAt }, { state: 'pending', attempts: 0, lastError: null, deliveredAt: null });
    });

    it('sweeps sessions that expired, or have a finished payment without a webhook, and not the others', async () => {
      const expired = await newSession(T0_MS - 1);
      const paid = await newSession();
      const paidOrder = (await opened.store.getOrder(paid.orderId))!;
      const quiet = await newSession();
      const failedOnce = await newSession();
      const payment = await pay(paidOrder, 'SUCCESS');
      const failure = await pay((await opened.store.getOrder(failedOnce.orderId))!, 'FAIL');
      const swept = async () => new Set((await checkout.sessionsToSweep(T0_MS, 1000)).map((s) => s.sessionId));
      let ids = await swept();
      assert.ok(ids.has(expired.sessionId) && ids.has(paid.sessionId) && ids.has(failedOnce.sessionId));
      assert.ok(!ids.has(quiet.sessionId));
      assert.deepEqual((await checkout.paymentsOfOrder(paid.orderId, 10)).map((p) => [p.paymentId, p.status]), [[payment.paymentId, 'SUCCESS']]);
      await queue(failedOnce, next('WH'), { event: 'checkout.payment_failed', paymentId: failure.paymentId });
      await checkout.enqueueWebhook({ deliveryId: next('WH'), sessionId: paid.sessionId, event: 'checkout.paid', paymentId: payment.paymentId, body: '{}', nextAttemptAtMs: T0_MS, createdAt: T0 }, 'checkout.paid');
      await checkout.enqueueWebhook({ deliveryId: next('WH'), sessionId: expired.sessionId, event: 'checkout.expired', paymentId: null, body: '{}', nextAttemptAtMs: T0_MS, createdAt: T0 }, 'checkout.expired');
      ids = await swept();
      assert.ok(!ids.has(expired.sessionId) && !ids.has(paid.sessionId) && !ids.has(failedOnce.sessionId) && !ids.has(quiet.sessionId));
    });

    it('claims due deliveries under a lease: racing workers never share one; attempts move only a pending delivery', async () => {
      const session = await newSession();
      const ids = await Promise.all(Array.from({ length: 5 }, async () => {
        const id = next('WH');
        await queue(session, id, { nextAttemptAtMs: T0_MS + 10_000_000 });
        return id;
      }));
      const nowMs = T0_MS + 10_000_000;
      const claims = await Promise.all(Array.from({ length: RACERS }, () => checkout.claimDueWebhooks(nowMs, nowMs + 60_000, 2)));
      const claimedIds = claims.flat().map((c) => c.delivery.deliveryId).filter((id) => ids.includes(id));
      assert.equal(claimedIds.length, new Set(claimedIds).size, 'no delivery claimed twice');
      assert.deepEqual(new Set(claimedIds), new Set(ids));
      const one = claims.flat().find((c) => c.delivery.deliveryId === ids[0])!;
      assert.equal(one.notifyUrl, 'https://shop.example/notify');
      assert.equal(one.secret.length, 32);
      assert.equal((await checkout.claimDueWebhooks(nowMs + 59_999, nowMs + 120_000, 100)).filter((c) => ids.includes(c.delivery.deliveryId)).length, 0, 'held by the lease');

      const refused = await checkout.recordAttempt(ids[0]!, { kind: 'refused', error: 'HTTP 500 '.repeat(100), at: T0, nextAttemptAtMs: nowMs + 30_000 });
      assert.deepEqual(refused && [refused.state, refused.attempts, refused.nextAttemptAtMs, refused.lastError?.length], ['pending', 1, nowMs + 30_000, 200]);
      const last = await checkout.recordAttempt(ids[0]!, { kind: 'refused', error: 'HTTP 500', at: T0, nextAttemptAtMs: null });
      assert.deepEqual(last && [last.state, last.attempts], ['failed', 2]);
      assert.equal(await checkout.recordAttempt(ids[0]!, { kind: 'delivered', at: T0 }), null, 'a failed delivery is not moved by a late attempt');
      const delivered = await checkout.recordAttempt(ids[1]!, { kind: 'delivered', at: T0 });
      assert.deepEqual(delivered && [delivered.state, delivered.attempts, delivered.deliveredAt, delivered.lastError], ['delivered', 1, T0, null]);

      const failed = await checkout.listWebhooks({ state: 'failed', limit: 100 });
      assert.ok(failed.some((d) => d.deliveryId === ids[0]));
      assert.ok(!failed.some((d) => d.deliveryId === ids[1]));
      assert.deepEqual((await checkout.listWebhooks({ state: 'failed', afterId: ids[0]!, limit: 100 })).filter((d) => d.deliveryId === ids[0]), []);
      const resent = await checkout.resendWebhook(ids[0]!, nowMs + 1, T0);
      assert.deepEqual(resent && [resent.state, resent.attempts, resent.nextAttemptAtMs], ['pending', 0, nowMs + 1]);
      assert.equal(await checkout.resendWebhook(ids[0]!, nowMs + 1, T0), null, 'a pending delivery is not resent');
      assert.equal(await checkout.resendWebhook('WHnone', nowMs, T0), null);
    });

    it('keeps one webhook secret per terminal, replaced on rotation', async () => {
      const first = randomBytes(32);
      const second = randomBytes(32);
      await checkout.setWebhookSecret(terminal.terminalId, first, T0);
      await checkout.setWebhookSecret(terminal.terminalId, second, '2026-11-25T04:00:00.000Z');
      assert.deepEqual(await checkout.webhookSecretOf(terminal.terminalId), { secret: second, createdAt: '2026-11-25T04:00:00.000Z' });
      assert.equal(await checkout.webhookSecretOf('KR01T999999' as Terminal['terminalId']), null);
    });

    it('refuses rows the schema forbids, and writes nothing of them', async () => {
      const session = await newSession();
      await assert.rejects(checkout.setWebhookSecret(terminal.terminalId, randomBytes(16), T0), 'a secret is 32 bytes');
      await assert.rejects(queue(session, next('WH'), { event: 'checkout.paid', paymentId: null }), 'a paid webhook names its payment');
      await assert.rejects(queue(session, next('WH'), { event: 'checkout.refunded' as 'checkout.paid' }), 'unknown event');
      await assert.rejects(checkout.insertSession(sessionFor(await order(), { amountKrw: 0n })), 'a positive amount');
      await assert.rejects(checkout.insertSession(sessionFor({ ...(await order()), orderId: 'Onone' as OrderId })), 'the order exists');
      const id = next('WH');
      await assert.rejects(queue({ ...session, sessionId: 'CSnone' as CheckoutSessionId }, id), 'the session exists');
      assert.equal(await checkout.getWebhook(id), null);
    });
  });
}
