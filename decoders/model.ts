// The analysis model: everything the reconstructions computed, in the form the CLI prints and the renderer draws.
// Per-frame data is column-wise (typed arrays, no object per frame); packet bytes are not kept (re-read by offset).
import type { CaptureWarning, DecryptionSecrets, InterfaceInfo } from '../capture/frame';
import type { Timeline } from './timeline';
import { grown, indexOfSorted, lowerBound, resized } from './columns';

/** What kind of traffic a frame is, for colouring and filtering without re-decoding. */
export enum FrameProto {
  OTHER = 0, TCP = 1, UDP = 2, ICMP = 3, DNS = 4, TLS = 5, QUIC = 6, ARP = 7, UNDECODED = 8,
}

/** Per-frame columns, appended in frame order. Frame n (1-based) is at index n-1. */
export class FrameIndex {
  count = 0;
  private cap: number;
  /** Seconds since the Unix epoch of the first frame, exactly: whole seconds and nanoseconds. */
  firstSec = 0;
  firstNsec = 0;
  /** Seconds relative to the first frame (tshark's frame.time_relative). */
  time: Float64Array;
  /**
   * File offsets and captured lengths are read with fileOffsetOf() / capturedLengthOf(): the columns keep the low
   * 32 bits of the offset (with the rows where the high part changes in `offsetHigh`) and lengths up to 65534 (the
   * longer ones, loopback and offloaded segments, in a sparse table).
   */
  private offsetLow: Uint32Array;
  private capLen: Uint16Array;
  /** Conversation id (model.conversations index), -1 for none. */
  conversation: Int32Array;
  /** 0 = client→server, 1 = server→client, 2 = none. */
  dir: Uint8Array;
  proto: Uint8Array;
  /** Bit set of TcpAnalysisFlag bits (decoders/tcp) for TCP frames, 0 otherwise. */
  tcpFlags: Uint16Array;
  /** tshark's tcp.analysis.bytes_in_flight after this TCP frame (unacknowledged bytes its sender has out). */
  bytesInFlight: Uint32Array;
  /**
   * Host ids and ports are not stored per frame: a frame of a conversation has its conversation's endpoints in the
   * order its direction gives (learned from the conversation's first frame), so only frames that differ (no
   * conversation, a migrated QUIC path, roles swapped mid-way) are kept, in a sparse table in frame order. The same
   * for original lengths that differ from the captured length (snapshot-length cuts).
   */
  private readonly endpoints = new SparseRows(4);
  private readonly origLengths = new SparseRows(1);
  private readonly longLengths = new SparseRows(1);
  /** Rows from which the offset's high 32 bits are the value: [row, high] pairs, rows ascending. */
  private readonly offsetHigh = new SparseRows(1);
  private lastHigh = 0;
  /** By conversation id: client host, server host, client port, server port (-2: not seen yet). */
  private convEnds = new Int32Array(0);

  constructor(initialCapacity = 4096) {
    this.cap = Math.max(16, initialCapacity);
    this.time = new Float64Array(this.cap);
    this.offsetLow = new Uint32Array(this.cap);
    this.capLen = new Uint16Array(this.cap);
    this.conversation = new Int32Array(this.cap);
    this.dir = new Uint8Array(this.cap);
    this.proto = new Uint8Array(this.cap);
    this.tcpFlags = new Uint16Array(this.cap);
    this.bytesInFlight = new Uint32Array(this.cap);
  }

  /** Reserve the next row and return its index; the caller fills the columns, then calls setPacket(). */
  add(): number {
    if (this.count === this.cap) this.resize(this.cap * 2);
    return this.count++;
  }

