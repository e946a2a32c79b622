// `npm run bench`: generates the benchmark capture if missing (scripts/gen-capture.ts, both formats), then measures
// reading + wire decoding and the full analysis beside capinfos and tshark run in the same job, then the renderer and
// live-capture benchmarks when present. Prints a table and writes bench-data/results.json.
//
//   npm run bench                      # 1M packets
//   npm run bench -- --quick           # 100k packets
//   npm run bench -- --packets 300000 --skip-external --only decode,analyze
//
// Each of our measurements runs in a child process of its own small bundle (dist/bench-phase.js, built beside this
// one), so that its peak RSS is its own and its start-up is the engine's; the generator runs as a child of this
// bundle (`node dist/bench.js --generate ...` is the generator's CLI too).
// External tools are skipped, with a note, when not installed.
//
// Other areas' benchmarks (scripts/bench-renderer.ts, scripts/bench-live.ts), when present, are bundled here with
// esbuild to dist/ and run as `node --expose-gc dist/bench-X.js --capture FILE.pcap --packets N --json PATH`; their
// result is the JSON they write to PATH (or print as their last stdout line), included in results.json as is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { GENERATOR_VERSION, generateCapture, type GenerateResult } from './bench/generate';
import { RESULT_TAG, type PhaseName, type PhaseResult } from './bench/phases';
import { haveCommand, run, type RunResult } from './bench/proc';
import { fmtCount, table, type Row } from './bench/report';
import { parseGenArgs } from './bench/gen-args';

const FORMATS = ['pcap', 'pcapng'] as const;
type Format = (typeof FORMATS)[number];

/** Goals from issues 2 and 3 (perf-anchors.md §1). */
const GOALS = {
  decodeFramesPerSec: 2_000_000,
  decodeFloorFramesPerSec: 1_000_000,
  analysisVsTshark: 20,
  retainedBytesPerPacket: 64,
};

interface BenchOptions {
  packets: number;
  seed: number;
  dataDir: string;
  skipExternal: boolean;
  /** tshark's analysis on the pcapng too (it costs ~30 s per 1M). */
  full: boolean;
  only: Set<string>;
  /** Runs of the TCP analysis and of tshark's analysis (default 3), alternated: the table and the ratio use the
   *  medians. */
  runs: number;
}

function parseOptions(argv: string[]): BenchOptions {
  const o: BenchOptions = {
    packets: 1_000_000, seed: 12345, dataDir: 'bench-data', skipExternal: false, full: false, runs: 3,
    only: new Set(['read', 'decode', 'tcp', 'analyze', 'renderer', 'live']),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.packets = 100_000;
    else if (a === '--packets') o.packets = Math.max(1, Math.floor(Number(argv[++i])));
    else if (a === '--seed') o.seed = Number(argv[++i]) >>> 0;
    else if (a === '--data-dir') o.dataDir = argv[++i];
    else if (a === '--skip-external') o.skipExternal = true;
    else if (a === '--full') o.full = true;
    else if (a === '--runs') o.runs = Math.max(1, Math.floor(Number(argv[++i])) || 1);
    else if (a === '--only') o.only = new Set(argv[++i].split(','));
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--quick | --packets N] [--seed S] [--skip-external] [--full] ' +
        '[--only read,decode,tcp,analyze,renderer,live] [--runs N] [--data-dir DIR]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isFinite(o.packets)) throw new Error('--packets needs a number');
  return o;
}

const label = (n: number) => n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n);

/** Runs this bundle again in a child process in one of its worker modes. */
async function self(args: string[]): Promise<RunResult> {
  return run(process.execPath, ['--expose-gc', process.argv[1], ...args], { captureStdout: true });
}

function resultOf<T>(r: RunResult): T {
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
  if (r.status !== 0 || !line) throw new Error(`${r.command} failed (status ${r.status}):\n${r.stderr.slice(-4000)}`);
  return JSON.parse(line.slice(RESULT_TAG.length)) as T;
}

/** The capture's manifest if PREFIX.{json,pcap,pcapng} exist and match what we would generate now. */
function cachedCapture(prefix: string, packets: number, seed: number): GenerateResult | null {
  try {
    const m = JSON.parse(readFileSync(`${prefix}.json`, 'utf8')) as GenerateResult;
    if (m.generatorVersion !== GENERATOR_VERSION || m.options.packets !== packets || m.options.seed !== seed) return null;
    for (const f of FORMATS) {
      if (!m.files[f] || statSync(m.files[f].path).size !== m.files[f].bytes) return null;
    }
    return m;
  } catch {
    return null;
  }
}

