// Seeded random TCP segment sequences that hit tshark's analysis rules often: sequence and ack numbers are drawn
// from the values the rules compare (next expected, one before it, behind, ahead, the peer's edge), windows from
// zero / unchanged / new, times around the 3 ms and 20 ms thresholds, ISNs near the 2^32 wrap, stray SYN/FIN/RST.
import type { Seg } from './builder';
import { prng as mulberry32 } from '../../support/prng';


interface Conn {
  ep: [{ ip: string; port: number }, { ip: string; port: number }];
  nxt: [number, number];
  ack: [number, number];
  win: [number, number];
  started: boolean;
  isn: [number, number];
}

export function randomSegments(seed: number, conns: number, perConn: number): Seg[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (n: number) => Math.floor(rnd() * n);
  const hosts = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];
  const list: Conn[] = [];
  for (let i = 0; i < conns; i++) {
    const a = int(4);
    const b = (a + 1 + int(3)) % 4;
    const isn = (): number => pick([int(2 ** 32), 2 ** 32 - 1 - int(3000), int(1000)]);
    const i0 = isn(), i1 = isn();
    list.push({
      ep: [{ ip: hosts[a], port: pick([1000 + i, 40000 + int(50)]) }, { ip: hosts[b], port: pick([80, 443, 25]) }],
      nxt: [i0, i1], ack: [0, 0], win: [pick([0, 100, 1000, 5000, 65535]), pick([0, 100, 1000, 5000, 65535])],
      started: false, isn: [i0, i1],
    });
  }
  const segs: Seg[] = [];
  let t = 1;
  const push = (c: Conn, d: 0 | 1, s: Omit<Seg, 'from' | 'src' | 'dst'>) =>
    segs.push({ from: 'c', src: c.ep[d], dst: c.ep[1 - d], ...s });
  for (let k = 0; k < conns * perConn; k++) {
    const c = pick(list);
    if (!c.started) {
      c.started = true;
      if (rnd() < 0.7) {
        const ws = rnd() < 0.7 ? pick([0, 2, 7, 14, 15]) : undefined;
        t += pick([0.0001, 0.001, 0.01, 0.5]);
        push(c, 0, { flags: 'S', seq: c.isn[0], t, ws, mss: 1460, win: pick([65535, 29200]) });
        if (rnd() < 0.3) { t += pick([0.0005, 1]); push(c, 0, { flags: 'S', seq: c.isn[0], t, ws, mss: 1460, win: 29200 }); }
        c.nxt[0] = (c.isn[0] + 1) >>> 0;
        if (rnd() < 0.85) {
          t += pick([0.0001, 0.002, 0.04]);
          push(c, 1, { flags: 'SA', seq: c.isn[1], ack: c.nxt[0], t, ws: rnd() < 0.7 ? pick([0, 3, 8]) : undefined, mss: 1400,
            win: pick([65535, 28960]) });
          c.nxt[1] = (c.isn[1] + 1) >>> 0;
          if (rnd() < 0.9) { t += pick([0.0001, 0.002, 0.04]); push(c, 0, { flags: 'A', seq: c.nxt[0], ack: c.nxt[1], t, win: pick([229, 512, 65535]) }); }
        }
      }
      continue;
    }
    const d = int(2) as 0 | 1;
    const nxt = c.nxt[d], peer = c.nxt[1 - d];
    let len = pick([0, 0, 0, 0, 1, 100, 1000, 1448, 1460, 1 + int(2999)]);
    let r = rnd();
    const seq = r < 0.55 ? nxt : r < 0.63 ? (nxt - 1) >>> 0
      : r < 0.8 ? (nxt - pick([len || 100, 1460, 2920, 1 + int(4999)])) >>> 0
        : r < 0.9 ? (nxt + pick([1, 100, 1460, 2920])) >>> 0 : rnd() < 0.2 ? int(2 ** 32) : nxt;
    r = rnd();
    const ack = r < 0.6 ? peer : r < 0.75 ? (c.ack[d] || peer) : r < 0.85 ? (peer - pick([1, 100, 1460])) >>> 0
      : (peer + pick([1, 100, 1460, 5000])) >>> 0;
    r = rnd();
    const win = r < 0.6 ? c.win[d] : r < 0.72 ? 0 : pick([1, 100, 1000, 4000, 8192, 65535, int(65536)]);
    r = rnd();
    const flags = r < 0.04 ? 'FA' : r < 0.06 ? 'RA' : r < 0.07 ? 'R' : r < 0.09 ? 'PA' : r < 0.095 ? 'S' : r < 0.1 ? 'SA'
      : r < 0.11 ? '' : 'A';
    if (flags.includes('R') && rnd() < 0.8) len = 0;
    t += pick([0.00001, 0.0005, 0.001, 0.0025, 0.004, 0.015, 0.019, 0.021, 0.05, 0.3, 2]);
    t = Math.round(t * 1e6) / 1e6; // pcap keeps microseconds
    const ws = rnd() < 0.03 ? pick([1, 5]) : undefined;
    push(c, d, { flags, seq, ack, win, len, t, ws, mss: flags.includes('S') ? 1200 : undefined });
    const end = (seq + len + (flags.includes('F') || flags.includes('S') ? 1 : 0)) >>> 0;
    if (((end - nxt) >>> 0) < 2 ** 31 && !flags.includes('R')) c.nxt[d] = end;
    c.ack[d] = ack; c.win[d] = win;
  }
  return segs;
}
