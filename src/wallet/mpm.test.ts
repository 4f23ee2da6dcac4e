/**
 * Scan to pay (merchant-presented mode) end to end on the wallet's side: the
 * wallet is served on a real socket, and a tiny fake network (a real Hono
 * server with the protocol's `networkUserInitiatedPay`) turns each request
 * around into a signed `walletPay` to the wallet, as the network and the
 * acquirer would together. Faults on the wallet's hop make outcomes unknown.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { openSqlite } from '../platform/db/sqlite.ts';
import { createSqliteReplayGuard } from '../platform/signing/index.ts';
import {
  createPeerClient,
  faultyFetch,
  createSqliteEnvelopeArchive,
  mountEnvelopeRoute,
  mountProtocolRoute,
  result,
  type NetworkFault,
  type UserInitiatedPayRequest,
  type UserInitiatedPayResponse,
  type WalletPayRequest,
} from '../protocol/index.ts';
import { currency } from '../money/index.ts';
import { decodeMerchantQr, encodeMerchantQr } from '../qr/index.ts';
import {
  ACQUIRER_ID,
  api,
  assertLedgerBalanced,
  balanceOf,
  cnyFor,
  dariQr,
  foreignQr,
  keys,
  networkIdentity,
  RATE,
  signUp,
  startTestWallet,
  topUp,
  WALLET_ID,
  type TestWallet,
} from './test-helpers.ts';

type NetworkMode = 'pay' | 'merchant-unknown' | 'unknown-outcome';

describe('scan to pay (MPM) against a fake network', () => {
  let t: TestWallet;
  let walletServer: ServerType;
  let networkServer: ServerType;
  let walletUrl = '';
  let networkUrl = '';
  let mode: NetworkMode = 'pay';
  let fault: NetworkFault | undefined;
  const received: UserInitiatedPayRequest[] = [];
  const faulty = faultyFetch((url, init) => fetch(url, init), () => fault);
  let payments = 0;

  const listen = async (app: Hono): Promise<{ server: ServerType; url: string }> => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };

  before(async () => {
    t = await startTestWallet({ networkBaseUrl: () => networkUrl, fetch: faulty.fetch, peerTimeoutMs: 500 });
    ({ server: walletServer, url: walletUrl } = await listen(t.wallet.app));
    const toWallet = createPeerClient({ self: networkIdentity, peerId: WALLET_ID, baseUrl: () => walletUrl, keys, now: t.clock.now });
    const network = new Hono();
    const replayGuard = createSqliteReplayGuard(openSqlite(':memory:'));
    mountProtocolRoute(network, 'networkUserInitiatedPay', { self: networkIdentity, keys, replayGuard, now: t.clock.now }, async (request, sender): Promise<UserInitiatedPayResponse> => {
      assert.equal(sender.clientId, WALLET_ID);
      received.push(request);
      if (mode === 'merchant-unknown') return { result: result('MERCHANT_NOT_REGISTERED') };
      if (mode === 'unknown-outcome') return { result: result('UNKNOWN_EXCEPTION') };
      const qr = decodeMerchantQr(request.codeValue);
      assert.ok(qr.ok && qr.value.dari);
      const price = request.paymentAmount ?? { currency: 'KRW', value: String(qr.value.amount?.value) };
      const merchant = { merchantId: qr.value.dari.merchantId, merchantName: qr.value.merchantName, merchantMcc: qr.value.merchantCategoryCode, merchantCity: qr.value.merchantCity, merchantCountry: qr.value.countryCode };
      payments += 1;
      const pay: WalletPayRequest = {
        paymentId: `NP${payments}`,
        acquirerId: ACQUIRER_ID,
        paymentRequestId: `AP${payments}`,
        paymentAmount: price,
        payAmount: { currency: 'CNY', value: cnyFor(BigInt(price.value)) },
        fxQuote: { quoteId: 'Q1', baseCurrency: 'CNY', quoteCurrency: 'KRW', rate: RATE },
        paymentCode: request.paymentCode,
        merchant,
      };
      const outcome = await toWallet.call('walletPay', pay);
      if (outcome.kind === 'no-answer') return { result: result('UNKNOWN_EXCEPTION') };
      const answer = outcome.response;
      if (answer.result.resultStatus !== 'S') return { result: answer.result };
      return { result: answer.result, paymentRequestId: pay.paymentRequestId, paymentId: pay.paymentId, paymentAmount: pay.paymentAmount, payAmount: pay.payAmount, merchant };
    });
    mountEnvelopeRoute(network, 'network', { self: networkIdentity, keys, replayGuard, now: t.clock.now, archive: createSqliteEnvelopeArchive(openSqlite(':memory:')) });
    ({ server: networkServer, url: networkUrl } = await listen(network));
  });
  afterEach(async () => {
    mode = 'pay';
    fault = undefined;
    await faulty.settled();
  });
  after(async () => {
    await new Promise<void>((resolve) => walletServer.close(() => resolve()));
    await new Promise<void>((resolve) => networkServer.close(() => resolve()));
    await t.close();
  });

  const payByScan = (token: string, body: unknown) => api(t.wallet, 'POST', '/wallet/v1/payments', { token, body });
  const funded = async (fen: string, tier: 'basic' | 'verified' = 'verified') => {
    const user = await signUp(t.wallet, tier === 'basic' ? {} : { idNumber: 'E12345678' });
    if (fen !== '0') await topUp(t.wallet, user.token, fen);
    return user;
  };

  it('pays a static QR with the amount typed in, and answers a retry without paying twice', async () => {
    const user = await funded('100000');
    const body = { requestId: 'scan-1', qrPayload: dariQr(), amount: { currency: 'KRW', value: '15000' } };
    const first = await payByScan(user.token, body);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.deepEqual(first.body, {
      status: 'SUCCESS',
      paymentId: `NP${payments}`,
      paymentAmount: { currency: 'KRW', value: '15000' },
      payAmount: { currency: 'CNY', value: '7885' },
      merchant: { merchantId: 'KR01M000001', merchantName: 'Cafe Dari', merchantMcc: '5814', merchantCity: 'Seoul', merchantCountry: 'KR' },
    });
    assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });
    const sent = received.at(-1);
    assert.ok(sent);
    assert.match(sent.userRequestId, /^mpm_/);
    assert.match(sent.paymentCode, /^2851[0-9]{14}$/);
    assert.deepEqual(sent.paymentAmount, { currency: 'KRW', value: '15000' });
    assert.ok(!JSON.stringify(sent).includes(user.userId));

    const calls = received.length;
    const retry = await payByScan(user.token, body);
    assert.deepEqual([retry.status, retry.body], [201, first.body]);
    assert.equal(received.length, calls, 'a retry does not call the network again');
    const reused = await payByScan(user.token, { ...body, amount: { currency: 'KRW', value: '15001' } });
    assert.deepEqual([reused.status, reused.body.error?.code], [409, 'IDEMPOTENCY_KEY_REUSED']);
    assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });

    const items = Object.values((await api(t.wallet, 'GET', '/wallet/v1/transactions', { token: user.token })).body.items ?? {});
    assert.deepEqual(
      items.map((item) => [item.type, item.status, item.paymentId ?? null, item.payAmount?.value ?? null, item.rate ?? null]),
      [['payment', 'SUCCESS', first.body.paymentId, '7885', '190.25'], ['topup', 'SUCCESS', null, null, null]],
    );
    await assertLedgerBalanced(t.wallet);
  });

  it("pays a dynamic QR at the QR's own amount", async () => {
    const user = await funded('100000');
    const qrPayload = dariQr({ amountKrw: 30_000n });
    const answer = await payByScan(user.token, { requestId: 'order-1', qrPayload });
    assert.deepEqual([answer.status, answer.body.status, answer.body.payAmount], [201, 'SUCCESS', { currency: 'CNY', value: cnyFor(30_000n) }]);
    assert.equal(received.at(-1)?.paymentAmount, undefined, 'the QR carries its own amount');
    const same = await payByScan(user.token, { requestId: 'order-2', qrPayload, amount: { currency: 'KRW', value: '30000' } });
    assert.equal(same.status, 201);
    assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 2 * Number(cnyFor(30_000n))), card: '4900000' });
  });

  it('refuses each bad scan-to-pay before calling the network, and moves no money', async () => {
    const user = await funded('100000');
    const cnyQr = encodeMerchantQr({ initiation: 'static', dari: { merchantId: 'CN01M1' }, merchantCategoryCode: '5814', currency: currency('CNY'), countryCode: 'CN', merchantName: 'Beijing Cafe', merchantCity: 'Beijing' });
    assert.ok(cnyQr.ok);
    const cases: Array<{ name: string; body: unknown; status: number; code: string }> = [
      { name: 'garbage', body: { requestId: 'x1', qrPayload: 'hello', amount: { currency: 'KRW', value: '100' } }, status: 400, code: 'INVALID_QR' },
      { name: 'broken CRC', body: { requestId: 'x2', qrPayload: `${dariQr().slice(0, -4)}0000`, amount: { currency: 'KRW', value: '100' } }, status: 400, code: 'INVALID_QR' },
      { name: 'another scheme', body: { requestId: 'x3', qrPayload: foreignQr(), amount: { currency: 'KRW', value: '100' } }, status: 422, code: 'QR_NOT_SUPPORTED' },
      { name: 'a dari QR in CNY', body: { requestId: 'x4', qrPayload: cnyQr.value, amount: { currency: 'CNY', value: '100' } }, status: 422, code: 'QR_NOT_SUPPORTED' },
      { name: 'static without amount', body: { requestId: 'x5', qrPayload: dariQr() }, status: 400, code: 'AMOUNT_REQUIRED' },
      { name: 'dynamic with another amount', body: { requestId: 'x6', qrPayload: dariQr({ amountKrw: 30_000n }), amount: { currency: 'KRW', value: '29999' } }, status: 400, code: 'AMOUNT_MISMATCH' },
      { name: 'amount in CNY', body: { requestId: 'x7', qrPayload: dariQr(), amount: { currency: 'CNY', value: '100' } }, status: 400, code: 'CURRENCY_MISMATCH' },
      { name: 'zero amount', body: { requestId: 'x8', qrPayload: dariQr(), amount: { currency: 'KRW', value: '0' } }, status: 400, code: 'INVALID_AMOUNT' },
      { name: 'negative amount', body: { requestId: 'x9', qrPayload: dariQr(), amount: { currency: 'KRW', value: '-5' } }, status: 400, code: 'INVALID_AMOUNT' },
      { name: 'no request id', body: { qrPayload: dariQr(), amount: { currency: 'KRW', value: '100' } }, status: 400, code: 'INVALID_REQUEST' },
      { name: 'no QR', body: { requestId: 'y1', amount: { currency: 'KRW', value: '100' } }, status: 400, code: 'INVALID_REQUEST' },
    ];
    const calls = received.length;
    for (const c of cases) {
      const answer = await payByScan(user.token, c.body);
      assert.deepEqual([answer.status, answer.body.error?.code], [c.status, c.code], c.name);
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '100000', card: '4900000' }, c.name);
    }
    assert.equal(received.length, calls);
  });

  it("maps the network's refusals: balance, limit, merchant, and debits nothing", async () => {
    const poor = await funded('1000');
    const broke = await payByScan(poor.token, { requestId: 'p1', qrPayload: dariQr(), amount: { currency: 'KRW', value: '15000' } });
    assert.deepEqual([broke.status, broke.body.error?.code], [402, 'INSUFFICIENT_BALANCE']);
    assert.deepEqual(await balanceOf(t.wallet, poor.token), { balance: '1000', card: '4999000' });
    const again = await payByScan(poor.token, { requestId: 'p1', qrPayload: dariQr(), amount: { currency: 'KRW', value: '15000' } });
    assert.deepEqual([again.status, again.body.error?.code], [402, 'INSUFFICIENT_BALANCE']);
    const items = Object.values((await api(t.wallet, 'GET', '/wallet/v1/transactions', { token: poor.token })).body.items ?? {});
    assert.deepEqual([items[0]?.type, items[0]?.status], ['payment', 'FAIL']);

    const basic = await funded('5000000', 'basic');
    const over = await payByScan(basic.token, { requestId: 'p2', qrPayload: dariQr(), amount: { currency: 'KRW', value: '200000' } });
    assert.deepEqual([over.status, over.body.error?.code], [422, 'LIMIT_EXCEEDED']);

    mode = 'merchant-unknown';
    const unknown = await payByScan(basic.token, { requestId: 'p3', qrPayload: dariQr(), amount: { currency: 'KRW', value: '1000' } });
    assert.deepEqual([unknown.status, unknown.body.error?.code], [422, 'MERCHANT_NOT_ACCEPTING']);
    assert.deepEqual(await balanceOf(t.wallet, basic.token), { balance: '5000000', card: '0' });
    await assertLedgerBalanced(t.wallet);
  });

  it('answers 202 PROCESSING when the outcome is unknown, then the truth: paid if a pay arrived', async () => {
    const user = await funded('100000');
    // The request reaches the network only after the wallet gave up waiting.
    fault = { kind: 'delay', delayMs: 800 };
    const body = { requestId: 'late-request', qrPayload: dariQr(), amount: { currency: 'KRW', value: '15000' } };
    const first = await payByScan(user.token, body);
    assert.deepEqual([first.status, first.body], [202, { status: 'PROCESSING' }]);
    assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '100000', card: '4900000' });
    await faulty.settled();
    fault = undefined;
    // The network did pay: the wallet recorded it when it answered `pay`.
    assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });
    const retry = await payByScan(user.token, body);
    assert.deepEqual([retry.status, retry.body.status, retry.body.payAmount], [201, 'SUCCESS', { currency: 'CNY', value: '7885' }]);
  });

  it("knows the outcome when only the network's answer was lost: the pay it answered is the truth", async () => {
    const user = await funded('100000');
    fault = { kind: 'lose-response' };
    const answer = await payByScan(user.token, { requestId: 'lost-answer', qrPayload: dariQr(), amount: { currency: 'KRW', value: '15000' } });
    assert.deepEqual([answer.status, answer.body.status, answer.body.payAmount], [201, 'SUCCESS', { currency: 'CNY', value: '7885' }]);
    assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: String(100000 - 7885), card: '4900000' });
    await assertLedgerBalanced(t.wallet);
  });

  it('… and refused once the code has expired if no pay ever came, having debited nothing', async () => {
    const user = await funded('100000');
    for (const [requestId, setUp] of [
      ['lost-request', () => (fault = { kind: 'lose-request' })],
      ['network-unsure', () => (mode = 'unknown-outcome')],
    ] as const) {
      setUp();
      const body = { requestId, qrPayload: dariQr(), amount: { currency: 'KRW', value: '15000' } };
      const first = await payByScan(user.token, body);
      assert.deepEqual([first.status, first.body], [202, { status: 'PROCESSING' }], requestId);
      fault = undefined;
      mode = 'pay';
      const stillOpen = await payByScan(user.token, body);
      assert.deepEqual([stillOpen.status, stillOpen.body], [202, { status: 'PROCESSING' }], requestId);
      const open = Object.values((await api(t.wallet, 'GET', '/wallet/v1/transactions', { token: user.token })).body.items ?? {});
      assert.deepEqual([open[0]?.status, open[0]?.paymentId], ['PROCESSING', null], requestId);
      t.clock.advanceSeconds(60);
      const closed = await payByScan(user.token, body);
      assert.deepEqual([closed.status, closed.body.error?.code], [422, 'PAYMENT_REFUSED'], requestId);
      const items = Object.values((await api(t.wallet, 'GET', '/wallet/v1/transactions', { token: user.token })).body.items ?? {});
      assert.deepEqual([items[0]?.type, items[0]?.status], ['payment', 'FAIL'], requestId);
      assert.deepEqual(await balanceOf(t.wallet, user.token), { balance: '100000', card: '4900000' }, requestId);
    }
    await assertLedgerBalanced(t.wallet);
  });
});
