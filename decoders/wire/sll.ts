// Linux "cooked" capture v1 (LINKTYPE_LINUX_SLL, 113): 16-byte pseudo header written by `tcpdump -i any`.
import type { LayerIssue } from '../packet';
import { decodeLlc } from './ethernet';
import { addIssue } from './issues';
import { type LinkResult, NO_NEXT } from './link';

export const SLL_HEADER_LEN = 16;
export const ARPHRD_NETLINK = 824;
/** Protocol values below 0x0600 are Linux pseudo protocols, not EtherTypes. */
export const SLL_P_802_3 = 0x0001;
export const SLL_P_802_2 = 0x0004;

export const SLL_PACKET_TYPES = ['Unicast to us', 'Broadcast', 'Multicast', 'Unicast to another host', 'Sent by us'];

/** Hands on the cooked header's protocol field the way Wireshark's sll dissector does. */
export function sllNext(b: Uint8Array, payload: number, end: number, arphrd: number, protocol: number,
  out: LinkResult, issues: LayerIssue[], cut: boolean): number {
  if (arphrd === ARPHRD_NETLINK) {
    out.etherType = NO_NEXT;
    return payload;
  }
  if (protocol >= 0x0600) {
    out.etherType = protocol;
    return payload;
  }
  if (protocol === SLL_P_802_2) return decodeLlc(b, payload, end, out, issues, cut);
  out.etherType = NO_NEXT; // Novell 802.3, CAN, ... : not decoded further
  return payload;
}

export function decodeSll(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[],
  cut: boolean): number {
  out.extraLayer = '';
  if (end - off < SLL_HEADER_LEN) {
    out.etherType = NO_NEXT;
    addIssue(issues, 'sll', off, `Linux cooked header needs 16 bytes, ${Math.max(0, end - off)} captured`, cut);
    return -1;
  }
  const arphrd = (b[off + 2] << 8) | b[off + 3];
  const protocol = (b[off + 14] << 8) | b[off + 15];
  return sllNext(b, off + SLL_HEADER_LEN, end, arphrd, protocol, out, issues, cut);
}
