// The diagram's filter box: a small subset of Wireshark's display-filter language, compiled to a predicate over the
// frame columns (no per-frame objects), so it runs over a million frames in the worker in a few tens of ms.
//
//   protocols     tcp udp dns tls quic icmp arp ip ipv6
//   addresses     ip.addr == 10.0.0.1   ip.src == 10.0.0.0/8   ip.dst != ::1   (bare 10.0.0.1 means ip.addr == it)
//   ports         tcp.port == 443  udp.dstport == 53  port == 8080   (a bare number means port == it)
//   frames        frame.number >= 10  frame.len > 1000  frame.time_relative < 2.5  tcp.stream == 3
//   analysis      tcp.analysis.retransmission  tcp.analysis.duplicate_ack  tcp.analysis.zero_window
//                 tcp.analysis.flags (any problem)  and every timeline event name: tls.client_hello, dns.query...
//   text          host contains "example"  (host names from DNS, SNI and conversation titles); bare words too
//   combine       && and || or ! not ( )
import { EVENT_KINDS } from '../../decoders/timeline';
import { FrameProto } from '../../decoders/model';

export interface FilterColumns {
  count: number;
  time: Float64Array;
  len: Uint32Array;
  proto: Uint8Array;
  src: Int32Array;
  dst: Int32Array;
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  conv: Int32Array;
  hosts: readonly string[];
  hostNames: ReadonlyMap<string, string>;
  convs: readonly { protocol: string; tcpStream: number; title?: string; app?: string }[];
  /** Timeline columns: kind code and frame number (1-based) of each event, in frame order. */
  eventCount: number;
  eventKind: ArrayLike<number>;
  eventFrame: ArrayLike<number>;
}

export class FilterError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
  }
}

type Tok = { t: 'op' | 'word' | 'str' | '(' | ')'; v: string; pos: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')') { out.push({ t: c, v: c, pos: i }); i++; continue; }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '>=', '<=', '&&', '||'].includes(two)) { out.push({ t: 'op', v: two, pos: i }); i += 2; continue; }
    if (c === '>' || c === '<' || c === '!') { out.push({ t: 'op', v: c, pos: i }); i++; continue; }
    if (c === '=') { out.push({ t: 'op', v: '==', pos: i }); i++; continue; }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new FilterError('unterminated string', i);
      out.push({ t: 'str', v: src.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < src.length && /[A-Za-z0-9_.:\/\-\[\]%*]/.test(src[j])) j++;
    if (j === i) throw new FilterError(`unexpected character "${c}"`, i);
    out.push({ t: 'word', v: src.slice(i, j), pos: i });
    i = j;
  }
  return out;
}

type Node =
  | { k: 'and' | 'or'; a: Node; b: Node }
  | { k: 'not'; a: Node }
  | { k: 'field'; name: string; pos: number }
  | { k: 'cmp'; name: string; op: string; value: string; pos: number }
  | { k: 'text'; value: string; pos: number };

function parse(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isWord = (w: string) => peek()?.t === 'word' && peek().v.toLowerCase() === w;
  const orExpr = (): Node => {
    let a = andExpr();
    while (peek() && ((peek().t === 'op' && peek().v === '||') || isWord('or'))) { p++; a = { k: 'or', a, b: andExpr() }; }
    return a;
  };
  const andExpr = (): Node => {
    let a = notExpr();
    while (peek() && ((peek().t === 'op' && peek().v === '&&') || isWord('and'))) { p++; a = { k: 'and', a, b: notExpr() }; }
    return a;
  };
  const notExpr = (): Node => {
    if (peek() && ((peek().t === 'op' && peek().v === '!') || isWord('not'))) { p++; return { k: 'not', a: notExpr() }; }
    return primary();
  };
  const primary = (): Node => {
    const t = peek();
    if (!t) throw new FilterError('expression expected', src.length);
    if (t.t === '(') {
      p++;
      const e = orExpr();
      if (peek()?.t !== ')') throw new FilterError('")" expected', peek()?.pos ?? src.length);
      p++;
      return e;
    }
    if (t.t === 'str') { p++; return { k: 'text', value: t.v, pos: t.pos }; }
    if (t.t !== 'word') throw new FilterError(`unexpected "${t.v}"`, t.pos);
    p++;
    const n = peek();
    const isCmp = n && ((n.t === 'op' && ['==', '!=', '>', '<', '>=', '<='].includes(n.v)) ||
      (n.t === 'word' && ['contains', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'matches'].includes(n.v.toLowerCase())));
    if (isCmp) {
      p++;
      const v = peek();
      if (!v || (v.t !== 'word' && v.t !== 'str')) throw new FilterError('value expected', v?.pos ?? src.length);
      p++;
      const words: Record<string, string> = { eq: '==', ne: '!=', gt: '>', lt: '<', ge: '>=', le: '<=' };
      return { k: 'cmp', name: t.v.toLowerCase(), op: n.t === 'op' ? n.v : words[n.v.toLowerCase()] ?? n.v.toLowerCase(), value: v.v, pos: t.pos };
    }
    return looksLikeField(t.v) ? { k: 'field', name: t.v.toLowerCase(), pos: t.pos } : { k: 'text', value: t.v, pos: t.pos };
  };
  const e = orExpr();
  if (p < toks.length) throw new FilterError(`unexpected "${toks[p].v}"`, toks[p].pos);
  return e;
}

