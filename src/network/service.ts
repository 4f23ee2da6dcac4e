/**
 * The network's use cases: the operator's (participants, FX rates, views of
 * payments and positions) and the protocol's (pay, inquiry, cancel, refund,
 * user-initiated pay), each protocol one checked against the sender's role
 * first. See README.md for the flows.
 */
import { randomBytes } from 'node:crypto';
import type { Ledger } from '../ledger/index.ts';
import { amount, parseCurrency, parseRate } from '../money/index.ts';
import {
  result,
  type AcquirerPayRequest,
  type AcquirerPaymentRef,
  type AcquirerRefundRef,
  type AcquirerRefundRequest,
  type CancelPaymentResponse,
  type InquiryExchangeRateRequest,
  type InquiryExchangeRateResponse,
  type InquiryPaymentResponse,
  type InquiryRefundResponse,
  type PayResponse,
  type ProtocolResult,
  type RefundResponse,
  type UserInitiatedPayRequest,
  type UserInitiatedPayResponse,
} from '../protocol/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { SIGNATURE_AGE_SECONDS_MAX, type ReplayGuard } from '../platform/signing/index.ts';
import { RESOLVE_BATCH_MAX, type NetworkContext } from './context.ts';
import type { AddParticipantKeyRequest, PutFxRateRequest, RegisterParticipantRequest } from './contract.ts';
import type { NetworkError } from './errors.ts';
import type { ParticipantRegistry } from './participants.ts';
import { createPaymentFlows } from './payments.ts';
import { participantAccountId } from './postings.ts';
import { createRefundFlows } from './refunds.ts';
import type {
  AcquirerParticipant,
  FxRateRecord,
  NetworkPayment,
  NetworkRefund,
  Participant,
  ParticipantPosition,
  ParticipantRole,
  WalletParticipant,
} from './types.ts';
import { createUserInitiatedFlows } from './user-initiated.ts';

export interface NetworkService {
  registerParticipant(input: RegisterParticipantRequest): Promise<Result<{ readonly participant: Participant; readonly created: boolean }, NetworkError>>;
  addParticipantKey(participantId: string, input: AddParticipantKeyRequest): Promise<Result<Participant, NetworkError>>;
  listParticipants(): readonly Participant[];
  /** Publishes a rate, 1 base = rate quote, from `validFrom` (now by default); earlier rates stay in the table. */
  setFxRate(pair: { readonly base: string; readonly quote: string }, input: PutFxRateRequest): Promise<Result<FxRateRecord, NetworkError>>;
  listFxRates(limit: number): Promise<FxRateRecord[]>;

  pay(senderId: string, request: AcquirerPayRequest): Promise<PayResponse>;
  inquiryPayment(senderId: string, request: AcquirerPaymentRef): Promise<InquiryPaymentResponse>;
  cancelPayment(senderId: string, request: AcquirerPaymentRef): Promise<CancelPaymentResponse>;
  refund(senderId: string, request: AcquirerRefundRequest): Promise<RefundResponse>;
  inquiryRefund(senderId: string, request: AcquirerRefundRef): Promise<InquiryRefundResponse>;
  userInitiatedPay(senderId: string, request: UserInitiatedPayRequest): Promise<UserInitiatedPayResponse>;
  /** The rate a `pay` would lock now, for a participant to show its user before paying (any registered participant may ask). */
  inquiryExchangeRate(senderId: string, request: InquiryExchangeRateRequest): Promise<InquiryExchangeRateResponse>;

  getPayment(paymentId: string): Promise<Result<{ readonly payment: NetworkPayment; readonly refunds: readonly NetworkRefund[] }, NetworkError>>;
  listPayments(query: { readonly status?: NetworkPayment['status']; readonly limit: number }): Promise<NetworkPayment[]>;
  positions(): Promise<ParticipantPosition[]>;
  /** One pass of recovery: open payments, open refunds, pending notifications; single-flight. */
  resolveOpen(): Promise<void>;
}

