// TCP (every option, malformed option lengths, header length checks), UDP (length field checks), ICMP and ICMPv6
// (type/code, quoted packets of error messages that must never become the packet's own TCP/UDP).
import { describe, expect, it } from 'vitest';
import { needTshark } from '../../support/require';
import { PacketDecoder } from '../../../decoders/decode';
import { TcpFlag } from '../../../decoders/packet';
import { be16, be32, cat, ethernet, icmp, ipv4, ipv6, rawFrame, tcp, tsharkFields, tsharkLayers, udp } from './helpers';

const eth4 = (ip: Uint8Array) => ethernet(0x0800, ip);
const eth6 = (ip: Uint8Array) => ethernet(0x86dd, ip);
const v4 = (proto: number, payload: Uint8Array, src = '192.0.2.10', dst = '192.0.2.20') =>
  eth4(ipv4({ proto, src, dst }, payload));
const decode = (b: Uint8Array, orig?: number) => new PacketDecoder().decode(rawFrame(b, 1, orig));

// Linux SYN options: MSS 1460, SACK permitted, TS val 0x01020304 ecr 0, NOP, WS 7.
// tshark: mss_val 1460, sack_perm, tsval 16909060, tsecr 0, wscale.shift 7
const linuxSyn = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, ...be32(0x01020304), ...be32(0), 1, 3, 3, 7];
// NOP NOP SACK with two blocks (1000-2000, 3000-4000). tshark: sack_le 1000,3000 sack_re 2000,4000 (raw values
// with -o tcp.relative_sequence_numbers:FALSE)
const sackAck = [1, 1, 5, 18, ...be32(1000), ...be32(2000), ...be32(3000), ...be32(4000)];
// TFO cookie (kind 34, 8-byte cookie), then NOP NOP. tshark: tcp.options.tfo.cookie
const tfoCookie = [34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1];
// Experimental TFO (kind 254, ExID 0xF989, cookie request). tshark: tcp.options.experiment.magic_number 0xf989
const tfoExp = [254, 4, 0xf9, 0x89];
// Unknown kind 99 (length 6) then MSS 1200: skipped by length.
const unknown = [99, 6, 0, 0, 0, 0, 2, 4, 0x04, 0xb0];

