// QUIC over UDP: finds QUIC datagrams on any port (heuristic like tshark's), splits coalesced packets, follows each
// connection across connection-ID changes and client port changes, decrypts Initial packets with the keys anyone
// can derive (RFC 9001 §5), reassembles their CRYPTO frames into the TLS ClientHello/ServerHello, and writes one
// timeline event per QUIC packet plus the handshake-completion summary.
import type { QuicJson } from '../analysis-json';
import type { ConversationTable } from '../conversations';
import { endpoint } from '../conversations';
import type { DecodedPacket } from '../packet';
import { Dir, type EventKind, type Timeline } from '../timeline';
import { ExtensionType, parseClientHello, parseServerHello } from '../tls/hello';
import { ja4 } from '../tls/fingerprint';
import { cipherSuiteName, handshakeTypeName, versionName } from '../tls/names';
import { QuicConnection, Space } from './connection';
import { retryTagValid, unprotectPacket } from './crypto';
import { parseFrames, transportErrorName, type QuicFrame } from './frames';
import {
  looksLikeQuicLongHeader, MAX_CID_LENGTH, parseLongHeader, splitDatagram, type PacketHeader,
} from './header';
import { PacketLog } from './packet-log';
import { parseTransportParameters, TP_EXTENSION_DRAFT } from './transport-params';
import { equalBytes, toHex } from './varint';
import { EndpointPairTable } from '../udp-conversations';
import { shareList } from '../tls/shared-values';
import { isGreaseVersion, quicVersion, versionHex } from './versions';

/** Connections kept for lookups; older ones are forgotten (their conversations stay). */
const MAX_CONNECTIONS = 20_000;
/** CRYPTO bytes waiting for reassembly across all connections. */
const CRYPTO_BUDGET = 32 * 1024 * 1024;
/** Lookup keys one connection may register (CIDs, ports). */
const MAX_KEYS_PER_CONNECTION = 64;

/** Memory bounds (defaults suit real captures; tests lower them). */
export interface QuicLimits {
  /** Connections kept for lookups. */
  connections?: number;
  /** CRYPTO bytes held for reassembly across all connections. */
  cryptoBytes?: number;
}

/** The facts a QUIC timeline event's `ref` carries (plain values only). a = packet number (-1 unknown),
 * b = packet length in bytes. */
export interface QuicPacketRef {
  packetType: QuicJson['packetType'];
  header: 'long' | 'short';
  version?: string;
  versionName?: string;
  dcid: string;
  scid?: string;
  packetNumber?: number;
  length: number;
  indexInDatagram: number;
  /** Initial packets: whether the payload could be decrypted. Other types are protected without a key log. */
  decrypted: boolean;
  tokenLength?: number;
  frameTypes?: number[];
  /** ACK ranges [smallest, largest], highest first. */
  acked?: [number, number][];
  /** CRYPTO frames [offset, length]. */
  crypto?: [number, number][];
  /** Every CRYPTO byte in this packet had been received before (a retransmission). */
  cryptoRepeated?: boolean;
  /** TLS handshake messages completed by this packet's CRYPTO data. */
  tls?: string[];
  sni?: string;
  alpn?: string[];
  ja4?: string;
  transportParameters?: Record<string, unknown>;
  cipherSuite?: string;
  tlsVersion?: string;
  helloRetryRequest?: boolean;
  close?: { error: number; name: string; reason: string; application: boolean; frameType?: number };
  newToken?: number;
  retry?: { tokenLength: number; integrity: 'valid' | 'invalid' | 'unknown'; newCid: string };
  versions?: string[];
  forcingVersionNegotiation?: boolean;
  migratedFrom?: string;
  issue?: string;
}

/** `ref` of quic.handshake_completed; a = round trips before the client could send application data, b = seconds
 * from the client's first Initial. */
export interface QuicHandshakeRef {
  roundTrips: number;
  retries: number;
  versionNegotiations: number;
  helloRetryRequests: number;
  /** Time from the client's first Initial to the server's first reply: one network round trip, in seconds. */
  rtt: number | null;
  seconds: number;
  zeroRtt: boolean;
  sni?: string;
  alpn?: string[];
  version: string;
}

