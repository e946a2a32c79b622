// Segments sent but not yet acknowledged in one direction (tshark's tcp_unacked_t list): gives the ACK RTT samples,
// bytes in flight and the RTO of retransmissions. A ring buffer in sending order; when segments arrive in order
// (the usual case) an ACK only walks the acknowledged head, otherwise the whole list like tshark.
import { gtSeq, leSeq, ltSeq } from './seq';

/** tshark stops adding segments to the list beyond this many (TCP_MAX_UNACKED_SEGMENTS). */
export const MAX_UNACKED = 10000;

export interface AckResult {
  /** Frame of the segment this ACK exactly acknowledges (ack == its next sequence number), 0 if none. */
  frame: number;
  /** Time (ns) from that segment to the ACK. */
  rttNs: number;
}

export class UnackedSegments {
  private cap = 0;
  private head = 0;
  count = 0;
  private seq = new Float64Array(0);
  private next = new Float64Array(0);
  private frame = new Uint32Array(0);
  private time = new Float64Array(0);
  /** Every segment starts at or after the previous one and ends at or after it. */
  private sorted = true;

  /** Appends a segment [seq, nextseq) sent in `frame` at `timeNs`. */
  push(seq: number, nextseq: number, frame: number, timeNs: number): void {
    if (this.count === this.cap) this.grow();
    if (this.count > 0) {
      const last = this.at(this.count - 1);
      if (ltSeq(seq, this.seq[last]) || ltSeq(nextseq, this.next[last])) this.sorted = false;
    }
    const i = this.at(this.count++);
    this.seq[i] = seq; this.next[i] = nextseq; this.frame[i] = frame; this.time[i] = timeNs;
  }

  /**
   * Applies an acknowledgement: segments it covers are removed, a partly covered one is trimmed (tshark's order of
   * tests). Fills `out` with the oldest segment acknowledged exactly.
   */
  ack(ack: number, nowNs: number, out: AckResult): void {
    out.frame = 0; out.rttNs = 0;
    if (this.count === 0) return;
    if (this.sorted) {
      // Starts and ends never decrease: the covered segments are a prefix, then some may start before the ack.
      while (this.count > 0 && !gtSeq(this.next[this.head], ack)) {
        const i = this.head;
        if (ack === this.next[i] && out.frame === 0) { out.frame = this.frame[i]; out.rttNs = nowNs - this.time[i]; }
        this.shift();
      }
      for (let r = 0; r < this.count; r++) {
        const i = this.at(r);
        if (!gtSeq(ack, this.seq[i])) break;
        this.seq[i] = ack;
      }
      return;
    }
    // Unordered list: visit every segment, oldest first, compacting in place.
    let w = 0;
    const n0 = this.count;
    for (let r = 0; r < n0; r++) {
      const i = this.at(r);
      const s = this.seq[i], n = this.next[i];
      let keep = true;
      if (ack === n) {
        if (out.frame === 0) { out.frame = this.frame[i]; out.rttNs = nowNs - this.time[i]; }
        keep = false;
      } else if (gtSeq(ack, s) && leSeq(ack, n)) {
        this.seq[i] = ack;
      } else if (!gtSeq(n, ack)) {
        keep = false;
      }
      if (keep) {
        const j = this.at(w++);
        if (j !== i) { this.seq[j] = this.seq[i]; this.next[j] = n; this.frame[j] = this.frame[i]; this.time[j] = this.time[i]; }
      }
    }
    this.count = w;
    this.recheckOrder();
  }

  /**
   * Bytes in flight by tshark's default method: from the lowest start to the highest end, both taken as unsigned
   * offsets from `base` (so a segment before `base` counts as far away, as in tshark).
   */
  span(base: number): number {
    if (this.count === 0) return 0;
    const first = (this.seq[this.head] - base) >>> 0;
    if (this.sorted) {
      // In order and all within 2^31 after base: unsigned order is sequence order, the ends are the extremes.
      const last = (this.next[this.at(this.count - 1)] - base) >>> 0;
      if (first < 0x80000000 && last < 0x80000000 && last >= first) return last - first;
    }
    let lo = first, hi = (this.next[this.head] - base) >>> 0;
    for (let r = 1; r < this.count; r++) {
      const i = this.at(r);
      const s = (this.seq[i] - base) >>> 0, n = (this.next[i] - base) >>> 0;
      if (n > hi) hi = n;
      if (s < lo) lo = s;
    }
    return (hi - lo) >>> 0;
  }

  /** Time (ns) the oldest unacknowledged segment was sent and its frame, for the RTO of a retransmission. */
  oldest(): { frame: number; timeNs: number } | null {
    return this.count ? { frame: this.frame[this.head], timeNs: this.time[this.head] } : null;
  }

  private at(r: number): number {
    const i = this.head + r;
    return i >= this.cap ? i - this.cap : i;
  }

  private shift(): void {
    this.head = this.at(1);
    if (--this.count === 0) { this.head = 0; this.sorted = true; }
  }

  private recheckOrder(): void {
    this.sorted = true;
    for (let r = 1; r < this.count; r++) {
      const a = this.at(r - 1), b = this.at(r);
      if (ltSeq(this.seq[b], this.seq[a]) || ltSeq(this.next[b], this.next[a])) { this.sorted = false; return; }
    }
  }

  private grow(): void {
    const cap = Math.max(8, this.cap * 2);
    const seq = new Float64Array(cap), next = new Float64Array(cap), frame = new Uint32Array(cap), time = new Float64Array(cap);
    for (let r = 0; r < this.count; r++) {
      const i = this.at(r);
      seq[r] = this.seq[i]; next[r] = this.next[i]; frame[r] = this.frame[i]; time[r] = this.time[i];
    }
    this.seq = seq; this.next = next; this.frame = frame; this.time = time;
    this.cap = cap; this.head = 0;
  }
}
