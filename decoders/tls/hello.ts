// ClientHello and ServerHello bodies (RFC 8446 §4.1, RFC 5246 §7.4.1), shared by TLS over TCP and QUIC's CRYPTO
// frames. Pure functions over the handshake body (without the 4-byte handshake header); they never throw: whatever
// could not be read is listed in `problems` and `truncated` says the bytes ended early.
import { ByteReader } from './reader';

export const ExtensionType = {
  SERVER_NAME: 0, MAX_FRAGMENT_LENGTH: 1, STATUS_REQUEST: 5, SUPPORTED_GROUPS: 10, EC_POINT_FORMATS: 11,
  SIGNATURE_ALGORITHMS: 13, USE_SRTP: 14, HEARTBEAT: 15, ALPN: 16, SCT: 18, PADDING: 21, ENCRYPT_THEN_MAC: 22,
  EXTENDED_MASTER_SECRET: 23, COMPRESS_CERTIFICATE: 27, RECORD_SIZE_LIMIT: 28, SESSION_TICKET: 35,
  PRE_SHARED_KEY: 41, EARLY_DATA: 42, SUPPORTED_VERSIONS: 43, COOKIE: 44, PSK_KEY_EXCHANGE_MODES: 45,
  CERTIFICATE_AUTHORITIES: 47, OID_FILTERS: 48, POST_HANDSHAKE_AUTH: 49, SIGNATURE_ALGORITHMS_CERT: 50,
  KEY_SHARE: 51, QUIC_TRANSPORT_PARAMETERS: 57, QUIC_TRANSPORT_PARAMETERS_DRAFT: 0xffa5,
  ENCRYPTED_CLIENT_HELLO: 0xfe0d, RENEGOTIATION_INFO: 0xff01,
} as const;

