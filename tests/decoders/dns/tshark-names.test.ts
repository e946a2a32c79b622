// Our DNS name text against tshark's on crafted packets: odd bytes, compression, loops, length limits. The packets
// are built here, written to a temporary pcap and given to tshark; both readings must agree exactly.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseDnsMessage } from '../../../decoders/dns/message';
import { needTshark } from '../../support/require';
import { ascii, dname, header, labels, ptr, question, rr, u16 } from './build';

/** A classic pcap of raw IPv4 (LINKTYPE_RAW 101) UDP datagrams to port 53. */
function pcap(payloads: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0); gh.writeUInt16LE(2, 4); gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(65535, 16); gh.writeUInt32LE(101, 20);
  parts.push(gh);
  payloads.forEach((p, i) => {
    const udp = Buffer.alloc(8 + p.length);
    udp.writeUInt16BE(40000 + i, 0); udp.writeUInt16BE(53, 2); udp.writeUInt16BE(8 + p.length, 4);
    Buffer.from(p).copy(udp, 8);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45; ip.writeUInt16BE(20 + udp.length, 2); ip[8] = 64; ip[9] = 17;
    Buffer.from([10, 0, 0, 1]).copy(ip, 12); Buffer.from([10, 0, 0, 2]).copy(ip, 16);
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(1000 + i, 0); rh.writeUInt32LE(ip.length + udp.length, 8); rh.writeUInt32LE(ip.length + udp.length, 12);
    parts.push(rh, ip, udp);
  });
  return Buffer.concat(parts);
}

const q = (name: number[], type = 1) => Uint8Array.from([...header({ qd: 1 }), ...question(name, type)]);
const x = (c: string, n: number) => ascii(c.repeat(n));

const cases: Uint8Array[] = [
  q(dname('www.example.com')),
  q(labels(ascii('a.b'), ascii('com'))),
  q(labels(ascii('sp ace'), ascii('com'))),
  q(labels([0x6e, 0x75, 0x6c, 0, 0x78], ascii('com'))),
  q(labels([0x68, 0x69, 0xff, 0x78], ascii('com'))),
  q(labels(ascii('back\\slash'), ascii('com'))),
  q(labels([0x63, 0x61, 0x66, 0xc3, 0xa9], ascii('com'))),
  q([0]),
  q(labels([7, 8, 12, 10, 13, 11, 0x1b, 1, 0x7f], ascii('com'))),
  q(labels([0x78, 0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98, 0x80], [0x63, 0xc2, 0x80])),
  ...['\u200b', '\u00ad', '\ue000', '\u0378', '\u00a0', '\u009f', '\ufeff', '\u{e0001}', '\u{10ffff}', '\u2028',
    '\u0600', '\u4e2d'].map((c) => q(labels([0x61, ...new TextEncoder().encode(c), 0x62]))),
  q(ptr(12)),
  q([1, 0x61, ...ptr(12)]),
  q(labels(x('x', 63), x('y', 63), x('z', 63), x('w', 61))),
  q(labels(x('x', 63), x('y', 63), x('z', 63), x('w', 62))),
  q(labels(x('x', 63), x('y', 63), x('z', 63), x('w', 60), ascii('v'))),
  q([3, ...ascii('abc'), ...ptr(0x40)]),
  q([3, ...ascii('abc'), 0x80, 5]),
  q([5, 0x61, 0x62]),
  Uint8Array.from([...header({ flags: 0x8180, qd: 1, an: 3 }), ...question(dname('Www.Example.COM')),
    ...rr(ptr(12), 5, [3, ...ascii('cdn'), ...ptr(16)]), ...rr([3, ...ascii('cdn'), ...ptr(16)], 1, [1, 2, 3, 4]),
    ...rr(ptr(12), 15, [...u16(5), ...ptr(16)])]),
];

const skip = needTshark();
describe.skipIf(skip)('DNS names as tshark 4.0 prints them', () => {
  it('every question and answer name (and CNAME/MX target) is the same text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-dns-'));
    try {
      const file = join(dir, 'names.pcap');
      writeFileSync(file, pcap(cases));
      const r = spawnSync('tshark', ['-n', '-r', file, '-T', 'json', '--no-duplicate-keys', '-J', 'frame dns'],
        { encoding: 'utf8', maxBuffer: 64 << 20 });
      const packets = JSON.parse(r.stdout) as { _source: { layers: Record<string, Record<string, unknown>> } }[];
      expect(packets.length).toBe(cases.length);
      packets.forEach((p, i) => {
        const dnsLayer = p._source.layers.dns ?? {};
        const theirsQ = Object.values((dnsLayer.Queries || {}) as Record<string, Record<string, string>>)
          .map((v) => v['dns.qry.name']);
        const answers = Object.values((dnsLayer.Answers || {}) as Record<string, Record<string, string>>);
        const theirsA = answers.map((v) => `${v['dns.resp.name']}|${v['dns.cname'] ?? v['dns.a'] ?? v['dns.mx.mail_exchange']}`);
        const m = parseDnsMessage(cases[i]);
        expect(m.questions.map((x) => x.name), `packet ${i + 1}`).toEqual(theirsQ);
        expect(m.answers.map((a) => `${a.name}|${a.data}`), `packet ${i + 1}`).toEqual(theirsA);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
