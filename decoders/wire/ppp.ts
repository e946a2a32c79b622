// PPP (LINKTYPE_PPP 9) and PPP in HDLC-like framing (LINKTYPE_PPP_HDLC 50). The address/control bytes 0xff 0x03 may
// precede the protocol, which may be compressed to one byte (PFC: an odd first byte).
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';
import { EtherType, type LinkResult, NO_NEXT } from './link';

export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;
export const PPP_MPLS = 0x0281;
export const PPP_MPLS_MULTICAST = 0x0283;

export function pppProtocolToEtherType(p: number): number {
  switch (p) {
    case PPP_IPV4: return EtherType.IPV4;
    case PPP_IPV6: return EtherType.IPV6;
    case PPP_MPLS: return EtherType.MPLS;
    case PPP_MPLS_MULTICAST: return EtherType.MPLS_MULTICAST;
    default: return NO_NEXT;
  }
}

/** Offsets of the PPP header parts, for the details tree. */
export function pppHeader(b: Uint8Array, off: number, end: number): { hdlc: boolean; protocol: number; protoLen: number } | null {
  let o = off;
  const hdlc = end - o >= 2 && b[o] === 0xff && b[o + 1] === 0x03;
  if (!hdlc && end - o >= 1 && b[o] === 0xff) return null;
  if (hdlc) o += 2;
  if (end - o < 1) return null;
  if (b[o] & 1) return { hdlc, protocol: b[o], protoLen: 1 };
  if (end - o < 2) return null;
  return { hdlc, protocol: (b[o] << 8) | b[o + 1], protoLen: 2 };
}

export function decodePpp(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[],
  cut: boolean): number {
  out.extraLayer = '';
  out.etherType = NO_NEXT;
  let o = off;
  if (b[o] === 0xff && end - o >= 1) {
    // HDLC address 0xff: the control byte 0x03 follows (0xff is never a compressed protocol).
    if (end - o < 2) {
      addIssue(issues, 'ppp', off, 'PPP header cut short', cut);
      return -1;
    }
    if (b[o + 1] === 0x03) o += 2;
  }
  if (end - o < 1 || (!(b[o] & 1) && end - o < 2)) {
    addIssue(issues, 'ppp', off, 'PPP header cut short', cut);
    return -1;
  }
  let protocol: number;
  if (b[o] & 1) { protocol = b[o]; o += 1; } else { protocol = (b[o] << 8) | b[o + 1]; o += 2; }
  out.etherType = pppProtocolToEtherType(protocol);
  return o;
}
