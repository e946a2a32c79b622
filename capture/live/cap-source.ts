// Live frames from the `cap` binding (libpcap in-process). Node-only.
//
// What cap 0.2.1 does and does not do, and how this wrapper copes:
// - It passes only the packet bytes, no pcap_pkthdr: timestamps are taken on delivery with a sub-microsecond clock,
//   and a packet cut by its fixed 65535-byte snap length gets its wire length back from the IP header.
// - It always opens in promiscuous mode with snap length 65535 and offers no pcap_stats: a smaller snap length is
//   applied here, and kernel drops are reported as unknown (the pipe sources report them).
// - It keeps a raw pointer to the Buffer given to open() without holding it, and a failed open() leaves a half-built
//   handle whose destructor crashes: both are pinned for the life of the process.
// - It aborts the process when the device disappears: run it in a capture host process (capture/live/host.ts).
import { readFileSync } from 'node:fs';
import { translateCaptureError, type ErrorContext } from './errors';
import { nodeRequire } from './node-require';
import { ReceiveClock } from './receive-clock';
import type { FrameReceiver, LiveSource, OpenSourceOptions, SourceStats } from './source';
import type { DeviceInfo } from './types';
import { wireLength } from './wire-length';

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', fn: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}

interface CapModule {
  Cap: { new (): CapHandle; deviceList(): { name: string; description?: string; addresses?: { addr: string; netmask?: string; broadaddr?: string }[]; flags?: string }[] };
}

/** cap's own snap length (hard-coded in its binding). */
export const CAP_SNAPLEN = 65535;

/**
 * Kernel ring size when the caller did not choose one, for libpcap in immediate mode (cap, tcpdump
 * --immediate-mode). There Linux gives every
 * packet a ring slot as large as the device's MTU allows: 64 KiB on lo (MTU 65536) or with offloads. 64 MiB is then
 * only ~1000 slots, ~10 ms at 100k packets/s, less than a garbage-collection pause; 256 MiB (4096 slots) rode out the
 * benchmark's 70k packets/s without a drop. Ethernet-sized slots need no more than the usual 64 MiB (~40000 slots).
 */
export function immediateBufferSize(device: string, readMtu: (dev: string) => number | null = linuxMtu): number {
  if (process.platform !== 'linux') return 64 * 2 ** 20;
  const mtu = device === 'any' ? 65536 : readMtu(device) ?? 1500;
  return mtu > 9216 ? 256 * 2 ** 20 : 64 * 2 ** 20;
}

function linuxMtu(dev: string): number | null {
  try {
    return Number(readFileSync(`/sys/class/net/${dev}/mtu`, 'utf8')) || null;
  } catch {
    return null;
  }
}

let loaded: { module: CapModule } | { error: string } | null = null;

/**
 * Loads `cap` once; a failure (not installed, built for another ABI) is returned as a sentence, never thrown.
 * PACKETFLOW_CAP_MODULE names another module to load instead (a packaged app's own build, or a test's broken one).
 */
export function loadCap(): { module: CapModule } | { error: string } {
  if (loaded) return loaded;
  try {
    loaded = { module: nodeRequire()(process.env.PACKETFLOW_CAP_MODULE || 'cap') as CapModule };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    const abi = /NODE_MODULE_VERSION|compiled against a different Node\.js version|invalid ELF|wrong ELF|ELF class/i.test(msg);
    loaded = {
      error: abi
        ? `the cap module was built for another runtime (${msg}); rebuild it for this one (npm rebuild cap, or ` +
          'electron-builder install-app-deps for the app)'
        : `the cap module could not be loaded (${msg})`,
    };
  }
  return loaded;
}

/** Objects cap must never see collected (see the header comment). */
const pinned: unknown[] = [];

export function capDevices(mod: CapModule): DeviceInfo[] {
  return mod.Cap.deviceList().map((d) => ({
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    addresses: (d.addresses ?? []).map((a) => ({ addr: a.addr, ...(a.netmask ? { netmask: a.netmask } : {}),
      ...(a.broadaddr ? { broadaddr: a.broadaddr } : {}) })),
    loopback: (d.flags ?? '').includes('PCAP_IF_LOOPBACK'),
  }));
}

/** cap's link type names (from its binding) as LINKTYPE_ values; DLT values other than these equal their LINKTYPE. */
const LINK_TYPES: Record<string, number> = {
  NULL: 0, ETHERNET: 1, IEEE802_11_RADIO: 127, LINKTYPE_LINUX_SLL: 113, RAW: 101,
};

export function capLinkType(name: string): number {
  if (name in LINK_TYPES) return LINK_TYPES[name];
  const m = /Unknown linktype (\d+)/.exec(name);
  return m ? Number(m[1]) : 1;
}

/**
 * Opens a device with cap. Throws LiveCaptureError (permission, no-device, bad-filter) with an actionable message.
 * A bad filter is reported by libpcap only after the device is opened, so it needs capture rights too.
 */
export function openCapSource(mod: CapModule, opts: OpenSourceOptions, receiver: FrameReceiver,
  ctx: ErrorContext): LiveSource {
  const cap = new mod.Cap();
  // One byte more than cap's snap length, so cap never reports its own truncation.
  const buffer = Buffer.alloc(CAP_SNAPLEN + 1);
  pinned.push(buffer);
  let linkName: string;
  try {
    linkName = cap.open(opts.device, opts.filter, opts.bufferSize ?? immediateBufferSize(opts.device), buffer);
  } catch (e) {
    pinned.push(cap);
    throw translateCaptureError(e, { ...ctx, device: opts.device, filter: opts.filter }, 'open');
  }
  const linkType = capLinkType(linkName);
  const snaplen = Math.min(opts.snaplen, CAP_SNAPLEN);
  const clock = new ReceiveClock();
  const ts = { sec: 0, nsec: 0 };
  let open = true;
  cap.on('packet', (nbytes: number) => {
    clock.now(ts);
    const whole = buffer.subarray(0, nbytes);
    const original = nbytes === CAP_SNAPLEN ? wireLength(whole, linkType) : nbytes;
    receiver.frame(ts.sec, ts.nsec, nbytes > snaplen ? whole.subarray(0, snaplen) : whole, original);
  });
  const notes = ['timestamps are taken when cap delivers each packet (cap does not pass the kernel\'s timestamp)',
    'kernel drop counts are not available from cap'];
  if (!opts.promiscuous) notes.push('cap always opens devices in promiscuous mode');
  return {
    kind: 'cap',
    device: opts.device,
    linkType,
    snaplen,
    tsResolution: 1e9,
    notes,
    stats(): SourceStats {
      return { kernelDropped: null, interfaceDropped: null, received: null };
    },
    async close() {
      if (!open) return;
      open = false;
      // Frames are delivered synchronously from cap's poll callback, so none are pending once close() returns.
      cap.close();
      cap.removeAllListeners('packet');
      receiver.ended();
    },
  };
}

/** Opens and immediately closes a device with the filter: libpcap compiles it against the device's link type. */
export function checkFilterWithCap(mod: CapModule, device: string, filter: string, ctx: ErrorContext): void {
  const cap = new mod.Cap();
  const buffer = Buffer.alloc(CAP_SNAPLEN + 1);
  pinned.push(buffer);
  try {
    cap.open(device, filter, 64 * 1024, buffer);
  } catch (e) {
    pinned.push(cap);
    throw translateCaptureError(e, { ...ctx, device, filter }, 'open');
  }
  cap.close();
}
