// Ethernet II (DIX) and IEEE 802.3 length frames. An 802.3 frame carrying LLC/SNAP with OUI 00-00-00 (RFC 1042)
// hands its SNAP protocol id on like an EtherType; other LLC payloads stop there (tshark: eth:llc:...).
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';
import { type LinkResult, NO_NEXT } from './link';

export const ETH_HEADER_LEN = 14;
/** Largest 802.3 length value; type/length fields from 0x0600 up are EtherTypes. */
export const IEEE_802_3_MAX_LEN = 1500;

/** Decodes the Ethernet header at `off`; returns the payload offset, or -1 when the header is not all there. */
export function decodeEthernet(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[],
  cut: boolean): number {
  out.extraLayer = '';
  if (end - off < ETH_HEADER_LEN) {
    out.etherType = NO_NEXT;
    addIssue(issues, 'eth', off, `Ethernet header needs 14 bytes, ${Math.max(0, end - off)} captured`, cut);
    return -1;
  }
  const typeOrLen = (b[off + 12] << 8) | b[off + 13];
  if (typeOrLen >= 0x0600) {
    out.etherType = typeOrLen;
    return off + ETH_HEADER_LEN;
  }
  return decodeLlc(b, off + ETH_HEADER_LEN, end, out, issues, cut, typeOrLen <= IEEE_802_3_MAX_LEN);
}

/** 802.2 LLC after an 802.3 length field (also used for SLL's LLC payloads). */
export function decodeLlc(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[],
  cut: boolean, isLength = true): number {
  out.etherType = NO_NEXT;
  if (!isLength) return off; // 1501..1535: neither a length nor an EtherType; tshark shows it undecoded too
  // Novell "raw 802.3" IPX frames start with the IPX checksum 0xffff instead of an LLC header.
  if (end - off >= 2 && b[off] === 0xff && b[off + 1] === 0xff) return off;
  out.extraLayer = 'llc';
  if (end - off < 3) {
    addIssue(issues, 'llc', off, 'LLC header cut short', cut);
    return -1;
  }
  const dsap = b[off], ssap = b[off + 1];
  // Control is one byte for U-frames (low two bits 11), two bytes for I/S frames.
  const ctlLen = (b[off + 2] & 3) === 3 ? 1 : 2;
  if (dsap === 0xaa && ssap === 0xaa && ctlLen === 1) {
    if (end - off < 8) {
      addIssue(issues, 'llc', off, 'SNAP header cut short', cut);
      return -1;
    }
    const oui = (b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5];
    if (oui === 0) out.etherType = (b[off + 6] << 8) | b[off + 7];
    return off + 8;
  }
  return off + 2 + ctlLen;
}
