// BSD loopback encapsulations. LINKTYPE_NULL (0): a 4-byte address family in the capturing host's byte order, so
// the order is guessed (a family never has its upper 16 bits set). LINKTYPE_LOOP (108, OpenBSD): the same field
// always in network byte order. Families: 2 = IPv4; 24, 28, 30 = IPv6 (NetBSD/OpenBSD, FreeBSD, macOS); a value
// above 1500 is taken as an EtherType, as Wireshark does.
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';
import { EtherType, type LinkResult, NO_NEXT } from './link';

export const NULL_HEADER_LEN = 4;

export function familyToEtherType(family: number): number {
  switch (family) {
    case 2: return EtherType.IPV4;
    case 10: // Linux AF_INET6, seen in some converted captures
    case 23: // Windows AF_INET6
    case 24: case 28: case 30: return EtherType.IPV6;
    default: return family > 1500 ? family : NO_NEXT;
  }
}

/** The family value of a NULL header, with the host byte order guessed. */
export function nullFamily(b: Uint8Array, off: number, loop: boolean): number {
  const be = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  if (loop) return be;
  const le = ((b[off + 3] << 24) | (b[off + 2] << 16) | (b[off + 1] << 8) | b[off]) >>> 0;
  return (le & 0xffff0000) === 0 ? le : be;
}

export function decodeNull(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[], cut: boolean,
  loop: boolean): number {
  out.extraLayer = '';
  if (end - off < NULL_HEADER_LEN) {
    out.etherType = NO_NEXT;
    addIssue(issues, 'null', off, `loopback header needs 4 bytes, ${Math.max(0, end - off)} captured`, cut);
    return -1;
  }
  out.etherType = familyToEtherType(nullFamily(b, off, loop));
  return off + NULL_HEADER_LEN;
}
