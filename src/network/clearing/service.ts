/**
 * Clearing and settlement at the network (issue 5): cycles close in order,
 * each from the ledger (close.ts), stored whole with a clearing file per
 * participant and its settlement instructions; an operator confirms each
 * instruction once the settlement bank has moved the money, and the network
 * books it against the participant's position.
 */
import type { Ledger, NewTransfer } from '../../ledger/index.ts';
import type { KeyedLock } from '../../platform/keyed-lock.ts';
import { err, ok, type Result } from '../../platform/result.ts';
import type { ParticipantRegistry } from '../participants.ts';
import type { NetworkStore } from '../store.ts';
import { clearCycle, ledgerBarrier, type StretchRunner } from './close.ts';
import type { Cycle, CycleSchedule } from './cycles.ts';
import { fileLayout, type ClearingStore, type StoredClearingFile, type StoredCycle, type StoredInstruction } from './store.ts';

/** Cycles one `closeDueCycles` pass closes at most; the next pass goes on. */
export const DUE_CYCLES_PER_PASS_MAX = 31;
/** Closed cycles on one page of the operator's list. */
export const CYCLES_PAGE_MAX = 100;
/** Chunks of a file read at once for a download (`CLEARING_FILE_CHUNK_LINES` lines each at most). */
export const FILE_TEXT_CHUNKS_PER_READ = 4;
/** A settlement bank's reference: 1 to 64 printable characters. */
export const SETTLEMENT_REFERENCE_PATTERN = /^[\x21-\x7e]{1,64}$/;

const SETTLEMENT_ACCOUNT_CODE = 4;
const SETTLEMENT_TRANSFER_CODE = 4;

export type ClearingError =
  | { readonly kind: 'bad-cycle-id'; readonly message: string }
  | { readonly kind: 'cycle-not-due'; readonly cycleId: string; readonly closesAt: Date }
  | { readonly kind: 'previous-cycle-open'; readonly cycleId: string; readonly previousCycleId: string }
  | { readonly kind: 'cycle-before-epoch'; readonly cycleId: string }
  | { readonly kind: 'cycle-not-closed'; readonly cycleId: string }
  | { readonly kind: 'file-not-found'; readonly cycleId: string; readonly participantId: string }
  | { readonly kind: 'instruction-not-found'; readonly instructionId: string }
  | { readonly kind: 'bad-reference' }
  | { readonly kind: 'instruction-settled-otherwise'; readonly instructionId: string; readonly reference: string };

export interface ClearingService {
  readonly schedule: CycleSchedule;
  /** Closes a cycle whose cut-off has passed, once every earlier cycle is closed; a closed cycle answers as stored. */
  closeCycle(cycleId: string): Promise<Result<StoredCycle, ClearingError>>;
  /** Closes the cycles whose cut-off has passed, oldest first (at most `DUE_CYCLES_PER_PASS_MAX`); the ones closed now. */
  closeDueCycles(): Promise<StoredCycle[]>;
  /** Newest first. */
  listCycles(limit: number): Promise<StoredCycle[]>;
  cycle(cycleId: string): Promise<Result<{ readonly cycle: StoredCycle; readonly instructions: readonly StoredInstruction[] }, ClearingError>>;
  /** A closed cycle's file of a participant: its record (checksum, counts), not its text. */
  file(cycleId: string, participantId: string): Promise<Result<StoredClearingFile, ClearingError>>;
  /** Lines `fromLine` to `fromLine + linesMax − 1` of a file (fewer at its end), without their CRLF. */
  fileLines(file: StoredClearingFile, fromLine: number, linesMax: number): Promise<string[]>;
  /** A file's text, a chunk at a time, for a download: never whole in memory. */
  fileText(file: StoredClearingFile): AsyncIterable<string>;
  /** Marks an instruction settled and books it; confirming again with the same reference is a no-op. */
  confirmInstruction(instructionId: string, reference: string): Promise<Result<StoredInstruction, ClearingError>>;
}

