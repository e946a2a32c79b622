// The JIT warm-up frames (decoders/warm-up.ts) only help while they take every rare branch of the per-packet
// analysis: these tests fail when a change to them (or to the rules) loses one, and check with tshark that they
// are the TCP conversations they claim to be.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { warmUpFrames } from '../../decoders/warm-up';
import { Analyzer } from '../../decoders/analyzer';
import { tcpAnalysisNames } from '../../decoders/tcp/analyzer';
import { TCP_ANALYSIS_FLAGS } from '../../decoders/analysis-json';
import { writePcap } from '../../capture/pcap-writer';
import { PacketDecoder } from '../../decoders/decode';
import { needTshark } from '../support/require';

function analyse() {
  const frames = warmUpFrames();
  const an = new Analyzer({ fileName: 'warm-up', scope: 'all' });
  an.push(frames);
  an.finish();
  const f = an.model.frames;
  return { frames, model: an.model, flags: frames.map((_, row) => tcpAnalysisNames(f.tcpFlags[row])) };
}

describe('JIT warm-up frames', () => {
  it('take every tcp.analysis rule, SACK blocks on both sides of 2^31, port reuse, resets, IPv6 and UDP', () => {
    const { frames, model, flags } = analyse();
    const seen = new Set(flags.flat());
    for (const flag of TCP_ANALYSIS_FLAGS) expect(seen.has(flag), flag).toBe(true);
    const tcp = model.conversations.filter((c) => c.protocol === 'tcp');
    expect(tcp.some((c) => c.client.startsWith('['))).toBe(true); // an IPv6 one
    expect(model.conversations.some((c) => c.protocol === 'udp')).toBe(true);
    const kinds = new Set(Array.from({ length: model.timeline.count }, (_, i) => model.timeline.get(i).kind));
    for (const k of ['tcp.port_reused', 'tcp.reset', 'tcp.fin', 'tcp.zero_window', 'tcp.time_wait_entered']) {
      expect(kinds.has(k as never), k).toBe(true);
    }
    const decoder = new PacketDecoder();
    const sackEdges = frames.flatMap((f) => decoder.decode(f).tcp?.options.sack ?? []);
    expect(sackEdges.some((v) => v >= 2 ** 31) && sackEdges.some((v) => v < 2 ** 31)).toBe(true);
    // every frame is a reader-shaped frame with a timestamp after the one before
    for (let i = 1; i < frames.length; i++) expect(frames[i].timestamp).toBeGreaterThan(frames[i - 1].timestamp);
  });

  const skip = needTshark();
  it.skipIf(skip)('are analysed by tshark 4.0 exactly as by us (tcp.stream and every tcp.analysis flag per frame)', () => {
    const { frames, model, flags } = analyse();
    const dir = mkdtempSync(join(tmpdir(), 'pf-warm-'));
    try {
      const file = join(dir, 'warm-up.pcap');
      writeFileSync(file, writePcap(frames.map((f) => ({ tsSec: f.tsSec, tsNsec: f.tsNsec, bytes: f.bytes })),
        { nanosecond: true }));
      const fields = ['tcp.stream', ...TCP_ANALYSIS_FLAGS.map((f) => `tcp.analysis.${f}`)];
      const r = spawnSync('tshark', ['-n', '-o', 'tcp.check_checksum:FALSE', '-r', file, '-T', 'fields',
        '-E', 'occurrence=l', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const theirs = r.stdout.replace(/\n$/, '').split('\n').map((line) => {
        const v = line.split('\t');
        return `${v[0]} ${TCP_ANALYSIS_FLAGS.filter((_, i) => v[1 + i]).join(',')}`;
      });
      const f = model.frames;
      const ours = flags.map((names, row) => {
        const conv = f.conversation[row];
        const c = conv >= 0 ? model.conversations[conv] : undefined;
        return `${c?.protocol === 'tcp' ? c.tcpStream : ''} ${names.join(',')}`;
      });
      expect(ours).toEqual(theirs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
