// IPv4 header (RFC 791). The checksum is read but not verified: captures taken on the sending host carry
// offloaded (unfilled) checksums, and tshark does not verify it by default either.
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';

export const IPV4_MIN_HEADER = 20;

/** Parsed IPv4 header; a scratch value the decoder reuses. Offsets are within the bytes given. */
export interface Ipv4Header {
  offset: number;
  headerLength: number;
  /** Total length as declared (0 from TSO-offloaded captures is replaced by the captured length). */
  totalLength: number;
  tos: number;
  id: number;
  /** Flag bits: 4 reserved (evil bit), 2 DF, 1 MF. */
  flags: number;
  /** Fragment offset in bytes. */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  payloadOffset: number;
  /** End of the datagram by its total length. */
  wireEnd: number;
  /** End of the captured part of the datagram (<= wireEnd). */
  capEnd: number;
}

export function newIpv4Header(): Ipv4Header {
  return {
    offset: 0, headerLength: 0, totalLength: 0, tos: 0, id: 0, flags: 0, fragmentOffset: 0, ttl: 0, protocol: 0,
    checksum: 0, payloadOffset: 0, wireEnd: 0, capEnd: 0,
  };
}

// The messages are made by functions of their own, called only when needed. Written inline, V8's optimiser turned
// each number that two messages share (hl, total) into text on every packet, before knowing a message was needed.
const says = {
  version: (v: number) => `version ${v} is not 4`,
  short: (avail: number) => `IPv4 header needs 20 bytes, ${Math.max(0, avail)} captured`,
  headerLength: (hl: number) => `header length ${hl} is less than 20`,
  options: (hl: number, avail: number) => `header with options needs ${hl} bytes, ${avail} captured`,
  total: (total: number, hl: number) => `total length ${total} is less than the header length ${hl}`,
  cut: (total: number, avail: number) => `total length ${total}, ${avail} bytes captured`,
};

/**
 * Decodes the IPv4 header at `off` (bytes up to `end` are available). Returns false when not even the header is
 * usable; a datagram cut short by the capture is flagged but still returned (capEnd < wireEnd).
 */
export function decodeIpv4(b: Uint8Array, off: number, end: number, h: Ipv4Header, issues: LayerIssue[],
  cut: boolean): boolean {
  const avail = end - off;
  h.offset = off;
  if (avail < IPV4_MIN_HEADER) {
    if (avail >= 1 && b[off] >> 4 !== 4) addIssue(issues, 'ip', off, says.version(b[off] >> 4), false);
    else addIssue(issues, 'ip', off, says.short(avail), cut);
    return false;
  }
  const v = b[off];
  if (v >> 4 !== 4) {
    addIssue(issues, 'ip', off, says.version(v >> 4), false);
    return false;
  }
  const hl = (v & 15) * 4;
  if (hl < IPV4_MIN_HEADER) {
    addIssue(issues, 'ip', off, says.headerLength(hl), false);
    return false;
  }
  h.headerLength = hl;
  h.tos = b[off + 1];
  let total = (b[off + 2] << 8) | b[off + 3];
  h.id = (b[off + 4] << 8) | b[off + 5];
  h.flags = b[off + 6] >> 5;
  h.fragmentOffset = (((b[off + 6] & 0x1f) << 8) | b[off + 7]) * 8;
  h.ttl = b[off + 8];
  h.protocol = b[off + 9];
  h.checksum = (b[off + 10] << 8) | b[off + 11];
  if (avail < hl) {
    addIssue(issues, 'ip', off, says.options(hl, avail), cut);
    return false;
  }
  if (total === 0) total = avail; // TSO: the NIC fills the length in later (tshark's ip.tso_support)
  h.totalLength = total;
  if (total < hl) {
    addIssue(issues, 'ip', off, says.total(total, hl), false);
    return false;
  }
  h.payloadOffset = off + hl;
  h.wireEnd = off + total;
  if (total > avail) {
    h.capEnd = end;
    addIssue(issues, 'ip', off, says.cut(total, avail), cut);
  } else {
    h.capEnd = h.wireEnd;
  }
  return true;
}

export const IPV4_OPTION_NAMES: Record<number, string> = {
  0: 'End of Options List (EOL)', 1: 'No-Operation (NOP)', 7: 'Record Route', 68: 'Time Stamp',
  130: 'Security', 131: 'Loose Source Route', 133: 'Extended Security', 136: 'Stream ID', 137: 'Strict Source Route',
  148: 'Router Alert', 25: 'Quick-Start', 82: 'Traceroute', 134: 'Commercial IP Security Option',
};

/** IPv4 options as (type, offset, length) triples for the details tree; stops at the first malformed one. */
export function ipv4Options(b: Uint8Array, off: number, end: number): { type: number; offset: number; length: number; bad?: string }[] {
  const out: { type: number; offset: number; length: number; bad?: string }[] = [];
  let o = off;
  while (o < end) {
    const t = b[o];
    if (t === 0) { out.push({ type: 0, offset: o, length: 1 }); break; }
    if (t === 1) { out.push({ type: 1, offset: o, length: 1 }); o++; continue; }
    if (end - o < 2) { out.push({ type: t, offset: o, length: end - o, bad: 'option length missing' }); break; }
    const len = b[o + 1];
    if (len < 2 || len > end - o) {
      out.push({ type: t, offset: o, length: end - o, bad: `option length ${len} is invalid` });
      break;
    }
    out.push({ type: t, offset: o, length: len });
    o += len;
  }
  return out;
}
