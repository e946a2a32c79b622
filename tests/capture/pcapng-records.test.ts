// pcapng blocks that are not packets but that tshark 4.0.17 numbers as frames (custom, systemd journal, Sysdig event
// blocks): our frame numbers must be tshark's frame.number, so they become RawFrame records with their own numbers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RawFrame } from '../../capture/frame';
import { realtimeMicroseconds } from '../../capture/pcapng';
import { PcapngWriter } from '../../capture/pcapng-writer';
import { needTshark } from '../support/require';
import { concat, frameSummary, hex, readBytes } from './fixtures';

// tshark -r custom.pcapng (4.0.17):
//   1   0.000000  ... 4 Ethernet II
//   2             PCAPNG 4 Custom Block: PEN = Example Enterprise Number for Documentation Use (32473), will be copied
//   3   0.249999  ... 4 Ethernet II
//   4             PCAPNG 8 Custom Block: PEN = VWB Group (12345), will not be copied
//   5   0.499999  ... 4 Ethernet II
//   6   0.749999  ... 4 Ethernet II
// capinfos: "Number of packets: 4". The unknown block 0x12345 is skipped, unnumbered.
const CUSTOM = `
  0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffff ffffffff 1c000000   # SHB, LE, v1.0
  01000000 14000000 0100 0000 00000400 14000000                     # IDB: LINKTYPE_ETHERNET, snaplen 262144
  06000000 24000000 00000000 240a0600 01401e18 04000000 04000000    # EPB @48: if 0, 1700000000.000001, cap 4, len 4
    01020304 24000000
  ad0b0000 14000000 d97e0000 61626300 14000000                      # CB 0xBAD @84: len 20, PEN 32473, "abc" + pad
  06000000 24000000 00000000 240a0600 90102218 04000000 04000000    # EPB @104: 1700000000.250000
    05060708 24000000
  ad0b0040 18000000 39300000 01020304 05000000 18000000             # CB 0x40000BAD @140: len 24, PEN 12345, 5 bytes + pad
  06000000 24000000 00000000 240a0600 20e12518 04000000 04000000    # EPB @164: 1700000000.500000
    090a0b0c 24000000
  45230100 10000000 deadbeef 10000000                               # unknown block type 0x12345 @200: skipped
  06000000 24000000 00000000 240a0600 b0b12918 04000000 04000000    # EPB @216: 1700000000.750000
    0d0e0f10 24000000
`;

/** Our frames as [number, record, seconds.nanoseconds, frame.len, frame.cap_len, linkType, interface]. */
const view = (f: RawFrame) => [f.index, f.record ?? '', `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`,
  f.originalLength, f.bytes.length, f.linkType, f.interface];

