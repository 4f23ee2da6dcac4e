/**
 * `dari ledger …` as an operator runs it: exit codes and what it prints, on a
 * real SQLite ledger file, including one whose balances were tampered with.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ledgerCommand } from './cli.ts';
import { createLedger } from './service.ts';
import { openSqliteLedgerStore } from './store-sqlite.ts';
import { openPostgresLedgerStore } from './store-postgres.ts';
import { createTestDatabase } from '../platform/testing/postgres.ts';

let dir: string;
let file: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dari-cli-test-'));
  file = join(dir, 'ledger.db');
  const ledger = await createLedger({ store: openSqliteLedgerStore(file) });
  await ledger.createAccounts([
    { id: 'bank', ledger: 'CNY', code: 1 },
    { id: 'tourist', ledger: 'CNY', code: 2, flags: { debitsMustNotExceedCredits: true } },
  ]);
  const [outcome] = await ledger.createTransfers([
    { id: 'top-up-1', debitAccountId: 'bank', creditAccountId: 'tourist', amount: 100_000n, ledger: 'CNY', code: 1 },
  ]);
  assert.equal(outcome?.result, 'ok');
  await ledger.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const [area, ...rest] = argv;
  assert.equal(area, 'ledger');
  const code = await ledgerCommand(rest, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

test('verify passes on a sound ledger and says so', async () => {
  const { code, output } = await run('ledger', 'verify', '--sqlite', file);
  assert.equal(code, 0);
  assert.match(output, /ledger CNY: debits posted 100000 \/ credits posted 100000/);
  assert.match(output, /verify: OK/);
});

test('balance and transfers read one account', async () => {
  const balance = await run('ledger', 'balance', 'tourist', '--sqlite', file);
  assert.equal(balance.code, 0);
  assert.match(balance.output, /credits posted 100000/);
  const transfers = await run('ledger', 'transfers', 'tourist', '--sqlite', file);
  assert.equal(transfers.code, 0);
  assert.match(transfers.output, /top-up-1 {2}credit ← bank {2}100000 CNY/);
});

test('bad usage exits 2 with a message', async () => {
  const cases: [string[], RegExp][] = [
    [['ledger', 'verify', '--sqlite', join(dir, 'missing.db')], /no such file/],
    [['ledger', 'balance', 'tourist'], /no ledger database|exactly one/],
    [['ledger', 'balance', 'tourist', '--sqlite', file, '--as-of', '12.5'], /--as-of takes a ledger timestamp/],
    [['ledger', 'frobnicate', '--sqlite', file], /unknown or incomplete command/],
    [['ledger', 'verify', '--bogus'], /Unknown option/],
  ];
  for (const [argv, message] of cases) {
    const { code, output } = await run(...argv);
    assert.equal(code, 2, argv.join(' '));
    assert.match(output, message, argv.join(' '));
  }
});

test('verify finds a tampered balance, names it, and exits 1', async () => {
  const raw = new Database(file);
  raw.prepare(`UPDATE account_balances SET credits_posted = credits_posted + 1 WHERE account_key = (SELECT account_key FROM accounts WHERE id = 'tourist')`).run();
  raw.close();
  const { code, output } = await run('ledger', 'verify', '--sqlite', file);
  assert.equal(code, 1);
  assert.match(output, /account tourist: creditsPosted stored 100001, transfers say 100000/);
  assert.match(output, /NOT BALANCED/);
  assert.match(output, /verify: FAILED/);
});

test('verify reads a PostgreSQL ledger read-only, with the password hidden in what it prints', async () => {
  const database = await createTestDatabase();
  try {
    const ledger = await createLedger({ store: await openPostgresLedgerStore(database.url) });
    await ledger.createAccounts([
      { id: 'bank', ledger: 'KRW', code: 1 },
      { id: 'shop', ledger: 'KRW', code: 3 },
    ]);
    await ledger.createTransfers([
      { id: 'settle-1', debitAccountId: 'bank', creditAccountId: 'shop', amount: 15_000n, ledger: 'KRW', code: 1 },
    ]);
    const withPassword = new URL(database.url);
    withPassword.password = 'secret';
    const { code, output } = await run('ledger', 'verify', '--postgres', database.url);
    assert.equal(code, 0, output);
    assert.match(output, /ledger KRW: debits posted 15000 \/ credits posted 15000/);
    // The writer still holds the latest epoch: the operator's read did not fence it.
    const [after] = await ledger.createTransfers([
      { id: 'settle-2', debitAccountId: 'bank', creditAccountId: 'shop', amount: 1n, ledger: 'KRW', code: 1 },
    ]);
    assert.equal(after?.result, 'ok');
    await ledger.close();
    const hidden = await run('ledger', 'verify', '--postgres', withPassword.href);
    assert.doesNotMatch(hidden.output, /secret/);
  } finally {
    await database.drop();
  }
});
