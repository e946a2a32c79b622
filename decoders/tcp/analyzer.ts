// TCP conversations as tshark 4.0 reconstructs them: tcp.stream numbering (port reuse included), the handshake and
// initial RTT, window scaling, every tcp.analysis flag (sequence-analysis.ts), FIN/RST per side; plus what the
// course teaches on top: endpoint states, RTT per side, bytes in flight, and the stream bytes for TLS/DNS.
import type { Conversation } from '../model';
import type { ConversationTable } from '../conversations';
import type { DecodedPacket, TcpSegment } from '../packet';
import { TcpFlag } from '../packet';
import type { EventKind, Timeline } from '../timeline';
import { TCP_ANALYSIS_FLAGS, type TcpAnalysisFlagName, type TcpJson } from '../analysis-json';
import { TcpAnalysisFlag } from './flags';
import { Flow, WinScale } from './flow';
import { analyzeSegment, newSegmentAnalysis, type SegmentAnalysis } from './sequence-analysis';
import { observeSegment } from './endpoint-state';
import { TcpState, type TcpStateCode } from './events';
import { StreamReassembly, type StreamMode } from './stream-reassembly';
import { add32, sub32 } from './seq';
import { TupleTable } from './tuple-table';
import { FinishedConversations, type ConvFacts } from './finished';

export { TcpAnalysisFlag, tcpAnalysisNames, tcpAnalysisFieldNames } from './flags';
export { TcpState, ResetKind, tcpStateName } from './events';
export type { StreamMode } from './stream-reassembly';

export interface TcpStreamSink {
  /** Payload bytes of one direction, each byte at most once and in sequence order (retransmissions and overlaps
   *  trimmed). In 'tshark' stream mode (default) these are the segments tshark dissects, as they arrive: what a
   *  retransmission or out-of-order segment carries is not passed on and becomes a gap; in 'reorder' mode segments
   *  ahead of a hole wait (bounded) until it fills. Each call is one segment's bytes, so a parser can resynchronise
   *  at a call boundary after a gap. `frame` is the frame whose segment supplied these bytes (the frame that
   *  completes a message is what TLS/DNS report). Return false when no more data is wanted for this direction
   *  (then nothing more is kept for it). Data is only valid during the call (copy to keep). */
  onData(conv: Conversation, dir: 0 | 1, data: Uint8Array, frame: number, time: number): boolean;
  /** `length` bytes are missing from the capture in this direction (never captured): parsers resynchronise or stop. */
  onGap(conv: Conversation, dir: 0 | 1, length: number, frame: number): void;
}

/** What the app shows about one direction of a conversation (client = 0, server = 1). */
export interface TcpSideDetails {
  endpoint: string;
  /** Initial sequence number (from the SYN / SYN-ACK), or null when the handshake was not seen. */
  isn: number | null;
  mss: number | null;
  /** Window-scale shift offered in this side's SYN / SYN-ACK, or null. */
  windowScaleOption: number | null;
  /** Shift applied to this side's window field: >= 0, or null when unknown (handshake not seen). */
  windowScaleApplied: number | null;
  sackPermitted: boolean;
  timestamps: boolean;
  packets: number;
  payloadBytes: number;
  maxBytesInFlight: number;
  /** Round trips measured on this side's data (segment → the ACK covering it exactly, tshark's ack_rtt), in
   *  seconds; null without any. Each sample is also TcpAnalyzer.lastAckRtt of its ACK frame. */
  rtt: { samples: number; min: number; mean: number; max: number } | null;
  fin: number[];
  rst: number[];
  /** State at the end of the capture (TcpState code) and its name. */
  finalState: TcpStateCode;
}

export interface TcpConversationDetails {
  stream: number;
  initialRtt: number | null;
  /** Endpoint (0 client, 1 server) that sent the first FIN: it holds TIME_WAIT for 2×MSL. */
  firstCloser: 0 | 1 | null;
  sides: [TcpSideDetails, TcpSideDetails];
}

interface TcpConv {
  stream: number;
  conv: Conversation;
  /** The conversation's id in the table (conv.id, kept here: read on every packet). */
  id: number;
  /** Client and server directions: swapped with the roles if a later SYN / SYN-ACK shows the first guess was wrong.
   *  (Two fields rather than a pair: one object less to reach on every packet.) */
  f0: Flow;
  f1: Flow;
  clientHost: number;
  clientPort: number;
  /** 0 first sender, 1 SYN-ACK receiver, 2 SYN sender. */
  roleBasis: number;
  synFrame: number;
  /** ts_mru_syn: time of the latest SYN (without ACK), NaN before any. */
  lastSynNs: number;
  /** ts_first_rtt in ns, 0 = not yet. */
  firstRttNs: number;
  /** tshark printed tcp.analysis.initial_rtt on some frame (it needs a per-frame analysis record). */
  irttShown: boolean;
  handshakeDone: boolean;
  started: boolean;
  /** First frame that is a TCP segment of this conversation (not an ICMP error quoting one), 0 before. */
  firstTcpFrame: number;
  firstCloser: number;
  /** Frames per tshark flag name (null until a flag). */
  analysis: Partial<Record<TcpAnalysisFlagName, number[]>> | null;
  /** Payload delivery per direction, made on the first payload when there is a sink. */
  streams: [StreamReassembly, StreamReassembly] | null;
}

const NS = 1e9;

