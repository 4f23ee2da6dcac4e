/**
 * The three institutions in one process, a worker thread each (ADR 18): the
 * network, the wallet provider and the acquirer each run their own event
 * loop on their own loopback port, with their own databases under
 * `dataDir/<institution>/` as in the one-thread composition (compose.ts), and
 * talk to one another over signed HTTP exactly as separate deployments do.
 * One event loop cannot use the second core of a 2-core machine; three can.
 *
 * This is the deployment the payments benchmark measures. It serves the
 * institutions' APIs only, each at its own URL (no shop, no web console, no
 * shared port): `npm start` keeps the one-thread composition.
 */
import { Worker } from 'node:worker_threads';
import type { VerifyReport } from '../ledger/index.ts';
import type { Batching } from '../platform/batching.ts';
import { apiClient, type ApiClient } from './http-client.ts';
import { INSTITUTIONS, type InstitutionCall, type InstitutionName, type InstitutionReply, type InstitutionThreadInput } from './institution-thread.ts';
import { loadOrCreateSecrets, type DariSecrets } from './secrets.ts';

/** How long a thread may take to build its institution and listen. */
export const INSTITUTION_THREAD_START_MS_MAX = 60_000;

export interface InstitutionThreadsOptions {
  readonly dataDir: string;
  readonly version: string;
  readonly batching?: Batching;
  readonly peerTimeoutMs?: number;
  readonly paymentDeadlineMs?: number;
  /** The recovery pass on a timer in each thread; null runs it only on `resolveOpen()`. */
  readonly resolveIntervalMs: number | null;
}

export interface InstitutionThreads {
  /** Each institution's base URL: its public API and its protocol endpoints. */
  readonly urls: Readonly<Record<InstitutionName, string>>;
  readonly secrets: DariSecrets;
  /** True on the first start over this data directory. */
  readonly firstStart: boolean;
  verifyLedger(institution: InstitutionName): Promise<VerifyReport>;
  /** One recovery pass in every institution. */
  resolveOpen(): Promise<void>;
  /** Starts a CPU profile in each institution's thread (benchmarks). */
  startCpuProfiles(dir: string, name: string): Promise<void>;
  /** Stops them; answers the files written, `<dir>/<name>-<institution>.cpuprofile`. */
  stopCpuProfiles(): Promise<string[]>;
  /** Closes each institution (its server, then its databases), then stops its thread. */
  close(): Promise<void>;
}

interface InstitutionWorker {
  readonly url: string;
  call(request: InstitutionCall): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startInstitutionThreads(options: InstitutionThreadsOptions): Promise<InstitutionThreads> {
  // Written here, before any thread reads it.
  const { secrets, created } = loadOrCreateSecrets(options.dataDir);
  const started: InstitutionWorker[] = [];
  const start = async (institution: InstitutionName, peers: Pick<InstitutionThreadInput, 'networkUrl' | 'walletUrl'>): Promise<InstitutionWorker> => {
    const worker = await startInstitutionWorker({
      institution,
      dataDir: options.dataDir,
      version: options.version,
      ...peers,
      ...(options.batching === undefined ? {} : { batching: options.batching }),
      ...(options.peerTimeoutMs === undefined ? {} : { peerTimeoutMs: options.peerTimeoutMs }),
      ...(options.paymentDeadlineMs === undefined ? {} : { paymentDeadlineMs: options.paymentDeadlineMs }),
      resolveIntervalMs: options.resolveIntervalMs,
    });
    started.push(worker);
    return worker;
  };
  const closeAll = async (): Promise<void> => {
    // The acquirer first and the network last, as compose.ts closes them: callers before callees.
    for (const worker of [...started].reverse()) {
      try {
        await worker.call({ method: 'close' });
      } finally {
        await worker.stop();
      }
    }
  };
  let workers: Record<InstitutionName, InstitutionWorker>;
  try {
    const network = await start('network', { networkUrl: null, walletUrl: null });
    const wallet = await start('wallet', { networkUrl: network.url, walletUrl: null });
    const acquirer = await start('acquirer', { networkUrl: network.url, walletUrl: wallet.url });
    workers = { network, wallet, acquirer };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
  const urls = Object.fromEntries(INSTITUTIONS.map((name) => [name, workers[name].url])) as Record<InstitutionName, string>;
  return {
    urls,
    secrets,
    firstStart: created,
    verifyLedger: async (institution) => (await workers[institution].call({ method: 'verifyLedger' })) as VerifyReport,
    async resolveOpen() {
      for (const name of INSTITUTIONS) await workers[name].call({ method: 'resolveOpen' });
    },
    async startCpuProfiles(dir, name) {
      await Promise.all(INSTITUTIONS.map((institution) => workers[institution].call({ method: 'startCpuProfile', dir, name })));
    },
    async stopCpuProfiles() {
      const paths = await Promise.all(INSTITUTIONS.map((institution) => workers[institution].call({ method: 'stopCpuProfile' })));
      return paths.filter((path): path is string => typeof path === 'string');
    },
    close: closeAll,
  };
}

function startInstitutionWorker(input: InstitutionThreadInput): Promise<InstitutionWorker> {
  const entry = new URL('./institution-thread.ts', import.meta.url).href;
  const worker = new Worker(new URL('../platform/worker-boot.mjs', import.meta.url), { workerData: { entry, input } });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let gone: Error | null = null;
  const fail = (error: Error): void => {
    gone ??= error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      reject(new Error(`the ${input.institution} thread did not start within ${INSTITUTION_THREAD_START_MS_MAX} ms`));
      void worker.terminate();
    }, INSTITUTION_THREAD_START_MS_MAX);
    worker.on('error', (error: unknown) => {
      clearTimeout(timeout);
      const failure = error instanceof Error ? error : new Error(`the ${input.institution} thread failed: ${String(error)}`);
      reject(failure);
      fail(failure);
    });
    worker.on('exit', (code) => {
      clearTimeout(timeout);
      const error = new Error(`the ${input.institution} thread exited (code ${code})`);
      reject(error);
      fail(error);
    });
    worker.on('message', (reply: InstitutionReply) => {
      if (reply.kind === 'ready') {
        clearTimeout(timeout);
        resolve({
          url: reply.url,
          call(request) {
            if (gone) return Promise.reject(gone);
            const id = nextId++;
            return new Promise((res, rej) => {
              pending.set(id, { resolve: res, reject: rej });
              worker.postMessage({ ...request, id });
            });
          },
          async stop() {
            await worker.terminate();
          },
        });
        return;
      }
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(`${input.institution} thread: ${reply.message}`));
    });
  });
}

/**
 * One API client over the three institutions' URLs: a path goes to the
 * institution its first segment names (`/wallet/…`, `/acquirer/…`,
 * `/network/…`), as the one-thread composition's shared port routes it.
 */
export function institutionsApi(urls: Readonly<Record<InstitutionName, string>>): ApiClient {
  const clients = Object.fromEntries(INSTITUTIONS.map((name) => [name, apiClient(urls[name])])) as Record<InstitutionName, ApiClient>;
  const of = (path: string): ApiClient => {
    const segment = path.split('/')[1];
    const client = INSTITUTIONS.find((name) => name === segment);
    if (client === undefined) throw new Error(`assertion failed: ${path} is an institution's path`);
    return clients[client];
  };
  return {
    request: (method, path, options) => of(path).request(method, path, options),
    call: (method, path, options) => of(path).call(method, path, options),
  };
}
