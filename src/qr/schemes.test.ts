/**
 * Payloads shaped like other countries' schemes, built here by following
 * EMV QRCPS MPM and each scheme's public layout, with CRCs computed by
 * `appendCrc`. The identifiers are illustrative; they pay nobody.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amount, currency } from '../money/index.ts';
import { decodeMerchantQr, encodeMerchantQr, isDariMerchant, parseDataObjects } from './index.ts';
import { KRW, assertErr, assertOk, orderInput, payloadOf, type ObjectSpec } from './test-helpers.ts';

describe("the EMV QRCPS MPM specification's own example payload", () => {
  // The example of the spec's annex: two templates of a Chinese scheme, an
  // unreserved template (91), a tip prompt, and the merchant's name in
  // Chinese; its published CRC is A13A. It shows that lengths count
  // characters ("0104最佳运输") and that the CRC covers UTF-8 bytes.
  const payload =
    '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN' +
    '5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***' +
    '0708A60086670902ME91320016A0112233449988770708123456786304A13A';

  it('decodes, CRC included', () => {
    const qr = assertOk(decodeMerchantQr(payload));
    assert.equal(qr.crc, 'A13A');
    assert.equal(qr.initiation, 'dynamic');
    assert.deepEqual(qr.amount, amount(currency('CNY'), 2372n));
    assert.deepEqual(qr.tip, { kind: 'prompt' });
    assert.equal(qr.merchantName, 'BEST TRANSPORT');
    assert.deepEqual(qr.languageTemplate, { languagePreference: 'ZH', merchantName: '最佳运输', merchantCity: '北京' });
    assert.deepEqual(qr.merchantAccounts, [
      { kind: 'template', tag: '29', guid: 'D15600000000', fields: [{ id: '05', value: 'A93FO3230Q' }] },
      { kind: 'template', tag: '31', guid: 'D15600000001', fields: [{ id: '03', value: '12345678' }] },
    ]);
    assert.equal(qr.additionalData?.customerLabel, '***', '"***" asks the app to prompt the payer');
    assert.equal(qr.additionalData?.additionalConsumerDataRequest, 'ME');
    assert.ok(qr.dataObjects.some((object) => object.id === '91'), 'the unreserved template is kept');
    assert.equal(isDariMerchant(qr), false);
  });
});

describe('other schemes', () => {
  it('Singapore, SGQR-like: one QR, several schemes, and the SGQR registry template in 51', () => {
    const objects: ObjectSpec[] = [
      ['00', '01'],
      ['01', '11'],
      ['26', [['00', 'SG.PAYNOW'], ['01', '2'], ['02', '201403121W'], ['03', '1'], ['04', '20301231']]],
      ['27', [['00', 'SG.COM.NETS'], ['01', '23201234567890123456'], ['02', '11137066800'], ['03', '0']]],
      ['33', [['00', 'com.example.wallet'], ['01', 'SGHAWKER0042']]],
      ['51', [['00', 'SG.SGQR'], ['01', '180913B4F6A1D0'], ['02', '01.0001'], ['03', '098765'], ['04', '01'], ['05', '03'], ['06', '6A21']]],
      ['52', '5812'],
      ['53', '702'],
      ['58', 'SG'],
      ['59', 'AH HOCK HAWKER FOOD'],
      ['60', 'Singapore'],
      ['62', [['07', 'T01']]],
    ];
    const qr = assertOk(decodeMerchantQr(payloadOf(objects)));
    assert.deepEqual(
      qr.merchantAccounts.map((account) => (account.kind === 'template' ? `${account.tag} ${account.guid}` : account.tag)),
      ['26 SG.PAYNOW', '27 SG.COM.NETS', '33 com.example.wallet', '51 SG.SGQR'],
    );
    const sgqr = qr.merchantAccounts[3];
    assert.ok(sgqr?.kind === 'template');
    assert.deepEqual(sgqr.fields[0], { id: '01', value: '180913B4F6A1D0' });
    assert.equal(qr.currency, currency('SGD'));
    assert.equal(qr.amount, undefined);
    assert.equal(qr.additionalData?.terminalLabel, 'T01');
    assert.equal(qr.dari, undefined, 'no dari template: the wallet can say it is not a dari merchant');
  });

  it('Thailand, PromptPay-like: a merchant in tag 29 (AID A000000677010111), with an amount in baht', () => {
    const objects: ObjectSpec[] = [
      ['00', '01'],
      ['01', '12'],
      ['29', [['00', 'A000000677010111'], ['01', '0066812345678']]],
      ['52', '5499'],
      ['53', '764'],
      ['54', '250.00'],
      ['58', 'TH'],
      ['59', 'SOMTAM BANGKOK'],
      ['60', 'BANGKOK'],
      ['64', [['00', 'TH'], ['01', 'ส้มตำกรุงเทพ'], ['02', 'กรุงเทพฯ']]],
    ];
    const qr = assertOk(decodeMerchantQr(payloadOf(objects)));
    assert.deepEqual(qr.merchantAccounts, [
      { kind: 'template', tag: '29', guid: 'A000000677010111', fields: [{ id: '01', value: '0066812345678' }] },
    ]);
    assert.deepEqual(qr.amount, amount(currency('THB'), 25_000n));
    assert.equal(qr.languageTemplate?.merchantName, 'ส้มตำกรุงเทพ');
  });

  it('Thailand, a person-to-person PromptPay QR: not a merchant QR (no MCC, name or city), refused as such', () => {
    const objects: ObjectSpec[] = [
      ['00', '01'],
      ['01', '11'],
      ['29', [['00', 'A000000677010111'], ['01', '0066812345678']]],
      ['53', '764'],
      ['58', 'TH'],
    ];
    const error = assertErr(decodeMerchantQr(payloadOf(objects)), 'QR_MISSING_FIELD');
    assert.ok('field' in error && error.field === 'merchantCategoryCode');
  });

  it('India, UPI-like: a VPA in tag 26; refused as QR_UNKNOWN_CURRENCY while money has no INR, its templates still readable', () => {
    const objects: ObjectSpec[] = [
      ['00', '01'],
      ['01', '11'],
      ['26', [['00', 'A000000524'], ['01', 'chaiwala@examplebank'], ['02', 'MER0012345']]],
      ['52', '5814'],
      ['53', '356'],
      ['58', 'IN'],
      ['59', 'CHAIWALA'],
      ['60', 'MUMBAI'],
      ['61', '400001'],
    ];
    const payload = payloadOf(objects);
    const error = assertErr(decodeMerchantQr(payload), 'QR_UNKNOWN_CURRENCY');
    assert.ok('numericCode' in error && error.numericCode === '356');
    assert.match(error.message, /tag 53 \(transactionCurrency\) at position \d+: ISO 4217 currency "356"/);
    const template = assertOk(parseDataObjects(payload)).find((object) => object.id === '26');
    assert.ok(template !== undefined);
    assert.deepEqual(
      assertOk(parseDataObjects(template.value)).map(({ id, value }) => [id, value]),
      [
        ['00', 'A000000524'],
        ['01', 'chaiwala@examplebank'],
        ['02', 'MER0012345'],
      ],
    );
  });

  it('Hong Kong, FPS-like, with a card scheme primitive in tag 15 beside the template', () => {
    const objects: ObjectSpec[] = [
      ['00', '01'],
      ['01', '12'],
      ['15', '62123456789012345678'],
      ['26', [['00', 'hk.com.hkicl'], ['02', '1234567']]],
      ['52', '5311'],
      ['53', '344'],
      ['54', '88.8'],
      ['58', 'HK'],
      ['59', 'DAI PAI DONG'],
      ['60', 'HONG KONG'],
    ];
    const qr = assertOk(decodeMerchantQr(payloadOf(objects)));
    assert.deepEqual(qr.merchantAccounts[0], { kind: 'primitive', tag: '15', value: '62123456789012345678' });
    assert.deepEqual(qr.amount, amount(currency('HKD'), 8880n));
  });
});

describe("dari's own QR beside other schemes", () => {
  it('a Korean shop whose QR several wallets can read, with its Chinese name for tourists', () => {
    const payload = assertOk(
      encodeMerchantQr({
        ...orderInput(),
        otherMerchantAccounts: [
          { kind: 'template', tag: '27', guid: 'com.example.alipayplus', fields: [{ id: '01', value: 'KR-MER-0042' }] },
          { kind: 'template', tag: '28', guid: 'kr.example.zeropay', fields: [{ id: '01', value: '9912345678' }] },
        ],
      }),
    );
    const qr = assertOk(decodeMerchantQr(payload));
    assert.ok(isDariMerchant(qr));
    assert.deepEqual(qr.dari, { tag: '26', merchantId: 'M123456', storeId: 'S01', orderReference: 'ORD-0001' });
    assert.deepEqual(qr.amount, amount(KRW, 15_000n));
    assert.equal(qr.languageTemplate?.merchantName, '明洞紫菜包饭');
    assert.deepEqual(
      qr.merchantAccounts.map((account) => account.tag),
      ['26', '27', '28'],
    );
  });
});
