/**
 * The acquirer's use cases: onboarding merchants, their stores and
 * terminals, QR codes and orders, payments from the POS, refunds, cancels.
 * Routes call one function each; the network-facing part of a payment lives
 * in `payment-flow.ts`, the protocol handlers in `protocol-handlers.ts`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Ledger } from '../ledger/index.ts';
import { AMOUNT_VALUE_MAX, amount, currency } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { AmountWire, MerchantWire } from '../protocol/index.ts';
import { encodeMerchantQr, MERCHANT_CITY_CHARS_MAX, MERCHANT_NAME_CHARS_MAX, type MerchantQrInput } from '../qr/index.ts';
import { parseBusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import { ORDER_TTL_SECONDS_DEFAULT, type AddStoreInput, type AddTerminalInput, type CreateOrderInput, type PosPaymentInput, type RefundInput, type RegisterMerchantInput, type SetMdrInput } from './contract.ts';
import type { AcquirerError } from './errors.ts';
import { ensureAccounts, merchantAccountId } from './money-moves.ts';
import type { PaymentFlow } from './payment-flow.ts';
import { MDR_BPS_DEFAULT } from './payout-plan.ts';
import { canMove, ONBOARDING_TRANSITIONS } from './state-machines.ts';
import type { AcquirerStore } from './store.ts';
import type { Merchant, MerchantId, OnboardingStatus, Order, OrderId, Payment, PaymentId, Principal, Refund, RefundId, Store, StoreId, Terminal } from './types.ts';

/** Largest payment (and order) the acquirer takes, in KRW. */
export const PAYMENT_AMOUNT_MAX_KRW = 50_000_000n;
/** Bytes of randomness in a terminal key (base64url, shown once). */
export const TERMINAL_KEY_BYTES = 32;
export const MERCHANT_COUNTRY = 'KR';

export type OrderStatus = 'OPEN' | 'PAYING' | 'PAID' | 'EXPIRED';

export interface AcquirerServiceDeps {
  readonly store: AcquirerStore;
  readonly ledger: Ledger;
  readonly flow: PaymentFlow;
  readonly idPrefix: string;
  readonly operatorKey: string;
  readonly now: () => Date;
  readonly paymentDeadlineMs: number;
}

export interface AcquirerService {
  authenticate(token: string | undefined): Promise<Result<Principal, AcquirerError>>;
  registerMerchant(input: RegisterMerchantInput): Promise<Result<Merchant, AcquirerError>>;
  approveMerchant(merchantId: string): Promise<Result<Merchant, AcquirerError>>;
  rejectMerchant(merchantId: string, reason: string): Promise<Result<Merchant, AcquirerError>>;
  getMerchant(merchantId: string): Promise<Result<Merchant, AcquirerError>>;
  /** Sets the merchant's MDR; payouts already created keep the rate they were made with. */
  setMerchantMdr(merchantId: string, input: SetMdrInput): Promise<Result<Merchant, AcquirerError>>;
  listMerchants(page: { readonly after?: string; readonly limit: number }): Promise<readonly Merchant[]>;
  addStore(merchantId: string, input: AddStoreInput): Promise<Result<Store, AcquirerError>>;
  addTerminal(merchantId: string, input: AddTerminalInput): Promise<Result<{ readonly terminal: Terminal; readonly terminalKey: string }, AcquirerError>>;
  /** The merchant's static QR; a terminal's names its store. */
  merchantQr(principal: Principal, merchantId: string): Promise<Result<string, AcquirerError>>;
  createOrder(terminal: Terminal, input: CreateOrderInput): Promise<Result<Order, AcquirerError>>;
  getOrder(principal: Principal, orderId: string): Promise<Result<{ readonly order: Order; readonly status: OrderStatus; readonly payment: Payment | null }, AcquirerError>>;
  /** A POS payment with the tourist's code: answers once the outcome is known, or the payment is left PROCESSING. */
  payAtPos(terminal: Terminal, input: PosPaymentInput): Promise<Result<Payment, AcquirerError>>;
  getPayment(principal: Principal, paymentId: string): Promise<Result<{ readonly payment: Payment; readonly refunds: readonly Refund[] }, AcquirerError>>;
  refund(principal: Principal, paymentId: string, input: RefundInput): Promise<Result<Refund, AcquirerError>>;
  cancelPayment(principal: Principal, paymentId: string): Promise<Result<Payment, AcquirerError>>;
  merchantWire(merchantId: MerchantId): Promise<MerchantWire>;
  /** What the acquirer owes the merchant now, in KRW: posted credits − posted debits of `merchant:<id>`; below zero while a shortfall is carried forward. */
  merchantBalanceKrw(merchantId: string): Promise<bigint>;
  resolveOpen(): Promise<void>;
}

