/**
 * The automated review, as data (issue 7, STYLE 17): each rule has a stable
 * reason code, a message in Korean, Chinese and English, and the test that
 * decides whether it applies. A product gets every reason that applies, in
 * the order of `REVIEW_RULES`, not just the first; a product with none is
 * listed. The decision is stored with the rules' version, so an operator can
 * tell which rules decided a listing.
 *
 * It is the hot path of syndication (issue 7's bench reviews 100,000
 * products in at most 10 s end to end), so a review allocates little: one
 * regular expression test, set lookups, one exact conversion, one array.
 */
import { amount, convert, currency, type FxRate, type Rounding } from '../money/index.ts';
import type { Language, Messages, ReviewInput } from './types.ts';

/**
 * The version of the rules below. Change it whenever a rule, a list it reads
 * or a setting's default changes, so that every stored decision names the
 * rules that made it.
 */
export const REVIEW_RULES_VERSION = '2026-11.1';

/**
 * Single-order limit for cross-border retail imports, in CNY minor units:
 * 5,000.00 CNY (China's cross-border e-commerce retail import policy). A
 * product priced above it cannot be bought in one order, so it is not listed.
 */
export const CROSS_BORDER_ORDER_LIMIT_CNY = 500_000n;

/**
 * How a KRW price becomes the CNY price a shopper sees and pays: up, as for
 * any price charged to a payer (money README), so that the limit is checked
 * against the very number the storefront shows.
 */
export const LISTING_PRICE_ROUNDING: Rounding = 'ceil';

/** HS chapters that exist: 01 to 97; chapter 77 is reserved and unused. */
export const HS_CHAPTER_MIN = 1;
export const HS_CHAPTER_MAX = 97;
export const HS_CHAPTERS_UNUSED: ReadonlySet<number> = new Set([77]);
/** An HS code is 6 digits (the international part) to 10 (national subdivisions). */
export const HS_CODE_PATTERN = /^[0-9]{6,10}$/;

/** HS chapters the marketplace never lists, by chapter number, with what they hold. */
export const PROHIBITED_HS_CHAPTERS: ReadonlyMap<number, string> = new Map([
  [24, 'tobacco and manufactured tobacco substitutes'],
  [30, 'pharmaceutical products'],
  [93, 'arms and ammunition'],
]);

/**
 * Categories the marketplace never lists. A category is prohibited when it is
 * one of these or lies under one (`weapons/knives` under `weapons`).
 */
export const PROHIBITED_CATEGORIES: ReadonlySet<string> = new Set(['weapons', 'ammunition', 'tobacco', 'pharmaceuticals', 'drugs']);

export const REVIEW_REASON_CODES = ['MISSING_CHINESE_TITLE', 'INVALID_HS_CODE', 'PROHIBITED_ITEM', 'PRICE_ABOVE_ORDER_LIMIT', 'NO_IMAGE'] as const;
export type ReviewReasonCode = (typeof REVIEW_REASON_CODES)[number];

/** What the review is run with besides the product: the network's rate and the limit. */
export interface ReviewSettings {
  /** The network's rate from KRW to CNY (base KRW, quote CNY); `invertRate` of its CNY/KRW rate. */
  readonly krwToCny: FxRate;
  /** The single-order limit, CNY minor units; `CROSS_BORDER_ORDER_LIMIT_CNY` unless a test says otherwise. */
  readonly orderLimitCny: bigint;
}

/**
 * Where the marketplace takes its review settings from at the start of each
 * pass (and each storefront read): the network's rate, which may have to be
 * fetched (async), and may not be published yet (null: nothing is reviewed or
 * priced until it is).
 */
export type ReviewSettingsSource = () => ReviewSettings | null | Promise<ReviewSettings | null>;

export interface ReviewRule {
  readonly code: ReviewReasonCode;
  readonly messages: Messages;
  /** True when the reason applies to the product. Pure. */
  readonly applies: (product: ReviewInput, settings: ReviewSettings) => boolean;
}

