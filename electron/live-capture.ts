// Main-process side of live capture and replay (the LiveCaptureHandlers main.ts registers on IPC).
// Capture runs in a utility process per capture (capture/live/host.ts via electron/capture-process.ts); main only
// relays its pcapng pieces and counters to the renderer, which reads them with the same reader as files.
// Replay reads an opened file here and releases its frames at their original pacing (capture/replay.ts).
import { concatBytes } from '../capture/pcap-writer';
import { copyFile, mkdir, open } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CaptureEnded, CaptureInterface, CaptureOptions, CaptureStarted, CaptureStats, FilterCheck, LiveCaptureHandlers,
  LiveCaptureHost, ReplayOptions,
} from './ipc-contract';
import { CaptureHostClient, type HostProcess } from '../capture/live/client';
import { findTool } from '../capture/live/pipe-source';
import { nodeRequire } from '../capture/live/node-require';
import type { CaptureCounters, CaptureSummary } from '../capture/live/types';
import { openFileFrameSource, type FileFrameSource } from '../capture/live/file-frames';
import { checkSpeed, Replayer, realClock, type ReplayClock } from '../capture/replay';
import { PcapngWriter } from '../capture/pcapng-writer';
import type { RawFrame } from '../capture/frame';
import type { CaptureReaderInfo } from '../capture/reader';

export interface LiveCaptureDeps {
  /** Starts a capture host process (Electron: utilityProcess.fork of host.captureProcessPath). */
  startHost(): HostProcess;
  /** Whether capture can be offered without starting anything (cap built, or dumpcap/tcpdump installed). */
  canCapture(): boolean;
  clock: ReplayClock;
  now(): number;
  /** How often counters go to the renderer (ms). */
  statsIntervalMs: number;
  /** The utility process answering list/validate quits after this long without requests (ms). */
  serviceIdleMs: number;
}

interface CaptureSession {
  kind: 'capture';
  id: number;
  client: CaptureHostClient;
  file: string;
  paused: boolean;
  /** cap cannot report kernel drops. */
  kernelUnknown: boolean;
  last: CaptureCounters | null;
  summary: Promise<CaptureSummary>;
}

interface ReplaySession {
  kind: 'replay';
  id: number;
  replayer: Replayer;
  source: FileFrameSource;
  file: string;
  /** Ends the replay (stopped, finished or failed) and tells the renderer; idempotent. */
  finish(error: string | null): void;
}

const SPEED_ERR = 'replay speed must be between 0.1 and 100';

