/**
 * Issue 6, online checkout end to end: the demo shop, the acquirer, the
 * network and the wallet's hosted cashier in one process over real HTTP, as a
 * buyer's browser would drive them (no JavaScript: pages fetched, forms
 * posted, redirects followed by hand). A tourist buys at the shop, signs in
 * at the cashier with phone and PIN, pays, returns to the shop, which the
 * acquirer's signed webhook has told; the money is where it should be on
 * every side, and a second payment of the same session is refused. The
 * demo's second web shop, a boutique with a merchant, terminal and webhook
 * secret of its own, takes a payment in Korean as the first did in Chinese.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiClient, seedDemo, startDari, type Dari, type DemoCredentials } from './support/dari.ts';

interface Page {
  readonly status: number;
  readonly html: string;
  readonly location: string | null;
  readonly cookies: readonly string[];
}

async function browse(url: string, init: { method?: string; form?: Record<string, string>; cookie?: string; language?: string } = {}): Promise<Page> {
  const headers: Record<string, string> = {};
  if (init.cookie !== undefined) headers.Cookie = init.cookie;
  if (init.language !== undefined) headers['Accept-Language'] = init.language;
  if (init.form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, { method: init.method ?? 'GET', headers, redirect: 'manual', ...(init.form === undefined ? {} : { body: new URLSearchParams(init.form).toString() }) });
  return { status: response.status, html: await response.text(), location: response.headers.get('location'), cookies: response.headers.getSetCookie() };
}

/** The hidden fields of the page's form, as a browser would send them back. */
function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)">/g)) fields[match[1]!] = match[2]!.replaceAll('&amp;', '&');
  return fields;
}

const unescape = (text: string) => text.replaceAll('&amp;', '&');

