// DNS, mDNS and LLMNR over UDP and TCP: every message for the JSON view, and transactions (query ↔ response by id,
// endpoints and question) for the timeline: latency, retransmitted queries, unanswered ones, NXDOMAIN/SERVFAIL,
// CNAME chains followed to the final addresses (which also name the hosts in the diagram).
import { grown, resized } from '../columns';
import type { DnsJson } from '../analysis-json';
import type { ConversationTable } from '../conversations';
import type { Conversation } from '../model';
import type { DecodedPacket } from '../packet';
import type { Timeline } from '../timeline';
import { scanDnsMessage, type DnsMessage, type DnsRecord, type DnsScan, type ScannedRecord } from './message';
import { ipv4String } from '../wire/addresses';
import { NAME_LOOP, NAME_ROOT, NAME_TOO_LONG } from './name';
import { DnsMessageLog } from './message-log';
import { opcodeName, rcodeName, rrTypeName } from './names';

/** A query unanswered for this long (capture time) is reported as timed out (a typical stub resolver's limit). */
export const DNS_TIMEOUT = 5;
/** Answered transactions are remembered this long, to recognise duplicate responses. */
const ANSWERED_MEMORY = 30;
/** Most answers kept in an event's facts (the JSON has all of them). */
const MAX_FACT_RECORDS = 16;

export type DnsProto = 'dns' | 'mdns' | 'llmnr';

export interface DnsContext {
  timeline: Timeline;
  conversations: ConversationTable;
}

/** Facts of dns.query / dns.retransmission events. */
export interface DnsQueryFacts {
  id: number;
  proto: DnsProto;
  transport: 'udp' | 'tcp';
  opcode: string;
  name: string;
  type: string;
  questions: number;
  /** Transmissions so far (1 for the first). */
  attempt: number;
  /** Frame of the first transmission. */
  firstFrame: number;
  recursionDesired: boolean;
  dnssecOk?: boolean;
  clientSubnet?: string;
}

export interface DnsResponseFacts {
  id: number;
  proto: DnsProto;
  transport: 'udp' | 'tcp';
  name: string;
  type: string;
  rcode: number;
  rcodeName: string;
  authoritative: boolean;
  truncated: boolean;
  answers: { name: string; type: string; ttl: number; data?: string }[];
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
  /** CNAME chain from the question name: [qname, alias1, alias2, ...]. */
  chain: string[];
  /** A/AAAA addresses of the last name of the chain. */
  addresses: string[];
  /** Frame of the query it answers, null when none was seen. */
  queryFrame: number | null;
  latency: number | null;
  /** A second (or later) response to an already answered query. */
  duplicate: boolean;
  /** How many times the query was sent before this response. */
  attempts: number;
}

export interface DnsTimeoutFacts {
  id: number;
  proto: DnsProto;
  name: string;
  type: string;
  queryFrame: number;
  attempts: number;
  /** Seconds waited since the last transmission (until the event's frame or the end of the capture). */
  waited: number;
  atEnd: boolean;
}

interface Transaction {
  key: string;
  conv: Conversation;
  dir: number;
  id: number;
  proto: DnsProto;
  name: string;
  type: number;
  firstFrame: number;
  firstTime: number;
  lastTime: number;
  attempts: number;
  answeredAt: number;
}

/** tshark's protocol for a UDP port pair: the lower of the two ports decides (5353 mDNS, 5355 LLMNR, else DNS). */
export function dnsProtoForPorts(a: number, b: number): DnsProto {
  const ka = a === 53 || a === 5353 || a === 5355, kb = b === 53 || b === 5353 || b === 5355;
  const p = ka && kb ? Math.min(a, b) : ka ? a : kb ? b : -1;
  return p === 5353 ? 'mdns' : p === 5355 ? 'llmnr' : 'dns';
}

const isRealName = (n: string) => n !== NAME_ROOT && n !== NAME_LOOP && n !== NAME_TOO_LONG && !n.startsWith('<');

interface TcpDir {
  buf: Uint8Array;
  len: number;
  maxFrame: number;
}

export class DnsAnalyzer {
  private readonly timeline: Timeline;
  private readonly conversations: ConversationTable;
  /** Every message, as bytes, for toJson(). */
  private readonly log = new DnsMessageLog();
  /** Row of the message being handled in `log`. */
  private msgRow = -1;
  private readonly facts = new FactRows();
  private readonly resolve = (row: number): unknown => this.factsOf(row);
  /** Unanswered transactions, oldest first. */
  private readonly pending = new Map<string, Transaction>();
  private readonly answered = new Map<string, Transaction>();
  /** Address -> name, in the order addresses were first learned; IPv4 addresses as numbers (see hostNames). */
  private readonly names = new Map<number | string, string>();
  private readonly tcp = new Map<number, [TcpDir, TcpDir]>();
  private lastTime = 0;

