import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CATALOGUE_UPLOAD_BYTES_MAX, CATALOGUE_UPLOAD_ROWS_MAX } from './catalogue-upload.ts';
import { MALL_TEST_ENGINES, startMall, type ApiAnswer, type MallHarness } from './test-helpers.ts';

const code = (r: ApiAnswer) => (r.body.error as { code: string } | undefined)?.code;
const message = (r: ApiAnswer) => (r.body.error as { message: string } | undefined)?.message ?? '';
type Result = { line: number; sku?: string; outcome: string; productId?: string; version?: number; errors?: { column: string; message: string }[] };
const resultsOf = (r: ApiAnswer) => r.body.results as Result[];

const HEADER = 'sku,title_ko,title_zh,title_en,description_ko,category,hs_code,price_krw,stock,weight_grams,origin_country,images,certifications';
const CATALOGUE = [
  HEADER,
  'COAT-1,울 코트,羊毛大衣,Wool coat,"따뜻한 코트, 겨울용\n두 번째 줄",fashion/outerwear,620213,189000,12,1800,KR,https://mall.example/c1.jpg|https://mall.example/c2.jpg,KC-R-1|CCC-2',
  'MASK-1,마스크팩,面膜,,,beauty/skincare,330499,15000,500,120,KR,https://mall.example/m.jpg,',
  'RAMEN-1,라면,,Ramen,,food/noodles,190230,4500,1000,600,KR,,',
].join('\r\n');

