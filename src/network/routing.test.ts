import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currency } from '../money/index.ts';
import { acquirerForMerchant, overlappingAcquirer, walletForCode } from './routing.ts';
import type { AcquirerParticipant, Participant, WalletParticipant } from './types.ts';

const at = new Date('2026-01-01T00:00:00Z');
const wallet = (participantId: string, codePrefix: string): WalletParticipant => ({
  participantId,
  role: 'wallet',
  codePrefix,
  name: participantId,
  baseUrl: 'http://127.0.0.1:1',
  currency: currency('CNY'),
  keys: [],
  registeredAt: at,
});
const acquirer = (participantId: string, merchantIdPrefix: string): AcquirerParticipant => ({
  participantId,
  role: 'acquirer',
  merchantIdPrefix,
  name: participantId,
  baseUrl: 'http://127.0.0.1:2',
  currency: currency('KRW'),
  keys: [],
  registeredAt: at,
});

const participants: readonly Participant[] = [wallet('WALLET_CN_01', '2851'), wallet('WALLET_CN_02', '2852'), acquirer('ACQ_KR_01', 'KR01'), acquirer('ACQ_KR_02', 'KR02')];

test('a payment code routes to the wallet of its first 4 digits', () => {
  const cases: readonly [code: string, walletId: string | undefined][] = [
    ['285100000000000001', 'WALLET_CN_01'],
    ['285200000000000001', 'WALLET_CN_02'],
    ['285300000000000001', undefined],
    ['128510000000000000', undefined],
    ['000000000000002851', undefined],
  ];
  for (const [code, walletId] of cases) assert.equal(walletForCode(participants, code)?.participantId, walletId, code);
});

test("an acquirer's code prefix never routes a payment code (only wallets issue codes)", () => {
  assert.equal(walletForCode([acquirer('ACQ', '2851')], '285100000000000001'), undefined);
});

test('a merchant id routes to the acquirer whose prefix starts it', () => {
  const cases: readonly [merchantId: string, acquirerId: string | undefined][] = [
    ['KR01M0001', 'ACQ_KR_01'],
    ['KR02-store-7', 'ACQ_KR_02'],
    ['KR01', 'ACQ_KR_01'],
    ['KR0', undefined],
    ['kr01M0001', undefined],
    ['XKR01', undefined],
    ['M0001', undefined],
  ];
  for (const [merchantId, acquirerId] of cases) assert.equal(acquirerForMerchant(participants, merchantId)?.participantId, acquirerId, merchantId);
});

test('merchant-id prefixes may not overlap: neither a prefix of the other', () => {
  const cases: readonly [prefix: string, overlapsWith: string | undefined][] = [
    ['KR01', 'ACQ_KR_01'],
    ['KR0', 'ACQ_KR_01'],
    ['KR011', 'ACQ_KR_01'],
    ['KR03', undefined],
    ['K', 'ACQ_KR_01'],
    ['JP01', undefined],
  ];
  for (const [prefix, overlapsWith] of cases) assert.equal(overlappingAcquirer(participants, prefix)?.participantId, overlapsWith, prefix);
});
