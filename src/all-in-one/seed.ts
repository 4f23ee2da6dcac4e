/**
 * The demo seed, run on the first start over an empty data directory: the
 * network registers the wallet provider and the acquirer and sets a CNY/KRW
 * rate; the acquirer onboards a few Korean merchants with a terminal each;
 * the wallet signs up a few tourists and tops one up; the demo's two web
 * shops become merchants with a terminal and a webhook secret each; the
 * mall signs up a few sellers whose catalogues the marketplace reviews and
 * lists (demo-mall.ts).
 * Everything goes through the public API, as an operator would do it.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { exportPublicKeyPem } from '../platform/signing/index.ts';
import type { Dari } from './compose.ts';
import { ACQUIRER_MERCHANT_ID_PREFIX, WALLET_CODE_PREFIX } from './compose.ts';
import { seedMall, type DemoMallCredentials } from './demo-mall.ts';
import { DEMO_SHOPS, type DemoShop } from './demo-shops.ts';
import { apiClient } from './http-client.ts';
import { PARTICIPANTS } from './secrets.ts';

/** 1 CNY = 190.25 KRW: the demo's rate, set by the network operator. */
export const DEMO_CNY_KRW_RATE = '190.25';

export interface DemoCredentials {
  readonly baseUrl: string;
  readonly networkOperatorKey: string;
  readonly acquirerOperatorKey: string;
  readonly walletOperatorKey: string;
  /** Each tourist's phone and payment PIN are what they type at the wallet's hosted cashier (online checkout). */
  readonly tourist: { readonly userId: string; readonly token: string; readonly name: string; readonly phone: string; readonly pin: string };
  readonly tourists: readonly { readonly userId: string; readonly token: string; readonly name: string; readonly phone: string; readonly pin: string }[];
  readonly merchant: { readonly merchantId: string; readonly name: string; readonly terminalId: string; readonly terminalKey: string };
  readonly merchants: readonly { readonly merchantId: string; readonly name: string; readonly terminalId: string; readonly terminalKey: string }[];
  /** The online duty-free shop at `/shop/`: a merchant whose terminal is the shop's web server (its key and webhook secret are in the shop's own database). `shops[0]`. */
  readonly shop: DemoShopCredentials;
  /** Every web shop of the demo (demo-shops.ts): the duty-free store, then the Seoul fashion boutique at `/boutique/`. */
  readonly shops: readonly DemoShopCredentials[];
  /** The Korean SME mall (issue 7): its operator's key, and a demo seller's key (`sellerKey`) with every seller's. */
  readonly mall: DemoMallCredentials;
  /** The cross-border marketplace (issue 7): its operator's key (every listing and why); its storefront is public. */
  readonly marketplace: { readonly operatorKey: string };
}

/** A demo web shop as the acquirer knows it: its merchant, its terminal (the shop's web server), and where a buyer finds it. */
export interface DemoShopCredentials {
  readonly merchantId: string;
  readonly name: string;
  readonly terminalId: string;
  readonly url: string;
}

/** The tourists' payment PINs, in the order of DEMO_TOURISTS. */
const DEMO_PINS = ['135790', '246802', '975310'] as const;

const DEMO_MERCHANTS = [
  { legalName: 'Myeongdong Cosmetics', businessRegistrationNumber: '220-81-62517', mcc: '5977', address: '12 Myeongdong-gil, Jung-gu', city: 'Seoul' },
  { legalName: 'Haeundae Fish Cafe', businessRegistrationNumber: '120-81-47521', mcc: '5814', address: '30 Haeundae-ro', city: 'Busan' },
  { legalName: 'Jeju Tangerine Shop', businessRegistrationNumber: '104-86-12345', mcc: '5499', address: '5 Tapdong-ro', city: 'Jeju' },
] as const;

const DEMO_TOURISTS = [
  { name: 'Li Wei', phone: '+8613800138000', country: 'CN', idNumber: '110101199003074514' },
  { name: 'Wang Fang', phone: '+8613900139000', country: 'CN', idNumber: '310101198805123456' },
  { name: 'Zhang Min', phone: '+8613700137000', country: 'CN' },
] as const;

