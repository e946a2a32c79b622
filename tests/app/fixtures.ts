// Synthetic analysis results for the renderer's pure modules: the columns the worker would post for a small
// capture, written out frame by frame so each test says exactly what the capture contained.
import { CaptureData } from '../../renderer/model/capture-data';
import { CAT, type ConvSummary } from '../../renderer/worker/protocol';
import type { FrameCategory } from '../../decoders/frame-summary';
import { FrameProto } from '../../decoders/model';
import { eventCode, type EventKind } from '../../decoders/timeline';

export interface FrameSpec {
  t: number;
  src: number;
  dst: number;
  sport?: number;
  dport?: number;
  conv?: number;
  dir?: number;
  cat?: FrameCategory;
  marks?: number;
  len?: number;
  proto?: number;
  events?: EventKind[];
}

export function makeData(hosts: string[], convs: ConvSummary[], frames: FrameSpec[]): CaptureData {
  const d = new CaptureData();
  const n = frames.length;
  const events: { kind: number; frame: number; conv: number }[] = [];
  frames.forEach((f, i) => (f.events ?? []).forEach((k) => events.push({ kind: eventCode(k), frame: i + 1, conv: f.conv ?? -1 })));
  d.applyBatch({
    frames: {
      from: 0, count: n,
      time: Float64Array.from(frames, (f) => f.t),
      src: Int32Array.from(frames, (f) => f.src),
      dst: Int32Array.from(frames, (f) => f.dst),
      srcPort: Uint16Array.from(frames, (f) => f.sport ?? 0),
      dstPort: Uint16Array.from(frames, (f) => f.dport ?? 0),
      conv: Int32Array.from(frames, (f) => f.conv ?? -1),
      dir: Uint8Array.from(frames, (f) => f.dir ?? 2),
      cat: Uint8Array.from(frames, (f) => CAT[f.cat ?? 'data']),
      marks: Uint8Array.from(frames, (f) => f.marks ?? 0),
      len: Uint32Array.from(frames, (f) => f.len ?? 60),
      proto: Uint8Array.from(frames, (f) => f.proto ?? FrameProto.TCP),
    },
    events: events.length ? {
      from: 0, count: events.length, kind: Uint8Array.from(events, (e) => e.kind),
      frame: Uint32Array.from(events, (e) => e.frame), conv: Int32Array.from(events, (e) => e.conv),
    } : null,
    convs, hosts: { from: 0, names: hosts }, hostNames: [],
    summary: { format: 'pcap', compressed: false, frames: n, warnings: [], fatal: null, firstSec: 1_700_000_000, firstNsec: 0, bytes: 'kept' },
  });
  return d;
}

export function tcpConv(id: number, clientHost: number, serverHost: number, first: number, last: number, packets: number,
  hs?: { syn: number; synAck: number; ack: number }): ConvSummary {
  return {
    id, protocol: 'tcp', client: `h${clientHost}:50000`, server: `h${serverHost}:443`, clientHost, serverHost,
    clientPort: 50000, serverPort: 443,
    firstFrame: first, lastFrame: last, packets, bytes: [0, 0], tcpStream: id, notes: {}, hs,
  };
}

/**
 * A TLS-ish connection seen from next to the client: SYN at 0, SYN/ACK 30 ms later (a = 30 ms of network and
 * server), ACK 0.2 ms after that (b = 0.2 ms on the client side), then a request and a response one RTT later.
 */
export function handshakeCapture(): CaptureData {
  const c = 0, s = 1;
  return makeData(['10.0.0.1', '10.0.0.2'], [tcpConv(0, c, s, 1, 5, 5, { syn: 1, synAck: 2, ack: 3 })], [
    { t: 0, src: c, dst: s, sport: 50000, dport: 443, conv: 0, dir: 0, cat: 'handshake', events: ['tcp.syn_sent'] },
    { t: 0.030, src: s, dst: c, sport: 443, dport: 50000, conv: 0, dir: 1, cat: 'handshake', events: ['tcp.syn_ack_sent'] },
    { t: 0.0302, src: c, dst: s, sport: 50000, dport: 443, conv: 0, dir: 0, cat: 'ack', events: ['tcp.handshake_completed'] },
    { t: 0.0303, src: c, dst: s, sport: 50000, dport: 443, conv: 0, dir: 0, cat: 'tls', events: ['tls.client_hello'] },
    { t: 0.0605, src: s, dst: c, sport: 443, dport: 50000, conv: 0, dir: 1, cat: 'tls', marks: 1, events: ['tls.server_hello', 'tcp.retransmission'] },
  ]);
}
