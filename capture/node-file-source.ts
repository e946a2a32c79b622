// Node-only: reads a capture file through ONE reused buffer (256 KiB by default) and hands its frames out in batches.
// Never readFileSync a capture: new memory is slow on our VMs and Node cannot read files over 2 GiB at once.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RawFrame } from './frame';
import { CaptureReader, type CaptureReaderInfo } from './reader';

export const DEFAULT_CHUNK_SIZE = 256 * 1024;

/**
 * Receives each batch of frames. The frames (and their bytes) are valid only during the call: the read buffer is
 * refilled afterwards. Copy `bytes` to keep them. `info` is the reader's live info (secrets, warnings so far).
 */
export type BatchHandler = (frames: RawFrame[], info: CaptureReaderInfo) => void;

export interface ReadOptions {
  chunkSize?: number;
  /** Called with the reader's info object before the first batch (it is filled in as reading goes on). */
  onInfo?: (info: CaptureReaderInfo) => void;
}

export interface AsyncReadOptions extends ReadOptions {
  /** After each chunk: compressed/on-disk bytes read so far and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Aborting rejects the promise with the signal's reason (an AbortError by default). */
  signal?: AbortSignal;
}

export function readCaptureFileSync(path: string, onBatch: BatchHandler, opts: ReadOptions = {}): CaptureReaderInfo {
  const reader = new CaptureReader(basename(path));
  opts.onInfo?.(reader.info);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    reader.fail(cannot('open', path, e));
    return reader.info;
  }
  try {
    const buf = new Uint8Array(opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
    let done = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        readError(reader, path, e, done);
        break;
      }
      if (n === 0) break;
      done += n;
      const frames = reader.push(n === buf.length ? buf : buf.subarray(0, n));
      if (frames.length > 0) onBatch(frames, reader.info);
      if (reader.info.fatal !== null) return reader.info;
    }
  } finally {
    closeSync(fd);
  }
  const last = reader.end();
  if (last.length > 0) onBatch(last, reader.info);
  return reader.info;
}

export async function readCaptureFile(path: string, onBatch: BatchHandler, opts: AsyncReadOptions = {}):
  Promise<CaptureReaderInfo> {
  const { signal, onProgress } = opts;
  signal?.throwIfAborted();
  const reader = new CaptureReader(basename(path));
  opts.onInfo?.(reader.info);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    reader.fail(cannot('open', path, e));
    return reader.info;
  }
  try {
    const total = (await handle.stat()).size;
    const buf = new Uint8Array(opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
    let done = 0;
    for (;;) {
      signal?.throwIfAborted();
      let n: number;
      try {
        n = (await handle.read(buf, 0, buf.length, null)).bytesRead;
      } catch (e) {
        readError(reader, path, e, done);
        break;
      }
      signal?.throwIfAborted();
      if (n === 0) break;
      done += n;
      const frames = reader.push(n === buf.length ? buf : buf.subarray(0, n));
      if (frames.length > 0) onBatch(frames, reader.info);
      onProgress?.(done, total);
      if (reader.info.fatal !== null) return reader.info;
    }
  } finally {
    await handle.close();
  }
  const last = reader.end();
  if (last.length > 0) onBatch(last, reader.info);
  return reader.info;
}

/** Size of a file, for callers that size indexes up front (perf-anchors §8). */
export function captureFileSize(path: string): number {
  return statSync(path).size;
}

function readError(reader: CaptureReader, path: string, e: unknown, bytesRead: number): void {
  // Nothing read yet (a directory, say): the file is unreadable. Later: keep what was read, say where it stopped.
  if (bytesRead === 0) { reader.fail(cannot('read', path, e)); return; }
  const frame = reader.info.frames + 1;
  reader.info.warnings.push({
    frame, offset: bytesRead,
    message: `${cannot('read', path, e)} at file byte offset ${bytesRead}; stopped before frame ${frame}`,
  });
}

function cannot(verb: string, path: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'it is a directory',
    EPERM: 'operation not permitted',
  };
  const reason = (err.code && reasons[err.code]) ?? err.message ?? String(e);
  return `cannot ${verb} ${path}: ${reason}${err.code ? ` (${err.code})` : ''}`;
}
