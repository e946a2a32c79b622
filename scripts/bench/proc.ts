// Runs an external command for the benchmark and measures it: wall time, CPU time and peak RSS. Uses GNU time
// (/usr/bin/time) when installed; otherwise polls the child's VmHWM in /proc.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  command: string;
  status: number | null;
  wallMs: number;
  /** Peak resident set size in MB, or null when it could not be measured. */
  peakRssMb: number | null;
  cpuS: number | null;
  /**
   * Average CPU cores used by other processes during the run (/proc/stat busy time minus this command's own CPU
   * time): how contended the measurement was. Null when unknown.
   */
  otherLoad: number | null;
  stdout: string;
  stderr: string;
}

export function haveCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const GNU_TIME = '/usr/bin/time';
/** Checked when first needed: the measured child (bench-phase) imports this module too, and the check would add a
 *  process spawn to the start-up its wall time includes. */
let gnuTime: boolean | undefined;
const hasGnuTime = (): boolean =>
  (gnuTime ??= existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0);

/**
 * Runs `cmd args`; stdout is kept only when `captureStdout` (otherwise discarded, like `> /dev/null`).
 * `extraEnv` is added to the environment.
 */
export async function run(cmd: string, args: string[], opts: { captureStdout?: boolean; extraEnv?: Record<string, string> } = {}):
  Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pf-bench-'));
  const timeFile = join(dir, 'time');
  const argv = hasGnuTime() ? [GNU_TIME, '-f', '%M %U %S', '-o', timeFile, cmd, ...args] : [cmd, ...args];
  const busy0 = cpuBusySeconds();
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', opts.captureStdout ? 'pipe' : 'ignore', 'pipe'],
    env: { ...process.env, ...opts.extraEnv },
  });
  let stdout = '', stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 1e6) stderr += d; });
  // Without GNU time: sample the child's high-water mark until it exits.
  let hwmKb = 0;
  const poll = hasGnuTime() ? null : setInterval(() => { hwmKb = Math.max(hwmKb, vmHwmKb(child.pid) ?? 0); }, 20);
  const status = await new Promise<number | null>((resolve) => {
    child.on('error', (e) => { stderr += String(e); resolve(null); });
    child.on('close', (code) => resolve(code));
  });
  const wallMs = performance.now() - started;
  const busy1 = cpuBusySeconds();
  if (poll) clearInterval(poll);
  let peakRssMb: number | null = hwmKb ? hwmKb / 1024 : null;
  let cpuS: number | null = null;
  if (hasGnuTime() && existsSync(timeFile)) {
    // GNU time writes "Command exited with non-zero status N" before the format line on failure: take the last line.
    const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [m, u, s] = line.split(' ').map(Number);
    if (Number.isFinite(m)) peakRssMb = m / 1024;
    if (Number.isFinite(u) && Number.isFinite(s)) cpuS = u + s;
  }
  rmSync(dir, { recursive: true, force: true });
  const otherLoad = busy0 !== null && busy1 !== null && cpuS !== null && wallMs > 0
    ? Math.max(0, (busy1 - busy0 - cpuS) / (wallMs / 1000)) : null;
  return { command: [cmd, ...args].join(' '), status, wallMs, peakRssMb, cpuS, otherLoad, stdout, stderr };
}

/** This process's peak RSS (VmHWM) in kB, from /proc; null where /proc is not available. */
export function vmHwmKb(pid: number | 'self' | undefined = 'self'): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Seconds of CPU time all cores have spent busy since boot (/proc/stat, USER_HZ = 100); null without /proc. */
function cpuBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - v[3] - v[4]) / 100;
  } catch {
    return null;
  }
}
