import { describe, expect, it } from 'vitest';
import { ConversationTable, HostTable } from '../../../decoders/conversations';
import { Timeline } from '../../../decoders/timeline';
import { TlsAnalyzer, type CertificateFacts, type HandshakeCompletedFacts } from '../../../decoders/tls/analyzer';
import { explainTls } from '../../../decoders/tls/explain';
import {
  alpnExt, certificate, clientHelloBody, ext, HRR_RANDOM, hs, keyShareExt, name, printable, record,
  serverHelloBody, serverKeyShareExt, sniExt, supportedVersionsExt, u16, vec16, vec24, vec8,
} from './build';

function setup() {
  const timeline = new Timeline();
  const conversations = new ConversationTable(new HostTable());
  const tls = new TlsAnalyzer({ timeline, conversations });
  const conv = conversations.open('tcp', '10.0.0.1', 50000, '10.0.0.2', 443, 1, 0);
  const events = () => Array.from({ length: timeline.count }, (_, i) => timeline.get(i));
  return { timeline, tls, conv, events };
}
const B = (a: number[]) => Uint8Array.from(a);

const leaf = certificate(name(['2.5.4.3', printable('shop.example')]), name(['2.5.4.3', printable('Example CA')]),
  '240101000000Z', '250101000000Z', ['shop.example', 'www.shop.example']);
const caCert = certificate(name(['2.5.4.3', printable('Example CA')]), name(['2.5.4.3', printable('Example CA')]),
  '200101000000Z', '300101000000Z');

describe('TlsAnalyzer: a TLS 1.2 handshake with client authentication', () => {
  const { tls, conv, events } = setup();
  const ch = hs(1, clientHelloBody({ ciphers: [0xc02f, 0x009c], extensions: [sniExt('shop.example'), alpnExt(['http/1.1'])] }));
  const sh = hs(2, serverHelloBody({ cipher: 0xc02f, extensions: [alpnExt(['http/1.1'])] }));
  const cert = hs(11, vec24([...vec24(leaf), ...vec24(caCert)]));
  const ske = hs(12, [3, ...u16(0x001d), ...vec8(new Array(32).fill(1)), ...u16(0x0804), ...vec16(new Array(64).fill(2))]);
  const dn = name(['2.5.4.3', printable('Example CA')]);
  const creq = hs(13, [...vec8([1, 64]), ...vec16([...u16(0x0804), ...u16(0x0403)]), ...vec16(vec16(dn))]);
  const shd = hs(14, []);
  // server flight: ServerHello and Certificate in one record, the rest in a second record that spans two segments
  const serverFlight = [...record(22, [...sh, ...cert]), ...record(22, [...ske, ...creq, ...shd])];
  const clientCert = hs(11, vec24(vec24(leaf)));
  const cke = hs(16, vec8(new Array(32).fill(4)));
  const cv = hs(15, [...u16(0x0804), ...vec16(new Array(64).fill(5))]);
  const clientFlight = [...record(22, [...clientCert, ...cke, ...cv]), ...record(20, [1]), ...record(22, new Array(40).fill(0xee))];
  const serverFinish = [...record(22, hs(4, [0, 0, 0x1c, 0x20, ...vec16([1, 2, 3])])), ...record(20, [1]), ...record(22, new Array(40).fill(0xdd))];

  expect(tls.onData(conv, 0, B(record(22, ch, 0x0301)), 4, 0.010)).toBe(true);
  const cut = serverFlight.length - 20;
  expect(tls.onData(conv, 1, B(serverFlight.slice(0, cut)), 6, 0.040)).toBe(true);
  expect(tls.onData(conv, 1, B(serverFlight.slice(cut)), 7, 0.041)).toBe(true);
  // after its Finished the client side needs nothing more
  expect(tls.onData(conv, 0, B(clientFlight), 9, 0.050)).toBe(false);
  expect(tls.onData(conv, 1, B(serverFinish), 11, 0.080)).toBe(false);

  it('lists the cleartext handshake messages with the frame that completed each', () => {
    expect(tls.toJson().map((j) => [j.frame, j.type])).toEqual([
      [4, 'client_hello'], [6, 'server_hello'], [6, 'certificate'], [7, 'server_key_exchange'],
      [7, 'certificate_request'], [7, 'server_hello_done'], [9, 'certificate'], [9, 'client_key_exchange'],
      [9, 'certificate_verify'], [11, 'new_session_ticket'],
    ]);
    const [c, s] = tls.toJson();
    expect(c).toMatchObject({ tcpStream: 0, sni: 'shop.example', alpn: ['http/1.1'] });
    expect(c.supportedVersions).toBeUndefined();
    expect(s).toMatchObject({ cipherSuite: '0xc02f', helloRetryRequest: false, alpn: ['http/1.1'] });
  });

  it('tells the story on the timeline', () => {
    const kinds = events().map((e) => `${e.frame} ${e.kind}`);
    expect(kinds).toEqual([
      '4 tls.client_hello', '6 tls.server_hello', '6 tls.certificate', '7 tls.handshake_message',
      '7 tls.certificate_request', '7 tls.handshake_message', '9 tls.certificate', '9 tls.handshake_message',
      '9 tls.handshake_message', '9 tls.change_cipher_spec', '11 tls.handshake_message', '11 tls.change_cipher_spec',
      '11 tls.handshake_completed',
    ]);
    const certEv = events()[2];
    const f = certEv.ref as CertificateFacts;
    expect(f.count).toBe(2);
    expect(f.certificates[0]).toEqual({ subject: 'CN=shop.example', issuer: 'CN=Example CA', notBefore: '2024-01-01T00:00:00Z',
      notAfter: '2025-01-01T00:00:00Z', dnsNames: ['shop.example', 'www.shop.example'] });
    const done = events().at(-1)!;
    const d = done.ref as HandshakeCompletedFacts;
    expect(d).toMatchObject({ version: '0x0303', cipherSuite: '0xc02f', roundTrips: 2, mutualTls: true, resumed: false, alpn: 'http/1.1' });
    expect(d.duration).toBeCloseTo(0.07, 6);
    expect(conv.title).toBe('TLS shop.example');
  });

  it('explains in plain words', () => {
    const ev = events();
    expect(explainTls(ev[1])).toMatch(/TLS 1\.2 with TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.*two round trips/s);
    expect(explainTls(ev[4])).toMatch(/prove who it is.*mTLS/);
    expect(explainTls(ev[2])).toContain('shop.example');
    expect(explainTls(ev.at(-1)!)).toMatch(/2 round trips.*mutual TLS/s);
  });
});

