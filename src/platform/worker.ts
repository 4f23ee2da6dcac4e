/**
 * Worker threads for work that would otherwise hold one core while the other
 * waits (the network's clearing of a large cycle). A worker runs one module
 * (`entry`, TypeScript or JavaScript) with `input` as its `workerInput()`,
 * answers once with `answerParent`, and ends. Workers are threads of the same
 * process: nothing to deploy, and they stop with it.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** What a worker's module answers: its value, or why it failed (an error does not cross threads whole). */
type Answer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string; readonly stack: string };

export interface RunningWorker<T> {
  /** The worker's answer; rejects if it failed or stopped without one. */
  readonly result: Promise<T>;
  /** Stops it, wherever it is; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Starts `entry` (a file URL) in a worker thread with `input` (structured-cloneable). */
export function startWorker<I, T>(entry: URL, input: I): RunningWorker<T> {
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry: entry.href, input } });
  let answered = false;
  const result = new Promise<T>((resolve, reject) => {
    worker.once('message', (answer: Answer<T>) => {
      answered = true;
      if (answer.ok) resolve(answer.value);
      else reject(Object.assign(new Error(`worker ${entry.pathname}: ${answer.message}`), { stack: answer.stack }));
    });
    worker.once('error', (error) => reject(error));
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`worker ${entry.pathname} exited with code ${code} before it answered`));
    });
  });
  // A caller that stops a worker may never read its result: its rejection is not an unhandled one.
  result.catch(() => undefined);
  return {
    result,
    async stop() {
      await worker.terminate();
    },
  };
}

/** True in a worker started with `entry` as its module: what a module that is also imported elsewhere checks before it runs as one. */
export function isWorkerEntry(entry: string): boolean {
  return !isMainThread && (workerData as { entry?: unknown } | null)?.entry === entry;
}

/** Inside a worker: the input it was started with. */
export function workerInput<I>(): I {
  if (parentPort === null) throw new Error('assertion failed: workerInput() is called in a worker thread');
  return (workerData as { input: I }).input;
}

/** Inside a worker: runs `work` and sends its value (or its failure) to the thread that started it. */
export async function answerParent<T>(work: () => Promise<T>): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('assertion failed: answerParent() is called in a worker thread');
  let answer: Answer<T>;
  try {
    answer = { ok: true, value: await work() };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    answer = { ok: false, message: e.message, stack: e.stack ?? e.message };
  }
  port.postMessage(answer);
}
