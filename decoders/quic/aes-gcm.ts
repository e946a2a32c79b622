// AES-128 (FIPS 197) and AES-128-GCM opening (NIST SP 800-38D) for QUIC Initial packets, tuned for the first
// decoding pass: the key schedule and the GHASH multiplication table are computed once per key and reused for
// every packet (a general-purpose library re-derives both per call, which made Initial decryption the single
// most expensive step of a capture's analysis). Not constant-time: it only ever handles keys anyone can derive
// from the packets themselves (RFC 9001 §5.2), never secrets.
//
// Everything lives in one closure: bundlers turn module-level `const`s into `var`s, which the JIT then reloads and
// re-checks on every table access (2× slower here); constants of a closure stay constants.

/** An AES-128-GCM key ready for use: its round keys and GHASH table. */
export interface GcmKey {
  readonly rk: Int32Array;
  readonly table: Int32Array;
}

interface Aes {
  expandKey128(key: Uint8Array): Int32Array;
  encryptBlock(rk: Int32Array, b: Uint8Array, o: number, dst: Uint8Array): void;
  gcmKey(key: Uint8Array): GcmKey;
  gcmOpen(k: GcmKey, nonce: Uint8Array, aad: Uint8Array, b: Uint8Array, start: number, end: number,
    into?: Uint8Array): Uint8Array | null;
  releaseGcmKey(k: GcmKey): void;
}

