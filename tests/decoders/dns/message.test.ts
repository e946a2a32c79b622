import { describe, expect, it } from 'vitest';
import { parseDnsMessage } from '../../../decoders/dns/message';
import { DnsMessageLog } from '../../../decoders/dns/message-log';
import { formatLabel, NAME_LOOP, NAME_TOO_LONG, readName } from '../../../decoders/dns/name';
import { ascii, dname, header, labels, opt, ptr, question, rr, u16, u32 } from './build';

const B = (a: number[]) => Uint8Array.from(a);

describe('header', () => {
  it('reads every flag and the counts', () => {
    // response, opcode 2 (STATUS), AA, TC, RD, RA, AD, CD, rcode 5
    const m = parseDnsMessage(B(header({ id: 0xbeef, flags: 0x8000 | (2 << 11) | 0x0400 | 0x0200 | 0x0100 | 0x0080 | 0x0020 | 0x0010 | 5 })));
    expect(m).toMatchObject({ id: 0xbeef, response: true, opcode: 2, authoritative: true, truncated: true,
      recursionDesired: true, recursionAvailable: true, authenticData: true, checkingDisabled: true, headerRcode: 5, rcode: 5 });
    expect(m.problems).toEqual([]);
  });

  it('keeps the id of a message shorter than a header', () => {
    const m = parseDnsMessage(B([0x12, 0x34, 0x81]));
    expect(m.id).toBe(0x1234);
    expect(m.cut).toBe(true);
  });
});

describe('names', () => {
  it('follows compression pointers (RFC 1035 §4.1.4)', () => {
    // question www.example.com at 12; answer name = pointer to 12; CNAME data = "cdn" + pointer to "example.com" (16)
    const msg = [...header({ flags: 0x8180, qd: 1, an: 1 }), ...question(dname('www.example.com')),
      ...rr(ptr(12), 5, [3, ...ascii('cdn'), ...ptr(16)])];
    const m = parseDnsMessage(B(msg));
    expect(m.problems).toEqual([]);
    expect(m.answers[0]).toMatchObject({ name: 'www.example.com', type: 5, data: 'cdn.example.com', ttl: 300 });
  });

  it('stops a pointer loop and goes on with the message (tshark: <Name contains a pointer that loops>)', () => {
    const self = [...header({ qd: 1 }), ...ptr(12), ...u16(1), ...u16(1)];
    let m = parseDnsMessage(B(self));
    expect(m.questions).toEqual([{ name: NAME_LOOP, type: 1, qclass: 1 }]);
    // a longer loop through a label: "a" -> pointer back to "a"
    m = parseDnsMessage(B([...header({ qd: 1 }), 1, 0x61, ...ptr(12), ...u16(28), ...u16(1)]));
    expect(m.questions[0]).toEqual({ name: NAME_LOOP, type: 28, qclass: 1 });
  });

  it('a long chain of distinct pointers is no loop (every byte is visited once)', () => {
    // 200 pointers, each to the previous one, the first to the name "end"
    const b: number[] = [...header({ qd: 1 }), ...dname('end')];
    let prev = 12;
    for (let i = 0; i < 200; i++) { const here = b.length; b.push(...ptr(prev)); prev = here; }
    const n = readName(B(b), prev, b.length);
    expect(n.text).toBe('end');
    expect(n.next).toBe(prev + 2);
  });

  it('a pointer outside the message makes the question unreadable, as tshark (Malformed, no query listed)', () => {
    const m = parseDnsMessage(B([...header({ qd: 1 }), 3, ...ascii('abc'), ...ptr(0x40), ...u16(1), ...u16(1)]));
    expect(m.questions).toEqual([]);
    expect(m.cut).toBe(true);
    expect(m.problems[0]).toMatch(/outside the message/);
  });

  it('255 bytes on the wire is the limit (tshark: <Name too long> beyond it)', () => {
    const x = (c: string, n: number) => ascii(c.repeat(n));
    const ok = labels(x('x', 63), x('y', 63), x('z', 63), x('w', 61)); // 255 bytes
    const long = labels(x('x', 63), x('y', 63), x('z', 63), x('w', 62)); // 256 bytes
    expect(ok.length).toBe(255);
    expect(readName(B(ok), 0, ok.length).text).toBe(`${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(61)}`);
    const n = readName(B([...long, 0xaa]), 0, long.length + 1);
    expect(n.text).toBe(NAME_TOO_LONG);
    expect(n.next).toBe(256); // the rest of the message is still read from the right place
  });

  it('root is <Root>', () => {
    const m = parseDnsMessage(B([...header({ qd: 1 }), ...question([0], 2)]));
    expect(m.questions[0].name).toBe('<Root>');
  });

  // What tshark 4.0.17 prints for odd bytes in a label (checked with crafted packets):
  // "a.b"+"com" -> a.b.com; NUL -> \000; tab -> \t; BEL BS FF LF CR VT -> \a \b \f \n \r \v; ESC -> \033;
  // DEL -> \177; backslash and quotes unchanged; valid UTF-8 kept; a lone 0xff -> U+FFFD; non-printable code points
  // (C1 controls, format characters, unassigned) -> \uXXXX / \UXXXXXXXX.
  it.each([
    [[ascii('a.b'), ascii('com')], 'a.b.com'],
    [[ascii('nul\0x'), ascii('com')], 'nul\\000x.com'],
    [[ascii('tab\tx')], 'tab\\tx'],
    [[[7, 8, 12, 10, 13, 11, 0x1b, 1]], '\\a\\b\\f\\n\\r\\v\\033\\001'],
    [[ascii('DEL\x7fx')], 'DEL\\177x'],
    [[ascii('back\\slash'), ascii('com')], 'back\\slash.com'],
    [[[0x63, 0x61, 0x66, 0xc3, 0xa9]], 'café'],
    [[[0x68, 0x69, 0xff, 0x78]], 'hi\ufffdx'],
    [[[0x78, 0xe2, 0x82]], 'x\ufffd'],
    [[[0xed, 0xa0, 0x80]], '\ufffd'],
    [[[0xf0, 0x9f, 0x98, 0x80]], '😀'],
    [[[0x63, 0x31, 0xc2, 0x80, 0x78]], 'c1\\u0080x'],
    [[[0x61, 0xe2, 0x80, 0x8b, 0x62]], 'a\\u200Bb'],
    [[[0x61, 0xf3, 0xa0, 0x80, 0x81, 0x62]], 'a\\U000E0001b'],
    [[[0x61, 0xe4, 0xb8, 0xad, 0x62]], 'a中b'],
    [[ascii('UPPER'), ascii('Com')], 'UPPER.Com'],
  ])('formats %j like tshark', (ls, want) => {
    const b = labels(...(ls as number[][]));
    expect(readName(B(b), 0, b.length).text).toBe(want);
  });

  it('formatLabel on a plain label is the identity', () => {
    expect(formatLabel(B(ascii('example')), 0, 7)).toBe('example');
  });
});

