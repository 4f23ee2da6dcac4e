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
}

async function pay(url: string, job: LoadJob): Promise<string | null> {
  try {
    const response = await fetch(`${url}/acquirer/v1/payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${job.terminalKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ paymentRequestId: job.paymentRequestId, amount: { currency: 'KRW', value: job.amountKrw }, paymentCode: job.paymentCode }),
    });
    const body = (await response.json()) as { status?: string; error?: { code?: string } };
    if (response.status === 201 && body.status === 'SUCCESS') return null;
    return `${response.status} ${body.status ?? body.error?.code ?? '?'}`;
  } catch (error) {
    return `fetch ${(error as Error).message}`;
  }
}

export async function runLoad(plan: LoadPlan): Promise<LoadReport> {
  const failures: Record<string, number> = {};
  const latenciesMs: number[] = [];
  const record = (failure: string | null, latencyMs: number): void => {
    if (failure === null) latenciesMs.push(latencyMs);
    else failures[failure] = (failures[failure] ?? 0) + 1;
  };
  const started = performance.now();

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
  return { completed: latenciesMs.length, failures, elapsedMs: performance.now() - started, latenciesMs };
}

if (parentPort && workerData && (workerData as { role?: string }).role === 'payments-load') {
  const port = parentPort;
  port.on('message', (plan: LoadPlan) => {
    void runLoad(plan).then((report) => port.postMessage(report));
  });
}
