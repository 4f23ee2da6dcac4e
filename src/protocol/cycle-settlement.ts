/**
 * An institution books the settlement of a clearing cycle in its own ledger.
 * The network's settlement instructions move each participant's net through
 * the settlement bank; once the institution's operator sees the money arrive
 * (or leave) with the bank's reference, it records it here, and the
 * institution's account with the network is brought back by the cycle's net:
 * what the network owed it (or it owed the network) is now in (or out of) its
 * account at the settlement bank.
 *
 * The amount is not typed in by anyone: it is the net of the cycle's clearing
 * file, downloaded over the signed API (credit totals − debit totals in the
 * institution's currency). One transfer per cycle, `settle:<cycleId>`, with
 * the reference as its user data: recording it again with the same reference
 * answers what was booked; with another reference it is refused.
 *
 * The accounts follow the clearing file's sign: a debit of the account with
 * the network is the network owing more. A positive net (the institution
 * receives, as an acquirer does) credits that account and debits the bank
 * account; a negative net (it pays, as a wallet provider does) the reverse.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { amount, parseCurrency, type Amount, type Currency } from '../money/index.ts';
import { apiError, parseJsonBody, parseValue, type RouteDoc } from '../platform/http/contract.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { ClearingFile } from './clearing-file.ts';
import { fetchClearingFile, SETTLEMENT_TRANSFER_PREFIX, type CycleReconciliationError, type LedgerTransferView } from './reconcile-cycle.ts';
import { CLEARING_FILE_FETCH_ERRORS, CYCLE_ID_SCHEMA, OPERATOR_AUTH_ERRORS, reconciliationErrorToApi, signedAmountJson } from './reconciliation-routes.ts';
import type { PeerClient } from './signed-http.ts';

/** A settlement bank's reference: 1 to 64 printable characters (the network's rule for confirming an instruction). */
export const SETTLEMENT_BANK_REFERENCE_PATTERN = /^[\x21-\x7e]{1,64}$/;

/** The part of a ledger (src/ledger) booking needs, by shape. */
export interface BookingLedger {
  createTransfers(
    transfers: readonly {
      readonly id: string;
      readonly debitAccountId: string;
      readonly creditAccountId: string;
      readonly amount: bigint;
      readonly ledger: string;
      readonly code: number;
      readonly userData?: string;
    }[],
  ): Promise<readonly { readonly id: string; readonly result: string }[]>;
  lookupTransfers(ids: readonly string[]): Promise<readonly (LedgerTransferView & { readonly userData: string | null })[]>;
  getAccountBalance(accountId: string): Promise<{ readonly debitsPosted: bigint; readonly creditsPosted: bigint } | null>;
}

export interface CycleSettlement {
  readonly cycleId: string;
  /** Signed as the clearing file signs: positive, the institution received it; negative, it paid it. */
  readonly net: Amount;
  /** The bank's reference, as the operator entered it. */
  readonly reference: string;
  /** The ledger transfer; null when the net was zero and nothing moved. */
  readonly transferId: string | null;
  /** The account with the network after the booking (debits − credits): what the network still owes (+) or is owed (−). */
  readonly positionAfter: Amount;
}

export type SettlementError =
  | CycleReconciliationError
  | { readonly kind: 'bad-reference'; readonly message: string }
  | { readonly kind: 'settled-otherwise'; readonly cycleId: string; readonly reference: string; readonly message: string };

export interface SettlementService {
  /** Books the cycle's net against the bank account, idempotently (see the file's comment). */
  record(cycleId: string, reference: string): Promise<Result<CycleSettlement, SettlementError>>;
  /** The booked settlement of a cycle, or null. */
  read(cycleId: string): Promise<CycleSettlement | null>;
}

/** Credit totals − debit totals of the file in `currency`: what the network owes the participant for the cycle. */
export function clearingFileNet(file: ClearingFile, currency: Currency): Amount {
  const total = file.totals.find((t) => t.currency === currency);
  return amount(currency, total === undefined ? 0n : total.creditTotal.value - total.debitTotal.value);
}

