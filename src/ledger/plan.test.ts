/**
 * The ledger's rules without a database: `planBatch` given a state built by
 * hand, checked for the rows it would write.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchKeys, FAILURES_NOT_STICKY, planBatch, type BatchPlan, type BatchRequest, type BatchWrites, type LoadedState } from './plan.ts';
import type { Account, AccountId, CreateTransferResult, NewTransfer, PendingStatus, Transfer, TransferFlags, TransferId } from './types.ts';

/** The clock during every batch here, in nanoseconds. */
const NOW = 1_000n;

const NO_TRANSFER_FLAGS: TransferFlags = {
  linked: false,
  pending: false,
  postPendingTransfer: false,
  voidPendingTransfer: false,
  closingDebit: false,
  closingCredit: false,
};

function account(id: string, fields: Partial<Account> = {}): Account {
  return {
    id: id as AccountId,
    ledger: 'USD',
    code: 1,
    flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false, closed: false },
    userData: null,
    debitsPending: 0n,
    debitsPosted: 0n,
    creditsPending: 0n,
    creditsPosted: 0n,
    timestamp: 1n,
    ...fields,
  };
}

/** A wallet holding 100 it may not overspend. */
const wallet = (fields: Partial<Account> = {}): Account =>
  account('wallet', {
    flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false, closed: false },
    creditsPosted: 100n,
    ...fields,
  });

/** A hold of 30 from the wallet to the shop, recorded at time 5. */
function hold(flags: Partial<TransferFlags> = {}): Transfer {
  return {
    id: 'hold' as TransferId,
    debitAccountId: 'wallet' as AccountId,
    creditAccountId: 'shop' as AccountId,
    amount: 30n,
    pendingId: null,
    ledger: 'USD',
    code: 1,
    flags: { ...NO_TRANSFER_FLAGS, pending: true, ...flags },
    timeoutSeconds: 0,
    userData: null,
    timestamp: 5n,
  };
}

function state(parts: {
  readonly accounts?: readonly Account[];
  readonly transfers?: readonly Transfer[];
  readonly pendings?: Readonly<Record<string, PendingStatus>>;
  readonly failures?: Readonly<Record<string, CreateTransferResult>>;
  readonly dueExpiries?: readonly Transfer[];
}): LoadedState {
  return {
    accounts: new Map((parts.accounts ?? []).map((a) => [a.id, a])),
    transfers: new Map((parts.transfers ?? []).map((t) => [t.id, t])),
    pendingStatuses: new Map(Object.entries(parts.pendings ?? {})),
    failures: new Map(Object.entries(parts.failures ?? {})),
    dueExpiries: parts.dueExpiries ?? [],
  };
}

function planTransfers(transfers: readonly NewTransfer[], loaded: LoadedState, lastTimestamp = 0n): BatchPlan {
  return planBatch({ requests: [{ kind: 'transfers', transfers }], loaded, now: NOW, lastTimestamp });
}

const NO_WRITES: BatchWrites = {
  accountsCreated: [],
  accountsUpdated: [],
  transfersCreated: [],
  pendingsCreated: [],
  pendingsUpdated: [],
  failuresCreated: [],
};

/**
 * Asserts a plan writes nothing but `failures`. A failed chain's accounts may
 * still be listed for update, with the values they were loaded with.
 */
function assertWritesOnlyFailures(plan: BatchPlan, loaded: LoadedState, failures: BatchWrites['failuresCreated']): void {
  const { accountsUpdated, ...writes } = plan.writes;
  const { accountsUpdated: _none, ...nothing } = NO_WRITES;
  assert.deepEqual(writes, { ...nothing, failuresCreated: failures });
  for (const a of accountsUpdated) assert.deepEqual(a, loaded.accounts.get(a.id), `account ${a.id} is rewritten unchanged`);
}

const pay = (id: string, amount: bigint, flags: Partial<TransferFlags> = {}): NewTransfer => ({
  id,
  debitAccountId: 'wallet',
  creditAccountId: 'shop',
  amount,
  ledger: 'USD',
  code: 1,
  flags,
});

