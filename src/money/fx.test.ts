import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AMOUNT_VALUE_MAX,
  CURRENCIES,
  MoneyInvariantError,
  RATE_TERM_MAX,
  amount,
  convert,
  currency,
  divideRounded,
  fxRate,
  invertRate,
  minorPerMajor,
  parseRate,
  type Amount,
  type Currency,
  type FxRate,
  type MoneyErrorKind,
  type Rounding,
} from './index.ts';
import { assertErr, assertOk } from './test-helpers.ts';

const CNY = currency('CNY');
const KRW = currency('KRW');
const USD = currency('USD');
const JPY = currency('JPY');
const KWD = currency('KWD');
const ROUNDINGS: readonly Rounding[] = ['floor', 'ceil', 'half-even', 'half-up'];

function rate(input: string, base: Currency, quote: Currency): FxRate {
  return assertOk(parseRate(input, { base, quote }));
}

/** Expected results per rounding, in table order. */
function rounded(floor: bigint, ceil: bigint, halfEven: bigint, halfUp: bigint): Record<Rounding, bigint> {
  return { floor, ceil, 'half-even': halfEven, 'half-up': halfUp };
}

function convertAll(from: Amount, fx: FxRate): Record<Rounding, bigint> {
  const to = (rounding: Rounding): bigint => assertOk(convert(from, fx, rounding)).value;
  return rounded(to('floor'), to('ceil'), to('half-even'), to('half-up'));
}

describe('parseRate accepts', () => {
  const accepted: readonly [string, bigint, bigint][] = [
    ['190.25', 761n, 4n],
    ['1', 1n, 1n],
    ['0.0052563', 52563n, 10_000_000n],
    ['1,380.50', 2761n, 2n],
    ['150.370', 15037n, 100n],
    ['0.000000000000000001', 1n, 10n ** 18n],
    ['999999999999999999', 999999999999999999n, 1n],
  ];
  for (const [input, numerator, denominator] of accepted) {
    it(`${input} as ${numerator}/${denominator}`, () => {
      assert.deepEqual(rate(input, CNY, KRW), { base: CNY, quote: KRW, numerator, denominator });
    });
  }
});

describe('parseRate refuses', () => {
  const refused: readonly [string, MoneyErrorKind][] = [
    ['0', 'zero-not-allowed'],
    ['0.000', 'zero-not-allowed'],
    ['-1', 'negative-not-allowed'],
    ['-190.25', 'negative-not-allowed'],
    ['', 'invalid-format'],
    ['abc', 'invalid-format'],
    ['1e3', 'invalid-format'],
    [' 190.25', 'invalid-format'],
    ['190.', 'invalid-format'],
    ['.5', 'invalid-format'],
    ['1,38.5', 'invalid-format'],
    ['+1', 'invalid-format'],
    ['0.0000000000000000001', 'too-many-decimals'],
    ['1000000000000000000', 'invalid-format'],
  ];
  for (const [input, kind] of refused) {
    it(`${JSON.stringify(input)} as ${kind}`, () => {
      assertErr(parseRate(input, { base: CNY, quote: KRW }), kind);
    });
  }
  it('the same currency on both sides', () => {
    assertErr(parseRate('1', { base: CNY, quote: CNY }), 'same-currency');
  });
  it('a JS number', () => {
    assertErr(parseRate(190.25 as unknown as string, { base: CNY, quote: KRW }), 'invalid-format');
  });
});

describe('fxRate', () => {
  it('reduces to lowest terms', () => {
    const reduced = assertOk(fxRate({ base: CNY, quote: KRW, numerator: 19025n, denominator: 100n }));
    assert.deepEqual(reduced, rate('190.25', CNY, KRW));
  });
  const refused: readonly [string, bigint, bigint, MoneyErrorKind][] = [
    ['a zero numerator', 0n, 1n, 'zero-not-allowed'],
    ['a zero denominator', 1n, 0n, 'zero-not-allowed'],
    ['a negative numerator', -1n, 1n, 'negative-not-allowed'],
    ['a negative denominator', 1n, -1n, 'negative-not-allowed'],
    ['a numerator beyond the limit', RATE_TERM_MAX + 1n, 1n, 'invalid-format'],
    ['a number term', 1 as unknown as bigint, 1n, 'invalid-format'],
  ];
  for (const [name, numerator, denominator, kind] of refused) {
    it(`refuses ${name} as ${kind}`, () => {
      assertErr(fxRate({ base: CNY, quote: KRW, numerator, denominator }), kind);
    });
  }
  it('inverts exactly, and twice is the identity', () => {
    const cnyKrw = rate('190.25', CNY, KRW);
    assert.deepEqual(invertRate(cnyKrw), { base: KRW, quote: CNY, numerator: 4n, denominator: 761n });
    assert.deepEqual(invertRate(invertRate(cnyKrw)), cnyKrw);
  });
});

