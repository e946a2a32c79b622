// Colour category and marker bits of a frame, from the timeline events the reconstructions recorded for it and its
// protocol column. Computed once per frame as frames stream in (no bytes needed), so the diagram can colour a
// million arrows without decoding anything again. Priorities follow Wireshark's colouring: problems first.
import { EVENT_KINDS, type EventKind } from '../../decoders/timeline';
import { FrameProto } from '../../decoders/model';
import { CAT, Mark } from './protocol';

const LOSS = new Set<EventKind>([
  'tcp.retransmission', 'tcp.fast_retransmission', 'tcp.spurious_retransmission', 'tcp.out_of_order',
  'tcp.duplicate_ack', 'tcp.lost_segment', 'tcp.ack_lost_segment', 'dns.retransmission',
]);
const CLOSE = new Set<EventKind>(['tcp.fin', 'tcp.reset', 'quic.connection_close', 'tls.alert']);
const HANDSHAKE = new Set<EventKind>(['tcp.syn_sent', 'tcp.syn_ack_sent']);
const WINDOW = new Set<EventKind>([
  'tcp.zero_window', 'tcp.window_update', 'tcp.window_full', 'tcp.zero_window_probe', 'tcp.zero_window_probe_ack',
]);

const MARKS: Partial<Record<EventKind, number>> = {
  'tcp.retransmission': Mark.RETRANSMISSION, 'tcp.fast_retransmission': Mark.RETRANSMISSION,
  'tcp.spurious_retransmission': Mark.RETRANSMISSION, 'tcp.duplicate_ack': Mark.DUP_ACK,
  'tcp.zero_window': Mark.ZERO_WINDOW, 'tcp.lost_segment': Mark.LOST_SEGMENT, 'tcp.out_of_order': Mark.OUT_OF_ORDER,
  'tcp.window_update': Mark.WINDOW_UPDATE, 'tcp.reset': Mark.RESET, 'tcp.keep_alive': Mark.KEEP_ALIVE,
  'dns.retransmission': Mark.RETRANSMISSION,
};

/** Category rank: lower wins when a frame carries several kinds of events. */
const RANK = ['loss', 'close', 'handshake', 'tls', 'dns', 'quic', 'window', 'data', 'ack', 'other'] as const;

function categoryOfKind(k: EventKind): (typeof RANK)[number] | null {
  if (LOSS.has(k)) return 'loss';
  if (CLOSE.has(k)) return 'close';
  if (HANDSHAKE.has(k)) return 'handshake';
  if (k.startsWith('tls.')) return 'tls';
  if (k.startsWith('dns.')) return 'dns';
  if (k.startsWith('quic.')) return 'quic';
  if (WINDOW.has(k)) return 'window';
  if (k === 'tcp.data') return 'data';
  if (k === 'tcp.ack' || k === 'tcp.handshake_completed' || k === 'tcp.keep_alive' || k === 'tcp.keep_alive_ack' ||
    k === 'tcp.window_advertised') return 'ack';
  return null;
}

const KIND_CAT: (number | -1)[] = EVENT_KINDS.map((k) => {
  const c = categoryOfKind(k);
  return c === null ? -1 : RANK.indexOf(c);
});
const KIND_MARK: number[] = EVENT_KINDS.map((k) => MARKS[k] ?? 0);

/** Category when no event says anything: from the frame's protocol column. */
function fallback(proto: number): (typeof RANK)[number] {
  switch (proto) {
    case FrameProto.TLS: return 'tls';
    case FrameProto.DNS: return 'dns';
    case FrameProto.QUIC: return 'quic';
    case FrameProto.TCP: return 'ack';
    case FrameProto.UDP: return 'data';
    default: return 'other';
  }
}

/**
 * Category (index into CATEGORIES) and marker bits for one frame, given the event kind codes recorded for it
 * (timeline.kind values of its events).
 */
export function classifyFrame(kindCodes: ArrayLike<number>, from: number, to: number, proto: number): { cat: number; marks: number } {
  let best: number = RANK.length;
  let marks = 0;
  for (let i = from; i < to; i++) {
    const code = kindCodes[i];
    const r = KIND_CAT[code];
    if (r >= 0 && r < best) best = r;
    marks |= KIND_MARK[code];
  }
  const name = best < RANK.length ? RANK[best] : fallback(proto);
  return { cat: CAT[name], marks };
}
