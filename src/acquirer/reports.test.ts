/**
 * The consoles' read routes over HTTP, on both engines: a merchant's
 * terminals for the operator (no keys, paged, 404 for no such merchant) and a
 * business day for a terminal (today at the acquirer's clock by default, its
 * own or its merchant's, another merchant's never, paged, bad queries
 * refused), and both documented.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACQUIRER_TEST_ENGINES, CODE, createTestClock, krw, OPERATOR_KEY, startHarness, type Harness } from './test-helpers.ts';

type Shop = Awaited<ReturnType<Harness['onboard']>>;
const code = (r: { body: Record<string, unknown> }) => (r.body.error as { code: string } | undefined)?.code;

interface Day {
  businessDay: string;
  scope: string;
  merchantId: string;
  terminalId: string;
  summary: Record<string, { count: number; amount: { value: string } } | { value: string }>;
  payments: { paymentId: string; terminalId: string | null; amount: { value: string }; status: string; refunds: { amount: { value: string } }[] }[];
  nextAfter: string | null;
}

for (const engine of ACQUIRER_TEST_ENGINES) {
  describe(`the consoles' reads (terminals, a terminal's day) on ${engine}`, () => {
    // 12:00 in Seoul on 2026-11-25.
    const clock = createTestClock('2026-11-25T03:00:00.000Z');
    let h: Harness;
    let a: Shop;
    let b: Shop;
    let secondOfA: { terminalId: string; terminalKey: string };
    const paid: string[] = [];
    before(async () => {
      h = await startHarness({ engine, now: clock.now });
      a = await h.onboard('Shop A');
      b = await h.onboard('Shop B');
      const added = await h.api('POST', `/acquirer/v1/merchants/${a.merchantId}/terminals`, { token: OPERATOR_KEY, body: { label: 'Online shop' } });
      assert.equal(added.status, 201);
      secondOfA = { terminalId: added.body.terminalId as string, terminalKey: added.body.terminalKey as string };
      for (const [key, value, id] of [
        [a.terminalKey, 15_000, 'a-1'],
        [a.terminalKey, 38_000, 'a-2'],
        [secondOfA.terminalKey, 39_000, 'a-web-1'],
        [b.terminalKey, 99_000, 'b-1'],
      ] as const) {
        clock.advance(1_000);
        const r = await h.api('POST', '/acquirer/v1/payments', { token: key, body: { paymentRequestId: id, amount: krw(value), paymentCode: CODE } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        paid.push(r.body.paymentId as string);
      }
      const refunded = await h.api('POST', `/acquirer/v1/payments/${paid[1]}/refunds`, { token: a.terminalKey, body: { refundRequestId: 'r-1', amount: krw(5_000) } });
      assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
    });
    after(() => h.close());

    it("lists a merchant's terminals to the operator, without keys", async () => {
      const r = await h.api('GET', `/acquirer/v1/merchants/${a.merchantId}/terminals`, { token: OPERATOR_KEY });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(
        (r.body.terminals as { terminalId: string; label: string }[]).map((t) => [t.terminalId, t.label]),
        [
          [a.terminalId, 'Counter 1'],
          [secondOfA.terminalId, 'Online shop'],
        ],
      );
      assert.equal(r.body.nextAfter, null);
      const text = JSON.stringify(r.body);
      assert.ok(!text.includes(a.terminalKey) && !text.includes(secondOfA.terminalKey) && !/key/i.test(text), 'no key, nor a field named after one');
      const first = await h.api('GET', `/acquirer/v1/merchants/${a.merchantId}/terminals?limit=1`, { token: OPERATOR_KEY });
      assert.equal(first.body.nextAfter, a.terminalId);
      const rest = await h.api('GET', `/acquirer/v1/merchants/${a.merchantId}/terminals?limit=1&after=${a.terminalId}`, { token: OPERATOR_KEY });
      assert.deepEqual((rest.body.terminals as { terminalId: string }[]).map((t) => t.terminalId), [secondOfA.terminalId]);
    });

    it('refuses the terminals list without the operator key, for no such merchant, and with a bad page', async () => {
      const path = `/acquirer/v1/merchants/${a.merchantId}/terminals`;
      const cases: [string | undefined, string, number, string][] = [
        [undefined, path, 401, 'UNAUTHENTICATED'],
        ['wrong', path, 401, 'UNAUTHENTICATED'],
        [a.terminalKey, path, 403, 'FORBIDDEN'],
        [OPERATOR_KEY, '/acquirer/v1/merchants/KR01M999999/terminals', 404, 'NOT_FOUND'],
        [OPERATOR_KEY, `${path}?limit=0`, 400, 'INVALID_REQUEST'],
        [OPERATOR_KEY, `${path}?limit=101`, 400, 'INVALID_REQUEST'],
        [OPERATOR_KEY, `${path}?limit=ten`, 400, 'INVALID_REQUEST'],
      ];
      for (const [token, p, status, expected] of cases) {
        const r = await h.api('GET', p, token === undefined ? {} : { token });
        assert.equal(r.status, status, `${p} with ${String(token)}`);
        assert.equal(code(r), expected);
      }
    });

    it("answers a terminal its own day by default, and its merchant's on asking, with the day's totals", async () => {
      const own = await h.api('GET', '/acquirer/v1/terminal/activity', { token: a.terminalKey });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      const day = own.body as unknown as Day;
      assert.equal(day.businessDay, '2026-11-25');
      assert.equal(day.scope, 'terminal');
      assert.equal(day.terminalId, a.terminalId);
      assert.deepEqual(day.summary, {
        payments: { count: 2, amount: krw(53_000) },
        refunds: { count: 1, amount: krw(5_000) },
        cancellations: { count: 0, amount: krw(0) },
        net: krw(48_000),
      });
      assert.deepEqual(day.payments.map((p) => p.paymentId), [paid[1], paid[0]], 'newest first');
      assert.deepEqual(day.payments[0]!.refunds.map((r) => r.amount.value), ['5000']);

      const merchant = (await h.api('GET', '/acquirer/v1/terminal/activity?scope=merchant', { token: a.terminalKey })).body as unknown as Day;
      assert.equal(merchant.scope, 'merchant');
      assert.deepEqual(merchant.payments.map((p) => p.paymentId), [paid[2], paid[1], paid[0]]);
      assert.deepEqual(merchant.summary.payments, { count: 3, amount: krw(92_000) });
      assert.deepEqual(merchant.summary.net, krw(87_000));

      const online = (await h.api('GET', '/acquirer/v1/terminal/activity', { token: secondOfA.terminalKey })).body as unknown as Day;
      assert.deepEqual(online.payments.map((p) => p.paymentId), [paid[2]]);
      const ofB = (await h.api('GET', '/acquirer/v1/terminal/activity?scope=merchant', { token: b.terminalKey })).body as unknown as Day;
      assert.deepEqual(ofB.payments.map((p) => p.paymentId), [paid[3]], "B's merchant day holds none of A's");
    });

    it('reads another day when asked, pages, and refuses bad queries and the wrong key', async () => {
      const yesterday = (await h.api('GET', '/acquirer/v1/terminal/activity?businessDay=2026-11-24&scope=merchant', { token: a.terminalKey })).body as unknown as Day;
      assert.equal(yesterday.businessDay, '2026-11-24');
      assert.deepEqual(yesterday.payments, []);
      assert.deepEqual(yesterday.summary.net, krw(0));

      const first = (await h.api('GET', '/acquirer/v1/terminal/activity?scope=merchant&limit=2', { token: a.terminalKey })).body as unknown as Day;
      assert.deepEqual(first.payments.map((p) => p.paymentId), [paid[2], paid[1]]);
      assert.equal(first.nextAfter, paid[1]);
      assert.deepEqual(first.summary.payments, { count: 3, amount: krw(92_000) }, "the whole day's totals on every page");
      const second = (await h.api('GET', `/acquirer/v1/terminal/activity?scope=merchant&limit=2&after=${first.nextAfter}`, { token: a.terminalKey })).body as unknown as Day;
      assert.deepEqual(second.payments.map((p) => p.paymentId), [paid[0]]);
      assert.equal(second.nextAfter, null);

      const path = '/acquirer/v1/terminal/activity';
      const cases: [string | undefined, string, number, string][] = [
        [undefined, path, 401, 'UNAUTHENTICATED'],
        [OPERATOR_KEY, path, 403, 'FORBIDDEN'],
        [a.terminalKey, `${path}?businessDay=2026-02-30`, 400, 'INVALID_BUSINESS_DAY'],
        [a.terminalKey, `${path}?businessDay=25.11.2026`, 400, 'INVALID_BUSINESS_DAY'],
        [a.terminalKey, `${path}?businessDay=2026-11-250`, 400, 'INVALID_REQUEST'],
        [a.terminalKey, `${path}?scope=network`, 400, 'INVALID_REQUEST'],
        [a.terminalKey, `${path}?limit=0`, 400, 'INVALID_REQUEST'],
        [a.terminalKey, `${path}?limit=101`, 400, 'INVALID_REQUEST'],
      ];
      for (const [token, p, status, expected] of cases) {
        const r = await h.api('GET', p, token === undefined ? {} : { token });
        assert.equal(r.status, status, `${p} with ${String(token)}: ${JSON.stringify(r.body)}`);
        assert.equal(code(r), expected);
      }
    });

    it('documents both routes', () => {
      const documented = new Set(h.acquirer.routeDocs.map((d) => `${d.method} ${d.path}`));
      assert.ok(documented.has('get /acquirer/v1/merchants/{id}/terminals'));
      assert.ok(documented.has('get /acquirer/v1/terminal/activity'));
    });
  });
}