/** The datagram being looked at (one object reused for every datagram). */
interface Ctx {
  frame: number;
  time: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** Host ids of src and dst (the 4-tuple's lookup key with the ports). */
  srcHost: number;
  dstHost: number;
  migratedFrom: string | undefined;
}

/** The lookup keys a connection registered, for forgetting them when it is evicted. */
interface LiveKeys {
  /** Keys registered, all kinds (bounded by MAX_KEYS_PER_CONNECTION). */
  count: number;
  /** 4-tuples as [srcHost, srcPort, dstHost, dstPort] runs. */
  tuples: number[];
  /** "kind:hex" of the CID keys. */
  cids: string[];
}

const WELL_KNOWN = new Set([80, 443, 784, 853, 4433, 4443, 8443, 8843, 8080]);
const isServerPort = (p: number) => p < 1024 || WELL_KNOWN.has(p);

export class QuicAnalyzer {
  /** Direction of the last datagram accepted by onUdp (Dir.*). */
  lastDir: number = Dir.NONE;
  /** Exceptions caught inside the decoder (a bug if not 0; the fuzz tests check it). */
  internalErrors = 0;
  private readonly timeline: Timeline;
  private readonly conversations: ConversationTable;
  private readonly log = new PacketLog();
  /** The log's id of the empty SCID every short-header packet has (-1 until the first one). */
  private emptyCidId = -1;
  /** Canonical 4-tuple (host ids, ports) -> serial of the connection (index in `bySerial`). */
  private readonly byTuple = new EndpointPairTable();
  private readonly bySerial: (QuicConnection | undefined)[] = [];
  /** Host ids when the caller does not pass the HostTable's (a QuicAnalyzer used on its own). */
  private readonly ownHostIds = new Map<string, number>();
  private readonly ctx: Ctx = {
    frame: 0, time: 0, src: '', srcPort: 0, dst: '', dstPort: 0, srcHost: 0, dstHost: 0, migratedFrom: undefined,
  };
  /** Result of resolveLong/resolveShort. */
  private rConn: QuicConnection | undefined = undefined;
  private rFromServer = false;
  /** Decrypted Initial payloads (reused: a datagram is at most 64 KiB). */
  private readonly plaintext = new Uint8Array(65536);
  /** CID (hex) -> connection and the side that chose it (0 client, 1 server). */
  private readonly byCid = new Map<string, { conn: QuicConnection; side: 0 | 1 }>();
  /** Client's original DCID (hex) -> connection (Initial and 0-RTT packets carry it). */
  private readonly byInitialDcid = new Map<string, QuicConnection>();
  /** Lengths of the CIDs known, for finding a short header's DCID after migration. */
  private readonly cidLengths = new Set<number>();
  private readonly live = new Map<QuicConnection, LiveKeys>();
  private cryptoHeld = 0;
  private readonly maxConnections: number;
  private readonly cryptoBudget: number;

  constructor(ctx: { timeline: Timeline; conversations: ConversationTable; limits?: QuicLimits }) {
    this.timeline = ctx.timeline;
    this.conversations = ctx.conversations;
    this.maxConnections = ctx.limits?.connections ?? MAX_CONNECTIONS;
    this.cryptoBudget = ctx.limits?.cryptoBytes ?? CRYPTO_BUDGET;
  }

  /** Connections currently tracked, and CRYPTO bytes waiting for reassembly (for memory checks). */
  stats(): { connections: number; cryptoBytes: number; packets: number } {
    return { connections: this.live.size, cryptoBytes: this.cryptoHeld, packets: this.log.count };
  }

  /**
   * Returns the conversation id if this UDP datagram is QUIC, else -1; sets lastDir. `srcHost`/`dstHost`: the
   * HostTable ids of p.src and p.dst when the caller has them (the Analyzer does); pass them always or never.
   */
  onUdp(p: DecodedPacket, time: number, srcHost = -1, dstHost = -1): number {
    this.lastDir = Dir.NONE;
    const udp = p.udp;
    if (!udp) return -1;
    const b = p.payloadBytes, start = p.payloadStart, end = Math.min(p.payloadEnd, b.length);
    const ctx = this.ctx;
    ctx.frame = p.frame.index;
    ctx.time = time;
    ctx.src = p.src;
    ctx.srcPort = udp.srcPort;
    ctx.dst = p.dst;
    ctx.dstPort = udp.dstPort;
    ctx.srcHost = srcHost >= 0 ? srcHost : this.hostId(p.src);
    ctx.dstHost = dstHost >= 0 ? dstHost : this.hostId(p.dst);
    ctx.migratedFrom = undefined;
    try {
      return this.datagram(b, start, end, ctx);
    } catch {
      this.internalErrors++;
      const conn = this.tupleConn(ctx);
      return conn ? conn.conv.id : -1;
    }
  }

  finish(): void {
    for (const conn of this.live.keys()) conn.release();
    this.cryptoHeld = 0;
    // nothing more to look up: let the connections go (their conversations and timeline facts stay)
    this.live.clear();
    this.bySerial.length = 0;
    this.byTuple.clear();
    this.byCid.clear();
    this.byInitialDcid.clear();
    this.ownHostIds.clear();
    this.cidLengths.clear();
    this.log.compact();
  }

  private hostId(address: string): number {
    let id = this.ownHostIds.get(address);
    if (id === undefined) {
      id = this.ownHostIds.size;
      this.ownHostIds.set(address, id);
    }
    return id;
  }

  private tupleConn(ctx: Ctx): QuicConnection | undefined {
    const serial = this.byTuple.get(ctx.srcHost, ctx.srcPort, ctx.dstHost, ctx.dstPort);
    return serial < 0 ? undefined : this.bySerial[serial];
  }

