// ICMP (RFC 792) and ICMPv6 (RFC 4443): type and code, and for error messages the quoted IP header plus the first
// 8 bytes of its TCP/UDP header. The quoted packet belongs to another conversation: it only fills
// IcmpMessage.quoted, never the packet's own transport fields.
import type { IcmpMessage, LayerIssue } from '../packet';
import { ipv4String, ipv6String } from './addresses';
import { addIssue } from './issues';
import { isIpv6Extension, IPPROTO_AH, IPPROTO_FRAGMENT } from './ipv6';

export const ICMP_HEADER_LEN = 8;

/** ICMPv4 messages that quote the offending datagram. */
export function isIcmpv4Error(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** ICMPv6 error messages (types below 128) that quote the offending packet. */
export function isIcmpv6Error(type: number): boolean {
  return type >= 1 && type <= 4;
}

export function newIcmpMessage(): IcmpMessage {
  return { version: 4, type: 0, code: 0, offset: 0, quoted: undefined };
}

/**
 * Decodes the ICMP/ICMPv6 header at `off`. For error messages the quoted packet is decoded into `m.quoted` and its
 * layer names ('ip'/'ipv6', then 'tcp'/'udp'/'icmp'...) are pushed to `layers`, as in tshark's frame.protocols.
 * Returns false when not even type and code are there.
 */
export function decodeIcmp(b: Uint8Array, off: number, capEnd: number, version: 4 | 6, m: IcmpMessage,
  layers: string[] | null, issues: LayerIssue[], cut: boolean): boolean {
  const name = version === 4 ? 'icmp' : 'icmpv6';
  if (capEnd - off < 4) {
    addIssue(issues, name, off, `ICMP header needs 4 bytes, ${Math.max(0, capEnd - off)} captured`, cut);
    return false;
  }
  m.version = version;
  m.type = b[off];
  m.code = b[off + 1];
  m.offset = off;
  m.quoted = undefined;
  const isError = version === 4 ? isIcmpv4Error(m.type) : isIcmpv6Error(m.type);
  if (!isError) return true;
  const q = off + ICMP_HEADER_LEN;
  if (capEnd - q < 1) {
    addIssue(issues, name, off, 'error message without the quoted packet', cut);
    return true;
  }
  decodeQuoted(b, q, capEnd, m, layers, issues, name, cut);
  return true;
}

function decodeQuoted(b: Uint8Array, o: number, end: number, m: IcmpMessage, layers: string[] | null,
  issues: LayerIssue[], name: string, cut: boolean): void {
  const v = b[o] >> 4;
  let src: string, dst: string, proto: number, t: number;
  if (v === 4) {
    const hl = (b[o] & 15) * 4;
    if (end - o < 20 || hl < 20 || end - o < hl) {
      addIssue(issues, name, o, 'quoted IPv4 header cut short', cut);
      return;
    }
    src = ipv4String(b, o + 12);
    dst = ipv4String(b, o + 16);
    proto = b[o + 9];
    if (layers !== null) layers.push('ip');
    // A quoted non-first fragment carries no transport header.
    t = (((b[o + 6] & 0x1f) << 8) | b[o + 7]) !== 0 ? -1 : o + hl;
  } else if (v === 6) {
    if (end - o < 40) {
      addIssue(issues, name, o, 'quoted IPv6 header cut short', cut);
      return;
    }
    src = ipv6String(b, o + 8);
    dst = ipv6String(b, o + 24);
    if (layers !== null) layers.push('ipv6');
    proto = b[o + 6];
    t = o + 40;
    while (isIpv6Extension(proto) && end - t >= 8) {
      const len = proto === IPPROTO_FRAGMENT ? 8 : proto === IPPROTO_AH ? (b[t + 1] + 2) * 4 : (b[t + 1] + 1) * 8;
      if (proto === IPPROTO_FRAGMENT && ((b[t + 2] << 8) | (b[t + 3] & 0xf8)) !== 0) { proto = b[t]; t = -1; break; }
      proto = b[t];
      t += len;
    }
    if (t > end) t = -1;
  } else {
    addIssue(issues, name, o, `quoted packet has IP version ${v}`, false);
    return;
  }
  const quoted: NonNullable<IcmpMessage['quoted']> = { src, dst, protocol: proto };
  if (t >= 0 && (proto === 6 || proto === 17) && end - t >= 4) {
    quoted.srcPort = (b[t] << 8) | b[t + 1];
    quoted.dstPort = (b[t + 2] << 8) | b[t + 3];
    if (layers !== null) layers.push(proto === 6 ? 'tcp' : 'udp');
  } else if (t >= 0 && (proto === 1 || proto === 58) && end - t >= 4 && layers !== null) {
    layers.push(proto === 1 ? 'icmp' : 'icmpv6');
  }
  m.quoted = quoted;
}

export const ICMP_TYPE_NAMES: Record<number, string> = {
  0: 'Echo (ping) reply', 3: 'Destination unreachable', 4: 'Source quench (flow control)', 5: 'Redirect',
  8: 'Echo (ping) request', 9: 'Router advertisement', 10: 'Router solicitation', 11: 'Time-to-live exceeded',
  12: 'Parameter problem', 13: 'Timestamp request', 14: 'Timestamp reply', 17: 'Address mask request',
  18: 'Address mask reply',
};

export const ICMP_UNREACH_CODES: Record<number, string> = {
  0: 'Network unreachable', 1: 'Host unreachable', 2: 'Protocol unreachable', 3: 'Port unreachable',
  4: 'Fragmentation needed', 5: 'Source route failed', 6: 'Destination network unknown',
  7: 'Destination host unknown', 9: 'Network administratively prohibited', 10: 'Host administratively prohibited',
  13: 'Communication administratively filtered',
};

export const ICMPV6_TYPE_NAMES: Record<number, string> = {
  1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem',
  128: 'Echo (ping) request', 129: 'Echo (ping) reply', 130: 'Multicast Listener Query',
  131: 'Multicast Listener Report', 132: 'Multicast Listener Done', 133: 'Router Solicitation',
  134: 'Router Advertisement', 135: 'Neighbor Solicitation', 136: 'Neighbor Advertisement', 137: 'Redirect',
  143: 'Multicast Listener Report Message v2',
};
