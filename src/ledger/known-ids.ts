/**
 * Which transfer ids the ledger may already hold, so that a batch of new ids
 * skips the idempotency lookups. A Bloom filter: it can say "maybe" for an id
 * it never saw (then the store looks the id up, as it always did), but never
 * "no" for an id it saw. The single writer fills it from the database when it
 * opens and with every id it commits; no other writer can add ids behind its
 * back (the fencing epoch), so "no" means the id is new.
 *
 * It grows by layers: when a layer holds its capacity, a layer twice as big
 * is added, so the false-positive rate stays near `FALSE_POSITIVE_RATE`
 * however many ids arrive (a scalable Bloom filter).
 */

/** Bits per id and hash probes for about 1% false positives. */
const BITS_PER_ID = 10;
const PROBES = 7;
/** The first layer's capacity, in ids; each next layer doubles it. */
export const KNOWN_IDS_FIRST_LAYER_IDS = 1 << 16;
export const FALSE_POSITIVE_RATE = 0.01;

interface Layer {
  readonly bits: Uint32Array;
  readonly bitCount: number;
  readonly capacity: number;
  count: number;
}

export class KnownIds {
  readonly #layers: Layer[] = [];

  constructor() {
    this.#addLayer(KNOWN_IDS_FIRST_LAYER_IDS);
  }

  add(id: string): void {
    let layer = this.#layers.at(-1)!;
    if (layer.count >= layer.capacity) layer = this.#addLayer(layer.capacity * 2);
    const [h1, h2] = hashes(id);
    for (let i = 0; i < PROBES; i += 1) {
      const bit = (h1 + i * h2) % layer.bitCount;
      layer.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    layer.count += 1;
  }

  /** False means the id was never added; true means it may have been. */
  mightContain(id: string): boolean {
    const [h1, h2] = hashes(id);
    return this.#layers.some((layer) => {
      for (let i = 0; i < PROBES; i += 1) {
        const bit = (h1 + i * h2) % layer.bitCount;
        if ((layer.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
      }
      return true;
    });
  }

  #addLayer(capacity: number): Layer {
    const bitCount = capacity * BITS_PER_ID;
    const layer = { bits: new Uint32Array(Math.ceil(bitCount / 32)), bitCount, capacity, count: 0 };
    this.#layers.push(layer);
    return layer;
  }
}

/**
 * Two 32-bit FNV-1a hashes of the id's UTF-16 units with different offsets,
 * combined by double hashing (Kirsch and Mitzenmacher); non-negative, and
 * the second odd so the probes never repeat one bit.
 */
function hashes(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < id.length; i += 1) {
    const unit = id.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b | 1) >>> 0];
}
