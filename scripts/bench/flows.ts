// Traffic scenarios as generator functions. Each `yield` follows at most one emitted frame and tells the scheduler
// when this flow may send again (0: its turn comes at random among the active flows; FOLLOW: right away; > 0: not
// before that many microseconds). A yield with no frame is just a pause.
import { ByteWriter } from './byte-writer';
import { dnsNxdomain, dnsQuery, dnsResponse, TYPE_A, TYPE_AAAA } from './dns-messages';
import type { Host } from './frame-builder';
import { ackFrame, cryptoFrame, initialKeys, opaqueHandshake, protectedInitial, writeShortHeader } from './quic-packets';
import { TcpConn, type Emitter, type TcpOffer, type TcpSide } from './tcp-conn';
import { clientHello, clientHelloSessionId, CONTENT_APPDATA, CONTENT_CCS, CONTENT_HANDSHAKE, record, recordHeader,
  serverHello } from './tls-messages';
import type { Server, World } from './world';

export const FOLLOW = -1;
export type Flow = Generator<number, void, void>;

/** Counts of what was injected, for the manifest and for checking tshark's view. */
export interface GenStats {
  tcpConnections: number;
  tlsConnections: number;
  httpConnections: number;
  quicConnections: number;
  dnsTransactions: number;
  dnsRetransmittedQueries: number;
  dnsUnanswered: number;
  dnsNxdomain: number;
  upstreamLosses: number;
  rtoRetransmissions: number;
  spuriousRetransmissions: number;
  zeroWindows: number;
  zeroWindowProbes: number;
  windowFull: number;
  keepAlives: number;
  synRetransmissions: number;
  refused: number;
  unansweredSyns: number;
  finCloses: number;
  rstCloses: number;
  leftOpen: number;
}

export function emptyStats(): GenStats {
  return {
    tcpConnections: 0, tlsConnections: 0, httpConnections: 0, quicConnections: 0, dnsTransactions: 0,
    dnsRetransmittedQueries: 0, dnsUnanswered: 0, dnsNxdomain: 0, upstreamLosses: 0, rtoRetransmissions: 0,
    spuriousRetransmissions: 0, zeroWindows: 0, zeroWindowProbes: 0, windowFull: 0, keepAlives: 0,
    synRetransmissions: 0, refused: 0, unansweredSyns: 0, finCloses: 0, rstCloses: 0, leftOpen: 0,
  };
}

export interface GenContext extends Emitter {
  readonly world: World;
  readonly stats: GenStats;
  /**
   * Mean time between two frames of one flow (concurrency x mean gap), in microseconds. Timers (RTO, DNS retry,
   * idle) are expressed in ticks so that small test captures with few flows still see them fire, while each stays
   * many RTTs long (tshark tells a retransmission from reordering by the first RTT).
   */
  readonly tick: number;
  /** Multiplier on the chances of injected TCP behaviours (1 = the perf-anchors mix). */
  readonly anomalies: number;
}

/** Per-segment chances of the injected TCP behaviours (tuned to the mix in perf-anchors.md §3). */
const P = {
  loss: 0.0028,
  rto: 0.0017,
  spurious: 0.0005,
  zeroWindow: 0.0004,
  windowFull: 0.001,
};
const EPISODES = Object.entries(P) as [keyof typeof P, number][];

/** Which behaviour (if any) a uniform draw selects; each has its own band, so a skipped one falls to none. */
function episode(u: number): keyof typeof P | null {
  for (const [name, p] of EPISODES) {
    if (u < p) return name;
    u -= p;
  }
  return null;
}

/** A pause of lo..hi ticks (at the default 400 flows x 20 µs, one tick is 8 ms). */
const ticks = (g: GenContext, lo: number, hi: number) => Math.round(g.rng.int(lo, hi) * g.tick);

// --- DNS ---------------------------------------------------------------------------------------------------------

/** One UDP datagram from src to dst. */
function udp(g: GenContext, src: Host, dst: Host, sport: number, dport: number, payload: Uint8Array): void {
  const at = g.fb.beginUdp(src, dst, sport, dport);
  g.fb.buf.set(payload, at);
  g.emitted(g.fb.finish(at + payload.length));
}

type DnsOutcome = 'answer' | 'retransmitted' | 'unanswered' | 'nxdomain';

