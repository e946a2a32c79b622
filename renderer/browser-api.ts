// The preload API implemented for a plain browser (used when window.packetflow is absent): the production build then
// runs in Chromium for the end-to-end tests and the renderer benchmark. Files come from an <input type=file>, a drop,
// or a URL given as ?file=... (read with HTTP Range requests, so big captures stream too). Live capture is Electron's.
import {
  MAX_READ_CHUNK, type AppInfo, type CaptureStarted, type CaptureStats, type FilterCheck, type OpenResult,
  type OpenedCapture, type PacketflowApi, type RecentFile,
} from '../electron/ipc-contract';

interface Backing {
  info: OpenedCapture;
  read(offset: number, length: number): Promise<Uint8Array>;
}

const RECENT_KEY = 'packetflow.recentUrls';
/** The session's chunk size (a chunk is then one fetched block, handed over without a copy). */
const BLOCK = MAX_READ_CHUNK;
/** Blocks fetched ahead of the one being read: the decoder should never wait for the network. */
const AHEAD = 3;

/**
 * Range reads of a URL in blocks of BLOCK bytes, fetching the next blocks while the current one is consumed when
 * reads are sequential (each starting where the previous sequential read ended); any other read is fetched directly
 * and leaves the sequential position alone. A read of exactly one block returns the fetched buffer itself and forgets
 * it (the session transfers it to the worker): copying every chunk out of a bigger block cost the UI thread ~0.7 s per
 * 650 MB.
 */
class RangeReader {
  private readonly blocks = new Map<number, Promise<Uint8Array>>();
  private lastEnd = -1;

  constructor(private readonly size: number, private readonly fetchRange: (o: number, l: number) => Promise<Uint8Array>) {}

  private block(i: number): Promise<Uint8Array> {
    let p = this.blocks.get(i);
    if (!p) {
      p = this.fetchRange(i * BLOCK, Math.min(BLOCK, this.size - i * BLOCK));
      p.catch(() => this.blocks.delete(i));
      this.blocks.set(i, p);
    }
    return p;
  }

  async read(o: number, l: number): Promise<Uint8Array> {
    if (l <= 0 || o >= this.size) return new Uint8Array(0);
    const end = Math.min(this.size, o + l);
    // Only the sequential stream (the loading loop) advances lastEnd: on-demand rereads of earlier bytes (label and
    // detail bytes) are plain range reads that must neither break the stream's detection nor start a prefetch.
    const sequential = o === this.lastEnd || (o === 0 && this.lastEnd < 0);
    if (!sequential) return this.fetchRange(o, end - o);
    this.lastEnd = end;
    const first = Math.floor(o / BLOCK), last = Math.floor((end - 1) / BLOCK);
    for (const k of [...this.blocks.keys()]) if (k < first) this.blocks.delete(k);
    for (let j = last + 1; j <= last + AHEAD && j * BLOCK < this.size; j++) void this.block(j).catch(() => undefined);
    if (first === last && o === first * BLOCK && end === Math.min(this.size, (first + 1) * BLOCK)) {
      const b = await this.block(first);
      this.blocks.delete(first);
      return b;
    }
    const out = new Uint8Array(end - o);
    let got = 0;
    for (let i = first; i <= last; i++) {
      const b = await this.block(i);
      const from = Math.max(o, i * BLOCK) - i * BLOCK, to = Math.min(end, (i + 1) * BLOCK) - i * BLOCK;
      const part = b.subarray(from, Math.min(to, b.length));
      out.set(part, got);
      got += part.length;
      if (part.length < to - from) break;
    }
    return got === out.length ? out : out.slice(0, got);
  }
}

/**
 * The body of a response of `length` bytes, read straight into one buffer (a BYOB reader): Response.arrayBuffer()
 * gathers the received pieces and copies them again at the end, which was the UI thread's biggest cost while
 * streaming a big file. Falls back to arrayBuffer() where bodies are not byte streams.
 */
async function bodyOf(r: Response, length: number): Promise<Uint8Array> {
  let reader: ReadableStreamBYOBReader | null = null;
  try {
    reader = r.body?.getReader({ mode: 'byob' }) ?? null;
  } catch {
    reader = null;
  }
  if (!reader) return new Uint8Array(await r.arrayBuffer());
  let buf = new ArrayBuffer(length);
  let got = 0;
  while (got < length) {
    const { value, done } = await reader.read(new Uint8Array(buf, got, length - got));
    if (value) buf = value.buffer as ArrayBuffer; // the view's buffer was transferred to the stream and back
    if (done || !value) break;
    got += value.byteLength;
  }
  // Read to the end (so the connection can be reused); a longer body than asked for is cut off.
  if (got === length && !(await reader.read(new Uint8Array(1))).done) void reader.cancel().catch(() => undefined);
  return got === length ? new Uint8Array(buf) : new Uint8Array(buf, 0, got).slice();
}

export class BrowserApi implements PacketflowApi {
  private readonly open = new Map<number, Backing>();
  private nextHandle = 1;

  constructor(private readonly location: { search: string; href: string } = window.location) {}

  private add(name: string, path: string, size: number, origin: OpenedCapture['origin'],
    read: Backing['read']): OpenResult {
    const info: OpenedCapture = { handle: this.nextHandle++, name, path, size, origin };
    this.open.set(info.handle, { info, read });
    return { ok: true, capture: info };
  }

