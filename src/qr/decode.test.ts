import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amount, currency } from '../money/index.ts';
import {
  QR_ERROR_CODES,
  appendCrc,
  buildDataObject,
  decodeMerchantQr,
  isDariMerchant,
  type QrError,
  type QrErrorCode,
} from './index.ts';
import {
  CNY,
  KRW,
  assertErr,
  assertOk,
  buildBody,
  cafeObjects,
  payloadOf,
  withObject,
  type ObjectSpec,
} from './test-helpers.ts';

const cafe = cafeObjects();
const dariTemplate = (...fields: ObjectSpec[]): ObjectSpec[] => [['00', 'com.dari'], ['01', 'M0001'], ...fields];
const dynamicCafe = (...objects: ObjectSpec[]): ObjectSpec[] =>
  objects.reduce((acc, [id, value]) => withObject(acc, id, value), withObject(cafe, '01', '12'));

describe('decodeMerchantQr reads', () => {
  it("a static dari QR: what the till's sticker says", () => {
    const qr = assertOk(decodeMerchantQr(payloadOf(cafe)));
    assert.equal(qr.initiation, 'static');
    assert.deepEqual(qr.dari, { tag: '26', merchantId: 'M0001' });
    assert.ok(isDariMerchant(qr));
    assert.equal(qr.merchantCategoryCode, '5814');
    assert.equal(qr.currency, KRW);
    assert.equal(qr.amount, undefined);
    assert.equal(qr.countryCode, 'KR');
    assert.equal(qr.merchantName, 'Cafe Dari');
    assert.equal(qr.merchantCity, 'Seoul');
    assert.deepEqual(qr.merchantAccounts, [{ kind: 'template', tag: '26', guid: 'com.dari', fields: [{ id: '01', value: 'M0001' }] }]);
    assert.deepEqual(
      qr.dataObjects.map((object) => object.id),
      ['00', '01', '26', '52', '53', '58', '59', '60', '63'],
    );
  });

  it('a dynamic dari order QR with its amount and order reference', () => {
    const qr = assertOk(decodeMerchantQr(payloadOf(dynamicCafe(['26', dariTemplate(['02', 'S1'], ['03', 'ORD-1'])], ['54', '4500']))));
    assert.equal(qr.initiation, 'dynamic');
    assert.deepEqual(qr.amount, amount(KRW, 4500n));
    assert.deepEqual(qr.dari, { tag: '26', merchantId: 'M0001', storeId: 'S1', orderReference: 'ORD-1' });
  });

  it('a static QR with a fixed amount: EMV QRCPS ties the amount to the payer prompt, not to the initiation method', () => {
    const qr = assertOk(decodeMerchantQr(payloadOf(withObject(cafe, '54', '3000'))));
    assert.equal(qr.initiation, 'static');
    assert.deepEqual(qr.amount, amount(KRW, 3000n));
  });

  it('a QR without a point of initiation method as static', () => {
    assert.equal(assertOk(decodeMerchantQr(payloadOf(withObject(cafe, '01', undefined)))).initiation, 'static');
  });

  it("dari's template in any ID 26–51, and its GUID in any letter case", () => {
    const moved = withObject(withObject(cafe, '26', undefined), '40', [['00', 'COM.DARI'], ['01', 'M9']]);
    const qr = assertOk(decodeMerchantQr(payloadOf(moved)));
    assert.deepEqual(qr.dari, { tag: '40', merchantId: 'M9' });
  });

  it("another scheme's QR as not dari's", () => {
    const other = withObject(cafe, '26', [['00', 'com.example.pay'], ['01', '12345']]);
    const qr = assertOk(decodeMerchantQr(payloadOf(other)));
    assert.equal(qr.dari, undefined);
    assert.equal(isDariMerchant(qr), false);
  });

  it('data objects it does not know, kept for forward compatibility', () => {
    const objects: ObjectSpec[] = [...cafe, ['62', [['05', 'REF1'], ['50', [['00', 'com.example'], ['01', 'x']]]]], ['65', 'rfu'], ['80', [['00', 'com.example'], ['01', 'y']]]];
    const qr = assertOk(decodeMerchantQr(payloadOf(objects)));
    assert.deepEqual(
      qr.dataObjects.filter((object) => ['65', '80'].includes(object.id)).map(({ id, value }) => ({ id, value })),
      [
        { id: '65', value: 'rfu' },
        { id: '80', value: '0011com.example0101y' },
      ],
    );
    assert.deepEqual(qr.additionalData, {
      referenceLabel: 'REF1',
      fields: [
        { id: '05', value: 'REF1' },
        { id: '50', value: '0011com.example0101x' },
      ],
    });
  });

  it('tip and convenience fees', () => {
    const prompt = assertOk(decodeMerchantQr(payloadOf(withObject(cafe, '55', '01'))));
    assert.deepEqual(prompt.tip, { kind: 'prompt' });
    const fixed = assertOk(decodeMerchantQr(payloadOf([...withObject(cafe, '55', '02'), ['56', '500']])));
    assert.deepEqual(fixed.tip, { kind: 'fixed-fee', fee: amount(KRW, 500n) });
    const percentage = assertOk(decodeMerchantQr(payloadOf([...withObject(cafe, '55', '03'), ['57', '3.5']])));
    assert.deepEqual(percentage.tip, { kind: 'percentage-fee', feeBps: 350 });
  });

  it('postal code, additional data and the language template', () => {
    const objects: ObjectSpec[] = [
      ...cafe,
      ['61', '04524'],
      ['62', [['01', 'B-77'], ['07', 'POS-2'], ['08', 'Dinner'], ['09', 'ME']]],
      ['64', [['00', 'zh'], ['01', '达里咖啡'], ['02', '首尔']]],
    ];
    const qr = assertOk(decodeMerchantQr(payloadOf(objects)));
    assert.equal(qr.postalCode, '04524');
    assert.equal(qr.additionalData?.billNumber, 'B-77');
    assert.equal(qr.additionalData?.terminalLabel, 'POS-2');
    assert.equal(qr.additionalData?.purposeOfTransaction, 'Dinner');
    assert.equal(qr.additionalData?.additionalConsumerDataRequest, 'ME');
    assert.deepEqual(qr.languageTemplate, { languagePreference: 'zh', merchantName: '达里咖啡', merchantCity: '首尔' });
  });
});