describe('TCP', () => {
  it('decodes the fixed header and the Linux SYN options', () => {
    const p = decode(v4(6, tcp({ sp: 40001, dp: 443, seq: 0xfffffff0, ack: 0, flags: TcpFlag.SYN, win: 64240, options: linuxSyn })));
    expect(p.tcp).toMatchObject({ srcPort: 40001, dstPort: 443, seq: 0xfffffff0, ack: 0, flags: TcpFlag.SYN, window: 64240,
      headerLength: 40, payloadLength: 0, offset: 34 });
    expect(p.tcp!.options).toMatchObject({ mss: 1460, sackPermitted: true, tsVal: 0x01020304, tsEcr: 0, windowScale: 7 });
    expect(p.tcp!.options.sack).toBeUndefined();
    expect(p.issues).toEqual([]);
  });

  it('decodes SACK blocks as raw sequence numbers', () => {
    const p = decode(v4(6, tcp({ flags: TcpFlag.ACK, options: sackAck })));
    expect(p.tcp!.options.sack).toEqual([1000, 2000, 3000, 4000]);
    expect(p.tcp!.options.sackPermitted).toBe(false);
  });

  it('recognises TCP Fast Open (kind 34 and the experimental kind 254 / 0xF989)', () => {
    expect(decode(v4(6, tcp({ flags: TcpFlag.SYN, options: tfoCookie }))).tcp!.options.fastOpen).toBe(true);
    expect(decode(v4(6, tcp({ flags: TcpFlag.SYN, options: tfoExp }))).tcp!.options.fastOpen).toBe(true);
    expect(decode(v4(6, tcp({ flags: TcpFlag.SYN, options: [254, 4, 0x12, 0x34] }))).tcp!.options.fastOpen).toBeUndefined();
  });

  it('skips unknown option kinds by their length', () => {
    const p = decode(v4(6, tcp({ options: unknown })));
    expect(p.tcp!.options.mss).toBe(1200);
    expect(p.issues).toEqual([]);
  });

  it('reads flags including AE (the former NS bit)', () => {
    const p = decode(v4(6, tcp({ flags: 0x1ff })));
    expect(p.tcp!.flags).toBe(0x1ff);
  });

  it('takes the payload length from the IP length even when the capture cut the payload', () => {
    const full = v4(6, tcp({ sp: 1, dp: 2 }, new Uint8Array(100)));
    const p = decode(full.subarray(0, 14 + 20 + 20 + 30), full.length);
    expect(p.tcp!.payloadLength).toBe(100);
    expect(p.payloadEnd - p.payloadStart).toBe(30);
    expect(p.issues).toMatchObject([{ layer: 'ip', truncated: true }]);
  });

  it('flags option length 0 and stops reading options (tshark: malformed)', () => {
    const p = decode(v4(6, tcp({ options: [2, 4, 0x05, 0xb4, 8, 0, 0, 0] })));
    expect(p.tcp!.options.mss).toBe(1460);
    expect(p.issues).toMatchObject([{ layer: 'tcp', offset: 58, truncated: false }]);
  });

  it('flags a known option with the wrong length and skips it (tshark: tcp.option.len.invalid)', () => {
    const p = decode(v4(6, tcp({ options: [2, 5, 0x05, 0xb4, 0, 3, 3, 7] })));
    expect(p.tcp!.options.mss).toBeUndefined();
    expect(p.tcp!.options.windowScale).toBe(7);
    expect(p.issues).toMatchObject([{ layer: 'tcp', offset: 54, truncated: false }]);
  });

  it('flags an option running past the header', () => {
    const p = decode(v4(6, tcp({ options: [1, 1, 8, 10, 0, 0, 0, 0] })));
    expect(p.tcp!.options.tsVal).toBeUndefined();
    expect(p.issues).toMatchObject([{ layer: 'tcp', offset: 56, truncated: false }]);
  });

  it('flags a SACK option whose length is not 2 + 8n', () => {
    const p = decode(v4(6, tcp({ options: [1, 1, 5, 6, 0, 0, 0, 1] })));
    expect(p.tcp!.options.sack).toBeUndefined();
    expect(p.issues).toMatchObject([{ layer: 'tcp', truncated: false }]);
  });

  it('refuses a header length below 20 (tshark: "Bogus TCP header length") without a TcpSegment', () => {
    const p = decode(v4(6, tcp({ hl: 16 })));
    expect(p.layers).toEqual(['eth', 'ip', 'tcp']);
    expect(p.tcp).toBeUndefined();
    expect(p.issues).toMatchObject([{ layer: 'tcp', offset: 34, truncated: false }]);
  });

  it('refuses a header length beyond the segment', () => {
    const p = decode(v4(6, tcp({ hl: 60 })));
    expect(p.tcp).toBeUndefined();
    expect(p.issues).toMatchObject([{ layer: 'tcp', truncated: false }]);
  });
});

describe('UDP', () => {
  it('decodes ports and the payload range from the length field', () => {
    const p = decode(v4(17, udp(53, 40000, [1, 2, 3, 4, 5])));
    expect(p.udp).toEqual({ srcPort: 53, dstPort: 40000, payloadLength: 5, offset: 34 });
    expect([p.payloadStart, p.payloadEnd]).toEqual([42, 47]);
  });

  it('flags a length below 8 or beyond the IP payload and uses the IP payload instead', () => {
    const small = decode(v4(17, udp(1, 2, [1, 2, 3], 4)));
    expect(small.udp!.payloadLength).toBe(3);
    expect(small.issues).toMatchObject([{ layer: 'udp', truncated: false }]);
    const big = decode(v4(17, udp(1, 2, [1, 2, 3], 300)));
    expect(big.udp!.payloadLength).toBe(3);
    expect(big.issues).toMatchObject([{ layer: 'udp', truncated: false }]);
  });

  it('honours a UDP length shorter than the IP payload', () => {
    const p = decode(v4(17, cat(udp(1, 2, [1, 2, 3]), [9, 9])));
    expect(p.udp!.payloadLength).toBe(3);
    expect(p.payloadEnd - p.payloadStart).toBe(3);
  });
});

