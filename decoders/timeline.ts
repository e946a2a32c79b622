// The typed, append-only timeline every reconstruction writes to and the renderer reads.
// Events are stored column-wise (no object per event): kind, frame and two numeric facts (int32 columns, with the
// rare wider value in a side table); conversation and direction come from the event's frame unless they differ.
// Rich facts (a TLS hello, a DNS message, a QUIC packet) live in sparse `ref` slots. Explanations are built from the
// stored facts when shown (decoders/explain.ts), never stored as text.

import { grown, indexOfSorted, lowerBound, resized } from './columns';

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

/** Rebuilds an event's facts from the compact key its producer stored (Timeline.pushLazy). */
export type RefResolver = (key: number) => unknown;

/** Direction of an event within its conversation. */
export enum Dir { CLIENT_TO_SERVER = 0, SERVER_TO_CLIENT = 1, NONE = 2 }

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

/** The per-frame conversation and direction columns an event's own are derived from (the model's FrameIndex). */
export interface FrameConversations {
  readonly count: number;
  readonly conversation: Int32Array;
  readonly dir: Uint8Array;
}

export class Timeline {
  private cap: number;
  count = 0;
  kind: Uint8Array;
  frame: Uint32Array;
  /**
   * An event's conversation and direction are nearly always those of its frame, so they are not stored per event:
   * conversationOf(i) / dirOf(i) read the frame's, and the few events that differ (a DNS timeout stamped on a later
   * frame, an event of a frame without a conversation) are kept in a sparse table. Events are checked against their
   * frame in seal(), once the frame's columns are written; until then their own values wait in `pending`.
   */
  private frames: FrameConversations | null = null;
  private sealed = 0;
  private pendingConv = new Int32Array(64);
  private pendingDir = new Uint8Array(64);
  private exCount = 0;
  private exEvent = new Uint32Array(0);
  private exConv = new Int32Array(0);
  private exDir = new Uint8Array(0);
  /**
   * The numeric facts, read with aOf(i) / bOf(i). Almost every value is a 32-bit integer (lengths, relative
   * sequence numbers, codes), so the columns hold int32 and the rest (RTTs in seconds, sequence numbers past 2^31)
   * sits in a sparse side table: 8 bytes per event instead of 16.
   */
  private a: Int32Array;
  private b: Int32Array;
  /** Event id * 2 (+1 for b) of each value that is not an int32, ascending, and the value. */
  private wideCount = 0;
  private wideKey = new Float64Array(0);
  private wideValue = new Float64Array(0);
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
    this.a = new Int32Array(this.cap);
    this.b = new Int32Array(this.cap);
  }

  /** Append an event. Events must be pushed in frame order (the reconstruction runs once, in frame order). */
  push(kind: EventKind, frame: number, conversation: number, dir: number, a = 0, b = 0, ref?: unknown): number {
    if (this.count === this.cap) this.grow();
    if (this.count - this.sealed === this.pendingConv.length) {
      // Without a frame index every event is its own exception: settle them. With one, the current frame's row is
      // not written yet, so its events must wait: make room.
      if (!this.frames) this.seal();
      else {
        this.pendingConv = grown(this.pendingConv, this.pendingConv.length + 1);
        this.pendingDir = grown(this.pendingDir, this.pendingDir.length + 1);
      }
    }
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
    this.pendingConv[i - this.sealed] = conversation;
    this.pendingDir[i - this.sealed] = dir;
    if ((a | 0) === a && a !== WIDE) this.a[i] = a; else this.putWide(i, 0, a);
    if ((b | 0) === b && b !== WIDE) this.b[i] = b; else this.putWide(i, 1, b);
    if (ref !== undefined) {
      this.refEvent = grown(this.refEvent, this.refCount + 1, 256);
      this.refEvent[this.refCount++] = i;
      this.refValue.push(ref);
    }
    return i;
  }

  /**
   * Derive events' conversation and direction from these per-frame columns (frame n at row n-1) from now on.
   * Without it every event keeps its own.
   */
  attachFrames(frames: FrameConversations): void {
    this.seal();
    this.frames = frames;
  }

  /** Checks the events pushed since the last call against their frames (call once the frames' columns are set). */
  seal(): void {
    const f = this.frames;
    for (let i = this.sealed; i < this.count; i++) {
      const conv = this.pendingConv[i - this.sealed], dir = this.pendingDir[i - this.sealed];
      const row = this.frame[i] - 1;
      if (f && row >= 0 && row < f.count && f.conversation[row] === conv && f.dir[row] === dir) continue;
      this.exEvent = grown(this.exEvent, this.exCount + 1, 64);
      this.exConv = grown(this.exConv, this.exCount + 1, 64);
      this.exDir = grown(this.exDir, this.exCount + 1, 64);
      this.exEvent[this.exCount] = i;
      this.exConv[this.exCount] = conv;
      this.exDir[this.exCount++] = dir;
    }
    this.sealed = this.count;
  }

  /** Conversation id of event i, -1 if none. */
  conversationOf(i: number): number {
    if (i >= this.sealed) return this.pendingConv[i - this.sealed];
    const j = this.exceptionOf(i);
    return j >= 0 ? this.exConv[j] : this.frames!.conversation[this.frame[i] - 1];
  }

  /** Direction of event i (Dir). */
  dirOf(i: number): number {
    if (i >= this.sealed) return this.pendingDir[i - this.sealed];
    const j = this.exceptionOf(i);
    return j >= 0 ? this.exDir[j] : this.frames!.dir[this.frame[i] - 1];
  }

  /** Conversation ids of events [from, to) as a new array. */
  conversations(from = 0, to = this.count): Int32Array {
    const out = new Int32Array(Math.max(0, to - from));
    let j = lowerBound(this.exEvent, this.exCount, from);
    for (let k = 0; k < out.length; k++) {
      const i = from + k;
      if (i >= this.sealed) out[k] = this.pendingConv[i - this.sealed];
      else if (j < this.exCount && this.exEvent[j] === i) out[k] = this.exConv[j++];
      else out[k] = this.frames!.conversation[this.frame[i] - 1];
    }
    return out;
  }

  private exceptionOf(i: number): number {
    return this.exCount === 0 ? -1 : indexOfSorted(this.exEvent, this.exCount, i);
  }

  /** The first numeric fact of event i (its meaning depends on the kind: decoders/tcp/events.ts and others). */
  aOf(i: number): number {
    const v = this.a[i];
    return v === WIDE ? this.wide(i * 2) : v;
  }

  /** The second numeric fact of event i. */
  bOf(i: number): number {
    const v = this.b[i];
    return v === WIDE ? this.wide(i * 2 + 1) : v;
  }

  private putWide(i: number, which: 0 | 1, value: number): void {
    (which === 0 ? this.a : this.b)[i] = WIDE;
    this.wideKey = grown(this.wideKey, this.wideCount + 1, 64);
    this.wideValue = grown(this.wideValue, this.wideCount + 1, 64);
    this.wideKey[this.wideCount] = i * 2 + which;
    this.wideValue[this.wideCount++] = value;
  }

  private wide(key: number): number {
    return this.wideValue[lowerBound(this.wideKey, this.wideCount, key)];
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
    this.lazyEvent = grown(this.lazyEvent, this.lazyCount + 1, 256);
    this.lazyKey = grown(this.lazyKey, this.lazyCount + 1, 256);
    this.lazyFn = grown(this.lazyFn, this.lazyCount + 1, 256);
    const j = this.lazyCount++;
    this.lazyEvent[j] = i;
    this.lazyKey[j] = key;
    this.lazyFn[j] = fn;
    return i;
  }

  /** The structured facts of event i (undefined for kinds without). */
  refOf(i: number): unknown {
    const j = indexOfSorted(this.refEvent, this.refCount, i);
    const r = j >= 0 ? this.refValue[j] : undefined;
    if (r !== undefined || this.lazyCount === 0) return r;
    const k = indexOfSorted(this.lazyEvent, this.lazyCount, i);
    return k >= 0 ? this.resolvers[this.lazyFn[k]](this.lazyKey[k]) : undefined;
  }

  get(i: number): TimelineEvent {
    if (i < 0 || i >= this.count) throw new RangeError(`no timeline event ${i}`);
    return {
      id: i, kind: EVENT_KINDS[this.kind[i]], frame: this.frame[i], conversation: this.conversationOf(i),
      dir: this.dirOf(i), a: this.aOf(i), b: this.bOf(i), ref: this.refOf(i),
    };
  }

  kindOf(i: number): EventKind {
    return EVENT_KINDS[this.kind[i]];
  }

  /** Index of the first event whose frame is >= `frame` (events are in frame order). */
  lowerBound(frame: number): number {
    return lowerBound(this.frame, this.count, frame);
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
    return this.cap * (1 + 4 + 4 + 4) + this.exEvent.length * (4 + 4 + 1) + this.wideKey.length * 16 +
      this.lazyEvent.length * (4 + 8 + 1) + this.refEvent.length * 4 + this.refCount * 8;
  }

  /** Gives back the room kept for growth (the end of the input: nothing more will be pushed). */
  compact(): void {
    this.seal();
    const n = Math.max(16, this.count);
    if (this.cap !== n) this.resize(n);
    const trim = <T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(a: T, used: number): T =>
      a.length === used ? a : resized(a, used);
    this.exEvent = trim(this.exEvent, this.exCount);
    this.exConv = trim(this.exConv, this.exCount);
    this.exDir = trim(this.exDir, this.exCount);
    this.wideKey = trim(this.wideKey, this.wideCount);
    this.wideValue = trim(this.wideValue, this.wideCount);
    this.refEvent = trim(this.refEvent, this.refCount);
    this.lazyEvent = trim(this.lazyEvent, this.lazyCount);
    this.lazyKey = trim(this.lazyKey, this.lazyCount);
    this.lazyFn = trim(this.lazyFn, this.lazyCount);
  }

  private grow(): void {
    this.resize(this.cap * 2);
  }

  private resize(cap: number): void {
    this.kind = resized(this.kind, cap, this.count);
    this.frame = resized(this.frame, cap, this.count);
    this.a = resized(this.a, cap, this.count);
    this.b = resized(this.b, cap, this.count);
    this.cap = cap;
  }
}

/** Marks an a/b value kept in the wide side table (the one int32 never stored inline). */
const WIDE = -0x80000000;
