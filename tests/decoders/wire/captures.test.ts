// Every frame of every capture in ../shared/captures decodes without throwing, and agrees with tshark on the
// layers, the innermost IP addresses and the TCP/UDP ports (with tshark installed), and with the oracle's TCP
// streams (which need only ../shared).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needShared, needTshark, sharedCaptures } from '../../support/require';
import { CaptureReader } from '../../../capture/reader';
import { PacketDecoder } from '../../../decoders/decode';
import { tsharkLayers } from './helpers';

interface Row {
  frame: number;
  layers: string[];
  decoded: boolean;
  ipVersion: number;
  src: string;
  dst: string;
  /** TCP/UDP ports of the packet itself, or of the packet quoted in an ICMP error. */
  ports: [number, number] | null;
  tcp: boolean;
  quoted: boolean;
  fragment: boolean;
  /** Index of our (innermost, not quoted) IP header among the headers of its version, for tshark's lists. */
  ipIndex: number;
}

/** Decodes a capture with the project's reader, fed in 64 KiB pieces like the app does. */
function decodeFile(path: string): Row[] {
  const reader = new CaptureReader(path);
  const decoder = new PacketDecoder();
  const bytes = readFileSync(path);
  const rows: Row[] = [];
  const take = (frames: ReturnType<CaptureReader['push']>) => {
    for (const f of frames) {
      const p = decoder.decode(f);
      const icmpAt = p.layers.findIndex((l) => l === 'icmp' || l === 'icmpv6');
      const before = icmpAt < 0 ? p.layers : p.layers.slice(0, icmpAt);
      const q = p.icmp?.quoted;
      rows.push({
        frame: f.index, layers: p.layers.slice(), decoded: p.decoded, ipVersion: p.ipVersion, src: p.src, dst: p.dst,
        ports: p.tcp ? [p.tcp.srcPort, p.tcp.dstPort] : p.udp ? [p.udp.srcPort, p.udp.dstPort]
          : q?.srcPort !== undefined ? [q.srcPort, q.dstPort!] : null,
        tcp: p.tcp !== undefined, quoted: q !== undefined, fragment: p.fragment,
        ipIndex: before.filter((l) => l === (p.ipVersion === 6 ? 'ipv6' : 'ip')).length - 1,
      });
    }
  };
  for (let o = 0; o < bytes.length; o += 65536) take(reader.push(bytes.subarray(o, o + 65536)));
  take(reader.end());
  return rows;
}

const files = existsSync(sharedCaptures)
  ? readdirSync(sharedCaptures).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort()
  : [];

const sharedSkip = needShared();

describe.skipIf(sharedSkip)('shared captures decode', () => {
  it.each(files)('%s: every frame decodes, TCP frames match the oracle streams', (file) => {
    const rows = decodeFile(join(sharedCaptures, file));
    const oracle = JSON.parse(readFileSync(join(sharedCaptures, 'oracle', `${file}.json`), 'utf8'));
    expect(rows.length).toBe(oracle.frames);
    const streams: { client: string; server: string; first_frame: number; last_frame: number; frames: number }[] = oracle.tcp.streams;
    // Every TCP frame that is not a quoted header inside ICMP belongs to one stream.
    const tcpFrames = rows.filter((r) => r.tcp).length;
    expect(tcpFrames).toBe(streams.reduce((s, x) => s + x.frames, 0));
    const ep = (a: string, port: number) => (a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
    for (const s of streams) {
      for (const n of [s.first_frame, s.last_frame]) {
        const r = rows[n - 1];
        expect(r.tcp, `frame ${n}`).toBe(true);
        const ends = [ep(r.src, r.ports![0]), ep(r.dst, r.ports![1])].sort();
        expect(ends, `frame ${n}`).toEqual([s.client, s.server].sort());
      }
    }
    expect(rows.filter((r) => r.quoted && r.layers.includes('tcp')).length).toBe(oracle.tcp.icmp_quoted_tcp_frames_skipped);
  });
});

const tsharkSkip = sharedSkip ?? needTshark();

describe.skipIf(tsharkSkip)('shared captures agree with tshark frame by frame', () => {
  it.each(files)('%s', (file) => {
    const path = join(sharedCaptures, file);
    const rows = decodeFile(path);
    const r = spawnSync('tshark', ['-n', '-r', path, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a',
      '-E', 'aggregator=,', '-e', 'frame.number', '-e', 'frame.protocols', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src',
      '-e', 'ipv6.dst', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'udp.srcport', '-e', 'udp.dstport'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBe(rows.length);
    lines.forEach((line, i) => {
      const [num, protocols, s4, d4, s6, d6, tsp, tdp, usp, udp] = line.split('\t');
      const ours = rows[i];
      const at = `frame ${num}`;
      expect(ours.frame, at).toBe(Number(num));
      if (!ours.decoded) {
        expect(ours.layers, at).toEqual([]);
        return;
      }
      expect(ours.layers, at).toEqual(tsharkLayers(protocols));
      if (ours.ipVersion !== 0) {
        const [src, dst] = ours.ipVersion === 4 ? [s4, d4] : [s6, d6];
        expect(ours.src, at).toBe(src.split(',')[ours.ipIndex]);
        expect(ours.dst, at).toBe(dst.split(',')[ours.ipIndex]);
      }
      const sp = tsp || usp, dp = tdp || udp;
      expect(ours.ports ? `${ours.ports[0]}:${ours.ports[1]}` : '', at).toBe(sp ? `${sp.split(',')[0]}:${dp.split(',')[0]}` : '');
    });
  });
});
