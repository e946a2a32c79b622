// Segments sent but not yet acknowledged in one direction (tshark's tcp_unacked_t list): gives the ACK RTT samples,
// bytes in flight and the RTO of retransmissions. Kept in sending order in one flat array (seq, next, frame, time
// per segment); when segments were sent in order (the usual case) an ACK only walks the acknowledged head,
// otherwise the whole list like tshark.
import { gtSeq } from './seq';

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
  /** Flat [seq, next, frame, timeNs, ...]; live entries are [head, end) (in entries); the array only grows. */
  private d: number[] = NONE;
  private head = 0;
  private end = 0;
  count = 0;
  /**
   * Measured as offsets from the oldest segment's start, every segment starts and ends at or after the previous
   * one, all within 2^31: then wrap-around comparisons order them like plain numbers, and an ACK at or after the
   * oldest start covers a prefix of the list.
   */
  private sorted = true;

  /** Appends a segment [seq, nextseq) sent in `frame` at `timeNs`. */
  push(seq: number, nextseq: number, frame: number, timeNs: number): void {
    if (this.d === NONE) this.d = [];
    const d = this.d;
    const e = this.end * W;
    if (this.count > 0 && this.sorted) {
      const h = d[this.head * W];
      const so = (seq - h) >>> 0, no = (nextseq - h) >>> 0;
      if (so >= 0x80000000 || no >= 0x80000000 || so < ((d[e - W] - h) >>> 0) || no < ((d[e - W + 1] - h) >>> 0)) this.sorted = false;
    }
    if (e === d.length) d.push(seq, nextseq, frame, timeNs);
    else { d[e] = seq; d[e + 1] = nextseq; d[e + 2] = frame; d[e + 3] = timeNs; }
    this.end++;
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
    if (this.sorted && ((ack - d[this.head * W]) >>> 0) < 0x80000000) {
      // Starts and ends never decrease: the covered segments are a prefix, then some may start before the ack.
      let i = this.head * W;
      while (this.count > 0 && !gtSeq(d[i + 1], ack)) {
        if (ack === d[i + 1] && out.frame === 0) { out.frame = d[i + 2]; out.rttNs = nowNs - d[i + 3]; }
        this.head++; this.count--; i += W;
      }
      for (let j = i, e = this.end * W; j < e; j += W) {
        if (!gtSeq(ack, d[j])) break;
        d[j] = ack;
      }
      this.compact();
      return;
    }
    // Unordered list: visit every segment, oldest first, compacting in place.
    let w = 0;
    for (let r = this.head * W, e = this.end * W; r < e; r += W) {
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
    this.head = 0;
    this.end = this.count = w / W;
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
      const last = (d[this.end * W - W + 1] - base) >>> 0;
      if (first < 0x80000000 && last < 0x80000000 && last >= first) return last - first;
    }
    let lo = first, hi = (d[h + 1] - base) >>> 0;
    for (let r = h + W, e = this.end * W; r < e; r += W) {
      const s = (d[r] - base) >>> 0, n = (d[r + 1] - base) >>> 0;
      if (n > hi) hi = n;
      if (s < lo) lo = s;
    }
    return (hi - lo) >>> 0;
  }

  /** Forgets every segment and frees the storage. */
  clear(): void {
    this.d = NONE;
    this.head = this.end = this.count = 0;
    this.sorted = true;
  }

  /** Time (ns) the oldest unacknowledged segment was sent, NaN when none. */
  oldestTime(): number {
    return this.count ? this.d[this.head * W + 3] : NaN;
  }

  /** Moves the live entries to the front once the removed ones outweigh them. */
  private compact(): void {
    if (this.count === 0) { this.head = this.end = 0; this.sorted = true; return; }
    if (this.head > 32 && this.head > this.count) {
      this.d.copyWithin(0, this.head * W, this.end * W);
      this.head = 0;
      this.end = this.count;
    }
  }

  private recheckOrder(): void {
    this.sorted = true;
    const d = this.d, h = d[0];
    for (let r = 0, e = this.end * W; r < e; r += W) {
      const so = (d[r] - h) >>> 0, no = (d[r + 1] - h) >>> 0;
      if (so >= 0x80000000 || no >= 0x80000000 || (r > 0 && (so < ((d[r - W] - h) >>> 0) || no < ((d[r - W + 1] - h) >>> 0)))) {
        this.sorted = false;
        return;
      }
    }
  }
}