async function ensureCapture(o: BenchOptions): Promise<GenerateResult> {
  const prefix = join(o.dataDir, `cap${label(o.packets)}`);
  const cached = cachedCapture(prefix, o.packets, o.seed);
  if (cached) {
    console.log(`capture: ${prefix}.{pcap,pcapng} (cached, ${fmtCount(cached.packets)} packets)`);
    return cached;
  }
  mkdirSync(o.dataDir, { recursive: true });
  console.log(`capture: generating ${prefix}.{pcap,pcapng} (${fmtCount(o.packets)} packets)...`);
  const r = await self(['--generate', '--packets', String(o.packets), '--seed', String(o.seed), '--out', prefix]);
  const m = resultOf<GenerateResult>(r);
  console.log(`capture: generated in ${(r.wallMs / 1000).toFixed(1)} s (peak RSS ${r.peakRssMb?.toFixed(0) ?? '?'} MB)`);
  return m;
}

/**
 * Reads a file so that the tool run right after it finds it in the page cache. Done before every measured run, not
 * once: this VM's kernel (DAMON reclaim) pages out file cache left idle for some seconds, so a capture last read
 * before a 30-second tshark run is read from disk again, which once made one pcapng run 65% slower than the pcap one.
 */
function warmPageCache(path: string): void {
  const fd = openSync(path, 'r');
  const buf = new Uint8Array(1 << 20);
  try { while (readSync(fd, buf, 0, buf.length, null) > 0) { /* discard */ } } finally { closeSync(fd); }
}

interface ExternalResult { tool: string; format: Format; wallMs: number; peakRssMb: number | null; cpuS: number | null;
  otherLoad: number | null; frames: number; status: number | null }

