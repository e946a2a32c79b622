// The packet details tree the desktop app shows for one frame: frame, link layer, shims, IP, TCP/UDP/ICMP with
// their options, then the payload as one node (application details come from the TLS/DNS/QUIC decoders).
// Field names are Wireshark's display-filter names so that users can look them up; labels read like tshark -V.
// Not on the per-packet path: this allocates freely and is only called for the frame the user selects.
import type { RawFrame } from '../../capture/frame';
import type { LayerIssue } from '../packet';
import { PacketDecoder } from '../decode';
import { hexColon, ipv4String, ipv6String, macString } from './addresses';
import { ARP_OPCODES } from './arp';
import { IEEE_802_3_MAX_LEN } from './ethernet';
import { greHeaderLength } from './gre';
import { ICMP_TYPE_NAMES, ICMP_UNREACH_CODES, ICMPV6_TYPE_NAMES, isIcmpv4Error, isIcmpv6Error } from './icmp';
import { IPV4_OPTION_NAMES, ipv4Options } from './ipv4';
import { IPPROTO_AH, IPPROTO_FRAGMENT, ipv6ExtLayerName, isIpv6Extension } from './ipv6';
import { EtherType, etherTypeByIpVersion, NO_NEXT } from './link';
import { mplsEntry } from './mpls';
import { familyToEtherType, nullFamily } from './null';
import { NFULA_NAMES, NFULA_PAYLOAD, nflogBigEndian } from './nflog';
import { pppHeader, pppProtocolToEtherType } from './ppp';
import { defaultRegistry, ETHERTYPE_NAMES, EtherKind, IP_PROTOCOL_NAMES, IpKind, LINK_TYPES, LinkKind,
  type WireRegistry } from './registry';
import { ARPHRD_NETLINK, SLL_P_802_2, SLL_PACKET_TYPES } from './sll';
import { TCP_OPTION_NAMES, tcpOptionSpans, TFO_EXPERIMENT_ID } from './tcp';

export interface LayerNode {
  /** Wireshark field name, e.g. 'tcp.srcport', or the protocol name, e.g. 'tcp'. */
  name: string;
  /** What the row says, e.g. 'Source Port: 443'. */
  label: string;
  /** Bytes of the frame the row covers (for highlighting in the hex view). */
  offset: number;
  length: number;
  children?: LayerNode[];
}

function n(name: string, label: string, offset: number, length: number, children?: LayerNode[]): LayerNode {
  return children === undefined ? { name, label, offset, length } : { name, label, offset, length, children };
}

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const hex = (v: number, digits: number) => '0x' + v.toString(16).padStart(digits, '0');

function etherTypeLabel(t: number): string {
  const name = ETHERTYPE_NAMES[t];
  return `${name ?? 'Unknown'} (${hex(t, 4)})`;
}

function ipProtoLabel(p: number): string {
  return `${IP_PROTOCOL_NAMES[p] ?? 'Unknown'} (${p})`;
}

/** One walk over the frame; `end` shrinks as IP lengths bound what follows. */
interface Walk {
  b: Uint8Array;
  out: LayerNode[];
  registry: WireRegistry;
  depth: number;
}

/** The details tree of one frame. Never throws; problems show as expert rows like tshark's. */
export function describeFrame(frame: RawFrame, registry: WireRegistry = defaultRegistry): LayerNode[] {
  const b = frame.bytes;
  // The decoder gives the layer list and issues; the walk below lays out the fields.
  const p = new PacketDecoder({ reassembleIp: false, registry }).decode(frame);
  const out: LayerNode[] = [frameNode(frame, p.layers, LINK_TYPES[frame.linkType]?.name)];
  const w: Walk = { b, out, registry, depth: 0 };
  try {
    if (p.decoded) linkLayer(w, frame.linkType, b.length);
    else out.push(n('data', `Data (${b.length} bytes)`, 0, b.length));
  } catch {
    // Defensive only: the walk checks lengths itself. A bug here must not break the app's details pane.
  }
  attachIssues(out, p.issues);
  return out;
}

function frameNode(f: RawFrame, layers: string[], linkName: string | undefined): LayerNode {
  const cap = f.bytes.length;
  const ns = String(f.tsNsec).padStart(9, '0');
  const iso = new Date(f.tsSec * 1000).toISOString().replace(/\.\d{3}Z$/, `.${ns}Z`);
  return n('frame', `Frame ${f.index}: ${f.originalLength} bytes on wire (${f.originalLength * 8} bits), ${cap} bytes captured (${cap * 8} bits)`, 0, cap, [
    n('frame.interface_id', `Interface id: ${f.interface}`, 0, 0),
    n('frame.encap_type', `Encapsulation type: ${linkName ?? 'Unknown'} (LINKTYPE ${f.linkType})`, 0, 0),
    n('frame.time', `Arrival Time: ${iso}`, 0, 0),
    n('frame.time_epoch', `Epoch Time: ${f.tsSec}.${ns} seconds`, 0, 0),
    n('frame.number', `Frame Number: ${f.index}`, 0, 0),
    n('frame.len', `Frame Length: ${f.originalLength} bytes (${f.originalLength * 8} bits)`, 0, 0),
    n('frame.cap_len', `Capture Length: ${cap} bytes (${cap * 8} bits)`, 0, 0),
    n('frame.protocols', `[Protocols in frame: ${layers.join(':')}]`, 0, 0),
    ...(f.comments ?? []).map((c) => n('frame.comment', `Comment: ${c}`, 0, 0)),
  ]);
}

