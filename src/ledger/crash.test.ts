/**
 * The ledger survives a crash: `crash-child.ts` submits transfers under load
 * and is killed with SIGKILL at a random moment, several rounds in a row on
 * the same database, each round a new process. After every kill the ledger is
 * opened again and must hold exactly what it acknowledged, and nothing half
 * done:
 *
 * - every acknowledged `ok` transfer is there, once, with the amount and the
 *   timestamp it was acknowledged with; every acknowledged refusal is absent;
 * - every transfer in the database is one the child asked for, with the
 *   fields it asked for; a linked chain is there whole or not at all, even
 *   one in flight at the kill;
 * - timestamps strictly increase: within a call, after every call
 *   acknowledged before it was made, and after its hold for a post or void;
 * - `verify()` passes: every balance recomputed from the transfers matches;
 * - sending every acknowledged call again returns `exists` for what was
 *   recorded (with its timestamp) and a refusal for what was not: the first
 *   refusal of the event that failed (it depended on the ledger's state, so
 *   it stuck), or, since the other events of a refused chain keep nothing,
 *   the refusal of an earlier event of the chain on the state as it now is.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTestDatabase } from '../platform/testing/postgres.ts';
import { type ChildLine, type WireTransfer } from './crash-child.ts';
import { FAILURES_NOT_STICKY } from './plan.ts';
import { createLedger, type Ledger } from './service.ts';
import type { LedgerStore } from './store.ts';
import { openPostgresLedgerStore } from './store-postgres.ts';
import { openSqliteLedgerStore } from './store-sqlite.ts';
import type { CreateTransferResult, NewTransfer, Transfer } from './types.ts';

const ROUNDS = Number(process.env.DARI_CRASH_ROUNDS ?? 5);
const KILL_DELAY_MS_MIN = 50;
const KILL_DELAY_MS_MAX = 800;
/** A child that has not opened its ledger by then is stuck, not slow. */
const CHILD_READY_TIMEOUT_MS = 30_000;
const CHILD_PATH = join(import.meta.dirname, 'crash-child.ts');

interface CrashEngine {
  readonly name: 'sqlite' | 'postgres';
  /** Creates an empty database; returns where it is and how to remove it. */
  create(): Promise<{ readonly location: string; dispose(): Promise<void> }>;
  open(location: string): Promise<LedgerStore>;
}

const CRASH_ENGINES: readonly CrashEngine[] = [
  {
    name: 'sqlite',
    create() {
      const dir = mkdtempSync(join(tmpdir(), 'dari-ledger-crash-'));
      return Promise.resolve({
        location: join(dir, 'ledger.db'),
        dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
      });
    },
    open: (location) => Promise.resolve(openSqliteLedgerStore(location)),
  },
  {
    name: 'postgres',
    async create() {
      const database = await createTestDatabase();
      return { location: database.url, dispose: () => database.drop() };
    },
    open: (location) => openPostgresLedgerStore(location),
  },
];

/** One call the child made: its transfers, and its results if it was acknowledged. */
interface Call {
  readonly key: string;
  readonly transfers: readonly NewTransfer[];
  readonly amounts: readonly bigint[];
  /** The largest timestamp acknowledged before this call was made: all of its transfers come later. */
  readonly after: bigint;
  results: readonly { readonly result: CreateTransferResult; readonly timestamp: bigint | null }[] | null;
}

function fromWire({ amount, ...rest }: WireTransfer): NewTransfer {
  return { ...rest, ...(amount === undefined ? {} : { amount: BigInt(amount) }) };
}

