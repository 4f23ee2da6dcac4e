/**
 * Issue 5, clearing and settlement at the network, end to end over the three
 * institutions: payments on both sides of a cut-off fall in exactly the cycle
 * of their completion; a closed cycle's positions net to zero per currency
 * with the FX accounts; each participant downloads its own clearing file over
 * the signed API and it parses, checksum and all; confirming the settlement
 * instructions brings the positions of the cycle back to zero; every ledger
 * verifies. One clock, moved by the test, drives all three institutions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createKeyDirectory } from '../src/platform/signing/index.ts';
import { createPeerClient, parseClearingFile, type ClearingFile } from '../src/protocol/index.ts';
import { apiClient, PARTICIPANTS, seedDemo, startDari, type Dari, type DemoCredentials } from './support/dari.ts';

/** 2026-11-25 22:58:00 in Seoul (UTC+9): two minutes before the default cut-off. */
const START_MS = Date.UTC(2026, 10, 25, 13, 58, 0);
const CYCLE = '2026-11-25T2300';
const NEXT_CYCLE = '2026-11-26T2300';

interface CycleView {
  cycleId: string;
  entryCount: number;
  positions: { participantId: string; role: string; net: { currency: string; value: string } }[];
  fxAccounts: { accountId: string; net: { currency: string; value: string } }[];
  instructions: { instructionId: string; participantId: string; direction: string; amount: { currency: string; value: string }; status: string; reference: string | null }[];
}

