// Text for the live-capture counters and the interface list. Pure (tested without a DOM).
import type { CaptureInterface, CaptureStats } from '../../electron/ipc-contract';

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export interface CounterCell {
  key: 'captured' | 'kernel' | 'ours' | 'bytes' | 'rate' | 'elapsed';
  label: string;
  value: string;
  /** Shown on hover: what the number means. */
  title: string;
  bad: boolean;
}

/** The counters always visible while capturing or replaying, in display order. */
export function counterCells(s: CaptureStats | null): CounterCell[] {
  const kernelUnknown = s?.droppedKernelUnknown === true;
  return [
    { key: 'captured', label: 'captured', value: (s?.captured ?? 0).toLocaleString('en-US'), bad: false,
      title: 'Frames captured and written to the capture file' },
    { key: 'kernel', label: 'kernel drops', value: kernelUnknown ? 'n/a' : (s?.droppedKernel ?? 0).toLocaleString('en-US'),
      bad: !kernelUnknown && (s?.droppedKernel ?? 0) > 0,
      title: kernelUnknown
        ? 'This capture source (cap) cannot report the kernel\'s drops; capture with dumpcap or tcpdump to see them'
        : 'Frames the operating system dropped because the capture buffer was full (pcap statistics)' },
    { key: 'ours', label: 'our drops', value: (s?.droppedOurs ?? 0).toLocaleString('en-US'), bad: (s?.droppedOurs ?? 0) > 0,
      title: 'Frames PacketFlow could not pass on to the display in time (they are still in the file)' },
    { key: 'bytes', label: '', value: formatBytes(s?.bytes ?? 0), bad: false, title: 'Bytes captured (on the wire)' },
    { key: 'rate', label: '', value: `${Math.round(s?.rate ?? 0).toLocaleString('en-US')} pkt/s`, bad: false,
      title: 'Frames per second over the last second' },
    { key: 'elapsed', label: '', value: formatDuration(s?.elapsedMs ?? 0), bad: false, title: 'Time since the capture started' },
  ];
}

/** Interfaces in a useful order: ones with addresses first, loopback and pseudo-devices last; names kept stable. */
export function sortInterfaces(list: CaptureInterface[]): CaptureInterface[] {
  const rank = (i: CaptureInterface) => (i.loopback ? 2 : 0) + (i.addresses.length === 0 ? 1 : 0) + (i.name === 'any' ? 1 : 0);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** The interface to preselect: the first real one with an address, else the first. */
export function defaultInterface(list: CaptureInterface[]): string {
  return sortInterfaces(list)[0]?.name ?? '';
}
