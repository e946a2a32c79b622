// ClientHello fingerprints: JA3 (Salesforce, MD5 of the decimal field list) and JA4 (FoxIO's technical_details/JA4.md).
import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { ExtensionType, isGrease, type ClientHello } from './hello';
import { ByteReader } from './reader';

const notGrease = (v: number) => !isGrease(v);

/** The JA3 string: version,ciphers,extensions,groups,point formats (decimal, '-'-joined, GREASE removed). */
export function ja3String(h: ClientHello): string {
  return [
    String(h.legacyVersion),
    h.cipherSuites.filter(notGrease).join('-'),
    h.extensions.map((e) => e.type).filter(notGrease).join('-'),
    (h.supportedGroups ?? []).filter(notGrease).join('-'),
    (h.ecPointFormats ?? []).join('-'),
  ].join(',');
}

/**
 * Fingerprints by their inputs: the clients of a capture send a handful of distinct hellos, and hashing (MD5,
 * SHA-256 with a general-purpose library) cost more than everything else done for a ClientHello. Bounded.
 */
const CACHE_LIMIT = 4096;
const ja3Cache = new Map<string, string>();
const ja4Cache = new Map<string, Ja4Parts>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

export function ja3(h: ClientHello): string {
  const s = ja3String(h);
  return ja3Cache.get(s) ?? remember(ja3Cache, s, bytesToHex(md5(utf8ToBytes(s))));
}

const JA4_VERSIONS: Record<number, string> = {
  0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2',
  0xfeff: 'd1', 0xfefd: 'd2', 0xfefc: 'd3',
};

const h4 = (v: number) => v.toString(16).padStart(4, '0');
const two = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
const isAlnum = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** First ALPN protocol as raw bytes (the fingerprint looks at bytes, not at their display form). */
function firstAlpn(h: ClientHello): Uint8Array | null {
  const ext = h.extensions.find((e) => e.type === ExtensionType.ALPN);
  if (!ext) return null;
  const r = new ByteReader(ext.data);
  r.u16();
  const n = r.u8();
  const p = r.take(n);
  return r.overrun ? null : p;
}

export function alpnChars(h: ClientHello): string {
  return alpnCharsOf(firstAlpn(h));
}

/** JA4's two ALPN characters from the first ALPN id's bytes (null: no usable ALPN extension). */
export function alpnCharsOf(p: Uint8Array | null): string {
  if (!p || p.length === 0) return '00';
  const first = p[0], last = p[p.length - 1];
  if (isAlnum(first) && isAlnum(last)) return String.fromCharCode(first) + String.fromCharCode(last);
  const hx = bytesToHex(p);
  return hx[0] + hx[hx.length - 1];
}

const hash12 = (s: string) => bytesToHex(sha256(utf8ToBytes(s))).slice(0, 12);

export interface Ja4Parts {
  /** e.g. "t13d1516h2_8daaf6152771_e5627efa2ab1" */
  ja4: string;
  /** The un-hashed form (JA4_r): sorted cipher list and extension list + signature algorithms. */
  raw: string;
}

/** JA4 of a ClientHello; transport 't' = TLS over TCP, 'q' = QUIC, 'd' = DTLS. */
export function ja4(h: ClientHello, transport: 't' | 'q' | 'd' = 't'): Ja4Parts {
  // everything the fingerprint is computed from, GREASE included (its removal is deterministic)
  const key = [transport, h.legacyVersion, (h.supportedVersions ?? []).join(','), h.cipherSuites.join(','),
    h.extensions.map((e) => e.type).join(','), (h.signatureAlgorithms ?? []).join(','), alpnChars(h)].join('|');
  const hit = ja4Cache.get(key);
  if (hit) return { ja4: hit.ja4, raw: hit.raw };
  const parts = computeJa4(h, transport);
  remember(ja4Cache, key, parts);
  return { ja4: parts.ja4, raw: parts.raw };
}

function computeJa4(h: ClientHello, transport: 't' | 'q' | 'd'): Ja4Parts {
  const versions = (h.supportedVersions ?? []).filter(notGrease);
  const version = versions.length ? Math.max(...versions) : h.legacyVersion;
  const ciphers = h.cipherSuites.filter(notGrease);
  const exts = h.extensions.map((e) => e.type).filter(notGrease);
  const hasSni = exts.includes(ExtensionType.SERVER_NAME);
  const a = transport + (JA4_VERSIONS[version] ?? '00') + (hasSni ? 'd' : 'i') + two(ciphers.length) +
    two(exts.length) + alpnChars(h);

  const cipherList = ciphers.map(h4).sort().join(',');
  const extList = exts.filter((e) => e !== ExtensionType.SERVER_NAME && e !== ExtensionType.ALPN).map(h4).sort().join(',');
  const sigs = (h.signatureAlgorithms ?? []).filter(notGrease).map(h4).join(',');
  const c = sigs ? `${extList}_${sigs}` : extList;
  const b = cipherList ? hash12(cipherList) : '000000000000';
  const cHash = extList ? hash12(c) : '000000000000';
  return { ja4: [a, b, cHash].join('_'), raw: [a, cipherList, c].join('_') };
}
