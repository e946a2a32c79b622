// Helpers for the live-capture tests: bundles of the capture host and the CLI built from the sources under test,
// the sample traffic scripts as child processes, throwaway network namespaces, and readers of the saved files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot, requirement } from '../support/require';
import { forkNodeHost, hostProcessOf, type HostProcess } from '../../capture/live/client';
import { readCaptureFileSync } from '../../capture/node-file-source';
import type { RawFrame } from '../../capture/frame';
import type { CaptureReaderInfo } from '../../capture/reader';
import { Analyzer } from '../../decoders/analyzer';

// Inside the repository so that the bundles resolve `cap` from its node_modules.
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'packetflow-live-tests');

/** Removes bundles left by earlier runs (one pair per vitest worker process). */
function pruneCache(): void {
  mkdirSync(cacheDir, { recursive: true });
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { force: true });
  }
}

/** Bundles electron/capture-process.ts (the host entry) as the build does; returns the .cjs path. */
export async function bundleHost(): Promise<string> {
  pruneCache();
  const out = join(cacheDir, `capture-process-${process.pid}.cjs`);
  await build({ entryPoints: [join(repoRoot, 'electron/capture-process.ts')], bundle: true, platform: 'node',
    target: 'node20', format: 'cjs', outfile: out, external: ['cap', 'electron'], logLevel: 'error' });
  return out;
}

/** Bundles cli/main.ts as scripts/build.mjs does (ESM with a `require`); returns the .mjs path. */
export async function bundleCli(): Promise<string> {
  pruneCache();
  const out = join(cacheDir, `cli-${process.pid}.mjs`);
  await build({ entryPoints: [join(repoRoot, 'cli/main.ts')], bundle: true, platform: 'node', target: 'node20',
    format: 'esm', outfile: out, external: ['cap', 'electron', 'pcap-parser'], logLevel: 'error',
    banner: { js: "import { createRequire as __pfRequire } from 'node:module'; const require = __pfRequire(import.meta.url);" } });
  return out;
}

/** A capture host as a child process, in the current network namespace or inside `ns`. */
export function startHost(bundle: string, ns?: string): HostProcess {
  if (!ns) return forkNodeHost(bundle);
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, bundle], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced',
  });
  return hostProcessOf(child);
}

export interface Script {
  child: ChildProcess;
  /** The port a server printed with "ready PORT". */
  port: Promise<number>;
  /** Exit code and everything printed. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const running = new Set<ChildProcess>();

/** Ends every sample script still running (a server whose client failed would otherwise wait forever). */
export function killScripts(): void {
  for (const child of running) child.kill();
  running.clear();
}

/** Runs scripts/samples/NAME.mjs with node, optionally inside a namespace. */
export function runScript(name: string, args: string[], ns?: string): Script {
  const script = join(repoRoot, 'scripts/samples', `${name}.mjs`);
  const child = ns
    ? spawn('ip', ['netns', 'exec', ns, process.execPath, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let stdout = '', stderr = '';
  let gotPort!: (p: number) => void;
  let failPort!: (e: Error) => void;
  const port = new Promise<number>((res, rej) => { gotPort = res; failPort = rej; });
  port.catch(() => undefined); // clients never listen: only a caller awaiting `port` should see this
  child.stdout!.on('data', (d) => {
    stdout += d;
    const m = /ready (\d+)/.exec(stdout);
    if (m) gotPort(Number(m[1]));
  });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    child.on('exit', (code) => {
      failPort(new Error(`${name} exited (${code}) before listening: ${stderr}`));
      res({ code, stdout, stderr });
    });
  });
  return { child, port, done };
}

export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Two network namespaces joined by a veth pair (10.199.<n>.1 ↔ .2), removed by destroy() whatever happened. */
export class TestNet {
  readonly a: string;
  readonly b: string;
  readonly devA = 'pfveth0';
  readonly devB = 'pfveth1';
  readonly ipA: string;
  readonly ipB: string;

  constructor(tag: string, subnet: number) {
    this.a = `pf-test-${tag}-${process.pid}-a`;
    this.b = `pf-test-${tag}-${process.pid}-b`;
    this.ipA = `10.199.${subnet}.1`;
    this.ipB = `10.199.${subnet}.2`;
  }

