/**
 * The public `Ledger` API, on both engines (STYLE 22): every refusal in a
 * table (STYLE 23), then idempotency, two-phase transfers, linked chains,
 * timestamps, queries, group commit, `verify` and a restart.
 *
 * Tests of one `describe` share a ledger; each test works in a `World` of its
 * own accounts, so tests cannot disturb each other's balances, while every
 * snapshot still covers every account of the ledger.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { AMOUNT_MAX, ID_LENGTH_MAX, PAGE_TRANSFERS_MAX, PENDING_TIMEOUT_SECONDS_MAX, STREAM_PAGE_TRANSFERS_MAX, USER_DATA_LENGTH_MAX } from './limits.ts';
import { LedgerCallError } from './errors.ts';
import { createLedger, type Ledger } from './service.ts';
import { ENGINES, manualClock, openTestLedger, type ManualClock, type TestEngine, type TestStore } from './test-engines.ts';
import type {
  Account,
  AccountBalance,
  CreateAccountResult,
  CreateTransferResult,
  LedgerTimestamp,
  NewAccount,
  NewTransfer,
  TransferOutcome,
} from './types.ts';
import { formatVerifyReport } from './verify.ts';

// ---------------------------------------------------------------------------
// Fixture

interface Fixture {
  /** Replaced by `restart`. */
  ledger: Ledger;
  readonly store: TestStore;
  readonly clock: ManualClock;
  /** Every account the tests created, so that a snapshot covers the whole ledger. */
  readonly accountIds: Set<string>;
  /** Closes the ledger and opens the same database again, as a restarted process would. */
  restart(): Promise<void>;
}

/**
 * Opens a fresh ledger before the tests of the enclosing `describe` (or before
 * each test, with `perTest`) and closes it after; returns a getter, since the
 * ledger exists only once the hook has run.
 */
function useLedger(engine: TestEngine, options: { readonly perTest?: boolean } = {}): () => Fixture {
  let fixture: Fixture | undefined;
  const open = async (): Promise<void> => {
    const clock = manualClock();
    const opened = await openTestLedger(engine, { clock: clock.now });
    const f: Fixture = {
      ledger: opened.ledger,
      store: opened.store,
      clock,
      accountIds: new Set(),
      async restart() {
        await f.ledger.close();
        f.ledger = await createLedger({ store: await opened.store.reopen(), clock: clock.now });
      },
    };
    fixture = f;
  };
  const close = async (): Promise<void> => {
    if (fixture === undefined) return;
    await fixture.ledger.close();
    await fixture.store.dispose();
    fixture = undefined;
  };
  if (options.perTest === true) {
    beforeEach(open);
    afterEach(close);
  } else {
    before(open);
    after(close);
  }
  return () => {
    assert.ok(fixture !== undefined, 'the ledger opens before the tests run');
    return fixture;
  };
}

/** A transfer or account as it may arrive from JSON: any field, of any type. */
type Raw = Readonly<Record<string, unknown>>;

function submitTransfers(ledger: Ledger, transfers: readonly Raw[]): Promise<readonly TransferOutcome[]> {
  return ledger.createTransfers(transfers as unknown as readonly NewTransfer[]);
}

type Balances = Pick<Account, 'debitsPending' | 'debitsPosted' | 'creditsPending' | 'creditsPosted'>;

function balances(debitsPending: bigint, debitsPosted: bigint, creditsPending: bigint, creditsPosted: bigint): Balances {
  return { debitsPending, debitsPosted, creditsPending, creditsPosted };
}

async function balancesOf(ledger: Ledger, accountId: string): Promise<Balances> {
  const [account] = await ledger.lookupAccounts([accountId]);
  assert.ok(account !== undefined, `account ${accountId} exists`);
  const { debitsPending, debitsPosted, creditsPending, creditsPosted } = account;
  return { debitsPending, debitsPosted, creditsPending, creditsPosted };
}

async function assertBalances(ledger: Ledger, expected: Readonly<Record<string, Balances>>): Promise<void> {
  for (const [accountId, want] of Object.entries(expected)) {
    assert.deepEqual(await balancesOf(ledger, accountId), want, `balances of ${accountId}`);
  }
}

async function assertVerified(ledger: Ledger): Promise<void> {
  const report = await ledger.verify();
  assert.ok(report.ok, formatVerifyReport(report));
}

/** Every account of the ledger, and the named transfers, exactly as stored. */
async function snapshot(fx: Fixture, transferIds: readonly string[] = []) {
  return {
    accounts: await fx.ledger.lookupAccounts([...fx.accountIds]),
    transfers: await fx.ledger.lookupTransfers(transferIds),
  };
}

// ---------------------------------------------------------------------------
// A world of accounts for one test

/** Money `bank` gives `src` when a world is made. */
const FUNDS = 1_000n;

interface World {
  readonly fx: Fixture;
  /** Debits must not exceed credits (a wallet); funded with `FUNDS` from `bank`. */
  readonly src: string;
  readonly dst: string;
  /** No limit either way: where money comes from. */
  readonly bank: string;
  /** Credits must not exceed debits. */
  readonly cap: string;
  /** The only account in EUR; the others are in USD. */
  readonly eur: string;
  /** An id of this world's own, for a transfer or an extra account. */
  id(name: string): string;
  /** A valid transfer src → dst of 10 USD, code 1, id `t`; `fields` replace or add fields. */
  transfer(fields?: Raw): Raw;
  /** A post of the pending transfer `pending`, id `t`. */
  post(pending: string, fields?: Raw): Raw;
  /** A void of the pending transfer `pending`, id `t`. */
  void(pending: string, fields?: Raw): Raw;
  /** Records a pending transfer src → dst of 10 (by default) with id `name`. */
  hold(name: string, fields?: Raw): Promise<TransferOutcome>;
  /** Submits transfers that must all succeed. */
  ok(...transfers: Raw[]): Promise<TransferOutcome[]>;
  /** Creates an extra account (USD, code 1 unless `fields` say otherwise) with id `name`. */
  account(name: string, fields?: Partial<NewAccount>): Promise<string>;
}

async function createAccountsOk(fx: Fixture, accounts: readonly NewAccount[]): Promise<void> {
  const outcomes = await fx.ledger.createAccounts(accounts);
  assert.deepEqual(
    outcomes.map((o) => o.result),
    accounts.map(() => 'ok'),
  );
  for (const a of accounts) fx.accountIds.add(a.id);
}

async function makeWorld(fx: Fixture, prefix: string): Promise<World> {
  const id = (name: string): string => `${prefix}-${name}`;
  const usd = (name: string, flags: NewAccount['flags'] = {}): NewAccount => ({ id: id(name), ledger: 'USD', code: 1, flags });
  await createAccountsOk(fx, [
    usd('src', { debitsMustNotExceedCredits: true }),
    usd('dst'),
    usd('bank'),
    usd('cap', { creditsMustNotExceedDebits: true }),
    { id: id('eur'), ledger: 'EUR', code: 1 },
  ]);
  const ok = async (...transfers: Raw[]): Promise<TransferOutcome[]> => {
    const outcomes = await submitTransfers(fx.ledger, transfers);
    assert.deepEqual(
      outcomes.map((o) => o.result),
      transfers.map(() => 'ok'),
    );
    return [...outcomes];
  };
  const transfer = (fields: Raw = {}): Raw => ({
    id: id('t'),
    debitAccountId: id('src'),
    creditAccountId: id('dst'),
    amount: 10n,
    ledger: 'USD',
    code: 1,
    ...fields,
  });
  await ok(transfer({ id: id('funding'), debitAccountId: id('bank'), creditAccountId: id('src'), amount: FUNDS }));
  return {
    fx,
    src: id('src'),
    dst: id('dst'),
    bank: id('bank'),
    cap: id('cap'),
    eur: id('eur'),
    id,
    transfer,
    post: (pending, fields = {}) => ({ id: id('t'), pendingId: id(pending), flags: { postPendingTransfer: true }, ...fields }),
    void: (pending, fields = {}) => ({ id: id('t'), pendingId: id(pending), flags: { voidPendingTransfer: true }, ...fields }),
    async hold(name, fields = {}) {
      const [outcome] = await ok(transfer({ id: id(name), flags: { pending: true }, ...fields }));
      assert.ok(outcome !== undefined);
      return outcome;
    },
    ok,
    async account(name, fields = {}) {
      await createAccountsOk(fx, [{ ...usd(name), ...fields }]);
      return id(name);
    },
  };
}

/** Moves 2^63 − 1 from `x` to `y` in a ledger of its own, leaving `z` empty. */
async function nearOverflow(w: World, ledger: string): Promise<{ x: string; y: string; z: string }> {
  const [x, y, z] = [await w.account('x', { ledger }), await w.account('y', { ledger }), await w.account('z', { ledger })];
  await w.ok({ id: w.id('max'), debitAccountId: x, creditAccountId: y, amount: AMOUNT_MAX, ledger, code: 1 });
  return { x, y, z };
}

/** A pending transfer `p` with a one-second timeout, expired and released. */
async function expiredHold(w: World): Promise<void> {
  await w.hold('p', { timeoutSeconds: 1 });
  assert.equal((await balancesOf(w.fx.ledger, w.src)).debitsPending, 10n);
  w.fx.clock.advanceSeconds(2);
  await w.fx.ledger.releaseExpired();
  assert.deepEqual(await balancesOf(w.fx.ledger, w.src), balances(0n, 0n, 0n, FUNDS));
  assert.deepEqual(await balancesOf(w.fx.ledger, w.dst), balances(0n, 0n, 0n, 0n));
}