/** How far tshark 4.0 gets with a segment (dissect_tcp stops early on headers it cannot use). */
const enum Mode {
  /** A usable header: everything. */
  NORMAL,
  /** A usable header whose options make tshark's option dissection throw (options cut by the capture, a SACK
   *  option whose length is not 2 + 8n, a too short MPTCP option): analysed, but the flags are never shown. */
  FLAGS_HIDDEN,
  /** Header length under 20 bytes ("bogus"), segment at least that long: analysed (state changes) but dissection
   *  stops before the flags and the analysis are shown. */
  BOGUS_ANALYSED,
  /** Header length under 20 and longer than the segment: only the stream number. */
  BOGUS,
  /** Header longer than the segment ("short segment"): no analysis, but flags, FIN/RST and SYN times count. */
  SHORT,
  /** Fewer than 20 header bytes captured (16 at least): analysed, flags and SYN times count, then dissection
   *  stops at the checksum: no analysis shown. */
  CUT,
}
const FLAG_EVENTS: [number, TcpAnalysisFlagName][] = [
  [TcpAnalysisFlag.ZERO_WINDOW_PROBE, 'zero_window_probe'],
  [TcpAnalysisFlag.ZERO_WINDOW, 'zero_window'],
  [TcpAnalysisFlag.LOST_SEGMENT, 'lost_segment'],
  [TcpAnalysisFlag.KEEP_ALIVE, 'keep_alive'],
  [TcpAnalysisFlag.WINDOW_UPDATE, 'window_update'],
  [TcpAnalysisFlag.WINDOW_FULL, 'window_full'],
  [TcpAnalysisFlag.KEEP_ALIVE_ACK, 'keep_alive_ack'],
  [TcpAnalysisFlag.ZERO_WINDOW_PROBE_ACK, 'zero_window_probe_ack'],
  [TcpAnalysisFlag.DUPLICATE_ACK, 'duplicate_ack'],
  [TcpAnalysisFlag.ACK_LOST_SEGMENT, 'ack_lost_segment'],
  [TcpAnalysisFlag.SPURIOUS_RETRANSMISSION, 'spurious_retransmission'],
  [TcpAnalysisFlag.FAST_RETRANSMISSION, 'fast_retransmission'],
  [TcpAnalysisFlag.OUT_OF_ORDER, 'out_of_order'],
  [TcpAnalysisFlag.RETRANSMISSION, 'retransmission'],
];
const FLAG_EVENT_KINDS = Object.fromEntries(TCP_ANALYSIS_FLAGS.map((n) => [n, `tcp.${n}`])) as
  Record<TcpAnalysisFlagName, EventKind>;
/** Segments whose flag event replaces tcp.data. */
const NOT_NEW_DATA = TcpAnalysisFlag.RETRANSMISSION | TcpAnalysisFlag.FAST_RETRANSMISSION |
  TcpAnalysisFlag.SPURIOUS_RETRANSMISSION | TcpAnalysisFlag.OUT_OF_ORDER | TcpAnalysisFlag.KEEP_ALIVE |
  TcpAnalysisFlag.ZERO_WINDOW_PROBE;
/** Segments whose payload tshark does not hand to subdissectors: spurious retransmissions and out-of-order
 *  segments, plain retransmissions (a fast one is dissected), keep-alives. */
function notDissected(bits: number): boolean {
  if (bits & (TcpAnalysisFlag.SPURIOUS_RETRANSMISSION | TcpAnalysisFlag.OUT_OF_ORDER | TcpAnalysisFlag.KEEP_ALIVE)) return true;
  return (bits & TcpAnalysisFlag.RETRANSMISSION) !== 0 && (bits & TcpAnalysisFlag.FAST_RETRANSMISSION) === 0;
}
const RETRANSMISSION_FAMILY = TcpAnalysisFlag.FAST_RETRANSMISSION | TcpAnalysisFlag.SPURIOUS_RETRANSMISSION;
/** A window change smaller than this fraction of the last one shown is not a timeline event. */
const WINDOW_CHANGE = 0.25;

export class TcpAnalyzer {
  lastDir = 0;
  lastFlags = 0;
  /** tcp.analysis.bytes_in_flight of the last packet (0 when tshark shows none). */
  lastBytesInFlight = 0;
  /** tcp.analysis.ack_rtt of the last packet in seconds (0 when it acknowledged no segment exactly). */
  lastAckRtt = 0;
  /** tcp.window_size of the last packet: the window field in bytes (scaled when the scale is known). */
  lastWindow = 0;

  private readonly timeline: Timeline;
  private readonly table: ConversationTable;
  private readonly sink?: TcpStreamSink;
  private readonly streamMode: StreamMode;
  /** Canonical 4-tuple → index in `list` of its current conversation. */
  private byTuple = new TupleTable();
  private list: TcpConv[] = [];
  /** finish() was called: input has ended, later packets are not analysed. */
  private ended = false;
  /** After trim(): the conversations' report facts (the live objects above are then released). */
  private done: FinishedConversations | null = null;
  private readonly seg: SegmentAnalysis = newSegmentAnalysis();
  /** The sender's nextseq and raw window before the current segment. */
  private prevNextseq = 0;
  private prevWindow = 0;
  private frameWindow = 0;
  /** Reused state-change listener (no allocation per packet). */
  private readonly states = { frame: 0, id: 0, dir: 0, tl: null as unknown as Timeline,
    changed(endpoint: number, state: TcpStateCode): void {
      this.tl.push('tcp.state_changed', this.frame, this.id, this.dir, endpoint, state);
      if (state === TcpState.TIME_WAIT) this.tl.push('tcp.time_wait_entered', this.frame, this.id, this.dir, endpoint, 0);
    } };
  private baseSec = NaN;
  private lastFrame = 0;
  private lastTime = 0;

  /**
   * `streamMode` chooses what the sink receives: 'tshark' (default) the segments tshark 4.0 dissects, in arrival
   * order; 'reorder' a receiver's in-order byte stream with retransmissions filling the holes.
   */
  constructor(ctx: { timeline: Timeline; conversations: ConversationTable; sink?: TcpStreamSink; streamMode?: StreamMode }) {
    this.timeline = ctx.timeline;
    this.table = ctx.conversations;
    this.sink = ctx.sink;
    this.streamMode = ctx.streamMode ?? 'tshark';
  }

