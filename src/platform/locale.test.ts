import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { languageChoices, LOCALE_NAMES, LOCALE_TAGS, negotiateLocale } from './locale.ts';

describe("the languages of dari's pages", () => {
  it('names each language in itself, with its BCP 47 tag', () => {
    assert.deepEqual(LOCALE_NAMES, { ko: '한국어', zh: '中文', en: 'English' });
    assert.deepEqual(LOCALE_TAGS, { ko: 'ko', zh: 'zh-Hans', en: 'en' });
  });

  it('picks the language from ?lang=, then the cookie, then Accept-Language by quality, then English', () => {
    const table: [Parameters<typeof negotiateLocale>[0], string][] = [
      [{ query: 'ko', cookie: 'zh', acceptLanguage: 'en' }, 'ko'],
      [{ query: 'fr', cookie: 'zh', acceptLanguage: 'en' }, 'zh'],
      [{ query: 'fr', acceptLanguage: 'zh-CN,zh;q=0.9' }, 'zh'],
      [{ cookie: 'xx', acceptLanguage: 'zh-CN,zh;q=0.9,en;q=0.8' }, 'zh'],
      [{ acceptLanguage: 'zh-Hans-CN' }, 'zh'],
      [{ acceptLanguage: 'ko-KR' }, 'ko'],
      [{ acceptLanguage: 'en-US;q=0.4, ko-KR;q=0.8' }, 'ko'],
      [{ acceptLanguage: 'fr-FR, en;q=0.5, ko;q=0.7' }, 'ko'],
      [{ acceptLanguage: 'ko;q=0, zh;q=0.1' }, 'zh'],
      [{ acceptLanguage: 'ko;q=0, en' }, 'en'],
      [{ acceptLanguage: 'de, fr' }, 'en'],
      [{ acceptLanguage: '' }, 'en'],
      [{}, 'en'],
      [{ acceptLanguage: `${'x'.repeat(300)},ko` }, 'en'],
      [{ acceptLanguage: 'x'.repeat(10_000) }, 'en'],
    ];
    for (const [input, expected] of table) assert.equal(negotiateLocale(input), expected, JSON.stringify(input).slice(0, 80));
  });

  it("gives a switch each language in itself, its link and which one is the page's", () => {
    assert.deepEqual(languageChoices('zh', (l) => `/shop/?lang=${l}`), [
      { locale: 'ko', name: '한국어', tag: 'ko', href: '/shop/?lang=ko', current: false },
      { locale: 'zh', name: '中文', tag: 'zh-Hans', href: '/shop/?lang=zh', current: true },
      { locale: 'en', name: 'English', tag: 'en', href: '/shop/?lang=en', current: false },
    ]);
  });
});
