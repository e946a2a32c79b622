// Where the worker finds a frame's bytes again after the reader has moved on (labels, layer trees and hex are built
// on demand for the frames on screen). Two strategies, decided when a capture is opened:
//  - kept: captured bytes are copied into an append-only arena of large chunks. Used for live captures, for every
//    gzip-compressed file (its offsets are in the decompressed stream, so they cannot be re-read cheaply) and for
//    uncompressed files up to KEEP_LIMIT; memory use is the captured bytes plus a few bytes per frame.
//  - reread: for bigger uncompressed files only offsets are kept; the worker asks the UI thread for the bytes at
//    model.frames.fileOffsetOf(row) and finds the packet data inside the record (locatePacketData).
// A compressed file larger than KEEP_LIMIT keeps the bytes of its first frames only; later frames get labels built
// from the frame columns (endpoints, length) and a note in the details pane.

export const KEEP_LIMIT = 256 << 20;
const ARENA_CHUNK = 8 << 20;

export class ByteArena {
  private chunks: Uint8Array[] = [];
  private used = ARENA_CHUNK;
  /** Per frame (0-based): arena chunk + 1 (0 = not kept) and start offset within it. */
  private chunkOf = new Uint16Array(4096);
  private startOf = new Uint32Array(4096);
  private lengthOf = new Uint32Array(4096);
  total = 0;
  full = false;

  constructor(private readonly limit = KEEP_LIMIT) {}

  /** Copies frame `row`'s bytes in, unless the limit is reached. */
  keep(row: number, bytes: Uint8Array): void {
    this.ensure(row + 1);
    if (this.full || this.total + bytes.length > this.limit) {
      this.full = true;
      return;
    }
    if (this.used + bytes.length > ARENA_CHUNK) {
      this.chunks.push(new Uint8Array(Math.max(ARENA_CHUNK, bytes.length)));
      this.used = 0;
    }
    const c = this.chunks.length - 1;
    this.chunks[c].set(bytes, this.used);
    this.chunkOf[row] = c + 1;
    this.startOf[row] = this.used;
    this.lengthOf[row] = bytes.length;
    this.used += bytes.length;
    this.total += bytes.length;
  }

  /** The kept bytes of frame `row`, or null. */
  get(row: number): Uint8Array | null {
    if (row >= this.chunkOf.length) return null;
    const c = this.chunkOf[row];
    if (c === 0) return null;
    const s = this.startOf[row];
    return this.chunks[c - 1].subarray(s, s + this.lengthOf[row]);
  }

  private ensure(n: number): void {
    if (n <= this.chunkOf.length) return;
    let cap = this.chunkOf.length;
    while (cap < n) cap *= 2;
    const grow = <T extends Uint16Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.chunkOf = grow(this.chunkOf, (k) => new Uint16Array(k));
    this.startOf = grow(this.startOf, (k) => new Uint32Array(k));
    this.lengthOf = grow(this.lengthOf, (k) => new Uint32Array(k));
  }
}

/**
 * Offset of the packet data within a record read from `fileOffset` (classic pcap record header, pcapng Enhanced,
 * Simple or obsolete Packet Block), checked against the captured length the reader reported. -1 when the bytes do
 * not look like that record (the file changed on disk).
 */
export function locatePacketData(record: Uint8Array, format: 'pcap' | 'pcapng', capturedLength: number): number {
  const dv = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const u32 = (at: number, le: boolean) => (at + 4 <= record.length ? dv.getUint32(at, le) : -1);
  if (format === 'pcap') {
    // Standard 16-byte record header; Kuznetzov's modified pcap has 24 bytes. incl_len is at +8 in both.
    for (const le of [true, false]) {
      if (u32(8, le) === capturedLength) {
        if (record.length >= 16 + capturedLength) return 16;
      }
    }
    return -1;
  }
  for (const le of [true, false]) {
    const type = u32(0, le);
    if (type === 6 || type === 2) {
      if (u32(20, le) === capturedLength && record.length >= 28 + capturedLength) return 28;
    } else if (type === 3) {
      if (record.length >= 12 + capturedLength) return 12;
    }
  }
  return -1;
}
