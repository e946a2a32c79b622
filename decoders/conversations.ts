// Hosts and conversations shared by every reconstruction, so that TCP, UDP, DNS and QUIC number them in one table.
import type { Conversation } from './model';
import { resized } from './columns';

/** Interns printable addresses into small integer ids (the diagram's lifelines). */
export class HostTable {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  /**
   * Direct-mapped cache in front of the Map, for addresses that come as text (packets' addresses come as numbers:
   * see internV4/internV6): the slot comes from the address's length and last characters, and a hit on the same
   * string object is a pointer comparison.
   */
  private readonly cacheKeys: (string | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);
  private readonly cacheIds = new Int32Array(CACHE_SLOTS);
  /** Every host that came with its address as numbers (no string to hash, none to format): bits -> id. */
  private readonly v4 = new V4Ids();
  private readonly v6 = new V6Ids();

  /** The id of an IPv4 address given as its 32 bits (`key`, signed), or -1 when it was not interned that way. */
  idOfV4(key: number): number {
    return this.v4.get(key);
  }

  /** intern() of an IPv4 address whose 32 bits are `key` (signed) and whose printable form is `address`. */
  internV4(key: number, address: string): number {
    let id = this.v4.get(key);
    if (id < 0) this.v4.add(key, (id = this.intern(address)));
    return id;
  }

  /** The id of an IPv6 address given as 4 big-endian 32-bit words, or -1 when it was not interned that way. */
  idOfV6(words: Int32Array): number {
    return this.v6.get(words);
  }

  /** intern() of an IPv6 address given as 4 big-endian 32-bit words, whose printable form is `address`. */
  internV6(words: Int32Array, address: string): number {
    let id = this.v6.get(words);
    if (id < 0) this.v6.add(words, (id = this.intern(address)));
    return id;
  }

  intern(address: string): number {
    // the last characters vary most ("192.168.1.75", "2001:db8::1f")
    const n = address.length;
    let h = n;
    for (let i = n > 6 ? n - 6 : 0; i < n; i++) h = Math.imul(h, 31) + address.charCodeAt(i);
    const slot = (h ^ (h >>> 11)) & (CACHE_SLOTS - 1);
    if (this.cacheKeys[slot] === address) return this.cacheIds[slot];
    let id = this.ids.get(address);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(address);
      this.ids.set(address, id);
    }
    this.cacheKeys[slot] = address;
    this.cacheIds[slot] = id;
    return id;
  }
}

const CACHE_BITS = 12;
const CACHE_SLOTS = 1 << CACHE_BITS;

/**
 * Host indexes start this small and double. The JIT warm-up (decoders/warm-up.ts) has a handful of hosts, so it
 * grows them: V8 treats a field that was never reassigned as a constant that optimised code may rely on, and the
 * first growth in a real capture would throw that code away (the per-packet path with it).
 */
const INITIAL_BITS = 1;

/** IPv4 address bits -> host id, for every address added: open addressing, at most half full. Key and id sit side by
 *  side ([key, id + 1] per slot, 0 = empty) so a lookup touches one cache line. */
class V4Ids {
  private bits = INITIAL_BITS;
  private slots = new Int32Array(2 << this.bits);
  private size = 0;

  get(key: number): number {
    const mask = (1 << this.bits) - 1, slots = this.slots;
    for (let s = Math.imul(key, 0x9e3779b1) >>> (32 - this.bits); ; s = (s + 1) & mask) {
      const stored = slots[s * 2 + 1];
      if (stored === 0 || slots[s * 2] === key) return stored - 1;
    }
  }

  /** Adds a key that get() does not have. */
  add(key: number, id: number): void {
    if (++this.size * 2 > 1 << this.bits) this.grow();
    this.put(key, id + 1);
  }

  private put(key: number, stored: number): void {
    const mask = (1 << this.bits) - 1, slots = this.slots;
    let s = Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
    while (slots[s * 2 + 1] !== 0) s = (s + 1) & mask;
    slots[s * 2] = key;
    slots[s * 2 + 1] = stored;
  }

  private grow(): void {
    const old = this.slots;
    this.bits++;
    this.slots = new Int32Array(2 << this.bits);
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.put(old[i], old[i + 1]);
  }
}

/** IPv6 address (4 words) -> host id, the same way. */
class V6Ids {
  private bits = INITIAL_BITS;
  private keys = new Int32Array(4 << this.bits);
  private ids = new Int32Array(1 << this.bits).fill(-1);
  private size = 0;

