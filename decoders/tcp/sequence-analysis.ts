// tshark 4.0's tcp_analyze_sequence_number() (epan/dissectors/packet-tcp.c), rule for rule and in its order, on
// raw 32-bit sequence numbers. Returns the TcpAnalysisFlag bits of the segment (fast and spurious retransmissions
// without the RETRANSMISSION bit: the caller adds it, as tshark's expert items do).
import { TcpFlag, type TcpSegment } from '../packet';
import { TcpAnalysisFlag as A } from './flags';
import type { Flow } from './flow';
import { WinScale } from './flow';
import { add32, gtSeq, leSeq, ltSeq, sub32 } from './seq';
import { MAX_UNACKED, type AckResult } from './unacked';

/** Conversation-wide inputs and the per-segment results besides the flags. */
export interface SegmentAnalysis {
  /** Capture time of the segment in ns (from any fixed origin). */
  nowNs: number;
  /** Frame number of the segment. */
  frame: number;
  /** tshark's tcp.analysis.initial_rtt in ns (0 = not known yet): sets the out-of-order threshold. */
  firstRttNs: number;
  // ---- results
  /** tshark would create its per-frame analysis record (ta): flags, an acknowledged segment, bytes in flight. */
  hasRecord: boolean;
  dupackNum: number;
  dupackFrame: number;
  /** Segment acknowledged exactly by this one, with its RTT. */
  acked: AckResult;
  /** tcp.analysis.bytes_in_flight, 0 when not computed. */
  bytesInFlight: number;
  /** For a retransmission: time since the oldest unacknowledged segment (tcp.analysis.rto), ns. */
  rtoNs: number;
}

export function newSegmentAnalysis(): SegmentAnalysis {
  return { nowNs: 0, frame: 0, firstRttNs: 0, hasRecord: false, dupackNum: 0, dupackFrame: 0, acked: { frame: 0, rttNs: 0 },
    bytesInFlight: 0, rtoNs: 0 };
}

const CLOSING_FLAGS = TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST;
const FAST_RETRANSMIT_WINDOW_NS = 20_000_000;
const DEFAULT_OOO_THRESHOLD_NS = 3_000_000;

/**
 * Analyses segment `t` sent by `fwd` (the reverse direction is `rev`) at r.nowNs in frame r.frame; updates both
 * flows and `r`. (Numbers are read from the objects rather than passed: no boxing of 32-bit values per call.)
 */
