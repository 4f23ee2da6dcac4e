/**
 * Closing cycles by streaming (close.ts) gives exactly what the first,
 * per-account implementation gave, kept here as the reference: on random
 * days of payments, refunds (of 0 fen too), cancellations and settlements
 * between several wallets and acquirers, booked through the real ledger with
 * the network's postings, with transactions straddling every cut-off (second
 * legs stamped at the cut-off itself), the same positions, the same clearing
 * files byte for byte (over several chunks), the same instructions.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLedger, openSqliteLedgerStore, PAGE_TRANSFERS_MAX, type Ledger, type LedgerTimestamp, type NewTransfer, type Transfer } from '../../ledger/index.ts';
import { amount, currency, parseRate, type Amount, type FxRate } from '../../money/index.ts';
import { openSqlite, type SqliteDatabase } from '../../platform/db/sqlite.ts';
import { createKeyedLock } from '../../platform/keyed-lock.ts';
import { randomInt, seededRandom, type Random } from '../../platform/random.ts';
import { exportPublicKeyPem, generateSigningKeyPair } from '../../platform/signing/index.ts';
import { clearingFileChecksum, payAmountFor, writeClearingFile, type ClearingRecord } from '../../protocol/index.ts';
import { refundPayAmountFor } from '../fx.ts';
import { createParticipantRegistry } from '../participants.ts';
import { accountsFor, cancellationTransfers, participantAccountId, paymentTransfers, refundTransfers } from '../postings.ts';
import { openNetworkStore, type NetworkStore } from '../store.ts';
import type { NetworkPayment, NetworkPaymentId, NetworkRefund, NetworkRefundId, Participant } from '../types.ts';
import { clearStretch, instructionIdOf, type StretchRunner } from './close.ts';
import { sqliteStretchRunner } from './close-worker.ts';
import { createCycleSchedule, type Cycle } from './cycles.ts';
import { cancellationEntry, createPositionsAccumulator, paymentEntry, refundEntry, type CyclePositions } from './positions.ts';
import { createClearingService } from './service.ts';
import { CLEARING_FILE_CHUNK_LINES, openClearingStore, type ClearingStore, type StoredInstruction } from './store.ts';

const NS_PER_MS = 1_000_000n;
/** Small cycles cut in two, as a large one is: when this many transactions seem left, read this many transfers a page. */
const CUT_REMAINING_MIN = 100;
const CUT_PAGE_TRANSFERS = 64;
const CNY = currency('CNY');
const KRW = currency('KRW');
const QUOTES = [
  { quoteId: 'Q1', rate: '190.25' },
  { quoteId: 'Q2', rate: '188.6' },
] as const;

// ---------------------------------------------------------------- the reference: the first implementation, per account

const MOVE_ID = /^(pay|refund|cancel):([A-Za-z0-9_-]+):([A-Z]{3})$/;

interface ReferenceMove {
  readonly kind: 'payment' | 'refund' | 'cancellation';
  readonly payment: NetworkPayment;
  readonly refund: NetworkRefund | null;
  readonly completedAt: LedgerTimestamp;
}

interface ReferenceCycle {
  readonly positions: CyclePositions;
  readonly files: readonly { readonly participantId: string; readonly content: string; readonly checksum: string; readonly detailCount: number }[];
  readonly instructions: readonly StoredInstruction[];
}

