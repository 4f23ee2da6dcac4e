/**
 * `dari reconcile`: run, show and list against a running dari, with the
 * operator's key from the command line or from the data directory's secrets,
 * and an exit code a script can branch on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startDari, type Dari } from './compose.ts';
import { apiClient } from './http-client.ts';
import { RECONCILE_EXIT, reconcileCommand } from './reconcile-command.ts';
import { seedDemo, type DemoCredentials } from './seed.ts';

/** 2026-11-25 20:00 in Seoul; the cycle closes at 23:00. */
const START_MS = Date.UTC(2026, 10, 25, 11, 0, 0);
const CYCLE = '2026-11-25T2300';

describe('dari reconcile', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-reconcile-cli-'));
  const realStart = Date.now();
  let offsetMs = 0;
  const now = (): Date => new Date(START_MS + (Date.now() - realStart) + offsetMs);
  let dari: Dari;
  let credentials: DemoCredentials;
  const run = async (...argv: string[]): Promise<{ code: number; text: string }> => {
    const lines: string[] = [];
    const code = await reconcileCommand(argv, (line) => lines.push(line));
    return { code, text: lines.join('\n') };
  };

  before(async () => {
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null, now });
    credentials = await seedDemo(dari);
    const api = apiClient(dari.url);
    const code = await api.call<{ code: string }>('POST', '/wallet/v1/payment-codes', { token: credentials.tourist.token });
    await api.call('POST', '/acquirer/v1/payments', {
      token: credentials.merchant.terminalKey,
      body: { paymentRequestId: 'cli-1', amount: { currency: 'KRW', value: '15000' }, paymentCode: code.code },
    });
  });
  after(async () => {
    await dari?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says why it cannot run: bad usage (2), a cycle not closed yet (3), nothing listening (3)', async () => {
    assert.equal((await run()).code, RECONCILE_EXIT.usage);
    assert.equal((await run('run', 'bank', CYCLE)).code, RECONCILE_EXIT.usage);
    assert.equal((await run('run', 'wallet')).code, RECONCILE_EXIT.usage);
    assert.equal((await run('run', 'wallet', CYCLE, '--bogus')).code, RECONCILE_EXIT.usage);
    const early = await run('run', 'wallet', CYCLE, '--url', dari.url, '--key', credentials.walletOperatorKey);
    assert.equal(early.code, RECONCILE_EXIT.notRun);
    assert.match(early.text, /409 CYCLE_NOT_CLOSED/);
    const refused = await run('run', 'acquirer', CYCLE, '--url', dari.url, '--key', 'not-the-key');
    assert.equal(refused.code, RECONCILE_EXIT.notRun);
    assert.match(refused.text, /401/);
    const nobody = await run('list', 'wallet', '--url', 'http://127.0.0.1:9', '--key', 'k');
    assert.equal(nobody.code, RECONCILE_EXIT.notRun);
    assert.match(nobody.text, /did not answer/);
  });

  it('runs a clean reconciliation (0), shows it and lists it, taking the key from the data directory', async () => {
    offsetMs += Date.UTC(2026, 10, 25, 14, 0, 5) - now().getTime();
    await apiClient(dari.url).call('POST', `/network/v1/clearing/cycles/${CYCLE}/close`, { token: credentials.networkOperatorKey });
    const previous = process.env.DARI_DATA_DIR;
    process.env.DARI_DATA_DIR = dataDir;
    try {
      const ran = await run('run', 'acquirer', CYCLE, '--url', dari.url);
      assert.equal(ran.code, RECONCILE_EXIT.clean, ran.text);
      assert.match(ran.text, /CLEAN: every transaction matched/);
      assert.match(ran.text, /ledger: 1 entries, 1 matched/);
      const shown = await run('show', 'acquirer', CYCLE, '--url', dari.url, '--json');
      assert.equal(JSON.parse(shown.text).clean, true);
      const listed = await run('list', 'acquirer', '--url', dari.url);
      assert.match(listed.text, new RegExp(`${CYCLE} .* clean`));
    } finally {
      if (previous === undefined) delete process.env.DARI_DATA_DIR;
      else process.env.DARI_DATA_DIR = previous;
    }
  });

  it('exits 1 with every difference and its reason when the ledger does not match the file', async () => {
    const db = new Database(join(dataDir, 'wallet', 'ledger.db'));
    try {
      db.prepare("UPDATE transfers SET amount = amount + 100 WHERE id LIKE 'pay:%'").run();
    } finally {
      db.close();
    }
    const ran = await run('run', 'wallet', CYCLE, '--url', dari.url, '--key', credentials.walletOperatorKey);
    assert.equal(ran.code, RECONCILE_EXIT.differences, ran.text);
    assert.match(ran.text, /DIFFERENCES: 1 \(.*amount-mismatch 1/);
    assert.match(ran.text, /amount-mismatch +PAYMENT +NP/);
    assert.match(ran.text, /is CNY -\d+ in the ledger and CNY -\d+ in the clearing file/);
  });
});
