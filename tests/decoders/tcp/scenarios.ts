// Small TCP conversations, one per tshark analysis rule, with the tcp.analysis flags tshark 4.0.17 shows per frame
// (checked by tshark.test.ts, which runs tshark on the same segments written as a pcap).
import { SERVER, type Seg } from './builder';

export interface Scenario {
  name: string;
  segs: Seg[];
  /** Frame number → tshark flag names (frames not listed have none). */
  flags: Record<number, string[]>;
  /** tcp.stream per frame when it is not 0 everywhere. */
  streams?: number[];
}

const C = 1000, S = 5000; // ISNs
const HS: Seg[] = [
  { from: 'c', flags: 'S', seq: C, t: 0, mss: 1460, ws: 7, sackPermitted: true, win: 64240 },
  { from: 's', flags: 'SA', seq: S, ack: C + 1, t: 0.02, mss: 1460, ws: 8, sackPermitted: true, win: 65160 },
  { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, t: 0.04, win: 502 },
];
/** Handshake without window scaling, client window 3000 (for window-full tests). */
const HS_NOWS: Seg[] = [
  { from: 'c', flags: 'S', seq: C, t: 0, mss: 1460 },
  { from: 's', flags: 'SA', seq: S, ack: C + 1, t: 0.02, mss: 1460, win: 3000 },
  { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, t: 0.04, win: 3000 },
];

