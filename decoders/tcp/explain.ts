// Plain-words explanations of TCP timeline events for learners: what happened, why, and what it costs in round
// trips. Built from the event's stored facts (decoders/tcp/events.ts documents a and b) when shown, never stored.
import type { Conversation } from '../model';
import type { TimelineEvent } from '../timeline';
import { ResetKind, tcpStateName, TcpState } from './events';

const side = (e: TimelineEvent): string => (e.dir === 1 ? 'server' : 'client');
const other = (e: TimelineEvent): string => (e.dir === 1 ? 'client' : 'server');
const endpointName = (n: number, conv: Conversation): string =>
  n === 1 ? `server ${conv.server}` : `client ${conv.client}`;

function bytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 10 * 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} byte${n === 1 ? '' : 's'}`;
}

function ms(seconds: number): string {
  if (seconds >= 1) return `${seconds.toFixed(2)} s`;
  if (seconds >= 0.001) return `${(seconds * 1000).toFixed(1)} ms`;
  return `${Math.round(seconds * 1e6)} µs`;
}

function options(mss: number, shift: number): string {
  const parts: string[] = [];
  if (mss > 0) parts.push(`segments of at most ${mss} bytes (MSS)`);
  if (shift >= 0) parts.push(`window scaling ×${2 ** Math.min(shift, 14)}`);
  return parts.length ? ` It offers ${parts.join(' and ')}.` : '';
}

const STATE_MEANING: Record<number, string> = {
  [TcpState.CLOSED]: 'the connection no longer exists on this side',
  [TcpState.LISTEN]: 'it waits for connection requests',
  [TcpState.SYN_SENT]: 'it asked to connect and waits for the SYN-ACK',
  [TcpState.SYN_RECEIVED]: 'it answered a SYN and waits for the final ACK of the handshake',
  [TcpState.ESTABLISHED]: 'both directions are open and data can flow',
  [TcpState.FIN_WAIT_1]: 'it closed its sending direction and waits for that FIN to be acknowledged',
  [TcpState.FIN_WAIT_2]: 'its FIN was acknowledged; it can still receive until the other side closes too',
  [TcpState.CLOSE_WAIT]: 'the other side has finished sending; this side may still send before closing',
  [TcpState.CLOSING]: 'both sides sent a FIN at the same time; it waits for its own to be acknowledged',
  [TcpState.LAST_ACK]: 'it sent its FIN after the other side\'s and waits for the final ACK',
  [TcpState.TIME_WAIT]: 'it closed first, so it lingers for twice the maximum segment lifetime to absorb late segments',
};

/** The advertised windows (bytes, null when unknown) of both sides as of an event's frame. */
export interface WindowsAt {
  client: number | null;
  server: number | null;
}

/** What the conversation looked like around an event, for the events whose facts alone would mislead. */
export interface ExplainContext {
  /** The advertised windows as of the event's frame: a keep-alive into a zero window is a probe. */
  windows?: WindowsAt;
  /** For a retransmission: seconds since the other side's last segment, and whether that one was a duplicate ACK
   *  (a repair after reported loss rather than a timeout). Null when the other side sent nothing before it. */
  sincePeer?: number | null;
  peerDupAck?: boolean;
}

/** Below this (seconds), a resend cannot be a retransmission timeout on common systems (Linux's minimum RTO). */
const MIN_RTO = 0.2;

/** One or two sentences explaining a tcp.* event. */
export function explainTcpEvent(e: TimelineEvent, conv: Conversation, context?: ExplainContext): string {
  const who = side(e), peer = other(e);
  const windowOf = (s: string) => (s === 'client' ? context?.windows?.client : context?.windows?.server);
  switch (e.kind) {
    case 'tcp.syn_sent':
      return `The ${who} asks to open a connection (SYN) and picks its initial sequence number.` +
        options(e.a, e.b) + ' No data can flow until the handshake completes, one round trip later.';
    case 'tcp.syn_ack_sent':
      return `The ${who} accepts the connection: its SYN-ACK acknowledges the ${peer}'s SYN and sends its own.` +
        options(e.a, e.b);
    case 'tcp.handshake_completed':
      return `The three-way handshake is complete after ${ms(e.a)} (the initial round-trip time).` +
        (e.b > 0
          ? ` It cost ${e.b} round trip before the first byte of data could be sent.`
          : ' With TCP Fast Open the data already rode on the SYN, so no round trip was spent waiting.');
    case 'tcp.data':
      return `The ${who} sends ${bytes(e.b)} of data (bytes ${e.a} to ${e.a + e.b - 1} of its stream).`;
    case 'tcp.ack':
      return `The ${who} acknowledges the data it has received so far.`;
    case 'tcp.window_advertised':
      return `The ${who} advertises a receive window of ${bytes(e.a)}: the ${peer} may have that much ` +
        `unacknowledged data in flight.` + (e.b < 0 ? ' The scale factor is unknown because the handshake was not captured.' : '');
    case 'tcp.zero_window':
      return `The ${who}'s receive buffer is full, so it advertises a zero window and the ${peer} must stop sending ` +
        'until a window update arrives. The application on this side is reading too slowly.';
    case 'tcp.window_update':
      return `The ${who} reopens its receive window to ${bytes(e.a)}` +
        (e.b > 0 ? ` (it was ${bytes(e.b)})` : '') + `, so the ${peer} may send again.`;
    case 'tcp.window_full':
      return `This segment fills the ${peer}'s advertised window (${bytes(e.a)}): the ${who} must now wait for an ` +
        'acknowledgement before sending more, which caps throughput at one window per round trip.';
    case 'tcp.zero_window_probe':
      return `The ${peer}'s window is zero, so the ${who} sends a one-byte probe to learn when it reopens ` +
        '(probes back off exponentially, like retransmissions).';
    case 'tcp.zero_window_probe_ack':
      return `The ${who} answers the probe: its window is still zero, so the ${peer} keeps waiting.`;
    case 'tcp.keep_alive':
      // Linux probes a zero window with an empty segment one below the next sequence number: a keep-alive's shape.
      if (windowOf(peer) === 0) {
        return `The ${peer}'s window is zero, so the ${who} probes it to learn when it reopens. This probe has the ` +
          `shape of a keep-alive (an old sequence number, no new data), which is how Linux probes and why tshark ` +
          'calls it a keep-alive; probes back off exponentially while the window stays shut.';
      }
      return `The connection was idle, so the ${who} sends a keep-alive (an old sequence number) to check that the ` +
        `${peer} is still there.`;
    case 'tcp.keep_alive_ack':
      if (windowOf(who) === 0) return `The ${who} answers the probe: its window is still zero, so the ${peer} keeps waiting.`;
      return `The ${who} answers the keep-alive: it is still there and the connection stays open.`;
    case 'tcp.retransmission': {
      // No payload: a SYN or SYN-ACK (relative sequence 0) or a FIN sent again, always after a timeout.
      const what = e.b ? `${bytes(e.b)} of data`
        : e.a !== 0 ? 'its FIN' : e.dir === 1 ? 'its SYN-ACK' : 'its connection request (SYN)';
      const quiet = e.b ? context?.sincePeer : null;
      if (quiet != null && (context?.peerDupAck || quiet < MIN_RTO)) {
        return `The ${who} sends ${what} again ${ms(quiet)} after the ${peer}'s last segment` +
          (context?.peerDupAck ? ', a duplicate ACK: it is repairing a loss the ' + peer + ' reported'
            : ', too soon for a retransmission timeout: it is most likely repairing a loss the ' + peer +
              ' reported in SACK blocks, or probing for a lost last segment (Linux\'s tail loss probe)') +
          '. Such a repair costs about one extra round trip.';
      }
      return `The ${who} sends ${what} again because no acknowledgement came in time` +
        (quiet != null ? ` (nothing from the ${peer} for ${ms(quiet)})` : '') +
        ': its retransmission timer expired. A timeout costs at least one retransmission timeout (RTO, at least ' +
        '200 ms on Linux, 1 s by RFC 6298), far more than a round trip.';
    }
    case 'tcp.fast_retransmission':
      return `The ${peer} sent duplicate ACKs for the same byte, so the ${who} resends the missing segment at once ` +
        'instead of waiting for a timeout: the loss costs about one extra round trip.';
    case 'tcp.spurious_retransmission':
      return `The ${who} resends data the ${peer} had already acknowledged: the retransmission was unnecessary ` +
        '(often the acknowledgement was slow or lost, not the data).';
    case 'tcp.out_of_order':
      return `This segment arrives after later data from the ${who}: the network reordered packets (or it fills a ` +
        'gap quickly). The receiver buffers the later data until the gap is filled.';
    case 'tcp.duplicate_ack':
      return `Duplicate ACK #${e.a}: the ${who} acknowledges the same byte again (as in frame ${e.b}) because data ` +
        `arrived after a gap. Three of them make the ${peer} retransmit without waiting for a timeout.`;
    case 'tcp.lost_segment':
      return `The capture is missing ${e.a > 0 ? bytes(e.a) : 'data'} the ${who} sent before this segment: it was ` +
        'lost on the way (a retransmission will follow) or the capture missed it.';
    case 'tcp.ack_lost_segment':
      return `The ${who} acknowledges data the capture never showed: the ${peer} sent it but the capture missed ` +
        'it (common at the start of a capture).';
    case 'tcp.fin':
      return e.b === 1
        ? `The ${who} has no more data to send and closes its direction (FIN). It closed first, so it will ` +
          'hold TIME_WAIT for 2×MSL after the close.'
        : `The ${who} also closes its direction (FIN): the connection is shutting down from both sides.`;
    case 'tcp.reset':
      return e.b === ResetKind.REFUSED
        ? `The ${who} refuses the connection with a reset (RST): nothing listens on port ${who === 'server' ? conv.serverPort : conv.clientPort}. ` +
          'The attempt cost one round trip.'
        : `The ${who} aborts the connection with a reset (RST): both sides drop it at once and any data in flight is lost.`;
    case 'tcp.state_changed':
      return `The ${endpointName(e.a, conv)} is now in ${tcpStateName(e.b)}: ${STATE_MEANING[e.b] ?? 'its state changed'}.`;
    case 'tcp.time_wait_entered':
      return `The ${endpointName(e.a, conv)} enters TIME_WAIT: it closed first, so it keeps the connection's ` +
        'address and ports reserved for 2×MSL (up to 4 minutes; 60 s on Linux) so late segments cannot confuse a new connection.';
    case 'tcp.port_reused':
      return `A new connection starts on the same addresses and ports as TCP stream ${e.a} (a new initial sequence ` +
        `number), so it becomes stream ${e.b}.`;
    default:
      return `TCP event ${e.kind}.`;
  }
}