describe('clearing and settlement across a cut-off', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-clearing-'));
  const realStart = Date.now();
  let offsetMs = 0;
  const now = (): Date => new Date(START_MS + (Date.now() - realStart) + offsetMs);
  const jumpTo = (ms: number): void => {
    offsetMs += ms - now().getTime();
  };
  let dari: Dari;
  let credentials: DemoCredentials;
  const api = () => apiClient(dari.url);
  const operator = () => ({ token: credentials.networkOperatorKey });

  const pay = async (krw: string, requestId: string): Promise<string> => {
    const code = await api().call<{ code: string }>('POST', '/wallet/v1/payment-codes', { token: credentials.tourist.token });
    const paid = await api().call<{ paymentId: string; status: string }>('POST', '/acquirer/v1/payments', {
      token: credentials.merchant.terminalKey,
      body: { paymentRequestId: requestId, amount: { currency: 'KRW', value: krw }, paymentCode: code.code },
    });
    assert.equal(paid.status, 'SUCCESS');
    return paid.paymentId;
  };

  /** The participant's own file, page by page, over the signed protocol (as that participant). */
  const download = async (participant: 'wallet' | 'acquirer', cycleId: string): Promise<ClearingFile> => {
    const client = createPeerClient({
      self: { clientId: PARTICIPANTS[participant], privateKey: dari.secrets.keys[participant].privateKey, keyVersion: 1 },
      peerId: PARTICIPANTS.network,
      baseUrl: dari.url,
      keys: createKeyDirectory([{ clientId: PARTICIPANTS.network, keyVersion: 1, publicKey: dari.secrets.keys.network.publicKey }]),
      now,
    });
    const lines: string[] = [];
    for (;;) {
      const outcome = await client.call('networkClearingFile', { cycleId, fromLine: lines.length });
      assert.equal(outcome.kind, 'answered');
      if (outcome.kind !== 'answered') throw new Error('unreachable');
      assert.equal(outcome.response.result.resultCode, 'SUCCESS', JSON.stringify(outcome.response.result));
      lines.push(...(outcome.response.lines ?? []));
      if (lines.length >= (outcome.response.lineCount ?? 0)) break;
    }
    const parsed = parseClearingFile(`${lines.join('\r\n')}\r\n`);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.error));
    return parsed.value;
  };

  before(async () => {
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null, peerTimeoutMs: 5_000, now });
    credentials = await seedDemo(dari);
  });
  after(async () => {
    await dari?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The acquirer's own ids, which it sends the network as its request ids. */
  const acquirerIds: string[] = [];
  it('puts what completes before the cut-off in its cycle and what completes after in the next', async () => {
    acquirerIds.push(await pay('15000', 'clr-1'), await pay('38000', 'clr-2'));
    const refund = await api().call<{ refundId: string; status: string }>('POST', `/acquirer/v1/payments/${acquirerIds[0]}/refunds`, {
      token: credentials.merchant.terminalKey,
      body: { refundRequestId: 'clr-r1', amount: { currency: 'KRW', value: '5000' } },
    });
    assert.equal(refund.status, 'SUCCESS');
    acquirerIds.push(refund.refundId);
    const early = await api().request('POST', `/network/v1/clearing/cycles/${CYCLE}/close`, operator());
    assert.equal(early.status, 409, JSON.stringify(early.body));
    assert.equal((early.body as { error: { code: string } }).error.code, 'CYCLE_NOT_DUE');

    jumpTo(Date.UTC(2026, 10, 25, 14, 0, 5)); // 23:00:05 in Seoul: the cycle has closed
    await pay('20000', 'clr-3');

    const closed = await api().call<CycleView>('POST', `/network/v1/clearing/cycles/${CYCLE}/close`, operator());
    assert.equal(closed.cycleId, CYCLE);
    assert.equal(closed.entryCount, 3, 'two payments and a refund; the payment after the cut-off is not in it');
    const net = (role: string) => closed.positions.find((p) => p.role === role)?.net;
    // 15,000 and 38,000 KRW at 190.25 are 78.85 and 199.74 CNY, rounded up; 5,000 KRW back is 26.29 CNY.
    assert.deepEqual(net('acquirer'), { currency: 'KRW', value: '48000' });
    assert.deepEqual(net('wallet'), { currency: 'CNY', value: String(-(7_885 + 19_974 - 2_629)) });
    for (const fx of closed.fxAccounts) {
      const participants = closed.positions.filter((p) => p.net.currency === fx.net.currency).reduce((sum, p) => sum + BigInt(p.net.value), 0n);
      assert.equal(participants + BigInt(fx.net.value), 0n, `${fx.net.currency} nets to zero with ${fx.accountId}`);
    }
    assert.deepEqual(
      closed.instructions.map((i) => [i.participantId, i.direction, i.amount.currency, i.amount.value, i.status]),
      [
        [PARTICIPANTS.wallet, 'participant-pays', 'CNY', '25230', 'pending'],
        [PARTICIPANTS.acquirer, 'participant-receives', 'KRW', '48000', 'pending'],
      ],
    );
    const again = await api().call<CycleView>('POST', `/network/v1/clearing/cycles/${CYCLE}/close`, operator());
    assert.deepEqual(again, closed, 'closing again answers what was closed');
  });

  it("gives each participant its own clearing file over the signed API, matching the operator's copy", async () => {
    const acquirerFile = await download('acquirer', CYCLE);
    assert.deepEqual(
      acquirerFile.records.map((r) => [r.transactionType, r.requestId, r.transactionAmount.value, r.settlementAmount.value, r.direction]),
      [
        ['PAYMENT', acquirerIds[0], 15_000n, 15_000n, 'CREDIT'],
        ['PAYMENT', acquirerIds[1], 38_000n, 38_000n, 'CREDIT'],
        ['REFUND', acquirerIds[2], 5_000n, 5_000n, 'DEBIT'],
      ],
    );
    const walletFile = await download('wallet', CYCLE);
    assert.deepEqual(
      walletFile.records.map((r) => [r.transactionType, r.settlementAmount.currency, r.settlementAmount.value, r.direction]),
      [
        ['PAYMENT', 'CNY', 7_885n, 'DEBIT'],
        ['PAYMENT', 'CNY', 19_974n, 'DEBIT'],
        ['REFUND', 'CNY', 2_629n, 'CREDIT'],
      ],
    );
    assert.ok(walletFile.records.every((r) => r.requestId === ''), "the wallet's file carries no acquirer request ids");
    const csv = await fetch(`${dari.url}/network/v1/clearing/cycles/${CYCLE}/files/${PARTICIPANTS.acquirer}`, { headers: { Authorization: `Bearer ${credentials.networkOperatorKey}` } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const text = await csv.text();
    const parsed = parseClearingFile(text);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.checksum, acquirerFile.checksum, 'the same bytes both ways');
  });

  it('refuses what it should, each with its code', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['POST', `/network/v1/clearing/cycles/${NEXT_CYCLE}/close`, 409, 'CYCLE_NOT_DUE'],
      ['POST', '/network/v1/clearing/cycles/2026-11-25T2200/close', 400, 'INVALID_REQUEST'],
      ['POST', '/network/v1/clearing/cycles/not-a-cycle/close', 400, 'INVALID_REQUEST'],
      ['GET', `/network/v1/clearing/cycles/${NEXT_CYCLE}`, 404, 'CYCLE_NOT_CLOSED'],
      ['GET', `/network/v1/clearing/cycles/${CYCLE}/files/NOBODY`, 404, 'NOT_FOUND'],
      ['POST', '/network/v1/settlement/instructions/SI000/confirm', 404, 'NOT_FOUND'],
    ];
    for (const [method, path, status, code] of cases) {
      const answer = await api().request(method, path, { ...operator(), ...(method === 'POST' && path.includes('confirm') ? { body: { reference: 'X1' } } : {}) });
      assert.deepEqual([answer.status, (answer.body as { error?: { code: string } }).error?.code], [status, code], `${method} ${path}`);
    }
    const noKey = await api().request('POST', `/network/v1/clearing/cycles/${CYCLE}/close`);
    assert.equal(noKey.status, 401);
    const terminal = await api().request('GET', `/network/v1/clearing/cycles/${CYCLE}`, { token: credentials.merchant.terminalKey });
    assert.equal(terminal.status, 401);
  });

  it('books each confirmed instruction against the position, once', async () => {
    const before = await api().call<CycleView>('GET', `/network/v1/clearing/cycles/${CYCLE}`, operator());
    const positionsBefore = await api().call<{ positions: { role: string; position: { value: string } }[] }>('GET', '/network/v1/positions', operator());
    for (const instruction of before.instructions) {
      const confirmed = await api().call<{ status: string; reference: string }>('POST', `/network/v1/settlement/instructions/${instruction.instructionId}/confirm`, {
        ...operator(),
        body: { reference: `BANK-${instruction.participantId}` },
      });
      assert.deepEqual([confirmed.status, confirmed.reference], ['settled', `BANK-${instruction.participantId}`]);
      const again = await api().request('POST', `/network/v1/settlement/instructions/${instruction.instructionId}/confirm`, { ...operator(), body: { reference: `BANK-${instruction.participantId}` } });
      assert.equal(again.status, 200, 'the same confirmation again is harmless');
      const other = await api().request('POST', `/network/v1/settlement/instructions/${instruction.instructionId}/confirm`, { ...operator(), body: { reference: 'OTHER' } });
      assert.equal(other.status, 409);
    }
    const positionsAfter = await api().call<{ positions: { role: string; position: { value: string } }[] }>('GET', '/network/v1/positions', operator());
    const position = (list: typeof positionsAfter, role: string) => BigInt(list.positions.find((p) => p.role === role)!.position.value);
    // What is left is the payment after the cut-off: 20,000 KRW, 105.13 CNY.
    assert.equal(position(positionsBefore, 'acquirer') - position(positionsAfter, 'acquirer'), 48_000n);
    assert.equal(position(positionsAfter, 'acquirer'), 20_000n);
    assert.equal(position(positionsBefore, 'wallet') - position(positionsAfter, 'wallet'), 25_230n);
    assert.equal(position(positionsAfter, 'wallet'), 10_513n);
    for (const institution of [dari.wallet, dari.acquirer, dari.network]) assert.equal((await institution.verifyLedger()).ok, true);
  });

  it('closes due cycles by itself in the recovery pass', async () => {
    jumpTo(Date.UTC(2026, 10, 26, 14, 0, 5)); // the next day, 23:00:05 in Seoul
    await dari.resolveOpen();
    const next = await api().call<CycleView>('GET', `/network/v1/clearing/cycles/${NEXT_CYCLE}`, operator());
    assert.equal(next.entryCount, 1, 'the payment made just after the previous cut-off');
    const listed = await api().call<{ cycles: { cycleId: string }[] }>('GET', '/network/v1/clearing/cycles', operator());
    assert.deepEqual(listed.cycles.map((c) => c.cycleId), [NEXT_CYCLE, CYCLE]);
  });
});
