import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amount, currency } from '../money/index.ts';
import {
  DARI_GUID,
  decodeMerchantQr,
  encodeMerchantQr,
  type MerchantAccount,
  type MerchantQrInput,
  type QrErrorCode,
  type StaticMerchantQrInput,
} from './index.ts';
import { CNY, KRW, assertErr, assertOk, cafeObjects, orderInput, payloadOf } from './test-helpers.ts';

const cafeInput: StaticMerchantQrInput = {
  initiation: 'static',
  dari: { merchantId: 'M0001' },
  merchantCategoryCode: '5814',
  currency: KRW,
  countryCode: 'KR',
  merchantName: 'Cafe Dari',
  merchantCity: 'Seoul',
};

describe('encodeMerchantQr writes', () => {
  it('a static QR, byte for byte', () => {
    const payload = assertOk(encodeMerchantQr(cafeInput));
    assert.equal(payload, '00020101021126210008com.dari0105M00015204581453034105802KR5909Cafe Dari6005Seoul63047183');
    assert.equal(payload, payloadOf(cafeObjects()));
  });

  it('a dynamic order QR: initiation "12", the amount, and the order reference in sub-ID 03 of tag 26', () => {
    const payload = assertOk(encodeMerchantQr(orderInput()));
    assert.ok(payload.startsWith('000201010212'));
    assert.ok(payload.includes(`2642${'0008com.dari'}0107M1234560203S010308ORD-0001`));
    assert.ok(payload.includes('540515000'));
    assert.ok(payload.includes('64220002ZH0106明洞紫菜包饭0202首尔'), 'lengths count characters');
    assert.ok(/6304[0-9A-F]{4}$/.test(payload));
  });

  const amounts: readonly [string, bigint, string][] = [
    ['KRW', 15_000n, '540515000'],
    ['JPY', 500n, '5403500'],
    ['CNY', 1250n, '540512.50'],
    ['CNY', 100n, '54041.00'],
    ['USD', 5n, '54040.05'],
    ['THB', 9_999_999_999_99n, '54139999999999.99'],
  ];
  for (const [code, value, expected] of amounts) {
    it(`${value} minor units of ${code} as ${JSON.stringify(expected)}, with exactly the currency's decimals`, () => {
      const c = currency(code as 'KRW');
      const payload = assertOk(encodeMerchantQr({ ...cafeInput, currency: c, amount: amount(c, value) }));
      assert.ok(payload.includes(expected), payload);
    });
  }

  it("the merchant's accounts in other schemes, in ascending ID order, after dari's", () => {
    const others: MerchantAccount[] = [
      { kind: 'template', tag: '51', guid: 'SG.SGQR', fields: [{ id: '01', value: '180913B4F6A1D0' }] },
      { kind: 'primitive', tag: '15', value: '6212345678901234' },
      { kind: 'template', tag: '27', guid: 'com.example.wallet', fields: [{ id: '01', value: 'shop-1' }] },
    ];
    const qr = assertOk(decodeMerchantQr(assertOk(encodeMerchantQr({ ...cafeInput, otherMerchantAccounts: others }))));
    assert.deepEqual(
      qr.merchantAccounts.map((account) => account.tag),
      ['15', '26', '27', '51'],
    );
    assert.equal(qr.dari?.merchantId, 'M0001');
  });

  it('tips and convenience fees', () => {
    for (const tip of [
      { kind: 'prompt' },
      { kind: 'fixed-fee', fee: amount(KRW, 500n) },
      { kind: 'percentage-fee', feeBps: 350 },
      { kind: 'percentage-fee', feeBps: 1 },
      { kind: 'percentage-fee', feeBps: 9_999 },
    ] as const) {
      const qr = assertOk(decodeMerchantQr(assertOk(encodeMerchantQr({ ...cafeInput, tip }))));
      assert.deepEqual(qr.tip, tip);
    }
  });

  it('no additional data template when no additional data is given', () => {
    const payload = assertOk(encodeMerchantQr({ ...cafeInput, additionalData: {} }));
    assert.equal(assertOk(decodeMerchantQr(payload)).additionalData, undefined);
  });
});

const with_ = (changes: Partial<StaticMerchantQrInput>): MerchantQrInput => ({ ...cafeInput, ...changes });
const template = (tag: string, guid: string, fields: [string, string][] = []): MerchantAccount => ({
  kind: 'template',
  tag,
  guid,
  fields: fields.map(([id, value]) => ({ id, value })),
});
const long = (length: number, char = 'x'): string => char.repeat(length);

