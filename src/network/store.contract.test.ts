/**
 * One suite for `NetworkStore`, run on every engine the network runs on
 * (STYLE 22, `STORE_TEST_ENGINES`): SQLite as is, SQLite through the group
 * commit, and PostgreSQL on a pool of several connections. Each method's
 * answers read back exactly (amounts beyond 2^53, the merchant, the flags),
 * idempotency keys answering `duplicate` or `conflict` and writing nothing,
 * moves applied only from the state named, the orders of the lists, the
 * clearing reads by id, the schema's CHECK, UNIQUE and foreign keys refusing
 * bad rows and leaving nothing half written, and concurrent callers racing
 * for one request id and one move.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { amount, currency } from '../money/index.ts';
import { STORE_TEST_ENGINES, type OpenStores } from './test-helpers.ts';
import type { NetworkStore } from './store.ts';
import type { FxRateRecord, NetworkPayment, NetworkPaymentId, NetworkRefund, NetworkRefundId, Participant } from './types.ts';
import { refusedBy } from '../platform/testing/store-engines.ts';

/** Callers racing in each concurrency case. */
const RACERS = 16;
const CNY = currency('CNY');
const KRW = currency('KRW');
const T0 = new Date('2026-11-25T03:00:00.000Z');
/** An instant `ms` after T0. */
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const BIG = 2n ** 53n + 1n;

let sequence = 0;
const hexId = (prefix: string): string => `${prefix}${(++sequence).toString(16).padStart(24, '0')}`;
const hash = (): string => randomBytes(32).toString('hex');

const PEM = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n';

function wallet(participantId: string, codePrefix: string, keyVersions: readonly number[] = [1]): Participant {
  return {
    participantId,
    role: 'wallet',
    name: `Wallet ${participantId}`,
    baseUrl: 'http://127.0.0.1:1',
    currency: CNY,
    codePrefix,
    keys: keyVersions.map((keyVersion) => ({ keyVersion, publicKeyPem: PEM, addedAt: T0 })),
    registeredAt: T0,
  };
}

function acquirer(participantId: string, merchantIdPrefix: string, registeredAt = T0): Participant {
  return {
    participantId,
    role: 'acquirer',
    name: `Acquirer ${participantId}`,
    baseUrl: 'http://127.0.0.1:2',
    currency: KRW,
    merchantIdPrefix,
    keys: [{ keyVersion: 1, publicKeyPem: PEM, addedAt: registeredAt }],
    registeredAt,
  };
}

