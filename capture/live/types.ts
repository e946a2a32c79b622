// Shapes shared by every live frame source (cap, a tcpdump/dumpcap pipe, replay) and their consumers (CLI, Electron
// main process, renderer). Pure types: no Node or DOM APIs, so the renderer can import them too.

/** One address of a capture device, as libpcap lists it. */
export interface DeviceAddress {
  addr: string;
  netmask?: string;
  broadaddr?: string;
}

/** A capture device as libpcap (pcap_findalldevs) reports it. */
export interface DeviceInfo {
  name: string;
  description?: string;
  addresses: DeviceAddress[];
  loopback: boolean;
}

/** Where frames come from. 'cap' is the in-process libpcap binding; the others are a child process piping pcap. */
export type LiveSourceKind = 'cap' | 'dumpcap' | 'tcpdump';

export interface LiveCaptureOptions {
  /** One device, or several (one pcapng interface block each). */
  device: string | string[];
  /** libpcap/BPF filter; '' captures everything. */
  filter?: string;
  /** Bytes kept of each packet (default 262144, like tcpdump). */
  snaplen?: number;
  /** Promiscuous mode (default true). */
  promiscuous?: boolean;
  /** Stop after this many frames (default: no limit). */
  count?: number;
  /** pcapng file written while capturing (default: none). */
  outputFile?: string;
  /** 'auto' (default): cap when it loads, else dumpcap, else tcpdump. */
  source?: LiveSourceKind | 'auto';
  /** Kernel buffer in bytes (default: 64 MiB, 256 MiB for cap on Linux devices with a large MTU such as lo). */
  bufferSize?: number;
  /** A batch is handed over at least this often (default 50 ms), and the output file is flushed with it. */
  batchIntervalMs?: number;
}

/** Counters every live view shows. */
export interface CaptureCounters {
  source: LiveSourceKind | 'replay';
  /** Frames captured (and, with an output file, written to it). */
  packets: number;
  bytes: number;
  /** Frames the kernel dropped (pcap stats); null while the source cannot tell (cap 0.2.1 has no pcap_stats). */
  kernelDropped: number | null;
  /** Frames dropped by the interface/driver (pcap ps_ifdrop), null when unknown. */
  interfaceDropped: number | null;
  /** Frames we failed to deliver downstream (consumer too slow). Must stay 0 at sustainable rates. */
  ourDropped: number;
  /** Frames per second and bytes per second over the last second. */
  packetRate: number;
  byteRate: number;
  /** Milliseconds since the capture started. */
  elapsedMs: number;
}

/** Stable error codes so the UI can offer the right remedy. */
export type LiveErrorCode =
  | 'permission' | 'no-device' | 'device-vanished' | 'bad-filter' | 'disk-full' | 'write-failed'
  | 'no-source' | 'source-failed' | 'bad-argument' | 'internal';

/** Information about the source once capturing, for the "capturing on X via Y" line. */
export interface CaptureStarted {
  source: LiveSourceKind;
  device: string;
  linkType: number;
  snaplen: number;
  filter: string;
  outputFile: string | null;
  /** Why the preferred source was not used (e.g. cap failed to load), if it was not. */
  fallbackReason?: string;
  /** Facts about this source the user should know (where timestamps come from, options it cannot honour). */
  notes: string[];
}

export interface CaptureSummary {
  counters: CaptureCounters;
  outputFile: string | null;
  /** Bytes of the output file that hold complete blocks. */
  fileBytes: number;
  /** Set when the capture ended because of an error; frames captured before it are kept. */
  error?: { code: LiveErrorCode; message: string };
}
