/**
 * Issue 4's negative space, end to end: the three institutions over real HTTP
 * on loopback, and a table of bad inputs (bad keys, broken signatures, stale
 * and replayed messages, bad payment codes, amounts, currencies, QR codes and
 * business registration numbers, oversized bodies, one tenant reaching for
 * another's data). Each row is refused with its HTTP status and its stable
 * code (or, on the signed protocol, its `resultStatus` and `resultCode`), and
 * after each row every balance on every side is what it was before the table:
 * no bad input moves money. Then every ledger verifies.
 *
 * Where it can, a row sends a request that would be paid if the one thing
 * broken in it were ignored (a fresh, genuine payment code; a genuine
 * signature), so that a missing check shows up as money moving.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { PAYMENT_AMOUNT_MAX_KRW } from '../src/acquirer/index.ts';
import { REQUEST_BODY_BYTES_MAX } from '../src/platform/http/app.ts';
import { CLOCK_SKEW_SECONDS_MAX, SIGNATURE_AGE_SECONDS_MAX, createKeyDirectory, generateSigningKeyPair, type KeyDirectory } from '../src/platform/signing/index.ts';
import { PROTOCOL_ENDPOINTS, type AcquirerPayRequest, type FxQuoteWire, type MerchantWire, type ResultCode } from '../src/protocol/index.ts';
import { PAYMENT_CODE_TTL_SECONDS } from '../src/wallet/index.ts';
import { apiClient, PARTICIPANTS, seedDemo, startDari, WALLET_CODE_PREFIX, type ApiClient, type Dari, type DemoCredentials } from './support/dari.ts';
import { postSigned, signRequest, type SignedRequest, type Signer } from './support/signed-request.ts';

type Party = DemoCredentials['tourists'][number];
type Shop = DemoCredentials['merchants'][number];

/** What the rows act on, set up once before the table. */
interface World {
  readonly dari: Dari;
  readonly api: ApiClient;
  readonly credentials: DemoCredentials;
  /** Verified, with 2,000.00 CNY in the wallet. */
  readonly liWei: Party;
  /** Verified, with an empty wallet. */
  readonly wangFang: Party;
  /** Basic tier (1,000.00 CNY a payment), with an empty wallet. */
  readonly zhangMin: Party;
  readonly shopA: Shop;
  readonly shopB: Shop;
  /** The participants' public keys, to check who signed each protocol answer. */
  readonly keys: KeyDirectory;
  /** Shop A's payment of 15,000 KRW by Li Wei, refunded 5,000 KRW: 10,000 KRW remain refundable. */
  readonly paid: {
    readonly posRequest: { readonly paymentRequestId: string; readonly amount: { readonly currency: string; readonly value: string }; readonly paymentCode: string };
    readonly refundRequest: { readonly refundRequestId: string; readonly amount: { readonly currency: string; readonly value: string } };
    readonly refundId: string;
    /** The acquirer's id, which is the `paymentRequestId` it sent the network. */
    readonly paymentId: string;
    /** The network's id, which is the `paymentId` it sent the wallet. */
    readonly networkPaymentId: string;
    readonly fxQuote: FxQuoteWire;
    readonly merchant: MerchantWire;
  };
  /** Shop A's payment that the wallet refused (an unissued code): FAIL on every side, nothing moved. */
  readonly failedPaymentId: string;
  /** Shop A's static EMVCo QR (no amount). */
  readonly staticQr: string;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** For a protocol answer: who signed it (null when unsigned or badly signed). */
  readonly signedBy?: string | null;
}

type Expected =
  /** A public API refusal: `{"error":{"code"}}` with this status. */
  | { readonly status: number; readonly code: string }
  /** A signed protocol answer: HTTP 200, this result, signed by the institution that refused. */
  | { readonly result: `${'F' | 'U'} ${ResultCode}`; readonly signedBy: keyof typeof PARTICIPANTS }
  /** An answer that is not a refusal (a repeat of an earlier request, a tenant's own data): checked by hand. */
  | { readonly status: number; readonly check: (body: unknown, w: World) => void };

interface BadInput {
  readonly name: string;
  readonly send: (w: World, t: TestContext) => Promise<Answer>;
  readonly expected: Expected;
}

const krw = (value: string) => ({ currency: 'KRW', value });
const cny = (value: string) => ({ currency: 'CNY', value });

let sequence = 0;
/** A request id no earlier request used. */
const fresh = (what: string): string => `${what}-${++sequence}`;

/** A payment code the wallet has never issued: its prefix, then 14 nines. */
const UNISSUED_CODE = `${WALLET_CODE_PREFIX}99999999999999`;

async function paymentCode(w: World, tourist: Party): Promise<string> {
  return (await w.api.call<{ code: string }>('POST', '/wallet/v1/payment-codes', { token: tourist.token })).code;
}

/** Any request, with headers and a body exactly as given; a stream goes chunked, without a Content-Length. */
async function raw(w: World, method: string, path: string, init: { readonly headers?: Record<string, string>; readonly body?: string | ReadableStream<Uint8Array> } = {}): Promise<Answer> {
  const body = init.body === undefined ? {} : typeof init.body === 'string' ? { body: init.body } : { body: init.body, duplex: 'half' };
  const response = await fetch(`${w.dari.url}${path}`, { method, headers: init.headers ?? {}, ...body } as RequestInit);
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

const call = (w: World, method: string, path: string, token: string | undefined, body?: unknown): Promise<Answer> =>
  w.api.request(method, path, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }) });

