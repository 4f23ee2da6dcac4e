/**
 * One institution's reconciliation of one cycle (reconcile-cycle.ts), against
 * a fake network that serves clearing files written by `writeClearingFile`,
 * paged as the network's `networkClearingFile` handler pages them, and that
 * can misbehave; and an own ledger held in memory behind the protocol's own
 * `ReadableLedger` shape. These tests check the matching and timing rules;
 * test/reconciliation.e2e.test.ts runs the same code on the real ledgers.
 *
 * The institution here is a wallet: its payments are DEBITs (it owes the
 * network), booked as credits of its account with the network; refunds and
 * cancellations are CREDITs, booked as debits.
 *
 * Reproduce a property failure with the seed fast-check prints:
 * DARI_PROPERTY_SEED=<seed> node --import tsx --test src/protocol/reconcile-cycle.test.ts
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { amount, currency, type Amount } from '../money/index.ts';
import { openSqlite } from '../platform/db/sqlite.ts';
import type { Result } from '../platform/result.ts';
import { clearingFileChecksum, writeClearingFile, type ClearingRecord, type ClearingTransactionType } from './clearing-file.ts';
import { CLEARING_FILE_PAGE_LINES_MAX, PROTOCOL_ENDPOINTS, type ProtocolRequest, type ProtocolResponse } from './messages.ts';
import {
  CLEARING_FILE_PAGES_MAX,
  createReconciliationService,
  fetchClearingFile,
  OWN_LEDGER_PAGE_TRANSFERS,
  ownLedgerReader,
  reconcileCycle,
  type CycleReconciliation,
  type CycleReconciliationError,
  type LedgerTransferView,
  type OwnLedgerReader,
  type ReadableLedger,
} from './reconcile-cycle.ts';
import { RECONCILIATION_ENTRIES_MAX, type ReconciliationFinding } from './reconcile.ts';
import { createSqliteReconciliationStore } from './reconciliation-store.ts';
import { result } from './results.ts';
import type { PeerCallOutcome, PeerClient } from './signed-http.ts';

const CNY = currency('CNY');
const KRW = currency('KRW');
const cny = (value: bigint): Amount => amount(CNY, value);
const krw = (value: bigint): Amount => amount(KRW, value);

const PARTICIPANT = 'CNWALLET01';
const NETWORK_ID = 'DARINET';
/** The wallet's account with the network in its own ledger. */
const NETWORK_ACCOUNT = 'network';
const TOURISTS_ACCOUNT = 'tourists';
const NS_PER_MS = 1_000_000n;
const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** KRW per CNY in every test record. */
const KRW_PER_CNY = 190n;

// ---------------------------------------------------------------- the schedule

/** The network's cycles close every day at 23:00 in Seoul (14:00 UTC); a cycle's id is its closing day and hour. */
const CUT_OFF_UTC_HOUR = 14;
function cycleIdClosingAt(closesAt: Date): string {
  return `${closesAt.toISOString().slice(0, 10)}T2300`;
}
/** A cycle's hours [opensAt, closesAt), or null for an id the schedule does not have. */
function cycleHours(cycleId: string): { opensAt: Date; closesAt: Date } | null {
  const match = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T2300$/.exec(cycleId);
  if (match === null) return null;
  const closesAt = new Date(`${match[1]!}T${String(CUT_OFF_UTC_HOUR).padStart(2, '0')}:00:00.000Z`);
  return { opensAt: new Date(closesAt.getTime() - DAY_MS), closesAt };
}
function hoursOf(cycleId: string): { opensAt: Date; closesAt: Date } {
  const hours = cycleHours(cycleId);
  if (hours === null) throw new Error(`assertion failed: ${cycleId} is a cycle of the schedule`);
  return hours;
}

const C1 = '2026-11-24T2300';
const C2 = '2026-11-25T2300';
const C3 = '2026-11-26T2300';
const C4 = '2026-11-27T2300';
/** The cut-off between C2 and C3. */
const CUT = hoursOf(C2).closesAt.getTime();
const at = (ms: number): Date => new Date(ms);

// ---------------------------------------------------------------- transactions, files and ledgers

/** One transaction as the network completed it and as the wallet booked it. */
interface Tx {
  readonly type: ClearingTransactionType;
  readonly id: string;
  /** When the network completed it: what puts it in a cycle's file. */
  readonly networkAt: Date;
  /** When the wallet's ledger booked it. */
  readonly bookedAt: Date;
  /** CNY fen, positive. */
  readonly settlement: bigint;
}

const VERB_OF_TYPE: Readonly<Record<ClearingTransactionType, string>> = { PAYMENT: 'pay', CANCELLATION: 'cancel', REFUND: 'refund' };
const TYPE_OF_VERB: Readonly<Record<string, ClearingTransactionType>> = { pay: 'PAYMENT', cancel: 'CANCELLATION', refund: 'REFUND' };
const transferIdOf = (type: ClearingTransactionType, id: string): string => `${VERB_OF_TYPE[type]}:${id}`;

function tx(type: ClearingTransactionType, id: string, networkAtMs: number, settlement: bigint, bookedAtMs: number = networkAtMs): Tx {
  return { type, id, networkAt: at(networkAtMs), bookedAt: at(bookedAtMs), settlement };
}

/** The wallet's side of a transaction: it owes the network for a payment, is owed for the rest. */
function recordOf(t: Tx): ClearingRecord {
  return {
    transactionType: t.type,
    transactionId: t.id,
    paymentId: t.type === 'REFUND' ? `NP-of-${t.id}` : t.id,
    requestId: '',
    transactionTime: t.networkAt,
    transactionAmount: krw(t.settlement * KRW_PER_CNY),
    settlementAmount: cny(t.settlement),
    direction: t.type === 'PAYMENT' ? 'DEBIT' : 'CREDIT',
    fxRate: { base: CNY, quote: KRW, rate: '190' },
  };
}

/** The signed amount reconciliation expects for a transaction (negative: owed to the network). */
const signedOf = (t: Tx): Amount => cny(t.type === 'PAYMENT' ? -t.settlement : t.settlement);

function inHours(cycleId: string, time: Date): boolean {
  const { opensAt, closesAt } = hoursOf(cycleId);
  return opensAt.getTime() <= time.getTime() && time.getTime() < closesAt.getTime();
}

function writeFile(cycleId: string, records: readonly ClearingRecord[], participantId: string = PARTICIPANT): string {
  return writeClearingFile({ header: { cycleId, participantId, ...hoursOf(cycleId) }, records });
}

