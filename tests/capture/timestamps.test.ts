// The exact 64-bit timestamp arithmetic, checked against BigInt (an independent exact reference).
import { describe, expect, it } from 'vitest';
import { joined, joinTimestamp, split, splitTimestamp, unitsFromTsresol, type TsUnits } from '../../capture/timestamps';

function reference(hi: number, lo: number, u: TsUnits): [number, number] {
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  const per = u.binary ? 1n << BigInt(u.exp) : 10n ** BigInt(u.exp);
  const sec = v / per;
  return [Number(sec), Number(((v - sec * per) * 1000000000n) / per)];
}

let seed = 7;
function rnd32(): number {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed;
}

const RESOLUTIONS = [0, 1, 3, 6, 7, 9, 12, 0x80 | 0, 0x80 | 1, 0x80 | 9, 0x80 | 10, 0x80 | 20, 0x80 | 30, 0x80 | 31,
  0x80 | 32, 0x80 | 40];

describe('splitTimestamp', () => {
  it('matches BigInt division for every resolution, on edge and random 64-bit counts', () => {
    const his = [0, 1, 0x1fffff, 0x200000, 0x17b0d3f9, 0x7fffffff, 0xffffffff];
    const los = [0, 1, 999999, 1000000, 0x7fffffff, 0x80000000, 0xffffffff];
    for (const r of RESOLUTIONS) {
      const u = unitsFromTsresol(r);
      const cases: [number, number][] = [];
      for (const hi of his) for (const lo of los) cases.push([hi, lo]);
      for (let i = 0; i < 300; i++) cases.push([rnd32() >>> (rnd32() % 32), rnd32()]);
      for (const [hi, lo] of cases) {
        const [sec, nsec] = reference(hi, lo, u);
        if (sec > Number.MAX_SAFE_INTEGER) continue; // not representable as a number at all
        splitTimestamp(hi, lo, u);
        expect([split.sec, split.nsec], `tsresol 0x${r.toString(16)} hi ${hi} lo ${lo}`).toEqual([sec, nsec]);
      }
    }
  });

  it('keeps nanoseconds that a double would round away', () => {
    // 1700000000.123456789 s in ns = 1700000000123456789 = 0x17979cfe_3d85cd15; as a double it is ...456768.
    const u = unitsFromTsresol(9);
    splitTimestamp(0x17979cfe, 0x3d85cd15, u);
    expect(split).toEqual({ sec: 1700000000, nsec: 123456789 });
    expect(Number(1700000000123456789n) % 1000).not.toBe(789);
  });
});

describe('joinTimestamp', () => {
  it('is the inverse of splitTimestamp for values the resolution can hold', () => {
    for (const r of RESOLUTIONS) {
      const u = unitsFromTsresol(r);
      for (let i = 0; i < 200; i++) {
        const sec = rnd32() % 4000000000;
        const nsec = rnd32() % 1000000000;
        joinTimestamp(sec, nsec, u);
        const per = u.binary ? 1n << BigInt(u.exp) : 10n ** BigInt(u.exp);
        const expected = BigInt(sec) * per + (BigInt(nsec) * per) / 1000000000n;
        if (expected >= 1n << 64n) continue;
        expect((BigInt(joined.hi) << 32n) | BigInt(joined.lo), `tsresol 0x${r.toString(16)} ${sec}.${nsec}`).toBe(expected);
      }
    }
  });
});