  toJson(): QuicJson[] {
    return this.log.toJson();
  }

  /** Bytes held by the per-packet log (for the memory benchmark). */
  retainedBytes(): number {
    return this.log.retainedBytes() + this.cryptoHeld;
  }

  private datagram(b: Uint8Array, start: number, end: number, ctx: Ctx): number {
    const tupleConn = this.tupleConn(ctx);
    if (end <= start) return tupleConn ? this.accept(tupleConn, tupleConn.isServer(ctx.src, ctx.srcPort)) : -1;
    const long = (b[start] & 0x80) !== 0;
    const found = long ? this.resolveLong(b, start, end, ctx, tupleConn) : this.resolveShort(b, start, end, ctx, tupleConn);
    if (!found) return -1;
    const conn = this.rConn!, fromServer = this.rFromServer;
    this.trackPath(conn, fromServer, ctx);
    if (!long) {
      // a short header takes the whole datagram (RFC 9000 §12.2): one 1-RTT packet, or none without the fixed bit
      if (b[start] & 0x40) this.shortPacket(conn, fromServer, b, start, end, ctx);
      return this.accept(conn, fromServer);
    }
    const dcidLen = () => (fromServer ? conn.clientCid?.length ?? 0 : conn.serverCid?.length ?? 0);
    const packets = splitDatagram(b, start, end, dcidLen);
    for (let i = 0; i < packets.length; i++) this.packet(conn, fromServer, packets[i], i, b, ctx);
    return this.accept(conn, fromServer);
  }

  private accept(conn: QuicConnection, fromServer: boolean): number {
    this.lastDir = fromServer ? Dir.SERVER_TO_CLIENT : Dir.CLIENT_TO_SERVER;
    return conn.conv.id;
  }

  // ---- which connection a datagram belongs to

  /** Finds (or opens) the connection of a long-header datagram: sets rConn/rFromServer, false when not QUIC. */
  private resolveLong(b: Uint8Array, start: number, end: number, ctx: Ctx, tupleConn: QuicConnection | undefined):
    boolean {
    if (!tupleConn && !looksLikeQuicLongHeader(b, start, end)) return false;
    const h = parseLongHeader(b, start, end);
    const dh = toHex(h.dcid);
    let conn: QuicConnection | undefined;
    let fromServer = false;
    if (h.type === 'version_negotiation') {
      conn = tupleConn ?? this.byInitialDcid.get(toHex(h.scid)) ?? this.byCid.get(dh)?.conn;
      fromServer = conn ? !conn.isServer(ctx.dst, ctx.dstPort) : true;
    } else if ((h.type === 'initial' || h.type === '0rtt') && h.dcid.length && this.onPath(this.byInitialDcid.get(dh), ctx)) {
      // the same first DCID from other ports is a new connection (tools with fixed CIDs), as tshark sees it
      conn = this.byInitialDcid.get(dh)!;
      fromServer = conn.isServer(ctx.src, ctx.srcPort);
    } else if (h.dcid.length && this.byCid.has(dh)) {
      const e = this.byCid.get(dh)!;
      conn = e.conn;
      // the ports decide when they can (both sides may pick the same CID); else a CID the client chose is a DCID of
      // packets going to the client
      fromServer = conn.isServer(ctx.src, ctx.srcPort) || (!conn.isServer(ctx.dst, ctx.dstPort) && e.side === 0);
    } else if (tupleConn) {
      conn = tupleConn;
      fromServer = tupleConn.isServer(ctx.src, ctx.srcPort);
    }
    if (conn && conn.originalDcid.length === 0 && h.type === 'initial' && !fromServer && h.dcid.length) {
      // the capture began after the client's first Initial: a repeated one tells the key-deriving DCID
      conn.restartKeys(h.dcid);
      this.register(conn, 'initial', dh);
    }
    // A client Initial with a DCID this connection never used is a fresh connection on the same ports (as tshark
    // sees it), unless this connection's keys open it (the client switched to a server CID we did not see).
    if (conn && h.type === 'initial' && !fromServer && h.dcid.length && !conn.retryPending &&
      !equalBytes(h.dcid, conn.originalDcid) && !conn.serverCids.has(dh) && !this.opens(conn, h, b)) {
      conn = undefined;
    }
    if (!conn) {
      const clientIsSrc = this.guessClientIsSrc(h, ctx);
      const fromClientInitial = clientIsSrc && (h.type === 'initial' || h.type === '0rtt');
      const odcid = fromClientInitial ? h.dcid : h.type === 'version_negotiation' ? h.scid : new Uint8Array(0);
      conn = this.create(ctx, clientIsSrc, odcid, h.version || 0);
      conn.partial = !fromClientInitial;
      fromServer = !clientIsSrc;
      if (fromClientInitial && h.dcid.length) this.register(conn, 'initial', dh);
    }
    return this.resolved(conn, fromServer);
  }