  /** Called for every frame with p.tcp set, in frame order; `time` = seconds since the first frame of the capture.
   *  Returns the conversation id and sets lastDir / lastFlags. `srcHost`/`dstHost`: the HostTable ids of p.src and
   *  p.dst when the caller already has them (saves interning the addresses a second time). */
  onPacket(p: DecodedPacket, time: number, srcHost = -1, dstHost = -1): number {
    if (this.ended) return this.afterFinish();
    let t = p.tcp!;
    let mode = Mode.NORMAL;
    // tshark's tcp.len: the IP length, but never beyond what the frame held on the wire (a bogus IP total length)
    if (!p.reassembled) {
      const room = p.frame.originalLength - t.offset - t.headerLength;
      if (t.payloadLength > room) {
        t = Object.assign(this.clamped, t);
        t.payloadLength = Math.max(0, room);
        if (room < 0) mode = Mode.SHORT;
      }
    }
    if (mode === Mode.NORMAL && p.issues.length > 0 && optionsAbortDissection(p, t)) mode = Mode.FLAGS_HIDDEN;
    return this.handle(p, t, time, srcHost, dstHost, mode);
  }

  private readonly clamped: TcpSegment = {
    srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, headerLength: 0, payloadLength: 0, offset: 0,
    options: { sackPermitted: false },
  };

  /**
   * A frame whose TCP header the wire decoder rejected (p.tcp unset, p.ipProtocol 6, p.payloadStart at the header):
   * a header length under 20, longer than the segment, or a header cut by the capture. tshark still gives it a
   * tcp.stream when 16 bytes of the header were captured, and partly analyses it (see Mode). Returns the
   * conversation id, or -1 when tshark would not either. Sets lastDir and lastFlags (always 0: tshark shows none).
   */
  onUndecodedTcp(p: DecodedPacket, time: number, srcHost = -1, dstHost = -1): number {
    if (p.tcp || p.ipProtocol !== 6 || p.fragment || p.layers[p.layers.length - 1] !== 'tcp') return -1;
    if (this.ended) return this.afterFinish();
    const b = p.payloadBytes, off = p.payloadStart, cap = p.payloadEnd - off;
    if (cap < 16) return -1;
    const u = this.undecoded;
    u.srcPort = (b[off] << 8) | b[off + 1];
    u.dstPort = (b[off + 2] << 8) | b[off + 3];
    u.seq = ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
    u.ack = ((b[off + 8] << 24) | (b[off + 9] << 16) | (b[off + 10] << 8) | b[off + 11]) >>> 0;
    u.flags = ((b[off + 12] & 1) << 8) | b[off + 13];
    u.window = (b[off + 14] << 8) | b[off + 15];
    u.headerLength = (b[off + 12] >> 4) * 4;
    u.offset = off;
    // the segment's length on the wire: what was captured plus what the snapshot length cut from the frame's end
    const wire = p.payloadEnd === p.payloadBytes.length && !p.reassembled
      ? cap + Math.max(0, p.frame.originalLength - p.frame.bytes.length) : cap;
    u.payloadLength = Math.max(0, wire - u.headerLength);
    const mode = u.headerLength < 20 ? (wire >= u.headerLength ? Mode.BOGUS_ANALYSED : Mode.BOGUS)
      : u.headerLength > wire ? Mode.SHORT : Mode.CUT;
    return this.handle(p, u, time, srcHost, dstHost, mode);
  }

  private readonly undecoded: TcpSegment = {
    srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, headerLength: 0, payloadLength: 0, offset: 0,
    options: { sackPermitted: false },
  };

  private handle(p: DecodedPacket, t: TcpSegment, time: number, srcHost: number, dstHost: number, mode: Mode): number {
    const frame = p.frame.index;
    if (Number.isNaN(this.baseSec)) this.baseSec = p.frame.tsSec;
    const now = (p.frame.tsSec - this.baseSec) * NS + p.frame.tsNsec;
    this.lastFrame = frame;
    this.lastTime = time;
    const flags = t.flags, seq = t.seq, ack = t.ack, len = t.payloadLength;
    const hosts = this.table.hosts;
    const hs = srcHost >= 0 ? srcHost : hosts.intern(p.src), hd = dstHost >= 0 ? dstHost : hosts.intern(p.dst);

    let c = this.lookup(hs, t.srcPort, hd, t.dstPort);
    if (!c) c = this.open(hs, t.srcPort, hd, t.dstPort, frame, flags);
    let dir = hs === c.clientHost && t.srcPort === c.clientPort ? 0 : 1;
    let fwd = dir === 0 ? c.f0 : c.f1, rev = dir === 0 ? c.f1 : c.f0;
    let extra = 0;
    const analysed = mode === Mode.NORMAL || mode === Mode.FLAGS_HIDDEN || mode === Mode.BOGUS_ANALYSED || mode === Mode.CUT;

    const synOnly = (flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    if (synOnly && fwd.baseSet) {
      if (seq !== fwd.baseSeq) {
        // A new connection on the same 4-tuple: tshark starts a new tcp.stream.
        const old = c;
        c = this.open(hs, t.srcPort, hd, t.dstPort, frame, flags);
        this.timeline.push('tcp.port_reused', frame, c.id, 0, old.stream, c.stream);
        this.table.note(c.conv, 'port_reused');
        extra |= TcpAnalysisFlag.REUSED_PORTS;
        dir = 0; fwd = c.f0; rev = c.f1;
      } else {
        // SYN retransmission: an earlier RST may have moved nextseq (tshark issue 17616).
        fwd.nextseq = fwd.maxseqtobeacked;
      }
    } else if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK) && fwd.baseSet && seq !== fwd.baseSeq) {
      fwd.baseSeq = seq;
      extra |= TcpAnalysisFlag.REUSED_PORTS;
    }

    if (mode !== Mode.NORMAL && mode !== Mode.FLAGS_HIDDEN) return this.handleUndecoded(c, dir, p, t, frame, now, analysed, mode);

