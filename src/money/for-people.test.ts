import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amount } from './amount.ts';
import { currency } from './currency.ts';
import { formatForPeople } from './for-people.ts';

describe('amounts as people read them in each page language', () => {
  it('writes the sign or word of won and yuan per language around the exact digits', () => {
    const krw = amount(currency('KRW'), 39_000n);
    const cny = amount(currency('CNY'), 20_500n);
    assert.deepEqual(
      (['en', 'ko', 'zh'] as const).map((locale) => [formatForPeople(krw, locale), formatForPeople(cny, locale)]),
      [
        ['₩39,000', 'CN¥205.00'],
        ['39,000원', '205.00위안'],
        ['39,000韩元', '¥205.00'],
      ],
    );
  });

  it('keeps every digit beyond 2^53, puts the sign first, and names other currencies by code', () => {
    assert.equal(formatForPeople(amount(currency('KRW'), 12_345_678_901_234_567n), 'en'), '₩12,345,678,901,234,567');
    assert.equal(formatForPeople(amount(currency('CNY'), 5n), 'en'), 'CN¥0.05');
    assert.equal(formatForPeople(amount(currency('KRW'), -48_000n), 'ko'), '-48,000원');
    assert.equal(formatForPeople(amount(currency('USD'), 1_234n), 'zh'), 'USD 12.34');
  });
});
