/**
 * A demo shop's pages: server-rendered HTML, no JavaScript, one stylesheet
 * of its own (`shop.css`), in Korean, Simplified Chinese and English with a
 * switch on every page naming each language in itself (platform/locale.ts,
 * as the console and the wallet's cashier). The shop's name, words about it
 * and catalogue come from its profile; prices are written from bigint minor
 * units by money's `formatForPeople`, never through a float. Every value
 * that reaches a page is escaped.
 */
import { amount, currency, formatForPeople } from '../money/index.ts';
import { escapeHtml } from '../platform/html.ts';
import { languageChoices, LOCALE_TAGS, type Locale, type Localised } from '../platform/locale.ts';
import type { ShopOrder, ShopOrderStatus } from './store.ts';

/** Most items a shop's catalogue holds: the front page lists them all. */
export const CATALOGUE_ITEMS_MAX = 50;

export interface CatalogueItem {
  readonly itemId: string;
  readonly name: Localised;
  /** The price in won (KRW has no minor unit). */
  readonly priceKrw: bigint;
}

/** What makes one shop this shop: where it is served, what it is called, what it sells. */
export interface ShopProfile {
  /** Where the shop is served, e.g. `/shop`: its pages are under `/shop/`. */
  readonly path: string;
  readonly name: Localised;
  /** The front page's heading and the sentence under it. */
  readonly headline: Localised;
  readonly lead: Localised;
  /** The shop's colour (`#rrggbb`): its header and buttons, under white text. */
  readonly accent: string;
  /** Starts each order id (`HB-…`). */
  readonly orderIdPrefix: string;
  readonly catalogue: readonly CatalogueItem[];
}

const MESSAGES = {
  en: {
    languages: 'Language',
    shop: 'Shop',
    buy: 'Buy with dari wallet',
    recent: 'Your recent orders',
    notConfigured: 'The shop has no acquirer credentials yet: start dari on an empty data folder so that the demo seed sets it up.',
    notSetUp: 'The shop is not set up yet.',
    noSuchItem: 'No such item.',
    noSuchOrder: 'No such order.',
    notStarted: (code: string) => `The payment could not be started (${code}).`,
    leftCashier: 'You left the cashier without paying.',
    waiting: 'We are waiting for the payment to be confirmed; this page refreshes itself.',
    order: (orderId: string) => `Order ${orderId}`,
    status: { AWAITING_PAYMENT: 'Awaiting payment', PAID: 'Paid — thank you! Your order is confirmed.', EXPIRED: 'Not paid: the payment expired.' },
    statusShort: { AWAITING_PAYMENT: 'Awaiting payment', PAID: 'Paid', EXPIRED: 'Expired' },
    item: 'Item',
    amount: 'Amount',
    payment: 'Payment',
    paidAt: 'Paid at',
    webhook: "Acquirer's webhook",
    webhookNone: 'Not received yet',
    webhookReceived: (event: string, at: string) => `Received and verified: ${event} at ${at}`,
    back: 'Back to the shop',
    error: 'Error',
  },
  ko: {
    languages: '언어',
    shop: '상점',
    buy: 'dari 지갑으로 구매',
    recent: '최근 주문',
    notConfigured: '상점에 아직 매입사 자격 증명이 없습니다. 빈 데이터 폴더로 dari를 시작하면 데모 시드가 설정합니다.',
    notSetUp: '상점이 아직 설정되지 않았습니다.',
    noSuchItem: '없는 상품입니다.',
    noSuchOrder: '없는 주문입니다.',
    notStarted: (code: string) => `결제를 시작하지 못했습니다 (${code}).`,
    leftCashier: '결제하지 않고 결제 페이지에서 나오셨습니다.',
    waiting: '결제 확인을 기다리고 있습니다. 이 페이지는 저절로 새로 고쳐집니다.',
    order: (orderId: string) => `주문 ${orderId}`,
    status: { AWAITING_PAYMENT: '결제 대기 중', PAID: '결제 완료 — 감사합니다! 주문이 확정되었습니다.', EXPIRED: '결제되지 않음: 결제 시간이 지났습니다.' },
    statusShort: { AWAITING_PAYMENT: '결제 대기', PAID: '결제 완료', EXPIRED: '만료' },
    item: '상품',
    amount: '금액',
    payment: '결제',
    paidAt: '결제 시각',
    webhook: '매입사 웹훅',
    webhookNone: '아직 받지 못함',
    webhookReceived: (event: string, at: string) => `받았고 서명을 확인함: ${event}, ${at}`,
    back: '상점으로 돌아가기',
    error: '오류',
  },
  zh: {
    languages: '语言',
    shop: '商店',
    buy: '用 dari 钱包购买',
    recent: '最近的订单',
    notConfigured: '商店还没有收单机构的凭证：请用空的数据目录启动 dari，演示数据会自动设置。',
    notSetUp: '商店尚未设置。',
    noSuchItem: '没有这件商品。',
    noSuchOrder: '没有这个订单。',
    notStarted: (code: string) => `无法发起付款（${code}）。`,
    leftCashier: '您未付款就离开了收银台。',
    waiting: '正在等待付款确认；本页会自动刷新。',
    order: (orderId: string) => `订单 ${orderId}`,
    status: { AWAITING_PAYMENT: '待付款', PAID: '已付款——谢谢！您的订单已确认。', EXPIRED: '未付款：付款已过期。' },
    statusShort: { AWAITING_PAYMENT: '待付款', PAID: '已付款', EXPIRED: '已过期' },
    item: '商品',
    amount: '金额',
    payment: '付款',
    paidAt: '付款时间',
    webhook: '收单机构的 Webhook',
    webhookNone: '尚未收到',
    webhookReceived: (event: string, at: string) => `已收到并验证签名：${event}，${at}`,
    back: '返回商店',
    error: '错误',
  },
} as const satisfies Record<Locale, { readonly status: Record<ShopOrderStatus, string>; readonly statusShort: Record<ShopOrderStatus, string> } & Record<string, unknown>>;
export type ShopMessages = (typeof MESSAGES)[Locale];

