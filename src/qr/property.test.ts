import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { amount, currency, currencyExponent, type Amount, type Currency } from '../money/index.ts';
import {
  QR_ERROR_CODES,
  appendCrc,
  buildDataObject,
  decodeMerchantQr,
  encodeMerchantQr,
  type AdditionalData,
  type MerchantAccount,
  type MerchantQrInput,
  type TipOrConvenienceFee,
} from './index.ts';
import { assertOk } from './test-helpers.ts';

const CURRENCIES = (['KRW', 'CNY', 'JPY', 'USD', 'THB', 'SGD', 'HKD'] as const).map((code) => currency(code));

const chars = (codes: string): fc.Arbitrary<string> => fc.constantFrom(...Array.from(codes));
const PRINTABLE_ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';

/** Text in the EMV common character set ("ans"). */
const ans = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: chars(PRINTABLE_ASCII), minLength: 1, maxLength });

/** Text in any script ("S"): Latin, Hangul, CJK ideographs, and characters outside the BMP. */
const anyScript = (maxLength: number): fc.Arbitrary<string> => {
  const unit = fc.oneof(
    chars('abcXYZ 019'),
    fc.integer({ min: 0xac00, max: 0xd7a3 }).map((code) => String.fromCodePoint(code)),
    fc.integer({ min: 0x4e00, max: 0x9fff }).map((code) => String.fromCodePoint(code)),
    fc.integer({ min: 0x1f600, max: 0x1f64f }).map((code) => String.fromCodePoint(code)),
  );
  return fc.string({ unit, minLength: 1, maxLength });
};

const digits = (length: number): fc.Arbitrary<string> => fc.string({ unit: chars('0123456789'), minLength: length, maxLength: length });
const dariId = fc.string({ unit: chars(ID_CHARS), minLength: 1, maxLength: 25 });

/** A positive amount whose text fits ID 54's 13 characters. */
function qrAmount(c: Currency): fc.Arbitrary<Amount> {
  const exponent = currencyExponent(c);
  const integerDigitsMax = exponent === 0 ? 13 : 13 - exponent - 1;
  const max = 10n ** BigInt(integerDigitsMax + exponent) - 1n;
  return fc.bigInt({ min: 1n, max }).map((value) => amount(c, value));
}

function tip(c: Currency): fc.Arbitrary<TipOrConvenienceFee> {
  return fc.oneof(
    fc.constant({ kind: 'prompt' } as const),
    qrAmount(c).map((fee) => ({ kind: 'fixed-fee', fee }) as const),
    fc.integer({ min: 1, max: 9_999 }).map((feeBps) => ({ kind: 'percentage-fee', feeBps }) as const),
  );
}

const ADDITIONAL_FIELDS = [
  'billNumber',
  'mobileNumber',
  'storeLabel',
  'loyaltyNumber',
  'referenceLabel',
  'customerLabel',
  'terminalLabel',
  'purposeOfTransaction',
] as const;

/** One to three sub-fields, so that the template stays within 99 characters. */
const additionalData: fc.Arbitrary<AdditionalData> = fc
  .uniqueArray(fc.constantFrom(...ADDITIONAL_FIELDS, 'additionalConsumerDataRequest' as const), { minLength: 1, maxLength: 3 })
  .chain((fields) =>
    fc.tuple(
      ...fields.map((field) =>
        (field === 'additionalConsumerDataRequest'
          ? fc.subarray(['A', 'M', 'E'], { minLength: 1 }).map((letters) => letters.join(''))
          : ans(25)
        ).map((value) => [field, value] as const),
      ),
    ),
  )
  .map((entries) => Object.fromEntries(entries) as AdditionalData);

const twoDigits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));

