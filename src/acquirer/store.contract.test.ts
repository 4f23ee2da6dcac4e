/**
 * One suite for `AcquirerStore`, run on every engine the acquirer runs on
 * (STYLE 22, `STORE_TEST_ENGINES`): SQLite as is, SQLite through the group
 * commit, and PostgreSQL on a pool of several connections. Each method's
 * answers read back exactly, idempotency keys answering the first request,
 * moves refused from any other state than the one named, the merchant entries
 * a move writes (read through the payout store's `unpaidNetKrw`), the
 * schema's CHECK, UNIQUE and foreign keys refusing bad rows and leaving
 * nothing half written, amounts beyond 2^53 read back exactly, and concurrent
 * callers racing for one request id, one order, one move, the last won of a
 * payment's refunds, and a refund against a cancel.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { BusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import type { PayoutStore } from './payout-store.ts';
import type { AcquirerStore, NewMerchant, NewPayment, PaymentFinal } from './store.ts';
import { STORE_TEST_ENGINES, type OpenStores } from './test-helpers.ts';
import type { Merchant, MerchantId, OrderId, Payment, PaymentId, RefundId, StoreId, Terminal, TerminalId } from './types.ts';
import { refusedBy } from '../platform/testing/store-engines.ts';

/** Callers racing in each concurrency case. */
const RACERS = 16;
const PREFIX = 'KR01';
const T0 = '2026-11-25T03:00:00.000Z';
/** An ISO instant `ms` after T0. */
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const BIG_KRW = 2n ** 53n + 1n;

let sequence = 0;
const nextId = (prefix: string): string => `${prefix}${String(++sequence).padStart(8, '0')}`;
const hash = () => randomBytes(32).toString('hex');

function newMerchant(overrides: Partial<NewMerchant> = {}): NewMerchant {
  return {
    legalName: 'Myeongdong Cosmetics',
    businessRegistrationNumber: '2208162517' as BusinessRegistrationNumber,
    mcc: '5977',
    address: '12 Myeongdong-gil, Jung-gu',
    city: 'Seoul',
    settlementAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: 'Myeongdong Cosmetics' },
    mdrBps: 250,
    ...overrides,
  };
}

const SUCCESS: PaymentFinal = {
  status: 'SUCCESS',
  resultCode: 'SUCCESS',
  networkPaymentId: 'NP1',
  payAmount: { currency: 'CNY', value: '7895' },
  fxQuote: { quoteId: 'Q1', baseCurrency: 'CNY', quoteCurrency: 'KRW', rate: '190' },
  payerId: 'payer-7f3a',
  paidAt: T0,
};

const count = <T>(items: readonly T[], keep: (item: T) => boolean): number => items.filter(keep).length;

