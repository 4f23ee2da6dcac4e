import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeMerchantQr, isDariMerchant } from '../qr/index.ts';
import { ONBOARDING_TRANSITIONS, PAYMENT_TRANSITIONS, REFUND_TRANSITIONS } from './index.ts';
import { ACQUIRER_TEST_ENGINES, merchantBody, OPERATOR_KEY, startHarness, type Harness } from './test-helpers.ts';

for (const engine of ACQUIRER_TEST_ENGINES) {
  describe(`merchant onboarding, stores, terminals and QR, on ${engine}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ engine });
    });
    after(() => h.close());

    const op = { token: OPERATOR_KEY };

    it('signs a merchant up pending, numbered with the prefix, then approves it once', async () => {
      const created = await h.api('POST', '/acquirer/v1/merchants', { ...op, body: merchantBody({ businessRegistrationNumber: '2208162517' }) });
      assert.equal(created.status, 201);
      assert.match(created.body.merchantId as string, /^KR01M\d{6}$/);
      assert.equal(created.body.status, 'pending');
      const id = created.body.merchantId as string;
      const read = await h.api('GET', `/acquirer/v1/merchants/${id}`, op);
      assert.equal(read.body.businessRegistrationNumber, '220-81-62517');
      assert.equal(read.body.status, 'pending');
      assert.deepEqual(await h.api('POST', `/acquirer/v1/merchants/${id}/approve`, { ...op, body: {} }), { status: 200, body: { merchantId: id, status: 'approved' } });
      const again = await h.api('POST', `/acquirer/v1/merchants/${id}/approve`, op);
      assert.equal(again.status, 409);
      assert.equal((again.body.error as { code: string }).code, 'INVALID_STATE');
      const reject = await h.api('POST', `/acquirer/v1/merchants/${id}/reject`, { ...op, body: { reason: 'too late' } });
      assert.equal(reject.status, 409);
      assert.equal((reject.body.error as { code: string }).code, 'INVALID_STATE');
    });

    it('rejects a pending merchant with a reason, and then neither approves nor re-rejects it', async () => {
      const id = (await h.api('POST', '/acquirer/v1/merchants', { ...op, body: merchantBody() })).body.merchantId as string;
      const rejected = await h.api('POST', `/acquirer/v1/merchants/${id}/reject`, { ...op, body: { reason: 'documents missing' } });
      assert.deepEqual(rejected, { status: 200, body: { merchantId: id, status: 'rejected', reason: 'documents missing' } });
      for (const action of ['approve', 'reject']) {
        const r = await h.api('POST', `/acquirer/v1/merchants/${id}/${action}`, { ...op, body: { reason: 'x' } });
        assert.equal(r.status, 409, action);
      }
      const terminal = await h.api('POST', `/acquirer/v1/merchants/${id}/terminals`, { ...op, body: { label: 'till' } });
      assert.equal(terminal.status, 409);
      assert.equal((terminal.body.error as { code: string }).code, 'MERCHANT_NOT_APPROVED');
    });

    it('refuses a wrong business registration number naming the expected check digit, and malformed fields naming the field', async () => {
      const cases: Array<{ body: Record<string, unknown>; status: number; code: string; message: RegExp }> = [
        { body: merchantBody({ businessRegistrationNumber: '220-81-62518' }), status: 400, code: 'INVALID_BUSINESS_REGISTRATION_NUMBER', message: /should be 7/ },
        { body: merchantBody({ businessRegistrationNumber: '211-86-00010' }), status: 400, code: 'INVALID_BUSINESS_REGISTRATION_NUMBER', message: /should be 7/ },
        { body: merchantBody({ businessRegistrationNumber: '120-81-47520' }), status: 400, code: 'INVALID_BUSINESS_REGISTRATION_NUMBER', message: /should be 1/ },
        { body: merchantBody({ businessRegistrationNumber: '220816251' }), status: 400, code: 'INVALID_BUSINESS_REGISTRATION_NUMBER', message: /10 digits/ },
        { body: merchantBody({ businessRegistrationNumber: '220 81 62517' }), status: 400, code: 'INVALID_BUSINESS_REGISTRATION_NUMBER', message: /10 digits/ },
        { body: merchantBody({ mcc: '59a7' }), status: 400, code: 'INVALID_REQUEST', message: /^mcc/ },
        { body: merchantBody({ legalName: '명동화장품' }), status: 400, code: 'INVALID_REQUEST', message: /^legalName/ },
        { body: merchantBody({ legalName: undefined }), status: 400, code: 'INVALID_REQUEST', message: /^legalName/ },
        { body: merchantBody({ settlementAccount: { bankCode: '4', accountNumber: '12345678', holderName: 'x' } }), status: 400, code: 'INVALID_REQUEST', message: /^settlementAccount\.bankCode/ },
      ];
      const before = (await h.api('GET', '/acquirer/v1/merchants', op)).body.merchants as unknown[];
      for (const c of cases) {
        const r = await h.api('POST', '/acquirer/v1/merchants', { ...op, body: c.body });
        const error = r.body.error as { code: string; message: string };
        assert.equal(r.status, c.status, JSON.stringify(c.body));
        assert.equal(error.code, c.code);
        assert.match(error.message, c.message);
      }
      const notJson = await h.api('POST', '/acquirer/v1/merchants', { ...op, raw: '{nope' });
      assert.equal(notJson.status, 400);
      const afterwards = (await h.api('GET', '/acquirer/v1/merchants', op)).body.merchants as unknown[];
      assert.equal(afterwards.length, before.length, 'nothing was recorded');
    });

    it('answers 404 for an unknown merchant', async () => {
      for (const [method, path] of [['GET', '/acquirer/v1/merchants/KR01M999999'], ['POST', '/acquirer/v1/merchants/KR01M999999/approve'], ['POST', '/acquirer/v1/merchants/KR01M999999/stores']] as const) {
        const r = await h.api(method, path, { ...op, body: { name: 'x' } });
        assert.equal(r.status, 404, path);
        assert.equal((r.body.error as { code: string }).code, 'NOT_FOUND');
      }
    });

    it("registers terminals with a one-time key (32 bytes, base64url), only in the merchant's own stores", async () => {
      const a = await h.onboard('Terminal Shop A');
      const b = await h.onboard('Terminal Shop B');
      assert.match(a.terminalKey, /^[A-Za-z0-9_-]{43}$/);
      assert.match(a.terminalId, /^KR01T\d{6}$/);
      const foreignStore = await h.api('POST', `/acquirer/v1/merchants/${a.merchantId}/terminals`, { ...op, body: { storeId: b.storeId, label: 'x' } });
      assert.equal(foreignStore.status, 404);
      const noStore = await h.api('POST', `/acquirer/v1/merchants/${a.merchantId}/terminals`, { ...op, body: { label: 'Mobile' } });
      assert.equal(noStore.status, 201);
      assert.equal(noStore.body.storeId, null);
      assert.notEqual(noStore.body.terminalKey, a.terminalKey);
    });

    it("gives the merchant's static QR, which decodes to its merchant id, store, name, city, MCC, KRW and KR", async () => {
      const longName = 'The Very Long Named Cosmetics Store Of Myeongdong';
      const created = await h.api('POST', '/acquirer/v1/merchants', { ...op, body: merchantBody({ legalName: longName, city: 'Seogwipo-si Jeju-do' }) });
      const merchantId = created.body.merchantId as string;
      const pending = await h.api('GET', `/acquirer/v1/merchants/${merchantId}/qr`, op);
      assert.equal(pending.status, 409);
      await h.api('POST', `/acquirer/v1/merchants/${merchantId}/approve`, op);
      const store = await h.api('POST', `/acquirer/v1/merchants/${merchantId}/stores`, { ...op, body: { name: 'Main' } });
      const terminal = await h.api('POST', `/acquirer/v1/merchants/${merchantId}/terminals`, { ...op, body: { storeId: store.body.storeId, label: 'till' } });

      const byOperator = await h.api('GET', `/acquirer/v1/merchants/${merchantId}/qr`, op);
      assert.equal(byOperator.status, 200);
      const decoded = decodeMerchantQr(byOperator.body.qrPayload as string);
      assert.ok(decoded.ok && isDariMerchant(decoded.value));
      assert.equal(decoded.value.initiation, 'static');
      assert.deepEqual(decoded.value.dari, { tag: '26', merchantId });
      assert.equal(decoded.value.merchantName, longName.slice(0, 25).trimEnd());
      assert.equal(decoded.value.merchantCity, 'Seogwipo-si Jej');
      assert.equal(decoded.value.merchantCategoryCode, '5977');
      assert.equal(decoded.value.currency, 'KRW');
      assert.equal(decoded.value.countryCode, 'KR');
      assert.equal(decoded.value.amount, undefined);

      const byTerminal = await h.api('GET', `/acquirer/v1/merchants/${merchantId}/qr`, { token: terminal.body.terminalKey as string });
      const fromTerminal = decodeMerchantQr(byTerminal.body.qrPayload as string);
      assert.ok(fromTerminal.ok);
      assert.deepEqual(fromTerminal.value.dari, { tag: '26', merchantId, storeId: store.body.storeId });
    });

    it('lists merchants a page at a time', async () => {
      const first = await h.api('GET', '/acquirer/v1/merchants?limit=2', op);
      assert.equal((first.body.merchants as unknown[]).length, 2);
      const next = await h.api('GET', `/acquirer/v1/merchants?limit=2&after=${first.body.nextAfter as string}`, op);
      const ids = [...(first.body.merchants as { merchantId: string }[]), ...(next.body.merchants as { merchantId: string }[])].map((m) => m.merchantId);
      assert.deepEqual(ids, [...ids].sort());
      assert.equal(new Set(ids).size, ids.length);
      assert.equal((await h.api('GET', '/acquirer/v1/merchants?limit=0', op)).status, 400);
    });
  });
}

describe('lifecycles declared as data', () => {
  it('allows only the moves listed: onboarding once, payments to one terminal status, refunds never back', () => {
    assert.deepEqual(ONBOARDING_TRANSITIONS, { pending: ['approved', 'rejected'], approved: [], rejected: [] });
    assert.deepEqual(PAYMENT_TRANSITIONS, { PROCESSING: ['SUCCESS', 'FAIL', 'CANCELLED'], SUCCESS: ['CANCELLED'], FAIL: [], CANCELLED: [] });
    assert.deepEqual(REFUND_TRANSITIONS, { PROCESSING: ['SUCCESS', 'FAIL'], SUCCESS: [], FAIL: [] });
  });
});