export async function createClearingService(deps: {
  readonly ledger: Ledger;
  readonly store: NetworkStore;
  readonly clearingStore: ClearingStore;
  /**
   * Where a close writes its files' chunks and reads them back (`clearingStore`
   * by default): on SQLite, a connection of its own that commits without an
   * fsync each, the cycle's commit at FULL making them durable (ADR 16).
   */
  readonly chunkStore?: Pick<ClearingStore, 'insertFileChunks' | 'segmentChunks'>;
  readonly participants: ParticipantRegistry;
  readonly schedule: CycleSchedule;
  readonly locks: KeyedLock;
  readonly now: () => Date;
  /** Clears the later half of a large cycle on another thread meanwhile (close.ts); without it, one thread clears every cycle. */
  readonly runStretch?: StretchRunner;
  /** When a close cuts its cycle in two, and the transfers it reads a page (tests cut small cycles); close.ts's defaults otherwise. */
  readonly splitRemainingMin?: number;
  readonly pageTransfers?: number;
}): Promise<ClearingService> {
  const { ledger, clearingStore, schedule, now } = deps;
  const epochCycle = schedule.cycleOf(await clearingStore.epoch(now()));

  const close = async (cycle: Cycle): Promise<Result<StoredCycle, ClearingError>> => {
    const stored = await clearingStore.closedCycle(cycle.id);
    if (stored) return ok(stored);
    if (cycle.closesAt.getTime() < epochCycle.closesAt.getTime()) return err({ kind: 'cycle-before-epoch', cycleId: cycle.id });
    if (now().getTime() < cycle.closesAt.getTime()) return err({ kind: 'cycle-not-due', cycleId: cycle.id, closesAt: cycle.closesAt });
    if (cycle.id !== epochCycle.id) {
      const previous = schedule.previous(cycle);
      if (!(await clearingStore.closedCycle(previous.id))) return err({ kind: 'previous-cycle-open', cycleId: cycle.id, previousCycleId: previous.id });
    }
    await ledgerBarrier(ledger);
    // Chunks of files a close of this cycle wrote before it was interrupted (a crash, a failed write).
    await clearingStore.discardUnclosedFileChunks(cycle.id);
    const closed = await clearCycle({
      ledger,
      store: deps.store,
      clearingStore: deps.chunkStore ?? clearingStore,
      participants: deps.participants.all(),
      cycle,
      ...(deps.runStretch === undefined ? {} : { runStretch: deps.runStretch }),
      ...(deps.splitRemainingMin === undefined ? {} : { splitRemainingMin: deps.splitRemainingMin }),
      ...(deps.pageTransfers === undefined ? {} : { pageTransfers: deps.pageTransfers }),
    });
    const record: StoredCycle = {
      cycleId: cycle.id,
      opensAt: cycle.opensAt,
      closesAt: cycle.closesAt,
      closedAt: now(),
      entryCount: closed.positions.entryCount,
      positions: closed.positions,
    };
    await clearingStore.insertClosedCycle({ cycle: record, files: closed.files, instructions: closed.instructions });
    return ok((await clearingStore.closedCycle(cycle.id))!);
  };

  const cycleById = (cycleId: string): Result<Cycle, ClearingError> => {
    const found = schedule.cycleById(cycleId);
    return found.ok ? found : err({ kind: 'bad-cycle-id', message: found.error.message });
  };

  const book = async (instruction: StoredInstruction): Promise<void> => {
    const settlementAccount = `settlement:${instruction.amount.currency}`;
    await ledger.createAccounts([{ id: settlementAccount, ledger: instruction.amount.currency, code: SETTLEMENT_ACCOUNT_CODE }]);
    const pays = instruction.direction === 'participant-pays';
    const transfer: NewTransfer = {
      id: `settle:${instruction.instructionId}`,
      // The participant pays: its position account is credited back to even; it receives: debited.
      debitAccountId: pays ? settlementAccount : instruction.accountId,
      creditAccountId: pays ? instruction.accountId : settlementAccount,
      amount: instruction.amount.value,
      ledger: instruction.amount.currency,
      code: SETTLEMENT_TRANSFER_CODE,
    };
    const [outcome] = await ledger.createTransfers([transfer]);
    if (outcome?.result !== 'ok' && outcome?.result !== 'exists') throw new Error(`assertion failed: settlement ${transfer.id} recorded, got ${outcome?.result}`);
  };

  return {
    schedule,
    async closeCycle(cycleId) {
      const cycle = cycleById(cycleId);
      if (!cycle.ok) return cycle;
      return deps.locks.run('clearing', () => close(cycle.value));
    },
    async closeDueCycles() {
      return deps.locks.run('clearing', async () => {
        const [last] = await clearingStore.listClosedCycles(1);
        let cycle = last ? schedule.next(schedule.cycleOf(last.opensAt)) : epochCycle;
        const closed: StoredCycle[] = [];
        while (closed.length < DUE_CYCLES_PER_PASS_MAX && cycle.closesAt.getTime() <= now().getTime()) {
          const result = await close(cycle);
          if (!result.ok) throw new Error(`assertion failed: a due cycle closes in order, got ${result.error.kind}`);
          closed.push(result.value);
          cycle = schedule.next(cycle);
        }
        return closed;
      });
    },
    listCycles: (limit) => clearingStore.listClosedCycles(Math.min(limit, CYCLES_PAGE_MAX)),
    async cycle(cycleId) {
      const cycle = cycleById(cycleId);
      if (!cycle.ok) return cycle;
      const stored = await clearingStore.closedCycle(cycle.value.id);
      if (!stored) return err({ kind: 'cycle-not-closed', cycleId: cycle.value.id });
      return ok({ cycle: stored, instructions: await clearingStore.instructionsOf(cycle.value.id) });
    },
    async file(cycleId, participantId) {
      const cycle = cycleById(cycleId);
      if (!cycle.ok) return cycle;
      if (!(await clearingStore.closedCycle(cycle.value.id))) return err({ kind: 'cycle-not-closed', cycleId: cycle.value.id });
      const file = await clearingStore.clearingFile(cycle.value.id, participantId);
      return file ? ok(file) : err({ kind: 'file-not-found', cycleId: cycle.value.id, participantId });
    },
    async fileLines(file, fromLine, linesMax) {
      if (!(Number.isInteger(fromLine) && fromLine >= 0 && Number.isInteger(linesMax) && linesMax >= 0)) {
        throw new Error('assertion failed: lines of a file from a line number, at most a count');
      }
      const end = Math.min(fromLine + linesMax, file.lineCount);
      if (fromLine >= end) return [];
      const layout = fileLayout(file);
      const first = layout.chunkOfLine(fromLine);
      const last = layout.chunkOfLine(end - 1);
      const chunks = await clearingStore.fileChunks(file, first.ordinal, last.ordinal - first.ordinal + 1);
      const lines = chunks.flatMap((chunk) => chunk.split('\r\n').slice(0, -1));
      return lines.slice(fromLine - first.firstLine, end - first.firstLine);
    },
    async *fileText(file) {
      const { chunkCount } = fileLayout(file);
      for (let chunk = 0; chunk < chunkCount; chunk += FILE_TEXT_CHUNKS_PER_READ) {
        for (const text of await clearingStore.fileChunks(file, chunk, FILE_TEXT_CHUNKS_PER_READ)) yield text;
      }
    },
    async confirmInstruction(instructionId, reference) {
      if (!SETTLEMENT_REFERENCE_PATTERN.test(reference)) return err({ kind: 'bad-reference' });
      return deps.locks.run(`settle:${instructionId}`, async () => {
        const instruction = await clearingStore.instruction(instructionId);
        if (!instruction) return err({ kind: 'instruction-not-found', instructionId });
        if (instruction.status === 'settled') {
          return instruction.reference === reference ? ok(instruction) : err({ kind: 'instruction-settled-otherwise', instructionId, reference: instruction.reference ?? '' });
        }
        // Ledger first, then the status: a crash between them leaves a pending instruction whose
        // confirmation re-submits the same transfer id, which the ledger answers `exists`.
        await book(instruction);
        await clearingStore.settleInstruction(instructionId, reference, now());
        return ok((await clearingStore.instruction(instructionId))!);
      });
    },
  };
}
