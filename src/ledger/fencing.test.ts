/**
 * One writer per ledger (ADR 5): a second store opened for writing takes the
 * fencing epoch, and the first writer's next batch fails, as does every call
 * after it, instead of writing from its stale cache. Both engines.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLedger } from './service.ts';
import { LedgerCommitUnknownError, LedgerFencedError } from './store.ts';
import { ENGINES, manualClock } from './test-engines.ts';

for (const engine of ENGINES) {
  describe(`fencing, ${engine.name}`, () => {
    test('a newer writer fences the older one, which then refuses every call', async () => {
      const opened = await engine.open();
      const first = await createLedger({ store: opened.store });
      try {
        await first.createAccounts([
          { id: 'bank', ledger: 'KRW', code: 1 },
          { id: 'shop', ledger: 'KRW', code: 2 },
        ]);
        const move = (id: string) => ({ id, debitAccountId: 'bank', creditAccountId: 'shop', amount: 100n, ledger: 'KRW', code: 1 });
        assert.equal((await first.createTransfers([move('t1')]))[0]?.result, 'ok');

        const second = await createLedger({ store: await opened.reopen() });
        assert.equal((await second.createTransfers([move('t2')]))[0]?.result, 'ok');

        await assert.rejects(first.createTransfers([move('t3')]), LedgerFencedError);
        await assert.rejects(first.createTransfers([move('t4')]), LedgerFencedError);
        assert.equal((await second.createTransfers([move('t5')]))[0]?.result, 'ok');

        const [shop] = await second.lookupAccounts(['shop']);
        assert.equal(shop?.creditsPosted, 300n, 'only t1, t2 and t5 moved money');
        assert.equal((await second.verify()).ok, true);
        await second.close();
      } finally {
        await first.close().catch(() => undefined);
        await opened.dispose();
      }
    });

    test('a fenced writer with a hold due stops its expiry timer instead of spinning', async () => {
      const opened = await engine.open();
      const clock = manualClock();
      let clockReads = 0;
      const first = await createLedger({ store: opened.store, clock: () => ((clockReads += 1), clock.now()) });
      try {
        await first.createAccounts([
          { id: 'bank', ledger: 'KRW', code: 1 },
          { id: 'shop', ledger: 'KRW', code: 2 },
        ]);
        const hold = { id: 'h', debitAccountId: 'bank', creditAccountId: 'shop', amount: 100n, ledger: 'KRW', code: 1 };
        assert.equal((await first.createTransfers([{ ...hold, flags: { pending: true }, timeoutSeconds: 1 }]))[0]?.result, 'ok');
        const second = await createLedger({ store: await opened.reopen(), clock: () => 0n });
        clock.advanceSeconds(2);
        await assert.rejects(first.releaseExpired(), LedgerFencedError);
        // The retry delay (one second of the ledger's clock) has passed; the timer fires once and must not re-arm.
        clock.advanceSeconds(2);
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        const before = clockReads;
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.ok(clockReads - before < 5, `the fenced writer read its clock ${clockReads - before} times in 200 ms`);
        await second.close();
      } finally {
        await first.close().catch(() => undefined);
        await opened.dispose();
      }
    });
  });
}

describe('a commit of unknown outcome, postgres', () => {
  test('stops the writer: its memory of the ledger may be wrong, a new writer reads the database', async () => {
    const engine = ENGINES.find((e) => e.name === 'postgres')!;
    const opened = await engine.open();
    const ledger = await createLedger({ store: opened.store });
    try {
      await ledger.createAccounts([
        { id: 'bank', ledger: 'KRW', code: 1 },
        { id: 'shop', ledger: 'KRW', code: 2 },
      ]);
      // A deferred constraint trigger fails the COMMIT itself, the one moment
      // at which the writer cannot know whether the batch was recorded.
      await opened.runRawSql(`
        CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.id = 'boom' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NEW; END $$;
        CREATE CONSTRAINT TRIGGER refuse_boom AFTER INSERT ON transfers
          DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_boom();`);
      const move = (id: string) => ({ id, debitAccountId: 'bank', creditAccountId: 'shop', amount: 10n, ledger: 'KRW', code: 1 });
      await assert.rejects(ledger.createTransfers([move('boom')]), LedgerCommitUnknownError);
      await assert.rejects(ledger.createTransfers([move('after')]), LedgerCommitUnknownError);

      const fresh = await createLedger({ store: await opened.reopen() });
      assert.equal((await fresh.createTransfers([move('after')]))[0]?.result, 'ok');
      assert.equal((await fresh.verify()).ok, true);
      await fresh.close();
    } finally {
      await ledger.close().catch(() => undefined);
      await opened.dispose();
    }
  });
});
