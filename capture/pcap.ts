// Classic libpcap files: 24-byte file header, then records of a 16-byte header (24 in the old "modified" pcap)
// followed by the captured bytes. Microsecond (a1b2c3d4) and nanosecond (a1b23c4d) magics, either byte order.
import type { RawFrame } from './frame';
import type { ParseContext, RecordParser } from './capture-info';

export const PCAP_HEADER_LENGTH = 24;

/** Records longer than this (unless the snaplen allows more) cannot be real: the file is damaged. */
export const PCAP_MAX_SANE_RECORD = 262144;
/** Snaplen values above this are not trusted as a limit for a record's length. */
const PCAP_SNAPLEN_TRUST_LIMIT = 64 << 20;

export interface PcapMagic {
  littleEndian: boolean;
  nanosecond: boolean;
  /** Record header length: 16, or 24 for Alexey Kuznetsov's modified pcap (magic a1b2cd34). */
  recordHeader: number;
}

/** Recognises the four-byte classic pcap magic at buf[pos]; null if it is not one. */
export function pcapMagic(buf: Uint8Array, pos = 0): PcapMagic | null {
  const b0 = buf[pos], b1 = buf[pos + 1], b2 = buf[pos + 2], b3 = buf[pos + 3];
  const be = (b0 << 24 | b1 << 16 | b2 << 8 | b3) >>> 0;
  const le = (b3 << 24 | b2 << 16 | b1 << 8 | b0) >>> 0;
  for (const [v, littleEndian] of [[be, false], [le, true]] as const) {
    if (v === 0xa1b2c3d4) return { littleEndian, nanosecond: false, recordHeader: 16 };
    if (v === 0xa1b23c4d) return { littleEndian, nanosecond: true, recordHeader: 16 };
    if (v === 0xa1b2cd34) return { littleEndian, nanosecond: false, recordHeader: 24 };
  }
  return null;
}

export class PcapParser implements RecordParser {
  need = PCAP_HEADER_LENGTH;
  stopped = false;
  private headerDone = false;
  private le = true;
  private nano = false;
  private recHdr = 16;
  private linkType = 1;
  private snaplen = 0;
  private maxRecord = PCAP_MAX_SANE_RECORD;

  constructor(private readonly ctx: ParseContext) {}

  parse(buf: Uint8Array, pos: number, end: number, base: number, copy: boolean, out: RawFrame[]): number {
    if (!this.headerDone) {
      if (end - pos < PCAP_HEADER_LENGTH) { this.need = PCAP_HEADER_LENGTH; return pos; }
      this.readHeader(buf, pos);
      if (this.stopped) return end;
      pos += PCAP_HEADER_LENGTH;
    }
    const ctx = this.ctx;
    const info = ctx.info;
    const le = this.le;
    const hdr = this.recHdr;
    const fracToNs = this.nano ? 1 : 1000;
    const fracPerSec = this.nano ? 1e9 : 1e6;
    const linkType = this.linkType;
    const maxRecord = this.maxRecord;
    const chunk = buf.buffer, chunkAt = buf.byteOffset; // frame views: see frameBytes
    for (;;) {
      const avail = end - pos;
      if (avail < hdr) { this.need = hdr; return pos; }
      let sec: number, frac: number, incl: number, orig: number;
      if (le) {
        sec = (buf[pos] | buf[pos + 1] << 8 | buf[pos + 2] << 16 | buf[pos + 3] << 24) >>> 0;
        frac = (buf[pos + 4] | buf[pos + 5] << 8 | buf[pos + 6] << 16 | buf[pos + 7] << 24) >>> 0;
        incl = (buf[pos + 8] | buf[pos + 9] << 8 | buf[pos + 10] << 16 | buf[pos + 11] << 24) >>> 0;
        orig = (buf[pos + 12] | buf[pos + 13] << 8 | buf[pos + 14] << 16 | buf[pos + 15] << 24) >>> 0;
      } else {
        sec = (buf[pos] << 24 | buf[pos + 1] << 16 | buf[pos + 2] << 8 | buf[pos + 3]) >>> 0;
        frac = (buf[pos + 4] << 24 | buf[pos + 5] << 16 | buf[pos + 6] << 8 | buf[pos + 7]) >>> 0;
        incl = (buf[pos + 8] << 24 | buf[pos + 9] << 16 | buf[pos + 10] << 8 | buf[pos + 11]) >>> 0;
        orig = (buf[pos + 12] << 24 | buf[pos + 13] << 16 | buf[pos + 14] << 8 | buf[pos + 15]) >>> 0;
      }
      if (incl > maxRecord) {
        // Classic pcap has no markers to find the next record by: everything after this point is lost.
        const frame = info.frames + 1;
        ctx.warn(frame, base + pos, `frame ${frame} at ${ctx.at(base + pos)} claims ${incl} captured bytes ` +
          `(snaplen ${this.snaplen}, limit ${maxRecord}): the file is damaged here and classic pcap cannot ` +
          `resynchronise, so reading stops (${info.frames} frames read)`);
        this.stopped = true;
        return end;
      }
      const total = hdr + incl;
      if (avail < total) { this.need = total; return pos; }
      if (frac >= fracPerSec) { sec += Math.floor(frac / fracPerSec); frac %= fracPerSec; }
      const nsec = frac * fracToNs;
      const start = pos + hdr;
      const index = ++info.frames;
      // an indexed store, which V8 (Node 20) compiles inline here, where out.push() stayed a call to the builtin
      out[out.length] = {
        index,
        timestamp: sec + nsec / 1e9,
        tsSec: sec,
        tsNsec: nsec,
        linkType,
        bytes: copy ? buf.slice(start, start + incl) : new Uint8Array(chunk, chunkAt + start, incl),
        originalLength: orig < incl ? incl : orig,
        interface: 0,
        fileOffset: base + pos,
        comments: undefined,
      };
      if (index === 1) ctx.linkType(linkType);
      pos += total;
    }
  }