const PROTOCOL_FIELDS = ['tcp', 'udp', 'dns', 'tls', 'ssl', 'quic', 'icmp', 'icmpv6', 'arp', 'ip', 'ipv6', 'frame'];
const KIND_INDEX = new Map<string, number>(EVENT_KINDS.map((k, i) => [k, i]));
const ANALYSIS_KINDS = [
  'retransmission', 'fast_retransmission', 'spurious_retransmission', 'out_of_order', 'duplicate_ack', 'zero_window',
  'zero_window_probe', 'zero_window_probe_ack', 'window_full', 'window_update', 'keep_alive', 'keep_alive_ack',
  'lost_segment', 'ack_lost_segment',
];

function looksLikeField(w: string): boolean {
  const l = w.toLowerCase();
  return PROTOCOL_FIELDS.includes(l) || KIND_INDEX.has(l) || l.startsWith('tcp.analysis.');
}

type Pred = (i: number) => boolean;

/** IPv4 or IPv6 prefix match ("10.0.0.0/8", "2001:db8::/32") or exact address. */
function addressMatcher(value: string): (addr: string) => boolean {
  const slash = value.indexOf('/');
  if (slash < 0) {
    const v = value.toLowerCase();
    return (a) => a.toLowerCase() === v;
  }
  const base = value.slice(0, slash);
  const bits = Number(value.slice(slash + 1));
  const v4 = parseV4(base);
  if (v4 !== null && bits >= 0 && bits <= 32) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (a) => {
      const x = parseV4(a);
      return x !== null && ((x & mask) >>> 0) === ((v4 & mask) >>> 0);
    };
  }
  const v6 = expandV6(base);
  if (v6 !== null && bits >= 0 && bits <= 128) {
    return (a) => {
      const x = expandV6(a);
      if (x === null) return false;
      for (let b = 0; b < bits; b++) {
        const byte = b >> 3, bit = 7 - (b & 7);
        if (((x[byte] >> bit) & 1) !== ((v6[byte] >> bit) & 1)) return false;
      }
      return true;
    };
  }
  throw new FilterError(`"${value}" is not an address or prefix`, 0);
}

function parseV4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function expandV6(s: string): Uint8Array | null {
  if (!s.includes(':')) return null;
  const [head, tail, extra] = s.split('::');
  if (extra !== undefined) return null;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  for (let g = 0; g < 8; g++) {
    if (!/^[0-9a-f]{1,4}$/i.test(groups[g])) return null;
    const v = parseInt(groups[g], 16);
    out[g * 2] = v >> 8;
    out[g * 2 + 1] = v & 0xff;
  }
  return out;
}

const looksLikeAddress = (v: string) => parseV4(v.split('/')[0]) !== null || expandV6(v.split('/')[0]) !== null;

/**
 * Compiles `expr` against `cols`. Returns null for an empty expression (no filter). Throws FilterError with a
 * position for syntax errors and unknown fields.
 */