export function createLiveCapture(host: LiveCaptureHost, deps: Partial<LiveCaptureDeps> = {}): LiveCaptureHandlers {
  const d: LiveCaptureDeps = {
    startHost: deps.startHost ?? (() => forkUtilityHost(host.captureProcessPath)),
    canCapture: deps.canCapture ?? defaultCanCapture,
    clock: deps.clock ?? realClock,
    now: deps.now ?? Date.now,
    statsIntervalMs: deps.statsIntervalMs ?? 500,
    serviceIdleMs: deps.serviceIdleMs ?? 60_000,
  };
  const sessions = new Map<number, CaptureSession | ReplaySession>();
  /** Files of every session, running or ended, for "Save as…" after stopping. */
  const files = new Map<number, string>();
  let nextSession = 1;
  let service: { client: CaptureHostClient; idle: ReturnType<typeof setTimeout> | null } | null = null;

  /** A host for list/validate, kept for a while (starting a utility process takes ~100 ms). */
  const serviceClient = (): CaptureHostClient => {
    if (!service) service = { client: new CaptureHostClient(d.startHost()), idle: null };
    if (service.idle) clearTimeout(service.idle);
    const s = service;
    s.idle = setTimeout(() => {
      s.client.close();
      if (service === s) service = null;
    }, d.serviceIdleMs);
    s.idle.unref?.();
    return s.client;
  };
  const dropService = () => {
    if (!service) return;
    if (service.idle) clearTimeout(service.idle);
    service.client.close();
    service = null;
  };

  const captureSession = (id: number): CaptureSession => {
    const s = sessions.get(checkSession(id));
    if (!s || s.kind !== 'capture') throw new Error(`no live capture session ${id}`);
    return s;
  };
  const replaySession = (id: number): ReplaySession => {
    const s = sessions.get(checkSession(id));
    if (!s || s.kind !== 'replay') throw new Error(`no replay session ${id}`);
    return s;
  };

  /** `kernelUnknown` says whether the source can report kernel drops before its first counters arrive. */
  const stats = (id: number, c: CaptureCounters | null, paused: boolean, kernelUnknown = false): CaptureStats => ({
    session: id,
    captured: c?.packets ?? 0,
    droppedKernel: (c?.kernelDropped ?? 0) + (c?.interfaceDropped ?? 0),
    ...((c ? c.kernelDropped === null : kernelUnknown) ? { droppedKernelUnknown: true } : {}),
    droppedOurs: c?.ourDropped ?? 0,
    bytes: c?.bytes ?? 0,
    rate: c?.packetRate ?? 0,
    elapsedMs: c?.elapsedMs ?? 0,
    paused,
  });

  return {
    available: () => d.canCapture(),

    async listInterfaces(): Promise<CaptureInterface[]> {
      try {
        const devices = await serviceClient().listDevices();
        return devices.map((dev) => ({
          name: dev.name,
          ...(dev.description ? { description: dev.description } : {}),
          addresses: dev.addresses.map((a) => a.addr),
          loopback: dev.loopback,
        }));
      } catch (e) {
        dropService();
        throw e;
      }
    },

    async validateFilter(filter: string, device: string): Promise<FilterCheck> {
      checkText(filter, 'filter', 4096);
      checkText(device, 'device', 256);
      let verdict;
      try {
        verdict = await serviceClient().validateFilter(filter, device || null);
      } catch (e) {
        dropService();
        throw e;
      }
      // A check through cap may leave a half-open handle in that process: start a fresh one next time.
      if (verdict.ok !== true || verdict.checkedBy === 'cap') dropService();
      if (verdict.ok === false) return { ok: false, message: verdict.message };
      // Unknown (nothing here can compile filters without capturing): let libpcap judge at start.
      return { ok: true };
    },

    async start(options: CaptureOptions): Promise<CaptureStarted> {
      checkCaptureOptions(options);
      await mkdir(host.capturesDir, { recursive: true });
      const stamp = new Date(d.now()).toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
      const file = join(host.capturesDir, `live-${options.device.replace(/[^\w.-]/g, '_')}-${stamp}.pcapng`);
      const id = nextSession++;
      const client = new CaptureHostClient(d.startHost());
      let seq = 0;
      // The host sends the stream's header piece before its start reply: hold everything until the renderer has the
      // session id (it gets start()'s result first, since IPC keeps order and we emit on a later turn).
      let held: (() => void)[] | null = [];
      const emit = (fn: () => void) => (held ? held.push(fn) : fn());
      const session: CaptureSession = {
        kind: 'capture', id, client, file, paused: false, kernelUnknown: false, last: null, summary: client.ended,
      };
      let started;
      try {
        started = await client.start({
          device: options.device, filter: options.filter, snaplen: options.snaplen,
          promiscuous: options.promiscuous, outputFile: file,
        }, {
          onPiece: (bytes, frames) => emit(() => host.emit('capture.frames', { session: id, seq: seq++, bytes, frames })),
          onCounters: (c) => {
            session.last = c;
            emit(() => host.emit('capture.stats', stats(id, c, session.paused)));
          },
        });
      } catch (e) {
        client.close();
        throw e;
      }
      session.summary = client.ended;
      session.kernelUnknown = started.source === 'cap';
      sessions.set(id, session);
      files.set(id, file);
      void client.ended.then((summary) => {
        const ended: CaptureEnded = {
          session: id,
          error: summary.error?.message ?? null,
          ...(summary.error?.code === 'permission' ? { hint: hintOf(summary.error.message) } : {}),
          stats: stats(id, summary.counters, session.paused),
          file: summary.outputFile,
        };
        emit(() => host.emit('capture.ended', ended));
        client.close();
      });
      setImmediate(() => {
        const queue = held ?? [];
        held = null;
        for (const fn of queue) fn();
      });
      const via = started.fallbackReason ? ` (${started.fallbackReason})` : '';
      return {
        session: id, source: started.source, file,
        description: `capturing on ${started.device} with ${started.source}${via}` +
          `${started.filter ? `, filter "${started.filter}"` : ''}`,
      };
    },

    async pause(id: number, paused: boolean): Promise<void> {
      const s = captureSession(id);
      if (typeof paused !== 'boolean') throw new TypeError('paused must be a boolean');
      // Capture and decoding go on; only the display holds still (the renderer reads `paused` from the stats).
      s.paused = paused;
      host.emit('capture.stats', stats(id, s.last, paused, s.kernelUnknown));
    },

    async stop(id: number): Promise<CaptureStats | null> {
      const s = sessions.get(checkSession(id));
      if (!s) return null;
      if (s.kind === 'replay') {
        s.finish(null);
        return stats(id, s.replayer.counters(), false);
      }
      const summary = await s.client.stop() ?? await s.summary;
      sessions.delete(id);
      return stats(id, summary.counters, s.paused);
    },

    async saveAs(id: number): Promise<string | null> {
      const file = files.get(checkSession(id));
      if (!file) throw new Error(`no capture session ${id}`);
      const dest = await host.showSaveDialog(file.slice(file.lastIndexOf('/') + 1));
      if (!dest) return null;
      await copyFile(file, dest);
      // A capture still running may be mid-write: keep only complete blocks in the copy.
      await truncateToCompleteBlocks(dest);
      return dest;
    },

    async startReplay(options: ReplayOptions): Promise<CaptureStarted> {
      if (typeof options !== 'object' || options === null) throw new TypeError('replay options required');
      checkSession(options.handle);
      try {
        checkSpeed(options.speed);
      } catch {
        throw new RangeError(SPEED_ERR);
      }
      const path = host.pathOfHandle(options.handle);
      if (!path) throw new Error(`no opened capture ${options.handle}`);
      const source = await openFileFrameSource(path);
      const id = nextSession++;
      const encoder = new ReplayEncoder(source.info);
      let seq = 0;
      const replayer: Replayer = new Replayer(source, {
        speed: options.speed,
        clock: d.clock,
        onFrames: (frames) => {
          const bytes = encoder.encode(frames);
          host.emit('capture.frames', { session: id, seq: seq++, bytes, frames: frames.length });
        },
        onEnd: () => finishReplay(null),
        onError: (e) => finishReplay(e.message),
      });
      const timer = setInterval(() => {
        host.emit('capture.stats', stats(id, replayer.counters(), replayer.state === 'paused'));
      }, d.statsIntervalMs);
      timer.unref?.();
      let finished = false;
      function finishReplay(error: string | null) {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        replayer.stop();
        void source.close();
        host.emit('capture.ended', { session: id, error, stats: stats(id, replayer.counters(), false), file: path });
        sessions.delete(id);
      }
      sessions.set(id, { kind: 'replay', id, replayer, source, file: path, finish: finishReplay });
      files.set(id, path);
      setImmediate(() => replayer.start()); // after the renderer has the session id
      return { session: id, source: 'replay', file: path, description: `replaying ${path} at ${options.speed}×` };
    },

    async pauseReplay(id: number, paused: boolean): Promise<void> {
      const s = replaySession(id);
      if (typeof paused !== 'boolean') throw new TypeError('paused must be a boolean');
      if (paused) s.replayer.pause();
      else s.replayer.resume();
      host.emit('capture.stats', stats(id, s.replayer.counters(), paused));
    },

    async setReplaySpeed(id: number, speed: number): Promise<void> {
      const s = replaySession(id);
      try {
        s.replayer.setSpeed(speed);
      } catch {
        throw new RangeError(SPEED_ERR);
      }
    },

    dispose(): void {
      dropService();
      for (const s of sessions.values()) {
        if (s.kind === 'replay') s.finish(null);
        else {
          // Stopping lets the host write the statistics block and close the file; it then exits with its parent.
          void s.client.stop().finally(() => s.client.close());
        }
      }
      sessions.clear();
    },
  };
}

