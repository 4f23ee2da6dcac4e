/**
 * One institution's reconciliation of one clearing cycle: fetch its clearing
 * file from the network over the signed API, gather its own ledger's entries
 * for the same cycle, and match the two (reconcile.ts). The wallet and the
 * acquirer run the same steps; only how an entry is read from their own
 * ledgers differs (`OwnLedgerReader`).
 *
 * Which own entries belong to the cycle. The network decides a transaction's
 * cycle by when it completed at the network; an institution books it a little
 * before (the wallet debits the tourist, then answers the network) or after
 * (the acquirer books once the network answers, or after an inquiry). So:
 * - every entry the file lists is looked up in the own ledger wherever it was
 *   booked, and matched;
 * - every own entry booked within the cycle's hours that the file does not
 *   list is looked up in the neighbouring cycles' files. Found there, it is a
 *   timing difference (`timing`, listed with the cycle that holds it, and
 *   matched when that cycle is reconciled); found nowhere, it is
 *   `missing-in-file`. When the next cycle is not closed yet, the finding's
 *   reason says so: run again once it has.
 * Nothing is adjusted: every difference stays in the report with its reason.
 */
import { amount, parseCurrency, type Amount } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { CLEARING_FILE_LINES_MAX, parseClearingFile, type ClearingFile, type ClearingRecord } from './clearing-file.ts';
import { clearingFileEntries, reconcile, RECONCILIATION_ENTRIES_MAX, type ReconciliationEntry, type ReconciliationFinding, type ReconciliationFindingKind } from './reconcile.ts';
import { CLEARING_FILE_PAGE_LINES_MAX } from './messages.ts';
import type { ReconciliationStore, ReconciliationSummary, StoredReconciliation } from './reconciliation-store.ts';
import type { PeerClient } from './signed-http.ts';

/** Pages one download asks for at most: a full file at the protocol's page size, and one more. */
export const CLEARING_FILE_PAGES_MAX = Math.ceil(CLEARING_FILE_LINES_MAX / CLEARING_FILE_PAGE_LINES_MAX) + 1;

/** An entry of the institution's own ledger, with what identifies it there. */
export interface OwnLedgerEntry extends ReconciliationEntry {
  /** The own ledger's transfer id. */
  readonly ownRef: string;
  /** When the own ledger booked it. */
  readonly bookedAt: Date;
}

/** A movement on the own ledger's account with the network that is no clearing transaction the institution can name. */
export interface UnexplainedEntry {
  readonly ownRef: string;
  readonly amount: Amount;
  readonly bookedAt: Date;
  readonly reason: string;
}

export interface OwnEntries {
  readonly entries: readonly OwnLedgerEntry[];
  readonly unexplained: readonly UnexplainedEntry[];
}

/** How an institution reads its own ledger for reconciliation. */
export interface OwnLedgerReader {
  /** Its movements with the network booked in [from, to), settlements excepted. */
  bookedBetween(from: Date, to: Date, countMax: number): Promise<OwnEntries | 'too-many'>;
  /** Its own entries of these file records, wherever they were booked; records it has no entry for are left out. */
  entriesOf(records: readonly ClearingRecord[]): Promise<OwnEntries>;
}

/** An own entry that the network put in a neighbouring cycle. */
export interface TimingDifference {
  readonly transactionType: ReconciliationEntry['transactionType'];
  readonly transactionId: string;
  readonly amount: Amount;
  readonly bookedAt: Date;
  /** The cycle whose file lists it. */
  readonly cycleId: string;
  readonly reason: string;
}

export interface CycleReconciliation {
  readonly cycleId: string;
  readonly participantId: string;
  readonly opensAt: Date;
  readonly closesAt: Date;
  readonly ranAt: Date;
  readonly file: { readonly checksum: string; readonly detailCount: number };
  /** Own entries matched or compared. */
  readonly ledgerEntryCount: number;
  readonly matchedCount: number;
  readonly findings: readonly ReconciliationFinding[];
  readonly counts: Readonly<Record<ReconciliationFindingKind, number>>;
  readonly timing: readonly TimingDifference[];
  readonly unexplained: readonly UnexplainedEntry[];
  /** No finding and nothing unexplained (timing differences are not differences). */
  readonly clean: boolean;
}

export type CycleReconciliationError =
  | { readonly kind: 'cycle-not-closed'; readonly cycleId: string; readonly message: string }
  | { readonly kind: 'unknown-cycle'; readonly cycleId: string; readonly message: string }
  | { readonly kind: 'network-unavailable'; readonly cycleId: string; readonly message: string }
  | { readonly kind: 'bad-file'; readonly cycleId: string; readonly message: string }
  | { readonly kind: 'too-many-entries'; readonly cycleId: string; readonly message: string };

