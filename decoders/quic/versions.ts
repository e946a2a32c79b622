// QUIC version numbers: names, which ones the UDP heuristic accepts, and the per-version constants that let
// Initial packets be read without keys (salt, HKDF label prefix, long-header type numbering, Retry integrity key).
// Salts: RFC 9001 §5.2 (v1), RFC 9369 §3.3 (v2), draft-ietf-quic-tls-23/-29 (drafts), Chromium for Google's
// Q050/T050/T051 (the values Wireshark and nDPI also use).
import { fromHex } from './varint';

export type LongPacketType = 'initial' | '0rtt' | 'handshake' | 'retry';

export interface QuicVersionInfo {
  version: number;
  /** Human name, e.g. "1", "2", "draft-29", "Google Q046", "GREASE". */
  name: string;
  family: 'v1' | 'v2' | 'draft' | 'mvfst' | 'google' | 'grease' | 'negotiation' | 'unknown';
  /** tshark's quic_draft_version(): the IETF draft this version follows, 0 when none. */
  draft: number;
  /** True when an unknown UDP datagram with this version in a long header is taken as QUIC (tshark: draft >= 11). */
  detectable: boolean;
  /** Initial salt (20 bytes) when Initial packets of this version can be decrypted. */
  salt?: Uint8Array;
  /** HKDF label prefix for key/iv/hp ("quic " or "quicv2 "). */
  labelPrefix: string;
  /** RFC 9369 renumbered long-header types. */
  v2Types: boolean;
  /** Retry Integrity Tag AEAD key and nonce (RFC 9001 §5.8 and the drafts that had a tag). */
  retryKey?: Uint8Array;
  retryNonce?: Uint8Array;
}

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;
/** RFC 9369's provisional draft codepoint, and v2 draft-00. */
const QUIC_V2_DRAFT = 0x709a50c4;
const QUIC_V2_DRAFT00 = 0xff020000;

const SALT = {
  draft22: fromHex('7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a'),
  draft23: fromHex('c3eef712c72ebb5a11a7d2432bb46365bef9f502'),
  draft29: fromHex('afbfec289993d24c9e9786f19c6111e04390a899'),
  v1: fromHex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'),
  v2: fromHex('0dede3def700a6db819381be6e269dcbf9bd2ed9'),
  v2draft: fromHex('a707c203a59b47184a1d62ca570406ea7ae3e5d3'),
  q050: fromHex('504574efd066fe2f9d945cfcdbd3a7f0d3b56b45'),
  t050: fromHex('7ff579e5acd072915580304c43a2367c60488310'),
  t051: fromHex('7a4edef4e7ccee5fa4506c19124fc8ccda6e033d'),
};

const RETRY = {
  draft25: { key: fromHex('4d32ecdb2a2133c841e4043df27d4430'), nonce: fromHex('4d1611d05513a552c587d575') },
  draft29: { key: fromHex('ccce187ed09a09d05728155a6cb96be1'), nonce: fromHex('e54930f97f2136f0530a8c1c') },
  v1: { key: fromHex('be0c690b9f66575a1d766b54e368c84e'), nonce: fromHex('461599d35d632bf2239825bb') },
  v2: { key: fromHex('8fb4b01b56ac48e260fbcbcead7ccc92'), nonce: fromHex('d86969bc2d7c6d9990efb04a') },
};

/** Versions reserved to force version negotiation (RFC 9000 §15: 0x?a?a?a?a). */
export function isGreaseVersion(v: number): boolean {
  return ((v & 0x0f0f0f0f) >>> 0) === 0x0a0a0a0a;
}

