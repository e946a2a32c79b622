/// <reference lib="webworker" />
// The decoding worker: untrusted capture bytes are parsed here, off the UI thread and outside the main process.
// Chunks of the file (or of a live pcapng stream) arrive as transferred ArrayBuffers; the worker runs the reader and
// the analyzer and posts the model's growth back in batches (typed arrays, transferred) every BATCH_MS (up to
// MAX_BATCH_MS as a file grows), so the first conversations appear long before a big file is read. Labels, layer
// trees and bytes are built on demand.
import { CaptureReader } from '../../capture/reader';
import type { RawFrame } from '../../capture/frame';
import { Analyzer, expectedFramesForBytes } from '../../decoders/analyzer';
import type { FrameCategory } from '../../decoders/frame-summary';
import { EVENT_KINDS } from '../../decoders/timeline';
import { compileFilter, filterMask, FilterError, type FilterColumns } from '../filter/filter';
import { classifyFrame } from './frame-category';
import { ByteArena, KEEP_LIMIT, locatePacketData } from './frame-bytes';
import {
  CATEGORIES, type CaptureSummary, type ConvSummary, type EventBatch, type FrameBatch, type FrameDetails,
  type FromWorker, type LayerNodeView, type TcpStateView, type ToWorker,
} from './protocol';

const BATCH_MS = 120;
/** Each batch makes the UI thread redo O(conversations) work, which starves the reading loop on big files: files
 * post less often as they grow (live captures keep the short interval). */
const MAX_BATCH_MS = 1000;

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

class Growable {
  tsSec = new Float64Array(4096);
  tsNsec = new Uint32Array(4096);
  linkType = new Uint16Array(4096);
  iface = new Uint16Array(4096);
  cat = new Uint8Array(4096);
  marks = new Uint8Array(4096);
  ensure(n: number): void {
    if (n <= this.cat.length) return;
    let cap = this.cat.length;
    while (cap < n) cap *= 2;
    for (const key of ['tsSec', 'tsNsec', 'linkType', 'iface', 'cat', 'marks'] as const) {
      const old = this[key];
      const next = new (old.constructor as new (n: number) => typeof old)(cap);
      next.set(old as never);
      (this as Record<string, unknown>)[key] = next;
    }
  }
}

class Session {
  readonly reader: CaptureReader;
  an: Analyzer | null = null;
  readonly extra = new Growable();
  readonly arena: ByteArena | null;
  bytesRead = 0;
  done = false;
  private readonly started = performance.now();
  private secretsSeen = 0;
  private classified = 0;
  private eventPtr = 0;
  private sentFrames = 0;
  private sentEvents = 0;
  private sentHosts = 0;
  private sentConvPackets: number[] = [];
  private sentHostNames = 0;
  private readonly handshakes = new Map<number, { syn: number; synAck: number; ack: number }>();
  private readonly dirtyConvs = new Set<number>();
  private lastPost = 0;
  private readonly mode: CaptureSummary['bytes'];

  constructor(readonly name: string, readonly size: number, readonly live: boolean) {
    this.reader = new CaptureReader(name);
    const compressed = /\.gz$/i.test(name);
    // Keep bytes for live captures, compressed files and files small enough; re-read big plain files by offset.
    const keep = live || compressed || size <= KEEP_LIMIT;
    this.arena = keep ? new ByteArena() : null;
    this.mode = keep ? 'kept' : 'reread';
  }

  push(chunk: Uint8Array): void {
    this.bytesRead += chunk.length;
    this.ingest(this.reader.push(chunk));
    this.maybePost(false);
  }

  end(): void {
    this.ingest(this.reader.end());
    if (this.an) {
      this.an.model.interfaces = this.reader.info.interfaces;
      this.an.model.warnings = this.reader.info.warnings;
      this.an.finish();
      this.classify();
    }
    this.done = true;
    this.maybePost(true);
    post({ type: 'done', summary: this.summary(), elapsedMs: performance.now() - this.started });
    // the model stays for the panels' questions: give back what it no longer needs, after the result is out
    this.an?.trim();
  }

