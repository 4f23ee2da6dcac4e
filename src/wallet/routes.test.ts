/**
 * The wallet app's public API, in process, on real SQLite and on PostgreSQL: signup and KYC,
 * top-ups (happy path, idempotency, the error table), tenant isolation,
 * payment codes, scans and the activity list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PAGE_ITEMS_MAX, PAYMENT_CODE_TTL_SECONDS } from './index.ts';
import {
  api,
  assertLedgerBalanced,
  balanceOf,
  CODE_PREFIX,
  dariQr,
  foreignQr,
  signUp,
  startTestWallet,
  topUp,
  WALLET_TEST_ENGINES,
  type TestWallet,
} from './test-helpers.ts';

for (const engine of WALLET_TEST_ENGINES) {
  describe(`wallet public API on ${engine}`, () => {
    let t: TestWallet;
    before(async () => {
      t = await startTestWallet({ engine });
    });
    after(async () => {
      await t.close();
    });

    it('signs up a basic user with a funded card, and a verified user whose id number is stored encrypted', async () => {
      const basic = await api(t.wallet, 'POST', '/wallet/v1/users', { body: { name: 'Li Wei', phone: '+8613800138000', country: 'CN' } });
      assert.equal(basic.status, 201);
      assert.equal(basic.body.kycTier, 'basic');
      assert.match(String(basic.body.token), /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(await balanceOf(t.wallet, String(basic.body.token)), { balance: '0', card: '5000000' });

      const verified = await api(t.wallet, 'POST', '/wallet/v1/users', { body: { name: 'Wang Fang', phone: '13900139000', country: 'CN', idNumber: '110101199003074512' } });
      assert.equal(verified.status, 201);
      assert.equal(verified.body.kycTier, 'verified');
      const me = await api(t.wallet, 'GET', '/wallet/v1/me', { token: String(verified.body.token) });
      assert.equal(me.status, 200);
      assert.deepEqual(me.body, {
        userId: verified.body.userId,
        name: 'Wang Fang',
        phone: '13900139000',
        country: 'CN',
        idNumberLast4: '4512',
        kycTier: 'verified',
        limits: { perPayment: { currency: 'CNY', value: '1000000' }, daily: { currency: 'CNY', value: '5000000' }, usedToday: { currency: 'CNY', value: '0' } },
      });
      const basicMe = await api(t.wallet, 'GET', '/wallet/v1/me', { token: String(basic.body.token) });
      assert.equal(basicMe.body.idNumberLast4, null);
      assert.deepEqual(basicMe.body.limits?.perPayment, { currency: 'CNY', value: '100000' });

      // Neither the id number nor the token is stored in clear (SQLite: the files' bytes; PostgreSQL: every row).
      const stored = await t.storedText();
      assert.ok(stored.includes('Wang Fang'), 'the stored text is read');
      assert.ok(!stored.includes('110101199003074512'), 'id number in clear');
      assert.ok(!stored.includes(String(verified.body.token)), 'token in clear');
      await assertLedgerBalanced(t.wallet);
    });

    it('refuses a bad signup with INVALID_REQUEST naming the field', async () => {
      const cases: Array<[string, unknown, string]> = [
        ['no name', { phone: '+8613800138000', country: 'CN' }, 'name'],
        ['bad phone', { name: 'A', phone: 'call me', country: 'CN' }, 'phone'],
        ['bad country', { name: 'A', phone: '+8613800138000', country: 'China' }, 'country'],
        ['bad id number', { name: 'A', phone: '+8613800138000', country: 'CN', idNumber: '12-34' }, 'idNumber'],
      ];
      for (const [name, body, field] of cases) {
        const answer = await api(t.wallet, 'POST', '/wallet/v1/users', { body });
        assert.equal(answer.status, 400, name);
        assert.equal(answer.body.error?.code, 'INVALID_REQUEST', name);
        assert.match(String(answer.body.error?.message), new RegExp(`^${field}`), name);
      }
      const notJson = await api(t.wallet, 'POST', '/wallet/v1/users', { rawBody: '{"name":' });
      assert.equal(notJson.status, 400);
      assert.equal(notJson.body.error?.code, 'INVALID_REQUEST');
    });

    it('tops up from the card, idempotently on the request id', async () => {
      const { token } = await signUp(t.wallet);
      const first = await topUp(t.wallet, token, '100000', 'tu-1');
      assert.equal(first.status, 201);
      assert.match(String(first.body.topupId), /^tp_/);
      assert.deepEqual(first.body.amount, { currency: 'CNY', value: '100000' });
      assert.deepEqual(first.body.balance, { currency: 'CNY', value: '100000' });

      const retry = await topUp(t.wallet, token, '100000', 'tu-1');
      assert.deepEqual([retry.status, retry.body], [201, first.body]);
      assert.deepEqual(await balanceOf(t.wallet, token), { balance: '100000', card: '4900000' });

      const reused = await topUp(t.wallet, token, '200000', 'tu-1');
      assert.equal(reused.status, 409);
      assert.equal(reused.body.error?.code, 'IDEMPOTENCY_KEY_REUSED');

      // The second top-up's answer carries the balance after it; a retry of the first still answers as the first time.
      const second = await topUp(t.wallet, token, '50', 'tu-2');
      assert.deepEqual(second.body.balance, { currency: 'CNY', value: '100050' });
      assert.deepEqual((await topUp(t.wallet, token, '100000', 'tu-1')).body, first.body);
      assert.deepEqual(await balanceOf(t.wallet, token), { balance: '100050', card: '4899950' });
      await assertLedgerBalanced(t.wallet);
    });

    it('declines a top-up the card cannot cover, and keeps declining it under that request id', async () => {
      const { token } = await signUp(t.wallet);
      assert.equal((await topUp(t.wallet, token, '4999999', 'big')).status, 201);
      const declined = await topUp(t.wallet, token, '2', 'over');
      assert.equal(declined.status, 402);
      assert.equal(declined.body.error?.code, 'CARD_DECLINED');
      assert.deepEqual(await balanceOf(t.wallet, token), { balance: '4999999', card: '1' });
      const again = await topUp(t.wallet, token, '2', 'over');
      assert.deepEqual([again.status, again.body.error?.code], [402, 'CARD_DECLINED']);
      assert.equal((await topUp(t.wallet, token, '1', 'last')).status, 201);
      assert.deepEqual(await balanceOf(t.wallet, token), { balance: '5000000', card: '0' });
      await assertLedgerBalanced(t.wallet);
    });

    it('refuses each bad top-up with its code and moves no money', async () => {
      const { token } = await signUp(t.wallet);
      await topUp(t.wallet, token, '1000', 'seed');
      const cases: Array<{ name: string; body: unknown; raw?: string; status: number; code: string }> = [
        { name: 'zero', body: { requestId: 'a1', amount: { currency: 'CNY', value: '0' } }, status: 400, code: 'INVALID_AMOUNT' },
        { name: 'negative', body: { requestId: 'a2', amount: { currency: 'CNY', value: '-100' } }, status: 400, code: 'INVALID_AMOUNT' },
        { name: 'decimal point', body: { requestId: 'a3', amount: { currency: 'CNY', value: '10.50' } }, status: 400, code: 'INVALID_AMOUNT' },
        { name: 'JSON number', body: { requestId: 'a4', amount: { currency: 'CNY', value: 100 } }, status: 400, code: 'INVALID_AMOUNT' },
        { name: 'letters', body: { requestId: 'a5', amount: { currency: 'CNY', value: 'ten' } }, status: 400, code: 'INVALID_AMOUNT' },
        { name: 'beyond 2^63', body: { requestId: 'a6', amount: { currency: 'CNY', value: '9223372036854775808' } }, status: 400, code: 'INVALID_AMOUNT' },
        { name: 'no value', body: { requestId: 'a7', amount: { currency: 'CNY' } }, status: 400, code: 'INVALID_AMOUNT' },
        { name: 'KRW', body: { requestId: 'a8', amount: { currency: 'KRW', value: '1000' } }, status: 400, code: 'CURRENCY_MISMATCH' },
        { name: 'unknown currency', body: { requestId: 'a9', amount: { currency: 'XYZ', value: '1000' } }, status: 400, code: 'CURRENCY_MISMATCH' },
        { name: 'no amount', body: { requestId: 'b1' }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'no request id', body: { amount: { currency: 'CNY', value: '100' } }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'bad request id', body: { requestId: '-x', amount: { currency: 'CNY', value: '100' } }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'not JSON', body: undefined, raw: 'amount=100', status: 400, code: 'INVALID_REQUEST' },
        { name: 'more than the card', body: { requestId: 'b2', amount: { currency: 'CNY', value: '5000001' } }, status: 402, code: 'CARD_DECLINED' },
      ];
      for (const c of cases) {
        const answer = await api(t.wallet, 'POST', '/wallet/v1/topups', { token, ...(c.raw === undefined ? { body: c.body } : { rawBody: c.raw }) });
        assert.deepEqual([answer.status, answer.body.error?.code], [c.status, c.code], c.name);
        assert.deepEqual(await balanceOf(t.wallet, token), { balance: '1000', card: '4999000' }, c.name);
      }
      await assertLedgerBalanced(t.wallet);
    });

    it("never lets one user's token reach another's wallet, and refuses a missing or wrong token", async () => {
      const alice = await signUp(t.wallet, { name: 'Alice' });
      const bob = await signUp(t.wallet, { name: 'Bob' });
      await topUp(t.wallet, alice.token, '7700', 'same-id');
      // Bob may use the same request id: idempotency keys are per user.
      const bobTopup = await topUp(t.wallet, bob.token, '300', 'same-id');
      assert.equal(bobTopup.status, 201);
      assert.deepEqual(await balanceOf(t.wallet, alice.token), { balance: '7700', card: '4992300' });
      assert.deepEqual(await balanceOf(t.wallet, bob.token), { balance: '300', card: '4999700' });
      assert.equal((await api(t.wallet, 'GET', '/wallet/v1/me', { token: bob.token })).body.name, 'Bob');
      const bobItems = (await api(t.wallet, 'GET', '/wallet/v1/transactions', { token: bob.token })).body.items;
      assert.deepEqual(Object.values(bobItems ?? {}).map((item) => item.amount?.value), ['300']);

      const routes: Array<['GET' | 'POST', string]> = [
        ['GET', '/wallet/v1/me'],
        ['GET', '/wallet/v1/balance'],
        ['POST', '/wallet/v1/topups'],
        ['POST', '/wallet/v1/payment-codes'],
        ['POST', '/wallet/v1/scans'],
        ['POST', '/wallet/v1/payments'],
        ['GET', '/wallet/v1/transactions'],
      ];
      for (const [method, path] of routes) {
        for (const token of [undefined, 'not-a-token', `${alice.token}x`]) {
          const answer = await api(t.wallet, method, path, { ...(token === undefined ? {} : { token }), body: { requestId: 'r1', amount: { currency: 'CNY', value: '1' } } });
          assert.deepEqual([answer.status, answer.body.error?.code], [401, 'UNAUTHENTICATED'], `${method} ${path} with ${token ?? 'no token'}`);
        }
      }
      assert.deepEqual(await balanceOf(t.wallet, alice.token), { balance: '7700', card: '4992300' });
    });

    it('issues one-time 18-digit payment codes with the wallet prefix, valid for 60 seconds', async () => {
      const { token } = await signUp(t.wallet);
      const codes = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const answer = await api(t.wallet, 'POST', '/wallet/v1/payment-codes', { token });
        assert.equal(answer.status, 201);
        assert.match(String(answer.body.code), new RegExp(`^${CODE_PREFIX}[0-9]{14}$`));
        assert.equal(Date.parse(String(answer.body.expiresAt)), t.clock.ms + PAYMENT_CODE_TTL_SECONDS * 1000);
        codes.add(String(answer.body.code));
      }
      assert.equal(codes.size, 5);
    });

    it('decodes a scanned QR and says whether the wallet can pay it', async () => {
      const { token } = await signUp(t.wallet);
      const scan = (qrPayload: string) => api(t.wallet, 'POST', '/wallet/v1/scans', { token, body: { qrPayload } });
      const dynamic = await scan(dariQr({ amountKrw: 15_000n }));
      assert.equal(dynamic.status, 200);
      assert.deepEqual(dynamic.body, { merchant: { name: 'Cafe Dari', city: 'Seoul', country: 'KR', mcc: '5814' }, amount: { currency: 'KRW', value: '15000' }, currency: 'KRW', supported: true });
      const fixed = await scan(dariQr());
      assert.deepEqual([fixed.body.supported, fixed.body.amount], [true, undefined]);
      const foreign = await scan(foreignQr());
      assert.deepEqual([foreign.status, foreign.body.supported, foreign.body.merchant?.name], [200, false, 'Other Cafe']);
      for (const bad of ['', 'hello', `${dariQr().slice(0, -4)}0000`]) {
        const answer = await scan(bad);
        assert.deepEqual([answer.status, answer.body.error?.code], [400, 'INVALID_QR'], JSON.stringify(bad));
        assert.ok(String(answer.body.error?.message).length > 0);
      }
    });

    it('lists the activity newest first, a page at a time', async () => {
      const { token } = await signUp(t.wallet);
      for (let i = 1; i <= 5; i++) await topUp(t.wallet, token, String(i * 100), `page-${i}`);
      const first = await api(t.wallet, 'GET', '/wallet/v1/transactions?limit=2', { token });
      assert.equal(first.status, 200);
      const values = (page: typeof first) => Object.values(page.body.items ?? {}).map((item) => String(item.amount?.value));
      assert.deepEqual(values(first), ['500', '400']);
      assert.equal(first.body.items?.[0]?.type, 'topup');
      assert.equal(first.body.items?.[0]?.status, 'SUCCESS');
      const second = await api(t.wallet, 'GET', `/wallet/v1/transactions?limit=2&before=${String(first.body.nextBefore)}`, { token });
      assert.deepEqual(values(second), ['300', '200']);
      const third = await api(t.wallet, 'GET', `/wallet/v1/transactions?limit=2&before=${String(second.body.nextBefore)}`, { token });
      assert.deepEqual(values(third), ['100']);
      assert.equal(third.body.nextBefore, null);
      for (const query of [`limit=${PAGE_ITEMS_MAX + 1}`, 'limit=0', 'limit=two', 'before=abc', 'before=-1']) {
        const answer = await api(t.wallet, 'GET', `/wallet/v1/transactions?${query}`, { token });
        assert.deepEqual([answer.status, answer.body.error?.code], [400, 'INVALID_REQUEST'], query);
      }
    });
  });
}
