// What a ClientHello's facts derive from its offer alone (fingerprints, offered versions, groups...), computed once
// per distinct offer: a capture's clients send a handful of distinct hellos, and deriving these again for every
// connection (filtering GREASE, hex strings, list sharing, the fingerprints' input strings) was most of the work
// and garbage of a handshake. Offers are told apart by their numbers (exact comparison, the hash only buckets).
import { alpnChars, alpnCharsOf, ja3, ja4 } from './fingerprint';
import { ExtensionType, isGrease, type ClientHello } from './hello';
import { groupName } from './names';
import { hex4 } from './reader';
import { shareList } from './shared-values';

export interface HelloProfile {
  ja3?: string;
  ja4?: string;
  /** supported_versions as "0x...." (GREASE included), shared; undefined without the extension. */
  supportedVersionsHex?: string[];
  /** Versions offered (supported_versions without GREASE, else the legacy version), shared. */
  versions: string[];
  maxOffered: number;
  /** TLS 1.3 is among supported_versions. */
  offers13: boolean;
  legacyVersion: string;
  /** Cipher suites without GREASE. */
  cipherSuites: number;
  groups?: string[];
  keyShareGroups?: string[];
  /** Memo of the caller's last template for this offer and what it was built from (see TlsAnalyzer). */
  jsonAlpn: string[] | undefined | null;
  jsonTemplate: number;
  factsAlpn: string[] | undefined | null;
  factsAttempt: number;
  factsFlags: number;
  factsTemplate: number;
  /** Memo of the last ALPN extension seen with this offer (its bytes) and its shared list. */
  alpnRaw: Uint8Array | null;
  alpnList: string[] | undefined;
}

/**
 * Where scan() found what a ClientHello adds to its offer's profile, as offsets in the body (valid until the next
 * scan; -1: absent).
 */
export interface ScannedHello {
  sessionStart: number;
  sessionLength: number;
  /** The first host_name of server_name. */
  sniStart: number;
  sniLength: number;
  /** The ALPN extension's data. */
  alpnStart: number;
  alpnEnd: number;
  preSharedKey: boolean;
  earlyData: boolean;
}

interface Entry {
  sig: Int32Array;
  alpn: string;
  profile: HelloProfile;
}

const LIMIT = 4096;
const nonGrease = (v: number) => !isGrease(v);

export class HelloProfiles {
  private byHash = new Map<number, Entry[]>();
  private size = 0;
  private sig = new Int32Array(256);
  private n = 0;

  /** Filled by scan(). */
  readonly scanned: ScannedHello = {
    sessionStart: 0, sessionLength: 0, sniStart: -1, sniLength: 0, alpnStart: -1, alpnEnd: -1, preSharedKey: false,
    earlyData: false,
  };
  private readonly seenTypes: number[] = [];

