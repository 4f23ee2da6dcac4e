/**
 * One institution in a worker thread of its own, serving its routes on its
 * own loopback port (ADR 18). `startInstitutionThreads` (threads.ts) starts
 * three of these, so that the network, the wallet provider and the acquirer
 * each have an event loop and a heap of their own and the process's cores
 * share them, instead of one loop running all three. They talk as they always
 * do: signed messages over HTTP, each to the others' base URLs.
 *
 * The thread builds its institution exactly as the one-thread composition
 * does (compose.ts), from the same secrets file, and then answers its parent:
 * `ready` with its URL once it listens, and one reply per request
 * (`verifyLedger`, `resolveOpen`, `ledgerStatus`, `close`).
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { serve, type ServerType } from '@hono/node-server';
import { createAcquirer } from '../acquirer/index.ts';
import { createNetwork } from '../network/index.ts';
import type { Batching } from '../platform/batching.ts';
import { createApp } from '../platform/http/app.ts';
import { startCpuProfile } from '../platform/profiling.ts';
import { createKeyDirectory } from '../platform/signing/index.ts';
import { isWorkerEntry, workerInput } from '../platform/worker.ts';
import { createWallet } from '../wallet/index.ts';
import { ACQUIRER_MERCHANT_ID_PREFIX, WALLET_CODE_PREFIX } from './prefixes.ts';
import { loadOrCreateSecrets, PARTICIPANTS } from './secrets.ts';

export const INSTITUTIONS = ['network', 'wallet', 'acquirer'] as const;
export type InstitutionName = (typeof INSTITUTIONS)[number];

export interface InstitutionThreadInput {
  readonly institution: InstitutionName;
  /** The deployment's data directory: its secrets file, and `<institution>/` for the databases. */
  readonly dataDir: string;
  readonly version: string;
  /** The network's base URL, where the wallet and the acquirer send their messages; null for the network. */
  readonly networkUrl: string | null;
  /** The wallet's base URL, where the acquirer's checkout sessions send buyers (ADR 13); null elsewhere. */
  readonly walletUrl: string | null;
  readonly batching?: Batching;
  readonly peerTimeoutMs?: number;
  readonly paymentDeadlineMs?: number;
  /** The recovery pass on a timer in this thread; null runs it only when asked. */
  readonly resolveIntervalMs: number | null;
}

/**
 * What the parent asks of a running institution: its ledger, a recovery
 * pass, a CPU profile of this thread (benchmarks: `<dir>/<name>-<institution>.cpuprofile`,
 * answered with its path when stopped), or to close.
 */
export type InstitutionCall =
  | { readonly method: 'verifyLedger' | 'resolveOpen' | 'ledgerStatus' | 'stopCpuProfile' | 'close' }
  | { readonly method: 'startCpuProfile'; readonly dir: string; readonly name: string };

export type InstitutionRequest = InstitutionCall & { readonly id: number };

export type InstitutionReply =
  | { readonly kind: 'ready'; readonly url: string }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly message: string };

interface Running {
  readonly url: string;
  call(request: InstitutionCall): Promise<unknown>;
}

interface Built {
  readonly app: import('hono').Hono;
  verifyLedger(): Promise<unknown>;
  resolveOpen(): Promise<void>;
  ledgerStatus(): Promise<unknown>;
  close(): Promise<void>;
}

