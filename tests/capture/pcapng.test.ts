// pcapng: a hand-written file (annotated with tshark 4.0.17's view), every block type, resolutions, sections, damage.
import { describe, expect, it } from 'vitest';
import { PcapngWriter } from '../../capture/pcapng-writer';
import { CaptureReader } from '../../capture/reader';
import { concat, frameSummary, hex, readBytes, samplePackets } from './fixtures';

/** Independent reference for a timestamp count: BigInt division. */
function refTime(hi: number, lo: number, perSecond: bigint): [number, number] {
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  return [Number(v / perSecond), Number(((v % perSecond) * 1000000000n) / perSecond)];
}

const HAND = `
  0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffff ffffffff 1c000000   # SHB: len 28, byte-order magic (LE), v1.0, length -1
  01000000 28000000 0100 0000 00000400                              # IDB: len 40, LINKTYPE_ETHERNET, snaplen 262144
    0200 0400 65746830   0900 0100 09000000   0000 0000  28000000   #   if_name "eth0", if_tsresol 9 (ns), end
  06000000 34000000 00000000 fe9c9717 15cd853d 05000000 e8030000    # EPB: len 52, if 0, ts 0x17979cfe:3d85cd15, cap 5, len 1000
    68656c6c 6f000000   0100 0200 68690000   00000000  34000000     #   "hello" + pad, opt_comment "hi", end
`;

describe('pcapng, a hand-written file', () => {
  it('reads SHB, IDB options and an EPB with a nanosecond timestamp and a comment', () => {
    // tshark: frame.time_epoch 1700000000.123456789, frame.len 1000, frame.cap_len 5, interface_name eth0, comment "hi"
    const { frames, info } = readBytes(hex(HAND), undefined, 'hand.pcapng');
    expect(info.fatal).toBeNull();
    expect(info.format).toBe('pcapng');
    expect(info.warnings).toEqual([]);
    expect(info.interfaces).toEqual([{ id: 0, linkType: 1, snaplen: 262144, name: 'eth0', tsResolution: 1e9 }]);
    expect(frames.map(frameSummary)).toEqual([{
      index: 1, tsSec: 1700000000, tsNsec: 123456789, linkType: 1, originalLength: 1000, interface: 0, fileOffset: 68,
      comments: ['hi'], bytes: '104,101,108,108,111',
    }]);
  });

  it('is exactly what PcapngWriter produces for the same content', () => {
    const w = new PcapngWriter();
    const written = concat(w.header(), w.interface({ name: 'eth0', tsresol: 9 }),
      w.packet({ tsSec: 1700000000, tsNsec: 123456789, bytes: new TextEncoder().encode('hello'), originalLength: 1000, comments: ['hi'] }));
    expect(Array.from(written)).toEqual(Array.from(hex(HAND)));
  });
});