  private ingest(frames: RawFrame[]): void {
    if (frames.length === 0) return;
    const info = this.reader.info;
    if (!this.an) {
      this.an = new Analyzer({ fileName: this.name, format: info.format ?? 'pcap', compressed: info.compressed,
        expectedFrames: this.live ? 4096 : expectedFramesForBytes(this.size) });
    }
    while (this.secretsSeen < info.secrets.length) this.an.addSecrets(info.secrets[this.secretsSeen++]);
    const base = this.an.model.frames.count;
    const x = this.extra;
    x.ensure(base + frames.length);
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      const row = base + i;
      x.tsSec[row] = f.tsSec;
      x.tsNsec[row] = f.tsNsec;
      x.linkType[row] = f.linkType;
      x.iface[row] = f.interface;
      this.arena?.keep(row, f.bytes);
    }
    this.an.push(frames);
    this.classify();
  }

  /** Category and markers of the frames analysed since the last call, from their timeline events. */
  private classify(): void {
    const an = this.an!;
    const f = an.model.frames, tl = an.model.timeline;
    for (; this.classified < f.count; this.classified++) {
      const row = this.classified, frameNo = row + 1;
      const from = this.eventPtr;
      while (this.eventPtr < tl.count && tl.frame[this.eventPtr] <= frameNo) this.trackEvent(this.eventPtr++);
      const { cat, marks } = classifyFrame(tl.kind, from, this.eventPtr, f.proto[row]);
      this.extra.cat[row] = cat;
      this.extra.marks[row] = marks;
    }
    // Events for frames already classified (none expected, but finish() may add some): still track them.
    while (this.eventPtr < tl.count) this.trackEvent(this.eventPtr++);
  }

  private trackEvent(e: number): void {
    const tl = this.an!.model.timeline;
    const kind = EVENT_KINDS[tl.kind[e]];
    if (kind !== 'tcp.syn_sent' && kind !== 'tcp.syn_ack_sent' && kind !== 'tcp.handshake_completed') return;
    const conv = tl.conversationOf(e);
    if (conv < 0) return;
    let hs = this.handshakes.get(conv);
    if (!hs) this.handshakes.set(conv, (hs = { syn: 0, synAck: 0, ack: 0 }));
    const frame = tl.frame[e];
    if (kind === 'tcp.syn_sent' && !hs.syn) hs.syn = frame;
    else if (kind === 'tcp.syn_ack_sent' && !hs.synAck) hs.synAck = frame;
    else if (kind === 'tcp.handshake_completed' && !hs.ack) hs.ack = frame;
    this.dirtyConvs.add(conv);
  }

  summary(): CaptureSummary {
    const info = this.reader.info;
    const f = this.an?.model.frames;
    return {
      format: info.format, compressed: info.compressed, frames: f?.count ?? 0,
      warnings: info.warnings.map((w) => w.message), fatal: info.fatal,
      firstSec: f?.firstSec ?? 0, firstNsec: f?.firstNsec ?? 0,
      bytes: this.arena?.full ? 'partial' : this.mode,
    };
  }

  maybePost(force: boolean): void {
    const now = performance.now();
    const analysed = this.an?.model.frames.count ?? 0;
    const interval = this.live ? BATCH_MS : Math.min(MAX_BATCH_MS, Math.max(BATCH_MS, analysed / 500));
    if (!force && now - this.lastPost < interval) return;
    this.lastPost = now;
    const an = this.an;
    if (!an) {
      if (force) post({ type: 'batch', frames: null, events: null, convs: [], hosts: { from: 0, names: [] }, hostNames: [], summary: this.summary() });
      return;
    }
    const m = an.model, f = m.frames, tl = m.timeline;
    const transfer: Transferable[] = [];
    let frames: FrameBatch | null = null;
    const upto = this.classified;
    if (upto > this.sentFrames) {
      const a = this.sentFrames, b = upto;
      const cut = <T extends { slice(a: number, b: number): T; buffer: ArrayBufferLike }>(col: T): T => {
        const c = col.slice(a, b);
        transfer.push(c.buffer as ArrayBuffer);
        return c;
      };
      const ends = f.endpointColumns(a, b), len = f.originalLengths(a, b);
      transfer.push(ends.src.buffer, ends.dst.buffer, ends.srcPort.buffer, ends.dstPort.buffer, len.buffer);
      frames = {
        from: a, count: b - a, time: cut(f.time), ...ends, conv: cut(f.conversation), dir: cut(f.dir),
        cat: cut(this.extra.cat), marks: cut(this.extra.marks), len, proto: cut(f.proto),
      };
      this.sentFrames = b;
    }
    let events: EventBatch | null = null;
    if (tl.count > this.sentEvents) {
      const a = this.sentEvents, b = tl.count;
      const kind = tl.kind.slice(a, b), frame = tl.frame.slice(a, b), conv = tl.conversations(a, b);
      transfer.push(kind.buffer, frame.buffer, conv.buffer);
      events = { from: a, count: b - a, kind, frame, conv };
      this.sentEvents = b;
    }
    const convs: ConvSummary[] = [];
    for (const c of m.conversations) {
      if (this.sentConvPackets[c.id] === c.packets && !this.dirtyConvs.has(c.id) && !force) continue;
      this.sentConvPackets[c.id] = c.packets;
      convs.push({
        id: c.id, protocol: c.protocol, client: c.client, server: c.server, clientHost: c.clientHost,
        serverHost: c.serverHost, clientPort: c.clientPort, serverPort: c.serverPort, firstFrame: c.firstFrame,
        lastFrame: c.lastFrame, packets: c.packets,
        bytes: c.bytes, tcpStream: c.tcpStream, app: c.app, title: c.title, notes: { ...c.notes },
        hs: this.handshakes.get(c.id),
      });
    }
    this.dirtyConvs.clear();
    const hosts = { from: this.sentHosts, names: m.hosts.slice(this.sentHosts) };
    this.sentHosts = m.hosts.length;
    let hostNames: [string, string][] = [];
    const names = this.liveHostNames();
    if (names.size !== this.sentHostNames || force) {
      hostNames = [...names];
      this.sentHostNames = names.size;
    }
    post({ type: 'batch', frames, events, convs, hosts, hostNames, summary: this.summary() }, transfer);
  }

  /** DNS answers seen so far (the model's map is filled at finish; the DNS analyzer knows them earlier). */
  private liveHostNames(): Map<string, string> {
    const an = this.an!;
    if (an.model.hostNames.size || this.done) return an.model.hostNames;
    try {
      return an.dns.hostNames();
    } catch {
      return an.model.hostNames;
    }
  }

  // ---- frames on demand -----------------------------------------------------------------------------------------

  /** RawFrames of the given frame numbers (1-based) whose bytes can be had; re-reads the file when needed. */
  async rawFrames(numbers: number[]): Promise<Map<number, RawFrame>> {
    const out = new Map<number, RawFrame>();
    const an = this.an;
    if (!an) return out;
    const f = an.model.frames;
    const missing: number[] = [];
    for (const n of numbers) {
      if (n < 1 || n > f.count) continue;
      const kept = this.arena?.get(n - 1);
      if (kept) out.set(n, this.frameOf(n, kept));
      else if (!this.arena && this.reader.info.format) missing.push(n);
    }
    // Re-read contiguous runs of frames with one request each (at most 2 MiB per request).
    missing.sort((a, b) => a - b);
    let i = 0;
    while (i < missing.length) {
      const start = f.fileOffsetOf(missing[i] - 1);
      let j = i;
      while (j + 1 < missing.length) {
        const next = missing[j + 1] - 1;
        const end = f.fileOffsetOf(next) + f.capturedLengthOf(next) + 64;
        if (end - start > 2 << 20 || f.fileOffsetOf(next) < start) break;
        j++;
      }
      const last = missing[j] - 1;
      const length = f.fileOffsetOf(last) + f.capturedLengthOf(last) + 64 - start;
      const buf = await readRange(start, length);
      if (buf) {
        for (let k = i; k <= j; k++) {
          const row = missing[k] - 1;
          const rel = f.fileOffsetOf(row) - start;
          const rec = buf.subarray(rel);
          const at = locatePacketData(rec, this.reader.info.format!, f.capturedLengthOf(row));
          if (at >= 0) out.set(missing[k], this.frameOf(missing[k], rec.subarray(at, at + f.capturedLengthOf(row))));
        }
      }
      i = j + 1;
    }
    return out;
  }

  private frameOf(n: number, bytes: Uint8Array): RawFrame {
    const row = n - 1, x = this.extra, f = this.an!.model.frames;
    return {
      index: n, timestamp: x.tsSec[row] + x.tsNsec[row] / 1e9, tsSec: x.tsSec[row], tsNsec: x.tsNsec[row],
      linkType: x.linkType[row], bytes, originalLength: f.originalLengthOf(row), interface: x.iface[row],
      fileOffset: f.fileOffsetOf(row),
    };
  }

  /** A label from the columns alone, for frames whose bytes are not available. */
  fallbackLabel(n: number): string {
    const m = this.an!.model, f = m.frames, row = n - 1;
    const conv = f.conversation[row];
    const proto = conv >= 0 ? m.conversations[conv]?.protocol.toUpperCase() : 'Frame';
    const sp = f.srcPortOf(row), dp = f.dstPortOf(row);
    const ports = sp || dp ? ` ${sp} → ${dp}` : '';
    return `${proto}${ports} Len=${f.originalLengthOf(row)}`;
  }

  async labels(numbers: Int32Array): Promise<string[]> {
    const frames = await this.rawFrames(Array.from(numbers));
    const an = this.an;
    return Array.from(numbers, (n) => {
      const raw = frames.get(n);
      if (raw && an) {
        try {
          return an.summarizeFrame(raw).label;
        } catch {
          // fall through to the column label
        }
      }
      return this.an && n >= 1 && n <= this.an.model.frames.count ? this.fallbackLabel(n) : '';
    });
  }

  async details(n: number): Promise<FrameDetails> {
    const an = this.an!;
    const raw = (await this.rawFrames([n])).get(n);
    const row = n - 1;
    const catIdx = this.extra.cat[row];
    let label = this.fallbackLabel(n);
    let category: FrameCategory = CATEGORIES[catIdx] ?? 'other';
    let layers: LayerNodeView[] = [];
    let note: string | undefined;
    if (raw) {
      try {
        ({ label, category } = an.summarizeFrame(raw));
        layers = an.describeFrame(raw);
      } catch (e) {
        note = `could not decode this frame: ${(e as Error).message}`;
      }
    } else {
      note = this.arena?.full
        ? `The bytes of this frame were not kept: compressed captures keep at most ${KEEP_LIMIT >> 20} MiB of frames.`
        : 'The bytes of this frame could not be read again from the file.';
    }
    const events = an.model.timeline.eventsOfFrame(n).map((e) => {
      let explanation = '';
      try {
        explanation = an.explainEvent(e.id);
      } catch {
        explanation = '';
      }
      return { id: e.id, kind: e.kind, explanation };
    });
    const conv = an.model.frames.conversation[row];
    let tcp: TcpStateView | null = null;
    if (conv >= 0 && an.model.conversations[conv]?.protocol === 'tcp') {
      try {
        const m = an.tcpStateAt(conv, n);
        tcp = m ? { ...m, clientWindow: m.clientWindow ?? -1, serverWindow: m.serverWindow ?? -1 } : null;
      } catch {
        tcp = null;
      }
    }
    const bytes = raw ? raw.bytes.slice() : null;
    return { frame: n, label, category, layers, bytes, events, tcp, note };
  }

  filter(expr: string): { mask: Uint8Array | null; error: string | null; matches: number } {
    const an = this.an;
    if (!an) return { mask: null, error: null, matches: 0 };
    const m = an.model, f = m.frames, tl = m.timeline;
    // The endpoint and length columns are copies (~16 B a frame): made only when a predicate first reads them, not
    // for an empty expression, one that does not compile, or one that uses no such field.
    let ends: ReturnType<typeof f.endpointColumns> | null = null, len: Uint32Array | null = null;
    const endpoints = () => (ends ??= f.endpointColumns());
    const cols: FilterColumns = {
      count: f.count, time: f.time, proto: f.proto, conv: f.conversation, hosts: m.hosts, hostNames: this.liveHostNames(),
      convs: m.conversations, eventCount: tl.count, eventKind: tl.kind, eventFrame: tl.frame,
      get len() { return (len ??= f.originalLengths()); },
      get src() { return endpoints().src; },
      get dst() { return endpoints().dst; },
      get srcPort() { return endpoints().srcPort; },
      get dstPort() { return endpoints().dstPort; },
    };
    try {
      const pred = compileFilter(expr, cols);
      if (!pred) return { mask: null, error: null, matches: f.count };
      const { mask, matches } = filterMask(pred, f.count);
      return { mask, error: null, matches };
    } catch (e) {
      if (e instanceof FilterError) return { mask: null, error: `${e.message} (at ${e.position + 1})`, matches: 0 };
      return { mask: null, error: (e as Error).message, matches: 0 };
    }
  }
}

