// ARP (EtherType 0x0806): recognised and length-checked; no state is kept from it.
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';

export const ARP_FIXED_LEN = 8;

/** Returns the end offset of the ARP message, or -1 when it is cut short. */
export function decodeArp(b: Uint8Array, off: number, end: number, issues: LayerIssue[], cut: boolean): number {
  if (end - off < ARP_FIXED_LEN) {
    addIssue(issues, 'arp', off, `ARP header needs 8 bytes, ${Math.max(0, end - off)} captured`, cut);
    return -1;
  }
  const hlen = b[off + 4], plen = b[off + 5];
  const total = ARP_FIXED_LEN + 2 * (hlen + plen);
  if (end - off < total) {
    addIssue(issues, 'arp', off, `ARP message needs ${total} bytes, ${end - off} captured`, cut);
    return -1;
  }
  return off + total;
}

export const ARP_OPCODES: Record<number, string> = {
  1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply', 8: 'inverse request', 9: 'inverse reply',
};
