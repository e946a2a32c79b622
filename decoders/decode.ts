// From a captured frame to a DecodedPacket: link layer, VLAN/MPLS shims, IPv4/IPv6 (with tunnels and fragment
// reassembly), then TCP/UDP/ICMP. Every layer is length-checked once and never throws; a layer that is cut short or
// malformed adds a LayerIssue and decoding stops there, keeping what was decoded so far.
//
// Speed: PacketDecoder.decode() fills one DecodedPacket (and its tcp/udp/icmp objects) that it reuses for every
// frame: no allocation per packet (address strings are made when read). The returned value is only valid until the
// next decode() call; keep a copy with clonePacket() (or use decodePacket(), which returns a fresh object).
import type { RawFrame } from '../capture/frame';
import type { DecodedPacket, IcmpMessage, LayerIssue, TcpSegment, UdpDatagram } from './packet';
import { ipv4String, ipv6String } from './wire/addresses';
import { decodeArp } from './wire/arp';
import { decodeEthernet } from './wire/ethernet';
import { decodeGre } from './wire/gre';
import { decodeIcmp, newIcmpMessage } from './wire/icmp';
import { decodeIpv4, newIpv4Header } from './wire/ipv4';
import { decodeIpv6, newIpv6Header, walkIpv6Extensions } from './wire/ipv6';
import { addIssue } from './wire/issues';
import { EtherType, newLinkResult } from './wire/link';
import { decodeMpls } from './wire/mpls';
import { decodeNflog } from './wire/nflog';
import { decodeNull } from './wire/null';
import { decodePpp } from './wire/ppp';
import { decodeRawIp } from './wire/raw';
import { IpReassembler, type ReassemblyOptions } from './wire/reassembly';
import { defaultRegistry, EtherKind, IpKind, LinkKind, type WireRegistry } from './wire/registry';
import { decodeSll } from './wire/sll';
import { decodeSll2 } from './wire/sll2';
import { decodeTcp, newTcpSegment } from './wire/tcp';
import { decodeUdp, newUdpDatagram } from './wire/udp';
import { decodeVlan, vlanLayerName } from './wire/vlan';

export interface PacketDecoderOptions {
  /** Reassemble IPv4/IPv6 fragments (default true, like tshark). Without it fragments stay `fragment: true`. */
  reassembleIp?: boolean;
  /** Bounds for the reassembler this decoder creates. */
  reassembly?: ReassemblyOptions;
  /** Use this reassembler instead of creating one (e.g. to share its limits and statistics). */
  reassembler?: IpReassembler;
  /** Link type / EtherType / IP protocol dispatch (default: the shared defaultRegistry). */
  registry?: WireRegistry;
}

export interface DecoderStats {
  frames: number;
  /** Frames of link types no decoder handles (decoded = false). */
  undecoded: number;
  /** Frame counts of those link types. */
  undecodedLinkTypes: Map<number, number>;
  /** Frames with at least one LayerIssue, and those whose issue is a cut-off capture. */
  withIssues: number;
  truncated: number;
  /** IP fragments seen, and datagrams completed by reassembly. */
  fragments: number;
  reassembled: number;
}

/** Tunnels inside tunnels beyond this depth are left undecoded. */
const MAX_DEPTH = 8;

const EMPTY = new Uint8Array(0);

/**
 * The DecodedPacket a PacketDecoder fills for every frame. Its `src`/`dst` strings are formatted from the header
 * bytes when first read: the analysis maps addresses to ids from their bits, so most packets never need the text.
 */
class ScratchPacket implements DecodedPacket {
  frame: RawFrame;
  decoded = true;
  layers: string[] = [];
  vlanIds: number[] | undefined = undefined;
  ipVersion: 0 | 4 | 6 = 0;
  ipProtocol = -1;
  ttl = 0;
  fragment = false;
  reassembled = false;
  tcp: TcpSegment | undefined = undefined;
  udp: UdpDatagram | undefined = undefined;
  icmp: IcmpMessage | undefined = undefined;
  /** payloadBytes when they are not the frame's own (a reassembled datagram), else null: see decode(). */
  private otherBytes: Uint8Array | null = null;
  payloadStart = 0;
  payloadEnd = 0;
  issues: LayerIssue[] = [];
  /** The addresses' text once made (null: not yet, format from addrBytes, or the frame's bytes when null, at
   *  srcAt/dstAt as IP version addrKind). */
  private srcText: string | null = '';
  private dstText: string | null = '';
  private addrBytes: Uint8Array | null = null;
  private srcAt = 0;
  private dstAt = 0;
  private addrKind = 0;