describe('records', () => {
  const ipv6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const msg = (...records: number[][]) => B([...header({ flags: 0x8180, qd: 1, an: records.length }),
    ...question(dname('example.com'), 255), ...records.flat()]);

  it('decodes the common types', () => {
    const q = ptr(12);
    const m = parseDnsMessage(msg(
      rr(q, 1, [93, 184, 216, 34]),
      rr(q, 28, ipv6),
      rr(q, 2, dname('ns1.example.net')),
      rr(dname('34.216.184.93.in-addr.arpa'), 12, ptr(12)),
      rr(q, 15, [...u16(10), ...dname('mail.example.com')]),
      rr(q, 16, [5, ...ascii('hello'), 3, ...ascii('a b')]),
      rr(q, 6, [...dname('ns1.example.net'), ...dname('hostmaster.example.com'), ...u32(2024010101), ...u32(7200),
        ...u32(3600), ...u32(1209600), ...u32(300)]),
      rr(dname('_sip._tcp.example.com'), 33, [...u16(10), ...u16(60), ...u16(5060), ...dname('sip.example.com')]),
      rr(q, 257, [0, 5, ...ascii('issue'), ...ascii('letsencrypt.org')]),
      rr(q, 99, [3, ...ascii('spf')]),
      rr(q, 0x1234, [1, 2, 3]),
    ));
    expect(m.problems).toEqual([]);
    expect(m.answers.map((r) => [r.name, r.type, r.data])).toEqual([
      ['example.com', 1, '93.184.216.34'],
      ['example.com', 28, '2001:db8::1'],
      ['example.com', 2, 'ns1.example.net'],
      ['34.216.184.93.in-addr.arpa', 12, 'example.com'],
      ['example.com', 15, 'mail.example.com'],
      ['example.com', 16, '"hello" "a b"'],
      ['example.com', 6, 'ns1.example.net hostmaster.example.com 2024010101 7200 3600 1209600 300'],
      ['_sip._tcp.example.com', 33, '10 60 5060 sip.example.com'],
      ['example.com', 257, '0 issue "letsencrypt.org"'],
      ['example.com', 99, '"spf"'],
      ['example.com', 0x1234, '010203'],
    ]);
    expect(m.answers[4].rdata).toEqual({ kind: 'mx', preference: 10, exchange: 'mail.example.com' });
  });

  it('HTTPS/SVCB (RFC 9460): priority, target, alpn, port, address hints', () => {
    const params = [...u16(1), ...u16(6), 2, ...ascii('h3'), 2, ...ascii('h2'), ...u16(3), ...u16(2), ...u16(8443),
      ...u16(4), ...u16(8), 104, 16, 1, 1, 104, 16, 2, 2, ...u16(6), ...u16(16), ...ipv6];
    const m = parseDnsMessage(msg(rr(ptr(12), 65, [...u16(1), 0, ...params])));
    expect(m.answers[0].data).toBe('1 <Root> alpn=h3,h2 port=8443 ipv4hint=104.16.1.1,104.16.2.2 ipv6hint=2001:db8::1');
  });

  it('DNSSEC types by name and content', () => {
    const m = parseDnsMessage(msg(
      rr(ptr(12), 43, [...u16(2371), 13, 2, 0xde, 0xad]),
      rr(ptr(12), 48, [...u16(257), 3, 13, ...new Array(64).fill(1)]),
      rr(ptr(12), 46, [...u16(1), 13, 2, ...u32(300), ...u32(1700000000), ...u32(1690000000), ...u16(2371), ...dname('example.com'), 9, 9]),
      rr(ptr(12), 47, [...dname('a.example.com'), 0, 6, 0x40, 0x01, 0, 0, 0, 0x03]),
      rr(dname('h.example.com'), 50, [1, 0, ...u16(10), 2, 0xab, 0xcd, 5, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 1, 0x40]),
    ));
    expect(m.problems).toEqual([]);
    expect(m.answers.map((r) => r.data)).toEqual([
      '2371 ECDSAP256SHA256 2 dead',
      '257 3 ECDSAP256SHA256 (KSK, 64-byte key)',
      'A ECDSAP256SHA256 2 300 key 2371 example.com',
      'a.example.com A MX RRSIG NSEC',
      '1 0 10 abcd 00000001 A',
    ]);
  });

  it('EDNS: payload size, DO bit, client subnet and the extended rcode (RFC 6891 §6.1.3)', () => {
    const ecs = [...u16(8), ...u16(7), ...u16(1), 24, 0, 198, 51, 100];
    const b = B([...header({ flags: 0x8180 | 0x1, qd: 1, ar: 1 }), ...question(dname('example.com')), ...opt(1232, 1, 0, true, ecs)]);
    const m = parseDnsMessage(b);
    expect(m.problems).toEqual([]);
    expect(m.headerRcode).toBe(1);
    expect(m.rcode).toBe(17); // (1 << 4) | 1
    expect(m.edns).toMatchObject({ udpPayloadSize: 1232, version: 0, dnssecOk: true,
      clientSubnet: { family: 1, sourcePrefix: 24, scopePrefix: 0, address: '198.51.100.0' } });
    expect(m.additional[0]).toMatchObject({ name: '<Root>', type: 41, data: 'CLIENT-SUBNET 198.51.100.0/24' });
  });

  it('a record cut inside its data is kept without data and ends the parse', () => {
    const full = [...header({ flags: 0x8180, qd: 1, an: 2 }), ...question(dname('example.com')),
      ...rr(ptr(12), 1, [1, 2, 3, 4]), ...rr(ptr(12), 1, [5, 6, 7, 8])];
    const m = parseDnsMessage(B(full.slice(0, full.length - 2)));
    expect(m.answers.map((r) => r.data)).toEqual(['1.2.3.4', undefined]);
    expect(m.cut).toBe(true);
  });

  it('mDNS: the class top bit is cache-flush in records and unicast-response in questions', () => {
    const b = B([...header({ flags: 0x8400, qd: 1, an: 1 }), ...question(dname('printer.local'), 1, 0x8001),
      ...rr(ptr(12), 1, [192, 168, 1, 9], 120, 0x8001)]);
    const m = parseDnsMessage(b, { mdns: true });
    expect(m.questions[0]).toMatchObject({ qclass: 1, unicastResponse: true });
    expect(m.answers[0]).toMatchObject({ rclass: 1, cacheFlush: true, data: '192.168.1.9' });
  });

  it('counts larger than the message end the parse without running away', () => {
    const m = parseDnsMessage(B([...header({ qd: 65535, an: 65535 }), ...question(dname('a.b'))]));
    expect(m.questions.length).toBe(1);
    expect(m.cut).toBe(true);
  });
});