/** A lookup of `name` by `client`; returns after the answer (or after giving up). */
function* dnsLookup(g: GenContext, client: Host, name: string, qtype: number, server: Server | null,
  outcome: DnsOutcome): Flow {
  const w = g.world, r = g.rng;
  const resolver = client.ip.length === 16 ? w.resolver6 : w.resolver4;
  const port = w.ephemeralPort(client);
  const id = r.int(0, 65535);
  const query = dnsQuery(id, name, qtype);
  g.stats.dnsTransactions++;
  udp(g, client, resolver, port, 53, query);
  if (outcome === 'retransmitted' || outcome === 'unanswered') {
    g.stats.dnsRetransmittedQueries++;
    yield ticks(g, 125, 250);
    udp(g, client, resolver, port, 53, query);
    if (outcome === 'unanswered') { g.stats.dnsUnanswered++; yield ticks(g, 125, 375); return; }
  }
  yield 0;
  if (outcome === 'nxdomain' || server === null) {
    g.stats.dnsNxdomain++;
    const zone = name.split('.').slice(-2).join('.');
    udp(g, resolver, client, 53, port, dnsNxdomain(id, name, qtype, zone, 2024000000 + r.int(0, 99999)));
  } else {
    const hosts = qtype === TYPE_AAAA ? server.v6 : server.v4;
    udp(g, resolver, client, 53, port, dnsResponse(id, name, qtype, {
      cnames: server.cnames, addresses: hosts.map((h) => h.ip), ttl: r.int(30, 3600),
    }));
  }
  yield 0;
}

function lookupOutcome(g: GenContext, allowNx: boolean): DnsOutcome {
  const u = g.rng.next();
  if (u < 0.04) return 'retransmitted';
  if (u < 0.06) return 'unanswered';
  if (allowNx && u < 0.16) return 'nxdomain';
  return 'answer';
}

/** A standalone lookup (prefetch, background service): A and often AAAA, sometimes for a name that does not exist. */
export function* dnsFlow(g: GenContext): Flow {
  const r = g.rng;
  const client = g.world.pickClient(r.chance(0.15));
  const server = g.world.pickServer();
  const nx = r.chance(0.12);
  const name = nx ? `${['wpad', 'printer', 'nas', 'old', 'test'][r.int(0, 4)]}.${server.name}` : server.name;
  yield* dnsLookup(g, client, name, TYPE_A, nx ? null : server, nx ? 'nxdomain' : lookupOutcome(g, false));
  if (r.chance(0.6)) yield* dnsLookup(g, client, name, TYPE_AAAA, nx ? null : server, nx ? 'nxdomain' : lookupOutcome(g, false));
}

// --- TCP ---------------------------------------------------------------------------------------------------------

function clientOffer(g: GenContext, v6: boolean): TcpOffer {
  const r = g.rng;
  const windows = r.chance(0.3);
  return {
    mss: v6 ? 1440 : 1460,
    sack: !r.chance(0.1),
    ts: windows ? false : !r.chance(0.2),
    ws: r.chance(0.08) ? -1 : windows ? 8 : 7,
    synWindow: windows ? 65535 : v6 ? 64800 : 64240,
  };
}

function serverOffer(g: GenContext, v6: boolean): TcpOffer {
  const r = g.rng;
  return {
    mss: r.chance(0.2) ? (v6 ? 1380 : 1400) : v6 ? 1440 : 1460,
    sack: true,
    ts: !r.chance(0.1),
    ws: r.int(7, 13),
    synWindow: r.pick([65160, 64800, 65535, 29200]),
  };
}

/**
 * Sends everything in `from`'s stream, the peer ACKing every second segment, with the injected behaviours: losses
 * upstream of the capture (dup ACKs with SACK, then a fast retransmission), RTO and spurious retransmissions, zero
 * window with probes, and window-full episodes.
 */