  constructor(frame: RawFrame) {
    this.frame = frame;
  }

  get payloadBytes(): Uint8Array { return this.otherBytes ?? this.frame.bytes; }
  set payloadBytes(b: Uint8Array) { this.otherBytes = b === this.frame.bytes ? null : b; }

  get src(): string { return this.srcText ?? (this.srcText = this.format(this.srcAt)); }
  set src(text: string) { this.srcText = text; }
  get dst(): string { return this.dstText ?? (this.dstText = this.format(this.dstAt)); }
  set dst(text: string) { this.dstText = text; }

  /** The addresses are the `kind` (4 or 6) ones at b[srcAt..] and b[dstAt..]: formatted when read, while b is valid. */
  setAddresses(b: Uint8Array, kind: 4 | 6, srcAt: number, dstAt: number): void {
    this.addrBytes = b === this.frame.bytes ? null : b; // null for the frame's own: see decode()
    this.addrKind = kind; this.srcAt = srcAt; this.dstAt = dstAt;
    this.srcText = null; this.dstText = null;
  }

  private format(at: number): string {
    const b = this.addrBytes ?? this.frame.bytes;
    return this.addrKind === 4 ? ipv4String(b, at) : ipv6String(b, at);
  }
}

const NO_FRAME: RawFrame = {
  index: 0, timestamp: 0, tsSec: 0, tsNsec: 0, linkType: -1, bytes: EMPTY, originalLength: 0, interface: 0, fileOffset: 0,
};

export class PacketDecoder {
  readonly registry: WireRegistry;
  /** Null when IP reassembly is off. */
  readonly reassembler: IpReassembler | null;
  readonly stats: DecoderStats = {
    frames: 0, undecoded: 0, undecodedLinkTypes: new Map(), withIssues: 0, truncated: 0, fragments: 0, reassembled: 0,
  };

  // Scratch state reused for every frame.
  private readonly p = new ScratchPacket(NO_FRAME);
  private readonly layers: string[] = [];
  private readonly issues: LayerIssue[] = [];
  private readonly vlanIds: number[] = [];
  private readonly tcp: TcpSegment = newTcpSegment();
  private readonly udp: UdpDatagram = newUdpDatagram();
  private readonly icmp: IcmpMessage = newIcmpMessage();
  private readonly link = newLinkResult();
  private readonly ip4 = newIpv4Header();
  private readonly ip6 = newIpv6Header();
  private cut = false;
  /**
   * The last decode()'s innermost IP addresses as numbers when that header was IPv4 (v4 true): callers that map
   * addresses to ids can skip hashing the address strings (HostTable.internV4).
   */
  v4 = false;
  srcV4 = 0;
  dstV4 = 0;
  /** The same for IPv6 (v6 true): the addresses as 4 big-endian 32-bit words each. */
  v6 = false;
  readonly srcV6 = new Int32Array(4);
  readonly dstV6 = new Int32Array(4);

  constructor(opts: PacketDecoderOptions = {}) {
    this.registry = opts.registry ?? defaultRegistry;
    this.reassembler = opts.reassembleIp === false ? null : (opts.reassembler ?? new IpReassembler(opts.reassembly));
    this.p.layers = this.layers;
    this.p.issues = this.issues;
  }

