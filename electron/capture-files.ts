// The capture files the window may read, by handle. Main opens only what the user chose (dialog, recent list, drop,
// command line, bundled sample) and then serves raw byte ranges; it never looks inside them.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { CAPTURE_EXTENSIONS, MAX_READ_CHUNK, type OpenResult, type OpenedCapture } from './ipc-contract';

interface Entry {
  info: OpenedCapture;
  fh: FileHandle;
}

/** True for names ending in .pcap, .pcapng, .cap or .gz (case-insensitive), e.g. "trace.pcapng.gz". */
export function hasCaptureExtension(path: string): boolean {
  const ext = extname(path).slice(1).toLowerCase();
  return (CAPTURE_EXTENSIONS as readonly string[]).includes(ext);
}

export class CaptureFiles {
  private readonly open = new Map<number, Entry>();
  private nextHandle = 1;

  /** Opens a regular file for reading. Failures are returned as messages for the UI, never thrown. */
  async openPath(path: string, origin: OpenedCapture['origin'], requireExtension: boolean): Promise<OpenResult> {
    if (requireExtension && !hasCaptureExtension(path)) {
      return { ok: false, message: `${basename(path)} is not a capture file (expected .pcap, .pcapng, .cap or .gz)` };
    }
    let fh: FileHandle | undefined;
    try {
      const st = await stat(path);
      if (!st.isFile()) return { ok: false, message: `${path} is not a regular file` };
      fh = await open(path, 'r');
      const info: OpenedCapture = { handle: this.nextHandle++, name: basename(path), path, size: st.size, origin };
      this.open.set(info.handle, { info, fh });
      return { ok: true, capture: info };
    } catch (e) {
      await fh?.close().catch(() => undefined);
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
      return { ok: false, message: `cannot open ${path}: ${why}` };
    }
  }

  pathOf(handle: number): string | null {
    return this.open.get(handle)?.info.path ?? null;
  }

  /** Bytes [offset, offset+length) clipped to the file's end; empty past the end. */
  async read(handle: number, offset: number, length: number): Promise<Uint8Array> {
    const e = this.open.get(handle);
    if (!e) throw new Error(`no open capture with handle ${handle}`);
    const n = Math.max(0, Math.min(length, MAX_READ_CHUNK, e.info.size - offset));
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await e.fh.read(buf, got, n - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  async close(handle: number): Promise<void> {
    const e = this.open.get(handle);
    if (!e) return;
    this.open.delete(handle);
    await e.fh.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((h) => this.close(h)));
  }

  get count(): number {
    return this.open.size;
  }
}
