// Linux NFLOG (LINKTYPE_NFLOG 239): a 4-byte header (family, version, resource id) then TLVs whose 16-bit length and
// type are in the capturing host's byte order (little-endian in practice; big-endian tried when that is not
// plausible). Each TLV is padded to 4 bytes; the packet itself is the NFULA_PAYLOAD TLV (type 9).
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';
import { EtherType, type LinkResult, NO_NEXT } from './link';

export const NFLOG_HEADER_LEN = 4;
export const NFULA_PAYLOAD = 9;
export const NFULA_PREFIX = 10;

export const NFULA_NAMES: Record<number, string> = {
  1: 'NFULA_PACKET_HDR', 2: 'NFULA_MARK', 3: 'NFULA_TIMESTAMP', 4: 'NFULA_IFINDEX_INDEV', 5: 'NFULA_IFINDEX_OUTDEV',
  6: 'NFULA_IFINDEX_PHYSINDEV', 7: 'NFULA_IFINDEX_PHYSOUTDEV', 8: 'NFULA_HWADDR', 9: 'NFULA_PAYLOAD',
  10: 'NFULA_PREFIX', 11: 'NFULA_UID', 12: 'NFULA_SEQ', 13: 'NFULA_SEQ_GLOBAL', 14: 'NFULA_GID', 15: 'NFULA_HWTYPE',
  16: 'NFULA_HWHEADER', 17: 'NFULA_HWLEN', 18: 'NFULA_CT', 19: 'NFULA_CT_INFO',
};

/** Whether TLV lengths look big-endian: judged on the first TLV, whose little-endian length would be absurd. */
export function nflogBigEndian(b: Uint8Array, off: number, end: number): boolean {
  const o = off + NFLOG_HEADER_LEN;
  if (end - o < 4) return false;
  const le = b[o] | (b[o + 1] << 8);
  const be = (b[o] << 8) | b[o + 1];
  return (le < 4 || le > end - o) && be >= 4 && be <= end - o;
}

export function decodeNflog(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[],
  cut: boolean): number {
  out.extraLayer = '';
  out.etherType = NO_NEXT;
  if (end - off < NFLOG_HEADER_LEN) {
    addIssue(issues, 'nflog', off, `NFLOG header needs 4 bytes, ${Math.max(0, end - off)} captured`, cut);
    return -1;
  }
  const family = b[off];
  const bigEndian = nflogBigEndian(b, off, end);
  let o = off + NFLOG_HEADER_LEN;
  while (end - o >= 4) {
    const len = bigEndian ? (b[o] << 8) | b[o + 1] : b[o] | (b[o + 1] << 8);
    const type = (bigEndian ? (b[o + 2] << 8) | b[o + 3] : b[o + 2] | (b[o + 3] << 8)) & 0x7fff;
    if (len < 4) {
      addIssue(issues, 'nflog', o, `TLV length ${len} is less than 4`, false);
      return -1;
    }
    if (len > end - o) {
      addIssue(issues, 'nflog', o, `TLV of ${len} bytes runs past the captured bytes`, cut);
      if (type !== NFULA_PAYLOAD) return -1;
    }
    if (type === NFULA_PAYLOAD) {
      out.etherType = family === 2 ? EtherType.IPV4 : family === 10 ? EtherType.IPV6 : NO_NEXT;
      return o + 4;
    }
    o += (len + 3) & ~3;
  }
  if (o < end) addIssue(issues, 'nflog', o, 'TLV header cut short', cut);
  else if (cut) addIssue(issues, 'nflog', o, 'the capture ends before the payload TLV', true);
  return -1; // no payload TLV: nothing more to decode (tshark shows just nflog)
}