// ICMP errors. Port unreachable quoting a UDP datagram 10.0.0.1:5000 -> 10.0.0.2:53 (whole quoted datagram).
// tshark: eth:ethertype:ip:icmp:ip:udp, ip.src 10.0.0.2,10.0.0.1, udp.srcport 5000
const quotedUdp = ipv4({ proto: 17, src: '10.0.0.1', dst: '10.0.0.2' }, udp(5000, 53, [1, 2, 3, 4]));
const portUnreach = v4(1, icmp(3, 3, cat([0, 0, 0, 0], quotedUdp)), '10.0.0.2', '10.0.0.1');
// Time exceeded quoting the IP header + first 8 bytes of a TCP SYN 10.0.0.1:40000 -> 93.184.216.34:443.
// tshark: eth:ethertype:ip:icmp:ip:tcp
const quotedTcp = ipv4({ proto: 6, src: '10.0.0.1', dst: '93.184.216.34', totalLength: 60 },
  tcp({ sp: 40000, dp: 443, flags: TcpFlag.SYN }).subarray(0, 8));
const ttlExceeded = v4(1, icmp(11, 0, cat([0, 0, 0, 0], quotedTcp)), '192.168.1.1', '10.0.0.1');
// ICMPv6 destination unreachable (port) quoting IPv6/UDP. tshark: ipv6:icmpv6:ipv6:udp
const quoted6 = ipv6({ nh: 17, src: '2001:db8::1', dst: '2001:db8::2' }, udp(6000, 123, [1, 2, 3, 4]));
const unreach6 = eth6(ipv6({ nh: 58, src: '2001:db8::2', dst: '2001:db8::1' }, icmp(1, 4, cat([0, 0, 0, 0], quoted6))));
// ICMPv6 packet too big quoting IPv6/TCP (first 8 bytes). tshark: ipv6:icmpv6:ipv6:tcp
const quoted6tcp = ipv6({ nh: 6, src: '2001:db8::1', dst: '2001:db8::3', payloadLength: 1400 }, tcp({ sp: 443, dp: 50000 }).subarray(0, 8));
const tooBig6 = eth6(ipv6({ nh: 58, src: '2001:db8::fe', dst: '2001:db8::1' }, icmp(2, 0, cat(be32(1280), quoted6tcp))));
// Echo request id 1 seq 7. tshark: ip:icmp:data, icmp.type 8
const echo = v4(1, icmp(8, 0, cat(be16(1), be16(7), new Uint8Array(16))));
// ICMPv6 neighbour solicitation. tshark: ipv6:icmpv6, icmpv6.type 135
const ns6 = eth6(ipv6({ nh: 58, src: 'fe80::1', dst: 'ff02::1:ff00:2', hlim: 255 }, icmp(135, 0, cat([0, 0, 0, 0], new Uint8Array(16)))));

describe('ICMP / ICMPv6', () => {
  it('echo request: type and code, no quoted packet', () => {
    const p = decode(echo);
    expect(p.layers).toEqual(['eth', 'ip', 'icmp']);
    expect(p.icmp).toMatchObject({ version: 4, type: 8, code: 0, offset: 34 });
    expect(p.icmp!.quoted).toBeUndefined();
  });

  it('port unreachable: the quoted UDP datagram fills quoted, never p.udp', () => {
    const p = decode(portUnreach);
    expect(p.layers).toEqual(['eth', 'ip', 'icmp', 'ip', 'udp']);
    expect(p.src).toBe('10.0.0.2');
    expect(p.udp).toBeUndefined();
    expect(p.tcp).toBeUndefined();
    expect(p.icmp).toMatchObject({ type: 3, code: 3 });
    expect(p.icmp!.quoted).toEqual({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, srcPort: 5000, dstPort: 53 });
    expect(p.issues).toEqual([]);
  });

  it('time exceeded quoting 8 bytes of TCP: a quoted TCP header is never a TcpSegment', () => {
    const p = decode(ttlExceeded);
    expect(p.layers).toEqual(['eth', 'ip', 'icmp', 'ip', 'tcp']);
    expect(p.tcp).toBeUndefined();
    expect(p.ipProtocol).toBe(1);
    expect(p.icmp!.quoted).toEqual({ src: '10.0.0.1', dst: '93.184.216.34', protocol: 6, srcPort: 40000, dstPort: 443 });
  });

  it('ICMPv6 errors quote IPv6 packets', () => {
    const a = decode(unreach6);
    expect(a.layers).toEqual(['eth', 'ipv6', 'icmpv6', 'ipv6', 'udp']);
    expect(a.icmp).toMatchObject({ version: 6, type: 1, code: 4 });
    expect(a.icmp!.quoted).toEqual({ src: '2001:db8::1', dst: '2001:db8::2', protocol: 17, srcPort: 6000, dstPort: 123 });
    expect(a.udp).toBeUndefined();
    const b = decode(tooBig6);
    expect(b.layers).toEqual(['eth', 'ipv6', 'icmpv6', 'ipv6', 'tcp']);
    expect(b.tcp).toBeUndefined();
    expect(b.icmp!.quoted).toMatchObject({ protocol: 6, srcPort: 443, dstPort: 50000 });
  });

  it('ICMPv6 informational messages have no quoted packet', () => {
    const p = decode(ns6);
    expect(p.icmp).toMatchObject({ version: 6, type: 135, code: 0 });
    expect(p.icmp!.quoted).toBeUndefined();
  });

  it('flags a quoted IP header that is cut short', () => {
    const p = decode(v4(1, icmp(3, 1, cat([0, 0, 0, 0], quotedUdp.subarray(0, 12)))));
    expect(p.icmp).toMatchObject({ type: 3, code: 1 });
    expect(p.icmp!.quoted).toBeUndefined();
    expect(p.issues).toMatchObject([{ layer: 'icmp', offset: 42, truncated: false }]);
  });
});

