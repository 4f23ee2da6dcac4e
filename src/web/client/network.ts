/// <reference lib="dom" />
/**
 * Network operations: volume over time (an SVG drawn here), participants,
 * FX rates, payment search, clearing cycles and their settlement
 * instructions. It uses the network operator's API with the operator's key.
 */
import { bars, volumeBuckets, type VolumeBucket } from '../chart.ts';
import type { WireAmount } from '../money-format.ts';
import { call, type Session } from './api.ts';
import { announce, appRoot, badge, dateTime, field, h, money, notice, show, t, failure } from './dom.ts';
import { signOut, start } from './sign-in.ts';
import { table } from './table.ts';

/** Payments read for the chart and the list: the API's page maximum. */
const PAYMENTS_READ_MAX = 100;
const PAYMENTS_LISTED = 20;
const CYCLES_LISTED = 30;
const CHART = { width: 720, height: 200, left: 8, bottom: 24 } as const;
const SVG_NS = 'http://www.w3.org/2000/svg';

interface Participant {
  readonly participantId: string;
  readonly role: string;
  readonly name: string;
  readonly currency: string;
  readonly codePrefix?: string;
  readonly merchantIdPrefix?: string;
  readonly registeredAt: string;
}
interface FxRate {
  readonly baseCurrency: string;
  readonly quoteCurrency: string;
  readonly rate: string;
  readonly validFrom: string;
}
interface NetworkPayment {
  readonly paymentId: string;
  readonly paymentRequestId: string;
  readonly acquirerId: string;
  readonly walletId: string;
  readonly merchant: { readonly merchantName: string; readonly merchantCity: string };
  readonly paymentAmount: WireAmount;
  readonly payAmount: WireAmount;
  readonly status: string;
  readonly paymentTime: string | null;
  readonly createdAt: string;
  readonly refunds?: readonly { readonly refundId: string; readonly refundAmount: WireAmount; readonly status: string }[];
}
interface CycleSummary {
  readonly cycleId: string;
  readonly closesAt: string;
  readonly closedAt: string;
  readonly entryCount: number;
}
interface Instruction {
  readonly instructionId: string;
  readonly participantId: string;
  readonly direction: string;
  readonly amount: WireAmount;
  readonly status: string;
  readonly reference: string | null;
}
interface Cycle extends CycleSummary {
  readonly instructions: readonly Instruction[];
}

start({
  role: 'network',
  keyLabel: 'network.keyLabel',
  check: async (key) => {
    const answer = await call<{ participants: Participant[] }>('GET', '/network/v1/participants', { key });
    return answer.ok ? { ...answer, body: { label: t('role.network') } } : answer;
  },
  onSignedIn: operations,
});

function section(id: string, title: string, ...content: HTMLElement[]): HTMLElement {
  return h('section', { class: 'panel', 'aria-labelledby': id, id: `${id}-section` }, h('h2', { id }, title), ...content);
}