/** The shop's words in `locale`. */
export const shopMessages = (locale: Locale): ShopMessages => MESSAGES[locale];


/** A price as people read it in `locale`: ₩39,000, 39,000원, 39,000韩元. */
export const price = (valueKrw: bigint, locale: Locale): string => formatForPeople(amount(currency('KRW'), valueKrw), locale);

/** What every page is rendered for: which shop, in which language, and where this page is in each language. */
export interface PageContext {
  readonly profile: ShopProfile;
  readonly locale: Locale;
  readonly languageLink: (locale: Locale) => string;
}

function layout(page: PageContext, title: string, body: string, options: { readonly refreshSeconds?: number } = {}): string {
  const { profile, locale } = page;
  const m = MESSAGES[locale];
  const links = languageChoices(locale, page.languageLink)
    .map((choice) => `<a href="${escapeHtml(choice.href)}" lang="${choice.tag}" hreflang="${choice.tag}"${choice.current ? ' aria-current="true"' : ''}>${choice.name}</a>`)
    .join('');
  return `<!doctype html>
<html lang="${LOCALE_TAGS[locale]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds === undefined ? '' : `<meta http-equiv="refresh" content="${options.refreshSeconds}">`}
<title>${escapeHtml(title)} · ${escapeHtml(profile.name[locale])}</title>
<link rel="stylesheet" href="${escapeHtml(profile.path)}/shop.css">
</head>
<body>
<header class="bar"><a class="brand" href="${escapeHtml(profile.path)}/">${escapeHtml(profile.name[locale])}</a><nav class="langs" aria-label="${escapeHtml(m.languages)}">${links}</nav></header>
<main class="shop">
${body}
</main>
</body>
</html>
`;
}

