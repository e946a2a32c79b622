// The whole pipeline on the real captures in ../shared, DNS section against tshark's oracle message by message.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { needShared, needTshark, sharedCaptures } from '../../support/require';
import { analyze } from '../tls/analyze-capture';

interface OracleRr { name: string | null; type: string; data: unknown; summary: string }
interface OracleDns { frame: number; transport: string; proto: string; id: string; response: boolean; rcode: string | null;
  questions: { name: string; type: string }[]; answers: OracleRr[] }

const DATA_TYPES = new Set([1, 2, 5, 12, 15, 28]);
const norm = (n: string | null) => (n === '<Root>' ? '' : (n ?? '').toLowerCase());
/** tshark 4.0 puts an SRV record's owner in dns.srv.name, not dns.resp.name: take it from the summary line instead. */
const ownerOf = (r: OracleRr) => r.name ?? r.summary.slice(0, r.summary.indexOf(': type '));

const skip = needShared();
describe.skipIf(skip)('DNS over the real captures', () => {
  const files = skip ? [] : ['arkime__dns-tcp.pcap', 'arkime__v6.pcap', 'chrissanders-packets__dns_axfr.pcapng',
    'chrissanders-packets__dns_lab.pcapng', 'tcpdump__LINKTYPE_IPV6.pcap', 'tcpdump__LINKTYPE_RAW_ipv4.pcap',
    'tcpdump__dns_tcp.pcap', 'zeek__dns-corrupt.pcap', 'zeek__dns-https.pcap', 'zeek__dns-two-responses.pcap',
    'zeek__dns_extended_rcode.pcap', 'zeek__ipv6-fragmented-dns.pcap', 'zeek__pcapng-multi-interface.pcapng',
    'zeek__smtp.pcap'].filter((f) => existsSync(join(sharedCaptures, f)));

  for (const file of files) {
    it(`every DNS message tshark lists (not quoted in ICMP) is ours, with the same facts: ${file}`, () => {
      const oracle = JSON.parse(readFileSync(join(sharedCaptures, 'oracle', `${file}.json`), 'utf8'));
      const want = (oracle.dns.messages as OracleDns[]).filter((m) => m.transport === 'udp' || m.transport === 'tcp');
      const ours = analyze(file).dns.toJson();
      expect(ours.length).toBe(want.length);
      want.forEach((m, i) => {
        const o = ours[i];
        const where = `frame ${m.frame}`;
        expect([o.frame, o.transport, o.proto, o.id, o.response], where).toEqual([m.frame, m.transport, m.proto, parseInt(m.id, 16), m.response]);
        if (m.response) expect((o.rcode ?? -1) & 15, where).toBe(Number(m.rcode));
        expect(o.questions.map((q) => `${norm(q.name)}|${q.type}`), where).toEqual(m.questions.map((q) => `${norm(q.name)}|${q.type}`));
        // compared as multisets: the oracle's JSON (--no-duplicate-keys) groups records with identical summaries
        const key = (name: string | null, type: number, data: unknown) =>
          `${norm(name)}|${type}|${DATA_TYPES.has(type) ? (type === 1 || type === 28 ? String(data) : norm(data as string)) : ''}`;
        const theirs = m.answers.map((r) => key(ownerOf(r), Number(r.type), r.data)).sort();
        expect(o.answers.map((r) => key(r.name, r.type, r.data)).sort(), where).toEqual(theirs);
      });
    });
  }

  const noTshark = needTshark();
  it.skipIf(noTshark)('AXFR answers are in wire order (tshark -T fields keeps it)', () => {
    const file = 'chrissanders-packets__dns_axfr.pcapng';
    const r = spawnSync('tshark', ['-n', '-r', join(sharedCaptures, file), '-Y', 'dns.flags.response == 1', '-T', 'fields',
      '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'dns.resp.type'], { encoding: 'utf8' });
    const types = r.stdout.trim().split(',').map(Number);
    const ours = analyze(file).dns.toJson().find((m) => m.response)!;
    expect(ours.answers.map((a) => a.type)).toEqual(types);
    expect(ours.answers.find((a) => a.type === 33)).toMatchObject({ name: '_gc._tcp.Default-First-Site-Name._sites.contoso.local', type: 33,
      data: '0 100 3268 dns3.contoso.local' });
  });

  it('host names learned from answers, through CNAME chains', () => {
    const a = analyze('zeek__pcapng-multi-interface.pcapng');
    expect(a.model.hostNames.get('23.194.101.24')).toBe('www.apple.com');
    expect(a.model.hostNames.get('2607:f8b0:4023:2007::66')).toBe('google.com');
  });
});
