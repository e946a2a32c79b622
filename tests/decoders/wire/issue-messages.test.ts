// The words of every IPv4 and TCP header problem, numbers included: what a user reads in the packet panel and in
// `packetflow analyze`. (The decoders build them in functions of their own, apart from the per-packet path.)
import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../../decoders/decode';
import { ethernet, ipv4, rawFrame, tcp } from './helpers';

const decode = (b: Uint8Array, orig?: number) => new PacketDecoder().decode(rawFrame(b, 1, orig));
const reasons = (b: Uint8Array, layer: string, orig?: number) =>
  decode(b, orig).issues.filter((i) => i.layer === layer).map((i) => i.reason);
/** Ethernet + IPv4 + the given TCP bytes. */
const v4tcp = (seg: Uint8Array, totalLength?: number) => ethernet(0x0800, ipv4({ proto: 6, totalLength }, seg));
/** `b` with byte `at` set to `v`. */
const poke = (b: Uint8Array, at: number, v: number) => { const c = b.slice(); c[at] = v; return c; };

describe('IPv4 problem messages', () => {
  const ok = v4tcp(tcp({}));
  it.each([
    ['a version other than 4', poke(ok, 14, 0x55), 'version 5 is not 4'],
    ['fewer than 20 bytes', ok.subarray(0, 24), 'IPv4 header needs 20 bytes, 10 captured'],
    ['fewer than 20 bytes, not version 4', poke(ok, 14, 0x65).subarray(0, 24), 'version 6 is not 4'],
    ['a header length under 20', poke(ok, 14, 0x44), 'header length 16 is less than 20'],
    ['options cut by the capture', poke(ok, 14, 0x4f).subarray(0, 14 + 40), 'header with options needs 60 bytes, 40 captured'],
    ['a total length under the header length', v4tcp(tcp({}), 10), 'total length 10 is less than the header length 20'],
    ['a datagram cut by the capture', v4tcp(tcp({}), 100), 'total length 100, 40 bytes captured'],
  ])('%s', (_, bytes, reason) => {
    expect(reasons(bytes, 'ip')).toEqual([reason]);
  });
});

describe('TCP problem messages', () => {
  it.each([
    ['an IP payload too short for a header', v4tcp(tcp({}).subarray(0, 10)), 'IP payload of 10 bytes is too short for a TCP header'],
    ['a header cut by the capture', v4tcp(tcp({})).subarray(0, 14 + 20 + 10), 'TCP header needs 20 bytes, 10 captured'],
    ['a header length under 20', v4tcp(tcp({ hl: 16 })), 'header length 16 is less than 20'],
    ['a header length beyond the segment', v4tcp(tcp({ hl: 60 })), 'header length 60 exceeds the segment length 20'],
    ['options cut by the capture', v4tcp(tcp({ options: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] })).subarray(0, 14 + 20 + 30),
      'options need 20 bytes, 10 captured'],
    ['an option without its length byte', v4tcp(tcp({ options: [1, 1, 1, 2] })), 'option kind 2 has no length byte'],
    ['an option length under 2', v4tcp(tcp({ options: [2, 0, 0, 0] })), 'option kind 2 has invalid length 0'],
    ['an option running past the header', v4tcp(tcp({ options: [1, 1, 8, 10, 0, 0, 0, 0] })), 'option kind 8 length 10 runs past the header'],
    ['a known option with the wrong length', v4tcp(tcp({ options: [2, 5, 0x05, 0xb4, 0, 1, 1, 1] })), 'option kind 2 has length 5, expected 4'],
    ['a SACK option of the wrong length', v4tcp(tcp({ options: [1, 1, 5, 6, 0, 0, 0, 1] })), 'SACK option length 6 is not 2 + 8n'],
  ])('%s', (_, bytes, reason) => {
    expect(reasons(bytes, 'tcp')).toEqual([reason]);
  });
});
