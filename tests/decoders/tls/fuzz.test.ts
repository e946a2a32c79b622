// Robustness: mutated real handshakes, mutated own fixtures and random bytes through every TLS parser. Nothing may
// throw and the buffers must stay bounded. Seeded, and bounded in time (the budget is per group, not asserted).
import { describe, expect, it } from 'vitest';
import { ConversationTable, HostTable } from '../../../decoders/conversations';
import { Timeline } from '../../../decoders/timeline';
import { TlsAnalyzer } from '../../../decoders/tls/analyzer';
import { parseCertificate } from '../../../decoders/tls/der';
import { ja3, ja4 } from '../../../decoders/tls/fingerprint';
import { parseClientHello, parseServerHello, parseSslv2ClientHello } from '../../../decoders/tls/hello';
import { parseKeyLog } from '../../../decoders/tls/keylog';
import { parseCertificateMessage, parseCertificateRequest, parseServerKeyExchange } from '../../../decoders/tls/messages';
import { MAX_RECORD } from '../../../decoders/tls/stream';
import { needShared } from '../../support/require';
import {
  alpnExt, certificate, clientHelloBody, hs, keyShareExt, mutate, name, printable, prng, record, serverHelloBody,
  sniExt, supportedVersionsExt, vec24,
} from './build';
import { capturePayloads } from './capture-payloads';

const BUDGET_MS = 900;

/** Feeds one direction's bytes in random chunks to a fresh analyzer; checks that buffers stay bounded. */
function feed(streams: Uint8Array[][], rnd: () => number): void {
  const timeline = new Timeline();
  const conversations = new ConversationTable(new HostTable());
  const tls = new TlsAnalyzer({ timeline, conversations });
  const conv = conversations.open('tcp', '10.0.0.1', 1, '10.0.0.2', 443, 1, 0);
  let frame = 1;
  const live = [true, true];
  for (let i = 0; i < Math.max(streams[0].length, streams[1].length); i++) {
    for (const dir of [0, 1] as const) {
      const seg = streams[dir][i];
      if (!seg || !live[dir]) continue;
      let at = 0;
      while (at < seg.length && live[dir]) {
        const n = 1 + Math.floor(rnd() * seg.length);
        if (rnd() < 0.03) tls.onGap(conv, dir, 1 + Math.floor(rnd() * 100), frame);
        live[dir] = tls.onData(conv, dir, seg.subarray(at, at + n), frame++, frame / 100);
        at += n;
      }
    }
  }
  tls.loadKeyLog('CLIENT_RANDOM ' + '11'.repeat(32) + ' ' + '00'.repeat(48));
  tls.finish();
  tls.toJson();
  const sessions = (tls as unknown as { sessions: Map<number, { dirs: { records: { buffered: number }; hsLen: number }[] }> }).sessions;
  for (const s of sessions.values()) {
    for (const d of s.dirs) {
      expect(d.records.buffered).toBeLessThanOrEqual(MAX_RECORD + 5 + 70000);
      expect(d.hsLen).toBeLessThanOrEqual((1 << 20) + 4 + MAX_RECORD);
    }
  }
}

function fixtures(): Uint8Array[][][] {
  const leaf = certificate(name(['2.5.4.3', printable('x.example')]), name(['2.5.4.3', printable('CA')]), '240101000000Z',
    '250101000000Z', ['x.example']);
  const ch = record(22, hs(1, clientHelloBody({ ciphers: [0x1301, 0xc02f], extensions: [sniExt('x.example'),
    alpnExt(['h2']), supportedVersionsExt([0x0304, 0x0303]), keyShareExt([0x1d])] })));
  const sh = record(22, [...hs(2, serverHelloBody({ cipher: 0xc02f })), ...hs(11, vec24(vec24(leaf))), ...hs(14, [])]);
  const u = (a: number[]) => Uint8Array.from(a);
  return [[[u(ch), u([...record(20, [1]), ...record(22, new Array(40).fill(1))])], [u(sh), u(record(21, [2, 40]))]]];
}

describe('TLS fuzzing', () => {
  it('random bytes: parsers and the analyzer never throw', () => {
    const rnd = prng(1);
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < BUDGET_MS) {
      const len = Math.floor(rnd() * 600);
      const b = Uint8Array.from({ length: len }, () => Math.floor(rnd() * 256));
      // a plausible record header now and then, so the analyzer goes beyond detection
      if (len > 5 && rnd() < 0.5) { b[0] = 20 + Math.floor(rnd() * 4); b[1] = 3; b[2] = Math.floor(rnd() * 5); }
      parseClientHello(b); parseServerHello(b); parseSslv2ClientHello(b); parseCertificate(b);
      parseCertificateMessage(b); parseCertificateRequest(b, 0x0303); parseServerKeyExchange(b, 0x0303);
      const h = parseClientHello(b); ja3(h); ja4(h);
      parseKeyLog(new TextDecoder().decode(b));
      feed([[b], [b.slice().reverse()]], rnd);
      n++;
    }
    expect(n).toBeGreaterThan(50);
  });

  it('mutated own fixtures (hellos, certificates, alerts)', () => {
    const rnd = prng(2);
    const t0 = Date.now();
    const [fx] = fixtures();
    let n = 0;
    while (Date.now() - t0 < BUDGET_MS) {
      feed([fx[0].map((s) => mutate(s, rnd)), fx[1].map((s) => mutate(s, rnd))], rnd);
      const body = fx[0][0].subarray(9);
      const m = mutate(body, rnd);
      const h = parseClientHello(m); ja3(h); ja4(h);
      parseServerHello(mutate(fx[1][0].subarray(9), rnd));
      n++;
    }
    expect(n).toBeGreaterThan(50);
  });

  const skip = needShared();
  it.skipIf(skip)('mutated real handshakes from ../shared captures', () => {
    const rnd = prng(3);
    const files = ['zeek__ecdhe.pcap', 'zeek__hrr.pcap', 'ja4__ipv6.pcapng', 'ndpi__google_ssl.pcap', 'zeek__smtp.pcap',
      'ja4__chrome-cloudflare-quic-with-secrets.pcapng'];
    const streams = files.map((f) => {
      const ps = capturePayloads(f).filter((p) => p.proto === 'tcp');
      const server = (p: { srcPort: number }) => p.srcPort === 443 || p.srcPort === 25;
      return [ps.filter((p) => !server(p)).map((p) => p.bytes), ps.filter(server).map((p) => p.bytes)];
    });
    expect(streams.some((s) => s[0].length > 0 && s[1].length > 0)).toBe(true);
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < BUDGET_MS) {
      const s = streams[n % streams.length];
      feed([s[0].map((b) => (rnd() < 0.3 ? mutate(b, rnd) : b)), s[1].map((b) => (rnd() < 0.3 ? mutate(b, rnd) : b))], rnd);
      n++;
    }
    expect(n).toBeGreaterThan(10);
  });
});
