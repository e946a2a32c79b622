// Link layers and shims: Ethernet II, 802.3 + LLC/SNAP, stacked VLANs, SLL/SLL2, null/loopback, raw IP, PPP,
// NFLOG, MPLS, ARP, unknown link types. Each fixture says what tshark 4.0 shows for it (frame.protocols etc.),
// and the last block re-checks that with tshark itself when it is installed.
import { describe, expect, it } from 'vitest';
import { needTshark } from '../../support/require';
import { PacketDecoder } from '../../../decoders/decode';
import { be16, be32, cat, ethernet, hex, ipv4, ipv6, le16, le32, rawFrame, tcp, tsharkFields, tsharkLayers, udp } from './helpers';

const v4tcp = () => ipv4({ src: '192.0.2.1', dst: '198.51.100.7', proto: 6 }, tcp({ sp: 51000, dp: 443, flags: 0x02 }));
const v4udp = () => ipv4({ src: '192.0.2.1', dst: '198.51.100.7', proto: 17 }, udp(5353, 53, [1, 2, 3, 4]));
const v6udp = () => ipv6({ src: 'fe80::1', dst: 'ff02::fb', nh: 17 }, udp(5353, 5353, [9, 9, 9, 9]));
const v6tcp = () => ipv6({ src: '2001:db8::a', dst: '2001:db8::b', nh: 6 }, tcp({ sp: 1234, dp: 22 }));

interface Fixture {
  name: string;
  linkType: number;
  bytes: Uint8Array;
  /** What tshark shows in frame.protocols (without 'ethertype' and payload protocols). */
  layers: string[];
  src: string;
  dst: string;
  srcPort?: number;
  vlanIds?: number[];
}

