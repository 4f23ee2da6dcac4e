/// <reference lib="dom" />
/**
 * The wallet app, laid out for a phone: the balance, a payment code to show
 * (QR and digits, renewed as it expires), a merchant's QR to scan and pay,
 * top-ups from the card, and the history with its refunds. It uses only the
 * wallet's public API (`/wallet/v1/…`) with the user's token.
 */
import type { WireAmount } from '../money-format.ts';
import { parseMoneyInput } from '../money-format.ts';
import { call, type Session } from './api.ts';
import { announce, appRoot, badge, moneyErrorText, doneBadge, dateTime, field, h, money, notice, requestId, show, t, tabs, failure } from './dom.ts';
import { qrSvg } from './qr.ts';
import { scanner } from './scan.ts';
import { signOut, start } from './sign-in.ts';

/** How often the history is read while a code is shown, to see it paid, in milliseconds. */
const PAID_POLL_MS = 2_000;
/** Transactions in one page of the history. */
const HISTORY_PAGE_ITEMS = 20;

interface Me {
  readonly name: string;
}
interface Balance {
  readonly balance: WireAmount;
  readonly cardAvailable: WireAmount;
}
type Transaction =
  | { readonly type: 'topup'; readonly topupId: string; readonly amount: WireAmount; readonly status: string; readonly time: string }
  | { readonly type: 'payment'; readonly paymentId: string | null; readonly merchantName: string; readonly paymentAmount: WireAmount; readonly payAmount: WireAmount | null; readonly status: string; readonly time: string }
  | { readonly type: 'refund'; readonly refundId: string; readonly paymentId: string; readonly merchantName: string; readonly refundAmount: WireAmount; readonly refundPayAmount: WireAmount; readonly status: string; readonly time: string }
  | { readonly type: 'cancellation'; readonly paymentId: string; readonly merchantName: string; readonly amount: WireAmount; readonly time: string };
interface Transactions {
  readonly items: readonly Transaction[];
  readonly nextBefore: string | null;
}
interface Scan {
  readonly merchant: { readonly name: string; readonly city: string; readonly country: string };
  readonly amount?: WireAmount;
  readonly currency: string;
  readonly supported: boolean;
}
interface MpmAnswer {
  readonly status: 'SUCCESS' | 'PROCESSING';
  readonly paymentAmount?: WireAmount;
  readonly payAmount?: WireAmount;
}

start({
  role: 'wallet',
  keyLabel: 'wallet.tokenLabel',
  check: async (key) => {
    const me = await call<Me>('GET', '/wallet/v1/me', { key });
    return me.ok ? { ...me, body: { label: me.body.name } } : me;
  },
  onSignedIn: walletApp,
});

function walletApp(session: Session): void {
  const key = session.key;
  const balanceValue = h('p', { class: 'balance-value', 'data-testid': 'balance' }, '…');
  const cardLine = h('p', { class: 'hint' });
  const panel = h('section', { id: 'panel', role: 'tabpanel', class: 'panel', tabindex: '0' });
  let leavePanel: () => void = () => undefined;

  const refreshBalance = async (): Promise<void> => {
    const answer = await call<Balance>('GET', '/wallet/v1/balance', { key });
    if (!answer.ok) return;
    balanceValue.textContent = money(answer.body.balance);
    cardLine.textContent = t('wallet.cardAvailable', { amount: money(answer.body.cardAvailable) });
  };

  const views: Record<string, () => () => void> = {
    pay: () => payView(key, panel, refreshBalance),
    scan: () => scanView(key, panel, refreshBalance),
    topup: () => topupView(key, panel, refreshBalance),
    history: () => historyView(key, panel),
  };
  const tabBar = tabs({
    label: t('wallet.tabs'),
    items: [
      { id: 'pay', label: t('wallet.tab.pay') },
      { id: 'scan', label: t('wallet.tab.scan') },
      { id: 'topup', label: t('wallet.tab.topup') },
      { id: 'history', label: t('wallet.tab.history') },
    ],
    onSelect: (id) => {
      leavePanel();
      panel.setAttribute('aria-labelledby', `tab-${id}`);
      leavePanel = views[id]!();
      void refreshBalance();
    },
  });

  show(
    appRoot(),
    h(
      'div',
      { class: 'phone' },
      h('div', { class: 'who' }, h('p', null, t('wallet.hello', { name: session.label })), h('button', { type: 'button', class: 'link', onclick: () => signOut('wallet') }, t('common.signOut'))),
      h('section', { class: 'balance', 'aria-labelledby': 'balance-title' }, h('h1', { id: 'balance-title' }, t('wallet.balance')), balanceValue, cardLine),
      tabBar.element,
      panel,
    ),
  );
  tabBar.select('pay');
}