describe('convert', () => {
  it('100.00 CNY at 1 CNY = 190.25 KRW is 19,025 KRW, whatever the rounding', () => {
    const fx = rate('190.25', CNY, KRW);
    for (const rounding of ROUNDINGS) {
      assert.deepEqual(assertOk(convert(amount(CNY, 10000n), fx, rounding)), amount(KRW, 19025n));
    }
  });
  it('19,025 KRW back through the inverted rate is 100.00 CNY', () => {
    const fx = invertRate(rate('190.25', CNY, KRW));
    for (const rounding of ROUNDINGS) {
      assert.deepEqual(assertOk(convert(amount(KRW, 19025n), fx, rounding)), amount(CNY, 10000n));
    }
  });

  const inexact: readonly [string, Amount, FxRate, Record<Rounding, bigint>][] = [
    // 10,000 JPY / 150.37 = 66.5026... USD = 6650.26... cents
    ['JPY to USD', amount(JPY, 10000n), invertRate(rate('150.37', USD, JPY)), rounded(6650n, 6651n, 6650n, 6650n)],
    // 1.500 KWD × 4,500.5 = 6,750.75 KRW: exponent 3 to exponent 0
    ['KWD to KRW', amount(KWD, 1500n), rate('4500.5', KWD, KRW), rounded(6750n, 6751n, 6751n, 6751n)],
    // 1 KRW × 0.0052563 = 0.52563 fen
    ['KRW to CNY', amount(KRW, 1n), rate('0.0052563', KRW, CNY), rounded(0n, 1n, 1n, 1n)],
    // 15,000 KRW × 0.0052563 = 78.8445 CNY = 7884.45 fen
    ['a KRW price in CNY', amount(KRW, 15000n), rate('0.0052563', KRW, CNY), rounded(7884n, 7885n, 7884n, 7884n)],
    ['negative KRW', amount(KRW, -15000n), rate('0.0052563', KRW, CNY), rounded(-7885n, -7884n, -7884n, -7884n)],
  ];
  for (const [name, from, fx, expected] of inexact) {
    it(`rounds ${name} as asked`, () => assert.deepEqual(convertAll(from, fx), expected));
  }

  it('refuses an amount not in the base currency', () => {
    const error = assertErr(convert(amount(KRW, 100n), rate('190.25', CNY, KRW), 'floor'), 'currency-mismatch');
    assert.deepEqual({ ...error, message: '' }, { kind: 'currency-mismatch', expected: CNY, actual: KRW, message: '' });
  });
  it('refuses a result beyond the range', () => {
    assertErr(convert(amount(CNY, AMOUNT_VALUE_MAX), rate('190.25', CNY, KRW), 'floor'), 'out-of-range');
    assertErr(convert(amount(CNY, -AMOUNT_VALUE_MAX), rate('190.25', CNY, KRW), 'ceil'), 'out-of-range');
  });
  it('throws for a rate forged with a zero term', () => {
    const forged: FxRate = { base: CNY, quote: KRW, numerator: 0n, denominator: 1n };
    assert.throws(() => convert(amount(CNY, 1n), forged, 'floor'), MoneyInvariantError);
  });
  it('throws for an unknown rounding from untyped code', () => {
    assert.throws(() => convert(amount(KRW, 1n), rate('0.5', KRW, USD), 'round' as Rounding), MoneyInvariantError);
  });
});

describe('half-even ties go to the even neighbour', () => {
  // 1 CNY = 0.5 KRW, so n.00 CNY is n/2 KRW: every odd n is a tie.
  const halfKrw = rate('0.5', CNY, KRW);
  const ties: readonly [bigint, Record<Rounding, bigint>][] = [
    [100n, rounded(0n, 1n, 0n, 1n)],
    [300n, rounded(1n, 2n, 2n, 2n)],
    [500n, rounded(2n, 3n, 2n, 3n)],
    [700n, rounded(3n, 4n, 4n, 4n)],
    [-100n, rounded(-1n, 0n, 0n, -1n)],
    [-300n, rounded(-2n, -1n, -2n, -2n)],
    [-500n, rounded(-3n, -2n, -2n, -3n)],
    [400n, rounded(2n, 2n, 2n, 2n)],
  ];
  for (const [fen, expected] of ties) {
    it(`${fen} fen at 0.5`, () => assert.deepEqual(convertAll(amount(CNY, fen), halfKrw), expected));
  }
});

