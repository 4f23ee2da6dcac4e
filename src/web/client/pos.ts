/// <reference lib="dom" />
/**
 * The merchant's POS: charge an amount by showing a dynamic QR or by the
 * customer's payment code, follow the payment live (the acquirer's event
 * stream), refund it, and see today's journal of this terminal. It uses the
 * acquirer's public API with the terminal's key.
 */
import { moneyInputValue, parseMoneyInput, sumWire, type WireAmount } from '../money-format.ts';
import { call, followEvents, type Session } from './api.ts';
import { announce, appRoot, badge, moneyErrorText, doneBadge, dateTime, field, h, money, notice, requestId, show, statusText, t, tabs } from './dom.ts';
import { qrSvg } from './qr.ts';
import { scanner } from './scan.ts';
import { signOut, start } from './sign-in.ts';

/** How often an order is read while the customer has not paid yet, in milliseconds. */
const ORDER_POLL_MS = 1_000;
/** Payments kept in one day's journal of a terminal. */
const JOURNAL_ITEMS_MAX = 500;

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

/** This terminal's payment ids of today (Seoul), kept in this browser: a till's journal. */
function journal(session: Session): { ids(): string[]; add(paymentId: string): void } {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const storageKey = `dari.pos.journal.${session.label}.${day}`;
  const ids = (): string[] => {
    try {
      const value = JSON.parse(localStorage.getItem(storageKey) ?? '[]') as unknown;
      return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  };
  return {
    ids,
    add(paymentId) {
      const now = ids().filter((id) => id !== paymentId);
      localStorage.setItem(storageKey, JSON.stringify([paymentId, ...now].slice(0, JOURNAL_ITEMS_MAX)));
    },
  };
}

function pos(session: Session): void {
  const panel = h('section', { id: 'panel', role: 'tabpanel', class: 'panel', tabindex: '0' });
  const book = journal(session);
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
      leave = id === 'charge' ? chargeView(session, panel, book) : todayView(session, panel, book);
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

function chargeView(session: Session, panel: HTMLElement, book: ReturnType<typeof journal>): () => void {
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
      if (!answer.ok) return show(status, notice('error', t('common.error', { message: answer.message })));
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
      show(stage, notice('error', t('common.error', { message: answer.message })));
    });
  };

  /** The payment's status now and as it changes, from the acquirer's stream; then its result and refund form. */
  const followPayment = (paymentId: string): void => {
    book.add(paymentId);
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
    if (!answer.ok) return show(stage, notice('error', t('common.error', { message: answer.message })));
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
      if (!answer.ok) return show(status, notice('error', t('common.error', { message: answer.message })));
      announce(t('pos.refunded', { amount: money(answer.body.amount) }));
      done();
    });
  });
  return form;
}

function todayView(session: Session, panel: HTMLElement, book: ReturnType<typeof journal>): () => void {
  const key = session.key;
  const body = h('div', null, h('p', null, t('common.loading')));
  const load = async (): Promise<void> => {
    const payments: Payment[] = [];
    for (const id of book.ids()) {
      const answer = await call<Payment>('GET', `/acquirer/v1/payments/${encodeURIComponent(id)}`, { key });
      if (answer.ok) payments.push(answer.body);
    }
    const paid = payments.filter((p) => p.status === 'SUCCESS');
    const refunds = paid.flatMap((p) => (p.refunds ?? []).filter((r) => r.status === 'SUCCESS').map((r) => r.amount));
    const sales = sumWire(paid.map((p) => p.amount), 'KRW') ?? { currency: 'KRW', value: '0' };
    const refunded = sumWire(refunds, 'KRW') ?? { currency: 'KRW', value: '0' };
    const net = { currency: 'KRW', value: (BigInt(sales.value) - BigInt(refunded.value)).toString() };
    const rows = payments.map((p) =>
      h(
        'tr',
        null,
        h('td', null, dateTime(p.paidAt ?? p.createdAt)),
        h('td', { class: 'num' }, money(p.amount)),
        h('td', null, badge(p.status)),
        h('td', null, (p.refunds ?? []).map((r) => h('div', null, money(r.amount), ' ', doneBadge(r.status)))),
        h('td', null, p.status === 'SUCCESS' ? refundForm(key, p, () => void load()) : null),
      ),
    );
    show(
      body,
      h('dl', { class: 'summary', 'data-testid': 'pos-summary' }, summaryItem(t('pos.summaryCount'), String(paid.length)), summaryItem(t('pos.sales'), money(sales)), summaryItem(t('pos.refunds'), money(refunded)), summaryItem(t('pos.net'), money(net))),
      h('p', { class: 'hint' }, t('pos.journalNote')),
      rows.length === 0
        ? h('p', null, t('common.none'))
        : h(
            'div',
            { class: 'table-wrap' },
            h('table', null, h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('common.time')), h('th', { scope: 'col', class: 'num' }, t('common.amount')), h('th', { scope: 'col' }, t('common.status')), h('th', { scope: 'col' }, t('pos.refunds')), h('th', { scope: 'col' }, t('pos.refund')))), h('tbody', null, rows)),
          ),
    );
  };
  show(panel, h('h2', null, t('pos.summary')), h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, t('common.refresh')), body);
  void load();
  return () => undefined;
}

function summaryItem(term: string, value: string): HTMLElement {
  return h('div', null, h('dt', null, term), h('dd', null, value));
}