    // Relative numbering bases (tshark: from the SYN, else seq - 1; the reverse base from the first ACK).
    if (!fwd.baseSet) {
      fwd.baseSeq = flags & TcpFlag.SYN ? seq : sub32(seq, 1);
      fwd.baseSet = true;
    }
    if (!rev.baseSet && (flags & TcpFlag.ACK)) {
      rev.baseSeq = sub32(ack, 1);
      rev.baseSet = true;
    }

    const r = this.seg;
    r.firstRttNs = c.firstRttNs;
    this.prevNextseq = fwd.nextseq;
    this.prevWindow = fwd.window;
    r.nowNs = now;
    r.frame = frame;
    let bits = analyzeSegment(fwd, rev, t, r) | extra;
    if (bits & RETRANSMISSION_FAMILY) bits |= TcpAnalysisFlag.RETRANSMISSION;
    const shown = mode === Mode.NORMAL;
    if (!shown) bits = 0;

    // What dissect_tcp does after the analysis: SYN time, first ACK, initial RTT, options, window-scale check.
    const o = t.options;
    if (flags & TcpFlag.SYN) {
      if (!(flags & TcpFlag.ACK)) c.lastSynNs = now;
      fwd.isFirstAck = true;
    }
    const pureAck = (flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.ACK;
    if (pureAck) {
      if (c.firstRttNs === 0 && !Number.isNaN(c.lastSynNs)) c.firstRttNs = now - c.lastSynNs;
      fwd.isFirstAck = false;
    }
    // The window of this frame is scaled before its own options are read (as tshark does).
    this.frameWindow = this.scaled(fwd, t.window, (flags & TcpFlag.SYN) !== 0);
    if (o.windowScale !== undefined) fwd.winScale = Math.min(o.windowScale, 14);
    if (flags & TcpFlag.SYN) this.verifyWindowScaling(fwd, rev, (flags & TcpFlag.ACK) !== 0);
    fwd.sackedBytes = o.sack ? sackedBytes(o.sack) : 0;
    if (shown && r.hasRecord && c.firstRttNs !== 0) c.irttShown = true;

    this.lastFlags = bits;
    this.lastBytesInFlight = r.bytesInFlight;
    this.lastAckRtt = r.acked.frame ? r.acked.rttNs / NS : 0;
    this.lastWindow = this.frameWindow;
    this.lastDir = this.record(c, dir, p, t, frame, time, now, bits);
    return c.id;
  }

