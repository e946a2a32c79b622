// Frames inside a decrypted QUIC packet payload (RFC 9000 §19, plus DATAGRAM RFC 9221 and ACK_FREQUENCY).
// Parsing stops at the first frame whose layout is unknown or cut short, and says so; it never throws.
import { readVarint } from './varint';

export const FrameType = {
  PADDING: 0x00, PING: 0x01, ACK: 0x02, ACK_ECN: 0x03, RESET_STREAM: 0x04, STOP_SENDING: 0x05, CRYPTO: 0x06,
  NEW_TOKEN: 0x07, STREAM: 0x08, MAX_DATA: 0x10, MAX_STREAM_DATA: 0x11, MAX_STREAMS_BIDI: 0x12,
  MAX_STREAMS_UNI: 0x13, DATA_BLOCKED: 0x14, STREAM_DATA_BLOCKED: 0x15, STREAMS_BLOCKED_BIDI: 0x16,
  STREAMS_BLOCKED_UNI: 0x17, NEW_CONNECTION_ID: 0x18, RETIRE_CONNECTION_ID: 0x19, PATH_CHALLENGE: 0x1a,
  PATH_RESPONSE: 0x1b, CONNECTION_CLOSE: 0x1c, CONNECTION_CLOSE_APP: 0x1d, HANDSHAKE_DONE: 0x1e,
  DATAGRAM: 0x30, DATAGRAM_LEN: 0x31, IMMEDIATE_ACK: 0x1f, ACK_FREQUENCY: 0xaf,
} as const;

export function frameTypeName(t: number): string {
  if (t >= 0x08 && t <= 0x0f) return 'STREAM';
  switch (t) {
    case 0x00: return 'PADDING';
    case 0x01: return 'PING';
    case 0x02: case 0x03: return 'ACK';
    case 0x04: return 'RESET_STREAM';
    case 0x05: return 'STOP_SENDING';
    case 0x06: return 'CRYPTO';
    case 0x07: return 'NEW_TOKEN';
    case 0x10: return 'MAX_DATA';
    case 0x11: return 'MAX_STREAM_DATA';
    case 0x12: case 0x13: return 'MAX_STREAMS';
    case 0x14: return 'DATA_BLOCKED';
    case 0x15: return 'STREAM_DATA_BLOCKED';
    case 0x16: case 0x17: return 'STREAMS_BLOCKED';
    case 0x18: return 'NEW_CONNECTION_ID';
    case 0x19: return 'RETIRE_CONNECTION_ID';
    case 0x1a: return 'PATH_CHALLENGE';
    case 0x1b: return 'PATH_RESPONSE';
    case 0x1c: return 'CONNECTION_CLOSE';
    case 0x1d: return 'CONNECTION_CLOSE (application)';
    case 0x1e: return 'HANDSHAKE_DONE';
    case 0x1f: case 0xac: return 'IMMEDIATE_ACK';
    case 0x30: case 0x31: return 'DATAGRAM';
    case 0xaf: return 'ACK_FREQUENCY';
    default: return `unknown (0x${t.toString(16)})`;
  }
}

/** Transport error codes (RFC 9000 §20.1); 0x0100-0x01ff carry a TLS alert. */
export function transportErrorName(code: number): string {
  const names = ['NO_ERROR', 'INTERNAL_ERROR', 'CONNECTION_REFUSED', 'FLOW_CONTROL_ERROR', 'STREAM_LIMIT_ERROR',
    'STREAM_STATE_ERROR', 'FINAL_SIZE_ERROR', 'FRAME_ENCODING_ERROR', 'TRANSPORT_PARAMETER_ERROR',
    'CONNECTION_ID_LIMIT_ERROR', 'PROTOCOL_VIOLATION', 'INVALID_TOKEN', 'APPLICATION_ERROR',
    'CRYPTO_BUFFER_EXCEEDED', 'KEY_UPDATE_ERROR', 'AEAD_LIMIT_REACHED', 'NO_VIABLE_PATH',
    'VERSION_NEGOTIATION_ERROR'];
  if (code < names.length) return names[code];
  if (code >= 0x100 && code <= 0x1ff) return `CRYPTO_ERROR (TLS alert ${code - 0x100})`;
  return `0x${code.toString(16)}`;
}

export interface AckFrame {
  type: 0x02 | 0x03;
  largest: number;
  /** Raw ack delay field (scale by 2^ack_delay_exponent microseconds). */
  delay: number;
  /** Acknowledged packet-number ranges, highest first, each [smallest, largest]. */
  ranges: [number, number][];
  ecn?: { ect0: number; ect1: number; ce: number };
}