for (const engine of MALL_TEST_ENGINES) {
  describe(`catalogue upload (CSV) on ${engine}`, () => {
    let h: MallHarness;
    let seller: { sellerId: string; apiKey: string };
    const upload = (csv: string, contentType?: string) => h.api('POST', '/mall/v1/product-uploads', { token: seller.apiKey, csv, ...(contentType === undefined ? {} : { contentType }) });
    before(async () => {
      h = await startMall(engine);
      seller = await h.signUp(0);
    });
    after(() => h.close());

    it('creates a product per row and reports each row by its line; quoted cells keep commas and line breaks', async () => {
      const r = await upload(CATALOGUE);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual({ ...r.body, results: undefined }, { rows: 3, created: 3, updated: 0, unchanged: 0, rejected: 0, results: undefined });
      assert.deepEqual(resultsOf(r).map(({ line, sku, outcome, version }) => ({ line, sku, outcome, version })), [
        { line: 2, sku: 'COAT-1', outcome: 'created', version: 1 },
        { line: 4, sku: 'MASK-1', outcome: 'created', version: 1 },
        { line: 5, sku: 'RAMEN-1', outcome: 'created', version: 1 },
      ]);
      const coat = await h.api('GET', `/mall/v1/products/${resultsOf(r)[0]!.productId}`, { token: seller.apiKey });
      assert.deepEqual(coat.body.description, { ko: '따뜻한 코트, 겨울용\n두 번째 줄' });
      assert.deepEqual(coat.body.images, ['https://mall.example/c1.jpg', 'https://mall.example/c2.jpg']);
      assert.deepEqual(coat.body.certifications, ['KC-R-1', 'CCC-2']);
      assert.deepEqual(coat.body.price, { currency: 'KRW', value: '189000' });
      const ramen = await h.api('GET', `/mall/v1/products/${resultsOf(r)[2]!.productId}`, { token: seller.apiKey });
      assert.deepEqual(ramen.body.title, { ko: '라면', en: 'Ramen' }, 'an empty cell is no value');
      assert.deepEqual(ramen.body.images, []);
    });

    it('the same file again changes nothing', async () => {
      const r = await upload(CATALOGUE);
      assert.deepEqual([r.body.created, r.body.updated, r.body.unchanged, r.body.rejected], [0, 0, 3, 0]);
      assert.ok(resultsOf(r).every((row) => row.version === 1));
    });

    it('applies each good row and none of a bad one; a bad row leaves its product exactly as it was', async () => {
      const before = await h.api('GET', '/mall/v1/products', { token: seller.apiKey });
      const mask = (before.body.products as { sku: string }[]).find((p) => p.sku === 'MASK-1')!;
      const file = [
        HEADER,
        'COAT-1,울 코트,羊毛大衣,Wool coat,,fashion/outerwear,620213,179000,10,1800,KR,https://mall.example/c1.jpg,',
        'MASK-1,마스크팩,面膜,,,beauty/skincare,330499,-5,500,120,KR,https://mall.example/m.jpg,',
        'SCARF-1,,围巾,,,fashion/scarves,621410,30000,many,200,KR,,',
        'HAT-1,모자,帽子',
        'BAG-1,가방,包,,,fashion/bags,420222,50000,3,700,KR,,',
        'BAG-1,가방 2,包,,,fashion/bags,420222,52000,3,700,KR,,',
        'SHOE-1,신발,鞋,,,fashion/shoes,640399,89000,4,900,KR,https://mall.example/s.jpg,',
      ].join('\n');
      const r = await upload(file);
      assert.equal(r.status, 200);
      assert.deepEqual([r.body.rows, r.body.created, r.body.updated, r.body.unchanged, r.body.rejected], [7, 1, 1, 0, 5]);
      const rows = resultsOf(r);
      assert.deepEqual(rows.map((row) => [row.line, row.sku, row.outcome]), [
        [2, 'COAT-1', 'updated'],
        [3, 'MASK-1', 'rejected'],
        [4, 'SCARF-1', 'rejected'],
        [5, 'HAT-1', 'rejected'],
        [6, 'BAG-1', 'rejected'],
        [7, 'BAG-1', 'rejected'],
        [8, 'SHOE-1', 'created'],
      ]);
      assert.equal(rows[0]!.version, 2);
      assert.deepEqual(rows[1]!.errors?.map((e) => e.column), ['price_krw']);
      assert.deepEqual(rows[2]!.errors?.map((e) => e.column), ['title_ko', 'stock'], 'every problem of a row, by column');
      assert.match(rows[3]!.errors?.[0]?.message ?? '', /3 cells, the header has 13/);
      assert.match(rows[4]!.errors?.[0]?.message ?? '', /also on line 7/);
      assert.match(rows[5]!.errors?.[0]?.message ?? '', /also on line 6/);
      const after = await h.api('GET', '/mall/v1/products', { token: seller.apiKey });
      const products = after.body.products as { sku: string }[];
      assert.deepEqual(products.find((p) => p.sku === 'MASK-1'), mask, 'the rejected row changed nothing');
      assert.deepEqual(products.map((p) => p.sku).sort(), ['COAT-1', 'MASK-1', 'RAMEN-1', 'SHOE-1']);
    });

    it('refuses a file it cannot read as a catalogue, applying nothing', async () => {
      const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
        ['an empty file', '', /empty/],
        ['an unknown column', `${HEADER},colour\n`, /unknown column "colour"/],
        ['a column twice', `${HEADER},sku\n`, /sku appears twice/],
        ['a required column missing', 'sku,title_ko\nA,가\n', /lacks category, hs_code, price_krw, stock, weight_grams, origin_country/],
        ['a quote never closed', `${HEADER}\n"COAT-9,울\n`, /^line 2: a quoted field is never closed/],
        ['too many rows', [HEADER, ...Array.from({ length: CATALOGUE_UPLOAD_ROWS_MAX + 1 }, (_, i) => `S-${i}`)].join('\n'), /more than 5001 records/],
      ];
      for (const [name, csv, pattern] of cases) {
        const r = await upload(csv);
        assert.equal(r.status, 400, name);
        assert.equal(code(r), 'INVALID_CSV', name);
        assert.match(message(r), pattern, name);
      }
      const list = await h.api('GET', '/mall/v1/products', { token: seller.apiKey });
      assert.equal((list.body.products as unknown[]).length, 4, 'nothing was applied');
    });

    it('takes text/csv in UTF-8 only, up to its size limit, from a seller only', async () => {
      const json = await upload(CATALOGUE, 'application/json');
      assert.equal(json.status, 415);
      assert.equal(code(json), 'UNSUPPORTED_MEDIA_TYPE');
      assert.equal((await upload(CATALOGUE, 'text/csv; charset=utf-8')).status, 200);
      // "코트" in EUC-KR (CP949), as an old spreadsheet saves it.
      const euckr = Buffer.concat([Buffer.from(`${HEADER}\nC-1,`), Buffer.from([0xc4, 0xda, 0xc6, 0xae]), Buffer.from(',,,,x,1,1,1,1,KR,,\n')]);
      const response = await h.mall.app.request('/mall/v1/product-uploads', { method: 'POST', headers: { Authorization: `Bearer ${seller.apiKey}`, 'Content-Type': 'text/csv' }, body: euckr });
      assert.equal(response.status, 400);
      assert.match(await response.text(), /not UTF-8/);
      const large = await upload(`${HEADER}\n${'x'.repeat(CATALOGUE_UPLOAD_BYTES_MAX)}`);
      assert.equal(large.status, 413);
      assert.equal(code(large), 'BODY_TOO_LARGE');
      const operator = await h.api('POST', '/mall/v1/product-uploads', { token: 'mall-operator-key-for-tests', csv: CATALOGUE });
      assert.equal(operator.status, 403);
    });
  });
}
