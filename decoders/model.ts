// The analysis model: everything the reconstructions computed, in the form the CLI prints and the renderer draws.
// Per-frame data is column-wise (typed arrays, no object per frame); packet bytes are not kept (re-read by offset).
import type { CaptureWarning, DecryptionSecrets, InterfaceInfo } from '../capture/frame';
import type { Timeline } from './timeline';

/** What kind of traffic a frame is, for colouring and filtering without re-decoding. */
export const FrameProto = {
  OTHER: 0, TCP: 1, UDP: 2, ICMP: 3, DNS: 4, TLS: 5, QUIC: 6, ARP: 7, UNDECODED: 8,
} as const;

/** Per-frame columns, appended in frame order. Frame n (1-based) is at index n-1. */
export class FrameIndex {
  count = 0;
  private cap: number;
  /** Seconds since the Unix epoch of the first frame, exactly: whole seconds and nanoseconds. */
  firstSec = 0;
  firstNsec = 0;
  /** Seconds relative to the first frame (tshark's frame.time_relative). */
  time: Float64Array;
  fileOffset: Float64Array;
  capturedLength: Uint32Array;
  originalLength: Uint32Array;
  /** Conversation id (model.conversations index), -1 for none. */
  conversation: Int32Array;
  /** 0 = client→server, 1 = server→client, 2 = none. */
  dir: Uint8Array;
  /** Host ids (model.hosts index) of the innermost IP source and destination, -1 without IP. */
  srcHost: Int32Array;
  dstHost: Int32Array;
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  proto: Uint8Array;
  /** Bit set of TcpAnalysisFlag bits (decoders/tcp) for TCP frames, 0 otherwise. */
  tcpFlags: Uint32Array;
  /** tshark's tcp.analysis.bytes_in_flight after this TCP frame (unacknowledged bytes its sender has out). */
  bytesInFlight: Uint32Array;

  constructor(initialCapacity = 4096) {
    this.cap = Math.max(16, initialCapacity);
    this.time = new Float64Array(this.cap);
    this.fileOffset = new Float64Array(this.cap);
    this.capturedLength = new Uint32Array(this.cap);
    this.originalLength = new Uint32Array(this.cap);
    this.conversation = new Int32Array(this.cap);
    this.dir = new Uint8Array(this.cap);
    this.srcHost = new Int32Array(this.cap);
    this.dstHost = new Int32Array(this.cap);
    this.srcPort = new Uint16Array(this.cap);
    this.dstPort = new Uint16Array(this.cap);
    this.proto = new Uint8Array(this.cap);
    this.tcpFlags = new Uint32Array(this.cap);
    this.bytesInFlight = new Uint32Array(this.cap);
  }

  /** Reserve the next row and return its index; the caller fills the columns. */
  add(): number {
    if (this.count === this.cap) this.grow();
    return this.count++;
  }

  retainedBytes(): number {
    return this.cap * (8 + 8 + 4 + 4 + 4 + 1 + 4 + 4 + 2 + 2 + 1 + 4 + 4);
  }

  private grow(): void {
    const cap = this.cap * 2;
    for (const key of ['time', 'fileOffset', 'capturedLength', 'originalLength', 'conversation', 'dir', 'srcHost',
      'dstHost', 'srcPort', 'dstPort', 'proto', 'tcpFlags', 'bytesInFlight'] as const) {
      const old = this[key];
      const next = new (old.constructor as { new (n: number): typeof old })(cap);
      next.set(old as never);
      (this as Record<string, unknown>)[key] = next;
    }
    this.cap = cap;
  }
}

export interface Conversation {
  id: number;
  protocol: 'tcp' | 'udp' | 'quic' | 'icmp';
  /** "ip:port" of the client (initiator) and server. */
  client: string;
  server: string;
  clientHost: number;
  serverHost: number;
  firstFrame: number;
  lastFrame: number;
  packets: number;
  /** Payload bytes per direction [client→server, server→client]. */
  bytes: [number, number];
  /** tshark's tcp.stream for TCP conversations, else -1. */
  tcpStream: number;
  /** Application protocol recognised on it (tls, dns, quic, http...), if any. */
  app?: string;
  /** A short description for the conversation list, e.g. "TLS example.com" or "DNS". */
  title?: string;
  /** Counts of notable things for the list ("retransmission" -> 3). */
  notes: Record<string, number>;
}

export interface AnalysisModel {
  fileName: string;
  format: 'pcap' | 'pcapng';
  compressed: boolean;
  interfaces: InterfaceInfo[];
  linkTypes: number[];
  warnings: CaptureWarning[];
  secrets: DecryptionSecrets[];
  frames: FrameIndex;
  /** Printable host addresses; FrameIndex.srcHost/dstHost index into it. */
  hosts: string[];
  /** Names learned from DNS answers in the capture, by host address. */
  hostNames: Map<string, string>;
  conversations: Conversation[];
  timeline: Timeline;
}
