// TLS over TCP: the record layer of each direction, handshake messages reassembled across records, and the story
// of each handshake (hellos, certificates, who asked whom for what, when it completed) on the timeline.
// TCP stops feeding a direction (onData returns false) once everything after it is encrypted.
import type { TlsJson } from '../analysis-json';
import type { ConversationTable } from '../conversations';
import type { Conversation } from '../model';
import type { Timeline } from '../timeline';
import { ja3, ja4 } from './fingerprint';
import { isGrease, parseClientHello, parseServerHello, parseSslv2ClientHello, type ClientHello, type ServerHello } from './hello';
import { KeyLog } from './keylog';
import {
  parseCertificateMessage, parseCertificateRequest, parseNewSessionTicket, parseServerKeyExchange,
} from './messages';
import { alertName, cipherSuiteName, groupName, handshakeTypeName, isTls13, versionName } from './names';
import { hex, hex4 } from './reader';
import { shareList } from './shared-values';

const sharedOrUndefined = (list: string[] | undefined): string[] | undefined => (list ? shareList(list) : undefined);
import { ContentType, RecordStream, type TlsRecord } from './stream';

/** Handshake messages larger than this are not reassembled (certificate chains are far smaller). */
const MAX_HANDSHAKE_MESSAGE = 1 << 20;

export interface TlsContext {
  timeline: Timeline;
  conversations: ConversationTable;
}

/** Facts stored with tls.client_hello events. */
export interface ClientHelloFacts {
  sni?: string;
  alpn?: string[];
  /** Versions offered (supported_versions without GREASE, else the legacy version), as "0x0304". */
  versions: string[];
  legacyVersion: string;
  cipherSuites: number;
  groups?: string[];
  keyShareGroups?: string[];
  ja3?: string;
  ja4?: string;
  sslv2?: boolean;
  resumption?: boolean;
  earlyData?: boolean;
  /** Which ClientHello of the connection (2 after a HelloRetryRequest). */
  attempt: number;
}

export interface ServerHelloFacts {
  version: string;
  versionName: string;
  cipherSuite: string;
  cipherName: string;
  alpn?: string;
  /** Group used (TLS 1.3 key_share) or asked for (HelloRetryRequest). */
  group?: string;
  helloRetryRequest: boolean;
  /** The server resumed the session (TLS ≤ 1.2 echoed session id / 1.3 accepted PSK). */
  resumed?: boolean;
}

export interface CertificateFacts {
  count: number;
  certificates: { subject: string; issuer: string; notBefore: string; notAfter: string; dnsNames: string[] }[];
  fromClient: boolean;
}

export interface CertificateRequestFacts {
  authorities: string[];
  signatureAlgorithms: number;
}

export interface HandshakeMessageFacts {
  type: string;
  length: number;
  fromClient: boolean;
  group?: string;
  keyExchange?: string;
  ticketLifetime?: number;
}

export interface AlertFacts {
  encrypted: boolean;
  level?: 'warning' | 'fatal' | string;
  description?: string;
  fromClient: boolean;
}

export interface HandshakeCompletedFacts {
  version: string;
  versionName: string;
  cipherSuite?: string;
  cipherName?: string;
  sni?: string;
  alpn?: string;
  roundTrips: number;
  helloRetryRequests: number;
  resumed: boolean;
  mutualTls: boolean;
  /** Seconds from the first ClientHello to completion. */
  duration?: number;
}

export interface KeysAvailableFacts {
  clientRandom: string;
  labels: string[];
  clientHelloFrame: number;
}

interface DirState {
  records: RecordStream;
  /** Handshake bytes waiting for the rest of their message. */
  hs: Uint8Array;
  hsLen: number;
  ccs: boolean;
  /** Further handshake records from this side are ciphertext. */
  encrypted: boolean;
  /** This side's Finished has gone by (encrypted), or it is otherwise done with the handshake. */
  finished: boolean;
  finishedFrame: number;
  /** onData returned false: TCP sends nothing more for this side. */
  stopped: boolean;
}

/** What a key log match needs to report on a handshake. */
interface KeyTarget {
  convId: number;
  clientDir: 0 | 1;
  helloFrame: number;
  reported: boolean;
}