/** The payment code: QR and digits, a new one when it expires, and word of the payment once the history shows it. */
function payView(key: string, panel: HTMLElement, refreshBalance: () => Promise<void>): () => void {
  const codeBox = h('div', { class: 'code' });
  const countdown = h('p', { class: 'hint', 'aria-live': 'off' });
  const paid = h('div', { 'aria-live': 'polite' });
  let expiresAtMs = 0;
  let baseline: string | null | undefined;
  let stopped = false;

  const issue = async (): Promise<void> => {
    const answer = await call<{ code: string; expiresAt: string }>('POST', '/wallet/v1/payment-codes', { key });
    if (stopped) return;
    if (!answer.ok) return show(codeBox, notice('error', failure(answer)));
    const { code, expiresAt } = answer.body;
    expiresAtMs = Date.parse(expiresAt);
    const digits = code.replace(/(\d{4})(?=\d)/g, '$1 ');
    show(codeBox, qrSvg(code, t('wallet.codeQr')), h('p', { class: 'digits', 'data-code': code, 'aria-label': `${t('wallet.codeDigits')}: ${digits}` }, digits));
    tick();
  };
  const tick = (): void => {
    const seconds = Math.max(0, Math.ceil((expiresAtMs - Date.now()) / 1000));
    countdown.textContent = t('wallet.codeRefreshesIn', { seconds });
    if (seconds === 0 && expiresAtMs !== 0) {
      expiresAtMs = 0;
      void issue();
    }
  };
  const watchPaid = async (): Promise<void> => {
    const answer = await call<Transactions>('GET', '/wallet/v1/transactions?limit=1', { key });
    if (!answer.ok || stopped) return;
    const latest = answer.body.items[0];
    const paidNow = latest !== undefined && latest.type === 'payment' && latest.status === 'SUCCESS' ? latest : null;
    const id = paidNow === null ? null : `${paidNow.paymentId}@${paidNow.time}`;
    // The first read is the baseline: a payment already in the history is not news.
    if (baseline === undefined || id === null || id === baseline) {
      baseline ??= id;
      return;
    }
    baseline = id;
    const message = t('wallet.paidAt', { amount: money(paidNow!.paymentAmount), merchant: paidNow!.merchantName });
    show(paid, notice('ok', message));
    announce(message);
    void refreshBalance();
    void issue();
  };

  show(panel, h('h2', null, t('wallet.tab.pay')), h('p', null, t('wallet.codeHint')), codeBox, countdown, h('button', { type: 'button', class: 'secondary', onclick: () => void issue() }, t('wallet.codeNew')), paid);
  void issue();
  const timers = [setInterval(tick, 1_000), setInterval(() => void watchPaid(), PAID_POLL_MS)];
  void watchPaid();
  return () => {
    stopped = true;
    for (const timer of timers) clearInterval(timer);
  };
}

/** Scan a merchant's QR, see whom and how much, confirm, pay. */
function scanView(key: string, panel: HTMLElement, refreshBalance: () => Promise<void>): () => void {
  const result = h('div', { class: 'scan-result' });
  const scan = scanner({
    pasteLabel: t('wallet.qrText'),
    pasteName: 'qr-payload',
    multiline: true,
    onPayload: (payload) => void read(payload),
  });

  const read = async (qrPayload: string): Promise<void> => {
    const answer = await call<Scan>('POST', '/wallet/v1/scans', { key, body: { qrPayload } });
    if (!answer.ok) return show(result, notice('error', failure(answer)));
    confirmForm(qrPayload, answer.body);
  };

  const confirmForm = (qrPayload: string, scanned: Scan): void => {
    if (!scanned.supported) return show(result, h('p', null, scanned.merchant.name), notice('error', t('wallet.notSupported')));
    const id = requestId('web-mpm');
    const amountField = scanned.amount === undefined ? field({ label: t('wallet.amountKrw'), name: 'amount', inputmode: 'numeric', required: true }) : null;
    const status = h('div');
    const submit = h('button', { type: 'submit' }, scanned.amount === undefined ? t('wallet.tab.pay') : t('wallet.confirmPay', { amount: money(scanned.amount) }));
    const form = h(
      'form',
      { class: 'confirm', 'aria-labelledby': 'merchant-name' },
      h('h3', { id: 'merchant-name' }, scanned.merchant.name),
      h('p', { class: 'hint' }, `${scanned.merchant.city}, ${scanned.merchant.country}`),
      scanned.amount === undefined ? amountField!.wrapper : h('p', { class: 'amount' }, h('span', { class: 'hint' }, `${t('wallet.fixedAmount')}: `), money(scanned.amount)),
      h('p', { class: 'hint' }, t('wallet.rateNote')),
      submit,
      status,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      let amount: WireAmount | undefined;
      if (amountField !== null) {
        const parsed = parseMoneyInput(amountField.input.value, scanned.currency);
        if (!parsed.ok) return show(status, notice('error', moneyErrorText(parsed.error)));
        amount = parsed.value;
      }
      submit.disabled = true;
      void call<MpmAnswer>('POST', '/wallet/v1/payments', { key, body: { requestId: id, qrPayload, ...(amount === undefined ? {} : { amount }) } }).then((paid) => {
        if (!paid.ok) {
          submit.disabled = false;
          return show(status, notice('error', failure(paid)));
        }
        const message =
          paid.body.status === 'SUCCESS' && paid.body.paymentAmount !== undefined && paid.body.payAmount !== undefined
            ? t('wallet.paid', { amount: money(paid.body.paymentAmount), payAmount: money(paid.body.payAmount) })
            : t('wallet.processing');
        show(result, notice('ok', message));
        announce(message);
        void refreshBalance();
      });
    });
    show(result, form);
    submit.focus();
  };

  show(panel, h('h2', null, t('wallet.tab.scan')), h('p', null, t('wallet.scanHint')), scan.element, result);
  return () => scan.stop();
}

