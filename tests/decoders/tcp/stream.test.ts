// Payload delivery to the stream parsers (TLS, DNS over TCP): what reaches the sink, in which frame, and the gaps.
import { describe, expect, it } from 'vitest';
import { analyze, type Seg } from './builder';
import type { TcpStreamSink } from '../../../decoders/tcp/analyzer';
import { MAX_PENDING_SEGMENTS, StreamReassembly } from '../../../decoders/tcp/stream-reassembly';
import type { StreamMode } from '../../../decoders/tcp/stream-reassembly';

const C = 1000, S = 5000;
const HS: Seg[] = [
  { from: 'c', flags: 'S', seq: C, t: 0 },
  { from: 's', flags: 'SA', seq: S, ack: C + 1, t: 0.01, win: 65535 },
  { from: 'c', flags: 'A', seq: C + 1, ack: S + 1, t: 0.02 },
];

/** Payload whose bytes spell their own offset in the client's stream (byte i = i mod 251). */
const bytesAt = (offset: number, len: number) => Uint8Array.from({ length: len }, (_, i) => (offset + i) % 251);
const data = (rel: number, len: number, t: number, extra: Partial<Seg> = {}): Seg =>
  ({ from: 'c', flags: 'PA', seq: C + 1 + rel, ack: S + 1, payload: bytesAt(rel, len), t, ...extra });

type Item = { dir: number; frame: number; data?: number[]; gap?: number };

function collect(segs: Seg[], mode?: StreamMode, stopAfter = Infinity): Item[] {
  const out: Item[] = [];
  let calls = 0;
  const sink: TcpStreamSink = {
    onData: (_c, dir, d, frame) => { out.push({ dir, frame, data: Array.from(d) }); return ++calls < stopAfter; },
    onGap: (_c, dir, length, frame) => { out.push({ dir, frame, gap: length }); },
  };
  analyze(segs, { sink, streamMode: mode });
  return out;
}

/** The client's bytes as offsets (gaps as null runs), to check order and completeness at a glance. */
function clientStream(items: Item[]): (number | null)[] {
  const s: (number | null)[] = [];
  for (const it of items) if (it.dir === 0) {
    if (it.gap) for (let i = 0; i < it.gap; i++) s.push(null);
    else s.push(...it.data!);
  }
  return s;
}

