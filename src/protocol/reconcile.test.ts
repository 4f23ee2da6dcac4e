import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { amount, currency, type Amount } from '../money/index.ts';
import { parseClearingFile, writeClearingFile, type ClearingRecord } from './clearing-file.ts';
import {
  RECONCILIATION_ENTRIES_MAX,
  clearingFileEntries,
  reconcile,
  type ReconciliationEntry,
  type ReconciliationFinding,
  type ReconciliationReport,
} from './reconcile.ts';

const CNY = currency('CNY');
const KRW = currency('KRW');
const cny = (value: bigint): Amount => amount(CNY, value);
const krw = (value: bigint): Amount => amount(KRW, value);

const pay = (id: string, value: bigint): ReconciliationEntry => ({ transactionType: 'PAYMENT', transactionId: id, amount: cny(value) });
const refund = (id: string, value: bigint): ReconciliationEntry => ({ transactionType: 'REFUND', transactionId: id, amount: cny(value) });
const cancel = (id: string, value: bigint): ReconciliationEntry => ({ transactionType: 'CANCELLATION', transactionId: id, amount: cny(value) });

function report(ledger: readonly ReconciliationEntry[], file: readonly ReconciliationEntry[]): ReconciliationReport {
  const result = reconcile({ ledger, file });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** A finding as `kind TYPE id` (and the side of a duplicate). */
function brief(f: ReconciliationFinding): string {
  return `${f.kind} ${f.transactionType} ${f.transactionId}${f.kind === 'duplicate' ? ` ${f.side}×${f.occurrences}` : ''}`;
}

describe('reconcile', () => {
  it('matches equal records, whatever their order, and is clean', () => {
    const ledger = [pay('NP1', -7885n), refund('NR1', 526n), pay('NP2', -2629n)];
    const r = report(ledger, [...ledger].reverse());
    assert.equal(r.clean, true);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.matched.map((m) => `${m.transactionType} ${m.transactionId} ${m.amount.value}`), ['PAYMENT NP1 -7885', 'PAYMENT NP2 -2629', 'REFUND NR1 526']);
    assert.deepEqual(r.counts, { 'missing-in-file': 0, 'missing-in-ledger': 0, 'currency-mismatch': 0, 'amount-mismatch': 0, duplicate: 0 });
  });

  it('an empty ledger against an empty file is clean', () => {
    assert.deepEqual(report([], []), { matched: [], findings: [], counts: { 'missing-in-file': 0, 'missing-in-ledger': 0, 'currency-mismatch': 0, 'amount-mismatch': 0, duplicate: 0 }, clean: true });
  });

  it('a payment and its cancellation share an id but are two records', () => {
    const both = [pay('NP1', -7885n), cancel('NP1', 7885n)];
    assert.equal(report(both, both).matched.length, 2);
    assert.deepEqual(report(both, both.slice(0, 1)).findings.map(brief), ['missing-in-file CANCELLATION NP1']);
  });

  const table: { name: string; ledger: ReconciliationEntry[]; file: ReconciliationEntry[]; findings: string[]; reason: RegExp }[] = [
    { name: 'in the ledger only', ledger: [pay('NP1', -100n)], file: [], findings: ['missing-in-file PAYMENT NP1'], reason: /PAYMENT NP1 \(CNY -100\) is in the ledger but not in the clearing file/ },
    { name: 'in the file only', ledger: [], file: [refund('NR1', 5n)], findings: ['missing-in-ledger REFUND NR1'], reason: /REFUND NR1 \(CNY 5\) is in the clearing file but not in the ledger/ },
    { name: 'another value', ledger: [pay('NP1', -100n)], file: [pay('NP1', -101n)], findings: ['amount-mismatch PAYMENT NP1'], reason: /CNY -100 in the ledger and CNY -101 in the clearing file/ },
    { name: 'the other direction', ledger: [pay('NP1', -100n)], file: [pay('NP1', 100n)], findings: ['amount-mismatch PAYMENT NP1'], reason: /CNY -100 in the ledger and CNY 100/ },
    {
      name: 'another currency (even with the same value)',
      ledger: [pay('NP1', -100n)],
      file: [{ ...pay('NP1', 0n), amount: krw(-100n) }],
      findings: ['currency-mismatch PAYMENT NP1'],
      reason: /in CNY in the ledger \(CNY -100\) and in KRW in the clearing file \(KRW -100\)/,
    },
    { name: 'another type under one id', ledger: [pay('NP1', -100n)], file: [cancel('NP1', -100n)], findings: ['missing-in-ledger CANCELLATION NP1', 'missing-in-file PAYMENT NP1'], reason: /CANCELLATION NP1 \(CNY -100\) is in the clearing file/ },
    { name: 'twice in the ledger', ledger: [pay('NP1', -100n), pay('NP1', -100n)], file: [pay('NP1', -100n)], findings: ['duplicate PAYMENT NP1 ledger×2'], reason: /PAYMENT NP1 is 2 times in the ledger \(CNY -100; CNY -100\)/ },
    { name: 'three times in the file', ledger: [pay('NP1', -100n)], file: [pay('NP1', -100n), pay('NP1', -100n), pay('NP1', -100n)], findings: ['duplicate PAYMENT NP1 file×3'], reason: /3 times in the clearing file/ },
    {
      name: 'twice on both sides, the first copies differing',
      ledger: [pay('NP1', -100n), pay('NP1', -100n)],
      file: [pay('NP1', -99n), pay('NP1', -100n)],
      findings: ['amount-mismatch PAYMENT NP1', 'duplicate PAYMENT NP1 ledger×2', 'duplicate PAYMENT NP1 file×2'],
      reason: /.*/,
    },
    { name: 'a duplicate missing on the other side', ledger: [refund('NR1', 1n), refund('NR1', 2n)], file: [], findings: ['missing-in-file REFUND NR1', 'duplicate REFUND NR1 ledger×2'], reason: /REFUND NR1 \(CNY 1\)/ },
  ];
  for (const t of table) {
    it(`finds a record ${t.name}`, () => {
      const r = report(t.ledger, t.file);
      assert.deepEqual(r.findings.map(brief), t.findings);
      assert.match(r.findings[0]!.reason, t.reason);
      assert.equal(r.clean, false);
      assert.equal(Object.values(r.counts).reduce((a, b) => a + b, 0), t.findings.length);
    });
  }

  it('keeps the amounts of both sides in a finding, for the operator', () => {
    const [finding] = report([pay('NP1', -100n)], [pay('NP1', -101n)]).findings;
    assert.deepEqual(finding, {
      kind: 'amount-mismatch',
      transactionType: 'PAYMENT',
      transactionId: 'NP1',
      ledgerAmount: cny(-100n),
      fileAmount: cny(-101n),
      reason: 'PAYMENT NP1 is CNY -100 in the ledger and CNY -101 in the clearing file (minor units, signed: negative is owed to the network)',
    });
  });

  it('orders findings by transaction id, then type, then kind, whatever the input order', () => {
    const ledger = [pay('NP3', -1n), pay('NP1', -1n), refund('NR2', 1n), cancel('NP1', 1n)];
    const file = [pay('NP2', -1n), refund('NR2', 2n), pay('NP1', -2n)];
    const expected = ['amount-mismatch PAYMENT NP1', 'missing-in-file CANCELLATION NP1', 'missing-in-ledger PAYMENT NP2', 'missing-in-file PAYMENT NP3', 'amount-mismatch REFUND NR2'];
    // CANCELLATION sorts before PAYMENT by type: the order is by id, then type.
    expected.sort((a, b) => {
      const [, ta, ia] = a.split(' ');
      const [, tb, ib] = b.split(' ');
      return ia! < ib! ? -1 : ia! > ib! ? 1 : ta! < tb! ? -1 : ta! > tb! ? 1 : 0;
    });
    assert.deepEqual(report(ledger, file).findings.map(brief), expected);
    assert.deepEqual(report([...ledger].reverse(), [...file].reverse()).findings.map(brief), expected);
  });

  it(`refuses more than RECONCILIATION_ENTRIES_MAX (${RECONCILIATION_ENTRIES_MAX}) entries on a side`, () => {
    const many = new Array<ReconciliationEntry>(RECONCILIATION_ENTRIES_MAX + 1).fill(pay('NP1', -1n));
    const result = reconcile({ ledger: [], file: many });
    assert.equal(result.ok ? 'ok' : `${result.error.kind} ${result.error.side}`, 'too-many-entries file');
  });

  it('reads a parsed clearing file as signed entries: DEBIT negative, CREDIT positive', () => {
    const at = new Date('2026-11-25T03:00:00.000Z');
    const records: ClearingRecord[] = [
      { transactionType: 'PAYMENT', transactionId: 'NP1', paymentId: 'NP1', requestId: '', transactionTime: at, transactionAmount: krw(15_000n), settlementAmount: cny(7_885n), direction: 'DEBIT', fxRate: null },
      { transactionType: 'REFUND', transactionId: 'NR1', paymentId: 'NP1', requestId: '', transactionTime: at, transactionAmount: krw(1_000n), settlementAmount: cny(526n), direction: 'CREDIT', fxRate: null },
      { transactionType: 'REFUND', transactionId: 'NR2', paymentId: 'NP1', requestId: '', transactionTime: at, transactionAmount: krw(1n), settlementAmount: cny(0n), direction: 'CREDIT', fxRate: null },
    ];
    const text = writeClearingFile({ header: { cycleId: 'C1', participantId: 'W1', opensAt: new Date('2026-11-24T14:00:00Z'), closesAt: new Date('2026-11-25T14:00:00Z') }, records });
    const file = parseClearingFile(text);
    assert.ok(file.ok);
    const entries = clearingFileEntries(file.value.records);
    assert.deepEqual(entries, [pay('NP1', -7_885n), refund('NR1', 526n), refund('NR2', 0n)]);
    // The wallet's own view of the same cycle reconciles clean.
    assert.equal(report([refund('NR2', 0n), pay('NP1', -7_885n), refund('NR1', 526n)], entries).clean, true);
  });
});

