/**
 * A page's language from its request (platform/locale.ts's order: `?lang=`,
 * the cookie, Accept-Language, English), remembering a choice made with
 * `?lang=` in a cookie for the whole origin, so that the console and the
 * demo shops beside it keep one choice.
 */
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { LOCALE_COOKIE, LOCALE_COOKIE_SECONDS_MAX, negotiateLocale, type Locale } from '../locale.ts';

/**
 * `posted` is the language a form carried back (the page it was on), which
 * stands in for `?lang=` but is not remembered: the person did not choose it
 * just now.
 */
export function requestLocale(c: Context, options: { readonly posted?: string | undefined } = {}): Locale {
  const query = c.req.query('lang');
  const locale = negotiateLocale({ query: options.posted ?? query, cookie: getCookie(c, LOCALE_COOKIE), acceptLanguage: c.req.header('accept-language') });
  if (options.posted === undefined && query === locale) setCookie(c, LOCALE_COOKIE, locale, { path: '/', maxAge: LOCALE_COOKIE_SECONDS_MAX, sameSite: 'Lax' });
  return locale;
}
