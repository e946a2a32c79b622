// The capture reader: takes a file's bytes in chunks of any size, works out what the file is from its first bytes
// (gzip, then classic pcap or pcapng inside) and returns the frames of each chunk as they complete.
import type { RawFrame } from './frame';
import { ChunkFeeder } from './chunk-feeder';
import { emptyInfo, ParseContext, type CaptureReaderInfo } from './capture-info';
import { GzipStream, isGzip } from './gzip';
import { PcapParser, pcapMagic } from './pcap';
import { isPcapngStart, PcapngParser } from './pcapng';

export type { CaptureReaderInfo, InterfaceStatistics, ResolvedName } from './capture-info';

/** What the reader knows about its input: not yet, plain pcap/pcapng, or gzip around it. */
const Mode = { Sniff: 0, Plain: 1, Gzip: 2 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/**
 * Incremental capture file reader.
 *
 * push() returns the frames completed by a chunk. Their `bytes` may be views into that chunk or into the reader's
 * own carry-over buffer, valid until the next push()/end(); the reader keeps no reference to the chunk itself, so
 * callers may refill their buffer. Only the bytes of a record cut by a chunk boundary are kept between calls.
 */
export class CaptureReader {
  readonly info: CaptureReaderInfo = emptyInfo();
  private readonly ctx: ParseContext;
  private mode: Mode = Mode.Sniff;
  private readonly head = new Uint8Array(2);
  private headLen = 0;
  private readonly inner: FormatStream;
  private gzip: GzipStream | null = null;
  private gzipReported = false;
  private out: RawFrame[] = [];

  constructor(readonly fileName: string) {
    this.ctx = new ParseContext(fileName, this.info);
    this.inner = new FormatStream(this.ctx);
  }

  push(chunk: Uint8Array): RawFrame[] {
    const out: RawFrame[] = [];
    if (this.info.fatal !== null || chunk.length === 0) return out;
    if (this.mode === Mode.Sniff) {
      const take = Math.min(2 - this.headLen, chunk.length);
      this.head.set(chunk.subarray(0, take), this.headLen);
      this.headLen += take;
      if (this.headLen < 2) return out;
      this.startMode(isGzip(this.head) ? Mode.Gzip : Mode.Plain);
      this.dispatch(this.head, out);
      chunk = chunk.subarray(take);
    }
    this.dispatch(chunk, out);
    return out;
  }

  end(): RawFrame[] {
    const out: RawFrame[] = [];
    if (this.info.fatal !== null) return out;
    if (this.mode === Mode.Sniff) {
      this.fail(this.headLen === 0
        ? `${this.fileName}: the file is empty (0 bytes): not a capture file`
        : `${this.fileName}: the file is only ${this.headLen} byte long: not a capture file`);
      return out;
    }
    if (this.gzip !== null) {
      this.out = out;
      this.gzip.end();
      this.reportGzip();
    }
    this.inner.end(out);
    return out;
  }

  /** Input bytes held between push() calls: the unfinished record (plus gzip's small input gathering). */
  get bufferedBytes(): number {
    return this.inner.buffered + (this.gzip?.buffered ?? 0) + (this.mode === Mode.Sniff ? this.headLen : 0);
  }

  /** Marks the input unreadable (used by sources that cannot open or read the file). */
  fail(message: string): void {
    if (this.info.fatal === null) this.info.fatal = message;
  }

  private startMode(mode: Mode): void {
    this.mode = mode;
    if (mode === Mode.Gzip) {
      this.info.compressed = true;
      this.ctx.offsetNote = ' of the decompressed data';
      this.gzip = new GzipStream((data) => this.inner.push(data, this.out));
    }
  }

  private dispatch(chunk: Uint8Array, out: RawFrame[]): void {
    if (chunk.length === 0) return;
    if (this.gzip === null) { this.inner.push(chunk, out); return; }
    this.out = out;
    this.gzip.push(chunk);
    this.reportGzip();
  }

  private reportGzip(): void {
    const gz = this.gzip;
    if (gz === null || gz.error === null || this.gzipReported) return;
    this.gzipReported = true;
    const frame = this.info.frames + 1;
    this.ctx.warn(frame, gz.decompressedBytes, `${gz.error} at byte offset ${gz.decompressedBytes} of the decompressed ` +
      `data (${gz.compressedBytes} compressed bytes read); the ${this.info.frames} frames before it were read, frame ` +
      `${frame} and later are lost`);
  }
}

/** Recognises pcap or pcapng from the first four bytes of the (decompressed) stream and feeds its parser. */
class FormatStream {
  private readonly head = new Uint8Array(4);
  private headLen = 0;
  private feeder: ChunkFeeder | null = null;
  private dead = false;

  constructor(private readonly ctx: ParseContext) {}

  get buffered(): number {
    return this.feeder === null ? this.headLen : this.feeder.carried;
  }

  push(chunk: Uint8Array, out: RawFrame[]): void {
    if (this.dead) return;
    if (this.feeder === null) {
      const take = Math.min(4 - this.headLen, chunk.length);
      this.head.set(chunk.subarray(0, take), this.headLen);
      this.headLen += take;
      if (this.headLen < 4) return;
      if (!this.start()) { this.dead = true; return; }
      this.feeder!.push(this.head, out);
      chunk = chunk.subarray(take);
    }
    this.feeder!.push(chunk, out);
    if (this.ctx.info.fatal !== null) this.dead = true;
  }

  end(out: RawFrame[]): void {
    if (this.dead) return;
    if (this.feeder === null) {
      const what = this.ctx.info.compressed ? 'the decompressed data is' : 'the file is';
      this.ctx.info.fatal = `${this.ctx.fileName}: ${what} only ${this.headLen} bytes long: not a capture file`;
      return;
    }
    this.feeder.end(out);
  }

  private start(): boolean {
    const ctx = this.ctx;
    if (pcapMagic(this.head)) {
      ctx.info.format = 'pcap';
      this.feeder = new ChunkFeeder(new PcapParser(ctx));
      return true;
    }
    if (isPcapngStart(this.head)) {
      ctx.info.format = 'pcapng';
      this.feeder = new ChunkFeeder(new PcapngParser(ctx));
      return true;
    }
    const hex = Array.from(this.head, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const what = ctx.info.compressed ? 'the gzip-compressed data is' : 'the file is';
    ctx.info.fatal = `${ctx.fileName}: ${what} not a capture file (pcap or pcapng): it starts with bytes ${hex}` +
      `${printable(this.head)}`;
    return false;
  }
}

function printable(b: Uint8Array): string {
  const text = String.fromCharCode(...b);
  return /^[\x20-\x7e]{4}$/.test(text) ? ` ("${text}")` : '';
}