  /**
   * Decodes one frame. The result (and its layers, issues, tcp, udp, icmp objects) is reused by the next call:
   * read it before decoding the next frame, or keep clonePacket(result).
   */
  decode(frame: RawFrame): DecodedPacket {
    const p = this.p;
    const b = frame.bytes;
    const end = b.length;
    this.cut = end < frame.originalLength;
    // pop rather than `length = 0`, which frees the arrays' storage and makes every push allocate it again
    const layers0 = this.layers, issues0 = this.issues;
    while (layers0.length !== 0) layers0.pop();
    while (issues0.length !== 0) issues0.pop();
    p.frame = frame;
    p.decoded = true;
    this.v4 = false;
    this.v6 = false;
    p.vlanIds = undefined;
    p.ipVersion = 0;
    p.src = '';
    p.dst = '';
    p.ipProtocol = -1;
    p.ttl = 0;
    p.fragment = false;
    p.reassembled = false;
    p.tcp = undefined;
    p.udp = undefined;
    p.icmp = undefined;
    // The scratch objects are old (V8's old generation), the frame and its bytes young: each store of one into the
    // other takes the write barrier's slow path (a remembered-set entry, ~50 instructions). So the packet refers to
    // the frame alone, and to other bytes only when a layer has them (a reassembled datagram).
    p.payloadBytes = b;
    p.payloadStart = 0;
    p.payloadEnd = 0;
    this.stats.frames++;

    const L = this.link;
    const layers = this.layers;
    let off: number;
    switch (this.registry.linkKindOf(frame.linkType)) {
      case LinkKind.ETHERNET:
        layers.push('eth');
        off = decodeEthernet(b, 0, end, L, this.issues, this.cut);
        break;
      case LinkKind.RAW:
        layers.push('raw');
        off = decodeRawIp(b, 0, end, L, this.issues, this.cut);
        break;
      case LinkKind.IPV4:
        off = 0;
        L.etherType = EtherType.IPV4;
        L.extraLayer = '';
        break;
      case LinkKind.IPV6:
        off = 0;
        L.etherType = EtherType.IPV6;
        L.extraLayer = '';
        break;
      case LinkKind.NULL:
      case LinkKind.LOOP:
        layers.push('null');
        off = decodeNull(b, 0, end, L, this.issues, this.cut, frame.linkType === 108);
        break;
      case LinkKind.PPP:
        layers.push('ppp');
        off = decodePpp(b, 0, end, L, this.issues, this.cut);
        break;
      case LinkKind.SLL:
        layers.push('sll');
        off = decodeSll(b, 0, end, L, this.issues, this.cut);
        break;
      case LinkKind.SLL2:
        layers.push('sll');
        off = decodeSll2(b, 0, end, L, this.issues, this.cut);
        break;
      case LinkKind.NFLOG:
        layers.push('nflog');
        off = decodeNflog(b, 0, end, L, this.issues, this.cut);
        break;
      default: {
        p.decoded = false;
        this.stats.undecoded++;
        const m = this.stats.undecodedLinkTypes;
        m.set(frame.linkType, (m.get(frame.linkType) ?? 0) + 1);
        return p;
      }
    }
    if (off >= 0) {
      if (L.extraLayer !== '') layers.push(L.extraLayer);
      this.network(b, off, end, L.etherType, 0);
    }
    if (this.issues.length !== 0) {
      this.stats.withIssues++;
      if (this.cut) this.stats.truncated++;
    }
    return p;
  }

  /** Follows EtherTypes through VLAN tags, MPLS labels and bridged Ethernet to IP or ARP. */
  private network(b: Uint8Array, off: number, end: number, etherType: number, depth: number): void {
    const L = this.link;
    const layers = this.layers;
    let et = etherType;
    while (off >= 0) {
      switch (this.registry.etherKindOf(et)) {
        case EtherKind.IPV4:
          this.ipv4(b, off, end, depth);
          return;
        case EtherKind.IPV6:
          this.ipv6(b, off, end, depth);
          return;
        case EtherKind.VLAN: {
          const name = vlanLayerName(et);
          layers.push(name);
          off = decodeVlan(b, off, end, L, this.issues, this.cut, name);
          if (off >= 0) {
            if (this.p.vlanIds === undefined) {
              while (this.vlanIds.length !== 0) this.vlanIds.pop();
              this.p.vlanIds = this.vlanIds;
            }
            this.vlanIds.push(L.vlanId);
            if (L.extraLayer !== '') layers.push(L.extraLayer);
          }
          break;
        }
        case EtherKind.MPLS:
          layers.push('mpls');
          off = decodeMpls(b, off, end, L, this.issues, this.cut);
          break;
        case EtherKind.ETHERNET:
          if (++depth > MAX_DEPTH) return;
          layers.push('eth');
          off = decodeEthernet(b, off, end, L, this.issues, this.cut);
          if (off >= 0 && L.extraLayer !== '') layers.push(L.extraLayer);
          break;
        case EtherKind.ARP:
          layers.push('arp');
          decodeArp(b, off, end, this.issues, this.cut);
          return;
        default:
          return;
      }
      et = L.etherType;
    }
  }

