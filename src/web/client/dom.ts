/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The few DOM helpers the consoles share: build elements, the page's
 * language, amounts in it, and a polite live region for screen readers.
 * No framework: each console redraws a section by replacing its children.
 */
import { isLocale, LOCALE_DEFAULT, type Locale } from '../../platform/locale.ts';
import { apiErrorText, isMessageKey, translate, type MessageKey } from '../i18n.ts';
import type { MoneyError } from '../../money/index.ts';
import { formatMoney, type WireAmount } from '../money-format.ts';

type Child = Node | string | null | undefined | false;
type Props = Record<string, string | boolean | number | ((event: never) => void) | undefined>;

/** h('button', { type: 'button', onclick: go }, 'Pay'): attributes as given, `on…` as listeners, `false`/`undefined` left out. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: (Child | readonly Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value as EventListener);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: readonly (Child | readonly Child[])[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else if (typeof child === 'string') parent.appendChild(document.createTextNode(child));
  }
}

/** Replaces an element's children. */
export function show(parent: Element, ...children: (Child | readonly Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export const locale: Locale = (() => {
  const value = document.documentElement.dataset['locale'];
  return isLocale(value) ? value : LOCALE_DEFAULT;
})();

export function t(key: MessageKey, params: Readonly<Record<string, string | number>> = {}): string {
  return translate(locale, key, params);
}

/** A status word from data ("SUCCESS", "pending"), translated when it is known, as sent otherwise. */
export function statusText(status: string): string {
  const key = `status.${status}`;
  return isMessageKey(key) ? t(key) : status;
}

/** "Failed: …" with an API error in the page's language where its code is known, else the API's message. */
export function failure(error: { readonly code: string; readonly message: string }): string {
  return t('common.error', { message: apiErrorText(locale, error) });
}

export function money(amount: WireAmount): string {
  return formatMoney(amount, locale);
}

/** Why a typed amount was refused, in the page's language. */
export function moneyErrorText(error: MoneyError): string {
  switch (error.kind) {
    case 'too-many-decimals':
      return t('money.too-many-decimals', { currency: error.currency, decimals: error.decimalsMax });
    case 'zero-not-allowed':
    case 'negative-not-allowed':
      return t('money.not-positive');
    case 'out-of-range':
      return t('money.out-of-range');
    case 'invalid-format':
      return t('money.invalid-format');
    default:
      return error.message;
  }
}

/** A date-time in the page's language, to the minute. */
export function dateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(document.documentElement.lang, { dateStyle: 'short', timeStyle: 'short' });
}

/** A status badge; colour is never the only cue, the word is always there. */
export function badge(status: string): HTMLElement {
  return h('span', { class: `badge badge-${status.toLowerCase()}` }, statusText(status));
}

/** The status of a refund or a top-up: a successful one reads "Done", not "Paid". */
export function doneBadge(status: string): HTMLElement {
  return status === 'SUCCESS' ? h('span', { class: 'badge badge-success' }, t('common.done')) : badge(status);
}

let liveRegion: HTMLElement | undefined;

/** Says `message` to screen readers (and shows it in the page's status line). */
export function announce(message: string): void {
  liveRegion ??= document.getElementById('announce') ?? document.body.appendChild(h('p', { id: 'announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' }));
  liveRegion.textContent = message;
}

/** An inline message under a form: role=alert for errors so they are read at once. */
export function notice(kind: 'error' | 'ok' | 'info', message: string): HTMLElement {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
}

let idCounter = 0;
/** A fresh element id, for label–input pairs. */
export function newId(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled input: the label is a real <label for>, the hint is tied with aria-describedby. */
export function field(options: { readonly label: string; readonly name: string; readonly type?: string; readonly hint?: string; readonly value?: string; readonly inputmode?: string; readonly autocomplete?: string; readonly required?: boolean; readonly pattern?: string; readonly maxlength?: number }): { readonly wrapper: HTMLElement; readonly input: HTMLInputElement } {
  const id = newId(options.name);
  const hintId = options.hint === undefined ? undefined : `${id}-hint`;
  const input = h('input', {
    id,
    name: options.name,
    type: options.type ?? 'text',
    value: options.value,
    inputmode: options.inputmode,
    autocomplete: options.autocomplete ?? 'off',
    required: options.required ?? false,
    pattern: options.pattern,
    maxlength: options.maxlength,
    'aria-describedby': hintId,
  });
  const wrapper = h('div', { class: 'field' }, h('label', { for: id }, options.label), input, hintId === undefined ? null : h('p', { id: hintId, class: 'hint' }, options.hint ?? ''));
  return { wrapper, input };
}

/** A new client-chosen request id: every money-moving call is idempotent on one (a retry sends the same). */
export function requestId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

export function appRoot(): HTMLElement {
  const root = document.getElementById('app');
  if (root === null) throw new Error('assertion failed: the console page has #app');
  return root;
}

/** Tabs after the WAI-ARIA pattern: arrow keys move between them, each tab controls one panel. */
export function tabs(options: { readonly label: string; readonly items: readonly { readonly id: string; readonly label: string }[]; readonly onSelect: (id: string) => void }): { readonly element: HTMLElement; select(id: string): void } {
  const buttons = options.items.map((item) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${item.id}`, 'aria-controls': 'panel', 'aria-selected': 'false', tabindex: '-1', 'data-tab': item.id, onclick: () => select(item.id) }, item.label),
  );
  const element = h('div', { role: 'tablist', 'aria-label': options.label, class: 'tabs' }, buttons);
  element.addEventListener('keydown', (event) => {
    const index = buttons.findIndex((b) => b === document.activeElement);
    if (index < 0) return;
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = buttons[(index + step + buttons.length) % buttons.length]!;
    next.focus();
    select(next.dataset['tab']!);
  });
  function select(id: string): void {
    for (const b of buttons) {
      const on = b.dataset['tab'] === id;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
    }
    options.onSelect(id);
  }
  return { element, select };
}
