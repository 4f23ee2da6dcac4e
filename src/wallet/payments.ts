/**
 * Payments as the wallet sees them: answering the network (`pay`, inquiry,
 * cancel, refund), paying by scanning a merchant's QR (MPM), and the
 * recovery pass. The wallet debits its user only when it answers a `pay`,
 * in both modes (protocol/messages.ts), so every payment has one state
 * machine here:
 *
 *     (pay)     PROCESSING ──ledger ok──▶ SUCCESS ──cancel──▶ CANCELLED
 *                   │   └──exceeds-credits──▶ FAIL
 *                   └──cancel──▶ CANCELLED
 *     (refused) FAIL                   (cancel first) CANCELLED tombstone
 *
 * Domain state is written before the ledger call and the final status after
 * it; the ledger is idempotent on `pay:<paymentId>`, so a crash in between is
 * repaired by re-running the same step (`drivePayment`), never by guessing.
 */
import type { Ledger } from '../ledger/index.ts';
import {
  amountToJson,
  currency,
  equals,
  parseAmountJson,
  parseRate,
  type Amount,
} from '../money/index.ts';
import {
  payAmountFor,
  result,
  type AmountWire,
  type CancelPaymentResponse,
  type InquiryPaymentResponse,
  type InquiryRefundResponse,
  type MerchantWire,
  type PayResponse,
  type PeerClient,
  type RefundResponse,
  type ResultCode,
  type WalletPayRequest,
  type WalletPaymentRef,
  type WalletRefundRef,
  type WalletRefundRequest,
} from '../protocol/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { decodeMerchantQr, isDariMerchant } from '../qr/index.ts';
import { ACCOUNT, TRANSFER, TRANSFER_CODE, WALLET_LEDGER } from './accounts.ts';
import type { MpmPaymentRequest } from './contract.ts';
import { requestFingerprint } from './digest.ts';
import { walletError, type WalletError } from './errors.ts';
import { KYC_TIERS, PAYMENT_CODE_MINT_ATTEMPTS_MAX, PAYMENT_CODE_TTL_SECONDS, RESOLVE_BATCH_MAX, limitDay } from './limits.ts';
import type { PayerPseudonym } from './payer-pseudonym.ts';
import { isOwnPaymentCode, mintPaymentCode, paymentCodeHash } from './payment-code.ts';
import { newId, type WalletDeps } from './service.ts';
import type { MpmRequest, Payment, PaymentDetail, Refund, User, UserId } from './types.ts';

const KRW = currency('KRW');
const CNY = currency('CNY');

export interface PaymentDeps extends WalletDeps {
  readonly pseudonym: (ids: { readonly userId: string; readonly merchantId: string }) => PayerPseudonym;
  /** The network, for `userInitiatedPay` (MPM). */
  readonly network: PeerClient;
}

export type MpmAnswer =
  | { readonly status: 'SUCCESS'; readonly paymentId: string; readonly paymentAmount: AmountWire; readonly payAmount: AmountWire; readonly merchant: MerchantWire }
  | { readonly status: 'PROCESSING' };