  private ipv4(b: Uint8Array, off: number, end: number, depth: number): void {
    const p = this.p;
    const h = this.ip4;
    this.layers.push('ip');
    if (!decodeIpv4(b, off, end, h, this.issues, this.cut)) return;
    p.ipVersion = 4;
    p.setAddresses(b, 4, off + 12, off + 16);
    this.v4 = true;
    this.v6 = false;
    this.srcV4 = (b[off + 12] << 24) | (b[off + 13] << 16) | (b[off + 14] << 8) | b[off + 15];
    this.dstV4 = (b[off + 16] << 24) | (b[off + 17] << 16) | (b[off + 18] << 8) | b[off + 19];
    p.ipProtocol = h.protocol;
    p.ttl = h.ttl;
    p.payloadBytes = b;
    p.payloadStart = h.payloadOffset;
    p.payloadEnd = h.capEnd;
    p.fragment = false;
    const more = (h.flags & 1) === 1;
    if (more || h.fragmentOffset !== 0) {
      this.stats.fragments++;
      p.fragment = true;
      const r = this.reassembler;
      // A fragment cut by the capture cannot be reassembled (tshark gives up on it too).
      if (r === null || h.capEnd < h.wireEnd) return;
      const got = r.add(IpReassembler.key(4, p.src, p.dst, h.protocol, h.id), h.fragmentOffset, more, b,
        h.payloadOffset, h.wireEnd, p.frame.timestamp, p.frame.index);
      if (got === null) return;
      p.fragment = false;
      p.reassembled = true;
      this.stats.reassembled++;
      if (got.conflict) addIssue(this.issues, 'ip', off, 'overlapping fragments carry different data', false);
      this.transport(got.data, 0, got.data.length, got.data.length, h.protocol, false, depth);
      return;
    }
    this.transport(b, h.payloadOffset, h.capEnd, h.wireEnd - h.payloadOffset, h.protocol, this.cut, depth);
  }

  private ipv6(b: Uint8Array, off: number, end: number, depth: number): void {
    const p = this.p;
    const h = this.ip6;
    this.layers.push('ipv6');
    if (!decodeIpv6(b, off, end, h, this.layers, this.issues, this.cut)) return;
    p.ipVersion = 6;
    p.setAddresses(b, 6, off + 8, off + 24);
    this.v4 = false;
    this.v6 = true;
    for (let i = 0; i < 4; i++) {
      const s = off + 8 + 4 * i, d = off + 24 + 4 * i;
      this.srcV6[i] = (b[s] << 24) | (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3];
      this.dstV6[i] = (b[d] << 24) | (b[d + 1] << 16) | (b[d + 2] << 8) | b[d + 3];
    }
    p.ipProtocol = h.protocol;
    p.ttl = h.hopLimit;
    p.payloadBytes = b;
    p.payloadStart = h.payloadOffset < h.capEnd ? h.payloadOffset : h.capEnd;
    p.payloadEnd = h.capEnd;
    p.fragment = false;
    if (!h.chainComplete) return;
    if (h.hasFragment && (h.moreFragments || h.fragmentOffset !== 0)) {
      this.stats.fragments++;
      p.fragment = true;
      const r = this.reassembler;
      if (r === null || h.capEnd < h.wireEnd) return;
      const got = r.add(IpReassembler.key(6, p.src, p.dst, 0, h.fragmentId), h.fragmentOffset, h.moreFragments, b,
        h.payloadOffset, h.wireEnd, p.frame.timestamp, p.frame.index);
      if (got === null) return;
      p.fragment = false;
      p.reassembled = true;
      this.stats.reassembled++;
      if (got.conflict) addIssue(this.issues, 'ipv6', off, 'overlapping fragments carry different data', false);
      const d = got.data;
      // The reassembled data starts with the fragment header's next header (maybe more extension headers).
      walkIpv6Extensions(d, 0, d.length, d.length, h.protocol, h, this.layers, this.issues, false);
      p.ipProtocol = h.protocol;
      if (!h.chainComplete || h.hasFragment) return;
      this.transport(d, h.payloadOffset, d.length, d.length - h.payloadOffset, h.protocol, false, depth);
      return;
    }
    this.transport(b, h.payloadOffset, h.capEnd, h.wireEnd - h.payloadOffset, h.protocol, this.cut, depth);
  }

