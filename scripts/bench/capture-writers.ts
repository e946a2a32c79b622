// Streaming classic pcap and pcapng writers for the generator: records go through one reused buffer straight to the
// file, so a 600 MB capture never exists in memory. (Node-only: scripts/.)
import { closeSync, openSync, writeSync } from 'node:fs';

export const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;

/** Appends bytes to a file through one reused buffer. */
class BufferedFile {
  private readonly fd: number;
  private readonly buf = new Uint8Array(1 << 20);
  private readonly view = new DataView(this.buf.buffer);
  private pos = 0;
  bytesWritten = 0;
  constructor(path: string) { this.fd = openSync(path, 'w'); }

  /** Makes room for n contiguous bytes and returns the offset to write them at. */
  reserve(n: number): number {
    if (this.pos + n > this.buf.length) this.flush();
    const at = this.pos;
    this.pos += n;
    this.bytesWritten += n;
    return at;
  }
  u8(at: number, v: number): void { this.buf[at] = v; }
  u16(at: number, v: number): void { this.view.setUint16(at, v, true); }
  u32(at: number, v: number): void { this.view.setUint32(at, v, true); }
  bytes(at: number, src: Uint8Array, len: number): void { this.buf.set(src.subarray(0, len), at); }
  zero(at: number, n: number): void { this.buf.fill(0, at, at + n); }

  flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }
  close(): void { this.flush(); closeSync(this.fd); }
}

export interface CaptureSink {
  /** Writes one Ethernet frame with a microsecond timestamp. */
  write(tsSec: number, tsUsec: number, frame: Uint8Array, length: number): void;
  close(): void;
  readonly bytesWritten: number;
}

/** Classic pcap, little-endian, microsecond timestamps, LINKTYPE_ETHERNET. */
export class PcapFileWriter implements CaptureSink {
  private readonly f: BufferedFile;
  constructor(path: string) {
    this.f = new BufferedFile(path);
    const at = this.f.reserve(24);
    this.f.u32(at, 0xa1b2c3d4);
    this.f.u16(at + 4, 2);
    this.f.u16(at + 6, 4);
    this.f.u32(at + 8, 0); // thiszone
    this.f.u32(at + 12, 0); // sigfigs
    this.f.u32(at + 16, SNAPLEN);
    this.f.u32(at + 20, LINKTYPE_ETHERNET);
  }
  get bytesWritten(): number { return this.f.bytesWritten; }
  write(tsSec: number, tsUsec: number, frame: Uint8Array, length: number): void {
    const at = this.f.reserve(16 + length);
    this.f.u32(at, tsSec);
    this.f.u32(at + 4, tsUsec);
    this.f.u32(at + 8, length);
    this.f.u32(at + 12, length);
    this.f.bytes(at + 16, frame, length);
  }
  close(): void { this.f.close(); }
}

/** pcapng: SHB, one IDB (Ethernet, if_tsresol=6), then one EPB per frame. */
export class PcapngFileWriter implements CaptureSink {
  private readonly f: BufferedFile;
  constructor(path: string, userAppl = 'PacketFlow gen-capture') {
    this.f = new BufferedFile(path);
    const appl = new TextEncoder().encode(userAppl);
    const applPadded = (appl.length + 3) & ~3;
    // SHB: type, length, byte-order magic, version 1.0, section length -1, shb_userappl, opt_endofopt, length.
    const shbLen = 28 + 4 + applPadded + 4 + 4;
    let at = this.f.reserve(shbLen);
    this.f.u32(at, 0x0a0d0d0a);
    this.f.u32(at + 4, shbLen);
    this.f.u32(at + 8, 0x1a2b3c4d);
    this.f.u16(at + 12, 1);
    this.f.u16(at + 14, 0);
    this.f.u32(at + 16, 0xffffffff);
    this.f.u32(at + 20, 0xffffffff);
    this.f.u16(at + 24, 4); // shb_userappl
    this.f.u16(at + 26, appl.length);
    this.f.zero(at + 28, applPadded);
    this.f.bytes(at + 28, appl, appl.length);
    this.f.u32(at + 28 + applPadded, 0); // opt_endofopt
    this.f.u32(at + shbLen - 4, shbLen);
    // IDB: link type, snaplen, if_tsresol = 6 (microseconds), opt_endofopt.
    const idbLen = 20 + 8 + 4;
    at = this.f.reserve(idbLen);
    this.f.u32(at, 1);
    this.f.u32(at + 4, idbLen);
    this.f.u16(at + 8, LINKTYPE_ETHERNET);
    this.f.u16(at + 10, 0);
    this.f.u32(at + 12, SNAPLEN);
    this.f.u16(at + 16, 9); // if_tsresol
    this.f.u16(at + 18, 1);
    this.f.u32(at + 20, 6); // value 6, then 3 bytes of padding (zero)
    this.f.u32(at + 24, 0); // opt_endofopt
    this.f.u32(at + 28, idbLen);
  }
  get bytesWritten(): number { return this.f.bytesWritten; }
  write(tsSec: number, tsUsec: number, frame: Uint8Array, length: number): void {
    const padded = (length + 3) & ~3;
    const total = 32 + padded;
    const at = this.f.reserve(total);
    const ts = tsSec * 1e6 + tsUsec;
    this.f.u32(at, 6);
    this.f.u32(at + 4, total);
    this.f.u32(at + 8, 0); // interface 0
    this.f.u32(at + 12, Math.floor(ts / 4294967296));
    this.f.u32(at + 16, ts >>> 0);
    this.f.u32(at + 20, length);
    this.f.u32(at + 24, length);
    this.f.bytes(at + 28, frame, length);
    this.f.zero(at + 28 + length, padded - length);
    this.f.u32(at + 28 + padded, total);
  }
  close(): void { this.f.close(); }
}
