// Raw IP link types: LINKTYPE_RAW (101, and the old DLT_RAW values 12 and 14 some files carry) where the version
// nibble tells IPv4 from IPv6, and LINKTYPE_IPV4 (228) / LINKTYPE_IPV6 (229) that fix the version.
import type { LayerIssue } from '../packet';
import { addIssue } from './issues';
import { etherTypeByIpVersion, type LinkResult, NO_NEXT } from './link';

export function decodeRawIp(b: Uint8Array, off: number, end: number, out: LinkResult, issues: LayerIssue[],
  cut: boolean): number {
  out.extraLayer = '';
  if (end - off < 1) {
    out.etherType = NO_NEXT;
    addIssue(issues, 'raw', off, 'no bytes captured', cut);
    return -1;
  }
  out.etherType = etherTypeByIpVersion(b[off]);
  if (out.etherType === NO_NEXT) {
    addIssue(issues, 'raw', off, `IP version ${b[off] >> 4} is neither 4 nor 6`, false);
  }
  return off;
}
