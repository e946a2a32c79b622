// TCP header (RFC 9293) with every option decoded: MSS, window scale, SACK-permitted, SACK blocks, timestamps,
// TCP Fast Open (kind 34 and the experimental kind 254 with ExID 0xF989); unknown kinds are skipped by length.
import type { LayerIssue, TcpOptions, TcpSegment } from '../packet';
import { addIssue } from './issues';

export const TCP_MIN_HEADER = 20;

export enum TcpOptionKind {
  EOL = 0, NOP = 1, MSS = 2, WINDOW_SCALE = 3, SACK_PERMITTED = 4, SACK = 5, ECHO = 6, ECHO_REPLY = 7, TIMESTAMPS = 8,
  CC = 11, MD5 = 19, USER_TIMEOUT = 28, TCP_AO = 29, MPTCP = 30, FAST_OPEN = 34, EXPERIMENTAL_253 = 253,
  EXPERIMENTAL_254 = 254,
}

export const TCP_OPTION_NAMES: Record<number, string> = {
  0: 'End of Option List (EOL)', 1: 'No-Operation (NOP)', 2: 'Maximum segment size', 3: 'Window scale',
  4: 'SACK permitted', 5: 'SACK', 6: 'Echo', 7: 'Echo reply', 8: 'Timestamps', 11: 'CC', 19: 'TCP MD5 signature',
  27: 'Quick-Start Response', 28: 'User Timeout', 29: 'TCP Authentication Option', 30: 'Multipath TCP',
  34: 'TCP Fast Open Cookie', 69: 'Encryption Negotiation (TCP-ENO)', 253: 'RFC3692-style Experiment 1',
  254: 'RFC3692-style Experiment 2',
};

/** Required length of the fixed-size options (0 = variable, checked separately). */
function expectedLength(kind: number): number {
  switch (kind) {
    case 2: return 4;
    case 3: return 3;
    case 4: return 2;
    case 8: return 10;
    case 28: return 4;
    default: return 0;
  }
}

export const TFO_EXPERIMENT_ID = 0xf989;

export function newTcpOptions(): TcpOptions {
  return { mss: undefined, windowScale: undefined, sackPermitted: false, sack: undefined, tsVal: undefined,
    tsEcr: undefined, fastOpen: undefined };
}

export function newTcpSegment(options: TcpOptions = newTcpOptions()): TcpSegment {
  return { srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, headerLength: 0, payloadLength: 0,
    options, offset: 0 };
}

function clearOptions(o: TcpOptions): void {
  o.mss = undefined; o.windowScale = undefined; o.sackPermitted = false; o.sack = undefined;
  o.tsVal = undefined; o.tsEcr = undefined; o.fastOpen = undefined;
}

// The messages are made by functions of their own, called only when needed. Written inline, V8's optimiser turned
// each number that two messages share (hl, kind, len) into text on every packet, before knowing a message was needed.
const says = {
  payload: (wireLen: number) => `IP payload of ${wireLen} bytes is too short for a TCP header`,
  short: (avail: number) => `TCP header needs 20 bytes, ${Math.max(0, avail)} captured`,
  headerLength: (hl: number) => `header length ${hl} is less than 20`,
  beyond: (hl: number, wireLen: number) => `header length ${hl} exceeds the segment length ${wireLen}`,
  options: (hl: number, avail: number) => `options need ${hl - TCP_MIN_HEADER} bytes, ${avail - TCP_MIN_HEADER} captured`,
  noLength: (kind: number) => `option kind ${kind} has no length byte`,
  badLength: (kind: number, len: number) => `option kind ${kind} has invalid length ${len}`,
  pastHeader: (kind: number, len: number) => `option kind ${kind} length ${len} runs past the header`,
  wrongLength: (kind: number, len: number, want: number) => `option kind ${kind} has length ${len}, expected ${want}`,
  sackLength: (len: number) => `SACK option length ${len} is not 2 + 8n`,
};

/**
 * Decodes the TCP header at `off`. `capEnd` bounds the captured bytes of the segment, `wireLen` is the segment
 * length by the IP header (header + payload). Returns false when the fixed header is not usable (the segment is
 * then not a TcpSegment); options cut off by the capture are decoded as far as they go and flagged.
 */