  constructor(ctx: DnsContext) {
    this.timeline = ctx.timeline;
    this.conversations = ctx.conversations;
  }

  onUdp(p: DecodedPacket, conv: Conversation, dir: 0 | 1, time: number): void {
    const udp = p.udp;
    if (!udp) return;
    const payload = p.payloadBytes.subarray(p.payloadStart, p.payloadEnd);
    const proto = dnsProtoForPorts(udp.srcPort, udp.dstPort);
    this.onMessage(payload, conv, dir, p.frame.index, time, 'udp', proto);
  }

  onTcpData(conv: Conversation, dir: 0 | 1, data: Uint8Array, frame: number, time: number): boolean {
    let pair = this.tcp.get(conv.id);
    if (!pair) {
      const mk = (): TcpDir => ({ buf: new Uint8Array(0), len: 0, maxFrame: 0 });
      pair = [mk(), mk()];
      this.tcp.set(conv.id, pair);
    }
    const d = pair[dir];
    if (frame > d.maxFrame) d.maxFrame = frame;
    d.buf = grown(d.buf, d.len + data.length, 512);
    d.buf.set(data, d.len);
    d.len += data.length;
    const proto = dnsProtoForPorts(conv.clientPort, conv.serverPort);
    let at = 0;
    // each message: a 2-byte length, then the message (RFC 1035 §4.2.2); the frame that completes it reports it
    while (d.len - at >= 2) {
      const n = (d.buf[at] << 8) | d.buf[at + 1];
      if (d.len - at < 2 + n) break;
      this.onMessage(d.buf.slice(at + 2, at + 2 + n), conv, dir, d.maxFrame, time, 'tcp', proto);
      at += 2 + n;
    }
    if (at > 0) {
      d.buf.copyWithin(0, at, d.len);
      d.len -= at;
    }
    if (d.len === 0 && d.buf.length > 65536 + 2) d.buf = new Uint8Array(512);
    return true;
  }

  onTcpGap(conv: Conversation, dir: 0 | 1, _length: number, _frame: number): void {
    const d = this.tcp.get(conv.id)?.[dir];
    if (!d) return;
    // the message in progress is lost; the next segment is assumed to start a new length prefix
    d.len = 0;
  }

  finish(): void {
    const last = this.timeline.count ? this.timeline.frame[this.timeline.count - 1] : 0;
    for (const t of this.pending.values()) this.timeout(t, Math.max(last, t.firstFrame), this.lastTime, true);
    this.pending.clear();
    this.answered.clear();
    this.tcp.clear();
    this.log.compact();
    this.facts.compact();
  }

  toJson(): DnsJson[] {
    return this.log.toJson();
  }

  /** Address -> name learned from A/AAAA answers: the name that was asked for, following CNAME chains. */
  hostNames(): Map<string, string> {
    const out = new Map<string, string>();
    const quad = new Uint8Array(4);
    for (const [k, v] of this.names) {
      if (typeof k === 'string') { out.set(k, v); continue; }
      quad[0] = k >>> 24; quad[1] = k >>> 16; quad[2] = k >>> 8; quad[3] = k;
      // formatRdata's text for these bytes (no other record's text is a dotted quad: the keys stay distinct)
      out.set(ipv4String(quad, 0), v);
    }
    return out;
  }

  private onMessage(bytes: Uint8Array, conv: Conversation, dir: number, frame: number, time: number,
    transport: 'udp' | 'tcp', proto: DnsProto): void {
    if (bytes.length < 2) return; // not even an id
    if (time > this.lastTime) this.lastTime = time;
    // only what transactions need: the facts are built from the logged bytes when read
    const m = scanDnsMessage(bytes);
    this.log.add(frame, transport, proto, bytes);
    this.msgRow = this.log.count - 1;
    conv.app ??= proto;
    if (!conv.title) conv.title = proto === 'dns' ? 'DNS' : proto === 'mdns' ? 'mDNS' : 'LLMNR';
    if (m.response) this.onResponse(m, conv, dir, frame, time, transport, proto);
    else this.onQuery(m, conv, dir, frame, time, transport, proto);
    this.expire(frame, time);
  }

  private key(m: DnsScan, conv: Conversation, dir: number, proto: DnsProto, response: boolean): string {
    const question = m.hasQuestion ? `${m.qname.toLowerCase()}|${m.qtype}` : '';
    if (proto === 'dns') return `${conv.id}|${m.id}|${question}`;
    // mDNS and LLMNR answers come from another address than the one a query was sent to (multicast):
    // match on the querier's side instead of the conversation
    const querier = response ? (dir === 0 ? conv.server : conv.client) : (dir === 0 ? conv.client : conv.server);
    return `${proto}|${proto === 'mdns' ? '' : querier}|${m.id}|${question}`;
  }

