/// <reference lib="dom" />
/**
 * Reading a QR code three ways, best first: the camera through the
 * browser's BarcodeDetector where it exists; a photo, decoded by
 * BarcodeDetector or else by jsQR (loaded only then, from this server);
 * or the code's text pasted or typed.
 */
import { field, h, notice, show, t } from './dom.ts';

/** Longest side a photo is scaled to before decoding, in pixels: enough for a QR, bounded for memory. */
const PHOTO_SIDE_PIXELS_MAX = 1_600;
/** How often the camera's picture is looked at, in milliseconds. */
const CAMERA_SCAN_INTERVAL_MS = 250;

interface DetectedBarcode {
  readonly rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: ImageBitmapSource): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorConstructor = new (options: { formats: string[] }) => BarcodeDetectorLike;

function barcodeDetector(): BarcodeDetectorLike | null {
  const constructor = (globalThis as { BarcodeDetector?: BarcodeDetectorConstructor }).BarcodeDetector;
  return constructor === undefined ? null : new constructor({ formats: ['qr_code'] });
}

async function decodePhoto(file: File): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  const detector = barcodeDetector();
  if (detector !== null) {
    const found = await detector.detect(bitmap);
    if (found[0] !== undefined) return found[0].rawValue;
  }
  const scale = Math.min(1, PHOTO_SIDE_PIXELS_MAX / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) return null;
  context.drawImage(bitmap, 0, 0, width, height);
  return (await jsQR())(context.getImageData(0, 0, width, height).data, width, height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

type JsQr = (data: Uint8ClampedArray, width: number, height: number, options: { inversionAttempts: 'attemptBoth' }) => { data: string } | null;

/** jsQR, fetched from this server the first time a photo is read. It is CommonJS: its function is `default`, once or twice wrapped. */
async function jsQR(): Promise<JsQr> {
  const module = (await import('jsqr')) as unknown as { default: JsQr | { default: JsQr } };
  return typeof module.default === 'function' ? module.default : module.default.default;
}

export interface Scanner {
  readonly element: HTMLElement;
  stop(): void;
}

/** A scanner that hands each payload it reads to `onPayload`. */
export function scanner(options: { readonly pasteLabel: string; readonly pasteName: string; readonly multiline?: boolean; readonly onPayload: (payload: string) => void }): Scanner {
  const status = h('div', { class: 'scan-status' });
  const video = h('video', { class: 'camera', muted: true, playsinline: true, hidden: true, 'aria-hidden': 'true' });
  let stream: MediaStream | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;

  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    video.hidden = true;
    cameraButton.textContent = t('scan.camera');
  };
  const found = (payload: string): void => {
    stop();
    options.onPayload(payload.trim());
  };

  const detector = barcodeDetector();
  const cameraPossible = detector !== null && typeof navigator.mediaDevices?.getUserMedia === 'function';
  const cameraButton = h('button', { type: 'button', class: 'secondary', hidden: !cameraPossible }, t('scan.camera'));
  cameraButton.addEventListener('click', () => {
    if (stream !== null || detector === null) return stop();
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        video.srcObject = stream;
        video.hidden = false;
        await video.play();
        cameraButton.textContent = t('scan.stop');
        timer = setInterval(() => {
          void detector.detect(video).then((codes) => {
            if (codes[0] !== undefined) found(codes[0].rawValue);
          });
        }, CAMERA_SCAN_INTERVAL_MS);
      } catch (error) {
        stop();
        show(status, notice('error', t('common.error', { message: error instanceof Error ? error.message : String(error) })));
      }
    })();
  });

  const photoId = `${options.pasteName}-photo`;
  const photo = h('input', { id: photoId, type: 'file', accept: 'image/*', capture: 'environment' });
  photo.addEventListener('change', () => {
    const file = photo.files?.[0];
    if (file === undefined) return;
    void decodePhoto(file).then(
      (payload) => (payload === null ? show(status, notice('error', t('scan.notFound'))) : found(payload)),
      () => show(status, notice('error', t('scan.notFound'))),
    );
  });

  const paste = options.multiline === true ? pasteArea(options.pasteLabel, options.pasteName) : field({ label: options.pasteLabel, name: options.pasteName, inputmode: 'numeric', autocomplete: 'off' });
  const form = h('form', { class: 'paste' }, paste.wrapper, h('button', { type: 'submit' }, t('scan.read')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const payload = paste.input.value;
    // A code is read once: the field is emptied so that the next sale starts clean.
    paste.input.value = '';
    if (payload.trim() !== '') found(payload);
  });

  const element = h(
    'div',
    { class: 'scanner' },
    cameraPossible ? null : h('p', { class: 'hint' }, t('scan.cameraUnavailable')),
    cameraButton,
    video,
    h('div', { class: 'field' }, h('label', { for: photoId }, t('scan.photo')), photo),
    form,
    status,
  );
  return { element, stop };
}

function pasteArea(label: string, name: string): { readonly wrapper: HTMLElement; readonly input: HTMLTextAreaElement } {
  const id = `${name}-text`;
  const input = h('textarea', { id, name, rows: 3, spellcheck: 'false', autocomplete: 'off' });
  return { wrapper: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}
