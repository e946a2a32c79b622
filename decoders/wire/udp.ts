// UDP header (RFC 768).
import type { LayerIssue, UdpDatagram } from '../packet';
import { addIssue } from './issues';

export const UDP_HEADER_LEN = 8;

export function newUdpDatagram(): UdpDatagram {
  return { srcPort: 0, dstPort: 0, payloadLength: 0, offset: 0 };
}

/**
 * Decodes the UDP header at `off`; `wireLen` is the IP payload length. Returns the end of the UDP datagram by its
 * length field (bounded by the IP payload), or -1 when the header is not all there.
 */
export function decodeUdp(b: Uint8Array, off: number, capEnd: number, wireLen: number, u: UdpDatagram,
  issues: LayerIssue[], cut: boolean): number {
  const avail = capEnd - off;
  if (avail < UDP_HEADER_LEN) {
    if (wireLen < UDP_HEADER_LEN) addIssue(issues, 'udp', off, `IP payload of ${wireLen} bytes is too short for a UDP header`, false);
    else addIssue(issues, 'udp', off, `UDP header needs 8 bytes, ${Math.max(0, avail)} captured`, cut);
    return -1;
  }
  u.srcPort = (b[off] << 8) | b[off + 1];
  u.dstPort = (b[off + 2] << 8) | b[off + 3];
  u.offset = off;
  let len = (b[off + 4] << 8) | b[off + 5];
  if (len === 0 && wireLen > 0xffff) {
    len = wireLen; // IPv6 jumbogram (RFC 2675)
  } else if (len < UDP_HEADER_LEN) {
    addIssue(issues, 'udp', off, `length ${len} is less than 8`, false);
    len = wireLen;
  } else if (len > wireLen) {
    addIssue(issues, 'udp', off, `length ${len} exceeds the IP payload length ${wireLen}`, false);
    len = wireLen;
  }
  u.payloadLength = len - UDP_HEADER_LEN;
  return off + len;
}