describe('online checkout across the shop, the acquirer, the network and the wallet', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-checkout-e2e-'));
  let dari: Dari;
  let credentials: DemoCredentials;

  before(async () => {
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null, peerTimeoutMs: 5_000 });
    credentials = await seedDemo(dari);
  });
  after(async () => {
    await dari?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a tourist buys at the shop, pays at the cashier with phone and PIN, and comes back to a paid order', async () => {
    const api = apiClient(dari.url);
    const tourist = credentials.tourist;
    const balanceBefore = await api.call<{ balance: { value: string } }>('GET', '/wallet/v1/balance', { token: tourist.token });
    const owedBefore = await dari.acquirer.service.merchantBalanceKrw(credentials.shop.merchantId);

    // A phone set to Chinese: the shop speaks it, and tells the cashier to.
    const chinese = 'zh-CN,zh;q=0.9,en;q=0.5';
    const front = await browse(credentials.shop.url, { language: chinese });
    assert.equal(front.status, 200);
    assert.match(front.html, /<html lang="zh-Hans">/);
    assert.match(front.html, /人参精华液 60 毫升/);
    assert.match(front.html, /39,000韩元/);

    const bought = await browse(`${dari.url}/shop/orders`, { method: 'POST', language: chinese, form: { ...hiddenFields(front.html.slice(0, front.html.indexOf('</form>'))), item: 'serum' } });
    assert.equal(bought.status, 303, bought.html);
    const cashierUrl = bought.location ?? assert.fail('the shop sends the buyer to the cashier');
    assert.ok(cashierUrl.startsWith(`${dari.url}/wallet/cashier?ticket=`));
    assert.equal(new URL(cashierUrl).searchParams.get('lang'), 'zh', "in the buyer's language");

    const page = await browse(cashierUrl, { language: chinese });
    assert.equal(page.status, 200, page.html);
    assert.match(page.html, /<html lang="zh-Hans">/);
    assert.match(page.html, /Hanbit Duty Free/);
    assert.match(page.html, /39,000韩元/, 'the price in KRW');
    // 39,000 KRW at 1 CNY = 190.25 KRW is 204.99… CNY, rounded up as the network charges it.
    assert.match(page.html, /¥205\.00/, 'the price in CNY at the quoted rate');
    assert.match(page.html, /190\.25/);
    for (const name of ['한국어', '中文', 'English']) assert.ok(page.html.includes(`>${name}</a>`), `the switch names ${name} in itself`);
    assert.match(page.html, /<label for="phone">/);
    assert.match(page.html, /<label for="pin">/);
    assert.doesNotMatch(page.html, /<script/i, 'no JavaScript');
    assert.doesNotMatch(page.html, /(src|href)="https?:\/\/(?!127\.0\.0\.1)/, 'no asset from elsewhere');
    const cookie = page.cookies.map((c) => c.split(';')[0]).join('; ');
    assert.match(cookie, /^dari_cashier=/);
    const css = await browse(`${dari.url}/wallet/cashier/cashier.css`);
    assert.equal(css.status, 200);
    assert.match(css.html, /focus-visible/);

    const english = await browse(`${dari.url}${unescape(page.html.match(/href="([^"]*lang=en)"/)?.[1] ?? assert.fail('a link to English'))}`);
    assert.match(english.html, /<html lang="en">/);
    assert.match(english.html, /₩39,000/);
    assert.match(english.html, /CN¥205\.00/);

    const form = hiddenFields(page.html);
    const cashierPay = `${dari.url}/wallet/cashier/pay`;
    const forged = await browse(cashierPay, { method: 'POST', form: { ...form, phone: tourist.phone, pin: tourist.pin } });
    assert.equal(forged.status, 403, 'no cookie, no payment (CSRF)');

    const wrong = await browse(cashierPay, { method: 'POST', cookie, form: { ...form, phone: tourist.phone, pin: '000111' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.html, /手机号或支付密码不正确/);
    assert.match(wrong.html, /4 次/, 'tries left');

    const retry = hiddenFields(wrong.html);
    const paid = await browse(cashierPay, { method: 'POST', cookie, form: { ...retry, phone: ` ${tourist.phone.slice(0, 3)} ${tourist.phone.slice(3)} `, pin: tourist.pin } });
    assert.equal(paid.status, 303, paid.html);
    const back = new URL(paid.location ?? assert.fail('the cashier sends the buyer back'));
    assert.equal(`${back.origin}${back.pathname}`, `${dari.url}/shop/return`);
    assert.equal(back.searchParams.get('status'), 'SUCCESS');
    const sessionId = back.searchParams.get('checkoutSessionId') ?? assert.fail('the session is named');
    const orderId = back.searchParams.get('order') ?? assert.fail('the shop named its order');

    assert.equal(back.searchParams.get('lang'), 'zh', 'back in the language the buyer left in');
    const returned = await browse(back.toString());
    assert.equal(returned.status, 200);
    assert.match(returned.html, /已付款——谢谢！/);

    // The shop heard it by webhook too, signed: the acquirer counts the delivery as delivered only on the shop's 2xx, which it gives only to a valid signature.
    await dari.acquirer.checkout.settled();
    const delivered = await api.call<{ webhooks: { sessionId: string; event: string; state: string }[] }>('GET', '/acquirer/v1/webhooks?state=delivered', { token: credentials.acquirerOperatorKey });
    assert.ok(delivered.webhooks.some((w) => w.sessionId === sessionId && w.event === 'checkout.paid'), JSON.stringify(delivered));
    const order = dari.shop.getOrder(orderId);
    assert.equal(order?.status, 'PAID');
    assert.equal(order?.notifiedEvent, 'checkout.paid');
    const orderPage = await browse(`${dari.url}/shop/orders/${orderId}`);
    assert.match(orderPage.html, /Received and verified: checkout\.paid/, "the shop's page says its webhook came");
    assert.doesNotMatch(orderPage.html, /http-equiv="refresh"/, 'nothing left to wait for');
    const unsigned = await fetch(`${dari.url}/shop/webhooks`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Dari-Signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` }, body: '{}' });
    assert.equal(unsigned.status, 401, 'the shop refuses a webhook it cannot verify');

    const session = await api.call<{ status: string; payment: { paymentId: string; payAmount: { currency: string; value: string } } }>('GET', `/acquirer/v1/checkout/sessions/${sessionId}`, { token: credentials.acquirerOperatorKey });
    assert.equal(session.status, 'PAID');
    assert.deepEqual(session.payment.payAmount, { currency: 'CNY', value: '20500' });
    const balanceAfter = await api.call<{ balance: { value: string } }>('GET', '/wallet/v1/balance', { token: tourist.token });
    assert.equal(BigInt(balanceBefore.balance.value) - BigInt(balanceAfter.balance.value), 20_500n, 'the wallet charged what the page showed');
    assert.equal((await dari.acquirer.service.merchantBalanceKrw(credentials.shop.merchantId)) - owedBefore, 39_000n, 'the shop is owed the price in KRW');

    const again = await browse(cashierUrl, { cookie });
    const twice = await browse(cashierPay, { method: 'POST', cookie, form: { ...hiddenFields(again.html), phone: tourist.phone, pin: tourist.pin } });
    assert.equal(twice.status, 422, 'an already-paid session cannot be paid again');
    assert.match(twice.html, /already paid or closed|이미 결제|已支付/);
    const afterTwice = await api.call<{ balance: { value: string } }>('GET', '/wallet/v1/balance', { token: tourist.token });
    assert.equal(afterTwice.balance.value, balanceAfter.balance.value, 'nothing more was taken');
  });

  it('the second web shop, a Seoul boutique of its own merchant, terminal and webhook secret, takes a payment in Korean', async () => {
    const api = apiClient(dari.url);
    const tourist = credentials.tourist;
    const boutique = credentials.shops[1] ?? assert.fail('the demo has a second web shop');
    assert.equal(boutique.url, `${dari.url}/boutique/`);
    assert.notEqual(boutique.merchantId, credentials.shop.merchantId, 'a merchant of its own');
    const balanceBefore = await api.call<{ balance: { value: string } }>('GET', '/wallet/v1/balance', { token: tourist.token });

    const front = await browse(`${boutique.url}?lang=ko`);
    assert.equal(front.status, 200);
    assert.match(front.html, /<html lang="ko">/);
    assert.match(front.html, /가로수 아틀리에/);
    assert.match(front.html, /핸드롤 실크 스카프/);
    assert.match(front.html, /59,000원/);
    assert.doesNotMatch(front.html, /인삼/, "the duty-free store's items are not here");
    const cookie = front.cookies.map((c) => c.split(';')[0]).join('; ');
    assert.equal(cookie, 'dari-lang=ko', 'the choice is remembered');

    const bought = await browse(`${dari.url}/boutique/orders`, { method: 'POST', cookie, form: { item: 'silk-scarf', lang: 'ko' } });
    assert.equal(bought.status, 303, bought.html);
    const cashierUrl = bought.location ?? assert.fail('the boutique sends the buyer to the cashier');
    const page = await browse(cashierUrl);
    assert.equal(page.status, 200, page.html);
    assert.match(page.html, /<html lang="ko">/);
    assert.match(page.html, /Garosu Atelier/, "the acquirer's merchant");
    assert.match(page.html, /59,000원/);
    // 59,000 KRW at 190.25 is 310.118… CNY, rounded up.
    assert.match(page.html, /310\.12위안/);
    const cashierCookie = page.cookies.map((c) => c.split(';')[0]).join('; ');
    const paid = await browse(`${dari.url}/wallet/cashier/pay`, { method: 'POST', cookie: cashierCookie, form: { ...hiddenFields(page.html), phone: tourist.phone, pin: tourist.pin } });
    assert.equal(paid.status, 303, paid.html);
    const back = new URL(paid.location ?? assert.fail('the cashier sends the buyer back'));
    assert.equal(`${back.origin}${back.pathname}`, `${dari.url}/boutique/return`);
    const orderId = back.searchParams.get('order') ?? assert.fail('the boutique named its order');
    assert.match(orderId, /^GA-[0-9A-F]{12}$/);
    const returned = await browse(back.toString(), { cookie });
    assert.match(returned.html, /결제 완료 — 감사합니다!/);

    await dari.acquirer.checkout.settled();
    const order = dari.shops[1]?.getOrder(orderId);
    assert.equal(order?.status, 'PAID');
    assert.equal(order?.notifiedEvent, 'checkout.paid', 'its webhook verified under its own secret');
    assert.equal(dari.shop.getOrder(orderId), null, 'the duty-free store knows nothing of it');
    assert.equal((await dari.acquirer.service.merchantBalanceKrw(boutique.merchantId)), 59_000n, 'the boutique is owed the price in KRW');
    const balanceAfter = await api.call<{ balance: { value: string } }>('GET', '/wallet/v1/balance', { token: tourist.token });
    assert.equal(BigInt(balanceBefore.balance.value) - BigInt(balanceAfter.balance.value), 31_012n);
  });

  it('refuses a link that is not an acquirer-signed ticket', async () => {
    const bad = await browse(`${dari.url}/wallet/cashier?ticket=eyJ2IjoxfQ.AAAA`);
    assert.equal(bad.status, 400);
    assert.doesNotMatch(bad.html, /<form/);
  });

  it('documents the checkout routes and keeps every ledger balanced', async () => {
    const document = await apiClient(dari.url).call<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    for (const path of ['/acquirer/v1/checkout/sessions', '/acquirer/v1/checkout/sessions/{id}', '/acquirer/v1/checkout/webhook-secret', '/acquirer/v1/webhooks', '/acquirer/v1/webhooks/{id}/resend', '/wallet/v1/pin', '/wallet/cashier', '/wallet/cashier/pay', '/network/v1/payments/inquiryExchangeRate']) {
      assert.ok(document.paths[path], `${path} is documented`);
    }
    for (const institution of [dari.wallet, dari.acquirer, dari.network]) assert.equal((await institution.verifyLedger()).ok, true);
  });
});
