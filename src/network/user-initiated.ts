/**
 * Merchant-presented mode: a wallet's user scanned a merchant's dari QR. The
 * network finds the acquirer by the QR's merchant id and forwards the
 * request; the acquirer then starts an ordinary `pay` with the wallet's
 * one-time code, which the network routes back to the wallet. The network
 * moves no money here and relays the acquirer's answer.
 */
import {
  result,
  type UserInitiatedPayRequest,
  type UserInitiatedPayResponse,
} from '../protocol/index.ts';
import { PAYMENT_CODE_PREFIX_DIGITS, userInitiatedPayResponseSchema } from '../protocol/index.ts';
import { decodeMerchantQr, isDariMerchant } from '../qr/index.ts';
import { requestHash, type NetworkContext } from './context.ts';
import { acquirerForMerchant } from './routing.ts';
import type { WalletParticipant } from './types.ts';

export interface UserInitiatedFlows {
  userInitiatedPay(wallet: WalletParticipant, request: UserInitiatedPayRequest): Promise<UserInitiatedPayResponse>;
}

export function createUserInitiatedFlows(ctx: NetworkContext): UserInitiatedFlows {
  const { store } = ctx;

  const forward = async (acquirerId: string, wallet: WalletParticipant, request: UserInitiatedPayRequest): Promise<UserInitiatedPayResponse> => {
    const outcome = await ctx.peer(acquirerId).call('acquirerUserInitiatedPay', { ...request, walletId: wallet.participantId }, { timeoutMs: ctx.peerTimeoutMs });
    if (outcome.kind !== 'answered') return { result: result('REQUEST_TIMEOUT', 'the acquirer did not answer; retry with the same userRequestId') };
    const answer = outcome.response;
    // A final answer is kept, so a retry is answered the same without asking the acquirer again.
    if (answer.result.resultStatus !== 'U') await store.setUserInitiatedAnswer(wallet.participantId, request.userRequestId, JSON.stringify(answer));
    return answer;
  };

  return {
    async userInitiatedPay(wallet, request) {
      const hash = requestHash([request.userRequestId, request.codeValue, request.paymentCode, request.paymentAmount?.currency ?? null, request.paymentAmount?.value ?? null]);
      const existing = await store.userInitiated(wallet.participantId, request.userRequestId);
      if (existing) {
        if (existing.requestHash !== hash) return { result: result('REPEAT_REQ_INCONSISTENT') };
        if (existing.finalAnswer !== null) return userInitiatedPayResponseSchema.parse(JSON.parse(existing.finalAnswer));
        return forward(existing.acquirerId, wallet, request);
      }
      const qr = decodeMerchantQr(request.codeValue);
      if (!qr.ok) return { result: result('PARAM_ILLEGAL', `codeValue: ${qr.error.message}`) };
      if (!isDariMerchant(qr.value)) return { result: result('PARTNER_NOT_EXIST', 'the QR is not a dari merchant QR') };
      const acquirer = acquirerForMerchant(ctx.participants.all(), qr.value.dari.merchantId);
      if (!acquirer) return { result: result('PARTNER_NOT_EXIST', 'no acquirer serves this merchant') };
      if (request.paymentCode.slice(0, PAYMENT_CODE_PREFIX_DIGITS) !== wallet.codePrefix) {
        return { result: result('ACCESS_DENIED', "the payment code is not one of this wallet's") };
      }
      const inserted = await store.insertUserInitiated(
        wallet.participantId,
        request.userRequestId,
        { requestHash: hash, acquirerId: acquirer.participantId, finalAnswer: null },
        ctx.now(),
      );
      if (inserted === 'duplicate') return { result: result('PAYMENT_IN_PROCESS', 'this request is being forwarded; retry with the same userRequestId') };
      return forward(acquirer.participantId, wallet, request);
    },
  };
}
