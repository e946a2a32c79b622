// What TCP analysis keeps after the end of input: the report facts of every conversation in typed-array columns
// (a few dozen bytes per side) instead of the live objects, whose sequence-analysis state is no longer needed.
// json()/details()/relativeSeq()/windowBytes() read these through the same shapes the live objects have.
import type { Conversation } from '../model';
import type { TcpAnalysisFlagName } from '../analysis-json';
import type { TcpStateCode } from './events';
import { grown } from '../columns';

/** The per-side facts the report and the conversation panel read (a live Flow has them all). */
export interface SideFacts {
  baseSeq: number;
  isn: number;
  mss: number;
  wsOption: number | null;
  synAckWsOption: number | null;
  winScale: number;
  sackPermitted: boolean;
  timestamps: boolean;
  packets: number;
  bytes: number;
  maxBytesInFlight: number;
  rttCount: number;
  rttMin: number;
  rttMax: number;
  rttSum: number;
  fin: number[] | null;
  rst: number[] | null;
  synAckFrame: number;
  synAckSeq: number;
  ackAfterSynAckFrame: number;
  ackAfterSynAckAck: number;
  state: TcpStateCode;
}

/** The per-conversation facts the report reads (a live TcpConv has them all). */
export interface ConvFacts {
  stream: number;
  conv: Conversation;
  flows: readonly [SideFacts, SideFacts];
  synFrame: number;
  firstRttNs: number;
  irttShown: boolean;
  firstCloser: number;
  firstTcpFrame: number;
  analysis: Partial<Record<TcpAnalysisFlagName, number[]>> | null;
}

/** A window-scale option as sent (0..255) or null, stored +1 (0 = null). */
const wsIn = (x: number | null): number => (x === null ? 0 : x + 1);
const wsOut = (x: number): number | null => (x === 0 ? null : x - 1);

const SACK_PERMITTED = 1, TIMESTAMPS = 2, HAS_ISN = 4;
const IRTT_SHOWN = 1;

/** Frame lists (FIN, RST per side) as one offsets column plus one values column. */
class FrameLists {
  readonly start: Uint32Array;
  values: Uint32Array;
  private used = 0;
  constructor(n: number) { this.start = new Uint32Array(n + 1); this.values = new Uint32Array(n); }
  /** Appends the list of slot `k` (slots in increasing order). */
  set(k: number, l: number[] | null): void {
    if (l) {
      this.values = grown(this.values, this.used + l.length);
      for (let i = 0; i < l.length; i++) this.values[this.used++] = l[i];
    }
    this.start[k + 1] = this.used;
  }
  trim(): void { if (this.used < this.values.length) this.values = this.values.slice(0, this.used); }
  get(k: number): number[] | null {
    const a = this.start[k], b = this.start[k + 1];
    return a === b ? null : Array.from(this.values.subarray(a, b));
  }
}

export class FinishedConversations {
  readonly count: number;
  /** By stream. */
  private readonly convId: Int32Array;
  private readonly synFrame: Uint32Array;
  private readonly firstTcpFrame: Uint32Array;
  private readonly firstRttNs: Float64Array;
  private readonly firstCloser: Int8Array;
  private readonly convBits: Uint8Array;
  private readonly analysis = new Map<number, Partial<Record<TcpAnalysisFlagName, number[]>>>();
  /** By stream * 2 + side. */
  private readonly baseSeq: Uint32Array;
  /** Valid when sideBits has HAS_ISN (a live flow's -1 means none). */
  private readonly isn: Uint32Array;
  private readonly mss: Uint16Array;
  private readonly wsOption: Uint16Array;
  private readonly synAckWsOption: Uint16Array;
  private readonly winScale: Int8Array;
  private readonly sideBits: Uint8Array;
  private readonly state: Uint8Array;
  private readonly packets: Uint32Array;
  private readonly bytes: Float64Array;
  /** tshark's bytes in flight is a 32-bit count. */
  private readonly maxBytesInFlight: Uint32Array;
  private readonly rttCount: Uint32Array;
  /** rttMin, rttMax, rttSum per side. */
  private readonly rtt: Float64Array;
  private readonly synAckFrame: Uint32Array;
  private readonly synAckSeq: Uint32Array;
  private readonly ackAfterSynAckFrame: Uint32Array;
  private readonly ackAfterSynAckAck: Uint32Array;
  private readonly fin: FrameLists;
  private readonly rst: FrameLists;