export interface FetchedClearingFile {
  readonly file: ClearingFile;
  /** The neighbouring cycles in the network's schedule, when the network says. */
  readonly previousCycleId: string | null;
  readonly nextCycleId: string | null;
}

/**
 * Downloads the sender's clearing file of a cycle, page by page, and checks
 * that the pages make one file: the same line count and checksum on every
 * page, and a whole file that parses with that checksum, for this
 * participant and cycle.
 */
export async function fetchClearingFile(network: PeerClient, participantId: string, cycleId: string): Promise<Result<FetchedClearingFile, CycleReconciliationError>> {
  const lines: string[] = [];
  let expected: { lineCount: number; checksum: string; previousCycleId: string | null; nextCycleId: string | null } | null = null;
  for (let page = 0; page < CLEARING_FILE_PAGES_MAX; page++) {
    const outcome = await network.call('networkClearingFile', { cycleId, fromLine: lines.length });
    if (outcome.kind === 'no-answer') return err({ kind: 'network-unavailable', cycleId, message: `the network did not answer (${outcome.reason}: ${outcome.detail})` });
    const { response } = outcome;
    const code = response.result.resultCode;
    if (code === 'CYCLE_NOT_CLOSED') return err({ kind: 'cycle-not-closed', cycleId, message: `cycle ${cycleId} is not closed at the network yet` });
    if (code === 'CYCLE_NOT_EXIST') return err({ kind: 'unknown-cycle', cycleId, message: response.result.resultMessage ?? `no cycle ${cycleId}` });
    if (response.result.resultStatus !== 'S' || response.lineCount === undefined || response.checksum === undefined || response.lines === undefined) {
      return err({ kind: 'network-unavailable', cycleId, message: `the network answered ${response.result.resultStatus} ${code}: ${response.result.resultMessage ?? ''}`.trim() });
    }
    expected ??= { lineCount: response.lineCount, checksum: response.checksum, previousCycleId: response.previousCycleId ?? null, nextCycleId: response.nextCycleId ?? null };
    if (response.lineCount !== expected.lineCount || response.checksum !== expected.checksum) {
      return err({ kind: 'bad-file', cycleId, message: 'the file changed between pages (its line count or checksum differs)' });
    }
    if (response.lines.length === 0 && lines.length < expected.lineCount) return err({ kind: 'bad-file', cycleId, message: `an empty page at line ${lines.length + 1} of ${expected.lineCount}` });
    lines.push(...response.lines);
    if (lines.length > expected.lineCount) return err({ kind: 'bad-file', cycleId, message: `more lines than the ${expected.lineCount} announced` });
    if (lines.length === expected.lineCount) {
      const parsed = parseClearingFile(`${lines.join('\r\n')}\r\n`);
      if (!parsed.ok) return err({ kind: 'bad-file', cycleId, message: parsed.error.message });
      const file = parsed.value;
      if (file.checksum !== expected.checksum) return err({ kind: 'bad-file', cycleId, message: `the trailer's checksum ${file.checksum} is not the announced ${expected.checksum}` });
      if (file.header.cycleId !== cycleId || file.header.participantId !== participantId) {
        return err({ kind: 'bad-file', cycleId, message: `the file is of cycle ${file.header.cycleId} for ${file.header.participantId}, not of ${cycleId} for ${participantId}` });
      }
      return ok({ file, previousCycleId: expected.previousCycleId, nextCycleId: expected.nextCycleId });
    }
  }
  return err({ kind: 'bad-file', cycleId, message: `more than ${CLEARING_FILE_PAGES_MAX} pages` });
}

function keyOf(e: { readonly transactionType: string; readonly transactionId: string }): string {
  return `${e.transactionType}\u0000${e.transactionId}`;
}

/**
 * Reconciles one closed cycle (see the file's comment). The files of the
 * cycles before and after it, as the network names them, are read only when
 * some own entry of the cycle's hours is not in its own file.
 */
