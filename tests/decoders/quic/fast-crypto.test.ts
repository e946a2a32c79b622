// The AES-128-GCM and HKDF-SHA256 used for Initial packets, checked against an independent implementation
// (@noble) on random inputs: same plaintext, same rejection of a damaged packet, same derived keys.
import { describe, expect, it } from 'vitest';
import { ecb, gcm } from '@noble/ciphers/aes.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encryptBlock, expandKey128, gcmKey, gcmOpen, releaseGcmKey } from '../../../decoders/quic/aes-gcm';
import { hkdfExpand32, hkdfExtract, hmacKey } from '../../../decoders/quic/hkdf-sha256';

function prng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => Uint8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 24;
  });
}

describe('AES-128-GCM for Initial packets', () => {
  it('opens what another implementation sealed, at any offset and length, and rejects any changed byte', () => {
    const bytes = prng(1);
    for (let i = 0; i < 300; i++) {
      const key = bytes(16), nonce = bytes(12), aad = bytes(i % 40), pt = bytes((i * 7) % 1300);
      const sealed = gcm(key, nonce, aad).encrypt(pt);
      const buf = new Uint8Array(sealed.length + 9);
      buf.set(sealed, 4);
      const k = gcmKey(key);
      expect(gcmOpen(k, nonce, aad, buf, 4, 4 + sealed.length)).toEqual(pt);
      const into = new Uint8Array(2048);
      expect(gcmOpen(k, nonce, aad, buf, 4, 4 + sealed.length, into)).toEqual(pt);
      buf[4 + (i % sealed.length)] ^= 0x40;
      expect(gcmOpen(k, nonce, aad, buf, 4, 4 + sealed.length)).toBeNull();
      releaseGcmKey(k); // a reused table must give the same results
    }
  });

  it('encrypts single blocks like AES-ECB (header protection masks)', () => {
    const bytes = prng(2);
    for (let i = 0; i < 200; i++) {
      const key = bytes(16), block = bytes(16), out = new Uint8Array(16);
      encryptBlock(expandKey128(key), block, 0, out);
      expect(out).toEqual(ecb(key, { disablePadding: true }).encrypt(block));
    }
  });
});

describe('HKDF-SHA256 for Initial secrets', () => {
  it('extracts and expands like RFC 5869 (checked against another implementation), keys longer than a block too', () => {
    const bytes = prng(3);
    for (let i = 0; i < 200; i++) {
      const salt = bytes(i % 100), ikm = bytes((i * 13) % 150), info = bytes(i % 70), len = 1 + (i % 32);
      const prk = extract(sha256, ikm, salt);
      expect(hkdfExtract(hmacKey(salt), ikm)).toEqual(prk);
      expect(hkdfExpand32(hmacKey(prk), info, len)).toEqual(expand(sha256, prk, info, len));
    }
  });
});