export function compileFilter(expr: string, cols: FilterColumns): Pred | null {
  if (!expr.trim()) return null;
  const ast = parse(expr);
  let evBits: Uint32Array | null = null;
  const events = (): Uint32Array => {
    if (evBits) return evBits;
    // Two 32-bit words of event-kind bits per frame (there are fewer than 64 kinds).
    evBits = new Uint32Array(cols.count * 2);
    for (let e = 0; e < cols.eventCount; e++) {
      const row = cols.eventFrame[e] - 1;
      if (row < 0 || row >= cols.count) continue;
      const k = cols.eventKind[e];
      evBits[row * 2 + (k >> 5)] |= 1 << (k & 31);
    }
    return evBits;
  };
  const hasKinds = (codes: number[]): Pred => {
    const w = [0, 0];
    for (const c of codes) w[c >> 5] |= 1 << (c & 31);
    return (i) => {
      const b = events();
      return ((b[i * 2] & w[0]) | (b[i * 2 + 1] & w[1])) !== 0;
    };
  };
  const convProto = (i: number) => (cols.conv[i] >= 0 ? cols.convs[cols.conv[i]]?.protocol : undefined);
  const isTcp: Pred = (i) => convProto(i) === 'tcp';
  const isUdp: Pred = (i) => { const p = convProto(i); return p === 'udp' || p === 'quic'; };
  const hostMatches = (text: string): Pred => {
    const needle = text.toLowerCase();
    const hostHit = cols.hosts.map((h) => h.toLowerCase().includes(needle) || (cols.hostNames.get(h) ?? '').toLowerCase().includes(needle));
    const convHit = cols.convs.map((c) => `${c.title ?? ''} ${c.app ?? ''}`.toLowerCase().includes(needle));
    return (i) => (cols.src[i] >= 0 && hostHit[cols.src[i]]) || (cols.dst[i] >= 0 && hostHit[cols.dst[i]]) ||
      (cols.conv[i] >= 0 && !!convHit[cols.conv[i]]);
  };

  const field = (name: string, pos: number): Pred => {
    switch (name) {
      case 'frame': return () => true;
      case 'tcp': return isTcp;
      case 'udp': return isUdp;
      case 'dns': return (i) => cols.proto[i] === FrameProto.DNS;
      case 'tls': case 'ssl': return (i) => cols.proto[i] === FrameProto.TLS;
      case 'quic': return (i) => cols.proto[i] === FrameProto.QUIC;
      case 'icmp': case 'icmpv6': return (i) => cols.proto[i] === FrameProto.ICMP;
      case 'arp': return (i) => cols.proto[i] === FrameProto.ARP;
      case 'ip': return (i) => cols.src[i] >= 0 && !cols.hosts[cols.src[i]].includes(':');
      case 'ipv6': return (i) => cols.src[i] >= 0 && cols.hosts[cols.src[i]].includes(':');
      case 'tcp.analysis.flags': return hasKinds(ANALYSIS_KINDS.filter((k) => k !== 'window_update').map((k) => KIND_INDEX.get(`tcp.${k}`)!));
    }
    if (name.startsWith('tcp.analysis.')) {
      const k = name.slice('tcp.analysis.'.length);
      if (!ANALYSIS_KINDS.includes(k)) throw new FilterError(`unknown field "${name}"`, pos);
      // As in Wireshark, fast and spurious retransmissions are retransmissions too.
      const kinds = k === 'retransmission' ? ['retransmission', 'fast_retransmission', 'spurious_retransmission'] : [k];
      return hasKinds(kinds.map((x) => KIND_INDEX.get(`tcp.${x}`)!));
    }
    const code = KIND_INDEX.get(name);
    if (code !== undefined) return hasKinds([code]);
    throw new FilterError(`unknown field "${name}"`, pos);
  };

  const numCmp = (op: string, value: string, pos: number): ((x: number) => boolean) => {
    const v = Number(value);
    if (!Number.isFinite(v)) throw new FilterError(`"${value}" is not a number`, pos);
    switch (op) {
      case '==': return (x) => x === v;
      case '!=': return (x) => x !== v;
      case '>': return (x) => x > v;
      case '<': return (x) => x < v;
      case '>=': return (x) => x >= v;
      case '<=': return (x) => x <= v;
      default: throw new FilterError(`"${op}" cannot compare numbers`, pos);
    }
  };

  const cmp = (name: string, op: string, value: string, pos: number): Pred => {
    const addrField = { 'ip.addr': 'any', 'ipv6.addr': 'any', 'ip.src': 'src', 'ipv6.src': 'src', 'ip.dst': 'dst', 'ipv6.dst': 'dst', 'host': 'any' } as const;
    if (name in addrField && (op === '==' || op === '!=') && looksLikeAddress(value)) {
      const m = addressMatcher(value);
      const hit = cols.hosts.map(m);
      const side = addrField[name as keyof typeof addrField];
      const eq: Pred = (i) => (side !== 'dst' && cols.src[i] >= 0 && hit[cols.src[i]]) ||
        (side !== 'src' && cols.dst[i] >= 0 && hit[cols.dst[i]]);
      return op === '==' ? eq : (i) => !eq(i);
    }
    if (['host', 'tls.handshake.extensions_server_name', 'tls.sni', 'dns.qry.name', 'http.host'].includes(name)) {
      if (op !== '==' && op !== 'contains' && op !== '!=') throw new FilterError(`"${op}" cannot compare names`, pos);
      const p = hostMatches(value);
      return op === '!=' ? (i) => !p(i) : p;
    }
    const portSide: Record<string, [Pred | null, 'any' | 'src' | 'dst']> = {
      'tcp.port': [isTcp, 'any'], 'tcp.srcport': [isTcp, 'src'], 'tcp.dstport': [isTcp, 'dst'],
      'udp.port': [isUdp, 'any'], 'udp.srcport': [isUdp, 'src'], 'udp.dstport': [isUdp, 'dst'], 'port': [null, 'any'],
    };
    if (name in portSide) {
      const [proto, side] = portSide[name];
      const test = numCmp(op, value, pos);
      const hasPorts: Pred = (i) => cols.conv[i] >= 0 || cols.srcPort[i] !== 0 || cols.dstPort[i] !== 0;
      return (i) => (proto ? proto(i) : hasPorts(i)) &&
        ((side !== 'dst' && test(cols.srcPort[i])) || (side !== 'src' && test(cols.dstPort[i])));
    }
    const numeric: Record<string, (i: number) => number> = {
      'frame.number': (i) => i + 1,
      'frame.len': (i) => cols.len[i],
      'frame.time_relative': (i) => cols.time[i],
      'tcp.stream': (i) => (cols.conv[i] >= 0 && cols.convs[cols.conv[i]]?.protocol === 'tcp' ? cols.convs[cols.conv[i]].tcpStream : NaN),
    };
    if (name in numeric) {
      const get = numeric[name];
      const test = numCmp(op, value, pos);
      return (i) => test(get(i));
    }
    throw new FilterError(`unknown field "${name}"`, pos);
  };

  const text = (value: string): Pred => {
    if (looksLikeAddress(value)) return cmp('ip.addr', '==', value, 0);
    if (/^\d{1,5}$/.test(value)) return cmp('port', '==', value, 0);
    const needle = value.toLowerCase();
    const kinds = EVENT_KINDS.map((k, i) => (k.includes(needle) ? i : -1)).filter((i) => i >= 0);
    const byHost = hostMatches(value);
    const byKind = kinds.length ? hasKinds(kinds) : null;
    return byKind ? (i) => byHost(i) || byKind(i) : byHost;
  };

  const build = (n: Node): Pred => {
    switch (n.k) {
      case 'and': { const a = build(n.a), b = build(n.b); return (i) => a(i) && b(i); }
      case 'or': { const a = build(n.a), b = build(n.b); return (i) => a(i) || b(i); }
      case 'not': { const a = build(n.a); return (i) => !a(i); }
      case 'field': return field(n.name, n.pos);
      case 'cmp': return cmp(n.name, n.op, n.value, n.pos);
      case 'text': return text(n.value);
    }
  };
  return build(ast);
}

/** Evaluates a compiled filter over every frame: 1 for frames it keeps. */
export function filterMask(pred: Pred, count: number): { mask: Uint8Array; matches: number } {
  const mask = new Uint8Array(count);
  let matches = 0;
  for (let i = 0; i < count; i++) if (pred(i)) { mask[i] = 1; matches++; }
  return { mask, matches };
}
