/**
 * The demo story `npm run demo` walks against a running dari: a top-up, a
 * user-presented payment, a merchant-presented payment and a partial refund,
 * with the balances on all three sides after each step. The end-to-end test
 * walks the same story, so the demo cannot rot.
 */
import { formatDecimal, parseAmountJson, type Amount } from '../money/index.ts';
import type { AmountWire } from '../protocol/index.ts';
import type { DemoCredentials } from './seed.ts';
import { apiClient } from './http-client.ts';

export interface Balances {
  /** The tourist's wallet, in CNY. */
  readonly touristWallet: Amount;
  /** What the acquirer owes the merchant, in KRW. */
  readonly merchantPayable: Amount;
  /** The network's positions: what the wallet provider owes (CNY) and the acquirer is owed (KRW). */
  readonly walletProviderOwes: Amount;
  readonly acquirerIsOwed: Amount;
}

export interface StoryStep {
  readonly title: string;
  readonly detail: string;
  readonly balances: Balances;
}

function amountOf(wire: AmountWire): Amount {
  const parsed = parseAmountJson(wire, { allowZero: true });
  if (!parsed.ok) throw new Error(`the server sent a malformed amount ${JSON.stringify(wire)}: ${parsed.error.message}`);
  return parsed.value;
}

export function formatAmount(amount: Amount): string {
  return `${formatDecimal(amount, { grouping: true })} ${amount.currency}`;
}

export async function readBalances(credentials: DemoCredentials): Promise<Balances> {
  const api = apiClient(credentials.baseUrl);
  const wallet = await api.call<{ balance: AmountWire }>('GET', '/wallet/v1/balance', { token: credentials.tourist.token });
  const merchant = await api.call<{ payable: AmountWire }>('GET', `/acquirer/v1/merchants/${credentials.merchant.merchantId}/balance`, {
    token: credentials.acquirerOperatorKey,
  });
  const positions = await api.call<{ positions: { participantId: string; role: string; position: AmountWire }[] }>('GET', '/network/v1/positions', {
    token: credentials.networkOperatorKey,
  });
  const position = (role: string) => {
    const found = positions.positions.find((p) => p.role === role);
    if (!found) throw new Error(`the network lists no ${role} position`);
    return amountOf(found.position);
  };
  return {
    touristWallet: amountOf(wallet.balance),
    merchantPayable: amountOf(merchant.payable),
    walletProviderOwes: position('wallet'),
    acquirerIsOwed: position('acquirer'),
  };
}

/** Walks the story, calling `onStep` after each step; returns the steps. */
export async function walkStory(credentials: DemoCredentials, onStep: (step: StoryStep) => void = () => {}): Promise<StoryStep[]> {
  const api = apiClient(credentials.baseUrl);
  const tourist = credentials.tourist.token;
  const terminal = credentials.merchant.terminalKey;
  const run = `${Date.now().toString(36)}`;
  const steps: StoryStep[] = [];
  const record = async (title: string, detail: string) => {
    const step = { title, detail, balances: await readBalances(credentials) };
    steps.push(step);
    onStep(step);
  };

  await record('Before', `${credentials.tourist.name} and ${credentials.merchant.name}`);

  const topup = await api.call<{ amount: AmountWire }>('POST', '/wallet/v1/topups', {
    token: tourist,
    body: { requestId: `demo-${run}-topup`, amount: { currency: 'CNY', value: '50000' } },
  });
  await record('Top-up', `${credentials.tourist.name} tops up ${formatAmount(amountOf(topup.amount))} from the linked bank card`);

  const code = await api.call<{ code: string; expiresAt: string }>('POST', '/wallet/v1/payment-codes', { token: tourist });
  const cpm = await api.call<{ paymentId: string; status: string; amount: AmountWire; payAmount: AmountWire }>('POST', '/acquirer/v1/payments', {
    token: terminal,
    body: { paymentRequestId: `demo-${run}-cpm`, amount: { currency: 'KRW', value: '15000' }, paymentCode: code.code },
  });
  await record(
    'User-presented payment',
    `the POS scans code ${code.code} and charges ${formatAmount(amountOf(cpm.amount))}; the tourist pays ${formatAmount(amountOf(cpm.payAmount))} (${cpm.status})`,
  );

  const order = await api.call<{ orderId: string; qrPayload: string }>('POST', '/acquirer/v1/orders', {
    token: terminal,
    body: { paymentRequestId: `demo-${run}-mpm`, amount: { currency: 'KRW', value: '38000' } },
  });
  const scan = await api.call<{ merchant: { name: string }; amount?: AmountWire }>('POST', '/wallet/v1/scans', {
    token: tourist,
    body: { qrPayload: order.qrPayload },
  });
  const mpm = await api.call<{ paymentId: string; status: string; payAmount: AmountWire }>('POST', '/wallet/v1/payments', {
    token: tourist,
    body: { requestId: `demo-${run}-mpm`, qrPayload: order.qrPayload },
  });
  await record(
    'Merchant-presented payment',
    `the tourist scans ${scan.merchant.name}'s order QR for ${scan.amount ? formatAmount(amountOf(scan.amount)) : 'an amount'} and pays ${formatAmount(amountOf(mpm.payAmount))} (${mpm.status})`,
  );

  const refund = await api.call<{ status: string; amount: AmountWire }>('POST', `/acquirer/v1/payments/${cpm.paymentId}/refunds`, {
    token: terminal,
    body: { refundRequestId: `demo-${run}-refund`, amount: { currency: 'KRW', value: '5000' } },
  });
  await record('Partial refund', `the merchant refunds ${formatAmount(amountOf(refund.amount))} of the first payment (${refund.status})`);
  return steps;
}

export function formatStep(step: StoryStep): string {
  const b = step.balances;
  return [
    `== ${step.title}: ${step.detail}`,
    `   wallet provider  tourist's wallet        ${formatAmount(b.touristWallet)}`,
    `   acquirer         owes the merchant       ${formatAmount(b.merchantPayable)}`,
    `   network          wallet provider owes    ${formatAmount(b.walletProviderOwes)}`,
    `   network          acquirer is owed        ${formatAmount(b.acquirerIsOwed)}`,
  ].join('\n');
}
