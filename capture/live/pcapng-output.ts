// The pcapng stream of a live capture: the same bytes go to the output file (written as the capture runs, so a crash
// loses nothing already flushed) and, piece by piece, to the viewer, which reads them with the file reader.
// Node-only (fs).
import { closeSync, fdatasyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { PcapngWriter, type SectionOptions, type StatisticsToWrite } from '../pcapng-writer';
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
  private blocks: Uint8Array[] = [];
  /** Per pending block: 1 for a packet block, 0 otherwise (to count the frames a partial write kept). */
  private isFrame: number[] = [];
  private pendingBytes = 0;
  private pendingFrames = 0;
  private pendingFirst = 0;
  private nextFrame = 1;
  /** Stream offset of the next block (equals the file size while the file is healthy). */
  private offset = 0;
  /** Bytes of the file holding complete blocks, and the frames in them. */
  fileBytes = 0;
  framesInFile = 0;
  /** Set once writing the file failed; streaming continues, the file keeps what it had. */
  fileError: LiveCaptureError | null = null;
  /** Frames the viewer did not accept. */
  refusedFrames = 0;
  private lastSync = 0;
  private readonly write: NonNullable<OutputOptions['write']>;

  constructor(private readonly opts: OutputOptions) {
    this.write = opts.write ?? writeSync;
    if (opts.file !== null) {
      try {
        this.fd = openSync(opts.file, 'w');
      } catch (e) {
        throw fileError(e, opts.file, 0, 0);
      }
    }
  }

  get framesWritten(): number {
    return this.nextFrame - 1;
  }

  get bytesPending(): number {
    return this.pendingBytes;
  }

  /** Section header and one interface block per device; flushed at once so the file is valid from the start. */
  start(interfaces: OutputInterface[]): void {
    this.push(this.w.header(this.opts.section));
    for (const i of interfaces) {
      this.push(this.w.interface({
        linkType: i.linkType, snaplen: i.snaplen, name: i.name, description: i.description,
        tsresol: i.tsResolution >= 1e9 ? 9 : 6,
      }));
    }
    this.flush();
  }

  /** Appends a frame; returns the stream offset of its Enhanced Packet Block. */
  packet(iface: number, tsSec: number, tsNsec: number, bytes: Uint8Array, originalLength: number): number {
    const at = this.offset;
    if (this.pendingFrames === 0) this.pendingFirst = this.nextFrame;
    this.push(this.w.packet({ interface: iface, tsSec, tsNsec, bytes, originalLength }), 1);
    this.pendingFrames++;
    this.nextFrame++;
    return at;
  }

  /** TLS key log (or other secrets) for the frames that follow. */
  secrets(text: string): void {
    this.push(this.w.secrets(text));
  }

  /** Writes what is pending to the file and hands it to the viewer. */
  flush(): void {
    if (this.blocks.length === 0) return;
    const piece = concat(this.blocks, this.pendingBytes);
    const ends: number[] = [];
    let end = 0;
    for (const b of this.blocks) ends.push(end += b.length);
    const frames = this.pendingFrames, first = this.pendingFirst, isFrame = this.isFrame;
    this.blocks = [];
    this.isFrame = [];
    this.pendingBytes = 0;
    this.pendingFrames = 0;
    this.writeFile(piece, ends, isFrame, frames);
    if (this.opts.onPiece && !this.opts.onPiece(piece, frames, first)) this.refusedFrames += frames;
  }

  /** Interface Statistics Blocks, a last flush and closing the file. */
  finish(stats: (StatisticsToWrite & { interface: number })[]): void {
    for (const s of stats) this.push(this.w.statistics(s.interface, s));
    this.flush();
    if (this.fd !== null) {
      try {
        if (!this.fileError) fdatasyncSync(this.fd);
      } catch { /* a sync failure after complete writes loses nothing a crash would not */ }
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private push(block: Uint8Array, isFrame = 0): void {
    this.blocks.push(block);
    this.isFrame.push(isFrame);
    this.pendingBytes += block.length;
    this.offset += block.length;
  }

  private writeFile(piece: Uint8Array, blockEnds: number[], isFrame: number[], frames: number): void {
    if (this.fd === null || this.fileError) return;
    let done = 0;
    try {
      while (done < piece.length) done += this.write(this.fd, piece, done, piece.length - done);
      this.fileBytes += piece.length;
      this.framesInFile += frames;
      const now = Date.now();
      if (now - this.lastSync >= (this.opts.syncIntervalMs ?? 1000)) {
        this.lastSync = now;
        fdatasyncSync(this.fd);
      }
    } catch (e) {
      // Keep only whole blocks so the file stays readable, and say how much it holds.
      let keep = 0;
      for (let i = 0; i < blockEnds.length && blockEnds[i] <= done; i++) {
        keep = blockEnds[i];
        this.framesInFile += isFrame[i];
      }
      try {
        ftruncateSync(this.fd, this.fileBytes + keep);
      } catch { /* the file is still readable up to its last complete block by any reader */ }
      this.fileBytes += keep;
      this.fileError = fileError(e, this.opts.file!, this.fileBytes, this.framesInFile);
    }
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

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
