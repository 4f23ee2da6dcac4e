/**
 * One suite for `ClearingStore`, run on every engine the network runs on
 * (STYLE 22, `STORE_TEST_ENGINES`): SQLite as is, SQLite through the group
 * commit, and PostgreSQL on a pool of several connections. The epoch set
 * once; a closed cycle read back whole (positions beyond 2^53, its files'
 * records, its instructions in their order) and written once; its files'
 * chunks read back byte for byte across segments; a closed cycle written only
 * over all of its files' chunks, and only the chunks of an unclosed cycle
 * discarded; an instruction settled once; the schema refusing bad rows and a
 * refused cycle leaving nothing written; concurrent closes and settlements of
 * one cycle and one instruction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { amount, currency } from '../../money/index.ts';
import { STORE_TEST_ENGINES, type OpenStores } from '../test-helpers.ts';
import type { ClearingPayment, NetworkPaymentId } from '../types.ts';
import { instructionIdOf } from './close.ts';
import type { CycleId } from './cycles.ts';
import { computePositions, paymentEntry } from './positions.ts';
import { CLEARING_FILE_CHUNK_LINES, type ClearingFileChunk, type ClearingStore, type StoredClearingFile, type StoredCycle, type StoredInstruction } from './store.ts';
import { refusedBy } from '../../platform/testing/store-engines.ts';

/** Callers racing in each concurrency case. */
const RACERS = 16;
const CNY = currency('CNY');
const KRW = currency('KRW');
const BIG = 2n ** 53n + 1n;
/** Consecutive daily cycles at 23:00 Seoul (14:00 UTC). */
const CYCLES = ['2026-11-25T2300', '2026-11-26T2300', '2026-11-27T2300', '2026-11-28T2300', '2026-11-29T2300'] as const;

function cycleRecord(cycleId: string, dayIndex: number, payments: readonly ClearingPayment[] = []): StoredCycle {
  const opensAt = new Date(Date.UTC(2026, 10, 24 + dayIndex, 14));
  const closesAt = new Date(opensAt.getTime() + 86_400_000);
  const positions = computePositions({ cycleId: cycleId as CycleId, entries: payments.map(paymentEntry) });
  return { cycleId: cycleId as CycleId, opensAt, closesAt, closedAt: new Date(closesAt.getTime() + 1_234), entryCount: positions.entryCount, positions };
}

function payment(n: number, krw: bigint, cny: bigint): ClearingPayment {
  return {
    paymentId: `NP${String(n).padStart(24, '0')}` as NetworkPaymentId,
    acquirerId: 'ACQ',
    paymentRequestId: `pos-${n}`,
    walletId: 'WALLET',
    paymentAmount: amount(KRW, krw),
    payAmount: amount(CNY, cny),
    fxQuote: { quoteId: 'Q1', base: CNY, quote: KRW, rate: '190.25' },
  };
}

/** The instructions of a cycle's positions, as a close stores them. */
function instructionsOf(cycle: StoredCycle): StoredInstruction[] {
  return cycle.positions.instructions.map((i) => ({
    instructionId: instructionIdOf(i.cycleId, i.participantId, i.amount.currency),
    cycleId: i.cycleId,
    participantId: i.participantId,
    role: i.role,
    accountId: i.accountId,
    direction: i.direction,
    amount: i.amount,
    status: 'pending',
    settledAt: null,
    reference: null,
  }));
}

/** `lines` lines of text, each ended by CRLF, numbered from `from`: what a chunk holds. */
function linesText(label: string, from: number, lines: number): string {
  let text = '';
  for (let i = from; i < from + lines; i += 1) text += `${label},${i},명동\r\n`;
  return text;
}

/** A file of `segmentLines` lines per segment, as its chunks and its record: its text is the chunks' in order. */
function fileOf(cycleId: string, participantId: string, segmentLines: readonly number[]): { file: StoredClearingFile; chunks: ClearingFileChunk[]; text: string } {
  const chunks: ClearingFileChunk[] = [];
  let text = '';
  let line = 0;
  segmentLines.forEach((lines, segment) => {
    for (let index = 0; index * CLEARING_FILE_CHUNK_LINES < lines; index += 1) {
      const chunkLines = Math.min(CLEARING_FILE_CHUNK_LINES, lines - index * CLEARING_FILE_CHUNK_LINES);
      const chunkText = linesText(participantId, line, chunkLines);
      chunks.push({ cycleId: cycleId as CycleId, participantId, segment, index, lines: Buffer.from(chunkText, 'utf8') });
      text += chunkText;
      line += chunkLines;
    }
  });
  const lineCount = segmentLines.reduce((a, n) => a + n, 0);
  return { file: { cycleId: cycleId as CycleId, participantId, checksum: 'c'.repeat(64), detailCount: Math.max(0, lineCount - 4), lineCount, segmentLines }, chunks, text };
}

