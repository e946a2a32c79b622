// Picks the next layer: link type -> link decoder, EtherType -> VLAN/MPLS/IP/ARP, IP protocol -> transport, and
// TCP/UDP port or heuristic -> application protocol name. Lookups on the per-packet path are typed-array reads.
// The application choice is only a mechanism: the analysis pipeline registers its ports and heuristics (TLS, DNS,
// QUIC on unusual ports) and asks classifyTcp/classifyUdp; the wire decoder itself stops at the transport layer.
import type { DecodedPacket } from '../packet';

/** Link-layer decoders known to PacketDecoder. */
export enum LinkKind {
  UNKNOWN = 0, ETHERNET = 1, RAW = 2, IPV4 = 3, IPV6 = 4, NULL = 5, LOOP = 6, PPP = 7, SLL = 8, SLL2 = 9, NFLOG = 10,
}
export type LinkKindCode = LinkKind;

/** What an EtherType leads to. */
export enum EtherKind { NONE = 0, IPV4 = 1, IPV6 = 2, ARP = 3, VLAN = 4, MPLS = 5, ETHERNET = 6 }
export type EtherKindCode = EtherKind;

/** What an IP protocol number leads to. */
export enum IpKind { NONE = 0, TCP = 1, UDP = 2, ICMP = 3, ICMPV6 = 4, IPV4 = 5, IPV6 = 6, GRE = 7 }
export type IpKindCode = IpKind;

/** LINKTYPE_* values (tcpdump.org/linktypes.html) decoded here, with tshark's protocol name for the link layer. */
export const LINK_TYPES: Record<number, { kind: LinkKindCode; name: string; layer: string }> = {
  0: { kind: LinkKind.NULL, name: 'NULL (BSD loopback)', layer: 'null' },
  1: { kind: LinkKind.ETHERNET, name: 'Ethernet', layer: 'eth' },
  9: { kind: LinkKind.PPP, name: 'PPP', layer: 'ppp' },
  12: { kind: LinkKind.RAW, name: 'Raw IP (DLT_RAW 12)', layer: 'raw' },
  14: { kind: LinkKind.RAW, name: 'Raw IP (DLT_RAW 14)', layer: 'raw' },
  50: { kind: LinkKind.PPP, name: 'PPP in HDLC-like framing', layer: 'ppp' },
  101: { kind: LinkKind.RAW, name: 'Raw IP', layer: 'raw' },
  108: { kind: LinkKind.LOOP, name: 'OpenBSD loopback', layer: 'null' },
  113: { kind: LinkKind.SLL, name: 'Linux cooked capture v1', layer: 'sll' },
  228: { kind: LinkKind.IPV4, name: 'Raw IPv4', layer: '' },
  229: { kind: LinkKind.IPV6, name: 'Raw IPv6', layer: '' },
  239: { kind: LinkKind.NFLOG, name: 'Linux netfilter log (NFLOG)', layer: 'nflog' },
  276: { kind: LinkKind.SLL2, name: 'Linux cooked capture v2', layer: 'sll' },
};

export const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x8100: '802.1Q Virtual LAN', 0x88a8: '802.1ad Provider Bridge (Q-in-Q)',
  0x9100: 'VLAN tag (0x9100)', 0x86dd: 'IPv6', 0x8847: 'MPLS label switched packet',
  0x8848: 'MPLS multicast label switched packet', 0x6558: 'Transparent Ethernet bridging', 0x8035: 'RARP',
  0x88cc: '802.1 Link Layer Discovery Protocol (LLDP)', 0x8863: 'PPPoE Discovery', 0x8864: 'PPPoE Session',
  0x888e: '802.1X Authentication', 0x88e5: '802.1AE (MACsec)', 0x8809: 'Slow Protocols', 0x88f7: 'PTPv2 over Ethernet (IEEE1588)',
};

export const IP_PROTOCOL_NAMES: Record<number, string> = {
  0: 'IPv6 Hop-by-Hop Option', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6',
  43: 'IPv6 routing', 44: 'IPv6 fragment', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 59: 'IPv6 no next header',
  60: 'IPv6 destination option', 89: 'OSPF IGP', 103: 'PIM', 112: 'VRRP', 132: 'SCTP', 136: 'UDPLite',
};

/** A heuristic: looks at a transport payload b[start..end) and says whether `protocol` is spoken there. */
export type HeuristicTest = (b: Uint8Array, start: number, end: number, p: DecodedPacket) => boolean;

interface Heuristic {
  protocol: string;
  test: HeuristicTest;
}

export class WireRegistry {
  private readonly linkKinds = new Uint8Array(65536);
  private readonly etherKinds = new Uint8Array(65536);
  private readonly ipKinds = new Uint8Array(256);
  private readonly tcpPorts = new Map<number, string>();
  private readonly udpPorts = new Map<number, string>();
  private readonly heuristics: Record<'tcp' | 'udp', { before: Heuristic[]; after: Heuristic[] }> = {
    tcp: { before: [], after: [] },
    udp: { before: [], after: [] },
  };

