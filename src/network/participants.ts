/**
 * The participant table as the network uses it: registration (with its
 * uniqueness rules for routing), key rotation, and an in-memory view that is
 * refreshed after every change and serves both routing and the
 * `KeyDirectory` that verifies participants' signatures.
 */
import type { KeyObject } from 'node:crypto';
import type { Ledger } from '../ledger/index.ts';
import { parseCurrency } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { exportPublicKeyPem, importPublicKey, type KeyDirectory } from '../platform/signing/index.ts';
import type { AddParticipantKeyRequest, RegisterParticipantRequest } from './contract.ts';
import type { NetworkError } from './errors.ts';
import { accountsFor } from './postings.ts';
import { overlappingAcquirer } from './routing.ts';
import type { NetworkStore } from './store.ts';
import type { Participant, ParticipantRole } from './types.ts';

/** The currency each role settles in with the network: wallets hold CNY, acquirers pay merchants KRW. */
export const SETTLEMENT_CURRENCIES: Readonly<Record<ParticipantRole, readonly string[]>> = { wallet: ['CNY'], acquirer: ['KRW'] };

export interface ParticipantRegistry {
  /** Verifies participants' signatures; reads the in-memory view, so a new key works at once. */
  readonly keys: KeyDirectory;
  all(): readonly Participant[];
  get(participantId: string): Participant | undefined;
  /** Registers a participant; the same registration again is `created: false`, not an error (the demo seed re-runs). */
  register(input: RegisterParticipantRequest): Promise<Result<{ readonly participant: Participant; readonly created: boolean }, NetworkError>>;
  /** Adds a key version, so a participant can rotate its key without a moment when either key is refused. */
  addKey(participantId: string, input: AddParticipantKeyRequest): Promise<Result<Participant, NetworkError>>;
}

export async function createParticipantRegistry(deps: {
  readonly store: NetworkStore;
  readonly ledger: Ledger;
  readonly selfId: string;
  readonly now: () => Date;
}): Promise<ParticipantRegistry> {
  const { store, ledger } = deps;
  let byId = new Map<string, Participant>();
  let keyObjects = new Map<string, Map<number, KeyObject>>();

  const refresh = async (): Promise<void> => {
    const participants = await store.listParticipants();
    const nextKeys = new Map<string, Map<number, KeyObject>>();
    for (const p of participants) {
      const versions = new Map<number, KeyObject>();
      for (const key of p.keys) {
        const imported = importPublicKey(key.publicKeyPem);
        if (!imported.ok) throw new Error(`assertion failed: stored key of ${p.participantId} v${key.keyVersion} imports`);
        versions.set(key.keyVersion, imported.value);
      }
      nextKeys.set(p.participantId, versions);
    }
    byId = new Map(participants.map((p) => [p.participantId, p]));
    keyObjects = nextKeys;
  };

  const ensureAccounts = async (participant: Participant): Promise<void> => {
    const outcomes = await ledger.createAccounts(accountsFor(participant));
    for (const o of outcomes) if (o.result !== 'ok' && o.result !== 'exists') throw new Error(`assertion failed: account ${o.id}: ${o.result}`);
  };

  await refresh();
  // Accounts are created after the participant row; a crash between is repaired here.
  for (const participant of byId.values()) await ensureAccounts(participant);

  return {
    keys: {
      lookup(clientId, keyVersion) {
        const versions = keyObjects.get(clientId);
        if (!versions) return { found: 'no-client' };
        const publicKey = versions.get(keyVersion);
        return publicKey ? { found: 'key', publicKey } : { found: 'no-key-version' };
      },
    },
    all: () => [...byId.values()],
    get: (participantId) => byId.get(participantId),

    async register(input) {
      const checked = checkRegistration(input, deps.selfId, deps.now());
      if (!checked.ok) return checked;
      const participant = checked.value;
      const existing = byId.get(participant.participantId);
      if (existing) return sameRegistration(existing, participant) ? ok({ participant: existing, created: false }) : err({ kind: 'participant-exists', participantId: participant.participantId });
      const conflict = routingConflict([...byId.values()], participant);
      if (conflict) return err(conflict);
      if ((await store.insertParticipant(participant)) === 'conflict') {
        // Another registration got there first between our check and the insert.
        return err({ kind: 'participant-exists', participantId: participant.participantId });
      }
      await ensureAccounts(participant);
      await refresh();
      return ok({ participant: byId.get(participant.participantId) ?? participant, created: true });
    },

    async addKey(participantId, input) {
      const existing = byId.get(participantId);
      if (!existing) return err({ kind: 'participant-not-found', participantId });
      const imported = importPublicKey(input.publicKey);
      if (!imported.ok) return err({ kind: 'bad-public-key', message: imported.error.message });
      const key = { keyVersion: input.keyVersion, publicKeyPem: exportPublicKeyPem(imported.value), addedAt: deps.now() };
      const same = existing.keys.find((k) => k.keyVersion === key.keyVersion);
      if (same) return same.publicKeyPem === key.publicKeyPem ? ok(existing) : err({ kind: 'key-version-exists', participantId, keyVersion: key.keyVersion });
      if ((await store.insertParticipantKey(participantId, key)) === 'exists') return err({ kind: 'key-version-exists', participantId, keyVersion: key.keyVersion });
      await refresh();
      return ok(byId.get(participantId) ?? existing);
    },
  };
}

