/**
 * The demo's Korean SME mall (issue 7): three sellers and a catalogue in
 * Korean and Chinese (English on some), seeded through the mall's public
 * API as the sellers would list it. Most of it passes the marketplace's
 * review; some of it does not, so that the reasons show on the mall's
 * product (`GET /mall/v1/products/{id}`) and in the marketplace operator's
 * listings: a scarf without a Chinese title, vitamins under pharmaceuticals
 * (a prohibited HS chapter) without an image, an amplifier above the
 * single-order limit with an HS code too short. One knit is out of stock:
 * listed, shown as unavailable.
 */
import type { ApiClient } from './http-client.ts';

/** Images the demo's products name; the storefront shows their URLs (nothing is served there). */
const IMAGE_BASE = 'https://images.mall.dari.example';

interface DemoProduct {
  readonly sku: string;
  readonly title: { readonly ko: string; readonly zh?: string; readonly en?: string };
  readonly description?: { readonly ko: string; readonly zh?: string; readonly en?: string };
  readonly category: string;
  readonly hsCode: string;
  /** Won. */
  readonly priceKrw: number;
  readonly stock: number;
  readonly weightGrams: number;
  readonly images: readonly string[];
  readonly certifications?: readonly string[];
}

export interface DemoSeller {
  readonly legalName: string;
  readonly businessRegistrationNumber: string;
  readonly contactEmail: string;
  readonly products: readonly DemoProduct[];
}

export const DEMO_MALL_SELLERS: readonly DemoSeller[] = [
  {
    legalName: 'Seoul Knit Studio',
    businessRegistrationNumber: '211-87-00125',
    contactEmail: 'shop@seoulknit.example',
    products: [
      {
        sku: 'COAT-DRAMA-01',
        title: { ko: '울 롱코트 (드라마 스타일)', zh: '羊毛长款大衣（韩剧同款）', en: 'Wool long coat (K-drama style)' },
        description: { ko: '겨울 드라마 속 그 코트. 울 80%, 캐시미어 20%.', zh: '韩剧同款冬季大衣。羊毛80%，羊绒20%。', en: 'The coat from the winter drama. 80% wool, 20% cashmere.' },
        category: 'fashion/outerwear',
        hsCode: '620213',
        priceKrw: 289_000,
        stock: 15,
        weightGrams: 1_800,
        images: [`${IMAGE_BASE}/coat-drama-01.jpg`],
      },
      {
        sku: 'KNIT-CASHMERE-02',
        title: { ko: '캐시미어 니트', zh: '羊绒针织衫', en: 'Cashmere knit' },
        category: 'fashion/tops',
        hsCode: '611012',
        priceKrw: 129_000,
        stock: 0,
        weightGrams: 400,
        images: [`${IMAGE_BASE}/knit-cashmere-02.jpg`],
      },
      {
        // No Chinese title: MISSING_CHINESE_TITLE.
        sku: 'SCARF-03',
        title: { ko: '실크 스카프', en: 'Silk scarf' },
        category: 'fashion/accessories',
        hsCode: '621410',
        priceKrw: 59_000,
        stock: 30,
        weightGrams: 120,
        images: [`${IMAGE_BASE}/scarf-03.jpg`],
      },
    ],
  },
  {
    legalName: 'Jeju Green Cosmetics',
    businessRegistrationNumber: '616-81-00537',
    contactEmail: 'hello@jejugreen.example',
    products: [
      {
        sku: 'ESSENCE-GREENTEA-01',
        title: { ko: '제주 녹차 에센스', zh: '济州绿茶精华液', en: 'Jeju green tea essence' },
        description: { ko: '제주 유기농 녹차 추출물', zh: '济州有机绿茶提取物' },
        category: 'beauty/skincare',
        hsCode: '330499',
        priceKrw: 38_000,
        stock: 120,
        weightGrams: 250,
        images: [`${IMAGE_BASE}/essence-greentea-01.jpg`],
        certifications: ['KC-COS-2026-0142'],
      },
      {
        sku: 'CUSHION-02',
        title: { ko: '쿠션 팩트', zh: '气垫粉底' },
        category: 'beauty/makeup',
        hsCode: '330499',
        priceKrw: 32_000,
        stock: 60,
        weightGrams: 90,
        images: [`${IMAGE_BASE}/cushion-02.jpg`],
      },
      {
        // HS chapter 30 (pharmaceuticals) and no image: PROHIBITED_ITEM and NO_IMAGE.
        sku: 'VITAMIN-03',
        title: { ko: '비타민 C 정제', zh: '维生素C片' },
        category: 'health/supplements',
        hsCode: '300450',
        priceKrw: 25_000,
        stock: 200,
        weightGrams: 150,
        images: [],
      },
    ],
  },
  {
    legalName: 'Gangnam Audio Works',
    businessRegistrationNumber: '215-86-00775',
    contactEmail: 'sales@gangnamaudio.example',
    products: [
      {
        sku: 'SPEAKER-BT-01',
        title: { ko: '블루투스 스피커', zh: '蓝牙音箱', en: 'Bluetooth speaker' },
        category: 'electronics/audio',
        hsCode: '851822',
        priceKrw: 89_000,
        stock: 40,
        weightGrams: 900,
        images: [`${IMAGE_BASE}/speaker-bt-01.jpg`],
        certifications: ['KC-R-GA-2026-01'],
      },
      {
        // 2,400,000 KRW is about 12,615 CNY, above the 5,000 CNY single-order limit; a 5-digit HS code: PRICE_ABOVE_ORDER_LIMIT and INVALID_HS_CODE.
        sku: 'AMP-TUBE-02',
        title: { ko: '진공관 앰프', zh: '真空管功放', en: 'Tube amplifier' },
        category: 'electronics/audio',
        hsCode: '85184',
        priceKrw: 2_400_000,
        stock: 3,
        weightGrams: 14_000,
        images: [`${IMAGE_BASE}/amp-tube-02.jpg`],
      },
    ],
  },
];

export interface DemoMallCredentials {
  /** The mall operator's key: it signs up and suspends sellers. */
  readonly operatorKey: string;
  /** The first demo seller's API key (Seoul Knit Studio): its products, uploads and their listing status. */
  readonly sellerKey: string;
  readonly sellerId: string;
  readonly sellers: readonly { readonly sellerId: string; readonly legalName: string; readonly sellerKey: string; readonly productIds: readonly string[] }[];
}

/** Signs up the demo's sellers with the mall's operator key and lists their catalogues with their own keys. */
export async function seedMall(api: ApiClient, operatorKey: string): Promise<DemoMallCredentials> {
  const sellers = [];
  for (const seller of DEMO_MALL_SELLERS) {
    const created = await api.call<{ sellerId: string; apiKey: string }>('POST', '/mall/v1/sellers', {
      token: operatorKey,
      body: { legalName: seller.legalName, businessRegistrationNumber: seller.businessRegistrationNumber, contactEmail: seller.contactEmail },
    });
    const productIds = [];
    for (const { priceKrw, ...product } of seller.products) {
      const listed = await api.call<{ productId: string }>('POST', '/mall/v1/products', {
        token: created.apiKey,
        body: { ...product, price: { currency: 'KRW', value: String(priceKrw) }, originCountry: 'KR' },
      });
      productIds.push(listed.productId);
    }
    sellers.push({ sellerId: created.sellerId, legalName: seller.legalName, sellerKey: created.apiKey, productIds });
  }
  const first = sellers[0]!;
  return { operatorKey, sellerKey: first.sellerKey, sellerId: first.sellerId, sellers };
}