export async function seedDemo(dari: Dari): Promise<DemoCredentials> {
  const api = apiClient(dari.url);
  const { networkOperatorKey, acquirerOperatorKey, walletOperatorKey } = dari.secrets;

  await api.call('POST', '/network/v1/participants', {
    token: networkOperatorKey,
    body: {
      participantId: PARTICIPANTS.wallet,
      role: 'wallet',
      name: 'Demo CNY Wallet',
      baseUrl: dari.url,
      publicKey: exportPublicKeyPem(dari.secrets.keys.wallet.publicKey),
      keyVersion: 1,
      codePrefix: WALLET_CODE_PREFIX,
      currency: 'CNY',
    },
  });
  await api.call('POST', '/network/v1/participants', {
    token: networkOperatorKey,
    body: {
      participantId: PARTICIPANTS.acquirer,
      role: 'acquirer',
      name: 'Demo Korean Acquirer',
      baseUrl: dari.url,
      publicKey: exportPublicKeyPem(dari.secrets.keys.acquirer.publicKey),
      keyVersion: 1,
      merchantIdPrefix: ACQUIRER_MERCHANT_ID_PREFIX,
      currency: 'KRW',
    },
  });
  await api.call('PUT', '/network/v1/fx-rates/CNY/KRW', { token: networkOperatorKey, body: { rate: DEMO_CNY_KRW_RATE } });

  const merchants = [];
  for (const merchant of DEMO_MERCHANTS) {
    const created = await api.call<{ merchantId: string }>('POST', '/acquirer/v1/merchants', {
      token: acquirerOperatorKey,
      body: { ...merchant, settlementAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: merchant.legalName } },
    });
    await api.call('POST', `/acquirer/v1/merchants/${created.merchantId}/approve`, { token: acquirerOperatorKey, body: {} });
    const store = await api.call<{ storeId: string }>('POST', `/acquirer/v1/merchants/${created.merchantId}/stores`, {
      token: acquirerOperatorKey,
      body: { name: `${merchant.legalName} (${merchant.city})`, address: merchant.address },
    });
    const terminal = await api.call<{ terminalId: string; terminalKey: string }>('POST', `/acquirer/v1/merchants/${created.merchantId}/terminals`, {
      token: acquirerOperatorKey,
      body: { storeId: store.storeId, label: 'Counter 1' },
    });
    merchants.push({ merchantId: created.merchantId, name: merchant.legalName, terminalId: terminal.terminalId, terminalKey: terminal.terminalKey });
  }

  const tourists = [];
  for (const tourist of DEMO_TOURISTS) {
    const created = await api.call<{ userId: string; token: string }>('POST', '/wallet/v1/users', { body: tourist });
    const pin: string = DEMO_PINS[tourists.length]!;
    await api.call('PUT', '/wallet/v1/pin', { token: created.token, body: { pin } });
    tourists.push({ userId: created.userId, token: created.token, name: tourist.name, phone: tourist.phone, pin });
  }
  await api.call('POST', '/wallet/v1/topups', {
    token: tourists[0]!.token,
    body: { requestId: 'demo-seed-topup', amount: { currency: 'CNY', value: '200000' } },
  });

  const shops = [];
  for (const demo of DEMO_SHOPS) shops.push(await seedShop(dari, acquirerOperatorKey, demo));

  const mall = await seedMall(api, dari.secrets.mallOperatorKey);
  // The loop lists the catalogue within its interval; passes now have it listed, and reported to the mall, when the seed ends.
  // Twice: a call while the loop's pass runs shares that pass, which may have read the feed before the catalogue was there;
  // the second call's pass (its own, or the loop's next) starts after the catalogue was.
  for (let pass = 0; pass < 2; pass += 1) {
    const passed = await api.call<{ sync: { ok: boolean }; report: { ok: boolean } }>('POST', '/marketplace/v1/syndication-passes', { token: dari.secrets.marketplaceOperatorKey });
    if (!passed.sync.ok || !passed.report.ok) throw new Error(`the marketplace could not list the demo catalogue: ${JSON.stringify(passed)}`);
  }
  return {
    baseUrl: dari.url,
    networkOperatorKey,
    acquirerOperatorKey,
    walletOperatorKey,
    tourist: tourists[0]!,
    tourists,
    merchant: merchants[0]!,
    merchants,
    shop: shops[0]!,
    shops,
    mall,
    marketplace: { operatorKey: dari.secrets.marketplaceOperatorKey },
  };
}

/** Onboards a web shop's merchant, registers the shop's web server as its terminal, has it create its webhook secret, and hands both to the shop. */
async function seedShop(dari: Dari, acquirerOperatorKey: string, demo: DemoShop): Promise<DemoShopCredentials> {
  const api = apiClient(dari.url);
  const shop = dari.shops.find((s) => s.path === demo.profile.path);
  if (shop === undefined) throw new Error(`assertion failed: the deployment serves the demo shop at ${demo.profile.path}`);
  const created = await api.call<{ merchantId: string }>('POST', '/acquirer/v1/merchants', {
    token: acquirerOperatorKey,
    body: { ...demo.merchant, settlementAccount: { ...demo.settlementAccount, holderName: demo.merchant.legalName } },
  });
  await api.call('POST', `/acquirer/v1/merchants/${created.merchantId}/approve`, { token: acquirerOperatorKey, body: {} });
  const terminal = await api.call<{ terminalId: string; terminalKey: string }>('POST', `/acquirer/v1/merchants/${created.merchantId}/terminals`, {
    token: acquirerOperatorKey,
    body: { label: 'Online shop' },
  });
  const secret = await api.call<{ secret: string }>('POST', '/acquirer/v1/checkout/webhook-secret', { token: terminal.terminalKey });
  shop.configure({ terminalKey: terminal.terminalKey, webhookSecret: secret.secret });
  return { merchantId: created.merchantId, name: demo.merchant.legalName, terminalId: terminal.terminalId, url: `${dari.url}${shop.path}/` };
}

/** Writes the credentials where `npm run demo` and the README say they are. */
export function writeDemoCredentials(dataDir: string, credentials: DemoCredentials): string {
  const path = join(dataDir, 'demo-credentials.json');
  writeFileSync(`${path}.tmp`, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return path;
}