const fixtures: Fixture[] = [
  // tshark: eth:ethertype:ip:tcp, 192.0.2.1 -> 198.51.100.7, 51000 -> 443
  { name: 'Ethernet II / IPv4 / TCP', linkType: 1, bytes: ethernet(0x0800, v4tcp()), layers: ['eth', 'ip', 'tcp'],
    src: '192.0.2.1', dst: '198.51.100.7', srcPort: 51000 },
  // 802.3 length 0x0026 then LLC AA AA 03 + SNAP OUI 000000 type 0800. tshark: eth:llc:ip:udp
  { name: '802.3 + LLC/SNAP / IPv4 / UDP', linkType: 1,
    bytes: cat(hex('020000000002 020000000001'), be16(8 + v4udp().length), [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00], v4udp()),
    layers: ['eth', 'llc', 'ip', 'udp'], src: '192.0.2.1', dst: '198.51.100.7', srcPort: 5353 },
  // 802.3 + LLC DSAP/SSAP 0x42 (spanning tree). tshark: eth:llc:stp — we stop after llc.
  { name: '802.3 + LLC (STP)', linkType: 1,
    bytes: cat(hex('0180c2000000 020000000001'), be16(38), [0x42, 0x42, 0x03], new Uint8Array(35)),
    layers: ['eth', 'llc'], src: '', dst: '' },
  // S-tag 0x88a8 id 100, C-tag 0x8100 id 200. tshark: eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ipv6:udp
  { name: 'QinQ 802.1ad + 802.1Q / IPv6 / UDP', linkType: 1,
    bytes: ethernet(0x88a8, cat([0x00, 100], be16(0x8100), [0x20, 200], be16(0x86dd), v6udp())),
    layers: ['eth', 'ieee8021ad', 'vlan', 'ipv6', 'udp'], src: 'fe80::1', dst: 'ff02::fb', srcPort: 5353, vlanIds: [100, 200] },
  // Old QinQ TPID 0x9100 then 0x8100 (tshark: eth:ethertype:vlan:ethertype:vlan:ethertype:ip:tcp)
  { name: '0x9100 + 802.1Q / IPv4 / TCP', linkType: 1,
    bytes: ethernet(0x9100, cat([0x0f, 0xff], be16(0x8100), [0x00, 0x07], be16(0x0800), v4tcp())),
    layers: ['eth', 'vlan', 'vlan', 'ip', 'tcp'], src: '192.0.2.1', dst: '198.51.100.7', srcPort: 51000, vlanIds: [4095, 7] },
  // 802.1Q tag whose type field is a length: LLC/SNAP inside. tshark: eth:ethertype:vlan:llc:ip:udp
  { name: '802.1Q + 802.3 length + LLC/SNAP / IPv4 / UDP', linkType: 1,
    bytes: ethernet(0x8100, cat([0, 12], be16(8 + v4udp().length), [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00], v4udp())),
    layers: ['eth', 'vlan', 'llc', 'ip', 'udp'], src: '192.0.2.1', dst: '198.51.100.7', srcPort: 5353, vlanIds: [12] },
  // SLL v1: packet type 4 (sent by us), ARPHRD 1, addr len 6, protocol 0x0800. tshark: sll:ethertype:ip:tcp
  { name: 'Linux cooked v1 / IPv4 / TCP', linkType: 113,
    bytes: cat(be16(4), be16(1), be16(6), hex('020000000001 0000'), be16(0x0800), v4tcp()),
    layers: ['sll', 'ip', 'tcp'], src: '192.0.2.1', dst: '198.51.100.7', srcPort: 51000 },
  // SLL v2: protocol 0x86dd, ifindex 3, ARPHRD 1, packet type 0, addr len 6. tshark: sll:ethertype:ipv6:tcp
  { name: 'Linux cooked v2 / IPv6 / TCP', linkType: 276,
    bytes: cat(be16(0x86dd), [0, 0], be32(3), be16(1), [0, 6], hex('020000000001 0000'), v6tcp()),
    layers: ['sll', 'ipv6', 'tcp'], src: '2001:db8::a', dst: '2001:db8::b', srcPort: 1234 },
  // NULL, family 2 written little-endian (x86 host). tshark: null:ip:tcp
  { name: 'NULL (LE family 2) / IPv4 / TCP', linkType: 0, bytes: cat(le32(2), v4tcp()), layers: ['null', 'ip', 'tcp'],
    src: '192.0.2.1', dst: '198.51.100.7', srcPort: 51000 },
  // NULL, family 30 (macOS AF_INET6) written big-endian (PowerPC host). tshark: null:ipv6:udp
  { name: 'NULL (BE family 30) / IPv6 / UDP', linkType: 0, bytes: cat(be32(30), v6udp()), layers: ['null', 'ipv6', 'udp'],
    src: 'fe80::1', dst: 'ff02::fb', srcPort: 5353 },
  // NULL, family 24 (NetBSD/OpenBSD AF_INET6), little-endian. tshark: null:ipv6:tcp
  { name: 'NULL (LE family 24) / IPv6 / TCP', linkType: 0, bytes: cat(le32(24), v6tcp()), layers: ['null', 'ipv6', 'tcp'],
    src: '2001:db8::a', dst: '2001:db8::b', srcPort: 1234 },
  // LOOP (108): always network order; family 28 (FreeBSD AF_INET6). tshark: null:ipv6:tcp
  { name: 'LOOP (BE family 28) / IPv6 / TCP', linkType: 108, bytes: cat(be32(28), v6tcp()), layers: ['null', 'ipv6', 'tcp'],
    src: '2001:db8::a', dst: '2001:db8::b', srcPort: 1234 },
  // LINKTYPE_RAW. tshark: raw:ip:udp and raw:ipv6:tcp
  { name: 'RAW (101) / IPv4 / UDP', linkType: 101, bytes: v4udp(), layers: ['raw', 'ip', 'udp'], src: '192.0.2.1',
    dst: '198.51.100.7', srcPort: 5353 },
  { name: 'RAW (101) / IPv6 / TCP', linkType: 101, bytes: v6tcp(), layers: ['raw', 'ipv6', 'tcp'], src: '2001:db8::a',
    dst: '2001:db8::b', srcPort: 1234 },
  // Old DLT_RAW values in files. tshark: raw:ip:...
  { name: 'RAW (12) / IPv4 / TCP', linkType: 12, bytes: v4tcp(), layers: ['raw', 'ip', 'tcp'], src: '192.0.2.1',
    dst: '198.51.100.7', srcPort: 51000 },
  { name: 'RAW (14) / IPv6 / UDP', linkType: 14, bytes: v6udp(), layers: ['raw', 'ipv6', 'udp'], src: 'fe80::1',
    dst: 'ff02::fb', srcPort: 5353 },
  // LINKTYPE_IPV4 / LINKTYPE_IPV6: no link layer at all in tshark (ip:udp, ipv6:tcp)
  { name: 'IPV4 (228) / UDP', linkType: 228, bytes: v4udp(), layers: ['ip', 'udp'], src: '192.0.2.1', dst: '198.51.100.7', srcPort: 5353 },
  { name: 'IPV6 (229) / TCP', linkType: 229, bytes: v6tcp(), layers: ['ipv6', 'tcp'], src: '2001:db8::a', dst: '2001:db8::b', srcPort: 1234 },
  // PPP with HDLC address/control ff 03 and protocol 0x0021. tshark: ppp:ip:tcp
  { name: 'PPP (ff03 0021) / IPv4 / TCP', linkType: 9, bytes: cat([0xff, 0x03, 0x00, 0x21], v4tcp()), layers: ['ppp', 'ip', 'tcp'],
    src: '192.0.2.1', dst: '198.51.100.7', srcPort: 51000 },
  // PPP without address/control, protocol 0x0057. tshark: ppp:ipv6:udp
  { name: 'PPP (0057) / IPv6 / UDP', linkType: 9, bytes: cat([0x00, 0x57], v6udp()), layers: ['ppp', 'ipv6', 'udp'],
    src: 'fe80::1', dst: 'ff02::fb', srcPort: 5353 },
  // PPP in HDLC-like framing (50). tshark: ppp:ip:udp
  { name: 'PPP_HDLC (50) / IPv4 / UDP', linkType: 50, bytes: cat([0xff, 0x03, 0x00, 0x21], v4udp()), layers: ['ppp', 'ip', 'udp'],
    src: '192.0.2.1', dst: '198.51.100.7', srcPort: 5353 },
  // NFLOG: family 2, version 0, res id 42; TLVs NFULA_PACKET_HDR (8 bytes), NFULA_PREFIX "ab" (length 6, padded to
  // 8), then NFULA_PAYLOAD (type 9) holding the packet. TLV lengths/types little-endian. tshark: nflog:ip:tcp
  { name: 'NFLOG / IPv4 / TCP', linkType: 239,
    bytes: cat([2, 0, 0, 42], le16(8), le16(1), [0x08, 0x00, 3, 0], le16(6), le16(10), [0x61, 0x62, 0, 0],
      le16(4 + v4tcp().length), le16(9), v4tcp()),
    layers: ['nflog', 'ip', 'tcp'], src: '192.0.2.1', dst: '198.51.100.7', srcPort: 51000 },
  // MPLS: label 100 (S=0) then label 200 (S=1), then IPv4. tshark: eth:ethertype:mpls:ip:udp
  { name: 'MPLS 2 labels / IPv4 / UDP', linkType: 1,
    bytes: ethernet(0x8847, cat([0x00, 0x06, 0x40, 0x40], [0x00, 0x0c, 0x81, 0x40], v4udp())),
    layers: ['eth', 'mpls', 'ip', 'udp'], src: '192.0.2.1', dst: '198.51.100.7', srcPort: 5353 },
  // MPLS: one label (S=1), then IPv6. tshark: eth:ethertype:mpls:ipv6:tcp
  { name: 'MPLS 1 label / IPv6 / TCP', linkType: 1, bytes: ethernet(0x8847, cat([0x00, 0x01, 0x01, 0x40], v6tcp())),
    layers: ['eth', 'mpls', 'ipv6', 'tcp'], src: '2001:db8::a', dst: '2001:db8::b', srcPort: 1234 },
  // ARP request who-has 192.0.2.2 tell 192.0.2.1. tshark: eth:ethertype:arp
  { name: 'ARP request', linkType: 1,
    bytes: ethernet(0x0806, cat(be16(1), be16(0x0800), [6, 4], be16(1), hex('020000000001'), [192, 0, 2, 1],
      hex('000000000000'), [192, 0, 2, 2]), 'ff:ff:ff:ff:ff:ff'),
    layers: ['eth', 'arp'], src: '', dst: '' },
];