function checkRegistration(input: RegisterParticipantRequest, selfId: string, now: Date): Result<Participant, NetworkError> {
  if (input.participantId === selfId) return err({ kind: 'reserved-participant-id', participantId: input.participantId });
  const imported = importPublicKey(input.publicKey);
  if (!imported.ok) return err({ kind: 'bad-public-key', message: imported.error.message });
  const supported = SETTLEMENT_CURRENCIES[input.role];
  const currency = parseCurrency(input.currency);
  if (!currency.ok || !supported.includes(currency.value)) {
    return err({ kind: 'currency-not-supported', role: input.role, currency: input.currency, supported });
  }
  const common = {
    participantId: input.participantId,
    name: input.name,
    baseUrl: input.baseUrl.replace(/\/+$/, ''),
    currency: currency.value,
    keys: [{ keyVersion: input.keyVersion, publicKeyPem: exportPublicKeyPem(imported.value), addedAt: now }],
    registeredAt: now,
  };
  return ok(input.role === 'wallet' ? { ...common, role: 'wallet', codePrefix: input.codePrefix } : { ...common, role: 'acquirer', merchantIdPrefix: input.merchantIdPrefix });
}

/** True when `fresh` repeats `existing`'s registration (its first key among `existing`'s keys). */
function sameRegistration(existing: Participant, fresh: Participant): boolean {
  const key = fresh.keys[0];
  const sameKey = key !== undefined && existing.keys.some((k) => k.keyVersion === key.keyVersion && k.publicKeyPem === key.publicKeyPem);
  const samePrefix =
    existing.role === 'wallet' ? fresh.role === 'wallet' && fresh.codePrefix === existing.codePrefix : fresh.role === 'acquirer' && fresh.merchantIdPrefix === existing.merchantIdPrefix;
  return sameKey && samePrefix && existing.name === fresh.name && existing.baseUrl === fresh.baseUrl && existing.currency === fresh.currency;
}

function routingConflict(participants: readonly Participant[], fresh: Participant): NetworkError | undefined {
  if (fresh.role === 'wallet') {
    const owner = participants.find((p) => p.role === 'wallet' && p.codePrefix === fresh.codePrefix);
    return owner ? { kind: 'code-prefix-taken', codePrefix: fresh.codePrefix, participantId: owner.participantId } : undefined;
  }
  const overlapping = overlappingAcquirer(participants, fresh.merchantIdPrefix);
  return overlapping ? { kind: 'merchant-id-prefix-overlaps', merchantIdPrefix: fresh.merchantIdPrefix, participantId: overlapping.participantId } : undefined;
}
