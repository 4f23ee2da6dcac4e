/**
 * Issue 5, reconciliation at every institution, end to end: the wallet and
 * the acquirer each fetch their clearing file from the network over the
 * signed API and match it against their own ledgers. A clean day is clean at
 * both; a payment the acquirer booked after the cut-off (its answer from the
 * network came late) is matched in the cycle the network put it in and shows
 * as a timing difference in the next; a ledger tampered with after the fact is
 * caught with a reason, on the wallet and the acquirer, and nothing is fixed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { endpointsOfRequest, type FetchFunction, type ReconciliationJson } from '../src/protocol/index.ts';
import { apiClient, PARTICIPANTS, seedDemo, startDari, type Dari, type DemoCredentials } from './support/dari.ts';

/** 2026-11-25 22:50:00 in Seoul (UTC+9): ten minutes before the default cut-off. */
const START_MS = Date.UTC(2026, 10, 25, 13, 50, 0);
const CYCLE = '2026-11-25T2300';
const NEXT_CYCLE = '2026-11-26T2300';

describe('reconciliation at the wallet and the acquirer', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-reconcile-'));
  const realStart = Date.now();
  let offsetMs = 0;
  const now = (): Date => new Date(START_MS + (Date.now() - realStart) + offsetMs);
  const jumpTo = (ms: number): void => {
    offsetMs += ms - now().getTime();
  };
  /** While set, the next `networkPay` answer to the acquirer is held until the test releases it. */
  let hold: { reached: () => void; released: Promise<void> } | null = null;
  const acquirerFetch: FetchFunction = async (url, init) => {
    const response = await fetch(url, init);
    if (hold !== null && endpointsOfRequest(url, init.body).includes('networkPay')) {
      const held = hold;
      hold = null;
      held.reached();
      await held.released;
    }
    return response;
  };
  let dari: Dari;
  let credentials: DemoCredentials;
  const api = () => apiClient(dari.url);

  const pay = async (krw: string, requestId: string): Promise<{ paymentId: string; status: string }> => {
    const code = await api().call<{ code: string }>('POST', '/wallet/v1/payment-codes', { token: credentials.tourist.token });
    return api().call<{ paymentId: string; status: string }>('POST', '/acquirer/v1/payments', {
      token: credentials.merchant.terminalKey,
      body: { paymentRequestId: requestId, amount: { currency: 'KRW', value: krw }, paymentCode: code.code },
    });
  };
  const closeCycle = async (cycleId: string) => api().call('POST', `/network/v1/clearing/cycles/${cycleId}/close`, { token: credentials.networkOperatorKey });
  const reconcile = async (institution: 'wallet' | 'acquirer', cycleId: string): Promise<ReconciliationJson> => {
    const token = institution === 'wallet' ? credentials.walletOperatorKey : credentials.acquirerOperatorKey;
    return api().call<ReconciliationJson>('POST', `/${institution}/v1/reconciliations`, { token, body: { cycleId } });
  };
  /** Runs `work` on one of the institutions' ledger files through a second connection: what a person with database access could do. */
  const tamper = (institution: 'wallet' | 'acquirer', work: (db: Database.Database) => void): void => {
    const db = new Database(join(dataDir, institution, 'ledger.db'));
    try {
      work(db);
    } finally {
      db.close();
    }
  };

  before(async () => {
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null, peerTimeoutMs: 5_000, now, fetch: { acquirer: acquirerFetch } });
    credentials = await seedDemo(dari);
  });
  after(async () => {
    await dari?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ids: Record<string, string> = {};
  it('refuses to reconcile a cycle that is not closed, and refuses anyone but the operator', async () => {
    const early = await api().request('POST', '/wallet/v1/reconciliations', { token: credentials.walletOperatorKey, body: { cycleId: CYCLE } });
    assert.equal(early.status, 409, JSON.stringify(early.body));
    assert.equal((early.body as { error: { code: string } }).error.code, 'CYCLE_NOT_CLOSED');
    const stranger = await api().request('POST', '/wallet/v1/reconciliations', { token: credentials.acquirerOperatorKey, body: { cycleId: CYCLE } });
    assert.equal(stranger.status, 401);
    const terminal = await api().request('POST', '/acquirer/v1/reconciliations', { token: credentials.merchant.terminalKey, body: { cycleId: CYCLE } });
    assert.equal(terminal.status, 403);
    const bad = await api().request('POST', '/acquirer/v1/reconciliations', { token: credentials.acquirerOperatorKey, body: { cycleId: 'yesterday' } });
    assert.equal(bad.status, 400);
    const none = await api().request('GET', `/wallet/v1/reconciliations/${CYCLE}`, { token: credentials.walletOperatorKey });
    assert.equal(none.status, 404);
  });

  it('is clean on both sides for a day of payments, a refund and a cancellation', async () => {
    const p1 = await pay('15000', 'rec-1');
    const p2 = await pay('38000', 'rec-2');
    const p3 = await pay('9900', 'rec-3');
    for (const p of [p1, p2, p3]) assert.equal(p.status, 'SUCCESS');
    Object.assign(ids, { p1: p1.paymentId, p2: p2.paymentId, p3: p3.paymentId });
    const refund = await api().call<{ status: string }>('POST', `/acquirer/v1/payments/${p1.paymentId}/refunds`, {
      token: credentials.merchant.terminalKey,
      body: { refundRequestId: 'rec-r1', amount: { currency: 'KRW', value: '5000' } },
    });
    assert.equal(refund.status, 'SUCCESS');
    const cancelled = await api().call<{ status: string }>('POST', `/acquirer/v1/payments/${p3.paymentId}/cancel`, { token: credentials.merchant.terminalKey, body: {} });
    assert.equal(cancelled.status, 'CANCELLED');

    // The last payment of the day: the network completes it at 22:59:50, its answer reaches the acquirer after the cut-off.
    jumpTo(Date.UTC(2026, 10, 25, 13, 59, 50));
    let reached!: () => void;
    let release!: () => void;
    const heldAtNetwork = new Promise<void>((resolve) => (reached = resolve));
    hold = { reached, released: new Promise<void>((resolve) => (release = resolve)) };
    const late = pay('20000', 'rec-late');
    await heldAtNetwork;
    jumpTo(Date.UTC(2026, 10, 25, 14, 0, 5));
    release();
    const latePaid = await late;
    assert.equal(latePaid.status, 'SUCCESS');
    ids.late = latePaid.paymentId;

    await closeCycle(CYCLE);
    const wallet = await reconcile('wallet', CYCLE);
    assert.equal(wallet.clean, true, JSON.stringify(wallet));
    // Four payments, a refund, a cancellation: six lines in the file, six entries in the wallet's ledger.
    assert.deepEqual([wallet.file.detailCount, wallet.ledgerEntryCount, wallet.matchedCount], [6, 6, 6]);
    assert.deepEqual([wallet.findings, wallet.timing, wallet.unexplained], [[], [], []]);

    const acquirer = await reconcile('acquirer', CYCLE);
    assert.equal(acquirer.clean, true, JSON.stringify(acquirer));
    assert.deepEqual([acquirer.file.detailCount, acquirer.ledgerEntryCount, acquirer.matchedCount], [6, 6, 6], 'the late payment, booked after the cut-off, is matched in the cycle the network put it in');

    const read = await api().call<ReconciliationJson>('GET', `/acquirer/v1/reconciliations/${CYCLE}`, { token: credentials.acquirerOperatorKey });
    assert.deepEqual(read, acquirer, 'the run is kept as it came out');
  });

  it("books the cycle's settlement at the wallet from the clearing file's net, once, bringing its account with the network back to zero", async () => {
    const token = credentials.walletOperatorKey;
    const cycle = await api().call<{ instructions: { participantId: string; amount: { value: string } }[] }>('GET', `/network/v1/clearing/cycles/${CYCLE}`, { token: credentials.networkOperatorKey });
    const instructed = cycle.instructions.find((i) => i.participantId === PARTICIPANTS.wallet)!.amount.value;
    const booked = await api().call<{ net: { currency: string; value: string }; positionAfter: { value: string }; transferId: string }>('POST', '/wallet/v1/settlements', {
      token,
      body: { cycleId: CYCLE, reference: 'CNAPS-20261125-0001' },
    });
    assert.deepEqual(booked.net, { currency: 'CNY', value: `-${instructed}` }, 'what the network instructed the wallet to pay');
    assert.equal(booked.positionAfter.value, '0');
    assert.equal(booked.transferId, `settle:${CYCLE}`);
    const again = await api().call('POST', '/wallet/v1/settlements', { token, body: { cycleId: CYCLE, reference: 'CNAPS-20261125-0001' } });
    assert.deepEqual(again, booked, 'recording it again answers what was booked');
    const other = await api().request('POST', '/wallet/v1/settlements', { token, body: { cycleId: CYCLE, reference: 'CNAPS-OTHER' } });
    assert.equal(other.status, 409);
    assert.equal((other.body as { error: { code: string } }).error.code, 'ALREADY_SETTLED');
    const early = await api().request('POST', '/wallet/v1/settlements', { token, body: { cycleId: NEXT_CYCLE, reference: 'X1' } });
    assert.equal(early.status, 409, 'a cycle not closed has no net yet');
    assert.equal((await api().call<{ reference: string }>('GET', `/wallet/v1/settlements/${CYCLE}`, { token })).reference, 'CNAPS-20261125-0001');
    assert.equal((await reconcile('wallet', CYCLE)).clean, true, 'a settlement is no clearing transaction: reconciliation skips it');
    assert.ok((await dari.wallet.verifyLedger()).ok);

    const acquirerBooked = await api().call<{ net: { currency: string; value: string }; positionAfter: { value: string } }>('POST', '/acquirer/v1/settlements', {
      token: credentials.acquirerOperatorKey,
      body: { cycleId: CYCLE, reference: 'KFTC-20261125-0001' },
    });
    const received = cycle.instructions.find((i) => i.participantId === PARTICIPANTS.acquirer)!.amount.value;
    assert.deepEqual(acquirerBooked.net, { currency: 'KRW', value: received }, 'what the network instructed the acquirer to receive');
    assert.equal(acquirerBooked.positionAfter.value, '0');
    assert.equal(await dari.acquirer.accountBalanceKrw('bank:settlement'), -BigInt(received), 'the bank account holds it (a debit balance: money in)');
    const terminal = await api().request('POST', '/acquirer/v1/settlements', { token: credentials.merchant.terminalKey, body: { cycleId: CYCLE, reference: 'X1' } });
    assert.equal(terminal.status, 403);
  });

  it("shows the late payment as a timing difference in the next cycle's reconciliation, not as a difference", async () => {
    jumpTo(Date.UTC(2026, 10, 26, 10, 0, 0));
    assert.equal((await pay('7000', 'rec-4')).status, 'SUCCESS');
    jumpTo(Date.UTC(2026, 10, 26, 14, 0, 5));
    await closeCycle(NEXT_CYCLE);
    const acquirer = await reconcile('acquirer', NEXT_CYCLE);
    assert.equal(acquirer.clean, true, JSON.stringify(acquirer));
    assert.equal(acquirer.matchedCount, 1);
    assert.equal(acquirer.timing.length, 1);
    assert.equal(acquirer.timing[0]!.cycleId, CYCLE);
    assert.deepEqual(acquirer.timing[0]!.amount, { currency: 'KRW', value: '20000' });
    assert.match(acquirer.timing[0]!.reason, /before the cut-off, in cycle 2026-11-25T2300/);
    const wallet = await reconcile('wallet', NEXT_CYCLE);
    assert.equal(wallet.clean, true, JSON.stringify(wallet));
    assert.equal(wallet.matchedCount, 1);
    const list = await api().call<{ runs: { cycleId: string; clean: boolean }[] }>('GET', '/wallet/v1/reconciliations', { token: credentials.walletOperatorKey });
    assert.deepEqual(list.runs.map((r) => [r.cycleId, r.clean]), [[NEXT_CYCLE, true], [CYCLE, true], [CYCLE, true]], 'every run, newest first');
  });

  it("catches a wallet ledger whose payment amount was changed, and one whose payment was renamed, and fixes neither", async () => {
    const walletFile = await api().request<string>('GET', `/network/v1/clearing/cycles/${CYCLE}/files/${PARTICIPANTS.wallet}`, { token: credentials.networkOperatorKey });
    assert.equal(walletFile.status, 200);
    const paymentLine = walletFile.body.split('\r\n').find((line) => line.startsWith('DETAIL') && line.includes(',PAYMENT,'))!;
    const networkPaymentId = paymentLine.split(',')[4]!;

    tamper('wallet', (db) => db.prepare('UPDATE transfers SET amount = amount + 1 WHERE id = ?').run(`pay:${networkPaymentId}`));
    const changed = await reconcile('wallet', CYCLE);
    assert.equal(changed.clean, false);
    assert.deepEqual(
      changed.findings.map((f) => [f.kind, f.transactionType, f.transactionId]),
      [['amount-mismatch', 'PAYMENT', networkPaymentId]],
    );
    const finding = changed.findings[0]! as { ledgerAmount: { value: string }; fileAmount: { value: string }; reason: string };
    assert.equal(BigInt(finding.ledgerAmount.value) - BigInt(finding.fileAmount.value), -1n, 'one fen more owed to the network in the ledger than in the file');
    assert.match(finding.reason, /in the ledger and .* in the clearing file/);

    tamper('wallet', (db) => db.prepare('UPDATE transfers SET amount = amount - 1, id = ? WHERE id = ?').run(`pay:NPFORGED`, `pay:${networkPaymentId}`));
    const renamed = await reconcile('wallet', CYCLE);
    assert.deepEqual(
      renamed.findings.map((f) => [f.kind, f.transactionId]).sort(),
      [['missing-in-file', 'NPFORGED'], ['missing-in-ledger', networkPaymentId]].sort(),
    );
    assert.equal(renamed.counts['missing-in-file'], 1);
    assert.equal(renamed.counts['missing-in-ledger'], 1);
    const forged = renamed.findings.find((f) => f.kind === 'missing-in-file')!;
    assert.match(forged.reason, /next cycle \(2026-11-26T2300\)|in the ledger but not in the clearing file/);

    tamper('wallet', (db) => db.prepare('UPDATE transfers SET id = ? WHERE id = ?').run(`pay:${networkPaymentId}`, 'pay:NPFORGED'));
    assert.equal((await reconcile('wallet', CYCLE)).clean, true, 'restored, it is clean again: nothing was fixed in between');
  });

  it("catches an acquirer ledger with a refund's amount changed, and one with a movement nobody can name", async () => {
    tamper('acquirer', (db) => db.prepare("UPDATE transfers SET amount = amount * 2 WHERE id LIKE 'refund:%'").run());
    const doubled = await reconcile('acquirer', CYCLE);
    assert.deepEqual(doubled.findings.map((f) => [f.kind, f.transactionType]), [['amount-mismatch', 'REFUND']]);
    const finding = doubled.findings[0]! as { ledgerAmount: { value: string }; fileAmount: { value: string } };
    assert.deepEqual([finding.ledgerAmount.value, finding.fileAmount.value], ['-10000', '-5000']);
    tamper('acquirer', (db) => db.prepare("UPDATE transfers SET amount = amount / 2 WHERE id LIKE 'refund:%'").run());

    tamper('acquirer', (db) => db.prepare('UPDATE transfers SET id = ? WHERE id = ?').run('adjustment:by-hand', `pay:${ids.p2}`));
    const unnamed = await reconcile('acquirer', CYCLE);
    assert.equal(unnamed.clean, false);
    assert.deepEqual(unnamed.findings.map((f) => [f.kind, f.transactionType]), [['missing-in-ledger', 'PAYMENT']]);
    assert.deepEqual(unnamed.unexplained.map((u) => [u.ownRef, u.amount.value]), [['adjustment:by-hand', '38000']]);
    tamper('acquirer', (db) => db.prepare('UPDATE transfers SET id = ? WHERE id = ?').run(`pay:${ids.p2}`, 'adjustment:by-hand'));
    assert.equal((await reconcile('acquirer', CYCLE)).clean, true);
  });
});
