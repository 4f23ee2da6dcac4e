import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCALES } from '../platform/locale.ts';
import { MESSAGE_KEYS, apiErrorText, isMessageKey, translate, type MessageKey } from './i18n.ts';

const placeholders = (text: string): string[] => [...text.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1]!).sort();

describe('the console in three languages', () => {
  it('gives every message in every language the same placeholders as in English, and no empty one', () => {
    const english = (key: MessageKey) => translate('en', key);
    let checked = 0;
    for (const key of MESSAGE_KEYS) {
      for (const locale of LOCALES) {
        const text = translate(locale, key);
        assert.notEqual(text.trim(), '', `${locale} ${key} is empty`);
        assert.deepEqual(placeholders(text), placeholders(english(key)), `${locale} ${key} has the placeholders of English`);
        checked += 1;
      }
    }
    assert.ok(checked > 400, `checked ${checked} messages`);
  });

  it('translates the words that differ, not only English copied', () => {
    const untranslated = (locale: 'ko' | 'zh') => MESSAGE_KEYS.filter((key) => translate(locale, key) === translate('en', key));
    // The product's name, and a status that reads the same (POS) in Korean.
    assert.deepEqual(untranslated('ko'), ['app.name', 'pos.tabs']);
    assert.deepEqual(untranslated('zh'), ['app.name']);
  });

  it('fills placeholders and leaves an unfilled one visible', () => {
    assert.equal(translate('en', 'wallet.paidAt', { amount: '₩15,000', merchant: 'Myeongdong Cosmetics' }), 'Paid ₩15,000 at Myeongdong Cosmetics');
    assert.equal(translate('ko', 'wallet.paidAt', { amount: '15,000원', merchant: '명동' }), '명동에서 15,000원 결제');
    assert.equal(translate('zh', 'wallet.codeRefreshesIn', { seconds: 42 }), '42 秒后更新');
    assert.equal(translate('en', 'wallet.hello'), 'Hello, {name}');
  });

  it('knows message keys built from data', () => {
    assert.equal(isMessageKey('status.SUCCESS'), true);
    assert.equal(isMessageKey('status.NOT_A_STATUS'), false);
    assert.equal(isMessageKey('constructor'), false);
  });

  it("says an API error in the page's language where its code is known, else in the API's own words", () => {
    const refused = { code: 'REFUND_EXCEEDS_PAYMENT', message: 'only 33000 KRW of the payment remains to refund' };
    assert.equal(apiErrorText('en', refused), 'The refund is more than what remains of the payment.');
    assert.equal(apiErrorText('ko', refused), '환불 금액이 결제의 남은 금액보다 큽니다.');
    assert.equal(apiErrorText('zh', refused), '退款金额超过该笔付款的剩余金额。');
    const unknown = { code: 'SOMETHING_NEW', message: 'a code the console has not met' };
    for (const locale of LOCALES) assert.equal(apiErrorText(locale, unknown), unknown.message);
    assert.equal(apiErrorText('ko', { code: 'constructor', message: 'not a code' }), 'not a code');
    const codes = MESSAGE_KEYS.filter((key) => key.startsWith('error.'));
    assert.ok(codes.length >= 30, `${codes.length} codes in the table`);
    for (const key of codes) assert.match(key, /^error\.[A-Z][A-Z_]+$/, 'keys are error.<CODE>, as the APIs spell codes');
  });
});