describe('divideRounded', () => {
  const table: readonly [bigint, bigint, Record<Rounding, bigint>][] = [
    [7n, 2n, rounded(3n, 4n, 4n, 4n)],
    [5n, 2n, rounded(2n, 3n, 2n, 3n)],
    [-7n, 2n, rounded(-4n, -3n, -4n, -4n)],
    [7n, 3n, rounded(2n, 3n, 2n, 2n)],
    [8n, 3n, rounded(2n, 3n, 3n, 3n)],
    [-8n, 3n, rounded(-3n, -2n, -3n, -3n)],
    [0n, 5n, rounded(0n, 0n, 0n, 0n)],
    [6n, 3n, rounded(2n, 2n, 2n, 2n)],
  ];
  for (const [numerator, denominator, expected] of table) {
    it(`${numerator}/${denominator}`, () => {
      for (const rounding of ROUNDINGS) {
        assert.equal(divideRounded(numerator, denominator, rounding), expected[rounding], rounding);
      }
    });
  }
  it('throws for a denominator that is not positive', () => {
    assert.throws(() => divideRounded(1n, 0n, 'floor'), MoneyInvariantError);
    assert.throws(() => divideRounded(1n, -2n, 'floor'), MoneyInvariantError);
  });
});

const anyCurrency = fc.constantFrom(...CURRENCIES.map((info) => info.code));
const currencyPair = fc.tuple(anyCurrency, anyCurrency).filter(([base, quote]) => base !== quote);
// Bounded so that no result leaves the range: 10^9 × 10^6 × 10^3 (the widest exponent gap) < 2^63.
const conversion = fc.record({
  pair: currencyPair,
  value: fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
  numerator: fc.bigInt({ min: 1n, max: 10n ** 6n }),
  denominator: fc.bigInt({ min: 1n, max: 10n ** 6n }),
});

describe('convert properties', () => {
  it('floor ≤ half-even, half-up ≤ ceil; ceil − floor ≤ 1; equal exactly when the result is exact', () => {
    fc.assert(
      fc.property(conversion, ({ pair: [base, quote], value, numerator, denominator }) => {
        const fx = assertOk(fxRate({ base, quote, numerator, denominator }));
        const r = convertAll(amount(base, value), fx);
        assert.ok(r.floor <= r['half-even'] && r['half-even'] <= r.ceil);
        assert.ok(r.floor <= r['half-up'] && r['half-up'] <= r.ceil);
        assert.ok(r.ceil - r.floor <= 1n);
        // The exact result, computed here independently: p / q quote minor units.
        const p = value * numerator * minorPerMajor(quote);
        const q = denominator * minorPerMajor(base);
        assert.ok(r.floor * q <= p && p < (r.floor + 1n) * q, 'floor brackets the exact result');
        assert.equal(r.ceil === r.floor, p % q === 0n);
        const distance = (r['half-even'] * q - p) * 2n;
        assert.ok(-q <= distance && distance <= q, 'half-even is a nearest integer');
      }),
      { numRuns: 3000 },
    );
  });

  it('there and back with floor never creates money', () => {
    fc.assert(
      fc.property(conversion, ({ pair: [base, quote], value, numerator, denominator }) => {
        const fx = assertOk(fxRate({ base, quote, numerator, denominator }));
        const there = assertOk(convert(amount(base, value), fx, 'floor'));
        const back = assertOk(convert(there, invertRate(fx), 'floor'));
        assert.ok(back.value <= value);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseRate reads a decimal exactly', () => {
    fc.assert(
      // At most 18 digits: a rate has at most RATE_INTEGER_DIGITS_MAX integer digits.
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 18n - 1n }), fc.integer({ min: 0, max: 18 }), (digits, decimals) => {
        const text = digits.toString().padStart(decimals + 1, '0');
        const input = decimals === 0 ? text : `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
        const fx = rate(input, CNY, KRW);
        // n/d == digits / 10^decimals, cross-multiplied so no division is involved.
        assert.equal(fx.numerator * 10n ** BigInt(decimals), digits * fx.denominator);
      }),
      { numRuns: 1000 },
    );
  });
});
