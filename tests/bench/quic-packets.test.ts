// The generator's QUIC Initial protection against RFC 9001 Appendix A (known answers, not our own output).
import { describe, expect, it } from 'vitest';
import { ecb } from '@noble/ciphers/aes.js';
import { initialKeys, protectedInitial } from '../../scripts/bench/quic-packets';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

// A.1: the client's first Destination Connection ID.
const DCID = hex('8394c8f03e515708');

describe('QUIC v1 Initial packet protection (RFC 9001 Appendix A)', () => {
  it('derives the A.1 client and server keys from the DCID', () => {
    const k = initialKeys(DCID);
    expect(toHex(k.client.key)).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(toHex(k.client.iv)).toBe('fa044b2f42a3fd3b46fb255c');
    expect(toHex(k.client.hp)).toBe('9f50449e04a0e810283a1e9933adedd2');
    expect(toHex(k.server.key)).toBe('cf3a5331653c364c88f0f379b6067e37');
    expect(toHex(k.server.iv)).toBe('0ac1493ca1905853b0bba03e');
    expect(toHex(k.server.hp)).toBe('c206b8d9b9f0f37644430b490eeaa314');
  });

  it('gives the A.2 header-protection mask for the client sample', () => {
    const mask = ecb(initialKeys(DCID).client.hp, { disablePadding: true }).encrypt(hex('d1b1c98dd7689fb8ec11d242b123dc9b'));
    expect(toHex(mask.subarray(0, 5))).toBe('437b9aec36');
  });

  it('protects the A.3 server Initial byte for byte', () => {
    // Header c1 00000001 00 08 f067a5502a4262b5 00 4075 0001: no DCID, the server's SCID, packet number 1 in 2 bytes.
    const payload = hex(`02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739
      88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94
      0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00 020304`);
    const packet = protectedInitial(initialKeys(DCID).server, new Uint8Array(0), hex('f067a5502a4262b5'), 1, 2, payload);
    expect(toHex(packet)).toBe(toHex(hex(`cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a
      5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3
      dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84
      022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4 2158407dd074ee`)));
  });

  it('pads a client Initial to the minimum datagram size', () => {
    const p = protectedInitial(initialKeys(DCID).client, DCID, new Uint8Array(0), 2, 4, Uint8Array.of(1), 1200);
    expect(p.length).toBe(1200);
  });
});
