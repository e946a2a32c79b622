// DNS messages (RFC 1035 §4, EDNS RFC 6891): header, questions and the three record sections, names with
// compression. Never throws. Like tshark, a question or record whose name or fixed fields run past the end (or whose
// name points outside the message) ends the parse: it and everything after it are left out and `problems` says why.
import { readName, skipName } from './name';
import { formatRdata, type Rdata } from './rdata';

export interface DnsQuestion {
  name: string;
  type: number;
  /** Class without the mDNS unicast-response bit. */
  qclass: number;
  /** mDNS: the QU bit (unicast response wanted). */
  unicastResponse?: boolean;
}

export interface DnsRecord {
  name: string;
  type: number;
  rclass: number;
  ttl: number;
  /** mDNS cache-flush bit. */
  cacheFlush?: boolean;
  rdlength: number;
  /** Readable data ("93.184.216.34", a target name, "10 mail.example.com"...); undefined when the data is cut. */
  data?: string;
  /** Structured data for types that have it (addresses, names, EDNS options, SVCB params...). */
  rdata?: Rdata;
}

export interface EdnsInfo {
  udpPayloadSize: number;
  extendedRcodeHigh: number;
  version: number;
  dnssecOk: boolean;
  options: { code: number; length: number }[];
  clientSubnet?: { family: number; sourcePrefix: number; scopePrefix: number; address: string };
}

export interface DnsMessage {
  id: number;
  flags: number;
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  authenticData: boolean;
  checkingDisabled: boolean;
  /** Header rcode (4 bits). */
  headerRcode: number;
  /** Header rcode with EDNS's extended bits (RFC 6891 §6.1.3). */
  rcode: number;
  counts: { questions: number; answers: number; authority: number; additional: number };
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  edns?: EdnsInfo;
  /** Bytes of the message (for UDP the datagram payload, for TCP the length-prefixed message). */
  length: number;
  problems: string[];
  /** The message ended before everything its header announced. */
  cut: boolean;
}

/** Options for mDNS, whose class fields carry a flag in the top bit. */
export interface ParseOptions {
  mdns?: boolean;
}

export function parseDnsMessage(b: Uint8Array, opts: ParseOptions = {}): DnsMessage {
  const end = b.length;
  const u16 = (o: number) => (b[o] << 8) | b[o + 1];
  const m: DnsMessage = {
    id: end >= 2 ? u16(0) : 0, flags: 0, response: false, opcode: 0, authoritative: false, truncated: false,
    recursionDesired: false, recursionAvailable: false, authenticData: false, checkingDisabled: false,
    headerRcode: 0, rcode: 0, counts: { questions: 0, answers: 0, authority: 0, additional: 0 },
    questions: [], answers: [], authority: [], additional: [], length: end, problems: [], cut: false,
  };
  if (end >= 4) {
    const f = u16(2);
    m.flags = f;
    m.response = (f & 0x8000) !== 0;
    m.opcode = (f >> 11) & 0xf;
    m.authoritative = (f & 0x0400) !== 0;
    m.truncated = (f & 0x0200) !== 0;
    m.recursionDesired = (f & 0x0100) !== 0;
    m.recursionAvailable = (f & 0x0080) !== 0;
    m.authenticData = (f & 0x0020) !== 0;
    m.checkingDisabled = (f & 0x0010) !== 0;
    m.headerRcode = m.rcode = f & 0xf;
  }
  if (end < 12) {
    m.cut = true;
    m.problems.push(`${end} bytes: shorter than the 12-byte header`);
    return m;
  }
  const counts = m.counts;
  counts.questions = u16(4); counts.answers = u16(6); counts.authority = u16(8); counts.additional = u16(10);
  let pos = 12;
  for (let i = 0; i < m.counts.questions; i++) {
    const n = readName(b, pos, end);
    if (n.error) return stop(m, `question ${i + 1}: ${n.error}`);
    if (n.next + 4 > end) return stop(m, `question ${i + 1}: type and class cut`);
    const cls = u16(n.next + 2);
    const q: DnsQuestion = { name: n.text, type: u16(n.next), qclass: opts.mdns ? cls & 0x7fff : cls };
    if (opts.mdns) q.unicastResponse = (cls & 0x8000) !== 0;
    m.questions.push(q);
    pos = n.next + 4;
  }
  for (let section = 0; section < 3; section++) {
    const list = section === 0 ? m.answers : section === 1 ? m.authority : m.additional;
    const count = section === 0 ? counts.answers : section === 1 ? counts.authority : counts.additional;
    const what = section === 0 ? 'answer' : section === 1 ? 'authority' : 'additional';
    for (let i = 0; i < count; i++) {
      const n = readName(b, pos, end);
      if (n.error) return stop(m, `${what} ${i + 1}: ${n.error}`);
      const h = n.next;
      if (h + 10 > end) return stop(m, `${what} ${i + 1}: fixed fields cut`);
      const type = u16(h);
      const cls = u16(h + 2);
      const ttl = ((b[h + 4] << 24) >>> 0) + ((b[h + 5] << 16) | (b[h + 6] << 8) | b[h + 7]);
      const rdlength = u16(h + 8);
      const r: DnsRecord = { name: n.text, type, rclass: cls, ttl, rdlength };
      if (opts.mdns && type !== 41) { r.rclass = cls & 0x7fff; r.cacheFlush = (cls & 0x8000) !== 0; }
      const rd = h + 10;
      list.push(r);
      if (rd + rdlength > end) return stop(m, `${what} ${i + 1}: data of ${rdlength} bytes cut`);
      const f = formatRdata(b, rd, rd + rdlength, type, cls);
      r.data = f.text;
      r.rdata = f.rdata;
      if (f.problem) m.problems.push(`${what} ${i + 1}: ${f.problem}`);
      if (type === 41 && !m.edns) {
        m.edns = ednsInfo(r, f.rdata);
        m.rcode = (m.edns.extendedRcodeHigh << 4) | m.headerRcode;
      }
      pos = rd + rdlength;
    }
  }
  if (pos < end) m.problems.push(`${end - pos} bytes after the last record`);
  return m;
}