function operations(session: Session): void {
  const key = session.key;
  const chart = h('div', null, t('common.loading'));
  const participants = h('div');
  const rates = h('div');
  const payments = h('div');
  const found = h('div', { 'aria-live': 'polite' });
  const cycles = h('div');
  const cycleDetail = h('div', { 'aria-live': 'polite' });

  const fail = (target: HTMLElement, error: { readonly code: string; readonly message: string }) => show(target, notice('error', failure(error)));

  const loadParticipants = async (): Promise<void> => {
    const answer = await call<{ participants: Participant[] }>('GET', '/network/v1/participants', { key });
    if (!answer.ok) return fail(participants, answer);
    show(participants, table([t('common.id'), t('network.role'), t('network.name'), t('network.currency'), t('network.prefix'), t('common.time')], answer.body.participants.map((p) => [p.participantId, p.role, p.name, p.currency, p.codePrefix ?? p.merchantIdPrefix ?? '', dateTime(p.registeredAt)])));
  };
  const loadRates = async (): Promise<void> => {
    const answer = await call<{ fxRates: FxRate[] }>('GET', '/network/v1/fx-rates', { key });
    if (!answer.ok) return fail(rates, answer);
    show(rates, table([t('network.pair'), t('network.rate'), t('network.validFrom')], answer.body.fxRates.map((r) => [`1 ${r.baseCurrency} = ${r.rate} ${r.quoteCurrency}`, r.rate, dateTime(r.validFrom)]), { numeric: [1] }));
  };
  const loadPayments = async (status: string): Promise<void> => {
    const query = `limit=${PAYMENTS_READ_MAX}${status === '' ? '' : `&status=${encodeURIComponent(status)}`}`;
    const answer = await call<{ payments: NetworkPayment[] }>('GET', `/network/v1/payments?${query}`, { key });
    if (!answer.ok) return fail(payments, answer);
    const list = answer.body.payments;
    show(payments, paymentsTable(list.slice(0, PAYMENTS_LISTED)));
    if (status === '') drawChart(chart, list);
  };
  const findPayment = async (paymentId: string): Promise<void> => {
    const answer = await call<NetworkPayment>('GET', `/network/v1/payments/${encodeURIComponent(paymentId)}`, { key });
    if (!answer.ok) return fail(found, answer);
    const p = answer.body;
    show(
      found,
      h('h3', null, p.paymentId),
      paymentsTable([p]),
      (p.refunds ?? []).length === 0 ? null : table([t('network.refunds'), t('common.amount'), t('common.status')], (p.refunds ?? []).map((r) => [r.refundId, money(r.refundAmount), badge(r.status)]), { numeric: [1] }),
    );
  };
  const loadCycles = async (): Promise<void> => {
    const answer = await call<{ cycles: CycleSummary[] }>('GET', `/network/v1/clearing/cycles?limit=${CYCLES_LISTED}`, { key });
    if (!answer.ok) return fail(cycles, answer);
    show(
      cycles,
      table(
        [t('network.cycleId'), t('network.closesAt'), t('network.entries'), ''],
        answer.body.cycles.map((c) => [c.cycleId, dateTime(c.closesAt), String(c.entryCount), h('button', { type: 'button', class: 'secondary', onclick: () => void openCycle(c.cycleId) }, t('network.instructions', { cycleId: c.cycleId }))]),
        { numeric: [2] },
      ),
    );
  };
  const openCycle = async (cycleId: string): Promise<void> => {
    const answer = await call<Cycle>('GET', `/network/v1/clearing/cycles/${encodeURIComponent(cycleId)}`, { key });
    if (!answer.ok) return fail(cycleDetail, answer);
    showCycle(answer.body);
  };
  const showCycle = (cycle: Cycle): void => {
    const rows = cycle.instructions.map((i) => {
      const reference = field({ label: t('network.reference'), name: `reference-${i.instructionId}` });
      const confirm = h('form', { class: 'row-actions' }, reference.wrapper, h('button', { type: 'submit' }, t('network.confirm')));
      confirm.addEventListener('submit', (event) => {
        event.preventDefault();
        void call('POST', `/network/v1/settlement/instructions/${encodeURIComponent(i.instructionId)}/confirm`, { key, body: { reference: reference.input.value.trim() } }).then((answer) => {
          if (!answer.ok) return fail(cycleDetail, answer);
          announce(t('status.settled'));
          void openCycle(cycle.cycleId);
        });
      });
      const direction = i.direction === 'participant-pays' ? t('network.direction.pay') : i.direction === 'participant-receives' ? t('network.direction.receive') : i.direction;
      return [i.participantId, direction, money(i.amount), i.status === 'pending' ? h('span', { class: 'badge badge-pending' }, t('network.unsettled')) : badge(i.status), i.status === 'pending' ? confirm : (i.reference ?? '')];
    });
    show(cycleDetail, h('h3', null, t('network.instructions', { cycleId: cycle.cycleId })), table([t('network.participant'), t('network.direction'), t('common.amount'), t('common.status'), t('network.reference')], rows, { numeric: [2] }));
  };

  const statusSelect = h('select', { id: 'payment-status', name: 'status' }, ['', 'SUCCESS', 'PROCESSING', 'FAIL', 'CANCELLED'].map((s) => h('option', { value: s }, s === '' ? t('network.allStatuses') : `${s}`)));
  statusSelect.addEventListener('change', () => void loadPayments(statusSelect.value));
  const search = field({ label: t('network.search'), name: 'payment-id', required: true });
  const searchForm = h('form', { class: 'row-actions', role: 'search' }, search.wrapper, h('button', { type: 'submit' }, t('network.find')));
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (search.input.value.trim() !== '') void findPayment(search.input.value.trim());
  });
  const closeField = field({ label: t('acquirer.cycleIdLabel'), name: 'close-cycle', pattern: '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{4}', required: true });
  const closeForm = h('form', { class: 'row-actions' }, closeField.wrapper, h('button', { type: 'submit' }, t('network.closeCycle')));
  closeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void call<Cycle>('POST', `/network/v1/clearing/cycles/${encodeURIComponent(closeField.input.value.trim())}/close`, { key }).then((answer) => {
      if (!answer.ok) return fail(cycleDetail, answer);
      announce(t('network.closed', { cycleId: answer.body.cycleId }));
      showCycle(answer.body);
      void loadCycles();
    });
  });

  show(
    appRoot(),
    h('div', { class: 'who' }, h('h1', null, t('role.network')), h('button', { type: 'button', class: 'link', onclick: () => signOut('network') }, t('common.signOut'))),
    section('volume', t('network.volume'), chart),
    section('payments', t('network.payments'), searchForm, found, h('div', { class: 'field' }, h('label', { for: 'payment-status' }, t('common.status')), statusSelect), payments),
    section('clearing', t('network.clearing'), closeForm, cycles, cycleDetail),
    h('div', { class: 'grid-2' }, section('participants', t('network.participants'), participants), section('rates', t('network.fxRates'), rates)),
  );
  void Promise.all([loadParticipants(), loadRates(), loadPayments(''), loadCycles()]);
}

