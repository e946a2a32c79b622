// Connection-level facts of real QUIC captures (../shared): Retry integrity, version negotiation, 0-RTT, v2, the
// handshake cost, the conversation titles, and an explanation for every event. The expected values are what the
// captures show in tshark (noted per case), not our own output.
import { describe, expect, it } from 'vitest';
import type { QuicHandshakeRef, QuicPacketRef } from '../../../decoders/quic/analyzer';
import { explainQuicEvent } from '../../../decoders/quic/explain';
import { needShared, needTshark } from '../../support/require';
import { QUIC_CAPTURES, runDatagrams, tsharkDatagrams } from './support';

const skip = needShared() ?? needTshark();

function run(file: string) {
  const r = runDatagrams(tsharkDatagrams(file));
  const events = Array.from({ length: r.timeline.count }, (_, i) => r.timeline.get(i));
  return { ...r, events };
}

describe.skipIf(skip)('real QUIC captures', () => {
  it('quic-go Retry: a valid integrity tag, keys re-derived, 2 round trips', () => {
    // tshark: frame 6 Retry (SCID 1b036a11), frame 7 client Initial to 1b036a11 decrypted (frames 0,6)
    const { events, conversations, quic } = run('zeek__quic-go_quic-go_retry.pcap');
    const retry = events.find((e) => e.kind === 'quic.retry')!;
    expect(retry.frame).toBe(6);
    expect((retry.ref as QuicPacketRef).retry).toMatchObject({ integrity: 'valid', newCid: '1b036a11' });
    expect(quic.toJson().find((p) => p.frame === 7)!.frameTypes).toEqual([0, 6]);
    const done = events.find((e) => e.kind === 'quic.handshake_completed')!;
    expect((done.ref as QuicHandshakeRef)).toMatchObject({ roundTrips: 2, retries: 1, sni: 'server4:443' });
    expect(conversations.list[0].title).toBe('QUIC server4:443');
  });

  it('tcpdump quic_vn: GREASE version, Version Negotiation offering 1 and 0x1a2a3a4a, then v1', () => {
    // tshark: frame 2 Version Negotiation, supported versions 0x00000001, 0x1a2a3a4a
    const { events } = run('tcpdump__quic_vn.pcap');
    const vn = events.find((e) => e.kind === 'quic.version_negotiation')!;
    expect((vn.ref as QuicPacketRef).versions).toEqual(['0x00000001', '0x1a2a3a4a']);
    expect((events[0].ref as QuicPacketRef).forcingVersionNegotiation).toBe(true);
    const done = events.find((e) => e.kind === 'quic.handshake_completed')!;
    expect(done.a).toBe(2);
  });

  it('nDPI quic_0RTT: 0-RTT packets before the Initial belong to the same connection', () => {
    // tshark: frames 3-4 0-RTT and frame 5 Initial (ssl.gstatic.com) share DCID 65b9ee23b37344d6
    const { events, conversations, convs } = run('ndpi__quic_0RTT.pcap');
    const idx = (f: number) => convs[f - 1];
    expect(idx(3)).toBe(idx(5));
    const c = conversations.list[idx(5)];
    expect(c.title).toBe('QUIC ssl.gstatic.com');
    expect(c.notes['0rtt']).toBe(1);
    const done = events.find((e) => e.kind === 'quic.handshake_completed' && e.conversation === idx(5))!;
    expect((done.ref as QuicHandshakeRef).zeroRtt).toBe(true);
    expect(explainQuicEvent(done)).toMatch(/0-RTT/);
    // draft-28 (0xff00001c) Initials decrypt with that draft's salt: tshark shows the SNI "abcd" in frame 1
    expect(conversations.list[idx(1)].title).toBe('QUIC abcd');
  });

  it('Zeek quicv2-echo: QUIC v2 Initials decrypt, the ServerHello is read', () => {
    const { events } = run('zeek__quicv2-echo-443.pcap');
    const sh = events.find((e) => (e.ref as QuicPacketRef | undefined)?.tls?.includes('server_hello'))!;
    expect(sh.frame).toBe(4); // tshark: frame 4 server_hello, cipher 0x1301
    expect((sh.ref as QuicPacketRef).cipherSuite).toMatch(/TLS_AES_128_GCM_SHA256/);
    expect((sh.ref as QuicPacketRef).versionName).toBe('2');
  });

  it.each(QUIC_CAPTURES)('%s: every event has an explanation and one conversation per connection', (file) => {
    const { events, quic } = run(file);
    for (const e of events) {
      const text = explainQuicEvent(e);
      expect(text && text.length).toBeGreaterThan(20);
      expect(text).not.toMatch(/undefined|NaN/);
    }
    expect(quic.internalErrors).toBe(0);
  });
});
