// A server's first flight whose first segment was lost before the capture point: the capture holds its second
// segment first, then the resend. tshark dissects a fast retransmission from its first byte (the ServerHello is
// found in the resend's frame) but not a plain one; the TLS parser must not give up on the stream because the
// first bytes it saw were the middle of a record.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureFileSync } from '../../../capture/node-file-source';
import { Analyzer } from '../../../decoders/analyzer';
import { pcapFile, type Seg } from '../tcp/builder';
import { needTshark } from '../../support/require';
import { clientHelloBody, ext, hs, keyShareExt, record, serverHelloBody, serverKeyShareExt, sniExt, supportedVersionsExt, u16 } from './build';

const C = { ip: '10.0.0.1', port: 40000 }, S = { ip: '10.0.0.2', port: 443 };
const hello = Uint8Array.from(record(22, hs(1, clientHelloBody({ ciphers: [0x1301],
  extensions: [sniExt('example.com'), supportedVersionsExt([0x0304]), keyShareExt([29])] }))));
const flight = Uint8Array.from([
  ...record(22, hs(2, serverHelloBody({ cipher: 0x1301, extensions: [ext(43, u16(0x0304)), serverKeyShareExt(29)] }))),
  ...record(20, [1]), ...record(23, new Array(2000).fill(0x55)),
]);

/** Handshake, ClientHello, the flight's second segment, the client's ACKs (three of the same with `fast`), the resend. */
function segments(fast: boolean): Seg[] {
  const c = (x: Partial<Seg>): Seg => ({ from: 'c', src: C, dst: S, flags: 'A', seq: 1001 + hello.length, ack: 5001, ...x });
  const s = (x: Partial<Seg>): Seg => ({ from: 's', src: S, dst: C, flags: 'A', ack: 1001 + hello.length, seq: 5001, ...x });
  return [
    c({ flags: 'S', seq: 1000, ack: 0, t: 0, mss: 1460 }),
    s({ flags: 'SA', seq: 5000, ack: 1001, t: 0.05, mss: 1460 }),
    c({ seq: 1001, t: 0.1 }),
    c({ flags: 'PA', seq: 1001, payload: hello, t: 0.1001 }),
    s({ seq: 6461, payload: flight.subarray(1460), t: 0.151 }),
    c({ t: 0.152 }),
    ...(fast ? [c({ t: 0.153 }), c({ t: 0.154 })] : []),
    s({ payload: flight.subarray(0, 1460), t: fast ? 0.155 : 0.4 }),
    c({ ack: 5001 + flight.length, t: 0.45 }),
  ];
}

function ours(file: string): string[] {
  const a = new Analyzer({ fileName: file });
  readCaptureFileSync(file, (frames) => a.push(frames));
  a.finish();
  return a.tls.toJson().map((h) => `${h.frame} ${h.type}`);
}

function tshark(file: string): string[] {
  const r = spawnSync('tshark', ['-n', '-o', 'tcp.check_checksum:FALSE', '-r', file, '-Y', 'tls.handshake.type',
    '-T', 'fields', '-e', 'frame.number', '-e', 'tls.handshake.type'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  const names: Record<string, string> = { 1: 'client_hello', 2: 'server_hello' };
  return r.stdout.trim().split('\n').map((l) => l.split('\t')).map(([f, t]) => `${f} ${names[t.split(',')[0]] ?? t}`);
}

describe('TLS handshake behind a segment lost before the capture point', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-tls-lost-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (fast: boolean) => {
    const f = join(dir, `${fast ? 'fast' : 'plain'}.pcap`);
    writeFileSync(f, pcapFile(segments(fast)));
    return f;
  };

  it('finds the ServerHello in a fast retransmission that fills the gap', () => {
    expect(ours(file(true))).toEqual(['4 client_hello', '9 server_hello']);
  });

  it('does not parse a plain retransmission (as tshark)', () => {
    expect(ours(file(false))).toEqual(['4 client_hello']);
  });

  it.skipIf(needTshark())('agrees with tshark on both', () => {
    for (const fast of [true, false]) expect(ours(file(fast))).toEqual(tshark(file(fast)));
  });
});
