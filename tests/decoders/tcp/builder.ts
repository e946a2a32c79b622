// Hand-built TCP segment sequences for the analysis tests: each becomes a DecodedPacket for TcpAnalyzer and, for
// cross-checking with tshark, an Ethernet/IPv4/TCP frame of a classic pcap file.
import type { DecodedPacket, TcpOptions } from '../../../decoders/packet';
import type { RawFrame } from '../../../capture/frame';
import { TcpFlag } from '../../../decoders/packet';
import { ConversationTable, HostTable } from '../../../decoders/conversations';
import { Timeline, type TimelineEvent } from '../../../decoders/timeline';
import { TcpAnalyzer, tcpAnalysisNames, type TcpStreamSink } from '../../../decoders/tcp/analyzer';
import type { StreamMode } from '../../../decoders/tcp/stream-reassembly';

export const CLIENT = { ip: '10.0.0.1', port: 40000 };
export const SERVER = { ip: '10.0.0.2', port: 443 };

export interface Seg {
  /** Sender: client or server of CLIENT/SERVER, or an explicit endpoint pair. */
  from: 'c' | 's';
  /** Any of S A F R P, e.g. 'SA', 'FA', 'A'. */
  flags: string;
  seq: number;
  ack?: number;
  /** Payload length on the wire (default: payload's length, else 0). */
  len?: number;
  /** Payload bytes (default: zeros); fewer bytes than len means the capture cut them. */
  payload?: Uint8Array;
  /** Raw window field (default 1000). */
  win?: number;
  /** Seconds since the start (default: 10 ms after the previous segment). */
  t?: number;
  ws?: number;
  mss?: number;
  sackPermitted?: boolean;
  /** Overrides the endpoints (for several conversations in one capture). */
  src?: { ip: string; port: number };
  dst?: { ip: string; port: number };
}

const FLAG_BITS: Record<string, number> = { F: TcpFlag.FIN, S: TcpFlag.SYN, R: TcpFlag.RST, P: TcpFlag.PSH, A: TcpFlag.ACK };

export function flagBits(s: string): number {
  let f = 0;
  for (const ch of s) f |= FLAG_BITS[ch] ?? 0;
  return f;
}

/** Start of the capture (any fixed epoch second). */
const T0 = 1_700_000_000;

interface Built { p: DecodedPacket; time: number; bytes: Uint8Array }

function endpoints(s: Seg) {
  const src = s.src ?? (s.from === 'c' ? CLIENT : SERVER);
  const dst = s.dst ?? (s.from === 'c' ? SERVER : CLIENT);
  return { src, dst };
}

function optionBytes(s: Seg): number[] {
  const o: number[] = [];
  if (s.mss !== undefined) o.push(2, 4, s.mss >> 8, s.mss & 255);
  if (s.sackPermitted) o.push(4, 2);
  if (s.ws !== undefined) o.push(1, 3, 3, s.ws);
  while (o.length % 4) o.push(1);
  return o;
}

function ipBytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** Ethernet + IPv4 + TCP frame of a segment (checksums left zero: tshark is told not to check them). */
function frameBytes(s: Seg, len: number, payload: Uint8Array): Uint8Array {
  const { src, dst } = endpoints(s);
  const opts = optionBytes(s);
  const hl = 20 + opts.length;
  const captured = Math.min(payload.length, len);
  const total = 20 + hl + len;
  const out = new Uint8Array(14 + 20 + hl + captured);
  out.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0], 0);
  const ip = [0x45, 0, total >> 8, total & 255, 0, 1, 0, 0, 64, 6, 0, 0, ...ipBytes(src.ip), ...ipBytes(dst.ip)];
  out.set(ip, 14);
  const t = 34;
  const seq = s.seq >>> 0, ack = (s.ack ?? 0) >>> 0, win = s.win ?? 1000;
  out.set([src.port >> 8, src.port & 255, dst.port >> 8, dst.port & 255,
    seq >>> 24, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255, ack >>> 24, (ack >>> 16) & 255, (ack >>> 8) & 255, ack & 255,
    (hl / 4) << 4, flagBits(s.flags), win >> 8, win & 255, 0, 0, 0, 0, ...opts], t);
  out.set(payload.subarray(0, captured), t + hl);
  return out;
}

