// Builders for DNS messages in tests (RFC 1035 §4.1 wire format).

export const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
export const u32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
export const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** An uncompressed name from dotted text ('' = root). */
export const dname = (n: string): number[] =>
  n === '' ? [0] : [...n.split('.').flatMap((l) => [l.length, ...ascii(l)]), 0];
/** Raw labels (bytes) then the root. */
export const labels = (...ls: number[][]): number[] => [...ls.flatMap((l) => [l.length, ...l]), 0];
/** A compression pointer to `offset`. */
export const ptr = (offset: number) => [0xc0 | (offset >> 8), offset & 0xff];

export interface Header {
  id?: number;
  flags?: number;
  qd?: number;
  an?: number;
  ns?: number;
  ar?: number;
}
export const header = (h: Header) => [...u16(h.id ?? 0x1234), ...u16(h.flags ?? 0x0100), ...u16(h.qd ?? 0),
  ...u16(h.an ?? 0), ...u16(h.ns ?? 0), ...u16(h.ar ?? 0)];
export const question = (name: number[], type = 1, cls = 1) => [...name, ...u16(type), ...u16(cls)];
export const rr = (name: number[], type: number, data: number[], ttl = 300, cls = 1) =>
  [...name, ...u16(type), ...u16(cls), ...u32(ttl), ...u16(data.length), ...data];
/** OPT pseudo-record (RFC 6891 §6.1.2): class = UDP size, TTL = ext rcode, version, DO + Z. */
export const opt = (udpSize: number, extRcode: number, version: number, doBit: boolean, options: number[] = []) =>
  [0, ...u16(41), ...u16(udpSize), extRcode, version, doBit ? 0x80 : 0, 0, ...u16(options.length), ...options];

/** A whole query: header + one question. */
export const query = (id: number, name: string, type = 1, flags = 0x0100) =>
  Uint8Array.from([...header({ id, flags, qd: 1 }), ...question(dname(name), type)]);

/** A response with answers given as [name, type, data] (names uncompressed). */
export function response(id: number, qname: string, qtype: number, answers: [string, number, number[]][], rcode = 0,
  flags = 0x8180): Uint8Array {
  return Uint8Array.from([...header({ id, flags: flags | rcode, qd: 1, an: answers.length }),
    ...question(dname(qname), qtype), ...answers.flatMap(([n, t, d]) => rr(dname(n), t, d))]);
}
