/**
 * The wallet app's use cases: sign up, top up from the simulated card, the
 * balance, payment codes, scanning a QR and the activity list. Paying by
 * scanning (MPM) and answering the network live in `payments.ts`.
 */
import { randomBytes } from 'node:crypto';
import type { Ledger } from '../ledger/index.ts';
import { amount, amountToJson, parseAmountJson, type Amount, type AmountJson } from '../money/index.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { decodeMerchantQr, isDariMerchant } from '../qr/index.ts';
import { ACCOUNT, TRANSFER, TRANSFER_CODE, WALLET_CURRENCY, WALLET_LEDGER, openUserAccounts } from './accounts.ts';
import type { SignupRequest, TopupRequest, TransactionItem } from './contract.ts';
import { requestFingerprint, sha256 } from './digest.ts';
import { walletError, type WalletError } from './errors.ts';
import { sealIdNumber } from './id-number.ts';
import {
  KYC_TIERS,
  PAGE_ITEMS_DEFAULT,
  PAYMENT_CODE_MINT_ATTEMPTS_MAX,
  PAYMENT_CODE_TTL_SECONDS,
  RESOLVE_BATCH_MAX,
  SIMULATED_CARD_CREDIT_CNY_MINOR,
  USER_TOKEN_BYTES,
  limitDay,
} from './limits.ts';
import type { KeyedLock } from '../platform/keyed-lock.ts';
import { mintPaymentCode, paymentCodeHash } from './payment-code.ts';
import type { WalletStore } from './store.ts';
import type { Topup, User, UserEvent, UserId } from './types.ts';

export interface WalletDeps {
  readonly store: WalletStore;
  readonly ledger: Ledger;
  readonly lock: KeyedLock;
  readonly now: () => Date;
  readonly codePrefix: string;
  readonly idNumberKey: Buffer;
}

export interface SignupAnswer {
  readonly userId: UserId;
  readonly token: string;
  readonly kycTier: User['kycTier'];
}

export interface TopupAnswer {
  readonly topupId: string;
  readonly amount: AmountJson;
  readonly balance: AmountJson;
}

export interface ScanAnswer {
  readonly merchant: { readonly name: string; readonly city: string; readonly country: string; readonly mcc: string };
  readonly amount?: AmountJson;
  readonly currency: string;
  readonly supported: boolean;
}