function* transfer(g: GenContext, conn: TcpConn, from: TcpSide): Flow {
  const to = conn.peer(from);
  const r = g.rng, st = g.stats;
  let unacked = 0;
  while (from.stream.remaining > 0) {
    const mss = conn.segmentSize(from);
    const segsLeft = Math.ceil(from.stream.remaining / mss);
    const what = episode(r.next() / g.anomalies);
    if (what === 'loss' && segsLeft >= 3) {
      // Lost upstream: the receiver's ACKs after the hole repeat its last ACK (dup ACKs, with SACK if agreed).
      if (!conn.allAcked(to)) { conn.ack(to); yield 0; }
      const lost = conn.lose(from);
      st.upstreamLosses++;
      const dups = Math.min(r.int(2, 4), segsLeft - 1);
      for (let i = 0; i < dups; i++) {
        conn.data(from);
        yield 0;
        conn.ack(to, to.winField);
        yield i === dups - 1 ? FOLLOW : 0; // fast retransmission within tshark's 20 ms of the last dup ACK
      }
      conn.retransmit(from, lost);
      yield 0;
      conn.ack(to);
      yield 0;
      unacked = 0;
      continue;
    }
    if (what === 'rto') {
      // Captured, then lost downstream: no ACK comes, the sender retransmits when its RTO fires.
      if (!conn.allAcked(to)) { conn.ack(to); yield 0; }
      const seg = conn.data(from, true, false)!;
      st.rtoRetransmissions++;
      yield ticks(g, 25, 75);
      conn.retransmit(from, seg);
      yield 0;
      conn.ack(to);
      yield 0;
      unacked = 0;
      continue;
    }
    if (what === 'spurious') {
      // The ACK was lost downstream: the sender retransmits data already acknowledged; the receiver D-SACKs it.
      const seg = conn.data(from, true)!;
      yield 0;
      conn.ack(to);
      st.spuriousRetransmissions++;
      yield ticks(g, 25, 75);
      conn.retransmit(from, seg);
      yield 0;
      if (conn.sack) to.dsack = [seg.seq, (seg.seq + seg.bytes.length) >>> 0];
      conn.ack(to, to.winField);
      yield 0;
      unacked = 0;
      continue;
    }
    if (what === 'zeroWindow' && segsLeft >= 2) {
      // The receiving application stops reading: window 0, persist-timer probes, then a window update.
      conn.data(from);
      yield 0;
      const open = to.winField;
      conn.ack(to, 0);
      st.zeroWindows++;
      let backoff = r.int(25, 40);
      yield backoff * g.tick;
      const probes = r.int(1, 3);
      for (let i = 0; i < probes; i++) {
        conn.probe(from);
        st.zeroWindowProbes++;
        yield 0;
        conn.ack(to, 0);
        backoff *= 2;
        yield backoff * g.tick;
      }
      conn.ack(to, open);
      yield 0;
      unacked = 0;
      continue;
    }
    if (what === 'windowFull' && segsLeft >= 4) {
      // The receiver advertises a small window and the sender fills it exactly (tshark's "window full").
      conn.data(from);
      yield 0;
      const unit = 2 ** to.wscale;
      const k = Math.max(1, Math.floor(r.int(2 * mss, 6 * mss) / unit));
      const bytes = k * unit;
      if (bytes <= from.stream.remaining && bytes <= 65535 * unit) {
        const open = to.winField;
        conn.ack(to, k);
        yield 0;
        let sent = 0;
        while (sent < bytes) {
          const len = Math.min(mss, bytes - sent);
          conn.data(from, false, true, len);
          sent += len;
          yield 0;
        }
        st.windowFull++;
        conn.ack(to, open);
        yield 0;
      } else {
        conn.ack(to);
        yield 0;
      }
      unacked = 0;
      continue;
    }
    conn.data(from);
    yield 0;
    if (++unacked === 2) { conn.ack(to); unacked = 0; yield 0; }
  }
}

/** Makes sure both sides have acknowledged everything (before an idle period or a keep-alive). */
function* settle(conn: TcpConn): Flow {
  if (!conn.allAcked(conn.c)) { conn.ack(conn.c); yield 0; }
  if (!conn.allAcked(conn.s)) { conn.ack(conn.s); yield 0; }
}

function* close(g: GenContext, conn: TcpConn): Flow {
  const r = g.rng, u = r.next();
  const first = r.chance(0.6) ? conn.c : conn.s;
  const other = conn.peer(first);
  if (u < 0.72) {
    g.stats.finCloses++;
    conn.fin(first);
    yield 0;
    if (r.chance(0.3)) { conn.ack(other); yield 0; }
    conn.fin(other);
    yield 0;
    conn.ack(first);
    yield 0;
  } else if (u < 0.83) {
    g.stats.rstCloses++;
    conn.rst(first);
    yield 0;
  } else if (u < 0.86) {
    g.stats.rstCloses++;
    conn.fin(first);
    yield 0;
    conn.rst(other);
    yield 0;
  } else {
    g.stats.leftOpen++;
  }
}