describe('decodeMerchantQr reads amounts exactly (ID 54)', () => {
  const accepted: readonly [string, 'KRW' | 'CNY', bigint][] = [
    ['15000', 'KRW', 15_000n],
    ['15000.', 'KRW', 15_000n], // "the '.' character may be present even if there are no decimals"
    ['0015000', 'KRW', 15_000n], // leading zeros are not forbidden, and unambiguous
    ['9999999999999', 'KRW', 9_999_999_999_999n],
    ['12.50', 'CNY', 1250n],
    ['12.5', 'CNY', 1250n],
    ['12', 'CNY', 1200n],
    ['0.01', 'CNY', 1n],
    ['9999999999.99', 'CNY', 999_999_999_999n],
  ];
  for (const [text, code, value] of accepted) {
    it(`${JSON.stringify(text)} ${code} as ${value} minor units`, () => {
      const numeric = code === 'KRW' ? '410' : '156';
      const qr = assertOk(decodeMerchantQr(payloadOf(withObject(withObject(cafe, '53', numeric), '54', text))));
      assert.deepEqual(qr.amount, amount(currency(code), value));
    });
  }
});

interface Refusal {
  readonly name: string;
  readonly payload: string;
  readonly code: QrErrorCode;
  /** Fields the error must have, besides `code` and `message`. */
  readonly expect?: Partial<Record<string, unknown>>;
}

const cafePayload = payloadOf(cafe);
const cafeBody = buildBody(cafe);
const name26 = 'A'.repeat(26);

function at(payload: string, text: string): number {
  const index = payload.indexOf(text);
  assert.ok(index >= 0, `${text} in ${payload}`);
  return index;
}

const withName = (name: string): string => payloadOf(withObject(cafe, '59', name));
const withAmount = (text: string, numericCurrency = '410'): string =>
  payloadOf(withObject(withObject(cafe, '53', numericCurrency), '54', text));