  /**
   * The lengths, conversation, direction and endpoints of the row just added (hosts -1 and ports 0 when the frame
   * has none). Call once per row, in row order.
   */
  setPacket(row: number, fileOffset: number, capturedLength: number, originalLength: number, conv: number, dir: number,
    srcHost: number, dstHost: number, srcPort: number, dstPort: number): void {
    const high = Math.floor(fileOffset / 2 ** 32);
    this.offsetLow[row] = fileOffset >>> 0;
    if (high !== this.lastHigh) {
      this.offsetHigh.add(row, high);
      this.lastHigh = high;
    }
    if (capturedLength < LONG) this.capLen[row] = capturedLength;
    else {
      this.capLen[row] = LONG;
      this.longLengths.add(row, capturedLength);
    }
    if (originalLength !== capturedLength) this.origLengths.add(row, originalLength);
    this.conversation[row] = conv;
    this.dir[row] = dir;
    if (conv >= 0 && dir < 2) {
      let e = this.convEnds;
      const k = conv * 4;
      if (k >= e.length) {
        this.convEnds = grown(e, k + 4).fill(-2, e.length);
        e = this.convEnds;
      }
      if (e[k] === -2) {
        e[k] = dir === 0 ? srcHost : dstHost;
        e[k + 1] = dir === 0 ? dstHost : srcHost;
        e[k + 2] = dir === 0 ? srcPort : dstPort;
        e[k + 3] = dir === 0 ? dstPort : srcPort;
      }
      if (dir === 0 ? e[k] === srcHost && e[k + 1] === dstHost && e[k + 2] === srcPort && e[k + 3] === dstPort
        : e[k] === dstHost && e[k + 1] === srcHost && e[k + 2] === dstPort && e[k + 3] === srcPort) return;
    }
    this.endpoints.add(row, srcHost, dstHost, srcPort, dstPort);
  }

  /** Where the frame's record starts in the (decompressed) file. */
  fileOffsetOf(row: number): number {
    const h = this.offsetHigh;
    const j = h.count === 0 ? -1 : h.lowerBound(row + 1) - 1;
    return (j >= 0 ? h.value(j, 0) * 2 ** 32 : 0) + this.offsetLow[row];
  }

  capturedLengthOf(row: number): number {
    const n = this.capLen[row];
    return n === LONG ? this.longLengths.value(this.longLengths.find(row), 0) : n;
  }

  originalLengthOf(row: number): number {
    const j = this.origLengths.find(row);
    return j >= 0 ? this.origLengths.value(j, 0) : this.capturedLengthOf(row);
  }

  /** Host id (model.hosts index) of the innermost IP source of a frame, -1 without IP. */
  srcHostOf(row: number): number { return this.endpointOf(row, 0); }
  dstHostOf(row: number): number { return this.endpointOf(row, 1); }
  srcPortOf(row: number): number { return this.endpointOf(row, 2); }
  dstPortOf(row: number): number { return this.endpointOf(row, 3); }

  /** Original lengths of rows [from, to) as a new array. */
  originalLengths(from = 0, to = this.count): Uint32Array {
    const out = new Uint32Array(Math.max(0, to - from));
    for (let i = 0; i < out.length; i++) out[i] = this.capLen[from + i];
    const l = this.longLengths;
    for (let j = l.lowerBound(from); j < l.count && l.row(j) < to; j++) out[l.row(j) - from] = l.value(j, 0);
    const o = this.origLengths;
    for (let j = o.lowerBound(from); j < o.count && o.row(j) < to; j++) out[o.row(j) - from] = o.value(j, 0);
    return out;
  }

  /** Endpoint columns of rows [from, to) as new arrays (what the renderer and the filter read). */
  endpointColumns(from = 0, to = this.count): { src: Int32Array; dst: Int32Array; srcPort: Uint16Array; dstPort: Uint16Array } {
    const n = Math.max(0, to - from);
    const src = new Int32Array(n), dst = new Int32Array(n), srcPort = new Uint16Array(n), dstPort = new Uint16Array(n);
    const ex = this.endpoints, e = this.convEnds;
    let j = ex.lowerBound(from);
    for (let i = 0; i < n; i++) {
      const row = from + i;
      if (j < ex.count && ex.row(j) === row) {
        src[i] = ex.value(j, 0); dst[i] = ex.value(j, 1); srcPort[i] = ex.value(j, 2); dstPort[i] = ex.value(j, 3);
        j++;
        continue;
      }
      const k = this.conversation[row] * 4, d = this.dir[row];
      src[i] = e[k + d]; dst[i] = e[k + 1 - d]; srcPort[i] = e[k + 2 + d]; dstPort[i] = e[k + 3 - d];
    }
    return { src, dst, srcPort, dstPort };
  }

