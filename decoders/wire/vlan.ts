// IEEE 802.1Q VLAN tags (TPID 0x8100) and 802.1ad service tags (0x88a8, and the pre-standard 0x9100), stacked.
import type { LayerIssue } from '../packet';
import { decodeLlc, IEEE_802_3_MAX_LEN } from './ethernet';
import { addIssue } from './issues';
import { EtherType, type LinkResult, NO_NEXT } from './link';

export const VLAN_TAG_LEN = 4;

/** tshark's protocol name for a tag with this TPID: 802.1ad S-tags are 'ieee8021ad', the rest 'vlan'. */
export function vlanLayerName(tpid: number): string {
  return tpid === EtherType.QINQ ? 'ieee8021ad' : 'vlan';
}

/** Decodes the 4 bytes after a VLAN TPID at `off` (TCI + inner EtherType). Returns the payload offset or -1. */
export function decodeVlan(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[], cut: boolean,
  layer: string): number {
  out.extraLayer = '';
  if (end - off < VLAN_TAG_LEN) {
    out.etherType = NO_NEXT;
    addIssue(issues, layer, off, `VLAN tag needs 4 bytes, ${Math.max(0, end - off)} captured`, cut);
    return -1;
  }
  out.vlanId = ((b[off] & 0x0f) << 8) | b[off + 1];
  const t = (b[off + 2] << 8) | b[off + 3];
  if (t >= 0x0600) {
    out.etherType = t;
    return off + VLAN_TAG_LEN;
  }
  // A length inside the tag: an 802.3 frame body (LLC/SNAP) follows.
  return decodeLlc(b, off + VLAN_TAG_LEN, end, out, issues, cut, t <= IEEE_802_3_MAX_LEN);
}

