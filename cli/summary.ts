// The human-readable default of `packetflow analyze`: a few lines a person reads, not a contract.
import type { AnalysisJson } from '../decoders/analysis-json';
import type { Analyzer } from '../decoders/analyzer';

const LINK_NAMES: Record<number, string> = {
  0: 'BSD loopback', 1: 'Ethernet', 9: 'PPP', 12: 'raw IP', 14: 'raw IP', 101: 'raw IP', 108: 'OpenBSD loopback',
  113: 'Linux cooked (SLL)', 228: 'raw IPv4', 229: 'raw IPv6', 239: 'NFLOG', 276: 'Linux cooked v2 (SLL2)',
};

export function summarize(doc: AnalysisJson, analyzer: Analyzer): string {
  const m = analyzer.model;
  const lines: string[] = [];
  const duration = m.frames.count ? m.frames.time[m.frames.count - 1] : 0;
  lines.push(`${doc.file}: ${doc.format}${doc.compressed ? ' (gzip)' : ''}, ${doc.frames} frames over ${duration.toFixed(3)} s`);
  lines.push(`link types: ${doc.linkTypes.map((l) => `${l} ${LINK_NAMES[l] ?? '(unknown)'}`).join(', ') || 'none'}`);
  const byProto = new Map<string, number>();
  for (const c of m.conversations) {
    const k = c.app ? `${c.protocol}/${c.app}` : c.protocol;
    byProto.set(k, (byProto.get(k) ?? 0) + 1);
  }
  lines.push(`conversations: ${m.conversations.length}${byProto.size ? ` (${[...byProto].map(([k, n]) => `${n} ${k}`).join(', ')})` : ''}`);
  const flags = new Map<string, number>();
  for (const t of doc.tcp ?? []) for (const [k, v] of Object.entries(t.analysis)) flags.set(k, (flags.get(k) ?? 0) + (v?.length ?? 0));
  if (flags.size) lines.push(`tcp analysis: ${[...flags].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const snis = [...new Set((doc.tls ?? []).map((t) => t.sni).filter(Boolean))];
  if (doc.tls?.length) lines.push(`tls: ${doc.tls.length} handshake messages${snis.length ? `, SNI ${snis.slice(0, 5).join(', ')}` : ''}`);
  if (doc.dns?.length) {
    const names = [...new Set(doc.dns.flatMap((d) => d.questions.map((q) => q.name)))];
    lines.push(`dns: ${doc.dns.length} messages, names ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`);
  }
  if (doc.quic?.length) lines.push(`quic: ${doc.quic.length} packets`);
  for (const w of doc.warnings.slice(0, 10)) lines.push(`warning: ${w.message}`);
  if (doc.warnings.length > 10) lines.push(`… and ${doc.warnings.length - 10} more warnings`);
  lines.push(`top conversations:`);
  const top = [...m.conversations].sort((a, b) => b.packets - a.packets).slice(0, 10);
  for (const c of top) {
    const notes = Object.entries(c.notes).map(([k, n]) => `${k}: ${n}`).join(', ');
    lines.push(`  ${c.protocol.padEnd(4)} ${c.client} -> ${c.server}  ${c.packets} packets, ${c.bytes[0] + c.bytes[1]} bytes${c.title ? `  ${c.title}` : ''}${notes ? `  [${notes}]` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
