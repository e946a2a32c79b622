// The bundled samples (assets/samples, recorded by scripts/record-samples.sh): each shows what its README says, for
// tshark and for our own reader and analyzer.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needTshark, repoRoot } from '../support/require';
import type { DnsResponseFacts } from '../../decoders/dns/analyzer';
import { analyzeFile, readFrames, tsharkRecords } from './support';

const dir = join(repoRoot, 'assets/samples');
const sample = (name: string) => join(dir, `${name}.pcapng`);
const kindsOf = (file: string) => {
  const t = analyzeFile(file).model.timeline;
  return Array.from({ length: t.count }, (_, i) => t.kindOf(i));
};
const on = (v: string) => v === '1' || v === 'True';

describe('bundled samples', () => {
  it('are all there, small, and read without a warning', () => {
    for (const name of ['01-tcp-handshake-data-close', '02-tls13-handshake', '03-dns-lookups']) {
      expect(existsSync(sample(name)), name).toBe(true);
      const { frames, info } = readFrames(sample(name));
      expect(info.format).toBe('pcapng');
      expect(info.warnings).toEqual([]);
      expect(frames.length).toBeGreaterThan(5);
      expect(frames.every((f) => f.linkType === 1 && f.bytes.length <= 1514)).toBe(true);
    }
  });

  it('01 has a handshake, data and an orderly close', () => {
    const kinds = kindsOf(sample('01-tcp-handshake-data-close'));
    expect(kinds.filter((k) => k === 'tcp.handshake_completed')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'tcp.fin')).toHaveLength(2);
    expect(kinds).toContain('tcp.data');
  });

  it('02 is a TLS 1.3 handshake with its key log embedded', () => {
    const { info } = readFrames(sample('02-tls13-handshake'));
    expect(info.secrets).toHaveLength(1);
    expect(info.secrets[0].text).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET /m);
    const kinds = kindsOf(sample('02-tls13-handshake'));
    for (const k of ['tls.client_hello', 'tls.server_hello', 'tls.handshake_completed']) expect(kinds).toContain(k);
  });

  it('05 explains its zero-window probe as a probe, not as an idle keep-alive', () => {
    // Linux probes a zero window with a keep-alive-shaped segment; tshark flags it keep_alive.
    const an = analyzeFile(sample('05-zero-window'));
    const t = an.model.timeline;
    const probes = Array.from({ length: t.count }, (_, i) => i).filter((i) => t.kindOf(i) === 'tcp.keep_alive');
    expect(probes.length).toBeGreaterThan(0);
    for (const i of probes) expect(an.explainEvent(i)).toMatch(/window is zero, so the \w+ probes it.*shape of a keep-alive/);
  });

  it('03 has four lookups with their answers', () => {
    const a = analyzeFile(sample('03-dns-lookups'));
    const t = a.model.timeline;
    const answers: [string, string, number, string[]][] = [];
    for (let i = 0; i < t.count; i++) {
      if (t.kindOf(i) !== 'dns.response') continue;
      const r = t.get(i).ref as DnsResponseFacts;
      answers.push([r.name, r.type, r.rcode, r.addresses]);
    }
    expect(answers).toEqual([
      ['www.packetflow.test', 'A', 0, ['192.0.2.10']],
      ['www.packetflow.test', 'AAAA', 0, ['2001:db8::10']],
      ['alias.packetflow.test', 'A', 0, ['192.0.2.10']],
      ['missing.packetflow.test', 'A', 3, []],
    ]);
  });

  describe.skipIf(needTshark())('as tshark reads them', () => {
    it('02 decrypts with the embedded key log alone', () => {
      const rows = tsharkRecords(sample('02-tls13-handshake'), ['tls.handshake.type', 'http.request.uri'],
        ['-o', 'tls.keylog_file:']);
      expect(rows.some((r) => r['http.request.uri'] === '/sample')).toBe(true);
      expect(rows.some((r) => r['tls.handshake.type'].split(',').includes('20'))).toBe(true); // Finished, decrypted
    });

    it('04 has real loss: retransmissions and duplicate ACKs; 05 has a zero window', () => {
      const loss = tsharkRecords(sample('04-tcp-loss-retransmission'), ['tcp.analysis.retransmission',
        'tcp.analysis.fast_retransmission', 'tcp.analysis.duplicate_ack']);
      expect(loss.filter((r) => r['tcp.analysis.fast_retransmission'] !== '').length).toBeGreaterThan(0);
      expect(loss.filter((r) => r['tcp.analysis.duplicate_ack'] !== '').length).toBeGreaterThan(5);
      const zw = tsharkRecords(sample('05-zero-window'), ['tcp.analysis.zero_window', 'tcp.analysis.window_update']);
      expect(zw.filter((r) => r['tcp.analysis.zero_window'] !== '').length).toBeGreaterThan(0);
      expect(zw.filter((r) => r['tcp.analysis.window_update'] !== '').length).toBeGreaterThan(0);
    });

    it('04 explains each plain retransmission as tshark times it: a repair when it came sooner than any RTO', () => {
      const file = sample('04-tcp-loss-retransmission');
      // tcp.analysis.rto: time since the segment was first sent; Linux's smallest retransmission timeout is 200 ms.
      const rto = new Map(tsharkRecords(file, ['frame.number', 'tcp.analysis.rto'], ['-Y', 'tcp.analysis.rto'])
        .map((r) => [Number(r['frame.number']), Number(r['tcp.analysis.rto'])]));
      const an = analyzeFile(file);
      const t = an.model.timeline;
      const plain = Array.from({ length: t.count }, (_, i) => i).filter((i) => t.kindOf(i) === 'tcp.retransmission');
      expect(plain.length).toBeGreaterThan(0);
      for (const i of plain) {
        const seconds = rto.get(t.frame[i]);
        expect(seconds, `frame ${t.frame[i]}`).toBeDefined();
        expect(an.explainEvent(i), `frame ${t.frame[i]}`).toMatch(seconds! < 0.2 ? /repairing a loss/ : /timer expired/);
      }
    });

    it('the round trip is about 30 ms (the router\'s userspace delay)', () => {
      const rows = tsharkRecords(sample('01-tcp-handshake-data-close'), ['frame.time_relative', 'tcp.flags.syn', 'tcp.flags.ack']);
      const synAck = rows.find((r) => on(r['tcp.flags.syn']) && on(r['tcp.flags.ack']))!;
      expect(Number(synAck['frame.time_relative'])).toBeGreaterThan(0.025);
      expect(Number(synAck['frame.time_relative'])).toBeLessThan(0.1);
    });
  });
});
