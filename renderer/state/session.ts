// One open capture on the UI thread: a byte source (a file main opened, a browser File or URL, or a live stream),
// the decoding worker, and the column mirror it fills. Chunks go to the worker as transferred ArrayBuffers with a
// bounded number in flight, so reading never runs far ahead of decoding and a busy UI thread does not starve it.
import { CaptureData } from '../model/capture-data';
import type { FrameDetails, FromWorker, ToWorker } from '../worker/protocol';
import { MAX_READ_CHUNK } from '../../electron/ipc-contract';

export interface ByteSource {
  name: string;
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): void;
}

/** The most one read may ask for in Electron; the browser's RangeReader fetches blocks of this size, so a chunk is one
 *  fetched buffer, transferred without a copy. Fewer, bigger chunks also mean fewer acks for the UI thread. */
export const CHUNK = MAX_READ_CHUNK;
/** The first chunks are smaller so that the first diagram does not wait for a whole CHUNK to be decoded. */
const FIRST_CHUNK = 1 << 20;
/** Bytes sent but not yet decoded: enough queued (~0.3 s of decoding) that the UI thread's longest task while loading
 *  (rebuilding the shown set of a million frames) does not leave the worker waiting. */
const MAX_IN_FLIGHT_BYTES = 32 << 20;

export interface Progress {
  bytesRead: number;
  size: number;
  frames: number;
  done: boolean;
  elapsedMs: number | null;
  error: string | null;
}

export class CaptureSession {
  readonly data = new CaptureData();
  readonly worker: Worker;
  progress: Progress;
  private nextReq = 1;
  private readonly waiting = new Map<number, (m: FromWorker) => void>();
  private closed = false;
  private readonly opened = performance.now();
  /** Time from open to the first batch with frames (benchmark: "time to first diagram" starts from here). */
  firstFramesMs: number | null = null;

  constructor(readonly source: ByteSource | null, readonly live: boolean, private readonly onChange: (what: 'data' | 'progress' | 'done') => void,
    name = source?.name ?? 'live capture') {
    this.worker = new Worker(new URL('../worker/analysis-worker.ts', import.meta.url), { type: 'module', name: 'packetflow-decoder' });
    this.worker.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
    this.worker.onerror = (ev) => this.fail(`decoder crashed: ${ev.message}`);
    this.progress = { bytesRead: 0, size: source?.size ?? 0, frames: 0, done: false, elapsedMs: null, error: null };
    this.send({ type: 'open', name, size: source?.size ?? 0, live });
  }

  private send(m: ToWorker, transfer: Transferable[] = []): void {
    if (!this.closed) this.worker.postMessage(m, transfer);
  }

  /** Streams the whole source to the worker. */
  async start(): Promise<void> {
    const src = this.source;
    if (!src) return;
    let offset = 0;
    let wake: (() => void) | null = null;
    this.onAck = () => wake?.();
    try {
      if (src.size === 0) {
        this.send({ type: 'chunk', bytes: new ArrayBuffer(0), last: true });
        return;
      }
      while (offset < src.size && !this.closed) {
        while (offset - this.progress.bytesRead >= MAX_IN_FLIGHT_BYTES && !this.closed) await new Promise<void>((r) => (wake = r));
        const want = Math.min(offset < CHUNK ? FIRST_CHUNK : CHUNK, src.size - offset);
        const bytes = await src.read(offset, want);
        if (this.closed) return;
        if (bytes.length === 0) break;
        offset += bytes.length;
        const buf = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
          ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
        this.send({ type: 'chunk', bytes: buf, last: offset >= src.size }, [buf]);
      }
      if (offset < src.size) this.send({ type: 'end' });
    } catch (e) {
      this.fail(`reading ${src.name} failed: ${(e as Error).message}`);
      this.send({ type: 'end' });
    }
  }

  private onAck: (() => void) | null = null;