// ---------------------------------------------------------------------------
// Refusals, as data

interface TransferRefusal {
  readonly name: string;
  readonly setup?: (w: World) => Promise<unknown>;
  /** One transfer, or a whole call for the rows about linking. */
  readonly submit: (w: World) => Raw | readonly Raw[];
  readonly expect: CreateTransferResult | readonly CreateTransferResult[];
}

const holdP = (w: World): Promise<unknown> => w.hold('p');
const plainTransfer = (w: World): Promise<unknown> => w.ok(w.transfer({ id: w.id('plain') }));
/** A pending transfer `p`, already posted or voided by transfer `first`. */
const resolvedP =
  (how: 'post' | 'void') =>
  async (w: World): Promise<void> => {
    await w.hold('p');
    await w.ok(w[how]('p', { id: w.id('first') }));
  };

/** A pending transfer `p` src → dst, then a hold `closing` that closes one of its accounts. */
const closedByAnother =
  (side: 'debit' | 'credit') =>
  async (w: World): Promise<void> => {
    await w.hold('p');
    await (side === 'debit'
      ? w.hold('closing', { flags: { pending: true, closingDebit: true } })
      : w.hold('closing', { debitAccountId: w.bank, flags: { pending: true, closingCredit: true } }));
  };

const TRANSFER_REFUSALS: readonly TransferRefusal[] = [
  // The id
  { name: 'id not a string', submit: (w) => w.transfer({ id: 42 }), expect: 'id-invalid' },
  { name: 'id empty', submit: (w) => w.transfer({ id: '' }), expect: 'id-invalid' },
  { name: `id of ${ID_LENGTH_MAX + 1} characters`, submit: (w) => w.transfer({ id: 'x'.repeat(ID_LENGTH_MAX + 1) }), expect: 'id-invalid' },
  { name: 'id with a space', submit: (w) => w.transfer({ id: `${w.id('t')} x` }), expect: 'id-invalid' },
  { name: 'id with a slash', submit: (w) => w.transfer({ id: `${w.id('t')}/x` }), expect: 'id-invalid' },
  { name: 'id starting with a dash', submit: (w) => w.transfer({ id: `-${w.id('t')}` }), expect: 'id-invalid' },
  { name: 'id with a non-ASCII letter', submit: (w) => w.transfer({ id: `${w.id('t')}é` }), expect: 'id-invalid' },
  // Flags
  { name: 'unknown flag', submit: (w) => w.transfer({ flags: { urgent: true } }), expect: 'flags-invalid' },
  { name: 'flag not a boolean', submit: (w) => w.transfer({ flags: { pending: 1 } }), expect: 'flags-invalid' },
  { name: 'flags a string', submit: (w) => w.transfer({ flags: 'pending' }), expect: 'flags-invalid' },
  { name: 'flags an array', submit: (w) => w.transfer({ flags: ['pending'] }), expect: 'flags-invalid' },
  { name: 'flags null', submit: (w) => w.transfer({ flags: null }), expect: 'flags-invalid' },
  {
    name: 'pending and post',
    submit: (w) => w.transfer({ flags: { pending: true, postPendingTransfer: true } }),
    expect: 'flags-are-mutually-exclusive',
  },
  {
    name: 'pending and void',
    submit: (w) => w.transfer({ flags: { pending: true, voidPendingTransfer: true } }),
    expect: 'flags-are-mutually-exclusive',
  },
  {
    name: 'post and void',
    setup: holdP,
    submit: (w) => w.post('p', { flags: { postPendingTransfer: true, voidPendingTransfer: true } }),
    expect: 'flags-are-mutually-exclusive',
  },
  { name: 'closing debit without pending', submit: (w) => w.transfer({ flags: { closingDebit: true } }), expect: 'closing-transfer-must-be-pending' },
  {
    name: 'closing credit without pending',
    submit: (w) => w.transfer({ flags: { closingCredit: true } }),
    expect: 'closing-transfer-must-be-pending',
  },
  {
    name: 'closing debit on a post',
    setup: holdP,
    submit: (w) => w.post('p', { flags: { postPendingTransfer: true, closingDebit: true } }),
    expect: 'closing-transfer-must-be-pending',
  },
  // The accounts named
  { name: 'debit account missing', submit: (w) => w.transfer({ debitAccountId: undefined }), expect: 'debit-account-id-invalid' },
  { name: 'debit account id not a string', submit: (w) => w.transfer({ debitAccountId: 7 }), expect: 'debit-account-id-invalid' },
  { name: 'credit account missing', submit: (w) => w.transfer({ creditAccountId: undefined }), expect: 'credit-account-id-invalid' },
  { name: 'credit account id with a space', submit: (w) => w.transfer({ creditAccountId: 'a b' }), expect: 'credit-account-id-invalid' },
  { name: 'same account both sides', submit: (w) => w.transfer({ creditAccountId: w.src }), expect: 'accounts-must-be-different' },
  {
    name: 'pending id on a single-phase transfer',
    setup: holdP,
    submit: (w) => w.transfer({ pendingId: w.id('p') }),
    expect: 'pending-id-must-be-empty',
  },
  // Timeouts
  { name: 'timeout on a single-phase transfer', submit: (w) => w.transfer({ timeoutSeconds: 60 }), expect: 'timeout-reserved-for-pending-transfer' },
  { name: 'timeout on a post', setup: holdP, submit: (w) => w.post('p', { timeoutSeconds: 60 }), expect: 'timeout-reserved-for-pending-transfer' },
  {
    name: `timeout beyond ${PENDING_TIMEOUT_SECONDS_MAX} s`,
    submit: (w) => w.transfer({ flags: { pending: true }, timeoutSeconds: PENDING_TIMEOUT_SECONDS_MAX + 1 }),
    expect: 'timeout-invalid',
  },
  { name: 'negative timeout', submit: (w) => w.transfer({ flags: { pending: true }, timeoutSeconds: -1 }), expect: 'timeout-invalid' },
  { name: 'fractional timeout', submit: (w) => w.transfer({ flags: { pending: true }, timeoutSeconds: 1.5 }), expect: 'timeout-invalid' },
  { name: 'timeout as a string', submit: (w) => w.transfer({ flags: { pending: true }, timeoutSeconds: '60' }), expect: 'timeout-invalid' },
  // Ledger and code
  { name: 'ledger in lower case', submit: (w) => w.transfer({ ledger: 'usd' }), expect: 'ledger-invalid' },
  { name: 'ledger of four letters', submit: (w) => w.transfer({ ledger: 'USDT' }), expect: 'ledger-invalid' },
  { name: 'ledger missing', submit: (w) => w.transfer({ ledger: undefined }), expect: 'ledger-invalid' },
  { name: 'code 0', submit: (w) => w.transfer({ code: 0 }), expect: 'code-invalid' },
  { name: 'code 65536', submit: (w) => w.transfer({ code: 65_536 }), expect: 'code-invalid' },
  { name: 'code 1.5', submit: (w) => w.transfer({ code: 1.5 }), expect: 'code-invalid' },
  { name: 'code as a string', submit: (w) => w.transfer({ code: '1' }), expect: 'code-invalid' },
  { name: 'code on a post out of range', setup: holdP, submit: (w) => w.post('p', { code: 0 }), expect: 'code-invalid' },
  // The amount
  { name: 'zero amount', submit: (w) => w.transfer({ amount: 0n }), expect: 'amount-must-not-be-zero' },
  { name: 'negative amount', submit: (w) => w.transfer({ amount: -1n }), expect: 'amount-invalid' },
  { name: 'amount above 2^63 − 1', submit: (w) => w.transfer({ amount: AMOUNT_MAX + 1n }), expect: 'amount-invalid' },
  { name: 'amount as a number', submit: (w) => w.transfer({ amount: 10 }), expect: 'amount-invalid' },
  { name: 'amount as a string', submit: (w) => w.transfer({ amount: '10' }), expect: 'amount-invalid' },
  { name: 'amount missing', submit: (w) => w.transfer({ amount: undefined }), expect: 'amount-invalid' },
  { name: 'zero amount on a post', setup: holdP, submit: (w) => w.post('p', { amount: 0n }), expect: 'amount-must-not-be-zero' },
  { name: 'amount as a number on a post', setup: holdP, submit: (w) => w.post('p', { amount: 5 }), expect: 'amount-invalid' },
  // User data
  {
    name: `user data of ${USER_DATA_LENGTH_MAX + 1} characters`,
    submit: (w) => w.transfer({ userData: 'u'.repeat(USER_DATA_LENGTH_MAX + 1) }),
    expect: 'user-data-invalid',
  },
  { name: 'user data not a string', submit: (w) => w.transfer({ userData: 5 }), expect: 'user-data-invalid' },
  // Naming the pending transfer
  { name: 'post without a pending id', submit: (w) => w.post('p', { pendingId: undefined }), expect: 'pending-id-invalid' },
  { name: 'void with an empty pending id', submit: (w) => w.void('p', { pendingId: '' }), expect: 'pending-id-invalid' },
  { name: 'post of itself', submit: (w) => w.post('p', { pendingId: w.id('t') }), expect: 'pending-id-must-be-different' },
  // Accounts as they stand
  { name: 'unknown debit account', submit: (w) => w.transfer({ debitAccountId: w.id('nobody') }), expect: 'debit-account-not-found' },
  { name: 'unknown credit account', submit: (w) => w.transfer({ creditAccountId: w.id('nobody') }), expect: 'credit-account-not-found' },
  { name: 'accounts in different ledgers', submit: (w) => w.transfer({ creditAccountId: w.eur }), expect: 'ledger-mismatch' },
  { name: 'transfer in another ledger than its accounts', submit: (w) => w.transfer({ ledger: 'EUR' }), expect: 'ledger-mismatch' },
  {
    name: 'debit account closed',
    setup: (w) => w.hold('closing', { flags: { pending: true, closingDebit: true } }),
    submit: (w) => w.transfer(),
    expect: 'debit-account-already-closed',
  },
  {
    name: 'credit account closed',
    setup: (w) => w.hold('closing', { debitAccountId: w.bank, flags: { pending: true, closingCredit: true } }),
    submit: (w) => w.transfer(),
    expect: 'credit-account-already-closed',
  },
  // Limits
  { name: 'debit beyond credits', submit: (w) => w.transfer({ amount: FUNDS + 1n }), expect: 'exceeds-credits' },
  {
    name: 'debit beyond credits counting holds',
    setup: (w) => w.hold('p', { amount: FUNDS - 5n }),
    submit: (w) => w.transfer({ amount: 6n }),
    expect: 'exceeds-credits',
  },
  {
    name: 'pending debit beyond credits',
    submit: (w) => w.transfer({ amount: FUNDS + 1n, flags: { pending: true } }),
    expect: 'exceeds-credits',
  },
  { name: 'credit beyond debits', submit: (w) => w.transfer({ debitAccountId: w.bank, creditAccountId: w.cap }), expect: 'exceeds-debits' },
  {
    name: 'debits overflow 2^63 − 1',
    setup: (w) => nearOverflow(w, 'OVD'),
    submit: (w) => w.transfer({ debitAccountId: w.id('x'), creditAccountId: w.id('z'), ledger: 'OVD', amount: 1n }),
    expect: 'overflows-debits',
  },
  {
    name: 'credits overflow 2^63 − 1',
    setup: (w) => nearOverflow(w, 'OVC'),
    submit: (w) => w.transfer({ debitAccountId: w.id('z'), creditAccountId: w.id('y'), ledger: 'OVC', amount: 1n }),
    expect: 'overflows-credits',
  },
  {
    name: 'pending debits count toward overflow',
    setup: async (w) => {
      const [x, y] = [await w.account('x', { ledger: 'OVP' }), await w.account('y', { ledger: 'OVP' })];
      await w.account('z', { ledger: 'OVP' });
      await w.ok({ id: w.id('max'), debitAccountId: x, creditAccountId: y, amount: AMOUNT_MAX, ledger: 'OVP', code: 1, flags: { pending: true } });
    },
    submit: (w) => w.transfer({ debitAccountId: w.id('x'), creditAccountId: w.id('z'), ledger: 'OVP', amount: 1n }),
    expect: 'overflows-debits',
  },
  // Posting and voiding
  { name: 'post of an unknown pending transfer', submit: (w) => w.post('nothing'), expect: 'pending-transfer-not-found' },
  { name: 'void of an unknown pending transfer', submit: (w) => w.void('nothing'), expect: 'pending-transfer-not-found' },
  { name: 'post of a single-phase transfer', setup: plainTransfer, submit: (w) => w.post('plain'), expect: 'pending-transfer-not-pending' },
  { name: 'void of a single-phase transfer', setup: plainTransfer, submit: (w) => w.void('plain'), expect: 'pending-transfer-not-pending' },
  {
    name: 'post naming another debit account',
    setup: holdP,
    submit: (w) => w.post('p', { debitAccountId: w.bank }),
    expect: 'pending-transfer-has-different-debit-account-id',
  },
  {
    name: 'post naming another credit account',
    setup: holdP,
    submit: (w) => w.post('p', { creditAccountId: w.bank }),
    expect: 'pending-transfer-has-different-credit-account-id',
  },
  { name: 'post naming another ledger', setup: holdP, submit: (w) => w.post('p', { ledger: 'EUR' }), expect: 'pending-transfer-has-different-ledger' },
  { name: 'post naming another code', setup: holdP, submit: (w) => w.post('p', { code: 2 }), expect: 'pending-transfer-has-different-code' },
  { name: 'post above the pending amount', setup: holdP, submit: (w) => w.post('p', { amount: 11n }), expect: 'exceeds-pending-transfer-amount' },
  { name: 'void above the pending amount', setup: holdP, submit: (w) => w.void('p', { amount: 11n }), expect: 'exceeds-pending-transfer-amount' },
  { name: 'void of less than the pending amount', setup: holdP, submit: (w) => w.void('p', { amount: 9n }), expect: 'pending-transfer-has-different-amount' },
  { name: 'post after a post', setup: resolvedP('post'), submit: (w) => w.post('p'), expect: 'pending-transfer-already-posted' },
  { name: 'void after a post', setup: resolvedP('post'), submit: (w) => w.void('p'), expect: 'pending-transfer-already-posted' },
  { name: 'post after a void', setup: resolvedP('void'), submit: (w) => w.post('p'), expect: 'pending-transfer-already-voided' },
  { name: 'void after a void', setup: resolvedP('void'), submit: (w) => w.void('p'), expect: 'pending-transfer-already-voided' },
  { name: 'post after expiry', setup: expiredHold, submit: (w) => w.post('p'), expect: 'pending-transfer-expired' },
  { name: 'void after expiry', setup: expiredHold, submit: (w) => w.void('p'), expect: 'pending-transfer-expired' },
  // Posting into an account another hold closed: only a void may move money there
  {
    name: 'post of a hold whose debit account another hold closed',
    setup: closedByAnother('debit'),
    submit: (w) => w.post('p'),
    expect: 'debit-account-already-closed',
  },
  {
    name: 'post of a hold whose credit account another hold closed',
    setup: closedByAnother('credit'),
    submit: (w) => w.post('p'),
    expect: 'credit-account-already-closed',
  },
  {
    name: 'post of a hold whose account a posted closing hold closed',
    setup: async (w) => {
      await closedByAnother('debit')(w);
      await w.ok(w.post('closing', { id: w.id('closing-post') }));
    },
    submit: (w) => w.post('p'),
    expect: 'debit-account-already-closed',
  },
  {
    name: 'post after a post, in an account closed since',
    setup: async (w) => {
      await resolvedP('post')(w);
      await w.hold('closing', { flags: { pending: true, closingDebit: true } });
    },
    submit: (w) => w.post('p'),
    expect: 'pending-transfer-already-posted',
  },
  {
    name: 'post after expiry, in an account closed since',
    setup: async (w) => {
      await expiredHold(w);
      await w.hold('closing', { flags: { pending: true, closingDebit: true } });
    },
    submit: (w) => w.post('p'),
    expect: 'pending-transfer-expired',
  },
  // The same id again, asking for something else
  ...existsWithDifferent(),
  // Linking
  {
    name: 'a linked event whose successor fails',
    submit: (w) => [w.transfer({ id: w.id('a'), flags: { linked: true } }), w.transfer({ id: w.id('b'), amount: 0n })],
    expect: ['linked-event-failed', 'amount-must-not-be-zero'],
  },
  { name: 'a lone linked event', submit: (w) => [w.transfer({ flags: { linked: true } })], expect: ['linked-event-chain-open'] },
  {
    name: 'a chain still open at the end of the call',
    submit: (w) => [w.transfer({ id: w.id('a'), flags: { linked: true } }), w.transfer({ id: w.id('b'), flags: { linked: true } })],
    expect: ['linked-event-failed', 'linked-event-chain-open'],
  },
];

