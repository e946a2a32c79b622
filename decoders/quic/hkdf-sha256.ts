// HKDF with SHA-256 (RFC 5869, FIPS 180-4) for the short inputs of QUIC Initial key derivation: every QUIC
// connection derives ~9 HMACs from its first DCID, and a general-purpose hash library's per-call setup made that
// a visible share of a capture's analysis. HMAC key pads are hashed once per key (RFC 2104's precomputation) and
// reused for every expansion. Outputs up to 32 bytes (one HKDF-Expand block), which covers every Initial secret.
// Everything lives in one closure: bundlers turn module constants into `var`s, which the JIT re-checks on use.

interface Sha {
  /** HMAC-SHA256 key state: the inner and outer hash states after the padded key block (16 words). */
  hmacKey(key: Uint8Array): Int32Array;
  /** HMAC-SHA256(key, msg) for a key state from hmacKey(). */
  hmac(state: Int32Array, msg: Uint8Array): Uint8Array;
  /** The first `length` (≤ 32) bytes of HMAC(state, info || 0x01). */
  expand32(state: Int32Array, info: Uint8Array, length: number): Uint8Array;
}

const sha: Sha = (() => {
  const K = Int32Array.from([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const IV = Int32Array.from([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const W = new Int32Array(64);
  /** The 64-byte block being hashed. */
  const block = new Uint8Array(64);

  /** One compression of `block` into the 8-word state h[o..o+8). */
  function compress(h: Int32Array, o: number): void {
    for (let i = 0; i < 16; i++) {
      W[i] = (block[4 * i] << 24) | (block[4 * i + 1] << 16) | (block[4 * i + 2] << 8) | block[4 * i + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15], y = W[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let a = h[o], b = h[o + 1], c = h[o + 2], d = h[o + 3], e = h[o + 4], f = h[o + 5], g = h[o + 6], hh = h[o + 7];
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[o] = (h[o] + a) | 0; h[o + 1] = (h[o + 1] + b) | 0; h[o + 2] = (h[o + 2] + c) | 0; h[o + 3] = (h[o + 3] + d) | 0;
    h[o + 4] = (h[o + 4] + e) | 0; h[o + 5] = (h[o + 5] + f) | 0; h[o + 6] = (h[o + 6] + g) | 0;
    h[o + 7] = (h[o + 7] + hh) | 0;
  }

  /** Working state of the hash in progress. */
  const st = new Int32Array(8);

  /**
   * Hashes `msg` (then the byte `suffix`, when ≥ 0) after `prefixBlocks` 64-byte blocks already absorbed into st;
   * the digest is left in st. Byte by byte into `block`: the messages here are a few dozen bytes, and no view or
   * copy is made of them.
   */
  function finish(msg: Uint8Array, prefixBlocks: number, suffix = -1): void {
    const n = msg.length + (suffix >= 0 ? 1 : 0);
    let fill = 0;
    for (let i = 0; i < n; i++) {
      block[fill++] = i < msg.length ? msg[i] : suffix;
      if (fill === 64) { compress(st, 0); fill = 0; }
    }
    block.fill(0, fill);
    block[fill] = 0x80;
    if (fill + 9 > 64) {
      compress(st, 0);
      block.fill(0);
    }
    const bits = (prefixBlocks * 64 + n) * 8;
    block[59] = Math.floor(bits / 0x100000000) & 0xff;
    block[60] = bits >>> 24; block[61] = bits >>> 16; block[62] = bits >>> 8; block[63] = bits;
    compress(st, 0);
  }

  function hmacKey(key: Uint8Array): Int32Array {
    let k = key;
    if (k.length > 64) { // a long key is hashed first (RFC 2104 §2)
      st.set(IV);
      finish(k, 0);
      k = new Uint8Array(32);
      digestInto(k);
    }
    const state = new Int32Array(16);
    for (let pad = 0; pad < 2; pad++) {
      const x = pad === 0 ? 0x36 : 0x5c;
      block.fill(x);
      for (let i = 0; i < k.length; i++) block[i] = k[i] ^ x;
      state.set(IV, pad * 8);
      compress(state, pad * 8);
    }
    return state;
  }

  /** The first dst.length bytes (≤ 32) of the digest in st. */
  function digestInto(dst: Uint8Array): void {
    for (let i = 0; i < dst.length; i++) dst[i] = st[i >> 2] >>> (24 - 8 * (i & 3));
  }

  /** The inner hash of an HMAC (scratch: read before the next HMAC). */
  const inner = new Uint8Array(32);

  /** HMAC(state, msg [|| suffix]) into st. */
  function hmacToState(state: Int32Array, msg: Uint8Array, suffix: number): void {
    for (let i = 0; i < 8; i++) st[i] = state[i];
    finish(msg, 1, suffix);
    digestInto(inner);
    for (let i = 0; i < 8; i++) st[i] = state[8 + i];
    finish(inner, 1);
  }

  function hmac(state: Int32Array, msg: Uint8Array): Uint8Array {
    hmacToState(state, msg, -1);
    const out = new Uint8Array(32);
    digestInto(out);
    return out;
  }

  function expand32(prk: Int32Array, info: Uint8Array, length: number): Uint8Array {
    hmacToState(prk, info, 1); // T(1) = HMAC(PRK, info || 0x01)
    const out = new Uint8Array(length);
    digestInto(out);
    return out;
  }

  return { hmacKey, hmac, expand32 };
})();

/** A key prepared for repeated HMAC-SHA256 (the pads hashed once). */
export const hmacKey = sha.hmacKey;

/** HKDF-Extract(salt, ikm) = HMAC(salt, ikm) (RFC 5869 §2.2), with the salt prepared by hmacKey() (reused). */
export function hkdfExtract(salt: Int32Array, ikm: Uint8Array): Uint8Array {
  return sha.hmac(salt, ikm);
}

/** HKDF-Expand(prk, info, length) for length ≤ 32: T(1) = HMAC(prk, info || 0x01), truncated. */
export function hkdfExpand32(prk: Int32Array, info: Uint8Array, length: number): Uint8Array {
  if (length > 32) throw new RangeError('hkdfExpand32 gives at most 32 bytes');
  return sha.expand32(prk, info, length);
}
