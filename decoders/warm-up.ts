// A few dozen made-up frames that take every rare branch of the per-packet analysis once, for the Analyzer to run
// through a throwaway instance before the first real capture of a process (see warmUpOnce in analyzer.ts).
//
// Why: V8 optimises a hot function from the type feedback that its unoptimised runs collected. A branch that has
// never run has none, so the first real packet that takes it (a zero window, a SYN retransmission, a SACK block
// past 2^31, a partly acknowledged segment...) throws the optimised code away and the function is compiled again.
// On the 1M-packet benchmark capture that happened ~17 times in the first 125k packets: the sequence analysis was
// compiled 7 times and the per-packet bookkeeping 5 times (up to 40 ms of compiling each, on a 2-core machine
// competing with the analysis itself). Frames here are built the way a capture reader delivers them (same object
// shape, Ethernet, IPv4 and IPv6), so the feedback they leave is what real traffic leaves.
import type { RawFrame } from '../capture/frame';
import { TcpFlag } from './packet';

const FIN = TcpFlag.FIN, SYN = TcpFlag.SYN, RST = TcpFlag.RST, PSH = TcpFlag.PSH, ACK = TcpFlag.ACK;

interface Endpoint { ip: number[]; port: number }

// Sequence numbers near 2^32 (they wrap) and past 2^31, as half of all real ones are.
const C_ISN = 0xffffff00, S_ISN = 0x9abcdef0;
/** A client ISN whose numbers stay past 2^31 without wrapping (SACK edges there). */
const HIGH_ISN = 0xc0000000;
const T0 = 1_700_000_000;

const be16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const add32 = (a: number, b: number): number => (a + b) >>> 0;

const MSS = [2, 4, ...be16(1460)];
const SACK_PERMITTED = [4, 2];
const wscale = (shift: number): number[] => [1, 3, 3, shift];
const timestamps = (val: number, ecr: number): number[] => [8, 10, ...be32(val), ...be32(ecr)];
/** Timestamps after the handshake: aligned by two NOPs, as Linux sends them. */
const nopTimestamps = (val: number, ecr: number): number[] => [1, 1, ...timestamps(val, ecr)];
const sack = (...edges: number[]): number[] => [1, 1, 5, 2 + 4 * edges.length, ...edges.flatMap(be32)];

class FrameScript {
  readonly frames: RawFrame[] = [];
  private time = 0;

  tcp(src: Endpoint, dst: Endpoint, flags: number, seq: number, ack: number, len: number, win: number, dt: number,
    opts: number[] = []): void {
    while (opts.length % 4) opts = [...opts, 1];
    const tcp = [...be16(src.port), ...be16(dst.port), ...be32(seq >>> 0), ...be32(ack >>> 0),
      ((20 + opts.length) / 4) << 4, flags, ...be16(win), 0, 0, 0, 0, ...opts];
    this.ip(src, dst, 6, tcp, len, dt);
  }

  udp(src: Endpoint, dst: Endpoint, len: number, dt: number): void {
    this.ip(src, dst, 17, [...be16(src.port), ...be16(dst.port), ...be16(8 + len), 0, 0], len, dt);
  }

  private ip(src: Endpoint, dst: Endpoint, proto: number, header: number[], payload: number, dt: number): void {
    const v6 = src.ip.length === 16;
    const l4 = header.length + payload;
    const ip = v6
      ? [0x60, 0, 0, 0, ...be16(l4), proto, 64, ...src.ip, ...dst.ip]
      : [0x45, 0, ...be16(20 + l4), 0, 1, 0x40, 0, 64, proto, 0, 0, ...src.ip, ...dst.ip];
    const head = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, ...be16(v6 ? 0x86dd : 0x0800), ...ip, ...header];
    const bytes = new Uint8Array(head.length + payload);
    bytes.set(head);
    this.time += dt;
    const sec = Math.floor(this.time), nsec = Math.round((this.time - sec) * 1e9);
    // the key order of the pcap reader's frames: one hidden class for both
    this.frames.push({
      index: this.frames.length + 1, timestamp: T0 + this.time, tsSec: T0 + sec, tsNsec: nsec, linkType: 1, bytes,
      originalLength: bytes.length, interface: 0, fileOffset: 0, comments: undefined,
    });
  }
}

