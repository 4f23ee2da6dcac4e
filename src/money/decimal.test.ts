import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AMOUNT_VALUE_MAX,
  AMOUNT_VALUE_MIN,
  CURRENCIES,
  amount,
  currency,
  currencyExponent,
  formatDecimal,
  parseDecimal,
  type Currency,
  type DecimalParseOptions,
  type MoneyErrorKind,
} from './index.ts';
import { assertErr, assertOk } from './test-helpers.ts';

const anyCurrency = fc.constantFrom(...CURRENCIES.map((info) => info.code));
const signed: DecimalParseOptions = { allowNegative: true, allowZero: true };

describe('parseDecimal accepts', () => {
  const accepted: readonly [string, string, bigint, DecimalParseOptions?][] = [
    ['1,000.00', 'CNY', 100000n],
    ['1000.00', 'CNY', 100000n],
    ['1000', 'CNY', 100000n],
    ['15000', 'KRW', 15000n],
    ['15,000', 'KRW', 15000n],
    ['1.50', 'CNY', 150n],
    ['1.5', 'CNY', 150n],
    ['0.01', 'CNY', 1n],
    ['0.5', 'CNY', 50n],
    ['999', 'JPY', 999n],
    ['1,234,567.891', 'BHD', 1234567891n],
    ['0.001', 'KWD', 1n],
    ['92,233,720,368,547,758.07', 'CNY', AMOUNT_VALUE_MAX],
    ['9223372036854775807', 'KRW', AMOUNT_VALUE_MAX],
    ['9,223,372,036,854,775.807', 'BHD', AMOUNT_VALUE_MAX],
    ['-1.05', 'CNY', -105n, signed],
    ['-92,233,720,368,547,758.07', 'CNY', AMOUNT_VALUE_MIN, signed],
    ['0', 'KRW', 0n, { allowZero: true }],
    ['0.00', 'CNY', 0n, { allowZero: true }],
  ];
  for (const [input, code, value, options] of accepted) {
    it(`${JSON.stringify(input)} ${code} as ${value}`, () => {
      const parsed = assertOk(parseDecimal(input, code, options));
      assert.deepEqual(parsed, amount(currency(code as 'KRW'), value));
    });
  }
});

