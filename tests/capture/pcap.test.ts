// Classic pcap: hand-written files (annotated with what tshark 4.0.17 shows for them), writer-built variants, damage.
import { describe, expect, it } from 'vitest';
import { PcapWriter, writePcap } from '../../capture/pcap-writer';
import { concat, frameSummary, hex, readBytes, samplePackets } from './fixtures';

describe('classic pcap, hand-written bytes', () => {
  it('reads a little-endian microsecond file', () => {
    const file = hex(`
      d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000   # magic (LE, µs), v2.4, zone, sigfigs, snaplen 65535, LINKTYPE_ETHERNET
      c0b0a065 40e20100 04000000 3c000000 deadbeef             # ts 0x65a0b0c0 s + 123456 µs, incl 4, orig 60
    `);
    // tshark: frame.time_epoch 1705029824.123456000, frame.len 60, frame.cap_len 4, encap 1 (eth)
    const { frames, info } = readBytes(file, undefined, 'le_us.pcap');
    expect(info.fatal).toBeNull();
    expect(info.format).toBe('pcap');
    expect(info.compressed).toBe(false);
    expect(info.interfaces).toEqual([{ id: 0, linkType: 1, snaplen: 65535, tsResolution: 1e6 }]);
    expect(info.linkTypes).toEqual([1]);
    expect(info.warnings).toEqual([]);
    expect(frames.map(frameSummary)).toEqual([{
      index: 1, tsSec: 1705029824, tsNsec: 123456000, linkType: 1, originalLength: 60, interface: 0, fileOffset: 24,
      comments: undefined, bytes: '222,173,190,239',
    }]);
    expect(frames[0].timestamp).toBeCloseTo(1705029824.123456, 6);
  });

  it('reads a big-endian nanosecond file with a raw-IP link type', () => {
    const file = hex(`
      a1b23c4d 0002 0004 00000000 00000000 00000100 00000065   # magic (BE, ns), snaplen 256, LINKTYPE_RAW (101)
      65a0b0c0 3b9ac9ff 00000002 00000002 4500                 # 999999999 ns
    `);
    // tshark: frame.time_epoch 1705029824.999999999 (the double 1705029824.999999999 would print ...825.000000000)
    const { frames, info } = readBytes(file);
    expect(info.interfaces[0]).toMatchObject({ linkType: 101, snaplen: 256, tsResolution: 1e9 });
    expect(frames.map((f) => [f.tsSec, f.tsNsec, f.linkType, f.bytes.length])).toEqual([[1705029824, 999999999, 101, 2]]);
  });

  it('masks the FCS-length bits off the link type field and reports the FCS length', () => {
    const file = hex(`
      d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000024   # link field 0x24000001: P bit, FCS 2 words, Ethernet
      c0b0a065 40e20100 04000000 3c000000 deadbeef
    `);
    // tshark: encap 1 (eth) for the frame, same as without the bits
    const { frames, info } = readBytes(file);
    expect(frames[0].linkType).toBe(1);
    expect(info.interfaces[0].fcsLength).toBe(4);
    expect(info.linkTypes).toEqual([1]);
  });

  it("reads Kuznetsov's modified pcap (magic a1b2cd34, 24-byte record headers)", () => {
    const file = hex(`
      34cdb2a1 0200 0400 00000000 00000000 ffff0000 01000000
      c0b0a065 40e20100 04000000 3c000000 01000000 0008 00 00 deadbeef   # + ifindex, protocol, pkt_type, pad
    `);
    // tshark: 1705029824.123456000, len 60, cap_len 4
    const { frames, info } = readBytes(file);
    expect(info.warnings).toEqual([]);
    expect(frames.map((f) => [f.tsNsec, f.originalLength, Array.from(f.bytes)])).toEqual([[123456000, 60, [0xde, 0xad, 0xbe, 0xef]]]);
  });
});