function topupView(key: string, panel: HTMLElement, refreshBalance: () => Promise<void>): () => void {
  let id = requestId('web-topup');
  const amount = field({ label: t('wallet.topupAmount'), name: 'topup-amount', inputmode: 'decimal', required: true });
  const status = h('div');
  const submit = h('button', { type: 'submit' }, t('wallet.topupButton'));
  const form = h('form', { class: 'topup' }, amount.wrapper, submit, status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const parsed = parseMoneyInput(amount.input.value, 'CNY');
    if (!parsed.ok) return show(status, notice('error', moneyErrorText(parsed.error)));
    submit.disabled = true;
    void call<{ amount: WireAmount; balance: WireAmount }>('POST', '/wallet/v1/topups', { key, body: { requestId: id, amount: parsed.value } }).then((answer) => {
      submit.disabled = false;
      if (!answer.ok) return show(status, notice('error', failure(answer)));
      id = requestId('web-topup');
      amount.input.value = '';
      const message = t('wallet.toppedUp', { amount: money(answer.body.amount), balance: money(answer.body.balance) });
      show(status, notice('ok', message));
      announce(message);
      void refreshBalance();
    });
  });
  show(panel, h('h2', null, t('wallet.tab.topup')), form);
  amount.input.focus();
  return () => undefined;
}

function historyView(key: string, panel: HTMLElement): () => void {
  const list = h('ul', { class: 'history' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('common.loadMore'));
  let before: string | null = null;
  const load = async (): Promise<void> => {
    const query = `limit=${HISTORY_PAGE_ITEMS}${before === null ? '' : `&before=${encodeURIComponent(before)}`}`;
    const answer = await call<Transactions>('GET', `/wallet/v1/transactions?${query}`, { key });
    if (!answer.ok) return show(list, h('li', null, notice('error', failure(answer))));
    if (before === null && answer.body.items.length === 0) show(list, h('li', { class: 'hint' }, t('common.none')));
    for (const item of answer.body.items) list.append(historyItem(item));
    before = answer.body.nextBefore;
    more.hidden = before === null;
  };
  more.addEventListener('click', () => void load());
  show(panel, h('h2', null, t('wallet.tab.history')), list, more);
  void load();
  return () => undefined;
}

function historyItem(item: Transaction): HTMLElement {
  const row = (kind: string, title: string, amount: string, detail: string | null, status: HTMLElement) =>
    h('li', { class: `tx tx-${kind}` }, h('span', { class: 'tx-title' }, title), h('span', { class: 'tx-amount' }, amount), status, h('span', { class: 'tx-detail hint' }, [detail, dateTime(item.time)].filter((x) => x !== null).join(' · ')));
  switch (item.type) {
    case 'topup':
      return row('topup', t('wallet.history.topup'), `+${money(item.amount)}`, null, doneBadge(item.status));
    case 'payment':
      return row('payment', t('wallet.history.payment', { merchant: item.merchantName }), money(item.paymentAmount), item.payAmount === null ? null : t('wallet.history.charged', { amount: money(item.payAmount) }), badge(item.status));
    case 'refund':
      return row('refund', t('wallet.history.refund', { merchant: item.merchantName }), money(item.refundAmount), t('wallet.history.returned', { amount: money(item.refundPayAmount) }), doneBadge(item.status));
    case 'cancellation':
      return row('cancellation', t('wallet.history.cancellation', { merchant: item.merchantName }), money(item.amount), null, badge('CANCELLED'));
  }
}