/** A random id with a readable prefix: 16 base64url characters (96 bits). */
export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('base64url')}`;
}

export function createAccountService(deps: WalletDeps) {
  const { store, ledger, now } = deps;

  /** The card's credit from the issuer: signup's last step, re-run by the recovery pass if a crash interrupted it. */
  async function fundCard(userId: UserId): Promise<void> {
    await openUserAccounts(ledger, userId);
    const [outcome] = await ledger.createTransfers([
      { id: TRANSFER.cardFund(userId), debitAccountId: ACCOUNT.bankIssuer, creditAccountId: ACCOUNT.card(userId), amount: SIMULATED_CARD_CREDIT_CNY_MINOR, ledger: WALLET_LEDGER, code: TRANSFER_CODE.cardFund },
    ]);
    if (outcome?.result !== 'ok' && outcome?.result !== 'exists') throw new Error(`assertion failed: card funded, got ${outcome?.result}`);
    await store.markCardFunded(userId);
  }

  async function balanceOf(accountId: string): Promise<Amount> {
    const balance = await ledger.getAccountBalance(accountId);
    if (balance === null) throw new Error(`assertion failed: ledger account ${accountId} exists`);
    return amount(WALLET_CURRENCY, balance.creditsPosted - balance.debitsPosted - balance.debitsPending);
  }

  async function driveTopup(topup: Topup): Promise<Result<TopupAnswer, WalletError>> {
    if (topup.status === 'PROCESSING') {
      const [outcome] = await ledger.createTransfers([
        { id: TRANSFER.topup(topup.topupId), debitAccountId: ACCOUNT.card(topup.userId), creditAccountId: ACCOUNT.user(topup.userId), amount: topup.amount.value, ledger: WALLET_LEDGER, code: TRANSFER_CODE.topup },
      ]);
      if (outcome?.result === 'ok' || outcome?.result === 'exists') {
        await store.finishTopup(topup.topupId, { status: 'SUCCESS', balanceAfter: await balanceOf(ACCOUNT.user(topup.userId)) });
      } else if (outcome?.result === 'exceeds-credits') {
        await store.finishTopup(topup.topupId, { status: 'DECLINED' });
      } else {
        throw new Error(`assertion failed: top-up transfer recorded or refused for the card's credit, got ${outcome?.result}`);
      }
      const finished = await store.topupById(topup.topupId);
      if (finished === undefined || finished.status === 'PROCESSING') throw new Error('assertion failed: top-up finished');
      return driveTopup(finished);
    }
    if (topup.status === 'DECLINED') return err(walletError('card-declined', 'the card does not cover this top-up'));
    if (topup.balanceAfter === null) throw new Error('assertion failed: a successful top-up has its balance');
    return ok({ topupId: topup.topupId, amount: amountToJson(topup.amount), balance: amountToJson(topup.balanceAfter) });
  }

  return {
    async signUp(request: SignupRequest): Promise<SignupAnswer> {
      const userId = newId('usr_') as UserId;
      const token = randomBytes(USER_TOKEN_BYTES).toString('base64url');
      const idNumber = request.idNumber === undefined ? null : sealIdNumber({ key: deps.idNumberKey, userId, idNumber: request.idNumber });
      const kycTier = idNumber === null ? 'basic' : 'verified';
      await store.insertUser({ userId, tokenHash: sha256(token), name: request.name, phone: request.phone, country: request.country, idNumber, kycTier, createdAtMs: now().getTime() });
      await fundCard(userId);
      return { userId, token, kycTier };
    },

    /** The user holding `token`, or undefined; only the token's hash is looked up. */
    async authenticate(token: string): Promise<User | undefined> {
      return store.userByTokenHash(sha256(token));
    },

    async me(user: User) {
      const tier = KYC_TIERS[user.kycTier];
      const day = limitDay(now().getTime());
      const usedToday = await store.paidBetween(user.userId, { fromMs: day.startMs, toMs: day.endMs });
      return {
        userId: user.userId,
        name: user.name,
        phone: user.phone,
        country: user.country,
        idNumberLast4: user.idNumberLast4,
        kycTier: user.kycTier,
        limits: {
          perPayment: amountToJson(amount(WALLET_CURRENCY, tier.perPaymentCnyMinor)),
          daily: amountToJson(amount(WALLET_CURRENCY, tier.dailyCnyMinor)),
          usedToday: amountToJson(amount(WALLET_CURRENCY, usedToday)),
        },
      };
    },

    /** Moves money from the user's card to their wallet; idempotent on (user, requestId). */
    async topUp(user: User, request: TopupRequest): Promise<Result<TopupAnswer, WalletError>> {
      if (request.amount.currency !== WALLET_CURRENCY) {
        return err(walletError('currency-mismatch', `the wallet holds ${WALLET_CURRENCY}; got ${request.amount.currency.slice(0, 8)}`));
      }
      const parsed = parseAmountJson({ currency: request.amount.currency, value: request.amount.value });
      if (!parsed.ok) return err(walletError('invalid-amount', parsed.error.message));
      const requestHash = requestFingerprint({ amount: amountToJson(parsed.value) });
      return deps.lock.run(`topup:${user.userId}:${request.requestId}`, async () => {
        const existing = await store.topupByRequest(user.userId, request.requestId);
        if (existing !== undefined) {
          if (!existing.requestHash.equals(requestHash)) {
            return err(walletError('idempotency-key-reused', `requestId ${request.requestId} was used for another top-up`));
          }
          return driveTopup(existing);
        }
        const topup: Topup = { topupId: newId('tp_'), userId: user.userId, requestId: request.requestId, requestHash, amount: parsed.value, status: 'PROCESSING', balanceAfter: null, createdAtMs: now().getTime() };
        if ((await store.insertTopup(topup)) === 'exists') throw new Error('assertion failed: the lock keeps one top-up per request id');
        return driveTopup(topup);
      });
    },

    async balance(user: User): Promise<{ readonly balance: AmountJson; readonly cardAvailable: AmountJson }> {
      return { balance: amountToJson(await balanceOf(ACCOUNT.user(user.userId))), cardAvailable: amountToJson(await balanceOf(ACCOUNT.card(user.userId))) };
    },

    /** A fresh one-time code for a POS to scan (CPM); only its hash is kept. */
    async issuePaymentCode(user: User): Promise<{ readonly code: string; readonly expiresAt: string }> {
      const createdAtMs = now().getTime();
      const expiresAtMs = createdAtMs + PAYMENT_CODE_TTL_SECONDS * 1000;
      for (let attempt = 0; attempt < PAYMENT_CODE_MINT_ATTEMPTS_MAX; attempt++) {
        const code = mintPaymentCode(deps.codePrefix);
        const inserted = await store.insertPaymentCode({ codeId: newId('pc_'), codeHash: paymentCodeHash(code), userId: user.userId, kind: 'user', expiresAtMs, usedAtMs: null, createdAtMs });
        if (inserted) return { code, expiresAt: new Date(expiresAtMs).toISOString() };
      }
      throw new Error(`assertion failed: a new payment code within ${PAYMENT_CODE_MINT_ATTEMPTS_MAX} attempts`);
    },

    /** What the app shows after scanning a merchant's QR, before paying. */
    scan(qrPayload: string): Result<ScanAnswer, WalletError> {
      const decoded = decodeMerchantQr(qrPayload);
      if (!decoded.ok) return err(walletError('invalid-qr', decoded.error.message));
      const qr = decoded.value;
      return ok({
        merchant: { name: qr.merchantName, city: qr.merchantCity, country: qr.countryCode, mcc: qr.merchantCategoryCode },
        ...(qr.amount === undefined ? {} : { amount: amountToJson(qr.amount) }),
        currency: qr.currency,
        supported: isDariMerchant(qr) && qr.currency === 'KRW',
      });
    },

    /** The user's activity, newest first; `before` is the previous page's `nextBefore`. */
    async transactions(user: User, page: { readonly limit?: number | undefined; readonly before?: string | undefined }) {
      const limit = page.limit ?? PAGE_ITEMS_DEFAULT;
      const events = await store.userEvents(user.userId, { beforeSeq: page.before === undefined ? null : Number(page.before), limit });
      const items: TransactionItem[] = [];
      for (const event of events) items.push(await renderEvent(event));
      const last = events.at(-1);
      return { items, nextBefore: events.length === limit && last !== undefined ? String(last.seq) : null };
    },

    /** Finishes signups a crash interrupted before the card was funded. */
    async resolveOpenAccounts(): Promise<void> {
      for (const userId of await store.usersNotFunded(RESOLVE_BATCH_MAX)) await fundCard(userId);
      for (const topup of await store.openTopups(RESOLVE_BATCH_MAX)) {
        await deps.lock.run(`topup:${topup.userId}:${topup.requestId}`, async () => {
          const current = await store.topupById(topup.topupId);
          if (current !== undefined) await driveTopup(current);
        });
      }
    },
  };

  async function renderEvent(event: UserEvent): Promise<TransactionItem> {
    const missing = (): never => {
      throw new Error(`assertion failed: the ${event.kind} ${event.refId} of an activity line exists`);
    };
    switch (event.kind) {
      case 'topup': {
        const t = (await store.topupById(event.refId)) ?? missing();
        return { type: 'topup', topupId: t.topupId, amount: amountToJson(t.amount), status: t.status, time: iso(t.createdAtMs) };
      }
      case 'payment': {
        const p = (await store.paymentById(event.refId)) ?? missing();
        const d = p.detail ?? missing();
        return { type: 'payment', paymentId: p.paymentId, merchantName: d.merchant.merchantName, paymentAmount: amountToJson(d.paymentAmount), payAmount: amountToJson(d.payAmount), rate: d.fxQuote.rate, status: p.status, time: iso(p.paymentTimeMs ?? p.createdAtMs) };
      }
      case 'mpm': {
        const m = (await store.mpmById(event.refId)) ?? missing();
        const p = await store.paymentByCodeId(m.codeId);
        if (p !== undefined && p.detail !== null) {
          const d = p.detail;
          return { type: 'payment', paymentId: p.paymentId, merchantName: d.merchant.merchantName, paymentAmount: amountToJson(d.paymentAmount), payAmount: amountToJson(d.payAmount), rate: d.fxQuote.rate, status: p.status, time: iso(m.createdAtMs) };
        }
        // No `pay` spent the code: refused, or still possible until the code expires.
        const code = (await store.paymentCodeById(m.codeId)) ?? missing();
        const open = m.refusalCode === null && code.usedAtMs === null && now().getTime() < code.expiresAtMs;
        return { type: 'payment', paymentId: null, merchantName: m.merchantName, paymentAmount: amountToJson(m.paymentAmount), payAmount: null, rate: null, status: open ? 'PROCESSING' : 'FAIL', time: iso(m.createdAtMs) };
      }
      case 'refund': {
        const r = (await store.refundById(event.refId)) ?? missing();
        const p = (await store.paymentById(r.paymentId)) ?? missing();
        return { type: 'refund', refundId: r.refundId, paymentId: r.paymentId, merchantName: p.detail?.merchant.merchantName ?? missing(), refundAmount: amountToJson(r.refundAmount ?? missing()), refundPayAmount: amountToJson(r.refundPayAmount ?? missing()), status: r.status, time: iso(r.refundTimeMs ?? r.createdAtMs) };
      }
      case 'cancellation': {
        const p = (await store.paymentById(event.refId)) ?? missing();
        const d = p.detail ?? missing();
        return { type: 'cancellation', paymentId: p.paymentId, merchantName: d.merchant.merchantName, amount: amountToJson(d.payAmount), time: iso(p.cancelTimeMs ?? event.createdAtMs) };
      }
    }
  }
}

export type AccountService = ReturnType<typeof createAccountService>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
