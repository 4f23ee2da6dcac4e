/**
 * The secrets file across versions: a data directory from before issue 7
 * (no mall or marketplace keys) gets them on its next start, and keeps every
 * key it had, so the deployment's signatures go on verifying.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exportPublicKeyPem } from '../platform/signing/index.ts';
import { loadOrCreateSecrets, PARTICIPANTS } from './secrets.ts';

describe('the secrets file', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-secrets-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('gives a file from before the mall and the marketplace their keys, keeping the others', () => {
    const first = loadOrCreateSecrets(dataDir);
    assert.equal(first.created, true);
    assert.deepEqual(Object.keys(first.secrets.keys).sort(), Object.keys(PARTICIPANTS).sort());
    const path = join(dataDir, 'secrets.json');
    const file = JSON.parse(readFileSync(path, 'utf8')) as { privateKeysPem: Record<string, string>; mallOperatorKey?: string; marketplaceOperatorKey?: string };
    delete file.privateKeysPem.mall;
    delete file.privateKeysPem.marketplace;
    delete file.mallOperatorKey;
    delete file.marketplaceOperatorKey;
    writeFileSync(path, JSON.stringify(file), { mode: 0o600 });

    const upgraded = loadOrCreateSecrets(dataDir);
    assert.equal(upgraded.created, false);
    for (const name of ['network', 'wallet', 'acquirer'] as const) {
      assert.equal(exportPublicKeyPem(upgraded.secrets.keys[name].publicKey), exportPublicKeyPem(first.secrets.keys[name].publicKey), `${name} keeps its key`);
    }
    assert.equal(upgraded.secrets.acquirerOperatorKey, first.secrets.acquirerOperatorKey);
    assert.notEqual(exportPublicKeyPem(upgraded.secrets.keys.mall.publicKey), exportPublicKeyPem(first.secrets.keys.mall.publicKey), 'a new mall key');
    assert.match(upgraded.secrets.mallOperatorKey, /^mall_op_/);
    assert.match(upgraded.secrets.marketplaceOperatorKey, /^mkt_op_/);
    assert.equal(statSync(path).mode & 0o777, 0o600);

    const again = loadOrCreateSecrets(dataDir);
    assert.equal(again.secrets.mallOperatorKey, upgraded.secrets.mallOperatorKey, 'written once, read after');
    assert.equal(exportPublicKeyPem(again.secrets.keys.marketplace.publicKey), exportPublicKeyPem(upgraded.secrets.keys.marketplace.publicKey));
  });
});
