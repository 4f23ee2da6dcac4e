/** The wallet's small pure parts: the limit day, id number sealing, payment codes, the keyed lock; and signup recovery. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqlite } from '../platform/db/sqlite.ts';
import { sha256 } from './digest.ts';
import { IdNumberKeyError, openIdNumber, sealIdNumber } from './id-number.ts';
import { limitDay } from './limits.ts';
import { createKeyedLock } from '../platform/keyed-lock.ts';
import { CodePrefixError, isOwnPaymentCode, mintPaymentCode, paymentCodeHash } from './payment-code.ts';
import { createSqliteWalletStore } from './store.ts';
import { api, balanceOf, startTestWallet } from './test-helpers.ts';
import type { UserId } from './types.ts';

describe('wallet building blocks', () => {
  it('counts limit days from midnight in Shanghai (UTC+8)', () => {
    const at = (iso: string) => limitDay(Date.parse(iso));
    assert.deepEqual(at('2026-03-03T15:59:59.999Z'), { startMs: Date.parse('2026-03-02T16:00:00Z'), endMs: Date.parse('2026-03-03T16:00:00Z') });
    assert.deepEqual(at('2026-03-03T16:00:00Z'), { startMs: Date.parse('2026-03-03T16:00:00Z'), endMs: Date.parse('2026-03-04T16:00:00Z') });
    assert.deepEqual(at('2026-03-03T00:00:00Z').startMs, Date.parse('2026-03-02T16:00:00Z'));
  });

  it('seals an id number so that only its key and its user open it', () => {
    const key = randomBytes(32);
    const sealed = sealIdNumber({ key, userId: 'usr_a', idNumber: '110101199003074512' });
    assert.equal(sealed.last4, '4512');
    assert.ok(!sealed.ciphertext.toString('latin1').includes('110101199003074512'));
    assert.equal(openIdNumber({ key, userId: 'usr_a', sealed }), '110101199003074512');
    assert.throws(() => openIdNumber({ key, userId: 'usr_b', sealed }));
    assert.throws(() => openIdNumber({ key: randomBytes(32), userId: 'usr_a', sealed }));
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    assert.throws(() => openIdNumber({ key, userId: 'usr_a', sealed: { ...sealed, ciphertext: flipped } }));
    assert.notDeepEqual(sealIdNumber({ key, userId: 'usr_a', idNumber: '110101199003074512' }).ciphertext, sealed.ciphertext, 'a fresh nonce each time');
    assert.throws(() => sealIdNumber({ key: randomBytes(16), userId: 'usr_a', idNumber: 'x' }), IdNumberKeyError);
  });

  it('mints 18-digit codes under the prefix, and stores only their hash', () => {
    const code = mintPaymentCode('2851');
    assert.match(code, /^2851[0-9]{14}$/);
    assert.ok(isOwnPaymentCode(code, '2851'));
    assert.ok(!isOwnPaymentCode(code, '2852'));
    assert.ok(!isOwnPaymentCode('2851123', '2851'));
    assert.deepEqual(paymentCodeHash(code), sha256(code));
    assert.throws(() => mintPaymentCode('285'), CodePrefixError);
  });

  it('runs work under one key one at a time, in arrival order, and other keys alongside', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const slow = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`${name} end`);
      return name;
    };
    const failing = lock.run('a', async () => {
      throw new Error('boom');
    });
    const results = await Promise.all([lock.run('a', slow('a1', 20)), lock.run('a', slow('a2', 1)), lock.run('b', slow('b1', 5)), failing.catch((e: Error) => e.message)]);
    assert.deepEqual(results, ['a1', 'a2', 'b1', 'boom']);
    assert.ok(log.indexOf('a1 end') < log.indexOf('a2 start'));
    assert.ok(log.indexOf('b1 start') < log.indexOf('a1 end'));
  });

  it('funds the card of a signup a crash interrupted, in the recovery pass', async () => {
    let t = await startTestWallet();
    const dir = t.dir;
    try {
      await t.wallet.close();
      const crashedDb = openSqlite(join(dir, 'wallet.db'));
      const store = createSqliteWalletStore(crashedDb);
      const token = 'crash-token';
      await store.insertUser({ userId: 'usr_crashed' as UserId, tokenHash: sha256(token), name: 'Li', phone: '+8613800138000', country: 'CN', idNumber: null, kycTier: 'basic', createdAtMs: Date.now() });
      crashedDb.close();
      t = await startTestWallet({ dir, clock: t.clock });
      await t.wallet.resolveOpen();
      await t.wallet.resolveOpen();
      assert.deepEqual(await balanceOf(t.wallet, token), { balance: '0', card: '5000000' });
      assert.equal((await api(t.wallet, 'POST', '/wallet/v1/topups', { token, body: { requestId: 'r', amount: { currency: 'CNY', value: '100' } } })).status, 201);
      assert.equal((await t.wallet.verifyLedger()).ok, true);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