describe('parseDecimal refuses', () => {
  const refused: readonly [string, string, MoneyErrorKind, DecimalParseOptions?][] = [
    // more decimals than the currency has
    ['1.001', 'CNY', 'too-many-decimals'],
    ['1.000', 'CNY', 'too-many-decimals'],
    ['1.5', 'KRW', 'too-many-decimals'],
    ['1.0', 'KRW', 'too-many-decimals'],
    ['100.5', 'JPY', 'too-many-decimals'],
    ['1.0001', 'BHD', 'too-many-decimals'],
    // signs
    ['-1', 'CNY', 'negative-not-allowed'],
    ['-0.01', 'CNY', 'negative-not-allowed'],
    ['-0', 'CNY', 'negative-not-allowed'],
    ['-0', 'CNY', 'invalid-format', signed],
    ['-0.00', 'CNY', 'invalid-format', signed],
    ['+1', 'CNY', 'invalid-format'],
    ['+1', 'CNY', 'invalid-format', signed],
    ['--1', 'CNY', 'invalid-format', signed],
    ['-', 'CNY', 'invalid-format', signed],
    ['1-', 'CNY', 'invalid-format', signed],
    // exponents
    ['1e5', 'CNY', 'invalid-format'],
    ['1E5', 'CNY', 'invalid-format'],
    ['1.5e2', 'CNY', 'invalid-format'],
    ['1e-2', 'CNY', 'invalid-format'],
    // whitespace
    [' 1', 'CNY', 'invalid-format'],
    ['1 ', 'CNY', 'invalid-format'],
    ['1 000', 'CNY', 'invalid-format'],
    ['1\t', 'CNY', 'invalid-format'],
    ['\n1', 'CNY', 'invalid-format'],
    ['1\u00a0000', 'CNY', 'invalid-format'],
    ['1,000 .00', 'CNY', 'invalid-format'],
    ['- 1', 'CNY', 'invalid-format', signed],
    // grouping separators
    ['1,00.00', 'CNY', 'invalid-format'],
    ['1,,000', 'CNY', 'invalid-format'],
    [',100', 'CNY', 'invalid-format'],
    ['100,', 'CNY', 'invalid-format'],
    ['1000,000', 'CNY', 'invalid-format'],
    ['1,0000', 'CNY', 'invalid-format'],
    ['12,34,567', 'KRW', 'invalid-format'],
    ['1,000,00', 'KRW', 'invalid-format'],
    ['1.000,00', 'CNY', 'invalid-format'],
    ['0,100', 'KRW', 'invalid-format'],
    ['1,000.000,0', 'BHD', 'invalid-format'],
    // empty, lone or misplaced point
    ['', 'CNY', 'invalid-format'],
    ['.', 'CNY', 'invalid-format'],
    ['1.', 'CNY', 'invalid-format'],
    ['.5', 'CNY', 'invalid-format'],
    ['-.5', 'CNY', 'invalid-format', signed],
    ['1..0', 'CNY', 'invalid-format'],
    ['1.2.3', 'CNY', 'invalid-format'],
    // leading zeros and other garbage
    ['01', 'KRW', 'invalid-format'],
    ['00.50', 'CNY', 'invalid-format'],
    ['abc', 'CNY', 'invalid-format'],
    ['1a', 'CNY', 'invalid-format'],
    ['0x10', 'KRW', 'invalid-format'],
    ['1_000', 'KRW', 'invalid-format'],
    ['NaN', 'CNY', 'invalid-format'],
    ['Infinity', 'CNY', 'invalid-format'],
    ['１', 'KRW', 'invalid-format'],
    ['٣', 'KRW', 'invalid-format'],
    ['¥100', 'CNY', 'invalid-format'],
    ['100원', 'KRW', 'invalid-format'],
    ['1'.repeat(65), 'KRW', 'invalid-format'],
    // beyond 2^63 - 1 minor units
    ['92,233,720,368,547,758.08', 'CNY', 'out-of-range'],
    ['9223372036854775808', 'KRW', 'out-of-range'],
    ['9,223,372,036,854,775.808', 'BHD', 'out-of-range'],
    ['100,000,000,000,000,000', 'CNY', 'out-of-range'],
    ['-9223372036854775808', 'KRW', 'out-of-range', signed],
    ['9'.repeat(64), 'KRW', 'out-of-range'],
    // zero without allowZero
    ['0', 'KRW', 'zero-not-allowed'],
    ['0.00', 'CNY', 'zero-not-allowed'],
    ['0.0', 'CNY', 'zero-not-allowed', { allowNegative: true }],
    // unknown currencies
    ['1', 'ZZZ', 'unknown-currency'],
    ['1', 'cny', 'unknown-currency'],
    ['1', '', 'unknown-currency'],
    ['CNY', '1,000.00', 'unknown-currency'],
  ];
  for (const [input, code, kind, options] of refused) {
    const label = `${JSON.stringify(input)} ${JSON.stringify(code)}${options ? ` ${JSON.stringify(options)}` : ''}`;
    it(`${label} as ${kind}`, () => {
      assertErr(parseDecimal(input, code, options), kind);
    });
  }

  it('says which currency and how many decimals', () => {
    const error = assertErr(parseDecimal('1.001', 'CNY'), 'too-many-decimals');
    const data = { ...error, message: '' };
    assert.deepEqual(data, { kind: 'too-many-decimals', currency: 'CNY', decimalsMax: 2, message: '' });
  });

  it('a JS number, at compile time and at runtime', () => {
    // @ts-expect-error only strings are parsed: a float cannot hold every amount exactly
    assertErr(parseDecimal(1.5, 'CNY'), 'invalid-format');
    assertErr(parseDecimal(1000 as unknown as string, 'KRW'), 'invalid-format');
    assertErr(parseDecimal(1000n as unknown as string, 'KRW'), 'invalid-format');
  });
});