function ascii(v: number): string {
  return String.fromCharCode((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

const cache = new Map<number, QuicVersionInfo>();

export function quicVersion(version: number): QuicVersionInfo {
  version >>>= 0;
  let info = cache.get(version);
  if (!info) {
    info = describe(version);
    if (cache.size < 4096) cache.set(version, info);
  }
  return info;
}

function make(version: number, name: string, family: QuicVersionInfo['family'], draft: number,
  salt?: Uint8Array, retry?: { key: Uint8Array; nonce: Uint8Array }, v2 = false): QuicVersionInfo {
  return {
    version, name, family, draft, detectable: draft >= 11, salt, labelPrefix: v2 ? 'quicv2 ' : 'quic ',
    v2Types: v2, retryKey: retry?.key, retryNonce: retry?.nonce,
  };
}

function draftSalt(draft: number): Uint8Array | undefined {
  if (draft >= 33) return SALT.v1;
  if (draft >= 29) return SALT.draft29;
  if (draft >= 23) return SALT.draft23;
  if (draft >= 17) return SALT.draft22; // header protection as in RFC 9001 exists since draft-17
  return undefined;
}

function draftRetry(draft: number): { key: Uint8Array; nonce: Uint8Array } | undefined {
  if (draft >= 33) return RETRY.v1;
  if (draft >= 29) return RETRY.draft29;
  if (draft >= 25) return RETRY.draft25;
  return undefined;
}

function describe(v: number): QuicVersionInfo {
  if (v === 0) return make(v, 'Version Negotiation', 'negotiation', 0);
  if (v === QUIC_V1) return make(v, '1', 'v1', 34, SALT.v1, RETRY.v1);
  if (v === QUIC_V2) return make(v, '2', 'v2', 100, SALT.v2, RETRY.v2, true);
  if (v === QUIC_V2_DRAFT || v === QUIC_V2_DRAFT00) {
    return make(v, v === QUIC_V2_DRAFT ? 'v2-draft-01' : 'v2-draft-00', 'v2', 100, SALT.v2draft, undefined, true);
  }
  if ((v >>> 8) === 0xff0000) {
    const d = v & 0xff;
    return make(v, `draft-${String(d).padStart(2, '0')}`, 'draft', d, draftSalt(d), draftRetry(d));
  }
  if (v === 0xfaceb001) return make(v, 'Facebook mvfst (draft-22)', 'mvfst', 22, SALT.draft22);
  if (v === 0xfaceb002 || v === 0xfaceb00e) {
    return make(v, v === 0xfaceb002 ? 'Facebook mvfst (draft-27)' : 'Facebook mvfst (experimental)', 'mvfst', 27,
      SALT.draft23, RETRY.draft25);
  }
  if (v >= 0xfaceb003 && v <= 0xfaceb00f) return make(v, 'Facebook mvfst', 'mvfst', 0);
  // Google's own versions: Q0xx speak gQUIC (not this dissector's business, but named); Q050/T050/T051 use
  // IETF-style Initials with their own salts (T05x carry TLS).
  if (v === 0x51303530) return make(v, 'Google Q050', 'google', 27, SALT.q050);
  if (v === 0x54303530) return make(v, 'Google T050', 'google', 27, SALT.t050);
  if (v === 0x54303531) return make(v, 'Google T051', 'google', 27, SALT.t051);
  const s = ascii(v);
  if (/^[QT]0\d\d$/.test(s)) return make(v, `Google ${s}`, 'google', 0);
  if (isGreaseVersion(v)) return make(v, 'GREASE (forces version negotiation)', 'grease', 34, SALT.v1);
  if ((v >>> 8) === 0x454747) return make(v, 'Quant', 'unknown', 0);
  if ((v >>> 8) === 0x51474f) return make(v, 'quic-go (QGO)', 'unknown', 0);
  if ((v >>> 8) === 0x91c170) return make(v, 'Quicly', 'unknown', 0);
  if ((v >>> 16) === 0xabcd && (v & 0xffff) <= 0xf) return make(v, 'MsQuic', 'unknown', 0);
  return make(v, `unknown (${versionHex(v)})`, 'unknown', 0);
}

/** "0x" + 8 lowercase hex digits, as the JSON contract writes versions. */
export function versionHex(v: number): string {
  // one string per version seen (kept in every long-header packet's facts)
  let h = VERSION_HEX.get(v);
  if (h === undefined) {
    h = '0x' + (v >>> 0).toString(16).padStart(8, '0');
    if (VERSION_HEX.size >= 1024) VERSION_HEX.clear(); // made-up versions (GREASE, garbage) must not grow it
    VERSION_HEX.set(v, h);
  }
  return h;
}

const VERSION_HEX = new Map<number, string>();

/** The long-header packet type from the first byte's two type bits (RFC 9000 §17.2, RFC 9369 §3.2). */
export function longPacketType(firstByte: number, version: number): LongPacketType {
  const bits = (firstByte >> 4) & 3;
  if (quicVersion(version).v2Types) return (['retry', 'initial', '0rtt', 'handshake'] as const)[bits];
  return (['initial', '0rtt', 'handshake', 'retry'] as const)[bits];
}

/** The two type bits that encode `type` in `version` (for building packets). */
export function longTypeBits(type: LongPacketType, version: number): number {
  const order: readonly LongPacketType[] = quicVersion(version).v2Types
    ? ['retry', 'initial', '0rtt', 'handshake'] : ['initial', '0rtt', 'handshake', 'retry'];
  return order.indexOf(type);
}
