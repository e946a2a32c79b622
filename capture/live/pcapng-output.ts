// The pcapng stream of a live capture: the same bytes go to the output file (written as the capture runs, so a crash
// loses nothing already flushed) and, piece by piece, to the viewer, which reads them with the file reader.
// Node-only (fs).
//
// Section, interface, statistics and secrets blocks come from capture/pcapng-writer. Enhanced Packet Blocks, one
// per frame at up to 100k frames/s, are written straight into one reused buffer instead (no allocation per frame:
// the garbage collector's pauses are what overflows the kernel's capture ring); a test checks they are
// byte-identical to PcapngWriter.packet().
import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { BT_EPB } from '../pcapng';
import { PcapngWriter, type SectionOptions, type StatisticsToWrite } from '../pcapng-writer';
import { joined, joinTimestamp, MICROSECONDS, NANOSECONDS, type TsUnits } from '../timestamps';
import { LiveCaptureError } from './errors';

export interface OutputInterface {
  linkType: number;
  snaplen: number;
  name: string;
  description?: string;
  /** 1e9 (if_tsresol 9) or 1e6. */
  tsResolution: number;
}

export interface PieceSink {
  /** A piece of the pcapng stream holding `frames` frames from `firstFrame` on. False: it was not accepted. */
  (piece: Uint8Array, frames: number, firstFrame: number): boolean;
}

export interface OutputOptions {
  /** Output file, or null to only stream. */
  file: string | null;
  section?: SectionOptions;
  onPiece?: PieceSink;
  /** fdatasync at most this often (default 1000 ms): a process crash loses nothing flushed, a power cut at most this. */
  syncIntervalMs?: number;
  /** For tests: the write function (defaults to fs.writeSync). */
  write?: (fd: number, data: Uint8Array, offset: number, length: number) => number;
}

export class PcapngOutput {
  private readonly w = new PcapngWriter();
  private fd: number | null = null;
  private buf = new Uint8Array(1 << 20);
  private view = new DataView(this.buf.buffer);
  private used = 0;
  private units: TsUnits[] = [];
  private pendingFrames = 0;
  private pendingFirst = 0;
  private nextFrame = 1;
  /** Stream offset of the start of the pending bytes. */
  private flushedOffset = 0;
  /** Bytes of the file holding complete blocks, and the frames in them. */
  fileBytes = 0;
  framesInFile = 0;
  /** Set once writing the file failed; streaming continues, the file keeps what it had. */
  fileError: LiveCaptureError | null = null;
  /** Frames the viewer did not accept. */
  refusedFrames = 0;
  private lastSync = 0;
  private syncing = false;
  private readonly write: NonNullable<OutputOptions['write']>;

  constructor(private readonly opts: OutputOptions) {
    this.write = opts.write ?? writeSync;
    if (opts.file !== null) {
      try {
        this.fd = openSync(opts.file, 'w');
      } catch (e) {
        throw new LiveCaptureError('write-failed', `Cannot create the capture file ${opts.file}: ` +
          `${(e as Error).message}. Choose a folder you can write to.`, (e as Error).message);
      }
    }
  }

  get framesWritten(): number {
    return this.nextFrame - 1;
  }

  get bytesPending(): number {
    return this.used;
  }

  /** Section header and one interface block per device; flushed at once so the file is valid from the start. */
  start(interfaces: OutputInterface[]): void {
    this.append(this.w.header(this.opts.section));
    for (const i of interfaces) {
      const ns = i.tsResolution >= 1e9;
      this.units.push(ns ? NANOSECONDS : MICROSECONDS);
      this.append(this.w.interface({
        linkType: i.linkType, snaplen: i.snaplen, name: i.name, description: i.description, tsresol: ns ? 9 : 6,
      }));
    }
    this.flush();
  }

