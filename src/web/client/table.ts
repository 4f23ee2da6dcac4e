/// <reference lib="dom" />
/** A data table with column headers (scope=col) that scrolls sideways on a narrow screen. */
import { h, t } from './dom.ts';

export function table(headers: readonly string[], rows: readonly (readonly (Node | string)[])[], options: { readonly numeric?: readonly number[]; readonly caption?: string } = {}): HTMLElement {
  const numeric = new Set(options.numeric ?? []);
  const cls = (i: number) => (numeric.has(i) ? 'num' : undefined);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      options.caption === undefined ? null : h('caption', null, options.caption),
      h('thead', null, h('tr', null, headers.map((title, i) => h('th', { scope: 'col', class: cls(i) }, title)))),
      h('tbody', null, rows.length === 0 ? h('tr', null, h('td', { colspan: headers.length, class: 'hint' }, t('common.none'))) : rows.map((cells) => h('tr', null, cells.map((cell, i) => h('td', { class: cls(i) }, cell))))),
    ),
  );
}
