/**
 * The cashier's pure parts: which PINs are refused, the scrypt hash, phones
 * as people type them, and the page escaping whatever reaches it, in the
 * language asked (how a page picks its language, and amounts per language,
 * are platform's and money's, tested there).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amount, currency } from '../money/index.ts';
import { hashPin, newPinHash, normalisePhone, pinMatches, weakPin } from './cashier-pin.ts';
import { checkoutPage } from './cashier-page.ts';

describe('payment PINs', () => {
  it('refuses what a thief tries first', () => {
    const table: [string, ReturnType<typeof weakPin>][] = [
      ['135790', null],
      ['246802', null],
      ['104729', null],
      ['12345', 'format'],
      ['1234567', 'format'],
      ['12a456', 'format'],
      ['', 'format'],
      ['000000', 'repeated'],
      ['777777', 'repeated'],
      ['123456', 'sequence'],
      ['654321', 'sequence'],
      ['890123', 'sequence'],
      ['210987', 'sequence'],
    ];
    for (const [pin, expected] of table) assert.equal(weakPin(pin), expected, pin);
  });

  it('keeps scrypt of the PIN under a random salt, and matches only the PIN', async () => {
    const stored = await newPinHash('135790');
    assert.equal(stored.hash.length, 32);
    assert.equal(stored.salt.length, 16);
    assert.equal(await pinMatches('135790', stored), true);
    assert.equal(await pinMatches('135791', stored), false);
    const again = await newPinHash('135790');
    assert.notDeepEqual(again.hash, stored.hash, 'another salt, another hash');
    assert.deepEqual(await hashPin('135790', stored.salt), stored.hash);
  });

  it('reads a phone as people type it', () => {
    assert.equal(normalisePhone(' +86 138-0013.8000 '), '+8613800138000');
    assert.equal(normalisePhone('(010) 1234 5678'), '01012345678');
  });
});

describe('the cashier page', () => {
  it('escapes what it shows, labels every field, and names each language in itself', () => {
    const html = checkoutPage({
      locale: 'ko',
      languageLink: (l) => `/wallet/cashier?ticket=a&lang=${l}`,
      merchantName: '<script>alert(1)</script>',
      merchantCity: 'Seoul',
      price: amount(currency('KRW'), 39_000n),
      charge: null,
      minutesLeft: 15,
      error: '"><b>',
      form: { action: '/wallet/cashier/pay', ticket: 't"x', csrf: 'c', attemptId: 'a', phone: '<p>' },
      backLink: 'https://shop.example/return?a=1&b=2',
    });
    assert.doesNotMatch(html, /<script>|<b>|<p>/);
    assert.match(html, /&lt;script&gt;/);
    assert.match(html, /value="t&quot;x"/);
    assert.match(html, /href="https:\/\/shop.example\/return\?a=1&amp;b=2"/);
    assert.match(html, /<label for="phone">/);
    assert.match(html, /<input id="phone"/);
    assert.match(html, /<label for="pin">/);
    assert.match(html, /<input id="pin"[^>]*type="password"[^>]*inputmode="numeric"/);
    assert.match(html, /lang="ko" hreflang="ko" aria-current="true">한국어<\/a>/);
    assert.match(html, /lang="zh-Hans" hreflang="zh-Hans">中文<\/a>/);
    assert.match(html, />English<\/a>/);
    assert.match(html, /39,000원 결제하기/);
    assert.match(html, /role="alert"/);
    assert.match(html, /지금은 환율을 불러올 수 없습니다/, 'without a rate, it says so');
  });
});