export type QuicFrame =
  | { type: 0x00; length: number }
  | { type: 0x01 }
  | AckFrame
  | { type: 0x04; streamId: number; error: number; finalSize: number }
  | { type: 0x05; streamId: number; error: number }
  | { type: 0x06; offset: number; data: Uint8Array }
  | { type: 0x07; token: Uint8Array }
  | { type: number; stream: true; streamId: number; offset: number; length: number; fin: boolean }
  | { type: 0x18; sequence: number; retirePriorTo: number; cid: Uint8Array; resetToken: Uint8Array }
  | { type: 0x19; sequence: number }
  | { type: 0x1a | 0x1b; data: Uint8Array }
  | { type: 0x1c | 0x1d; error: number; frameType?: number; reason: string }
  | { type: 0x30 | 0x31; length: number }
  /** Frames whose only content is one or two numbers (MAX_DATA, ..., HANDSHAKE_DONE, ACK_FREQUENCY). */
  | { type: number; values: number[] };

export interface ParsedFrames {
  frames: QuicFrame[];
  /** Frame type numbers in order (PADDING runs collapsed to one, as tshark lists them). */
  types: number[];
  /** Why parsing stopped early, if it did. */
  issue?: string;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
/** A frame list longer than this is almost certainly garbage; stop rather than allocate. */
const MAX_FRAMES = 4096;
const MAX_ACK_RANGES = 256;

export function parseFrames(b: Uint8Array): ParsedFrames {
  const frames: QuicFrame[] = [];
  const types: number[] = [];
  let p = 0;
  const end = b.length;
  const v = (): number => {
    const r = readVarint(b, p, end);
    if (r.value < 0) throw CUT;
    p += r.length;
    return r.value;
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || p + n > end) throw CUT;
    const s = b.subarray(p, p + n);
    p += n;
    return s;
  };
  try {
    while (p < end) {
      if (frames.length >= MAX_FRAMES) return { frames, types, issue: 'too many frames' };
      const type = v();
      types.push(type);
      if (type === 0x00) {
        let n = 1;
        while (p < end && b[p] === 0) { p++; n++; }
        frames.push({ type: 0x00, length: n });
      } else if (type === 0x01) {
        frames.push({ type: 0x01 });
      } else if (type === 0x02 || type === 0x03) {
        const largest = v(), delay = v(), count = v(), first = v();
        const ranges: [number, number][] = [[largest - first, largest]];
        let smallest = largest - first;
        for (let i = 0; i < count; i++) {
          const gap = v(), len = v();
          const hi = smallest - gap - 2;
          const lo = hi - len;
          if (ranges.length < MAX_ACK_RANGES) ranges.push([lo, hi]);
          smallest = lo;
        }
        const f: AckFrame = { type, largest, delay, ranges };
        if (type === 0x03) f.ecn = { ect0: v(), ect1: v(), ce: v() };
        frames.push(f);
      } else if (type === 0x04) {
        frames.push({ type: 0x04, streamId: v(), error: v(), finalSize: v() });
      } else if (type === 0x05) {
        frames.push({ type: 0x05, streamId: v(), error: v() });
      } else if (type === 0x06) {
        const offset = v();
        frames.push({ type: 0x06, offset, data: take(v()) });
      } else if (type === 0x07) {
        frames.push({ type: 0x07, token: take(v()) });
      } else if (type >= 0x08 && type <= 0x0f) {
        const streamId = v();
        const offset = type & 0x04 ? v() : 0;
        const length = type & 0x02 ? v() : end - p;
        take(length);
        frames.push({ type, stream: true, streamId, offset, length, fin: (type & 0x01) !== 0 });
      } else if (type === 0x18) {
        const sequence = v(), retirePriorTo = v();
        const len = take(1)[0];
        frames.push({ type: 0x18, sequence, retirePriorTo, cid: take(len), resetToken: take(16) });
      } else if (type === 0x19) {
        frames.push({ type: 0x19, sequence: v() });
      } else if (type === 0x1a || type === 0x1b) {
        frames.push({ type, data: take(8) });
      } else if (type === 0x1c || type === 0x1d) {
        const error = v();
        const frameType = type === 0x1c ? v() : undefined;
        const reason = decoder.decode(take(v()));
        frames.push(frameType === undefined ? { type, error, reason } : { type, error, frameType, reason });
      } else if (type === 0x30 || type === 0x31) {
        const length = type === 0x31 ? v() : end - p;
        take(length);
        frames.push({ type, length });
      } else if (type >= 0x10 && type <= 0x17) {
        frames.push({ type, values: type === 0x11 || type === 0x15 ? [v(), v()] : [v()] });
      } else if (type === 0x1e || type === 0x1f || type === 0xac) {
        frames.push({ type, values: [] });
      } else if (type === 0xaf) {
        frames.push({ type, values: [v(), v(), v(), v()] });
      } else {
        return { frames, types, issue: `unknown frame type 0x${type.toString(16)}` };
      }
    }
  } catch (e) {
    if (e !== CUT) throw e;
    return { frames, types, issue: 'frame cut short' };
  }
  return { frames, types };
}

const CUT = new Error('cut');
