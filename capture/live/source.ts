// The contract between a frame source (cap in-process, a tcpdump/dumpcap pipe) and the capture session. Pure types.
import type { LiveCaptureError } from './errors';
import type { LiveSourceKind } from './types';

/** What a source calls as frames arrive. `bytes` is valid only during the call (sources reuse their buffers). */
export interface FrameReceiver {
  frame(tsSec: number, tsNsec: number, bytes: Uint8Array, originalLength: number): void;
  /** A fatal problem while capturing (device vanished, child process died); no frames follow. */
  failed(error: LiveCaptureError): void;
  /** The source stopped delivering (after close(), or its pipe ended). */
  ended(): void;
}

export interface SourceStats {
  /** pcap ps_drop: dropped by the kernel for lack of buffer space; null when the source cannot tell. */
  kernelDropped: number | null;
  /** pcap ps_ifdrop: dropped by the interface or its driver; null when unknown. */
  interfaceDropped: number | null;
  /** pcap ps_recv when known. */
  received: number | null;
}

export interface OpenSourceOptions {
  device: string;
  filter: string;
  snaplen: number;
  promiscuous: boolean;
  /** Kernel buffer in bytes; null lets the source pick (see capBufferSize). */
  bufferSize: number | null;
}

export interface LiveSource {
  readonly kind: LiveSourceKind;
  readonly device: string;
  /** LINKTYPE_ value of every frame this source delivers. */
  readonly linkType: number;
  /** Snap length actually applied. */
  readonly snaplen: number;
  /** Timestamp units per second written for this source (1e9 or 1e6). */
  readonly tsResolution: number;
  /** Facts the user should know about this source (timestamp origin, options it cannot honour). */
  readonly notes: string[];
  stats(): SourceStats;
  /** Stops capturing; resolves once every frame captured has been delivered and the final stats are known. */
  close(): Promise<void>;
}