/** One row per field a resubmitted transfer can differ in; the first submission set up as `t`. */
function existsWithDifferent(): TransferRefusal[] {
  const recorded = (w: World): Promise<unknown> => w.ok(w.transfer({ userData: 'first' }));
  const again = (fields: (w: World) => Raw) => (w: World) => w.transfer({ userData: 'first', ...fields(w) });
  return [
    { name: 'same id, another debit account', setup: recorded, submit: again((w) => ({ debitAccountId: w.bank })), expect: 'exists-with-different-debit-account-id' },
    { name: 'same id, another credit account', setup: recorded, submit: again((w) => ({ creditAccountId: w.bank })), expect: 'exists-with-different-credit-account-id' },
    { name: 'same id, another amount', setup: recorded, submit: again(() => ({ amount: 11n })), expect: 'exists-with-different-amount' },
    { name: 'same id, another ledger', setup: recorded, submit: again(() => ({ ledger: 'EUR' })), expect: 'exists-with-different-ledger' },
    { name: 'same id, another code', setup: recorded, submit: again(() => ({ code: 2 })), expect: 'exists-with-different-code' },
    { name: 'same id, other flags', setup: recorded, submit: again(() => ({ flags: { pending: true } })), expect: 'exists-with-different-flags' },
    { name: 'same id, other user data', setup: recorded, submit: again(() => ({ userData: 'second' })), expect: 'exists-with-different-user-data' },
    { name: 'same id, no user data', setup: recorded, submit: again(() => ({ userData: undefined })), expect: 'exists-with-different-user-data' },
    {
      name: 'same id, another timeout',
      setup: (w) => w.hold('t', { timeoutSeconds: 0 }),
      submit: (w) => w.transfer({ flags: { pending: true }, timeoutSeconds: 60 }),
      expect: 'exists-with-different-timeout',
    },
    {
      name: 'same id, another pending transfer',
      setup: async (w) => {
        await w.hold('p1');
        await w.hold('p2');
        await w.ok(w.post('p1'));
      },
      submit: (w) => w.post('p2'),
      expect: 'exists-with-different-pending-id',
    },
  ];
}

