/**
 * `dari reconcile …`: an operator runs and reads reconciliation at the wallet
 * or the acquirer of a running dari, over its API (the same routes a back
 * office would call). Exit codes: 0 clean, 1 differences found, 2 bad usage,
 * 3 it could not run (not closed yet, unreachable, refused).
 */
import { parseArgs } from 'node:util';
import { readConfig } from '../platform/config.ts';
import type { ReconciliationJson } from '../protocol/index.ts';
import { apiClient } from './http-client.ts';
import { readOperatorKeys } from './secrets.ts';

export const RECONCILE_USAGE = `  dari reconcile run (wallet|acquirer) CYCLE [--url URL] [--key KEY] [--json]
      reconciles a closed clearing cycle (e.g. 2026-11-25T2300) now: the network's clearing file
      against the institution's ledger; exit 1 if any difference is found
  dari reconcile show (wallet|acquirer) CYCLE [--url URL] [--key KEY] [--json]
      the cycle's latest run, as it came out
  dari reconcile list (wallet|acquirer) [--url URL] [--key KEY]
      the latest runs, newest first
      --url defaults to http://127.0.0.1:$PORT (3000); --key to the operator's key in
      $DARI_DATA_DIR/secrets.json (./data), which npm start writes`;

export const RECONCILE_EXIT = { clean: 0, differences: 1, usage: 2, notRun: 3 } as const;

const INSTITUTIONS = ['wallet', 'acquirer'] as const;
type Institution = (typeof INSTITUTIONS)[number];

export async function reconcileCommand(argv: readonly string[], out: (line: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { url: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  } catch (error) {
    out(`dari reconcile: ${(error as Error).message}\n\nusage:\n${RECONCILE_USAGE}`);
    return RECONCILE_EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, institution, cycleId, ...extra] = positionals;
  const usage = (problem: string): number => {
    out(`dari reconcile: ${problem}\n\nusage:\n${RECONCILE_USAGE}`);
    return RECONCILE_EXIT.usage;
  };
  if (command !== 'run' && command !== 'show' && command !== 'list') return usage('say run, show or list');
  if (!INSTITUTIONS.includes(institution as Institution)) return usage('name the institution: wallet or acquirer');
  if (command === 'list' ? cycleId !== undefined : cycleId === undefined || extra.length > 0) return usage(command === 'list' ? 'list takes no cycle' : 'name one cycle, e.g. 2026-11-25T2300');
  const config = readConfig();
  const key = values.key ?? keyFromDataDir(config.dataDir, institution as Institution);
  if (key === null) return usage(`no --key, and no ${institution} operator key in ${config.dataDir}/secrets.json`);
  const url = values.url ?? `http://127.0.0.1:${config.port}`;
  const api = apiClient(url.replace(/\/$/, ''));
  const base = `/${institution}/v1/reconciliations`;
  let answer;
  try {
    answer =
      command === 'run'
        ? await api.request('POST', base, { token: key, body: { cycleId } })
        : await api.request('GET', command === 'show' ? `${base}/${encodeURIComponent(cycleId!)}` : base, { token: key });
  } catch (error) {
    out(`dari reconcile: ${url} did not answer (${(error as Error).message}); is dari running?`);
    return RECONCILE_EXIT.notRun;
  }
  if (answer.status !== 200) {
    const error = (answer.body as { error?: { code?: string; message?: string } }).error;
    out(`dari reconcile: ${answer.status} ${error?.code ?? ''}: ${error?.message ?? JSON.stringify(answer.body)}`);
    return RECONCILE_EXIT.notRun;
  }
  if (command === 'list') {
    const { runs } = answer.body as { runs: { runId: number; cycleId: string; ranAt: string; clean: boolean }[] };
    if (values.json) out(JSON.stringify(answer.body));
    else out(runs.length === 0 ? 'no reconciliation has run yet' : runs.map((r) => `${String(r.runId).padStart(6)}  ${r.cycleId}  ${r.ranAt}  ${r.clean ? 'clean' : 'DIFFERENCES'}`).join('\n'));
    return RECONCILE_EXIT.clean;
  }
  const run = answer.body as unknown as ReconciliationJson;
  out(values.json ? JSON.stringify(run) : formatReconciliation(institution as Institution, run));
  return run.clean ? RECONCILE_EXIT.clean : RECONCILE_EXIT.differences;
}

function keyFromDataDir(dataDir: string, institution: Institution): string | null {
  const keys = readOperatorKeys(dataDir);
  return keys === null ? null : keys[institution];
}

function signed(a: { currency: string; value: string }): string {
  return `${a.currency} ${a.value}`;
}

/** A run as an operator reads it: what was compared, the verdict, then every difference with its reason. */
export function formatReconciliation(institution: Institution, run: ReconciliationJson): string {
  const lines = [
    `${institution} ${run.participantId}, cycle ${run.cycleId} [${run.opensAt}, ${run.closesAt}), run ${run.runId} at ${run.ranAt}`,
    `clearing file: ${run.file.detailCount} transactions, checksum ${run.file.checksum}`,
    `ledger: ${run.ledgerEntryCount} entries, ${run.matchedCount} matched`,
  ];
  const differences = run.findings.length + run.counts.unexplained;
  lines.push(run.clean ? 'CLEAN: every transaction matched' : `DIFFERENCES: ${differences} (${Object.entries(run.counts).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`).join(', ')})`);
  for (const f of run.findings) lines.push(`  ${f.kind.padEnd(18)} ${f.transactionType.padEnd(12)} ${f.transactionId}`, `      ${f.reason}`);
  for (const u of run.unexplained) lines.push(`  ${'unexplained'.padEnd(18)} ${u.ownRef} ${signed(u.amount)}`, `      ${u.reason}`);
  if (run.timing.length > 0) {
    lines.push(`timing differences (not differences: the network counted them in a neighbouring cycle): ${run.counts.timing}`);
    for (const t of run.timing) lines.push(`  ${t.transactionType.padEnd(12)} ${t.transactionId} ${signed(t.amount)} in ${t.cycleId}`);
  }
  if (run.findings.length + run.unexplained.length < differences) lines.push(`  … and ${differences - run.findings.length - run.unexplained.length} more (the API lists the first ones)`);
  return lines.join('\n');
}
