// Deterministic generator of a mixed benchmark capture (perf-anchors.md §3): the same arguments give byte-identical
// files. Output goes to bench-data/ (git-ignored), never into the repository.
//   node dist/bench.js --generate --packets 1000000 --out bench-data/cap1m --seed 12345 --formats pcap,pcapng
// (dist/bench.js is built by `npm run build:cli`; this file is the same command as a standalone entry point.)
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateCapture } from './bench/generate';
import { parseGenArgs } from './bench/gen-args';

export { generateCapture, GENERATOR_VERSION, type GenerateOptions, type GenerateResult } from './bench/generate';
export { parseGenArgs } from './bench/gen-args';

function main(): void {
  const o = parseGenArgs(process.argv.slice(2));
  mkdirSync(dirname(o.out), { recursive: true });
  const r = generateCapture(o);
  for (const f of Object.values(r.files)) console.log(`${f.path}: ${(f.bytes / 1e6).toFixed(1)} MB`);
  console.log(`${r.packets} packets (${(r.frameBytes / 1e6).toFixed(1)} MB of frames, ${r.durationSec.toFixed(1)} s of traffic) in ${(r.elapsedMs / 1000).toFixed(1)} s`);
  console.log(JSON.stringify(r.stats));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (e) {
    console.error(`gen-capture: ${e instanceof Error ? e.message : e}`);
    process.exit(2);
  }
}
