// Messages between the UI thread and the decoding worker. The worker owns the CaptureReader, the Analyzer and the
// model; the UI thread keeps a column mirror of what it draws (frames, events, conversations), fed in batches whose
// typed arrays travel as transferables. Everything per-frame that needs bytes (labels, layer trees, hex) is asked
// for on demand, for the frames on screen or the one selected.
import type { FrameCategory } from '../../decoders/frame-summary';
import type { Conversation } from '../../decoders/model';

export const CATEGORIES: readonly FrameCategory[] = [
  'handshake', 'data', 'ack', 'window', 'loss', 'close', 'tls', 'dns', 'quic', 'other',
];
export const CAT: Record<FrameCategory, number> = Object.fromEntries(CATEGORIES.map((c, i) => [c, i])) as Record<FrameCategory, number>;

/** Marker bits per frame (drawn as badges on arrows). */
export const Mark = {
  RETRANSMISSION: 1, DUP_ACK: 2, ZERO_WINDOW: 4, LOST_SEGMENT: 8, OUT_OF_ORDER: 16, WINDOW_UPDATE: 32, RESET: 64,
  KEEP_ALIVE: 128,
} as const;

export interface HandshakeFrames {
  syn: number;
  synAck: number;
  ack: number;
}

/** What the conversation list and the diagram need of a conversation: the model's conversation plus its handshake. */
export interface ConvSummary extends Conversation {
  /** Frame numbers of the TCP three-way handshake, when seen (0 = not seen). */
  hs?: HandshakeFrames;
}

/** New rows of the per-frame columns (frames `from`..`from+count-1`, 0-based). */
export interface FrameBatch {
  from: number;
  count: number;
  time: Float64Array;
  src: Int32Array;
  dst: Int32Array;
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  conv: Int32Array;
  dir: Uint8Array;
  cat: Uint8Array;
  marks: Uint8Array;
  len: Uint32Array;
  proto: Uint8Array;
}

/** New timeline events (ids `from`..). */
export interface EventBatch {
  from: number;
  count: number;
  kind: Uint8Array;
  frame: Uint32Array;
  conv: Int32Array;
}

export interface CaptureSummary {
  format: 'pcap' | 'pcapng' | null;
  compressed: boolean;
  frames: number;
  warnings: string[];
  fatal: string | null;
  /** Epoch seconds of frame 1 (absolute time axis). */
  firstSec: number;
  firstNsec: number;
  /** How labels/details get their bytes: kept in the worker, or re-read from the file by offset. */
  bytes: 'kept' | 'reread' | 'partial';
}

export interface LayerNodeView {
  name: string;
  label: string;
  offset: number;
  length: number;
  children?: LayerNodeView[];
}

export interface TcpStateView {
  client: string;
  server: string;
  clientWindow: number;
  serverWindow: number;
  bytesInFlight: number;
}

export interface FrameDetails {
  frame: number;
  label: string;
  category: FrameCategory;
  layers: LayerNodeView[];
  bytes: Uint8Array | null;
  events: { id: number; kind: string; explanation: string }[];
  tcp: TcpStateView | null;
  /** Why bytes or layers are missing, if they are. */
  note?: string;
}

export type ToWorker =
  | { type: 'open'; name: string; size: number; live: boolean }
  | { type: 'chunk'; bytes: ArrayBuffer; last: boolean }
  | { type: 'end' }
  | { type: 'labels'; req: number; frames: Int32Array }
  | { type: 'details'; req: number; frame: number }
  | { type: 'filter'; req: number; expr: string }
  | { type: 'readResult'; req: number; bytes: ArrayBuffer | null };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'ack'; bytesRead: number }
  | { type: 'batch'; frames: FrameBatch | null; events: EventBatch | null; convs: ConvSummary[];
      hosts: { from: number; names: string[] }; hostNames: [string, string][]; summary: CaptureSummary }
  | { type: 'done'; summary: CaptureSummary; elapsedMs: number }
  | { type: 'labels'; req: number; frames: Int32Array; labels: string[] }
  | { type: 'details'; req: number; details: FrameDetails }
  | { type: 'filter'; req: number; mask: Uint8Array | null; error: string | null; matches: number }
  | { type: 'read'; req: number; offset: number; length: number }
  | { type: 'error'; message: string };
