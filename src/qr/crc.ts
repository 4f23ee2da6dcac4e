/**
 * The payload checksum of EMV QRCPS MPM ("Cyclic Redundancy Check", ID 63):
 * ISO/IEC 13239 with polynomial 0x1021 and initial value 0xFFFF, no
 * reflection, no final XOR, known as CRC-16/CCITT-FALSE (check value: "123456789"
 * gives 0x29B1). It covers every data object in order, and the ID and length
 * of the CRC itself ("6304"), over the payload's UTF-8 bytes; the result is
 * written as four upper-case hexadecimal characters.
 */
import { CRC_HEX_CHARS, TAG } from './spec.ts';

const POLYNOMIAL = 0x1021;
const INITIAL = 0xffff;

/** The CRC data object's ID and length, which the checksum covers: "6304". */
export const CRC_HEADER = `${TAG.crc}${String(CRC_HEX_CHARS).padStart(2, '0')}`;

/** Byte-at-a-time table: entry b is the CRC register's change for a top byte b. */
const TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let register = byte << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      register = register & 0x8000 ? ((register << 1) ^ POLYNOMIAL) & 0xffff : (register << 1) & 0xffff;
    }
    table[byte] = register;
  }
  return table;
})();

const utf8 = new TextEncoder();

/** CRC-16/CCITT-FALSE of `bytes`, a number in 0..0xFFFF. */
export function crc16CcittFalse(bytes: Uint8Array): number {
  let register = INITIAL;
  for (const byte of bytes) {
    register = ((register << 8) & 0xffff) ^ TABLE[((register >> 8) ^ byte) & 0xff]!;
  }
  return register;
}

/** The checksum of `text`'s UTF-8 bytes as four upper-case hexadecimal characters ("29B1"). */
export function crcHex(text: string): string {
  return crc16CcittFalse(utf8.encode(text)).toString(16).toUpperCase().padStart(CRC_HEX_CHARS, '0');
}

/**
 * Closes a payload: appends the CRC data object, "6304" and the checksum of
 * everything before it including "6304". `body` holds every other data object.
 */
export function appendCrc(body: string): string {
  const covered = `${body}${CRC_HEADER}`;
  return `${covered}${crcHex(covered)}`;
}
