// UDP conversations by canonical 5-tuple (both directions one conversation; the first sender is the client).
import type { ConversationTable } from './conversations';
import type { Conversation } from './model';
import type { DecodedPacket } from './packet';

/** DNS, mDNS and LLMNR ports. */
export const isDnsPort = (port: number): boolean => port === 53 || port === 5353 || port === 5355;

/** Starts small and doubles: the JIT warm-up's UDP pair makes it grow (see INITIAL_BITS in conversations.ts). */
const INITIAL_PAIRS = 2;

/**
 * Canonical endpoint pair (host ids from the HostTable, ports) → a non-negative integer, as an open-addressing
 * table over Int32Arrays: no string key and no object per packet. Either endpoint order finds the same entry;
 * `lowFirst` tells whether the (host, port) given first was the canonical lower one.
 */
export class EndpointPairTable {
  private cap = INITIAL_PAIRS;
  /** [hostLow, hostHigh, portLow << 16 | portHigh] per slot. */
  private keys = new Int32Array(this.cap * 3);
  private vals = new Int32Array(this.cap).fill(-1);
  private size = 0;
  /** Set by get()/set(): the first endpoint passed is the canonical lower one. */
  lowFirst = false;

  get(ha: number, pa: number, hb: number, pb: number): number {
    const low = ha < hb || (ha === hb && pa <= pb);
    this.lowFirst = low;
    const h0 = low ? ha : hb, h1 = low ? hb : ha, ports = low ? (pa << 16) | pb : (pb << 16) | pa;
    const keys = this.keys, vals = this.vals, mask = this.cap - 1;
    for (let i = hash(h0, h1, ports) & mask; ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v < 0) return -1;
      const k = i * 3;
      if (keys[k] === h0 && keys[k + 1] === h1 && keys[k + 2] === ports) return v;
    }
  }

  /** Stores (or replaces) the value of a pair; `value` must be ≥ 0. */
  set(ha: number, pa: number, hb: number, pb: number, value: number): void {
    if ((this.size + 1) * 2 > this.cap) this.grow();
    const low = ha < hb || (ha === hb && pa <= pb);
    this.lowFirst = low;
    this.put(low ? ha : hb, low ? hb : ha, low ? (pa << 16) | pb : (pb << 16) | pa, value);
  }

  /** Removes a pair (backward-shift deletion keeps probe chains intact without tombstones). */
  delete(ha: number, pa: number, hb: number, pb: number): void {
    const low = ha < hb || (ha === hb && pa <= pb);
    const h0 = low ? ha : hb, h1 = low ? hb : ha, ports = low ? (pa << 16) | pb : (pb << 16) | pa;
    const keys = this.keys, vals = this.vals, mask = this.cap - 1;
    let i = hash(h0, h1, ports) & mask;
    for (; ; i = (i + 1) & mask) {
      if (vals[i] < 0) return;
      const k = i * 3;
      if (keys[k] === h0 && keys[k + 1] === h1 && keys[k + 2] === ports) break;
    }
    this.size--;
    for (let j = (i + 1) & mask; vals[j] >= 0; j = (j + 1) & mask) {
      const home = hash(keys[j * 3], keys[j * 3 + 1], keys[j * 3 + 2]) & mask;
      // move entry j into the hole i when its home slot is not cyclically within (i, j]
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        keys[i * 3] = keys[j * 3]; keys[i * 3 + 1] = keys[j * 3 + 1]; keys[i * 3 + 2] = keys[j * 3 + 2];
        vals[i] = vals[j];
        i = j;
      }
    }
    vals[i] = -1;
  }

  clear(): void {
    this.cap = INITIAL_PAIRS;
    this.keys = new Int32Array(this.cap * 3);
    this.vals = new Int32Array(this.cap).fill(-1);
    this.size = 0;
  }

  private put(h0: number, h1: number, ports: number, value: number): void {
    const keys = this.keys, vals = this.vals, mask = this.cap - 1;
    for (let i = hash(h0, h1, ports) & mask; ; i = (i + 1) & mask) {
      const k = i * 3;
      if (vals[i] < 0) {
        keys[k] = h0; keys[k + 1] = h1; keys[k + 2] = ports; vals[i] = value;
        this.size++;
        return;
      }
      if (keys[k] === h0 && keys[k + 1] === h1 && keys[k + 2] === ports) { vals[i] = value; return; }
    }
  }

  private grow(): void {
    const keys = this.keys, vals = this.vals, cap = this.cap;
    this.cap = cap * 2;
    this.keys = new Int32Array(this.cap * 3);
    this.vals = new Int32Array(this.cap).fill(-1);
    this.size = 0;
    for (let i = 0; i < cap; i++) if (vals[i] >= 0) this.put(keys[i * 3], keys[i * 3 + 1], keys[i * 3 + 2], vals[i]);
  }
}

function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 16), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

export class UdpConversations {
  /** Canonical endpoint pair → conversation id * 2 + (1 when the client is the canonical lower endpoint). */
  private readonly byPair = new EndpointPairTable();
  /** Direction of the last looked-up packet: 0 client→server, 1 server→client. */
  lastDir = 0;

  constructor(private readonly table: ConversationTable) {}

  /**
   * Finds or opens the conversation of a UDP packet and counts the packet in it. `srcHost`/`dstHost`: the HostTable
   * ids of p.src and p.dst when the caller already has them.
   */
  lookup(p: DecodedPacket, frame: number, app?: string, srcHost = -1, dstHost = -1): Conversation {
    const u = p.udp!;
    const hosts = this.table.hosts;
    const hs = srcHost >= 0 ? srcHost : hosts.intern(p.src), hd = dstHost >= 0 ? dstHost : hosts.intern(p.dst);
    const pairs = this.byPair;
    const v = pairs.get(hs, u.srcPort, hd, u.dstPort);
    let c: Conversation, dir: number;
    if (v < 0) {
      c = this.table.openIds('udp', hs, u.srcPort, hd, u.dstPort, frame);
      if (app) { c.app = app; c.title = app.toUpperCase(); }
      pairs.set(hs, u.srcPort, hd, u.dstPort, c.id * 2 + (pairs.lowFirst ? 1 : 0));
      dir = 0;
    } else {
      c = this.table.list[v >> 1];
      // the sender is the client when it is on the same side of the canonical order as the client
      dir = ((v & 1) === 1) === pairs.lowFirst ? 0 : 1;
    }
    this.lastDir = dir;
    this.table.count(c, frame, dir, u.payloadLength);
    return c;
  }

  /** After the end of input: the pair index is no longer needed (about 16 bytes a conversation, doubled for growth). */
  trim(): void {
    this.byPair.clear();
  }
}
