// Builds Ethernet + IPv4/IPv6 + TCP/UDP frames into one reused buffer, with valid IPv4 header and TCP/UDP checksums.

export interface Host {
  mac: Uint8Array;
  /** 4 bytes for IPv4, 16 for IPv6. */
  ip: Uint8Array;
  ttl: number;
  /** Next IPv4 identification value. */
  ipId: number;
}

export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

export class FrameBuilder {
  readonly buf = new Uint8Array(70_000);
  private readonly view = new DataView(this.buf.buffer);
  private ipStart = 14;
  private l4Start = 34;
  private v6 = false;
  private proto = 0;
  private src!: Host;
  private dst!: Host;

  /** Ethernet + IP header; returns the transport header offset. The IP lengths are filled in by finish(). */
  private beginIp(src: Host, dst: Host, proto: number, dontFragment: boolean): number {
    const b = this.buf;
    b.set(dst.mac, 0);
    b.set(src.mac, 6);
    this.src = src;
    this.dst = dst;
    this.proto = proto;
    this.v6 = src.ip.length === 16;
    this.ipStart = 14;
    if (this.v6) {
      this.view.setUint16(12, 0x86dd);
      this.view.setUint32(14, 0x60000000);
      b[20] = proto;
      b[21] = src.ttl;
      b.set(src.ip, 22);
      b.set(dst.ip, 38);
      this.l4Start = 54;
    } else {
      this.view.setUint16(12, 0x0800);
      b[14] = 0x45;
      b[15] = 0;
      this.view.setUint16(18, src.ipId);
      src.ipId = (src.ipId + 1) & 0xffff;
      this.view.setUint16(20, dontFragment ? 0x4000 : 0);
      b[22] = src.ttl;
      b[23] = proto;
      b.set(src.ip, 26);
      b.set(dst.ip, 30);
      this.l4Start = 34;
    }
    return this.l4Start;
  }

  /** Writes a TCP header (options: whole 32-bit words); returns where the payload goes. */
  beginTcp(src: Host, dst: Host, sport: number, dport: number, seq: number, ack: number, flags: number,
    window: number, options: Uint8Array, optionsLength: number): number {
    const t = this.beginIp(src, dst, PROTO_TCP, true);
    const v = this.view;
    v.setUint16(t, sport);
    v.setUint16(t + 2, dport);
    v.setUint32(t + 4, seq >>> 0);
    v.setUint32(t + 8, ack >>> 0);
    v.setUint16(t + 12, (((20 + optionsLength) >> 2) << 12) | flags);
    v.setUint16(t + 14, window);
    v.setUint32(t + 16, 0); // checksum, urgent pointer
    this.buf.set(options.subarray(0, optionsLength), t + 20);
    return t + 20 + optionsLength;
  }

  beginUdp(src: Host, dst: Host, sport: number, dport: number): number {
    const t = this.beginIp(src, dst, PROTO_UDP, false);
    this.view.setUint16(t, sport);
    this.view.setUint16(t + 2, dport);
    this.view.setUint32(t + 4, 0);
    return t + 8;
  }

  /** Fills lengths and checksums once the payload is in place; returns the frame length. */
  finish(end: number): number {
    const v = this.view;
    const l4 = this.l4Start;
    const l4Len = end - l4;
    if (this.v6) {
      v.setUint16(18, l4Len);
    } else {
      v.setUint16(16, end - 14);
      v.setUint16(24, 0);
      v.setUint16(24, ~sum16(this.buf, 14, 34, 0) & 0xffff);
    }
    if (this.proto === PROTO_UDP) v.setUint16(l4 + 4, l4Len);
    // Pseudo-header: addresses, protocol, transport length.
    let s = sum16(this.src.ip, 0, this.src.ip.length, 0);
    s = sum16(this.dst.ip, 0, this.dst.ip.length, s);
    s += this.proto + (l4Len & 0xffff) + Math.floor(l4Len / 65536);
    s = sum16(this.buf, l4, end, s);
    let c = ~fold(s) & 0xffff;
    if (c === 0 && this.proto === PROTO_UDP) c = 0xffff; // 0 means "no checksum" in UDP
    v.setUint16(l4 + (this.proto === PROTO_TCP ? 16 : 6), c);
    return end;
  }
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

/** One's-complement sum of 16-bit big-endian words (odd tail padded with zero), folded to 16 bits. */
function sum16(b: Uint8Array, start: number, end: number, initial: number): number {
  let s = initial;
  const last = end - 1;
  let i = start;
  for (; i < last; i += 2) s += (b[i] << 8) | b[i + 1];
  if (i === last) s += b[i] << 8;
  return fold(s);
}