  /** The layer above IP. `wireLen` is its length by the IP header; bytes end at `capEnd`. */
  private transport(b: Uint8Array, off: number, capEnd: number, wireLen: number, protocol: number, cut: boolean,
    depth: number): void {
    const p = this.p;
    const layers = this.layers;
    p.payloadBytes = b;
    p.payloadStart = off < capEnd ? off : capEnd;
    p.payloadEnd = capEnd;
    switch (this.registry.ipKindOf(protocol)) {
      case IpKind.TCP: {
        layers.push('tcp');
        const t = this.tcp;
        if (decodeTcp(b, off, capEnd, wireLen, t, this.issues, cut)) {
          p.tcp = t;
          const s = off + t.headerLength;
          p.payloadStart = s < capEnd ? s : capEnd;
        }
        return;
      }
      case IpKind.UDP: {
        layers.push('udp');
        const u = this.udp;
        const e = decodeUdp(b, off, capEnd, wireLen, u, this.issues, cut);
        if (e >= 0) {
          p.udp = u;
          const s = off + 8;
          p.payloadStart = s < capEnd ? s : capEnd;
          p.payloadEnd = e < capEnd ? e : capEnd;
        }
        return;
      }
      case IpKind.ICMP:
      case IpKind.ICMPV6: {
        const v6 = protocol === 58;
        layers.push(v6 ? 'icmpv6' : 'icmp');
        const m = this.icmp;
        if (decodeIcmp(b, off, capEnd, v6 ? 6 : 4, m, layers, this.issues, cut)) {
          p.icmp = m;
          const s = off + 8;
          p.payloadStart = s < capEnd ? s : capEnd;
        }
        return;
      }
      case IpKind.IPV4:
        if (depth < MAX_DEPTH) this.ipv4(b, off, capEnd, depth + 1);
        return;
      case IpKind.IPV6:
        if (depth < MAX_DEPTH) this.ipv6(b, off, capEnd, depth + 1);
        return;
      case IpKind.GRE: {
        if (depth >= MAX_DEPTH) return;
        layers.push('gre');
        const o = decodeGre(b, off, capEnd, this.link, this.issues, cut);
        if (o >= 0) this.network(b, o, capEnd, this.link.etherType, depth + 1);
        return;
      }
      default:
        return;
    }
  }
}

/** A deep copy of a decoded packet that stays valid after the decoder moves on (payloadBytes is shared). */
export function clonePacket(p: DecodedPacket): DecodedPacket {
  const tcp = p.tcp;
  const icmp = p.icmp;
  // field by field: the decoder's own packet formats its addresses in accessors, which a spread would not copy
  return {
    frame: p.frame, decoded: p.decoded, layers: p.layers.slice(), vlanIds: p.vlanIds?.slice(), ipVersion: p.ipVersion,
    src: p.src, dst: p.dst, ipProtocol: p.ipProtocol, ttl: p.ttl, fragment: p.fragment, reassembled: p.reassembled,
    tcp: tcp === undefined ? undefined : { ...tcp, options: { ...tcp.options, sack: tcp.options.sack?.slice() } },
    udp: p.udp === undefined ? undefined : { ...p.udp },
    icmp: icmp === undefined ? undefined : { ...icmp, quoted: icmp.quoted === undefined ? undefined : { ...icmp.quoted } },
    payloadBytes: p.payloadBytes, payloadStart: p.payloadStart, payloadEnd: p.payloadEnd,
    issues: p.issues.map((i) => ({ ...i })),
  };
}

const shared = new WeakMap<IpReassembler, PacketDecoder>();
let plain: PacketDecoder | undefined;

/**
 * Decodes one frame into a fresh DecodedPacket the caller may keep. With a reassembler, fragments are reassembled
 * across calls (the reassembler holds the state); without, fragments are left as fragments.
 */
export function decodePacket(frame: RawFrame, reassembler?: IpReassembler | null): DecodedPacket {
  let d: PacketDecoder | undefined;
  if (reassembler) {
    d = shared.get(reassembler);
    if (d === undefined) {
      d = new PacketDecoder({ reassembler });
      shared.set(reassembler, d);
    }
  } else {
    d = plain ??= new PacketDecoder({ reassembleIp: false });
  }
  return clonePacket(d.decode(frame));
}