export function createSettlementService(deps: {
  readonly network: PeerClient;
  readonly participantId: string;
  readonly ledger: BookingLedger;
  /** The institution's ledger (its currency code). */
  readonly ledgerCode: string;
  readonly accounts: { readonly network: string; readonly bank: string };
  /** The ledger code of a settlement transfer. */
  readonly transferCode: number;
}): SettlementService {
  const currency = parseCurrency(deps.ledgerCode);
  if (!currency.ok) throw new Error(`assertion failed: the ledger ${deps.ledgerCode} is a currency`);
  const transferId = (cycleId: string) => `${SETTLEMENT_TRANSFER_PREFIX}${cycleId}`;
  const positionNow = async (): Promise<Amount> => {
    const balance = await deps.ledger.getAccountBalance(deps.accounts.network);
    return amount(currency.value, balance === null ? 0n : balance.debitsPosted - balance.creditsPosted);
  };
  const read = async (cycleId: string): Promise<CycleSettlement | null> => {
    const [booked] = await deps.ledger.lookupTransfers([transferId(cycleId)]);
    if (booked === undefined) return null;
    const received = booked.creditAccountId === deps.accounts.network;
    return {
      cycleId,
      net: amount(currency.value, received ? booked.amount : -booked.amount),
      reference: booked.userData ?? '',
      transferId: booked.id,
      positionAfter: await positionNow(),
    };
  };
  const record = async (cycleId: string, reference: string): Promise<Result<CycleSettlement, SettlementError>> => {
    if (!SETTLEMENT_BANK_REFERENCE_PATTERN.test(reference)) return err({ kind: 'bad-reference', message: 'reference: 1 to 64 printable characters, no spaces' });
    const booked = await read(cycleId);
    if (booked !== null) {
      return booked.reference === reference
        ? ok(booked)
        : err({ kind: 'settled-otherwise', cycleId, reference: booked.reference, message: `cycle ${cycleId} was settled with reference ${booked.reference}` });
    }
    const fetched = await fetchClearingFile(deps.network, deps.participantId, cycleId);
    if (!fetched.ok) return fetched;
    const net = clearingFileNet(fetched.value.file, currency.value);
    if (net.value === 0n) return ok({ cycleId, net, reference, transferId: null, positionAfter: await positionNow() });
    const receives = net.value > 0n;
    const [outcome] = await deps.ledger.createTransfers([
      {
        id: transferId(cycleId),
        debitAccountId: receives ? deps.accounts.bank : deps.accounts.network,
        creditAccountId: receives ? deps.accounts.network : deps.accounts.bank,
        amount: receives ? net.value : -net.value,
        ledger: deps.ledgerCode,
        code: deps.transferCode,
        userData: reference,
      },
    ]);
    // Two operators at once: the second finds the first's booking.
    if (outcome?.result === 'exists-with-different-user-data') return record(cycleId, reference);
    if (outcome?.result !== 'ok' && outcome?.result !== 'exists') throw new Error(`assertion failed: settlement of ${cycleId} booked, got ${outcome?.result}`);
    return ok({ cycleId, net, reference, transferId: transferId(cycleId), positionAfter: await positionNow() });
  };
  return { read, record };
}

const CYCLE_ID = CYCLE_ID_SCHEMA;
const recordSchema = z.object({ cycleId: CYCLE_ID, reference: z.string().regex(SETTLEMENT_BANK_REFERENCE_PATTERN, '1 to 64 printable characters, no spaces') }).strict();

export function settlementJson(s: CycleSettlement) {
  return { cycleId: s.cycleId, net: signedAmountJson(s.net), reference: s.reference, transferId: s.transferId, positionAfter: signedAmountJson(s.positionAfter) };
}

export function mountSettlementRoutes(
  app: Hono,
  deps: { readonly prefix: string; readonly settlement: SettlementService; readonly operator: (c: Context) => Promise<Response | null> },
): void {
  const { prefix, settlement, operator } = deps;
  app.post(`${prefix}/settlements`, async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const body = await parseJsonBody(c, recordSchema);
    if (!body.ok) return apiError(c, body.error);
    const recorded = await settlement.record(body.value.cycleId, body.value.reference);
    if (recorded.ok) return c.json(settlementJson(recorded.value));
    const e = recorded.error;
    if (e.kind === 'bad-reference') return apiError(c, { status: 400, code: 'INVALID_REQUEST', message: e.message });
    if (e.kind === 'settled-otherwise') return apiError(c, { status: 409, code: 'ALREADY_SETTLED', message: e.message });
    return apiError(c, reconciliationErrorToApi(e));
  });
  app.get(`${prefix}/settlements/:cycleId`, async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const cycleId = parseValue(CYCLE_ID, c.req.param('cycleId'));
    if (!cycleId.ok) return apiError(c, cycleId.error);
    const booked = await settlement.read(cycleId.value);
    return booked ? c.json(settlementJson(booked)) : apiError(c, { status: 404, code: 'NOT_FOUND', message: `no settlement of cycle ${cycleId.value} is booked` });
  });
}

export function settlementRouteDocs(prefix: string, tag: string, security: NonNullable<RouteDoc['security']>): RouteDoc[] {
  const AUTH = OPERATOR_AUTH_ERRORS;
  return [
    {
      method: 'post',
      path: `${prefix}/settlements`,
      summary: "Book a closed cycle's settlement with the bank's reference: the clearing file's net moves between the account with the network and the settlement bank account",
      tag,
      security,
      request: recordSchema,
      errors: [...AUTH, { status: 400, code: 'INVALID_REQUEST' }, ...CLEARING_FILE_FETCH_ERRORS, { status: 409, code: 'ALREADY_SETTLED' }],
    },
    { method: 'get', path: `${prefix}/settlements/{cycleId}`, summary: "A cycle's booked settlement", tag, security, errors: [...AUTH, { status: 400, code: 'INVALID_REQUEST' }, { status: 404, code: 'NOT_FOUND' }] },
  ];
}
