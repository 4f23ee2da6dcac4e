/** `GET /acquirer/v1/terminal`: the terminal of a key and its merchant's name, for the POS console; nobody else's. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACQUIRER_TEST_ENGINES, OPERATOR_KEY, startHarness, type Harness } from './test-helpers.ts';

for (const engine of ACQUIRER_TEST_ENGINES) {
  describe(`the terminal of a key, on ${engine}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ engine });
    });
    after(() => h.close());

    it("answers the key's own terminal and its merchant's name", async () => {
      const shop = await h.onboard('Insadong Tea House');
      const other = await h.onboard('Other Shop');
      const answer = await h.api('GET', '/acquirer/v1/terminal', { token: shop.terminalKey });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { terminalId: shop.terminalId, merchantId: shop.merchantId, storeId: shop.storeId, label: 'Counter 1', merchantName: 'Insadong Tea House' });
      assert.equal((await h.api('GET', '/acquirer/v1/terminal', { token: other.terminalKey })).body.merchantId, other.merchantId);
    });

    it('refuses no key, a wrong key and the operator key', async () => {
      assert.equal((await h.api('GET', '/acquirer/v1/terminal', {})).status, 401);
      assert.equal((await h.api('GET', '/acquirer/v1/terminal', { token: 'not-a-terminal-key' })).status, 401);
      const operator = await h.api('GET', '/acquirer/v1/terminal', { token: OPERATOR_KEY });
      assert.equal(operator.status, 403);
      assert.equal((operator.body.error as { code: string }).code, 'FORBIDDEN');
    });
  });
}
