// The sniffing reader: format detection, non-captures, chunk-boundary independence, bounded buffering, batch views.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CaptureReader } from '../../capture/reader';
import { PcapWriter, writePcap } from '../../capture/pcap-writer';
import { PcapngWriter } from '../../capture/pcapng-writer';
import { concat, frameSummary, readBytes, samplePackets } from './fixtures';

const packets = samplePackets(30);

function pcapngMultiSection(): Uint8Array {
  const a = new PcapngWriter();
  const b = new PcapngWriter({ bigEndian: true });
  return concat(
    a.header({ application: 'test' }), a.interface({ linkType: 1, tsresol: 9 }), a.secrets('CLIENT_RANDOM 01 02\n'),
    ...packets.slice(0, 10).map((p, i) => a.packet({ ...p, comments: i === 3 ? ['three'] : undefined })),
    a.statistics(0, { tsSec: 1700001000, ifRecv: 10 }),
    b.header(), b.interface({ linkType: 113, tsresol: 0x80 | 20 }), b.interface({ linkType: 0 }),
    ...packets.slice(10, 20).map((p, i) => b.packet({ ...p, interface: i % 2 })),
    b.simplePacket(packets[20].bytes), b.obsoletePacket({ ...packets[21], interface: 1 }),
    b.nameResolution([{ address: Uint8Array.of(10, 0, 0, 1), names: ['a'] }]), b.custom(1, new Uint8Array(9)),
    ...packets.slice(22).map((p) => b.packet(p)),
  );
}

function damagedPcapng(): Uint8Array {
  const w = new PcapngWriter();
  const blocks = packets.slice(0, 12).map((p) => w.packet(p));
  const bad = blocks[5].slice();
  new DataView(bad.buffer).setUint32(bad.length - 4, 12345, true);
  blocks[5] = bad;
  return concat(w.header(), w.interface(), ...blocks, Uint8Array.of(9, 9, 9), w.packet(packets[12]), w.packet(packets[13]).subarray(0, 30));
}

const FIXTURES: [string, () => Uint8Array][] = [
  ['pcap µs LE', () => writePcap(packets)],
  ['pcap ns BE', () => writePcap(packets, { nanosecond: true, bigEndian: true })],
  ['pcap cut mid-record', () => writePcap(packets).subarray(0, 20000)],
  ['pcapng multi-section', pcapngMultiSection],
  ['pcapng damaged and cut', damagedPcapng],
  ['gzip pcap', () => new Uint8Array(gzipSync(writePcap(packets)))],
  ['gzip pcapng', () => new Uint8Array(gzipSync(pcapngMultiSection()))],
];

describe('CaptureReader: chunk-boundary independence', () => {
  for (const [label, make] of FIXTURES) {
    it(`${label}: identical frames, info and warnings in 1-, 7- and 4096-byte chunks as in one piece`, () => {
      const bytes = make();
      const whole = readBytes(bytes);
      expect(whole.frames.length).toBeGreaterThan(5);
      for (const chunk of [1, 7, 4096]) {
        const r = readBytes(bytes, chunk);
        expect(r.frames.map(frameSummary), `chunk ${chunk}`).toEqual(whole.frames.map(frameSummary));
        expect(r.info, `chunk ${chunk}`).toEqual(whole.info);
      }
    });
  }

  it('the multi-section fixture has what it is meant to have', () => {
    const { frames, info } = readBytes(pcapngMultiSection());
    expect(info.warnings).toEqual([]);
    expect(frames).toHaveLength(31); // 30 packets and the custom block, numbered 23 as tshark numbers it
    expect(frames.filter((f) => f.record !== undefined).map((f) => [f.index, f.record])).toEqual([[23, 'custom']]);
    expect(info.linkTypes).toEqual([1, 113, 0]);
    expect(info.secrets).toHaveLength(1);
    expect(info.statistics).toHaveLength(1);
    expect(info.names).toEqual([{ address: '10.0.0.1', names: ['a'] }]);
    expect(frames[3].comments).toEqual(['three']);
    expect(frames.map((f) => f.interface)).toEqual([...Array(10).fill(0), 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, -1, ...Array(8).fill(1)]);
  });
});