  create(): void {
    sh('ip', ['netns', 'add', this.a]);
    sh('ip', ['netns', 'add', this.b]);
    sh('ip', ['-n', this.a, 'link', 'add', this.devA, 'type', 'veth', 'peer', 'name', this.devB, 'netns', this.b]);
    for (const [ns, dev, ip] of [[this.a, this.devA, this.ipA], [this.b, this.devB, this.ipB]]) {
      sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      // No IPv6 router solicitations or MLD reports in the capture.
      sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']);
      // Wire-sized segments with real checksums, as on a real link.
      sh('ip', ['netns', 'exec', ns, 'ethtool', '-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off']);
    }
  }

  deviceExists(ns: string, dev: string): boolean {
    return spawnSync('ip', ['-n', ns, 'link', 'show', 'dev', dev]).status === 0;
  }

  destroy(): void {
    for (const ns of [this.a, this.b]) spawnSync('ip', ['netns', 'del', ns]);
  }
}

export function readFrames(file: string): { frames: RawFrame[]; info: CaptureReaderInfo } {
  const frames: RawFrame[] = [];
  const info = readCaptureFileSync(file, (batch) => {
    for (const f of batch) frames.push({ ...f, bytes: f.bytes.slice() });
  });
  return { frames, info };
}

/** The saved file through the whole pipeline (reader → analyzer), as the app would show it. */
export function analyzeFile(file: string): Analyzer {
  const analyzer = new Analyzer({ fileName: file, format: 'pcapng' });
  let secrets = 0;
  let info!: CaptureReaderInfo;
  info = readCaptureFileSync(file, (frames) => {
    while (secrets < info.secrets.length) analyzer.addSecrets(info.secrets[secrets++]);
    analyzer.push(frames);
  }, { onInfo: (i) => { info = i; } });
  analyzer.finish();
  return analyzer;
}

/** tshark's fields, one array per frame. */
export function tsharkFields(file: string, fields: string[], filter?: string): string[][] {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])];
  if (filter) args.push('-Y', filter);
  return sh('tshark', args).split('\n').filter(Boolean).map((l) => l.split('|'));
}

/** One tshark pass: every frame as a record of the named fields ('' when absent). */
export function tsharkRecords(file: string, fields: string[], opts: string[] = []): Record<string, string>[] {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=|', ...opts, ...fields.flatMap((f) => ['-e', f])];
  return sh('tshark', args).split('\n').filter(Boolean).map((l) => {
    const v = l.split('|');
    return Object.fromEntries(fields.map((f, i) => [f, v[i] ?? '']));
  });
}

/** A loopback address of its own for each test file (all of 127/8 is on lo), so DNS can use port 53. */
export function loopbackAddress(): string {
  return `127.${77 + (process.pid % 100)}.${(process.pid >> 8) & 0xff}.${1 + (Date.now() % 250)}`;
}

export function makeCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
    '-subj', '/CN=packetflow.test', '-addext', 'subjectAltName=DNS:packetflow.test', '-keyout', key, '-out', cert]);
  return { cert, key };
}

/** A capture tool the test drives (dumpcap comes with tshark's wireshark-common, tcpdump on its own). */
export function needTool(tool: 'dumpcap' | 'tcpdump'): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]).status === 0;
  return requirement(found, `${tool} is not installed (apt-get install ${tool === 'dumpcap' ? 'wireshark-common' : 'tcpdump'})`);
}