export async function reconcileCycle(input: {
  readonly network: PeerClient;
  readonly participantId: string;
  readonly cycleId: string;
  readonly own: OwnLedgerReader;
  readonly now: () => Date;
}): Promise<Result<CycleReconciliation, CycleReconciliationError>> {
  const { cycleId } = input;
  const fetched = await fetchClearingFile(input.network, input.participantId, cycleId);
  if (!fetched.ok) return fetched;
  const { file } = fetched.value;
  const neighbours = { previous: fetched.value.previousCycleId, next: fetched.value.nextCycleId };
  const { opensAt, closesAt } = file.header;
  const tooMany = (): Result<never, CycleReconciliationError> =>
    err({ kind: 'too-many-entries', cycleId, message: `more than ${RECONCILIATION_ENTRIES_MAX} own entries in the cycle` });

  const booked = await input.own.bookedBetween(opensAt, closesAt, RECONCILIATION_ENTRIES_MAX);
  if (booked === 'too-many') return tooMany();
  const fileKeys = new Set(file.records.map(keyOf));
  const bookedKeys = new Set(booked.entries.map(keyOf));
  const elsewhere = await input.own.entriesOf(file.records.filter((r) => !bookedKeys.has(keyOf(r))));
  const seen = new Set(booked.entries.map((e) => e.ownRef));
  const own = [...booked.entries, ...elsewhere.entries.filter((e) => !seen.has(e.ownRef))];
  if (own.length > RECONCILIATION_ENTRIES_MAX) return tooMany();

  // Own entries of the cycle's hours the file does not list: in a neighbouring cycle, or missing.
  const strays = own.filter((e) => !fileKeys.has(keyOf(e)));
  const timing: TimingDifference[] = [];
  let nextOpen = false;
  if (strays.length > 0) {
    const neighbourKeys = async (neighbour: string | null): Promise<Result<Set<string> | null, CycleReconciliationError>> => {
      if (neighbour === null) return ok(null);
      const other = await fetchClearingFile(input.network, input.participantId, neighbour);
      if (other.ok) return ok(new Set(other.value.file.records.map(keyOf)));
      // Cycles close in order: the previous one is closed unless it is before the network's first.
      return other.error.kind === 'cycle-not-closed' ? ok(null) : other;
    };
    const previous = await neighbourKeys(neighbours.previous);
    if (!previous.ok) return previous;
    const next = await neighbourKeys(neighbours.next);
    if (!next.ok) return next;
    nextOpen = next.value === null;
    for (const stray of strays) {
      const holder = previous.value?.has(keyOf(stray)) ? neighbours.previous : next.value?.has(keyOf(stray)) ? neighbours.next : null;
      if (holder === null || holder === undefined) continue;
      const when = holder === neighbours.previous ? 'before' : 'after';
      timing.push({
        transactionType: stray.transactionType,
        transactionId: stray.transactionId,
        amount: stray.amount,
        bookedAt: stray.bookedAt,
        cycleId: holder,
        reason: `booked here at ${stray.bookedAt.toISOString()}, within cycle ${cycleId}'s hours; the network completed it ${when} the cut-off, in cycle ${holder}, whose file lists it`,
      });
    }
  }
  const timed = new Set(timing.map(keyOf));
  const ledgerEntries = own.filter((e) => !timed.has(keyOf(e)));
  const report = reconcile({ ledger: ledgerEntries, file: clearingFileEntries(file.records) });
  if (!report.ok) return err({ kind: 'too-many-entries', cycleId, message: report.error.message });
  const findings = report.value.findings.map((f) =>
    f.kind === 'missing-in-file' && nextOpen
      ? { ...f, reason: `${f.reason}; the next cycle (${neighbours.next ?? 'unknown'}) is not closed yet: if the network completed it after the cut-off, that cycle's file will list it, so run again once it has closed` }
      : f,
  );
  const unexplained = [...booked.unexplained, ...elsewhere.unexplained];
  return ok({
    cycleId,
    participantId: input.participantId,
    opensAt,
    closesAt,
    ranAt: input.now(),
    file: { checksum: file.checksum, detailCount: file.records.length },
    ledgerEntryCount: ledgerEntries.length,
    matchedCount: report.value.matched.length,
    findings,
    counts: report.value.counts,
    timing,
    unexplained,
    clean: report.value.clean && unexplained.length === 0,
  });
}

/** The part of a ledger (src/ledger) a reader needs: the protocol library reads it by shape, not by import. */
export interface ReadableLedger {
  getAccountTransfers(query: { readonly accountId: string; readonly cursorTimestamp?: bigint; readonly limit?: number }): Promise<{
    readonly transfers: readonly LedgerTransferView[];
    readonly nextTimestamp: bigint | null;
  }>;
  lookupTransfers(ids: readonly string[]): Promise<readonly LedgerTransferView[]>;
}

export interface LedgerTransferView {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amount: bigint;
  /** The ledger's currency code. */
  readonly ledger: string;
  /** Nanoseconds since the Unix epoch. */
  readonly timestamp: bigint;
}

/** What one of the institution's transfers with the network is, for the clearing file. */
export type ExplainedTransfer =
  | { readonly kind: 'entry'; readonly transactionType: ReconciliationEntry['transactionType']; readonly transactionId: string }
  /** Not a clearing transaction. */
  | { readonly kind: 'skip' }
  | { readonly kind: 'unexplained'; readonly reason: string };

/** The id prefix of a cycle's settlement transfer (cycle-settlement.ts), which every reader skips. */
export const SETTLEMENT_TRANSFER_PREFIX = 'settle:';

