import { describe, expect, it } from 'vitest';
import { ConversationTable, HostTable } from '../../../decoders/conversations';
import { DnsAnalyzer, dnsProtoForPorts, type DnsResponseFacts } from '../../../decoders/dns/analyzer';
import { explainDns } from '../../../decoders/dns/explain';
import type { DecodedPacket } from '../../../decoders/packet';
import { Timeline } from '../../../decoders/timeline';
import { dname, header, ptr, query, question, response, rr, u16 } from './build';

function setup() {
  const timeline = new Timeline();
  const conversations = new ConversationTable(new HostTable());
  const dns = new DnsAnalyzer({ timeline, conversations });
  const events = () => Array.from({ length: timeline.count }, (_, i) => timeline.get(i));
  return { timeline, conversations, dns, events };
}

/** The parts of a decoded UDP packet the DNS analyzer reads. */
function udp(frame: number, payload: Uint8Array, srcPort: number, dstPort: number): DecodedPacket {
  return {
    frame: { index: frame } as DecodedPacket['frame'], udp: { srcPort, dstPort, payloadLength: payload.length, offset: 0 },
    payloadBytes: payload, payloadStart: 0, payloadEnd: payload.length,
  } as DecodedPacket;
}

describe('proto by port (tshark tries the lower port first)', () => {
  it.each([[53, 40000, 'dns'], [5353, 5353, 'mdns'], [40000, 5353, 'mdns'], [5355, 50000, 'llmnr'], [53, 5353, 'dns'],
    [5353, 5355, 'mdns']])('%i <-> %i is %s', (a, b, want) => {
    expect(dnsProtoForPorts(a, b)).toBe(want);
  });
});

