/**
 * The payments benchmark's load generator, run in a worker thread so that
 * the POS side's HTTP work runs beside dari's event loop instead of inside
 * it. It plays many terminals: each job is one POS payment (a terminal's
 * key, a tourist's payment code, an amount).
 *
 * Two ways to drive the load:
 * - closed: `concurrency` terminals, each sending its next payment when the
 *   last is answered; measures the most dari completes per second.
 * - open: a payment leaves at each scheduled instant (`ratePerSecond`),
 *   whether or not earlier ones were answered, and its latency counts from
 *   that instant; a server that falls behind shows its queueing in the
 *   latency instead of slowing the load down (no coordinated omission).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadJob {
  readonly terminalKey: string;
  readonly paymentCode: string;
  readonly paymentRequestId: string;
  readonly amountKrw: string;
}

export type LoadPlan =
  | { readonly kind: 'closed'; readonly url: string; readonly jobs: readonly LoadJob[]; readonly concurrency: number }
  | { readonly kind: 'open'; readonly url: string; readonly jobs: readonly LoadJob[]; readonly ratePerSecond: number };

export interface LoadReport {
  readonly completed: number;
  /** Answers that were not 201 SUCCESS, by `status code`. */
  readonly failures: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
  /** Per payment, from its scheduled (open) or actual (closed) start, sorted ascending. */
  readonly latenciesMs: readonly number[];
  /** CPU time this thread (the terminals) spent on the run, or null where the system does not say (not Linux). */
  readonly loadCpuMs: number | null;
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on Linux). */
const PROC_TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) of the calling thread so far, in ms, from
 * /proc/thread-self/stat (10 ms resolution); null off Linux. Node 20 has no
 * per-thread CPU clock, and the benchmark must tell the terminals' CPU from
 * dari's, which share one process.
 */
export function threadCpuMs(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces), from field 3: utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000) / PROC_TICKS_PER_SECOND;
}

/**
 * Keep-alive connections the terminals share, at most. node:http rather than
 * `fetch`: the terminals share the machine with dari, and undici's fetch cost
 * them about 0.43 ms of CPU per payment (a WHATWG Request, Response and
 * streams each), which the benchmark would count against dari's cores; a
 * terminal's own cost is no part of what it measures.
 */
export const LOAD_SOCKETS_MAX = 1_024;
const agent = new Agent({ keepAlive: true, maxSockets: LOAD_SOCKETS_MAX });

function pay(url: string, job: LoadJob): Promise<string | null> {
  const body = JSON.stringify({ paymentRequestId: job.paymentRequestId, amount: { currency: 'KRW', value: job.amountKrw }, paymentCode: job.paymentCode });
  return new Promise((resolve) => {
    const req = request(
      `${url}/acquirer/v1/payments`,
      { method: 'POST', agent, headers: { Authorization: `Bearer ${job.terminalKey}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve(`response ${error.message}`));
        res.on('end', () => {
          let answer: { status?: string; error?: { code?: string } } = {};
          try {
            answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof answer;
          } catch {
            // Not JSON: reported by its status below.
          }
          resolve(res.statusCode === 201 && answer.status === 'SUCCESS' ? null : `${res.statusCode} ${answer.status ?? answer.error?.code ?? '?'}`);
        });
      },
    );
    req.on('error', (error) => resolve(`request ${error.message}`));
    req.end(body);
  });
}

export async function runLoad(plan: LoadPlan): Promise<LoadReport> {
  const failures: Record<string, number> = {};
  const latenciesMs: number[] = [];
  const record = (failure: string | null, latencyMs: number): void => {
    if (failure === null) latenciesMs.push(latencyMs);
    else failures[failure] = (failures[failure] ?? 0) + 1;
  };
  const started = performance.now();
  const cpuBeforeMs = threadCpuMs();

  if (plan.kind === 'closed') {
    let next = 0;
    const terminal = async (): Promise<void> => {
      while (next < plan.jobs.length) {
        const job = plan.jobs[next++]!;
        const sent = performance.now();
        record(await pay(plan.url, job), performance.now() - sent);
      }
    };
    await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.jobs.length) }, terminal));
  } else {
    const intervalMs = 1_000 / plan.ratePerSecond;
    const inFlight = new Set<Promise<void>>();
    let next = 0;
    while (next < plan.jobs.length) {
      const now = performance.now();
      // Send everything whose instant has come, each timed from its own instant.
      while (next < plan.jobs.length && started + next * intervalMs <= now) {
        const scheduled = started + next * intervalMs;
        const job = plan.jobs[next++]!;
        const work: Promise<void> = pay(plan.url, job).then((failure) => {
          record(failure, performance.now() - scheduled);
          inFlight.delete(work);
        });
        inFlight.add(work);
      }
      const wait = started + next * intervalMs - performance.now();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(wait, 5))));
    }
    await Promise.all(inFlight);
  }
  latenciesMs.sort((a, b) => a - b);
  const cpuAfterMs = threadCpuMs();
  const loadCpuMs = cpuBeforeMs === null || cpuAfterMs === null ? null : cpuAfterMs - cpuBeforeMs;
  return { completed: latenciesMs.length, failures, elapsedMs: performance.now() - started, latenciesMs, loadCpuMs };
}

if (parentPort && workerData && (workerData as { role?: string }).role === 'payments-load') {
  const port = parentPort;
  port.on('message', (plan: LoadPlan) => {
    void runLoad(plan).then((report) => port.postMessage(report));
  });
}
