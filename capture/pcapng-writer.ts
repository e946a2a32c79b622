// Writes pcapng incrementally: header() starts a section, interface() describes an interface, packet() writes an
// Enhanced Packet Block; each returns the block's bytes to append (suits streaming a live capture to disk).
import { BT_CB_COPY, BT_CB_NOCOPY, BT_DSB, BT_EPB, BT_IDB, BT_ISB, BT_NRB, BT_PB, BT_SHB, BT_SPB, SECRETS_TLS_KEYLOG } from './pcapng';
import { concatBytes, type PacketToWrite } from './pcap-writer';
import { joined, joinTimestamp, MICROSECONDS, unitsFromTsresol, type TsUnits } from './timestamps';

export interface SectionOptions {
  hardware?: string;
  os?: string;
  application?: string;
  comment?: string;
}

export interface InterfaceOptions {
  /** LINKTYPE_ value (default 1). */
  linkType?: number;
  /** 0 = no limit (default 262144). */
  snaplen?: number;
  name?: string;
  description?: string;
  /** The if_tsresol byte: 6 = µs (the default, then the option is omitted), 9 = ns, 0x80|n = 2^-n seconds. */
  tsresol?: number;
  /** if_tsoffset in seconds: stored timestamps are the real ones minus this. */
  tsoffset?: number;
}

export interface PcapngPacket extends PacketToWrite {
  /** Interface id within the current section (default 0). */
  interface?: number;
  comments?: string[];
  /** epb_flags word (direction, reception type...), if any. */
  flags?: number;
  /** Exact timestamp words to store instead of converting tsSec/tsNsec (for tests of odd values). */
  rawTimestamp?: { hi: number; lo: number };
}

export interface StatisticsToWrite {
  tsSec: number;
  tsNsec?: number;
  start?: { sec: number; nsec: number };
  end?: { sec: number; nsec: number };
  ifRecv?: number;
  ifDrop?: number;
  filterAccept?: number;
  osDrop?: number;
  usrDeliv?: number;
  comment?: string;
}

interface IfaceState { units: TsUnits; offset: number }

const enc = new TextEncoder();

export class PcapngWriter {
  private readonly le: boolean;
  private ifaces: IfaceState[] = [];

  constructor(opts: { bigEndian?: boolean } = {}) {
    this.le = !(opts.bigEndian ?? false);
  }

  /** Interfaces described so far in the current section. */
  get interfaceCount(): number {
    return this.ifaces.length;
  }

  /** Section Header Block; starts a new section (interface ids restart at 0). */
  header(opts: SectionOptions = {}): Uint8Array {
    this.ifaces = [];
    const body = new Uint8Array(16);
    const v = new DataView(body.buffer);
    v.setUint32(0, 0x1a2b3c4d, this.le);
    v.setUint16(4, 1, this.le);
    v.setUint16(6, 0, this.le);
    v.setInt32(8, -1, this.le); // section length unknown (-1), as a streaming writer must say
    v.setInt32(12, -1, this.le);
    return this.block(BT_SHB, body, this.options([
      [1, opts.comment], [2, opts.hardware], [3, opts.os], [4, opts.application],
    ]));
  }

  /** Interface Description Block; the interface gets the next id of the section. */
  interface(opts: InterfaceOptions = {}): Uint8Array {
    const body = new Uint8Array(8);
    const v = new DataView(body.buffer);
    v.setUint16(0, opts.linkType ?? 1, this.le);
    v.setUint32(4, opts.snaplen ?? 262144, this.le);
    const tsresol = opts.tsresol ?? 6;
    const units = tsresol === 6 ? MICROSECONDS : unitsFromTsresol(tsresol);
    this.ifaces.push({ units, offset: opts.tsoffset ?? 0 });
    const opt: [number, string | Uint8Array | undefined][] = [[2, opts.name], [3, opts.description]];
    if (tsresol !== 6) opt.push([9, Uint8Array.of(tsresol)]);
    if (opts.tsoffset !== undefined) opt.push([14, this.int64(opts.tsoffset)]);
    return this.block(BT_IDB, body, this.options(opt));
  }

  /** Enhanced Packet Block. */
  packet(p: PcapngPacket): Uint8Array {
    const ifid = p.interface ?? 0;
    const body = new Uint8Array(20);
    const v = new DataView(body.buffer);
    v.setUint32(0, ifid, this.le);
    this.timestamp(v, 4, ifid, p);
    v.setUint32(12, p.bytes.length, this.le);
    v.setUint32(16, p.originalLength ?? p.bytes.length, this.le);
    const opt: [number, string | Uint8Array | undefined][] = (p.comments ?? []).map((c) => [1, c]);
    if (p.flags !== undefined) opt.push([2, this.word(p.flags)]);
    return this.block(BT_EPB, body, p.bytes, this.options(opt));
  }

  /** Obsolete Packet Block (type 2), as very old writers produced. */
  obsoletePacket(p: PcapngPacket & { drops?: number }): Uint8Array {
    const ifid = p.interface ?? 0;
    const body = new Uint8Array(20);
    const v = new DataView(body.buffer);
    v.setUint16(0, ifid, this.le);
    v.setUint16(2, p.drops ?? 0, this.le);
    this.timestamp(v, 4, ifid, p);
    v.setUint32(12, p.bytes.length, this.le);
    v.setUint32(16, p.originalLength ?? p.bytes.length, this.le);
    return this.block(BT_PB, body, p.bytes, this.options((p.comments ?? []).map((c) => [1, c])));
  }

