// Per-frame TCP analysis flags: one bit per tshark tcp.analysis.* field, so FrameIndex.tcpFlags can hold them.
import { TCP_ANALYSIS_FLAGS, type TcpAnalysisFlagName } from '../analysis-json';

/**
 * Bit i is TCP_ANALYSIS_FLAGS[i]. As in tshark's fields, a fast or spurious retransmission also carries
 * RETRANSMISSION (tshark adds the tcp.analysis.retransmission expert item to both).
 */
export enum TcpAnalysisFlag {
  RETRANSMISSION = 1 << 0,
  FAST_RETRANSMISSION = 1 << 1,
  SPURIOUS_RETRANSMISSION = 1 << 2,
  OUT_OF_ORDER = 1 << 3,
  DUPLICATE_ACK = 1 << 4,
  ZERO_WINDOW = 1 << 5,
  ZERO_WINDOW_PROBE = 1 << 6,
  ZERO_WINDOW_PROBE_ACK = 1 << 7,
  WINDOW_FULL = 1 << 8,
  WINDOW_UPDATE = 1 << 9,
  KEEP_ALIVE = 1 << 10,
  KEEP_ALIVE_ACK = 1 << 11,
  LOST_SEGMENT = 1 << 12,
  ACK_LOST_SEGMENT = 1 << 13,
  /** tcp.analysis.reused_ports: a SYN with a new ISN on a 4-tuple already seen (not in the JSON flag list). */
  REUSED_PORTS = 1 << 14,
}

/** tshark field names (without the tcp.analysis. prefix) of the bits set, in TCP_ANALYSIS_FLAGS order. */
export function tcpAnalysisNames(bits: number): TcpAnalysisFlagName[] {
  const out: TcpAnalysisFlagName[] = [];
  for (let i = 0; i < TCP_ANALYSIS_FLAGS.length; i++) if (bits & (1 << i)) out.push(TCP_ANALYSIS_FLAGS[i]);
  return out;
}

/** Same as tcpAnalysisNames, plus 'reused_ports' when that bit is set. */
export function tcpAnalysisFieldNames(bits: number): string[] {
  const out: string[] = tcpAnalysisNames(bits);
  if (bits & TcpAnalysisFlag.REUSED_PORTS) out.push('reused_ports');
  return out;
}