describe('formatDecimal', () => {
  const formatted: readonly [Currency, bigint, string, string][] = [
    [currency('CNY'), 100000n, '1,000.00', '1000.00'],
    [currency('KRW'), 15000n, '15,000', '15000'],
    [currency('CNY'), 0n, '0.00', '0.00'],
    [currency('KRW'), 0n, '0', '0'],
    [currency('CNY'), 5n, '0.05', '0.05'],
    [currency('CNY'), -5n, '-0.05', '-0.05'],
    [currency('CNY'), 150n, '1.50', '1.50'],
    [currency('BHD'), 1n, '0.001', '0.001'],
    [currency('KRW'), 999n, '999', '999'],
    [currency('KRW'), 1000n, '1,000', '1000'],
    [currency('JPY'), 123456n, '123,456', '123456'],
    [currency('KRW'), -1234567n, '-1,234,567', '-1234567'],
    [currency('KRW'), AMOUNT_VALUE_MAX, '9,223,372,036,854,775,807', '9223372036854775807'],
    [currency('CNY'), AMOUNT_VALUE_MIN, '-92,233,720,368,547,758.07', '-92233720368547758.07'],
  ];
  for (const [code, value, grouped, plain] of formatted) {
    it(`${value} ${code} as ${grouped}`, () => {
      assert.equal(formatDecimal(amount(code, value)), grouped);
      assert.equal(formatDecimal(amount(code, value), { grouping: true }), grouped);
      assert.equal(formatDecimal(amount(code, value), { grouping: false }), plain);
    });
  }
});

/** The digits of a valid decimal for `code`, taken apart: built from bigints, as regex arbitraries are slow. */
function validDecimalFor(code: Currency) {
  const exponent = currencyExponent(code);
  // 15 integer digits stay within range for every exponent up to 3.
  const integerDigits = fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }).map((value) => value.toString());
  const fractionDigits = fc.integer({ min: 0, max: exponent }).chain((length) =>
    fc
      .bigInt({ min: 0n, max: 10n ** BigInt(length) - 1n })
      .map((value) => (length === 0 ? '' : value.toString().padStart(length, '0'))),
  );
  return fc.record({
    code: fc.constant(code),
    integerDigits,
    fractionDigits,
    grouping: fc.boolean(),
    negative: fc.boolean(),
  });
}
const validDecimal = fc.oneof(...CURRENCIES.map((info) => validDecimalFor(info.code)));

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=([0-9]{3})+$)/g, ',');
}

describe('decimal properties', () => {
  it('parse(format(v)) === v for every value in every currency', () => {
    const anyValue = fc.bigInt({ min: AMOUNT_VALUE_MIN, max: AMOUNT_VALUE_MAX });
    fc.assert(
      fc.property(anyCurrency, anyValue, fc.boolean(), (code, value, grouping) => {
        const original = amount(code, value);
        const parsed = assertOk(parseDecimal(formatDecimal(original, { grouping }), code, signed));
        assert.deepEqual(parsed, original);
      }),
      { numRuns: 3000 },
    );
  });

  it('parse(format(v)) === v for non-negative values with default options', () => {
    fc.assert(
      fc.property(anyCurrency, fc.bigInt({ min: 1n, max: AMOUNT_VALUE_MAX }), (code, value) => {
        assert.equal(assertOk(parseDecimal(formatDecimal(amount(code, value)), code)).value, value);
      }),
      { numRuns: 2000 },
    );
  });

  it('format(parse(s)) is s with the currency decimals filled in', () => {
    fc.assert(
      fc.property(validDecimal, ({ code, integerDigits, fractionDigits, grouping, negative }) => {
        const exponent = currencyExponent(code);
        const isZero = /^0*$/.test(integerDigits + fractionDigits);
        const sign = negative && !isZero ? '-' : '';
        const integerPart = grouping ? groupThousands(integerDigits) : integerDigits;
        const input = `${sign}${integerPart}${fractionDigits === '' ? '' : `.${fractionDigits}`}`;
        const paddedFraction = fractionDigits.padEnd(exponent, '0');
        const expected = `${sign}${integerPart}${exponent === 0 ? '' : `.${paddedFraction}`}`;
        const parsed = assertOk(parseDecimal(input, code, signed));
        assert.equal(formatDecimal(parsed, { grouping }), expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws, whatever string it is given', () => {
    const noisy = fc.oneof(fc.string(), fc.stringMatching(/^[-+0-9,. e]{0,30}$/));
    fc.assert(
      fc.property(noisy, fc.constantFrom('CNY', 'KRW', 'BHD', 'ZZZ'), (input, code) => {
        const result = parseDecimal(input, code, signed);
        // Whatever is accepted is written back as the same number.
        if (!result.ok) return;
        assert.deepEqual(assertOk(parseDecimal(formatDecimal(result.value), code, signed)), result.value);
      }),
      { numRuns: 3000 },
    );
  });
});
