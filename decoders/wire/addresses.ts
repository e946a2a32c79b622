// Printable addresses: IPv4 dotted quad, IPv6 like tshark (RFC 5952 shortest form with tshark's IPv4-embedded
// forms), MAC colon hex. Small direct-mapped caches keep repeated addresses from building new strings per packet.

const V4_CACHE_SIZE = 16384; // power of two

/** IPv4 address at b[off..off+4) as dotted quad. The caller has checked the 4 bytes exist. */
export const ipv4String: (b: Uint8Array, off: number) => string = (() => {
  // the cache lives in a closure: bundlers turn module constants into `var`s the JIT re-checks on every access
  const v4Keys = new Int32Array(V4_CACHE_SIZE);
  const v4Vals: (string | undefined)[] = new Array(V4_CACHE_SIZE).fill(undefined);
  return (b: Uint8Array, off: number): string => {
    const key = (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
    // Fold the host part (most varied) into the slot index.
    const slot = (key ^ (key >>> 12) ^ (key >>> 20)) & (V4_CACHE_SIZE - 1);
    const hit = v4Vals[slot];
    if (hit !== undefined && v4Keys[slot] === key) return hit;
    // join: one flat string (`+` builds a rope of 7 pieces, kept as long as the address is)
    const s = [b[off], b[off + 1], b[off + 2], b[off + 3]].join('.');
    v4Keys[slot] = key;
    v4Vals[slot] = s;
    return s;
  };
})();

/** IPv4 address held in an unsigned 32-bit number. */
export function ipv4FromNumber(n: number): string {
  return (n >>> 24) + '.' + ((n >>> 16) & 255) + '.' + ((n >>> 8) & 255) + '.' + (n & 255);
}

const V6_CACHE_SIZE = 4096;
const words = new Uint16Array(8);

/** IPv6 address at b[off..off+16) in tshark's text form. The caller has checked the 16 bytes exist. */
export const ipv6String: (b: Uint8Array, off: number) => string = (() => {
  const v6Keys = new Int32Array(V6_CACHE_SIZE * 4);
  const v6Vals: (string | undefined)[] = new Array(V6_CACHE_SIZE).fill(undefined);
  return (b: Uint8Array, off: number): string => {
    const k0 = (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
    const k1 = (b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7];
    const k2 = (b[off + 8] << 24) | (b[off + 9] << 16) | (b[off + 10] << 8) | b[off + 11];
    const k3 = (b[off + 12] << 24) | (b[off + 13] << 16) | (b[off + 14] << 8) | b[off + 15];
    let h = Math.imul(k0 ^ k1, 0x9e3779b1) ^ Math.imul(k2 ^ k3, 0x85ebca6b);
    h ^= h >>> 15;
    const slot = h & (V6_CACHE_SIZE - 1);
    const j = slot * 4;
    const hit = v6Vals[slot];
    if (hit !== undefined && v6Keys[j] === k0 && v6Keys[j + 1] === k1 && v6Keys[j + 2] === k2 && v6Keys[j + 3] === k3) {
      return hit;
    }
    const s = formatIpv6(b, off);
    v6Keys[j] = k0; v6Keys[j + 1] = k1; v6Keys[j + 2] = k2; v6Keys[j + 3] = k3;
    v6Vals[slot] = s;
    return s;
  };
})();

/**
 * RFC 5952: lowercase hex without leading zeros, the longest run of two or more zero groups compressed to '::'
 * (the first one on ties). Like tshark (BSD inet_ntop6), ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (the old
 * IPv4-compatible form, when exactly the first six groups are zero) keep the IPv4 part dotted.
 */
export function formatIpv6(b: Uint8Array, off: number): string {
  for (let i = 0; i < 8; i++) words[i] = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) { curBase = i; curLen = 1; } else curLen++;
    } else if (curBase !== -1) {
      if (curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
      curBase = -1;
    }
  }
  if (curBase !== -1 && curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
  if (bestLen < 2) bestBase = -1;
  // pieces joined once at the end: one flat string rather than a rope of every piece
  const parts: (string | number)[] = [];
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) parts.push(':');
      continue;
    }
    if (i !== 0) parts.push(':');
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      parts.push(b[off + 12], '.', b[off + 13], '.', b[off + 14], '.', b[off + 15]);
      break;
    }
    parts.push(words[i].toString(16));
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) parts.push(':');
  return parts.join('');
}

const HEX = '0123456789abcdef';

/** 6-byte MAC address as lowercase colon-separated hex (tshark's eth.src with -n). */
export function macString(b: Uint8Array, off: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    const v = b[off + i];
    if (i) s += ':';
    s += HEX[v >> 4] + HEX[v & 15];
  }
  return s;
}

/** Bytes as colon-separated hex (link-layer addresses of other lengths). */
export function hexColon(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const v = b[off + i];
    if (i) s += ':';
    s += HEX[v >> 4] + HEX[v & 15];
  }
  return s;
}
