// Cross-checks the expectations of scenarios.ts, and random segment sequences, with tshark itself: the same
// segments are written as a pcap and tshark's tcp.stream and tcp.analysis.* fields are compared frame by frame.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needTshark } from '../../support/require';
import { TCP_ANALYSIS_FLAGS } from '../../../decoders/analysis-json';
import { analyze, pcapFile, type Seg } from './builder';
import { SCENARIOS } from './scenarios';
import { randomSegments } from './random-segments';

const skip = needTshark();

interface TsharkFrame { stream: number; flags: string[]; irtt: number | null }

function tshark(segs: Seg[]): TsharkFrame[] {
  const dir = mkdtempSync(join(tmpdir(), 'pf-tcp-'));
  try {
    const file = join(dir, 'x.pcap');
    writeFileSync(file, pcapFile(segs));
    const fields = ['frame.number', 'tcp.stream', 'tcp.analysis.initial_rtt', ...TCP_ANALYSIS_FLAGS.map((f) => `tcp.analysis.${f}`)];
    const r = spawnSync('tshark', ['-n', '-o', 'tcp.check_checksum:FALSE', '-r', file, '-T', 'fields', '-E', 'occurrence=l',
      ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
    return r.stdout.trim().split('\n').map((line) => {
      const v = line.split('\t');
      return {
        stream: Number(v[1]), irtt: v[2] ? Number(v[2]) : null,
        flags: TCP_ANALYSIS_FLAGS.filter((_, i) => v[3 + i] !== undefined && v[3 + i] !== ''),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(skip)('tshark 4.0 agrees with the scenario annotations', () => {
  for (const sc of SCENARIOS) {
    it(sc.name, () => {
      const t = tshark(sc.segs);
      expect(t.map((f) => f.flags)).toEqual(sc.segs.map((_, i) => sc.flags[i + 1] ?? []));
      expect(t.map((f) => f.stream)).toEqual(sc.streams ?? sc.segs.map(() => 0));
    });
  }
});

describe.skipIf(skip)('random segment sequences: same tcp.stream and tcp.analysis flags as tshark on every frame', () => {
  // 1638, 5113, 5180 and 5445 came from a longer run (1 500 + 600 seeds): the contiguous edge ahead of nextseq
  for (const [seed, conns, perConn] of [[1, 4, 60], [2, 4, 60], [3, 4, 60], [4, 4, 60], [5, 4, 60], [6, 4, 60],
    [1638, 4, 60], [5113, 10, 150], [5180, 10, 150], [5445, 10, 150]]) {
    it(`seed ${seed} (${conns} connections, ${conns * perConn} segments)`, () => {
      const segs = randomSegments(seed, conns, perConn);
      const t = tshark(segs);
      const run = analyze(segs);
      const ours = run.flags.map((f, i) => `${run.table.list[run.conv[i]].tcpStream} ${f.join(',')}`);
      expect(ours).toEqual(t.map((f) => `${f.stream} ${f.flags.join(',')}`));
      // initial RTT: tshark's first value per stream
      const irtt = new Map<number, number>();
      for (const f of t) if (f.irtt !== null && !irtt.has(f.stream)) irtt.set(f.stream, f.irtt);
      for (const j of run.analyzer.toJson()) {
        const want = irtt.get(j.stream);
        if (want === undefined) expect(j.handshake.initialRtt).toBeNull();
        else expect(j.handshake.initialRtt).toBeCloseTo(want, 6);
      }
    });
  }
});
