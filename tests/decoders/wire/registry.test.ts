// The registry: link types / EtherTypes / IP protocols to decoders, and ports + heuristics to application names;
// and the PacketDecoder API around it (reuse of the result, clonePacket, decodePacket, statistics).
import { describe, expect, it } from 'vitest';
import { clonePacket, decodePacket, PacketDecoder } from '../../../decoders/decode';
import { IpReassembler } from '../../../decoders/wire/reassembly';
import { EtherKind, IpKind, LinkKind, WireRegistry } from '../../../decoders/wire/registry';
import { be16, cat, ethernet, ipv4, rawFrame, tcp, udp } from './helpers';

const dnsOn = (port: number) => ethernet(0x0800, ipv4({ proto: 17 }, udp(50000, port, [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])));

describe('WireRegistry', () => {
  it('maps an unknown link type onto a built-in decoder (e.g. DLT_USER0 carrying Ethernet)', () => {
    const reg = new WireRegistry();
    const f = rawFrame(dnsOn(53), 147);
    expect(new PacketDecoder({ registry: reg }).decode(f).decoded).toBe(false);
    reg.registerLinkType(147, LinkKind.ETHERNET);
    expect(new PacketDecoder({ registry: reg }).decode(f).layers).toEqual(['eth', 'ip', 'udp']);
  });

  it('follows an extra VLAN TPID and can switch an IP protocol off', () => {
    const reg = new WireRegistry();
    const tagged = ethernet(0x9200, cat([0, 42], be16(0x0800), ipv4({ proto: 6 }, tcp({}))));
    expect(new PacketDecoder({ registry: reg }).decode(rawFrame(tagged)).layers).toEqual(['eth']);
    reg.registerEtherType(0x9200, EtherKind.VLAN);
    const p = new PacketDecoder({ registry: reg }).decode(rawFrame(tagged));
    expect(p.layers).toEqual(['eth', 'vlan', 'ip', 'tcp']);
    expect(p.vlanIds).toEqual([42]);
    reg.registerIpProtocol(6, IpKind.NONE);
    expect(new PacketDecoder({ registry: reg }).decode(rawFrame(tagged)).tcp).toBeUndefined();
  });

  it('classifies by the lower port first, then the higher, like Wireshark', () => {
    const reg = new WireRegistry();
    reg.registerUdpPort(53, 'dns');
    reg.registerUdpPort(50000, 'other');
    const d = new PacketDecoder({ registry: reg });
    expect(reg.classifyUdp(d.decode(rawFrame(dnsOn(53))))).toBe('dns');
    expect(reg.classifyUdp(d.decode(rawFrame(dnsOn(5353))))).toBe('other');
    expect(reg.udpPortProtocol(53)).toBe('dns');
    expect(reg.tcpPortProtocol(53)).toBeUndefined();
  });

  it('runs heuristics after the ports, or before them when asked', () => {
    const reg = new WireRegistry();
    reg.registerTcpPort(443, 'tls');
    const seen: number[] = [];
    reg.registerHeuristic('tcp', 'http', (b, s, e) => {
      seen.push(e - s);
      return e - s >= 4 && String.fromCharCode(...b.subarray(s, s + 4)) === 'GET ';
    });
    const get = new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n');
    const d = new PacketDecoder({ registry: reg });
    const on443 = d.decode(rawFrame(ethernet(0x0800, ipv4({ proto: 6 }, tcp({ sp: 51000, dp: 443 }, get)))));
    expect(reg.classifyTcp(on443)).toBe('tls');
    expect(seen).toEqual([]);
    const on8080 = d.decode(rawFrame(ethernet(0x0800, ipv4({ proto: 6 }, tcp({ sp: 51000, dp: 8080 }, get)))));
    expect(reg.classifyTcp(on8080)).toBe('http');
    expect(seen).toEqual([get.length]);
    reg.registerHeuristic('tcp', 'first', () => true, { first: true });
    expect(reg.classifyTcp(d.decode(rawFrame(ethernet(0x0800, ipv4({ proto: 6 }, tcp({ dp: 443 }, get))))))).toBe('first');
    expect(reg.classifyUdp(d.decode(rawFrame(dnsOn(53))))).toBeUndefined();
  });
});

describe('PacketDecoder API', () => {
  it('reuses its result: valid until the next decode(); clonePacket keeps a copy', () => {
    const d = new PacketDecoder();
    const a = d.decode(rawFrame(ethernet(0x0800, ipv4({ proto: 6, src: '10.0.0.1' }, tcp({ sp: 1111, options: [1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2] })))));
    const kept = clonePacket(a);
    const b = d.decode(rawFrame(ethernet(0x0800, ipv4({ proto: 17, src: '10.0.0.9' }, udp(7, 8, [])))));
    expect(b).toBe(a); // same object, now describing the second frame
    expect(b.tcp).toBeUndefined();
    expect(b.src).toBe('10.0.0.9');
    expect(kept.src).toBe('10.0.0.1');
    expect(kept.tcp?.srcPort).toBe(1111);
    expect(kept.tcp?.options.sack).toEqual([1, 2]);
    expect(kept.layers).toEqual(['eth', 'ip', 'tcp']);
  });

  it('decodePacket returns a fresh object each call and reassembles through the given reassembler', () => {
    const f1 = rawFrame(ethernet(0x0800, ipv4({ proto: 17, id: 3, flags: 1 }, udp(1, 2, new Uint8Array(16)).subarray(0, 16))));
    const f2 = rawFrame(ethernet(0x0800, ipv4({ proto: 17, id: 3, fragOffset: 16 }, udp(1, 2, new Uint8Array(16)).subarray(16))));
    const r = new IpReassembler();
    const p1 = decodePacket(f1, r);
    const p2 = decodePacket(f2, r);
    expect(p1).not.toBe(p2);
    expect(p1.fragment).toBe(true);
    expect(p2.reassembled).toBe(true);
    expect(p2.udp?.payloadLength).toBe(16);
    // Without a reassembler, fragments stay fragments.
    expect(decodePacket(f2).fragment).toBe(true);
  });

  it('counts frames, issues, truncation, fragments', () => {
    const d = new PacketDecoder();
    const good = ethernet(0x0800, ipv4({ proto: 6 }, tcp({})));
    d.decode(rawFrame(good));
    d.decode(rawFrame(good.subarray(0, 30), 1, good.length));
    d.decode(rawFrame(good, 999));
    expect(d.stats).toMatchObject({ frames: 3, undecoded: 1, withIssues: 1, truncated: 1, fragments: 0 });
  });
});