async function external(tool: string, cmd: string, args: string[], format: Format, frames: number, file: string):
  Promise<ExternalResult | null> {
  warmPageCache(file);
  const r = await run(cmd, args);
  if (r.status !== 0) {
    console.log(`  ${tool} (${format}) failed with status ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return null;
  }
  console.log(`  ${tool} (${format}): ${(r.wallMs / 1000).toFixed(2)} s, peak ${r.peakRssMb?.toFixed(0) ?? '?'} MB${load(r.otherLoad)}`);
  return { tool, format, wallMs: r.wallMs, peakRssMb: r.peakRssMb, cpuS: r.cpuS, otherLoad: r.otherLoad, frames, status: r.status };
}

/**
 * wallMs: from the process's start to the end of the pass (Node start-up and loading included; the GC and memory
 * measuring after the pass are the benchmark's, not the work's). processWallMs: the whole child process.
 */
interface OurResult extends PhaseResult { wallMs: number; processWallMs: number; format: Format; otherLoad: number | null }

const load = (x: number | null) => x === null ? '' : `, other load ${x.toFixed(2)} cores`;

async function ours(phase: PhaseName, file: string, format: Format): Promise<OurResult> {
  warmPageCache(file);
  // its own small bundle: the start-up in its wall time is then the engine's, not this harness's
  const r = await run(process.execPath, ['--expose-gc', join(dirname(process.argv[1]), 'bench-phase.js'), phase, file],
    { captureStdout: true });
  const p = resultOf<PhaseResult>(r);
  if (p.fatal) throw new Error(`${phase} ${file}: ${p.fatal}`);
  console.log(`  ${phase} (${format}): ${fmtCount(p.framesPerSec)} frames/s in-process, ${(p.ms / 1000).toFixed(2)} s ` +
    `(${(p.untilDoneMs / 1000).toFixed(2)} s from start to done, process ${(r.wallMs / 1000).toFixed(2)} s), ` +
    `${p.trimMs === undefined ? '' : `then trim() ${p.trimMs.toFixed(0)} ms, `}` +
    `peak ${p.peakRssMb?.toFixed(0) ?? '?'} MB${load(r.otherLoad)}`);
  return { ...p, wallMs: p.untilDoneMs, processWallMs: r.wallMs, format, otherLoad: r.otherLoad };
}

/** The run with the median wall time (the lower middle one of an even count). */
function medianRun<T extends { wallMs: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.wallMs - b.wallMs)[(runs.length - 1) >> 1];
}

/** Bundles and runs an optional benchmark script of another area (H6's renderer, H7's live capture). */
async function extraBench(name: string, entry: string, o: BenchOptions, capture: string): Promise<unknown> {
  if (!existsSync(entry)) { console.log(`  ${name}: skipped (${entry} does not exist yet)`); return { skipped: `${entry} missing` }; }
  const out = join('dist', basename(entry).replace(/\.ts$/, '.js'));
  const esbuild = resolve('node_modules/esbuild/bin/esbuild');
  const b = await run(process.execPath, [esbuild, entry, '--bundle', '--platform=node', '--target=node20', '--format=esm',
    '--sourcemap', `--outfile=${out}`, '--log-level=warning', '--external:cap', '--external:electron',
    '--external:pcap-parser', '--external:playwright-core', '--external:esbuild', '--external:vite',
    "--banner:js=import { createRequire as __pfRequire } from 'node:module'; const require = __pfRequire(import.meta.url);"],
  { captureStdout: true });
  if (b.status !== 0) { console.log(`  ${name}: bundling failed: ${b.stderr.slice(-2000)}`); return { error: 'bundle failed', stderr: b.stderr.slice(-2000) }; }
  const json = join(dirname(capture), `${name}.json`);
  const args = ['--expose-gc', out, '--capture', capture, '--packets', String(o.packets), '--json', json];
  warmPageCache(capture);
  const r = await run(process.execPath, args, { captureStdout: true });
  process.stdout.write(r.stdout.split('\n').filter((l) => l && !l.startsWith('{')).map((l) => `  ${name}: ${l}\n`).join(''));
  if (r.status !== 0) {
    console.log(`  ${name}: failed with status ${r.status}: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
    return { error: `status ${r.status}`, stderr: r.stderr.slice(-4000) };
  }
  // The script writes its JSON to --json, or prints it as the last line of its output.
  try {
    if (existsSync(json)) return JSON.parse(readFileSync(json, 'utf8'));
    const last = r.stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(last);
  } catch {
    return { error: 'no JSON result', stdout: r.stdout.slice(-2000) };
  }
}

function toolVersion(cmd: string): string | null {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : null;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // The generator's mode of this bundle.
  if (argv[0] === '--generate') {
    console.log(RESULT_TAG + JSON.stringify(generateCapture(parseGenArgs(argv.slice(1)))));
    return;
  }

  const o = parseOptions(argv);
  const started = new Date();
  const cap = await ensureCapture(o);
  const files: Record<Format, string> = { pcap: cap.files.pcap.path, pcapng: cap.files.pcapng.path };
  const n = cap.packets;
  const hasCapinfos = !o.skipExternal && haveCommand('capinfos');
  const hasTshark = !o.skipExternal && haveCommand('tshark');
  if (!o.skipExternal) {
    if (!hasCapinfos) console.log('note: capinfos not installed: its comparison is skipped (apt-get install tshark)');
    if (!hasTshark) console.log('note: tshark not installed: its comparisons are skipped (apt-get install tshark)');
  }

  const rows: Row[] = [];
  const our: OurResult[] = [];
  const ext: ExternalResult[] = [];
  const addOur = (r: OurResult, name: string, note = '') => {
    our.push(r);
    rows.push({ name, format: r.format, frames: r.frames, inProcessMs: r.ms, wallMs: r.wallMs, peakRssMb: r.peakRssMb,
      otherLoad: r.otherLoad, note });
  };
  const addExt = (r: ExternalResult | null, name: string) => {
    if (!r) return;
    ext.push(r);
    rows.push({ name, format: r.format, frames: r.frames, inProcessMs: null, wallMs: r.wallMs, peakRssMb: r.peakRssMb,
      otherLoad: r.otherLoad });
  };

  console.log('\nreading + wire decoding');
  for (const f of FORMATS) {
    if (o.only.has('read')) addOur(await ours('read', files[f], f), 'read (CaptureReader)');
    if (o.only.has('decode')) {
      const d = await ours('decode', files[f], f);
      const ok = d.counts.tcp === cap.tcpPackets && d.counts.udp === cap.udpPackets && d.frames === n;
      addOur(d, 'read + decode (PacketDecoder)', ok ? '' : `counts differ from generator: tcp ${d.counts.tcp}/${cap.tcpPackets} udp ${d.counts.udp}/${cap.udpPackets}`);
    }
    if (hasCapinfos) addExt(await external('capinfos', 'capinfos', [files[f]], f, n, files[f]), 'capinfos');
    if (hasTshark && o.only.has('decode')) {
      addExt(await external('tshark frame.number', 'tshark', ['-r', files[f], '-T', 'fields', '-e', 'frame.number'], f, n, files[f]),
        'tshark -T fields -e frame.number');
    }
  }

  const memoryNote = (a: OurResult) => a.retained ? `${a.retained.columnBytesPerPacket.toFixed(1)} B/pkt columns, ` +
    `${a.retained.heapBytesPerPacket.toFixed(1)} B/pkt heap` : '';
  /** Wall times of every run of the TCP analysis and of tshark's analysis, by format (with --runs N). */
  const spreads: Record<string, { ours: number[]; tshark: number[] }> = {};
  if (o.only.has('tcp') || o.only.has('analyze')) {
    console.log('\nanalysis');
    for (const f of FORMATS) {
      const withTshark = hasTshark && (f === 'pcap' || o.full);
      const tshark = () => external('tshark analysis', 'tshark',
        ['-r', files[f], '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.analysis.flags'], f, n, files[f]);
      // The TCP analysis and tshark's alternate, so a slow spell of this VM falls on both; each row is the median run.
      const tcpRuns: OurResult[] = [], tsharkRuns: ExternalResult[] = [];
      for (let i = 0; i < (o.only.has('tcp') ? o.runs : 0); i++) {
        tcpRuns.push(await ours('tcp', files[f], f));
        if (withTshark && i < o.runs - 1) { const t = await tshark(); if (t) tsharkRuns.push(t); }
      }
      if (tcpRuns.length) { const a = medianRun(tcpRuns); addOur(a, 'TCP analysis (Analyzer scope tcp)', memoryNote(a)); }
      if (o.only.has('analyze')) {
        const a = await ours('analyze', files[f], f);
        addOur(a, 'full analysis (TCP, TLS, DNS, QUIC)', memoryNote(a));
      }
      if (withTshark) {
        const t = await tshark();
        if (t) tsharkRuns.push(t);
        if (tsharkRuns.length) addExt(medianRun(tsharkRuns), 'tshark tcp.stream + tcp.analysis.flags');
      }
      if (tcpRuns.length > 1) spreads[f] = { ours: tcpRuns.map((r) => r.wallMs), tshark: tsharkRuns.map((r) => r.wallMs) };
    }
  }

  const extras: Record<string, unknown> = {};
  if (o.only.has('renderer')) { console.log('\nrenderer'); extras.renderer = await extraBench('renderer', 'scripts/bench-renderer.ts', o, files.pcap); }
  if (o.only.has('live')) { console.log('\nlive capture'); extras.live = await extraBench('live', 'scripts/bench-live.ts', o, files.pcap); }

  // Ratios within this run (the machine's speed swings ±25%: compare tools side by side, not across runs).
  const find = (phase: PhaseName, f: Format) => our.find((r) => r.phase === phase && r.format === f);
  const findExt = (tool: string, f: Format) => ext.find((r) => r.tool === tool && r.format === f);
  const ratios: Record<string, unknown>[] = [];
  for (const f of FORMATS) {
    const d = find('decode', f), t = find('tcp', f), a = find('analyze', f);
    const ci = findExt('capinfos', f), tf = findExt('tshark frame.number', f), ta = findExt('tshark analysis', f);
    if (d && ci) ratios.push({ format: f, what: 'decode vs capinfos', speedupWall: ci.wallMs / d.wallMs, ourWallOverCapinfos: d.wallMs / ci.wallMs });
    if (d && tf) ratios.push({ format: f, what: 'decode vs tshark frame.number', speedupWall: tf.wallMs / d.wallMs, speedupInProcess: tf.wallMs / d.ms });
    if (t && ta) {
      const sp = spreads[f];
      ratios.push({ format: f, what: 'TCP analysis vs tshark analysis', speedupWall: ta.wallMs / t.wallMs, speedupInProcess: ta.wallMs / t.ms,
        ...(sp && sp.tshark.length ? { runs: sp.ours.length, ourWallMs: sp.ours, tsharkWallMs: sp.tshark,
          speedupWallRange: [Math.min(...sp.tshark) / Math.max(...sp.ours), Math.max(...sp.tshark) / Math.min(...sp.ours)] } : {}) });
    }
    if (a && ta) ratios.push({ format: f, what: 'full analysis vs tshark analysis', speedupWall: ta.wallMs / a.wallMs, speedupInProcess: ta.wallMs / a.ms });
  }

  const goals: Record<string, unknown>[] = [];
  for (const f of FORMATS) {
    const d = find('decode', f), t = find('tcp', f), a = find('analyze', f), ta = findExt('tshark analysis', f);
    if (d) goals.push({ goal: `decode ≥ ${fmtCount(GOALS.decodeFramesPerSec)} frames/s in-process (floor ${fmtCount(GOALS.decodeFloorFramesPerSec)})`, format: f,
      value: d.framesPerSec, status: d.framesPerSec >= GOALS.decodeFramesPerSec ? 'met' : d.framesPerSec >= GOALS.decodeFloorFramesPerSec ? 'above floor' : 'below floor' });
    for (const [r, what] of [[t, 'TCP analysis'], [a, 'full analysis']] as const) {
      if (!r) continue;
      if (ta) {
        const x = ta.wallMs / r.wallMs;
        goals.push({ goal: `${what} ≥ ${GOALS.analysisVsTshark}× tshark (wall)`, format: f, value: x, status: x >= GOALS.analysisVsTshark ? 'met' : 'not met' });
      }
      if (r.retained) {
        const col = r.retained.columnBytesPerPacket, heap = r.retained.heapBytesPerPacket;
        goals.push({ goal: `${what}: ≤ ${GOALS.retainedBytesPerPacket} B per packet in per-packet columns`, format: f, value: col, status: col <= GOALS.retainedBytesPerPacket ? 'met' : 'not met' });
        goals.push({ goal: `${what}: ≤ ${GOALS.retainedBytesPerPacket} B per packet of all retained heap`, format: f, value: heap, status: heap <= GOALS.retainedBytesPerPacket ? 'met' : 'not met' });
      }
    }
  }

  console.log(`\nPacketFlow benchmark: ${n.toLocaleString('en')} packets (${basename(files.pcap)} ` +
    `${(cap.files.pcap.bytes / 1e6).toFixed(0)} MB, ${basename(files.pcapng)} ${(cap.files.pcapng.bytes / 1e6).toFixed(0)} MB), ` +
    `Node ${process.version}, ${cpus().length} CPUs\n`);
  console.log(table(rows));
  console.log('(Wall s: the whole process for other tools; for ours, from the process start to the end of the work, ' +
    'start-up included, the memory measuring after it not.)');
  if (ratios.length) {
    console.log('\nratios (same run):');
    for (const r of ratios) {
      const parts = [`${(r.speedupWall as number).toFixed(2)}× wall`];
      if (r.speedupInProcess !== undefined) parts.push(`${(r.speedupInProcess as number).toFixed(2)}× in-process`);
      if (r.ourWallOverCapinfos !== undefined) parts.push(`our wall = ${(r.ourWallOverCapinfos as number).toFixed(2)}× capinfos' (CI gate ≤ 0.75)`);
      if (r.runs !== undefined) {
        const [lo, hi] = r.speedupWallRange as number[];
        parts.push(`medians of ${r.runs as number} alternated runs (any pair: ${lo.toFixed(1)}–${hi.toFixed(1)}× wall)`);
      }
      console.log(`  ${r.what} (${r.format}): ${parts.join(', ')}`);
    }
  }
  if (goals.length) {
    console.log('\ngoals:');
    for (const g of goals) {
      const v = g.value as number;
      console.log(`  ${g.goal} [${g.format}]: ${v >= 1000 ? fmtCount(v) : v.toFixed(1)} -> ${g.status}`);
    }
  }
  for (const a of our.filter((r) => r.retained)) {
    const m = a.retained!;
    console.log(`\nretained after ${a.phase === 'tcp' ? 'TCP' : 'full'} analysis (${a.format}): frames ${(m.framesBytes / 1e6).toFixed(1)} MB, timeline ` +
      `${(m.timelineBytes / 1e6).toFixed(1)} MB (${m.timelineEvents} events), ${m.conversations} conversations; ` +
      `heap+arrayBuffers delta ${(m.heapDeltaBytes / 1e6).toFixed(1)} MB = ${m.columnBytesPerPacket.toFixed(1)} B/packet ` +
      `in columns + ${m.heapBytesPerConversation.toFixed(0)} B/conversation`);
  }

  const results = {
    date: started.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: totalmem() / 2 ** 30, node: process.version,
      tshark: hasTshark ? toolVersion('tshark') : null, capinfos: hasCapinfos ? toolVersion('capinfos') : null },
    capture: { packets: n, files: cap.files, frameBytes: cap.frameBytes, tcpPackets: cap.tcpPackets, udpPackets: cap.udpPackets,
      ipv6Packets: cap.ipv6Packets, durationSec: cap.durationSec, seed: cap.options.seed, stats: cap.stats },
    ours: our, external: ext, ratios, goals, ...extras,
  };
  const out = join(o.dataDir, 'results.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwritten: ${out}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