export function cataloguePage(page: PageContext, input: { readonly configured: boolean; readonly recent: readonly ShopOrder[] }): string {
  const { profile, locale } = page;
  const m = MESSAGES[locale];
  const items = profile.catalogue
    .map(
      (item) => `<li class="item">
<h2>${escapeHtml(item.name[locale])}${locale === 'ko' ? '' : ` <span lang="ko" class="ko">${escapeHtml(item.name.ko)}</span>`}</h2>
<p class="price">${escapeHtml(price(item.priceKrw, locale))}</p>
<form method="post" action="${escapeHtml(profile.path)}/orders"><input type="hidden" name="item" value="${escapeHtml(item.itemId)}"><input type="hidden" name="lang" value="${locale}"><button type="submit"${input.configured ? '' : ' disabled'}>${escapeHtml(m.buy)}</button></form>
</li>`,
    )
    .join('\n');
  const recent =
    input.recent.length === 0
      ? ''
      : `<h2>${escapeHtml(m.recent)}</h2><ul class="orders">${input.recent
          .map((o) => `<li><a href="${escapeHtml(profile.path)}/orders/${escapeHtml(o.orderId)}">${escapeHtml(o.orderId)}</a> · ${escapeHtml(price(o.amountKrw, locale))} · <strong>${escapeHtml(m.statusShort[o.status])}</strong></li>`)
          .join('')}</ul>`;
  return layout(
    page,
    m.shop,
    `<h1>${escapeHtml(profile.headline[locale])}</h1>
<p>${escapeHtml(profile.lead[locale])}</p>
${input.configured ? '' : `<p class="error" role="alert">${escapeHtml(m.notConfigured)}</p>`}
<ul class="catalogue">
${items}
</ul>
${recent}`,
  );
}

/** An order as the shop knows it; `note` says more while it waits. */
export function orderPage(page: PageContext, order: ShopOrder, note: string | null): string {
  const { profile, locale } = page;
  const m = MESSAGES[locale];
  const item = profile.catalogue.find((i) => i.itemId === order.itemId);
  // Paid as the acquirer answered the shop's question, but its signed webhook not in yet: keep looking until it is.
  const waiting = order.status === 'AWAITING_PAYMENT' || (order.status === 'PAID' && order.notifiedAt === null);
  return layout(
    page,
    m.order(order.orderId),
    `<h1>${escapeHtml(m.order(order.orderId))}</h1>
<p class="status status-${escapeHtml(order.status.toLowerCase())}" role="status">${escapeHtml(m.status[order.status])}</p>
${note === null ? '' : `<p>${escapeHtml(note)}</p>`}
<dl>
<dt>${escapeHtml(m.item)}</dt><dd>${escapeHtml(item?.name[locale] ?? order.itemId)}</dd>
<dt>${escapeHtml(m.amount)}</dt><dd>${escapeHtml(price(order.amountKrw, locale))}</dd>
${order.paymentId === null ? '' : `<dt>${escapeHtml(m.payment)}</dt><dd><code>${escapeHtml(order.paymentId)}</code></dd>`}
${order.paidAt === null ? '' : `<dt>${escapeHtml(m.paidAt)}</dt><dd>${escapeHtml(order.paidAt)}</dd>`}
<dt>${escapeHtml(m.webhook)}</dt><dd class="webhook">${escapeHtml(order.notifiedAt === null ? m.webhookNone : m.webhookReceived(order.notifiedEvent ?? '', order.notifiedAt))}</dd>
</dl>
<p><a href="${escapeHtml(profile.path)}/">${escapeHtml(m.back)}</a></p>`,
    waiting ? { refreshSeconds: 3 } : {},
  );
}

export function errorPage(page: PageContext, message: string): string {
  const m = MESSAGES[page.locale];
  return layout(page, m.error, `<p class="error" role="alert">${escapeHtml(message)}</p><p><a href="${escapeHtml(page.profile.path)}/">${escapeHtml(m.back)}</a></p>`);
}
