/**
 * The worker thread that clears the later stretch of a large cycle while the
 * network's own thread clears the earlier one (close.ts). It opens its own
 * connections to the network's SQLite files: the ledger read-only, the
 * network's database to read payments and refunds and to store its segment
 * of every clearing file (WAL lets it read beside the running network; its
 * chunk writes take turns with the network's commits).
 */
import { openSqliteLedgerStore, streamStoreTransfers } from '../../ledger/index.ts';
import { openSqlite } from '../../platform/db/sqlite.ts';
import { answerParent, isWorkerEntry, startWorker, workerInput } from '../../platform/worker.ts';
import { openNetworkStore } from '../store.ts';
import { clearStretch, type StretchJob, type StretchResult, type StretchRunner } from './close.ts';
import { openClearingStore } from './store.ts';

/** Where a worker finds the network's SQLite files. */
export interface SqliteClearingFiles {
  readonly networkDbPath: string;
  readonly ledgerDbPath: string;
}

interface WorkerInput {
  readonly files: SqliteClearingFiles;
  readonly job: StretchJob;
}

/** A `StretchRunner` that clears each stretch in a worker thread of its own, over the network's SQLite files. */
export function sqliteStretchRunner(files: SqliteClearingFiles): StretchRunner {
  return (job) => startWorker<WorkerInput, StretchResult>(new URL(import.meta.url), { files, job });
}

async function clearInWorker({ files, job }: WorkerInput): Promise<StretchResult> {
  const ledgerStore = openSqliteLedgerStore(files.ledgerDbPath, { readOnly: true });
  // Its chunks are made durable by the commit of their cycle, at FULL, on the network's connection (platform openSqlite).
  const db = openSqlite(files.networkDbPath, { synchronous: 'NORMAL' });
  try {
    return await clearStretch({
      ledger: { streamTransfers: (query) => streamStoreTransfers(ledgerStore, query) },
      store: openNetworkStore(db),
      clearingStore: openClearingStore(db),
      job,
    });
  } finally {
    db.close();
    await ledgerStore.close();
  }
}

if (isWorkerEntry(import.meta.url)) await answerParent(() => clearInWorker(workerInput<WorkerInput>()));