// ---- properties ----

const TYPES = ['PAYMENT', 'REFUND', 'CANCELLATION'] as const;
const entry: fc.Arbitrary<ReconciliationEntry> = fc.record({
  transactionType: fc.constantFrom(...TYPES),
  transactionId: fc.string({ unit: fc.constantFrom(...Array.from('NPR0123456789')), minLength: 1, maxLength: 8 }),
  amount: fc.tuple(fc.constantFrom(CNY, KRW), fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n })).map(([c, v]) => amount(c, v)),
});
/** Entries with unique keys. */
const entries = fc.uniqueArray(entry, { selector: (e) => `${e.transactionType} ${e.transactionId}`, maxLength: 60 });

type Tampering = 'delete-from-ledger' | 'delete-from-file' | 'alter-amount' | 'alter-currency' | 'duplicate-in-ledger' | 'duplicate-in-file';
const TAMPERINGS: readonly Tampering[] = ['delete-from-ledger', 'delete-from-file', 'alter-amount', 'alter-currency', 'duplicate-in-ledger', 'duplicate-in-file'];
const EXPECTED: Record<Tampering, string> = {
  'delete-from-ledger': 'missing-in-ledger',
  'delete-from-file': 'missing-in-file',
  'alter-amount': 'amount-mismatch',
  'alter-currency': 'currency-mismatch',
  'duplicate-in-ledger': 'duplicate ledger',
  'duplicate-in-file': 'duplicate file',
};

