/**
 * The cashier's PIN table on every engine (SQLite, SQLite group-committed,
 * PostgreSQL): set and replace, one phone per PIN, and the attempt count
 * under racing guesses: never more than the limit reserved, the lock set by
 * the last one, lifted by a right PIN or by time.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { storeTestEngines } from '../platform/testing/store-engines.ts';
import { createSqliteCashierStore, type CashierStore } from './cashier-store.ts';
import { createPostgresCashierStore } from './cashier-store-postgres.ts';
import { createSqliteWalletStore, type WalletStore } from './store.ts';
import { createPostgresWalletStore } from './store-postgres.ts';
import type { UserId } from './types.ts';

const RACERS = 20;
const LIMIT = { attemptsMax: 5, lockMs: 900_000 };
const T0_MS = Date.parse('2026-11-25T03:00:00.000Z');

interface Opened {
  readonly wallet: WalletStore;
  readonly cashier: CashierStore;
  close(): Promise<void>;
}

const ENGINES = storeTestEngines<Omit<Opened, 'close'>>({
  name: 'cashier-store',
  sqlite: (db, committed) => ({ wallet: committed(createSqliteWalletStore(db)), cashier: committed(createSqliteCashierStore(db)) }),
  postgres: async (pool) => ({ wallet: await createPostgresWalletStore(pool), cashier: await createPostgresCashierStore(pool) }),
});

let sequence = 0;

for (const engine of ENGINES) {
  describe(`CashierStore on ${engine.name}`, () => {
    let opened: Opened;
    before(async () => {
      opened = await engine.open();
    });
    after(() => opened.close());

    const user = async (): Promise<{ userId: UserId; phone: string }> => {
      const userId = `usr_${++sequence}` as UserId;
      const phone = `+86139${String(sequence).padStart(8, '0')}`;
      await opened.wallet.insertUser({ userId, tokenHash: randomBytes(32), name: 'Li Wei', phone, country: 'CN', idNumber: null, kycTier: 'basic', createdAtMs: T0_MS });
      return { userId, phone };
    };
    const withPin = async () => {
      const u = await user();
      assert.equal(await opened.cashier.setPin({ ...u, hash: randomBytes(32), salt: randomBytes(16), atMs: T0_MS }), 'set');
      return u;
    };

    it('sets and replaces a PIN, found by its phone; one phone signs in one user', async () => {
      const u = await user();
      assert.equal(await opened.cashier.hasPin(u.userId), false);
      const first = { hash: randomBytes(32), salt: randomBytes(16) };
      assert.equal(await opened.cashier.setPin({ ...u, ...first, atMs: T0_MS }), 'set');
      assert.deepEqual(await opened.cashier.pinOfPhone(u.phone), { userId: u.userId, phone: u.phone, ...first });
      const second = { hash: randomBytes(32), salt: randomBytes(16) };
      assert.equal(await opened.cashier.setPin({ ...u, ...second, atMs: T0_MS + 1 }), 'set');
      assert.deepEqual(await opened.cashier.pinOfPhone(u.phone), { userId: u.userId, phone: u.phone, ...second });
      assert.equal(await opened.cashier.hasPin(u.userId), true);
      const other = await user();
      assert.equal(await opened.cashier.setPin({ userId: other.userId, phone: u.phone, ...first, atMs: T0_MS }), 'phone-taken');
      assert.equal(await opened.cashier.pinOfPhone('+0000000'), null);
      await assert.rejects(opened.cashier.setPin({ ...other, hash: randomBytes(31), salt: randomBytes(16), atMs: T0_MS }), 'a hash is 32 bytes');
      await assert.rejects(opened.cashier.setPin({ userId: 'usr_none' as UserId, phone: '+861', hash: randomBytes(32), salt: randomBytes(16), atMs: T0_MS }), 'the user exists');
    });

    it('counts attempts up to the limit, then locks until the lock passes; a right PIN starts afresh', async () => {
      const u = await withPin();
      for (let attempt = 1; attempt <= LIMIT.attemptsMax; attempt++) assert.deepEqual(await opened.cashier.reservePinAttempt(u.userId, { atMs: T0_MS, ...LIMIT }), { kind: 'reserved', attempt });
      assert.deepEqual(await opened.cashier.reservePinAttempt(u.userId, { atMs: T0_MS + 1, ...LIMIT }), { kind: 'locked', untilMs: T0_MS + LIMIT.lockMs });
      assert.deepEqual(await opened.cashier.reservePinAttempt(u.userId, { atMs: T0_MS + LIMIT.lockMs, ...LIMIT }), { kind: 'reserved', attempt: 1 }, 'the lock has passed');
      assert.deepEqual(await opened.cashier.reservePinAttempt(u.userId, { atMs: T0_MS + LIMIT.lockMs, ...LIMIT }), { kind: 'reserved', attempt: 2 });
      await opened.cashier.clearPinAttempts(u.userId);
      assert.deepEqual(await opened.cashier.reservePinAttempt(u.userId, { atMs: T0_MS + LIMIT.lockMs, ...LIMIT }), { kind: 'reserved', attempt: 1 });
      for (let i = 0; i < LIMIT.attemptsMax - 1; i++) await opened.cashier.reservePinAttempt(u.userId, { atMs: T0_MS + LIMIT.lockMs, ...LIMIT });
      await opened.cashier.clearPinAttempts(u.userId);
      assert.deepEqual(await opened.cashier.reservePinAttempt(u.userId, { atMs: T0_MS + LIMIT.lockMs, ...LIMIT }), { kind: 'reserved', attempt: 1 }, 'the last attempt right lifts the lock it set');
    });

    it('racing guesses reserve at most the limit', async () => {
      const u = await withPin();
      const answers = await Promise.all(Array.from({ length: RACERS }, () => opened.cashier.reservePinAttempt(u.userId, { atMs: T0_MS, ...LIMIT })));
      const reserved = answers.filter((a) => a.kind === 'reserved').map((a) => (a as { attempt: number }).attempt).sort((a, b) => a - b);
      assert.deepEqual(reserved, [1, 2, 3, 4, 5]);
      assert.equal(answers.filter((a) => a.kind === 'locked').length, RACERS - LIMIT.attemptsMax);
    });
  });
}
