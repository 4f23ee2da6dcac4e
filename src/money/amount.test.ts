import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AMOUNT_VALUE_MAX,
  AMOUNT_VALUE_MIN,
  CURRENCIES,
  MoneyInvariantError,
  add,
  amount,
  amountToJson,
  checkCurrency,
  compare,
  currency,
  equals,
  greaterThan,
  greaterThanOrEqual,
  isNegative,
  isPositive,
  isZero,
  lessThan,
  lessThanOrEqual,
  negate,
  parseAmountJson,
  subtract,
  zero,
  type Currency,
  type MoneyErrorKind,
} from './index.ts';
import { assertErr, assertOk } from './test-helpers.ts';

const CNY = currency('CNY');
const KRW = currency('KRW');
const anyCurrency = fc.constantFrom(...CURRENCIES.map((info) => info.code));

describe('amount', () => {
  it('holds minor units', () => {
    assert.deepEqual(amount(CNY, 100000n), { currency: 'CNY', value: 100000n });
  });
  it('accepts both ends of the range', () => {
    assert.equal(amount(KRW, AMOUNT_VALUE_MAX).value, 2n ** 63n - 1n);
    assert.equal(amount(KRW, AMOUNT_VALUE_MIN).value, -(2n ** 63n - 1n));
  });
  const bugs: readonly [string, () => unknown][] = [
    ['a value above the max', () => amount(KRW, AMOUNT_VALUE_MAX + 1n)],
    ['a value below the min', () => amount(KRW, AMOUNT_VALUE_MIN - 1n)],
    ['a number value', () => amount(KRW, 1 as unknown as bigint)],
    ['a forged currency', () => amount('ZZZ' as Currency, 1n)],
  ];
  for (const [name, build] of bugs) {
    it(`throws MoneyInvariantError for ${name}`, () => assert.throws(build, MoneyInvariantError));
  }
});

describe('arithmetic', () => {
  it('adds and subtracts in one currency', () => {
    assert.deepEqual(add(amount(CNY, 150n), amount(CNY, 250n)), amount(CNY, 400n));
    assert.deepEqual(subtract(amount(CNY, 150n), amount(CNY, 250n)), amount(CNY, -100n));
    assert.deepEqual(negate(amount(CNY, AMOUNT_VALUE_MAX)), amount(CNY, AMOUNT_VALUE_MIN));
    assert.deepEqual(zero(KRW), amount(KRW, 0n));
  });
  const bugs: readonly [string, () => unknown][] = [
    ['add of two currencies', () => add(amount(CNY, 1n), amount(KRW, 1n))],
    ['subtract of two currencies', () => subtract(amount(CNY, 1n), amount(KRW, 1n))],
    ['compare of two currencies', () => compare(amount(CNY, 1n), amount(KRW, 1n))],
    ['lessThan of two currencies', () => lessThan(amount(CNY, 1n), amount(KRW, 1n))],
    ['an overflowing sum', () => add(amount(KRW, AMOUNT_VALUE_MAX), amount(KRW, 1n))],
    ['an overflowing difference', () => subtract(amount(KRW, AMOUNT_VALUE_MIN), amount(KRW, 1n))],
  ];
  for (const [name, run] of bugs) {
    it(`throws MoneyInvariantError for ${name}`, () => assert.throws(run, MoneyInvariantError));
  }
  it('checks a currency at a boundary as a value', () => {
    const error = assertErr(checkCurrency(amount(KRW, 1n), CNY), 'currency-mismatch');
    assert.deepEqual({ ...error, message: '' }, { kind: 'currency-mismatch', expected: CNY, actual: KRW, message: '' });
    assert.deepEqual(assertOk(checkCurrency(amount(CNY, 1n), CNY)), amount(CNY, 1n));
  });
});

describe('comparison', () => {
  const one = amount(CNY, 1n);
  const two = amount(CNY, 2n);
  it('orders amounts of one currency', () => {
    assert.equal(compare(one, two), -1);
    assert.equal(compare(two, one), 1);
    assert.equal(compare(one, amount(CNY, 1n)), 0);
    assert.ok(lessThan(one, two) && lessThanOrEqual(one, one) && !lessThan(one, one));
    assert.ok(greaterThan(two, one) && greaterThanOrEqual(two, two) && !greaterThan(two, two));
  });
  it('tests sign', () => {
    assert.ok(isZero(zero(CNY)) && !isPositive(zero(CNY)) && !isNegative(zero(CNY)));
    assert.ok(isPositive(one) && isNegative(negate(one)));
  });
  it('says that equal values in two currencies are not equal', () => {
    assert.equal(equals(amount(CNY, 100n), amount(KRW, 100n)), false);
    assert.equal(equals(amount(CNY, 100n), amount(CNY, 100n)), true);
  });
});

describe('amountToJson', () => {
  it('writes the Alipay+ shape', () => {
    assert.equal(JSON.stringify(amountToJson(amount(CNY, 100000n))), '{"currency":"CNY","value":"100000"}');
    assert.equal(JSON.stringify(amountToJson(amount(KRW, 15000n))), '{"currency":"KRW","value":"15000"}');
    assert.deepEqual(amountToJson(zero(KRW)), { currency: 'KRW', value: '0' });
  });
  it('throws for a negative amount', () => {
    assert.throws(() => amountToJson(amount(CNY, -1n)), MoneyInvariantError);
  });
});

