// Live-capture benchmark (issue 7): packets per second from capture through decoding to the timeline, on loopback
// only, under a bounded generated load (a UDP blaster sending a fixed number of packets), with kernel drops and ours.
//
// The pipeline is the app's: a capture host process (cap, or the source asked for) writes the pcapng file and streams
// it; this process reads the stream with CaptureReader and runs the Analyzer, as the renderer's worker does.
// Run by scripts/bench.ts as `node dist/bench-live.js --capture FILE --packets N --json PATH` (FILE is not used:
// the traffic is generated), or alone after bundling. Needs root (capture); otherwise reports itself skipped.
//   --rate PPS      paced run's offered rate (default 100000)
//   --count N       packets per run (default min(--packets, 200000))
//   --source S      auto | cap | dumpcap | tcpdump (default auto)
//   --host FILE     the capture host module (default dist/cli.js beside this script, run as `capture --host`)
//   --generator G   auto (C blaster when cc is installed, else python3, else node) | c | python3 | node
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CaptureHostClient, forkNodeHost } from '../capture/live/client';
import type { LiveSourceKind } from '../capture/live/types';
import { CaptureReader } from '../capture/reader';
import { Analyzer } from '../decoders/analyzer';

export interface LiveRunResult {
  label: string;
  source: string;
  /** What sent the packets: c (scripts/bench/udp-blast.c, sendmmsg batches), python3 or node. */
  generator: string;
  /** Packets the blaster sent, and at what rate it managed to send them. */
  sent: number;
  offeredPerSec: number;
  captured: number;
  decoded: number;
  timelineEvents: number;
  /** Reported by the source (null when it cannot tell, as with cap) ... */
  kernelDroppedReported: number | null;
  /** ... and inferred: sent − captured (on lo nothing else can lose a packet before the capture sees it). */
  lostBeforeUs: number;
  ourDropped: number;
  /** Captured-and-decoded frames per second, from the blaster's first packet to the last frame on the timeline. */
  endToEndPerSec: number;
  /** Frames per second the decoding (reader + analyzer) took in this process, when busy. */
  decodePerSec: number;
  fileBytes: number;
  wallMs: number;
}

const BLASTER = `
const dgram = require('node:dgram');
const [addr, port, count, rate, size] = process.argv.slice(1).map((v, i) => i === 0 ? v : Number(v));
const s = dgram.createSocket('udp4');
const msg = Buffer.alloc(size, 0x5a);
let sent = 0;
const t0 = process.hrtime.bigint();
function go() {
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const due = rate > 0 ? Math.min(count, Math.ceil(elapsed * rate) + 64) : Math.min(count, sent + 256);
  while (sent < due) { msg.writeUInt32BE(sent, 0); s.send(msg, port, addr); sent++; }
  if (sent < count) setImmediate(go);
  else setTimeout(() => { const secs = Number(process.hrtime.bigint() - t0) / 1e9; process.stdout.write(JSON.stringify({ sent, secs }) + '\\n'); s.close(); }, 20);
}
go();
`;

// The same in Python, which sends about twice as fast per CPU second as Node's dgram (one C call per packet):
// the fallback when cc is missing (it still tops out near 70k packets/s on this 2-core machine).
const BLASTER_PY = `
import socket, sys, time
addr, port, count, rate, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
msg = bytearray(b'Z' * size)
dest = (addr, port)
sent = 0
t0 = time.perf_counter()
while sent < count:
    due = min(count, int((time.perf_counter() - t0) * rate) + 64) if rate > 0 else count
    while sent < due:
        msg[0:4] = sent.to_bytes(4, 'big')
        try:
            s.sendto(msg, dest)
            sent += 1
        except BlockingIOError:
            time.sleep(0.0001)
    if rate > 0 and sent < count:
        time.sleep(0.0005)
secs = time.perf_counter() - t0
time.sleep(0.02)
print('{"sent": %d, "secs": %f}' % (sent, secs), flush=True)
`;

function findOnPath(name: string): string | null {
  for (const p of (process.env.PATH ?? '').split(':')) {
    if (p && existsSync(join(p, name))) return join(p, name);
  }
  return null;
}

export type GeneratorChoice = 'auto' | 'c' | 'python3' | 'node';
/** A ready generator, run as `command ...args ADDR PORT COUNT RATE SIZE ...tail`. */
export interface Generator { name: 'c' | 'python3' | 'node'; command: string; args: string[]; tail: string[] }