/** The clearing as first written: each participant's position account paged through, one lookup per transfer, each file whole. */
async function referenceClearCycle(input: { ledger: Ledger; store: NetworkStore; participants: readonly Participant[]; cycle: Cycle }): Promise<ReferenceCycle> {
  const { cycle } = input;
  const accumulator = createPositionsAccumulator(cycle.id);
  const files: { participantId: string; content: string; checksum: string; detailCount: number }[] = [];
  const counted = new Set<string>();
  for (const participant of input.participants) {
    const moves = await referenceMovesOf(input, participant);
    const records = moves.map((move) => referenceRecordOf(participant, move));
    for (const move of moves) {
      const key = `${move.kind}:${move.refund?.refundId ?? move.payment.paymentId}`;
      if (counted.has(key)) continue;
      counted.add(key);
      accumulator.add(move.kind === 'payment' ? paymentEntry(move.payment) : move.kind === 'refund' ? refundEntry(move.payment, move.refund!) : cancellationEntry(move.payment));
    }
    const content = writeClearingFile({ header: { cycleId: cycle.id, participantId: participant.participantId, opensAt: cycle.opensAt, closesAt: cycle.closesAt }, records });
    files.push({ participantId: participant.participantId, content, checksum: clearingFileChecksum(content), detailCount: records.length });
  }
  const positions = accumulator.finish();
  const instructions: StoredInstruction[] = positions.instructions.map((i) => ({
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
  return { positions, files, instructions };
}

async function referenceMovesOf(input: { ledger: Ledger; store: NetworkStore; cycle: Cycle }, participant: Participant): Promise<ReferenceMove[]> {
  const opensAt = BigInt(input.cycle.opensAt.getTime()) * NS_PER_MS;
  const closesAt = BigInt(input.cycle.closesAt.getTime()) * NS_PER_MS;
  const moves: ReferenceMove[] = [];
  let cursor: LedgerTimestamp | null = opensAt - 1n;
  while (cursor !== null) {
    const page = await input.ledger.getAccountTransfers({ accountId: participantAccountId(participant), cursorTimestamp: cursor, limit: PAGE_TRANSFERS_MAX });
    cursor = page.nextTimestamp;
    for (const transfer of page.transfers) {
      if (transfer.timestamp > closesAt) return moves;
      const move = await referenceMoveOf(input.store, transfer);
      if (move && move.completedAt >= opensAt && move.completedAt < closesAt) moves.push(move);
    }
  }
  return moves;
}

async function referenceMoveOf(store: NetworkStore, transfer: Transfer): Promise<ReferenceMove | null> {
  if (transfer.id.startsWith('settle:')) return null;
  const match = MOVE_ID.exec(transfer.id);
  if (!match) throw new Error(`assertion failed: the network's ledger holds only its own moves, got ${transfer.id}`);
  const [, verb, domainId, legCurrency] = match as unknown as [string, 'pay' | 'refund' | 'cancel', string, string];
  let payment: NetworkPayment | null;
  let refund: NetworkRefund | null = null;
  if (verb === 'refund') {
    refund = await store.refundById(domainId);
    if (!refund) throw new Error(`assertion failed: refund ${domainId} of transfer ${transfer.id} is recorded`);
    payment = await store.paymentById(refund.paymentId);
  } else {
    payment = await store.paymentById(domainId);
  }
  if (!payment) throw new Error(`assertion failed: the payment of transfer ${transfer.id} is recorded`);
  const hasFirstLeg = refund === null || refund.refundPayAmount.value > 0n;
  const isSecondLeg = legCurrency === payment.paymentAmount.currency && hasFirstLeg;
  return {
    kind: verb === 'pay' ? 'payment' : verb === 'refund' ? 'refund' : 'cancellation',
    payment,
    refund,
    completedAt: isSecondLeg ? transfer.timestamp - 1n : transfer.timestamp,
  };
}

function referenceRecordOf(participant: Participant, move: ReferenceMove): ClearingRecord {
  const { payment, refund } = move;
  const isWallet = participant.role === 'wallet';
  const transactionAmount: Amount = refund ? refund.refundAmount : payment.paymentAmount;
  const walletAmount = refund ? refund.refundPayAmount : payment.payAmount;
  const settlementAmount = isWallet ? walletAmount : transactionAmount;
  const forward = move.kind === 'payment';
  return {
    transactionType: move.kind === 'payment' ? 'PAYMENT' : move.kind === 'refund' ? 'REFUND' : 'CANCELLATION',
    transactionId: refund ? refund.refundId : payment.paymentId,
    paymentId: payment.paymentId,
    requestId: isWallet ? '' : refund ? refund.refundRequestId : payment.paymentRequestId,
    transactionTime: new Date(Number(move.completedAt / NS_PER_MS)),
    transactionAmount,
    settlementAmount: amount(settlementAmount.currency, settlementAmount.value),
    direction: forward === isWallet ? 'DEBIT' : 'CREDIT',
    fxRate: { base: payment.fxQuote.base, quote: payment.fxQuote.quote, rate: payment.fxQuote.rate },
  };
}

// ---------------------------------------------------------------- a random history, booked as the network books it

interface World {
  readonly dir: string;
  readonly db: SqliteDatabase;
  readonly store: NetworkStore;
  readonly clearingStore: ClearingStore;
  readonly ledger: Ledger;
  readonly clock: { ns: bigint };
  readonly participants: Participant[];
  readonly cycles: readonly Cycle[];
  close(): Promise<void>;
}

interface Standing {
  readonly payment: NetworkPayment;
  refunded: bigint;
  refundedPay: bigint;
  cancelled: boolean;
}

interface History {
  readonly random: Random;
  readonly rates: ReadonlyMap<string, FxRate>;
  readonly standing: Standing[];
  /** The payment refunded last: tiny refunds go on refunding it, so that some come to 0 fen. */
  lastRefunded: Standing | null;
  payments: number;
  refunds: number;
  zeroFenRefunds: number;
  settlements: number;
}

async function openWorld(name: string): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), `dari-clearing-${name}-`));
  const db = openSqlite(join(dir, 'network.db'));
  const store = openNetworkStore(db);
  const clearingStore = openClearingStore(db);
  const clock = { ns: 0n };
  const ledger = await createLedger({ store: openSqliteLedgerStore(join(dir, 'ledger.db')), clock: () => clock.ns });
  const schedule = createCycleSchedule();
  assert.ok(schedule.ok);
  const first = schedule.value.cycleById('2026-11-24T2300');
  assert.ok(first.ok);
  const cycles = [first.value, schedule.value.next(first.value), schedule.value.next(schedule.value.next(first.value))];
  await clearingStore.epoch(cycles[0]!.opensAt);
  const publicKeyPem = exportPublicKeyPem(generateSigningKeyPair().publicKey);
  const registeredAt = new Date(cycles[0]!.opensAt.getTime() - 86_400_000);
  const common = { baseUrl: 'http://127.0.0.1:1', keys: [{ keyVersion: 1, publicKeyPem, addedAt: registeredAt }], registeredAt };
  const participants: Participant[] = [
    ...['WALLET-A', 'WALLET-B', 'WALLET-C'].map((id, i): Participant => ({ ...common, participantId: id, name: id, role: 'wallet', currency: CNY, codePrefix: `8${i}` })),
    ...['ACQ-A', 'ACQ-B', 'ACQ-C'].map((id, i): Participant => ({ ...common, participantId: id, name: id, role: 'acquirer', currency: KRW, merchantIdPrefix: `Z${i}` })),
  ];
  for (const participant of participants) {
    assert.equal(await store.insertParticipant(participant), 'inserted');
    await ledger.createAccounts(accountsFor(participant));
  }
  for (const q of QUOTES) await store.insertFxRate({ quoteId: q.quoteId, base: CNY, quote: KRW, rate: q.rate, validFrom: registeredAt, recordedAt: registeredAt });
  for (const c of [CNY, KRW]) await ledger.createAccounts([{ id: `settlement:${c}`, ledger: c, code: 4 }]);
  return {
    dir,
    db,
    store,
    clearingStore,
    ledger,
    clock,
    participants,
    cycles,
    async close() {
      await ledger.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function hexId(random: Random, prefix: string): string {
  let hex = '';
  for (let i = 0; i < 24; i += 1) hex += randomInt(random, 0, 15).toString(16);
  return `${prefix}${hex}`;
}

type Booking = { readonly transfers: readonly NewTransfer[]; readonly write: () => Promise<void> };

function newPayment(world: World, history: History, options: { walletId?: string; acquirerId?: string; at: Date; krw?: bigint }): Booking {
  const { random } = history;
  const wallets = world.participants.filter((p) => p.role === 'wallet');
  const acquirers = world.participants.filter((p) => p.role === 'acquirer');
  const quote = QUOTES[randomInt(random, 0, QUOTES.length - 1)]!;
  const paymentAmount = amount(KRW, options.krw ?? BigInt(randomInt(random, 1, 400) * 500));
  const payAmount = payAmountFor(paymentAmount, history.rates.get(quote.quoteId)!);
  assert.ok(payAmount.ok);
  history.payments += 1;
  const payment: NetworkPayment = {
    paymentId: hexId(random, 'NP') as NetworkPaymentId,
    acquirerId: options.acquirerId ?? acquirers[randomInt(random, 0, acquirers.length - 1)]!.participantId,
    paymentRequestId: `req,"${history.payments}"`,
    walletId: options.walletId ?? wallets[randomInt(random, 0, wallets.length - 1)]!.participantId,
    requestHash: 'h'.repeat(64),
    merchant: { merchantId: 'Z0M1', merchantName: 'Shop', merchantMcc: '5812', merchantCity: 'Seoul', merchantCountry: 'KR' },
    paymentAmount,
    payAmount: payAmount.value,
    fxQuote: { quoteId: quote.quoteId, base: CNY, quote: KRW, rate: quote.rate },
    status: 'SUCCESS',
    stage: null,
    resultCode: 'SUCCESS',
    resultMessage: null,
    payerId: 'P1',
    paymentTime: options.at,
    deadlineAt: options.at,
    notifyPending: false,
    createdAt: options.at,
    updatedAt: options.at,
  };
  history.standing.push({ payment, refunded: 0n, refundedPay: 0n, cancelled: false });
  return { transfers: paymentTransfers(payment), write: async () => void assert.equal(await world.store.insertPayment(payment), 'inserted') };
}

/** A refund of a standing payment: a tiny one (1 KRW) often, so that some come to 0 fen. */
function newRefund(world: World, history: History, at: Date): Booking | null {
  const { random } = history;
  const refundable = (s: Standing): boolean => !s.cancelled && s.refunded < s.payment.paymentAmount.value;
  const open = history.standing.filter(refundable);
  if (open.length === 0) return null;
  const tiny = random() < 0.6;
  const last = history.lastRefunded;
  const s = tiny && last !== null && refundable(last) ? last : open[randomInt(random, 0, open.length - 1)]!;
  const left = s.payment.paymentAmount.value - s.refunded;
  const value = tiny ? 1n : BigInt(randomInt(random, 1, Number(left)));
  const refundAmount = amount(KRW, value);
  const rate = history.rates.get(s.payment.fxQuote.quoteId)!;
  const refundPayAmount = refundPayAmountFor({ payerRate: rate, refundedBefore: amount(KRW, s.refunded), refundedPayBefore: amount(CNY, s.refundedPay), refundAmount });
  assert.ok(refundPayAmount.ok);
  s.refunded += value;
  s.refundedPay += refundPayAmount.value.value;
  history.refunds += 1;
  history.lastRefunded = s;
  if (refundPayAmount.value.value === 0n) history.zeroFenRefunds += 1;
  const refund: NetworkRefund = {
    refundId: hexId(random, 'NR') as NetworkRefundId,
    acquirerId: s.payment.acquirerId,
    refundRequestId: `refund ${history.refunds}`,
    paymentId: s.payment.paymentId,
    requestHash: 'r'.repeat(64),
    refundAmount,
    refundPayAmount: refundPayAmount.value,
    status: 'SUCCESS',
    resultCode: 'SUCCESS',
    refundTime: at,
    createdAt: at,
    updatedAt: at,
  };
  return { transfers: refundTransfers(s.payment, refund), write: async () => void assert.equal(await world.store.insertRefund(refund), 'inserted') };
}

/** The cancellation of a standing payment that has no refund (a refunded payment cannot be cancelled). */
function newCancellation(world: World, history: History, at: Date, which?: Standing): Booking | null {
  const open = history.standing.filter((s) => !s.cancelled && s.refunded === 0n);
  const s = which ?? open[randomInt(history.random, 0, open.length - 1)];
  if (s === undefined) return null;
  s.cancelled = true;
  const changes = { status: 'CANCELLED', stage: null, resultCode: 'ORDER_IS_CLOSED' } as const;
  return {
    transfers: cancellationTransfers(s.payment),
    write: async () => void assert.equal(await world.store.updatePayment(s.payment.paymentId, { status: 'SUCCESS', stage: null }, changes, at), true),
  };
}

/** A settlement between a participant's position and the settlement account: in the ledger, and not a clearing entry. */
function newSettlement(world: World, history: History): Booking {
  const participant = world.participants[randomInt(history.random, 0, world.participants.length - 1)]!;
  history.settlements += 1;
  const transfer: NewTransfer = {
    id: `settle:SI${history.settlements}`,
    debitAccountId: `settlement:${participant.currency}`,
    creditAccountId: participantAccountId(participant),
    amount: 1n,
    ledger: participant.currency,
    code: 4,
  };
  return { transfers: [transfer], write: async () => {} };
}

/** Writes the rows, then books the transactions in one ledger call whose first timestamp is `atNs` (or the next free one). */
async function book(world: World, atNs: bigint, bookings: readonly (Booking | null)[]): Promise<void> {
  const present = bookings.filter((b): b is Booking => b !== null);
  for (const b of present) await b.write();
  world.clock.ns = atNs;
  const outcomes = await world.ledger.createTransfers(present.flatMap((b) => b.transfers));
  assert.deepEqual(outcomes.filter((o) => o.result !== 'ok'), []);
}

/** Three days of random traffic; around every cut-off, transactions whose legs fall on both sides of it. */
async function bookHistory(world: World, seed: number, options: { readonly heavy: number }): Promise<History> {
  const history: History = {
    random: seededRandom(seed),
    rates: new Map(QUOTES.map((q) => [q.quoteId, rateOf(q.rate)])),
    standing: [],
    lastRefunded: null,
    payments: 0,
    refunds: 0,
    zeroFenRefunds: 0,
    settlements: 0,
  };
  const { random } = history;
  const start = world.cycles[0]!.opensAt.getTime() - 3_600_000;
  const end = world.cycles[2]!.closesAt.getTime() + 3_600_000;
  const cutOffs = [...world.cycles.map((c) => c.opensAt.getTime()), world.cycles[2]!.closesAt.getTime()];
  // Calls at random instants, several in one millisecond at times; and right at every cut-off.
  const instants: bigint[] = [];
  for (let i = 0; i < 150; i += 1) {
    const ms = BigInt(randomInt(random, start, end));
    instants.push(ms * NS_PER_MS, ms * NS_PER_MS + 5n, ms * NS_PER_MS + 999_000n);
  }
  for (const cutOff of cutOffs) {
    const at = BigInt(cutOff) * NS_PER_MS;
    // At `at − 1` a payment (below): its first leg one nanosecond before the cut-off, its second at the cut-off.
    instants.push(at - 1_000_000n, at - 1n, at + 1n, at + 3n);
  }
  instants.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const heavyAt = world.cycles[1]!.opensAt.getTime() + 43_200_000;
  let heavyDone = false;
  for (const atNs of instants) {
    const at = new Date(Number(atNs / NS_PER_MS));
    if (!heavyDone && at.getTime() >= heavyAt) {
      // One busy pair in the middle day: files of several chunks, many transactions to a millisecond.
      heavyDone = true;
      for (let k = 0; k < options.heavy; k += 200) {
        const pays = Array.from({ length: Math.min(200, options.heavy - k) }, () => newPayment(world, history, { walletId: 'WALLET-A', acquirerId: 'ACQ-A', at }));
        await book(world, atNs + BigInt(k) * 10n, pays);
      }
    }
    if (cutOffs.some((c) => BigInt(c) * NS_PER_MS - 1n === atNs)) {
      await book(world, atNs, [newPayment(world, history, { at })]);
      continue;
    }
    const nearCutOff = cutOffs.some((c) => atNs - BigInt(c) * NS_PER_MS === 1n || atNs - BigInt(c) * NS_PER_MS === 3n);
    const bookings: (Booking | null)[] = [];
    const count = nearCutOff ? 1 : randomInt(random, 1, 4);
    for (let i = 0; i < count; i += 1) {
      const roll = random();
      if (nearCutOff && roll < 0.5) bookings.push(newRefund(world, history, at));
      else if (roll < 0.55) bookings.push(newPayment(world, history, { at }));
      else if (roll < 0.75) bookings.push(newRefund(world, history, at));
      else if (roll < 0.85) bookings.push(newCancellation(world, history, at));
      else if (roll < 0.9) bookings.push(newSettlement(world, history));
      else {
        // A payment and its cancellation in one millisecond: PAYMENT then CANCELLATION, one id.
        const pay = newPayment(world, history, { at });
        bookings.push(pay, newCancellation(world, history, at, history.standing.at(-1)));
      }
    }
    await book(world, atNs, bookings);
  }
  return history;
}

function rateOf(text: string): FxRate {
  const parsed = parseRate(text, { base: CNY, quote: KRW });
  assert.ok(parsed.ok);
  return parsed.value;
}

function sortedInstructions(list: readonly StoredInstruction[]): StoredInstruction[] {
  return [...list].sort((a, b) => (a.instructionId < b.instructionId ? -1 : 1));
}

// ---------------------------------------------------------------- the tests

for (const seed of [1, 2, 3]) {
  describe(`closing cycles by streaming, against the first implementation (seed ${seed})`, () => {
    let world: World;
    let history: History;
    const heavy = seed === 1 ? 2_600 : 300;
    before(async () => {
      world = await openWorld(`close-${seed}`);
      history = await bookHistory(world, seed, { heavy });
    });
    after(async () => world?.close());

    const modes: { readonly name: string; readonly cut: boolean; readonly runner?: (world: World) => StretchRunner }[] = [
      { name: 'on one thread', cut: false },
      {
        name: 'cut in two, both stretches on this thread',
        cut: true,
        runner: (w) => (job) => ({ result: clearStretch({ ledger: w.ledger, store: w.store, clearingStore: w.clearingStore, job }), stop: async () => undefined }),
      },
      { name: 'cut in two, the later stretch in a worker thread', cut: true, runner: (w) => sqliteStretchRunner({ networkDbPath: join(w.dir, 'network.db'), ledgerDbPath: join(w.dir, 'ledger.db') }) },
    ];
    for (const mode of modes) it(`gives the same positions, files and instructions for three consecutive cycles, ${mode.name}`, async () => {
      const participants = await createParticipantRegistry({ store: world.store, ledger: world.ledger, selfId: 'NET', now: () => new Date() });
      const reference: ReferenceCycle[] = [];
      for (const cycle of world.cycles) reference.push(await referenceClearCycle({ ledger: world.ledger, store: world.store, participants: participants.all(), cycle }));
      // Each mode closes the same cycles afresh.
      world.db.exec('DELETE FROM settlement_instructions; DELETE FROM clearing_files; DELETE FROM clearing_file_chunks; DELETE FROM clearing_cycles;');
      // Chunks an interrupted close left behind for the first cycle, in both segments: discarded, never served.
      await world.clearingStore.insertFileChunks([0, 1].map((segment) => ({ cycleId: world.cycles[0]!.id, participantId: 'ACQ-A', segment, index: 0, lines: Buffer.from('left behind\r\n') })));

      const service = await createClearingService({
        ...(mode.runner === undefined ? {} : { runStretch: mode.runner(world), splitRemainingMin: CUT_REMAINING_MIN, pageTransfers: CUT_PAGE_TRANSFERS }),
        ledger: world.ledger,
        store: world.store,
        clearingStore: world.clearingStore,
        participants,
        schedule: (() => {
          const schedule = createCycleSchedule();
          assert.ok(schedule.ok);
          return schedule.value;
        })(),
        locks: createKeyedLock(),
        now: () => new Date(world.cycles[2]!.closesAt.getTime() + 3_600_000 * 2),
      });
      world.clock.ns = BigInt(world.cycles[2]!.closesAt.getTime() + 3_600_000 * 2) * NS_PER_MS;
      const closed = await service.closeDueCycles();
      assert.deepEqual(closed.map((c) => c.cycleId), world.cycles.map((c) => c.id));

      let entries = 0;
      let multiChunk = 0;
      let cutFiles = 0;
      world.cycles.forEach((cycle, i) => assert.equal(closed[i]!.entryCount, reference[i]!.positions.entryCount, cycle.id));
      for (const [i, cycle] of world.cycles.entries()) {
        const expected = reference[i]!;
        entries += expected.positions.entryCount;
        assert.deepEqual(closed[i]!.positions, expected.positions, `${cycle.id}: positions`);
        const detail = await service.cycle(cycle.id);
        assert.ok(detail.ok);
        assert.deepEqual(sortedInstructions(detail.value.instructions), sortedInstructions(expected.instructions), `${cycle.id}: instructions`);
        for (const file of expected.files) {
          const stored = await service.file(cycle.id, file.participantId);
          assert.ok(stored.ok, `${cycle.id} ${file.participantId}`);
          let text = '';
          for await (const chunk of service.fileText(stored.value)) text += chunk;
          assert.equal(text, file.content, `${cycle.id} ${file.participantId}: the same bytes`);
          assert.deepEqual(
            [stored.value.checksum, stored.value.detailCount, stored.value.lineCount],
            [file.checksum, file.detailCount, file.content.split('\r\n').length - 1],
            `${cycle.id} ${file.participantId}: the same record`,
          );
          const lines = file.content.split('\r\n').slice(0, -1);
          if (lines.length > CLEARING_FILE_CHUNK_LINES) multiChunk += 1;
          // Cut in two: header and details, details, totals and trailer.
          if (stored.value.segmentLines.length === 3 && stored.value.segmentLines[1]! > 0) cutFiles += 1;
          if (!mode.cut) assert.equal(stored.value.segmentLines.length, 2, `${file.participantId}: its segments`);
          else if (expected.positions.entryCount > 4 * (CUT_REMAINING_MIN + CUT_PAGE_TRANSFERS)) assert.equal(stored.value.segmentLines.length, 3, `${file.participantId}: its segments`);
          // Pages of lines as the protocol route serves them, from anywhere, across chunk boundaries.
          for (const from of [0, 1, 127, CLEARING_FILE_CHUNK_LINES - 3, CLEARING_FILE_CHUNK_LINES, 2 * CLEARING_FILE_CHUNK_LINES - 64, lines.length - 1, lines.length, lines.length + 7]) {
            assert.deepEqual(await service.fileLines(stored.value, from, 128), lines.slice(from, from + 128), `${file.participantId} lines from ${from}`);
          }
        }
      }
      assert.ok(entries > 500, `a real history (${entries} entries)`);
      if (seed === 1) assert.ok(multiChunk >= 2, 'the busy pair has files of several chunks');
      if (mode.cut) assert.ok(cutFiles >= 6, `files were cut in two (${cutFiles})`);
      const digest = createHash('sha256');
      for (const r of reference) for (const f of r.files) digest.update(f.checksum);
      assert.match(digest.digest('hex'), /^[0-9a-f]{64}$/);
    });

    it('was given what it must get right: second legs stamped at each cut-off, refunds of 0 fen, cancellations, settlements', async () => {
      for (const cutOff of [...world.cycles.map((c) => c.opensAt), world.cycles[2]!.closesAt]) {
        const at = BigInt(cutOff.getTime()) * NS_PER_MS;
        const around: Transfer[] = [];
        for await (const page of world.ledger.streamTransfers({ fromTimestamp: at - 1n, toTimestamp: at })) around.push(...page);
        assert.deepEqual(
          around.map((t) => [t.timestamp - at, t.id.replace(/NP[0-9a-f]+/, 'NP…')]),
          [
            [-1n, 'pay:NP…:CNY'],
            [0n, 'pay:NP…:KRW'],
          ],
          `a payment straddles the cut-off ${cutOff.toISOString()}`,
        );
      }
      assert.ok(history.zeroFenRefunds > 0, `refunds of 0 fen (${history.zeroFenRefunds})`);
      assert.ok(history.standing.some((s) => s.cancelled), 'cancellations');
      assert.ok(history.settlements > 0, 'settlements');
    });
  });
}

