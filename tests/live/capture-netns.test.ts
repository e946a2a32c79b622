// Real capture on a veth pair between two network namespaces the test creates (root): Ethernet with wire-sized
// segments, servers in one namespace and clients in the other; and a device that disappears mid-capture.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needRoot, needTshark } from '../support/require';
import { CaptureHostClient } from '../../capture/live/client';
import type { CaptureSummary } from '../../capture/live/types';
import type { DnsResponseFacts } from '../../decoders/dns/analyzer';
import {
  analyzeFile, bundleCli, bundleHost, makeCert, needNetns, readFrames, runScript, sh, sleep, startHost, TestNet, tsharkRecords,
} from './support';

const skip = needRoot() ?? needTshark() ?? needNetns();

describe.skipIf(skip)('live capture on a veth pair between namespaces (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-live-ns-'));
  const net = new TestNet('ns', 100 + (process.pid % 100));
  let hostBundle: string;
  let cliBundle: string;

  beforeAll(async () => {
    net.create();
    [hostBundle, cliBundle] = await Promise.all([bundleHost(), bundleCli()]);
  });

  afterAll(() => {
    net.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('captures TCP, TLS and DNS between the namespaces exactly as tshark reads them back', async () => {
    const file = join(dir, 'veth.pcapng');
    const { cert, key } = makeCert(dir);
    const servers = [
      runScript('tcp-exchange', ['server', '--host', net.ipB, '--port', '8080', '--bytes', '6000'], net.b),
      runScript('tls-exchange', ['server', '--host', net.ipB, '--port', '8443', '--cert', cert, '--key', key], net.b),
      runScript('dns-server', ['--host', net.ipB, '--port', '53', '--count', '4'], net.b),
    ];
    await Promise.all(servers.map((s) => s.port));
    const client = new CaptureHostClient(startHost(hostBundle, net.a), (d) => net.deviceExists(net.a, d));
    let summary: CaptureSummary;
    try {
      await client.start({ device: net.devA, filter: `host ${net.ipB}`, outputFile: file });
      const runs = await Promise.all([
        runScript('tcp-exchange', ['client', '--host', net.ipB, '--port', '8080', '--bytes', '6000'], net.a).done,
        runScript('tls-exchange', ['client', '--host', net.ipB, '--port', '8443', '--ca', cert], net.a).done,
        runScript('dns-client', ['--server', `${net.ipB}:53`], net.a).done,
      ]);
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      await Promise.all(servers.map((s) => s.done));
      await sleep(100);
      summary = (await client.stop())!;
    } finally {
      client.close();
    }
    expect(summary.error).toBeUndefined();
    const { frames, info } = readFrames(file);
    expect(frames.length).toBe(summary.counters.packets);
    expect(info.interfaces[0]).toMatchObject({ name: net.devA, linkType: 1 });
    const rows = tsharkRecords(file, ['frame.len', 'eth.src', 'ip.src', 'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.ack',
      'tcp.len', 'tcp.srcport', 'tls.handshake.type', 'dns.flags.response', 'dns.flags.rcode', 'tcp.checksum.status',
      'tcp.analysis.flags']);
    expect(rows.length).toBe(frames.length);
    // Offloads are off: every frame fits the 1500-byte MTU, so the 6000-byte reply took several segments.
    expect(Math.max(...rows.map((r) => Number(r['frame.len'])))).toBeLessThanOrEqual(1514);
    const reply = rows.filter((r) => r['tcp.srcport'] === '8080' && Number(r['tcp.len']) > 0);
    expect(reply.length).toBeGreaterThanOrEqual(5);
    expect(reply.reduce((n, r) => n + Number(r['tcp.len']), 0)).toBe(6000);
    const syns = rows.filter((r) => r['tcp.flags.syn'] === 'True' || r['tcp.flags.syn'] === '1');
    expect(syns).toHaveLength(4); // SYN and SYN-ACK of two connections
    expect(rows.filter((r) => r['dns.flags.response'] === 'True' || r['dns.flags.response'] === '1')
      .map((r) => r['dns.flags.rcode'])).toEqual(['0', '0', '0', '3']);
    expect(rows.filter((r) => r['tcp.analysis.flags'] !== '')).toEqual([]); // a clean exchange: no anomalies
    // The analyzer sees the same.
    const t = analyzeFile(file).model.timeline;
    const kinds = Array.from({ length: t.count }, (_, i) => t.kindOf(i));
    expect(kinds.filter((k) => k === 'tcp.handshake_completed')).toHaveLength(2);
    expect(kinds).toContain('tls.server_hello');
    const answers = kinds.flatMap((k, i) => k === 'dns.response' ? [(t.get(i).ref as DnsResponseFacts).addresses] : []);
    expect(answers).toEqual([['192.0.2.10'], ['2001:db8::10'], ['192.0.2.10'], []]);
  });

  it('packetflow capture on the veth writes what it counted; a vanished device ends it with a clear message', async () => {
    const file = join(dir, 'vanish.pcapng');
    const dns = runScript('dns-server', ['--host', net.ipB, '--port', '53', '--count', '8'], net.b);
    await dns.port;
    const cli = spawn('ip', ['netns', 'exec', net.a, process.execPath, cliBundle, 'capture', '-i', net.devA, '-f',
      'udp port 53', '-w', file, '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
    for (let i = 0; i < 50 && !stderr.includes('capturing on'); i++) await sleep(50);
    expect(stderr).toContain(`capturing on ${net.devA} with cap`);
    const lookups = await runScript('dns-client', ['--server', `${net.ipB}:53`], net.a).done;
    expect(lookups.code).toBe(0);
    await sleep(200); // flushed every 50 ms
    sh('ip', ['-n', net.a, 'link', 'del', net.devA]); // takes its peer in the other namespace with it
    const code = await exited;
    dns.child.kill();
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`The device ${net.devA} disappeared during the capture`));
    expect(stderr).toContain(`Everything captured until then is in ${file}`);
    // The frames before the device went away are all in the file, readable by tshark too.
    expect(readFrames(file).frames).toHaveLength(8);
    expect(tsharkRecords(file, ['dns.qry.name'])).toHaveLength(8);
    // Put the pair back for any later test.
    net.destroy();
    net.create();
  });
});
