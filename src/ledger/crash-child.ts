/**
 * The process `crash.test.ts` kills. It opens the ledger on the store it is
 * given and submits transfers from several loops at once, until it is killed
 * with SIGKILL: single transfers, linked chains, holds with and without a
 * timeout, and posts and voids of holds it saw recorded.
 *
 * It tells the parent everything on stdout, one JSON line at a time, written
 * synchronously: a `call` line before each call (its transfers, and the
 * amount each would record) and an `ack` line once the call has answered,
 * which the ledger does only once the batch is durable. So every `ack` the
 * parent reads was acknowledged before the kill, and every call that may
 * have reached the database has a `call` line.
 *
 * Usage: node --import tsx src/ledger/crash-child.ts <sqlite|postgres> <file path or URL> <round>
 */
import { writeSync } from 'node:fs';
import { createLedger } from './service.ts';
import type { LedgerStore } from './store.ts';
import { openPostgresLedgerStore } from './store-postgres.ts';
import { openSqliteLedgerStore } from './store-sqlite.ts';
import type { NewAccount, NewTransfer } from './types.ts';

/** Callers submitting at once, each one call at a time. */
const CALLERS = 48;
/** How often a caller pauses (up to `PAUSE_MS_MAX`) before its next call, so calls also arrive while a batch commits. */
const PAUSE_PROBABILITY = 0.3;
const PAUSE_MS_MAX = 3;
export const CRASH_LEDGER = 'EUR';
export const CRASH_BANK = 'bank';
export const CRASH_FEES = 'fees';
export const CRASH_WALLETS = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5'] as const;

/** A transfer as a `call` line carries it: amounts as decimal strings. */
export type WireTransfer = Omit<NewTransfer, 'amount'> & { readonly amount?: string };

export type ChildLine =
  | { readonly t: 'ready' }
  /** `amounts[i]`: what transfer i records if it succeeds (a void takes its hold's). */
  | { readonly t: 'call'; readonly n: number; readonly transfers: readonly WireTransfer[]; readonly amounts: readonly string[] }
  | { readonly t: 'ack'; readonly n: number; readonly results: readonly (readonly [string, string | null])[] };

export function crashAccounts(): NewAccount[] {
  return [
    { id: CRASH_BANK, ledger: CRASH_LEDGER, code: 1 },
    { id: CRASH_FEES, ledger: CRASH_LEDGER, code: 2 },
    ...CRASH_WALLETS.map((id) => ({ id, ledger: CRASH_LEDGER, code: 3, flags: { debitsMustNotExceedCredits: true } })),
  ];
}

/**
 * Writes a line to stdout before returning, so that a `call` line is out
 * before its call starts. The pipe is non-blocking: when it is full, wait for
 * the parent to read.
 */