  private resolved(conn: QuicConnection, fromServer: boolean): true {
    this.rConn = conn;
    this.rFromServer = fromServer;
    return true;
  }

  /** The connection of a short-header datagram: sets rConn/rFromServer, false when none is known. */
  private resolveShort(b: Uint8Array, start: number, end: number, ctx: Ctx, tupleConn: QuicConnection | undefined):
    boolean {
    if (tupleConn) return this.resolved(tupleConn, this.sentByServer(tupleConn, ctx));
    // A short header on unknown ports: only a connection we know by its DCID (migration, NAT rebinding).
    if (end - start < 1 + 1 + 1 + 16 || this.cidLengths.size === 0) return false;
    const lengths = [...this.cidLengths].sort((x, y) => y - x);
    for (const n of lengths) {
      if (n > MAX_CID_LENGTH || start + 1 + n > end - 17) continue;
      const e = this.byCid.get(toHex(b, start + 1, start + 1 + n));
      if (e) return this.resolved(e.conn, e.side === 0);
    }
    return false;
  }

  /** True when the datagram travels between the connection's current endpoints. */
  private onPath(conn: QuicConnection | undefined, ctx: Ctx): conn is QuicConnection {
    if (!conn) return false;
    return (conn.isServer(ctx.dst, ctx.dstPort) && ctx.src === conn.clientAddr && ctx.srcPort === conn.clientPort) ||
      (conn.isServer(ctx.src, ctx.srcPort) && ctx.dst === conn.clientAddr && ctx.dstPort === conn.clientPort);
  }

  private sentByServer(conn: QuicConnection, ctx: Ctx): boolean {
    if (conn.isServer(ctx.src, ctx.srcPort)) return true;
    if (conn.isServer(ctx.dst, ctx.dstPort)) return false;
    return ctx.srcPort === conn.serverPort;
  }

  /** Which side sent a packet that starts a connection we have not seen begin. */
  private guessClientIsSrc(h: PacketHeader, ctx: Ctx): boolean {
    if (h.type === 'retry' || h.type === 'version_negotiation') return false;
    const s = isServerPort(ctx.srcPort), d = isServerPort(ctx.dstPort);
    if (h.type === 'initial' || h.type === '0rtt') return !(s && !d);
    if (s !== d) return d;
    return ctx.srcPort >= ctx.dstPort;
  }

  /** True when `conn`'s client Initial keys authenticate this packet. */
  private opens(conn: QuicConnection, h: PacketHeader, b: Uint8Array): boolean {
    const keys = conn.keys(h.version);
    if (!keys || h.pnOffset < 0) return false;
    const r = unprotectPacket(b, h.start, h.pnOffset, h.end, true, keys.client, conn.largestPn[0][Space.INITIAL],
      this.plaintext);
    return !!r?.payload;
  }

  private create(ctx: Ctx, clientIsSrc: boolean, odcid: Uint8Array, version: number): QuicConnection {
    const client: [string, number] = clientIsSrc ? [ctx.src, ctx.srcPort] : [ctx.dst, ctx.dstPort];
    const server: [string, number] = clientIsSrc ? [ctx.dst, ctx.dstPort] : [ctx.src, ctx.srcPort];
    const conv = this.conversations.open('quic', client[0], client[1], server[0], server[1], ctx.frame);
    conv.app = 'quic';
    conv.title = 'QUIC';
    const conn = new QuicConnection(conv, odcid, version, client, server);
    conn.serial = this.bySerial.length;
    this.bySerial.push(conn);
    this.live.set(conn, { count: 0, tuples: [], cids: [] });
    this.registerTuple(conn, ctx);
    if (this.live.size > this.maxConnections) this.evictOldest();
    return conn;
  }

  /** Registers the datagram's 4-tuple as a lookup key of `conn`. */
  private registerTuple(conn: QuicConnection, ctx: Ctx): void {
    const keys = this.live.get(conn);
    if (!keys) return;
    if (keys.count >= MAX_KEYS_PER_CONNECTION) return;
    this.byTuple.set(ctx.srcHost, ctx.srcPort, ctx.dstHost, ctx.dstPort, conn.serial);
    keys.tuples.push(ctx.srcHost, ctx.srcPort, ctx.dstHost, ctx.dstPort);
    keys.count++;
  }

  private register(conn: QuicConnection, kind: 'initial' | 'client' | 'server', key: string): void {
    const keys = this.live.get(conn);
    if (!keys) return;
    if (keys.count >= MAX_KEYS_PER_CONNECTION) return; // lookups by the CIDs already known still work
    if (kind === 'initial') this.byInitialDcid.set(key, conn);
    else {
      this.byCid.set(key, { conn, side: kind === 'client' ? 0 : 1 });
      (kind === 'client' ? conn.clientCids : conn.serverCids).add(key);
      this.cidLengths.add(key.length >> 1);
    }
    keys.cids.push(`${kind}:${key}`);
    keys.count++;
  }

