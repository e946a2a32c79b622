// Record data by type: addresses, names, MX, SOA, TXT, SRV, OPT (EDNS options incl. client subnet), SVCB/HTTPS, CAA,
// DNSSEC types; anything else as hex. `b` is the whole message (names in the data may point anywhere in it).
import { ipv4String, ipv6String } from '../wire/addresses';
import { formatLabel, readName } from './name';
import { DNSSEC_ALGORITHMS, EDNS_OPTIONS, SVC_PARAM_KEYS, rrTypeName } from './names';

export interface EdnsOption {
  code: number;
  name: string;
  length: number;
  clientSubnet?: { family: number; sourcePrefix: number; scopePrefix: number; address: string };
  /** RFC 8914 extended DNS error. */
  extendedError?: { code: number; text: string };
}

export type Rdata =
  | { kind: 'address'; address: string }
  | { kind: 'name'; name: string }
  | { kind: 'mx'; preference: number; exchange: string }
  | { kind: 'soa'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { kind: 'txt'; strings: string[] }
  | { kind: 'srv'; priority: number; weight: number; port: number; target: string }
  | { kind: 'opt'; options: EdnsOption[] }
  | { kind: 'svcb'; priority: number; target: string; params: { key: number; name: string; value: string }[] }
  | { kind: 'caa'; flags: number; tag: string; value: string }
  | { kind: 'ds'; keyTag: number; algorithm: number; digestType: number; digest: string }
  | { kind: 'dnskey'; flags: number; protocol: number; algorithm: number; keyBytes: number }
  | { kind: 'rrsig'; typeCovered: number; algorithm: number; labels: number; originalTtl: number; expiration: number;
      inception: number; keyTag: number; signer: string }
  | { kind: 'nsec'; next: string; types: number[] }
  | { kind: 'nsec3'; algorithm: number; flags: number; iterations: number; salt: string; nextHashed: string; types: number[] }
  | { kind: 'raw'; hex: string };

export interface RdataResult {
  text?: string;
  rdata?: Rdata;
  problem?: string;
}

const NAME_TYPES = new Set([2, 3, 4, 5, 7, 8, 9, 12, 39]); // NS MD MF CNAME MB MG MR PTR DNAME

const hexOf = (b: Uint8Array, s: number, e: number, max = 64) => {
  let out = '';
  for (let i = s; i < Math.min(e, s + max); i++) out += b[i].toString(16).padStart(2, '0');
  return e - s > max ? out + '…' : out;
};
const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);

