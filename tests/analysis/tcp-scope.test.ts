// The TCP-only analysis (Analyzer scope 'tcp', the benchmark's TCP row) must be the same TCP analysis as the full
// one: same streams, flags, bytes in flight and TCP events, only without TLS, DNS and QUIC on top.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureFileSync } from '../../capture/node-file-source';
import { Analyzer } from '../../decoders/analyzer';
import { EVENT_KINDS } from '../../decoders/timeline';
import { needShared, repoRoot, sharedCaptures } from '../support/require';

function analyse(file: string, scope: 'all' | 'tcp') {
  const an = new Analyzer({ fileName: file, scope });
  readCaptureFileSync(file, (frames) => an.push(frames));
  an.finish();
  const f = an.model.frames, tl = an.model.timeline;
  const perFrame: string[] = [];
  for (let row = 0; row < f.count; row++) {
    const conv = f.conversation[row];
    const stream = conv >= 0 ? an.model.conversations[conv].tcpStream : -1;
    if (stream >= 0) perFrame.push(`${row + 1} ${stream} ${f.dir[row]} ${f.tcpFlags[row]} ${f.bytesInFlight[row]}`);
  }
  const tcpEvents: string[] = [];
  for (let i = 0; i < tl.count; i++) {
    const kind = EVENT_KINDS[tl.kind[i]];
    const conv = tl.conversationOf(i);
    if (kind.startsWith('tcp.')) {
      tcpEvents.push(`${kind} ${tl.frame[i]} ${an.model.conversations[conv]?.tcpStream} ${tl.dirOf(i)} ${tl.aOf(i)} ${tl.bOf(i)}`);
    }
  }
  return { tcp: an.tcp.toJson(), perFrame, tcpEvents, other: tl.count - tcpEvents.length };
}

function check(file: string): { all: ReturnType<typeof analyse>; tcp: ReturnType<typeof analyse> } {
  const all = analyse(file, 'all'), tcp = analyse(file, 'tcp');
  expect(tcp.tcp).toEqual(all.tcp);
  expect(tcp.perFrame).toEqual(all.perFrame);
  expect(tcp.tcpEvents).toEqual(all.tcpEvents);
  return { all, tcp };
}

describe('Analyzer scope tcp', () => {
  const samples = join(repoRoot, 'assets/samples');
  for (const name of readdirSync(samples).filter((n) => n.endsWith('.pcapng'))) {
    it(`analyses TCP exactly like the full analysis on ${name}`, () => {
      const { all, tcp } = check(join(samples, name));
      // the bundled TLS sample has TLS events in the full analysis and none in the TCP-only one
      if (name.includes('tls')) expect(all.other).toBeGreaterThan(tcp.other);
    });
  }

  const skip = needShared();
  it.skipIf(skip)('analyses TCP exactly like the full analysis on every shared capture', () => {
    const names = readdirSync(sharedCaptures).filter((n) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(n));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) check(join(sharedCaptures, name));
  }, 120_000);
});