/** Re-encodes replayed frames as pcapng pieces (section and interface blocks first, key logs as they appear). */
export class ReplayEncoder {
  private readonly w = new PcapngWriter();
  private ifaces = 0;
  private secrets = 0;
  private started = false;

  constructor(private readonly info: CaptureReaderInfo) {}

  encode(frames: RawFrame[]): Uint8Array {
    const parts: Uint8Array[] = [];
    if (!this.started) {
      this.started = true;
      parts.push(this.w.header({ application: 'PacketFlow replay', comment: 'replayed capture' }));
    }
    const maxIface = frames.reduce((m, f) => Math.max(m, f.interface), -1);
    while (this.ifaces <= maxIface) {
      const i = this.info.interfaces[this.ifaces];
      parts.push(this.w.interface({
        linkType: i?.linkType ?? frames.find((f) => f.interface === this.ifaces)?.linkType ?? 1,
        snaplen: i?.snaplen ?? 262144, name: i?.name, description: i?.description, tsresol: 9,
      }));
      this.ifaces++;
    }
    while (this.secrets < this.info.secrets.length) {
      const s = this.info.secrets[this.secrets++];
      parts.push(this.w.secrets(s.text, s.type));
    }
    for (const f of frames) {
      parts.push(this.w.packet({ interface: f.interface, tsSec: f.tsSec, tsNsec: f.tsNsec, bytes: f.bytes,
        originalLength: f.originalLength, ...(f.comments ? { comments: f.comments } : {}) }));
    }
    return concatBytes(parts);
  }
}