/** Puts each issue under the last node of its layer (or at the end), as tshark's expert rows. */
function attachIssues(out: LayerNode[], issues: LayerIssue[]): void {
  for (const i of issues) {
    const row = i.truncated
      ? n('_ws.short', `[Packet size limited during capture: ${i.layer} truncated: ${i.reason}]`, i.offset, 0)
      : n('_ws.malformed', `[Malformed Packet: ${i.layer}: ${i.reason}]`, i.offset, 0);
    let host: LayerNode | undefined;
    for (let k = out.length - 1; k >= 0; k--) if (out[k].name === i.layer) { host = out[k]; break; }
    if (host) (host.children ??= []).push(row);
    else out.push(row);
  }
}

function linkLayer(w: Walk, linkType: number, end: number): void {
  const b = w.b;
  switch (w.registry.linkKindOf(linkType)) {
    case LinkKind.ETHERNET: return ethernet(w, 0, end);
    case LinkKind.RAW: {
      if (end < 1) return;
      w.out.push(n('raw', 'Raw packet data', 0, end, [n('', 'No link information available', 0, 0)]));
      return etherType(w, etherTypeByIpVersion(b[0]), 0, end);
    }
    case LinkKind.IPV4: return etherType(w, EtherType.IPV4, 0, end);
    case LinkKind.IPV6: return etherType(w, EtherType.IPV6, 0, end);
    case LinkKind.NULL:
    case LinkKind.LOOP: {
      if (end < 4) return;
      const fam = nullFamily(b, 0, linkType === 108);
      const et = familyToEtherType(fam);
      const famName = et === EtherType.IPV4 ? 'IP' : et === EtherType.IPV6 ? 'IPv6' : 'Unknown';
      w.out.push(n('null', 'Null/Loopback', 0, 4, [n('null.family', `Family: ${famName} (${fam})`, 0, 4)]));
      return etherType(w, et, 4, end);
    }
    case LinkKind.PPP: {
      const h = pppHeader(b, 0, end);
      if (h === null) return;
      const kids: LayerNode[] = [];
      let o = 0;
      if (h.hdlc) {
        kids.push(n('ppp.address', 'Address: 0xff', 0, 1), n('ppp.control', 'Control: 0x03', 1, 1));
        o = 2;
      }
      kids.push(n('ppp.protocol', `Protocol: ${PPP_NAMES[h.protocol] ?? 'Unknown'} (${hex(h.protocol, 4)})`, o, h.protoLen));
      w.out.push(n('ppp', 'Point-to-Point Protocol', 0, o + h.protoLen, kids));
      return etherType(w, pppProtocolToEtherType(h.protocol), o + h.protoLen, end);
    }
    case LinkKind.SLL: return sll(w, end, false);
    case LinkKind.SLL2: return sll(w, end, true);
    case LinkKind.NFLOG: return nflog(w, end);
    default:
      w.out.push(n('data', `Data (${end} bytes)`, 0, end));
  }
}

const PPP_NAMES: Record<number, string> = {
  0x0021: 'Internet Protocol version 4', 0x0057: 'Internet Protocol version 6', 0x0281: 'MPLS',
  0x0283: 'MPLS multicast', 0xc021: 'Link Control Protocol', 0x8021: 'Internet Protocol Control Protocol',
  0x8057: 'IPv6 Control Protocol', 0xc023: 'Password Authentication Protocol',
  0xc223: 'Challenge Handshake Authentication Protocol',
};

function ethernet(w: Walk, off: number, end: number): void {
  const b = w.b;
  if (end - off < 14) {
    w.out.push(n('eth', 'Ethernet II', off, end - off));
    return;
  }
  const dst = macString(b, off), src = macString(b, off + 6);
  const t = u16(b, off + 12);
  if (t >= 0x0600) {
    w.out.push(n('eth', `Ethernet II, Src: ${src}, Dst: ${dst}`, off, 14, [
      n('eth.dst', `Destination: ${dst}`, off, 6),
      n('eth.src', `Source: ${src}`, off + 6, 6),
      n('eth.type', `Type: ${etherTypeLabel(t)}`, off + 12, 2),
    ]));
    return etherType(w, t, off + 14, end);
  }
  w.out.push(n('eth', `IEEE 802.3 Ethernet, Src: ${src}, Dst: ${dst}`, off, 14, [
    n('eth.dst', `Destination: ${dst}`, off, 6),
    n('eth.src', `Source: ${src}`, off + 6, 6),
    n('eth.len', `Length: ${t}`, off + 12, 2),
  ]));
  if (t <= IEEE_802_3_MAX_LEN) llc(w, off + 14, end);
}

