// Differential test: every microsecond classic pcap (the real ones in ../shared/captures and our own fixtures) is
// read by our reader and by the npm package pcap-parser, the design's classic-pcap library; frames must be identical.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcapMagic } from '../../capture/pcap';
import { writePcap } from '../../capture/pcap-writer';
import { needShared, sharedCaptures } from '../support/require';
import { concat, readBytes, samplePackets } from './fixtures';

const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: NodeJS.ReadableStream | string): NodeJS.EventEmitter };

interface PcapParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}

interface Comparable { sec: number; usec: number; captured: number; original: number; bytes: string }

/** pcap-parser's frames for a byte array fed as a Node stream in `chunk`-byte pieces. */
function viaPcapParser(bytes: Uint8Array, chunk: number): Promise<{ frames: Comparable[]; error: Error | null }> {
  return new Promise((resolve) => {
    const pieces: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += chunk) pieces.push(Buffer.from(bytes.subarray(at, at + chunk)));
    const parser = pcapParser.parse(Readable.from(pieces));
    const frames: Comparable[] = [];
    let error: Error | null = null;
    parser.on('packet', (p: PcapParserPacket) => frames.push({
      sec: p.header.timestampSeconds, usec: p.header.timestampMicroseconds, captured: p.header.capturedLength,
      original: p.header.originalLength, bytes: Buffer.from(p.data).toString('hex'),
    }));
    parser.on('error', (e: Error) => { error = e; });
    parser.on('end', () => resolve({ frames, error }));
  });
}

function viaOurs(bytes: Uint8Array): Comparable[] {
  return readBytes(bytes, 4096).frames.map((f) => ({
    sec: f.tsSec, usec: f.tsNsec / 1000, captured: f.bytes.length, original: f.originalLength,
    bytes: Buffer.from(f.bytes).toString('hex'),
  }));
}

// pcap-parser allocates with the deprecated Buffer() constructor; keep its warning out of the test output.
let noDeprecation: boolean | undefined;
beforeAll(() => { noDeprecation = process.noDeprecation; process.noDeprecation = true; });
afterAll(() => { process.noDeprecation = noDeprecation ?? false; });

const packets = samplePackets(25);
const OUR_FIXTURES: [string, Uint8Array][] = [
  ['µs little-endian Ethernet', writePcap(packets)],
  ['µs big-endian Linux SLL', writePcap(packets, { bigEndian: true, linkType: 113 })],
  ['snaplen-truncated records', writePcap(packets.map((p) => ({ ...p, bytes: p.bytes.subarray(0, 64), originalLength: p.bytes.length })), { snaplen: 64 })],
  ['unknown link type 147', writePcap(packets.slice(0, 4), { linkType: 147 })],
  ['records of 300 000 bytes (snaplen 524288)', writePcap([{ tsSec: 1, bytes: new Uint8Array(300000).fill(5) }, ...packets.slice(0, 2)], { snaplen: 524288 })],
  ['empty-bodied and 1-byte records', writePcap([{ tsSec: 3, bytes: new Uint8Array(0) }, { tsSec: 4, bytes: Uint8Array.of(1) }])],
  ['a last record cut short', writePcap(packets).subarray(0, 12345)],
  ['header only', writePcap([])],
];

describe('pcap-parser differential: our fixtures', () => {
  for (const [label, bytes] of OUR_FIXTURES) {
    it(label, async () => {
      const ours = viaOurs(bytes);
      for (const chunk of [bytes.length || 1, 1000]) {
        const theirs = await viaPcapParser(bytes, chunk);
        expect(theirs.error).toBeNull();
        expect(ours).toEqual(theirs.frames);
      }
      if (label !== 'header only') expect(ours.length).toBeGreaterThan(0);
    });
  }

  it('pcap-parser rejects nanosecond pcap, which ours reads', async () => {
    const ns = writePcap(packets, { nanosecond: true });
    const theirs = await viaPcapParser(ns, ns.length);
    expect(theirs.error?.message).toMatch(/unknown magic number/);
    expect(theirs.frames).toEqual([]);
    expect(readBytes(ns).frames).toHaveLength(packets.length);
  });

  it('a corrupted record length: both keep the same good frames before it', async () => {
    const file = writePcap(packets.slice(0, 6));
    const at = 24 + packets.slice(0, 3).reduce((n, p) => n + 16 + p.bytes.length, 0);
    const bad = concat(file);
    new DataView(bad.buffer).setUint32(at + 8, 0x7fffffff, true);
    const theirs = await viaPcapParser(bad, 512); // pcap-parser waits for 2 GB that never come
    expect(viaOurs(bad)).toEqual(theirs.frames);
    expect(theirs.frames).toHaveLength(3);
  });
});

const skip = needShared();
describe.skipIf(skip)('pcap-parser differential: every microsecond classic pcap in ../shared/captures', () => {
  const files = skip ? [] : readdirSync(sharedCaptures).filter((f) => /\.pcap(ng)?$/.test(f)).sort().filter((f) => {
    const head = new Uint8Array(readFileSync(join(sharedCaptures, f)).subarray(0, 4));
    const magic = pcapMagic(head);
    return magic !== null && !magic.nanosecond && magic.recordHeader === 16;
  });

  it('finds the microsecond pcaps (the .pcapng-named classic pcap included)', () => {
    expect(files.length).toBeGreaterThan(35);
    expect(files).toContain('ja4__ipv6.pcapng');
  });

  for (const name of files) {
    it(name, async () => {
      const bytes = new Uint8Array(readFileSync(join(sharedCaptures, name)));
      const theirs = await viaPcapParser(bytes, 65536);
      expect(theirs.error).toBeNull();
      expect(viaOurs(bytes)).toEqual(theirs.frames);
    });
  }
});
