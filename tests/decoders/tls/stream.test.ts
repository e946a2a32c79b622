import { describe, expect, it } from 'vitest';
import { looksLikeRecordHeader, looksLikeSslv2Hello, RecordStream, type TlsRecord } from '../../../decoders/tls/stream';
import { ascii, record } from './build';

const B = (a: number[]) => Uint8Array.from(a);

function collect(stream: RecordStream, chunks: [number[], number][]) {
  const out: { type: number; len: number; frame: number; offset: number; sslv2: boolean }[] = [];
  const results: boolean[] = [];
  for (const [bytes, frame] of chunks) {
    results.push(stream.push(B(bytes), frame, (r: TlsRecord) => {
      out.push({ type: r.type, len: r.payload.length, frame: r.frame, offset: r.offset, sslv2: r.sslv2 });
      return true;
    }));
  }
  return { out, results };
}

describe('record header heuristics', () => {
  it('accepts TLS record headers and rejects text protocols', () => {
    expect(looksLikeRecordHeader(B([22, 3, 1, 0, 200]))).toBe(true);
    expect(looksLikeRecordHeader(B([23, 3, 3, 0x47, 0xff]))).toBe(true); // 18431 ≤ 2^14 + 2048
    expect(looksLikeRecordHeader(B([23, 3, 3, 0x48, 0x01]))).toBe(false); // too long
    expect(looksLikeRecordHeader(B([22, 3, 5, 0, 1]))).toBe(false);
    expect(looksLikeRecordHeader(B(ascii('GET / HTTP/1.1')))).toBe(false);
    expect(looksLikeRecordHeader(B(ascii('220 smtp.example.com ESMTP')))).toBe(false);
  });

  it('recognises an SSLv2 ClientHello header', () => {
    expect(looksLikeSslv2Hello(B([0x80, 0x7c, 1, 3, 1]))).toBe(true);
    expect(looksLikeSslv2Hello(B([0x80, 0x7c, 1, 0, 2]))).toBe(true);
    expect(looksLikeSslv2Hello(B([0x80, 0x7c, 4, 3, 1]))).toBe(false); // server hello type
    expect(looksLikeSslv2Hello(B([0x00, 0x7c, 1, 3, 1]))).toBe(false);
  });
});

describe('RecordStream', () => {
  const r1 = record(22, new Array(300).fill(1));
  const r2 = record(20, [1]);
  const r3 = record(23, new Array(40).fill(3));
  const all = [...r1, ...r2, ...r3];

  it('cuts records whatever the segment boundaries, reporting the frame that completed each', () => {
    const s = new RecordStream();
    // segment 1 (frame 4): header + part of record 1; segment 2 (frame 6): rest of 1, all of 2, start of 3;
    // segment 3 (frame 9): rest of 3
    const { out } = collect(s, [[all.slice(0, 100), 4], [all.slice(100, 320), 6], [all.slice(320), 9]]);
    expect(out).toEqual([
      { type: 22, len: 300, frame: 6, offset: 0, sslv2: false },
      { type: 20, len: 1, frame: 6, offset: 305, sslv2: false },
      { type: 23, len: 40, frame: 9, offset: 311, sslv2: false },
    ]);
  });

  it('gives the same records when fed one byte at a time', () => {
    const s = new RecordStream();
    const { out } = collect(s, all.map((b, i) => [[b], i + 1]));
    expect(out.map((r) => [r.type, r.len, r.frame])).toEqual([[22, 300, 305], [20, 1, 311], [23, 40, all.length]]);
  });

  it('gives up on a stream that does not start like TLS, at once', () => {
    const s = new RecordStream();
    const { results } = collect(s, [[ascii('EHLO example.com\r\n'), 1]]);
    expect(results).toEqual([false]);
    expect(s.stopReason).toBe('not TLS');
    // a one-byte segment is enough to decide
    const t = new RecordStream();
    expect(collect(t, [[[0x47], 1]]).results).toEqual([false]);
  });

  it('stops when the record boundary is lost (garbage where a header should be)', () => {
    const s = new RecordStream();
    const { out, results } = collect(s, [[[...r2, 0x41, 0x42, 0x43, 0x44, 0x45], 1]]);
    expect(out.length).toBe(1);
    expect(results).toEqual([false]);
    expect(s.stopReason).toBe('lost record boundary');
  });

  it('after a gap, resumes at the next segment that starts a record and skips the others', () => {
    const s = new RecordStream();
    const got: number[] = [];
    const on = (r: TlsRecord) => { got.push(r.frame); return true; };
    s.push(B(r1.slice(0, 50)), 1, on);
    s.gap(1000);
    expect(s.push(B(new Array(30).fill(0x99)), 2, on)).toBe(true); // middle of some record: skipped
    s.push(B(r3), 3, on);
    expect(got).toEqual([3]);
    expect(s.gaps).toBe(1);
  });

  it('reports an SSLv2 ClientHello as a handshake record with version 0x0002', () => {
    const msg = [1, 3, 1, 0, 3, 0, 0, 0, 16, 0, 0, 0x2f, ...new Array(16).fill(9)];
    const rec = [0x80, msg.length, ...msg];
    const s = new RecordStream();
    const { out } = collect(s, [[[...rec, ...record(22, [16, 0, 0, 0])], 4]]);
    expect(out.map((r) => [r.type, r.sslv2, r.len])).toEqual([[22, true, msg.length], [22, false, 4]]);
  });

  it('the consumer can stop it', () => {
    const s = new RecordStream();
    let n = 0;
    expect(s.push(B(all), 1, () => ++n < 2)).toBe(false);
    expect(n).toBe(2);
    expect(s.push(B(r3), 2, () => true)).toBe(false);
  });

  it('keeps at most one incomplete record buffered', () => {
    const s = new RecordStream();
    const big = record(23, new Array(16384).fill(0));
    for (let i = 0; i < 50; i++) s.push(B(big), i + 1, () => true);
    s.push(B(big.slice(0, 10000)), 99, () => true);
    expect(s.buffered).toBe(10000);
  });
});