describe('link layers and shims', () => {
  for (const f of fixtures) {
    it(f.name, () => {
      const p = new PacketDecoder().decode(rawFrame(f.bytes, f.linkType));
      expect(p.decoded).toBe(true);
      expect(p.issues).toEqual([]);
      expect(p.layers).toEqual(f.layers);
      expect(p.src).toBe(f.src);
      expect(p.dst).toBe(f.dst);
      expect(p.tcp?.srcPort ?? p.udp?.srcPort).toBe(f.srcPort);
      expect(p.vlanIds).toEqual(f.vlanIds);
    });
  }

  it('counts and keeps frames of unknown link types without decoding them', () => {
    const d = new PacketDecoder();
    // LINKTYPE_USER13 (160): tshark shows user_dlt:data
    const p = d.decode(rawFrame(v4tcp(), 160));
    expect(p.decoded).toBe(false);
    expect(p.layers).toEqual([]);
    expect(p.ipVersion).toBe(0);
    d.decode(rawFrame(v4tcp(), 160));
    d.decode(rawFrame(v4tcp(), 1));
    expect(d.stats.frames).toBe(3);
    expect(d.stats.undecoded).toBe(2);
    expect([...d.stats.undecodedLinkTypes]).toEqual([[160, 2]]);
  });

  it('stops quietly at EtherTypes it does not follow (LLDP 0x88cc: tshark eth:ethertype:lldp)', () => {
    const p = new PacketDecoder().decode(rawFrame(ethernet(0x88cc, new Uint8Array(46)), 1));
    expect(p.layers).toEqual(['eth']);
    expect(p.issues).toEqual([]);
    expect(p.ipVersion).toBe(0);
  });

  it('flags a RAW frame whose version nibble is neither 4 nor 6', () => {
    const p = new PacketDecoder().decode(rawFrame(new Uint8Array([0x55, 1, 2, 3]), 101));
    expect(p.layers).toEqual(['raw']);
    expect(p.issues).toMatchObject([{ layer: 'raw', offset: 0, truncated: false }]);
  });

  it('flags an NFLOG TLV with a length below 4 and keeps the packet', () => {
    const p = new PacketDecoder().decode(rawFrame(cat([2, 0, 0, 1], le16(2), le16(9), [0, 0, 0, 0]), 239));
    expect(p.layers).toEqual(['nflog']);
    expect(p.issues).toMatchObject([{ layer: 'nflog', offset: 4, truncated: false }]);
  });

  it('reads NFLOG TLVs written big-endian', () => {
    const b = cat([10, 0, 0, 1], be16(8), be16(1), [0x86, 0xdd, 3, 0], be16(4 + v6tcp().length), be16(9), v6tcp());
    const p = new PacketDecoder().decode(rawFrame(b, 239));
    expect(p.layers).toEqual(['nflog', 'ipv6', 'tcp']);
    expect(p.tcp?.dstPort).toBe(22);
  });

  it('decodes PPP with a compressed (1-byte) protocol field', () => {
    const p = new PacketDecoder().decode(rawFrame(cat([0x21], v4tcp()), 9));
    expect(p.layers).toEqual(['ppp', 'ip', 'tcp']);
  });
});