  get(w: Int32Array): number {
    const mask = this.ids.length - 1, keys = this.keys, ids = this.ids;
    const w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
    for (let s = v6Hash(w0, w1, w2, w3) >>> (32 - this.bits); ; s = (s + 1) & mask) {
      const id = ids[s], j = s * 4;
      if (id < 0 || (keys[j] === w0 && keys[j + 1] === w1 && keys[j + 2] === w2 && keys[j + 3] === w3)) return id;
    }
  }

  /** Adds a key that get() does not have. */
  add(w: Int32Array, id: number): void {
    if (++this.size * 2 > this.ids.length) this.grow();
    this.put(w[0], w[1], w[2], w[3], id);
  }

  private put(w0: number, w1: number, w2: number, w3: number, id: number): void {
    const mask = this.ids.length - 1;
    let s = v6Hash(w0, w1, w2, w3) >>> (32 - this.bits);
    while (this.ids[s] >= 0) s = (s + 1) & mask;
    const j = s * 4;
    this.keys[j] = w0; this.keys[j + 1] = w1; this.keys[j + 2] = w2; this.keys[j + 3] = w3;
    this.ids[s] = id;
  }

  private grow(): void {
    const { keys, ids } = this;
    this.bits++;
    this.keys = new Int32Array(4 << this.bits);
    this.ids = new Int32Array(1 << this.bits).fill(-1);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] >= 0) this.put(keys[i * 4], keys[i * 4 + 1], keys[i * 4 + 2], keys[i * 4 + 3], ids[i]);
    }
  }
}

function v6Hash(w0: number, w1: number, w2: number, w3: number): number {
  return Math.imul(w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35) ^ Math.imul(w3, 0x27d4eb2f), 0x9e3779b1);
}

/** Formats an endpoint like the JSON contract: "ip:port", IPv6 as "[addr]:port". */
export function endpoint(address: string, port: number): string {
  // join builds one flat string (a template literal keeps a rope of its pieces)
  return address.includes(':') ? ['[', address, ']:', port].join('') : [address, ':', port].join('');
}

/** Shared by every conversation until its first note (most never get one); note() replaces it. */
const NO_NOTES: Record<string, number> = Object.freeze({}) as Record<string, number>;

const PROTOCOLS: readonly Conversation['protocol'][] = ['tcp', 'udp', 'quic', 'icmp'];

/**
 * One conversation of a ConversationTable. Its numbers live in the table's columns and its endpoint strings are
 * formatted when read: a capture can hold a conversation every dozen packets, and an object with its own fields,
 * strings and byte-count array cost about 250 bytes each where this costs about 110.
 */
class TableConversation implements Conversation {
  app: string | undefined = undefined;
  title: string | undefined = undefined;
  notes: Record<string, number> = NO_NOTES;
  constructor(private readonly t: ConversationTable, readonly id: number) {}
  get protocol(): Conversation['protocol'] { return PROTOCOLS[this.t.col.protocol[this.id]]; }
  get clientHost(): number { return this.t.col.hosts[this.id * 2]; }
  get serverHost(): number { return this.t.col.hosts[this.id * 2 + 1]; }
  get clientPort(): number { return this.t.col.ports[this.id * 2]; }
  get serverPort(): number { return this.t.col.ports[this.id * 2 + 1]; }
  get client(): string { return this.t.endpointText(this.id, 0); }
  get server(): string { return this.t.endpointText(this.id, 1); }
  get firstFrame(): number { return this.t.col.firstFrame[this.id]; }
  get lastFrame(): number { return this.t.col.lastFrame[this.id]; }
  get packets(): number { return this.t.col.packets[this.id]; }
  get bytes(): [number, number] { return [this.t.col.bytes[this.id * 2], this.t.col.bytes[this.id * 2 + 1]]; }
  get tcpStream(): number { return this.t.col.tcpStream[this.id]; }
}

/** The table's per-conversation columns, by conversation id (pairs: [client, server]). */
interface ConversationColumns {
  protocol: Uint8Array;
  hosts: Int32Array;
  ports: Uint16Array;
  firstFrame: Uint32Array;
  lastFrame: Uint32Array;
  packets: Uint32Array;
  /** Payload bytes client→server, server→client (beyond 2^32 in long captures). */
  bytes: Float64Array;
  tcpStream: Int32Array;
}

function newColumns(n: number): ConversationColumns {
  return {
    protocol: new Uint8Array(n), hosts: new Int32Array(n * 2), ports: new Uint16Array(n * 2),
    firstFrame: new Uint32Array(n), lastFrame: new Uint32Array(n), packets: new Uint32Array(n),
    bytes: new Float64Array(n * 2), tcpStream: new Int32Array(n),
  };
}