function send(line: ChildLine): void {
  const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(1, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

interface Hold {
  readonly id: string;
  readonly amount: bigint;
}

function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** Builds the calls one id counter at a time; the round keeps ids unique across restarts. */
class Workload {
  readonly #round: string;
  #calls = 0;
  /** Holds acknowledged as recorded and not yet resolved by this process. */
  readonly holds: Hold[] = [];

  constructor(round: string) {
    this.#round = round;
  }

  nextCall(): { n: number; transfers: NewTransfer[]; amounts: bigint[] } {
    this.#calls += 1;
    const n = this.#calls;
    let event = 0;
    const id = (): string => `r${this.#round}.c${n}.${(event += 1)}`;
    const transfers: NewTransfer[] = [];
    const amounts: bigint[] = [];
    const add = (t: NewTransfer, amount: bigint): void => {
      transfers.push(t);
      amounts.push(amount);
    };
    const move = (linked: boolean): void => {
      const funding = Math.random() < 0.3;
      const amount = BigInt(funding ? randomInt(50, 500) : randomInt(1, 200));
      const debit = funding ? CRASH_BANK : pick(CRASH_WALLETS);
      const credit = pick([...CRASH_WALLETS, CRASH_FEES].filter((a) => a !== debit));
      add({ id: id(), debitAccountId: debit, creditAccountId: credit, amount, ledger: CRASH_LEDGER, code: 1, flags: { linked } }, amount);
    };
    const hold = (linked: boolean): void => {
      const amount = BigInt(randomInt(1, 100));
      const debit = pick(CRASH_WALLETS);
      const timeoutSeconds = pick([0, 0, 1]);
      add(
        {
          id: id(),
          debitAccountId: debit,
          creditAccountId: pick(CRASH_WALLETS.filter((a) => a !== debit)),
          amount,
          ledger: CRASH_LEDGER,
          code: 2,
          flags: { pending: true, linked },
          ...(timeoutSeconds > 0 ? { timeoutSeconds } : {}),
        },
        amount,
      );
    };
    const resolve = (linked: boolean): boolean => {
      const held = this.holds.splice(Math.floor(Math.random() * this.holds.length), 1)[0];
      if (held === undefined) return false;
      if (Math.random() < 0.6) {
        const amount = BigInt(randomInt(1, Number(held.amount)));
        add({ id: id(), pendingId: held.id, amount, flags: { postPendingTransfer: true, linked } }, amount);
      } else {
        add({ id: id(), pendingId: held.id, flags: { voidPendingTransfer: true, linked } }, held.amount);
      }
      return true;
    };
    const kind = Math.random();
    if (kind < 0.35) move(false);
    else if (kind < 0.55) {
      const length = randomInt(2, 3);
      for (let i = 0; i < length; i += 1) move(i < length - 1);
    } else if (kind < 0.75) hold(false);
    else if (kind < 0.95) {
      if (!resolve(false)) move(false);
    } else {
      hold(true);
      if (!resolve(true)) move(true);
      move(false);
    }
    return { n, transfers, amounts };
  }
}

async function openStore(engine: string, location: string): Promise<LedgerStore> {
  if (engine === 'sqlite') return openSqliteLedgerStore(location);
  if (engine === 'postgres') return openPostgresLedgerStore(location);
  throw new Error(`unknown engine ${engine}`);
}

async function main(): Promise<void> {
  const [engine, location, round] = process.argv.slice(2);
  if (engine === undefined || location === undefined || round === undefined) {
    throw new Error('usage: crash-child.ts <sqlite|postgres> <file path or URL> <round>');
  }
  const ledger = await createLedger({ store: await openStore(engine, location) });
  for (const outcome of await ledger.createAccounts(crashAccounts())) {
    if (outcome.result !== 'ok' && outcome.result !== 'exists') throw new Error(`account ${outcome.id}: ${outcome.result}`);
  }
  send({ t: 'ready' });
  const workload = new Workload(round);
  const caller = async (): Promise<never> => {
    for (;;) {
      const { n, transfers, amounts } = workload.nextCall();
      send({
        t: 'call',
        n,
        transfers: transfers.map(({ amount, ...rest }) => ({ ...rest, ...(amount === undefined ? {} : { amount: String(amount) }) })),
        amounts: amounts.map(String),
      });
      const outcomes = await ledger.createTransfers(transfers);
      send({ t: 'ack', n, results: outcomes.map((o) => [o.result, o.timestamp === null ? null : String(o.timestamp)] as const) });
      outcomes.forEach((o, i) => {
        const t = transfers[i]!;
        if (o.result === 'ok' && t.flags?.pending === true) workload.holds.push({ id: t.id, amount: t.amount! });
      });
      if (Math.random() < PAUSE_PROBABILITY) await new Promise((resolve) => setTimeout(resolve, randomInt(0, PAUSE_MS_MAX)));
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, caller));
}

// Run only as a script, so the test can import the shared names above.
if (process.argv[1]?.endsWith('crash-child.ts') === true) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
