// A small growable big-endian byte writer with length-prefixed blocks, for building protocol messages.

export class ByteWriter {
  private buf = new Uint8Array(512);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u8(v: number): this { this.room(1); this.buf[this.length++] = v & 0xff; return this; }
  u16(v: number): this { this.u8(v >>> 8); return this.u8(v); }
  u24(v: number): this { this.u8(v >>> 16); return this.u16(v & 0xffff); }
  u32(v: number): this { this.u16(v >>> 16); return this.u16(v & 0xffff); }
  bytes(b: Uint8Array): this { this.room(b.length); this.buf.set(b, this.length); this.length += b.length; return this; }
  ascii(s: string): this { for (let i = 0; i < s.length; i++) this.u8(s.charCodeAt(i)); return this; }
  zeros(n: number): this { this.room(n); this.buf.fill(0, this.length, this.length + n); this.length += n; return this; }
  /** QUIC variable-length integer (RFC 9000 §16), shortest encoding. */
  varint(v: number): this {
    if (v < 0x40) return this.u8(v);
    if (v < 0x4000) return this.u16(0x4000 | v);
    if (v < 0x40000000) return this.u32((0x80000000 | v) >>> 0);
    return this.u32((0xc0000000 | Math.floor(v / 4294967296)) >>> 0).u32(v >>> 0);
  }
  /** Writes a block preceded by its length in `size` bytes (1, 2 or 3). */
  block(size: 1 | 2 | 3, body: (w: this) => void): this {
    const at = this.length;
    this.zeros(size);
    body(this);
    const n = this.length - at - size;
    for (let i = 0; i < size; i++) this.buf[at + i] = (n >>> (8 * (size - 1 - i))) & 0xff;
    return this;
  }
  finish(): Uint8Array { return this.buf.slice(0, this.length); }
}