/** The two ends of a conversation, `c` and `s`: each sends with sequence and ACK numbers relative to the ISNs. */
function sides(s: FrameScript, client: Endpoint, server: Endpoint, cIsn = C_ISN, sIsn = S_ISN) {
  // without the ACK flag the acknowledgment field is zero
  const c = (flags: number, seq: number, ack: number, len: number, win: number, dt: number, opts?: number[]) =>
    s.tcp(client, server, flags, add32(cIsn, seq), flags & ACK ? add32(sIsn, ack) : 0, len, win, dt, opts);
  const sv = (flags: number, seq: number, ack: number, len: number, win: number, dt: number, opts?: number[]) =>
    s.tcp(server, client, flags, add32(sIsn, seq), flags & ACK ? add32(cIsn, ack) : 0, len, win, dt, opts);
  return { c, s: sv };
}

function handshake(x: ReturnType<typeof sides>, ws: number | null, win: number): void {
  const opts = (tsVal: number, tsEcr: number) =>
    [...MSS, ...SACK_PERMITTED, ...timestamps(tsVal, tsEcr), ...(ws === null ? [] : wscale(ws))];
  x.c(SYN, 0, 0, 0, 64240, 0.001, opts(1000, 0));
  x.s(SYN | ACK, 0, 1, 0, 65160, 0.02, opts(5000, 1000));
  x.c(ACK, 1, 1, 0, win, 0.02, nopTimestamps(1020, 5000));
}

