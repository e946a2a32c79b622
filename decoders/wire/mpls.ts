// MPLS label stack (EtherType 0x8847/0x8848, PPP 0x0281): 4-byte entries until the bottom-of-stack bit, then IPv4
// or IPv6 judged by the first nibble (what tshark does without a pseudowire configured).
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';
import { etherTypeByIpVersion, type LinkResult, NO_NEXT } from './link';

export const MPLS_ENTRY_LEN = 4;

export function decodeMpls(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[],
  cut: boolean): number {
  out.extraLayer = '';
  out.etherType = NO_NEXT;
  let o = off;
  for (;;) {
    if (end - o < MPLS_ENTRY_LEN) {
      addIssue(issues, 'mpls', o, 'label stack entry cut short', cut);
      return -1;
    }
    const bottom = b[o + 2] & 1;
    o += MPLS_ENTRY_LEN;
    if (bottom) break;
  }
  if (end - o < 1) {
    addIssue(issues, 'mpls', o, 'nothing after the label stack', cut);
    return -1;
  }
  out.etherType = etherTypeByIpVersion(b[o]);
  return o;
}

/** Label, traffic class, bottom-of-stack flag and TTL of the entry at `off`. */
export function mplsEntry(b: Uint8Array, off: number): { label: number; tc: number; bottom: boolean; ttl: number } {
  return {
    label: (b[off] << 12) | (b[off + 1] << 4) | (b[off + 2] >> 4),
    tc: (b[off + 2] >> 1) & 7,
    bottom: (b[off + 2] & 1) === 1,
    ttl: b[off + 3],
  };
}