/** Accounts in other schemes, small enough that a payload with everything stays within 512 characters. */
const otherAccounts: fc.Arbitrary<MerchantAccount[]> = fc.uniqueArray(
  fc.oneof(
    fc.record({ kind: fc.constant('primitive' as const), tag: twoDigits(2, 25), value: anyScript(40) }, { noNullPrototype: true }),
    fc.record({
      kind: fc.constant('template' as const),
      tag: twoDigits(27, 51),
      guid: ans(16).filter((guid) => guid.toLowerCase() !== 'com.dari'),
      fields: fc.uniqueArray(fc.record({ id: twoDigits(1, 99), value: anyScript(12) }, { noNullPrototype: true }), {
        maxLength: 2,
        selector: (field) => field.id,
      }),
    }, { noNullPrototype: true }),
  ),
  { maxLength: 2, selector: (account) => account.tag },
);

const merchantQrInput: fc.Arbitrary<MerchantQrInput> = fc.constantFrom(...CURRENCIES).chain((c) =>
  fc
    .record(
      {
        dari: fc.record({ merchantId: dariId, storeId: dariId }, { requiredKeys: ['merchantId'], noNullPrototype: true }),
        otherMerchantAccounts: otherAccounts,
        merchantCategoryCode: digits(4),
        tip: tip(c),
        countryCode: fc.string({ unit: chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 2, maxLength: 2 }),
        merchantName: ans(25),
        merchantCity: ans(15),
        postalCode: ans(10),
        additionalData,
        languageTemplate: fc.record(
          { languagePreference: fc.constantFrom('ZH', 'zh', 'KO', 'ja', 'TH'), merchantName: anyScript(25), merchantCity: anyScript(15) },
          { requiredKeys: ['languagePreference', 'merchantName'], noNullPrototype: true },
        ),
      },
      { requiredKeys: ['dari', 'merchantCategoryCode', 'countryCode', 'merchantName', 'merchantCity'], noNullPrototype: true },
    )
    .chain((common) =>
      fc.oneof(
        fc.option(qrAmount(c), { nil: undefined }).map(
          (a): MerchantQrInput => ({ ...common, currency: c, initiation: 'static', ...(a === undefined ? {} : { amount: a }) }),
        ),
        fc.tuple(qrAmount(c), dariId).map(
          ([a, orderReference]): MerchantQrInput => ({ ...common, currency: c, initiation: 'dynamic', amount: a, orderReference }),
        ),
      ),
    ),
);

function encoded(input: MerchantQrInput): string {
  return assertOk(encodeMerchantQr(input));
}

describe('round trip', () => {
  it('decodeMerchantQr(encodeMerchantQr(input)) gives the input back', () => {
    fc.assert(
      fc.property(merchantQrInput, (input) => {
        const qr = assertOk(decodeMerchantQr(encoded(input)));
        const orderReference = input.initiation === 'dynamic' ? { orderReference: input.orderReference } : {};
        assert.equal(qr.initiation, input.initiation);
        assert.deepEqual(qr.dari, { tag: '26', ...input.dari, ...orderReference });
        const others = [...(input.otherMerchantAccounts ?? [])].sort((a, b) => (a.tag < b.tag ? -1 : 1));
        assert.deepEqual(qr.merchantAccounts.filter((account) => account.tag !== '26'), others);
        assert.equal(qr.merchantCategoryCode, input.merchantCategoryCode);
        assert.equal(qr.currency, input.currency);
        assert.deepEqual(qr.amount, input.amount);
        assert.deepEqual(qr.tip, input.tip);
        assert.equal(qr.countryCode, input.countryCode);
        assert.equal(qr.merchantName, input.merchantName);
        assert.equal(qr.merchantCity, input.merchantCity);
        assert.equal(qr.postalCode, input.postalCode);
        const { fields: _, ...named } = qr.additionalData ?? { fields: [] };
        assert.deepEqual(qr.additionalData === undefined ? undefined : named, input.additionalData);
        assert.deepEqual(qr.languageTemplate, input.languageTemplate);
      }),
      { numRuns: 300 },
    );
  });
});