  private evictOldest(): void {
    const [conn, keys] = this.live.entries().next().value as [QuicConnection, LiveKeys];
    const t = keys.tuples;
    for (let i = 0; i < t.length; i += 4) {
      if (this.byTuple.get(t[i], t[i + 1], t[i + 2], t[i + 3]) === conn.serial) {
        this.byTuple.delete(t[i], t[i + 1], t[i + 2], t[i + 3]);
      }
    }
    for (const k of keys.cids) {
      const i = k.indexOf(':');
      const kind = k.slice(0, i), key = k.slice(i + 1);
      const map: Map<string, unknown> = kind === 'initial' ? this.byInitialDcid : this.byCid;
      const v = map.get(key) as QuicConnection | { conn: QuicConnection } | undefined;
      if (v === conn || (v && 'conn' in v && v.conn === conn)) map.delete(key);
    }
    this.cryptoHeld -= conn.heldBytes();
    conn.release();
    this.live.delete(conn);
    this.bySerial[conn.serial] = undefined;
  }

  /** Client port changes (migration, NAT rebinding) found through a known CID. */
  private trackPath(conn: QuicConnection, fromServer: boolean, ctx: Ctx): void {
    const cAddr = fromServer ? ctx.dst : ctx.src, cPort = fromServer ? ctx.dstPort : ctx.srcPort;
    const sAddr = fromServer ? ctx.src : ctx.dst, sPort = fromServer ? ctx.srcPort : ctx.dstPort;
    const clientMoved = cAddr !== conn.clientAddr || cPort !== conn.clientPort;
    const serverMoved = sAddr !== conn.serverAddr || sPort !== conn.serverPort;
    if (!clientMoved && !serverMoved) return;
    // the side that moved is usually the client (NAT rebinding, new network); a server moves to its preferred address
    ctx.migratedFrom = clientMoved ? endpoint(conn.clientAddr, conn.clientPort) : endpoint(conn.serverAddr, conn.serverPort);
    conn.clientAddr = cAddr;
    conn.clientPort = cPort;
    conn.serverAddr = sAddr;
    conn.serverPort = sPort;
    conn.migrations++;
    this.conversations.note(conn.conv, 'migration');
    this.registerTuple(conn, ctx);
  }

  // ---- one QUIC packet

  private packet(conn: QuicConnection, fromServer: boolean, h: PacketHeader, index: number, b: Uint8Array,
    ctx: Ctx): void {
    const dir = fromServer ? 1 : 0;
    const ref: QuicPacketRef = {
      packetType: h.type, header: h.long ? 'long' : 'short', dcid: this.log.share(toHex(h.dcid)),
      length: h.end - h.start, indexInDatagram: index, decrypted: false,
    };
    if (h.long) {
      ref.version = versionHex(h.version);
      ref.versionName = quicVersion(h.version).name;
      ref.scid = this.log.share(toHex(h.scid));
      if (h.token && h.type === 'initial') ref.tokenLength = h.token.length;
      if (isGreaseVersion(h.version)) ref.forcingVersionNegotiation = true;
    }
    if (h.issue) ref.issue = h.issue;
    if (index === 0 && ctx.migratedFrom) ref.migratedFrom = ctx.migratedFrom;
    if (fromServer) { if (conn.firstServerTime < 0) conn.firstServerTime = ctx.time; }
    else if (conn.firstClientTime < 0) conn.firstClientTime = ctx.time;

    if (h.long) this.trackIds(conn, fromServer, h, ref, b);
    const row = this.log.append(ctx.frame, index, h.long, h.version, h.type, ref.dcid, ref.scid ?? '', -1);
    if (h.type === 'initial') this.initial(conn, dir, h, b, ref, row);
    this.emit(conn, dir, h, ref, ctx, row);
  }

