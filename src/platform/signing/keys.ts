/**
 * Ed25519 keys for signing inter-institution messages: generating a pair,
 * writing keys to configuration (PEM, or one-line base64 DER for environment
 * variables) and reading them back, and the directory that maps a sender's
 * (Client-Id, keyVersion) to the public key that must have signed.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { err, ok } from '../result.ts';
import type { Result } from '../result.ts';
import { CLIENT_ID_PATTERN, KEY_VERSION_MAX } from './limits.ts';

export interface SigningKeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** A fresh Ed25519 key pair; the private half never leaves the institution that made it. */
export function generateSigningKeyPair(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey, privateKey };
}

/** SPKI PEM (`-----BEGIN PUBLIC KEY-----`), to publish to the other institutions. */
export function exportPublicKeyPem(publicKey: KeyObject): string {
  assertEd25519(publicKey, 'public');
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), for the institution's own secret store. */
export function exportPrivateKeyPem(privateKey: KeyObject): string {
  assertEd25519(privateKey, 'private');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** SPKI DER as one line of standard base64: fits an environment variable. */
export function exportPublicKeyBase64(publicKey: KeyObject): string {
  assertEd25519(publicKey, 'public');
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** PKCS#8 DER as one line of standard base64: fits an environment variable. */
export function exportPrivateKeyBase64(privateKey: KeyObject): string {
  assertEd25519(privateKey, 'private');
  return privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}

export interface KeyImportError {
  readonly code: 'BAD_KEY';
  readonly message: string;
}

/** Reads a public key written by `exportPublicKeyPem` or `exportPublicKeyBase64`; refuses any key that is not Ed25519. */
export function importPublicKey(text: string): Result<KeyObject, KeyImportError> {
  return importKey(text, 'public');
}

/** Reads a private key written by `exportPrivateKeyPem` or `exportPrivateKeyBase64`; refuses any key that is not Ed25519. */
export function importPrivateKey(text: string): Result<KeyObject, KeyImportError> {
  return importKey(text, 'private');
}

const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

function importKey(text: string, type: 'public' | 'private'): Result<KeyObject, KeyImportError> {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      key = type === 'public' ? createPublicKey(trimmed) : createPrivateKey(trimmed);
    } else {
      if (!base64Pattern.test(trimmed)) return err(badKey(`a ${type} key is PEM or base64 DER`));
      const der = Buffer.from(trimmed, 'base64');
      key =
        type === 'public'
          ? createPublicKey({ key: der, format: 'der', type: 'spki' })
          : createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    }
  } catch (error) {
    // OpenSSL's reason (e.g. "unsupported") is about the text the operator gave, not a secret.
    const reason = error instanceof Error ? error.message : String(error);
    return err(badKey(`not a readable ${type} key: ${reason}`));
  }
  // createPublicKey also accepts a private key and derives its public half;
  // a private key pasted where a public one belongs is refused, not used.
  if (type === 'public' && trimmed.includes('PRIVATE KEY')) return err(badKey('a private key was given where a public key belongs'));
  if (key.asymmetricKeyType !== 'ed25519') {
    return err(badKey(`an ${key.asymmetricKeyType ?? 'unknown'} key was given; dari signs with Ed25519`));
  }
  return ok(key);
}

function badKey(message: string): KeyImportError {
  return { code: 'BAD_KEY', message };
}

export function assertEd25519(key: KeyObject, type: 'public' | 'private'): void {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`assertion failed: an Ed25519 ${type} key (got ${key.type} ${key.asymmetricKeyType ?? 'key'})`);
  }
}

/** What the directory knows about a (client, key version). */
export type KeyLookup =
  | { readonly found: 'key'; readonly publicKey: KeyObject }
  | { readonly found: 'no-client' }
  | { readonly found: 'no-key-version' };

/**
 * Maps a sender's Client-Id and keyVersion to its Ed25519 public key. A client
 * may have several versions at once, so that a key can be rotated without a
 * moment when either the old or the new signatures are refused.
 */
export interface KeyDirectory {
  lookup(clientId: string, keyVersion: number): KeyLookup;
}

export interface KeyDirectoryEntry {
  readonly clientId: string;
  readonly keyVersion: number;
  readonly publicKey: KeyObject;
}

/** An in-memory directory from configuration; asserts each entry is well-formed and listed once. */
export function createKeyDirectory(entries: readonly KeyDirectoryEntry[]): KeyDirectory {
  const byClient = new Map<string, Map<number, KeyObject>>();
  for (const entry of entries) {
    if (!CLIENT_ID_PATTERN.test(entry.clientId)) throw new Error(`assertion failed: client id ${JSON.stringify(entry.clientId)} matches ${CLIENT_ID_PATTERN}`);
    if (!Number.isSafeInteger(entry.keyVersion) || entry.keyVersion < 1 || entry.keyVersion > KEY_VERSION_MAX) {
      throw new Error(`assertion failed: keyVersion ${entry.keyVersion} in 1..${KEY_VERSION_MAX}`);
    }
    assertEd25519(entry.publicKey, 'public');
    const versions = byClient.get(entry.clientId) ?? new Map<number, KeyObject>();
    if (versions.has(entry.keyVersion)) throw new Error(`assertion failed: ${entry.clientId} keyVersion ${entry.keyVersion} listed once`);
    versions.set(entry.keyVersion, entry.publicKey);
    byClient.set(entry.clientId, versions);
  }
  return {
    lookup(clientId, keyVersion) {
      const versions = byClient.get(clientId);
      if (!versions) return { found: 'no-client' };
      const publicKey = versions.get(keyVersion);
      return publicKey ? { found: 'key', publicKey } : { found: 'no-key-version' };
    },
  };
}