/** The C blaster's source, kept in the repo (looked for beside the bundle's repo and in the working directory). */
function blasterSource(): string | null {
  for (const p of [resolve(dirname(process.argv[1] ?? '.'), '..', 'scripts', 'bench', 'udp-blast.c'),
    resolve('scripts', 'bench', 'udp-blast.c')]) {
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  return null;
}

/** Python and Node send one packet per system call and top out near 70k packets/s here; the C blaster batches with
 * sendmmsg, so it is compiled into `dir` when cc is installed, falling back to python3, then Node. */
export function pickGenerator(choice: GeneratorChoice, dir: string, maxSecs = 5): Generator {
  if (choice === 'auto' || choice === 'c') {
    const cc = findOnPath('cc') ?? findOnPath('gcc');
    const src = blasterSource();
    if (cc && src) {
      const c = join(dir, 'udp-blast.c'), exe = join(dir, 'udp-blast');
      writeFileSync(c, src);
      const r = spawnSync(cc, ['-O2', '-o', exe, c], { encoding: 'utf8' });
      if (r.status === 0) return { name: 'c', command: exe, args: [], tail: [String(maxSecs)] };
      console.error(`udp-blast did not compile (${r.stderr.trim().split('\n').pop()}); falling back`);
    } else if (choice === 'c') console.error(`no ${cc ? 'udp-blast.c' : 'cc'}; falling back`);
  }
  const python = choice === 'node' ? null : findOnPath('python3');
  if (python) return { name: 'python3', command: python, args: ['-c', BLASTER_PY], tail: [] };
  return { name: 'node', command: process.execPath, args: ['-e', BLASTER], tail: [] };
}

export async function runLive(opts: { host: string; hostArgs: string[]; count: number; rate: number; source: LiveSourceKind | 'auto';
  label: string; dir: string; generator: Generator }): Promise<LiveRunResult> {
  const addr = '127.0.0.1';
  const port = 40000 + (process.pid % 20000);
  const file = join(opts.dir, `${opts.label}.pcapng`);
  const client = new CaptureHostClient(forkNodeHost(opts.host, opts.hostArgs));
  const reader = new CaptureReader('live');
  const analyzer = new Analyzer({ fileName: 'live', format: 'pcapng', expectedFrames: opts.count });
  let decoded = 0, decodeMs = 0, lastDecoded = 0;
  try {
    await client.ready;
    const started = await client.start({ device: 'lo', filter: `udp and dst port ${port} and host ${addr}`,
      outputFile: file, source: opts.source }, {
      onPiece: (bytes) => {
        const t = performance.now();
        const frames = reader.push(bytes);
        analyzer.push(frames);
        decoded += frames.length;
        lastDecoded = performance.now();
        decodeMs += lastDecoded - t;
      },
    });
    const t0 = performance.now();
    const gen = opts.generator;
    const blastArgs = [...gen.args, addr, String(port), String(opts.count), String(opts.rate), '64', ...gen.tail];
    const blaster = spawn(gen.command, blastArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    blaster.stdout.on('data', (d) => { out += d; });
    await new Promise((r) => blaster.on('exit', r));
    const blast = JSON.parse(out) as { sent: number; secs: number };
    // Wait until the stream has caught up with the capture (or nothing more comes), then stop.
    let idle = 0, last = -1;
    while (idle < 10) {
      await new Promise((r) => setTimeout(r, 50));
      if (decoded === last) idle++; else { idle = 0; last = decoded; }
      if (decoded >= blast.sent) break;
    }
    const summary = (await client.stop())!;
    const tail = reader.end();
    analyzer.push(tail);
    decoded += tail.length;
    analyzer.finish();
    return {
      label: opts.label,
      source: started.source,
      generator: gen.name,
      sent: blast.sent,
      offeredPerSec: Math.round(blast.sent / blast.secs),
      captured: summary.counters.packets,
      decoded,
      timelineEvents: analyzer.model.timeline.count,
      kernelDroppedReported: summary.counters.kernelDropped,
      lostBeforeUs: blast.sent - summary.counters.packets,
      ourDropped: summary.counters.ourDropped,
      endToEndPerSec: Math.round(decoded / ((lastDecoded - t0) / 1000)),
      decodePerSec: Math.round(decoded / (decodeMs / 1000)),
      fileBytes: statSync(file).size,
      wallMs: Math.round(performance.now() - t0),
    };
  } finally {
    client.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const jsonPath = arg('json');
  const emit = (result: unknown) => {
    const text = JSON.stringify(result);
    if (jsonPath) writeFileSync(jsonPath, text);
    process.stdout.write(`${text}\n`);
  };
  if (process.getuid?.() !== 0) {
    console.log('skipped: live capture needs root');
    emit({ skipped: 'live capture needs root (capture rights and the loopback device)' });
    return;
  }
  const count = Number(arg('count') ?? Math.min(Number(arg('packets') ?? 200_000), 200_000));
  const rate = Number(arg('rate') ?? 100_000);
  const source = (arg('source') ?? 'auto') as LiveSourceKind | 'auto';
  const host = resolve(arg('host') ?? join(dirname(process.argv[1]), 'cli.js'));
  const hostArgs = arg('host') ? [] : ['capture', '--host'];
  const dir = mkdtempSync(join(tmpdir(), 'pf-bench-live-'));
  try {
    const choice = arg('generator') ?? 'auto';
    if (!['auto', 'c', 'python3', 'node'].includes(choice)) throw new Error(`--generator ${choice}: expected auto, c, python3 or node`);
    const generator = pickGenerator(choice as GeneratorChoice, dir);
    const runs: LiveRunResult[] = [];
    for (const [label, r] of [[`paced-${rate}`, rate], ['unpaced', 0]] as const) {
      const res = await runLive({ host, hostArgs, count, rate: r, source, label, dir, generator });
      runs.push(res);
      console.log(`${label}: ${res.generator} sent ${res.sent} at ${res.offeredPerSec}/s; ${res.source} captured ${res.captured}, ` +
        `decoded ${res.decoded} (${res.endToEndPerSec}/s end to end, decoding ${res.decodePerSec}/s); ` +
        `kernel drops ${res.kernelDroppedReported ?? 'n/a'} reported, ${res.lostBeforeUs} lost before us; ours ${res.ourDropped}`);
    }
    const paced = runs[0];
    emit({
      goal: '100k packets/s from capture to the timeline with zero drops of ours',
      met: paced.offeredPerSec >= 95_000 && paced.ourDropped === 0 && paced.decoded === paced.captured &&
        paced.lostBeforeUs === 0,
      runs,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (/bench-live\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
