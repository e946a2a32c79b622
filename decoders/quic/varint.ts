// QUIC variable-length integers (RFC 9000 §16) and small byte helpers. Never throws: a read past `end` returns -1.

/** Decoded value and its encoded length; value is -1 when the bytes end first. */
export interface Varint {
  value: number;
  length: number;
}

const out: Varint = { value: 0, length: 0 };

/**
 * Reads a varint at `pos`. Returns a shared object (copy the fields before the next call).
 * Values above 2^53 lose precision; lengths and offsets that large are impossible in a capture anyway.
 */
export function readVarint(b: Uint8Array, pos: number, end = b.length): Varint {
  if (pos >= end) { out.value = -1; out.length = 0; return out; }
  const first = b[pos];
  const len = 1 << (first >> 6);
  if (pos + len > end) { out.value = -1; out.length = 0; return out; }
  let v = first & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + b[pos + i];
  out.value = v;
  out.length = len;
  return out;
}

/** Encodes a varint in the shortest form (used by tests that build packets). */
export function encodeVarint(v: number): Uint8Array {
  if (v < 0x40) return Uint8Array.of(v);
  if (v < 0x4000) return Uint8Array.of(0x40 | (v >> 8), v & 0xff);
  if (v < 0x40000000) return Uint8Array.of(0x80 | (v >>> 24), (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const r = new Uint8Array(8);
  let x = v;
  for (let i = 7; i >= 0; i--) { r[i] = x % 256; x = Math.floor(x / 256); }
  r[0] |= 0xc0;
  return r;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Character codes of the two hex digits of each byte value. */
const HEX_CODES = Uint8Array.from({ length: 512 }, (_, i) => HEX[i >> 1].charCodeAt(i & 1));
const codes: number[] = [];

/** Lowercase hex of b[start..end), as one flat string (`s +=` per byte keeps a rope of all the pieces). */
export function toHex(b: Uint8Array, start = 0, end = b.length): string {
  const n = end - start;
  if (n <= 0) return '';
  if (n > 4096) {
    let s = '';
    for (let i = start; i < end; i += 4096) s += toHex(b, i, Math.min(end, i + 4096));
    return s;
  }
  const hc = HEX_CODES, c = codes;
  c.length = 2 * n;
  for (let i = 0; i < n; i++) {
    const v = b[start + i] << 1;
    c[2 * i] = hc[v];
    c[2 * i + 1] = hc[v + 1];
  }
  return String.fromCharCode.apply(null, c);
}

export function fromHex(h: string): Uint8Array {
  const clean = h.replace(/[^0-9a-fA-F]/g, '');
  const r = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < r.length; i++) r[i] = parseInt(clean.substr(i * 2, 2), 16);
  return r;
}

export function readU32(b: Uint8Array, pos: number): number {
  return ((b[pos] << 24) >>> 0) + ((b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const r = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { r.set(p, o); o += p.length; }
  return r;
}
