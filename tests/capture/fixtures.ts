// Helpers shared by the capture tests: deterministic packets, and reading a byte array the way a file source does.
import { CaptureReader, type CaptureReaderInfo } from '../../capture/reader';
import type { RawFrame } from '../../capture/frame';
import type { PacketToWrite } from '../../capture/pcap-writer';

/** Deterministic bytes for packet i (the content does not matter to the readers, only that it is kept exactly). */
export function packetBytes(i: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  let x = (i + 1) * 2654435761 >>> 0;
  for (let k = 0; k < len; k++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[k] = x & 0xff;
  }
  return b;
}

/** Odd lengths exercise pcapng padding; 1514 and 4000 cross small chunk sizes. */
const LENGTHS = [60, 61, 62, 63, 1514, 1, 99, 3, 1000, 64, 4000, 77];

/** Packets with timestamps that have all nine nanosecond digits set (so every resolution truncates something). */
export function samplePackets(count = LENGTHS.length): PacketToWrite[] {
  return Array.from({ length: count }, (_, i) => ({
    tsSec: 1700000000 + i * 37,
    tsNsec: (123456789 + i * 111111111) % 1000000000,
    bytes: packetBytes(i, LENGTHS[i % LENGTHS.length]),
  }));
}

/** A frame with its bytes copied out (RawFrame bytes are only valid until the reader's next push). */
export type FrameCopy = RawFrame;

export interface ReadResult {
  frames: FrameCopy[];
  info: CaptureReaderInfo;
}

/**
 * Reads `bytes` in chunks of `chunkSize`, each delivered through ONE reused scratch buffer like node-file-source
 * does, so a reader that kept a reference to a chunk would see it overwritten.
 */
export function readBytes(bytes: Uint8Array, chunkSize = 1 << 30, fileName = 'fixture.cap'): ReadResult {
  const reader = new CaptureReader(fileName);
  const scratch = new Uint8Array(Math.min(chunkSize, Math.max(bytes.length, 1)));
  const frames: FrameCopy[] = [];
  const keep = (batch: RawFrame[]) => { for (const f of batch) frames.push({ ...f, bytes: f.bytes.slice() }); };
  for (let at = 0; at < bytes.length; at += chunkSize) {
    const piece = bytes.subarray(at, Math.min(at + chunkSize, bytes.length));
    scratch.set(piece);
    keep(reader.push(scratch.subarray(0, piece.length)));
    scratch.fill(0xee); // anything still pointing into the chunk now sees garbage
  }
  keep(reader.end());
  return { frames, info: reader.info };
}

/** The fields a frame must have, for comparisons between readers or chunkings. */
export function frameSummary(f: RawFrame) {
  return {
    index: f.index, tsSec: f.tsSec, tsNsec: f.tsNsec, linkType: f.linkType, originalLength: f.originalLength,
    interface: f.interface, fileOffset: f.fileOffset, comments: f.comments, bytes: Array.from(f.bytes).join(','),
    record: f.record,
  };
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Hex string to bytes, ignoring spaces and newlines (for hand-written fixtures). */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/#.*$/gm, '').replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}
