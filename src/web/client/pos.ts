/// <reference lib="dom" />
/**
 * The merchant's POS: charge an amount by showing a dynamic QR or by the
 * customer's payment code, follow the payment live (the acquirer's event
 * stream), refund it, and see today's summary of this terminal or of every
 * terminal of its merchant, as the acquirer has it. It uses the acquirer's
 * public API with the terminal's key.
 */
import { moneyInputValue, parseMoneyInput, sumWire, type WireAmount } from '../money-format.ts';
import { call, followEvents, type Session } from './api.ts';
import { announce, appRoot, badge, moneyErrorText, doneBadge, dateTime, field, h, money, notice, requestId, show, statusText, t, tabs, failure } from './dom.ts';
import { qrSvg } from './qr.ts';
import { scanner } from './scan.ts';
import { signOut, start } from './sign-in.ts';

/** How often an order is read while the customer has not paid yet, in milliseconds. */
const ORDER_POLL_MS = 1_000;
/** Payments listed in one day's summary (one page of the acquirer's API); the totals always cover the whole day. */
const DAY_PAYMENTS_LISTED_MAX = 100;

interface Refund {
  readonly refundId: string;
  readonly amount: WireAmount;
  readonly status: string;
}
interface Payment {
  readonly paymentId: string;
  readonly status: string;
  readonly amount: WireAmount;
  readonly payAmount?: WireAmount;
  readonly paidAt?: string;
  readonly createdAt: string;
  readonly terminalId?: string | null;
  readonly refunds?: readonly Refund[];
}
interface Order {
  readonly orderId: string;
  readonly qrPayload: string;
  readonly amount: WireAmount;
  readonly expiresAt: string;
}
interface OrderView {
  readonly status: string;
  readonly payment?: { readonly paymentId: string; readonly status: string };
}
const FINAL = new Set(['SUCCESS', 'FAIL', 'CANCELLED']);

start({
  role: 'pos',
  keyLabel: 'pos.keyLabel',
  check: async (key) => {
    const me = await call<{ terminalId: string; merchantId: string; label: string; merchantName: string }>('GET', '/acquirer/v1/terminal', { key });
    return me.ok ? { ...me, body: { label: `${me.body.merchantName} · ${me.body.label} (${me.body.terminalId})`, merchantId: me.body.merchantId } } : me;
  },
  onSignedIn: pos,
});

function pos(session: Session): void {
  const panel = h('section', { id: 'panel', role: 'tabpanel', class: 'panel', tabindex: '0' });
  let leave: () => void = () => undefined;
  const tabBar = tabs({
    label: t('pos.tabs'),
    items: [
      { id: 'charge', label: t('pos.tab.charge') },
      { id: 'today', label: t('pos.tab.today') },
    ],
    onSelect: (id) => {
      leave();
      panel.setAttribute('aria-labelledby', `tab-${id}`);
      leave = id === 'charge' ? chargeView(session, panel) : todayView(session, panel);
    },
  });
  show(
    appRoot(),
    h('div', { class: 'who' }, h('h1', null, session.label), h('button', { type: 'button', class: 'link', onclick: () => signOut('pos') }, t('common.signOut'))),
    tabBar.element,
    panel,
  );
  tabBar.select('charge');
}

