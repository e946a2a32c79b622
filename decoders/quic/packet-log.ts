// Every QUIC packet's JSON facts, stored column-wise (a few typed arrays, connection IDs interned) so that a
// capture with millions of 1-RTT packets does not hold an object per packet. toJson() builds the contract's rows.
import type { QuicJson } from '../analysis-json';
import { indexOfSorted, resized } from '../columns';
import type { PacketType } from './header';
import { quicVersion, versionHex } from './versions';

const TYPES: readonly PacketType[] = ['initial', '0rtt', 'handshake', 'retry', 'version_negotiation', '1rtt'];
const TYPE_CODE = new Map<PacketType, number>(TYPES.map((t, i) => [t, i]));
const LONG = 0x80;

export interface PacketFacts {
  frame: number;
  index: number;
  long: boolean;
  version: number;
  type: PacketType;
  dcid: string;
  scid: string;
  /** -1 when the packet could not be unprotected. */
  packetNumber: number;
  frameTypes?: number[];
  sni?: string;
  alpn?: string[];
}

export class PacketLog {
  count = 0;
  private cap = 0;
  private frame = new Uint32Array(0);
  private index = new Uint8Array(0);
  private kind = new Uint8Array(0);
  private version = new Uint32Array(0);
  private dcid = new Int32Array(0);
  private scid = new Int32Array(0);
  private pn = new Float64Array(0);
  private readonly frameTypes = new SparseRows<number[]>();
  private typeLists = new Map<string, number[]>();
  private readonly sni = new SparseRows<string>();
  private readonly alpn = new SparseRows<string[]>();
  private readonly strings: string[] = [];
  private stringIds = new Map<string, number>();

  add(f: PacketFacts): number {
    const i = this.append(f.frame, f.index, f.long, f.version, f.type, f.dcid, f.scid, f.packetNumber);
    if (f.frameTypes) this.frameTypes.set(i, this.shared(f.frameTypes));
    if (f.sni !== undefined) this.sni.set(i, f.sni);
    if (f.alpn) this.alpn.set(i, f.alpn);
    return i;
  }

  /** add() without a facts object (the per-packet path). */
  append(frame: number, index: number, long: boolean, version: number, type: PacketType, dcid: string, scid: string,
    packetNumber: number): number {
    return this.appendIds(frame, index, long, version, type, this.intern(dcid), this.intern(scid), packetNumber);
  }

  /** append() with CIDs already interned (idOf). */
  appendIds(frame: number, index: number, long: boolean, version: number, type: PacketType, dcid: number,
    scid: number, packetNumber: number): number {
    if (this.count === this.cap) this.grow();
    const i = this.count++;
    this.frame[i] = frame;
    this.index[i] = Math.min(255, index);
    this.kind[i] = TYPE_CODE.get(type)! | (long ? LONG : 0);
    this.version[i] = version >>> 0;
    this.dcid[i] = dcid;
    this.scid[i] = scid;
    this.pn[i] = packetNumber;
    return i;
  }

  /**
   * The facts of a packet whose QuicPacketRef held nothing but what this log keeps (see QuicAnalyzer): the same
   * keys in the same order, for a timeline event's lazily built ref.
   */
  packetRef(row: number, length: number): {
    packetType: PacketType; header: 'long' | 'short'; dcid: string; length: number; indexInDatagram: number;
    decrypted: boolean; version?: string; versionName?: string; scid?: string;
  } {
    const long = (this.kind[row] & LONG) !== 0;
    const ref: ReturnType<PacketLog['packetRef']> = {
      packetType: TYPES[this.kind[row] & 0x7f], header: long ? 'long' : 'short', dcid: this.strings[this.dcid[row]],
      length, indexInDatagram: this.index[row], decrypted: false,
    };
    if (long) {
      ref.version = versionHex(this.version[row]);
      ref.versionName = quicVersion(this.version[row]).name;
      ref.scid = this.strings[this.scid[row]];
    }
    return ref;
  }

  /** The id of a CID string in this log (for appendIds; a caller may keep it for the same string). */
  idOf(s: string): number {
    return this.intern(s);
  }

  /** Records what decryption revealed: the packet number and the frame types (returns the list as stored). */
  setPacket(row: number, packetNumber: number, frameTypes: number[]): number[] {
    this.pn[row] = packetNumber;
    const t = this.shared(frameTypes);
    this.frameTypes.set(row, t);
    return t;
  }

  /** One array per distinct frame type list (Initials repeat a handful of lists): the JSON is the same. */
  private shared(types: number[]): number[] {
    if (types.length > 16) return types;
    const key = types.join(',');
    let t = this.typeLists.get(key);
    if (t === undefined) {
      t = types;
      if (this.typeLists.size < 4096) this.typeLists.set(key, t);
    }
    return t;
  }