/** Base32hex (RFC 4648 §7), as NSEC3 prints hashed owner names. */
function base32hex(b: Uint8Array, s: number, e: number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let out = '', bits = 0, value = 0;
  for (let i = s; i < e; i++) {
    value = (value << 8) | b[i];
    bits += 8;
    while (bits >= 5) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
    value &= 0xff;
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function typeBitmaps(b: Uint8Array, s: number, e: number): number[] {
  const types: number[] = [];
  let p = s;
  while (p + 2 <= e) {
    const window = b[p], len = b[p + 1];
    p += 2;
    if (len < 1 || len > 32 || p + len > e) break;
    for (let i = 0; i < len; i++) {
      for (let bit = 0; bit < 8; bit++) if (b[p + i] & (0x80 >> bit)) types.push(window * 256 + i * 8 + bit);
    }
    p += len;
  }
  return types;
}

/** Character-strings (RFC 1035 §3.3): a length byte and that many bytes, repeated to the end. */
function characterStrings(b: Uint8Array, s: number, e: number): string[] | null {
  const out: string[] = [];
  let p = s;
  while (p < e) {
    const n = b[p];
    if (p + 1 + n > e) return null;
    out.push(formatLabel(b, p + 1, p + 1 + n));
    p += 1 + n;
  }
  return out;
}

export function formatRdata(b: Uint8Array, s: number, e: number, type: number, cls: number): RdataResult {
  const len = e - s;
  const name = (at: number) => {
    const n = readName(b, at, b.length);
    return n;
  };
  if (type === 1 && len === 4 && cls !== 3) {
    const address = ipv4String(b, s);
    return { text: address, rdata: { kind: 'address', address } };
  }
  if (type === 28 && len === 16) {
    const address = ipv6String(b, s);
    return { text: address, rdata: { kind: 'address', address } };
  }
  if (NAME_TYPES.has(type)) {
    if (len === 0) return { problem: 'empty name data' };
    const n = name(s);
    if (n.error) return { problem: n.error };
    return { text: n.text, rdata: { kind: 'name', name: n.text } };
  }
  switch (type) {
    case 15: { // MX
      if (len < 3) return { problem: 'MX data too short' };
      const n = name(s + 2);
      if (n.error) return { problem: n.error };
      return { text: n.text, rdata: { kind: 'mx', preference: u16(b, s), exchange: n.text } };
    }
    case 6: { // SOA
      const mn = name(s);
      if (mn.error) return { problem: mn.error };
      const rn = name(mn.next);
      if (rn.error || rn.next + 20 > e) return { problem: rn.error ?? 'SOA data too short' };
      const p = rn.next;
      const soa = { kind: 'soa' as const, mname: mn.text, rname: rn.text, serial: u32(b, p), refresh: u32(b, p + 4),
        retry: u32(b, p + 8), expire: u32(b, p + 12), minimum: u32(b, p + 16) };
      return { text: `${soa.mname} ${soa.rname} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`, rdata: soa };
    }
    case 16: case 99: { // TXT, SPF
      const strings = characterStrings(b, s, e);
      if (!strings) return { problem: 'TXT string runs past its record' };
      return { text: strings.map((t) => `"${t}"`).join(' '), rdata: { kind: 'txt', strings } };
    }
    case 33: { // SRV
      if (len < 7) return { problem: 'SRV data too short' };
      const n = name(s + 6);
      if (n.error) return { problem: n.error };
      const srv = { kind: 'srv' as const, priority: u16(b, s), weight: u16(b, s + 2), port: u16(b, s + 4), target: n.text };
      return { text: `${srv.priority} ${srv.weight} ${srv.port} ${srv.target}`, rdata: srv };
    }
    case 41: { // OPT
      const options: EdnsOption[] = [];
      let p = s;
      while (p + 4 <= e) {
        const code = u16(b, p), olen = u16(b, p + 2);
        const os = p + 4, oe = Math.min(e, os + olen);
        const o: EdnsOption = { code, name: EDNS_OPTIONS[code] ?? `option ${code}`, length: olen };
        if (code === 8 && oe - os >= 4) {
          const family = u16(b, os), src = b[os + 2], scope = b[os + 3];
          const addr = new Uint8Array(family === 2 ? 16 : 4);
          addr.set(b.subarray(os + 4, Math.min(oe, os + 4 + addr.length)));
          o.clientSubnet = { family, sourcePrefix: src, scopePrefix: scope,
            address: family === 2 ? ipv6String(addr, 0) : ipv4String(addr, 0) };
        } else if (code === 15 && oe - os >= 2) {
          o.extendedError = { code: u16(b, os), text: formatLabel(b, os + 2, oe) };
        }
        options.push(o);
        p = os + olen;
      }
      const parts = options.map((o) => o.clientSubnet
        ? `${o.name} ${o.clientSubnet.address}/${o.clientSubnet.sourcePrefix}` : o.name);
      return { text: parts.join(' '), rdata: { kind: 'opt', options } };
    }
    case 64: case 65: { // SVCB, HTTPS (RFC 9460)
      if (len < 3) return { problem: 'SVCB data too short' };
      const priority = u16(b, s);
      const t = readName(b, s + 2, e);
      if (t.error) return { problem: t.error };
      const params: { key: number; name: string; value: string }[] = [];
      let p = t.next;
      while (p + 4 <= e) {
        const key = u16(b, p), vlen = u16(b, p + 2);
        const vs = p + 4, ve = Math.min(e, vs + vlen);
        params.push({ key, name: SVC_PARAM_KEYS[key] ?? `key${key}`, value: svcValue(b, key, vs, ve) });
        p = vs + vlen;
      }
      const text = `${priority} ${t.text}` + params.map((x) => ` ${x.name}${x.value ? '=' + x.value : ''}`).join('');
      return { text, rdata: { kind: 'svcb', priority, target: t.text, params } };
    }
    case 257: { // CAA
      if (len < 2) return { problem: 'CAA data too short' };
      const tl = b[s + 1];
      if (s + 2 + tl > e) return { problem: 'CAA tag runs past its record' };
      const caa = { kind: 'caa' as const, flags: b[s], tag: formatLabel(b, s + 2, s + 2 + tl), value: formatLabel(b, s + 2 + tl, e) };
      return { text: `${caa.flags} ${caa.tag} "${caa.value}"`, rdata: caa };
    }
    case 43: case 59: case 32769: { // DS, CDS, DLV
      if (len < 4) return { problem: 'DS data too short' };
      const ds = { kind: 'ds' as const, keyTag: u16(b, s), algorithm: b[s + 2], digestType: b[s + 3], digest: hexOf(b, s + 4, e) };
      return { text: `${ds.keyTag} ${alg(ds.algorithm)} ${ds.digestType} ${ds.digest}`, rdata: ds };
    }
    case 48: case 60: case 25: { // DNSKEY, CDNSKEY, KEY
      if (len < 4) return { problem: 'DNSKEY data too short' };
      const k = { kind: 'dnskey' as const, flags: u16(b, s), protocol: b[s + 2], algorithm: b[s + 3], keyBytes: len - 4 };
      const role = k.flags & 1 ? 'KSK' : 'ZSK';
      return { text: `${k.flags} ${k.protocol} ${alg(k.algorithm)} (${role}, ${k.keyBytes}-byte key)`, rdata: k };
    }
    case 46: case 24: { // RRSIG, SIG
      if (len < 19) return { problem: 'RRSIG data too short' };
      const signer = readName(b, s + 18, e);
      if (signer.error) return { problem: signer.error };
      const r = { kind: 'rrsig' as const, typeCovered: u16(b, s), algorithm: b[s + 2], labels: b[s + 3],
        originalTtl: u32(b, s + 4), expiration: u32(b, s + 8), inception: u32(b, s + 12), keyTag: u16(b, s + 16),
        signer: signer.text };
      return { text: `${rrTypeName(r.typeCovered)} ${alg(r.algorithm)} ${r.labels} ${r.originalTtl} key ${r.keyTag} ${r.signer}`, rdata: r };
    }
    case 47: { // NSEC
      const n = readName(b, s, e);
      if (n.error) return { problem: n.error };
      const types = typeBitmaps(b, n.next, e);
      return { text: `${n.text} ${types.map(rrTypeName).join(' ')}`, rdata: { kind: 'nsec', next: n.text, types } };
    }
    case 50: { // NSEC3
      if (len < 5) return { problem: 'NSEC3 data too short' };
      const saltLen = b[s + 4];
      const hs = s + 5 + saltLen;
      if (hs + 1 > e || hs + 1 + b[hs] > e) return { problem: 'NSEC3 data too short' };
      const hl = b[hs];
      const r = { kind: 'nsec3' as const, algorithm: b[s], flags: b[s + 1], iterations: u16(b, s + 2),
        salt: saltLen ? hexOf(b, s + 5, hs) : '-', nextHashed: base32hex(b, hs + 1, hs + 1 + hl),
        types: typeBitmaps(b, hs + 1 + hl, e) };
      return { text: `${r.algorithm} ${r.flags} ${r.iterations} ${r.salt} ${r.nextHashed} ${r.types.map(rrTypeName).join(' ')}`, rdata: r };
    }
    default: {
      const hex = hexOf(b, s, e);
      return { text: len ? hex : '', rdata: { kind: 'raw', hex } };
    }
  }
}

function alg(a: number): string {
  return DNSSEC_ALGORITHMS[a] ?? String(a);
}

function svcValue(b: Uint8Array, key: number, s: number, e: number): string {
  switch (key) {
    case 1: { // alpn: character-strings
      const ids = characterStrings(b, s, e);
      return ids ? ids.join(',') : hexOf(b, s, e);
    }
    case 3: return e - s === 2 ? String(u16(b, s)) : hexOf(b, s, e);
    case 4: {
      const out: string[] = [];
      for (let p = s; p + 4 <= e; p += 4) out.push(ipv4String(b, p));
      return out.join(',');
    }
    case 6: {
      const out: string[] = [];
      for (let p = s; p + 16 <= e; p += 16) out.push(ipv6String(b, p));
      return out.join(',');
    }
    case 0: {
      const out: string[] = [];
      for (let p = s; p + 2 <= e; p += 2) out.push(SVC_PARAM_KEYS[u16(b, p)] ?? `key${u16(b, p)}`);
      return out.join(',');
    }
    case 2: return '';
    default: return hexOf(b, s, e, 32);
  }
}
