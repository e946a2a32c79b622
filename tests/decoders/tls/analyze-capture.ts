// Runs the whole pipeline (reader, wire decoders, TCP, TLS, DNS...) over one capture of ../shared.
import { join } from 'node:path';
import { readCaptureFileSync } from '../../../capture/node-file-source';
import { Analyzer } from '../../../decoders/analyzer';
import { ConversationTable, HostTable } from '../../../decoders/conversations';
import { decodePacket } from '../../../decoders/decode';
import { TcpAnalyzer } from '../../../decoders/tcp/analyzer';
import { Timeline } from '../../../decoders/timeline';
import { TlsAnalyzer } from '../../../decoders/tls/analyzer';
import { sharedCaptures } from '../../support/require';

export function analyze(file: string): Analyzer {
  const a = new Analyzer({ fileName: file });
  let secrets = 0;
  const info = readCaptureFileSync(join(sharedCaptures, file), (frames, progress) => {
    while (secrets < progress.secrets.length) a.addSecrets(progress.secrets[secrets++]);
    a.push(frames);
  });
  while (secrets < info.secrets.length) a.addSecrets(info.secrets[secrets++]);
  a.finish();
  return a;
}

/**
 * TLS only, over TCP streams as a receiver sees them ('reorder': out-of-order segments wait for the hole to fill),
 * instead of the pipeline's default tshark-like delivery.
 */
export function analyzeTlsReordered(file: string): TlsAnalyzer {
  const timeline = new Timeline();
  const conversations = new ConversationTable(new HostTable());
  const tls = new TlsAnalyzer({ timeline, conversations });
  const tcp = new TcpAnalyzer({ timeline, conversations, sink: tls, streamMode: 'reorder' });
  let t0 = NaN;
  readCaptureFileSync(join(sharedCaptures, file), (frames) => {
    for (const f of frames) {
      if (Number.isNaN(t0)) t0 = f.timestamp;
      const p = decodePacket(f);
      if (p.tcp) tcp.onPacket(p, f.timestamp - t0);
    }
  });
  tcp.finish();
  tls.finish();
  return tls;
}
