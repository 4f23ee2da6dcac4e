/// <reference lib="dom" />
/**
 * The acquirer's back office: the onboarding queue (approve, or reject with
 * a reason), merchants with what is owed to each, their terminals and new
 * ones, payouts and their runs with the bank's file of each, reconciliation against the network's
 * clearing files, and the shops' webhooks that could not be delivered (sent
 * again from here). It uses the acquirer's operator API with the operator's key.
 */
import type { WireAmount } from '../money-format.ts';
import { call, download, type Session } from './api.ts';
import { announce, appRoot, badge, dateTime, field, h, money, notice, show, t, failure } from './dom.ts';
import { signOut, start } from './sign-in.ts';
import { table } from './table.ts';

/** Pages of merchants read at most (100 each): the queue and the list of a demo-sized acquirer. */
const MERCHANT_PAGES_MAX = 10;
/** Merchants whose balance and terminals are read for the list. */
const BALANCES_READ_MAX = 50;
/** Terminals listed per merchant (one page of the API). */
const TERMINALS_LISTED_MAX = 100;
/** Undeliverable webhooks listed (one page of the API). */
const WEBHOOKS_LISTED_MAX = 100;
const PAYOUTS_LISTED = 50;
const RECONCILIATIONS_LISTED = 20;

interface Merchant {
  readonly merchantId: string;
  readonly legalName: string;
  readonly businessRegistrationNumber: string;
  readonly mcc: string;
  readonly city: string;
  readonly mdrBps: number;
  readonly status: string;
  readonly reason?: string;
  readonly createdAt: string;
}
interface Payout {
  readonly payoutId: string;
  readonly businessDay: string;
  readonly merchantId: string;
  readonly state: string;
  readonly net: WireAmount;
  readonly fee: WireAmount;
  readonly amount: WireAmount;
}
interface PayoutRun {
  readonly businessDay: string;
  readonly payouts: readonly Payout[];
  /** The summary of the run's file for the bank: its detail lines, their total, the trailer's SHA-256. */
  readonly file: { readonly detailCount: number; readonly total: WireAmount; readonly checksum: string };
}
interface TerminalItem {
  readonly terminalId: string;
  readonly label: string;
}
interface WebhookDelivery {
  readonly deliveryId: string;
  readonly sessionId: string;
  readonly event: string;
  readonly state: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly nextAttemptAt?: string;
  readonly lastError?: string;
  readonly updatedAt: string;
}
interface ReconciliationRun {
  readonly cycleId: string;
  readonly ranAt: string;
  readonly clean: boolean;
}

start({
  role: 'acquirer',
  keyLabel: 'acquirer.keyLabel',
  check: async (key) => {
    const answer = await call<{ merchants: Merchant[] }>('GET', '/acquirer/v1/merchants?limit=1', { key });
    return answer.ok ? { ...answer, body: { label: t('role.acquirer') } } : answer;
  },
  onSignedIn: backOffice,
});

