// Choosing a frame source (cap, else dumpcap, else tcpdump), listing devices and checking filters. Node-only.
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { capDevices, checkFilterWithCap, loadCap, openCapSource } from './cap-source';
import { LiveCaptureError, type ErrorContext } from './errors';
import { checkFilterWithTcpdump, findTool, openPipeSource, type PipeTool } from './pipe-source';
import type { Availability, FilterVerdict } from './protocol';
import type { FrameReceiver, LiveSource, OpenSourceOptions } from './source';
import type { DeviceInfo, LiveSourceKind } from './types';

export type SourceRequest = LiveSourceKind | 'auto';

export interface OpenedSource {
  source: LiveSource;
  /** Why an earlier choice was not used, when 'auto' had to fall back. */
  fallbackReason?: string;
}

export function errorContext(): ErrorContext {
  return { platform: process.platform, executable: process.execPath };
}

/** What can capture here: cap (or why not) and the paths of dumpcap and tcpdump. */
export function availability(): Availability {
  const cap = loadCap();
  return {
    cap: 'module' in cap ? 'cap' : null,
    capError: 'error' in cap ? cap.error : null,
    dumpcap: findTool('dumpcap'),
    tcpdump: findTool('tcpdump'),
  };
}

export async function openSource(request: SourceRequest, opts: OpenSourceOptions, receiver: FrameReceiver,
  ctx: ErrorContext = errorContext()): Promise<OpenedSource> {
  const pipe = (tool: PipeTool) => {
    const path = findTool(tool);
    if (!path) throw new LiveCaptureError('no-source', `${tool} is not installed (it was asked for as the capture source)`);
    return openPipeSource(tool, path, opts, receiver, ctx);
  };
  if (request === 'dumpcap' || request === 'tcpdump') return { source: await pipe(request) };
  const cap = loadCap();
  if (request === 'cap') {
    if ('error' in cap) throw new LiveCaptureError('no-source', `Cannot capture with cap: ${cap.error}`);
    return { source: openCapSource(cap.module, opts, receiver, ctx) };
  }
  const reasons: string[] = [];
  let capFailure: LiveCaptureError | null = null;
  if ('module' in cap) {
    try {
      return { source: openCapSource(cap.module, opts, receiver, ctx) };
    } catch (e) {
      // Only a permission problem is worth another try: dumpcap often has capture rights of its own
      // (Debian's wireshark group, macOS ChmodBPF). Anything else (no device, bad filter) would fail the same way.
      if (!(e instanceof LiveCaptureError) || e.code !== 'permission') throw e;
      capFailure = e;
      reasons.push(`cap has no permission to capture (${e.detail ?? e.message})`);
    }
  } else {
    reasons.push(cap.error);
  }
  for (const tool of ['dumpcap', 'tcpdump'] as const) {
    const path = findTool(tool);
    if (!path) continue;
    try {
      const source = await openPipeSource(tool, path, opts, receiver, ctx);
      return { source, fallbackReason: reasons.join('; ') };
    } catch (e) {
      if (capFailure) throw capFailure;
      throw e;
    }
  }
  if (capFailure) throw capFailure;
  throw new LiveCaptureError('no-source', `No way to capture here: ${reasons.join('; ')}, and neither dumpcap ` +
    '(Wireshark) nor tcpdump is installed. Install one of them, or rebuild cap (npm rebuild cap).');
}

/** Capture devices with their addresses and descriptions. */
export function listDevices(): DeviceInfo[] {
  const cap = loadCap();
  if ('module' in cap) return capDevices(cap.module);
  for (const tool of ['dumpcap', 'tcpdump'] as const) {
    const path = findTool(tool);
    if (!path) continue;
    const r = spawnSync(path, ['-D'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) return parseDeviceList(r.stdout, networkInterfaces());
  }
  // Without libpcap at hand, the OS's own list is still a good guess of what can be captured on.
  return parseDeviceList('', networkInterfaces());
}

/** `dumpcap -D` / `tcpdump -D` output, with addresses from os.networkInterfaces(). */
export function parseDeviceList(text: string, os: ReturnType<typeof networkInterfaces>): DeviceInfo[] {
  const out: DeviceInfo[] = [];
  const addrs = (name: string) => (os[name] ?? []).map((a) => ({ addr: a.address, netmask: a.netmask }));
  for (const line of text.split('\n')) {
    // "3.lo [Up, Running, Loopback]" (tcpdump) or "3. lo (Loopback)" (dumpcap)
    const m = /^\d+\.\s*(\S+)(?:\s+\(([^)]*)\))?(?:\s+\[([^\]]*)\])?/.exec(line.trim());
    if (!m) continue;
    const [, name, desc, flags] = m;
    out.push({
      name,
      ...(desc && desc !== 'Loopback' ? { description: desc } : {}),
      addresses: addrs(name),
      loopback: /Loopback/i.test(`${desc ?? ''} ${flags ?? ''}`) || (os[name]?.some((a) => a.internal) ?? false),
    });
  }
  if (out.length === 0) {
    for (const [name, list] of Object.entries(os)) {
      out.push({ name, addresses: addrs(name), loopback: (list ?? []).some((a) => a.internal) });
    }
  }
  return out;
}


/**
 * Checks a capture filter before starting. tcpdump compiles it without a device or rights; without tcpdump, cap
 * opens the device with it (needs capture rights). `linkType` is the device's LINKTYPE (Ethernet unless known).
 */
export function validateFilter(filter: string, device: string | null, linkType = device === 'any' ? 113 : 1,
  ctx: ErrorContext = errorContext()): FilterVerdict {
  if (filter.trim() === '') return { ok: true, checkedBy: 'empty' };
  const tcpdump = findTool('tcpdump');
  if (tcpdump) {
    const message = checkFilterWithTcpdump(tcpdump, filter, linkType);
    return message === null ? { ok: true, checkedBy: 'tcpdump' } : { ok: false, message };
  }
  const cap = loadCap();
  if ('module' in cap && device) {
    try {
      checkFilterWithCap(cap.module, device, filter, ctx);
      return { ok: true, checkedBy: 'cap' };
    } catch (e) {
      const err = e as LiveCaptureError;
      if (err.code === 'bad-filter') return { ok: false, message: err.detail ?? err.message };
      return { ok: null, message: `The filter could not be checked: ${err.message}` };
    }
  }
  return { ok: null, message: 'The filter cannot be checked before starting here (no tcpdump, no cap); ' +
    'libpcap will check it when the capture starts.' };
}