async function build(input: InstitutionThreadInput): Promise<Built> {
  const { secrets, created } = loadOrCreateSecrets(input.dataDir);
  // The parent writes the secrets before it starts any thread: three threads creating them would race.
  if (created) throw new Error('assertion failed: the secrets file exists before an institution thread starts');
  const keys = createKeyDirectory(
    (Object.keys(PARTICIPANTS) as (keyof typeof PARTICIPANTS)[]).map((name) => ({ clientId: PARTICIPANTS[name], keyVersion: 1, publicKey: secrets.keys[name].publicKey })),
  );
  const identity = { clientId: PARTICIPANTS[input.institution], privateKey: secrets.keys[input.institution].privateKey, keyVersion: 1 };
  const common = {
    dataDir: join(input.dataDir, input.institution),
    identity,
    ...(input.peerTimeoutMs === undefined ? {} : { peerTimeoutMs: input.peerTimeoutMs }),
    ...(input.batching === undefined ? {} : { batching: input.batching }),
  };
  const deadline = input.paymentDeadlineMs === undefined ? {} : { paymentDeadlineMs: input.paymentDeadlineMs };
  const networkPeer = (): { peerId: string; baseUrl: string } => {
    if (input.networkUrl === null) throw new Error(`assertion failed: the ${input.institution} thread knows the network's URL`);
    return { peerId: PARTICIPANTS.network, baseUrl: input.networkUrl };
  };
  switch (input.institution) {
    case 'network':
      return createNetwork({ ...common, ...deadline, operatorKey: secrets.networkOperatorKey });
    case 'wallet':
      return createWallet({
        ...common,
        keys,
        network: networkPeer(),
        codePrefix: WALLET_CODE_PREFIX,
        operatorKey: secrets.walletOperatorKey,
        pseudonymSecret: secrets.walletPseudonymSecret,
        idNumberKey: secrets.walletIdNumberKey,
      });
    case 'acquirer': {
      const walletUrl = input.walletUrl;
      return createAcquirer({
        ...common,
        ...deadline,
        keys,
        network: networkPeer(),
        merchantIdPrefix: ACQUIRER_MERCHANT_ID_PREFIX,
        operatorKey: secrets.acquirerOperatorKey,
        ...(walletUrl === null ? {} : { checkout: { cashierUrl: `${walletUrl}/wallet/cashier` } }),
      });
    }
  }
}

/** Builds the institution, serves it on a loopback port of its own, and answers what it is asked. */
export async function runInstitution(input: InstitutionThreadInput): Promise<Running> {
  const institution = await build(input);
  const app = createApp({ version: input.version, healthChecks: [{ name: input.institution, check: async () => ({ ledger: await institution.ledgerStatus() }) }] });
  app.route('/', institution.app);
  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let resolving: Promise<void> | undefined;
  const resolveOpen = (): Promise<void> => (resolving ??= institution.resolveOpen().finally(() => (resolving = undefined)));
  const timer =
    input.resolveIntervalMs === null
      ? undefined
      : setInterval(() => void resolveOpen().catch((error: unknown) => console.error(`${input.institution}: recovery pass failed:`, error)), input.resolveIntervalMs);
  timer?.unref();
  let profile: { stop(): Promise<string | null> } | null = null;

  return {
    url,
    async call(request) {
      switch (request.method) {
        case 'startCpuProfile':
          if (profile !== null) throw new Error('assertion failed: one CPU profile at a time');
          profile = await startCpuProfile(request.dir, `${request.name}-${input.institution}`);
          return undefined;
        case 'stopCpuProfile': {
          const stopped = profile;
          profile = null;
          return stopped === null ? null : stopped.stop();
        }
        case 'verifyLedger':
          return institution.verifyLedger();
        case 'ledgerStatus':
          return institution.ledgerStatus();
        case 'resolveOpen':
          return resolveOpen();
        case 'close': {
          if (timer) clearInterval(timer);
          await resolving?.catch(() => undefined);
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          // Idle keep-alive connections would hold close() open.
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          await closed;
          await institution.close();
          return undefined;
        }
      }
    },
  };
}

if (isWorkerEntry(import.meta.url)) {
  const port = parentPort!;
  const running = await runInstitution(workerInput<InstitutionThreadInput>());
  port.on('message', (request: InstitutionRequest) => {
    running.call(request).then(
      (value) => port.postMessage({ kind: 'reply', id: request.id, ok: true, value } satisfies InstitutionReply),
      (error: unknown) => port.postMessage({ kind: 'reply', id: request.id, ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies InstitutionReply),
    );
  });
  port.postMessage({ kind: 'ready', url: running.url } satisfies InstitutionReply);
}
