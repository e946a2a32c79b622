// DNS messages over UDP: queries with an EDNS0 OPT record, answers with CNAME chains (name compression), addresses,
// and NXDOMAIN with an SOA in the authority section.
import { ByteWriter } from './byte-writer';

export const TYPE_A = 1;
export const TYPE_CNAME = 5;
export const TYPE_SOA = 6;
export const TYPE_AAAA = 28;
const TYPE_OPT = 41;

/** Writes names with RFC 1035 §4.1.4 compression: a suffix already written becomes a pointer to it. */
class NameWriter {
  private readonly seen = new Map<string, number>();
  constructor(private readonly w: ByteWriter) {}
  name(name: string): void {
    const labels = name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      const at = this.seen.get(suffix);
      if (at !== undefined) { this.w.u16(0xc000 | at); return; }
      if (this.w.length < 0x3fff) this.seen.set(suffix, this.w.length);
      this.w.u8(labels[i].length).ascii(labels[i]);
    }
    this.w.u8(0);
  }
}

function opt(w: ByteWriter): void {
  w.u8(0).u16(TYPE_OPT).u16(1232).u32(0).u16(0); // root, OPT, UDP payload size 1232, no flags, no options
}

export function dnsQuery(id: number, name: string, qtype: number): Uint8Array {
  const w = new ByteWriter();
  w.u16(id).u16(0x0100).u16(1).u16(0).u16(0).u16(1); // RD; 1 question, 1 additional (OPT)
  new NameWriter(w).name(name);
  w.u16(qtype).u16(1);
  opt(w);
  return w.finish();
}

export interface DnsAnswer {
  /** Names the query name is an alias of, in order (CNAME chain); the last one holds the addresses. */
  cnames: string[];
  /** Raw addresses (4 or 16 bytes) of the query's type. */
  addresses: Uint8Array[];
  ttl: number;
}

export function dnsResponse(id: number, name: string, qtype: number, a: DnsAnswer): Uint8Array {
  const w = new ByteWriter();
  const ancount = a.cnames.length + a.addresses.length;
  w.u16(id).u16(0x8180).u16(1).u16(ancount).u16(0).u16(1); // QR RD RA, NOERROR
  const n = new NameWriter(w);
  n.name(name);
  w.u16(qtype).u16(1);
  let owner = name;
  for (const target of a.cnames) {
    n.name(owner);
    w.u16(TYPE_CNAME).u16(1).u32(a.ttl).block(2, () => n.name(target));
    owner = target;
  }
  for (const addr of a.addresses) {
    n.name(owner);
    w.u16(addr.length === 4 ? TYPE_A : TYPE_AAAA).u16(1).u32(a.ttl).u16(addr.length).bytes(addr);
  }
  opt(w);
  return w.finish();
}

/** NXDOMAIN with the zone's SOA in the authority section. */
export function dnsNxdomain(id: number, name: string, qtype: number, zone: string, serial: number): Uint8Array {
  const w = new ByteWriter();
  w.u16(id).u16(0x8183).u16(1).u16(0).u16(1).u16(1); // QR RD RA, rcode 3
  const n = new NameWriter(w);
  n.name(name);
  w.u16(qtype).u16(1);
  n.name(zone);
  w.u16(TYPE_SOA).u16(1).u32(900).block(2, () => {
    n.name(`ns1.${zone}`);
    n.name(`hostmaster.${zone}`);
    w.u32(serial).u32(7200).u32(900).u32(1209600).u32(300);
  });
  opt(w);
  return w.finish();
}