/** Starts small and doubles, for the reason given at INITIAL_BITS. */
const INITIAL_CONVERSATIONS = 4;

export class ConversationTable {
  readonly list: Conversation[] = [];
  /** Read by the conversations' accessors; written only by the table. */
  col: ConversationColumns = newColumns(INITIAL_CONVERSATIONS);
  private cap = INITIAL_CONVERSATIONS;

  constructor(readonly hosts: HostTable) {}

  /** Opens a new conversation; `frame` is its first frame. */
  open(protocol: Conversation['protocol'], clientAddr: string, clientPort: number, serverAddr: string,
    serverPort: number, frame: number, tcpStream = -1): Conversation {
    return this.openIds(protocol, this.hosts.intern(clientAddr), clientPort, this.hosts.intern(serverAddr), serverPort,
      frame, tcpStream);
  }

  /** open() with the endpoints' HostTable ids. */
  openIds(protocol: Conversation['protocol'], clientHost: number, clientPort: number, serverHost: number,
    serverPort: number, frame: number, tcpStream = -1): Conversation {
    const id = this.list.length;
    if (id === this.cap) this.resize(this.cap * 2);
    const k = this.col;
    k.protocol[id] = PROTOCOLS.indexOf(protocol);
    k.hosts[id * 2] = clientHost; k.hosts[id * 2 + 1] = serverHost;
    k.ports[id * 2] = clientPort; k.ports[id * 2 + 1] = serverPort;
    k.firstFrame[id] = frame; k.lastFrame[id] = frame;
    k.tcpStream[id] = tcpStream;
    const c = new TableConversation(this, id);
    this.list.push(c);
    return c;
  }

  /** "ip:port" of a conversation's client (side 0) or server (side 1). */
  endpointText(id: number, side: number): string {
    return endpoint(this.hosts.names[this.col.hosts[id * 2 + side]], this.col.ports[id * 2 + side]);
  }

  /** Counts one packet of `payloadBytes` in direction `dir` (0 client→server, 1 server→client). */
  count(c: Conversation, frame: number, dir: number, payloadBytes: number): void {
    this.countId(c.id, frame, dir, payloadBytes);
  }

  /** count() by conversation id (saves reading the conversation object). */
  countId(id: number, frame: number, dir: number, payloadBytes: number): void {
    const k = this.col;
    k.packets[id]++;
    k.lastFrame[id] = frame;
    k.bytes[id * 2 + (dir === 1 ? 1 : 0)] += payloadBytes;
  }

  /** The other endpoint is the client after all: swaps the two sides of a conversation. */
  swapSides(c: Conversation): void {
    const { hosts, ports, bytes } = this.col, i = c.id * 2;
    let t = hosts[i]; hosts[i] = hosts[i + 1]; hosts[i + 1] = t;
    t = ports[i]; ports[i] = ports[i + 1]; ports[i + 1] = t;
    t = bytes[i]; bytes[i] = bytes[i + 1]; bytes[i + 1] = t;
  }

  /** Gives back the room kept for growth (the end of the input; opening more still works). */
  compact(): void {
    // never below the starting size (cap is at least that), so opening one more still doubles
    const n = Math.max(INITIAL_CONVERSATIONS, this.list.length);
    if (n !== this.cap) this.resize(n);
  }

  /** Bytes the conversations take: their columns, objects and the list's slots (for the memory benchmark). */
  retainedBytes(): number {
    return this.cap * COLUMN_BYTES + this.list.length * (CONVERSATION_OBJECT_BYTES + 8);
  }

  private resize(cap: number): void {
    const k = this.col, n = this.list.length;
    this.col = {
      protocol: resized(k.protocol, cap, n), hosts: resized(k.hosts, cap * 2, n * 2),
      ports: resized(k.ports, cap * 2, n * 2), firstFrame: resized(k.firstFrame, cap, n),
      lastFrame: resized(k.lastFrame, cap, n), packets: resized(k.packets, cap, n),
      bytes: resized(k.bytes, cap * 2, n * 2), tcpStream: resized(k.tcpStream, cap, n),
    };
    this.cap = cap;
  }

  note(c: Conversation, what: string, n = 1): void {
    if (c.notes === NO_NOTES) c.notes = {};
    c.notes[what] = (c.notes[what] ?? 0) + n;
  }
}

/** Column bytes per conversation: protocol 1, hosts 8, ports 4, first/last frame and packets 12, bytes 16, stream 4. */
const COLUMN_BYTES = 45;
/** A TableConversation: header, five fields (8 bytes each without pointer compression). */
const CONVERSATION_OBJECT_BYTES = 64;