  /** The undecodable-header modes: what tshark still does with such a segment (see Mode). */
  private handleUndecoded(c: TcpConv, dir: number, p: DecodedPacket, t: TcpSegment, frame: number, now: number,
    analysed: boolean, mode: Mode): number {
    const fwd = dir === 0 ? c.f0 : c.f1, rev = dir === 0 ? c.f1 : c.f0, flags = t.flags;
    if (analysed) {
      if (!fwd.baseSet) { fwd.baseSeq = flags & TcpFlag.SYN ? t.seq : sub32(t.seq, 1); fwd.baseSet = true; }
      if (!rev.baseSet && (flags & TcpFlag.ACK)) { rev.baseSeq = sub32(t.ack, 1); rev.baseSet = true; }
      const r = this.seg;
      r.firstRttNs = c.firstRttNs; r.nowNs = now; r.frame = frame;
      analyzeSegment(fwd, rev, t, r);
    }
    const len = analysed || mode === Mode.BOGUS ? t.payloadLength : 0;
    this.table.countId(c.id, frame, dir, mode === Mode.SHORT ? 0 : len);
    if (c.firstTcpFrame === 0) c.firstTcpFrame = frame;
    fwd.packets++;
    fwd.bytes += mode === Mode.SHORT ? 0 : len;
    if (mode === Mode.SHORT || mode === Mode.CUT) {
      // dissected up to the flags: FIN/RST and the handshake times count, the options do not
      if (flags & TcpFlag.FIN) { fwd.addFin(frame); if (c.firstCloser < 0) c.firstCloser = dir; }
      if (flags & TcpFlag.RST) fwd.addRst(frame);
      if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && c.synFrame === 0) dir = this.firstSyn(c, dir, frame);
      if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK) && fwd.synAckFrame === 0) {
        fwd.synAckFrame = frame; fwd.synAckSeq = t.seq;
        dir = this.firstSynAck(c, dir);
      }
      if (flags & TcpFlag.SYN) { if (!(flags & TcpFlag.ACK)) c.lastSynNs = now; fwd.isFirstAck = true; }
      if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.ACK) {
        if (c.firstRttNs === 0 && !Number.isNaN(c.lastSynNs)) c.firstRttNs = now - c.lastSynNs;
        fwd.isFirstAck = false;
      }
    }
    this.lastFlags = 0;
    this.lastBytesInFlight = 0;
    this.lastAckRtt = 0;
    this.lastWindow = t.window;
    this.lastDir = dir;
    return c.id;
  }

  /**
   * An ICMP error quoting a TCP header. tshark gives the quoted segment a tcp.stream (creating one for an unknown
   * 4-tuple, or a new one for a SYN with a new ISN) when at least 16 bytes of its TCP header were quoted, and its
   * SYN / pure ACK time counts towards the initial RTT; it is not analysed otherwise. Call it for every ICMP error
   * whose quoted protocol is TCP so tcp.stream numbers stay tshark's. Returns the conversation id, or -1.
   */
  onIcmpError(p: DecodedPacket): number {
    const q = p.icmp?.quoted;
    if (!q || q.protocol !== 6 || q.srcPort === undefined || q.dstPort === undefined || this.ended) return -1;
    const b = p.payloadBytes;
    const off = quotedTcpOffset(b, p.icmp!.offset + 8);
    if (off < 0 || b.length - off < 16) return -1;
    const seq = ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
    const flags = ((b[off + 12] & 1) << 8) | b[off + 13];
    if (Number.isNaN(this.baseSec)) this.baseSec = p.frame.tsSec;
    const now = (p.frame.tsSec - this.baseSec) * NS + p.frame.tsNsec;
    const hosts = this.table.hosts;
    const hs = hosts.intern(q.src), hd = hosts.intern(q.dst);
    const frame = p.frame.index;
    let c = this.lookup(hs, q.srcPort, hd, q.dstPort);
    if (!c) c = this.open(hs, q.srcPort, hd, q.dstPort, frame, flags);
    let fwd = hs === c.clientHost && q.srcPort === c.clientPort ? c.f0 : c.f1;
    if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && fwd.baseSet && seq !== fwd.baseSeq) {
      c = this.open(hs, q.srcPort, hd, q.dstPort, frame, flags);
      fwd = c.f0;
    } else if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK) && fwd.baseSet && seq !== fwd.baseSeq) {
      fwd.baseSeq = seq;
    }
    if (flags & TcpFlag.SYN) {
      if (!(flags & TcpFlag.ACK)) c.lastSynNs = now;
      fwd.isFirstAck = true;
    }
    if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.ACK) {
      if (c.firstRttNs === 0 && !Number.isNaN(c.lastSynNs)) c.firstRttNs = now - c.lastSynNs;
      fwd.isFirstAck = false;
    }
    return c.id;
  }

  /**
   * End of capture. Every state change was already on the timeline when it happened (a side that closed first
   * entered TIME_WAIT with its event), so final states are read from details(); in 'reorder' stream mode what still
   * waits behind a hole goes to the parsers, after a gap, attributed to the capture's last frame.
   */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const c of this.list) {
      if (!c.streams) continue;
      c.streams[0].flush(this.lastFrame, this.lastTime);
      c.streams[1].flush(this.lastFrame, this.lastTime);
    }
  }

  /**
   * After finish(): nothing is acknowledged, delivered or looked up any more. Keeps only what the report and the
   * panel read, in columns; the live objects (sequence-analysis state, unacknowledged segments) go. Answers are
   * the same before and after (tests/analysis/trim.test.ts); only the memory differs.
   */
  trim(): void {
    if (!this.ended || this.done) return;
    const list = this.list, facts = newLiveFacts();
    this.done = new FinishedConversations(list.length, (st) => liveFacts(list[st], facts), this.table.list);
    this.list = [];
    this.byTuple = new TupleTable();
  }

  /** Packets after finish() are not analysed (input has ended). */
  private afterFinish(): number {
    this.lastFlags = 0; this.lastBytesInFlight = 0; this.lastAckRtt = 0; this.lastWindow = 0; this.lastDir = 0;
    return -1;
  }

  /** tcp.stream of a conversation id, -1 for other protocols. */
  private streamOf(conversationId: number): number {
    return this.table.list[conversationId]?.tcpStream ?? -1;
  }

  /** Facts of a conversation by id: live, or from the finished columns. */
  private facts(conversationId: number): ConvFacts | undefined {
    const s = this.streamOf(conversationId);
    return s < 0 ? undefined : this.done ? this.done.facts(s) : liveFacts(this.list[s]);
  }

  /** Sequence number base of direction `dir` of a conversation (NaN for other protocols). */
  private baseSeq(conversationId: number, dir: number): number {
    const s = this.streamOf(conversationId);
    return s < 0 ? NaN : this.done ? this.done.baseSeqOf(s, dir) : sideOf(this.list[s], dir).baseSeq;
  }

  /** The `tcp` section of `packetflow analyze --json`, ordered by stream number. */
  toJson(): TcpJson[] {
    // Conversations seen only inside ICMP errors have a tcp.stream but no TCP frame of their own: not listed.
    const done = this.done;
    if (!done) return this.list.filter((c) => c.firstTcpFrame > 0).map((c) => this.json(liveFacts(c)));
    const out: TcpJson[] = [];
    for (let s = 0; s < done.count; s++) if (done.firstTcpFrameOf(s) > 0) out.push(this.json(done.facts(s)));
    return out;
  }

  /** Relative sequence number of a raw one sent in direction `dir` of a conversation. */
  relativeSeq(conversationId: number, dir: 0 | 1, raw: number): number {
    const base = this.baseSeq(conversationId, dir);
    return Number.isNaN(base) ? raw : sub32(raw, base);
  }

  /** Relative acknowledgement number of a raw one carried by a segment sent in direction `dir`. */
  relativeAck(conversationId: number, dir: 0 | 1, raw: number): number {
    const base = this.baseSeq(conversationId, 1 - dir);
    return Number.isNaN(base) ? raw : sub32(raw, base);
  }

  /** Window field of a segment sent in direction `dir` in bytes, scaled when the scale is known (SYNs never are). */
  windowBytes(conversationId: number, dir: 0 | 1, rawWindow: number, syn: boolean): number {
    const st = this.streamOf(conversationId);
    const s = st < 0 ? WinScale.UNKNOWN : this.done ? this.done.winScaleOf(st, dir) : sideOf(this.list[st], dir).winScale;
    return !syn && s >= 0 ? rawWindow * 2 ** s : rawWindow;
  }

  /** Everything known about one TCP conversation, for the conversation panel. */
  details(conversationId: number): TcpConversationDetails | undefined {
    const c = this.facts(conversationId);
    if (!c) return undefined;
    const side = (i: 0 | 1): TcpSideDetails => {
      const f = c.flows[i];
      return {
        endpoint: i === 0 ? c.conv.client : c.conv.server,
        isn: f.isn >= 0 ? f.isn : null, mss: f.mss || null, windowScaleOption: i === 0 ? f.wsOption : f.synAckWsOption,
        windowScaleApplied: f.winScale >= 0 ? f.winScale : f.winScale === WinScale.NONE ? 0 : null,
        sackPermitted: f.sackPermitted, timestamps: f.timestamps, packets: f.packets, payloadBytes: f.bytes,
        maxBytesInFlight: f.maxBytesInFlight,
        rtt: f.rttCount ? { samples: f.rttCount, min: f.rttMin, mean: f.rttSum / f.rttCount, max: f.rttMax } : null,
        fin: f.fin?.slice() ?? [], rst: f.rst?.slice() ?? [], finalState: f.state,
      };
    };
    return {
      stream: c.stream, initialRtt: c.firstRttNs ? c.firstRttNs / NS : null,
      firstCloser: c.firstCloser < 0 ? null : (c.firstCloser as 0 | 1), sides: [side(0), side(1)],
    };
  }

  // ---------------------------------------------------------------------------------------------------------

  private lookup(hs: number, ps: number, hd: number, pd: number): TcpConv | undefined {
    const i = this.byTuple.get(hs, ps, hd, pd);
    return i < 0 ? undefined : this.list[i];
  }

  /** Opens a conversation whose client is provisionally the sender (a SYN-ACK's receiver for a SYN-ACK). */
  private open(hs: number, ps: number, hd: number, pd: number, frame: number, flags: number): TcpConv {
    const synAck = (flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
    const stream = this.list.length;
    const conv = synAck
      ? this.table.openIds('tcp', hd, pd, hs, ps, frame, stream)
      : this.table.openIds('tcp', hs, ps, hd, pd, frame, stream);
    // what every packet reads first: an object's fields are laid out in this order, so they share cache lines
    const c: TcpConv = {
      conv, id: conv.id, f0: new Flow(), f1: new Flow(), clientHost: synAck ? hd : hs, clientPort: synAck ? pd : ps,
      firstRttNs: 0, started: false, firstTcpFrame: 0, irttShown: false, lastSynNs: NaN, streams: null,
      stream, roleBasis: 0, synFrame: 0, handshakeDone: false, firstCloser: -1, analysis: null,
    };
    this.list.push(c);
    this.byTuple.set(hs, ps, hd, pd, stream);
    return c;
  }

  private stream(conv: Conversation, dir: 0 | 1): StreamReassembly {
    return new StreamReassembly(new SinkOutput(this.sink!, conv, dir), this.streamMode);
  }

  /** tshark's verify_tcp_window_scaling: scaling is used only when both SYNs carried the option. */
  private verifyWindowScaling(fwd: Flow, rev: Flow, isSynAck: boolean): void {
    if (fwd.winScale === WinScale.UNKNOWN) {
      fwd.winScale = WinScale.NONE;
      rev.winScale = WinScale.NONE;
    } else if (isSynAck && rev.winScale === WinScale.NONE) {
      fwd.winScale = WinScale.NONE;
    }
  }

  /** Everything PacketFlow keeps beyond tshark's flags: report facts, timeline events, states, stream bytes. */
  /** Returns the packet's direction (it changes when the roles are swapped). */
  private record(c: TcpConv, dir: number, p: DecodedPacket, t: TcpSegment, frame: number, time: number, now: number,
    bits: number): number {
    const flags = t.flags, len = t.payloadLength, o = t.options;
    const fwd = dir === 0 ? c.f0 : c.f1, rev = dir === 0 ? c.f1 : c.f0;
    const tl = this.timeline, id = c.id;
    this.table.countId(id, frame, dir, len);
    if (c.firstTcpFrame === 0) c.firstTcpFrame = frame;
    fwd.packets++;
    fwd.bytes += len;
    const relSeq = sub32(t.seq, fwd.baseSeq);
    const relAck = sub32(t.ack, rev.baseSeq);
    const syn = (flags & TcpFlag.SYN) !== 0, hasAck = (flags & TcpFlag.ACK) !== 0;

    // Handshake facts and roles.
    if (syn) {
      if (fwd.isn < 0) fwd.isn = t.seq;
      if (o.mss !== undefined) fwd.mss = o.mss;
      fwd.sackPermitted ||= o.sackPermitted;
      if (!hasAck) {
        if (c.synFrame === 0) {
          fwd.wsOption = o.windowScale ?? null;
          dir = this.firstSyn(c, dir, frame);
        }
        tl.push('tcp.syn_sent', frame, id, dir, o.mss ?? 0, o.windowScale ?? -1);
      } else {
        if (fwd.synAckFrame === 0) {
          fwd.synAckFrame = frame;
          fwd.synAckSeq = t.seq;
          fwd.synAckWsOption = o.windowScale ?? null;
          dir = this.firstSynAck(c, dir);
        }
        tl.push('tcp.syn_ack_sent', frame, id, dir, o.mss ?? 0, o.windowScale ?? -1);
      }
    }
    if (o.tsVal !== undefined) fwd.timestamps = true;
    if (hasAck && !syn && !(flags & TcpFlag.RST) && rev.synAckFrame !== 0 && fwd.ackAfterSynAckFrame === 0) {
      fwd.ackAfterSynAckFrame = frame;
      fwd.ackAfterSynAckAck = t.ack;
      if (dir === 0 && !c.handshakeDone && t.ack === add32(rev.synAckSeq, 1)) {
        c.handshakeDone = true;
        const irtt = c.firstRttNs !== 0 ? c.firstRttNs : now - c.lastSynNs;
        // With TCP Fast Open the SYN already carried data: no round trip was spent before it.
        tl.push('tcp.handshake_completed', frame, id, dir, Number.isNaN(irtt) ? 0 : irtt / NS, fwd.bytes - len > 0 ? 0 : 1);
      }
    }

    // Analysis flags: JSON lists, conversation notes and timeline events.
    if (bits) {
      for (let i = 0; i < TCP_ANALYSIS_FLAGS.length; i++) {
        if (!(bits & (1 << i))) continue;
        const name = TCP_ANALYSIS_FLAGS[i];
        const a = (c.analysis ??= {}), l = a[name];
        if (l) l.push(frame); else a[name] = [frame]; // exact size: most flags occur once or twice
        this.table.note(c.conv, name);
      }
      for (const [bit, name] of FLAG_EVENTS) {
        if (!(bits & bit)) continue;
        if (bit === TcpAnalysisFlag.RETRANSMISSION && (bits & RETRANSMISSION_FAMILY)) continue;
        let a = relSeq, b = len;
        switch (bit) {
          case TcpAnalysisFlag.ZERO_WINDOW: case TcpAnalysisFlag.KEEP_ALIVE_ACK:
          case TcpAnalysisFlag.ZERO_WINDOW_PROBE_ACK: a = relAck; b = 0; break;
          case TcpAnalysisFlag.WINDOW_UPDATE:
            a = this.frameWindow; b = this.prevWindow === 0xffffffff ? 0 : this.scaled(fwd, this.prevWindow, false); break;
          case TcpAnalysisFlag.WINDOW_FULL: a = this.scaled(rev, rev.window, false); b = this.seg.bytesInFlight; break;
          case TcpAnalysisFlag.DUPLICATE_ACK: a = this.seg.dupackNum; b = this.seg.dupackFrame; break;
          case TcpAnalysisFlag.LOST_SEGMENT: a = sub32(t.seq, this.prevNextseq); b = sub32(this.prevNextseq, fwd.baseSeq); break;
          case TcpAnalysisFlag.ACK_LOST_SEGMENT: a = 0; b = relAck; break;
          default: break;
        }
        tl.push(FLAG_EVENT_KINDS[name], frame, id, dir, a, b);
      }
    }
    if (len > 0 && !(bits & NOT_NEW_DATA)) tl.push('tcp.data', frame, id, dir, syn ? 1 : relSeq, len);

    // Advertised window, when it changes noticeably.
    if (!(flags & TcpFlag.RST)) {
      const w = this.frameWindow;
      const shown = fwd.windowShown;
      if (shown < 0 || (w === 0) !== (shown === 0) || Math.abs(w - shown) > shown * WINDOW_CHANGE) {
        fwd.windowShown = w;
        tl.push('tcp.window_advertised', frame, id, dir, w, syn ? 0 : fwd.winScale >= 0 ? fwd.winScale : fwd.winScale === WinScale.NONE ? 0 : -1);
      }
    }

    // Bytes in flight and RTT samples.
    if (this.seg.bytesInFlight) {
      fwd.bytesInFlight = this.seg.bytesInFlight;
      if (fwd.bytesInFlight > fwd.maxBytesInFlight) fwd.maxBytesInFlight = fwd.bytesInFlight;
    }
    if (this.seg.acked.frame) rev.addRtt(this.seg.acked.rttNs / NS);

    // Close: FIN/RST per side, who closed first.
    if (flags & TcpFlag.FIN) {
      fwd.addFin(frame);
      if (c.firstCloser < 0) c.firstCloser = dir;
      tl.push('tcp.fin', frame, id, dir, relSeq + len + (syn ? 1 : 0), c.firstCloser === dir ? 1 : 0);
    }
    let resetKind = 0;
    if (flags & TcpFlag.RST) fwd.addRst(frame);

    // Endpoint states.
    const st = this.states;
    st.frame = frame; st.id = id; st.dir = dir; st.tl = tl;
    resetKind = observeSegment(c.f0, c.f1, dir, c.started, t, st);
    c.started = true;
    if (isClosed(fwd.state) && isClosed(rev.state)) { fwd.releaseUnacked(); rev.releaseUnacked(); }
    if (flags & TcpFlag.RST) {
      tl.push('tcp.reset', frame, id, dir, relSeq, resetKind);
      this.table.note(c.conv, resetKind === 1 ? 'refused' : 'reset');
    }

    // In-order bytes for the stream parsers.
    if (this.sink && !c.streams && (len > 0 || (flags & TcpFlag.SYN))) c.streams = [this.stream(c.conv, 0), this.stream(c.conv, 1)];
    const s = c.streams;
    if (s) {
      if (len > 0 && !(flags & TcpFlag.RST)) {
        if (s[dir].wanted) s[dir].segment(t.seq, syn, (flags & TcpFlag.FIN) !== 0, len, p.payloadBytes.subarray(p.payloadStart, p.payloadEnd),
          frame, time, notDissected(bits));
      } else if (flags & (TcpFlag.SYN | TcpFlag.FIN)) {
        s[dir].segment(t.seq, syn, (flags & TcpFlag.FIN) !== 0, 0, EMPTY, frame, time);
      }
      if (hasAck) s[1 - dir].peerAck(t.ack, frame, time);
      // a direction the parser gave up on keeps no state; both: the pair goes too
      if (!s[dir].wanted) {
        if (s !== STOPPED_PAIR) s[dir] = STOPPED;
        if (s[1 - dir] === STOPPED) c.streams = STOPPED_PAIR;
      }
    }
    return dir;
  }

  private scaled(f: Flow, raw: number, syn: boolean): number {
    // shift <= 14 and raw < 2^16: the product fits 31 bits
    return !syn && f.winScale >= 0 ? raw << f.winScale : raw;
  }

  /** The conversation's first SYN (without ACK): its sender is the client. Returns the packet's direction. */
  private firstSyn(c: TcpConv, dir: number, frame: number): number {
    c.synFrame = frame;
    if (dir === 1) dir = this.swapRoles(c, dir);
    c.roleBasis = 2;
    return dir;
  }

  /** A side's first SYN-ACK: without a SYN seen, its receiver is the client. Returns the packet's direction. */
  private firstSynAck(c: TcpConv, dir: number): number {
    if (c.roleBasis === 0 && dir === 0) dir = this.swapRoles(c, dir);
    if (c.roleBasis < 1) c.roleBasis = 1;
    return dir;
  }

  /** The other endpoint is the client after all: swap sides. Returns the new direction of the current packet. */
  private swapRoles(c: TcpConv, dir: number): number {
    const conv = c.conv;
    const f = c.f0; c.f0 = c.f1; c.f1 = f;
    this.table.swapSides(conv);
    c.clientHost = conv.clientHost;
    c.clientPort = conv.clientPort;
    if (c.streams && c.streams !== STOPPED_PAIR) c.streams = [c.streams[1], c.streams[0]];
    if (c.firstCloser >= 0) c.firstCloser = 1 - c.firstCloser;
    return 1 - dir;
  }

  private json(c: ConvFacts): TcpJson {
    const [cl, sv] = c.flows;
    const synAck = sv.synAckFrame || null;
    const ack = synAck && cl.ackAfterSynAckFrame && cl.ackAfterSynAckAck === add32(sv.synAckSeq, 1)
      ? cl.ackAfterSynAckFrame : null;
    const analysis: TcpJson['analysis'] = {};
    for (const name of TCP_ANALYSIS_FLAGS) { const l = c.analysis?.[name]; if (l?.length) analysis[name] = l; }
    return {
      stream: c.stream, client: c.conv.client, server: c.conv.server,
      firstFrame: c.firstTcpFrame, lastFrame: c.conv.lastFrame, frames: c.conv.packets,
      handshake: {
        syn: c.synFrame || null, synAck, ack,
        initialRtt: c.irttShown ? c.firstRttNs / NS : null,
      },
      windowScale: { client: c.synFrame ? cl.wsOption : null, server: synAck ? sv.synAckWsOption : null },
      analysis,
      fin: { client: cl.fin ?? [], server: sv.fin ?? [] },
      rst: { client: cl.rst ?? [], server: sv.rst ?? [] },
      firstCloser: c.firstCloser < 0 ? null : c.firstCloser === 0 ? 'client' : 'server',
      bytes: { client: cl.bytes, server: sv.bytes },
    };
  }
}

