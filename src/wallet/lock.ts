/**
 * A lock per key inside one process: work under one key runs one at a time,
 * in arrival order. The wallet holds it around each read-decide-write on a
 * payment or a user (code spending, limits, cumulative refunds), the SQLite
 * analogue of `SELECT … FOR UPDATE`; a PostgreSQL store would lock rows.
 */
export interface KeyedLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run(key, work) {
      const previous = tails.get(key) ?? Promise.resolve();
      const current = previous.catch(() => {}).then(work);
      const tail = current.catch(() => {});
      tails.set(key, tail);
      try {
        return await current;
      } finally {
        // Forget the key once nothing else queued behind this work.
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