function llc(w: Walk, o: number, end: number): void {
  const b = w.b;
  if (end - o < 3) return;
  if (b[o] === 0xff && b[o + 1] === 0xff) {
    w.out.push(n('ipx', 'Internetwork Packet eXchange (raw 802.3)', o, end - o));
    return;
  }
  const dsap = b[o], ssap = b[o + 1];
  const ctlLen = (b[o + 2] & 3) === 3 ? 1 : 2;
  const kids = [
    n('llc.dsap', `DSAP: ${hex(dsap, 2)}`, o, 1),
    n('llc.ssap', `SSAP: ${hex(ssap, 2)}`, o + 1, 1),
    n('llc.control', `Control field: ${hex(ctlLen === 1 ? b[o + 2] : u16(b, o + 2), ctlLen * 2)}`, o + 2, ctlLen),
  ];
  if (dsap === 0xaa && ssap === 0xaa && ctlLen === 1 && end - o >= 8) {
    const oui = (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5];
    const pid = u16(b, o + 6);
    kids.push(n('llc.oui', `Organization Code: ${hex(oui, 6)}`, o + 3, 3),
      n(oui === 0 ? 'llc.type' : 'llc.pid', oui === 0 ? `Type: ${etherTypeLabel(pid)}` : `PID: ${hex(pid, 4)}`, o + 6, 2));
    w.out.push(n('llc', 'Logical-Link Control', o, 8, kids));
    if (oui === 0) etherType(w, pid, o + 8, end);
    return;
  }
  w.out.push(n('llc', 'Logical-Link Control', o, 2 + ctlLen, kids));
  if (end - o > 2 + ctlLen) data(w, o + 2 + ctlLen, end);
}

function sll(w: Walk, end: number, v2: boolean): void {
  const b = w.b;
  const hl = v2 ? 20 : 16;
  if (end < hl) return;
  const pkttype = v2 ? b[10] : u16(b, 0);
  const hatype = v2 ? u16(b, 8) : u16(b, 2);
  const halen = v2 ? b[11] : u16(b, 4);
  const ao = v2 ? 12 : 6;
  const proto = v2 ? u16(b, 0) : u16(b, 14);
  const addr = halen === 6 ? macString(b, ao) : hexColon(b, ao, Math.min(halen, 8));
  const kids: LayerNode[] = [];
  const protoRow = n('sll.etype', `Protocol: ${proto >= 0x0600 ? etherTypeLabel(proto) : hex(proto, 4)}`, v2 ? 0 : 14, 2);
  if (v2) {
    kids.push(protoRow, n('sll.ifindex', `Interface index: ${u32(b, 4)}`, 4, 4));
  }
  const pktRow = n('sll.pkttype', `Packet type: ${SLL_PACKET_TYPES[pkttype] ?? 'Unknown'} (${pkttype})`, v2 ? 10 : 0, v2 ? 1 : 2);
  const haRow = n('sll.hatype', `Link-layer address type: ${hatype}`, v2 ? 8 : 2, 2);
  if (v2) kids.push(haRow, pktRow); else kids.push(pktRow, haRow);
  kids.push(n('sll.halen', `Link-layer address length: ${halen}`, v2 ? 11 : 4, v2 ? 1 : 2));
  if (halen > 0) kids.push(n('sll.src.eth', `Source: ${addr}`, ao, Math.min(halen, 8)));
  if (!v2) kids.push(protoRow);
  w.out.push(n('sll', `Linux cooked capture v${v2 ? 2 : 1}`, 0, hl, kids));
  if (hatype === ARPHRD_NETLINK) return data(w, hl, end);
  if (proto >= 0x0600) return etherType(w, proto, hl, end);
  if (proto === SLL_P_802_2) return llc(w, hl, end);
  data(w, hl, end);
}

function nflog(w: Walk, end: number): void {
  const b = w.b;
  if (end < 4) return;
  const fam = b[0];
  const kids: LayerNode[] = [
    n('nflog.family', `Family: ${fam === 2 ? 'IPv4' : fam === 10 ? 'IPv6' : 'Unknown'} (${fam})`, 0, 1),
    n('nflog.version', `Version: ${b[1]}`, 1, 1),
    n('nflog.res_id', `Resource id: ${u16(b, 2)}`, 2, 2),
  ];
  const node = n('nflog', 'Linux Netfilter NFLOG', 0, 4, kids);
  w.out.push(node);
  const be = nflogBigEndian(b, 0, end);
  let o = 4;
  while (end - o >= 4) {
    const len = be ? u16(b, o) : b[o] | (b[o + 1] << 8);
    const type = (be ? u16(b, o + 2) : b[o + 2] | (b[o + 3] << 8)) & 0x7fff;
    if (len < 4) break;
    const name = NFULA_NAMES[type] ?? 'Unknown';
    kids.push(n('nflog.tlv', `TLV Type: ${name} (${type}), Length: ${len}`, o, Math.min(len, end - o), [
      n('nflog.tlv_length', `Length: ${len}`, o, 2),
      n('nflog.tlv_type', `Type: ${name} (${type})`, o + 2, 2),
    ]));
    if (type === NFULA_PAYLOAD) {
      node.length = o + 4;
      const et = fam === 2 ? EtherType.IPV4 : fam === 10 ? EtherType.IPV6 : NO_NEXT;
      return etherType(w, et, o + 4, Math.min(end, o + len));
    }
    o += (len + 3) & ~3;
  }
  node.length = Math.min(o, end);
}

