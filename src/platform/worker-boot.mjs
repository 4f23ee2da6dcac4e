// The first module of a worker thread started by worker.ts: Node loads only
// JavaScript in a worker of its own accord, so this one teaches the worker's
// loader TypeScript (tsx, as `--import tsx` does for the main thread), then
// imports the module the worker runs.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
