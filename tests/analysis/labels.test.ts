// Arrow labels of TCP segments read like tshark's Info column; checked against tshark on the shared captures.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readCaptureFileSync } from '../../capture/node-file-source';
import { Analyzer } from '../../decoders/analyzer';
import type { RawFrame } from '../../capture/frame';
import { needShared, needTshark, sharedCaptures } from '../support/require';

const skip = needShared() ?? needTshark();

/** Frames whose tshark Info is a plain TCP line ("[TCP …] 1470 → 25 [ACK] Seq=…"), not an application summary. */
function tsharkTcpInfo(file: string): Map<number, string> {
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', 'tcp', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Info'],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = new Map<number, string>();
  for (const line of r.stdout.split('\n')) {
    const [n, info] = line.split('\t');
    if (info && /^(\[[^\]]+\] )*\d+ → \d+ \[/.test(info)) out.set(Number(n), info);
  }
  return out;
}

// Tokens that our label does not reproduce on purpose (tshark's Urg pointer, option order, reassembly notes).
const tokens = (s: string) => s.replace(/\[(TCP segment of a reassembled PDU|Reassembly error[^\]]*)\]/g, ' ').split(/\s+/).filter((t) => t && !/^Urg=/.test(t)).sort();

describe.skipIf(skip)('TCP arrow labels', () => {
  for (const name of ['zeek__smtp.pcap', 'chrissanders-packets__tcp_zerowindowrecovery.pcapng',
    'arkime__wireshark-retrans.pcap', 'chrissanders-packets__tcp_dupack.pcapng', 'zeek__retransmit-fast009.pcap']) {
    it(`match tshark's Info column on ${name}`, () => {
      const file = join(sharedCaptures, name);
      const want = tsharkTcpInfo(file);
      const analyzer = new Analyzer({ fileName: name });
      const kept: RawFrame[] = [];
      readCaptureFileSync(file, (frames) => {
        analyzer.push(frames);
        for (const f of frames) if (want.has(f.index)) kept.push({ ...f, bytes: f.bytes.slice() });
      });
      analyzer.finish();
      expect(kept.length).toBeGreaterThan(0);
      let same = 0;
      const diffs: string[] = [];
      for (const f of kept) {
        const ours = analyzer.summarizeFrame(f).label;
        if (tokens(ours).join(' ') === tokens(want.get(f.index)!).join(' ')) same++;
        else diffs.push(`#${f.index}\n  tshark ${want.get(f.index)}\n  ours   ${ours}`);
      }
      expect(diffs.slice(0, 10).join('\n')).toBe('');
      expect(same).toBe(kept.length);
    });
  }
});