/** Basis points as a percentage, by string arithmetic: 250 → "2.50%". */
function percent(bps: number): string {
  const digits = String(bps).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}%`;
}

function section(id: string, title: string, ...content: HTMLElement[]): HTMLElement {
  return h('section', { class: 'panel', 'aria-labelledby': id, id: `${id}-section` }, h('h2', { id }, title), ...content);
}

function backOffice(session: Session): void {
  const key = session.key;
  const queue = h('div');
  const merchants = h('div');
  const payouts = h('div');
  const runs = h('div');
  const webhooks = h('div');
  const status = h('div', { 'aria-live': 'polite' });
  const fail = (target: HTMLElement, error: { readonly code: string; readonly message: string }) => show(target, notice('error', failure(error)));

  const readMerchants = async (): Promise<Merchant[] | { readonly code: string; readonly message: string }> => {
    const all: Merchant[] = [];
    let after: string | null = null;
    for (let page = 0; page < MERCHANT_PAGES_MAX; page += 1) {
      const answer: Awaited<ReturnType<typeof call<{ merchants: Merchant[]; nextAfter: string | null }>>> = await call('GET', `/acquirer/v1/merchants?limit=100${after === null ? '' : `&after=${encodeURIComponent(after)}`}`, { key });
      if (!answer.ok) return answer;
      all.push(...answer.body.merchants);
      after = answer.body.nextAfter;
      if (after === null) break;
    }
    return all;
  };

  const loadMerchants = async (): Promise<void> => {
    const all = await readMerchants();
    if (!Array.isArray(all)) return fail(queue, all);
    const pending = all.filter((m) => m.status === 'pending');
    show(queue, pending.length === 0 ? h('p', null, t('acquirer.noPending')) : table([t('acquirer.legalName'), t('acquirer.brn'), t('acquirer.city'), 'MCC', t('common.time'), ''], pending.map((m) => [m.legalName, m.businessRegistrationNumber, m.city, m.mcc, dateTime(m.createdAt), reviewActions(m)])));
    const reviewed = all.filter((m) => m.status !== 'pending');
    const owed = await Promise.all(
      reviewed.slice(0, BALANCES_READ_MAX).map(async (m) => {
        const answer = await call<{ payable: WireAmount }>('GET', `/acquirer/v1/merchants/${encodeURIComponent(m.merchantId)}/balance`, { key });
        return answer.ok ? money(answer.body.payable) : '';
      }),
    );
    const terminals = await Promise.all(
      reviewed.slice(0, BALANCES_READ_MAX).map(async (m): Promise<HTMLElement | string> => {
        if (m.status !== 'approved') return '';
        const answer = await call<{ terminals: TerminalItem[] }>('GET', `/acquirer/v1/merchants/${encodeURIComponent(m.merchantId)}/terminals?limit=${TERMINALS_LISTED_MAX}`, { key });
        if (!answer.ok) return failure(answer);
        return h('ul', { class: 'terminals', 'aria-label': `${t('acquirer.terminals')}: ${m.legalName}` }, answer.body.terminals.map((x) => h('li', null, `${x.label} `, h('code', null, x.terminalId))));
      }),
    );
    show(
      merchants,
      table(
        [t('common.id'), t('acquirer.legalName'), t('acquirer.brn'), t('acquirer.city'), t('common.status'), t('acquirer.mdr'), t('acquirer.payable'), t('acquirer.terminals'), t('acquirer.addTerminal')],
        reviewed.map((m, i) => [m.merchantId, m.legalName, m.businessRegistrationNumber, m.city, m.reason === undefined ? badge(m.status) : h('span', null, badge(m.status), ` ${m.reason}`), percent(m.mdrBps), owed[i] ?? '', terminals[i] ?? '', m.status === 'approved' ? terminalForm(m) : '']),
        { numeric: [5, 6] },
      ),
    );
  };

  const reviewActions = (m: Merchant): HTMLElement => {
    const reason = field({ label: t('acquirer.rejectReason', { name: m.legalName }), name: `reason-${m.merchantId}`, maxlength: 200 });
    const approve = h('button', { type: 'button', onclick: () => void review(m, 'approve', {}) }, t('acquirer.approve'));
    const reject = h('form', { class: 'row-actions' }, reason.wrapper, h('button', { type: 'submit', class: 'danger' }, t('acquirer.reject')));
    reject.addEventListener('submit', (event) => {
      event.preventDefault();
      if (reason.input.value.trim() === '') return reason.input.focus();
      void review(m, 'reject', { reason: reason.input.value.trim() });
    });
    return h('div', { class: 'row-actions' }, approve, reject);
  };
  const review = async (m: Merchant, action: 'approve' | 'reject', body: object): Promise<void> => {
    const answer = await call<{ status: string }>('POST', `/acquirer/v1/merchants/${encodeURIComponent(m.merchantId)}/${action}`, { key, body });
    if (!answer.ok) return fail(status, answer);
    const message = `${m.legalName}: ${t(answer.body.status === 'approved' ? 'status.approved' : 'status.rejected')}`;
    show(status, notice('ok', message));
    announce(message);
    void loadMerchants();
  };
  const terminalForm = (m: Merchant): HTMLElement => {
    const label = field({ label: t('acquirer.terminalLabel', { name: m.legalName }), name: `terminal-${m.merchantId}`, maxlength: 50 });
    const form = h('form', { class: 'row-actions' }, label.wrapper, h('button', { type: 'submit', class: 'secondary' }, t('acquirer.addTerminal')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (label.input.value.trim() === '') return label.input.focus();
      void call<{ terminalId: string; terminalKey: string }>('POST', `/acquirer/v1/merchants/${encodeURIComponent(m.merchantId)}/terminals`, { key, body: { label: label.input.value.trim() } }).then((answer) => {
        if (!answer.ok) return fail(status, answer);
        // The key is shown once: the acquirer keeps only its hash.
        show(status, h('p', { class: 'notice notice-ok', role: 'status' }, t('acquirer.terminalCreated', { terminalId: answer.body.terminalId }), ' ', h('code', { class: 'secret', 'data-testid': 'terminal-key' }, answer.body.terminalKey)));
        label.input.value = '';
        void loadMerchants();
      });
    });
    return form;
  };

  const loadPayouts = async (): Promise<void> => {
    const answer = await call<{ payouts: Payout[] }>('GET', `/acquirer/v1/payouts?limit=${PAYOUTS_LISTED}`, { key });
    if (!answer.ok) return fail(payouts, answer);
    show(payouts, table([t('common.id'), t('acquirer.businessDay'), t('common.merchant'), t('common.status'), t('acquirer.net'), t('acquirer.fee'), t('common.amount')], answer.body.payouts.map((p) => [p.payoutId, p.businessDay, p.merchantId, badge(p.state), money(p.net), money(p.fee), money(p.amount)]), { numeric: [4, 5, 6] }));
  };
  const day = field({ label: t('acquirer.businessDay'), name: 'business-day', type: 'date', required: true });
  // The bank's file of the day's run: what the acquirer sends its bank to pay the merchants (payout-file.ts).
  const fileButton = h('button', { type: 'button', class: 'secondary' }, t('acquirer.downloadFile'));
  const runForm = h('form', { class: 'row-actions' }, day.wrapper, h('button', { type: 'submit' }, t('acquirer.runPayouts')), fileButton);
  runForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void call<PayoutRun>('POST', '/acquirer/v1/payout-runs', { key, body: { businessDay: day.input.value } }).then((answer) => {
      if (!answer.ok) return fail(status, answer);
      const run = answer.body;
      const ran = t('acquirer.payoutRan', { day: run.businessDay, count: run.payouts.length });
      show(status, notice('ok', ran), notice('info', t('acquirer.payoutFile', { count: run.file.detailCount, total: money(run.file.total), checksum: run.file.checksum })));
      announce(ran);
      void loadPayouts();
    });
  });
  fileButton.addEventListener('click', () => {
    if (!day.input.checkValidity()) return day.input.focus();
    fileButton.disabled = true;
    void download(`/acquirer/v1/payout-runs/${encodeURIComponent(day.input.value)}/file`, key).then((answer) => {
      fileButton.disabled = false;
      if (!answer.ok) return fail(status, answer);
      const saved = t('acquirer.downloaded', { name: answer.body.name });
      show(status, notice('ok', saved));
      announce(saved);
    });
  });

  const loadRuns = async (): Promise<void> => {
    const answer = await call<{ runs: ReconciliationRun[] }>('GET', `/acquirer/v1/reconciliations?limit=${RECONCILIATIONS_LISTED}`, { key });
    if (!answer.ok) return fail(runs, answer);
    show(runs, table([t('acquirer.cycle'), t('acquirer.ranAt'), t('common.status')], answer.body.runs.map((r) => [r.cycleId, dateTime(r.ranAt), h('span', { class: `badge badge-${r.clean ? 'success' : 'fail'}` }, r.clean ? t('acquirer.clean') : t('acquirer.differences'))])));
  };
  const cycle = field({ label: t('acquirer.cycleIdLabel'), name: 'reconcile-cycle', pattern: '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{4}', required: true });
  const reconcileForm = h('form', { class: 'row-actions' }, cycle.wrapper, h('button', { type: 'submit' }, t('acquirer.reconcile')));
  reconcileForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void call<{ cycleId: string; clean: boolean }>('POST', '/acquirer/v1/reconciliations', { key, body: { cycleId: cycle.input.value.trim() } }).then((answer) => {
      if (!answer.ok) return fail(status, answer);
      show(status, notice(answer.body.clean ? 'ok' : 'error', `${answer.body.cycleId}: ${answer.body.clean ? t('acquirer.clean') : t('acquirer.differences')}`));
      void loadRuns();
    });
  });

  const loadWebhooks = async (): Promise<void> => {
    const answer = await call<{ webhooks: WebhookDelivery[] }>('GET', `/acquirer/v1/webhooks?state=failed&limit=${WEBHOOKS_LISTED_MAX}`, { key });
    if (!answer.ok) return fail(webhooks, answer);
    if (answer.body.webhooks.length === 0) return show(webhooks, h('p', null, t('acquirer.webhooksNone')));
    show(
      webhooks,
      table(
        [t('common.id'), t('acquirer.webhookEvent'), t('acquirer.webhookSession'), t('acquirer.webhookAttempts'), t('acquirer.webhookLastError'), t('common.time'), ''],
        answer.body.webhooks.map((w) => [w.deliveryId, w.event, w.sessionId, String(w.attempts), w.lastError ?? '', dateTime(w.updatedAt), resendButton(w)]),
        { numeric: [3] },
      ),
    );
  };
  const resendButton = (w: WebhookDelivery): HTMLElement => {
    const button = h('button', { type: 'button', class: 'secondary', 'aria-label': t('acquirer.resendOne', { id: w.deliveryId }) }, t('acquirer.resend'));
    button.addEventListener('click', () => {
      button.disabled = true;
      void call<WebhookDelivery>('POST', `/acquirer/v1/webhooks/${encodeURIComponent(w.deliveryId)}/resend`, { key }).then((answer) => {
        button.disabled = false;
        if (!answer.ok) return fail(status, answer);
        const sent = answer.body;
        const message =
          sent.state === 'delivered'
            ? t('acquirer.resentDelivered', { id: sent.deliveryId })
            : t('acquirer.resentPending', { id: sent.deliveryId, error: sent.lastError ?? '', time: sent.nextAttemptAt === undefined ? '' : dateTime(sent.nextAttemptAt) });
        show(status, notice(sent.state === 'delivered' ? 'ok' : 'info', message));
        announce(message);
        void loadWebhooks();
      });
    });
    return button;
  };

  show(
    appRoot(),
    h('div', { class: 'who' }, h('h1', null, t('role.acquirer')), h('button', { type: 'button', class: 'link', onclick: () => signOut('acquirer') }, t('common.signOut'))),
    status,
    section('onboarding', t('acquirer.onboarding'), queue),
    section('merchants', t('acquirer.merchants'), merchants),
    section('payouts', t('acquirer.payouts'), runForm, payouts),
    section('reconciliation', t('acquirer.reconciliation'), reconcileForm, runs),
    section('webhooks', t('acquirer.webhooks'), h('p', { class: 'hint' }, t('acquirer.webhooksNote')), h('button', { type: 'button', class: 'secondary', onclick: () => void loadWebhooks() }, t('common.refresh')), webhooks),
  );
  void Promise.all([loadMerchants(), loadPayouts(), loadRuns(), loadWebhooks()]);
}
