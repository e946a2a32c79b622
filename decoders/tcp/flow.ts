// The state tshark keeps per direction of a TCP conversation (tcp_flow_t + tcp_analyze_seq_flow_info_t), plus
// what PacketFlow reports about that side. Field names follow packet-tcp.c so the rules can be checked against it.
// Sequence numbers and times do not fit V8's small integers: they live in a shared Float64Array slab (FIELDS per
// flow, behind accessors) instead of one boxed number each, which keeps a conversation's state small.
import { UnackedSegments } from './unacked';
import { TcpState, type TcpStateCode } from './events';

/** Window scale: a shift 0..14, or one of these. */
export enum WinScale { UNKNOWN = -1, NONE = -2 }

// Read or written on every packet first (they share the fewest cache lines), report facts after.
const BASE_SEQ = 0, WINDOW = 1, NEXTSEQ = 2, NEXTSEQ_TIME = 3, MAXSEQTOBEACKED = 4, LASTACK = 5, LASTACK_TIME = 6,
  BYTES = 7, WINDOW_SHOWN = 8, BYTES_IN_FLIGHT = 9, MAX_BYTES_IN_FLIGHT = 10, ISN = 11, SYNACK_SEQ = 12,
  ACK_AFTER_SYNACK_ACK = 13, FIN_SEQ = 14, RTT_MIN = 15, RTT_MAX = 16, RTT_SUM = 17, FIELDS = 18;

/** Flows per slab: one Float64Array holds the doubles of many flows (a typed array each would cost more than the
 *  18 numbers it holds; a plain array per flow costs its header and the elements' header). */
const SLAB_FLOWS = 1024;
let slab = new Float64Array(0);
let slabUsed = 0;

/** Reserves and initialises one flow's doubles; returns their offset in `slab`. */
function allocValues(): number {
  if (slabUsed + FIELDS > slab.length) { slab = new Float64Array(FIELDS * SLAB_FLOWS); slabUsed = 0; }
  const o = slabUsed;
  slabUsed += FIELDS;
  const v = slab;
  v[o + WINDOW] = 0xffffffff; // tshark starts it at G_MAXUINT32
  v[o + NEXTSEQ_TIME] = -Infinity;
  v[o + LASTACK_TIME] = -Infinity;
  v[o + ISN] = -1;
  v[o + FIN_SEQ] = -1;
  v[o + WINDOW_SHOWN] = -1;
  v[o + RTT_MIN] = Infinity;
  return o;
}

/**
 * One direction's state. It is its own list of unacknowledged segments (a base class rather than a field: one
 * object less to reach on every packet, which shows with thousands of connections open at once).
 */
export class Flow extends UnackedSegments {
  /** This flow's unboxed doubles: FIELDS of them from offset `o` of a slab (`v` is read after `o` reserved them). */
  private readonly o: number = allocValues();
  private readonly v: Float64Array = slab;

  // ---- tshark's sequence analysis state
  get baseSeq(): number { return this.v[this.o + BASE_SEQ]; }
  set baseSeq(x: number) { this.v[this.o + BASE_SEQ] = x; }
  baseSet = false;
  /** -1 unknown (handshake not seen), -2 no scaling, else the shift in use. */
  winScale: number = WinScale.UNKNOWN;
  /** Raw window field of this side's last segment. */
  get window(): number { return this.v[this.o + WINDOW]; }
  set window(x: number) { this.v[this.o + WINDOW] = x; }
  /** Highest seq + len (+1 for SYN/FIN) seen; 0 = nothing yet. */
  get nextseq(): number { return this.v[this.o + NEXTSEQ]; }
  set nextseq(x: number) { this.v[this.o + NEXTSEQ] = x; }
  nextseqFrame = 0;
  get nextseqTime(): number { return this.v[this.o + NEXTSEQ_TIME]; }
  set nextseqTime(x: number) { this.v[this.o + NEXTSEQ_TIME] = x; }
  /** Highest contiguous nextseq (for "ACKed unseen segment"). */
  get maxseqtobeacked(): number { return this.v[this.o + MAXSEQTOBEACKED]; }
  set maxseqtobeacked(x: number) { this.v[this.o + MAXSEQTOBEACKED] = x; }
  get lastack(): number { return this.v[this.o + LASTACK]; }
  set lastack(x: number) { this.v[this.o + LASTACK] = x; }
  get lastackTime(): number { return this.v[this.o + LASTACK_TIME]; }
  set lastackTime(x: number) { this.v[this.o + LASTACK_TIME] = x; }
  /** Duplicate ACKs in a row; -1 once an ACK of unseen bytes was reported (see sequence-analysis.ts). */
  dupacknum = 0;
  lastnondupack = 0;
  /** tshark's analysis bits of this side's last segment. */
  lastsegmentflags = 0;
  /** Between this side's SYN and its first ACK: its window is not scaled yet. */
  isFirstAck = false;
  validBif = true;
  /** The segments this side sent that are not acknowledged yet (this object itself). */
  get unacked(): UnackedSegments { return this; }
  /** Bytes covered by the SACK blocks of this side's last segment, summed (only the total is used). */
  sackedBytes = 0;
  // report facts read or written on every packet, kept beside the analysis state (in-object fields are laid out
  // in declaration order: the per-packet ones share cache lines)
  packets = 0;
  state: TcpStateCode = TcpState.CLOSED;
  /** First SYN-ACK this side sent: its frame (its sequence number is synAckSeq). */
  synAckFrame = 0;
  /** First segment from this side after the other side's first SYN-ACK with ACK set and neither SYN nor RST. */
  ackAfterSynAckFrame = 0;
  timestamps = false;