export function analyzeSegment(fwd: Flow, rev: Flow, t: TcpSegment, r: SegmentAnalysis): number {
  const seq = t.seq, ack = t.ack, seglen = t.payloadLength, flags = t.flags, window = t.window;
  const nowNs = r.nowNs, frame = r.frame;
  let ta = 0;
  let record = false;
  r.dupackNum = 0; r.dupackFrame = 0; r.bytesInFlight = 0; r.rtoNs = 0;
  const clean = (flags & CLOSING_FLAGS) === 0;

  if (flags & TcpFlag.ACK) rev.validBif = true;

  finishedFwd: {
    // ZERO WINDOW PROBE: one byte at the next expected sequence number while the receiver's window is zero.
    if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
      ta |= A.ZERO_WINDOW_PROBE;
      break finishedFwd;
    }
    // ZERO WINDOW
    if (window === 0 && clean) ta |= A.ZERO_WINDOW;
    // LOST PACKET (previous segment not captured)
    if (fwd.nextseq && gtSeq(seq, fwd.nextseq) && (flags & TcpFlag.RST) === 0) {
      ta |= A.LOST_SEGMENT;
      fwd.validBif = false; // until an ACK is seen in the other direction
    }
    // KEEP ALIVE: 0 or 1 byte one before the next expected sequence number.
    if ((seglen === 0 || seglen === 1) && seq === sub32(fwd.nextseq, 1) && clean) ta |= A.KEEP_ALIVE;
    // WINDOW UPDATE
    if (seglen === 0 && window && window !== fwd.window && seq === fwd.nextseq && ack === fwd.lastack && clean) {
      ta |= A.WINDOW_UPDATE;
    }
    // WINDOW FULL: the segment ends exactly at the right edge of the receiver's advertised window.
    if (seglen > 0 && rev.winScale !== WinScale.UNKNOWN && clean) {
      const shift = rev.isFirstAck ? 0 : rev.winScale === WinScale.NONE ? 0 : rev.winScale;
      if (add32(seq, seglen) === add32(rev.lastack, (rev.window << shift) >>> 0)) ta |= A.WINDOW_FULL;
    }
    const sameAck = seglen === 0 && seq === fwd.nextseq && ack === fwd.lastack && clean;
    // KEEP ALIVE ACK
    if (sameAck && window && window === fwd.window && (rev.lastsegmentflags & A.KEEP_ALIVE)) {
      ta |= A.KEEP_ALIVE_ACK;
      break finishedFwd;
    }
    // ZERO WINDOW PROBE ACK
    if (sameAck && window === 0 && window === fwd.window && (rev.lastsegmentflags & A.ZERO_WINDOW_PROBE)) {
      ta |= A.ZERO_WINDOW_PROBE_ACK;
      break finishedFwd;
    }
    // DUPLICATE ACK
    if (sameAck && window && window === fwd.window) {
      fwd.dupacknum = fwd.dupacknum === -1 ? 1 : fwd.dupacknum + 1;
      ta |= A.DUPLICATE_ACK;
      r.dupackNum = fwd.dupacknum;
      r.dupackFrame = fwd.lastnondupack;
    }
  }
  // finished_fwd: a new ack number resets the duplicate counting.
  if (ack !== fwd.lastack) {
    fwd.lastnondupack = frame;
    fwd.dupacknum = 0;
  }

  // ACKED LOST PACKET: this acknowledges bytes the other direction never showed. tshark 4.0.17 (checked against it
  // segment by segment): when the contiguous edge lags what was seen it jumps there; when it does not (it is at,
  // or in sequence space ahead of, the highest byte seen: nextseq went back after a 2^31 jump), the hole is
  // reported only if that side's last ACK was not already a duplicate, and its duplicate counter becomes -1
  // (an unsigned 0xffffffff in 4.0, which the fast-retransmission test below then counts as "at least 2").
  if (rev.maxseqtobeacked && gtSeq(ack, rev.maxseqtobeacked) && (flags & TcpFlag.ACK)) {
    record = true;
    if (ltSeq(rev.maxseqtobeacked, rev.nextseq)) {
      rev.maxseqtobeacked = rev.nextseq;
      ta |= A.ACK_LOST_SEGMENT;
    } else {
      if (rev.dupacknum === 0) ta |= A.ACK_LOST_SEGMENT;
      rev.dupacknum = -1;
    }
  }

  // RETRANSMISSION / FAST RETRANSMISSION / SPURIOUS / OUT-OF-ORDER: data (or SYN/FIN) that does not advance.
  checking: if (seglen > 0 || (flags & (TcpFlag.SYN | TcpFlag.FIN))) {
    let notAdvanced = fwd.nextseq !== 0 && ltSeq(seq, fwd.nextseq);
    if (ta & A.KEEP_ALIVE) break checking;
    // More than one byte right after a (possible) zero-window probe byte is new data.
    if (seglen > 1 && sub32(fwd.nextseq, 1) === seq) notAdvanced = false;
    if (seglen > 0 && rev.lastack && leSeq(add32(seq, seglen), rev.lastack)) {
      ta |= A.SPURIOUS_RETRANSMISSION;
      break checking;
    }
    let t = nowNs - rev.lastackTime;
    const dupacks = rev.dupacknum >>> 0; // tshark 4.0 keeps it unsigned: -1 reads as 0xffffffff
    if (notAdvanced && dupacks >= 2 && rev.lastack === seq && t >= 0 && t < FAST_RETRANSMIT_WINDOW_NS) {
      ta |= A.FAST_RETRANSMISSION;
      break checking;
    }
    t = nowNs - fwd.nextseqTime;
    // tshark converts the iRTT to an unsigned 64-bit threshold: a negative one never limits.
    const threshold = r.firstRttNs === 0 ? DEFAULT_OOO_THRESHOLD_NS : r.firstRttNs < 0 ? Infinity : r.firstRttNs;
    const synFin = (flags & (TcpFlag.SYN | TcpFlag.FIN)) ? 1 : 0;
    if (notAdvanced && t >= 0 && t < threshold && fwd.nextseq !== add32(add32(seq, seglen), synFin)) {
      ta |= A.OUT_OF_ORDER;
      break checking;
    }
    if (notAdvanced) {
      ta |= A.RETRANSMISSION;
      const oldest = fwd.unacked.oldestTime();
      r.rtoNs = nowNs - (Number.isNaN(oldest) ? fwd.nextseqTime : oldest);
    }
  }

  // finished_checking_retransmission_type: remember the segment and how far the sequence space reaches.
  let nextseq = add32(seq, seglen);
  if ((seglen || (flags & (TcpFlag.SYN | TcpFlag.FIN))) && fwd.unacked.count < MAX_UNACKED) {
    // SYN and FIN count as one byte (only when the segment is recorded, as in tshark)
    if (flags & (TcpFlag.SYN | TcpFlag.FIN)) nextseq = add32(nextseq, 1);
    fwd.unacked.push(seq, nextseq, frame, nowNs);
  }
  const zwp = (ta & A.ZERO_WINDOW_PROBE) !== 0;
  if ((gtSeq(nextseq, fwd.nextseq) || !fwd.nextseq) && !zwp) {
    fwd.nextseq = nextseq;
    fwd.nextseqFrame = frame;
    fwd.nextseqTime = nowNs;
  }
  if ((seq === fwd.maxseqtobeacked || !fwd.maxseqtobeacked) && !zwp) fwd.maxseqtobeacked = fwd.nextseq;

  fwd.window = window;
  fwd.lastack = ack;
  fwd.lastackTime = nowNs;
  fwd.lastsegmentflags = ta;

  // Remove what this acknowledges from the other direction's unacknowledged segments.
  rev.unacked.ack(ack, nowNs, r.acked);
  if (r.acked.frame) record = true;

  // Bytes in flight (tshark's default, payload-based method), less what the receiver SACKed.
  if (seglen !== 0 && fwd.unacked.count && fwd.validBif) {
    record = true;
    let inFlight = fwd.unacked.span(fwd.baseSeq);
    // subtracting the blocks' sum modulo 2^32 is subtracting each block in turn
    if (rev.sackedBytes !== 0) inFlight = (inFlight - rev.sackedBytes) >>> 0;
    if (inFlight > 0 && inFlight < 2_000_000_000) {
      r.bytesInFlight = (flags & (TcpFlag.SYN | TcpFlag.FIN)) ? inFlight - 1 : inFlight;
    }
  }
  r.hasRecord = record || ta !== 0;
  return ta;
}