  /**
   * The profile of a ClientHello body's offer without parsing it into objects, when the body is cleanly formed
   * (every length exact, no repeated extension, nothing left over) and the offer was seen before; null otherwise
   * (the caller then parses it with parseClientHello and calls of()). Fills `scanned`. On such a body
   * parseClientHello reads exactly these values, so the profile is the one of() gives.
   */
  scan(b: Uint8Array): HelloProfile | null {
    const end = b.length;
    const u16 = (o: number) => (b[o] << 8) | b[o + 1];
    const sc = this.scanned;
    if (end < 2 + 32 + 1) return null;
    this.n = 0;
    this.put(0);
    this.put(u16(0));
    let p = 34;
    const sid = b[p++];
    if (p + sid > end) return null;
    sc.sessionStart = p;
    sc.sessionLength = sid;
    p += sid;
    if (p + 2 > end) return null;
    const cs = u16(p);
    p += 2;
    if ((cs & 1) || p + cs > end) return null;
    this.put(cs >> 1);
    for (let i = 0; i < cs; i += 2) this.put(u16(p + i));
    p += cs;
    if (p + 1 > end) return null;
    p += 1 + b[p];
    if (p + 2 > end) return null; // no extensions (or cut): the full parse says how
    const extEnd = p + 2 + u16(p);
    if (extEnd !== end) return null;
    p += 2;
    // extension types first (the signature's order), then the lists, each from its extension
    const types = this.seenTypes;
    types.length = 0;
    let sv = -1, groups = -1, keyShare = -1, points = -1, sigs = -1;
    sc.sniStart = -1; sc.sniLength = 0; sc.alpnStart = -1; sc.alpnEnd = -1;
    sc.preSharedKey = false; sc.earlyData = false;
    let alpnFirst: Uint8Array | null = null;
    for (let q = p; q < extEnd;) {
      if (q + 4 > extEnd) return null;
      const type = u16(q), len = u16(q + 2), d = q + 4;
      if (d + len > extEnd) return null;
      for (let i = 0; i < types.length; i++) if (types[i] === type) return null;
      types.push(type);
      switch (type) {
        case ExtensionType.SERVER_NAME: {
          if (len === 0) break;
          if (len < 2 || u16(d) !== len - 2) return null;
          for (let e = d + 2; e < d + len;) {
            if (e + 3 > d + len) return null;
            const n = u16(e + 1);
            if (e + 3 + n > d + len) return null;
            if (b[e] === 0 && sc.sniStart < 0) { sc.sniStart = e + 3; sc.sniLength = n; }
            e += 3 + n;
          }
          break;
        }
        case ExtensionType.ALPN: {
          if (len < 3 || u16(d) !== len - 2) return null;
          for (let e = d + 2; e < d + len; e += 1 + b[e]) if (e + 1 + b[e] > d + len) return null;
          sc.alpnStart = d; sc.alpnEnd = d + len;
          alpnFirst = b.subarray(d + 3, d + 3 + b[d + 2]);
          break;
        }
        case ExtensionType.SUPPORTED_VERSIONS:
          if (len < 1 || b[d] !== len - 1 || (b[d] & 1)) return null;
          sv = d;
          break;
        case ExtensionType.SUPPORTED_GROUPS:
          if (len < 2 || u16(d) !== len - 2 || (len & 1)) return null;
          groups = d;
          break;
        case ExtensionType.SIGNATURE_ALGORITHMS:
          if (len < 2 || u16(d) !== len - 2 || (len & 1)) return null;
          sigs = d;
          break;
        case ExtensionType.EC_POINT_FORMATS:
          if (len < 1 || b[d] !== len - 1) return null;
          points = d;
          break;
        case ExtensionType.KEY_SHARE: {
          if (len < 2 || u16(d) !== len - 2) return null;
          for (let e = d + 2; e < d + len;) {
            if (e + 4 > d + len) return null;
            e += 4 + u16(e + 2);
            if (e > d + len) return null;
          }
          keyShare = d;
          break;
        }
        case ExtensionType.PRE_SHARED_KEY: sc.preSharedKey = true; break;
        case ExtensionType.EARLY_DATA: sc.earlyData = true; break;
        default:
      }
      q = d + len;
    }
    this.put(types.length);
    for (let i = 0; i < types.length; i++) this.put(types[i]);
    if (sv < 0) this.put(-1);
    else { this.put(b[sv] >> 1); for (let i = 0; i < b[sv]; i += 2) this.put(u16(sv + 1 + i)); }
    if (groups < 0) this.put(-1);
    else { const n = u16(groups); this.put(n >> 1); for (let i = 0; i < n; i += 2) this.put(u16(groups + 2 + i)); }
    if (keyShare < 0) this.put(-1);
    else {
      const at = this.n;
      this.put(0);
      let count = 0;
      for (let e = keyShare + 2; e < keyShare + 2 + u16(keyShare); e += 4 + u16(e + 2)) { this.put(u16(e)); count++; }
      this.sig[at] = count;
    }
    if (points < 0) this.put(-1);
    else { this.put(b[points]); for (let i = 0; i < b[points]; i++) this.put(b[points + 1 + i]); }
    if (sigs < 0) this.put(-1);
    else { const n = u16(sigs); this.put(n >> 1); for (let i = 0; i < n; i += 2) this.put(u16(sigs + 2 + i)); }
    return this.find(alpnCharsOf(alpnFirst));
  }