const HTTP_PATHS = ['/', '/index.html', '/api/v1/items', '/static/app.js', '/images/logo.png', '/feed.xml', '/update/check'];

/** A TCP connection to port 443 (TLS 1.3) or 80 (HTTP/1.1), from lookup and handshake to close. */
export function* tcpFlow(g: GenContext, app: 'tls' | 'http'): Flow {
  const r = g.rng, w = g.world, st = g.stats;
  const v6 = r.chance(0.15);
  const client = w.pickClient(v6);
  const server = w.pickServer();
  const hosts = v6 ? server.v6 : server.v4;
  const host = hosts[r.int(0, hosts.length - 1)];
  if (r.chance(0.5)) yield* dnsLookup(g, client, server.name, v6 ? TYPE_AAAA : TYPE_A, server, lookupOutcome(g, false));
  const conn = new TcpConn(g, client, w.ephemeralPort(client), host, app === 'tls' ? 443 : 80,
    clientOffer(g, v6), serverOffer(g, v6));
  st.tcpConnections++;
  const u = r.next() / Math.min(5, g.anomalies);
  conn.syn();
  if (u < 0.011) { // refused
    st.refused++;
    yield 0;
    conn.refuse();
    yield 0;
    return;
  }
  if (u < 0.022) { // nobody answers: SYN retransmissions with exponential backoff, then give up
    st.unansweredSyns++;
    const tries = r.int(1, 3);
    for (let i = 0; i < tries; i++) { yield 125 * 2 ** i * g.tick; conn.syn(); st.synRetransmissions++; }
    yield 125 * g.tick;
    return;
  }
  if (u < 0.04) { yield 125 * g.tick; conn.syn(); st.synRetransmissions++; }
  yield 0;
  conn.synAck();
  yield 0;
  conn.ack(conn.c);
  yield 0;

  const exchanges = 1 + Math.min(30, Math.floor(r.exp(3)));
  if (app === 'tls') {
    st.tlsConnections++;
    const ch = clientHello(r, { sni: server.name, alpn: r.chance(0.7) ? ['h2', 'http/1.1'] : ['http/1.1'] });
    conn.c.stream.push(record(CONTENT_HANDSHAKE, ch, 0x0301));
    yield* transfer(g, conn, conn.c);
    const s = conn.s.stream;
    s.push(record(CONTENT_HANDSHAKE, serverHello(r, clientHelloSessionId(ch))));
    s.push(record(CONTENT_CCS, Uint8Array.of(1)));
    pushOpaqueRecords(conn.s, r.int(2000, 4500)); // EncryptedExtensions, Certificate, CertificateVerify, Finished
    yield* transfer(g, conn, conn.s);
    conn.c.stream.push(record(CONTENT_CCS, Uint8Array.of(1)));
    pushOpaqueRecords(conn.c, 53); // Finished
    for (let i = 0; i < exchanges; i++) {
      pushOpaqueRecords(conn.c, r.int(60, 900));
      yield* transfer(g, conn, conn.c);
      pushOpaqueRecords(conn.s, r.pareto(600, 1.15, 3_000_000));
      yield* transfer(g, conn, conn.s);
      yield* idle(g, conn, i === exchanges - 1);
    }
  } else {
    st.httpConnections++;
    for (let i = 0; i < exchanges; i++) {
      const req = `GET ${r.pick(HTTP_PATHS)}?r=${r.int(0, 99999)} HTTP/1.1\r\nHost: ${server.name}\r\n` +
        'User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n';
      conn.c.stream.push(new TextEncoder().encode(req));
      yield* transfer(g, conn, conn.c);
      const size = r.pareto(500, 1.15, 3_000_000);
      conn.s.stream.push(new TextEncoder().encode(`HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Length: ${size}\r\nConnection: keep-alive\r\n\r\n`));
      conn.s.stream.push(size);
      yield* transfer(g, conn, conn.s);
      yield* idle(g, conn, i === exchanges - 1);
    }
  }
  yield* close(g, conn);
}

