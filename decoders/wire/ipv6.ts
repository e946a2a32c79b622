// IPv6 header (RFC 8200) and its extension header chain: hop-by-hop (0), routing (43), fragment (44), destination
// options (60); AH (51) is skipped by its own length. ESP (50) and No Next Header (59) end the chain.
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';

export const IPV6_HEADER_LEN = 40;

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;

/** tshark's protocol names for the extension headers (frame.protocols). */
export function ipv6ExtLayerName(nh: number): string {
  switch (nh) {
    case IPPROTO_HOPOPTS: return 'ipv6.hopopts';
    case IPPROTO_ROUTING: return 'ipv6.routing';
    case IPPROTO_FRAGMENT: return 'ipv6.fraghdr';
    case IPPROTO_DSTOPTS: return 'ipv6.dstopts';
    case IPPROTO_AH: return 'ah';
    default: return '';
  }
}

export function isIpv6Extension(nh: number): boolean {
  return nh === IPPROTO_HOPOPTS || nh === IPPROTO_ROUTING || nh === IPPROTO_FRAGMENT || nh === IPPROTO_DSTOPTS ||
    nh === IPPROTO_AH;
}

/** Parsed IPv6 header plus what the extension headers said; a scratch value the decoder reuses. */
export interface Ipv6Header {
  offset: number;
  trafficClass: number;
  flowLabel: number;
  /** Payload length as declared (0 with a jumbo payload is replaced by the captured length). */
  payloadLength: number;
  /** Next Header of the fixed header. */
  nextHeader: number;
  hopLimit: number;
  /** Protocol after the extension headers (tshark's ipv6.nxt of the last header); 59 or 50 end it. */
  protocol: number;
  /** Where the upper-layer header (or the fragment data) starts. */
  payloadOffset: number;
  wireEnd: number;
  capEnd: number;
  /** False when the extension header chain could not be walked to its end (cut or malformed). */
  chainComplete: boolean;
  hasFragment: boolean;
  fragmentOffset: number;
  moreFragments: boolean;
  fragmentId: number;
}

export function newIpv6Header(): Ipv6Header {
  return {
    offset: 0, trafficClass: 0, flowLabel: 0, payloadLength: 0, nextHeader: 0, hopLimit: 0, protocol: 0,
    payloadOffset: 0, wireEnd: 0, capEnd: 0, chainComplete: true, hasFragment: false, fragmentOffset: 0,
    moreFragments: false, fragmentId: 0,
  };
}

/**
 * Decodes the fixed header and walks the extension headers, pushing their layer names to `layers`.
 * Returns false when the fixed header is unusable.
 */
export function decodeIpv6(b: Uint8Array, off: number, end: number, h: Ipv6Header, layers: string[] | null,
  issues: LayerIssue[], cut: boolean): boolean {
  const avail = end - off;
  h.offset = off;
  h.hasFragment = false;
  h.chainComplete = false;
  if (avail < IPV6_HEADER_LEN) {
    if (avail >= 1 && b[off] >> 4 !== 6) addIssue(issues, 'ipv6', off, `version ${b[off] >> 4} is not 6`, false);
    else addIssue(issues, 'ipv6', off, `IPv6 header needs 40 bytes, ${Math.max(0, avail)} captured`, cut);
    return false;
  }
  if (b[off] >> 4 !== 6) {
    addIssue(issues, 'ipv6', off, `version ${b[off] >> 4} is not 6`, false);
    return false;
  }
  h.trafficClass = ((b[off] & 15) << 4) | (b[off + 1] >> 4);
  h.flowLabel = ((b[off + 1] & 15) << 16) | (b[off + 2] << 8) | b[off + 3];
  let plen = (b[off + 4] << 8) | b[off + 5];
  h.nextHeader = b[off + 6];
  h.hopLimit = b[off + 7];
  // Payload length 0 with something after the header: a jumbogram (RFC 2675) or a TSO/BIG TCP capture. Take what
  // was captured (this also swallows Ethernet padding; harmless).
  if (plen === 0 && h.nextHeader !== IPPROTO_NONE && avail > IPV6_HEADER_LEN) plen = avail - IPV6_HEADER_LEN;
  h.payloadLength = plen;
  h.wireEnd = off + IPV6_HEADER_LEN + plen;
  if (IPV6_HEADER_LEN + plen > avail) {
    h.capEnd = end;
    addIssue(issues, 'ipv6', off, `payload length ${plen}, ${avail - IPV6_HEADER_LEN} bytes captured`, cut);
  } else {
    h.capEnd = h.wireEnd;
  }
  walkIpv6Extensions(b, off + IPV6_HEADER_LEN, h.capEnd, h.wireEnd, h.nextHeader, h, layers, issues, cut);
  return true;
}

/**
 * Walks extension headers from b[o] whose type is `nh`, up to `limit` (captured end; `wireEnd` is the declared
 * end). Sets h.protocol, h.payloadOffset, h.chainComplete and the fragment fields. Stops at a fragment header of
 * a real fragment (offset or M set): what follows is fragment data until reassembled. Also used on reassembled
 * data, which starts with the fragment header's next header.
 */
export function walkIpv6Extensions(b: Uint8Array, o: number, limit: number, wireEnd: number, nh: number, h: Ipv6Header,
  layers: string[] | null, issues: LayerIssue[], cut: boolean): void {
  h.chainComplete = true;
  h.hasFragment = false;
  while (isIpv6Extension(nh)) {
    const name = ipv6ExtLayerName(nh);
    if (layers !== null) layers.push(name);
    if (limit - o < (nh === IPPROTO_FRAGMENT ? 8 : 2)) {
      addIssue(issues, name, o, 'extension header cut short', limit < wireEnd && cut);
      h.chainComplete = false;
      break;
    }
    let len: number;
    if (nh === IPPROTO_FRAGMENT) {
      len = 8;
      h.hasFragment = true;
      h.fragmentOffset = (b[o + 2] << 8) | (b[o + 3] & 0xf8);
      h.moreFragments = (b[o + 3] & 1) === 1;
      h.fragmentId = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
    } else if (nh === IPPROTO_AH) {
      len = (b[o + 1] + 2) * 4;
    } else {
      len = (b[o + 1] + 1) * 8;
    }
    if (o + len > limit) {
      const beyondWire = o + len > wireEnd;
      addIssue(issues, name, o, `extension header length ${len} runs past the ${beyondWire ? 'payload' : 'captured bytes'}`,
        beyondWire ? false : cut);
      h.chainComplete = false;
      nh = b[o];
      o = limit;
      break;
    }
    nh = b[o];
    o += len;
    if (h.hasFragment && (h.fragmentOffset !== 0 || h.moreFragments)) break;
  }
  h.protocol = nh;
  h.payloadOffset = o;
}
