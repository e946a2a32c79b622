// Canonical TCP 4-tuple → conversation slot, as an open-addressing hash table over integers (host ids from the
// HostTable and ports): no allocation and no boxed-number keys per packet.

export class TupleTable {
  private cap = 1024;
  /** 3 ints per slot: lower (host, port) packed as host*65536+port fits 2^31 only for small host ids, so keep
   *  host ids and the two ports apart: [hostLow, hostHigh, portLow << 16 | portHigh]. */
  private keys = new Int32Array(this.cap * 3);
  private vals = new Int32Array(this.cap).fill(-1);
  private size = 0;

  /** Value stored for the tuple, or -1. Endpoints in either order find the same entry. */
  get(ha: number, pa: number, hb: number, pb: number): number {
    const low = ha < hb || (ha === hb && pa <= pb);
    const h0 = low ? ha : hb, h1 = low ? hb : ha, ports = low ? (pa << 16) | pb : (pb << 16) | pa;
    const mask = this.cap - 1;
    for (let i = hash(h0, h1, ports) & mask; ; i = (i + 1) & mask) {
      const v = this.vals[i];
      if (v < 0) return -1;
      const k = i * 3;
      if (this.keys[k] === h0 && this.keys[k + 1] === h1 && this.keys[k + 2] === ports) return v;
    }
  }

  /** Stores (or replaces) the value of a tuple. */
  set(ha: number, pa: number, hb: number, pb: number, value: number): void {
    if ((this.size + 1) * 2 > this.cap) this.grow();
    const low = ha < hb || (ha === hb && pa <= pb);
    const h0 = low ? ha : hb, h1 = low ? hb : ha, ports = low ? (pa << 16) | pb : (pb << 16) | pa;
    this.put(h0, h1, ports, value);
  }

  private put(h0: number, h1: number, ports: number, value: number): void {
    const mask = this.cap - 1;
    for (let i = hash(h0, h1, ports) & mask; ; i = (i + 1) & mask) {
      const k = i * 3;
      if (this.vals[i] < 0) {
        this.keys[k] = h0; this.keys[k + 1] = h1; this.keys[k + 2] = ports; this.vals[i] = value;
        this.size++;
        return;
      }
      if (this.keys[k] === h0 && this.keys[k + 1] === h1 && this.keys[k + 2] === ports) { this.vals[i] = value; return; }
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
