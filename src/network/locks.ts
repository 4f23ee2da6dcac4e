/**
 * Per-key mutual exclusion within this process: the decisions about one
 * payment (read its state, write the ledger, write its new state) happen one
 * at a time. Never held across a call to another institution. A deployment
 * with several network processes would take a row lock in PostgreSQL instead
 * (`SELECT … FOR UPDATE`); this session runs SQLite, one process.
 */
export interface KeyedLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<void>>();
  return {
    async run(key, work) {
      const previous = tails.get(key) ?? Promise.resolve();
      let release: () => void = () => {};
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tail = previous.then(() => mine);
      tails.set(key, tail);
      await previous;
      try {
        return await work();
      } finally {
        release();
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
