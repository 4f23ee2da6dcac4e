/**
 * One suite for `WalletStore`, run on every engine the wallet runs on (STYLE
 * 22): SQLite as is, SQLite through the group commit the batched wallet puts
 * around it (ADR 10), and PostgreSQL on a pool of several connections. Each
 * method's happy path, its idempotency and duplicate answers, conditional
 * updates refusing a row in the wrong state, the schema's CHECK, UNIQUE and
 * foreign-key constraints refusing bad rows (and leaving nothing half
 * written), integers beyond 2^53 read back exactly, the activity's paging,
 * and concurrent callers racing for one code, one request id, one cancel.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { amount, AMOUNT_VALUE_MAX, currency, type Amount } from '../money/index.ts';
import { storeTestEngines } from '../platform/testing/store-engines.ts';
import { createSqliteWalletStore, type NewUser, type ProcessingPayment, type WalletStore } from './store.ts';
import { createPostgresWalletStore } from './store-postgres.ts';
import type { MpmRequest, PaymentCodeKind, PaymentCodeRecord, PaymentDetail, SealedIdNumber, Topup, UserId } from './types.ts';

const KRW = currency('KRW');
const CNY = currency('CNY');
/** Callers racing in each concurrency case. */
const RACERS = 16;

interface OpenStore {
  readonly store: WalletStore;
  close(): Promise<void>;
}

const ENGINES = storeTestEngines<Omit<OpenStore, 'close'>>({
  name: 'wallet-store',
  sqlite: (db, committed) => ({ store: committed(createSqliteWalletStore(db)) }),
  postgres: async (pool) => ({ store: await createPostgresWalletStore(pool) }),
});

// ---------------------------------------------------------------- fixtures

let sequence = 0;
const nextId = (prefix: string): string => `${prefix}${String(++sequence).padStart(6, '0')}`;
const T0 = Date.parse('2026-03-02T04:00:00Z');

const sealed = (): SealedIdNumber => ({ ciphertext: randomBytes(18), nonce: randomBytes(12), tag: randomBytes(16), last4: '4512' });

function newUser(overrides: Partial<NewUser> = {}): NewUser {
  return { userId: nextId('usr_') as UserId, tokenHash: randomBytes(32), name: 'Li Wei', phone: '+8613800138000', country: 'CN', idNumber: null, kycTier: 'basic', createdAtMs: T0, ...overrides };
}

function newCode(userId: UserId, overrides: Partial<PaymentCodeRecord & { codeHash: Buffer }> = {}): PaymentCodeRecord & { readonly codeHash: Buffer } {
  return { codeId: nextId('pc_'), codeHash: randomBytes(32), userId, kind: 'user', expiresAtMs: T0 + 60_000, usedAtMs: null, createdAtMs: T0, ...overrides };
}

function newTopup(userId: UserId, overrides: Partial<Omit<Topup, 'status' | 'balanceAfter'>> = {}): Omit<Topup, 'status' | 'balanceAfter'> {
  return { topupId: nextId('tp_'), userId, requestId: nextId('req-'), requestHash: randomBytes(32), amount: amount(CNY, 10_000n), createdAtMs: T0, ...overrides };
}

function detail(payCny: bigint = 7_885n): PaymentDetail {
  return {
    acquirerId: 'ACQ_KR_01',
    paymentRequestId: nextId('PR-'),
    paymentAmount: amount(KRW, 15_000n),
    payAmount: amount(CNY, payCny),
    fxQuote: { quoteId: 'Q1', baseCurrency: 'CNY', quoteCurrency: 'KRW', rate: '190.25' },
    merchant: { merchantId: 'KR01M000001', merchantName: 'Cafe Dari', merchantMcc: '5814', merchantCity: 'Seoul', merchantCountry: 'KR' },
    payerId: 'pp_abc',
  };
}

function processing(userId: UserId, codeId: string, overrides: Partial<ProcessingPayment> = {}): ProcessingPayment {
  return { paymentId: nextId('P'), requestHash: randomBytes(32), userId, codeId, detail: detail(), atMs: T0, journal: true, ...overrides };
}

