// Facts of tls.client_hello, tls.server_hello and tls.handshake_completed events, built when read
// (Timeline.pushLazy) rather than kept as an object per event for the whole capture. A capture's handshakes repeat
// a handful of combinations (versions, suites, ALPN, fingerprints...): those are stored once as a template, and a
// row keeps its template, its SNI and its one unshared number (~20 bytes instead of ~100–130 per object).
// A resolved object has the same keys, in the same order, with the same values as the one pushed before.
import type { ClientHelloFacts, HandshakeCompletedFacts, ServerHelloFacts } from './analyzer';
import { resized } from '../columns';

const KIND_CLIENT_HELLO = 0, KIND_SERVER_HELLO = 1, KIND_COMPLETED = 2;
/** Kind flag: the completed handshake has no duration. */
const NO_DURATION = 4;
/** At most this many templates are remembered (a capture of endlessly varied hellos gets no more sharing). */
export const TEMPLATE_LIMIT = 65536;

/** Numbers string lists by identity (equal offers share one list object), for template keys. */
export class ListIds {
  private ids = new Map<readonly string[], number>();
  private next = 0;

  id(list: readonly string[] | undefined): number {
    if (!list) return -1;
    let id = this.ids.get(list);
    if (id === undefined) {
      id = this.next++; // unique even when not remembered: then it shares no template
      if (this.ids.size < TEMPLATE_LIMIT) this.ids.set(list, id);
    }
    return id;
  }

  /** Drops the table (end of input); lists seen later get new numbers. */
  forget(): void {
    this.ids = new Map();
  }
}

export type HelloTemplate = Omit<ClientHelloFacts, 'sni'>;
type CompletedTemplate = Omit<HandshakeCompletedFacts, 'sni' | 'duration'>;

export class TlsFactStore {
  private count = 0;
  private kind = new Uint8Array(0);
  private template = new Int32Array(0);
  private num = new Float64Array(0);
  private sni: (string | undefined)[] = [];
  private readonly hellos: HelloTemplate[] = [];
  private readonly servers: ServerHelloFacts[] = [];
  private readonly completed: CompletedTemplate[] = [];
  private ids = new Map<string, number>();
  private readonly lists = new ListIds();
  /** For Timeline.pushLazy: the facts of a row. */
  readonly resolve = (row: number): unknown => this.facts(row);

  /** The row (timeline key) of a ClientHello whose facts but the SNI are `template`'s (from clientHelloTemplate). */
  clientHelloRow(template: number, sni: string | undefined): number {
    return this.add(KIND_CLIENT_HELLO, template, sni, 0);
  }

  /** The template of a ClientHello's facts without the SNI (the same one for the same facts). */
  clientHelloTemplate(f: HelloTemplate): number {
    const l = this.lists;
    const key = ['c', l.id(f.alpn), l.id(f.versions), f.legacyVersion, f.cipherSuites, l.id(f.groups),
      l.id(f.keyShareGroups), f.ja3 ?? '-', f.ja4 ?? '-', f.sslv2 ?? '-', f.attempt, f.resumption ?? '-',
      f.earlyData ?? '-'].join('|');
    return this.intern(key, this.hellos, (): HelloTemplate => ({
      alpn: f.alpn, versions: f.versions, legacyVersion: f.legacyVersion, cipherSuites: f.cipherSuites,
      groups: f.groups, keyShareGroups: f.keyShareGroups, ja3: f.ja3, ja4: f.ja4, sslv2: f.sslv2,
      attempt: f.attempt, resumption: f.resumption, earlyData: f.earlyData,
    }));
  }