describe('stream bytes in tshark mode (what tshark hands its subdissectors)', () => {
  it('delivers each segment once, in order, with its frame', () => {
    const items = collect([...HS, data(0, 5, 0.1), data(5, 3, 0.11), { from: 's', flags: 'PA', seq: S + 1, ack: C + 9, payload: bytesAt(0, 4), t: 0.12 }]);
    expect(items).toEqual([
      { dir: 0, frame: 4, data: [0, 1, 2, 3, 4] },
      { dir: 0, frame: 5, data: [5, 6, 7] },
      { dir: 1, frame: 6, data: [0, 1, 2, 3] },
    ]);
  });

  it('drops retransmissions (even with some new bytes, as tshark) and trims overlaps it does pass on', () => {
    const items = collect([...HS, data(0, 5, 0.1), data(0, 5, 0.5), data(3, 6, 0.51), data(8, 4, 0.52), data(12, 2, 0.53)]);
    // frames 5 and 6 start before the highest sequence number seen: retransmissions, not dissected (bytes 5..7 of
    // frame 6 are lost to the parser). Frame 7 starts one byte before it (after a possible zero-window probe byte
    // tshark does not call that a retransmission): it is passed on after the gap.
    expect(items).toEqual([
      { dir: 0, frame: 4, data: [0, 1, 2, 3, 4] }, { dir: 0, frame: 7, gap: 3 }, { dir: 0, frame: 7, data: [8, 9, 10, 11] },
      { dir: 0, frame: 8, data: [12, 13] },
    ]);
  });

  it('reports bytes never captured as a gap before the next segment', () => {
    const items = collect([...HS, data(0, 5, 0.1), data(10, 2, 0.11)]);
    expect(items).toEqual([
      { dir: 0, frame: 4, data: [0, 1, 2, 3, 4] }, { dir: 0, frame: 5, gap: 5 }, { dir: 0, frame: 5, data: [10, 11] },
    ]);
  });

  it('does not hand an out-of-order segment to the parser (tshark skips it), so its bytes stay a gap', () => {
    const items = collect([...HS, data(5, 5, 0.1), data(0, 5, 0.101), data(10, 2, 0.2)]);
    expect(clientStream(items)).toEqual([null, null, null, null, null, 5, 6, 7, 8, 9, 10, 11]);
  });

  // A segment lost before the capture point, then resent after the receiver's duplicate ACKs: tshark calls the
  // resend a fast retransmission and dissects it from its first byte (it lies in no reassembly in progress).
  const lostThenResent = (resendAt: number, dupAcks: boolean): Seg[] => [...HS, data(0, 5, 0.1), data(10, 5, 0.11),
    { from: 's', flags: 'A', seq: S + 1, ack: C + 6, t: 0.111 },
    ...(dupAcks ? [{ from: 's', flags: 'A', seq: S + 1, ack: C + 6, t: 0.112 }, { from: 's', flags: 'A', seq: S + 1, ack: C + 6, t: 0.113 }] as Seg[] : []),
    data(5, 5, resendAt), data(15, 2, resendAt + 0.01)];

  it('passes a fast retransmission that fills a gap on by itself, between gaps', () => {
    const segs = lostThenResent(0.114, true);
    expect(analyze(segs).flags[8]).toContain('fast_retransmission');
    expect(collect(segs)).toEqual([
      { dir: 0, frame: 4, data: [0, 1, 2, 3, 4] }, { dir: 0, frame: 5, gap: 5 }, { dir: 0, frame: 5, data: [10, 11, 12, 13, 14] },
      { dir: 0, frame: 9, gap: 0 }, { dir: 0, frame: 9, data: [5, 6, 7, 8, 9] },
      { dir: 0, frame: 10, gap: 0 }, { dir: 0, frame: 10, data: [15, 16] },
    ]);
  });

  it('fills what is left of a gap with a later resend', () => {
    // frame 9 resends bytes 5..7 of the gap 5..9; after three ACKs of byte 8, frame 13 resends 8..9
    const ack8 = (t: number): Seg => ({ from: 's', flags: 'A', seq: S + 1, ack: C + 9, t });
    const segs = [...lostThenResent(0.114, true).slice(0, 8), data(5, 3, 0.114), ack8(0.115), ack8(0.116), ack8(0.117),
      data(8, 2, 0.118)];
    const flags = analyze(segs).flags;
    expect([flags[8], flags[12]].map((f) => f.includes('fast_retransmission'))).toEqual([true, true]);
    expect(collect(segs).filter((i) => i.data && i.frame >= 9)).toEqual([
      { dir: 0, frame: 9, data: [5, 6, 7] }, { dir: 0, frame: 13, data: [8, 9] },
    ]);
  });

  it('still drops a plain retransmission into a gap (tshark does not dissect it)', () => {
    const segs = lostThenResent(0.5, false);
    expect(analyze(segs).flags[6]).toEqual(['retransmission']);
    expect(clientStream(collect(segs))).toEqual([0, 1, 2, 3, 4, null, null, null, null, null, 10, 11, 12, 13, 14, 15, 16]);
  });

  it('passes the captured part of a segment cut by the snapshot length, then a gap for the rest', () => {
    const items = collect([...HS, { ...data(0, 4, 0.1), len: 10 }, data(10, 2, 0.11)]);
    expect(items).toEqual([
      { dir: 0, frame: 4, data: [0, 1, 2, 3] }, { dir: 0, frame: 4, gap: 6 }, { dir: 0, frame: 5, data: [10, 11] },
    ]);
  });

  it('stops delivering a direction once the parser returns false', () => {
    const items = collect([...HS, data(0, 2, 0.1), data(2, 2, 0.11), data(4, 2, 0.12)], 'tshark', 1);
    expect(items).toEqual([{ dir: 0, frame: 4, data: [0, 1] }]);
  });

  it('delivers the data a SYN carries (TCP Fast Open) from ISN + 1', () => {
    const items = collect([{ from: 'c', flags: 'S', seq: C, payload: bytesAt(0, 3), t: 0 }, data(3, 2, 0.1)]);
    expect(clientStream(items)).toEqual([0, 1, 2, 3, 4]);
  });

  it('ignores the payload of a RST', () => {
    const items = collect([...HS, { from: 'c', flags: 'RA', seq: C + 1, ack: S + 1, payload: bytesAt(0, 4), t: 0.1 }]);
    expect(items).toEqual([]);
  });
});

