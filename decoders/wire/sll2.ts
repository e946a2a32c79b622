// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276): 20-byte header with the protocol first and an interface index.
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';
import type { LinkResult } from './link';
import { NO_NEXT } from './link';
import { sllNext } from './sll';

export const SLL2_HEADER_LEN = 20;

export function decodeSll2(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[],
  cut: boolean): number {
  out.extraLayer = '';
  if (end - off < SLL2_HEADER_LEN) {
    out.etherType = NO_NEXT;
    // tshark names both cooked versions 'sll'.
    addIssue(issues, 'sll', off, `Linux cooked v2 header needs 20 bytes, ${Math.max(0, end - off)} captured`, cut);
    return -1;
  }
  const protocol = (b[off] << 8) | b[off + 1];
  const arphrd = (b[off + 8] << 8) | b[off + 9];
  return sllNext(b, off + SLL2_HEADER_LEN, end, arphrd, protocol, out, issues, cut);
}