function etherType(w: Walk, et: number, off: number, end: number): void {
  const b = w.b;
  if (off > end || ++w.depth > 32) return;
  switch (w.registry.etherKindOf(et)) {
    case EtherKind.IPV4: return ipv4(w, off, end);
    case EtherKind.IPV6: return ipv6(w, off, end);
    case EtherKind.VLAN: {
      if (end - off < 4) return;
      const tci = u16(b, off), pcp = tci >> 13, dei = (tci >> 12) & 1, id = tci & 0xfff;
      const inner = u16(b, off + 2);
      const ad = et === EtherType.QINQ;
      const p = ad ? 'ieee8021ad' : 'vlan';
      w.out.push(n(p, ad ? `IEEE 802.1ad, ID: ${id}` : `802.1Q Virtual LAN, PRI: ${pcp}, DEI: ${dei}, ID: ${id}`, off, 4, [
        n(`${p}.priority`, `Priority: ${pcp}`, off, ad ? 1 : 2),
        n(`${p}.dei`, `DEI: ${dei}`, off, ad ? 1 : 2),
        n(`${p}.id`, `ID: ${id}`, off, 2),
        n(ad ? 'ieee8021ah.etype' : 'vlan.etype', `Type: ${etherTypeLabel(inner)}`, off + 2, 2),
      ]));
      return etherType(w, inner >= 0x0600 ? inner : NO_NEXT, off + 4, end);
    }
    case EtherKind.MPLS: {
      const kids: LayerNode[] = [];
      let o = off;
      let bottom = false;
      while (!bottom && end - o >= 4) {
        const e = mplsEntry(b, o);
        kids.push(n('mpls.label', `MPLS Label: ${e.label}, Exp: ${e.tc}, S: ${e.bottom ? 1 : 0}, TTL: ${e.ttl}`, o, 4));
        bottom = e.bottom;
        o += 4;
      }
      w.out.push(n('mpls', 'MultiProtocol Label Switching Header', off, o - off, kids));
      if (!bottom || o >= end) return;
      return etherType(w, etherTypeByIpVersion(b[o]), o, end);
    }
    case EtherKind.ETHERNET: return ethernet(w, off, end);
    case EtherKind.ARP: return arp(w, off, end);
    default:
      if (end > off) data(w, off, end);
  }
}

function arp(w: Walk, off: number, end: number): void {
  const b = w.b;
  if (end - off < 8) {
    w.out.push(n('arp', 'Address Resolution Protocol', off, end - off));
    return;
  }
  const hlen = b[off + 4], plen = b[off + 5], op = u16(b, off + 6);
  const total = 8 + 2 * (hlen + plen);
  const kids = [
    n('arp.hw.type', `Hardware type: ${u16(b, off)}`, off, 2),
    n('arp.proto.type', `Protocol type: ${etherTypeLabel(u16(b, off + 2))}`, off + 2, 2),
    n('arp.hw.size', `Hardware size: ${hlen}`, off + 4, 1),
    n('arp.proto.size', `Protocol size: ${plen}`, off + 5, 1),
    n('arp.opcode', `Opcode: ${ARP_OPCODES[op] ?? 'unknown'} (${op})`, off + 6, 2),
  ];
  if (end - off >= total) {
    let o = off + 8;
    const addr = (len: number, ip: boolean) => (ip && len === 4 ? ipv4String(b, o) : len === 6 ? macString(b, o) : hexColon(b, o, len));
    kids.push(n('arp.src.hw_mac', `Sender MAC address: ${addr(hlen, false)}`, o, hlen)); o += hlen;
    kids.push(n('arp.src.proto_ipv4', `Sender IP address: ${addr(plen, true)}`, o, plen)); o += plen;
    kids.push(n('arp.dst.hw_mac', `Target MAC address: ${addr(hlen, false)}`, o, hlen)); o += hlen;
    kids.push(n('arp.dst.proto_ipv4', `Target IP address: ${addr(plen, true)}`, o, plen));
  }
  w.out.push(n('arp', `Address Resolution Protocol (${ARP_OPCODES[op] ?? 'unknown'})`, off, Math.min(total, end - off), kids));
}

