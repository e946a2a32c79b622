// Reading capture files from disk through one reused buffer, sync and async, with progress and abort.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { RawFrame } from '../../capture/frame';
import { readCaptureFile, readCaptureFileSync } from '../../capture/node-file-source';
import { PcapngWriter } from '../../capture/pcapng-writer';
import { writePcap } from '../../capture/pcap-writer';
import { concat, frameSummary, readBytes, samplePackets } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'packetflow-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const packets = samplePackets(300);
const pcapBytes = writePcap(packets, { nanosecond: true });
const w = new PcapngWriter();
const pcapngBytes = concat(w.header(), w.interface({ tsresol: 9 }), w.secrets('CLIENT_RANDOM 1 2\n'), ...packets.map((p) => w.packet(p)));
const files = {
  pcap: join(dir, 'a.pcap'),
  pcapng: join(dir, 'b.pcapng'),
  gz: join(dir, 'c.cap'),
};
writeFileSync(files.pcap, pcapBytes);
writeFileSync(files.pcapng, pcapngBytes);
writeFileSync(files.gz, gzipSync(pcapngBytes));

const copy = (out: RawFrame[]) => (frames: RawFrame[]) => { for (const f of frames) out.push({ ...f, bytes: f.bytes.slice() }); };

describe('readCaptureFileSync / readCaptureFile', () => {
  for (const [label, path, bytes] of [['pcap', files.pcap, pcapBytes], ['pcapng', files.pcapng, pcapngBytes], ['gzip', files.gz, pcapngBytes]] as const) {
    it(`${label}: sync and async reads give the frames and info of the in-memory reader`, async () => {
      const expected = readBytes(bytes, undefined, label === 'gzip' ? 'c.cap' : path.split('/').pop());
      for (const chunkSize of [undefined, 1000]) {
        const a: RawFrame[] = [];
        const infoA = readCaptureFileSync(path, copy(a), { chunkSize });
        const b: RawFrame[] = [];
        const infoB = await readCaptureFile(path, copy(b), { chunkSize });
        expect(a.map(frameSummary)).toEqual(expected.frames.map(frameSummary));
        expect(b.map(frameSummary)).toEqual(expected.frames.map(frameSummary));
        expect({ ...infoA }).toEqual({ ...expected.info, compressed: label === 'gzip' });
        expect(infoB).toEqual(infoA);
      }
    });
  }

  it('reads through ONE reused buffer: frames kept past their batch without copying see later data', () => {
    const kept: RawFrame[] = [];
    const batchesOf = new Map<ArrayBufferLike, Set<number>>();
    let batches = 0;
    readCaptureFileSync(files.pcap, (frames) => {
      batches++;
      for (const f of frames) {
        kept.push(f);
        if (!batchesOf.has(f.bytes.buffer)) batchesOf.set(f.bytes.buffer, new Set());
        batchesOf.get(f.bytes.buffer)!.add(batches);
      }
    }, { chunkSize: 4096 });
    expect(batches).toBeGreaterThan(10);
    // Frames of many different batches view the same memory: the read buffer (records cut by a chunk edge are copies).
    expect(Math.max(...[...batchesOf.values()].map((s) => s.size))).toBeGreaterThan(batches / 2);
    const stale = kept.filter((f, i) => !f.bytes.every((v, k) => v === packets[i].bytes[k]));
    expect(stale.length).toBeGreaterThan(0);
  });

  it('hands the live info object to onInfo before the first batch and to every batch', () => {
    let early: unknown = null;
    const seen: number[] = [];
    const info = readCaptureFileSync(files.pcapng, (frames, live) => { seen.push(live.secrets.length); expect(live.frames).toBe(frames[frames.length - 1].index); },
      { onInfo: (i) => { early = i; }, chunkSize: 2048 });
    expect(early).toBe(info);
    expect(seen.every((n) => n === 1)).toBe(true);
  });

  it('reports progress up to the file size', async () => {
    const progress: [number, number][] = [];
    await readCaptureFile(files.pcap, () => {}, { chunkSize: 8192, onProgress: (done, total) => progress.push([done, total]) });
    expect(progress.length).toBe(Math.ceil(pcapBytes.length / 8192));
    expect(progress.every(([, t]) => t === pcapBytes.length)).toBe(true);
    expect(progress.map(([d]) => d)).toEqual([...progress.map(([d]) => d)].sort((x, y) => x - y));
    expect(progress[progress.length - 1][0]).toBe(pcapBytes.length);
  });

  it('an abort signal stops the read and rejects with an AbortError', async () => {
    const ac = new AbortController();
    let frames = 0;
    await expect(readCaptureFile(files.pcap, (f) => { frames += f.length; }, {
      chunkSize: 4096, onProgress: (done) => { if (done > 20000) ac.abort(); }, signal: ac.signal,
    })).rejects.toMatchObject({ name: 'AbortError' });
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThan(packets.length);
    await expect(readCaptureFile(files.pcap, () => {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a missing file or a directory sets fatal with a message naming the path', async () => {
    const missing = join(dir, 'nope.pcap');
    const m = readCaptureFileSync(missing, () => {});
    expect(m.fatal).toBe(`cannot open ${missing}: no such file or directory (ENOENT)`);
    expect((await readCaptureFile(missing, () => {})).fatal).toBe(m.fatal);
    const d = readCaptureFileSync(dir, () => {});
    expect(d.fatal).toBe(`cannot read ${dir}: it is a directory (EISDIR)`);
    expect((await readCaptureFile(dir, () => {})).fatal).toBe(d.fatal);
  });
});