/** Starts the child, kills it `delayMs` after it is ready, and returns every complete line it wrote. */
async function runChild(engine: string, location: string, round: number, delayMs: number): Promise<ChildLine[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_PATH, engine, location, String(round)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  const lines: ChildLine[] = [];
  let killTimer: NodeJS.Timeout | undefined;
  const readyTimer = setTimeout(() => child.kill('SIGKILL'), CHILD_READY_TIMEOUT_MS);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    // A line cut short by the kill has no newline yet: it never counts.
    buffered = complete.pop()!;
    for (const text of complete) {
      const line = JSON.parse(text) as ChildLine;
      if (line.t === 'ready') {
        clearTimeout(readyTimer);
        killTimer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
      lines.push(line);
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(readyTimer);
  clearTimeout(killTimer);
  assert.ok(lines[0]?.t === 'ready', `round ${round}: the child never became ready (exit ${code}, ${signal})`);
  assert.equal(signal, 'SIGKILL', `round ${round}: the child must run until killed, not exit (code ${code})`);
  return lines;
}

/** Turns the child's lines into calls, each knowing what was acknowledged before it began. */
function readCalls(round: number, lines: readonly ChildLine[], acknowledgedBefore: bigint): Call[] {
  const calls = new Map<number, Call>();
  let latest = acknowledgedBefore;
  for (const line of lines) {
    if (line.t === 'call') {
      calls.set(line.n, {
        key: `round ${round} call ${line.n}`,
        transfers: line.transfers.map(fromWire),
        amounts: line.amounts.map((a) => BigInt(a)),
        after: latest,
        results: null,
      });
    } else if (line.t === 'ack') {
      const call = calls.get(line.n);
      assert.ok(call !== undefined && call.results === null, `round ${round}: ack ${line.n} answers one call, once`);
      assert.equal(line.results.length, call.transfers.length, `${call.key}: one result per transfer`);
      call.results = line.results.map(([result, timestamp]) => ({
        result: result as CreateTransferResult,
        timestamp: timestamp === null ? null : BigInt(timestamp),
      }));
      for (const r of call.results) if (r.timestamp !== null && r.timestamp > latest) latest = r.timestamp;
    }
  }
  return [...calls.values()];
}

/** Index ranges of the linked chains in a call (a lone transfer is a chain of one). */
function chains(transfers: readonly NewTransfer[]): number[][] {
  const result: number[][] = [];
  let current: number[] = [];
  transfers.forEach((t, i) => {
    current.push(i);
    if (t.flags?.linked !== true) {
      result.push(current);
      current = [];
    }
  });
  if (current.length > 0) result.push(current);
  return result;
}

/** Checks what the database holds against every call of every round so far. */
async function checkRecorded(ledger: Ledger, calls: readonly Call[]): Promise<Map<string, Transfer>> {
  const ids = calls.flatMap((c) => c.transfers.map((t) => t.id));
  const found = new Map((await ledger.lookupTransfers(ids)).map((t) => [t.id as string, t]));
  for (const call of calls) {
    for (const chain of chains(call.transfers)) {
      const present = chain.filter((i) => found.has(call.transfers[i]!.id)).length;
      assert.ok(present === 0 || present === chain.length, `${call.key}: chain ${chain} is there whole or not at all`);
    }
    let previous = call.after;
    call.transfers.forEach((t, i) => {
      const recorded = found.get(t.id);
      const acknowledged = call.results?.[i];
      if (acknowledged !== undefined && acknowledged.result !== 'ok') {
        assert.equal(recorded, undefined, `${call.key}: ${t.id} was refused (${acknowledged.result}) and must be absent`);
      }
      if (acknowledged?.result === 'ok') assert.ok(recorded !== undefined, `${call.key}: acknowledged ${t.id} must be there`);
      if (recorded === undefined) return;
      assert.equal(recorded.amount, call.amounts[i], `${call.key}: ${t.id} amount`);
      assert.equal(recorded.pendingId, t.pendingId ?? null, `${call.key}: ${t.id} pending id`);
      if (t.debitAccountId !== undefined) assert.equal(recorded.debitAccountId, t.debitAccountId, `${call.key}: ${t.id} debit`);
      if (t.creditAccountId !== undefined) assert.equal(recorded.creditAccountId, t.creditAccountId, `${call.key}: ${t.id} credit`);
      if (acknowledged !== undefined) assert.equal(recorded.timestamp, acknowledged.timestamp, `${call.key}: ${t.id} timestamp`);
      assert.ok(recorded.timestamp > previous, `${call.key}: ${t.id} at ${recorded.timestamp}, after ${previous}`);
      previous = recorded.timestamp;
      if (t.pendingId !== undefined) {
        const hold = found.get(t.pendingId);
        assert.ok(hold !== undefined && hold.timestamp < recorded.timestamp, `${call.key}: ${t.id} comes after its hold`);
      }
    });
  }
  const report = await ledger.verify();
  assert.ok(report.ok, `verify: ${JSON.stringify(report, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
  assert.equal(report.transferCount, found.size, 'every transfer in the ledger is one the child asked for, once');
  return found;
}

/** Sends every acknowledged call again: what was recorded `exists`, what was refused is refused again. */
async function checkRetries(ledger: Ledger, calls: readonly Call[]): Promise<void> {
  const acknowledged = calls.filter((c) => c.results !== null);
  const outcomes = await Promise.all(acknowledged.map((c) => ledger.createTransfers(c.transfers)));
  acknowledged.forEach((call, k) => {
    for (const chain of chains(call.transfers)) {
      const first = chain.map((i) => call.results![i]!);
      const again = chain.map((i) => outcomes[k]![i]!);
      const where = `${call.key}: chain ${chain} sent again`;
      if (first.every((r) => r.result === 'ok')) {
        assert.deepEqual(again.map((o) => [o.result, o.timestamp]), first.map((r) => ['exists', r.timestamp]), where);
        continue;
      }
      // The event that failed kept its refusal; the events before it kept
      // nothing and run again, so one of them may now fail on the state.
      const failedAt = first.findIndex((r) => r.result !== 'linked-event-failed');
      const refusedAt = again.findIndex((o) => o.result !== 'linked-event-failed');
      assert.ok(failedAt >= 0 && refusedAt >= 0 && refusedAt <= failedAt, `${where}: refused at ${refusedAt}, first at ${failedAt}`);
      const refusal = again[refusedAt]!.result;
      if (refusedAt === failedAt) assert.equal(refusal, first[failedAt]!.result, where);
      else assert.ok(refusal !== 'ok' && refusal !== 'exists' && !FAILURES_NOT_STICKY.has(refusal), `${where}: ${refusal}`);
      assert.deepEqual(
        again.map((o) => [o.result, o.timestamp]),
        again.map((_, p) => [p === refusedAt ? refusal : 'linked-event-failed', null]),
        where,
      );
    }
  });
}

for (const engine of CRASH_ENGINES) {
  describe(`ledger killed under load, ${engine.name}`, () => {
    it(`keeps exactly what it acknowledged through ${ROUNDS} kills`, async (t) => {
      const database = await engine.create();
      try {
        const calls: Call[] = [];
        let acknowledgedOk = 0;
        let latest = 0n;
        for (let round = 1; round <= ROUNDS; round += 1) {
          const delayMs = KILL_DELAY_MS_MIN + Math.floor(Math.random() * (KILL_DELAY_MS_MAX - KILL_DELAY_MS_MIN + 1));
          const lines = await runChild(engine.name, database.location, round, delayMs);
          const roundCalls = readCalls(round, lines, latest);
          calls.push(...roundCalls);
          const ledger = await createLedger({ store: await engine.open(database.location) });
          try {
            const found = await checkRecorded(ledger, calls);
            for (const transfer of found.values()) if (transfer.timestamp > latest) latest = transfer.timestamp;
            await checkRetries(ledger, roundCalls);
            const inFlight = roundCalls.filter((c) => c.results === null).flatMap((c) => c.transfers);
            const ok = roundCalls.flatMap((c) => c.results ?? []).filter((r) => r.result === 'ok').length;
            acknowledgedOk += ok;
            t.diagnostic(
              `round ${round}: killed ${delayMs} ms after ready; ${roundCalls.length} calls, ${ok} transfers acknowledged ok; ` +
                `${inFlight.length} in flight, ${inFlight.filter((transfer) => found.has(transfer.id)).length} of them recorded`,
            );
          } finally {
            await ledger.close();
          }
        }
        // Not vacuous: the child got real work acknowledged before the kills.
        assert.ok(acknowledgedOk > 0, 'some transfers were acknowledged');
      } finally {
        await database.dispose();
      }
    });
  });
}