function ipv4(w: Walk, off: number, end: number): void {
  const b = w.b;
  if (end - off < 20 || b[off] >> 4 !== 4) {
    w.out.push(n('ip', 'Internet Protocol Version 4', off, Math.max(0, end - off)));
    return;
  }
  const hl = (b[off] & 15) * 4;
  let total = u16(b, off + 2);
  if (total === 0) total = end - off;
  const src = ipv4String(b, off + 12), dst = ipv4String(b, off + 16);
  const flags = b[off + 6] >> 5;
  const fragOff = (u16(b, off + 6) & 0x1fff) * 8;
  const proto = b[off + 9];
  const tos = b[off + 1];
  const flagNames = [flags & 4 ? 'Reserved' : '', flags & 2 ? "Don't fragment" : '', flags & 1 ? 'More fragments' : '']
    .filter(Boolean).join(', ');
  const kids: LayerNode[] = [
    n('ip.version', 'Version: 4', off, 1),
    n('ip.hdr_len', `Header Length: ${hl} bytes (${hl / 4})`, off, 1),
    n('ip.dsfield', `Differentiated Services Field: ${hex(tos, 2)} (DSCP: ${tos >> 2}, ECN: ${tos & 3})`, off + 1, 1),
    n('ip.len', `Total Length: ${u16(b, off + 2)}`, off + 2, 2),
    n('ip.id', `Identification: ${hex(u16(b, off + 4), 4)} (${u16(b, off + 4)})`, off + 4, 2),
    n('ip.flags', `Flags: ${hex(flags, 1)}${flagNames ? ', ' + flagNames : ''}`, off + 6, 1, [
      n('ip.flags.rb', `Reserved bit: ${flags & 4 ? 'Set' : 'Not set'}`, off + 6, 1),
      n('ip.flags.df', `Don't fragment: ${flags & 2 ? 'Set' : 'Not set'}`, off + 6, 1),
      n('ip.flags.mf', `More fragments: ${flags & 1 ? 'Set' : 'Not set'}`, off + 6, 1),
    ]),
    n('ip.frag_offset', `Fragment Offset: ${fragOff}`, off + 6, 2),
    n('ip.ttl', `Time to Live: ${b[off + 8]}`, off + 8, 1),
    n('ip.proto', `Protocol: ${ipProtoLabel(proto)}`, off + 9, 1),
    n('ip.checksum', `Header Checksum: ${hex(u16(b, off + 10), 4)} [validation disabled]`, off + 10, 2),
    n('ip.src', `Source Address: ${src}`, off + 12, 4),
    n('ip.dst', `Destination Address: ${dst}`, off + 16, 4),
  ];
  if (hl > 20 && end - off >= hl) {
    const opts = ipv4Options(b, off + 20, off + hl);
    kids.push(n('', `Options: (${hl - 20} bytes)`, off + 20, hl - 20, opts.map((o) => {
      const parts = [n('ip.opt.type', `Type: ${o.type}`, o.offset, 1)];
      if (o.length >= 2) parts.push(n('ip.opt.len', `Length: ${b[o.offset + 1]}`, o.offset + 1, 1));
      return n(o.type === 148 ? 'ip.options.routeralert' : '',
        `IP Option - ${IPV4_OPTION_NAMES[o.type] ?? `Unknown (${o.type})`} (${o.length} bytes)${o.bad ? ` [${o.bad}]` : ''}`,
        o.offset, o.length, parts);
    })));
  }
  w.out.push(n('ip', `Internet Protocol Version 4, Src: ${src}, Dst: ${dst}`, off, Math.min(hl, end - off), kids));
  if (hl < 20 || end - off < hl || total < hl) return;
  const capEnd = Math.min(end, off + total);
  if ((flags & 1) || fragOff) {
    kids.push(n('', `[IPv4 fragment: offset ${fragOff}, ${off + total - (off + hl)} bytes${flags & 1 ? ', more follow' : ', last'}]`, off + hl, capEnd - off - hl));
    return data(w, off + hl, capEnd);
  }
  transport(w, proto, off + hl, capEnd, total - hl);
}

function ipv6(w: Walk, off: number, end: number): void {
  const b = w.b;
  if (end - off < 40 || b[off] >> 4 !== 6) {
    w.out.push(n('ipv6', 'Internet Protocol Version 6', off, Math.max(0, end - off)));
    return;
  }
  const src = ipv6String(b, off + 8), dst = ipv6String(b, off + 24);
  const tc = ((b[off] & 15) << 4) | (b[off + 1] >> 4);
  const flow = ((b[off + 1] & 15) << 16) | u16(b, off + 2);
  let plen = u16(b, off + 4);
  const nh0 = b[off + 6];
  if (plen === 0 && nh0 !== 59 && end - off > 40) plen = end - off - 40;
  const kids: LayerNode[] = [
    n('ipv6.version', 'Version: 6', off, 1),
    n('ipv6.tclass', `Traffic Class: ${hex(tc, 2)} (DSCP: ${tc >> 2}, ECN: ${tc & 3})`, off, 4),
    n('ipv6.flow', `Flow Label: ${hex(flow, 5)}`, off + 1, 3),
    n('ipv6.plen', `Payload Length: ${u16(b, off + 4)}`, off + 4, 2),
    n('ipv6.nxt', `Next Header: ${ipProtoLabel(nh0)}`, off + 6, 1),
    n('ipv6.hlim', `Hop Limit: ${b[off + 7]}`, off + 7, 1),
    n('ipv6.src', `Source Address: ${src}`, off + 8, 16),
    n('ipv6.dst', `Destination Address: ${dst}`, off + 24, 16),
  ];
  w.out.push(n('ipv6', `Internet Protocol Version 6, Src: ${src}, Dst: ${dst}`, off, 40, kids));
  const capEnd = Math.min(end, off + 40 + plen);
  const wireEnd = off + 40 + plen;
  let nh = nh0;
  let o = off + 40;
  while (isIpv6Extension(nh)) {
    const name = ipv6ExtLayerName(nh);
    if (capEnd - o < (nh === IPPROTO_FRAGMENT ? 8 : 2)) return;
    const len = nh === IPPROTO_FRAGMENT ? 8 : nh === IPPROTO_AH ? (b[o + 1] + 2) * 4 : (b[o + 1] + 1) * 8;
    const next = b[o];
    const ext: LayerNode[] = [n(`${name}.nxt`, `Next Header: ${ipProtoLabel(next)}`, o, 1)];
    if (nh === IPPROTO_FRAGMENT) {
      const fo = u16(b, o + 2) & 0xfff8, more = b[o + 3] & 1;
      ext.push(n('ipv6.fraghdr.offset', `Offset: ${fo / 8} (${fo} bytes)`, o + 2, 2),
        n('ipv6.fraghdr.more', `More Fragments: ${more ? 'Yes' : 'No'}`, o + 2, 2),
        n('ipv6.fraghdr.ident', `Identification: ${hex(u32(b, o + 4), 8)}`, o + 4, 4));
      w.out.push(n(name, 'Fragment Header for IPv6', o, 8, ext));
      if (fo !== 0 || more) return data(w, o + 8, capEnd);
    } else {
      ext.push(n(`${name}.len`, `Length: ${b[o + 1]}`, o + 1, 1));
      const title = nh === IPPROTO_AH ? 'Authentication Header' : nh === 0 ? 'IPv6 Hop-by-Hop Option'
        : nh === 43 ? 'Routing Header for IPv6' : 'Destination Options for IPv6';
      w.out.push(n(name, title, o, Math.min(len, capEnd - o), ext));
    }
    if (o + len > capEnd) return;
    nh = next;
    o += len;
  }
  transport(w, nh, o, capEnd, wireEnd - o);
}

