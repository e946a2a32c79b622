// Delivery of one direction's payload to a stream parser (TLS, DNS over TCP), in one of two modes:
// - 'tshark' (default): what tshark 4.0 hands its subdissectors. Segments flagged retransmission, spurious
//   retransmission or out-of-order are not dissected (tcp.no_subdissector_on_error), everything else is passed on
//   in arrival order; a jump forward is a gap, bytes already passed are trimmed. A dissected segment that starts
//   inside such a gap (a fast retransmission of a segment lost before the capture point) is not trimmed: tshark
//   dissects it from its first byte, so it is passed on by itself, between two gaps.
// - 'reorder': a real receiver's view. Retransmitted and overlapping bytes are trimmed, segments that arrive ahead
//   of a hole wait (copied, bounded) until the hole fills. A hole is declared lost when the other side acknowledges
//   past it (the receiver got bytes the capture missed), when too much waits behind it, or at the end of capture.
// Bytes that were never captured are reported as a gap so the parser can resynchronise.
import { add32, diffSeq, gtSeq } from './seq';

/** Most bytes / segments kept waiting behind a hole, per direction. */
export const MAX_PENDING_BYTES = 1 << 20;
export const MAX_PENDING_SEGMENTS = 1024;

export type StreamMode = 'tshark' | 'reorder';

export interface StreamOutput {
  /** Returns false when the parser wants no more of this direction. */
  data(data: Uint8Array, frame: number, time: number): boolean;
  gap(length: number, frame: number): void;
}

interface Pending { seq: number; data: Uint8Array; wireLength: number; }

/** Gaps remembered per direction ('tshark' mode), for segments that fill one later. */
const MAX_HOLES = 8;

export class StreamReassembly {
  /** Sequence number of the next byte to deliver; NaN until known. */
  private expected = NaN;
  private active = true;
  /** Where the FIN sits: nothing is delivered at or beyond it. NaN before a FIN. */
  private finSeq = NaN;
  /** Segments waiting behind a hole (reorder mode), in sequence order; null when none ever waited. */
  private pending: Pending[] | null = null;
  private pendingBytes = 0;
  /** 'tshark' mode: the latest gaps, as [start, end) sequence pairs; null before the first. */
  private holes: number[] | null = null;
  /** A segment was passed on out of order: the next in-order bytes follow a gap (the parser resynchronises). */
  private resume = false;

  constructor(private readonly out: StreamOutput, private readonly mode: StreamMode = 'tshark') {}

  get wanted(): boolean { return this.active; }

  /**
   * One segment of this direction. `seq` is the segment's sequence number (a SYN's payload starts at seq + 1),
   * `wireLength` the payload length on the wire, `captured` the payload bytes the capture holds (may be shorter).
   * `resent` says tshark flagged it a retransmission, spurious retransmission or out-of-order segment.
   */
  segment(seq: number, syn: boolean, fin: boolean, wireLength: number, captured: Uint8Array, frame: number,
    time: number, resent = false): void {
    if (!this.active) return;
    if (resent && this.mode === 'tshark') {
      if (fin && Number.isNaN(this.finSeq) && !Number.isNaN(this.expected)) this.finSeq = add32(syn ? add32(seq, 1) : seq, wireLength);
      return;
    }
    const start = syn ? add32(seq, 1) : seq;
    if (Number.isNaN(this.expected)) {
      if (syn) this.expected = start;
      else if (wireLength > 0) this.expected = start;
      else return;
    }
    if (fin && Number.isNaN(this.finSeq)) this.finSeq = add32(start, wireLength);
    if (wireLength === 0) return;
    const rel = diffSeq(start, this.expected);
    if (rel > 0) {
      if (this.mode === 'reorder') {
        this.hold(start, captured, wireLength, frame, time);
        return;
      }
      this.skip(rel, frame);
      this.take(0, wireLength, captured, frame, time);
      return;
    }
    if (rel < 0 && this.holes && this.fillsHole(start, wireLength, captured, frame, time)) return;
    if (!this.take(-rel, wireLength, captured, frame, time)) return;
    this.drain(frame, time);
  }

