/**
 * The institutions in a worker thread each (ADR 18): each serves its own
 * routes on its own port and only those, answers its parent (ledger,
 * recovery pass, CPU profile), and closes. A payment through all three is
 * the payments benchmark's test (payments.bench.test.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INSTITUTIONS } from './institution-thread.ts';
import { institutionsApi, startInstitutionThreads, type InstitutionThreads } from './threads.ts';

describe('institution threads', () => {
  let dataDir = '';
  let threads: InstitutionThreads;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dari-threads-'));
    threads = await startInstitutionThreads({ dataDir, version: 'test', resolveIntervalMs: null });
  });
  after(async () => {
    await threads.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives each institution its own port, healthy, with its databases in its own folder', async () => {
    assert.equal(new Set(Object.values(threads.urls)).size, 3);
    for (const name of INSTITUTIONS) {
      const response = await fetch(`${threads.urls[name]}/health`);
      const body = (await response.json()) as { status: string; checks: { name: string }[] };
      assert.equal(response.status, 200);
      assert.deepEqual(body.checks.map((c) => c.name), [name]);
      assert.ok(existsSync(join(dataDir, name)), `${name}'s folder`);
    }
    assert.equal(threads.firstStart, true);
  });

  it("serves only its own routes: another institution's path is not found there", async () => {
    const wrong = await fetch(`${threads.urls.wallet}/acquirer/v1/merchants`, { headers: { Authorization: `Bearer ${threads.secrets.acquirerOperatorKey}` } });
    assert.equal(wrong.status, 404);
    const right = await fetch(`${threads.urls.acquirer}/acquirer/v1/merchants`, { headers: { Authorization: `Bearer ${threads.secrets.acquirerOperatorKey}` } });
    assert.equal(right.status, 200);
  });

  it('routes a path to the institution its first segment names', async () => {
    const api = institutionsApi(threads.urls);
    const user = await api.call<{ userId: string; token: string }>('POST', '/wallet/v1/users', { body: { name: 'Thread Tourist', phone: '+8613600136000', country: 'CN' } });
    assert.match(user.userId, /.+/);
    const participants = await api.call<{ participants: unknown[] }>('GET', '/network/v1/participants', { token: threads.secrets.networkOperatorKey });
    assert.ok(Array.isArray(participants.participants));
    assert.throws(() => api.request('GET', '/shop/'), /an institution's path/);
  });

  it("answers its parent: every ledger verifies, a recovery pass runs, a CPU profile is written", async () => {
    for (const name of INSTITUTIONS) assert.equal((await threads.verifyLedger(name)).ok, true, name);
    await threads.resolveOpen();
    await threads.startCpuProfiles(dataDir, 'threads-test');
    const paths = await threads.stopCpuProfiles();
    assert.deepEqual(paths.map((p) => p.replace(dataDir, '')).sort(), INSTITUTIONS.map((name) => `/threads-test-${name}.cpuprofile`).sort());
    for (const path of paths) assert.ok(existsSync(path));
  });
});
