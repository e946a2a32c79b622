// The benchmark's capture generator at small scale: deterministic, readable by our reader and by tshark alike, and
// carrying what it claims (TCP anomalies, DNS, TLS and QUIC SNIs) as tshark sees it. No timing here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureFileSync } from '../../capture/node-file-source';
import { generateCapture, type GenerateOptions, type GenerateResult } from '../../scripts/bench/generate';
import { needTshark } from '../support/require';

// Few flows and 20x the anomaly rate, so that 2 000 packets (40 ms of traffic) contain every kind of episode.
const SMALL: Omit<GenerateOptions, 'out'> = { packets: 2000, seed: 7, concurrency: 20, anomalies: 20 };

let dir: string;
let a: GenerateResult;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pf-gen-'));
  a = generateCapture({ ...SMALL, out: join(dir, 'a') });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Frames as our reader delivers them: timestamp and a hash of the bytes. */
function frames(path: string): { count: number; digest: string[] } {
  const digest: string[] = [];
  const info = readCaptureFileSync(path, (batch) => {
    for (const f of batch) {
      let h = 0x811c9dc5;
      for (let i = 0; i < f.bytes.length; i++) h = Math.imul(h ^ f.bytes[i], 0x01000193);
      digest.push(`${f.tsSec}.${f.tsNsec}/${f.bytes.length}/${f.originalLength}/${(h >>> 0).toString(16)}`);
    }
  });
  expect(info.fatal).toBeNull();
  expect(info.warnings).toEqual([]);
  return { count: info.frames, digest };
}

describe('gen-capture', () => {
  it('is deterministic: the same options give byte-identical files, another seed does not', () => {
    const b = generateCapture({ ...SMALL, out: join(dir, 'b') });
    const c = generateCapture({ ...SMALL, seed: 8, out: join(dir, 'c'), formats: ['pcap'] });
    for (const f of ['pcap', 'pcapng'] as const) {
      expect(readFileSync(b.files[f].path).equals(readFileSync(a.files[f].path))).toBe(true);
    }
    expect(readFileSync(c.files.pcap.path).equals(readFileSync(a.files.pcap.path))).toBe(false);
    expect(b.stats).toEqual(a.stats);
  });

  it('writes the requested number of frames, the same ones in pcap and pcapng', () => {
    const p = frames(a.files.pcap.path);
    const n = frames(a.files.pcapng.path);
    expect(p.count).toBe(SMALL.packets);
    expect(n.count).toBe(SMALL.packets);
    expect(n.digest).toEqual(p.digest);
    expect(a.tcpPackets + a.udpPackets).toBe(SMALL.packets);
    expect(a.ipv6Packets).toBeGreaterThan(0);
  });

  it('injected the behaviours its manifest counts', () => {
    const s = a.stats;
    for (const k of ['tlsConnections', 'httpConnections', 'quicConnections', 'dnsTransactions', 'upstreamLosses',
      'rtoRetransmissions', 'zeroWindows', 'finCloses', 'rstCloses'] as const) {
      expect(s[k], k).toBeGreaterThan(0);
    }
  });
});

const skip = needTshark();
describe.skipIf(skip)('gen-capture as tshark sees it', () => {
  // One tshark pass with checksum validation on; one row per frame.
  const FIELDS = ['frame.number', 'frame.protocols', '_ws.malformed', '_ws.expert.severity', 'ip.checksum.status',
    'tcp.checksum.status', 'udp.checksum.status', 'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission',
    'tcp.analysis.spurious_retransmission', 'tcp.analysis.duplicate_ack', 'tcp.analysis.zero_window',
    'tcp.analysis.zero_window_probe', 'tcp.analysis.window_full', 'tcp.analysis.lost_segment', 'dns.flags.response',
    'dns.flags.rcode', 'tls.handshake.extensions_server_name', 'http.request.method'] as const;
  type Rowf = Record<(typeof FIELDS)[number], string>;
  const rows: Record<string, Rowf[]> = {};

  beforeAll(() => {
    for (const f of ['pcap', 'pcapng'] as const) {
      const r = spawnSync('tshark', ['-r', a.files[f].path, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE',
        '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,',
        ...FIELDS.flatMap((x) => ['-e', x])], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.status, r.stderr).toBe(0);
      rows[f] = r.stdout.trimEnd().split('\n').map((line) => {
        const cells = line.split('\t');
        return Object.fromEntries(FIELDS.map((x, i) => [x, cells[i] ?? ''])) as Rowf;
      });
    }
  });
  const count = (f: string, pred: (r: Rowf) => boolean) => rows[f].filter(pred).length;

  it('reads the same number of frames as our reader, in both formats, with the same dissection', () => {
    expect(rows.pcap.length).toBe(SMALL.packets);
    expect(rows.pcapng.length).toBe(SMALL.packets);
    expect(rows.pcapng.map((r) => r['frame.protocols'])).toEqual(rows.pcap.map((r) => r['frame.protocols']));
  });

  it('finds nothing malformed and nothing of error severity', () => {
    const ERROR = 0x800000; // PI_ERROR
    expect(count('pcap', (r) => r['_ws.malformed'] !== '')).toBe(0);
    expect(count('pcap', (r) => r['_ws.expert.severity'].split(',').some((s) => Number(s) >= ERROR))).toBe(0);
  });

  it('has valid IPv4, TCP and UDP checksums (status 1 = good, 0 = bad)', () => {
    const bad = (s: string) => s.split(',').includes('0');
    expect(count('pcap', (r) => bad(r['ip.checksum.status']) || bad(r['tcp.checksum.status']) || bad(r['udp.checksum.status']))).toBe(0);
    expect(count('pcap', (r) => r['tcp.checksum.status'] === '1' || r['udp.checksum.status'] === '1')).toBe(SMALL.packets);
  });

  it('shows the injected TCP behaviours: losses, dup ACKs, (fast) retransmissions, zero windows', () => {
    const has = (k: keyof Rowf) => count('pcap', (r) => r[k] !== '');
    expect(has('tcp.analysis.lost_segment')).toBeGreaterThan(0);
    expect(has('tcp.analysis.duplicate_ack')).toBeGreaterThanOrEqual(2 * a.stats.upstreamLosses - 2);
    expect(has('tcp.analysis.fast_retransmission')).toBeGreaterThan(0);
    expect(has('tcp.analysis.retransmission')).toBeGreaterThan(0);
    expect(has('tcp.analysis.zero_window')).toBeGreaterThanOrEqual(1);
  });

  it('shows DNS answers and NXDOMAIN, HTTP requests, and the SNI of TLS ClientHellos and of QUIC Initials', () => {
    expect(count('pcap', (r) => r['dns.flags.response'] === '1' && r['dns.flags.rcode'] === '0')).toBeGreaterThan(0);
    expect(count('pcap', (r) => r['dns.flags.response'] === '1' && r['dns.flags.rcode'] === '3')).toBeGreaterThan(0);
    expect(count('pcap', (r) => r['http.request.method'] === 'GET')).toBeGreaterThan(0);
    const sni = (proto: string) => rows.pcap.filter((r) => r['tls.handshake.extensions_server_name'] !== '' &&
      r['frame.protocols'].split(':').includes(proto)).map((r) => r['tls.handshake.extensions_server_name']);
    const tls = sni('tcp'), quic = sni('quic');
    expect(tls.length).toBeGreaterThan(0);
    expect(quic.length).toBeGreaterThan(0);
    for (const name of [...tls, ...quic]) expect(name).toMatch(/^[a-z]+\.[a-z]+\.[a-z.]+$/);
  });
});