describe('planBatch', () => {
  it('writes only the failure that sticks for a linked chain that fails', () => {
    const loaded = state({ accounts: [wallet(), account('shop')] });
    const plan = planTransfers([pay('a', 60n, { linked: true }), pay('b', 60n)], loaded);
    assert.deepEqual(plan.outcomes, [
      [
        { id: 'a', result: 'linked-event-failed', timestamp: null },
        { id: 'b', result: 'exceeds-credits', timestamp: null },
      ],
    ]);
    // The undone event's timestamp is given back: nothing is stored under it.
    assertWritesOnlyFailures(plan, loaded, [{ id: 'b', result: 'exceeds-credits', timestamp: NOW }]);
    assert.equal(plan.lastTimestamp, NOW);
  });

  it('lets an event see a transfer an earlier event of its chain created, and forgets both when the chain fails', () => {
    const loaded = state({ accounts: [wallet(), account('shop'), account('bank')] });
    const other = { ...pay('d', 10n), debitAccountId: 'bank' };
    const plan = planTransfers([pay('d', 10n, { linked: true, pending: true }), other, other], loaded);
    assert.deepEqual(plan.outcomes, [
      [
        { id: 'd', result: 'linked-event-failed', timestamp: null },
        { id: 'd', result: 'exists-with-different-flags', timestamp: null },
        { id: 'd', result: 'ok', timestamp: NOW },
      ],
    ]);
    assert.deepEqual(plan.writes.failuresCreated, [], 'a comparison with an undone transfer does not stick');
    assert.deepEqual(plan.writes.pendingsCreated, []);
    assert.deepEqual(plan.writes.transfersCreated, [
      { ...hold(), id: 'd', debitAccountId: 'bank', amount: 10n, flags: NO_TRANSFER_FLAGS, timestamp: NOW },
    ]);
    // The wallet's undone hold may leave it listed, rewritten unchanged.
    const updated = new Map(plan.writes.accountsUpdated.map((a) => [a.id as string, a]));
    assert.deepEqual(updated.get('wallet') ?? wallet(), wallet());
    assert.deepEqual(updated.get('shop'), account('shop', { creditsPosted: 10n }));
    assert.deepEqual(updated.get('bank'), account('bank', { debitsPosted: 10n }));
  });

  it('stores no failure of an event refused on its own, and lists exactly those refusals as not sticky', () => {
    const raw = (t: Record<string, unknown>): NewTransfer => t as unknown as NewTransfer;
    const transfers: NewTransfer[] = [
      pay('', 10n),
      raw({ ...pay('e1', 10n), flags: { bogus: true } }),
      pay('e2', 10n, { pending: true, postPendingTransfer: true }),
      pay('e3', 10n, { closingDebit: true }),
      raw({ ...pay('e4', 10n), userData: 5 }),
      { ...pay('e5', 10n), pendingId: 'hold' },
      { ...pay('e6', 10n), debitAccountId: 'a b' },
      { ...pay('e7', 10n), creditAccountId: 'a b' },
      { ...pay('e8', 10n), creditAccountId: 'wallet' },
      { ...pay('e9', 10n), timeoutSeconds: 5 },
      { ...pay('e10', 10n, { pending: true }), timeoutSeconds: -1 },
      { ...pay('e11', 10n), ledger: 'usd' },
      { ...pay('e12', 10n), code: 0 },
      pay('e13', -1n),
      pay('e14', 0n),
      { id: 'e15', flags: { postPendingTransfer: true } },
      { id: 'e16', pendingId: 'e16', flags: { voidPendingTransfer: true } },
      pay('e17', 10n, { linked: true }),
      pay('e18', 10n, { linked: true }),
    ];
    const loaded = state({ accounts: [wallet(), account('shop')] });
    const plan = planTransfers(transfers, loaded);
    const results = (plan.outcomes[0] as readonly { result: CreateTransferResult }[]).map((o) => o.result);
    assert.deepEqual(new Set(results), FAILURES_NOT_STICKY, 'each refusal of the event alone or of its chain, and nothing else');
    assert.equal(results.length, FAILURES_NOT_STICKY.size);
    assertWritesOnlyFailures(plan, loaded, []);
  });

  it('stores the failures that depend on the ledger state', () => {
    const plan = planTransfers(
      [pay('poor', 101n), { ...pay('lost', 1n), creditAccountId: 'nobody' }, { id: 'none', pendingId: 'nothing', flags: { voidPendingTransfer: true } }],
      state({ accounts: [wallet(), account('shop')] }),
    );
    assert.deepEqual(plan.writes.failuresCreated, [
      { id: 'poor', result: 'exceeds-credits', timestamp: NOW },
      { id: 'lost', result: 'credit-account-not-found', timestamp: NOW + 1n },
      { id: 'none', result: 'pending-transfer-not-found', timestamp: NOW + 2n },
    ]);
  });

  it('writes the post, the hold it resolves and both balances for a partial post', () => {
    const plan = planTransfers(
      [{ id: 'post', pendingId: 'hold', amount: 20n, flags: { postPendingTransfer: true } }],
      state({
        accounts: [wallet({ debitsPending: 30n }), account('shop', { creditsPending: 30n })],
        transfers: [hold()],
        pendings: { hold: { state: 'pending', expiresAt: null, resolvedTimestamp: null } },
      }),
    );
    assert.deepEqual(plan.outcomes, [[{ id: 'post', result: 'ok', timestamp: NOW }]]);
    assert.deepEqual(plan.writes, {
      ...NO_WRITES,
      accountsUpdated: [wallet({ debitsPosted: 20n }), account('shop', { creditsPosted: 20n })],
      transfersCreated: [
        {
          ...hold(),
          id: 'post',
          amount: 20n,
          pendingId: 'hold',
          flags: { ...NO_TRANSFER_FLAGS, postPendingTransfer: true },
          timestamp: NOW,
        },
      ],
      pendingsUpdated: [{ id: 'hold', state: 'posted', expiresAt: null, resolvedTimestamp: NOW }],
    });
  });

  it('releases a due hold before the events, reopening the account it closed', () => {
    const closed = { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false, closed: true };
    const plan = planTransfers(
      [pay('after', 10n)],
      state({
        accounts: [wallet({ debitsPending: 30n, flags: closed }), account('shop', { creditsPending: 30n })],
        transfers: [hold({ closingDebit: true })],
        pendings: { hold: { state: 'pending', expiresAt: 500n, resolvedTimestamp: null } },
        dueExpiries: [hold({ closingDebit: true })],
      }),
    );
    assert.equal(plan.expiredCount, 1);
    assert.deepEqual(plan.outcomes, [[{ id: 'after', result: 'ok', timestamp: NOW + 1n }]]);
    assert.deepEqual(plan.writes.pendingsUpdated, [{ id: 'hold', state: 'expired', expiresAt: 500n, resolvedTimestamp: NOW }]);
    assert.deepEqual(plan.writes.accountsUpdated, [wallet({ debitsPosted: 10n }), account('shop', { creditsPosted: 10n })]);
  });

  it('writes nothing and takes no timestamp for a refused or repeated event', () => {
    const recorded: Transfer = { ...hold(), id: 'done' as TransferId, flags: NO_TRANSFER_FLAGS, timestamp: 7n };
    const lastTimestamp = 2_000n; // ahead of the clock
    const plan = planTransfers(
      [{ ...pay('', 10n) }, pay('done', 30n), pay('done', 31n)],
      state({ accounts: [wallet(), account('shop')], transfers: [recorded] }),
      lastTimestamp,
    );
    assert.deepEqual(plan.outcomes, [
      [
        { id: '', result: 'id-invalid', timestamp: null },
        { id: 'done', result: 'exists', timestamp: 7n },
        { id: 'done', result: 'exists-with-different-amount', timestamp: null },
      ],
    ]);
    assert.deepEqual(plan.writes, NO_WRITES);
    assert.equal(plan.lastTimestamp, lastTimestamp);
  });

  it('gives a later event of the batch the accounts an earlier one created', () => {
    const requests: BatchRequest[] = [
      { kind: 'accounts', accounts: [{ id: 'wallet', ledger: 'USD', code: 1 }, { id: 'shop', ledger: 'USD', code: 1 }] },
      { kind: 'transfers', transfers: [pay('first', 5n)] },
    ];
    const plan = planBatch({ requests, loaded: state({}), now: NOW, lastTimestamp: 0n });
    assert.deepEqual(plan.writes.accountsCreated, [
      account('wallet', { debitsPosted: 5n, timestamp: NOW }),
      account('shop', { creditsPosted: 5n, timestamp: NOW + 1n }),
    ]);
    assert.deepEqual(plan.writes.accountsUpdated, []);
    assert.equal(plan.writes.transfersCreated[0]?.timestamp, NOW + 2n);
  });
});

describe('batchKeys', () => {
  it('names every account and transfer a batch reads, skipping what is not a string', () => {
    const keys = batchKeys(
      [
        { kind: 'accounts', accounts: [{ id: 'new', ledger: 'USD', code: 1 }] },
        {
          kind: 'transfers',
          transfers: [
            pay('t1', 1n),
            { id: 'post', pendingId: 'hold', flags: { postPendingTransfer: true } },
            { id: 42, debitAccountId: null } as unknown as NewTransfer,
          ],
        },
      ],
      NOW,
    );
    assert.deepEqual(keys, {
      accountIds: new Set(['new', 'wallet', 'shop']),
      transferIds: new Set(['t1', 'post', 'hold']),
      expireAtOrBefore: NOW,
    });
  });
});
