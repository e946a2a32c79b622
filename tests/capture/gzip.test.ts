// gzip-compressed captures: detected by magic, either format inside, multi-member, truncated and corrupt streams.
// The compressed fixtures come from Node's zlib (an implementation independent of the fflate the reader uses).
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writePcap } from '../../capture/pcap-writer';
import { PcapngWriter } from '../../capture/pcapng-writer';
import { concat, frameSummary, readBytes, samplePackets } from './fixtures';

const packets = samplePackets(40);
const pcapFile = writePcap(packets, { nanosecond: true, bigEndian: true });
const w = new PcapngWriter();
const pcapngFile = concat(w.header(), w.interface({ tsresol: 9, name: 'eth0' }), w.secrets('CLIENT_RANDOM aa bb\n'),
  ...packets.map((p, i) => w.packet({ ...p, comments: i % 7 === 0 ? [`c${i}`] : undefined })));

describe('gzip-compressed captures', () => {
  for (const [format, plain] of [['pcap', pcapFile], ['pcapng', pcapngFile]] as const) {
    it(`${format} inside gzip (any file name) reads exactly like the plain file`, () => {
      const gz = new Uint8Array(gzipSync(plain));
      const expected = readBytes(plain);
      for (const chunk of [1 << 30, 4096, 7, 1]) {
        const { frames, info } = readBytes(gz, chunk, 'capture.bin');
        expect(info.compressed).toBe(true);
        expect(info.format).toBe(format);
        expect(info.warnings).toEqual([]);
        expect(info.secrets).toEqual(expected.info.secrets);
        expect(frames.map(frameSummary)).toEqual(expected.frames.map(frameSummary));
      }
    });

    it(`${format}: multi-member gzip (members split mid-record) is one stream`, () => {
      const cuts = [0, 100, 1234, 5000, plain.length];
      const members = cuts.slice(1).map((end, i) => new Uint8Array(gzipSync(plain.subarray(cuts[i], end))));
      const { frames, info } = readBytes(concat(...members), 333);
      expect(info.warnings).toEqual([]);
      expect(frames.map(frameSummary)).toEqual(readBytes(plain).frames.map(frameSummary));
    });

    it(`${format}: a truncated gzip file gives a warning and keeps the frames decoded before the cut`, () => {
      const gz = new Uint8Array(gzipSync(plain, { level: 1 }));
      const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
      const all = readBytes(plain).frames;
      for (const chunk of [1 << 30, 1000]) {
        const { frames, info } = readBytes(cut, chunk, 'cut.pcap.gz');
        expect(frames.length).toBeGreaterThan(5);
        expect(frames.length).toBeLessThan(all.length);
        expect(frames.map(frameSummary)).toEqual(all.slice(0, frames.length).map(frameSummary));
        expect(info.fatal).toBeNull();
        const n = frames.length;
        const gzipWarning = info.warnings.find((x) => x.message.includes('truncated gzip'));
        expect(gzipWarning, JSON.stringify(info.warnings)).toBeDefined();
        expect(gzipWarning!.frame).toBe(n + 1);
        expect(gzipWarning!.message).toMatch(new RegExp(`^cut\\.pcap\\.gz: .*byte offset \\d+ of the decompressed data.*frame ${n + 1}`));
        // The record the cut went through is reported too, at its offset in the decompressed stream.
        const mid = info.warnings.find((x) => x.message.includes('ends in the middle'));
        if (mid) expect(mid.message).toContain(`frame ${n + 1} at byte offset ${all[n].fileOffset} of the decompressed data`);
      }
    });
  }

  it('corrupt deflate data: warning, frames before it kept', () => {
    const all = readBytes(pcapFile).frames;
    const cutAt = all[10].fileOffset;
    const good = new Uint8Array(gzipSync(pcapFile.subarray(0, cutAt)));
    const bad = new Uint8Array(gzipSync(pcapFile.subarray(cutAt)));
    bad[10] |= 0x06; // first deflate block header of the second member: BTYPE 11, which does not exist
    const { frames, info } = readBytes(concat(good, bad), 512, 'corrupt.pcap.gz');
    expect(frames.map(frameSummary)).toEqual(all.slice(0, 10).map(frameSummary));
    expect(info.warnings).toHaveLength(1);
    expect(info.warnings[0]).toMatchObject({ frame: 11, offset: cutAt });
    expect(info.warnings[0].message).toMatch(/^corrupt\.pcap\.gz: corrupt gzip data \(invalid block type\) at byte offset \d+ of the decompressed data.*frame 11/);
  });

  it('a gzip file cut inside its trailer is reported as truncated (every frame was decoded)', () => {
    const gz = new Uint8Array(gzipSync(pcapFile));
    const { frames, info } = readBytes(gz.subarray(0, gz.length - 3), 100);
    expect(frames).toHaveLength(packets.length);
    expect(info.warnings.map((x) => x.message)).toEqual([expect.stringContaining('truncated gzip file')]);
  });

  it('bytes after the last member are reported, every frame is kept', () => {
    const gz = concat(new Uint8Array(gzipSync(pcapFile)), new Uint8Array(16));
    const { frames, info } = readBytes(gz);
    expect(frames).toHaveLength(packets.length);
    expect(info.warnings).toHaveLength(1);
    expect(info.warnings[0].message).toContain('not gzip data');
  });

  it('gzip around something that is not a capture is fatal and says so', () => {
    const gz = new Uint8Array(gzipSync(new TextEncoder().encode('hello, this is text\n')));
    const { frames, info } = readBytes(gz, undefined, 'notes.txt.gz');
    expect(frames).toEqual([]);
    expect(info.compressed).toBe(true);
    expect(info.fatal).toBe('notes.txt.gz: the gzip-compressed data is not a capture file (pcap or pcapng): it starts with bytes 68 65 6c 6c ("hell")');
  });
});
