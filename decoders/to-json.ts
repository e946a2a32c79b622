// The `packetflow analyze --json` document (../shared/design/analysis-json.md) from a finished analysis.
import type { AnalysisJson } from './analysis-json';
import type { Analyzer } from './analyzer';
import type { CaptureWarning } from '../capture/frame';

export interface CaptureFacts {
  format: 'pcap' | 'pcapng';
  compressed: boolean;
  frames: number;
  linkTypes: number[];
  warnings: CaptureWarning[];
}

export function toAnalysisJson(fileName: string, capture: CaptureFacts, analyzer: Analyzer): AnalysisJson {
  return {
    file: fileName,
    format: capture.format,
    compressed: capture.compressed,
    frames: capture.frames,
    linkTypes: capture.linkTypes,
    warnings: [...capture.warnings, ...analyzer.model.warnings]
      .map((w) => ({ frame: w.frame, offset: w.offset, message: w.message })),
    tcp: analyzer.tcp.toJson(),
    tls: analyzer.tls.toJson(),
    dns: analyzer.dns.toJson(),
    quic: analyzer.quic.toJson(),
  };
}