/** Decoding returns a result with a known code, whatever the input: it never throws. */
function decodesWithoutThrowing(payload: string): boolean {
  const result = decodeMerchantQr(payload);
  if (!result.ok) {
    assert.ok(QR_ERROR_CODES.includes(result.error.code));
    assert.ok(result.error.message.length > 0);
  }
  return result.ok;
}

describe('decodeMerchantQr never throws', () => {
  it('on random strings of any characters, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 600 })), (text) => {
        decodesWithoutThrowing(text);
      }),
      { numRuns: 500 },
    );
  });

  it('on random strings past the format indicator and the CRC, which reach the structure checks', () => {
    const tlvChars = fc.string({ unit: chars('0123456789.ABC* 北'), maxLength: 200 });
    fc.assert(
      fc.property(tlvChars, (text) => {
        decodesWithoutThrowing(appendCrc(`000201${text}`));
      }),
      { numRuns: 500 },
    );
  });

  it('on random well-formed data objects with a valid CRC, which reach every field check', () => {
    const value = fc.oneof(digits(2), digits(3), digits(4), ans(30), anyScript(10), fc.constantFrom('com.dari', '0008com.dari0101M', '0002ZH0102北京'));
    const object = fc.tuple(fc.oneof(twoDigits(0, 99), fc.constantFrom('01', '26', '52', '53', '54', '55', '56', '57', '58', '59', '60', '62', '64')), value);
    fc.assert(
      fc.property(fc.uniqueArray(object, { maxLength: 15, selector: ([id]) => id }), (objects) => {
        const body = objects.filter(([id]) => id !== '00' && id !== '63').map(([id, v]) => buildDataObject(id, v));
        decodesWithoutThrowing(appendCrc(`000201${body.join('')}`));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('a changed character is detected', () => {
  it('any single printable ASCII character replaced in a valid payload (CRC-16 catches every single-byte change)', () => {
    const asciiOnly = merchantQrInput.map((input): MerchantQrInput => {
      const { languageTemplate: _, otherMerchantAccounts: __, ...rest } = input;
      return rest as MerchantQrInput;
    });
    fc.assert(
      fc.property(asciiOnly, fc.nat(), chars(PRINTABLE_ASCII), (input, index, replacement) => {
        const payload = encoded(input);
        const at = index % payload.length;
        fc.pre(payload[at] !== replacement);
        const changed = `${payload.slice(0, at)}${replacement}${payload.slice(at + 1)}`;
        assert.equal(decodesWithoutThrowing(changed), false, `${changed} decoded`);
      }),
      { numRuns: 1000 },
    );
  });

  it('any single character replaced by any other (control, non-ASCII, astral) in any valid payload', () => {
    const replacement = fc.oneof(
      chars(PRINTABLE_ASCII),
      chars('\u0000\n\t\u007f\u0085é北한\u202E'),
      fc.constant('😀'),
      fc.constant('\uD800'),
    );
    fc.assert(
      fc.property(merchantQrInput, fc.nat(), replacement, (input, index, char) => {
        const chars_ = Array.from(encoded(input));
        const at = index % chars_.length;
        fc.pre(chars_[at] !== char);
        chars_[at] = char;
        assert.equal(decodesWithoutThrowing(chars_.join('')), false);
      }),
      // A replacement that changes the byte length in a free-text "S" field can
      // only be caught by the CRC, with probability 1 − 2^-16; a fixed seed
      // keeps the run reproducible.
      { numRuns: 1000, seed: 20_250_101 },
    );
  });

  it('deleting or inserting a character never throws, and is detected', () => {
    fc.assert(
      fc.property(merchantQrInput, fc.nat(), fc.boolean(), chars(PRINTABLE_ASCII), (input, index, insert, char) => {
        const chars_ = Array.from(encoded(input));
        const at = index % chars_.length;
        chars_.splice(at, insert ? 0 : 1, ...(insert ? [char] : []));
        assert.equal(decodesWithoutThrowing(chars_.join('')), false);
      }),
      { numRuns: 500, seed: 20_250_102 },
    );
  });
});
