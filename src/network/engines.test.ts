// Starting the network on PostgreSQL (`database: { engine: 'postgres', url }`):
// a restart finds what the first start wrote (participants, rates, a closed
// clearing cycle, the epoch), and a start that fails, or a close, leaves no
// connection behind. That is checked by dropping the database without FORCE,
// which PostgreSQL refuses while anyone is connected.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPostgresPool, runAdminQuery } from '../platform/db/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../platform/testing/postgres.ts';
import { createNetwork, type NetworkInstance } from './index.ts';
import { identity, NETWORK_ID, OPERATOR_KEY } from './test-helpers.ts';

describe('the network on PostgreSQL: start, restart, failed start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dari-network-engines-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const networkIdentity = identity(NETWORK_ID);
  const wallet = identity('WALLET_CN_01');
  /** 2026-11-25 23:30 in Seoul: the cycle of the 25th closed half an hour ago. */
  let nowMs = Date.UTC(2026, 10, 25, 14, 30);

  const start = (url: string): Promise<NetworkInstance> =>
    createNetwork({ dataDir: dir, database: { engine: 'postgres', url }, identity: networkIdentity, operatorKey: OPERATOR_KEY, now: () => new Date(nowMs) });
  const operator = { Authorization: `Bearer ${OPERATOR_KEY}`, 'Content-Type': 'application/json' };

  /** Drops the database without FORCE: refused (after PostgreSQL's own 5 s wait) while a connection is left open. */
  const dropUnforced = async (database: TestDatabase): Promise<void> => {
    const server = new URL(database.url);
    server.pathname = '/postgres';
    await runAdminQuery(server.href, `DROP DATABASE ${database.name}`);
  };
  /** A database where one of the tables the network (or its ledger) would create already exists, with another shape. */
  const databaseHolding = async (table: string): Promise<TestDatabase> => {
    const database = await createTestDatabase();
    const pool = createPostgresPool(database.url, { connectionsMax: 1 });
    try {
      await pool.query(`CREATE TABLE ${table} (unrelated INTEGER)`);
    } finally {
      await pool.end();
    }
    return database;
  };

  it('keeps participants, rates and closed cycles across a restart, and leaves no connection once closed', async () => {
    const database = await createTestDatabase();
    try {
      const first = await start(database.url);
      const registered = await first.app.request('/network/v1/participants', {
        method: 'POST',
        headers: operator,
        body: JSON.stringify({
          participantId: wallet.clientId,
          role: 'wallet',
          name: 'China wallet',
          baseUrl: 'http://127.0.0.1:9',
          publicKey: wallet.publicKeyBase64,
          keyVersion: 1,
          codePrefix: '2851',
          currency: 'CNY',
        }),
      });
      assert.equal(registered.status, 201);
      assert.equal((await first.app.request('/network/v1/fx-rates/CNY/KRW', { method: 'PUT', headers: operator, body: JSON.stringify({ rate: '190.25' }) })).status, 201);
      nowMs += 86_400_000;
      const closed = await first.clearing.closeDueCycles();
      assert.deepEqual(
        closed.map((c) => c.cycleId),
        ['2026-11-26T2300'],
        "the epoch's cycle, due a day later",
      );
      await first.close();

      const second = await start(database.url);
      const participants = (await (await second.app.request('/network/v1/participants', { headers: operator })).json()) as { participants: { participantId: string }[] };
      assert.deepEqual(
        participants.participants.map((p) => p.participantId),
        [wallet.clientId],
      );
      assert.equal(second.keys.lookup(wallet.clientId, 1).found, 'key', 'its key, read back into the directory');
      const rates = (await (await second.app.request('/network/v1/fx-rates', { headers: operator })).json()) as { fxRates: { rate: string }[] };
      assert.deepEqual(
        rates.fxRates.map((r) => r.rate),
        ['190.25'],
      );
      assert.deepEqual(
        (await second.clearing.listCycles(10)).map((c) => c.cycleId),
        ['2026-11-26T2300'],
      );
      assert.deepEqual(await second.clearing.closeDueCycles(), [], 'nothing more is due: the epoch was kept');
      assert.ok((await second.verifyLedger()).ok);
      await second.close();
      await dropUnforced(database);
    } catch (error) {
      await database.drop();
      throw error;
    }
  });

  for (const [what, table] of [
    ['its own tables', 'payments'],
    ['its clearing tables', 'clearing_cycles'],
    ['its ledger', 'transfers'],
  ] as const) {
    it(`a start that fails on ${what} rejects and closes every connection it opened`, async () => {
      const database = await databaseHolding(table);
      try {
        await assert.rejects(() => start(database.url), /already exists/);
        await dropUnforced(database);
      } catch (error) {
        await database.drop();
        throw error;
      }
    });
  }
});
