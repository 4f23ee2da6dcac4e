/**
 * One suite for `ReportsStore` on every engine: SQLite, SQLite through the
 * group commit, PostgreSQL on a pool. A merchant's terminals (its own only,
 * paged, no key); a window's totals per kind of merchant entry (its edges,
 * a terminal's against its merchant's, another merchant's left out, a refund
 * of an earlier payment); the window's payments newest first with their
 * refunds, paged across equal instants, an unknown cursor an empty page.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { storeTestEngines } from '../platform/testing/store-engines.ts';
import type { BusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import { createSqliteReportsStore, type ReportScope, type ReportsStore } from './reports-store.ts';
import { createPostgresReportsStore } from './reports-store-postgres.ts';
import { createSqliteAcquirerStore, type AcquirerStore } from './store.ts';
import { createPostgresAcquirerStore } from './store-postgres.ts';
import type { Merchant, PaymentId, RefundId, Terminal } from './types.ts';

interface Opened {
  readonly store: AcquirerStore;
  readonly reports: ReportsStore;
  close(): Promise<void>;
}

const ENGINES = storeTestEngines<Omit<Opened, 'close'>>({
  name: 'reports-store',
  sqlite: (db, committed) => ({ store: committed(createSqliteAcquirerStore(db)), reports: committed(createSqliteReportsStore(db)) }),
  postgres: async (pool) => ({ store: await createPostgresAcquirerStore(pool), reports: await createPostgresReportsStore(pool) }),
});

// A business day in Korea: [2026-11-24T15:00Z, 2026-11-25T15:00Z).
const DAY = { fromIso: '2026-11-24T15:00:00.000Z', toIso: '2026-11-25T15:00:00.000Z' } as const;
const BEFORE = '2026-11-24T14:59:59.999Z';
const MORNING = '2026-11-25T00:30:00.000Z';
const NOON = '2026-11-25T03:00:00.000Z';
const EVENING = '2026-11-25T12:00:00.000Z';
const LAST = '2026-11-25T14:59:59.999Z';

let sequence = 0;
const next = (prefix: string) => `${prefix}${String(++sequence).padStart(6, '0')}`;

for (const engine of ENGINES) {
  describe(`ReportsStore on ${engine.name}`, () => {
    let opened: Opened;
    let store: AcquirerStore;
    let reports: ReportsStore;
    let a: Merchant;
    let b: Merchant;
    let a1: Terminal;
    let a2: Terminal;
    let b1: Terminal;

    const merchant = async (name: string): Promise<Merchant> => {
      const m = await store.insertMerchant(
        { legalName: name, businessRegistrationNumber: '2208162517' as BusinessRegistrationNumber, mcc: '5311', address: '1 Road', city: 'Seoul', settlementAccount: { bankCode: '004', accountNumber: '1234567890', holderName: name }, mdrBps: 250 },
        { idPrefix: 'KR01', at: BEFORE },
      );
      return (await store.moveMerchant(m.merchantId, { from: 'pending', to: 'approved', reason: null, at: BEFORE }))!;
    };
    const terminal = (m: Merchant, label: string) => store.insertTerminal({ merchantId: m.merchantId, storeId: null, label, keyHash: randomBytes(32), idPrefix: 'KR01', at: BEFORE });
    /** A payment created at `createdAt` and, unless `outcome` says otherwise, succeeded at `paidAt`. */
    const pay = async (t: Terminal | { merchantId: Merchant['merchantId']; terminalId: null }, amountKrw: bigint, createdAt: string, outcome: { readonly paidAt?: string; readonly fail?: true } = {}) => {
      const inserted = await store.insertPayment(
        { paymentId: next('AP') as PaymentId, origin: 'pos', merchantId: t.merchantId, storeId: null, terminalId: t.terminalId, orderId: null, idempotencyScope: `terminal:${t.terminalId ?? 'none'}`, requestId: next('r'), requestHash: 'h', amountKrw, deadlineAtMs: Date.parse(createdAt) },
        createdAt,
      );
      assert.equal(inserted.kind, 'created');
      const { paymentId } = (inserted as { payment: { paymentId: PaymentId } }).payment;
      if (outcome.fail) return (await store.movePayment(paymentId, 'PROCESSING', { status: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' }, createdAt))!;
      const paidAt = outcome.paidAt ?? createdAt;
      return (await store.movePayment(paymentId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS', paidAt }, paidAt))!;
    };
    const refund = async (paymentId: PaymentId, amountKrw: bigint, at: string) => {
      const reserved = await store.reserveRefund({ refundId: next('AR') as RefundId, paymentId, refundRequestId: next('rr'), requestHash: 'h', amountKrw }, at);
      assert.equal(reserved.kind, 'created');
      const { refundId } = (reserved as { refund: { refundId: RefundId } }).refund;
      return (await store.moveRefund(refundId, 'PROCESSING', { status: 'SUCCESS', resultCode: 'SUCCESS', networkRefundId: null }, at))!;
    };

    before(async () => {
      opened = await engine.open();
      store = opened.store;
      reports = opened.reports;
      a = await merchant('Shop A');
      b = await merchant('Shop B');
      a1 = await terminal(a, 'Counter 1');
      b1 = await terminal(b, 'Counter 1');
      a2 = await terminal(a, 'Online shop');
    });
    after(() => opened.close());

    it("lists a merchant's own terminals by id, a page at a time, without their keys", async () => {
      const all = await reports.terminalsOf(a.merchantId, { limit: 10 });
      assert.deepEqual(all, [a1, a2]);
      for (const t of all) assert.deepEqual(Object.keys(t).sort(), ['createdAt', 'label', 'merchantId', 'storeId', 'terminalId']);
      assert.deepEqual(await reports.terminalsOf(a.merchantId, { limit: 1 }), [a1]);
      assert.deepEqual(await reports.terminalsOf(a.merchantId, { afterId: a1.terminalId, limit: 1 }), [a2]);
      assert.deepEqual(await reports.terminalsOf(a.merchantId, { afterId: a2.terminalId, limit: 10 }), []);
      assert.deepEqual(await reports.terminalsOf(b.merchantId, { limit: 10 }), [b1]);
      assert.deepEqual(await reports.terminalsOf('KR01M999999' as Merchant['merchantId'], { limit: 10 }), []);
    });

    it('answers zero totals and no payments for a day with nothing in it', async () => {
      const empty = { fromIso: '2026-01-01T15:00:00.000Z', toIso: '2026-01-02T15:00:00.000Z' };
      const zero = { count: 0, amountKrw: 0n };
      assert.deepEqual(await reports.windowTotals({ merchantId: a.merchantId, terminalId: null }, empty), { payments: zero, refunds: zero, cancellations: zero });
      assert.deepEqual(await reports.windowPayments({ merchantId: a.merchantId, terminalId: null }, empty, { limit: 10 }), []);
    });

    it("sums a day's entries per kind at its edges, for a terminal and for its merchant, and lists the day's payments newest first", async () => {
      const yesterday = await pay(a1, 7_000n, '2026-11-24T10:00:00.000Z');
      const atStart = await pay(a1, 10_000n, DAY.fromIso);
      const morning = await pay(a1, 20_000n, MORNING);
      const online = await pay(a2, 39_000n, NOON);
      const staticQr = await pay({ merchantId: a.merchantId, terminalId: null }, 3_000n, NOON);
      const failed = await pay(a1, 50_000n, EVENING, { fail: true });
      const cancelled = await pay(a1, 4_000n, MORNING);
      assert.ok(await store.movePayment(cancelled.paymentId, 'SUCCESS', { status: 'CANCELLED', resultCode: 'SUCCESS' }, EVENING));
      const atEnd = await pay(a1, 80_000n, DAY.toIso);
      const lastInstant = await pay(a1, 1_000n, LAST);
      await pay(b1, 99_000n, NOON);
      await refund(yesterday.paymentId, 2_000n, NOON);
      await refund(morning.paymentId, 5_000n, EVENING);
      await refund(online.paymentId, 9_000n, DAY.toIso);

      const scope = (t: Terminal | null): ReportScope => ({ merchantId: a.merchantId, terminalId: t === null ? null : t.terminalId });
      assert.deepEqual(await reports.windowTotals(scope(a1), DAY), {
        payments: { count: 4, amountKrw: 10_000n + 20_000n + 4_000n + 1_000n },
        refunds: { count: 2, amountKrw: 2_000n + 5_000n },
        cancellations: { count: 1, amountKrw: 4_000n },
      });
      assert.deepEqual(await reports.windowTotals(scope(a2), DAY), { payments: { count: 1, amountKrw: 39_000n }, refunds: { count: 0, amountKrw: 0n }, cancellations: { count: 0, amountKrw: 0n } });
      assert.deepEqual(await reports.windowTotals(scope(null), DAY), {
        payments: { count: 6, amountKrw: 35_000n + 39_000n + 3_000n },
        refunds: { count: 2, amountKrw: 7_000n },
        cancellations: { count: 1, amountKrw: 4_000n },
      });

      const ids = async (s: ReportScope) => (await reports.windowPayments(s, DAY, { limit: 100 })).map((p) => p.payment.paymentId);
      // Made in the day, or refunded in it (yesterday's payment); not the one at the day's end, nor the other merchant's.
      const byTime = [lastInstant, failed, cancelled, morning, atStart, yesterday];
      assert.deepEqual(await ids(scope(a1)), byTime.map((p) => p.paymentId));
      assert.deepEqual(new Set(await ids(scope(null))), new Set([...byTime, online, staticQr].map((p) => p.paymentId)));
      assert.ok(!(await ids(scope(null))).includes(atEnd.paymentId));
      const ofB = await reports.windowPayments({ merchantId: b.merchantId, terminalId: null }, DAY, { limit: 100 });
      assert.deepEqual(ofB.map((p) => p.payment.amountKrw), [99_000n], "the other merchant's day holds its own payment only");

      const withRefunds = await reports.windowPayments(scope(a2), DAY, { limit: 100 });
      assert.equal(withRefunds.length, 1);
      assert.deepEqual(withRefunds[0]!.payment, await store.getPayment(online.paymentId));
      assert.deepEqual(withRefunds[0]!.refunds, await store.refundsOf(online.paymentId), 'every refund of a listed payment, whatever its day');
      assert.equal(withRefunds[0]!.refunds[0]!.amountKrw, 9_000n);
    });

    it('pages newest first, across payments made at the same instant, and answers an empty page to an unknown cursor', async () => {
      const c = await merchant('Shop C');
      const t = await terminal(c, 'Counter 1');
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await pay(t, BigInt(1_000 + i), i < 3 ? NOON : EVENING));
      const expected = [...made].sort((x, y) => (x.createdAt === y.createdAt ? (x.paymentId < y.paymentId ? 1 : -1) : x.createdAt < y.createdAt ? 1 : -1)).map((p) => p.paymentId);
      const scope = { merchantId: c.merchantId, terminalId: t.terminalId };
      const seen: string[] = [];
      let afterPaymentId: PaymentId | undefined;
      for (let page = 0; page < 5; page++) {
        const got = await reports.windowPayments(scope, DAY, { ...(afterPaymentId === undefined ? {} : { afterPaymentId }), limit: 2 });
        seen.push(...got.map((p) => p.payment.paymentId));
        if (got.length < 2) break;
        afterPaymentId = got.at(-1)!.payment.paymentId;
      }
      assert.deepEqual(seen, expected);
      assert.deepEqual(await reports.windowPayments(scope, DAY, { afterPaymentId: 'APnone' as PaymentId, limit: 2 }), []);
    });
  });
}