  retainedBytes(): number {
    return this.cap * (8 + 4 + 2 + 4 + 1 + 1 + 2 + 4) + this.endpoints.retainedBytes() + this.origLengths.retainedBytes() +
      this.longLengths.retainedBytes() + this.offsetHigh.retainedBytes() + this.convEnds.length * 4;
  }

  /** Gives back the room kept for growth (the end of the input). */
  compact(): void {
    const n = Math.max(16, this.count);
    if (n !== this.cap) this.resize(n);
    this.endpoints.compact();
    this.origLengths.compact();
    this.longLengths.compact();
    this.offsetHigh.compact();
  }

  /** which: 0 src host, 1 dst host, 2 src port, 3 dst port. */
  private endpointOf(row: number, which: number): number {
    const j = this.endpoints.find(row);
    if (j >= 0) return this.endpoints.value(j, which);
    const k = this.conversation[row] * 4, d = this.dir[row];
    // src is the client's end when the frame goes client→server (dir 0), the server's otherwise
    return this.convEnds[k + (which & 2) + ((which & 1) ^ d)];
  }

  private resize(cap: number): void {
    const n = this.count;
    this.time = resized(this.time, cap, n);
    this.offsetLow = resized(this.offsetLow, cap, n);
    this.capLen = resized(this.capLen, cap, n);
    this.conversation = resized(this.conversation, cap, n);
    this.dir = resized(this.dir, cap, n);
    this.proto = resized(this.proto, cap, n);
    this.tcpFlags = resized(this.tcpFlags, cap, n);
    this.bytesInFlight = resized(this.bytesInFlight, cap, n);
    this.cap = cap;
  }
}

/** Captured lengths from this one on are kept in the sparse table. */
const LONG = 0xffff;

/** Rows (ascending) with `width` int32 values each, appended in row order: a sparse column set. */
class SparseRows {
  count = 0;
  private rows = new Uint32Array(0);
  private values = new Int32Array(0);
  constructor(private readonly width: number) {}

  add(row: number, v0: number, v1 = 0, v2 = 0, v3 = 0): void {
    this.rows = grown(this.rows, this.count + 1, 64);
    this.values = grown(this.values, (this.count + 1) * this.width, 64 * this.width);
    const w = this.width, j = this.count++, k = j * w;
    this.rows[j] = row;
    this.values[k] = v0;
    if (w > 1) { this.values[k + 1] = v1; this.values[k + 2] = v2; this.values[k + 3] = v3; }
  }

  row(j: number): number { return this.rows[j]; }
  value(j: number, which: number): number { return this.values[j * this.width + which]; }

  lowerBound(row: number): number {
    return lowerBound(this.rows, this.count, row);
  }

  find(row: number): number {
    return this.count === 0 ? -1 : indexOfSorted(this.rows, this.count, row);
  }

  retainedBytes(): number { return this.rows.length * (4 + 4 * this.width); }

  compact(): void {
    if (this.rows.length === this.count) return;
    this.rows = resized(this.rows, this.count);
    this.values = resized(this.values, this.count * this.width);
  }
}

export interface Conversation {
  readonly id: number;
  readonly protocol: 'tcp' | 'udp' | 'quic' | 'icmp';
  /** "ip:port" of the client (initiator) and server ("[v6]:port" for IPv6). */
  readonly client: string;
  readonly server: string;
  /** HostTable ids (AnalysisModel.hosts) and ports of the two ends. */
  readonly clientHost: number;
  readonly serverHost: number;
  readonly clientPort: number;
  readonly serverPort: number;
  readonly firstFrame: number;
  readonly lastFrame: number;
  readonly packets: number;
  /** Payload bytes per direction [client→server, server→client]. */
  readonly bytes: readonly [number, number];
  /** tshark's tcp.stream for TCP conversations, else -1. */
  readonly tcpStream: number;
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
  /** Printable host addresses; FrameIndex.srcHostOf()/dstHostOf() index into it. */
  hosts: string[];
  /** Names learned from DNS answers in the capture, by host address. */
  hostNames: Map<string, string>;
  conversations: Conversation[];
  timeline: Timeline;
}
