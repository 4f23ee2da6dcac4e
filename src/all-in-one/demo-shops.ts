/**
 * The demo's two web shops beside dari (issue 6: "a duty-free store and a
 * small online shop"), both served by the one shop module from these
 * profiles: each is a merchant of the acquirer, onboarded by the demo seed
 * with its own terminal and webhook secret, and keeps its own database.
 */
import type { ShopProfile } from '../shop/index.ts';

export interface DemoShop {
  readonly profile: ShopProfile;
  /** The shop's folder in the data directory. */
  readonly dataFolder: string;
  /** What the acquirer is told when the seed onboards the shop's merchant. */
  readonly merchant: { readonly legalName: string; readonly businessRegistrationNumber: string; readonly mcc: string; readonly address: string; readonly city: string };
  readonly settlementAccount: { readonly bankCode: string; readonly accountNumber: string };
}

export const HANBIT_DUTY_FREE: DemoShop = {
  profile: {
    path: '/shop',
    name: { en: 'Hanbit Duty Free', ko: '한빛 면세점', zh: '韩光免税店' },
    headline: { en: 'Duty-free, delivered to your departure gate', ko: '면세품을 출국장에서 받아 가세요', zh: '免税商品，出境时在登机口提货' },
    lead: {
      en: 'Pay from your phone with a dari wallet in yuan: no Korean card or certificate needed.',
      ko: '위안화 dari 지갑으로 휴대폰에서 결제하세요. 한국 카드나 인증서가 필요 없습니다.',
      zh: '用手机上的人民币 dari 钱包付款：无需韩国银行卡或证书。',
    },
    accent: '#6b1f2a',
    orderIdPrefix: 'HB',
    catalogue: [
      { itemId: 'serum', name: { en: 'Ginseng first-care serum, 60 ml', ko: '인삼 퍼스트 케어 세럼 60ml', zh: '人参精华液 60 毫升' }, priceKrw: 39_000n },
      { itemId: 'red-ginseng', name: { en: 'Korean red ginseng extract, 100 g', ko: '홍삼 농축액 100g', zh: '高丽红参浓缩液 100 克' }, priceKrw: 89_000n },
      { itemId: 'almonds', name: { en: 'Honey butter almonds, 3 × 190 g', ko: '허니버터 아몬드 190g × 3', zh: '蜂蜜黄油杏仁 190 克 × 3' }, priceKrw: 12_000n },
    ],
  },
  dataFolder: 'shop',
  merchant: { legalName: 'Hanbit Duty Free', businessRegistrationNumber: '214-86-12341', mcc: '5309', address: '72 Sogong-ro, Jung-gu', city: 'Seoul' },
  settlementAccount: { bankCode: '020', accountNumber: '100200300400' },
};

/** The article's "Cheon Song-yi coat" problem in one shop: Seoul fashion that a buyer abroad could not pay for. */
export const GAROSU_ATELIER: DemoShop = {
  profile: {
    path: '/boutique',
    name: { en: 'Garosu Atelier', ko: '가로수 아틀리에', zh: '林荫道工坊' },
    headline: { en: 'Seoul fashion from Garosu-gil, shipped to you', ko: '가로수길 패션을 집까지 보내 드립니다', zh: '首尔林荫道时装，直接寄给您' },
    lead: {
      en: 'A small boutique in Sinsa-dong. Buy from abroad with your dari wallet: no Korean phone number, card or certificate.',
      ko: '신사동의 작은 부티크입니다. 해외에서도 dari 지갑으로 구매하세요. 한국 전화번호, 카드, 인증서가 필요 없습니다.',
      zh: '新沙洞的一家小精品店。在国外也能用 dari 钱包购买：无需韩国手机号、银行卡或证书。',
    },
    accent: '#1f3a5f',
    orderIdPrefix: 'GA',
    catalogue: [
      { itemId: 'wool-coat', name: { en: 'Camel wool-blend long coat', ko: '카멜 울 혼방 롱코트', zh: '驼色羊毛混纺长款大衣' }, priceKrw: 289_000n },
      { itemId: 'silk-scarf', name: { en: 'Hand-rolled silk scarf', ko: '핸드롤 실크 스카프', zh: '手工卷边真丝围巾' }, priceKrw: 59_000n },
      { itemId: 'knit-beanie', name: { en: 'Cashmere-blend knit beanie', ko: '캐시미어 혼방 니트 비니', zh: '羊绒混纺针织帽' }, priceKrw: 32_000n },
    ],
  },
  dataFolder: 'boutique',
  merchant: { legalName: 'Garosu Atelier', businessRegistrationNumber: '211-88-40672', mcc: '5651', address: '41 Garosu-gil, Gangnam-gu', city: 'Seoul' },
  settlementAccount: { bankCode: '088', accountNumber: '110234567890' },
};

/** In the order the root page and `npm start` list them; the first is the demo's shop of record (`Dari.shop`). */
export const DEMO_SHOPS: readonly DemoShop[] = [HANBIT_DUTY_FREE, GAROSU_ATELIER];