const refusals: readonly [string, MerchantQrInput, QrErrorCode, Record<string, unknown>?][] = [
  ['a name of 26 characters', with_({ merchantName: long(26) }), 'QR_VALUE_TOO_LONG', { field: 'merchantName', tag: '59', lengthChars: 26, lengthCharsMax: 25 }],
  ['an empty name', with_({ merchantName: '' }), 'QR_BAD_VALUE', { field: 'merchantName' }],
  ['a name outside printable ASCII', with_({ merchantName: '카페 다리' }), 'QR_BAD_VALUE', { field: 'merchantName' }],
  ['a name with a newline', with_({ merchantName: 'Cafe\nDari' }), 'QR_BAD_VALUE', { field: 'merchantName' }],
  ['a city of 16 characters', with_({ merchantCity: long(16) }), 'QR_VALUE_TOO_LONG', { field: 'merchantCity', tag: '60' }],
  ['a postal code of 11 characters', with_({ postalCode: long(11, '1') }), 'QR_VALUE_TOO_LONG', { field: 'postalCode' }],
  ['an MCC with letters', with_({ merchantCategoryCode: 'CAFE' }), 'QR_BAD_VALUE', { field: 'merchantCategoryCode', tag: '52' }],
  ['an MCC of three digits', with_({ merchantCategoryCode: '581' }), 'QR_BAD_VALUE', { field: 'merchantCategoryCode' }],
  ['a country in lower case', with_({ countryCode: 'kr' }), 'QR_BAD_VALUE', { field: 'countryCode' }],
  ['a country of three letters', with_({ countryCode: 'KOR' }), 'QR_BAD_VALUE', { field: 'countryCode' }],
  ['a zero amount', with_({ amount: amount(KRW, 0n) }), 'QR_BAD_AMOUNT', { field: 'transactionAmount', tag: '54' }],
  ['a negative amount', with_({ amount: amount(KRW, -1n) }), 'QR_BAD_AMOUNT', { field: 'transactionAmount' }],
  ['an amount in another currency', with_({ amount: amount(CNY, 100n) }), 'QR_BAD_AMOUNT', { field: 'transactionAmount' }],
  ['an amount of 14 characters', with_({ amount: amount(KRW, 10n ** 13n) }), 'QR_BAD_AMOUNT', { field: 'transactionAmount' }],
  ['a fixed fee in another currency', with_({ tip: { kind: 'fixed-fee', fee: amount(CNY, 100n) } }), 'QR_BAD_AMOUNT', { field: 'convenienceFeeFixed', tag: '56' }],
  ['a fee of 0 bps', with_({ tip: { kind: 'percentage-fee', feeBps: 0 } }), 'QR_BAD_VALUE', { field: 'convenienceFeePercentage', tag: '57' }],
  ['a fee of 100 percent', with_({ tip: { kind: 'percentage-fee', feeBps: 10_000 } }), 'QR_BAD_VALUE', { field: 'convenienceFeePercentage' }],
  ['a fee of half a basis point', with_({ tip: { kind: 'percentage-fee', feeBps: 1.5 } }), 'QR_BAD_VALUE', { field: 'convenienceFeePercentage' }],
  ['a merchant id of 26 characters', with_({ dari: { merchantId: long(26) } }), 'QR_VALUE_TOO_LONG', { field: 'merchantId', tag: '26.01' }],
  ['a merchant id with a space', with_({ dari: { merchantId: 'M 1' } }), 'QR_BAD_VALUE', { field: 'merchantId', tag: '26.01' }],
  ['an empty store id', with_({ dari: { merchantId: 'M1', storeId: '' } }), 'QR_BAD_VALUE', { field: 'storeId', tag: '26.02' }],
  ['an order reference with a slash', { ...orderInput(), orderReference: 'ORD/1' }, 'QR_BAD_VALUE', { field: 'orderReference', tag: '26.03' }],
  ['a zero order amount', { ...orderInput(), amount: amount(KRW, 0n) }, 'QR_BAD_AMOUNT', { field: 'transactionAmount' }],
  ["another account in dari's ID 26", with_({ otherMerchantAccounts: [template('26', 'com.example')] }), 'QR_BAD_MERCHANT_ACCOUNT', { tag: '26' }],
  ['two accounts in one ID', with_({ otherMerchantAccounts: [template('27', 'a.b'), template('27', 'c.d')] }), 'QR_DUPLICATE_TAG', { tag: '27' }],
  ['an account outside 02–51', with_({ otherMerchantAccounts: [template('52', 'a.b')] }), 'QR_BAD_MERCHANT_ACCOUNT', { tag: '52' }],
  ['a template in a primitive ID', with_({ otherMerchantAccounts: [template('15', 'a.b')] }), 'QR_BAD_MERCHANT_ACCOUNT', { tag: '15' }],
  ['a primitive in a template ID', with_({ otherMerchantAccounts: [{ kind: 'primitive', tag: '30', value: 'x' }] }), 'QR_BAD_MERCHANT_ACCOUNT', { tag: '30' }],
  ["dari's GUID in another ID", with_({ otherMerchantAccounts: [template('27', DARI_GUID.toUpperCase())] }), 'QR_BAD_MERCHANT_ACCOUNT', { tag: '27' }],
  ['a GUID of 33 characters', with_({ otherMerchantAccounts: [template('27', long(33))] }), 'QR_VALUE_TOO_LONG', { field: 'globallyUniqueIdentifier', tag: '27.00' }],
  ['an empty GUID', with_({ otherMerchantAccounts: [template('27', '')] }), 'QR_BAD_VALUE', { field: 'globallyUniqueIdentifier' }],
  ['a sub-field in ID 00', with_({ otherMerchantAccounts: [template('27', 'a.b', [['00', 'x']])] }), 'QR_BAD_MERCHANT_ACCOUNT', { tag: '27' }],
  ['a sub-field ID of one digit', with_({ otherMerchantAccounts: [template('27', 'a.b', [['1', 'x']])] }), 'QR_BAD_MERCHANT_ACCOUNT', { tag: '27' }],
  ['a sub-field twice', with_({ otherMerchantAccounts: [template('27', 'a.b', [['01', 'x'], ['01', 'y']])] }), 'QR_DUPLICATE_TAG', { tag: '27.01' }],
  ['a template past 99 characters', with_({ otherMerchantAccounts: [template('27', 'a.b', [['01', long(60)], ['02', long(30)]])] }), 'QR_VALUE_TOO_LONG', { field: 'merchantAccountInformation', tag: '27' }],
  ['a language of one letter', with_({ languageTemplate: { languagePreference: 'Z', merchantName: '达里' } }), 'QR_BAD_VALUE', { field: 'languagePreference', tag: '64.00' }],
  ['a language with a digit', with_({ languageTemplate: { languagePreference: 'Z1', merchantName: '达里' } }), 'QR_BAD_VALUE', { field: 'languagePreference' }],
  ['an alternate name of 26 characters', with_({ languageTemplate: { languagePreference: 'ZH', merchantName: long(26, '达') } }), 'QR_VALUE_TOO_LONG', { field: 'alternateMerchantName', tag: '64.01' }],
  ['an alternate city with a bidi override', with_({ languageTemplate: { languagePreference: 'ZH', merchantName: '达里', merchantCity: '首\u202E尔' } }), 'QR_BAD_VALUE', { field: 'alternateMerchantCity', tag: '64.02' }],
  ['a reference label of 26 characters', with_({ additionalData: { referenceLabel: long(26) } }), 'QR_VALUE_TOO_LONG', { field: 'referenceLabel', tag: '62.05' }],
  ['a consumer data request "X"', with_({ additionalData: { additionalConsumerDataRequest: 'X' } }), 'QR_BAD_VALUE', { field: 'additionalConsumerDataRequest', tag: '62.09' }],
  [
    'additional data past 99 characters',
    with_({ additionalData: { billNumber: long(25), storeLabel: long(25), referenceLabel: long(25), terminalLabel: long(25) } }),
    'QR_VALUE_TOO_LONG',
    { field: 'additionalData', tag: '62', lengthChars: 116, lengthCharsMax: 99 },
  ],
  [
    'a payload past 512 characters',
    with_({ otherMerchantAccounts: ['27', '28', '29', '30', '31'].map((tag) => template(tag, 'a.b', [['01', long(85)]])) }),
    'QR_TOO_LONG',
    { lengthCharsMax: 512 },
  ],
];

describe('encodeMerchantQr refuses', () => {
  for (const [name, input, code, expect = {}] of refusals) {
    it(`${name}: ${code}`, () => {
      const error = assertErr(encodeMerchantQr(input), code);
      for (const [key, value] of Object.entries(expect)) {
        assert.deepEqual((error as unknown as Record<string, unknown>)[key], value, `${key} in ${error.message}`);
      }
    });
  }
});
