import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import {
  createTestDatabase,
  startTestPostgres,
  startThrowawayPostgres,
  tempDirPrefix,
  testPostgresUrlEnv,
  TestPostgresStartError,
} from './postgres.ts';

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function databaseExists(url: string, name: string): Promise<boolean> {
  const server = new URL(url);
  server.pathname = '/postgres';
  const rows = await query<{ n: number }>(
    server.href,
    `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${name}'`,
  );
  return rows[0]?.n === 1;
}

describe('createTestDatabase', () => {
  const dropped: Array<() => Promise<void>> = [];
  after(async () => {
    await Promise.all(dropped.map((drop) => drop()));
  });

  it('gives a working database', async () => {
    const db = await createTestDatabase();
    dropped.push(db.drop);
    await query(db.url, 'CREATE TABLE account (id int PRIMARY KEY, balance_minor bigint NOT NULL)');
    await query(db.url, 'INSERT INTO account VALUES (1, 500), (2, -500)');
    const rows = await query<{ total: string }>(db.url, 'SELECT sum(balance_minor) AS total FROM account');
    assert.equal(rows[0]?.total, '0');
    const [current] = await query<{ name: string }>(db.url, 'SELECT current_database() AS name');
    assert.equal(current?.name, db.name);
  });

  it('gives each caller a database the others do not see', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    assert.ok(a && b);
    dropped.push(a.drop, b.drop);
    assert.notEqual(a.name, b.name);
    await query(a.url, 'CREATE TABLE only_in_a (x int)');
    const [inA] = await query<{ t: string | null }>(a.url, "SELECT to_regclass('only_in_a')::text AS t");
    const [inB] = await query<{ t: string | null }>(b.url, "SELECT to_regclass('only_in_a')::text AS t");
    assert.equal(inA?.t, 'only_in_a');
    assert.equal(inB?.t, null);
  });

  it('drop() removes the database, closing connections still open on it', async () => {
    const db = await createTestDatabase();
    const lingering = new pg.Client({ connectionString: db.url });
    // pg reports the termination and then the closed socket: both are expected.
    const lingeringError = new Promise<Error>((resolve) => lingering.on('error', resolve));
    await lingering.connect();
    assert.equal(await databaseExists(db.url, db.name), true);
    await db.drop();
    assert.equal(await databaseExists(db.url, db.name), false);
    assert.match((await lingeringError).message, /terminat/);
    await lingering.end().catch(() => {});
    await db.drop(); // a second drop is harmless (after() hooks may repeat it)
  });
});

// Run whatever DARI_TEST_POSTGRES_URL says: CI's path must be proven on every run.
describe('startThrowawayPostgres', () => {
  it('starts a real PostgreSQL with durability on and many connections, then stops it', async () => {
    const server = await startThrowawayPostgres();
    let stopped = false;
    after(async () => {
      if (!stopped) await server.stop();
    });
    assert.ok(existsSync(join(server.dir, 'data', 'PG_VERSION')));
    assert.ok(server.dir.startsWith(join(tmpdir(), tempDirPrefix)));
    const [settings] = await query<Record<string, string>>(
      server.url,
      `SELECT current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS synchronous_commit,
              current_setting('max_connections')::int >= 100 AS enough_connections,
              current_setting('server_version_num')::int >= 180000 AS version_18`,
    );
    assert.deepEqual(settings, {
      fsync: 'on',
      synchronous_commit: 'on',
      enough_connections: true,
      version_18: true,
    });

    // One connection holds a transaction open while eight others work (a
    // single-session server, such as PGlite's, would block them).
    const pool = new pg.Pool({ connectionString: server.url, max: 9 });
    // pool.end() resolves once each client has asked to end, not once its
    // socket is closed: the shutdown below may still reach one and the pool
    // re-emits that as 'error', which must not become an uncaught exception.
    pool.on('error', () => {});
    const holder = await pool.connect();
    await holder.query('BEGIN');
    await holder.query('CREATE TABLE held (x int)');
    const counts = await Promise.all(
      Array.from({ length: 8 }, () => pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity')),
    );
    assert.ok(counts.every((result) => (result.rows[0]?.n ?? 0) >= 2));
    await holder.query('ROLLBACK');
    holder.release();
    await pool.end();

    await server.stop();
    stopped = true;
    assert.equal(existsSync(server.dir), false);
    await assert.rejects(query(server.url, 'SELECT 1'), /ECONNREFUSED/);
    await server.stop(); // idempotent
  });

  it('fails with an error naming startTimeoutMs, leaving nothing behind', async () => {
    const error = await startThrowawayPostgres({ startTimeoutMs: 100 }).then(
      () => assert.fail('a server started within 100 ms'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof TestPostgresStartError);
    assert.match(error.message, /did not start within startTimeoutMs=100/);
    assert.equal(existsSync(error.dir), false);
  });
});

describe('startTestPostgres', () => {
  it('returns the server DARI_TEST_POSTGRES_URL names, and stop() leaves it running', async () => {
    const before = process.env[testPostgresUrlEnv];
    process.env[testPostgresUrlEnv] = 'postgres://someone@127.0.0.1:1/elsewhere';
    try {
      const server = await startTestPostgres();
      assert.equal(server.url, 'postgres://someone@127.0.0.1:1/elsewhere');
      await server.stop();
    } finally {
      if (before === undefined) delete process.env[testPostgresUrlEnv];
      else process.env[testPostgresUrlEnv] = before;
    }
  });
});

describe('the throwaway server of a process without DARI_TEST_POSTGRES_URL', () => {
  // Each child creates a database, prints the server's URL, and ends: by
  // emptying its event loop (the 'beforeExit' hook) or by process.exit().
  for (const ending of ['', 'process.exit(0);']) {
    it(`is stopped and removed when the process ends${ending ? ' by process.exit()' : ''}`, async () => {
      const script =
        `const { createTestDatabase } = await import('${new URL('./postgres.ts', import.meta.url).href}');` +
        'const db = await createTestDatabase(); console.log(db.url);' +
        ending;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, [testPostgresUrlEnv]: '' },
        timeout: 60_000,
      });
      assert.equal(child.status, 0, child.stderr);
      const url = child.stdout.trim();
      assert.match(url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/dari_test_\d+_[0-9a-f]{8}$/);
      await assert.rejects(query(url, 'SELECT 1'), /ECONNREFUSED/);
      const left = readdirSync(tmpdir())
        .filter((name) => name.startsWith(tempDirPrefix))
        .filter((name) => {
          const owner = join(tmpdir(), name, 'owner');
          return existsSync(owner) && readFileSync(owner, 'utf8').startsWith(`${child.pid} `);
        });
      assert.deepEqual(left, []);
    });
  }
});
