/// <reference lib="dom" />
/** A QR code as an inline SVG element, drawn from qr-image.ts. */
import { qrImage } from '../qr-image.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG of `text`'s QR code, dark on white, labelled for assistive technology; the payload rides in `data-payload` for tests and copy. */
export function qrSvg(text: string, label: string): SVGSVGElement {
  const image = qrImage(text);
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${image.size} ${image.size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.dataset['payload'] = text;
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', String(image.size));
  background.setAttribute('height', String(image.size));
  background.setAttribute('fill', '#fff');
  const modules = document.createElementNS(SVG_NS, 'path');
  modules.setAttribute('d', image.path);
  modules.setAttribute('fill', '#000');
  svg.append(background, modules);
  return svg;
}