function chargeView(session: Session, panel: HTMLElement): () => void {
  const key = session.key;
  const stage = h('div', { class: 'stage' });
  const status = h('div');
  const controller = new AbortController();
  const amount = field({ label: t('pos.amount'), name: 'amount', inputmode: 'numeric', required: true });
  const readAmount = (): WireAmount | null => {
    const parsed = parseMoneyInput(amount.input.value, 'KRW');
    if (parsed.ok) return parsed.value;
    show(status, notice('error', moneyErrorText(parsed.error)));
    amount.input.focus();
    return null;
  };

  const showQr = h('button', { type: 'button' }, t('pos.showQr'));
  showQr.addEventListener('click', () => {
    const value = readAmount();
    if (value === null) return;
    show(status);
    void call<Order>('POST', '/acquirer/v1/orders', { key, body: { paymentRequestId: requestId('web-order'), amount: value } }).then((answer) => {
      if (!answer.ok) return show(status, notice('error', failure(answer)));
      waitForOrder(answer.body);
    });
  });

  const waitForOrder = (order: Order): void => {
    const live = h('p', { class: 'live', 'aria-live': 'polite' }, badge('OPEN'));
    const expires = h('p', { class: 'hint' });
    show(stage, h('h2', null, t('pos.orderHint')), qrSvg(order.qrPayload, t('pos.orderQr', { amount: money(order.amount) })), h('p', { class: 'amount' }, money(order.amount)), expires, h('h3', null, t('pos.live')), live);
    const poll = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        const seconds = Math.max(0, Math.ceil((Date.parse(order.expiresAt) - Date.now()) / 1000));
        expires.textContent = t('pos.expiresIn', { seconds });
        const answer = await call<OrderView>('GET', `/acquirer/v1/orders/${encodeURIComponent(order.orderId)}`, { key });
        if (answer.ok && answer.body.payment !== undefined) return followPayment(answer.body.payment.paymentId);
        if (answer.ok) show(live, badge(answer.body.status));
        if (answer.ok && answer.body.status === 'EXPIRED') return;
        await new Promise((resolve) => setTimeout(resolve, ORDER_POLL_MS));
      }
    };
    void poll();
  };

  const chargeCode = (paymentCode: string): void => {
    const value = readAmount();
    if (value === null) return;
    show(status);
    const id = requestId('web-pos');
    show(stage, h('p', { 'aria-live': 'polite' }, badge('PROCESSING')));
    void call<Payment & { error?: unknown }>('POST', '/acquirer/v1/payments', { key, body: { paymentRequestId: id, amount: value, paymentCode: paymentCode.replace(/\s+/g, '') } }).then((answer) => {
      if (answer.ok) return followPayment(answer.body.paymentId);
      show(stage, notice('error', failure(answer)));
    });
  };

  /** The payment's status now and as it changes, from the acquirer's stream; then its result and refund form. */
  const followPayment = (paymentId: string): void => {
    const live = h('p', { class: 'live', 'aria-live': 'polite' }, badge('PROCESSING'));
    show(stage, h('h3', null, t('pos.live')), live);
    void followEvents(`/acquirer/v1/payments/${encodeURIComponent(paymentId)}/events`, key, (event, data) => {
      if (event !== 'status') return;
      const status = (data as { status: string }).status;
      show(live, badge(status));
      if (FINAL.has(status)) void showResult(paymentId);
    }, controller.signal).catch(() => void showResult(paymentId));
  };

  const showResult = async (paymentId: string): Promise<void> => {
    const answer = await call<Payment>('GET', `/acquirer/v1/payments/${encodeURIComponent(paymentId)}`, { key });
    if (!answer.ok) return show(stage, notice('error', failure(answer)));
    const payment = answer.body;
    const message = payment.status === 'SUCCESS' && payment.payAmount !== undefined ? t('pos.paidBy', { amount: money(payment.amount), payAmount: money(payment.payAmount) }) : statusText(payment.status);
    announce(message);
    const newSale = h('button', { type: 'button', class: 'secondary', onclick: () => reset() }, t('pos.newSale'));
    show(stage, notice(payment.status === 'SUCCESS' ? 'ok' : 'error', message), h('p', { class: 'hint' }, `${t('common.id')}: ${payment.paymentId}`), payment.status === 'SUCCESS' ? refundForm(key, payment, () => void showResult(paymentId)) : null, newSale);
    newSale.focus();
  };

  const codeScanner = scanner({ pasteLabel: t('pos.customerCode'), pasteName: 'payment-code', onPayload: chargeCode });
  const reset = (): void => {
    amount.input.value = '';
    show(stage);
    show(status);
    amount.input.focus();
  };
  show(
    panel,
    h('h2', null, t('pos.tab.charge')),
    amount.wrapper,
    status,
    h('div', { class: 'grid-2' }, h('div', null, showQr), h('div', null, h('h3', null, t('pos.scanCode')), codeScanner.element)),
    stage,
  );
  amount.input.focus();
  return () => {
    controller.abort();
    codeScanner.stop();
  };
}

/** A refund of a successful payment, in full or in part; one request id per form, so a retry does not refund twice. */
function refundForm(key: string, payment: Payment, done: () => void): HTMLElement {
  const refunded = sumWire((payment.refunds ?? []).filter((r) => r.status !== 'FAIL').map((r) => r.amount), payment.amount.currency);
  const remaining = refunded === null ? payment.amount : { currency: payment.amount.currency, value: (BigInt(payment.amount.value) - BigInt(refunded.value)).toString() };
  const list = (payment.refunds ?? []).map((r) => h('li', null, t('pos.refunded', { amount: money(r.amount) }), ' ', doneBadge(r.status)));
  if (remaining.value === '0') return h('ul', { class: 'refunds' }, list);
  const id = requestId('web-refund');
  const amount = field({ label: t('pos.refundAmount'), name: `refund-${payment.paymentId}`, inputmode: 'numeric', value: moneyInputValue(remaining), required: true });
  const status = h('div');
  const submit = h('button', { type: 'submit', class: 'danger' }, t('pos.refund'));
  const form = h('form', { class: 'refund', 'aria-label': t('pos.refund') }, list.length === 0 ? null : h('ul', { class: 'refunds' }, list), amount.wrapper, submit, status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const parsed = parseMoneyInput(amount.input.value, payment.amount.currency);
    if (!parsed.ok) return show(status, notice('error', moneyErrorText(parsed.error)));
    submit.disabled = true;
    void call<Refund>('POST', `/acquirer/v1/payments/${encodeURIComponent(payment.paymentId)}/refunds`, { key, body: { refundRequestId: id, amount: parsed.value } }).then((answer) => {
      submit.disabled = false;
      if (!answer.ok) return show(status, notice('error', failure(answer)));
      announce(t('pos.refunded', { amount: money(answer.body.amount) }));
      done();
    });
  });
  return form;
}

