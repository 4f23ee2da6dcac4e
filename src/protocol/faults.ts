/**
 * A fetch that misbehaves on purpose, for tests of unknown outcomes: the
 * faults a real network between institutions has (issue 4's fault
 * injection). Each call asks `plan` which fault, if any, to apply to it.
 */
import { ENVELOPE_PATHS } from './envelope.ts';
import { PROTOCOL_ENDPOINTS, type ProtocolEndpointName } from './messages.ts';
import type { FetchFunction } from './signed-http.ts';

export type NetworkFault =
  /** The request never reaches the peer; the caller waits until its timeout. */
  | { readonly kind: 'lose-request' }
  /** The peer acts on the request, but its answer never comes back. */
  | { readonly kind: 'lose-response' }
  /** The request reaches the peer only after `delayMs`, long after the caller may have given up. */
  | { readonly kind: 'delay'; readonly delayMs: number }
  /** The peer receives the request twice, the copy right after the original was answered; the caller sees the original's answer. */
  | { readonly kind: 'duplicate' };

export interface FaultPlanCall {
  readonly url: string;
  /** 1 for the first call to this URL, 2 for the second, … */
  readonly attempt: number;
  /**
   * The protocol messages this call carries: one for a single-message
   * request, each message's endpoint for an envelope (a fault on an envelope
   * hits all of them), none for anything else.
   */
  readonly endpoints: readonly ProtocolEndpointName[];
}

const endpointByPath = new Map(Object.entries(PROTOCOL_ENDPOINTS).map(([name, endpoint]) => [endpoint.path as string, name as ProtocolEndpointName]));
const envelopePaths = new Set<string>(Object.values(ENVELOPE_PATHS));

/** Which messages a request carries, read off its path and, for an envelope, its body. */
export function endpointsOfRequest(url: string, body: unknown): readonly ProtocolEndpointName[] {
  const path = new URL(url).pathname;
  const single = endpointByPath.get(path);
  if (single) return [single];
  if (!envelopePaths.has(path) || typeof body !== 'string') return [];
  try {
    const parsed = JSON.parse(body) as { messages?: { endpoint?: unknown }[] };
    return (parsed.messages ?? []).map((m) => m.endpoint).filter((e): e is ProtocolEndpointName => typeof e === 'string' && e in PROTOCOL_ENDPOINTS);
  } catch {
    return [];
  }
}

export interface FaultyFetch {
  readonly fetch: FetchFunction;
  /** Resolves when every request held back by a fault has been delivered (or failed). */
  settled(): Promise<void>;
}

export function faultyFetch(inner: FetchFunction, plan: (call: FaultPlanCall) => NetworkFault | undefined): FaultyFetch {
  const attempts = new Map<string, number>();
  const background = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>): void => {
    const settled = work.catch(() => {}).finally(() => background.delete(settled));
    background.add(settled);
  };
  const withoutSignal = (init: RequestInit): RequestInit => {
    const { signal: _signal, ...rest } = init;
    return rest;
  };
  const untilAborted = (init: RequestInit): Promise<never> =>
    new Promise((_, reject) => {
      const signal = init.signal;
      if (!signal) return; // no timeout: the caller waits forever, as on a real network
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });

  const fetch: FetchFunction = async (url, init) => {
    const attempt = (attempts.get(url) ?? 0) + 1;
    attempts.set(url, attempt);
    const fault = plan({ url, attempt, endpoints: endpointsOfRequest(url, init.body) });
    if (fault === undefined) return inner(url, init);
    switch (fault.kind) {
      case 'lose-request':
        return untilAborted(init);
      case 'lose-response': {
        const delivered = inner(url, withoutSignal(init)).then((response) => response.arrayBuffer());
        track(delivered);
        await delivered.catch(() => {});
        return untilAborted(init);
      }
      case 'delay': {
        const late = new Promise((resolve) => setTimeout(resolve, fault.delayMs)).then(() => inner(url, withoutSignal(init)));
        track(late.then((response) => response.arrayBuffer()));
        return Promise.race([late, untilAborted(init)]);
      }
      case 'duplicate': {
        const original = await inner(url, init);
        track(inner(url, withoutSignal(init)).then((response) => response.arrayBuffer()));
        return original;
      }
    }
  };
  return {
    fetch,
    async settled() {
      while (background.size > 0) await Promise.all([...background]);
    },
  };
}
