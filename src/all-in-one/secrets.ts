/**
 * The all-in-one deployment's secrets: each institution's signing key and the
 * operators' bearer keys, generated on first start and kept in
 * `$DARI_DATA_DIR/secrets.json` (mode 0600). In production each institution
 * holds only its own, from its own secret store.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPrivateKeyPem, generateSigningKeyPair, importPrivateKey, type SigningKeyPair } from '../platform/signing/index.ts';
import { createPublicKey } from 'node:crypto';

export const PARTICIPANTS = {
  network: 'DARI_NETWORK',
  wallet: 'WALLET_CN_01',
  acquirer: 'ACQ_KR_01',
} as const;

export interface DariSecrets {
  readonly keys: Readonly<Record<keyof typeof PARTICIPANTS, SigningKeyPair>>;
  readonly walletPseudonymSecret: Buffer;
  readonly walletIdNumberKey: Buffer;
  readonly walletOperatorKey: string;
  readonly acquirerOperatorKey: string;
  readonly networkOperatorKey: string;
}

interface SecretsFile {
  readonly version: 1;
  readonly privateKeysPem: Record<keyof typeof PARTICIPANTS, string>;
  readonly walletPseudonymSecret: string;
  readonly walletIdNumberKey: string;
  /** Absent from a file written before the wallet had operator routes: added on the next start. */
  readonly walletOperatorKey?: string;
  readonly acquirerOperatorKey: string;
  readonly networkOperatorKey: string;
}

/** Reads the secrets, or creates them; `created` tells whether this is a first start. */
export function loadOrCreateSecrets(dataDir: string): { readonly secrets: DariSecrets; readonly created: boolean } {
  const path = join(dataDir, 'secrets.json');
  if (existsSync(path)) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as SecretsFile;
    if (file.walletOperatorKey === undefined) writeWhole(path, { ...file, walletOperatorKey: newWalletOperatorKey() });
    return { secrets: decode(JSON.parse(readFileSync(path, 'utf8')) as SecretsFile, path), created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const pairs = { network: generateSigningKeyPair(), wallet: generateSigningKeyPair(), acquirer: generateSigningKeyPair() };
  const file: SecretsFile = {
    version: 1,
    privateKeysPem: {
      network: exportPrivateKeyPem(pairs.network.privateKey),
      wallet: exportPrivateKeyPem(pairs.wallet.privateKey),
      acquirer: exportPrivateKeyPem(pairs.acquirer.privateKey),
    },
    walletPseudonymSecret: randomBytes(32).toString('base64'),
    walletIdNumberKey: randomBytes(32).toString('base64'),
    walletOperatorKey: newWalletOperatorKey(),
    acquirerOperatorKey: `acq_op_${randomBytes(24).toString('base64url')}`,
    networkOperatorKey: `net_op_${randomBytes(24).toString('base64url')}`,
  };
  writeWhole(path, file);
  return { secrets: decode(file, path), created: true };
}

function newWalletOperatorKey(): string {
  return `wal_op_${randomBytes(24).toString('base64url')}`;
}

/** Written whole or not at all: a crash mid-write must not leave half a key. */
function writeWhole(path: string, file: SecretsFile): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

function decode(file: SecretsFile, path: string): DariSecrets {
  const pair = (name: keyof typeof PARTICIPANTS): SigningKeyPair => {
    const imported = importPrivateKey(file.privateKeysPem[name]);
    if (!imported.ok) throw new Error(`${path}: the ${name} key is unreadable: ${imported.error.message}`);
    return { privateKey: imported.value, publicKey: createPublicKey(imported.value) };
  };
  if (file.walletOperatorKey === undefined) throw new Error(`${path}: no walletOperatorKey`);
  return {
    keys: { network: pair('network'), wallet: pair('wallet'), acquirer: pair('acquirer') },
    walletPseudonymSecret: Buffer.from(file.walletPseudonymSecret, 'base64'),
    walletIdNumberKey: Buffer.from(file.walletIdNumberKey, 'base64'),
    walletOperatorKey: file.walletOperatorKey,
    acquirerOperatorKey: file.acquirerOperatorKey,
    networkOperatorKey: file.networkOperatorKey,
  };
}

/** The operators' keys of an existing data directory, for the command line; null when it has no secrets file. Never creates one. */
export function readOperatorKeys(dataDir: string): { readonly wallet: string | null; readonly acquirer: string; readonly network: string } | null {
  const path = join(dataDir, 'secrets.json');
  if (!existsSync(path)) return null;
  const file = JSON.parse(readFileSync(path, 'utf8')) as SecretsFile;
  return { wallet: file.walletOperatorKey ?? null, acquirer: file.acquirerOperatorKey, network: file.networkOperatorKey };
}