/** SHA-256 (hex) of a request's content, in a fixed field order: what an idempotent retry must repeat. */
export function requestHash(fields: readonly (string | number | undefined)[]): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export const newPaymentId = (): PaymentId => `AP${randomBytes(12).toString('hex')}` as PaymentId;
export const newRefundId = (): RefundId => `AR${randomBytes(12).toString('hex')}` as RefundId;
const newOrderId = (): OrderId => `O${randomBytes(8).toString('hex')}` as OrderId;

/** Checks an amount from a client: KRW, positive, within PAYMENT_AMOUNT_MAX_KRW. */
export function krwAmount(wire: AmountWire, limitKrw: bigint = PAYMENT_AMOUNT_MAX_KRW): Result<bigint, AcquirerError> {
  if (wire.currency !== 'KRW') return err({ kind: 'currency-not-supported', currency: wire.currency });
  const value = BigInt(wire.value);
  if (value <= 0n) return err({ kind: 'invalid-amount', message: 'amount.value: an amount is at least 1 KRW' });
  if (value > limitKrw) return err({ kind: 'amount-exceeds-limit', limitKrw });
  return ok(value);
}

/** The merchant's fields of an EMVCo QR: name and city cut to the QR's limits. */
export function qrMerchantFields(merchant: Merchant): Pick<MerchantQrInput, 'merchantName' | 'merchantCity' | 'merchantCategoryCode' | 'countryCode' | 'currency'> {
  return {
    merchantName: merchant.legalName.slice(0, MERCHANT_NAME_CHARS_MAX).trimEnd(),
    merchantCity: merchant.city.slice(0, MERCHANT_CITY_CHARS_MAX).trimEnd(),
    merchantCategoryCode: merchant.mcc,
    countryCode: MERCHANT_COUNTRY,
    currency: currency('KRW'),
  };
}

function encodeQr(input: MerchantQrInput): string {
  const encoded = encodeMerchantQr(input);
  // The contract admits only what a QR can carry; a refusal here is a bug.
  if (!encoded.ok) throw new Error(`assertion failed: merchant QR encodes: ${encoded.error.message}`);
  return encoded.value;
}

export function orderStatus(order: Order, payment: Payment | null, nowMs: number): OrderStatus {
  if (payment?.status === 'SUCCESS') return 'PAID';
  if (payment?.status === 'PROCESSING') return 'PAYING';
  return Date.parse(order.expiresAt) <= nowMs ? 'EXPIRED' : 'OPEN';
}

/** What the network and the payer's wallet are told about a merchant. */
export function merchantWire(merchant: Merchant): MerchantWire {
  return { merchantId: merchant.merchantId, merchantName: merchant.legalName, merchantMcc: merchant.mcc, merchantCity: merchant.city, merchantCountry: MERCHANT_COUNTRY };
}

/** `merchantWire` of a merchant read by id. */
export async function merchantWireOf(store: AcquirerStore, merchantId: MerchantId): Promise<MerchantWire> {
  const merchant = await store.getMerchant(merchantId);
  if (merchant === null) throw new Error(`assertion failed: merchant ${merchantId} of a payment exists`);
  return merchantWire(merchant);
}

