// Exact conversions between 64-bit timestamp counts (as hi/lo 32-bit words) and seconds + nanoseconds.
// A double holds integers exactly only up to 2^53 and a nanosecond count since 1970 is ~2^61, so a 64-bit count is
// only ever estimated as a double; exact results come from 32-bit modular arithmetic or 16-bit digit arithmetic.

const TWO32 = 4294967296;

/** How a pcapng interface's timestamp units turn into seconds: decimal 10^-n or binary 2^-n. */
export interface TsUnits {
  /** true for 2^-n resolutions (if_tsresol with the high bit set). */
  binary: boolean;
  /** The exponent n. */
  exp: number;
  /** Units per second (10^n or 2^n) as a double (exact up to 2^53; only informative above). */
  perSecond: number;
}

export const MICROSECONDS: TsUnits = { binary: false, exp: 6, perSecond: 1e6 };
export const NANOSECONDS: TsUnits = { binary: false, exp: 9, perSecond: 1e9 };

/** Decodes a pcapng if_tsresol byte. */
export function unitsFromTsresol(byte: number): TsUnits {
  const exp = byte & 0x7f;
  if (byte & 0x80) return { binary: true, exp, perSecond: 2 ** exp };
  return { binary: false, exp, perSecond: 10 ** exp };
}

/** Encodes units back into an if_tsresol byte. */
export function tsresolByte(units: TsUnits): number {
  return (units.binary ? 0x80 : 0) | units.exp;
}

/** Result slots of splitTimestamp (reused: no allocation per frame). */
export const split = { sec: 0, nsec: 0 };

/**
 * Splits the count hi*2^32+lo of `units` into whole seconds and nanoseconds (truncated, like Wireshark) and leaves
 * them in `split`. Exact for every 64-bit count whose seconds fit in a double (below 2^53).
 */
export function splitTimestamp(hi: number, lo: number, units: TsUnits): void {
  if (units.binary) splitBinary(hi, lo, units.exp);
  else if (units.exp <= 9) splitDecimal(hi, lo, units.exp);
  else splitBig(hi, lo, units);
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

function splitDecimal(hi: number, lo: number, exp: number): void {
  const per = POW10[exp];
  // The double quotient is within one second of the truth for per >= 1e3 (a few more for coarser units); the
  // remainder is then exact modulo 2^32, where it fits: lo - sec * per, since hi * 2^32 vanishes mod 2^32.
  let sec = Math.floor((hi * TWO32 + lo) / per);
  let rem = (lo - Math.imul(sec, per)) | 0;
  if (rem < 0 || rem >= per) {
    const k = Math.floor(rem / per);
    sec += k;
    rem -= k * per;
  }
  split.sec = sec;
  split.nsec = rem * POW10[9 - exp];
}

function splitBinary(hi: number, lo: number, exp: number): void {
  if (exp > 32) { splitBig(hi, lo, { binary: true, exp, perSecond: 2 ** exp }); return; }
  let sec: number;
  let frac: number;
  if (exp === 32) { sec = hi; frac = lo; } else if (exp === 0) { sec = hi * TWO32 + lo; frac = 0; } else {
    sec = hi * 2 ** (32 - exp) + (lo >>> exp);
    frac = lo & (2 ** exp - 1);
    if (frac < 0) frac += TWO32;
  }
  // nsec = floor(frac * 10^9 / 2^exp) = floor(frac * 5^9 / 2^(exp-9)); frac * 5^9 < 2^53 for exp <= 32.
  const t = frac * 1953125;
  split.sec = sec;
  split.nsec = exp >= 9 ? Math.floor(t / 2 ** (exp - 9)) : t * 2 ** (9 - exp);
}

/** Rare resolutions (finer than 1 ns decimal, or 2^-33 and finer): BigInt. */
function splitBig(hi: number, lo: number, units: TsUnits): void {
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  const per = units.binary ? 1n << BigInt(units.exp) : 10n ** BigInt(units.exp);
  const sec = v / per;
  split.sec = Number(sec);
  split.nsec = Number(((v - sec * per) * 1000000000n) / per);
}

/** Result slots of joinTimestamp. */
export const joined = { hi: 0, lo: 0 };

/**
 * The count of `units` for sec + nsec (truncated to the resolution), as hi/lo 32-bit words in `joined`.
 * Inverse of splitTimestamp for every value the resolution can represent. sec must be >= 0.
 */
export function joinTimestamp(sec: number, nsec: number, units: TsUnits): void {
  if (!units.binary && units.exp <= 9) {
    const per = POW10[units.exp];
    const frac = Math.floor(nsec / POW10[9 - units.exp]);
    mulAdd(sec, per, frac);
    return;
  }
  if (units.binary && units.exp <= 32) {
    // frac = floor(nsec * 2^exp / 10^9); nsec * 2^exp may reach 2^62, so divide by 5^9 and 2^9 separately.
    const frac = units.exp >= 9
      ? floorDiv(nsec * 2 ** (units.exp - 9), 1953125)
      : floorDiv(nsec, 1953125 * 2 ** (9 - units.exp));
    // Binary: sec << exp | frac, built from words.
    if (units.exp === 32) { joined.hi = sec >>> 0; joined.lo = frac >>> 0; return; }
    mulAdd(sec, 2 ** units.exp, frac);
    return;
  }
  const per = units.binary ? 1n << BigInt(units.exp) : 10n ** BigInt(units.exp);
  const v = BigInt(sec) * per + (BigInt(nsec) * per) / 1000000000n;
  joined.hi = Number((v >> 32n) & 0xffffffffn);
  joined.lo = Number(v & 0xffffffffn);
}

/** floor(n / d) for integers n, d < 2^53, corrected where the rounded double quotient lands on the next integer. */
function floorDiv(n: number, d: number): number {
  let q = Math.floor(n / d);
  if (q * d > n) q -= 1;
  else if ((q + 1) * d <= n) q += 1;
  return q;
}

/** joined = a * m + b for a < 2^53, m <= 2^32, b < 2^32, result < 2^64; exact (16-bit digit arithmetic). */
function mulAdd(a: number, m: number, b: number): void {
  const aLo = a % 65536;
  const aHi = (a - aLo) / 65536; // < 2^37
  // a*m + b = aHi*m*2^16 + aLo*m + b
  const low = aLo * m + b; // < 2^49
  const high = aHi * m; // < 2^69 in theory; results that fit 64 bits keep it < 2^48
  const highLo16 = high % 65536;
  const highRest = (high - highLo16) / 65536;
  const sumLo = low + highLo16 * 65536; // < 2^50
  const lo = sumLo % TWO32;
  const carry = (sumLo - lo) / TWO32;
  joined.lo = lo;
  joined.hi = (highRest + carry) % TWO32;
}