const EMPTY = new Uint8Array(0);

const sideOf = (c: TcpConv, side: number): Flow => (side === 0 ? c.f0 : c.f1);

type LiveFacts = ConvFacts & { flows: [Flow, Flow] };
function newLiveFacts(): LiveFacts {
  return { stream: 0, conv: null as unknown as Conversation, flows: [NO_FLOW, NO_FLOW], synFrame: 0, firstRttNs: 0,
    irttShown: false, firstCloser: -1, firstTcpFrame: 0, analysis: null };
}
/** Placeholder in reused facts objects until a conversation's directions are put in. */
const NO_FLOW = new Flow();

/** A live conversation's report facts, in `into` (read them at once when it is reused) or a new object. */
function liveFacts(c: TcpConv, into: LiveFacts = newLiveFacts()): ConvFacts {
  into.stream = c.stream; into.conv = c.conv; into.flows[0] = c.f0; into.flows[1] = c.f1; into.synFrame = c.synFrame;
  into.firstRttNs = c.firstRttNs; into.irttShown = c.irttShown; into.firstCloser = c.firstCloser;
  into.firstTcpFrame = c.firstTcpFrame; into.analysis = c.analysis;
  return into;
}

/** Sum of the SACK blocks' lengths ([left, right, ...]; an odd last value is ignored). */
function sackedBytes(sack: number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < sack.length; i += 2) n += sub32(sack[i + 1], sack[i]);
  return n;
}

