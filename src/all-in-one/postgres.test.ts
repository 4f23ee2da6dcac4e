/**
 * The all-in-one deployment on PostgreSQL (`startDari({ database: { engine:
 * 'postgres', url } })`, what `DARI_DATABASE_URL` sets): it creates one
 * database per institution, `<base>_network`, `<base>_wallet` and
 * `<base>_acquirer`; a user-presented payment goes through all three and a
 * clearing cycle closes over it, with the participant's file downloaded and
 * every ledger verifying; a restart finds all of it; a fresh data directory
 * (new keys) over those databases is refused; and once closed no connection
 * is left open. One clock, moved by the test, drives the three institutions.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { runAdminQuery } from '../platform/db/postgres.ts';
import { startTestPostgres, type TestPostgres } from '../platform/testing/postgres.ts';
import { parseClearingFile } from '../protocol/index.ts';
import { startDari, type Dari } from './compose.ts';
import { INSTITUTIONS, institutionDatabaseUrl } from './databases.ts';
import { apiClient } from './http-client.ts';
import { PARTICIPANTS } from './secrets.ts';
import { seedDemo, type DemoCredentials } from './seed.ts';

/** 2026-11-25 22:58:00 in Seoul (UTC+9): two minutes before the default cut-off. */
const START_MS = Date.UTC(2026, 10, 25, 13, 58, 0);
const CYCLE = '2026-11-25T2300';

describe('the all-in-one deployment on PostgreSQL, one database per institution', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-all-in-one-postgres-'));
  const base = `dari_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const realStart = Date.now();
  let offsetMs = 0;
  const now = (): Date => new Date(START_MS + (Date.now() - realStart) + offsetMs);
  let server: TestPostgres;
  let url: string;
  let dari: Dari | undefined;
  let credentials: DemoCredentials;
  let acquirerPaymentId: string;
  let balanceBefore: unknown;
  const names = INSTITUTIONS.map((institution) => `${base}_${institution}`);

  const start = (dir = dataDir): Promise<Dari> =>
    startDari({ dataDir: dir, port: 0, version: 'test', resolveIntervalMs: null, peerTimeoutMs: 5_000, now, database: { engine: 'postgres', url } });
  const api = () => apiClient(dari!.url);
  const databasesOnServer = async (): Promise<string[]> => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname', [`${base}%`]);
      return rows.map((r) => r.datname);
    } finally {
      await client.end();
    }
  };

  before(async () => {
    server = await startTestPostgres();
    const serverUrl = new URL(server.url);
    serverUrl.pathname = `/${base}`;
    url = serverUrl.href;
  });
  after(async () => {
    await dari?.close();
    for (const name of names) await runAdminQuery(server.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names each institution its database after the base name', () => {
    assert.deepEqual(
      INSTITUTIONS.map((institution) => new URL(institutionDatabaseUrl(url, institution)).pathname),
      names.map((name) => `/${name}`),
    );
    assert.equal(new URL(institutionDatabaseUrl('postgres://dari@db.example:5432', 'wallet')).pathname, '/dari_wallet', 'the default base name');
  });

  it('creates the three databases, and takes a payment through the three institutions', async () => {
    assert.deepEqual(await databasesOnServer(), []);
    dari = await start();
    assert.equal(dari.firstStart, true);
    assert.deepEqual(await databasesOnServer(), [...names].sort());
    credentials = await seedDemo(dari);
    const code = await api().call<{ code: string }>('POST', '/wallet/v1/payment-codes', { token: credentials.tourist.token });
    const paid = await api().call<{ paymentId: string; status: string; payAmount: { currency: string; value: string } }>('POST', '/acquirer/v1/payments', {
      token: credentials.merchant.terminalKey,
      body: { paymentRequestId: 'pg-1', amount: { currency: 'KRW', value: '15000' }, paymentCode: code.code },
    });
    assert.equal(paid.status, 'SUCCESS');
    assert.deepEqual(paid.payAmount, { currency: 'CNY', value: '7885' });
    acquirerPaymentId = paid.paymentId;
    balanceBefore = await api().call('GET', '/wallet/v1/balance', { token: credentials.tourist.token });
    const health = await fetch(`${dari.url}/health`);
    assert.equal(health.status, 200);
  });

  it('closes the cycle over it on PostgreSQL: positions, instructions and the acquirer file', async () => {
    offsetMs += Date.UTC(2026, 10, 25, 14, 0, 5) - now().getTime(); // 23:00:05 in Seoul: the cycle has closed
    const operator = { token: credentials.networkOperatorKey };
    const closed = await api().call<{ entryCount: number; positions: { role: string; net: { currency: string; value: string } }[]; instructions: { direction: string; amount: { value: string } }[] }>(
      'POST',
      `/network/v1/clearing/cycles/${CYCLE}/close`,
      operator,
    );
    assert.equal(closed.entryCount, 1);
    assert.deepEqual(
      closed.positions.map((p) => [p.role, p.net.currency, p.net.value]),
      [
        ['wallet', 'CNY', '-7885'],
        ['acquirer', 'KRW', '15000'],
      ],
    );
    assert.deepEqual(
      closed.instructions.map((i) => [i.direction, i.amount.value]),
      [
        ['participant-pays', '7885'],
        ['participant-receives', '15000'],
      ],
    );
    const file = await fetch(`${dari!.url}/network/v1/clearing/cycles/${CYCLE}/files/${PARTICIPANTS.acquirer}`, { headers: { Authorization: `Bearer ${credentials.networkOperatorKey}` } });
    assert.equal(file.status, 200);
    const parsed = parseClearingFile(await file.text());
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.error));
    assert.deepEqual(
      parsed.value.records.map((r) => [r.transactionType, r.requestId, r.settlementAmount.value, r.direction]),
      [['PAYMENT', acquirerPaymentId, 15_000n, 'CREDIT']],
      "the acquirer's own payment id is its request id",
    );
    for (const institution of [dari!.network, dari!.wallet, dari!.acquirer]) assert.ok((await institution.verifyLedger()).ok);
  });

  it('finds all of it after a restart on the same databases', async () => {
    await dari!.close();
    dari = undefined;
    dari = await start();
    assert.equal(dari.firstStart, false);
    const cycle = await api().call<{ cycleId: string; entryCount: number }>('GET', `/network/v1/clearing/cycles/${CYCLE}`, { token: credentials.networkOperatorKey });
    assert.deepEqual([cycle.cycleId, cycle.entryCount], [CYCLE, 1]);
    assert.deepEqual(await api().call('GET', '/wallet/v1/balance', { token: credentials.tourist.token }), balanceBefore, "the tourist's balance");
    const payment = await api().call<{ status: string }>('GET', `/acquirer/v1/payments/${acquirerPaymentId}`, { token: credentials.merchant.terminalKey });
    assert.equal(payment.status, 'SUCCESS');
    for (const institution of [dari.network, dari.wallet, dari.acquirer]) assert.ok((await institution.verifyLedger()).ok);
  });

  it('refuses new keys over the databases of an earlier deployment, and leaves no connection once closed', async () => {
    await dari!.close();
    dari = undefined;
    const freshDir = mkdtempSync(join(tmpdir(), 'dari-all-in-one-postgres-fresh-'));
    try {
      await assert.rejects(() => start(freshDir), /hold an earlier deployment, whose keys are not in/);
    } finally {
      rmSync(freshDir, { recursive: true, force: true });
    }
    // Without FORCE, PostgreSQL refuses to drop a database anyone is still connected to.
    for (const name of names) await runAdminQuery(server.url, `DROP DATABASE ${name}`);
    assert.deepEqual(await databasesOnServer(), []);
  });
});
