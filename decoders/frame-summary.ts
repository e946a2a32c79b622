// One-line labels for the diagram's arrows, in the spirit of Wireshark's flow graph and Info column:
// "[SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM WS=128", "TLS ClientHello SNI=example.com", "DNS A? example.com".
// Built on demand from the frame's bytes plus the facts the reconstructions stored; never stored per frame.
import type { DecodedPacket } from './packet';
import { TcpFlag } from './packet';
import type { TimelineEvent } from './timeline';

export type FrameCategory = 'handshake' | 'data' | 'ack' | 'window' | 'loss' | 'close' | 'tls' | 'dns' | 'quic' | 'other';

export interface FrameSummary { label: string; category: FrameCategory }

export interface TcpLabelFacts {
  relSeq: number;
  relAck: number;
  /** Advertised window in bytes (scaled when the scale is known), or the raw field. */
  window: number;
  /** tshark names of the analysis flags of this frame (retransmission, duplicate_ack...). */
  analysis: string[];
}

const FLAG_NAMES: [number, string][] = [
  [TcpFlag.FIN, 'FIN'], [TcpFlag.SYN, 'SYN'], [TcpFlag.RST, 'RST'], [TcpFlag.PSH, 'PSH'], [TcpFlag.ACK, 'ACK'],
  [TcpFlag.URG, 'URG'], [TcpFlag.ECE, 'ECE'], [TcpFlag.CWR, 'CWR'],
];

const ANALYSIS_TEXT: Record<string, string> = {
  retransmission: 'TCP Retransmission', fast_retransmission: 'TCP Fast Retransmission',
  spurious_retransmission: 'TCP Spurious Retransmission', out_of_order: 'TCP Out-Of-Order',
  duplicate_ack: 'TCP Dup ACK', zero_window: 'TCP ZeroWindow', zero_window_probe: 'TCP ZeroWindowProbe',
  zero_window_probe_ack: 'TCP ZeroWindowProbeAck', window_full: 'TCP Window Full', window_update: 'TCP Window Update',
  keep_alive: 'TCP Keep-Alive', keep_alive_ack: 'TCP Keep-Alive ACK', lost_segment: 'TCP Previous segment not captured',
  ack_lost_segment: 'TCP ACKed unseen segment',
};

export function tcpFlagsText(flags: number): string {
  return FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n).join(', ');
}

export function tcpLabel(p: DecodedPacket, facts: TcpLabelFacts): FrameSummary {
  const t = p.tcp!;
  const parts: string[] = [];
  for (const a of facts.analysis) if (ANALYSIS_TEXT[a]) parts.push(`[${ANALYSIS_TEXT[a]}]`);
  parts.push(`[${tcpFlagsText(t.flags)}]`);
  parts.push(`Seq=${facts.relSeq}`);
  if (t.flags & TcpFlag.ACK) parts.push(`Ack=${facts.relAck}`);
  parts.push(`Win=${facts.window}`, `Len=${t.payloadLength}`);
  const o = t.options;
  if (o.mss !== undefined) parts.push(`MSS=${o.mss}`);
  if (o.sackPermitted) parts.push('SACK_PERM');
  if (o.windowScale !== undefined) parts.push(`WS=${2 ** Math.min(o.windowScale, 14)}`);
  if (o.sack && o.sack.length) parts.push(`SACK blocks=${o.sack.length / 2}`);
  return { label: parts.join(' '), category: tcpCategory(t.flags, t.payloadLength, facts.analysis) };
}

function tcpCategory(flags: number, len: number, analysis: string[]): FrameCategory {
  if (analysis.some((a) => /retransmission|lost_segment|out_of_order|duplicate_ack/.test(a))) return 'loss';
  if (flags & (TcpFlag.RST | TcpFlag.FIN)) return 'close';
  if (flags & TcpFlag.SYN) return 'handshake';
  if (analysis.some((a) => /window/.test(a))) return 'window';
  return len > 0 ? 'data' : 'ack';
}

type Facts = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** A label from the application-layer events of the frame (TLS, DNS, QUIC), or null when it has none. */
export function appLabel(events: TimelineEvent[]): FrameSummary | null {
  const tls: string[] = [], dns: string[] = [], quic: string[] = [];
  for (const e of events) {
    const f = (e.ref ?? {}) as Facts;
    switch (e.kind) {
      case 'tls.client_hello': {
        const sni = str(f.sni), alpn = list(f.alpn);
        tls.push(`ClientHello${sni ? ` SNI=${sni}` : ''}${alpn.length ? ` ALPN=${alpn.join(',')}` : ''}`);
        break;
      }
      case 'tls.server_hello': tls.push(`ServerHello${str(f.version) ? ` ${f.version}` : ''}${str(f.cipherName) ?? str(f.cipherSuite) ? ` ${str(f.cipherName) ?? str(f.cipherSuite)}` : ''}`); break;
      case 'tls.hello_retry_request': tls.push('HelloRetryRequest'); break;
      case 'tls.certificate': tls.push('Certificate'); break;
      case 'tls.certificate_request': tls.push('CertificateRequest'); break;
      case 'tls.change_cipher_spec': tls.push('ChangeCipherSpec'); break;
      case 'tls.alert': tls.push(`Alert${str(f.description) ? ` ${f.description}` : ''}`); break;
      case 'tls.handshake_message': tls.push(str(f.name) ?? str(f.type) ?? 'Handshake'); break;
      case 'dns.query': case 'dns.retransmission': dns.push(dnsText(f, false)); break;
      case 'dns.response': dns.push(dnsText(f, true)); break;
      case 'quic.initial': case 'quic.handshake': case 'quic.retry': case 'quic.version_negotiation':
      case 'quic.0rtt': case 'quic.1rtt': case 'quic.connection_close': {
        const sni = str(f.sni);
        quic.push(`${e.kind.slice(5).replace('_', ' ')}${sni ? ` SNI=${sni}` : ''}`);
        break;
      }
      default: break;
    }
  }
  if (tls.length) return { label: `TLS ${tls.join(', ')}`, category: 'tls' };
  if (dns.length) return { label: `DNS ${dns.join(', ')}`, category: 'dns' };
  if (quic.length) return { label: `QUIC ${quic.join(', ')}`, category: 'quic' };
  return null;
}

function dnsText(f: Facts, response: boolean): string {
  const name = str(f.name) ?? str((f.questions as Facts[] | undefined)?.[0]?.name as unknown) ?? '';
  const type = str(f.typeName) ?? str(f.qtypeName) ?? '';
  if (!response) return `${type}? ${name}`.trim();
  const rcode = str(f.rcodeName);
  if (rcode && rcode !== 'NOERROR') return `${rcode} ${name}`;
  const answers = list(f.answerData ?? f.addresses);
  return `${type} ${name}${answers.length ? ` → ${answers.slice(0, 3).join(', ')}${answers.length > 3 ? ', …' : ''}` : ''}`.trim();
}