for (const engine of STORE_TEST_ENGINES) {
  describe(`AcquirerStore on ${engine.name}`, () => {
    let opened: OpenStores;
    let store: AcquirerStore;
    let payouts: PayoutStore;
    before(async () => {
      opened = await engine.open();
      store = opened.store;
      payouts = opened.payouts;
    });
    after(async () => {
      await opened.close();
    });

    /** An approved merchant with a store and a terminal. */
    const shopIn = async (overrides: Partial<NewMerchant> = {}): Promise<{ merchant: Merchant; storeId: StoreId; terminal: Terminal }> => {
      const created = await store.insertMerchant(newMerchant(overrides), { idPrefix: PREFIX, at: T0 });
      const merchant = await store.moveMerchant(created.merchantId, { from: 'pending', to: 'approved', reason: null, at: T0 });
      assert.ok(merchant);
      const shop = await store.insertStore({ merchantId: merchant.merchantId, name: 'Main', address: null, idPrefix: PREFIX, at: T0 });
      const terminal = await store.insertTerminal({ merchantId: merchant.merchantId, storeId: shop.storeId, label: 'Counter 1', keyHash: randomBytes(32), idPrefix: PREFIX, at: T0 });
      return { merchant, storeId: shop.storeId, terminal };
    };
    const newPayment = (merchantId: MerchantId, overrides: Partial<NewPayment> = {}): NewPayment => ({
      paymentId: nextId('AP') as PaymentId,
      origin: 'pos',
      merchantId,
      storeId: null,
      terminalId: null,
      orderId: null,
      idempotencyScope: `terminal:${merchantId}`,
      requestId: nextId('pos-'),
      requestHash: hash(),
      amountKrw: 10_000n,
      deadlineAtMs: Date.parse(T0) + 15_000,
      ...overrides,
    });
    const created = async (payment: NewPayment, when = T0): Promise<Payment> => {
      const outcome = await store.insertPayment(payment, when);
      assert.equal(outcome.kind, 'created');
      return (outcome as { payment: Payment }).payment;
    };
    /** A payment the network confirmed: SUCCESS, its PAYMENT entry written. */
    const succeeded = async (merchantId: MerchantId, overrides: Partial<NewPayment> = {}): Promise<Payment> => {
      const payment = await created(newPayment(merchantId, overrides));
      const moved = await store.movePayment(payment.paymentId, 'PROCESSING', SUCCESS, at(1));
      assert.equal(moved?.status, 'SUCCESS');
      return moved;
    };
    const reserve = (paymentId: string, amountKrw: bigint, overrides: { refundRequestId?: string; requestHash?: string } = {}) =>
      store.reserveRefund({ refundId: nextId('AR') as RefundId, paymentId, refundRequestId: overrides.refundRequestId ?? nextId('r-'), requestHash: overrides.requestHash ?? hash(), amountKrw }, at(2));

    // ------------------------------------------------------------ merchants, stores, terminals

    it('merchants: numbered densely under the prefix, read back exactly, listed by id in pages', async () => {
      const first = await store.insertMerchant(newMerchant({ legalName: 'A'.repeat(100), mdrBps: 10_000 }), { idPrefix: PREFIX, at: T0 });
      assert.match(first.merchantId, /^KR01M[0-9]{6}$/);
      const seq = Number(first.merchantId.slice(5));
      const second = await store.insertMerchant(newMerchant(), { idPrefix: 'KR99', at: at(1) });
      assert.equal(second.merchantId, `KR99M${String(seq + 1).padStart(6, '0')}`);
      assert.deepEqual(first, {
        merchantId: first.merchantId,
        legalName: 'A'.repeat(100),
        businessRegistrationNumber: '2208162517',
        mcc: '5977',
        address: '12 Myeongdong-gil, Jung-gu',
        city: 'Seoul',
        settlementAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: 'Myeongdong Cosmetics' },
        mdrBps: 10_000,
        status: 'pending',
        rejectReason: null,
        createdAt: T0,
        updatedAt: T0,
      });
      assert.deepEqual(await store.getMerchant(first.merchantId), first);
      assert.equal(await store.getMerchant('KR01M999999'), null);

      const everyone = await store.listMerchants({ limit: 1_000 });
      assert.deepEqual(everyone.map((m) => m.merchantId), [...everyone.map((m) => m.merchantId)].sort());
      const pages: string[] = [];
      let afterId: string | undefined;
      for (;;) {
        const page = await store.listMerchants({ ...(afterId === undefined ? {} : { afterId }), limit: 1 });
        if (page.length === 0) break;
        pages.push(page[0]!.merchantId);
        afterId = page[0]!.merchantId;
      }
      assert.deepEqual(pages, everyone.map((m) => m.merchantId));
    });

    it('merchants: moved only from the named status; the MDR changed; the schema refuses what its CHECKs forbid', async () => {
      const m = await store.insertMerchant(newMerchant(), { idPrefix: PREFIX, at: T0 });
      assert.equal(await store.moveMerchant(m.merchantId, { from: 'approved', to: 'rejected', reason: 'no', at: at(1) }), null);
      const rejected = await store.moveMerchant(m.merchantId, { from: 'pending', to: 'rejected', reason: 'unverifiable address', at: at(2) });
      assert.deepEqual([rejected?.status, rejected?.rejectReason, rejected?.updatedAt], ['rejected', 'unverifiable address', at(2)]);
      assert.equal(await store.moveMerchant(m.merchantId, { from: 'pending', to: 'approved', reason: null, at: at(3) }), null);
      assert.equal(await store.moveMerchant('KR01M999999' as MerchantId, { from: 'pending', to: 'approved', reason: null, at: at(3) }), null);
      const other = await store.insertMerchant(newMerchant(), { idPrefix: PREFIX, at: T0 });
      await refusedBy('check', () => store.moveMerchant(other.merchantId, { from: 'pending', to: 'rejected', reason: null, at: at(4) }), 'rejected without a reason');
      assert.equal((await store.getMerchant(other.merchantId))?.status, 'pending');

      const changed = await store.setMerchantMdr(m.merchantId, 0, at(5));
      assert.deepEqual([changed?.mdrBps, changed?.updatedAt], [0, at(5)]);
      assert.equal(await store.setMerchantMdr('KR01M999999' as MerchantId, 100, at(5)), null);
      await refusedBy('check', () => store.setMerchantMdr(m.merchantId, 10_001, at(6)), 'MDR above 10 000');
      await refusedBy('check', () => store.setMerchantMdr(m.merchantId, -1, at(6)), 'negative MDR');
      assert.equal((await store.getMerchant(m.merchantId))?.mdrBps, 0);

      const before = await store.listMerchants({ limit: 1_000 });
      const cases: Array<[string, Partial<NewMerchant>]> = [
        ['empty legal name', { legalName: '' }],
        ['legal name of 101 characters', { legalName: 'A'.repeat(101) }],
        ['registration number of 9 digits', { businessRegistrationNumber: '220816251' as BusinessRegistrationNumber }],
        ['MCC of 3 digits', { mcc: '597' }],
        ['MDR above 10 000', { mdrBps: 10_001 }],
      ];
      for (const [name, overrides] of cases) await refusedBy('check', () => store.insertMerchant(newMerchant(overrides), { idPrefix: PREFIX, at: T0 }), name);
      assert.equal((await store.listMerchants({ limit: 1_000 })).length, before.length, 'nothing written');
      // A refused merchant does not use up its number.
      const next = await store.insertMerchant(newMerchant(), { idPrefix: PREFIX, at: T0 });
      assert.equal(Number(next.merchantId.slice(5)), Math.max(...before.map((m) => Number(m.merchantId.slice(5)))) + 1);
    });

    it('stores and terminals: numbered, read back, found by key hash; unknown owners, a reused key and a short key refused', async () => {
      const m = await store.insertMerchant(newMerchant(), { idPrefix: PREFIX, at: T0 });
      const shop = await store.insertStore({ merchantId: m.merchantId, name: 'Main', address: '1 Euljiro', idPrefix: PREFIX, at: at(1) });
      assert.match(shop.storeId, /^KR01S[0-9]{6}$/);
      assert.deepEqual(await store.getStore(shop.storeId), { storeId: shop.storeId, merchantId: m.merchantId, name: 'Main', address: '1 Euljiro', createdAt: at(1) });
      assert.equal(await store.getStore('KR01S999999'), null);
      const bare = await store.insertStore({ merchantId: m.merchantId, name: 'Kiosk', address: null, idPrefix: PREFIX, at: at(2) });
      assert.equal(Number(bare.storeId.slice(5)), Number(shop.storeId.slice(5)) + 1);
      assert.equal(bare.address, null);

      const keyHash = randomBytes(32);
      const terminal = await store.insertTerminal({ merchantId: m.merchantId, storeId: shop.storeId, label: 'Counter 1', keyHash, idPrefix: PREFIX, at: at(3) });
      assert.match(terminal.terminalId, /^KR01T[0-9]{6}$/);
      const expected: Terminal = { terminalId: terminal.terminalId, merchantId: m.merchantId, storeId: shop.storeId, label: 'Counter 1', createdAt: at(3) };
      assert.deepEqual(terminal, expected);
      assert.deepEqual(await store.getTerminalByKeyHash(Buffer.from(keyHash)), expected);
      assert.equal(await store.getTerminalByKeyHash(randomBytes(32)), null);
      const loose = await store.insertTerminal({ merchantId: m.merchantId, storeId: null, label: 'Mobile', keyHash: randomBytes(32), idPrefix: PREFIX, at: at(4) });
      assert.equal(loose.storeId, null);

      await refusedBy('unique', () => store.insertTerminal({ merchantId: m.merchantId, storeId: null, label: 'Copy', keyHash, idPrefix: PREFIX, at: T0 }), 'a key hash in use');
      await refusedBy('check', () => store.insertTerminal({ merchantId: m.merchantId, storeId: null, label: 'Short', keyHash: randomBytes(31), idPrefix: PREFIX, at: T0 }), 'key hash of 31 bytes');
      await refusedBy('foreign-key', () => store.insertTerminal({ merchantId: 'KR01M999999' as MerchantId, storeId: null, label: 'X', keyHash: randomBytes(32), idPrefix: PREFIX, at: T0 }), 'unknown merchant');
      await refusedBy('foreign-key', () => store.insertTerminal({ merchantId: m.merchantId, storeId: 'KR01S999999' as StoreId, label: 'X', keyHash: randomBytes(32), idPrefix: PREFIX, at: T0 }), 'unknown store');
      await refusedBy('foreign-key', () => store.insertStore({ merchantId: 'KR01M999999' as MerchantId, name: 'X', address: null, idPrefix: PREFIX, at: T0 }), 'store of an unknown merchant');
      const after = await store.insertTerminal({ merchantId: m.merchantId, storeId: null, label: 'Next', keyHash: randomBytes(32), idPrefix: PREFIX, at: T0 });
      assert.equal(Number(after.terminalId.slice(5)), Number(loose.terminalId.slice(5)) + 1, 'refused terminals use up no number');
    });

    // ------------------------------------------------------------ orders

    it('orders: inserted once per (terminal, request id), the first answering every retry; the schema refuses a zero amount', async () => {
      const { merchant, storeId, terminal } = await shopIn();
      const order = {
        orderId: nextId('O') as OrderId,
        merchantId: merchant.merchantId,
        storeId,
        terminalId: terminal.terminalId,
        paymentRequestId: nextId('ord-'),
        amountKrw: BIG_KRW,
        qrPayload: '000201010212…',
        expiresAt: at(600_000),
        expiresAtMs: Date.parse(T0) + 600_000,
        createdAt: T0,
        requestHash: hash(),
      };
      const { expiresAtMs: _ms, ...expected } = order;
      assert.deepEqual(await store.insertOrder(order), { created: true, order: expected });
      const retry = { ...order, orderId: nextId('O') as OrderId, amountKrw: 1n, requestHash: hash() };
      assert.deepEqual(await store.insertOrder(retry), { created: false, order: expected });
      assert.equal(await store.getOrder(retry.orderId), null);
      assert.deepEqual(await store.getOrder(order.orderId), expected);

      await refusedBy('check', () => store.insertOrder({ ...order, orderId: nextId('O') as OrderId, paymentRequestId: nextId('ord-'), amountKrw: 0n }), 'zero amount');
      await refusedBy('foreign-key', () => store.insertOrder({ ...order, orderId: nextId('O') as OrderId, paymentRequestId: nextId('ord-'), terminalId: 'KR01T999999' as TerminalId }), 'unknown terminal');
      await refusedBy('unique', () => store.insertOrder({ ...order, paymentRequestId: nextId('ord-') }), 'same order id');
    });

    // ------------------------------------------------------------ payments

    it('payments: created once per (scope, request id), a retry answered with the first and its hash; read back exactly', async () => {
      const { merchant, storeId, terminal } = await shopIn();
      const payment = newPayment(merchant.merchantId, { storeId, terminalId: terminal.terminalId, amountKrw: BIG_KRW, origin: 'mpm' });
      const first = await created(payment, at(5));
      const expected: Payment = {
        paymentId: payment.paymentId,
        origin: 'mpm',
        merchantId: merchant.merchantId,
        storeId,
        terminalId: terminal.terminalId,
        orderId: null,
        requestId: payment.requestId,
        amountKrw: BIG_KRW,
        status: 'PROCESSING',
        resultCode: null,
        networkPaymentId: null,
        payAmount: null,
        fxQuote: null,
        payerId: null,
        paidAt: null,
        deadlineAtMs: payment.deadlineAtMs,
        cancelRequested: false,
        createdAt: at(5),
        updatedAt: at(5),
      };
      assert.deepEqual(first, expected);
      assert.deepEqual(await store.getPayment(payment.paymentId), expected);
      assert.equal(await store.getPayment('AP-none'), null);
      const retry = { ...payment, paymentId: nextId('AP') as PaymentId, requestHash: hash(), amountKrw: 1n };
      assert.deepEqual(await store.insertPayment(retry, at(6)), { kind: 'existing', payment: expected, requestHash: payment.requestHash });
      assert.equal(await store.getPayment(retry.paymentId), null);
      assert.deepEqual(await store.findPayment(payment.idempotencyScope, payment.requestId), { payment: expected, requestHash: payment.requestHash });
      assert.equal(await store.findPayment(payment.idempotencyScope, 'no-such-request'), null);
      assert.equal(await store.findPayment('other-scope', payment.requestId), null);
      // Another scope may use the same request id.
      await created({ ...payment, paymentId: nextId('AP') as PaymentId, idempotencyScope: 'other-scope' });

      await refusedBy('check', () => store.insertPayment(newPayment(merchant.merchantId, { amountKrw: 0n }), T0), 'zero amount');
      await refusedBy('foreign-key', () => store.insertPayment(newPayment('KR01M999999' as MerchantId), T0), 'unknown merchant');
      await refusedBy('unique', () => store.insertPayment(newPayment(merchant.merchantId, { paymentId: payment.paymentId }), T0), 'same payment id');
    });

    it('payments: an order has one payment under way or succeeded; after a FAIL it can be paid again', async () => {
      const { merchant, terminal } = await shopIn();
      const orderId = nextId('O') as OrderId;
      await store.insertOrder({ orderId, merchantId: merchant.merchantId, storeId: null, terminalId: terminal.terminalId, paymentRequestId: nextId('ord-'), amountKrw: 5_000n, qrPayload: 'qr', expiresAt: at(60_000), expiresAtMs: Date.parse(T0) + 60_000, createdAt: T0, requestHash: hash() });
      assert.equal(await store.paymentOfOrder(orderId), null);
      const failed = await created(newPayment(merchant.merchantId, { orderId, origin: 'mpm', amountKrw: 5_000n }), at(1));
      assert.deepEqual(await store.insertPayment(newPayment(merchant.merchantId, { orderId, origin: 'mpm', amountKrw: 5_000n }), at(2)), { kind: 'order-taken' });
      await store.movePayment(failed.paymentId, 'PROCESSING', { status: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' }, at(3));
      assert.equal((await store.paymentOfOrder(orderId))?.paymentId, failed.paymentId, 'the latest, when none is live');
      const paid = await created(newPayment(merchant.merchantId, { orderId, origin: 'mpm', amountKrw: 5_000n }), at(4));
      await store.movePayment(paid.paymentId, 'PROCESSING', SUCCESS, at(5));
      assert.deepEqual(await store.insertPayment(newPayment(merchant.merchantId, { orderId, origin: 'mpm', amountKrw: 5_000n }), at(6)), { kind: 'order-taken' });
      await created(newPayment(merchant.merchantId, { origin: 'mpm', amountKrw: 5_000n }), at(7));
      assert.equal((await store.paymentOfOrder(orderId))?.paymentId, paid.paymentId, 'the live one first, though older');
      // A retry of the request that holds the order is answered as a retry, not as order-taken.
      const retried = await store.insertPayment(newPayment(merchant.merchantId, { orderId, origin: 'mpm', amountKrw: 5_000n, idempotencyScope: `terminal:${merchant.merchantId}`, requestId: paid.requestId }), at(8));
      assert.equal(retried.kind, 'existing');
      await refusedBy('foreign-key', () => store.insertPayment(newPayment(merchant.merchantId, { orderId: 'O-none' as OrderId }), T0), 'unknown order');
    });

    it('payments: moved only from the named status, keeping what the network said; SUCCESS and its cancellation write their entries', async () => {
      const { merchant } = await shopIn();
      const owed = () => payouts.unpaidNetKrw(merchant.merchantId);
      const payment = await created(newPayment(merchant.merchantId, { amountKrw: BIG_KRW }));
      assert.equal(await store.movePayment(payment.paymentId, 'SUCCESS', { status: 'CANCELLED', resultCode: 'X' }, at(1)), null);
      assert.equal(await store.movePayment('AP-none' as PaymentId, 'PROCESSING', SUCCESS, at(1)), null);
      const paid = await store.movePayment(payment.paymentId, 'PROCESSING', SUCCESS, at(2));
      assert.deepEqual(paid, {
        ...payment,
        status: 'SUCCESS',
        resultCode: 'SUCCESS',
        networkPaymentId: 'NP1',
        payAmount: { currency: 'CNY', value: '7895' },
        fxQuote: { quoteId: 'Q1', baseCurrency: 'CNY', quoteCurrency: 'KRW', rate: '190' },
        payerId: 'payer-7f3a',
        paidAt: T0,
        updatedAt: at(2),
      });
      assert.equal(await store.movePayment(payment.paymentId, 'PROCESSING', { status: 'FAIL', resultCode: 'X' }, at(3)), null);
      assert.equal(await owed(), BIG_KRW, 'a PAYMENT entry');

      // A cancel keeps the payer side (COALESCE), takes the amount back, and clears a requested cancel.
      assert.equal((await store.requestCancel(payment.paymentId, at(4))).kind, 'requested');
      const cancelled = await store.movePayment(payment.paymentId, 'SUCCESS', { status: 'CANCELLED', resultCode: 'CANCELLED_BY_ACQUIRER' }, at(5));
      assert.deepEqual(cancelled, { ...paid, status: 'CANCELLED', resultCode: 'CANCELLED_BY_ACQUIRER', cancelRequested: false, updatedAt: at(5) });
      assert.equal(await owed(), 0n, 'a CANCELLATION entry');
      assert.equal(await store.movePayment(payment.paymentId, 'SUCCESS', { status: 'CANCELLED', resultCode: 'X' }, at(6)), null);
      assert.equal(await owed(), 0n, 'once');

      // FAIL, and a cancel before any success, owe the merchant nothing.
      const failed = await created(newPayment(merchant.merchantId));
      assert.equal((await store.movePayment(failed.paymentId, 'PROCESSING', { status: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' }, at(7)))?.resultCode, 'USER_BALANCE_NOT_ENOUGH');
      const timedOut = await created(newPayment(merchant.merchantId));
      assert.equal((await store.movePayment(timedOut.paymentId, 'PROCESSING', { status: 'CANCELLED', resultCode: 'PAYMENT_TIMED_OUT' }, at(8)))?.status, 'CANCELLED');
      assert.equal(await owed(), 0n);

      // SUCCESS without the instant it was paid is refused by the schema, and writes no entry.
      const unpaid = await created(newPayment(merchant.merchantId));
      await refusedBy('check', () => store.movePayment(unpaid.paymentId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS' }, at(9)), 'SUCCESS without paidAt');
      assert.equal((await store.getPayment(unpaid.paymentId))?.status, 'PROCESSING');
      assert.equal(await owed(), 0n);
    });

    it('payments: a cancel is requested only without refunds, cleared on refusal; open payments are the overdue and the cancelling', async () => {
      const { merchant } = await shopIn();
      assert.deepEqual(await store.requestCancel('AP-none' as PaymentId, T0), { kind: 'not-found' });
      const deadline = Date.parse(T0) + 1_000_000;
      const processing = await created(newPayment(merchant.merchantId, { deadlineAtMs: deadline }));
      await created(newPayment(merchant.merchantId, { deadlineAtMs: deadline + 1 }));
      // Not SUCCESS: answered as it stands, nothing marked.
      assert.deepEqual(await store.requestCancel(processing.paymentId, at(1)), { kind: 'requested', payment: processing });

      const paid = await succeeded(merchant.merchantId, { deadlineAtMs: deadline - 10 });
      const requested = await store.requestCancel(paid.paymentId, at(2));
      assert.deepEqual(requested, { kind: 'requested', payment: { ...paid, cancelRequested: true, updatedAt: at(2) } });
      const open = async () => (await store.openPayments(deadline, 1_000)).filter((p) => p.merchantId === merchant.merchantId).map((p) => p.paymentId);
      assert.deepEqual(await open(), [paid.paymentId, processing.paymentId], 'by deadline; the one due later not yet');
      assert.deepEqual(await store.openPayments(deadline, 1).then((p) => p.length), 1);
      await store.clearCancelRequest(paid.paymentId, at(3));
      assert.deepEqual(await store.getPayment(paid.paymentId), { ...paid, cancelRequested: false, updatedAt: at(3) });
      assert.deepEqual(await open(), [processing.paymentId]);

      const refunded = await succeeded(merchant.merchantId);
      assert.equal((await reserve(refunded.paymentId, 1n)).kind, 'created');
      assert.deepEqual(await store.requestCancel(refunded.paymentId, at(4)), { kind: 'has-refunds' });
      assert.equal((await store.getPayment(refunded.paymentId))?.cancelRequested, false);
    });

    // ------------------------------------------------------------ refunds

    it('refunds: reserved only on SUCCESS without a cancel, within what is left; a retry answered with the first; FAIL frees its amount', async () => {
      const { merchant } = await shopIn();
      assert.deepEqual(await reserve('AP-none', 1n), { kind: 'payment-not-found' });
      const processing = await created(newPayment(merchant.merchantId));
      assert.deepEqual(await reserve(processing.paymentId, 1n), { kind: 'not-refundable', status: 'PROCESSING', cancelRequested: false });
      const cancelling = await succeeded(merchant.merchantId);
      await store.requestCancel(cancelling.paymentId, at(1));
      assert.deepEqual(await reserve(cancelling.paymentId, 1n), { kind: 'not-refundable', status: 'SUCCESS', cancelRequested: true });

      const paid = await succeeded(merchant.merchantId, { amountKrw: 10_000n });
      const first = await reserve(paid.paymentId, 6_000n, { refundRequestId: 'r-first' });
      assert.equal(first.kind, 'created');
      const refund = (first as { refund: { refundId: RefundId } }).refund;
      assert.deepEqual(await store.getRefund(refund.refundId), { refundId: refund.refundId, paymentId: paid.paymentId, refundRequestId: 'r-first', amountKrw: 6_000n, status: 'PROCESSING', resultCode: null, networkRefundId: null, createdAt: at(2), updatedAt: at(2) });
      assert.equal(await store.getRefund('AR-none'), null);
      const retry = await reserve(paid.paymentId, 9_999n, { refundRequestId: 'r-first', requestHash: 'other' });
      assert.equal(retry.kind, 'existing');
      assert.equal((retry as { refund: { refundId: string } }).refund.refundId, refund.refundId);
      assert.deepEqual(await reserve(paid.paymentId, 4_001n), { kind: 'exceeds', remainingKrw: 4_000n });
      const second = await reserve(paid.paymentId, 4_000n);
      assert.equal(second.kind, 'created');
      assert.deepEqual(await reserve(paid.paymentId, 1n), { kind: 'exceeds', remainingKrw: 0n });

      // The refused refund frees its reservation; a refund is moved only from the named status.
      const secondId = (second as { refund: { refundId: RefundId } }).refund.refundId;
      assert.equal(await store.moveRefund(secondId, 'SUCCESS', { status: 'FAIL', resultCode: 'X', networkRefundId: null }, at(3)), null);
      const failed = await store.moveRefund(secondId, 'PROCESSING', { status: 'FAIL', resultCode: 'REFUND_AMOUNT_EXCEED', networkRefundId: null }, at(3));
      assert.deepEqual([failed?.status, failed?.resultCode, failed?.updatedAt], ['FAIL', 'REFUND_AMOUNT_EXCEED', at(3)]);
      assert.deepEqual(await reserve(paid.paymentId, 4_001n), { kind: 'exceeds', remainingKrw: 4_000n });
      assert.deepEqual((await store.refundsOf(paid.paymentId)).map((r) => r.refundId), [refund.refundId, secondId]);
      assert.deepEqual(await store.refundsOf('AP-none' as PaymentId), []);
    });

    it('refunds: SUCCESS writes the REFUND entry once; processing refunds oldest first; the schema refuses a zero amount', async () => {
      const { merchant } = await shopIn();
      const paid = await succeeded(merchant.merchantId, { amountKrw: 10_000n });
      const owedBefore = await payouts.unpaidNetKrw(merchant.merchantId);
      const reserved = await reserve(paid.paymentId, 2_500n);
      const refundId = (reserved as { refund: { refundId: RefundId } }).refund.refundId;
      assert.ok((await store.processingRefunds(1_000)).some((r) => r.refundId === refundId));
      const done = await store.moveRefund(refundId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS', networkRefundId: 'NR1' }, at(4));
      assert.deepEqual([done?.status, done?.networkRefundId, done?.updatedAt], ['SUCCESS', 'NR1', at(4)]);
      assert.equal(await store.moveRefund(refundId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS', networkRefundId: 'NR2' }, at(5)), null);
      assert.equal((await store.getRefund(refundId))?.networkRefundId, 'NR1');
      assert.equal(await payouts.unpaidNetKrw(merchant.merchantId), owedBefore - 2_500n);
      assert.ok(!(await store.processingRefunds(1_000)).some((r) => r.refundId === refundId));
      await refusedBy('check', () => reserve(paid.paymentId, 0n), 'zero amount');
      assert.deepEqual(await reserve(paid.paymentId, 7_501n), { kind: 'exceeds', remainingKrw: 7_500n });
    });

    // ------------------------------------------------------------ concurrency

    it(`concurrency: ${RACERS} refunds of 1,000 against a payment of 10,000: exactly ten are reserved`, async () => {
      const { merchant } = await shopIn();
      const paid = await succeeded(merchant.merchantId, { amountKrw: 10_000n });
      const outcomes = await Promise.all(Array.from({ length: RACERS }, () => reserve(paid.paymentId, 1_000n)));
      assert.equal(count(outcomes, (o) => o.kind === 'created'), 10);
      assert.equal(count(outcomes, (o) => o.kind === 'exceeds'), RACERS - 10);
      const refunds = await store.refundsOf(paid.paymentId);
      assert.equal(refunds.reduce((sum, r) => sum + r.amountKrw, 0n), 10_000n);
    });

    it(`concurrency: ${RACERS} inserts of one request create one payment; ${RACERS} requests for one order, one payment`, async () => {
      const { merchant, terminal } = await shopIn();
      const request = newPayment(merchant.merchantId);
      const same = await Promise.all(Array.from({ length: RACERS }, () => store.insertPayment({ ...request, paymentId: nextId('AP') as PaymentId }, T0)));
      assert.deepEqual([count(same, (o) => o.kind === 'created'), count(same, (o) => o.kind === 'existing')], [1, RACERS - 1]);
      const winner = same.find((o) => o.kind === 'created') as { payment: Payment };
      assert.ok(same.every((o) => o.kind !== 'existing' || o.payment.paymentId === winner.payment.paymentId));

      const orderId = nextId('O') as OrderId;
      const order = { orderId, merchantId: merchant.merchantId, storeId: null, terminalId: terminal.terminalId, paymentRequestId: nextId('ord-'), amountKrw: 5_000n, qrPayload: 'qr', expiresAt: at(60_000), expiresAtMs: Date.parse(T0) + 60_000, createdAt: T0, requestHash: hash() };
      const orders = await Promise.all(Array.from({ length: RACERS }, () => store.insertOrder({ ...order, orderId: nextId('O') as OrderId })));
      assert.equal(count(orders, (o) => o.created), 1);
      const theOrder = orders.find((o) => o.created)!.order.orderId;
      assert.ok(orders.every((o) => o.order.orderId === theOrder));
      const payments = await Promise.all(Array.from({ length: RACERS }, () => store.insertPayment(newPayment(merchant.merchantId, { orderId: theOrder, origin: 'mpm', amountKrw: 5_000n }), T0)));
      assert.deepEqual([count(payments, (o) => o.kind === 'created'), count(payments, (o) => o.kind === 'order-taken')], [1, RACERS - 1]);
    });

    it(`concurrency: ${RACERS} moves of one payment: one wins and writes one entry`, async () => {
      const { merchant } = await shopIn();
      const payment = await created(newPayment(merchant.merchantId, { amountKrw: 7_000n }));
      const moves = await Promise.all(Array.from({ length: RACERS }, (_, i) => store.movePayment(payment.paymentId, 'PROCESSING', i % 2 === 0 ? SUCCESS : { status: 'FAIL', resultCode: 'X' }, at(1))));
      assert.equal(count(moves, (m) => m !== null), 1);
      const status = moves.find((m) => m !== null)!.status;
      assert.equal(await payouts.unpaidNetKrw(merchant.merchantId), status === 'SUCCESS' ? 7_000n : 0n);
      if (status === 'SUCCESS') {
        const cancels = await Promise.all(Array.from({ length: RACERS }, () => store.movePayment(payment.paymentId, 'SUCCESS', { status: 'CANCELLED', resultCode: 'X' }, at(2))));
        assert.equal(count(cancels, (m) => m !== null), 1);
        assert.equal(await payouts.unpaidNetKrw(merchant.merchantId), 0n);
      }
    });

    it(`concurrency: ${RACERS} payments, each a refund racing a cancel: one of the two, never both`, async () => {
      const { merchant } = await shopIn();
      const paid = await Promise.all(Array.from({ length: RACERS }, () => succeeded(merchant.merchantId)));
      const raced = await Promise.all(paid.map(async (p) => {
        const [refund, cancel] = await Promise.all([reserve(p.paymentId, 1_000n), store.requestCancel(p.paymentId, at(3))]);
        return { refund: refund.kind, cancel: cancel.kind === 'requested' ? `requested:${cancel.payment.cancelRequested}` : cancel.kind };
      }));
      for (const r of raced) {
        assert.ok(
          (r.refund === 'created' && r.cancel === 'has-refunds') || (r.refund === 'not-refundable' && r.cancel === 'requested:true'),
          JSON.stringify(r),
        );
      }
    });

    it(`concurrency: ${RACERS} merchants, stores and terminals onboarded at once are numbered densely`, async () => {
      const merchants = await Promise.all(Array.from({ length: RACERS }, () => store.insertMerchant(newMerchant(), { idPrefix: PREFIX, at: T0 })));
      const seqs = merchants.map((m) => Number(m.merchantId.slice(5))).sort((a, b) => a - b);
      assert.deepEqual(seqs, Array.from({ length: RACERS }, (_, i) => seqs[0]! + i));
      const stores = await Promise.all(merchants.map((m) => store.insertStore({ merchantId: m.merchantId, name: 'Main', address: null, idPrefix: PREFIX, at: T0 })));
      const storeSeqs = stores.map((s) => Number(s.storeId.slice(5))).sort((a, b) => a - b);
      assert.deepEqual(storeSeqs, Array.from({ length: RACERS }, (_, i) => storeSeqs[0]! + i));
      const terminals = await Promise.all(merchants.map((m) => store.insertTerminal({ merchantId: m.merchantId, storeId: null, label: 'T', keyHash: randomBytes(32), idPrefix: PREFIX, at: T0 })));
      assert.equal(new Set(terminals.map((t) => t.terminalId)).size, RACERS);
    });
  });
}