interface AccountRefusal {
  readonly name: string;
  readonly setup?: (w: World) => Promise<unknown>;
  /** Fields that replace or add to a valid new account `new` (USD, code 1, user data 'first'). */
  readonly fields: (w: World) => Raw;
  readonly expect: CreateAccountResult;
}

const existingAccount = (w: World): Promise<unknown> => w.account('new', { userData: 'first' });

const ACCOUNT_REFUSALS: readonly AccountRefusal[] = [
  { name: 'id not a string', fields: () => ({ id: 42 }), expect: 'id-invalid' },
  { name: 'id empty', fields: () => ({ id: '' }), expect: 'id-invalid' },
  { name: `id of ${ID_LENGTH_MAX + 1} characters`, fields: () => ({ id: 'x'.repeat(ID_LENGTH_MAX + 1) }), expect: 'id-invalid' },
  { name: 'id with a space', fields: (w) => ({ id: `${w.id('new')} x` }), expect: 'id-invalid' },
  { name: 'id with a non-ASCII letter', fields: (w) => ({ id: `${w.id('new')}é` }), expect: 'id-invalid' },
  { name: 'ledger in lower case', fields: () => ({ ledger: 'usd' }), expect: 'ledger-invalid' },
  { name: 'ledger of two letters', fields: () => ({ ledger: 'US' }), expect: 'ledger-invalid' },
  { name: 'ledger as a number', fields: () => ({ ledger: 840 }), expect: 'ledger-invalid' },
  { name: 'ledger missing', fields: () => ({ ledger: undefined }), expect: 'ledger-invalid' },
  { name: 'code 0', fields: () => ({ code: 0 }), expect: 'code-invalid' },
  { name: 'code 65536', fields: () => ({ code: 65_536 }), expect: 'code-invalid' },
  { name: 'code 1.5', fields: () => ({ code: 1.5 }), expect: 'code-invalid' },
  { name: 'code missing', fields: () => ({ code: undefined }), expect: 'code-invalid' },
  { name: 'unknown flag', fields: () => ({ flags: { overdraft: true } }), expect: 'flags-invalid' },
  { name: 'closed flag, which only a closing transfer sets', fields: () => ({ flags: { closed: true } }), expect: 'flags-invalid' },
  { name: 'flag not a boolean', fields: () => ({ flags: { debitsMustNotExceedCredits: 'yes' } }), expect: 'flags-invalid' },
  { name: 'flags not an object', fields: () => ({ flags: 1 }), expect: 'flags-invalid' },
  {
    name: 'both limits',
    fields: () => ({ flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: true } }),
    expect: 'flags-are-mutually-exclusive',
  },
  {
    name: `user data of ${USER_DATA_LENGTH_MAX + 1} characters`,
    fields: () => ({ userData: 'u'.repeat(USER_DATA_LENGTH_MAX + 1) }),
    expect: 'user-data-invalid',
  },
  { name: 'user data not a string', fields: () => ({ userData: 5 }), expect: 'user-data-invalid' },
  { name: 'same id, another ledger', setup: existingAccount, fields: () => ({ ledger: 'EUR' }), expect: 'exists-with-different-ledger' },
  { name: 'same id, another code', setup: existingAccount, fields: () => ({ code: 2 }), expect: 'exists-with-different-code' },
  {
    name: 'same id, other flags',
    setup: existingAccount,
    fields: () => ({ flags: { debitsMustNotExceedCredits: true } }),
    expect: 'exists-with-different-flags',
  },
  { name: 'same id, other user data', setup: existingAccount, fields: () => ({ userData: 'second' }), expect: 'exists-with-different-user-data' },
  { name: 'same id, no user data', setup: existingAccount, fields: () => ({ userData: undefined }), expect: 'exists-with-different-user-data' },
];

// ---------------------------------------------------------------------------
// Paging

/** Follows `nextTimestamp` to the end; returns the ids in the order the pages gave them. */
async function allPages(ledger: Ledger, query: { accountId: string; limit: number; descending: boolean }): Promise<string[]> {
  const ids: string[] = [];
  let cursor: LedgerTimestamp | null = null;
  for (let pages = 0; pages <= 1_000; pages += 1) {
    const page = await ledger.getAccountTransfers({ ...query, ...(cursor === null ? {} : { cursorTimestamp: cursor }) });
    assert.ok(page.transfers.length <= query.limit);
    for (const t of page.transfers) {
      assert.ok(t.debitAccountId === query.accountId || t.creditAccountId === query.accountId, `${t.id} involves the account`);
    }
    ids.push(...page.transfers.map((t) => t.id));
    if (page.nextTimestamp === null) return ids;
    cursor = page.nextTimestamp;
  }
  assert.fail('paging never ended');
}

function assertIncreasing(timestamps: readonly (LedgerTimestamp | null)[]): void {
  for (let i = 1; i < timestamps.length; i += 1) {
    const [previous, current] = [timestamps[i - 1], timestamps[i]];
    assert.ok(typeof previous === 'bigint' && typeof current === 'bigint', `timestamp ${i} is set`);
    assert.ok(current > previous, `timestamp ${i} (${current}) follows ${previous}`);
  }
}

// ---------------------------------------------------------------------------