  /** Simple Packet Block: no timestamp, no interface id (interface 0), original length only. */
  simplePacket(bytes: Uint8Array, originalLength = bytes.length): Uint8Array {
    return this.block(BT_SPB, this.word(originalLength), bytes);
  }

  /** Name Resolution Block; addresses are 4 (IPv4) or 16 (IPv6) bytes. */
  nameResolution(entries: { address: Uint8Array; names: string[] }[]): Uint8Array {
    const records: Uint8Array[] = [];
    for (const e of entries) {
      const names = e.names.map((n) => enc.encode(`${n}\0`));
      const value = concatBytes([e.address, ...names]);
      records.push(this.option(e.address.length === 4 ? 1 : 2, value));
    }
    records.push(new Uint8Array(4)); // nrb_record_end
    return this.block(BT_NRB, concatBytes(records));
  }

  /** Interface Statistics Block for an interface of the current section. */
  statistics(ifid: number, s: StatisticsToWrite): Uint8Array {
    const body = new Uint8Array(12);
    const v = new DataView(body.buffer);
    v.setUint32(0, ifid, this.le);
    this.timestamp(v, 4, ifid, { tsSec: s.tsSec, tsNsec: s.tsNsec ?? 0 });
    const opt: [number, string | Uint8Array | undefined][] = [[1, s.comment]];
    for (const [code, t] of [[2, s.start], [3, s.end]] as const) {
      if (!t) continue;
      const b = new Uint8Array(8);
      this.timestamp(new DataView(b.buffer), 0, ifid, { tsSec: t.sec, tsNsec: t.nsec });
      opt.push([code, b]);
    }
    for (const [code, n] of [[4, s.ifRecv], [5, s.ifDrop], [6, s.filterAccept], [7, s.osDrop], [8, s.usrDeliv]] as const) {
      if (n !== undefined) opt.push([code, this.int64(n)]);
    }
    return this.block(BT_ISB, body, this.options(opt));
  }

  /** Decryption Secrets Block (default type: TLS key log, 'TLSK'). */
  secrets(data: string | Uint8Array, type = SECRETS_TLS_KEYLOG): Uint8Array {
    const bytes = typeof data === 'string' ? enc.encode(data) : data;
    const head = new Uint8Array(8);
    const v = new DataView(head.buffer);
    v.setUint32(0, type, this.le);
    v.setUint32(4, bytes.length, this.le);
    return this.block(BT_DSB, head, bytes);
  }

  /** Custom Block with a Private Enterprise Number. */
  custom(pen: number, data: Uint8Array, copyable = true): Uint8Array {
    return this.block(copyable ? BT_CB_COPY : BT_CB_NOCOPY, this.word(pen), data);
  }

  /** Any block: type, then the parts (each padded to 4 bytes), with both length fields filled in. */
  block(type: number, ...parts: Uint8Array[]): Uint8Array {
    let n = 12;
    for (const p of parts) n += (p.length + 3) & ~3;
    const out = new Uint8Array(n);
    const v = new DataView(out.buffer);
    v.setUint32(0, type, this.le);
    v.setUint32(4, n, this.le);
    let at = 8;
    for (const p of parts) { out.set(p, at); at += (p.length + 3) & ~3; }
    v.setUint32(n - 4, n, this.le);
    return out;
  }

  private timestamp(v: DataView, at: number, ifid: number, p: { tsSec: number; tsNsec?: number; rawTimestamp?: { hi: number; lo: number } }): void {
    if (p.rawTimestamp) {
      v.setUint32(at, p.rawTimestamp.hi, this.le);
      v.setUint32(at + 4, p.rawTimestamp.lo, this.le);
      return;
    }
    const iface = this.ifaces[ifid] ?? { units: MICROSECONDS, offset: 0 };
    joinTimestamp(p.tsSec - iface.offset, p.tsNsec ?? 0, iface.units);
    v.setUint32(at, joined.hi, this.le);
    v.setUint32(at + 4, joined.lo, this.le);
  }

  private options(list: [number, string | Uint8Array | undefined][]): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const [code, value] of list) {
      if (value === undefined) continue;
      parts.push(this.option(code, typeof value === 'string' ? enc.encode(value) : value));
    }
    if (parts.length === 0) return new Uint8Array(0);
    parts.push(new Uint8Array(4)); // opt_endofopt
    return concatBytes(parts);
  }

  private option(code: number, value: Uint8Array): Uint8Array {
    const out = new Uint8Array(4 + ((value.length + 3) & ~3));
    const v = new DataView(out.buffer);
    v.setUint16(0, code, this.le);
    v.setUint16(2, value.length, this.le);
    out.set(value, 4);
    return out;
  }

  private word(n: number): Uint8Array {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, n >>> 0, this.le);
    return out;
  }

  /** A signed 64-bit integer in the section's byte order. */
  private int64(n: number): Uint8Array {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, BigInt(n), this.le);
    return out;
  }
}

