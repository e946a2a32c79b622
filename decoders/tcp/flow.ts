// The state tshark keeps per direction of a TCP conversation (tcp_flow_t + tcp_analyze_seq_flow_info_t), plus
// what PacketFlow reports about that side. Field names follow packet-tcp.c so the rules can be checked against it.
import { UnackedSegments } from './unacked';
import { TcpState, type TcpStateCode } from './events';

/** Window scale: a shift 0..14, or one of these. */
export const WinScale = { UNKNOWN: -1, NONE: -2 } as const;

export class Flow {
  // ---- tshark's sequence analysis state
  baseSeq = 0;
  baseSet = false;
  /** -1 unknown (handshake not seen), -2 no scaling, else the shift in use. */
  winScale: number = WinScale.UNKNOWN;
  /** Raw window field of this side's last segment (tshark starts it at G_MAXUINT32). */
  window = 0xffffffff;
  /** Highest seq + len (+1 for SYN/FIN) seen; 0 = nothing yet. */
  nextseq = 0;
  nextseqFrame = 0;
  nextseqTime = -Infinity;
  /** Highest contiguous nextseq (for "ACKed unseen segment"). */
  maxseqtobeacked = 0;
  lastack = 0;
  lastackTime = -Infinity;
  /** Duplicate ACKs in a row; -1 once an ACK of unseen bytes was reported (see sequence-analysis.ts). */
  dupacknum = 0;
  lastnondupack = 0;
  /** tshark's TCP_A_* bits of this side's last segment. */
  lastsegmentflags = 0;
  /** Between this side's SYN and its first ACK: its window is not scaled yet. */
  isFirstAck = false;
  validBif = true;
  readonly unacked = new UnackedSegments();
  /** SACK blocks of this side's last segment, as [left, right, ...]. */
  sack: number[] | undefined;

  // ---- facts for the report
  isn = -1;
  mss = 0;
  /** Window-scale shift from this side's SYN/SYN-ACK option as sent (not capped), or null. */
  wsOption: number | null = null;
  sackPermitted = false;
  timestamps = false;
  packets = 0;
  /** TCP payload bytes sent (tshark's tcp.len summed: wire lengths). */
  bytes = 0;
  fin: number[] = [];
  rst: number[] = [];
  /** First SYN-ACK this side sent: frame and sequence number. */
  synAckFrame = 0;
  synAckSeq = 0;
  /** First segment from this side after the other side's first SYN-ACK with ACK set and neither SYN nor RST. */
  ackAfterSynAckFrame = 0;
  ackAfterSynAckAck = 0;
  /** Sequence number the first FIN occupies, -1 before. */
  finSeq = -1;
  state: TcpStateCode = TcpState.CLOSED;
  /** Last window (bytes) put on the timeline, -1 before any. */
  windowShown = -1;
  bytesInFlight = 0;
  maxBytesInFlight = 0;
  /** Round-trip samples: ACK frame and seconds (data segment of this side → ACK from the other). */
  rttFrames: number[] = [];
  rttSeconds: number[] = [];
}