interface Session {
  conv: Conversation;
  dirs: [DirState, DirState];
  clientDir: 0 | 1;
  clientHellos: number;
  firstHelloTime: number;
  clientHello?: ClientHello;
  serverHello?: ServerHello;
  hrr: number;
  version?: number;
  cipher?: number;
  resumed: boolean;
  certificateRequested: boolean;
  completed: boolean;
  /** A ServerHello for TLS 1.3 was seen: everything after it is encrypted. */
  tls13: boolean;
}

const EMPTY = new Uint8Array(0);
const newDir = (): DirState => ({
  records: new RecordStream(), hs: EMPTY, hsLen: 0, stopped: false, ccs: false, encrypted: false, finished: false,
  finishedFrame: 0,
});

export class TlsAnalyzer {
  readonly keys = new KeyLog();
  private readonly sessions = new Map<number, Session>();
  private readonly json: TlsJson[] = [];
  private readonly timeline: Timeline;
  private readonly conversations: ConversationTable;
  /** ClientHellos seen by client random, for key log lines that arrive later. */
  private readonly byRandom = new Map<string, KeyTarget>();

  constructor(ctx: TlsContext) {
    this.timeline = ctx.timeline;
    this.conversations = ctx.conversations;
  }

  onData(conv: Conversation, dir: 0 | 1, data: Uint8Array, frame: number, time: number): boolean {
    const s = this.session(conv);
    const d = s.dirs[dir];
    if (d.stopped) return false;
    const more = d.records.push(data, frame, (rec) => this.onRecord(s, dir, rec, time));
    if (!more) {
      d.stopped = true;
      d.hs = EMPTY;
      d.hsLen = 0;
      // both sides done: forget the session (TCP feeds neither side any more), keeping memory flat over big captures
      if (s.dirs[dir ^ 1].stopped) this.sessions.delete(conv.id);
    }
    return more;
  }

  onGap(conv: Conversation, dir: 0 | 1, length: number, _frame: number): void {
    const s = this.session(conv);
    const d = s.dirs[dir];
    d.records.gap(length);
    d.hsLen = 0; // a message cut by the gap cannot be completed
  }

  loadKeyLog(text: string): void {
    for (const random of this.keys.load(text)) {
      const hit = this.byRandom.get(random);
      // keys for a handshake already seen: tell it now (at the latest frame, to keep the timeline in order)
      if (hit && !hit.reported) {
        const last = this.timeline.count ? this.timeline.frame[this.timeline.count - 1] : hit.helloFrame;
        this.reportKeys(random, hit, Math.max(last, hit.helloFrame));
      }
    }
  }

  finish(): void {
    // nothing is pending: incomplete records at the end of a capture are simply not complete messages; the
    // connections still open need no state any more
    this.sessions.clear();
  }

  toJson(): TlsJson[] {
    return this.json.slice().sort((a, b) => a.frame - b.frame);
  }

  private session(conv: Conversation): Session {
    let s = this.sessions.get(conv.id);
    if (!s) {
      s = {
        conv, dirs: [newDir(), newDir()], clientDir: 0, clientHellos: 0, firstHelloTime: 0, hrr: 0, resumed: false,
        certificateRequested: false, completed: false, tls13: false,
      };
      this.sessions.set(conv.id, s);
    }
    return s;
  }

  /** One complete record. Returns false when this direction needs nothing more. */
  private onRecord(s: Session, dir: 0 | 1, rec: TlsRecord, time: number): boolean {
    const d = s.dirs[dir];
    if (rec.sslv2) {
      this.onClientHello(s, dir, parseSslv2ClientHello(rec.raw.slice()), rec.frame, time);
      return true;
    }
    switch (rec.type) {
      case ContentType.CHANGE_CIPHER_SPEC:
        this.timeline.push('tls.change_cipher_spec', rec.frame, s.conv.id, dir);
        d.ccs = true;
        // TLS 1.3's compatibility CCS changes nothing (RFC 8446 §D.4): its encryption starts with the ServerHello.
        // A CCS before any ServerHello, or once 1.3 or a HelloRetryRequest is known, is that one.
        if (!s.tls13 && s.hrr === 0 && s.serverHello) d.encrypted = true;
        return true;
      case ContentType.ALERT:
        return this.onAlert(s, dir, rec);
      case ContentType.HANDSHAKE:
        if (d.encrypted) return this.onEncryptedFinished(s, dir, rec.frame, time);
        return this.onHandshakeRecord(s, dir, rec.payload, rec.frame, time);
      case ContentType.APPLICATION_DATA:
        // TLS 1.3: the client's first encrypted record after the ServerHello carries its Finished
        if (s.tls13 && dir === s.clientDir) return this.onEncryptedFinished(s, dir, rec.frame, time);
        d.finished = true;
        return false; // application data: whatever follows is encrypted
      default:
        return true; // heartbeat
    }
  }