describe('pcapng custom blocks are numbered frames, as in tshark', () => {
  it('SHB IDB EPB CB EPB CB(no copy) EPB unknown EPB: 6 frames, the custom blocks are frames 2 and 4', () => {
    const { frames, info } = readBytes(hex(CUSTOM), undefined, 'custom.pcapng');
    expect(info.warnings).toEqual([]);
    expect(info.frames).toBe(6);
    // A custom block has no time of its own: it takes the previous frame's. Record frames have no link type.
    expect(frames.map(view)).toEqual([
      [1, '', '1700000000.000001000', 4, 4, 1, 0],
      [2, 'custom', '1700000000.000001000', 4, 4, -1, -1],
      [3, '', '1700000000.250000000', 4, 4, 1, 0],
      [4, 'custom', '1700000000.250000000', 8, 8, -1, -1],
      [5, '', '1700000000.500000000', 4, 4, 1, 0],
      [6, '', '1700000000.750000000', 4, 4, 1, 0],
    ]);
    expect(info.linkTypes).toEqual([1]);
    // Record bytes: everything after the PEN, padding included (tshark's frame.len 4 and 8).
    expect(Array.from(frames[1].bytes)).toEqual([0x61, 0x62, 0x63, 0]);
    expect(Array.from(frames[3].bytes)).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    expect(frames.map((f) => f.fileOffset)).toEqual([48, 84, 104, 140, 164, 216]);
    // The packets keep their bytes, numbered 1, 3, 5, 6.
    expect(frames.filter((f) => f.record === undefined).map((f) => [f.index, Array.from(f.bytes)])).toEqual([
      [1, [1, 2, 3, 4]], [3, [5, 6, 7, 8]], [5, [9, 10, 11, 12]], [6, [13, 14, 15, 16]]]);
  });

  it('reads the same in any chunking', () => {
    const whole = readBytes(hex(CUSTOM));
    for (const chunk of [1, 3, 7, 64]) {
      const r = readBytes(hex(CUSTOM), chunk);
      expect(r.frames.map(frameSummary)).toEqual(whole.frames.map(frameSummary));
      expect(r.info).toEqual(whole.info);
    }
  });

  it('a custom block before any packet is frame 1, with time 0 (tshark: no time; relative times count from 0 too)', () => {
    const w = new PcapngWriter();
    const file = concat(w.header(), w.custom(32473, Uint8Array.of(1, 2, 3)), w.interface(),
      w.packet({ tsSec: 1700000000, tsNsec: 123456000, bytes: new Uint8Array(60) }));
    const { frames, info } = readBytes(file);
    expect(frames.map(view)).toEqual([
      [1, 'custom', '0.000000000', 4, 4, -1, -1],
      [2, '', '1700000000.123456000', 60, 60, 1, 0],
    ]);
    expect(info.linkTypes).toEqual([1]);
  });

  it('a custom block too short for its PEN is reported and skipped (tshark stops reading there)', () => {
    const w = new PcapngWriter();
    const p = { tsSec: 1, bytes: new Uint8Array(4) };
    const file = concat(w.header(), w.interface(), w.packet(p), w.block(0xbad), w.packet(p));
    const { frames, info } = readBytes(file, undefined, 'short.pcapng');
    expect(frames.map((f) => [f.index, f.record])).toEqual([[1, undefined], [2, undefined]]);
    expect(info.warnings).toHaveLength(1);
    expect(info.warnings[0]).toMatchObject({ frame: 2, offset: 28 + 20 + 36 });
    expect(info.warnings[0].message).toMatch(/short\.pcapng: the Custom block at byte offset 84 \(would be frame 2\) is only 12 bytes long/);
  });

  it('resynchronising after damage can land on a custom block, which is then numbered', () => {
    const w = new PcapngWriter();
    const p = { tsSec: 5, bytes: new Uint8Array(8).fill(7) };
    const bad = w.packet(p);
    new DataView(bad.buffer).setUint32(bad.length - 4, 0x1000, true); // trailing length disagrees
    const file = concat(w.header(), w.interface(), w.packet(p), bad, w.custom(32473, new Uint8Array(8)), w.packet(p));
    const { frames, info } = readBytes(file, 16);
    expect(frames.map((f) => [f.index, f.record])).toEqual([[1, undefined], [2, 'custom'], [3, undefined]]);
    expect(info.warnings).toHaveLength(2);
  });
});

const enc = new TextEncoder();

/** Sysdig event block body: cpu id, ns timestamp, thread id, event length, event type (v2: + nparams), data. */
function sysdigBody(le: boolean, v2: boolean, ns: bigint, eventLength: number, data: Uint8Array): Uint8Array {
  const head = new Uint8Array(v2 ? 28 : 24);
  const v = new DataView(head.buffer);
  v.setUint16(0, 3, le);
  v.setBigUint64(2, ns, le);
  v.setBigUint64(10, 77n, le);
  v.setUint32(18, eventLength, le);
  v.setUint16(22, 5, le); // event type 5: "close"
  if (v2) v.setUint32(24, 1, le);
  return concat(head, data);
}

