/**
 * One at a time per key, within this process. The institutions run every
 * change of one payment's state (a request, an inquiry, a notify, the
 * recovery pass) under its payment's lock, so that "read the status, move the money,
 * write the status" is never interleaved with another change of that payment.
 * Across processes the store's conditional UPDATEs still refuse a second move.
 */
export interface KeyedLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Keys with work running or waiting. */
  readonly busy: ReadonlySet<string>;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  const busy = new Set<string>();
  return {
    busy,
    run(key, work) {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.catch(() => {}).then(work);
      const tail = next.catch(() => {});
      tails.set(key, tail);
      busy.add(key);
      void tail.then(() => {
        if (tails.get(key) === tail) {
          tails.delete(key);
          busy.delete(key);
        }
      });
      return next;
    },
  };
}
