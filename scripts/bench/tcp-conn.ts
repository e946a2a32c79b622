// One TCP connection as seen at the capture point: both sides' sequence, acknowledgement, window, timestamp and SACK
// state, and methods that emit the segments a scenario asks for (handshake, data, ACKs, losses, retransmissions,
// probes, keep-alives, FIN/RST) with numbers that agree with each other the way tshark's analysis expects.
import { ByteStream } from './byte-stream';
import type { FrameBuilder, Host } from './frame-builder';
import type { Prng, RandomPool } from './prng';

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

/** What a scenario's frames are written with; `emitted` hands the built frame to the scheduler. */
export interface Emitter {
  readonly fb: FrameBuilder;
  readonly rng: Prng;
  readonly pool: RandomPool;
  /** Current capture time in microseconds. */
  readonly now: number;
  emitted(frameLength: number): void;
}

export interface TcpOffer {
  mss: number;
  sack: boolean;
  ts: boolean;
  /** Window scale shift offered in the SYN, or -1 for no option. */
  ws: number;
  /** Raw window field of the SYN. */
  synWindow: number;
}

/** A segment kept for retransmission. */
export interface SentSegment { seq: number; bytes: Uint8Array; flags: number }

const add = (a: number, b: number) => (a + b) >>> 0;
/** a < b in 32-bit sequence space. */
const lt = (a: number, b: number) => ((a - b) | 0) < 0;

export class TcpSide {
  nxt: number;
  /** Next in-order byte expected from the peer: what this side acknowledges. */
  rcvNxt = 0;
  /** Acknowledgement number of this side's last segment. */
  lastAck = -1;
  /** Out-of-order data held (one range at most), reported in SACK blocks. */
  sackStart = -1;
  sackEnd = -1;
  /** Extra SACK block for the next ACK only (D-SACK). */
  dsack: [number, number] | null = null;
  winField: number;
  winMax: number;
  wscale = 0;
  lastTsVal = 0;
  readonly stream: ByteStream;

  constructor(readonly host: Host, readonly port: number, readonly isn: number, readonly offer: TcpOffer,
    private readonly tsBase: number, pool: RandomPool) {
    this.nxt = isn;
    this.winField = offer.synWindow;
    this.winMax = offer.synWindow;
    this.stream = new ByteStream(pool);
  }

  tsVal(nowUs: number): number { return (this.tsBase + Math.floor(nowUs / 1000)) >>> 0; }
}

export class TcpConn {
  readonly c: TcpSide;
  readonly s: TcpSide;
  ts = false;
  sack = false;
  private readonly opts = new Uint8Array(40);
  private readonly optView = new DataView(this.opts.buffer);

  constructor(private readonly e: Emitter, client: Host, clientPort: number, server: Host, serverPort: number,
    clientOffer: TcpOffer, serverOffer: TcpOffer) {
    const r = e.rng;
    this.c = new TcpSide(client, clientPort, r.u32(), clientOffer, r.u32(), e.pool);
    this.s = new TcpSide(server, serverPort, r.u32(), serverOffer, r.u32(), e.pool);
  }

  peer(side: TcpSide): TcpSide { return side === this.c ? this.s : this.c; }

  /** Payload bytes per full segment from `from`: the peer's MSS less the timestamp option. */
  segmentSize(from: TcpSide): number { return this.peer(from).offer.mss - (this.ts ? 12 : 0); }

  // --- handshake ---------------------------------------------------------------------------------------------------

  syn(): void {
    const c = this.c;
    this.finish(this.segment(c, this.s, c.isn, 0, SYN, c.offer.synWindow, this.synOptions(c.offer, c, 0)));
    c.nxt = add(c.isn, 1);
  }

