// Fixtures shared by the signing tests: two participants with keys, and a
// correctly signed request to mutate.
import type { KeyObject } from 'node:crypto';
import { createKeyDirectory, generateSigningKeyPair } from './keys.ts';
import type { KeyDirectory } from './keys.ts';
import { signMessage } from './message.ts';
import type { SignedHeaders } from './message.ts';

export const wallet = generateSigningKeyPair();
export const walletNextKey = generateSigningKeyPair();
export const acquirer = generateSigningKeyPair();

export const keys: KeyDirectory = createKeyDirectory([
  { clientId: 'WALLET_KR_01', keyVersion: 1, publicKey: wallet.publicKey },
  { clientId: 'WALLET_KR_01', keyVersion: 2, publicKey: walletNextKey.publicKey },
  { clientId: 'ACQUIRER_JP_01', keyVersion: 1, publicKey: acquirer.publicKey },
]);

export const request = {
  method: 'POST',
  path: '/network/v1/payments/pay',
  clientId: 'WALLET_KR_01',
  requestTime: '2026-11-24T22:41:00+09:00',
  body: '{"paymentRequestId":"pr_0001","paymentAmount":{"currency":"JPY","value":"1500"}}',
} as const;

/** 30 s after `request.requestTime`. */
export const now = new Date('2026-11-24T13:41:30Z');

export function signed(overrides: { readonly privateKey?: KeyObject; readonly keyVersion?: number; readonly requestTime?: string } = {}): SignedHeaders {
  return signMessage({
    ...request,
    requestTime: overrides.requestTime ?? request.requestTime,
    privateKey: overrides.privateKey ?? wallet.privateKey,
    keyVersion: overrides.keyVersion ?? 1,
  });
}