describe.skipIf(needTshark())('link layers agree with tshark', () => {
  // One pcap per link type (a classic pcap has a single link type).
  const byLink = new Map<number, Fixture[]>();
  for (const f of fixtures) byLink.set(f.linkType, [...(byLink.get(f.linkType) ?? []), f]);
  for (const [lt, list] of byLink) {
    it(`LINKTYPE ${lt}: ${list.map((f) => f.name).join('; ')}`, () => {
      const rows = tsharkFields(list.map((f) => ({ bytes: f.bytes })), lt,
        ['frame.protocols', 'ip.src', 'ipv6.src', 'tcp.srcport', 'udp.srcport', 'vlan.id', 'ieee8021ad.id']);
      expect(rows.length).toBe(list.length);
      list.forEach((f, i) => {
        const [protocols, ipSrc, ip6Src, tcpPort, udpPort, vlanId, adId] = rows[i];
        const p = new PacketDecoder().decode(rawFrame(f.bytes, lt));
        expect(tsharkLayers(protocols), f.name).toEqual(p.layers);
        expect(p.src, f.name).toBe(ipSrc || ip6Src);
        expect(String(p.tcp?.srcPort ?? p.udp?.srcPort ?? ''), f.name).toBe(tcpPort || udpPort);
        const tags = [adId, vlanId].filter(Boolean).join(',');
        expect((p.vlanIds ?? []).join(','), f.name).toBe(tags);
      });
    });
  }
});
