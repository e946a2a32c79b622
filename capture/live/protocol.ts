// Messages between a capture host process (capture/live/host.ts) and its client (capture/live/client.ts).
// Pure types plus the request check the host applies (its messages come from our own process, but a wrong shape
// must give an error reply, not a crash that loses a capture).
import type { DeviceInfo, CaptureCounters, CaptureStarted, CaptureSummary, LiveCaptureOptions, LiveErrorCode } from './types';

export type HostRequest =
  | { type: 'list'; id: number }
  | { type: 'validate'; id: number; filter: string; device: string | null }
  | { type: 'availability'; id: number }
  | { type: 'start'; id: number; options: LiveCaptureOptions; stream: boolean }
  | { type: 'stop'; id: number }
  /** The client consumed the pieces up to this sequence number (flow control). */
  | { type: 'ack'; seq: number };

export type HostMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; code: LiveErrorCode; message: string }
  | { type: 'piece'; seq: number; bytes: Uint8Array; frames: number; firstFrame: number }
  | { type: 'counters'; counters: CaptureCounters }
  | { type: 'ended'; summary: CaptureSummary }
  | { type: 'ready'; pid: number };

export type FilterVerdict = { ok: true; checkedBy: string } | { ok: false; message: string } | { ok: null; message: string };

export interface Availability {
  /** 'cap' when it loads here. */
  cap: string | null;
  capError: string | null;
  dumpcap: string | null;
  tcpdump: string | null;
}

export interface ReplyTypes {
  list: DeviceInfo[];
  validate: FilterVerdict;
  availability: Availability;
  start: CaptureStarted;
  stop: CaptureSummary;
}

const str = (v: unknown) => typeof v === 'string';
const posInt = (v: unknown, max: number) => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= max;

/** The request, or a sentence saying what is wrong with it. */
export function checkRequest(m: unknown): HostRequest | string {
  if (typeof m !== 'object' || m === null) return 'not an object';
  const r = m as Record<string, unknown>;
  if (r.type === 'ack') return Number.isInteger(r.seq) ? (r as HostRequest) : 'ack without seq';
  if (!Number.isInteger(r.id)) return 'request without id';
  switch (r.type) {
    case 'list': case 'availability': case 'stop':
      return r as HostRequest;
    case 'validate':
      return str(r.filter) && (r.device === null || str(r.device)) ? (r as HostRequest) : 'validate needs filter and device';
    case 'start': {
      const o = r.options as Record<string, unknown> | null;
      if (typeof o !== 'object' || o === null) return 'start needs options';
      const devs = Array.isArray(o.device) ? o.device : [o.device];
      if (devs.length === 0 || !devs.every((d) => str(d) && (d as string).length > 0 && (d as string).length < 256)) {
        return 'options.device must be a device name';
      }
      if (o.filter !== undefined && !str(o.filter)) return 'options.filter must be a string';
      if (o.snaplen !== undefined && !posInt(o.snaplen, 262144)) return 'options.snaplen must be 1..262144';
      if (o.count !== undefined && !posInt(o.count, Number.MAX_SAFE_INTEGER)) return 'options.count must be a positive integer';
      if (o.bufferSize !== undefined && !posInt(o.bufferSize, 2 ** 31 - 1)) return 'options.bufferSize must be a positive integer';
      if (o.batchIntervalMs !== undefined && !posInt(o.batchIntervalMs, 10_000)) return 'options.batchIntervalMs must be 1..10000';
      if (o.outputFile !== undefined && o.outputFile !== null && !str(o.outputFile)) return 'options.outputFile must be a path';
      if (o.promiscuous !== undefined && typeof o.promiscuous !== 'boolean') return 'options.promiscuous must be a boolean';
      if (o.source !== undefined && !['auto', 'cap', 'dumpcap', 'tcpdump'].includes(o.source as string)) {
        return 'options.source must be auto, cap, dumpcap or tcpdump';
      }
      return r as HostRequest;
    }
    default:
      return `unknown request ${JSON.stringify(r.type)}`;
  }
}