function stop(m: DnsMessage, why: string): DnsMessage {
  m.cut = true;
  m.problems.push(why);
  return m;
}

function ednsInfo(r: DnsRecord, rd: Rdata | undefined): EdnsInfo {
  const e: EdnsInfo = {
    udpPayloadSize: r.rclass, extendedRcodeHigh: r.ttl >>> 24, version: (r.ttl >>> 16) & 0xff,
    dnssecOk: (r.ttl & 0x8000) !== 0, options: [],
  };
  if (rd?.kind === 'opt') {
    e.options = rd.options.map((o) => ({ code: o.code, length: o.length }));
    const cs = rd.options.find((o) => o.clientSubnet)?.clientSubnet;
    if (cs) e.clientSubnet = cs;
  }
  return e;
}

/** An answer as the transaction tracking sees it (DnsScan keeps only A, CNAME and AAAA answers). */
export interface ScannedRecord {
  name: string;
  type: number;
  /** formatRdata's text; undefined when the data is cut or malformed, or given as `v4`. */
  data?: string;
  /** An A record's address as a number (formatRdata's text would be its dotted quad): no string per answer. */
  v4?: number;
}

/** What following transactions needs from a message: parseDnsMessage's values for these fields, nothing else. */
export interface DnsScan {
  id: number;
  response: boolean;
  /** With EDNS's extended bits, as parseDnsMessage computes it. */
  rcode: number;
  /** The first question was read. */
  hasQuestion: boolean;
  qname: string;
  qtype: number;
  /** parseDnsMessage's answers of types A (1), CNAME (5) and AAAA (28), in order. */
  answers: ScannedRecord[];
}

const ANSWER_TYPES_KEPT = (t: number) => t === 1 || t === 5 || t === 28;

/**
 * parseDnsMessage for the first pass over a capture: the same walk and the same stopping points, but names are only
 * skipped and record data only formatted where the fields above need them (most of a full parse is objects and
 * text for the authority and additional sections that the JSON view builds again later from the bytes).
 */
export function scanDnsMessage(b: Uint8Array): DnsScan {
  const end = b.length;
  const u16 = (o: number) => (b[o] << 8) | b[o + 1];
  const m: DnsScan = {
    id: end >= 2 ? u16(0) : 0, response: false, rcode: 0, hasQuestion: false, qname: '', qtype: 0, answers: [],
  };
  let headerRcode = 0;
  if (end >= 4) {
    const f = u16(2);
    m.response = (f & 0x8000) !== 0;
    headerRcode = m.rcode = f & 0xf;
  }
  if (end < 12) return m;
  const qd = u16(4), an = u16(6), ns = u16(8), ar = u16(10);
  let pos = 12;
  for (let i = 0; i < qd; i++) {
    let next: number;
    if (i === 0) {
      const n = readName(b, pos, end);
      if (n.error) return m;
      next = n.next;
      if (next + 4 > end) return m;
      m.hasQuestion = true;
      m.qname = n.text;
      m.qtype = u16(next);
    } else {
      next = skipName(b, pos, end);
      if (next < 0 || next + 4 > end) return m;
    }
    pos = next + 4;
  }
  let edns = false;
  for (let section = 0; section < 3; section++) {
    const count = section === 0 ? an : section === 1 ? ns : ar;
    for (let i = 0; i < count; i++) {
      const h = skipName(b, pos, end);
      if (h < 0 || h + 10 > end) return m;
      const type = u16(h);
      const cls = u16(h + 2);
      const rdlength = u16(h + 8);
      const rd = h + 10;
      const kept = section === 0 && ANSWER_TYPES_KEPT(type);
      let r: ScannedRecord | undefined;
      if (kept) {
        r = { name: readName(b, pos, end).text, type };
        m.answers.push(r);
      }
      if (rd + rdlength > end) return m;
      if (r) {
        if (type === 1 && rdlength === 4 && cls !== 3) r.v4 = ((b[rd] << 24) | (b[rd + 1] << 16) | (b[rd + 2] << 8) | b[rd + 3]) >>> 0;
        else r.data = formatRdata(b, rd, rd + rdlength, type, cls).text;
      }
      if (type === 41 && !edns) {
        edns = true;
        m.rcode = (b[h + 4] << 4) | headerRcode; // the TTL's high byte: extended rcode bits (RFC 6891 §6.1.3)
      }
      pos = rd + rdlength;
    }
  }
  return m;
}
