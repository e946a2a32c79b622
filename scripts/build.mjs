// Builds every part of PacketFlow with esbuild (CLI, bench, Electron main/preload/capture process) and Vite (renderer).
// `node scripts/build.mjs cli` builds only the Node-side bundles (fast; used by `prepare` and `npm test`).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const only = process.argv[2];
const node = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
const external = ['cap', 'electron', 'pcap-parser'];

// ESM bundles for Node: `require` (for the CommonJS dependencies) made from the module's own URL. Without comments
// and indentation: Node reads the whole bundle at every start, and a 0.5 MB source (two-byte, for the few non-ASCII
// characters in comments) cost `packetflow analyze` ~15 ms of start-up. Stack traces map back with
// `node --enable-source-maps`.
const nodeEsm = (entry, outfile) => build({ ...node, entryPoints: [entry], outfile, format: 'esm', external,
  minifyWhitespace: true,
  banner: { js: "import { createRequire as __pfRequire } from 'node:module'; const require = __pfRequire(import.meta.url);" } });

const jobs = [nodeEsm('cli/main.ts', 'dist/cli.js')];
if (existsSync('scripts/bench.ts')) {
  jobs.push(nodeEsm('scripts/bench.ts', 'dist/bench.js'));
  // the measured child of `npm run bench`: one pass, loading nothing the harness needs
  jobs.push(nodeEsm('scripts/bench-phase.ts', 'dist/bench-phase.js'));
}
if (only !== 'cli') {
  // Electron: the main process and the capture utility process are CommonJS; the sandboxed preload must be CommonJS.
  for (const [entry, out] of [
    ['electron/main.ts', 'dist/electron/main.cjs'],
    ['electron/preload.ts', 'dist/electron/preload.cjs'],
    ['electron/capture-process.ts', 'dist/electron/capture-process.cjs'],
  ]) {
    if (existsSync(entry)) jobs.push(build({ ...node, entryPoints: [entry], outfile: out, format: 'cjs', external }));
  }
}
await Promise.all(jobs);
if (only !== 'cli' && existsSync('renderer/index.html')) {
  const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
