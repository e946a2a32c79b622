// The capture host: the process that holds libpcap (cap) or the dumpcap/tcpdump child, writes the pcapng file and
// streams it to its parent. It is the Electron utility process (electron/capture-process.ts) in the app and a plain
// Node child (`packetflow capture --host`) for the CLI, the benchmark and tests. Keeping capture in its own process
// keeps it off the UI's event loop and contains cap, which aborts its process when a device disappears.
import { LiveCaptureError } from './errors';
import { checkRequest, type HostMessage, type HostRequest } from './protocol';
import { LiveCaptureSession } from './session';
import { availability, listDevices, validateFilter } from './sources';

/** How the host talks to its parent, whichever kind of process it is. */
export interface HostPort {
  post(msg: HostMessage): void;
  onMessage(fn: (msg: unknown) => void): void;
  /** The parent went away. */
  onDisconnect(fn: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', fn: (e: { data: unknown }) => void): void;
}

/** The parent channel: Electron's process.parentPort in a utility process, else Node's IPC channel; null if none. */
export function detectHostPort(proc: NodeJS.Process = process): HostPort | null {
  const parentPort = (proc as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return {
      post: (m) => parentPort.postMessage(m),
      onMessage: (fn) => parentPort.on('message', (e) => fn(e.data)),
      onDisconnect: () => { /* Electron ends utility processes with the app */ },
    };
  }
  if (typeof proc.send === 'function') {
    return {
      post: (m) => { if (proc.connected) proc.send!(m); },
      onMessage: (fn) => proc.on('message', fn),
      onDisconnect: (fn) => proc.on('disconnect', fn),
    };
  }
  return null;
}

export interface HostOptions {
  /** Pieces not yet acknowledged may hold at most this many bytes; beyond, pieces are refused (our drops). */
  maxUnackedBytes?: number;
  countersIntervalMs?: number;
  application?: string;
  /** Called when the host has nothing left to do (the parent left); defaults to process.exit. */
  exit?: (code: number) => void;
}

/** Serves requests until the parent disconnects. One capture at a time. */
export function runCaptureHost(port: HostPort, opts: HostOptions = {}): void {
  const maxUnacked = opts.maxUnackedBytes ?? 256 * 2 ** 20;
  let session: LiveCaptureSession | null = null;
  let seq = 0;
  const unacked: { seq: number; bytes: number }[] = [];
  let unackedBytes = 0;
  const exit = opts.exit ?? ((code: number) => process.exit(code));

  const reply = (id: number, value: unknown) => port.post({ type: 'reply', id, ok: true, value });
  const fail = (id: number, e: unknown) => {
    const err = e instanceof LiveCaptureError ? e : new LiveCaptureError('internal', (e as Error)?.message ?? String(e));
    port.post({ type: 'reply', id, ok: false, code: err.code, message: err.message });
  };

  const handle = async (req: HostRequest) => {
    switch (req.type) {
      case 'ack':
        while (unacked.length && unacked[0].seq <= req.seq) unackedBytes -= unacked.shift()!.bytes;
        return;
      case 'list':
        return reply(req.id, listDevices());
      case 'availability':
        return reply(req.id, availability());
      case 'validate':
        return reply(req.id, validateFilter(req.filter, req.device));
      case 'start': {
        if (session) return fail(req.id, new LiveCaptureError('bad-argument', 'a capture is already running'));
        seq = 0;
        const stream = req.stream;
        const s = await LiveCaptureSession.start(req.options, {
          onPiece: (bytes, frames, firstFrame) => {
            if (!stream) return true;
            if (unackedBytes + bytes.length > maxUnacked && frames > 0) return false;
            const n = ++seq;
            unacked.push({ seq: n, bytes: bytes.length });
            unackedBytes += bytes.length;
            port.post({ type: 'piece', seq: n, bytes, frames, firstFrame });
            return true;
          },
          onCounters: (counters) => port.post({ type: 'counters', counters }),
          countersIntervalMs: opts.countersIntervalMs,
        }, { application: opts.application });
        session = s;
        void s.finished.then((summary) => {
          port.post({ type: 'ended', summary });
          session = null;
        });
        return reply(req.id, s.started);
      }
      case 'stop': {
        if (!session) return reply(req.id, null);
        return reply(req.id, await session.stop());
      }
    }
  };

  port.onMessage((raw) => {
    const req = checkRequest(raw);
    if (typeof req === 'string') {
      const id = (raw as { id?: unknown })?.id;
      if (Number.isInteger(id)) fail(id as number, new LiveCaptureError('bad-argument', req));
      return;
    }
    handle(req).catch((e) => {
      if ('id' in req) fail(req.id, e);
    });
  });
  port.onDisconnect(() => {
    // The parent is gone: finish the file properly (statistics block, close) before leaving.
    const s = session;
    if (s) void s.stop().finally(() => exit(0));
    else exit(0);
  });
  port.post({ type: 'ready', pid: process.pid });
}
