// Writes classic pcap: header() once, then packet() per frame; each returns the bytes to append.

export interface PcapWriterOptions {
  /** LINKTYPE_ value (default 1, Ethernet). */
  linkType?: number;
  /** Snapshot length written in the header (default 262144). */
  snaplen?: number;
  /** Nanosecond magic a1b23c4d instead of microseconds. */
  nanosecond?: boolean;
  bigEndian?: boolean;
  /** FCS length in bytes to announce in the link type field (multiple of 2, at most 30). */
  fcsLength?: number;
}

export interface PacketToWrite {
  tsSec: number;
  /** Nanoseconds within the second; truncated to microseconds for a microsecond file. */
  tsNsec?: number;
  bytes: Uint8Array;
  /** Length on the wire (default bytes.length). */
  originalLength?: number;
}

export class PcapWriter {
  readonly nanosecond: boolean;
  private readonly le: boolean;

  constructor(private readonly opts: PcapWriterOptions = {}) {
    this.nanosecond = opts.nanosecond ?? false;
    this.le = !(opts.bigEndian ?? false);
  }

  header(): Uint8Array {
    const out = new Uint8Array(24);
    const v = new DataView(out.buffer);
    v.setUint32(0, this.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, this.le);
    v.setUint16(4, 2, this.le);
    v.setUint16(6, 4, this.le);
    v.setUint32(16, this.opts.snaplen ?? 262144, this.le);
    let link = (this.opts.linkType ?? 1) & 0xffff;
    if (this.opts.fcsLength !== undefined) link = (link | 0x04000000 | ((this.opts.fcsLength >> 1) & 0xf) << 28) >>> 0;
    v.setUint32(20, link, this.le);
    return out;
  }

  packet(p: PacketToWrite): Uint8Array {
    const out = new Uint8Array(16 + p.bytes.length);
    const v = new DataView(out.buffer);
    const nsec = p.tsNsec ?? 0;
    v.setUint32(0, p.tsSec, this.le);
    v.setUint32(4, this.nanosecond ? nsec : Math.floor(nsec / 1000), this.le);
    v.setUint32(8, p.bytes.length, this.le);
    v.setUint32(12, p.originalLength ?? p.bytes.length, this.le);
    out.set(p.bytes, 16);
    return out;
  }
}

/** A whole classic pcap file in one array. */
export function writePcap(packets: PacketToWrite[], opts: PcapWriterOptions = {}): Uint8Array {
  const w = new PcapWriter(opts);
  return concatBytes([w.header(), ...packets.map((p) => w.packet(p))]);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