  // ---- facts for the report
  /** Initial sequence number, -1 before a SYN / SYN-ACK. */
  get isn(): number { return this.v[this.o + ISN]; }
  set isn(x: number) { this.v[this.o + ISN] = x; }
  mss = 0;
  /** Window-scale shift offered in this side's first SYN / first SYN-ACK, as sent (not capped), or null. */
  wsOption: number | null = null;
  synAckWsOption: number | null = null;
  sackPermitted = false;
  /** TCP payload bytes sent (tshark's tcp.len summed: wire lengths). */
  get bytes(): number { return this.v[this.o + BYTES]; }
  set bytes(x: number) { this.v[this.o + BYTES] = x; }
  /** FIN and RST frames of this side (null until there is one). */
  fin: number[] | null = null;
  rst: number[] | null = null;
  get synAckSeq(): number { return this.v[this.o + SYNACK_SEQ]; }
  set synAckSeq(x: number) { this.v[this.o + SYNACK_SEQ] = x; }
  get ackAfterSynAckAck(): number { return this.v[this.o + ACK_AFTER_SYNACK_ACK]; }
  set ackAfterSynAckAck(x: number) { this.v[this.o + ACK_AFTER_SYNACK_ACK] = x; }
  /** Sequence number the first FIN occupies, -1 before. */
  get finSeq(): number { return this.v[this.o + FIN_SEQ]; }
  set finSeq(x: number) { this.v[this.o + FIN_SEQ] = x; }
  /** Last window (bytes) put on the timeline, -1 before any. */
  get windowShown(): number { return this.v[this.o + WINDOW_SHOWN]; }
  set windowShown(x: number) { this.v[this.o + WINDOW_SHOWN] = x; }
  get bytesInFlight(): number { return this.v[this.o + BYTES_IN_FLIGHT]; }
  set bytesInFlight(x: number) { this.v[this.o + BYTES_IN_FLIGHT] = x; }
  get maxBytesInFlight(): number { return this.v[this.o + MAX_BYTES_IN_FLIGHT]; }
  set maxBytesInFlight(x: number) { this.v[this.o + MAX_BYTES_IN_FLIGHT] = x; }

  /** Round trips measured on this side's data: segment → the ACK that covers it exactly (tcp.analysis.ack_rtt). */
  rttCount = 0;
  get rttMin(): number { return this.v[this.o + RTT_MIN]; }
  get rttMax(): number { return this.v[this.o + RTT_MAX]; }
  get rttSum(): number { return this.v[this.o + RTT_SUM]; }
  addRtt(seconds: number): void {
    const v = this.v, o = this.o;
    this.rttCount++;
    if (seconds < v[o + RTT_MIN]) v[o + RTT_MIN] = seconds;
    if (seconds > v[o + RTT_MAX]) v[o + RTT_MAX] = seconds;
    v[o + RTT_SUM] += seconds;
  }

  /** Frees the list's storage when nothing is outstanding. */
  releaseUnacked(): void {
    if (this.count === 0) this.clear();
  }

  // A literal holds exactly one element; push on an empty array would reserve room for 17.
  addFin(frame: number): void { if (this.fin) this.fin.push(frame); else this.fin = [frame]; }
  addRst(frame: number): void { if (this.rst) this.rst.push(frame); else this.rst = [frame]; }
}