/** SHA-256("HelloRetryRequest"): the ServerHello.random that marks a HelloRetryRequest (RFC 8446 §4.1.3). */
export const HRR_RANDOM = new Uint8Array([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** GREASE values (RFC 8701): 0x?a?a with both bytes equal, for versions, suites, extensions, groups, sigalgs. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

export interface TlsExtension {
  type: number;
  /** Declared length of the extension data. */
  length: number;
  /** The data as present (shorter than `length` when the hello was cut). */
  data: Uint8Array;
  grease: boolean;
}

interface HelloCommon {
  /** legacy_version (the version field of the hello itself). */
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  /** Every extension in wire order. */
  extensions: TlsExtension[];
  /** What could not be decoded, with byte offsets within the body. */
  problems: string[];
  /** The body ended before the hello did. */
  truncated: boolean;
}

export interface ClientHello extends HelloCommon {
  cipherSuites: number[];
  compressionMethods: number[];
  /** First host_name of server_name. */
  sni?: string;
  serverNames?: string[];
  alpn?: string[];
  /** supported_versions as listed (GREASE included; see isGrease). */
  supportedVersions?: number[];
  supportedGroups?: number[];
  /** Groups of the key_share entries offered. */
  keyShareGroups?: number[];
  signatureAlgorithms?: number[];
  signatureAlgorithmsCert?: number[];
  pskKeyExchangeModes?: number[];
  preSharedKey?: { identities: number; binders: number; ticketAges: number[] };
  earlyData: boolean;
  ecPointFormats?: number[];
  /** Raw quic_transport_parameters (0x39, or the draft code 0xffa5); QUIC decodes them. */
  quicTransportParameters?: Uint8Array;
  /** This hello came in an SSLv2-format record (RFC 6101 appendix E.2 / RFC 5246 appendix E.2). */
  sslv2: boolean;
}

export interface ServerHello extends HelloCommon {
  cipherSuite: number;
  compressionMethod: number;
  /** supported_versions' selected version, when present. */
  supportedVersion?: number;
  /** The negotiated version: supported_versions when present, else legacy_version. */
  version: number;
  /** random equals HRR_RANDOM (RFC 8446 §4.1.3). */
  helloRetryRequest: boolean;
  /** key_share: the server's group (ServerHello) or the group it asks for (HelloRetryRequest). */
  keyShareGroup?: number;
  alpn?: string[];
  /** pre_shared_key: the identity the server accepted. */
  selectedIdentity?: number;
  /** quic_transport_parameters of an EncryptedExtensions-less (draft) QUIC server, rarely present here. */
  quicTransportParameters?: Uint8Array;
}

/** Bytes of an ASCII field (host names, ALPN ids) as text the way tshark reads them: bytes ≥ 0x80 become U+FFFD. */
export function asciiText(b: Uint8Array): string {
  // one flat string (`s +=` per character keeps a rope of one-character pieces, ~20× the memory, and these
  // names are kept for the whole capture)
  if (b.length <= 1024) {
    let ascii = true;
    for (let i = 0; i < b.length; i++) if (b[i] >= 0x80) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, b as unknown as number[]);
  }
  const parts: string[] = [];
  for (let i = 0; i < b.length; i++) parts.push(b[i] < 0x80 ? String.fromCharCode(b[i]) : '\ufffd');
  return parts.join('');
}

// The lists below read straight from the reader's bytes (ByteReader.skip): what sub() would give, without a reader
// object per list (a ClientHello has a dozen of them, and a capture tens of thousands of hellos).

function u16List(r: ByteReader, lenBytes: 1 | 2): number[] {
  const n = lenBytes === 1 ? r.u8() : r.u16();
  const b = r.bytes;
  let p = r.skip(n);
  const end = r.pos;
  const out: number[] = [];
  for (; end - p >= 2; p += 2) out.push((b[p] << 8) | b[p + 1]);
  if (p !== end) r.overrun = true; // an odd byte left
  return out;
}

function u8List(r: ByteReader): number[] {
  const n = r.u8();
  const b = r.bytes;
  const start = r.skip(n), end = r.pos;
  const out: number[] = [];
  for (let p = start; p < end; p++) out.push(b[p]);
  return out;
}

export function parseAlpn(data: Uint8Array): { list: string[]; bad: boolean } {
  const r = new ByteReader(data);
  const s = r.sub(r.u16());
  const list: string[] = [];
  while (s.left) {
    const n = s.u8();
    const p = s.take(n);
    if (s.overrun) break;
    list.push(asciiText(p));
  }
  return { list, bad: r.overrun || s.overrun };
}

function readExtensions(r: ByteReader, h: HelloCommon): void {
  if (r.left === 0) return; // extensions are optional before TLS 1.2
  const start = r.pos;
  const total = r.u16();
  const s = r.sub(total);
  if (r.overrun) { h.truncated = true; h.problems.push(`extensions: ${total} bytes declared at ${start}, ${s.left} present`); }
  while (s.left) {
    const at = s.pos;
    if (s.left < 4) { h.problems.push(`extension header cut at ${at}`); h.truncated ||= r.overrun; break; }
    const type = s.u16();
    const length = s.u16();
    const data = s.take(length);
    h.extensions.push({ type, length, data, grease: isGrease(type) });
    if (s.overrun) {
      h.truncated ||= r.overrun;
      h.problems.push(`extension ${type} at ${at}: ${length} bytes declared, ${data.length} present`);
      break;
    }
  }
  if (r.left) h.problems.push(`${r.left} bytes after the extensions`);
}

function problem(h: HelloCommon, ext: TlsExtension, what: string): void {
  h.problems.push(`extension ${ext.type} (${what}) is malformed`);
}

export function parseClientHello(body: Uint8Array): ClientHello {
  const r = new ByteReader(body);
  const h: ClientHello = {
    legacyVersion: 0, random: new Uint8Array(0), sessionId: new Uint8Array(0), cipherSuites: [],
    compressionMethods: [], extensions: [], problems: [], truncated: false, earlyData: false, sslv2: false,
  };
  h.legacyVersion = r.u16();
  h.random = r.take(32);
  h.sessionId = r.take(r.u8());
  h.cipherSuites = u16List(r, 2);
  h.compressionMethods = u8List(r);
  if (r.overrun) {
    h.truncated = true;
    h.problems.push('ClientHello ends before its extensions');
    return h;
  }
  readExtensions(r, h);
  for (const ext of h.extensions) decodeClientExtension(h, ext);
  return h;
}

function decodeClientExtension(h: ClientHello, ext: TlsExtension): void {
  switch (ext.type) {
    case ExtensionType.SERVER_NAME: {
      if (ext.data.length === 0) return; // a server's empty acknowledgement; in a ClientHello just nothing
      const r = new ByteReader(ext.data);
      const list = r.sub(r.u16());
      const names: string[] = [];
      while (list.left) {
        const type = list.u8();
        const name = list.take(list.u16());
        if (list.overrun) break;
        if (type === 0) names.push(asciiText(name));
      }
      if (r.overrun || list.overrun) problem(h, ext, 'server_name');
      if (names.length) { h.serverNames = names; h.sni = names[0]; }
      return;
    }
    case ExtensionType.ALPN: {
      const { list, bad } = parseAlpn(ext.data);
      if (bad) problem(h, ext, 'ALPN');
      h.alpn = list;
      return;
    }
    case ExtensionType.SUPPORTED_VERSIONS: {
      const r = new ByteReader(ext.data);
      h.supportedVersions = u16List(r, 1);
      if (r.overrun) problem(h, ext, 'supported_versions');
      return;
    }
    case ExtensionType.SUPPORTED_GROUPS: {
      const r = new ByteReader(ext.data);
      h.supportedGroups = u16List(r, 2);
      if (r.overrun) problem(h, ext, 'supported_groups');
      return;
    }
    case ExtensionType.SIGNATURE_ALGORITHMS: {
      const r = new ByteReader(ext.data);
      h.signatureAlgorithms = u16List(r, 2);
      if (r.overrun) problem(h, ext, 'signature_algorithms');
      return;
    }
    case ExtensionType.SIGNATURE_ALGORITHMS_CERT: {
      const r = new ByteReader(ext.data);
      h.signatureAlgorithmsCert = u16List(r, 2);
      if (r.overrun) problem(h, ext, 'signature_algorithms_cert');
      return;
    }
    case ExtensionType.EC_POINT_FORMATS: {
      const r = new ByteReader(ext.data);
      h.ecPointFormats = u8List(r);
      if (r.overrun) problem(h, ext, 'ec_point_formats');
      return;
    }
    case ExtensionType.PSK_KEY_EXCHANGE_MODES: {
      const r = new ByteReader(ext.data);
      h.pskKeyExchangeModes = u8List(r);
      if (r.overrun) problem(h, ext, 'psk_key_exchange_modes');
      return;
    }
    case ExtensionType.KEY_SHARE: {
      const r = new ByteReader(ext.data);
      const list = r.sub(r.u16());
      const groups: number[] = [];
      while (list.left) {
        const g = list.u16();
        list.skip(list.u16());
        if (list.overrun) break;
        groups.push(g);
      }
      if (r.overrun || list.overrun) problem(h, ext, 'key_share');
      h.keyShareGroups = groups;
      return;
    }
    case ExtensionType.PRE_SHARED_KEY: {
      const r = new ByteReader(ext.data);
      const ids = r.sub(r.u16());
      const ages: number[] = [];
      while (ids.left) {
        ids.take(ids.u16());
        const age = ids.u32();
        if (ids.overrun) break;
        ages.push(age);
      }
      const binders = r.sub(r.u16());
      let nb = 0;
      while (binders.left) {
        binders.take(binders.u8());
        if (binders.overrun) break;
        nb++;
      }
      if (r.overrun || ids.overrun || binders.overrun) problem(h, ext, 'pre_shared_key');
      h.preSharedKey = { identities: ages.length, binders: nb, ticketAges: ages };
      return;
    }
    case ExtensionType.EARLY_DATA:
      h.earlyData = true;
      return;
    case ExtensionType.QUIC_TRANSPORT_PARAMETERS:
    case ExtensionType.QUIC_TRANSPORT_PARAMETERS_DRAFT:
      h.quicTransportParameters = ext.data;
      return;
    default:
  }
}

/** TLS 1.3 drafts before 22 had a ServerHello without session id and compression method. */
function isEarlyDraft(version: number): boolean {
  return (version >> 8) === 0x7f && (version & 0xff) < 22;
}

export function isHrrRandom(random: Uint8Array): boolean {
  if (random.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (random[i] !== HRR_RANDOM[i]) return false;
  return true;
}

export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new ByteReader(body);
  const h: ServerHello = {
    legacyVersion: 0, random: new Uint8Array(0), sessionId: new Uint8Array(0), cipherSuite: 0, compressionMethod: 0,
    extensions: [], problems: [], truncated: false, version: 0, helloRetryRequest: false,
  };
  h.legacyVersion = r.u16();
  h.random = r.take(32);
  const draft = isEarlyDraft(h.legacyVersion);
  if (!draft) h.sessionId = r.take(r.u8());
  h.cipherSuite = r.u16();
  if (!draft) h.compressionMethod = r.u8();
  h.version = h.legacyVersion;
  h.helloRetryRequest = isHrrRandom(h.random);
  if (r.overrun) {
    h.truncated = true;
    h.problems.push('ServerHello ends before its extensions');
    return h;
  }
  readExtensions(r, h);
  for (const ext of h.extensions) {
    switch (ext.type) {
      case ExtensionType.SUPPORTED_VERSIONS: {
        const e = new ByteReader(ext.data);
        h.supportedVersion = e.u16();
        if (e.overrun || e.left) problem(h, ext, 'supported_versions');
        else h.version = h.supportedVersion;
        break;
      }
      case ExtensionType.KEY_SHARE: {
        const e = new ByteReader(ext.data);
        h.keyShareGroup = e.u16(); // HelloRetryRequest: the group alone; ServerHello: group + key
        if (e.overrun) problem(h, ext, 'key_share');
        break;
      }
      case ExtensionType.ALPN: {
        const { list, bad } = parseAlpn(ext.data);
        if (bad) problem(h, ext, 'ALPN');
        h.alpn = list;
        break;
      }
      case ExtensionType.PRE_SHARED_KEY: {
        const e = new ByteReader(ext.data);
        h.selectedIdentity = e.u16();
        if (e.overrun) problem(h, ext, 'pre_shared_key');
        break;
      }
      case ExtensionType.QUIC_TRANSPORT_PARAMETERS:
      case ExtensionType.QUIC_TRANSPORT_PARAMETERS_DRAFT:
        h.quicTransportParameters = ext.data;
        break;
      default:
    }
  }
  return h;
}

/**
 * An SSLv2-format ClientHello (the record that starts with a 2-byte length with the top bit set, then msg type 1),
 * as sent by old clients offering SSLv3/TLS. `record` starts at the 2-byte record header. Cipher specs are 3 bytes;
 * the ones with a zero first byte are TLS suites.
 */
export function parseSslv2ClientHello(record: Uint8Array): ClientHello & { cipherSpecs: number[] } {
  const r = new ByteReader(record);
  const h: ClientHello & { cipherSpecs: number[] } = {
    legacyVersion: 0, random: new Uint8Array(0), sessionId: new Uint8Array(0), cipherSuites: [], cipherSpecs: [],
    compressionMethods: [], extensions: [], problems: [], truncated: false, earlyData: false, sslv2: true,
  };
  const first = r.u8();
  const second = r.u8();
  // 2-byte header (top bit set) or 3-byte header with padding
  const len = first & 0x80 ? ((first & 0x7f) << 8) | second : ((first & 0x3f) << 8) | second;
  if (!(first & 0x80)) r.u8();
  const end = Math.min(record.length, r.pos + len);
  if (r.pos + len > record.length) { h.truncated = true; h.problems.push('SSLv2 record cut short'); }
  const b = new ByteReader(record, r.pos, end);
  const type = b.u8();
  if (type !== 1) h.problems.push(`SSLv2 message type ${type} is not a ClientHello`);
  h.legacyVersion = b.u16();
  const specLen = b.u16();
  const sidLen = b.u16();
  const challengeLen = b.u16();
  const specs = b.sub(specLen);
  while (specs.left >= 3) {
    const s = (specs.u8() << 16) | specs.u16();
    h.cipherSpecs.push(s);
    if (s <= 0xffff) h.cipherSuites.push(s);
  }
  h.sessionId = b.take(sidLen);
  // the challenge is the client random, right-aligned in 32 bytes (RFC 5246 appendix E.2)
  const challenge = b.take(challengeLen);
  const random = new Uint8Array(32);
  random.set(challenge.subarray(Math.max(0, challenge.length - 32)), Math.max(0, 32 - challenge.length));
  h.random = random;
  if (b.overrun) { h.truncated = true; h.problems.push('SSLv2 ClientHello cut short'); }
  return h;
}