  /**
   * A 1-RTT packet filling the datagram from `start` (what packet() does for it, without a header object, and
   * with the facts object built only when the timeline keeps it: most of a capture's QUIC packets are these).
   */
  private shortPacket(conn: QuicConnection, fromServer: boolean, b: Uint8Array, start: number, end: number,
    ctx: Ctx): void {
    const dir = fromServer ? 1 : 0;
    // the DCID length tshark assumes: the one the other side chose first
    const want = fromServer ? conn.clientCid?.length ?? 0 : conn.serverCid?.length ?? 0;
    const n = Math.max(0, Math.min(want, end - start - 1));
    const dcid = conn.dcidHex(dir, b, start + 1, start + 1 + n);
    if (fromServer) { if (conn.firstServerTime < 0) conn.firstServerTime = ctx.time; }
    else if (conn.firstClientTime < 0) conn.firstClientTime = ctx.time;
    // the connection remembers its DCID's log id: no lookup in the log's table of every CID for each packet
    let dcidId = conn.dcidLogId[dir];
    if (dcidId < 0) dcidId = conn.dcidLogId[dir] = this.log.idOf(dcid);
    if (this.emptyCidId < 0) this.emptyCidId = this.log.idOf('');
    const row = this.log.appendIds(ctx.frame, 0, false, 0, '1rtt', dcidId, this.emptyCidId, -1);
    const length = end - start;
    const seen = conn.seen1rtt;
    const key = packetKey(row, length);
    if (!seen[dir] && !ctx.migratedFrom && key >= 0) {
      // the facts are all in the log (logKey() finds so for such facts): built from it when read
      seen[dir] = true;
      this.timeline.pushLazy('quic.1rtt', ctx.frame, conn.conv.id, dir, -1, length, this.resolvePacket, key);
    } else {
      let ref: QuicPacketRef | undefined;
      if (!seen[dir] || ctx.migratedFrom) {
        ref = { packetType: '1rtt', header: 'short', dcid, length, indexInDatagram: 0, decrypted: false };
        if (ctx.migratedFrom) ref.migratedFrom = ctx.migratedFrom;
      }
      seen[dir] = true;
      this.timeline.push('quic.1rtt', ctx.frame, conn.conv.id, dir, -1, length, ref);
    }
    if (dir === 0 && !conn.handshakeDoneFrame) this.handshakeCompleted(conn, ctx);
  }

  /** Connection IDs, Retry and Version Negotiation bookkeeping (mirrors what each packet tells about the CIDs). */
  private trackIds(conn: QuicConnection, fromServer: boolean, h: PacketHeader, ref: QuicPacketRef,
    b: Uint8Array): void {
    const sh = toHex(h.scid);
    if (h.type === 'version_negotiation') {
      conn.versionNegotiations++;
      this.conversations.note(conn.conv, 'version_negotiation');
      ref.versions = (h.supportedVersions ?? []).slice(0, 64).map(versionHex);
      return;
    }
    if (!fromServer) {
      if (h.type === 'initial') {
        if (conn.retryPending && h.dcid.length) {
          // The Initial answering a Retry: new keys from the Retry's SCID (RFC 9001 §5.2)
          conn.preRetryDcid = conn.originalDcid;
          conn.restartKeys(h.dcid);
          conn.retryPending = false;
          conn.serverCid = null;
          this.register(conn, 'initial', toHex(h.dcid));
        } else if (conn.versionNegotiations > 0 && h.version !== conn.version && h.version !== 0 &&
          !isGreaseVersion(h.version)) {
          // A new attempt in a version the server offered: new keys, new ClientHello (RFC 9000 §6)
          conn.version = h.version;
          conn.restartKeys(h.dcid);
          this.cryptoHeld -= conn.heldBytes();
          conn.resetHandshake();
          this.register(conn, 'initial', toHex(h.dcid));
        }
      }
      if (h.scid.length && (h.type === 'initial' || h.type === '0rtt' || h.type === 'handshake')) {
        if (!conn.clientCid) conn.clientCid = h.scid.slice();
        if (!conn.clientCids.has(sh)) this.register(conn, 'client', sh);
      }
      if (h.type === '0rtt' && !conn.zeroRtt) {
        conn.zeroRtt = true;
        this.conversations.note(conn.conv, '0rtt');
      }
      if (h.type === 'handshake') conn.clientHandshakeSeen = true;
      return;
    }
    if (h.type === 'retry') {
      conn.retries++;
      conn.retryPending = true;
      this.conversations.note(conn.conv, 'retry');
      const valid = retryTagValid(h.version, conn.originalDcid, b.subarray(h.start, h.end));
      ref.retry = {
        tokenLength: h.token?.length ?? 0, newCid: sh,
        integrity: valid === null || conn.partial ? 'unknown' : valid ? 'valid' : 'invalid',
      };
    }
    if (h.version !== conn.version && h.version !== 0 && h.type !== 'retry' && !isGreaseVersion(conn.version)) {
      conn.negotiatedVersion = h.version; // compatible version negotiation (RFC 9368), e.g. v1 -> v2
    }
    if (h.scid.length) {
      if (!conn.serverCid) conn.serverCid = h.scid.slice();
      if (!conn.serverCids.has(sh)) this.register(conn, 'server', sh);
    }
  }

  /** Decrypts an Initial packet and follows its frames. */
  private initial(conn: QuicConnection, dir: 0 | 1, h: PacketHeader, b: Uint8Array, ref: QuicPacketRef,
    row: number): void {
    const keys = conn.keys(h.version);
    if (!keys || h.pnOffset < 0) return;
    // the plaintext goes to scratch space: frames are handled (CRYPTO data copied) before the next packet
    const r = unprotectPacket(b, h.start, h.pnOffset, h.end, true, dir ? keys.server : keys.client,
      conn.largestPn[dir][Space.INITIAL], this.plaintext);
    if (!r?.payload) return;
    conn.largestPn[dir][Space.INITIAL] = Math.max(conn.largestPn[dir][Space.INITIAL], r.packetNumber);
    ref.decrypted = true;
    ref.packetNumber = r.packetNumber;
    const parsed = parseFrames(r.payload);
    ref.frameTypes = this.log.setPacket(row, r.packetNumber, parsed.types);
    if (parsed.issue) ref.issue = parsed.issue;
    for (const f of parsed.frames) this.frame(conn, dir, f, ref, row);
  }