/** The cycle's file as the network writes it: every transaction it completed in the cycle's hours. */
function fileOf(cycleId: string, txs: readonly Tx[]): string {
  return writeFile(cycleId, txs.filter((t) => inHours(cycleId, t.networkAt)).map(recordOf));
}

/**
 * A ledger in memory with the real ledger's reading rules: an account's
 * transfers in timestamp order after an exclusive cursor, `nextTimestamp` set
 * when a page is full; timestamps unique, in nanoseconds.
 */
class MemoryLedger implements ReadableLedger {
  readonly #transfers: LedgerTransferView[] = [];
  readonly #byId = new Map<string, LedgerTransferView>();
  #sequence = 0n;
  /** The limit of every `getAccountTransfers` call, and the ids of every lookup, in order. */
  readonly pageLimits: number[] = [];
  readonly lookups: (readonly string[])[] = [];

  add(t: { id: string; debitAccountId: string; creditAccountId: string; amount: bigint; ledger?: string; bookedAt: Date; extraNs?: bigint }): void {
    if (this.#byId.has(t.id)) throw new Error(`assertion failed: transfer ${t.id} is new`);
    this.#sequence += 1n;
    assert.ok(this.#sequence < NS_PER_MS, 'sequence numbers stay within the millisecond');
    const view: LedgerTransferView = {
      id: t.id,
      debitAccountId: t.debitAccountId,
      creditAccountId: t.creditAccountId,
      amount: t.amount,
      ledger: t.ledger ?? 'CNY',
      timestamp: t.extraNs === undefined ? BigInt(t.bookedAt.getTime()) * NS_PER_MS + this.#sequence : BigInt(t.bookedAt.getTime()) * NS_PER_MS + t.extraNs,
    };
    assert.ok(!this.#transfers.some((x) => x.timestamp === view.timestamp), 'timestamps are unique');
    this.#transfers.push(view);
    this.#transfers.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    this.#byId.set(view.id, view);
  }

  /** What someone with database access could do: change a booked amount. */
  setAmount(id: string, value: bigint): void {
    const old = this.#byId.get(id);
    if (old === undefined) throw new Error(`assertion failed: transfer ${id} exists`);
    const changed = { ...old, amount: value };
    this.#byId.set(id, changed);
    this.#transfers[this.#transfers.indexOf(old)] = changed;
  }

  async getAccountTransfers(query: { readonly accountId: string; readonly cursorTimestamp?: bigint; readonly limit?: number }) {
    const limit = query.limit ?? 8_190;
    this.pageLimits.push(limit);
    const cursor = query.cursorTimestamp ?? -1n;
    const transfers = this.#transfers.filter((t) => (t.debitAccountId === query.accountId || t.creditAccountId === query.accountId) && t.timestamp > cursor).slice(0, limit);
    return { transfers, nextTimestamp: transfers.length === limit ? transfers.at(-1)!.timestamp : null };
  }

  async lookupTransfers(ids: readonly string[]) {
    this.lookups.push(ids);
    return ids.flatMap((id) => {
      const found = this.#byId.get(id);
      return found === undefined ? [] : [found];
    });
  }
}

/** Books a transaction as the wallet does: a payment credits its account with the network, the rest debit it. */
function book(ledger: MemoryLedger, t: Tx): void {
  const payment = t.type === 'PAYMENT';
  ledger.add({
    id: transferIdOf(t.type, t.id),
    debitAccountId: payment ? TOURISTS_ACCOUNT : NETWORK_ACCOUNT,
    creditAccountId: payment ? NETWORK_ACCOUNT : TOURISTS_ACCOUNT,
    amount: t.settlement,
    bookedAt: t.bookedAt,
  });
}

/** The wallet's reader (as src/wallet/reconciliation.ts, plus settlements, which it skips). */
function walletReader(ledger: ReadableLedger): OwnLedgerReader {
  return ownLedgerReader({
    ledger,
    accountId: NETWORK_ACCOUNT,
    async explain(transfer) {
      if (transfer.id.startsWith('settle:')) return { kind: 'skip' };
      const match = /^(pay|cancel|refund):(.+)$/.exec(transfer.id);
      if (match === null) return { kind: 'unexplained', reason: `transfer ${transfer.id} is no payment, cancellation or refund` };
      return { kind: 'entry', transactionType: TYPE_OF_VERB[match[1]!]!, transactionId: match[2]! };
    },
    transferIdsOf: (record) => [transferIdOf(record.transactionType, record.transactionId)],
  });
}

// ---------------------------------------------------------------- the fake network

type ClearingFileRequest = ProtocolRequest<'networkClearingFile'>;
type ClearingFileAnswer = ProtocolResponse<'networkClearingFile'>;
type Misbehaviour = (request: ClearingFileRequest, answer: ClearingFileAnswer) => ClearingFileAnswer | 'no-answer';

interface FakeNetwork extends PeerClient {
  /** Each closed cycle's file for the participant; a cycle of the schedule without one is not closed. */
  readonly files: Map<string, string>;
  /** Closed cycles that hold no file for the participant (the network refuses). */
  readonly withoutFile: Set<string>;
  /** Every request, in order. */
  readonly requests: ClearingFileRequest[];
  /** Rewrites (or loses) each answer before it is sent. */
  misbehave: Misbehaviour | null;
}

/** Answers as the network's `networkClearingFile` handler does (src/network/clearing/routes.ts). */
function answerOf(network: FakeNetwork, request: ClearingFileRequest): ClearingFileAnswer {
  const hours = cycleHours(request.cycleId);
  if (hours === null) return { result: result('CYCLE_NOT_EXIST', `no cycle ${request.cycleId} in the schedule`) };
  if (network.withoutFile.has(request.cycleId)) return { result: result('ACCESS_DENIED', 'no clearing file of the sender for this cycle') };
  const content = network.files.get(request.cycleId);
  if (content === undefined) return { result: result('CYCLE_NOT_CLOSED') };
  const lines = content.split('\r\n').slice(0, -1);
  return {
    result: result('SUCCESS'),
    cycleId: request.cycleId,
    lineCount: lines.length,
    checksum: clearingFileChecksum(content),
    lines: lines.slice(request.fromLine, request.fromLine + CLEARING_FILE_PAGE_LINES_MAX),
    previousCycleId: cycleIdClosingAt(hours.opensAt),
    nextCycleId: cycleIdClosingAt(new Date(hours.closesAt.getTime() + DAY_MS)),
  };
}

function fakeNetwork(files: Record<string, string> = {}): FakeNetwork {
  const network: FakeNetwork = {
    peerId: NETWORK_ID,
    files: new Map(Object.entries(files)),
    withoutFile: new Set(),
    requests: [],
    misbehave: null,
    async call(name, request) {
      if (name !== 'networkClearingFile') throw new Error(`assertion failed: reconciliation asks only for clearing files, not ${name}`);
      const endpoint = PROTOCOL_ENDPOINTS.networkClearingFile;
      const parsed = endpoint.request.parse(request);
      network.requests.push(parsed);
      const answer = answerOf(network, parsed);
      const sent = network.misbehave === null ? answer : network.misbehave(parsed, answer);
      const outcome: PeerCallOutcome<'networkClearingFile'> =
        sent === 'no-answer' ? { kind: 'no-answer', reason: 'timeout', detail: 'lost on the way' } : { kind: 'answered', response: endpoint.response.parse(sent) };
      return outcome as unknown as PeerCallOutcome<typeof name>;
    },
  };
  return network;
}

/** A network that has closed `closed` (each file written from `txs`), and a wallet that booked `txs`. */
function world(txs: readonly Tx[], closed: readonly string[]) {
  const network = fakeNetwork(Object.fromEntries(closed.map((c) => [c, fileOf(c, txs)])));
  const ledger = new MemoryLedger();
  for (const t of txs) book(ledger, t);
  return { network, ledger, reader: walletReader(ledger) };
}

const RAN_AT = new Date('2026-11-27T01:02:03.456Z');

async function run(network: PeerClient, reader: OwnLedgerReader, cycleId: string): Promise<Result<CycleReconciliation, CycleReconciliationError>> {
  return reconcileCycle({ network, participantId: PARTICIPANT, cycleId, own: reader, now: () => RAN_AT });
}

async function reconciled(network: PeerClient, reader: OwnLedgerReader, cycleId: string): Promise<CycleReconciliation> {
  const outcome = await run(network, reader, cycleId);
  if (!outcome.ok) throw new Error(`reconciling ${cycleId} failed: ${outcome.error.kind}: ${outcome.error.message}`);
  return outcome.value;
}

async function failure(network: PeerClient, reader: OwnLedgerReader, cycleId: string): Promise<CycleReconciliationError> {
  const outcome = await run(network, reader, cycleId);
  if (outcome.ok) throw new Error(`reconciling ${cycleId} succeeded; it should not have: ${JSON.stringify(outcome.value.findings)}`);
  return outcome.error;
}

/** A finding as `kind TYPE id` (and the side of a duplicate). */
function brief(f: ReconciliationFinding): string {
  return `${f.kind} ${f.transactionType} ${f.transactionId}${f.kind === 'duplicate' ? ` ${f.side}×${f.occurrences}` : ''}`;
}

const NO_FINDINGS = { 'missing-in-file': 0, 'missing-in-ledger': 0, 'currency-mismatch': 0, 'amount-mismatch': 0, duplicate: 0 };

/** Five transactions of C2, in its hours, of every type. */
function dayOfC2(): Tx[] {
  const base = hoursOf(C2).opensAt.getTime();
  return [
    tx('PAYMENT', 'NP001', base + 1 * 3_600_000, 7_885n),
    tx('PAYMENT', 'NP002', base + 2 * 3_600_000, 2_629n),
    tx('REFUND', 'NR001', base + 3 * 3_600_000, 526n),
    tx('PAYMENT', 'NP003', base + 4 * 3_600_000, 10_000n),
    tx('CANCELLATION', 'NP003', base + 5 * 3_600_000, 10_000n),
  ];
}

// ---------------------------------------------------------------- the tests

describe('reconcileCycle: a clean cycle', () => {
  it('matches 300 transactions read over three pages, asking only for its own file', async () => {
    const base = hoursOf(C2).opensAt.getTime();
    const txs = Array.from({ length: 300 }, (_, i) =>
      tx(i % 10 === 9 ? 'REFUND' : 'PAYMENT', `${i % 10 === 9 ? 'NR' : 'NP'}${String(i).padStart(4, '0')}`, base + i * 4 * MINUTE_MS + 17, BigInt(100 + i)),
    );
    const { network, reader } = world(txs, [C1, C2, C3]);
    const r = await reconciled(network, reader, C2);
    assert.equal(r.clean, true);
    assert.deepEqual([r.file.detailCount, r.ledgerEntryCount, r.matchedCount], [300, 300, 300]);
    assert.deepEqual([r.findings, r.timing, r.unexplained], [[], [], []]);
    assert.deepEqual(r.counts, NO_FINDINGS);
    assert.equal(r.file.checksum, clearingFileChecksum(network.files.get(C2)!));
    assert.deepEqual([r.cycleId, r.participantId, r.opensAt, r.closesAt, r.ranAt], [C2, PARTICIPANT, hoursOf(C2).opensAt, hoursOf(C2).closesAt, RAN_AT]);
    // 1 header, 300 details, 1 total, 1 trailer: 303 lines in pages of 128.
    assert.deepEqual(network.requests, [0, 128, 256].map((fromLine) => ({ cycleId: C2, fromLine })));
  });

  it('matches a payment, its cancellation (the same id) and a refund, each signed as its direction', async () => {
    const txs = dayOfC2();
    const { network, reader } = world(txs, [C2]);
    const r = await reconciled(network, reader, C2);
    assert.equal(r.clean, true, JSON.stringify(r.findings));
    assert.equal(r.matchedCount, 5);
    const own = await reader.bookedBetween(hoursOf(C2).opensAt, hoursOf(C2).closesAt, 100);
    assert.ok(own !== 'too-many');
    assert.deepEqual(
      own.entries.map((e) => [e.transactionType, e.transactionId, e.amount.value]),
      [['PAYMENT', 'NP001', -7_885n], ['PAYMENT', 'NP002', -2_629n], ['REFUND', 'NR001', 526n], ['PAYMENT', 'NP003', -10_000n], ['CANCELLATION', 'NP003', 10_000n]],
    );
  });

  it('an empty cycle against an empty ledger is clean', async () => {
    const { network, reader } = world([], [C2]);
    const r = await reconciled(network, reader, C2);
    assert.deepEqual([r.clean, r.file.detailCount, r.ledgerEntryCount, r.matchedCount], [true, 0, 0, 0]);
  });
});

describe('reconcileCycle: a file sealed anew after a change (its checksum recomputed) is read, and each change is a finding', () => {
  const extra = tx('REFUND', 'NR999', hoursOf(C2).opensAt.getTime() + 6 * 3_600_000, 300n);
  const table: { name: string; change: (records: ClearingRecord[]) => ClearingRecord[]; findings: string[]; check?: (f: ReconciliationFinding) => void }[] = [
    {
      name: 'an amount changed',
      change: (rs) => rs.map((r) => (r.transactionId === 'NP002' ? { ...r, settlementAmount: cny(2_630n) } : r)),
      findings: ['amount-mismatch PAYMENT NP002'],
      check: (f) => {
        assert.equal(f.kind, 'amount-mismatch');
        if (f.kind !== 'amount-mismatch') return;
        assert.deepEqual([f.ledgerAmount, f.fileAmount], [cny(-2_629n), cny(-2_630n)]);
      },
    },
    {
      name: 'a direction reversed',
      change: (rs) => rs.map((r) => (r.transactionId === 'NR001' ? { ...r, direction: 'DEBIT' } : r)),
      findings: ['amount-mismatch REFUND NR001'],
      check: (f) => assert.ok(f.kind === 'amount-mismatch' && f.ledgerAmount.value === 526n && f.fileAmount.value === -526n),
    },
    {
      name: 'a line removed',
      change: (rs) => rs.filter((r) => r.transactionId !== 'NP001'),
      findings: ['missing-in-file PAYMENT NP001'],
      check: (f) => {
        assert.ok(f.kind === 'missing-in-file' && f.ledgerAmount.value === -7_885n);
        assert.doesNotMatch(f.reason, /run again/, 'both neighbours are closed and neither lists it: nothing to wait for');
      },
    },
    {
      name: 'a line duplicated',
      change: (rs) => [...rs, rs.find((r) => r.transactionId === 'NR001')!],
      findings: ['duplicate REFUND NR001 file×2'],
      check: (f) => assert.ok(f.kind === 'duplicate' && f.side === 'file' && f.amounts.every((a) => a.value === 526n)),
    },
    {
      name: 'a settlement currency changed',
      change: (rs) => rs.map((r) => (r.transactionId === 'NP001' ? { ...r, settlementAmount: krw(7_885n) } : r)),
      findings: ['currency-mismatch PAYMENT NP001'],
      check: (f) => assert.ok(f.kind === 'currency-mismatch' && f.ledgerAmount.currency === 'CNY' && f.fileAmount.currency === 'KRW'),
    },
    {
      name: 'a line added',
      change: (rs) => [...rs, recordOf(extra)],
      findings: ['missing-in-ledger REFUND NR999'],
      check: (f) => assert.ok(f.kind === 'missing-in-ledger' && f.fileAmount.value === 300n),
    },
  ];
  for (const row of table) {
    it(row.name, async () => {
      const txs = dayOfC2();
      const { network, reader } = world(txs, [C1, C2, C3]);
      const records = txs.map(recordOf);
      network.files.set(C2, writeFile(C2, row.change(records)));
      const r = await reconciled(network, reader, C2);
      assert.equal(r.clean, false);
      assert.deepEqual(r.findings.map(brief), row.findings);
      const kind = r.findings[0]!.kind;
      assert.deepEqual(r.counts, { ...NO_FINDINGS, [kind]: 1 });
      assert.deepEqual([r.timing, r.unexplained], [[], []]);
      row.check?.(r.findings[0]!);
    });
  }
});

describe('fetchClearingFile: a file that is not one consistent file of this participant and cycle is refused', () => {
  /** 300 lines: three pages. */
  function bigDay(): Tx[] {
    const base = hoursOf(C2).opensAt.getTime();
    return Array.from({ length: 297 }, (_, i) => tx('PAYMENT', `NP${String(i).padStart(4, '0')}`, base + i * MINUTE_MS, BigInt(1 + i)));
  }
  const splitLines = (content: string): string[] => content.split('\r\n').slice(0, -1);
  const joinLines = (lines: readonly string[]): string => `${lines.join('\r\n')}\r\n`;

  async function refusal(network: FakeNetwork, cycleId = C2): Promise<CycleReconciliationError> {
    const fetched = await fetchClearingFile(network, PARTICIPANT, cycleId);
    assert.equal(fetched.ok, false, 'the file is refused');
    if (fetched.ok) throw new Error('unreachable');
    assert.equal(fetched.error.cycleId, cycleId);
    return fetched.error;
  }

  it('reads a consistent file whole, with the neighbours the network names', async () => {
    const { network } = world(bigDay(), [C2]);
    const fetched = await fetchClearingFile(network, PARTICIPANT, C2);
    assert.ok(fetched.ok);
    assert.equal(fetched.value.file.records.length, 297);
    assert.deepEqual([fetched.value.previousCycleId, fetched.value.nextCycleId], [C1, C3]);
    assert.equal(network.requests.length, 3);
  });

  it('content edited without the checksum recomputed', async () => {
    const { network } = world(bigDay(), [C2]);
    const lines = splitLines(network.files.get(C2)!);
    const fields = lines[200]!.split(',');
    fields[9] = String(BigInt(fields[9]!) + 1n); // transaction_value: no total covers it, only the checksum
    lines[200] = fields.join(',');
    network.files.set(C2, joinLines(lines));
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
    assert.match(error.message, /SHA-256/);
  });

  it("another participant's file of the cycle", async () => {
    const { network } = world([], [C2]);
    network.files.set(C2, writeFile(C2, bigDay().map(recordOf), 'OTHERWALLET'));
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
    assert.match(error.message, /for OTHERWALLET, not of 2026-11-25T2300 for CNWALLET01/);
  });

  it("the participant's file of another cycle", async () => {
    const { network } = world([], [C1, C2]);
    network.files.set(C2, network.files.get(C1)!);
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
    assert.match(error.message, /of cycle 2026-11-24T2300 for CNWALLET01, not of 2026-11-25T2300/);
  });

  it('the line count changing between pages', async () => {
    const { network } = world(bigDay(), [C2]);
    network.misbehave = (request, answer) => (request.fromLine === 0 ? answer : { ...answer, lineCount: answer.lineCount! + 1 });
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
    assert.match(error.message, /changed between pages/);
  });

  it('the file rewritten between pages (another checksum)', async () => {
    const txs = bigDay();
    const { network } = world(txs, [C2]);
    network.misbehave = (request, answer) => {
      // Once the first page is out, the network writes the cycle again with one amount changed: same line count, another checksum.
      if (request.fromLine === 0) network.files.set(C2, writeFile(C2, txs.map((t, i) => recordOf(i === 250 ? { ...t, settlement: t.settlement + 1n } : t))));
      return answer;
    };
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
    assert.match(error.message, /changed between pages/);
  });

  it("an announced checksum that is not the trailer's, on every page", async () => {
    const { network } = world(bigDay(), [C2]);
    network.misbehave = (_request, answer) => ({ ...answer, checksum: 'a'.repeat(64) });
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
    assert.match(error.message, /is not the announced a{64}/);
  });

  it('an empty page before the end', async () => {
    const { network } = world(bigDay(), [C2]);
    network.misbehave = (request, answer) => (request.fromLine === 128 ? { ...answer, lines: [] } : answer);
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
    assert.match(error.message, /an empty page at line 129 of 300/);
  });

  it('more lines than announced', async () => {
    const { network } = world(bigDay(), [C2]);
    network.misbehave = (_request, answer) => ({ ...answer, lineCount: 100 });
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
    assert.match(error.message, /more lines than the 100 announced/);
  });

  it('a line lost from a page (the pages shifted)', async () => {
    const { network } = world(bigDay(), [C2]);
    network.misbehave = (request, answer) => (request.fromLine === 128 ? { ...answer, lines: answer.lines!.slice(1) } : answer);
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
  });

  it('pages that never end, after CLEARING_FILE_PAGES_MAX of them', async () => {
    const { network } = world([], [C2]);
    network.misbehave = (_request, answer) => ({ ...answer, lineCount: 10_000_000, lines: ['HEADER'] });
    const error = await refusal(network);
    assert.equal(error.kind, 'bad-file');
    assert.match(error.message, new RegExp(`more than ${CLEARING_FILE_PAGES_MAX} pages`));
    assert.equal(network.requests.length, CLEARING_FILE_PAGES_MAX);
  });

  it('no answer, on the first page or a later one', async () => {
    for (const lostPage of [0, 128]) {
      const { network } = world(bigDay(), [C2]);
      network.misbehave = (request, answer) => (request.fromLine === lostPage ? 'no-answer' : answer);
      const error = await refusal(network);
      assert.equal(error.kind, 'network-unavailable');
      assert.match(error.message, /did not answer \(timeout: lost on the way\)/);
    }
  });

  it('a cycle not closed, an unknown cycle, a refusal, a success without lines', async () => {
    const { network } = world([], [C2]);
    network.withoutFile.add(C1);
    assert.equal((await refusal(network, C3)).kind, 'cycle-not-closed');
    const unknown = await refusal(network, '2026-11-25T1200');
    assert.deepEqual([unknown.kind, unknown.message], ['unknown-cycle', 'no cycle 2026-11-25T1200 in the schedule']);
    const refused = await refusal(network, C1);
    assert.equal(refused.kind, 'network-unavailable');
    assert.match(refused.message, /F ACCESS_DENIED/);
    network.misbehave = (_request, answer) => ({ result: answer.result, lineCount: answer.lineCount!, checksum: answer.checksum! });
    assert.equal((await refusal(network, C2)).kind, 'network-unavailable');
  });

  it('reconcileCycle passes each refusal on and reads no ledger', async () => {
    const ledger = new MemoryLedger();
    const network = fakeNetwork();
    assert.equal((await failure(network, walletReader(ledger), C2)).kind, 'cycle-not-closed');
    assert.equal((await failure(network, walletReader(ledger), '2026-11-25T0000')).kind, 'unknown-cycle');
    network.files.set(C2, fileOf(C2, []));
    network.misbehave = () => 'no-answer';
    assert.equal((await failure(network, walletReader(ledger), C2)).kind, 'network-unavailable');
    network.misbehave = (_request, answer) => ({ ...answer, checksum: 'b'.repeat(64) });
    assert.equal((await failure(network, walletReader(ledger), C2)).kind, 'bad-file');
    assert.deepEqual([ledger.pageLimits, ledger.lookups], [[], []]);
  });
});

describe('reconcileCycle: timing around the cut-off', () => {
  it("an own entry booked before the cut-off that the next cycle's file lists is a timing difference, matched in that cycle", async () => {
    // The wallet debits the tourist at 22:59:58 and answers; the network completes the payment at 23:00:01.
    const late = tx('PAYMENT', 'NPLATE', CUT + 1 * SECOND_MS, 4_321n, CUT - 2 * SECOND_MS);
    const txs = [...dayOfC2(), late];
    const { network, reader } = world(txs, [C1, C2, C3]);
    const r = await reconciled(network, reader, C2);
    assert.equal(r.clean, true, JSON.stringify(r.findings));
    assert.deepEqual([r.file.detailCount, r.ledgerEntryCount, r.matchedCount], [5, 5, 5]);
    assert.deepEqual(r.findings, []);
    assert.equal(r.timing.length, 1);
    const timing = r.timing[0]!;
    assert.deepEqual(
      { ...timing, reason: '' },
      { transactionType: 'PAYMENT', transactionId: 'NPLATE', amount: cny(-4_321n), bookedAt: at(CUT - 2 * SECOND_MS), cycleId: C3, reason: '' },
    );
    assert.match(timing.reason, /booked here at 2026-11-25T13:59:58.000Z, within cycle 2026-11-25T2300's hours; the network completed it after the cut-off, in cycle 2026-11-26T2300/);

    const next = await reconciled(network, reader, C3);
    assert.equal(next.clean, true);
    assert.deepEqual([next.file.detailCount, next.ledgerEntryCount, next.matchedCount, next.timing.length], [1, 1, 1, 0]);
  });

  it("an own entry booked after the cut-off that the previous cycle's file lists is a timing difference there, and matched in its own cycle", async () => {
    // The network completes the payment at 22:59:50; its answer reaches the acquirer at 23:00:05.
    const late = tx('PAYMENT', 'NPLATE', CUT - 10 * SECOND_MS, 4_321n, CUT + 5 * SECOND_MS);
    const txs = [...dayOfC2(), late];
    const { network, reader } = world(txs, [C1, C2, C3]);
    const own = await reconciled(network, reader, C2);
    assert.equal(own.clean, true);
    assert.deepEqual([own.file.detailCount, own.ledgerEntryCount, own.matchedCount, own.timing.length], [6, 6, 6, 0], 'looked up although booked outside the hours');

    const next = await reconciled(network, reader, C3);
    assert.equal(next.clean, true);
    assert.deepEqual([next.file.detailCount, next.ledgerEntryCount, next.matchedCount], [0, 0, 0]);
    assert.deepEqual(next.timing.map((t) => [t.transactionId, t.cycleId, t.amount.value]), [['NPLATE', C2, -4_321n]]);
    assert.match(next.timing[0]!.reason, /before the cut-off, in cycle 2026-11-25T2300, whose file lists it/);
  });

  it('an own entry the file lists is matched however long after the cycle it was booked', async () => {
    const inquired = tx('REFUND', 'NRSLOW', CUT - MINUTE_MS, 99n, CUT + DAY_MS + 3 * 3_600_000);
    const { network, reader } = world([...dayOfC2(), inquired], [C1, C2, C3, C4]);
    const r = await reconciled(network, reader, C2);
    assert.equal(r.clean, true);
    assert.equal(r.matchedCount, 6);
    // Where it was booked, two cycles on, C2 is no neighbour: only the previous and next cycles' files are read.
    const booked = await reconciled(network, reader, C4);
    assert.deepEqual(booked.findings.map(brief), ['missing-in-file REFUND NRSLOW']);
    assert.deepEqual(booked.timing, []);
  });

  it('while the next cycle is not closed, the same entry is missing from the file, with a reason to run again; once it is, a timing difference', async () => {
    const late = tx('PAYMENT', 'NPLATE', CUT + 1 * SECOND_MS, 4_321n, CUT - 2 * SECOND_MS);
    const txs = [...dayOfC2(), late];
    const { network, reader } = world(txs, [C1, C2]);
    const early = await reconciled(network, reader, C2);
    assert.equal(early.clean, false);
    assert.deepEqual(early.findings.map(brief), ['missing-in-file PAYMENT NPLATE']);
    assert.deepEqual(early.timing, []);
    assert.match(early.findings[0]!.reason, /the next cycle \(2026-11-26T2300\) is not closed yet: .* run again once it has closed/);
    assert.equal(early.ledgerEntryCount, 6);

    network.files.set(C3, fileOf(C3, txs));
    const later = await reconciled(network, reader, C2);
    assert.equal(later.clean, true);
    assert.deepEqual(later.timing.map((t) => [t.transactionId, t.cycleId]), [['NPLATE', C3]]);
  });

  it('an own entry in no neighbour is missing from the file, without a reason to wait when the next cycle is closed', async () => {
    const forged = tx('PAYMENT', 'NPFORGED', CUT - 3 * 3_600_000, 1_000n);
    const { network, ledger, reader } = world(dayOfC2(), [C1, C2, C3]);
    book(ledger, forged);
    const r = await reconciled(network, reader, C2);
    assert.deepEqual(r.findings.map(brief), ['missing-in-file PAYMENT NPFORGED']);
    assert.equal(r.findings[0]!.reason, 'PAYMENT NPFORGED (CNY -1000) is in the ledger but not in the clearing file');
    assert.deepEqual(network.requests.map((q) => q.cycleId), [C2, C1, C3], 'both neighbours read, once each');
  });

  it("the network's first cycle: a previous cycle that never closed holds nothing", async () => {
    const forged = tx('PAYMENT', 'NPFORGED', hoursOf(C1).opensAt.getTime() + 3_600_000, 1_000n);
    const { network, ledger, reader } = world([], [C1, C2]);
    book(ledger, forged);
    const r = await reconciled(network, reader, C1);
    assert.deepEqual(r.findings.map(brief), ['missing-in-file PAYMENT NPFORGED']);
    assert.doesNotMatch(r.findings[0]!.reason, /run again/);
  });

  it("a neighbour's file that cannot be read stops the run: whether an entry is a timing difference cannot be told", async () => {
    const late = tx('PAYMENT', 'NPLATE', CUT + 1 * SECOND_MS, 4_321n, CUT - 2 * SECOND_MS);
    const { network, reader } = world([...dayOfC2(), late], [C1, C2, C3]);
    network.misbehave = (request, answer) => (request.cycleId === C3 ? 'no-answer' : answer);
    assert.equal((await failure(network, reader, C2)).kind, 'network-unavailable');
    network.misbehave = (request, answer) => (request.cycleId === C1 ? { ...answer, checksum: 'c'.repeat(64) } : answer);
    assert.equal((await failure(network, reader, C2)).kind, 'bad-file');
  });
});

describe('reconcileCycle: what is not a clearing transaction', () => {
  it('a movement nobody can name is unexplained, with its signed amount, and the cycle is not clean', async () => {
    const { network, ledger, reader } = world(dayOfC2(), [C1, C2, C3]);
    const when = at(CUT - 3_600_000);
    ledger.add({ id: 'adjust:by-hand', debitAccountId: TOURISTS_ACCOUNT, creditAccountId: NETWORK_ACCOUNT, amount: 500n, bookedAt: when });
    // Outside the cycle's hours: not this cycle's business.
    ledger.add({ id: 'adjust:next-day', debitAccountId: NETWORK_ACCOUNT, creditAccountId: TOURISTS_ACCOUNT, amount: 7n, bookedAt: at(CUT + 3_600_000) });
    const r = await reconciled(network, reader, C2);
    assert.equal(r.clean, false);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.unexplained, [{ ownRef: 'adjust:by-hand', amount: cny(-500n), bookedAt: when, reason: 'transfer adjust:by-hand is no payment, cancellation or refund' }]);
    assert.equal(r.matchedCount, 5);
  });

  it('a settlement of a net is skipped', async () => {
    const { network, ledger, reader } = world(dayOfC2(), [C1, C2, C3]);
    ledger.add({ id: 'settle:2026-11-24T2300:CNY', debitAccountId: NETWORK_ACCOUNT, creditAccountId: 'bank', amount: 1_000_000n, bookedAt: at(CUT - 3_600_000) });
    const r = await reconciled(network, reader, C2);
    assert.equal(r.clean, true);
    assert.deepEqual([r.ledgerEntryCount, r.matchedCount, r.unexplained], [5, 5, []]);
  });

  it('too many own entries is too-many-entries, and the limit asked for is the reconciliation limit', async () => {
    const { network } = world(dayOfC2(), [C2]);
    const asked: number[] = [];
    const reader: OwnLedgerReader = {
      async bookedBetween(_from, _to, countMax) {
        asked.push(countMax);
        return 'too-many';
      },
      entriesOf: async () => assert.fail('no lookup after too many'),
    };
    const error = await failure(network, reader, C2);
    assert.equal(error.kind, 'too-many-entries');
    assert.match(error.message, new RegExp(`more than ${RECONCILIATION_ENTRIES_MAX} own entries`));
    assert.deepEqual(asked, [RECONCILIATION_ENTRIES_MAX]);
  });
});

describe('ownLedgerReader', () => {
  const FROM = hoursOf(C2).opensAt;
  const TO = hoursOf(C2).closesAt;
  const fromNs = BigInt(FROM.getTime()) * NS_PER_MS;
  const toNs = BigInt(TO.getTime()) * NS_PER_MS;

  it("signs a debit of the account with the network +, a credit −, in the ledger's currency, booked at the transfer's millisecond", async () => {
    const ledger = new MemoryLedger();
    const when = at(FROM.getTime() + 1_234);
    ledger.add({ id: 'refund:NR1', debitAccountId: NETWORK_ACCOUNT, creditAccountId: TOURISTS_ACCOUNT, amount: 526n, ledger: 'KRW', bookedAt: when, extraNs: 999_999n });
    ledger.add({ id: 'pay:NP1', debitAccountId: TOURISTS_ACCOUNT, creditAccountId: NETWORK_ACCOUNT, amount: 7_885n, bookedAt: at(FROM.getTime() + 2_000) });
    // Between two other accounts: looked up by id, it is still not the account's.
    ledger.add({ id: 'cancel:NP9', debitAccountId: TOURISTS_ACCOUNT, creditAccountId: 'fees', amount: 1n, bookedAt: at(FROM.getTime() + 3_000) });
    const reader = walletReader(ledger);
    const booked = await reader.bookedBetween(FROM, TO, 10);
    assert.ok(booked !== 'too-many');
    assert.deepEqual(booked.entries, [
      { transactionType: 'REFUND', transactionId: 'NR1', amount: krw(526n), ownRef: 'refund:NR1', bookedAt: when },
      { transactionType: 'PAYMENT', transactionId: 'NP1', amount: cny(-7_885n), ownRef: 'pay:NP1', bookedAt: at(FROM.getTime() + 2_000) },
    ]);
    const looked = await reader.entriesOf([recordOf(tx('PAYMENT', 'NP1', FROM.getTime(), 1n)), recordOf(tx('CANCELLATION', 'NP9', FROM.getTime(), 1n)), recordOf(tx('REFUND', 'NRNONE', FROM.getTime(), 1n))]);
    assert.deepEqual(looked, { entries: [booked.entries[1]], unexplained: [] });
  });

  it('reads [from, to) to the nanosecond', async () => {
    const ledger = new MemoryLedger();
    const edge = (id: string, ns: bigint): void =>
      ledger.add({ id, debitAccountId: NETWORK_ACCOUNT, creditAccountId: TOURISTS_ACCOUNT, amount: 1n, bookedAt: at(Number(ns / NS_PER_MS)), extraNs: ns % NS_PER_MS });
    edge('refund:before', fromNs - 1n);
    edge('refund:first', fromNs);
    edge('refund:last', toNs - 1n);
    edge('refund:after', toNs);
    const booked = await walletReader(ledger).bookedBetween(FROM, TO, 10);
    assert.ok(booked !== 'too-many');
    assert.deepEqual(booked.entries.map((e) => e.ownRef), ['refund:first', 'refund:last']);
    assert.deepEqual(booked.entries.map((e) => e.bookedAt), [FROM, at(TO.getTime() - 1)]);
  });

  it('pages through more transfers than a page holds, and stops at the first page that reaches past the window', async () => {
    const ledger = new MemoryLedger();
    const count = 2 * OWN_LEDGER_PAGE_TRANSFERS + 500;
    for (let i = 0; i < count; i++) ledger.add({ id: `pay:NP${i}`, debitAccountId: TOURISTS_ACCOUNT, creditAccountId: NETWORK_ACCOUNT, amount: BigInt(i + 1), bookedAt: at(FROM.getTime() + i * 10) });
    for (let i = 0; i < 3 * OWN_LEDGER_PAGE_TRANSFERS; i++) ledger.add({ id: `pay:NPX${i}`, debitAccountId: TOURISTS_ACCOUNT, creditAccountId: NETWORK_ACCOUNT, amount: 1n, bookedAt: at(TO.getTime() + i) });
    const booked = await walletReader(ledger).bookedBetween(FROM, TO, RECONCILIATION_ENTRIES_MAX);
    assert.ok(booked !== 'too-many');
    assert.equal(booked.entries.length, count);
    assert.deepEqual(booked.entries.map((e) => e.transactionId), Array.from({ length: count }, (_, i) => `NP${i}`));
    assert.deepEqual(ledger.pageLimits, [OWN_LEDGER_PAGE_TRANSFERS, OWN_LEDGER_PAGE_TRANSFERS, OWN_LEDGER_PAGE_TRANSFERS]);
  });

  it('a window holding exactly a page of transfers ends on the empty page after it', async () => {
    const ledger = new MemoryLedger();
    for (let i = 0; i < OWN_LEDGER_PAGE_TRANSFERS; i++) ledger.add({ id: `pay:NP${i}`, debitAccountId: TOURISTS_ACCOUNT, creditAccountId: NETWORK_ACCOUNT, amount: 1n, bookedAt: at(FROM.getTime() + i) });
    const booked = await walletReader(ledger).bookedBetween(FROM, TO, RECONCILIATION_ENTRIES_MAX);
    assert.ok(booked !== 'too-many');
    assert.equal(booked.entries.length, OWN_LEDGER_PAGE_TRANSFERS);
    assert.equal(ledger.pageLimits.length, 2);
  });

  it('answers too-many beyond countMax, unexplained movements counted, settlements not', async () => {
    const ledger = new MemoryLedger();
    for (let i = 0; i < 8; i++) ledger.add({ id: `pay:NP${i}`, debitAccountId: TOURISTS_ACCOUNT, creditAccountId: NETWORK_ACCOUNT, amount: 1n, bookedAt: at(FROM.getTime() + i) });
    for (let i = 0; i < 5; i++) ledger.add({ id: `settle:${i}`, debitAccountId: NETWORK_ACCOUNT, creditAccountId: 'bank', amount: 1n, bookedAt: at(FROM.getTime() + 100 + i) });
    ledger.add({ id: 'adjust:1', debitAccountId: NETWORK_ACCOUNT, creditAccountId: 'bank', amount: 1n, bookedAt: at(FROM.getTime() + 200) });
    ledger.add({ id: 'adjust:2', debitAccountId: NETWORK_ACCOUNT, creditAccountId: 'bank', amount: 1n, bookedAt: at(FROM.getTime() + 201) });
    const reader = walletReader(ledger);
    const ten = await reader.bookedBetween(FROM, TO, 10);
    assert.ok(ten !== 'too-many');
    assert.deepEqual([ten.entries.length, ten.unexplained.length], [8, 2]);
    assert.equal(await reader.bookedBetween(FROM, TO, 9), 'too-many');
  });

  it('looks records up once per transfer id, a page of ids at a time, leaving out what the ledger lacks', async () => {
    const ledger = new MemoryLedger();
    const count = OWN_LEDGER_PAGE_TRANSFERS * 2 + 100;
    const txs = Array.from({ length: count }, (_, i) => tx('PAYMENT', `NP${i}`, FROM.getTime() + i, BigInt(i + 1)));
    for (const t of txs.filter((_, i) => i % 2 === 0)) book(ledger, t);
    const records = [...txs, txs[0]!].map(recordOf);
    const found = await walletReader(ledger).entriesOf(records);
    assert.equal(found.entries.length, count / 2);
    assert.deepEqual(ledger.lookups.map((ids) => ids.length), [OWN_LEDGER_PAGE_TRANSFERS, OWN_LEDGER_PAGE_TRANSFERS, 100]);
    assert.equal(new Set(ledger.lookups.flat()).size, count);
  });
});

describe('createReconciliationService', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dari-reconcile-cycle-'));
  const db = openSqlite(join(dir, 'reconciliation.db'));
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each run as it came out, and nothing of a run that could not be made', async () => {
    const late = tx('PAYMENT', 'NPLATE', CUT + 1 * SECOND_MS, 4_321n, CUT - 2 * SECOND_MS);
    const { network, ledger, reader } = world([...dayOfC2(), late], [C1, C2]);
    let clock = RAN_AT.getTime();
    const service = createReconciliationService({ network, participantId: PARTICIPANT, reader, store: createSqliteReconciliationStore(db), now: () => at((clock += 1_000)) });
    assert.equal(await service.latest(C2), null);

    const first = await service.run(C2);
    assert.ok(first.ok);
    assert.deepEqual([first.value.runId, first.value.clean, first.value.counts['missing-in-file']], [1, false, 1]);
    assert.deepEqual(await service.latest(C2), first.value);

    const notClosed = await service.run(C3);
    assert.deepEqual(notClosed.ok ? null : notClosed.error.kind, 'cycle-not-closed');

    network.files.set(C3, fileOf(C3, [late]));
    ledger.add({ id: 'adjust:x', debitAccountId: NETWORK_ACCOUNT, creditAccountId: 'bank', amount: 3n, bookedAt: at(CUT - 5_000) });
    const second = await service.run(C2);
    assert.ok(second.ok);
    assert.equal(second.value.runId, 2);
    assert.deepEqual(second.value.timing.map((t) => t.cycleId), [C3]);
    assert.deepEqual(second.value.unexplained.map((u) => [u.ownRef, u.amount]), [['adjust:x', cny(3n)]]);
    assert.deepEqual(await service.latest(C2), second.value);
    assert.deepEqual(await service.list(10), [
      { runId: 2, cycleId: C2, ranAt: second.value.ranAt, clean: false },
      { runId: 1, cycleId: C2, ranAt: first.value.ranAt, clean: false },
    ]);
  });
});