function transport(w: Walk, proto: number, off: number, capEnd: number, wireLen: number): void {
  switch (w.registry.ipKindOf(proto)) {
    case IpKind.TCP: return tcp(w, off, capEnd, wireLen);
    case IpKind.UDP: return udp(w, off, capEnd, wireLen);
    case IpKind.ICMP: return icmp(w, off, capEnd, 4);
    case IpKind.ICMPV6: return icmp(w, off, capEnd, 6);
    case IpKind.IPV4: return ipv4(w, off, capEnd);
    case IpKind.IPV6: return ipv6(w, off, capEnd);
    case IpKind.GRE: {
      const b = w.b;
      if (capEnd - off < 4) return;
      const len = greHeaderLength(b, off);
      const t = u16(b, off + 2);
      w.out.push(n('gre', `Generic Routing Encapsulation (${ETHERTYPE_NAMES[t] ?? hex(t, 4)})`, off, Math.min(len, capEnd - off), [
        n('gre.flags_and_version', `Flags and Version: ${hex(u16(b, off), 4)}`, off, 2),
        n('gre.proto', `Protocol Type: ${etherTypeLabel(t)}`, off + 2, 2),
      ]));
      if ((b[off + 1] & 7) !== 0 || capEnd - off < len) return;
      return etherType(w, t, off + len, capEnd);
    }
    default:
      if (capEnd > off) data(w, off, capEnd);
  }
}

const TCP_FLAG_BITS: [number, string, string][] = [
  [0x100, 'tcp.flags.ae', 'Accurate ECN'], [0x80, 'tcp.flags.cwr', 'Congestion Window Reduced'],
  [0x40, 'tcp.flags.ece', 'ECN-Echo'], [0x20, 'tcp.flags.urg', 'Urgent'], [0x10, 'tcp.flags.ack', 'Acknowledgment'],
  [0x08, 'tcp.flags.push', 'Push'], [0x04, 'tcp.flags.reset', 'Reset'], [0x02, 'tcp.flags.syn', 'Syn'],
  [0x01, 'tcp.flags.fin', 'Fin'],
];
const FLAG_NAMES: [number, string][] = [[0x100, 'AE'], [0x80, 'CWR'], [0x40, 'ECE'], [0x20, 'URG'], [0x10, 'ACK'],
  [0x08, 'PSH'], [0x04, 'RST'], [0x02, 'SYN'], [0x01, 'FIN']];

function tcpFlagsText(f: number): string {
  const names = FLAG_NAMES.filter(([bit]) => f & bit).map(([, s]) => s).reverse();
  return `${hex(f, 3)}${names.length ? ` (${names.join(', ')})` : ''}`;
}

/** Ports of a header cut short (an ICMP error quotes only 8 bytes of it). */
function ports(b: Uint8Array, p: string, off: number, end: number): LayerNode[] | undefined {
  if (end - off < 4) return undefined;
  return [n(`${p}.srcport`, `Source Port: ${u16(b, off)}`, off, 2), n(`${p}.dstport`, `Destination Port: ${u16(b, off + 2)}`, off + 2, 2)];
}

