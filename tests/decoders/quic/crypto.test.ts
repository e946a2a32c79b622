// RFC 9001 Appendix A and RFC 9369 Appendix A test vectors: every intermediate value and both sample packets.
import { describe, expect, it } from 'vitest';
import { extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  decodePacketNumber, headerMask, hkdfExpandLabel, initialKeys, protectPacket, retryTagValid, unprotectPacket,
} from '../../../decoders/quic/crypto';
import { fromHex, toHex } from '../../../decoders/quic/varint';
import { QUIC_V1, QUIC_V2, quicVersion } from '../../../decoders/quic/versions';
import { CLIENT_CRYPTO_FRAME, DCID, SERVER_PAYLOAD, V1, V2 } from './rfc-vectors';

const cases = [
  { name: 'QUIC v1 (RFC 9001 A)', version: QUIC_V1, v: V1 },
  { name: 'QUIC v2 (RFC 9369 A)', version: QUIC_V2, v: V2 },
] as const;

describe.each(cases)('$name', ({ version, v }) => {
  const dcid = fromHex(DCID);

  it('derives the initial secret, client and server secrets, key, iv and hp', () => {
    const info = quicVersion(version);
    const initial = extract(sha256, dcid, info.salt!);
    expect(toHex(initial)).toBe(v.initialSecret);
    expect(toHex(hkdfExpandLabel(initial, 'client in', 32))).toBe(v.clientSecret);
    expect(toHex(hkdfExpandLabel(initial, 'server in', 32))).toBe(v.serverSecret);
    const keys = initialKeys(version, dcid)!;
    expect({ key: toHex(keys.client.key), iv: toHex(keys.client.iv), hp: toHex(keys.client.hp) }).toEqual(v.client);
    expect({ key: toHex(keys.server.key), iv: toHex(keys.server.iv), hp: toHex(keys.server.hp) }).toEqual(v.server);
  });

  it('computes the header protection masks of the samples', () => {
    const keys = initialKeys(version, dcid)!;
    expect(toHex(headerMask(keys.client.hp, fromHex(v.clientSample)))).toBe(v.clientMask);
    expect(toHex(headerMask(keys.server.hp, fromHex(v.serverSample)))).toBe(v.serverMask);
  });

  it('unprotects the client Initial: packet number 2, CRYPTO frame then PADDING to 1162 bytes', () => {
    const keys = initialKeys(version, dcid)!;
    const pkt = fromHex(v.clientPacket);
    expect(pkt.length).toBe(1200);
    const pnOffset = 18; // 1 + 4 + 1 + 8 + 1 + 1 (token length 0) + 2 (length 0x449e)
    const r = unprotectPacket(pkt, 0, pnOffset, pkt.length, true, keys.client)!;
    expect(r.packetNumber).toBe(2);
    expect(r.pnLength).toBe(4);
    expect(r.firstByte).toBe(fromHex(v.clientHeader)[0]);
    expect(r.payload).not.toBeNull();
    expect(r.payload!.length).toBe(1162);
    expect(toHex(r.payload!.subarray(0, 245))).toBe(CLIENT_CRYPTO_FRAME);
    expect(r.payload!.subarray(245).every((b) => b === 0)).toBe(true);
  });

  it('protects the client Initial into exactly the RFC bytes', () => {
    const keys = initialKeys(version, dcid)!;
    const payload = new Uint8Array(1162);
    payload.set(fromHex(CLIENT_CRYPTO_FRAME));
    const out = protectPacket(fromHex(v.clientHeader), payload, keys.client, 2, true);
    expect(toHex(out)).toBe(v.clientPacket);
    expect(toHex(out.subarray(0, 22))).toBe(v.clientProtectedHeader);
  });

  it('unprotects the server Initial: packet number 1 (2-byte encoding), ACK + CRYPTO', () => {
    const keys = initialKeys(version, dcid)!;
    const pkt = fromHex(v.serverPacket);
    const pnOffset = 18; // 1 + 4 + 1 + 0 + 1 + 8 + 1 (token 0) + 2 (length 0x4075)
    const r = unprotectPacket(pkt, 0, pnOffset, pkt.length, true, keys.server, 0)!;
    expect(r.packetNumber).toBe(1);
    expect(r.pnLength).toBe(2);
    expect(toHex(r.payload!)).toBe(SERVER_PAYLOAD);
    expect(toHex(protectPacket(fromHex(v.serverHeader), fromHex(SERVER_PAYLOAD), keys.server, 1, true)))
      .toBe(v.serverPacket);
  });

  it('fails authentication with keys from another DCID instead of returning garbage', () => {
    const wrong = initialKeys(version, fromHex('0011223344556677'))!;
    const pkt = fromHex(v.clientPacket);
    expect(unprotectPacket(pkt, 0, 18, pkt.length, true, wrong.client)!.payload).toBeNull();
  });

  it('accepts the Retry integrity tag and rejects a changed token or a different original DCID', () => {
    const retry = fromHex(v.retry);
    expect(retryTagValid(version, dcid, retry)).toBe(true);
    const bad = retry.slice();
    bad[bad.length - 20] ^= 1; // inside the token
    expect(retryTagValid(version, dcid, bad)).toBe(false);
    expect(retryTagValid(version, fromHex('8394c8f03e515709'), retry)).toBe(false);
  });
});

describe('packet number reconstruction (RFC 9000 A.3)', () => {
  it('follows the RFC example and wraps forward and back', () => {
    // RFC 9000 A.3: largest 0xa82f30ea, truncated 0x9b32 (16 bits) -> 0xa82f9b32
    expect(decodePacketNumber(0xa82f30ea, 0x9b32, 2)).toBe(0xa82f9b32);
    expect(decodePacketNumber(-1, 0, 1)).toBe(0);
    expect(decodePacketNumber(254, 1, 1)).toBe(257);
    expect(decodePacketNumber(257, 0xff, 1)).toBe(255);
  });
});