  /** `factsOf(s)` gives conversation s's facts, read at once (the caller may reuse the object it returns). */
  constructor(n: number, factsOf: (stream: number) => ConvFacts, private readonly conversations: readonly Conversation[]) {
    const m = n * 2;
    this.count = n;
    this.convId = new Int32Array(n);
    this.synFrame = new Uint32Array(n);
    this.firstTcpFrame = new Uint32Array(n);
    this.firstRttNs = new Float64Array(n);
    this.firstCloser = new Int8Array(n);
    this.convBits = new Uint8Array(n);
    this.baseSeq = new Uint32Array(m);
    this.isn = new Uint32Array(m);
    this.mss = new Uint16Array(m);
    this.wsOption = new Uint16Array(m);
    this.synAckWsOption = new Uint16Array(m);
    this.winScale = new Int8Array(m);
    this.sideBits = new Uint8Array(m);
    this.state = new Uint8Array(m);
    this.packets = new Uint32Array(m);
    this.bytes = new Float64Array(m);
    this.maxBytesInFlight = new Uint32Array(m);
    this.rttCount = new Uint32Array(m);
    this.rtt = new Float64Array(m * 3);
    this.synAckFrame = new Uint32Array(m);
    this.synAckSeq = new Uint32Array(m);
    this.ackAfterSynAckFrame = new Uint32Array(m);
    this.ackAfterSynAckAck = new Uint32Array(m);
    this.fin = new FrameLists(m);
    this.rst = new FrameLists(m);
    for (let s = 0; s < n; s++) this.copy(s, factsOf(s));
    this.fin.trim();
    this.rst.trim();
  }

  private copy(s: number, c: ConvFacts): void {
    this.convId[s] = c.conv.id;
    this.synFrame[s] = c.synFrame;
    this.firstTcpFrame[s] = c.firstTcpFrame;
    this.firstRttNs[s] = c.firstRttNs;
    this.firstCloser[s] = c.firstCloser;
    this.convBits[s] = c.irttShown ? IRTT_SHOWN : 0;
    if (c.analysis) this.analysis.set(s, c.analysis);
    for (let i = 0; i < 2; i++) {
      const f = c.flows[i], k = s * 2 + i;
      this.baseSeq[k] = f.baseSeq;
      this.isn[k] = f.isn >= 0 ? f.isn : 0;
      this.mss[k] = f.mss;
      this.wsOption[k] = wsIn(f.wsOption);
      this.synAckWsOption[k] = wsIn(f.synAckWsOption);
      this.winScale[k] = f.winScale;
      this.sideBits[k] = (f.sackPermitted ? SACK_PERMITTED : 0) | (f.timestamps ? TIMESTAMPS : 0) |
        (f.isn >= 0 ? HAS_ISN : 0);
      this.state[k] = f.state;
      this.packets[k] = f.packets;
      this.bytes[k] = f.bytes;
      this.maxBytesInFlight[k] = f.maxBytesInFlight;
      this.rttCount[k] = f.rttCount;
      this.rtt[k * 3] = f.rttMin; this.rtt[k * 3 + 1] = f.rttMax; this.rtt[k * 3 + 2] = f.rttSum;
      this.synAckFrame[k] = f.synAckFrame;
      this.synAckSeq[k] = f.synAckSeq;
      this.ackAfterSynAckFrame[k] = f.ackAfterSynAckFrame;
      this.ackAfterSynAckAck[k] = f.ackAfterSynAckAck;
      this.fin.set(k, f.fin);
      this.rst.set(k, f.rst);
    }
  }

  baseSeqOf(stream: number, side: number): number { return this.baseSeq[stream * 2 + side]; }
  winScaleOf(stream: number, side: number): number { return this.winScale[stream * 2 + side]; }
  firstTcpFrameOf(stream: number): number { return this.firstTcpFrame[stream]; }

  /** A conversation's facts as plain objects (made on demand: for the report and the panel, not per packet). */
  facts(stream: number): ConvFacts {
    return {
      stream, conv: this.conversations[this.convId[stream]], flows: [this.side(stream * 2), this.side(stream * 2 + 1)],
      synFrame: this.synFrame[stream], firstRttNs: this.firstRttNs[stream],
      irttShown: (this.convBits[stream] & IRTT_SHOWN) !== 0, firstCloser: this.firstCloser[stream],
      firstTcpFrame: this.firstTcpFrame[stream], analysis: this.analysis.get(stream) ?? null,
    };
  }

  private side(k: number): SideFacts {
    return {
      baseSeq: this.baseSeq[k], isn: this.sideBits[k] & HAS_ISN ? this.isn[k] : -1, mss: this.mss[k],
      wsOption: wsOut(this.wsOption[k]),
      synAckWsOption: wsOut(this.synAckWsOption[k]), winScale: this.winScale[k],
      sackPermitted: (this.sideBits[k] & SACK_PERMITTED) !== 0, timestamps: (this.sideBits[k] & TIMESTAMPS) !== 0,
      packets: this.packets[k], bytes: this.bytes[k], maxBytesInFlight: this.maxBytesInFlight[k],
      rttCount: this.rttCount[k], rttMin: this.rtt[k * 3], rttMax: this.rtt[k * 3 + 1], rttSum: this.rtt[k * 3 + 2],
      fin: this.fin.get(k), rst: this.rst.get(k), synAckFrame: this.synAckFrame[k], synAckSeq: this.synAckSeq[k],
      ackAfterSynAckFrame: this.ackAfterSynAckFrame[k], ackAfterSynAckAck: this.ackAfterSynAckAck[k],
      state: this.state[k] as TcpStateCode,
    };
  }
}
