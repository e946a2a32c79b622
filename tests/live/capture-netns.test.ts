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
  killScripts,
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
    killScripts();
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
      'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment']);
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
    // Nothing missing from the capture: tshark sees no gap in either direction of any connection. (Other
    // anomalies can be real: a TLS close_notify racing the peer's close draws a reset on a busy machine.)
    expect(rows.filter((r) => r['tcp.analysis.lost_segment'] !== '' || r['tcp.analysis.ack_lost_segment'] !== '')).toEqual([]);
    // The analyzer sees the same.
    const t = analyzeFile(file).model.timeline;
    const kinds = Array.from({ length: t.count }, (_, i) => t.kindOf(i));
    expect(kinds.filter((k) => k === 'tcp.handshake_completed')).toHaveLength(2);
    expect(kinds).toContain('tls.server_hello');
    const answers = kinds.flatMap((k, i) => k === 'dns.response' ? [(t.get(i).ref as DnsResponseFacts).addresses] : []);
    expect(answers).toEqual([['192.0.2.10'], ['2001:db8::10'], ['192.0.2.10'], []]);
  });

  it('captures two devices at once, one interface block each', async () => {
    const file = join(dir, 'two.pcapng');
    const overVeth = runScript('dns-server', ['--host', net.ipB, '--port', '53', '--count', '4'], net.b);
    const overLo = runScript('dns-server', ['--host', '127.0.0.1', '--port', '53', '--count', '4'], net.a);
    await Promise.all([overVeth.port, overLo.port]);
    const client = new CaptureHostClient(startHost(hostBundle, net.a));
    try {
      await client.start({ device: [net.devA, 'lo'], filter: 'udp port 53', outputFile: file });
      await runScript('dns-client', ['--server', `${net.ipB}:53`], net.a).done;
      await runScript('dns-client', ['--server', '127.0.0.1:53'], net.a).done;
      await sleep(100);
      const summary = (await client.stop())!;
      expect(summary.counters.packets).toBe(16);
    } finally {
      client.close();
    }
    const { frames, info } = readFrames(file);
    expect(info.interfaces.map((i) => i.name)).toEqual([net.devA, 'lo']);
    expect(frames.filter((f) => f.interface === 0)).toHaveLength(8);
    expect(frames.filter((f) => f.interface === 1)).toHaveLength(8);
    expect(info.statistics.map((s) => s.interface)).toEqual([0, 1]);
    const rows = tsharkRecords(file, ['frame.interface_name', 'ip.dst']);
    expect(rows.filter((r) => r['frame.interface_name'] === 'lo').every((r) => r['ip.dst'] === '127.0.0.1')).toBe(true);
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