// ---------------------------------------------------------------- the property

const RUNS_DEFAULT = 100;
const RUNS = Number(process.env.DARI_PROPERTY_RUNS ?? RUNS_DEFAULT);
const SEED = process.env.DARI_PROPERTY_SEED === undefined ? undefined : Number(process.env.DARI_PROPERTY_SEED);
/** How far from a cut-off the network completes a generated transaction, and how far from that the wallet books it. */
const NETWORK_SPREAD_MS = 2 * MINUTE_MS;
const BOOKING_SPREAD_MS = MINUTE_MS;
const TXS_MAX = 40;

describe('reconcileCycle as a property: transactions around three cut-offs', () => {
  /** Four cycles and the three cut-offs between them. */
  const CYCLES = [C1, C2, C3, C4] as const;
  const CUT_OFFS = CYCLES.slice(0, 3).map((c) => hoursOf(c).closesAt.getTime());
  const cycleIndexAt = (time: Date): number => CUT_OFFS.filter((cut) => cut <= time.getTime()).length;

  const spec = fc.record({
    type: fc.constantFrom<ClearingTransactionType>('PAYMENT', 'REFUND', 'CANCELLATION'),
    cutOff: fc.integer({ min: 0, max: CUT_OFFS.length - 1 }),
    networkOffsetMs: fc.integer({ min: -NETWORK_SPREAD_MS, max: NETWORK_SPREAD_MS - 1 }),
    bookingOffsetMs: fc.integer({ min: -BOOKING_SPREAD_MS, max: BOOKING_SPREAD_MS }),
    settlement: fc.bigInt({ min: 1n, max: 10n ** 9n }),
  });

  it('reconciling every cycle is clean, each transaction matched in the one cycle whose file lists it and at most a timing difference next door; one changed amount makes exactly that cycle unclean', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: TXS_MAX }), fc.nat(), fc.bigInt({ min: 1n, max: 1_000n }), async (specs, pick, delta) => {
        const txs = specs.map((s, i) => {
          const networkAtMs = CUT_OFFS[s.cutOff]! + s.networkOffsetMs;
          return tx(s.type, `${s.type === 'REFUND' ? 'NR' : 'NP'}${i}`, networkAtMs, s.settlement, networkAtMs + s.bookingOffsetMs);
        });
        const networkCycle = txs.map((t) => cycleIndexAt(t.networkAt));
        const bookedCycle = txs.map((t) => cycleIndexAt(t.bookedAt));
        const { network, ledger, reader } = world(txs, CYCLES);

        const runs: CycleReconciliation[] = [];
        for (const cycleId of CYCLES) runs.push(await reconciled(network, reader, cycleId));
        runs.forEach((r, c) => {
          const listed = txs.filter((_, i) => networkCycle[i] === c);
          assert.equal(r.clean, true, `${r.cycleId}: ${JSON.stringify(r.findings.map(brief))}`);
          assert.deepEqual([r.file.detailCount, r.matchedCount, r.ledgerEntryCount], [listed.length, listed.length, listed.length]);
          const expectedTiming = txs.flatMap((t, i) => (bookedCycle[i] === c && networkCycle[i] !== c ? [[t.type, t.id, signedOf(t).value, CYCLES[networkCycle[i]!]!]] : []));
          assert.deepEqual(
            r.timing.map((t) => [t.transactionType, t.transactionId, t.amount.value, t.cycleId]).sort(),
            expectedTiming.sort(),
          );
          for (const t of r.timing) assert.equal(Math.abs(CYCLES.indexOf(t.cycleId as (typeof CYCLES)[number]) - c), 1, 'a neighbour');
        });
        assert.equal(runs.reduce((sum, r) => sum + r.matchedCount, 0), txs.length, 'each transaction matched once');

        const changed = pick % txs.length;
        const victim = txs[changed]!;
        ledger.setAmount(transferIdOf(victim.type, victim.id), victim.settlement + delta);
        for (const [c, cycleId] of CYCLES.entries()) {
          const r = await reconciled(network, reader, cycleId);
          if (c === networkCycle[changed]) {
            assert.equal(r.clean, false);
            assert.deepEqual(r.findings.map(brief), [`amount-mismatch ${victim.type} ${victim.id}`]);
          } else {
            assert.equal(r.clean, true, `${cycleId} does not hold ${victim.id}: ${JSON.stringify(r.findings.map(brief))}`);
          }
        }
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });
});