for (const engine of STORE_TEST_ENGINES) {
  describe(`ClearingStore on ${engine.name}`, () => {
    let opened: OpenStores;
    let store: ClearingStore;
    before(async () => {
      opened = await engine.open();
      store = opened.clearingStore;
    });
    after(async () => {
      await opened.close();
    });

    it('sets the epoch once', async () => {
      const first = new Date('2026-11-24T15:00:00.000Z');
      assert.deepEqual(await store.epoch(first), first);
      assert.deepEqual(await store.epoch(new Date('2026-12-01T00:00:00.000Z')), first);
    });

    it('reads a closed cycle back whole: positions, files byte for byte across segments, instructions in order; written once', async () => {
      const cycleId = CYCLES[0];
      const cycle = cycleRecord(cycleId, 0, [payment(1, BIG, BIG - 7n), payment(2, 15_000n, 7_885n)]);
      const acquirerFile = fileOf(cycleId, 'ACQ', [CLEARING_FILE_CHUNK_LINES + 6, 0, 3]);
      const walletFile = fileOf(cycleId, 'WALLET', [4]);
      await store.insertFileChunks([...acquirerFile.chunks.slice(0, 2)]);
      await store.insertFileChunks([...acquirerFile.chunks.slice(2), ...walletFile.chunks]);
      const instructions = instructionsOf(cycle);
      assert.equal(instructions.length, 2);
      assert.equal(await store.insertClosedCycle({ cycle, files: [acquirerFile.file, walletFile.file], instructions: [...instructions].reverse() }), 'inserted');

      assert.deepEqual(await store.closedCycle(cycleId), cycle);
      assert.equal(await store.closedCycle(CYCLES[4]), null);
      assert.deepEqual(await store.clearingFile(cycleId, 'ACQ'), acquirerFile.file);
      assert.equal(await store.clearingFile(cycleId, 'NOBODY'), null);
      assert.equal((await store.fileChunks(acquirerFile.file, 0, 100)).join(''), acquirerFile.text);
      assert.deepEqual(await store.fileChunks(acquirerFile.file, 1, 2), [acquirerFile.chunks[1]!.lines.toString('utf8'), acquirerFile.chunks[2]!.lines.toString('utf8')]);
      assert.deepEqual(await store.fileChunks(acquirerFile.file, 3, 1), [], 'past the end');
      assert.equal((await store.fileChunks(walletFile.file, 0, 1)).join(''), walletFile.text);
      assert.deepEqual(
        (await store.segmentChunks(cycleId, 'ACQ', 0, 1, 10)).map((b) => b.toString('utf8')),
        [acquirerFile.chunks[1]!.lines.toString('utf8')],
      );
      assert.deepEqual(await store.segmentChunks(cycleId, 'ACQ', 1, 0, 10), [], 'an empty segment');
      assert.deepEqual(await store.instructionsOf(cycleId), instructions, 'wallets first, then by participant and currency');
      assert.deepEqual(await store.instruction(instructions[1]!.instructionId), instructions[1]);

      const again = cycleRecord(cycleId, 0);
      assert.equal(await store.insertClosedCycle({ cycle: again, files: [], instructions: [] }), 'exists');
      assert.deepEqual(await store.closedCycle(cycleId), cycle, 'the first close stands');
      assert.deepEqual(await store.instructionsOf(cycleId), instructions);
    });

    it('writes a closed cycle only over all of its files chunks, and discards only what an unclosed cycle left', async () => {
      const cycleId = CYCLES[1];
      const { file, chunks } = fileOf(cycleId, 'ACQ', [CLEARING_FILE_CHUNK_LINES + 480]);
      await store.insertFileChunks([chunks[0]!]);
      await assert.rejects(
        store.insertClosedCycle({ cycle: cycleRecord(cycleId, 1), files: [file], instructions: [] }),
        new RegExp(`assertion failed: the file of ACQ for ${cycleId} has its 2 chunks, found 1`),
      );
      assert.equal(await store.closedCycle(cycleId), null, 'nothing of the cycle was written');
      assert.equal(await store.discardUnclosedFileChunks(cycleId), 1);
      await store.insertFileChunks(chunks);
      assert.equal(await store.insertClosedCycle({ cycle: cycleRecord(cycleId, 1), files: [file], instructions: [] }), 'inserted');
      assert.equal(await store.discardUnclosedFileChunks(cycleId), 0, "a closed cycle's chunks stay");
      assert.equal(await store.discardUnclosedFileChunks(CYCLES[0]), 0);
      assert.equal((await store.fileChunks(file, 0, 5)).length, 2);
    });

    it('lists closed cycles newest first', async () => {
      assert.deepEqual(
        (await store.listClosedCycles(10)).map((c) => c.cycleId),
        [CYCLES[1], CYCLES[0]],
      );
      assert.deepEqual(
        (await store.listClosedCycles(1)).map((c) => c.cycleId),
        [CYCLES[1]],
      );
    });

    it('settles a pending instruction once', async () => {
      const [instruction] = await store.instructionsOf(CYCLES[0]);
      assert.ok(instruction);
      const settledAt = new Date('2026-11-26T01:00:00.000Z');
      assert.equal(await store.settleInstruction(instruction.instructionId, 'BANK-REF-1', settledAt), true);
      assert.deepEqual(await store.instruction(instruction.instructionId), { ...instruction, status: 'settled', settledAt, reference: 'BANK-REF-1' });
      assert.equal(await store.settleInstruction(instruction.instructionId, 'BANK-REF-2', new Date()), false);
      assert.equal((await store.instruction(instruction.instructionId))?.reference, 'BANK-REF-1');
      assert.equal(await store.settleInstruction('SI-none', 'BANK-REF-3', new Date()), false);
      assert.equal(await store.instruction('SI-none'), null);
    });

    it('refuses what the schema does not allow, and a refused close writes nothing', async () => {
      const cycleId = CYCLES[2];
      const cycle = cycleRecord(cycleId, 2, [payment(3, 10_000n, 5_257n)]);
      const [first] = instructionsOf(cycle);
      assert.ok(first);
      await refusedBy('check', () => store.insertClosedCycle({ cycle, files: [], instructions: [{ ...first, amount: amount(first.amount.currency, 0n) }] }), 'an instruction of nothing');
      await refusedBy('unique', () => store.insertClosedCycle({ cycle, files: [], instructions: [first, first] }), 'one instruction twice');
      await refusedBy('check', () => store.insertClosedCycle({ cycle: { ...cycle, closedAt: new Date(cycle.closesAt.getTime() - 1) }, files: [], instructions: [] }), 'closed before its cut-off');
      assert.equal(await store.closedCycle(cycleId), null);
      assert.deepEqual(await store.instructionsOf(cycleId), []);
      const { chunks } = fileOf(cycleId, 'ACQ', [2]);
      await store.insertFileChunks(chunks);
      await refusedBy('unique', () => store.insertFileChunks(chunks), 'a chunk stored twice');
      await refusedBy('check', () => store.insertFileChunks([{ ...chunks[0]!, index: 1, lines: Buffer.alloc(0) }]), 'an empty chunk');
      assert.equal(await store.discardUnclosedFileChunks(cycleId), 1, 'the first write only');
    });

    it('races closes of one cycle: one writes it, every other finds it closed', async () => {
      const cycleId = CYCLES[3];
      const cycle = cycleRecord(cycleId, 3, [payment(4, 20_000n, 10_513n)]);
      const { file, chunks } = fileOf(cycleId, 'ACQ', [5]);
      await store.insertFileChunks(chunks);
      const outcomes = await Promise.all(Array.from({ length: RACERS }, () => store.insertClosedCycle({ cycle, files: [file], instructions: instructionsOf(cycle) })));
      assert.equal(outcomes.filter((o) => o === 'inserted').length, 1);
      assert.equal(outcomes.filter((o) => o === 'exists').length, RACERS - 1);
      assert.deepEqual(await store.closedCycle(cycleId), cycle);
      assert.equal((await store.instructionsOf(cycleId)).length, 2);
    });

    it('races settlements of one instruction: one settles it', async () => {
      const [instruction] = await store.instructionsOf(CYCLES[3]);
      assert.ok(instruction);
      const settled = await Promise.all(Array.from({ length: RACERS }, (_, i) => store.settleInstruction(instruction.instructionId, `REF-${i}`, new Date())));
      assert.equal(settled.filter(Boolean).length, 1);
      assert.equal((await store.instruction(instruction.instructionId))?.reference, `REF-${settled.indexOf(true)}`);
    });
  });
}