describe('TlsAnalyzer: TLS 1.3 with a HelloRetryRequest', () => {
  const { tls, conv, events } = setup();
  const ch1 = hs(1, clientHelloBody({ ciphers: [0x1301], sessionId: new Array(32).fill(9),
    extensions: [sniExt('h.example'), supportedVersionsExt([0x0304]), keyShareExt([0x001d])] }));
  const hrr = hs(2, serverHelloBody({ random: HRR_RANDOM, sessionId: new Array(32).fill(9), cipher: 0x1301,
    extensions: [ext(43, u16(0x0304)), ext(51, u16(0x0017))] }));
  const ch2 = hs(1, clientHelloBody({ ciphers: [0x1301], sessionId: new Array(32).fill(9),
    extensions: [sniExt('h.example'), supportedVersionsExt([0x0304]), keyShareExt([0x0017])] }));
  const sh = hs(2, serverHelloBody({ sessionId: new Array(32).fill(9), cipher: 0x1301,
    extensions: [ext(43, u16(0x0304)), serverKeyShareExt(0x0017)] }));

  tls.onData(conv, 0, B(record(22, ch1, 0x0301)), 4, 1.0);
  tls.onData(conv, 1, B([...record(22, hrr), ...record(20, [1])]), 6, 1.03);
  // middlebox-compatibility CCS, then the second ClientHello in clear
  tls.onData(conv, 0, B([...record(20, [1]), ...record(22, ch2)]), 8, 1.031);
  // ServerHello, then encrypted records (EncryptedExtensions...) that must not be listed: the server side is done
  expect(tls.onData(conv, 1, B([...record(22, sh), ...record(20, [1]), ...record(23, new Array(60).fill(1))]), 11, 1.06)).toBe(false);
  // the client's first encrypted record after the ServerHello is its Finished
  expect(tls.onData(conv, 0, B(record(23, new Array(53).fill(2))), 13, 1.062)).toBe(false);

  it('reports the HRR as a server_hello with helloRetryRequest and both ClientHellos', () => {
    expect(tls.toJson().map((j) => [j.frame, j.type, j.helloRetryRequest ?? null])).toEqual([
      [4, 'client_hello', null], [6, 'server_hello', true], [8, 'client_hello', null], [11, 'server_hello', false],
    ]);
    expect(tls.toJson()[1].supportedVersions).toEqual(['0x0304']);
  });

  it('counts the extra round trip', () => {
    const kinds = events().map((e) => e.kind);
    expect(kinds).toEqual(['tls.client_hello', 'tls.hello_retry_request', 'tls.change_cipher_spec',
      'tls.change_cipher_spec', 'tls.client_hello', 'tls.server_hello', 'tls.handshake_completed']);
    const done = events().at(-1)!;
    expect(done.frame).toBe(13);
    expect(done.ref).toMatchObject({ version: '0x0304', roundTrips: 2, helloRetryRequests: 1 });
    expect(explainTls(events()[1])).toMatch(/secp256r1.*extra round trip/s);
    expect(explainTls(events()[5])).toMatch(/TLS 1\.3.*one round trip/s);
    expect(explainTls(done)).toMatch(/2 round trips.*HelloRetryRequest added one/s);
  });
});