function visible(principal: Principal, merchantId: MerchantId): boolean {
  return principal.kind === 'operator' || principal.terminal.merchantId === merchantId;
}

export function createAcquirerService(deps: AcquirerServiceDeps): AcquirerService {
  const { store, flow, now } = deps;
  const operatorKeyHash = sha256(deps.operatorKey);
  const at = (): string => now().toISOString();

  async function approvedMerchant(merchantId: string): Promise<Result<Merchant, AcquirerError>> {
    const merchant = await store.getMerchant(merchantId);
    if (merchant === null) return err({ kind: 'not-found', what: 'merchant' });
    if (merchant.status !== 'approved') return err({ kind: 'merchant-not-approved', status: merchant.status });
    return ok(merchant);
  }

  async function review(merchantId: string, to: OnboardingStatus, reason: string | null): Promise<Result<Merchant, AcquirerError>> {
    const merchant = await store.getMerchant(merchantId);
    if (merchant === null) return err({ kind: 'not-found', what: 'merchant' });
    if (!canMove(ONBOARDING_TRANSITIONS, merchant.status, to)) return err({ kind: 'invalid-state', current: merchant.status, wanted: to });
    const moved = await store.moveMerchant(merchant.merchantId, { from: merchant.status, to, reason, at: at() });
    if (moved === null) return review(merchantId, to, reason); // moved meanwhile: decide again on its new state
    if (to === 'approved') await ensureAccounts(deps.ledger, [moved.merchantId]);
    return ok(moved);
  }

  async function visiblePayment(principal: Principal, paymentId: string): Promise<Result<Payment, AcquirerError>> {
    const payment = await store.getPayment(paymentId);
    // Another merchant's payment is not found: its existence is not the terminal's to know.
    if (payment === null || !visible(principal, payment.merchantId)) return err({ kind: 'not-found', what: 'payment' });
    return ok(payment);
  }

  return {
    async authenticate(token) {
      if (token === undefined) return err({ kind: 'unauthenticated', message: 'send Authorization: Bearer <key>' });
      const presented = sha256(token);
      if (timingSafeEqual(presented, operatorKeyHash)) return ok({ kind: 'operator' });
      const terminal = await store.getTerminalByKeyHash(presented);
      if (terminal === null) return err({ kind: 'unauthenticated', message: 'the key is not valid' });
      return ok({ kind: 'terminal', terminal });
    },

    async registerMerchant(input) {
      const brn = parseBusinessRegistrationNumber(input.businessRegistrationNumber);
      if (!brn.ok) return err({ kind: 'invalid-business-registration-number', message: brn.error.message });
      const merchant = await store.insertMerchant(
        {
          legalName: input.legalName,
          businessRegistrationNumber: brn.value,
          mcc: input.mcc,
          address: input.address,
          city: input.city,
          settlementAccount: input.settlementAccount,
          mdrBps: input.mdrBps ?? MDR_BPS_DEFAULT,
        },
        { idPrefix: deps.idPrefix, at: at() },
      );
      return ok(merchant);
    },
    approveMerchant: (merchantId) => review(merchantId, 'approved', null),
    rejectMerchant: (merchantId, reason) => review(merchantId, 'rejected', reason),
    async getMerchant(merchantId) {
      const merchant = await store.getMerchant(merchantId);
      return merchant === null ? err({ kind: 'not-found', what: 'merchant' }) : ok(merchant);
    },
    async setMerchantMdr(merchantId, input) {
      const merchant = await store.setMerchantMdr(merchantId as MerchantId, input.mdrBps, at());
      return merchant === null ? err({ kind: 'not-found', what: 'merchant' }) : ok(merchant);
    },
    listMerchants: (page) => store.listMerchants({ ...(page.after === undefined ? {} : { afterId: page.after }), limit: page.limit }),

    async addStore(merchantId, input) {
      const merchant = await store.getMerchant(merchantId);
      if (merchant === null) return err({ kind: 'not-found', what: 'merchant' });
      return ok(await store.insertStore({ merchantId: merchant.merchantId, name: input.name, address: input.address ?? null, idPrefix: deps.idPrefix, at: at() }));
    },

    async addTerminal(merchantId, input) {
      const merchant = await approvedMerchant(merchantId);
      if (!merchant.ok) return merchant;
      let storeId: StoreId | null = null;
      if (input.storeId !== undefined) {
        const found = await store.getStore(input.storeId);
        if (found === null || found.merchantId !== merchant.value.merchantId) return err({ kind: 'store-not-found', storeId: input.storeId });
        storeId = found.storeId;
      }
      const terminalKey = randomBytes(TERMINAL_KEY_BYTES).toString('base64url');
      const terminal = await store.insertTerminal({ merchantId: merchant.value.merchantId, storeId, label: input.label, keyHash: sha256(terminalKey), idPrefix: deps.idPrefix, at: at() });
      return ok({ terminal, terminalKey });
    },

    async merchantQr(principal, merchantId) {
      const merchant = await approvedMerchant(merchantId);
      if (!merchant.ok) return merchant;
      if (!visible(principal, merchant.value.merchantId)) return err({ kind: 'forbidden', message: "a terminal reads its own merchant's QR only" });
      const storeId = principal.kind === 'terminal' ? principal.terminal.storeId : null;
      return ok(encodeQr({ initiation: 'static', dari: { merchantId: merchant.value.merchantId, ...(storeId === null ? {} : { storeId }) }, ...qrMerchantFields(merchant.value) }));
    },

    async createOrder(terminal, input) {
      const merchant = await approvedMerchant(terminal.merchantId);
      if (!merchant.ok) return merchant;
      const value = krwAmount(input.amount);
      if (!value.ok) return value;
      const ttlSeconds = input.expiresInSeconds ?? ORDER_TTL_SECONDS_DEFAULT;
      const hash = requestHash([input.amount.currency, input.amount.value, ttlSeconds]);
      const orderId = newOrderId();
      const createdAt = now();
      const expiresAtMs = createdAt.getTime() + ttlSeconds * 1000;
      const qrPayload = encodeQr({
        initiation: 'dynamic',
        dari: { merchantId: terminal.merchantId, ...(terminal.storeId === null ? {} : { storeId: terminal.storeId }) },
        amount: amount(currency('KRW'), value.value),
        orderReference: orderId,
        ...qrMerchantFields(merchant.value),
      });
      const { order } = await store.insertOrder({
        orderId,
        merchantId: terminal.merchantId,
        storeId: terminal.storeId,
        terminalId: terminal.terminalId,
        paymentRequestId: input.paymentRequestId,
        amountKrw: value.value,
        qrPayload,
        expiresAt: new Date(expiresAtMs).toISOString(),
        expiresAtMs,
        createdAt: createdAt.toISOString(),
        requestHash: hash,
      });
      if (order.requestHash !== hash) return err({ kind: 'idempotency-key-reused', key: `paymentRequestId ${input.paymentRequestId}` });
      return ok(order);
    },

    async getOrder(principal, orderId) {
      const order = await store.getOrder(orderId);
      if (order === null || !visible(principal, order.merchantId)) return err({ kind: 'not-found', what: 'order' });
      const payment = await store.paymentOfOrder(order.orderId);
      return ok({ order, payment, status: orderStatus(order, payment, now().getTime()) });
    },

    async payAtPos(terminal, input) {
      const merchant = await approvedMerchant(terminal.merchantId);
      if (!merchant.ok) return merchant;
      const value = krwAmount(input.amount);
      if (!value.ok) return value;
      const hash = requestHash([input.amount.currency, input.amount.value, input.paymentCode]);
      const inserted = await store.insertPayment(
        {
          paymentId: newPaymentId(),
          origin: 'pos',
          merchantId: terminal.merchantId,
          storeId: terminal.storeId,
          terminalId: terminal.terminalId,
          orderId: null,
          idempotencyScope: `terminal:${terminal.terminalId}`,
          requestId: input.paymentRequestId,
          requestHash: hash,
          amountKrw: value.value,
          deadlineAtMs: now().getTime() + deps.paymentDeadlineMs,
        },
        at(),
      );
      if (inserted.kind === 'order-taken') throw new Error('assertion failed: a POS payment has no order');
      if (inserted.kind === 'existing') {
        if (inserted.requestHash !== hash) return err({ kind: 'idempotency-key-reused', key: `paymentRequestId ${input.paymentRequestId}` });
        return ok(inserted.payment);
      }
      return ok(await flow.drivePayment(inserted.payment, { paymentCode: input.paymentCode, merchant: merchantWire(merchant.value) }));
    },

    async getPayment(principal, paymentId) {
      const payment = await visiblePayment(principal, paymentId);
      if (!payment.ok) return payment;
      return ok({ payment: payment.value, refunds: await store.refundsOf(payment.value.paymentId) });
    },

    async refund(principal, paymentId, input) {
      const payment = await visiblePayment(principal, paymentId);
      if (!payment.ok) return payment;
      // The payment bounds a refund, in the reservation below; here only the currency and sign.
      const value = krwAmount(input.amount, AMOUNT_VALUE_MAX);
      if (!value.ok) return value;
      const hash = requestHash([input.amount.currency, input.amount.value]);
      const reserved = await store.reserveRefund(
        { refundId: newRefundId(), paymentId: payment.value.paymentId, refundRequestId: input.refundRequestId, requestHash: hash, amountKrw: value.value },
        at(),
      );
      switch (reserved.kind) {
        case 'payment-not-found':
          return err({ kind: 'not-found', what: 'payment' });
        case 'not-refundable':
          return err({ kind: 'payment-not-refundable', status: reserved.status, cancelRequested: reserved.cancelRequested });
        case 'exceeds':
          return err({ kind: 'refund-exceeds-payment', remainingKrw: reserved.remainingKrw });
        case 'existing':
          if (reserved.requestHash !== hash) return err({ kind: 'idempotency-key-reused', key: `refundRequestId ${input.refundRequestId}` });
          return ok(reserved.refund);
        case 'created':
          return ok(await flow.driveRefund(reserved.refund));
      }
    },

    async cancelPayment(principal, paymentId) {
      const payment = await visiblePayment(principal, paymentId);
      if (!payment.ok) return payment;
      if (payment.value.status === 'CANCELLED') return ok(payment.value);
      if (payment.value.status === 'FAIL') return err({ kind: 'payment-not-cancellable', status: 'FAIL' });
      const requested = await store.requestCancel(payment.value.paymentId, at());
      if (requested.kind === 'not-found') return err({ kind: 'not-found', what: 'payment' });
      if (requested.kind === 'has-refunds') return err({ kind: 'payment-has-refunds' });
      const outcome = await flow.cancel(requested.payment);
      switch (outcome.kind) {
        case 'cancelled':
          return outcome.payment.status === 'CANCELLED' ? ok(outcome.payment) : err({ kind: 'payment-not-cancellable', status: outcome.payment.status });
        case 'refused':
          return err({ kind: 'cancel-refused', resultCode: outcome.resultCode });
        case 'unknown':
          return err({ kind: 'cancel-unknown' });
      }
    },

    merchantWire: (merchantId) => merchantWireOf(store, merchantId),
    async merchantBalanceKrw(merchantId) {
      const balance = await deps.ledger.getAccountBalance(merchantAccountId(merchantId as MerchantId));
      return balance === null ? 0n : balance.creditsPosted - balance.debitsPosted;
    },

    resolveOpen: () => flow.resolveOpen(),
  };
}