describe.skipIf(needTshark())('transport layers agree with tshark', () => {
  it('TCP options', () => {
    const segs = [linuxSyn, sackAck, unknown].map((options) => v4(6, tcp({ flags: TcpFlag.SYN, options })));
    const rows = tsharkFields(segs.map((bytes) => ({ bytes })), 1, ['tcp.options.mss_val', 'tcp.options.wscale.shift',
      'tcp.options.sack_perm', 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr', 'tcp.options.sack_le',
      'tcp.options.sack_re'], ['-o', 'tcp.relative_sequence_numbers:FALSE']);
    segs.forEach((s, i) => {
      const o = decode(s).tcp!.options;
      const [mss, ws, sackPerm, tsval, tsecr, le, re] = rows[i];
      expect(String(o.mss ?? '')).toBe(mss);
      expect(String(o.windowScale ?? '')).toBe(ws);
      expect(o.sackPermitted).toBe(sackPerm !== '');
      expect(String(o.tsVal ?? '')).toBe(tsval);
      expect(String(o.tsEcr ?? '')).toBe(tsecr);
      const sack = o.sack ?? [];
      expect(sack.filter((_, k) => k % 2 === 0).join(',')).toBe(le);
      expect(sack.filter((_, k) => k % 2 === 1).join(',')).toBe(re);
    });
  });

  it('TCP option length problems are malformed/expert items in tshark too', () => {
    const bad = [[2, 4, 0x05, 0xb4, 8, 0, 0, 0], [2, 5, 0x05, 0xb4, 0, 3, 3, 7], [1, 1, 8, 10, 0, 0, 0, 0]]
      .map((options) => v4(6, tcp({ options })));
    const rows = tsharkFields(bad.map((bytes) => ({ bytes })), 1, ['_ws.malformed', '_ws.expert.severity', 'tcp.option.len.invalid']);
    bad.forEach((b, i) => {
      expect(decode(b).issues.length).toBeGreaterThan(0);
      // tshark reports each as malformed or as an error/warning expert item.
      expect(rows[i].some((x) => x !== ''), `tshark row ${i}: ${rows[i]}`).toBe(true);
    });
  });

  it('ICMP types, codes and quoted addresses/ports', () => {
    const frames = [echo, portUnreach, ttlExceeded, unreach6, tooBig6, ns6];
    const rows = tsharkFields(frames.map((bytes) => ({ bytes })), 1, ['frame.protocols', 'icmp.type', 'icmp.code',
      'icmpv6.type', 'icmpv6.code', 'ip.src', 'ipv6.src', 'tcp.srcport', 'udp.srcport']);
    frames.forEach((f, i) => {
      const p = decode(f);
      const [protocols, t4, c4, t6, c6, ipSrc, ip6Src, tp, up] = rows[i];
      expect(tsharkLayers(protocols)).toEqual(p.layers);
      // With several ICMP layers tshark lists every type; the first is the outer message.
      expect(String(p.icmp!.type)).toBe((t4 || t6).split(',')[0]);
      expect(String(p.icmp!.code)).toBe((c4 || c6).split(',')[0]);
      const srcs = (p.ipVersion === 4 ? ipSrc : ip6Src).split(',');
      expect(p.src).toBe(srcs[0]);
      if (p.icmp!.quoted) {
        expect(p.icmp!.quoted.src).toBe(srcs[1]);
        expect(String(p.icmp!.quoted.srcPort)).toBe(tp || up);
      }
    });
  });
});