describe('pcapng, writer-built files', () => {
  const packets = samplePackets();

  it('big-endian sections read the same as little-endian ones', () => {
    const build = (bigEndian: boolean) => {
      const w = new PcapngWriter({ bigEndian });
      return concat(w.header(), w.interface({ linkType: 1, tsresol: 9, name: 'en0', description: 'Wi-Fi' }),
        ...packets.map((p) => w.packet(p)));
    };
    const le = readBytes(build(false));
    const be = readBytes(build(true));
    expect(be.info.warnings).toEqual([]);
    expect(be.info.interfaces).toEqual([{ id: 0, linkType: 1, snaplen: 262144, name: 'en0', description: 'Wi-Fi', tsResolution: 1e9 }]);
    expect(be.frames.map(frameSummary)).toEqual(le.frames.map(frameSummary));
    expect(be.frames.map((f) => [f.tsSec, f.tsNsec])).toEqual(packets.map((p) => [p.tsSec, p.tsNsec]));
  });

  it('several sections (mixed byte orders) restart interface numbering but frames keep file-wide interface ids', () => {
    const a = new PcapngWriter();
    const b = new PcapngWriter({ bigEndian: true });
    const p = samplePackets(6);
    const file = concat(
      a.header(), a.interface({ linkType: 1, name: 'eth0' }), a.interface({ linkType: 0, name: 'lo0' }),
      a.packet({ ...p[0], interface: 0 }), a.packet({ ...p[1], interface: 1 }),
      b.header(), b.interface({ linkType: 113, name: 'any' }), b.packet({ ...p[2], interface: 0 }),
      a.header(), a.interface({ linkType: 101 }), a.interface({ linkType: 1, name: 'eth1' }),
      a.packet({ ...p[3], interface: 1 }), a.packet({ ...p[4], interface: 0 }),
    );
    const { frames, info } = readBytes(file);
    expect(info.warnings).toEqual([]);
    expect(info.interfaces.map((i) => [i.id, i.linkType, i.name])).toEqual([
      [0, 1, 'eth0'], [1, 0, 'lo0'], [2, 113, 'any'], [3, 101, undefined], [4, 1, 'eth1']]);
    expect(frames.map((f) => [f.index, f.interface, f.linkType])).toEqual([[1, 0, 1], [2, 1, 0], [3, 2, 113], [4, 4, 1], [5, 3, 101]]);
    expect(info.linkTypes).toEqual([1, 0, 113, 101]);
    expect(frames.map((f) => f.bytes)).toEqual(p.slice(0, 5).map((x) => x.bytes));
  });

  const RAW = [
    { hi: 0, lo: 0 }, { hi: 0, lo: 123456789 }, { hi: 0x0005f0d2, lo: 0x7a7bc3f1 }, { hi: 0x17979cfe, lo: 0x3d85cd15 },
    { hi: 0x65a0b0c0, lo: 0xfedcba98 }, { hi: 0xffffffff, lo: 0xffffffff },
  ];
  const RESOLUTIONS: [string, number, bigint][] = [
    ['10^-0', 0, 1n], ['10^-3', 3, 1000n], ['10^-6 (default)', 6, 1000000n], ['10^-9', 9, 1000000000n],
    ['2^-10', 0x80 | 10, 1n << 10n], ['2^-20', 0x80 | 20, 1n << 20n], ['2^-30', 0x80 | 30, 1n << 30n], ['2^-32', 0x80 | 32, 1n << 32n],
  ];
  for (const [label, tsresol, perSecond] of RESOLUTIONS) {
    it(`if_tsresol ${label}: exact seconds and nanoseconds for 64-bit counts`, () => {
      const w = new PcapngWriter();
      const file = concat(w.header(), w.interface({ tsresol }),
        ...RAW.map((rawTimestamp, i) => w.packet({ tsSec: 0, bytes: samplePackets(1)[0].bytes, rawTimestamp, interface: 0, originalLength: 60 + i })));
      const { frames, info } = readBytes(file);
      expect(info.interfaces[0].tsResolution).toBe(Number(perSecond));
      const expected = RAW.map(({ hi, lo }) => refTime(hi, lo, perSecond)).filter(([s]) => s <= Number.MAX_SAFE_INTEGER);
      expect(frames.slice(0, expected.length).map((f) => [f.tsSec, f.tsNsec])).toEqual(expected);
    });
  }

  it('if_tsoffset (signed seconds) is added to every timestamp', () => {
    const w = new PcapngWriter();
    const file = concat(w.header(),
      w.interface({ tsoffset: 1000000000 }), w.interface({ tsoffset: -10, tsresol: 9 }),
      w.packet({ tsSec: 0, bytes: new Uint8Array(4), interface: 0, rawTimestamp: { hi: 0, lo: 5500000 } }), // 5.5 s in µs
      w.packet({ tsSec: 0, bytes: new Uint8Array(4), interface: 1, rawTimestamp: { hi: 4, lo: 3525163520 } })); // 20.705032704 s in ns
    expect(readBytes(file).frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([[1000000005, 500000000], [10, 705032704]]);
    // The writer subtracts the offset, so absolute times round-trip.
    const w2 = new PcapngWriter();
    const rt = concat(w2.header(), w2.interface({ tsoffset: 1700000000 }), w2.packet({ tsSec: 1700000123, tsNsec: 456789000, bytes: new Uint8Array(1) }));
    expect(readBytes(rt).frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([[1700000123, 456789000]]);
  });

  it('Simple Packet Blocks use the section\'s first interface; captured = min(original, snaplen, block room)', () => {
    const w = new PcapngWriter();
    const file = concat(
      w.header(), w.interface({ linkType: 1, snaplen: 64 }), w.interface({ linkType: 0 }),
      w.simplePacket(new Uint8Array(64).fill(1), 100), // cut by the snaplen: 64 of 100
      w.simplePacket(new Uint8Array(10).fill(2)), // 10 bytes, 2 bytes of padding in the block
      w.header(), w.interface({ linkType: 113, snaplen: 0 }),
      w.simplePacket(new Uint8Array(30).fill(3), 1500), // no snaplen: only the block's room limits (30 + 2 pad)
    );
    const { frames, info } = readBytes(file);
    expect(info.warnings).toEqual([]);
    expect(frames.map((f) => [f.interface, f.linkType, f.bytes.length, f.originalLength, f.tsSec, f.tsNsec])).toEqual([
      [0, 1, 64, 100, 0, 0], [0, 1, 10, 10, 0, 0], [2, 113, 32, 1500, 0, 0]]);
    expect(frames[1].bytes.every((b) => b === 2)).toBe(true);
  });

  it('reads the obsolete Packet Block (type 2) with its comments', () => {
    const w = new PcapngWriter();
    const file = concat(w.header(), w.interface({ linkType: 1 }), w.interface({ linkType: 0, tsresol: 9 }),
      w.obsoletePacket({ tsSec: 1600000000, tsNsec: 5, bytes: new Uint8Array([1, 2, 3]), interface: 1, drops: 3, comments: ['old', 'style'] }));
    const { frames, info } = readBytes(file);
    expect(info.warnings).toEqual([]);
    expect(frames.map((f) => [f.interface, f.linkType, f.tsSec, f.tsNsec, Array.from(f.bytes), f.comments])).toEqual([
      [1, 0, 1600000000, 5, [1, 2, 3], ['old', 'style']]]);
  });

  it('keeps every opt_comment of an EPB, in UTF-8', () => {
    const w = new PcapngWriter({ bigEndian: true });
    const file = concat(w.header(), w.interface(),
      w.packet({ tsSec: 1, bytes: new Uint8Array(3), comments: ['first', 'zweite – ünïcødé 🚀'], flags: 1 }),
      w.packet({ tsSec: 2, bytes: new Uint8Array(3) }));
    expect(readBytes(file).frames.map((f) => f.comments)).toEqual([['first', 'zweite – ünïcødé 🚀'], undefined]);
  });

  it('parses Name Resolution Blocks', () => {
    const w = new PcapngWriter();
    const v6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const file = concat(w.header(), w.nameResolution([
      { address: Uint8Array.of(192, 0, 2, 1), names: ['www.example.com', 'example.com'] },
      { address: v6, names: ['v6.example.com'] },
    ]), w.interface(), w.packet(samplePackets(1)[0]));
    const { frames, info } = readBytes(file);
    expect(frames).toHaveLength(1);
    expect(info.names).toEqual([
      { address: '192.0.2.1', names: ['www.example.com', 'example.com'] },
      { address: '2001:db8::1', names: ['v6.example.com'] },
    ]);
  });

  it('parses Interface Statistics Blocks and keeps their values per interface', () => {
    const w = new PcapngWriter({ bigEndian: true });
    const file = concat(w.header(), w.interface(), w.interface({ tsresol: 9 }), w.packet(samplePackets(1)[0]),
      w.statistics(1, { tsSec: 1700000100, tsNsec: 987654321, start: { sec: 1700000000, nsec: 1 }, end: { sec: 1700000100, nsec: 2 },
        ifRecv: 1000, ifDrop: 2, filterAccept: 900, osDrop: 3, usrDeliv: 897, comment: 'counters' }),
      w.statistics(0, { tsSec: 1700000101, ifRecv: 2 ** 40 + 5 }));
    const { info } = readBytes(file);
    expect(info.statistics).toEqual([
      { interface: 1, tsSec: 1700000100, tsNsec: 987654321, startSec: 1700000000, startNsec: 1, endSec: 1700000100, endNsec: 2,
        ifRecv: 1000, ifDrop: 2, filterAccept: 900, osDrop: 3, usrDeliv: 897, comments: ['counters'] },
      { interface: 0, tsSec: 1700000101, tsNsec: 0, ifRecv: 2 ** 40 + 5 },
    ]);
  });

  it('keeps Decryption Secrets with the number of the frame that follows them', () => {
    const w = new PcapngWriter();
    const keylog = 'CLIENT_RANDOM 0011 aabb\nSERVER_HANDSHAKE_TRAFFIC_SECRET 22 33\n';
    const p = samplePackets(3);
    const file = concat(w.header(), w.secrets(keylog), w.interface(), w.packet(p[0]), w.packet(p[1]),
      w.secrets('CLIENT_TRAFFIC_SECRET_0 44 55\n'), w.packet(p[2]));
    const { frames, info } = readBytes(file);
    expect(frames).toHaveLength(3);
    expect(info.secrets).toEqual([
      { type: 0x544c534b, text: keylog, beforeFrame: 1 },
      { type: 0x544c534b, text: 'CLIENT_TRAFFIC_SECRET_0 44 55\n', beforeFrame: 3 },
    ]);
  });

  it('numbers custom blocks as frames (like tshark) and skips unknown block types by their length', () => {
    // More on these records, checked against tshark, in pcapng-records.test.ts.
    const w = new PcapngWriter();
    const p = samplePackets(3);
    const file = concat(w.header(), w.custom(32473, Uint8Array.of(1, 2, 3, 4, 5)), w.interface(), w.packet(p[0]),
      w.custom(32473, new Uint8Array(17), false), w.block(0x12345678, new Uint8Array(40).fill(6)), w.packet(p[1]),
      w.block(0x80000001, Uint8Array.of(9)), w.block(0x208, new Uint8Array(40)), w.packet(p[2]));
    const { frames, info } = readBytes(file);
    expect(info.warnings).toEqual([]);
    expect(frames.map((f) => [f.index, f.record])).toEqual([[1, 'custom'], [2, undefined], [3, 'custom'], [4, undefined],
      [5, undefined]]);
    expect(frames.filter((f) => f.record === undefined).map((f) => f.bytes)).toEqual(p.map((x) => x.bytes));
    expect(info.frames).toBe(5);
  });
});

describe('pcapng, damaged files', () => {
  const w = new PcapngWriter();
  const p = samplePackets(6);
  const head = concat(w.header(), w.interface());
  const epbs = p.map((x) => w.packet(x));
  const offsetOf = (k: number) => head.length + epbs.slice(0, k).reduce((n, b) => n + b.length, 0);
  const setU32 = (b: Uint8Array, at: number, v: number) => { const c = b.slice(); new DataView(c.buffer).setUint32(at, v, true); return c; };
  const build = (k: number, bad: Uint8Array) => concat(head, ...epbs.slice(0, k), bad, ...epbs.slice(k + 1));

  const cases: [string, Uint8Array, RegExp][] = [
    ['a block length that is not a multiple of 4', setU32(epbs[2], 4, epbs[2].length + 1), /not a multiple of 4/],
    ['a block length smaller than 12', setU32(epbs[2], 4, 8), /smaller than 12/],
    ['a trailing length that differs', setU32(epbs[2], epbs[2].length - 4, 0x1000), /differs from its trailing copy 4096/],
    ['a length longer than the rest of the file', setU32(epbs[2], 4, 0x100000), /runs past the end of the file/],
    ['a length beyond any block size', setU32(epbs[2], 4, 0x7ffffff0), /too large/],
  ];
  for (const [label, bad, reason] of cases) {
    it(`${label}: warning names file, frame and offset; the reader resynchronises and keeps every good frame`, () => {
      for (const chunk of [1 << 30, 4096, 7]) {
        const { frames, info } = readBytes(build(2, bad), chunk, 'damaged.pcapng');
        expect(frames.map((f) => f.bytes)).toEqual([p[0], p[1], p[3], p[4], p[5]].map((x) => x.bytes));
        expect(frames.map((f) => f.index)).toEqual([1, 2, 3, 4, 5]);
        expect(info.warnings).toHaveLength(2);
        const [damage, resumed] = info.warnings;
        expect(damage).toMatchObject({ frame: 3, offset: offsetOf(2) });
        expect(damage.message).toMatch(reason);
        expect(damage.message).toContain(`damaged.pcapng: damaged pcapng block at byte offset ${offsetOf(2)} (before frame 3)`);
        expect(resumed).toMatchObject({ frame: 3, offset: offsetOf(3) });
        expect(resumed.message).toContain(`byte offset ${offsetOf(3)}`);
        expect(resumed.message).toContain(`${epbs[2].length} bytes skipped`);
      }
    });
  }

  it('garbage bytes between blocks (breaking 4-byte alignment) are skipped', () => {
    const file = concat(head, epbs[0], Uint8Array.of(1, 2, 3, 4, 5, 6, 7), epbs[1], epbs[2]);
    const { frames, info } = readBytes(file, 5);
    expect(frames.map((f) => f.bytes)).toEqual([p[0].bytes, p[1].bytes, p[2].bytes]);
    expect(info.warnings.map((x) => x.offset)).toEqual([offsetOf(1), offsetOf(1) + 7]);
  });

  it('a long run of garbage is scanned through in any chunking, keeping memory bounded', () => {
    const junk = new Uint8Array(300001);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    const file = concat(head, epbs[0], epbs[1], junk, epbs[2], epbs[3]);
    const expected = readBytes(file);
    expect(expected.frames.map((f) => f.bytes)).toEqual(p.slice(0, 4).map((x) => x.bytes));
    expect(expected.info.warnings.map((x) => x.offset)).toEqual([offsetOf(2), offsetOf(2) + junk.length]);
    for (const chunk of [65536, 1000, 13]) {
      const r = readBytes(file, chunk);
      expect(r.frames.map(frameSummary)).toEqual(expected.frames.map(frameSummary));
      expect(r.info).toEqual(expected.info);
    }
    const reader = new CaptureReader('garbage');
    let most = 0;
    for (let at = 0; at < file.length; at += 4096) {
      reader.push(file.subarray(at, at + 4096));
      most = Math.max(most, reader.bufferedBytes);
    }
    expect(most).toBeLessThan(70000);
  });

  it('damage with no valid block after it: the rest is skipped with a warning', () => {
    const file = concat(head, epbs[0], epbs[1], setU32(epbs[2], epbs[2].length - 4, 3).subarray(0, 50), new Uint8Array(37).fill(0xab));
    const { frames, info } = readBytes(file, 16, 'tail.pcapng');
    expect(frames).toHaveLength(2);
    expect(info.warnings.length).toBeGreaterThanOrEqual(1);
    for (const x of info.warnings) expect(x.message).toMatch(/^tail\.pcapng: .*frame 3.*byte offset \d+|^tail\.pcapng: .*byte offset \d+.*frame 3/);
  });

  it('an EPB naming an interface the section does not have is skipped with a warning', () => {
    const bad = w.packet({ ...p[2], interface: 7 });
    const { frames, info } = readBytes(build(2, bad), undefined, 'ifid.pcapng');
    expect(frames).toHaveLength(5);
    expect(info.warnings).toHaveLength(1);
    expect(info.warnings[0]).toMatchObject({ frame: 3, offset: offsetOf(2) });
    expect(info.warnings[0].message).toContain('ifid.pcapng: the packet block at byte offset');
    expect(info.warnings[0].message).toContain('interface 7');
  });

  it('an EPB whose captured length exceeds its block is skipped with a warning', () => {
    const bad = setU32(epbs[2], 20, 5000);
    const { frames, info } = readBytes(build(2, bad));
    expect(frames).toHaveLength(5);
    expect(info.warnings[0].message).toMatch(/frame 3\).*claims 5000 captured bytes/);
  });

  it('a file ending in the middle of an EPB keeps the whole frames and names frame and offset', () => {
    const file = concat(head, epbs[0], epbs[1], epbs[2].subarray(0, 40));
    for (const chunk of [1 << 30, 3]) {
      const { frames, info } = readBytes(file, chunk, 'cut.pcapng');
      expect(frames).toHaveLength(2);
      expect(info.warnings).toHaveLength(1);
      expect(info.warnings[0]).toMatchObject({ frame: 3, offset: offsetOf(2) });
      expect(info.warnings[0].message).toContain(`cut.pcapng: the file ends in the middle of frame 3 at byte offset ${offsetOf(2)}`);
    }
  });

  it('a file ending in the middle of another block says which', () => {
    const isb = w.statistics(0, { tsSec: 1, ifRecv: 1 });
    const file = concat(head, epbs[0], isb.subarray(0, 20));
    const { info } = readBytes(file);
    expect(info.warnings[0].message).toContain(`ends in the middle of an Interface Statistics block at byte offset ${offsetOf(1)}`);
  });

  it('a section header without a valid byte-order magic, or cut short, is fatal', () => {
    const bad = head.slice();
    bad[8] = 0x99;
    expect(readBytes(bad, undefined, 'bom.pcapng').info.fatal).toMatch(/^bom\.pcapng: not a readable pcapng file: .*byte-order magic/);
    expect(readBytes(head.subarray(0, 20), undefined, 'shb.pcapng').info.fatal).toMatch(/^shb\.pcapng: .*ends inside the Section Header Block/);
  });
});
