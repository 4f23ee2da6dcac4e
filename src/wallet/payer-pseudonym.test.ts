import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { payerPseudonyms, PseudonymSecretError } from './payer-pseudonym.ts';

const secret = randomBytes(32);

test('stable for one user at one merchant, different at another merchant, for another user and under another secret', () => {
  const name = payerPseudonyms(secret);
  const atShop = name({ userId: 'user-1', merchantId: 'shop-a' });
  assert.equal(name({ userId: 'user-1', merchantId: 'shop-a' }), atShop);
  assert.match(atShop, /^pp_[A-Za-z0-9_-]{22}$/);
  assert.notEqual(name({ userId: 'user-1', merchantId: 'shop-b' }), atShop);
  assert.notEqual(name({ userId: 'user-2', merchantId: 'shop-a' }), atShop);
  assert.notEqual(payerPseudonyms(randomBytes(32))({ userId: 'user-1', merchantId: 'shop-a' }), atShop);
  assert.doesNotMatch(atShop, /user-1|shop-a/);
});

test('pairs that concatenate alike still get different pseudonyms', () => {
  const name = payerPseudonyms(secret);
  assert.notEqual(name({ userId: 'ab', merchantId: 'c' }), name({ userId: 'a', merchantId: 'bc' }));
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (u1, m1, u2, m2) => {
      fc.pre(u1 !== u2 || m1 !== m2);
      assert.notEqual(name({ userId: u1, merchantId: m1 }), name({ userId: u2, merchantId: m2 }));
    }),
  );
});

test('refuses a secret shorter than 32 bytes', () => {
  assert.throws(() => payerPseudonyms(randomBytes(31)), PseudonymSecretError);
});
