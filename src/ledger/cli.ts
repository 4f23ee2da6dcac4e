/**
 * `dari ledger …`: the operator's view of a ledger database. Every command
 * reads; none moves money.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readConfig } from '../platform/config.ts';
import { PAGE_TRANSFERS_MAX } from './limits.ts';
import { createLedger, type Ledger } from './service.ts';
import { isSqliteLedger, openSqliteLedgerStore } from './store-sqlite.ts';
import { openPostgresLedgerStore } from './store-postgres.ts';
import { formatVerifyReport } from './verify.ts';

export const LEDGER_USAGE = `ledger verify [--sqlite FILE]... [--postgres URL] [--json]
    Recompute every balance from the transfers and check that each ledger
    balances. Without a target, checks every ledger database in DARI_DATA_DIR
    (default ./data) and its institutions' folders. Exit code 1 if any difference is found.
ledger balance ACCOUNT [--as-of TIMESTAMP] (--sqlite FILE | --postgres URL)
    An account's balances now, or as they stood at a ledger timestamp.
ledger transfers ACCOUNT [--after TIMESTAMP] [--limit N] (--sqlite FILE | --postgres URL)
    An account's transfers in ledger order.`;

const OPTIONS = {
  sqlite: { type: 'string', multiple: true },
  postgres: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'as-of': { type: 'string' },
  after: { type: 'string' },
  limit: { type: 'string' },
} as const;

interface Target {
  readonly name: string;
  open(): Promise<Ledger>;
}

export async function ledgerCommand(argv: readonly string[], out: (line: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    out(`dari ledger: ${(error as Error).message}\n\n${LEDGER_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, accountId, ...extra] = positionals;
  const targets = resolveTargets(values.sqlite ?? [], values.postgres ?? []);
  if (typeof targets === 'string') {
    out(`dari ledger: ${targets}`);
    return 2;
  }
  if (command === 'verify' && accountId === undefined) return verify(targets, values.json === true, out);
  if ((command === 'balance' || command === 'transfers') && accountId !== undefined && extra.length === 0) {
    if (targets.length !== 1) {
      out('dari ledger: name exactly one ledger database with --sqlite FILE or --postgres URL');
      return 2;
    }
    const ledger = await targets[0]!.open();
    try {
      return command === 'balance'
        ? await balance(ledger, accountId, values['as-of'], out)
        : await transfers(ledger, accountId, values.after, values.limit, out);
    } finally {
      await ledger.close();
    }
  }
  out(`dari ledger: unknown or incomplete command\n\n${LEDGER_USAGE}`);
  return 2;
}

/** The databases named, or else every ledger database in the data folder; a string says what is wrong. */
function resolveTargets(sqlite: readonly string[], postgres: readonly string[]): Target[] | string {
  for (const file of sqlite) if (!existsSync(file)) return `no such file: ${file}`;
  const named = [
    ...sqlite.map((file) => ({ name: file, open: async () => createLedger({ store: openSqliteLedgerStore(file, { readOnly: true }) }) })),
    ...postgres.map((url) => ({
      name: redact(url),
      open: async () => createLedger({ store: await openPostgresLedgerStore(url, { writers: 'read-only' }) }),
    })),
  ];
  if (named.length > 0) return named;
  const { dataDir } = readConfig();
  const files = ledgerFilesIn(dataDir);
  if (files.length === 0) {
    return `no ledger database in ${dataDir}; start dari once (npm start), or name one with --sqlite FILE or --postgres URL`;
  }
  return files.map((file) => ({ name: file, open: async () => createLedger({ store: openSqliteLedgerStore(file, { readOnly: true }) }) }));
}

/** The ledger databases in `dataDir` and one level below (each institution keeps its own folder). */
function ledgerFilesIn(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  const entries = readdirSync(dataDir, { withFileTypes: true });
  const candidates = entries.flatMap((entry) => {
    const path = join(dataDir, entry.name);
    if (entry.isFile() && entry.name.endsWith('.db')) return [path];
    if (!entry.isDirectory()) return [];
    return readdirSync(path).filter((f) => f.endsWith('.db')).map((f) => join(path, f));
  });
  return candidates.sort().filter(isSqliteLedger);
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.href;
}

async function verify(targets: readonly Target[], json: boolean, out: (line: string) => void): Promise<number> {
  let allOk = true;
  const reports = [];
  for (const target of targets) {
    const ledger = await target.open();
    try {
      const report = await ledger.verify();
      allOk &&= report.ok;
      reports.push({ database: target.name, ...report });
      if (!json) out(`== ${target.name}\n${formatVerifyReport(report)}\n`);
    } finally {
      await ledger.close();
    }
  }
  if (json) out(JSON.stringify(reports, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
  return allOk ? 0 : 1;
}

function parseTimestamp(raw: string | undefined): bigint | undefined | null {
  if (raw === undefined) return undefined;
  return /^[0-9]{1,19}$/.test(raw) ? BigInt(raw) : null;
}

async function balance(ledger: Ledger, accountId: string, asOfRaw: string | undefined, out: (line: string) => void): Promise<number> {
  const asOf = parseTimestamp(asOfRaw);
  if (asOf === null) {
    out('dari ledger: --as-of takes a ledger timestamp (nanoseconds since the epoch, digits only)');
    return 2;
  }
  const b = await ledger.getAccountBalance(accountId, asOf === undefined ? {} : { asOfTimestamp: asOf });
  if (b === null) {
    out(`dari ledger: no account ${accountId}`);
    return 1;
  }
  out(`account ${b.accountId} (${b.ledger}) as of ${b.asOfTimestamp}`);
  out(`  debits  posted ${b.debitsPosted}  pending ${b.debitsPending}`);
  out(`  credits posted ${b.creditsPosted}  pending ${b.creditsPending}`);
  out(`  credits - debits (posted): ${b.creditsPosted - b.debitsPosted} minor units`);
  return 0;
}

async function transfers(
  ledger: Ledger,
  accountId: string,
  afterRaw: string | undefined,
  limitRaw: string | undefined,
  out: (line: string) => void,
): Promise<number> {
  const after = parseTimestamp(afterRaw);
  const limit = limitRaw === undefined ? 50 : Number(limitRaw);
  if (after === null || !Number.isInteger(limit) || limit < 1 || limit > PAGE_TRANSFERS_MAX) {
    out(`dari ledger: --after takes a ledger timestamp; --limit an integer from 1 to ${PAGE_TRANSFERS_MAX}`);
    return 2;
  }
  const page = await ledger.getAccountTransfers({ accountId, limit, ...(after === undefined ? {} : { cursorTimestamp: after }) });
  for (const t of page.transfers) {
    const direction = t.debitAccountId === accountId ? `debit  → ${t.creditAccountId}` : `credit ← ${t.debitAccountId}`;
    out(`${t.timestamp}  ${t.id}  ${direction}  ${t.amount} ${t.ledger}  code ${t.code}`);
  }
  if (page.nextTimestamp !== null) out(`more: --after ${page.nextTimestamp}`);
  return 0;
}