/** The warm-up frames: every tcp.analysis rule, every close, port reuse, a mid-stream start, IPv6 and UDP. */
export function warmUpFrames(): RawFrame[] {
  const s = new FrameScript();
  const v4 = (last: number, port: number): Endpoint => ({ ip: [10, 0, 0, last], port });
  const v6 = (last: number, port: number): Endpoint => ({ ip: [0xfd, ...new Array<number>(14).fill(0), last], port });
  const server = v4(2, 443);

  // Retransmitted SYN; partial, duplicate and SACKing ACKs; fast and spurious retransmissions; FIN close.
  const a = sides(s, v4(1, 40001), server);
  a.c(SYN, 0, 0, 0, 64240, 0, [...MSS, ...SACK_PERMITTED, ...wscale(7)]);
  a.c(SYN, 0, 0, 0, 64240, 1, [...MSS, ...SACK_PERMITTED, ...wscale(7)]);
  a.s(SYN | ACK, 0, 1, 0, 65160, 0.02, [...MSS, ...SACK_PERMITTED, ...wscale(7)]);
  a.c(ACK, 1, 1, 0, 502, 0.02);
  a.c(PSH | ACK, 1, 1, 100, 502, 0.001);
  a.c(PSH | ACK, 101, 1, 100, 502, 0.001);
  a.s(ACK, 1, 51, 0, 509, 0.02);
  a.s(ACK, 1, 101, 0, 509, 0.001);
  a.s(ACK, 1, 101, 0, 509, 0.001);
  // a block past what was sent: the SACKed bytes exceed the bytes in flight
  a.s(ACK, 1, 101, 0, 509, 0.001, sack(add32(C_ISN, 301), add32(C_ISN, 1301)));
  a.c(PSH | ACK, 101, 1, 100, 502, 0.001);
  a.s(ACK, 1, 201, 0, 509, 0.02);
  a.c(PSH | ACK, 101, 1, 100, 502, 0.001);
  a.c(FIN | ACK, 201, 1, 0, 502, 0.01);
  a.s(FIN | ACK, 1, 202, 0, 509, 0.02);
  a.c(ACK, 202, 2, 0, 502, 0.02);

  // A lost segment and the out-of-order fill, an ACK inside a segment of the unordered list, a timeout
  // retransmission, an ACK of bytes never seen, then a reset.
  const b = sides(s, v4(1, 40002), server, HIGH_ISN);
  handshake(b, null, 3000);
  b.c(PSH | ACK, 1, 1, 100, 3000, 0.001);
  b.c(PSH | ACK, 201, 1, 100, 3000, 0.001);
  b.c(PSH | ACK, 101, 1, 100, 3000, 0.001);
  b.s(ACK, 1, 151, 0, 3000, 0.02);
  b.s(ACK, 1, 301, 0, 3000, 0.001, sack(HIGH_ISN + 401, HIGH_ISN + 451));
  b.c(PSH | ACK, 301, 1, 100, 3000, 0.001);
  b.c(PSH | ACK, 301, 1, 100, 3000, 1);
  b.s(ACK, 1, 401, 0, 3000, 0.02);
  b.s(ACK, 1, 601, 0, 3000, 0.001);
  b.c(RST | ACK, 401, 1, 0, 0, 0.001);

  // A full window, then a zero window with its probe and the probe's ACK, a window update, a keep-alive and its
  // ACK; the server closes first and the client later.
  const c = sides(s, v4(1, 40003), server);
  c.c(SYN, 0, 0, 0, 1000, 0.001, MSS);
  c.s(SYN | ACK, 0, 1, 0, 1000, 0.02, MSS);
  c.c(ACK, 1, 1, 0, 1000, 0.02);
  c.c(PSH | ACK, 1, 1, 1000, 1000, 0.001);
  c.s(ACK, 1, 1001, 0, 0, 0.02);
  c.c(ACK, 1001, 1, 1, 1000, 0.2);
  c.s(ACK, 1, 1001, 0, 0, 0.02);
  c.s(ACK, 1, 1001, 0, 1000, 0.1);
  c.c(ACK, 1000, 1, 0, 1000, 1);
  c.s(ACK, 1, 1001, 0, 1000, 0.02);
  c.s(FIN | ACK, 1, 1001, 0, 1000, 0.01);
  c.c(ACK, 1001, 2, 0, 1000, 0.02);
  c.c(FIN | ACK, 1001, 2, 0, 1000, 0.01);
  c.s(ACK, 2, 1002, 0, 1000, 0.02);

  // A refused connection; then the first 4-tuple again with a new ISN (a new tcp.stream).
  const d = sides(s, v4(1, 40004), server);
  d.c(SYN, 0, 0, 0, 64240, 0.001, MSS);
  d.s(RST | ACK, 0, 1, 0, 0, 0.001);
  const e = sides(s, v4(1, 40001), server, 0x12345678, 0x7654321);
  handshake(e, 8, 502);
  e.c(PSH | ACK, 1, 1, 100, 502, 0.001, nopTimestamps(1030, 5000));
  e.s(ACK, 1, 101, 0, 509, 0.02, nopTimestamps(5020, 1030));

  // Picked up mid-stream (no handshake), in both directions.
  const f = sides(s, v4(3, 40005), v4(4, 8080));
  f.c(PSH | ACK, 1, 1, 100, 1000, 0.001);
  f.s(PSH | ACK, 1, 101, 200, 1000, 0.001);
  f.c(ACK, 101, 201, 0, 1000, 0.001);

  // IPv6, closed by both sides at once.
  const g = sides(s, v6(1, 40006), v6(2, 443));
  handshake(g, 7, 502);
  g.c(PSH | ACK, 1, 1, 100, 502, 0.001);
  g.s(PSH | ACK, 1, 101, 300, 509, 0.02);
  g.c(FIN | ACK, 101, 301, 0, 502, 0.01);
  g.s(FIN | ACK, 301, 101, 0, 509, 0.0001);
  g.c(ACK, 102, 302, 0, 502, 0.02);
  g.s(ACK, 302, 102, 0, 509, 0.0001);

  // Plain UDP both ways.
  s.udp(v4(1, 40007), v4(9, 9999), 40, 0.001);
  s.udp(v4(9, 9999), v4(1, 40007), 40, 0.001);
  return s.frames;
}