  private frame(conn: QuicConnection, dir: 0 | 1, f: QuicFrame, ref: QuicPacketRef, row: number): void {
    switch (f.type) {
      case 0x02: case 0x03:
        if ('ranges' in f) ref.acked = f.ranges.slice(0, 16);
        return;
      case 0x06:
        if ('data' in f && 'offset' in f) {
          (ref.crypto ??= []).push([f.offset, f.data.length]);
          this.cryptoData(conn, dir, f.offset, f.data, ref, row);
        }
        return;
      case 0x07:
        if ('token' in f) ref.newToken = f.token.length;
        return;
      case 0x18:
        if ('cid' in f && f.cid.length) this.register(conn, dir ? 'server' : 'client', toHex(f.cid));
        return;
      case 0x1c: case 0x1d:
        if ('reason' in f) {
          ref.close = {
            error: f.error, application: f.type === 0x1d, reason: f.reason.slice(0, 256),
            name: f.type === 0x1d ? `application error 0x${f.error.toString(16)}` : transportErrorName(f.error),
          };
          if (f.frameType !== undefined) ref.close.frameType = f.frameType;
        }
        return;
      default:
    }
  }

  private cryptoData(conn: QuicConnection, dir: 0 | 1, offset: number, data: Uint8Array, ref: QuicPacketRef,
    row: number): void {
    const stream = conn.crypto[dir];
    const repeated = offset + data.length <= stream.deliveredOffset;
    ref.cryptoRepeated = repeated && ref.cryptoRepeated !== false;
    if (repeated) return;
    if (this.cryptoHeld + data.length > this.cryptoBudget) return; // bounded memory: this data is not reassembled
    const before = stream.heldBytes;
    const msgs = stream.add(offset, data);
    this.cryptoHeld += stream.heldBytes - before;
    for (const m of msgs) {
      const name = handshakeTypeName(m.type);
      (ref.tls ??= []).push(name);
      if (m.type === 1 && dir === 0) this.clientHello(conn, m.body, ref, row);
      else if (m.type === 2 && dir === 1) this.serverHello(conn, m.body, ref);
    }
  }

  private clientHello(conn: QuicConnection, body: Uint8Array, ref: QuicPacketRef, row: number): void {
    const ch = parseClientHello(body);
    // kept by the facts, the JSON log and the connection: one copy for every connection that repeats them
    if (ch.alpn) ch.alpn = shareList(ch.alpn);
    ref.sni = ch.sni;
    ref.alpn = ch.alpn;
    if (ch.sni !== undefined || ch.alpn) this.log.setHello(row, ch.sni, ch.alpn);
    try { ref.ja4 = ja4(ch, 'q').ja4; } catch { /* a fingerprint is optional */ }
    if (ch.quicTransportParameters) {
      const draft = ch.extensions.some((e) => e.type === TP_EXTENSION_DRAFT) &&
        quicVersion(conn.version).draft > 0 && quicVersion(conn.version).draft < 27;
      const tp = parseTransportParameters(ch.quicTransportParameters, draft);
      conn.clientParams = tp;
      ref.transportParameters = tp.byName;
      const scid = tp.byName['initial_source_connection_id'];
      if (typeof scid === 'string' && scid && !conn.clientCids.has(scid)) this.register(conn, 'client', scid);
    }
    if (ch.sni !== undefined) conn.sni = ch.sni;
    if (ch.alpn) conn.alpn = ch.alpn;
    if (conn.sni) conn.conv.title = ['QUIC ', conn.sni].join(''); // join: one flat string, not a rope
    if (!ch.extensions.some((e) => e.type === ExtensionType.EARLY_DATA)) return;
    this.conversations.note(conn.conv, 'early_data_offered');
  }

  private serverHello(conn: QuicConnection, body: Uint8Array, ref: QuicPacketRef): void {
    const sh = parseServerHello(body);
    if (sh.alpn) sh.alpn = shareList(sh.alpn);
    if (sh.helloRetryRequest) {
      conn.helloRetryRequests++;
      ref.helloRetryRequest = true;
      this.conversations.note(conn.conv, 'hello_retry_request');
      if (ref.tls) ref.tls[ref.tls.length - 1] = 'hello_retry_request';
      return;
    }
    conn.cipherSuite = sh.cipherSuite;
    conn.tlsVersion = sh.version;
    ref.cipherSuite = cipherSuiteName(sh.cipherSuite);
    ref.tlsVersion = versionName(sh.version);
    if (sh.alpn) conn.serverAlpn = sh.alpn;
  }

  // ---- timeline

