// IPv4 (options, unverified checksum, total length vs captured, TSO) and IPv6 (extension header chains), and IP
// tunnels (IP-in-IP, 6in4, GRE) whose innermost header gives the packet's addresses. Annotated with tshark 4.0.
import { describe, expect, it } from 'vitest';
import { needTshark } from '../../support/require';
import { PacketDecoder } from '../../../decoders/decode';
import { be32, cat, ethernet, ext6, ipv4, ipv6, rawFrame, tcp, tsharkFields, tsharkLayers, udp } from './helpers';

const t = () => tcp({ sp: 1234, dp: 80 });
// Hop-by-hop: Router Alert (type 5, len 2, value 0) + PadN; routing type 0 with segments left 0 and one address;
// destination options with a PadN. tshark: ipv6:ipv6.hopopts:ipv6.routing:ipv6.dstopts:tcp
const hbh = ext6(43, [5, 2, 0, 0, 1, 0]);
const routing = [60, 2, 0, 0, 0, 0, 0, 0, ...new Array(16).fill(0)];
const dstopts = ext6(6, [1, 4, 0, 0, 0, 0]);

interface Case {
  name: string;
  ip: Uint8Array;
  layers: string[];
  src: string;
  dst: string;
  protocol: number;
  srcPort?: number;
  issues?: { layer: string; truncated: boolean }[];
}

const cases: Case[] = [
  { name: 'IPv6 hop-by-hop + routing + destination options + TCP', ip: ipv6({ nh: 0 }, cat(hbh, routing, dstopts, t())),
    layers: ['ipv6', 'ipv6.hopopts', 'ipv6.routing', 'ipv6.dstopts', 'tcp'], src: '2001:db8::1', dst: '2001:db8::2', protocol: 6, srcPort: 1234 },
  // AH (payload len 4 -> (4+2)*4 = 24 bytes) skipped by its length. tshark: ipv6:ah:tcp
  { name: 'IPv6 AH + TCP', ip: ipv6({ nh: 51 }, cat([6, 4, 0, 0], be32(0x100), be32(1), new Array(12).fill(0xaa), t())),
    layers: ['ipv6', 'ah', 'tcp'], src: '2001:db8::1', dst: '2001:db8::2', protocol: 6, srcPort: 1234 },
  // ESP: encrypted, the chain ends. tshark: ipv6:esp
  { name: 'IPv6 ESP', ip: ipv6({ nh: 50 }, cat(be32(0x100), be32(1), new Array(20).fill(0x55))),
    layers: ['ipv6'], src: '2001:db8::1', dst: '2001:db8::2', protocol: 50 },
  // No Next Header. tshark: ipv6
  { name: 'IPv6 no next header', ip: ipv6({ nh: 59 }, []), layers: ['ipv6'], src: '2001:db8::1', dst: '2001:db8::2', protocol: 59 },
  // Router Alert option, 3 NOPs, EOL. tshark: ip:tcp, ip.opt.type 148,1,1,1,0
  { name: 'IPv4 with options', ip: ipv4({ proto: 6, options: [0x94, 4, 0, 0, 1, 1, 1, 0] }, t()),
    layers: ['ip', 'tcp'], src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, srcPort: 1234 },
  // Checksum 0xbeef (wrong): tshark does not verify it ([validation disabled]); nothing is flagged.
  { name: 'IPv4 with a wrong header checksum', ip: ipv4({ proto: 6, badChecksum: true }, t()),
    layers: ['ip', 'tcp'], src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, srcPort: 1234 },
  // Total length 0 (TSO on the capturing host): the captured length is used. tshark: ip:tcp, no expert info.
  { name: 'IPv4 total length 0 (TSO)', ip: ipv4({ proto: 6, totalLength: 0 }, t()),
    layers: ['ip', 'tcp'], src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, srcPort: 1234 },
  // Total length 200 > 40 captured while the frame was not cut by a snaplen: tshark's expert says
  // "IPv4 total length exceeds packet length (40 bytes)". Malformed, not truncated; TCP still decoded.
  { name: 'IPv4 total length beyond the frame', ip: ipv4({ proto: 6, totalLength: 200 }, t()),
    layers: ['ip', 'tcp'], src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, srcPort: 1234, issues: [{ layer: 'ip', truncated: false }] },
  // IP-in-IP: tshark ip:ip:udp, ip.src "203.0.113.1,10.1.1.1": the packet's addresses are the inner ones.
  { name: 'IPv4 in IPv4', ip: ipv4({ proto: 4, src: '203.0.113.1', dst: '203.0.113.2' },
    ipv4({ proto: 17, src: '10.1.1.1', dst: '10.2.2.2' }, udp(1000, 2000, [1, 2]))),
  layers: ['ip', 'ip', 'udp'], src: '10.1.1.1', dst: '10.2.2.2', protocol: 17, srcPort: 1000 },
  // 6in4: tshark ip:ipv6:tcp
  { name: 'IPv6 in IPv4', ip: ipv4({ proto: 41, src: '203.0.113.1', dst: '203.0.113.2' }, ipv6({ nh: 6 }, t())),
    layers: ['ip', 'ipv6', 'tcp'], src: '2001:db8::1', dst: '2001:db8::2', protocol: 6, srcPort: 1234 },
  // GRE with a key (flags 0x2000) carrying IPv4. tshark: ip:gre:ip:tcp
  { name: 'GRE / IPv4', ip: ipv4({ proto: 47, src: '203.0.113.1', dst: '203.0.113.2' },
    cat([0x20, 0, 0x08, 0x00], be32(7), ipv4({ proto: 6, src: '10.9.9.9', dst: '10.8.8.8' }, t()))),
  layers: ['ip', 'gre', 'ip', 'tcp'], src: '10.9.9.9', dst: '10.8.8.8', protocol: 6, srcPort: 1234 },
  // GRE transparent Ethernet bridging (0x6558). tshark: ip:gre:eth:ethertype:ip:tcp
  { name: 'GRE / Ethernet / IPv4', ip: ipv4({ proto: 47, src: '203.0.113.1', dst: '203.0.113.2' },
    cat([0, 0, 0x65, 0x58], ethernet(0x0800, ipv4({ proto: 6, src: '10.9.9.9', dst: '10.8.8.8' }, t())))),
  layers: ['ip', 'gre', 'eth', 'ip', 'tcp'], src: '10.9.9.9', dst: '10.8.8.8', protocol: 6, srcPort: 1234 },
];