function paymentsTable(payments: readonly NetworkPayment[]): HTMLElement {
  return table(
    [t('common.time'), t('common.id'), t('common.merchant'), t('common.amount'), t('network.payAmount'), t('common.status')],
    payments.map((p) => [dateTime(p.paymentTime ?? p.createdAt), p.paymentId, p.merchant.merchantName, money(p.paymentAmount), money(p.payAmount), badge(p.status)]),
    { numeric: [3, 4] },
  );
}

/** Won paid per hour as bars, with a table of the same numbers for screen readers. */
function drawChart(target: HTMLElement, payments: readonly NetworkPayment[]): void {
  const paid = payments.filter((p) => p.status === 'SUCCESS').map((p) => ({ time: p.paymentTime ?? p.createdAt, amount: p.paymentAmount }));
  const buckets = volumeBuckets(paid, 'KRW');
  if (buckets.length === 0) return show(target, h('p', null, t('common.none')));
  const plot = { width: CHART.width - CHART.left, height: CHART.height - CHART.bottom };
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${CHART.width} ${CHART.height}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-labelledby', 'volume-desc');
  const axis = document.createElementNS(SVG_NS, 'line');
  for (const [name, value] of [['x1', CHART.left], ['x2', CHART.width], ['y1', plot.height], ['y2', plot.height]] as const) axis.setAttribute(name, String(value));
  axis.setAttribute('class', 'axis');
  svg.append(axis);
  const hour = (b: VolumeBucket) => new Date(b.startMs).toLocaleString(document.documentElement.lang, { month: 'numeric', day: 'numeric', hour: 'numeric' });
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 8));
  bars(buckets, plot).forEach((bar, i) => {
    const rect = document.createElementNS(SVG_NS, 'rect');
    rect.setAttribute('x', String(bar.x + CHART.left));
    rect.setAttribute('y', String(bar.y));
    rect.setAttribute('width', String(bar.width));
    rect.setAttribute('height', String(bar.height));
    rect.setAttribute('class', 'bar-rect');
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = `${hour(bar.bucket)}: ${money(bar.bucket.total)} (${bar.bucket.count})`;
    rect.append(title);
    svg.append(rect);
    if (i % labelEvery === 0) {
      const label = document.createElementNS(SVG_NS, 'text');
      label.setAttribute('x', String(bar.x + CHART.left));
      label.setAttribute('y', String(CHART.height - 6));
      label.textContent = hour(bar.bucket);
      svg.append(label);
    }
  });
  const desc = h('p', { id: 'volume-desc', class: 'hint' }, t('network.volumeDesc', { count: paid.length }));
  const data = h('details', null, h('summary', null, t('network.volume')), table([t('common.time'), t('common.amount'), t('network.entries')], buckets.filter((b) => b.count > 0).map((b) => [hour(b), money(b.total), String(b.count)]), { numeric: [1, 2] }));
  show(target, desc, svg as unknown as HTMLElement, data);
}
