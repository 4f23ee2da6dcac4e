import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  createKeyDirectory,
  exportPrivateKeyBase64,
  exportPrivateKeyPem,
  exportPublicKeyBase64,
  exportPublicKeyPem,
  generateSigningKeyPair,
  importPrivateKey,
  importPublicKey,
} from './keys.ts';
import { signMessage, verifyMessage } from './message.ts';
import { now, request } from './test-helpers.ts';

describe('keys', () => {
  it('exports and imports a pair as PEM and as base64, and the imported keys sign and verify', () => {
    const pair = generateSigningKeyPair();
    for (const [publicText, privateText] of [
      [exportPublicKeyPem(pair.publicKey), exportPrivateKeyPem(pair.privateKey)],
      [exportPublicKeyBase64(pair.publicKey), exportPrivateKeyBase64(pair.privateKey)],
    ] as const) {
      const publicKey = importPublicKey(publicText);
      const privateKey = importPrivateKey(privateText);
      assert.ok(publicKey.ok && privateKey.ok);
      assert.ok(publicKey.value.equals(pair.publicKey));
      const headers = signMessage({ ...request, privateKey: privateKey.value, keyVersion: 1 });
      const keys = createKeyDirectory([{ clientId: request.clientId, keyVersion: 1, publicKey: publicKey.value }]);
      assert.equal(verifyMessage({ ...request, headers, keys, now }).ok, true);
    }
    assert.match(exportPublicKeyPem(pair.publicKey), /^-----BEGIN PUBLIC KEY-----\n/);
    assert.match(exportPublicKeyBase64(pair.publicKey), /^[A-Za-z0-9+/]+=*$/);
  });

  it('refuses what is not an Ed25519 key of the right kind', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ed = generateSigningKeyPair();
    const refused = [
      importPublicKey(''),
      importPublicKey('not a key'),
      importPublicKey(Buffer.from('garbage').toString('base64')),
      importPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      importPublicKey(exportPrivateKeyPem(ed.privateKey)),
      importPrivateKey(exportPublicKeyPem(ed.publicKey)),
      importPrivateKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    ];
    for (const result of refused) {
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, 'BAD_KEY');
    }
  });

  it('the directory tells an unknown client from an unknown key version, and asserts its entries', () => {
    const pair = generateSigningKeyPair();
    const keys = createKeyDirectory([{ clientId: 'A', keyVersion: 3, publicKey: pair.publicKey }]);
    assert.equal(keys.lookup('A', 3).found, 'key');
    assert.equal(keys.lookup('A', 1).found, 'no-key-version');
    assert.equal(keys.lookup('B', 3).found, 'no-client');
    const entry = { clientId: 'A', keyVersion: 1, publicKey: pair.publicKey };
    assert.throws(() => createKeyDirectory([entry, entry]), /listed once/);
    assert.throws(() => createKeyDirectory([{ ...entry, clientId: 'A.B' }]), /assertion failed/);
    assert.throws(() => createKeyDirectory([{ ...entry, keyVersion: 0 }]), /assertion failed/);
    assert.throws(() => createKeyDirectory([{ ...entry, publicKey: pair.privateKey }]), /assertion failed/);
  });
});