for (const engine of ENGINES) {
  describe(engine.name, () => {
    describe('createTransfers refuses, changing nothing', () => {
      const fx = useLedger(engine);
      TRANSFER_REFUSALS.forEach((row, index) => {
        it(row.name, async () => {
          const w = await makeWorld(fx(), `tr${index}`);
          await row.setup?.(w);
          const submitted = [row.submit(w)].flat();
          const ids = submitted.map((t) => t.id).filter((id): id is string => typeof id === 'string');
          const before = await snapshot(fx(), ids);
          const outcomes = await submitTransfers(fx().ledger, submitted);
          assert.deepEqual(
            outcomes.map((o) => o.result),
            [row.expect].flat(),
          );
          for (const o of outcomes) assert.equal(o.timestamp, null);
          assert.deepEqual(await snapshot(fx(), ids), before);
          await assertVerified(fx().ledger);
        });
      });
    });

    describe('createAccounts refuses, changing nothing', () => {
      const fx = useLedger(engine);
      ACCOUNT_REFUSALS.forEach((row, index) => {
        it(row.name, async () => {
          const w = await makeWorld(fx(), `ac${index}`);
          await row.setup?.(w);
          const account = { id: w.id('new'), ledger: 'USD', code: 1, userData: 'first', ...row.fields(w) };
          const ids = [...fx().accountIds, ...(typeof account.id === 'string' ? [account.id] : [])];
          const before = await fx().ledger.lookupAccounts(ids);
          const outcomes = await fx().ledger.createAccounts([account as unknown as NewAccount]);
          assert.deepEqual(
            outcomes.map((o) => [o.result, o.timestamp]),
            [[row.expect, null]],
          );
          assert.deepEqual(await fx().ledger.lookupAccounts(ids), before);
          await assertVerified(fx().ledger);
        });
      });
    });

    describe('idempotency', () => {
      const fx = useLedger(engine);

      it('records a transfer submitted twice once, answering exists with the first timestamp', async () => {
        const w = await makeWorld(fx(), 'same');
        const [first] = await w.ok(w.transfer());
        const again = await submitTransfers(fx().ledger, [w.transfer(), w.transfer()]);
        assert.deepEqual(again, [
          { id: w.id('t'), result: 'exists', timestamp: first?.timestamp },
          { id: w.id('t'), result: 'exists', timestamp: first?.timestamp },
        ]);
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 10n, 0n, FUNDS), [w.dst]: balances(0n, 0n, 0n, 10n) });
        await assertVerified(fx().ledger);
      });

      it('records one transfer when one call carries the same id twice', async () => {
        const w = await makeWorld(fx(), 'twice');
        const outcomes = await submitTransfers(fx().ledger, [w.transfer(), w.transfer()]);
        assert.deepEqual(
          outcomes.map((o) => o.result),
          ['ok', 'exists'],
        );
        assert.equal(outcomes[1]?.timestamp, outcomes[0]?.timestamp);
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 10n, 0n, FUNDS) });
      });

      it('answers exists for a post resubmitted, with or without its amount', async () => {
        const w = await makeWorld(fx(), 'post');
        await w.hold('p');
        const [posted] = await w.ok(w.post('p'));
        const again = await submitTransfers(fx().ledger, [w.post('p'), w.post('p', { amount: 10n })]);
        assert.deepEqual(
          again.map((o) => [o.result, o.timestamp]),
          [
            ['exists', posted?.timestamp],
            ['exists', posted?.timestamp],
          ],
        );
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 10n, 0n, FUNDS) });
      });

      it('answers a failed id with its first failure, even once the cause is gone', async () => {
        const w = await makeWorld(fx(), 'failed');
        const big = w.transfer({ amount: FUNDS + 500n });
        assert.equal((await submitTransfers(fx().ledger, [big]))[0]?.result, 'exceeds-credits');
        await w.ok(w.transfer({ id: w.id('more'), debitAccountId: w.bank, creditAccountId: w.src, amount: FUNDS }));
        const before = await snapshot(fx(), [w.id('t')]);
        const retries = await submitTransfers(fx().ledger, [big, w.transfer({ amount: 1n })]);
        assert.deepEqual(
          retries.map((o) => o.result),
          ['exceeds-credits', 'exceeds-credits'],
        );
        assert.deepEqual(await snapshot(fx(), [w.id('t')]), before);
        await w.ok({ ...big, id: w.id('t2') });
        await assertBalances(fx().ledger, { [w.src]: balances(0n, FUNDS + 500n, 0n, 2n * FUNDS) });
        await assertVerified(fx().ledger);
      });

      it('keeps a refusal for a closed account after the account reopens', async () => {
        const w = await makeWorld(fx(), 'stuckclosed');
        await closedByAnother('debit')(w);
        assert.equal((await submitTransfers(fx().ledger, [w.post('p')]))[0]?.result, 'debit-account-already-closed');
        await w.ok(w.void('closing', { id: w.id('reopen') }));
        assert.equal((await submitTransfers(fx().ledger, [w.post('p')]))[0]?.result, 'debit-account-already-closed');
        await w.ok(w.post('p', { id: w.id('t2') }));
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 10n, 0n, FUNDS) });
        await assertVerified(fx().ledger);
      });

      it('lets an id refused for the event alone be sent again, corrected', async () => {
        const w = await makeWorld(fx(), 'corrected');
        await w.hold('p');
        const cases: readonly { readonly wrong: Raw; readonly right: Raw; readonly refusal: CreateTransferResult }[] = [
          { wrong: w.transfer({ amount: 0n }), right: w.transfer(), refusal: 'amount-must-not-be-zero' },
          { wrong: w.transfer({ creditAccountId: w.src }), right: w.transfer(), refusal: 'accounts-must-be-different' },
          { wrong: w.transfer({ ledger: 'usd' }), right: w.transfer(), refusal: 'ledger-invalid' },
          { wrong: w.transfer({ flags: { closingDebit: true } }), right: w.transfer(), refusal: 'closing-transfer-must-be-pending' },
          { wrong: w.transfer({ timeoutSeconds: 60 }), right: w.transfer(), refusal: 'timeout-reserved-for-pending-transfer' },
          { wrong: w.post('p', { amount: 0n }), right: w.post('p'), refusal: 'amount-must-not-be-zero' },
        ];
        for (const [index, { wrong, right, refusal }] of cases.entries()) {
          const id = w.id(`fix${index}`);
          const [refused] = await submitTransfers(fx().ledger, [{ ...wrong, id }]);
          assert.deepEqual([refused?.result, refused?.timestamp], [refusal, null], `first ${id}`);
          const [recorded] = await submitTransfers(fx().ledger, [{ ...right, id }]);
          assert.equal(recorded?.result, 'ok', `corrected ${id}`);
          assert.deepEqual(await submitTransfers(fx().ledger, [{ ...right, id }]), [{ id, result: 'exists', timestamp: recorded?.timestamp }]);
        }
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 60n, 0n, FUNDS), [w.dst]: balances(0n, 0n, 0n, 60n) });
        await assertVerified(fx().ledger);
      });

      it('lets a chain refused for one bad event be sent again, corrected, under the same ids', async () => {
        const w = await makeWorld(fx(), 'rechain');
        const chain = (last: Raw): Raw[] => [
          w.transfer({ id: w.id('a'), flags: { linked: true } }),
          w.transfer({ id: w.id('b'), flags: { linked: true, pending: true } }),
          { ...last, id: w.id('c') },
        ];
        assert.deepEqual(
          (await submitTransfers(fx().ledger, chain(w.transfer({ amount: 0n })))).map((o) => o.result),
          ['linked-event-failed', 'linked-event-failed', 'amount-must-not-be-zero'],
        );
        await w.ok(...chain(w.transfer()));
        // An open chain, closed on the second try.
        const open = (lastFlags: Raw): Raw[] => [
          w.transfer({ id: w.id('d'), flags: { linked: true } }),
          w.transfer({ id: w.id('e'), flags: lastFlags }),
        ];
        assert.deepEqual(
          (await submitTransfers(fx().ledger, open({ linked: true }))).map((o) => o.result),
          ['linked-event-failed', 'linked-event-chain-open'],
        );
        await w.ok(...open({}));
        await assertBalances(fx().ledger, { [w.src]: balances(10n, 40n, 0n, FUNDS) });
        await assertVerified(fx().ledger);
      });

      it('keeps a refusal for the ledger state on the failing event of a chain, not on the others', async () => {
        const w = await makeWorld(fx(), 'stuckchain');
        const chain = (lastId: string): Raw[] => [
          w.transfer({ id: w.id('a'), flags: { linked: true } }),
          w.transfer({ id: w.id(lastId), amount: FUNDS }),
        ];
        assert.deepEqual(
          (await submitTransfers(fx().ledger, chain('c'))).map((o) => o.result),
          ['linked-event-failed', 'exceeds-credits'],
        );
        await w.ok(w.transfer({ id: w.id('more'), debitAccountId: w.bank, creditAccountId: w.src, amount: FUNDS }));
        assert.deepEqual(
          (await submitTransfers(fx().ledger, chain('c'))).map((o) => o.result),
          ['linked-event-failed', 'exceeds-credits'],
        );
        await w.ok(...chain('c2'));
        await assertBalances(fx().ledger, { [w.src]: balances(0n, FUNDS + 10n, 0n, 2n * FUNDS) });
        await assertVerified(fx().ledger);
      });

      it('answers an account created twice with exists and its first timestamp', async () => {
        const w = await makeWorld(fx(), 'acct');
        const account: NewAccount = { id: w.id('new'), ledger: 'USD', code: 7, flags: { debitsMustNotExceedCredits: true }, userData: 'u' };
        const [first] = await fx().ledger.createAccounts([account]);
        fx().accountIds.add(account.id);
        assert.equal(first?.result, 'ok');
        const sameFlagsSpelledOut = { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false };
        const again = await fx().ledger.createAccounts([account, { ...account, flags: sameFlagsSpelledOut }]);
        assert.deepEqual(
          again.map((o) => [o.result, o.timestamp]),
          [
            ['exists', first?.timestamp],
            ['exists', first?.timestamp],
          ],
        );
      });
    });

    describe('two-phase transfers', () => {
      const fx = useLedger(engine);
      const funded = balances(0n, 0n, 0n, FUNDS);

      it('holds a pending amount, then a post moves all of it', async () => {
        const w = await makeWorld(fx(), 'full');
        await w.hold('p', { amount: 100n });
        await assertBalances(fx().ledger, { [w.src]: balances(100n, 0n, 0n, FUNDS), [w.dst]: balances(0n, 0n, 100n, 0n) });
        await w.ok(w.post('p'));
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 100n, 0n, FUNDS), [w.dst]: balances(0n, 0n, 0n, 100n) });
        const [post] = await fx().ledger.lookupTransfers([w.id('t')]);
        assert.deepEqual([post?.amount, post?.pendingId, post?.debitAccountId, post?.code], [100n, w.id('p'), w.src, 1]);
        await assertVerified(fx().ledger);
      });

      it('posts part of a hold and releases the rest', async () => {
        const w = await makeWorld(fx(), 'part');
        await w.hold('p', { amount: 100n });
        await w.ok(w.post('p', { amount: 40n }));
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 40n, 0n, FUNDS), [w.dst]: balances(0n, 0n, 0n, 40n) });
        const [pending, post] = await fx().ledger.lookupTransfers([w.id('p'), w.id('t')]);
        assert.deepEqual([pending?.amount, post?.amount], [100n, 40n]);
        await assertVerified(fx().ledger);
      });

      it('voids a hold, giving everything back', async () => {
        const w = await makeWorld(fx(), 'void');
        await w.hold('p', { amount: 100n });
        await w.ok(w.void('p'));
        await assertBalances(fx().ledger, { [w.src]: funded, [w.dst]: balances(0n, 0n, 0n, 0n) });
        await assertVerified(fx().ledger);
      });

      it('posts a hold only once', async () => {
        const w = await makeWorld(fx(), 'once');
        await w.hold('p', { amount: 100n });
        await w.ok(w.post('p', { amount: 30n }));
        const after = await snapshot(fx());
        const again = await submitTransfers(fx().ledger, [w.post('p', { id: w.id('t2') }), w.void('p', { id: w.id('t3') })]);
        assert.deepEqual(
          again.map((o) => o.result),
          ['pending-transfer-already-posted', 'pending-transfer-already-posted'],
        );
        assert.deepEqual(await snapshot(fx()), after);
      });

      it('holds, posts and voids within one call, each event seeing the ones before it', async () => {
        const w = await makeWorld(fx(), 'onecall');
        await w.ok(
          w.transfer({ id: w.id('p1'), amount: 600n, flags: { pending: true } }),
          w.post('p1', { id: w.id('post1'), amount: 500n }),
          w.transfer({ id: w.id('p2'), amount: 500n, flags: { pending: true } }),
          w.void('p2', { id: w.id('void2') }),
        );
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 500n, 0n, FUNDS), [w.dst]: balances(0n, 0n, 0n, 500n) });
        await assertVerified(fx().ledger);
      });

      it('refuses a post after the timeout even before the hold is released, and releases it in that batch', async () => {
        const w = await makeWorld(fx(), 'late');
        await w.hold('p', { timeoutSeconds: 30 });
        fx().clock.advanceSeconds(31);
        assert.equal((await submitTransfers(fx().ledger, [w.post('p')]))[0]?.result, 'pending-transfer-expired');
        await assertBalances(fx().ledger, { [w.src]: funded, [w.dst]: balances(0n, 0n, 0n, 0n) });
        await assertVerified(fx().ledger);
      });

      it('posts a hold just before its timeout', async () => {
        const w = await makeWorld(fx(), 'intime');
        await w.hold('p', { timeoutSeconds: 30 });
        fx().clock.advanceSeconds(29);
        await w.ok(w.post('p'));
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 10n, 0n, FUNDS) });
      });

      it('closes the debit account with a closing hold; a void reopens it', async () => {
        const w = await makeWorld(fx(), 'close');
        await w.hold('c', { flags: { pending: true, closingDebit: true } });
        assert.equal((await fx().ledger.lookupAccounts([w.src]))[0]?.flags.closed, true);
        assert.deepEqual(
          (await submitTransfers(fx().ledger, [w.transfer(), w.transfer({ id: w.id('in'), debitAccountId: w.bank, creditAccountId: w.src })])).map(
            (o) => o.result,
          ),
          ['debit-account-already-closed', 'credit-account-already-closed'],
        );
        await w.ok(w.void('c', { id: w.id('reopen') }));
        assert.equal((await fx().ledger.lookupAccounts([w.src]))[0]?.flags.closed, false);
        await w.ok(w.transfer({ id: w.id('after') }));
        await assertVerified(fx().ledger);
      });

      it('lets a hold in an account another hold closed be voided, not posted; the closing hold posts', async () => {
        const w = await makeWorld(fx(), 'closedby');
        await w.hold('p', { amount: 100n });
        await w.hold('c', { flags: { pending: true, closingDebit: true } });
        assert.equal((await submitTransfers(fx().ledger, [w.post('p')]))[0]?.result, 'debit-account-already-closed');
        await w.ok(w.void('p', { id: w.id('void') }));
        await assertBalances(fx().ledger, { [w.src]: balances(10n, 0n, 0n, FUNDS) });
        await w.ok(w.post('c', { id: w.id('post') }));
        const [src] = await fx().ledger.lookupAccounts([w.src]);
        assert.deepEqual([src?.flags.closed, src?.debitsPending, src?.debitsPosted], [true, 0n, 10n]);
        await assertVerified(fx().ledger);
      });

      it('keeps an account closed once its closing hold is posted', async () => {
        const w = await makeWorld(fx(), 'closed');
        await w.hold('c', { flags: { pending: true, closingCredit: true } });
        await w.ok(w.post('c', { id: w.id('post') }));
        assert.equal((await fx().ledger.lookupAccounts([w.dst]))[0]?.flags.closed, true);
        const outcomes = await submitTransfers(fx().ledger, [w.transfer({ id: w.id('more') })]);
        assert.equal(outcomes[0]?.result, 'credit-account-already-closed');
      });

      it('reopens the account when a closing hold expires', async () => {
        const w = await makeWorld(fx(), 'lapse');
        await w.hold('c', { flags: { pending: true, closingDebit: true }, timeoutSeconds: 5 });
        fx().clock.advanceSeconds(6);
        await fx().ledger.releaseExpired();
        const [src] = await fx().ledger.lookupAccounts([w.src]);
        assert.deepEqual([src?.flags.closed, src?.debitsPending], [false, 0n]);
        await w.ok(w.transfer({ id: w.id('after') }));
      });
    });

    describe('linked chains', () => {
      const fx = useLedger(engine);

      it('leaves no trace of a chain whose third event fails', async () => {
        const w = await makeWorld(fx(), 'three');
        const chain = [
          w.transfer({ id: w.id('a'), amount: 100n, flags: { linked: true } }),
          w.transfer({ id: w.id('b'), amount: 100n, flags: { linked: true, pending: true } }),
          w.transfer({ id: w.id('c'), amount: FUNDS }),
        ];
        const before = await snapshot(fx());
        const outcomes = await submitTransfers(fx().ledger, chain);
        assert.deepEqual(
          outcomes.map((o) => [o.result, o.timestamp]),
          [
            ['linked-event-failed', null],
            ['linked-event-failed', null],
            ['exceeds-credits', null],
          ],
        );
        assert.deepEqual(await fx().ledger.lookupTransfers([w.id('a'), w.id('b'), w.id('c')]), []);
        assert.deepEqual(await snapshot(fx()), before);
        await assertVerified(fx().ledger);
      });

      it('applies a chain and the independent transfers after it in one call', async () => {
        const w = await makeWorld(fx(), 'then');
        const outcomes = await submitTransfers(fx().ledger, [
          w.transfer({ id: w.id('a'), flags: { linked: true } }),
          w.transfer({ id: w.id('b') }),
          w.transfer({ id: w.id('c') }),
          w.transfer({ id: w.id('d'), amount: FUNDS }),
          w.transfer({ id: w.id('e') }),
        ]);
        assert.deepEqual(
          outcomes.map((o) => o.result),
          ['ok', 'ok', 'ok', 'exceeds-credits', 'ok'],
        );
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 40n, 0n, FUNDS) });
        await assertVerified(fx().ledger);
      });

      it('fails a chain without touching the independent transfers around it', async () => {
        const w = await makeWorld(fx(), 'around');
        const outcomes = await submitTransfers(fx().ledger, [
          w.transfer({ id: w.id('before') }),
          w.transfer({ id: w.id('a'), flags: { linked: true } }),
          w.transfer({ id: w.id('b'), creditAccountId: w.eur }),
          w.transfer({ id: w.id('after') }),
        ]);
        assert.deepEqual(
          outcomes.map((o) => o.result),
          ['ok', 'linked-event-failed', 'ledger-mismatch', 'ok'],
        );
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 20n, 0n, FUNDS) });
      });

      it('fails one chain of a call and commits the other', async () => {
        const w = await makeWorld(fx(), 'two');
        const outcomes = await submitTransfers(fx().ledger, [
          w.transfer({ id: w.id('a1'), flags: { linked: true } }),
          w.transfer({ id: w.id('a2'), flags: { linked: true } }),
          w.transfer({ id: w.id('a3'), debitAccountId: w.id('nobody') }),
          w.transfer({ id: w.id('b1'), amount: 1n, flags: { linked: true } }),
          w.transfer({ id: w.id('b2'), amount: 2n, flags: { linked: true } }),
          w.transfer({ id: w.id('b3'), amount: 3n }),
        ]);
        assert.deepEqual(
          outcomes.map((o) => o.result),
          ['linked-event-failed', 'linked-event-failed', 'debit-account-not-found', 'ok', 'ok', 'ok'],
        );
        assertIncreasing(outcomes.slice(3).map((o) => o.timestamp));
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 6n, 0n, FUNDS), [w.dst]: balances(0n, 0n, 0n, 6n) });
        assert.deepEqual(
          (await fx().ledger.lookupTransfers([w.id('a1'), w.id('a2'), w.id('b1'), w.id('b3')])).map((t) => t.id),
          [w.id('b1'), w.id('b3')],
        );
        await assertVerified(fx().ledger);
      });

      it('lets a later event of a chain spend what an earlier one brought', async () => {
        const w = await makeWorld(fx(), 'spend');
        await w.ok(
          w.transfer({ id: w.id('in'), debitAccountId: w.bank, creditAccountId: w.src, amount: 500n, flags: { linked: true } }),
          w.transfer({ id: w.id('out'), amount: FUNDS + 500n }),
        );
        await assertBalances(fx().ledger, { [w.src]: balances(0n, FUNDS + 500n, 0n, FUNDS + 500n) });
      });

      it('undoes a hold and its post together when the chain fails', async () => {
        const w = await makeWorld(fx(), 'undo');
        const before = await snapshot(fx());
        const outcomes = await submitTransfers(fx().ledger, [
          w.transfer({ id: w.id('p'), flags: { linked: true, pending: true, closingDebit: true } }),
          w.post('p', { flags: { linked: true, postPendingTransfer: true } }),
          w.transfer({ id: w.id('bad'), amount: 0n }),
        ]);
        assert.deepEqual(
          outcomes.map((o) => o.result),
          ['linked-event-failed', 'linked-event-failed', 'amount-must-not-be-zero'],
        );
        assert.deepEqual(await snapshot(fx(), [w.id('p'), w.id('t')]), { ...before, transfers: [] });
        await assertVerified(fx().ledger);
      });

      it('leaves no trace of a chain that names one id twice, differently', async () => {
        // The second event finds the hold the first one created in the same
        // chain and differs from it; the chain fails whole, and a comparison
        // with a transfer that no longer exists must not stick to the id.
        const w = await makeWorld(fx(), 'twiceinchain');
        const chain = [
          w.transfer({ id: w.id('d'), flags: { linked: true, pending: true } }),
          w.transfer({ id: w.id('d'), debitAccountId: w.bank }),
        ];
        const before = await snapshot(fx(), [w.id('d')]);
        for (const attempt of ['first', 'replayed']) {
          const outcomes = await submitTransfers(fx().ledger, chain);
          assert.deepEqual(
            outcomes.map((o) => [o.result, o.timestamp]),
            [
              ['linked-event-failed', null],
              ['exists-with-different-flags', null],
            ],
            attempt,
          );
          assert.deepEqual(await snapshot(fx(), [w.id('d')]), before, attempt);
        }
        await w.ok(w.transfer({ id: w.id('d'), debitAccountId: w.bank }));
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 0n, 0n, FUNDS), [w.dst]: balances(0n, 0n, 0n, 10n) });
        await assertVerified(fx().ledger);
      });

      it('does not record a malformed id met in a failed chain', async () => {
        const w = await makeWorld(fx(), 'malformed');
        const numericId = '4242'; // sent as a number below; a later, valid transfer may well use it
        const outcomes = await submitTransfers(fx().ledger, [
          w.transfer({ id: w.id('a'), amount: 0n, flags: { linked: true } }),
          w.transfer({ id: 4242, flags: { linked: true } }),
          w.transfer({ id: null }),
        ]);
        assert.deepEqual(
          outcomes.map((o) => o.result),
          ['amount-must-not-be-zero', 'linked-event-failed', 'linked-event-failed'],
        );
        await w.ok(w.transfer({ id: numericId }));
        await assertVerified(fx().ledger);
      });
    });

    describe('timestamps', () => {
      const fx = useLedger(engine, { perTest: true });

      it('increase strictly within and across calls while the clock stands still', async () => {
        const w = await makeWorld(fx(), 'still');
        const seen: (LedgerTimestamp | null)[] = [];
        for (let call = 0; call < 3; call += 1) {
          const outcomes = await w.ok(
            ...Array.from({ length: 4 }, (_, i) => w.transfer({ id: w.id(`c${call}-${i}`), amount: 1n })),
          );
          seen.push(...outcomes.map((o) => o.timestamp));
        }
        assertIncreasing(seen);
      });

      it('increase strictly when the clock moves backwards', async () => {
        const w = await makeWorld(fx(), 'back');
        const [first] = await w.ok(w.transfer({ id: w.id('a') }));
        fx().clock.advanceSeconds(-3_600);
        const later = await w.ok(w.transfer({ id: w.id('b') }), w.transfer({ id: w.id('c') }));
        const [account] = await fx().ledger.createAccounts([{ id: w.id('late'), ledger: 'USD', code: 1 }]);
        fx().accountIds.add(w.id('late'));
        assertIncreasing([first?.timestamp ?? null, ...later.map((o) => o.timestamp), account?.timestamp ?? null]);
      });

      it('follow the clock when it is ahead', async () => {
        const w = await makeWorld(fx(), 'ahead');
        fx().clock.advanceSeconds(60);
        const [outcome] = await w.ok(w.transfer());
        assert.equal(outcome?.timestamp, fx().clock.now());
      });

      it('increase strictly across concurrent calls, in the order they were made', async () => {
        const w = await makeWorld(fx(), 'concurrent');
        const calls = await Promise.all(
          Array.from({ length: 20 }, (_, i) => submitTransfers(fx().ledger, [w.transfer({ id: w.id(`c${i}`), amount: 1n })])),
        );
        assertIncreasing(calls.map((outcomes) => outcomes[0]?.timestamp ?? null));
      });
    });

    describe('queries', () => {
      const fx = useLedger(engine);

      it("pages through an account's transfers both ways, with no gap and no duplicate", async () => {
        const w = await makeWorld(fx(), 'pages');
        const expected: string[] = [];
        for (let i = 0; i < 23; i += 1) {
          // Credits and debits of dst, alternating, each beside a transfer dst has no part in.
          const mine =
            i % 2 === 0
              ? w.transfer({ id: w.id(`in${i}`), amount: 2n })
              : w.transfer({ id: w.id(`out${i}`), debitAccountId: w.dst, creditAccountId: w.bank, amount: 1n });
          await w.ok(mine, w.transfer({ id: w.id(`other${i}`), creditAccountId: w.bank, amount: 1n }));
          expected.push(mine.id as string);
        }
        for (const limit of [1, 5, 23, PAGE_TRANSFERS_MAX]) {
          assert.deepEqual(await allPages(fx().ledger, { accountId: w.dst, limit, descending: false }), expected, `ascending, limit ${limit}`);
          assert.deepEqual(
            await allPages(fx().ledger, { accountId: w.dst, limit, descending: true }),
            [...expected].reverse(),
            `descending, limit ${limit}`,
          );
        }
        const firstPage = await fx().ledger.getAccountTransfers({ accountId: w.dst, limit: 5 });
        assertIncreasing(firstPage.transfers.map((t) => t.timestamp));
        assert.equal(firstPage.nextTimestamp, firstPage.transfers.at(-1)?.timestamp);
      });

      it('gives an empty page for an account without transfers, and refuses a bad limit', async () => {
        const w = await makeWorld(fx(), 'empty');
        assert.deepEqual(await fx().ledger.getAccountTransfers({ accountId: w.cap }), { transfers: [], nextTimestamp: null });
        for (const limit of [0, -1, 2.5, PAGE_TRANSFERS_MAX + 1]) {
          await assert.rejects(fx().ledger.getAccountTransfers({ accountId: w.dst, limit }), LedgerCallError);
        }
      });

      it('streams a timestamp range, of the whole ledger, of some ledgers or of one account, in order and page by page', async () => {
        const w = await makeWorld(fx(), 'stream');
        const ledger = fx().ledger;
        const eur2 = await w.account('eur2', { ledger: 'EUR' });
        const ids: string[] = [];
        for (let i = 0; i < 9; i += 1) {
          // A linked pair in two ledgers (one call, consecutive timestamps), then a hold and its post.
          const usd = w.transfer({ id: w.id(`usd${i}`), amount: 3n, flags: { linked: true } });
          const eur = { id: w.id(`eur${i}`), debitAccountId: w.eur, creditAccountId: eur2, amount: 5n, ledger: 'EUR', code: 1 };
          await w.ok(usd, eur);
          await w.hold(`hold${i}`, { debitAccountId: w.dst, creditAccountId: w.bank, amount: 1n });
          await w.ok(w.post(`hold${i}`, { id: w.id(`post${i}`) }));
          fx().clock.advanceSeconds(1);
          ids.push(w.id(`usd${i}`), w.id(`eur${i}`), w.id(`hold${i}`), w.id(`post${i}`));
        }
        const all = [...(await ledger.lookupTransfers(ids))].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
        assert.equal(all.length, ids.length);
        const from = all[0]!.timestamp;
        const to = all.at(-1)!.timestamp;
        const read = async (query: Parameters<Ledger['streamTransfers']>[0]): Promise<string[]> => {
          const got: string[] = [];
          for await (const page of ledger.streamTransfers(query)) {
            assert.ok(page.length >= 1 && page.length <= (query.pageTransfers ?? STREAM_PAGE_TRANSFERS_MAX), 'no empty page, none over the limit');
            assertIncreasing(page.map((t) => t.timestamp));
            for (const t of page) assert.deepEqual(t, all.find((x) => x.id === t.id), `${t.id} is read as lookupTransfers reads it`);
            got.push(...page.map((t) => t.id));
          }
          return got;
        };
        const idsOf = (keep: (t: (typeof all)[number]) => boolean): string[] => all.filter(keep).map((t) => t.id);
        for (const pageTransfers of [1, 4, 7, 36, STREAM_PAGE_TRANSFERS_MAX]) {
          assert.deepEqual(await read({ fromTimestamp: from, toTimestamp: to, pageTransfers }), ids, `the whole range, pages of ${pageTransfers}`);
          assert.deepEqual(await read({ fromTimestamp: from, toTimestamp: to, ledgers: ['EUR'], pageTransfers }), idsOf((t) => t.ledger === 'EUR'));
          assert.deepEqual(
            await read({ fromTimestamp: from, toTimestamp: to, accountId: w.dst, pageTransfers }),
            idsOf((t) => t.debitAccountId === w.dst || t.creditAccountId === w.dst),
          );
        }
        // Both ends are included; one nanosecond less on either side leaves that transfer out.
        const [second, fifth] = [all[1]!.timestamp, all[4]!.timestamp];
        assert.deepEqual(await read({ fromTimestamp: second, toTimestamp: fifth, pageTransfers: 2 }), ids.slice(1, 5));
        assert.deepEqual(await read({ fromTimestamp: second + 1n, toTimestamp: fifth - 1n }), ids.slice(2, 4));
        assert.deepEqual(await read({ fromTimestamp: from, toTimestamp: to, ledgers: ['USD', 'EUR'], accountId: w.dst }), idsOf((t) => t.debitAccountId === w.dst || t.creditAccountId === w.dst));
        assert.deepEqual(await read({ fromTimestamp: from, toTimestamp: to, ledgers: ['EUR'], accountId: w.dst }), []);
        assert.deepEqual(await read({ fromTimestamp: from, toTimestamp: to, ledgers: [] }), []);
        assert.deepEqual(await read({ fromTimestamp: from, toTimestamp: to, accountId: w.id('nobody') }), []);
        assert.deepEqual(await read({ fromTimestamp: to, toTimestamp: from }), [], 'an empty range');
        for (const pageTransfers of [0, -1, 2.5, STREAM_PAGE_TRANSFERS_MAX + 1]) {
          assert.throws(() => ledger.streamTransfers({ fromTimestamp: from, toTimestamp: to, pageTransfers }), LedgerCallError);
        }
        assert.throws(() => ledger.streamTransfers({ fromTimestamp: 1 as unknown as bigint, toTimestamp: to }), LedgerCallError);
        assert.throws(() => ledger.streamTransfers({ fromTimestamp: from, toTimestamp: to, ledgers: 'EUR' as unknown as string[] }), LedgerCallError);
      });

      it('streams a range page by page while the writer goes on: what is stamped later is not in it', async () => {
        const w = await makeWorld(fx(), 'stream-live');
        const ledger = fx().ledger;
        for (let i = 0; i < 5; i += 1) await w.ok(w.transfer({ id: w.id(`before${i}`), amount: 1n }));
        const stamped = await ledger.lookupTransfers([w.id('before0'), w.id('before4')]);
        const pages = ledger.streamTransfers({ fromTimestamp: stamped[0]!.timestamp, toTimestamp: stamped[1]!.timestamp, pageTransfers: 2 })[Symbol.asyncIterator]();
        const got: string[] = [];
        const first = await pages.next();
        got.push(...(first.value ?? []).map((t: { id: string }) => t.id));
        await w.ok(w.transfer({ id: w.id('after'), amount: 1n }));
        for (let next = await pages.next(); next.done !== true; next = await pages.next()) got.push(...next.value.map((t) => t.id));
        assert.deepEqual(got, [0, 1, 2, 3, 4].map((i) => w.id(`before${i}`)));
      });

      it('gives the balance as it stood after each step of a history', async () => {
        const w = await makeWorld(fx(), 'asof');
        const ledger = fx().ledger;
        const steps: AccountBalance[] = [];
        const record = async (): Promise<void> => {
          for (const accountId of [w.src, w.dst]) {
            const now = await ledger.getAccountBalance(accountId);
            assert.ok(now !== null);
            const { accountId: _id, ledger: _ledger, asOfTimestamp: _at, ...columns } = now;
            assert.deepEqual(columns, await balancesOf(ledger, accountId), 'the current balance is the account');
            steps.push(now);
          }
        };
        await record();
        await w.hold('p1', { amount: 100n });
        await record();
        await w.ok(w.post('p1', { id: w.id('post1'), amount: 40n }));
        await record();
        await w.hold('p2', { amount: 200n });
        await record();
        await w.ok(w.void('p2', { id: w.id('void2') }));
        await record();
        await w.hold('p3', { amount: 300n, timeoutSeconds: 5 });
        await record();
        await w.ok(w.transfer({ id: w.id('plain'), amount: 7n }));
        await record();
        fx().clock.advanceSeconds(6);
        await ledger.releaseExpired();
        await record();
        await assertBalances(ledger, { [w.src]: balances(0n, 47n, 0n, FUNDS) });

        assertIncreasing(steps.filter((s) => s.accountId === w.src).map((s) => s.asOfTimestamp));
        for (const step of steps) {
          assert.deepEqual(await ledger.getAccountBalance(step.accountId, { asOfTimestamp: step.asOfTimestamp }), step);
        }
        const [src] = await ledger.lookupAccounts([w.src]);
        assert.ok(src !== undefined);
        assert.deepEqual(
          await ledger.getAccountBalance(w.src, { asOfTimestamp: src.timestamp - 1n }),
          { accountId: w.src, ledger: 'USD', ...balances(0n, 0n, 0n, 0n), asOfTimestamp: src.timestamp - 1n },
        );
        assert.equal(await ledger.getAccountBalance(w.id('nobody')), null);
        assert.equal(await ledger.getAccountBalance(w.id('nobody'), { asOfTimestamp: 1n }), null);
      });
    });

    describe('group commit', () => {
      const fx = useLedger(engine);

      it('answers 500 concurrent calls as if made one after another', async () => {
        const w = await makeWorld(fx(), 'rush');
        const amount = 7n;
        const calls = 500;
        const outcomes = await Promise.all(
          Array.from({ length: calls }, (_, i) => submitTransfers(fx().ledger, [w.transfer({ id: w.id(`c${i}`), amount })])),
        );
        const results = outcomes.map((o) => o[0]?.result);
        const affordable = Number(FUNDS / amount);
        assert.equal(results.filter((r) => r === 'ok').length, affordable);
        assert.equal(results.filter((r) => r === 'exceeds-credits').length, calls - affordable);
        const spent = BigInt(affordable) * amount;
        await assertBalances(fx().ledger, { [w.src]: balances(0n, spent, 0n, FUNDS), [w.dst]: balances(0n, 0n, 0n, spent) });
        await assertVerified(fx().ledger);
      });

      it('refuses a malformed call alone; the calls batched with it still commit', async () => {
        const w = await makeWorld(fx(), 'alone');
        const good = submitTransfers(fx().ledger, [w.transfer()]);
        const bad = fx().ledger.createTransfers([null] as unknown as NewTransfer[]);
        const badAccounts = fx().ledger.createAccounts([undefined] as unknown as NewAccount[]);
        await assert.rejects(bad, LedgerCallError);
        await assert.rejects(badAccounts, LedgerCallError);
        assert.equal((await good)[0]?.result, 'ok');
      });
    });

    describe('verify', () => {
      const fx = useLedger(engine, { perTest: true });

      it('finds an account balance its transfers do not explain', async () => {
        const w = await makeWorld(fx(), 'tamper');
        await w.ok(w.transfer({ amount: 25n }));
        await assertVerified(fx().ledger);
        await fx().store.runRawSql(`UPDATE account_balances SET credits_posted = credits_posted + 1 WHERE account_key = (SELECT account_key FROM accounts WHERE id = '${w.dst}')`);
        const report = await fx().ledger.verify();
        assert.equal(report.ok, false);
        assert.deepEqual(report.accountDifferences, [{ accountId: w.dst, column: 'creditsPosted', stored: 26n, recomputed: 25n }]);
        assert.equal(report.ledgers.find((l) => l.ledger === 'USD')?.balanced, false);
        assert.match(formatVerifyReport(report), /FAILED/);
      });

      it('finds a hold whose recorded state its transfers contradict', async () => {
        const w = await makeWorld(fx(), 'state');
        await w.hold('p');
        await w.ok(w.post('p'));
        await fx().store.runRawSql(`UPDATE pending_transfers SET state = 'voided' WHERE id = '${w.id('p')}'`);
        const report = await fx().ledger.verify();
        assert.equal(report.ok, false);
        assert.deepEqual(
          report.pendingDifferences.map((d) => d.transferId),
          [w.id('p')],
        );
        assert.match(formatVerifyReport(report), /FAILED/);
      });

      it('totals a ledger whose sums pass 2^63 − 1', async () => {
        const w = await makeWorld(fx(), 'huge');
        await nearOverflow(w, 'HUG');
        const [a, b] = [await w.account('a', { ledger: 'HUG' }), await w.account('b', { ledger: 'HUG' })];
        await w.ok({ id: w.id('max2'), debitAccountId: a, creditAccountId: b, amount: AMOUNT_MAX, ledger: 'HUG', code: 1 });
        const report = await fx().ledger.verify();
        assert.ok(report.ok, formatVerifyReport(report));
        const huge = report.ledgers.find((l) => l.ledger === 'HUG');
        assert.deepEqual([huge?.debitsPosted, huge?.creditsPosted], [2n * AMOUNT_MAX, 2n * AMOUNT_MAX]);
      });
    });

    describe('restart', () => {
      const fx = useLedger(engine, { perTest: true });

      it('keeps every account, transfer and hold, and timestamps keep increasing', async () => {
        const w = await makeWorld(fx(), 'restart');
        const [moved] = await w.ok(w.transfer({ id: w.id('moved') }));
        await w.hold('p', { amount: 100n });
        await w.hold('lapsing', { amount: 50n, timeoutSeconds: 10 });
        // The last call ends with an event that records nothing: its timestamp
        // is stored nowhere, yet the ledger may report a balance as of it.
        await submitTransfers(fx().ledger, [w.transfer({ id: w.id('x'), amount: 1n }), w.transfer({ id: '' })]);
        const reported = await fx().ledger.getAccountBalance(w.src);
        assert.ok(reported !== null);
        const transferIds = ['moved', 'p', 'lapsing', 'x'].map((name) => w.id(name));
        const before = await snapshot(fx(), transferIds);

        await fx().restart();
        fx().clock.advanceSeconds(-3_600);
        assert.deepEqual(await snapshot(fx(), transferIds), before);
        assert.equal(before.transfers.length, 4);
        const [post, next] = await w.ok(w.post('p', { id: w.id('post') }), w.transfer({ id: w.id('next') }));
        assert.ok(post !== undefined && next !== undefined);
        assertIncreasing([reported.asOfTimestamp, post.timestamp, next.timestamp]);
        assert.deepEqual(await fx().ledger.getAccountBalance(w.src, { asOfTimestamp: reported.asOfTimestamp }), reported);
        assert.deepEqual(
          (await submitTransfers(fx().ledger, [w.transfer({ id: w.id('moved') })])).map((o) => [o.result, o.timestamp]),
          [['exists', moved?.timestamp]],
        );

        fx().clock.advanceSeconds(3_600 + 11);
        await fx().ledger.releaseExpired();
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 10n + 1n + 100n + 10n, 0n, FUNDS) });
        await assertVerified(fx().ledger);
      });

      it('never hands out again, after a restart, a timestamp it reported as of a balance, even one an undone chain took', async () => {
        const w = await makeWorld(fx(), 'chain');
        // The chain's first event is applied, then undone when the last one leaves the chain open.
        await submitTransfers(fx().ledger, [
          w.transfer({ id: w.id('a'), amount: 1n, flags: { linked: true } }),
          w.transfer({ id: w.id('b'), amount: 1n, flags: { linked: true } }),
        ]);
        const reported = await fx().ledger.getAccountBalance(w.src);
        assert.ok(reported !== null);
        await fx().restart();
        fx().clock.advanceSeconds(-3_600);
        const [next] = await w.ok(w.transfer({ id: w.id('next') }));
        assertIncreasing([reported.asOfTimestamp, next?.timestamp ?? null]);
        assert.deepEqual(await fx().ledger.getAccountBalance(w.src, { asOfTimestamp: reported.asOfTimestamp }), reported);
      });

      it('releases a hold that lapsed while the ledger was down, with no call after the restart', async () => {
        const w = await makeWorld(fx(), 'idle');
        await w.hold('lapsing', { amount: 50n, timeoutSeconds: 10 });
        await fx().ledger.close();
        fx().clock.advanceSeconds(11);
        fx().ledger = await createLedger({ store: await fx().store.reopen(), clock: fx().clock.now });
        // Only the writer's own expiry timer may release it: no batch runs.
        for (let waited = 0; waited < 100 && (await balancesOf(fx().ledger, w.src)).debitsPending !== 0n; waited += 1) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await assertBalances(fx().ledger, { [w.src]: balances(0n, 0n, 0n, FUNDS) });
        await assertVerified(fx().ledger);
      });
    });
  });
}
