import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSqliteGroupCommit, groupCommitted, GroupCommitFailedError } from './group-commit.ts';
import { openSqlite, type SqliteDatabase } from './sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'dari-group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function openTable(): { db: SqliteDatabase; path: string } {
  const path = join(dir, `t${++files}.db`);
  const db = openSqlite(path);
  db.exec('CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0))');
  return { db, path };
}

function itemStore(db: SqliteDatabase) {
  const insert = db.prepare('INSERT INTO items (id, n) VALUES (?, ?)');
  return {
    async insert(id: string, n: number): Promise<'inserted' | 'duplicate'> {
      try {
        insert.run(id, n);
        return 'inserted';
      } catch (error) {
        if (error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'duplicate';
        throw error;
      }
    },
    /** Two statements that must land together: a SAVEPOINT inside the group. */
    async insertPair(a: string, b: string, n: number): Promise<void> {
      db.transaction(() => {
        insert.run(a, n);
        insert.run(b, n);
      }).immediate();
    },
    async count(): Promise<bigint> {
      return (db.prepare('SELECT count(*) AS c FROM items').get() as { c: bigint }).c;
    },
  };
}

describe('group commit', () => {
  it('commits concurrent calls in one transaction and answers each after the commit', async () => {
    const { db, path } = openTable();
    const gc = createSqliteGroupCommit(db);
    const store = groupCommitted(itemStore(db), gc);
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => store.insert(`i${i}`, i)));
    assert.ok(answers.every((a) => a === 'inserted'));
    assert.deepEqual(gc.stats(), { groups: 1, calls: 500 });
    // What was answered is on disk: another connection sees it.
    const other = openSqlite(path, { readonly: true });
    assert.equal((other.prepare('SELECT count(*) AS c FROM items').get() as { c: bigint }).c, 500n);
    other.close();
    db.close();
  });

  it('answers nobody before the commit: a reader in the same group waits for it too', async () => {
    const { db, path } = openTable();
    const gc = createSqliteGroupCommit(db);
    const store = groupCommitted(itemStore(db), gc);
    const write = store.insert('a', 1);
    const read = store.count();
    let answered = false;
    void read.then(() => (answered = true));
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(answered, false, 'the read is held until the group is durable');
    const other = openSqlite(path, { readonly: true });
    assert.equal((other.prepare('SELECT count(*) AS c FROM items').get() as { c: bigint }).c, 0n, 'not yet visible to others');
    assert.equal(await read, 1n);
    await write;
    assert.equal((other.prepare('SELECT count(*) AS c FROM items').get() as { c: bigint }).c, 1n);
    other.close();
    db.close();
  });

  it('keeps a failed call from touching the others: statement and savepoint atomicity inside the group', async () => {
    const { db } = openTable();
    const gc = createSqliteGroupCommit(db);
    const store = groupCommitted(itemStore(db), gc);
    const results = await Promise.allSettled([
      store.insert('x', 1),
      store.insert('x', 2), // duplicate: refused, the group goes on
      store.insertPair('p', 'q', -1), // CHECK fails on the first row: neither lands
      store.insertPair('r', 's', 3),
      store.insert('t', -5), // CHECK fails: a bug-shaped error reaches its caller only
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected'],
    );
    assert.equal((results[1] as PromiseFulfilledResult<string>).value, 'duplicate');
    const ids = (db.prepare('SELECT id FROM items ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    assert.deepEqual(ids, ['r', 's', 'x']);
    assert.deepEqual(gc.stats(), { groups: 1, calls: 5 });
    db.close();
  });

  it('commits early when a group holds callsMax calls', async () => {
    const { db } = openTable();
    const gc = createSqliteGroupCommit(db, { callsMax: 10 });
    const store = groupCommitted(itemStore(db), gc);
    await Promise.all(Array.from({ length: 35 }, (_, i) => store.insert(`i${i}`, i)));
    assert.deepEqual(gc.stats(), { groups: 4, calls: 35 });
    db.close();
  });

  it('commits nothing twice and nothing late: sequential calls each get their own group', async () => {
    const { db } = openTable();
    const gc = createSqliteGroupCommit(db);
    const store = groupCommitted(itemStore(db), gc);
    for (let i = 0; i < 5; i++) assert.equal(await store.insert(`s${i}`, i), 'inserted');
    assert.deepEqual(gc.stats(), { groups: 5, calls: 5 });
    await gc.flush();
    assert.equal(db.inTransaction, false);
    db.close();
  });

  it('refuses all work after a commit it cannot confirm', async () => {
    const { db } = openTable();
    db.exec('CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (p TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)');
    const gc = createSqliteGroupCommit(db);
    // A deferred foreign key fails at COMMIT, the one failure a group can meet there.
    const bad = gc.run(async () => db.prepare("INSERT INTO child (p) VALUES ('missing')").run());
    const bystander = gc.run(async () => db.prepare("INSERT INTO parent (id) VALUES ('a')").run());
    await assert.rejects(bad, GroupCommitFailedError);
    await assert.rejects(bystander, GroupCommitFailedError, 'a call in a group that did not commit is not answered as done');
    await assert.rejects(gc.run(async () => 1), GroupCommitFailedError);
    assert.equal(db.inTransaction, false);
    assert.equal((db.prepare('SELECT count(*) AS c FROM parent').get() as { c: bigint }).c, 0n);
    db.close();
  });
});
