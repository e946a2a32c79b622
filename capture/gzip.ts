// Streaming gunzip on fflate's synchronous Gunzip (pure JS: runs in Node, workers and browsers).
// Concatenated (multi-member) gzip files decompress as one stream, like gzip(1) does.
import { Gunzip } from 'fflate';

/** gzip magic 1f 8b (and deflate, method 8). */
export function isGzip(buf: Uint8Array, pos = 0): boolean {
  return buf[pos] === 0x1f && buf[pos + 1] === 0x8b;
}

/** Input smaller than this is gathered before inflating. */
const GATHER = 16384;

export class GzipStream {
  /** Set once the compressed data turned out corrupt or truncated; later input is ignored. */
  error: string | null = null;
  /** Compressed bytes pushed so far. */
  compressedBytes = 0;
  /** Decompressed bytes produced so far. */
  decompressedBytes = 0;
  private readonly gunzip: Gunzip;
  private done = false;
  /** The last 8 compressed bytes seen: a complete stream ends with the last member's CRC32 and ISIZE. */
  private readonly tail = new Uint8Array(8);
  /** Decompressed bytes before the current member. */
  private memberStart = 0;
  private readonly pending = new Uint8Array(GATHER);
  private pendingLen = 0;

  constructor(private readonly onData: (chunk: Uint8Array) => void) {
    this.gunzip = new Gunzip((chunk) => {
      if (chunk.length === 0) return;
      this.decompressedBytes += chunk.length;
      this.onData(chunk);
    });
    this.gunzip.onmember = () => { this.memberStart = this.decompressedBytes; };
  }

  /**
   * Decompresses a chunk. Input is copied (fflate keeps unconsumed input, and callers reuse their buffers), and small
   * chunks are gathered first: fflate copies its 32 KiB window on every push, which tiny pushes would multiply.
   */
  push(chunk: Uint8Array): void {
    if (this.error !== null || this.done || chunk.length === 0) return;
    this.compressedBytes += chunk.length;
    this.keepTail(chunk);
    if (this.pendingLen === 0 && chunk.length >= GATHER) { this.inflate(chunk.slice()); return; }
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(GATHER - this.pendingLen, chunk.length - at);
      this.pending.set(chunk.subarray(at, at + take), this.pendingLen);
      this.pendingLen += take;
      at += take;
      if (this.pendingLen === GATHER) this.flushPending();
    }
  }

  /** Compressed bytes gathered but not yet inflated. */
  get buffered(): number {
    return this.pendingLen;
  }

  private flushPending(): void {
    if (this.pendingLen === 0) return;
    const data = this.pending.slice(0, this.pendingLen);
    this.pendingLen = 0;
    this.inflate(data);
  }

  private inflate(data: Uint8Array): void {
    if (this.error !== null) return;
    try {
      this.gunzip.push(data, false);
    } catch (e) {
      this.error = this.describe(e);
    }
  }

  /** Flushes the end of the stream; returns the error if the data was corrupt or cut short. */
  end(): string | null {
    if (this.error === null && !this.done) {
      this.done = true;
      this.flushPending();
      if (this.error !== null) return this.error;
      try {
        this.gunzip.push(new Uint8Array(0), true);
      } catch (e) {
        this.error = this.describe(e);
      }
      // fflate does not always notice a stream cut inside the deflate data, and never checks the trailer: compare
      // the last member's ISIZE (its length mod 2^32) with what it produced.
      if (this.error === null) {
        const t = this.tail;
        const isize = (t[4] | t[5] << 8 | t[6] << 16 | t[7] << 24) >>> 0;
        if (this.compressedBytes < 18 || isize !== (this.decompressedBytes - this.memberStart) % 4294967296) {
          this.error = this.describe(new Error('unexpected EOF'));
        }
      }
    }
    return this.error;
  }

  private keepTail(chunk: Uint8Array): void {
    const t = this.tail;
    if (chunk.length >= 8) { t.set(chunk.subarray(chunk.length - 8)); return; }
    t.copyWithin(0, chunk.length);
    t.set(chunk, 8 - chunk.length);
  }

  private describe(e: unknown): string {
    const msg = e instanceof Error ? e.message : String(e);
    if (msg === 'unexpected EOF') return 'the compressed data ends early (truncated gzip file)';
    // fflate checks a member header only where a member starts; after output, that is data following the last member.
    if (msg === 'invalid gzip data' && this.decompressedBytes > 0) return 'bytes after the last gzip member are not gzip data (ignored)';
    return `corrupt gzip data (${msg})`;
  }
}