const nulInName = withName('Cafe\u0000Dari');
const duplicateName = appendCrc(`${cafeBody}${buildDataObject('59', 'Other')}`);
const crcBeforeLanguage = `${cafePayload}${buildDataObject('64', buildBody([['00', 'ZH'], ['01', '达里']]))}`;
const crcInMiddle = `${buildBody(cafe.slice(0, 3))}6304ABCD${buildBody(cafe.slice(3))}`;
// "Cafe Onda" has a CRC with letters (CD25), so that lower case changes it.
const ondaPayload = withName('Cafe Onda');
const lowerCaseCrc = `${ondaPayload.slice(0, -4)}${ondaPayload.slice(-4).toLowerCase()}`;
const longCity = payloadOf(withObject(cafe, '60', 'S'.repeat(16)));

const refusals: readonly Refusal[] = [
  // the text itself
  { name: 'an empty string', payload: '', code: 'QR_EMPTY' },
  { name: 'more than 512 characters', payload: `000201${'0'.repeat(507)}`, code: 'QR_TOO_LONG', expect: { lengthChars: 513, lengthCharsMax: 512 } },
  { name: 'a URL', payload: 'https://dari.example/pay', code: 'QR_BAD_FORMAT_INDICATOR' },
  { name: 'payload format "02"', payload: payloadOf(withObject(cafe, '00', '02')), code: 'QR_BAD_FORMAT_INDICATOR' },
  { name: 'the format indicator not first', payload: payloadOf([cafe[1]!, cafe[0]!, ...cafe.slice(2)]), code: 'QR_BAD_FORMAT_INDICATOR' },
  { name: 'a NUL in the name', payload: nulInName, code: 'QR_BAD_CHARACTER', expect: { position: at(nulInName, '\u0000'), codePoint: 'U+0000' } },
  { name: 'a trailing newline', payload: `${cafePayload}\n`, code: 'QR_BAD_CHARACTER', expect: { position: cafePayload.length } },
  { name: 'a lone surrogate', payload: withName('Cafe\uD800'), code: 'QR_BAD_CHARACTER', expect: { codePoint: 'U+D800' } },
  // the CRC
  { name: 'a changed name after the CRC was computed', payload: cafePayload.replace('Cafe Dari', 'Cafe Dara'), code: 'QR_CRC_MISMATCH', expect: { found: cafePayload.slice(-4) } },
  { name: 'the right CRC in lower case', payload: lowerCaseCrc, code: 'QR_BAD_VALUE', expect: { field: 'crc', tag: '63', position: ondaPayload.length - 8 } },
  { name: 'no CRC', payload: cafeBody, code: 'QR_MISSING_FIELD', expect: { field: 'crc', tag: '63' } },
  { name: 'the language template after the CRC', payload: crcBeforeLanguage, code: 'QR_CRC_NOT_LAST', expect: { position: cafePayload.length - 8 } },
  { name: 'the CRC in the middle', payload: crcInMiddle, code: 'QR_CRC_NOT_LAST', expect: { position: at(crcInMiddle, '6304ABCD') } },
  // the structure
  { name: 'a payload cut short', payload: cafePayload.slice(0, 30), code: 'QR_TRUNCATED', expect: { tag: '26', position: 12 } },
  { name: 'a CRC of two characters', payload: `${cafeBody}6304AB`, code: 'QR_TRUNCATED', expect: { tag: '63', position: cafeBody.length } },
  { name: 'an ID that is not digits', payload: appendCrc(`${cafeBody}AB01x`), code: 'QR_BAD_TAG', expect: { position: cafeBody.length } },
  { name: 'a length that is not digits', payload: appendCrc(`${cafeBody}99AAx`), code: 'QR_BAD_LENGTH', expect: { tag: '99', position: cafeBody.length } },
  { name: 'a length of 00', payload: appendCrc(`${cafeBody}9900`), code: 'QR_BAD_LENGTH', expect: { tag: '99' } },
  { name: 'a CRC of five characters', payload: `${cafeBody}6305ABCDE`, code: 'QR_BAD_LENGTH', expect: { tag: '63' } },
  { name: 'the name twice', payload: duplicateName, code: 'QR_DUPLICATE_TAG', expect: { tag: '59', position: cafeBody.length } },
  { name: "a merchant id twice in dari's template", payload: payloadOf(withObject(cafe, '26', dariTemplate(['01', 'M2']))), code: 'QR_DUPLICATE_TAG', expect: { tag: '26.01', position: cafeBody.indexOf('0105M0001') + 9 } },
  // mandatory data objects
  ...(
    [
      ['52', 'merchantCategoryCode'],
      ['53', 'transactionCurrency'],
      ['58', 'countryCode'],
      ['59', 'merchantName'],
      ['60', 'merchantCity'],
    ] as const
  ).map(([id, field]): Refusal => ({ name: `no ${field}`, payload: payloadOf(withObject(cafe, id, undefined)), code: 'QR_MISSING_FIELD', expect: { field, tag: id } })),
  { name: 'no merchant account', payload: payloadOf(withObject(cafe, '26', undefined)), code: 'QR_MISSING_FIELD', expect: { field: 'merchantAccountInformation' } },
  { name: 'a language template without a language', payload: payloadOf([...cafe, ['64', [['01', '达里']]]]), code: 'QR_MISSING_FIELD', expect: { field: 'languagePreference', tag: '64.00' } },
  { name: 'a language template without a name', payload: payloadOf([...cafe, ['64', [['00', 'ZH']]]]), code: 'QR_MISSING_FIELD', expect: { field: 'alternateMerchantName', tag: '64.01' } },
  { name: 'a fixed-fee indicator without the fee', payload: payloadOf(withObject(cafe, '55', '02')), code: 'QR_MISSING_FIELD', expect: { field: 'convenienceFeeFixed', tag: '56' } },
  { name: 'a percentage-fee indicator without the percentage', payload: payloadOf(withObject(cafe, '55', '03')), code: 'QR_MISSING_FIELD', expect: { field: 'convenienceFeePercentage', tag: '57' } },
  { name: 'a dynamic dari QR without an order reference', payload: payloadOf(dynamicCafe(['54', '1000'])), code: 'QR_MISSING_FIELD', expect: { field: 'orderReference', tag: '26.03' } },
  { name: 'a dynamic dari QR without an amount', payload: payloadOf(dynamicCafe(['26', dariTemplate(['03', 'ORD-1'])])), code: 'QR_MISSING_FIELD', expect: { field: 'transactionAmount', tag: '54' } },
  // data objects that must be absent
  { name: 'a fixed fee without the indicator', payload: payloadOf([...cafe, ['56', '500']]), code: 'QR_UNEXPECTED_FIELD', expect: { field: 'convenienceFeeFixed', tag: '56' } },
  { name: 'a percentage with the tip prompt', payload: payloadOf([...withObject(cafe, '55', '01'), ['57', '5']]), code: 'QR_UNEXPECTED_FIELD', expect: { field: 'convenienceFeePercentage', tag: '57' } },
  { name: 'an order reference on a static dari QR', payload: payloadOf(withObject(cafe, '26', dariTemplate(['03', 'ORD-1']))), code: 'QR_UNEXPECTED_FIELD', expect: { field: 'orderReference', tag: '26.03' } },
  // lengths
  { name: 'a name of 26 characters', payload: withName(name26), code: 'QR_VALUE_TOO_LONG', expect: { field: 'merchantName', tag: '59', position: at(withName(name26), `5926${name26}`), lengthChars: 26, lengthCharsMax: 25 } },
  { name: 'a city of 16 characters', payload: longCity, code: 'QR_VALUE_TOO_LONG', expect: { field: 'merchantCity', tag: '60', lengthChars: 16, lengthCharsMax: 15 } },
  { name: 'a postal code of 11 characters', payload: payloadOf([...cafe, ['61', '12345678901']]), code: 'QR_VALUE_TOO_LONG', expect: { field: 'postalCode', tag: '61' } },
  { name: 'an amount of 14 characters', payload: withAmount('12345678901234'), code: 'QR_VALUE_TOO_LONG', expect: { field: 'transactionAmount', tag: '54' } },
  { name: 'a reference label of 26 characters', payload: payloadOf([...cafe, ['62', [['05', name26]]]]), code: 'QR_VALUE_TOO_LONG', expect: { field: 'referenceLabel', tag: '62.05' } },
  { name: 'an alternate name of 26 characters', payload: payloadOf([...cafe, ['64', [['00', 'ZH'], ['01', '达'.repeat(26)]]]]), code: 'QR_VALUE_TOO_LONG', expect: { field: 'alternateMerchantName', tag: '64.01' } },
  { name: 'a GUID of 33 characters', payload: payloadOf(withObject(cafe, '27', [['00', 'g'.repeat(33)]])), code: 'QR_VALUE_TOO_LONG', expect: { field: 'globallyUniqueIdentifier', tag: '27.00' } },
  { name: 'a dari merchant id of 26 characters', payload: payloadOf(withObject(cafe, '26', [['00', 'com.dari'], ['01', 'M'.repeat(26)]])), code: 'QR_VALUE_TOO_LONG', expect: { field: 'merchantId', tag: '26.01' } },
  // formats
  { name: 'an MCC with a letter', payload: payloadOf(withObject(cafe, '52', '58A4')), code: 'QR_BAD_VALUE', expect: { field: 'merchantCategoryCode', tag: '52', position: cafeBody.indexOf('52045814') } },
  { name: 'an MCC of 3 digits', payload: payloadOf(withObject(cafe, '52', '581')), code: 'QR_BAD_VALUE', expect: { field: 'merchantCategoryCode' } },
  { name: 'a currency of 2 digits', payload: payloadOf(withObject(cafe, '53', '41')), code: 'QR_BAD_VALUE', expect: { field: 'transactionCurrency' } },
  { name: 'point of initiation "13"', payload: payloadOf(withObject(cafe, '01', '13')), code: 'QR_BAD_VALUE', expect: { field: 'pointOfInitiationMethod', tag: '01', position: 6 } },
  { name: 'a country in lower case', payload: payloadOf(withObject(cafe, '58', 'kr')), code: 'QR_BAD_VALUE', expect: { field: 'countryCode' } },
  { name: 'a name outside printable ASCII', payload: withName('Café Dari'), code: 'QR_BAD_VALUE', expect: { field: 'merchantName', tag: '59' } },
  { name: 'an alternate name with a bidi override', payload: payloadOf([...cafe, ['64', [['00', 'ZH'], ['01', '达里\u202E咖啡']]]]), code: 'QR_BAD_VALUE', expect: { field: 'alternateMerchantName' } },
  { name: 'a language that is not two letters', payload: payloadOf([...cafe, ['64', [['00', 'Z1'], ['01', '达里']]]]), code: 'QR_BAD_VALUE', expect: { field: 'languagePreference', tag: '64.00' } },
  { name: 'tip indicator "04"', payload: payloadOf(withObject(cafe, '55', '04')), code: 'QR_BAD_VALUE', expect: { field: 'tipOrConvenienceIndicator', tag: '55' } },
  { name: 'a fee of 100 percent', payload: payloadOf([...withObject(cafe, '55', '03'), ['57', '100']]), code: 'QR_BAD_VALUE', expect: { field: 'convenienceFeePercentage' } },
  { name: 'a fee of 0 percent', payload: payloadOf([...withObject(cafe, '55', '03'), ['57', '0.00']]), code: 'QR_BAD_VALUE', expect: { field: 'convenienceFeePercentage' } },
  { name: 'a fee with three decimals', payload: payloadOf([...withObject(cafe, '55', '03'), ['57', '1.125']]), code: 'QR_BAD_VALUE', expect: { field: 'convenienceFeePercentage' } },
  { name: 'a consumer data request "AX"', payload: payloadOf([...cafe, ['62', [['09', 'AX']]]]), code: 'QR_BAD_VALUE', expect: { field: 'additionalConsumerDataRequest', tag: '62.09' } },
  { name: 'a consumer data request "MM"', payload: payloadOf([...cafe, ['62', [['09', 'MM']]]]), code: 'QR_BAD_VALUE', expect: { field: 'additionalConsumerDataRequest' } },
  { name: 'a dari merchant id with a space', payload: payloadOf(withObject(cafe, '26', [['00', 'com.dari'], ['01', 'M 1']])), code: 'QR_BAD_VALUE', expect: { field: 'merchantId', tag: '26.01' } },
  // amounts
  { name: 'a zero amount', payload: withAmount('0'), code: 'QR_BAD_AMOUNT', expect: { field: 'transactionAmount', tag: '54' } },
  { name: 'a zero amount with decimals', payload: withAmount('0.00', '156'), code: 'QR_BAD_AMOUNT' },
  { name: 'a grouped amount', payload: withAmount('1,000'), code: 'QR_BAD_AMOUNT' },
  { name: 'a negative amount', payload: withAmount('-5'), code: 'QR_BAD_AMOUNT' },
  { name: 'an amount without an integer part', payload: withAmount('.5', '156'), code: 'QR_BAD_AMOUNT' },
  { name: 'an amount with an exponent', payload: withAmount('1e3'), code: 'QR_BAD_AMOUNT' },
  { name: 'an amount with two decimal marks', payload: withAmount('1.2.3', '156'), code: 'QR_BAD_AMOUNT' },
  { name: 'won with decimals', payload: withAmount('12.5'), code: 'QR_BAD_AMOUNT' },
  { name: 'won with zero decimals', payload: withAmount('15000.00'), code: 'QR_BAD_AMOUNT' },
  { name: 'yuan with three decimals', payload: withAmount('12.505', '156'), code: 'QR_BAD_AMOUNT' },
  { name: 'a zero fixed fee', payload: payloadOf([...withObject(cafe, '55', '02'), ['56', '0']]), code: 'QR_BAD_AMOUNT', expect: { field: 'convenienceFeeFixed', tag: '56' } },
  // currencies
  { name: 'Indian rupees, not in the currency table', payload: payloadOf(withObject(cafe, '53', '356')), code: 'QR_UNKNOWN_CURRENCY', expect: { numericCode: '356', tag: '53' } },
  { name: 'currency 999', payload: payloadOf(withObject(cafe, '53', '999')), code: 'QR_UNKNOWN_CURRENCY', expect: { numericCode: '999' } },
  // merchant accounts
  { name: 'a template without a GUID', payload: payloadOf(withObject(cafe, '27', [['01', 'x']])), code: 'QR_BAD_MERCHANT_ACCOUNT', expect: { tag: '27' } },
  { name: 'two dari templates', payload: payloadOf(withObject(cafe, '27', dariTemplate())), code: 'QR_BAD_MERCHANT_ACCOUNT', expect: { tag: '27' } },
  { name: 'a dari template without a merchant id', payload: payloadOf(withObject(cafe, '26', [['00', 'com.dari'], ['02', 'S1']])), code: 'QR_BAD_MERCHANT_ACCOUNT', expect: { tag: '26', position: 12 } },
  { name: 'a broken template', payload: payloadOf(withObject(cafe, '26', '0008com.dari01')), code: 'QR_TRUNCATED', expect: { tag: '26.01', position: 28 } },
];

