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
  /** Relative form of a SACK edge (relative to the data it acknowledges). */
  relSackEdge: (raw: number) => number;
  /** Advertised window in bytes (scaled when the scale is known), or the raw field. */
  window: number;
  /** tshark names of the analysis flags of this frame (retransmission, duplicate_ack...). */
  analysis: string[];
  /** For a duplicate ACK: the frame it duplicates and its number ("Dup ACK 45#1"). */
  dupAck?: { frame: number; n: number };
}

const FLAG_NAMES: [number, string][] = [
  [TcpFlag.FIN, 'FIN'], [TcpFlag.SYN, 'SYN'], [TcpFlag.RST, 'RST'], [TcpFlag.PSH, 'PSH'], [TcpFlag.ACK, 'ACK'],
  [TcpFlag.URG, 'URG'], [TcpFlag.ECE, 'ECE'], [TcpFlag.CWR, 'CWR'],
];

// tshark's Info-column texts, most telling first (tshark shows one retransmission kind).
const ANALYSIS_TEXT: [string, string][] = [
  ['spurious_retransmission', 'TCP Spurious Retransmission'], ['fast_retransmission', 'TCP Fast Retransmission'],
  ['retransmission', 'TCP Retransmission'], ['out_of_order', 'TCP Out-Of-Order'], ['lost_segment', 'TCP Previous segment not captured'],
  ['ack_lost_segment', 'TCP ACKed unseen segment'], ['zero_window_probe', 'TCP ZeroWindowProbe'],
  ['zero_window_probe_ack', 'TCP ZeroWindowProbeAck'], ['zero_window', 'TCP ZeroWindow'], ['window_full', 'TCP Window Full'],
  ['window_update', 'TCP Window Update'], ['keep_alive', 'TCP Keep-Alive'], ['keep_alive_ack', 'TCP Keep-Alive ACK'],
];

export function tcpFlagsText(flags: number): string {
  return FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n).join(', ');
}

/** Like tshark's Info column for a TCP segment: "[TCP Retransmission] 1470 → 25 [ACK] Seq=1603 Ack=463 Win=65073 Len=1452". */
export function tcpLabel(p: DecodedPacket, facts: TcpLabelFacts): FrameSummary {
  const t = p.tcp!;
  const parts: string[] = [];
  const has = new Set(facts.analysis);
  let retransmissionShown = false;
  for (const [name, text] of ANALYSIS_TEXT) {
    if (!has.has(name)) continue;
    if (name.endsWith('retransmission')) {
      if (retransmissionShown) continue;
      retransmissionShown = true;
    }
    parts.push(`[${text}]`);
  }
  if (has.has('duplicate_ack') && facts.dupAck) parts.push(`[TCP Dup ACK ${facts.dupAck.frame}#${facts.dupAck.n}]`);
  parts.push(`${t.srcPort} → ${t.dstPort}`, `[${tcpFlagsText(t.flags)}]`, `Seq=${facts.relSeq}`);
  if (t.flags & TcpFlag.ACK) parts.push(`Ack=${facts.relAck}`);
  parts.push(`Win=${facts.window}`, `Len=${t.payloadLength}`);
  const o = t.options;
  if (o.mss !== undefined) parts.push(`MSS=${o.mss}`);
  if (o.sackPermitted) parts.push('SACK_PERM');
  if (o.sack) for (let i = 0; i + 1 < o.sack.length; i += 2) parts.push(`SLE=${facts.relSackEdge(o.sack[i])}`, `SRE=${facts.relSackEdge(o.sack[i + 1])}`);
  if (o.tsVal !== undefined) parts.push(`TSval=${o.tsVal}`, `TSecr=${o.tsEcr ?? 0}`);
  if (o.windowScale !== undefined) parts.push(`WS=${2 ** Math.min(o.windowScale, 14)}`);
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

const QUIC_TYPE: Record<string, string> = {
  initial: 'Initial', handshake: 'Handshake', '0rtt': '0-RTT', '1rtt': '1-RTT', retry: 'Retry',
  version_negotiation: 'Version Negotiation',
};

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
      case 'tls.server_hello': tls.push(['ServerHello', str(f.versionName), str(f.cipherName)].filter(Boolean).join(' ')); break;
      case 'tls.hello_retry_request': tls.push(`HelloRetryRequest${str(f.group) ? ` group=${f.group}` : ''}`); break;
      case 'tls.certificate': tls.push('Certificate'); break;
      case 'tls.certificate_request': tls.push('CertificateRequest'); break;
      case 'tls.change_cipher_spec': tls.push('ChangeCipherSpec'); break;
      case 'tls.alert': tls.push(f.encrypted ? 'Encrypted Alert' : `Alert ${str(f.level) ?? ''} ${str(f.description) ?? ''}`.trim()); break;
      case 'tls.handshake_message': tls.push(str(f.type) ?? 'Handshake'); break;
      case 'dns.query': case 'dns.retransmission': dns.push(`${str(f.type) ?? ''}? ${str(f.name) ?? ''}`.trim()); break;
      case 'dns.response': dns.push(dnsAnswerText(f)); break;
      case 'quic.initial': case 'quic.handshake': case 'quic.retry': case 'quic.version_negotiation':
      case 'quic.0rtt': case 'quic.1rtt': {
        const type = QUIC_TYPE[e.kind.slice(5)] ?? e.kind.slice(5);
        const dcid = str(f.dcid), sni = str(f.sni);
        quic.push(`${type}${dcid ? ` DCID=${dcid.length > 8 ? `${dcid.slice(0, 8)}…` : dcid}` : ''}${sni ? ` SNI=${sni}` : ''}`);
        break;
      }
      case 'quic.connection_close': quic.push('CONNECTION_CLOSE'); break;
      default: break;
    }
  }
  if (tls.length) return { label: `TLS ${tls.join(', ')}`, category: 'tls' };
  if (dns.length) return { label: `DNS ${dns.join(', ')}`, category: 'dns' };
  if (quic.length) return { label: `QUIC ${quic.join(', ')}`, category: 'quic' };
  return null;
}

function dnsAnswerText(f: Facts): string {
  const name = str(f.name) ?? '';
  const rcode = str(f.rcodeName);
  if (rcode && rcode !== 'NOERROR' && rcode !== 'NoError') return `${rcode} ${name}`;
  const addresses = list(f.addresses);
  const chain = list(f.chain);
  const via = chain.length > 1 ? ` (via ${chain.slice(1).join(' → ')})` : '';
  const shown = addresses.length ? ` → ${addresses.slice(0, 3).join(', ')}${addresses.length > 3 ? ', …' : ''}` : '';
  return `${str(f.type) ?? ''} ${name}${shown}${via}`.trim();
}