const pos = (w: World, token: string, body: unknown): Promise<Answer> => call(w, 'POST', '/acquirer/v1/payments', token, body);

const scanToPay = (w: World, tourist: Party, amount: unknown, qrPayload = w.staticQr): Promise<Answer> =>
  call(w, 'POST', '/wallet/v1/payments', tourist.token, { requestId: fresh('scan'), qrPayload, ...(amount === undefined ? {} : { amount }) });

const signer = (w: World, who: keyof typeof PARTICIPANTS): Signer => ({ clientId: PARTICIPANTS[who], privateKey: w.dari.secrets.keys[who].privateKey });

/**
 * A `pay` the network would carry out: Li Wei's fresh code, 1,000 KRW at shop
 * A. Each signature row breaks one thing in it.
 */
async function payablePay(w: World): Promise<AcquirerPayRequest> {
  return { paymentRequestId: fresh('hand-pay'), paymentAmount: krw('1000'), paymentCode: await paymentCode(w, w.liWei), merchant: w.paid.merchant };
}

const PAY_PATH = PROTOCOL_ENDPOINTS.networkPay.path;

async function sendSigned(w: World, path: string, request: SignedRequest): Promise<Answer> {
  return postSigned({ baseUrl: w.dari.url, path, request, keys: w.keys });
}

/** A body of exactly `bytes` bytes: `json` padded with spaces, which JSON allows. */
function paddedJson(json: unknown, bytes: number): string {
  const text = JSON.stringify(json);
  assert.ok(Buffer.byteLength(text) <= bytes);
  return text.padEnd(bytes, ' ');
}

/** The three institutions, for their ledgers. */
function institutions(w: World) {
  return [['wallet', w.dari.wallet], ['acquirer', w.dari.acquirer], ['network', w.dari.network]] as const;
}

function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } } | null)?.error?.code;
}

