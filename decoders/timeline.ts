// The typed, append-only timeline every reconstruction writes to and the renderer reads.
// Events are stored column-wise (no object per event): kind, frame, conversation, direction and two numeric facts.
// Rich facts (a TLS hello, a DNS message, a QUIC packet) live in sparse `ref` slots. Explanations are built from the
// stored facts when shown (decoders/explain.ts), never stored as text.

/** Every event kind, in a fixed order: the index is the stored code. Append new kinds at the end of a group. */
export const EVENT_KINDS = [
  // TCP (issue 3)
  'tcp.syn_sent', 'tcp.syn_ack_sent', 'tcp.handshake_completed', 'tcp.data', 'tcp.ack', 'tcp.window_advertised',
  'tcp.zero_window', 'tcp.window_update', 'tcp.window_full', 'tcp.zero_window_probe', 'tcp.zero_window_probe_ack',
  'tcp.keep_alive', 'tcp.keep_alive_ack', 'tcp.retransmission', 'tcp.fast_retransmission',
  'tcp.spurious_retransmission', 'tcp.out_of_order', 'tcp.duplicate_ack', 'tcp.lost_segment', 'tcp.ack_lost_segment',
  'tcp.fin', 'tcp.reset', 'tcp.time_wait_entered', 'tcp.state_changed', 'tcp.port_reused',
  // TLS (issue 4)
  'tls.client_hello', 'tls.server_hello', 'tls.hello_retry_request', 'tls.certificate', 'tls.certificate_request',
  'tls.handshake_message', 'tls.change_cipher_spec', 'tls.alert', 'tls.handshake_completed', 'tls.keys_available',
  // DNS (issue 4)
  'dns.query', 'dns.response', 'dns.timeout', 'dns.retransmission',
  // QUIC (issue 5)
  'quic.initial', 'quic.handshake', 'quic.retry', 'quic.version_negotiation', 'quic.0rtt', 'quic.1rtt',
  'quic.connection_close', 'quic.handshake_completed',
  // Other traffic so every frame can be drawn
  'udp.datagram', 'icmp.message', 'frame.other',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];
const CODE = new Map<string, number>(EVENT_KINDS.map((k, i) => [k, i]));
export function eventCode(kind: EventKind): number {
  return CODE.get(kind)!;
}

/** Direction of an event within its conversation. */
export const Dir = { CLIENT_TO_SERVER: 0, SERVER_TO_CLIENT: 1, NONE: 2 } as const;

/** A read-only view of one event, built on demand. */
export interface TimelineEvent {
  /** Position in the timeline (0-based). */
  id: number;
  kind: EventKind;
  /** Frame number (1-based) the event belongs to. */
  frame: number;
  /** Conversation id in the model's conversation table, -1 if none. */
  conversation: number;
  dir: number;
  /** Numeric facts; their meaning is documented per kind in decoders/explain.ts. */
  a: number;
  b: number;
  /** Structured facts for kinds that need them (TLS hello, DNS message, QUIC packet, TCP state change...). */
  ref: unknown;
}

export class Timeline {
  private cap: number;
  count = 0;
  kind: Uint8Array;
  frame: Uint32Array;
  conversation: Int32Array;
  dir: Uint8Array;
  a: Float64Array;
  b: Float64Array;
  /** Sparse: only kinds with structured facts store something here. */
  readonly refs = new Map<number, unknown>();

  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, initialCapacity);
    this.kind = new Uint8Array(this.cap);
    this.frame = new Uint32Array(this.cap);
    this.conversation = new Int32Array(this.cap);
    this.dir = new Uint8Array(this.cap);
    this.a = new Float64Array(this.cap);
    this.b = new Float64Array(this.cap);
  }

  /** Append an event. Events must be pushed in frame order (the reconstruction runs once, in frame order). */
  push(kind: EventKind, frame: number, conversation: number, dir: number, a = 0, b = 0, ref?: unknown): number {
    if (this.count === this.cap) this.grow();
    const i = this.count++;
    this.kind[i] = CODE.get(kind)!;
    this.frame[i] = frame;
    this.conversation[i] = conversation;
    this.dir[i] = dir;
    this.a[i] = a;
    this.b[i] = b;
    if (ref !== undefined) this.refs.set(i, ref);
    return i;
  }

  get(i: number): TimelineEvent {
    if (i < 0 || i >= this.count) throw new RangeError(`no timeline event ${i}`);
    return {
      id: i, kind: EVENT_KINDS[this.kind[i]], frame: this.frame[i], conversation: this.conversation[i],
      dir: this.dir[i], a: this.a[i], b: this.b[i], ref: this.refs.get(i),
    };
  }

  kindOf(i: number): EventKind {
    return EVENT_KINDS[this.kind[i]];
  }

  /** Index of the first event whose frame is >= `frame` (events are in frame order). */
  lowerBound(frame: number): number {
    let lo = 0, hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.frame[mid] < frame) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Events of one frame, as views. */
  eventsOfFrame(frame: number): TimelineEvent[] {
    const out: TimelineEvent[] = [];
    for (let i = this.lowerBound(frame); i < this.count && this.frame[i] === frame; i++) out.push(this.get(i));
    return out;
  }

  /** Bytes retained by the columns (for the memory benchmark). */
  retainedBytes(): number {
    return this.cap * (1 + 4 + 4 + 1 + 8 + 8);
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const n = make(cap); n.set(old as never); return n;
    };
    this.kind = g(this.kind, (n) => new Uint8Array(n));
    this.frame = g(this.frame, (n) => new Uint32Array(n));
    this.conversation = g(this.conversation, (n) => new Int32Array(n));
    this.dir = g(this.dir, (n) => new Uint8Array(n));
    this.a = g(this.a, (n) => new Float64Array(n));
    this.b = g(this.b, (n) => new Float64Array(n));
    this.cap = cap;
  }
}
