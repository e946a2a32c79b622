// What the app shows about one frame or event, computed on demand from the stored model (never stored per frame):
// the arrow label, the layer tree, the plain-words explanation and the TCP endpoints' state at that moment.
import type { RawFrame } from '../capture/frame';
import type { Analyzer } from './analyzer';
import { PacketDecoder } from './decode';
import { appLabel, tcpLabel, type FrameSummary } from './frame-summary';
import { describeFrame as describeLayers, type LayerNode } from './wire/describe';
import { TcpAnalysisFlag, tcpAnalysisNames } from './tcp/flags';
import { tcpStateName } from './tcp/events';
import { explainTcpEvent, type ExplainContext } from './tcp/explain';
import { explainTls } from './tls/explain';
import { explainDns } from './dns/explain';
import { explainQuicEvent } from './quic/explain';
import { TcpFlag } from './packet';
import type { TimelineEvent } from './timeline';

export type { FrameSummary, LayerNode };

export interface TcpMoment {
  client: string;
  server: string;
  clientWindow: number | null;
  serverWindow: number | null;
  bytesInFlight: number;
}

/** Decodes single frames again for display; no reassembly state (a reassembled datagram shows its last fragment). */
const displayDecoder = new PacketDecoder({ reassembleIp: false });

export function summarizeFrame(an: Analyzer, frame: RawFrame): FrameSummary {
  const m = an.model;
  if (frame.record) return { label: `pcapng ${frame.record} record (${frame.bytes.length} bytes)`, category: 'other' };
  const app = appLabel(m.timeline.eventsOfFrame(frame.index));
  if (app) return app;
  const p = displayDecoder.decode(frame);
  const row = frame.index - 1;
  if (p.tcp && row < m.frames.count) {
    const conv = m.frames.conversation[row];
    const dir = (m.frames.dir[row] === 1 ? 1 : 0) as 0 | 1;
    const t = p.tcp;
    const dup = m.timeline.eventsOfFrame(frame.index).find((e) => e.kind === 'tcp.duplicate_ack');
    return tcpLabel(p, {
      relSeq: conv >= 0 ? an.tcp.relativeSeq(conv, dir, t.seq) : t.seq,
      relAck: conv >= 0 ? an.tcp.relativeAck(conv, dir, t.ack) : t.ack,
      relSackEdge: (raw) => (conv >= 0 ? an.tcp.relativeAck(conv, dir, raw) : raw),
      window: conv >= 0 ? an.tcp.windowBytes(conv, dir, t.window, (t.flags & TcpFlag.SYN) !== 0) : t.window,
      analysis: tcpAnalysisNames(m.frames.tcpFlags[row]),
      dupAck: dup ? { frame: dup.b, n: dup.a } : undefined,
    });
  }
  if (p.udp) return { label: `UDP ${p.udp.srcPort} → ${p.udp.dstPort} Len=${p.udp.payloadLength}`, category: 'other' };
  if (p.icmp) return { label: `${p.icmp.version === 6 ? 'ICMPv6' : 'ICMP'} type=${p.icmp.type} code=${p.icmp.code}`, category: 'other' };
  if (!p.decoded) return { label: `Frame ${frame.index} (link type ${frame.linkType} not decoded)`, category: 'other' };
  return { label: p.layers.join(' / ') || `Frame ${frame.index}`, category: 'other' };
}

export function describeFrame(frame: RawFrame): LayerNode[] {
  return describeLayers(frame);
}

/** One or two plain sentences about a timeline event, for learners. */
export function explainEvent(an: Analyzer, eventId: number): string {
  const e = an.model.timeline.get(eventId);
  const conv = e.conversation >= 0 ? an.model.conversations[e.conversation] : undefined;
  if (e.kind.startsWith('tcp.') && conv) return explainTcpEvent(e, conv, tcpContext(an, e, conv.id));
  if (e.kind.startsWith('tls.')) return explainTls(e);
  if (e.kind.startsWith('dns.')) return explainDns(e);
  if (e.kind.startsWith('quic.')) return explainQuicEvent(e) ?? '';
  if (e.kind === 'icmp.message') return 'An ICMP message: the network reporting something about another packet (unreachable, time exceeded) or an echo (ping).';
  return '';
}

/** Rows looked back for the other side's last segment before a retransmission (enough for any real gap). */
const LOOK_BACK = 50_000;

/** What a TCP event's explanation needs beyond its facts (see ExplainContext), for the kinds that use it. */
function tcpContext(an: Analyzer, e: TimelineEvent, conversationId: number): ExplainContext | undefined {
  if (e.kind === 'tcp.keep_alive' || e.kind === 'tcp.keep_alive_ack') {
    // A keep-alive into a zero window is a probe: the windows as of its frame tell them apart.
    const m = tcpStateAt(an, conversationId, e.frame);
    return m ? { windows: { client: m.clientWindow, server: m.serverWindow } } : undefined;
  }
  if (e.kind === 'tcp.retransmission') {
    // A resend soon after the other side's duplicate ACKs or SACKs repairs a reported loss; one after a silence is
    // a timeout.
    const f = an.model.frames, row = e.frame - 1;
    const stop = Math.max(0, row - LOOK_BACK);
    for (let r = row - 1; r >= stop; r--) {
      if (f.conversation[r] !== conversationId || f.dir[r] === e.dir || f.dir[r] > 1) continue;
      // (a capture merged from several interfaces can go back in time a little)
      return { sincePeer: Math.max(0, f.time[row] - f.time[r]), peerDupAck: (f.tcpFlags[r] & TcpAnalysisFlag.DUPLICATE_ACK) !== 0 };
    }
    return { sincePeer: null };
  }
  return undefined;
}

/**
 * The TCP endpoints' states and advertised windows as of `frame`, replayed from the conversation's timeline events
 * (state changes and window advertisements), and the bytes in flight after that frame.
 */
export function tcpStateAt(an: Analyzer, conversationId: number, frame: number): TcpMoment | null {
  const m = an.model;
  const c = m.conversations[conversationId];
  if (!c || c.protocol !== 'tcp') return null;
  const tl = m.timeline;
  const states = ['CLOSED', 'LISTEN'];
  let windows: [number | null, number | null] = [null, null];
  for (let i = tl.lowerBound(c.firstFrame); i < tl.count && tl.frame[i] <= frame; i++) {
    if (tl.conversationOf(i) !== conversationId) continue;
    const kind = tl.kindOf(i);
    if (kind === 'tcp.state_changed') states[tl.aOf(i)] = tcpStateName(tl.bOf(i));
    else if (kind === 'tcp.window_advertised' || kind === 'tcp.window_update') {
      windows = tl.dirOf(i) === 0 ? [tl.aOf(i), windows[1]] : [windows[0], tl.aOf(i)];
    } else if (kind === 'tcp.zero_window') {
      windows = tl.dirOf(i) === 0 ? [0, windows[1]] : [windows[0], 0];
    }
  }
  const row = frame - 1;
  return {
    client: states[0], server: states[1], clientWindow: windows[0], serverWindow: windows[1],
    bytesInFlight: row >= 0 && row < m.frames.count && m.frames.conversation[row] === conversationId ? m.frames.bytesInFlight[row] : 0,
  };
}