  /** 'tshark' mode: passes on a segment that starts inside a gap, by itself; false when it does not. */
  private fillsHole(start: number, wireLength: number, captured: Uint8Array, frame: number, time: number): boolean {
    const h = this.holes!;
    for (let i = 0; i < h.length; i += 2) {
      if (diffSeq(start, h[i]) < 0 || diffSeq(start, h[i + 1]) >= 0) continue;
      // what is left of the gap on either side of the segment can still be filled
      const end = add32(start, wireLength), holeStart = h[i], holeEnd = h[i + 1];
      h.splice(i, 2);
      if (diffSeq(start, holeStart) > 0) this.addHole(holeStart, start);
      if (diffSeq(holeEnd, end) > 0) this.addHole(end, holeEnd);
      this.out.gap(0, frame);
      this.resume = true;
      const have = Math.min(captured.length, wireLength);
      if (have > 0 && !this.out.data(captured.subarray(0, have), frame, time)) { this.stop(); return true; }
      if (have < wireLength) this.out.gap(wireLength - have, frame);
      return true;
    }
    return false;
  }

  /** The other side acknowledged up to `ack`: bytes before it that were never captured are a gap. */
  peerAck(ack: number, frame: number, time: number): void {
    if (!this.active || this.mode !== 'reorder' || Number.isNaN(this.expected)) return;
    let target = ack;
    if (!Number.isNaN(this.finSeq) && gtSeq(target, this.finSeq)) target = this.finSeq;
    if (!gtSeq(target, this.expected)) return;
    // Only a hole followed by something is worth reporting now; a missing tail may still be on its way.
    const list = this.pending;
    if (list && list.length && gtSeq(target, list[0].seq)) target = list[0].seq;
    this.skip(diffSeq(target, this.expected), frame);
    this.drain(frame, time);
  }

  /** End of capture: whatever waits behind holes is delivered after a gap. */
  flush(frame: number, time: number): void {
    while (this.active && this.pending && this.pending.length) {
      this.skip(diffSeq(this.pending[0].seq, this.expected), frame);
      this.drain(frame, time);
    }
    this.pending = null;
    this.pendingBytes = 0;
  }

  private hold(seq: number, captured: Uint8Array, wireLength: number, frame: number, time: number): void {
    const p = { seq, data: captured.slice(), wireLength };
    const list = (this.pending ??= []);
    let i = list.length;
    // keep the list ordered by distance from the expected byte
    const d = diffSeq(seq, this.expected);
    while (i > 0 && diffSeq(list[i - 1].seq, this.expected) > d) i--;
    list.splice(i, 0, p);
    this.pendingBytes += p.data.length;
    if (this.pendingBytes > MAX_PENDING_BYTES || list.length > MAX_PENDING_SEGMENTS) {
      this.skip(diffSeq(list[0].seq, this.expected), frame);
      this.drain(frame, time);
    }
  }

  /** Delivers the part of a segment from `skip` bytes into it; returns false when the parser stopped. */
  private take(skip: number, wireLength: number, captured: Uint8Array, frame: number, time: number): boolean {
    if (skip >= wireLength) return true;
    let len = wireLength - skip;
    if (!Number.isNaN(this.finSeq)) {
      const room = diffSeq(this.finSeq, this.expected);
      if (room <= 0) return true;
      if (len > room) len = room;
    }
    const have = Math.max(0, Math.min(captured.length - skip, len));
    this.expected = add32(this.expected, len);
    if (this.resume) {
      this.resume = false;
      this.out.gap(0, frame);
    }
    if (have > 0 && !this.out.data(captured.subarray(skip, skip + have), frame, time)) {
      this.stop();
      return false;
    }
    if (have < len) this.out.gap(len - have, frame);
    return true;
  }

  /** Remembers the gap [start, end), forgetting the oldest beyond MAX_HOLES. */
  private addHole(start: number, end: number): void {
    const h = (this.holes ??= []);
    h.push(start, end);
    if (h.length > 2 * MAX_HOLES) h.splice(0, 2);
  }

  private skip(length: number, frame: number): void {
    if (length <= 0) return;
    if (this.mode === 'tshark') this.addHole(this.expected, add32(this.expected, length));
    this.expected = add32(this.expected, length);
    this.resume = false;
    this.out.gap(length, frame);
  }

  private drain(frame: number, time: number): void {
    const list = this.pending;
    if (!list) return;
    while (this.active && list.length) {
      const p = list[0];
      const rel = diffSeq(p.seq, this.expected);
      if (rel > 0) break;
      list.shift();
      this.pendingBytes -= p.data.length;
      if (!this.take(-rel, p.wireLength, p.data, frame, time)) return;
    }
  }

  /** No more deliveries in this direction (the parser gave up). */
  stop(): void {
    this.active = false;
    this.pending = null;
    this.pendingBytes = 0;
  }
}
