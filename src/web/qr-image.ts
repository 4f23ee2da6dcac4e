/**
 * QR codes drawn here, from uqr's module matrix: an SVG path with a quiet
 * zone, crisp at any size, with no image fetched from anywhere (ADR 12).
 */
import { encode } from 'uqr';

/** Light modules around the code, as ISO/IEC 18004 asks (4). */
export const QR_QUIET_MODULES = 4;
/** Longest text drawn, in characters: an EMVCo payload is at most 512 (qr QR_PAYLOAD_CHARS_MAX). */
export const QR_TEXT_CHARS_MAX = 512;

export interface QrImage {
  /** Modules per side, quiet zone included: the SVG viewBox is 0 0 size size. */
  readonly size: number;
  /** One `M x yh1v1h-1z` square per dark module. */
  readonly path: string;
}

/** The modules of `text`'s QR code, dark = true, without quiet zone; error correction M, as payment QRs use. */
export function qrModules(text: string): readonly (readonly boolean[])[] {
  if (text.length === 0 || text.length > QR_TEXT_CHARS_MAX) throw new RangeError(`a QR text is 1 to ${QR_TEXT_CHARS_MAX} characters, got ${text.length}`);
  return encode(text, { ecc: 'M', border: 0 }).data;
}

export function qrImage(text: string): QrImage {
  const modules = qrModules(text);
  const parts: string[] = [];
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) parts.push(`M${x + QR_QUIET_MODULES} ${y + QR_QUIET_MODULES}h1v1h-1z`);
    }),
  );
  return { size: modules.length + 2 * QR_QUIET_MODULES, path: parts.join('') };
}
