import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CODE, DEFAULT_SCRIPT, eventually, krw, startHarness, type Harness } from './test-helpers.ts';

/** Reads a Server-Sent Events body to its end; returns the `data` of each `status` event. */
async function readStatusEvents(response: Response): Promise<{ status: string }[]> {
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: status'))
    .map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice('data: '.length)) as { status: string });
}

describe("a payment's live view (Server-Sent Events)", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ paymentDeadlineMs: 5_000, peerTimeoutMs: 250 });
  });
  after(() => h.close());

  it('starts with PROCESSING and ends at SUCCESS when the network finishes the payment', async () => {
    const shop = await h.onboard();
    h.network.script = { ...DEFAULT_SCRIPT, pay: 'U', payOutcome: 'processing' };
    const posAnswer = h.api('POST', '/acquirer/v1/payments', { token: shop.terminalKey, body: { paymentRequestId: 'sse-1', amount: krw(9_900), paymentCode: CODE } });
    await eventually(() => h.network.calls.pay.length === 1);
    const paymentId = h.network.calls.pay[0]!;
    const stream = await h.acquirer.app.request(`/acquirer/v1/payments/${paymentId}/events`, { headers: { Authorization: `Bearer ${shop.terminalKey}` } });
    const events = readStatusEvents(stream);
    await eventually(() => h.network.calls.inquiry.length >= 1);
    // The wallet answers at last: the next inquiry finds the payment done.
    h.network.payments.get(paymentId)!.status = 'SUCCESS';
    h.network.payments.get(paymentId)!.resultCode = 'SUCCESS';
    assert.deepEqual((await events).map((e) => e.status), ['PROCESSING', 'SUCCESS']);
    assert.equal((await posAnswer).status, 201);
    // A view opened after the end shows the final status and ends at once.
    const late = await h.acquirer.app.request(`/acquirer/v1/payments/${paymentId}/events`, { headers: { Authorization: `Bearer ${shop.terminalKey}` } });
    assert.deepEqual((await readStatusEvents(late)).map((e) => e.status), ['SUCCESS']);
  });
});
