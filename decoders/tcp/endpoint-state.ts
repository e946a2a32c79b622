// Each endpoint's TCP state (RFC 9293 §3.3.2) as inferred from the segments the capture shows. The capture point
// sees a segment once, so the sender and the receiver both react to it at that moment (no propagation delay).
import { TcpFlag, type TcpSegment } from '../packet';
import { TcpState as S, ResetKind, type TcpStateCode } from './events';
import type { Flow } from './flow';
import { add32, geSeq } from './seq';

export interface StateSink {
  /** `endpoint` 0 client / 1 server moved to `state`. */
  changed(endpoint: number, state: TcpStateCode): void;
}

function set(f: Flow, out: StateSink, endpoint: number, st: TcpStateCode): void {
  if (f.state !== st) { f.state = st; out.changed(endpoint, st); }
}

/**
 * Applies one segment sent in direction `dir` (0: by the client, 1: by the server) of a conversation whose sides are
 * `client` and `server`. Returns the ResetKind for a RST, else 0. `started` says whether an earlier segment of the
 * conversation was seen (a capture that begins mid-connection starts both ESTABLISHED).
 */
export function observeSegment(client: Flow, server: Flow, dir: number, started: boolean, t: TcpSegment,
  out: StateSink): number {
  const flags = t.flags, seq = t.seq, ack = t.ack, seglen = t.payloadLength;
  const snd = dir === 0 ? client : server, rcv = dir === 0 ? server : client, back = 1 - dir;
  const syn = (flags & TcpFlag.SYN) !== 0, hasAck = (flags & TcpFlag.ACK) !== 0;

  if (!started && !syn) {
    // Mid-connection capture: both sides were already talking.
    set(client, out, 0, S.ESTABLISHED);
    set(server, out, 1, S.ESTABLISHED);
  }

  if (flags & TcpFlag.RST) {
    const refused = rcv.state === S.SYN_SENT && (snd.state === S.CLOSED || snd.state === S.LISTEN);
    set(snd, out, dir, S.CLOSED);
    set(rcv, out, back, S.CLOSED);
    return refused ? ResetKind.REFUSED : ResetKind.ABORT;
  }

  if (syn) {
    if (!hasAck) {
      if (snd.state === S.CLOSED || snd.state === S.LISTEN) set(snd, out, dir, S.SYN_SENT);
      if (rcv.state === S.CLOSED) set(rcv, out, back, S.LISTEN);
      else if (rcv.state === S.SYN_SENT) set(rcv, out, back, S.SYN_RECEIVED); // simultaneous open
    } else {
      if (snd.state === S.CLOSED || snd.state === S.LISTEN || snd.state === S.SYN_SENT) set(snd, out, dir, S.SYN_RECEIVED);
      if (rcv.state === S.SYN_SENT || rcv.state === S.SYN_RECEIVED || rcv.state === S.CLOSED) set(rcv, out, back, S.ESTABLISHED);
    }
  } else if (hasAck) {
    // The ACK of the other side's SYN completes its half of the handshake.
    if (rcv.state === S.SYN_RECEIVED) set(rcv, out, back, S.ESTABLISHED);
    if (snd.state === S.SYN_SENT || snd.state === S.SYN_RECEIVED) set(snd, out, dir, S.ESTABLISHED);
  }

  // The ACK part first: it may acknowledge the receiver's FIN.
  if (hasAck && rcv.finSeq >= 0 && geSeq(ack, add32(rcv.finSeq, 1))) {
    if (rcv.state === S.FIN_WAIT_1) set(rcv, out, back, S.FIN_WAIT_2);
    else if (rcv.state === S.CLOSING) set(rcv, out, back, S.TIME_WAIT);
    else if (rcv.state === S.LAST_ACK) set(rcv, out, back, S.CLOSED);
  }

  if (flags & TcpFlag.FIN) {
    if (snd.finSeq < 0) snd.finSeq = add32(syn ? add32(seq, 1) : seq, seglen);
    if (snd.state === S.ESTABLISHED || snd.state === S.SYN_RECEIVED || snd.state === S.SYN_SENT) set(snd, out, dir, S.FIN_WAIT_1);
    else if (snd.state === S.CLOSE_WAIT) {
      // A FIN that does not acknowledge the other side's FIN crossed it in flight: a simultaneous close.
      const crossed = rcv.finSeq >= 0 && !(hasAck && geSeq(ack, add32(rcv.finSeq, 1)));
      set(snd, out, dir, crossed ? S.CLOSING : S.LAST_ACK);
    }
    if (rcv.state === S.ESTABLISHED || rcv.state === S.SYN_RECEIVED) set(rcv, out, back, S.CLOSE_WAIT);
    else if (rcv.state === S.FIN_WAIT_1) set(rcv, out, back, S.CLOSING);
    else if (rcv.state === S.FIN_WAIT_2) set(rcv, out, back, S.TIME_WAIT);
  }
  return 0;
}