describe('CaptureReader: what the input is', () => {
  it('rejects a non-capture with a message naming the file and its first bytes', () => {
    const { frames, info } = readBytes(new TextEncoder().encode('<!DOCTYPE html><html>'), 3, 'page.pcap');
    expect(frames).toEqual([]);
    expect(info.format).toBeNull();
    expect(info.fatal).toBe('page.pcap: the file is not a capture file (pcap or pcapng): it starts with bytes 3c 21 44 4f ("<!DO")');
  });

  it('rejects empty and tiny files', () => {
    expect(readBytes(new Uint8Array(0), undefined, 'empty.pcap').info.fatal).toBe('empty.pcap: the file is empty (0 bytes): not a capture file');
    expect(readBytes(Uint8Array.of(0xd4), undefined, 'one.pcap').info.fatal).toMatch(/^one\.pcap: .*1 byte/);
    expect(readBytes(Uint8Array.of(0xd4, 0xc3, 0xb2), undefined, 'three.pcap').info.fatal).toMatch(/^three\.pcap: .*only 3 bytes/);
  });

  it('ignores further input after a fatal problem', () => {
    const r = new CaptureReader('x');
    expect(r.push(new TextEncoder().encode('not a capture at all'))).toEqual([]);
    expect(r.push(writePcap(packets))).toEqual([]);
    expect(r.end()).toEqual([]);
    expect(r.info.frames).toBe(0);
  });

  it('lists link types in order of first appearance', () => {
    const w = new PcapngWriter();
    const file = concat(w.header(), w.interface({ linkType: 113 }), w.interface({ linkType: 1 }), w.interface({ linkType: 228 }),
      ...[1, 1, 0, 2, 1, 0].map((i, k) => w.packet({ ...packets[k], interface: i })));
    expect(readBytes(file).info.linkTypes).toEqual([1, 113, 228]);
  });
});

describe('CaptureReader: memory and batches', () => {
  it('buffers at most the one unfinished record between chunks', () => {
    const big = samplePackets(200).map((p, i) => ({ ...p, bytes: new Uint8Array(i % 3 === 0 ? 9000 : 700).fill(i) }));
    for (const file of [writePcap(big), (() => { const w = new PcapngWriter(); return concat(w.header(), w.interface(), ...big.map((p) => w.packet(p))); })()]) {
      const reader = new CaptureReader('mem');
      let maxBuffered = 0;
      let n = 0;
      for (let at = 0; at < file.length; at += 5000) {
        n += reader.push(file.subarray(at, at + 5000)).length;
        maxBuffered = Math.max(maxBuffered, reader.bufferedBytes);
      }
      n += reader.end().length;
      expect(n).toBe(200);
      expect(maxBuffered).toBeLessThan(9000 + 32 + 4);
    }
  });

  it('frames of a batch are views into the pushed chunk (no copy) when the record lies inside it', () => {
    const file = writePcap(packets.slice(0, 3));
    const reader = new CaptureReader('views');
    const frames = reader.push(file);
    expect(frames).toHaveLength(3);
    for (const f of frames) expect(f.bytes.buffer).toBe(file.buffer);
    expect(frames[1].bytes.byteOffset).toBe(24 + 16 + packets[0].bytes.length + 16);
  });

  it('a record split across chunks is delivered whole with the chunk that completes it', () => {
    const file = writePcap(packets.slice(0, 2));
    const split = 24 + 16 + 10; // inside frame 1's bytes
    const reader = new CaptureReader('split');
    expect(reader.push(file.subarray(0, split))).toEqual([]);
    const second = reader.push(file.subarray(split));
    expect(second.map((f) => [f.index, f.fileOffset])).toEqual([[1, 24], [2, 24 + 16 + packets[0].bytes.length]]);
    expect(second[0].bytes).toEqual(packets[0].bytes);
  });

  it('classic pcap writer header and records concatenate into a file the reader reads back', () => {
    const w = new PcapWriter({ linkType: 228, snaplen: 1000 });
    const { frames, info } = readBytes(concat(w.header(), w.packet({ tsSec: 5, tsNsec: 999999999, bytes: Uint8Array.of(0x45) })));
    expect(info.interfaces).toEqual([{ id: 0, linkType: 228, snaplen: 1000, tsResolution: 1e6 }]);
    expect(frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([[5, 999999000]]);
  });
});
