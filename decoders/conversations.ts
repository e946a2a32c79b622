// Hosts and conversations shared by every reconstruction, so that TCP, UDP, DNS and QUIC number them in one table.
import type { Conversation } from './model';

/** Interns printable addresses into small integer ids (the diagram's lifelines). */
export class HostTable {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  /**
   * Direct-mapped cache in front of the Map (called twice per packet): the slot comes from the address's length
   * and last characters, and the wire decoder hands out the same string object for a repeated address, so a hit is
   * a pointer comparison.
   */
  private readonly cacheKeys: (string | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);
  private readonly cacheIds = new Int32Array(CACHE_SLOTS);
  /** The same for IPv4 addresses given as numbers (no string to hash at all). */
  private readonly v4Keys = new Int32Array(CACHE_SLOTS);
  private readonly v4Ids = new Int32Array(CACHE_SLOTS).fill(-1);

  private readonly v6Keys = new Int32Array(CACHE_SLOTS * 4);
  private readonly v6Ids = new Int32Array(CACHE_SLOTS).fill(-1);

  /** intern() of an IPv6 address given as 4 big-endian 32-bit words, whose printable form is `address`. */
  internV6(words: Int32Array, address: string): number {
    const k0 = words[0], k1 = words[1], k2 = words[2], k3 = words[3];
    const slot = (Math.imul(k0 ^ k1, 0x9e3779b1) ^ Math.imul(k2 ^ k3, 0x85ebca6b)) >>> (32 - CACHE_BITS);
    const j = slot * 4, keys = this.v6Keys;
    if (this.v6Ids[slot] >= 0 && keys[j] === k0 && keys[j + 1] === k1 && keys[j + 2] === k2 && keys[j + 3] === k3) {
      return this.v6Ids[slot];
    }
    const id = this.intern(address);
    keys[j] = k0; keys[j + 1] = k1; keys[j + 2] = k2; keys[j + 3] = k3;
    this.v6Ids[slot] = id;
    return id;
  }

  /** intern() of an IPv4 address whose 32 bits are `key` (signed) and whose printable form is `address`. */
  internV4(key: number, address: string): number {
    const slot = (Math.imul(key, 0x9e3779b1) >>> (32 - CACHE_BITS));
    if (this.v4Keys[slot] === key && this.v4Ids[slot] >= 0) return this.v4Ids[slot];
    const id = this.intern(address);
    this.v4Keys[slot] = key;
    this.v4Ids[slot] = id;
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
const ENDPOINT_BITS = 12;
const ENDPOINT_SLOTS = 1 << ENDPOINT_BITS;

/** Formats an endpoint like the JSON contract: "ip:port", IPv6 as "[addr]:port". */
export function endpoint(address: string, port: number): string {
  // join builds one flat string (a template literal keeps a rope of its pieces: twice the memory, kept per conversation)
  return address.includes(':') ? ['[', address, ']:', port].join('') : [address, ':', port].join('');
}

/** Shared by every conversation until its first note (most never get one); note() replaces it. */
const NO_NOTES: Record<string, number> = Object.freeze({}) as Record<string, number>;

export class ConversationTable {
  readonly list: Conversation[] = [];
  /** Endpoint strings by (host id, port), direct-mapped: conversations with one server share its string. */
  private readonly epHost = new Int32Array(ENDPOINT_SLOTS).fill(-1);
  private readonly epPort = new Int32Array(ENDPOINT_SLOTS);
  private readonly epText: string[] = new Array(ENDPOINT_SLOTS).fill('');

  constructor(readonly hosts: HostTable) {}

  /** Opens a new conversation; `frame` is its first frame. */
  open(protocol: Conversation['protocol'], clientAddr: string, clientPort: number, serverAddr: string,
    serverPort: number, frame: number, tcpStream = -1): Conversation {
    const clientHost = this.hosts.intern(clientAddr), serverHost = this.hosts.intern(serverAddr);
    const c: Conversation = {
      id: this.list.length, protocol,
      client: this.endpoint(clientHost, clientAddr, clientPort), server: this.endpoint(serverHost, serverAddr, serverPort),
      clientHost, serverHost,
      firstFrame: frame, lastFrame: frame, packets: 0, bytes: [0, 0], tcpStream, notes: NO_NOTES,
      // declared up front (undefined until known) so setting them later does not grow the object
      app: undefined, title: undefined,
    };
    this.list.push(c);
    return c;
  }

  private endpoint(host: number, address: string, port: number): string {
    const slot = (Math.imul(host, 0x9e3779b1) ^ Math.imul(port, 0x85ebca6b)) >>> (32 - ENDPOINT_BITS);
    if (this.epHost[slot] === host && this.epPort[slot] === port) return this.epText[slot];
    const text = endpoint(address, port);
    this.epHost[slot] = host;
    this.epPort[slot] = port;
    this.epText[slot] = text;
    return text;
  }

  /** Counts one packet of `payloadBytes` in direction `dir` (0 client→server, 1 server→client). */
  count(c: Conversation, frame: number, dir: number, payloadBytes: number): void {
    c.packets++;
    c.lastFrame = frame;
    c.bytes[dir === 1 ? 1 : 0] += payloadBytes;
  }

  note(c: Conversation, what: string, n = 1): void {
    if (c.notes === NO_NOTES) c.notes = {};
    c.notes[what] = (c.notes[what] ?? 0) + n;
  }
}
