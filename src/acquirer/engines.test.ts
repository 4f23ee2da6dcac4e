// Starting the acquirer on PostgreSQL (`database: { engine: 'postgres', url }`):
// a restart finds what the first start wrote, and a start that fails, or a
// close, leaves no connection behind. That is checked by dropping the
// database without FORCE, which PostgreSQL refuses while anyone is connected.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPostgresPool, runAdminQuery } from '../platform/db/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../platform/testing/postgres.ts';
import { createAcquirer, type AcquirerInstance } from './index.ts';
import { acquirerIdentity, directory, merchantBody, NETWORK_ID, OPERATOR_KEY } from './test-helpers.ts';

describe('the acquirer on PostgreSQL: start, restart, failed start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dari-acquirer-engines-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const start = (url: string): Promise<AcquirerInstance> =>
    createAcquirer({
      dataDir: dir,
      database: { engine: 'postgres', url },
      identity: acquirerIdentity,
      keys: directory,
      network: { peerId: NETWORK_ID, baseUrl: 'http://127.0.0.1:9' },
      merchantIdPrefix: 'KR01',
      operatorKey: OPERATOR_KEY,
    });
  const operator = { Authorization: `Bearer ${OPERATOR_KEY}`, 'Content-Type': 'application/json' };

  /** Drops the database without FORCE: refused (after PostgreSQL's own 5 s wait) while a connection is left open. */
  const dropUnforced = async (database: TestDatabase): Promise<void> => {
    const server = new URL(database.url);
    server.pathname = '/postgres';
    await runAdminQuery(server.href, `DROP DATABASE ${database.name}`);
  };
  /** A database where one of the tables the acquirer (or its ledger) would create already exists, with another shape. */
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

  it('keeps merchants and the ledger across a restart, and leaves no connection once closed', async () => {
    const database = await createTestDatabase();
    try {
      const first = await start(database.url);
      const created = await first.app.request('/acquirer/v1/merchants', { method: 'POST', headers: operator, body: JSON.stringify(merchantBody()) });
      assert.equal(created.status, 201);
      const { merchantId } = (await created.json()) as { merchantId: string };
      assert.equal((await first.app.request(`/acquirer/v1/merchants/${merchantId}/approve`, { method: 'POST', headers: operator, body: '{}' })).status, 200);
      await first.close();

      const second = await start(database.url);
      const read = await second.app.request(`/acquirer/v1/merchants/${merchantId}`, { headers: operator });
      assert.equal(read.status, 200);
      assert.equal(((await read.json()) as { status: string }).status, 'approved');
      assert.ok((await second.verifyLedger()).ok);
      assert.equal(await second.service.merchantBalanceKrw(merchantId), 0n, 'its account, opened on approval, is in the ledger');
      await second.close();
      await dropUnforced(database);
    } catch (error) {
      await database.drop();
      throw error;
    }
  });

  for (const [what, table] of [
    ['its own tables', 'merchants'],
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