  synAck(): void {
    const c = this.c, s = this.s;
    this.ts = c.offer.ts && s.offer.ts;
    this.sack = c.offer.sack && s.offer.sack;
    // The server answers only the options the client offered.
    const answer: TcpOffer = { ...s.offer, ts: this.ts, sack: this.sack, ws: c.offer.ws >= 0 ? s.offer.ws : -1 };
    s.rcvNxt = add(c.isn, 1);
    this.finish(this.segment(s, c, s.isn, s.rcvNxt, SYN | ACK, s.offer.synWindow, this.synOptions(answer, s, c.lastTsVal)));
    s.nxt = add(s.isn, 1);
    c.rcvNxt = s.nxt;
    if (c.offer.ws >= 0 && s.offer.ws >= 0) { c.wscale = c.offer.ws; s.wscale = s.offer.ws; }
    // After the handshake windows are scaled: start near the SYN's byte count and allow growth to a few MB.
    for (const side of [c, s]) {
      side.winField = Math.max(1, Math.min(65535, Math.ceil(side.offer.synWindow / 2 ** side.wscale)));
      side.winMax = Math.max(side.winField, Math.min(65535, Math.floor(this.e.rng.int(1, 6) * 1048576 / 2 ** side.wscale)));
    }
  }

  /** Server refuses the connection: RST/ACK to the SYN. */
  refuse(): void {
    this.finish(this.segment(this.s, this.c, 0, add(this.c.isn, 1), RST | ACK, 0, 0));
  }

  // --- data --------------------------------------------------------------------------------------------------------

  /**
   * Sends the next segment of `from`'s stream. `delivered` = false models a segment lost after the capture point
   * (the peer never gets it). Returns the segment when `keep` (for a later retransmission).
   */
  data(from: TcpSide, keep = false, delivered = true, maxLength = Infinity): SentSegment | null {
    const to = this.peer(from);
    const len = Math.min(this.segmentSize(from), from.stream.remaining, maxLength);
    const seq = from.nxt;
    const flags = ACK | (len === from.stream.remaining ? PSH : 0);
    const at = this.segment(from, to, seq, from.rcvNxt, flags, from.winField, -1);
    from.stream.take(len, this.e.fb.buf, at);
    const kept = keep ? { seq, bytes: this.e.fb.buf.slice(at, at + len), flags } : null;
    this.finish(at + len);
    from.nxt = add(seq, len);
    if (delivered) this.deliver(to, seq, from.nxt);
    return kept;
  }

  /** Takes the next segment's bytes without capturing it: it was lost before the capture point. */
  lose(from: TcpSide): SentSegment {
    const len = Math.min(this.segmentSize(from), from.stream.remaining);
    const bytes = new Uint8Array(len);
    const flags = ACK | (len === from.stream.remaining ? PSH : 0);
    from.stream.take(len, bytes, 0);
    const seg = { seq: from.nxt, bytes, flags };
    from.nxt = add(from.nxt, len);
    return seg;
  }

  retransmit(from: TcpSide, seg: SentSegment): void {
    const to = this.peer(from);
    const at = this.segment(from, to, seg.seq, from.rcvNxt, seg.flags, from.winField, -1);
    this.e.fb.buf.set(seg.bytes, at);
    this.finish(at + seg.bytes.length);
    this.deliver(to, seg.seq, add(seg.seq, seg.bytes.length));
  }

  /** Zero-window probe: the next byte of the stream, which the closed window does not accept. */
  probe(from: TcpSide): void {
    const at = this.segment(from, this.peer(from), from.nxt, from.rcvNxt, ACK, from.winField, -1);
    from.stream.take(1, this.e.fb.buf, at, true);
    this.finish(at + 1);
  }

  /**
   * Keep-alive: one below the next sequence number, no data (Linux). The Windows form repeats the last byte, but
   * tshark then reports a reassembly error when that byte ended a TLS record spanning segments.
   */
  keepAlive(from: TcpSide): void {
    const at = this.segment(from, this.peer(from), add(from.nxt, -1), from.rcvNxt, ACK, from.winField, -1);
    this.finish(at);
  }

  /**
   * A pure ACK from `side`. The window grows a little when the ACK acknowledges new data; `window` sets it (zero
   * window, small window, window update).
   */
  ack(side: TcpSide, window?: number): void {
    const to = this.peer(side);
    if (window !== undefined) side.winField = window;
    else if (side.winField < side.winMax && this.e.rng.chance(0.5)) {
      side.winField = Math.min(side.winMax, side.winField + 1 + (side.winField >> 5));
    }
    const at = this.segment(side, to, side.nxt, side.rcvNxt, ACK, side.winField, -1);
    this.finish(at);
    side.dsack = null;
  }

