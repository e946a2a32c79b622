// Streams the generator's frames to disk as classic pcap and pcapng. The record layouts come from H1's writers
// (capture/pcap-writer.ts, capture/pcapng-writer.ts); this file only adds the Node side: appending each record to
// the file through one reused buffer, so a 600 MB capture never exists in memory.
import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriter } from '../../capture/pcap-writer';
import { PcapngWriter } from '../../capture/pcapng-writer';

export const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;

/** Appends bytes to a file through one reused 1 MiB buffer. */
class BufferedFile {
  private readonly fd: number;
  private readonly buf = new Uint8Array(1 << 20);
  private pos = 0;
  bytesWritten = 0;
  constructor(path: string) { this.fd = openSync(path, 'w'); }

  append(bytes: Uint8Array): void {
    if (this.pos + bytes.length > this.buf.length) this.flush();
    if (bytes.length > this.buf.length) this.writeAll(bytes, bytes.length);
    else { this.buf.set(bytes, this.pos); this.pos += bytes.length; }
    this.bytesWritten += bytes.length;
  }
  flush(): void { this.writeAll(this.buf, this.pos); this.pos = 0; }
  close(): void { this.flush(); closeSync(this.fd); }
  private writeAll(b: Uint8Array, n: number): void {
    let off = 0;
    while (off < n) off += writeSync(this.fd, b, off, n - off);
  }
}

export interface CaptureSink {
  /** Writes one Ethernet frame (the first `length` bytes of `frame`) with a microsecond timestamp. */
  write(tsSec: number, tsUsec: number, frame: Uint8Array, length: number): void;
  close(): void;
  readonly bytesWritten: number;
}

/** Classic pcap, little-endian, microsecond timestamps, LINKTYPE_ETHERNET. */
export class PcapFileWriter implements CaptureSink {
  private readonly f: BufferedFile;
  private readonly w = new PcapWriter({ linkType: LINKTYPE_ETHERNET, snaplen: SNAPLEN });
  constructor(path: string) {
    this.f = new BufferedFile(path);
    this.f.append(this.w.header());
  }
  get bytesWritten(): number { return this.f.bytesWritten; }
  write(tsSec: number, tsUsec: number, frame: Uint8Array, length: number): void {
    this.f.append(this.w.packet({ tsSec, tsNsec: tsUsec * 1000, bytes: frame.subarray(0, length) }));
  }
  close(): void { this.f.close(); }
}

/** pcapng: SHB, one Ethernet IDB with microsecond timestamps, then one EPB per frame. */
export class PcapngFileWriter implements CaptureSink {
  private readonly f: BufferedFile;
  private readonly w = new PcapngWriter();
  constructor(path: string) {
    this.f = new BufferedFile(path);
    this.f.append(this.w.header({ application: 'PacketFlow gen-capture' }));
    this.f.append(this.w.interface({ linkType: LINKTYPE_ETHERNET, snaplen: SNAPLEN, tsresol: 6 }));
  }
  get bytesWritten(): number { return this.f.bytesWritten; }
  write(tsSec: number, tsUsec: number, frame: Uint8Array, length: number): void {
    this.f.append(this.w.packet({ tsSec, tsNsec: tsUsec * 1000, bytes: frame.subarray(0, length) }));
  }
  close(): void { this.f.close(); }
}