/** Root for namespaces and capture, plus the tools the namespace tests run. */
export function needNetns(): string | null {
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`]).status === 0;
  return requirement(has('ip') && has('ethtool') && has('openssl'),
    'iproute2, ethtool and openssl are needed for the namespace tests (apt-get install iproute2 ethtool openssl)');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Three network namespaces in a row, client — router — server, joined by two veth pairs (offloads off, IPv6 off),
 * with forwarding on the router: shaping the router's egress (tc) drops packets between a capture on the client's
 * interface and one on the server's. destroy() ends whatever still runs inside the namespaces (only the test's own
 * processes can be there) and removes them, whatever happened.
 */
export class RouterNet {
  readonly client: string;
  readonly router: string;
  readonly server: string;
  readonly clientDev = 'pfc0';
  readonly routerClientDev = 'pfr0';
  readonly routerServerDev = 'pfr1';
  readonly serverDev = 'pfs0';
  readonly clientIp: string;
  readonly routerClientIp: string;
  readonly routerServerIp: string;
  readonly serverIp: string;

  /** `subnet` 0–255 picks 10.197.<subnet>.0/24 (client side) and 10.198.<subnet>.0/24 (server side). */
  constructor(tag: string, subnet: number) {
    this.client = `pf-test-${tag}-${process.pid}-c`;
    this.router = `pf-test-${tag}-${process.pid}-r`;
    this.server = `pf-test-${tag}-${process.pid}-s`;
    this.clientIp = `10.197.${subnet}.2`;
    this.routerClientIp = `10.197.${subnet}.1`;
    this.routerServerIp = `10.198.${subnet}.1`;
    this.serverIp = `10.198.${subnet}.2`;
  }

  create(): void {
    for (const ns of [this.client, this.router, this.server]) {
      sh('ip', ['netns', 'add', ns]);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      this.sysctl(ns, 'net.ipv6.conf.all.disable_ipv6', '1');
      this.sysctl(ns, 'net.ipv6.conf.default.disable_ipv6', '1');
    }
    sh('ip', ['-n', this.client, 'link', 'add', this.clientDev, 'type', 'veth', 'peer', 'name', this.routerClientDev, 'netns', this.router]);
    sh('ip', ['-n', this.server, 'link', 'add', this.serverDev, 'type', 'veth', 'peer', 'name', this.routerServerDev, 'netns', this.router]);
    const ends: [string, string, string][] = [
      [this.client, this.clientDev, this.clientIp], [this.router, this.routerClientDev, this.routerClientIp],
      [this.router, this.routerServerDev, this.routerServerIp], [this.server, this.serverDev, this.serverIp],
    ];
    for (const [ns, dev, ip] of ends) {
      sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
      // Wire-sized segments with real checksums, as on a real link (also on the router: no GRO merging there).
      sh('ip', ['netns', 'exec', ns, 'ethtool', '-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off']);
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
    sh('ip', ['-n', this.client, 'route', 'add', 'default', 'via', this.routerClientIp]);
    sh('ip', ['-n', this.server, 'route', 'add', 'default', 'via', this.routerServerIp]);
    this.sysctl(this.router, 'net.ipv4.ip_forward', '1');
    this.sysctl(this.router, 'net.ipv4.conf.all.rp_filter', '0');
  }

  sysctl(ns: string, key: string, value: string): void {
    sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `${key}=${value}`]);
  }

  sysctlRead(ns: string, key: string): string {
    return sh('ip', ['netns', 'exec', ns, 'sysctl', '-n', key]).trim().replace(/\s+/g, ' ');
  }

  /** `tc ARGS` inside the namespace, e.g. tc(net.router, 'qdisc', 'add', 'dev', ...). */
  tc(ns: string, ...args: string[]): void {
    sh('tc', ['-n', ns, ...args]);
  }

  destroy(): void {
    for (const ns of [this.client, this.router, this.server]) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids.split(/\s+/).filter(Boolean).map(Number)) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
      spawnSync('ip', ['netns', 'del', ns]);
    }
  }
}

export interface Tcpdump {
  file: string;
  /** SIGTERM after a quiet moment (so the last packets are written), then waits until tcpdump has closed the file. */
  stop(): Promise<{ code: number | null; captured: number; dropped: number; stderr: string }>;
}

/** tcpdump writing `file` (pcap) on `dev` inside `ns`; resolves once it listens. Ended by killScripts() too. */
export async function startTcpdump(ns: string, dev: string, file: string, filter = 'tcp'): Promise<Tcpdump> {
  // -Z root: keep root, so the file can be written anywhere; -U and immediate mode: every packet is written at once.
  const child = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', dev, '-w', file, '-U', '--immediate-mode', '-n',
    '-B', '8192', '-Z', 'root', filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => { running.delete(child); res(code); }));
  let gone = false;
  void exited.then(() => { gone = true; });
  const deadline = Date.now() + 10_000;
  while (!stderr.includes('listening on') && !gone && Date.now() < deadline) await sleep(20);
  const listening = stderr.includes('listening on') && !gone;
  if (!listening) {
    child.kill();
    throw new Error(`tcpdump on ${dev} in ${ns} did not start: ${stderr}`);
  }
  return {
    file,
    async stop() {
      await sleep(300);
      child.kill('SIGTERM');
      const stuck = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(stuck);
      const count = (what: string) => Number(new RegExp(`(\\d+) packets? ${what}`).exec(stderr)?.[1] ?? NaN);
      return { code, captured: count('captured'), dropped: count('dropped by kernel'), stderr };
    },
  };
}