/** Cuts a pcapng file (little-endian, as we write it) after its last complete block. */
export async function truncateToCompleteBlocks(path: string): Promise<number> {
  const fh = await open(path, 'r+');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(8);
    let at = 0;
    while (at + 12 <= size) {
      await fh.read(head, 0, 8, at);
      const len = head.readUInt32LE(4);
      if (len < 12 || len % 4 !== 0 || at + len > size) break;
      at += len;
    }
    if (at < size) await fh.truncate(at);
    return at;
  } finally {
    await fh.close();
  }
}

function checkSession(id: unknown): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > 0xffffffff) {
    throw new TypeError('session must be a positive integer');
  }
  return id;
}

function checkText(v: unknown, name: string, max: number): void {
  if (typeof v !== 'string' || v.length > max || v.includes('\0')) throw new TypeError(`${name} must be a string`);
}

function checkCaptureOptions(o: CaptureOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('capture options required');
  checkText(o.device, 'device', 256);
  if (o.device === '') throw new TypeError('device must not be empty');
  checkText(o.filter, 'filter', 4096);
  if (!Number.isInteger(o.snaplen) || o.snaplen < 1 || o.snaplen > 262144) throw new RangeError('snaplen must be 1..262144');
  if (typeof o.promiscuous !== 'boolean') throw new TypeError('promiscuous must be a boolean');
}

function hintOf(message: string): string | undefined {
  const m = /(sudo setcap [^)]*?\S+)(?= \(check| or|\.|$)/.exec(message);
  return m?.[1];
}

function defaultCanCapture(): boolean {
  try {
    if (existsSync(join(nodeRequire().resolve('cap'), '../../build/Release/cap.node'))) return true;
  } catch { /* not installed */ }
  return findTool('dumpcap') !== null || findTool('tcpdump') !== null;
}

/** The capture host as an Electron utility process (Electron is required lazily: tests run without it). */
export function forkUtilityHost(modulePath: string): HostProcess {
  const { utilityProcess } = nodeRequire()('electron') as typeof import('electron');
  const child = utilityProcess.fork(modulePath, [], { serviceName: 'PacketFlow capture', stdio: 'pipe' });
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => { tail = (tail + d.toString()).slice(-4000); });
  return {
    send: (m) => child.postMessage(m),
    onMessage: (fn) => child.on('message', (m) => fn(m as never)),
    onExit: (fn) => child.on('exit', (code) => fn(code, null)),
    kill: () => { child.kill(); },
    stderrTail: () => tail,
  };
}
