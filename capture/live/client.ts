// The parent's side of a capture host process: requests with replies, the pcapng stream, counters, and what to say
// when the host dies (cap aborts its process when a device disappears). Node-only.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { RawFrame } from '../frame';
import { CaptureReader } from '../reader';
import { LiveCaptureError } from './errors';
import type { Availability, FilterVerdict, HostMessage, HostRequest } from './protocol';
import type { CaptureCounters, CaptureStarted, CaptureSummary, DeviceInfo, LiveCaptureOptions } from './types';

/** A host process as the client sees it: Node's ChildProcess and Electron's UtilityProcess both fit. */
export interface HostProcess {
  send(msg: HostRequest): void;
  onMessage(fn: (msg: HostMessage) => void): void;
  onExit(fn: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  /** Last lines the host wrote to stderr (for a crash report), if captured. */
  stderrTail?(): string;
}

/** Starts a host as a Node child process: `node modulePath ...args` with an IPC channel. */
export function forkNodeHost(modulePath: string, args: string[] = [], opts: { execPath?: string; execArgv?: string[] } = {}):
  HostProcess {
  const child = fork(modulePath, args, {
    serialization: 'advanced', // Uint8Array pieces cross as bytes, not as JSON objects
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    ...opts,
  });
  return hostProcessOf(child);
}

/** Wraps a child process that runs the capture host (forked here, or spawned by the caller, e.g. in a namespace). */
export function hostProcessOf(child: ChildProcess): HostProcess {
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => { tail = (tail + d).slice(-4000); });
  return {
    send: (m) => { if (child.connected) child.send(m); },
    onMessage: (fn) => child.on('message', (m) => fn(m as HostMessage)),
    onExit: (fn) => child.on('exit', (code, signal) => fn(code, signal)),
    kill: () => { child.kill(); },
    stderrTail: () => tail,
  };
}

export interface StreamHandlers {
  /** A piece of the capture's pcapng stream (seq from 1); the host waits for acknowledgements beyond a bound. */
  onPiece?(bytes: Uint8Array, frames: number, firstFrame: number, seq: number): void;
  /**
   * The same stream as frames (RawFrame, exact timestamps), read back with the file reader. Bytes are valid only
   * during the call.
   */
  onFrames?(frames: RawFrame[]): void;
  onCounters?(c: CaptureCounters): void;
}

export class CaptureHostClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private handlers: StreamHandlers = {};
  private reader: CaptureReader | null = null;
  private lastCounters: CaptureCounters | null = null;
  private started: CaptureStarted | null = null;
  private endedResolve: ((s: CaptureSummary) => void) | null = null;
  private exited = false;
  /** Resolves when the current capture ends (stop, count reached, error, or the host dying). */
  ended: Promise<CaptureSummary> = new Promise(() => undefined);
  readonly ready: Promise<number>;

  constructor(private readonly proc: HostProcess, private readonly deviceExists = linuxDeviceExists) {
    let readyResolve!: (pid: number) => void;
    this.ready = new Promise((r) => { readyResolve = r; });
    proc.onMessage((m) => {
      switch (m.type) {
        case 'ready':
          return readyResolve(m.pid);
        case 'reply': {
          const p = this.pending.get(m.id);
          if (!p) return;
          this.pending.delete(m.id);
          return m.ok ? p.resolve(m.value) : p.reject(new LiveCaptureError(m.code, m.message));
        }
        case 'piece':
          this.handlers.onPiece?.(m.bytes, m.frames, m.firstFrame, m.seq);
          if (this.reader) {
            const frames = this.reader.push(m.bytes);
            if (frames.length) this.handlers.onFrames?.(frames);
          }
          // Acknowledge once handled: a slow consumer makes the host refuse pieces instead of growing without bound.
          return proc.send({ type: 'ack', seq: m.seq });
        case 'counters':
          this.lastCounters = m.counters;
          return this.handlers.onCounters?.(m.counters);
        case 'ended':
          if (this.reader) {
            const rest = this.reader.end();
            if (rest.length) this.handlers.onFrames?.(rest);
            this.reader = null;
          }
          this.started = null;
          this.endedResolve?.(m.summary);
          this.endedResolve = null;
      }
    });
    proc.onExit((code, signal) => {
      this.exited = true;
      const why = `the capture process ended unexpectedly (${signal ?? `exit code ${code}`})`;
      for (const p of this.pending.values()) p.reject(new LiveCaptureError('internal', why));
      this.pending.clear();
      if (this.started && this.endedResolve) this.endedResolve(this.crashSummary(this.started, why));
      this.endedResolve = null;
    });
  }

  listDevices(): Promise<DeviceInfo[]> {
    return this.request({ type: 'list', id: 0 }) as Promise<DeviceInfo[]>;
  }

  availability(): Promise<Availability> {
    return this.request({ type: 'availability', id: 0 }) as Promise<Availability>;
  }

  validateFilter(filter: string, device: string | null): Promise<FilterVerdict> {
    return this.request({ type: 'validate', id: 0, filter, device }) as Promise<FilterVerdict>;
  }

  /** Starts a capture; `stream: false` skips the pcapng pieces (the CLI only needs the file and the counters). */
  async start(options: LiveCaptureOptions, handlers: StreamHandlers = {}, stream = true): Promise<CaptureStarted> {
    this.handlers = handlers;
    this.reader = handlers.onFrames ? new CaptureReader(`live capture on ${String(options.device)}`) : null;
    this.lastCounters = null;
    this.ended = new Promise((r) => { this.endedResolve = r; });
    const started = await this.request({ type: 'start', id: 0, options, stream }) as CaptureStarted;
    this.started = started;
    return started;
  }

  /** Stops the capture; resolves with its summary (also what `ended` resolves to). */
  async stop(): Promise<CaptureSummary | null> {
    if (!this.started) return null;
    const ended = this.ended;
    try {
      await this.request({ type: 'stop', id: 0 });
    } catch { /* the host died: `ended` carries the crash summary */ }
    return ended;
  }

  /** Ends the host process. */
  close(): void {
    if (!this.exited) this.proc.kill();
  }

  private request(msg: Exclude<HostRequest, { type: 'ack' }>): Promise<unknown> {
    if (this.exited) return Promise.reject(new LiveCaptureError('internal', 'the capture process is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.send({ ...msg, id } as HostRequest);
    });
  }

  private crashSummary(s: CaptureStarted, why: string): CaptureSummary {
    const gone = s.device.split(',').filter((d) => this.deviceExists(d) === false);
    const counters: CaptureCounters = this.lastCounters ?? {
      source: s.source, packets: 0, bytes: 0, kernelDropped: null, interfaceDropped: null, ourDropped: 0,
      packetRate: 0, byteRate: 0, elapsedMs: 0,
    };
    const kept = s.outputFile ? ` Everything captured until then is in ${s.outputFile}.` : '';
    return {
      counters,
      outputFile: s.outputFile,
      fileBytes: s.outputFile ? fileSize(s.outputFile) : 0,
      error: gone.length
        ? { code: 'device-vanished', message: `The device ${gone.join(', ')} disappeared during the capture.${kept}` }
        : { code: 'source-failed', message: `The capture stopped: ${why}.${kept}` },
    };
  }
}

/** Whether a network device exists (Linux /sys/class/net), or null where that cannot be told this way. */
export function linuxDeviceExists(name: string): boolean | null {
  if (process.platform !== 'linux' || name === 'any' || name.includes('/')) return null;
  return existsSync(`/sys/class/net/${name}`);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