function build(segs: Seg[]): Built[] {
  let time = 0;
  return segs.map((s, i) => {
    time = s.t ?? (i === 0 ? 0 : time + 0.01);
    const len = s.len ?? s.payload?.length ?? 0;
    const payload = s.payload ?? new Uint8Array(len);
    const bytes = frameBytes(s, len, payload);
    const sec = Math.floor(time), nsec = Math.round((time - sec) * 1e9);
    const frame: RawFrame = {
      index: i + 1, timestamp: T0 + time, tsSec: T0 + sec, tsNsec: nsec, linkType: 1, bytes,
      // a payload shorter than `len` was cut by the snapshot length: the frame was longer on the wire
      originalLength: bytes.length + len - Math.min(payload.length, len), interface: 0, fileOffset: 0,
    };
    const { src, dst } = endpoints(s);
    const options: TcpOptions = {
      mss: s.mss, windowScale: s.ws, sackPermitted: !!s.sackPermitted, sack: undefined, tsVal: undefined,
      tsEcr: undefined, fastOpen: undefined,
    };
    const hl = 20 + optionBytes(s).length;
    const p: DecodedPacket = {
      frame, decoded: true, layers: ['eth', 'ipv4', 'tcp'], ipVersion: 4, src: src.ip, dst: dst.ip, ipProtocol: 6,
      ttl: 64, fragment: false, reassembled: false,
      tcp: {
        srcPort: src.port, dstPort: dst.port, seq: s.seq >>> 0, ack: (s.ack ?? 0) >>> 0, flags: flagBits(s.flags),
        window: s.win ?? 1000, headerLength: hl, payloadLength: len, options, offset: 34,
      },
      payloadBytes: bytes, payloadStart: 34 + hl, payloadEnd: bytes.length, issues: [],
    };
    return { p, time, bytes };
  });
}

export interface Run {
  analyzer: TcpAnalyzer;
  timeline: Timeline;
  table: ConversationTable;
  /** tshark flag names per frame (index 0 = frame 1). */
  flags: string[][];
  /** Conversation id and direction per frame. */
  conv: number[];
  dir: number[];
  events: TimelineEvent[];
}

/** Runs the segments through a fresh TcpAnalyzer. */
/** `finish: false` leaves the input open (finish() ends it: packets after it are not analysed). */
export function analyze(segs: Seg[], opts: { sink?: TcpStreamSink; streamMode?: StreamMode; finish?: boolean } = {}): Run {
  const table = new ConversationTable(new HostTable());
  const timeline = new Timeline();
  const analyzer = new TcpAnalyzer({ timeline, conversations: table, sink: opts.sink, streamMode: opts.streamMode });
  const flags: string[][] = [], conv: number[] = [], dir: number[] = [];
  for (const b of build(segs)) {
    conv.push(analyzer.onPacket(b.p, b.time));
    dir.push(analyzer.lastDir);
    flags.push(tcpAnalysisNames(analyzer.lastFlags));
  }
  if (opts.finish !== false) analyzer.finish();
  const events: TimelineEvent[] = [];
  for (let i = 0; i < timeline.count; i++) events.push(timeline.get(i));
  return { analyzer, timeline, table, flags, conv, dir, events };
}

/** Frames (1-based) carrying a flag. */
export function framesWith(run: Run, flag: string): number[] {
  const out: number[] = [];
  run.flags.forEach((f, i) => { if (f.includes(flag)) out.push(i + 1); });
  return out;
}

/** A classic pcap (Ethernet, microseconds) of the segments, for running tshark on them. */
export function pcapFile(segs: Seg[]): Uint8Array {
  const built = build(segs);
  const size = 24 + built.reduce((n, b) => n + 16 + b.bytes.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true); v.setUint16(4, 2, true); v.setUint16(6, 4, true);
  v.setUint32(16, 262144, true); v.setUint32(20, 1, true);
  let o = 24;
  for (const b of built) {
    const sec = Math.floor(b.time), usec = Math.round((b.time - sec) * 1e6);
    v.setUint32(o, T0 + sec, true); v.setUint32(o + 4, usec, true);
    v.setUint32(o + 8, b.bytes.length, true); v.setUint32(o + 12, b.p.frame.originalLength, true);
    out.set(b.bytes, o + 16);
    o += 16 + b.bytes.length;
  }
  return out;
}
