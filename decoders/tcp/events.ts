// What the TCP timeline events carry. Every event has frame, conversation and dir (0 client→server,
// 1 server→client, the direction of the packet the event belongs to); the two numbers a and b mean:
//
// tcp.syn_sent                a = MSS option offered (0 if none)         b = window-scale shift offered (-1 if none)
// tcp.syn_ack_sent            a = MSS option offered (0 if none)         b = window-scale shift offered (-1 if none)
// tcp.handshake_completed     a = initial RTT in seconds                 b = round trips spent before the first data
//                                                                          byte could be sent (1; 0 with TCP Fast Open)
// tcp.data                    a = relative sequence number               b = payload length (bytes)
// tcp.window_advertised       a = advertised receive window in bytes     b = window-scale shift applied
//                                                                          (-1 unknown, 0 no scaling)
// tcp.zero_window             a = relative ack number                    b = 0
// tcp.window_update           a = new window in bytes                    b = previous window in bytes
// tcp.window_full             a = receiver's window in bytes             b = bytes in flight after this segment
// tcp.zero_window_probe       a = relative sequence number               b = payload length (1)
// tcp.zero_window_probe_ack   a = relative ack number                    b = 0
// tcp.keep_alive              a = relative sequence number               b = payload length (0 or 1)
// tcp.keep_alive_ack          a = relative ack number                    b = 0
// tcp.retransmission          a = relative sequence number               b = payload length
// tcp.fast_retransmission     a = relative sequence number               b = payload length
// tcp.spurious_retransmission a = relative sequence number               b = payload length
// tcp.out_of_order            a = relative sequence number               b = payload length
// tcp.duplicate_ack           a = duplicate number (1, 2, ...)           b = frame of the ACK it duplicates
// tcp.lost_segment            a = bytes missing before this segment      b = relative sequence number expected
// tcp.ack_lost_segment        a = bytes acknowledged but never seen      b = relative ack number
// tcp.fin                     a = relative sequence number               b = 1 when this side closes first, else 0
// tcp.reset                   a = relative sequence number               b = ResetKind (1 refused, 2 abort)
// tcp.state_changed           a = endpoint (0 client, 1 server)          b = TcpState code
// tcp.time_wait_entered       a = endpoint (0 client, 1 server)          b = 0
// tcp.port_reused             a = tcp.stream of the earlier conversation b = tcp.stream of the new one
//
// Retransmission-family, out-of-order, keep-alive and zero-window-probe segments get their flag event instead of
// tcp.data, so each data segment has exactly one of these events.

/** Inferred endpoint states (RFC 9293 §3.3.2). */
export enum TcpState {
  CLOSED = 0, LISTEN = 1, SYN_SENT = 2, SYN_RECEIVED = 3, ESTABLISHED = 4, FIN_WAIT_1 = 5, FIN_WAIT_2 = 6,
  CLOSE_WAIT = 7, CLOSING = 8, LAST_ACK = 9, TIME_WAIT = 10,
}
export type TcpStateCode = TcpState;

export const TCP_STATE_NAMES = [
  'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT',
  'CLOSING', 'LAST_ACK', 'TIME_WAIT',
] as const;

export function tcpStateName(code: number): string {
  return TCP_STATE_NAMES[code] ?? `state ${code}`;
}

/** Why a RST was sent (tcp.reset's b). */
export enum ResetKind {
  /** The answer to a SYN: nothing listens on that port (connection refused). */
  REFUSED = 1,
  /** An established or half-open connection torn down at once. */
  ABORT = 2,
}

/** Endpoint numbers used in tcp.state_changed / tcp.time_wait_entered. */
export enum Endpoint { CLIENT = 0, SERVER = 1 }