  private emit(conn: QuicConnection, dir: 0 | 1, h: PacketHeader, ref: QuicPacketRef, ctx: Ctx, row: number): void {
    const conv = conn.conv.id;
    const pn = ref.packetNumber ?? -1;
    const kind: EventKind = KIND[h.type];
    // 1-RTT and 0-RTT can be most of a capture: only the first per direction carries a ref
    const seen = h.type === '1rtt' ? conn.seen1rtt : h.type === '0rtt' ? conn.seen0rtt : null;
    const withRef = !seen || !seen[dir] || ref.migratedFrom !== undefined;
    if (seen) seen[dir] = true;
    const key = withRef ? this.logKey(ref, row) : -1;
    if (key >= 0) {
      this.timeline.pushLazy(kind, ctx.frame, conv, dir, pn, ref.length, this.resolvePacket, key);
    } else {
      if (withRef) {
        // kept for the whole capture: the handshake message names as one shared list per distinct list, and the
        // CRYPTO ranges without the spare capacity push() left (an array grown by push holds 17 slots)
        if (ref.tls) ref.tls = shareList(ref.tls);
        if (ref.crypto) ref.crypto = ref.crypto.slice();
      }
      this.timeline.push(kind, ctx.frame, conv, dir, pn, ref.length, withRef ? ref : undefined);
    }
    if (ref.close) {
      conn.closed = true;
      this.timeline.push('quic.connection_close', ctx.frame, conv, dir, ref.close.error, ref.close.application ? 1 : 0,
        ref.close);
    }
    if (h.type === '1rtt' && dir === 0 && !conn.handshakeDoneFrame) this.handshakeCompleted(conn, ctx);
  }

  /**
   * The packet's facts are only what the packet log keeps (most Handshake packets, the first 1-RTT packet each way):
   * the event's ref is then built from the log when read (PacketLog.packetRef) instead of kept as an object. Returns
   * the event's key for resolvePacket then, else -1.
   */
  private logKey(ref: QuicPacketRef, row: number): number {
    if (ref.decrypted || ref.indexInDatagram >= 255) return -1;
    let keys = 0;
    for (const k in ref) {
      if (!BASE_KEYS.has(k)) return -1;
      keys++;
    }
    return keys === (ref.header === 'long' ? 9 : 6) ? packetKey(row, ref.length) : -1;
  }

  private readonly resolvePacket = (key: number): unknown => packetOfKey(this.log, key);

  /** The client's first 1-RTT packet: from its side the handshake is complete (RFC 9001 §4.1.1). */
  private handshakeCompleted(conn: QuicConnection, ctx: Ctx): void {
    conn.handshakeDoneFrame = ctx.frame;
    // Initial keys are discarded once Handshake keys are in use (RFC 9001 §4.9.1): free what waits to be reassembled
    this.cryptoHeld -= conn.heldBytes();
    conn.crypto[0].release();
    conn.crypto[1].release();
    conn.dropKeys(); // derived again should a late Initial come
    const roundTrips = 1 + conn.retries + conn.versionNegotiations + conn.helloRetryRequests;
    const start = conn.firstClientTime >= 0 ? conn.firstClientTime : ctx.time;
    const ref: QuicHandshakeRef = {
      roundTrips, retries: conn.retries, versionNegotiations: conn.versionNegotiations,
      helloRetryRequests: conn.helloRetryRequests,
      rtt: conn.firstServerTime >= 0 && conn.firstClientTime >= 0 && conn.firstServerTime >= conn.firstClientTime
        ? conn.firstServerTime - conn.firstClientTime : null,
      seconds: ctx.time - start, zeroRtt: conn.zeroRtt, sni: conn.sni, alpn: conn.alpn,
      version: quicVersion(conn.negotiatedVersion || conn.version).name,
    };
    this.timeline.push('quic.handshake_completed', ctx.frame, conn.conv.id, Dir.CLIENT_TO_SERVER, roundTrips,
      ref.seconds, ref);
  }
}

/** The timeline key of a packet event built from the log when read: its log row and its length (-1: none fits). */
function packetKey(row: number, length: number): number {
  return row >= 0 && length < 65536 ? row * 65536 + length : -1;
}

/** The facts of the packet event with this packetKey(). */
function packetOfKey(log: PacketLog, key: number): ReturnType<PacketLog['packetRef']> {
  return log.packetRef(Math.floor(key / 65536), key % 65536);
}

/** The keys of a packet's facts that PacketLog.packetRef rebuilds (the first six for a short header). */
const BASE_KEYS = new Set(['packetType', 'header', 'dcid', 'length', 'indexInDatagram', 'decrypted', 'version',
  'versionName', 'scid']);

const KIND: Record<PacketHeader['type'], EventKind> = {
  initial: 'quic.initial', '0rtt': 'quic.0rtt', handshake: 'quic.handshake', retry: 'quic.retry',
  version_negotiation: 'quic.version_negotiation', '1rtt': 'quic.1rtt',
};