interface Tally {
  readonly count: number;
  readonly amount: WireAmount;
}
interface DayActivity {
  readonly businessDay: string;
  readonly summary: { readonly payments: Tally; readonly refunds: Tally; readonly cancellations: Tally; readonly net: WireAmount; readonly shortfall?: WireAmount };
  readonly payments: readonly Payment[];
}

/** Today as the acquirer has it: the day's totals and its payments, of this terminal or of every terminal of the merchant. */
function todayView(session: Session, panel: HTMLElement): () => void {
  const key = session.key;
  const body = h('div', null, h('p', null, t('common.loading')));
  const heading = h('h2', null, t('pos.summary'));
  let scope: 'terminal' | 'merchant' = 'terminal';
  const load = async (): Promise<void> => {
    const answer = await call<DayActivity>('GET', `/acquirer/v1/terminal/activity?scope=${scope}&limit=${DAY_PAYMENTS_LISTED_MAX}`, { key });
    if (!answer.ok) return show(body, notice('error', failure(answer)));
    const { summary, payments, businessDay } = answer.body;
    heading.textContent = t(scope === 'terminal' ? 'pos.summary' : 'pos.summaryMerchant');
    const rows = payments.map((p) =>
      h(
        'tr',
        null,
        h('td', null, dateTime(p.paidAt ?? p.createdAt)),
        scope === 'merchant' ? h('td', null, p.terminalId ?? '') : null,
        h('td', { class: 'num' }, money(p.amount)),
        h('td', null, badge(p.status)),
        h('td', null, (p.refunds ?? []).map((r) => h('div', null, money(r.amount), ' ', doneBadge(r.status)))),
        h('td', null, p.status === 'SUCCESS' ? refundForm(key, p, () => void load()) : null),
      ),
    );
    const headers = [t('common.time'), ...(scope === 'merchant' ? [t('pos.terminal')] : []), t('common.amount'), t('common.status'), t('pos.refunds'), t('pos.refund')];
    show(
      body,
      h(
        'dl',
        { class: 'summary', 'data-testid': 'pos-summary' },
        summaryItem(t('pos.summaryCount'), String(summary.payments.count)),
        summaryItem(t('pos.sales'), money(summary.payments.amount)),
        summaryItem(t('pos.refunds'), money(summary.refunds.amount)),
        summary.cancellations.count === 0 ? null : summaryItem(t('pos.cancellations'), money(summary.cancellations.amount)),
        summaryItem(t('pos.net'), money(summary.net)),
        summary.shortfall === undefined ? null : summaryItem(t('pos.shortfall'), money(summary.shortfall)),
      ),
      h('p', { class: 'hint' }, t('pos.dayNote', { day: businessDay })),
      rows.length === 0
        ? h('p', null, t('common.none'))
        : h('div', { class: 'table-wrap' }, h('table', null, h('thead', null, h('tr', null, headers.map((title) => h('th', { scope: 'col', class: title === t('common.amount') ? 'num' : undefined }, title)))), h('tbody', null, rows))),
    );
  };
  const choice = (value: 'terminal' | 'merchant', label: string): HTMLElement => {
    const id = `scope-${value}`;
    const input = h('input', { type: 'radio', id, name: 'scope', value, checked: value === scope });
    input.addEventListener('change', () => {
      scope = value;
      void load();
    });
    return h('span', { class: 'choice' }, input, h('label', { for: id }, label));
  };
  const scopes = h('fieldset', { class: 'scope' }, h('legend', null, t('pos.scope')), choice('terminal', t('pos.scopeTerminal')), ' ', choice('merchant', t('pos.scopeMerchant')));
  show(panel, heading, scopes, h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, t('common.refresh')), body);
  void load();
  return () => undefined;
}

function summaryItem(term: string, value: string): HTMLElement {
  return h('div', null, h('dt', null, term), h('dd', null, value));
}