const BAD_INPUTS: readonly BadInput[] = [
  // ------------------------------------------------------------ bearer keys
  { name: 'POS payment without a bearer key', send: async (w) => pos(w, '', { paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: await paymentCode(w, w.liWei) }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: 'POS payment with a wrong bearer key', send: async (w) => pos(w, `${w.shopA.terminalKey}x`, { paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: await paymentCode(w, w.liWei) }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
  {
    name: 'POS payment with the right key in a Basic header',
    send: async (w) =>
      raw(w, 'POST', '/acquirer/v1/payments', {
        headers: { Authorization: `Basic ${w.shopA.terminalKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: await paymentCode(w, w.liWei) }),
      }),
    expected: { status: 401, code: 'UNAUTHENTICATED' },
  },
  { name: 'a payment code for a wrong wallet token', send: (w) => call(w, 'POST', '/wallet/v1/payment-codes', 'not-a-token'), expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: 'a top-up without a wallet token', send: (w) => call(w, 'POST', '/wallet/v1/topups', undefined, { requestId: fresh('topup'), amount: cny('1000') }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: 'network positions with a wrong operator key', send: (w) => call(w, 'GET', '/network/v1/positions', `${w.credentials.networkOperatorKey}x`), expected: { status: 401, code: 'UNAUTHENTICATED' } },

  // ------------------------------------------------------------ the signed protocol (a payable pay, one thing broken)
  {
    name: 'pay whose body is not the one signed (amount raised)',
    send: async (w) => {
      const pay = await payablePay(w);
      const signed = signRequest({ path: PAY_PATH, body: pay, signer: signer(w, 'acquirer') });
      return sendSigned(w, PAY_PATH, { ...signed, body: JSON.stringify({ ...pay, paymentAmount: krw('100000') }) });
    },
    expected: { result: 'F INVALID_SIGNATURE', signedBy: 'network' },
  },
  {
    name: 'pay without its Signature header',
    send: async (w) => {
      const signed = signRequest({ path: PAY_PATH, body: await payablePay(w), signer: signer(w, 'acquirer') });
      const { Signature: _dropped, ...headers } = signed.headers;
      return sendSigned(w, PAY_PATH, { headers, body: signed.body });
    },
    expected: { result: 'F INVALID_SIGNATURE', signedBy: 'network' },
  },
  {
    name: 'pay with no signing headers at all',
    send: async (w) => sendSigned(w, PAY_PATH, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(await payablePay(w)) }),
    expected: { result: 'F INVALID_SIGNATURE', signedBy: 'network' },
  },
  {
    name: "pay in the acquirer's name signed with the wallet's key",
    send: async (w) => sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: await payablePay(w), signer: { clientId: PARTICIPANTS.acquirer, privateKey: w.dari.secrets.keys.wallet.privateKey } })),
    expected: { result: 'F INVALID_SIGNATURE', signedBy: 'network' },
  },
  {
    name: 'pay signed under a key version the network does not hold',
    send: async (w) => sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: await payablePay(w), signer: { ...signer(w, 'acquirer'), keyVersion: 2 } })),
    expected: { result: 'F INVALID_SIGNATURE', signedBy: 'network' },
  },
  {
    name: 'pay with a stale Request-Time (older than SIGNATURE_AGE_SECONDS_MAX)',
    send: async (w) =>
      sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: await payablePay(w), signer: signer(w, 'acquirer'), requestTime: new Date(Date.now() - (SIGNATURE_AGE_SECONDS_MAX + 30) * 1000) })),
    expected: { result: 'F INVALID_SIGNATURE', signedBy: 'network' },
  },
  {
    name: 'pay with a Request-Time from the future (beyond CLOCK_SKEW_SECONDS_MAX)',
    send: async (w) =>
      sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: await payablePay(w), signer: signer(w, 'acquirer'), requestTime: new Date(Date.now() + (CLOCK_SKEW_SECONDS_MAX + 30) * 1000) })),
    expected: { result: 'F INVALID_SIGNATURE', signedBy: 'network' },
  },
  {
    name: 'pay from a client the network does not know',
    send: async (w) => sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: await payablePay(w), signer: { clientId: 'ACQ_KR_99', privateKey: generateSigningKeyPair().privateKey } })),
    expected: { result: 'F INVALID_CLIENT', signedBy: 'network' },
  },
  {
    name: 'pay genuinely signed by the wallet (only an acquirer may send pay)',
    send: async (w) => sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: await payablePay(w), signer: signer(w, 'wallet') })),
    expected: { result: 'F ACCESS_DENIED', signedBy: 'network' },
  },
  {
    name: 'pay replayed byte for byte (ADR 8: unknown, not failed)',
    send: async (w) => {
      const request = signRequest({ path: PAY_PATH, body: { ...(await payablePay(w)), paymentCode: UNISSUED_CODE }, signer: signer(w, 'acquirer') });
      const first = await sendSigned(w, PAY_PATH, request);
      assert.deepEqual((first.body as { result: unknown }).result, { resultStatus: 'F', resultCode: 'INVALID_PAYMENT_CODE', resultMessage: 'the payment code is unknown, already used or not for this wallet' });
      return sendSigned(w, PAY_PATH, request);
    },
    expected: { result: 'U REQUEST_REPLAYED', signedBy: 'network' },
  },
  {
    name: 'pay with a malformed amount, genuinely signed',
    send: async (w) => sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: { ...(await payablePay(w)), paymentAmount: krw('1,000') }, signer: signer(w, 'acquirer') })),
    expected: { result: 'F PARAM_ILLEGAL', signedBy: 'network' },
  },
  {
    name: 'pay in CNY from a KRW acquirer, genuinely signed',
    send: async (w) => sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: { ...(await payablePay(w)), paymentAmount: cny('1000') }, signer: signer(w, 'acquirer') })),
    expected: { result: 'F CURRENCY_NOT_SUPPORT', signedBy: 'network' },
  },
  {
    name: "pay for a merchant outside the acquirer's prefix, genuinely signed",
    send: async (w) => {
      const pay = await payablePay(w);
      return sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: { ...pay, merchant: { ...pay.merchant, merchantId: 'OTHER1' } }, signer: signer(w, 'acquirer') }));
    },
    expected: { result: 'F MERCHANT_NOT_REGISTERED', signedBy: 'network' },
  },
  {
    name: 'refund above what remains, genuinely signed by the acquirer',
    send: (w) => {
      const path = PROTOCOL_ENDPOINTS.networkRefund.path;
      return sendSigned(w, path, signRequest({ path, body: { refundRequestId: fresh('hand-refund'), paymentRequestId: w.paid.paymentId, refundAmount: krw('10001') }, signer: signer(w, 'acquirer') }));
    },
    expected: { result: 'F REFUND_AMOUNT_EXCEED', signedBy: 'network' },
  },
  {
    name: "the wallet's pay, signed by the acquirer (only the network may call the wallet)",
    send: async (w) => {
      const path = PROTOCOL_ENDPOINTS.walletPay.path;
      const pay = await payablePay(w);
      // 1,000 KRW at 190.25 KRW a yuan is 5.2562… CNY, rounded up: a request the wallet would pay if the network sent it.
      const body = { ...pay, paymentId: fresh('NPhand'), acquirerId: PARTICIPANTS.acquirer, payAmount: cny('526'), fxQuote: w.paid.fxQuote };
      return sendSigned(w, path, signRequest({ path, body, signer: signer(w, 'acquirer') }));
    },
    expected: { result: 'F ACCESS_DENIED', signedBy: 'wallet' },
  },
  {
    name: "the wallet's refund above what remains, signed by the network itself",
    send: (w) => {
      const path = PROTOCOL_ENDPOINTS.walletRefund.path;
      // 10,000 KRW and 52.56 CNY remain of 15,000 KRW / 78.85 CNY after the 5,000 KRW / 26.29 CNY refund.
      const body = { refundId: fresh('NRhand'), paymentId: w.paid.networkPaymentId, refundAmount: krw('10001'), refundPayAmount: cny('5257') };
      return sendSigned(w, path, signRequest({ path, body, signer: signer(w, 'network') }));
    },
    expected: { result: 'F REFUND_AMOUNT_EXCEED', signedBy: 'wallet' },
  },
  {
    name: "the wallet's inquiry replayed byte for byte, signed by the network",
    send: async (w) => {
      const path = PROTOCOL_ENDPOINTS.walletInquiryPayment.path;
      const request = signRequest({ path, body: { paymentId: w.paid.networkPaymentId }, signer: signer(w, 'network') });
      const first = await sendSigned(w, path, request);
      assert.equal((first.body as { paymentStatus?: string }).paymentStatus, 'SUCCESS', JSON.stringify(first.body));
      return sendSigned(w, path, request);
    },
    expected: { result: 'U REQUEST_REPLAYED', signedBy: 'wallet' },
  },
  {
    name: "the acquirer's notify of a success, signed by the wallet (only the network notifies)",
    send: (w) => {
      const path = PROTOCOL_ENDPOINTS.acquirerNotifyPayment.path;
      return sendSigned(w, path, signRequest({ path, body: forgedSuccess(w), signer: signer(w, 'wallet') }));
    },
    expected: { result: 'F ACCESS_DENIED', signedBy: 'acquirer' },
  },
  {
    name: 'a notify from the network that a failed payment succeeded (never silently applied)',
    send: (w) => {
      const path = PROTOCOL_ENDPOINTS.acquirerNotifyPayment.path;
      return sendSigned(w, path, signRequest({ path, body: forgedSuccess(w), signer: signer(w, 'network') }));
    },
    expected: { result: 'F ORDER_STATUS_INVALID', signedBy: 'acquirer' },
  },
  {
    name: 'pay genuinely signed, one byte over REQUEST_BODY_BYTES_MAX',
    send: async (w) => sendSigned(w, PAY_PATH, signRequest({ path: PAY_PATH, body: paddedJson(await payablePay(w), REQUEST_BODY_BYTES_MAX + 1), signer: signer(w, 'acquirer') })),
    expected: { status: 413, code: 'BODY_TOO_LARGE' },
  },

  // ------------------------------------------------------------ payment codes (POS)
  { name: 'a payment code the wallet never issued', send: (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: UNISSUED_CODE }), expected: { status: 422, code: 'INVALID_PAYMENT_CODE' } },
  { name: 'a payment code of no registered wallet', send: (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: '999912345678901234' }), expected: { status: 422, code: 'UNKNOWN_WALLET' } },
  {
    name: 'an expired payment code',
    send: async (w, t) => {
      // The code is shown a little over its lifetime ago: the one process's clock is set back while the wallet issues it
      // (no signed message is sent meanwhile, so no institution's Request-Time moves), then the POS scans it now.
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() - (PAYMENT_CODE_TTL_SECONDS + 1) * 1000 });
      let issued: { code: string; expiresAt: string };
      try {
        issued = await w.api.call<{ code: string; expiresAt: string }>('POST', '/wallet/v1/payment-codes', { token: w.liWei.token });
      } finally {
        t.mock.timers.reset();
      }
      assert.ok(Date.parse(issued.expiresAt) < Date.now(), `the code expired at ${issued.expiresAt}`);
      return pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: issued.code });
    },
    expected: { status: 422, code: 'PAYMENT_CODE_EXPIRED' },
  },
  { name: 'a payment code already used', send: (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: w.paid.posRequest.paymentCode }), expected: { status: 422, code: 'INVALID_PAYMENT_CODE' } },
  { name: 'a malformed payment code (17 digits)', send: async (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: (await paymentCode(w, w.liWei)).slice(1) }), expected: { status: 400, code: 'INVALID_REQUEST' } },

  // ------------------------------------------------------------ balance, limits, currencies, amounts
  { name: 'insufficient balance (POS)', send: async (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw('15000'), paymentCode: await paymentCode(w, w.wangFang) }), expected: { status: 402, code: 'INSUFFICIENT_BALANCE' } },
  { name: 'insufficient balance (scan to pay)', send: (w) => scanToPay(w, w.wangFang, krw('15000')), expected: { status: 402, code: 'INSUFFICIENT_BALANCE' } },
  // 200,000 KRW is 1,051.25 CNY, over the basic tier's 1,000.00 CNY a payment.
  { name: 'over the per-payment limit (POS)', send: async (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw('200000'), paymentCode: await paymentCode(w, w.zhangMin) }), expected: { status: 422, code: 'LIMIT_EXCEEDED' } },
  { name: 'over the per-payment limit (scan to pay)', send: (w) => scanToPay(w, w.zhangMin, krw('200000')), expected: { status: 422, code: 'LIMIT_EXCEEDED' } },
  { name: 'a POS payment in CNY', send: async (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: cny('1000'), paymentCode: await paymentCode(w, w.liWei) }), expected: { status: 422, code: 'CURRENCY_NOT_SUPPORTED' } },
  { name: 'a top-up in KRW', send: (w) => call(w, 'POST', '/wallet/v1/topups', w.liWei.token, { requestId: fresh('topup'), amount: krw('1000') }), expected: { status: 400, code: 'CURRENCY_MISMATCH' } },
  { name: 'scan to pay in CNY', send: (w) => scanToPay(w, w.liWei, cny('1000')), expected: { status: 400, code: 'CURRENCY_MISMATCH' } },
  { name: 'a refund in CNY', send: (w) => call(w, 'POST', `/acquirer/v1/payments/${w.paid.paymentId}/refunds`, w.shopA.terminalKey, { refundRequestId: fresh('refund'), amount: cny('100') }), expected: { status: 422, code: 'CURRENCY_NOT_SUPPORTED' } },
  { name: 'a POS amount with a decimal point', send: async (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw('1000.5'), paymentCode: await paymentCode(w, w.liWei) }), expected: { status: 400, code: 'INVALID_REQUEST' } },
  { name: 'a POS amount as a JSON number', send: async (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: { currency: 'KRW', value: 1000 }, paymentCode: await paymentCode(w, w.liWei) }), expected: { status: 400, code: 'INVALID_REQUEST' } },
  { name: 'a POS amount of zero', send: async (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw('0'), paymentCode: await paymentCode(w, w.liWei) }), expected: { status: 400, code: 'INVALID_AMOUNT' } },
  {
    name: 'a POS amount above PAYMENT_AMOUNT_MAX_KRW',
    send: async (w) => pos(w, w.shopA.terminalKey, { paymentRequestId: fresh('pos'), amount: krw(String(PAYMENT_AMOUNT_MAX_KRW + 1n)), paymentCode: await paymentCode(w, w.liWei) }),
    expected: { status: 422, code: 'AMOUNT_EXCEEDS_LIMIT' },
  },
  { name: 'a negative top-up', send: (w) => call(w, 'POST', '/wallet/v1/topups', w.liWei.token, { requestId: fresh('topup'), amount: cny('-100') }), expected: { status: 400, code: 'INVALID_AMOUNT' } },
  { name: 'a refund above what remains', send: (w) => call(w, 'POST', `/acquirer/v1/payments/${w.paid.paymentId}/refunds`, w.shopA.terminalKey, { refundRequestId: fresh('refund'), amount: krw('10001') }), expected: { status: 422, code: 'REFUND_EXCEEDS_PAYMENT' } },
  { name: 'a refund of zero', send: (w) => call(w, 'POST', `/acquirer/v1/payments/${w.paid.paymentId}/refunds`, w.shopA.terminalKey, { refundRequestId: fresh('refund'), amount: krw('0') }), expected: { status: 400, code: 'INVALID_AMOUNT' } },

  // ------------------------------------------------------------ repeated requests on the public API
  {
    name: 'the paid POS request sent again as is: its first outcome, charged once',
    send: (w) => pos(w, w.shopA.terminalKey, w.paid.posRequest),
    expected: {
      status: 201,
      check: (body, w) => assert.deepEqual([(body as { paymentId: string }).paymentId, (body as { status: string }).status], [w.paid.paymentId, 'SUCCESS']),
    },
  },
  { name: 'the paid POS request id with another amount', send: (w) => pos(w, w.shopA.terminalKey, { ...w.paid.posRequest, amount: krw('15001') }), expected: { status: 409, code: 'IDEMPOTENCY_KEY_REUSED' } },
  {
    name: 'the refund request sent again as is: its first outcome, refunded once',
    send: (w) => call(w, 'POST', `/acquirer/v1/payments/${w.paid.paymentId}/refunds`, w.shopA.terminalKey, w.paid.refundRequest),
    expected: {
      status: 201,
      check: (body, w) => assert.deepEqual([(body as { refundId: string }).refundId, (body as { status: string }).status], [w.paid.refundId, 'SUCCESS']),
    },
  },
  {
    name: 'the refund request id with another amount',
    send: (w) => call(w, 'POST', `/acquirer/v1/payments/${w.paid.paymentId}/refunds`, w.shopA.terminalKey, { ...w.paid.refundRequest, amount: krw('4000') }),
    expected: { status: 409, code: 'IDEMPOTENCY_KEY_REUSED' },
  },
  { name: "the demo seed's top-up request id with another amount", send: (w) => call(w, 'POST', '/wallet/v1/topups', w.liWei.token, { requestId: 'demo-seed-topup', amount: cny('300000') }), expected: { status: 409, code: 'IDEMPOTENCY_KEY_REUSED' } },

  // ------------------------------------------------------------ QR codes
  { name: 'scan to pay a malformed QR', send: (w) => scanToPay(w, w.liWei, krw('1000'), 'https://example.com/not-an-emv-qr'), expected: { status: 400, code: 'INVALID_QR' } },
  {
    name: 'scan to pay a QR whose CRC is wrong',
    send: (w) => scanToPay(w, w.liWei, krw('1000'), `${w.staticQr.slice(0, -4)}${w.staticQr.slice(-4) === '0000' ? '0001' : '0000'}`),
    expected: { status: 400, code: 'INVALID_QR' },
  },
  { name: 'scan a malformed QR', send: (w) => call(w, 'POST', '/wallet/v1/scans', w.liWei.token, { qrPayload: '000201' }), expected: { status: 400, code: 'INVALID_QR' } },
  { name: 'scan to pay a static QR without an amount', send: (w) => scanToPay(w, w.liWei, undefined), expected: { status: 400, code: 'AMOUNT_REQUIRED' } },

  // ------------------------------------------------------------ merchant onboarding
  {
    name: 'a merchant whose business registration number has a wrong check digit',
    // 220-81-62517 is valid (the demo's first merchant); its last digit changed.
    send: (w) => call(w, 'POST', '/acquirer/v1/merchants', w.credentials.acquirerOperatorKey, merchantApplication('220-81-62518')),
    expected: { status: 400, code: 'INVALID_BUSINESS_REGISTRATION_NUMBER' },
  },
  { name: 'a merchant whose business registration number is not 10 digits', send: (w) => call(w, 'POST', '/acquirer/v1/merchants', w.credentials.acquirerOperatorKey, merchantApplication('220-81-6251')), expected: { status: 400, code: 'INVALID_BUSINESS_REGISTRATION_NUMBER' } },

  // ------------------------------------------------------------ body size and shape
  {
    name: 'a POS body one byte over REQUEST_BODY_BYTES_MAX',
    send: async (w) =>
      raw(w, 'POST', '/acquirer/v1/payments', {
        headers: { Authorization: `Bearer ${w.shopA.terminalKey}`, 'Content-Type': 'application/json' },
        body: paddedJson({ paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: await paymentCode(w, w.liWei) }, REQUEST_BODY_BYTES_MAX + 1),
      }),
    expected: { status: 413, code: 'BODY_TOO_LARGE' },
  },
  {
    // A limit read from Content-Length alone would let this one through.
    name: 'a POS body one byte over REQUEST_BODY_BYTES_MAX, streamed without a Content-Length',
    send: async (w) => {
      const bytes = Buffer.from(paddedJson({ paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: await paymentCode(w, w.liWei) }, REQUEST_BODY_BYTES_MAX + 1));
      const chunkBytes = 4096;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += chunkBytes) controller.enqueue(bytes.subarray(at, at + chunkBytes));
          controller.close();
        },
      });
      return raw(w, 'POST', '/acquirer/v1/payments', { headers: { Authorization: `Bearer ${w.shopA.terminalKey}`, 'Content-Type': 'application/json' }, body });
    },
    expected: { status: 413, code: 'BODY_TOO_LARGE' },
  },
  {
    // The limit is exact: a body of REQUEST_BODY_BYTES_MAX bytes is read (and this one refused for what it says).
    name: 'a POS body of exactly REQUEST_BODY_BYTES_MAX bytes, with a malformed amount',
    send: async (w) =>
      raw(w, 'POST', '/acquirer/v1/payments', {
        headers: { Authorization: `Bearer ${w.shopA.terminalKey}`, 'Content-Type': 'application/json' },
        body: paddedJson({ paymentRequestId: fresh('pos'), amount: krw('1e3'), paymentCode: await paymentCode(w, w.liWei) }, REQUEST_BODY_BYTES_MAX),
      }),
    expected: { status: 400, code: 'INVALID_REQUEST' },
  },
  {
    name: 'a POS body that is not JSON',
    send: (w) => raw(w, 'POST', '/acquirer/v1/payments', { headers: { Authorization: `Bearer ${w.shopA.terminalKey}`, 'Content-Type': 'application/json' }, body: '{"paymentRequestId":' }),
    expected: { status: 400, code: 'INVALID_REQUEST' },
  },

  // ------------------------------------------------------------ tenants
  { name: "shop B's terminal reads shop A's payment", send: (w) => call(w, 'GET', `/acquirer/v1/payments/${w.paid.paymentId}`, w.shopB.terminalKey), expected: { status: 404, code: 'NOT_FOUND' } },
  { name: "shop B's terminal refunds shop A's payment", send: (w) => call(w, 'POST', `/acquirer/v1/payments/${w.paid.paymentId}/refunds`, w.shopB.terminalKey, { refundRequestId: fresh('refund'), amount: krw('1000') }), expected: { status: 404, code: 'NOT_FOUND' } },
  { name: "shop B's terminal cancels shop A's payment", send: (w) => call(w, 'POST', `/acquirer/v1/payments/${w.paid.paymentId}/cancel`, w.shopB.terminalKey), expected: { status: 404, code: 'NOT_FOUND' } },
  { name: "shop B's terminal follows shop A's payment events", send: (w) => call(w, 'GET', `/acquirer/v1/payments/${w.paid.paymentId}/events`, w.shopB.terminalKey), expected: { status: 404, code: 'NOT_FOUND' } },
  { name: "shop B's terminal reads shop A's QR", send: (w) => call(w, 'GET', `/acquirer/v1/merchants/${w.shopA.merchantId}/qr`, w.shopB.terminalKey), expected: { status: 403, code: 'FORBIDDEN' } },
  {
    name: "a tourist's token reads that tourist's profile",
    send: (w) => call(w, 'GET', '/wallet/v1/me', w.wangFang.token),
    expected: { status: 200, check: (body, w) => assert.deepEqual([(body as { userId: string }).userId, (body as { name: string }).name], [w.wangFang.userId, w.wangFang.name]) },
  },
  {
    name: "a tourist's token reads that tourist's balance, not another's",
    send: (w) => call(w, 'GET', '/wallet/v1/balance', w.wangFang.token),
    expected: { status: 200, check: (body) => assert.deepEqual((body as { balance: unknown }).balance, cny('0')) },
  },
  {
    name: "a tourist's activity holds nothing of another tourist's",
    send: (w) => call(w, 'GET', '/wallet/v1/transactions?limit=100', w.wangFang.token),
    expected: {
      status: 200,
      check: (body, w) => {
        // Wang Fang never topped up and has only the refused payments of the rows above; Li Wei has a top-up and a paid payment.
        const items = (body as { items: { type: string; paymentId?: string | null; status?: string }[] }).items;
        assert.ok(items.every((item) => item.type === 'payment' && item.status === 'FAIL' && item.paymentId !== w.paid.networkPaymentId), JSON.stringify(items));
      },
    },
  },
  { name: 'a terminal key on the merchant list (operator)', send: (w) => call(w, 'GET', '/acquirer/v1/merchants', w.shopA.terminalKey), expected: { status: 403, code: 'FORBIDDEN' } },
  { name: "a terminal key on its own merchant's balance (operator)", send: (w) => call(w, 'GET', `/acquirer/v1/merchants/${w.shopA.merchantId}/balance`, w.shopA.terminalKey), expected: { status: 403, code: 'FORBIDDEN' } },
  { name: 'a terminal key minting itself another terminal (operator)', send: (w) => call(w, 'POST', `/acquirer/v1/merchants/${w.shopA.merchantId}/terminals`, w.shopA.terminalKey, { label: 'Counter 2' }), expected: { status: 403, code: 'FORBIDDEN' } },
  { name: 'a terminal key onboarding a merchant (operator)', send: (w) => call(w, 'POST', '/acquirer/v1/merchants', w.shopA.terminalKey, merchantApplication('220-81-62517')), expected: { status: 403, code: 'FORBIDDEN' } },
  { name: "a terminal key on the network's positions", send: (w) => call(w, 'GET', '/network/v1/positions', w.shopA.terminalKey), expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: "a terminal key setting the network's FX rate", send: (w) => call(w, 'PUT', '/network/v1/fx-rates/CNY/KRW', w.shopA.terminalKey, { rate: '1' }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: "the acquirer operator's key setting the network's FX rate", send: (w) => call(w, 'PUT', '/network/v1/fx-rates/CNY/KRW', w.credentials.acquirerOperatorKey, { rate: '1' }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: "the acquirer operator's key on the POS endpoint (terminals only)", send: async (w) => pos(w, w.credentials.acquirerOperatorKey, { paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: await paymentCode(w, w.liWei) }), expected: { status: 403, code: 'FORBIDDEN' } },
  { name: "a tourist's token on the POS endpoint", send: async (w) => pos(w, w.liWei.token, { paymentRequestId: fresh('pos'), amount: krw('1000'), paymentCode: await paymentCode(w, w.liWei) }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: "a tourist's token on the acquirer's merchant list", send: (w) => call(w, 'GET', '/acquirer/v1/merchants', w.liWei.token), expected: { status: 401, code: 'UNAUTHENTICATED' } },
];

/** The network's word that shop A's failed payment succeeded: 1,000 KRW, as if the wallet had been charged. */
function forgedSuccess(w: World) {
  return {
    paymentRequestId: w.failedPaymentId,
    paymentId: fresh('NPforged'),
    paymentResult: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' },
    paymentStatus: 'SUCCESS',
    paymentAmount: krw('1000'),
    payAmount: cny('526'),
    fxQuote: w.paid.fxQuote,
    paymentTime: new Date().toISOString(),
  };
}

function merchantApplication(businessRegistrationNumber: string) {
  return {
    legalName: 'Insadong Tea House',
    businessRegistrationNumber,
    mcc: '5814',
    address: '7 Insadong-gil, Jongno-gu',
    city: 'Seoul',
    settlementAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: 'Insadong Tea House' },
  };
}

function label(expected: Expected): string {
  if ('result' in expected) return `200 ${expected.result}`;
  return 'code' in expected ? `${expected.status} ${expected.code}` : `${expected.status}`;
}

function assertAnswer(answer: Answer, expected: Expected, w: World): void {
  const shown = JSON.stringify(answer.body);
  if ('result' in expected) {
    // Every protocol answer is HTTP 200 and signed by the answering institution, refusals too, so a caller can tell a refusal from a lost message.
    assert.equal(answer.status, 200, shown);
    const result = (answer.body as { result?: { resultStatus?: string; resultCode?: string } }).result;
    assert.equal(`${result?.resultStatus} ${result?.resultCode}`, expected.result, shown);
    assert.equal(answer.signedBy, PARTICIPANTS[expected.signedBy], 'the answer is signed by the institution that refused');
    return;
  }
  assert.equal(answer.status, expected.status, shown);
  if ('code' in expected) assert.equal(errorCode(answer.body), expected.code, shown);
  else expected.check(answer.body, w);
}

/**
 * Every balance that matters, on every side, and how many transfers each
 * ledger holds: the tourists' wallets and cards, what the acquirer owes each
 * merchant, the network's positions. Also the merchants and the FX rates, which
 * a refused request must not have added to.
 */
async function snapshot(w: World): Promise<Record<string, string>> {
  const { api, credentials } = w;
  const seen: Record<string, string> = {};
  for (const tourist of credentials.tourists) {
    const { balance, cardAvailable } = await api.call<{ balance: { value: string }; cardAvailable: { value: string } }>('GET', '/wallet/v1/balance', { token: tourist.token });
    seen[`wallet of ${tourist.name}`] = balance.value;
    seen[`card of ${tourist.name}`] = cardAvailable.value;
  }
  for (const merchant of credentials.merchants) {
    const { payable } = await api.call<{ payable: { value: string } }>('GET', `/acquirer/v1/merchants/${merchant.merchantId}/balance`, { token: credentials.acquirerOperatorKey });
    seen[`payable to ${merchant.name}`] = payable.value;
  }
  const { positions } = await api.call<{ positions: { participantId: string; position: { currency: string; value: string } }[] }>('GET', '/network/v1/positions', { token: credentials.networkOperatorKey });
  for (const { participantId, position } of positions) seen[`position of ${participantId}`] = `${position.value} ${position.currency}`;
  for (const [name, institution] of institutions(w)) {
    seen[`transfers in the ${name}'s ledger`] = String((await institution.verifyLedger()).transferCount);
  }
  const { merchants } = await api.call<{ merchants: unknown[] }>('GET', '/acquirer/v1/merchants', { token: credentials.acquirerOperatorKey });
  seen.merchants = String(merchants.length);
  const { fxRates } = await api.call<{ fxRates: unknown[] }>('GET', '/network/v1/fx-rates', { token: credentials.networkOperatorKey });
  seen['FX rates'] = String(fxRates.length);
  return seen;
}

async function setUp(dari: Dari): Promise<World> {
  const credentials = await seedDemo(dari);
  const api = apiClient(dari.url);
  const [liWei, wangFang, zhangMin] = credentials.tourists;
  const [shopA, shopB] = credentials.merchants;
  assert.ok(liWei && wangFang && zhangMin && shopA && shopB, 'the demo seeds three tourists and three merchants');

  const posRequest = { paymentRequestId: 'setup-pay', amount: krw('15000'), paymentCode: (await api.call<{ code: string }>('POST', '/wallet/v1/payment-codes', { token: liWei.token })).code };
  const payment = await api.call<{ paymentId: string; status: string; fxRate: FxQuoteWire }>('POST', '/acquirer/v1/payments', { token: shopA.terminalKey, body: posRequest });
  assert.equal(payment.status, 'SUCCESS');
  const refundRequest = { refundRequestId: 'setup-refund', amount: krw('5000') };
  const refund = await api.call<{ refundId: string; status: string }>('POST', `/acquirer/v1/payments/${payment.paymentId}/refunds`, { token: shopA.terminalKey, body: refundRequest });
  assert.equal(refund.status, 'SUCCESS');
  const { payments } = await api.call<{ payments: { paymentId: string; paymentRequestId: string; merchant: MerchantWire }[] }>('GET', '/network/v1/payments', { token: credentials.networkOperatorKey });
  const atNetwork = payments.find((p) => p.paymentRequestId === payment.paymentId);
  assert.ok(atNetwork, 'the network knows the payment by the acquirer id');
  const failed = await api.request<{ paymentId: string; status: string }>('POST', '/acquirer/v1/payments', { token: shopA.terminalKey, body: { paymentRequestId: 'setup-refused', amount: krw('1000'), paymentCode: UNISSUED_CODE } });
  assert.deepEqual([failed.status, failed.body.status], [422, 'FAIL']);
  const { qrPayload } = await api.call<{ qrPayload: string }>('GET', `/acquirer/v1/merchants/${shopA.merchantId}/qr`, { token: shopA.terminalKey });

  const keys = createKeyDirectory(
    (Object.keys(PARTICIPANTS) as (keyof typeof PARTICIPANTS)[]).map((name) => ({ clientId: PARTICIPANTS[name], keyVersion: 1, publicKey: dari.secrets.keys[name].publicKey })),
  );
  return {
    dari,
    api,
    credentials,
    liWei,
    wangFang,
    zhangMin,
    shopA,
    shopB,
    keys,
    paid: { posRequest, refundRequest, refundId: refund.refundId, paymentId: payment.paymentId, networkPaymentId: atNetwork.paymentId, fxQuote: payment.fxRate, merchant: atNetwork.merchant },
    failedPaymentId: failed.body.paymentId,
    staticQr: qrPayload,
  };
}

describe('bad inputs across the three institutions: refused with a stable code, no money moved', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dari-bad-inputs-'));
  let dari: Dari | undefined;
  let world: World;
  let untouched: Record<string, string>;

  before(async () => {
    dari = await startDari({ dataDir, port: 0, version: 'test', resolveIntervalMs: null, peerTimeoutMs: 5_000 });
    world = await setUp(dari);
    untouched = await snapshot(world);
  });
  after(async () => {
    await dari?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const row of BAD_INPUTS) {
    it(`${row.name}: ${label(row.expected)}`, async (t) => {
      assertAnswer(await row.send(world, t), row.expected, world);
      assert.deepEqual(await snapshot(world), untouched, 'no money moved');
    });
  }

  it('leaves nothing open that a recovery pass would settle, and every ledger balanced', async () => {
    await world.dari.resolveOpen();
    assert.deepEqual(await snapshot(world), untouched, 'no money moved in the recovery pass');
    for (const [name, institution] of institutions(world)) {
      const report = await institution.verifyLedger();
      assert.equal(report.ok, true, `the ${name}'s ledger verifies: ${JSON.stringify(report, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}`);
    }
  });
});
