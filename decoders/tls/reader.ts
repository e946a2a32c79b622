// A bounds-checked cursor over a byte view: reads past the end return 0 / empty and set `overrun`, never throw.

export class ByteReader {
  pos: number;
  /** Set once any read wanted more bytes than were left. */
  overrun = false;

  constructor(readonly bytes: Uint8Array, start = 0, readonly end = bytes.length) {
    this.pos = start;
  }

  get left(): number {
    return Math.max(0, this.end - this.pos);
  }

  u8(): number {
    if (this.pos + 1 > this.end) { this.overrun = true; this.pos = this.end; return 0; }
    return this.bytes[this.pos++];
  }

  u16(): number {
    if (this.pos + 2 > this.end) { this.overrun = true; this.pos = this.end; return 0; }
    const v = (this.bytes[this.pos] << 8) | this.bytes[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u24(): number {
    if (this.pos + 3 > this.end) { this.overrun = true; this.pos = this.end; return 0; }
    const b = this.bytes, p = this.pos;
    this.pos += 3;
    return (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
  }

  u32(): number {
    if (this.pos + 4 > this.end) { this.overrun = true; this.pos = this.end; return 0; }
    const b = this.bytes, p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  /**
   * Moves past the next n bytes (fewer, with `overrun` set, when the input ends first) and returns where they start:
   * they are bytes[start..pos).
   */
  skip(n: number): number {
    const start = this.pos, avail = this.left;
    if (n > avail) { this.overrun = true; n = avail; }
    this.pos = start + n;
    return start;
  }

  /** A view of the next n bytes (fewer, with `overrun` set, when the input ends first). */
  take(n: number): Uint8Array {
    const start = this.skip(n);
    return this.bytes.subarray(start, this.pos);
  }

  /** A sub-reader over the next n bytes, advancing this one past them. */
  sub(n: number): ByteReader {
    const start = this.skip(n);
    return new ByteReader(this.bytes, start, this.pos);
  }
}

export { equalBytes, toHex as hex } from '../quic/varint';

/** "0x" + 4 lowercase hex digits, the JSON contract's spelling of TLS versions and cipher suites. */
export function hex4(v: number): string {
  // one string per value (these spell versions and suites in every hello's JSON and facts)
  let h = HEX4.get(v);
  if (h === undefined) {
    h = '0x' + v.toString(16).padStart(4, '0');
    if (HEX4.size < 65536 + 64) HEX4.set(v, h);
  }
  return h;
}

const HEX4 = new Map<number, string>();