describe('DnsMessageLog', () => {
  it('stores a message repeated under another id once, and gives each back with its own id', () => {
    const q = (id: number, name: string) => Uint8Array.from([...header({ id, qd: 1 }), ...question(dname(name))]);
    const log = new DnsMessageLog();
    const msgs = [q(1, 'a.example'), q(2, 'a.example'), q(3, 'b.example'), q(2, 'a.example'), Uint8Array.of(7)];
    msgs.forEach((m, i) => log.add(i + 1, 'udp', 'dns', m));
    const before = log.retainedBytes();
    log.compact();
    expect(log.retainedBytes()).toBeLessThan(before);
    msgs.forEach((m, i) => {
      if (m.length >= 2) expect(log.parse(i).message).toEqual(parseDnsMessage(m));
    });
    expect(log.toJson().map((r) => [r.frame, r.id, r.questions[0]?.name])).toEqual([
      [1, 1, 'a.example'], [2, 2, 'a.example'], [3, 3, 'b.example'], [4, 2, 'a.example'], [5, 0, undefined],
    ]);
    // rows added after compact() still work
    log.add(6, 'tcp', 'dns', q(9, 'a.example'));
    expect(log.parse(5).message.id).toBe(9);
    expect(log.parse(5).transport).toBe('tcp');
  });
});