  /** Appends a frame as an Enhanced Packet Block; returns the block's offset in the stream. */
  packet(iface: number, tsSec: number, tsNsec: number, bytes: Uint8Array, originalLength: number): number {
    const len = bytes.length;
    const total = 32 + ((len + 3) & ~3);
    this.reserve(total);
    const at = this.used, v = this.view;
    v.setUint32(at, BT_EPB, true);
    v.setUint32(at + 4, total, true);
    v.setUint32(at + 8, iface, true);
    joinTimestamp(tsSec, tsNsec, this.units[iface] ?? MICROSECONDS);
    v.setUint32(at + 12, joined.hi, true);
    v.setUint32(at + 16, joined.lo, true);
    v.setUint32(at + 20, len, true);
    v.setUint32(at + 24, originalLength, true);
    this.buf.set(bytes, at + 28);
    for (let p = at + 28 + len; p < at + total - 4; p++) this.buf[p] = 0; // the buffer is reused: clear padding
    v.setUint32(at + total - 4, total, true);
    this.used += total;
    if (this.pendingFrames === 0) this.pendingFirst = this.nextFrame;
    this.pendingFrames++;
    this.nextFrame++;
    return this.flushedOffset + at;
  }

  /** TLS key log (or other secrets) for the frames that follow. */
  secrets(text: string): void {
    this.append(this.w.secrets(text));
  }

  /** Writes what is pending to the file and hands it to the viewer. */
  flush(): void {
    if (this.used === 0) return;
    const piece = this.buf.slice(0, this.used); // the viewer keeps (or is sent) the piece; the buffer is reused
    const frames = this.pendingFrames, first = this.pendingFirst;
    this.flushedOffset += this.used;
    this.used = 0;
    this.pendingFrames = 0;
    this.writeFile(piece, frames);
    if (this.opts.onPiece && !this.opts.onPiece(piece, frames, first)) this.refusedFrames += frames;
  }

  /** Interface Statistics Blocks, a last flush and closing the file. */
  finish(stats: (StatisticsToWrite & { interface: number })[]): void {
    for (const s of stats) this.append(this.w.statistics(s.interface, s));
    this.flush();
    if (this.fd !== null) {
      try {
        if (!this.fileError) fdatasyncSync(this.fd); // on disk before we say it is saved
      } catch { /* every block was written; only a power cut could still lose them */ }
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private append(block: Uint8Array): void {
    this.reserve(block.length);
    this.buf.set(block, this.used);
    this.used += block.length;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.used + n));
    next.set(this.buf.subarray(0, this.used));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private writeFile(piece: Uint8Array, frames: number): void {
    if (this.fd === null || this.fileError) return;
    let done = 0;
    try {
      while (done < piece.length) done += this.write(this.fd, piece, done, piece.length - done);
      this.fileBytes += piece.length;
      this.framesInFile += frames;
      this.syncSometimes();
    } catch (e) {
      // Keep only whole blocks so the file stays readable, and say how much it holds.
      const v = new DataView(piece.buffer, piece.byteOffset, piece.length);
      let keep = 0;
      while (keep + 12 <= done) {
        const len = v.getUint32(keep + 4, true);
        if (keep + len > done) break;
        if (v.getUint32(keep, true) === BT_EPB) this.framesInFile++;
        keep += len;
      }
      try {
        ftruncateSync(this.fd, this.fileBytes + keep);
      } catch { /* the file is still readable up to its last complete block by any reader */ }
      this.fileBytes += keep;
      this.fileError = fileError(e, this.opts.file!, this.fileBytes, this.framesInFile);
    }
  }

  /** fdatasync off the event loop (it can take tens of ms, long enough to overflow the capture ring). */
  private syncSometimes(): void {
    const now = Date.now();
    if (this.syncing || now - this.lastSync < (this.opts.syncIntervalMs ?? 1000) || this.fd === null) return;
    this.lastSync = now;
    this.syncing = true;
    fdatasync(this.fd, () => { this.syncing = false; });
  }
}

function fileError(e: unknown, file: string, bytes: number, frames: number): LiveCaptureError {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = (e as Error).message;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new LiveCaptureError('disk-full', `The disk holding ${file} is full: the capture stopped being saved ` +
      `after ${frames} frames (${bytes} bytes). Everything up to there is kept in the file; free some space or ` +
      'choose another folder to capture more.', msg);
  }
  return new LiveCaptureError('write-failed', `Cannot write the capture file ${file}: ${msg}. ` +
    `The file keeps the ${frames} frames (${bytes} bytes) written before the failure.`, msg);
}