  /** True when `side`'s last segment acknowledged everything its peer sent. */
  allAcked(side: TcpSide): boolean {
    return side.lastAck === side.rcvNxt && side.rcvNxt === this.peer(side).nxt && side.sackStart < 0;
  }

  fin(from: TcpSide, extra = 0): void {
    const to = this.peer(from);
    const at = this.segment(from, to, from.nxt, from.rcvNxt, FIN | ACK | extra, from.winField, -1);
    this.finish(at);
    from.nxt = add(from.nxt, 1);
    to.rcvNxt = from.nxt;
  }

  rst(from: TcpSide): void {
    const at = this.segment(from, this.peer(from), from.nxt, from.rcvNxt, RST | ACK, 0, -1);
    this.finish(at);
  }

  // --- internals ---------------------------------------------------------------------------------------------------

  private deliver(to: TcpSide, seq: number, end: number): void {
    if (!lt(to.rcvNxt, seq)) {
      if (lt(to.rcvNxt, end)) to.rcvNxt = end;
      if (to.sackStart >= 0 && !lt(to.rcvNxt, to.sackStart)) {
        if (lt(to.rcvNxt, to.sackEnd)) to.rcvNxt = to.sackEnd;
        to.sackStart = to.sackEnd = -1;
      }
    } else {
      if (to.sackStart < 0) to.sackStart = seq;
      to.sackEnd = end;
    }
  }

  /**
   * Writes the headers of a segment and returns the payload offset; the caller writes the payload, then hands
   * fb.finish(end) to the emitter. `optionsLength` >= 0: the SYN options already in this.opts; -1: build the
   * per-segment options (timestamps, SACK).
   */
  private segment(from: TcpSide, to: TcpSide, seq: number, ack: number, flags: number, window: number,
    optionsLength: number): number {
    const n = optionsLength >= 0 ? optionsLength : this.segmentOptions(from);
    if (flags & ACK) from.lastAck = ack;
    return this.e.fb.beginTcp(from.host, to.host, from.port, to.port, seq, flags & ACK ? ack : 0, flags, window,
      this.opts, n);
  }

  private finish(end: number): void { this.e.emitted(this.e.fb.finish(end)); }

  private synOptions(o: TcpOffer, side: TcpSide, ecr: number): number {
    const b = this.opts;
    let n = 0;
    b[n++] = 2; b[n++] = 4; b[n++] = o.mss >> 8; b[n++] = o.mss & 0xff;
    if (o.sack && o.ts) { b[n++] = 4; b[n++] = 2; n = this.tsOption(n, side, ecr); }
    else if (o.ts) { b[n++] = 1; b[n++] = 1; n = this.tsOption(n, side, ecr); }
    else if (o.sack) { b[n++] = 1; b[n++] = 1; b[n++] = 4; b[n++] = 2; }
    if (o.ws >= 0) { b[n++] = 1; b[n++] = 3; b[n++] = 3; b[n++] = o.ws; }
    return n;
  }

  private tsOption(n: number, side: TcpSide, ecr: number): number {
    const val = side.tsVal(this.e.now);
    side.lastTsVal = val;
    this.opts[n] = 8; this.opts[n + 1] = 10;
    this.optView.setUint32(n + 2, val);
    this.optView.setUint32(n + 6, ecr);
    return n + 10;
  }

  private segmentOptions(from: TcpSide): number {
    let n = 0;
    const b = this.opts;
    if (this.ts) { b[n++] = 1; b[n++] = 1; n = this.tsOption(n, from, this.peer(from).lastTsVal); }
    if (this.sack) {
      const blocks: number[] = [];
      if (from.dsack) blocks.push(from.dsack[0], from.dsack[1]);
      if (from.sackStart >= 0) blocks.push(from.sackStart, from.sackEnd);
      if (blocks.length) {
        b[n++] = 1; b[n++] = 1; b[n++] = 5; b[n++] = 2 + 4 * blocks.length;
        for (const v of blocks) { this.optView.setUint32(n, v >>> 0); n += 4; }
      }
    }
    return n;
  }
}