describe('classic pcap, writer-built variants', () => {
  const packets = samplePackets();
  for (const nanosecond of [false, true]) {
    for (const bigEndian of [false, true]) {
      it(`${nanosecond ? 'ns' : 'µs'} ${bigEndian ? 'big' : 'little'}-endian: every frame, timestamp, length and byte`, () => {
        const file = writePcap(packets, { nanosecond, bigEndian, linkType: 113, snaplen: 65535 });
        const { frames, info } = readBytes(file);
        expect(info.warnings).toEqual([]);
        expect(info.interfaces[0]).toMatchObject({ linkType: 113, tsResolution: nanosecond ? 1e9 : 1e6 });
        expect(frames).toHaveLength(packets.length);
        let offset = 24;
        frames.forEach((f, i) => {
          const p = packets[i];
          expect(f.index).toBe(i + 1);
          expect(f.tsSec).toBe(p.tsSec);
          // A microsecond file keeps the first six digits of the nanoseconds.
          expect(f.tsNsec).toBe(nanosecond ? p.tsNsec : Math.floor(p.tsNsec! / 1000) * 1000);
          expect(f.bytes).toEqual(p.bytes);
          expect(f.originalLength).toBe(p.bytes.length);
          expect(f.linkType).toBe(113);
          expect(f.fileOffset).toBe(offset);
          offset += 16 + p.bytes.length;
        });
      });
    }
  }

  it('keeps snaplen-truncated records (captured < original length)', () => {
    const file = writePcap([
      { tsSec: 1, bytes: new Uint8Array(96).fill(1), originalLength: 1514 },
      { tsSec: 2, bytes: new Uint8Array(40).fill(2) },
    ], { snaplen: 96 });
    const { frames, info } = readBytes(file);
    expect(info.warnings).toEqual([]);
    expect(frames.map((f) => [f.bytes.length, f.originalLength])).toEqual([[96, 1514], [40, 40]]);
  });

  it('keeps any link type, including ones nobody decodes (LINKTYPE_USER13 = 160)', () => {
    const { frames, info } = readBytes(writePcap(samplePackets(2), { linkType: 160 }));
    expect(frames.map((f) => f.linkType)).toEqual([160, 160]);
    expect(info.linkTypes).toEqual([160]);
  });

  it('normalises a microsecond field of 1000000 or more into the seconds', () => {
    const file = hex(`d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
      0a000000 40420f00 01000000 01000000 aa   # 10 s + 1000000 µs`);
    expect(readBytes(file).frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([[11, 0]]);
  });
});

describe('classic pcap, damaged files', () => {
  const packets = samplePackets(5);
  const writer = new PcapWriter();
  const records = packets.map((p) => writer.packet(p));
  const header = writer.header();
  const offsets = records.reduce<number[]>((acc, r, i) => [...acc, (acc[i - 1] ?? 24) + (i ? records[i - 1].length : 0)], []);

  it('a record header claiming an absurd length: warning naming file, frame and offset, frames before it kept, reading stops', () => {
    const bad = records[2].slice();
    new DataView(bad.buffer).setUint32(8, 0xfffffff0, true); // incl_len
    const file = concat(header, records[0], records[1], bad, records[3], records[4]);
    const { frames, info } = readBytes(file, undefined, 'absurd.pcap');
    expect(frames.map((f) => f.index)).toEqual([1, 2]);
    expect(frames[1].bytes).toEqual(packets[1].bytes);
    expect(info.fatal).toBeNull();
    expect(info.warnings).toHaveLength(1);
    const w = info.warnings[0];
    expect(w).toMatchObject({ frame: 3, offset: offsets[2] });
    expect(w.message).toContain('absurd.pcap');
    expect(w.message).toContain('frame 3');
    expect(w.message).toContain(`byte offset ${offsets[2]}`);
    expect(w.message).toContain('4294967280');
  });

  it('an incl_len above 256 KiB and the snaplen is absurd too; one above 256 KiB but within a large snaplen is not', () => {
    const big = new Uint8Array(300000).fill(7);
    const overSnap = concat(new PcapWriter({ snaplen: 65535 }).header(), writer.packet({ tsSec: 1, bytes: big }));
    expect(readBytes(overSnap).info.warnings[0].message).toContain('frame 1');
    const withinSnap = concat(new PcapWriter({ snaplen: 524288 }).header(), writer.packet({ tsSec: 1, bytes: big }));
    const r = readBytes(withinSnap, 4096);
    expect(r.info.warnings).toEqual([]);
    expect(r.frames[0].bytes.length).toBe(big.length);
    expect(r.frames[0].bytes.every((b) => b === 7)).toBe(true);
  });

  it('a file ending in the middle of a record body: whole frames kept, warning names file, frame and offset', () => {
    const file = concat(header, records[0], records[1], records[2].subarray(0, 30));
    const { frames, info } = readBytes(file, 7, 'cut.pcap');
    expect(frames.map((f) => f.index)).toEqual([1, 2]);
    expect(info.warnings).toHaveLength(1);
    expect(info.warnings[0]).toMatchObject({ frame: 3, offset: offsets[2] });
    expect(info.warnings[0].message).toContain(`cut.pcap: the file ends in the middle of frame 3 at byte offset ${offsets[2]}`);
  });

  it('a file ending inside a record header: same message', () => {
    const file = concat(header, records[0], records[1].subarray(0, 9));
    const { frames, info } = readBytes(file);
    expect(frames).toHaveLength(1);
    expect(info.warnings[0].message).toContain(`ends in the middle of frame 2 at byte offset ${offsets[1]}`);
  });

  it('a header-only file has no frames and no warnings; a cut header is fatal', () => {
    expect(readBytes(header)).toMatchObject({ frames: [], info: { warnings: [], fatal: null, format: 'pcap' } });
    const cut = readBytes(header.subarray(0, 20), undefined, 'short.pcap');
    expect(cut.info.fatal).toMatch(/^short\.pcap: .*file header is cut short \(20 of 24 bytes\)/);
  });
});