  private onQuery(m: DnsScan, conv: Conversation, dir: number, frame: number, time: number,
    transport: 'udp' | 'tcp', proto: DnsProto): void {
    const key = this.key(m, conv, dir, proto, false);
    const existing = this.pending.get(key);
    if (existing) {
      existing.attempts++;
      this.timeline.pushLazy('dns.retransmission', frame, conv.id, dir, time - existing.firstTime, existing.attempts,
        this.resolve, this.facts.add(this.msgRow, existing.attempts, existing.firstFrame, 0, 0));
      existing.lastTime = time;
      this.conversations.note(conv, 'dns retransmission');
      return;
    }
    const t: Transaction = {
      key, conv, dir, id: m.id, proto, name: m.qname, type: m.qtype, firstFrame: frame, firstTime: time,
      lastTime: time, attempts: 1, answeredAt: 0,
    };
    this.pending.set(key, t);
    this.timeline.pushLazy('dns.query', frame, conv.id, dir, m.qtype, m.id, this.resolve,
      this.facts.add(this.msgRow, 1, frame, 0, 0));
  }

  private onResponse(m: DnsScan, conv: Conversation, dir: number, frame: number, time: number,
    transport: 'udp' | 'tcp', proto: DnsProto): void {
    const key = this.key(m, conv, dir, proto, true);
    let t = this.pending.get(key);
    let duplicate = false;
    if (t) {
      this.pending.delete(key);
      t.answeredAt = time;
      this.answered.set(key, t);
    } else {
      t = this.answered.get(key);
      duplicate = !!t;
    }
    const chain = chainOf(m.hasQuestion ? m.qname : undefined, m.answers);
    this.learnNames(chain, m.answers);
    const latency = t ? time - t.firstTime : null;
    if (m.rcode === 3) this.conversations.note(conv, 'nxdomain');
    else if (m.rcode === 2) this.conversations.note(conv, 'servfail');
    // the facts are rebuilt from the message when shown (responseFacts); kept: what the transaction added
    const row = this.facts.add(this.msgRow, t ? t.firstFrame : 0, latency ?? 0, t?.attempts ?? 0,
      (duplicate ? 1 : 0) | (t ? 2 : 0));
    this.timeline.pushLazy('dns.response', frame, conv.id, dir, latency ?? -1, m.rcode, this.resolve, row);
  }

  /** The facts of a dns.query / dns.retransmission / dns.response event, from its message and transaction. */
  private factsOf(row: number): DnsQueryFacts | DnsResponseFacts {
    const { message: m, transport, proto } = this.log.parse(this.facts.msg[row]);
    const x = this.facts.x[row], y = this.facts.y[row];
    if (!m.response) return queryFacts(m, proto, transport, x, y);
    const flags = this.facts.flags[row];
    const answered = (flags & 2) !== 0;
    return responseFacts(m, proto, transport, answered ? x : null, answered ? y : null, (flags & 1) !== 0,
      this.facts.z[row]);
  }

  /** Queries unanswered for DNS_TIMEOUT seconds of capture time are reported at the current frame. */
  private expire(frame: number, time: number): void {
    // values(), not entries(): no [key, value] array per step (each map's key is its transaction's key)
    for (const t of this.pending.values()) {
      if (time - t.firstTime < DNS_TIMEOUT) break; // oldest first: the rest are younger
      if (time - t.lastTime < DNS_TIMEOUT) continue; // retransmitted recently: still waiting
      this.pending.delete(t.key);
      this.timeout(t, frame, time, false);
    }
    for (const t of this.answered.values()) {
      if (time - t.answeredAt < ANSWERED_MEMORY) break;
      this.answered.delete(t.key);
    }
  }

  private timeout(t: Transaction, frame: number, now: number, atEnd: boolean): void {
    const f: DnsTimeoutFacts = {
      id: t.id, proto: t.proto, name: t.name, type: rrTypeName(t.type), queryFrame: t.firstFrame, attempts: t.attempts,
      waited: Math.max(0, now - t.lastTime), atEnd,
    };
    this.conversations.note(t.conv, 'dns timeout');
    this.timeline.push('dns.timeout', frame, t.conv.id, t.dir, f.waited, t.attempts, f);
  }

  private learnNames(chain: string[], answers: ScannedRecord[]): void {
    const asked = chain[0];
    for (let i = 0; i < answers.length; i++) {
      const r = answers[i];
      const address = r.v4 ?? r.data;
      if ((r.type !== 1 && r.type !== 28) || address === undefined || address === '') continue;
      // the name the user asked for when the address answers it (through the chain), else the record's own name
      const owner = asked && inChain(chain, r.name) ? asked : r.name;
      if (isRealName(owner)) this.names.set(address, owner);
    }
  }
}

