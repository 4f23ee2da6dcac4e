import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendCrc, crc16CcittFalse, crcHex } from './index.ts';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('crc16CcittFalse', () => {
  it('gives the published check value of CRC-16/CCITT-FALSE: "123456789" is 0x29B1', () => {
    assert.equal(crc16CcittFalse(ascii('123456789')), 0x29b1);
  });

  it('leaves the initial value 0xFFFF on no input', () => {
    assert.equal(crc16CcittFalse(new Uint8Array()), 0xffff);
  });

  it('reads bytes, so a character is checked as its UTF-8 encoding', () => {
    assert.equal(crcHex('北京'), crc16CcittFalse(new Uint8Array([0xe5, 0x8c, 0x97, 0xe4, 0xba, 0xac])).toString(16).toUpperCase().padStart(4, '0'));
  });
});

describe('crcHex', () => {
  it('writes four upper-case hexadecimal characters', () => {
    assert.equal(crcHex('123456789'), '29B1');
  });

  it('keeps leading zeros', () => {
    assert.equal(crcHex('dari-179'), '00C9');
  });
});

describe('appendCrc', () => {
  it('covers the body and "6304" itself, then appends the checksum', () => {
    const body = '000201';
    assert.equal(appendCrc(body), `${body}6304${crcHex(`${body}6304`)}`);
  });
});