  private onAlert(s: Session, dir: 0 | 1, rec: TlsRecord): boolean {
    const d = s.dirs[dir];
    const p = rec.payload;
    this.conversations.note(s.conv, 'tls alert');
    if (d.encrypted || p.length !== 2) {
      const f: AlertFacts = { encrypted: true, fromClient: dir === s.clientDir };
      this.timeline.push('tls.alert', rec.frame, s.conv.id, dir, -1, -1, f);
      return true;
    }
    const level = p[0] === 1 ? 'warning' : p[0] === 2 ? 'fatal' : `level ${p[0]}`;
    const f: AlertFacts = { encrypted: false, level, description: alertName(p[1]), fromClient: dir === s.clientDir };
    this.timeline.push('tls.alert', rec.frame, s.conv.id, dir, p[0], p[1], f);
    if (p[0] === 2) { d.finished = true; return false; } // a fatal alert ends the connection
    return true;
  }

  /** The first protected handshake record after this side switched keys is its Finished. */
  private onEncryptedFinished(s: Session, dir: 0 | 1, frame: number, time: number): boolean {
    const d = s.dirs[dir];
    d.finished = true;
    d.finishedFrame = frame;
    const other = s.dirs[dir ^ 1];
    if (!s.completed && (other.finished || (s.tls13 && dir === s.clientDir)) && s.serverHello) {
      s.completed = true;
      // an abbreviated (resumed) TLS ≤ 1.2 handshake: the server finished first
      const roundTrips = (s.tls13 || s.resumed ? 1 : 2) + s.hrr;
      const f: HandshakeCompletedFacts = {
        version: hex4(s.version ?? 0), versionName: versionName(s.version ?? 0),
        cipherSuite: s.cipher !== undefined ? hex4(s.cipher) : undefined,
        cipherName: s.cipher !== undefined ? cipherSuiteName(s.cipher) : undefined,
        sni: s.clientHello?.sni, alpn: s.serverHello?.alpn?.[0], roundTrips, helloRetryRequests: s.hrr,
        resumed: s.resumed, mutualTls: s.certificateRequested,
        duration: s.clientHellos ? Math.max(0, time - s.firstHelloTime) : undefined,
      };
      this.timeline.push('tls.handshake_completed', frame, s.conv.id, dir, s.version ?? 0, roundTrips, f);
    }
    return false;
  }

