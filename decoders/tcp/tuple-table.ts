// Canonical TCP 4-tuple → conversation slot, as an open-addressing hash table over integers (host ids from the
// HostTable and ports): no allocation and no boxed-number keys per packet.

/** Int32s per slot: [hostLow, hostHigh, portLow << 16 | portHigh, value + 1] (0 = empty slot). Keys and value sit
 *  side by side so a probe touches one cache line. Host ids and the ports are kept apart: host*65536+port fits
 *  2^31 only for small host ids. */
const S = 4;

export class TupleTable {
  // starts small and doubles: the JIT warm-up's few conversations make it grow (see INITIAL_BITS in conversations.ts)
  private cap = 4;
  private slots = new Int32Array(this.cap * S);
  private size = 0;

  /** Value stored for the tuple, or -1. Endpoints in either order find the same entry. */
  get(ha: number, pa: number, hb: number, pb: number): number {
    const low = ha < hb || (ha === hb && pa <= pb);
    const h0 = low ? ha : hb, h1 = low ? hb : ha, ports = low ? (pa << 16) | pb : (pb << 16) | pa;
    const mask = this.cap - 1, s = this.slots;
    for (let i = hash(h0, h1, ports) & mask; ; i = (i + 1) & mask) {
      const k = i * S;
      const v = s[k + 3];
      if (v === 0) return -1;
      if (s[k] === h0 && s[k + 1] === h1 && s[k + 2] === ports) return v - 1;
    }
  }

  /** Stores (or replaces) the value (>= 0) of a tuple. */
  set(ha: number, pa: number, hb: number, pb: number, value: number): void {
    // at most 3/4 full: linear probing stays short, and the table is half the size of one kept at most half full
    if ((this.size + 1) * 4 > this.cap * 3) this.grow();
    const low = ha < hb || (ha === hb && pa <= pb);
    const h0 = low ? ha : hb, h1 = low ? hb : ha, ports = low ? (pa << 16) | pb : (pb << 16) | pa;
    this.put(h0, h1, ports, value + 1);
  }

  /** `stored` is the value + 1. */
  private put(h0: number, h1: number, ports: number, stored: number): void {
    const mask = this.cap - 1, s = this.slots;
    for (let i = hash(h0, h1, ports) & mask; ; i = (i + 1) & mask) {
      const k = i * S;
      if (s[k + 3] === 0) {
        s[k] = h0; s[k + 1] = h1; s[k + 2] = ports; s[k + 3] = stored;
        this.size++;
        return;
      }
      if (s[k] === h0 && s[k + 1] === h1 && s[k + 2] === ports) { s[k + 3] = stored; return; }
    }
  }

  private grow(): void {
    const old = this.slots, cap = this.cap;
    this.cap = cap * 2;
    this.slots = new Int32Array(this.cap * S);
    this.size = 0;
    for (let k = 0; k < cap * S; k += S) if (old[k + 3] !== 0) this.put(old[k], old[k + 1], old[k + 2], old[k + 3]);
  }
}

function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 16), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}
