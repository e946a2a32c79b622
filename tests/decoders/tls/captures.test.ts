// The whole pipeline on the real captures in ../shared, TLS section against tshark's oracle message by message.
// tshark with default preferences does not dissect out-of-order segments (nor does the pipeline's default TCP
// delivery, to agree with it); with TCP delivering a receiver's reordered stream, the messages those segments carry
// must match tshark run with tcp.reassemble_out_of_order:TRUE.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyze, analyzeTlsReordered } from './analyze-capture';
import { needShared, needTshark, sharedCaptures } from '../../support/require';

interface OracleTlsMessage { type: number; sni?: string; alpn?: string[]; supported_versions?: string[]; cipher_suite?: string; hello_retry_request?: boolean }
interface OracleTlsRecord { frame: number; transport: string; stream: number; messages: OracleTlsMessage[] }

const TYPES: Record<number, string> = { 1: 'client_hello', 2: 'server_hello', 4: 'new_session_ticket', 11: 'certificate',
  12: 'server_key_exchange', 13: 'certificate_request', 14: 'server_hello_done', 16: 'client_key_exchange', 20: 'finished',
  8: 'encrypted_extensions', 15: 'certificate_verify', 25: 'compressed_certificate' };

/** Captures where tshark's default (no out-of-order reassembly) hides handshake messages. */
const OUT_OF_ORDER = new Set(['ndpi__google_ssl.pcap', 'zeek__hrr.pcap']);

const skip = needShared();
describe.skipIf(skip)('TLS over the real captures', () => {
  const files = skip ? [] : ['arkime__tls13.pcap', 'ja4__chrome-cloudflare-quic-with-secrets.pcapng', 'ja4__ipv6.pcapng',
    'ndpi__google_ssl.pcap', 'ndpi__tls_1.3_unidirectional_client.pcapng', 'zeek__chrome-1250-tls-x25519-kyber.pcap',
    'zeek__ecdhe.pcap', 'zeek__hrr.pcap', 'zeek__smtp.pcap'].filter((f) => existsSync(join(sharedCaptures, f)));

  for (const file of files) {
    it(`every handshake message tshark lists is ours too, with the same facts: ${file}`, () => {
      const oracle = JSON.parse(readFileSync(join(sharedCaptures, 'oracle', `${file}.json`), 'utf8'));
      const v13 = new Set((oracle.tls.per_stream as { tcp_stream: number; negotiated_version: string | null }[])
        .filter((s) => s.negotiated_version === '0x0304').map((s) => s.tcp_stream));
      const ours = analyze(file).tls.toJson();
      const used = new Set<number>();
      for (const rec of oracle.tls.handshake_records as OracleTlsRecord[]) {
        if (rec.transport !== 'tcp') continue;
        for (const m of rec.messages) {
          const type = TYPES[m.type];
          // TLS 1.3 after the hellos is visible to tshark only with the capture's keys (decryption is a later step)
          if (v13.has(rec.stream) && m.type !== 1 && m.type !== 2) continue;
          const i = ours.findIndex((o, j) => !used.has(j) && o.frame === rec.frame && o.type === type);
          expect(i, `${type} in frame ${rec.frame}`).toBeGreaterThanOrEqual(0);
          used.add(i);
          const o = ours[i];
          if (m.sni !== undefined) expect(o.sni).toBe(m.sni);
          if (m.alpn !== undefined) expect(o.alpn).toEqual(m.alpn);
          if (m.supported_versions !== undefined) expect(o.supportedVersions).toEqual(m.supported_versions);
          if (m.cipher_suite !== undefined) expect(o.cipherSuite).toBe(m.cipher_suite);
          if (m.type === 2) expect(!!o.helloRetryRequest).toBe(!!m.hello_retry_request);
        }
      }
      const tlsStreams = new Set((oracle.tls.handshake_records as OracleTlsRecord[]).map((r) => r.stream));
      const extra = ours.filter((o, j) => !used.has(j) && tlsStreams.has(o.tcpStream) &&
        !(v13.has(o.tcpStream) && o.type !== 'client_hello' && o.type !== 'server_hello'));
      expect(extra).toEqual([]);
    });
  }

  const noTshark = needTshark();
  it.skipIf(noTshark)('over reordered TCP streams we agree with tshark reassembling out-of-order segments too', () => {
    for (const file of OUT_OF_ORDER) {
      const r = spawnSync('tshark', ['-n', '-o', 'tcp.reassemble_out_of_order:TRUE', '-o', 'tcp.desegment_tcp_streams:TRUE',
        '-r', join(sharedCaptures, file), '-Y', 'tls.handshake.type', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,',
        '-e', 'frame.number', '-e', 'tls.handshake.type'], { encoding: 'utf8' });
      const theirs = r.stdout.trim().split('\n').flatMap((l) => {
        const [frame, types] = l.split('\t');
        return types.split(',').map((t) => `${frame} ${TYPES[Number(t)] ?? t}`);
      });
      const ours = analyzeTlsReordered(file).toJson().map((o) => `${o.frame} ${o.type}`);
      expect(ours).toEqual(theirs);
    }
  });

  it('the Chrome handshake: JA4 as FoxIO computes it, keys from the capture\'s secrets block, 1 round trip', () => {
    const a = analyze('ja4__chrome-cloudflare-quic-with-secrets.pcapng');
    const ch = a.tls.toJson().find((t) => t.type === 'client_hello')!;
    expect(ch.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    const kinds = Array.from({ length: a.model.timeline.count }, (_, i) => a.model.timeline.get(i))
      .filter((e) => e.kind.startsWith('tls.'));
    expect(kinds.map((e) => e.kind)).toContain('tls.keys_available');
    const done = kinds.find((e) => e.kind === 'tls.handshake_completed')!;
    expect(done.ref).toMatchObject({ version: '0x0304', cipherSuite: '0x1301', roundTrips: 1, sni: 'cloudflare-quic.com' });
  });
});

describe.skipIf(skip)('timeline order', () => {
  it('TLS and DNS events keep the timeline in frame order on every capture that has them', () => {
    const files = ['zeek__hrr.pcap', 'ndpi__google_ssl.pcap', 'zeek__smtp.pcap', 'chrissanders-packets__dns_lab.pcapng',
      'zeek__ipv6-fragmented-dns.pcap', 'arkime__v6.pcap', 'chrissanders-packets__dns_axfr.pcapng',
      'ja4__chrome-cloudflare-quic-with-secrets.pcapng'];
    for (const f of files) {
      const t = analyze(f).model.timeline;
      let tlsDns = 0;
      for (let i = 0; i < t.count; i++) {
        if (i > 0) expect(t.frame[i], `${f} event ${i}`).toBeGreaterThanOrEqual(t.frame[i - 1]);
        if (/^(tls|dns)\./.test(t.kindOf(i))) tlsDns++;
      }
      expect(tlsDns, f).toBeGreaterThan(0);
    }
  });
});