export const SCENARIOS: Scenario[] = [
  {
    name: 'clean connection: handshake, data both ways, FIN/ACK close (SYN and FIN take one sequence number)',
    segs: [
      ...HS,
      { from: 'c', flags: 'PA', seq: C + 1, ack: S + 1, len: 100, t: 0.05, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 101, t: 0.07, win: 509 },
      { from: 's', flags: 'PA', seq: S + 1, ack: C + 101, len: 1000, t: 0.08, win: 509 },
      { from: 'c', flags: 'A', seq: C + 101, ack: S + 1001, t: 0.1, win: 501 },
      { from: 'c', flags: 'FA', seq: C + 101, ack: S + 1001, t: 0.2, win: 501 },
      { from: 's', flags: 'FA', seq: S + 1001, ack: C + 102, t: 0.22, win: 509 },
      { from: 'c', flags: 'A', seq: C + 102, ack: S + 1002, t: 0.24, win: 501 },
    ],
    flags: {},
  },
  {
    name: 'SYN retransmission: same ISN one second later',
    segs: [
      { from: 'c', flags: 'S', seq: C, t: 0, mss: 1460 },
      { from: 'c', flags: 'S', seq: C, t: 1, mss: 1460 },
      { from: 's', flags: 'SA', seq: S, ack: C + 1, t: 1.03, mss: 1460 },
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, t: 1.05 },
    ],
    flags: { 2: ['retransmission'] },
  },
  {
    name: 'FIN retransmission',
    segs: [
      ...HS,
      { from: 'c', flags: 'FA', seq: C + 1, ack: S + 1, t: 0.1, win: 502 },
      { from: 'c', flags: 'FA', seq: C + 1, ack: S + 1, t: 0.5, win: 502 },
      { from: 's', flags: 'FA', seq: S + 1, ack: C + 2, t: 0.52 },
      { from: 'c', flags: 'A', seq: C + 2, ack: S + 2, t: 0.54, win: 502 },
    ],
    flags: { 5: ['retransmission'] },
  },
  {
    name: 'sequence numbers wrapping past 2^32: new data is not lost, a resent segment is a retransmission',
    segs: [
      { from: 'c', flags: 'S', seq: 0xfffffc00, t: 0 },
      { from: 's', flags: 'SA', seq: 0xffffff00, ack: 0xfffffc01, t: 0.02, win: 65535 },
      { from: 'c', flags: 'A', seq: 0xfffffc01, ack: 0xffffff01, t: 0.04 },
      { from: 'c', flags: 'A', seq: 0xfffffc01, ack: 0xffffff01, len: 1000, t: 0.05 },
      { from: 'c', flags: 'A', seq: 0xffffffe9, ack: 0xffffff01, len: 1000, t: 0.06 },
      { from: 's', flags: 'A', seq: 0xffffff01, ack: 0x3d1, t: 0.08, win: 65535 },
      { from: 'c', flags: 'A', seq: 0xffffffe9, ack: 0xffffff01, len: 1000, t: 0.5 },
      { from: 'c', flags: 'A', seq: 0x7b9, ack: 0xffffff01, len: 1000, t: 0.51 },
    ],
    // frame 7 is already acknowledged by frame 6: spurious; frame 8 skips 1000 bytes: previous segment lost
    flags: { 7: ['retransmission', 'spurious_retransmission'], 8: ['lost_segment'] },
  },
  {
    name: 'lost segment, duplicate ACKs numbered, fast retransmission within 20 ms',
    segs: [
      ...HS,
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, len: 1000, t: 0.1, win: 502 },
      { from: 'c', flags: 'A', seq: C + 2001, ack: S + 1, len: 1000, t: 0.101, win: 502 },
      { from: 'c', flags: 'A', seq: C + 3001, ack: S + 1, len: 1000, t: 0.102, win: 502 },
      { from: 'c', flags: 'A', seq: C + 4001, ack: S + 1, len: 1000, t: 0.103, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1001, t: 0.12, win: 509 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1001, t: 0.121, win: 509 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1001, t: 0.122, win: 509 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1001, t: 0.123, win: 509 },
      { from: 'c', flags: 'A', seq: C + 1001, ack: S + 1, len: 1000, t: 0.124, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 5001, t: 0.15, win: 509 },
    ],
    flags: { 5: ['lost_segment'], 9: ['duplicate_ack'], 10: ['duplicate_ack'], 11: ['duplicate_ack'],
      12: ['retransmission', 'fast_retransmission'] },
  },
  {
    name: 'retransmission after a timeout (not fast: no duplicate ACKs; not out-of-order: beyond the iRTT)',
    segs: [
      ...HS,
      { from: 'c', flags: 'PA', seq: C + 1, ack: S + 1, len: 500, t: 0.1, win: 502 },
      { from: 'c', flags: 'PA', seq: C + 1, ack: S + 1, len: 500, t: 0.4, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 501, t: 0.42, win: 509 },
    ],
    flags: { 5: ['retransmission'] },
  },
  {
    name: 'spurious retransmission: data resent after the receiver had acknowledged it',
    segs: [
      ...HS,
      { from: 'c', flags: 'PA', seq: C + 1, ack: S + 1, len: 500, t: 0.1, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 501, t: 0.12, win: 509 },
      { from: 'c', flags: 'PA', seq: C + 1, ack: S + 1, len: 500, t: 0.4, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 501, t: 0.42, win: 509 },
    ],
    flags: { 6: ['retransmission', 'spurious_retransmission'], 7: ['duplicate_ack'] },
  },
  {
    name: 'out-of-order: the earlier segment arrives within the initial RTT after a later one',
    segs: [
      ...HS,
      { from: 'c', flags: 'A', seq: C + 1001, ack: S + 1, len: 1000, t: 0.1, win: 502 },
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, len: 1000, t: 0.101, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 2001, t: 0.13, win: 509 },
    ],
    flags: { 4: ['lost_segment'], 5: ['out_of_order'] },
  },
  {
    name: 'zero window, zero-window probe and its ACK, then a window update',
    segs: [
      ...HS_NOWS,
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, len: 1000, t: 0.1, win: 3000 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1001, t: 0.12, win: 0 },
      { from: 'c', flags: 'A', seq: C + 1001, ack: S + 1, len: 1, t: 0.5, win: 3000 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1001, t: 0.52, win: 0 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1001, t: 0.9, win: 2000 },
      { from: 'c', flags: 'A', seq: C + 1001, ack: S + 1, len: 1000, t: 0.92, win: 3000 },
    ],
    flags: { 5: ['zero_window'], 6: ['zero_window_probe'], 7: ['zero_window', 'zero_window_probe_ack'],
      8: ['window_update'] },
  },
  {
    name: 'keep-alive (one byte before the next sequence number) and its ACK',
    segs: [
      ...HS,
      { from: 'c', flags: 'PA', seq: C + 1, ack: S + 1, len: 10, t: 0.1, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 11, t: 0.12, win: 509 },
      { from: 'c', flags: 'A', seq: C + 10, ack: S + 1, len: 0, t: 60, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 11, t: 60.02, win: 509 },
      { from: 'c', flags: 'A', seq: C + 10, ack: S + 1, len: 1, t: 120, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 11, t: 120.02, win: 509 },
    ],
    flags: { 6: ['keep_alive'], 7: ['keep_alive_ack'], 8: ['keep_alive'], 9: ['keep_alive_ack'] },
  },
  {
    name: 'window full without window scaling: data reaches the right edge of the 3000-byte window',
    segs: [
      ...HS_NOWS,
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, len: 1460, t: 0.1, win: 3000 },
      { from: 'c', flags: 'A', seq: C + 1461, ack: S + 1, len: 1460, t: 0.101, win: 3000 },
      { from: 'c', flags: 'A', seq: C + 2921, ack: S + 1, len: 80, t: 0.102, win: 3000 },
    ],
    flags: { 6: ['window_full'] },
  },
  {
    name: 'window full with window scaling on both SYNs: the edge is lastack + (window << shift)',
    segs: [
      { from: 'c', flags: 'S', seq: C, t: 0, ws: 2 },
      { from: 's', flags: 'SA', seq: S, ack: C + 1, t: 0.02, ws: 3, win: 65535 },
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, t: 0.04, win: 1000 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1, t: 0.05, win: 500 },
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, len: 2000, t: 0.1, win: 1000 },
      { from: 'c', flags: 'A', seq: C + 2001, ack: S + 1, len: 2000, t: 0.101, win: 1000 },
    ],
    // frame 4 only changes the window: an update; then 500 << 3 = 4000 bytes from ack C+1 fill it
    flags: { 4: ['window_update'], 6: ['window_full'] },
  },
  {
    name: 'window scale option only in the SYN: no scaling is used (the 500-byte window is not shifted)',
    segs: [
      { from: 'c', flags: 'S', seq: C, t: 0, ws: 2 },
      { from: 's', flags: 'SA', seq: S, ack: C + 1, t: 0.02, win: 65535 },
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, t: 0.04, win: 1000 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1, t: 0.05, win: 500 },
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, len: 500, t: 0.1, win: 1000 },
    ],
    flags: { 4: ['window_update'], 5: ['window_full'] },
  },
  {
    name: 'handshake not captured: window scale unknown, so no window-full even at the raw edge',
    segs: [
      { from: 's', flags: 'A', seq: S + 1, ack: C + 1, t: 0, win: 500 },
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, len: 500, t: 0.01, win: 1000 },
    ],
    flags: {},
  },
  {
    name: 'ACKed unseen segment: the server acknowledges bytes the capture never showed',
    segs: [
      ...HS,
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, len: 1000, t: 0.1, win: 502 },
      { from: 's', flags: 'A', seq: S + 1, ack: C + 3001, t: 0.15, win: 509 },
      { from: 'c', flags: 'A', seq: C + 3001, ack: S + 1, len: 1000, t: 0.16, win: 502 },
    ],
    flags: { 5: ['ack_lost_segment'], 6: ['lost_segment'] },
  },
  {
    name: 'port reuse: a SYN with a new ISN on the same 4-tuple starts a new tcp.stream',
    segs: [
      ...HS,
      { from: 'c', flags: 'FA', seq: C + 1, ack: S + 1, t: 0.1, win: 502 },
      { from: 's', flags: 'FA', seq: S + 1, ack: C + 2, t: 0.12 },
      { from: 'c', flags: 'A', seq: C + 2, ack: S + 2, t: 0.14, win: 502 },
      { from: 'c', flags: 'S', seq: 900000, t: 5 },
      { from: 's', flags: 'SA', seq: 700000, ack: 900001, t: 5.02 },
      { from: 'c', flags: 'A', seq: 900001, ack: 700001, t: 5.04 },
    ],
    flags: {},
    streams: [0, 0, 0, 0, 0, 0, 1, 1, 1],
  },
  {
    name: 'simultaneous open: both sides send a SYN, then both SYN-ACKs',
    segs: [
      { from: 'c', flags: 'S', seq: C, t: 0 },
      { from: 's', flags: 'S', seq: S, t: 0.001 },
      { from: 'c', flags: 'SA', seq: C, ack: S + 1, t: 0.02 },
      { from: 's', flags: 'SA', seq: S, ack: C + 1, t: 0.021 },
      { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, t: 0.04 },
    ],
    // each SYN-ACK repeats its sender's SYN: retransmissions; the final ACK repeats the client's SYN-ACK's ack
    flags: { 3: ['retransmission'], 4: ['retransmission'], 5: ['duplicate_ack'] },
  },
  {
    name: 'connection refused: SYN answered by RST/ACK',
    segs: [
      { from: 'c', flags: 'S', seq: C, t: 0 },
      { from: 's', flags: 'RA', seq: 0, ack: C + 1, t: 0.001 },
    ],
    flags: {},
  },
  {
    name: 'several conversations are numbered in order of first appearance',
    segs: [
      { from: 'c', flags: 'S', seq: C, t: 0 },
      { from: 'c', flags: 'S', seq: 77, t: 0.001, src: { ip: '10.0.0.3', port: 50000 }, dst: SERVER },
      { from: 's', flags: 'SA', seq: S, ack: C + 1, t: 0.02 },
      { from: 's', flags: 'SA', seq: 88, ack: 78, t: 0.021, src: SERVER, dst: { ip: '10.0.0.3', port: 50000 } },
    ],
    flags: {},
    streams: [0, 1, 0, 1],
  },
];
