// One live capture: its sources (one per device), the pcapng stream they feed (file + viewer), counters and stopping.
// Node-only. Runs inside a capture host process (capture/live/host.ts) in the app and the CLI, since cap aborts the
// whole process when a device disappears.
import { arch, release, type } from 'node:os';
import { LiveCaptureError, type ErrorContext } from './errors';
import { PcapngOutput, type PieceSink } from './pcapng-output';
import type { FrameReceiver, LiveSource } from './source';
import { errorContext, openSource } from './sources';
import type { CaptureCounters, CaptureStarted, CaptureSummary, LiveCaptureOptions, LiveSourceKind } from './types';

export const DEFAULTS = {
  snaplen: 262144,
  batchIntervalMs: 50,
  /** A piece is also handed over once this many bytes are pending, so memory stays bounded at any rate. */
  maxPieceBytes: 1 << 20,
};

export interface SessionCallbacks {
  /** Pieces of the pcapng stream (also written to the file). Return false when the piece was not accepted. */
  onPiece?: PieceSink;
  /** Counters, every countersIntervalMs. */
  onCounters?: (c: CaptureCounters) => void;
  countersIntervalMs?: number;
}

export interface SessionDeps {
  errorContext?: ErrorContext;
  /** Application name written to the section header. */
  application?: string;
  now?: () => number;
}

export class LiveCaptureSession {
  readonly started: CaptureStarted;
  /** Resolves when the capture has ended for any reason (stop(), count reached, device gone, disk full). */
  readonly finished: Promise<CaptureSummary>;
  private sources: LiveSource[] = [];
  private packets = 0;
  private bytes = 0;
  private accepting = true;
  private error: { code: LiveCaptureError['code']; message: string } | undefined;
  private stopping: Promise<CaptureSummary> | null = null;
  private resolveFinished!: (s: CaptureSummary) => void;
  private readonly startMs: number;
  private timers: ReturnType<typeof setInterval>[] = [];
  private rateSamples: { t: number; packets: number; bytes: number }[] = [];
  private startTs = { sec: 0, nsec: 0 };
  private lastTs = { sec: 0, nsec: 0 };

  private constructor(private readonly opts: LiveCaptureOptions, private readonly output: PcapngOutput,
    private readonly now: () => number, started: CaptureStarted) {
    this.started = started;
    this.startMs = now();
    this.finished = new Promise((r) => { this.resolveFinished = r; });
  }

  /**
   * Opens every device (nothing is captured unless all open), writes the pcapng header and starts the flow.
   * Throws LiveCaptureError with an actionable message (permission, no device, bad filter, no source, unwritable file).
   */
  static async start(opts: LiveCaptureOptions, cb: SessionCallbacks = {}, deps: SessionDeps = {}):
    Promise<LiveCaptureSession> {
    const devices = Array.isArray(opts.device) ? opts.device : [opts.device];
    if (devices.length === 0 || devices.some((d) => typeof d !== 'string' || d === '')) {
      throw new LiveCaptureError('bad-argument', 'No capture device given');
    }
    const now = deps.now ?? Date.now;
    const ctx = deps.errorContext ?? errorContext();
    const snaplen = opts.snaplen ?? DEFAULTS.snaplen;
    const filter = opts.filter ?? '';
    // Frames arrive before the session object exists only in theory (cap delivers on a later event-loop turn), but a
    // pipe source may deliver with its first chunk: hold them until the output has its header.
    const early: { i: number; ts: number; ns: number; b: Uint8Array; o: number }[] = [];
    let session: LiveCaptureSession | null = null;
    let earlyError: LiveCaptureError | null = null;
    let earlyEnd = false;
    const receivers = devices.map((_, i): FrameReceiver => ({
      frame: (ts, ns, b, o) => session ? session.onFrame(i, ts, ns, b, o) : early.push({ i, ts, ns, b: b.slice(), o }),
      failed: (e) => session ? session.fail(e) : (earlyError ??= e),
      ended: () => session ? session.onSourceEnded() : (earlyEnd = true),
    }));
    const opened: LiveSource[] = [];
    let fallbackReason: string | undefined;
    try {
      for (let i = 0; i < devices.length; i++) {
        const r = await openSource(opts.source ?? 'auto', {
          device: devices[i], filter, snaplen, promiscuous: opts.promiscuous ?? true,
          bufferSize: opts.bufferSize ?? null,
        }, receivers[i], ctx);
        opened.push(r.source);
        fallbackReason ??= r.fallbackReason;
      }
    } catch (e) {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
      throw e;
    }
    let output: PcapngOutput;
    try {
      output = new PcapngOutput({
        file: opts.outputFile ?? null,
        onPiece: cb.onPiece,
        section: {
          application: deps.application ?? 'PacketFlow',
          os: `${type()} ${release()}`,
          hardware: arch(),
          comment: `live capture on ${devices.join(', ')}${filter ? ` with filter "${filter}"` : ''} ` +
            `via ${opened[0].kind}`,
        },
      });
    } catch (e) {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
      throw e;
    }
    output.start(opened.map((s) => ({
      linkType: s.linkType, snaplen: s.snaplen, name: s.device, tsResolution: s.tsResolution,
      description: `captured by ${s.kind}`,
    })));
    const first = opened[0];
    const notes = [...new Set(opened.flatMap((s) => s.notes))];
    const started: CaptureStarted = {
      source: first.kind,
      device: devices.join(','),
      linkType: first.linkType,
      snaplen: first.snaplen,
      filter,
      outputFile: opts.outputFile ?? null,
      ...(fallbackReason ? { fallbackReason } : {}),
      notes,
    };
    const s = new LiveCaptureSession(opts, output, now, started);
    session = s;
    s.sources = opened;
    for (const f of early) s.onFrame(f.i, f.ts, f.ns, f.b, f.o);
    if (earlyError) s.fail(earlyError);
    else if (earlyEnd) s.onSourceEnded();
    s.timers.push(setInterval(() => s.flush(), opts.batchIntervalMs ?? DEFAULTS.batchIntervalMs));
    if (cb.onCounters) s.timers.push(setInterval(() => cb.onCounters!(s.counters()), cb.countersIntervalMs ?? 500));
    return s;
  }

