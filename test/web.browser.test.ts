/**
 * The web console in a real browser (Debian's chromium, driven by
 * playwright-core), through the whole journey of issue 6: a tourist tops up
 * and pays in store twice (the POS charges the tourist's code; the tourist
 * reads the POS's QR from a photo and pays it), the POS sees each payment
 * live, the tourist pays online at the demo shop (the wallet's hosted cashier
 * on a phone, back to the shop, which the acquirer's signed webhook told),
 * (the demo's second web shop, a boutique, and the duty-free store switched
 * between 中文, 한국어 and English on the way), the merchant refunds and reads
 * its day from the acquirer, the acquirer approves one merchant and rejects
 * another and gives the shop's merchant a POS, whose day shows the online
 * payment (and an error in Chinese), the network operator finds the
 * payments, closes the day's clearing cycle with the online payment in it and
 * settles it, the acquirer's operator sends an undeliverable webhook again,
 * runs the day's payouts, saves the bank's file and reconciles the closed
 * cycle with the network. Screenshots of every page go to
 * test-artifacts/screenshots/.
 *
 * It needs /usr/bin/chromium (`apt-get install -y chromium`) and fails,
 * saying so, without it: a console nobody tested in a browser is not tested.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { apiClient, seedDemo, startDari, type Dari, type DemoCredentials } from './support/dari.ts';
import { writeDemoCredentials } from '../src/all-in-one/index.ts';
import { businessDayEnd, businessDayOf, CHECKOUT_EXPIRY_GRACE_MS, WEBHOOK_ATTEMPTS_MAX, WEBHOOK_RETRY_DELAY_MS_MAX, type BusinessDay } from '../src/acquirer/index.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS_DIR = resolve(import.meta.dirname, '..', 'test-artifacts', 'screenshots');
/** Longest the test waits for something to show on a page, in milliseconds (a bound, not a measurement). */
const SHOW_TIMEOUT_MS = 15_000;
const PHONE = { width: 390, height: 844 };
/** The in-store and online payments take seconds; a run that starts closer than this to midnight in Korea starts its clock after it, so that they fall on one business day. */
const BUSINESS_DAY_MARGIN_MS = 5 * 60 * 1000;
const DESKTOP = { width: 1280, height: 900 };

/** The next 23:00 in Seoul (14:00 UTC) after `ms`, and the id of the clearing cycle it closes. */
function nextCutOff(ms: number): { readonly atMs: number; readonly cycleId: string } {
  const day = new Date(ms);
  let atMs = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 14, 0, 0);
  if (atMs <= ms) atMs += 24 * 60 * 60 * 1000;
  return { atMs, cycleId: `${new Date(atMs).toISOString().slice(0, 10)}T2300` };
}