describe('decodeMerchantQr refuses', () => {
  for (const { name, payload, code, expect = {} } of refusals) {
    it(`${name}: ${code}`, () => {
      const error: QrError = assertErr(decodeMerchantQr(payload), code);
      for (const [key, value] of Object.entries(expect)) {
        assert.deepEqual((error as unknown as Record<string, unknown>)[key], value, `${key} in ${error.message}`);
      }
    });
  }

  it('with a table that covers every error code', () => {
    const covered = new Set(refusals.map((refusal) => refusal.code));
    assert.deepEqual(QR_ERROR_CODES.filter((code) => !covered.has(code)), []);
  });

  it('with messages that say what and where', () => {
    const error = assertErr(decodeMerchantQr(withName(name26)), 'QR_VALUE_TOO_LONG');
    assert.equal(error.message, 'tag 59 (merchantName) at position 58 is 26 characters long, at most 25 allowed');
    const crc = assertErr(decodeMerchantQr(cafePayload.replace('Seoul', 'Busan')), 'QR_CRC_MISMATCH');
    assert.match(crc.message, /damaged or was altered/);
  });

  it('yuan amounts in a won QR: the amount is read in the QR currency', () => {
    assertErr(decodeMerchantQr(withAmount('12.50')), 'QR_BAD_AMOUNT');
    assert.deepEqual(assertOk(decodeMerchantQr(withAmount('12.50', '156'))).amount, amount(CNY, 1250n));
  });
});
