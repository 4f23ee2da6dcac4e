/**
 * The timed part of the clearing benchmark (clearing.bench.ts), alone in its
 * process so that the process's peak resident memory is the close's: opens
 * the seeded network as `createNetwork` does, closes the cycle, and checks
 * what it closed once the clock has stopped. Its last line of output is its
 * `ClearingBenchChildOutput` as JSON.
 *
 * `node --import tsx clearing-bench-child.ts <input.json>`
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../../platform/db/sqlite.ts';
import { peakResidentMiB, startCpuProfile } from '../../platform/profiling.ts';
import { generateSigningKeyPair } from '../../platform/signing/index.ts';
import { parseClearingFile } from '../../protocol/index.ts';
import { createNetwork, NETWORK_DB_FILE } from '../index.ts';
import { jsonOf, positionsChecksum, type ClearingBenchChildInput, type ClearingBenchChildOutput } from './clearing.bench.ts';
import type { ClearingService } from './service.ts';
import type { StoredClearingFile } from './store.ts';

const MIB = 1024 * 1024;
/** The trailer's checksum and its CRLF: what the checksum does not cover. */
const CHECKSUM_TAIL_CHARS = 64 + 2;

const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ClearingBenchChildInput;
const network = await createNetwork({
  dataDir: input.dataDir,
  identity: { clientId: 'BENCHNET', privateKey: generateSigningKeyPair().privateKey, keyVersion: 1 },
  operatorKey: 'bench-operator-key',
  now: () => new Date(input.nowMs),
  clearingThreads: input.clearingThreads,
});
try {
  const openRssMiB = process.memoryUsage.rss() / MIB;
  const profile = await startCpuProfile(input.profileDir, 'clearing-close');
  const started = performance.now();
  const closed = await network.clearing.closeCycle(input.cycleId);
  assert.ok(closed.ok, JSON.stringify(!closed.ok && closed.error));
  const detail = await network.clearing.cycle(input.cycleId);
  assert.ok(detail.ok);
  const checksum = positionsChecksum(closed.value.positions, detail.value.instructions.map((i) => i.instructionId));
  const seconds = (performance.now() - started) / 1000;
  const peakRssMiB = peakResidentMiB();
  const profilePath = await profile.stop();

  // Checked after the clock stopped: the positions are what the seed booked, every file reads back to its checksum.
  assert.deepEqual(jsonOf(closed.value.positions), input.expectedPositions, 'the positions are those of the transactions seeded in the cycle');
  let fileLines = 0;
  let fileBytes = 0;
  for (const participant of new Set(closed.value.positions.positions.map((p) => p.participantId))) {
    const file = await network.clearing.file(input.cycleId, participant);
    assert.ok(file.ok, participant);
    const read = await readBack(network.clearing, file.value, input.parseFilesLinesMax);
    fileLines += read.lines;
    fileBytes += read.bytes;
  }
  const output: ClearingBenchChildOutput = {
    seconds,
    peakRssMiB: Math.round(peakRssMiB),
    openRssMiB: Math.round(openRssMiB),
    checksum,
    entryCount: closed.value.entryCount,
    fileLines,
    fileBytes,
    profilePath,
  };
  console.log(JSON.stringify(output));
} finally {
  await network.close();
}
if (input.reopenCycle) {
  // For a run after this one: the cycle as it was before its close (its chunks' pages stay in the file, free).
  const db = openSqlite(join(input.dataDir, NETWORK_DB_FILE));
  db.exec('BEGIN');
  for (const table of ['settlement_instructions', 'clearing_files', 'clearing_file_chunks', 'clearing_cycles']) db.prepare(`DELETE FROM ${table} WHERE cycle_id = ?`).run(input.cycleId);
  db.exec('COMMIT');
  db.close();
}

/** Reads a stored file back, chunk by chunk: its lines, its bytes, its checksum; parsed whole if it is small. */
async function readBack(clearing: ClearingService, file: StoredClearingFile, parseLinesMax: number): Promise<{ lines: number; bytes: number }> {
  const hash = createHash('sha256');
  const keep = file.lineCount <= parseLinesMax;
  const kept: string[] = [];
  let tail = '';
  let lines = 0;
  let bytes = 0;
  for await (const chunk of clearing.fileText(file)) {
    if (keep) kept.push(chunk);
    bytes += Buffer.byteLength(chunk, 'utf8');
    for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) lines += 1;
    const text = tail + chunk;
    hash.update(text.slice(0, -CHECKSUM_TAIL_CHARS), 'utf8');
    tail = text.slice(-CHECKSUM_TAIL_CHARS);
  }
  assert.equal(lines, file.lineCount, `${file.participantId}: every line is stored`);
  assert.equal(tail, `${file.checksum}\r\n`, `${file.participantId}: the file ends with its checksum`);
  assert.equal(hash.digest('hex'), file.checksum, `${file.participantId}: the stored bytes are the ones the checksum was taken of`);
  if (keep) {
    const parsed = parseClearingFile(kept.join(''));
    assert.ok(parsed.ok, `${file.participantId}: ${JSON.stringify(!parsed.ok && parsed.error)}`);
    assert.equal(parsed.value.records.length, file.detailCount);
  }
  return { lines, bytes };
}

