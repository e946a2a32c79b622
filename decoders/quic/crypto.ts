// Packet protection for Initial packets (RFC 9001 §5), synchronous so it runs in the first decoding pass, in Node
// and in a browser worker alike: initial secrets from the client's first Destination Connection ID, AES-128-GCM
// payload protection, AES-ECB header protection, and the Retry Integrity Tag (§5.8).
import { gcm, ecb } from '@noble/ciphers/aes.js';
import { expand } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { quicVersion, type QuicVersionInfo } from './versions';
import { encryptBlock, expandKey128, gcmKey, gcmOpen, releaseGcmKey, type GcmKey } from './aes-gcm';
import { hkdfExpand32, hkdfExtract, hmacKey } from './hkdf-sha256';

/** Keys protecting one direction at one encryption level. */
export interface PacketKeys {
  key: Uint8Array;
  iv: Uint8Array;
  hp: Uint8Array;
}

export interface InitialKeys {
  client: PacketKeys;
  server: PacketKeys;
  /** The DCID they were derived from and the version whose salt/labels were used. */
  dcid: Uint8Array;
  version: number;
}

const encoder = new TextEncoder();

/** HkdfLabel bytes (RFC 8446 §7.1) of `label` for `length` with the given context. */
function labelInfo(label: string, length: number, context: Uint8Array): Uint8Array {
  const full = encoder.encode('tls13 ' + label);
  const info = new Uint8Array(2 + 1 + full.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  info.set(full, 3);
  info[3 + full.length] = context.length;
  info.set(context, 4 + full.length);
  return info;
}

/** HkdfLabel bytes of the few (label, length) pairs Initial keys use, without context. */
const infoCache = new Map<string, Uint8Array>();
function cachedInfo(label: string, length: number): Uint8Array {
  const k = `${length} ${label}`;
  let info = infoCache.get(k);
  if (!info) {
    info = labelInfo(label, length, new Uint8Array(0));
    if (infoCache.size < 64) infoCache.set(k, info);
  }
  return info;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256. */
export function hkdfExpandLabel(secret: Uint8Array, label: string, length: number,
  context: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (length <= 32 && context.length === 0) return hkdfExpand32(hmacKey(secret), cachedInfo(label, length), length);
  return expand(sha256, secret, labelInfo(label, length, context), length);
}

/** HKDF-Expand-Label with a secret already prepared by hmacKey() (outputs up to 32 bytes, no context). */
function expandLabel(prk: Int32Array, label: string, length: number): Uint8Array {
  return hkdfExpand32(prk, cachedInfo(label, length), length);
}

/** key/iv/hp from a traffic secret (RFC 9001 §5.1; RFC 9369 §3.3.2 "quicv2 " labels). */
export function packetKeys(secret: Uint8Array, labelPrefix = 'quic ', keyLength = 16): PacketKeys {
  if (keyLength > 32) {
    return {
      key: hkdfExpandLabel(secret, labelPrefix + 'key', keyLength),
      iv: hkdfExpandLabel(secret, labelPrefix + 'iv', 12),
      hp: hkdfExpandLabel(secret, labelPrefix + 'hp', keyLength),
    };
  }
  const prk = hmacKey(secret);
  return {
    key: expandLabel(prk, labelPrefix + 'key', keyLength),
    iv: expandLabel(prk, labelPrefix + 'iv', 12),
    hp: expandLabel(prk, labelPrefix + 'hp', keyLength),
  };
}

/** The HMAC key state of each version's initial salt (a handful of constants): prepared once, not per connection. */
const saltKeys = new Map<Uint8Array, Int32Array>();
function saltKey(salt: Uint8Array): Int32Array {
  let k = saltKeys.get(salt);
  if (!k) {
    k = hmacKey(salt);
    if (saltKeys.size < 64) saltKeys.set(salt, k);
  }
  return k;
}

/** client_initial_secret and server_initial_secret (RFC 9001 §5.2). */
export function initialSecrets(salt: Uint8Array, dcid: Uint8Array): { client: Uint8Array; server: Uint8Array } {
  const initial = hmacKey(hkdfExtract(saltKey(salt), dcid));
  return {
    client: expandLabel(initial, 'client in', 32),
    server: expandLabel(initial, 'server in', 32),
  };
}

/** Initial keys for both directions, or null when the version's Initial protection is not known. */
export function initialKeys(version: number | QuicVersionInfo, dcid: Uint8Array): InitialKeys | null {
  const info = typeof version === 'number' ? quicVersion(version) : version;
  if (!info.salt) return null;
  const s = initialSecrets(info.salt, dcid);
  return {
    client: packetKeys(s.client, info.labelPrefix),
    server: packetKeys(s.server, info.labelPrefix),
    dcid: dcid.slice(),
    version: info.version,
  };
}

/** The 5-byte header protection mask for a 16-byte sample (§5.4.3, AES-based). */
export function headerMask(hp: Uint8Array, sample: Uint8Array): Uint8Array {
  return ecb(hp, { disablePadding: true }).encrypt(sample).subarray(0, 5);
}

/** AES-128 round keys and GHASH tables of a PacketKeys, computed on first use and kept as long as the keys are. */
interface Prepared {
  hp: Int32Array;
  aead: GcmKey;
}
const prepared = new WeakMap<PacketKeys, Prepared | null>();

function prepare(keys: PacketKeys): Prepared | null {
  let p = prepared.get(keys);
  if (p === undefined) {
    // 16-byte keys are AES-128 (every Initial); anything else goes through the general library
    p = keys.key.length === 16 && keys.hp.length === 16 ? { hp: expandKey128(keys.hp), aead: gcmKey(keys.key) } : null;
    prepared.set(keys, p);
  }
  return p;
}

/** Frees what prepare() built for these keys (a connection's Initial keys are done): they must not be used after. */
export function releaseKeys(keys: PacketKeys): void {
  const p = prepared.get(keys);
  if (p) releaseGcmKey(p.aead);
  prepared.delete(keys);
}

const maskBlock = new Uint8Array(16);

/** RFC 9000 Appendix A.3: the full packet number closest to the next expected one. */
export function decodePacketNumber(largest: number, truncated: number, pnLength: number): number {
  const expected = largest + 1;
  const win = 2 ** (pnLength * 8);
  const hwin = win / 2;
  const candidate = Math.floor(expected / win) * win + truncated;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}

function nonceFor(iv: Uint8Array, pn: number): Uint8Array {
  const nonce = iv.slice();
  let x = pn;
  for (let i = 11; i >= 4 && x > 0; i--) {
    nonce[i] ^= x % 256;
    x = Math.floor(x / 256);
  }
  return nonce;
}

export interface Unprotected {
  /** First byte with the protected bits restored. */
  firstByte: number;
  /** Full (reconstructed) packet number and its encoded length. */
  packetNumber: number;
  pnLength: number;
  /** Decrypted payload (frames), or null when authentication failed. */
  payload: Uint8Array | null;
}

/**
 * Removes header protection and decrypts one packet occupying bytes[start, end). `pnOffset` is the absolute
 * offset of the packet number field. Returns null when the packet is too short to be sampled.
 * Header protection always yields a packet number (wrong if the keys are); `payload` says whether it was right.
 * With `into` (scratch space the caller reuses), an AES-128 payload is written there: valid until its next use.
 */
export function unprotectPacket(bytes: Uint8Array, start: number, pnOffset: number, end: number, isLong: boolean,
  keys: PacketKeys, largestPn = -1, into?: Uint8Array): Unprotected | null {
  const sampleAt = pnOffset + 4;
  if (sampleAt + 16 > end || pnOffset <= start) return null;
  const fast = prepare(keys);
  let mask: Uint8Array;
  if (fast) {
    encryptBlock(fast.hp, bytes, sampleAt, maskBlock);
    mask = maskBlock;
  } else {
    mask = headerMask(keys.hp, bytes.subarray(sampleAt, sampleAt + 16));
  }
  const firstByte = bytes[start] ^ (mask[0] & (isLong ? 0x0f : 0x1f));
  const pnLength = (firstByte & 3) + 1;
  let truncated = 0;
  for (let i = 0; i < pnLength; i++) truncated = truncated * 256 + (bytes[pnOffset + i] ^ mask[1 + i]);
  const packetNumber = decodePacketNumber(largestPn, truncated, pnLength);
  const headerEnd = pnOffset + pnLength;
  const aad = bytes.slice(start, headerEnd);
  aad[0] = firstByte;
  for (let i = 0; i < pnLength; i++) aad[pnOffset - start + i] = bytes[pnOffset + i] ^ mask[1 + i];
  let payload: Uint8Array | null = null;
  if (end - headerEnd >= 16) {
    if (fast) {
      payload = gcmOpen(fast.aead, nonceFor(keys.iv, packetNumber), aad, bytes, headerEnd, end, into);
    } else {
      try {
        payload = gcm(keys.key, nonceFor(keys.iv, packetNumber), aad).decrypt(bytes.subarray(headerEnd, end));
      } catch {
        payload = null; // authentication failed: wrong keys or damaged packet
      }
    }
  }
  return { firstByte, packetNumber, pnLength, payload };
}

/**
 * Protects a packet (the inverse of unprotectPacket): `header` ends with the packet number field written in clear
 * (its length from the first byte's low bits); returns header + ciphertext + tag with header protection applied.
 * Used to build test packets and by nothing on the decoding path.
 */
export function protectPacket(header: Uint8Array, payload: Uint8Array, keys: PacketKeys, packetNumber: number,
  isLong: boolean): Uint8Array {
  const pnLength = (header[0] & 3) + 1;
  const pnOffset = header.length - pnLength;
  const sealed = gcm(keys.key, nonceFor(keys.iv, packetNumber), header).encrypt(payload);
  const out = new Uint8Array(header.length + sealed.length);
  out.set(header, 0);
  out.set(sealed, header.length);
  const mask = headerMask(keys.hp, out.subarray(pnOffset + 4, pnOffset + 20));
  out[0] ^= mask[0] & (isLong ? 0x0f : 0x1f);
  for (let i = 0; i < pnLength; i++) out[pnOffset + i] ^= mask[1 + i];
  return out;
}

/**
 * Checks a Retry packet's integrity tag (RFC 9001 §5.8) against the client's original DCID.
 * Returns null when the version has no known tag (drafts before -25, unknown versions).
 */
export function retryTagValid(version: number, odcid: Uint8Array, retry: Uint8Array): boolean | null {
  const info = quicVersion(version);
  if (!info.retryKey || !info.retryNonce || retry.length < 16 + 7) return null;
  const body = retry.subarray(0, retry.length - 16);
  const pseudo = new Uint8Array(1 + odcid.length + body.length);
  pseudo[0] = odcid.length;
  pseudo.set(odcid, 1);
  pseudo.set(body, 1 + odcid.length);
  const tag = gcm(info.retryKey, info.retryNonce, pseudo).encrypt(new Uint8Array(0));
  const got = retry.subarray(retry.length - 16);
  for (let i = 0; i < 16; i++) if (tag[i] !== got[i]) return false;
  return true;
}

/** The integrity tag a server would append (tests build Retry packets with it). */
export function retryTag(version: number, odcid: Uint8Array, retryWithoutTag: Uint8Array): Uint8Array | null {
  const info = quicVersion(version);
  if (!info.retryKey || !info.retryNonce) return null;
  const pseudo = new Uint8Array(1 + odcid.length + retryWithoutTag.length);
  pseudo[0] = odcid.length;
  pseudo.set(odcid, 1);
  pseudo.set(retryWithoutTag, 1 + odcid.length);
  return gcm(info.retryKey, info.retryNonce, pseudo).encrypt(new Uint8Array(0));
}