  /** Attaches the ClientHello's SNI/ALPN to an already logged packet (the one whose CRYPTO completed it). */
  setHello(row: number, sni: string | undefined, alpn: string[] | undefined): void {
    if (sni !== undefined) this.sni.set(row, sni);
    if (alpn) this.alpn.set(row, alpn);
  }

  toJson(): QuicJson[] {
    const out: QuicJson[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const long = (this.kind[i] & LONG) !== 0;
      const j: QuicJson = {
        frame: this.frame[i], indexInDatagram: this.index[i], header: long ? 'long' : 'short',
        packetType: TYPES[this.kind[i] & 0x7f] as QuicJson['packetType'], dcid: this.strings[this.dcid[i]],
      };
      if (long) {
        j.version = versionHex(this.version[i]);
        j.scid = this.strings[this.scid[i]];
      }
      if (this.pn[i] >= 0) j.packetNumber = this.pn[i];
      const ft = this.frameTypes.get(i);
      if (ft) j.frameTypes = ft;
      const sni = this.sni.get(i);
      if (sni !== undefined) j.sni = sni;
      const alpn = this.alpn.get(i);
      if (alpn) j.alpn = alpn;
      out[i] = j;
    }
    return out;
  }

  /**
   * End of input: only toJson() reads the log from now on. Drops the interning tables and the capacity grown for
   * packets that never came. (append() still works after it, interning afresh.)
   */
  compact(): void {
    this.stringIds = new Map();
    this.typeLists = new Map();
    this.memoS0 = this.memoS1 = null;
    if (this.cap > this.count) this.resize(this.count);
    this.frameTypes.compact();
    this.sni.compact();
    this.alpn.compact();
  }

  /** Bytes held (for the memory benchmark); sparse maps are estimated. */
  retainedBytes(): number {
    return this.cap * (4 + 1 + 1 + 4 + 4 + 4 + 8) + this.frameTypes.size * 64 + this.strings.length * 64;
  }

  /** The log's own copy of a CID string (facts that show a CID keep this one rather than another copy). */
  share(s: string): string {
    return this.strings[this.intern(s)];
  }

  private intern(s: string): number {
    // the empty SCID of every short header, and a connection's DCID repeated: a pointer comparison, no hashing
    if (s === this.memoS0) return this.memoId0;
    if (s === this.memoS1) return this.memoId1;
    const id = this.internMap(s);
    this.memoS1 = this.memoS0; this.memoId1 = this.memoId0;
    this.memoS0 = s; this.memoId0 = id;
    return id;
  }

  private memoS0: string | null = null;
  private memoId0 = 0;
  private memoS1: string | null = null;
  private memoId1 = 0;

  private internMap(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  private grow(): void {
    this.resize(Math.max(256, this.cap * 2));
  }

  private resize(cap: number): void {
    const n = this.count;
    this.frame = resized(this.frame, cap, n);
    this.index = resized(this.index, cap, n);
    this.kind = resized(this.kind, cap, n);
    this.version = resized(this.version, cap, n);
    this.dcid = resized(this.dcid, cap, n);
    this.scid = resized(this.scid, cap, n);
    this.pn = resized(this.pn, cap, n);
    this.cap = cap;
  }
}

/**
 * Values of a few rows of the log: a Map while rows are added, two compact columns once the log is complete
 * (a Map entry costs ~50 bytes, a column entry 12).
 */
class SparseRows<T> {
  private map: Map<number, T> | null = new Map();
  private rows = new Int32Array(0);
  private values: T[] = [];

  get size(): number {
    return this.map ? this.map.size : this.values.length;
  }

  set(row: number, v: T): void {
    if (!this.map) this.thaw();
    this.map!.set(row, v);
  }

  get(row: number): T | undefined {
    if (this.map) return this.map.get(row);
    const i = indexOfSorted(this.rows, this.rows.length, row);
    return i >= 0 ? this.values[i] : undefined;
  }

  compact(): void {
    if (!this.map) return;
    const entries = [...this.map].sort((a, b) => a[0] - b[0]);
    this.rows = Int32Array.from(entries, (e) => e[0]);
    this.values = entries.map((e) => e[1]);
    this.map = null;
  }

  private thaw(): void {
    const m = new Map<number, T>();
    for (let i = 0; i < this.rows.length; i++) m.set(this.rows[i], this.values[i]);
    this.map = m;
    this.rows = new Int32Array(0);
    this.values = [];
  }
}