describe('TlsAnalyzer: alerts, plain text, key log', () => {
  it('a fatal alert in clear ends the side; an alert after ChangeCipherSpec is reported as encrypted', () => {
    const { tls, conv, events } = setup();
    tls.onData(conv, 0, B(record(22, hs(1, clientHelloBody({ ciphers: [0x2f] })))), 4, 0);
    expect(tls.onData(conv, 1, B(record(21, [2, 40])), 5, 0.1)).toBe(false);
    const a = events().at(-1)!;
    expect(a.kind).toBe('tls.alert');
    expect(a.ref).toMatchObject({ encrypted: false, level: 'fatal', description: 'handshake_failure', fromClient: false });
    expect(explainTls(a)).toMatch(/fatal alert from the server: handshake_failure/);

    const s2 = setup();
    s2.tls.onData(s2.conv, 0, B(record(22, hs(1, clientHelloBody({ ciphers: [0x2f] })))), 1, 0);
    s2.tls.onData(s2.conv, 1, B(record(22, hs(2, serverHelloBody({ cipher: 0x2f })))), 2, 0);
    s2.tls.onData(s2.conv, 0, B([...record(20, [1]), ...record(21, new Array(26).fill(7))]), 3, 0);
    expect(s2.events().at(-1)!.ref).toMatchObject({ encrypted: true });
  });

  it('stops at once on a stream that is not TLS (HTTP on port 443)', () => {
    const { tls, conv } = setup();
    expect(tls.onData(conv, 0, new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 4, 0)).toBe(false);
    expect(tls.toJson()).toEqual([]);
  });

  it('matches key log lines to the handshake by client random, before or after the hello', () => {
    const random = Array.from({ length: 32 }, (_, i) => 0xa0 + (i % 16));
    const rhex = random.map((b) => b.toString(16).padStart(2, '0')).join('');
    const ch = B(record(22, hs(1, clientHelloBody({ ciphers: [0x1301], random, extensions: [supportedVersionsExt([0x0304])] }))));

    const before = setup();
    before.tls.loadKeyLog(`# comment\nCLIENT_HANDSHAKE_TRAFFIC_SECRET ${rhex} ${'11'.repeat(32)}\n` +
      `SERVER_HANDSHAKE_TRAFFIC_SECRET ${rhex} ${'22'.repeat(32)}\nCLIENT_RANDOM ${'00'.repeat(32)} ${'33'.repeat(48)}\n`);
    before.tls.onData(before.conv, 0, ch, 4, 0);
    const ev = before.events().find((e) => e.kind === 'tls.keys_available')!;
    expect(ev.frame).toBe(4);
    expect(ev.ref).toMatchObject({ clientRandom: rhex, labels: ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'] });

    const after = setup();
    after.tls.onData(after.conv, 0, ch, 4, 0);
    expect(after.events().some((e) => e.kind === 'tls.keys_available')).toBe(false);
    after.tls.loadKeyLog(`CLIENT_TRAFFIC_SECRET_0 ${rhex.toUpperCase()} ${'44'.repeat(32)}`);
    expect(after.events().find((e) => e.kind === 'tls.keys_available')?.ref).toMatchObject({ clientHelloFrame: 4 });
  });

  it('decodes a CertificateRequest\'s CA names and a SAN-less certificate', () => {
    const { tls, conv, events } = setup();
    const subject = name(['2.5.4.6', printable('DE')], ['2.5.4.10', printable('Acme')], ['2.5.4.3', printable('acme.test')]);
    tls.onData(conv, 0, B(record(22, hs(1, clientHelloBody({ ciphers: [0x2f] })))), 1, 0);
    tls.onData(conv, 1, B(record(22, [
      ...hs(2, serverHelloBody({ cipher: 0x2f })),
      ...hs(11, vec24(vec24(certificate(subject, subject, '991231235959Z', '491231235959Z')))),
      ...hs(13, [...vec8([1]), ...vec16(u16(0x0401)), ...vec16(vec16(subject))]),
    ])), 2, 0);
    const cert = events().find((e) => e.kind === 'tls.certificate')!.ref as CertificateFacts;
    // RFC 5280: UTCTime years ≥ 50 are 19xx
    expect(cert.certificates[0]).toMatchObject({ subject: 'C=DE, O=Acme, CN=acme.test', notBefore: '1999-12-31T23:59:59Z',
      notAfter: '2049-12-31T23:59:59Z', dnsNames: [] });
    expect(events().find((e) => e.kind === 'tls.certificate_request')!.ref).toMatchObject({ authorities: ['C=DE, O=Acme, CN=acme.test'] });
  });
});

describe('TlsAnalyzer: facts and JSON rows of repeated handshakes', () => {
  it('gives every connection its own values, in the same key order, before and after finish()', () => {
    const timeline = new Timeline();
    const conversations = new ConversationTable(new HostTable());
    const tls = new TlsAnalyzer({ timeline, conversations });
    const variants = [
      { sni: 'a.example', alpn: ['h2', 'http/1.1'], v13: true },
      { sni: 'b.example', alpn: ['h2', 'http/1.1'], v13: true },
      { sni: 'a.example', alpn: ['http/1.1'], v13: false },
      { sni: 'c.example', alpn: ['h2', 'http/1.1'], v13: true },
    ];
    let frame = 1;
    for (let i = 0; i < 12; i++) {
      const v = variants[i % variants.length];
      const conv = conversations.open('tcp', '10.0.0.1', 40000 + i, '10.0.0.2', 443, frame, i);
      const exts = [sniExt(v.sni), alpnExt(v.alpn), ...(v.v13 ? [supportedVersionsExt([0x0304, 0x0303]), keyShareExt([0x001d])] : [])];
      tls.onData(conv, 0, B(record(22, hs(1, clientHelloBody({ ciphers: [0x1301, 0xc02f], extensions: exts })))), frame++, i);
      const sExts = v.v13 ? [ext(43, u16(0x0304)), serverKeyShareExt(0x001d)] : [alpnExt(['http/1.1'])];
      tls.onData(conv, 1, B(record(22, hs(2, serverHelloBody({ cipher: v.v13 ? 0x1301 : 0xc02f, extensions: sExts })))),
        frame++, i + 0.01);
      if (v.v13) tls.onData(conv, 0, B(record(23, new Array(40).fill(1))), frame++, i + 0.02);
    }
    const snapshot = () => JSON.stringify({
      json: tls.toJson(),
      refs: Array.from({ length: timeline.count }, (_, i) => [timeline.get(i).kind, Object.keys(timeline.get(i).ref ?? {}),
        timeline.get(i).ref]),
    });
    const before = snapshot();
    tls.finish();
    expect(snapshot()).toBe(before);
    const hellos = Array.from({ length: timeline.count }, (_, i) => timeline.get(i))
      .filter((e) => e.kind === 'tls.client_hello').map((e) => e.ref as { sni: string; alpn: string[] });
    expect(hellos.map((h) => h.sni)).toEqual(Array.from({ length: 12 }, (_, i) => variants[i % 4].sni));
    expect(Object.keys(hellos[0])).toEqual(['sni', 'alpn', 'versions', 'legacyVersion', 'cipherSuites', 'groups',
      'keyShareGroups', 'ja3', 'ja4', 'sslv2', 'attempt', 'resumption', 'earlyData']);
    const done = Array.from({ length: timeline.count }, (_, i) => timeline.get(i))
      .filter((e) => e.kind === 'tls.handshake_completed').map((e) => e.ref as HandshakeCompletedFacts);
    expect(done.map((d) => [d.sni, d.duration])).toEqual(
      [0, 1, 3, 4, 5, 7, 8, 9, 11].map((i) => [variants[i % 4].sni, expect.closeTo(0.02, 9)]));
    expect(tls.toJson()[0]).toEqual({ frame: 1, tcpStream: 0, type: 'client_hello', sni: 'a.example',
      alpn: ['h2', 'http/1.1'], supportedVersions: ['0x0304', '0x0303'], ja3: expect.any(String), ja4: expect.any(String) });
  });
});
