/**
 * The hosted cashier's HTML, rendered on the server: no JavaScript, no asset
 * from elsewhere (one small stylesheet, `cashier.css`, served by the wallet),
 * usable on a phone at 390×844. Korean, Simplified Chinese and English, each
 * language named in itself; amounts written per currency and language from
 * bigint minor units by money's `formatForPeople`, never through a float. Every value that
 * reaches the page is escaped.
 */
import { formatForPeople, type Amount } from '../money/index.ts';
import { escapeHtml } from '../platform/html.ts';
import { languageChoices, LOCALE_TAGS, type Locale } from '../platform/locale.ts';

/**
 * The cashier's languages are dari's (platform/locale.ts: the page's language
 * from `?lang=`, else Accept-Language, else English); its words are below.
 */
export type CashierLocale = Locale;

export const MESSAGES = {
  en: {
    title: 'Pay with your dari wallet',
    merchant: 'Shop',
    amount: 'Price',
    charge: 'From your wallet, about',
    rate: (rate: string) => `1 CNY = ${rate} KRW, the network's rate now. The rate is locked when you pay.`,
    rateUnavailable: 'The rate is not available right now; the amount in CNY is set when you pay.',
    validFor: (minutes: number) => `This payment is open for ${minutes} more minute${minutes === 1 ? '' : 's'}.`,
    phone: 'Phone number you signed up with',
    phoneHint: 'For example +8613800138000',
    pin: 'Payment PIN (6 digits)',
    pinHint: 'No PIN yet? Set one in the dari wallet app.',
    pay: (amount: string) => `Pay ${amount}`,
    back: 'Back to the shop without paying',
    languages: 'Language',
    wrongPin: (left: number) => `The phone number or PIN is not right. ${left} ${left === 1 ? 'try' : 'tries'} left before the PIN is locked.`,
    unknownPhone: 'The phone number or PIN is not right.',
    locked: (minutes: number) => `Too many wrong PINs. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    badTicket: 'This payment link is not valid. Go back to the shop and start again.',
    expired: 'This payment has expired. Go back to the shop and start again.',
    formExpired: 'This form has expired. Please try again.',
    insufficient: 'Your balance does not cover this payment. Top up in the dari wallet app, then try again.',
    limit: 'This payment is above your per-payment or daily limit.',
    closed: 'This order is already paid or closed.',
    refused: 'The payment was refused. Nothing was taken from your wallet.',
    processing: 'Your payment is being processed.',
    toShop: 'Back to the shop',
  },
  ko: {
    title: 'dari 지갑으로 결제',
    merchant: '가맹점',
    amount: '결제 금액',
    charge: '지갑에서 차감 예상 금액',
    rate: (rate: string) => `1 CNY = ${rate} KRW (현재 네트워크 환율). 결제하는 순간 환율이 확정됩니다.`,
    rateUnavailable: '지금은 환율을 불러올 수 없습니다. 위안화 금액은 결제할 때 확정됩니다.',
    validFor: (minutes: number) => `이 결제는 ${minutes}분 동안 유효합니다.`,
    phone: '가입할 때 쓴 전화번호',
    phoneHint: '예: +8613800138000',
    pin: '결제 PIN (숫자 6자리)',
    pinHint: 'PIN이 없으신가요? dari 지갑 앱에서 설정하세요.',
    pay: (amount: string) => `${amount} 결제하기`,
    back: '결제하지 않고 상점으로 돌아가기',
    languages: '언어',
    wrongPin: (left: number) => `전화번호 또는 PIN이 맞지 않습니다. PIN이 잠기기 전까지 ${left}번 남았습니다.`,
    unknownPhone: '전화번호 또는 PIN이 맞지 않습니다.',
    locked: (minutes: number) => `PIN을 여러 번 틀렸습니다. ${minutes}분 뒤에 다시 시도하세요.`,
    badTicket: '올바르지 않은 결제 링크입니다. 상점으로 돌아가 다시 시작하세요.',
    expired: '결제 시간이 지났습니다. 상점으로 돌아가 다시 시작하세요.',
    formExpired: '입력 양식이 만료되었습니다. 다시 시도하세요.',
    insufficient: '잔액이 부족합니다. dari 지갑 앱에서 충전한 뒤 다시 시도하세요.',
    limit: '1회 또는 1일 결제 한도를 넘었습니다.',
    closed: '이미 결제되었거나 마감된 주문입니다.',
    refused: '결제가 거절되었습니다. 지갑에서 빠져나간 돈은 없습니다.',
    processing: '결제를 처리하고 있습니다.',
    toShop: '상점으로 돌아가기',
  },
  zh: {
    title: '使用 dari 钱包支付',
    merchant: '商户',
    amount: '价格',
    charge: '约从钱包扣除',
    rate: (rate: string) => `1 人民币 = ${rate} 韩元（网络当前汇率），付款时锁定汇率。`,
    rateUnavailable: '暂时无法获取汇率；人民币金额将在付款时确定。',
    validFor: (minutes: number) => `本次付款在 ${minutes} 分钟内有效。`,
    phone: '注册时使用的手机号',
    phoneHint: '例如 +8613800138000',
    pin: '支付密码（6 位数字）',
    pinHint: '还没有支付密码？请在 dari 钱包应用中设置。',
    pay: (amount: string) => `支付 ${amount}`,
    back: '不付款，返回商店',
    languages: '语言',
    wrongPin: (left: number) => `手机号或支付密码不正确。再错 ${left} 次支付密码将被锁定。`,
    unknownPhone: '手机号或支付密码不正确。',
    locked: (minutes: number) => `支付密码错误次数过多，请 ${minutes} 分钟后再试。`,
    badTicket: '付款链接无效。请返回商店重新开始。',
    expired: '本次付款已过期。请返回商店重新开始。',
    formExpired: '表单已过期，请重试。',
    insufficient: '余额不足。请在 dari 钱包应用中充值后重试。',
    limit: '本次付款超过单笔或单日限额。',
    closed: '该订单已支付或已关闭。',
    refused: '付款被拒绝，钱包未扣款。',
    processing: '付款处理中。',
    toShop: '返回商店',
  },
} as const satisfies Record<CashierLocale, Record<string, unknown>>;
export type CashierMessages = (typeof MESSAGES)[CashierLocale];


/** Where the stylesheet is served. */
export const CASHIER_CSS_PATH = '/wallet/cashier/cashier.css';

function layout(locale: CashierLocale, title: string, languageLinks: (l: CashierLocale) => string, body: string): string {
  const m = MESSAGES[locale];
  const links = languageChoices(locale, languageLinks)
    .map((choice) => `<a href="${escapeHtml(choice.href)}" lang="${choice.tag}" hreflang="${choice.tag}"${choice.current ? ' aria-current="true"' : ''}>${choice.name}</a>`)
    .join('');
  return `<!doctype html>
<html lang="${LOCALE_TAGS[locale]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${CASHIER_CSS_PATH}">
</head>
<body>
<header class="bar"><span class="brand">dari</span><nav class="langs" aria-label="${escapeHtml(m.languages)}">${links}</nav></header>
<main class="cashier">
${body}
</main>
</body>
</html>
`;
}

export interface CheckoutPageInput {
  readonly locale: CashierLocale;
  /** The href of this page in another language. */
  readonly languageLink: (locale: CashierLocale) => string;
  readonly merchantName: string;
  readonly merchantCity: string;
  readonly price: Amount;
  /** The estimate in the wallet's currency at the network's current rate, or null when no rate could be had. */
  readonly charge: { readonly amount: Amount; readonly rate: string } | null;
  readonly minutesLeft: number;
  readonly error: string | null;
  readonly form: { readonly action: string; readonly ticket: string; readonly csrf: string; readonly attemptId: string; readonly phone: string };
  readonly backLink: string;
}

/** The cashier: what is bought from whom, for how much in both currencies, and the sign-in that confirms it. */
export function checkoutPage(input: CheckoutPageInput): string {
  const m = MESSAGES[input.locale];
  const price = formatForPeople(input.price, input.locale);
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const body = `<h1>${escapeHtml(m.title)}</h1>
<section class="order" aria-labelledby="merchant">
<p class="label">${escapeHtml(m.merchant)}</p>
<h2 id="merchant">${escapeHtml(input.merchantName)}</h2>
<p class="city">${escapeHtml(input.merchantCity)}</p>
<dl>
<dt>${escapeHtml(m.amount)}</dt><dd class="price">${escapeHtml(price)}</dd>
${input.charge === null ? '' : `<dt>${escapeHtml(m.charge)}</dt><dd class="charge">${escapeHtml(formatForPeople(input.charge.amount, input.locale))}</dd>`}
</dl>
<p class="note">${escapeHtml(input.charge === null ? m.rateUnavailable : m.rate(input.charge.rate))}</p>
<p class="note">${escapeHtml(m.validFor(input.minutesLeft))}</p>
</section>
${input.error === null ? '' : `<p class="error" role="alert" id="error">${escapeHtml(input.error)}</p>`}
<form method="post" action="${escapeHtml(input.form.action)}" class="pay"${input.error === null ? '' : ' aria-describedby="error"'}>
${hidden('ticket', input.form.ticket)}${hidden('csrf', input.form.csrf)}${hidden('attempt', input.form.attemptId)}${hidden('lang', input.locale)}
<label for="phone">${escapeHtml(m.phone)}</label>
<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required maxlength="24" value="${escapeHtml(input.form.phone)}" aria-describedby="phone-hint">
<p class="hint" id="phone-hint">${escapeHtml(m.phoneHint)}</p>
<label for="pin">${escapeHtml(m.pin)}</label>
<input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off" pattern="[0-9]{6}" minlength="6" maxlength="6" required aria-describedby="pin-hint">
<p class="hint" id="pin-hint">${escapeHtml(m.pinHint)}</p>
<button type="submit">${escapeHtml(m.pay(price))}</button>
</form>
<p class="back"><a href="${escapeHtml(input.backLink)}">${escapeHtml(m.back)}</a></p>`;
  return layout(input.locale, `${m.title} · ${input.merchantName}`, input.languageLink, body);
}

/** A page that only says something, with an optional way back to the shop. */
export function messagePage(input: { readonly locale: CashierLocale; readonly languageLink: (locale: CashierLocale) => string; readonly message: string; readonly backLink: string | null }): string {
  const m = MESSAGES[input.locale];
  const body = `<h1>${escapeHtml(m.title)}</h1>
<p class="error" role="alert">${escapeHtml(input.message)}</p>
${input.backLink === null ? '' : `<p class="back"><a class="button" href="${escapeHtml(input.backLink)}">${escapeHtml(m.toShop)}</a></p>`}`;
  return layout(input.locale, m.title, input.languageLink, body);
}
