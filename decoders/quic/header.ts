// QUIC packet headers (RFC 8999 invariants, RFC 9000 §17) and how a UDP datagram splits into coalesced packets
// (RFC 9000 §12.2). Pure parsing of the clear parts; header protection is removed elsewhere (crypto.ts).
import { equalBytes, readU32, readVarint } from './varint';
import { longPacketType, quicVersion } from './versions';

export type PacketType = 'initial' | '0rtt' | 'handshake' | 'retry' | 'version_negotiation' | '1rtt';

/** Connection IDs are at most 20 bytes in every known version (RFC 9000 §17.2); tshark rejects longer ones. */
export const MAX_CID_LENGTH = 20;

export interface PacketHeader {
  /** Absolute offsets of the packet within the datagram bytes: [start, end). */
  start: number;
  end: number;
  long: boolean;
  firstByte: number;
  fixedBit: boolean;
  /** Long headers only (0 for Version Negotiation). */
  version: number;
  type: PacketType;
  dcid: Uint8Array;
  scid: Uint8Array;
  /** Initial token, or the Retry token (without its integrity tag). */
  token?: Uint8Array;
  /** Absolute offset of the (protected) packet number, -1 when the type has none or the header is cut short. */
  pnOffset: number;
  /** Version Negotiation: the versions the server offers. */
  supportedVersions?: number[];
  /** The Length field said more than the datagram holds, or the header itself was cut short. */
  truncated: boolean;
  /** A reason when something in the header was malformed. */
  issue?: string;
}

const EMPTY = new Uint8Array(0);

/**
 * Parses a long header at `start` and finds where the packet ends within [start, end). Never throws: a header cut
 * short is returned with `truncated` and the packet spanning the rest.
 */
export function parseLongHeader(b: Uint8Array, start: number, end: number): PacketHeader {
  const first = b[start];
  const h: PacketHeader = {
    start, end, long: true, firstByte: first, fixedBit: (first & 0x40) !== 0, version: 0, type: 'initial',
    dcid: EMPTY, scid: EMPTY, pnOffset: -1, truncated: false,
  };
  if (start + 7 > end) return cut(h, 'long header shorter than 7 bytes');
  h.version = readU32(b, start + 1);
  let p = start + 5;
  const dcil = b[p++];
  if (p + dcil > end) return cut(h, 'destination connection ID runs past the datagram');
  h.dcid = b.subarray(p, p + dcil);
  p += dcil;
  if (p >= end) return cut(h, 'no source connection ID length');
  const scil = b[p++];
  if (p + scil > end) return cut(h, 'source connection ID runs past the datagram');
  h.scid = b.subarray(p, p + scil);
  p += scil;
  if (dcil > MAX_CID_LENGTH || scil > MAX_CID_LENGTH) h.issue = 'connection ID longer than 20 bytes';

  if (h.version === 0) {
    // Version Negotiation (RFC 9000 §17.2.1): the rest of the datagram is a list of 32-bit versions.
    h.type = 'version_negotiation';
    h.supportedVersions = [];
    for (; p + 4 <= end; p += 4) h.supportedVersions.push(readU32(b, p));
    if (p !== end) h.issue = 'version list is not a multiple of 4 bytes';
    return h;
  }
  h.type = longPacketType(first, h.version);
  if (h.type === 'retry') {
    // Retry (§17.2.5): token then a 16-byte integrity tag; a Retry is never coalesced.
    if (end - p >= 16) h.token = b.subarray(p, end - 16);
    else { h.truncated = true; h.issue = 'Retry packet shorter than its integrity tag'; }
    return h;
  }
  if (h.type === 'initial') {
    const t = readVarint(b, p, end);
    if (t.value < 0) return cut(h, 'token length cut short');
    p += t.length;
    if (p + t.value > end) return cut(h, 'token runs past the datagram');
    h.token = b.subarray(p, p + t.value);
    p += t.value;
  }
  const len = readVarint(b, p, end);
  if (len.value < 0) return cut(h, 'length field cut short');
  p += len.length;
  h.pnOffset = p;
  // tshark takes the whole rest when the Length field points at or beyond the end of the datagram.
  if (p + len.value < end) h.end = p + len.value;
  else if (p + len.value > end) { h.truncated = true; h.issue = 'Length field exceeds the datagram'; }
  return h;
}

function cut(h: PacketHeader, why: string): PacketHeader {
  h.truncated = true;
  h.issue = why;
  return h;
}

/** A short header whose DCID length the caller knows from connection state (0 when unknown). */
export function parseShortHeader(b: Uint8Array, start: number, end: number, dcidLength: number): PacketHeader {
  const first = b[start];
  const n = Math.max(0, Math.min(dcidLength, end - start - 1));
  const pnOffset = start + 1 + n;
  return {
    start, end, long: false, firstByte: first, fixedBit: (first & 0x40) !== 0, version: 0, type: '1rtt',
    dcid: b.subarray(start + 1, start + 1 + n), scid: EMPTY, pnOffset: pnOffset < end ? pnOffset : -1,
    truncated: n < dcidLength,
  };
}

/**
 * Splits a datagram into its QUIC packets the way tshark does: after the first packet, a further packet must carry
 * the same Destination Connection ID (RFC 9000 §12.2), otherwise the rest is padding or garbage and is not a
 * packet. Short headers with the fixed bit clear are not listed either (the contract's "not real packets").
 * `shortDcidLength(fromFirst)` gives the DCID length of a short header (-1: unknown connection, accept as is).
 */
export function splitDatagram(b: Uint8Array, start: number, end: number,
  shortDcidLength: () => number): PacketHeader[] {
  const out: PacketHeader[] = [];
  let firstDcid: Uint8Array | null = null;
  let p = start;
  while (p < end && out.length < 64) {
    let h: PacketHeader;
    if (b[p] & 0x80) {
      h = parseLongHeader(b, p, end);
    } else {
      const n = shortDcidLength();
      h = parseShortHeader(b, p, end, Math.max(0, n));
      if (firstDcid && n >= 0 && !equalBytes(h.dcid, firstDcid)) break;
      if (!h.fixedBit) break; // trailing bytes (or a greased bit nobody negotiated with us): not a packet
    }
    if (firstDcid && h.long && !equalBytes(h.dcid, firstDcid)) break;
    if (!firstDcid) firstDcid = h.dcid;
    out.push(h);
    if (h.end <= p) break;
    p = h.end;
  }
  return out;
}

/** True when a long header looks like QUIC to the UDP heuristic (tshark's dissect_quic_heur). */
export function looksLikeQuicLongHeader(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 13 || !(b[start] & 0x80)) return false;
  if (!quicVersion(readU32(b, start + 1)).detectable) return false;
  const dcil = b[start + 5];
  if (dcil > MAX_CID_LENGTH) return false;
  const scilAt = start + 6 + dcil;
  if (scilAt >= end) return false;
  return b[scilAt] <= MAX_CID_LENGTH;
}
