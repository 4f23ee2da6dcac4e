import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDecimal } from '../money/index.ts';
import { formatMoney, moneyInputValue, parseMoneyInput, readWireAmount, sumWire } from './money-format.ts';

describe('amounts as each console language writes them', () => {
  it('writes won and yuan per language, digits exact', () => {
    const table: [string, string, 'en' | 'ko' | 'zh', string][] = [
      ['KRW', '15000', 'en', '₩15,000'],
      ['KRW', '15000', 'ko', '15,000원'],
      ['KRW', '15000', 'zh', '15,000韩元'],
      ['CNY', '100000', 'en', 'CN¥1,000.00'],
      ['CNY', '100000', 'ko', '1,000.00위안'],
      ['CNY', '100000', 'zh', '¥1,000.00'],
      ['CNY', '5', 'en', 'CN¥0.05'],
      ['CNY', '-25230', 'en', '-CN¥252.30'],
      ['KRW', '-48000', 'ko', '-48,000원'],
      ['USD', '1234', 'en', 'USD 12.34'],
      ['BHD', '1234', 'zh', 'BHD 1.234'],
      ['KRW', '0', 'en', '₩0'],
      // Beyond 2^53: a float would round these; bigint does not.
      ['KRW', '9007199254740993', 'en', '₩9,007,199,254,740,993'],
      ['CNY', '922337203685477580', 'en', 'CN¥9,223,372,036,854,775.80'],
    ];
    for (const [currency, value, locale, expected] of table) assert.equal(formatMoney({ currency, value }, locale), expected, `${currency} ${value} ${locale}`);
  });

  it('shows what it cannot read as it came, rather than guess', () => {
    assert.equal(formatMoney({ currency: 'XYZ', value: '100' }, 'en'), '100 XYZ');
    assert.equal(formatMoney({ currency: 'KRW', value: '1.5' }, 'en'), '1.5 KRW');
    assert.equal(formatMoney({ currency: 'KRW', value: '99999999999999999999' }, 'en'), '99999999999999999999 KRW');
    assert.equal(readWireAmount({ currency: 'KRW', value: '007' }), null);
  });

  it('reads what a person types, refusing what would need rounding', () => {
    assert.deepEqual(parseMoneyInput('15,000', 'KRW'), { ok: true, value: { currency: 'KRW', value: '15000' } });
    assert.deepEqual(parseMoneyInput(' 100.50 ', 'CNY'), { ok: true, value: { currency: 'CNY', value: '10050' } });
    for (const [input, currency, kind] of [['1.5', 'KRW', 'too-many-decimals'], ['1.005', 'CNY', 'too-many-decimals'], ['0', 'KRW', 'zero-not-allowed'], ['-5', 'KRW', 'negative-not-allowed'], ['1e3', 'KRW', 'invalid-format'], ['', 'KRW', 'invalid-format']] as const) {
      const parsed = parseMoneyInput(input, currency);
      assert.equal(parsed.ok, false, input);
      if (!parsed.ok) assert.equal(parsed.error.kind, kind, input);
    }
  });

  it('writes an amount back as a form value that reads to the same amount', () => {
    fc.assert(
      fc.property(fc.constantFrom('KRW', 'CNY', 'BHD'), fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), (currency, value) => {
        const wire = { currency, value: value.toString() };
        const typed = moneyInputValue(wire);
        assert.deepEqual(parseMoneyInput(typed, currency), { ok: true, value: wire });
        // And the displayed digits are money's own decimal form.
        const shown = formatMoney(wire, 'en').replace(/^[^0-9]*/, '');
        const again = parseDecimal(shown, currency);
        assert.ok(again.ok && again.value.value === value, `${shown} reads back as ${value}`);
      }),
    );
  });

  it('adds amounts of one currency exactly, and refuses to mix currencies', () => {
    assert.deepEqual(sumWire([{ currency: 'KRW', value: '9007199254740993' }, { currency: 'KRW', value: '2' }], 'KRW'), { currency: 'KRW', value: '9007199254740995' });
    assert.deepEqual(sumWire([], 'KRW'), { currency: 'KRW', value: '0' });
    assert.equal(sumWire([{ currency: 'CNY', value: '1' }], 'KRW'), null);
    assert.equal(sumWire([{ currency: 'KRW', value: 'x' }], 'KRW'), null);
  });
});