/** Between exchanges: sometimes a pause long enough for a keep-alive and its ACK. */
function* idle(g: GenContext, conn: TcpConn, last: boolean): Flow {
  const r = g.rng;
  if (!r.chance(Math.min(0.5, (last ? 0.03 : 0.006) * g.anomalies))) return;
  yield* settle(conn);
  yield ticks(g, 125, 600); // a pause with no frame
  const side = r.chance(0.7) ? conn.c : conn.s;
  conn.keepAlive(side);
  g.stats.keepAlives++;
  yield 0;
  conn.ack(conn.peer(side), conn.peer(side).winField);
  yield 0;
}

/** TLS application-data records (each at most 16 401 bytes: 16 384 + content type + tag) totalling `bytes`. */
function pushOpaqueRecords(side: TcpSide, bytes: number): void {
  while (bytes > 0) {
    const n = Math.min(bytes, 16401);
    side.stream.push(recordHeader(CONTENT_APPDATA, n));
    side.stream.push(n);
    bytes -= n;
  }
}

// --- QUIC --------------------------------------------------------------------------------------------------------

/** A QUIC v1 connection to UDP/443: real protected Initials (Wireshark shows the SNI), opaque Handshake and 1-RTT. */
export function* quicFlow(g: GenContext): Flow {
  const r = g.rng, w = g.world, st = g.stats;
  const v6 = r.chance(0.15);
  const client = w.pickClient(v6);
  const server = w.pickServer();
  const hosts = v6 ? server.v6 : server.v4;
  const host = hosts[r.int(0, hosts.length - 1)];
  if (r.chance(0.5)) yield* dnsLookup(g, client, server.name, v6 ? TYPE_AAAA : TYPE_A, server, lookupOutcome(g, false));
  st.quicConnections++;
  const cport = w.ephemeralPort(client);
  const dcid = r.bytes(8), cscid = r.bytes(8), sscid = r.bytes(8);
  const keys = initialKeys(dcid);
  const toServer = (p: Uint8Array) => udp(g, client, host, cport, 443, p);
  const toClient = (p: Uint8Array) => udp(g, host, client, 443, cport, p);

  const ch = clientHello(r, { sni: server.name, alpn: ['h3'], quicScid: cscid });
  let f = new ByteWriter();
  cryptoFrame(f, 0, ch);
  toServer(protectedInitial(keys.client, dcid, cscid, 0, r.int(1, 2), f.finish(), 1200));
  yield 0;

  f = new ByteWriter();
  ackFrame(f, 0, r.int(0, 40));
  cryptoFrame(f, 0, serverHello(r, new Uint8Array(0)));
  const sInitial = protectedInitial(keys.server, cscid, sscid, 0, 1, f.finish());
  const hs1 = opaqueHandshake(g.pool, cscid, sscid, r.int(900, 1252 - sInitial.length));
  toClient(concat(sInitial, hs1));
  yield 0;
  toClient(opaqueHandshake(g.pool, cscid, sscid, r.int(400, 1200)));
  yield 0;

  f = new ByteWriter();
  ackFrame(f, 0, r.int(0, 20));
  const cHs = opaqueHandshake(g.pool, sscid, cscid, r.int(80, 120));
  toServer(concat(protectedInitial(keys.client, sscid, cscid, 1, 1, f.finish(), 1200 - cHs.length), cHs));
  yield 0;

  // 1-RTT: requests, responses in full-size packets, the client ACKing every second one.
  const exchanges = 1 + Math.min(10, Math.floor(r.exp(1)));
  for (let i = 0; i < exchanges; i++) {
    short(g, client, host, cport, 443, sscid, r.int(60, 400));
    yield 0;
    let bytes = r.pareto(1000, 1.2, 2_000_000);
    let n = 0;
    while (bytes > 0) {
      const len = Math.min(1252, bytes + 30);
      short(g, host, client, 443, cport, cscid, len);
      bytes -= len - 30;
      yield 0;
      if (++n % 2 === 0) { short(g, client, host, cport, 443, sscid, r.int(30, 45)); yield 0; }
    }
  }
  if (r.chance(0.5)) { short(g, client, host, cport, 443, sscid, r.int(30, 60)); yield 0; } // CONNECTION_CLOSE
}

function short(g: GenContext, src: Host, dst: Host, sport: number, dport: number, dcid: Uint8Array, len: number): void {
  const at = g.fb.beginUdp(src, dst, sport, dport);
  writeShortHeader(g.pool, g.fb.buf, at, dcid, len);
  g.emitted(g.fb.finish(at + len));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