/** Facts of dns.query / dns.retransmission (attempt: transmissions so far; firstFrame: the first one's frame). */
function queryFacts(m: DnsMessage, proto: DnsProto, transport: 'udp' | 'tcp', attempt: number,
  firstFrame: number): DnsQueryFacts {
  const q = m.questions[0];
  return {
    id: m.id, proto, transport, opcode: opcodeName(m.opcode), name: q?.name ?? '', type: q ? rrTypeName(q.type) : '',
    questions: m.questions.length, recursionDesired: m.recursionDesired,
    dnssecOk: m.edns?.dnssecOk || undefined,
    clientSubnet: m.edns?.clientSubnet ? `${m.edns.clientSubnet.address}/${m.edns.clientSubnet.sourcePrefix}` : undefined,
    attempt, firstFrame,
  };
}

function responseFacts(m: DnsMessage, proto: DnsProto, transport: 'udp' | 'tcp', queryFrame: number | null,
  latency: number | null, duplicate: boolean, attempts: number): DnsResponseFacts {
  const q = m.questions[0];
  const chain = chainOf(q?.name, m.answers);
  const addresses = chainAddresses(chain, m.answers);
  return {
    id: m.id, proto, transport, name: q?.name ?? '', type: q ? rrTypeName(q.type) : '', rcode: m.rcode,
    rcodeName: rcodeName(m.rcode), authoritative: m.authoritative, truncated: m.truncated,
    answers: m.answers.slice(0, MAX_FACT_RECORDS).map((r) => ({ name: r.name, type: rrTypeName(r.type), ttl: r.ttl, data: r.data })),
    answerCount: m.answers.length, authorityCount: m.authority.length, additionalCount: m.additional.length,
    chain, addresses, queryFrame, latency, duplicate, attempts,
  };
}

/** Per DNS event: its message (DnsMessageLog row) and the transaction's numbers the facts need. */
class FactRows {
  count = 0;
  msg = new Int32Array(0);
  x = new Float64Array(0);
  y = new Float64Array(0);
  z = new Int32Array(0);
  flags = new Uint8Array(0);

  /** Drops the unused capacity (no rows are added after the end of input). */
  compact(): void {
    const n = this.count;
    if (this.msg.length === n) return;
    this.msg = resized(this.msg, n); this.x = resized(this.x, n); this.y = resized(this.y, n);
    this.z = resized(this.z, n); this.flags = resized(this.flags, n);
  }

  add(msg: number, x: number, y: number, z: number, flags: number): number {
    const i = this.count++;
    if (i === this.msg.length) {
      this.msg = grown(this.msg, i + 1, 256); this.x = grown(this.x, i + 1, 256); this.y = grown(this.y, i + 1, 256);
      this.z = grown(this.z, i + 1, 256); this.flags = grown(this.flags, i + 1, 256);
    }
    this.msg[i] = msg; this.x[i] = x; this.y[i] = y; this.z[i] = z; this.flags[i] = flags;
    return i;
  }
}

/** Names equal but for case, as toLowerCase() compares them (the same text first: the usual case, no copies). */
const sameName = (a: string, b: string) => a === b || a.toLowerCase() === b.toLowerCase();

/** `name` is one of the chain's names (case-insensitively). */
function inChain(chain: string[], name: string): boolean {
  for (let i = 0; i < chain.length; i++) if (sameName(chain[i], name)) return true;
  return false;
}

/**
 * Follows CNAMEs from the question name through the answers: [qname, alias1, alias2, ...] ([] without a question).
 * Scanned answers and parsed records alike: a CNAME's target is its `data` in both.
 */
function chainOf(qname: string | undefined, answers: readonly ScannedRecord[]): string[] {
  if (!qname) return [];
  // no CNAME answers (most responses): no Set, no search
  let cname = false;
  for (let i = 0; i < answers.length; i++) if (answers[i].type === 5) { cname = true; break; }
  if (!cname) return [qname];
  const chain = [qname];
  let current = qname.toLowerCase();
  const seen = new Set([current]);
  for (;;) {
    const c = answers.find((r) => r.type === 5 && r.name.toLowerCase() === current && r.data);
    if (!c || !c.data || seen.has(c.data.toLowerCase())) break;
    chain.push(c.data);
    current = c.data.toLowerCase();
    seen.add(current);
  }
  return chain;
}

/** The A/AAAA addresses the answers give for the chain's last name (parsed records: their text is `data`). */
function chainAddresses(chain: readonly string[], answers: readonly DnsRecord[]): string[] {
  if (chain.length === 0) return [];
  const last = chain[chain.length - 1].toLowerCase();
  return answers.filter((r) => (r.type === 1 || r.type === 28) && r.name.toLowerCase() === last && r.data)
    .map((r) => r.data!);
}
