// Test helpers: UDP datagrams of a shared capture as tshark sees them (addresses, ports, payload), fed to the
// QuicAnalyzer as DecodedPackets; and the oracle's QUIC packets. Nothing from the captures is copied into the repo.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedCaptures } from '../../support/require';
import type { RawFrame } from '../../../capture/frame';
import type { DecodedPacket } from '../../../decoders/packet';
import { ConversationTable, HostTable } from '../../../decoders/conversations';
import { Timeline } from '../../../decoders/timeline';
import { QuicAnalyzer } from '../../../decoders/quic/analyzer';
import { fromHex } from '../../../decoders/quic/varint';

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