function newMpm(userId: UserId, overrides: Partial<Omit<MpmRequest, 'refusalCode'>> = {}): Omit<MpmRequest, 'refusalCode'> {
  return { mpmId: nextId('mpm_'), userId, requestId: nextId('scan-'), requestHash: randomBytes(32), codeId: nextId('pc_'), merchantName: 'Cafe Dari', paymentAmount: amount(KRW, 15_000n), createdAtMs: T0, ...overrides };
}

/** The code row that goes with a scan-to-pay. */
const mpmCode = (m: Omit<MpmRequest, 'refusalCode'>, codeHash: Buffer = randomBytes(32)) => newCode(m.userId, { codeId: m.codeId, codeHash, kind: 'mpm' });

/** Each engine's code for one kind of constraint violation (better-sqlite3's `code`, PostgreSQL's SQLSTATE). */
const VIOLATION_CODES = {
  check: ['SQLITE_CONSTRAINT_CHECK', '23514'],
  unique: ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505'],
  'foreign-key': ['SQLITE_CONSTRAINT_FOREIGNKEY', '23503'],
} as const;

async function refusedBy(kind: keyof typeof VIOLATION_CODES, work: () => Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    assert.ok((VIOLATION_CODES[kind] as readonly unknown[]).includes(code), `${message}: expected a ${kind} violation, got ${String(code)} (${String(error)})`);
    return true;
  }, message);
}

// ---------------------------------------------------------------- the suite