/** Transfers read per ledger page, and looked up per call. */
export const OWN_LEDGER_PAGE_TRANSFERS = 1_000;
const NS_PER_MS = 1_000_000n;

/**
 * A reader of the institution's account with the network in its own ledger.
 * Each transfer's amount is signed as the clearing file signs it: a debit of
 * that account is the network owing the institution more (+), a credit the
 * institution owing the network more (−), for the wallet (whose account is
 * what it owes) and the acquirer (what it is owed) alike.
 */
export function ownLedgerReader(deps: {
  readonly ledger: ReadableLedger;
  /** The account with the network. */
  readonly accountId: string;
  readonly explain: (transfer: LedgerTransferView) => Promise<ExplainedTransfer>;
  /** The own transfer ids a file record would have (looked up, the missing ones ignored). */
  readonly transferIdsOf: (record: ClearingRecord) => readonly string[];
}): OwnLedgerReader {
  const toEntries = async (transfers: readonly LedgerTransferView[], into: { entries: OwnLedgerEntry[]; unexplained: UnexplainedEntry[] }): Promise<void> => {
    for (const transfer of transfers) {
      const onDebit = transfer.debitAccountId === deps.accountId;
      if (!onDebit && transfer.creditAccountId !== deps.accountId) continue;
      const signed = amountOf(transfer.ledger, onDebit ? transfer.amount : -transfer.amount);
      const bookedAt = new Date(Number(transfer.timestamp / NS_PER_MS));
      // A cycle's settlement (cycle-settlement.ts) is no clearing transaction.
      if (transfer.id.startsWith(SETTLEMENT_TRANSFER_PREFIX)) continue;
      const explained = await deps.explain(transfer);
      if (explained.kind === 'skip') continue;
      if (explained.kind === 'unexplained') into.unexplained.push({ ownRef: transfer.id, amount: signed, bookedAt, reason: explained.reason });
      else into.entries.push({ transactionType: explained.transactionType, transactionId: explained.transactionId, amount: signed, ownRef: transfer.id, bookedAt });
    }
  };
  return {
    async bookedBetween(from, to, countMax) {
      const found = { entries: [] as OwnLedgerEntry[], unexplained: [] as UnexplainedEntry[] };
      const toNs = BigInt(to.getTime()) * NS_PER_MS;
      let cursor: bigint | null = BigInt(from.getTime()) * NS_PER_MS - 1n;
      while (cursor !== null) {
        const page = await deps.ledger.getAccountTransfers({ accountId: deps.accountId, cursorTimestamp: cursor, limit: OWN_LEDGER_PAGE_TRANSFERS });
        cursor = page.nextTimestamp;
        const inside = page.transfers.filter((t) => t.timestamp < toNs);
        await toEntries(inside, found);
        if (found.entries.length + found.unexplained.length > countMax) return 'too-many';
        if (inside.length < page.transfers.length) break;
      }
      return found;
    },
    async entriesOf(records) {
      const found = { entries: [] as OwnLedgerEntry[], unexplained: [] as UnexplainedEntry[] };
      const ids = [...new Set(records.flatMap((r) => deps.transferIdsOf(r)))];
      for (let at = 0; at < ids.length; at += OWN_LEDGER_PAGE_TRANSFERS) {
        await toEntries(await deps.ledger.lookupTransfers(ids.slice(at, at + OWN_LEDGER_PAGE_TRANSFERS)), found);
      }
      return found;
    },
  };
}

function amountOf(currencyCode: string, value: bigint): Amount {
  const currency = parseCurrency(currencyCode);
  if (!currency.ok) throw new Error(`assertion failed: a ledger's code is a currency, got ${currencyCode}`);
  return amount(currency.value, value);
}

/** An institution's reconciliation, as its operators run and read it. */
export interface ReconciliationService {
  /** Reconciles a closed cycle now and keeps the run. */
  run(cycleId: string): Promise<Result<StoredReconciliation, CycleReconciliationError>>;
  latest(cycleId: string): Promise<StoredReconciliation | null>;
  list(limit: number): Promise<ReconciliationSummary[]>;
}

export function createReconciliationService(deps: {
  readonly network: PeerClient;
  readonly participantId: string;
  readonly reader: OwnLedgerReader;
  readonly store: ReconciliationStore;
  readonly now: () => Date;
}): ReconciliationService {
  return {
    async run(cycleId) {
      const reconciled = await reconcileCycle({ network: deps.network, participantId: deps.participantId, cycleId, own: deps.reader, now: deps.now });
      if (!reconciled.ok) return reconciled;
      const runId = await deps.store.record(reconciled.value);
      return ok({ runId, ...reconciled.value });
    },
    latest: (cycleId) => deps.store.latest(cycleId),
    list: (limit) => deps.store.list(limit),
  };
}
