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

/** Index of `id` in the ascending ids[0..n), or -1. */
function search(ids: Uint32Array, n: number, id: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] < id) lo = mid + 1; else hi = mid;
  }
  return lo < n && ids[lo] === id ? lo : -1;
}

/** Rebuilds an event's facts from the compact key its producer stored (Timeline.pushLazy). */
export type RefResolver = (key: number) => unknown;

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
  /**
   * Sparse refs, stored as parallel columns (event ids ascending, values) rather than a Map: a Map entry costs ~50
   * bytes, these 12. Only kinds with structured facts store something.
   */
  private refCount = 0;
  private refEvent = new Uint32Array(0);
  private refValue: unknown[] = [];
  /**
   * Refs built when read (pushLazy): event ids in ascending order, the resolver (index in `resolvers`) and the key
   * it rebuilds the facts from. 13 bytes per event instead of an object graph of facts kept for the whole capture.
   */
  private lazyCount = 0;
  private lazyEvent = new Uint32Array(0);
  private lazyKey = new Float64Array(0);
  private lazyFn = new Uint8Array(0);
  private readonly resolvers: RefResolver[] = [];
  private memoKind0 = '';
  private memoCode0 = 0;
  private memoKind1 = '';
  private memoCode1 = 0;

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
    // the code of the last few kinds pushed (a pointer comparison) before the Map
    let code: number;
    if (kind === this.memoKind0) code = this.memoCode0;
    else if (kind === this.memoKind1) code = this.memoCode1;
    else {
      code = CODE.get(kind)!;
      this.memoKind1 = this.memoKind0; this.memoCode1 = this.memoCode0;
      this.memoKind0 = kind; this.memoCode0 = code;
    }
    this.kind[i] = code;
    this.frame[i] = frame;
    this.conversation[i] = conversation;
    this.dir[i] = dir;
    this.a[i] = a;
    this.b[i] = b;
    if (ref !== undefined) {
      if (this.refCount === this.refEvent.length) {
        const next = new Uint32Array(Math.max(256, this.refCount * 2));
        next.set(this.refEvent);
        this.refEvent = next;
      }
      this.refEvent[this.refCount++] = i;
      this.refValue.push(ref);
    }
    return i;
  }

  /**
   * Appends an event whose ref is built on demand by `resolver(key)` (the same facts every time it is read): for
   * producers that keep what the facts derive from in a compact form anyway (DNS keeps every message's bytes).
   */
  pushLazy(kind: EventKind, frame: number, conversation: number, dir: number, a: number, b: number,
    resolver: RefResolver, key: number): number {
    const i = this.push(kind, frame, conversation, dir, a, b);
    let fn = this.resolvers.indexOf(resolver);
    if (fn < 0) {
      if (this.resolvers.length === 255) throw new RangeError('too many timeline ref resolvers');
      fn = this.resolvers.push(resolver) - 1;
    }
    if (this.lazyCount === this.lazyEvent.length) {
      const cap = Math.max(256, this.lazyCount * 2);
      const e = new Uint32Array(cap), k = new Float64Array(cap), f = new Uint8Array(cap);
      e.set(this.lazyEvent); k.set(this.lazyKey); f.set(this.lazyFn);
      this.lazyEvent = e; this.lazyKey = k; this.lazyFn = f;
    }
    const j = this.lazyCount++;
    this.lazyEvent[j] = i;
    this.lazyKey[j] = key;
    this.lazyFn[j] = fn;
    return i;
  }

  /** The structured facts of event i (undefined for kinds without). */
  refOf(i: number): unknown {
    const j = search(this.refEvent, this.refCount, i);
    const r = j >= 0 ? this.refValue[j] : undefined;
    if (r !== undefined || this.lazyCount === 0) return r;
    let lo = 0, hi = this.lazyCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lazyEvent[mid] < i) lo = mid + 1; else hi = mid;
    }
    if (lo < this.lazyCount && this.lazyEvent[lo] === i) return this.resolvers[this.lazyFn[lo]](this.lazyKey[lo]);
    return undefined;
  }

  get(i: number): TimelineEvent {
    if (i < 0 || i >= this.count) throw new RangeError(`no timeline event ${i}`);
    return {
      id: i, kind: EVENT_KINDS[this.kind[i]], frame: this.frame[i], conversation: this.conversation[i],
      dir: this.dir[i], a: this.a[i], b: this.b[i], ref: this.refOf(i),
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

  /** Every stored (not lazily built) ref by event id: a copy, for inspection. */
  get refs(): Map<number, unknown> {
    const m = new Map<number, unknown>();
    for (let j = 0; j < this.refCount; j++) m.set(this.refEvent[j], this.refValue[j]);
    return m;
  }

  /** Bytes retained by the columns (for the memory benchmark). */
  retainedBytes(): number {
    return this.cap * (1 + 4 + 4 + 1 + 8 + 8) + this.lazyEvent.length * (4 + 8 + 1) + this.refEvent.length * 4 +
      this.refCount * 8;
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