// ---- reads through the UI thread (it owns the file source) ------------------------------------------------------

let nextReq = 1;
const pendingReads = new Map<number, (b: Uint8Array | null) => void>();
function readRange(offset: number, length: number): Promise<Uint8Array | null> {
  const req = nextReq++;
  return new Promise((resolve) => {
    pendingReads.set(req, resolve);
    post({ type: 'read', req, offset, length });
  });
}

let session: Session | null = null;

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  try {
    switch (m.type) {
      case 'open':
        session = new Session(m.name, m.size, m.live);
        break;
      case 'chunk':
        if (!session) return;
        session.push(new Uint8Array(m.bytes));
        post({ type: 'ack', bytesRead: session.bytesRead });
        if (m.last) session.end();
        break;
      case 'end':
        session?.end();
        break;
      case 'readResult': {
        const r = pendingReads.get(m.req);
        pendingReads.delete(m.req);
        r?.(m.bytes ? new Uint8Array(m.bytes) : null);
        break;
      }
      case 'labels': {
        const s = session;
        if (!s) return;
        void s.labels(m.frames).then((labels) => post({ type: 'labels', req: m.req, frames: m.frames, labels }));
        break;
      }
      case 'details': {
        const s = session;
        if (!s?.an) return;
        void s.details(m.frame).then((details) => {
          const transfer = details.bytes ? [details.bytes.buffer as ArrayBuffer] : [];
          post({ type: 'details', req: m.req, details }, transfer);
        });
        break;
      }
      case 'filter': {
        const r = session ? session.filter(m.expr) : { mask: null, error: null, matches: 0 };
        post({ type: 'filter', req: m.req, ...r }, r.mask ? [r.mask.buffer] : []);
        break;
      }
    }
  } catch (e) {
    post({ type: 'error', message: (e as Error).stack ?? String(e) });
  }
};

post({ type: 'ready' });