export function decodeTcp(b: Uint8Array, off: number, capEnd: number, wireLen: number, seg: TcpSegment,
  issues: LayerIssue[], cut: boolean): boolean {
  const avail = capEnd - off;
  if (avail < TCP_MIN_HEADER) {
    if (wireLen < TCP_MIN_HEADER) addIssue(issues, 'tcp', off, says.payload(wireLen), false);
    else addIssue(issues, 'tcp', off, says.short(avail), cut);
    return false;
  }
  const hl = (b[off + 12] >> 4) * 4;
  if (hl < TCP_MIN_HEADER) {
    addIssue(issues, 'tcp', off, says.headerLength(hl), false);
    return false;
  }
  if (hl > wireLen) {
    addIssue(issues, 'tcp', off, says.beyond(hl, wireLen), false);
    return false;
  }
  seg.srcPort = (b[off] << 8) | b[off + 1];
  seg.dstPort = (b[off + 2] << 8) | b[off + 3];
  seg.seq = ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
  seg.ack = ((b[off + 8] << 24) | (b[off + 9] << 16) | (b[off + 10] << 8) | b[off + 11]) >>> 0;
  seg.flags = ((b[off + 12] & 1) << 8) | b[off + 13];
  seg.window = (b[off + 14] << 8) | b[off + 15];
  seg.headerLength = hl;
  seg.payloadLength = wireLen - hl;
  seg.offset = off;
  const opts = seg.options;
  clearOptions(opts);
  if (hl > TCP_MIN_HEADER) {
    let optEnd = off + hl;
    if (optEnd > capEnd) {
      addIssue(issues, 'tcp', off, says.options(hl, avail), cut);
      optEnd = capEnd;
    }
    decodeTcpOptions(b, off + TCP_MIN_HEADER, optEnd, opts, issues, optEnd < off + hl);
  }
  return true;
}

/** Parses options in b[o..end); `cutShort` says the option area itself was cut by the capture. */
export function decodeTcpOptions(b: Uint8Array, o: number, end: number, opts: TcpOptions, issues: LayerIssue[],
  cutShort: boolean): void {
  while (o < end) {
    const kind = b[o];
    if (kind === 0) return; // EOL: the rest is padding
    if (kind === 1) { o++; continue; }
    if (end - o < 2) {
      if (!cutShort) addIssue(issues, 'tcp', o, says.noLength(kind), false);
      return;
    }
    const len = b[o + 1];
    if (len < 2) {
      addIssue(issues, 'tcp', o, says.badLength(kind, len), false);
      return;
    }
    if (len > end - o) {
      if (!cutShort) addIssue(issues, 'tcp', o, says.pastHeader(kind, len), false);
      return;
    }
    const want = expectedLength(kind);
    if (want !== 0 && len !== want) {
      addIssue(issues, 'tcp', o, says.wrongLength(kind, len, want), false);
      o += len;
      continue;
    }
    switch (kind) {
      case 2: opts.mss = (b[o + 2] << 8) | b[o + 3]; break;
      case 3: opts.windowScale = b[o + 2]; break;
      case 4: opts.sackPermitted = true; break;
      case 5: {
        if (len < 10 || (len - 2) % 8 !== 0) {
          addIssue(issues, 'tcp', o, says.sackLength(len), false);
          break;
        }
        const sack: number[] = [];
        for (let p = o + 2; p + 4 <= o + len; p += 4) {
          sack.push(((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0);
        }
        opts.sack = sack;
        break;
      }
      case 8:
        opts.tsVal = ((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0;
        opts.tsEcr = ((b[o + 6] << 24) | (b[o + 7] << 16) | (b[o + 8] << 8) | b[o + 9]) >>> 0;
        break;
      case 34: opts.fastOpen = true; break;
      case 254:
        if (len >= 4 && ((b[o + 2] << 8) | b[o + 3]) === TFO_EXPERIMENT_ID) opts.fastOpen = true;
        break;
      default: break; // unknown or not needed: skipped by its length
    }
    o += len;
  }
}

/** One option's position, for the details tree. */
export interface TcpOptionSpan { kind: number; offset: number; length: number; bad?: string }

/** Lists the options of a header as spans (allocates; for describe, not for the per-packet path). */
export function tcpOptionSpans(b: Uint8Array, o: number, end: number): TcpOptionSpan[] {
  const out: TcpOptionSpan[] = [];
  while (o < end) {
    const kind = b[o];
    if (kind === 0) { out.push({ kind, offset: o, length: 1 }); return out; }
    if (kind === 1) { out.push({ kind, offset: o, length: 1 }); o++; continue; }
    if (end - o < 2) { out.push({ kind, offset: o, length: end - o, bad: 'no length byte' }); return out; }
    const len = b[o + 1];
    if (len < 2 || len > end - o) { out.push({ kind, offset: o, length: end - o, bad: `invalid length ${len}` }); return out; }
    const want = expectedLength(kind);
    out.push(want !== 0 && len !== want ? { kind, offset: o, length: len, bad: `length ${len}, expected ${want}` }
      : { kind, offset: o, length: len });
    o += len;
  }
  return out;
}