  constructor() {
    for (const [lt, info] of Object.entries(LINK_TYPES)) this.linkKinds[Number(lt)] = info.kind;
    this.registerEtherType(0x0800, EtherKind.IPV4);
    this.registerEtherType(0x86dd, EtherKind.IPV6);
    this.registerEtherType(0x0806, EtherKind.ARP);
    this.registerEtherType(0x8035, EtherKind.ARP); // RARP: tshark's arp dissector too
    this.registerEtherType(0x8100, EtherKind.VLAN);
    this.registerEtherType(0x88a8, EtherKind.VLAN);
    this.registerEtherType(0x9100, EtherKind.VLAN);
    this.registerEtherType(0x8847, EtherKind.MPLS);
    this.registerEtherType(0x8848, EtherKind.MPLS);
    this.registerEtherType(0x6558, EtherKind.ETHERNET);
    this.registerIpProtocol(6, IpKind.TCP);
    this.registerIpProtocol(17, IpKind.UDP);
    this.registerIpProtocol(1, IpKind.ICMP);
    this.registerIpProtocol(58, IpKind.ICMPV6);
    this.registerIpProtocol(4, IpKind.IPV4);
    this.registerIpProtocol(41, IpKind.IPV6);
    this.registerIpProtocol(47, IpKind.GRE);
  }

  /** Decode frames of `linkType` with one of the built-in link decoders (e.g. a DLT_USERn carrying Ethernet). */
  registerLinkType(linkType: number, kind: LinkKindCode): void {
    if (linkType >= 0 && linkType < 65536) this.linkKinds[linkType] = kind;
  }

  registerEtherType(etherType: number, kind: EtherKindCode): void {
    this.etherKinds[etherType & 0xffff] = kind;
  }

  registerIpProtocol(protocol: number, kind: IpKindCode): void {
    this.ipKinds[protocol & 0xff] = kind;
  }

  linkKindOf(linkType: number): number {
    return linkType >= 0 && linkType < 65536 ? this.linkKinds[linkType] : LinkKind.UNKNOWN;
  }

  etherKindOf(etherType: number): number {
    return etherType >= 0 ? this.etherKinds[etherType & 0xffff] : EtherKind.NONE;
  }

  ipKindOf(protocol: number): number {
    return protocol >= 0 ? this.ipKinds[protocol & 0xff] : IpKind.NONE;
  }

  registerTcpPort(port: number, protocol: string): void {
    this.tcpPorts.set(port, protocol);
  }

  registerUdpPort(port: number, protocol: string): void {
    this.udpPorts.set(port, protocol);
  }

  /**
   * Adds a heuristic for payloads of `transport`. By default it runs after the port tables found nothing (as
   * Wireshark's heuristic dissectors do); `{ first: true }` runs it before the ports (Wireshark's "try heuristic
   * sub-dissectors first"). Heuristics run in registration order.
   */
  registerHeuristic(transport: 'tcp' | 'udp', protocol: string, test: HeuristicTest, opts: { first?: boolean } = {}): void {
    const h = this.heuristics[transport];
    (opts.first ? h.before : h.after).push({ protocol, test });
  }

  tcpPortProtocol(port: number): string | undefined {
    return this.tcpPorts.get(port);
  }

  udpPortProtocol(port: number): string | undefined {
    return this.udpPorts.get(port);
  }

  /** Application protocol of a TCP segment: first-heuristics, then the lower port, the higher port, then heuristics. */
  classifyTcp(p: DecodedPacket): string | undefined {
    const t = p.tcp;
    if (t === undefined) return undefined;
    return this.classify(this.heuristics.tcp, this.tcpPorts, t.srcPort, t.dstPort, p);
  }

  /** Same for a UDP datagram. */
  classifyUdp(p: DecodedPacket): string | undefined {
    const u = p.udp;
    if (u === undefined) return undefined;
    return this.classify(this.heuristics.udp, this.udpPorts, u.srcPort, u.dstPort, p);
  }

  private classify(h: { before: Heuristic[]; after: Heuristic[] }, ports: Map<number, string>, a: number, b: number,
    p: DecodedPacket): string | undefined {
    for (const x of h.before) if (x.test(p.payloadBytes, p.payloadStart, p.payloadEnd, p)) return x.protocol;
    // Wireshark tries the lower port first.
    const lo = a < b ? a : b, hi = a < b ? b : a;
    const byPort = ports.get(lo) ?? ports.get(hi);
    if (byPort !== undefined) return byPort;
    for (const x of h.after) if (x.test(p.payloadBytes, p.payloadStart, p.payloadEnd, p)) return x.protocol;
    return undefined;
  }
}

/** The registry PacketDecoder uses unless given another. */
export const defaultRegistry = new WireRegistry();