for (const engine of STORE_TEST_ENGINES) {
  describe(`NetworkStore on ${engine.name}`, () => {
    let opened: OpenStores;
    let store: NetworkStore;
    let quote: FxRateRecord;
    const W = 'WALLET_1';
    const A = 'ACQ_1';
    before(async () => {
      opened = await engine.open();
      store = opened.store;
      assert.equal(await store.insertParticipant(wallet(W, '2851')), 'inserted');
      assert.equal(await store.insertParticipant(acquirer(A, 'KR01', at(1))), 'inserted');
      quote = { quoteId: 'Q-BASE', base: CNY, quote: KRW, rate: '190.25', validFrom: T0, recordedAt: T0 };
      await store.insertFxRate(quote);
    });
    after(async () => {
      await opened.close();
    });

    const newPayment = (overrides: Partial<NetworkPayment> = {}): NetworkPayment => ({
      paymentId: hexId('NP') as NetworkPaymentId,
      acquirerId: A,
      paymentRequestId: `pos-${sequence}`,
      walletId: W,
      requestHash: hash(),
      merchant: { merchantId: 'KR01M0001', merchantName: 'Café "Dari", 명동', merchantMcc: '5814', merchantCity: 'Seoul', merchantCountry: 'KR' },
      paymentAmount: amount(KRW, 15_000n),
      payAmount: amount(CNY, 7_885n),
      fxQuote: { quoteId: quote.quoteId, base: CNY, quote: KRW, rate: quote.rate },
      status: 'PROCESSING',
      stage: 'paying',
      resultCode: null,
      resultMessage: null,
      payerId: null,
      paymentTime: null,
      deadlineAt: at(15_000),
      notifyPending: false,
      createdAt: T0,
      updatedAt: T0,
      ...overrides,
    });
    const newRefund = (payment: NetworkPayment, overrides: Partial<NetworkRefund> = {}): NetworkRefund => ({
      refundId: hexId('NR') as NetworkRefundId,
      acquirerId: payment.acquirerId,
      refundRequestId: `refund-${sequence}`,
      paymentId: payment.paymentId,
      requestHash: hash(),
      refundAmount: amount(KRW, 5_000n),
      refundPayAmount: amount(CNY, 2_628n),
      status: 'PROCESSING',
      resultCode: null,
      refundTime: null,
      createdAt: at(10),
      updatedAt: at(10),
      ...overrides,
    });
    const inserted = async (payment: NetworkPayment): Promise<NetworkPayment> => {
      assert.equal(await store.insertPayment(payment), 'inserted');
      return payment;
    };

    describe('participants', () => {
      it('reads back what was inserted, keys in version order, in registration order', async () => {
        const listed = await store.listParticipants();
        assert.deepEqual(
          listed.map((p) => p.participantId),
          [W, A],
        );
        assert.deepEqual(listed[0], wallet(W, '2851'));
        assert.deepEqual(listed[1], acquirer(A, 'KR01', at(1)));
        assert.equal(await store.insertParticipantKey(W, { keyVersion: 3, publicKeyPem: PEM, addedAt: at(5) }), 'inserted');
        assert.equal(await store.insertParticipantKey(W, { keyVersion: 2, publicKeyPem: PEM, addedAt: at(6) }), 'inserted');
        const keys = (await store.listParticipants()).find((p) => p.participantId === W)?.keys;
        assert.deepEqual(
          keys?.map((k) => [k.keyVersion, k.addedAt.toISOString()]),
          [
            [1, T0.toISOString()],
            [2, at(6).toISOString()],
            [3, at(5).toISOString()],
          ],
        );
        assert.equal(await store.insertParticipantKey(W, { keyVersion: 2, publicKeyPem: PEM, addedAt: at(7) }), 'exists');
      });

      it('answers conflict for a taken id, code prefix or merchant-id prefix, and writes none of it', async () => {
        const before = await store.listParticipants();
        assert.equal(await store.insertParticipant(wallet(W, '9999')), 'conflict', 'the same id');
        assert.equal(await store.insertParticipant(wallet('WALLET_2', '2851')), 'conflict', 'the same code prefix');
        assert.equal(await store.insertParticipant(acquirer('ACQ_2', 'KR01')), 'conflict', 'the same merchant-id prefix');
        assert.deepEqual(await store.listParticipants(), before);
      });

      it('writes a participant with its keys or not at all', async () => {
        const before = await store.listParticipants();
        assert.equal(await store.insertParticipant(wallet('WALLET_3', '3333', [1, 1])), 'conflict', 'two keys of one version');
        assert.deepEqual(await store.listParticipants(), before, 'neither the participant nor its first key');
      });

      it('refuses a participant the schema does not allow, and a key of nobody', async () => {
        await refusedBy('check', () => store.insertParticipant({ ...wallet('x'.repeat(49), '4444') }), 'an id over 48 characters');
        await refusedBy('check', () => store.insertParticipant({ ...wallet('WALLET_4', '4444'), name: '' }), 'an empty name');
        await refusedBy('foreign-key', () => store.insertParticipantKey('NOBODY', { keyVersion: 1, publicKeyPem: PEM, addedAt: T0 }), 'a key of an unknown participant');
      });
    });

    describe('FX rates', () => {
      it('lists newest first, and finds the rate in force: the latest validFrom not after the instant, the later of two', async () => {
        const pair = { base: currency('USD'), quote: KRW };
        const rate = (quoteId: string, validFrom: Date, value: string): FxRateRecord => ({ quoteId, ...pair, rate: value, validFrom, recordedAt: T0 });
        assert.equal(await store.currentFxRate(pair.base, pair.quote, at(0)), null);
        await store.insertFxRate(rate('U1', at(0), '1400'));
        await store.insertFxRate(rate('U2', at(1_000), '1401.5'));
        await store.insertFxRate(rate('U3', at(1_000), '1402'));
        await store.insertFxRate(rate('U4', at(5_000), '1403'));
        assert.equal(await store.currentFxRate(pair.base, pair.quote, at(-1)), null);
        assert.deepEqual(await store.currentFxRate(pair.base, pair.quote, at(999)), rate('U1', at(0), '1400'));
        assert.equal((await store.currentFxRate(pair.base, pair.quote, at(1_000)))?.quoteId, 'U3');
        assert.equal((await store.currentFxRate(pair.base, pair.quote, at(4_999)))?.quoteId, 'U3');
        assert.equal((await store.currentFxRate(pair.base, pair.quote, at(9_000)))?.quoteId, 'U4');
        assert.equal(await store.currentFxRate(KRW, pair.base, at(9_000)), null, 'the pair, not its inverse');
        assert.deepEqual(
          (await store.listFxRates(3)).map((r) => r.quoteId),
          ['U4', 'U3', 'U2'],
        );
        await refusedBy('unique', () => store.insertFxRate(rate('U1', at(9), '1')), 'a quote id used before');
        await refusedBy('check', () => store.insertFxRate({ ...rate('U5', at(9), '1'), quote: pair.base }), 'a pair of one currency');
      });
    });

    describe('payments', () => {
      it('reads back exactly what was inserted, by id and by request', async () => {
        const payment = await inserted(newPayment({ paymentAmount: amount(KRW, BIG), payAmount: amount(CNY, BIG - 1n) }));
        assert.deepEqual(await store.paymentById(payment.paymentId), payment);
        assert.deepEqual(await store.paymentByRequest(A, payment.paymentRequestId), payment);
        assert.equal(await store.paymentById('NP-none'), null);
        assert.equal(await store.paymentByRequest(A, 'none'), null);
        assert.equal(await store.paymentByRequest(W, payment.paymentRequestId), null, 'the request id is per acquirer');
      });

      it('answers duplicate for a taken payment id or (acquirer, request id), and keeps the first', async () => {
        const first = await inserted(newPayment());
        assert.equal(await store.insertPayment(newPayment({ paymentId: first.paymentId })), 'duplicate');
        assert.equal(await store.insertPayment(newPayment({ paymentRequestId: first.paymentRequestId })), 'duplicate');
        assert.deepEqual(await store.paymentByRequest(A, first.paymentRequestId), first);
      });

      it('moves a payment only from the status and stage named, and sets only what changes', async () => {
        const payment = await inserted(newPayment());
        const paidAt = at(2_000);
        assert.equal(await store.updatePayment(payment.paymentId, { status: 'PROCESSING', stage: 'cancelling' }, { status: 'FAIL', stage: null }, at(1)), false, 'another stage');
        assert.equal(await store.updatePayment(payment.paymentId, { status: 'SUCCESS', stage: null }, { stage: 'cancelling' }, at(1)), false, 'another status');
        assert.deepEqual(await store.paymentById(payment.paymentId), payment, 'nothing changed');
        const success = { status: 'SUCCESS', stage: null, resultCode: 'SUCCESS', resultMessage: 'success', payerId: 'PAYER-1', paymentTime: paidAt, notifyPending: true } as const;
        assert.equal(await store.updatePayment(payment.paymentId, { status: 'PROCESSING', stage: 'paying' }, success, at(3)), true);
        const moved = await store.paymentById(payment.paymentId);
        assert.deepEqual(moved, { ...payment, ...success, updatedAt: at(3) });
        assert.equal(await store.updatePayment(payment.paymentId, { status: 'PROCESSING', stage: 'paying' }, { status: 'FAIL', stage: null }, at(4)), false, 'moved once');
        assert.equal(await store.updatePayment(payment.paymentId, { status: 'SUCCESS', stage: null }, { notifyPending: false, paymentTime: paidAt }, at(5)), true, 'a stage of null is matched');
        assert.equal((await store.paymentById(payment.paymentId))?.notifyPending, false);
        assert.equal(await store.updatePayment('NP-none' as NetworkPaymentId, { status: 'SUCCESS', stage: null }, { notifyPending: true }, at(6)), false);
      });

      it('lists newest first (by status too), the open ones and the ones to notify oldest first', async () => {
        const p1 = await inserted(newPayment({ createdAt: at(100_000), updatedAt: at(100_000) }));
        const p2 = await inserted(newPayment({ createdAt: at(100_001), updatedAt: at(100_001), status: 'FAIL', stage: null, resultCode: 'USER_BALANCE_NOT_ENOUGH', notifyPending: true }));
        const p3 = await inserted(newPayment({ createdAt: at(100_001), updatedAt: at(100_002), status: 'SUCCESS', stage: 'cancelling', paymentTime: at(1), notifyPending: true }));
        const newest = await store.listPayments({ limit: 3 });
        assert.deepEqual(
          newest.map((p) => p.paymentId),
          [p3.paymentId, p2.paymentId, p1.paymentId],
          'by creation, then by id, newest first',
        );
        assert.deepEqual(
          (await store.listPayments({ status: 'FAIL', limit: 10 })).map((p) => p.paymentId),
          [p2.paymentId],
        );
        const open = (await store.openPayments(1_000)).map((p) => p.paymentId);
        assert.ok(open.includes(p1.paymentId) && open.includes(p3.paymentId) && !open.includes(p2.paymentId));
        assert.ok(open.indexOf(p1.paymentId) < open.indexOf(p3.paymentId));
        assert.deepEqual(
          (await store.paymentsToNotify(1_000)).map((p) => p.paymentId).slice(-2),
          [p2.paymentId, p3.paymentId],
        );
        assert.equal((await store.openPayments(1)).length, 1, 'the limit holds');
      });

      it('refuses a payment the schema does not allow', async () => {
        await refusedBy('check', () => store.insertPayment(newPayment({ status: 'SUCCESS', stage: null })), 'a success without its time');
        await refusedBy('check', () => store.insertPayment(newPayment({ stage: null })), 'processing without a stage');
        await refusedBy('check', () => store.insertPayment(newPayment({ status: 'FAIL', stage: 'paying' })), 'a failure with a stage');
        await refusedBy('check', () => store.insertPayment(newPayment({ payAmount: amount(CNY, 0n) })), 'nothing to pay');
        await refusedBy('check', () => store.insertPayment(newPayment({ requestHash: 'short' })), 'a request hash of another length');
        await refusedBy('foreign-key', () => store.insertPayment(newPayment({ fxQuote: { ...newPayment().fxQuote, quoteId: 'NO-SUCH-QUOTE' } })), 'an unknown quote');
        await refusedBy('foreign-key', () => store.insertPayment(newPayment({ acquirerId: 'NOBODY' })), 'an unknown acquirer');
      });

      it('keeps cancelled request ids once', async () => {
        assert.equal(await store.isCancelledRequest(A, 'cancelled-1'), false);
        await store.insertCancelledRequest(A, 'cancelled-1', at(1));
        await store.insertCancelledRequest(A, 'cancelled-1', at(2));
        assert.equal(await store.isCancelledRequest(A, 'cancelled-1'), true);
        assert.equal(await store.isCancelledRequest('ACQ_OTHER', 'cancelled-1'), false);
      });

      it('races for one request id: one insert wins, every other is a duplicate', async () => {
        const requestId = `race-${sequence}`;
        const outcomes = await Promise.all(Array.from({ length: RACERS }, () => store.insertPayment(newPayment({ paymentRequestId: requestId }))));
        assert.equal(outcomes.filter((o) => o === 'inserted').length, 1);
        assert.equal(outcomes.filter((o) => o === 'duplicate').length, RACERS - 1);
      });

      it('races for one move: exactly one caller moves the payment', async () => {
        const payment = await inserted(newPayment());
        const moves = await Promise.all(
          Array.from({ length: RACERS }, (_, i) =>
            store.updatePayment(payment.paymentId, { status: 'PROCESSING', stage: 'paying' }, { status: 'FAIL', stage: null, resultMessage: `racer ${i}` }, at(i)),
          ),
        );
        assert.equal(moves.filter(Boolean).length, 1);
        const winner = moves.indexOf(true);
        assert.equal((await store.paymentById(payment.paymentId))?.resultMessage, `racer ${winner}`);
      });
    });

    describe('refunds', () => {
      it('reads back, answers duplicate for a taken id or request id, and lists a payment\'s refunds in order', async () => {
        const payment = await inserted(newPayment({ status: 'SUCCESS', stage: null, paymentTime: at(1) }));
        const r1 = newRefund(payment, { refundAmount: amount(KRW, BIG), refundPayAmount: amount(CNY, 0n), createdAt: at(20), updatedAt: at(20) });
        const r2 = newRefund(payment, { createdAt: at(10), updatedAt: at(10) });
        assert.equal(await store.insertRefund(r1), 'inserted');
        assert.equal(await store.insertRefund(r2), 'inserted');
        assert.equal(await store.insertRefund(newRefund(payment, { refundId: r1.refundId })), 'duplicate');
        assert.equal(await store.insertRefund(newRefund(payment, { refundRequestId: r1.refundRequestId })), 'duplicate');
        assert.deepEqual(await store.refundById(r1.refundId), r1);
        assert.deepEqual(await store.refundByRequest(A, r2.refundRequestId), r2);
        assert.equal(await store.refundById('NR-none'), null);
        assert.equal(await store.refundByRequest(A, 'none'), null);
        assert.deepEqual(await store.refundsOfPayment(payment.paymentId), [r2, r1]);
      });

      it('moves a refund only from the status named; open ones are PROCESSING', async () => {
        const payment = await inserted(newPayment({ status: 'SUCCESS', stage: null, paymentTime: at(1) }));
        const refund = newRefund(payment);
        assert.equal(await store.insertRefund(refund), 'inserted');
        assert.ok((await store.openRefunds(10_000)).some((r) => r.refundId === refund.refundId));
        assert.equal(await store.updateRefund(refund.refundId, 'FAIL', { status: 'SUCCESS' }, at(1)), false);
        const done = { status: 'SUCCESS', resultCode: 'SUCCESS', refundTime: at(30) } as const;
        assert.equal(await store.updateRefund(refund.refundId, 'PROCESSING', done, at(31)), true);
        assert.deepEqual(await store.refundById(refund.refundId), { ...refund, ...done, updatedAt: at(31) });
        assert.equal(await store.updateRefund(refund.refundId, 'PROCESSING', { status: 'FAIL' }, at(32)), false);
        assert.ok(!(await store.openRefunds(10_000)).some((r) => r.refundId === refund.refundId));
      });

      it('refuses a refund the schema does not allow', async () => {
        const payment = await inserted(newPayment({ status: 'SUCCESS', stage: null, paymentTime: at(1) }));
        await refusedBy('check', () => store.insertRefund(newRefund(payment, { refundAmount: amount(KRW, 0n) })), 'a refund of nothing');
        await refusedBy('check', () => store.insertRefund(newRefund(payment, { refundPayAmount: amount(CNY, -1n) })), 'a negative wallet amount');
        await refusedBy('foreign-key', () => store.insertRefund(newRefund(payment, { paymentId: 'NP-none' as NetworkPaymentId })), 'a refund of no payment');
      });
    });

    describe('what clearing reads', () => {
      it('finds payments and refunds by id in one read, leaving out the ids it does not know', async () => {
        const p1 = await inserted(newPayment({ status: 'SUCCESS', stage: null, paymentTime: at(1), paymentAmount: amount(KRW, BIG) }));
        const p2 = await inserted(newPayment({ status: 'SUCCESS', stage: null, paymentTime: at(1) }));
        const refund = newRefund(p1, { refundPayAmount: amount(CNY, 0n) });
        assert.equal(await store.insertRefund(refund), 'inserted');
        const payments = await store.paymentsForClearing([p1.paymentId, p2.paymentId, 'NP-none']);
        assert.deepEqual([...payments.keys()].sort(), [p1.paymentId, p2.paymentId].sort());
        const { paymentId, acquirerId, paymentRequestId, walletId, paymentAmount, payAmount, fxQuote } = p1;
        assert.deepEqual(payments.get(p1.paymentId), { paymentId, acquirerId, paymentRequestId, walletId, paymentAmount, payAmount, fxQuote });
        const refunds = await store.refundsForClearing([refund.refundId, 'NR-none']);
        assert.deepEqual([...refunds.entries()], [
          [
            refund.refundId,
            {
              refundId: refund.refundId,
              paymentId: refund.paymentId,
              refundRequestId: refund.refundRequestId,
              refundAmount: refund.refundAmount,
              refundPayAmount: refund.refundPayAmount,
            },
          ],
        ]);
        assert.equal((await store.paymentsForClearing(['NP-none'])).size, 0);
      });
    });

    describe('user-initiated requests', () => {
      it('keeps the first request under a (wallet, user request id), then its final answer', async () => {
        const record = { requestHash: hash(), acquirerId: A, finalAnswer: null };
        assert.equal(await store.userInitiated(W, 'u-1'), null);
        assert.equal(await store.insertUserInitiated(W, 'u-1', record, at(1)), 'inserted');
        assert.equal(await store.insertUserInitiated(W, 'u-1', { ...record, requestHash: hash() }, at(2)), 'duplicate');
        assert.deepEqual(await store.userInitiated(W, 'u-1'), record);
        await store.setUserInitiatedAnswer(W, 'u-1', '{"result":{"resultStatus":"S"}}');
        assert.deepEqual(await store.userInitiated(W, 'u-1'), { ...record, finalAnswer: '{"result":{"resultStatus":"S"}}' });
        assert.equal(await store.userInitiated('WALLET_OTHER', 'u-1'), null);
      });
    });
  });
}