  /** A piece of a live pcapng stream (H7's capture.frames batches), in order. */
  pushLive(bytes: Uint8Array): void {
    const buf = bytes.slice().buffer;
    this.send({ type: 'chunk', bytes: buf, last: false }, [buf]);
  }

  endLive(): void {
    this.send({ type: 'end' });
  }

  private fail(message: string): void {
    this.progress = { ...this.progress, error: message };
    this.onChange('progress');
  }

  private progressNotifiedAt = 0;

  private onMessage(m: FromWorker): void {
    if (this.closed) return;
    switch (m.type) {
      case 'ack': {
        this.progress = { ...this.progress, bytesRead: m.bytesRead };
        this.onAck?.();
        // The progress bar needs no more than ~10 updates a second; re-rendering on every 1 MiB chunk kept the UI
        // thread too busy to feed the worker. Batches and the end notify on their own.
        const now = performance.now();
        if (now - this.progressNotifiedAt >= 100) {
          this.progressNotifiedAt = now;
          this.onChange('progress');
        }
        break;
      }
      case 'batch':
        this.data.applyBatch(m);
        if (this.firstFramesMs === null && this.data.frames.count > 0) this.firstFramesMs = performance.now() - this.opened;
        this.progress = { ...this.progress, frames: this.data.frames.count, error: m.summary.fatal ?? this.progress.error };
        this.onChange('data');
        break;
      case 'done':
        this.data.summary = m.summary;
        this.data.done = true;
        this.data.version++;
        this.progress = { ...this.progress, done: true, bytesRead: this.progress.size || this.progress.bytesRead,
          frames: m.summary.frames, elapsedMs: m.elapsedMs, error: m.summary.fatal ?? this.progress.error };
        this.onChange('done');
        break;
      case 'read':
        void this.serveRead(m.req, m.offset, m.length);
        break;
      case 'error':
        this.fail(m.message);
        break;
      case 'labels': case 'details': case 'filter': {
        const w = this.waiting.get(m.req);
        this.waiting.delete(m.req);
        w?.(m);
        break;
      }
      default:
        break;
    }
  }

  private async serveRead(req: number, offset: number, length: number): Promise<void> {
    let bytes: ArrayBuffer | null = null;
    try {
      if (this.source) {
        const parts: Uint8Array[] = [];
        let got = 0;
        while (got < length) {
          const b = await this.source.read(offset + got, Math.min(length - got, 4 << 20));
          if (!b.length) break;
          parts.push(b);
          got += b.length;
        }
        const all = new Uint8Array(got);
        let at = 0;
        for (const p of parts) { all.set(p, at); at += p.length; }
        bytes = all.buffer;
      }
    } catch {
      bytes = null;
    }
    this.send({ type: 'readResult', req, bytes }, bytes ? [bytes] : []);
  }

  private request<T extends FromWorker['type']>(m: ToWorker & { req: number }): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve) => {
      this.waiting.set(m.req, (r) => resolve(r as Extract<FromWorker, { type: T }>));
      this.send(m);
    });
  }

  async labels(frames: number[]): Promise<Map<number, string>> {
    const arr = Int32Array.from(frames);
    const r = await this.request<'labels'>({ type: 'labels', req: this.nextReq++, frames: arr });
    const out = new Map<number, string>();
    r.frames.forEach((f, i) => out.set(f, r.labels[i]));
    return out;
  }

  async details(frame: number): Promise<FrameDetails> {
    return (await this.request<'details'>({ type: 'details', req: this.nextReq++, frame })).details;
  }

  async filter(expr: string): Promise<{ mask: Uint8Array | null; error: string | null; matches: number }> {
    const r = await this.request<'filter'>({ type: 'filter', req: this.nextReq++, expr });
    return { mask: r.mask, error: r.error, matches: r.matches };
  }

  dispose(): void {
    this.closed = true;
    this.worker.terminate();
    this.source?.close();
    // Pending requests are simply never answered: their callers belong to the closed capture.
    this.waiting.clear();
  }
}
