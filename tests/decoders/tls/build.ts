// Builders for TLS bytes in tests: hellos, extensions, handshake messages, records. Each produces exactly the wire
// format of RFC 8446 / RFC 5246 so that tests can state what a real stack would send.

export const u8 = (v: number) => [v & 0xff];
export const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
export const u32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
export const u24 = (v: number) => [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
export const bytes = (...parts: (number[] | Uint8Array)[]): number[] => parts.flatMap((p) => Array.from(p));
export const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
export const vec8 = (b: number[]) => [...u8(b.length), ...b];
export const vec16 = (b: number[]) => [...u16(b.length), ...b];
export const vec24 = (b: number[]) => [...u24(b.length), ...b];
export const list16 = (vals: number[]) => vec16(vals.flatMap(u16));

export const ext = (type: number, data: number[]) => [...u16(type), ...vec16(data)];
export const sniExt = (host: string) => ext(0, vec16([0, ...vec16(ascii(host))]));
export const alpnExt = (protos: string[]) => ext(16, vec16(protos.flatMap((p) => vec8(ascii(p)))));
export const supportedVersionsExt = (vs: number[]) => ext(43, vec8(vs.flatMap(u16)));
export const groupsExt = (gs: number[]) => ext(10, list16(gs));
export const sigAlgsExt = (ss: number[]) => ext(13, list16(ss));
export const pointFormatsExt = (fs: number[]) => ext(11, vec8(fs));
export const keyShareExt = (groups: number[]) => ext(51, vec16(groups.flatMap((g) => [...u16(g), ...vec16(new Array(32).fill(0x42))])));
/** ServerHello key_share: one entry, no list length (RFC 8446 §4.2.8). */
export const serverKeyShareExt = (group: number) => ext(51, [...u16(group), ...vec16(new Array(32).fill(0x43))]);
export const pskModesExt = (ms: number[]) => ext(45, vec8(ms));

export interface HelloSpec {
  version?: number;
  random?: number[];
  sessionId?: number[];
  ciphers: number[];
  compression?: number[];
  extensions?: number[][];
}

/** ClientHello body (without the 4-byte handshake header). */
export function clientHelloBody(h: HelloSpec): number[] {
  const exts = h.extensions ?? [];
  return bytes(
    u16(h.version ?? 0x0303), h.random ?? new Array(32).fill(0x11), vec8(h.sessionId ?? []), list16(h.ciphers),
    vec8(h.compression ?? [0]), exts.length || h.extensions ? vec16(exts.flat()) : [],
  );
}

export interface ServerHelloSpec {
  version?: number;
  random?: number[];
  sessionId?: number[];
  cipher: number;
  extensions?: number[][];
}

export function serverHelloBody(h: ServerHelloSpec): number[] {
  const exts = h.extensions ?? [];
  return bytes(u16(h.version ?? 0x0303), h.random ?? new Array(32).fill(0x22), vec8(h.sessionId ?? []), u16(h.cipher),
    [0], vec16(exts.flat()));
}

/** The RFC 8446 §4.1.3 HelloRetryRequest random. */
export const HRR_RANDOM = [
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/** A handshake message: type, 24-bit length, body. */
export const hs = (type: number, body: number[]) => [type, ...vec24(body)];
/** A TLS record: content type, version, 16-bit length, fragment. */
export const record = (type: number, fragment: number[], version = 0x0303) => [type, ...u16(version), ...vec16(fragment)];

// --- a little DER, for certificates
export const der = (tag: number, content: number[]): number[] => {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return [tag, ...len, ...content];
};
export const seq = (...items: number[][]) => der(0x30, items.flat());
export const set = (...items: number[][]) => der(0x31, items.flat());
export const oid = (dotted: string) => {
  const p = dotted.split('.').map(Number);
  const out = [p[0] * 40 + p[1]];
  for (const v of p.slice(2)) {
    const digits: number[] = [];
    let x = v;
    do { digits.unshift(x & 0x7f); x = Math.floor(x / 128); } while (x > 0);
    for (let i = 0; i < digits.length - 1; i++) digits[i] |= 0x80;
    out.push(...digits);
  }
  return der(0x06, out);
};
export const printable = (s: string) => der(0x13, ascii(s));
export const utf8 = (s: string) => der(0x0c, Array.from(new TextEncoder().encode(s)));
export const utcTime = (s: string) => der(0x17, ascii(s));
export const name = (...attrs: [string, number[]][]) => seq(...attrs.map(([o, v]) => set(seq(oid(o), v))));

/** A minimal X.509 certificate (signature bytes are not real: only the fields we display matter). */
export function certificate(subject: number[], issuer: number[], notBefore: string, notAfter: string, dnsNames: string[] = []): number[] {
  const san = dnsNames.length
    ? der(0xa3, seq(seq(oid('2.5.29.17'), der(0x04, seq(...dnsNames.map((d) => der(0x82, ascii(d))))))))
    : [];
  const tbs = seq(
    der(0xa0, der(0x02, [2])), der(0x02, [0x01, 0x23]), seq(oid('1.2.840.113549.1.1.11'), [0x05, 0x00]),
    issuer, seq(utcTime(notBefore), utcTime(notAfter)), subject,
    seq(seq(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')), der(0x03, [0, 4, 1, 2, 3])), san,
  );
  return seq(tbs, seq(oid('1.2.840.113549.1.1.11'), [0x05, 0x00]), der(0x03, [0, 1, 2, 3]));
}

export { prng } from '../../support/prng';

/** A copy of `src` with a few random byte changes, insertions, deletions or a cut. */
export function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const a = Array.from(src);
  const n = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * (a.length + 1));
    const op = rnd();
    if (op < 0.5 && a.length) a[Math.min(at, a.length - 1)] = Math.floor(rnd() * 256);
    else if (op < 0.65) a.splice(at, 0, Math.floor(rnd() * 256));
    else if (op < 0.8 && a.length) a.splice(at, 1);
    else if (op < 0.9) a.length = Math.min(a.length, at);
    else if (a.length) a[Math.min(at, a.length - 1)] = [0, 0xff, 0x7f, 0x80, 0xc0][Math.floor(rnd() * 5)];
  }
  return Uint8Array.from(a);
}
