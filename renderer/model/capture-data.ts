// The UI thread's mirror of what the worker analysed: per-frame columns, timeline event columns, conversations and
// hosts, appended batch by batch. Append-only and versioned: the diagram layout reads it, never mutates it.
import type { CaptureSummary, ConvSummary, EventBatch, FrameBatch } from '../worker/protocol';
import { grown, lowerBound } from '../../decoders/columns';

export class FrameColumns {
  count = 0;
  time = new Float64Array(1024);
  src = new Int32Array(1024);
  dst = new Int32Array(1024);
  srcPort = new Uint16Array(1024);
  dstPort = new Uint16Array(1024);
  conv = new Int32Array(1024);
  dir = new Uint8Array(1024);
  cat = new Uint8Array(1024);
  marks = new Uint8Array(1024);
  len = new Uint32Array(1024);
  proto = new Uint8Array(1024);

  append(b: FrameBatch): void {
    const n = b.from + b.count;
    for (const k of ['time', 'src', 'dst', 'srcPort', 'dstPort', 'conv', 'dir', 'cat', 'marks', 'len', 'proto'] as const) {
      const col = grown(this[k], n);
      col.set(b[k] as never, b.from);
      (this as Record<string, unknown>)[k] = col;
    }
    this.count = Math.max(this.count, n);
  }
}

export class EventColumns {
  count = 0;
  kind = new Uint8Array(1024);
  frame = new Uint32Array(1024);
  conv = new Int32Array(1024);

  append(b: EventBatch): void {
    const n = b.from + b.count;
    this.kind = grown(this.kind, n);
    this.frame = grown(this.frame, n);
    this.conv = grown(this.conv, n);
    this.kind.set(b.kind, b.from);
    this.frame.set(b.frame, b.from);
    this.conv.set(b.conv, b.from);
    this.count = Math.max(this.count, n);
  }

  /** First event index whose frame is >= `frame`. */
  lowerBound(frame: number): number {
    return lowerBound(this.frame, this.count, frame);
  }
}

export class CaptureData {
  readonly frames = new FrameColumns();
  readonly events = new EventColumns();
  conversations: ConvSummary[] = [];
  /** Conversations known so far (the list is sparse by id): counted here, not by filtering it on every render. */
  convCount = 0;
  hosts: string[] = [];
  hostNames = new Map<string, string>();
  summary: CaptureSummary | null = null;
  /** Bumped on every change; layouts memoize on it. */
  version = 0;
  done = false;

  applyBatch(b: { frames: FrameBatch | null; events: EventBatch | null; convs: ConvSummary[];
    hosts: { from: number; names: string[] }; hostNames: [string, string][]; summary: CaptureSummary }): void {
    if (b.frames) this.frames.append(b.frames);
    if (b.events) this.events.append(b.events);
    if (b.convs.length) {
      const list = this.conversations.slice();
      for (const c of b.convs) {
        if (!list[c.id]) this.convCount++;
        list[c.id] = c;
      }
      this.conversations = list;
    }
    if (b.hosts.names.length) {
      const hosts = this.hosts.slice(0, b.hosts.from);
      hosts.push(...b.hosts.names);
      this.hosts = hosts;
    }
    if (b.hostNames.length) this.hostNames = new Map(b.hostNames);
    this.summary = b.summary;
    this.version++;
  }

  /** "name (address)" when DNS in the capture named the host, else the address. */
  hostLabel(host: number): { address: string; name: string | undefined } {
    const address = this.hosts[host] ?? '?';
    return { address, name: this.hostNames.get(address) };
  }
}
