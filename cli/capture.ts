// `packetflow capture`: headless live capture for servers. Writes the same pcapng as the app (the app opens it) and
// prints counters. The capture itself runs in a child process (`packetflow capture --host`), as in the app, so that
// a device disappearing (which makes cap abort its process) still ends with a clear message and a readable file.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureHostClient, forkNodeHost, type HostProcess } from '../capture/live/client';
import { LiveCaptureError } from '../capture/live/errors';
import { detectHostPort, runCaptureHost } from '../capture/live/host';
import { listDevices } from '../capture/live/sources';
import type { CaptureCounters, DeviceInfo, LiveCaptureOptions, LiveSourceKind } from '../capture/live/types';

const USAGE = `usage: packetflow capture -i IFACE [-i IFACE...] [-f FILTER] [-c COUNT] [-w FILE.pcapng] [-s SNAPLEN]
                          [-p] [--source auto|cap|dumpcap|tcpdump] [-q]
       packetflow capture --list
  -i IFACE   device to capture on (see --list); repeat for several
  -f FILTER  libpcap capture filter, e.g. "tcp port 443 or udp port 53"
  -c COUNT   stop after COUNT frames (default: until Ctrl-C)
  -w FILE    pcapng file to write (default: a new file in ${tmpdir()})
  -s SNAPLEN bytes kept per frame (default 262144)
  -p         do not put the device in promiscuous mode
  --source   capture engine (default auto: cap, else dumpcap, else tcpdump)
  -q         no live counter line, only the summary
`;

export interface CaptureCliIo {
  out: { write(s: string): unknown; isTTY?: boolean };
  err: { write(s: string): unknown; isTTY?: boolean };
  /** Starts the capture host; defaults to this program re-run as `capture --host`. */
  startHost?: () => HostProcess;
  /** Resolves when the user asks to stop (Ctrl-C); defaults to SIGINT/SIGTERM. */
  interrupted?: Promise<void>;
}

interface Parsed {
  list: boolean;
  host: boolean;
  quiet: boolean;
  options: LiveCaptureOptions;
}

