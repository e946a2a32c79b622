// Robustness: mutated real DNS messages, mutated own fixtures and random bytes through the DNS parser and analyzer
// (UDP and TCP framing). Nothing may throw; names stay within the 255-byte limit's text; buffers stay bounded.
import { describe, expect, it } from 'vitest';
import { ConversationTable, HostTable } from '../../../decoders/conversations';
import { DnsAnalyzer } from '../../../decoders/dns/analyzer';
import { parseDnsMessage, scanDnsMessage } from '../../../decoders/dns/message';
import { ipv4String } from '../../../decoders/wire/addresses';
import type { DecodedPacket } from '../../../decoders/packet';
import { Timeline } from '../../../decoders/timeline';
import { needShared } from '../../support/require';
import { capturePayloads } from '../tls/capture-payloads';
import { mutate, prng } from '../tls/build';
import { dname, header, opt, ptr, question, response, rr, u16 } from './build';

const BUDGET_MS = 900;

function analyzer() {
  const timeline = new Timeline();
  const conversations = new ConversationTable(new HostTable());
  const dns = new DnsAnalyzer({ timeline, conversations });
  const udpConv = conversations.open('udp', '10.0.0.1', 40000, '10.0.0.2', 53, 1);
  const tcpConv = conversations.open('tcp', '10.0.0.1', 40001, '10.0.0.2', 53, 1, 0);
  let frame = 1;
  const udp = (b: Uint8Array, dir: 0 | 1) => dns.onUdp({
    frame: { index: frame++ }, udp: { srcPort: dir ? 53 : 40000, dstPort: dir ? 40000 : 53, payloadLength: b.length, offset: 0 },
    payloadBytes: b, payloadStart: 0, payloadEnd: b.length,
  } as unknown as DecodedPacket, udpConv, dir, frame / 10);
  const tcp = (b: Uint8Array, dir: 0 | 1) => dns.onTcpData(tcpConv, dir, b, frame++, frame / 10);
  return { dns, udp, tcp, tcpGap: (dir: 0 | 1) => dns.onTcpGap(tcpConv, dir, 10, frame), timeline };
}

function check(b: Uint8Array): void {
  const m = parseDnsMessage(b);
  for (const r of [...m.questions, ...m.answers, ...m.authority, ...m.additional]) {
    // 255 wire bytes at most, and each byte prints as at most 4 characters (\ooo) + dots
    expect(r.name.length).toBeLessThanOrEqual(255 * 4);
  }
  parseDnsMessage(b, { mdns: true });
  // the analyzer's first pass reads the same values as the full parse, wherever the message stops (mDNS or not:
  // none of those values depends on the class fields mDNS reads differently)
  for (const mdns of [false, true]) {
    const full = parseDnsMessage(b, { mdns });
    const q = full.questions[0];
    const scan = scanDnsMessage(b);
    // an A record's address comes as a number: its text is the full parse's
    for (const r of scan.answers) {
      if (r.v4 !== undefined) {
        expect(r.data).toBeUndefined();
        r.data = ipv4String(Uint8Array.of(r.v4 >>> 24, r.v4 >>> 16, r.v4 >>> 8, r.v4), 0);
        delete r.v4;
      }
    }
    expect(scan).toEqual({
      id: full.id, response: full.response, rcode: full.rcode, hasQuestion: !!q, qname: q?.name ?? '',
      qtype: q?.type ?? 0,
      answers: full.answers.filter((r) => r.type === 1 || r.type === 5 || r.type === 28)
        .map((r) => ({ name: r.name, type: r.type, data: r.data })),
    });
  }
}

const own = [
  response(1, 'www.example.com', 1, [['www.example.com', 5, dname('cdn.example.net')], ['cdn.example.net', 1, [1, 2, 3, 4]]]),
  Uint8Array.from([...header({ flags: 0x8180, qd: 1, an: 2, ar: 1 }), ...question(dname('example.com'), 65),
    ...rr(ptr(12), 65, [...u16(1), 0, ...u16(1), ...u16(3), 2, 0x68, 0x33]), ...rr(ptr(12), 46, new Array(30).fill(1)),
    ...opt(1232, 0, 0, true, [...u16(8), ...u16(7), ...u16(1), 24, 0, 1, 2, 3])]),
  Uint8Array.from([...header({ qd: 1 }), ...ptr(12), ...u16(1), ...u16(1)]),
];

describe('DNS fuzzing', () => {
  it('random bytes and mutated own fixtures, over UDP and TCP', () => {
    const rnd = prng(7);
    const a = analyzer();
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < BUDGET_MS) {
      const b = rnd() < 0.5
        ? Uint8Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256))
        : mutate(own[n % own.length], rnd);
      check(b);
      a.udp(b, (n & 1) as 0 | 1);
      a.tcp(b, (n & 1) as 0 | 1);
      if (rnd() < 0.05) a.tcpGap((n & 1) as 0 | 1);
      n++;
    }
    a.dns.finish();
    a.dns.toJson();
    expect(n).toBeGreaterThan(200);
    // the TCP reassembly buffer holds at most one message (< 64 KiB + its prefix) plus a segment
    const tcp = (a.dns as unknown as { tcp: Map<number, { len: number }[]> }).tcp;
    for (const pair of tcp.values()) for (const d of pair) expect(d.len).toBeLessThanOrEqual(65537 + 300);
  });

  it('compression pointers everywhere: pointer soup never loops forever', () => {
    const rnd = prng(8);
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < BUDGET_MS / 3) {
      const len = 12 + Math.floor(rnd() * 200);
      const b = Uint8Array.from({ length: len }, (_, i) => (i < 12 ? [0, 1, 0x81, 0x80, 0, 9, 0, 9, 0, 9, 0, 9][i]
        : rnd() < 0.5 ? 0xc0 : Math.floor(rnd() * len)));
      check(b);
      n++;
    }
    expect(n).toBeGreaterThan(100);
  });

  const skip = needShared();
  it.skipIf(skip)('mutated real messages from ../shared captures', () => {
    const rnd = prng(9);
    const files = ['chrissanders-packets__dns_lab.pcapng', 'arkime__v6.pcap', 'zeek__dns-https.pcap',
      'zeek__dns-two-responses.pcap', 'chrissanders-packets__dns_axfr.pcapng', 'arkime__dns-tcp.pcap'];
    const real = files.flatMap((f) => capturePayloads(f).filter((p) => p.srcPort === 53 || p.dstPort === 53));
    expect(real.length).toBeGreaterThan(20);
    const a = analyzer();
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < BUDGET_MS) {
      const p = real[n % real.length];
      const b = mutate(p.bytes, rnd);
      check(p.proto === 'tcp' ? b.subarray(2) : b);
      if (p.proto === 'tcp') a.tcp(b, (p.srcPort === 53 ? 1 : 0)); else a.udp(b, p.srcPort === 53 ? 1 : 0);
      n++;
    }
    a.dns.finish();
    expect(n).toBeGreaterThan(100);
  });
});
