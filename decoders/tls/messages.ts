// Cleartext handshake messages other than the hellos (TLS ≤ 1.2, RFC 5246 §7.4), and alerts. Never throw.
import { distinguishedName, parseCertificate, type CertificateInfo } from './der';
import { ByteReader } from './reader';

/** Most certificates we decode per Certificate message (a chain is rarely longer; the rest are only counted). */
const MAX_CERTS = 8;

export interface CertificateMessage {
  count: number;
  certificates: CertificateInfo[];
  problems: string[];
}

/** Certificate: a 24-bit list of 24-bit-length DER certificates (TLS 1.3 adds a context and per-entry extensions). */
export function parseCertificateMessage(body: Uint8Array, tls13 = false): CertificateMessage {
  const r = new ByteReader(body);
  const out: CertificateMessage = { count: 0, certificates: [], problems: [] };
  if (tls13) r.take(r.u8()); // certificate_request_context
  const list = r.sub(r.u24());
  while (list.left) {
    const der = list.take(list.u24());
    if (list.overrun) { out.problems.push('certificate entry cut short'); break; }
    if (tls13) list.take(list.u16()); // per-certificate extensions
    out.count++;
    if (out.certificates.length < MAX_CERTS) out.certificates.push(parseCertificate(der));
  }
  if (r.overrun) out.problems.push('certificate list longer than the message');
  return out;
}

export interface CertificateRequestMessage {
  certificateTypes: number[];
  signatureAlgorithms: number[];
  /** Distinguished names of the CAs the server accepts (decoded when they parse). */
  authorities: string[];
  problems: string[];
}

/** CertificateRequest (TLS ≤ 1.2): types, signature algorithms (1.2 only), acceptable CA names. */
export function parseCertificateRequest(body: Uint8Array, version: number): CertificateRequestMessage {
  const r = new ByteReader(body);
  const out: CertificateRequestMessage = { certificateTypes: [], signatureAlgorithms: [], authorities: [], problems: [] };
  const types = r.sub(r.u8());
  while (types.left) out.certificateTypes.push(types.u8());
  if (version >= 0x0303) {
    const algs = r.sub(r.u16());
    while (algs.left >= 2) out.signatureAlgorithms.push(algs.u16());
  }
  const cas = r.sub(r.u16());
  while (cas.left) {
    const dn = cas.take(cas.u16());
    if (cas.overrun) break;
    out.authorities.push(distinguishedName(dn));
  }
  if (r.overrun || cas.overrun) out.problems.push('CertificateRequest cut short');
  return out;
}

export interface ServerKeyExchangeMessage {
  /** 'ecdhe' when it starts with a named curve, 'dhe' when it parses as (p, g, Ys), else 'unknown'. */
  kind: 'ecdhe' | 'dhe' | 'unknown';
  group?: number;
  /** DHE prime size in bits. */
  dhBits?: number;
  /** TLS 1.2 signature algorithm. */
  signatureAlgorithm?: number;
}

/** ServerKeyExchange: the key exchange parameters are recognised by shape (the suite decides, but this is for display). */
export function parseServerKeyExchange(body: Uint8Array, version: number): ServerKeyExchangeMessage {
  const r = new ByteReader(body);
  if (body.length >= 4 && body[0] === 3) {
    r.u8();
    const group = r.u16();
    r.take(r.u8());
    const out: ServerKeyExchangeMessage = { kind: 'ecdhe', group };
    if (version >= 0x0303 && r.left >= 4) out.signatureAlgorithm = r.u16();
    if (!r.overrun) return out;
  }
  const d = new ByteReader(body);
  const p = d.take(d.u16());
  d.take(d.u16());
  d.take(d.u16());
  if (!d.overrun && p.length) {
    let lead = 0;
    while (lead < p.length && p[lead] === 0) lead++;
    const out: ServerKeyExchangeMessage = { kind: 'dhe', dhBits: (p.length - lead) * 8 };
    if (version >= 0x0303 && d.left >= 4) out.signatureAlgorithm = d.u16();
    return out;
  }
  return { kind: 'unknown' };
}

export interface NewSessionTicketMessage {
  lifetimeHint: number;
  ticketLength: number;
}

export function parseNewSessionTicket(body: Uint8Array): NewSessionTicketMessage {
  const r = new ByteReader(body);
  const lifetimeHint = r.u32();
  const ticketLength = r.u16();
  return { lifetimeHint, ticketLength };
}
