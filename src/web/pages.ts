/**
 * The HTML the server writes: the root page, whole, and each console's shell
 * (header, language switch, a landmark the console's script fills). Every
 * interpolated value is escaped unless it is already `SafeHtml`.
 */
import { ASSET_PATH_PREFIX, type ConsoleEntry } from './assets.ts';
import { escapeHtml } from '../platform/html.ts';
import { languageChoices, LOCALE_TAGS, type Locale, type Localised } from '../platform/locale.ts';
import { translate, type MessageKey } from './i18n.ts';

export interface SafeHtml {
  readonly html: string;
}


type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[];

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object') return (value as SafeHtml).html;
  return escapeHtml(String(value));
}

/** A template whose values are escaped: html`<p>${name}</p>`. */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolated[]): SafeHtml {
  return { html: strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i]!) : ''), '') };
}

/** The console pages, in the order the root page lists them. */
export const CONSOLES: readonly { readonly entry: ConsoleEntry; readonly path: string; readonly title: MessageKey; readonly blurb: MessageKey }[] = [
  { entry: 'wallet', path: '/wallet', title: 'role.wallet', blurb: 'root.wallet' },
  { entry: 'pos', path: '/pos', title: 'role.pos', blurb: 'root.pos' },
  { entry: 'acquirer', path: '/acquirer', title: 'role.acquirer', blurb: 'root.acquirer' },
  { entry: 'network', path: '/network', title: 'role.network', blurb: 'root.network' },
];

/** The switch: each language in itself, the current one marked. Links keep the page and set `?lang=`. */
function languageSwitch(locale: Locale): SafeHtml {
  const items = languageChoices(locale, (l) => `?lang=${l}`).map(
    (choice) => html`<li><a href="${choice.href}" lang="${choice.tag}" hreflang="${choice.tag}"${choice.current ? html` aria-current="true"` : ''}>${choice.name}</a></li>`,
  );
  return html`<nav class="languages" aria-label="${translate(locale, 'nav.language')}"><ul>${items}</ul></nav>`;
}

function document(options: { readonly locale: Locale; readonly title: string; readonly bodyClass: string; readonly script?: ConsoleEntry; readonly header: SafeHtml; readonly main: SafeHtml }): string {
  const { locale } = options;
  const t = (key: MessageKey) => translate(locale, key);
  return `<!doctype html>\n${
    html`<html lang="${LOCALE_TAGS[locale]}" data-locale="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<link rel="icon" href="${ASSET_PATH_PREFIX}icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${ASSET_PATH_PREFIX}console.css">
${options.script === undefined ? '' : html`<script type="module" src="${ASSET_PATH_PREFIX}${options.script}.js"></script>`}
</head>
<body class="${options.bodyClass}">
<a class="skip" href="#main">${t('nav.skip')}</a>
<header class="bar">${options.header}${languageSwitch(locale)}</header>
<main id="main" tabindex="-1">${options.main}</main>
</body>
</html>
`.html
  }`;
}

/** A web shop of the demo beside dari, linked from the root page (online checkout starts there). */
export interface ShopLink {
  /** Where it is served, e.g. `/shop/`. */
  readonly href: string;
  readonly name: Localised;
}

/** `/`: what dari is, a way into each role's console, and the demo's web shops. */
export function rootPage(locale: Locale, shops: readonly ShopLink[] = []): string {
  const t = (key: MessageKey) => translate(locale, key);
  const cards = CONSOLES.map(
    (c) => html`<li class="card role-${c.entry}">
<h3><a href="${c.path}">${t(c.title)}</a></h3>
<p>${t(c.blurb)}</p>
<p><a class="button" href="${c.path}" aria-label="${t('root.open')}: ${t(c.title)}">${t('root.open')} →</a></p>
</li>`,
  );
  return document({
    locale,
    title: `${t('app.name')}: ${t('app.tagline')}`,
    bodyClass: 'root',
    header: html`<a class="brand" href="/">${t('app.name')}</a><span class="role">${t('app.tagline')}</span>`,
    main: html`<section class="intro" aria-labelledby="title">
<h1 id="title">${t('root.title')}</h1>
<p class="lead">${t('root.lead')}</p>
<p>${t('root.flow')}</p>
<p class="diagram" aria-hidden="true">${t('role.wallet')} → ${t('role.network')} → ${t('role.acquirer')} → ${t('role.pos')}</p>
</section>
<section aria-labelledby="pick">
<h2 id="pick">${t('root.pick')}</h2>
<ul class="cards">${cards}</ul>
<p class="note">${t('root.demo')}</p>
${shops.length === 0 ? '' : html`<p class="shop">${t('root.shop')}</p>
<ul class="shops">${shops.map((shop) => html`<li><a href="${shop.href}">${translate(locale, 'root.shopLink', { name: shop.name[locale] })} →</a></li>`)}</ul>`}
<p class="links"><a href="/openapi.json">${t('root.api')}</a> · <a href="/health">${t('root.health')}</a></p>
</section>`,
  });
}

/** A console's shell; its script renders into `<main>`. `demo` says whether this browser may be offered the demo's keys. */
export function consolePage(options: { readonly locale: Locale; readonly entry: ConsoleEntry; readonly demo: boolean }): string {
  const { locale, entry } = options;
  const t = (key: MessageKey) => translate(locale, key);
  const shown = CONSOLES.find((c) => c.entry === entry)!;
  return document({
    locale,
    title: `${t(shown.title)} · ${t('app.name')}`,
    bodyClass: `console console-${entry}`,
    script: entry,
    header: html`<a class="brand" href="/" aria-label="${t('app.name')}: ${t('nav.home')}">${t('app.name')}</a><span class="role">${t(shown.title)}</span>`,
    main: html`<div id="app" data-console="${entry}" data-demo="${options.demo ? 'true' : 'false'}"><p class="loading">${t('common.loading')}</p></div>
<noscript><p>${t('app.name')}: JavaScript.</p></noscript>`,
  });
}
