import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CURRENCIES,
  currency,
  currencyExponent,
  currencyInfo,
  isCurrency,
  minorPerMajor,
  parseCurrency,
  parseNumericCurrency,
} from './index.ts';
import { assertErr, assertOk } from './test-helpers.ts';

describe('currency table', () => {
  const expected: readonly [string, number, string][] = [
    ['KRW', 0, '410'],
    ['JPY', 0, '392'],
    ['CNY', 2, '156'],
    ['USD', 2, '840'],
    ['EUR', 2, '978'],
    ['HKD', 2, '344'],
    ['VND', 0, '704'],
    ['AUD', 2, '036'],
    ['BHD', 3, '048'],
    ['KWD', 3, '414'],
  ];
  for (const [code, exponent, numericCode] of expected) {
    it(`${code} has exponent ${exponent} and numeric code ${numericCode}`, () => {
      const parsed = assertOk(parseCurrency(code));
      assert.equal(currencyExponent(parsed), exponent);
      assert.equal(currencyInfo(parsed).numericCode, numericCode);
      assert.equal(minorPerMajor(parsed), 10n ** BigInt(exponent));
      assert.equal(assertOk(parseNumericCurrency(numericCode)), parsed);
    });
  }

  it('lists every currency once, with a name', () => {
    assert.equal(new Set(CURRENCIES.map((info) => info.code)).size, CURRENCIES.length);
    assert.ok(CURRENCIES.length >= 19);
    for (const info of CURRENCIES) assert.ok(info.name.length > 0);
  });

  it('builds currencies from literals', () => {
    assert.equal(currency('KRW'), 'KRW');
    // @ts-expect-error a code outside the table does not compile
    assert.throws(() => currency('ZZZ'));
  });
});

describe('parseCurrency refuses', () => {
  const unknown = ['ZZZ', 'cny', 'Cny', '', ' CNY', 'CNY ', 'CNYY', 'RMB', '156', '__proto__', 'toString'];
  for (const code of unknown) {
    it(`${JSON.stringify(code)} as unknown-currency`, () => {
      assertErr(parseCurrency(code), 'unknown-currency');
      assert.equal(isCurrency(code), false);
    });
  }
  it('a non-string at runtime as invalid-format', () => {
    assertErr(parseCurrency(156 as unknown as string), 'invalid-format');
  });
  it('an unknown numeric code', () => {
    assertErr(parseNumericCurrency('999'), 'unknown-currency');
    assertErr(parseNumericCurrency('36'), 'unknown-currency');
  });
  it('cuts a long code short in the error', () => {
    const error = assertErr(parseCurrency('X'.repeat(10_000)), 'unknown-currency');
    assert.ok(error.message.length < 100);
  });
});
