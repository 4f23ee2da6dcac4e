/**
 * The clearing store's files in chunks: a database of the first schema, its
 * files kept whole, reads the same bytes once migrated; a closed cycle is
 * written only over all of its files' chunks; chunks an interrupted close
 * left are discarded, those of a closed cycle never.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amount, currency } from '../../money/index.ts';
import { migrateSqlite, openSqlite } from '../../platform/db/sqlite.ts';
import { writeClearingFile, type ClearingRecord } from '../../protocol/index.ts';
import type { CycleId } from './cycles.ts';
import { computePositions } from './positions.ts';
import { CLEARING_FILE_CHUNK_LINES, CLEARING_MIGRATIONS, fileLayout, openClearingStore, type StoredCycle } from './store.ts';

const CYCLE = '2026-11-25T2300' as CycleId;
const OPENS_AT = new Date('2026-11-24T14:00:00.000Z');
const CLOSES_AT = new Date('2026-11-25T14:00:00.000Z');
const KRW = currency('KRW');

function fileOf(participantId: string, records: number): string {
  const list: ClearingRecord[] = Array.from({ length: records }, (_, i) => ({
    transactionType: 'PAYMENT',
    transactionId: `NP${String(i).padStart(24, '0')}`,
    paymentId: `NP${String(i).padStart(24, '0')}`,
    requestId: `요청-${i}`,
    transactionTime: new Date(OPENS_AT.getTime() + i * 1_000),
    transactionAmount: amount(KRW, 15_000n),
    settlementAmount: amount(KRW, 15_000n),
    direction: 'CREDIT',
    fxRate: null,
  }));
  return writeClearingFile({ header: { cycleId: CYCLE, participantId, opensAt: OPENS_AT, closesAt: CLOSES_AT }, records: list });
}

function cycleRecord(): StoredCycle {
  return { cycleId: CYCLE, opensAt: OPENS_AT, closesAt: CLOSES_AT, closedAt: CLOSES_AT, entryCount: 0, positions: computePositions({ cycleId: CYCLE, entries: [] }) };
}

describe('clearing files in chunks', () => {
  it('migrates files kept whole into chunks of lines: the same bytes, line for line', async () => {
    const db = openSqlite(':memory:');
    migrateSqlite(db, CLEARING_MIGRATIONS.slice(0, 1));
    const big = fileOf('ACQ', 2 * CLEARING_FILE_CHUNK_LINES + 10);
    const small = fileOf('WALLET', 0);
    db.prepare("INSERT INTO clearing_cycles VALUES (?, ?, ?, ?, 0, '{}')").run(CYCLE, OPENS_AT.toISOString(), CLOSES_AT.toISOString(), CLOSES_AT.toISOString());
    for (const [participantId, content] of [['ACQ', big], ['WALLET', small]] as const) {
      db.prepare('INSERT INTO clearing_files (cycle_id, participant_id, content, checksum, detail_count) VALUES (?, ?, ?, ?, ?)').run(CYCLE, participantId, content, 'c'.repeat(64), 7);
    }
    const store = openClearingStore(db);
    for (const [participantId, content] of [['ACQ', big], ['WALLET', small]] as const) {
      const file = await store.clearingFile(CYCLE, participantId);
      assert.ok(file !== null);
      assert.deepEqual([file.lineCount, file.checksum, file.detailCount], [content.split('\r\n').length - 1, 'c'.repeat(64), 7]);
      const chunks = await store.fileChunks(file, 0, 100);
      assert.equal(chunks.length, Math.ceil(file.lineCount / CLEARING_FILE_CHUNK_LINES));
      assert.equal(chunks.join(''), content, `${participantId}: the same bytes`);
      for (const chunk of chunks.slice(0, -1)) assert.equal(chunk.split('\r\n').length - 1, CLEARING_FILE_CHUNK_LINES);
      assert.deepEqual(await store.fileChunks(file, 1, 1), chunks.slice(1, 2));
    }
    db.close();
  });

  it('writes a closed cycle only over all of its files chunks, and discards only what an unclosed cycle left', async () => {
    const db = openSqlite(':memory:');
    const store = openClearingStore(db);
    const file = { cycleId: CYCLE, participantId: 'ACQ', checksum: 'c'.repeat(64), detailCount: 1_500, lineCount: 1_504, segmentLines: [1_504] };
    const chunk = (n: number) => ({ cycleId: CYCLE, participantId: 'ACQ', segment: 0, index: n, lines: Buffer.from(`chunk ${n}\r\n`) });
    await store.insertFileChunks([chunk(0)]);
    await assert.rejects(store.insertClosedCycle({ cycle: cycleRecord(), files: [file], instructions: [] }), /assertion failed: the file of ACQ for 2026-11-25T2300 has its 2 chunks, found 1/);
    assert.equal(await store.closedCycle(CYCLE), null, 'nothing of the cycle was written');
    assert.equal(await store.discardUnclosedFileChunks(CYCLE), 1);
    await store.insertFileChunks([chunk(0), chunk(1)]);
    assert.equal(await store.insertClosedCycle({ cycle: cycleRecord(), files: [file], instructions: [] }), 'inserted');
    assert.equal(await store.discardUnclosedFileChunks(CYCLE), 0, "a closed cycle's chunks stay");
    assert.deepEqual(await store.fileChunks(file, 0, 5), ['chunk 0\r\n', 'chunk 1\r\n']);
    db.close();
  });

  it('reads a file written in segments side by side as one: chunks in order across segments, a line found in its chunk', async () => {
    const db = openSqlite(':memory:');
    const store = openClearingStore(db);
    // Segment 0: the header and 1,029 details (2 chunks, the second short); segment 1: empty; segment 2: 1,030 lines; the tail: 3.
    const segmentLines = [1_030, 0, 1_030, 3];
    const lineCount = segmentLines.reduce((a, n) => a + n, 0);
    const lines = Array.from({ length: lineCount }, (_, n) => `line ${n}\r\n`);
    const file = { cycleId: CYCLE, participantId: 'ACQ', checksum: 'c'.repeat(64), detailCount: 2_058, lineCount, segmentLines };
    let line = 0;
    for (const [segment, count] of segmentLines.entries()) {
      const segmentText = lines.slice(line, line + count);
      line += count;
      for (let index = 0; index * CLEARING_FILE_CHUNK_LINES < count; index += 1) {
        const text = segmentText.slice(index * CLEARING_FILE_CHUNK_LINES, (index + 1) * CLEARING_FILE_CHUNK_LINES).join('');
        await store.insertFileChunks([{ cycleId: CYCLE, participantId: 'ACQ', segment, index, lines: Buffer.from(text) }]);
      }
    }
    assert.equal(await store.insertClosedCycle({ cycle: cycleRecord(), files: [file], instructions: [] }), 'inserted');
    const stored = await store.clearingFile(CYCLE, 'ACQ');
    assert.deepEqual(stored?.segmentLines, segmentLines);
    const layout = fileLayout(stored!);
    assert.equal(layout.chunkCount, 5);
    assert.equal((await store.fileChunks(stored!, 0, 100)).join(''), lines.join(''), 'the same lines, in order');
    assert.deepEqual(await store.fileChunks(stored!, 3, 1), [lines.slice(2_054, 2_060).join('')], 'the second chunk of segment 2');
    for (const n of [0, 1_023, 1_024, 1_029, 1_030, 2_053, 2_054, 2_059, 2_060, 2_062]) {
      const { ordinal, firstLine } = layout.chunkOfLine(n);
      const [chunk] = await store.fileChunks(stored!, ordinal, 1);
      assert.equal(chunk!.split('\r\n')[n - firstLine], `line ${n}`, `line ${n}`);
    }
    assert.deepEqual((await store.segmentChunks(CYCLE, 'ACQ', 2, 1, 10)).map(String), [lines.slice(2_054, 2_060).join('')]);
    assert.throws(() => layout.chunkOfLine(lineCount), /assertion failed: line 2063 of 2063/);
    await assert.rejects(
      store.insertClosedCycle({ cycle: { ...cycleRecord(), cycleId: '2026-11-26T2300' as typeof CYCLE }, files: [{ ...file, cycleId: '2026-11-26T2300' as typeof CYCLE }], instructions: [] }),
      /has its 5 chunks, found 0/,
    );
    db.close();
  });
});