function tcp(w: Walk, off: number, capEnd: number, wireLen: number): void {
  const b = w.b;
  if (capEnd - off < 20) {
    w.out.push(n('tcp', 'Transmission Control Protocol', off, Math.max(0, capEnd - off), ports(b, 'tcp', off, capEnd)));
    return;
  }
  const sp = u16(b, off), dp = u16(b, off + 2);
  const hl = (b[off + 12] >> 4) * 4;
  const flags = ((b[off + 12] & 1) << 8) | b[off + 13];
  const len = Math.max(0, wireLen - hl);
  const kids: LayerNode[] = [
    n('tcp.srcport', `Source Port: ${sp}`, off, 2),
    n('tcp.dstport', `Destination Port: ${dp}`, off + 2, 2),
    n('tcp.len', `TCP Segment Len: ${len}`, off + 12, 1),
    n('tcp.seq_raw', `Sequence Number (raw): ${u32(b, off + 4)}`, off + 4, 4),
    n('tcp.ack_raw', `Acknowledgment number (raw): ${u32(b, off + 8)}`, off + 8, 4),
    n('tcp.hdr_len', `Header Length: ${hl} bytes (${hl / 4})`, off + 12, 1),
    n('tcp.flags', `Flags: ${tcpFlagsText(flags)}`, off + 12, 2,
      TCP_FLAG_BITS.map(([bit, name, label]) => n(name, `${label}: ${flags & bit ? 'Set' : 'Not set'}`, bit === 0x100 ? off + 12 : off + 13, 1))),
    n('tcp.window_size_value', `Window: ${u16(b, off + 14)}`, off + 14, 2),
    n('tcp.checksum', `Checksum: ${hex(u16(b, off + 16), 4)} [unverified]`, off + 16, 2),
    n('tcp.urgent_pointer', `Urgent Pointer: ${u16(b, off + 18)}`, off + 18, 2),
  ];
  if (hl > 20) {
    const optEnd = Math.min(off + hl, capEnd);
    const spans = tcpOptionSpans(b, off + 20, optEnd);
    const opts = spans.map((s) => tcpOption(b, s.kind, s.offset, s.length, s.bad));
    kids.push(n('tcp.options', `Options: (${hl - 20} bytes), ${spans.map((s) => TCP_OPTION_NAMES[s.kind] ?? `Unknown (${s.kind})`).join(', ')}`,
      off + 20, optEnd - off - 20, opts));
  }
  w.out.push(n('tcp', `Transmission Control Protocol, Src Port: ${sp}, Dst Port: ${dp}, Len: ${len}`, off,
    Math.min(hl, capEnd - off), kids));
  if (hl >= 20 && off + hl < capEnd) data(w, off + hl, capEnd);
}

function tcpOption(b: Uint8Array, kind: number, o: number, len: number, bad?: string): LayerNode {
  const base = TCP_OPTION_NAMES[kind] ?? `Unknown (${kind})`;
  const kids: LayerNode[] = [n('tcp.option_kind', `Kind: ${base} (${kind})`, o, 1)];
  if (kind > 1 && len >= 2) kids.push(n('tcp.option_len', `Length: ${b[o + 1]}`, o + 1, 1));
  if (bad) return n('tcp.options.unknown', `TCP Option - ${base} [${bad}]`, o, len, kids);
  switch (kind) {
    case 0: return n('tcp.options.eol', 'TCP Option - End of Option List (EOL)', o, 1, kids);
    case 1: return n('tcp.options.nop', 'TCP Option - No-Operation (NOP)', o, 1, kids);
    case 2: {
      const v = u16(b, o + 2);
      kids.push(n('tcp.options.mss_val', `MSS Value: ${v}`, o + 2, 2));
      return n('tcp.options.mss', `TCP Option - Maximum segment size: ${v} bytes`, o, len, kids);
    }
    case 3: {
      const s = b[o + 2];
      kids.push(n('tcp.options.wscale.shift', `Shift count: ${s}`, o + 2, 1),
        n('tcp.options.wscale.multiplier', `Multiplier: ${2 ** Math.min(s, 14)}`, o + 2, 1));
      return n('tcp.options.wscale', `TCP Option - Window scale: ${s} (multiply by ${2 ** Math.min(s, 14)})`, o, len, kids);
    }
    case 4: return n('tcp.options.sack_perm', 'TCP Option - SACK permitted', o, len, kids);
    case 5: {
      const blocks: string[] = [];
      for (let p = o + 2; p + 8 <= o + len; p += 8) {
        kids.push(n('tcp.options.sack_le', `left edge = ${u32(b, p)}`, p, 4), n('tcp.options.sack_re', `right edge = ${u32(b, p + 4)}`, p + 4, 4));
        blocks.push(`${u32(b, p)}-${u32(b, p + 4)}`);
      }
      return n('tcp.options.sack', `TCP Option - SACK ${blocks.join(' ')}`, o, len, kids);
    }
    case 8: {
      const v = u32(b, o + 2), e = u32(b, o + 6);
      kids.push(n('tcp.options.timestamp.tsval', `Timestamp value: ${v}`, o + 2, 4),
        n('tcp.options.timestamp.tsecr', `Timestamp echo reply: ${e}`, o + 6, 4));
      return n('tcp.options.timestamp', `TCP Option - Timestamps: TSval ${v}, TSecr ${e}`, o, len, kids);
    }
    case 34: {
      if (len > 2) kids.push(n('tcp.options.tfo.cookie', `Fast Open Cookie: ${hexColon(b, o + 2, len - 2).replace(/:/g, '')}`, o + 2, len - 2));
      return n('tcp.options.tfo', `TCP Option - TCP Fast Open${len === 2 ? ' Cookie Request' : ''}`, o, len, kids);
    }
    case 254:
    case 253:
      if (len >= 4) {
        const exid = u16(b, o + 2);
        const tfo = exid === TFO_EXPERIMENT_ID;
        kids.push(n('tcp.options.experimental.exid', `Experiment Identifier: ${tfo ? 'Fast Open ' : ''}(${hex(exid, 4)})`, o + 2, 2));
        return n('tcp.options.experimental', `TCP Option - Experimental${tfo ? ': Fast Open' : ''}`, o, len, kids);
      }
      return n('tcp.options.experimental', 'TCP Option - Experimental', o, len, kids);
    default:
      return n(`tcp.options.${kind === 19 ? 'md5' : kind === 28 ? 'user_to' : kind === 30 ? 'mptcp' : 'unknown'}`, `TCP Option - ${base}`, o, len, kids);
  }
}