export function parseCaptureArgs(argv: string[]): Parsed | string {
  const devices: string[] = [];
  const p: Parsed = { list: false, host: false, quiet: false, options: { device: devices } };
  const o = p.options;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const positive = (name: string, max: number): number => {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1 || n > max) throw new Error(`${name} must be a whole number from 1 to ${max}, not '${v}'`);
      return n;
    };
    try {
      switch (a) {
        case '--list': case '-D': p.list = true; break;
        case '--host': p.host = true; break;
        case '-q': p.quiet = true; break;
        case '-p': o.promiscuous = false; break;
        case '-i': devices.push(value()); break;
        case '-f': o.filter = value(); break;
        case '-w': o.outputFile = value(); break;
        case '-c': o.count = positive('-c', Number.MAX_SAFE_INTEGER); break;
        case '-s': o.snaplen = positive('-s', 262144); break;
        case '--source': {
          const v = value();
          if (!['auto', 'cap', 'dumpcap', 'tcpdump'].includes(v)) throw new Error(`--source must be auto, cap, dumpcap or tcpdump, not '${v}'`);
          o.source = v as LiveSourceKind | 'auto';
          break;
        }
        default:
          throw new Error(`unknown option '${a}'`);
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (!p.list && !p.host && devices.length === 0) return 'which device? give -i IFACE (packetflow capture --list shows them)';
  if (devices.length === 1) o.device = devices[0];
  return p;
}

export async function runCapture(argv: string[], io: CaptureCliIo = { out: process.stdout, err: process.stderr }):
  Promise<number> {
  const parsed = parseCaptureArgs(argv);
  if (typeof parsed === 'string') {
    io.err.write(`packetflow capture: ${parsed}\n${USAGE}`);
    return 2;
  }
  if (parsed.host) return runAsHost();
  if (parsed.list) {
    io.out.write(formatDevices(listDevices()));
    return 0;
  }
  const options = parsed.options;
  options.outputFile ??= defaultOutputFile(options.device);
  const client = new CaptureHostClient((io.startHost ?? defaultHost)());
  try {
    const started = await client.start(options, {
      onCounters: (c) => { if (!parsed.quiet && io.err.isTTY) io.err.write(`\r${formatCounters(c)}\x1b[K`); },
    }, false);
    io.err.write(`capturing on ${started.device} with ${started.source}` +
      `${started.filter ? ` (filter "${started.filter}")` : ''}, writing ${started.outputFile}\n`);
    if (started.fallbackReason) io.err.write(`  (${started.source} is used because ${started.fallbackReason})\n`);
    for (const n of started.notes) io.err.write(`  note: ${n}\n`);
    const interrupted = io.interrupted ?? onSignal();
    const stopped = interrupted.then(() => client.stop());
    const summary = await Promise.race([client.ended, stopped]) ?? await client.ended;
    if (io.err.isTTY && !parsed.quiet) io.err.write('\r\x1b[K');
    io.err.write(`${formatCounters(summary.counters, true)}\n`);
    if (summary.outputFile) io.err.write(`saved ${summary.counters.packets} frames to ${summary.outputFile} (${summary.fileBytes} bytes)\n`);
    if (summary.error) {
      io.err.write(`packetflow capture: ${summary.error.message}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    io.err.write(`packetflow capture: ${e instanceof LiveCaptureError ? e.message : (e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    client.close();
  }
}

/** `packetflow capture --host`: this process becomes a capture host for the process that forked it. */
function runAsHost(): Promise<number> {
  const port = detectHostPort();
  if (!port) {
    process.stderr.write('packetflow capture --host is started by packetflow itself (it needs an IPC channel)\n');
    return Promise.resolve(2);
  }
  runCaptureHost(port, { application: 'PacketFlow (packetflow capture)' });
  return new Promise(() => undefined); // serves until the parent disconnects (then the host exits the process)
}

function defaultHost(): HostProcess {
  return forkNodeHost(process.argv[1], ['capture', '--host']);
}

function onSignal(): Promise<void> {
  return new Promise((resolve) => {
    let count = 0;
    const handler = () => {
      if (++count > 1) process.exit(130); // a second Ctrl-C: give up waiting
      resolve();
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

function defaultOutputFile(device: string | string[]): string {
  const name = (Array.isArray(device) ? device.join('+') : device).replace(/[^\w.+-]/g, '_');
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return join(tmpdir(), `packetflow_${name}_${t}.pcapng`);
}

export function formatDevices(devices: DeviceInfo[]): string {
  return devices.map((d, i) => {
    const extra = [d.loopback ? 'Loopback' : '', d.description ?? ''].filter(Boolean).join(', ');
    const addrs = d.addresses.map((a) => a.addr).join(', ');
    return `${i + 1}. ${d.name}${extra ? ` (${extra})` : ''}${addrs ? `  ${addrs}` : ''}\n`;
  }).join('');
}

/** One line of counters; `average` gives the rates over the whole capture (for the final summary). */
export function formatCounters(c: CaptureCounters, average = false): string {
  const kernel = c.kernelDropped === null ? 'n/a' : String(c.kernelDropped);
  const secs = c.elapsedMs / 1000;
  const pps = average ? (secs > 0 ? Math.round(c.packets / secs) : 0) : c.packetRate;
  const bps = average ? (secs > 0 ? Math.round(c.bytes / secs) : 0) : c.byteRate;
  return `${c.packets} packets, ${formatBytes(c.bytes)}, ${pps} pkt/s, ${formatBytes(bps)}/s${average ? ' on average' : ''}, ` +
    `dropped by kernel: ${kernel}, dropped by us: ${c.ourDropped}, ${secs.toFixed(1)} s`;
}

function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}
