/**
 * Issue 4's fault injection: a lost request, a lost answer, a delay past the
 * timeout and a duplicate delivery, on the hop from the acquirer to the
 * network and on the hop from the network to the wallet. Whatever happens,
 * every payment ends in one terminal state that all three sides agree on, the
 * tourist is charged exactly when the merchant sees the payment as paid, and
 * every ledger verifies.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BATCHINGS } from '../src/platform/batching.ts';
import { faultyFetch, type NetworkFault } from '../src/protocol/index.ts';
import { apiClient, seedDemo, startDari, type Dari, type DemoCredentials } from './support/dari.ts';

const PEER_TIMEOUT_MS = 400;
const PAYMENT_DEADLINE_MS = 1_500;
const TERMINAL = new Set(['SUCCESS', 'FAIL', 'CANCELLED']);

type Hop = 'acquirer→network' | 'network→wallet';
const FAULTS: readonly NetworkFault[] = [
  { kind: 'lose-request' },
  { kind: 'lose-response' },
  { kind: 'delay', delayMs: PEER_TIMEOUT_MS * 2 },
  { kind: 'duplicate' },
];

interface Totals {
  readonly wallet: bigint;
  readonly merchant: bigint;
  readonly walletOwes: bigint;
  readonly acquirerOwed: bigint;
}

async function totals(dari: Dari, credentials: DemoCredentials): Promise<Totals> {
  const api = apiClient(dari.url);
  const wallet = await api.call<{ balance: { value: string } }>('GET', '/wallet/v1/balance', { token: credentials.tourist.token });
  const merchant = await api.call<{ payable: { value: string } }>('GET', `/acquirer/v1/merchants/${credentials.merchant.merchantId}/balance`, {
    token: credentials.acquirerOperatorKey,
  });
  const positions = await api.call<{ positions: { role: string; position: { value: string } }[] }>('GET', '/network/v1/positions', {
    token: credentials.networkOperatorKey,
  });
  const position = (role: string) => BigInt(positions.positions.find((p) => p.role === role)?.position.value ?? '0');
  return { wallet: BigInt(wallet.balance.value), merchant: BigInt(merchant.payable.value), walletOwes: position('wallet'), acquirerOwed: position('acquirer') };
}

for (const [batching, hop] of BATCHINGS.flatMap((b) => (['acquirer→network', 'network→wallet'] as const satisfies readonly Hop[]).map((h) => [b, h] as const))) {
  describe(`faults on the hop ${hop}, ${batching}`, () => {
    for (const fault of FAULTS) {
      it(`${fault.kind}: one terminal state, the same on every side`, async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'dari-faults-'));
        const endpoint = hop === 'acquirer→network' ? 'networkPay' : 'walletPay';
        // Only the first request carrying the payment's `pay` on this hop misbehaves (a single message,
        // or the whole envelope it rides in); inquiries and cancels get through.
        let pays = 0;
        const faulty = faultyFetch((url, init) => fetch(url, init), ({ endpoints }) => (endpoints.includes(endpoint) && ++pays === 1 ? fault : undefined));
        const dari = await startDari({
          batching,
          dataDir,
          port: 0,
          version: 'test',
          resolveIntervalMs: null,
          peerTimeoutMs: PEER_TIMEOUT_MS,
          paymentDeadlineMs: PAYMENT_DEADLINE_MS,
          fetch: hop === 'acquirer→network' ? { acquirer: faulty.fetch } : { network: faulty.fetch },
        });
        try {
          const credentials = await seedDemo(dari);
          const api = apiClient(dari.url);
          const before = await totals(dari, credentials);
          const code = await api.call<{ code: string }>('POST', '/wallet/v1/payment-codes', { token: credentials.tourist.token });
          const answer = await api.request<{ paymentId?: string; status?: string; error?: { code: string } }>('POST', '/acquirer/v1/payments', {
            token: credentials.merchant.terminalKey,
            body: { paymentRequestId: `fault-${fault.kind}`, amount: { currency: 'KRW', value: '15000' }, paymentCode: code.code },
          });
          assert.ok(answer.status < 500 || answer.status === 504, `the POS gets an answer, not a crash: ${answer.status} ${JSON.stringify(answer.body)}`);

          // The late and duplicate deliveries land, then recovery passes finish whatever is open.
          await faulty.settled();
          let status = answer.body.status ?? 'UNKNOWN';
          const paymentId = answer.body.paymentId;
          assert.ok(paymentId, `the POS learns the payment's id: ${JSON.stringify(answer.body)}`);
          for (let pass = 0; pass < 20 && !TERMINAL.has(status); pass++) {
            await new Promise((resolve) => setTimeout(resolve, PAYMENT_DEADLINE_MS / 4));
            await dari.resolveOpen();
            status = (await api.call<{ status: string }>('GET', `/acquirer/v1/payments/${paymentId}`, { token: credentials.merchant.terminalKey })).status;
          }
          assert.ok(TERMINAL.has(status), `the payment ends in a terminal state, got ${status}`);

          const after = await totals(dari, credentials);
          const charged = before.wallet - after.wallet;
          const paid = after.merchant - before.merchant;
          if (status === 'SUCCESS') {
            assert.equal(paid, 15_000n, 'the merchant is owed the price');
            assert.equal(charged, 7_885n, 'the tourist paid the price at the locked rate');
          } else {
            assert.deepEqual([paid, charged], [0n, 0n], `a ${status} payment moved no money`);
          }
          assert.equal(after.walletOwes - before.walletOwes, charged, "the network's CNY position matches the wallet");
          assert.equal(after.acquirerOwed - before.acquirerOwed, paid, "the network's KRW position matches the acquirer");
          for (const institution of [dari.wallet, dari.acquirer, dari.network]) {
            assert.equal((await institution.verifyLedger()).ok, true);
          }
        } finally {
          await faulty.settled();
          await dari.close();
          rmSync(dataDir, { recursive: true, force: true });
        }
      });
    }
  });
}
