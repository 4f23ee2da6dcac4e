/**
 * The routing prefixes of the demo deployment's participants: the network
 * routes a payment code to the wallet by its first digits and a merchant id
 * to the acquirer by its first characters. Apart from compose.ts so that the
 * one-thread composition and the institution threads (threads.ts) share them
 * without the one loading the other's shop and web console.
 */
export const WALLET_CODE_PREFIX = '2851';
export const ACQUIRER_MERCHANT_ID_PREFIX = 'KR01';
