// Live frames from `dumpcap -w -` or `tcpdump -w -`: the child writes a capture stream to its stdout and the same
// CaptureReader as for files reads it. Used where cap cannot be loaded, or on request (exact kernel timestamps and
// kernel drop counts, which cap cannot give). Node-only.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { CaptureReader } from '../reader';
import { immediateBufferSize } from './cap-source';
import { LiveCaptureError, translateCaptureError, type ErrorContext } from './errors';
import type { FrameReceiver, LiveSource, OpenSourceOptions, SourceStats } from './source';

export type PipeTool = 'dumpcap' | 'tcpdump';

const DUMPCAP_DRAIN_MS = 400;

const EXTRA_DIRS: Record<string, string[]> = {
  linux: ['/usr/sbin', '/usr/bin', '/sbin', '/usr/local/sbin', '/usr/local/bin'],
  darwin: ['/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin', '/Applications/Wireshark.app/Contents/MacOS'],
  win32: ['C:\\Program Files\\Wireshark'],
};

/** Full path of the tool, or null. Debian keeps tcpdump in /usr/sbin, outside a normal user's PATH. */
export function findTool(tool: PipeTool, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | null {
  const exe = platform === 'win32' ? `${tool}.exe` : tool;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...(EXTRA_DIRS[platform] ?? [])];
  for (const d of dirs) {
    const p = join(d, exe);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Command-line arguments for a capture written to stdout. */
export function pipeArgs(tool: PipeTool, o: OpenSourceOptions): string[] {
  if (tool === 'dumpcap') {
    // dumpcap is not in immediate mode: its ring packs frames densely, so the usual 64 MiB is plenty.
    const bufferSize = o.bufferSize ?? 64 * 2 ** 20;
    // dumpcap takes the buffer in MiB and writes pcapng (nanosecond timestamps when libpcap supports them).
    const args = ['-i', o.device, '-w', '-', '-s', String(o.snaplen), '-B', String(Math.max(1, Math.round(bufferSize / 2 ** 20)))];
    if (!o.promiscuous) args.push('-p');
    if (o.filter) args.push('-f', o.filter);
    return args;
  }
  const bufferSize = o.bufferSize ?? immediateBufferSize(o.device);
  // -U: flush after every packet (we read a pipe, not a file); --immediate-mode: hand packets over at once instead
  // of when a kernel block fills or times out (which also loses a partly filled block on exit); -n: no name
  // lookups; -B in KiB.
  const args = ['-i', o.device, '-w', '-', '-U', '-n', '-s', String(o.snaplen), '-B', String(Math.max(1, Math.round(bufferSize / 1024))),
    '--time-stamp-precision=nano', '--immediate-mode'];
  if (!o.promiscuous) args.push('-p');
  if (o.filter) args.push('--', o.filter);
  return args;
}

/** Drop counters from the child's final report on stderr. */
export function parsePipeStats(tool: PipeTool, stderr: string): SourceStats {
  if (tool === 'dumpcap') {
    const m = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+) \(pcap:(\d+)\/dumpcap:(\d+)\/flushed:(\d+)\/ps_ifdrop:(\d+)\)/.exec(stderr);
    if (!m) return { kernelDropped: null, interfaceDropped: null, received: null };
    return { received: Number(m[1]), kernelDropped: Number(m[3]), interfaceDropped: Number(m[6]) };
  }
  const num = (re: RegExp) => { const m = re.exec(stderr); return m ? Number(m[1]) : null; };
  return {
    received: num(/(\d+) packets? received by filter/),
    kernelDropped: num(/(\d+) packets? dropped by kernel/),
    interfaceDropped: num(/(\d+) packets? dropped by interface/) ?? (/dropped by kernel/.test(stderr) ? 0 : null),
  };
}

/** The error lines of the child's stderr, without its banners. */
function errorText(tool: PipeTool, stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l &&
    !/^(Capturing on|File:|Packets captured|Packets received|listening on|\d+ packets?)/.test(l) &&
    !/^See the User's Guide/.test(l));
  return lines.join(' ').replace(new RegExp(`^${tool}: `), '') || `${tool} exited`;
}

/**
 * Starts the tool and resolves once its stream header has arrived (the device is open and the filter compiled).
 * Rejects with a translated LiveCaptureError when the tool fails to start.
 */
export function openPipeSource(tool: PipeTool, path: string, opts: OpenSourceOptions, receiver: FrameReceiver,
  ctx: ErrorContext): Promise<LiveSource> {
  return new Promise((resolve, reject) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(path, pipeArgs(tool, opts), { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(new LiveCaptureError('source-failed', `${tool} could not be started: ${(e as Error).message}`));
      return;
    }
    const reader = new CaptureReader(`${tool} on ${opts.device}`);
    let stderr = '';
    let started = false;
    let closing = false;
    let ended = false;
    let exitCode: number | null = null;
    let source: LiveSource | null = null;
    const errCtx = { ...ctx, executable: path, device: opts.device, filter: opts.filter };

    const finish = () => {
      if (ended) return;
      ended = true;
      for (const f of reader.end()) receiver.frame(f.tsSec, f.tsNsec, f.bytes, f.originalLength);
      if (!started) {
        const text = errorText(tool, stderr);
        reject(/filter/i.test(stderr) ? new LiveCaptureError('bad-filter',
          `Invalid capture filter ${JSON.stringify(opts.filter)}: ${text}`, text)
          : translateCaptureError(new Error(text), errCtx, 'open'));
        return;
      }
      if (!closing) {
        const text = errorText(tool, stderr);
        receiver.failed(translateCaptureError(new Error(`${text} (${tool} exit code ${exitCode})`), errCtx, 'read'));
      }
      receiver.ended();
    };

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { stderr += d; });
    child.stdout.on('data', (chunk: Buffer) => {
      const frames = reader.push(chunk);
      if (!started && reader.info.interfaces.length > 0) {
        started = true;
        const iface = reader.info.interfaces[0];
        source = makeSource(iface.linkType, iface.snaplen || opts.snaplen, iface.tsResolution);
        resolve(source);
      }
      for (const f of frames) receiver.frame(f.tsSec, f.tsNsec, f.bytes, f.originalLength);
      if (reader.info.fatal && !closing) {
        closing = true;
        receiver.failed(new LiveCaptureError('source-failed', `${tool} wrote an unreadable stream: ${reader.info.fatal}`));
        child.kill();
      }
    });
    const exited = new Promise<void>((done) => {
      let streams = 0;
      const both = () => { if (++streams === 2) { finish(); done(); } };
      child.stdout.on('end', both);
      child.on('close', (code) => { exitCode = code; both(); });
      child.on('error', (e) => {
        stderr += `\n${e.message}`;
        both();
        both();
      });
    });

    function makeSource(linkType: number, snaplen: number, tsResolution: number): LiveSource {
      return {
        kind: tool,
        device: opts.device,
        linkType,
        snaplen,
        tsResolution: tsResolution >= 1e9 ? 1e9 : 1e6,
        notes: [`frames come from ${path} (kernel timestamps; drop counts are reported when it stops)`],
        stats: () => parsePipeStats(tool, stderr),
        async close() {
          if (!ended && !closing) {
            closing = true;
            // dumpcap has no immediate mode: packets wait in a kernel block until its read timeout (250 ms) and
            // whatever is still there when it exits is lost. Let that timeout pass first.
            if (tool === 'dumpcap') await new Promise((r) => setTimeout(r, DUMPCAP_DRAIN_MS));
            child.kill('SIGINT'); // both tools flush, print their statistics and exit on SIGINT
          }
          await exited;
        },
      };
    }
  });
}

/**
 * Compiles a filter with libpcap through `tcpdump -d` reading an empty capture of the given link type from stdin:
 * needs no device and no rights. Returns null when valid, libpcap's message otherwise.
 */
export function checkFilterWithTcpdump(path: string, filter: string, linkType: number): string | null {
  const header = new Uint8Array(24);
  const v = new DataView(header.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 262144, true);
  v.setUint32(20, linkType, true);
  const r = spawnSync(path, ['-d', '-r', '-', '--', filter], { input: header, encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0) return null;
  const lines = (r.stderr ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('reading from'));
  return (lines.join(' ') || `tcpdump exited with ${r.status}`).replace(/^tcpdump: /, '');
}