const isClosed = (s: number): boolean => s === TcpState.CLOSED || s === TcpState.TIME_WAIT;

/** Delivers one direction's bytes to the sink (an object rather than closures: one allocation per direction). */
class SinkOutput {
  constructor(private readonly sink: TcpStreamSink, private readonly conv: Conversation, private readonly dir: 0 | 1) {}
  data(data: Uint8Array, frame: number, time: number): boolean { return this.sink.onData(this.conv, this.dir, data, frame, time); }
  gap(length: number, frame: number): void { this.sink.onGap(this.conv, this.dir, length, frame); }
}

/** Stands for a direction whose parser wants no more bytes. */
const STOPPED = new StreamReassembly({ data: () => false, gap: () => {} });
STOPPED.stop();
/** Both directions stopped (shared: never written to with anything but STOPPED). */
const STOPPED_PAIR: [StreamReassembly, StreamReassembly] = [STOPPED, STOPPED];

/** Whether tshark's option dissection stops with an exception on this header (checked when the decoder flagged
 *  an issue, which it does for each of these cases). */
function optionsAbortDissection(p: DecodedPacket, t: TcpSegment): boolean {
  if (p.reassembled) return false;
  const b = p.frame.bytes;
  const end = t.offset + t.headerLength;
  if (end > b.length) return true; // options cut by the snapshot length
  for (let o = t.offset + 20; o < end;) {
    const kind = b[o];
    if (kind === 0) return false;
    if (kind === 1) { o++; continue; }
    if (o + 1 >= end) return false;
    const len = b[o + 1];
    if (len < 2 || o + len > end) return false; // tshark reports these and stops without an exception
    if (kind === 5 && (len - 2) % 8 !== 0) return true;
    if (kind === 30 && len < 4) return true;
    o += len;
  }
  return false;
}

/** Offset of the TCP header inside an ICMP error's quoted IP packet at `ip`, or -1. */
function quotedTcpOffset(b: Uint8Array, ip: number): number {
  if (ip >= b.length) return -1;
  const v = b[ip] >> 4;
  if (v === 4) return ip + (b[ip] & 15) * 4;
  if (v !== 6) return -1;
  let next = b[ip + 6], o = ip + 40;
  // hop-by-hop, routing, destination options: skip by their length; anything else ends the walk
  while ((next === 0 || next === 43 || next === 60) && o + 8 <= b.length) { next = b[o]; o += (b[o + 1] + 1) * 8; }
  return next === 6 ? o : -1;
}
