// GRE (RFC 2784/2890, version 0) so that tunnelled IP and Ethernet (0x6558) reach the innermost IP header.
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';
import { type LinkResult, NO_NEXT } from './link';

export const GRE_MIN_HEADER = 4;

export function greHeaderLength(b: Uint8Array, off: number): number {
  const f = b[off];
  return 4 + (f & 0xc0 ? 4 : 0) + (f & 0x20 ? 4 : 0) + (f & 0x10 ? 4 : 0);
}

export function decodeGre(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[],
  cut: boolean): number {
  out.extraLayer = '';
  out.etherType = NO_NEXT;
  if (end - off < GRE_MIN_HEADER) {
    addIssue(issues, 'gre', off, 'GRE header cut short', cut);
    return -1;
  }
  const version = b[off + 1] & 7;
  if (version !== 0 || (b[off] & 0x40)) return off + GRE_MIN_HEADER; // PPTP's enhanced GRE, source routing: not followed
  const len = greHeaderLength(b, off);
  if (end - off < len) {
    addIssue(issues, 'gre', off, 'GRE optional fields cut short', cut);
    return -1;
  }
  out.etherType = (b[off + 2] << 8) | b[off + 3];
  return off + len;
}