  serverHello(f: ServerHelloFacts): number {
    // the ALPN (free text) last: the key's fixed fields cannot contain '|'
    const key = ['s', f.version, f.versionName, f.cipherSuite, f.cipherName, f.helloRetryRequest, f.group ?? '-',
      f.resumed ?? '-', f.alpn === undefined ? '-' : '=' + f.alpn].join('|');
    const t = this.intern(key, this.servers, (): ServerHelloFacts => ({
      version: f.version, versionName: f.versionName, cipherSuite: f.cipherSuite, cipherName: f.cipherName,
      alpn: f.alpn, helloRetryRequest: f.helloRetryRequest, group: f.group, resumed: f.resumed,
    }));
    return this.add(KIND_SERVER_HELLO, t, undefined, 0);
  }

  handshakeCompleted(f: HandshakeCompletedFacts): number {
    const key = ['h', f.version, f.versionName, f.cipherSuite ?? '-', f.cipherName ?? '-', f.roundTrips,
      f.helloRetryRequests, f.resumed, f.mutualTls, f.alpn === undefined ? '-' : '=' + f.alpn].join('|');
    const t = this.intern(key, this.completed, (): CompletedTemplate => ({
      version: f.version, versionName: f.versionName, cipherSuite: f.cipherSuite, cipherName: f.cipherName,
      alpn: f.alpn, roundTrips: f.roundTrips, helloRetryRequests: f.helloRetryRequests, resumed: f.resumed,
      mutualTls: f.mutualTls,
    }));
    const none = f.duration === undefined;
    return this.add(KIND_COMPLETED | (none ? NO_DURATION : 0), t, f.sni, none ? 0 : f.duration!);
  }

  /** End of input: the lookup tables and the unused capacity go (rows are only read from now on). */
  compact(): void {
    this.ids = new Map();
    this.lists.forget();
    if (this.kind.length > this.count) this.resize(this.count);
    this.sni = this.sni.slice(); // without the spare slots push() grew
  }

  private facts(row: number): ClientHelloFacts | ServerHelloFacts | HandshakeCompletedFacts | undefined {
    if (!(row >= 0 && row < this.count)) return undefined;
    const k = this.kind[row], t = this.template[row];
    switch (k & 3) {
      case KIND_CLIENT_HELLO: {
        const h = this.hellos[t];
        return {
          sni: this.sni[row], alpn: h.alpn, versions: h.versions, legacyVersion: h.legacyVersion,
          cipherSuites: h.cipherSuites, groups: h.groups, keyShareGroups: h.keyShareGroups, ja3: h.ja3, ja4: h.ja4,
          sslv2: h.sslv2, attempt: h.attempt, resumption: h.resumption, earlyData: h.earlyData,
        };
      }
      case KIND_SERVER_HELLO: {
        const s = this.servers[t];
        return {
          version: s.version, versionName: s.versionName, cipherSuite: s.cipherSuite, cipherName: s.cipherName,
          alpn: s.alpn, helloRetryRequest: s.helloRetryRequest, group: s.group, resumed: s.resumed,
        };
      }
      default: {
        const c = this.completed[t];
        return {
          version: c.version, versionName: c.versionName, cipherSuite: c.cipherSuite, cipherName: c.cipherName,
          sni: this.sni[row], alpn: c.alpn, roundTrips: c.roundTrips, helloRetryRequests: c.helloRetryRequests,
          resumed: c.resumed, mutualTls: c.mutualTls, duration: k & NO_DURATION ? undefined : this.num[row],
        };
      }
    }
  }


  private intern<T>(key: string, list: T[], make: () => T): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = list.push(make()) - 1;
      if (this.ids.size < TEMPLATE_LIMIT) this.ids.set(key, id);
    }
    return id;
  }

  private add(kind: number, template: number, sni: string | undefined, num: number): number {
    if (this.count === this.kind.length) this.resize(Math.max(256, this.count * 2));
    const i = this.count++;
    this.kind[i] = kind;
    this.template[i] = template;
    this.num[i] = num;
    this.sni.push(sni);
    return i;
  }

  private resize(cap: number): void {
    const n = this.count;
    this.kind = resized(this.kind, cap, n); this.template = resized(this.template, cap, n);
    this.num = resized(this.num, cap, n);
  }
}
