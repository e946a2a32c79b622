// Deterministic generator of a mixed benchmark capture (perf-anchors.md §3): the same arguments give byte-identical
// files. Output goes to bench-data/ (git-ignored), never into the repository.
//   node dist/gen-capture.js --packets 1000000 --out bench-data/cap1m --seed 12345 --formats pcap,pcapng
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateCapture, type GenFormat, type GenerateOptions } from './bench/generate';

export { generateCapture, GENERATOR_VERSION, type GenerateOptions, type GenerateResult } from './bench/generate';

export function parseGenArgs(argv: string[]): GenerateOptions {
  const o: GenerateOptions = { packets: 1_000_000, out: 'bench-data/cap1m' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    const num = () => { const n = Number(v); if (!Number.isFinite(n) || n < 0) throw new Error(`${a}: not a number: ${v}`); i++; return n; };
    if (a === '--packets') o.packets = Math.floor(num());
    else if (a === '--out') { o.out = v; i++; }
    else if (a === '--seed') o.seed = num() >>> 0;
    else if (a === '--concurrency') o.concurrency = Math.max(1, Math.floor(num()));
    else if (a === '--gap-us') o.gapUs = num();
    else if (a === '--anomalies') o.anomalies = num();
    else if (a === '--formats') {
      const f = v.split(',').filter(Boolean);
      for (const x of f) if (x !== 'pcap' && x !== 'pcapng') throw new Error(`--formats: unknown format ${x}`);
      o.formats = f as GenFormat[];
      i++;
    } else if (a === '--help' || a === '-h') {
      console.log('usage: gen-capture [--packets N] [--out PREFIX] [--seed S] [--formats pcap,pcapng] [--concurrency N] [--gap-us US] [--anomalies X]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function main(): void {
  const o = parseGenArgs(process.argv.slice(2));
  mkdirSync(dirname(o.out), { recursive: true });
  const r = generateCapture(o);
  for (const f of Object.values(r.files)) console.log(`${f.path}: ${(f.bytes / 1e6).toFixed(1)} MB`);
  console.log(`${r.packets} packets (${(r.frameBytes / 1e6).toFixed(1)} MB of frames, ${r.durationSec.toFixed(1)} s of traffic) in ${(r.elapsedMs / 1000).toFixed(1)} s`);
  console.log(JSON.stringify(r.stats));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