describe('DnsAnalyzer over UDP', () => {
  it('matches a response to its query: latency, CNAME chain, addresses, host names', () => {
    const { conversations, dns, events } = setup();
    const c = conversations.open('udp', '10.0.0.5', 40000, '10.0.0.1', 53, 1);
    dns.onUdp(udp(1, query(0x4fe8, 'www.apple.com'), 40000, 53), c, 0, 0.0);
    const resp = Uint8Array.from([...header({ id: 0x4fe8, flags: 0x8180, qd: 1, an: 3 }), ...question(dname('www.apple.com')),
      ...rr(ptr(12), 5, dname('www.apple.com.edgekey.net')),
      ...rr(dname('www.apple.com.edgekey.net'), 5, dname('e6858.dsce9.akamaiedge.net')),
      ...rr(dname('e6858.dsce9.akamaiedge.net'), 1, [23, 194, 101, 24])]);
    dns.onUdp(udp(2, resp, 53, 40000), c, 1, 0.031);
    const [q, r] = events();
    expect(q.kind).toBe('dns.query');
    expect(q.ref).toMatchObject({ id: 0x4fe8, name: 'www.apple.com', type: 'A', attempt: 1 });
    expect(r.kind).toBe('dns.response');
    expect(r.a).toBeCloseTo(0.031, 9);
    const f = r.ref as DnsResponseFacts;
    expect(f.chain).toEqual(['www.apple.com', 'www.apple.com.edgekey.net', 'e6858.dsce9.akamaiedge.net']);
    expect(f.addresses).toEqual(['23.194.101.24']);
    expect(f.queryFrame).toBe(1);
    expect(dns.hostNames().get('23.194.101.24')).toBe('www.apple.com');
    expect(explainDns(r)).toMatch(/alias: www\.apple\.com → .*address 23\.194\.101\.24/);
    expect(dns.toJson()).toEqual([
      { frame: 1, transport: 'udp', proto: 'dns', id: 0x4fe8, response: false, questions: [{ name: 'www.apple.com', type: 1 }], answers: [] },
      { frame: 2, transport: 'udp', proto: 'dns', id: 0x4fe8, response: true, rcode: 0, questions: [{ name: 'www.apple.com', type: 1 }],
        answers: [
          { name: 'www.apple.com', type: 5, ttl: 300, data: 'www.apple.com.edgekey.net' },
          { name: 'www.apple.com.edgekey.net', type: 5, ttl: 300, data: 'e6858.dsce9.akamaiedge.net' },
          { name: 'e6858.dsce9.akamaiedge.net', type: 1, ttl: 300, data: '23.194.101.24' },
        ] },
    ]);
    expect(c.title).toBe('DNS');
  });

  it('a retransmitted query, then the answer, then a duplicate answer', () => {
    const { conversations, dns, events } = setup();
    const c = conversations.open('udp', '10.0.0.5', 40000, '10.0.0.1', 53, 1);
    dns.onUdp(udp(3, query(0x9f91, 'a.example'), 40000, 53), c, 0, 10);
    dns.onUdp(udp(5, query(0x9f91, 'a.example'), 40000, 53), c, 0, 11);
    const r = response(0x9f91, 'a.example', 1, [['a.example', 1, [1, 1, 1, 1]]]);
    dns.onUdp(udp(8, r, 53, 40000), c, 1, 11.2);
    dns.onUdp(udp(9, r, 53, 40000), c, 1, 11.3);
    expect(events().map((e) => e.kind)).toEqual(['dns.query', 'dns.retransmission', 'dns.response', 'dns.response']);
    const [, re, first, dup] = events();
    expect(re.a).toBeCloseTo(1, 9);
    expect(re.b).toBe(2);
    expect(first.ref).toMatchObject({ duplicate: false, attempts: 2, queryFrame: 3 });
    expect(dup.ref).toMatchObject({ duplicate: true });
    expect(explainDns(re)).toMatch(/sent again \(attempt 2, 1\.00 s after the first\)/);
    expect(c.notes['dns retransmission']).toBe(1);
  });

  it('the same id for another name is another transaction', () => {
    const { conversations, dns, events } = setup();
    const c = conversations.open('udp', '10.0.0.5', 40000, '10.0.0.1', 53, 1);
    dns.onUdp(udp(1, query(6, 'itojun.org', 255), 40000, 53), c, 0, 0);
    dns.onUdp(udp(2, query(6, 'www.yahoo.com', 15), 40000, 53), c, 0, 0.1);
    expect(events().map((e) => e.kind)).toEqual(['dns.query', 'dns.query']);
  });

  it('NXDOMAIN and SERVFAIL are told apart and noted on the conversation', () => {
    const { conversations, dns, events } = setup();
    const c = conversations.open('udp', '10.0.0.5', 40000, '10.0.0.1', 53, 1);
    dns.onUdp(udp(1, query(1, 'nope.example'), 40000, 53), c, 0, 0);
    dns.onUdp(udp(2, response(1, 'nope.example', 1, [], 3), 53, 40000), c, 1, 0.1);
    dns.onUdp(udp(3, query(2, 'broken.example'), 40000, 53), c, 0, 0.2);
    dns.onUdp(udp(4, response(2, 'broken.example', 1, [], 2), 53, 40000), c, 1, 0.3);
    const [, nx, , sf] = events();
    expect(nx.b).toBe(3);
    expect(explainDns(nx)).toMatch(/does not exist \(NXDOMAIN\)/);
    expect(explainDns(sf)).toMatch(/SERVFAIL/);
    expect(c.notes).toMatchObject({ nxdomain: 1, servfail: 1 });
  });

  it('an unanswered query times out after 5 s of capture time, or at the end', () => {
    const { conversations, dns, events } = setup();
    const c = conversations.open('udp', '10.0.0.5', 40000, '10.0.0.1', 53, 1);
    dns.onUdp(udp(1, query(1, 'slow.example'), 40000, 53), c, 0, 0);
    dns.onUdp(udp(2, query(2, 'other.example'), 40000, 53), c, 0, 3);
    dns.onUdp(udp(7, query(3, 'third.example'), 40000, 53), c, 0, 6);
    expect(events().map((e) => `${e.frame} ${e.kind}`)).toEqual(['1 dns.query', '2 dns.query', '7 dns.query', '7 dns.timeout']);
    expect(events()[3].ref).toMatchObject({ name: 'slow.example', queryFrame: 1, atEnd: false });
    dns.finish();
    const tail = events().slice(4);
    expect(tail.map((e) => e.kind)).toEqual(['dns.timeout', 'dns.timeout']);
    // reported at the last frame on the timeline, so the timeline stays in frame order
    expect(tail.every((e) => e.frame === 7)).toBe(true);
    expect(explainDns(tail[0])).toMatch(/got no answer before the capture ended/);
  });

  it('mDNS: the answer from another host (multicast) still matches the query', () => {
    const { conversations, dns, events } = setup();
    const q = conversations.open('udp', '192.168.1.5', 5353, '224.0.0.251', 5353, 1);
    const a = conversations.open('udp', '192.168.1.9', 5353, '224.0.0.251', 5353, 2);
    dns.onUdp(udp(1, query(0, 'printer.local', 1, 0), 5353, 5353), q, 0, 0);
    dns.onUdp(udp(2, response(0, 'printer.local', 1, [['printer.local', 1, [192, 168, 1, 9]]], 0, 0x8400), 5353, 5353), a, 0, 0.002);
    const r = events()[1];
    expect(r.ref).toMatchObject({ proto: 'mdns', queryFrame: 1 });
    expect(dns.toJson().map((m) => m.proto)).toEqual(['mdns', 'mdns']);
    expect(explainDns(events()[0])).toMatch(/mDNS query to everyone on the local network/);
  });
});

