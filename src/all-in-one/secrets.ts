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
  /** The Korean SME mall (issue 7): it signs its feed's answers. */
  mall: 'MALL_KR_01',
  /** The cross-border marketplace (issue 7): it signs its feed reads and its listing reports. */
  marketplace: 'MARKET_CN_01',
} as const;

/** Participants added after the first deployments: a secrets file without their keys gets them on the next start. */
const PARTICIPANTS_ADDED_LATER = ['mall', 'marketplace'] as const;

export interface DariSecrets {
  readonly keys: Readonly<Record<keyof typeof PARTICIPANTS, SigningKeyPair>>;
  readonly walletPseudonymSecret: Buffer;
  readonly walletIdNumberKey: Buffer;
  readonly walletOperatorKey: string;
  readonly acquirerOperatorKey: string;
  readonly networkOperatorKey: string;
  /** The mall operator's bearer key: it signs up sellers and suspends them. */
  readonly mallOperatorKey: string;
  /** The marketplace operator's bearer key: it sees every listing and why. */
  readonly marketplaceOperatorKey: string;
}

interface SecretsFile {
  readonly version: 1;
  /** The mall's and the marketplace's are absent from a file written before issue 7: added on the next start. */
  readonly privateKeysPem: Record<Exclude<keyof typeof PARTICIPANTS, (typeof PARTICIPANTS_ADDED_LATER)[number]>, string> & Partial<Record<(typeof PARTICIPANTS_ADDED_LATER)[number], string>>;
  readonly walletPseudonymSecret: string;
  readonly walletIdNumberKey: string;
  /** Absent from a file written before the wallet had operator routes: added on the next start. */
  readonly walletOperatorKey?: string;
  readonly acquirerOperatorKey: string;
  readonly networkOperatorKey: string;
  /** Absent from a file written before issue 7, like the two keys below it: added on the next start. */
  readonly mallOperatorKey?: string;
  readonly marketplaceOperatorKey?: string;
}

/** Reads the secrets, or creates them; `created` tells whether this is a first start. */
export function loadOrCreateSecrets(dataDir: string): { readonly secrets: DariSecrets; readonly created: boolean } {
  const path = join(dataDir, 'secrets.json');
  if (existsSync(path)) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as SecretsFile;
    if (file.walletOperatorKey === undefined) writeWhole(path, { ...file, walletOperatorKey: newWalletOperatorKey() });
    const older = JSON.parse(readFileSync(path, 'utf8')) as SecretsFile;
    if (PARTICIPANTS_ADDED_LATER.some((name) => older.privateKeysPem[name] === undefined) || older.mallOperatorKey === undefined || older.marketplaceOperatorKey === undefined) {
      writeWhole(path, {
        ...older,
        privateKeysPem: {
          ...older.privateKeysPem,
          mall: older.privateKeysPem.mall ?? exportPrivateKeyPem(generateSigningKeyPair().privateKey),
          marketplace: older.privateKeysPem.marketplace ?? exportPrivateKeyPem(generateSigningKeyPair().privateKey),
        },
        mallOperatorKey: older.mallOperatorKey ?? newMallOperatorKey(),
        marketplaceOperatorKey: older.marketplaceOperatorKey ?? newMarketplaceOperatorKey(),
      });
    }
    return { secrets: decode(JSON.parse(readFileSync(path, 'utf8')) as SecretsFile, path), created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const pairs = { network: generateSigningKeyPair(), wallet: generateSigningKeyPair(), acquirer: generateSigningKeyPair(), mall: generateSigningKeyPair(), marketplace: generateSigningKeyPair() };
  const file: SecretsFile = {
    version: 1,
    privateKeysPem: {
      network: exportPrivateKeyPem(pairs.network.privateKey),
      wallet: exportPrivateKeyPem(pairs.wallet.privateKey),
      acquirer: exportPrivateKeyPem(pairs.acquirer.privateKey),
      mall: exportPrivateKeyPem(pairs.mall.privateKey),
      marketplace: exportPrivateKeyPem(pairs.marketplace.privateKey),
    },
    walletPseudonymSecret: randomBytes(32).toString('base64'),
    walletIdNumberKey: randomBytes(32).toString('base64'),
    walletOperatorKey: newWalletOperatorKey(),
    acquirerOperatorKey: `acq_op_${randomBytes(24).toString('base64url')}`,
    networkOperatorKey: `net_op_${randomBytes(24).toString('base64url')}`,
    mallOperatorKey: newMallOperatorKey(),
    marketplaceOperatorKey: newMarketplaceOperatorKey(),
  };
  writeWhole(path, file);
  return { secrets: decode(file, path), created: true };
}

function newWalletOperatorKey(): string {
  return `wal_op_${randomBytes(24).toString('base64url')}`;
}

function newMallOperatorKey(): string {
  return `mall_op_${randomBytes(24).toString('base64url')}`;
}

function newMarketplaceOperatorKey(): string {
  return `mkt_op_${randomBytes(24).toString('base64url')}`;
}

/** Written whole or not at all: a crash mid-write must not leave half a key. */
function writeWhole(path: string, file: SecretsFile): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

function decode(file: SecretsFile, path: string): DariSecrets {
  const pair = (name: keyof typeof PARTICIPANTS): SigningKeyPair => {
    const pem = file.privateKeysPem[name];
    if (pem === undefined) throw new Error(`${path}: no ${name} key`);
    const imported = importPrivateKey(pem);
    if (!imported.ok) throw new Error(`${path}: the ${name} key is unreadable: ${imported.error.message}`);
    return { privateKey: imported.value, publicKey: createPublicKey(imported.value) };
  };
  if (file.walletOperatorKey === undefined) throw new Error(`${path}: no walletOperatorKey`);
  if (file.mallOperatorKey === undefined || file.marketplaceOperatorKey === undefined) throw new Error(`${path}: no mallOperatorKey or marketplaceOperatorKey`);
  return {
    keys: { network: pair('network'), wallet: pair('wallet'), acquirer: pair('acquirer'), mall: pair('mall'), marketplace: pair('marketplace') },
    walletPseudonymSecret: Buffer.from(file.walletPseudonymSecret, 'base64'),
    walletIdNumberKey: Buffer.from(file.walletIdNumberKey, 'base64'),
    walletOperatorKey: file.walletOperatorKey,
    acquirerOperatorKey: file.acquirerOperatorKey,
    networkOperatorKey: file.networkOperatorKey,
    mallOperatorKey: file.mallOperatorKey,
    marketplaceOperatorKey: file.marketplaceOperatorKey,
  };
}

/** The operators' keys of an existing data directory, for the command line; null when it has no secrets file. Never creates one. */
export function readOperatorKeys(dataDir: string): { readonly wallet: string | null; readonly acquirer: string; readonly network: string } | null {
  const path = join(dataDir, 'secrets.json');
  if (!existsSync(path)) return null;
  const file = JSON.parse(readFileSync(path, 'utf8')) as SecretsFile;
  return { wallet: file.walletOperatorKey ?? null, acquirer: file.acquirerOperatorKey, network: file.networkOperatorKey };
}
