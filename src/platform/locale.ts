/**
 * The languages dari's pages speak (Korean, Simplified Chinese, English) and
 * how a page picks one: `?lang=`, then a remembered choice, then
 * Accept-Language, then English. Shared by every HTML page (the web console,
 * the wallet's hosted cashier, the demo shops) so that they choose alike and
 * name each language alike in their switch; their words stay their own.
 * Domain-free and browser-safe: the console's bundles import it too.
 */

export const LOCALES = ['ko', 'zh', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_DEFAULT: Locale = 'en';

/** Each language named in itself, as a language switch shows it. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { ko: '한국어', zh: '中文', en: 'English' };
/** BCP 47 tags for `<html lang>` and `hreflang`. */
export const LOCALE_TAGS: Readonly<Record<Locale, string>> = { ko: 'ko', zh: 'zh-Hans', en: 'en' };
/** The cookie that remembers a choice made with `?lang=`, and how long, in seconds. */
export const LOCALE_COOKIE = 'dari-lang';
export const LOCALE_COOKIE_SECONDS_MAX = 365 * 24 * 60 * 60;
/** Longest Accept-Language header read; a longer one is cut there. */
export const ACCEPT_LANGUAGE_CHARS_MAX = 256;

/** A text in each language (a shop's name, an item's). */
export type Localised = Readonly<Record<Locale, string>>;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The language of a request: `query` (`?lang=`, or a form's field) when it
 * names one, then `cookie`, then the first supported language of
 * Accept-Language by quality, then English.
 */
export function negotiateLocale(input: { readonly query?: string | undefined; readonly cookie?: string | undefined; readonly acceptLanguage?: string | undefined }): Locale {
  if (isLocale(input.query)) return input.query;
  if (isLocale(input.cookie)) return input.cookie;
  const header = (input.acceptLanguage ?? '').slice(0, ACCEPT_LANGUAGE_CHARS_MAX);
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.[0-9]{1,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { language: tag.trim().toLowerCase().split('-')[0] ?? '', quality: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked.map((entry) => entry.language).find(isLocale) ?? LOCALE_DEFAULT;
}

/** One link of a language switch. */
export interface LanguageChoice {
  readonly locale: Locale;
  /** The language named in itself. */
  readonly name: string;
  /** For the link's `lang` and `hreflang`. */
  readonly tag: string;
  readonly href: string;
  /** The page's language now (`aria-current`). */
  readonly current: boolean;
}

/** The switch's links, in the order of LOCALES; each page writes them in its own markup. */
export function languageChoices(current: Locale, href: (locale: Locale) => string): readonly LanguageChoice[] {
  return LOCALES.map((locale) => ({ locale, name: LOCALE_NAMES[locale], tag: LOCALE_TAGS[locale], href: href(locale), current: locale === current }));
}
