// Seeded randomness for the capture generator: the same seed gives the same capture, byte for byte.

/** mulberry32: a tiny 32-bit PRNG, good enough for traffic shapes and filler bytes. */
export class Prng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  u32(): number { return (this.next() * 4294967296) >>> 0; }
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]; }
  /** Exponentially distributed with the given mean. */
  exp(mean: number): number { return -Math.log(1 - this.next()) * mean; }
  /** Pareto (heavy tail) with minimum `min` and shape `alpha`, capped. */
  pareto(min: number, alpha: number, cap: number): number {
    return Math.min(cap, Math.floor(min / Math.pow(1 - this.next(), 1 / alpha)));
  }
  fill(out: Uint8Array, start = 0, end = out.length): void {
    for (let i = start; i < end; i++) out[i] = (this.next() * 256) | 0;
  }
  bytes(n: number): Uint8Array { const b = new Uint8Array(n); this.fill(b); return b; }
}

/**
 * Filler for opaque payloads (encrypted records, bodies, QUIC 1-RTT): copying from a seeded pool at a random offset
 * is deterministic and far faster than drawing every byte from the PRNG.
 */
export class RandomPool {
  private readonly pool: Uint8Array;
  constructor(private readonly rng: Prng, private readonly size = 1 << 20) {
    this.pool = rng.bytes(size + 65536); // the tail lets any copy of <= 64 KiB run without wrapping
  }
  /** Writes n pseudo-random bytes to out at offset. n must be <= 65536. */
  copy(out: Uint8Array, offset: number, n: number): void {
    this.copyAt(out, offset, this.base(), n);
  }
  /** A random starting point for copyAt. */
  base(): number { return Math.floor(this.rng.next() * this.size); }
  /** Writes the n bytes found at position `from` of the pool (taken modulo its size): the same bytes every time. */
  copyAt(out: Uint8Array, offset: number, from: number, n: number): void {
    while (n > 0) {
      const start = from % this.size;
      const k = Math.min(n, 65536);
      out.set(this.pool.subarray(start, start + k), offset);
      offset += k; from += k; n -= k;
    }
  }
}
