// TLS over TCP: the record layer of each direction, handshake messages reassembled across records, and the story
// of each handshake (hellos, certificates, who asked whom for what, when it completed) on the timeline.
// TCP stops feeding a direction (onData returns false) once everything after it is encrypted.
import { grown } from '../columns';
import type { TlsJson } from '../analysis-json';
import type { ConversationTable } from '../conversations';
import type { Conversation } from '../model';
import type { Timeline } from '../timeline';
import {
  asciiText, parseAlpn, parseClientHello, parseServerHello, parseSslv2ClientHello, type ClientHello, type ServerHello,
} from './hello';
import { TlsFactStore } from './fact-store';
import { HelloProfiles, type HelloProfile } from './hello-profile';
import { TlsJsonLog } from './json-log';
import { KeyLog } from './keylog';
import {
  parseCertificateMessage, parseCertificateRequest, parseNewSessionTicket, parseServerKeyExchange,
} from './messages';
import { alertName, cipherSuiteName, groupName, handshakeTypeName, isTls13, versionName } from './names';
import { equalBytes, hex, hex4 } from './reader';
import { shareList, shareString } from './shared-values';
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
  /** The last ClientHello's SNI and session id (all a later message needs of it). */
  helloSni?: string;
  helloSessionId?: Uint8Array;
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
  private readonly json = new TlsJsonLog();
  /** Facts of the hello and completion events, built when read. */
  private readonly facts = new TlsFactStore();
  /** What each distinct ClientHello offer derives to (fingerprints, version and group lists). */
  private readonly profiles = new HelloProfiles();
  /** Conversation titles by SNI: one string for all the connections to a name. */
  private titles = new Map<string, string>();
  private readonly timeline: Timeline;
  private readonly conversations: ConversationTable;
  /** ClientHellos seen by client random, for key log lines that arrive later. */
  private readonly byRandom = new Map<string, KeyTarget>();

  /** The session and segment onData is handling, for recordSink (one callback for every call, no closure each). */
  private cur: Session | null = null;
  private curDir: 0 | 1 = 0;
  private curTime = 0;
  private readonly recordSink = (rec: TlsRecord): boolean => this.onRecord(this.cur!, this.curDir, rec, this.curTime);

  constructor(ctx: TlsContext) {
    this.timeline = ctx.timeline;
    this.conversations = ctx.conversations;
  }

  onData(conv: Conversation, dir: 0 | 1, data: Uint8Array, frame: number, time: number): boolean {
    const s = this.session(conv);
    const d = s.dirs[dir];
    if (d.stopped) return false;
    this.cur = s; this.curDir = dir; this.curTime = time;
    const more = d.records.push(data, frame, this.recordSink);
    this.cur = null;
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
    // key log lines come from the capture (or before it): none can arrive for a hello once the input has ended
    this.byRandom.clear();
    this.titles = new Map();
    this.profiles.clear();
    this.json.compact();
    this.facts.compact();
  }

  toJson(): TlsJson[] {
    return this.json.toJson();
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
        sni: s.helloSni, alpn: s.serverHello?.alpn?.[0], roundTrips, helloRetryRequests: s.hrr,
        resumed: s.resumed, mutualTls: s.certificateRequested,
        duration: s.clientHellos ? Math.max(0, time - s.firstHelloTime) : undefined,
      };
      this.timeline.pushLazy('tls.handshake_completed', frame, s.conv.id, dir, s.version ?? 0, roundTrips,
        this.facts.resolve, this.facts.handshakeCompleted(f));
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
      d.hs = grown(d.hs, d.hsLen + payload.length);
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

  private addJson(s: Session, frame: number, type: number, extra?: Partial<TlsJson>): void {
    this.json.add(frame, s.conv.tcpStream, type, extra);
  }

  /** One complete cleartext handshake message. Returns false when this direction needs nothing more. */
  private onMessage(s: Session, dir: 0 | 1, type: number, body: Uint8Array, frame: number, time: number): boolean {
    switch (type) {
      case 1: {
        // a cleanly formed hello whose offer was seen before: read in place, no ClientHello objects
        const p = this.profiles.scan(body);
        if (p) this.onScannedHello(s, dir, p, body, frame, time);
        else this.onClientHello(s, dir, parseClientHello(body), frame, time);
        return true;
      }
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
    const alpn = h.alpn ? shareList(h.alpn) : undefined;
    // many connections name the same server: one string for all of them (facts, JSON rows, titles)
    const sni = h.sni !== undefined ? shareString(h.sni) : undefined;
    this.hello(s, dir, this.profiles.of(h), sni, alpn, h.sessionId, h.random, h.preSharedKey !== undefined,
      h.earlyData, h.sslv2, frame, time);
  }

  /** A ClientHello found by HelloProfiles.scan(): the same as parsing it, from the offsets scan() noted. */
  private onScannedHello(s: Session, dir: 0 | 1, p: HelloProfile, body: Uint8Array, frame: number, time: number): void {
    const sc = this.profiles.scanned;
    const sni = sc.sniStart >= 0 ? shareString(asciiText(body.subarray(sc.sniStart, sc.sniStart + sc.sniLength)))
      : undefined;
    let alpn: string[] | undefined;
    if (sc.alpnStart >= 0) {
      const raw = body.subarray(sc.alpnStart, sc.alpnEnd);
      if (!p.alpnRaw || !equalBytes(p.alpnRaw, raw)) {
        p.alpnRaw = raw.slice();
        p.alpnList = shareList(parseAlpn(raw).list);
      }
      alpn = p.alpnList;
    }
    this.hello(s, dir, p, sni, alpn, body.subarray(sc.sessionStart, sc.sessionStart + sc.sessionLength),
      body.subarray(2, 34), sc.preSharedKey, sc.earlyData, false, frame, time);
  }

  /** A ClientHello: `sessionId` and `random` are views valid during the call. */
  private hello(s: Session, dir: 0 | 1, p: HelloProfile, sni: string | undefined, alpn: string[] | undefined,
    sessionId: Uint8Array, random: Uint8Array, preSharedKey: boolean, earlyDataExt: boolean, sslv2: boolean,
    frame: number, time: number): void {
    if (s.clientHellos === 0) { s.firstHelloTime = time; s.clientDir = dir; }
    s.clientHellos++;
    s.helloSni = sni;
    // kept for the ServerHello's resumption check
    s.helloSessionId = sessionId.slice();
    // the JSON row's fields after the SNI, in the contract's order (a template shared by the rows that repeat them)
    if (p.jsonTemplate < 0 || p.jsonAlpn !== alpn) {
      const entry: Partial<TlsJson> = {};
      if (alpn) entry.alpn = alpn;
      if (p.supportedVersionsHex) entry.supportedVersions = p.supportedVersionsHex;
      if (p.ja3) entry.ja3 = p.ja3;
      if (p.ja4) entry.ja4 = p.ja4;
      p.jsonTemplate = this.json.template(1, entry);
      p.jsonAlpn = alpn;
    }
    this.json.addRow(frame, s.conv.tcpStream, 1, sni, p.jsonTemplate);
    const resumption = preSharedKey || (sessionId.length > 0 && !p.offers13) || undefined;
    const earlyData = earlyDataExt || undefined;
    const flags = (resumption ? 1 : 0) | (earlyData ? 2 : 0);
    if (p.factsTemplate < 0 || p.factsAlpn !== alpn || p.factsAttempt !== s.clientHellos || p.factsFlags !== flags) {
      p.factsTemplate = this.facts.clientHelloTemplate({
        alpn, versions: p.versions, legacyVersion: p.legacyVersion, cipherSuites: p.cipherSuites,
        groups: p.groups, keyShareGroups: p.keyShareGroups, ja3: p.ja3, ja4: p.ja4, sslv2: sslv2 || undefined,
        attempt: s.clientHellos, resumption, earlyData,
      });
      p.factsAlpn = alpn;
      p.factsAttempt = s.clientHellos;
      p.factsFlags = flags;
    }
    this.timeline.pushLazy('tls.client_hello', frame, s.conv.id, dir, p.maxOffered, p.cipherSuites,
      this.facts.resolve, this.facts.clientHelloRow(p.factsTemplate, sni));
    s.conv.app = 'tls';
    s.conv.title = sni ? this.title(sni) : 'TLS';
    if (s.clientHellos === 1 && random.length === 32) {
      const r = hex(random);
      const target: KeyTarget = { convId: s.conv.id, clientDir: dir, helloFrame: frame, reported: false };
      this.byRandom.set(r, target);
      if (this.keys.labels(r).length) this.reportKeys(r, target, frame);
    }
  }

  private title(sni: string): string {
    let t = this.titles.get(sni);
    if (t === undefined) {
      t = ['TLS ', sni].join(''); // join: one flat string, not a rope
      if (this.titles.size >= 8192) this.titles.clear();
      this.titles.set(sni, t);
    }
    return t;
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
    const sid = s.helloSessionId;
    const resumed = !h.helloRetryRequest && (isTls13(h.version)
      ? h.selectedIdentity !== undefined
      : h.sessionId.length > 0 && !!sid && equalBytes(sid, h.sessionId));
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
    this.timeline.pushLazy('tls.server_hello', frame, s.conv.id, dir, h.version, h.cipherSuite, this.facts.resolve,
      this.facts.serverHello(f));
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
