// Real capture on the loopback interface (root): the capture host process captures TCP, TLS 1.3 and DNS traffic
// driven by Node's own servers and clients; the saved pcapng is then read back by our reader, by tshark and by the
// analyzer, and compared with what was streamed live.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needRoot, needTshark } from '../support/require';
import { CaptureHostClient } from '../../capture/live/client';
import { LiveCaptureError } from '../../capture/live/errors';
import { CaptureReader } from '../../capture/reader';
import type { CaptureSummary } from '../../capture/live/types';
import type { DnsResponseFacts } from '../../decoders/dns/analyzer';
import {
  analyzeFile, bundleHost, loopbackAddress, makeCert, readFrames, runScript, sleep, startHost, tsharkFields,
  tsharkRecords,
  killScripts,
} from './support';

const skip = needRoot() ?? needTshark();

describe.skipIf(skip)('live capture on lo (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-live-lo-'));
  const file = join(dir, 'lo.pcapng');
  let bundle: string;
  let client: CaptureHostClient;
  let summary: CaptureSummary;
  const streamed = new CaptureReader('stream');
  let streamedFrames = 0;
  let pieceFrames = 0;
  const direct: { index: number; tsSec: number; tsNsec: number; length: number }[] = [];
  let ports: { tcp: number; tls: number; dns: number };
  let dnsResults: { name: string; type: string; answers?: string[]; error?: string }[];
  let rows: Record<string, string>[];
  const before = Date.now() / 1000;
  // Servers on an address of their own (so DNS can use port 53, where every DNS decoder looks for it).
  const addr = loopbackAddress();

  beforeAll(async () => {
    bundle = await bundleHost();
    const { cert, key } = makeCert(dir);
    const tcpServer = runScript('tcp-exchange', ['server', '--host', addr, '--port', '0']);
    const tlsServer = runScript('tls-exchange', ['server', '--host', addr, '--port', '0', '--cert', cert, '--key', key]);
    const dnsServer = runScript('dns-server', ['--host', addr, '--port', '53', '--count', '4']);
    ports = { tcp: await tcpServer.port, tls: await tlsServer.port, dns: await dnsServer.port };

    client = new CaptureHostClient(startHost(bundle));
    await client.ready;
    const started = await client.start({
      device: 'lo', outputFile: file,
      filter: `host ${addr} and (tcp port ${ports.tcp} or tcp port ${ports.tls} or udp port ${ports.dns})`,
    }, {
      onPiece: (bytes, frames) => {
        pieceFrames += frames;
        streamedFrames += streamed.push(bytes).length;
      },
      onFrames: (frames) => {
        for (const f of frames) direct.push({ index: f.index, tsSec: f.tsSec, tsNsec: f.tsNsec, length: f.originalLength });
      },
    });
    expect(started.device).toBe('lo');

    const runs = [
      runScript('tcp-exchange', ['client', '--host', addr, '--port', String(ports.tcp)]),
      runScript('tls-exchange', ['client', '--host', addr, '--port', String(ports.tls), '--ca', cert, '--keylog', join(dir, 'keys.txt')]),
      runScript('dns-client', ['--server', `${addr}:${ports.dns}`]),
    ];
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(results[1].stdout).toContain('TLSv1.3');
    dnsResults = JSON.parse(results[2].stdout);
    await Promise.all([tcpServer.done, tlsServer.done, dnsServer.done]);
    await sleep(100); // the last ACKs
    summary = (await client.stop())!;
    streamedFrames += streamed.end().length;
    rows = tsharkRecords(file, ['frame.number', 'frame.interface_name', 'frame.encap_type', 'tcp.srcport',
      'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.len', 'tls.handshake.type',
      'tls.handshake.extensions_server_name', 'tls.handshake.extensions.supported_version', 'dns.flags.response',
      'dns.qry.name', 'dns.flags.rcode', 'dns.a', 'dns.aaaa', 'dns.cname']);
  });

  afterAll(() => {
    killScripts();
    client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saved every frame it captured, and streamed the same frames live', () => {
    const { frames, info } = readFrames(file);
    expect(summary.error).toBeUndefined();
    expect(summary.counters.ourDropped).toBe(0);
    expect(frames.length).toBe(summary.counters.packets);
    expect(rows.length).toBe(frames.length);
    expect(pieceFrames).toBe(frames.length);
    expect(streamedFrames).toBe(frames.length);
    // The client's RawFrame batches are the saved frames, numbered from 1, with the same exact timestamps.
    expect(direct).toEqual(frames.map((f) => ({ index: f.index, tsSec: f.tsSec, tsNsec: f.tsNsec, length: f.originalLength })));
    expect(info.warnings).toEqual([]);
    expect(summary.fileBytes).toBe(statSync(file).size);
    // The stream and the file are the same bytes.
    expect(frames.reduce((n, f) => n + f.originalLength, 0)).toBe(summary.counters.bytes);
  });

  it('writes a section header, one interface block (lo, Ethernet, ns resolution) and statistics at the end', () => {
    const { frames, info } = readFrames(file);
    expect(info.format).toBe('pcapng');
    expect(info.interfaces).toHaveLength(1);
    expect(info.interfaces[0]).toMatchObject({ name: 'lo', linkType: 1, tsResolution: 1e9 });
    expect(info.statistics).toHaveLength(1);
    expect(info.statistics[0].usrDeliv).toBe(frames.length);
    // tshark agrees on the interface and its resolution.
    expect([rows[0]['frame.interface_name'], rows[0]['frame.encap_type']]).toEqual(['lo', '1']);
    // Timestamps are real and in order.
    for (let i = 1; i < frames.length; i++) {
      const a = frames[i - 1], b = frames[i];
      expect(b.tsSec * 1e9 + b.tsNsec).toBeGreaterThanOrEqual(a.tsSec * 1e9 + a.tsNsec);
    }
    expect(frames[0].timestamp).toBeGreaterThan(before - 1);
    expect(frames[frames.length - 1].timestamp).toBeLessThan(Date.now() / 1000 + 1);
  });

  it('has the TCP and TLS conversations with complete handshakes and closes (tshark)', () => {
    const syn = rows.filter((r) => set(r['tcp.flags.syn']) && !set(r['tcp.flags.ack'])).map((r) => Number(r['tcp.dstport']));
    expect(syn.sort()).toEqual([ports.tcp, ports.tls].sort());
    // Both connections were closed (a FIN seen on each; the last ones can race with a reset on a busy machine).
    const finPorts = new Set(rows.filter((r) => set(r['tcp.flags.fin']))
      .flatMap((r) => [Number(r['tcp.srcport']), Number(r['tcp.dstport'])]));
    expect(finPorts.has(ports.tcp) && finPorts.has(ports.tls)).toBe(true);
    const hello = rows.filter((r) => r['tls.handshake.type'].split(',').includes('1'));
    expect(hello).toHaveLength(1);
    expect(hello[0]['tls.handshake.extensions_server_name']).toBe('packetflow.test');
    expect(hello[0]['tls.handshake.extensions.supported_version']).toContain('0x0304'); // TLS 1.3 offered
    expect(rows.filter((r) => r['tls.handshake.type'].split(',').includes('2'))).toHaveLength(1);
    const payload = rows.filter((r) => r['tcp.srcport'] === String(ports.tcp)).reduce((n, r) => n + Number(r['tcp.len']), 0);
    expect(payload).toBe(4000);
  });

  const set = (v: string) => v === '1' || v === 'True';

  it('has the DNS answers the client got (tshark)', () => {
    expect(dnsResults).toEqual([
      { name: 'www.packetflow.test', type: 'A', answers: ['192.0.2.10'] },
      { name: 'www.packetflow.test', type: 'AAAA', answers: ['2001:db8::10'] },
      { name: 'alias.packetflow.test', type: 'A', answers: ['192.0.2.10'] },
      { name: 'missing.packetflow.test', type: 'A', error: 'ENOTFOUND' },
    ]);
    const responses = rows.filter((r) => set(r['dns.flags.response']))
      .map((r) => ['dns.qry.name', 'dns.flags.rcode', 'dns.a', 'dns.aaaa', 'dns.cname'].map((f) => r[f]));
    expect(responses).toEqual([
      ['www.packetflow.test', '0', '192.0.2.10', '', ''],
      ['www.packetflow.test', '0', '', '2001:db8::10', ''],
      ['alias.packetflow.test', '0', '192.0.2.10', '', 'www.packetflow.test'],
      ['missing.packetflow.test', '3', '', '', ''],
    ]);
  });

  it('the analyzer puts the handshakes and DNS answers on the timeline', () => {
    const a = analyzeFile(file);
    const t = a.model.timeline;
    const kinds: string[] = [];
    for (let i = 0; i < t.count; i++) kinds.push(t.kindOf(i));
    expect(kinds.filter((k) => k === 'tcp.handshake_completed')).toHaveLength(2);
    for (const k of ['tls.client_hello', 'tls.server_hello']) expect(kinds).toContain(k);
    const dns: DnsResponseFacts[] = [];
    for (let i = 0; i < t.count; i++) if (t.kindOf(i) === 'dns.response') dns.push(t.get(i).ref as DnsResponseFacts);
    expect(dns.map((r) => [r.name, r.type, r.rcode, r.addresses])).toEqual([
      ['www.packetflow.test', 'A', 0, ['192.0.2.10']],
      ['www.packetflow.test', 'AAAA', 0, ['2001:db8::10']],
      ['alias.packetflow.test', 'A', 0, ['192.0.2.10']],
      ['missing.packetflow.test', 'A', 3, []],
    ]);
    const convs = a.model.conversations.filter((c) => c.protocol === 'tcp').map((c) => Number(c.server.split(':').pop()));
    expect(convs.sort()).toEqual([ports.tcp, ports.tls].sort());
  });

  it('rejects a bad filter with libpcap\'s message, before and at start', async () => {
    const check = await client.validateFilter('tcp port', 'lo');
    expect(check.ok).toBe(false);
    expect((check as { message: string }).message).toMatch(/syntax error/);
    expect((await client.validateFilter('udp port 53 or tcp port 443', 'lo')).ok).toBe(true);
    const host = new CaptureHostClient(startHost(bundle));
    try {
      const err = await host.start({ device: 'lo', filter: 'tcp port', source: 'cap' }).catch((e) => e);
      expect(err).toBeInstanceOf(LiveCaptureError);
      expect(err.code).toBe('bad-filter');
      expect(err.message).toMatch(/"tcp port".*syntax error/);
    } finally {
      host.close();
    }
  });

  it('says there is no such device', async () => {
    const host = new CaptureHostClient(startHost(bundle));
    try {
      const err = await host.start({ device: 'pf-nonexistent0', source: 'cap' }).catch((e) => e);
      expect(err.code).toBe('no-device');
      expect(err.message).toMatch(/pf-nonexistent0/);
      const devices = await host.listDevices();
      expect(devices.find((d) => d.name === 'lo')).toMatchObject({ loopback: true, addresses: expect.arrayContaining([{ addr: '127.0.0.1', netmask: '255.0.0.0' }]) });
    } finally {
      host.close();
    }
  });

  it('stops by itself after COUNT frames', async () => {
    const host = new CaptureHostClient(startHost(bundle));
    const out = join(dir, 'count.pcapng');
    try {
      const srv = runScript('dns-server', ['--host', addr, '--port', '0', '--count', '4']);
      const port = await srv.port;
      await host.start({ device: 'lo', filter: `udp port ${port}`, count: 3, outputFile: out });
      await runScript('dns-client', ['--server', `${addr}:${port}`]).done;
      const s = await host.ended;
      expect(s.counters.packets).toBe(3);
      expect(readFrames(out).frames).toHaveLength(3);
      expect(tsharkFields(out, ['frame.number'])).toHaveLength(3);
    } finally {
      host.close();
    }
  });

  it('the file is readable while the capture is still running (flushed as it goes)', async () => {
    const host = new CaptureHostClient(startHost(bundle));
    const out = join(dir, 'running.pcapng');
    try {
      const srv = runScript('dns-server', ['--host', addr, '--port', '0', '--count', '4']);
      const port = await srv.port;
      await host.start({ device: 'lo', filter: `udp port ${port}`, outputFile: out, batchIntervalMs: 20 });
      await runScript('dns-client', ['--server', `${addr}:${port}`]).done;
      await sleep(150);
      // Not stopped: no statistics block yet, but every frame is there.
      const reader = new CaptureReader('running');
      const frames = [...reader.push(readFileSync(out)), ...reader.end()];
      expect(frames).toHaveLength(8);
      expect(reader.info.warnings).toEqual([]);
      expect(reader.info.statistics).toEqual([]);
      // A crash now (the host killed) keeps them all.
      host.close();
      await sleep(100);
      expect(tsharkFields(out, ['frame.number'])).toHaveLength(8);
    } finally {
      host.close();
    }
  });
});
