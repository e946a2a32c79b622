// Segments sent but not yet acknowledged in one direction (tshark's tcp_unacked_t list): gives the ACK RTT samples,
// bytes in flight and the RTO of retransmissions. Kept in sending order in one flat array (seq, next, frame, time
// per segment); when segments were sent in order (the usual case) an ACK only walks the acknowledged head,
// otherwise the whole list like tshark.
import { gtSeq, ltSeq } from './seq';

/** tshark stops adding segments to the list beyond this many (TCP_MAX_UNACKED_SEGMENTS). */
export const MAX_UNACKED = 10000;

export interface AckResult {
  /** Frame of the segment this ACK exactly acknowledges (ack == its next sequence number), 0 if none. */
  frame: number;
  /** Time (ns) from that segment to the ACK. */
  rttNs: number;
}

const W = 4; // numbers per segment: seq, next, frame, time
const NONE: number[] = [];

export class UnackedSegments {
  /** Flat [seq, next, frame, timeNs, ...]; entries before `head` are removed. */
  private d: number[] = NONE;
  private head = 0;
  count = 0;
  /** Every segment starts at or after the previous one and ends at or after it. */
  private sorted = true;

  /** Appends a segment [seq, nextseq) sent in `frame` at `timeNs`. */
  push(seq: number, nextseq: number, frame: number, timeNs: number): void {
    if (this.d === NONE) this.d = [];
    const d = this.d;
    if (this.count > 0) {
      const last = d.length - W;
      if (ltSeq(seq, d[last]) || ltSeq(nextseq, d[last + 1])) this.sorted = false;
    }
    d.push(seq, nextseq, frame, timeNs);
    this.count++;
  }

  /**
   * Applies an acknowledgement: segments it covers are removed, a partly covered one is trimmed (tshark's order of
   * tests). Fills `out` with the oldest segment acknowledged exactly.
   */
  ack(ack: number, nowNs: number, out: AckResult): void {
    out.frame = 0; out.rttNs = 0;
    if (this.count === 0) return;
    const d = this.d;
    if (this.sorted) {
      // Starts and ends never decrease: the covered segments are a prefix, then some may start before the ack.
      let i = this.head * W;
      while (this.count > 0 && !gtSeq(d[i + 1], ack)) {
        if (ack === d[i + 1] && out.frame === 0) { out.frame = d[i + 2]; out.rttNs = nowNs - d[i + 3]; }
        this.head++; this.count--; i += W;
      }
      for (let j = i; j < d.length; j += W) {
        if (!gtSeq(ack, d[j])) break;
        d[j] = ack;
      }
      this.compact();
      return;
    }
    // Unordered list: visit every segment, oldest first, compacting in place.
    let w = 0;
    for (let r = this.head * W; r < d.length; r += W) {
      const s = d[r], n = d[r + 1];
      let keep = true;
      if (ack === n) {
        if (out.frame === 0) { out.frame = d[r + 2]; out.rttNs = nowNs - d[r + 3]; }
        keep = false;
      } else if (gtSeq(ack, s) && !gtSeq(ack, n)) {
        d[r] = ack;
      } else if (!gtSeq(n, ack)) {
        keep = false;
      }
      if (keep) {
        if (w !== r) { d[w] = d[r]; d[w + 1] = n; d[w + 2] = d[r + 2]; d[w + 3] = d[r + 3]; }
        w += W;
      }
    }
    d.length = w;
    this.head = 0;
    this.count = w / W;
    this.recheckOrder();
  }

  /**
   * Bytes in flight by tshark's default method: from the lowest start to the highest end, both taken as unsigned
   * offsets from `base` (so a segment before `base` counts as far away, as in tshark).
   */
  span(base: number): number {
    if (this.count === 0) return 0;
    const d = this.d, h = this.head * W;
    const first = (d[h] - base) >>> 0;
    if (this.sorted) {
      // In order and all within 2^31 after base: unsigned order is sequence order, the ends are the extremes.
      const last = (d[d.length - W + 1] - base) >>> 0;
      if (first < 0x80000000 && last < 0x80000000 && last >= first) return last - first;
    }
    let lo = first, hi = (d[h + 1] - base) >>> 0;
    for (let r = h + W; r < d.length; r += W) {
      const s = (d[r] - base) >>> 0, n = (d[r + 1] - base) >>> 0;
      if (n > hi) hi = n;
      if (s < lo) lo = s;
    }
    return (hi - lo) >>> 0;
  }

  /** Time (ns) the oldest unacknowledged segment was sent, NaN when none. */
  oldestTime(): number {
    return this.count ? this.d[this.head * W + 3] : NaN;
  }

  /** Drops removed head entries once they outweigh the live ones. */
  private compact(): void {
    if (this.count === 0) { this.d.length = 0; this.head = 0; this.sorted = true; return; }
    if (this.head > 32 && this.head > this.count) {
      this.d.splice(0, this.head * W);
      this.head = 0;
    }
  }

  private recheckOrder(): void {
    this.sorted = true;
    const d = this.d;
    for (let r = W; r < d.length; r += W) {
      if (ltSeq(d[r], d[r - W]) || ltSeq(d[r + 1], d[r - W + 1])) { this.sorted = false; return; }
    }
  }
}
