/** The demo shop's pages: server-rendered HTML, no JavaScript, one stylesheet of its own (`shop.css`). */
import { amount, currency, formatDecimal } from '../money/index.ts';
import type { ShopOrder } from './store.ts';

export interface CatalogItem {
  readonly itemId: string;
  readonly name: string;
  readonly nameKo: string;
  readonly priceKrw: bigint;
}

/** What the demo duty-free store sells, priced in KRW. */
export const CATALOG: readonly CatalogItem[] = [
  { itemId: 'serum', name: 'Ginseng first-care serum, 60 ml', nameKo: '인삼 퍼스트 케어 세럼', priceKrw: 39_000n },
  { itemId: 'red-ginseng', name: 'Korean red ginseng extract, 100 g', nameKo: '홍삼 농축액', priceKrw: 89_000n },
  { itemId: 'almonds', name: 'Honey butter almonds, 3 × 190 g', nameKo: '허니버터 아몬드', priceKrw: 12_000n },
];

export const SHOP_CSS_PATH = '/shop/shop.css';

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
export const won = (value: bigint): string => `₩${formatDecimal(amount(currency('KRW'), value))}`;

function layout(title: string, body: string, options: { readonly refreshSeconds?: number } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds === undefined ? '' : `<meta http-equiv="refresh" content="${options.refreshSeconds}">`}
<title>${escape(title)} · Hanbit Duty Free</title>
<link rel="stylesheet" href="${SHOP_CSS_PATH}">
</head>
<body>
<header class="bar"><a class="brand" href="/shop/">Hanbit Duty Free <span lang="ko">한빛 면세점</span></a></header>
<main class="shop">
${body}
</main>
</body>
</html>
`;
}

export function catalogPage(input: { readonly configured: boolean; readonly recent: readonly ShopOrder[] }): string {
  const items = CATALOG.map(
    (item) => `<li class="item">
<h2>${escape(item.name)} <span lang="ko" class="ko">${escape(item.nameKo)}</span></h2>
<p class="price">${escape(won(item.priceKrw))}</p>
<form method="post" action="/shop/orders"><input type="hidden" name="item" value="${escape(item.itemId)}"><button type="submit"${input.configured ? '' : ' disabled'}>Buy with dari wallet</button></form>
</li>`,
  ).join('\n');
  const recent =
    input.recent.length === 0
      ? ''
      : `<h2>Your recent orders</h2><ul class="orders">${input.recent.map((o) => `<li><a href="/shop/orders/${escape(o.orderId)}">${escape(o.orderId)}</a> · ${escape(won(o.amountKrw))} · <strong>${escape(o.status)}</strong></li>`).join('')}</ul>`;
  return layout(
    'Shop',
    `<h1>Duty-free, delivered to your departure gate</h1>
<p>Pay from your phone with a dari wallet in yuan: no Korean card or certificate needed.</p>
${input.configured ? '' : '<p class="error" role="alert">The shop has no acquirer credentials yet: start dari on an empty data folder so that the demo seed sets it up.</p>'}
<ul class="catalog">
${items}
</ul>
${recent}`,
  );
}

const STATUS_TEXT: Record<ShopOrder['status'], string> = {
  AWAITING_PAYMENT: 'Awaiting payment',
  PAID: 'Paid — thank you! Your order is confirmed.',
  EXPIRED: 'Not paid: the payment expired.',
};

export function orderPage(order: ShopOrder, item: CatalogItem | undefined, note: string | null): string {
  // Paid as the acquirer answered the shop's question, but its signed webhook not in yet: keep looking until it is.
  const waiting = order.status === 'AWAITING_PAYMENT' || (order.status === 'PAID' && order.notifiedAt === null);
  return layout(
    `Order ${order.orderId}`,
    `<h1>Order ${escape(order.orderId)}</h1>
<p class="status status-${escape(order.status.toLowerCase())}" role="status">${escape(STATUS_TEXT[order.status])}</p>
${note === null ? '' : `<p>${escape(note)}</p>`}
<dl>
<dt>Item</dt><dd>${escape(item?.name ?? order.itemId)}</dd>
<dt>Amount</dt><dd>${escape(won(order.amountKrw))}</dd>
${order.paymentId === null ? '' : `<dt>Payment</dt><dd><code>${escape(order.paymentId)}</code></dd>`}
${order.paidAt === null ? '' : `<dt>Paid at</dt><dd>${escape(order.paidAt)}</dd>`}
<dt>Acquirer's webhook</dt><dd class="webhook">${order.notifiedAt === null ? 'Not received yet' : `Received and verified: ${escape(order.notifiedEvent ?? '')} at ${escape(order.notifiedAt)}`}</dd>
</dl>
<p><a href="/shop/">Back to the shop</a></p>`,
    waiting ? { refreshSeconds: 3 } : {},
  );
}

export function errorPage(message: string): string {
  return layout('Error', `<p class="error" role="alert">${escape(message)}</p><p><a href="/shop/">Back to the shop</a></p>`);
}
