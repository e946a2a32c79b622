// Test helpers: build packets byte by byte, wrap them in RawFrames, and write them to a temporary classic pcap so
// tshark can say what it sees in them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawFrame } from '../../../capture/frame';

export type Bytes = Uint8Array | number[];

export function cat(...parts: Bytes[]): Uint8Array {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function hex(s: string): Uint8Array {
  const t = s.replace(/[\s:]/g, '');
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export const be16 = (v: number) => [(v >> 8) & 255, v & 255];
export const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
export const le16 = (v: number) => [v & 255, (v >> 8) & 255];
export const le32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];

export function ip4(a: string): number[] {
  return a.split('.').map(Number);
}

export function ip6(a: string): number[] {
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [x, y, z, w] = v4.slice(1).map(Number);
    a = a.slice(0, v4.index) + ((x << 8) | y).toString(16) + ':' + ((z << 8) | w).toString(16);
  }
  let groups: string[];
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  if (tail !== undefined) {
    const t = tail ? tail.split(':') : [];
    groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  } else groups = h;
  return groups.flatMap((g) => be16(parseInt(g, 16)));
}

/** Internet checksum over the bytes (one's complement sum of 16-bit words). */
export function inetChecksum(b: Bytes): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export function ethernet(type: number, payload: Bytes, dst = '02:00:00:00:00:02', src = '02:00:00:00:00:01'): Uint8Array {
  return cat(hex(dst), hex(src), be16(type), payload);
}

export interface Ip4Opts {
  src?: string; dst?: string; proto?: number; id?: number; ttl?: number;
  /** Flag bits: 2 = DF, 1 = MF. */
  flags?: number;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  options?: number[];
  /** Override the total length field. */
  totalLength?: number;
  badChecksum?: boolean;
}

export function ipv4(o: Ip4Opts, payload: Bytes): Uint8Array {
  const opts = o.options ?? [];
  const hl = 20 + opts.length;
  const total = o.totalLength ?? hl + payload.length;
  const h = [0x40 | (hl / 4), 0, ...be16(total), ...be16(o.id ?? 0x1234),
    ((o.flags ?? 0) << 5) | (((o.fragOffset ?? 0) / 8) >> 8), ((o.fragOffset ?? 0) / 8) & 255,
    o.ttl ?? 64, o.proto ?? 6, 0, 0, ...ip4(o.src ?? '10.0.0.1'), ...ip4(o.dst ?? '10.0.0.2'), ...opts];
  const c = o.badChecksum ? 0xbeef : inetChecksum(h);
  h[10] = c >> 8; h[11] = c & 255;
  return cat(h, payload);
}

export interface Ip6Opts { src?: string; dst?: string; nh?: number; hlim?: number; payloadLength?: number; flow?: number }

export function ipv6(o: Ip6Opts, payload: Bytes): Uint8Array {
  const flow = o.flow ?? 0;
  return cat([0x60 | 0, (flow >> 16) & 15, (flow >> 8) & 255, flow & 255], be16(o.payloadLength ?? payload.length),
    [o.nh ?? 6, o.hlim ?? 64], ip6(o.src ?? '2001:db8::1'), ip6(o.dst ?? '2001:db8::2'), payload);
}

/** A generic IPv6 extension header (hop-by-hop, routing, destination options) of `len8` 8-octet units beyond 8. */
export function ext6(nh: number, body: number[]): number[] {
  const total = 2 + body.length;
  const padded = Math.ceil(total / 8) * 8;
  const b = [nh, padded / 8 - 1, ...body];
  while (b.length < padded) b.push(0);
  return b;
}

export function frag6(nh: number, offset: number, more: boolean, id: number): number[] {
  return [nh, 0, ...be16(offset | (more ? 1 : 0)), ...be32(id)];
}

export interface TcpOpts {
  sp?: number; dp?: number; seq?: number; ack?: number; flags?: number; win?: number; options?: number[];
  /** Override the data offset (header length in bytes). */
  hl?: number;
}

export function tcp(o: TcpOpts, payload: Bytes = []): Uint8Array {
  const opts = [...(o.options ?? [])];
  while (opts.length % 4) opts.push(0);
  const hl = o.hl ?? 20 + opts.length;
  const flags = o.flags ?? 0x18;
  return cat(be16(o.sp ?? 40000), be16(o.dp ?? 80), be32(o.seq ?? 1000), be32(o.ack ?? 2000),
    [((hl / 4) << 4) | ((flags >> 8) & 1), flags & 255], be16(o.win ?? 65535), [0, 0, 0, 0], opts, payload);
}

export function udp(sp: number, dp: number, payload: Bytes, length?: number): Uint8Array {
  return cat(be16(sp), be16(dp), be16(length ?? 8 + payload.length), [0, 0], payload);
}

export function icmp(type: number, code: number, rest: Bytes): Uint8Array {
  const b = cat([type, code, 0, 0], rest);
  const c = inetChecksum(b);
  b[2] = c >> 8; b[3] = c & 255;
  return b;
}

let frameNo = 0;
export function rawFrame(bytes: Uint8Array, linkType = 1, originalLength = bytes.length, tsSec = 1_700_000_000): RawFrame {
  frameNo++;
  return {
    index: frameNo, timestamp: tsSec, tsSec, tsNsec: 0, linkType, bytes, originalLength, interface: 0, fileOffset: 0,
  };
}

export interface PcapRecord { bytes: Uint8Array; originalLength?: number; tsSec?: number; tsUsec?: number }

/** A little-endian microsecond classic pcap file. */
export function pcapFile(records: PcapRecord[], linkType: number): Uint8Array {
  const parts: Bytes[] = [[...le32(0xa1b2c3d4), ...le16(2), ...le16(4), ...le32(0), ...le32(0), ...le32(262144), ...le32(linkType)]];
  records.forEach((r, i) => {
    parts.push([...le32(r.tsSec ?? 1_700_000_000 + i), ...le32(r.tsUsec ?? 0), ...le32(r.bytes.length),
      ...le32(r.originalLength ?? r.bytes.length)], r.bytes);
  });
  return cat(...parts);
}

/**
 * Runs tshark on the records and returns one row per frame with the requested fields (all occurrences joined by
 * ','). Reassembly preferences stay at tshark's defaults.
 */
export function tsharkFields(records: PcapRecord[], linkType: number, fields: string[], extra: string[] = []): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'pf-wire-'));
  try {
    const file = join(dir, 't.pcap');
    writeFileSync(file, pcapFile(records, linkType));
    const args = ['-n', '-r', file, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,',
      ...extra, ...fields.flatMap((f) => ['-e', f])];
    const r = spawnSync('tshark', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const WIRE_LAYERS = new Set(['eth', 'llc', 'vlan', 'ieee8021ad', 'sll', 'null', 'ppp', 'nflog', 'raw', 'mpls', 'arp',
  'ip', 'ipv6', 'ipv6.hopopts', 'ipv6.routing', 'ipv6.fraghdr', 'ipv6.dstopts', 'ah', 'gre', 'tcp', 'udp', 'icmp', 'icmpv6']);

/**
 * tshark's frame.protocols as our layer list: without the 'ethertype' pseudo layer, and cut at the first protocol
 * the wire decoders do not produce (payload 'data', application protocols, STP, ESP...).
 */
export function tsharkLayers(protocols: string): string[] {
  const out: string[] = [];
  for (const x of protocols.split(':')) {
    if (x === 'ethertype') continue;
    if (!WIRE_LAYERS.has(x)) break;
    out.push(x);
  }
  return out;
}

export { prng } from '../../support/prng';