describe('parseAmountJson accepts', () => {
  const accepted: readonly [unknown, Currency, bigint][] = [
    [{ currency: 'CNY', value: '100000' }, CNY, 100000n],
    [{ currency: 'KRW', value: '15000' }, KRW, 15000n],
    [{ value: '1', currency: 'KRW' }, KRW, 1n],
    [{ currency: 'KRW', value: '9223372036854775807' }, KRW, AMOUNT_VALUE_MAX],
  ];
  for (const [input, expectedCurrency, value] of accepted) {
    it(JSON.stringify(input), () => {
      assert.deepEqual(assertOk(parseAmountJson(input)), amount(expectedCurrency, value));
    });
  }
  it('zero with allowZero', () => {
    assert.deepEqual(assertOk(parseAmountJson({ currency: 'CNY', value: '0' }, { allowZero: true })), zero(CNY));
  });
});

describe('parseAmountJson refuses', () => {
  const cny = (value: unknown): unknown => ({ currency: 'CNY', value });
  const inherited: unknown = Object.assign(Object.create({ currency: 'CNY' }) as object, { value: '1' });
  const refused: readonly [string, unknown, MoneyErrorKind][] = [
    ['null', null, 'invalid-format'],
    ['undefined', undefined, 'invalid-format'],
    ['a number', 100, 'invalid-format'],
    ['a string', '{"currency":"CNY","value":"1"}', 'invalid-format'],
    ['an array', ['CNY', '1'], 'invalid-format'],
    ['a boolean', true, 'invalid-format'],
    ['an empty object', {}, 'invalid-format'],
    ['a missing currency', { value: '1' }, 'invalid-format'],
    ['a missing value', { currency: 'CNY' }, 'invalid-format'],
    ['an inherited currency', inherited, 'invalid-format'],
    ['an extra field', { currency: 'CNY', value: '1', exponent: 2 }, 'invalid-format'],
    ['an unknown currency', { currency: 'ZZZ', value: '1' }, 'unknown-currency'],
    ['a lower-case currency', { currency: 'cny', value: '1' }, 'unknown-currency'],
    ['a numeric currency', { currency: 156, value: '1' }, 'invalid-format'],
    ['a null currency', { currency: null, value: '1' }, 'invalid-format'],
    ['a number value', cny(100000), 'invalid-format'],
    ['a float value', cny(1000.5), 'invalid-format'],
    ['a bigint value', cny(100000n), 'invalid-format'],
    ['a null value', cny(null), 'invalid-format'],
    ['an object value', cny({ value: '1' }), 'invalid-format'],
    ['an empty value', cny(''), 'invalid-format'],
    ['a negative value', cny('-1'), 'negative-not-allowed'],
    ['a negative zero', cny('-0'), 'negative-not-allowed'],
    ['a plus sign', cny('+1'), 'invalid-format'],
    ['a lone minus', cny('-'), 'invalid-format'],
    ['a leading zero', cny('01'), 'invalid-format'],
    ['a double zero', cny('00'), 'invalid-format'],
    ['a leading space', cny(' 1'), 'invalid-format'],
    ['a trailing space', cny('1 '), 'invalid-format'],
    ['an inner space', cny('1 000'), 'invalid-format'],
    ['a trailing newline', cny('1\n'), 'invalid-format'],
    ['a tab', cny('\t1'), 'invalid-format'],
    ['a decimal point', cny('1000.00'), 'invalid-format'],
    ['a trailing decimal point', cny('1.'), 'invalid-format'],
    ['a grouping comma', cny('1,000'), 'invalid-format'],
    ['an exponent', cny('1e5'), 'invalid-format'],
    ['an upper-case exponent', cny('1E5'), 'invalid-format'],
    ['a hex value', cny('0x10'), 'invalid-format'],
    ['an underscore', cny('1_000'), 'invalid-format'],
    ['full-width digits', cny('１２'), 'invalid-format'],
    ['Arabic-Indic digits', cny('١٢'), 'invalid-format'],
    ['Infinity', cny('Infinity'), 'invalid-format'],
    ['2^63', cny('9223372036854775808'), 'out-of-range'],
    ['20 digits', cny('99999999999999999999'), 'out-of-range'],
    ['1000 digits', cny('9'.repeat(1000)), 'out-of-range'],
    ['zero by default', cny('0'), 'zero-not-allowed'],
  ];
  for (const [name, input, kind] of refused) {
    it(`${name} as ${kind}`, () => {
      assertErr(parseAmountJson(input), kind);
    });
  }
});

describe('amount properties', () => {
  it('JSON round-trips every non-negative amount in every currency', () => {
    fc.assert(
      fc.property(anyCurrency, fc.bigInt({ min: 0n, max: AMOUNT_VALUE_MAX }), (code, value) => {
        const original = amount(code, value);
        const wire: unknown = JSON.parse(JSON.stringify(amountToJson(original)));
        assert.deepEqual(assertOk(parseAmountJson(wire, { allowZero: true })), original);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseAmountJson never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ currency: fc.string(), value: fc.string() })), (input) => {
        parseAmountJson(input, { allowZero: true });
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a wire value exactly when it is canonical digits within range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^-?[0-9]{1,21}$/)), (value) => {
        const result = parseAmountJson({ currency: 'KRW', value }, { allowZero: true });
        const canonical = /^(0|[1-9][0-9]*)$/.test(value) && BigInt(value) <= AMOUNT_VALUE_MAX;
        assert.equal(result.ok, canonical, value);
        if (result.ok) assert.equal(result.value.value.toString(), value);
      }),
      { numRuns: 2000 },
    );
  });

  it('add then subtract gives back the first amount', () => {
    const half = AMOUNT_VALUE_MAX / 2n;
    fc.assert(
      fc.property(fc.bigInt({ min: -half, max: half }), fc.bigInt({ min: -half, max: half }), (a, b) => {
        assert.deepEqual(subtract(add(amount(CNY, a), amount(CNY, b)), amount(CNY, b)), amount(CNY, a));
      }),
    );
  });
});