describe('DnsAnalyzer over TCP (RFC 1035 §4.2.2 length prefix)', () => {
  const q1 = query(0x4319, 'www.tcpdump.org');
  const r1 = response(0x4319, 'www.tcpdump.org', 1, [['www.tcpdump.org', 1, [192, 139, 46, 66]]]);
  const q2 = query(0x0007, 'contoso.local', 252);
  const framed = (m: Uint8Array) => [...u16(m.length), ...m];

  it('messages spanning segments are reported at the frame that completes them; several per segment', () => {
    const { conversations, dns } = setup();
    const c = conversations.open('tcp', '10.0.0.5', 40000, '10.0.0.1', 53, 1, 0);
    const client = [...framed(q1), ...framed(q2)];
    // the length prefix itself is split: 1 byte in frame 4
    expect(dns.onTcpData(c, 0, Uint8Array.from(client.slice(0, 1)), 4, 0)).toBe(true);
    dns.onTcpData(c, 0, Uint8Array.from(client.slice(1, 10)), 5, 0);
    dns.onTcpData(c, 0, Uint8Array.from(client.slice(10)), 6, 0);
    dns.onTcpData(c, 1, Uint8Array.from(framed(r1)), 8, 0.1);
    expect(dns.toJson().map((m) => [m.frame, m.transport, m.id, m.response])).toEqual([
      [6, 'tcp', 0x4319, false], [6, 'tcp', 0x0007, false], [8, 'tcp', 0x4319, true],
    ]);
  });

  it('a gap drops the message in progress and the next segment starts afresh', () => {
    const { conversations, dns } = setup();
    const c = conversations.open('tcp', '10.0.0.5', 40000, '10.0.0.1', 53, 1, 0);
    dns.onTcpData(c, 0, Uint8Array.from(framed(q1).slice(0, 8)), 4, 0);
    dns.onTcpGap(c, 0, 100, 5);
    dns.onTcpData(c, 0, Uint8Array.from(framed(q2)), 6, 0);
    expect(dns.toJson().map((m) => [m.frame, m.id])).toEqual([[6, 7]]);
  });
});