export function createPaymentService(deps: PaymentDeps) {
  const { store, ledger, lock, now } = deps;
  const nowMs = (): number => now().getTime();

  async function reload(paymentId: string): Promise<Payment> {
    const payment = await store.paymentById(paymentId);
    if (payment === undefined) throw new Error(`assertion failed: payment ${paymentId} recorded`);
    return payment;
  }

  /** One step of a PROCESSING payment: the ledger decides (call under the payment's lock). */
  async function drivePayment(payment: Payment): Promise<Payment> {
    if (payment.status !== 'PROCESSING') return payment;
    const found = await ledger.lookupTransfers([TRANSFER.pay(payment.paymentId), TRANSFER.cancel(payment.paymentId)]);
    if (found.some((t) => t.id === TRANSFER.cancel(payment.paymentId))) {
      // A cancel reversed the debit, then stopped before its status: finish it.
      await store.markCancelled(payment.paymentId, { atMs: nowMs(), journal: true });
    } else if (found.some((t) => t.id === TRANSFER.pay(payment.paymentId))) {
      await store.finishPayment(payment.paymentId, { status: 'SUCCESS', resultCode: 'SUCCESS' });
    } else {
      return debit(payment);
    }
    return reload(payment.paymentId);
  }

  /**
   * Debits the payer of a PROCESSING payment that no transfer names yet and
   * records the outcome (call under the payment's lock). The ledger is
   * idempotent on the transfer's id, so a debit made before a crash is
   * `exists`, not a second debit.
   */
  async function debit(payment: Payment): Promise<Payment> {
    const { userId, detail } = requireDetail(payment);
    const outcome = await transfer(ledger, { id: TRANSFER.pay(payment.paymentId), debitAccountId: ACCOUNT.user(userId), creditAccountId: ACCOUNT.network, amount: detail.payAmount.value, code: TRANSFER_CODE.pay });
    const finished =
      outcome === 'exceeds-credits'
        ? await store.finishPayment(payment.paymentId, { status: 'FAIL', resultCode: 'USER_BALANCE_NOT_ENOUGH' })
        : await store.finishPayment(payment.paymentId, { status: 'SUCCESS', resultCode: 'SUCCESS' });
    // Under the payment's lock it was PROCESSING until now; read it again only if that ever fails to hold.
    return finished ?? reload(payment.paymentId);
  }

  async function driveRefund(refund: Refund): Promise<Refund> {
    if (refund.status !== 'PROCESSING') return refund;
    if (refund.userId === null || refund.refundPayAmount === null) throw new Error('assertion failed: a PROCESSING refund has its user and amount');
    const outcome = await transfer(ledger, { id: TRANSFER.refund(refund.refundId), debitAccountId: ACCOUNT.network, creditAccountId: ACCOUNT.user(refund.userId), amount: refund.refundPayAmount.value, code: TRANSFER_CODE.refund });
    if (outcome !== 'recorded') throw new Error(`assertion failed: a refund credits the user, got ${outcome}`);
    await store.finishRefund(refund.refundId, nowMs());
    const finished = await store.refundById(refund.refundId);
    if (finished === undefined) throw new Error('assertion failed: refund recorded');
    return finished;
  }

  /** The checks of a `pay` that need the user (call under the user's lock); a result code when refused. */
  async function checkPay(request: WalletPayRequest, user: User, atMs: number): Promise<Result<{ paymentAmount: Amount; payAmount: Amount }, ResultCode>> {
    const amounts = checkPayAmounts(request);
    if (!amounts.ok) return amounts;
    const tier = KYC_TIERS[user.kycTier];
    const day = limitDay(atMs);
    const paidToday = await store.paidBetween(user.userId, { fromMs: day.startMs, toMs: day.endMs });
    const payValue = amounts.value.payAmount.value;
    if (payValue > tier.perPaymentCnyMinor || paidToday + payValue > tier.dailyCnyMinor) return err('USER_AMOUNT_EXCEED_LIMIT');
    return amounts;
  }

  async function pay(request: WalletPayRequest): Promise<PayResponse> {
    const requestHash = payFingerprint(request);
    return lock.run(`payment:${request.paymentId}`, async () => {
      const existing = await store.paymentById(request.paymentId);
      if (existing !== undefined) {
        if (existing.requestHash === null) return { result: result('ORDER_IS_CLOSED', 'the payment was cancelled before it arrived') };
        if (!existing.requestHash.equals(requestHash)) return { result: result('REPEAT_REQ_INCONSISTENT') };
        return payAnswer(await drivePayment(existing));
      }
      const refuse = async (code: ResultCode, userId: UserId | null): Promise<PayResponse> => {
        await store.insertRefusedPayment({ paymentId: request.paymentId, requestHash, userId, resultCode: code, atMs: nowMs() });
        return { result: result(code) };
      };
      if (!isOwnPaymentCode(request.paymentCode, deps.codePrefix)) return refuse('INVALID_PAYMENT_CODE', null);
      const code = await store.paymentCodeByHash(paymentCodeHash(request.paymentCode));
      if (code === undefined || code.usedAtMs !== null) return refuse('INVALID_PAYMENT_CODE', null);
      return lock.run(`user:${code.userId}`, async () => {
        const atMs = nowMs();
        if (atMs >= code.expiresAtMs) return refuse('EXPIRED_CODE', code.userId);
        const user = await store.userById(code.userId);
        if (user === undefined) throw new Error('assertion failed: a code belongs to a user');
        const checked = await checkPay(request, user, atMs);
        if (!checked.ok) return refuse(checked.error, user.userId);
        const detail: PaymentDetail = {
          acquirerId: request.acquirerId,
          paymentRequestId: request.paymentRequestId,
          ...checked.value,
          fxQuote: request.fxQuote,
          merchant: request.merchant,
          payerId: deps.pseudonym({ userId: user.userId, merchantId: request.merchant.merchantId }),
        };
        // The code is spent and the payment recorded in one transaction, before any money moves.
        const recorded = await store.recordProcessingPayment({ paymentId: request.paymentId, requestHash, userId: user.userId, codeId: code.codeId, detail, atMs, journal: code.kind === 'user' });
        if (recorded === 'code-used') return refuse('INVALID_PAYMENT_CODE', user.userId);
        // Recorded just now, under this payment's lock: no debit and no cancel of it can exist
        // yet (both need the row, under the same lock), so there is nothing to look up first.
        return payAnswer(await debit(recorded));
      });
    });
  }

  async function inquiryPayment(ref: WalletPaymentRef): Promise<InquiryPaymentResponse> {
    return lock.run(`payment:${ref.paymentId}`, async () => {
      const found = await store.paymentById(ref.paymentId);
      if (found === undefined) return { result: result('ORDER_NOT_EXIST') };
      // Under the lock no `pay` of this id is under way here, so PROCESSING is a crash's leftover: finish it.
      const payment = await drivePayment(found);
      return { result: result('SUCCESS'), paymentId: payment.paymentId, paymentStatus: payment.status, paymentResult: paymentResult(payment), ...(payment.status === 'SUCCESS' ? successFields(payment) : {}) };
    });
  }

  async function cancelPayment(ref: WalletPaymentRef): Promise<CancelPaymentResponse> {
    return lock.run(`payment:${ref.paymentId}`, async () => {
      const payment = await store.paymentById(ref.paymentId);
      const answer = (p: Payment): CancelPaymentResponse => ({ result: result('SUCCESS'), paymentId: ref.paymentId, cancelTime: iso(p.cancelTimeMs ?? nowMs()) });
      if (payment === undefined) {
        await store.insertTombstone(ref.paymentId, nowMs());
        return answer(await reload(ref.paymentId));
      }
      if (payment.status === 'FAIL' || payment.status === 'CANCELLED') return answer(payment);
      const refunds = await store.refundsOfPayment(ref.paymentId);
      if (refunds.some((r) => r.status !== 'FAIL')) return { result: result('CANCEL_WINDOW_EXCEED') };
      const { userId, detail } = requireDetail(payment);
      const [debited] = await ledger.lookupTransfers([TRANSFER.pay(ref.paymentId)]);
      if (debited !== undefined) {
        const outcome = await transfer(ledger, { id: TRANSFER.cancel(ref.paymentId), debitAccountId: ACCOUNT.network, creditAccountId: ACCOUNT.user(userId), amount: detail.payAmount.value, code: TRANSFER_CODE.cancel });
        if (outcome !== 'recorded') throw new Error(`assertion failed: a cancel credits the user, got ${outcome}`);
      }
      // With no debit recorded the payment is closed before it can take any: under the lock nothing re-drives it meanwhile.
      await store.markCancelled(ref.paymentId, { atMs: nowMs(), journal: debited !== undefined });
      return answer(await reload(ref.paymentId));
    });
  }

  async function refund(request: WalletRefundRequest): Promise<RefundResponse> {
    const requestHash = requestFingerprint({ refundId: request.refundId, paymentId: request.paymentId, refundAmount: request.refundAmount, refundPayAmount: request.refundPayAmount });
    return lock.run(`payment:${request.paymentId}`, async () => {
      const existing = await store.refundById(request.refundId);
      if (existing !== undefined) {
        if (!existing.requestHash.equals(requestHash)) return { result: result('REPEAT_REQ_INCONSISTENT') };
        return refundAnswer(await driveRefund(existing));
      }
      const payment = await store.paymentById(request.paymentId);
      const checked = await checkRefund(request, payment);
      const base = { refundId: request.refundId, paymentId: request.paymentId, requestHash, atMs: nowMs() };
      if (!checked.ok) {
        await store.insertRefund({ ...base, userId: payment?.userId ?? null, status: 'FAIL', resultCode: checked.error, refundAmount: null, refundPayAmount: null });
        return { result: result(checked.error) };
      }
      await store.insertRefund({ ...base, userId: checked.value.userId, status: 'PROCESSING', resultCode: 'PAYMENT_IN_PROCESS', refundAmount: checked.value.refundAmount, refundPayAmount: checked.value.refundPayAmount });
      const recorded = await store.refundById(request.refundId);
      if (recorded === undefined) throw new Error('assertion failed: refund recorded');
      return refundAnswer(await driveRefund(recorded));
    });
  }

  async function checkRefund(request: WalletRefundRequest, payment: Payment | undefined): Promise<Result<{ userId: UserId; refundAmount: Amount; refundPayAmount: Amount }, ResultCode>> {
    if (payment === undefined) return err('ORDER_NOT_EXIST');
    if (payment.status !== 'SUCCESS') return err('PAYMENT_NOT_REFUNDABLE');
    const { userId, detail } = requireDetail(payment);
    if (request.refundAmount.currency !== detail.paymentAmount.currency || request.refundPayAmount.currency !== detail.payAmount.currency) return err('CURRENCY_NOT_SUPPORT');
    const refundAmount = parseAmountJson(request.refundAmount);
    const refundPayAmount = parseAmountJson(request.refundPayAmount);
    if (!refundAmount.ok || !refundPayAmount.ok) return err('PARAM_ILLEGAL');
    const earlier = (await store.refundsOfPayment(payment.paymentId)).filter((r) => r.status !== 'FAIL');
    const sum = (pick: (r: Refund) => Amount | null): bigint => earlier.reduce((total, r) => total + (pick(r)?.value ?? 0n), 0n);
    if (sum((r) => r.refundPayAmount) + refundPayAmount.value.value > detail.payAmount.value) return err('REFUND_AMOUNT_EXCEED');
    if (sum((r) => r.refundAmount) + refundAmount.value.value > detail.paymentAmount.value) return err('REFUND_AMOUNT_EXCEED');
    return ok({ userId, refundAmount: refundAmount.value, refundPayAmount: refundPayAmount.value });
  }

  async function inquiryRefund(ref: WalletRefundRef): Promise<InquiryRefundResponse> {
    const found = await store.refundById(ref.refundId);
    if (found === undefined) return { result: result('ORDER_NOT_EXIST') };
    return lock.run(`payment:${found.paymentId}`, async () => {
      const current = await driveRefund((await store.refundById(ref.refundId)) ?? found);
      const amounts = current.refundAmount !== null && current.refundPayAmount !== null ? { refundAmount: amountToJson(current.refundAmount), refundPayAmount: amountToJson(current.refundPayAmount) } : {};
      return { result: result('SUCCESS'), refundId: current.refundId, refundStatus: current.status, refundResult: refundResult(current), ...amounts };
    });
  }

  // ------------------------------------------------------------ merchant-presented (scan to pay)

  /** The user scanned a merchant's QR and pays: mint a one-time code for this payment and ask the network to start it. */
  async function payByScan(user: User, request: MpmPaymentRequest): Promise<Result<MpmAnswer, WalletError>> {
    const decoded = decodeMerchantQr(request.qrPayload);
    if (!decoded.ok) return err(walletError('invalid-qr', decoded.error.message));
    const qr = decoded.value;
    if (!isDariMerchant(qr) || qr.currency !== KRW) return err(walletError('qr-not-supported', 'the wallet pays dari merchants in KRW only'));
    let entered: Amount | undefined;
    if (request.amount !== undefined) {
      if (request.amount.currency !== KRW) return err(walletError('currency-mismatch', `the merchant is paid in ${KRW}; got ${request.amount.currency.slice(0, 8)}`));
      const parsed = parseAmountJson({ currency: request.amount.currency, value: request.amount.value });
      if (!parsed.ok) return err(walletError('invalid-amount', parsed.error.message));
      entered = parsed.value;
    }
    if (qr.amount !== undefined && entered !== undefined && !equals(qr.amount, entered)) {
      return err(walletError('amount-mismatch', `the QR asks for ${qr.amount.value} ${qr.amount.currency}; the amount sent differs`));
    }
    const paymentAmount = qr.amount ?? entered;
    if (paymentAmount === undefined) return err(walletError('amount-required', 'this QR has no amount: send amount in KRW'));
    const requestHash = requestFingerprint({ qrPayload: request.qrPayload, amount: entered === undefined ? null : amountToJson(entered) });

    return lock.run(`mpm:${user.userId}:${request.requestId}`, async () => {
      const existing = await store.mpmByRequest(user.userId, request.requestId);
      if (existing !== undefined) {
        if (!existing.requestHash.equals(requestHash)) return err(walletError('idempotency-key-reused', `requestId ${request.requestId} was used for another payment`));
        return mpmOutcome(existing);
      }
      const { mpm, code } = await recordMpm({ user, requestId: request.requestId, requestHash, merchantName: qr.merchantName, paymentAmount });
      // Only a typed amount travels: a QR with its own amount speaks for itself.
      const outcome = await deps.network.call('networkUserInitiatedPay', {
        userRequestId: mpm.mpmId,
        codeValue: request.qrPayload,
        paymentCode: code,
        ...(qr.amount === undefined ? { paymentAmount: amountToJson(paymentAmount) } : {}),
      });
      if (outcome.kind === 'answered' && outcome.response.result.resultStatus === 'F') {
        await store.refuseMpm(mpm.mpmId, outcome.response.result.resultCode, nowMs());
      }
      // S, U and no answer alike: what the wallet recorded when it answered `pay` is the truth.
      return mpmOutcome((await store.mpmById(mpm.mpmId)) ?? mpm);
    });
  }

  async function recordMpm(input: { user: User; requestId: string; requestHash: Buffer; merchantName: string; paymentAmount: Amount }): Promise<{ mpm: MpmRequest; code: string }> {
    const createdAtMs = nowMs();
    for (let attempt = 0; attempt < PAYMENT_CODE_MINT_ATTEMPTS_MAX; attempt++) {
      const code = mintPaymentCode(deps.codePrefix);
      const mpm: MpmRequest = { mpmId: newId('mpm_'), userId: input.user.userId, requestId: input.requestId, requestHash: input.requestHash, codeId: newId('pc_'), merchantName: input.merchantName, paymentAmount: input.paymentAmount, refusalCode: null, createdAtMs };
      const inserted = await store.insertMpm(mpm, { codeId: mpm.codeId, codeHash: paymentCodeHash(code), userId: mpm.userId, kind: 'mpm', expiresAtMs: createdAtMs + PAYMENT_CODE_TTL_SECONDS * 1000, usedAtMs: null, createdAtMs });
      if (inserted === 'inserted') return { mpm, code };
      if (inserted === 'exists') throw new Error('assertion failed: the lock keeps one scan-to-pay per request id');
    }
    throw new Error(`assertion failed: a new payment code within ${PAYMENT_CODE_MINT_ATTEMPTS_MAX} attempts`);
  }

  /** Where a scan-to-pay stands: the payment its code made, else the network's refusal, else open until the code expires. */
  async function mpmOutcome(mpm: MpmRequest): Promise<Result<MpmAnswer, WalletError>> {
    const payment = await store.paymentByCodeId(mpm.codeId);
    if (payment !== undefined && payment.detail !== null) {
      switch (payment.status) {
        case 'SUCCESS': {
          const d = payment.detail;
          return ok({ status: 'SUCCESS', paymentId: payment.paymentId, paymentAmount: amountToJson(d.paymentAmount), payAmount: amountToJson(d.payAmount), merchant: d.merchant });
        }
        case 'PROCESSING':
          return ok({ status: 'PROCESSING' });
        case 'FAIL':
          return err(refusal(payment.resultCode));
        case 'CANCELLED':
          return err(walletError('payment-refused', 'the payment was cancelled; the money went back to the balance'));
      }
    }
    if (mpm.refusalCode !== null) return err(refusal(mpm.refusalCode));
    const code = await store.paymentCodeById(mpm.codeId);
    if (code === undefined) throw new Error('assertion failed: a scan-to-pay has its code');
    if (code.usedAtMs !== null || nowMs() >= code.expiresAtMs) {
      return err(walletError('payment-refused', 'the payment did not complete before its code expired; nothing was debited'));
    }
    return ok({ status: 'PROCESSING' });
  }

  return {
    pay,
    inquiryPayment,
    cancelPayment,
    refund,
    inquiryRefund,
    payByScan,
    /** One recovery pass: re-drives payments and refunds left PROCESSING by a crash. Idempotent. */
    async resolveOpenPayments(): Promise<void> {
      for (const open of await store.openPayments(RESOLVE_BATCH_MAX)) {
        await lock.run(`payment:${open.paymentId}`, async () => drivePayment(await reload(open.paymentId)));
      }
      for (const open of await store.openRefunds(RESOLVE_BATCH_MAX)) {
        await lock.run(`payment:${open.paymentId}`, async () => {
          const current = await store.refundById(open.refundId);
          if (current !== undefined) await driveRefund(current);
        });
      }
    },
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;

// ---------------------------------------------------------------- pure helpers

/** The currencies and the network's arithmetic, double-checked: payAmount = paymentAmount at the inverted rate, rounded up. */
export function checkPayAmounts(request: WalletPayRequest): Result<{ paymentAmount: Amount; payAmount: Amount }, ResultCode> {
  const { paymentAmount: paymentWire, payAmount: payWire, fxQuote } = request;
  if (paymentWire.currency !== KRW || payWire.currency !== CNY || fxQuote.baseCurrency !== CNY || fxQuote.quoteCurrency !== KRW) {
    return err('CURRENCY_NOT_SUPPORT');
  }
  const paymentAmount = parseAmountJson(paymentWire);
  const payAmount = parseAmountJson(payWire);
  const rate = parseRate(fxQuote.rate, { base: CNY, quote: KRW });
  if (!paymentAmount.ok || !payAmount.ok || !rate.ok) return err('PARAM_ILLEGAL');
  // The network's own rule (protocol's payAmountFor), not a copy of it.
  const expected = payAmountFor(paymentAmount.value, rate.value);
  if (!expected.ok || !equals(expected.value, payAmount.value)) return err('PARAM_ILLEGAL');
  return ok({ paymentAmount: paymentAmount.value, payAmount: payAmount.value });
}

function payFingerprint(r: WalletPayRequest): Buffer {
  return requestFingerprint({
    paymentId: r.paymentId,
    acquirerId: r.acquirerId,
    paymentRequestId: r.paymentRequestId,
    paymentAmount: { currency: r.paymentAmount.currency, value: r.paymentAmount.value },
    payAmount: { currency: r.payAmount.currency, value: r.payAmount.value },
    fxQuote: { quoteId: r.fxQuote.quoteId, baseCurrency: r.fxQuote.baseCurrency, quoteCurrency: r.fxQuote.quoteCurrency, rate: r.fxQuote.rate },
    paymentCode: r.paymentCode,
    merchant: { merchantId: r.merchant.merchantId, merchantName: r.merchant.merchantName, merchantMcc: r.merchant.merchantMcc, merchantCity: r.merchant.merchantCity, merchantCountry: r.merchant.merchantCountry },
  });
}

function requireDetail(payment: Payment): { userId: UserId; detail: PaymentDetail } {
  if (payment.userId === null || payment.detail === null) throw new Error(`assertion failed: payment ${payment.paymentId} has its user and detail`);
  return { userId: payment.userId, detail: payment.detail };
}

/** What a SUCCESS answer carries; never the user's id, name, phone or id number, only the per-merchant pseudonym. */
function successFields(payment: Payment) {
  const { detail } = requireDetail(payment);
  return {
    paymentId: payment.paymentId,
    paymentTime: iso(payment.paymentTimeMs ?? payment.createdAtMs),
    paymentAmount: amountToJson(detail.paymentAmount),
    payAmount: amountToJson(detail.payAmount),
    fxQuote: detail.fxQuote,
    payerId: detail.payerId,
  };
}

function payAnswer(payment: Payment): PayResponse {
  switch (payment.status) {
    case 'SUCCESS':
      return { result: result('SUCCESS'), ...successFields(payment) };
    case 'FAIL':
      return { result: result(payment.resultCode) };
    case 'CANCELLED':
      return { result: result('ORDER_IS_CLOSED') };
    case 'PROCESSING':
      return { result: result('PAYMENT_IN_PROCESS') };
  }
}

function paymentResult(payment: Payment) {
  switch (payment.status) {
    case 'SUCCESS':
      return result('SUCCESS');
    case 'FAIL':
      return result(payment.resultCode);
    case 'CANCELLED':
      return result('ORDER_IS_CLOSED');
    case 'PROCESSING':
      return result('PAYMENT_IN_PROCESS');
  }
}

function refundResult(refund: Refund) {
  switch (refund.status) {
    case 'SUCCESS':
      return result('SUCCESS');
    case 'FAIL':
      return result(refund.resultCode);
    case 'PROCESSING':
      return result('PAYMENT_IN_PROCESS');
  }
}

function refundAnswer(refund: Refund): RefundResponse {
  if (refund.status === 'FAIL') return { result: result(refund.resultCode) };
  if (refund.status === 'PROCESSING') return { result: result('PAYMENT_IN_PROCESS') };
  if (refund.refundAmount === null || refund.refundPayAmount === null) throw new Error('assertion failed: a successful refund has its amounts');
  return { result: result('SUCCESS'), refundId: refund.refundId, refundTime: iso(refund.refundTimeMs ?? refund.createdAtMs), refundAmount: amountToJson(refund.refundAmount), refundPayAmount: amountToJson(refund.refundPayAmount) };
}

/** The network's (or the wallet's own) refusal, as the wallet app sees it. */
export function refusal(code: ResultCode): WalletError {
  switch (code) {
    case 'USER_BALANCE_NOT_ENOUGH':
      return walletError('insufficient-balance', 'the balance does not cover this payment; top up first');
    case 'USER_AMOUNT_EXCEED_LIMIT':
      return walletError('limit-exceeded', 'the payment exceeds your per-payment or daily limit');
    case 'MERCHANT_NOT_REGISTERED':
      return walletError('merchant-not-accepting', 'this merchant does not accept dari payments');
    default:
      return walletError('payment-refused', `the payment was refused (${code})`);
  }
}

/** A ledger transfer in the wallet's CNY ledger: recorded (ok or exists), or refused for the debit account's credit. */
async function transfer(
  ledger: Ledger,
  t: { readonly id: string; readonly debitAccountId: string; readonly creditAccountId: string; readonly amount: bigint; readonly code: number },
): Promise<'recorded' | 'exceeds-credits'> {
  const [outcome] = await ledger.createTransfers([{ ...t, ledger: WALLET_LEDGER }]);
  if (outcome?.result === 'ok' || outcome?.result === 'exists') return 'recorded';
  if (outcome?.result === 'exceeds-credits') return 'exceeds-credits';
  throw new Error(`assertion failed: transfer ${t.id} recorded or refused for credit, got ${outcome?.result}`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