describe('gaps remembered for later fills (tshark mode)', () => {
  it('keeps the latest 8 gaps, also when fills split gaps in two', () => {
    const got: string[] = [];
    const r = new StreamReassembly({ data: (d, f) => { got.push(`${f}:${d.length}`); return true; }, gap: () => {} });
    const seg = (seq: number, len: number, frame: number) => r.segment(seq, false, false, len, new Uint8Array(len), frame, 0);
    // 5 bytes every 10: gap k is [10k - 5, 10k) for k = 1..10; the latest 8 (3..10) are remembered
    for (let k = 0; k <= 10; k++) seg(10 * k, 5, k + 1);
    // a byte in the middle of gaps 8, 9, 10 splits each in two: three more to remember, so gaps 3, 4, 5 go
    for (let k = 8; k <= 10; k++) seg(10 * k - 3, 1, 100 + k);
    got.length = 0;
    for (let k = 1; k <= 10; k++) seg(10 * k - 5, 1, 200 + k);
    seg(78, 1, 300); // the second piece of gap 8
    expect(got).toEqual(['206:1', '207:1', '208:1', '209:1', '210:1', '300:1']);
  });
});

describe('stream bytes in reorder mode (a receiver\'s in-order stream)', () => {
  it('holds a segment that arrives ahead of a hole and delivers it when the hole fills, in the filling frame', () => {
    const items = collect([...HS, data(5, 5, 0.1), data(0, 5, 0.101)], 'reorder');
    expect(items).toEqual([{ dir: 0, frame: 5, data: [0, 1, 2, 3, 4] }, { dir: 0, frame: 5, data: [5, 6, 7, 8, 9] }]);
  });

  it('lets a retransmission fill the hole, trimming what was already delivered', () => {
    const items = collect([...HS, data(0, 5, 0.1), data(10, 5, 0.11), data(0, 10, 0.5)], 'reorder');
    expect(clientStream(items)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(items.map((i) => i.frame)).toEqual([4, 6, 6]);
  });

  it('declares the hole lost when the receiver acknowledges past it', () => {
    const items = collect([...HS, data(0, 5, 0.1), data(10, 5, 0.11),
      { from: 's', flags: 'A', seq: S + 1, ack: C + 16, t: 0.13 }], 'reorder');
    expect(items).toEqual([
      { dir: 0, frame: 4, data: [0, 1, 2, 3, 4] }, { dir: 0, frame: 6, gap: 5 },
      { dir: 0, frame: 6, data: [10, 11, 12, 13, 14] },
    ]);
  });

  it('flushes what waits behind a hole at the end of the capture', () => {
    const items = collect([...HS, data(0, 5, 0.1), data(10, 5, 0.11)], 'reorder');
    expect(clientStream(items)).toEqual([0, 1, 2, 3, 4, null, null, null, null, null, 10, 11, 12, 13, 14]);
  });

  it('bounds what waits: too many segments behind a hole force the gap', () => {
    const segs: Seg[] = [...HS];
    for (let i = 0; i <= MAX_PENDING_SEGMENTS; i++) segs.push(data(10 + i, 1, 0.1 + i * 1e-5));
    const items = collect(segs, 'reorder');
    const first = items.findIndex((i) => i.gap);
    expect(items[first]).toEqual({ dir: 0, frame: 4 + MAX_PENDING_SEGMENTS, gap: 10 });
    expect(clientStream(items).slice(10, 14)).toEqual([10, 11, 12, 13]);
  });
});