const aes: Aes = (() => {
  // Int32 everywhere: values stay small integers for the JIT (uint32 above 2^31 would become doubles)
  const SBOX = new Uint8Array(256);
  const T0 = new Int32Array(256), T1 = new Int32Array(256), T2 = new Int32Array(256), T3 = new Int32Array(256);
  // log/antilog tables over GF(2^8) with generator 3, then the S-box and the round T-tables
  // (SubBytes + ShiftRows + MixColumns folded into one lookup per byte)
  const exp = new Uint8Array(256), log = new Uint8Array(256);
  for (let i = 0, x = 1; i < 256; i++) {
    exp[i] = x;
    log[x] = i;
    x ^= (x << 1) ^ (x & 0x80 ? 0x11b : 0);
    x &= 0xff;
  }
  for (let i = 0; i < 256; i++) {
    const inv = i === 0 ? 0 : exp[(255 - log[i]) % 255];
    let s = inv;
    for (let r = 1; r < 5; r++) s ^= ((inv << r) | (inv >>> (8 - r))) & 0xff;
    SBOX[i] = s ^ 0x63;
  }
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i];
    const s2 = ((s << 1) ^ (s & 0x80 ? 0x11b : 0)) & 0xff;
    const t = (s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s);
    T0[i] = t;
    T1[i] = (t >>> 8) | (t << 24);
    T2[i] = (t >>> 16) | (t << 16);
    T3[i] = (t >>> 24) | (t << 8);
  }

  function expandKey128(key: Uint8Array): Int32Array {
    const w = new Int32Array(44);
    for (let i = 0; i < 4; i++) {
      w[i] = (key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3];
    }
    let rcon = 1;
    for (let i = 4; i < 44; i++) {
      let t = w[i - 1];
      if ((i & 3) === 0) {
        t = ((SBOX[(t >>> 16) & 0xff] << 24) | (SBOX[(t >>> 8) & 0xff] << 16) | (SBOX[t & 0xff] << 8) |
          SBOX[t >>> 24]) ^ (rcon << 24);
        rcon = (rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0);
      }
      w[i] = w[i - 4] ^ t;
    }
    return w;
  }

  /** Output of encryptWords (4 big-endian words): read it before the next call. */
  const out = new Int32Array(4);

  /** Encrypts one block given as 4 big-endian words into `out`. */
  function encryptWords(rk: Int32Array, a0: number, a1: number, a2: number, a3: number): void {
    let s0 = a0 ^ rk[0], s1 = a1 ^ rk[1], s2 = a2 ^ rk[2], s3 = a3 ^ rk[3];
    let k = 4;
    for (let r = 1; r < 10; r++, k += 4) {
      const t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ rk[k];
      const t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ rk[k + 1];
      const t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ rk[k + 2];
      const t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ rk[k + 3];
      s0 = t0; s1 = t1; s2 = t2; s3 = t3;
    }
    out[0] = ((SBOX[s0 >>> 24] << 24) | (SBOX[(s1 >>> 16) & 0xff] << 16) | (SBOX[(s2 >>> 8) & 0xff] << 8) |
      SBOX[s3 & 0xff]) ^ rk[40];
    out[1] = ((SBOX[s1 >>> 24] << 24) | (SBOX[(s2 >>> 16) & 0xff] << 16) | (SBOX[(s3 >>> 8) & 0xff] << 8) |
      SBOX[s0 & 0xff]) ^ rk[41];
    out[2] = ((SBOX[s2 >>> 24] << 24) | (SBOX[(s3 >>> 16) & 0xff] << 16) | (SBOX[(s0 >>> 8) & 0xff] << 8) |
      SBOX[s1 & 0xff]) ^ rk[42];
    out[3] = ((SBOX[s3 >>> 24] << 24) | (SBOX[(s0 >>> 16) & 0xff] << 16) | (SBOX[(s1 >>> 8) & 0xff] << 8) |
      SBOX[s2 & 0xff]) ^ rk[43];
  }

  function be32(b: Uint8Array, o: number): number {
    return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
  }

  function encryptBlock(rk: Int32Array, b: Uint8Array, o: number, dst: Uint8Array): void {
    encryptWords(rk, be32(b, o), be32(b, o + 4), be32(b, o + 8), be32(b, o + 12));
    for (let i = 0; i < 4; i++) {
      const v = out[i];
      dst[4 * i] = v >>> 24; dst[4 * i + 1] = v >>> 16; dst[4 * i + 2] = v >>> 8; dst[4 * i + 3] = v;
    }
  }

  // ---- GHASH by a per-key comb table: X·H = XOR over the 32 nibbles of X of T[nibble position][nibble value],
  // T[w][v] = Σ bits of v · H·x^(4w+j). 512 entries of 4 words (8 KiB per key); 32 lookups per block.

  /** Tables of released keys, reused (a fresh 8 KiB typed array per key costs more than filling it). */
  const freeTables: Int32Array[] = [];

  function ghashTable(h0: number, h1: number, h2: number, h3: number): Int32Array {
    // entries for nibble value 0 are never written: they stay 0 in a reused table too
    const t = freeTables.pop() ?? new Int32Array(512 * 4);
    for (let w = 0; w < 32; w++) {
      const base = w << 6; // 16 entries of 4 words
      // single bits: entry 8 >> j = H·x^(4w+j); multiplying by x is a right shift in GCM's bit order, reduced
      // by R = 0xe1 || 0^120
      for (let j = 0, bit = 8; j < 4; j++, bit >>= 1) {
        const o = base + (bit << 2);
        t[o] = h0; t[o + 1] = h1; t[o + 2] = h2; t[o + 3] = h3;
        const lsb = h3 & 1;
        h3 = (h3 >>> 1) | (h2 << 31);
        h2 = (h2 >>> 1) | (h1 << 31);
        h1 = (h1 >>> 1) | (h0 << 31);
        h0 = (h0 >>> 1) ^ (lsb ? 0xe1000000 : 0);
      }
      // combinations: entry v = entry (highest bit of v) ^ entry (the rest)
      for (let v = 3; v < 16; v++) {
        const high = v >= 8 ? 8 : v >= 4 ? 4 : 2;
        if (v === high) continue;
        const o = base + (v << 2), a = base + (high << 2), b = base + ((v ^ high) << 2);
        t[o] = t[a] ^ t[b]; t[o + 1] = t[a + 1] ^ t[b + 1]; t[o + 2] = t[a + 2] ^ t[b + 2]; t[o + 3] = t[a + 3] ^ t[b + 3];
      }
    }
    return t;
  }

  /** GHASH state. */
  let y0 = 0, y1 = 0, y2 = 0, y3 = 0;

  /** y = y·H. Nibble n of y (most significant first) picks row 16·n + value. */
  function mulH(t: Int32Array): void {
    let a = 0, b = 0, c = 0, e = 0;
    for (let n = 0, v = y0; n < 8; n++) {
      const o = (16 * n + ((v >>> (28 - 4 * n)) & 15)) << 2;
      a ^= t[o]; b ^= t[o + 1]; c ^= t[o + 2]; e ^= t[o + 3];
    }
    for (let n = 0, v = y1; n < 8; n++) {
      const o = (16 * (n + 8) + ((v >>> (28 - 4 * n)) & 15)) << 2;
      a ^= t[o]; b ^= t[o + 1]; c ^= t[o + 2]; e ^= t[o + 3];
    }
    for (let n = 0, v = y2; n < 8; n++) {
      const o = (16 * (n + 16) + ((v >>> (28 - 4 * n)) & 15)) << 2;
      a ^= t[o]; b ^= t[o + 1]; c ^= t[o + 2]; e ^= t[o + 3];
    }
    for (let n = 0, v = y3; n < 8; n++) {
      const o = (16 * (n + 24) + ((v >>> (28 - 4 * n)) & 15)) << 2;
      a ^= t[o]; b ^= t[o + 1]; c ^= t[o + 2]; e ^= t[o + 3];
    }
    y0 = a; y1 = b; y2 = c; y3 = e;
  }

  const lastBlock = new Uint8Array(16);

  /** Absorbs b[start..end) zero-padded to whole blocks. */
  function ghashBytes(t: Int32Array, b: Uint8Array, start: number, end: number): void {
    let p = start;
    for (; p + 16 <= end; p += 16) {
      y0 ^= be32(b, p); y1 ^= be32(b, p + 4); y2 ^= be32(b, p + 8); y3 ^= be32(b, p + 12);
      mulH(t);
    }
    if (p < end) {
      lastBlock.fill(0);
      for (let i = p; i < end; i++) lastBlock[i - p] = b[i];
      y0 ^= be32(lastBlock, 0); y1 ^= be32(lastBlock, 4); y2 ^= be32(lastBlock, 8); y3 ^= be32(lastBlock, 12);
      mulH(t);
    }
  }

  function gcmKey(key: Uint8Array): GcmKey {
    if (key.length !== 16) throw new RangeError('AES-128-GCM needs a 16-byte key');
    const rk = expandKey128(key);
    encryptWords(rk, 0, 0, 0, 0); // H = E(K, 0^128)
    return { rk, table: ghashTable(out[0], out[1], out[2], out[3]) };
  }

  function gcmOpen(k: GcmKey, nonce: Uint8Array, aad: Uint8Array, b: Uint8Array, start: number,
    end: number, into?: Uint8Array): Uint8Array | null {
    const ctEnd = end - 16;
    if (ctEnd < start) return null;
    const t = k.table, rk = k.rk;
    // GHASH(A, C) first: nothing is decrypted for a packet that does not authenticate
    y0 = 0; y1 = 0; y2 = 0; y3 = 0;
    ghashBytes(t, aad, 0, aad.length);
    ghashBytes(t, b, start, ctEnd);
    const aadBits = aad.length * 8, ctBits = (ctEnd - start) * 8;
    y0 ^= Math.floor(aadBits / 0x100000000); y1 ^= aadBits | 0;
    y2 ^= Math.floor(ctBits / 0x100000000); y3 ^= ctBits | 0;
    mulH(t);
    const n0 = be32(nonce, 0), n1 = be32(nonce, 4), n2 = be32(nonce, 8);
    encryptWords(rk, n0, n1, n2, 1); // E(K, J0)
    if ((out[0] ^ y0) !== be32(b, ctEnd) || (out[1] ^ y1) !== be32(b, ctEnd + 4) ||
      (out[2] ^ y2) !== be32(b, ctEnd + 8) || (out[3] ^ y3) !== be32(b, ctEnd + 12)) return null;
    const len = ctEnd - start;
    const pt = into && into.length >= len ? into.subarray(0, len) : new Uint8Array(len);
    for (let p = 0, ctr = 2; p < len; p += 16, ctr++) {
      encryptWords(rk, n0, n1, n2, ctr | 0);
      const q = start + p;
      if (len - p >= 16) {
        for (let w = 0; w < 4; w++) {
          const v = out[w], o = p + 4 * w, i = q + 4 * w;
          pt[o] = b[i] ^ (v >>> 24); pt[o + 1] = b[i + 1] ^ (v >>> 16); pt[o + 2] = b[i + 2] ^ (v >>> 8);
          pt[o + 3] = b[i + 3] ^ v;
        }
      } else {
        for (let i = 0; i < len - p; i++) pt[p + i] = b[q + i] ^ (out[i >> 2] >>> (24 - 8 * (i & 3)));
      }
    }
    return pt;
  }

  function releaseGcmKey(k: GcmKey): void {
    if (freeTables.length < 64) freeTables.push(k.table);
  }

  return { expandKey128, encryptBlock, gcmKey, gcmOpen, releaseGcmKey };
})();

/** The 44-word AES-128 key schedule. */
export const expandKey128 = aes.expandKey128;
/** AES-128 of one 16-byte block b[o..o+16), written to dst[0..16). */
export const encryptBlock = aes.encryptBlock;
/** Round keys and GHASH table of a 16-byte key (compute once per key, reuse for every packet). */
export const gcmKey = aes.gcmKey;
/**
 * Opens AES-128-GCM: ciphertext then 16-byte tag in b[start..end), a 12-byte nonce and the AAD.
 * Returns the plaintext (in `into` when given and large enough), or null when the tag does not authenticate
 * (wrong keys or damaged packet).
 */
export const gcmOpen = aes.gcmOpen;
/** Gives a key's table back for reuse: the key must not be used afterwards. */
export const releaseGcmKey = aes.releaseGcmKey;
