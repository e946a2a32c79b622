// Command-line options of the capture generator (scripts/gen-capture.ts and `node dist/bench.js --generate`).
import type { GenFormat, GenerateOptions } from './generate';

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