  get kind(): LiveSourceKind {
    return this.started.source;
  }

  counters(): CaptureCounters {
    const t = this.now();
    // Rate over (about) the last second, from samples taken at each call.
    this.rateSamples.push({ t, packets: this.packets, bytes: this.bytes });
    while (this.rateSamples.length > 2 && t - this.rateSamples[1].t >= 1000) this.rateSamples.shift();
    const old = this.rateSamples[0];
    const dt = (t - old.t) / 1000;
    let kernel: number | null = null, iface: number | null = null;
    for (const s of this.sources) {
      const st = s.stats();
      if (st.kernelDropped !== null) kernel = (kernel ?? 0) + st.kernelDropped;
      if (st.interfaceDropped !== null) iface = (iface ?? 0) + st.interfaceDropped;
    }
    return {
      source: this.started.source,
      packets: this.packets,
      bytes: this.bytes,
      kernelDropped: kernel,
      interfaceDropped: iface,
      ourDropped: this.output.refusedFrames,
      packetRate: dt > 0 ? Math.round((this.packets - old.packets) / dt) : 0,
      byteRate: dt > 0 ? Math.round((this.bytes - old.bytes) / dt) : 0,
      elapsedMs: t - this.startMs,
    };
  }

  /** Stops capturing, writes the statistics blocks and closes the file. Safe to call more than once. */
  stop(): Promise<CaptureSummary> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      // Sources deliver what they captured before closing (a pipe's tool flushes on SIGINT): still accepted.
      await Promise.all(this.sources.map((s) => s.close().catch((e) => this.fail(e as LiveCaptureError))));
      this.accepting = false;
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      const end = this.lastTs.sec ? this.lastTs : this.startTs;
      const counters = this.counters();
      this.output.finish(this.sources.map((s, i) => {
        const st = s.stats();
        const mine = this.sources.length === 1 ? this.packets : undefined;
        return {
          interface: i, tsSec: end.sec, tsNsec: end.nsec,
          ...(this.startTs.sec ? { start: this.startTs, end } : {}),
          ...(st.received !== null ? { ifRecv: st.received + (st.kernelDropped ?? 0), filterAccept: st.received } : {}),
          ...(st.kernelDropped !== null ? { osDrop: st.kernelDropped } : {}),
          ...(st.interfaceDropped !== null ? { ifDrop: st.interfaceDropped } : {}),
          ...(mine !== undefined ? { usrDeliv: mine } : {}),
          comment: st.kernelDropped === null ? `kernel drops unknown (${s.kind} does not report them)` : undefined,
        };
      }));
      const summary: CaptureSummary = {
        counters: { ...counters, ourDropped: this.output.refusedFrames },
        outputFile: this.opts.outputFile ?? null,
        fileBytes: this.output.fileBytes,
        ...(this.error ? { error: this.error } : this.output.fileError
          ? { error: { code: this.output.fileError.code, message: this.output.fileError.message } } : {}),
      };
      this.resolveFinished(summary);
      return summary;
    })();
    return this.stopping;
  }

  private onFrame(iface: number, tsSec: number, tsNsec: number, bytes: Uint8Array, originalLength: number): void {
    if (!this.accepting) return;
    if (this.packets === 0) this.startTs = { sec: tsSec, nsec: tsNsec };
    this.lastTs.sec = tsSec;
    this.lastTs.nsec = tsNsec;
    this.output.packet(iface, tsSec, tsNsec, bytes, originalLength);
    this.packets++;
    this.bytes += originalLength;
    if (this.output.bytesPending >= DEFAULTS.maxPieceBytes) this.flush();
    if (this.opts.count !== undefined && this.packets >= this.opts.count) {
      this.accepting = false;
      // Not from inside cap's packet callback: closing it there is legal but stopping is async anyway.
      setImmediate(() => void this.stop());
    }
  }

  private flush(): void {
    this.output.flush();
    if (this.output.fileError && !this.error) {
      this.fail(this.output.fileError);
    }
  }

  private fail(e: LiveCaptureError): void {
    if (!this.error) this.error = { code: e.code, message: e.message };
    this.accepting = false;
    if (!this.stopping) setImmediate(() => void this.stop());
  }

  private onSourceEnded(): void {
    // A pipe that ends on its own (its tool exited) ends the capture; after stop() this is expected.
    if (!this.stopping) setImmediate(() => void this.stop());
  }
}
