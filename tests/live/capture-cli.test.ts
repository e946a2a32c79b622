// `packetflow capture` end to end (root): listing devices, the pipe sources, cap failing to load, no capture rights,
// bad arguments, and a disk that fills up during the capture.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needRoot, needTshark } from '../support/require';
import { requirement } from '../support/require';
import { bundleCli, loopbackAddress, needTool, readFrames, runScript, sleep, tsharkRecords, killScripts } from './support';

const skip = needRoot() ?? needTshark();

interface Run { code: number | null; stdout: string; stderr: string }

describe.skipIf(skip)('packetflow capture (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-live-cli-'));
  const addr = loopbackAddress();
  let cli: string;

  beforeAll(async () => {
    cli = await bundleCli();
  });
  afterAll(() => {
    killScripts();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI; `during` drives traffic once it says it is capturing, then the run ends by itself or by SIGINT. */
  function capture(args: string[], opts: { during?: () => Promise<unknown>; env?: NodeJS.ProcessEnv; uid?: number } = {}):
    Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [cli, 'capture', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env },
        ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
      });
      let stdout = '', stderr = '', driving = false;
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => {
        stderr += d;
        if (!driving && stderr.includes('capturing on') && opts.during) {
          driving = true;
          void opts.during().then(() => sleep(150)).then(() => child.kill('SIGINT'));
        }
      });
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async function dnsExchange(): Promise<number> {
    const srv = runScript('dns-server', ['--host', addr, '--port', '0', '--count', '4']);
    const port = await srv.port;
    srv.child.kill();
    return port;
  }

  /** A DNS server and four lookups against it (8 frames). */
  async function lookups(port: number): Promise<void> {
    const srv = runScript('dns-server', ['--host', addr, '--port', String(port), '--count', '4']);
    await srv.port;
    const r = await runScript('dns-client', ['--server', `${addr}:${port}`]).done;
    expect(r.code).toBe(0);
    await srv.done;
  }

  it('--list shows the devices with their addresses', async () => {
    const r = await capture(['--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\. lo \(Loopback\)\s+127\.0\.0\.1/m);
  });

  it.for(['tcpdump', 'dumpcap'] as const)('captures through %s and reports its kernel drop count', async (tool, ctx) => {
    if (needTool(tool)) return ctx.skip();
    const port = await dnsExchange();
    const file = join(dir, `${tool}.pcapng`);
    const r = await capture(['-i', 'lo', '-f', `udp port ${port}`, '-w', file, '--source', tool],
      { during: () => lookups(port) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`with ${tool}`);
    expect(r.stderr).toMatch(/^8 packets, .* on average, dropped by kernel: 0, dropped by us: 0/m);
    const { frames, info } = readFrames(file);
    expect(frames).toHaveLength(8);
    expect(info.interfaces[0]).toMatchObject({ name: 'lo', linkType: 1, tsResolution: 1e9 });
    expect(info.statistics[0]).toMatchObject({ osDrop: 0 });
    expect(tsharkRecords(file, ['dns.qry.name']).map((x) => x['dns.qry.name'])).toEqual([
      'www.packetflow.test', 'www.packetflow.test', 'www.packetflow.test', 'www.packetflow.test',
      'alias.packetflow.test', 'alias.packetflow.test', 'missing.packetflow.test', 'missing.packetflow.test']);
  });

  it('falls back to dumpcap when cap cannot be loaded, and says why', async (ctx) => {
    if (needTool('dumpcap')) return ctx.skip();
    const bad = join(dir, 'broken-cap.node');
    writeFileSync(bad, 'not a shared object\n'.repeat(200));
    const port = await dnsExchange();
    const file = join(dir, 'fallback.pcapng');
    const r = await capture(['-i', 'lo', '-f', `udp port ${port}`, '-w', file, '-c', '8'],
      { during: () => lookups(port), env: { PACKETFLOW_CAP_MODULE: bad } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/capturing on lo with dumpcap/);
    expect(r.stderr).toMatch(/dumpcap is used because the cap module was built for another runtime \(.*invalid ELF header/);
    expect(readFrames(file).frames).toHaveLength(8);
  });

  it('without capture rights says what is missing and how to grant it', async () => {
    const file = join(dir, 'nobody.pcapng');
    const r = await capture(['-i', 'lo', '-w', file, '-c', '1'], { uid: 65534 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No permission to capture on 'lo' (socket: Operation not permitted)");
    expect(r.stderr).toContain(`sudo setcap cap_net_raw,cap_net_admin+eip ${process.execPath}`);
    expect(r.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
  });

  it('explains a bad filter, a missing device and bad arguments', async () => {
    const bad = await capture(['-i', 'lo', '-f', 'tcp port', '-c', '1', '-w', join(dir, 'x.pcapng')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Invalid capture filter "tcp port": .*syntax error/);
    const missing = await capture(['-i', 'pf-nope0', '-c', '1', '-w', join(dir, 'y.pcapng')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no capture device 'pf-nope0'/);
    const usage = await capture(['-c', '5']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: packetflow capture');
  });

  it('keeps what was captured when the disk fills up, and says so', async (ctx) => {
    const mnt = join(dir, 'small-disk');
    mkdirSync(mnt);
    // A real full disk: a 64 KiB tmpfs (needs the right to mount, as the namespace tests need theirs).
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    if (requirement(mounted.status === 0, `cannot mount a small tmpfs: ${String(mounted.stderr).trim()}`)) return ctx.skip();
    try {
      const file = join(mnt, 'full.pcapng');
      const port = 20000 + (process.pid % 20000);
      const blast = () => new Promise<void>((resolve) => {
        const b = spawn(process.execPath, ['-e', `
          const s = require('dgram').createSocket('udp4'); const m = Buffer.alloc(900, 0x61); let i = 0;
          (function go() { for (let k = 0; k < 20 && i < 200; k++, i++) s.send(m, ${port}, '${addr}');
            if (i < 200) setTimeout(go, 5); else setTimeout(() => s.close(), 50); })();`]);
        b.on('exit', () => resolve());
      });
      const r = await capture(['-i', 'lo', '-f', `udp port ${port}`, '-w', file], { during: blast });
      expect(r.code).toBe(1);
      const m = /The disk holding .*full\.pcapng is full: the capture stopped being saved after (\d+) frames \((\d+) bytes\)/.exec(r.stderr);
      expect(m, r.stderr).not.toBeNull();
      const { frames, info } = readFrames(file);
      expect(frames.length).toBe(Number(m![1]));
      expect(frames.length).toBeGreaterThan(20);
      expect(info.warnings).toEqual([]); // ends on a complete block
      expect(tsharkRecords(file, ['udp.length'])).toHaveLength(frames.length);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});