  openFile(file: File, origin: OpenedCapture['origin'] = 'dialog'): OpenResult {
    return this.add(file.name, '', file.size, origin, async (o, l) => new Uint8Array(await file.slice(o, o + l).arrayBuffer()));
  }

  /** A capture served over HTTP. Uses Range requests when the server supports them, else downloads it once. */
  async openUrl(url: string, origin: OpenedCapture['origin']): Promise<OpenResult> {
    const abs = new URL(url, this.location.href).href;
    const name = decodeURIComponent(abs.split('/').pop()?.split('?')[0] || 'capture');
    try {
      const probe = await fetch(abs, { headers: { Range: 'bytes=0-0' } });
      if (!probe.ok) return { ok: false, message: `cannot open ${name}: HTTP ${probe.status}` };
      const range = probe.headers.get('content-range');
      if (probe.status === 206 && range && /\/(\d+)$/.test(range)) {
        const size = Number(/\/(\d+)$/.exec(range)![1]);
        await probe.arrayBuffer();
        this.remember(abs);
        const ranges = new RangeReader(size, async (o, l) => {
          const r = await fetch(abs, { headers: { Range: `bytes=${o}-${o + l - 1}` } });
          return r.status === 206 ? bodyOf(r, l) : new Uint8Array(await r.arrayBuffer());
        });
        return this.add(name, abs, size, origin, (o, l) => ranges.read(o, l));
      }
      const all = new Uint8Array(await probe.arrayBuffer());
      this.remember(abs);
      return this.add(name, abs, all.length, origin, async (o, l) => all.slice(o, o + l));
    } catch (e) {
      return { ok: false, message: `cannot open ${name}: ${(e as Error).message}` };
    }
  }

  private remember(url: string): void {
    try {
      const list: RecentFile[] = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
      const next = [{ path: url, name: url.split('/').pop() ?? url, openedAt: Date.now() }, ...list.filter((r) => r.path !== url)].slice(0, 10);
      localStorage.setItem(RECENT_KEY, JSON.stringify(next));
    } catch {
      // storage unavailable: no recent list
    }
  }

  appInfo(): Promise<AppInfo> {
    return Promise.resolve({ version: 'browser', platform: navigator.platform, electron: false, liveCapture: false });
  }

  openFileDialog(): Promise<OpenResult | null> {
    return new Promise((resolve) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = '.pcap,.pcapng,.cap,.gz';
      input.onchange = () => resolve(input.files?.[0] ? this.openFile(input.files[0]) : null);
      input.oncancel = () => resolve(null);
      input.click();
    });
  }

  openRecent(path: string): Promise<OpenResult> {
    return this.openUrl(path, 'recent');
  }

  openDroppedFile(file: File): Promise<OpenResult> {
    return Promise.resolve(this.openFile(file, 'drop'));
  }

  async openInitial(): Promise<OpenResult | null> {
    const file = new URLSearchParams(this.location.search).get('file');
    return file ? this.openUrl(file, 'argv') : null;
  }

  async readCapture(handle: number, offset: number, length: number): Promise<Uint8Array> {
    const b = this.open.get(handle);
    if (!b) throw new Error(`no open capture with handle ${handle}`);
    return b.read(offset, length);
  }

  async closeCapture(handle: number): Promise<void> {
    this.open.delete(handle);
  }

  async listRecent(): Promise<RecentFile[]> {
    try {
      return JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    } catch {
      return [];
    }
  }

  async clearRecent(): Promise<void> {
    localStorage.removeItem(RECENT_KEY);
  }

  async saveExport(kind: 'svg' | 'png', suggestedName: string, data: string | Uint8Array): Promise<string | null> {
    const blob = new Blob([data as BlobPart], { type: kind === 'svg' ? 'image/svg+xml' : 'image/png' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = suggestedName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    return suggestedName;
  }

  async setTheme(): Promise<void> {}
  onMenuCommand(): () => void {
    return () => undefined;
  }
  onFileOpened(): () => void {
    return () => undefined;
  }

  private unavailable<T>(): Promise<T> {
    return Promise.reject(new Error('Live capture needs the desktop app (it is not available in a browser).'));
  }
  listInterfaces() { return this.unavailable<never[]>(); }
  validateFilter(): Promise<FilterCheck> { return this.unavailable(); }
  startCapture(): Promise<CaptureStarted> { return this.unavailable(); }
  pauseCapture(): Promise<void> { return this.unavailable(); }
  stopCapture(): Promise<CaptureStats | null> { return this.unavailable(); }
  saveCaptureAs(): Promise<string | null> { return this.unavailable(); }
  startReplay(): Promise<CaptureStarted> { return this.unavailable(); }
  pauseReplay(): Promise<void> { return this.unavailable(); }
  setReplaySpeed(): Promise<void> { return this.unavailable(); }
  onCaptureFrames(): () => void { return () => undefined; }
  onCaptureStats(): () => void { return () => undefined; }
  onCaptureEnded(): () => void { return () => undefined; }
}

declare global {
  interface Window {
    packetflow?: PacketflowApi;
  }
}

/** The preload's API in Electron, this browser implementation elsewhere. */
export function getApi(): PacketflowApi {
  return window.packetflow ?? new BrowserApi();
}