const frameOf = (ip: Uint8Array) => ethernet(ip[0] >> 4 === 6 ? 0x86dd : 0x0800, ip);

describe('IP layers', () => {
  for (const c of cases) {
    it(c.name, () => {
      const p = new PacketDecoder().decode(rawFrame(frameOf(c.ip)));
      expect(p.layers).toEqual(['eth', ...c.layers]);
      expect(p.src).toBe(c.src);
      expect(p.dst).toBe(c.dst);
      expect(p.ipProtocol).toBe(c.protocol);
      expect(p.tcp?.srcPort ?? p.udp?.srcPort).toBe(c.srcPort);
      expect(p.issues.map((i) => ({ layer: i.layer, truncated: i.truncated }))).toEqual(c.issues ?? []);
    });
  }

  it('reports ttl / hop limit and the IP payload range', () => {
    const ip = ipv4({ proto: 6, ttl: 37, options: [1, 1, 1, 1] }, tcp({ sp: 1, dp: 2 }, [0xaa, 0xbb, 0xcc]));
    const p = new PacketDecoder().decode(rawFrame(frameOf(ip)));
    expect(p.ttl).toBe(37);
    expect(p.ipVersion).toBe(4);
    expect(p.payloadBytes).toBe(p.frame.bytes);
    // 14 Ethernet + 24 IP + 20 TCP
    expect([p.payloadStart, p.payloadEnd]).toEqual([58, 61]);
    const q = new PacketDecoder().decode(rawFrame(frameOf(ipv6({ nh: 6, hlim: 3 }, t()))));
    expect(q.ttl).toBe(3);
    expect(q.ipVersion).toBe(6);
  });

  it('ignores Ethernet padding after the IP datagram', () => {
    const ip = ipv4({ proto: 17 }, udp(1, 2, [7]));
    const p = new PacketDecoder().decode(rawFrame(cat(frameOf(ip), new Uint8Array(17))));
    expect(p.issues).toEqual([]);
    expect(p.udp?.payloadLength).toBe(1);
    expect(p.payloadEnd - p.payloadStart).toBe(1);
  });

  it('flags a header length below 20 and a wrong version as malformed', () => {
    const bad = ipv4({ proto: 6 }, t());
    bad[0] = 0x44;
    const p = new PacketDecoder().decode(rawFrame(frameOf(bad)));
    expect(p.layers).toEqual(['eth', 'ip']);
    expect(p.ipVersion).toBe(0);
    expect(p.issues).toMatchObject([{ layer: 'ip', offset: 14, truncated: false }]);
    const v5 = ipv4({ proto: 6 }, t());
    v5[0] = 0x55;
    expect(new PacketDecoder().decode(rawFrame(frameOf(v5))).issues).toMatchObject([{ layer: 'ip', truncated: false }]);
  });

  it('flags an IPv6 extension header running past the payload and stops there', () => {
    // Hop-by-hop claims 8 * (10 + 1) bytes but the payload has 8.
    const ip = ipv6({ nh: 0 }, [6, 10, 0, 0, 0, 0, 0, 0]);
    const p = new PacketDecoder().decode(rawFrame(frameOf(ip)));
    expect(p.layers).toEqual(['eth', 'ipv6', 'ipv6.hopopts']);
    expect(p.tcp).toBeUndefined();
    expect(p.issues).toMatchObject([{ layer: 'ipv6.hopopts', offset: 54, truncated: false }]);
  });
});

describe.skipIf(needTshark())('IP layers agree with tshark', () => {
  it('layers, innermost source address, ports', () => {
    const rows = tsharkFields(cases.map((c) => ({ bytes: frameOf(c.ip) })), 1,
      ['frame.protocols', 'ip.src', 'ipv6.src', 'tcp.srcport', 'udp.srcport']);
    cases.forEach((c, i) => {
      const [protocols, ipSrc, ip6Src, tp, up] = rows[i];
      const p = new PacketDecoder().decode(rawFrame(frameOf(c.ip)));
      expect(tsharkLayers(protocols), c.name).toEqual(p.layers);
      // tshark lists every occurrence, outermost first; ours is the innermost of the last IP version seen.
      const srcs = (p.ipVersion === 6 ? ip6Src : ipSrc).split(',');
      expect(p.src, c.name).toBe(srcs[srcs.length - 1]);
      expect(String(p.tcp?.srcPort ?? p.udp?.srcPort ?? ''), c.name).toBe(tp || up);
    });
  });
});