/** A seeded shuffle, so that a failing case can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('properties (seeded)', () => {
  it('a set reconciled against itself (in any order) is all matched', () => {
    fc.assert(
      fc.property(entries, fc.integer(), (set, seed) => {
        const r = report(set, shuffled(set, seed));
        assert.equal(r.clean, true);
        assert.equal(r.matched.length, set.length);
      }),
      { numRuns: 300, seed: 20_261_301 },
    );
  });

  it('tampering with k distinct records (delete, alter, duplicate, on either side) yields exactly those k findings', () => {
    fc.assert(
      fc.property(
        entries.filter((set) => set.length > 0),
        fc.array(fc.constantFrom(...TAMPERINGS), { minLength: 1, maxLength: 10 }),
        fc.integer(),
        (set, tamperings, seed) => {
          const victims = shuffled(set, seed).slice(0, tamperings.length);
          const ledger: ReconciliationEntry[] = [...set];
          const file: ReconciliationEntry[] = [...set];
          const expected: string[] = [];
          victims.forEach((victim, i) => {
            const how = tamperings[i]!;
            const at = (side: ReconciliationEntry[]): number => side.findIndex((e) => e.transactionType === victim.transactionType && e.transactionId === victim.transactionId);
            if (how === 'delete-from-ledger') ledger.splice(at(ledger), 1);
            if (how === 'delete-from-file') file.splice(at(file), 1);
            if (how === 'alter-amount') file[at(file)] = { ...victim, amount: amount(victim.amount.currency, victim.amount.value + 1n) };
            if (how === 'alter-currency') file[at(file)] = { ...victim, amount: amount(victim.amount.currency === CNY ? KRW : CNY, victim.amount.value) };
            if (how === 'duplicate-in-ledger') ledger.push(victim);
            if (how === 'duplicate-in-file') file.push(victim);
            expected.push(`${EXPECTED[how]} ${victim.transactionType} ${victim.transactionId}`);
          });
          const r = report(shuffled(ledger, seed + 1), shuffled(file, seed + 2));
          const found = r.findings.map((f) => `${f.kind}${f.kind === 'duplicate' ? ` ${f.side}` : ''} ${f.transactionType} ${f.transactionId}`);
          assert.deepEqual([...found].sort(), [...expected].sort());
          assert.equal(r.matched.length, set.length - victims.filter((_, i) => !tamperings[i]!.startsWith('duplicate')).length);
        },
      ),
      { numRuns: 500, seed: 20_261_302 },
    );
  });

  it('the report does not depend on the order of either side (when neither side repeats a key)', () => {
    fc.assert(
      fc.property(entries, entries, fc.integer(), (ledger, file, seed) => {
        assert.deepEqual(report(shuffled(ledger, seed), shuffled(file, seed + 1)), report(ledger, file));
      }),
      { numRuns: 200, seed: 20_261_303 },
    );
  });

  it('findings come sorted by id, type, kind, side, with any input; every key is matched or found once', () => {
    const kindOrder = ['missing-in-file', 'missing-in-ledger', 'currency-mismatch', 'amount-mismatch', 'duplicate'];
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), fc.array(entry, { maxLength: 40 }), (ledger, file) => {
        const r = report(ledger, file);
        const rank = (f: ReconciliationFinding): string =>
          `${f.transactionId}\u0000${f.transactionType}\u0000${kindOrder.indexOf(f.kind)}${f.kind === 'duplicate' ? (f.side === 'ledger' ? 0 : 1) : 0}`;
        const ranks = r.findings.map(rank);
        assert.deepEqual(ranks, [...ranks].sort());
        const keys = new Set([...ledger, ...file].map((e) => `${e.transactionType} ${e.transactionId}`));
        const compared = [...r.matched, ...r.findings.filter((f) => f.kind !== 'duplicate')].map((e) => `${e.transactionType} ${e.transactionId}`);
        assert.deepEqual([...compared].sort(), [...keys].sort());
      }),
      { numRuns: 200, seed: 20_261_304 },
    );
  });
});