function journalFile(): Uint8Array {
  const w = new PcapngWriter();
  const pkt = (i: number) => w.packet({ tsSec: 1700000000 + i, tsNsec: 0, bytes: new Uint8Array(60).fill(i) });
  return concat(w.header(), w.interface(), pkt(0),
    w.block(9, enc.encode('__REALTIME_TIMESTAMP=1700000100123456\nMESSAGE=hello\n\n')), pkt(1),
    w.block(9, enc.encode('MESSAGE=no timestamp here at all\n')), pkt(2),
    w.block(9, enc.encode('A=1\nX__REALTIME_TIMESTAMP= 1700000200000001xyz\n')), pkt(3),
    w.block(9, enc.encode('A=\0__REALTIME_TIMESTAMP=1700000300000000\n')), pkt(4),
    w.block(9, enc.encode('__REALTIME_TIMESTAMP=-17\nMESSAGE=signed\n')), pkt(5),
    w.block(9, enc.encode('__REALTIME_TIMESTAMP=\n')), pkt(6)); // 22-byte entry: too short
}

function sysdigFile(bigEndian: boolean): Uint8Array {
  const w = new PcapngWriter({ bigEndian });
  const le = !bigEndian;
  const data = Uint8Array.of(9, 8, 7, 6, 5);
  const pkt = w.packet({ tsSec: 1700000000, tsNsec: 0, bytes: new Uint8Array(60) });
  const parts = [w.header(), w.interface(), pkt];
  for (const type of [0x204, 0x208, 0x216, 0x217, 0x221, 0x222]) {
    const v2 = type >= 0x216;
    parts.push(w.block(type, sysdigBody(le, v2, 1700000050123456789n, (v2 ? 28 : 24) + data.length, data)), pkt);
  }
  return concat(...parts);
}

describe('other pcapng records tshark numbers: systemd journal entries and Sysdig events', () => {
  it('Journal Export Blocks: time from __REALTIME_TIMESTAMP (µs) as Wireshark finds it, else the previous frame\'s', () => {
    // tshark 4.0.17: frames 1-11, journal entries 2 (1700000100.123456, len 53), 4 (no time, 33), 6 (1700000200.000001,
    // 47), 8 (no time: a NUL hides the field, 41), 10 (no time: signed, 40); the 22-byte entry makes tshark stop with
    // "pcapng: entry length 36 is too small (< 23)" after frame 11.
    const { frames, info } = readBytes(journalFile(), undefined, 'journal.pcapng');
    expect(frames.map(view)).toEqual([
      [1, '', '1700000000.000000000', 60, 60, 1, 0],
      [2, 'journal', '1700000100.123456000', 53, 53, -1, -1],
      [3, '', '1700000001.000000000', 60, 60, 1, 0],
      [4, 'journal', '1700000001.000000000', 33, 33, -1, -1],
      [5, '', '1700000002.000000000', 60, 60, 1, 0],
      [6, 'journal', '1700000200.000001000', 47, 47, -1, -1],
      [7, '', '1700000003.000000000', 60, 60, 1, 0],
      [8, 'journal', '1700000003.000000000', 41, 41, -1, -1],
      [9, '', '1700000004.000000000', 60, 60, 1, 0],
      [10, 'journal', '1700000004.000000000', 40, 40, -1, -1],
      [11, '', '1700000005.000000000', 60, 60, 1, 0],
      [12, '', '1700000006.000000000', 60, 60, 1, 0],
    ]);
    expect(new TextDecoder().decode(frames[1].bytes)).toBe('__REALTIME_TIMESTAMP=1700000100123456\nMESSAGE=hello\n\n');
    expect(info.linkTypes).toEqual([1]);
    expect(info.warnings).toHaveLength(1);
    expect(info.warnings[0].frame).toBe(12);
    expect(info.warnings[0].message).toMatch(/systemd Journal Export block .* holds a 22-byte entry \(at least 23 needed\)/);
  });

  it('realtimeMicroseconds: first occurrence, not past a NUL, optional white space, no sign, below 2^64 - 1', () => {
    const rt = (s: string) => { const b = enc.encode(s); return realtimeMicroseconds(b, 0, b.length); };
    expect(rt('A=1\n__REALTIME_TIMESTAMP=12\n__REALTIME_TIMESTAMP=34\n')).toBe(12n);
    expect(rt('__REALTIME_TIMESTAMP=\t 99z')).toBe(99n);
    expect(rt('A=\0__REALTIME_TIMESTAMP=12\n')).toBeNull();
    expect(rt('__REALTIME_TIMESTAMP=+12\n')).toBeNull();
    expect(rt('__REALTIME_TIMESTAMP=x\n')).toBeNull();
    expect(rt('__REALTIME_TIMESTAMP=')).toBeNull();
    expect(rt('__REALTIME_TIMESTAMP=18446744073709551614')).toBe(18446744073709551614n);
    expect(rt('__REALTIME_TIMESTAMP=18446744073709551615')).toBeNull();
    expect(rt('__REALTIME_TIMESTAMP=99999999999999999999999')).toBeNull();
  });

  for (const bigEndian of [false, true]) {
    it(`Sysdig event blocks 0x204, 0x216, 0x221 are numbered; the "with flags" ones are not (${bigEndian ? 'BE' : 'LE'})`, () => {
      // tshark 4.0.17 (both byte orders): 10 frames; 2, 5 and 8 are "Sysdig Event ... close" at 1700000050.123456789
      // with frame.len 29, 33, 33 (the event length) and frame.cap_len 8 (data after the header, padded).
      const { frames, info } = readBytes(sysdigFile(bigEndian));
      expect(info.warnings).toEqual([]);
      const packet = [0, '', '1700000000.000000000', 60, 60, 1, 0];
      const event = (n: number, len: number) => [n, 'syscall', '1700000050.123456789', len, 8, -1, -1];
      expect(frames.map(view)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) =>
        n === 2 ? event(2, 29) : n === 5 ? event(5, 33) : n === 8 ? event(8, 33) : [n, ...packet.slice(1)]));
      expect(Array.from(frames[1].bytes)).toEqual([9, 8, 7, 6, 5, 0, 0, 0]);
      expect(info.linkTypes).toEqual([1]);
    });
  }
});

