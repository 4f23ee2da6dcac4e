import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportPublicKeyPem, formatRequestTime, generateSigningKeyPair, signMessage } from '../platform/signing/index.ts';
import { PROTOCOL_ENDPOINTS, type ProtocolEndpointName } from '../protocol/index.ts';
import { createNetwork, type NetworkInstance } from './index.ts';
import { AUDITOR_KEY, MERCHANT, NETWORK_ID, NETWORK_TEST_ENGINES, OPERATOR_KEY, createTestStorage, identity, walletCode, type TestStorage } from './test-helpers.ts';

const wallet = identity('WALLET_CN_01');
const acquirer = identity('ACQ_KR_01');
const stranger = identity('STRANGER_01');

for (const engine of NETWORK_TEST_ENGINES) {
  describe(`the network's operator API and its signed endpoints, on ${engine}`, () => {
    let storage: TestStorage;
    let network: NetworkInstance;
    before(async () => {
      storage = await createTestStorage(engine, 'network-routes');
      network = await createNetwork({
        dataDir: storage.dir,
        database: storage.database,
        identity: identity(NETWORK_ID),
        operatorKey: OPERATOR_KEY,
        auditorKey: AUDITOR_KEY,
        peerTimeoutMs: 200,
        paymentDeadlineMs: 300,
      });
    });
    after(async () => {
      await network.close();
      await storage.dispose();
    });

    function call(method: string, path: string, options: { key?: string; body?: unknown } = {}): Promise<Response> {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (options.key !== undefined) headers['Authorization'] = `Bearer ${options.key}`;
      return Promise.resolve(
        network.app.request(path, { method, headers, ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }) }),
      );
    }

    async function errorCode(response: Response): Promise<string> {
      const body = (await response.json()) as { error?: { code?: string } };
      return body.error?.code ?? '(no error code)';
    }

    const walletBody = () => ({
      participantId: 'WALLET_CN_01',
      role: 'wallet',
      name: 'China wallet',
      baseUrl: 'http://127.0.0.1:4001/',
      publicKey: wallet.publicKeyBase64,
      keyVersion: 1,
      codePrefix: '2851',
      currency: 'CNY',
    });
    const acquirerBody = () => ({
      participantId: 'ACQ_KR_01',
      role: 'acquirer',
      name: 'Korea acquirer',
      baseUrl: 'http://127.0.0.1:4002',
      publicKey: acquirer.publicKeyBase64,
      keyVersion: 1,
      merchantIdPrefix: 'KR01',
      currency: 'KRW',
    });

    test('registering participants: 201, then 200 for the same registration again', async () => {
      const first = await call('POST', '/network/v1/participants', { key: OPERATOR_KEY, body: walletBody() });
      assert.equal(first.status, 201);
      const created = (await first.json()) as { participantId: string; baseUrl: string; codePrefix: string; keys: { keyVersion: number; publicKey: string }[] };
      assert.equal(created.participantId, 'WALLET_CN_01');
      assert.equal(created.baseUrl, 'http://127.0.0.1:4001', 'the trailing slash is dropped');
      assert.equal(created.codePrefix, '2851');
      assert.match(created.keys[0]!.publicKey, /BEGIN PUBLIC KEY/);
      const again = await call('POST', '/network/v1/participants', { key: OPERATOR_KEY, body: walletBody() });
      assert.equal(again.status, 200);
      const acq = await call('POST', '/network/v1/participants', { key: OPERATOR_KEY, body: acquirerBody() });
      assert.equal(acq.status, 201);
      const list = (await (await call('GET', '/network/v1/participants', { key: OPERATOR_KEY })).json()) as { participants: { participantId: string }[] };
      assert.deepEqual(list.participants.map((p) => p.participantId).sort(), ['ACQ_KR_01', 'WALLET_CN_01']);
    });

    test('pay without a published rate for the pair is FX_RATE_NOT_AVAILABLE, and nothing is recorded', async () => {
      const body = { paymentRequestId: 'R-norate', paymentAmount: { currency: 'KRW', value: '1000' }, paymentCode: walletCode(1), merchant: MERCHANT };
      const outcome = await signed('networkPay', acquirer, body);
      assert.deepEqual([outcome.resultStatus, outcome.resultCode], ['F', 'FX_RATE_NOT_AVAILABLE']);
      assert.equal((await network.service.listPayments({ limit: 10 })).length, 0);
    });

    test('the participants API refuses, with a stable code, every malformed or conflicting registration', async () => {
      const other = identity('X');
      const pem = exportPublicKeyPem(generateSigningKeyPair().publicKey);
      const cases: readonly { name: string; body: unknown; status: number; code: string }[] = [
        { name: 'not JSON', body: '{', status: 400, code: 'INVALID_REQUEST' },
        { name: 'unknown role', body: { ...walletBody(), participantId: 'W2', role: 'bank' }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'id with a dot', body: { ...walletBody(), participantId: 'W.2', codePrefix: '2853' }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'id too long for a ledger account', body: { ...walletBody(), participantId: 'W'.repeat(49), codePrefix: '2853' }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'code prefix of 3 digits', body: { ...walletBody(), participantId: 'W2', codePrefix: '285' }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'wallet with a merchant prefix', body: { ...walletBody(), participantId: 'W2', codePrefix: '2853', merchantIdPrefix: 'X' }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'acquirer without a merchant prefix', body: { ...acquirerBody(), participantId: 'A2', merchantIdPrefix: undefined }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'bad URL', body: { ...walletBody(), participantId: 'W2', codePrefix: '2853', baseUrl: 'ftp://x' }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'key version 0', body: { ...walletBody(), participantId: 'W2', codePrefix: '2853', keyVersion: 0 }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'not a key', body: { ...walletBody(), participantId: 'W2', codePrefix: '2853', publicKey: 'bm90IGEga2V5' }, status: 400, code: 'INVALID_REQUEST' },
        { name: 'a wallet in KRW', body: { ...walletBody(), participantId: 'W2', codePrefix: '2853', currency: 'KRW' }, status: 400, code: 'CURRENCY_NOT_SUPPORTED' },
        { name: 'an acquirer in CNY', body: { ...acquirerBody(), participantId: 'A2', merchantIdPrefix: 'KR09', currency: 'CNY' }, status: 400, code: 'CURRENCY_NOT_SUPPORTED' },
        { name: 'unknown currency', body: { ...walletBody(), participantId: 'W2', codePrefix: '2853', currency: 'XXY' }, status: 400, code: 'CURRENCY_NOT_SUPPORTED' },
        { name: "another wallet's code prefix", body: { ...walletBody(), participantId: 'W2', publicKey: other.publicKeyBase64 }, status: 409, code: 'CODE_PREFIX_TAKEN' },
        { name: 'same merchant prefix', body: { ...acquirerBody(), participantId: 'A2' }, status: 409, code: 'MERCHANT_ID_PREFIX_OVERLAPS' },
        { name: 'merchant prefix inside another', body: { ...acquirerBody(), participantId: 'A2', merchantIdPrefix: 'KR011' }, status: 409, code: 'MERCHANT_ID_PREFIX_OVERLAPS' },
        { name: 'merchant prefix around another', body: { ...acquirerBody(), participantId: 'A2', merchantIdPrefix: 'KR' }, status: 409, code: 'MERCHANT_ID_PREFIX_OVERLAPS' },
        { name: 'same id, other details', body: { ...walletBody(), name: 'Another name' }, status: 409, code: 'PARTICIPANT_EXISTS' },
        { name: 'same id, other key', body: { ...walletBody(), publicKey: pem }, status: 409, code: 'PARTICIPANT_EXISTS' },
        { name: "the network's own id", body: { ...walletBody(), participantId: NETWORK_ID, codePrefix: '2859' }, status: 409, code: 'PARTICIPANT_EXISTS' },
      ];
      for (const c of cases) {
        const response = await call('POST', '/network/v1/participants', { key: OPERATOR_KEY, body: c.body });
        assert.equal(response.status, c.status, c.name);
        assert.equal(await errorCode(response), c.code, c.name);
      }
      const list = (await (await call('GET', '/network/v1/participants', { key: OPERATOR_KEY })).json()) as { participants: unknown[] };
      assert.equal(list.participants.length, 2, 'nothing refused was registered');
    });

    test('the operator API: 401 without or with a wrong key, 403 for the read-only key on a change', async () => {
      const routes: readonly { method: string; path: string; body?: unknown; write: boolean }[] = [
        { method: 'POST', path: '/network/v1/participants', body: walletBody(), write: true },
        { method: 'GET', path: '/network/v1/participants', write: false },
        { method: 'POST', path: '/network/v1/participants/WALLET_CN_01/keys', body: { publicKey: wallet.publicKeyBase64, keyVersion: 1 }, write: true },
        { method: 'PUT', path: '/network/v1/fx-rates/CNY/KRW', body: { rate: '190.25' }, write: true },
        { method: 'GET', path: '/network/v1/fx-rates', write: false },
        { method: 'GET', path: '/network/v1/payments', write: false },
        { method: 'GET', path: '/network/v1/payments/NP000', write: false },
        { method: 'GET', path: '/network/v1/positions', write: false },
      ];
      for (const route of routes) {
        const name = `${route.method} ${route.path}`;
        const none = await call(route.method, route.path, { body: route.body });
        assert.equal(none.status, 401, `${name} without a key`);
        assert.equal(await errorCode(none), 'UNAUTHENTICATED');
        const wrong = await call(route.method, route.path, { key: `${OPERATOR_KEY}x`, body: route.body });
        assert.equal(wrong.status, 401, `${name} with a wrong key`);
        const auditor = await call(route.method, route.path, { key: AUDITOR_KEY, body: route.body });
        if (route.write) {
          assert.equal(auditor.status, 403, `${name} with the read-only key`);
          assert.equal(await errorCode(auditor), 'FORBIDDEN');
        } else {
          assert.notEqual(auditor.status, 401, `${name} is readable with the read-only key`);
          assert.notEqual(auditor.status, 403, `${name} is readable with the read-only key`);
        }
      }
    });

    test('key rotation: a second key version is added; the same version with another key is refused', async () => {
      const rotated = identity('WALLET_CN_01');
      const added = await call('POST', '/network/v1/participants/WALLET_CN_01/keys', { key: OPERATOR_KEY, body: { publicKey: rotated.publicKeyBase64, keyVersion: 2 } });
      assert.equal(added.status, 201);
      const body = (await added.json()) as { keys: { keyVersion: number }[] };
      assert.deepEqual(body.keys.map((k) => k.keyVersion), [1, 2]);
      assert.equal(network.keys.lookup('WALLET_CN_01', 2).found, 'key', 'the directory sees the new key at once');
      const clash = await call('POST', '/network/v1/participants/WALLET_CN_01/keys', { key: OPERATOR_KEY, body: { publicKey: stranger.publicKeyBase64, keyVersion: 2 } });
      assert.equal(clash.status, 409);
      assert.equal(await errorCode(clash), 'KEY_VERSION_EXISTS');
      const missing = await call('POST', '/network/v1/participants/NOBODY/keys', { key: OPERATOR_KEY, body: { publicKey: stranger.publicKeyBase64, keyVersion: 1 } });
      assert.equal(missing.status, 404);
    });

    test('FX rates: every rate is kept with its validity start; the current one is the latest started', async () => {
      const cases: readonly { path: string; body: unknown; status: number }[] = [
        { path: '/network/v1/fx-rates/CNY/KRW', body: { rate: '0' }, status: 400 },
        { path: '/network/v1/fx-rates/CNY/KRW', body: { rate: '-1' }, status: 400 },
        { path: '/network/v1/fx-rates/CNY/KRW', body: { rate: '1e3' }, status: 400 },
        { path: '/network/v1/fx-rates/CNY/KRW', body: { rate: 190.25 }, status: 400 },
        { path: '/network/v1/fx-rates/CNY/CNY', body: { rate: '1' }, status: 400 },
        { path: '/network/v1/fx-rates/CNY/XXY', body: { rate: '1' }, status: 400 },
      ];
      for (const c of cases) {
        const response = await call('PUT', c.path, { key: OPERATOR_KEY, body: c.body });
        assert.equal(response.status, c.status, JSON.stringify(c));
        assert.equal(await errorCode(response), 'INVALID_REQUEST');
      }
      const first = await call('PUT', '/network/v1/fx-rates/CNY/KRW', { key: OPERATOR_KEY, body: { rate: '190.25', validFrom: '2020-01-01T00:00:00Z' } });
      assert.equal(first.status, 201);
      const second = await call('PUT', '/network/v1/fx-rates/CNY/KRW', { key: OPERATOR_KEY, body: { rate: '191.5' } });
      assert.equal(second.status, 201);
      const future = await call('PUT', '/network/v1/fx-rates/CNY/KRW', { key: OPERATOR_KEY, body: { rate: '999', validFrom: '2999-01-01T00:00:00Z' } });
      assert.equal(future.status, 201);
      const list = (await (await call('GET', '/network/v1/fx-rates', { key: OPERATOR_KEY })).json()) as { fxRates: { rate: string; quoteId: string }[] };
      assert.deepEqual(list.fxRates.map((r) => r.rate), ['999', '191.5', '190.25'], 'kept, newest first');
      assert.equal(new Set(list.fxRates.map((r) => r.quoteId)).size, 3);
    });

    test('payment views: 404 for an unknown payment, 400 for a bad query', async () => {
      const missing = await call('GET', '/network/v1/payments/NP0000', { key: OPERATOR_KEY });
      assert.equal(missing.status, 404);
      assert.equal(await errorCode(missing), 'NOT_FOUND');
      for (const query of ['?limit=0', '?limit=101', '?limit=x', '?status=DONE']) {
        const bad = await call('GET', `/network/v1/payments${query}`, { key: OPERATOR_KEY });
        assert.equal(bad.status, 400, query);
      }
      const ok = await call('GET', '/network/v1/payments?status=SUCCESS&limit=5', { key: OPERATOR_KEY });
      assert.equal(ok.status, 200);
      const positions = (await (await call('GET', '/network/v1/positions', { key: OPERATOR_KEY })).json()) as { positions: { participantId: string; position: { currency: string; value: string } }[] };
      assert.deepEqual(
        positions.positions.map((p) => [p.participantId, p.position.currency, p.position.value]).sort(),
        [
          ['ACQ_KR_01', 'KRW', '0'],
          ['WALLET_CN_01', 'CNY', '0'],
        ],
      );
    });

    async function signed<N extends ProtocolEndpointName>(name: N, from: ReturnType<typeof identity>, body: unknown): Promise<{ resultStatus: string; resultCode: string }> {
      const path = PROTOCOL_ENDPOINTS[name].path;
      const text = JSON.stringify(body);
      const headers = signMessage({ method: 'POST', path, clientId: from.clientId, requestTime: formatRequestTime(new Date()), body: text, privateKey: from.privateKey, keyVersion: from.keyVersion });
      const response = await network.app.request(path, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: text });
      assert.equal(response.status, 200);
      return ((await response.json()) as { result: { resultStatus: string; resultCode: string } }).result;
    }

    test('protocol routes: an unknown sender is INVALID_CLIENT, a sender of the wrong role ACCESS_DENIED', async () => {
      const pay = { paymentRequestId: 'R1', paymentAmount: { currency: 'KRW', value: '1000' }, paymentCode: walletCode(1), merchant: MERCHANT };
      const userPay = { userRequestId: 'U1', codeValue: 'x', paymentCode: walletCode(1) };
      const cases: readonly { name: ProtocolEndpointName; from: ReturnType<typeof identity>; body: unknown; code: string }[] = [
        { name: 'networkPay', from: stranger, body: pay, code: 'INVALID_CLIENT' },
        { name: 'networkPay', from: wallet, body: pay, code: 'ACCESS_DENIED' },
        { name: 'networkInquiryPayment', from: wallet, body: { paymentRequestId: 'R1' }, code: 'ACCESS_DENIED' },
        { name: 'networkCancelPayment', from: wallet, body: { paymentRequestId: 'R1' }, code: 'ACCESS_DENIED' },
        { name: 'networkRefund', from: wallet, body: { refundRequestId: 'F1', paymentRequestId: 'R1', refundAmount: { currency: 'KRW', value: '1' } }, code: 'ACCESS_DENIED' },
        { name: 'networkInquiryRefund', from: wallet, body: { refundRequestId: 'F1' }, code: 'ACCESS_DENIED' },
        { name: 'networkUserInitiatedPay', from: acquirer, body: userPay, code: 'ACCESS_DENIED' },
        { name: 'networkUserInitiatedPay', from: stranger, body: userPay, code: 'INVALID_CLIENT' },
        { name: 'networkPay', from: acquirer, body: { ...pay, paymentCode: '12' }, code: 'PARAM_ILLEGAL' },
      ];
      for (const c of cases) {
        const outcome = await signed(c.name, c.from, c.body);
        assert.equal(outcome.resultCode, c.code, `${c.name} from ${c.from.clientId}`);
        assert.equal(outcome.resultStatus, 'F');
      }
    });

    test('pay refusals before the wallet is asked: currency, routing, rate, zero', async () => {
      const base = { paymentRequestId: 'R-refused', paymentAmount: { currency: 'KRW', value: '1000' }, paymentCode: walletCode(1), merchant: MERCHANT };
      const cases: readonly { body: unknown; code: string }[] = [
        { body: { ...base, paymentRequestId: 'R-c1', paymentAmount: { currency: 'CNY', value: '1000' } }, code: 'CURRENCY_NOT_SUPPORT' },
        { body: { ...base, paymentRequestId: 'R-c2', paymentAmount: { currency: 'XXY', value: '1000' } }, code: 'CURRENCY_NOT_SUPPORT' },
        { body: { ...base, paymentRequestId: 'R-c3', paymentAmount: { currency: 'KRW', value: '0' } }, code: 'PARAM_ILLEGAL' },
        { body: { ...base, paymentRequestId: 'R-c4', paymentCode: walletCode(1, '9999') }, code: 'PARTNER_NOT_EXIST' },
      ];
      for (const c of cases) {
        const outcome = await signed('networkPay', acquirer, c.body);
        assert.deepEqual([outcome.resultStatus, outcome.resultCode], ['F', c.code], JSON.stringify(c.body));
      }
      const listed = await network.service.listPayments({ limit: 10 });
      assert.equal(listed.length, 0, 'a refused pay records nothing');
    });
  });
}