  finish(buf: Uint8Array, pos: number, end: number, base: number): void {
    const ctx = this.ctx;
    if (!this.headerDone) {
      // Only reached when the stream ended inside the file header.
      ctx.info.fatal = `${ctx.fileName}: the pcap file header is cut short (${end - pos} of ${PCAP_HEADER_LENGTH} bytes): ` +
        'not a readable capture';
      return;
    }
    if (end <= pos) return;
    const frame = ctx.info.frames + 1;
    const what = end - pos < this.recHdr
      ? `its ${this.recHdr}-byte record header has only ${end - pos} bytes`
      : `its record needs ${this.need} bytes, only ${end - pos} are present`;
    ctx.warn(frame, base + pos, `the file ends in the middle of frame ${frame} at ${ctx.at(base + pos)} (${what}); ` +
      `the ${ctx.info.frames} whole frames before it were read`);
  }

  private readHeader(buf: Uint8Array, pos: number): void {
    const ctx = this.ctx;
    const magic = pcapMagic(buf, pos);
    if (!magic) { // the reader sniffs first, so only reachable through direct use
      ctx.info.fatal = `${ctx.fileName}: not a classic pcap file (bad magic number)`;
      this.stopped = true;
      return;
    }
    this.le = magic.littleEndian;
    this.nano = magic.nanosecond;
    this.recHdr = magic.recordHeader;
    const u16 = (o: number) => this.le ? buf[pos + o] | buf[pos + o + 1] << 8 : buf[pos + o] << 8 | buf[pos + o + 1];
    const u32 = (o: number) => this.le
      ? (buf[pos + o] | buf[pos + o + 1] << 8 | buf[pos + o + 2] << 16 | buf[pos + o + 3] << 24) >>> 0
      : (buf[pos + o] << 24 | buf[pos + o + 1] << 16 | buf[pos + o + 2] << 8 | buf[pos + o + 3]) >>> 0;
    const major = u16(4), minor = u16(6);
    if (major !== 2) {
      ctx.warn(null, pos, `unusual pcap version ${major}.${minor} in the file header (expected 2.4); reading anyway`);
    }
    this.snaplen = u32(16);
    const linkField = u32(20);
    // Draft-ietf-opsawg-pcap: link type in the low 16 bits; bit 26 says bits 28-31 hold the FCS length in 16-bit words.
    this.linkType = linkField & 0xffff;
    const fcsLength = linkField & 0x04000000 ? (linkField >>> 28) * 2 : undefined;
    const trusted = this.snaplen <= PCAP_SNAPLEN_TRUST_LIMIT ? this.snaplen : PCAP_SNAPLEN_TRUST_LIMIT;
    this.maxRecord = Math.max(PCAP_MAX_SANE_RECORD, trusted);
    ctx.info.format = 'pcap';
    ctx.info.interfaces.push({
      id: 0, linkType: this.linkType, snaplen: this.snaplen, tsResolution: this.nano ? 1e9 : 1e6,
      ...(fcsLength !== undefined ? { fcsLength } : {}),
    });
    this.headerDone = true;
  }
}