describe('the web console in a browser: the journey of issue 6, in store and online', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-web-'));
  // One clock for the three institutions: real time until the test moves it past the day's cut-off.
  let offsetMs = 0;
  const now = (): Date => new Date(Date.now() + offsetMs);
  let dari: Dari;
  let credentials: DemoCredentials;
  let browser: Browser;
  let phone: BrowserContext;
  let desk: BrowserContext;
  let wallet: Page;
  let pos: Page;
  /** What the online step leaves for the later ones: the shop's payment at the acquirer, and the POS key the acquirer gives the shop's merchant. */
  let onlinePaymentId = '';
  let shopCounterKey = '';
  /** The business day (Korea) of the journey's payments, and the clearing cycle the network operator closes. */
  let paymentDay = '' as BusinessDay;
  let closedCycleId = '';
  const outside: string[] = [];
  const pageErrors: string[] = [];

  const watch = (page: Page): Page => {
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(dari.url) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
  const see = (page: Page, text: string | RegExp) => page.getByText(text).first().waitFor({ state: 'visible', timeout: SHOW_TIMEOUT_MS });

  before(async () => {
    assert.ok(existsSync(CHROMIUM_PATH), `the browser tests need Debian's chromium at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` (as root), then the tests again`);
    // Only this run's pages: a screenshot left from an earlier run (or an earlier numbering) would mislead.
    rmSync(SCREENSHOTS_DIR, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    const untilDayEndsMs = businessDayEnd(businessDayOf(now())).getTime() - now().getTime();
    if (untilDayEndsMs < BUSINESS_DAY_MARGIN_MS) offsetMs = untilDayEndsMs + 1_000;
    paymentDay = businessDayOf(now());
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null, peerTimeoutMs: 5_000, now });
    credentials = await seedDemo(dari);
    writeDemoCredentials(dataDir, credentials);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'en-GB' });
    desk = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
    for (const context of [phone, desk]) context.setDefaultTimeout(SHOW_TIMEOUT_MS);
  });
  after(async () => {
    await browser?.close();
    await dari?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the root page, which leads to each console, in three languages', async () => {
    const page = watch(await desk.newPage());
    await page.goto(`${dari.url}/`);
    await see(page, 'Pick a console');
    for (const name of ['Wallet app', 'Merchant POS', 'Acquirer back office', 'Network operations']) {
      assert.equal(await page.getByRole('link', { name, exact: true }).count(), 1, `a link to ${name}`);
    }
    for (const [name, path] of [['Shop at Hanbit Duty Free →', '/shop/'], ['Shop at Garosu Atelier →', '/boutique/']] as const) {
      assert.equal(await page.getByRole('link', { name, exact: true }).getAttribute('href'), path, `a link to the web shop at ${path}`);
    }
    await shot(page, '01-root-en');
    await page.getByRole('link', { name: '中文' }).click();
    await see(page, '选择控制台');
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-Hans');
    await shot(page, '01-root-zh');
    await page.getByRole('link', { name: '한국어' }).click();
    await see(page, '콘솔 선택');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
    await shot(page, '01-root-ko');
    await page.getByRole('link', { name: 'English' }).click();
    await see(page, 'Pick a console');
    await page.close();
  });

  it('lets the tourist sign in with the demo key and top up', async () => {
    wallet = watch(await phone.newPage());
    await wallet.goto(`${dari.url}/wallet`);
    await wallet.getByRole('button', { name: 'Use the demo’s keys' }).click();
    await see(wallet, 'Hello, Li Wei');
    await see(wallet, 'CN¥2,000.00');
    await wallet.getByRole('tab', { name: 'Top up' }).click();
    await wallet.getByLabel('Amount in yuan (CNY)').fill('100.50');
    await wallet.getByRole('button', { name: 'Top up from my card' }).click();
    await see(wallet, 'Topped up CN¥100.50. Balance: CN¥2,100.50');
    assert.equal(await wallet.getByTestId('balance').textContent(), 'CN¥2,100.50');
    await shot(wallet, '02-wallet-topped-up');
  });

  it('charges the payment code the wallet shows, and both sides see it paid', async () => {
    await wallet.getByRole('tab', { name: 'Pay' }).click();
    const digits = wallet.locator('[data-code]');
    await digits.waitFor({ timeout: SHOW_TIMEOUT_MS });
    const code = await digits.getAttribute('data-code');
    assert.match(code ?? '', /^2851[0-9]{14}$/);
    assert.equal(await wallet.locator('svg.qr').getAttribute('data-payload'), code, 'the QR carries the code');
    await shot(wallet, '03-wallet-payment-code');

    pos = watch(await desk.newPage());
    await pos.goto(`${dari.url}/pos`);
    await pos.getByRole('button', { name: 'Use the demo’s keys' }).click();
    await see(pos, /Myeongdong Cosmetics/);
    await pos.getByLabel('Amount in won (KRW)').fill('15,000');
    await pos.getByLabel('The customer’s payment code (18 digits)').fill(code!);
    await pos.getByRole('button', { name: 'Read', exact: true }).click();
    await see(pos, 'Paid ₩15,000 (customer charged CN¥78.85)');
    await shot(pos, '04-pos-code-paid');
    await see(wallet, 'Paid ₩15,000 at Myeongdong Cosmetics');
    await shot(wallet, '05-wallet-paid-notice');
  });

  it("shows the POS's order QR, which the tourist reads from a photo and pays; the POS sees it live", async () => {
    await pos.getByRole('button', { name: 'New sale' }).click();
    await pos.getByLabel('Amount in won (KRW)').fill('38000');
    await pos.getByRole('button', { name: 'Show a QR for this amount' }).click();
    const qr = pos.locator('svg.qr');
    await qr.waitFor({ timeout: SHOW_TIMEOUT_MS });
    await see(pos, 'Waiting for payment');
    await shot(pos, '06-pos-order-qr');
    const photo = await qr.screenshot();

    await wallet.getByRole('tab', { name: 'Scan' }).click();
    await wallet.getByLabel('Read a photo of the code').setInputFiles({ name: 'order-qr.png', mimeType: 'image/png', buffer: photo });
    await wallet.getByRole('heading', { name: 'Myeongdong Cosmetics' }).waitFor();
    await shot(wallet, '07-wallet-confirm');
    await wallet.getByRole('button', { name: 'Confirm and pay ₩38,000' }).click();
    await see(wallet, 'Paid ₩38,000, charged CN¥199.74');
    await shot(wallet, '08-wallet-paid-qr');
    await see(pos, 'Paid ₩38,000 (customer charged CN¥199.74)');
    await shot(pos, '09-pos-qr-paid');
  });

  it('pays online at the demo shop: the wallet’s cashier on the phone, back at the shop, which the signed webhook told', async () => {
    const shop = watch(await phone.newPage());
    // The demo's second web shop first: a boutique at its own path, with its own name and catalogue, in the buyer's language.
    const boutique = credentials.shops[1] ?? assert.fail('the demo has a second web shop');
    await shop.goto(boutique.url);
    await see(shop, 'Camel wool-blend long coat');
    await see(shop, '₩289,000');
    await shop.getByRole('link', { name: '中文' }).click();
    await see(shop, '驼色羊毛混纺长款大衣');
    await see(shop, '289,000韩元');
    assert.equal(await shop.locator('html').getAttribute('lang'), 'zh-Hans');
    await shot(shop, '10-boutique-zh');
    // The choice is remembered at the duty-free store; from there, Korean, then English again.
    await shop.goto(credentials.shop.url);
    await see(shop, '人参精华液 60 毫升');
    await shop.getByRole('link', { name: '한국어' }).click();
    await see(shop, '인삼 퍼스트 케어 세럼 60ml');
    await see(shop, '39,000원');
    await shot(shop, '10-shop-ko');
    await shop.getByRole('link', { name: 'English' }).click();
    await see(shop, 'Ginseng first-care serum, 60 ml');
    await shot(shop, '10-shop');
    await shop.locator('li.item', { hasText: 'Ginseng first-care serum' }).getByRole('button', { name: 'Buy with dari wallet' }).click();
    await shop.waitForURL(/\/wallet\/cashier\?ticket=/);
    await see(shop, 'Hanbit Duty Free');
    await see(shop, '₩39,000');
    await see(shop, 'CN¥205.00');
    const fits = await shop.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(fits, 'the cashier fits a 390 px phone without scrolling sideways');
    await shot(shop, '11-cashier');
    await shop.getByLabel('Phone number you signed up with').fill(credentials.tourist.phone);
    await shop.getByLabel('Payment PIN (6 digits)').fill(credentials.tourist.pin);
    await shop.getByRole('button', { name: 'Pay ₩39,000' }).click();
    await shop.waitForURL(/\/shop\/return\?/);
    await see(shop, 'Paid — thank you! Your order is confirmed.');
    // The page looks again until the acquirer's webhook has come and verified.
    await see(shop, 'Received and verified: checkout.paid');
    onlinePaymentId = (await shop.locator('dd code').first().textContent()) ?? '';
    assert.match(onlinePaymentId, /^AP[0-9a-f]{24}$/);
    await shot(shop, '12-shop-paid');
    await shop.close();
  });

  it('refunds part of a payment at the POS; the tourist sees the refund, the POS its day as the acquirer has it', async () => {
    await pos.getByLabel('Refund amount (KRW)').fill('5000');
    await pos.getByRole('button', { name: 'Refund', exact: true }).click();
    await see(pos, 'Refunded ₩5,000');
    await shot(pos, '13-pos-refunded');
    await pos.getByRole('tab', { name: 'Today' }).click();
    const summary = pos.getByTestId('pos-summary');
    await summary.waitFor({ timeout: SHOW_TIMEOUT_MS });
    assert.deepEqual(
      await summary.locator('dd').allTextContents(),
      ['2', '₩53,000', '₩5,000', '₩48,000'],
      'two payments, 15,000 + 38,000 won, 5,000 refunded',
    );
    await shot(pos, '14-pos-today');

    await wallet.getByRole('tab', { name: 'History' }).click();
    await see(wallet, 'Refund from Myeongdong Cosmetics');
    await see(wallet, 'returned CN¥26.29');
    await see(wallet, 'Payment at Hanbit Duty Free');
    await see(wallet, 'CN¥1,643.20');
    assert.equal(await wallet.getByTestId('balance').textContent(), 'CN¥1,643.20', '2,100.50 − 78.85 − 199.74 − 205.00 (online) + 26.29');
    await shot(wallet, '15-wallet-history');
    await wallet.goto(`${dari.url}/wallet?lang=ko`);
    await see(wallet, '잔액');
    await see(wallet, '1,643.20위안');
    await shot(wallet, '16-wallet-ko');
  });

  it("reviews merchants' applications in the acquirer's back office, approving one and rejecting one, lists terminals and gives the shop's merchant a POS", async () => {
    const apply = (legalName: string, businessRegistrationNumber: string, mcc: string, address: string) =>
      apiClient(dari.url).call('POST', '/acquirer/v1/merchants', {
        token: credentials.acquirerOperatorKey,
        body: { legalName, businessRegistrationNumber, mcc, address, city: 'Seoul', settlementAccount: { bankCode: '004', accountNumber: '99887766554', holderName: legalName } },
      });
    await apply('Gangnam Phone Repair', '211-86-00017', '7622', '1 Teheran-ro');
    await apply('Itaewon Bakery', '106-81-55234', '5462', '200 Itaewon-ro');
    const page = watch(await desk.newPage());
    await page.goto(`${dari.url}/acquirer`);
    await page.getByRole('button', { name: 'Use the demo’s keys' }).click();
    await see(page, 'Gangnam Phone Repair');
    await see(page, 'Itaewon Bakery');
    await shot(page, '17-acquirer-queue');
    await page.locator('#onboarding-section tbody tr', { hasText: 'Itaewon Bakery' }).getByRole('button', { name: 'Approve' }).click();
    await see(page, 'Itaewon Bakery: Approved');
    // Approved, it leaves the queue for the merchants, where it can be given a terminal.
    await page.getByLabel('Terminal label for Itaewon Bakery').waitFor();
    assert.match((await page.locator('#merchants-section tbody tr', { hasText: 'Itaewon Bakery' }).textContent()) ?? '', /Approved/);
    assert.equal(await page.locator('#onboarding-section tbody tr').count(), 1, 'one application left to review');
    await page.getByLabel('Reason for rejecting Gangnam Phone Repair').fill('the registration certificate is unreadable');
    await page.getByRole('button', { name: 'Reject' }).click();
    await see(page, 'No merchant is waiting for review.');
    await see(page, /the registration certificate is unreadable/);
    await see(page, '₩48,000');
    await see(page, '₩39,000');
    const terminals = page.getByRole('list', { name: 'Terminals: Hanbit Duty Free' });
    await terminals.getByText(credentials.shop.terminalId).waitFor();
    assert.match((await terminals.textContent()) ?? '', /Online shop/);
    await see(page, 'Every notification reached its shop.');
    await shot(page, '18-acquirer-reviewed');

    await page.getByLabel('Terminal label for Hanbit Duty Free').fill('Gate counter');
    await page.locator('form', { has: page.getByLabel('Terminal label for Hanbit Duty Free') }).getByRole('button', { name: 'Add a terminal' }).click();
    await see(page, /Its key, shown only now/);
    shopCounterKey = (await page.getByTestId('terminal-key').textContent()) ?? '';
    assert.ok(shopCounterKey.length >= 40, 'a terminal key is shown once');
    await terminals.getByText('Gate counter').waitFor();
    await page.close();
  });

  it("shows the shop's merchant its day on every terminal, the online payment in it, and an API error in Chinese", async () => {
    const counter = watch(await desk.newPage());
    await counter.goto(`${dari.url}/pos`);
    await counter.getByLabel('Terminal key').fill(shopCounterKey);
    await counter.getByRole('button', { name: 'Sign in', exact: true }).click();
    await see(counter, /Hanbit Duty Free · Gate counter/);
    await counter.getByRole('tab', { name: 'Today' }).click();
    const summary = counter.getByTestId('pos-summary');
    await summary.waitFor();
    assert.deepEqual(await summary.locator('dd').allTextContents(), ['0', '₩0', '₩0', '₩0'], 'nothing on the new counter itself');
    await counter.getByLabel('Every terminal').check();
    await see(counter, credentials.shop.terminalId);
    assert.deepEqual(await summary.locator('dd').allTextContents(), ['1', '₩39,000', '₩0', '₩39,000'], 'the online payment, on the shop’s terminal');
    await shot(counter, '19-pos-merchant-day');

    await counter.goto(`${dari.url}/pos?lang=zh`);
    await counter.getByRole('tab', { name: '今日' }).click();
    await counter.getByLabel('所有终端').check();
    await see(counter, credentials.shop.terminalId);
    await counter.getByLabel('退款金额（KRW）').fill('50000');
    await counter.getByRole('button', { name: '退款', exact: true }).click();
    await see(counter, '失败：退款金额超过该笔付款的剩余金额。');
    await shot(counter, '20-pos-error-zh');
    // The choice is remembered in a cookie: back to English for the consoles still to come.
    await counter.goto(`${dari.url}/pos?lang=en`);
    await counter.close();
  });

  it('lets the network operator find the payments, close the cycle and settle it', async () => {
    const page = watch(await desk.newPage());
    await page.goto(`${dari.url}/network`);
    await page.getByRole('button', { name: 'Use the demo’s keys' }).click();
    const payments = page.locator('#payments-section tbody tr');
    await see(page, '₩38,000');
    assert.equal(await payments.count(), 3, 'two in store, one online');
    assert.equal(await payments.filter({ hasText: '₩39,000' }).count(), 1, 'the online payment');
    assert.ok((await page.locator('svg.chart rect.bar-rect').count()) >= 1, 'the volume chart has a bar');
    const paymentId = (await payments.filter({ hasText: '₩38,000' }).locator('td').nth(1).textContent()) ?? '';
    await page.getByLabel('Find a payment by id').fill(paymentId);
    await page.getByRole('button', { name: 'Find' }).click();
    await see(page, '₩5,000');
    await shot(page, '21-network-payments');

    const cutOff = nextCutOff(now().getTime());
    offsetMs = cutOff.atMs + 5_000 - Date.now();
    await page.getByLabel('Cycle id (YYYY-MM-DDTHHMM)').fill(cutOff.cycleId);
    await page.getByRole('button', { name: 'Close the cycle' }).click();
    await see(page, `Settlement instructions of ${cutOff.cycleId}`);
    closedCycleId = cutOff.cycleId;
    // 78.85 + 199.74 + 205.00 (online) − 26.29 yuan from the wallet; 15,000 + 38,000 + 39,000 (online) − 5,000 won to the acquirer.
    await see(page, 'CN¥457.30');
    await see(page, '₩87,000');
    await page.getByLabel('Bank reference').first().fill('BOK-2026-0001');
    await page.getByRole('button', { name: 'Confirm as paid' }).first().click();
    await see(page, 'BOK-2026-0001');
    await see(page, 'Settled');
    await shot(page, '22-network-settled');
    await page.close();
  });

  it("lists a shop's undeliverable webhook in the back office, and sends it again", async () => {
    const api = apiClient(dari.url);
    // A second web shop of the same merchant, on the new counter's key, whose notify URL refuses it: the demo shop checks the signature under its own secret.
    await api.call('POST', '/acquirer/v1/checkout/webhook-secret', { token: shopCounterKey });
    const session = await api.call<{ sessionId: string }>('POST', '/acquirer/v1/checkout/sessions', {
      token: shopCounterKey,
      body: { orderId: 'never-paid-1', amount: { currency: 'KRW', value: '12000' }, returnUrl: `${dari.url}/shop/`, notifyUrl: `${dari.url}/shop/webhooks`, expiresInSeconds: 60 },
    });
    // Nobody pays; past its expiry the session's webhook is queued, then refused at every attempt, an hour apart at most.
    offsetMs += 60_000 + CHECKOUT_EXPIRY_GRACE_MS + 1_000;
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS_MAX; attempt++) {
      await dari.acquirer.resolveOpen();
      offsetMs += WEBHOOK_RETRY_DELAY_MS_MAX;
    }
    const failed = await api.call<{ webhooks: { deliveryId: string; sessionId: string; attempts: number }[] }>('GET', '/acquirer/v1/webhooks', { token: credentials.acquirerOperatorKey });
    assert.deepEqual(failed.webhooks.map((w) => [w.sessionId, w.attempts]), [[session.sessionId, WEBHOOK_ATTEMPTS_MAX]]);
    const deliveryId = failed.webhooks[0]!.deliveryId;

    const page = watch(await desk.newPage());
    await page.goto(`${dari.url}/acquirer`);
    await page.getByRole('button', { name: 'Use the demo’s keys' }).click();
    const row = page.locator('#webhooks-section tbody tr', { hasText: deliveryId });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /checkout\.expired.*HTTP 401/);
    await shot(page, '23-acquirer-webhooks');
    await page.getByRole('button', { name: `Send notification ${deliveryId} again` }).click();
    await see(page, `Notification ${deliveryId} sent again; the shop answered HTTP 401.`);
    await see(page, 'Every notification reached its shop.');
    const again = await api.call<{ state: string; attempts: number }>('GET', `/acquirer/v1/webhooks/${deliveryId}`, { token: credentials.acquirerOperatorKey });
    assert.deepEqual([again.state, again.attempts], ['pending', 1], 'queued again with a fresh count, its first attempt made');
    await shot(page, '24-acquirer-webhook-resent');
    await page.close();
  });

  it("runs the day's payouts in the back office, saves the bank's file, and reconciles the closed cycle with the network", async () => {
    // The cut-off and the webhook's retries have moved the clock past the day of the journey's payments: its payouts are due (T+1).
    assert.ok(now().getTime() >= businessDayEnd(paymentDay).getTime(), `${paymentDay} is over`);
    const page = watch(await desk.newPage());
    await page.goto(`${dari.url}/acquirer`);
    await page.getByRole('button', { name: 'Use the demo’s keys' }).click();
    await page.getByLabel('Business day').fill(paymentDay);
    await page.getByRole('button', { name: 'Run the payouts of this day' }).click();
    await see(page, `Payouts of ${paymentDay}: 2 created.`);
    // 48,000 won net for the cosmetics shop (15,000 + 38,000 − 5,000), 39,000 for the duty-free store online; 2.50% kept by the acquirer.
    await see(page, /The file for the bank: 2 payouts, ₩84,825 in all, SHA-256 [0-9a-f]{64}\./);
    const shown = /SHA-256 ([0-9a-f]{64})/.exec((await page.textContent('body')) ?? '')?.[1];
    const payouts = page.locator('#payouts-section tbody tr');
    await payouts.filter({ hasText: '₩46,800' }).waitFor();
    for (const [merchantId, cells] of [
      [credentials.merchant.merchantId, ['₩48,000', '₩1,200', '₩46,800']],
      [credentials.shop.merchantId, ['₩39,000', '₩975', '₩38,025']],
    ] as const) {
      const row = payouts.filter({ hasText: merchantId });
      assert.equal(await row.count(), 1, `one payout for ${merchantId}`);
      assert.deepEqual((await row.locator('td').allTextContents()).slice(4), cells, `net, fee and amount for ${merchantId}`);
    }
    await shot(page, '25-acquirer-payouts');

    const [saved] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the day’s file for the bank (CSV)' }).click()]);
    assert.equal(saved.suggestedFilename(), `payouts-${paymentDay}.csv`);
    await see(page, `Saved payouts-${paymentDay}.csv.`);
    const file = readFileSync(await saved.path(), 'utf8');
    const fromApi = await fetch(`${dari.url}/acquirer/v1/payout-runs/${paymentDay}/file`, { headers: { Authorization: `Bearer ${credentials.acquirerOperatorKey}` } });
    assert.equal(file, await fromApi.text(), 'the bytes the acquirer keeps for the run');
    const lines = file.split('\r\n').filter((line) => line !== '');
    assert.match(lines[0] ?? '', new RegExp(`^HEADER,DARI-PAYOUT,1,${paymentDay},`));
    assert.deepEqual(
      lines.filter((line) => line.startsWith('DETAIL,')).map((line) => line.split(',').slice(1, 7).filter((_, i) => i !== 1 && i !== 2)),
      [
        [credentials.merchant.merchantId, 'Myeongdong Cosmetics', '46800', 'KRW'],
        [credentials.shop.merchantId, 'Hanbit Duty Free', '38025', 'KRW'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    const trailer = lines.at(-1) ?? '';
    const checksum = createHash('sha256').update(file.slice(0, file.lastIndexOf(',') + 1)).digest('hex');
    assert.equal(trailer, `TRAILER,2,84825,${checksum}`, 'its trailer: the lines, their total, the SHA-256 of every byte before it');
    assert.equal(shown, checksum, 'the checksum the console showed');

    await page.getByLabel('Cycle id (YYYY-MM-DDTHHMM)').fill(closedCycleId);
    await page.getByRole('button', { name: 'Reconcile this cycle' }).click();
    await see(page, `${closedCycleId}: Matches the network`);
    const run = page.locator('#reconciliation-section tbody tr', { hasText: closedCycleId });
    await run.waitFor();
    assert.match((await run.textContent()) ?? '', /Matches the network/);
    await shot(page, '26-acquirer-reconciled');
    await page.close();
  });

  it('fetched nothing from anywhere but dari, and no page threw', () => {
    assert.deepEqual(outside, []);
    assert.deepEqual(pageErrors, []);
  });
});
