import { describe, expect, it } from 'vitest';
import {
  SimError, formatAddress, formatBytes, formatFreq, parseAddress, parseArea, parseBytes, parseCount, parseDuration,
  parseEnergy, parseFreq, parsePower, parseQuantity,
} from '../../src/util/index.js';

describe('units', () => {
  it('reads binary and decimal sizes exactly', () => {
    expect(parseBytes('64KiB')).toBe(65536);
    expect(parseBytes('512 KiB')).toBe(524288);
    expect(parseBytes('1.5MiB')).toBe(1572864);
    expect(parseBytes('4GiB')).toBe(4 * 2 ** 30);
    expect(parseBytes('256B')).toBe(256);
    expect(parseBytes('2KB')).toBe(2000);
    expect(parseBytes('3MB')).toBe(3_000_000);
  });

  it('reads frequency, time, energy, power and area in their internal units', () => {
    expect(parseFreq('800MHz')).toBe(8e8);
    expect(parseFreq('1.2GHz')).toBe(1.2e9);
    expect(parseFreq('32kHz')).toBe(32000);
    expect(parseDuration('10ns')).toBe(10_000);
    expect(parseQuantity('time', '1.5us')).toEqual({ ok: true, value: 1_500_000 });
    expect(parseEnergy('2.1pJ')).toBe(2.1);
    expect(parseEnergy('500fJ')).toBe(0.5);
    expect(parseEnergy('2nJ')).toBe(2000);
    expect(parseEnergy('1uJ')).toBe(1e6);
    expect(parsePower('12uW')).toBe(12);
    expect(parsePower('187 uW')).toBe(187);
    expect(parsePower('3mW')).toBe(3000);
    expect(parsePower('250nW')).toBe(0.25);
    expect(parseArea('0.5mm2')).toBe(500_000);
    expect(parseArea('1200um2')).toBe(1200);
  });

  it('refuses bare numbers and wrong units, naming the text and the accepted units', () => {
    const r = parseQuantity('bytes', 65536);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('cannot read "65536" as a size: the unit is missing; write a number followed by one of B, KiB, MiB, GiB, KB, MB, GB (e.g. "64KiB")');
    const f = parseQuantity('freq', '100Mhz');
    expect(f.ok === false && f.message).toContain("unknown unit 'Mhz'");
    expect(f.ok === false && f.message).toContain('Hz, kHz, MHz, GHz');
    expect(parseQuantity('energy', '2.1').ok).toBe(false);
    expect(parseQuantity('time', '10').ok).toBe(false);
    expect(parseQuantity('bytes', '0.3B').ok).toBe(false); // not a whole number of bytes
    expect(parseQuantity('power', 'twelve uW').ok).toBe(false);
    expect(parseQuantity('bytes', 0)).toEqual({ ok: true, value: 0 }); // zero needs no unit
    expect(() => parseBytes('64 kib')).toThrow(SimError);
    try {
      parseFreq('fast');
    } catch (e) {
      expect((e as SimError).code).toBe('bad-unit');
    }
  });

  it('reads counts without unit and hex addresses', () => {
    expect(parseCount(8)).toEqual({ ok: true, value: 8 });
    expect(parseCount('16')).toEqual({ ok: true, value: 16 });
    expect(parseCount('16KiB').ok).toBe(false);
    expect(parseCount(1.5).ok).toBe(false);
    expect(parseAddress('0x1C000000')).toEqual({ ok: true, value: 0x1c000000 });
    expect(parseAddress('0x1C00_0000')).toEqual({ ok: true, value: 0x1c000000 });
    expect(parseAddress(0x10000000)).toEqual({ ok: true, value: 0x10000000 });
    expect(parseAddress('0xZZ').ok).toBe(false);
    expect(parseAddress('0x_10').ok).toBe(false);
    expect(parseAddress(-4).ok).toBe(false);
  });

  it('formats', () => {
    expect(formatBytes(65536)).toBe('64 KiB');
    expect(formatBytes(1000)).toBe('1000 B');
    expect(formatBytes(512 * 1024)).toBe('512 KiB');
    expect(formatFreq(2.5e8)).toBe('250 MHz');
    expect(formatAddress(0x1c000000)).toBe('0x1C000000');
  });
});