  /** The profile of `h`'s offer (computed on the first hello that makes it). */
  of(h: ClientHello): HelloProfile {
    this.n = 0;
    this.put(h.sslv2 ? 1 : 0);
    this.put(h.legacyVersion);
    this.list(h.cipherSuites);
    const ext = h.extensions;
    this.put(ext.length);
    for (let i = 0; i < ext.length; i++) this.put(ext[i].type);
    this.list(h.supportedVersions);
    this.list(h.supportedGroups);
    this.list(h.keyShareGroups);
    this.list(h.ecPointFormats);
    this.list(h.signatureAlgorithms);
    // JA4 reads the first ALPN id's bytes (not their text): its two characters are part of the offer
    const alpn = h.sslv2 ? '' : alpnChars(h);
    const hit = this.find(alpn);
    if (hit) return hit;
    const sig = this.sig, n = this.n;
    const hash = this.hash(alpn);
    const profile = derive(h);
    if (this.size >= LIMIT) { this.byHash.clear(); this.size = 0; }
    const e: Entry = { sig: sig.slice(0, n), alpn, profile };
    const b = this.byHash.get(hash);
    if (b) b.push(e); else this.byHash.set(hash, [e]);
    this.size++;
    return profile;
  }

  private hash(alpn: string): number {
    const sig = this.sig, n = this.n;
    let hash = 0x811c9dc5;
    for (let i = 0; i < n; i++) hash = Math.imul(hash ^ sig[i], 16777619);
    return Math.imul(hash ^ alpn.length ^ (alpn.length ? alpn.charCodeAt(0) << 8 : 0), 16777619) | 0;
  }

  /** The profile whose signature is sig[0..n) with these ALPN characters, if seen. */
  private find(alpn: string): HelloProfile | null {
    const bucket = this.byHash.get(this.hash(alpn));
    if (!bucket) return null;
    const sig = this.sig, n = this.n;
    for (const e of bucket) {
      if (e.alpn !== alpn || e.sig.length !== n) continue;
      let same = true;
      for (let i = 0; i < n; i++) if (e.sig[i] !== sig[i]) { same = false; break; }
      if (same) return e.profile;
    }
    return null;
  }

  clear(): void {
    this.byHash = new Map();
    this.size = 0;
  }

  private put(v: number): void {
    if (this.n === this.sig.length) {
      const next = new Int32Array(this.sig.length * 2);
      next.set(this.sig);
      this.sig = next;
    }
    this.sig[this.n++] = v;
  }

  /** A list with its length, or -1 when absent (an empty list and none differ). */
  private list(l: readonly number[] | undefined): void {
    if (!l) { this.put(-1); return; }
    this.put(l.length);
    for (let i = 0; i < l.length; i++) this.put(l[i]);
  }
}

/** Exactly what TlsAnalyzer computed for every ClientHello before profiles. */
function derive(h: ClientHello): HelloProfile {
  const versions = (h.supportedVersions ?? []).filter(nonGrease);
  const offered = versions.length ? versions : [h.legacyVersion];
  const groups = h.supportedGroups?.filter(nonGrease).map(groupName);
  const keyShareGroups = h.keyShareGroups?.filter(nonGrease).map(groupName);
  return {
    ja3: h.sslv2 ? undefined : ja3(h),
    ja4: h.sslv2 ? undefined : ja4(h, 't').ja4,
    supportedVersionsHex: h.supportedVersions ? shareList(h.supportedVersions.map(hex4)) : undefined,
    versions: shareList(offered.map(hex4)),
    maxOffered: Math.max(...offered),
    offers13: versions.includes(0x0304),
    legacyVersion: hex4(h.legacyVersion),
    cipherSuites: h.cipherSuites.filter(nonGrease).length,
    groups: groups ? shareList(groups) : undefined,
    keyShareGroups: keyShareGroups ? shareList(keyShareGroups) : undefined,
    jsonAlpn: null, jsonTemplate: -1, factsAlpn: null, factsAttempt: 0, factsFlags: 0, factsTemplate: -1,
    alpnRaw: null, alpnList: undefined,
  };
}