const skip = needTshark();

describe.skipIf(skip)('record numbering against tshark 4.0.17', () => {
  const dir = mkdtempSync(join(tmpdir(), 'packetflow-records-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** tshark's frame.number, frame.time_epoch (empty for a record without time), frame.len, frame.cap_len. */
  function tshark(path: string): string[] {
    const r = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch',
      '-e', 'frame.len', '-e', 'frame.cap_len'], { encoding: 'utf8' });
    return r.stdout.split('\n').filter((l) => l.length > 0);
  }

  function capinfosPackets(path: string): number {
    const r = spawnSync('capinfos', ['-c', '-M', path], { encoding: 'utf8' });
    return Number(/Number of packets:\s+(\d+)/.exec(r.stdout)?.[1]);
  }

  const files: [string, Uint8Array, number][] = [
    ['custom', hex(CUSTOM), 6],
    ['journal', journalFile(), 11], // tshark stops at the too-short entry (frame 12 is ours only)
    ['sysdig-le', sysdigFile(false), 10],
    ['sysdig-be', sysdigFile(true), 10],
  ];
  for (const [name, bytes, tsharkFrames] of files) {
    it(`${name}: same frame numbers, times and lengths`, () => {
      const path = join(dir, `${name}.pcapng`);
      writeFileSync(path, bytes);
      const { frames } = readBytes(bytes);
      const theirs = tshark(path);
      expect(theirs).toHaveLength(tsharkFrames);
      // Where tshark shows no time (a custom block, a journal entry without one), ours is the previous frame's.
      const ours = frames.slice(0, tsharkFrames).map((f, i) => {
        const time = `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`;
        const untimed = theirs[i].split('\t')[1] === '';
        if (untimed) {
          const prev = frames[i - 1];
          expect([f.tsSec, f.tsNsec]).toEqual(prev === undefined ? [0, 0] : [prev.tsSec, prev.tsNsec]);
        }
        return [f.index, untimed ? '' : time, f.originalLength, f.bytes.length].join('\t');
      });
      expect(ours).toEqual(theirs);
      if (name === 'custom') expect(capinfosPackets(path)).toBe(frames.filter((f) => f.record === undefined).length);
    });
  }
});