for (const engine of ENGINES) {
  describe(`WalletStore on ${engine.name}`, () => {
    let opened: OpenStore;
    let store: WalletStore;
    before(async () => {
      opened = await engine.open();
      store = opened.store;
    });
    after(async () => {
      await opened.close();
    });

    const userIn = async (overrides: Partial<NewUser> = {}): Promise<UserId> => {
      const user = newUser(overrides);
      await store.insertUser(user);
      return user.userId;
    };
    const spentCode = async (userId: UserId, overrides: Partial<ProcessingPayment> = {}): Promise<ProcessingPayment> => {
      const code = newCode(userId);
      assert.equal(await store.insertPaymentCode(code), true);
      const payment = processing(userId, code.codeId, overrides);
      const recorded = await store.recordProcessingPayment(payment);
      assert.equal(recorded === 'code-used' ? recorded : recorded.paymentId, payment.paymentId);
      return payment;
    };
    const events = (userId: UserId) => store.userEvents(userId, { beforeSeq: null, limit: 100 });

    it('users: inserts and reads back by id and by token hash; marks the card funded, once', async () => {
      const basic = newUser();
      const verified = newUser({ kycTier: 'verified', idNumber: sealed(), name: '李'.repeat(100) });
      await store.insertUser(basic);
      await store.insertUser(verified);
      assert.deepEqual(await store.userById(basic.userId), { userId: basic.userId, name: 'Li Wei', phone: '+8613800138000', country: 'CN', idNumberLast4: null, kycTier: 'basic', cardFunded: false, createdAtMs: T0 });
      assert.deepEqual(await store.userByTokenHash(verified.tokenHash), { userId: verified.userId, name: '李'.repeat(100), phone: '+8613800138000', country: 'CN', idNumberLast4: '4512', kycTier: 'verified', cardFunded: false, createdAtMs: T0 });
      assert.equal(await store.userById('usr_nobody'), undefined);
      assert.equal(await store.userByTokenHash(randomBytes(32)), undefined);

      const unfunded = await store.usersNotFunded(1_000);
      assert.ok(unfunded.includes(basic.userId) && unfunded.includes(verified.userId));
      assert.equal((await store.usersNotFunded(1)).length, 1);
      await store.markCardFunded(basic.userId);
      await store.markCardFunded(basic.userId);
      assert.equal((await store.userById(basic.userId))?.cardFunded, true);
      assert.ok(!(await store.usersNotFunded(1_000)).includes(basic.userId));
    });

    it('users: the schema refuses a duplicate id or token hash and every row its CHECKs forbid', async () => {
      const first = newUser();
      await store.insertUser(first);
      await refusedBy('unique', () => store.insertUser(newUser({ userId: first.userId })), 'same user id');
      await refusedBy('unique', () => store.insertUser(newUser({ tokenHash: first.tokenHash })), 'same token hash');
      const cases: Array<[string, Partial<NewUser>]> = [
        ['empty name', { name: '' }],
        ['name of 101 characters', { name: '李'.repeat(101) }],
        ['three-letter country', { country: 'CHN' }],
        ['token hash of 31 bytes', { tokenHash: randomBytes(31) }],
        ['verified without an id number', { kycTier: 'verified' }],
        ['basic with an id number', { idNumber: sealed() }],
        ['id number nonce of 11 bytes', { kycTier: 'verified', idNumber: { ...sealed(), nonce: randomBytes(11) } }],
        ['id number tag of 15 bytes', { kycTier: 'verified', idNumber: { ...sealed(), tag: randomBytes(15) } }],
        ['an unknown tier', { kycTier: 'gold' as NewUser['kycTier'] }],
      ];
      for (const [name, overrides] of cases) {
        const user = newUser(overrides);
        await refusedBy('check', () => store.insertUser(user), name);
        assert.equal(await store.userById(user.userId), undefined, name);
      }
    });

    it('top-ups: inserted once per (user, request id) with one activity line; finished once; open ones oldest first', async () => {
      const userId = await userIn();
      const topup = newTopup(userId, { amount: amount(CNY, AMOUNT_VALUE_MAX), createdAtMs: T0 + 5 });
      assert.equal(await store.insertTopup(topup), 'inserted');
      assert.equal(await store.insertTopup({ ...topup, topupId: nextId('tp_'), amount: amount(CNY, 1n) }), 'exists');
      const expected: Topup = { ...topup, status: 'PROCESSING', balanceAfter: null };
      assert.deepEqual(await store.topupById(topup.topupId), expected);
      assert.deepEqual(await store.topupByRequest(userId, topup.requestId), expected);
      assert.equal(await store.topupByRequest(userId, 'no-such-request'), undefined);
      assert.deepEqual((await events(userId)).map((e) => [e.kind, e.refId, e.createdAtMs]), [['topup', topup.topupId, T0 + 5]]);

      const older = newTopup(userId, { createdAtMs: T0 + 1 });
      assert.equal(await store.insertTopup(older), 'inserted');
      const open = (await store.openTopups(1_000)).filter((t) => t.userId === userId).map((t) => t.topupId);
      assert.deepEqual(open, [older.topupId, topup.topupId]);

      const balance = amount(CNY, AMOUNT_VALUE_MAX - 1n);
      await store.finishTopup(topup.topupId, { status: 'SUCCESS', balanceAfter: balance });
      await store.finishTopup(topup.topupId, { status: 'DECLINED' }); // no longer PROCESSING: refused
      assert.deepEqual(await store.topupById(topup.topupId), { ...expected, status: 'SUCCESS', balanceAfter: balance });
      await store.finishTopup(older.topupId, { status: 'DECLINED' });
      await store.finishTopup(older.topupId, { status: 'SUCCESS', balanceAfter: balance });
      assert.equal((await store.topupById(older.topupId))?.status, 'DECLINED');
      assert.equal((await store.topupById(older.topupId))?.balanceAfter, null);
      assert.deepEqual((await store.openTopups(1_000)).filter((t) => t.userId === userId), []);
    });

    it('top-ups: the schema refuses a zero or negative amount and an unknown user, leaving no activity line', async () => {
      const userId = await userIn();
      for (const [name, value] of [['zero', 0n], ['negative', -1n]] as const) {
        const topup = newTopup(userId, { amount: amount(CNY, value) });
        await refusedBy('check', () => store.insertTopup(topup), name);
        assert.equal(await store.topupById(topup.topupId), undefined);
      }
      await refusedBy('foreign-key', () => store.insertTopup(newTopup('usr_nobody' as UserId)), 'unknown user');
      assert.deepEqual(await events(userId), []);
    });

    it('payment codes: unique by hash (false on a collision), voided once, refused when malformed', async () => {
      const userId = await userIn();
      const code = newCode(userId);
      assert.equal(await store.insertPaymentCode(code), true);
      assert.equal(await store.insertPaymentCode({ ...code, codeId: nextId('pc_') }), false);
      const { codeHash, ...record } = code;
      assert.deepEqual(await store.paymentCodeByHash(codeHash), record);
      assert.deepEqual(await store.paymentCodeById(code.codeId), record);
      assert.equal(await store.paymentCodeByHash(randomBytes(32)), undefined);
      await store.voidPaymentCode(code.codeId, T0 + 10);
      await store.voidPaymentCode(code.codeId, T0 + 20);
      assert.equal((await store.paymentCodeById(code.codeId))?.usedAtMs, T0 + 10);

      await refusedBy('unique', () => store.insertPaymentCode({ ...newCode(userId), codeId: code.codeId }), 'same code id');
      await refusedBy('check', () => store.insertPaymentCode(newCode(userId, { codeHash: randomBytes(16) })), 'hash of 16 bytes');
      await refusedBy('check', () => store.insertPaymentCode(newCode(userId, { kind: 'card' as PaymentCodeKind })), 'unknown kind');
      await refusedBy('foreign-key', () => store.insertPaymentCode(newCode('usr_nobody' as UserId)), 'unknown user');
    });

    it('payments: recording spends the code once and reads back exactly; a used code is refused', async () => {
      const userId = await userIn();
      const code = newCode(userId);
      await store.insertPaymentCode(code);
      const payment = processing(userId, code.codeId, { detail: detail(2n ** 53n + 1n), atMs: T0 + 7 });
      const recorded = await store.recordProcessingPayment(payment);
      const expected = { paymentId: payment.paymentId, status: 'PROCESSING', resultCode: 'PAYMENT_IN_PROCESS', requestHash: payment.requestHash, userId, codeId: code.codeId, detail: payment.detail, paymentTimeMs: T0 + 7, cancelTimeMs: null, createdAtMs: T0 + 7 };
      assert.deepEqual(recorded, expected, 'answered as recorded');
      assert.deepEqual(await store.paymentById(payment.paymentId), expected);
      assert.deepEqual(await store.paymentByCodeId(code.codeId), expected);
      assert.equal((await store.paymentCodeById(code.codeId))?.usedAtMs, T0 + 7);

      const second = processing(userId, code.codeId);
      assert.equal(await store.recordProcessingPayment(second), 'code-used');
      assert.equal(await store.paymentById(second.paymentId), undefined);
      assert.equal(await store.recordProcessingPayment(processing(userId, 'pc_unknown')), 'code-used');
      // Recording without a line (a scan-to-pay's payment is shown by its scan's line).
      const quiet = await spentCode(userId, { journal: false });
      assert.deepEqual((await events(userId)).map((e) => e.refId), [payment.paymentId]);
      assert.equal((await store.paymentById(quiet.paymentId))?.status, 'PROCESSING');
    });

    it('payments: a failed insert rolls the spend of the code back with it', async () => {
      const userId = await userIn();
      const first = await spentCode(userId);
      const code = newCode(userId);
      await store.insertPaymentCode(code);
      // The same payment id again, with a fresh code: the row is refused, and the code stays unspent.
      await refusedBy('unique', () => store.recordProcessingPayment(processing(userId, code.codeId, { paymentId: first.paymentId })), 'same payment id');
      assert.equal((await store.paymentCodeById(code.codeId))?.usedAtMs, null);
      assert.equal((await store.paymentById(first.paymentId))?.codeId, first.codeId);
    });

    it('payments: finished once; refusals and tombstones never overwrite a payment; cancelled once with one line', async () => {
      const userId = await userIn();
      const paid = await spentCode(userId);
      const finished = await store.finishPayment(paid.paymentId, { status: 'SUCCESS', resultCode: 'SUCCESS' });
      assert.deepEqual(finished, await store.paymentById(paid.paymentId), 'answered as it now is');
      assert.deepEqual([finished?.status, finished?.resultCode], ['SUCCESS', 'SUCCESS']);
      assert.equal(await store.finishPayment(paid.paymentId, { status: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' }), undefined, 'no longer PROCESSING: nothing changes');
      assert.deepEqual([(await store.paymentById(paid.paymentId))?.status, (await store.paymentById(paid.paymentId))?.resultCode], ['SUCCESS', 'SUCCESS']);
      await store.insertRefusedPayment({ paymentId: paid.paymentId, requestHash: randomBytes(32), userId: null, resultCode: 'INVALID_PAYMENT_CODE', atMs: T0 });
      await store.insertTombstone(paid.paymentId, T0);
      assert.equal((await store.paymentById(paid.paymentId))?.status, 'SUCCESS');

      await store.markCancelled(paid.paymentId, { atMs: T0 + 100, journal: true });
      await store.markCancelled(paid.paymentId, { atMs: T0 + 200, journal: true });
      const cancelled = await store.paymentById(paid.paymentId);
      assert.deepEqual([cancelled?.status, cancelled?.resultCode, cancelled?.cancelTimeMs], ['CANCELLED', 'ORDER_IS_CLOSED', T0 + 100]);
      await store.finishPayment(paid.paymentId, { status: 'SUCCESS', resultCode: 'SUCCESS' });
      assert.equal((await store.paymentById(paid.paymentId))?.status, 'CANCELLED');
      const unjournaled = await spentCode(userId, { journal: false });
      await store.markCancelled(unjournaled.paymentId, { atMs: T0 + 300, journal: false });
      assert.deepEqual((await events(userId)).map((e) => [e.kind, e.refId]), [
        ['cancellation', paid.paymentId],
        ['payment', paid.paymentId],
      ]);

      const refusedId = nextId('P');
      const requestHash = randomBytes(32);
      await store.insertRefusedPayment({ paymentId: refusedId, requestHash, userId, resultCode: 'EXPIRED_CODE', atMs: T0 + 1 });
      await store.insertRefusedPayment({ paymentId: refusedId, requestHash: randomBytes(32), userId: null, resultCode: 'INVALID_PAYMENT_CODE', atMs: T0 + 2 });
      assert.deepEqual(await store.paymentById(refusedId), { paymentId: refusedId, status: 'FAIL', resultCode: 'EXPIRED_CODE', requestHash, userId, codeId: null, detail: null, paymentTimeMs: null, cancelTimeMs: null, createdAtMs: T0 + 1 });

      const tombstoneId = nextId('P');
      await store.insertTombstone(tombstoneId, T0 + 3);
      await store.insertTombstone(tombstoneId, T0 + 4);
      await store.markCancelled(tombstoneId, { atMs: T0 + 5, journal: true });
      assert.deepEqual(await store.paymentById(tombstoneId), { paymentId: tombstoneId, status: 'CANCELLED', resultCode: 'ORDER_IS_CLOSED', requestHash: null, userId: null, codeId: null, detail: null, paymentTimeMs: null, cancelTimeMs: T0 + 3, createdAtMs: T0 + 3 });
    });

    it('payments: paidBetween sums PROCESSING and SUCCESS in [from, to) exactly; open payments oldest first', async () => {
      const userId = await userIn();
      const other = await userIn();
      const fromMs = T0;
      const toMs = T0 + 1_000;
      assert.equal(await store.paidBetween(userId, { fromMs, toMs }), 0n);
      const at = (atMs: number, payCny: bigint, who: UserId = userId) => spentCode(who, { atMs, detail: detail(payCny) });
      const beforeStart = await at(fromMs - 1, 1n);
      const atStart = await at(fromMs, 2n ** 53n + 1n);
      const succeeded = await at(toMs - 1, 2n);
      const atEnd = await at(toMs, 4n); // the range's end is excluded
      const failed = await at(fromMs + 1, 8n);
      const cancelled = await at(fromMs + 2, 16n);
      await at(fromMs + 3, 32n, other);
      await store.finishPayment(succeeded.paymentId, { status: 'SUCCESS', resultCode: 'SUCCESS' });
      await store.finishPayment(failed.paymentId, { status: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' });
      await store.markCancelled(cancelled.paymentId, { atMs: toMs, journal: true });
      assert.equal(await store.paidBetween(userId, { fromMs, toMs }), 2n ** 53n + 3n);

      const open = (await store.openPayments(1_000)).filter((p) => p.userId === userId).map((p) => p.paymentId);
      assert.deepEqual(open, [beforeStart.paymentId, atStart.paymentId, atEnd.paymentId]);
      assert.equal((await store.openPayments(1)).length, 1);
    });

    it('refunds: inserted once, refused ones kept without a line, finished once, listed per payment', async () => {
      const userId = await userIn();
      const paid = await spentCode(userId);
      const base = { paymentId: paid.paymentId, requestHash: randomBytes(32), atMs: T0 + 10 };
      const refundId = nextId('R');
      const amounts = { refundAmount: amount(KRW, 5_000n), refundPayAmount: amount(CNY, AMOUNT_VALUE_MAX) };
      assert.equal(await store.insertRefund({ ...base, refundId, userId, status: 'PROCESSING', resultCode: 'PAYMENT_IN_PROCESS', ...amounts }), 'inserted');
      assert.equal(await store.insertRefund({ ...base, refundId, userId, status: 'FAIL', resultCode: 'REFUND_AMOUNT_EXCEED', refundAmount: null, refundPayAmount: null }), 'exists');
      const refusedId = nextId('R');
      assert.equal(await store.insertRefund({ ...base, atMs: T0 + 20, refundId: refusedId, userId: null, status: 'FAIL', resultCode: 'ORDER_NOT_EXIST', refundAmount: null, refundPayAmount: null }), 'inserted');
      const expected = { refundId, paymentId: paid.paymentId, requestHash: base.requestHash, userId, status: 'PROCESSING', resultCode: 'PAYMENT_IN_PROCESS', ...amounts, refundTimeMs: null, createdAtMs: T0 + 10 };
      assert.deepEqual(await store.refundById(refundId), expected);
      assert.deepEqual((await store.refundsOfPayment(paid.paymentId)).map((r) => r.refundId), [refundId, refusedId]);
      assert.deepEqual(await store.refundsOfPayment('P-none'), []);
      assert.ok((await store.openRefunds(1_000)).some((r) => r.refundId === refundId));
      assert.ok(!(await store.openRefunds(1_000)).some((r) => r.refundId === refusedId));

      await store.finishRefund(refundId, T0 + 30);
      await store.finishRefund(refundId, T0 + 40);
      await store.finishRefund(refusedId, T0 + 40); // a refused refund stays refused
      assert.deepEqual(await store.refundById(refundId), { ...expected, status: 'SUCCESS', resultCode: 'SUCCESS', refundTimeMs: T0 + 30 });
      assert.deepEqual([(await store.refundById(refusedId))?.status, (await store.refundById(refusedId))?.refundTimeMs], ['FAIL', null]);
      assert.ok(!(await store.openRefunds(1_000)).some((r) => r.refundId === refundId));
      assert.deepEqual((await events(userId)).map((e) => [e.kind, e.refId]), [
        ['refund', refundId],
        ['payment', paid.paymentId],
      ]);
    });

    it('refunds: the schema refuses a PROCESSING refund without its user or amounts, and a zero amount', async () => {
      const userId = await userIn();
      const base = { paymentId: 'P-any', requestHash: randomBytes(32), atMs: T0, status: 'PROCESSING' as const, resultCode: 'PAYMENT_IN_PROCESS' as const };
      const amounts = { refundAmount: amount(KRW, 5_000n), refundPayAmount: amount(CNY, 2_628n) };
      const cases: Array<[string, { userId: UserId | null; refundAmount: Amount | null; refundPayAmount: Amount | null }]> = [
        ['no user', { userId: null, ...amounts }],
        ['no amounts', { userId, refundAmount: null, refundPayAmount: null }],
        ['zero refund amount', { userId, ...amounts, refundAmount: amount(KRW, 0n) }],
        ['negative pay amount', { userId, ...amounts, refundPayAmount: amount(CNY, -1n) }],
      ];
      for (const [name, fields] of cases) {
        const refundId = nextId('R');
        await refusedBy('check', () => store.insertRefund({ ...base, refundId, ...fields }), name);
        assert.equal(await store.refundById(refundId), undefined, name);
      }
      assert.deepEqual(await events(userId), []);
    });

    it('scan-to-pay: inserted once per (user, request id) with its code and line; a collision inserts nothing; refused once', async () => {
      const userId = await userIn();
      const mpm = newMpm(userId, { createdAtMs: T0 + 9 });
      const code = mpmCode(mpm);
      assert.equal(await store.insertMpm(mpm, code), 'inserted');
      assert.deepEqual(await store.mpmById(mpm.mpmId), { ...mpm, refusalCode: null });
      assert.deepEqual(await store.mpmByRequest(userId, mpm.requestId), { ...mpm, refusalCode: null });
      assert.equal((await store.paymentCodeById(mpm.codeId))?.kind, 'mpm');

      // A retry of the request, with a fresh code (even one whose hash collides): 'exists', and its code is not kept.
      const retry = newMpm(userId, { requestId: mpm.requestId });
      const retryCode = mpmCode(retry);
      assert.equal(await store.insertMpm(retry, retryCode), 'exists');
      assert.equal(await store.insertMpm(retry, mpmCode(retry, code.codeHash)), 'exists');
      assert.equal(await store.paymentCodeByHash(retryCode.codeHash), undefined);
      // A new request whose code's hash is taken: nothing is written.
      const colliding = newMpm(userId);
      assert.equal(await store.insertMpm(colliding, mpmCode(colliding, code.codeHash)), 'code-collision');
      assert.equal(await store.mpmById(colliding.mpmId), undefined);
      assert.deepEqual((await events(userId)).map((e) => [e.kind, e.refId, e.createdAtMs]), [['mpm', mpm.mpmId, T0 + 9]]);

      await store.refuseMpm(mpm.mpmId, 'MERCHANT_NOT_REGISTERED', T0 + 50);
      await store.refuseMpm(mpm.mpmId, 'PARTNER_NOT_EXIST', T0 + 60);
      assert.equal((await store.mpmById(mpm.mpmId))?.refusalCode, 'MERCHANT_NOT_REGISTERED');
      assert.equal((await store.paymentCodeById(mpm.codeId))?.usedAtMs, T0 + 50);
    });

    it('scan-to-pay: a refused row takes its code and line with it', async () => {
      const userId = await userIn();
      const zero = newMpm(userId, { paymentAmount: amount(KRW, 0n) });
      const code = mpmCode(zero);
      await refusedBy('check', () => store.insertMpm(zero, code), 'zero amount');
      assert.equal(await store.paymentCodeByHash(code.codeHash), undefined);
      assert.equal(await store.mpmByRequest(userId, zero.requestId), undefined);
      assert.deepEqual(await events(userId), []);
    });

    it('activity: newest first, paged by sequence, one user at a time', async () => {
      const userId = await userIn();
      const other = await userIn();
      const topups: string[] = [];
      for (let i = 0; i < 7; i++) {
        const topup = newTopup(userId, { createdAtMs: T0 + i });
        await store.insertTopup(topup);
        topups.push(topup.topupId);
        await store.insertTopup(newTopup(other, { createdAtMs: T0 + i }));
      }
      const pages: string[][] = [];
      let beforeSeq: number | null = null;
      for (;;) {
        const page = await store.userEvents(userId, { beforeSeq, limit: 3 });
        assert.ok(page.every((e) => e.userId === userId && e.kind === 'topup'));
        pages.push(page.map((e) => e.refId));
        if (page.length < 3) break;
        beforeSeq = page.at(-1)!.seq;
      }
      assert.deepEqual(pages, [topups.slice(4).reverse(), topups.slice(1, 4).reverse(), topups.slice(0, 1)]);
      const all = await events(userId);
      assert.ok(all.every((e, i) => i === 0 || e.seq < all[i - 1]!.seq), 'sequence strictly decreasing');
      assert.deepEqual(await store.userEvents(userId, { beforeSeq: all.at(-1)!.seq, limit: 3 }), []);
      assert.deepEqual(await store.userEvents('usr_nobody' as UserId, { beforeSeq: null, limit: 3 }), []);
    });

    // ------------------------------------------------------------ concurrency

    it(`concurrency: of ${RACERS} payments racing for one code, exactly one records it`, async () => {
      const userId = await userIn();
      const code = newCode(userId);
      await store.insertPaymentCode(code);
      const racers = Array.from({ length: RACERS }, () => processing(userId, code.codeId));
      const outcomes = await Promise.all(racers.map((p) => store.recordProcessingPayment(p)));
      assert.equal(outcomes.filter((o) => o !== 'code-used').length, 1);
      assert.equal(outcomes.filter((o) => o === 'code-used').length, RACERS - 1);
      const winner = racers[outcomes.findIndex((o) => o !== 'code-used')]!;
      assert.equal((await store.paymentByCodeId(code.codeId))?.paymentId, winner.paymentId);
      for (const loser of racers.filter((p) => p !== winner)) assert.equal(await store.paymentById(loser.paymentId), undefined);
      assert.deepEqual((await events(userId)).map((e) => e.refId), [winner.paymentId]);
    });

    it(`concurrency: of ${RACERS} top-ups or scan-to-pays under one request id, exactly one is inserted`, async () => {
      const userId = await userIn();
      const requestId = nextId('req-');
      const topups = await Promise.all(Array.from({ length: RACERS }, () => store.insertTopup(newTopup(userId, { requestId }))));
      assert.deepEqual([topups.filter((o) => o === 'inserted').length, topups.filter((o) => o === 'exists').length], [1, RACERS - 1]);

      const scans = Array.from({ length: RACERS }, () => newMpm(userId, { requestId }));
      const codes = scans.map((m) => mpmCode(m));
      const outcomes = await Promise.all(scans.map((m, i) => store.insertMpm(m, codes[i]!)));
      assert.deepEqual([outcomes.filter((o) => o === 'inserted').length, outcomes.filter((o) => o === 'exists').length], [1, RACERS - 1]);
      // Only the winner's code was kept: a loser's would be a code of no request.
      const kept = await Promise.all(codes.map((c) => store.paymentCodeByHash(c.codeHash)));
      assert.deepEqual(kept.map((c) => c !== undefined), outcomes.map((o) => o === 'inserted'));
      assert.deepEqual((await events(userId)).map((e) => e.kind).sort(), ['mpm', 'topup']);
    });

    it(`concurrency: ${RACERS} cancels of one payment and ${RACERS} inserts of one refund each write one line`, async () => {
      const userId = await userIn();
      const paid = await spentCode(userId);
      await store.finishPayment(paid.paymentId, { status: 'SUCCESS', resultCode: 'SUCCESS' });
      await Promise.all(Array.from({ length: RACERS }, (_, i) => store.markCancelled(paid.paymentId, { atMs: T0 + 100 + i, journal: true })));
      const cancelTimeMs = (await store.paymentById(paid.paymentId))?.cancelTimeMs;
      assert.ok(cancelTimeMs !== null && cancelTimeMs !== undefined && cancelTimeMs >= T0 + 100 && cancelTimeMs < T0 + 100 + RACERS);

      const refundId = nextId('R');
      const refund = { refundId, paymentId: paid.paymentId, requestHash: randomBytes(32), userId, status: 'PROCESSING' as const, resultCode: 'PAYMENT_IN_PROCESS' as const, refundAmount: amount(KRW, 1n), refundPayAmount: amount(CNY, 1n), atMs: T0 };
      const outcomes = await Promise.all(Array.from({ length: RACERS }, () => store.insertRefund(refund)));
      assert.deepEqual([outcomes.filter((o) => o === 'inserted').length, outcomes.filter((o) => o === 'exists').length], [1, RACERS - 1]);
      assert.deepEqual((await events(userId)).map((e) => e.kind), ['refund', 'cancellation', 'payment']);
    });
  });
}
