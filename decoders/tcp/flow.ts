// The state tshark keeps per direction of a TCP conversation (tcp_flow_t + tcp_analyze_seq_flow_info_t), plus
// what PacketFlow reports about that side. Field names follow packet-tcp.c so the rules can be checked against it.
// Sequence numbers and times do not fit V8's small integers: they live in one array of doubles per flow (behind
// accessors) instead of one boxed number each, which keeps a conversation's state small.
import { UnackedSegments } from './unacked';
import { TcpState, type TcpStateCode } from './events';

/** Window scale: a shift 0..14, or one of these. */
export const WinScale = { UNKNOWN: -1, NONE: -2 } as const;

const BASE_SEQ = 0, WINDOW = 1, NEXTSEQ = 2, NEXTSEQ_TIME = 3, MAXSEQTOBEACKED = 4, LASTACK = 5, LASTACK_TIME = 6,
  ISN = 7, SYNACK_SEQ = 8, ACK_AFTER_SYNACK_ACK = 9, FIN_SEQ = 10, BYTES = 11, WINDOW_SHOWN = 12, RTT_MIN = 13,
  RTT_MAX = 14, RTT_SUM = 15, BYTES_IN_FLIGHT = 16, MAX_BYTES_IN_FLIGHT = 17, FIELDS = 18;

function initialValues(): number[] {
  const v = new Array<number>(FIELDS).fill(0.5);
  v.fill(0);
  v[WINDOW] = 0xffffffff; // tshark starts it at G_MAXUINT32
  v[NEXTSEQ_TIME] = -Infinity;
  v[LASTACK_TIME] = -Infinity;
  v[ISN] = -1;
  v[FIN_SEQ] = -1;
  v[WINDOW_SHOWN] = -1;
  v[RTT_MIN] = Infinity;
  return v;
}

export class Flow {
  /** Unboxed doubles (a plain array holding a non-integer keeps V8's packed-double representation). */
  private readonly v: number[] = initialValues();

  // ---- tshark's sequence analysis state
  get baseSeq(): number { return this.v[BASE_SEQ]; }
  set baseSeq(x: number) { this.v[BASE_SEQ] = x; }
  baseSet = false;
  /** -1 unknown (handshake not seen), -2 no scaling, else the shift in use. */
  winScale: number = WinScale.UNKNOWN;
  /** Raw window field of this side's last segment. */
  get window(): number { return this.v[WINDOW]; }
  set window(x: number) { this.v[WINDOW] = x; }
  /** Highest seq + len (+1 for SYN/FIN) seen; 0 = nothing yet. */
  get nextseq(): number { return this.v[NEXTSEQ]; }
  set nextseq(x: number) { this.v[NEXTSEQ] = x; }
  nextseqFrame = 0;
  get nextseqTime(): number { return this.v[NEXTSEQ_TIME]; }
  set nextseqTime(x: number) { this.v[NEXTSEQ_TIME] = x; }
  /** Highest contiguous nextseq (for "ACKed unseen segment"). */
  get maxseqtobeacked(): number { return this.v[MAXSEQTOBEACKED]; }
  set maxseqtobeacked(x: number) { this.v[MAXSEQTOBEACKED] = x; }
  get lastack(): number { return this.v[LASTACK]; }
  set lastack(x: number) { this.v[LASTACK] = x; }
  get lastackTime(): number { return this.v[LASTACK_TIME]; }
  set lastackTime(x: number) { this.v[LASTACK_TIME] = x; }
  /** Duplicate ACKs in a row; -1 once an ACK of unseen bytes was reported (see sequence-analysis.ts). */
  dupacknum = 0;
  lastnondupack = 0;
  /** tshark's analysis bits of this side's last segment. */
  lastsegmentflags = 0;
  /** Between this side's SYN and its first ACK: its window is not scaled yet. */
  isFirstAck = false;
  validBif = true;
  readonly unacked = new UnackedSegments();
  /** SACK blocks of this side's last segment, as [left, right, ...]. */
  sack: number[] | undefined = undefined;

  // ---- facts for the report
  /** Initial sequence number, -1 before a SYN / SYN-ACK. */
  get isn(): number { return this.v[ISN]; }
  set isn(x: number) { this.v[ISN] = x; }
  mss = 0;
  /** Window-scale shift offered in this side's first SYN / first SYN-ACK, as sent (not capped), or null. */
  wsOption: number | null = null;
  synAckWsOption: number | null = null;
  sackPermitted = false;
  timestamps = false;
  packets = 0;
  /** TCP payload bytes sent (tshark's tcp.len summed: wire lengths). */
  get bytes(): number { return this.v[BYTES]; }
  set bytes(x: number) { this.v[BYTES] = x; }
  /** FIN and RST frames of this side (null until there is one). */
  fin: number[] | null = null;
  rst: number[] | null = null;
  /** First SYN-ACK this side sent: frame and sequence number. */
  synAckFrame = 0;
  get synAckSeq(): number { return this.v[SYNACK_SEQ]; }
  set synAckSeq(x: number) { this.v[SYNACK_SEQ] = x; }
  /** First segment from this side after the other side's first SYN-ACK with ACK set and neither SYN nor RST. */
  ackAfterSynAckFrame = 0;
  get ackAfterSynAckAck(): number { return this.v[ACK_AFTER_SYNACK_ACK]; }
  set ackAfterSynAckAck(x: number) { this.v[ACK_AFTER_SYNACK_ACK] = x; }
  /** Sequence number the first FIN occupies, -1 before. */
  get finSeq(): number { return this.v[FIN_SEQ]; }
  set finSeq(x: number) { this.v[FIN_SEQ] = x; }
  state: TcpStateCode = TcpState.CLOSED;
  /** Last window (bytes) put on the timeline, -1 before any. */
  get windowShown(): number { return this.v[WINDOW_SHOWN]; }
  set windowShown(x: number) { this.v[WINDOW_SHOWN] = x; }
  get bytesInFlight(): number { return this.v[BYTES_IN_FLIGHT]; }
  set bytesInFlight(x: number) { this.v[BYTES_IN_FLIGHT] = x; }
  get maxBytesInFlight(): number { return this.v[MAX_BYTES_IN_FLIGHT]; }
  set maxBytesInFlight(x: number) { this.v[MAX_BYTES_IN_FLIGHT] = x; }

  /** Round trips measured on this side's data: segment → the ACK that covers it exactly (tcp.analysis.ack_rtt). */
  rttCount = 0;
  get rttMin(): number { return this.v[RTT_MIN]; }
  get rttMax(): number { return this.v[RTT_MAX]; }
  get rttSum(): number { return this.v[RTT_SUM]; }
  addRtt(seconds: number): void {
    const v = this.v;
    this.rttCount++;
    if (seconds < v[RTT_MIN]) v[RTT_MIN] = seconds;
    if (seconds > v[RTT_MAX]) v[RTT_MAX] = seconds;
    v[RTT_SUM] += seconds;
  }

  addFin(frame: number): void { (this.fin ??= []).push(frame); }
  addRst(frame: number): void { (this.rst ??= []).push(frame); }
}
