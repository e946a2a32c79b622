// A small DER reader (X.690) and the X.509 fields a user wants to see: subject, issuer, validity, DNS names.
// Never throws: a malformed certificate yields what could be read plus a problem string.

export interface Tlv {
  /** Identifier octet as read (class, constructed bit, tag number < 31), or the high tag number for long forms. */
  tag: number;
  constructed: boolean;
  /** Start of the contents and their end (exclusive) within the buffer. */
  start: number;
  end: number;
  /** Offset just after this element. */
  next: number;
}

/** Reads one TLV at `pos` that must end by `limit`; null when it does not fit or the length is indefinite. */
export function readTlv(b: Uint8Array, pos: number, limit: number): Tlv | null {
  if (pos + 2 > limit) return null;
  const id = b[pos++];
  let tag = id;
  if ((id & 0x1f) === 0x1f) {
    // high tag number form: base-128 digits
    tag = 0;
    for (let i = 0; ; i++) {
      if (pos >= limit || i > 4) return null;
      const c = b[pos++];
      tag = tag * 128 + (c & 0x7f);
      if (!(c & 0x80)) break;
    }
  }
  if (pos >= limit) return null;
  let len = b[pos++];
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > limit) return null; // indefinite length is not DER
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[pos++];
  }
  if (pos + len > limit) return null;
  return { tag, constructed: (id & 0x20) !== 0, start: pos, end: pos + len, next: pos + len };
}

/** The children of a constructed element. */
export function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = t.start;
  while (p < t.end) {
    const c = readTlv(b, p, t.end);
    if (!c) break;
    out.push(c);
    p = c.next;
  }
  return out;
}

export function oidString(b: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.4': 'SN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST',
  '2.5.4.9': 'street', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.12': 'title', '2.5.4.42': 'GN',
  '1.2.840.113549.1.9.1': 'emailAddress', '0.9.2342.19200300.100.1.25': 'DC',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC', '2.5.4.15': 'businessCategory',
};

const latin1 = (b: Uint8Array, s: number, e: number) => {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]);
  return out;
};
const utf8 = new TextDecoder('utf-8', { fatal: false });

function stringValue(b: Uint8Array, t: Tlv): string {
  switch (t.tag) {
    case 0x0c: return utf8.decode(b.subarray(t.start, t.end)); // UTF8String
    case 0x1e: { // BMPString: UTF-16BE
      let s = '';
      for (let i = t.start; i + 1 < t.end; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
      return s;
    }
    default: return latin1(b, t.start, t.end); // Printable, IA5, Teletex, ...
  }
}

/** An X.501 Name as "CN=..., O=..., C=..." in the order of the certificate. */
function nameString(b: Uint8Array, t: Tlv): string {
  const parts: string[] = [];
  for (const rdn of children(b, t)) {
    for (const atv of children(b, rdn)) {
      const [oid, value] = children(b, atv);
      if (!oid || !value || oid.tag !== 0x06) continue;
      const o = oidString(b, oid);
      parts.push(`${ATTRIBUTE_NAMES[o] ?? o}=${stringValue(b, value)}`);
    }
  }
  return parts.join(', ');
}

/** A DER-encoded Name (as in CertificateRequest's certificate_authorities) as "CN=..., O=...". */
export function distinguishedName(der: Uint8Array): string {
  const t = readTlv(der, 0, der.length);
  return t && t.tag === 0x30 ? nameString(der, t) : '';
}

/** UTCTime / GeneralizedTime as ISO 8601 ("2024-01-31T12:00:00Z"), or the raw text when it does not parse. */
function timeString(b: Uint8Array, t: Tlv): string {
  const s = latin1(b, t.start, t.end);
  const m = t.tag === 0x17
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(s);
  if (!m) return s;
  let year = m[1];
  if (t.tag === 0x17) year = (Number(year) >= 50 ? '19' : '20') + year; // RFC 5280 §4.1.2.5.1
  return `${year}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}Z`;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** subjectAltName dNSName entries. */
  dnsNames: string[];
  serial: string;
  /** Self-signed by name (subject equals issuer). */
  selfSigned: boolean;
  problems: string[];
}

/** Subject, issuer, validity and DNS names of a DER X.509 certificate. */
export function parseCertificate(der: Uint8Array): CertificateInfo {
  const info: CertificateInfo = {
    subject: '', issuer: '', notBefore: '', notAfter: '', dnsNames: [], serial: '', selfSigned: false, problems: [],
  };
  const cert = readTlv(der, 0, der.length);
  if (!cert || cert.tag !== 0x30) { info.problems.push('not a DER certificate'); return info; }
  const tbs = children(der, cert)[0];
  if (!tbs || tbs.tag !== 0x30) { info.problems.push('no tbsCertificate'); return info; }
  const f = children(der, tbs);
  let i = 0;
  if (f[i]?.tag === 0xa0) i++; // [0] version
  const serial = f[i++];
  if (serial?.tag === 0x02) {
    let s = '';
    for (let k = serial.start; k < serial.end; k++) s += der[k].toString(16).padStart(2, '0');
    info.serial = s;
  }
  i++; // signature algorithm
  const issuer = f[i++], validity = f[i++], subject = f[i++];
  if (issuer?.tag === 0x30) info.issuer = nameString(der, issuer);
  if (subject?.tag === 0x30) info.subject = nameString(der, subject);
  if (validity?.tag === 0x30) {
    const [nb, na] = children(der, validity);
    if (nb) info.notBefore = timeString(der, nb);
    if (na) info.notAfter = timeString(der, na);
  }
  if (!issuer || !validity || !subject) info.problems.push('tbsCertificate is incomplete');
  // extensions: [3] { SEQUENCE OF Extension }
  const extWrap = f.find((t) => t.tag === 0xa3);
  const extSeq = extWrap && children(der, extWrap)[0];
  if (extSeq) {
    for (const ext of children(der, extSeq)) {
      const parts = children(der, ext);
      if (parts[0]?.tag !== 0x06 || oidString(der, parts[0]) !== '2.5.29.17') continue;
      const octets = parts[parts.length - 1];
      const san = octets && readTlv(der, octets.start, octets.end);
      if (!san) continue;
      for (const gn of children(der, san)) if (gn.tag === 0x82) info.dnsNames.push(latin1(der, gn.start, gn.end));
    }
  }
  info.selfSigned = info.subject !== '' && info.subject === info.issuer;
  return info;
}