  private onHandshakeRecord(s: Session, dir: 0 | 1, payload: Uint8Array, frame: number, time: number): boolean {
    const d = s.dirs[dir];
    // Messages are cut from the record itself when nothing is pending (the usual case: no copy, no buffer for the
    // direction); only a message continued in a later record is buffered.
    let buf: Uint8Array, n: number;
    if (d.hsLen === 0) {
      buf = payload;
      n = payload.length;
    } else {
      if (d.hsLen + payload.length > d.hs.length) {
        const next = new Uint8Array(Math.max(d.hsLen + payload.length, d.hs.length * 2, 1024));
        next.set(d.hs.subarray(0, d.hsLen));
        d.hs = next;
      }
      d.hs.set(payload, d.hsLen);
      d.hsLen += payload.length;
      buf = d.hs;
      n = d.hsLen;
    }
    let at = 0;
    while (n - at >= 4) {
      const type = buf[at];
      const len = (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
      if (len > MAX_HANDSHAKE_MESSAGE) {
        d.records.stop(`handshake message of ${len} bytes`);
        d.hsLen = 0;
        return false;
      }
      if (n - at < 4 + len) break;
      // a view, valid during the call: what is kept beyond it (a hello's session id) is copied by its handler
      const body = buf.subarray(at + 4, at + 4 + len);
      at += 4 + len;
      const more = this.onMessage(s, dir, type, body, frame, time);
      if (!more) { d.hsLen = 0; return false; }
    }
    if (buf === payload) {
      const left = n - at;
      if (left > 0) {
        if (left > d.hs.length) d.hs = new Uint8Array(Math.max(left, d.hs.length * 2, 1024));
        d.hs.set(payload.subarray(at, n), 0);
        d.hsLen = left;
      }
    } else if (at > 0) {
      d.hs.copyWithin(0, at, d.hsLen);
      d.hsLen -= at;
    }
    if (d.hsLen === 0 && d.hs.length > 65536) d.hs = new Uint8Array(1024); // release a big certificate's buffer
    return true;
  }

  private addJson(s: Session, frame: number, type: number, extra: Partial<TlsJson> = {}): void {
    this.json.push({ frame, tcpStream: s.conv.tcpStream, type: handshakeTypeName(type), ...extra });
  }

  /** One complete cleartext handshake message. Returns false when this direction needs nothing more. */
  private onMessage(s: Session, dir: 0 | 1, type: number, body: Uint8Array, frame: number, time: number): boolean {
    switch (type) {
      case 1:
        this.onClientHello(s, dir, parseClientHello(body), frame, time);
        return true;
      case 2:
        return this.onServerHello(s, dir, parseServerHello(body), frame);
      case 11: {
        const m = parseCertificateMessage(body);
        this.addJson(s, frame, type);
        const f: CertificateFacts = {
          count: m.count, fromClient: dir === s.clientDir,
          certificates: m.certificates.map((c) => ({
            subject: c.subject, issuer: c.issuer, notBefore: c.notBefore, notAfter: c.notAfter, dnsNames: c.dnsNames,
          })),
        };
        this.timeline.push('tls.certificate', frame, s.conv.id, dir, m.count, body.length, f);
        return true;
      }
      case 13: {
        const m = parseCertificateRequest(body, s.version ?? 0x0303);
        s.certificateRequested = true;
        this.addJson(s, frame, type);
        const f: CertificateRequestFacts = { authorities: m.authorities.slice(0, 16), signatureAlgorithms: m.signatureAlgorithms.length };
        this.timeline.push('tls.certificate_request', frame, s.conv.id, dir, m.authorities.length, 0, f);
        return true;
      }
      default: {
        this.addJson(s, frame, type);
        const f: HandshakeMessageFacts = { type: handshakeTypeName(type), length: body.length, fromClient: dir === s.clientDir };
        if (type === 12) {
          const m = parseServerKeyExchange(body, s.version ?? 0x0303);
          f.keyExchange = m.kind;
          if (m.group !== undefined) f.group = groupName(m.group);
        } else if (type === 4) {
          f.ticketLifetime = parseNewSessionTicket(body).lifetimeHint;
        }
        this.timeline.push('tls.handshake_message', frame, s.conv.id, dir, type, body.length, f);
        return true;
      }
    }
  }

  private onClientHello(s: Session, dir: 0 | 1, h: ClientHello, frame: number, time: number): void {
    // the JSON row and the facts keep these: one copy for every hello that repeats them
    if (h.alpn) h.alpn = shareList(h.alpn);
    // kept for the ServerHello's resumption check: the hello's bytes are only valid during this call
    h.sessionId = h.sessionId.slice();
    if (s.clientHellos === 0) { s.firstHelloTime = time; s.clientDir = dir; }
    s.clientHellos++;
    s.clientHello = h;
    const versions = (h.supportedVersions ?? []).filter((v) => !isGrease(v));
    const offered = versions.length ? versions : [h.legacyVersion];
    const j3 = h.sslv2 ? undefined : ja3(h);
    const j4 = h.sslv2 ? undefined : ja4(h, 't').ja4;
    const entry: Partial<TlsJson> = {};
    if (h.sni !== undefined) entry.sni = h.sni;
    if (h.alpn) entry.alpn = h.alpn;
    if (h.supportedVersions) entry.supportedVersions = shareList(h.supportedVersions.map(hex4));
    if (j3) entry.ja3 = j3;
    if (j4) entry.ja4 = j4;
    this.addJson(s, frame, 1, entry);
    const f: ClientHelloFacts = {
      sni: h.sni, alpn: h.alpn, versions: shareList(offered.map(hex4)), legacyVersion: hex4(h.legacyVersion),
      cipherSuites: h.cipherSuites.filter((c) => !isGrease(c)).length,
      groups: sharedOrUndefined(h.supportedGroups?.filter((g) => !isGrease(g)).map(groupName)),
      keyShareGroups: sharedOrUndefined(h.keyShareGroups?.filter((g) => !isGrease(g)).map(groupName)),
      ja3: j3, ja4: j4, sslv2: h.sslv2 || undefined, attempt: s.clientHellos,
      resumption: h.preSharedKey !== undefined || (h.sessionId.length > 0 && !versions.includes(0x0304)) || undefined,
      earlyData: h.earlyData || undefined,
    };
    this.timeline.push('tls.client_hello', frame, s.conv.id, dir, Math.max(...offered), f.cipherSuites, f);
    s.conv.app = 'tls';
    s.conv.title = h.sni ? ['TLS ', h.sni].join('') : 'TLS'; // join: one flat string, not a rope
    if (s.clientHellos === 1 && h.random.length === 32) {
      const random = hex(h.random);
      const target: KeyTarget = { convId: s.conv.id, clientDir: dir, helloFrame: frame, reported: false };
      this.byRandom.set(random, target);
      if (this.keys.labels(random).length) this.reportKeys(random, target, frame);
    }
  }

  private reportKeys(random: string, t: KeyTarget, frame: number): void {
    const labels = this.keys.labels(random);
    if (!labels.length) return;
    t.reported = true;
    const f: KeysAvailableFacts = { clientRandom: random, labels, clientHelloFrame: t.helloFrame };
    this.timeline.push('tls.keys_available', frame, t.convId, t.clientDir, labels.length, 0, f);
  }

  private onServerHello(s: Session, dir: 0 | 1, h: ServerHello, frame: number): boolean {
    if (h.alpn) h.alpn = shareList(h.alpn);
    const entry: Partial<TlsJson> = { cipherSuite: hex4(h.cipherSuite), helloRetryRequest: h.helloRetryRequest };
    if (h.supportedVersion !== undefined) entry.supportedVersions = shareList([hex4(h.supportedVersion)]);
    if (h.alpn) entry.alpn = h.alpn;
    this.addJson(s, frame, 2, entry);
    const ch = s.clientHello;
    const resumed = !h.helloRetryRequest && (isTls13(h.version)
      ? h.selectedIdentity !== undefined
      : h.sessionId.length > 0 && !!ch && ch.sessionId.length === h.sessionId.length && hex(ch.sessionId) === hex(h.sessionId));
    const f: ServerHelloFacts = {
      version: hex4(h.version), versionName: versionName(h.version), cipherSuite: hex4(h.cipherSuite),
      cipherName: cipherSuiteName(h.cipherSuite), alpn: h.alpn?.[0], helloRetryRequest: h.helloRetryRequest,
      group: h.keyShareGroup !== undefined ? groupName(h.keyShareGroup) : undefined, resumed: resumed || undefined,
    };
    if (h.helloRetryRequest) {
      s.hrr++;
      this.timeline.push('tls.hello_retry_request', frame, s.conv.id, dir, h.version, h.keyShareGroup ?? -1, f);
      return true;
    }
    s.serverHello = h;
    s.version = h.version;
    s.cipher = h.cipherSuite;
    s.resumed = resumed;
    this.timeline.push('tls.server_hello', frame, s.conv.id, dir, h.version, h.cipherSuite, f);
    if (isTls13(h.version)) {
      // everything after a TLS 1.3 ServerHello is encrypted, on both sides
      s.tls13 = true;
      s.dirs[dir].encrypted = true;
      s.dirs[dir ^ 1].encrypted = true;
      s.dirs[dir].finished = true;
      return false;
    }
    return true;
  }
}
