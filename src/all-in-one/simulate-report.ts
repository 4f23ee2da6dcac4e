/**
 * What `dari simulate` shows: a summary table for the terminal and a
 * self-contained HTML page with a chart of daily volume and settlement (an
 * inline SVG: no script, no font, no request to anywhere, so it opens on a
 * closed network and in a CI artifact).
 */
import type { DaySummary, SimulationSummary } from './simulate.ts';

/** Groups digits by three: amounts in the table are exact, never through floats. */
function grouped(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return negative ? `-${digits}` : digits;
}

/** Minor units of a 2-decimal currency, as "1,234.56". */
function cny(minor: bigint): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  return `${negative ? '-' : ''}${grouped(abs / 100n)}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Both institutions' reconciliation of a day's cycle in one cell: "clean" or the differences at each. */
function reconciled(d: DaySummary): string {
  const { wallet, acquirer } = d.reconciliation;
  if (wallet.clean && acquirer.clean) return 'clean';
  return `wallet ${wallet.differences}, acquirer ${acquirer.differences}`;
}

export function formatSummaryTable(summary: SimulationSummary): string {
  const header = ['day', 'cycle', 'payments', 'refunds', 'not paid', 'faults', 'volume KRW', 'volume CNY', 'wallet pays CNY', 'acquirer gets KRW', 'FX CNY', 'FX KRW', 'payouts KRW', 'MDR fees KRW', 'reconciled'];
  const rows = summary.days.map((d) => [
    d.day,
    d.cycleId,
    String(d.payments),
    String(d.refunds),
    String(d.notPaid),
    String(d.faultsInjected),
    grouped(d.volumeKrw),
    cny(d.volumeCny),
    cny(d.walletPaysCny),
    grouped(d.acquirerReceivesKrw),
    cny(d.fxNetCny),
    grouped(d.fxNetKrw),
    grouped(d.payoutsKrw),
    grouped(d.feesKrw),
    reconciled(d),
  ]);
  const sum = (pick: (d: DaySummary) => bigint) => summary.days.reduce((s, d) => s + pick(d), 0n);
  const count = (pick: (d: DaySummary) => number) => summary.days.reduce((s, d) => s + pick(d), 0);
  rows.push([
    'total',
    '',
    String(count((d) => d.payments)),
    String(count((d) => d.refunds)),
    String(count((d) => d.notPaid)),
    String(count((d) => d.faultsInjected)),
    grouped(sum((d) => d.volumeKrw)),
    cny(sum((d) => d.volumeCny)),
    cny(sum((d) => d.walletPaysCny)),
    grouped(sum((d) => d.acquirerReceivesKrw)),
    cny(sum((d) => d.fxNetCny)),
    grouped(sum((d) => d.fxNetKrw)),
    grouped(sum((d) => d.payoutsKrw)),
    grouped(sum((d) => d.feesKrw)),
    summary.days.every((d) => d.reconciliation.wallet.clean && d.reconciliation.acquirer.clean) ? 'clean' : 'DIFFERENCES',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(0, -1).map(line), widths.map((w) => '─'.repeat(w)).join('  '), line(rows.at(-1)!)];
  out.push('');
  for (const [name, ok] of Object.entries(summary.ledgersVerify)) out.push(`${ok ? 'ok  ' : 'FAIL'}  the ${name}'s ledger verifies`);
  for (const check of summary.checks) out.push(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name} (${check.detail})`);
  return out.join('\n');
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Bars of daily volume (KRW) with the acquirer's settlement (KRW) as a line, and a table under it. */
export function renderSummaryHtml(summary: SimulationSummary, title: string): string {
  const width = 760;
  const height = 320;
  const pad = { left: 90, right: 20, top: 20, bottom: 50 };
  const days = summary.days;
  const maxKrw = days.reduce((m, d) => (d.volumeKrw > m ? d.volumeKrw : d.acquirerReceivesKrw > m ? d.acquirerReceivesKrw : m), 1n);
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const slot = plotW / Math.max(1, days.length);
  // Scaling to pixels is the one place a float is fine: nothing is read back from it.
  const y = (v: bigint) => pad.top + plotH - (Number(v) / Number(maxKrw)) * plotH;
  const bars = days
    .map((d, i) => {
      const x = pad.left + i * slot + slot * 0.15;
      const top = y(d.volumeKrw);
      return `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(pad.top + plotH - top).toFixed(1)}" fill="#3b6ea5"><title>${escape(d.day)}: ${grouped(d.volumeKrw)} KRW paid</title></rect>`;
    })
    .join('');
  const points = days.map((d, i) => `${(pad.left + i * slot + slot / 2).toFixed(1)},${y(d.acquirerReceivesKrw).toFixed(1)}`).join(' ');
  const labels = days.map((d, i) => `<text x="${(pad.left + i * slot + slot / 2).toFixed(1)}" y="${height - pad.bottom + 18}" text-anchor="middle" font-size="11">${escape(d.day.slice(5))}</text>`).join('');
  const ticks = [0n, maxKrw / 2n, maxKrw].map((v) => `<text x="${pad.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${grouped(v)}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-labelledby="chart-title">
<title id="chart-title">Daily payment volume and the acquirer's net settlement, in KRW</title>
<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${width - pad.right}" y2="${pad.top + plotH}" stroke="#333"/>
<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + plotH}" stroke="#333"/>
${ticks}${bars}<polyline points="${points}" fill="none" stroke="#c0392b" stroke-width="2"/>${labels}
<text x="${pad.left}" y="${height - 8}" font-size="12"><tspan fill="#3b6ea5">■ volume paid (KRW)</tspan>  <tspan fill="#c0392b">— acquirer's net settlement (KRW)</tspan></text>
</svg>`;
  const table = escape(formatSummaryTable(summary));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#111}pre{background:#f5f5f5;padding:1rem;overflow:auto}</style></head>
<body><h1>${escape(title)}</h1>
<p>${summary.ok ? 'Every ledger verifies and every check holds.' : '<strong>Something does not add up: see the checks below.</strong>'}</p>
${svg}
<pre>${table}</pre>
</body></html>
`;
}