function udp(w: Walk, off: number, capEnd: number, wireLen: number): void {
  const b = w.b;
  if (capEnd - off < 8) {
    w.out.push(n('udp', 'User Datagram Protocol', off, Math.max(0, capEnd - off), ports(b, 'udp', off, capEnd)));
    return;
  }
  const sp = u16(b, off), dp = u16(b, off + 2), len = u16(b, off + 4);
  w.out.push(n('udp', `User Datagram Protocol, Src Port: ${sp}, Dst Port: ${dp}`, off, 8, [
    n('udp.srcport', `Source Port: ${sp}`, off, 2),
    n('udp.dstport', `Destination Port: ${dp}`, off + 2, 2),
    n('udp.length', `Length: ${len}`, off + 4, 2),
    n('udp.checksum', `Checksum: ${hex(u16(b, off + 6), 4)} [unverified]`, off + 6, 2),
    n('udp.payload', `UDP payload (${Math.max(0, (len >= 8 && len <= wireLen ? len : wireLen) - 8)} bytes)`, off + 8, Math.max(0, capEnd - off - 8)),
  ]));
  const e = len >= 8 && len <= wireLen ? Math.min(capEnd, off + len) : capEnd;
  if (off + 8 < e) data(w, off + 8, e);
}

function icmp(w: Walk, off: number, capEnd: number, v: 4 | 6): void {
  const b = w.b;
  const p = v === 4 ? 'icmp' : 'icmpv6';
  const title = v === 4 ? 'Internet Control Message Protocol' : 'Internet Control Message Protocol v6';
  if (capEnd - off < 4) {
    w.out.push(n(p, title, off, Math.max(0, capEnd - off)));
    return;
  }
  const type = b[off], code = b[off + 1];
  const typeName = (v === 4 ? ICMP_TYPE_NAMES : ICMPV6_TYPE_NAMES)[type];
  const codeName = v === 4 && type === 3 ? ICMP_UNREACH_CODES[code] : undefined;
  const kids: LayerNode[] = [
    n(`${p}.type`, `Type: ${type}${typeName ? ` (${typeName})` : ''}`, off, 1),
    n(`${p}.code`, `Code: ${code}${codeName ? ` (${codeName})` : ''}`, off + 1, 1),
    n(`${p}.checksum`, `Checksum: ${hex(u16(b, off + 2), 4)} [unverified]`, off + 2, 2),
  ];
  const echo = v === 4 ? type === 0 || type === 8 : type === 128 || type === 129;
  if (echo && capEnd - off >= 8) {
    kids.push(n(v === 4 ? 'icmp.ident' : 'icmpv6.echo.identifier', `Identifier: ${u16(b, off + 4)} (${hex(u16(b, off + 4), 4)})`, off + 4, 2),
      n(v === 4 ? 'icmp.seq' : 'icmpv6.echo.sequence_number', `Sequence Number: ${u16(b, off + 6)} (${hex(u16(b, off + 6), 4)})`, off + 6, 2));
  }
  w.out.push(n(p, title, off, Math.min(8, capEnd - off), kids));
  const isErr = v === 4 ? isIcmpv4Error(type) : isIcmpv6Error(type);
  if (isErr && capEnd - off > 8) {
    // The quoted packet: its headers are shown, but it is not part of any conversation.
    const q = off + 8;
    const ver = b[q] >> 4;
    if (ver === 4) ipv4(w, q, capEnd); else if (ver === 6) ipv6(w, q, capEnd); else data(w, q, capEnd);
    return;
  }
  if (capEnd - off > 8) data(w, off + 8, capEnd);
}

function data(w: Walk, off: number, end: number): void {
  if (end <= off) return;
  w.out.push(n('data', `Data (${end - off} bytes)`, off, end - off, [
    n('data.data', `Data: ${hexColon(w.b, off, Math.min(end - off, 32)).replace(/:/g, '')}${end - off > 32 ? '…' : ''}`, off, end - off),
    n('data.len', `Length: ${end - off}`, off, 0),
  ]));
}