export function createNetworkService(ctx: NetworkContext & { readonly replayGuard: ReplayGuard }): NetworkService {
  const payments = createPaymentFlows(ctx);
  const refunds = createRefundFlows(ctx);
  const userInitiated = createUserInitiatedFlows(ctx);
  const { store, participants } = ctx;
  let resolving: Promise<void> | undefined;

  const resolvePass = async (): Promise<void> => {
    await ctx.replayGuard.prune(new Date(ctx.now().getTime() - SIGNATURE_AGE_SECONDS_MAX * 1000));
    for (const payment of await store.openPayments(RESOLVE_BATCH_MAX)) await payments.resolve(payment);
    for (const refund of await store.openRefunds(RESOLVE_BATCH_MAX)) await refunds.resolve(refund);
    for (const payment of await store.paymentsToNotify(RESOLVE_BATCH_MAX)) await payments.notify(payment);
  };

  return {
    registerParticipant: (input) => participants.register(input),
    addParticipantKey: (participantId, input) => participants.addKey(participantId, input),
    listParticipants: () => participants.all(),
    async setFxRate(pair, input) {
      const base = parseCurrency(pair.base);
      const quote = parseCurrency(pair.quote);
      if (!base.ok || !quote.ok) return err({ kind: 'bad-rate', message: `unknown currency in ${pair.base}/${pair.quote}` });
      const parsed = parseRate(input.rate, { base: base.value, quote: quote.value });
      if (!parsed.ok) return err({ kind: 'bad-rate', message: `rate: ${parsed.error.message}` });
      const now = ctx.now();
      const record: FxRateRecord = {
        quoteId: `FX-${base.value}${quote.value}-${randomBytes(6).toString('hex')}`,
        base: base.value,
        quote: quote.value,
        rate: input.rate,
        validFrom: input.validFrom === undefined ? now : new Date(input.validFrom),
        recordedAt: now,
      };
      await store.insertFxRate(record);
      return ok(record);
    },
    listFxRates: (limit) => store.listFxRates(limit),

    pay: (senderId, request) => asAcquirer(participants, senderId, (acquirer) => payments.pay(acquirer, request)),
    inquiryPayment: (senderId, request) => asAcquirer(participants, senderId, (acquirer) => payments.inquire(acquirer, request)),
    cancelPayment: (senderId, request) => asAcquirer(participants, senderId, (acquirer) => payments.cancel(acquirer, request)),
    refund: (senderId, request) => asAcquirer(participants, senderId, (acquirer) => refunds.refund(acquirer, request)),
    inquiryRefund: (senderId, request) => asAcquirer(participants, senderId, (acquirer) => refunds.inquire(acquirer, request)),
    async userInitiatedPay(senderId, request) {
      const wallet = sender(participants, senderId, 'wallet');
      return wallet.ok ? userInitiated.userInitiatedPay(wallet.value as WalletParticipant, request) : { result: wallet.error };
    },
    async inquiryExchangeRate(senderId, request) {
      if (!participants.get(senderId)) return { result: result('INVALID_CLIENT') };
      const base = parseCurrency(request.baseCurrency);
      const quote = parseCurrency(request.quoteCurrency);
      if (!base.ok || !quote.ok) return { result: result('CURRENCY_NOT_SUPPORT', `unknown currency in ${request.baseCurrency}/${request.quoteCurrency}`) };
      const record = await store.currentFxRate(base.value, quote.value, ctx.now());
      if (!record) return { result: result('FX_RATE_NOT_AVAILABLE', `no ${base.value}/${quote.value} rate`) };
      return {
        result: result('SUCCESS'),
        fxQuote: { quoteId: record.quoteId, baseCurrency: record.base, quoteCurrency: record.quote, rate: record.rate },
        validFrom: record.validFrom.toISOString(),
      };
    },

    async getPayment(paymentId) {
      const payment = await store.paymentById(paymentId);
      if (!payment) return err({ kind: 'payment-not-found', paymentId });
      return ok({ payment, refunds: await store.refundsOfPayment(payment.paymentId) });
    },
    listPayments: (query) => store.listPayments(query),
    positions: () => positionsOf(ctx.ledger, participants.all()),
    resolveOpen() {
      resolving ??= resolvePass().finally(() => {
        resolving = undefined;
      });
      return resolving;
    },
  };
}

/** The sender as a registered participant of `role`: INVALID_CLIENT if unknown, ACCESS_DENIED if of another role. */
function sender(participants: ParticipantRegistry, senderId: string, role: ParticipantRole): Result<Participant, ProtocolResult> {
  const participant = participants.get(senderId);
  if (!participant) return err(result('INVALID_CLIENT'));
  if (participant.role !== role) return err(result('ACCESS_DENIED', `only a ${role} may send this`));
  return ok(participant);
}

async function asAcquirer<R>(participants: ParticipantRegistry, senderId: string, work: (acquirer: AcquirerParticipant) => Promise<R>): Promise<R | { result: ProtocolResult }> {
  const acquirer = sender(participants, senderId, 'acquirer');
  return acquirer.ok ? work(acquirer.value as AcquirerParticipant) : { result: acquirer.error };
}

async function positionsOf(ledger: Ledger, participants: readonly Participant[]): Promise<ParticipantPosition[]> {
  const positions: ParticipantPosition[] = [];
  for (const participant of participants) {
    const accountId = participantAccountId(participant);
    const balance = await ledger.getAccountBalance(accountId);
    const debits = balance?.debitsPosted ?? 0n;
    const credits = balance?.creditsPosted ?? 0n;
    // A wallet's account is debited for what it owes; an acquirer's credited for what it is owed.
    const value = participant.role === 'wallet' ? debits - credits : credits - debits;
    positions.push({ participantId: participant.participantId, role: participant.role, accountId, position: amount(participant.currency, value) });
  }
  return positions;
}
