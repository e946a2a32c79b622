// Test helpers: UDP datagrams of a shared capture as tshark sees them (addresses, ports, payload), fed to the
// QuicAnalyzer as DecodedPackets; and the oracle's QUIC packets. Nothing from the captures is copied into the repo.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedCaptures } from '../../support/require';
import type { RawFrame } from '../../../capture/frame';
import type { DecodedPacket } from '../../../decoders/packet';
import { ConversationTable, HostTable } from '../../../decoders/conversations';
import { Timeline } from '../../../decoders/timeline';
import { QuicAnalyzer } from '../../../decoders/quic/analyzer';
import { fromHex } from '../../../decoders/quic/varint';
import type { QuicJson } from '../../../decoders/analysis-json';

export interface Datagram {
  frame: number;
  time: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/** Every UDP datagram of a capture (not ICMP-quoted ones), innermost addresses, via tshark. */
export function tsharkDatagrams(file: string): Datagram[] {
  const r = spawnSync('tshark', ['-n', '-r', join(sharedCaptures, file), '-Y', 'udp && !icmp && !icmpv6', '-T', 'fields',
    '-E', 'occurrence=l', '-e', 'frame.number', '-e', 'frame.time_relative', '-e', 'ip.src', '-e', 'ipv6.src',
    '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'udp.payload'],
  { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((line) => {
    const [frame, time, ip4s, ip6s, ip4d, ip6d, sp, dp, payload] = line.split('\t');
    return {
      frame: Number(frame), time: Number(time), src: ip6s || ip4s, dst: ip6d || ip4d, srcPort: Number(sp),
      dstPort: Number(dp), payload: fromHex(payload ?? ''),
    };
  });
}

/** A DecodedPacket carrying only what QuicAnalyzer reads. */
export function udpPacket(d: Datagram): DecodedPacket {
  const frame: RawFrame = {
    index: d.frame, timestamp: d.time, tsSec: Math.floor(d.time), tsNsec: 0, linkType: 1, bytes: d.payload,
    originalLength: d.payload.length, interface: 0, fileOffset: 0,
  };
  return {
    frame, decoded: true, layers: ['udp'], ipVersion: d.src.includes(':') ? 6 : 4, src: d.src, dst: d.dst,
    ipProtocol: 17, ttl: 64, fragment: false, reassembled: false,
    udp: { srcPort: d.srcPort, dstPort: d.dstPort, payloadLength: d.payload.length, offset: 0 },
    payloadBytes: d.payload, payloadStart: 0, payloadEnd: d.payload.length, issues: [],
  };
}

export function newAnalyzer() {
  const timeline = new Timeline();
  const conversations = new ConversationTable(new HostTable());
  const quic = new QuicAnalyzer({ timeline, conversations });
  return { timeline, conversations, quic };
}

/** Runs the analyzer over datagrams; returns it with the conversation id each datagram got. */
export function runDatagrams(datagrams: Datagram[]) {
  const a = newAnalyzer();
  const convs = datagrams.map((d) => a.quic.onUdp(udpPacket(d), d.time));
  a.quic.finish();
  return { ...a, convs };
}

export interface OraclePacket {
  frame: number;
  transport: string;
  index_in_datagram: number;
  header: 'long' | 'short' | null;
  fixed_bit: string | null;
  version: string | null;
  long_packet_type: string | null;
  dcid: string | null;
  scid: string | null;
  packet_number: string | null;
  frame_types?: string[];
  sni?: string;
  alpn?: string[];
}

export function oracleQuic(file: string): OraclePacket[] {
  const o = JSON.parse(readFileSync(join(sharedCaptures, 'oracle', `${file}.json`), 'utf8'));
  return (o.quic?.packets ?? []) as OraclePacket[];
}

/** The QUIC captures among the shared ones (those whose oracle lists QUIC packets). */
export const QUIC_CAPTURES = [
  'illustrated-quic__capture.pcap', 'illustrated-quic__capture.dsb.pcapng',
  'ja4__chrome-cloudflare-quic-with-secrets.pcapng', 'ndpi__quic_0RTT.pcap', 'tcpdump__quic_handshake.pcap',
  'tcpdump__quic_vn.pcap', 'zeek__curl-8.1.2-dev-http3-www-google-de.pcap', 'zeek__quic-go_quic-go_retry.pcap',
  'zeek__quic-multiple-initial-fragmented-crypto.pcap', 'zeek__quicv2-echo-443.pcap',
];

/** The compare-oracle rules for the quic section, plus packet numbers and frame types of Initials tshark decrypted. */
export function quicDisagreements(oracle: OraclePacket[], mine: QuicJson[]): string[] {
  const hex = (v: string | null | undefined) => (v ?? '').replace(/:/g, '').toLowerCase();
  const list = (v: unknown) => (v == null ? [] : Array.isArray(v) ? v : [v]).map(String).join(',');
  const used = new Set<number>();
  const out: string[] = [];
  for (const q of oracle) {
    if (q.transport !== 'udp') continue;
    if (q.header == null || (q.header === 'short' && String(q.fixed_bit) === '0')) continue;
    const i = mine.findIndex((p, j) => !used.has(j) && p.frame === q.frame && p.indexInDatagram === q.index_in_datagram);
    if (i < 0) { out.push(`frame ${q.frame}#${q.index_in_datagram} missing`); continue; }
    used.add(i);
    const p = mine[i];
    const checks: [string, string, string][] = [['header', q.header, p.header]];
    if (q.header === 'long') {
      checks.push(['version', hex(q.version), hex(p.version)]);
      checks.push(['packetType', String(q.long_packet_type), p.packetType]);
      checks.push(['scid', hex(q.scid), hex(p.scid)]);
    }
    if (q.dcid != null) checks.push(['dcid', hex(q.dcid), hex(p.dcid)]);
    if (q.sni !== undefined) checks.push(['sni', list(q.sni).toLowerCase(), list(p.sni).toLowerCase()]);
    if (q.alpn !== undefined) checks.push(['alpn', list(q.alpn), list(p.alpn)]);
    // beyond the scored fields: where tshark decrypted an Initial, the same packet number and frame types (it also
    // decrypts Handshake/1-RTT packets of captures that embed a key log: that comes with a later issue)
    if (q.frame_types && q.long_packet_type === 'initial') {
      checks.push(['packetNumber', String(q.packet_number), String(p.packetNumber)]);
      checks.push(['frameTypes', q.frame_types.join(','), (p.frameTypes ?? []).join(',')]);
    }
    for (const [k, a, b] of checks) if (a !== b) out.push(`frame ${q.frame}#${q.index_in_datagram} ${k}: tshark ${a} ours ${b}`);
  }
  mine.forEach((p, j) => { if (!used.has(j)) out.push(`extra packet frame ${p.frame}#${p.indexInDatagram}`); });
  return out;
}

function ipv4(a: string): number[] {
  return a.split('.').map(Number);
}

function ipv6(a: string): number[] {
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [], t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Writes datagrams as a classic pcap of raw IPv4/IPv6 + UDP packets (LINKTYPE_RAW), for tshark. */
export function writePcap(path: string, datagrams: Datagram[]): void {
  const parts: Uint8Array[] = [];
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, true); head.setUint16(4, 2, true); head.setUint16(6, 4, true);
  head.setUint32(16, 65535, true); head.setUint32(20, 101, true);
  parts.push(new Uint8Array(head.buffer));
  for (const d of datagrams) {
    const v6 = d.src.includes(':');
    const udpLen = 8 + d.payload.length;
    const ip = v6
      ? [0x60, 0, 0, 0, udpLen >> 8, udpLen & 0xff, 17, 64, ...ipv6(d.src), ...ipv6(d.dst)]
      : [0x45, 0, (20 + udpLen) >> 8, (20 + udpLen) & 0xff, 0, 0, 0x40, 0, 64, 17, 0, 0, ...ipv4(d.src), ...ipv4(d.dst)];
    const udp = [d.srcPort >> 8, d.srcPort & 0xff, d.dstPort >> 8, d.dstPort & 0xff, udpLen >> 8, udpLen & 0xff, 0, 0];
    const pkt = new Uint8Array(ip.length + udp.length + d.payload.length);
    pkt.set(ip); pkt.set(udp, ip.length); pkt.set(d.payload, ip.length + udp.length);
    const rec = new DataView(new ArrayBuffer(16));
    rec.setUint32(0, Math.floor(d.time) + 1_700_000_000, true);
    rec.setUint32(4, Math.round((d.time % 1) * 1e6), true);
    rec.setUint32(8, pkt.length, true); rec.setUint32(12, pkt.length, true);
    parts.push(new Uint8Array(rec.buffer), pkt);
  }
  writeFileSync(path, Buffer.concat(parts));
}

/** tshark's view of a capture, through the same script that built the shared oracle. */
export function buildOracle(pcap: string, outDir: string): OraclePacket[] {
  const script = join(sharedCaptures, 'oracle', 'build_oracle.py');
  const r = spawnSync('python3', [script, outDir, pcap], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`build_oracle.py failed: ${r.stderr}`);
  const name = pcap.slice(pcap.lastIndexOf('/') + 1);
  const o = JSON.parse(readFileSync(join(outDir, `${name}.json`), 'utf8'));
  return (o.quic?.packets ?? []) as OraclePacket[];
}