export const REVIEW_RULES: readonly ReviewRule[] = [
  {
    code: 'MISSING_CHINESE_TITLE',
    messages: {
      ko: '중국어 상품명이 없습니다. 중국어 상품명을 입력해 주세요.',
      zh: '缺少中文商品名称，请填写中文标题。',
      en: 'The product has no Chinese title; add one.',
    },
    applies: (product) => product.title.zh === undefined || product.title.zh.trim() === '',
  },
  {
    code: 'INVALID_HS_CODE',
    messages: {
      ko: 'HS 코드가 올바르지 않습니다. 존재하는 류(01–97, 77 제외)로 시작하는 6–10자리 숫자여야 합니다.',
      zh: 'HS编码无效：须为6至10位数字，且前两位为存在的章（01–97，77除外）。',
      en: 'The HS code is not valid: it must be 6 to 10 digits starting with an existing chapter (01-97, not 77).',
    },
    applies: (product) => !isValidHsCode(product.hsCode),
  },
  {
    code: 'PROHIBITED_ITEM',
    messages: {
      ko: '마켓플레이스에서 판매할 수 없는 품목입니다(무기, 담배, 의약품 등).',
      zh: '该商品属于平台禁售品类（武器弹药、烟草、药品等）。',
      en: 'The marketplace does not sell this kind of item (arms, tobacco, pharmaceuticals and the like).',
    },
    applies: (product) => isProhibitedCategory(product.category) || PROHIBITED_HS_CHAPTERS.has(hsChapterOf(product.hsCode)),
  },
  {
    code: 'PRICE_ABOVE_ORDER_LIMIT',
    messages: {
      ko: '위안화로 환산한 가격이 해외직구 1회 주문 한도(5,000위안)를 넘습니다.',
      zh: '按人民币折算的价格超过跨境电商零售进口单次交易限值（5000元）。',
      en: 'The price in CNY is above the single-order limit for cross-border retail imports (5,000 CNY).',
    },
    applies: (product, settings) => priceAboveOrderLimit(product.priceKrw, settings),
  },
  {
    code: 'NO_IMAGE',
    messages: {
      ko: '상품 이미지가 없습니다. 이미지를 한 장 이상 등록해 주세요.',
      zh: '缺少商品图片，请至少上传一张图片。',
      en: 'The product has no image; add at least one.',
    },
    applies: (product) => product.images.length === 0,
  },
];

const RULE_BY_CODE: ReadonlyMap<ReviewReasonCode, ReviewRule> = new Map(REVIEW_RULES.map((rule) => [rule.code, rule]));

export type ReviewOutcome = 'listed' | 'rejected';

/** What the review decided about one version of a product, as the listing stores it. */
export interface ReviewDecision {
  readonly outcome: ReviewOutcome;
  readonly rulesVersion: string;
  /** Every reason that applies, in the order of `REVIEW_RULES`; empty exactly when listed. */
  readonly reasons: readonly ReviewReasonCode[];
}

/** Runs every rule on the product. Pure: the same product and settings always give the same decision. */
export function reviewProduct(product: ReviewInput, settings: ReviewSettings): ReviewDecision {
  const reasons: ReviewReasonCode[] = [];
  for (const rule of REVIEW_RULES) {
    if (rule.applies(product, settings)) reasons.push(rule.code);
  }
  return { outcome: reasons.length === 0 ? 'listed' : 'rejected', rulesVersion: REVIEW_RULES_VERSION, reasons };
}

/** A reason's message in one language. */
export function reasonMessage(code: ReviewReasonCode, language: Language): string {
  const rule = RULE_BY_CODE.get(code);
  if (rule === undefined) throw new Error(`assertion failed: ${code} is a rule's code`);
  return rule.messages[language];
}

/** 6 to 10 digits, whose 2-digit chapter exists. */
export function isValidHsCode(hsCode: string): boolean {
  if (!HS_CODE_PATTERN.test(hsCode)) return false;
  const chapter = hsChapterOf(hsCode);
  return chapter >= HS_CHAPTER_MIN && chapter <= HS_CHAPTER_MAX && !HS_CHAPTERS_UNUSED.has(chapter);
}

/** The chapter an HS code's first two characters name, or -1 when they are not two digits. */
export function hsChapterOf(hsCode: string): number {
  const tens = hsCode.charCodeAt(0) - 48;
  const units = hsCode.charCodeAt(1) - 48;
  if (!(tens >= 0 && tens <= 9 && units >= 0 && units <= 9)) return -1;
  return tens * 10 + units;
}

/** The category, or the top of its path, is on the prohibited list. */
export function isProhibitedCategory(category: string): boolean {
  if (PROHIBITED_CATEGORIES.has(category)) return true;
  const slash = category.indexOf('/');
  return slash > 0 && PROHIBITED_CATEGORIES.has(category.slice(0, slash));
}

const KRW = currency('KRW');
const CNY = currency('CNY');

/** The CNY price shoppers see for a KRW price: converted at the network's rate, rounded by `LISTING_PRICE_ROUNDING`. */
export function listingPriceCny(priceKrw: bigint, krwToCny: FxRate): bigint {
  if (krwToCny.base !== KRW || krwToCny.quote !== CNY) throw new Error(`assertion failed: the review's rate is KRW to CNY, got ${krwToCny.base} to ${krwToCny.quote}`);
  const converted = convert(amount(KRW, priceKrw), krwToCny, LISTING_PRICE_ROUNDING);
  // A KRW price within the mall's limit converts far inside the amount range; anything else is a bug upstream.
  if (!converted.ok) throw new Error(`assertion failed: ${priceKrw} KRW converts to CNY: ${converted.error.message}`);
  return converted.value.value;
}

/** Whether the price, in CNY as shown, is above the single-order limit. */
export function priceAboveOrderLimit(priceKrw: bigint, settings: ReviewSettings): boolean {
  return listingPriceCny(priceKrw, settings.krwToCny) > settings.orderLimitCny;
}
