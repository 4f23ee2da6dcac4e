import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsQRModule from 'jsqr';
import { appendCrc, buildDataObjects } from '../qr/index.ts';
import { QR_QUIET_MODULES, QR_TEXT_CHARS_MAX, qrImage, qrModules } from './qr-image.ts';

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsQR is CommonJS; under Node's ESM loader its function is the default export's `default`.
const jsQR = ((jsQRModule as unknown as { default?: JsQr }).default ?? jsQRModule) as unknown as JsQr;

/** The SVG path drawn as pixels, `scale` per module, as a camera would see the screen. */
function rasterize(text: string, scale: number): { data: Uint8ClampedArray; side: number } {
  const image = qrImage(text);
  const side = image.size * scale;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const match of image.path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    const [x, y] = [Number(match[1]), Number(match[2])];
    for (let dy = 0; dy < scale; dy += 1) {
      for (let dx = 0; dx < scale; dx += 1) {
        const offset = ((y * scale + dy) * side + (x * scale + dx)) * 4;
        data[offset] = data[offset + 1] = data[offset + 2] = 0;
      }
    }
  }
  return { data, side };
}

const emvPayload = (name: string, amount: string) =>
  appendCrc(
    buildDataObjects([
      { id: '00', value: '01' },
      { id: '01', value: '12' },
      { id: '26', value: buildDataObjects([{ id: '00', value: 'org.dari.network' }, { id: '01', value: 'KR01M000001' }, { id: '02', value: 'KR01O0000000000000000042' }]) },
      { id: '52', value: '5977' },
      { id: '53', value: '410' },
      { id: '54', value: amount },
      { id: '58', value: 'KR' },
      { id: '59', value: name },
      { id: '60', value: 'Seoul' },
      { id: '62', value: buildDataObjects([{ id: '05', value: 'web-order-4b1f8f0e-5a3e-4e0c-9d7f-0a1b2c3d4e5f' }]) },
    ]),
  );

describe('QR codes drawn by the console', () => {
  it('draws codes that a QR reader reads back exactly: payment codes and merchant QRs', () => {
    for (const text of ['285183096736734761', emvPayload('Myeongdong Cosmetics', '38000'), emvPayload('A'.repeat(25), '123456789'), 'x'.repeat(QR_TEXT_CHARS_MAX)]) {
      const { data, side } = rasterize(text, 4);
      assert.equal(jsQR(data, side, side)?.data, text, `${text.slice(0, 30)}… reads back`);
    }
  });

  it('leaves a quiet zone of four light modules around the code', () => {
    const modules = qrModules('285183096736734761');
    const image = qrImage('285183096736734761');
    assert.equal(image.size, modules.length + 2 * QR_QUIET_MODULES);
    const coordinates = [...image.path.matchAll(/M(\d+) (\d+)/g)].flatMap((m) => [Number(m[1]), Number(m[2])]);
    assert.equal(Math.min(...coordinates), QR_QUIET_MODULES);
    assert.equal(Math.max(...coordinates), image.size - QR_QUIET_MODULES - 1);
  });

  it('refuses an empty text and one longer than QR_TEXT_CHARS_MAX', () => {
    assert.throws(() => qrImage(''), RangeError);
    assert.throws(() => qrImage('x'.repeat(QR_TEXT_CHARS_MAX + 1)), RangeError);
  });
});
