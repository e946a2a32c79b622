// Conversations built here (Retry, Version Negotiation, migration, v2, drafts, zero-length CIDs, 0-RTT...) written
// to a pcap and shown to tshark 4.0.17 through the shared oracle script: our QUIC packets must match its view the
// way compare-oracle scores them, on situations the shared captures do not cover.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuicJson } from '../../../decoders/analysis-json';
import { needShared, needTshark } from '../../support/require';
import { SCENARIOS } from './scenarios';
import { buildOracle, quicDisagreements, runDatagrams, writePcap, type Datagram, type OraclePacket } from './support';

const skip = needShared() ?? needTshark();

/** All scenarios in one capture (one tshark run): each on its own client/server addresses, one after the other. */
function combined(): { datagrams: Datagram[]; ranges: Record<string, [number, number]> } {
  const datagrams: Datagram[] = [];
  const ranges: Record<string, [number, number]> = {};
  Object.entries(SCENARIOS).forEach(([name, make], n) => {
    const first = datagrams.length + 1;
    for (const d of make(n + 1)) {
      const at = (a: string) => a.replace(/^10\.0\.0\./, `10.${n + 1}.0.`);
      datagrams.push({ ...d, frame: datagrams.length + 1, time: datagrams.length * 0.01, src: at(d.src), dst: at(d.dst) });
    }
    ranges[name] = [first, datagrams.length];
  });
  return { datagrams, ranges };
}

describe.skipIf(skip)('synthetic QUIC conversations agree with tshark', () => {
  const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'pf-quic-'));
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });
  const { datagrams, ranges } = combined();
  let oracle: OraclePacket[] = [];
  let mine: QuicJson[] = [];

  beforeAll(() => {
    const pcap = join(dir, 'scenarios.pcap');
    writePcap(pcap, datagrams);
    oracle = buildOracle(pcap, dir);
    mine = runDatagrams(datagrams).quic.toJson();
  });

  it.each(Object.keys(SCENARIOS))('%s', (name) => {
    const [a, b] = ranges[name];
    const o = oracle.filter((q) => q.frame >= a && q.frame <= b);
    expect(o.length).toBeGreaterThan(0);
    expect(quicDisagreements(o, mine.filter((p) => p.frame >= a && p.frame <= b))).toEqual([]);
  });

  it('tshark decrypted the ClientHellos too (so SNI was compared)', () => {
    // not vn.example: after Version Negotiation tshark keeps the GREASE attempt's keys and cannot decrypt the v1
    // Initial (as in tcpdump__quic_vn.pcap frame 3); we derive v1 keys and read it
    const names = oracle.filter((q) => q.sni !== undefined).map((q) => String(q.sni));
    expect(names).toEqual(expect.arrayContaining(['example.com', 'retry.example', 'migrate.example',
      'a.example', 'b.example', 'nocid.example', 'split.example', 'early.example', 'draft29.example', 'v2.example',
      'compat.example']));
  });
});
