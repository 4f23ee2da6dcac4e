/**
 * A clearing cycle closes the same on every engine: the same day of payments,
 * refunds (in part and in full) and a cancellation, with one payment after
 * the cut-off, run through the network over its signed API on SQLite and on
 * PostgreSQL, gives the same positions, the same instructions and the same
 * clearing files line for line (once the network's random ids are read as
 * the acquirer's request ids they stand for, and the instants as the order
 * they keep). One clock, moved by the test, drives each network.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseClearingFile, type PeerCallOutcome, type ProtocolEndpointName, type ProtocolResponse } from '../../protocol/index.ts';
import { ACQUIRER_ID, MERCHANT, NETWORK_TEST_ENGINES, WALLET_ID, krw, startBench, walletCode, type Bench, type NetworkTestEngine } from '../test-helpers.ts';

/** 2026-11-25 22:58:00 in Seoul (UTC+9): two minutes before the default cut-off. */
const START_MS = Date.UTC(2026, 10, 25, 13, 58, 0);
/** 23:00:05 in Seoul: the cycle has closed. */
const PAST_CUT_OFF_MS = Date.UTC(2026, 10, 25, 14, 0, 5);
const CYCLE = '2026-11-25T2300';

function answered<N extends ProtocolEndpointName>(outcome: PeerCallOutcome<N>): ProtocolResponse<N> {
  if (outcome.kind !== 'answered') assert.fail(`no answer: ${outcome.reason} ${outcome.detail}`);
  return outcome.response;
}

/** What a closed cycle says, in terms that do not depend on the run: request ids for the network's ids, no instants. */
interface ClosedView {
  readonly entryCount: number;
  readonly positions: readonly (readonly string[])[];
  readonly instructions: readonly (readonly string[])[];
  readonly files: Readonly<Record<string, readonly (readonly string[])[]>>;
}

async function dayOn(engine: NetworkTestEngine): Promise<ClosedView> {
  const realStart = Date.now();
  let offsetMs = 0;
  const now = (): Date => new Date(START_MS + (Date.now() - realStart) + offsetMs);
  const b: Bench = await startBench({ engine, now, peerTimeoutMs: 5_000, paymentDeadlineMs: 10_000 });
  try {
    const pay = async (requestId: string, value: bigint, code: number): Promise<void> => {
      const answer = answered(await b.acquirerClient.call('networkPay', { paymentRequestId: requestId, paymentAmount: krw(value), paymentCode: walletCode(code), merchant: MERCHANT }));
      assert.equal(answer.result.resultCode, 'SUCCESS', requestId);
    };
    const refund = async (refundRequestId: string, paymentRequestId: string, value: bigint): Promise<void> => {
      const answer = answered(await b.acquirerClient.call('networkRefund', { refundRequestId, paymentRequestId, refundAmount: krw(value) }));
      assert.equal(answer.result.resultCode, 'SUCCESS', refundRequestId);
    };
    await pay('P1', 15_000n, 1);
    await pay('P2', 38_000n, 2);
    await pay('P3', 1n, 3);
    await pay('P4', 99_999n, 4);
    await refund('R1', 'P1', 5_000n);
    await refund('R2', 'P2', 38_000n);
    await refund('R3', 'P4', 1n);
    assert.equal(answered(await b.acquirerClient.call('networkCancelPayment', { paymentRequestId: 'P3' })).result.resultCode, 'SUCCESS');
    offsetMs += PAST_CUT_OFF_MS - now().getTime();
    await pay('P5', 20_000n, 5);

    const closed = await b.network.clearing.closeCycle(CYCLE);
    assert.ok(closed.ok, JSON.stringify(!closed.ok && closed.error));
    const again = await b.network.clearing.closeCycle(CYCLE);
    assert.deepEqual(again, closed, 'closing again answers what was closed');
    const requestOf = new Map<string, string>();
    for (const p of await b.network.service.listPayments({ limit: 100 })) {
      requestOf.set(p.paymentId, p.paymentRequestId);
      const view = await b.network.service.getPayment(p.paymentId);
      assert.ok(view.ok);
      for (const r of view.value.refunds) requestOf.set(r.refundId, r.refundRequestId);
    }
    const files: Record<string, (readonly string[])[]> = {};
    for (const participantId of [WALLET_ID, ACQUIRER_ID]) {
      const file = await b.network.clearing.file(CYCLE, participantId);
      assert.ok(file.ok);
      let text = '';
      for await (const chunk of b.network.clearing.fileText(file.value)) text += chunk;
      const parsed = parseClearingFile(text);
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.error));
      assert.equal(parsed.value.checksum, file.value.checksum);
      const times = parsed.value.records.map((r) => r.transactionTime.getTime());
      assert.deepEqual(times, [...times].sort((x, y) => x - y), 'in completion order');
      files[participantId] = parsed.value.records.map((r) => [
        r.transactionType,
        requestOf.get(r.transactionId) ?? `unknown ${r.transactionId}`,
        requestOf.get(r.paymentId) ?? `unknown ${r.paymentId}`,
        r.requestId === '' ? '' : (requestOf.get(r.requestId) ?? r.requestId),
        `${r.transactionAmount.currency} ${r.transactionAmount.value}`,
        `${r.settlementAmount.currency} ${r.settlementAmount.value}`,
        r.direction,
        r.fxRate?.rate ?? '',
      ]);
    }
    assert.ok((await b.network.verifyLedger()).ok);
    const { positions } = closed.value;
    return {
      entryCount: closed.value.entryCount,
      positions: positions.positions.map((p) => [p.participantId, p.net.currency, String(p.net.value), String(p.grossDebit.value), String(p.grossCredit.value)]),
      instructions: positions.instructions.map((i) => [i.participantId, i.direction, i.amount.currency, String(i.amount.value)]),
      files,
    };
  } finally {
    await b.close();
  }
}

describe('a clearing cycle closes the same on every engine', () => {
  const views = new Map<NetworkTestEngine, ClosedView>();
  after(() => views.clear());

  for (const engine of NETWORK_TEST_ENGINES) {
    it(`closes the day's cycle on ${engine}`, async () => {
      const view = await dayOn(engine);
      // Four payments and three refunds and a cancellation in the cycle; the payment after the cut-off is in the next.
      assert.equal(view.entryCount, 8);
      assert.deepEqual(view.instructions, [
        // 15,000 + 38,000 + 99,999 KRW paid at 190.25 are 78.85 + 199.74 + 525.62 CNY (rounded up); 1 KRW is 0.01 CNY, cancelled;
        // back: 26.29 (telescoping from 78.85), 199.74 in full, 0.01.
        [WALLET_ID, 'participant-pays', 'CNY', String(7_885 + 19_974 + 52_562 - 2_629 - 19_974 - 1)],
        [ACQUIRER_ID, 'participant-receives', 'KRW', String(15_000 + 38_000 + 99_999 - 5_000 - 38_000 - 1)],
      ]);
      assert.deepEqual(
        view.files[ACQUIRER_ID]?.map((line) => `${line[0]} ${line[1]}`),
        ['PAYMENT P1', 'PAYMENT P2', 'PAYMENT P3', 'PAYMENT P4', 'REFUND R1', 'REFUND R2', 'REFUND R3', 'CANCELLATION P3'],
      );
      views.set(engine, view);
    });
  }

  it('gives the same positions, instructions and files on every engine', () => {
    const [first, ...others] = NETWORK_TEST_ENGINES.map((engine) => views.get(engine));
    assert.ok(first !== undefined && others.every((view) => view !== undefined), 'every engine closed its cycle');
    for (const view of others) assert.deepEqual(view, first);
  });
});
